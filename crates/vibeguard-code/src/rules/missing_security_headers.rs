//! VG121 missing-security-headers: a web app with no security-headers middleware and no
//! security headers set by hand.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, project_calls};
use crate::flow::Hit;
use crate::ir::{ExprKind, Pattern, StmtKind};
use crate::project::Local;

/// The rule.
#[derive(Debug)]
pub struct MissingSecurityHeaders;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG121"),
    name: Cow::Borrowed("missing-security-headers"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("No security headers middleware"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[693, 1021]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api06, ChecklistId::Tls02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "An Express, Fastify, Flask, FastAPI, aiohttp or Go (gin, echo, fiber, chi, gorilla/mux, \
             net/http) app created in the code, or a Django project, with no security-headers \
             middleware (helmet, @fastify/helmet, Flask-Talisman, `secure`, Django's \
             `SecurityMiddleware` and `XFrameOptionsMiddleware`, unrolled/secure, \
             gin-contrib/secure, echo's `middleware.Secure()`, fiber's helmet) and no \
             Content-Security-Policy, X-Frame-Options, Strict-Transport-Security or \
             X-Content-Type-Options header set by hand anywhere in the project. \
             Rails (headers on by default): `default_headers` emptied or without X-Frame-Options/X-Content-Type-Options, and a production environment without `config.force_ssl = true` (no HSTS). \
             Koa (`new Koa()` without koa-helmet) and Hono (`new Hono()` without `hono/secure-headers`) apps.",
        ),
        why: Cow::Borrowed(
            "Without these headers browsers frame the app for clickjacking, guess content types \
             into scripts, allow any script source for an XSS, and downgrade to HTTP.",
        ),
        example_bad: Cow::Borrowed("const app = express();\napp.use(express.json());"),
        example_fixed: Cow::Borrowed(
            "const app = express();\napp.use(helmet());\napp.use(express.json());",
        ),
        fix: Cow::Borrowed(
            "Add the framework's security-headers middleware (helmet, @fastify/helmet, \
             Flask-Talisman, Django SecurityMiddleware) and review its CSP.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://owasp.org/www-project-secure-headers/"),
            Cow::Borrowed("https://helmetjs.github.io/"),
        ]),
    },
};

const HEADERS: &[&str] = &[
    "content-security-policy",
    "x-frame-options",
    "strict-transport-security",
    "x-content-type-options",
];

/// Whether the project names at least two of the headers anywhere (a header middleware in one
/// module, a constants module, an `after_request` hook in another).
fn sets_headers_by_hand(cx: &Context<'_>) -> bool {
    let mut named = [false; HEADERS.len()];
    for module in &cx.project.modules {
        let lower = module.text.to_ascii_lowercase();
        for (seen, header) in named.iter_mut().zip(HEADERS) {
            *seen |= lower.contains(header);
        }
    }
    named.iter().filter(|seen| **seen).count() >= 2
}

/// The Go routers an app is made of.
const GO_ROUTERS: &[&str] = &["gin", "echo", "fiber", "chi", "gorilla/mux", "net/http"];

/// Rails: `config.action_dispatch.default_headers = {}` (or a hash without X-Frame-Options and
/// X-Content-Type-Options), `default_headers.clear`, `default_headers.delete('X-Frame-Options')`.
fn rails_headers_removed(module: &crate::ir::Module, stmt: &crate::ir::Stmt) -> Option<String> {
    match &stmt.kind {
        StmtKind::Assign {
            target: Pattern::Target(target),
            value,
            ..
        } if module.text_of(target.range).ends_with("default_headers") => {
            let text = module.text_of(value.range).to_ascii_lowercase();
            (!text.contains("x-frame-options") && !text.contains("x-content-type-options")).then(
                || {
                    "default_headers replaced without X-Frame-Options or X-Content-Type-Options"
                        .to_string()
                },
            )
        }
        StmtKind::Expr(e) => {
            let (callee, args, _) = e.as_call()?;
            let ExprKind::Member { object, property } = &callee.kind else {
                return None;
            };
            if !module.text_of(object.range).ends_with("default_headers") {
                return None;
            }
            match property.as_str() {
                "clear" => Some("default_headers.clear".to_string()),
                "delete" => {
                    let header = args.first()?.value.as_str()?;
                    matches!(
                        header.to_ascii_lowercase().as_str(),
                        "x-frame-options" | "x-content-type-options"
                    )
                    .then(|| format!("default_headers.delete('{header}')"))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Rails sends Strict-Transport-Security only under `config.force_ssl = true`: a production
/// environment that does not set it (or sets it false, or `ssl_options = { hsts: false }`)
/// lets browsers reach the app over plain HTTP.
fn rails_force_ssl(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if !module.language.is_ruby() || !module.path.ends_with("config/environments/production.rb")
        {
            continue;
        }
        let mut forced = false;
        let mut turned_off = None;
        let mut first = None;
        for function in &module.functions {
            function.walk_stmts(&mut |stmt| {
                first = first.or(Some(stmt.range));
                let StmtKind::Assign {
                    target: Pattern::Target(target),
                    value,
                    ..
                } = &stmt.kind
                else {
                    return;
                };
                match target.member_path().and_then(|p| p.last().copied()) {
                    Some("force_ssl") if matches!(value.kind, ExprKind::Bool(true)) => {
                        forced = true
                    }
                    Some("force_ssl") => {
                        turned_off = Some((stmt.range, "config.force_ssl is false"))
                    }
                    Some("ssl_options") if module.text_of(value.range).contains("hsts: false") => {
                        turned_off = Some((stmt.range, "ssl_options turn HSTS off"))
                    }
                    _ => {}
                }
            });
        }
        let finding = match turned_off {
            Some((range, what)) => Some((range, what)),
            None if !forced => {
                first.map(|range| (range, "production does not set config.force_ssl = true"))
            }
            None => None,
        };
        if let Some((range, what)) = finding {
            out.push(cx.finding(
                &META,
                module_id,
                range,
                format!("Rails app without Strict-Transport-Security: {what}"),
                "force_ssl",
            ));
        }
    }
}

impl CodeRule for MissingSecurityHeaders {
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
        let mut apps = Vec::new();
        let mut django_middleware = Vec::new();
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            let mut statements = Vec::new();
            for function_id in 0..module.functions.len() {
                cx.index
                    .stmts(module_id, function_id, &mut |stmt| statements.push(stmt));
            }
            for stmt in statements {
                // Rails sends X-Frame-Options, X-Content-Type-Options and Referrer-Policy by
                // default (`config.action_dispatch.default_headers`): only emptying them, or
                // deleting those, takes them away.
                if module.language.is_ruby() {
                    if let Some(what) = rails_headers_removed(module, stmt) {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            stmt.range,
                            format!("Rails' default security headers removed ({what})"),
                            "rails",
                        ));
                    }
                    continue;
                }
                let StmtKind::Assign { target, value, .. } = &stmt.kind else {
                    continue;
                };
                if let Pattern::Name(name) = target
                    && name == "MIDDLEWARE"
                    && module.path.contains("settings")
                {
                    django_middleware.push((
                        module_id,
                        stmt.range,
                        module.text_of(value.range).to_string(),
                    ));
                    continue;
                }
                if !matches!(value.kind, ExprKind::Call { .. }) {
                    continue;
                }
                let qualified = cx
                    .project
                    .qualify(module_id, value, &|_| Local::Unknown)
                    .unwrap_or_default();
                // Go: the app's first router (its sub-routers share its middleware).
                let go_tail = crate::language::go_qualified_tail(&qualified);
                let go_tail = go_tail.as_str();
                let framework = match go_tail {
                    "gin.Default()" | "gin.New()" => "gin",
                    "echo.New()" => "echo",
                    "fiber.New()" => "fiber",
                    "chi.NewRouter()" => "chi",
                    "mux.NewRouter()" => "gorilla/mux",
                    "http.NewServeMux()" => "net/http",
                    _ => "",
                };
                if !framework.is_empty() {
                    if !apps.iter().any(|(_, _, f)| GO_ROUTERS.contains(f)) {
                        apps.push((module_id, value.range, framework));
                    }
                    continue;
                }
                let framework = match qualified.as_str() {
                    "express()" | "express.default()" => "Express",
                    "hono.Hono()" => "Hono",
                    "koa()" | "koa.default()" => "Koa",
                    "fastify()" | "fastify.default()" | "fastify.fastify()" => "Fastify",
                    "flask.Flask()" => "Flask",
                    "fastapi.FastAPI()" => "FastAPI",
                    "aiohttp.web.Application()" => "aiohttp",
                    "sanic.Sanic()" => "Sanic",
                    "bottle.Bottle()" => "Bottle",
                    "starlette.applications.Starlette()" => "Starlette",
                    _ => continue,
                };
                apps.push((module_id, value.range, framework));
            }
        }
        let rails = cx
            .routes
            .frameworks
            .contains(&crate::routes::Framework::Rails)
            || cx.project.modules.iter().any(|m| {
                m.language.is_ruby()
                    && (m.path.ends_with("config/application.rb")
                        || m.path.ends_with("config/environments/production.rb"))
            });
        if apps.is_empty() && django_middleware.is_empty() && !rails {
            return Applicability::NotApplicable("no web app created in the code");
        }
        rails_force_ssl(cx, out);
        let by_hand = sets_headers_by_hand(cx);
        for (module_id, range, framework) in apps {
            let protected = by_hand
                || match framework {
                    "Express" => {
                        project_calls(cx, &["helmet", "lusca", "express-security-headers"])
                    }
                    // hono/secure-headers; koa-helmet (or helmet through koa-connect).
                    "Hono" => project_calls(cx, &["hono/secure-headers"]),
                    "Koa" => project_calls(cx, &["koa-helmet", "helmet"]),
                    "Fastify" => cx
                        .project
                        .modules
                        .iter()
                        .any(|m| m.imports.iter().any(|i| i.source.contains("helmet"))),
                    "Flask" => project_calls(cx, &["flask_talisman", "secure.", "flask_seasurf"]),
                    // unrolled/secure, gin-contrib/secure, gin-helmet, fiber's helmet, echo's
                    // `middleware.Secure()`.
                    go if GO_ROUTERS.contains(&go) => {
                        cx.project.modules.iter().any(|m| {
                            m.language.is_go()
                                && m.imports.iter().any(|i| {
                                    i.source.ends_with("/secure") || i.source.contains("helmet")
                                })
                        }) || project_calls(cx, &["github.com/labstack/echo/middleware.Secure"])
                    }
                    "FastAPI" | "aiohttp" | "Sanic" | "Bottle" | "Starlette" => {
                        project_calls(
                            cx,
                            &["secure.", "starlette_csp", "fastapi_security_headers"],
                        ) || cx
                            .project
                            .modules
                            .iter()
                            .any(|m| m.imports.iter().any(|i| i.source.starts_with("secure")))
                    }
                    _ => false,
                };
            if !protected {
                out.push(cx.finding(&META, module_id, range, format!("{framework} app without security headers (CSP, X-Frame-Options, HSTS, nosniff)"), framework));
            }
        }
        for (module_id, range, text) in django_middleware {
            let mut missing = Vec::new();
            if !text.contains("SecurityMiddleware") {
                missing.push("SecurityMiddleware");
            }
            if !text.contains("XFrameOptionsMiddleware") {
                missing.push("XFrameOptionsMiddleware");
            }
            if !missing.is_empty() && !by_hand {
                out.push(cx.finding(
                    &META,
                    module_id,
                    range,
                    format!("Django MIDDLEWARE lacks {}", missing.join(" and ")),
                    "django",
                ));
            }
        }
        Applicability::Applied
    }
}
