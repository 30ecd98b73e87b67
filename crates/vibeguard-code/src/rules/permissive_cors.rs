//! VG120 permissive-cors: CORS that allows every origin, or reflects any origin with
//! credentials.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Pattern, StmtKind};
use crate::project::Local;

/// The rule.
#[derive(Debug)]
pub struct PermissiveCors;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG120"),
    name: Cow::Borrowed("permissive-cors"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("CORS allows any origin"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[942]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The `cors` middleware with no options or `origin: '*'`, `origin: true` or an \
             origin callback that accepts everything (with `credentials: true` it reflects any \
             origin and is high severity); `Access-Control-Allow-Origin: *` or the request's \
             `Origin` set by hand; `@fastify/cors` with `origin: true`/`'*'`; Flask-CORS \
             `CORS(app)` defaults and `@cross_origin()`; Starlette/FastAPI `CORSMiddleware` \
             with `allow_origins=['*']` or a catch-all regex; django-cors-headers \
             `CORS_ALLOW_ALL_ORIGINS = True`. \
             Go: gin-contrib `cors.Default()`/`AllowAllOrigins`, rs/cors `AllowAll()`, echo `middleware.CORS()`, fiber `cors.New()` without origins, `Access-Control-Allow-Origin: *`. \
             Rails: rack-cors `origins '*'` or an `origins` block that returns true, and `Access-Control-Allow-Origin` set to `*` or the request's `Origin`. \
             `hono/cors` and `@koa/cors` (which answers the request's own Origin when none is given) read like the cors package.",
        ),
        why: Cow::Borrowed(
            "Any website can call the API from its visitors' browsers; with credentials it \
             reads their data as them (the browser sends their cookies).",
        ),
        example_bad: Cow::Borrowed("app.use(cors({ origin: true, credentials: true }));"),
        example_fixed: Cow::Borrowed(
            "app.use(cors({ origin: ['https://app.example.com'], credentials: true }));",
        ),
        fix: Cow::Borrowed(
            "List the origins that may call the API; never combine a wildcard or reflected origin with credentials.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/942.html"),
            Cow::Borrowed("https://portswigger.net/web-security/cors"),
        ]),
    },
};

fn is_true(expr: Option<&Expr>) -> bool {
    matches!(expr.map(|e| &e.kind), Some(ExprKind::Bool(true)))
}

fn is_wildcard(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Str(s) => s == "*" || s == ".*" || s == "^.*$",
        ExprKind::Bool(true) => true,
        ExprKind::Array(items) => items.iter().any(is_wildcard),
        // `origin: (origin, cb) => cb(null, true)`
        ExprKind::Function(_) => false,
        _ => false,
    }
}

fn accepts_everything(cx: &Context<'_>, module: usize, expr: &Expr) -> bool {
    if is_wildcard(expr) {
        return true;
    }
    if let ExprKind::Function(id) = expr.kind {
        let text = cx
            .module(module)
            .text_of(cx.module(module).functions[id].range);
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        return (compact.contains("(null,true)") || compact.contains("returntrue"))
            && !compact.contains("includes")
            && !compact.contains("indexOf")
            && !compact.contains("===")
            && !compact.contains("test(");
    }
    false
}

/// Reports a finding: where, whether credentials ride along, what allows every origin.
type Report<'a> = dyn Fn(&mut Vec<Finding>, crate::ir::Range, bool, &str) + 'a;

/// Go's CORS middleware: gin-contrib's `cors.Default()` and `cors.New(cors.Config{...})`, rs/cors'
/// `cors.AllowAll()` and `cors.New(cors.Options{...})`, echo's `middleware.CORS()` and
/// `CORSWithConfig`, fiber's `cors.New(...)`, gorilla's `handlers.AllowedOrigins(...)`. rs/cors,
/// echo and fiber allow every origin when none is listed; gin-contrib needs one. Returns whether
/// the call was one of them.
fn go_cors(
    cx: &Context<'_>,
    module_id: usize,
    call: &Expr,
    qualified: &str,
    args: &[crate::ir::Arg],
    report: &Report<'_>,
    out: &mut Vec<Finding>,
) -> bool {
    let module = cx.module(module_id);
    let tail = crate::language::go_qualified_tail(qualified);
    let tail = tail.as_str();
    let source = qualified.rsplit_once('.').map_or("", |(source, _)| source);
    let lenient_default = source.contains("rs/cors")
        || source.contains("gofiber")
        || source.contains("labstack/echo");
    match tail {
        "cors.Default" | "cors.AllowAll" => {
            report(out, call.range, false, "CORS allows every origin");
            true
        }
        "middleware.CORS" if source.contains("labstack/echo") => {
            report(
                out,
                call.range,
                false,
                "CORS allows every origin (no origins listed)",
            );
            true
        }
        "handlers.AllowedOrigins" => {
            if args.iter().any(|a| is_wildcard(&a.value)) {
                report(out, call.range, false, "CORS allows every origin");
            }
            true
        }
        "cors.New" | "middleware.CORSWithConfig" => {
            let options = args.first().map(|a| &a.value);
            let property = |names: &[&str]| {
                options.and_then(|o| names.iter().find_map(|name| o.property(name)))
            };
            let credentials = is_true(property(&["AllowCredentials"]));
            let origins = property(&["AllowOrigins", "AllowedOrigins"]);
            let origin_function = property(&[
                "AllowOriginFunc",
                "AllowOriginsFunc",
                "AllowOriginRequestFunc",
            ]);
            let all = is_true(property(&["AllowAllOrigins"]))
                || origins.is_some_and(|o| {
                    is_wildcard(o)
                        || o.as_str()
                            .is_some_and(|s| s.split(',').any(|p| p.trim() == "*"))
                })
                || origin_function.is_some_and(|f| {
                    let text: String = module
                        .text_of(f.range)
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    text.contains("returntrue")
                        && !text.contains("==")
                        && !text.contains("Contains")
                })
                || (origins.is_none() && origin_function.is_none() && lenient_default);
            if all {
                report(out, call.range, credentials, "CORS accepts every origin");
            }
            true
        }
        _ => false,
    }
}

impl CodeRule for PermissiveCors {
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
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            for (function_id, function) in module.functions.iter().enumerate() {
                let function_text = module.text_of(function.range);
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else { return };
                    let qualified = cx.index.qualified(module_id, callee);
                    let report = |out: &mut Vec<Finding>, range, credentials: bool, what: &str| {
                        let (severity, message) = if credentials {
                            (Severity::High, format!("{what} with credentials: any website can read users' data as them"))
                        } else {
                            (Severity::Medium, format!("{what}: any website can call the API"))
                        };
                        out.push(cx.finding(&META, module_id, range, message, what).with_severity(severity));
                    };
                    if module.language.is_go() && go_cors(cx, module_id, e, qualified, args, &report, out) {
                        return;
                    }
                    // rack-cors: `allow do origins '*' … end`, or an `origins { |source, env| true }`
                    // block that accepts any origin (reflected; with `credentials: true` on
                    // a resource of the same `allow`).
                    if module.language.is_ruby() && callee.as_name() == Some("origins") && module.text.contains("Rack::Cors") {
                        let block_accepts_all = args.iter().any(|a| match a.value.kind {
                            ExprKind::Function(id) => module.text_of(module.functions[id].range).trim_start_matches('{').trim_start_matches("do").trim_end_matches('}').trim_end_matches("end").split('|').next_back().is_some_and(|body| body.trim() == "true"),
                            _ => false,
                        });
                        let wildcard = args.iter().any(|a| is_wildcard(&a.value) || module.text_of(a.value.range) == "/.*/");
                        if block_accepts_all || wildcard {
                            let credentials = block_accepts_all && function_text.contains("credentials: true");
                            report(out, e.range, credentials, "rack-cors allows every origin");
                        }
                        return;
                    }
                    // cors(), cors({ origin: '*' }), fastify.register(cors, {...})
                    // Hono's `cors()` and @koa/cors (which answers each request's own Origin
                    // when none is given) read like the cors package.
                    let options = if matches!(qualified, "cors" | "cors.default" | "hono/cors.cors" | "@koa/cors" | "@koa/cors.default" | "koa-cors" | "koa2-cors") {
                        Some(args.first().map(|a| &a.value))
                    } else if callee.method_name() == Some("register")
                        && args.first().is_some_and(|a| cx.project.qualify(module_id, &a.value, &|_| Local::Unknown).is_some_and(|q| q.contains("cors")))
                    {
                        Some(args.get(1).map(|a| &a.value))
                    } else {
                        None
                    };
                    if let Some(options) = options {
                        let origin = options.and_then(|o| o.property("origin"));
                        let credentials = is_true(options.and_then(|o| o.property("credentials")));
                        match origin {
                            None if options.is_none_or(|o| matches!(o.kind, ExprKind::Object(_))) => {
                                report(out, e.range, false, "CORS allows every origin (no origin option)")
                            }
                            Some(origin) if accepts_everything(cx, module_id, origin) => {
                                let reflected = !matches!(origin.as_str(), Some("*"));
                                report(out, e.range, credentials && reflected, "CORS accepts every origin")
                            }
                            _ => {}
                        }
                        return;
                    }
                    // Flask-CORS
                    if qualified == "flask_cors.CORS" || qualified == "flask_cors.cross_origin" {
                        let origins = Expr::option(args, "origins").or_else(|| Expr::option(args, "resources").and_then(|r| if let ExprKind::Object(_) = r.kind { None } else { Some(r) }));
                        let restricted = Expr::option(args, "resources").is_some() && origins.is_none() && {
                            let text = module.text_of(e.range);
                            !text.contains("\"origins\": \"*\"") && !text.contains("'origins': '*'")
                        };
                        if restricted {
                            return;
                        }
                        if origins.is_none_or(is_wildcard) {
                            report(out, e.range, is_true(Expr::option(args, "supports_credentials")), "Flask-CORS allows every origin");
                        }
                        return;
                    }
                    // app.add_middleware(CORSMiddleware, allow_origins=['*']), and Starlette's
                    // `middleware=[Middleware(CORSMiddleware, ...)]`.
                    if (callee.method_name() == Some("add_middleware") || callee.as_name() == Some("Middleware")) && args.first().is_some_and(|a| module.text_of(a.value.range).contains("CORSMiddleware")) {
                        let wildcard = Expr::option(args, "allow_origins").is_some_and(is_wildcard) || Expr::option(args, "allow_origin_regex").is_some_and(is_wildcard);
                        if wildcard {
                            report(out, e.range, is_true(Expr::option(args, "allow_credentials")), "CORSMiddleware allows every origin");
                        }
                        return;
                    }
                    // res.setHeader('Access-Control-Allow-Origin', '*' | req.headers.origin)
                    if matches!(callee.method_name(), Some("setHeader" | "header" | "set" | "append" | "Set" | "Add" | "Header"))
                        && args.first().and_then(|a| a.value.as_str()).is_some_and(|h| h.eq_ignore_ascii_case("access-control-allow-origin"))
                        && let Some(value) = args.get(1).map(|a| &a.value)
                    {
                        let text = module.text_of(value.range).to_ascii_lowercase();
                        let reflected = text.contains("origin") && (text.contains("req.") || text.contains("request.") || text.contains("headers") || text.contains("header.get") || text.contains("getheader("));
                        if value.as_str() == Some("*") || reflected {
                            let credentials = function_text.contains("Access-Control-Allow-Credentials");
                            report(out, e.range, credentials && reflected, if reflected { "Access-Control-Allow-Origin reflects the request's Origin" } else { "Access-Control-Allow-Origin: *" });
                        }
                    }
                });
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    // django-cors-headers; `response.headers['Access-Control-Allow-Origin'] = '*'`
                    let StmtKind::Assign { target, value, .. } = &stmt.kind else {
                        return;
                    };
                    let key = match target {
                        Pattern::Name(name) => name.clone(),
                        Pattern::Target(t) => match &t.kind {
                            ExprKind::Index { index, .. } => {
                                index.as_str().unwrap_or("").to_string()
                            }
                            _ => return,
                        },
                        _ => return,
                    };
                    let wildcard_setting = matches!(
                        key.as_str(),
                        "CORS_ALLOW_ALL_ORIGINS" | "CORS_ORIGIN_ALLOW_ALL"
                    ) && matches!(value.kind, ExprKind::Bool(true));
                    let reflected = {
                        let text = module.text_of(value.range).to_ascii_lowercase();
                        text.contains("origin")
                            && (text.contains("request.") || text.contains("headers["))
                    };
                    let wildcard_header = key.eq_ignore_ascii_case("access-control-allow-origin")
                        && (value.as_str() == Some("*") || reflected);
                    if wildcard_setting || wildcard_header {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            stmt.range,
                            format!("{key} allows every origin: any website can call the API"),
                            &key,
                        ));
                    }
                });
            }
        }
        super::any_code(cx)
    }
}
