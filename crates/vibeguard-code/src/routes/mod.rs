//! The route inventory: every HTTP route the project declares, with its method, full path,
//! handler and the ordered middleware or decorators in front of it — for Express, Fastify,
//! Next.js, NestJS, Flask, FastAPI, Django, aiohttp, Sanic, Bottle, Starlette, Rails and Go's
//! routers, one file each.
//!
//! Rules read it to ask "is this route authenticated / rate limited?", the data-flow analysis
//! reads which handler parameters carry request data, and the JSON report carries it so the API
//! engine can compare it with the spec.

mod aiohttp;
mod bottle;
mod crud_generators;
mod django;
mod express;
mod fastapi;
mod fastify;
mod flask;
pub mod gatekeeping;
mod go;
pub mod inputs;
mod nestjs;
mod nextjs;
mod path_values;
mod rails;
mod sanic;
pub mod schemas;
mod starlette;

use std::fmt;

use crate::flow::{HandlerSources, ParamSource};
use crate::ir::{Arg, Expr, ExprKind, FunctionId, Range};
use crate::project::{ModuleId, Project};

/// A web framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Framework {
    /// Express (and Express-style routers).
    Express,
    /// Fastify.
    Fastify,
    /// Next.js API routes, route handlers and server actions.
    NextJs,
    /// NestJS controllers.
    NestJs,
    /// Flask.
    Flask,
    /// FastAPI.
    FastApi,
    /// Django and Django REST framework.
    Django,
    /// Ruby on Rails.
    Rails,
    /// aiohttp's web server.
    Aiohttp,
    /// Sanic.
    Sanic,
    /// Bottle.
    Bottle,
    /// Starlette (routes listed with `Route` and `Mount`).
    Starlette,
    /// Go's standard library (`net/http` and its `ServeMux`).
    NetHttp,
    /// Go: chi.
    Chi,
    /// Go: gin.
    Gin,
    /// Go: echo.
    Echo,
    /// Go: fiber.
    Fiber,
    /// Go: gorilla/mux.
    GorillaMux,
    /// Go: httprouter.
    HttpRouter,
}

impl Framework {
    /// The framework's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Express => "express",
            Framework::Fastify => "fastify",
            Framework::NextJs => "nextjs",
            Framework::NestJs => "nestjs",
            Framework::Flask => "flask",
            Framework::FastApi => "fastapi",
            Framework::Django => "django",
            Framework::Rails => "rails",
            Framework::Aiohttp => "aiohttp",
            Framework::Sanic => "sanic",
            Framework::Bottle => "bottle",
            Framework::Starlette => "starlette",
            Framework::NetHttp => "net/http",
            Framework::Chi => "chi",
            Framework::Gin => "gin",
            Framework::Echo => "echo",
            Framework::Fiber => "fiber",
            Framework::GorillaMux => "gorilla/mux",
            Framework::HttpRouter => "httprouter",
        }
    }

    /// Whether the framework is one of Go's.
    pub fn is_go(self) -> bool {
        matches!(
            self,
            Framework::NetHttp
                | Framework::Chi
                | Framework::Gin
                | Framework::Echo
                | Framework::Fiber
                | Framework::GorillaMux
                | Framework::HttpRouter
        )
    }

    /// Whether handlers answer by returning a value (so a returned record is a response).
    pub fn responds_by_return(self) -> bool {
        matches!(
            self,
            Framework::Flask
                | Framework::FastApi
                | Framework::Django
                | Framework::Fastify
                | Framework::Aiohttp
                | Framework::Sanic
                | Framework::Bottle
                | Framework::Starlette
                | Framework::NestJs
        )
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a middleware or decorator does, as far as its name and origin tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// It authenticates the caller.
    pub auth: bool,
    /// It restricts the route to a role (admin).
    pub role: bool,
    /// It limits the request rate.
    pub rate_limit: bool,
    /// It validates the input.
    pub validation: bool,
    /// It is named like authentication, but its code lets a request without a credential
    /// through to the handler (a token decoder that calls `next()` when there is no token).
    pub passes_anonymous: bool,
}

/// A middleware, decorator or dependency in front of a handler.
#[derive(Debug, Clone, PartialEq)]
pub struct Middleware {
    /// How it reads (`auth`, `passport.authenticate('jwt')`, `login_required`).
    pub name: String,
    /// What it does.
    pub roles: Roles,
    /// Where it is attached.
    pub module: ModuleId,
    /// The attaching code.
    pub range: Range,
}

/// One route.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The framework.
    pub framework: Framework,
    /// HTTP method in upper case, or `ANY`.
    pub method: String,
    /// The full path, parameters written `{name}`.
    pub path: String,
    /// The module where the route is declared.
    pub module: ModuleId,
    /// The declaring code (the registration call, decorator or file).
    pub range: Range,
    /// The handler function, when found in the project.
    pub handler: Option<(ModuleId, FunctionId)>,
    /// Middleware, decorators and dependencies in the order they run.
    pub middleware: Vec<Middleware>,
    /// Request parameters of the handler that carry request data (path, query and body
    /// arguments of FastAPI, Flask and Django handlers).
    pub param_sources: Vec<ParamSource>,
    /// Types the path itself gives its parameters (`<int:id>` → `integer`), by name.
    pub param_types: Vec<(String, String)>,
    /// Whether the route serves a folder's files (`express.static`, `serve-index`) rather than a
    /// handler's answers.
    pub serves_files: bool,
    /// The class-based view or viewset answering it (Django REST framework), whose
    /// `serializer_class` describes its body.
    pub view_class: Option<(ModuleId, crate::ir::ClassId)>,
    /// Whether the framework filters the response through a declared schema (FastAPI's
    /// `response_model` or return annotation, a Fastify response schema).
    pub response_filtered: bool,
    /// Body fields the framework's declarations name apart from the handler's code (Rails
    /// strong parameters: `params.require(:post).permit(:title, :body)`).
    pub body_fields: Vec<String>,
    /// The framework makes it public on purpose: Devise's sign-in, sign-out, sign-up and
    /// password routes.
    pub public_by_design: bool,
}

impl Route {
    /// Whether a middleware in front of the route authenticates.
    pub fn has_auth_middleware(&self) -> bool {
        self.middleware.iter().any(|m| m.roles.auth || m.roles.role)
    }

    /// Whether a middleware in front of the route limits the rate.
    pub fn is_rate_limited(&self) -> bool {
        self.middleware.iter().any(|m| m.roles.rate_limit)
    }

    /// The middleware in front of the route named like authentication whose code lets
    /// requests without a credential through.
    pub fn anonymous_passes(&self) -> impl Iterator<Item = &Middleware> {
        self.middleware.iter().filter(|m| m.roles.passes_anonymous)
    }

    /// Whether a middleware restricts the route to a role.
    pub fn has_role_check(&self) -> bool {
        self.middleware.iter().any(|m| m.roles.role)
    }

    /// Whether the method changes state.
    pub fn is_state_changing(&self) -> bool {
        matches!(
            self.method.as_str(),
            "POST" | "PUT" | "PATCH" | "DELETE" | "ANY"
        )
    }
}

/// Every route of the project.
#[derive(Debug, Default)]
pub struct RouteInventory {
    /// The routes, sorted by file, then line.
    pub routes: Vec<Route>,
    /// App-wide middleware found where routes could not be tied to it (Next.js middleware,
    /// Django settings), by framework.
    pub frameworks: Vec<Framework>,
}

impl RouteInventory {
    /// Builds the inventory for every framework found.
    pub fn build(project: &Project) -> RouteInventory {
        let mut routes = Vec::new();
        let fastify_plugins = fastify::collect(project, &mut routes);
        express::collect(project, &fastify_plugins, &mut routes);
        nextjs::collect(project, &mut routes);
        nestjs::collect(project, &mut routes);
        flask::collect(project, &mut routes);
        fastapi::collect(project, &mut routes);
        django::collect(project, &mut routes);
        aiohttp::collect(project, &mut routes);
        sanic::collect(project, &mut routes);
        bottle::collect(project, &mut routes);
        starlette::collect(project, &mut routes);
        rails::collect(project, &mut routes);
        go::collect(project, &mut routes);
        routes.sort_by(|a, b| {
            project.modules[a.module]
                .path
                .cmp(&project.modules[b.module].path)
                .then(a.range.start_byte.cmp(&b.range.start_byte))
                .then(a.path.cmp(&b.path))
                .then(a.method.cmp(&b.method))
        });
        routes.dedup_by(|a, b| {
            a.module == b.module && a.range == b.range && a.method == b.method && a.path == b.path
        });
        let mut frameworks: Vec<Framework> = routes.iter().map(|r| r.framework).collect();
        frameworks.sort();
        frameworks.dedup();
        RouteInventory { routes, frameworks }
    }

    /// The handler parameters that carry request data, for the data-flow analysis.
    pub fn handler_sources(&self) -> HandlerSources {
        let mut sources = HandlerSources::new();
        for route in &self.routes {
            if let Some(handler) = route.handler
                && !route.param_sources.is_empty()
            {
                let entry = sources.entry(handler).or_default();
                for source in &route.param_sources {
                    if !entry.contains(source) {
                        entry.push(source.clone());
                    }
                }
            }
        }
        sources
    }

    /// The routes handled by a function.
    pub fn routes_of(&self, handler: (ModuleId, FunctionId)) -> impl Iterator<Item = &Route> {
        self.routes
            .iter()
            .filter(move |r| r.handler == Some(handler))
    }
}

/// What a middleware's name says it does.
pub fn classify(text: &str) -> Roles {
    let lower = text.to_ascii_lowercase();
    let compact: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let has = |words: &[&str]| words.iter().any(|w| compact.contains(w));
    let not_auth = has(&[
        "csrf",
        "oauthcallback",
        "cors",
        "helmet",
        "cookieparser",
        "bodyparser",
    ]) || compact.starts_with("session")
        || compact.starts_with("expresssession");
    let bare_identifier = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$');
    let rate_limit = has(&[
        "ratelimit",
        "limiter",
        "throttl",
        "brute",
        "slowdown",
        // Go: go-chi/httprate, didip/tollbooth.
        "httprate",
        "tollbooth",
    ]) || (bare_identifier && compact.ends_with("limit"));
    let role = has(&[
        "admin",
        "role",
        "permission",
        "hasrole",
        "authorize",
        "superuser",
        "staff",
    ]) && !rate_limit;
    let auth = !not_auth
        && !rate_limit
        && (role
            || has(&[
                "auth",
                "loginrequired",
                "jwtrequired",
                "tokenrequired",
                "jwt",
                "verifytoken",
                "protect",
                "loggedin",
                "currentuser",
                "passport",
                "requireuser",
                "requirelogin",
                "signedin",
                "isauthenticated",
                "guard",
                "verifyjwt",
                "checkjwt",
                "bearer",
                "apikey",
                "security",
                // `check_credential`, `verify_credentials`.
                "credential",
            ]));
    let validation = has(&[
        "validat",
        "celebrate",
        "checkschema",
        "zvalidator",
        "sanitize",
    ]);
    Roles {
        auth,
        role,
        rate_limit,
        validation,
        passes_anonymous: false,
    }
}

/// A middleware entry for an expression.
pub fn middleware(project: &Project, module: ModuleId, expr: &Expr) -> Middleware {
    let text = project.modules[module].text_of(expr.range);
    let name: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = if name.chars().count() > 80 {
        let mut cut: String = name.chars().take(77).collect();
        cut.push_str("...");
        cut
    } else {
        name
    };
    let qualified = project
        .qualify(module, expr, &|_| crate::project::Local::Unknown)
        .unwrap_or_default();
    let mut roles = classify(&name);
    // The package tells more than the local name (`limiter` from express-rate-limit).
    let package = classify(&qualified);
    roles.auth |= package.auth && !roles.rate_limit;
    roles.rate_limit |= package.rate_limit
        || [
            "express-rate-limit",
            "rate-limiter-flexible",
            "express-slow-down",
            "express-brute",
        ]
        .iter()
        .any(|p| qualified.starts_with(p));
    // An inline function has no name: its text (a header middleware setting
    // `Content-Security-Policy`) promises nothing. It authenticates only if its code can end
    // the request, and is never reported as a check that lets anonymous requests through.
    if matches!(expr.kind, crate::ir::ExprKind::Function(_)) {
        if gatekeeping::judge(project, module, expr) != Some(gatekeeping::Gate::Rejects) {
            roles.auth = false;
            roles.role = false;
        }
    }
    // The name promises authentication; the code, when the project has it, must keep it.
    else if (roles.auth || roles.role)
        && gatekeeping::judge(project, module, expr) == Some(gatekeeping::Gate::PassesAnonymous)
    {
        roles.auth = false;
        roles.role = false;
        roles.passes_anonymous = true;
    }
    Middleware {
        name,
        roles,
        module,
        range: expr.range,
    }
}

/// A path template with framework parameter syntax rewritten to `{name}`:
/// `/users/:id` (Express), `/users/<int:id>` (Flask, Django), `[id]` (Next.js).
pub fn normalize_path(path: &str) -> String {
    let mut out = String::new();
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        if let Some(name) = segment.strip_prefix(':') {
            let name = name.trim_end_matches('?');
            let name = name.split('(').next().unwrap_or(name);
            out.push('{');
            out.push_str(name);
            out.push('}');
        } else if segment.starts_with('<') && segment.ends_with('>') {
            let inner = &segment[1..segment.len() - 1];
            let name = inner.rsplit(':').next().unwrap_or(inner);
            out.push('{');
            out.push_str(name);
            out.push('}');
        } else if segment.starts_with('[') && segment.ends_with(']') {
            let name = segment.trim_matches(['[', ']']).trim_start_matches("...");
            out.push('{');
            out.push_str(name);
            out.push('}');
        } else {
            out.push_str(segment);
        }
    }
    out
}

/// The types a path's own syntax gives its parameters: Flask's and Django's converters
/// (`<int:id>`, `<float:x>`, `<uuid:pk>`), Express's patterns (`:id(\\d+)`) and Starlette's
/// (`{id:int}`, `{id:uuid}`): `integer`, `number` or `uuid`, by parameter name.
pub fn path_types(path: &str) -> Vec<(String, String)> {
    let mut types = Vec::new();
    for segment in path.split('/') {
        let typed = if let Some(inner) = segment.strip_prefix('<').and_then(|s| s.strip_suffix('>'))
        {
            inner
                .split_once(':')
                .map(|(converter, name)| (name, converter))
        } else if let Some(rest) = segment.strip_prefix(':') {
            rest.split_once('(').map(|(name, pattern)| {
                let digits = pattern.trim_end_matches([')', '?']);
                // The pattern as the source writes it, escaped once or twice.
                let numeric = matches!(
                    digits.replace("\\\\", "\\").as_str(),
                    "\\d+" | "\\d*" | "[0-9]+" | "\\d{1,}"
                );
                (name, if numeric { "int" } else { "" })
            })
        } else if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            inner.split_once(':')
        } else {
            None
        };
        if let Some((name, converter)) = typed {
            let kind = match converter {
                "int" => "integer",
                "float" => "number",
                "uuid" => "uuid",
                _ => continue,
            };
            types.push((name.trim_end_matches('?').to_string(), kind.to_string()));
        }
    }
    types
}

/// `prefix` and `path` joined with one slash.
pub fn join_paths(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    match (prefix.is_empty(), path.is_empty()) {
        (true, true) => "/".to_string(),
        (true, false) => format!("/{path}"),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}/{path}"),
    }
}

/// The string value of a literal (or a template without substitutions).
pub fn literal(expr: &Expr) -> Option<&str> {
    expr.as_str()
}

/// The function an expression names or is (an inline handler, a named function, an imported
/// controller function).
pub fn function_of(
    project: &Project,
    module: ModuleId,
    expr: &Expr,
) -> Option<(ModuleId, FunctionId)> {
    match &expr.kind {
        ExprKind::Function(id) => Some((module, *id)),
        _ => project.callee_function(module, expr, &|_| crate::project::Local::Unknown),
    }
}

/// The value an expression names, with the module that defines it: a local of the enclosing
/// function (an app factory's `app = Sanic(...)`), a module-level name or one imported from
/// another module, an imported module's attribute (`views.bp`), or the expression itself when
/// it is a call.
pub(super) fn defining_value<'p>(
    project: &'p Project,
    module: ModuleId,
    expr: &'p Expr,
) -> Option<(ModuleId, &'p Expr)> {
    match &expr.kind {
        ExprKind::Member { object, property } => {
            let Some(crate::project::Symbol::Module(imported)) =
                project.resolve_name(module, object.as_name()?)
            else {
                return None;
            };
            match project.export_of(imported, property, 0)? {
                crate::project::Symbol::Value(owner, value) => Some((owner, value)),
                _ => None,
            }
        }
        ExprKind::Name(name) => {
            let m = &project.modules[module];
            let function = crate::rules::enclosing_function(m, expr.range);
            let local = (function != 0)
                .then(|| crate::scope::definition_before(m, function, name, expr.range.start_byte))
                .flatten();
            match local {
                Some(value) => Some((module, value)),
                None => match project.resolve_name(module, name)? {
                    crate::project::Symbol::Value(owner, value) => Some((owner, value)),
                    _ => None,
                },
            }
        }
        ExprKind::Call { .. } => Some((module, expr)),
        _ => None,
    }
}

/// Where the value an expression names was created, when its qualified constructor passes
/// `is_constructor` (`sanic.Sanic()`, `bottle.Bottle()`): the key apps and blueprints are
/// kept by.
pub(super) fn created_by(
    project: &Project,
    module: ModuleId,
    expr: &Expr,
    is_constructor: &dyn Fn(&str) -> bool,
) -> Option<(ModuleId, u32)> {
    let (owner, value) = defining_value(project, module, expr)?;
    let qualified = project.qualify(owner, value, &|_| crate::project::Local::Unknown)?;
    is_constructor(&qualified).then_some((owner, value.range.start_byte))
}

/// A path whose parameters are written name first (`<id:int>`, `<name>`, `<rest:path>`,
/// `<slug:re:[a-z]+>`: Sanic's and Bottle's syntax, or Bottle's old `:name`), written `{name}`,
/// with the types its filters give (`int`, `float`/`number`, `uuid`).
pub(super) fn name_first_path(path: &str) -> (String, Vec<(String, String)>) {
    let mut types = Vec::new();
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| {
            let Some(inner) = segment.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
                return segment.to_string();
            };
            let (name, filter) = inner.split_once(':').unwrap_or((inner, ""));
            let kind = match filter {
                "int" => Some("integer"),
                "float" | "number" => Some("number"),
                "uuid" => Some("uuid"),
                _ => None,
            };
            if let Some(kind) = kind {
                types.push((name.to_string(), kind.to_string()));
            }
            format!("{{{name}}}")
        })
        .collect();
    (normalize_path(&segments.join("/")), types)
}

/// The handler parameters a normalized path fills by name (`{item_id}` → `item_id`): client
/// strings, unless the path types them as numbers or UUIDs.
pub(super) fn path_param_sources(
    project: &Project,
    handler: Option<(ModuleId, FunctionId)>,
    path: &str,
    types: &[(String, String)],
) -> Vec<ParamSource> {
    let Some((module, function)) = handler else {
        return Vec::new();
    };
    let params = &project.modules[module].functions[function].params;
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .filter_map(|name| {
            let index = params.iter().position(|p| p.name() == Some(name))?;
            Some(ParamSource {
                index,
                part: crate::flow::label::RequestPart::Params,
                whole: false,
                cleansed: if types.iter().any(|(typed, _)| typed == name) {
                    crate::flow::kind::ALL
                } else {
                    0
                },
            })
        })
        .collect()
}

/// A request hook (Flask's `before_request`, Sanic's `on_request`, Bottle's
/// `before_request` hook) as middleware: it authenticates when its code can refuse the request
/// (a 401/403, an `abort`, a raise) and its name does not say it limits the rate.
pub(super) fn request_hook(
    project: &Project,
    (module, function): (ModuleId, FunctionId),
    label: &str,
    at: Range,
) -> Middleware {
    let name = project.modules[module].functions[function]
        .name
        .clone()
        .unwrap_or_else(|| label.to_string());
    let mut roles = classify(&name);
    let refuses = gatekeeping::can_refuse(project, module, function);
    roles.auth = refuses && !roles.rate_limit;
    roles.role &= refuses;
    Middleware {
        name: format!("{label}: {name}"),
        roles,
        module,
        range: at,
    }
}

/// Every call expression in a module, with the function it is in, in source order.
pub fn calls(project: &Project, module: ModuleId) -> Vec<(FunctionId, &Expr)> {
    let m = &project.modules[module];
    let mut out = Vec::new();
    for (id, function) in m.functions.iter().enumerate() {
        function.walk_exprs(&mut |expr| {
            if matches!(expr.kind, ExprKind::Call { .. }) {
                out.push((id, expr));
            }
        });
    }
    out.sort_by_key(|(_, expr)| expr.range.start_byte);
    out
}

/// Calls in a handler that authenticate the caller inline.
const INLINE_AUTH_CALLS: &[&str] = &[
    "getServerSession",
    "getSession",
    "auth",
    "currentUser",
    "getUser",
    "verifyToken",
    "verifyJwt",
    "jwtVerify",
    "requireAuth",
    "requireUser",
    "requireSession",
    "authenticate",
    "get_current_user",
    "verify_jwt_in_request",
    "getToken",
    "validateRequest",
    "checkAuth",
    "isAuthenticated",
    "ensureAuthenticated",
    "getAuth",
    "verifyIdToken",
    // aiohttp-security
    "check_authorized",
    "authorized_userid",
    // Rails: Devise, Rails 8's generator, HTTP token and basic authentication.
    "authenticate_user!",
    "authenticate!",
    "require_login",
    "require_authentication",
    "authenticate_request",
    "authenticate_or_request_with_http_token",
    "authenticate_or_request_with_http_basic",
];

/// Whether a handler authenticates the caller itself: an auth call (`getServerSession`,
/// `jwt.verify`, `auth()`), `is_authenticated` checks, or a 401 answer after looking at the
/// user or the token.
pub fn authenticates_inline(project: &Project, handler: (ModuleId, FunctionId)) -> bool {
    let (module, function) = handler;
    let m = &project.modules[module];
    let mut found = false;
    let mut stack = vec![function];
    while let Some(id) = stack.pop() {
        m.functions[id].walk_exprs(&mut |e| {
            if let Some((callee, _, _)) = e.as_call()
                && let Some(name) = callee.member_path().and_then(|p| p.last().copied())
                && (INLINE_AUTH_CALLS.contains(&name)
                    || (name == "verify" && m.text_of(callee.range).contains("jwt")))
            {
                found = true;
            }
            if let Some(path) = e.member_path()
                && path
                    .iter()
                    .any(|p| matches!(*p, "is_authenticated" | "isAuthenticated" | "is_anonymous"))
            {
                found = true;
            }
        });
        stack.extend(
            m.functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.parent == Some(id))
                .map(|(i, _)| i),
        );
    }
    if found {
        return true;
    }
    // `if (!req.user) return res.status(401)`: a 401 after looking at who is calling (a
    // login handler's 401 after checking a password does not count).
    let text = m.text_of(m.functions[function].range);
    (text.contains("401")
        || text.contains("Unauthorized")
        || text.contains("UNAUTHORIZED")
        // Rails: `head :unauthorized`, `status: :unauthorized`.
        || text.contains(":unauthorized"))
        && [
            "req.user",
            "request.user",
            "authorization",
            "Authorization",
            "req.session",
            "request.session",
            "session.get(",
            "session[",
            "req.auth",
            "current_user",
            "Current.user",
            "cookies",
        ]
        .iter()
        .any(|w| text.contains(w))
}

/// The `methods=[...]` keyword of a Python route decorator (`@app.route`, `@router.api_route`),
/// upper-cased; GET when it is absent or not a literal list.
pub(crate) fn methods_option(args: &[Arg]) -> Vec<String> {
    match Expr::option(args, "methods") {
        Some(Expr {
            kind: ExprKind::Array(items),
            ..
        }) => items
            .iter()
            .filter_map(|i| i.as_str())
            .map(|m| m.to_ascii_uppercase())
            .collect(),
        _ => vec!["GET".to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_across_frameworks() {
        assert_eq!(normalize_path("/users/:id"), "/users/{id}");
        assert_eq!(normalize_path("/files/<path:name>"), "/files/{name}");
        assert_eq!(normalize_path("/posts/[slug]/x"), "/posts/{slug}/x");
        assert_eq!(normalize_path("/docs/[...all]"), "/docs/{all}");
        let typed = |path: &str| path_types(path);
        assert_eq!(
            typed("/users/<int:user_id>/files/<path:name>"),
            [("user_id".to_string(), "integer".to_string())]
        );
        assert_eq!(
            typed("/tickets/<uuid:pk>/"),
            [("pk".to_string(), "uuid".to_string())]
        );
        assert_eq!(
            typed(r"/notes/:id(\d+)"),
            [("id".to_string(), "integer".to_string())]
        );
        assert_eq!(
            typed(r"/notes/:id(\\d+)"),
            [("id".to_string(), "integer".to_string())]
        );
        assert_eq!(
            typed("/items/{item_id:int}"),
            [("item_id".to_string(), "integer".to_string())]
        );
        assert!(typed("/users/:name/<slug>").is_empty());
        assert_eq!(join_paths("/api/", "/users"), "/api/users");
        assert_eq!(join_paths("/api", "/"), "/api");
        assert_eq!(join_paths("", ""), "/");
    }

    #[test]
    fn middleware_names_are_classified() {
        assert!(classify("auth").auth);
        assert!(classify("requireAuth").auth);
        assert!(classify("passport.authenticate('jwt', { session: false })").auth);
        assert!(classify("login_required").auth);
        assert!(classify("Depends(get_current_user)").auth);
        assert!(classify("isAdmin").role);
        assert!(classify("loginLimiter").rate_limit);
        assert!(!classify("loginLimiter").auth);
        assert!(classify("limiter.limit(\"5/minute\")").rate_limit);
        assert!(!classify("express.json({ limit: '1mb' })").auth);
        assert!(!classify("csrfProtection").auth);
        assert!(!classify("cors()").auth);
        assert!(!classify("upload.single('file')").auth);
        assert!(classify("validate(schema)").validation);
    }
}
