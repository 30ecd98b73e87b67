//! Fastify: instances created with `fastify()`, routes declared with `get/post/...(path,
//! [options], handler)` or `route({ method, url, handler, ... })`, route-level hooks
//! (`onRequest`, `preHandler`, `preValidation`) and `config.rateLimit`, scope-wide hooks
//! (`addHook`), plugins registered with a `prefix`, and `@fastify/rate-limit`.

use std::collections::HashSet;

use super::{
    Framework, Middleware, Roles, Route, function_of, join_paths, literal, middleware,
    normalize_path, path_types,
};
use crate::ir::{Expr, ExprKind, FunctionId};
use crate::project::{Local, ModuleId, Project, Symbol};
use crate::scope;

const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "all",
];
const HOOKS: &[&str] = &["onRequest", "preHandler", "preValidation", "preParsing"];

/// A scope: a created instance or a plugin function (its first parameter is the instance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ScopeKey {
    Created(ModuleId, u32),
    Plugin(ModuleId, FunctionId),
}

/// Collects the routes; returns the plugin functions found, whose first parameter is a
/// Fastify instance (not an Express app).
pub(super) fn collect(
    project: &Project,
    routes: &mut Vec<Route>,
) -> HashSet<(ModuleId, FunctionId)> {
    let roots: Vec<ScopeKey> = instances(project);
    let mut visited = HashSet::new();
    for root in roots {
        walk(project, root, "", &[], &mut visited, routes);
    }
    visited
        .into_iter()
        .filter_map(|key| match key {
            ScopeKey::Plugin(module, function) => Some((module, function)),
            ScopeKey::Created(..) => None,
        })
        .collect()
}

/// Every `fastify()` instance of the project.
fn instances(project: &Project) -> Vec<ScopeKey> {
    let mut out = Vec::new();
    for (module, m) in project.modules.iter().enumerate() {
        if !m.language.is_javascript_family() {
            continue;
        }
        for stmt in &m.top().body {
            if let crate::ir::StmtKind::Assign { value, .. } = &stmt.kind {
                let qualified = project
                    .qualify(module, value, &|_| Local::Unknown)
                    .unwrap_or_default();
                if qualified == "fastify()"
                    || qualified == "fastify.default()"
                    || qualified == "fastify.fastify()"
                {
                    out.push(ScopeKey::Created(module, value.range.start_byte));
                }
            }
        }
    }
    out
}

/// Whether `expr` (a receiver in `function` of `module`) is the instance of `key`.
fn is_scope(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    expr: &Expr,
    key: ScopeKey,
) -> bool {
    let Some(name) = expr.as_name() else {
        return false;
    };
    let m = &project.modules[module];
    match key {
        ScopeKey::Plugin(owner, plugin) => {
            owner == module && scope::param_of(m, function, name) == Some((plugin, 0))
        }
        ScopeKey::Created(owner, start) => {
            if scope::param_of(m, function, name).is_some() {
                return false;
            }
            match project.resolve_name(module, name) {
                Some(Symbol::Value(defined, value)) => {
                    defined == owner && value.range.start_byte == start
                }
                _ => false,
            }
        }
    }
}

fn walk(
    project: &Project,
    key: ScopeKey,
    prefix: &str,
    inherited: &[Middleware],
    visited: &mut HashSet<ScopeKey>,
    routes: &mut Vec<Route>,
) {
    if !visited.insert(key) {
        return;
    }
    let modules: Vec<ModuleId> = match key {
        ScopeKey::Plugin(module, _) => vec![module],
        ScopeKey::Created(module, _) => {
            // The instance may be imported and used in other files.
            let mut modules = vec![module];
            modules.extend((0..project.modules.len()).filter(|m| *m != module));
            modules
        }
    };
    let mut hooks: Vec<Middleware> = inherited.to_vec();
    let mut declared = Vec::new();
    let mut plugins = Vec::new();
    for module in modules {
        for (function, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            let ExprKind::Member { object, property } = &callee.kind else {
                continue;
            };
            if !is_scope(project, module, function, object, key) {
                continue;
            }
            match property.as_str() {
                "addHook" => {
                    let name = args.first().and_then(|a| literal(&a.value)).unwrap_or("");
                    if HOOKS.contains(&name)
                        && let Some(hook) = args.get(1)
                    {
                        hooks.push(middleware(project, module, &hook.value));
                    }
                }
                "register" => {
                    let Some(plugin) = args.first().map(|a| &a.value) else {
                        continue;
                    };
                    let options = args.get(1).map(|a| &a.value);
                    let qualified = project
                        .qualify(module, plugin, &|_| Local::Unknown)
                        .unwrap_or_default();
                    if qualified.contains("rate-limit") || qualified.contains("rateLimit") {
                        let global = options
                            .and_then(|o| o.property("global"))
                            .is_none_or(|g| !matches!(g.kind, ExprKind::Bool(false)));
                        if global {
                            hooks.push(Middleware {
                                name: format!("register({qualified})"),
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
                    let plugin_fn = match &plugin.kind {
                        ExprKind::Call { callee, args, .. }
                            if callee.as_name() == Some("require") =>
                        {
                            args.first()
                                .and_then(|a| a.value.as_str())
                                .and_then(|s| project.resolve_specifier(module, s))
                                .and_then(|target| {
                                    match project
                                        .export_of(target, "*", 0)
                                        .or_else(|| project.export_of(target, "default", 0))
                                    {
                                        Some(Symbol::Function(m, f)) => Some((m, f)),
                                        Some(Symbol::Value(m, v)) => match v.kind {
                                            ExprKind::Function(f) => Some((m, f)),
                                            _ => None,
                                        },
                                        _ => None,
                                    }
                                })
                        }
                        _ => function_of(project, module, plugin),
                    };
                    if let Some((owner, f)) = plugin_fn {
                        let plugin_prefix = options
                            .and_then(|o| o.property("prefix"))
                            .and_then(literal)
                            .unwrap_or("")
                            .to_string();
                        plugins.push((ScopeKey::Plugin(owner, f), plugin_prefix));
                    }
                }
                "route" => {
                    let Some(options) = args.first().map(|a| &a.value) else {
                        continue;
                    };
                    let methods: Vec<String> = match options.property("method").map(|m| &m.kind) {
                        Some(ExprKind::Str(method)) => vec![method.to_ascii_uppercase()],
                        Some(ExprKind::Array(items)) => items
                            .iter()
                            .filter_map(|i| i.as_str())
                            .map(|m| m.to_ascii_uppercase())
                            .collect(),
                        _ => vec!["ANY".to_string()],
                    };
                    let Some(path) = options
                        .property("url")
                        .or_else(|| options.property("path"))
                        .and_then(literal)
                    else {
                        continue;
                    };
                    let handler = options.property("handler");
                    for method in methods {
                        declared.push((
                            module,
                            call,
                            method,
                            path.to_string(),
                            Some(options),
                            handler,
                        ));
                    }
                }
                method if METHODS.contains(&method) => {
                    let Some(path) = args.first().and_then(|a| literal(&a.value)) else {
                        continue;
                    };
                    let (options, handler) = match args.len() {
                        0 | 1 => continue,
                        2 => match &args[1].value.kind {
                            ExprKind::Object(_) => {
                                (Some(&args[1].value), args[1].value.property("handler"))
                            }
                            _ => (None, Some(&args[1].value)),
                        },
                        _ => (Some(&args[1].value), Some(&args[args.len() - 1].value)),
                    };
                    let method = if method == "all" {
                        "ANY".to_string()
                    } else {
                        method.to_ascii_uppercase()
                    };
                    declared.push((module, call, method, path.to_string(), options, handler));
                }
                _ => {}
            }
        }
    }
    for (module, call, method, path, options, handler) in declared {
        let mut chain = hooks.clone();
        let mut response_filtered = false;
        if let Some(options) = options {
            for hook in HOOKS {
                match options.property(hook).map(|h| &h.kind) {
                    Some(ExprKind::Array(items)) => {
                        chain.extend(items.iter().map(|i| middleware(project, module, i)))
                    }
                    Some(_) => chain.extend(
                        options
                            .property(hook)
                            .map(|h| middleware(project, module, h)),
                    ),
                    None => {}
                }
            }
            if let Some(config) = options.property("config")
                && config
                    .property("rateLimit")
                    .is_some_and(|r| !matches!(r.kind, ExprKind::Bool(false)))
            {
                chain.push(Middleware {
                    name: "config.rateLimit".to_string(),
                    roles: Roles {
                        rate_limit: true,
                        ..Roles::default()
                    },
                    module,
                    range: call.range,
                });
            }
            response_filtered = options
                .property("schema")
                .and_then(|s| s.property("response"))
                .is_some();
        }
        routes.push(Route {
            framework: Framework::Fastify,
            method,
            path: normalize_path(&join_paths(prefix, &path)),
            param_types: path_types(&join_paths(prefix, &path)),
            serves_files: false,
            view_class: None,
            module,
            range: call.range,
            handler: handler.and_then(|h| function_of(project, module, h)),
            middleware: chain,
            param_sources: Vec::new(),
            response_filtered,
            body_fields: Vec::new(),
            public_by_design: false,
        });
    }
    for (plugin, plugin_prefix) in plugins {
        walk(
            project,
            plugin,
            &join_paths(prefix, &plugin_prefix),
            &hooks,
            visited,
            routes,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::inventory;

    #[test]
    fn instances_plugins_hooks_and_route_options() {
        let (_, inventory) = inventory(&[
            (
                "server.js",
                "const fastify = require('fastify')({ logger: true });\nfastify.register(require('@fastify/rate-limit'), { max: 100 });\nfastify.post('/login', async (request, reply) => ({}));\nfastify.register(require('./routes/notes'), { prefix: '/api' });\n",
            ),
            (
                "routes/notes.js",
                "module.exports = async function (app, opts) {\n  app.addHook('onRequest', app.authenticate);\n  app.get('/notes/:id', { schema: { response: { 200: {} } } }, async (request) => ({}));\n  app.route({ method: ['DELETE'], url: '/notes/:id', handler: remove });\n};\nasync function remove(request, reply) {}\n",
            ),
        ]);
        let lines: Vec<String> = inventory
            .routes
            .iter()
            .map(|r| {
                format!(
                    "{} {} auth={} limited={} filtered={} handler={}",
                    r.method,
                    r.path,
                    r.has_auth_middleware(),
                    r.is_rate_limited(),
                    r.response_filtered,
                    r.handler.is_some()
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                "GET /api/notes/{id} auth=true limited=true filtered=true handler=true",
                "DELETE /api/notes/{id} auth=true limited=true filtered=false handler=true",
                "POST /login auth=false limited=true filtered=false handler=true",
            ]
        );
    }
}
