//! From a tree-sitter syntax tree to the program model ([`crate::ir`]): one file per language
//! family, sharing the [`Builder`] that owns the functions, classes, imports and exports being
//! collected.

mod go;
mod javascript;
mod python;
mod ruby;

use std::sync::Arc;

use tree_sitter::Node;

use crate::ir::{
    Class, ClassId, Export, Expr, ExprKind, Function, FunctionId, Import, Module, Range,
};
use crate::language::Language;

/// How deep expressions and statements may nest before the rest of a subtree is dropped. Real
/// code stays far below; generated code with thousands of chained `+` would otherwise exhaust
/// the stack of the analysis.
const MAX_DEPTH: u32 = 200;

/// Lowers a parsed tree into a module.
pub fn lower(path: &str, language: Language, text: Arc<str>, root: Node<'_>) -> Module {
    let mut builder = Builder::new(&text);
    match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            javascript::lower_program(&mut builder, root)
        }
        Language::Python => python::lower_module(&mut builder, root),
        Language::Ruby => ruby::lower_program(&mut builder, root),
        Language::Go => go::lower_source_file(&mut builder, root),
    }
    let syntax_errors = if root.has_error() {
        error_lines(root)
    } else {
        Vec::new()
    };
    let Builder {
        functions,
        classes,
        imports,
        exports,
        ..
    } = builder;
    Module {
        path: path.to_string(),
        language,
        text: text.clone(),
        functions,
        classes,
        imports,
        exports,
        syntax_errors,
    }
}

/// The first lines holding `ERROR` or missing nodes, at most a handful.
fn error_lines(root: Node<'_>) -> Vec<u32> {
    let mut lines = Vec::new();
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if lines.len() >= 5 {
            break;
        }
        if node.is_error() || node.is_missing() {
            let line = node.start_position().row as u32 + 1;
            if !lines.contains(&line) {
                lines.push(line);
            }
            continue;
        }
        if node.has_error() {
            let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    lines.sort_unstable();
    lines
}

/// The module being built.
pub(crate) struct Builder<'t> {
    pub text: &'t str,
    pub functions: Vec<Function>,
    pub classes: Vec<Class>,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    /// The function whose body is being lowered.
    pub current: FunctionId,
    /// The class whose body is being lowered.
    pub current_class: Option<ClassId>,
    depth: u32,
    /// Field ids by name: looking a field up by name scans the grammar's field names.
    fields:
        std::cell::RefCell<std::collections::HashMap<&'static str, Option<std::num::NonZeroU16>>>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder {
            text,
            functions: vec![Function {
                name: None,
                params: Vec::new(),
                body: Vec::new(),
                decorators: Vec::new(),
                class: None,
                parent: None,
                range: Range::default(),
            }],
            classes: Vec::new(),
            imports: Vec::new(),
            exports: Vec::new(),
            current: 0,
            current_class: None,
            depth: 0,
            fields: Default::default(),
        }
    }

    /// The child of `node` in field `name` (like `Node::child_by_field_name`, with the field's
    /// id cached).
    pub fn field<'n>(&self, node: Node<'n>, name: &'static str) -> Option<Node<'n>> {
        let id = *self
            .fields
            .borrow_mut()
            .entry(name)
            .or_insert_with(|| node.language().field_id_for_name(name));
        node.child_by_field_id(id?.get())
    }

    /// The text of a node.
    pub fn text(&self, node: Node<'_>) -> &'t str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// Enters one level of nesting; `false` when too deep (the caller then drops the subtree).
    pub fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        true
    }

    /// Leaves a level entered with [`Builder::enter`].
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Reserves a function slot nested in the current function; fill it with
    /// [`Builder::finish_function`].
    pub fn start_function(&mut self, name: Option<String>, range: Range) -> FunctionId {
        let id = self.functions.len();
        self.functions.push(Function {
            name,
            params: Vec::new(),
            body: Vec::new(),
            decorators: Vec::new(),
            class: self.current_class,
            parent: Some(self.current),
            range,
        });
        id
    }

    /// Reserves a class slot.
    pub fn start_class(&mut self, name: Option<String>, range: Range) -> ClassId {
        let id = self.classes.len();
        self.classes.push(Class {
            name,
            bases: Vec::new(),
            decorators: Vec::new(),
            fields: Vec::new(),
            methods: Vec::new(),
            range,
        });
        id
    }

    /// Adds the executable part of a class body — its field initialisers, as assignments — as
    /// a function of its own, so that every rule walking functions sees them
    /// (`SECRET_KEY = os.environ.get("X", "dev")` in a config class).
    pub fn class_body(&mut self, fields: &[crate::ir::Field], range: Range) {
        let body: Vec<crate::ir::Stmt> = fields
            .iter()
            .filter_map(|field| {
                let value = field.value.clone()?;
                Some(crate::ir::Stmt {
                    kind: crate::ir::StmtKind::Assign {
                        target: crate::ir::Pattern::Name(field.name.clone()),
                        value,
                        augmented: false,
                    },
                    range: field.range,
                })
            })
            .collect();
        if body.is_empty() {
            return;
        }
        self.functions.push(Function {
            name: None,
            params: Vec::new(),
            body,
            decorators: Vec::new(),
            class: None,
            parent: Some(self.current),
            range,
        });
    }

    /// Gives a function expression the name it is assigned to, if it has none.
    pub fn name_function(&mut self, value: &Expr, name: &str) {
        if let ExprKind::Function(id) = value.kind
            && let Some(function) = self.functions.get_mut(id)
            && function.name.is_none()
        {
            function.name = Some(name.to_string());
        }
    }

    /// An expression standing for a dropped or unreadable subtree.
    pub fn nothing(range: Range) -> Expr {
        Expr::new(ExprKind::Other(Vec::new()), range)
    }
}

/// The range of a node.
pub(crate) fn range(node: Node<'_>) -> Range {
    let start = node.start_position();
    let end = node.end_position();
    Range {
        start_byte: node.start_byte() as u32,
        end_byte: node.end_byte() as u32,
        start_line: start.row as u32 + 1,
        start_col: start.column as u32,
        end_line: end.row as u32 + 1,
        end_col: end.column as u32,
    }
}

/// The named children of a node, without comments.
pub(crate) fn named_children<'a>(node: Node<'a>) -> Vec<Node<'a>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .collect()
}
