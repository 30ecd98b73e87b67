//! VG122 missing-rate-limit: login, sign-up, password-reset and OTP routes without a rate
//! limit.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::naming;

/// The rule.
#[derive(Debug)]
pub struct MissingRateLimit;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG122"),
    name: Cow::Borrowed("missing-rate-limit"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Authentication route without rate limiting"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[307, 770]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Auth05, ChecklistId::Api01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A login, sign-up, password-reset, OTP or token route with no rate-limiting \
             middleware or decorator in front of it — none on the route, its router or its app \
             (express-rate-limit, rate-limiter-flexible, express-slow-down, @fastify/rate-limit, \
             Flask-Limiter defaults or `@limiter.limit`, slowapi, django-ratelimit, DRF \
             throttles, \
             Go's httprate and tollbooth) — and no limiter consulted in its handler. \
             Rails: `rate_limit`, rack-attack throttles and Devise's `:lockable`.",
        ),
        why: Cow::Borrowed(
            "Unlimited login attempts are a password-guessing service: credential stuffing \
             with leaked password lists takes over accounts, and reset or OTP endpoints are \
             brute-forced or used to spam users.",
        ),
        example_bad: Cow::Borrowed("router.post('/login', login);"),
        example_fixed: Cow::Borrowed(
            "const loginLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 10 });\nrouter.post('/login', loginLimiter, login);",
        ),
        fix: Cow::Borrowed(
            "Limit attempts per IP and per account on every authentication route (and lock or \
             slow down after repeated failures).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/307.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks",
            ),
        ]),
    },
};

impl CodeRule for MissingRateLimit {
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
        let mut applied = false;
        for route in &cx.routes.routes {
            if !naming::is_auth_route(&route.path)
                || !matches!(route.method.as_str(), "POST" | "ANY" | "PUT" | "PATCH")
            {
                continue;
            }
            applied = true;
            if route.is_rate_limited() {
                continue;
            }
            let limited_in_handler = route.handler.is_some_and(|(m, f)| {
                let text = cx
                    .module(m)
                    .text_of(cx.module(m).functions[f].range)
                    .to_ascii_lowercase();
                text.contains("limiter") || text.contains("ratelimit") || text.contains("throttle")
            });
            if limited_in_handler {
                continue;
            }
            let message = format!(
                "{} {} has no rate limit: passwords and codes can be guessed without end",
                route.method, route.path
            );
            out.push(cx.finding(
                &META,
                route.module,
                route.range,
                message,
                &format!("{} {}", route.method, route.path),
            ));
        }
        if applied {
            Applicability::Applied
        } else {
            Applicability::NotApplicable("no login, sign-up or password-reset routes found")
        }
    }
}
