//! Python 3 to the program model. f-strings become templates; `import` and `from ... import`
//! become imports; a module exports its top-level names (no export list is recorded).

use tree_sitter::Node;

use super::{Builder, named_children, range};
use crate::ir::{
    Arg, Expr, ExprKind, Field, Handler, Import, Imported, Param, Pattern, Prop, PropKey, Range,
    Stmt, StmtKind,
};

pub(super) fn lower_module(b: &mut Builder<'_>, root: Node<'_>) {
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

fn block(b: &mut Builder<'_>, node: Option<Node<'_>>) -> Vec<Stmt> {
    match node {
        Some(node) if node.kind() == "block" => statements(b, named_children(node)),
        Some(node) => {
            let mut out = Vec::new();
            statement(b, node, &mut out);
            out
        }
        None => Vec::new(),
    }
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
            let children = named_children(node);
            if children.len() == 1 {
                expression_statement(b, children[0], out);
            } else {
                let items = children.into_iter().map(|c| expr(b, c)).collect();
                push(out, StmtKind::Expr(Expr::new(ExprKind::Array(items), r)));
            }
        }
        "import_statement" => import_statement(b, node),
        "import_from_statement" => import_from(b, node),
        "future_import_statement"
        | "pass_statement"
        | "break_statement"
        | "continue_statement"
        | "global_statement"
        | "nonlocal_statement"
        | "comment"
        | "type_alias_statement" => {}
        "function_definition" => {
            let id = function(b, node, Vec::new());
            push(out, StmtKind::Function(id));
        }
        "class_definition" => {
            let id = class(b, node, Vec::new());
            push(out, StmtKind::Class(id));
        }
        "decorated_definition" => {
            let decorators: Vec<Expr> = named_children(node)
                .into_iter()
                .filter(|c| c.kind() == "decorator")
                .filter_map(|d| named_children(d).into_iter().next())
                .map(|d| expr(b, d))
                .collect();
            match b.field(node, "definition") {
                Some(def) if def.kind() == "function_definition" => {
                    let id = function(b, def, decorators);
                    push(out, StmtKind::Function(id));
                }
                Some(def) if def.kind() == "class_definition" => {
                    let id = class(b, def, decorators);
                    push(out, StmtKind::Class(id));
                }
                _ => {}
            }
        }
        "return_statement" => {
            let value = named_children(node).first().map(|c| expr(b, *c));
            push(out, StmtKind::Return(value));
        }
        "raise_statement" => {
            let value = named_children(node).first().map(|c| expr(b, *c));
            push(out, StmtKind::Throw(value));
        }
        "if_statement" => {
            let test = condition(b, b.field(node, "condition"), r);
            let consequent = block(b, b.field(node, "consequence"));
            let mut cursor = node.walk();
            let clauses: Vec<Node<'_>> = node
                .children_by_field_name("alternative", &mut cursor)
                .collect();
            let alternate = alternatives(b, &clauses);
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
            let binding = match (b.field(node, "left"), b.field(node, "right")) {
                (Some(left), Some(right)) => Some((pattern(b, left), expr(b, right))),
                _ => None,
            };
            let mut body = block(b, b.field(node, "body"));
            if let Some(alternative) = b.field(node, "alternative") {
                body.extend(block(b, b.field(alternative, "body")));
            }
            push(
                out,
                StmtKind::Loop {
                    binding,
                    test: None,
                    body,
                },
            );
        }
        "while_statement" => {
            let test = Some(condition(b, b.field(node, "condition"), r));
            let body = block(b, b.field(node, "body"));
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
            let body = block(b, b.field(node, "body"));
            let mut handlers = Vec::new();
            let mut finally = Vec::new();
            for child in named_children(node) {
                match child.kind() {
                    "except_clause" | "except_group_clause" => handlers.push(except(b, child)),
                    "else_clause" => finally.extend(block(b, b.field(child, "body"))),
                    "finally_clause" => {
                        let inner = named_children(child)
                            .into_iter()
                            .find(|c| c.kind() == "block");
                        finally.extend(block(b, inner));
                    }
                    _ => {}
                }
            }
            push(
                out,
                StmtKind::Try {
                    body,
                    handlers,
                    finally,
                },
            );
        }
        "with_statement" => {
            let mut inner = Vec::new();
            for clause in named_children(node) {
                if clause.kind() != "with_clause" {
                    continue;
                }
                for item in named_children(clause) {
                    let Some(value) = b.field(item, "value") else {
                        continue;
                    };
                    if value.kind() == "as_pattern" {
                        let source = named_children(value).into_iter().next();
                        let alias = b.field(value, "alias");
                        if let (Some(source), Some(alias)) = (source, alias) {
                            let target = named_children(alias)
                                .first()
                                .map(|t| pattern(b, *t))
                                .unwrap_or(Pattern::Ignore);
                            let value = expr(b, source);
                            inner.push(Stmt {
                                kind: StmtKind::Assign {
                                    target,
                                    value,
                                    augmented: false,
                                },
                                range: range(item),
                            });
                        }
                    } else {
                        let value = expr(b, value);
                        inner.push(Stmt {
                            range: value.range,
                            kind: StmtKind::Expr(value),
                        });
                    }
                }
            }
            inner.extend(block(b, b.field(node, "body")));
            push(out, StmtKind::Block(inner));
        }
        "match_statement" => {
            let subject = condition(b, b.field(node, "subject"), r);
            let cases: Vec<Node<'_>> = b
                .field(node, "body")
                .map(named_children)
                .unwrap_or_default();
            let mut chain = Vec::new();
            for case in cases.into_iter().rev() {
                let consequent = block(b, b.field(case, "consequence"));
                chain = vec![Stmt {
                    kind: StmtKind::If {
                        test: subject.clone(),
                        consequent,
                        alternate: chain,
                    },
                    range: range(case),
                }];
            }
            push(out, StmtKind::Block(chain));
        }
        "block" => {
            let inner = statements(b, named_children(node));
            push(out, StmtKind::Block(inner));
        }
        "assert_statement" | "delete_statement" | "print_statement" | "exec_statement" => {
            let items = named_children(node)
                .into_iter()
                .map(|c| expr(b, c))
                .collect();
            push(out, StmtKind::Expr(Expr::new(ExprKind::Other(items), r)));
        }
        _ => {
            let value = expr(b, node);
            push(out, StmtKind::Expr(value));
        }
    }
}

fn alternatives(b: &mut Builder<'_>, clauses: &[Node<'_>]) -> Vec<Stmt> {
    let Some((first, rest)) = clauses.split_first() else {
        return Vec::new();
    };
    match first.kind() {
        "elif_clause" => {
            let test = condition(b, b.field(*first, "condition"), range(*first));
            let consequent = block(b, b.field(*first, "consequence"));
            let alternate = alternatives(b, rest);
            vec![Stmt {
                kind: StmtKind::If {
                    test,
                    consequent,
                    alternate,
                },
                range: range(*first),
            }]
        }
        _ => block(b, b.field(*first, "body")),
    }
}

fn except(b: &mut Builder<'_>, clause: Node<'_>) -> Handler {
    let mut types = Vec::new();
    let mut param = None;
    let mut body = Vec::new();
    for child in named_children(clause) {
        match child.kind() {
            "block" => body = statements(b, named_children(child)),
            "as_pattern" => {
                if let Some(kind) = named_children(child).first() {
                    types.push(expr(b, *kind));
                }
                if let Some(alias) = b.field(child, "alias")
                    && let Some(target) = named_children(alias).first()
                {
                    param = Some(pattern(b, *target));
                }
            }
            _ => types.push(expr(b, child)),
        }
    }
    Handler {
        types,
        param,
        body,
        range: range(clause),
    }
}

fn condition(b: &mut Builder<'_>, node: Option<Node<'_>>, fallback: Range) -> Expr {
    match node {
        Some(node) => expr(b, node),
        None => Builder::nothing(fallback),
    }
}

fn expression_statement(b: &mut Builder<'_>, node: Node<'_>, out: &mut Vec<Stmt>) {
    let r = range(node);
    match node.kind() {
        "assignment" => {
            let Some(left) = b.field(node, "left") else {
                return;
            };
            let Some(right) = b.field(node, "right") else {
                return;
            };
            // `a = b = value`: the right side is itself an assignment.
            let value = if right.kind() == "assignment" {
                let mut inner = Vec::new();
                expression_statement(b, right, &mut inner);
                let value = inner.iter().find_map(|s| match &s.kind {
                    StmtKind::Assign { value, .. } => Some(value.clone()),
                    _ => None,
                });
                out.extend(inner);
                match value {
                    Some(value) => value,
                    None => return,
                }
            } else {
                expr(b, right)
            };
            let target = pattern(b, left);
            if let Pattern::Name(name) = &target {
                b.name_function(&value, name);
            }
            out.push(Stmt {
                kind: StmtKind::Assign {
                    target,
                    value,
                    augmented: false,
                },
                range: r,
            });
        }
        "augmented_assignment" => {
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

fn import_statement(b: &mut Builder<'_>, node: Node<'_>) {
    let r = range(node);
    let mut cursor = node.walk();
    let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
    for name in names {
        match name.kind() {
            "dotted_name" => {
                let source = b.text(name).to_string();
                let local = source.split('.').next().unwrap_or(&source).to_string();
                b.imports.push(Import {
                    local: local.clone(),
                    source: local,
                    imported: Imported::Module,
                    range: r,
                });
            }
            "aliased_import" => {
                let (Some(module), Some(alias)) = (b.field(name, "name"), b.field(name, "alias"))
                else {
                    continue;
                };
                b.imports.push(Import {
                    local: b.text(alias).to_string(),
                    source: b.text(module).to_string(),
                    imported: Imported::Module,
                    range: r,
                });
            }
            _ => {}
        }
    }
}

fn import_from(b: &mut Builder<'_>, node: Node<'_>) {
    let r = range(node);
    let Some(module) = b.field(node, "module_name") else {
        return;
    };
    let source: String = b.text(module).split_whitespace().collect();
    let mut cursor = node.walk();
    let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
    for name in names {
        let (imported, local) = match name.kind() {
            "dotted_name" => {
                let text = b.text(name).to_string();
                (text.clone(), text)
            }
            "aliased_import" => {
                let (Some(original), Some(alias)) = (b.field(name, "name"), b.field(name, "alias"))
                else {
                    continue;
                };
                (b.text(original).to_string(), b.text(alias).to_string())
            }
            _ => continue,
        };
        b.imports.push(Import {
            local,
            source: source.clone(),
            imported: Imported::Named(imported),
            range: r,
        });
    }
    if named_children(node)
        .iter()
        .any(|c| c.kind() == "wildcard_import")
    {
        b.imports.push(Import {
            local: format!("*@{source}"),
            source,
            imported: Imported::Module,
            range: r,
        });
    }
}

fn function(b: &mut Builder<'_>, node: Node<'_>, decorators: Vec<Expr>) -> usize {
    let name = b.field(node, "name").map(|n| b.text(n).to_string());
    let id = b.start_function(name, range(node));
    let outer = b.current;
    let outer_class = b.current_class;
    b.current = id;
    b.current_class = None;
    let params = b
        .field(node, "parameters")
        .map(|list| parameters(b, list))
        .unwrap_or_default();
    let body = match b.field(node, "body") {
        Some(body) if node.kind() == "lambda" => {
            let value = expr(b, body);
            vec![Stmt {
                range: value.range,
                kind: StmtKind::Return(Some(value)),
            }]
        }
        body => block(b, body),
    };
    b.current = outer;
    b.current_class = outer_class;
    let function = &mut b.functions[id];
    function.params = params;
    function.body = body;
    function.decorators = decorators;
    function.class = outer_class;
    id
}

fn parameters(b: &mut Builder<'_>, list: Node<'_>) -> Vec<Param> {
    let mut params = Vec::new();
    for param in named_children(list) {
        let r = range(param);
        let (name_node, annotation, default, variadic) = match param.kind() {
            "identifier" => (Some(param), None, None, false),
            "typed_parameter" => {
                let name = named_children(param).into_iter().next();
                let annotation = b.field(param, "type");
                let variadic = name.is_some_and(|n| n.kind().ends_with("splat_pattern"));
                (name, annotation, None, variadic)
            }
            "default_parameter" | "typed_default_parameter" => (
                b.field(param, "name"),
                b.field(param, "type"),
                b.field(param, "value"),
                false,
            ),
            "list_splat_pattern" | "dictionary_splat_pattern" => {
                (named_children(param).into_iter().next(), None, None, true)
            }
            "tuple_pattern" => (Some(param), None, None, false),
            _ => continue,
        };
        let Some(name_node) = name_node else { continue };
        let pattern = match name_node.kind() {
            "list_splat_pattern" | "dictionary_splat_pattern" => named_children(name_node)
                .first()
                .map(|n| pattern(b, *n))
                .unwrap_or(Pattern::Ignore),
            _ => pattern(b, name_node),
        };
        let annotation = annotation.map(|a| b.text(a).to_string());
        let default = default.map(|d| expr(b, d));
        params.push(Param {
            pattern,
            annotation,
            default,
            variadic,
            range: r,
        });
    }
    params
}

fn class(b: &mut Builder<'_>, node: Node<'_>, decorators: Vec<Expr>) -> usize {
    let name = b.field(node, "name").map(|n| b.text(n).to_string());
    let id = b.start_class(name, range(node));
    let bases: Vec<Expr> = b
        .field(node, "superclasses")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .map(|base| match base.kind() {
            // `metaclass=...` and other keywords are not bases.
            "keyword_argument" => Builder::nothing(range(base)),
            _ => expr(b, base),
        })
        .collect();
    let outer_class = b.current_class;
    let outer = b.current;
    b.current_class = Some(id);
    let mut fields = Vec::new();
    let mut methods = Vec::new();
    let body: Vec<Node<'_>> = b
        .field(node, "body")
        .map(named_children)
        .unwrap_or_default();
    for member in body {
        match member.kind() {
            "function_definition" => methods.push(method(b, member, Vec::new())),
            "decorated_definition" => {
                let member_decorators: Vec<Expr> = named_children(member)
                    .into_iter()
                    .filter(|c| c.kind() == "decorator")
                    .filter_map(|d| named_children(d).into_iter().next())
                    .map(|d| expr(b, d))
                    .collect();
                if let Some(def) = b.field(member, "definition") {
                    if def.kind() == "function_definition" {
                        methods.push(method(b, def, member_decorators));
                    } else if def.kind() == "class_definition" {
                        class(b, def, member_decorators);
                    }
                }
            }
            "class_definition" => {
                class(b, member, Vec::new());
            }
            "expression_statement" => {
                for child in named_children(member) {
                    if child.kind() != "assignment" {
                        continue;
                    }
                    let Some(left) = b.field(child, "left") else {
                        continue;
                    };
                    let targets: Vec<String> = match left.kind() {
                        "identifier" => vec![b.text(left).to_string()],
                        "pattern_list" | "tuple_pattern" => named_children(left)
                            .into_iter()
                            .filter(|n| n.kind() == "identifier")
                            .map(|n| b.text(n).to_string())
                            .collect(),
                        _ => continue,
                    };
                    let value = b.field(child, "right").map(|v| expr(b, v));
                    let annotation = b.field(child, "type").map(|t| b.text(t).to_string());
                    for name in targets {
                        if let Some(value) = &value {
                            b.name_function(value, &name);
                        }
                        fields.push(Field {
                            name,
                            value: value.clone(),
                            annotation: annotation.clone(),
                            decorators: Vec::new(),
                            range: range(child),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    b.current_class = outer_class;
    b.current = outer;
    b.class_body(&fields, range(node));
    let class = &mut b.classes[id];
    class.bases = bases;
    class.decorators = decorators;
    class.fields = fields;
    class.methods = methods;
    id
}

fn method(b: &mut Builder<'_>, node: Node<'_>, decorators: Vec<Expr>) -> usize {
    let id = function(b, node, decorators);
    b.functions[id].class = b.current_class;
    id
}

fn pattern(b: &mut Builder<'_>, node: Node<'_>) -> Pattern {
    match node.kind() {
        "identifier" => Pattern::Name(b.text(node).to_string()),
        "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
        | "expression_list" => Pattern::Array(
            named_children(node)
                .into_iter()
                .map(|child| pattern(b, child))
                .collect(),
        ),
        "list_splat_pattern" | "list_splat" => named_children(node)
            .first()
            .map(|n| pattern(b, *n))
            .unwrap_or(Pattern::Ignore),
        "attribute" | "subscript" => Pattern::Target(Box::new(expr(b, node))),
        "parenthesized_expression" => named_children(node)
            .first()
            .map(|n| pattern(b, *n))
            .unwrap_or(Pattern::Ignore),
        _ => Pattern::Ignore,
    }
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
        "identifier" => ExprKind::Name(b.text(node).to_string()),
        "none" => ExprKind::Null,
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "integer" | "float" => ExprKind::Number(parse_number(b.text(node))),
        "string" => string(b, node),
        "concatenated_string" => {
            let parts: Vec<ExprKind> = named_children(node)
                .into_iter()
                .map(|part| string(b, part))
                .collect();
            concatenate(parts)
        }
        "call" => {
            let Some(callee) = b.field(node, "function") else {
                return other(b, node);
            };
            let callee = Box::new(expr(b, callee));
            let args = match b.field(node, "arguments") {
                Some(list) if list.kind() == "argument_list" => arguments(b, list),
                Some(generator) => vec![Arg {
                    name: None,
                    value: expr(b, generator),
                }],
                None => Vec::new(),
            };
            ExprKind::Call {
                callee,
                args,
                new: false,
            }
        }
        "attribute" => match (b.field(node, "object"), b.field(node, "attribute")) {
            (Some(object), Some(attribute)) => ExprKind::Member {
                object: Box::new(expr(b, object)),
                property: b.text(attribute).to_string(),
            },
            _ => other(b, node),
        },
        "subscript" => {
            let Some(value) = b.field(node, "value") else {
                return other(b, node);
            };
            let mut cursor = node.walk();
            let index = node.children_by_field_name("subscript", &mut cursor).next();
            match index {
                Some(index) => ExprKind::Index {
                    object: Box::new(expr(b, value)),
                    index: Box::new(expr(b, index)),
                },
                None => other(b, node),
            }
        }
        "binary_operator" | "boolean_operator" => {
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
        "comparison_operator" => {
            let operands = named_children(node);
            if operands.len() != 2 {
                return other(b, node);
            }
            let op: Vec<&str> = (0..node.child_count())
                .filter_map(|i| node.child(i))
                .filter(|c| !c.is_named())
                .map(|c| b.text(c))
                .collect();
            ExprKind::Binary {
                op: crate::ir::operator(&op.join(" ")),
                left: Box::new(expr(b, operands[0])),
                right: Box::new(expr(b, operands[1])),
            }
        }
        "not_operator" => match b.field(node, "argument") {
            Some(operand) => ExprKind::Unary {
                op: "not",
                operand: Box::new(expr(b, operand)),
            },
            None => other(b, node),
        },
        "unary_operator" => {
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
        "conditional_expression" => {
            let parts = named_children(node);
            if parts.len() != 3 {
                return other(b, node);
            }
            ExprKind::Conditional {
                consequent: Box::new(expr(b, parts[0])),
                test: Box::new(expr(b, parts[1])),
                alternate: Box::new(expr(b, parts[2])),
            }
        }
        "lambda" => ExprKind::Function(function(b, node, Vec::new())),
        "dictionary" => {
            let mut props = Vec::new();
            for child in named_children(node) {
                match child.kind() {
                    "pair" => {
                        let (Some(key), Some(value)) =
                            (b.field(child, "key"), b.field(child, "value"))
                        else {
                            continue;
                        };
                        let key_expr = expr(b, key);
                        let key = match key_expr.as_str() {
                            Some(text) => PropKey::Name(text.to_string()),
                            None => PropKey::Computed(key_expr),
                        };
                        let value = expr(b, value);
                        props.push(Prop::Pair { key, value });
                    }
                    "dictionary_splat" => {
                        if let Some(inner) = named_children(child).first() {
                            props.push(Prop::Spread(expr(b, *inner)));
                        }
                    }
                    _ => {}
                }
            }
            ExprKind::Object(props)
        }
        "list" | "tuple" | "set" | "expression_list" | "pattern_list" => ExprKind::Array(
            named_children(node)
                .into_iter()
                .map(|c| expr(b, c))
                .collect(),
        ),
        "parenthesized_expression" => match named_children(node).first() {
            Some(inner) => expr(b, *inner).kind,
            None => ExprKind::Array(Vec::new()),
        },
        "await" | "yield" => match named_children(node).first() {
            Some(inner) => ExprKind::Await(Box::new(expr(b, *inner))),
            None => ExprKind::Null,
        },
        "list_splat" | "dictionary_splat" => match named_children(node).first() {
            Some(inner) => ExprKind::Spread(Box::new(expr(b, *inner))),
            None => ExprKind::Null,
        },
        "named_expression" => match (b.field(node, "name"), b.field(node, "value")) {
            (Some(name), Some(value)) => ExprKind::Assign {
                target: Box::new(pattern(b, name)),
                value: Box::new(expr(b, value)),
            },
            _ => other(b, node),
        },
        "list_comprehension"
        | "set_comprehension"
        | "generator_expression"
        | "dictionary_comprehension" => {
            let mut element = None;
            let mut bindings = Vec::new();
            for child in named_children(node) {
                match child.kind() {
                    "for_in_clause" => {
                        if let (Some(left), Some(right)) =
                            (b.field(child, "left"), b.field(child, "right"))
                        {
                            bindings.push((pattern(b, left), expr(b, right)));
                        }
                    }
                    "if_clause" => {}
                    "pair" => {
                        if let Some(value) = b.field(child, "value") {
                            element = Some(expr(b, value));
                        }
                    }
                    _ => {
                        if element.is_none() {
                            element = Some(expr(b, child));
                        }
                    }
                }
            }
            match element {
                Some(element) => ExprKind::Comprehension {
                    element: Box::new(element),
                    bindings,
                },
                None => ExprKind::Other(bindings.into_iter().map(|(_, e)| e).collect()),
            }
        }
        _ => other(b, node),
    }
}

fn other(b: &mut Builder<'_>, node: Node<'_>) -> ExprKind {
    ExprKind::Other(
        named_children(node)
            .into_iter()
            .map(|child| expr(b, child))
            .collect(),
    )
}

fn arguments(b: &mut Builder<'_>, list: Node<'_>) -> Vec<Arg> {
    named_children(list)
        .into_iter()
        .map(|child| match child.kind() {
            "keyword_argument" => {
                let name = b.field(child, "name").map(|n| b.text(n).to_string());
                let value = match b.field(child, "value") {
                    Some(value) => expr(b, value),
                    None => Builder::nothing(range(child)),
                };
                Arg { name, value }
            }
            _ => Arg {
                name: None,
                value: expr(b, child),
            },
        })
        .collect()
}

/// A string literal or f-string.
fn string(b: &mut Builder<'_>, node: Node<'_>) -> ExprKind {
    let mut quasis = vec![String::new()];
    let mut exprs = Vec::new();
    for child in named_children(node) {
        match child.kind() {
            "string_content" | "escape_sequence" => {
                if let Some(last) = quasis.last_mut() {
                    last.push_str(b.text(child));
                }
            }
            "interpolation" => {
                let inner = b
                    .field(child, "expression")
                    .or_else(|| named_children(child).into_iter().next());
                exprs.push(match inner {
                    Some(inner) => expr(b, inner),
                    None => Builder::nothing(range(child)),
                });
                quasis.push(String::new());
            }
            _ => {}
        }
    }
    if exprs.is_empty() {
        ExprKind::Str(quasis.pop().unwrap_or_default())
    } else {
        ExprKind::Template {
            tag: None,
            quasis,
            exprs,
        }
    }
}

/// Adjacent string literals (`"a" f"{b}"`) as one string or template.
fn concatenate(parts: Vec<ExprKind>) -> ExprKind {
    let mut quasis = vec![String::new()];
    let mut exprs = Vec::new();
    for part in parts {
        match part {
            ExprKind::Str(text) => {
                if let Some(last) = quasis.last_mut() {
                    last.push_str(&text);
                }
            }
            ExprKind::Template {
                quasis: part_quasis,
                exprs: part_exprs,
                ..
            } => {
                let mut part_quasis = part_quasis.into_iter();
                if let (Some(last), Some(first)) = (quasis.last_mut(), part_quasis.next()) {
                    last.push_str(&first);
                }
                quasis.extend(part_quasis);
                exprs.extend(part_exprs);
            }
            _ => {}
        }
    }
    if exprs.is_empty() {
        ExprKind::Str(quasis.pop().unwrap_or_default())
    } else {
        ExprKind::Template {
            tag: None,
            quasis,
            exprs,
        }
    }
}

fn parse_number(text: &str) -> f64 {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .trim_end_matches(['j', 'J', 'l', 'L'])
        .to_string();
    if let Some(hex) = cleaned
        .strip_prefix("0x")
        .or_else(|| cleaned.strip_prefix("0X"))
    {
        return i64::from_str_radix(hex, 16).map_or(0.0, |v| v as f64);
    }
    cleaned.parse().unwrap_or(0.0)
}
