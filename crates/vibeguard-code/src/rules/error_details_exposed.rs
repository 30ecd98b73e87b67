//! VG123 error-details-exposed: error handlers that send stack traces or exception text to
//! the client (debug mode is VG130).

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, chain_root, is_response_name};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Module, Pattern, Stmt, StmtKind};

/// The rule.
#[derive(Debug)]
pub struct ErrorDetailsExposed;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG123"),
    name: Cow::Borrowed("error-details-exposed"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Stack traces or exception text sent to clients"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[209]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A `catch`/`except` block or Express error handler (`(err, req, res, next)`) that \
             puts the error's stack, its message, the error itself or `traceback.format_exc()` \
             into a response (a 4xx status with the message is allowed; stacks never are), \
             `HTTPException(detail=str(e))` for server errors. Debug mode, which does the same \
             for every error, is VG130. \
             Go: `http.Error(w, err.Error(), 500)`, `c.JSON(500, gin.H{\"error\": err.Error()})` and the like in an `if err != nil` block. \
             Rails: `render json: { error: e.message, trace: e.backtrace }` in a `rescue` or `rescue_from` handler (a 4xx status with the message is allowed).",
        ),
        why: Cow::Borrowed(
            "Error text tells attackers the SQL of the failing query (an injection map), file \
             paths, library versions and internal hosts.",
        ),
        example_bad: Cow::Borrowed(
            "} catch (err) {\n  res.status(500).json({ error: err.message, stack: err.stack });\n}",
        ),
        example_fixed: Cow::Borrowed(
            "} catch (err) {\n  logger.error(err);\n  res.status(500).json({ error: 'Internal server error' });\n}",
        ),
        fix: Cow::Borrowed(
            "Log the error on the server and send a generic message (with a request id).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/209.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// How much of the error an expression reveals: 2 for a stack or traceback, 1 for the
/// message or the error itself, 0 for nothing.
fn reveals(module: &Module, expr: &Expr, error: &str) -> u8 {
    match &expr.kind {
        ExprKind::Name(name) if name == error => 1,
        ExprKind::Member { object, property } if object.as_name() == Some(error) => {
            match property.as_str() {
                "stack" | "stacktrace" | "__traceback__" => 2,
                "message" | "sql" | "sqlMessage" | "detail" | "original" | "errors" | "args"
                | "msg" | "Error" => 1,
                _ => 0,
            }
        }
        // Text built with the error carries it (`"failed: " + err.Error()`,
        // `fmt.Sprintf("failed: %v", err)`).
        ExprKind::Binary {
            op: "+" | "%",
            left,
            right,
        } => reveals(module, left, error).max(reveals(module, right, error)),
        // `!err`, `err ? a : b`, `err.code === 'X'` only test the error.
        ExprKind::Unary { .. } | ExprKind::Binary { .. } => 0,
        ExprKind::Conditional {
            consequent,
            alternate,
            ..
        } => reveals(module, consequent, error).max(reveals(module, alternate, error)),
        ExprKind::Call { callee, args, .. } => {
            // Ruby: `e.backtrace`, `e.full_message` are the stack.
            if let ExprKind::Member { object, property } = &callee.kind
                && object.as_name() == Some(error)
                && matches!(
                    property.as_str(),
                    "backtrace" | "full_message" | "backtrace_locations"
                )
            {
                return 2;
            }
            let text = module.text_of(callee.range);
            if text.contains("format_exc")
                || text.contains("print_exc")
                || text.contains("format_exception")
            {
                return 2;
            }
            if matches!(
                callee.method_name().or(callee.as_name()),
                Some("Boolean" | "bool" | "isinstance" | "len")
            ) {
                return 0;
            }
            let receiver = match &callee.kind {
                ExprKind::Member { object, .. } => reveals(module, object, error),
                _ => 0,
            };
            args.iter()
                .map(|a| reveals(module, &a.value, error))
                .max()
                .unwrap_or(0)
                .max(receiver)
        }
        ExprKind::Member { object, .. } | ExprKind::Index { object, .. } => {
            reveals(module, object, error).min(1)
        }
        ExprKind::Object(props) => props
            .iter()
            .map(|p| match p {
                crate::ir::Prop::Pair { value, .. } => reveals(module, value, error),
                crate::ir::Prop::Spread(value) => reveals(module, value, error),
            })
            .max()
            .unwrap_or(0),
        ExprKind::Template { exprs, .. } => exprs
            .iter()
            .map(|e| reveals(module, e, error))
            .max()
            .unwrap_or(0),
        ExprKind::Array(items) | ExprKind::Other(items) => items
            .iter()
            .map(|e| reveals(module, e, error))
            .max()
            .unwrap_or(0),
        ExprKind::Await(inner) | ExprKind::Spread(inner) => reveals(module, inner, error),
        _ => 0,
    }
}

/// The status of a response chain (`res.status(400).json(...)`), if literal.
fn chain_status(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::Call { callee, args, .. } => {
            if matches!(callee.method_name(), Some("status" | "code" | "sendStatus"))
                && let Some(ExprKind::Number(n)) = args.first().map(|a| &a.value.kind)
            {
                return Some(*n);
            }
            chain_status(callee)
        }
        ExprKind::Member { object, .. } => chain_status(object),
        _ => None,
    }
}

/// Status given in a Python response: `return jsonify(...), 500`, `status_code=500`,
/// `JSONResponse(..., status_code=400)`.
fn python_status(expr: &Expr) -> Option<f64> {
    let mut status = None;
    expr.walk(&mut |e| match &e.kind {
        ExprKind::Array(items) => {
            if let Some(ExprKind::Number(n)) = items.get(1).map(|i| &i.kind) {
                status = Some(*n);
            }
        }
        ExprKind::Call { args, .. } => {
            match Expr::option(args, "status_code")
                .or_else(|| Expr::option(args, "status"))
                .map(|v| &v.kind)
            {
                Some(ExprKind::Number(n)) => status = Some(*n),
                // Rails' status symbols (`status: :unprocessable_entity`).
                Some(ExprKind::Str(symbol)) => status = rails_status(symbol).or(status),
                _ => {}
            }
        }
        _ => {}
    });
    status
}

/// Rails' status symbols, as numbers: the client errors, and the server's own.
fn rails_status(symbol: &str) -> Option<f64> {
    Some(match symbol {
        "bad_request" => 400.0,
        "unauthorized" => 401.0,
        "forbidden" => 403.0,
        "not_found" => 404.0,
        "conflict" => 409.0,
        "gone" => 410.0,
        "unprocessable_entity" | "unprocessable_content" => 422.0,
        "too_many_requests" => 429.0,
        "internal_server_error" => 500.0,
        "service_unavailable" => 503.0,
        _ => return None,
    })
}

fn is_client_error(status: Option<f64>) -> bool {
    status.is_some_and(|s| (400.0..500.0).contains(&s))
}

impl ErrorDetailsExposed {
    /// Responses in `body` that carry details of `error`.
    fn responses(
        &self,
        cx: &Context<'_>,
        module_id: usize,
        body: &[Stmt],
        error: &str,
        out: &mut Vec<Finding>,
    ) {
        let module = cx.module(module_id);
        // A Ruby method returns its last expression, which is no response (`render` is).
        let python = !module.language.is_javascript_family() && !module.language.is_ruby();
        let mut check = |expr: &Expr, status: Option<f64>, range| {
            let level = reveals(module, expr, error);
            if level == 2 || (level == 1 && !is_client_error(status)) {
                let what = if level == 2 {
                    "stack trace"
                } else {
                    "error message"
                };
                let severity = if level == 2 {
                    Severity::Medium
                } else {
                    Severity::Low
                };
                out.push(cx.finding(&META, module_id, range, format!("response carries the {what}: internals (SQL, paths, versions) leak to clients"), what).with_severity(severity));
            }
        };
        for stmt in body {
            stmt.walk(&mut |s| {
                let exprs: Vec<&Expr> = match &s.kind {
                    StmtKind::Return(Some(value)) if python => {
                        let status = python_status(value);
                        check(value, status, s.range);
                        return;
                    }
                    StmtKind::Throw(Some(value)) if python => {
                        // raise HTTPException(status_code=500, detail=str(e))
                        if module.text_of(value.range).contains("HTTPException") {
                            let status = python_status(value);
                            check(value, status, s.range);
                        }
                        return;
                    }
                    _ => s.exprs(),
                };
                for expr in exprs {
                    expr.walk(&mut |e| {
                        let Some((callee, args, _)) = e.as_call() else {
                            return;
                        };
                        // Rails: `render json: { error: e.message }, status: 500`.
                        if module.language.is_ruby() && callee.as_name() == Some("render") {
                            let status = python_status(e);
                            for arg in args.iter().filter(|a| {
                                matches!(
                                    a.name.as_deref(),
                                    Some("json" | "plain" | "html" | "body" | "xml")
                                )
                            }) {
                                check(&arg.value, status, e.range);
                            }
                            return;
                        }
                        let Some(method) = callee.method_name() else {
                            return;
                        };
                        let response =
                            matches!(method, "json" | "send" | "end" | "jsonp" | "render")
                                && callee.member_path().is_none_or(|_| true)
                                && match &callee.kind {
                                    ExprKind::Member { object, .. } => {
                                        chain_root(object).is_some_and(is_response_name)
                                            || module.text_of(object.range).ends_with("Response")
                                    }
                                    _ => false,
                                };
                        if response {
                            let status = chain_status(callee);
                            for arg in args {
                                check(&arg.value, status, e.range);
                            }
                        }
                    });
                }
            });
        }
    }
}

impl CodeRule for ErrorDetailsExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            for (function_id, function) in module.functions.iter().enumerate() {
                // catch (err) / except Exception as e
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    if let StmtKind::Try { handlers, .. } = &stmt.kind {
                        for handler in handlers {
                            // Without a bound error only a traceback can leak.
                            let error = match &handler.param {
                                Some(Pattern::Name(error)) => error.as_str(),
                                _ => "",
                            };
                            self.responses(cx, module_id, &handler.body, error, out);
                        }
                    }
                });
                if module.language.is_go() {
                    self.go_responses(cx, module_id, function_id, out);
                    continue;
                }
                // Rails: `rescue_from StandardError do |e| … end` and `rescue_from X, with:
                // :handler` (a method of the controller that takes the error).
                if module.language.is_ruby() {
                    cx.index.calls(module_id, function_id, &mut |e| {
                        let Some((callee, args, _)) = e.as_call() else {
                            return;
                        };
                        if callee.as_name() != Some("rescue_from") {
                            return;
                        }
                        let handler = args
                            .iter()
                            .find_map(|a| match a.value.kind {
                                ExprKind::Function(id) => Some(id),
                                _ => None,
                            })
                            .or_else(|| {
                                let name = Expr::option(args, "with")?.as_str()?;
                                module
                                    .functions
                                    .iter()
                                    .position(|f| f.name.as_deref() == Some(name))
                            });
                        if let Some(id) = handler
                            && let Some(error) =
                                module.functions[id].params.first().and_then(|p| p.name())
                        {
                            self.responses(cx, module_id, &module.functions[id].body, error, out);
                        }
                    });
                    continue;
                }
                // Flask `@app.errorhandler(Exception)` and FastAPI
                // `@app.exception_handler(Exception)` receive the error as an argument.
                let handler_kind = function.decorators.iter().find_map(|d| {
                    let text = module.text_of(d.range);
                    if text.contains("errorhandler") {
                        Some(0)
                    } else if text.contains("exception_handler") {
                        Some(1)
                    } else {
                        None
                    }
                });
                if let Some(position) = handler_kind
                    && let Some(error) = function.params.get(position).and_then(|p| p.name())
                {
                    self.responses(cx, module_id, &function.body, error, out);
                }
                // Express error middleware: (err, req, res, next)
                if module.language.is_javascript_family()
                    && function.params.len() == 4
                    && let Some(error) = function.params[0].name()
                    && matches!(function.params[2].name(), Some(n) if is_response_name(n))
                {
                    self.responses(cx, module_id, &function.body, error, out);
                }
                // Promise `.catch((err) => res.status(500).json({ error: err.message }))` and
                // node-style callbacks `(err, rows) => { if (err) return res.json(err) }`.
                if module.language.is_javascript_family()
                    && let Some(error) = function.params.first().and_then(|p| p.name())
                    && matches!(error, "err" | "error" | "e")
                    && function.params.len() <= 3
                    && function.params.len() != 4
                {
                    self.responses(cx, module_id, &function.body, error, out);
                }
            }
        }
        super::any_code(cx)
    }

    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[
            crate::language::Language::Ruby,
            crate::language::Language::Go,
        ]
    }
}

/// Go's named HTTP statuses (`http.StatusBadRequest`, `fiber.StatusNotFound`), as numbers.
fn go_status(expr: &Expr) -> Option<f64> {
    if let ExprKind::Number(n) = expr.kind {
        return Some(n);
    }
    let name = expr.member_path()?.last().copied()?;
    Some(match name {
        "StatusBadRequest" => 400.0,
        "StatusUnauthorized" => 401.0,
        "StatusForbidden" => 403.0,
        "StatusNotFound" => 404.0,
        "StatusMethodNotAllowed" => 405.0,
        "StatusConflict" => 409.0,
        "StatusGone" => 410.0,
        "StatusRequestEntityTooLarge" => 413.0,
        "StatusUnsupportedMediaType" => 415.0,
        "StatusUnprocessableEntity" => 422.0,
        "StatusTooManyRequests" => 429.0,
        _ => return None,
    })
}

impl ErrorDetailsExposed {
    /// Go: `if err != nil { ... }` blocks that answer with the error — `http.Error(w,
    /// err.Error(), 500)`, gin's and echo's `c.JSON(500, gin.H{"error": err.Error()})`,
    /// `c.String`, `c.AbortWithStatusJSON`, fiber's `c.Status(500).JSON(...)`,
    /// `echo.NewHTTPError(500, err.Error())`, `fmt.Fprintf(w, ..., err)`, `w.Write`.
    fn go_responses(
        &self,
        cx: &Context<'_>,
        module_id: usize,
        function_id: usize,
        out: &mut Vec<Finding>,
    ) {
        let module = cx.module(module_id);
        cx.index.stmts(module_id, function_id, &mut |stmt| {
            let StmtKind::If { test, consequent, .. } = &stmt.kind else {
                return;
            };
            let ExprKind::Binary { op: "!=", left, right } = &test.kind else {
                return;
            };
            let (Some(error), ExprKind::Null) = (left.as_name(), &right.kind) else {
                return;
            };
            for inner in consequent {
                inner.walk(&mut |s| {
                    for expr in s.exprs() {
                        expr.walk(&mut |e| {
                            let Some((callee, args, _)) = e.as_call() else {
                                return;
                            };
                            let Some(method) = callee.method_name() else {
                                return;
                            };
                            let receiver = match &callee.kind {
                                ExprKind::Member { object, .. } => Some(object.as_ref()),
                                _ => None,
                            };
                            let receiver_text = receiver.map_or("", |r| module.text_of(r.range));
                            let on_context = matches!(receiver_text, "c" | "ctx" | "context");
                            let writer = |name: &str| super::is_go_response_writer(module, function_id, name);
                            let qualified = cx.index.qualified(module_id, callee);
                            let tail = crate::language::go_qualified_tail(qualified);
                            let arg = |i: usize| args.get(i).map(|a| &a.value);
                            let (status, payload): (Option<f64>, Vec<&Expr>) = match method {
                                "Error" if tail == "http.Error" => {
                                    (arg(2).and_then(go_status), arg(1).into_iter().collect())
                                }
                                "JSON" | "AbortWithStatusJSON" | "IndentedJSON" | "PureJSON"
                                | "SecureJSON" | "String" | "XML" | "JSONP" | "HTML"
                                    if on_context =>
                                {
                                    (arg(0).and_then(go_status), args.iter().skip(1).map(|a| &a.value).collect())
                                }
                                // fiber: `c.Status(500).JSON(...)`
                                "JSON" | "SendString" | "Send"
                                    if receiver.and_then(|r| r.as_call()).is_some_and(|(inner, _, _)| inner.method_name() == Some("Status")) =>
                                {
                                    let status = receiver
                                        .and_then(|r| r.as_call())
                                        .and_then(|(_, inner_args, _)| inner_args.first())
                                        .and_then(|a| go_status(&a.value));
                                    (status, args.iter().map(|a| &a.value).collect())
                                }
                                "NewHTTPError" | "NewError" => {
                                    (arg(0).and_then(go_status), args.iter().skip(1).map(|a| &a.value).collect())
                                }
                                "Fprintf" | "Fprint" | "Fprintln"
                                    if tail.starts_with("fmt.")
                                        && arg(0).and_then(|w| w.as_name()).is_some_and(writer) =>
                                {
                                    (None, args.iter().skip(1).map(|a| &a.value).collect())
                                }
                                "Write" if receiver.and_then(|r| r.as_name()).is_some_and(writer) => {
                                    (None, args.iter().map(|a| &a.value).collect())
                                }
                                "Encode"
                                    if receiver
                                        .and_then(|r| r.as_call())
                                        .and_then(|(_, inner, _)| inner.first())
                                        .and_then(|w| w.value.as_name())
                                        .is_some_and(writer) =>
                                {
                                    (None, args.iter().map(|a| &a.value).collect())
                                }
                                _ => return,
                            };
                            let level = payload.iter().map(|p| reveals(module, p, error)).max().unwrap_or(0);
                            if level >= 1 && !is_client_error(status) {
                                out.push(cx.finding(&META, module_id, e.range, "response carries the error message: internals (SQL, paths, versions) leak to clients", "error message").with_severity(Severity::Low));
                            }
                        });
                    }
                });
            }
        });
    }
}
