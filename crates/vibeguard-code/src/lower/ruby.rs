//! Ruby to the program model, so that the rules read Rails code as they read the others.
//! Classes and modules keep their methods (a module's body is lowered where it stands, its
//! classes keep their names); a method's last expression is its return value, as Ruby has it;
//! `"#{x}"` strings, backticks and `%x()` become templates (backticks a call to `` ` ``);
//! symbols are strings; `foo(key: value)` keyword arguments and trailing hashes become named
//! arguments; a `do |x| … end` or `{ |x| … }` block is a function passed as the last argument;
//! `raise` is a throw, `unless` a negated `if`, modifiers (`x if y`) plain `if`s.
//! `require`s bind nothing: Rails loads constants by name, and the project resolves them so.

use tree_sitter::Node;

use super::{Builder, named_children, range};
use crate::ir::{
    Arg, Expr, ExprKind, Handler, Param, Pattern, Prop, PropKey, Range, Stmt, StmtKind,
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

/// The statements of a body node (`body_statement`, `then`, `else`, `do`, `block_body`), or
/// of a single expression.
fn body(b: &mut Builder<'_>, node: Option<Node<'_>>) -> Vec<Stmt> {
    match node {
        None => Vec::new(),
        Some(node) => match node.kind() {
            "body_statement"
            | "begin"
            | "then"
            | "else"
            | "do"
            | "block_body"
            | "begin_block"
            | "end_block"
            | "parenthesized_statements"
            | "ensure" => {
                let mut out = Vec::new();
                let mut handlers = Vec::new();
                let mut finally = Vec::new();
                for child in named_children(node) {
                    match child.kind() {
                        "rescue" => handlers.push(rescue(b, child)),
                        "ensure" => finally.extend(body(b, Some(child))),
                        // `begin … rescue … else … end`: the `else` runs when nothing was
                        // raised, kept with the `ensure` part.
                        "else" if matches!(node.kind(), "body_statement" | "begin") => {
                            finally.extend(body(b, Some(child)))
                        }
                        _ => statement(b, child, &mut out),
                    }
                }
                if handlers.is_empty() && finally.is_empty() {
                    out
                } else {
                    vec![Stmt {
                        range: range(node),
                        kind: StmtKind::Try {
                            body: out,
                            handlers,
                            finally,
                        },
                    }]
                }
            }
            _ => {
                let mut out = Vec::new();
                statement(b, node, &mut out);
                out
            }
        },
    }
}

fn rescue(b: &mut Builder<'_>, node: Node<'_>) -> Handler {
    let types = b
        .field(node, "exceptions")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .map(|t| expr(b, t))
        .collect();
    let param = b
        .field(node, "variable")
        .and_then(|v| named_children(v).into_iter().next())
        .map(|v| Pattern::Name(b.text(v).to_string()));
    Handler {
        types,
        param,
        body: body(b, b.field(node, "body")),
        range: range(node),
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
        "comment" | "empty_statement" | "heredoc_body" => {}
        "method" | "singleton_method" => {
            let id = method(b, node);
            push(out, StmtKind::Function(id));
        }
        "class" | "singleton_class" => {
            let id = class(b, node);
            push(out, StmtKind::Class(id));
        }
        // A module is a namespace: its classes and methods are lowered where they stand.
        "module" => out.extend(body(b, b.field(node, "body"))),
        "assignment" | "operator_assignment" => {
            let (Some(left), Some(right)) = (b.field(node, "left"), b.field(node, "right")) else {
                return;
            };
            let target = pattern(b, left);
            let value = expr(b, right);
            if let Pattern::Name(name) = &target {
                b.name_function(&value, name);
            }
            push(
                out,
                StmtKind::Assign {
                    target,
                    value,
                    augmented: node.kind() == "operator_assignment",
                },
            );
        }
        "return" => {
            let value = named_children(node)
                .into_iter()
                .next()
                .map(|list| single_value(b, list));
            push(out, StmtKind::Return(value));
        }
        "if" | "unless" | "elsif" => {
            let test = condition(b, node);
            let consequent = body(b, b.field(node, "consequence"));
            let alternate = match b.field(node, "alternative") {
                Some(alt) if alt.kind() == "elsif" => {
                    let mut nested = Vec::new();
                    statement(b, alt, &mut nested);
                    nested
                }
                alt => body(b, alt),
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
        "if_modifier" | "unless_modifier" => {
            let test = condition(b, node);
            let consequent = body(b, b.field(node, "body"));
            push(
                out,
                StmtKind::If {
                    test,
                    consequent,
                    alternate: Vec::new(),
                },
            );
        }
        "while" | "until" | "while_modifier" | "until_modifier" => {
            let test = b.field(node, "condition").map(|c| expr(b, c));
            let loop_body = body(b, b.field(node, "body"));
            push(
                out,
                StmtKind::Loop {
                    binding: None,
                    test,
                    body: loop_body,
                },
            );
        }
        "for" => {
            let binding = match (b.field(node, "pattern"), b.field(node, "value")) {
                (Some(p), Some(v)) => {
                    let inner = named_children(v).into_iter().next().unwrap_or(v);
                    let value = expr(b, inner);
                    Some((pattern(b, p), value))
                }
                _ => None,
            };
            let loop_body = body(b, b.field(node, "body"));
            push(
                out,
                StmtKind::Loop {
                    binding,
                    test: None,
                    body: loop_body,
                },
            );
        }
        "case" => {
            // Each `when` body is a branch of its own, tested against the value.
            if let Some(value) = b.field(node, "value") {
                let value = expr(b, value);
                push(out, StmtKind::Expr(value));
            }
            for clause in named_children(node) {
                match clause.kind() {
                    "when" => {
                        let branch = body(b, b.field(clause, "body"));
                        push(
                            out,
                            StmtKind::If {
                                test: Builder::nothing(range(clause)),
                                consequent: branch,
                                alternate: Vec::new(),
                            },
                        );
                    }
                    "else" => {
                        let branch = body(b, Some(clause));
                        push(
                            out,
                            StmtKind::If {
                                test: Builder::nothing(range(clause)),
                                consequent: branch,
                                alternate: Vec::new(),
                            },
                        );
                    }
                    _ => {}
                }
            }
        }
        "begin" => out.extend(body(b, Some(node))),
        "parenthesized_statements" => out.extend(body(b, Some(node))),
        "rescue_modifier" => {
            if let Some(inner) = b.field(node, "body") {
                statement(b, inner, out);
            }
        }
        "alias" | "undef" | "break" | "next" | "redo" | "retry" => {}
        _ => {
            let value = expr(b, node);
            // `raise ...` throws.
            if let ExprKind::Call { callee, args, .. } = &value.kind
                && matches!(callee.as_name(), Some("raise" | "fail"))
            {
                push(out, StmtKind::Throw(args.first().map(|a| a.value.clone())));
                return;
            }
            push(out, StmtKind::Expr(value));
        }
    }
}

/// An `if`'s condition, negated for `unless`.
fn condition(b: &mut Builder<'_>, node: Node<'_>) -> Expr {
    let r = range(node);
    let test = b
        .field(node, "condition")
        .map_or_else(|| Builder::nothing(r), |c| expr(b, c));
    if node.kind().starts_with("unless") {
        Expr::new(
            ExprKind::Unary {
                op: "!",
                operand: Box::new(test),
            },
            r,
        )
    } else {
        test
    }
}

/// `return a` or `return a, b` (an array).
fn single_value(b: &mut Builder<'_>, list: Node<'_>) -> Expr {
    let items = named_children(list);
    if list.kind() == "argument_list" && items.len() == 1 {
        expr(b, items[0])
    } else if list.kind() == "argument_list" {
        Expr::new(
            ExprKind::Array(items.into_iter().map(|i| expr(b, i)).collect()),
            range(list),
        )
    } else {
        expr(b, list)
    }
}

/// A method definition: its last expression statement is what it returns.
fn method(b: &mut Builder<'_>, node: Node<'_>) -> usize {
    let name = b.field(node, "name").map(|n| b.text(n).to_string());
    let id = b.start_function(name, range(node));
    let outer = b.current;
    let outer_class = b.current_class;
    b.current = id;
    let params = b
        .field(node, "parameters")
        .map(|list| parameters(b, list))
        .unwrap_or_default();
    let mut lowered = match b.field(node, "body") {
        // `def x = expr` (endless method)
        Some(value) if value.kind() != "body_statement" => {
            let value = expr(b, value);
            vec![Stmt {
                range: value.range,
                kind: StmtKind::Return(Some(value)),
            }]
        }
        body_node => body(b, body_node),
    };
    implicit_return(&mut lowered);
    b.current = outer;
    let function = &mut b.functions[id];
    function.params = params;
    function.body = lowered;
    function.class = outer_class;
    id
}

/// Ruby returns a method's or block's last expression.
fn implicit_return(stmts: &mut [Stmt]) {
    if let Some(last) = stmts.last_mut() {
        match &mut last.kind {
            StmtKind::Expr(value) => {
                let value = value.clone();
                last.kind = StmtKind::Return(Some(value));
            }
            StmtKind::If {
                consequent,
                alternate,
                ..
            } => {
                implicit_return(consequent);
                implicit_return(alternate);
            }
            _ => {}
        }
    }
}

fn parameters(b: &mut Builder<'_>, list: Node<'_>) -> Vec<Param> {
    let mut params = Vec::new();
    for param in named_children(list) {
        let r = range(param);
        let (name, default, variadic) = match param.kind() {
            "identifier" => (Some(b.text(param).to_string()), None, false),
            "optional_parameter" | "keyword_parameter" => (
                b.field(param, "name").map(|n| b.text(n).to_string()),
                b.field(param, "value").map(|v| expr(b, v)),
                false,
            ),
            "splat_parameter" | "hash_splat_parameter" | "block_parameter" => (
                b.field(param, "name").map(|n| b.text(n).to_string()),
                None,
                true,
            ),
            _ => (None, None, false),
        };
        let Some(name) = name else {
            continue;
        };
        params.push(Param {
            pattern: Pattern::Name(name),
            annotation: None,
            default,
            variadic,
            range: r,
        });
    }
    params
}

fn class(b: &mut Builder<'_>, node: Node<'_>) -> usize {
    let name = b.field(node, "name").map(|n| constant_name(b, n));
    let id = b.start_class(name, range(node));
    let bases = b
        .field(node, "superclass")
        .and_then(|s| named_children(s).into_iter().next())
        .map(|s| vec![expr(b, s)])
        .unwrap_or_default();
    let outer_class = b.current_class;
    b.current_class = Some(id);
    let mut methods = Vec::new();
    let mut others = Vec::new();
    for member in b
        .field(node, "body")
        .map(named_children)
        .unwrap_or_default()
    {
        match member.kind() {
            "method" | "singleton_method" => methods.push(method(b, member)),
            _ => statement(b, member, &mut others),
        }
    }
    b.current_class = outer_class;
    // The class body's other statements (`before_action :x`, `has_many :y`, `attr_accessor`)
    // run when the class loads: kept as a function of their own, like Python class bodies.
    if !others.is_empty() {
        let body_id = b.start_function(None, range(node));
        b.functions[body_id].body = others;
        b.functions[body_id].class = Some(id);
    }
    let class = &mut b.classes[id];
    class.bases = bases;
    class.methods = methods;
    id
}

/// `Admin::UsersController` → `UsersController` (Rails resolves constants by their last name
/// within the namespace).
fn constant_name(b: &Builder<'_>, node: Node<'_>) -> String {
    match node.kind() {
        "scope_resolution" => b
            .field(node, "name")
            .map_or_else(|| b.text(node).to_string(), |n| b.text(n).to_string()),
        _ => b.text(node).to_string(),
    }
}

fn pattern(b: &mut Builder<'_>, node: Node<'_>) -> Pattern {
    match node.kind() {
        "identifier" | "instance_variable" | "class_variable" | "global_variable" | "constant" => {
            Pattern::Name(b.text(node).to_string())
        }
        "left_assignment_list" | "destructured_left_assignment" => Pattern::Array(
            named_children(node)
                .into_iter()
                .map(|child| pattern(b, child))
                .collect(),
        ),
        "rest_assignment" => named_children(node)
            .first()
            .map(|n| pattern(b, *n))
            .unwrap_or(Pattern::Ignore),
        // `config.secret_key_base = …`, `@user.name = …`: an attribute written.
        "call" if b.field(node, "arguments").is_none() => {
            let (Some(receiver), Some(method)) =
                (b.field(node, "receiver"), b.field(node, "method"))
            else {
                return Pattern::Ignore;
            };
            let object = expr(b, receiver);
            Pattern::Target(Box::new(Expr::new(
                ExprKind::Member {
                    object: Box::new(object),
                    property: b.text(method).to_string(),
                },
                range(node),
            )))
        }
        "element_reference" | "call" | "scope_resolution" => {
            Pattern::Target(Box::new(expr(b, node)))
        }
        _ => Pattern::Ignore,
    }
}

pub(super) fn expr(b: &mut Builder<'_>, node: Node<'_>) -> Expr {
    let r = range(node);
    if !b.enter() {
        return Builder::nothing(r);
    }
    let kind = expr_kind(b, node, r);
    b.leave();
    Expr::new(kind, r)
}

fn expr_kind(b: &mut Builder<'_>, node: Node<'_>, r: Range) -> ExprKind {
    match node.kind() {
        "identifier" | "instance_variable" | "class_variable" | "global_variable" | "constant"
        | "self" => ExprKind::Name(b.text(node).to_string()),
        "scope_resolution" => match b.field(node, "scope") {
            Some(scope) => ExprKind::Member {
                object: Box::new(expr(b, scope)),
                property: b
                    .field(node, "name")
                    .map(|n| b.text(n).to_string())
                    .unwrap_or_default(),
            },
            None => ExprKind::Name(
                b.field(node, "name")
                    .map(|n| b.text(n).to_string())
                    .unwrap_or_default(),
            ),
        },
        "nil" => ExprKind::Null,
        "true" => ExprKind::Bool(true),
        "false" => ExprKind::Bool(false),
        "integer" | "float" => {
            ExprKind::Number(b.text(node).replace('_', "").parse::<f64>().unwrap_or(0.0))
        }
        "simple_symbol" | "hash_key_symbol" => {
            ExprKind::Str(b.text(node).trim_start_matches(':').to_string())
        }
        // `<<~SQL … #{x} … SQL`: the text (and its interpolations) is the heredoc's body, which
        // the parser puts after the line that opens it.
        "heredoc_beginning" => match heredoc_body(node) {
            Some(body) => string(b, body),
            None => string(b, node),
        },
        "string" | "delimited_symbol" | "bare_string" | "bare_symbol" => string(b, node),
        // `` `ls #{dir}` `` and `%x(...)`: a shell command.
        "subshell" => {
            let command = Expr::new(string(b, node), r);
            ExprKind::Call {
                callee: Box::new(Expr::new(ExprKind::Name("`".into()), r)),
                args: vec![Arg {
                    name: None,
                    value: command,
                }],
                new: false,
            }
        }
        "string_array" | "symbol_array" | "array" => ExprKind::Array(
            named_children(node)
                .into_iter()
                .map(|child| expr(b, child))
                .collect(),
        ),
        "hash" => ExprKind::Object(hash_props(b, node)),
        "element_reference" => {
            let object = b
                .field(node, "object")
                .map_or_else(|| Builder::nothing(r), |o| expr(b, o));
            let index = named_children(node)
                .into_iter()
                .skip(1)
                .map(|i| expr(b, i))
                .next()
                .unwrap_or_else(|| Builder::nothing(r));
            ExprKind::Index {
                object: Box::new(object),
                index: Box::new(index),
            }
        }
        "call" => call(b, node, r),
        "binary" => {
            let op = b
                .field(node, "operator")
                .map(|o| crate::ir::operator(b.text(o)))
                .unwrap_or("?");
            match (b.field(node, "left"), b.field(node, "right")) {
                (Some(left), Some(right)) => ExprKind::Binary {
                    op,
                    left: Box::new(expr(b, left)),
                    right: Box::new(expr(b, right)),
                },
                _ => ExprKind::Other(Vec::new()),
            }
        }
        "unary" | "not" => {
            let op = b
                .field(node, "operator")
                .map(|o| crate::ir::operator(b.text(o)))
                .unwrap_or("!");
            match b.field(node, "operand") {
                Some(operand) => ExprKind::Unary {
                    op,
                    operand: Box::new(expr(b, operand)),
                },
                None => ExprKind::Other(Vec::new()),
            }
        }
        "conditional" => match (
            b.field(node, "condition"),
            b.field(node, "consequence"),
            b.field(node, "alternative"),
        ) {
            (Some(test), Some(consequent), Some(alternate)) => ExprKind::Conditional {
                test: Box::new(expr(b, test)),
                consequent: Box::new(expr(b, consequent)),
                alternate: Box::new(expr(b, alternate)),
            },
            _ => ExprKind::Other(Vec::new()),
        },
        "parenthesized_statements" => match named_children(node).as_slice() {
            [only] => expr_kind(b, *only, r),
            children => ExprKind::Other(children.iter().map(|c| expr(b, *c)).collect()),
        },
        "lambda" => {
            let id = block_function(b, node);
            ExprKind::Function(id)
        }
        "assignment" | "operator_assignment" => {
            match (b.field(node, "left"), b.field(node, "right")) {
                (Some(left), Some(right)) => ExprKind::Assign {
                    target: Box::new(pattern(b, left)),
                    value: Box::new(expr(b, right)),
                },
                _ => ExprKind::Other(Vec::new()),
            }
        }
        "splat_argument" | "hash_splat_argument" | "block_argument" => {
            match named_children(node).first() {
                Some(inner) => ExprKind::Spread(Box::new(expr(b, *inner))),
                None => ExprKind::Null,
            }
        }
        "range" => ExprKind::Other(
            named_children(node)
                .into_iter()
                .map(|child| expr(b, child))
                .collect(),
        ),
        _ => ExprKind::Other(
            named_children(node)
                .into_iter()
                .map(|child| expr(b, child))
                .collect(),
        ),
    }
}

/// A string with `#{…}` interpolations: a template, or a plain string without them.
/// The body of the heredoc a `heredoc_beginning` opens: the first `heredoc_body` after it,
/// among the following siblings of it and of its ancestors.
fn heredoc_body(opening: Node<'_>) -> Option<Node<'_>> {
    let mut current = opening;
    for _ in 0..12 {
        let mut sibling = current.next_sibling();
        while let Some(node) = sibling {
            if node.kind() == "heredoc_body" && node.start_byte() >= opening.end_byte() {
                return Some(node);
            }
            sibling = node.next_sibling();
        }
        current = current.parent()?;
    }
    None
}

fn string(b: &mut Builder<'_>, node: Node<'_>) -> ExprKind {
    let mut quasis = vec![String::new()];
    let mut exprs = Vec::new();
    for child in named_children(node) {
        match child.kind() {
            // A heredoc's closing word is not its text.
            "heredoc_end" => {}
            "interpolation" => {
                let inner = named_children(child);
                let value = match inner.as_slice() {
                    [only] => expr(b, *only),
                    _ => Expr::new(
                        ExprKind::Other(inner.iter().map(|c| expr(b, *c)).collect()),
                        range(child),
                    ),
                };
                exprs.push(value);
                quasis.push(String::new());
            }
            _ => {
                if let Some(last) = quasis.last_mut() {
                    last.push_str(b.text(child));
                }
            }
        }
    }
    if exprs.is_empty() {
        ExprKind::Str(quasis.concat())
    } else {
        ExprKind::Template {
            tag: None,
            quasis,
            exprs,
        }
    }
}

fn hash_props(b: &mut Builder<'_>, node: Node<'_>) -> Vec<Prop> {
    let mut props = Vec::new();
    for child in named_children(node) {
        match child.kind() {
            "pair" => {
                let (Some(key), Some(value)) = (b.field(child, "key"), b.field(child, "value"))
                else {
                    continue;
                };
                let key = match key.kind() {
                    "hash_key_symbol" | "simple_symbol" | "identifier" | "constant" => {
                        PropKey::Name(b.text(key).trim_start_matches(':').to_string())
                    }
                    "string" => match string(b, key) {
                        ExprKind::Str(text) => PropKey::Name(text),
                        other => PropKey::Computed(Expr::new(other, range(key))),
                    },
                    _ => PropKey::Computed(expr(b, key)),
                };
                let value = expr(b, value);
                props.push(Prop::Pair { key, value });
            }
            "hash_splat_argument" => {
                if let Some(inner) = named_children(child).first() {
                    props.push(Prop::Spread(expr(b, *inner)));
                }
            }
            _ => {}
        }
    }
    props
}

/// `receiver.method(args) { block }`, `method args`, `method(key: value)`.
fn call(b: &mut Builder<'_>, node: Node<'_>, r: Range) -> ExprKind {
    let method = b
        .field(node, "method")
        .map(|m| b.text(m).to_string())
        .unwrap_or_default();
    let receiver = b.field(node, "receiver").map(|n| expr(b, n));
    let mut args = Vec::new();
    if let Some(list) = b.field(node, "arguments") {
        for arg in named_children(list) {
            match arg.kind() {
                // `render json: @user, status: :created`
                "pair" => {
                    let key = b
                        .field(arg, "key")
                        .map(|k| b.text(k).trim_start_matches(':').trim_end_matches(':'))
                        .unwrap_or_default()
                        .to_string();
                    if let Some(value) = b.field(arg, "value") {
                        args.push(Arg {
                            name: Some(key),
                            value: expr(b, value),
                        });
                    }
                }
                _ => args.push(Arg {
                    name: None,
                    value: expr(b, arg),
                }),
            }
        }
    }
    if let Some(block) = b.field(node, "block") {
        let id = block_function(b, block);
        args.push(Arg {
            name: None,
            value: Expr::new(ExprKind::Function(id), range(block)),
        });
    }
    // `foo.bar` with no arguments on a receiver reads like a property in Ruby; kept a call so
    // that methods (`params.permit!`, `user.save`) are calls everywhere.
    let callee = match receiver {
        Some(object) => Expr::new(
            ExprKind::Member {
                object: Box::new(object),
                property: method,
            },
            r,
        ),
        None => Expr::new(ExprKind::Name(method), r),
    };
    ExprKind::Call {
        callee: Box::new(callee),
        args,
        new: false,
    }
}

/// A block (`do |x| … end`, `{ |x| … }`) or lambda: a function whose last expression it
/// returns.
fn block_function(b: &mut Builder<'_>, node: Node<'_>) -> usize {
    let id = b.start_function(None, range(node));
    let outer = b.current;
    b.current = id;
    let params = b
        .field(node, "parameters")
        .map(|list| parameters(b, list))
        .unwrap_or_default();
    let mut lowered = body(b, b.field(node, "body"));
    implicit_return(&mut lowered);
    b.current = outer;
    let function = &mut b.functions[id];
    function.params = params;
    function.body = lowered;
    id
}
