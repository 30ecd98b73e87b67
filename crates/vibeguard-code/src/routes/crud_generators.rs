//! Resource generators: libraries that register a model's whole CRUD surface on an Express app
//! from one call, so no `app.get(…)` is ever written for those routes.
//!
//! - **finale-rest / epilogue** (Sequelize): `finale.initialize({ app, sequelize })` names the
//!   app; `finale.resource({ model, endpoints: ['/users', '/users/:id'], actions })` registers
//!   `list` (GET) and `create` (POST) on the first endpoint, `read` (GET), `update` (PUT, or
//!   `updateMethod`) and `delete` (DELETE) on the second (the first when there is one only).
//!   Endpoints are often template strings in a loop over the models; the Express walk computes
//!   them per iteration.
//! - **express-restify-mongoose** (Mongoose): `restify.serve(router, Model, { prefix, version,
//!   name })` registers `{prefix}{version}/{name}` (defaults `/api`, `/v1`, the model's name from
//!   `mongoose.model('Name', …)`) with `count`, the collection and `/:id` operations.
//!
//! Which routes are secured is decided as for hand-written routes: by the app's middleware in
//! front of them (`app.use('/api/Users/:id', isAuthorized())`).

use crate::ir::{Expr, ExprKind, Prop};
use crate::project::{Local, ModuleId, Project, Symbol};

/// A route a generator registers.
#[derive(Debug)]
pub(super) struct GeneratedRoute<'p> {
    pub method: &'static str,
    /// The path as written (or as computed here).
    pub path: String,
    /// The path expression, computed by the caller per loop iteration when it is not literal.
    pub path_expr: Option<&'p Expr>,
}

/// What a generator call registers, and on which router when the call names it.
#[derive(Debug)]
pub(super) struct Generated<'p> {
    /// The router argument (`restify.serve(router, …)`); `None` for finale/epilogue, whose
    /// router is the app given to `initialize`.
    pub router: Option<&'p Expr>,
    pub routes: Vec<GeneratedRoute<'p>>,
}

fn library(project: &Project, module: ModuleId, callee: &Expr) -> Option<(&'static str, String)> {
    let qualified = project.qualify(module, callee, &|_| Local::Unknown)?;
    for package in [
        "finale-rest",
        "finale",
        "epilogue",
        "express-restify-mongoose",
    ] {
        if let Some(rest) = qualified.strip_prefix(package) {
            return Some((package, rest.trim_start_matches(".default").to_string()));
        }
    }
    None
}

/// The app a `finale.initialize({ app })` / `epilogue.initialize({ app })` call names.
pub(super) fn initialized_app<'p>(
    project: &'p Project,
    module: ModuleId,
    call: &'p Expr,
) -> Option<&'p Expr> {
    let (callee, args, _) = call.as_call()?;
    let (package, member) = library(project, module, callee)?;
    if package == "express-restify-mongoose" || member != ".initialize" {
        return None;
    }
    property(&args.first()?.value, "app")
}

/// The routes a generator call registers.
pub(super) fn generated<'p>(
    project: &'p Project,
    module: ModuleId,
    call: &'p Expr,
) -> Option<Generated<'p>> {
    let (callee, args, _) = call.as_call()?;
    let (package, member) = library(project, module, callee)?;
    match (package, member.as_str()) {
        ("express-restify-mongoose", ".serve" | "") => restify(project, module, args),
        ("express-restify-mongoose", _) => None,
        (_, ".resource") => finale(&args.first()?.value),
        _ => None,
    }
}

fn finale<'p>(options: &'p Expr) -> Option<Generated<'p>> {
    let ExprKind::Array(endpoints) = &property(options, "endpoints")?.kind else {
        return None;
    };
    let collection = endpoints.first()?;
    let item = endpoints.get(1).unwrap_or(collection);
    let actions: Vec<String> = match property(options, "actions").map(|a| &a.kind) {
        Some(ExprKind::Array(items)) => items
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        _ => ["list", "create", "read", "update", "delete"]
            .map(str::to_string)
            .to_vec(),
    };
    let update: &'static str = match property(options, "updateMethod").and_then(Expr::as_str) {
        Some(m) if m.eq_ignore_ascii_case("patch") => "PATCH",
        Some(m) if m.eq_ignore_ascii_case("post") => "POST",
        _ => "PUT",
    };
    let route = |method: &'static str, endpoint: &'p Expr| GeneratedRoute {
        method,
        path: endpoint.as_str().unwrap_or_default().to_string(),
        path_expr: endpoint.as_str().is_none().then_some(endpoint),
    };
    let mut routes = Vec::new();
    for action in &actions {
        match action.as_str() {
            "list" => routes.push(route("GET", collection)),
            "create" => routes.push(route("POST", collection)),
            "read" => routes.push(route("GET", item)),
            "update" => routes.push(route(update, item)),
            "delete" => routes.push(route("DELETE", item)),
            _ => {}
        }
    }
    Some(Generated {
        router: None,
        routes,
    })
}

fn restify<'p>(
    project: &'p Project,
    module: ModuleId,
    args: &'p [crate::ir::Arg],
) -> Option<Generated<'p>> {
    let router = &args.first()?.value;
    let options = args.get(2).map(|a| &a.value);
    let option = |name: &str| {
        options
            .and_then(|o| property(o, name))
            .and_then(Expr::as_str)
    };
    let name = match option("name") {
        Some(name) => name.to_string(),
        None => model_name(project, module, &args.get(1)?.value)?,
    };
    let name = if options
        .and_then(|o| property(o, "lowercase"))
        .is_some_and(|v| matches!(v.kind, ExprKind::Bool(true)))
    {
        name.to_lowercase()
    } else {
        name
    };
    let base = format!(
        "{}{}/{}",
        option("prefix").unwrap_or("/api").trim_end_matches('/'),
        option("version").unwrap_or("/v1").trim_end_matches('/'),
        name
    );
    let route = |method: &'static str, suffix: &str| GeneratedRoute {
        method,
        path: format!("{base}{suffix}"),
        path_expr: None,
    };
    Some(Generated {
        router: Some(router),
        routes: vec![
            route("GET", "/count"),
            route("GET", ""),
            route("POST", ""),
            route("DELETE", ""),
            route("GET", "/:id"),
            route("PUT", "/:id"),
            route("POST", "/:id"),
            route("PATCH", "/:id"),
            route("DELETE", "/:id"),
        ],
    })
}

/// The name a Mongoose model was registered with: `mongoose.model('Customer', schema)`,
/// followed through the variable that holds it, across modules.
fn model_name(project: &Project, module: ModuleId, model: &Expr) -> Option<String> {
    let value = match &model.kind {
        ExprKind::Name(name) => match project.resolve_name(module, name)? {
            Symbol::Value(_, value) => value,
            _ => return None,
        },
        _ => model,
    };
    let (callee, args, _) = value.as_call()?;
    let ExprKind::Member { property, .. } = &callee.kind else {
        return None;
    };
    (property == "model")
        .then(|| args.first()?.value.as_str().map(str::to_string))
        .flatten()
}

/// The value of property `name` in an object literal.
fn property<'e>(object: &'e Expr, name: &str) -> Option<&'e Expr> {
    let ExprKind::Object(props) = &object.kind else {
        return None;
    };
    props.iter().find_map(|prop| match prop {
        Prop::Pair { key, value } if key.name() == Some(name) => Some(value),
        _ => None,
    })
}
