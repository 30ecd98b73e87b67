//! VG115 hardcoded-signing-secret: the key that signs tokens or sessions is written in the code.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, enclosing_function};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Module, StmtKind};
use crate::language::Language;
use crate::project::{Local, Symbol};

/// The rule.
#[derive(Debug)]
pub struct HardcodedSigningSecret;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG115"),
    name: Cow::Borrowed("hardcoded-signing-secret"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Token or session signing secret written in the code"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[798, 321]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth07, ChecklistId::Data04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A literal — or a literal fallback such as `process.env.JWT_SECRET || 'secret'`, \
             `os.getenv('SECRET_KEY', 'dev')` — used as the key of `jwt.sign`/`jwt.verify`, \
             PyJWT `encode`/`decode`, ruby-jwt `JWT.encode`/`decode`, express-session and \
             cookie-session `secret`/`keys`, cookie-parser, Flask/Django `SECRET_KEY` and Rails' \
             `secret_key_base`. A dotted setting name (`\"action_dispatch.secret_key_base\"`) is \
             not a key. \
             Go: `SignedString([]byte(\"…\"))` and a literal returned by a `jwt.Parse` key function. Test files are skipped.",
        ),
        why: Cow::Borrowed(
            "Whoever reads the repository (or a leaked copy of it) can sign tokens and session \
             cookies for any user, admin included. Fallback secrets end up in production when \
             an environment variable is missing.",
        ),
        example_bad: Cow::Borrowed(
            "jwt.sign(payload, process.env.JWT_SECRET || 'supersecret');\napp.config['SECRET_KEY'] = 'dev'",
        ),
        example_fixed: Cow::Borrowed(
            "const secret = process.env.JWT_SECRET;\nif (!secret) throw new Error('JWT_SECRET is not set');\njwt.sign(payload, secret, { expiresIn: '15m' });",
        ),
        fix: Cow::Borrowed(
            "Read signing secrets from the environment or a secrets manager, fail at start-up \
             when they are missing, and rotate any secret that was committed.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/798.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// Whether a file is a test, fixture or example (their secrets are not production's).
pub(crate) fn is_test_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("/test/")
        || lower.contains("/tests/")
        || lower.starts_with("test/")
        || lower.starts_with("tests/")
        || lower.contains("__tests__")
        || lower.contains(".test.")
        || lower.contains(".spec.")
        || lower.contains("/fixtures/")
        || lower.ends_with("conftest.py")
        || lower.ends_with("_test.go")
        || lower
            .rsplit('/')
            .next()
            .is_some_and(|name| name.starts_with("test_"))
}

/// The literal a key expression holds or falls back to: `'x'`, `SECRET` (a constant),
/// `process.env.X || 'x'`, `os.environ.get('X', 'x')`, `os.getenv('X', 'x')`.
/// A dotted path of lower-case words (`action_dispatch.secret_key_base`, `app.jwt.secret`):
/// the name of where a secret lives, not a secret.
fn names_a_setting(text: &str) -> bool {
    text.contains('.')
        && text.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-')
        })
}

pub(crate) fn literal_key<'m>(
    cx: &Context<'m>,
    module: usize,
    function: usize,
    expr: &'m Expr,
) -> Option<&'m str> {
    let m: &'m Module = &cx.project.modules[module];
    literal_key_in(cx, m, module, function, expr, 0)
}

fn literal_key_in<'m>(
    cx: &Context<'m>,
    m: &'m Module,
    module: usize,
    function: usize,
    expr: &'m Expr,
    depth: u32,
) -> Option<&'m str> {
    if depth > 4 {
        return None;
    }
    match &expr.kind {
        // `SECRET_KEY_BASE = "action_dispatch.secret_key_base"` names a setting; a key is not
        // lower-case words joined by dots.
        ExprKind::Str(text) if !text.is_empty() && !names_a_setting(text) => Some(text),
        ExprKind::Binary { op, right, .. } if matches!(*op, "||" | "??" | "or") => {
            literal_key_in(cx, m, module, function, right, depth + 1)
        }
        // Go: `[]byte("secret")`.
        ExprKind::Call { callee, args, .. }
            if m.language.is_go() && matches!(callee.as_name(), Some("[]byte" | "string")) =>
        {
            literal_key_in(cx, m, module, function, &args.first()?.value, depth + 1)
        }
        ExprKind::Call { callee, args, .. } => {
            let q = cx.index.qualified(module, callee);
            if matches!(
                q,
                "os.environ.get" | "os.getenv" | "environ.get" | "config" | "env"
            ) || q.ends_with("environ.get")
            {
                args.get(1)
                    .and_then(|a| a.value.as_str())
                    .filter(|s| !s.is_empty())
            } else {
                None
            }
        }
        // `config.jwtSecret` where config is a module exporting `{ jwtSecret: ... }`
        ExprKind::Member { .. } => {
            match cx
                .project
                .symbol_of_expr(module, expr, &|_| Local::Unknown, 0)?
            {
                Symbol::Value(owner, value) => {
                    let owner_module: &'m Module = &cx.project.modules[owner];
                    if is_test_file(&owner_module.path) {
                        return None;
                    }
                    literal_key_in(cx, owner_module, owner, 0, value, depth + 1)
                }
                _ => None,
            }
        }
        ExprKind::Name(name) => {
            if let Some(value) =
                crate::scope::definition_before(m, function, name, expr.range.start_byte)
            {
                return literal_key_in(cx, m, module, function, value, depth + 1);
            }
            match cx.project.resolve_name(module, name)? {
                Symbol::Value(owner, value) => {
                    let owner_module: &'m Module = &cx.project.modules[owner];
                    if is_test_file(&owner_module.path) {
                        return None;
                    }
                    literal_key_in(cx, owner_module, owner, 0, value, depth + 1)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The key a Go `jwt.Parse(token, func(t *jwt.Token) (interface{}, error) { return key, nil })`
/// key function returns (its first returned value).
fn go_key_function_result<'m>(module: &'m Module, args: &'m [crate::ir::Arg]) -> Option<&'m Expr> {
    let ExprKind::Function(id) = args
        .iter()
        .rev()
        .find(|a| matches!(a.value.kind, ExprKind::Function(_)))?
        .value
        .kind
    else {
        return None;
    };
    let mut found = None;
    module.functions[id].walk_stmts(&mut |stmt| {
        if found.is_none()
            && let StmtKind::Return(Some(value)) = &stmt.kind
        {
            let first = match &value.kind {
                ExprKind::Other(values) => values.first().unwrap_or(value),
                _ => value,
            };
            // `return nil, errors.New("unexpected signing method")` returns no key.
            if !matches!(first.kind, ExprKind::Null) {
                found = Some(first);
            }
        }
    });
    found
}

/// Settings that hold signing keys: `SECRET_KEY`, `JWT_SECRET`, `JWT_SECRET_KEY`,
/// `SESSION_SECRET`, `SECURITY_PASSWORD_SALT`, in Flask and Django configuration.
fn is_signing_setting(name: &str) -> bool {
    // Flask's `app.secret_key`; Rails' `config.secret_key_base`.
    if name == "secret_key" || name == "secret_key_base" {
        return true;
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
    {
        return false;
    }
    let words = crate::naming::words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && (has("secret")
            || (has("jwt") && has("key"))
            || (has("signing") && has("key"))
            || (has("password") && has("salt")))
        || name == "secret_key"
}

impl CodeRule for HardcodedSigningSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        // Signing keys seen at all, literal or not: without any, AUTH-07 is not this rule's to pass.
        let mut any_signing = false;
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            if is_test_file(&module.path) {
                continue;
            }
            for function_id in 0..module.functions.len() {
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else { return };
                    let qualified = cx.index.qualified(module_id, callee);
                    let inner = enclosing_function(module, e.range);
                    let key = match qualified {
                        "jsonwebtoken.sign" | "jsonwebtoken.verify" => args.get(1).map(|a| &a.value),
                        // PyJWT and python-jose; ruby-jwt's `JWT.encode(payload, key, 'HS256')`.
                        q if !module.language.is_javascript_family() && (q.to_ascii_lowercase().ends_with("jwt.encode") || q.to_ascii_lowercase().ends_with("jwt.decode")) => {
                            Expr::option(args, "key").or_else(|| args.get(1).filter(|a| a.name.is_none()).map(|a| &a.value))
                        }
                        "express-session" | "cookie-session" | "express-session.default" => Expr::option(args, "secret").or_else(|| Expr::option(args, "keys")),
                        "cookie-parser" => args.first().map(|a| &a.value),
                        // golang-jwt: `token.SignedString(key)`, and the key a `jwt.Parse` key
                        // function returns.
                        _ if module.language.is_go() && callee.method_name() == Some("SignedString") => {
                            args.first().map(|a| &a.value)
                        }
                        q if module.language.is_go() && matches!(crate::language::go_qualified_tail(q).as_str(), "jwt.Parse" | "jwt.ParseWithClaims") => {
                            go_key_function_result(module, args)
                        }
                        // gorilla/sessions, gin-contrib/sessions' cookie store, securecookie,
                        // gorilla/csrf: the keys that sign sessions and CSRF tokens.
                        q if module.language.is_go()
                            && matches!(
                                crate::language::go_qualified_tail(q).as_str(),
                                "sessions.NewCookieStore" | "cookie.NewStore" | "securecookie.New" | "csrf.Protect"
                            ) =>
                        {
                            args.first().map(|a| &a.value)
                        }
                        _ => None,
                    };
                    let Some(key) = key else { return };
                    any_signing = true;
                    let literal = match &key.kind {
                        ExprKind::Array(items) => items.iter().find_map(|i| literal_key(cx, module_id, inner, i)),
                        _ => literal_key(cx, module_id, inner, key),
                    };
                    if let Some(literal) = literal {
                        cx.found_secret(literal);
                        let what = if qualified.contains("session") || qualified.contains("cookie") { "session secret" } else { "JWT signing key" };
                        out.push(cx.finding(&META, module_id, key.range, format!("{what} is written in the code: anyone with the source can forge tokens"), what));
                    }
                });
                // SECRET_KEY = 'x' (Django settings, Flask config), app.secret_key = 'x',
                // app.config['SECRET_KEY'] = 'x'
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    if module.language.is_javascript_family() {
                        return;
                    }
                    let StmtKind::Assign { target, value, .. } = &stmt.kind else { return };
                    let Some(name) = target.assigned_name() else { return };
                    if !is_signing_setting(name) {
                        return;
                    }
                    any_signing = true;
                    let inner = enclosing_function(module, stmt.range);
                    if let Some(literal) = literal_key(cx, module_id, inner, value) {
                        cx.found_secret(literal);
                        out.push(cx.finding(&META, module_id, stmt.range, format!("{name} is written in the code: anyone with the source can forge sessions and tokens"), name));
                    }
                });
            }
        }
        match super::any_code(cx) {
            Applicability::Applied if !any_signing => Applicability::AppliedExceptAbsent(
                ChecklistId::Auth07,
                "no JWT or session signing found in the code",
            ),
            applicability => applicability,
        }
    }
}
