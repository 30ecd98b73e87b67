//! VG111 route-without-authentication: a route that changes state or serves user data has no
//! authentication, in an app that authenticates other routes.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, project_calls};
use crate::flow::Hit;
use crate::naming;
use crate::routes::{Route, authenticates_inline};

/// The rule.
#[derive(Debug)]
pub struct RouteWithoutAuthentication;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG111"),
    name: Cow::Borrowed("route-without-authentication"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("State-changing or user-data route without authentication"),
    severity: Severity::High,
    confidence: Confidence::Tentative,
    cwe: Cow::Borrowed(&[306, 862]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A route that changes state (POST, PUT, PATCH, DELETE) or serves user data (users, \
             accounts, profiles, orders, payments, admin, settings) with no authentication \
             middleware or decorator in front of it (`auth`, `passport.authenticate`, \
             `login_required`, `Depends(get_current_user)`, DRF `IsAuthenticated`, Next.js \
             middleware matchers) and no authentication check in its handler, in an app that \
             authenticates other routes or uses an authentication library. Sign-up, login, \
             password reset, webhooks and health checks are public by design and skipped. \
             Rails: each route's `before_action` chain (inherited, skipped, `only:`/`except:`) and its action's own checks.",
        ),
        why: Cow::Borrowed(
            "One route forgotten when the rest got `auth` lets anyone create, change or delete \
             data, or read other users' records, with no account at all.",
        ),
        example_bad: Cow::Borrowed(
            "router.get('/', auth, listTasks);\nrouter.delete('/:id', deleteTask); // no auth",
        ),
        example_fixed: Cow::Borrowed(
            "router.use(auth); // every route below requires a user\nrouter.get('/', listTasks);\nrouter.delete('/:id', deleteTask);",
        ),
        fix: Cow::Borrowed(
            "Add the authentication middleware to the route, or better to the router or app so \
             that new routes are protected by default; mark the few public routes explicitly.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/306.html"),
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
            ),
        ]),
    },
};

const USER_DATA_WORDS: &[&str] = &[
    "user",
    "users",
    "me",
    "account",
    "accounts",
    "profile",
    "profiles",
    "admin",
    "order",
    "orders",
    "payment",
    "payments",
    "billing",
    "settings",
    "setting",
    "message",
    "messages",
    "invoice",
    "invoices",
    "private",
    "dashboard",
    "wallet",
];

const PUBLIC_WORDS: &[&str] = &[
    // Ending a session needs none.
    "logout",
    "webhook",
    "webhooks",
    "hook",
    "callback",
    "health",
    "healthz",
    "status",
    "ping",
    "metrics",
    "docs",
    "public",
    "static",
    "contact",
    "newsletter",
    "subscribe",
    "csrf",
    "csp-report",
    "oauth",
    "sso",
    "well-known",
    "robots.txt",
];

fn segments(path: &str) -> Vec<String> {
    path.split(['/', '.', '-', '_', '#', ':'])
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Sign-up, login, webhooks, health checks: public by design.
fn is_public_by_design(route: &Route) -> bool {
    // A create that takes a password (Rails strong parameters `permit(:email, :password)`) on
    // a collection is a sign-up.
    let sign_up = route.method == "POST"
        && !route.path.contains('{')
        && route
            .body_fields
            .iter()
            .any(|f| naming::is_password_name(f));
    let compact: String = route
        .path
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    sign_up
        || compact.ends_with("signout")
        || route.public_by_design
        || naming::is_auth_route(&route.path)
        || segments(&route.path)
            .iter()
            .any(|w| PUBLIC_WORDS.contains(&w.as_str()))
}

/// Whether a route is a candidate: state-changing or user data, and not public by design.
fn needs_auth(route: &Route) -> bool {
    if is_public_by_design(route) {
        return false;
    }
    let words = segments(&route.path);
    let state_changing = matches!(route.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE");
    let user_data = words.iter().any(|w| USER_DATA_WORDS.contains(&w.as_str()));
    state_changing || user_data
}

/// Whether the app authenticates anything: a route with authentication, or an
/// authentication library in use.
fn authentication_exists(cx: &Context<'_>) -> bool {
    cx.routes.routes.iter().any(Route::has_auth_middleware)
        || project_calls(
            cx,
            &[
                "jsonwebtoken.verify",
                "passport.authenticate",
                "express-jwt",
                "next-auth",
                "@clerk",
                "flask_login",
                "flask_jwt_extended",
                "fastapi.security",
                "django.contrib.auth.decorators",
                "jose.jwtVerify",
            ],
        )
}

impl CodeRule for RouteWithoutAuthentication {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[
            crate::language::Language::Ruby,
            crate::language::Language::Go,
        ]
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        if cx.routes.routes.is_empty() {
            return Applicability::NotApplicable("no HTTP routes found in the code");
        }
        if !authentication_exists(cx) {
            return Applicability::Applied;
        }
        for route in &cx.routes.routes {
            // Middleware named like authentication whose code lets anonymous requests through
            // shows the route was meant to be protected: it is a candidate whatever its path.
            let passes: Vec<&str> = route.anonymous_passes().map(|m| m.name.as_str()).collect();
            let meant_protected = !passes.is_empty() && !is_public_by_design(route);
            if !(needs_auth(route) || meant_protected) || route.has_auth_middleware() {
                continue;
            }
            if route
                .handler
                .is_some_and(|h| authenticates_inline(cx.project, h))
            {
                continue;
            }
            let message = if passes.is_empty() {
                format!(
                    "{} {} has no authentication while other routes require it: anyone can call it",
                    route.method, route.path
                )
            } else {
                format!(
                    "{} {} is behind {}, which lets requests without a credential through to the \
                     handler: anyone can call it",
                    route.method,
                    route.path,
                    passes.join(", ")
                )
            };
            out.push(cx.finding(
                &META,
                route.module,
                route.range,
                message,
                &format!("{} {}", route.method, route.path),
            ));
        }
        Applicability::Applied
    }
}
