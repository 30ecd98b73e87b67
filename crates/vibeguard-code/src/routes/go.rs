//! Go: routers of net/http (`http.HandleFunc`, `ServeMux.HandleFunc("GET /users/{id}", h)`),
//! chi (`r.Get`, `r.Route`, `r.Group`, `r.With(mw)`, `r.Mount`), gin (`r.GET`, `r.Group`),
//! echo (`e.GET(path, h, mw...)`, `e.Group`), fiber (`app.Get(path, mw..., h)`, `app.Group`),
//! gorilla/mux (`r.HandleFunc(path, h).Methods("GET")`, `PathPrefix(...).Subrouter()`) and
//! httprouter — with the middleware added by `Use`, by groups, and by wrapping a handler or the
//! whole router (`auth(http.HandlerFunc(h))`, `http.ListenAndServe(addr, logging(mux))`).
//!
//! A router is a variable (or a struct field, or a package-level variable) assigned a router
//! constructor or a group of another router, or a parameter typed as a router; a function
//! given a router (`registerRoutes(api)`) registers its routes under that router's prefix and
//! middleware.

use std::collections::{HashMap, HashSet};

use super::{Framework, Middleware, Route, function_of, join_paths, middleware, path_types};
use crate::ir::{Arg, Expr, ExprKind, FunctionId, Pattern, Range, StmtKind};
use crate::project::{ModuleId, Project};

/// Where a router lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RouterKey {
    /// A local variable or parameter of a function.
    Local(ModuleId, FunctionId, String),
    /// A package-level variable, by package directory.
    Global(String, String),
    /// A struct field (`s.router`), by field name.
    Field(String),
    /// net/http's default mux (`http.HandleFunc`).
    DefaultMux,
}

#[derive(Debug)]
struct Router {
    framework: Framework,
    /// The router this one is a group of, with the prefix and middleware the group adds.
    parent: Option<(RouterKey, String, Vec<Middleware>)>,
    events: Vec<Event>,
}

#[derive(Debug)]
enum Event {
    Use(Vec<Middleware>),
    Route {
        module: ModuleId,
        range: Range,
        method: String,
        path: String,
        handler: Option<(ModuleId, FunctionId)>,
        middleware: Vec<Middleware>,
    },
}

/// Router constructors, by qualified name's tail.
fn constructor(qualified: &str) -> Option<Framework> {
    let name = crate::language::go_qualified_tail(qualified);
    let name = name.as_str();
    Some(match name {
        "chi.NewRouter()" | "chi.NewMux()" => Framework::Chi,
        "gin.Default()" | "gin.New()" => Framework::Gin,
        "echo.New()" => Framework::Echo,
        "fiber.New()" => Framework::Fiber,
        "http.NewServeMux()" => Framework::NetHttp,
        "mux.NewRouter()" => Framework::GorillaMux,
        "httprouter.New()" => Framework::HttpRouter,
        _ => return None,
    })
}

/// Parameter types that hold a router.
fn router_type(annotation: &str) -> Option<Framework> {
    let name = annotation.trim_start_matches('*');
    Some(match name {
        "chi.Router" | "chi.Mux" => Framework::Chi,
        "gin.Engine" | "gin.RouterGroup" | "gin.IRouter" | "gin.IRoutes" => Framework::Gin,
        "echo.Echo" | "echo.Group" => Framework::Echo,
        "fiber.App" | "fiber.Router" | "fiber.Group" => Framework::Fiber,
        "http.ServeMux" => Framework::NetHttp,
        "mux.Router" => Framework::GorillaMux,
        "httprouter.Router" => Framework::HttpRouter,
        _ => return None,
    })
}

const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
];

/// The HTTP method a registration method stands for (`GET`, `Get`, `Any`, `HandleFunc`).
fn registration_method(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    if let Some(method) = HTTP_METHODS.iter().find(|m| **m == upper) {
        return Some(method);
    }
    matches!(
        name,
        "Any" | "All" | "Handle" | "HandleFunc" | "Connect" | "Add" | "Method" | "MethodFunc"
    )
    .then_some("ANY")
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let mut routers: HashMap<RouterKey, Router> = HashMap::new();
    let mut order: Vec<RouterKey> = Vec::new();
    for module in 0..project.modules.len() {
        if !project.modules[module].language.is_go() {
            continue;
        }
        declare_routers(project, module, &mut routers, &mut order);
    }
    if !project.modules.iter().any(|m| m.language.is_go()) {
        return;
    }
    for module in 0..project.modules.len() {
        if project.modules[module].language.is_go() {
            register(project, module, &mut routers);
        }
    }
    order.push(RouterKey::DefaultMux);
    for key in &order {
        let Some(router) = routers.get(key) else {
            continue;
        };
        // A group is walked from its root.
        if router.parent.is_some() {
            continue;
        }
        let mut visiting = HashSet::new();
        walk(&routers, key, "", &[], &mut visiting, routes);
    }
}

/// The key of the router an expression names in function `function`.
fn key_of(project: &Project, module: ModuleId, function: FunctionId, expr: &Expr) -> RouterKey {
    match &expr.kind {
        ExprKind::Name(name) => {
            // The innermost function declaring the name as a parameter or local; else the
            // package's variable.
            let m = &project.modules[module];
            let mut current = Some(function);
            while let Some(id) = current {
                let f = &m.functions[id];
                let declares = f.params.iter().any(|p| p.name() == Some(name))
                    || (id != 0 && assigns(f, name));
                if declares {
                    return RouterKey::Local(module, id, name.clone());
                }
                current = f.parent;
            }
            let dir = m.path.rsplit_once('/').map_or("", |(d, _)| d);
            RouterKey::Global(dir.to_string(), name.clone())
        }
        ExprKind::Member { property, .. } => RouterKey::Field(property.clone()),
        _ => RouterKey::Field(String::new()),
    }
}

/// Whether function `f` assigns `name` in its own body.
fn assigns(f: &crate::ir::Function, name: &str) -> bool {
    let mut found = false;
    f.walk_stmts(&mut |stmt| {
        if let StmtKind::Assign { target, .. } = &stmt.kind
            && target.as_name() == Some(name)
        {
            found = true;
        }
    });
    found
}

/// Finds every router: constructors, groups, router-typed parameters.
fn declare_routers(
    project: &Project,
    module: ModuleId,
    routers: &mut HashMap<RouterKey, Router>,
    order: &mut Vec<RouterKey>,
) {
    let m = &project.modules[module];
    for (function_id, function) in m.functions.iter().enumerate() {
        for param in &function.params {
            if let (Some(name), Some(framework)) = (
                param.name(),
                param
                    .annotation
                    .as_deref()
                    .and_then(|a| router_type(&crate::language::canonical_go_type(m, a))),
            ) {
                let key = RouterKey::Local(module, function_id, name.to_string());
                order.push(key.clone());
                routers.entry(key).or_insert(Router {
                    framework,
                    parent: None,
                    events: Vec::new(),
                });
            }
        }
        let mut assignments = Vec::new();
        function.walk_stmts(&mut |s| {
            if let StmtKind::Assign { target, value, .. } = &s.kind {
                assignments.push((target, value));
            }
        });
        for (target, value) in assignments {
            let target_expr = match target {
                Pattern::Name(name) => Expr::new(ExprKind::Name(name.clone()), value.range),
                Pattern::Target(expr) => (**expr).clone(),
                _ => continue,
            };
            let Some((callee, args, _)) = value.as_call() else {
                continue;
            };
            let qualified = project
                .qualify(module, callee, &|_| crate::project::Local::Unknown)
                .unwrap_or_default();
            let key = key_of(project, module, function_id, &target_expr);
            if let Some(framework) = constructor(&format!("{qualified}()")) {
                order.push(key.clone());
                routers.insert(
                    key,
                    Router {
                        framework,
                        parent: None,
                        events: Vec::new(),
                    },
                );
                continue;
            }
            // `api := r.Group("/api", mw)`, `api := r.PathPrefix("/api").Subrouter()`,
            // `admin := r.With(auth)`.
            let Some((parent_expr, prefix, group_middleware)) =
                group_of(project, module, callee, args)
            else {
                continue;
            };
            let parent = key_of(project, module, function_id, parent_expr);
            let framework = match routers.get(&parent) {
                Some(router) => router.framework,
                None => continue,
            };
            order.push(key.clone());
            routers.insert(
                key,
                Router {
                    framework,
                    parent: Some((parent, prefix, group_middleware)),
                    events: Vec::new(),
                },
            );
        }
    }
}

/// A group made by a call: its parent router expression, prefix and middleware.
fn group_of<'p>(
    project: &'p Project,
    module: ModuleId,
    callee: &'p Expr,
    args: &'p [Arg],
) -> Option<(&'p Expr, String, Vec<Middleware>)> {
    let ExprKind::Member { object, property } = &callee.kind else {
        return None;
    };
    match property.as_str() {
        "Group" if args.first().and_then(|a| a.value.as_str()).is_some() => {
            let prefix = args[0].value.as_str().unwrap_or("").to_string();
            let mw = args[1..]
                .iter()
                .map(|a| middleware(project, module, &a.value))
                .collect();
            Some((object, prefix, mw))
        }
        "With" => Some((
            object,
            String::new(),
            args.iter()
                .map(|a| middleware(project, module, &a.value))
                .collect(),
        )),
        "Subrouter" => {
            let (inner_callee, inner_args, _) = object.as_call()?;
            let ExprKind::Member {
                object: router,
                property,
            } = &inner_callee.kind
            else {
                return None;
            };
            (property == "PathPrefix").then(|| {
                let prefix = inner_args
                    .first()
                    .and_then(|a| a.value.as_str())
                    .unwrap_or("")
                    .to_string();
                (router.as_ref(), prefix, Vec::new())
            })
        }
        _ => None,
    }
}

/// Records the `Use` calls and route registrations of a module on the routers found.
fn register(project: &Project, module: ModuleId, routers: &mut HashMap<RouterKey, Router>) {
    let calls = super::calls(project, module);
    // gorilla/mux: `r.HandleFunc("/x", h).Methods("GET", "POST")` — the methods of the inner
    // registration.
    let mut methods_of: HashMap<Range, Vec<String>> = HashMap::new();
    for (_, call) in &calls {
        if let Some((callee, args, _)) = call.as_call()
            && let ExprKind::Member { object, property } = &callee.kind
            && property == "Methods"
            && object.as_call().is_some()
        {
            methods_of.insert(
                object.range,
                args.iter()
                    .filter_map(|a| {
                        // `"GET"` or `http.MethodGet`
                        a.value.as_str().map(str::to_ascii_uppercase).or_else(|| {
                            a.value
                                .member_path()?
                                .last()?
                                .strip_prefix("Method")
                                .map(str::to_ascii_uppercase)
                        })
                    })
                    .collect(),
            );
        }
    }
    for (function, call) in calls {
        let Some((callee, args, _)) = call.as_call() else {
            continue;
        };
        let qualified = project
            .qualify(module, callee, &|_| crate::project::Local::Unknown)
            .unwrap_or_default();
        let tail = crate::language::go_qualified_tail(&qualified);
        let tail = tail.as_str();
        // `http.ListenAndServe(":8080", logging(auth(mux)))`: the wrappers run before every
        // route of the router.
        if matches!(tail, "http.ListenAndServe" | "http.ListenAndServeTLS")
            && let Some(handler) = args.get(1)
        {
            let (wrappers, inner) = unwrap_handler(project, module, &handler.value);
            if !wrappers.is_empty() {
                let key = key_of(project, module, function, inner);
                if let Some(router) = routers.get_mut(&key) {
                    router.events.insert(0, Event::Use(wrappers));
                }
            }
            continue;
        }
        // `http.HandleFunc("/x", h)`: the default mux.
        let (key, method_name, extra) = match &callee.kind {
            ExprKind::Member { object, property }
                if matches!(tail, "http.HandleFunc" | "http.Handle") =>
            {
                let _ = object;
                (RouterKey::DefaultMux, property.as_str(), Vec::new())
            }
            ExprKind::Member { object, property } => {
                // `r.With(auth).Get(...)`: middleware for this route only.
                if let Some((inner_callee, inner_args, _)) = object.as_call()
                    && let ExprKind::Member {
                        object: router,
                        property: with,
                    } = &inner_callee.kind
                    && with == "With"
                {
                    let mw = inner_args
                        .iter()
                        .map(|a| middleware(project, module, &a.value))
                        .collect();
                    (
                        key_of(project, module, function, router),
                        property.as_str(),
                        mw,
                    )
                } else {
                    (
                        key_of(project, module, function, object),
                        property.as_str(),
                        Vec::new(),
                    )
                }
            }
            _ => continue,
        };
        if key == RouterKey::DefaultMux && !routers.contains_key(&key) {
            routers.insert(
                key.clone(),
                Router {
                    framework: Framework::NetHttp,
                    parent: None,
                    events: Vec::new(),
                },
            );
        }
        let Some(framework) = routers.get(&key).map(|r| r.framework) else {
            // A function given a router: `registerRoutes(api)` registers under `api`.
            link_router_argument(project, module, function, callee, args, routers);
            continue;
        };
        match method_name {
            "Use" | "Pre" => {
                let mw: Vec<Middleware> = args
                    .iter()
                    .filter(|a| a.value.as_str().is_none())
                    .map(|a| middleware(project, module, &a.value))
                    .collect();
                if let Some(router) = routers.get_mut(&key) {
                    router.events.push(Event::Use(mw));
                }
                continue;
            }
            // chi: `r.Route("/users", func(r chi.Router) {...})`, `r.Group(func(r chi.Router)
            // {...})`; `r.Mount("/admin", adminRouter())`.
            "Route" | "Group" | "Mount" => {
                let prefix = args
                    .first()
                    .and_then(|a| a.value.as_str())
                    .unwrap_or("")
                    .to_string();
                if let Some(last) = args.last() {
                    // chi's `Route`/`Group` take a function given the group; `Mount` a router
                    // (gin's, echo's and fiber's `Group(prefix, mw...)` make a group where they
                    // are assigned, read with the other routers).
                    let child = match (&last.value.kind, method_name) {
                        (ExprKind::Function(id), _) => project.modules[module].functions[*id]
                            .params
                            .first()
                            .and_then(|p| p.name())
                            .map(|name| RouterKey::Local(module, *id, name.to_string())),
                        (ExprKind::Call { callee, .. }, "Mount") => {
                            returned_router(project, module, callee, routers)
                        }
                        (_, "Mount") => Some(key_of(project, module, function, &last.value)),
                        _ => None,
                    };
                    if let Some(child) = child {
                        routers
                            .entry(child)
                            .and_modify(|r| {
                                if r.parent.is_none() {
                                    r.parent = Some((key.clone(), prefix.clone(), Vec::new()));
                                }
                            })
                            .or_insert(Router {
                                framework,
                                parent: Some((key.clone(), prefix, Vec::new())),
                                events: Vec::new(),
                            });
                    }
                }
                continue;
            }
            _ => {}
        }
        let Some(mut method) = registration_method(method_name) else {
            continue;
        };
        // `Handle("GET", "/x", h)` (gin, echo's `Add`, fiber's `Add`, chi's `Method`).
        let mut rest: &[Arg] = args;
        if let [first, second, ..] = args
            && let (Some(verb), Some(_)) = (first.value.as_str(), second.value.as_str())
            && let Some(known) = HTTP_METHODS
                .iter()
                .find(|m| **m == verb.to_ascii_uppercase())
        {
            method = known;
            rest = &args[1..];
        } else if matches!(method_name, "Add" | "Method" | "MethodFunc") {
            continue;
        }
        let Some((path_arg, handlers)) = rest.split_first() else {
            continue;
        };
        let Some(pattern) = path_arg.value.as_str() else {
            continue;
        };
        // Go 1.22: `mux.HandleFunc("GET /users/{id}", h)`.
        let (method, path) = match pattern.split_once(' ') {
            Some((verb, path)) if HTTP_METHODS.contains(&verb) => (verb.to_string(), path),
            _ => (method.to_string(), pattern),
        };
        let methods = methods_of
            .get(&call.range)
            .filter(|m| !m.is_empty())
            .cloned()
            .unwrap_or_else(|| vec![method]);
        // `http.Handle("/", r)`, `mux.Handle("/api/", http.StripPrefix("/api", api))`: a router
        // mounted under the pattern, its wrappers in front of all its routes.
        if let Some(last) = handlers.last() {
            let (wrappers, inner) = unwrap_handler(project, module, &last.value);
            let mounted = key_of(project, module, function, inner);
            if mounted != key
                && let Some(router) = routers.get_mut(&mounted)
            {
                if router.parent.is_none() {
                    router.parent = Some((key.clone(), path.to_string(), wrappers));
                }
                continue;
            }
        }
        let (handler, mut route_middleware) = split_handlers(project, module, framework, handlers);
        route_middleware.splice(0..0, extra);
        if let Some(router) = routers.get_mut(&key) {
            for method in methods {
                router.events.push(Event::Route {
                    module,
                    range: call.range,
                    method,
                    path: path.to_string(),
                    handler,
                    middleware: route_middleware.clone(),
                });
            }
        }
    }
}

/// The router a function returns (`r.Mount("/admin", adminRoutes())`): the router it creates.
fn returned_router(
    project: &Project,
    module: ModuleId,
    callee: &Expr,
    routers: &HashMap<RouterKey, Router>,
) -> Option<RouterKey> {
    let (m, f) = function_of(project, module, callee)?;
    let mut found = None;
    project.modules[m].functions[f].walk_stmts(&mut |stmt| {
        if let StmtKind::Return(Some(value)) = &stmt.kind
            && let Some(name) = value.as_name()
        {
            let key = RouterKey::Local(m, f, name.to_string());
            if routers.contains_key(&key) {
                found = Some(key);
            }
        }
    });
    found
}

/// `registerRoutes(api)`, `h.Register(r.Group("/users"))`: the callee's router parameter is a
/// group of the router given.
fn link_router_argument<'p>(
    project: &'p Project,
    module: ModuleId,
    function: FunctionId,
    callee: &'p Expr,
    args: &'p [Arg],
    routers: &mut HashMap<RouterKey, Router>,
) {
    let Some((target_module, target)) = function_of(project, module, callee) else {
        return;
    };
    let params = &project.modules[target_module].functions[target].params;
    for (index, arg) in args.iter().enumerate() {
        let Some(name) = params.get(index).and_then(|p| p.name()) else {
            continue;
        };
        let param_key = RouterKey::Local(target_module, target, name.to_string());
        if !routers.contains_key(&param_key) {
            continue;
        }
        // The argument is a router, or a group made on the spot.
        let (given, prefix, mw) = match arg.value.as_call() {
            Some((inner_callee, inner_args, _)) => {
                match group_of(project, module, inner_callee, inner_args) {
                    Some((parent, prefix, mw)) => {
                        (key_of(project, module, function, parent), prefix, mw)
                    }
                    None => continue,
                }
            }
            None => (
                key_of(project, module, function, &arg.value),
                String::new(),
                Vec::new(),
            ),
        };
        if given == param_key || !routers.contains_key(&given) {
            continue;
        }
        if let Some(router) = routers.get_mut(&param_key)
            && router.parent.is_none()
        {
            router.parent = Some((given, prefix, mw));
        }
    }
}

/// The handler of a registration and the middleware in front of it: echo takes the handler
/// first and route middleware after it, the others take middleware first and the handler
/// last; a wrapped handler (`auth(http.HandlerFunc(h))`) has its wrappers as middleware.
fn split_handlers(
    project: &Project,
    module: ModuleId,
    framework: Framework,
    handlers: &[Arg],
) -> (Option<(ModuleId, FunctionId)>, Vec<Middleware>) {
    if handlers.is_empty() {
        return (None, Vec::new());
    }
    let (handler, others): (&Arg, Vec<&Arg>) = if framework == Framework::Echo {
        (&handlers[0], handlers[1..].iter().collect())
    } else {
        let (last, first) = handlers.split_last().unwrap_or((&handlers[0], &[]));
        (last, first.iter().collect())
    };
    let mut mw: Vec<Middleware> = others
        .into_iter()
        .map(|a| middleware(project, module, &a.value))
        .collect();
    let (wrappers, inner) = unwrap_handler(project, module, &handler.value);
    mw.extend(wrappers);
    (resolve_handler(project, module, inner), mw)
}

/// The function a handler expression stands for: a function, a method value, or what a
/// handler factory returns (`ListItems(db)` returning `func(c *gin.Context) {...}`).
fn resolve_handler(
    project: &Project,
    module: ModuleId,
    expr: &Expr,
) -> Option<(ModuleId, FunctionId)> {
    let Some((callee, _, _)) = expr.as_call() else {
        return function_of(project, module, expr);
    };
    let (m, f) = function_of(project, module, callee)?;
    let mut returned = None;
    project.modules[m].functions[f].walk_stmts(&mut |stmt| {
        if returned.is_none()
            && let StmtKind::Return(Some(value)) = &stmt.kind
        {
            // `return func(c *gin.Context) {...}`, `return http.HandlerFunc(func(...) {...})`
            let (_, inner) = unwrap_handler(project, m, value);
            if let ExprKind::Function(id) = inner.kind {
                returned = Some((m, id));
            }
        }
    });
    returned
}

/// Whether an argument is (or wraps) a handler, as a wrapping middleware's argument is:
/// a function, a method value, a conversion or another wrapper.
fn is_handler_like(project: &Project, module: ModuleId, expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Function(_) | ExprKind::Call { .. })
        || function_of(project, module, expr).is_some()
}

/// `auth(logging(http.HandlerFunc(h)))` → the wrappers `auth`, `logging` and the handler `h`.
fn unwrap_handler<'p>(
    project: &'p Project,
    module: ModuleId,
    expr: &'p Expr,
) -> (Vec<Middleware>, &'p Expr) {
    let mut wrappers = Vec::new();
    let mut current = expr;
    for _ in 0..8 {
        let Some((callee, args, _)) = current.as_call() else {
            break;
        };
        let qualified = project
            .qualify(module, callee, &|_| crate::project::Local::Unknown)
            .unwrap_or_default();
        let tail = crate::language::go_qualified_tail(&qualified);
        let tail = tail.as_str();
        let Some(last) = args.last() else {
            // `h.GetUser()`: a factory returning the handler.
            break;
        };
        // A factory given its dependencies (`ListItems(db)`): the handler is what it returns.
        if !is_handler_like(project, module, &last.value) {
            break;
        }
        // Conversions to a handler type wrap nothing.
        if matches!(
            tail,
            "http.HandlerFunc" | "http.Handler" | "gin.WrapF" | "gin.WrapH" | "echo.WrapHandler"
        ) || callee
            .member_path()
            .and_then(|p| p.last().copied())
            .is_some_and(|name| name == "HandlerFunc")
        {
            current = &last.value;
            continue;
        }
        wrappers.push(middleware(project, module, callee));
        current = &last.value;
    }
    (wrappers, current)
}

/// Emits the routes of router `key` and of its groups, with the prefix and middleware
/// accumulated from its ancestors.
fn walk(
    routers: &HashMap<RouterKey, Router>,
    key: &RouterKey,
    prefix: &str,
    inherited: &[Middleware],
    visiting: &mut HashSet<RouterKey>,
    routes: &mut Vec<Route>,
) {
    if !visiting.insert(key.clone()) {
        return;
    }
    let Some(router) = routers.get(key) else {
        return;
    };
    // Each router keeps its own framework: a gorilla router mounted on net/http's default mux
    // is gorilla's (groups were given their parent's when made).
    let framework = router.framework;
    // Echo's `Use` runs for every route of the router, whenever it is added; the others apply
    // `Use` to the routes registered after it.
    let mut active: Vec<Middleware> = inherited.to_vec();
    if framework == Framework::Echo {
        for event in &router.events {
            if let Event::Use(mw) = event {
                active.extend(mw.iter().cloned());
            }
        }
    }
    for event in &router.events {
        match event {
            Event::Use(mw) => {
                if framework != Framework::Echo {
                    active.extend(mw.iter().cloned());
                }
            }
            Event::Route {
                module,
                range,
                method,
                path,
                handler,
                middleware,
            } => {
                let full = normalize(&join_paths(prefix, path));
                let mut all = active.clone();
                all.extend(middleware.iter().cloned());
                routes.push(Route {
                    framework,
                    method: method.clone(),
                    param_types: path_types(&full),
                    path: full,
                    module: *module,
                    range: *range,
                    handler: *handler,
                    middleware: all,
                    param_sources: Vec::new(),
                    serves_files: false,
                    view_class: None,
                    response_filtered: false,
                    body_fields: Vec::new(),
                    public_by_design: false,
                });
            }
        }
    }
    // Groups of this router.
    let mut children: Vec<(&RouterKey, &String, &Vec<Middleware>)> = routers
        .iter()
        .filter_map(|(child, r)| match &r.parent {
            Some((parent, prefix, mw)) if parent == key => Some((child, prefix, mw)),
            _ => None,
        })
        .collect();
    children.sort_by_key(|(child, _, _)| format!("{child:?}"));
    for (child, child_prefix, mw) in children {
        let mut child_inherited = active.clone();
        child_inherited.extend(mw.iter().cloned());
        walk(
            routers,
            child,
            &join_paths(prefix, child_prefix),
            &child_inherited,
            visiting,
            routes,
        );
    }
}

/// Go path syntax to `{name}`: chi's `{id:[0-9]+}`, gin's and echo's `:id` and `*path`.
fn normalize(path: &str) -> String {
    let mut out = Vec::new();
    for segment in path.split('/') {
        let segment =
            if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let name = inner.split(':').next().unwrap_or(inner);
                let name = name.trim_end_matches("...");
                format!("{{{name}}}")
            } else if let Some(name) = segment.strip_prefix('*')
                && !name.is_empty()
            {
                format!("{{{name}}}")
            } else {
                super::normalize_path(segment)
            };
        out.push(segment);
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_syntax_becomes_braces() {
        assert_eq!(normalize("/users/{id:[0-9]+}"), "/users/{id}");
        assert_eq!(normalize("/users/:id/posts"), "/users/{id}/posts");
        assert_eq!(normalize("/static/*filepath"), "/static/{filepath}");
        assert_eq!(normalize("/files/{path...}"), "/files/{path}");
    }

    #[test]
    fn registration_methods_read_every_spelling() {
        assert_eq!(registration_method("GET"), Some("GET"));
        assert_eq!(registration_method("Get"), Some("GET"));
        assert_eq!(registration_method("HandleFunc"), Some("ANY"));
        assert_eq!(registration_method("Use"), None);
    }
}
