//! What a handler reads from the request: the body fields and query parameters its code names,
//! so that an API without a description can be sent requests its handlers accept.
//!
//! Read from the handler function itself (not the helpers it calls), in every common spelling:
//! Express `req.body.title`, `req.body['title']`, `const { title, amount } = req.body`,
//! `const data = req.body; data.title`, `req.query.q`; Flask `request.json['title']`,
//! `request.get_json().get('title')`, `data = request.get_json(); data['title']`,
//! `request.form['name']`, `request.args.get('q')`; Django `request.POST['x']`,
//! `request.GET.get('q')`; DRF `request.data['x']`, `request.query_params.get('q')`.

use std::collections::BTreeSet;

use crate::ir::{Expr, ExprKind, Function, Pattern, StmtKind};

/// The request inputs a handler names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInputs {
    /// Body fields, in the order first read.
    pub body: Vec<String>,
    /// Query parameters, in the order first read.
    pub query: Vec<String>,
    /// How the body it reads is encoded, when the way it reads it says: `form`
    /// (`request.form`, `request.POST`, `request.values`), `multipart` (`request.files`) or
    /// `json` (`request.json`, `request.get_json()`, `request.data` of DRF).
    pub encoding: Option<&'static str>,
}

/// The encoding a read of a request's property or method implies.
fn encoding_of(property: &str) -> Option<&'static str> {
    match property {
        "form" | "POST" | "values" => Some("form"),
        "files" | "FILES" => Some("multipart"),
        "json" | "get_json" | "data" => Some("json"),
        _ => None,
    }
}

/// Which part of the request an expression is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Body,
    Query,
}

/// Properties of a request object that are its body.
const BODY: &[&str] = &["body", "json", "form", "data", "POST", "files"];
/// Properties of a request object that are its query string.
const QUERY: &[&str] = &["query", "args", "GET", "query_params"];
/// Methods of a request object that return its body (`request.get_json()`, `await req.json()`).
const BODY_CALLS: &[&str] = &["get_json", "json", "form", "post"];
/// Methods of a body or query object that read one field by name.
const GETTERS: &[&str] = &["get", "getlist", "get_all", "getAll"];

/// The inputs `handler` reads. Its request object is its first parameter when named like one,
/// or the names `req` and `request` (Flask's global).
pub fn request_inputs(handler: &Function) -> RequestInputs {
    let mut requests: BTreeSet<String> = ["req", "request"].map(String::from).into();
    if let Some(Some(first)) = handler.param_names().next()
        && (first.starts_with("req") || first == "ctx" || first == "c")
    {
        requests.insert(first.to_string());
    }
    inputs_of(handler, &requests, Vec::new())
}

/// [`request_inputs`], and what the helpers it hands the request or its body to read: a call
/// `validatePost(req.body)` or `parseFilters(req)` to a function `find` resolves (one level:
/// the helpers' own helpers are not followed). Assistants move validation into such helpers
/// as often as they write it inline.
pub fn request_inputs_with_helpers<'a>(
    handler: &Function,
    find: &dyn Fn(&str) -> Option<&'a Function>,
) -> RequestInputs {
    let mut inputs = request_inputs(handler);
    let mut requests: BTreeSet<String> = ["req", "request"].map(String::from).into();
    if let Some(Some(first)) = handler.param_names().next()
        && (first.starts_with("req") || first == "ctx" || first == "c")
    {
        requests.insert(first.to_string());
    }
    let holders = holders_of(handler, &requests, Vec::new());
    let mut calls: Vec<(String, Vec<Option<Part>>, Vec<bool>)> = Vec::new();
    handler.walk_exprs(&mut |expr| {
        if let ExprKind::Call { callee, args, .. } = &expr.kind
            && let Some(name) = callee.as_name()
        {
            let parts = args
                .iter()
                .map(|arg| part_of(&arg.value, &requests, &holders))
                .collect();
            let whole = args
                .iter()
                .map(|arg| arg.value.as_name().is_some_and(|n| requests.contains(n)))
                .collect();
            calls.push((name.to_string(), parts, whole));
        }
    });
    for (name, parts, whole) in calls {
        if !parts.iter().any(Option::is_some) && !whole.iter().any(|w| *w) {
            continue;
        }
        let Some(helper) = find(&name).filter(|f| !std::ptr::eq(*f, handler)) else {
            continue;
        };
        let mut helper_requests = BTreeSet::new();
        let mut helper_holders = Vec::new();
        for (index, param) in helper.param_names().enumerate() {
            let Some(param) = param else { continue };
            if whole.get(index).copied().unwrap_or(false) {
                helper_requests.insert(param.to_string());
            } else if let Some(Some(part)) = parts.get(index) {
                helper_holders.push((param.to_string(), *part));
            }
        }
        let read = inputs_of(helper, &helper_requests, helper_holders);
        for field in read.body {
            if !inputs.body.contains(&field) {
                inputs.body.push(field);
            }
        }
        for field in read.query {
            if !inputs.query.contains(&field) {
                inputs.query.push(field);
            }
        }
        if inputs.encoding.is_none() {
            inputs.encoding = read.encoding;
        }
    }
    inputs
}

/// Names bound to the body or the query (`const data = req.body`, `data =
/// request.get_json()`), after those `given`.
fn holders_of(
    function: &Function,
    requests: &BTreeSet<String>,
    given: Vec<(String, Part)>,
) -> Vec<(String, Part)> {
    let mut holders = given;
    function.walk_stmts(&mut |stmt| {
        if let StmtKind::Assign {
            target: Pattern::Name(name),
            value,
            ..
        } = &stmt.kind
            && let Some(part) = part_of(value, requests, &holders)
        {
            holders.push((name.clone(), part));
        }
    });
    holders
}

/// The inputs `function` reads through `requests` (names of the request object) and
/// `holders` (names already bound to its body or query: a helper's parameter).
fn inputs_of(
    handler: &Function,
    requests: &BTreeSet<String>,
    holders: Vec<(String, Part)>,
) -> RequestInputs {
    // Names bound to the body or the query, found first so that reads through them count
    // wherever they are.
    let holders = holders_of(handler, requests, holders);
    // The strongest encoding read wins: a file means multipart, a form field a form.
    let mut encoding: Option<&'static str> = None;
    let rank = |e: Option<&str>| match e {
        Some("multipart") => 3,
        Some("form") => 2,
        Some("json") => 1,
        _ => 0,
    };
    handler.walk_exprs(&mut |expr| {
        let read = match &expr.kind {
            ExprKind::Member { object, property }
                if object.as_name().is_some_and(|n| requests.contains(n)) =>
            {
                encoding_of(property)
            }
            ExprKind::Call { callee, .. } => match &callee.kind {
                ExprKind::Member { object, property }
                    if object.as_name().is_some_and(|n| requests.contains(n)) =>
                {
                    encoding_of(property)
                }
                _ => None,
            },
            _ => None,
        };
        if rank(read) > rank(encoding) {
            encoding = read;
        }
    });
    let mut inputs = RequestInputs::default();
    let mut add = |part: Part, name: &str| {
        let list = match part {
            Part::Body => &mut inputs.body,
            Part::Query => &mut inputs.query,
        };
        if is_field_name(name) && !list.iter().any(|known| known == name) {
            list.push(name.to_string());
        }
    };
    handler.walk_stmts(&mut |stmt| {
        if let StmtKind::Assign {
            target: Pattern::Object { props, .. },
            value,
            ..
        } = &stmt.kind
            && let Some(part) = part_of(value, requests, &holders)
        {
            for (name, _) in props {
                add(part, name);
            }
        }
    });
    handler.walk_exprs(&mut |expr| match &expr.kind {
        ExprKind::Member { object, property } => {
            if let Some(part) = part_of(object, requests, &holders) {
                add(part, property);
            }
        }
        ExprKind::Index { object, index } => {
            if let (Some(part), Some(name)) = (part_of(object, requests, &holders), index.as_str())
            {
                add(part, name);
            }
        }
        ExprKind::Call { callee, args, .. } => {
            if let ExprKind::Member { object, property } = &callee.kind
                && GETTERS.contains(&property.as_str())
                && let Some(part) = part_of(object, requests, &holders)
                && let Some(name) = args.first().and_then(|arg| arg.value.as_str())
            {
                add(part, name);
            }
        }
        _ => {}
    });
    inputs.encoding = encoding;
    inputs
}

/// Whether `expr` is the body or the query of a request: `req.body`, `request.args`,
/// `request.get_json()`, `await request.json()`, or a name bound to one.
fn part_of(expr: &Expr, requests: &BTreeSet<String>, holders: &[(String, Part)]) -> Option<Part> {
    let is_request =
        |expr: &Expr| matches!(&expr.kind, ExprKind::Name(name) if requests.contains(name));
    match &expr.kind {
        ExprKind::Name(name) => holders
            .iter()
            .rev()
            .find(|(held, _)| held == name)
            .map(|(_, part)| *part),
        ExprKind::Member { object, property } if is_request(object) => {
            if BODY.contains(&property.as_str()) {
                Some(Part::Body)
            } else if QUERY.contains(&property.as_str()) {
                Some(Part::Query)
            } else {
                None
            }
        }
        ExprKind::Call { callee, .. } => match &callee.kind {
            ExprKind::Member { object, property }
                if is_request(object) && BODY_CALLS.contains(&property.as_str()) =>
            {
                Some(Part::Body)
            }
            _ => None,
        },
        ExprKind::Await(inner) => part_of(inner, requests, holders),
        // `req.body || {}`, `request.get_json(silent=True) or {}`.
        ExprKind::Binary { op, left, .. } if matches!(*op, "||" | "or" | "??") => {
            part_of(left, requests, holders)
        }
        _ => None,
    }
}

/// A name a client sends: letters, digits, `_` and `-`, not a method of the holder.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(
            name,
            "get"
                | "getlist"
                | "keys"
                | "values"
                | "items"
                | "length"
                | "hasOwnProperty"
                | "toString"
                | "copy"
                | "to_dict"
                | "dict"
        )
}
