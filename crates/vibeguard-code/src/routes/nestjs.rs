//! NestJS: controllers (`@Controller('users')`, or `@Controller({ path: 'users' })`) and their
//! handlers (`@Get(':id')`, `@Post()`, `@Put`, `@Patch`, `@Delete`, `@All`, `@Options`,
//! `@Head`), under the app's `setGlobalPrefix('api')`; guards from `@UseGuards(...)` on the
//! controller and the handler, global guards (`app.useGlobalGuards(...)`, an `APP_GUARD`
//! provider) on every route but those marked public (`@Public()`, `@SkipAuth()`, `@AllowAnonymous()`),
//! and `@Throttle`/`ThrottlerGuard` as rate limits. Handler parameters decorated `@Param`,
//! `@Query`, `@Body`, `@Headers` and `@UploadedFile(s)` carry request data (a whole `@Body()`
//! is the body); a parsing pipe (`ParseIntPipe`, `ParseUUIDPipe`) makes the value safe — a
//! `number` type alone does not (the value arrives as a string).

use super::{Framework, Middleware, Route, join_paths, middleware, normalize_path, path_types};
use crate::flow::label::RequestPart;
use crate::flow::{ParamSource, kind};
use crate::ir::{Expr, ExprKind, FunctionId};
use crate::project::{ModuleId, Project};

const METHODS: &[(&str, &str)] = &[
    ("Get", "GET"),
    ("Post", "POST"),
    ("Put", "PUT"),
    ("Patch", "PATCH"),
    ("Delete", "DELETE"),
    ("All", "ANY"),
    ("Options", "OPTIONS"),
    ("Head", "HEAD"),
];

/// A decorator's name and arguments: `@Get(':id')` → (`Get`, [':id']), `@Public` → (`Public`, []).
fn decorator_call(expr: &Expr) -> Option<(&str, &[crate::ir::Arg])> {
    match &expr.kind {
        ExprKind::Call { callee, args, .. } => {
            Some((callee.method_name().or(callee.as_name())?, args.as_slice()))
        }
        ExprKind::Name(name) => Some((name.as_str(), &[])),
        ExprKind::Member { property, .. } => Some((property.as_str(), &[])),
        _ => None,
    }
}

/// A path given to `@Controller`/`@Get`: a string, or an object's `path`.
fn path_argument(args: &[crate::ir::Arg]) -> Option<String> {
    let first = &args.first()?.value;
    first
        .as_str()
        .or_else(|| first.property("path").and_then(Expr::as_str))
        .map(str::to_string)
}

/// Decorators that mark a route public, exempt from global guards.
fn marks_public(name: &str) -> bool {
    matches!(
        name,
        "Public" | "SkipAuth" | "AllowAnonymous" | "IsPublic" | "PublicRoute" | "NoAuth"
    )
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let mut global_prefix = String::new();
    let mut global_guards: Vec<Middleware> = Vec::new();
    let nest = project.modules.iter().any(|m| {
        m.language.is_javascript_family()
            && m.imports.iter().any(|i| i.source.starts_with("@nestjs/"))
    });
    if !nest {
        return;
    }
    for module in 0..project.modules.len() {
        let m = &project.modules[module];
        if !m.language.is_javascript_family() {
            continue;
        }
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            match callee.method_name() {
                Some("setGlobalPrefix") => {
                    if let Some(prefix) = args.first().and_then(|a| a.value.as_str()) {
                        global_prefix = prefix.to_string();
                    }
                }
                Some("useGlobalGuards") => {
                    global_guards.extend(args.iter().map(|a| middleware(project, module, &a.value)))
                }
                _ => {}
            }
        }
        // `{ provide: APP_GUARD, useClass: JwtAuthGuard }`, in a module's `@Module({...})` or
        // in code.
        let mut app_guard = |e: &Expr| {
            if let ExprKind::Object(_) = &e.kind
                && e.property("provide")
                    .and_then(Expr::as_name)
                    .is_some_and(|n| n == "APP_GUARD")
                && let Some(guard) = e.property("useClass").or_else(|| e.property("useExisting"))
            {
                global_guards.push(middleware(project, module, guard));
            }
        };
        for function in &m.functions {
            function.walk_exprs(&mut app_guard);
        }
        for class in &m.classes {
            for decorator in &class.decorators {
                decorator.walk(&mut app_guard);
            }
        }
    }
    for module in 0..project.modules.len() {
        let m = &project.modules[module];
        if !m.language.is_javascript_family() {
            continue;
        }
        for class in &m.classes {
            let Some(prefix) = class.decorators.iter().find_map(|d| {
                let (name, args) = decorator_call(d)?;
                (name == "Controller").then(|| path_argument(args).unwrap_or_default())
            }) else {
                continue;
            };
            let class_middleware = guards(project, module, &class.decorators);
            let class_public = class
                .decorators
                .iter()
                .any(|d| decorator_call(d).is_some_and(|(n, _)| marks_public(n)));
            for &method in &class.methods {
                let function = &m.functions[method];
                for decorator in &function.decorators {
                    let Some((name, args)) = decorator_call(decorator) else {
                        continue;
                    };
                    let Some((_, http_method)) = METHODS.iter().find(|(n, _)| *n == name) else {
                        continue;
                    };
                    let path = path_argument(args).unwrap_or_default();
                    let full = join_paths(
                        &join_paths(&join_paths("/", &global_prefix), &prefix),
                        &path,
                    );
                    let full = normalize_path(&full);
                    let public = class_public
                        || function
                            .decorators
                            .iter()
                            .any(|d| decorator_call(d).is_some_and(|(n, _)| marks_public(n)));
                    let mut route_middleware = if public {
                        Vec::new()
                    } else {
                        global_guards.clone()
                    };
                    route_middleware.extend(class_middleware.iter().cloned());
                    route_middleware.extend(guards(project, module, &function.decorators));
                    routes.push(Route {
                        framework: Framework::NestJs,
                        method: http_method.to_string(),
                        param_types: path_types(&full),
                        path: full,
                        module,
                        range: decorator.range,
                        handler: Some((module, method)),
                        middleware: route_middleware,
                        param_sources: param_sources(project, module, method),
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
}

/// The guards, interceptors and throttles a list of decorators puts in front of a handler.
fn guards(project: &Project, module: ModuleId, decorators: &[Expr]) -> Vec<Middleware> {
    let mut out = Vec::new();
    for decorator in decorators {
        let Some((name, args)) = decorator_call(decorator) else {
            continue;
        };
        match name {
            "UseGuards" => out.extend(args.iter().map(|a| middleware(project, module, &a.value))),
            "Throttle" => out.push(middleware(project, module, decorator)),
            "Roles" | "HasRoles" | "RequireRoles" => {
                let mut entry = middleware(project, module, decorator);
                entry.roles.role = true;
                out.push(entry);
            }
            _ => {}
        }
    }
    out
}

/// The request data a handler's decorated parameters carry.
fn param_sources(project: &Project, module: ModuleId, function: FunctionId) -> Vec<ParamSource> {
    let m = &project.modules[module];
    let mut sources = Vec::new();
    for (index, param) in m.functions[function].params.iter().enumerate() {
        let text = m.text_of(param.range).trim_start();
        let Some(rest) = text.strip_prefix('@') else {
            continue;
        };
        let decorator: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let arguments = rest[decorator.len()..]
            .strip_prefix('(')
            .and_then(|a| a.split(')').next())
            .unwrap_or("");
        let named = arguments
            .split(',')
            .next()
            .is_some_and(|a| a.trim().starts_with(['\'', '"', '`']));
        let part = match decorator.as_str() {
            "Param" => RequestPart::Params,
            "Query" => RequestPart::Query,
            "Body" => RequestPart::Body,
            "Headers" => RequestPart::Headers,
            "UploadedFile" | "UploadedFiles" => RequestPart::Files,
            _ => continue,
        };
        // A `number` type converts nothing by itself (the value arrives as a string unless a
        // pipe parses it): only the parsing pipes make it safe.
        let parsed = [
            "ParseIntPipe",
            "ParseFloatPipe",
            "ParseUUIDPipe",
            "ParseBoolPipe",
        ]
        .iter()
        .any(|pipe| arguments.contains(pipe));
        sources.push(ParamSource {
            index,
            part,
            whole: !named,
            cleansed: if parsed { kind::ALL } else { 0 },
        });
    }
    sources
}
