//! Express: apps (`express()`) and routers (`express.Router()`, `Router()` from express or
//! koa-router), routes registered with `get/post/put/patch/delete/all` or `route(path).get()`,
//! middleware added with `use` (applying to the routes registered after it), and routers
//! mounted with `use(prefix, ...middleware, router)` — across files.

use std::collections::{HashMap, HashSet};

use super::crud_generators;
use super::path_values::{self, Env};
use super::{
    Framework, Middleware, Route, function_of, join_paths, literal, middleware, normalize_path,
    path_types,
};
use crate::ir::{Expr, ExprKind, FunctionId, Range, StmtKind};
use crate::project::{Local, ModuleId, Project, Symbol};
use crate::scope;

const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "options", "head",
];

/// A router object: where it was created, or the parameter that holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum RouterKey {
    Created(ModuleId, u32),
    Param(ModuleId, FunctionId, usize),
}

#[derive(Debug)]
enum Event<'p> {
    Use {
        module: ModuleId,
        path: Option<String>,
        middleware: Vec<&'p Expr>,
        /// Each router mounted, with the bindings of the factory call that made it.
        routers: Vec<(RouterKey, Env)>,
    },
    Route {
        module: ModuleId,
        function: FunctionId,
        range: Range,
        method: String,
        /// The path as written, kept when it cannot be computed.
        path: String,
        /// The path expression, when it is not a literal: computed per binding.
        path_expr: Option<&'p Expr>,
        handlers: Vec<&'p Expr>,
    },
    /// A helper called with this router (`crud(app, '/api/notes', Note)`): the helper's routes
    /// on its router parameter are registered here, once per binding of its parameters.
    Apply { helper: RouterKey, envs: Vec<Env> },
}

pub(super) fn collect(
    project: &Project,
    fastify_plugins: &HashSet<(ModuleId, FunctionId)>,
    routes: &mut Vec<Route>,
) {
    let mut events: HashMap<RouterKey, Vec<Event<'_>>> = HashMap::new();
    let mut order: Vec<RouterKey> = Vec::new();
    // The app finale/epilogue were initialized with, and the routes they register on it.
    let mut generators_app: Option<RouterKey> = None;
    let mut on_generators_app: Vec<Event<'_>> = Vec::new();
    for module in 0..project.modules.len() {
        if !project.modules[module].language.is_javascript_family() {
            continue;
        }
        for (function, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            // finale/epilogue name the app once, then register resources on it.
            if let Some(app) = crud_generators::initialized_app(project, module, call) {
                generators_app = router_key(project, module, function, app).or(generators_app);
                continue;
            }
            if let Some(generated) = crud_generators::generated(project, module, call) {
                let router = match generated.router {
                    Some(router) => router_key(project, module, function, router),
                    None => None,
                };
                for route in generated.routes {
                    let event = Event::Route {
                        module,
                        function,
                        range: call.range,
                        method: route.method.to_string(),
                        path: route.path,
                        path_expr: route.path_expr,
                        handlers: Vec::new(),
                    };
                    match router {
                        Some(router) => events.entry(router).or_default().push(event),
                        None => on_generators_app.push(event),
                    }
                }
                if let Some(router) = router
                    && !order.contains(&router)
                {
                    order.push(router);
                }
                continue;
            }
            if let Some((router, applied)) = helper_applied(project, module, function, call) {
                if !order.contains(&router) {
                    order.push(router);
                }
                events.entry(router).or_default().push(applied);
                continue;
            }
            let ExprKind::Member { object, property } = &callee.kind else {
                continue;
            };
            let method = property.as_str();
            // `router.route('/x').get(h).post(h2)`
            if METHODS.contains(&method)
                && let Some((route_path, path_expr, base)) =
                    route_chain(project, module, function, object)
            {
                let handlers = flatten(args.iter().map(|a| &a.value).collect());
                events.entry(base).or_default().push(Event::Route {
                    module,
                    function,
                    range: call.range,
                    method: method_name(method),
                    path: route_path,
                    path_expr: literal(path_expr).is_none().then_some(path_expr),
                    handlers,
                });
                continue;
            }
            let Some(key) = router_key(project, module, function, object) else {
                continue;
            };
            if let RouterKey::Param(m, f, _) = key
                && fastify_plugins.contains(&(m, f))
            {
                continue;
            }
            if !order.contains(&key) {
                order.push(key);
            }
            if METHODS.contains(&method) {
                let Some(first) = args.first() else { continue };
                // `app.get('env')` reads a setting.
                if method == "get" && args.len() < 2 {
                    continue;
                }
                let Some(path) = path_text(project, module, &first.value) else {
                    continue;
                };
                let handlers = flatten(args[1..].iter().map(|a| &a.value).collect());
                events.entry(key).or_default().push(Event::Route {
                    module,
                    function,
                    range: call.range,
                    method: method_name(method),
                    path,
                    path_expr: literal(&first.value).is_none().then_some(&first.value),
                    handlers,
                });
            } else if method == "use" {
                let first = args.first().map(|a| &a.value);
                // A prefix computed in a loop (`app.use(`/api/${name}`, …)`): one mount per
                // iteration.
                let computed = first.is_some_and(|first| {
                    literal(first).is_none() && !matches!(first.kind, ExprKind::Array(_))
                });
                let envs = if computed {
                    path_values::loop_envs(project, module, function, call.range, &Vec::new())
                } else {
                    vec![Vec::new()]
                };
                for env in envs {
                    let used = use_events(project, module, function, args, &env);
                    events.entry(key).or_default().extend(used);
                }
            }
        }
    }
    if let Some(app) = generators_app {
        events.entry(app).or_default().extend(on_generators_app);
        if !order.contains(&app) {
            order.push(app);
        }
    }
    let mounted: HashSet<RouterKey> = events
        .values()
        .flatten()
        .flat_map(|event| match event {
            Event::Use { routers, .. } => routers.iter().map(|(key, _)| *key).collect(),
            Event::Apply { helper, .. } => vec![*helper],
            Event::Route { .. } => Vec::new(),
        })
        .collect();
    for key in order {
        if mounted.contains(&key) {
            continue;
        }
        let mut visiting = HashSet::new();
        let top = Mount {
            prefix: "",
            inherited: &[],
            env: &Vec::new(),
        };
        walk(project, &events, key, &top, &mut visiting, routes);
    }
}

fn method_name(method: &str) -> String {
    match method {
        "all" => "ANY".to_string(),
        "del" => "DELETE".to_string(),
        other => other.to_ascii_uppercase(),
    }
}

/// Where a router is mounted: under a prefix, behind middleware, with the bindings of the
/// helper or factory call that registered its routes.
struct Mount<'a> {
    prefix: &'a str,
    inherited: &'a [Middleware],
    env: &'a Env,
}

/// Emits the routes of a router at its mount.
fn walk(
    project: &Project,
    events: &HashMap<RouterKey, Vec<Event<'_>>>,
    key: RouterKey,
    mount: &Mount<'_>,
    visiting: &mut HashSet<RouterKey>,
    routes: &mut Vec<Route>,
) {
    if !visiting.insert(key) {
        return;
    }
    let Mount {
        prefix,
        inherited,
        env,
    } = *mount;
    // Middleware added with `use`, each with the path it is scoped to.
    let mut active: Vec<(Option<String>, Middleware)> = Vec::new();
    let applies = |scope: &Option<String>, path: &str| match scope {
        None => true,
        Some(scope) => {
            let scope = scope.trim_end_matches('/');
            scope.is_empty() || path == scope || path.starts_with(&format!("{scope}/"))
        }
    };
    for event in events.get(&key).map(Vec::as_slice).unwrap_or_default() {
        match event {
            Event::Use {
                module,
                path,
                middleware: used,
                routers,
                ..
            } => {
                let here: Vec<Middleware> = used
                    .iter()
                    .filter(|expr| !is_plumbing(project, *module, expr))
                    .map(|expr| middleware(project, *module, expr))
                    .collect();
                // A folder served (`express.static`, `serve-static`, `serve-index`): the mount
                // is an operation, whose files and listing the API checks probe.
                if let Some(serving) = used
                    .iter()
                    .find(|expr| serves_files(project, *module, expr))
                {
                    let mount = join_paths(prefix, path.as_deref().unwrap_or(""));
                    let mut chain: Vec<Middleware> = inherited.to_vec();
                    chain.extend(
                        active
                            .iter()
                            .filter(|(scope, _)| applies(scope, &mount))
                            .map(|(_, m)| m.clone()),
                    );
                    routes.push(Route {
                        framework: Framework::Express,
                        method: "GET".into(),
                        path: format!("{}/", normalize_path(&mount).trim_end_matches('/')),
                        param_types: Vec::new(),
                        serves_files: true,
                        view_class: None,
                        module: *module,
                        range: serving.range,
                        handler: None,
                        middleware: chain,
                        param_sources: Vec::new(),
                        response_filtered: false,
                        body_fields: Vec::new(),
                        public_by_design: false,
                    });
                }
                if routers.is_empty() {
                    for m in here {
                        active.push((path.clone(), m));
                    }
                    continue;
                }
                let mount_path = path.clone().unwrap_or_default();
                let mut chain: Vec<Middleware> = inherited.to_vec();
                chain.extend(
                    active
                        .iter()
                        .filter(|(scope, _)| applies(scope, &mount_path))
                        .map(|(_, m)| m.clone()),
                );
                chain.extend(here);
                let at = join_paths(prefix, &mount_path);
                for (router, router_env) in routers {
                    let mount = Mount {
                        prefix: &at,
                        inherited: &chain,
                        env: router_env,
                    };
                    walk(project, events, *router, &mount, visiting, routes);
                }
            }
            Event::Apply { helper, envs } => {
                let chain: Vec<Middleware> = inherited
                    .iter()
                    .cloned()
                    .chain(
                        active
                            .iter()
                            .filter(|(scope, _)| scope.is_none())
                            .map(|(_, m)| m.clone()),
                    )
                    .collect();
                for helper_env in envs {
                    let mount = Mount {
                        prefix,
                        inherited: &chain,
                        env: helper_env,
                    };
                    walk(project, events, *helper, &mount, visiting, routes);
                    // The same helper applied again (a loop): walk it once per binding.
                    visiting.remove(helper);
                }
            }
            Event::Route {
                module,
                function,
                range,
                method,
                path,
                path_expr,
                handlers,
            } => {
                for path in route_paths(project, *module, *function, *range, path, *path_expr, env)
                {
                    let mut chain: Vec<Middleware> = inherited.to_vec();
                    chain.extend(
                        active
                            .iter()
                            .filter(|(scope, _)| applies(scope, &path))
                            .map(|(_, m)| m.clone()),
                    );
                    let handler = handlers
                        .last()
                        .and_then(|h| function_of(project, *module, h));
                    for expr in handlers.iter().take(handlers.len().saturating_sub(1)) {
                        chain.push(middleware(project, *module, expr));
                    }
                    routes.push(Route {
                        framework: Framework::Express,
                        method: method.clone(),
                        path: normalize_path(&join_paths(prefix, &path)),
                        param_types: path_types(&join_paths(prefix, &path)),
                        serves_files: false,
                        view_class: None,
                        module: *module,
                        range: *range,
                        handler,
                        middleware: chain,
                        param_sources: Vec::new(),
                        response_filtered: false,
                        body_fields: Vec::new(),
                        public_by_design: false,
                    });
                }
            }
        }
    }
    visiting.remove(&key);
}

/// The paths a registration stands for: its literal path, or its path expression computed
/// for each binding of the helper parameters and loops around it (the path as written when
/// nothing computes).
fn route_paths(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    range: Range,
    written: &str,
    path_expr: Option<&Expr>,
    env: &Env,
) -> Vec<String> {
    let Some(expr) = path_expr else {
        return vec![written.to_string()];
    };
    let mut paths: Vec<String> = Vec::new();
    for bound in path_values::loop_envs(project, module, function, range, env) {
        if let Some(path) = path_values::text(project, module, function, expr, &bound)
            && !paths.contains(&path)
        {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        paths.push(written.to_string());
    }
    paths
}

/// The events of one `use(…)` call under the loop bindings `env`: a mount per path (a literal,
/// an array of literals, or a computed prefix), its middleware and the routers it mounts.
fn use_events<'p>(
    project: &'p Project,
    module: ModuleId,
    function: FunctionId,
    args: &'p [crate::ir::Arg],
    env: &Env,
) -> Vec<Event<'p>> {
    let mut rest: Vec<&Expr> = args.iter().map(|a| &a.value).collect();
    // `app.use('/api', …)`, or an array of paths: one mount per path.
    let paths: Vec<Option<String>> = match rest.first().map(|first| &first.kind) {
        Some(_) if literal(rest[0]).is_some() => {
            let path = literal(rest[0]).map(str::to_string);
            rest.remove(0);
            vec![path]
        }
        Some(ExprKind::Array(items))
            if !items.is_empty() && items.iter().all(|i| literal(i).is_some()) =>
        {
            let paths = items
                .iter()
                .map(|item| literal(item).map(str::to_string))
                .collect();
            rest.remove(0);
            paths
        }
        Some(_) => match path_values::text(project, module, function, rest[0], env) {
            Some(path) if path.starts_with('/') => {
                rest.remove(0);
                vec![Some(path)]
            }
            _ => vec![None],
        },
        None => vec![None],
    };
    let mut middleware = Vec::new();
    let mut routers = Vec::new();
    for expr in flatten(rest) {
        match mounted_router(project, module, function, expr, env) {
            Some(router) => routers.push(router),
            None => middleware.push(expr),
        }
    }
    paths
        .into_iter()
        .map(|path| Event::Use {
            module,
            path,
            middleware: middleware.clone(),
            routers: routers.clone(),
        })
        .collect()
}

/// A call that hands a router to a helper of the project (`crud(app, '/api/notes', Note)`,
/// `registerRoutes(router)`): the router, and the helper's routes to register on it with the
/// helper's parameters bound at this call (once per iteration of the loops around it).
fn helper_applied<'p>(
    project: &'p Project,
    module: ModuleId,
    function: FunctionId,
    call: &'p Expr,
) -> Option<(RouterKey, Event<'p>)> {
    let (callee, args, _) = call.as_call()?;
    let (index, router) = args.iter().enumerate().find_map(|(index, arg)| {
        arg.value.as_name()?;
        Some((index, router_key(project, module, function, &arg.value)?))
    })?;
    let helper = project.callee_function(module, callee, &|_| Local::Unknown)?;
    let envs = path_values::loop_envs(project, module, function, call.range, &Vec::new())
        .iter()
        .map(|at_call| path_values::call_env(project, (module, function), args, at_call, helper))
        .collect();
    Some((
        router,
        Event::Apply {
            helper: RouterKey::Param(helper.0, helper.1, index),
            envs,
        },
    ))
}

/// Middleware that only parses or serves (body parsers, static files, loggers): not worth
/// listing in front of every route.
fn is_plumbing(project: &Project, module: ModuleId, expr: &Expr) -> bool {
    let qualified = project
        .qualify(module, expr, &|_| Local::Unknown)
        .unwrap_or_default();
    [
        "express.json()",
        "express.urlencoded()",
        "express.static()",
        "express.text()",
        "express.raw()",
        "body-parser",
        "morgan()",
        "cookie-parser()",
        "compression()",
    ]
    .iter()
    .any(|p| qualified.starts_with(p))
}

/// Whether a `use` argument serves a folder: `express.static(dir)`, serve-static's
/// `serveStatic(dir)`, serve-index's `serveIndex(dir)`.
fn serves_files(project: &Project, module: ModuleId, expr: &Expr) -> bool {
    let qualified = project
        .qualify(module, expr, &|_| Local::Unknown)
        .unwrap_or_default();
    ["express.static()", "serve-static", "serve-index"]
        .iter()
        .any(|p| qualified.starts_with(p))
}

/// Arrays of middleware are spread (`router.post('/', [auth, validate], handler)`).
fn flatten(exprs: Vec<&Expr>) -> Vec<&Expr> {
    let mut out = Vec::new();
    for expr in exprs {
        match &expr.kind {
            ExprKind::Array(items) => out.extend(flatten(items.iter().collect())),
            _ => out.push(expr),
        }
    }
    out
}

/// A route path: a literal, or the text of whatever else (a constant, a regex).
fn path_text(project: &Project, module: ModuleId, expr: &Expr) -> Option<String> {
    if let Some(text) = literal(expr) {
        return Some(text.to_string());
    }
    match &expr.kind {
        ExprKind::Name(name) => match project.resolve_name(module, name) {
            Some(Symbol::Value(m, value)) => literal(value)
                .map(str::to_string)
                .or_else(|| Some(project.modules[m].text_of(value.range).to_string())),
            _ => Some(name.clone()),
        },
        _ => Some(project.modules[module].text_of(expr.range).to_string()),
    }
}

/// `router.route('/x')` (possibly followed by method calls): the path and the router.
fn route_chain<'p>(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &'p Expr,
) -> Option<(String, &'p Expr, RouterKey)> {
    let (callee, args, _) = expr.as_call()?;
    let ExprKind::Member { object, property } = &callee.kind else {
        return None;
    };
    if property == "route" {
        let first = &args.first()?.value;
        let path = path_text(project, module, first)?;
        return Some((path, first, router_key(project, module, function, object)?));
    }
    if METHODS.contains(&property.as_str()) {
        return route_chain(project, module, function, object);
    }
    None
}

/// Whether a value is a router created by a router factory.
fn is_router_factory(qualified: &str) -> bool {
    qualified == "express()"
        || qualified == "express.Router()"
        || qualified == "express.default()"
        || qualified == "express.default.Router()"
        || qualified.starts_with("@koa/router")
        || qualified.starts_with("koa-router")
        || (qualified.ends_with("Router()") && qualified.starts_with("express"))
        // Hono's apps register routes the Express way (`app.get('/p', handler)`, `app.use`).
        || qualified == "hono.Hono()"
}

/// Parameter names that hold an app or router by convention.
fn is_router_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "app" | "router" | "server" | "api" | "routes" | "r"
    ) || lower.ends_with("router")
        || lower.ends_with("routes")
}

/// The router an expression denotes.
fn router_key(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &Expr,
) -> Option<RouterKey> {
    let m = &project.modules[module];
    match &expr.kind {
        ExprKind::Name(name) => {
            if let Some((owner, index)) = scope::param_of(m, function, name) {
                // A parameter named `app` in a Fastify plugin is a Fastify instance.
                let fastify = m
                    .imports
                    .iter()
                    .any(|i| i.source == "fastify" || i.source.starts_with("@fastify/"));
                return (is_router_name(name) && !fastify)
                    .then_some(RouterKey::Param(module, owner, index));
            }
            if function != 0
                && let Some(value) =
                    scope::definition_before(m, function, name, expr.range.start_byte)
                && !std::ptr::eq(value, expr)
            {
                let qualified = project
                    .qualify(module, value, &|_| Local::Unknown)
                    .unwrap_or_default();
                return is_router_factory(&qualified)
                    .then_some(RouterKey::Created(module, value.range.start_byte));
            }
            match project.resolve_name(module, name)? {
                Symbol::Value(owner, value) => {
                    let qualified = project
                        .qualify(owner, value, &|_| Local::Unknown)
                        .unwrap_or_default();
                    is_router_factory(&qualified)
                        .then_some(RouterKey::Created(owner, value.range.start_byte))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The router mounted by an argument of `use`: a router variable, an imported router, or
/// `require('./routes/x')` written inline.
fn mounted_router(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &Expr,
    env: &Env,
) -> Option<(RouterKey, Env)> {
    mounted_router_key(project, module, function, expr)
        .map(|key| (key, Vec::new()))
        .or_else(|| made_by_factory(project, module, function, expr, env))
}

/// A router made by a helper of the project and mounted at once
/// (`app.use('/api/notes', crudRouter(Note, 'notes'))`): the router the helper returns, with
/// the helper's parameters bound at this call.
fn made_by_factory(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &Expr,
    env: &Env,
) -> Option<(RouterKey, Env)> {
    let (callee, args, _) = expr.as_call()?;
    let (owner, factory) = project.callee_function(module, callee, &|_| Local::Unknown)?;
    let mut returned = None;
    project.modules[owner].functions[factory].walk_stmts(&mut |stmt| {
        if let StmtKind::Return(Some(value)) = &stmt.kind
            && returned.is_none()
        {
            returned = router_key(project, owner, factory, value);
        }
    });
    let key = returned.filter(|key| matches!(key, RouterKey::Created(..)))?;
    let bound = path_values::call_env(project, (module, function), args, env, (owner, factory));
    Some((key, bound))
}

fn mounted_router_key(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &Expr,
) -> Option<RouterKey> {
    if let Some(key) = router_key(project, module, function, expr) {
        return matches!(key, RouterKey::Created(..)).then_some(key);
    }
    let target = match &expr.kind {
        ExprKind::Call { callee, args, .. } if callee.as_name() == Some("require") => {
            let source = args.first()?.value.as_str()?;
            project.resolve_specifier(module, source)?
        }
        ExprKind::Member { .. } => {
            return match project.symbol_of_expr(module, expr, &|_| Local::Unknown, 0)? {
                Symbol::Value(owner, value) => {
                    let qualified = project
                        .qualify(owner, value, &|_| Local::Unknown)
                        .unwrap_or_default();
                    is_router_factory(&qualified)
                        .then_some(RouterKey::Created(owner, value.range.start_byte))
                }
                _ => None,
            };
        }
        _ => return None,
    };
    match project
        .export_of(target, "*", 0)
        .or_else(|| project.export_of(target, "default", 0))?
    {
        Symbol::Value(owner, value) => {
            let qualified = project
                .qualify(owner, value, &|_| Local::Unknown)
                .unwrap_or_default();
            is_router_factory(&qualified)
                .then_some(RouterKey::Created(owner, value.range.start_byte))
        }
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::language::Language;
    use crate::parse::parse_module;
    use crate::project::Project;
    use crate::routes::RouteInventory;

    pub(crate) fn inventory(files: &[(&str, &str)]) -> (Project, RouteInventory) {
        let project = Project::new(
            files
                .iter()
                .map(|(path, text)| {
                    let language = Language::of_path(path).expect("language");
                    parse_module(path, language, (*text).into()).expect("parse")
                })
                .collect(),
        );
        let inventory = RouteInventory::build(&project);
        (project, inventory)
    }

    /// Each route of the files' inventory as `describe` writes it, given the route and the
    /// names of its middleware joined with commas.
    pub(crate) fn described(
        files: &[(&str, &str)],
        describe: &dyn Fn(&super::Route, &str) -> String,
    ) -> Vec<String> {
        let (_, inventory) = inventory(files);
        inventory
            .routes
            .iter()
            .map(|r| {
                let names: Vec<&str> = r.middleware.iter().map(|m| m.name.as_str()).collect();
                describe(r, &names.join(", "))
            })
            .collect()
    }

    /// Each route as `METHOD /path auth=…`: what the frameworks' tests compare.
    pub(crate) fn auth_lines(inventory: &RouteInventory) -> Vec<String> {
        inventory
            .routes
            .iter()
            .map(|r| format!("{} {} auth={}", r.method, r.path, r.has_auth_middleware()))
            .collect()
    }

    fn lines(inventory: &RouteInventory) -> Vec<String> {
        inventory
            .routes
            .iter()
            .map(|r| {
                let mw: Vec<&str> = r.middleware.iter().map(|m| m.name.as_str()).collect();
                format!(
                    "{} {} [{}] handler={}",
                    r.method,
                    r.path,
                    mw.join(", "),
                    r.handler.is_some()
                )
            })
            .collect()
    }

    #[test]
    fn mounted_routers_across_files_get_prefixes_and_middleware() {
        let (_, inventory) = inventory(&[
            (
                "src/app.js",
                "const express = require('express');\nconst users = require('./routes/users');\nconst auth = require('./auth');\nconst app = express();\napp.use(express.json());\napp.post('/login', (req, res) => res.json({}));\napp.use('/api/users', auth, users);\napp.use('/public', require('./routes/public'));\n",
            ),
            (
                "src/routes/users.js",
                "const router = require('express').Router();\nconst { isAdmin } = require('../auth');\nrouter.get('/:id', async (req, res) => {});\nrouter.use(isAdmin);\nrouter.route('/:id').delete(remove).put(update);\nfunction remove(req, res) {}\nfunction update(req, res) {}\nmodule.exports = router;\n",
            ),
            (
                "src/routes/public.js",
                "import { Router } from 'express';\nconst r = Router();\nr.get('/health', (req, res) => res.send('ok'));\nexport default r;\n",
            ),
            (
                "src/auth.js",
                "module.exports = function auth(req, res, next) { next(); };\n",
            ),
        ]);
        assert_eq!(
            lines(&inventory),
            vec![
                "POST /login [] handler=true",
                "GET /public/health [] handler=true",
                "GET /api/users/{id} [auth] handler=true",
                "DELETE /api/users/{id} [auth, isAdmin] handler=true",
                "PUT /api/users/{id} [auth, isAdmin] handler=true",
            ]
        );
        assert!(inventory.routes[3].has_auth_middleware());
        assert!(inventory.routes[3].has_role_check());
        assert!(!inventory.routes[0].has_auth_middleware());
    }

    #[test]
    fn an_array_of_paths_mounts_the_router_at_each() {
        let (_, inventory) = inventory(&[
            (
                "server.js",
                "const express = require('express');\nconst health = require('./health');\nconst app = express();\napp.use(['/health', '/api/health'], health);\napp.use(['/v1', '/v2'], (req, res, next) => next());\napp.get('/v1/x', (req, res) => res.end());\n",
            ),
            (
                "health.js",
                "const router = require('express').Router();\nrouter.get('/', (req, res) => res.json({ ok: true }));\nmodule.exports = router;\n",
            ),
        ]);
        let mut paths: Vec<String> = inventory
            .routes
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        paths.sort();
        assert_eq!(paths, ["GET /api/health", "GET /health", "GET /v1/x"]);
    }

    #[test]
    fn folders_served_are_routes_that_serve_files() {
        let (_, inventory) = inventory(&[(
            "server.js",
            "const express = require('express');\nconst serveIndex = require('serve-index');\nconst app = express();\napp.use(express.static('public'));\napp.use('/uploads', express.static('uploads'), serveIndex('uploads'));\napp.use(express.json());\napp.get('/api/x', (req, res) => res.end());\n",
        )]);
        let served: Vec<String> = inventory
            .routes
            .iter()
            .map(|r| format!("{} {} {}", r.method, r.path, r.serves_files))
            .collect();
        assert_eq!(
            served,
            ["GET / true", "GET /uploads/ true", "GET /api/x false"]
        );
    }

    #[test]
    fn express_settings_and_non_routers_are_not_routes() {
        let (_, inventory) = inventory(&[(
            "a.js",
            "const express = require('express');\nconst app = express();\nconst env = app.get('env');\nconst cache = new Map();\ncache.get('x', 1);\nclient.post('/x', body);\n",
        )]);
        assert!(inventory.routes.is_empty(), "{:?}", lines(&inventory));
    }

    fn sorted_lines(inventory: &RouteInventory) -> Vec<String> {
        let mut lines = lines(inventory);
        lines.sort();
        lines
    }

    #[test]
    fn routes_registered_in_loops_callbacks_and_helpers_get_their_computed_paths() {
        let (_, inventory) = inventory(&[
            (
                "server.js",
                "const express = require('express');\nconst { requireAuth } = require('./auth');\nconst crudRouter = require('./routes/crud');\nconst registerAdmin = require('./routes/admin');\nconst app = express();\nconst RESOURCES = { notes: 'Note', tags: 'Tag' };\nfor (const [name, model] of Object.entries(RESOURCES)) {\n  app.use(`/api/${name}`, requireAuth, crudRouter(model));\n}\n['health', 'version'].forEach((what) => {\n  app.get('/' + what, (req, res) => res.json({}));\n});\nconst models = [{ path: '/api/users' }, { path: '/api/teams' }];\nmodels.forEach(({ path }) => {\n  app.delete(`${path}/:id`, requireAuth, (req, res) => res.end());\n});\nfunction crud(router, base) {\n  router.get(`${base}/:id`, (req, res) => res.json({}));\n}\ncrud(app, '/api/files');\nregisterAdmin(app, { prefix: '/admin' });\n",
            ),
            (
                "routes/crud.js",
                "const express = require('express');\nmodule.exports = function crudRouter(model) {\n  const router = express.Router();\n  router.get('/:id', (req, res) => res.json({}));\n  router.post('/', (req, res) => res.json({}));\n  return router;\n};\n",
            ),
            (
                "routes/admin.js",
                "module.exports = (app, { prefix }) => {\n  app.get(`${prefix}/stats`, (req, res) => res.json({}));\n};\n",
            ),
            (
                "auth.js",
                "exports.requireAuth = (req, res, next) => { if (!req.user) return res.status(401).end(); next(); };\n",
            ),
        ]);
        assert_eq!(
            sorted_lines(&inventory),
            vec![
                "DELETE /api/teams/{id} [requireAuth] handler=true",
                "DELETE /api/users/{id} [requireAuth] handler=true",
                "GET /admin/stats [] handler=true",
                "GET /api/files/{id} [] handler=true",
                "GET /api/notes/{id} [requireAuth] handler=true",
                "GET /api/tags/{id} [requireAuth] handler=true",
                "GET /health [] handler=true",
                "GET /version [] handler=true",
                "POST /api/notes [requireAuth] handler=true",
                "POST /api/tags [requireAuth] handler=true",
            ]
        );
    }

    #[test]
    fn a_path_that_cannot_be_computed_stays_as_written() {
        let (_, inventory) = inventory(&[(
            "server.js",
            "const express = require('express');\nconst app = express();\nconst base = process.env.BASE;\napp.get(`${base}/items`, (req, res) => res.json([]));\nfor (const name of loadNames()) {\n  app.get('/x/' + name, (req, res) => res.end());\n}\nlogger.info(app, 'started');\n",
        )]);
        assert_eq!(
            sorted_lines(&inventory),
            vec![
                "GET /'/x/' + name [] handler=true",
                "GET /`${base}/items` [] handler=true",
            ]
        );
    }

    #[test]
    fn finale_epilogue_and_restify_mongoose_resources_are_routes() {
        let (_, inventory) = inventory(&[
            (
                "server.ts",
                "import express from 'express'\nimport * as finale from 'finale-rest'\nimport epilogue from 'epilogue'\nimport restify from 'express-restify-mongoose'\nimport { Customer } from './models'\nimport { isAuthorized } from './auth'\nconst app = express()\nconst router = express.Router()\napp.use('/api/Users/:id', isAuthorized())\nfinale.initialize({ app, sequelize })\nconst autoModels = [{ name: 'User', model: UserModel }, { name: 'Product', model: ProductModel }]\nfor (const { name, model } of autoModels) {\n  finale.resource({ model, endpoints: [`/api/${name}s`, `/api/${name}s/:id`] })\n}\nepilogue.resource({ model: Note, endpoints: ['/notes', '/notes/:id'], actions: ['list', 'update'], updateMethod: 'patch' })\nrestify.serve(router, Customer, { prefix: '/rest', lowercase: true })\napp.use(router)\n",
            ),
            (
                "models.ts",
                "import mongoose from 'mongoose'\nexport const Customer = mongoose.model('Customer', new mongoose.Schema({ name: String }))\n",
            ),
            (
                "auth.ts",
                "export const isAuthorized = () => (req, res, next) => { if (!req.headers.authorization) { res.status(401).end(); return } next() }\n",
            ),
        ]);
        let lines = sorted_lines(&inventory);
        for expected in [
            "GET /api/Users [] handler=false",
            "POST /api/Users [] handler=false",
            "GET /api/Users/{id} [isAuthorized()] handler=false",
            "PUT /api/Users/{id} [isAuthorized()] handler=false",
            "DELETE /api/Users/{id} [isAuthorized()] handler=false",
            "DELETE /api/Products/{id} [] handler=false",
            "GET /notes [] handler=false",
            "PATCH /notes/{id} [] handler=false",
            "GET /rest/v1/customer/count [] handler=false",
            "DELETE /rest/v1/customer/{id} [] handler=false",
        ] {
            assert!(
                lines.iter().any(|l| l == expected),
                "{expected} in {lines:#?}"
            );
        }
        // `actions` limits what epilogue registers.
        assert!(
            !lines.iter().any(|l| l.starts_with("DELETE /notes")),
            "{lines:#?}"
        );
        assert!(
            !lines.iter().any(|l| l.starts_with("POST /notes")),
            "{lines:#?}"
        );
        assert_eq!(lines.len(), 10 + 2 + 9, "{lines:#?}");
    }

    #[test]
    fn a_resource_call_of_another_library_is_not_a_route() {
        let (_, inventory) = inventory(&[(
            "server.js",
            "const express = require('express');\nconst app = express();\nconst cache = require('./cache');\ncache.resource({ endpoints: ['/a', '/a/:id'] });\nconst restify = require('restify');\nrestify.serve(app, Thing);\n",
        )]);
        assert!(inventory.routes.is_empty(), "{:?}", lines(&inventory));
    }
}
