//! FastAPI (and Starlette-style routers): routes declared with `@app.get(...)` /
//! `@router.post(...)` / `@app.api_route(..., methods=[...])`, `APIRouter(prefix=...,
//! dependencies=[...])`, `include_router(router, prefix=..., dependencies=[...])`, dependencies
//! of the handler (`Depends(...)`, `Security(...)`, `Annotated[..., Depends(...)]`) and slowapi
//! limits. Handler parameters are request data unless they are dependencies or typed as numbers,
//! UUIDs, dates or booleans; a Pydantic model parameter is the whole body, already validated.

use std::collections::HashMap;

use super::{
    Framework, Middleware, Route, join_paths, literal, methods_option, middleware, normalize_path,
    path_types,
};
use crate::flow::label::RequestPart;
use crate::flow::{ParamSource, kind};
use crate::ir::{Expr, ExprKind, FunctionId, Module, Param};
use crate::project::{Local, ModuleId, Project, Symbol};

const VERBS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

type ScopeKey = (ModuleId, u32);

#[derive(Default, Clone)]
struct Scope {
    prefix: String,
    dependencies: Vec<Middleware>,
    includes: Vec<(String, Vec<Middleware>)>,
    is_app: bool,
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let mut scopes: HashMap<ScopeKey, Scope> = HashMap::new();
    let mut declared = Vec::new();
    for module in 0..project.modules.len() {
        let m = &project.modules[module];
        if m.language.is_javascript_family()
            || !m.imports.iter().any(|i| i.source.starts_with("fastapi"))
        {
            continue;
        }
        for (id, function) in m.functions.iter().enumerate() {
            for decorator in &function.decorators {
                let Some((callee, args, _)) = decorator.as_call() else {
                    continue;
                };
                let ExprKind::Member { object, property } = &callee.kind else {
                    continue;
                };
                let methods: Vec<String> = match property.as_str() {
                    "api_route" => methods_option(args),
                    verb if VERBS.contains(&verb) => vec![verb.to_ascii_uppercase()],
                    _ => continue,
                };
                let Some(key) = scope_key(project, module, object) else {
                    continue;
                };
                let path = args
                    .iter()
                    .find(|a| a.name.is_none())
                    .map(|a| &a.value)
                    .or_else(|| Expr::option(args, "path"))
                    .and_then(literal)
                    .unwrap_or("")
                    .to_string();
                ensure_scope(&mut scopes, project, key);
                let mut chain: Vec<Middleware> = Vec::new();
                if let Some(Expr {
                    kind: ExprKind::Array(items),
                    ..
                }) = Expr::option(args, "dependencies")
                {
                    chain.extend(items.iter().map(|d| middleware(project, module, d)));
                }
                for other in &function.decorators {
                    if !std::ptr::eq(other, decorator) {
                        chain.push(middleware(project, module, other));
                    }
                }
                for param in &function.params {
                    if let Some(dependency) = dependency_of(param) {
                        let mut entry = middleware(project, module, dependency);
                        entry.range = param.range;
                        chain.push(entry);
                    } else if let Some(dependency) = annotated_dependency(project, module, param) {
                        chain.push(Middleware {
                            roles: super::classify(&dependency),
                            name: dependency,
                            module,
                            range: param.range,
                        });
                    }
                }
                let response_filtered = Expr::option(args, "response_model")
                    .is_some_and(|v| !matches!(v.kind, ExprKind::Null))
                    || return_annotation_is_model(project, module, id);
                let sources = param_sources(project, module, id, &path);
                for method in methods {
                    declared.push((
                        key,
                        module,
                        id,
                        decorator.range,
                        method,
                        path.clone(),
                        chain.clone(),
                        sources.clone(),
                        response_filtered,
                    ));
                }
            }
        }
        for (_, call) in super::calls(project, module) {
            let Some((callee, args, _)) = call.as_call() else {
                continue;
            };
            let ExprKind::Member { object, property } = &callee.kind else {
                continue;
            };
            if property != "include_router" {
                continue;
            }
            let (Some(parent), Some(child)) = (
                scope_key(project, module, object),
                args.first()
                    .and_then(|a| scope_key(project, module, &a.value)),
            ) else {
                continue;
            };
            let prefix = Expr::option(args, "prefix")
                .and_then(literal)
                .unwrap_or("")
                .to_string();
            let mut dependencies = Vec::new();
            if let Some(Expr {
                kind: ExprKind::Array(items),
                ..
            }) = Expr::option(args, "dependencies")
            {
                dependencies.extend(items.iter().map(|d| middleware(project, module, d)));
            }
            ensure_scope(&mut scopes, project, parent);
            ensure_scope(&mut scopes, project, child);
            if let Some(scope) = scopes.get_mut(&child) {
                scope.includes.push((prefix, dependencies));
            }
        }
    }
    for (key, module, id, range, method, path, chain, sources, response_filtered) in declared {
        let Some(scope) = scopes.get(&key) else {
            continue;
        };
        let mounts = if scope.is_app || scope.includes.is_empty() {
            vec![(String::new(), Vec::new())]
        } else {
            scope.includes.clone()
        };
        for (mount_prefix, mount_dependencies) in mounts {
            let mut middleware = mount_dependencies;
            middleware.extend(scope.dependencies.iter().cloned());
            middleware.extend(chain.iter().cloned());
            let full = join_paths(&join_paths(&mount_prefix, &scope.prefix), &path);
            routes.push(Route {
                framework: Framework::FastApi,
                method: method.clone(),
                path: normalize_path(&full),
                param_types: path_types(&full),
                serves_files: false,
                view_class: None,
                module,
                range,
                handler: Some((module, id)),
                middleware,
                param_sources: sources.clone(),
                response_filtered,
                body_fields: Vec::new(),
                public_by_design: false,
            });
        }
    }
}

fn ensure_scope(scopes: &mut HashMap<ScopeKey, Scope>, project: &Project, key: ScopeKey) {
    if scopes.contains_key(&key) {
        return;
    }
    let (module, start) = key;
    let mut scope = Scope {
        is_app: true,
        ..Scope::default()
    };
    project.modules[module].top().walk_exprs(&mut |e| {
        if e.range.start_byte != start {
            return;
        }
        let Some((callee, args, _)) = e.as_call() else {
            return;
        };
        if callee.member_path().and_then(|p| p.last().copied()) == Some("APIRouter") {
            scope.is_app = false;
            scope.prefix = Expr::option(args, "prefix")
                .and_then(literal)
                .unwrap_or("")
                .to_string();
        }
        if let Some(Expr {
            kind: ExprKind::Array(items),
            ..
        }) = Expr::option(args, "dependencies")
        {
            scope.dependencies = items
                .iter()
                .map(|d| middleware(project, module, d))
                .collect();
        }
    });
    scopes.insert(key, scope);
}

fn scope_key(project: &Project, module: ModuleId, expr: &Expr) -> Option<ScopeKey> {
    let Symbol::Value(owner, value) =
        project.symbol_of_expr(module, expr, &|_| Local::Unknown, 0)?
    else {
        return None;
    };
    let qualified = project.qualify(owner, value, &|_| Local::Unknown)?;
    let is_scope = qualified.starts_with("fastapi")
        && (qualified.ends_with("FastAPI()") || qualified.ends_with("APIRouter()"));
    is_scope.then_some((owner, value.range.start_byte))
}

/// The dependency a parameter declares: `x = Depends(f)`, `x: Annotated[T, Depends(f)]`.
fn dependency_of(param: &Param) -> Option<&Expr> {
    let default = param.default.as_ref()?;
    let (callee, _, _) = default.as_call()?;
    matches!(
        callee.member_path()?.last().copied(),
        Some("Depends" | "Security")
    )
    .then_some(default)
}

/// The dependency a parameter declares in its type: `user: Annotated[User,
/// Depends(get_current_user)]`, or through an alias the project defines once and uses
/// everywhere (`CurrentUser = Annotated[User, Depends(get_current_user)]`, often in a
/// `deps.py` of its own): the `Depends(...)` text.
fn annotated_dependency(project: &Project, module: ModuleId, param: &Param) -> Option<String> {
    let annotation = param.annotation.as_deref()?.trim();
    if let Some(found) = depends_call(annotation) {
        return Some(found);
    }
    let alias = annotation.rsplit('.').next()?;
    if alias.is_empty() || !alias.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    // The alias's own module first, then the rest of the project.
    let modules = std::iter::once(module).chain(0..project.modules.len());
    modules.into_iter().find_map(|candidate: ModuleId| {
        let text = &project.modules[candidate].text;
        text.lines().find_map(|line| {
            let rest = line.strip_prefix(alias)?.trim_start();
            let rest = rest
                .strip_prefix(": TypeAlias")
                .map(str::trim_start)
                .unwrap_or(rest);
            let value = rest.strip_prefix('=')?.trim_start();
            value
                .starts_with("Annotated[")
                .then(|| depends_call(value))
                .flatten()
        })
    })
}

/// `Depends(f)` or `Security(f, …)` inside a type, up to its closing parenthesis.
fn depends_call(text: &str) -> Option<String> {
    let start = text.find("Depends(").or_else(|| text.find("Security("))?;
    let mut depth = 0usize;
    for (offset, c) in text[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(text[start..=start + offset].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

fn is_dependency(param: &Param) -> bool {
    dependency_of(param).is_some()
        || param
            .annotation
            .as_deref()
            .is_some_and(|a| a.contains("Depends(") || a.contains("Security("))
}

/// Which handler parameters carry request data, and how safe their type makes them.
fn param_sources(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    path: &str,
) -> Vec<ParamSource> {
    let m = &project.modules[module];
    let mut sources = Vec::new();
    for (index, param) in m.functions[function].params.iter().enumerate() {
        let Some(name) = param.name() else { continue };
        if is_dependency(param) || param.variadic {
            continue;
        }
        let annotation = param.annotation.as_deref().unwrap_or("").replace(' ', "");
        let base = annotation
            .trim_start_matches("Optional[")
            .trim_start_matches("Annotated[")
            .split([',', ']', '|'])
            .next()
            .unwrap_or("")
            .to_string();
        if matches!(
            base.as_str(),
            "Request"
                | "Response"
                | "BackgroundTasks"
                | "WebSocket"
                | "Session"
                | "AsyncSession"
                | "HTTPConnection"
                | "SecurityScopes"
        ) || matches!(
            name,
            "request" | "response" | "db" | "session" | "background_tasks"
        ) {
            continue;
        }
        let default_call = param
            .default
            .as_ref()
            .and_then(|d| d.as_call())
            .and_then(|(callee, _, _)| callee.member_path())
            .and_then(|p| p.last().map(|s| s.to_string()));
        let in_path = path.contains(&format!("{{{name}}}")) || path.contains(&format!("{{{name}:"));
        let (part, whole, cleansed) = if matches!(
            base.as_str(),
            "int"
                | "float"
                | "bool"
                | "UUID"
                | "uuid.UUID"
                | "datetime"
                | "date"
                | "Decimal"
                | "PositiveInt"
                | "conint"
                | "EmailStr"
        ) || base.starts_with("Literal[")
        {
            (RequestPart::Query, false, kind::ALL)
        } else if base == "UploadFile" || default_call.as_deref() == Some("File") {
            (RequestPart::Files, false, 0)
        } else if in_path {
            (RequestPart::Params, false, 0)
        } else if is_model(project, module, &base) {
            (RequestPart::Body, true, kind::NOSQL | kind::MASS_ASSIGNMENT)
        } else if matches!(base.as_str(), "dict" | "Dict" | "Any" | "list" | "List")
            || matches!(default_call.as_deref(), Some("Body"))
        {
            (RequestPart::Body, true, 0)
        } else if matches!(default_call.as_deref(), Some("Form")) {
            (RequestPart::Body, false, 0)
        } else if matches!(default_call.as_deref(), Some("Header")) {
            (RequestPart::Headers, false, 0)
        } else if matches!(default_call.as_deref(), Some("Cookie")) {
            (RequestPart::Cookies, false, 0)
        } else {
            (RequestPart::Query, false, 0)
        };
        sources.push(ParamSource {
            index,
            part,
            whole,
            cleansed,
        });
    }
    sources
}

/// Whether a type name is a Pydantic model (or dataclass) of the project.
fn is_model(project: &Project, module: ModuleId, name: &str) -> bool {
    if name.is_empty() || !name.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    match project.resolve_name(module, name) {
        Some(Symbol::Class(owner, class)) => {
            let c = &project.modules[owner].classes[class];
            c.bases.iter().any(|b| {
                let text = project.modules[owner].text_of(b.range);
                text.contains("BaseModel") || text.contains("Schema") || text.contains("SQLModel")
            }) || !c.bases.is_empty()
        }
        Some(Symbol::External(path)) => path.contains("schemas") || path.contains("models"),
        _ => false,
    }
}

/// FastAPI uses a handler's return annotation as its response model.
fn return_annotation_is_model(project: &Project, module: ModuleId, function: FunctionId) -> bool {
    let m: &Module = &project.modules[module];
    let f = &m.functions[function];
    let text = m.text_of(f.range);
    let Some(arrow) = text.find(")->").or_else(|| text.find(") ->")) else {
        return false;
    };
    let after = &text[arrow..];
    let annotation: String = after
        .trim_start_matches(')')
        .trim_start()
        .trim_start_matches("->")
        .split(':')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let base = annotation
        .trim_start_matches("list[")
        .trim_start_matches("List[")
        .trim_start_matches("Optional[")
        .trim_end_matches(']');
    is_model(project, module, base)
}

#[cfg(test)]
mod tests {
    use crate::flow::kind;
    use crate::routes::express::tests::inventory;

    #[test]
    fn dependencies_in_annotated_types_and_their_aliases_are_gates() {
        let (_, inventory) = inventory(&[
            (
                "deps.py",
                "from typing import Annotated\nfrom fastapi import Depends\nCurrentUser = Annotated[User, Depends(get_current_user)]\nSessionDep = Annotated[Session, Depends(get_db)]\n",
            ),
            (
                "main.py",
                "from typing import Annotated\nfrom fastapi import FastAPI, Depends\nfrom deps import CurrentUser, SessionDep\napp = FastAPI()\n@app.get('/me')\ndef me(user: CurrentUser):\n    return user\n@app.get('/inline')\ndef inline(user: Annotated[User, Depends(get_current_user)]):\n    return user\n@app.get('/items')\ndef items(db: SessionDep):\n    return []\n",
            ),
        ]);
        let gates: Vec<(String, bool)> = inventory
            .routes
            .iter()
            .map(|r| (r.path.clone(), r.middleware.iter().any(|m| m.roles.auth)))
            .collect();
        assert_eq!(
            gates,
            vec![
                ("/me".to_string(), true),
                ("/inline".to_string(), true),
                // A database session is no login check.
                ("/items".to_string(), false),
            ]
        );
    }

    #[test]
    fn routers_prefixes_dependencies_and_parameter_types() {
        let (_, inventory) = inventory(&[
            (
                "main.py",
                "from fastapi import FastAPI, Depends\nfrom routers import items\napp = FastAPI()\napp.include_router(items.router, prefix='/api', dependencies=[Depends(get_current_user)])\n@app.post('/login')\nasync def login(form: dict):\n    return {}\n",
            ),
            (
                "routers/items.py",
                "from fastapi import APIRouter, Depends\nfrom pydantic import BaseModel\nclass ItemIn(BaseModel):\n    name: str\nrouter = APIRouter(prefix='/items')\n@router.get('/{item_id}', response_model=ItemOut)\ndef read(item_id: int, q: str | None = None, db: Session = Depends(get_db)):\n    return {}\n@router.post('/')\ndef create(item: ItemIn, user = Depends(current_user)):\n    return {}\n",
            ),
        ]);
        let lines: Vec<String> = inventory
            .routes
            .iter()
            .map(|r| {
                let mw: Vec<&str> = r.middleware.iter().map(|m| m.name.as_str()).collect();
                format!(
                    "{} {} [{}] filtered={}",
                    r.method,
                    r.path,
                    mw.join(", "),
                    r.response_filtered
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                "POST /login [] filtered=false",
                "GET /api/items/{item_id} [Depends(get_current_user), Depends(get_db)] filtered=true",
                "POST /api/items [Depends(get_current_user), Depends(current_user)] filtered=false",
            ]
        );
        let read = &inventory.routes[1].param_sources;
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].cleansed, kind::ALL, "int is safe");
        assert_eq!(read[1].cleansed, 0, "str is client text");
        let create = &inventory.routes[2].param_sources;
        assert!(create[0].whole && create[0].cleansed & kind::MASS_ASSIGNMENT != 0);
        assert!(inventory.routes[0].param_sources[0].whole);
    }
}
