//! JavaScript, TypeScript and TSX (the grammars share their node kinds) to the program model.
//! Types are dropped; CommonJS `require` and `module.exports` are read as imports and exports.

use tree_sitter::Node;

use super::{Builder, named_children, range};
use crate::ir::{
    Arg, Export, Expr, ExprKind, Field, Handler, Import, Imported, Param, Pattern, Prop, PropKey,
    Stmt, StmtKind,
};

pub(super) fn lower_program(b: &mut Builder<'_>, root: Node<'_>) {
    let body = statements(b, named_children(root));
    b.functions[0].body = body;
    b.functions[0].range = range(root);
}

fn statements(b: &mut Builder<'_>, nodes: Vec<Node<'_>>) -> Vec<Stmt> {
    let mut out = Vec::new();
    for node in nodes {
        statement(b, node, &mut out);
    }
    out
}

fn body_of(b: &mut Builder<'_>, node: Option<Node<'_>>) -> Vec<Stmt> {
    let Some(node) = node else {
        return Vec::new();
    };
    let mut out = Vec::new();
    statement(b, node, &mut out);
    // A block lowers to one `Block`; unwrap it so bodies are flat lists.
    if out.len() == 1
        && let StmtKind::Block(_) = out[0].kind
        && let Some(Stmt {
            kind: StmtKind::Block(inner),
            ..
        }) = out.pop()
    {
        return inner;
    }
    out
}

fn statement(b: &mut Builder<'_>, node: Node<'_>, out: &mut Vec<Stmt>) {
    if !b.enter() {
        return;
    }
    statement_inner(b, node, out);
    b.leave();
}

fn statement_inner(b: &mut Builder<'_>, node: Node<'_>, out: &mut Vec<Stmt>) {
    let r = range(node);
    let push = |out: &mut Vec<Stmt>, kind: StmtKind| out.push(Stmt { kind, range: r });
    match node.kind() {
        "expression_statement" => {
            for child in named_children(node) {
                expression_statement(b, child, out);
            }
        }
        "lexical_declaration" | "variable_declaration" => {
            for declarator in named_children(node) {
                if declarator.kind() != "variable_declarator" {
                    continue;
                }
                let (Some(name), Some(value)) =
                    (b.field(declarator, "name"), b.field(declarator, "value"))
                else {
                    continue;
                };
                let target = pattern(b, name);
                let value = expr(b, value);
                assign(b, target, value, false, range(declarator), out);
            }
        }
        "function_declaration" | "generator_function_declaration" | "function_signature" => {
            if b.field(node, "body").is_none() {
                return;
            }
            let id = function(b, node, None);
            push(out, StmtKind::Function(id));
        }
        "class_declaration" | "abstract_class_declaration" => {
            let id = class(b, node);
            push(out, StmtKind::Class(id));
        }
        "return_statement" => {
            let value = named_children(node).first().map(|child| expr(b, *child));
            push(out, StmtKind::Return(value));
        }
        "throw_statement" => {
            let value = named_children(node).first().map(|child| expr(b, *child));
            push(out, StmtKind::Throw(value));
        }
        "if_statement" => {
            let test = condition(b, b.field(node, "condition"), r);
            let consequent = body_of(b, b.field(node, "consequence"));
            let alternate = match b.field(node, "alternative") {
                Some(clause) => {
                    let inner = named_children(clause).into_iter().next();
                    body_of(b, inner)
                }
                None => Vec::new(),
            };
            push(
                out,
                StmtKind::If {
                    test,
                    consequent,
                    alternate,
                },
            );
        }
        "for_statement" => {
            let mut block = Vec::new();
            if let Some(init) = b.field(node, "initializer") {
                statement(b, init, &mut block);
            }
            let test = b
                .field(node, "condition")
                .and_then(|c| named_children(c).into_iter().next().or(Some(c)))
                .filter(|c| c.kind() != "empty_statement")
                .map(|c| expr(b, c));
            let mut body = body_of(b, b.field(node, "body"));
            if let Some(increment) = b.field(node, "increment") {
                let increment = expr(b, increment);
                body.push(Stmt {
                    range: increment.range,
                    kind: StmtKind::Expr(increment),
                });
            }
            block.push(Stmt {
                kind: StmtKind::Loop {
                    binding: None,
                    test,
                    body,
                },
                range: r,
            });
            push(out, StmtKind::Block(block));
        }
        "for_in_statement" => {
            let binding = match (b.field(node, "left"), b.field(node, "right")) {
                (Some(left), Some(right)) => Some((pattern(b, left), expr(b, right))),
                _ => None,
            };
            let body = body_of(b, b.field(node, "body"));
            push(
                out,
                StmtKind::Loop {
                    binding,
                    test: None,
                    body,
                },
            );
        }
        "while_statement" | "do_statement" => {
            let test = Some(condition(b, b.field(node, "condition"), r));
            let body = body_of(b, b.field(node, "body"));
            push(
                out,
                StmtKind::Loop {
                    binding: None,
                    test,
                    body,
                },
            );
        }
        "try_statement" => {
            let body = body_of(b, b.field(node, "body"));
            let mut handlers = Vec::new();
            if let Some(clause) = b.field(node, "handler") {
                let param = b.field(clause, "parameter").map(|p| pattern(b, p));
                let body = body_of(b, b.field(clause, "body"));
                handlers.push(Handler {
                    types: Vec::new(),
                    param,
                    body,
                    range: range(clause),
                });
            }
            let finally = match b.field(node, "finalizer") {
                Some(clause) => body_of(b, b.field(clause, "body")),
                None => Vec::new(),
            };
            push(
                out,
                StmtKind::Try {
                    body,
                    handlers,
                    finally,
                },
            );
        }
        "statement_block" | "class_static_block" => {
            let inner = match node.kind() {
                "class_static_block" => body_of(b, b.field(node, "body")),
                _ => statements(b, named_children(node)),
            };
            push(out, StmtKind::Block(inner));
        }
        "switch_statement" => {
            let value = condition(b, b.field(node, "value"), r);
            let cases: Vec<Node<'_>> = b
                .field(node, "body")
                .map(named_children)
                .unwrap_or_default();
            // Cases are alternatives: a `return` in one must not make the next look dead.
            let mut chain: Vec<Stmt> = Vec::new();
            for case in cases.into_iter().rev() {
                let test = b
                    .field(case, "value")
                    .map(|v| expr(b, v))
                    .unwrap_or_else(|| value.clone());
                let mut body_nodes = Vec::new();
                let mut cursor = case.walk();
                for child in case.children_by_field_name("body", &mut cursor) {
                    body_nodes.push(child);
                }
                let body = statements(b, body_nodes);
                chain = vec![Stmt {
                    kind: StmtKind::If {
                        test,
                        consequent: body,
                        alternate: chain,
                    },
                    range: range(case),
                }];
            }
            let mut block = vec![Stmt {
                range: value.range,
                kind: StmtKind::Expr(value),
            }];
            block.extend(chain);
            push(out, StmtKind::Block(block));
        }
        "labeled_statement" => {
            if let Some(body) = b.field(node, "body") {
                statement(b, body, out);
            }
        }
        "with_statement" => {
            let body = body_of(b, b.field(node, "body"));
            push(out, StmtKind::Block(body));
        }
        "import_statement" => import_statement(b, node),
        "export_statement" => export_statement(b, node, out),
        "module" | "internal_module" => {
            let body = body_of(b, b.field(node, "body"));
            push(out, StmtKind::Block(body));
        }
        "ambient_declaration"
        | "interface_declaration"
        | "type_alias_declaration"
        | "enum_declaration"
        | "empty_statement"
        | "break_statement"
        | "continue_statement"
        | "debugger_statement"
        | "comment"
        | "hash_bang_line"
        | "import_alias" => {}
        _ => {
            // An expression where a statement was expected (error recovery), or syntax this
            // model does not name: keep what it computes.
            let value = expr(b, node);
            push(out, StmtKind::Expr(value));
        }
    }
}

fn condition(b: &mut Builder<'_>, node: Option<Node<'_>>, fallback: crate::ir::Range) -> Expr {
    match node {
        Some(node) => expr(b, node),
        None => Builder::nothing(fallback),
    }
}

fn expression_statement(b: &mut Builder<'_>, node: Node<'_>, out: &mut Vec<Stmt>) {
    let r = range(node);
    match node.kind() {
        "assignment_expression" => {
            let (Some(left), Some(right)) = (b.field(node, "left"), b.field(node, "right")) else {
                return;
            };
            let target = pattern(b, left);
            let value = expr(b, right);
            assign(b, target, value, false, r, out);
        }
        "augmented_assignment_expression" => {
            let (Some(left), Some(right)) = (b.field(node, "left"), b.field(node, "right")) else {
                return;
            };
            let target = pattern(b, left);
            let value = expr(b, right);
            out.push(Stmt {
                kind: StmtKind::Assign {
                    target,
                    value,
                    augmented: true,
                },
                range: r,
            });
        }
        _ => {
            let value = expr(b, node);
            out.push(Stmt {
                kind: StmtKind::Expr(value),
                range: r,
            });
        }
    }
}

/// An assignment, reading `require(...)` as an import and `module.exports` / `exports.x` as
/// exports.
fn assign(
    b: &mut Builder<'_>,
    target: Pattern,
    value: Expr,
    augmented: bool,
    r: crate::ir::Range,
    out: &mut Vec<Stmt>,
) {
    if let Some((source, member)) = required_module(&value) {
        let import = |local: &str, imported: Imported| Import {
            local: local.to_string(),
            source: source.to_string(),
            imported,
            range: r,
        };
        match (&target, member) {
            (Pattern::Name(local), None) => {
                b.imports.push(import(local, Imported::Module));
                return;
            }
            (Pattern::Name(local), Some(member)) => {
                b.imports
                    .push(import(local, Imported::Named(member.to_string())));
                return;
            }
            (Pattern::Object { props, rest: None }, None) => {
                for (key, pattern) in props {
                    if let Pattern::Name(local) = pattern {
                        b.imports.push(import(local, Imported::Named(key.clone())));
                    }
                }
                return;
            }
            _ => {}
        }
    }
    if let Pattern::Name(name) = &target {
        b.name_function(&value, name);
    }
    if b.current == 0
        && let Pattern::Target(target_expr) = &target
        && let Some(path) = target_expr.member_path()
    {
        match path.as_slice() {
            ["module", "exports"] => b.exports.push(Export {
                name: "*".into(),
                value: value.clone(),
            }),
            ["module", "exports", name] | ["exports", name] => {
                let name = name.to_string();
                b.name_function(&value, &name);
                b.exports.push(Export {
                    name,
                    value: value.clone(),
                });
            }
            _ => {}
        }
    }
    out.push(Stmt {
        kind: StmtKind::Assign {
            target,
            value,
            augmented,
        },
        range: r,
    });
}

/// `require('x')` → (`x`, None); `require('x').y` → (`x`, Some(`y`)).
fn required_module(value: &Expr) -> Option<(&str, Option<&str>)> {
    match &value.kind {
        ExprKind::Call { callee, args, .. }
            if callee.as_name() == Some("require") && args.len() == 1 =>
        {
            Some((args[0].value.as_str()?, None))
        }
        ExprKind::Member { object, property } => {
            let (source, None) = required_module(object)? else {
                return None;
            };
            Some((source, Some(property)))
        }
        _ => None,
    }
}

fn import_statement(b: &mut Builder<'_>, node: Node<'_>) {
    let source_node = b.field(node, "source").or_else(|| {
        named_children(node)
            .into_iter()
            .find(|c| c.kind() == "import_require_clause")
            .and_then(|clause| b.field(clause, "source"))
    });
    let Some(source) = source_node.map(|s| string_value(b, s)) else {
        return;
    };
    let r = range(node);
    for child in named_children(node) {
        match child.kind() {
            "import_clause" => {
                for part in named_children(child) {
                    match part.kind() {
                        "identifier" => b.imports.push(Import {
                            local: b.text(part).to_string(),
                            source: source.clone(),
                            imported: Imported::Default,
                            range: r,
                        }),
                        "namespace_import" => {
                            if let Some(name) = named_children(part).first() {
                                b.imports.push(Import {
                                    local: b.text(*name).to_string(),
                                    source: source.clone(),
                                    imported: Imported::Module,
                                    range: r,
                                });
                            }
                        }
                        "named_imports" => {
                            for specifier in named_children(part) {
                                let Some(name) = b.field(specifier, "name") else {
                                    continue;
                                };
                                let imported = b.text(name).trim_matches(['"', '\'']).to_string();
                                let local = b
                                    .field(specifier, "alias")
                                    .map(|a| b.text(a).to_string())
                                    .unwrap_or_else(|| imported.clone());
                                let imported = if imported == "default" {
                                    Imported::Default
                                } else {
                                    Imported::Named(imported)
                                };
                                b.imports.push(Import {
                                    local,
                                    source: source.clone(),
                                    imported,
                                    range: r,
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
            "import_require_clause" => {
                if let Some(name) = named_children(child).first() {
                    b.imports.push(Import {
                        local: b.text(*name).to_string(),
                        source: source.clone(),
                        imported: Imported::Module,
                        range: r,
                    });
                }
            }
            _ => {}
        }
    }
}

fn export_statement(b: &mut Builder<'_>, node: Node<'_>, out: &mut Vec<Stmt>) {
    let r = range(node);
    let source = b.field(node, "source").map(|s| string_value(b, s));
    let is_default = (0..node.child_count())
        .any(|i| node.child(i).is_some_and(|child| child.kind() == "default"));
    if let Some(declaration) = b.field(node, "declaration") {
        let before = out.len();
        statement(b, declaration, out);
        let mut names = Vec::new();
        for stmt in &out[before..] {
            match &stmt.kind {
                StmtKind::Function(id) => names.extend(b.functions[*id].name.clone()),
                StmtKind::Class(id) => names.extend(b.classes[*id].name.clone()),
                StmtKind::Assign { target, .. } => {
                    names.extend(target.names().into_iter().map(str::to_string))
                }
                _ => {}
            }
        }
        if is_default && let Some(name) = names.first() {
            b.exports.push(Export {
                name: "default".into(),
                value: Expr::new(ExprKind::Name(name.clone()), r),
            });
        }
        // `export const x = require(...)` became an import, not a statement.
        for name in names {
            b.exports.push(Export {
                value: Expr::new(ExprKind::Name(name.clone()), r),
                name,
            });
        }
        return;
    }
    if let Some(value) = b.field(node, "value") {
        let value = match value.kind() {
            "function_declaration" | "generator_function_declaration" | "class_declaration" => {
                let before = out.len();
                statement(b, value, out);
                match out.get(before).map(|s| &s.kind) {
                    Some(StmtKind::Function(id)) => Expr::new(ExprKind::Function(*id), r),
                    Some(StmtKind::Class(id)) => Expr::new(ExprKind::Class(*id), r),
                    _ => Builder::nothing(r),
                }
            }
            _ => expr(b, value),
        };
        if is_default {
            b.exports.push(Export {
                name: "default".into(),
                value,
            });
        }
        return;
    }
    let mut any_clause = false;
    for child in named_children(node) {
        match child.kind() {
            "export_clause" => {
                any_clause = true;
                for specifier in named_children(child) {
                    let Some(name) = b.field(specifier, "name") else {
                        continue;
                    };
                    let local = b.text(name).to_string();
                    let exported = b
                        .field(specifier, "alias")
                        .map(|a| b.text(a).to_string())
                        .unwrap_or_else(|| local.clone());
                    let value_name = match &source {
                        Some(source) => {
                            let synthetic = format!("{exported}@{source}");
                            b.imports.push(Import {
                                local: synthetic.clone(),
                                source: source.clone(),
                                imported: if local == "default" {
                                    Imported::Default
                                } else {
                                    Imported::Named(local)
                                },
                                range: r,
                            });
                            synthetic
                        }
                        None => local,
                    };
                    b.exports.push(Export {
                        name: exported,
                        value: Expr::new(ExprKind::Name(value_name), r),
                    });
                }
            }
            "namespace_export" => {
                any_clause = true;
                if let (Some(source), Some(name)) = (&source, named_children(child).first()) {
                    let exported = b.text(*name).to_string();
                    let synthetic = format!("{exported}@{source}");
                    b.imports.push(Import {
                        local: synthetic.clone(),
                        source: source.clone(),
                        imported: Imported::Module,
                        range: r,
                    });
                    b.exports.push(Export {
                        name: exported,
                        value: Expr::new(ExprKind::Name(synthetic), r),
                    });
                }
            }
            _ => {}
        }
    }
    if !any_clause && let Some(source) = source {
        // `export * from './x'`
        let synthetic = format!("*@{source}");
        b.imports.push(Import {
            local: synthetic.clone(),
            source,
            imported: Imported::Module,
            range: r,
        });
        b.exports.push(Export {
            name: "*from".into(),
            value: Expr::new(ExprKind::Name(synthetic), r),
        });
    }
}

/// A function-like node (declaration, expression, arrow, method) into a new function.
fn function(b: &mut Builder<'_>, node: Node<'_>, name: Option<String>) -> usize {
    let name = name.or_else(|| b.field(node, "name").map(|n| b.text(n).to_string()));
    let id = b.start_function(name, range(node));
    let outer = b.current;
    let outer_class = b.current_class;
    b.current = id;
    if !matches!(node.kind(), "method_definition") {
        b.current_class = None;
    }
    let mut params = Vec::new();
    if let Some(list) = b.field(node, "parameters") {
        for param in named_children(list) {
            if let Some(param) = parameter(b, param) {
                params.push(param);
            }
        }
    } else if let Some(single) = b.field(node, "parameter") {
        params.push(Param {
            pattern: pattern(b, single),
            annotation: None,
            default: None,
            variadic: false,
            range: range(single),
        });
    }
    let body = match b.field(node, "body") {
        Some(body) if body.kind() == "statement_block" => statements(b, named_children(body)),
        Some(body) => {
            let value = expr(b, body);
            vec![Stmt {
                range: value.range,
                kind: StmtKind::Return(Some(value)),
            }]
        }
        None => Vec::new(),
    };
    b.current = outer;
    b.current_class = outer_class;
    let function = &mut b.functions[id];
    function.params = params;
    function.body = body;
    id
}

fn parameter(b: &mut Builder<'_>, node: Node<'_>) -> Option<Param> {
    let r = range(node);
    match node.kind() {
        "required_parameter" | "optional_parameter" => {
            let target = b.field(node, "pattern")?;
            let annotation = b
                .field(node, "type")
                .map(|t| b.text(t).trim_start_matches(':').trim().to_string());
            let default = b.field(node, "value").map(|v| expr(b, v));
            let variadic = target.kind() == "rest_pattern";
            Some(Param {
                pattern: pattern(b, target),
                annotation,
                default,
                variadic,
                range: r,
            })
        }
        "assignment_pattern" => {
            let left = b.field(node, "left")?;
            let default = b.field(node, "right").map(|v| expr(b, v));
            Some(Param {
                pattern: pattern(b, left),
                annotation: None,
                default,
                variadic: false,
                range: r,
            })
        }
        "rest_pattern" => Some(Param {
            pattern: pattern(b, node),
            annotation: None,
            default: None,
            variadic: true,
            range: r,
        }),
        "identifier" | "object_pattern" | "array_pattern" => Some(Param {
            pattern: pattern(b, node),
            annotation: None,
            default: None,
            variadic: false,
            range: r,
        }),
        _ => None,
    }
}

fn pattern(b: &mut Builder<'_>, node: Node<'_>) -> Pattern {
    match node.kind() {
        "identifier" | "shorthand_property_identifier_pattern" | "this" => {
            Pattern::Name(b.text(node).to_string())
        }
        "object_pattern" => {
            let mut props = Vec::new();
            let mut rest = None;
            for child in named_children(node) {
                match child.kind() {
                    "shorthand_property_identifier_pattern" => {
                        let name = b.text(child).to_string();
                        props.push((name.clone(), Pattern::Name(name)));
                    }
                    "object_assignment_pattern" => {
                        if let Some(left) = b.field(child, "left") {
                            let name = b.text(left).to_string();
                            props.push((name, pattern(b, left)));
                        }
                    }
                    "pair_pattern" => {
                        if let (Some(key), Some(value)) =
                            (b.field(child, "key"), b.field(child, "value"))
                        {
                            let key = property_key_text(b, key);
                            props.push((key, pattern(b, value)));
                        }
                    }
                    "rest_pattern" => rest = Some(Box::new(pattern(b, child))),
                    _ => {}
                }
            }
            Pattern::Object { props, rest }
        }
        "array_pattern" => Pattern::Array(
            named_children(node)
                .into_iter()
                .map(|child| pattern(b, child))
                .collect(),
        ),
        "rest_pattern" | "assignment_pattern" => match named_children(node).first() {
            Some(inner) if node.kind() == "rest_pattern" => pattern(b, *inner),
            _ => b
                .field(node, "left")
                .map(|left| pattern(b, left))
                .unwrap_or(Pattern::Ignore),
        },
        "member_expression"
        | "subscript_expression"
        | "parenthesized_expression"
        | "non_null_expression" => Pattern::Target(Box::new(expr(b, node))),
        _ => Pattern::Ignore,
    }
}

fn property_key_text(b: &Builder<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "string" => string_value(b, key),
        _ => b.text(key).to_string(),
    }
}

fn class(b: &mut Builder<'_>, node: Node<'_>) -> usize {
    let name = b.field(node, "name").map(|n| b.text(n).to_string());
    let id = b.start_class(name, range(node));
    let outer_class = b.current_class;
    b.current_class = Some(id);
    let mut bases = Vec::new();
    let mut decorators = Vec::new();
    // `@Entity() export class X {}`: the decorators belong to the export statement.
    if let Some(parent) = node.parent()
        && parent.kind() == "export_statement"
    {
        for child in named_children(parent) {
            if child.kind() == "decorator" {
                decorators.extend(decorator(b, child));
            }
        }
    }
    for child in named_children(node) {
        match child.kind() {
            "class_heritage" => {
                for clause in named_children(child) {
                    match clause.kind() {
                        "extends_clause" => {
                            if let Some(value) = b.field(clause, "value") {
                                bases.push(expr(b, value));
                            }
                        }
                        // `class X extends Y` in plain JavaScript has no clause node.
                        "implements_clause" => {}
                        _ => bases.push(expr(b, clause)),
                    }
                }
            }
            "decorator" => decorators.extend(decorator(b, child)),
            _ => {}
        }
    }
    let mut fields = Vec::new();
    let mut methods = Vec::new();
    let mut pending_decorators = Vec::new();
    if let Some(body) = b.field(node, "body") {
        for member in named_children(body) {
            match member.kind() {
                "decorator" => pending_decorators.extend(decorator(b, member)),
                "method_definition" | "method_signature" | "abstract_method_signature" => {
                    if b.field(member, "body").is_none() {
                        continue;
                    }
                    let method = function(b, member, None);
                    let mut member_decorators = std::mem::take(&mut pending_decorators);
                    for child in named_children(member) {
                        if child.kind() == "decorator" {
                            member_decorators.extend(decorator(b, child));
                        }
                    }
                    b.functions[method].decorators = member_decorators;
                    methods.push(method);
                }
                "public_field_definition" | "field_definition" => {
                    let Some(name_node) = b
                        .field(member, "name")
                        .or_else(|| b.field(member, "property"))
                    else {
                        continue;
                    };
                    let name = property_key_text(b, name_node);
                    let mut field_decorators = std::mem::take(&mut pending_decorators);
                    for child in named_children(member) {
                        if child.kind() == "decorator" {
                            field_decorators.extend(decorator(b, child));
                        }
                    }
                    let value = b.field(member, "value").map(|v| expr(b, v));
                    if let Some(value) = &value {
                        b.name_function(value, &name);
                    }
                    let annotation = b
                        .field(member, "type")
                        .map(|t| b.text(t).trim_start_matches(':').trim().to_string());
                    fields.push(Field {
                        name,
                        value,
                        annotation,
                        decorators: field_decorators,
                        range: range(member),
                    });
                }
                "class_static_block" => {
                    let mut out = Vec::new();
                    statement(b, member, &mut out);
                }
                _ => {}
            }
        }
    }
    b.current_class = outer_class;
    b.class_body(&fields, range(node));
    let class = &mut b.classes[id];
    class.bases = bases;
    class.decorators = decorators;
    class.fields = fields;
    class.methods = methods;
    id
}

fn decorator(b: &mut Builder<'_>, node: Node<'_>) -> Option<Expr> {
    named_children(node).first().map(|inner| expr(b, *inner))
}

/// The text of a string literal node, without quotes.
fn string_value(b: &Builder<'_>, node: Node<'_>) -> String {
    // Drop the opening and closing quote by characters: in broken code the last character of
    // a "string" node is not always a one-byte quote.
    let text = b.text(node);
    let mut chars = text.chars();
    chars.next();
    chars.next_back();
    chars.as_str().to_string()
}

pub(super) fn expr(b: &mut Builder<'_>, node: Node<'_>) -> Expr {
    let r = range(node);
    if !b.enter() {
        return Builder::nothing(r);
    }
    let kind = expr_kind(b, node);
    b.leave();
    Expr::new(kind, r)
}

fn expr_kind(b: &mut Builder<'_>, node: Node<'_>) -> ExprKind {
    match node.kind() {
        "identifier"
        | "shorthand_property_identifier"
        | "this"
        | "super"
        | "property_identifier"
        | "private_property_identifier"
        | "type_identifier" => match b.text(node) {
            "undefined" => ExprKind::Null,
            name => ExprKind::Name(name.to_string()),
        },
        "string" => ExprKind::Str(string_value(b, node)),
        "template_string" => template(b, node, None),
        "number" => ExprKind::Number(parse_number(b.text(node))),
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "null" | "undefined" => ExprKind::Null,
        "regex" => ExprKind::Other(Vec::new()),
        "call_expression" => {
            let callee = b.field(node, "function");
            let arguments = b.field(node, "arguments");
            match (callee, arguments) {
                (Some(callee), Some(arguments)) if arguments.kind() == "template_string" => {
                    let tag = expr(b, callee);
                    template(b, arguments, Some(tag))
                }
                (Some(callee), arguments) => ExprKind::Call {
                    callee: Box::new(expr(b, callee)),
                    args: arguments.map(|a| args(b, a)).unwrap_or_default(),
                    new: false,
                },
                (None, _) => other(b, node),
            }
        }
        "new_expression" => match b.field(node, "constructor") {
            Some(callee) => ExprKind::Call {
                callee: Box::new(expr(b, callee)),
                args: b
                    .field(node, "arguments")
                    .map(|a| args(b, a))
                    .unwrap_or_default(),
                new: true,
            },
            None => other(b, node),
        },
        "member_expression" => match (b.field(node, "object"), b.field(node, "property")) {
            (Some(object), Some(property)) => ExprKind::Member {
                object: Box::new(expr(b, object)),
                property: b.text(property).to_string(),
            },
            _ => other(b, node),
        },
        "subscript_expression" => match (b.field(node, "object"), b.field(node, "index")) {
            (Some(object), Some(index)) => ExprKind::Index {
                object: Box::new(expr(b, object)),
                index: Box::new(expr(b, index)),
            },
            _ => other(b, node),
        },
        "binary_expression" => {
            let op = b
                .field(node, "operator")
                .map(|o| crate::ir::operator(b.text(o)))
                .unwrap_or_default();
            match (b.field(node, "left"), b.field(node, "right")) {
                (Some(left), Some(right)) => ExprKind::Binary {
                    op,
                    left: Box::new(expr(b, left)),
                    right: Box::new(expr(b, right)),
                },
                _ => other(b, node),
            }
        }
        "unary_expression" | "update_expression" => {
            let op = b
                .field(node, "operator")
                .map(|o| crate::ir::operator(b.text(o)))
                .unwrap_or_default();
            match b.field(node, "argument") {
                Some(operand) => ExprKind::Unary {
                    op,
                    operand: Box::new(expr(b, operand)),
                },
                None => other(b, node),
            }
        }
        "assignment_expression" | "augmented_assignment_expression" => {
            match (b.field(node, "left"), b.field(node, "right")) {
                (Some(left), Some(right)) => {
                    let target = pattern(b, left);
                    let value = expr(b, right);
                    if let Pattern::Name(name) = &target {
                        b.name_function(&value, name);
                    }
                    ExprKind::Assign {
                        target: Box::new(target),
                        value: Box::new(value),
                    }
                }
                _ => other(b, node),
            }
        }
        "ternary_expression" => match (
            b.field(node, "condition"),
            b.field(node, "consequence"),
            b.field(node, "alternative"),
        ) {
            (Some(test), Some(consequent), Some(alternate)) => ExprKind::Conditional {
                test: Box::new(expr(b, test)),
                consequent: Box::new(expr(b, consequent)),
                alternate: Box::new(expr(b, alternate)),
            },
            _ => other(b, node),
        },
        "parenthesized_expression"
        | "as_expression"
        | "satisfies_expression"
        | "non_null_expression"
        | "type_assertion"
        | "instantiation_expression" => {
            // The value is the first named child; the rest are types.
            match named_children(node)
                .into_iter()
                .find(|c| !is_type(c.kind()))
            {
                Some(inner) => expr(b, inner).kind,
                None => ExprKind::Other(Vec::new()),
            }
        }
        "sequence_expression" => other(b, node),
        "arrow_function" | "function_expression" | "function" | "generator_function" => {
            ExprKind::Function(function(b, node, None))
        }
        "class" => ExprKind::Class(class(b, node)),
        "object" => {
            let mut props = Vec::new();
            for child in named_children(node) {
                match child.kind() {
                    "pair" => {
                        let (Some(key), Some(value)) =
                            (b.field(child, "key"), b.field(child, "value"))
                        else {
                            continue;
                        };
                        let key = match key.kind() {
                            "computed_property_name" => match named_children(key).first() {
                                Some(inner) => PropKey::Computed(expr(b, *inner)),
                                None => continue,
                            },
                            _ => PropKey::Name(property_key_text(b, key)),
                        };
                        let value = expr(b, value);
                        if let PropKey::Name(name) = &key {
                            b.name_function(&value, name);
                        }
                        props.push(Prop::Pair { key, value });
                    }
                    "shorthand_property_identifier" => {
                        let name = b.text(child).to_string();
                        props.push(Prop::Pair {
                            key: PropKey::Name(name.clone()),
                            value: Expr::new(ExprKind::Name(name), range(child)),
                        });
                    }
                    "spread_element" => {
                        if let Some(inner) = named_children(child).first() {
                            props.push(Prop::Spread(expr(b, *inner)));
                        }
                    }
                    "method_definition" => {
                        let key = b
                            .field(child, "name")
                            .map(|n| property_key_text(b, n))
                            .unwrap_or_default();
                        let id = function(b, child, Some(key.clone()));
                        props.push(Prop::Pair {
                            key: PropKey::Name(key),
                            value: Expr::new(ExprKind::Function(id), range(child)),
                        });
                    }
                    _ => {}
                }
            }
            ExprKind::Object(props)
        }
        "array" => ExprKind::Array(
            named_children(node)
                .into_iter()
                .map(|child| expr(b, child))
                .collect(),
        ),
        "await_expression" | "yield_expression" => match named_children(node).first() {
            Some(inner) => ExprKind::Await(Box::new(expr(b, *inner))),
            None => ExprKind::Null,
        },
        "spread_element" => match named_children(node).first() {
            Some(inner) => ExprKind::Spread(Box::new(expr(b, *inner))),
            None => ExprKind::Null,
        },
        _ => other(b, node),
    }
}

fn is_type(kind: &str) -> bool {
    kind.ends_with("_type")
        || matches!(
            kind,
            "type_identifier" | "predefined_type" | "type_arguments" | "type_annotation"
        )
}

fn other(b: &mut Builder<'_>, node: Node<'_>) -> ExprKind {
    ExprKind::Other(
        named_children(node)
            .into_iter()
            .filter(|child| !is_type(child.kind()))
            .map(|child| expr(b, child))
            .collect(),
    )
}

fn template(b: &mut Builder<'_>, node: Node<'_>, tag: Option<Expr>) -> ExprKind {
    let mut quasis = vec![String::new()];
    let mut exprs = Vec::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "template_substitution" => {
                let inner = named_children(child).into_iter().next();
                exprs.push(match inner {
                    Some(inner) => expr(b, inner),
                    None => Builder::nothing(range(child)),
                });
                quasis.push(String::new());
            }
            _ => {
                if let Some(last) = quasis.last_mut() {
                    last.push_str(b.text(child));
                }
            }
        }
    }
    ExprKind::Template {
        tag: tag.map(Box::new),
        quasis,
        exprs,
    }
}

fn args(b: &mut Builder<'_>, node: Node<'_>) -> Vec<Arg> {
    named_children(node)
        .into_iter()
        .map(|child| Arg {
            name: None,
            value: expr(b, child),
        })
        .collect()
}

fn parse_number(text: &str) -> f64 {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let cleaned = cleaned.trim_end_matches('n');
    if let Some(hex) = cleaned
        .strip_prefix("0x")
        .or_else(|| cleaned.strip_prefix("0X"))
    {
        return i64::from_str_radix(hex, 16).map_or(0.0, |v| v as f64);
    }
    cleaned.parse().unwrap_or(0.0)
}
