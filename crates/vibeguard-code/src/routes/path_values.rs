//! Route paths computed the way the app computes them, for routes registered in loops and
//! helper functions: `for (const name of ['users', 'posts']) app.get(`/api/${name}`, …)`,
//! `models.forEach(({ path }) => router.get(path, …))`, `crud(app, '/api/notes', Note)` with
//! `function crud(router, base) { router.get(`${base}/:id`, …) }`.
//!
//! A small constant evaluator: strings, numbers, template strings, `+`, names bound by the
//! enclosing loops and `forEach`/`map` callbacks (over literal arrays, objects, constants and
//! `Object.keys/values/entries`), by a helper's parameters at its call site, or assigned
//! constants. Anything else is unknown, and the caller keeps the path as written: an unknown
//! part is never guessed.

use crate::ir::{Expr, ExprKind, FunctionId, Pattern, Prop, Range, StmtKind};
use crate::project::{ModuleId, Project, Symbol};

/// At most this many bindings are enumerated for one registration (loops multiply).
const MAX_ENVIRONMENTS: usize = 64;
/// How far names are followed to their values.
const MAX_DEPTH: u32 = 8;

/// A value the evaluator knows.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Text(String),
    Record(Vec<(String, Value)>),
    List(Vec<Value>),
}

/// Names bound to known values, innermost last.
pub(super) type Env = Vec<(String, Value)>;

/// The bindings of the loops and iteration callbacks around byte range `at` of `function`:
/// one environment per iteration (a single empty one when nothing encloses it).
pub(super) fn loop_envs(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    at: Range,
    base: &Env,
) -> Vec<Env> {
    let mut envs = enclosing(project, module, function, at, base, 0);
    envs.truncate(MAX_ENVIRONMENTS);
    envs
}

fn enclosing(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    at: Range,
    base: &Env,
    depth: u32,
) -> Vec<Env> {
    let m = &project.modules[module];
    let f = &m.functions[function];
    // The callback's own iteration first: `xs.forEach((x) => …)` binds `x` per element of `xs`.
    let mut envs: Vec<Env> = vec![base.clone()];
    if depth < 4
        && let Some(parent) = f.parent
        && let Some((iterable, call_range)) = iterated_by(project, module, parent, function)
    {
        let outer = enclosing(project, module, parent, call_range, base, depth + 1);
        envs = bind_each(project, module, parent, &outer, iterable, f.params.first());
    }
    // Then the loops of this function around `at`, outermost first.
    let mut loops = Vec::new();
    f.walk_stmts(&mut |stmt| {
        if let StmtKind::Loop {
            binding: Some((pattern, iterable)),
            ..
        } = &stmt.kind
            && stmt.range.start_byte <= at.start_byte
            && at.end_byte <= stmt.range.end_byte
        {
            loops.push((pattern, iterable));
        }
    });
    for (pattern, iterable) in loops {
        let mut next = Vec::new();
        for env in &envs {
            if let Some(Value::List(items)) = eval(project, module, function, iterable, env, 0) {
                for item in items {
                    let mut bound = env.clone();
                    bind(pattern, &item, &mut bound);
                    next.push(bound);
                }
            }
            if next.len() >= MAX_ENVIRONMENTS {
                break;
            }
        }
        // A loop over something unknown binds nothing: its names stay unknown.
        if !next.is_empty() {
            envs = next;
        }
    }
    envs
}

/// The array a callback function iterates (`xs.forEach(cb)`, `xs.map(cb)`), with the call.
fn iterated_by(
    project: &Project,
    module: ModuleId,
    parent: FunctionId,
    callback: FunctionId,
) -> Option<(&Expr, Range)> {
    let mut found = None;
    project.modules[module].functions[parent].walk_exprs(&mut |expr| {
        if let ExprKind::Call { callee, args, .. } = &expr.kind
            && let ExprKind::Member { object, property } = &callee.kind
            && matches!(property.as_str(), "forEach" | "map" | "flatMap")
            && args
                .first()
                .is_some_and(|a| matches!(a.value.kind, ExprKind::Function(id) if id == callback))
        {
            found = Some((object.as_ref(), expr.range));
        }
    });
    found
}

fn bind_each(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    outer: &[Env],
    iterable: &Expr,
    param: Option<&crate::ir::Param>,
) -> Vec<Env> {
    let mut envs = Vec::new();
    for env in outer {
        match (eval(project, module, function, iterable, env, 0), param) {
            (Some(Value::List(items)), Some(param)) => {
                for item in items.into_iter().take(MAX_ENVIRONMENTS) {
                    let mut bound = env.clone();
                    bind(&param.pattern, &item, &mut bound);
                    envs.push(bound);
                }
            }
            _ => envs.push(env.clone()),
        }
    }
    envs.truncate(MAX_ENVIRONMENTS);
    envs
}

/// Binds the names of `pattern` to the parts of `value` it destructures.
pub(super) fn bind(pattern: &Pattern, value: &Value, env: &mut Env) {
    match (pattern, value) {
        (Pattern::Name(name), value) => env.push((name.clone(), value.clone())),
        (Pattern::Object { props, .. }, Value::Record(fields)) => {
            for (key, sub) in props {
                if let Some((_, field)) = fields.iter().find(|(name, _)| name == key) {
                    bind(sub, field, env);
                }
            }
        }
        (Pattern::Array(items), Value::List(values)) => {
            for (sub, value) in items.iter().zip(values) {
                bind(sub, value, env);
            }
        }
        _ => {}
    }
}

/// The text of a path expression under `env`, when every part of it is known.
pub(super) fn text(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &Expr,
    env: &Env,
) -> Option<String> {
    match eval(project, module, function, expr, env, 0)? {
        Value::Text(text) => Some(text),
        _ => None,
    }
}

/// The value of an expression under `env`, when it is known.
pub(super) fn eval(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &Expr,
    env: &Env,
    depth: u32,
) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let again = |expr: &Expr| eval(project, module, function, expr, env, depth + 1);
    match &expr.kind {
        ExprKind::Str(text) => Some(Value::Text(text.clone())),
        ExprKind::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
            Some(Value::Text(format!("{}", *n as i64)))
        }
        ExprKind::Template {
            tag: None,
            quasis,
            exprs,
        } => {
            let mut out = String::new();
            for (index, quasi) in quasis.iter().enumerate() {
                out.push_str(quasi);
                if let Some(part) = exprs.get(index) {
                    let Value::Text(part) = again(part)? else {
                        return None;
                    };
                    out.push_str(&part);
                }
            }
            Some(Value::Text(out))
        }
        ExprKind::Binary {
            op: "+",
            left,
            right,
        } => match (again(left)?, again(right)?) {
            (Value::Text(l), Value::Text(r)) => Some(Value::Text(l + &r)),
            _ => None,
        },
        ExprKind::Name(name) => {
            if let Some((_, value)) = env.iter().rev().find(|(bound, _)| bound == name) {
                return Some(value.clone());
            }
            let m = &project.modules[module];
            if crate::scope::param_of(m, function, name).is_some() {
                return None;
            }
            if let Some(value) =
                crate::scope::definition_before(m, function, name, expr.range.start_byte)
                && !std::ptr::eq(value, expr)
            {
                return eval(project, module, function, value, env, depth + 1);
            }
            match project.resolve_name(module, name)? {
                Symbol::Value(owner, value) if !std::ptr::eq(value, expr) => {
                    eval(project, owner, 0, value, &Vec::new(), depth + 1)
                }
                _ => None,
            }
        }
        ExprKind::Member { object, property } => match again(object)? {
            Value::Record(fields) => fields
                .into_iter()
                .find(|(name, _)| name == property)
                .map(|(_, value)| value),
            Value::List(items) if property == "length" => {
                Some(Value::Text(items.len().to_string()))
            }
            _ => None,
        },
        ExprKind::Array(items) => {
            let mut values = Vec::new();
            for item in items {
                match &item.kind {
                    ExprKind::Spread(inner) => {
                        if let Some(Value::List(more)) = again(inner) {
                            values.extend(more);
                        }
                    }
                    _ => values.extend(again(item)),
                }
            }
            Some(Value::List(values))
        }
        ExprKind::Object(props) => {
            let mut fields = Vec::new();
            for prop in props {
                if let Prop::Pair { key, value } = prop
                    && let Some(name) = key.name()
                    && let Some(value) = again(value)
                {
                    fields.push((name.to_string(), value));
                }
            }
            Some(Value::Record(fields))
        }
        // `Object.keys(x)`, `Object.values(x)`, `Object.entries(x)`.
        ExprKind::Call { callee, args, .. } => {
            let ExprKind::Member { object, property } = &callee.kind else {
                return None;
            };
            if object.as_name() != Some("Object") {
                return None;
            }
            let Value::Record(fields) = again(&args.first()?.value)? else {
                return None;
            };
            let items = fields
                .into_iter()
                .map(|(key, value)| match property.as_str() {
                    "keys" => Some(Value::Text(key)),
                    "values" => Some(value),
                    "entries" => Some(Value::List(vec![Value::Text(key), value])),
                    _ => None,
                })
                .collect::<Option<Vec<Value>>>()?;
            Some(Value::List(items))
        }
        ExprKind::Await(inner) => again(inner),
        _ => None,
    }
}

/// The bindings a helper's parameters get at one call: each parameter bound to its argument's
/// value (or its default), evaluated where the call is.
pub(super) fn call_env(
    project: &Project,
    caller: (ModuleId, FunctionId),
    args: &[crate::ir::Arg],
    at_call: &Env,
    callee: (ModuleId, FunctionId),
) -> Env {
    let (module, function) = caller;
    let mut env = Vec::new();
    let params = &project.modules[callee.0].functions[callee.1].params;
    for (index, param) in params.iter().enumerate() {
        let value = match args.get(index) {
            Some(arg) => eval(project, module, function, &arg.value, at_call, 0),
            None => param
                .default
                .as_ref()
                .and_then(|d| eval(project, callee.0, callee.1, d, &Vec::new(), 0)),
        };
        if let Some(value) = value {
            bind(&param.pattern, &value, &mut env);
        }
    }
    env
}
