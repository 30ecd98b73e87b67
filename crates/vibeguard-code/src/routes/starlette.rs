//! Starlette: routes listed as `Route(path, endpoint, methods=[...])` in the `routes=` of a
//! `Starlette(...)` app or a `Router(...)`, nested in `Mount(prefix, routes=[...])` or
//! `Mount(prefix, app=Router(...))` whose prefixes they get — lists built in other modules and
//! joined with `+` included; `app.add_route(path, endpoint, methods=[...])` and the
//! `@app.route(path)` decorator. An `HTTPEndpoint` class answers each method it defines. The
//! app's `middleware=[Middleware(Cls, ...)]`, `app.add_middleware(Cls)` and a route's own
//! `middleware=[...]` run in front of its routes: Starlette's own `AuthenticationMiddleware`
//! only tells the view who is calling and refuses nothing, a project's middleware class
//! authenticates when its `dispatch` can refuse; the endpoint's decorators
//! (`@requires("authenticated")`) are its middleware. Path parameters `{id:int}`,
//! `{price:float}`, `{key:uuid}` are typed; endpoints read them from `request.path_params`.
//! A `Route` reached from no app is still listed, without a prefix: the app may be built where
//! vibeguard cannot see.

use std::collections::{HashMap, HashSet};

use super::{
    Framework, Middleware, Route, created_by, defining_value, join_paths, literal, methods_option,
    middleware, normalize_path, path_types,
};
use crate::ir::{Arg, Expr, ExprKind, FunctionId, Module};
use crate::project::{Local, ModuleId, Project, Symbol};

/// The methods an `HTTPEndpoint` subclass may answer, by method name.
const ENDPOINT_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head"];

/// A `Route(...)` call: where it is.
type RouteKey = (ModuleId, u32);

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let modules: Vec<ModuleId> = (0..project.modules.len())
        .filter(|&m| {
            project.modules[m].language == crate::language::Language::Python
                && imports_starlette(&project.modules[m])
        })
        .collect();
    // Each app's middleware first: `add_middleware` may come after the routes.
    let mut app_middleware: HashMap<(ModuleId, u32), Vec<Middleware>> = HashMap::new();
    for &module in &modules {
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            if is_starlette(project, module, callee, "Starlette") {
                let list = Expr::option(args, "middleware");
                let entries = list
                    .map(|l| middleware_list(project, module, l))
                    .unwrap_or_default();
                app_middleware
                    .entry((module, call.range.start_byte))
                    .or_default()
                    .extend(entries);
            } else if let ExprKind::Member { object, property } = &callee.kind
                && property == "add_middleware"
                && let Some(app) = app_key(project, module, object)
                && let Some(class) = args.first()
            {
                // Added later, it runs first: Starlette wraps the app in each addition.
                let entry = middleware_class(project, module, &class.value);
                app_middleware.entry(app).or_default().insert(0, entry);
            }
        }
    }
    let mut reached: HashSet<RouteKey> = HashSet::new();
    let mut found: Vec<Route> = Vec::new();
    for &module in &modules {
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            if is_starlette(project, module, callee, "Starlette") {
                let chain = app_middleware
                    .get(&(module, call.range.start_byte))
                    .cloned()
                    .unwrap_or_default();
                if let Some(list) = Expr::option(args, "routes")
                    .or_else(|| args.first().filter(|a| a.name.is_none()).map(|a| &a.value))
                {
                    let mut walk = Walk {
                        project,
                        reached: &mut reached,
                        found: &mut found,
                    };
                    walk.routes(module, list, "", &chain, 0);
                }
            } else if let ExprKind::Member { object, property } = &callee.kind
                && property == "add_route"
                && let Some(app) = app_key(project, module, object)
            {
                let chain = app_middleware.get(&app).cloned().unwrap_or_default();
                let positional: Vec<&Expr> = args
                    .iter()
                    .filter(|a| a.name.is_none())
                    .map(|a| &a.value)
                    .collect();
                if let (Some(path), Some(endpoint)) = (
                    positional.first().and_then(|p| literal(p)),
                    positional
                        .get(1)
                        .copied()
                        .or_else(|| Expr::option(args, "route")),
                ) {
                    emit(
                        project, module, call, path, endpoint, args, &chain, &mut found,
                    );
                }
            }
        }
        // `@app.route('/path', methods=[...])`
        for (id, function) in project.modules[module].functions.iter().enumerate() {
            for decorator in &function.decorators {
                let Some((callee, args, _)) = decorator.as_call() else {
                    continue;
                };
                if let ExprKind::Member { object, property } = &callee.kind
                    && property == "route"
                    && let Some(app) = app_key(project, module, object)
                    && let Some(path) = args.first().and_then(|a| literal(&a.value))
                {
                    let chain = app_middleware.get(&app).cloned().unwrap_or_default();
                    found.extend(routes_of(
                        project,
                        module,
                        decorator,
                        path,
                        Target::Function(module, id),
                        methods_option(args),
                        chain,
                    ));
                }
            }
        }
    }
    // Routes no app reached.
    for &module in &modules {
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            if is_starlette(project, module, callee, "Route")
                && !reached.contains(&(module, call.range.start_byte))
            {
                emit_route_call(project, module, call, args, "", &[], &mut found);
            }
        }
    }
    routes.extend(found);
}

fn imports_starlette(module: &Module) -> bool {
    module
        .imports
        .iter()
        .any(|i| i.source == "starlette" || i.source.starts_with("starlette."))
}

/// Whether a callee is Starlette's `class` (`starlette.routing.Route`, `starlette.applications.Starlette`).
fn is_starlette(project: &Project, module: ModuleId, callee: &Expr, class: &str) -> bool {
    project
        .qualify(module, callee, &|_| Local::Unknown)
        .is_some_and(|q| q.starts_with("starlette.") && q.rsplit('.').next() == Some(class))
}

/// The app an expression names: a value created by `Starlette(...)`.
fn app_key(project: &Project, module: ModuleId, expr: &Expr) -> Option<(ModuleId, u32)> {
    created_by(project, module, expr, &|q| {
        q.starts_with("starlette.") && q.ends_with(".Starlette()")
    })
}

/// Walks route lists, mounts and routers.
struct Walk<'a, 'p> {
    project: &'p Project,
    reached: &'a mut HashSet<RouteKey>,
    found: &'a mut Vec<Route>,
}

impl Walk<'_, '_> {
    fn routes(
        &mut self,
        module: ModuleId,
        expr: &Expr,
        prefix: &str,
        chain: &[Middleware],
        depth: u32,
    ) {
        // Bounded: a list that refers to itself in broken code must not loop.
        if depth > 12 {
            return;
        }
        match &expr.kind {
            ExprKind::Array(items) => {
                for item in items {
                    self.routes(module, item, prefix, chain, depth + 1);
                }
            }
            ExprKind::Binary {
                op: "+",
                left,
                right,
            } => {
                self.routes(module, left, prefix, chain, depth + 1);
                self.routes(module, right, prefix, chain, depth + 1);
            }
            ExprKind::Call { callee, args, .. } => {
                let project = self.project;
                let class = project
                    .qualify(module, callee, &|_| Local::Unknown)
                    .filter(|q| q.starts_with("starlette."))
                    .and_then(|q| q.rsplit('.').next().map(str::to_string))
                    .unwrap_or_default();
                match class.as_str() {
                    "Route" => {
                        self.reached.insert((module, expr.range.start_byte));
                        emit_route_call(project, module, expr, args, prefix, chain, self.found);
                    }
                    "Mount" | "Host" => {
                        let at = if class == "Mount" {
                            Expr::option(args, "path")
                                .or_else(|| {
                                    args.first().filter(|a| a.name.is_none()).map(|a| &a.value)
                                })
                                .and_then(literal)
                                .unwrap_or("")
                        } else {
                            ""
                        };
                        let inner = Expr::option(args, "routes")
                            .or_else(|| Expr::option(args, "app"))
                            .or_else(|| {
                                args.iter()
                                    .filter(|a| a.name.is_none())
                                    .nth(1)
                                    .map(|a| &a.value)
                            });
                        let mut chain = chain.to_vec();
                        if let Some(list) = Expr::option(args, "middleware") {
                            chain.extend(middleware_list(project, module, list));
                        }
                        if let Some(inner) = inner {
                            let prefix = join_paths(prefix, at);
                            let prefix = if prefix == "/" { "" } else { prefix.as_str() };
                            self.routes(module, inner, prefix, &chain, depth + 1);
                        }
                    }
                    "Router" | "Starlette" => {
                        if let Some(list) = Expr::option(args, "routes")
                            .or_else(|| args.first().filter(|a| a.name.is_none()).map(|a| &a.value))
                        {
                            self.routes(module, list, prefix, chain, depth + 1);
                        }
                    }
                    _ => {}
                }
            }
            ExprKind::Name(_) | ExprKind::Member { .. } => {
                if let Some((owner, value)) = defining_value(self.project, module, expr)
                    && !std::ptr::eq(value, expr)
                {
                    self.routes(owner, value, prefix, chain, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// One `Route(path, endpoint, methods=[...], middleware=[...])`.
fn emit_route_call(
    project: &Project,
    module: ModuleId,
    call: &Expr,
    args: &[Arg],
    prefix: &str,
    chain: &[Middleware],
    found: &mut Vec<Route>,
) {
    let positional: Vec<&Expr> = args
        .iter()
        .filter(|a| a.name.is_none())
        .map(|a| &a.value)
        .collect();
    let (Some(path), Some(endpoint)) = (
        positional
            .first()
            .copied()
            .or_else(|| Expr::option(args, "path"))
            .and_then(literal),
        positional
            .get(1)
            .copied()
            .or_else(|| Expr::option(args, "endpoint")),
    ) else {
        return;
    };
    let mut chain = chain.to_vec();
    if let Some(list) = Expr::option(args, "middleware") {
        chain.extend(middleware_list(project, module, list));
    }
    emit(
        project,
        module,
        call,
        &join_paths(prefix, path),
        endpoint,
        args,
        &chain,
        found,
    );
}

#[allow(clippy::too_many_arguments)]
fn emit(
    project: &Project,
    module: ModuleId,
    at: &Expr,
    path: &str,
    endpoint: &Expr,
    args: &[Arg],
    chain: &[Middleware],
    found: &mut Vec<Route>,
) {
    let target = match project.symbol_of_expr(module, endpoint, &|_| Local::Unknown, 0) {
        Some(Symbol::Class(m, c)) => Target::Class(m, c),
        Some(Symbol::Function(m, f)) => Target::Function(m, f),
        _ => match &endpoint.kind {
            ExprKind::Function(f) => Target::Function(module, *f),
            _ => Target::Unknown,
        },
    };
    found.extend(routes_of(
        project,
        module,
        at,
        path,
        target,
        methods_option(args),
        chain.to_vec(),
    ));
}

#[derive(Clone, Copy)]
enum Target {
    Function(ModuleId, FunctionId),
    Class(ModuleId, crate::ir::ClassId),
    Unknown,
}

/// The routes one declaration stands for: an `HTTPEndpoint` class answers each method it
/// defines, a function the declared methods.
fn routes_of(
    project: &Project,
    module: ModuleId,
    at: &Expr,
    path: &str,
    target: Target,
    methods: Vec<String>,
    chain: Vec<Middleware>,
) -> Vec<Route> {
    let handlers: Vec<(String, Option<(ModuleId, FunctionId)>)> = match target {
        Target::Class(m, class) => project.modules[m].classes[class]
            .methods
            .iter()
            .filter_map(|&method| {
                let name = project.modules[m].functions[method].name.as_deref()?;
                ENDPOINT_METHODS
                    .contains(&name)
                    .then(|| (name.to_ascii_uppercase(), Some((m, method))))
            })
            .collect(),
        Target::Function(m, f) => methods.into_iter().map(|v| (v, Some((m, f)))).collect(),
        Target::Unknown => methods.into_iter().map(|v| (v, None)).collect(),
    };
    let param_types = path_types(path);
    let path = normalize_path(&strip_converters(path));
    handlers
        .into_iter()
        .map(|(method, handler)| {
            let mut chain = chain.clone();
            if let Some((m, f)) = handler {
                chain.extend(
                    project.modules[m].functions[f]
                        .decorators
                        .iter()
                        .filter(|d| {
                            let callee = d.as_call().map_or(*d, |(callee, _, _)| callee);
                            callee.method_name() != Some("route")
                        })
                        .map(|d| middleware(project, m, d)),
                );
            }
            Route {
                framework: Framework::Starlette,
                method,
                path: path.clone(),
                param_types: param_types.clone(),
                module,
                range: at.range,
                handler,
                middleware: chain,
                param_sources: Vec::new(),
                serves_files: false,
                view_class: None,
                response_filtered: false,
                body_fields: Vec::new(),
                public_by_design: false,
            }
        })
        .collect()
}

/// `{id:int}` → `{id}`.
fn strip_converters(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            match segment
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .and_then(|inner| inner.split_once(':'))
            {
                Some((name, _)) => format!("{{{name}}}"),
                None => segment.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `[Middleware(AuthMiddleware), Middleware(CORSMiddleware, allow_origins=[...])]`, here or
/// through a name.
fn middleware_list(project: &Project, module: ModuleId, list: &Expr) -> Vec<Middleware> {
    let (owner, list) = match &list.kind {
        ExprKind::Name(_) | ExprKind::Member { .. } => {
            match defining_value(project, module, list) {
                Some(found) => found,
                None => return Vec::new(),
            }
        }
        _ => (module, list),
    };
    let ExprKind::Array(items) = &list.kind else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let (_, args, _) = item.as_call()?;
            let class = &args.first()?.value;
            Some(middleware_class(project, owner, class))
        })
        .collect()
}

/// A middleware class: Starlette's own never refuse an anonymous request
/// (`AuthenticationMiddleware` only sets `request.user`); a project's class authenticates when
/// its `dispatch` (or `__call__`) can refuse.
fn middleware_class(project: &Project, module: ModuleId, class: &Expr) -> Middleware {
    let mut entry = middleware(project, module, class);
    let qualified = project
        .qualify(module, class, &|_| Local::Unknown)
        .unwrap_or_default();
    if qualified.starts_with("starlette.") {
        entry.roles.auth = false;
        entry.roles.role = false;
    } else if let Some(Symbol::Class(m, c)) =
        project.symbol_of_expr(module, class, &|_| Local::Unknown, 0)
    {
        let refuses = project.modules[m].classes[c].methods.iter().any(|&f| {
            matches!(
                project.modules[m].functions[f].name.as_deref(),
                Some("dispatch" | "__call__")
            ) && super::gatekeeping::can_refuse(project, m, f)
        });
        entry.roles.auth = refuses && !entry.roles.rate_limit;
        entry.roles.role &= refuses;
    }
    entry
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::described;

    fn lines(files: &[(&str, &str)]) -> Vec<String> {
        described(files, &|r, middleware| {
            format!(
                "{} {} {} [{}] auth={} typed={:?} handler={}",
                r.framework,
                r.method,
                r.path,
                middleware,
                r.has_auth_middleware(),
                r.param_types,
                r.handler.is_some(),
            )
        })
    }

    #[test]
    fn routes_mounts_routers_endpoints_and_middleware() {
        let routes = lines(&[
            (
                "app.py",
                "from starlette.applications import Starlette\nfrom starlette.middleware import Middleware\nfrom starlette.middleware.authentication import AuthenticationMiddleware\nfrom starlette.routing import Route, Mount, Router\nfrom starlette.responses import JSONResponse\nfrom starlette.authentication import requires\nfrom api import api_routes\nfrom auth import TokenBackend\n\n@requires('authenticated')\nasync def profile(request):\n    return JSONResponse({})\n\nasync def homepage(request):\n    return JSONResponse({})\n\nroutes = [\n    Route('/', homepage),\n    Route('/me', endpoint=profile, methods=['GET', 'PATCH']),\n    Mount('/api', routes=api_routes),\n    Mount('/admin', app=Router(routes=[Route('/stats', homepage)])),\n]\n\napp = Starlette(debug=False, routes=routes, middleware=[Middleware(AuthenticationMiddleware, backend=TokenBackend())])\n",
            ),
            (
                "api.py",
                "from starlette.routing import Route\nfrom starlette.endpoints import HTTPEndpoint\nfrom starlette.responses import JSONResponse\n\nclass Item(HTTPEndpoint):\n    async def get(self, request):\n        item_id = request.path_params['item_id']\n        return JSONResponse({})\n    async def delete(self, request):\n        return JSONResponse({})\n\nasync def search(request):\n    return JSONResponse([])\n\napi_routes = [Route('/items/{item_id:int}', Item)] + [Route('/search', search, methods=['POST'])]\n",
            ),
        ]);
        assert_eq!(
            routes,
            [
                "starlette DELETE /api/items/{item_id} [AuthenticationMiddleware] auth=false typed=[(\"item_id\", \"integer\")] handler=true",
                "starlette GET /api/items/{item_id} [AuthenticationMiddleware] auth=false typed=[(\"item_id\", \"integer\")] handler=true",
                "starlette POST /api/search [AuthenticationMiddleware] auth=false typed=[] handler=true",
                "starlette GET / [AuthenticationMiddleware] auth=false typed=[] handler=true",
                "starlette GET /me [AuthenticationMiddleware, requires('authenticated')] auth=true typed=[] handler=true",
                "starlette PATCH /me [AuthenticationMiddleware, requires('authenticated')] auth=true typed=[] handler=true",
                "starlette GET /admin/stats [AuthenticationMiddleware] auth=false typed=[] handler=true",
            ]
        );
    }

    #[test]
    fn added_routes_decorators_middleware_classes_and_routes_no_app_reaches() {
        let routes = lines(&[
            (
                "main.py",
                "from starlette.applications import Starlette\nfrom starlette.middleware.base import BaseHTTPMiddleware\nfrom starlette.responses import JSONResponse, PlainTextResponse\n\nclass ApiKeyMiddleware(BaseHTTPMiddleware):\n    async def dispatch(self, request, call_next):\n        if request.headers.get('x-api-key') != API_KEY:\n            return JSONResponse({'detail': 'unauthorized'}, status_code=401)\n        return await call_next(request)\n\nclass TimingMiddleware(BaseHTTPMiddleware):\n    async def dispatch(self, request, call_next):\n        return await call_next(request)\n\napp = Starlette()\napp.add_middleware(ApiKeyMiddleware)\napp.add_middleware(TimingMiddleware)\n\nasync def notes(request):\n    return JSONResponse([])\n\napp.add_route('/notes', notes, methods=['GET', 'POST'])\n\n@app.route('/notes/{note_id}', methods=['DELETE'])\nasync def remove(request):\n    return PlainTextResponse('')\n",
            ),
            (
                "routes.py",
                "from starlette.routing import Route\nfrom views import export\nroutes = [Route('/export/{name:str}', export)]\n",
            ),
        ]);
        assert_eq!(
            routes,
            [
                "starlette GET /notes [TimingMiddleware, ApiKeyMiddleware] auth=true typed=[] handler=true",
                "starlette POST /notes [TimingMiddleware, ApiKeyMiddleware] auth=true typed=[] handler=true",
                "starlette DELETE /notes/{note_id} [TimingMiddleware, ApiKeyMiddleware] auth=true typed=[] handler=true",
                "starlette GET /export/{name} [] auth=false typed=[] handler=false",
            ]
        );
    }
}
