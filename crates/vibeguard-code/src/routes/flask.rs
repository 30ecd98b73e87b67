//! Flask: routes declared with `@app.route` / `@bp.route` / `@app.get` (and Quart, whose API is
//! the same), blueprints with their `url_prefix` and `register_blueprint` prefixes, the other
//! decorators of a view as its middleware, `before_request` hooks, Flask-Limiter defaults, and
//! URL converters (`<int:id>` is a number, `<name>` a client string).

use std::collections::HashMap;

use super::{
    Framework, Middleware, Roles, Route, join_paths, literal, methods_option, middleware,
    normalize_path, path_types,
};
use crate::flow::label::RequestPart;
use crate::flow::{ParamSource, kind};
use crate::ir::{Expr, ExprKind, FunctionId, Module};
use crate::project::{Local, ModuleId, Project};

const VERBS: &[&str] = &["get", "post", "put", "patch", "delete"];

/// An app or blueprint: where it was created.
type ScopeKey = (ModuleId, u32);

struct Scope {
    framework_prefix: String,
    /// `register_blueprint` prefixes (a blueprint may be registered more than once).
    registered: Vec<(String, Vec<Middleware>)>,
    hooks: Vec<Middleware>,
    is_app: bool,
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let mut scopes: HashMap<ScopeKey, Scope> = HashMap::new();
    let mut declared = Vec::new();
    for module in 0..project.modules.len() {
        let m = &project.modules[module];
        if m.language.is_javascript_family() || !imports_flask(m) {
            continue;
        }
        for (id, function) in m.functions.iter().enumerate() {
            for decorator in &function.decorators {
                let Some((callee, args, _)) = decorator.as_call() else {
                    // `@app.before_request` without arguments.
                    if let ExprKind::Member { object, property } = &decorator.kind
                        && property == "before_request"
                        && let Some(key) = scope_key(project, module, object)
                    {
                        let hook = super::request_hook(
                            project,
                            (module, id),
                            "before_request",
                            decorator.range,
                        );
                        scope_of(&mut scopes, project, key).hooks.push(hook);
                    }
                    continue;
                };
                let ExprKind::Member { object, property } = &callee.kind else {
                    continue;
                };
                let methods: Vec<String> = match property.as_str() {
                    "route" => methods_option(args),
                    verb if VERBS.contains(&verb) => vec![verb.to_ascii_uppercase()],
                    _ => continue,
                };
                let Some(key) = scope_key(project, module, object) else {
                    continue;
                };
                let Some(path) = args
                    .first()
                    .filter(|a| a.name.is_none())
                    .and_then(|a| literal(&a.value))
                else {
                    continue;
                };
                scope_of(&mut scopes, project, key);
                let view_middleware: Vec<Middleware> = function
                    .decorators
                    .iter()
                    .filter(|d| !std::ptr::eq(*d, decorator))
                    .filter(|d| !is_route_decorator(d))
                    .map(|d| middleware(project, module, d))
                    .collect();
                for method in methods {
                    declared.push((
                        key,
                        module,
                        id,
                        decorator.range,
                        method,
                        path.to_string(),
                        view_middleware.clone(),
                    ));
                }
            }
        }
        // `app.register_blueprint(bp, url_prefix=...)`, `app.before_request(f)`,
        // `Limiter(get_remote_address, app=app, default_limits=[...])`.
        for (function, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            let qualified = project
                .qualify(module, callee, &|_| Local::Unknown)
                .unwrap_or_default();
            if qualified.ends_with("Limiter") && qualified.starts_with("flask_limiter") {
                let has_defaults = Expr::option(args, "default_limits")
                    .or_else(|| Expr::option(args, "application_limits"))
                    .is_some();
                let app = Expr::option(args, "app").or_else(|| {
                    args.iter()
                        .filter(|a| a.name.is_none())
                        .map(|a| &a.value)
                        .find(|v| scope_key(project, module, v).is_some())
                });
                if has_defaults && let Some(key) = app.and_then(|a| scope_key(project, module, a)) {
                    scope_of(&mut scopes, project, key).hooks.push(Middleware {
                        name: format!(
                            "Limiter(default_limits) at {}",
                            project.modules[module].path
                        ),
                        roles: Roles {
                            rate_limit: true,
                            ..Roles::default()
                        },
                        module,
                        range: call.range,
                    });
                }
                continue;
            }
            let ExprKind::Member { object, property } = &callee.kind else {
                continue;
            };
            match property.as_str() {
                "register_blueprint" => {
                    let (Some(app), Some(bp)) = (
                        scope_key(project, module, object),
                        args.first()
                            .and_then(|a| scope_key(project, module, &a.value)),
                    ) else {
                        continue;
                    };
                    let prefix = Expr::option(args, "url_prefix")
                        .and_then(literal)
                        .map(str::to_string);
                    let parent_hooks = scope_of(&mut scopes, project, app).hooks.clone();
                    let scope = scope_of(&mut scopes, project, bp);
                    let prefix = prefix.unwrap_or_else(|| scope.framework_prefix.clone());
                    scope.registered.push((prefix, parent_hooks));
                    let _ = function;
                }
                "before_request" => {
                    if let (Some(key), Some(hook)) =
                        (scope_key(project, module, object), args.first())
                    {
                        let hook_function = match &hook.value.kind {
                            ExprKind::Name(_) | ExprKind::Member { .. } => {
                                project.callee_function(module, &hook.value, &|_| Local::Unknown)
                            }
                            _ => None,
                        };
                        let entry = match hook_function {
                            Some(function) => super::request_hook(
                                project,
                                function,
                                "before_request",
                                hook.value.range,
                            ),
                            None => middleware(project, module, &hook.value),
                        };
                        scope_of(&mut scopes, project, key).hooks.push(entry);
                    }
                }
                _ => {}
            }
        }
    }
    for (key, module, id, range, method, path, view_middleware) in declared {
        let Some(scope) = scopes.get(&key) else {
            continue;
        };
        let mounts: Vec<(String, Vec<Middleware>)> = if scope.is_app || scope.registered.is_empty()
        {
            vec![(scope.framework_prefix.clone(), Vec::new())]
        } else {
            scope.registered.clone()
        };
        for (prefix, parent_hooks) in mounts {
            let mut chain = parent_hooks;
            chain.extend(scope.hooks.iter().cloned());
            chain.extend(view_middleware.iter().cloned());
            routes.push(Route {
                framework: Framework::Flask,
                method: method.clone(),
                path: normalize_path(&join_paths(&prefix, &path)),
                param_types: path_types(&join_paths(&prefix, &path)),
                // A view that hands out a folder's files by name (`send_from_directory`).
                serves_files: method == "GET"
                    && path.contains('<')
                    && project.modules[module]
                        .text_of(project.modules[module].functions[id].range)
                        .contains("send_from_directory("),
                view_class: None,
                module,
                range,
                handler: Some((module, id)),
                middleware: chain,
                param_sources: converter_sources(&project.modules[module], id, &path),
                response_filtered: false,
                body_fields: Vec::new(),
                public_by_design: false,
            });
        }
    }
}

fn imports_flask(module: &Module) -> bool {
    module
        .imports
        .iter()
        .any(|i| i.source == "flask" || i.source.starts_with("flask.") || i.source == "quart")
}

fn is_route_decorator(decorator: &Expr) -> bool {
    let callee = decorator
        .as_call()
        .map_or(decorator, |(callee, _, _)| callee);
    matches!(
        callee.method_name(),
        Some("route" | "get" | "post" | "put" | "patch" | "delete")
    )
}

fn scope_of<'s>(
    scopes: &'s mut HashMap<ScopeKey, Scope>,
    project: &Project,
    key: ScopeKey,
) -> &'s mut Scope {
    scopes.entry(key).or_insert_with(|| {
        let (module, start) = key;
        let mut framework_prefix = String::new();
        let mut is_app = true;
        for function in &project.modules[module].functions {
            function.walk_exprs(&mut |e| {
                if e.range.start_byte == start
                    && let Some((callee, args, _)) = e.as_call()
                    && callee.member_path().and_then(|p| p.last().copied()) == Some("Blueprint")
                {
                    is_app = false;
                    framework_prefix = Expr::option(args, "url_prefix")
                        .and_then(literal)
                        .unwrap_or("")
                        .to_string();
                }
            });
        }
        Scope {
            framework_prefix,
            registered: Vec::new(),
            hooks: Vec::new(),
            is_app,
        }
    })
}

/// The app or blueprint an expression names: a value created by `Flask(...)` or
/// `Blueprint(...)`, here or in the module it was imported from.
fn scope_key(project: &Project, module: ModuleId, expr: &Expr) -> Option<ScopeKey> {
    super::created_by(project, module, expr, &|qualified| {
        [
            "flask.Flask()",
            "flask.Blueprint()",
            "quart.Quart()",
            "quart.Blueprint()",
        ]
        .contains(&qualified)
    })
}

/// Handler arguments filled from URL converters: `<int:id>` is a number (safe), `<name>`,
/// `<string:name>` and `<path:name>` are client strings.
fn converter_sources(module: &Module, function: FunctionId, path: &str) -> Vec<ParamSource> {
    let f = &module.functions[function];
    let mut sources = Vec::new();
    for segment in path.split('/') {
        let Some(inner) = segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
            continue;
        };
        let (converter, name) = match inner.split_once(':') {
            Some((converter, name)) => (converter, name),
            None => ("string", inner),
        };
        let Some(index) = f.params.iter().position(|p| p.name() == Some(name)) else {
            continue;
        };
        let cleansed = if matches!(converter, "int" | "float" | "uuid") {
            kind::ALL
        } else {
            0
        };
        sources.push(ParamSource {
            index,
            part: RequestPart::Params,
            whole: false,
            cleansed,
        });
    }
    sources
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::inventory;

    #[test]
    fn blueprints_prefixes_decorators_and_converters() {
        let (_, inventory) = inventory(&[
            (
                "app/__init__.py",
                "from flask import Flask\nfrom flask_limiter import Limiter\nfrom .views import bp\napp = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app, default_limits=['100/hour'])\napp.register_blueprint(bp, url_prefix='/api')\n@app.route('/login', methods=['POST'])\ndef login():\n    return 'x'\n",
            ),
            (
                "app/views.py",
                "from flask import Blueprint, request\nfrom flask_login import login_required\nbp = Blueprint('notes', __name__)\n@bp.get('/notes/<int:note_id>')\n@login_required\ndef show(note_id):\n    return {}\n@bp.route('/files/<path:name>', methods=['GET', 'DELETE'])\ndef files(name):\n    return {}\n",
            ),
        ]);
        let lines: Vec<String> = inventory
            .routes
            .iter()
            .map(|r| {
                let mw: Vec<&str> = r.middleware.iter().map(|m| m.name.as_str()).collect();
                format!(
                    "{} {} [{}] sources={:?}",
                    r.method,
                    r.path,
                    mw.join(", "),
                    r.param_sources
                        .iter()
                        .map(|s| s.cleansed != 0)
                        .collect::<Vec<_>>()
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                "POST /login [Limiter(default_limits) at app/__init__.py] sources=[]",
                "GET /api/notes/{note_id} [Limiter(default_limits) at app/__init__.py, login_required] sources=[true]",
                "DELETE /api/files/{name} [Limiter(default_limits) at app/__init__.py] sources=[false]",
                "GET /api/files/{name} [Limiter(default_limits) at app/__init__.py] sources=[false]",
            ]
        );
        assert!(inventory.routes[1].has_auth_middleware());
        assert!(inventory.routes[0].is_rate_limited());
    }

    #[test]
    fn a_view_sending_a_folders_files_by_name_serves_files() {
        let (_, inventory) = inventory(&[(
            "app.py",
            "from flask import Flask, send_from_directory\napp = Flask(__name__)\n@app.get('/files/<path:name>')\ndef files(name):\n    return send_from_directory('uploads', name)\n@app.get('/notes/<int:id>')\ndef note(id):\n    return {}\n",
        )]);
        let served: Vec<(String, bool)> = inventory
            .routes
            .iter()
            .map(|r| (r.path.clone(), r.serves_files))
            .collect();
        assert_eq!(
            served,
            [
                ("/files/{name}".to_string(), true),
                ("/notes/{id}".to_string(), false)
            ]
        );
    }

    #[test]
    fn blueprints_read_from_imported_modules_get_their_registered_prefix() {
        let (_, inventory) = inventory(&[
            (
                "app.py",
                "from flask import Flask\nfrom blueprints import auth, recipes\napp = Flask(__name__)\napp.register_blueprint(auth.bp, url_prefix='/api/auth')\napp.register_blueprint(recipes.bp)\n",
            ),
            ("blueprints/__init__.py", ""),
            (
                "blueprints/auth.py",
                "from flask import Blueprint\nbp = Blueprint('auth', __name__)\n@bp.post('/login')\ndef login():\n    return {}\n",
            ),
            (
                "blueprints/recipes.py",
                "from flask import Blueprint\nbp = Blueprint('recipes', __name__, url_prefix='/api/recipes')\n@bp.get('/<slug>')\ndef show(slug):\n    return {}\n",
            ),
        ]);
        let mut paths: Vec<String> = inventory
            .routes
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        paths.sort();
        assert_eq!(paths, ["GET /api/recipes/{slug}", "POST /api/auth/login"]);
    }
}
