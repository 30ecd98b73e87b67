//! Sanic: routes declared with `@app.route(path, methods=[...])` or a verb (`@app.get(path)`,
//! `@bp.post(path)`) on a `Sanic(...)` app or a `Blueprint(name, url_prefix=...)`, and
//! `app.add_route(handler, path, methods=[...])` (an `HTTPMethodView.as_view()` answers each
//! method its class defines). Blueprints get the prefix they are registered with
//! (`app.blueprint(bp, url_prefix=...)`, a list, or `Blueprint.group(a, b, url_prefix=...)`);
//! request middleware (`@app.middleware("request")`, `@app.on_request`,
//! `app.register_middleware(f, "request")`) runs in front of every route of its app or
//! blueprint and authenticates when its code can refuse; the view's other decorators
//! (sanic-jwt's `@protected()`, `@authorized()`) are its middleware. Path parameters are
//! written name first: `<id:int>`, `<price:float>`, `<key:uuid>` are typed, `<name>`,
//! `<name:str>`, `<rest:path>` are client strings handed to the handler by name.

use std::collections::HashMap;

use super::{
    Framework, Middleware, Route, created_by, defining_value, join_paths, literal, methods_option,
    middleware, name_first_path, path_param_sources, request_hook,
};
use crate::ir::{Arg, Expr, ExprKind, FunctionId, Module, Range};
use crate::project::{Local, ModuleId, Project, Symbol};

const VERBS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// An app or blueprint: where it was created.
type Key = (ModuleId, u32);

#[derive(Default)]
struct Scope {
    /// The blueprint's own `url_prefix`.
    prefix: String,
    /// Request middleware of the app or blueprint.
    hooks: Vec<Middleware>,
    /// `(app, prefix)` for each registration of a blueprint.
    registered: Vec<(Key, String)>,
}

/// A route before it knows its blueprint's registrations.
struct Declared {
    owner: Key,
    method: String,
    path: String,
    module: ModuleId,
    range: Range,
    handler: Option<(ModuleId, FunctionId)>,
    decorators: Vec<Middleware>,
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let mut scopes: HashMap<Key, Scope> = HashMap::new();
    let mut declared: Vec<Declared> = Vec::new();
    for module in 0..project.modules.len() {
        let m = &project.modules[module];
        if m.language != crate::language::Language::Python || !imports_sanic(m) {
            continue;
        }
        decorated(project, module, &mut scopes, &mut declared);
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            let ExprKind::Member { object, property } = &callee.kind else {
                continue;
            };
            let Some(owner) = scope_key(project, module, object) else {
                continue;
            };
            scope_of(&mut scopes, project, owner);
            match property.as_str() {
                "add_route" => declared.extend(added_route(project, module, owner, call, args)),
                "blueprint" => {
                    for (blueprint, prefix) in registrations(project, module, args) {
                        scope_of(&mut scopes, project, blueprint)
                            .registered
                            .push((owner, prefix));
                    }
                }
                "register_middleware" => {
                    let attach = Expr::option(args, "attach_to")
                        .or_else(|| args.get(1).filter(|a| a.name.is_none()).map(|a| &a.value))
                        .and_then(literal)
                        .unwrap_or("request");
                    if attach == "request"
                        && let Some(handler) = args
                            .first()
                            .and_then(|a| super::function_of(project, module, &a.value))
                    {
                        let hook = request_hook(project, handler, "request middleware", call.range);
                        scope_of(&mut scopes, project, owner).hooks.push(hook);
                    }
                }
                _ => {}
            }
        }
    }
    for route in declared {
        let own_prefix = scopes
            .get(&route.owner)
            .map(|s| s.prefix.clone())
            .unwrap_or_default();
        let registered = scopes
            .get(&route.owner)
            .map(|s| s.registered.clone())
            .unwrap_or_default();
        // A blueprint registered nowhere the code shows still declares its routes.
        let mounts: Vec<(Option<Key>, String)> = if registered.is_empty() {
            vec![(None, own_prefix)]
        } else {
            registered
                .into_iter()
                .map(|(app, prefix)| (Some(app), prefix))
                .collect()
        };
        for (app, prefix) in mounts {
            let mut chain: Vec<Middleware> = app
                .and_then(|app| scopes.get(&app))
                .map(|s| s.hooks.clone())
                .unwrap_or_default();
            if app != Some(route.owner) {
                chain.extend(
                    scopes
                        .get(&route.owner)
                        .map(|s| s.hooks.clone())
                        .unwrap_or_default(),
                );
            }
            chain.extend(route.decorators.iter().cloned());
            let (path, param_types) = name_first_path(&join_paths(&prefix, &route.path));
            routes.push(Route {
                framework: Framework::Sanic,
                method: route.method.clone(),
                param_sources: path_param_sources(project, route.handler, &path, &param_types),
                path,
                param_types,
                module: route.module,
                range: route.range,
                handler: route.handler,
                middleware: chain,
                serves_files: false,
                view_class: None,
                response_filtered: false,
                body_fields: Vec::new(),
                public_by_design: false,
            });
        }
    }
}

fn imports_sanic(module: &Module) -> bool {
    module
        .imports
        .iter()
        .any(|i| i.source == "sanic" || i.source.starts_with("sanic."))
}

fn is_app(qualified: &str) -> bool {
    qualified.starts_with("sanic") && qualified.ends_with(".Sanic()")
}

fn is_blueprint(qualified: &str) -> bool {
    qualified.starts_with("sanic") && qualified.ends_with(".Blueprint()")
}

/// The app or blueprint an expression names.
fn scope_key(project: &Project, module: ModuleId, expr: &Expr) -> Option<Key> {
    created_by(project, module, expr, &|q| is_app(q) || is_blueprint(q))
}

fn scope_of<'s>(scopes: &'s mut HashMap<Key, Scope>, project: &Project, key: Key) -> &'s mut Scope {
    scopes.entry(key).or_insert_with(|| {
        let (module, start) = key;
        let mut prefix = String::new();
        for function in &project.modules[module].functions {
            function.walk_exprs(&mut |e| {
                if e.range.start_byte == start
                    && let Some((_, args, _)) = e.as_call()
                    && let Some(value) = Expr::option(args, "url_prefix").and_then(literal)
                {
                    prefix = value.to_string();
                }
            });
        }
        Scope {
            prefix,
            ..Scope::default()
        }
    })
}

/// The blueprints `app.blueprint(...)` registers, with their prefixes: one blueprint (its own
/// prefix unless the call gives one), a list of them, or a `Blueprint.group(...)` whose prefix
/// goes in front of each member's.
fn registrations(project: &Project, module: ModuleId, args: &[Arg]) -> Vec<(Key, String)> {
    let Some(first) = args.first().filter(|a| a.name.is_none()) else {
        return Vec::new();
    };
    let given = Expr::option(args, "url_prefix")
        .and_then(literal)
        .map(str::to_string);
    let mut out = Vec::new();
    members(
        project,
        module,
        &first.value,
        given.as_deref(),
        "",
        &mut out,
        0,
    );
    out
}

fn members(
    project: &Project,
    module: ModuleId,
    expr: &Expr,
    given: Option<&str>,
    outer: &str,
    out: &mut Vec<(Key, String)>,
    depth: u32,
) {
    if depth > 4 {
        return;
    }
    if let ExprKind::Array(items) = &expr.kind {
        for item in items {
            members(project, module, item, given, outer, out, depth + 1);
        }
        return;
    }
    let Some((owner, value)) = defining_value(project, module, expr) else {
        return;
    };
    let qualified = project
        .qualify(owner, value, &|_| Local::Unknown)
        .unwrap_or_default();
    let Some((_, args, _)) = value.as_call() else {
        return;
    };
    let own = Expr::option(args, "url_prefix").and_then(literal);
    if is_blueprint(&qualified) {
        let prefix = given.or(own).unwrap_or("");
        out.push(((owner, value.range.start_byte), join_paths(outer, prefix)));
    } else if qualified.starts_with("sanic") && qualified.ends_with(".group()") {
        let group_prefix = join_paths(outer, given.or(own).unwrap_or(""));
        let group_prefix = if group_prefix == "/" {
            String::new()
        } else {
            group_prefix
        };
        for arg in args.iter().filter(|a| a.name.is_none()) {
            members(
                project,
                owner,
                &arg.value,
                None,
                &group_prefix,
                out,
                depth + 1,
            );
        }
    }
}

/// Functions decorated with routes and request middleware.
fn decorated(
    project: &Project,
    module: ModuleId,
    scopes: &mut HashMap<Key, Scope>,
    declared: &mut Vec<Declared>,
) {
    let m = &project.modules[module];
    for (id, function) in m.functions.iter().enumerate() {
        for decorator in &function.decorators {
            let (callee, args): (&Expr, &[Arg]) = match decorator.as_call() {
                Some((callee, args, _)) => (callee, args),
                None => (decorator, &[]),
            };
            let ExprKind::Member { object, property } = &callee.kind else {
                continue;
            };
            let Some(owner) = scope_key(project, module, object) else {
                continue;
            };
            scope_of(scopes, project, owner);
            let methods: Vec<String> = match property.as_str() {
                "route" => methods_option(args),
                verb if VERBS.contains(&verb) => vec![verb.to_ascii_uppercase()],
                "middleware" | "on_request" => {
                    let attach = args
                        .first()
                        .map(|a| &a.value)
                        .and_then(literal)
                        .unwrap_or("request");
                    if property == "on_request" || attach == "request" {
                        let hook = request_hook(
                            project,
                            (module, id),
                            "request middleware",
                            decorator.range,
                        );
                        scope_of(scopes, project, owner).hooks.push(hook);
                    }
                    continue;
                }
                _ => continue,
            };
            let Some(path) = args
                .iter()
                .find(|a| a.name.is_none())
                .map(|a| &a.value)
                .or_else(|| Expr::option(args, "uri"))
                .and_then(literal)
            else {
                continue;
            };
            let decorators: Vec<Middleware> = function
                .decorators
                .iter()
                .filter(|d| !is_sanic_decorator(project, module, d))
                .map(|d| middleware(project, module, d))
                .collect();
            for method in methods {
                declared.push(Declared {
                    owner,
                    method,
                    path: path.to_string(),
                    module,
                    range: decorator.range,
                    handler: Some((module, id)),
                    decorators: decorators.clone(),
                });
            }
        }
    }
}

/// A route or middleware decorator of a Sanic app or blueprint.
fn is_sanic_decorator(project: &Project, module: ModuleId, decorator: &Expr) -> bool {
    let callee = decorator
        .as_call()
        .map_or(decorator, |(callee, _, _)| callee);
    matches!(&callee.kind, ExprKind::Member { object, .. }
        if scope_key(project, module, object).is_some())
}

/// `app.add_route(handler, path, methods=[...])`: a function, or a class-based view's
/// `as_view()` answering each method it defines.
fn added_route(
    project: &Project,
    module: ModuleId,
    owner: Key,
    call: &Expr,
    args: &[Arg],
) -> Vec<Declared> {
    let mut positional = args.iter().filter(|a| a.name.is_none()).map(|a| &a.value);
    let (Some(handler), Some(path)) = (
        positional.next().or_else(|| Expr::option(args, "handler")),
        positional
            .next()
            .or_else(|| Expr::option(args, "uri"))
            .and_then(literal),
    ) else {
        return Vec::new();
    };
    let declared = |method: String, handler: Option<(ModuleId, FunctionId)>| {
        let decorators = handler
            .map(|(m, f)| {
                project.modules[m].functions[f]
                    .decorators
                    .iter()
                    .map(|d| middleware(project, m, d))
                    .collect()
            })
            .unwrap_or_default();
        Declared {
            owner,
            method,
            path: path.to_string(),
            module,
            range: call.range,
            handler,
            decorators,
        }
    };
    // `ItemView.as_view()`
    if let Some((view_callee, _, _)) = handler.as_call()
        && let ExprKind::Member { object, property } = &view_callee.kind
        && property == "as_view"
        && let Some(Symbol::Class(m, class)) =
            project.symbol_of_expr(module, object, &|_| Local::Unknown, 0)
    {
        // `decorators = [require_staff]` on the class wraps every method it answers with.
        let view = &project.modules[m].classes[class];
        let class_decorators: Vec<Middleware> = view
            .fields
            .iter()
            .filter(|f| f.name == "decorators")
            .filter_map(|f| match f.value.as_ref().map(|v| &v.kind) {
                Some(ExprKind::Array(items)) => Some(items),
                _ => None,
            })
            .flatten()
            .map(|d| middleware(project, m, d))
            .collect();
        return view
            .methods
            .iter()
            .filter_map(|&method| {
                let name = project.modules[m].functions[method].name.as_deref()?;
                VERBS.contains(&name).then(|| {
                    let mut route = declared(name.to_ascii_uppercase(), Some((m, method)));
                    let mut chain = class_decorators.clone();
                    chain.append(&mut route.decorators);
                    route.decorators = chain;
                    route
                })
            })
            .collect();
    }
    let function = super::function_of(project, module, handler);
    methods_option(args)
        .into_iter()
        .map(|method| declared(method, function))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::described;

    fn lines(files: &[(&str, &str)]) -> Vec<String> {
        described(files, &|r, middleware| {
            format!(
                "{} {} {} [{}] auth={} typed={:?} sources={:?}",
                r.framework,
                r.method,
                r.path,
                middleware,
                r.has_auth_middleware(),
                r.param_types,
                r.param_sources
                    .iter()
                    .map(|s| (s.index, s.cleansed != 0))
                    .collect::<Vec<_>>()
            )
        })
    }

    #[test]
    fn apps_blueprints_groups_middleware_and_typed_parameters() {
        let routes = lines(&[
            (
                "server.py",
                "from sanic import Sanic\nfrom sanic.response import json, text\nfrom blueprints.items import items\nfrom blueprints.admin import admin_bp, audit_bp\nfrom sanic import Blueprint\n\napp = Sanic('shop')\napi = Blueprint.group(items, url_prefix='/api')\napp.blueprint(api)\napp.blueprint([admin_bp, audit_bp], url_prefix='/admin')\n\n@app.on_request\nasync def require_token(request):\n    if not request.headers.get('authorization'):\n        return json({'error': 'unauthorized'}, status=401)\n\n@app.get('/health')\nasync def health(request):\n    return text('ok')\n",
            ),
            ("blueprints/__init__.py", ""),
            (
                "blueprints/items.py",
                "from sanic import Blueprint\nfrom sanic.response import json\nfrom sanic.views import HTTPMethodView\nitems = Blueprint('items', url_prefix='/items')\n\n@items.route('/<item_id:int>', methods=['GET', 'DELETE'])\nasync def item(request, item_id):\n    return json({})\n\n@items.post('/search/<term>')\nasync def search(request, term: str):\n    return json({})\n\nclass NoteView(HTTPMethodView):\n    async def get(self, request, note_id):\n        return json({})\n    async def put(self, request, note_id):\n        return json({})\n\nitems.add_route(NoteView.as_view(), '/notes/<note_id:uuid>')\n",
            ),
            (
                "blueprints/admin.py",
                "from sanic import Blueprint\nfrom sanic.response import json\nfrom sanic_jwt.decorators import protected\nadmin_bp = Blueprint('admin')\naudit_bp = Blueprint('audit', url_prefix='/audit')\n\n@admin_bp.middleware('request')\nasync def log_request(request):\n    print(request.path)\n\n@admin_bp.delete('/users/<name>')\n@protected()\nasync def remove(request, name):\n    return json({})\n\n@audit_bp.get('/')\nasync def log(request):\n    return json([])\n",
            ),
        ]);
        assert_eq!(
            routes,
            [
                "sanic DELETE /admin/users/{name} [request middleware: require_token, request middleware: log_request, protected()] auth=true typed=[] sources=[(1, false)]",
                "sanic GET /admin [request middleware: require_token] auth=true typed=[] sources=[]",
                "sanic DELETE /api/items/{item_id} [request middleware: require_token] auth=true typed=[(\"item_id\", \"integer\")] sources=[(1, true)]",
                "sanic GET /api/items/{item_id} [request middleware: require_token] auth=true typed=[(\"item_id\", \"integer\")] sources=[(1, true)]",
                "sanic POST /api/items/search/{term} [request middleware: require_token] auth=true typed=[] sources=[(1, false)]",
                "sanic GET /api/items/notes/{note_id} [request middleware: require_token] auth=true typed=[(\"note_id\", \"uuid\")] sources=[(2, true)]",
                "sanic PUT /api/items/notes/{note_id} [request middleware: require_token] auth=true typed=[(\"note_id\", \"uuid\")] sources=[(2, true)]",
                "sanic GET /health [request middleware: require_token] auth=true typed=[] sources=[]",
            ]
        );
    }

    #[test]
    fn middleware_that_refuses_nothing_is_no_authentication() {
        let routes = lines(&[(
            "app.py",
            "from sanic import Sanic, response\napp = Sanic(__name__)\n\n@app.middleware('request')\nasync def authenticate(request):\n    request.ctx.user = decode(request.token) if request.token else None\n\n@app.middleware('response')\nasync def add_headers(request, resp):\n    resp.headers['X-Frame-Options'] = 'DENY'\n\n@app.route('/notes/<id>', methods=['PUT'])\nasync def update(request, id):\n    return response.json({})\n",
        )]);
        assert_eq!(
            routes,
            [
                "sanic PUT /notes/{id} [request middleware: authenticate] auth=false typed=[] sources=[(1, false)]"
            ]
        );
    }
}
