//! Next.js: API routes (`pages/api/**`, the default export; methods from `req.method` checks),
//! route handlers (`app/**/route.ts`, one route per exported `GET`/`POST`/...), server actions
//! (`'use server'` modules and functions), and `middleware.ts` — whose authentication applies to
//! the routes its `config.matcher` covers.

use super::{Framework, Middleware, Roles, Route, normalize_path, path_types};
use crate::flow::ParamSource;
use crate::flow::label::RequestPart;
use crate::ir::{Expr, ExprKind, FunctionId, Module, StmtKind};
use crate::project::{Local, ModuleId, Project, Symbol};

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Calls in a middleware that authenticate.
const AUTH_CALLS: &[&str] = &[
    "auth",
    "getToken",
    "withAuth",
    "clerkMiddleware",
    "authMiddleware",
    "jwtVerify",
    "verify",
    "getSession",
    "getServerSession",
    "getUser",
    "updateSession",
    "NextAuth",
];

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let guard = middleware_guard(project);
    let before = routes.len();
    for (module, m) in project.modules.iter().enumerate() {
        if !m.language.is_javascript_family() {
            continue;
        }
        if let Some(path) = pages_api_path(&m.path) {
            let handler = default_export_function(project, module);
            let methods = handler
                .map(|(owner, f)| compared_methods(&project.modules[owner], f))
                .filter(|methods| !methods.is_empty())
                .unwrap_or_else(|| vec!["ANY".to_string()]);
            for method in methods {
                routes.push(route(module, m, method, &path, handler, Vec::new()));
            }
        } else if let Some(path) = app_route_path(&m.path) {
            for export in &m.exports {
                if !METHODS.contains(&export.name.as_str()) {
                    continue;
                }
                let handler = match project.export_of(module, &export.name, 0) {
                    Some(Symbol::Function(owner, f)) => Some((owner, f)),
                    Some(Symbol::Value(owner, value)) => match value.kind {
                        ExprKind::Function(f) => Some((owner, f)),
                        _ => None,
                    },
                    _ => None,
                };
                // `(request, { params })`: the second argument holds the path parameters.
                let sources = handler
                    .filter(|(owner, f)| project.modules[*owner].functions[*f].params.len() >= 2)
                    .map(|_| {
                        vec![ParamSource {
                            index: 1,
                            part: RequestPart::Params,
                            whole: false,
                            cleansed: 0,
                        }]
                    })
                    .unwrap_or_default();
                routes.push(route(
                    module,
                    m,
                    export.name.clone(),
                    &path,
                    handler,
                    sources,
                ));
            }
        }
        // Server actions: every exported function of a `'use server'` module, and functions
        // with the directive in their body.
        let module_directive = has_use_server(&m.top().body);
        for (id, function) in m.functions.iter().enumerate().skip(1) {
            let Some(name) = &function.name else { continue };
            let exported = m
                .exports
                .iter()
                .any(|e| e.name == *name || e.value.as_name() == Some(name));
            let is_action = (module_directive && exported && function.parent == Some(0))
                || has_use_server(&function.body);
            if is_action {
                let path = format!("action:{}#{name}", m.path);
                routes.push(Route {
                    framework: Framework::NextJs,
                    method: "POST".to_string(),
                    path,
                    param_types: Vec::new(),
                    serves_files: false,
                    view_class: None,
                    module,
                    range: function.range,
                    handler: Some((module, id)),
                    middleware: Vec::new(),
                    param_sources: (0..function.params.len())
                        .map(|index| ParamSource {
                            index,
                            part: RequestPart::Body,
                            whole: false,
                            cleansed: 0,
                        })
                        .collect(),
                    response_filtered: false,
                    body_fields: Vec::new(),
                    public_by_design: false,
                });
            }
        }
    }
    if let Some((middleware, matchers)) = guard {
        for route in &mut routes[before..] {
            if route.path.starts_with("action:") || matchers.iter().any(|m| matches(m, &route.path))
            {
                route.middleware.insert(0, middleware.clone());
            }
        }
    }
}

fn route(
    module: ModuleId,
    m: &Module,
    method: String,
    path: &str,
    handler: Option<(ModuleId, FunctionId)>,
    param_sources: Vec<ParamSource>,
) -> Route {
    Route {
        framework: Framework::NextJs,
        method,
        path: normalize_path(path),
        param_types: path_types(path),
        serves_files: false,
        view_class: None,
        module,
        range: m.top().range,
        handler,
        middleware: Vec::new(),
        param_sources,
        response_filtered: false,
        body_fields: Vec::new(),
        public_by_design: false,
    }
}

fn has_use_server(body: &[crate::ir::Stmt]) -> bool {
    matches!(
        body.first().map(|s| &s.kind),
        Some(StmtKind::Expr(Expr { kind: ExprKind::Str(text), .. })) if text == "use server"
    )
}

/// `pages/api/users/[id].ts` → `/api/users/[id]`.
fn pages_api_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("src/").unwrap_or(path);
    let rest = rest.strip_prefix("pages/api")?;
    let stem = rest.rsplit_once('.').map_or(rest, |(stem, _)| stem);
    let stem = stem.strip_suffix("/index").unwrap_or(stem);
    Some(format!("/api{stem}"))
}

/// `app/api/users/[id]/route.ts` → `/api/users/[id]` (route groups `(x)` and slots `@x`
/// do not appear in the URL).
fn app_route_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("src/").unwrap_or(path);
    let rest = rest.strip_prefix("app/")?;
    let (dir, file) = rest.rsplit_once('/').unwrap_or(("", rest));
    if !file.starts_with("route.") {
        return None;
    }
    let segments: Vec<&str> = dir
        .split('/')
        .filter(|s| {
            !(s.is_empty() || s.starts_with('@') || (s.starts_with('(') && s.ends_with(')')))
        })
        .collect();
    Some(format!("/{}", segments.join("/")))
}

fn default_export_function(project: &Project, module: ModuleId) -> Option<(ModuleId, FunctionId)> {
    match project.export_of(module, "default", 0)? {
        Symbol::Function(owner, f) => Some((owner, f)),
        Symbol::Value(owner, value) => match &value.kind {
            ExprKind::Function(f) => Some((owner, *f)),
            // `export default withAuth(handler)`: the wrapped handler.
            ExprKind::Call { args, .. } => args.iter().find_map(|a| match &a.value.kind {
                ExprKind::Function(f) => Some((owner, *f)),
                _ => project.callee_function(owner, &a.value, &|_| Local::Unknown),
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Methods a pages API handler compares `req.method` with.
fn compared_methods(module: &Module, function: FunctionId) -> Vec<String> {
    let mut methods = Vec::new();
    module.functions[function].walk_exprs(&mut |e| {
        if let ExprKind::Binary { op, left, right } = &e.kind
            && matches!(*op, "===" | "==")
        {
            for (a, b) in [(left, right), (right, left)] {
                if a.member_path().is_some_and(|p| p.last() == Some(&"method"))
                    && let Some(method) = b.as_str()
                    && METHODS.contains(&method)
                    && !methods.contains(&method.to_string())
                {
                    methods.push(method.to_string());
                }
            }
        }
    });
    methods
}

/// The authentication of `middleware.ts` and the paths its matcher covers.
fn middleware_guard(project: &Project) -> Option<(Middleware, Vec<String>)> {
    let (module, m) = project.modules.iter().enumerate().find(|(_, m)| {
        let path = m.path.strip_prefix("src/").unwrap_or(&m.path);
        path.starts_with("middleware.") && m.language.is_javascript_family()
    })?;
    let mut authenticates = false;
    for function in &m.functions {
        function.walk_exprs(&mut |e| {
            if let Some((callee, _, _)) = e.as_call()
                && let Some(name) = callee.member_path().and_then(|p| p.last().copied())
                && AUTH_CALLS.contains(&name)
            {
                authenticates = true;
            }
        });
    }
    // `export default withAuth(...)` / `export default clerkMiddleware()`
    for export in &m.exports {
        if let Some((callee, _, _)) = export.value.as_call()
            && let Some(name) = callee.member_path().and_then(|p| p.last().copied())
            && AUTH_CALLS.contains(&name)
        {
            authenticates = true;
        }
        if let Some(path) = export.value.member_path()
            && path.first() == Some(&"next-auth/middleware")
        {
            authenticates = true;
        }
    }
    if m.imports.iter().any(|i| i.source == "next-auth/middleware") {
        authenticates = true;
    }
    if !authenticates {
        return None;
    }
    let mut matchers = Vec::new();
    for export in &m.exports {
        if export.name != "config" {
            continue;
        }
        let value = match &export.value.kind {
            ExprKind::Name(name) => match project.resolve_name(module, name) {
                Some(Symbol::Value(_, value)) => value,
                _ => &export.value,
            },
            _ => &export.value,
        };
        match value.property("matcher").map(|m| &m.kind) {
            Some(ExprKind::Str(text)) => matchers.push(text.clone()),
            Some(ExprKind::Array(items)) => {
                matchers.extend(items.iter().filter_map(|i| i.as_str()).map(str::to_string))
            }
            _ => {}
        }
    }
    if matchers.is_empty() {
        matchers.push("/:path*".to_string());
    }
    Some((
        Middleware {
            name: format!("{} (Next.js middleware)", m.path),
            roles: Roles {
                auth: true,
                ..Roles::default()
            },
            module,
            range: m.top().range,
        },
        matchers,
    ))
}

/// Whether a Next.js matcher (`/api/:path*`, `/dashboard/:path*`, or a regex-like pattern)
/// covers a route path. Patterns with groups are treated as covering everything, since they
/// usually exclude only static files.
fn matches(matcher: &str, path: &str) -> bool {
    if matcher.contains('(') {
        return true;
    }
    let prefix = matcher
        .split("/:")
        .next()
        .unwrap_or(matcher)
        .trim_end_matches('*')
        .trim_end_matches('/');
    prefix.is_empty() || path == prefix || path.starts_with(&format!("{prefix}/"))
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::{auth_lines, inventory};

    #[test]
    fn pages_app_routes_actions_and_middleware() {
        let (_, inventory) = inventory(&[
            (
                "pages/api/users/[id].ts",
                "export default async function handler(req, res) {\n  if (req.method === 'DELETE') { return res.status(204).end(); }\n  if (req.method === 'GET') { return res.json({}); }\n}\n",
            ),
            (
                "src/app/(shop)/api/orders/[orderId]/route.ts",
                "export async function GET(request: Request, { params }) { return Response.json({}); }\nexport const POST = async (request: Request) => Response.json({});\n",
            ),
            (
                "app/actions.ts",
                "'use server';\nexport async function deleteNote(id: string) {}\nasync function helper() {}\n",
            ),
            (
                "middleware.ts",
                "import { withAuth } from 'next-auth/middleware';\nexport default withAuth({});\nexport const config = { matcher: ['/api/orders/:path*'] };\n",
            ),
        ]);
        let lines = auth_lines(&inventory);
        assert_eq!(
            lines,
            vec![
                "POST action:app/actions.ts#deleteNote auth=true",
                "DELETE /api/users/{id} auth=false",
                "GET /api/users/{id} auth=false",
                "GET /api/orders/{orderId} auth=true",
                "POST /api/orders/{orderId} auth=true",
            ]
        );
    }
}
