//! VG129 cross-site-request-forgery: an app that signs users in with a cookie session and
//! changes state on POST/PUT/PATCH/DELETE routes with no CSRF protection, or a view exempted
//! from the protection the app has.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, project_calls};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Imported, Pattern, Range, StmtKind};
use crate::language::Language;
use crate::project::{Local, ModuleId};
use crate::routes::{Framework, Route};

/// The rule.
#[derive(Debug)]
pub struct CrossSiteRequestForgery;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG129"),
    name: Cow::Borrowed("cross-site-request-forgery"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Cookie-session app that changes state without CSRF protection"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[352]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Auth08]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "An app whose users stay signed in through a cookie (Flask's `session` or \
             Flask-Login, express-session, cookie-session or Passport sessions, Django's \
             sessions, aiohttp_session, Starlette's `SessionMiddleware`) with state-changing \
             routes and no CSRF defence: no Flask-WTF `CSRFProtect` (or forms validated with \
             `validate_on_submit`), no `csurf`/`csrf-csrf`/`lusca`/`csrf-sync`/`tiny-csrf`, \
             Django's `CsrfViewMiddleware` missing from `MIDDLEWARE`, no `aiohttp_csrf`, no \
             Starlette CSRF middleware, no CSRF package or token check in Sanic (sanic_session) \
             and Bottle (Beaker sessions, signed cookies), no `@fastify/csrf-protection` for \
             `@fastify/session`/`@fastify/secure-session` (NestJS apps judged as the Express or \
             Fastify they run on), and no session cookie with \
             `SameSite=Strict`. Also \
             views taken out of the protection: Django `@csrf_exempt`, Flask-WTF \
             `@csrf.exempt` (webhooks, which check a signature instead, excepted). APIs that \
             authenticate with a bearer token are not CSRF-prone and are not reported. \
             Go: gorilla/sessions, gin-contrib/sessions, echo-contrib, fiber and scs sessions without gorilla/csrf, nosurf, gin-csrf, fiber's or echo's CSRF middleware or `http.CrossOriginProtection`.",
        ),
        why: Cow::Borrowed(
            "Browsers send cookies with requests any site starts: a page the victim visits can \
             post a hidden form to your app and change their e-mail, delete their data or \
             transfer money as them, without seeing any answer.",
        ),
        example_bad: Cow::Borrowed(
            "app = Flask(__name__)\napp.secret_key = os.environ['SECRET_KEY']\n\n@app.post('/account/email')\n@login_required\ndef change_email():\n    current_user.email = request.form['email']",
        ),
        example_fixed: Cow::Borrowed(
            "from flask_wtf.csrf import CSRFProtect\n\napp = Flask(__name__)\napp.secret_key = os.environ['SECRET_KEY']\ncsrf = CSRFProtect(app)  # forms carry {{ csrf_token() }}",
        ),
        fix: Cow::Borrowed(
            "Turn on the framework's CSRF protection (Flask-WTF `CSRFProtect`, Django's \
             `CsrfViewMiddleware`, `csrf-csrf` or `csrf-sync` for Express, `aiohttp_csrf`) and \
             put its token in every form; set the session cookie `SameSite=Strict` or `Lax` as \
             a second line.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/352.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// A web app created in the code: where, and by which framework.
struct App {
    module: ModuleId,
    range: Range,
    framework: Framework,
}

impl CodeRule for CrossSiteRequestForgery {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        let mut applied = false;
        let strict_cookie = sets_strict_same_site(cx);
        for app in apps(cx) {
            if !uses_cookie_sessions(cx, app.framework) {
                continue;
            }
            applied = true;
            if strict_cookie || is_protected(cx, app.framework) {
                continue;
            }
            let open: Vec<&Route> = cx
                .routes
                .routes
                .iter()
                .filter(|r| r.framework == app.framework && r.is_state_changing())
                .filter(|r| !r.serves_files && !crate::naming::is_auth_route(&r.path))
                .filter(|r| !bearer_only(cx, r))
                .filter(|r| !route_checks_token(cx, r))
                .collect();
            if open.is_empty() {
                continue;
            }
            let listed: Vec<String> = open
                .iter()
                .take(4)
                .map(|r| format!("{} {}", r.method, r.path))
                .collect();
            let more = if open.len() > 4 {
                format!(" and {} more", open.len() - 4)
            } else {
                String::new()
            };
            out.push(cx.finding(
                &META,
                app.module,
                app.range,
                format!(
                    "{} app signs users in with a session cookie and has no CSRF protection: \
                     any site can make a visitor's browser send {}{more}",
                    match app.framework {
                        Framework::Express => "Express",
                        Framework::Flask => "Flask",
                        Framework::FastApi => "FastAPI",
                        Framework::Aiohttp => "aiohttp",
                        Framework::Sanic => "Sanic",
                        Framework::Fastify => "Fastify",
                        Framework::NestJs => "NestJS",
                        Framework::Bottle => "Bottle",
                        Framework::Starlette => "Starlette",
                        _ => "The",
                    },
                    listed.join(", ")
                ),
                app.framework.as_str(),
            ));
        }
        applied |= django(cx, out);
        applied |= rails(cx, out);
        applied |= exempted_views(cx, out);
        // No cookie session is known only of the frameworks this rule reads: a Fastify or
        // Next.js app's sessions are not judged, so nothing can be said of them.
        let unjudged = cx.routes.frameworks.iter().any(|f| {
            !matches!(
                f,
                Framework::Express
                    | Framework::Flask
                    | Framework::FastApi
                    | Framework::Django
                    | Framework::Aiohttp
                    | Framework::Sanic
                    | Framework::Bottle
                    | Framework::Starlette
                    | Framework::Rails
                    | Framework::Fastify
                    | Framework::NestJs
            ) && !f.is_go()
        });
        if applied {
            Applicability::Applied
        } else if unjudged {
            Applicability::NotApplicable(
                "cookie sessions of Next.js apps are not judged for CSRF yet",
            )
        } else {
            Applicability::Absent("no app that keeps users signed in with a cookie session")
        }
    }
}

/// Every app created in the code, one per framework (the first creation found).
fn apps(cx: &Context<'_>) -> Vec<App> {
    let mut found: Vec<App> = Vec::new();
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        for function_id in 0..module.functions.len() {
            cx.index.calls(module_id, function_id, &mut |e| {
                let Some((callee, _, _)) = e.as_call() else {
                    return;
                };
                let qualified = cx.index.qualified(module_id, callee);
                let go_tail = crate::language::go_qualified_tail(qualified);
                let framework = match (qualified, go_tail.as_str()) {
                    (_, "gin.Default" | "gin.New") if module.language.is_go() => Framework::Gin,
                    (_, "echo.New") if module.language.is_go() => Framework::Echo,
                    (_, "fiber.New") if module.language.is_go() => Framework::Fiber,
                    (_, "chi.NewRouter") if module.language.is_go() => Framework::Chi,
                    (_, "mux.NewRouter") if module.language.is_go() => Framework::GorillaMux,
                    (_, "http.NewServeMux") if module.language.is_go() => Framework::NetHttp,
                    _ => match qualified {
                        "express" | "express.default" => Framework::Express,
                        "fastify" | "fastify.default" | "fastify.fastify" => Framework::Fastify,
                        "@nestjs/core.NestFactory.create" => Framework::NestJs,
                        "flask.Flask" | "quart.Quart" => Framework::Flask,
                        "fastapi.FastAPI" => Framework::FastApi,
                        "aiohttp.web.Application" => Framework::Aiohttp,
                        "sanic.Sanic" | "sanic.app.Sanic" => Framework::Sanic,
                        "bottle.Bottle" => Framework::Bottle,
                        "starlette.applications.Starlette" => Framework::Starlette,
                        _ => return,
                    },
                };
                if !found.iter().any(|a| a.framework == framework) {
                    found.push(App {
                        module: module_id,
                        range: e.range,
                        framework,
                    });
                }
            });
        }
    }
    // An app the code never constructs (Bottle's default app behind `@route`): its first route
    // stands for it.
    for route in &cx.routes.routes {
        if matches!(
            route.framework,
            Framework::Bottle | Framework::Sanic | Framework::Starlette
        ) && !found.iter().any(|a| a.framework == route.framework)
        {
            found.push(App {
                module: route.module,
                range: route.range,
                framework: route.framework,
            });
        }
    }
    found
}

/// Whether any module imports `name` from `source` (`from flask import session`).
fn imports_name(cx: &Context<'_>, source: &str, name: &str) -> bool {
    cx.project.modules.iter().any(|m| {
        m.imports
            .iter()
            .any(|i| i.source == source && matches!(&i.imported, Imported::Named(n) if n == name))
    })
}

fn imports_module(cx: &Context<'_>, prefix: &str) -> bool {
    cx.project
        .modules
        .iter()
        .any(|m| m.imports.iter().any(|i| i.source.starts_with(prefix)))
}

/// Whether the app keeps its users signed in through a cookie.
fn uses_cookie_sessions(cx: &Context<'_>, framework: Framework) -> bool {
    match framework {
        Framework::Express => project_calls(
            cx,
            &[
                "express-session",
                "cookie-session",
                "passport.session",
                "client-sessions",
            ],
        ),
        Framework::Flask => {
            imports_name(cx, "flask", "session")
                || imports_name(cx, "quart", "session")
                || imports_module(cx, "flask_login")
                || imports_module(cx, "flask_session")
        }
        Framework::FastApi => project_text_has(cx, "SessionMiddleware"),
        Framework::Aiohttp => imports_module(cx, "aiohttp_session"),
        Framework::Sanic => {
            imports_module(cx, "sanic_session") || imports_module(cx, "sanic_login")
        }
        Framework::Fastify => {
            imports_module(cx, "@fastify/session")
                || imports_module(cx, "@fastify/secure-session")
                || imports_module(cx, "fastify-session")
                || imports_module(cx, "@fastify/passport")
        }
        // A Nest app runs on Express (or Fastify) and takes their session middleware.
        Framework::NestJs => {
            uses_cookie_sessions(cx, Framework::Express)
                || uses_cookie_sessions(cx, Framework::Fastify)
        }
        // Beaker sessions, or Bottle's signed cookies (`request.get_cookie(name, secret=...)`).
        Framework::Bottle => {
            imports_module(cx, "beaker")
                || imports_module(cx, "bottle_session")
                || (project_text_has(cx, "secret=") && project_text_has(cx, "get_cookie("))
        }
        Framework::Starlette => project_text_has(cx, "SessionMiddleware"),
        // gorilla/sessions, gin-contrib/sessions, echo-contrib/session, fiber's session, scs.
        go if go.is_go() => [
            "github.com/gorilla/sessions",
            "github.com/gin-contrib/sessions",
            "github.com/labstack/echo-contrib/session",
            "github.com/gofiber/fiber/middleware/session",
            "github.com/alexedwards/scs",
        ]
        .iter()
        .any(|source| imports_module(cx, source)),
        _ => false,
    }
}

fn project_text_has(cx: &Context<'_>, needle: &str) -> bool {
    cx.project.modules.iter().any(|m| m.text.contains(needle))
}

/// Whether a cookie is set `SameSite=Strict` somewhere (`sameSite: 'strict'`,
/// `SESSION_COOKIE_SAMESITE = "Strict"`, `same_site: :strict`): the word must follow the
/// setting, not merely share its file with `'use strict'`.
fn sets_strict_same_site(cx: &Context<'_>) -> bool {
    cx.project.modules.iter().any(|m| {
        let lower = m.text.to_ascii_lowercase();
        ["samesite", "same_site"].iter().any(|setting| {
            lower.match_indices(setting).any(|(at, _)| {
                let after = at + setting.len();
                let end = (after + 24).min(lower.len());
                lower
                    .get(after..end)
                    .is_some_and(|window| window.contains("strict"))
            })
        })
    })
}

/// Whether the framework's CSRF defence is in place.
fn is_protected(cx: &Context<'_>, framework: Framework) -> bool {
    match framework {
        Framework::Express => {
            project_calls(
                cx,
                &[
                    "csurf",
                    "csrf-csrf",
                    "lusca",
                    "csrf-sync",
                    "tiny-csrf",
                    "@dr.pogodin/csurf",
                    "express-csrf-double-submit-cookie",
                    "csrf",
                ],
            ) || imports_module(cx, "csrf")
                || imports_module(cx, "lusca")
        }
        Framework::Flask => project_calls(
            cx,
            &[
                "flask_wtf.csrf.CSRFProtect",
                "flask_wtf.CSRFProtect",
                "flask_seasurf",
            ],
        ),
        Framework::Fastify => {
            imports_module(cx, "@fastify/csrf-protection") || imports_module(cx, "fastify-csrf")
        }
        Framework::NestJs => {
            is_protected(cx, Framework::Express) || is_protected(cx, Framework::Fastify)
        }
        Framework::FastApi | Framework::Starlette => {
            imports_module(cx, "fastapi_csrf_protect")
                || imports_module(cx, "starlette_csrf")
                || imports_module(cx, "asgi_csrf")
                || project_text_has(cx, "CSRFMiddleware")
        }
        Framework::Aiohttp => imports_module(cx, "aiohttp_csrf"),
        // No CSRF defence ships with either: a package (sanic-csrf, bottle-csrf) or the
        // project's own token check.
        Framework::Sanic | Framework::Bottle => {
            cx.project
                .modules
                .iter()
                .any(|m| m.imports.iter().any(|i| i.source.contains("csrf")))
                || project_text_has(cx, "csrf_token")
        }
        // gorilla/csrf, nosurf, gin-csrf, fiber's csrf, echo's `middleware.CSRF()`, Go 1.25's
        // `http.CrossOriginProtection`.
        go if go.is_go() => {
            [
                "github.com/gorilla/csrf",
                "github.com/justinas/nosurf",
                "github.com/utrack/gin-csrf",
                "github.com/gin-contrib/csrf",
                "github.com/gofiber/fiber/middleware/csrf",
            ]
            .iter()
            .any(|source| imports_module(cx, source))
                || project_calls(cx, &["github.com/labstack/echo/middleware.CSRF"])
                || project_text_has(cx, "CrossOriginProtection")
        }
        _ => true,
    }
}

/// Routes whose authentication is a bearer token or API key only (no cookie rides along).
fn bearer_only(cx: &Context<'_>, route: &Route) -> bool {
    let token_middleware = route.middleware.iter().any(|m| {
        let lower = m.name.to_ascii_lowercase();
        (m.roles.auth || m.roles.role)
            && (lower.contains("jwt")
                || lower.contains("token")
                || lower.contains("bearer")
                || lower.contains("apikey")
                || lower.contains("api_key"))
    });
    token_middleware
        || route.handler.is_some_and(|(m, f)| {
            let text = cx.module(m).text_of(cx.module(m).functions[f].range);
            text.contains("Authorization") || text.contains("authorization")
        })
}

/// A route whose own chain checks a token: a middleware named for CSRF or whose code reads one
/// (hand-rolled checks applied app-wide or route by route), or a handler that checks a token
/// or validates a Flask-WTF form (which carries one).
fn route_checks_token(cx: &Context<'_>, route: &Route) -> bool {
    let mentions = |module: ModuleId, range: Range| {
        let text = cx.module(module).text_of(range).to_ascii_lowercase();
        text.contains("csrf") || text.contains("x-requested-with")
    };
    route
        .middleware
        .iter()
        .any(|m| m.name.to_ascii_lowercase().contains("csrf") || mentions(m.module, m.range))
        || route.handler.is_some_and(|(m, f)| {
            let range = cx.module(m).functions[f].range;
            mentions(m, range) || cx.module(m).text_of(range).contains("validate_on_submit")
        })
}

/// Django: sessions are on by default; `CsrfViewMiddleware` missing from `MIDDLEWARE` turns the
/// protection off for every view.
fn django(cx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let mut applied = false;
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if module.language.is_javascript_family() || !module.path.contains("settings") {
            continue;
        }
        let mut found: Vec<Finding> = Vec::new();
        for function_id in 0..module.functions.len() {
            cx.index.stmts(module_id, function_id, &mut |stmt| {
                let StmtKind::Assign { target, value, .. } = &stmt.kind else {
                    return;
                };
                if !matches!(target, Pattern::Name(name) if name == "MIDDLEWARE") {
                    return;
                }
                let text = module.text_of(value.range);
                // An API without sessions or logins has no cookie to ride on.
                if !text.contains("SessionMiddleware") && !text.contains("AuthenticationMiddleware")
                {
                    return;
                }
                applied = true;
                if !text.contains("CsrfViewMiddleware") {
                    found.push(cx.finding(
                        &META,
                        module_id,
                        stmt.range,
                        "Django MIDDLEWARE has sessions but no CsrfViewMiddleware: no view \
                         checks a CSRF token",
                        "django",
                    ));
                }
            });
        }
        out.extend(found);
    }
    applied
}

/// Rails protects every `ActionController::Base` controller by default (5.2+): what turns it
/// off is the finding — `skip_before_action :verify_authenticity_token` or
/// `skip_forgery_protection` in a controller that is not an API or webhook controller, and
/// `allow_forgery_protection` / `default_protect_from_forgery` set to false outside tests.
fn rails(cx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let mut applied = false;
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if !module.language.is_ruby() {
            continue;
        }
        let in_controllers = module.path.contains("controllers/");
        let file = module.path.rsplit('/').next().unwrap_or(&module.path);
        let test_environment = file == "test.rb" || module.path.contains("spec/");
        applied |= in_controllers;
        for (function_id, function) in module.functions.iter().enumerate() {
            let class = function.class.map(|c| &module.classes[c]);
            let api_or_hook = class.is_some_and(|class| {
                class.name.as_deref().is_some_and(is_webhook)
                    || class.bases.iter().any(|base| {
                        let text = module.text_of(base.range);
                        text.contains("API") || text.contains("Api")
                    })
            }) || module.path.contains("/api/");
            cx.index.calls(module_id, function_id, &mut |e| {
                let Some((callee, args, _)) = e.as_call() else {
                    return;
                };
                let skips = match callee.as_name() {
                    Some("skip_forgery_protection") => true,
                    Some("skip_before_action" | "skip_before_filter") => args
                        .first()
                        .and_then(|a| a.value.as_str())
                        .is_some_and(|f| f == "verify_authenticity_token"),
                    _ => false,
                };
                if skips && in_controllers && !api_or_hook {
                    out.push(cx.finding(
                        &META,
                        module_id,
                        e.range,
                        format!(
                            "{} skips Rails' CSRF check: any site can post to it with the \
                             visitor's session",
                            class.and_then(|c| c.name.as_deref()).unwrap_or("this controller")
                        ),
                        "skip",
                    ));
                }
            });
            if test_environment {
                continue;
            }
            cx.index.stmts(module_id, function_id, &mut |stmt| {
                // An app's configuration (`config.action_controller.…`), not a library
                // declaring its own defaults (`self.default_protect_from_forgery = false`).
                let configured = |target: &Pattern| match target {
                    Pattern::Target(t) => match &t.kind {
                        ExprKind::Member { object, .. } => {
                            module.text_of(object.range).contains("action_controller")
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if let StmtKind::Assign { target, value, .. } = &stmt.kind
                    && matches!(
                        target.assigned_name(),
                        Some("allow_forgery_protection" | "default_protect_from_forgery")
                    )
                    && matches!(value.kind, ExprKind::Bool(false))
                    && configured(target)
                {
                    applied = true;
                    out.push(cx.finding(
                        &META,
                        module_id,
                        stmt.range,
                        "Rails' CSRF protection is turned off for the whole app",
                        "config",
                    ));
                }
            });
        }
    }
    applied
}

/// Whether a view's name says it receives webhooks (signed by their sender, exempt by design).
fn is_webhook(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["webhook", "hook", "callback", "stripe", "notify", "ipn"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Django `@csrf_exempt` (also through `method_decorator`) and Flask-WTF `@csrf.exempt` on
/// views that are not webhooks.
fn exempted_views(cx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let mut applied = false;
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if module.language.is_javascript_family() {
            continue;
        }
        let mut targets: Vec<(Option<&str>, &Expr)> = Vec::new();
        for function in &module.functions {
            for decorator in &function.decorators {
                targets.push((function.name.as_deref(), decorator));
            }
        }
        for class in &module.classes {
            for decorator in &class.decorators {
                targets.push((class.name.as_deref(), decorator));
            }
        }
        for (name, decorator) in targets {
            let exempt = match &decorator.kind {
                ExprKind::Name(n) => n == "csrf_exempt",
                ExprKind::Member { property, .. } => {
                    property == "exempt" || property == "csrf_exempt"
                }
                ExprKind::Call { callee, args, .. } => {
                    callee.method_name().or(callee.as_name()) == Some("method_decorator")
                        && args.first().is_some_and(|a| {
                            a.value.as_name() == Some("csrf_exempt")
                                || a.value.method_name() == Some("csrf_exempt")
                        })
                }
                _ => false,
            };
            if !exempt {
                continue;
            }
            applied = true;
            let qualified = cx
                .project
                .qualify(module_id, decorator, &|_| Local::Unknown)
                .unwrap_or_default();
            let csrf_related =
                qualified.contains("csrf") || module.text_of(decorator.range).contains("csrf");
            if !csrf_related || name.is_some_and(is_webhook) {
                continue;
            }
            out.push(cx.finding(
                &META,
                module_id,
                decorator.range,
                format!(
                    "{} is exempted from CSRF protection: any site can post to it with the \
                     visitor's session",
                    name.unwrap_or("this view")
                ),
                name.unwrap_or("view"),
            ));
        }
    }
    applied
}
