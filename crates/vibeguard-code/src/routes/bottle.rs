//! Bottle: routes declared on the default app (`@route(path, method=...)`, `@get(path)`,
//! `@bottle.post(path)`) or on a `Bottle()` app (`@app.route(path, ['GET', 'POST'])`,
//! `@app.delete(path)`, `app.route(path, callback=handler)`); sub-apps mounted with
//! `app.mount('/api', api)` (or merged) get its prefix and plugins. Plugins
//! (`app.install(plugin)`) and `before_request` hooks that can refuse run in front of every
//! route of their app; the view's other decorators (`@auth_basic(check)`) are its middleware.
//! Path parameters are written name first — `<id:int>`, `<price:float>` are numbers, `<name>`,
//! `<rest:path>`, `<slug:re:[a-z]+>` and the old `:name` client strings — and reach the
//! handler by name.

use std::collections::HashMap;

use super::{
    Framework, Middleware, Route, created_by, join_paths, literal, middleware, name_first_path,
    path_param_sources, request_hook,
};
use crate::ir::{Arg, Expr, ExprKind, FunctionId, Module, Range};
use crate::project::{Local, ModuleId, Project};

const VERBS: &[&str] = &["get", "post", "put", "patch", "delete"];

/// An app: where it was created, or [`DEFAULT_APP`].
type Key = (ModuleId, u32);

/// Bottle's default app, which the module-level decorators (`bottle.route`) fill.
const DEFAULT_APP: Key = (usize::MAX, 0);

#[derive(Default)]
struct App {
    /// Plugins and request hooks, in the order they were added.
    middleware: Vec<Middleware>,
    /// `(parent, prefix)` from `parent.mount(prefix, this)`.
    mounted: Option<(Key, String)>,
}

struct Declared {
    owner: Key,
    methods: Vec<String>,
    path: String,
    module: ModuleId,
    range: Range,
    handler: Option<(ModuleId, FunctionId)>,
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let mut apps: HashMap<Key, App> = HashMap::new();
    let mut declared: Vec<Declared> = Vec::new();
    for module in 0..project.modules.len() {
        let m = &project.modules[module];
        if m.language != crate::language::Language::Python || !imports_bottle(m) {
            continue;
        }
        for (id, function) in m.functions.iter().enumerate() {
            for decorator in &function.decorators {
                let Some((callee, args, _)) = decorator.as_call() else {
                    continue;
                };
                let Some((owner, verb)) = app_method(project, module, callee) else {
                    continue;
                };
                if verb == "hook" {
                    if args.first().and_then(|a| literal(&a.value)) == Some("before_request") {
                        let hook =
                            request_hook(project, (module, id), "before_request", decorator.range);
                        apps.entry(owner).or_default().middleware.push(hook);
                    }
                    continue;
                }
                if let Some((methods, path)) = route_of(&verb, args) {
                    declared.push(Declared {
                        owner,
                        methods,
                        path,
                        module,
                        range: decorator.range,
                        handler: Some((module, id)),
                    });
                }
            }
        }
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            let Some((owner, verb)) = app_method(project, module, callee) else {
                continue;
            };
            apps.entry(owner).or_default();
            let positional: Vec<&Expr> = args
                .iter()
                .filter(|a| a.name.is_none())
                .map(|a| &a.value)
                .collect();
            match verb.as_str() {
                // `app.route('/x', 'POST', handler)`, `app.get('/x', callback=handler)`: a
                // registration, not a decorator, when it names its callback.
                "route" | "get" | "post" | "put" | "patch" | "delete" => {
                    let callback = Expr::option(args, "callback").or_else(|| {
                        let at = if verb == "route" { 2 } else { 1 };
                        positional.get(at).copied()
                    });
                    let (Some(callback), Some((methods, path))) = (callback, route_of(&verb, args))
                    else {
                        continue;
                    };
                    declared.push(Declared {
                        owner,
                        methods,
                        path,
                        module,
                        range: call.range,
                        handler: super::function_of(project, module, callback),
                    });
                }
                "mount" | "merge" => {
                    let (prefix, child) = if verb == "mount" {
                        (
                            positional.first().and_then(|p| literal(p)),
                            positional.get(1),
                        )
                    } else {
                        (Some(""), positional.first())
                    };
                    if let (Some(prefix), Some(child)) = (prefix, child)
                        && let Some(child) = app_key(project, module, child)
                        && child != owner
                    {
                        apps.entry(child).or_default().mounted = Some((owner, prefix.to_string()));
                    }
                }
                "install" => {
                    if let Some(plugin) = positional.first() {
                        let entry = middleware(project, module, plugin);
                        apps.entry(owner).or_default().middleware.push(entry);
                    }
                }
                "add_hook" => {
                    if positional.first().and_then(|p| literal(p)) == Some("before_request")
                        && let Some(function) = positional
                            .get(1)
                            .and_then(|f| super::function_of(project, module, f))
                    {
                        let hook = request_hook(project, function, "before_request", call.range);
                        apps.entry(owner).or_default().middleware.push(hook);
                    }
                }
                _ => {}
            }
        }
    }
    for route in declared {
        let (prefix, mut chain) = mount(&apps, route.owner);
        if let Some((m, f)) = route.handler {
            chain.extend(
                project.modules[m].functions[f]
                    .decorators
                    .iter()
                    .filter(|d| {
                        let callee = d.as_call().map_or(*d, |(callee, _, _)| callee);
                        app_method(project, m, callee).is_none()
                    })
                    .map(|d| middleware(project, m, d)),
            );
        }
        let (path, param_types) = name_first_path(&join_paths(&prefix, &route.path));
        for method in &route.methods {
            routes.push(Route {
                framework: Framework::Bottle,
                method: method.clone(),
                param_sources: path_param_sources(project, route.handler, &path, &param_types),
                path: path.clone(),
                param_types: param_types.clone(),
                module: route.module,
                range: route.range,
                handler: route.handler,
                middleware: chain.clone(),
                serves_files: false,
                view_class: None,
                response_filtered: false,
                body_fields: Vec::new(),
                public_by_design: false,
            });
        }
    }
}

fn imports_bottle(module: &Module) -> bool {
    module.imports.iter().any(|i| i.source == "bottle")
}

/// The app a callee acts on and the method it calls: `app.route` on a `Bottle()` app, or a
/// module-level function of the default app (`route`, `bottle.get`, `install`, `hook`).
fn app_method(project: &Project, module: ModuleId, callee: &Expr) -> Option<(Key, String)> {
    if let ExprKind::Member { object, property } = &callee.kind
        && let Some(owner) = app_key(project, module, object)
    {
        return Some((owner, property.clone()));
    }
    let qualified = project.qualify(module, callee, &|_| Local::Unknown)?;
    let function = qualified.strip_prefix("bottle.")?;
    matches!(
        function,
        "route" | "get" | "post" | "put" | "patch" | "delete" | "hook" | "install" | "mount"
    )
    .then(|| (DEFAULT_APP, function.to_string()))
}

/// The app an expression names: a `Bottle()` value, or the default app
/// (`bottle.default_app()`).
fn app_key(project: &Project, module: ModuleId, expr: &Expr) -> Option<Key> {
    if let Some(key) = created_by(project, module, expr, &|q| q == "bottle.Bottle()") {
        return Some(key);
    }
    created_by(project, module, expr, &|q| {
        matches!(q, "bottle.default_app()" | "bottle.app()")
    })
    .map(|_| DEFAULT_APP)
}

/// The methods and path of a route declaration: `route(path, method=...)` (a string or a list,
/// or the second positional argument; GET when absent) or a verb (`get(path)`).
fn route_of(verb: &str, args: &[Arg]) -> Option<(Vec<String>, String)> {
    let positional: Vec<&Expr> = args
        .iter()
        .filter(|a| a.name.is_none())
        .map(|a| &a.value)
        .collect();
    let path = positional
        .first()
        .copied()
        .or_else(|| Expr::option(args, "path"))
        .and_then(literal)?
        .to_string();
    let methods = match verb {
        "route" => {
            let method = Expr::option(args, "method").or_else(|| positional.get(1).copied());
            match method.map(|m| &m.kind) {
                Some(ExprKind::Array(items)) => items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .map(str::to_ascii_uppercase)
                    .collect(),
                _ => vec![
                    method
                        .and_then(literal)
                        .unwrap_or("GET")
                        .to_ascii_uppercase(),
                ],
            }
        }
        verb if VERBS.contains(&verb) => vec![verb.to_ascii_uppercase()],
        _ => return None,
    };
    Some((methods, path))
}

/// The prefix and middleware an app's routes get, through the apps it is mounted in.
fn mount(apps: &HashMap<Key, App>, owner: Key) -> (String, Vec<Middleware>) {
    let mut prefix = String::new();
    let mut chain: Vec<Middleware> = Vec::new();
    let mut current = Some(owner);
    // Bounded: a mount cycle in broken code must not loop.
    for _ in 0..16 {
        let Some(app) = current.and_then(|key| apps.get(&key)) else {
            break;
        };
        let mut outer = app.middleware.clone();
        outer.extend(chain);
        chain = outer;
        current = app.mounted.as_ref().map(|(parent, at)| {
            prefix = join_paths(at, &prefix);
            *parent
        });
    }
    (prefix, chain)
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::described;

    fn lines(files: &[(&str, &str)]) -> Vec<String> {
        described(files, &|r, middleware| {
            format!(
                "{} {} {} [{}] auth={} sources={:?}",
                r.framework,
                r.method,
                r.path,
                middleware,
                r.has_auth_middleware(),
                r.param_sources
                    .iter()
                    .map(|s| (s.index, s.cleansed != 0))
                    .collect::<Vec<_>>()
            )
        })
    }

    #[test]
    fn default_app_decorators_methods_and_filters() {
        let routes = lines(&[(
            "app.py",
            "import bottle\nfrom bottle import route, post, request, run, auth_basic\n\n@route('/notes/<note_id:int>')\ndef show(note_id):\n    return {}\n\n@route('/notes/<note_id:int>', method=['PUT', 'DELETE'])\ndef change(note_id):\n    return {}\n\n@post('/search')\ndef search():\n    return {}\n\n@bottle.route('/files/<name:path>', 'GET')\n@auth_basic(check_credentials)\ndef files(name):\n    return bottle.static_file(name, root='uploads')\n\n@route('/old/:slug')\ndef old(slug):\n    return slug\n\nrun(host='0.0.0.0', port=8080)\n",
        )]);
        assert_eq!(
            routes,
            [
                "bottle GET /notes/{note_id} [] auth=false sources=[(0, true)]",
                "bottle DELETE /notes/{note_id} [] auth=false sources=[(0, true)]",
                "bottle PUT /notes/{note_id} [] auth=false sources=[(0, true)]",
                "bottle POST /search [] auth=false sources=[]",
                "bottle GET /files/{name} [auth_basic(check_credentials)] auth=true sources=[(0, false)]",
                "bottle GET /old/{slug} [] auth=false sources=[(0, false)]",
            ]
        );
    }

    #[test]
    fn apps_mounts_plugins_hooks_and_callbacks() {
        let routes = lines(&[
            (
                "main.py",
                "from bottle import Bottle, abort, request\nfrom api import api\nfrom bottle_sqlite import SQLitePlugin\n\napp = Bottle()\napp.install(SQLitePlugin(dbfile='notes.db'))\napp.mount('/api', api)\n\n@app.get('/')\ndef index():\n    return 'home'\n",
            ),
            (
                "api.py",
                "from bottle import Bottle, abort, request\n\napi = Bottle()\n\n@api.hook('before_request')\ndef check_key():\n    if request.headers.get('X-Api-Key') != KEY:\n        abort(401, 'no key')\n\ndef list_users():\n    return {}\n\napi.route('/users', 'GET', list_users)\napi.delete('/users/<username>', callback=lambda username: {})\n",
            ),
        ]);
        assert_eq!(
            routes,
            [
                "bottle GET /api/users [SQLitePlugin(dbfile='notes.db'), before_request: check_key] auth=true sources=[]",
                "bottle DELETE /api/users/{username} [SQLitePlugin(dbfile='notes.db'), before_request: check_key] auth=true sources=[(0, false)]",
                "bottle GET / [SQLitePlugin(dbfile='notes.db')] auth=false sources=[]",
            ]
        );
    }
}
