//! aiohttp: routes declared on a `web.RouteTableDef()` (`@routes.get('/p')`,
//! `@routes.view('/p')` on a `web.View` class), registered on the router
//! (`app.router.add_get('/p', handler)`, `add_route('POST', ...)`, `add_view`), or listed in
//! `app.add_routes([web.get('/p', handler), web.view(...)])`; sub-applications mounted with
//! `app.add_subapp('/api', api)` give their routes a prefix, and an application's
//! `middlewares=[...]` run in front of every route it serves. Path parameters are written
//! `{name}` or `{name:regex}` (`{id:\d+}` is a number).

use std::collections::HashMap;

use super::{Framework, Middleware, Route, join_paths, literal, middleware};
use crate::ir::{Arg, ClassId, Expr, ExprKind, FunctionId, Module};
use crate::project::{Local, ModuleId, Project, Symbol};

/// The HTTP methods a `web.View` subclass may answer, by method name.
const VIEW_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head"];

/// A route table or an application: where it was created.
type Key = (ModuleId, u32);

/// What a route answers with: a function, or a class-based view's methods.
#[derive(Clone, Copy)]
enum Target {
    Function(ModuleId, FunctionId),
    View(ModuleId, ClassId),
    Unknown,
}

/// A route before it knows its application's prefix and middleware.
struct Declared {
    /// The table or application it was declared on.
    owner: Key,
    method: String,
    path: String,
    module: ModuleId,
    range: crate::ir::Range,
    target: Target,
    /// Decorators of the handler other than the route's own.
    decorators: Vec<Middleware>,
}

#[derive(Default)]
struct App {
    middleware: Vec<Middleware>,
    /// `(parent application, prefix)` from `parent.add_subapp(prefix, this)`.
    mounted: Option<(Key, String)>,
    /// Route tables added with `add_routes(table)`.
    tables: Vec<Key>,
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let mut apps: HashMap<Key, App> = HashMap::new();
    let mut declared: Vec<Declared> = Vec::new();
    for module in 0..project.modules.len() {
        let m = &project.modules[module];
        if m.language.is_javascript_family() || !imports_aiohttp(m) {
            continue;
        }
        decorated_routes(project, module, &mut declared);
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            let qualified = project
                .qualify(module, callee, &|_| Local::Unknown)
                .unwrap_or_default();
            if is_aiohttp(&format!("{qualified}()"), "Application") {
                let app = apps.entry((module, call.range.start_byte)).or_default();
                if let Some(ExprKind::Array(items)) =
                    Expr::option(args, "middlewares").map(|e| &e.kind)
                {
                    app.middleware
                        .extend(items.iter().map(|i| middleware(project, module, i)));
                }
                continue;
            }
            let ExprKind::Member { object, property } = &callee.kind else {
                continue;
            };
            match property.as_str() {
                // `app.router.add_get('/p', handler)`
                name if name.starts_with("add_") && is_router(object) => {
                    let ExprKind::Member { object: app, .. } = &object.kind else {
                        continue;
                    };
                    let Some(owner) = app_key(project, module, app) else {
                        continue;
                    };
                    let verb = &name["add_".len()..];
                    declared.extend(registration(project, module, owner, call.range, verb, args));
                }
                "add_routes" => {
                    let Some(owner) = app_key(project, module, object) else {
                        continue;
                    };
                    let Some(first) = args.first().map(|a| &a.value) else {
                        continue;
                    };
                    if let ExprKind::Array(items) = &first.kind {
                        for item in items {
                            let Some((item_callee, item_args, _)) = item.as_call() else {
                                continue;
                            };
                            let item_qualified = project
                                .qualify(module, item_callee, &|_| Local::Unknown)
                                .unwrap_or_default();
                            let Some(verb) = item_qualified
                                .strip_prefix("aiohttp.web.")
                                .or_else(|| item_qualified.strip_prefix("web."))
                            else {
                                continue;
                            };
                            declared.extend(registration(
                                project, module, owner, item.range, verb, item_args,
                            ));
                        }
                    } else if let Some(table) = table_key(project, module, first) {
                        apps.entry(owner).or_default().tables.push(table);
                    }
                }
                "add_subapp" => {
                    let (Some(parent), Some(prefix), Some(child)) = (
                        app_key(project, module, object),
                        args.first().and_then(|a| literal(&a.value)),
                        args.get(1).and_then(|a| app_key(project, module, &a.value)),
                    ) else {
                        continue;
                    };
                    apps.entry(child).or_default().mounted = Some((parent, prefix.to_string()));
                }
                // `app.middlewares.append(auth_middleware)`
                "append" | "extend" if matches!(&object.kind, ExprKind::Member { property, .. } if property == "middlewares") =>
                {
                    let ExprKind::Member { object: app, .. } = &object.kind else {
                        continue;
                    };
                    if let Some(owner) = app_key(project, module, app) {
                        let entry = apps.entry(owner).or_default();
                        for arg in args {
                            match &arg.value.kind {
                                ExprKind::Array(items) => entry
                                    .middleware
                                    .extend(items.iter().map(|i| middleware(project, module, i))),
                                _ => entry
                                    .middleware
                                    .push(middleware(project, module, &arg.value)),
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // A table's routes belong to every application that added it; a table added nowhere
    // still declares its routes (the application may be built where vibeguard cannot see).
    let mut owners_of_table: HashMap<Key, Vec<Key>> = HashMap::new();
    for (app, entry) in &apps {
        for table in &entry.tables {
            owners_of_table.entry(*table).or_default().push(*app);
        }
    }
    for route in declared {
        let owners = owners_of_table
            .get(&route.owner)
            .cloned()
            .unwrap_or_else(|| vec![route.owner]);
        for owner in owners {
            let (prefix, chain) = mount(&apps, owner);
            let full = join_paths(&prefix, &route.path);
            let (path, param_types) = path_and_types(&full);
            let mut chain = chain;
            chain.extend(route.decorators.iter().cloned());
            for (method, handler) in handlers(project, &route) {
                routes.push(Route {
                    framework: Framework::Aiohttp,
                    method,
                    path: path.clone(),
                    module: route.module,
                    range: route.range,
                    handler,
                    middleware: chain.clone(),
                    param_sources: Vec::new(),
                    param_types: param_types.clone(),
                    serves_files: false,
                    view_class: None,
                    response_filtered: false,
                    body_fields: Vec::new(),
                    public_by_design: false,
                });
            }
        }
    }
}

fn imports_aiohttp(module: &Module) -> bool {
    module
        .imports
        .iter()
        .any(|i| i.source == "aiohttp" || i.source.starts_with("aiohttp."))
}

/// Whether a qualified name is `aiohttp.web.<name>` (or `web.<name>` read from an import the
/// project could not resolve further).
fn is_aiohttp(qualified: &str, name: &str) -> bool {
    let Some(rest) = qualified.strip_suffix("()") else {
        return false;
    };
    rest == format!("aiohttp.web.{name}") || rest == format!("web.{name}")
}

/// `app.router` (or `self.router`, `self.app.router`).
fn is_router(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Member { property, .. } if property == "router")
}

/// One `add_<verb>(path, handler)` registration, `add_route(method, path, handler)`,
/// `add_view(path, View)`, or `web.<verb>(...)` inside `add_routes([...])`.
fn registration(
    project: &Project,
    module: ModuleId,
    owner: Key,
    range: crate::ir::Range,
    verb: &str,
    args: &[Arg],
) -> Option<Declared> {
    let positional: Vec<&Expr> = args
        .iter()
        .filter(|a| a.name.is_none())
        .map(|a| &a.value)
        .collect();
    let (method, path, handler) = match verb {
        "route" => (
            literal(positional.first()?)?.to_ascii_uppercase(),
            positional.get(1)?,
            positional.get(2)?,
        ),
        "view" => ("VIEW".to_string(), positional.first()?, positional.get(1)?),
        "get" | "post" | "put" | "patch" | "delete" | "head" => (
            verb.to_ascii_uppercase(),
            positional.first()?,
            positional.get(1)?,
        ),
        // `add_static('/static', folder)`, `add_resource`: no handler of the project.
        _ => return None,
    };
    let path = literal(path)?.to_string();
    let method = if method == "*" { "ANY".into() } else { method };
    let target = target_of(project, module, handler);
    let decorators = match target {
        Target::Function(m, f) => handler_decorators(project, m, f),
        _ => Vec::new(),
    };
    Some(Declared {
        owner,
        method,
        path,
        module,
        range,
        target,
        decorators,
    })
}

/// Functions and view classes decorated with a route table's verbs.
fn decorated_routes(project: &Project, module: ModuleId, declared: &mut Vec<Declared>) {
    let m = &project.modules[module];
    let mut decorated: Vec<(&Expr, Target, Vec<Middleware>)> = Vec::new();
    for (id, function) in m.functions.iter().enumerate() {
        for decorator in &function.decorators {
            decorated.push((
                decorator,
                Target::Function(module, id),
                handler_decorators(project, module, id),
            ));
        }
    }
    for (id, class) in m.classes.iter().enumerate() {
        for decorator in &class.decorators {
            decorated.push((decorator, Target::View(module, id), Vec::new()));
        }
    }
    for (decorator, target, decorators) in decorated {
        let Some((callee, args, _)) = decorator.as_call() else {
            continue;
        };
        let ExprKind::Member { object, property } = &callee.kind else {
            continue;
        };
        let Some(owner) = table_key(project, module, object) else {
            continue;
        };
        let positional: Vec<&Expr> = args
            .iter()
            .filter(|a| a.name.is_none())
            .map(|a| &a.value)
            .collect();
        let (method, path) = match property.as_str() {
            "route" => (
                positional
                    .first()
                    .and_then(|e| literal(e))
                    .map(str::to_ascii_uppercase),
                positional.get(1),
            ),
            "view" => (Some("VIEW".to_string()), positional.first()),
            verb if VIEW_METHODS.contains(&verb) => {
                (Some(verb.to_ascii_uppercase()), positional.first())
            }
            _ => continue,
        };
        let (Some(method), Some(path)) = (method, path.and_then(|p| literal(p))) else {
            continue;
        };
        let method = if method == "*" { "ANY".into() } else { method };
        declared.push(Declared {
            owner,
            method,
            path: path.to_string(),
            module,
            range: decorator.range,
            target,
            decorators,
        });
    }
}

/// The decorators of a handler other than route declarations (`@login_required`,
/// `@has_permission('admin')`), as middleware.
fn handler_decorators(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
) -> Vec<Middleware> {
    project.modules[module].functions[function]
        .decorators
        .iter()
        .filter(|d| {
            let callee = d.as_call().map_or(*d, |(callee, _, _)| callee);
            !matches!(
                callee.method_name(),
                Some("get" | "post" | "put" | "patch" | "delete" | "head" | "route" | "view")
            ) && !matches!(callee.member_path().as_deref(), Some(["web", "middleware"]))
        })
        .map(|d| middleware(project, module, d))
        .collect()
}

/// What a handler expression names.
fn target_of(project: &Project, module: ModuleId, handler: &Expr) -> Target {
    match project.symbol_of_expr(module, handler, &|_| Local::Unknown, 0) {
        Some(Symbol::Function(m, f)) => Target::Function(m, f),
        Some(Symbol::Class(m, c)) => Target::View(m, c),
        Some(Symbol::Value(m, value)) => match &value.kind {
            ExprKind::Function(f) => Target::Function(m, *f),
            _ => Target::Unknown,
        },
        _ => match &handler.kind {
            ExprKind::Function(f) => Target::Function(module, *f),
            _ => Target::Unknown,
        },
    }
}

/// The (method, handler) pairs a declared route stands for: a class-based view answers each
/// HTTP method it defines.
fn handlers(project: &Project, route: &Declared) -> Vec<(String, Option<(ModuleId, FunctionId)>)> {
    match route.target {
        Target::View(m, class) => {
            let mut out = Vec::new();
            for &method in &project.modules[m].classes[class].methods {
                let Some(name) = project.modules[m].functions[method].name.as_deref() else {
                    continue;
                };
                let verb = name.to_ascii_lowercase();
                if VIEW_METHODS.contains(&verb.as_str())
                    && (route.method == "VIEW" || route.method.eq_ignore_ascii_case(&verb))
                {
                    out.push((verb.to_ascii_uppercase(), Some((m, method))));
                }
            }
            out
        }
        Target::Function(m, f) if route.method != "VIEW" => {
            vec![(route.method.clone(), Some((m, f)))]
        }
        _ if route.method == "VIEW" => vec![("ANY".to_string(), None)],
        _ => vec![(route.method.clone(), None)],
    }
}

/// The prefix and middleware an application's routes get, through the applications it is
/// mounted in (outermost first).
fn mount(apps: &HashMap<Key, App>, owner: Key) -> (String, Vec<Middleware>) {
    let mut prefix = String::new();
    let mut chain: Vec<Middleware> = Vec::new();
    let mut current = Some(owner);
    // Bounded: a mount cycle in broken code must not loop.
    for _ in 0..16 {
        let Some(key) = current else {
            break;
        };
        let Some(app) = apps.get(&key) else {
            break;
        };
        let mut outer = app.middleware.clone();
        outer.extend(chain);
        chain = outer;
        match &app.mounted {
            Some((parent, at)) => {
                prefix = join_paths(at, &prefix);
                current = Some(*parent);
            }
            None => current = None,
        }
    }
    (prefix, chain)
}

/// `{id:\d+}` → `{id}` typed `integer`; other `{name:regex}` lose their pattern.
fn path_and_types(path: &str) -> (String, Vec<(String, String)>) {
    let mut types = Vec::new();
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| {
            let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                return segment.to_string();
            };
            let (name, pattern) = inner.split_once(':').unwrap_or((inner, ""));
            if matches!(pattern, "\\d+" | "[0-9]+" | "\\d*" | "int") {
                types.push((name.to_string(), "integer".to_string()));
            }
            format!("{{{name}}}")
        })
        .collect();
    (segments.join("/"), types)
}

/// The application an expression names: a value created by `web.Application(...)`, here (a
/// factory's local) or at the top of a module.
fn app_key(project: &Project, module: ModuleId, expr: &Expr) -> Option<Key> {
    created_by(project, module, expr, "Application")
}

/// The route table an expression names: a value created by `web.RouteTableDef()`.
fn table_key(project: &Project, module: ModuleId, expr: &Expr) -> Option<Key> {
    created_by(project, module, expr, "RouteTableDef")
}

fn created_by(project: &Project, module: ModuleId, expr: &Expr, class: &str) -> Option<Key> {
    super::created_by(project, module, expr, &|qualified| {
        is_aiohttp(qualified, class)
    })
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::inventory;

    fn lines(files: &[(&str, &str)]) -> Vec<String> {
        let (_, inventory) = inventory(files);
        inventory
            .routes
            .iter()
            .map(|r| {
                let mw: Vec<&str> = r.middleware.iter().map(|m| m.name.as_str()).collect();
                format!(
                    "{} {} [{}] handler={} auth={}",
                    r.method,
                    r.path,
                    mw.join(", "),
                    r.handler.is_some(),
                    r.has_auth_middleware()
                )
            })
            .collect()
    }

    #[test]
    fn route_tables_router_calls_views_and_subapps() {
        let got = lines(&[
            (
                "app.py",
                "from aiohttp import web\nfrom views import routes\nfrom admin import admin_app\n\n@web.middleware\nasync def auth_middleware(request, handler):\n    if 'user' not in request:\n        raise web.HTTPUnauthorized()\n    return await handler(request)\n\nasync def health(request):\n    return web.Response(text='ok')\n\ndef make_app():\n    app = web.Application()\n    app.add_routes(routes)\n    app.router.add_get('/health', health)\n    app.add_routes([web.post('/echo', health), web.route('*', '/any', health)])\n    app.add_subapp('/admin', admin_app)\n    return app\n",
            ),
            (
                "views.py",
                "from aiohttp import web\nroutes = web.RouteTableDef()\n\n@routes.get('/notes/{id:\\d+}')\nasync def show(request):\n    return web.json_response({})\n\n@routes.view('/items/{name}')\nclass ItemView(web.View):\n    async def get(self):\n        return web.json_response({})\n    async def delete(self):\n        return web.Response()\n    def helper(self):\n        pass\n",
            ),
            (
                "admin.py",
                "from aiohttp import web\nfrom app import auth_middleware\nadmin_app = web.Application(middlewares=[auth_middleware])\nasync def users(request):\n    return web.json_response([])\nadmin_app.router.add_route('DELETE', '/users/{user_id}', users)\n",
            ),
        ]);
        assert_eq!(
            got,
            [
                "DELETE /admin/users/{user_id} [auth_middleware] handler=true auth=true",
                "GET /health [] handler=true auth=false",
                "POST /echo [] handler=true auth=false",
                "ANY /any [] handler=true auth=false",
                "GET /notes/{id} [] handler=true auth=false",
                "DELETE /items/{name} [] handler=true auth=false",
                "GET /items/{name} [] handler=true auth=false",
            ]
        );
    }

    #[test]
    fn numeric_patterns_type_their_parameters() {
        let (path, types) = super::path_and_types("/a/{id:\\d+}/b/{slug:[a-z]+}");
        assert_eq!(path, "/a/{id}/b/{slug}");
        assert_eq!(types, [("id".to_string(), "integer".to_string())]);
    }

    #[test]
    fn code_without_aiohttp_declares_no_routes() {
        let got = lines(&[(
            "app.py",
            "import routes_lib\nroutes = routes_lib.RouteTableDef()\n@routes.get('/x')\ndef x(request):\n    return 1\n",
        )]);
        assert!(got.is_empty(), "{got:?}");
    }
}
