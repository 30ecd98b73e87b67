//! Django and Django REST framework: `urlpatterns` of `path`/`re_path`/`url` entries, `include`
//! of other URL modules with their prefix, function views with their decorators, class-based
//! views (`View.as_view()`, one route per HTTP method the class defines) with their
//! `permission_classes`, `throttle_classes` and login mixins, DRF routers
//! (`router.register('posts', PostViewSet)`), and the `REST_FRAMEWORK` defaults in settings.

use super::{
    Framework, Middleware, Roles, Route, join_paths, literal, middleware, normalize_path,
    path_types,
};
use crate::flow::label::RequestPart;
use crate::flow::{ParamSource, kind};
use crate::ir::{ClassId, Expr, ExprKind, FunctionId, Pattern, StmtKind};
use crate::project::{Local, ModuleId, Project, Symbol};

const CLASS_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];
const VIEWSET_ACTIONS: &[(&str, &str, bool)] = &[
    ("list", "GET", false),
    ("create", "POST", false),
    ("retrieve", "GET", true),
    ("update", "PUT", true),
    ("partial_update", "PATCH", true),
    ("destroy", "DELETE", true),
];

/// Project-wide DRF defaults from `settings.py`.
#[derive(Debug, Default)]
struct Defaults {
    authenticated: Option<Middleware>,
    throttled: Option<Middleware>,
}

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let defaults = drf_defaults(project);
    // Root URL modules: those not included by another.
    let url_modules: Vec<ModuleId> = (0..project.modules.len())
        .filter(|m| {
            project.modules[*m].path.ends_with("urls.py") && urlpatterns(project, *m).is_some()
        })
        .collect();
    let mut included = Vec::new();
    for module in &url_modules {
        if let Some(patterns) = urlpatterns(project, *module) {
            for entry in patterns {
                if let Some(target) = include_target(project, *module, entry) {
                    included.push(target);
                }
            }
        }
    }
    for module in url_modules {
        if included.contains(&module) {
            continue;
        }
        let mut visited = Vec::new();
        walk(project, module, "", &defaults, &mut visited, routes);
    }
}

fn urlpatterns(project: &Project, module: ModuleId) -> Option<Vec<&Expr>> {
    let m = &project.modules[module];
    let mut entries = Vec::new();
    let mut found = false;
    for stmt in &m.top().body {
        if let StmtKind::Assign {
            target: Pattern::Name(name),
            value,
            ..
        } = &stmt.kind
            && name == "urlpatterns"
        {
            found = true;
            collect_entries(value, &mut entries);
        }
    }
    found.then_some(entries)
}

fn collect_entries<'e>(value: &'e Expr, entries: &mut Vec<&'e Expr>) {
    match &value.kind {
        ExprKind::Array(items) => entries.extend(items.iter()),
        ExprKind::Binary { op, left, right } if *op == "+" => {
            collect_entries(left, entries);
            collect_entries(right, entries);
        }
        _ => {}
    }
}

fn include_target(project: &Project, module: ModuleId, entry: &Expr) -> Option<ModuleId> {
    let (_, args, _) = entry.as_call()?;
    let view = args.get(1)?;
    let (callee, include_args, _) = view.value.as_call()?;
    if callee.member_path()?.last().copied() != Some("include") {
        return None;
    }
    let dotted = include_args.first()?.value.as_str()?;
    project.resolve_specifier(module, dotted)
}

fn walk(
    project: &Project,
    module: ModuleId,
    prefix: &str,
    defaults: &Defaults,
    visited: &mut Vec<ModuleId>,
    routes: &mut Vec<Route>,
) {
    if visited.contains(&module) {
        return;
    }
    visited.push(module);
    for entry in urlpatterns(project, module).unwrap_or_default() {
        let Some((callee, args, _)) = entry.as_call() else {
            continue;
        };
        let Some(kind) = callee
            .member_path()
            .and_then(|p| p.last().map(|s| s.to_string()))
        else {
            continue;
        };
        if !matches!(kind.as_str(), "path" | "re_path" | "url") {
            continue;
        }
        let Some(route) = args.first().and_then(|a| literal(&a.value)) else {
            continue;
        };
        let route = if kind == "path" {
            route.to_string()
        } else {
            regex_route(route)
        };
        let full = join_paths(prefix, &route);
        let Some(view) = args.get(1).map(|a| &a.value) else {
            continue;
        };
        // include('app.urls') / include(router.urls)
        if let Some((include, include_args, _)) = view.as_call()
            && include.member_path().and_then(|p| p.last().copied()) == Some("include")
        {
            let Some(first) = include_args.first().map(|a| &a.value) else {
                continue;
            };
            if let Some(dotted) = first.as_str() {
                if let Some(target) = project.resolve_specifier(module, dotted) {
                    walk(project, target, &full, defaults, visited, routes);
                }
            } else if let ExprKind::Member { object, property } = &first.kind
                && property == "urls"
            {
                drf_router(project, module, object, &full, defaults, routes);
            }
            continue;
        }
        view_routes(project, module, view, &full, entry, defaults, routes);
    }
}

/// `^posts/(?P<pk>[0-9]+)/$` → `posts/{pk}/`.
fn regex_route(pattern: &str) -> String {
    let trimmed = pattern.trim_start_matches('^').trim_end_matches('$');
    let mut out = String::new();
    let mut rest = trimmed;
    while let Some(start) = rest.find("(?P<") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find('>') else { break };
        out.push('{');
        out.push_str(&after[..end]);
        out.push('}');
        let Some(close) = after.find(')') else { break };
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The routes of one view: a function, or a class-based view (one route per method).
fn view_routes(
    project: &Project,
    module: ModuleId,
    view: &Expr,
    path: &str,
    entry: &Expr,
    defaults: &Defaults,
    routes: &mut Vec<Route>,
) {
    // `SomeView.as_view()`
    if let Some((callee, _, _)) = view.as_call()
        && let ExprKind::Member { object, property } = &callee.kind
        && property == "as_view"
    {
        if let Some(Symbol::Class(owner, class)) =
            project.symbol_of_expr(module, object, &|_| Local::Unknown, 0)
        {
            class_routes(
                project, owner, class, path, module, entry, defaults, None, routes,
            );
        }
        return;
    }
    let Some((owner, function)) = project.callee_function(module, view, &|_| Local::Unknown) else {
        return;
    };
    let f = &project.modules[owner].functions[function];
    let mut chain: Vec<Middleware> = f
        .decorators
        .iter()
        .map(|d| middleware(project, owner, d))
        .collect();
    let is_drf = f
        .decorators
        .iter()
        .any(|d| project.modules[owner].text_of(d.range).contains("api_view"));
    if is_drf {
        apply_defaults(
            &mut chain,
            defaults,
            &f.decorators
                .iter()
                .map(|d| project.modules[owner].text_of(d.range))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    let methods = api_view_methods(project, owner, function);
    for method in methods {
        routes.push(Route {
            framework: Framework::Django,
            method,
            path: normalize_path(path),
            param_types: path_types(path),
            serves_files: false,
            view_class: None,
            module,
            range: entry.range,
            handler: Some((owner, function)),
            middleware: chain.clone(),
            param_sources: converter_sources(project, owner, function, path, 1),
            response_filtered: false,
            body_fields: Vec::new(),
            public_by_design: false,
        });
    }
}

/// `@api_view(['GET', 'POST'])` lists the methods; `@require_POST` and friends name one.
fn api_view_methods(project: &Project, module: ModuleId, function: FunctionId) -> Vec<String> {
    let f = &project.modules[module].functions[function];
    for decorator in &f.decorators {
        let text = project.modules[module].text_of(decorator.range);
        if let Some((_, args, _)) = decorator.as_call()
            && (text.starts_with("api_view") || text.contains("require_http_methods"))
            && let Some(ExprKind::Array(items)) = args.first().map(|a| &a.value.kind)
        {
            return items
                .iter()
                .filter_map(|i| i.as_str())
                .map(|m| m.to_ascii_uppercase())
                .collect();
        }
        for (name, method) in [
            ("require_POST", "POST"),
            ("require_GET", "GET"),
            ("require_safe", "GET"),
        ] {
            if text == name {
                return vec![method.to_string()];
            }
        }
    }
    vec!["ANY".to_string()]
}

#[allow(clippy::too_many_arguments)]
fn class_routes(
    project: &Project,
    owner: ModuleId,
    class: ClassId,
    path: &str,
    module: ModuleId,
    entry: &Expr,
    defaults: &Defaults,
    viewset: Option<bool>,
    routes: &mut Vec<Route>,
) {
    let m = &project.modules[owner];
    let c = &m.classes[class];
    let bases: Vec<&str> = c.bases.iter().map(|b| m.text_of(b.range)).collect();
    let is_drf = bases.iter().any(|b| {
        b.contains("APIView")
            || b.contains("ViewSet")
            || b.contains("generics.")
            || b.contains("ObtainAuthToken")
    });
    let mut chain: Vec<Middleware> = Vec::new();
    for base in &c.bases {
        let text = m.text_of(base.range);
        if text.contains("LoginRequired")
            || text.contains("PermissionRequired")
            || text.contains("UserPassesTest")
        {
            chain.push(middleware(project, owner, base));
        }
    }
    let mut attributes = String::new();
    for field in &c.fields {
        if matches!(
            field.name.as_str(),
            "permission_classes" | "throttle_classes" | "authentication_classes"
        ) && let Some(value) = &field.value
        {
            let text = m.text_of(value.range);
            attributes.push_str(&format!("{}={text} ", field.name));
            let mut entry_mw = middleware(project, owner, value);
            entry_mw.name = format!("{} = {}", field.name, text);
            if field.name == "throttle_classes"
                && !text.trim().trim_matches(['[', ']', '(', ')']).is_empty()
            {
                entry_mw.roles.rate_limit = true;
            }
            if field.name == "permission_classes" {
                entry_mw.roles.auth = text.contains("IsAuthenticated")
                    || text.contains("IsAdmin")
                    || text.contains("DjangoModelPermissions");
                entry_mw.roles.role = text.contains("IsAdmin");
            }
            chain.push(entry_mw);
        }
    }
    if is_drf {
        apply_defaults(&mut chain, defaults, &attributes);
    }
    let method_names: Vec<&str> = c
        .methods
        .iter()
        .filter_map(|f| m.functions[*f].name.as_deref())
        .collect();
    // `http_method_names = ["get", "patch", …]`: Django answers 405 to every other method,
    // whatever the base class or the methods define.
    let allowed: Option<Vec<String>> = c
        .fields
        .iter()
        .find(|field| field.name == "http_method_names")
        .and_then(|field| field.value.as_ref())
        .and_then(|value| match &value.kind {
            ExprKind::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_ascii_uppercase))
                    .collect(),
            ),
            _ => None,
        });
    let first = routes.len();
    let inherits_all = bases
        .iter()
        .any(|b| b.contains("ModelViewSet") && !b.contains("ReadOnly"));
    let read_only = bases.iter().any(|b| b.contains("ReadOnlyModelViewSet"));
    match viewset {
        Some(detail_routes) => {
            for (action, method, detail) in VIEWSET_ACTIONS {
                let defined = method_names.contains(action);
                let inherited =
                    inherits_all || (read_only && matches!(*action, "list" | "retrieve"));
                if !(defined || inherited) || (*detail && !detail_routes) {
                    continue;
                }
                let route_path = if *detail {
                    join_paths(path, "{pk}/")
                } else {
                    path.to_string()
                };
                let handler = c
                    .methods
                    .iter()
                    .copied()
                    .find(|f| m.functions[*f].name.as_deref() == Some(action))
                    .map(|f| (owner, f));
                routes.push(Route {
                    framework: Framework::Django,
                    method: method.to_string(),
                    path: normalize_path(&route_path),
                    param_types: path_types(&route_path),
                    serves_files: false,
                    view_class: Some((owner, class)),
                    module,
                    range: entry.range,
                    handler,
                    middleware: chain_for(&chain, method),
                    param_sources: handler
                        .map(|(o, f)| converter_sources(project, o, f, &route_path, 2))
                        .unwrap_or_default(),
                    response_filtered: false,
                    body_fields: Vec::new(),
                    public_by_design: false,
                });
            }
        }
        None => {
            // What a generic base answers that the class does not define itself
            // (`generics.CreateAPIView` posts, `RetrieveUpdateAPIView` reads and updates).
            for method in generic_view_methods(&bases) {
                if method_names.contains(&method.to_ascii_lowercase().as_str()) {
                    continue;
                }
                routes.push(Route {
                    framework: Framework::Django,
                    method: method.to_string(),
                    path: normalize_path(path),
                    param_types: path_types(path),
                    serves_files: false,
                    view_class: Some((owner, class)),
                    module,
                    range: entry.range,
                    handler: None,
                    middleware: chain_for(&chain, method),
                    param_sources: Vec::new(),
                    response_filtered: false,
                    body_fields: Vec::new(),
                    public_by_design: false,
                });
            }
            for method_id in &c.methods {
                let Some(name) = m.functions[*method_id].name.as_deref() else {
                    continue;
                };
                if !CLASS_METHODS.contains(&name) {
                    continue;
                }
                routes.push(Route {
                    framework: Framework::Django,
                    method: name.to_ascii_uppercase(),
                    path: normalize_path(path),
                    param_types: path_types(path),
                    serves_files: false,
                    view_class: Some((owner, class)),
                    module,
                    range: entry.range,
                    handler: Some((owner, *method_id)),
                    middleware: chain_for(&chain, &name.to_ascii_uppercase()),
                    param_sources: converter_sources(project, owner, *method_id, path, 2),
                    response_filtered: false,
                    body_fields: Vec::new(),
                    public_by_design: false,
                });
            }
        }
    }
    if let Some(allowed) = allowed {
        let mut index = first;
        while index < routes.len() {
            if allowed.contains(&routes[index].method) || routes[index].method == "ANY" {
                index += 1;
            } else {
                routes.remove(index);
            }
        }
    }
}

/// The chain as it applies to `method`: DRF's `…OrReadOnly` permissions
/// (`IsAuthenticatedOrReadOnly`, a project's `IsOwnerOrReadOnly`) let the safe methods through
/// without a credential, so they authenticate only the others.
fn chain_for(chain: &[Middleware], method: &str) -> Vec<Middleware> {
    let safe = matches!(method, "GET" | "HEAD" | "OPTIONS");
    chain
        .iter()
        .cloned()
        .map(|mut middleware| {
            if safe && middleware.name.contains("OrReadOnly") {
                middleware.roles.auth = false;
                middleware.roles.role = false;
            }
            middleware
        })
        .collect()
}

/// The methods a class-based view answers through its generic base classes: DRF's generic
/// views (`generics.ListCreateAPIView`: GET, POST; `RetrieveUpdateDestroyAPIView`: GET, PUT,
/// PATCH, DELETE; …) and its token login (`ObtainAuthToken`: POST), and Django's editing views
/// (`CreateView`, `UpdateView`, `FormView`, `DeleteView`, the auth `LoginView`: GET, POST) and
/// display views (`ListView`, `DetailView`, `TemplateView`: GET). In the order a reader expects.
fn generic_view_methods(bases: &[&str]) -> Vec<&'static str> {
    let mut methods: Vec<&'static str> = Vec::new();
    let mut add = |method: &'static str| {
        if !methods.contains(&method) {
            methods.push(method);
        }
    };
    for base in bases {
        // The class name, without its module (`generics.ListAPIView`, `views.LoginView`).
        let name = base.rsplit('.').next().unwrap_or(base).trim();
        if let Some(parts) = name.strip_suffix("APIView") {
            for (word, verbs) in [
                ("List", &["GET"][..]),
                ("Retrieve", &["GET"][..]),
                ("Create", &["POST"][..]),
                ("Update", &["PUT", "PATCH"][..]),
                ("Destroy", &["DELETE"][..]),
            ] {
                if parts.contains(word) {
                    verbs.iter().for_each(|v| add(v));
                }
            }
        } else if name == "ObtainAuthToken" || name == "ObtainJSONWebToken" {
            add("POST");
        } else if matches!(
            name,
            "CreateView"
                | "UpdateView"
                | "FormView"
                | "DeleteView"
                | "LoginView"
                | "PasswordChangeView"
                | "PasswordResetView"
                | "PasswordResetConfirmView"
        ) {
            add("GET");
            add("POST");
        } else if matches!(
            name,
            "ListView" | "DetailView" | "TemplateView" | "ArchiveIndexView"
        ) {
            add("GET");
        }
    }
    methods
}

/// Routes registered on a DRF router (`router.register(r'posts', PostViewSet)`).
fn drf_router(
    project: &Project,
    module: ModuleId,
    router: &Expr,
    prefix: &str,
    defaults: &Defaults,
    routes: &mut Vec<Route>,
) {
    let Some(router_name) = router.as_name() else {
        return;
    };
    let (router_module, router_name) = match project.resolve_name(module, router_name) {
        Some(Symbol::Value(owner, _)) => (owner, router_name),
        _ => (module, router_name),
    };
    for (_, call) in super::calls(project, router_module) {
        let Some((callee, args, _)) = call.as_call() else {
            continue;
        };
        let ExprKind::Member { object, property } = &callee.kind else {
            continue;
        };
        if property != "register" || object.as_name() != Some(router_name) {
            continue;
        }
        let (Some(path), Some(viewset)) = (
            args.first().and_then(|a| literal(&a.value)),
            args.get(1).map(|a| &a.value),
        ) else {
            continue;
        };
        if let Some(Symbol::Class(owner, class)) =
            project.symbol_of_expr(router_module, viewset, &|_| Local::Unknown, 0)
        {
            let full = join_paths(
                prefix,
                &format!(
                    "{}/",
                    path.trim_start_matches('^')
                        .trim_end_matches('$')
                        .trim_end_matches('/')
                ),
            );
            class_routes(
                project,
                owner,
                class,
                &full,
                router_module,
                call,
                defaults,
                Some(true),
                routes,
            );
        }
    }
}

/// Applies `REST_FRAMEWORK` default permission and throttle classes to a DRF view that does
/// not set its own.
fn apply_defaults(chain: &mut Vec<Middleware>, defaults: &Defaults, own: &str) {
    if !own.contains("permission_classes")
        && let Some(auth) = &defaults.authenticated
    {
        chain.insert(0, auth.clone());
    }
    if !own.contains("throttle_classes")
        && let Some(throttle) = &defaults.throttled
    {
        chain.insert(0, throttle.clone());
    }
}

fn drf_defaults(project: &Project) -> Defaults {
    let mut defaults = Defaults::default();
    for (module, m) in project.modules.iter().enumerate() {
        if !m.path.ends_with("settings.py") && !m.path.contains("/settings/") {
            continue;
        }
        for stmt in &m.top().body {
            let StmtKind::Assign {
                target: Pattern::Name(name),
                value,
                ..
            } = &stmt.kind
            else {
                continue;
            };
            if name != "REST_FRAMEWORK" {
                continue;
            }
            if let Some(permissions) = value.property("DEFAULT_PERMISSION_CLASSES") {
                let text = m.text_of(permissions.range);
                if text.contains("IsAuthenticated") || text.contains("DjangoModelPermissions") {
                    defaults.authenticated = Some(Middleware {
                        name: format!("DEFAULT_PERMISSION_CLASSES {text}"),
                        roles: Roles {
                            auth: true,
                            ..Roles::default()
                        },
                        module,
                        range: permissions.range,
                    });
                }
            }
            if let Some(throttles) = value.property("DEFAULT_THROTTLE_CLASSES") {
                defaults.throttled = Some(Middleware {
                    name: format!("DEFAULT_THROTTLE_CLASSES {}", m.text_of(throttles.range)),
                    roles: Roles {
                        rate_limit: true,
                        ..Roles::default()
                    },
                    module,
                    range: throttles.range,
                });
            }
        }
    }
    defaults
}

/// URL arguments of a view: `<int:pk>` is a number; `<str:slug>`, `<slug:x>`, `<path:p>` and
/// regex groups are client strings. `skip` is the number of leading parameters (`request`,
/// or `self, request`).
fn converter_sources(
    project: &Project,
    module: ModuleId,
    function: FunctionId,
    path: &str,
    skip: usize,
) -> Vec<ParamSource> {
    let f = &project.modules[module].functions[function];
    let mut sources = Vec::new();
    for segment in path.split('/') {
        let (converter, name) = if let Some(inner) =
            segment.strip_prefix('<').and_then(|s| s.strip_suffix('>'))
        {
            match inner.split_once(':') {
                Some((converter, name)) => (converter.to_string(), name.to_string()),
                None => ("str".to_string(), inner.to_string()),
            }
        } else if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            ("str".to_string(), inner.to_string())
        } else {
            continue;
        };
        let index = f
            .params
            .iter()
            .position(|p| p.name() == Some(name.as_str()))
            .or_else(|| {
                // `**kwargs` receives them all.
                f.params
                    .iter()
                    .position(|p| p.variadic)
                    .filter(|i| *i >= skip)
            });
        let Some(index) = index else { continue };
        sources.push(ParamSource {
            index,
            part: RequestPart::Params,
            whole: false,
            cleansed: if converter == "int" || converter == "uuid" {
                kind::ALL
            } else {
                0
            },
        });
    }
    sources
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::{auth_lines, inventory};

    #[test]
    fn urlpatterns_includes_views_and_drf_routers() {
        let (_, inventory) = inventory(&[
            (
                "project/urls.py",
                "from django.urls import path, include\nurlpatterns = [\n    path('blog/', include('blog.urls')),\n    path('api/', include('api.urls')),\n]\n",
            ),
            (
                "blog/urls.py",
                "from django.urls import path\nfrom . import views\nurlpatterns = [\n    path('posts/<int:pk>/', views.detail),\n    path('posts/<slug:slug>/edit/', views.PostEdit.as_view()),\n]\n",
            ),
            (
                "blog/views.py",
                "from django.contrib.auth.decorators import login_required\nfrom django.views import View\nfrom django.contrib.auth.mixins import LoginRequiredMixin\n@login_required\ndef detail(request, pk):\n    pass\nclass PostEdit(LoginRequiredMixin, View):\n    def get(self, request, slug):\n        pass\n    def post(self, request, slug):\n        pass\n",
            ),
            (
                "api/urls.py",
                "from rest_framework.routers import DefaultRouter\nfrom django.urls import path, include\nfrom .views import NoteViewSet\nrouter = DefaultRouter()\nrouter.register(r'notes', NoteViewSet)\nurlpatterns = [path('', include(router.urls))]\n",
            ),
            (
                "api/views.py",
                "from rest_framework import viewsets\nclass NoteViewSet(viewsets.ModelViewSet):\n    throttle_classes = []\n",
            ),
            (
                "project/settings.py",
                "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated']}\n",
            ),
        ]);
        let lines: Vec<String> = inventory
            .routes
            .iter()
            .map(|r| {
                format!(
                    "{} {} auth={} limited={}",
                    r.method,
                    r.path,
                    r.has_auth_middleware(),
                    r.is_rate_limited()
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                "GET /api/notes/ auth=true limited=false",
                "POST /api/notes/ auth=true limited=false",
                "DELETE /api/notes/{pk}/ auth=true limited=false",
                "GET /api/notes/{pk}/ auth=true limited=false",
                "PATCH /api/notes/{pk}/ auth=true limited=false",
                "PUT /api/notes/{pk}/ auth=true limited=false",
                "ANY /blog/posts/{pk}/ auth=true limited=false",
                "GET /blog/posts/{slug}/edit/ auth=true limited=false",
                "POST /blog/posts/{slug}/edit/ auth=true limited=false",
            ]
        );
        let edit = &inventory.routes[7];
        assert_eq!(edit.param_sources.len(), 1);
        assert_eq!(edit.param_sources[0].cleansed, 0);
        assert_eq!(
            inventory.routes[6].param_sources[0].cleansed,
            crate::flow::kind::ALL
        );
    }

    #[test]
    fn http_method_names_narrow_what_a_view_answers() {
        let (_, inventory) = inventory(&[
            (
                "project/urls.py",
                "from django.urls import path\nfrom . import views\nurlpatterns = [\n    path('api/me/', views.MeView.as_view()),\n]\n",
            ),
            (
                "project/views.py",
                "from rest_framework import generics, permissions\nclass MeView(generics.RetrieveUpdateAPIView):\n    permission_classes = [permissions.IsAuthenticated]\n    http_method_names = ['get', 'patch', 'head', 'options']\n",
            ),
        ]);
        assert_eq!(
            auth_lines(&inventory),
            vec!["GET /api/me/ auth=true", "PATCH /api/me/ auth=true"]
        );
    }

    #[test]
    fn generic_class_based_views_answer_what_their_bases_do() {
        let (_, inventory) = inventory(&[
            (
                "project/urls.py",
                "from django.urls import path\nfrom rest_framework.authtoken.views import ObtainAuthToken\nfrom . import views\nclass LoginView(ObtainAuthToken):\n    throttle_classes = []\nurlpatterns = [\n    path('api/auth/token/', LoginView.as_view()),\n    path('api/auth/register/', views.RegisterView.as_view()),\n    path('api/me/', views.MeView.as_view()),\n    path('posts/new/', views.PostCreate.as_view()),\n    path('about/', views.About.as_view()),\n]\n",
            ),
            (
                "project/views.py",
                "from rest_framework import generics, permissions\nfrom django.views.generic import CreateView, TemplateView\nclass RegisterView(generics.CreateAPIView):\n    permission_classes = [permissions.AllowAny]\nclass MeView(generics.RetrieveUpdateAPIView):\n    permission_classes = [permissions.IsAuthenticated]\n    def get_object(self):\n        return self.request.user\nclass PostCreate(CreateView):\n    def post(self, request):\n        pass\nclass About(TemplateView):\n    template_name = 'about.html'\n",
            ),
        ]);
        let lines = auth_lines(&inventory);
        assert_eq!(
            lines,
            vec![
                "POST /api/auth/token/ auth=false",
                "POST /api/auth/register/ auth=false",
                "GET /api/me/ auth=true",
                "PATCH /api/me/ auth=true",
                "PUT /api/me/ auth=true",
                "GET /posts/new/ auth=false",
                "POST /posts/new/ auth=false",
                "GET /about/ auth=false",
            ]
        );
        // A method the class defines keeps its handler; the inherited ones have none.
        let post = inventory
            .routes
            .iter()
            .find(|r| r.path == "/posts/new/" && r.method == "POST")
            .expect("post");
        assert!(post.handler.is_some());
    }

    #[test]
    fn or_read_only_permissions_authenticate_the_writes_only() {
        let (_, inventory) = inventory(&[
            (
                "project/urls.py",
                "from django.urls import path, include\nfrom rest_framework.routers import DefaultRouter\nfrom . import views\nrouter = DefaultRouter()\nrouter.register('articles', views.ArticleViewSet)\nurlpatterns = [path('api/', include(router.urls))]\n",
            ),
            (
                "project/views.py",
                "from rest_framework import permissions, viewsets\nclass ArticleViewSet(viewsets.ModelViewSet):\n    permission_classes = [permissions.IsAuthenticatedOrReadOnly]\n",
            ),
        ]);
        let lines = auth_lines(&inventory);
        assert_eq!(
            lines,
            vec![
                "GET /api/articles/ auth=false",
                "POST /api/articles/ auth=true",
                "DELETE /api/articles/{pk}/ auth=true",
                "GET /api/articles/{pk}/ auth=false",
                "PATCH /api/articles/{pk}/ auth=true",
                "PUT /api/articles/{pk}/ auth=true",
            ]
        );
    }
}
