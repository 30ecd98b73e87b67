//! Name lookups inside a function, for rules and the route model: which parameter or local
//! assignment a name refers to, searching the function and then the functions around it.

use crate::ir::{Expr, FunctionId, Module, Pattern, StmtKind};

/// The parameter a name refers to in function `function` (or a function around it).
pub fn param_of(module: &Module, function: FunctionId, name: &str) -> Option<(FunctionId, usize)> {
    let mut current = Some(function);
    while let Some(id) = current {
        let f = &module.functions[id];
        if let Some(index) = f
            .params
            .iter()
            .position(|p| p.pattern.names().contains(&name))
        {
            return Some((id, index));
        }
        if assigned_in(module, id, name).is_some() {
            return None;
        }
        current = f.parent;
    }
    None
}

/// The value last assigned to `name` in function `function` (or, when it has none there, in
/// the functions around it), before byte offset `before`.
pub fn definition_before<'m>(
    module: &'m Module,
    function: FunctionId,
    name: &str,
    before: u32,
) -> Option<&'m Expr> {
    let mut current = Some(function);
    while let Some(id) = current {
        let f = &module.functions[id];
        if f.params.iter().any(|p| p.pattern.names().contains(&name)) {
            return None;
        }
        let mut found = None;
        f.walk_stmts(&mut |stmt| {
            if stmt.range.start_byte >= before {
                return;
            }
            if let StmtKind::Assign {
                target: Pattern::Name(target),
                value,
                augmented: false,
            } = &stmt.kind
                && target == name
            {
                found = Some(value);
            }
        });
        if found.is_some() {
            return found;
        }
        current = f.parent;
    }
    None
}

/// The value last assigned to `name` anywhere in function `function` itself.
pub fn assigned_in<'m>(module: &'m Module, function: FunctionId, name: &str) -> Option<&'m Expr> {
    let mut found = None;
    module.functions[function].walk_stmts(&mut |stmt| {
        if let StmtKind::Assign { target, value, .. } = &stmt.kind
            && target.names().contains(&name)
        {
            found = Some(value);
        }
    });
    found
}

/// Follows a name to the value it was assigned (through `await` and plain re-assignments),
/// up to a few hops; returns the expression itself when it is not a name with a known value.
pub fn resolve_value<'m>(module: &'m Module, function: FunctionId, expr: &'m Expr) -> &'m Expr {
    let mut current = expr.unwrap_await();
    for _ in 0..4 {
        let Some(name) = current.as_name() else { break };
        match definition_before(module, function, name, current.range.start_byte) {
            Some(value) => current = value.unwrap_await(),
            None => break,
        }
    }
    current
}
