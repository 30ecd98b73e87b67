//! Data-flow analysis: which values reach which sinks, with the path they took.
//!
//! The analysis runs over the program model one function at a time, in source order, with an
//! environment mapping each variable to the labels of its value ([`label::Labels`]): request
//! data, parameters of the function (for summaries) and database records. Branches are
//! analysed separately and joined; a branch that returns or throws does not reach the code
//! after it, so a guard such as `if (!ALLOWED.includes(x)) return` makes `x` safe below it.
//! Closures see the variables of the function around them.
//!
//! Calls to project functions — in the same file or imported from another — use the callee's
//! **summary**: which parameters flow to its return value and which reach a sink. Modules are
//! analysed in import order (a module's dependencies first, cycles broken), and each module
//! twice so that functions declared after their callers are summarised too. Calls the analysis
//! cannot see into pass their arguments' labels on to their result unless they are known to
//! produce new data ([`vocabulary`]).
//!
//! What is a sink, a sanitizer or a record lookup is said by the flow rules
//! ([`FlowRule`]), one per rule file; the engine only moves labels.

pub mod label;
pub mod vocabulary;

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::ir::{Arg, Expr, ExprKind, FunctionId, Module, Pattern, Prop, Range, Stmt, StmtKind};
use crate::project::{Local, ModuleId, Project};
use label::{Kinds, Label, Labels, Origin, Prefix, RequestPart, Step, Trace};

/// The kinds of flow, one bit each; a flow rule owns one.
pub mod kind {
    use super::label::Kinds;
    /// SQL built from input.
    pub const SQL: Kinds = 1;
    /// Input shaping a NoSQL query.
    pub const NOSQL: Kinds = 1 << 1;
    /// Input in an OS command.
    pub const COMMAND: Kinds = 1 << 2;
    /// Input evaluated as code or deserialized.
    pub const CODE: Kinds = 1 << 3;
    /// Input in a file path.
    pub const PATH: Kinds = 1 << 4;
    /// Input as a redirect target.
    pub const REDIRECT: Kinds = 1 << 5;
    /// Input as a URL the server fetches.
    pub const SSRF: Kinds = 1 << 6;
    /// A whole request object written to a model.
    pub const MASS_ASSIGNMENT: Kinds = 1 << 7;
    /// A record sent in a response.
    pub const RECORD: Kinds = 1 << 8;
    /// Input written into HTML without escaping.
    pub const XSS: Kinds = 1 << 9;
    /// Every kind.
    pub const ALL: Kinds = super::label::ALL_KINDS;
}

/// How much work one module's analysis may do before it stops (a generated or pathological
/// file must not stall the audit).
const MAX_STEPS_PER_MODULE: usize = 2_000_000;

/// A call as flow rules see it.
pub struct Call<'a, 'l> {
    /// The project.
    pub project: &'a Project,
    /// The module of the call.
    pub module: ModuleId,
    /// The whole call expression.
    pub expr: &'a Expr,
    /// What is called.
    pub callee: &'a Expr,
    /// The arguments.
    pub args: &'a [Arg],
    /// Whether it is `new X(...)`.
    pub new: bool,
    qualified: OnceCell<Option<String>>,
    local: &'l dyn Fn(&str) -> Local<'a>,
}

impl std::fmt::Debug for Call<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("module", &self.module)
            .field("callee", &self.callee)
            .finish_non_exhaustive()
    }
}

impl<'a> Call<'a, 'a> {
    /// A call view (outside the analysis, locals are not known).
    pub fn new(project: &'a Project, module: ModuleId, expr: &'a Expr) -> Option<Call<'a, 'a>> {
        let (callee, args, new) = expr.as_call()?;
        Some(Call {
            project,
            module,
            expr,
            callee,
            args,
            new,
            qualified: OnceCell::new(),
            local: &|_| Local::Unknown,
        })
    }
}

impl<'a> Call<'a, '_> {
    /// The qualified name of the callee (`child_process.exec`, `pg.Pool().query`), or the
    /// callee as written when it cannot be resolved.
    pub fn qualified(&self) -> &str {
        self.qualified
            .get_or_init(|| self.project.qualify(self.module, self.callee, self.local))
            .as_deref()
            .unwrap_or("")
    }

    /// The method name of `x.method(...)`, or the function name of `f(...)`.
    pub fn name(&self) -> Option<&'a str> {
        match &self.callee.kind {
            ExprKind::Member { property, .. } => Some(property),
            ExprKind::Name(name) => Some(name),
            _ => None,
        }
    }

    /// The receiver of `x.method(...)`.
    pub fn receiver(&self) -> Option<&'a Expr> {
        match &self.callee.kind {
            ExprKind::Member { object, .. } => Some(object),
            _ => None,
        }
    }

    /// Positional argument `index` (keyword arguments are skipped).
    pub fn arg(&self, index: usize) -> Option<&'a Expr> {
        self.args
            .iter()
            .filter(|a| a.name.is_none() && !matches!(a.value.kind, ExprKind::Spread(_)))
            .nth(index)
            .map(|a| &a.value)
    }

    /// Keyword argument `name` (Python), or property `name` of an options object argument.
    pub fn option(&self, name: &str) -> Option<&'a Expr> {
        Expr::option(self.args, name)
    }

    /// Whether the qualified name ends with one of `suffixes` at a dot boundary (or equals it).
    pub fn is(&self, names: &[&str]) -> bool {
        let qualified = self.qualified();
        names.iter().any(|name| {
            qualified == *name
                || (qualified.ends_with(name)
                    && qualified[..qualified.len() - name.len()].ends_with('.'))
        })
    }

    /// The source text of the call.
    pub fn text(&self) -> &'a str {
        self.project.modules[self.module].text_of(self.expr.range)
    }
}

/// One value a call sends into a sink.
#[derive(Debug)]
pub struct SinkArg<'a> {
    /// The value.
    pub value: &'a Expr,
    /// What the sink does with it, for the trace ("SQL query", "shell command").
    pub note: &'static str,
}

/// A rule whose flaw is a flow from a source to a sink.
pub trait FlowRule: Sync {
    /// The kind bit this rule owns (sanitizers and guards say which kinds they make safe).
    fn kind(&self) -> Kinds;

    /// The values this call sends into one of the rule's sinks.
    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>>;

    /// Whether a label arriving at a sink (described by `note`, from [`SinkArg::note`]) is a
    /// finding.
    fn accepts(&self, label: &Label, note: &'static str) -> bool;

    /// Whether the call's result is safe for this rule's kind.
    fn sanitizes(&self, _call: &Call<'_, '_>) -> bool {
        false
    }

    /// An origin the call's result has (a database lookup returns a record).
    fn introduces(&self, _call: &Call<'_, '_>) -> Option<Origin> {
        None
    }
}

/// A request parameter of a handler, known from the framework (FastAPI and Flask handler
/// arguments, Django URL arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSource {
    /// The parameter's index.
    pub index: usize,
    /// The request part.
    pub part: RequestPart,
    /// Whether it is the whole part (a body model) rather than one field.
    pub whole: bool,
    /// Kinds already made safe (a typed or validated parameter).
    pub cleansed: Kinds,
}

/// Parameters of handlers that hold request data, by function.
pub type HandlerSources = HashMap<(ModuleId, FunctionId), Vec<ParamSource>>;

/// A parameter of a function reaching a sink inside it.
#[derive(Debug, Clone)]
pub struct ParamSink {
    /// The parameter.
    pub param: u8,
    /// The flow rule (index into the rules given to [`analyze`]).
    pub rule: usize,
    /// The parameter's label at the sink.
    pub label: Label,
    /// Where the sink is.
    pub module: ModuleId,
    /// The sink call.
    pub range: Range,
    /// What the sink does.
    pub note: &'static str,
}

/// What a function does with its parameters.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Labels of the returned value: parameters, records, request data.
    pub returns: Labels,
    /// Parameters reaching sinks.
    pub param_sinks: Vec<ParamSink>,
}

/// A source reaching a sink: the raw material of a flow finding.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The flow rule (index into the rules given to [`analyze`]).
    pub rule: usize,
    /// The module of the sink.
    pub module: ModuleId,
    /// The sink call.
    pub range: Range,
    /// The label that arrived, with its trace (ending at the sink).
    pub label: Label,
    /// What the sink does.
    pub note: &'static str,
}

/// Everything the analysis found.
#[derive(Debug, Default)]
pub struct FlowResults {
    /// Flows from sources to sinks, one per rule, sink and origin.
    pub hits: Vec<Hit>,
    /// Every function's summary.
    pub summaries: HashMap<(ModuleId, FunctionId), Summary>,
    /// Modules whose analysis stopped early (too much work), by path.
    pub truncated: Vec<String>,
    /// Reads of request data (`request.args`, `req.query`) from a name the analysis could not
    /// tie to a request object: a source it may have missed, so the rules that rely on
    /// sources cannot vouch for their items.
    pub unresolved_sources: Vec<(ModuleId, Range)>,
}

/// Runs the analysis over the whole project.
pub fn analyze(
    project: &Project,
    rules: &[&dyn FlowRule],
    handlers: &HandlerSources,
) -> FlowResults {
    let mut results = FlowResults::default();
    let relevant = reachable_from_sources(project, handlers);
    for level in import_levels(project) {
        let level: Vec<ModuleId> = level.into_iter().filter(|m| relevant[*m]).collect();
        let outcomes: Vec<ModuleOutcome> = level
            .par_iter()
            .map(|module| analyze_module(project, *module, rules, handlers, &results.summaries))
            .collect();
        for outcome in outcomes {
            for (function, summary) in outcome.summaries {
                results
                    .summaries
                    .insert((outcome.module, function), summary);
            }
            results.hits.extend(outcome.hits);
            results.unresolved_sources.extend(
                outcome
                    .unresolved_sources
                    .into_iter()
                    .map(|range| (outcome.module, range)),
            );
            if outcome.truncated {
                results
                    .truncated
                    .push(project.modules[outcome.module].path.clone());
            }
        }
    }
    let mut seen = HashSet::new();
    results.hits.retain(|hit| {
        seen.insert((
            hit.rule,
            hit.module,
            hit.range,
            format!("{:?}", hit.label.origin),
        ))
    });
    results
}

/// The modules data from a request can reach: those that read requests (a request object
/// parameter, Flask's `request`, a framework handler) and every module they import,
/// transitively. Summaries of the others would never be used, so they are not analysed.
fn reachable_from_sources(project: &Project, handlers: &HandlerSources) -> Vec<bool> {
    let count = project.modules.len();
    let mut relevant = vec![false; count];
    let mut stack: Vec<ModuleId> = Vec::new();
    for (module, m) in project.modules.iter().enumerate() {
        let python = !m.language.is_javascript_family();
        let go = m.language.is_go();
        // A module that mentions `request.` is read too, so that a request the analysis cannot
        // tie to a framework is recorded rather than never seen; Rails code reads `params`.
        let mentions_request = (python && !go && m.text.contains("request."))
            // Hono handlers take the context as `c` and read `c.req`.
            || (!python && m.text.contains(".req."))
            || (m.language.is_ruby() && (m.text.contains("params") || m.text.contains("cookies")));
        let reads_requests = mentions_request
            || handlers.keys().any(|(owner, _)| *owner == module)
            || m.imports.iter().any(|i| match &i.imported {
                crate::ir::Imported::Named(n) => n == "request",
                crate::ir::Imported::Module => {
                    vocabulary::REQUEST_MODULES.contains(&i.source.as_str())
                }
                crate::ir::Imported::Default => false,
            })
            || m.functions.iter().any(|f| {
                f.params.iter().any(|p| {
                    if go {
                        return p.annotation.as_deref().is_some_and(|a| {
                            vocabulary::is_go_request_type(&crate::language::canonical_go_type(
                                m, a,
                            ))
                        });
                    }
                    p.name().is_some_and(|name| {
                        if python {
                            vocabulary::is_python_request_name(name)
                        } else {
                            vocabulary::JS_REQUEST_PARAMS.contains(&name)
                        }
                    }) || p
                        .annotation
                        .as_deref()
                        .is_some_and(|a| vocabulary::REQUEST_TYPES.iter().any(|t| a.starts_with(t)))
                }) || (python && !f.params.is_empty() && {
                    let django = vocabulary::django_request_names(f);
                    f.params
                        .iter()
                        .any(|p| p.name().is_some_and(|name| django.contains(&name)))
                })
            });
        if reads_requests {
            relevant[module] = true;
            stack.push(module);
        }
    }
    while let Some(module) = stack.pop() {
        for dependency in project.dependencies(module) {
            if !relevant[dependency] {
                relevant[dependency] = true;
                stack.push(dependency);
            }
        }
    }
    relevant
}

/// Groups modules so that every module comes after the modules it imports (cycles broken
/// arbitrarily); the modules of one group can be analysed in parallel.
fn import_levels(project: &Project) -> Vec<Vec<ModuleId>> {
    let count = project.modules.len();
    let mut level = vec![usize::MAX; count];
    let mut visiting = vec![false; count];
    fn visit(
        project: &Project,
        module: ModuleId,
        level: &mut [usize],
        visiting: &mut [bool],
    ) -> usize {
        if level[module] != usize::MAX {
            return level[module];
        }
        if visiting[module] {
            return 0;
        }
        visiting[module] = true;
        let deps: Vec<ModuleId> = project.dependencies(module).collect();
        let mut mine = 0;
        for dep in deps {
            if dep != module {
                mine = mine.max(visit(project, dep, level, visiting) + 1);
            }
        }
        visiting[module] = false;
        level[module] = mine;
        mine
    }
    for module in 0..count {
        visit(project, module, &mut level, &mut visiting);
    }
    let depth = level.iter().copied().max().map_or(0, |d| d + 1);
    let mut levels = vec![Vec::new(); depth];
    for (module, l) in level.into_iter().enumerate() {
        levels[l].push(module);
    }
    levels
}

struct ModuleOutcome {
    module: ModuleId,
    summaries: HashMap<FunctionId, Summary>,
    hits: Vec<Hit>,
    truncated: bool,
    unresolved_sources: Vec<Range>,
}

fn analyze_module(
    project: &Project,
    module: ModuleId,
    rules: &[&dyn FlowRule],
    handlers: &HandlerSources,
    summaries: &HashMap<(ModuleId, FunctionId), Summary>,
) -> ModuleOutcome {
    // One pass: a function declared after its caller is analysed when the call is met.
    let mut analyzer = Analyzer::new(project, module, rules, handlers, summaries, HashMap::new());
    analyzer.run();
    ModuleOutcome {
        module,
        summaries: analyzer.local_summaries,
        hits: analyzer.hits,
        truncated: analyzer.steps > MAX_STEPS_PER_MODULE,
        unresolved_sources: analyzer.unresolved_sources,
    }
}

/// How many leading names of a member path make up a request object: 1 for a request object
/// (`req.query`), 2 for a framework module's request (`flask.request.args`); `None` when the
/// path does not start at a request.
fn request_root_length(path: &[&str], env: &Env<'_>) -> Option<usize> {
    // Class-based views hold the request as `self.request` (aiohttp's `web.View`, Django's
    // generic views, Tornado's handlers).
    if path.len() >= 2 && path[0] == "self" && path[1] == "request" {
        return Some(2);
    }
    // Hono's context holds the request as `c.req` (`c.req.query('q')`, `await c.req.json()`).
    if path.len() >= 2 && matches!(path[0], "c" | "ctx" | "context") && path[1] == "req" {
        return Some(2);
    }
    let root = env.vars.get(*path.first()?)?;
    if root.request_object {
        Some(1)
    } else if root.request_module && path.get(1) == Some(&"request") {
        Some(2)
    } else {
        None
    }
}

/// A variable's state.
#[derive(Debug, Clone, Default)]
struct Var<'p> {
    labels: Labels,
    /// The value last assigned, for resolving what a call on it means.
    def: Option<&'p Expr>,
    /// The function a name is bound to.
    function: Option<FunctionId>,
    /// Whether this is a request object (`req`, Flask's `request`).
    request_object: bool,
    /// Whether this is a framework module whose `request` attribute is the request object
    /// (`import flask` then `flask.request.args`, `import flask as f`).
    request_module: bool,
    /// A `Promise` executor's `resolve`: index into the analyzer's resolver list.
    resolver: Option<usize>,
    /// A parameter: it stands for itself.
    opaque: bool,
}

#[derive(Debug, Clone, Default)]
struct Env<'p> {
    vars: HashMap<String, Var<'p>>,
    /// Member paths (`req.query.next`) and names made safe by guards.
    refined: HashMap<String, Kinds>,
}

impl<'p> Env<'p> {
    fn join(&mut self, other: Env<'p>) {
        for (name, var) in other.vars {
            match self.vars.get_mut(&name) {
                Some(mine) => {
                    mine.labels.extend(var.labels);
                    if mine.def.is_none() {
                        mine.def = var.def;
                    }
                    mine.function = mine.function.or(var.function);
                    mine.request_object |= var.request_object;
                    mine.request_module |= var.request_module;
                }
                None => {
                    self.vars.insert(name, var);
                }
            }
        }
        // A value is safe after the join only if it was made safe on both paths.
        let theirs = other.refined;
        self.refined.retain(|path, kinds| match theirs.get(path) {
            Some(other_kinds) => {
                *kinds &= *other_kinds;
                true
            }
            None => false,
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Terminated,
}

struct Frame {
    function: u32,
    returns: Labels,
    param_sinks: Vec<ParamSink>,
}

struct Analyzer<'p, 'r> {
    project: &'p Project,
    module: ModuleId,
    m: &'p Module,
    python: bool,
    /// Ruby: `params` and `cookies` are request data wherever they are not a local variable.
    ruby: bool,
    /// Go: requests are parameters typed as one, read through Go's field and method names.
    go: bool,
    rules: &'r [&'r dyn FlowRule],
    handlers: &'r HandlerSources,
    summaries: &'r HashMap<(ModuleId, FunctionId), Summary>,
    local_summaries: HashMap<FunctionId, Summary>,
    hits: Vec<Hit>,
    frames: Vec<Frame>,
    resolvers: Vec<Labels>,
    /// When positive, evaluation has no effects (re-reading a sub-expression for a sink).
    quiet: u32,
    emit: bool,
    steps: usize,
    /// Set just before analysing a Promise executor: the resolver slot of its `resolve`.
    pending_resolver: Option<usize>,
    /// The function being analysed.
    current_function: FunctionId,
    /// Hoisted function declarations not analysed yet, with their scope, so a call met
    /// before the declaration analyses it on the spot.
    hoisted: HashMap<FunctionId, std::rc::Rc<Env<'p>>>,
    analyzed: HashSet<FunctionId>,
    /// Request reads from names not tied to a request object (see
    /// [`FlowResults::unresolved_sources`]).
    unresolved_sources: Vec<Range>,
    /// The module's own scope (its imports and framework request objects): what a method
    /// analysed out of order sees, rather than its caller's locals.
    module_env: Env<'p>,
}

impl<'p, 'r> Analyzer<'p, 'r> {
    fn new(
        project: &'p Project,
        module: ModuleId,
        rules: &'r [&'r dyn FlowRule],
        handlers: &'r HandlerSources,
        summaries: &'r HashMap<(ModuleId, FunctionId), Summary>,
        local_summaries: HashMap<FunctionId, Summary>,
    ) -> Self {
        let m = &project.modules[module];
        Analyzer {
            project,
            module,
            m,
            python: !m.language.is_javascript_family(),
            ruby: m.language.is_ruby(),
            go: m.language.is_go(),
            rules,
            handlers,
            summaries,
            local_summaries,
            hits: Vec::new(),
            frames: Vec::new(),
            resolvers: Vec::new(),
            quiet: 0,
            emit: true,
            steps: 0,
            pending_resolver: None,
            hoisted: HashMap::new(),
            current_function: 0,
            analyzed: HashSet::new(),
            unresolved_sources: Vec::new(),
            module_env: Env::default(),
        }
    }

    fn run(&mut self) {
        let mut env = Env::default();
        // Flask, Quart, Bottle and Sanic expose the request as a module-level object, imported
        // by name (`from flask import request as r`) or reached through the module
        // (`import flask as f` then `f.request.args`).
        for import in &self.m.imports {
            let framework = vocabulary::REQUEST_MODULES.contains(&import.source.as_str());
            // `from flask import *` binds `request` too.
            let star = import.local.starts_with("*@");
            let (request_object, request_module) = match &import.imported {
                crate::ir::Imported::Named(name) => (framework && name == "request", false),
                crate::ir::Imported::Module if star => (framework, false),
                crate::ir::Imported::Module => (false, framework),
                crate::ir::Imported::Default => (false, false),
            };
            if request_object || request_module {
                let local = if star {
                    "request".to_string()
                } else {
                    import.local.clone()
                };
                env.vars.insert(
                    local,
                    Var {
                        request_object,
                        request_module,
                        opaque: true,
                        ..Var::default()
                    },
                );
            }
        }
        // A Rails controller's `request` is the request object.
        if self.ruby {
            env.vars.insert(
                "request".to_string(),
                Var {
                    request_object: true,
                    opaque: true,
                    ..Var::default()
                },
            );
        }
        self.module_env = env.clone();
        self.function(0, &env, &[]);
        // Functions never reached from the top level (methods of exported objects built in
        // odd ways) are analysed on their own, so their sinks are not missed.
        for id in 1..self.m.functions.len() {
            if !self.analyzed.contains(&id) && self.m.functions[id].parent == Some(0) {
                self.function(id, &env, &[]);
            }
        }
    }

    fn step(&mut self) -> bool {
        self.steps += 1;
        self.steps <= MAX_STEPS_PER_MODULE
    }

    fn trace(&self, range: Range, note: &str) -> Trace {
        Trace::start(Step {
            module: self.module,
            range,
            note: Arc::from(note),
        })
    }

    /// Analyses function `id` with `outer` as its enclosing scope; `param_labels` overrides
    /// the labels of leading parameters (callbacks receiving a call's result).
    fn function(&mut self, id: FunctionId, outer: &Env<'p>, param_labels: &[Labels]) -> Summary {
        self.analyzed.insert(id);
        let previous_function = std::mem::replace(&mut self.current_function, id);
        let m = self.m;
        let function = &m.functions[id];
        let mut env = outer.clone();
        let sources = self.handlers.get(&(self.module, id));
        let python = self.python;
        let go = self.go;
        // Any parameter read as a Django request (`x.GET`, `x.POST`, `x.COOKIES`, `x.META`,
        // `x.FILES`) is one: helpers that take the request from a view.
        let django = if python {
            vocabulary::django_request_names(function)
        } else {
            Vec::new()
        };
        let is_request_candidate = |name: &str, annotation: Option<&str>| {
            if go {
                annotation.is_some_and(|a| {
                    vocabulary::is_go_request_type(&crate::language::canonical_go_type(m, a))
                })
            } else if python {
                // `request`, `req`, `http_request`…
                vocabulary::is_python_request_name(name) || django.contains(&name)
            } else {
                vocabulary::JS_REQUEST_PARAMS.contains(&name)
                    || annotation.is_some_and(|a| {
                        vocabulary::REQUEST_TYPES
                            .iter()
                            .any(|t| a == *t || a.starts_with(&format!("{t}<")))
                    })
            }
        };
        for (index, param) in function.params.iter().enumerate() {
            let mut labels = match param_labels.get(index) {
                Some(given) => given.clone(),
                None => Labels::none(),
            };
            if let Ok(param_index) = u8::try_from(index) {
                labels.add(Label::new(
                    Origin::Param {
                        function: id as u32,
                        index: param_index,
                        field: None,
                    },
                    true,
                    self.trace(param.range, "parameter"),
                ));
            }
            if let Some(source) = sources.and_then(|s| s.iter().find(|s| s.index == index)) {
                let mut label = Label::new(
                    Origin::Request(source.part),
                    source.whole,
                    self.trace(param.range, source.part.describe()),
                );
                label.cleansed = source.cleansed;
                labels.add(label);
            }
            let request_object = param
                .name()
                .is_some_and(|name| is_request_candidate(name, param.annotation.as_deref()));
            self.bind_pattern(&param.pattern, &labels, None, &mut env, |var| {
                var.opaque = true;
                var.request_object = request_object;
            });
        }
        // A Promise executor's first parameter is its `resolve`.
        if let Some(slot) = self.pending_resolver.take()
            && let Some(name) = function.params.first().and_then(|p| p.name())
            && let Some(var) = env.vars.get_mut(name)
        {
            var.resolver = Some(slot);
        }
        self.frames.push(Frame {
            function: id as u32,
            returns: Labels::none(),
            param_sinks: Vec::new(),
        });
        self.block(&function.body, &mut env);
        let frame = self.frames.pop().unwrap_or(Frame {
            function: id as u32,
            returns: Labels::none(),
            param_sinks: Vec::new(),
        });
        let summary = Summary {
            returns: frame.returns,
            param_sinks: frame.param_sinks,
        };
        self.local_summaries.insert(id, summary.clone());
        self.current_function = previous_function;
        summary
    }

    fn block(&mut self, stmts: &'p [Stmt], env: &mut Env<'p>) -> Flow {
        // Function declarations are hoisted: bind and analyse them first.
        for stmt in stmts {
            if let StmtKind::Function(id) = stmt.kind
                && self.current_function != 0
                && let Some(name) = &self.m.functions[id].name
            {
                env.vars.insert(
                    name.clone(),
                    Var {
                        function: Some(id),
                        ..Var::default()
                    },
                );
            }
        }
        if self.quiet == 0
            && stmts
                .iter()
                .any(|s| matches!(s.kind, StmtKind::Function(_)))
        {
            let snapshot = std::rc::Rc::new(env.clone());
            for stmt in stmts {
                if let StmtKind::Function(id) = stmt.kind {
                    self.hoisted.insert(id, snapshot.clone());
                }
            }
            for stmt in stmts {
                if let StmtKind::Function(id) = stmt.kind
                    && let Some(snapshot) = self.hoisted.remove(&id)
                    && !self.analyzed.contains(&id)
                {
                    self.function(id, &snapshot, &[]);
                }
            }
        }
        for stmt in stmts {
            if !self.step() {
                return Flow::Terminated;
            }
            if self.statement(stmt, env) == Flow::Terminated {
                return Flow::Terminated;
            }
        }
        Flow::Continue
    }

    fn statement(&mut self, stmt: &'p Stmt, env: &mut Env<'p>) -> Flow {
        match &stmt.kind {
            StmtKind::Expr(expr) => {
                self.eval(expr, env);
                if let Some((callee, _, _)) = expr.unwrap_await().as_call()
                    && let Some(path) = callee.member_path()
                    && vocabulary::terminates(&path.join("."))
                {
                    return Flow::Terminated;
                }
                Flow::Continue
            }
            StmtKind::Assign {
                target,
                value,
                augmented,
            } => {
                let mut labels = self.eval(value, env);
                if *augmented {
                    labels = labels.map(|l| l.string_built = true);
                    for name in target.names() {
                        if let Some(var) = env.vars.get(name) {
                            labels.extend(var.labels.clone());
                        }
                    }
                    if let Pattern::Target(target_expr) = target {
                        labels.extend(self.eval(target_expr, env));
                    }
                }
                let step = labels.step(self.module, stmt.range, "assigned");
                self.assign(target, step, Some(value), env);
                Flow::Continue
            }
            StmtKind::Return(value) => {
                if let Some(value) = value {
                    let labels = self.eval(value, env);
                    let labels = labels.step(self.module, stmt.range, "returned");
                    if let Some(frame) = self.frames.last_mut() {
                        frame.returns.extend(labels);
                    }
                }
                Flow::Terminated
            }
            StmtKind::Throw(value) => {
                if let Some(value) = value {
                    self.eval(value, env);
                }
                Flow::Terminated
            }
            StmtKind::If {
                test,
                consequent,
                alternate,
            } => {
                self.eval(test, env);
                let mut then_env = env.clone();
                self.refine(test, true, &mut then_env);
                let mut else_env = env.clone();
                self.refine(test, false, &mut else_env);
                let then_flow = self.block(consequent, &mut then_env);
                let else_flow = self.block(alternate, &mut else_env);
                match (then_flow, else_flow) {
                    (Flow::Terminated, Flow::Terminated) => return Flow::Terminated,
                    (Flow::Terminated, Flow::Continue) => *env = else_env,
                    (Flow::Continue, Flow::Terminated) => *env = then_env,
                    (Flow::Continue, Flow::Continue) => {
                        *env = then_env;
                        env.join(else_env);
                    }
                }
                Flow::Continue
            }
            StmtKind::Loop {
                binding,
                test,
                body,
            } => {
                if let Some((pattern, iterable)) = binding {
                    let labels = self.eval(iterable, env).map(|l| l.whole = false).step(
                        self.module,
                        iterable.range,
                        "iterated",
                    );
                    self.assign(pattern, labels, None, env);
                }
                if let Some(test) = test {
                    self.eval(test, env);
                }
                // A quiet pass first, so values built up across iterations (`sql += ...`)
                // reach the sinks of the body in the pass that reports.
                let mut warm = env.clone();
                self.quiet += 1;
                self.block(body, &mut warm);
                self.quiet -= 1;
                let mut looped = env.clone();
                looped.join(warm);
                self.block(body, &mut looped);
                env.join(looped);
                Flow::Continue
            }
            StmtKind::Try {
                body,
                handlers,
                finally,
            } => {
                let before = env.clone();
                let body_flow = self.block(body, env);
                let mut all_terminate = body_flow == Flow::Terminated;
                let mut joined: Option<Env<'p>> =
                    (body_flow == Flow::Continue).then(|| env.clone());
                for handler in handlers {
                    let mut handler_env = before.clone();
                    handler_env.join(env.clone());
                    if let Some(param) = &handler.param {
                        self.assign(param, Labels::none(), None, &mut handler_env);
                    }
                    let flow = self.block(&handler.body, &mut handler_env);
                    if flow == Flow::Continue {
                        all_terminate = false;
                        match &mut joined {
                            Some(j) => j.join(handler_env),
                            None => joined = Some(handler_env),
                        }
                    }
                }
                if let Some(joined) = joined {
                    *env = joined;
                }
                let finally_flow = self.block(finally, env);
                if (all_terminate && !handlers.is_empty()) || finally_flow == Flow::Terminated {
                    return Flow::Terminated;
                }
                Flow::Continue
            }
            StmtKind::Block(stmts) => self.block(stmts, env),
            StmtKind::Function(_) => Flow::Continue,
            StmtKind::Class(id) => {
                // The class name resolves through the project's scopes, so calls on its
                // instances find its methods' summaries.
                self.class(*id, env);
                Flow::Continue
            }
        }
    }

    fn class(&mut self, id: usize, env: &Env<'p>) {
        if self.quiet > 0 {
            return;
        }
        let m = self.m;
        for method in &m.classes[id].methods {
            self.function(*method, env, &[]);
        }
        for field in &m.classes[id].fields {
            if let Some(value) = &field.value {
                let mut scratch = env.clone();
                self.eval(value, &mut scratch);
            }
        }
    }

    /// Applies what a condition proves to the environment of a branch.
    fn refine(&mut self, test: &'p Expr, holds: bool, env: &mut Env<'p>) {
        match &test.kind {
            ExprKind::Unary { op, operand } if *op == "!" || *op == "not" => {
                self.refine(operand, !holds, env)
            }
            ExprKind::Binary { op, left, right }
                if (holds && (*op == "&&" || *op == "and"))
                    || (!holds && (*op == "||" || *op == "or")) =>
            {
                self.refine(left, holds, env);
                self.refine(right, holds, env);
            }
            ExprKind::Binary { op, left, right } if matches!(*op, "!==" | "!=" | "not in") => {
                let positive = Expr::new(
                    ExprKind::Binary {
                        op: match *op {
                            "!==" => "===",
                            "!=" => "==",
                            _ => "in",
                        },
                        left: left.clone(),
                        right: right.clone(),
                    },
                    test.range,
                );
                if !holds {
                    self.refine_atom(&positive, env);
                }
                // `indexOf(x) !== -1` holds positively.
                if holds {
                    self.refine_atom(test, env);
                }
            }
            _ if holds => self.refine_atom(test, env),
            _ => {}
        }
    }

    fn refine_atom(&mut self, test: &Expr, env: &mut Env<'p>) {
        for (checked, kinds) in vocabulary::guard(test) {
            let Some(path) = checked.member_path() else {
                continue;
            };
            // A checked variable carries its cleansing into later joins (`if not ok: x = '/'`);
            // a checked member path (`req.query.next`) is remembered by its path.
            if path.len() == 1
                && let Some(var) = env.vars.get_mut(path[0])
            {
                var.labels = std::mem::take(&mut var.labels).map(|l| l.cleansed |= kinds);
            }
            *env.refined.entry(path.join(".")).or_insert(0) |= kinds;
        }
    }

    /// Binds `labels` to the names of `target`.
    fn assign(
        &mut self,
        target: &'p Pattern,
        labels: Labels,
        value: Option<&'p Expr>,
        env: &mut Env<'p>,
    ) {
        match target {
            Pattern::Target(target_expr) => {
                // `obj.prop = v`: the object now holds `v` (field-insensitive).
                if let Some(path) = target_expr.member_path() {
                    let root = path[0];
                    let var = env.vars.entry(root.to_string()).or_default();
                    var.labels.extend(labels.map(|l| {
                        if matches!(l.origin, Origin::Request(_) | Origin::Param { .. }) {
                            l.whole = false;
                        }
                    }));
                }
            }
            _ => {
                let function = value.and_then(|v| match v.kind {
                    ExprKind::Function(id) => Some(id),
                    _ => None,
                });
                self.bind_pattern(target, &labels, value, env, |var| {
                    var.function = function;
                });
            }
        }
    }

    fn bind_pattern(
        &mut self,
        pattern: &'p Pattern,
        labels: &Labels,
        value: Option<&'p Expr>,
        env: &mut Env<'p>,
        configure: impl Fn(&mut Var<'p>) + Copy,
    ) {
        match pattern {
            Pattern::Name(name) => {
                env.refined.remove(name.as_str());
                let mut var = Var {
                    labels: labels.clone(),
                    def: value,
                    ..Var::default()
                };
                // Re-binding a Flask-style request object keeps it one (`req = request`,
                // `req = flask.request`).
                if let Some(path) = value.and_then(Expr::member_path)
                    && request_root_length(&path, env) == Some(path.len())
                {
                    var.request_object = true;
                }
                configure(&mut var);
                // The module's top level keeps only values that carry something: plain
                // definitions resolve through the project's scopes, and a small top-level
                // environment keeps copying it into every function cheap.
                let plain = var.labels.is_empty()
                    && !var.request_object
                    && var.resolver.is_none()
                    && !var.opaque;
                if self.current_function == 0 && plain {
                    env.vars.remove(name.as_str());
                } else {
                    env.vars.insert(name.clone(), var);
                }
            }
            Pattern::Object { props, rest } => {
                for (key, sub) in props {
                    // `const { body } = req` reads a request part by destructuring.
                    let part_labels = match value {
                        Some(value) => {
                            let request_part = value
                                .member_path()
                                .filter(|p| request_root_length(p, env) == Some(p.len()))
                                .and_then(|_| vocabulary::request_property(key, self.python));
                            match request_part {
                                Some(part) => Labels::one(Label::new(
                                    Origin::Request(part),
                                    true,
                                    self.trace(value.range, part.describe()),
                                )),
                                None => labels.clone().map(|l| l.whole = false),
                            }
                        }
                        None => labels.clone().map(|l| l.whole = false),
                    };
                    let part_labels = part_labels
                        .filter(|l| !matches!(l.origin, Origin::Record { .. }))
                        .map(|l| with_field(l, key));
                    self.bind_pattern(sub, &part_labels, None, env, configure);
                }
                if let Some(rest) = rest {
                    // `const { role, ...rest } = req.body` excludes fields on purpose.
                    let rest_labels = labels.clone().map(|l| {
                        l.whole = false;
                        l.cleansed |= kind::MASS_ASSIGNMENT | kind::RECORD;
                    });
                    self.bind_pattern(rest, &rest_labels, None, env, configure);
                }
            }
            Pattern::Array(items) => {
                for item in items {
                    let item_labels = labels.clone().map(|l| {
                        if !matches!(l.origin, Origin::Record { .. }) {
                            l.whole = false
                        }
                    });
                    self.bind_pattern(item, &item_labels, None, env, configure);
                }
            }
            Pattern::Target(_) | Pattern::Ignore => {}
        }
    }

    fn local_lookup<'e>(env: &'e Env<'p>) -> impl Fn(&str) -> Local<'p> + 'e {
        move |name: &str| match env.vars.get(name) {
            None => Local::Unknown,
            Some(var) if var.opaque => Local::Opaque,
            Some(var) => match var.def {
                Some(def) => Local::Def(def),
                None => Local::Opaque,
            },
        }
    }

    fn eval(&mut self, expr: &'p Expr, env: &mut Env<'p>) -> Labels {
        if !self.step() {
            return Labels::none();
        }
        let labels = self.eval_inner(expr, env);
        if labels.is_empty() || env.refined.is_empty() {
            return labels;
        }
        match expr.member_path() {
            Some(path) => match env.refined.get(&path.join(".")) {
                Some(kinds) => {
                    let kinds = *kinds;
                    labels.map(|l| l.cleansed |= kinds)
                }
                None => labels,
            },
            None => labels,
        }
    }

    fn eval_inner(&mut self, expr: &'p Expr, env: &mut Env<'p>) -> Labels {
        match &expr.kind {
            ExprKind::Name(name) => match env.vars.get(name) {
                // Rails code hands the request's parameters on under their own name
                // (`Service.call(params: params)`, `def initialize(params)`): a parameter
                // called `params` holds them, whoever calls.
                Some(var) if self.ruby && name == "params" => {
                    let mut labels = var.labels.clone();
                    labels.extend(Labels::one(Label::new(
                        Origin::Request(RequestPart::Parameters),
                        true,
                        self.trace(expr.range, RequestPart::Parameters.describe()),
                    )));
                    labels
                }
                Some(var) => var.labels.clone(),
                // Rails controllers read the request through `params` and `cookies`.
                None if self.ruby => match vocabulary::ruby_request_name(name) {
                    Some(part) => Labels::one(Label::new(
                        Origin::Request(part),
                        true,
                        self.trace(expr.range, part.describe()),
                    )),
                    None => Labels::none(),
                },
                None => Labels::none(),
            },
            ExprKind::Str(_)
            | ExprKind::Number(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Class(_) => Labels::none(),
            ExprKind::Template { tag, quasis, exprs } => {
                // `sql\`...${x}\`` (postgres.js, slonik, Prisma.sql) sends `x` as a parameter.
                let parameterized = tag.as_ref().is_some_and(|tag| {
                    tag.member_path()
                        .and_then(|p| p.last().map(|s| s.to_ascii_lowercase()))
                        .is_some_and(|name| {
                            name.contains("sql") || name == "$queryraw" || name == "$executeraw"
                        })
                });
                if let Some(tag) = tag {
                    self.eval(tag, env);
                }
                let mut out = Labels::none();
                let mut tainted_before = false;
                let mut dynamic_before = false;
                for (index, part) in exprs.iter().enumerate() {
                    let labels = self.eval(part, env);
                    let constant_prefix: String = quasis[..=index].concat();
                    let is_empty = labels.is_empty();
                    let labels = labels.map(|l| {
                        l.string_built = true;
                        l.whole = false;
                        if tainted_before || dynamic_before {
                            l.prefix = Prefix::Fixed;
                        } else if !constant_prefix.is_empty() {
                            l.prefix = Prefix::Static(Arc::from(constant_prefix.as_str()));
                        }
                    });
                    if is_empty {
                        dynamic_before = true;
                    } else {
                        tainted_before = true;
                    }
                    let labels = if parameterized {
                        labels.map(|l| l.cleansed |= kind::SQL)
                    } else {
                        labels
                    };
                    out.extend(labels);
                }
                out
            }
            ExprKind::Binary { op, left, right } => {
                let left_labels = self.eval(left, env);
                let right_labels = self.eval(right, env);
                match *op {
                    "+" => {
                        let left_text = constant_text(left);
                        let right_labels = right_labels.map(|l| {
                            l.string_built = true;
                            l.whole = false;
                            l.prefix = match (&left_text, &l.prefix) {
                                (Some(text), Prefix::Tainted) => {
                                    Prefix::Static(Arc::from(text.as_str()))
                                }
                                (Some(text), Prefix::Static(rest)) => {
                                    Prefix::Static(Arc::from(format!("{text}{rest}").as_str()))
                                }
                                _ => Prefix::Fixed,
                            };
                        });
                        let mut out = left_labels.map(|l| {
                            l.string_built = true;
                            l.whole = false;
                        });
                        out.extend(right_labels);
                        out
                    }
                    "%" if self.python || constant_text(left).is_some() => {
                        let text = constant_text(left).unwrap_or_default();
                        let head = text.split('%').next().unwrap_or("").to_string();
                        let mut out = left_labels;
                        out.extend(right_labels.map(|l| {
                            l.string_built = true;
                            l.whole = false;
                            l.prefix = if head.is_empty() {
                                Prefix::Tainted
                            } else {
                                Prefix::Static(Arc::from(head.as_str()))
                            };
                        }));
                        out
                    }
                    "||" | "??" | "or" | "&&" | "and" => {
                        let mut out = left_labels;
                        out.extend(right_labels);
                        out
                    }
                    _ => Labels::none(),
                }
            }
            ExprKind::Unary { operand, .. } => {
                self.eval(operand, env);
                Labels::none()
            }
            ExprKind::Call { callee, args, new } => self.call(expr, callee, args, *new, env),
            ExprKind::Member { object, property } => {
                if let Some(labels) = self.request_member(object, property, expr, env) {
                    return labels;
                }
                let labels = self.eval(object, env);
                labels
                    .filter(|l| match &l.origin {
                        Origin::Record { .. } => vocabulary::keeps_record_property(property),
                        _ => true,
                    })
                    .map(|l| with_field(l, property))
                    .map(|l| {
                        if !matches!(l.origin, Origin::Record { .. }) {
                            l.whole = false;
                        }
                    })
            }
            ExprKind::Index { object, index } => {
                self.eval(index, env);
                let labels = self.eval(object, env);
                let key = index.as_str().map(str::to_string);
                if let Some(key) = &key
                    && let Some(labels) = self.request_member(object, key, expr, env)
                {
                    return labels;
                }
                labels
                    .filter(|l| match &l.origin {
                        // `rows[0]` is a record; `user['password']` is a field.
                        Origin::Record { .. } => key.is_none(),
                        _ => true,
                    })
                    .map(|l| {
                        if !matches!(l.origin, Origin::Record { .. }) {
                            l.whole = false;
                        }
                    })
            }
            ExprKind::Object(props) => {
                let mut out = Labels::none();
                for prop in props {
                    match prop {
                        Prop::Pair { key, value } => {
                            if let crate::ir::PropKey::Computed(key) = key {
                                self.eval(key, env);
                            }
                            let labels = self.eval(value, env).map(|l| {
                                if !matches!(l.origin, Origin::Record { .. }) {
                                    l.whole = false;
                                }
                            });
                            out.extend(labels);
                        }
                        Prop::Spread(value) => {
                            let labels = self.eval(value, env);
                            out.extend(labels);
                        }
                    }
                }
                out
            }
            ExprKind::Array(items) => {
                let mut out = Labels::none();
                for item in items {
                    let labels = self.eval(item, env).map(|l| {
                        if !matches!(l.origin, Origin::Record { .. }) {
                            l.whole = false;
                        }
                    });
                    out.extend(labels);
                }
                out
            }
            ExprKind::Function(id) => {
                if self.quiet == 0 && !self.analyzed.contains(id) {
                    let snapshot = env.clone();
                    self.function(*id, &snapshot, &[]);
                }
                Labels::none()
            }
            ExprKind::Await(inner) | ExprKind::Spread(inner) => self.eval(inner, env),
            ExprKind::Conditional {
                test,
                consequent,
                alternate,
            } => {
                // `ALLOWED.includes(x) ? x : 'default'`: each branch knows what the test proved.
                self.eval(test, env);
                let mut then_env = env.clone();
                self.refine(test, true, &mut then_env);
                let mut out = self.eval(consequent, &mut then_env);
                let mut else_env = env.clone();
                self.refine(test, false, &mut else_env);
                out.extend(self.eval(alternate, &mut else_env));
                out
            }
            ExprKind::Assign { target, value } => {
                let labels = self.eval(value, env);
                self.assign(target, labels.clone(), Some(value), env);
                labels
            }
            ExprKind::Comprehension { element, bindings } => {
                // Each `for` binds the iterable's elements; the result holds what the element
                // expression makes of them.
                let mut inner = env.clone();
                for (pattern, iterable) in bindings {
                    let labels = self.eval(iterable, &mut inner).map(|l| {
                        if !matches!(l.origin, Origin::Record { .. }) {
                            l.whole = false;
                        }
                    });
                    self.assign(pattern, labels, None, &mut inner);
                }
                self.eval(element, &mut inner)
            }
            ExprKind::Other(items) => {
                // A comprehension over records still holds whole records.
                let mut out = Labels::none();
                for item in items {
                    out.extend(self.eval(item, env).map(|l| {
                        if !matches!(l.origin, Origin::Record { .. }) {
                            l.whole = false;
                        }
                    }));
                }
                out
            }
        }
    }

    /// The labels of each named property of an object literal (`None` for anything else, or
    /// when a spread makes the property set unknown), evaluated without effects.
    fn object_properties(
        &mut self,
        expr: &'p Expr,
        env: &Env<'p>,
    ) -> Option<HashMap<String, Labels>> {
        let ExprKind::Object(props) = &expr.kind else {
            return None;
        };
        let mut properties = HashMap::new();
        self.quiet += 1;
        let mut scratch = env.clone();
        for prop in props {
            match prop {
                Prop::Pair {
                    key: crate::ir::PropKey::Name(name),
                    value,
                } => {
                    let labels = self.eval(value, &mut scratch);
                    properties.insert(name.clone(), labels);
                }
                _ => {
                    self.quiet -= 1;
                    return None;
                }
            }
        }
        self.quiet -= 1;
        Some(properties)
    }

    /// `req.body`, `request.args`, `ctx.request.query`: a request part read from a request
    /// object.
    fn request_member(
        &mut self,
        object: &'p Expr,
        property: &str,
        expr: &'p Expr,
        env: &Env<'p>,
    ) -> Option<Labels> {
        let path = object.member_path()?;
        let Some(root_length) = request_root_length(&path, env) else {
            // `request.args` with `request` bound to nothing the analysis knows: a source
            // it cannot follow, recorded so that no rule passes over it.
            if self.quiet == 0
                && path.len() == 1
                && !env.vars.contains_key(path[0])
                && !self.go
                && vocabulary::looks_like_request(path[0], self.python)
                && vocabulary::request_property(property, self.python).is_some()
                && self.project.resolve_name(self.module, path[0]).is_none()
            {
                self.unresolved_sources.push(expr.range);
            }
            return None;
        };
        let rest = &path[root_length..];
        if self.go {
            // gin's `c.Request.Header`, net/http's `r.URL.Path`.
            let rest = rest.strip_prefix(&["Request"]).unwrap_or(rest);
            let part = vocabulary::go_request_field(rest, property)?;
            return Some(Labels::one(Label::new(
                Origin::Request(part),
                true,
                self.trace(expr.range, part.describe()),
            )));
        }
        // Koa: `ctx.request.body`; Fastify and Koa: `request.raw`; aiohttp:
        // `request.rel_url.query`.
        let depth_ok = rest.is_empty()
            || (rest.len() == 1 && matches!(rest[0], "request" | "raw" | "req" | "rel_url"));
        if !depth_ok {
            return None;
        }
        let part = if self.ruby {
            vocabulary::ruby_request_part(property)?
        } else {
            vocabulary::request_property(property, self.python)?
        };
        Some(Labels::one(Label::new(
            Origin::Request(part),
            true,
            self.trace(expr.range, part.describe()),
        )))
    }

    /// A call that reads request part `part` (`req.get('X')`, `c.Query("q")`): its arguments
    /// are evaluated for their effects, its value is the request data (a body whole).
    fn request_call(
        &mut self,
        expr: &'p Expr,
        args: &'p [Arg],
        part: RequestPart,
        env: &mut Env<'p>,
    ) -> Labels {
        for arg in args {
            self.eval(&arg.value, env);
        }
        Labels::one(Label::new(
            Origin::Request(part),
            part == RequestPart::Body,
            self.trace(expr.range, part.describe()),
        ))
    }

    /// The request part a Go call reads: a method of a request or framework context, or a
    /// router's function given the request.
    fn go_request_call(&self, callee: &'p Expr, env: &Env<'p>) -> Option<RequestPart> {
        if let ExprKind::Member { object, property } = &callee.kind
            && let Some(path) = object.member_path()
            && let Some(root) = request_root_length(&path, env)
        {
            let rest = &path[root..];
            let rest = rest.strip_prefix(&["Request"]).unwrap_or(rest);
            return if rest.is_empty() {
                vocabulary::go_request_method(property)
            } else {
                vocabulary::go_request_field(rest, property)
            };
        }
        let local = Self::local_lookup(env);
        let qualified = self.project.qualify(self.module, callee, &local)?;
        vocabulary::go_request_function(&qualified)
    }

    fn call(
        &mut self,
        expr: &'p Expr,
        callee: &'p Expr,
        args: &'p [Arg],
        new: bool,
        env: &mut Env<'p>,
    ) -> Labels {
        // `resolve(x)` inside a Promise executor.
        if let ExprKind::Name(name) = &callee.kind
            && let Some(slot) = env.vars.get(name).and_then(|v| v.resolver)
        {
            let mut labels = Labels::none();
            for arg in args {
                labels.extend(self.eval(&arg.value, env));
            }
            if let Some(resolved) = self.resolvers.get_mut(slot) {
                resolved.extend(labels.step(self.module, expr.range, "resolved"));
            }
            return Labels::none();
        }
        // `new Promise((resolve, reject) => ...)`: the result is what `resolve` receives.
        if new
            && callee.as_name() == Some("Promise")
            && let Some(ExprKind::Function(executor)) = args.first().map(|a| &a.value.kind)
        {
            let slot = self.resolvers.len();
            self.resolvers.push(Labels::none());
            if self.quiet == 0 {
                self.pending_resolver = Some(slot);
                let snapshot = env.clone();
                self.function(*executor, &snapshot, &[]);
            }
            return std::mem::take(&mut self.resolvers[slot]);
        }

        // Go: `r.FormValue("q")`, `c.Query("q")`, `r.URL.Query()`, `c.Request.FormValue("q")`;
        // `chi.URLParam(r, "id")`, `mux.Vars(r)`.
        if self.go
            && let Some(part) = self.go_request_call(callee, env)
        {
            return self.request_call(expr, args, part, env);
        }
        // Request methods: `req.get('X')`, `request.json()`, `request.get_json()`.
        if let ExprKind::Member { object, property } = &callee.kind
            && let Some(path) = object.member_path()
            && let Some(root) = request_root_length(&path, env)
            && (path.len() == root || (path.len() == root + 1 && path[root] == "request"))
            && let Some(part) = if self.ruby {
                vocabulary::ruby_request_part(property)
            } else {
                vocabulary::request_method(property, self.python)
            }
        {
            return self.request_call(expr, args, part, env);
        }

        let receiver = match &callee.kind {
            ExprKind::Member { object, .. } => Some(object.as_ref()),
            _ => None,
        };
        let receiver_labels = match receiver {
            Some(receiver) => self.eval(receiver, env),
            None => {
                self.eval(callee, env);
                Labels::none()
            }
        };
        let mut arg_labels = Vec::with_capacity(args.len());
        for arg in args {
            if matches!(arg.value.kind, ExprKind::Function(_)) {
                arg_labels.push(Labels::none());
            } else {
                arg_labels.push(self.eval(&arg.value, env));
            }
        }
        // Object literal arguments, property by property, for callees that read one field.
        let arg_fields: Vec<Option<HashMap<String, Labels>>> = args
            .iter()
            .map(|arg| self.object_properties(&arg.value, env))
            .collect();

        let local = Self::local_lookup(env);
        let view = Call {
            project: self.project,
            module: self.module,
            expr,
            callee,
            args,
            new,
            qualified: OnceCell::new(),
            local: &local,
        };
        let method = match &callee.kind {
            ExprKind::Member { property, .. } => Some(property.as_str()),
            _ => None,
        };

        // Sinks.
        if self.quiet == 0 {
            for (rule_index, rule) in self.rules.iter().enumerate() {
                for sink in rule.sinks(&view) {
                    let labels = match args.iter().position(|a| std::ptr::eq(&a.value, sink.value))
                    {
                        Some(position) => arg_labels[position].clone(),
                        None => {
                            self.quiet += 1;
                            let mut scratch = env.clone();
                            let labels = self.eval(sink.value, &mut scratch);
                            self.quiet -= 1;
                            labels
                        }
                    };
                    self.sink(rule_index, *rule, &labels, expr.range, sink.note);
                }
            }
        }

        // The callee's summary, when it is a project function.
        let target = match &callee.kind {
            ExprKind::Name(name) => env
                .vars
                .get(name)
                .and_then(|v| v.function)
                .map(|f| (self.module, f)),
            _ => None,
        }
        .or_else(|| self.project.callee_function(self.module, callee, &local));
        let name = view.qualified().to_string();
        let mut sanitized: Kinds = 0;
        let mut introduced: Vec<Origin> = Vec::new();
        for rule in self.rules {
            if rule.sanitizes(&view) {
                sanitized |= rule.kind();
            }
            if let Some(origin) = rule.introduces(&view) {
                introduced.push(origin);
            }
        }
        drop(view);
        drop(local);
        if let Some((m, f)) = target
            && m == self.module
            && self.quiet == 0
            && !self.analyzed.contains(&f)
            && let Some(snapshot) = self.hoisted.remove(&f)
        {
            self.function(f, &snapshot, &[]);
        }
        // A method of a class declared later in the file (or whose class statement has not been
        // reached yet): analysed now, in the module's scope, so that its summary is there for
        // this call.
        if let Some((m, f)) = target
            && m == self.module
            && self.quiet == 0
            && !self.analyzed.contains(&f)
            && self.m.functions[f].class.is_some()
        {
            let scope = self.module_env.clone();
            self.function(f, &scope, &[]);
        }
        let summary = target.and_then(|(m, f)| {
            if m == self.module {
                self.local_summaries.get(&f).cloned()
            } else {
                self.summaries.get(&(m, f)).cloned()
            }
        });

        // A Python method called on an instance (`repo.search(q)`, `Repo(db).search(q)`)
        // receives the instance as `self`: the call's first argument is its second parameter.
        let bound_method = summary.is_some()
            && receiver.is_some_and(|r| {
                !matches!(
                    r.as_name()
                        .and_then(|name| self.project.resolve_name(self.module, name)),
                    Some(crate::project::Symbol::Class(..))
                )
            })
            && target.is_some_and(|(m, f)| {
                let function = &self.project.modules[m].functions[f];
                function.class.is_some()
                    && !self.project.modules[m].language.is_javascript_family()
                    && matches!(
                        function.params.first().and_then(|p| p.name()),
                        Some("self" | "cls")
                    )
            });
        let (arg_labels, arg_fields) = if bound_method {
            let mut labels = vec![receiver_labels.clone()];
            labels.extend(arg_labels);
            let mut fields = vec![None];
            fields.extend(arg_fields);
            (labels, fields)
        } else {
            (arg_labels, arg_fields)
        };

        let mut result = Labels::none();
        let all_args = || {
            let mut labels = Labels::none();
            for (index, arg) in arg_labels.iter().enumerate() {
                labels.extend(arg.clone().map(|l| {
                    if index > 0 {
                        l.prefix = Prefix::Fixed;
                    }
                }));
            }
            labels
        };

        let callee_function = target.map(|(_, f)| f as u32);
        if let Some(summary) = &summary {
            self.apply_summary(summary, &arg_labels, &arg_fields, expr.range);
            for label in summary.returns.iter() {
                match &label.origin {
                    Origin::Param {
                        function,
                        index,
                        field,
                    } if Some(*function) == callee_function => {
                        let given =
                            given_labels(&arg_labels, &arg_fields, *index as usize, field.as_ref());
                        for outer in given.iter() {
                            result.add(outer.through(label));
                        }
                    }
                    // Parameters of functions around a callee in another file mean nothing here.
                    Origin::Param { .. } if target.is_some_and(|(m, _)| m != self.module) => {}
                    _ => result.add(label.clone()),
                }
            }
            result = result.step(self.module, expr.range, "returned by the call");
        } else if self.go && method.is_some_and(vocabulary::go_keeps_whole) {
            // `json.NewDecoder(r.Body).Decode(&v)`, `io.ReadAll(r.Body)`: the body, whole.
            result = receiver_labels.clone();
            for labels in &arg_labels {
                result.extend(labels.clone());
            }
        } else if vocabulary::is_converting(&name) || method.is_some_and(vocabulary::is_converting)
        {
            result = all_args();
            result.extend(receiver_labels.clone());
            result = result.map(|l| l.cleansed = kind::ALL);
        } else if vocabulary::is_stringifying(&name) {
            result = all_args();
            result.extend(receiver_labels.clone());
            result = result.map(|l| {
                l.string_built = true;
                l.whole = false;
            });
        } else if vocabulary::is_opaque(&name, method) {
            // New data.
        } else if method.is_none() && vocabulary::record_to_mapping(&name) {
            for labels in &arg_labels {
                result.extend(labels.clone());
            }
        } else {
            if let Some(method) = method {
                let whole = vocabulary::keeps_whole(method);
                result.extend(
                    receiver_labels
                        .clone()
                        .filter(|l| !matches!(l.origin, Origin::Record { .. }))
                        .map(|l| {
                            if !whole {
                                l.whole = false;
                                l.string_built = true;
                            }
                        }),
                );
                if vocabulary::keeps_record(method) {
                    let serializer: Option<Arc<str>> = matches!(
                        method,
                        "to_dict"
                            | "as_dict"
                            | "dict"
                            | "model_dump"
                            | "serialize"
                            | "toJSON"
                            | "toObject"
                    )
                    .then(|| Arc::from(method));
                    result.extend(
                        receiver_labels
                            .clone()
                            .filter(|l| matches!(l.origin, Origin::Record { .. }))
                            .map(|l| {
                                if let (Origin::Record { serializer: s, .. }, Some(new)) =
                                    (&mut l.origin, &serializer)
                                {
                                    *s = Some(new.clone());
                                }
                            }),
                    );
                }
                if vocabulary::is_mutator(method)
                    && let Some(root) = receiver.and_then(|r| r.member_path()).map(|p| p[0])
                {
                    let added = all_args().map(|l| l.whole = false);
                    if let Some(var) = env.vars.get_mut(root) {
                        var.labels.extend(added);
                    }
                }
            }
            result.extend(all_args().map(|l| {
                if method.is_some() {
                    l.whole = false;
                }
            }));
            // `Object.assign(target, req.body)` fills `target`.
            if name == "Object.assign"
                && let Some(root) = args
                    .first()
                    .and_then(|a| a.value.member_path())
                    .map(|p| p[0])
            {
                let added = all_args();
                if let Some(var) = env.vars.get_mut(root) {
                    var.labels.extend(added);
                }
            }
        }
        if sanitized != 0 {
            result = result.map(|l| l.cleansed |= sanitized);
        }
        if !introduced.is_empty() {
            let models: Vec<Arc<str>> = introduced
                .iter()
                .filter_map(|o| match o {
                    Origin::Record { model, .. } => Some(model.clone()),
                    _ => None,
                })
                .collect();
            result = result.filter(|l| match &l.origin {
                Origin::Record { model, .. } => !models.contains(model),
                _ => true,
            });
            for origin in introduced {
                result.add(Label::new(
                    origin,
                    true,
                    self.trace(expr.range, "read from the database"),
                ));
            }
        }

        // Callbacks: array methods pass elements; other calls pass their result (after a
        // leading error parameter).
        for arg in args {
            let ExprKind::Function(callback) = arg.value.kind else {
                continue;
            };
            if self.quiet > 0 {
                continue;
            }
            let params = &self.m.functions[callback].params;
            let given: Vec<Labels> = if method.is_some_and(vocabulary::is_iteration) {
                vec![receiver_labels.clone().map(|l| l.whole = false)]
            } else {
                let error_first = params
                    .first()
                    .and_then(|p| p.name())
                    .is_some_and(|n| matches!(n, "err" | "error" | "e" | "er"));
                let mut given = Vec::new();
                if error_first {
                    given.push(Labels::none());
                }
                for _ in given.len()..params.len() {
                    given.push(result.clone());
                }
                given
            };
            let snapshot = env.clone();
            self.function(callback, &snapshot, &given);
        }
        result
    }

    /// Records labels reaching a sink: a hit for request data, a summary entry for parameters.
    fn sink(
        &mut self,
        rule_index: usize,
        rule: &dyn FlowRule,
        labels: &Labels,
        range: Range,
        note: &'static str,
    ) {
        for label in labels.iter() {
            match label.origin {
                Origin::Param {
                    function, index, ..
                } => {
                    // A closure's sink on a captured parameter belongs to the function that
                    // owns the parameter.
                    if let Some(frame) = self
                        .frames
                        .iter_mut()
                        .rev()
                        .find(|f| f.function == function)
                    {
                        frame.param_sinks.push(ParamSink {
                            param: index,
                            rule: rule_index,
                            label: label.clone(),
                            module: self.module,
                            range,
                            note,
                        });
                    }
                }
                _ => {
                    if self.emit && rule.accepts(label, note) {
                        let label = label.clone();
                        let label = Label {
                            trace: label.trace.then(Step {
                                module: self.module,
                                range,
                                note: Arc::from(note),
                            }),
                            ..label
                        };
                        self.hits.push(Hit {
                            rule: rule_index,
                            module: self.module,
                            range,
                            label,
                            note,
                        });
                    }
                }
            }
        }
    }

    /// Applies a callee's parameter sinks to the arguments of a call.
    fn apply_summary(
        &mut self,
        summary: &Summary,
        arg_labels: &[Labels],
        arg_fields: &[Option<HashMap<String, Labels>>],
        call_range: Range,
    ) {
        if self.quiet > 0 {
            return;
        }
        for param_sink in &summary.param_sinks {
            let field = match &param_sink.label.origin {
                Origin::Param { field, .. } => field.as_ref(),
                _ => None,
            };
            let given = given_labels(arg_labels, arg_fields, param_sink.param as usize, field);
            for outer in given.iter() {
                let outer = Label {
                    trace: outer.trace.then(Step {
                        module: self.module,
                        range: call_range,
                        note: Arc::from("passed to a function"),
                    }),
                    ..outer.clone()
                };
                let combined = outer.through(&param_sink.label);
                match combined.origin {
                    Origin::Param {
                        function, index, ..
                    } => {
                        if let Some(frame) = self
                            .frames
                            .iter_mut()
                            .rev()
                            .find(|f| f.function == function)
                        {
                            frame.param_sinks.push(ParamSink {
                                param: index,
                                label: combined,
                                ..param_sink.clone()
                            });
                        }
                    }
                    _ => {
                        let rule = self.rules[param_sink.rule];
                        if self.emit && rule.accepts(&combined, param_sink.note) {
                            let label = Label {
                                trace: combined.trace.then(Step {
                                    module: param_sink.module,
                                    range: param_sink.range,
                                    note: Arc::from(param_sink.note),
                                }),
                                ..combined
                            };
                            self.hits.push(Hit {
                                rule: param_sink.rule,
                                module: param_sink.module,
                                range: param_sink.range,
                                label,
                                note: param_sink.note,
                            });
                        }
                    }
                }
            }
        }
    }
}

/// A parameter's label read through property `name` remembers it (the first level only).
fn with_field(label: &mut Label, name: &str) {
    if let Origin::Param {
        field: field @ None,
        ..
    } = &mut label.origin
    {
        *field = Some(Arc::from(name));
    }
}

/// The labels a call argument gives a parameter's property: for an object literal, the
/// labels of that property's value alone.
fn given_labels(
    arg_labels: &[Labels],
    arg_fields: &[Option<HashMap<String, Labels>>],
    index: usize,
    field: Option<&Arc<str>>,
) -> Labels {
    match (field, arg_fields.get(index).and_then(Option::as_ref)) {
        (Some(field), Some(properties)) => {
            properties.get(field.as_ref()).cloned().unwrap_or_default()
        }
        _ => arg_labels.get(index).cloned().unwrap_or_default(),
    }
}

/// The constant text of a string literal or of a template's leading part.
fn constant_text(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Str(text) => Some(text.clone()),
        ExprKind::Template {
            tag: None, quasis, ..
        } => quasis.first().cloned(),
        ExprKind::Binary { op, left, .. } if *op == "+" => constant_text(left),
        _ => None,
    }
}
