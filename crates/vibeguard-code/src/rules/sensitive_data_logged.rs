//! VG124 sensitive-data-logged: passwords, tokens, secrets or whole auth request bodies
//! written to logs.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind};
use crate::naming;

/// The rule.
#[derive(Debug)]
pub struct SensitiveDataLogged;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG124"),
    name: Cow::Borrowed("sensitive-data-logged"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Passwords, tokens or auth request bodies written to logs"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[532]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Data05]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A logging call — `console.*`, winston/pino/bunyan loggers, Python `logging`, \
             `logger.*`, `app.logger.*`, `print` — whose arguments include a value named like a \
             password, token, secret, API key, session or authorization header, or the whole \
             request body in a function that handles passwords. Words in message strings \
             (\"password reset sent\") and derived values (`token.length`) are not reported. \
             Go: `log`, `slog`, logrus, zap and `fmt.Print*`. \
             Ruby: `Rails.logger`, `logger`, `puts`/`p` of such values or of `params`, and `filter_parameters` emptied.",
        ),
        why: Cow::Borrowed(
            "Logs are copied to log services, dashboards, backups and support tickets with far \
             wider access than the database: a password or token in a log is a credential \
             handed to everyone who can read logs.",
        ),
        example_bad: Cow::Borrowed(
            "console.log(`Failed login for ${email} with password ${password}`);",
        ),
        example_fixed: Cow::Borrowed("logger.warn({ email }, 'failed login');"),
        fix: Cow::Borrowed(
            "Log identifiers and outcomes, never credentials or whole request bodies; configure \
             the logger's redaction (pino `redact`, structlog processors) for the fields that \
             could slip through.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/532.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude",
            ),
        ]),
    },
};

const LOG_METHODS: &[&str] = &[
    "log",
    "info",
    "warn",
    "warning",
    "error",
    "debug",
    "trace",
    "fatal",
    "critical",
    "exception",
    "verbose",
    "silly",
];

/// Go's loggers: the standard `log` and `log/slog`, logrus, zap's sugared logger, and `fmt`'s
/// printing to standard output (a container's log).
const GO_LOG_METHODS: &[&str] = &[
    "Print", "Printf", "Println", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln",
    "Info", "Infof", "Infow", "Debug", "Debugf", "Debugw", "Warn", "Warnf", "Warnw", "Warning",
    "Warningf", "Error", "Errorf", "Errorw", "Trace", "Tracef",
];

fn is_log_call(qualified: &str, callee: &Expr) -> bool {
    if qualified == "print" {
        return true;
    }
    // Ruby: `puts`, `p`, `pp`, `Rails.logger.info`.
    if qualified.starts_with("Rails.logger.") || qualified.starts_with("Rails.logger(") {
        return true;
    }
    let Some(method) = callee.method_name() else {
        return false;
    };
    if GO_LOG_METHODS.contains(&method) {
        let root = qualified.split(['.', '(']).next().unwrap_or("");
        let package = root.rsplit('/').next().unwrap_or(root).to_ascii_lowercase();
        // `fmt.Errorf` makes an error and `fmt.Sprint` a string: only printing is logging.
        return match package.as_str() {
            "fmt" => method.starts_with("Print"),
            "log" | "slog" | "logrus" | "zap" | "glog" | "klog" => true,
            name => name.contains("logger") || name.ends_with("log") || name == "sugar",
        };
    }
    if !LOG_METHODS.contains(&method) {
        return false;
    }
    let root = qualified.split(['.', '(']).next().unwrap_or("");
    let root = root.to_ascii_lowercase();
    matches!(
        root.as_str(),
        "console"
            | "logging"
            | "logger"
            | "log"
            | "winston"
            | "pino"
            | "bunyan"
            | "app"
            | "current_app"
            | "fastify"
            | "request"
            | "req"
            | "this"
            | "self"
    ) || root.contains("logger")
        || root.ends_with("log")
        || qualified.contains("getLogger")
        || qualified.contains("createLogger")
        || qualified.starts_with("pino")
        || qualified.starts_with("winston")
}

/// What secret an argument carries, if any. Values derived from a secret without holding it
/// (`token.length`, `!!token`, `typeof token`, `token === x`) do not count.
fn secret_in(expr: &Expr) -> Option<String> {
    let named = |name: &str| {
        (naming::is_secret_name(name) || name.eq_ignore_ascii_case("authorization"))
            .then(|| name.to_string())
    };
    match &expr.kind {
        ExprKind::Name(name) => named(name),
        ExprKind::Member { object, property } => {
            if matches!(property.as_str(), "length" | "size" | "count") {
                return None;
            }
            named(property).or_else(|| secret_in(object).filter(|_| false))
        }
        ExprKind::Index { index, .. } => index.as_str().and_then(named),
        ExprKind::Unary { .. } | ExprKind::Binary { .. } => None,
        ExprKind::Call { callee, args, .. } => {
            // Ruby: `user.password`, `request.headers["Authorization"]` are calls and indexes.
            if args.is_empty()
                && let ExprKind::Member { property, .. } = &callee.kind
                && let Some(name) = named(property)
            {
                return Some(name);
            }
            // `data.get("password")`, `request.headers.get("Authorization")`
            if callee.method_name() == Some("get")
                && let Some(key) = args.first().and_then(|a| a.value.as_str())
                && let Some(name) = named(key)
            {
                return Some(name);
            }
            if matches!(
                callee.method_name().or(callee.as_name()),
                Some("Boolean" | "bool" | "len" | "hash" | "digest" | "mask" | "redact")
            ) {
                return None;
            }
            args.iter().find_map(|a| secret_in(&a.value))
        }
        ExprKind::Object(props) => props.iter().find_map(|p| match p {
            crate::ir::Prop::Pair { value, .. } => secret_in(value),
            crate::ir::Prop::Spread(value) => secret_in(value),
        }),
        ExprKind::Template { exprs, .. } => exprs.iter().find_map(secret_in),
        ExprKind::Array(items) | ExprKind::Other(items) => items.iter().find_map(secret_in),
        ExprKind::Await(inner) | ExprKind::Spread(inner) => secret_in(inner),
        ExprKind::Conditional {
            consequent,
            alternate,
            ..
        } => secret_in(consequent).or_else(|| secret_in(alternate)),
        _ => None,
    }
}

fn whole_body(expr: &Expr) -> bool {
    if is_whole_body(expr) {
        return true;
    }
    match &expr.kind {
        // `req.body.email` is a field, not the body.
        ExprKind::Member { .. }
        | ExprKind::Index { .. }
        | ExprKind::Unary { .. }
        | ExprKind::Binary { .. } => false,
        ExprKind::Object(props) => props.iter().any(|p| match p {
            crate::ir::Prop::Pair { value, .. } => whole_body(value),
            crate::ir::Prop::Spread(value) => whole_body(value),
        }),
        ExprKind::Template { exprs, .. } => exprs.iter().any(whole_body),
        ExprKind::Array(items) | ExprKind::Other(items) => items.iter().any(whole_body),
        ExprKind::Call { args, .. } => args.iter().any(|a| whole_body(&a.value)),
        ExprKind::Await(inner) | ExprKind::Spread(inner) => whole_body(inner),
        _ => false,
    }
}

fn is_whole_body(expr: &Expr) -> bool {
    // Rails: `params`, `params.inspect`, `params.to_unsafe_h`, `request.raw_post`,
    // `request.body.read`.
    let text_path = expr.member_path();
    if matches!(text_path.as_deref(), Some(["params"])) {
        return true;
    }
    if let Some((callee, args, _)) = expr.as_call()
        && args.is_empty()
        && let Some(path) = callee.member_path()
        && (matches!(
            path.as_slice(),
            [
                "params",
                "inspect" | "to_unsafe_h" | "to_h" | "permit!" | "to_json"
            ] | ["request", "raw_post"]
        ) || reads_request_body(callee))
    {
        return true;
    }
    let Some(path) = expr.unwrap_await().member_path() else {
        if let Some((callee, _, _)) = expr.unwrap_await().as_call() {
            return callee.member_path().is_some_and(|p| {
                p.len() == 2
                    && matches!(p[0], "request" | "req")
                    && matches!(p[1], "get_json" | "json")
            });
        }
        return false;
    };
    path.len() == 2
        && matches!(path[0], "req" | "request" | "ctx")
        && matches!(
            path[1],
            "body" | "json" | "form" | "data" | "POST" | "values"
        )
}

/// `request.body.read`: the callee `read` on `request.body`.
fn reads_request_body(callee: &Expr) -> bool {
    let ExprKind::Member { object, property } = &callee.kind else {
        return false;
    };
    property == "read"
        && object
            .as_call()
            .and_then(|(inner, _, _)| inner.member_path())
            .is_some_and(|p| p == ["request", "body"])
}

impl CodeRule for SensitiveDataLogged {
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
                // Read the function's text only when it logs something.
                let handles_passwords = std::cell::OnceCell::new();
                let handles_passwords = || {
                    *handles_passwords.get_or_init(|| {
                        crate::naming::contains_ignore_case(
                            module.text_of(function.range),
                            "password",
                        )
                    })
                };
                // Rails: `config.filter_parameters = []` logs every request's password.
                if module.language.is_ruby() {
                    cx.index.stmts(module_id, function_id, &mut |stmt| {
                        if let crate::ir::StmtKind::Assign { target: crate::ir::Pattern::Target(target), value, augmented: false } = &stmt.kind
                            && module.text_of(target.range).ends_with("filter_parameters")
                            && matches!(&value.kind, ExprKind::Array(items) if !items.iter().any(|i| i.as_str().is_some_and(|f| f.contains("passw"))))
                        {
                            out.push(cx.finding(&META, module_id, stmt.range, "filter_parameters does not filter passwords: Rails writes them to the request log", "filter_parameters"));
                        }
                    });
                }
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else { return };
                    let qualified = cx.index.qualified(module_id, callee);
                    let ruby_print = module.language.is_ruby()
                        && matches!(callee.as_name(), Some("puts" | "p" | "pp" | "print" | "warn"));
                    if !ruby_print && !is_log_call(qualified, callee) {
                        return;
                    }
                    for arg in args {
                        let value = &arg.value;
                        let parts: Vec<&Expr> = match &value.kind {
                            ExprKind::Binary { op, .. } if *op == "+" => {
                                let mut parts = Vec::new();
                                value.walk(&mut |p| {
                                    if !matches!(p.kind, ExprKind::Binary { .. }) {
                                        parts.push(p)
                                    }
                                });
                                parts
                            }
                            _ => vec![value],
                        };
                        for part in parts {
                            if let Some(secret) = secret_in(part) {
                                out.push(cx.finding(&META, module_id, e.range, format!("`{secret}` is written to the log"), &secret));
                                return;
                            }
                            if whole_body(part) && handles_passwords() {
                                out.push(cx.finding(&META, module_id, e.range, "the whole request body of a password-handling function is written to the log", "body"));
                                return;
                            }
                        }
                    }
                });
            }
        }
        super::any_code(cx)
    }
}
