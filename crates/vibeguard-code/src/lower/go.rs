//! Go to the program model, so that the rules read Go services as they read the others.
//!
//! A file's functions are top-level functions; a method belongs to the class named after its
//! receiver's type (created on first sight, since the type may be declared in another file of
//! the package), and its receiver is not a parameter — arguments match parameters one to one.
//! Struct types are classes with their fields. `fmt.Sprintf` with a constant format is string
//! formatting (`%`), as Python's; `&x`, `*x` and `<-x` stand for `x`. A call that fills an
//! argument passed as `&x` (`json.NewDecoder(r.Body).Decode(&req)`, `c.ShouldBindJSON(&req)`,
//! `rows.Scan(&name)`) assigns its result to `x`: Go's out-parameters are how request bodies
//! reach structs. `a, err := f()` binds `f()` to `a`; the other names are an error or a flag.
//! Imports bind the package's name: the last path element, without a `/vN` version suffix or
//! a `go-`/`-go` decoration (`github.com/golang-jwt/jwt/v5` binds `jwt`, its source reads
//! `github.com/golang-jwt/jwt`).

use std::collections::HashMap;

use tree_sitter::Node;

use super::{Builder, named_children, range};
use crate::ir::{
    Arg, ClassId, Expr, ExprKind, Field, Import, Imported, Param, Pattern, Prop, PropKey, Range,
    Stmt, StmtKind,
};

/// The state of one file's lowering.
struct Go<'b, 't> {
    b: &'b mut Builder<'t>,
    /// Classes by type name: a method's receiver type may come before its declaration.
    classes: HashMap<String, ClassId>,
    /// The local name of the `fmt` package, whose `Sprintf` is string formatting.
    fmt: Option<String>,
    /// Counter for the temporary names out-parameter calls are bound to.
    temporaries: u32,
    /// The names calls fill through `&name` arguments, by the call's byte range.
    filled: HashMap<(u32, u32), Vec<String>>,
}

pub(super) fn lower_source_file(b: &mut Builder<'_>, root: Node<'_>) {
    let mut go = Go {
        b,
        classes: HashMap::new(),
        fmt: None,
        temporaries: 0,
        filled: HashMap::new(),
    };
    let mut body = Vec::new();
    for node in named_children(root) {
        go.top_level(node, &mut body);
    }
    go.b.functions[0].body = body;
    go.b.functions[0].range = range(root);
}

/// An import path without its `/vN` version elements: the source qualified names start with
/// (`github.com/labstack/echo/v4/middleware` reads `github.com/labstack/echo/middleware`).
fn import_source(path: &str) -> String {
    path.split('/')
        .filter(|segment| {
            !(segment.len() >= 2
                && segment.starts_with('v')
                && segment[1..].bytes().all(|c| c.is_ascii_digit()))
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A string literal's text between its quotes.
fn string_text<'t>(b: &Builder<'t>, node: Node<'_>) -> &'t str {
    let text = b.text(node);
    let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
    if text.len() >= 2 { inner } else { "" }
}

/// A receiver or parameter type as a class name: `*Handler` → `Handler`,
/// `*Store[T]` → `Store`.
fn type_name(text: &str) -> &str {
    let text = text.trim_start_matches(['*', ' ', '(']);
    text.split(['[', ' ', ')']).next().unwrap_or(text)
}

impl<'b, 't> Go<'b, 't> {
    fn top_level(&mut self, node: Node<'_>, out: &mut Vec<Stmt>) {
        match node.kind() {
            "package_clause" | "comment" => {}
            "import_declaration" => self.imports(node),
            "function_declaration" => {
                let id = self.function(node, None);
                out.push(Stmt {
                    kind: StmtKind::Function(id),
                    range: range(node),
                });
            }
            "method_declaration" => {
                let receiver_type = self
                    .b
                    .field(node, "receiver")
                    .and_then(|list| named_children(list).into_iter().next())
                    .and_then(|param| self.b.field(param, "type"))
                    .map(|t| type_name(self.b.text(t)).to_string());
                let class = receiver_type.map(|name| self.class_named(&name, range(node)));
                let id = self.function(node, class);
                if let Some(class) = class {
                    self.b.classes[class].methods.push(id);
                }
            }
            "type_declaration" => {
                for spec in named_children(node) {
                    if spec.kind() == "type_spec"
                        && let (Some(name), Some(ty)) =
                            (self.b.field(spec, "name"), self.b.field(spec, "type"))
                        && ty.kind() == "struct_type"
                    {
                        let name = self.b.text(name).to_string();
                        let class = self.class_named(&name, range(spec));
                        self.b.classes[class].range = range(spec);
                        let fields = self.struct_fields(ty);
                        self.b.classes[class].fields = fields;
                        out.push(Stmt {
                            kind: StmtKind::Class(class),
                            range: range(spec),
                        });
                    }
                }
            }
            _ => self.statement(node, out),
        }
    }

    fn imports(&mut self, node: Node<'_>) {
        let mut specs = Vec::new();
        for child in named_children(node) {
            match child.kind() {
                "import_spec" => specs.push(child),
                "import_spec_list" => specs.extend(
                    named_children(child)
                        .into_iter()
                        .filter(|c| c.kind() == "import_spec"),
                ),
                _ => {}
            }
        }
        for spec in specs {
            let Some(path_node) = self.b.field(spec, "path") else {
                continue;
            };
            let path = string_text(self.b, path_node);
            let local = match self.b.field(spec, "name") {
                // `import _ "github.com/lib/pq"` registers a driver and binds nothing; kept
                // (as `_`) for the rules that judge what an import turns on (`net/http/pprof`).
                Some(name) if name.kind() == "blank_identifier" => "_".to_string(),
                // `import . "x"` merges the package's names: not followed.
                Some(name) if name.kind() == "dot" => continue,
                Some(name) => self.b.text(name).to_string(),
                None => crate::language::go_package_name(path).to_string(),
            };
            if path == "fmt" {
                self.fmt = Some(local.clone());
            }
            self.b.imports.push(Import {
                local,
                source: import_source(path),
                imported: Imported::Module,
                range: range(spec),
            });
        }
    }

    fn class_named(&mut self, name: &str, at: Range) -> ClassId {
        if let Some(id) = self.classes.get(name) {
            return *id;
        }
        let id = self.b.start_class(Some(name.to_string()), at);
        self.classes.insert(name.to_string(), id);
        id
    }

    fn struct_fields(&mut self, ty: Node<'_>) -> Vec<Field> {
        let mut fields = Vec::new();
        for list in named_children(ty) {
            if list.kind() != "field_declaration_list" {
                continue;
            }
            for declaration in named_children(list) {
                if declaration.kind() != "field_declaration" {
                    continue;
                }
                let annotation = self
                    .b
                    .field(declaration, "type")
                    .map(|t| self.b.text(t).to_string());
                let tag = self
                    .b
                    .field(declaration, "tag")
                    .map(|t| string_text(self.b, t).to_string());
                let mut cursor = declaration.walk();
                let names: Vec<Node<'_>> = declaration
                    .children_by_field_name("name", &mut cursor)
                    .collect();
                // An embedded type (`gorm.Model`) is a field named after it.
                let names: Vec<String> = if names.is_empty() {
                    annotation
                        .as_deref()
                        .map(|a| vec![a.rsplit('.').next().unwrap_or(a).to_string()])
                        .unwrap_or_default()
                } else {
                    names
                        .into_iter()
                        .map(|n| self.b.text(n).to_string())
                        .collect()
                };
                for name in names {
                    fields.push(Field {
                        name,
                        value: None,
                        // The tag (`json:"-"`) says how the field is serialised: kept with
                        // the type.
                        annotation: match (&annotation, &tag) {
                            (Some(a), Some(t)) => Some(format!("{a} `{t}`")),
                            (a, _) => a.clone(),
                        },
                        decorators: Vec::new(),
                        range: range(declaration),
                    });
                }
            }
        }
        fields
    }

    /// A function or method declaration, or a function literal.
    fn function(&mut self, node: Node<'_>, class: Option<ClassId>) -> usize {
        let name = self
            .b
            .field(node, "name")
            .map(|n| self.b.text(n).to_string());
        let id = self.b.start_function(name, range(node));
        let outer = self.b.current;
        self.b.current = id;
        let params = self
            .b
            .field(node, "parameters")
            .map(|list| self.parameters(list))
            .unwrap_or_default();
        let body = match self.b.field(node, "body") {
            Some(block) => self.block(block),
            None => Vec::new(),
        };
        self.b.current = outer;
        let function = &mut self.b.functions[id];
        function.params = params;
        function.body = body;
        if class.is_some() {
            function.class = class;
        }
        id
    }

    fn parameters(&mut self, list: Node<'_>) -> Vec<Param> {
        let mut params = Vec::new();
        for declaration in named_children(list) {
            let variadic = declaration.kind() == "variadic_parameter_declaration";
            if !matches!(
                declaration.kind(),
                "parameter_declaration" | "variadic_parameter_declaration"
            ) {
                continue;
            }
            let annotation = self
                .b
                .field(declaration, "type")
                .map(|t| self.b.text(t).to_string());
            let mut cursor = declaration.walk();
            let names: Vec<Node<'_>> = declaration
                .children_by_field_name("name", &mut cursor)
                .collect();
            if names.is_empty() {
                params.push(Param {
                    pattern: Pattern::Ignore,
                    annotation,
                    default: None,
                    variadic,
                    range: range(declaration),
                });
                continue;
            }
            for name in names {
                let text = self.b.text(name);
                params.push(Param {
                    pattern: if text == "_" {
                        Pattern::Ignore
                    } else {
                        Pattern::Name(text.to_string())
                    },
                    annotation: annotation.clone(),
                    default: None,
                    variadic,
                    range: range(name),
                });
            }
        }
        params
    }

    fn block(&mut self, node: Node<'_>) -> Vec<Stmt> {
        let mut out = Vec::new();
        for child in named_children(node) {
            if child.kind() == "statement_list" {
                for statement in named_children(child) {
                    self.statement(statement, &mut out);
                }
            } else {
                self.statement(child, &mut out);
            }
        }
        out
    }

    fn statement(&mut self, node: Node<'_>, out: &mut Vec<Stmt>) {
        if !self.b.enter() {
            return;
        }
        self.statement_inner(node, out);
        self.b.leave();
    }

    fn statement_inner(&mut self, node: Node<'_>, out: &mut Vec<Stmt>) {
        let r = range(node);
        let push = |out: &mut Vec<Stmt>, kind: StmtKind| out.push(Stmt { kind, range: r });
        match node.kind() {
            "comment"
            | "empty_statement"
            | "break_statement"
            | "continue_statement"
            | "goto_statement"
            | "fallthrough_statement"
            | "inc_statement"
            | "dec_statement" => {}
            "expression_statement" => {
                if let Some(inner) = named_children(node).into_iter().next() {
                    let value = self.expr(inner);
                    self.bind_out_params(None, value, r, out);
                }
            }
            "go_statement" | "defer_statement" => {
                if let Some(inner) = named_children(node).into_iter().next() {
                    let value = self.expr(inner);
                    push(out, StmtKind::Expr(value));
                }
            }
            "short_var_declaration" | "assignment_statement" => {
                let (Some(left), Some(right)) =
                    (self.b.field(node, "left"), self.b.field(node, "right"))
                else {
                    return;
                };
                let augmented = self
                    .b
                    .field(node, "operator")
                    .is_some_and(|op| self.b.text(op) != "=" && self.b.text(op) != ":=");
                let targets = named_children(left);
                let values = named_children(right);
                self.assign_lists(&targets, &values, augmented, r, out);
            }
            "var_declaration" | "const_declaration" => {
                let mut specs = Vec::new();
                for child in named_children(node) {
                    match child.kind() {
                        "var_spec" | "const_spec" => specs.push(child),
                        "var_spec_list" => specs.extend(named_children(child)),
                        _ => {}
                    }
                }
                for spec in specs {
                    let mut cursor = spec.walk();
                    let targets: Vec<Node<'_>> =
                        spec.children_by_field_name("name", &mut cursor).collect();
                    let values = self
                        .b
                        .field(spec, "value")
                        .map(named_children)
                        .unwrap_or_default();
                    // `var user User`: the type's zero value, written as a call of the type so
                    // that what the variable holds stays known (`db.First(&user)` reads a
                    // `User`).
                    if values.is_empty()
                        && let Some(ty) = self.b.field(spec, "type")
                    {
                        let ty = self.b.text(ty).to_string();
                        for target in &targets {
                            let pattern = self.pattern(*target);
                            let value = zero_value(ty.clone(), range(spec));
                            self.assign(pattern, value, false, range(spec), out);
                        }
                        continue;
                    }
                    self.assign_lists(&targets, &values, false, range(spec), out);
                }
            }
            "return_statement" => {
                let values: Vec<Expr> = named_children(node)
                    .into_iter()
                    .flat_map(|list| {
                        if list.kind() == "expression_list" {
                            named_children(list)
                        } else {
                            vec![list]
                        }
                    })
                    .map(|v| self.expr(v))
                    .collect();
                let value = match values.len() {
                    0 => None,
                    1 => values.into_iter().next(),
                    // `return user, nil`: what is returned is every value.
                    _ => Some(Expr::new(ExprKind::Other(values), r)),
                };
                push(out, StmtKind::Return(value));
            }
            "if_statement" => {
                let mut stmts = Vec::new();
                if let Some(init) = self.b.field(node, "initializer") {
                    self.statement(init, &mut stmts);
                }
                let test = match self.b.field(node, "condition") {
                    Some(c) => self.expr(c),
                    None => Builder::nothing(r),
                };
                let consequent = match self.b.field(node, "consequence") {
                    Some(block) => self.block(block),
                    None => Vec::new(),
                };
                let alternate = match self.b.field(node, "alternative") {
                    Some(alt) if alt.kind() == "block" => self.block(alt),
                    Some(alt) => {
                        let mut nested = Vec::new();
                        self.statement(alt, &mut nested);
                        nested
                    }
                    None => Vec::new(),
                };
                stmts.push(Stmt {
                    kind: StmtKind::If {
                        test,
                        consequent,
                        alternate,
                    },
                    range: r,
                });
                out.extend(stmts);
            }
            "for_statement" => {
                let mut binding = None;
                let mut test = None;
                let mut before = Vec::new();
                let mut body = match self.b.field(node, "body") {
                    Some(block) => self.block(block),
                    None => Vec::new(),
                };
                for child in named_children(node) {
                    match child.kind() {
                        "range_clause" => {
                            let iterated = self.b.field(child, "right").map(|v| self.expr(v));
                            let targets = self
                                .b
                                .field(child, "left")
                                .map(named_children)
                                .unwrap_or_default();
                            // `for i, v := range xs`: the value is the second name (a map's
                            // or slice's element); `for v := range ch` the first.
                            let element = if targets.len() >= 2 {
                                targets.get(1)
                            } else {
                                targets.first()
                            };
                            if let (Some(iterated), Some(element)) = (iterated, element) {
                                binding = Some((self.pattern(*element), iterated));
                            }
                        }
                        "for_clause" => {
                            if let Some(init) = self.b.field(child, "initializer") {
                                self.statement(init, &mut before);
                            }
                            test = self.b.field(child, "condition").map(|c| self.expr(c));
                            if let Some(update) = self.b.field(child, "update") {
                                self.statement(update, &mut body);
                            }
                        }
                        "block" | "comment" => {}
                        _ => test = Some(self.expr(child)),
                    }
                }
                out.extend(before);
                push(
                    out,
                    StmtKind::Loop {
                        binding,
                        test,
                        body,
                    },
                );
            }
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
                if let Some(init) = self.b.field(node, "initializer") {
                    self.statement(init, out);
                }
                let value = self.b.field(node, "value").map(|v| self.expr(v));
                // `switch v := x.(type)`: `v` is `x` in every case.
                if let (Some(alias), Some(value)) = (
                    self.b
                        .field(node, "alias")
                        .and_then(|a| named_children(a).into_iter().next()),
                    &value,
                ) {
                    let target = self.pattern(alias);
                    push(
                        out,
                        StmtKind::Assign {
                            target,
                            value: value.clone(),
                            augmented: false,
                        },
                    );
                } else if let Some(value) = value.clone() {
                    push(out, StmtKind::Expr(value));
                }
                for case in named_children(node) {
                    if !matches!(
                        case.kind(),
                        "expression_case" | "default_case" | "type_case" | "communication_case"
                    ) {
                        continue;
                    }
                    let mut tests = Vec::new();
                    let mut body = Vec::new();
                    for child in named_children(case) {
                        if self.b.field(case, "value") == Some(child)
                            || self.b.field(case, "communication") == Some(child)
                        {
                            if case.kind() == "communication_case" {
                                self.statement(child, &mut body);
                            } else {
                                tests.extend(
                                    named_children(child).into_iter().map(|v| self.expr(v)),
                                );
                            }
                        } else if case.kind() != "type_case" || !child.kind().ends_with("type") {
                            self.statement(child, &mut body);
                        }
                    }
                    push(
                        out,
                        StmtKind::If {
                            test: Expr::new(ExprKind::Other(tests), range(case)),
                            consequent: body,
                            alternate: Vec::new(),
                        },
                    );
                }
            }
            "block" => {
                let stmts = self.block(node);
                push(out, StmtKind::Block(stmts));
            }
            "labeled_statement" => {
                for child in named_children(node) {
                    if child.kind() != "label_name" {
                        self.statement(child, out);
                    }
                }
            }
            "send_statement" => {
                let parts: Vec<Expr> = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c))
                    .collect();
                push(out, StmtKind::Expr(Expr::new(ExprKind::Other(parts), r)));
            }
            "receive_statement" => {
                if let (Some(left), Some(right)) =
                    (self.b.field(node, "left"), self.b.field(node, "right"))
                {
                    let targets = named_children(left);
                    self.assign_lists(&targets, &[right], false, r, out);
                } else if let Some(right) = self.b.field(node, "right") {
                    let value = self.expr(right);
                    push(out, StmtKind::Expr(value));
                }
            }
            "function_declaration"
            | "method_declaration"
            | "type_declaration"
            | "import_declaration" => self.top_level(node, out),
            _ => {
                let value = self.expr(node);
                push(out, StmtKind::Expr(value));
            }
        }
    }

    /// `a, b := x, y` pairwise; `v, err := f()` binds `f()` to `v`.
    fn assign_lists(
        &mut self,
        targets: &[Node<'_>],
        values: &[Node<'_>],
        augmented: bool,
        r: Range,
        out: &mut Vec<Stmt>,
    ) {
        if targets.len() == values.len() && targets.len() > 1 {
            for (target, value) in targets.iter().zip(values) {
                let target = self.pattern(*target);
                let value = self.expr(*value);
                self.assign(target, value, augmented, r, out);
            }
            return;
        }
        let Some(value) = values.first() else {
            return;
        };
        let value = self.expr(*value);
        let target = match targets.first() {
            Some(first) => self.pattern(*first),
            None => Pattern::Ignore,
        };
        let fills = self
            .filled
            .keys()
            .any(|(start, end)| value.range.start_byte <= *start && *end <= value.range.end_byte);
        if !fills {
            self.assign(target, value, augmented, r, out);
        } else {
            self.bind_out_params(Some(target), value, r, out);
        }
    }

    fn assign(
        &mut self,
        target: Pattern,
        value: Expr,
        augmented: bool,
        r: Range,
        out: &mut Vec<Stmt>,
    ) {
        if let Pattern::Name(name) = &target {
            self.b.name_function(&value, name);
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

    /// A call whose arguments include `&x`: the call's result is bound to a temporary, and each
    /// `x` receives it; the declared target (an error, a count) is left unbound.
    fn bind_out_params(
        &mut self,
        target: Option<Pattern>,
        value: Expr,
        r: Range,
        out: &mut Vec<Stmt>,
    ) {
        // A filling call inside the value (`db.First(&user).Error`): the call fills its
        // arguments first, then the statement runs.
        let whole = (value.range.start_byte, value.range.end_byte);
        let nested: Vec<(u32, u32)> = self
            .filled
            .keys()
            .filter(|(start, end)| whole.0 <= *start && *end <= whole.1 && (*start, *end) != whole)
            .copied()
            .collect();
        for key in nested {
            let names = self.filled.remove(&key).unwrap_or_default();
            let mut call = None;
            value.walk(&mut |e| {
                if call.is_none()
                    && (e.range.start_byte, e.range.end_byte) == key
                    && e.as_call().is_some()
                {
                    call = Some(e.clone());
                }
            });
            if let Some(call) = call {
                // Placed at the call, so that what the variable held before the call is still
                // its definition there.
                let at = call.range;
                for name in names {
                    self.assign(Pattern::Name(name), call.clone(), false, at, out);
                }
            }
        }
        let filled = self.filled.remove(&whole).unwrap_or_default();
        if filled.is_empty() {
            match target {
                Some(target) => self.assign(target, value, false, r, out),
                None => out.push(Stmt {
                    kind: StmtKind::Expr(value),
                    range: r,
                }),
            }
            return;
        }
        self.temporaries += 1;
        let temporary = format!("$out{}", self.temporaries);
        let value_range = value.range;
        self.assign(Pattern::Name(temporary.clone()), value, false, r, out);
        // Placed at the call, so that what a variable held before the call is still its
        // definition there (`var user User` for `db.First(&user)`).
        for name in filled {
            self.assign(
                Pattern::Name(name),
                Expr::new(ExprKind::Name(temporary.clone()), value_range),
                false,
                value_range,
                out,
            );
        }
        if let Some(target) = target {
            self.assign(
                target,
                Expr::new(ExprKind::Null, value_range),
                false,
                r,
                out,
            );
        }
    }

    fn pattern(&mut self, node: Node<'_>) -> Pattern {
        match node.kind() {
            "identifier" => match self.b.text(node) {
                "_" => Pattern::Ignore,
                name => Pattern::Name(name.to_string()),
            },
            "selector_expression" | "index_expression" => {
                let target = self.expr(node);
                Pattern::Target(Box::new(target))
            }
            "parenthesized_expression" => match named_children(node).into_iter().next() {
                Some(inner) => self.pattern(inner),
                None => Pattern::Ignore,
            },
            "unary_expression" => match self.b.field(node, "operand") {
                Some(operand) => self.pattern(operand),
                None => Pattern::Ignore,
            },
            _ => Pattern::Ignore,
        }
    }

    fn expr(&mut self, node: Node<'_>) -> Expr {
        let r = range(node);
        if !self.b.enter() {
            return Builder::nothing(r);
        }
        let kind = self.expr_kind(node, r);
        self.b.leave();
        Expr::new(kind, r)
    }

    fn expr_kind(&mut self, node: Node<'_>, r: Range) -> ExprKind {
        match node.kind() {
            "identifier" | "field_identifier" | "package_identifier" | "type_identifier" => {
                ExprKind::Name(self.b.text(node).to_string())
            }
            "interpreted_string_literal" | "raw_string_literal" | "rune_literal" => {
                ExprKind::Str(string_text(self.b, node).to_string())
            }
            "int_literal" | "float_literal" | "imaginary_literal" => ExprKind::Number(
                self.b
                    .text(node)
                    .replace('_', "")
                    .parse::<f64>()
                    .unwrap_or(0.0),
            ),
            "iota" => ExprKind::Number(0.0),
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "nil" => ExprKind::Null,
            "parenthesized_expression" => match named_children(node).into_iter().next() {
                Some(inner) => self.expr(inner).kind,
                None => ExprKind::Other(Vec::new()),
            },
            "selector_expression" => {
                let object = match self.b.field(node, "operand") {
                    Some(o) => self.expr(o),
                    None => Builder::nothing(r),
                };
                let property = self
                    .b
                    .field(node, "field")
                    .map(|f| self.b.text(f).to_string())
                    .unwrap_or_default();
                ExprKind::Member {
                    object: Box::new(object),
                    property,
                }
            }
            "index_expression" => {
                let object = match self.b.field(node, "operand") {
                    Some(o) => self.expr(o),
                    None => Builder::nothing(r),
                };
                let index = match self.b.field(node, "index") {
                    Some(i) => self.expr(i),
                    None => Builder::nothing(r),
                };
                ExprKind::Index {
                    object: Box::new(object),
                    index: Box::new(index),
                }
            }
            "slice_expression" => {
                let nodes: Vec<Node<'_>> = ["operand", "start", "end", "capacity"]
                    .into_iter()
                    .filter_map(|f| self.b.field(node, f))
                    .collect();
                let parts = nodes.into_iter().map(|n| self.expr(n)).collect();
                ExprKind::Other(parts)
            }
            "type_assertion_expression" => match self.b.field(node, "operand") {
                Some(operand) => self.expr(operand).kind,
                None => ExprKind::Other(Vec::new()),
            },
            "type_conversion_expression" => {
                // `[]byte(s)`, `template.HTML(s)` written with a parenthesised type: a call of
                // the type, so rules see `template.HTML(...)`.
                let ty = self
                    .b
                    .field(node, "type")
                    .map(|t| self.b.text(t).to_string())
                    .unwrap_or_default();
                let operand = match self.b.field(node, "operand") {
                    Some(o) => self.expr(o),
                    None => Builder::nothing(r),
                };
                ExprKind::Call {
                    callee: Box::new(Expr::new(ExprKind::Name(ty), r)),
                    args: vec![Arg {
                        name: None,
                        value: operand,
                    }],
                    new: false,
                }
            }
            "unary_expression" => {
                let operator = self
                    .b
                    .field(node, "operator")
                    .map(|o| self.b.text(o))
                    .unwrap_or("");
                let operand = match self.b.field(node, "operand") {
                    Some(o) => self.expr(o),
                    None => Builder::nothing(r),
                };
                match operator {
                    // Taking an address, dereferencing and receiving keep the value.
                    "&" | "*" | "<-" => operand.kind,
                    op => ExprKind::Unary {
                        op: crate::ir::operator(op),
                        operand: Box::new(operand),
                    },
                }
            }
            "binary_expression" => {
                let op = self
                    .b
                    .field(node, "operator")
                    .map(|o| crate::ir::operator(self.b.text(o)))
                    .unwrap_or("?");
                let left = match self.b.field(node, "left") {
                    Some(l) => self.expr(l),
                    None => Builder::nothing(r),
                };
                let right = match self.b.field(node, "right") {
                    Some(x) => self.expr(x),
                    None => Builder::nothing(r),
                };
                ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                }
            }
            "call_expression" => self.call(node, r),
            "func_literal" => {
                let id = self.function(node, None);
                ExprKind::Function(id)
            }
            "composite_literal" => match self.b.field(node, "body") {
                // `User{}`, `[]User{}`: the type's zero value, like `var u User`.
                Some(body) if named_children(body).is_empty() => {
                    let ty = self
                        .b
                        .field(node, "type")
                        .map(|t| self.b.text(t).to_string())
                        .unwrap_or_default();
                    zero_value(ty, r).kind
                }
                Some(body) => self.literal_value(body),
                None => ExprKind::Object(Vec::new()),
            },
            "literal_value" => self.literal_value(node),
            "variadic_argument" => match named_children(node).into_iter().next() {
                Some(inner) => ExprKind::Spread(Box::new(self.expr(inner))),
                None => ExprKind::Other(Vec::new()),
            },
            // Types (`make([]T, n)`, `new(T)`) and anything else: their sub-expressions.
            kind if kind.ends_with("_type") || kind == "qualified_type" => {
                ExprKind::Name(self.b.text(node).to_string())
            }
            _ => {
                let parts = named_children(node)
                    .into_iter()
                    .map(|c| self.expr(c))
                    .collect();
                ExprKind::Other(parts)
            }
        }
    }

    fn call(&mut self, node: Node<'_>, r: Range) -> ExprKind {
        let callee = match self.b.field(node, "function") {
            Some(f) => self.expr(f),
            None => Builder::nothing(r),
        };
        let arg_nodes = self
            .b
            .field(node, "arguments")
            .map(named_children)
            .unwrap_or_default();
        if fills_arguments(&callee) {
            let mut filled: Vec<String> = arg_nodes
                .iter()
                .filter(|a| {
                    a.kind() == "unary_expression"
                        && self.b.field(**a, "operator").map(|o| self.b.text(o)) == Some("&")
                })
                .filter_map(|a| self.b.field(*a, "operand"))
                .filter_map(|operand| root_identifier(self.b, operand))
                .collect();
            // `t := new(Ticket); c.Bind(t)`: a decoder's last argument is its destination,
            // a pointer already.
            if filled.is_empty()
                && decodes_into_last(&callee)
                && let Some(last) = arg_nodes.last()
                && last.kind() == "identifier"
            {
                filled.push(self.b.text(*last).to_string());
            }
            if !filled.is_empty() {
                self.filled.insert((r.start_byte, r.end_byte), filled);
            }
        }
        let new_type = (callee.as_name() == Some("new") && arg_nodes.len() == 1)
            .then(|| self.b.text(arg_nodes[0]).to_string());
        let args: Vec<Arg> = arg_nodes
            .into_iter()
            .map(|a| Arg {
                name: None,
                value: self.expr(a),
            })
            .collect();
        // `new(T)`: a pointer to T's zero value.
        if let Some(ty) = new_type {
            return zero_value(ty, r).kind;
        }
        // `fmt.Sprintf("… %s …", x)` builds a string as Python's `%` does.
        if let ExprKind::Member { object, property } = &callee.kind
            && property == "Sprintf"
            && self.fmt.is_some()
            && object.as_name() == self.fmt.as_deref()
            && let Some((format, rest)) = args.split_first()
            && format.value.as_str().is_some()
        {
            let values: Vec<Expr> = rest.iter().map(|a| a.value.clone()).collect();
            return ExprKind::Binary {
                op: "%",
                left: Box::new(format.value.clone()),
                right: Box::new(Expr::new(ExprKind::Array(values), r)),
            };
        }
        ExprKind::Call {
            callee: Box::new(callee),
            args,
            new: false,
        }
    }

    fn literal_value(&mut self, node: Node<'_>) -> ExprKind {
        let elements = named_children(node);
        if elements.iter().any(|e| e.kind() == "keyed_element") {
            let mut props = Vec::new();
            for element in elements {
                if element.kind() != "keyed_element" {
                    continue;
                }
                let (Some(key), Some(value)) =
                    (self.b.field(element, "key"), self.b.field(element, "value"))
                else {
                    continue;
                };
                let key_node = named_children(key).into_iter().next().unwrap_or(key);
                let value_node = named_children(value).into_iter().next().unwrap_or(value);
                let value = self.expr(value_node);
                let key = match key_node.kind() {
                    "identifier" | "field_identifier" => {
                        PropKey::Name(self.b.text(key_node).to_string())
                    }
                    "interpreted_string_literal" | "raw_string_literal" => {
                        PropKey::Name(string_text(self.b, key_node).to_string())
                    }
                    _ => PropKey::Computed(self.expr(key_node)),
                };
                props.push(Prop::Pair { key, value });
            }
            ExprKind::Object(props)
        } else {
            let items = elements
                .into_iter()
                .filter(|e| e.kind() != "comment")
                .map(|e| {
                    let inner = if e.kind() == "literal_element" {
                        named_children(e).into_iter().next().unwrap_or(e)
                    } else {
                        e
                    };
                    self.expr(inner)
                })
                .collect();
            ExprKind::Array(items)
        }
    }
}

/// The variable an out-parameter belongs to: `x` for `&x`, `u` for `&u.Password`.
fn root_identifier(b: &Builder<'_>, node: Node<'_>) -> Option<String> {
    match node.kind() {
        "identifier" => Some(b.text(node).to_string()),
        "selector_expression" | "index_expression" => root_identifier(b, b.field(node, "operand")?),
        _ => None,
    }
}

/// A type's zero value: a call of the type with no arguments (`User()`), which rules read as
/// "a value of this type".
fn zero_value(ty: String, r: Range) -> Expr {
    Expr::new(
        ExprKind::Call {
            callee: Box::new(Expr::new(ExprKind::Name(ty), r)),
            args: Vec::new(),
            new: false,
        },
        r,
    )
}

/// Name prefixes of the calls that decode into their arguments: decoders and binders.
const DECODERS: &[&str] = &[
    "Decode",
    "Unmarshal",
    "Bind",
    "ShouldBind",
    "MustBind",
    "BodyParser",
    "QueryParser",
    "ParamsParser",
    "ReqHeaderParser",
];

fn callee_name(callee: &Expr) -> &str {
    callee.method_name().or(callee.as_name()).unwrap_or("")
}

/// Whether a call decodes into its last argument (a binder or decoder, not a scanner).
fn decodes_into_last(callee: &Expr) -> bool {
    let method = callee_name(callee);
    DECODERS.iter().any(|prefix| method.starts_with(prefix))
}

/// Whether a call fills the arguments it is given as `&x`: decoders, binders and scanners
/// (`json.Marshal(&x)` and the like only read theirs).
fn fills_arguments(callee: &Expr) -> bool {
    let method = callee_name(callee);
    decodes_into_last(callee)
        || ["Scan", "Parse"]
            .iter()
            .any(|prefix| method.starts_with(prefix))
        || matches!(
            method,
            "Get" | "Select" | "Find" | "First" | "Take" | "Last"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_drop_versions_and_decorations() {
        use crate::language::go_package_name as package_name;
        assert_eq!(package_name("github.com/golang-jwt/jwt/v5"), "jwt");
        assert_eq!(package_name("github.com/go-chi/chi/v5"), "chi");
        assert_eq!(package_name("github.com/dgrijalva/jwt-go"), "jwt");
        assert_eq!(package_name("github.com/mattn/go-sqlite3"), "sqlite3");
        assert_eq!(package_name("gopkg.in/yaml.v3"), "yaml");
        assert_eq!(package_name("net/http"), "http");
        assert_eq!(package_name("fmt"), "fmt");
        assert_eq!(
            import_source("github.com/gofiber/fiber/v2"),
            "github.com/gofiber/fiber"
        );
        assert_eq!(import_source("net/http"), "net/http");
        assert_eq!(
            import_source("github.com/labstack/echo/v4/middleware"),
            "github.com/labstack/echo/middleware"
        );
    }
}
