//! VG130 debug-mode: a web framework's debug mode turned on in code that ships.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Module, Pattern, StmtKind};
use crate::language::Language;

/// The rule.
#[derive(Debug)]
pub struct DebugMode;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG130"),
    name: Cow::Borrowed("debug-mode"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Framework debug mode turned on in code that ships"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[489, 215]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Debug mode switched on where it ships: `app.run(debug=True)` (Flask, Quart, Sanic, \
             Flask-SocketIO), `app.debug = True`, `app.config['DEBUG'] = True`, \
             `app.config.update(DEBUG=True)`, `FastAPI(debug=True)`, `Starlette(debug=True)`, \
             aiohttp's `web.Application(debug=True)`, Werkzeug's `run_simple(..., \
             use_debugger=True)`, `FLASK_DEBUG` set in code, Django's `DEBUG = True` in \
             settings (files named for development, local or test settings excepted) — also \
             `DEBUG = os.getenv('DEBUG', 'True') == 'True'`, which is on wherever nobody set \
             the variable — Express's `errorhandler` middleware outside a development check, and \
             Rails' `config.consider_all_requests_local = true` outside the development and test \
             environments; \
             Go: echo's `e.Debug = true` and `net/http/pprof` where the default mux is served beyond loopback.",
        ),
        why: Cow::Borrowed(
            "Debug pages show source code, settings, environment variables and SQL to whoever \
             triggers an error; Werkzeug's debugger runs Python typed into the error page, so a \
             Flask app served with `debug=True` can be taken over from a browser.",
        ),
        example_bad: Cow::Borrowed("if __name__ == '__main__':\n    app.run(debug=True)"),
        example_fixed: Cow::Borrowed(
            "if __name__ == '__main__':\n    app.run(debug=os.environ.get('FLASK_DEBUG') == '1')",
        ),
        fix: Cow::Borrowed(
            "Read debug mode from the environment with an off default, keep it in development \
             settings only, and serve production with a WSGI/ASGI server (gunicorn, uvicorn) that \
             never enables the debugger.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/489.html"),
            Cow::Borrowed(
                "https://flask.palletsprojects.com/en/stable/debugging/#the-built-in-debugger",
            ),
            Cow::Borrowed("https://docs.djangoproject.com/en/stable/ref/settings/#debug"),
        ]),
    },
};

impl CodeRule for DebugMode {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        for module_id in 0..cx.project.modules.len() {
            check_module(cx, module_id, out);
        }
        super::any_code(cx)
    }
}

/// Go: echo's `e.Debug = true` (error pages carry the error's text), and `net/http/pprof`
/// imported into a program that serves HTTP (it adds `/debug/pprof/` — heap dumps, goroutine
/// stacks, CPU profiles — to the default mux). Development and test files are skipped.
fn go_debug(cx: &Context<'_>, module_id: usize, out: &mut Vec<Finding>) {
    let module = cx.module(module_id);
    if is_development_file(module) || module.path.ends_with("_test.go") {
        return;
    }
    for import in &module.imports {
        if import.source == "net/http/pprof" && serves_default_mux_openly(cx) {
            out.push(cx.finding(
                &META,
                module_id,
                import.range,
                "net/http/pprof is imported: /debug/pprof/ serves heap dumps, goroutine stacks and profiles to anyone who can reach the server",
                "pprof",
            ));
        }
    }
    for function_id in 0..module.functions.len() {
        cx.index.stmts(module_id, function_id, &mut |stmt| {
            if let StmtKind::Assign { target, value, .. } = &stmt.kind
                && target.assigned_name() == Some("Debug")
                && matches!(target, crate::ir::Pattern::Target(_))
                && is_true(value)
            {
                out.push(cx.finding(
                    &META,
                    module_id,
                    stmt.range,
                    "echo's Debug is on: error answers carry the error's text",
                    "echo-debug",
                ));
            }
        });
    }
}

/// Whether the project serves net/http's default mux (`http.ListenAndServe(addr, nil)`, where
/// pprof registers itself) on an address other than loopback: `localhost:6060`, the address
/// pprof's documentation recommends, is not reachable from elsewhere.
fn serves_default_mux_openly(cx: &Context<'_>) -> bool {
    let mut open = false;
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if !module.language.is_go() {
            continue;
        }
        for function_id in 0..module.functions.len() {
            cx.index.calls(module_id, function_id, &mut |e| {
                let Some((callee, args, _)) = e.as_call() else {
                    return;
                };
                let qualified = cx.index.qualified(module_id, callee);
                let tail = crate::language::go_qualified_tail(qualified);
                if !matches!(
                    tail.as_str(),
                    "http.ListenAndServe" | "http.ListenAndServeTLS"
                ) {
                    return;
                }
                let default_mux = args
                    .last()
                    .is_some_and(|a| matches!(a.value.kind, ExprKind::Null));
                let loopback = args
                    .first()
                    .and_then(|a| a.value.as_str())
                    .is_some_and(|addr| {
                        addr.starts_with("localhost:")
                            || addr.starts_with("127.0.0.1:")
                            || addr.starts_with("[::1]:")
                    });
                open |= default_mux && !loopback;
            });
        }
    }
    open
}

/// Files whose name says they configure development, local runs or tests.
fn is_development_file(module: &Module) -> bool {
    let name = module
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&module.path)
        .to_ascii_lowercase();
    let stem = name.split('.').next().unwrap_or(&name);
    stem.split(['_', '-']).any(|word| {
        matches!(
            word,
            "dev" | "development" | "local" | "test" | "tests" | "testing" | "conftest"
        )
    }) || module
        .path
        .split('/')
        .any(|dir| matches!(dir, "tests" | "test" | "__tests__" | "examples"))
}

/// Whether a Python module holds settings (`settings.py`, `settings/prod.py`, `config.py`).
fn is_settings_file(module: &Module) -> bool {
    let lower = module.path.to_ascii_lowercase();
    lower.contains("settings")
        || lower
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("config"))
}

fn is_true(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Bool(value) => *value,
        ExprKind::Number(value) => *value != 0.0,
        ExprKind::Str(text) => matches!(
            text.to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        ),
        _ => false,
    }
}

/// `os.getenv('DEBUG', 'True') == 'True'`, `bool(int(os.environ.get('DEBUG', 1)))`,
/// `config('DEBUG', default=True, cast=bool)`: on unless the environment says otherwise.
fn on_by_default(expr: &Expr) -> bool {
    let mut found = false;
    expr.walk(&mut |e| {
        let Some((callee, args, _)) = e.as_call() else {
            return;
        };
        let name = callee.method_name().or(callee.as_name()).unwrap_or("");
        let reads_environment = matches!(name, "getenv" | "get" | "config" | "env" | "bool")
            && args
                .first()
                .and_then(|a| a.value.as_str())
                .is_some_and(|key| key.to_ascii_uppercase().contains("DEBUG"));
        if reads_environment {
            let default = Expr::option(args, "default")
                .or_else(|| args.get(1).filter(|a| a.name.is_none()).map(|a| &a.value));
            if default.is_some_and(is_true) {
                found = true;
            }
        }
    });
    found
}

/// Rails: `config.consider_all_requests_local = true` outside the development and test
/// environments shows every error's full report to every visitor.
fn rails_environment(cx: &Context<'_>, module_id: usize, out: &mut Vec<Finding>) {
    let module = cx.module(module_id);
    let name = module.path.rsplit('/').next().unwrap_or(&module.path);
    if !module.path.contains("config/") || matches!(name, "development.rb" | "test.rb") {
        return;
    }
    for function_id in 0..module.functions.len() {
        cx.index.stmts(module_id, function_id, &mut |stmt| {
            if let StmtKind::Assign { target, value, .. } = &stmt.kind
                && target.assigned_name() == Some("consider_all_requests_local")
                && is_true(value)
            {
                out.push(cx.finding(
                    &META,
                    module_id,
                    stmt.range,
                    "consider_all_requests_local is on: every visitor sees the full error report \
                     (code, parameters, SQL)",
                    "debug",
                ));
            }
        });
    }
}

fn check_module(cx: &Context<'_>, module_id: usize, out: &mut Vec<Finding>) {
    let module = cx.module(module_id);
    if module.language.is_ruby() {
        return rails_environment(cx, module_id, out);
    }
    if module.language.is_go() {
        return go_debug(cx, module_id, out);
    }
    let development = is_development_file(module);
    let python = !module.language.is_javascript_family();
    let mut report = |range, message: &str| {
        out.push(cx.finding(&META, module_id, range, message, "debug"));
    };
    for function_id in 0..module.functions.len() {
        // `if (process.env.NODE_ENV === 'development') { ... }`: what runs only there.
        let mut development_only = Vec::new();
        if !python {
            cx.index.stmts(module_id, function_id, &mut |stmt| {
                if let StmtKind::If { test, .. } = &stmt.kind {
                    let test = module.text_of(test.range);
                    if test.contains("development") || test.contains("NODE_ENV") {
                        development_only.push(stmt.range);
                    }
                }
            });
        }
        cx.index.calls(module_id, function_id, &mut |e| {
            let Some((callee, args, _)) = e.as_call() else {
                return;
            };
            let qualified = cx.index.qualified(module_id, callee);
            if !python {
                // `app.use(errorhandler())` outside `if (env === 'development')`.
                if qualified == "errorhandler"
                    && !development
                    && !development_only.iter().any(|r| r.contains(&e.range))
                {
                    report(
                        e.range,
                        "errorhandler middleware sends full stack traces to clients",
                    );
                }
                return;
            }
            if development {
                return;
            }
            let method = callee.method_name().or(callee.as_name()).unwrap_or("");
            let option_on = |name: &str| Expr::option(args, name).is_some_and(is_true);
            let framework = qualified.rsplit('.').next().unwrap_or("");
            let message = if option_on("debug")
                && (method == "run"
                    || matches!(framework, "FastAPI" | "Starlette" | "Quart")
                    || (framework == "Application" && qualified.contains("web.")))
            {
                Some(if method == "run" {
                    "debug mode is on: errors show code, and Werkzeug's debugger runs code typed \
                     into the error page"
                } else {
                    "debug mode is on: error pages show code and tracebacks"
                })
            } else if method == "run_simple" && option_on("use_debugger") {
                Some("Werkzeug's debugger is on: it runs code typed into the error page")
            } else if matches!(method, "update" | "from_mapping" | "configure")
                && (option_on("DEBUG") || option_on("debug"))
            {
                Some("debug mode is on: error pages show code, settings and SQL")
            } else {
                None
            };
            if let Some(message) = message {
                report(e.range, message);
            }
        });
        if !python || development {
            continue;
        }
        cx.index.stmts(module_id, function_id, &mut |stmt| {
            let StmtKind::Assign { target, value, .. } = &stmt.kind else {
                return;
            };
            let message = match target {
                Pattern::Name(name) if name == "DEBUG" && is_settings_file(module) => {
                    if is_true(value) {
                        Some("debug mode is on: error pages show code, settings and SQL")
                    } else if on_by_default(value) {
                        Some(
                            "debug mode is on wherever the environment does not turn it off: \
                             the default is True",
                        )
                    } else {
                        None
                    }
                }
                Pattern::Target(t) if is_true(value) => match &t.kind {
                    // `app.debug = True`
                    ExprKind::Member { property, .. } if property == "debug" => Some(
                        "debug mode is on: errors show code, and Werkzeug's debugger runs code",
                    ),
                    // `app.config['DEBUG'] = True`, `os.environ['FLASK_DEBUG'] = '1'`
                    ExprKind::Index { index, .. }
                        if matches!(index.as_str(), Some("DEBUG" | "FLASK_DEBUG")) =>
                    {
                        Some("debug mode is on: error pages show code, settings and SQL")
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(message) = message {
                report(stmt.range, message);
            }
        });
    }
}
