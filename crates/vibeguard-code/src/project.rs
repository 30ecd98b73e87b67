//! The project as a whole: every parsed module, how their imports resolve to each other, and
//! what a name or a member chain stands for ("qualified names").
//!
//! Qualified names let rules speak of APIs rather than spellings: `cp.exec`, `exec` imported
//! from `child_process`, and `require('child_process').exec` all qualify as
//! `child_process.exec`; `pool.query` where `pool = new Pool()` from `pg` — in this file or in
//! the project file it was imported from — qualifies as `pg.Pool().query`.

use std::collections::HashMap;

use crate::ir::{ClassId, Expr, ExprKind, FunctionId, Imported, Module, Pattern, StmtKind};
use crate::language::Language;

/// Index of a module in [`Project::modules`].
pub type ModuleId = usize;

/// How far name resolution follows imports and aliases before giving up (import cycles).
const MAX_RESOLUTION_DEPTH: u32 = 8;

/// What a top-level name of a module is bound to.
#[derive(Debug, Clone, Copy)]
enum TopBinding {
    Import(usize),
    Function(FunctionId),
    Class(ClassId),
    /// The value of the last top-level assignment (statement index, for ordering).
    Value(usize),
}

/// What a name stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Symbol<'p> {
    /// A function of a project module.
    Function(ModuleId, FunctionId),
    /// A class of a project module.
    Class(ModuleId, ClassId),
    /// A value assigned at the top level of a project module.
    Value(ModuleId, &'p Expr),
    /// A project module itself.
    Module(ModuleId),
    /// Something from outside the project: a package path such as `child_process.exec`.
    External(String),
}

/// How a function-local name is bound, as the data-flow analysis knows it.
#[derive(Debug, Clone, Copy)]
pub enum Local<'p> {
    /// Not a local: look in the module's scope.
    Unknown,
    /// A parameter (or a local whose value is not known): it stands for itself.
    Opaque,
    /// A local assigned this value.
    Def(&'p Expr),
}

/// Every module of the project, with resolved imports.
#[derive(Debug)]
pub struct Project {
    /// The modules, in path order.
    pub modules: Vec<Module>,
    by_path: HashMap<String, ModuleId>,
    /// For each module, for each of its imports, the project module it resolves to.
    resolved: Vec<Vec<Option<ModuleId>>>,
    top: Vec<HashMap<String, TopBinding>>,
    /// Ruby's classes by name: Rails loads constants by name, without `require`.
    ruby_constants: HashMap<String, (ModuleId, ClassId)>,
    /// For each module, the modules it uses without an import the resolver follows: for Ruby,
    /// those defining the constants it names; for Go, the other files of its package.
    implicit_dependencies: Vec<Vec<ModuleId>>,
    /// Go packages: the modules of each directory holding Go files.
    go_packages: HashMap<String, Vec<ModuleId>>,
}

impl Project {
    /// Indexes parsed modules and resolves their imports.
    pub fn new(mut modules: Vec<Module>) -> Project {
        modules.sort_by(|a, b| a.path.cmp(&b.path));
        let by_path: HashMap<String, ModuleId> = modules
            .iter()
            .enumerate()
            .map(|(id, module)| (module.path.clone(), id))
            .collect();
        let mut project = Project {
            modules,
            by_path,
            resolved: Vec::new(),
            top: Vec::new(),
            ruby_constants: HashMap::new(),
            implicit_dependencies: Vec::new(),
            go_packages: HashMap::new(),
        };
        for (module_id, module) in project.modules.iter().enumerate() {
            if module.language.is_go() {
                project
                    .go_packages
                    .entry(directory(&module.path).to_string())
                    .or_default()
                    .push(module_id);
            }
        }
        project.resolved = project
            .modules
            .iter()
            .map(|module| {
                module
                    .imports
                    .iter()
                    .map(|import| project.find_module(module, &import.source))
                    .collect()
            })
            .collect();
        project.top = project.modules.iter().map(top_bindings).collect();
        for (module_id, module) in project.modules.iter().enumerate() {
            if !module.language.is_ruby() {
                continue;
            }
            for (class_id, class) in module.classes.iter().enumerate() {
                if let Some(name) = &class.name {
                    project
                        .ruby_constants
                        .entry(name.clone())
                        .or_insert((module_id, class_id));
                }
            }
        }
        project.implicit_dependencies = project
            .modules
            .iter()
            .enumerate()
            .map(|(module_id, module)| {
                if module.language.is_go() {
                    return project
                        .go_package_of(module_id)
                        .iter()
                        .copied()
                        .filter(|m| *m != module_id)
                        .collect();
                }
                if !module.language.is_ruby() || project.ruby_constants.is_empty() {
                    return Vec::new();
                }
                let mut named: Vec<ModuleId> = module
                    .text
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|word| word.starts_with(|c: char| c.is_ascii_uppercase()))
                    .filter_map(|word| project.ruby_constants.get(word).map(|(m, _)| *m))
                    .filter(|m| *m != module_id)
                    .collect();
                named.sort_unstable();
                named.dedup();
                named
            })
            .collect();
        project
    }

    /// The module at `path`, if parsed.
    pub fn module_at(&self, path: &str) -> Option<ModuleId> {
        self.by_path.get(path).copied()
    }

    /// The project module an import of module `from` resolves to.
    pub fn import_target(&self, from: ModuleId, import_index: usize) -> Option<ModuleId> {
        self.resolved
            .get(from)
            .and_then(|imports| imports.get(import_index))
            .copied()
            .flatten()
    }

    /// The project modules `module` imports.
    pub fn dependencies(&self, module: ModuleId) -> impl Iterator<Item = ModuleId> + '_ {
        self.resolved
            .get(module)
            .into_iter()
            .flatten()
            .filter_map(|target| *target)
            .chain(
                self.implicit_dependencies
                    .get(module)
                    .into_iter()
                    .flatten()
                    .copied(),
            )
    }

    /// The project module an import specifier names when written in module `from`
    /// (`require('./routes/users')` used inline).
    pub fn resolve_specifier(&self, from: ModuleId, source: &str) -> Option<ModuleId> {
        self.find_module(self.modules.get(from)?, source)
    }

    /// Finds the project file an import specifier names, relative to `from`.
    fn find_module(&self, from: &Module, source: &str) -> Option<ModuleId> {
        let dir = from.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let candidates = if from.language == Language::Python {
            python_candidates(dir, source)
        } else if from.language.is_go() {
            // A Go import names a package (a directory) by its full path, whose tail is the
            // directory's path in the project: `github.com/acme/shop/internal/store`.
            let mut tail = source;
            loop {
                if let Some(modules) = self.go_packages.get(tail) {
                    return modules.first().copied();
                }
                match tail.split_once('/') {
                    Some((_, rest)) => tail = rest,
                    None => return None,
                }
            }
        } else {
            javascript_candidates(dir, source)
        };
        candidates
            .into_iter()
            .find_map(|candidate| self.by_path.get(&candidate).copied())
    }

    /// What `name` means at the top level of `module`.
    pub fn resolve_name(&self, module: ModuleId, name: &str) -> Option<Symbol<'_>> {
        self.resolve_name_at(module, name, 0)
    }

    fn resolve_name_at(&self, module: ModuleId, name: &str, depth: u32) -> Option<Symbol<'_>> {
        if depth > MAX_RESOLUTION_DEPTH {
            return None;
        }
        let m = self.modules.get(module)?;
        let Some(binding) = self.top.get(module)?.get(name) else {
            // A Go package's files share one scope.
            if m.language.is_go() {
                return self.go_package_of(module).iter().find_map(|other| {
                    (*other != module)
                        .then(|| self.top.get(*other)?.get(name).map(|_| *other))
                        .flatten()
                        .and_then(|other| self.resolve_name_at(other, name, depth + 1))
                });
            }
            // A Ruby constant defined in another file (`User` in app/models/user.rb).
            return m
                .language
                .is_ruby()
                .then(|| self.ruby_constants.get(name))
                .flatten()
                .map(|(owner, class)| Symbol::Class(*owner, *class));
        };
        match binding {
            TopBinding::Function(id) => Some(Symbol::Function(module, *id)),
            TopBinding::Class(id) => Some(Symbol::Class(module, *id)),
            TopBinding::Value(index) => match &m.top().body.get(*index)?.kind {
                StmtKind::Assign { value, .. } => Some(Symbol::Value(module, value)),
                _ => None,
            },
            TopBinding::Import(index) => {
                let import = m.imports.get(*index)?;
                match self.import_target(module, *index) {
                    Some(target) => match &import.imported {
                        // CommonJS: `require('./db')` is whatever `module.exports` holds.
                        Imported::Module => self
                            .export_of(target, "*", depth + 1)
                            .or(Some(Symbol::Module(target))),
                        Imported::Default => self
                            .export_of(target, "default", depth + 1)
                            .or_else(|| self.export_of(target, "*", depth + 1))
                            .or(Some(Symbol::Module(target))),
                        Imported::Named(exported) => self.export_of(target, exported, depth + 1),
                    },
                    // `from . import views` names a submodule even without `__init__.py`.
                    None if m.language == Language::Python
                        && let Imported::Named(exported) = &import.imported
                        && let Some(submodule) =
                            self.find_module(m, &submodule_specifier(&import.source, exported)) =>
                    {
                        Some(Symbol::Module(submodule))
                    }
                    None => Some(Symbol::External(match &import.imported {
                        Imported::Module | Imported::Default => import.source.clone(),
                        Imported::Named(exported) => format!("{}.{exported}", import.source),
                    })),
                }
            }
        }
    }

    /// What module `module` exports as `name`.
    pub fn export_of(&self, module: ModuleId, name: &str, depth: u32) -> Option<Symbol<'_>> {
        if depth > MAX_RESOLUTION_DEPTH {
            return None;
        }
        let m = self.modules.get(module)?;
        // A Go package exports its capitalised names, from any of its files.
        if m.language.is_go() {
            return name
                .starts_with(|c: char| c.is_ascii_uppercase())
                .then(|| self.resolve_name_at(module, name, depth + 1))
                .flatten();
        }
        if m.language == Language::Python {
            if let Some(symbol) = self.resolve_name_at(module, name, depth + 1) {
                return Some(symbol);
            }
            // `from package import submodule`
            let dir = m.path.rsplit_once('/').map_or("", |(dir, _)| dir);
            let base = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            return [format!("{base}.py"), format!("{base}/__init__.py")]
                .iter()
                .find_map(|path| self.module_at(path))
                .map(Symbol::Module);
        }
        let exported = |wanted: &str| m.exports.iter().rev().find(|e| e.name == wanted);
        if let Some(export) = exported(name) {
            return self.symbol_of_value(module, &export.value, depth + 1);
        }
        if name != "*"
            && let Some(whole) = exported("*")
        {
            // `module.exports = { a, b }` or `module.exports = router`
            if let Some(value) = whole.value.property(name) {
                return self.symbol_of_value(module, value, depth + 1);
            }
            if name == "default" {
                return self.symbol_of_value(module, &whole.value, depth + 1);
            }
        }
        for star in m.exports.iter().filter(|e| e.name == "*from") {
            if let Some(Symbol::Module(target)) =
                self.symbol_of_value(module, &star.value, depth + 1)
                && let Some(symbol) = self.export_of(target, name, depth + 1)
            {
                return Some(symbol);
            }
        }
        None
    }

    /// The symbol an exported or assigned value stands for.
    fn symbol_of_value<'p>(
        &'p self,
        module: ModuleId,
        value: &'p Expr,
        depth: u32,
    ) -> Option<Symbol<'p>> {
        match &value.kind {
            ExprKind::Name(name) => self
                .resolve_name_at(module, name, depth + 1)
                .or(Some(Symbol::Value(module, value))),
            ExprKind::Function(id) => Some(Symbol::Function(module, *id)),
            ExprKind::Class(id) => Some(Symbol::Class(module, *id)),
            _ => Some(Symbol::Value(module, value)),
        }
    }

    /// The qualified name of an expression in `module`: a dotted path whose root is resolved
    /// through imports, project exports and top-level (or, via `local`, function-local)
    /// definitions. A call adds `()`: `new Pool().query` → `pg.Pool().query`.
    pub fn qualify<'p>(
        &'p self,
        module: ModuleId,
        expr: &'p Expr,
        local: &dyn Fn(&str) -> Local<'p>,
    ) -> Option<String> {
        self.qualify_at(module, expr, local, 0)
    }

    fn qualify_at<'p>(
        &'p self,
        module: ModuleId,
        expr: &'p Expr,
        local: &dyn Fn(&str) -> Local<'p>,
        depth: u32,
    ) -> Option<String> {
        if depth > MAX_RESOLUTION_DEPTH {
            return None;
        }
        match &expr.kind {
            ExprKind::Name(name) => match local(name) {
                Local::Opaque => Some(name.clone()),
                Local::Def(value) => self
                    .qualify_at(module, value, local, depth + 1)
                    .or_else(|| Some(name.clone())),
                Local::Unknown => match self.resolve_name_at(module, name, depth + 1) {
                    None => Some(name.clone()),
                    Some(symbol) => Some(self.qualify_symbol(symbol, name, depth + 1)),
                },
            },
            ExprKind::Member { object, property } => {
                let base = self.qualify_at(module, object, local, depth + 1)?;
                Some(format!("{base}.{property}"))
            }
            ExprKind::Index { object, index } => {
                let key = index.as_str()?;
                let base = self.qualify_at(module, object, local, depth + 1)?;
                Some(format!("{base}.{key}"))
            }
            ExprKind::Call { callee, .. } => {
                if let ExprKind::Name(name) = &callee.kind
                    && name == "require"
                    && let Some((_, args, _)) = expr.as_call()
                    && let Some(source) = args.first().and_then(|a| a.value.as_str())
                {
                    return Some(source.to_string());
                }
                let base = self.qualify_at(module, callee, local, depth + 1)?;
                // `util.promisify(exec)` behaves like `exec`.
                if (base == "util.promisify" || base == "promisify")
                    && let Some((_, args, _)) = expr.as_call()
                    && let Some(first) = args.first()
                {
                    return self.qualify_at(module, &first.value, local, depth + 1);
                }
                Some(format!("{base}()"))
            }
            ExprKind::Await(inner) => self.qualify_at(module, inner, local, depth + 1),
            _ => None,
        }
    }

    fn qualify_symbol(&self, symbol: Symbol<'_>, name: &str, depth: u32) -> String {
        match symbol {
            Symbol::External(path) => path,
            Symbol::Value(m, value) => self
                .qualify_at(m, value, &|_| Local::Unknown, depth + 1)
                .unwrap_or_else(|| name.to_string()),
            Symbol::Function(m, id) => format!(
                "{}#{}",
                self.modules[m].path,
                self.modules[m].functions[id]
                    .name
                    .as_deref()
                    .unwrap_or(name)
            ),
            Symbol::Class(m, id) => format!(
                "{}#{}",
                self.modules[m].path,
                self.modules[m].classes[id].name.as_deref().unwrap_or(name)
            ),
            Symbol::Module(m) => self.modules[m].path.clone(),
        }
    }

    /// The project function a callee expression names, if any: a local function, an imported
    /// project function, or a member of an imported project module (`User.findById` where
    /// `User = require('../models/user')`).
    pub fn callee_function<'p>(
        &'p self,
        module: ModuleId,
        callee: &'p Expr,
        local: &dyn Fn(&str) -> Local<'p>,
    ) -> Option<(ModuleId, FunctionId)> {
        self.symbol_of_expr(module, callee, local, 0)
            .and_then(|symbol| match symbol {
                Symbol::Function(m, f) => Some((m, f)),
                Symbol::Value(m, value) => match &value.kind {
                    ExprKind::Function(f) => Some((m, *f)),
                    _ => None,
                },
                _ => None,
            })
    }

    /// What an expression stands for, following names, project imports and object members.
    pub fn symbol_of_expr<'p>(
        &'p self,
        module: ModuleId,
        expr: &'p Expr,
        local: &dyn Fn(&str) -> Local<'p>,
        depth: u32,
    ) -> Option<Symbol<'p>> {
        if depth > MAX_RESOLUTION_DEPTH {
            return None;
        }
        match &expr.kind {
            ExprKind::Name(name) => match local(name) {
                Local::Opaque => None,
                Local::Def(value) => match &value.kind {
                    ExprKind::Function(id) => Some(Symbol::Function(module, *id)),
                    _ => self.symbol_of_expr(module, value, local, depth + 1),
                },
                Local::Unknown => self
                    .resolve_name_at(module, name, depth + 1)
                    .or_else(|| self.ruby_own_method(module, expr, name)),
            },
            ExprKind::Function(id) => Some(Symbol::Function(module, *id)),
            // `new TaskService()`: an instance, whose methods are the class's.
            ExprKind::Call { callee, .. } => {
                match self.symbol_of_expr(module, callee, local, depth + 1)? {
                    Symbol::Class(m, class) => Some(Symbol::Class(m, class)),
                    // A factory (`def repo(req): return ProductRepo(req.app["db"])`): an
                    // instance of the class it returns.
                    Symbol::Function(m, f) => {
                        let mut returned = None;
                        self.modules[m].functions[f].walk_stmts(&mut |stmt| {
                            if returned.is_none()
                                && let StmtKind::Return(Some(value)) = &stmt.kind
                                && matches!(value.unwrap_await().kind, ExprKind::Call { .. })
                            {
                                returned = Some(value.unwrap_await());
                            }
                        });
                        match self.symbol_of_expr(m, returned?, &|_| Local::Unknown, depth + 1)? {
                            Symbol::Class(owner, class) => Some(Symbol::Class(owner, class)),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            ExprKind::Await(inner) => self.symbol_of_expr(module, inner, local, depth + 1),
            ExprKind::Member { object, property } => {
                let Some(symbol) = self.symbol_of_expr(module, object, local, depth + 1) else {
                    return self.go_method(module, object, property, local);
                };
                match symbol {
                    Symbol::Module(target) => self.export_of(target, property, depth + 1),
                    Symbol::Value(m, value) => match value.property(property) {
                        Some(member) => self.symbol_of_value(m, member, depth + 1),
                        None => {
                            match self.symbol_of_expr(m, value, &|_| Local::Unknown, depth + 1)? {
                                Symbol::Class(owner, class) => self.modules[owner].classes[class]
                                    .methods
                                    .iter()
                                    .find(|f| {
                                        self.modules[owner].functions[**f].name.as_deref()
                                            == Some(property)
                                    })
                                    .map(|f| Symbol::Function(owner, *f)),
                                _ => None,
                            }
                        }
                    },
                    Symbol::Class(m, class) => self.modules[m].classes[class]
                        .methods
                        .iter()
                        .find(|f| self.modules[m].functions[**f].name.as_deref() == Some(property))
                        .map(|f| Symbol::Function(m, *f)),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl Project {
    /// The modules of the Go package (directory) module `module` belongs to.
    fn go_package_of(&self, module: ModuleId) -> &[ModuleId] {
        self.modules
            .get(module)
            .and_then(|m| self.go_packages.get(directory(&m.path)))
            .map_or(&[], Vec::as_slice)
    }

    /// A Go method called on a value whose type the model does not track (`h.store.FindUser`,
    /// a receiver's field, a constructor's result): the project's one method of that name,
    /// preferring the caller's package. Values from outside the project (`db.Query` on a
    /// `*sql.DB`) never resolve to a project method.
    /// Ruby: a method called without a receiver (`fetch_rows(x)`, `render_403`) is one of the
    /// enclosing class's own, or one it inherits from a superclass of the project.
    fn ruby_own_method(&self, module: ModuleId, at: &Expr, name: &str) -> Option<Symbol<'_>> {
        let m = self.modules.get(module)?;
        if !m.language.is_ruby() {
            return None;
        }
        let mut class = m
            .classes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.range.contains(&at.range))
            .min_by_key(|(_, c)| c.range.end_byte - c.range.start_byte)
            .map(|(id, _)| (module, id))?;
        // Bounded: a superclass cycle in broken code must not loop.
        for _ in 0..6 {
            let (owner, id) = class;
            let found = &self.modules[owner].classes[id];
            if let Some(f) = found
                .methods
                .iter()
                .find(|f| self.modules[owner].functions[**f].name.as_deref() == Some(name))
            {
                return Some(Symbol::Function(owner, *f));
            }
            let base = found.bases.first()?;
            let base_name = self.modules[owner].text_of(base.range);
            let base_name = base_name.rsplit("::").next().unwrap_or(base_name);
            class = self
                .modules
                .iter()
                .enumerate()
                .find_map(|(index, candidate)| {
                    if !candidate.language.is_ruby() {
                        return None;
                    }
                    candidate
                        .classes
                        .iter()
                        .position(|c| c.name.as_deref() == Some(base_name))
                        .map(|c| (index, c))
                })?;
        }
        None
    }

    fn go_method<'p>(
        &'p self,
        module: ModuleId,
        object: &'p Expr,
        property: &str,
        local: &dyn Fn(&str) -> Local<'p>,
    ) -> Option<Symbol<'p>> {
        let m = self.modules.get(module)?;
        if !m.language.is_go() {
            return None;
        }
        if let Some(qualified) = self.qualify(module, object, local)
            && m.imports
                .iter()
                .any(|import| qualified.starts_with(import.source.as_str()))
        {
            return None;
        }
        let methods_in = |modules: &mut dyn Iterator<Item = ModuleId>| {
            let mut found = Vec::new();
            for owner in modules {
                let o = &self.modules[owner];
                for class in &o.classes {
                    for f in &class.methods {
                        if o.functions[*f].name.as_deref() == Some(property) {
                            found.push((owner, *f));
                        }
                    }
                }
            }
            found
        };
        let own = methods_in(&mut self.go_package_of(module).iter().copied());
        let found = if own.is_empty() {
            methods_in(&mut self.go_packages.values().flatten().copied())
        } else {
            own
        };
        match found.as_slice() {
            [(owner, f)] => Some(Symbol::Function(*owner, *f)),
            _ => None,
        }
    }
}

/// The directory part of a project path (`""` at the root).
fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `from pkg import sub` as a module specifier: `pkg.sub`, `.sub`, `..sub`.
fn submodule_specifier(source: &str, name: &str) -> String {
    if source.ends_with('.') {
        format!("{source}{name}")
    } else {
        format!("{source}.{name}")
    }
}

/// The names a module binds at its top level.
fn top_bindings(module: &Module) -> HashMap<String, TopBinding> {
    let mut bindings = HashMap::new();
    for (index, import) in module.imports.iter().enumerate() {
        bindings.insert(import.local.clone(), TopBinding::Import(index));
    }
    for (index, stmt) in module.top().body.iter().enumerate() {
        match &stmt.kind {
            StmtKind::Function(id) => {
                if let Some(name) = &module.functions[*id].name {
                    bindings.insert(name.clone(), TopBinding::Function(*id));
                }
            }
            StmtKind::Class(id) => {
                if let Some(name) = &module.classes[*id].name {
                    bindings.insert(name.clone(), TopBinding::Class(*id));
                }
            }
            StmtKind::Assign {
                target: Pattern::Name(name),
                augmented: false,
                ..
            } => {
                bindings.insert(name.clone(), TopBinding::Value(index));
            }
            _ => {}
        }
    }
    bindings
}

/// Files a JavaScript/TypeScript import may name.
fn javascript_candidates(dir: &str, source: &str) -> Vec<String> {
    let base = if source.starts_with('.') {
        join(dir, source)
    } else if let Some(rest) = source
        .strip_prefix("@/")
        .or_else(|| source.strip_prefix("~/"))
    {
        // The common path alias of Next.js and Vite projects: the root or `src/`.
        return ["", "src/"]
            .iter()
            .flat_map(|prefix| with_extensions(&format!("{prefix}{rest}")))
            .collect();
    } else if let Some(rest) = source.strip_prefix('/') {
        Some(rest.to_string())
    } else {
        return Vec::new();
    };
    let Some(base) = base else {
        return Vec::new();
    };
    with_extensions(&base)
}

fn with_extensions(base: &str) -> Vec<String> {
    const EXTENSIONS: [&str; 8] = ["js", "ts", "tsx", "jsx", "mjs", "cjs", "mts", "cts"];
    let mut candidates = vec![base.to_string()];
    // `./db.js` written in TypeScript sources that compile to `.js`.
    if let Some(stem) = base.strip_suffix(".js") {
        candidates.push(format!("{stem}.ts"));
        candidates.push(format!("{stem}.tsx"));
    }
    candidates.extend(EXTENSIONS.iter().map(|ext| format!("{base}.{ext}")));
    candidates.extend(EXTENSIONS.iter().map(|ext| format!("{base}/index.{ext}")));
    candidates
}

/// Files a Python import may name: relative to the importing package, or absolute from the
/// root or any folder above the importing file (projects nest their package under `src/`,
/// `backend/`, ...).
fn python_candidates(dir: &str, source: &str) -> Vec<String> {
    let dots = source.chars().take_while(|c| *c == '.').count();
    let rest = &source[dots..];
    let relative_path = rest.replace('.', "/");
    let mut bases = Vec::new();
    if dots > 0 {
        let mut folder: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
        for _ in 1..dots {
            folder.pop();
        }
        bases.push(folder.join("/"));
    } else {
        let parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
        for end in (0..=parts.len()).rev() {
            bases.push(parts[..end].join("/"));
        }
    }
    let mut candidates = Vec::new();
    for base in bases {
        let path = match (base.is_empty(), relative_path.is_empty()) {
            (true, _) => relative_path.clone(),
            (false, true) => base.clone(),
            (false, false) => format!("{base}/{relative_path}"),
        };
        if path.is_empty() {
            candidates.push("__init__.py".to_string());
            continue;
        }
        candidates.push(format!("{path}.py"));
        candidates.push(format!("{path}/__init__.py"));
    }
    candidates
}

/// `dir` joined with a relative specifier, `..` resolved; `None` when it leaves the root.
fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_module;

    fn project(files: &[(&str, &str)]) -> Project {
        Project::new(
            files
                .iter()
                .map(|(path, text)| {
                    let language = Language::of_path(path).expect("language");
                    parse_module(path, language, (*text).into()).expect("parse")
                })
                .collect(),
        )
    }

    fn qualify_call(project: &Project, path: &str, nth: usize) -> Option<String> {
        let module = project.module_at(path).expect("module");
        let mut calls = Vec::new();
        for function in &project.modules[module].functions {
            function.walk_exprs(&mut |e| {
                if let ExprKind::Call { callee, .. } = &e.kind {
                    calls.push(callee.as_ref());
                }
            });
        }
        project.qualify(module, calls.get(nth)?, &|_| Local::Unknown)
    }

    #[test]
    fn javascript_imports_qualify_through_project_files() {
        let p = project(&[
            (
                "src/db.js",
                "const { Pool } = require('pg');\nconst pool = new Pool();\nmodule.exports = pool;\n",
            ),
            (
                "src/routes/a.js",
                "const db = require('../db');\nconst cp = require('child_process');\nimport { exec as run } from 'child_process';\nfunction h() { db.query(x); cp.exec(y); run(z); }\n",
            ),
        ]);
        let route = "src/routes/a.js";
        let names: Vec<Option<String>> = (0..3).map(|n| qualify_call(&p, route, n)).collect();
        assert_eq!(
            names,
            vec![
                Some("pg.Pool().query".to_string()),
                Some("child_process.exec".to_string()),
                Some("child_process.exec".to_string())
            ]
        );
    }

    #[test]
    fn python_imports_qualify_absolute_relative_and_aliased() {
        let p = project(&[
            ("app/__init__.py", ""),
            (
                "app/db.py",
                "import sqlite3\nconn = sqlite3.connect('x.db')\n",
            ),
            (
                "app/views.py",
                "import subprocess as sp\nfrom os import system\nfrom .db import conn\nfrom app.db import conn as c2\ndef v():\n    sp.run(a)\n    system(b)\n    conn.execute(c)\n    c2.cursor()\n",
            ),
        ]);
        let names: Vec<Option<String>> = (0..4)
            .map(|n| qualify_call(&p, "app/views.py", n))
            .collect();
        assert_eq!(
            names,
            vec![
                Some("subprocess.run".to_string()),
                Some("os.system".to_string()),
                Some("sqlite3.connect().execute".to_string()),
                Some("sqlite3.connect().cursor".to_string()),
            ]
        );
    }

    #[test]
    fn project_functions_are_found_through_imports_and_exports() {
        let p = project(&[
            (
                "src/models/user.js",
                "exports.findById = (id) => db.query('SELECT * FROM users WHERE id = ' + id);\n",
            ),
            (
                "src/models/task.ts",
                "export async function findTask(id: string) { return id; }\nexport default class Task { static find(x) { return x; } }\n",
            ),
            (
                "src/routes.ts",
                "import User = require('./models/user');\nimport Task, { findTask } from './models/task';\nUser.findById(1); findTask(2); Task.find(3);\n",
            ),
        ]);
        let module = p.module_at("src/routes.ts").expect("module");
        let mut found = Vec::new();
        p.modules[module].top().walk_exprs(&mut |e| {
            if let Some((callee, _, _)) = e.as_call()
                && let Some((m, f)) = p.callee_function(module, callee, &|_| Local::Unknown)
            {
                found.push(format!(
                    "{}#{}",
                    p.modules[m].path,
                    p.modules[m].functions[f].name.clone().unwrap_or_default()
                ));
            }
        });
        assert_eq!(
            found,
            vec![
                "src/models/user.js#findById",
                "src/models/task.ts#findTask",
                "src/models/task.ts#find"
            ]
        );
    }

    #[test]
    fn import_paths_resolve_like_node_and_python() {
        assert_eq!(join("src/routes", "../db"), Some("src/db".into()));
        assert_eq!(join("", "../x"), None);
        assert!(javascript_candidates("src", "./lib").contains(&"src/lib/index.ts".to_string()));
        assert!(javascript_candidates("", "@/lib/db").contains(&"src/lib/db.ts".to_string()));
        assert!(javascript_candidates("src", "express").is_empty());
        assert_eq!(
            python_candidates("pkg/sub", "..models")[..2],
            [
                "pkg/models.py".to_string(),
                "pkg/models/__init__.py".to_string()
            ]
        );
        assert!(
            python_candidates("backend/app", "app.models")
                .contains(&"backend/app/models.py".to_string())
        );
    }
}
