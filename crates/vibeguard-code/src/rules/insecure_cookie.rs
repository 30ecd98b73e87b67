//! VG119 insecure-cookie: session and token cookies without Secure, HttpOnly or SameSite.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, StmtKind};
use crate::naming;

/// The rule.
#[derive(Debug)]
pub struct InsecureCookie;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG119"),
    name: Cow::Borrowed("insecure-cookie"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Session or token cookie without Secure, HttpOnly or SameSite"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[614, 1004, 1275]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Tls04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Cookies whose name says they carry a session or token, set by Express \
             `res.cookie`, Next.js `cookies().set` / `response.cookies.set`, Flask, Django and \
             FastAPI `set_cookie`, without `httpOnly`, `secure` or `sameSite` (the frameworks' \
             defaults differ: Flask, Django and FastAPI default to no HttpOnly); \
             express-session and cookie-session without a `secure` cookie; aiohttp_session \
             storages without `secure=True`/`samesite`, with `httponly=False`, or the unsigned \
             `SimpleCookieStorage`; and settings that turn the protections off \
             (`SESSION_COOKIE_SECURE = False`, `SESSION_COOKIE_HTTPONLY = False`, also through \
             `app.config.update(...)`). \
             Go: `http.Cookie` literals, echo's and fiber's cookies, gin's `SetCookie`. \
             Rails: `cookies[:remember_token] = value` (not HttpOnly, not Secure) or a hash without `httponly:`/`secure:`, `same_site: :none`, and `session_store` with `secure: false` or `httponly: false`. \
             koa-session without `secure`/`sameSite`.",
        ),
        why: Cow::Borrowed(
            "Without HttpOnly any injected script reads the session; without Secure it travels \
             over plain HTTP where anyone on the network copies it; without SameSite other \
             sites send it along with forged requests.",
        ),
        example_bad: Cow::Borrowed("res.cookie('token', token);"),
        example_fixed: Cow::Borrowed(
            "res.cookie('token', token, { httpOnly: true, secure: true, sameSite: 'lax', maxAge: 15 * 60 * 1000 });",
        ),
        fix: Cow::Borrowed(
            "Set `httpOnly`, `secure` and `sameSite` on every session and token cookie.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/614.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#cookies",
            ),
        ]),
    },
};

fn is_session_cookie(name: &str) -> bool {
    let words = naming::words(name);
    naming::is_token_name(name)
        || words.iter().any(|w| {
            matches!(
                w.as_str(),
                "session"
                    | "sess"
                    | "sid"
                    | "token"
                    | "jwt"
                    | "auth"
                    | "remember"
                    | "refresh"
                    | "access"
                    | "login"
                    | "connect"
            )
        })
}

/// Whether an option is set to something other than `false` (a condition counts as set).
fn set(value: Option<&Expr>) -> bool {
    value.is_some_and(|v| {
        !matches!(v.kind, ExprKind::Bool(false) | ExprKind::Null)
            && v.as_str() != Some("none")
            && v.as_str() != Some("None")
    })
}

/// Go: `http.SetCookie(w, &http.Cookie{...})`, echo's `c.SetCookie(cookie)`, fiber's
/// `c.Cookie(&fiber.Cookie{...})` (the literal, or the variable it was built in), and gin's
/// `c.SetCookie(name, value, maxAge, path, domain, secure, httpOnly)`. The cookie's name and
/// the protections it lacks; `None` when the call sets no cookie or its fields are unknown.
fn go_cookie(
    module: &crate::ir::Module,
    call: &Expr,
    qualified: &str,
    method: &str,
    args: &[crate::ir::Arg],
) -> Option<(String, Vec<&'static str>)> {
    let tail = crate::language::go_qualified_tail(qualified);
    let tail = tail.as_str();
    let mut missing = Vec::new();
    if method == "SetCookie" && args.len() == 7 {
        // gin: SameSite is set apart (`c.SetSameSite`).
        let name = args[0].value.as_str()?.to_string();
        if !set(Some(&args[6].value)) {
            missing.push("HttpOnly");
        }
        if !set(Some(&args[5].value)) {
            missing.push("Secure");
        }
        return Some((name, missing));
    }
    let literal = match (tail, method) {
        ("http.SetCookie", _) => args.get(1),
        (_, "SetCookie" | "Cookie") if args.len() == 1 => args.first(),
        _ => None,
    }?;
    let function = super::enclosing_function(module, call.range);
    let cookie = crate::scope::resolve_value(module, function, &literal.value);
    if !matches!(cookie.kind, ExprKind::Object(_)) {
        return None;
    }
    let name = cookie.property("Name").and_then(Expr::as_str)?.to_string();
    if !set(cookie
        .property("HttpOnly")
        .or_else(|| cookie.property("HTTPOnly")))
    {
        missing.push("HttpOnly");
    }
    if !set(cookie.property("Secure")) {
        missing.push("Secure");
    }
    let same_site = cookie.property("SameSite");
    if !set(same_site)
        || same_site
            .and_then(|s| s.member_path())
            .is_some_and(|p| p.last() == Some(&"SameSiteNoneMode"))
    {
        missing.push("SameSite");
    }
    Some((name, missing))
}

/// Framework settings that turn a session cookie protection on (`SESSION_COOKIE_SECURE`).
fn is_cookie_setting(key: &str) -> bool {
    matches!(
        key,
        "SESSION_COOKIE_SECURE"
            | "SESSION_COOKIE_HTTPONLY"
            | "CSRF_COOKIE_SECURE"
            | "SESSION_COOKIE_SAMESITE"
            | "REMEMBER_COOKIE_SECURE"
            | "REMEMBER_COOKIE_HTTPONLY"
            | "JWT_COOKIE_SECURE"
    )
}

/// Rails: `cookies[:remember_token] = token` (or through `cookies.permanent`, `.signed`,
/// `.encrypted`) — a plain value is neither HttpOnly nor Secure — or `= { value: …, httponly:
/// …, secure: …, same_site: … }`; Rack's `response.set_cookie(name, { … })`; and a session
/// store configured with `secure: false`, `httponly: false` or `same_site: :none`. Returns
/// whether the module sets or configures cookies.
fn rails_cookies(cx: &Context<'_>, module_id: usize, out: &mut Vec<Finding>) -> bool {
    let module = cx.module(module_id);
    let mut any_cookie = false;
    let judge = |name: &str, options: Option<&Expr>, range, out: &mut Vec<Finding>| {
        let mut missing = Vec::new();
        let option = |key: &str| options.and_then(|o| o.property(key));
        if !set(option("httponly")) {
            missing.push("HttpOnly");
        }
        if !set(option("secure")) {
            missing.push("Secure");
        }
        if option("same_site").and_then(Expr::as_str) == Some("none") {
            missing.push("SameSite");
        }
        if !missing.is_empty() {
            let name = format!("cookie '{name}'");
            out.push(cx.finding(
                &META,
                module_id,
                range,
                format!("{name} is set without {}", missing.join(", ")),
                &name,
            ));
        }
    };
    for function_id in 0..module.functions.len() {
        cx.index.stmts(module_id, function_id, &mut |stmt| {
            let StmtKind::Assign {
                target: crate::ir::Pattern::Target(target),
                value,
                ..
            } = &stmt.kind
            else {
                return;
            };
            let ExprKind::Index { object, index } = &target.kind else {
                return;
            };
            let jar = module.text_of(object.range);
            if !(jar == "cookies" || jar.starts_with("cookies.")) {
                return;
            }
            any_cookie = true;
            let Some(name) = index.as_str() else {
                return;
            };
            if !is_session_cookie(name) || matches!(value.kind, ExprKind::Null) {
                return;
            }
            let options = matches!(value.kind, ExprKind::Object(_)).then_some(value);
            judge(name, options, stmt.range, out);
        });
        cx.index.calls(module_id, function_id, &mut |e| {
            let Some((callee, args, _)) = e.as_call() else {
                return;
            };
            match callee.method_name().or(callee.as_name()) {
                Some("set_cookie") => {
                    any_cookie = true;
                    if let Some(name) = args.first().and_then(|a| a.value.as_str())
                        && is_session_cookie(name)
                    {
                        let options = args.get(1).map(|a| &a.value);
                        judge(name, options, e.range, out);
                    }
                }
                Some("session_store") => {
                    any_cookie = true;
                    let off = |key: &str| {
                        Expr::option(args, key).is_some_and(|v| {
                            matches!(v.kind, ExprKind::Bool(false) | ExprKind::Null)
                        })
                    };
                    let mut missing = Vec::new();
                    if off("secure") {
                        missing.push("Secure");
                    }
                    if off("httponly") {
                        missing.push("HttpOnly");
                    }
                    if Expr::option(args, "same_site").and_then(Expr::as_str) == Some("none") {
                        missing.push("SameSite");
                    }
                    if !missing.is_empty() {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            e.range,
                            format!(
                                "session cookie store configured without {}",
                                missing.join(", ")
                            ),
                            "session_store",
                        ));
                    }
                }
                _ => {}
            }
        });
    }
    any_cookie
}

impl CodeRule for InsecureCookie {
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
        // TLS-04 passes only on code that sets or configures cookies; otherwise the API engine
        // (which sees the real Set-Cookie headers) is the one to judge it.
        let mut any_cookie = false;
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            if module.language.is_ruby() {
                any_cookie |= rails_cookies(cx, module_id, out);
                continue;
            }
            let python = !module.language.is_javascript_family();
            for function_id in 0..module.functions.len() {
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else {
                        return;
                    };
                    let qualified = cx.index.qualified(module_id, callee);
                    let method = callee.method_name().unwrap_or("");
                    let mut missing = Vec::new();
                    let name: String;
                    if module.language.is_go() {
                        let Some((cookie_name, go_missing)) = go_cookie(module, e, qualified, method, args) else {
                            return;
                        };
                        any_cookie = true;
                        if !is_session_cookie(&cookie_name) {
                            return;
                        }
                        missing = go_missing;
                        name = format!("cookie '{cookie_name}'");
                    } else if qualified == "express-session"
                        || qualified == "cookie-session"
                        || qualified == "express-session.default"
                        || qualified == "koa-session"
                        || qualified == "koa-session.default"
                    {
                        let cookie = args.first().and_then(|o| o.value.property("cookie"));
                        // cookie-session and koa-session take the cookie's flags at the top.
                        let options = if qualified.starts_with("cookie-session") || qualified.starts_with("koa-session") {
                            args.first().map(|a| &a.value)
                        } else {
                            cookie
                        };
                        if !set(options.and_then(|o| o.property("secure"))) {
                            missing.push("Secure");
                        }
                        if options
                            .and_then(|o| o.property("httpOnly"))
                            .is_some_and(|v| matches!(v.kind, ExprKind::Bool(false)))
                        {
                            missing.push("HttpOnly");
                        }
                        if !set(options.and_then(|o| o.property("sameSite"))) {
                            missing.push("SameSite");
                        }
                        name = "session cookie".into();
                    } else if (method == "cookie"
                        && !python
                        && callee.member_path().is_none_or(|p| p.len() <= 3))
                        || (method == "set" && module.text_of(callee.range).contains("cookies"))
                    {
                        // res.cookie(name, value, options) / cookies().set(name, value, options)
                        let first = args.first().map(|a| &a.value);
                        let (cookie_name, options) = match first.map(|f| &f.kind) {
                            Some(ExprKind::Object(_)) => (
                                first
                                    .and_then(|f| f.property("name"))
                                    .and_then(Expr::as_str),
                                first,
                            ),
                            _ => (first.and_then(Expr::as_str), args.get(2).map(|a| &a.value)),
                        };
                        let Some(cookie_name) = cookie_name else {
                            return;
                        };
                        if !is_session_cookie(cookie_name) {
                            return;
                        }
                        if !set(options.and_then(|o| o.property("httpOnly"))) {
                            missing.push("HttpOnly");
                        }
                        if !set(options.and_then(|o| o.property("secure"))) {
                            missing.push("Secure");
                        }
                        if !set(options.and_then(|o| o.property("sameSite"))) {
                            missing.push("SameSite");
                        }
                        name = format!("cookie '{cookie_name}'");
                    } else if python
                        && qualified.starts_with("aiohttp_session")
                        && qualified.ends_with("Storage")
                    {
                        // aiohttp_session's storages: HttpOnly by default, Secure and
                        // SameSite only when asked; `SimpleCookieStorage` keeps the session
                        // readable and editable in the cookie itself.
                        let storage = qualified.rsplit('.').next().unwrap_or("");
                        if storage == "SimpleCookieStorage" {
                            missing.push("a signature (SimpleCookieStorage: the client can edit the session)");
                        }
                        if Expr::option(args, "httponly")
                            .is_some_and(|v| matches!(v.kind, ExprKind::Bool(false)))
                        {
                            missing.push("HttpOnly");
                        }
                        if !set(Expr::option(args, "secure")) {
                            missing.push("Secure");
                        }
                        if !set(Expr::option(args, "samesite")) {
                            missing.push("SameSite");
                        }
                        name = format!("aiohttp_session {storage} cookie");
                    } else if matches!(method, "update" | "from_mapping") && python {
                        // `app.config.update(SESSION_COOKIE_SECURE=False)`
                        for arg in args {
                            if let Some(key) = arg.name.as_deref()
                                && is_cookie_setting(key)
                                && matches!(arg.value.kind, ExprKind::Bool(false) | ExprKind::Null)
                            {
                                any_cookie = true;
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    e.range,
                                    format!("{key} turned off: session cookies lose that protection"),
                                    key,
                                ));
                            }
                        }
                        return;
                    } else if method == "set_cookie" && python {
                        let cookie_name = Expr::option(args, "key")
                            .or_else(|| args.first().filter(|a| a.name.is_none()).map(|a| &a.value))
                            .and_then(Expr::as_str);
                        let Some(cookie_name) = cookie_name else {
                            return;
                        };
                        if !is_session_cookie(cookie_name) {
                            return;
                        }
                        if !set(Expr::option(args, "httponly")) {
                            missing.push("HttpOnly");
                        }
                        if !set(Expr::option(args, "secure")) {
                            missing.push("Secure");
                        }
                        if !set(Expr::option(args, "samesite")) && !qualified.contains("fastapi") {
                            missing.push("SameSite");
                        }
                        name = format!("cookie '{cookie_name}'");
                    } else {
                        return;
                    }
                    any_cookie = true;
                    if !missing.is_empty() {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            e.range,
                            format!("{name} is set without {}", missing.join(", ")),
                            &name,
                        ));
                    }
                });
                // SESSION_COOKIE_SECURE = False, app.config['SESSION_COOKIE_HTTPONLY'] = False
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    let StmtKind::Assign { target, value, .. } = &stmt.kind else {
                        return;
                    };
                    let Some(key) = target.assigned_name() else {
                        return;
                    };
                    any_cookie |= key.contains("_COOKIE_");
                    let off = matches!(value.kind, ExprKind::Bool(false) | ExprKind::Null);
                    if off && is_cookie_setting(key) {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            stmt.range,
                            format!("{key} turned off: session cookies lose that protection"),
                            key,
                        ));
                    }
                });
            }
        }
        if any_cookie {
            Applicability::Applied
        } else {
            Applicability::Absent("no cookies set or configured in the code")
        }
    }
}
