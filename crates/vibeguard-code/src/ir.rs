//! The program model every rule and the data-flow analysis read: one small, language-neutral
//! tree per file, lowered from the tree-sitter syntax tree of JavaScript, TypeScript or Python.
//!
//! It keeps what security analysis needs — names, calls, member accesses, literals, string
//! building, assignments and destructuring, control flow, functions with their parameters and
//! decorators, classes with their fields, imports and exports — and drops the rest (types,
//! operators that cannot carry data). Unknown syntax becomes [`ExprKind::Other`] holding its
//! sub-expressions, so data still flows through constructs the model does not name.

use std::sync::Arc;

use crate::language::Language;

/// A place in a file: byte offsets and 1-based lines with 0-based byte columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Range {
    /// Offset of the first byte.
    pub start_byte: u32,
    /// Offset just after the last byte.
    pub end_byte: u32,
    /// First line, 1-based.
    pub start_line: u32,
    /// Byte column of the first byte in its line, 0-based.
    pub start_col: u32,
    /// Last line, 1-based.
    pub end_line: u32,
    /// Byte column just after the last byte, 0-based.
    pub end_col: u32,
}

impl Range {
    /// Whether `other` lies within this range.
    pub fn contains(&self, other: &Range) -> bool {
        self.start_byte <= other.start_byte && other.end_byte <= self.end_byte
    }
}

/// Index of a function in [`Module::functions`]; 0 is the module's top level.
pub type FunctionId = usize;
/// Index of a class in [`Module::classes`].
pub type ClassId = usize;

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub range: Range,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An identifier; `this` and `self` are names too.
    Name(String),
    /// A string literal (its text between the quotes, escapes left as written).
    Str(String),
    /// A number literal.
    Number(f64),
    /// `true` / `false` / `True` / `False`.
    Bool(bool),
    /// `null`, `undefined`, `None`.
    Null,
    /// A template literal or f-string: constant parts around substitutions
    /// (`quasis.len() == exprs.len() + 1`), with the tag of a tagged template.
    Template {
        /// The tag function of a tagged template (`sql\`...\``).
        tag: Option<Box<Expr>>,
        /// The constant parts.
        quasis: Vec<String>,
        /// The substitutions.
        exprs: Vec<Expr>,
    },
    /// A binary operation, including comparisons and `&&`/`||`/`and`/`or`/`??`.
    Binary {
        /// The operator as written (`+`, `===`, `%`, `and`, `in`, `not in`, ...).
        op: &'static str,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// A unary operation (`!`, `not`, `typeof`, `-`, ...).
    Unary {
        /// The operator.
        op: &'static str,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A call, or a `new` construction.
    Call {
        /// What is called.
        callee: Box<Expr>,
        /// The arguments in order.
        args: Vec<Arg>,
        /// Whether it is `new Callee(...)`.
        new: bool,
    },
    /// `object.property` (also `?.` and Python attributes).
    Member {
        /// The object.
        object: Box<Expr>,
        /// The property name.
        property: String,
    },
    /// `object[index]` (also Python subscripts).
    Index {
        /// The object.
        object: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// An object literal or Python dict.
    Object(Vec<Prop>),
    /// An array, list, tuple or set literal.
    Array(Vec<Expr>),
    /// A function expression, arrow function or lambda.
    Function(FunctionId),
    /// A class expression.
    Class(ClassId),
    /// `await x` (also `yield x`).
    Await(Box<Expr>),
    /// `test ? consequent : alternate`, `consequent if test else alternate`.
    Conditional {
        /// The condition.
        test: Box<Expr>,
        /// Value when true.
        consequent: Box<Expr>,
        /// Value when false.
        alternate: Box<Expr>,
    },
    /// An assignment used as an expression (`a = b` inside a larger expression, `:=`).
    Assign {
        /// What is assigned to.
        target: Box<Pattern>,
        /// The value.
        value: Box<Expr>,
    },
    /// `...x`, `*x`, `**x`.
    Spread(Box<Expr>),
    /// A comprehension: `[element for pattern in iterable ...]` (also dict, set and
    /// generator comprehensions; a dict comprehension's element is its value).
    Comprehension {
        /// What each iteration produces.
        element: Box<Expr>,
        /// The `for` clauses: what is bound, and from what.
        bindings: Vec<(Pattern, Expr)>,
    },
    /// Anything else, with its sub-expressions.
    Other(Vec<Expr>),
}

/// An argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The keyword of a Python keyword argument.
    pub name: Option<String>,
    /// The value.
    pub value: Expr,
}

/// A property of an object literal or dict.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    /// `key: value` (shorthand `{ a }` is `a: a`; methods have a function value).
    Pair {
        /// The key.
        key: PropKey,
        /// The value.
        value: Expr,
    },
    /// `...x` / `**x`.
    Spread(Expr),
}

/// The key of a property.
#[derive(Debug, Clone, PartialEq)]
pub enum PropKey {
    /// A name or literal string key.
    Name(String),
    /// `[expr]` or a non-literal dict key.
    Computed(Expr),
}

impl PropKey {
    /// The key's name when it is not computed.
    pub fn name(&self) -> Option<&str> {
        match self {
            PropKey::Name(name) => Some(name),
            PropKey::Computed(_) => None,
        }
    }
}

/// The target of an assignment or a parameter: a name, a destructuring pattern, or a member.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// A plain name.
    Name(String),
    /// `{ a, b: c, ...rest }`: property name and sub-pattern, and the rest.
    Object {
        /// Destructured properties.
        props: Vec<(String, Pattern)>,
        /// `...rest`.
        rest: Option<Box<Pattern>>,
    },
    /// `[a, b]`, `a, b = ...`, `(a, b)`.
    Array(Vec<Pattern>),
    /// `obj.prop = ...`, `obj[i] = ...`.
    Target(Box<Expr>),
    /// Nothing the analysis follows.
    Ignore,
}

impl Pattern {
    /// The name a simple assignment writes, the way settings are named: `x = …` and
    /// `obj.x = …` give `x`, `obj['x'] = …` gives `x`; destructuring and computed keys give
    /// nothing.
    pub fn assigned_name(&self) -> Option<&str> {
        match self {
            Pattern::Name(name) => Some(name),
            Pattern::Target(target) => match &target.kind {
                ExprKind::Member { property, .. } => Some(property),
                ExprKind::Index { index, .. } => index.as_str(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The names this pattern binds.
    pub fn names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.collect_names(&mut names);
        names
    }

    fn collect_names<'a>(&'a self, names: &mut Vec<&'a str>) {
        match self {
            Pattern::Name(name) => names.push(name),
            Pattern::Object { props, rest } => {
                for (_, pattern) in props {
                    pattern.collect_names(names);
                }
                if let Some(rest) = rest {
                    rest.collect_names(names);
                }
            }
            Pattern::Array(items) => {
                for item in items {
                    item.collect_names(names);
                }
            }
            Pattern::Target(_) | Pattern::Ignore => {}
        }
    }

    /// The name when the pattern is a plain name.
    pub fn as_name(&self) -> Option<&str> {
        match self {
            Pattern::Name(name) => Some(name),
            _ => None,
        }
    }
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// Where it is.
    pub range: Range,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// An expression evaluated for its effect.
    Expr(Expr),
    /// `target = value`, declarations with a value, `+=` (augmented).
    Assign {
        /// What is assigned to.
        target: Pattern,
        /// The value.
        value: Expr,
        /// `+=` and friends: the old value flows into the new one.
        augmented: bool,
    },
    /// `return` with its value.
    Return(Option<Expr>),
    /// `throw` / `raise`.
    Throw(Option<Expr>),
    /// `if` / `elif` / `else`.
    If {
        /// The condition.
        test: Expr,
        /// Statements when true.
        consequent: Vec<Stmt>,
        /// Statements when false (an `else if` is a nested `If`).
        alternate: Vec<Stmt>,
    },
    /// Any loop: `for (x of xs)`, `for x in xs`, `while`, C-style `for`.
    Loop {
        /// The element binding and what is iterated, for `for ... of/in` loops.
        binding: Option<(Pattern, Expr)>,
        /// The condition of `while` / C-style `for`.
        test: Option<Expr>,
        /// The body.
        body: Vec<Stmt>,
    },
    /// `try` with its handlers and `finally`.
    Try {
        /// The protected statements.
        body: Vec<Stmt>,
        /// `catch (e)` / `except X as e` clauses.
        handlers: Vec<Handler>,
        /// `else` and `finally` statements.
        finally: Vec<Stmt>,
    },
    /// A block, `switch` case bodies, `with` bodies.
    Block(Vec<Stmt>),
    /// A function declaration (binds its name).
    Function(FunctionId),
    /// A class declaration (binds its name).
    Class(ClassId),
}

/// A `catch` / `except` clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Handler {
    /// The exception types caught (Python), as expressions.
    pub types: Vec<Expr>,
    /// The bound error.
    pub param: Option<Pattern>,
    /// The handler's statements.
    pub body: Vec<Stmt>,
    /// Where the clause is.
    pub range: Range,
}

/// A parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// What it binds.
    pub pattern: Pattern,
    /// The type annotation as written (`Request`, `int`, `Annotated[User, Depends(f)]`).
    pub annotation: Option<String>,
    /// The default value (FastAPI's `Depends(...)` lives here).
    pub default: Option<Expr>,
    /// `...rest`, `*args` or `**kwargs`.
    pub variadic: bool,
    /// Where it is.
    pub range: Range,
}

impl Param {
    /// The parameter's name when it is a plain name.
    pub fn name(&self) -> Option<&str> {
        self.pattern.as_name()
    }
}

/// A function, method, arrow function, lambda — or the module's top level (id 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Its name, when declared with one (or assigned to a name: `const f = () => ...`).
    pub name: Option<String>,
    /// Parameters in order.
    pub params: Vec<Param>,
    /// Body statements (an arrow's expression body is a `return`).
    pub body: Vec<Stmt>,
    /// Decorators, outermost first.
    pub decorators: Vec<Expr>,
    /// The class it is a method of.
    pub class: Option<ClassId>,
    /// The function it is nested in (`None` only for the top level).
    pub parent: Option<FunctionId>,
    /// Where it is.
    pub range: Range,
}

/// A class.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Its name.
    pub name: Option<String>,
    /// Base classes (`extends X`, `class A(B, C)`).
    pub bases: Vec<Expr>,
    /// Decorators.
    pub decorators: Vec<Expr>,
    /// Fields declared in the body (`password = Column(...)`, `@Column() password: string`).
    pub fields: Vec<Field>,
    /// Methods.
    pub methods: Vec<FunctionId>,
    /// Where it is.
    pub range: Range,
}

/// A field declared in a class body.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field name.
    pub name: String,
    /// Its value, if any.
    pub value: Option<Expr>,
    /// Its type annotation as written.
    pub annotation: Option<String>,
    /// Its decorators (TypeScript).
    pub decorators: Vec<Expr>,
    /// Where it is.
    pub range: Range,
}

/// What an import binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// The whole module: `import * as x`, `const x = require(...)`, Python `import x`.
    Module,
    /// The default export: `import x from ...`.
    Default,
    /// One named export: `import { a as x }`, `const { a: x } = require(...)`,
    /// `from m import a as x`.
    Named(String),
}

/// An import of a module into a local name.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The local name.
    pub local: String,
    /// The module specifier as written (`express`, `./db`, `..models`, `os.path`).
    pub source: String,
    /// What is bound.
    pub imported: Imported,
    /// Where the import is.
    pub range: Range,
}

/// Something a module exports.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The exported name (`default` for the default export, `*` for `module.exports = x`).
    pub name: String,
    /// The exported value.
    pub value: Expr,
}

/// One source file, lowered.
#[derive(Debug, Clone)]
pub struct Module {
    /// Path relative to the project root.
    pub path: String,
    /// Its language.
    pub language: Language,
    /// The text it was parsed from.
    pub text: Arc<str>,
    /// Every function; index 0 is the top level.
    pub functions: Vec<Function>,
    /// Every class.
    pub classes: Vec<Class>,
    /// Imports, in order.
    pub imports: Vec<Import>,
    /// Exports (JavaScript); Python modules export their top-level names.
    pub exports: Vec<Export>,
    /// Lines where the parser met syntax it could not read (the rest was still analysed).
    pub syntax_errors: Vec<u32>,
}

impl Module {
    /// The top-level function.
    pub fn top(&self) -> &Function {
        &self.functions[0]
    }

    /// The source text of a range.
    pub fn text_of(&self, range: Range) -> &str {
        self.text
            .get(range.start_byte as usize..range.end_byte as usize)
            .unwrap_or("")
    }

    /// The import binding `local`, if any.
    pub fn import_of(&self, local: &str) -> Option<&Import> {
        self.imports.iter().find(|import| import.local == local)
    }
}

/// The operators the languages have, as static text, so expressions do not allocate for them
/// (unknown operators read `?`).
pub fn operator(text: &str) -> &'static str {
    const OPERATORS: &[&str] = &[
        "+",
        "-",
        "*",
        "/",
        "%",
        "**",
        "//",
        "@",
        "==",
        "!=",
        "===",
        "!==",
        "<",
        ">",
        "<=",
        ">=",
        "&&",
        "||",
        "??",
        "and",
        "or",
        "not",
        "!",
        "~",
        "&",
        "|",
        "^",
        "<<",
        ">>",
        ">>>",
        "in",
        "not in",
        "is",
        "is not",
        "instanceof",
        "typeof",
        "void",
        "delete",
        "++",
        "--",
        "<>",
        "-=",
        "+=",
    ];
    OPERATORS
        .iter()
        .find(|op| **op == text)
        .copied()
        .unwrap_or("?")
}

impl Expr {
    /// A new expression.
    pub fn new(kind: ExprKind, range: Range) -> Expr {
        Expr { kind, range }
    }

    /// The name when this is a plain identifier.
    pub fn as_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(name) => Some(name),
            _ => None,
        }
    }

    /// The literal text when this is a string without substitutions.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(text) => Some(text),
            ExprKind::Template {
                tag: None,
                quasis,
                exprs,
            } if exprs.is_empty() => quasis.first().map(String::as_str),
            _ => None,
        }
    }

    /// Looks through `await`, parentheses and type assertions (already removed in lowering).
    pub fn unwrap_await(&self) -> &Expr {
        match &self.kind {
            ExprKind::Await(inner) => inner.unwrap_await(),
            _ => self,
        }
    }

    /// The dotted path of a member chain made of names only: `req.body.id` →
    /// `["req", "body", "id"]`; a string index counts as a member (`req.body["id"]`).
    pub fn member_path(&self) -> Option<Vec<&str>> {
        match &self.kind {
            ExprKind::Name(name) => Some(vec![name]),
            ExprKind::Member { object, property } => {
                let mut path = object.member_path()?;
                path.push(property);
                Some(path)
            }
            ExprKind::Index { object, index } => {
                let key = index.as_str()?;
                let mut path = object.member_path()?;
                path.push(key);
                Some(path)
            }
            _ => None,
        }
    }

    /// For a call: the callee, the arguments, and whether it is `new`.
    pub fn as_call(&self) -> Option<(&Expr, &[Arg], bool)> {
        match &self.kind {
            ExprKind::Call { callee, args, new } => Some((callee, args, *new)),
            _ => None,
        }
    }

    /// The property name of a member expression or of a call on one (`a.b` / `a.b()` → `b`).
    pub fn method_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Member { property, .. } => Some(property),
            ExprKind::Call { callee, .. } => callee.method_name(),
            _ => None,
        }
    }

    /// Visits this expression and every sub-expression (not entering nested functions).
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Name(_)
            | ExprKind::Str(_)
            | ExprKind::Number(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Function(_)
            | ExprKind::Class(_) => {}
            ExprKind::Template { tag, exprs, .. } => {
                if let Some(tag) = tag {
                    tag.walk(visit);
                }
                for expr in exprs {
                    expr.walk(visit);
                }
            }
            ExprKind::Binary { left, right, .. } => {
                left.walk(visit);
                right.walk(visit);
            }
            ExprKind::Unary { operand, .. } => operand.walk(visit),
            ExprKind::Call { callee, args, .. } => {
                callee.walk(visit);
                for arg in args {
                    arg.value.walk(visit);
                }
            }
            ExprKind::Member { object, .. } => object.walk(visit),
            ExprKind::Index { object, index } => {
                object.walk(visit);
                index.walk(visit);
            }
            ExprKind::Object(props) => {
                for prop in props {
                    match prop {
                        Prop::Pair { key, value } => {
                            if let PropKey::Computed(key) = key {
                                key.walk(visit);
                            }
                            value.walk(visit);
                        }
                        Prop::Spread(value) => value.walk(visit),
                    }
                }
            }
            ExprKind::Array(items) | ExprKind::Other(items) => {
                for item in items {
                    item.walk(visit);
                }
            }
            ExprKind::Await(inner) | ExprKind::Spread(inner) => inner.walk(visit),
            ExprKind::Comprehension { element, bindings } => {
                for (_, iterable) in bindings {
                    iterable.walk(visit);
                }
                element.walk(visit);
            }
            ExprKind::Conditional {
                test,
                consequent,
                alternate,
            } => {
                test.walk(visit);
                consequent.walk(visit);
                alternate.walk(visit);
            }
            ExprKind::Assign { target, value } => {
                if let Pattern::Target(target) = target.as_ref() {
                    target.walk(visit);
                }
                value.walk(visit);
            }
        }
    }

    /// The value of the keyword argument or object property `name` among call arguments:
    /// `f(x, name=v)` or `f(x, { name: v })`.
    pub fn option<'a>(args: &'a [Arg], name: &str) -> Option<&'a Expr> {
        args.iter().find_map(|arg| {
            if arg.name.as_deref() == Some(name) {
                return Some(&arg.value);
            }
            if arg.name.is_none() {
                return arg.value.property(name);
            }
            None
        })
    }

    /// The value of property `name` when this is an object literal.
    pub fn property(&self, name: &str) -> Option<&Expr> {
        match &self.kind {
            ExprKind::Object(props) => props.iter().find_map(|prop| match prop {
                Prop::Pair {
                    key: PropKey::Name(key),
                    value,
                } if key == name => Some(value),
                _ => None,
            }),
            _ => None,
        }
    }
}

impl Stmt {
    /// Visits this statement and every nested statement (not entering nested functions).
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Stmt)) {
        visit(self);
        let mut each = |stmts: &'a [Stmt]| {
            for stmt in stmts {
                stmt.walk(visit);
            }
        };
        match &self.kind {
            StmtKind::If {
                consequent,
                alternate,
                ..
            } => {
                each(consequent);
                each(alternate);
            }
            StmtKind::Loop { body, .. } | StmtKind::Block(body) => each(body),
            StmtKind::Try {
                body,
                handlers,
                finally,
            } => {
                each(body);
                for handler in handlers {
                    each(&handler.body);
                }
                each(finally);
            }
            StmtKind::Expr(_)
            | StmtKind::Assign { .. }
            | StmtKind::Return(_)
            | StmtKind::Throw(_)
            | StmtKind::Function(_)
            | StmtKind::Class(_) => {}
        }
    }

    /// The expressions directly held by this statement (not those of nested statements).
    pub fn exprs(&self) -> Vec<&Expr> {
        match &self.kind {
            StmtKind::Expr(expr) => vec![expr],
            StmtKind::Assign { target, value, .. } => {
                let mut exprs = vec![value];
                if let Pattern::Target(target) = target {
                    exprs.push(target);
                }
                exprs
            }
            StmtKind::Return(value) | StmtKind::Throw(value) => value.iter().collect(),
            StmtKind::If { test, .. } => vec![test],
            StmtKind::Loop { binding, test, .. } => {
                let mut exprs: Vec<&Expr> = binding.iter().map(|(_, iter)| iter).collect();
                exprs.extend(test.iter());
                exprs
            }
            StmtKind::Try { handlers, .. } => {
                handlers.iter().flat_map(|h| h.types.iter()).collect()
            }
            StmtKind::Block(_) | StmtKind::Function(_) | StmtKind::Class(_) => Vec::new(),
        }
    }
}

impl Function {
    /// Visits every expression of the decorators, parameter defaults and body (not entering
    /// nested functions).
    pub fn walk_exprs<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        for decorator in &self.decorators {
            decorator.walk(visit);
        }
        for param in &self.params {
            if let Some(default) = &param.default {
                default.walk(visit);
            }
        }
        for stmt in &self.body {
            stmt.walk(&mut |stmt| {
                for expr in stmt.exprs() {
                    expr.walk(visit);
                }
            });
        }
    }

    /// Visits every statement of the body (not entering nested functions).
    pub fn walk_stmts<'a>(&'a self, visit: &mut dyn FnMut(&'a Stmt)) {
        for stmt in &self.body {
            stmt.walk(visit);
        }
    }

    /// The names of the parameters, in order (`None` for destructured ones).
    pub fn param_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.params.iter().map(Param::name)
    }
}
