//! Whether a middleware (or a view decorator) named like authentication can end a request that
//! carries no credential, or lets it through to the handler. A logger, a body parser, or a
//! `verify` that decodes a token when one is present and calls `next()` otherwise is not
//! authentication, whatever it is called: the route behind it is public.
//!
//! Read from the middleware's own code when the project has it (a package's middleware —
//! `passport.authenticate`, `express-jwt` — is trusted by its name):
//! - it **passes anonymous requests** when its continuation (`next()`, Koa's `next`, the
//!   wrapped view of a Python decorator) is called unconditionally at its top level before any
//!   guard, or under a test for a missing value (`if (!token) return next()`), or when it can
//!   refuse nothing at all;
//! - it **rejects** when a guard comes first (an `if` with a refusal in a branch: a 401/403, a
//!   redirect, an `abort`, a `throw`/`raise`, `next(err)`; or a token verifier that throws, called
//!   outside a `try`), or when its continuation is only reached inside a `try`, a branch or a
//!   callback and it has a refusal somewhere.

use crate::ir::{Expr, ExprKind, FunctionId, Module, Stmt, StmtKind};
use crate::project::{ModuleId, Project};

/// What a middleware's code does with a request that has no credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// It can end the request before the handler.
    Rejects,
    /// It lets the request through to the handler.
    PassesAnonymous,
}

/// Verifiers that throw on a missing or bad token.
const THROWING_VERIFIERS: &[&str] = &[
    "verify",
    "verifyToken",
    "verifyIdToken",
    "jwtVerify",
    "verify_jwt_in_request",
    "verify_token",
    "decode_token",
];

/// The gate of the middleware `expr` stands for, when its code is in the project.
pub fn judge(project: &Project, module: ModuleId, expr: &Expr) -> Option<Gate> {
    let target = match &expr.kind {
        // FastAPI's `Depends(get_current_user)`: the dependency is the gate.
        ExprKind::Call { callee, args, .. }
            if matches!(callee.as_name(), Some("Depends" | "Security")) =>
        {
            super::function_of(project, module, &args.first()?.value)
        }
        // A factory (`requireRole('admin')`): the middleware is what it returns.
        ExprKind::Call { callee, .. } => {
            project.callee_function(module, callee, &|_| crate::project::Local::Unknown)
        }
        _ => super::function_of(project, module, expr),
    }?;
    let (owner, function) = target;
    let m = &project.modules[owner];
    let python = !m.language.is_javascript_family();
    let family = descendants(m, function);
    let mut verdicts = Vec::new();
    for &id in &family {
        let Some(name) = continuation(m, id, function, python) else {
            continue;
        };
        // A Python wrapper forwards its arguments to the view; only JavaScript's `next(err)`
        // hands on an error.
        let continuation = Continuation {
            name,
            errors_by_argument: !python,
        };
        verdicts.push(judge_body(m, &m.functions[id].body, &continuation));
    }
    if verdicts.is_empty() {
        // No continuation to call (a FastAPI dependency, an async Fastify hook): it is a gate
        // exactly when it can refuse.
        return Some(if can_refuse(project, owner, function) {
            Gate::Rejects
        } else {
            Gate::PassesAnonymous
        });
    }
    Some(if verdicts.contains(&Gate::Rejects) {
        Gate::Rejects
    } else {
        Gate::PassesAnonymous
    })
}

/// Whether a function with no continuation to call (a request hook that runs before every
/// view and answers in its place) can refuse a request: a 401/403, an `abort`, a raise, in it or
/// in the functions nested in it.
pub fn can_refuse(project: &Project, module: ModuleId, function: FunctionId) -> bool {
    let m = &project.modules[module];
    descendants(m, function).iter().any(|&id| {
        m.functions[id]
            .body
            .iter()
            .any(|stmt| contains_refusal(m, stmt, &Continuation::none()))
    })
}

/// `function` and every function nested in it.
fn descendants(m: &Module, function: FunctionId) -> Vec<FunctionId> {
    let mut family = vec![function];
    let mut index = 0;
    while index < family.len() {
        let parent = family[index];
        family.extend(
            m.functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.parent == Some(parent))
                .map(|(id, _)| id),
        );
        index += 1;
    }
    family
}

/// How a middleware hands a request on.
struct Continuation {
    /// What it calls (`next`, the wrapped view).
    name: String,
    /// Whether calling it with an argument passes an error instead (`next(err)`).
    errors_by_argument: bool,
}

impl Continuation {
    /// For code that has no continuation to call.
    fn none() -> Continuation {
        Continuation {
            name: String::new(),
            errors_by_argument: false,
        }
    }

    /// Whether `expr` calls it: `Some(true)` handing the request on, `Some(false)` handing an
    /// error on.
    fn called_by(&self, expr: &Expr) -> Option<bool> {
        let (callee, args, _) = expr.unwrap_await().as_call()?;
        if self.name.is_empty() || callee.as_name() != Some(self.name.as_str()) {
            return None;
        }
        Some(!(self.errors_by_argument && is_error_argument(args)))
    }
}

/// The name a middleware calls to hand the request on: the third parameter of an Express or
/// Fastify hook (`req, res, next`), the second of a Koa one (`ctx, next`); in Python, the
/// decorated view (the decorator's first parameter) that a wrapper calls.
fn continuation(m: &Module, id: FunctionId, outer: FunctionId, python: bool) -> Option<String> {
    let function = &m.functions[id];
    if python {
        if id == outer {
            return None;
        }
        let view = m.functions[outer].params.first()?.name()?.to_string();
        let mut calls_view = false;
        function.walk_exprs(&mut |e| {
            if let Some((callee, _, _)) = e.as_call()
                && callee.as_name() == Some(view.as_str())
            {
                calls_view = true;
            }
        });
        return calls_view.then_some(view);
    }
    let names: Vec<&str> = function.params.iter().filter_map(|p| p.name()).collect();
    match names.as_slice() {
        [_, _, next, ..] => Some((*next).to_string()),
        [first, next] if matches!(*first, "ctx" | "context" | "c") => Some((*next).to_string()),
        _ => None,
    }
}

/// The verdict of a middleware body, statement by statement at its top level.
fn judge_body(m: &Module, body: &[Stmt], continuation: &Continuation) -> Gate {
    for stmt in body {
        if is_refusal(m, stmt, continuation) || calls_throwing_verifier(stmt) {
            return Gate::Rejects;
        }
        match &stmt.kind {
            StmtKind::If {
                test,
                consequent,
                alternate,
            } => {
                if branch_refuses(m, consequent, continuation)
                    || branch_refuses(m, alternate, continuation)
                {
                    return Gate::Rejects;
                }
                // `if (!token) return next()`: a missing credential goes through.
                if tests_absence(test) && branch_continues(consequent, continuation) {
                    return Gate::PassesAnonymous;
                }
            }
            _ if continues(stmt, continuation) => return Gate::PassesAnonymous,
            _ => {}
        }
    }
    // The continuation is only reached in a `try`, a branch or a callback: a gate when it can
    // refuse at all.
    if body
        .iter()
        .any(|stmt| contains_refusal(m, stmt, continuation))
    {
        Gate::Rejects
    } else {
        Gate::PassesAnonymous
    }
}

/// Whether a statement list refuses at its own level (or in an `if` chain within it).
fn branch_refuses(m: &Module, stmts: &[Stmt], continuation: &Continuation) -> bool {
    stmts.iter().any(|stmt| {
        is_refusal(m, stmt, continuation)
            || matches!(&stmt.kind, StmtKind::If { consequent, alternate, .. }
                if branch_refuses(m, consequent, continuation)
                    || branch_refuses(m, alternate, continuation))
    })
}

fn branch_continues(stmts: &[Stmt], continuation: &Continuation) -> bool {
    stmts.iter().any(|stmt| continues(stmt, continuation))
}

/// A statement that hands the request on: `next()`, `return next()`, `return f(*args)`.
fn continues(stmt: &Stmt, continuation: &Continuation) -> bool {
    match &stmt.kind {
        StmtKind::Expr(expr) | StmtKind::Return(Some(expr)) => {
            continuation.called_by(expr) == Some(true)
        }
        _ => false,
    }
}

/// `next(err)` passes an error on (Express ends the request); `next('route')` does not.
fn is_error_argument(args: &[crate::ir::Arg]) -> bool {
    args.first().is_some_and(|arg| {
        arg.value.as_str() != Some("route") && !matches!(arg.value.kind, ExprKind::Null)
    })
}

/// A statement that ends the request with a refusal.
fn is_refusal(m: &Module, stmt: &Stmt, continuation: &Continuation) -> bool {
    match &stmt.kind {
        StmtKind::Throw(_) => true,
        StmtKind::Expr(expr) | StmtKind::Return(Some(expr)) => match continuation.called_by(expr) {
            Some(hands_on) => !hands_on,
            None => refusal_text(m.text_of(stmt.range)),
        },
        StmtKind::Assign { .. } => refusal_text(m.text_of(stmt.range)),
        _ => false,
    }
}

/// What a refusal reads like: a 401/403 status, a redirect (to the login page), an `abort`.
fn refusal_text(text: &str) -> bool {
    [
        "401",
        "403",
        "Unauthorized",
        "UNAUTHORIZED",
        "Forbidden",
        "FORBIDDEN",
        "redirect",
        "Redirect",
        "abort(",
        "PermissionDenied",
        "HTTPException",
        "NotAuthenticated",
    ]
    .iter()
    .any(|marker| text.contains(marker))
}

/// Whether a statement, or anything nested in it (branches, `try`, callbacks), refuses.
fn contains_refusal(m: &Module, stmt: &Stmt, continuation: &Continuation) -> bool {
    if is_refusal(m, stmt, continuation) {
        return true;
    }
    let nested = |stmts: &[Stmt]| stmts.iter().any(|s| contains_refusal(m, s, continuation));
    match &stmt.kind {
        StmtKind::If {
            consequent,
            alternate,
            ..
        } => nested(consequent) || nested(alternate),
        StmtKind::Loop { body, .. } | StmtKind::Block(body) => nested(body),
        StmtKind::Try {
            body,
            handlers,
            finally,
        } => nested(body) || handlers.iter().any(|h| nested(&h.body)) || nested(finally),
        // Callbacks (`jwt.verify(token, key, (err, user) => …)`) are functions of their own:
        // their statements are read through the text of the call.
        StmtKind::Expr(_) | StmtKind::Return(_) | StmtKind::Assign { .. } => {
            refusal_text(m.text_of(stmt.range))
        }
        _ => false,
    }
}

/// A top-level call of a verifier that throws on a missing token (`jwt.verify(token, key)`
/// outside a `try`): Express answers the throw with an error, and the handler never runs.
fn calls_throwing_verifier(stmt: &Stmt) -> bool {
    let expr = match &stmt.kind {
        StmtKind::Expr(expr) | StmtKind::Return(Some(expr)) => expr,
        StmtKind::Assign { value, .. } => value,
        _ => return false,
    };
    let expr = expr.unwrap_await();
    // A callback form (`jwt.verify(t, k, (err, user) => …)`) does not throw.
    expr.as_call().is_some_and(|(callee, args, _)| {
        callee
            .method_name()
            .or(callee.as_name())
            .is_some_and(|name| THROWING_VERIFIERS.contains(&name))
            && !args
                .iter()
                .any(|arg| matches!(arg.value.kind, ExprKind::Function(_)))
    })
}

/// `!token`, `token == null`, `token === undefined`, `not token`, `token is None`,
/// `'user' not in session`: a test that holds when a value is missing.
fn tests_absence(test: &Expr) -> bool {
    match &test.kind {
        ExprKind::Unary { op, .. } => matches!(*op, "!" | "not"),
        ExprKind::Binary { op, right, left } => {
            let missing = |e: &Expr| {
                matches!(e.kind, ExprKind::Null)
                    || e.as_name() == Some("undefined")
                    || e.as_str() == Some("undefined")
            };
            (matches!(*op, "==" | "===" | "is") && (missing(right) || missing(left)))
                || *op == "not in"
                || (*op == "||" || *op == "or") && (tests_absence(left) || tests_absence(right))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::inventory;

    #[test]
    fn app_wide_middleware_that_passes_anonymous_requests_is_not_authentication() {
        let (_, inventory) = inventory(&[(
            "app.js",
            "const express = require('express');\nconst jwt = require('jsonwebtoken');\nconst app = express();\nfunction logger(req, res, next) { console.log(req.url); next(); }\nfunction verifyToken(req, res, next) {\n  const h = req.headers.authorization;\n  if (h) { try { req.user = jwt.verify(h, process.env.K); } catch (e) { return res.status(401).end(); } }\n  next();\n}\nfunction requireAuth(req, res, next) {\n  if (!req.headers.authorization) return res.sendStatus(401);\n  next();\n}\napp.use(express.json());\napp.use(logger);\napp.use(verifyToken);\napp.get('/notes', (req, res) => res.json([]));\napp.use(requireAuth);\napp.get('/me', (req, res) => res.json(req.user));\n",
        )]);
        let notes = &inventory.routes[0];
        assert_eq!(notes.path, "/notes");
        assert!(!notes.has_auth_middleware(), "{:?}", notes.middleware);
        let passing: Vec<&str> = notes.anonymous_passes().map(|m| m.name.as_str()).collect();
        assert_eq!(passing, ["verifyToken"]);
        let me = &inventory.routes[1];
        assert!(me.has_auth_middleware(), "{:?}", me.middleware);
    }

    #[test]
    fn an_inline_middleware_is_judged_by_its_code_not_by_the_words_in_it() {
        let (_, inventory) = inventory(&[(
            "app.js",
            "const express = require('express');\nconst app = express();\napp.use((req, res, next) => { res.set({ 'Content-Security-Policy': \"default-src 'none'\" }); next(); });\napp.get('/open', (req, res) => res.json([]));\napp.use((req, res, next) => { if (!req.headers.authorization) return res.status(401).end(); next(); });\napp.get('/closed', (req, res) => res.json([]));\n",
        )]);
        let open = &inventory.routes[0];
        assert!(!open.has_auth_middleware(), "{:?}", open.middleware);
        // A header setter says nothing about authentication either way.
        assert_eq!(open.anonymous_passes().count(), 0);
        let closed = &inventory.routes[1];
        assert!(closed.has_auth_middleware(), "{:?}", closed.middleware);
    }
}
