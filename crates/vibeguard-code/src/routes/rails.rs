//! Rails: the routes `config/routes.rb` draws (and the files it `draw`s from `config/routes/`),
//! with the `before_action` filters of the controller each route reaches.
//!
//! Routes: `resources` and `resource` (the seven actions, or six for a singular resource,
//! narrowed by `only:`/`except:`, renamed by `path:`/`param:`/`controller:`, without `new` and
//! `edit` in an API-only app), nested resources (`/posts/{post_id}/comments`, `shallow:`),
//! `member`/`collection` blocks and `on:`, `namespace`, `scope` (path, `module:`, `controller:`),
//! `controller :x do`, `concern`/`concerns:`, `get`/`post`/`put`/`patch`/`delete`/`match
//! via:` with `to: 'c#a'` or `'path' => 'c#a'`, `root`, Devise's `devise_for` (sign-in,
//! sign-up, password and account routes), and any block around them (`constraints`,
//! `defaults`, `if Rails.env…`).
//!
//! Filters: a controller's `before_action`/`prepend_before_action`/`before_filter` callbacks,
//! inherited from its superclass and included concerns, minus `skip_before_action`, each with
//! `only:`/`except:`; `http_basic_authenticate_with`; CanCanCan's `load_and_authorize_resource`.
//! A callback is authentication when its name says so (`authenticate_user!`, `require_login`,
//! `authorize_request`) **and**, when the project defines it, its body can end the request
//! (`head :unauthorized`, `render … status:`, `redirect_to`, `raise`,
//! `authenticate_or_request_with_http_token`): a `current_user` lookup that lets anonymous
//! requests through is not. `verify_authenticity_token` is CSRF protection, not authentication.
//!
//! The route files are read here with Ruby's grammar directly (their DSL is what matters, not
//! data flow); controllers and models are also lowered into the program model for the rules.

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::{Framework, Middleware, Roles, Route, classify, join_paths, normalize_path};
use crate::language::Language;
use crate::lower::{named_children, range};
use crate::project::{ModuleId, Project};

/// The seven actions of `resources`: name, method, path suffix, on the member.
const PLURAL_ACTIONS: &[(&str, &str, &str, bool)] = &[
    ("index", "GET", "", false),
    ("create", "POST", "", false),
    ("new", "GET", "/new", false),
    ("show", "GET", "", true),
    ("edit", "GET", "/edit", true),
    ("update", "PATCH", "", true),
    ("update", "PUT", "", true),
    ("destroy", "DELETE", "", true),
];
/// The actions of a singular `resource`: no index, no id.
const SINGULAR_ACTIONS: &[(&str, &str, &str)] = &[
    ("create", "POST", ""),
    ("new", "GET", "/new"),
    ("show", "GET", ""),
    ("edit", "GET", "/edit"),
    ("update", "PATCH", ""),
    ("update", "PUT", ""),
    ("destroy", "DELETE", ""),
];
/// The HTTP verbs the routing DSL has a method for.
const VERBS: &[&str] = &["get", "post", "put", "patch", "delete"];

pub(super) fn collect(project: &Project, routes: &mut Vec<Route>) {
    let ruby: Vec<ModuleId> = (0..project.modules.len())
        .filter(|m| project.modules[*m].language == Language::Ruby)
        .collect();
    // Without a routes file there is no route to list (and no second parse to pay for).
    if !ruby
        .iter()
        .any(|m| project.modules[*m].path.ends_with("config/routes.rb"))
    {
        return;
    }
    let controllers = Controllers::read(project, &ruby);
    let throttles = rack_attack_throttles(project, &ruby);
    let api_only = ruby.iter().any(|m| {
        let module = &project.modules[*m];
        module.path.ends_with("config/application.rb")
            && module
                .text
                .lines()
                .any(|line| line.trim_start().starts_with("config.api_only = true"))
    });
    for &module in &ruby {
        if !project.modules[module].path.ends_with("config/routes.rb") {
            continue;
        }
        let mut drawn = Vec::new();
        let mut reader = RoutesReader {
            project,
            ruby: &ruby,
            controllers: &controllers,
            throttles: &throttles,
            api_only,
            routes,
            concerns: BTreeMap::new(),
            expanding: Vec::new(),
            depth: 0,
        };
        reader.file(module, &Scope::default(), &mut drawn);
    }
}

/// Where a route declaration sits: the path and controller namespace of the blocks around it.
#[derive(Debug, Clone, Default)]
struct Scope {
    /// Path prefix (`/api/v1`).
    path: String,
    /// Controller namespace (`api/v1`).
    module: String,
    /// The controller a `scope controller:` or `controller :x do` names.
    controller: Option<String>,
    /// The resource whose block this is.
    resource: Option<ResourceScope>,
    /// Inside that resource's `member` or `collection` block.
    on: Option<On>,
    /// `shallow: true` above.
    shallow: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum On {
    Member,
    Collection,
}

#[derive(Debug, Clone)]
struct ResourceScope {
    /// The resource's controller (`posts`, in the scope's namespace).
    controller: String,
    /// `/posts`.
    collection: String,
    /// `/posts/{id}` (or `/profile` for a singular resource).
    member: String,
    /// Where nested routes go: `/posts/{post_id}` (or `/profile`).
    nested: String,
}

struct RoutesReader<'a> {
    project: &'a Project,
    ruby: &'a [ModuleId],
    controllers: &'a Controllers,
    throttles: &'a [Throttle],
    api_only: bool,
    routes: &'a mut Vec<Route>,
    /// `concern :name do … end`: the module and byte range of the block.
    concerns: BTreeMap<String, (ModuleId, usize, usize)>,
    /// The concerns being expanded.
    expanding: Vec<String>,
    /// How deep the blocks being read are nested.
    depth: u32,
}

/// How deep route blocks may nest before the rest is not read.
const MAX_BLOCK_DEPTH: u32 = 64;

impl RoutesReader<'_> {
    fn file(&mut self, module: ModuleId, scope: &Scope, drawn: &mut Vec<ModuleId>) {
        if drawn.contains(&module) {
            return;
        }
        drawn.push(module);
        let text = self.project.modules[module].text.clone();
        let _ = crate::parse::with_tree(Language::Ruby, &text, |root| {
            self.statements(module, root, scope, drawn);
        });
    }

    /// The statements of a block, program or body.
    fn statements(
        &mut self,
        module: ModuleId,
        node: Node<'_>,
        scope: &Scope,
        drawn: &mut Vec<ModuleId>,
    ) {
        // Blocks nested deeper than any routes file writes them are generated or hostile.
        if self.depth >= MAX_BLOCK_DEPTH {
            return;
        }
        self.depth += 1;
        for child in named_children(node) {
            match child.kind() {
                "call" => self.call(module, child, scope, drawn),
                // `if Rails.env.development?` and the like: both branches may route.
                "if"
                | "unless"
                | "then"
                | "else"
                | "elsif"
                | "begin"
                | "body_statement"
                | "block_body"
                | "parenthesized_statements" => self.statements(module, child, scope, drawn),
                // Anything else (`member` without a block, assignments, comments) routes
                // nothing.
                _ => {}
            }
        }
        self.depth -= 1;
    }

    fn call(&mut self, module: ModuleId, node: Node<'_>, scope: &Scope, drawn: &mut Vec<ModuleId>) {
        let (project, ruby) = (self.project, self.ruby);
        let text: &str = &project.modules[module].text;
        let Some(method) = call_name(node, text) else {
            return;
        };
        let args = Arguments::of(node, text);
        let block = node.child_by_field_name("block");
        let body = block.and_then(|b| b.child_by_field_name("body"));
        match method {
            "draw" => {
                match args.positional.first() {
                    // `draw(:admin)`: config/routes/admin.rb, in this scope.
                    Some(name) => {
                        let wanted = format!("config/routes/{name}.rb");
                        if let Some(&file) = ruby
                            .iter()
                            .find(|m| project.modules[**m].path.ends_with(&wanted))
                        {
                            self.file(file, scope, drawn);
                        }
                    }
                    None => {
                        if let Some(body) = body {
                            self.statements(module, body, scope, drawn);
                        }
                    }
                }
            }
            "namespace" => {
                let Some(name) = args.positional.first() else {
                    return;
                };
                let mut inner = scope.clone();
                let path = args.option("path").unwrap_or(name.as_str());
                inner.path = join_paths(&scope.path, path);
                inner.module = join_module(&scope.module, args.option("module").unwrap_or(name));
                inner.resource = None;
                inner.on = None;
                if let Some(body) = body {
                    self.statements(module, body, &inner, drawn);
                }
            }
            "scope" => {
                let mut inner = scope.clone();
                if let Some(path) = args
                    .positional
                    .first()
                    .map(String::as_str)
                    .or(args.option("path"))
                {
                    inner.path = join_paths(&scope.path, path);
                }
                if let Some(namespace) = args.option("module") {
                    inner.module = join_module(&scope.module, namespace);
                }
                if let Some(controller) = args.option("controller") {
                    inner.controller = Some(controller.to_string());
                }
                if let Some(body) = body {
                    self.statements(module, body, &inner, drawn);
                }
            }
            "controller" => {
                let mut inner = scope.clone();
                inner.controller = args.positional.first().cloned();
                if let Some(body) = body {
                    self.statements(module, body, &inner, drawn);
                }
            }
            "member" | "collection" => {
                if scope.resource.is_some()
                    && let Some(body) = body
                {
                    let mut inner = scope.clone();
                    inner.on = Some(if method == "member" {
                        On::Member
                    } else {
                        On::Collection
                    });
                    self.statements(module, body, &inner, drawn);
                }
            }
            "concern" => {
                if let (Some(name), Some(body)) = (args.positional.first(), body) {
                    self.concerns
                        .insert(name.clone(), (module, body.start_byte(), body.end_byte()));
                }
            }
            "concerns" => {
                for name in args.positional.clone() {
                    self.expand_concern(&name, scope, drawn);
                }
            }
            "resources" | "resource" => {
                let singular = method == "resource";
                for name in args.positional.clone() {
                    let inner = self.resource(module, node, &name, singular, &args, scope);
                    for concern in args.list("concerns") {
                        self.expand_concern(&concern, &inner, drawn);
                    }
                    if let Some(body) = body {
                        self.statements(module, body, &inner, drawn);
                    }
                }
            }
            "root" => {
                let target = args
                    .positional
                    .first()
                    .map(String::as_str)
                    .or(args.option("to"));
                let (controller, action) = target
                    .and_then(|t| t.split_once('#'))
                    .map_or((None, "index".to_string()), |(c, a)| {
                        (Some(c.to_string()), a.to_string())
                    });
                let controller = controller.map(|c| join_module(&scope.module, &c));
                let path = if scope.path.is_empty() {
                    "/".to_string()
                } else {
                    scope.path.clone()
                };
                self.push(module, node, "GET", &path, controller.as_deref(), &action);
            }
            "match" => {
                let via = args.list("via");
                let methods: Vec<String> = if via.iter().any(|v| v == "all") || via.is_empty() {
                    vec!["ANY".to_string()]
                } else {
                    via.iter().map(|v| v.to_ascii_uppercase()).collect()
                };
                for verb in methods {
                    self.verb(module, node, &verb, &args, scope);
                }
            }
            "devise_for" => {
                for name in args.positional.clone() {
                    self.devise(module, node, &name, &args, scope);
                }
            }
            verb if VERBS.contains(&verb) => {
                self.verb(module, node, &verb.to_ascii_uppercase(), &args, scope);
            }
            // `constraints(...) do`, `defaults format: :json do`, `with_options … do`, an
            // `api_version(…) do` of a gem: the routes inside count, in the same scope.
            _ => {
                if let Some(body) = body {
                    self.statements(module, body, scope, drawn);
                }
            }
        }
    }

    fn expand_concern(&mut self, name: &str, scope: &Scope, drawn: &mut Vec<ModuleId>) {
        // A concern that uses itself, directly or not, is expanded once.
        if self.expanding.iter().any(|n| n == name) {
            return;
        }
        let Some(&(module, start, end)) = self.concerns.get(name) else {
            return;
        };
        self.expanding.push(name.to_string());
        let text = self.project.modules[module].text.clone();
        let _ = crate::parse::with_tree(Language::Ruby, &text, |root| {
            if let Some(body) = root.descendant_for_byte_range(start, end) {
                self.statements(module, body, scope, drawn);
            }
        });
        self.expanding.pop();
    }

    /// The routes of `resources :name` (or `resource :name`), and the scope of its block.
    fn resource(
        &mut self,
        module: ModuleId,
        node: Node<'_>,
        name: &str,
        singular: bool,
        args: &Arguments,
        scope: &Scope,
    ) -> Scope {
        let segment = args.option("path").unwrap_or(name);
        let param = args.option("param").unwrap_or("id").to_string();
        // A singular resource's controller is still plural (`resource :profile` → ProfilesController).
        let controller_name = args
            .option("controller")
            .map(str::to_string)
            .unwrap_or_else(|| {
                if singular {
                    pluralize(name)
                } else {
                    name.to_string()
                }
            });
        let controller = join_module(
            &args
                .option("module")
                .map_or(scope.module.clone(), |m| join_module(&scope.module, m)),
            &controller_name,
        );
        // Nested under a parent resource: its member path, or a collection route of its own.
        let (base, shallow_base) = match (&scope.resource, scope.on) {
            // Shallow routes keep the scope's path without the parent resource's.
            (Some(parent), None | Some(On::Member)) => (parent.nested.clone(), scope.path.clone()),
            (Some(parent), Some(On::Collection)) => (parent.collection.clone(), scope.path.clone()),
            (None, _) => (scope.path.clone(), scope.path.clone()),
        };
        let collection = join_paths(&base, segment);
        let shallow = scope.shallow || args.option("shallow") == Some("true");
        let (member, shallow_member) = if singular {
            (collection.clone(), join_paths(&shallow_base, segment))
        } else {
            (
                format!("{collection}/:{param}"),
                format!("{}/:{param}", join_paths(&shallow_base, segment)),
            )
        };
        let member_path = if shallow && scope.resource.is_some() {
            shallow_member.clone()
        } else {
            member.clone()
        };
        let only = args.list("only");
        let except = args.list("except");
        let wanted = |action: &str| {
            (only.is_empty() || only.iter().any(|a| a == action))
                && !except.iter().any(|a| a == action)
                && !(self.api_only && matches!(action, "new" | "edit"))
                && !(args.has("only") && only.is_empty())
        };
        let mut planned: Vec<(String, String, String)> = Vec::new();
        if singular {
            for (action, method, suffix) in SINGULAR_ACTIONS {
                if wanted(action) {
                    planned.push((
                        method.to_string(),
                        format!("{member}{suffix}"),
                        action.to_string(),
                    ));
                }
            }
        } else {
            for (action, method, suffix, on_member) in PLURAL_ACTIONS {
                if wanted(action) {
                    let path = if *on_member {
                        &member_path
                    } else {
                        &collection
                    };
                    planned.push((
                        method.to_string(),
                        format!("{path}{suffix}"),
                        action.to_string(),
                    ));
                }
            }
        }
        for (method, path, action) in planned {
            self.push(module, node, &method, &path, Some(&controller), &action);
        }
        let nested_param = format!(":{}_{param}", singularize(name));
        let nested = if singular {
            member.clone()
        } else if shallow && scope.resource.is_some() {
            format!("{}/{nested_param}", join_paths(&shallow_base, segment))
        } else {
            format!("{collection}/{nested_param}")
        };
        Scope {
            path: scope.path.clone(),
            module: scope.module.clone(),
            controller: None,
            resource: Some(ResourceScope {
                controller,
                collection,
                member: member_path,
                nested,
            }),
            on: None,
            shallow,
        }
    }

    /// `get 'path', to: 'c#a'`, `post :publish` in a member block, `match … via:`.
    fn verb(
        &mut self,
        module: ModuleId,
        node: Node<'_>,
        method: &str,
        args: &Arguments,
        scope: &Scope,
    ) {
        // `get 'login' => 'sessions#new'`: the path and target as a pair.
        let (path, mut target) = match (args.positional.first(), &args.arrow) {
            (Some(path), _) => (path.clone(), args.option("to").map(str::to_string)),
            (None, Some((path, target))) => (path.clone(), Some(target.clone())),
            (None, None) => return,
        };
        if target.is_none()
            && let Some(action) = args.option("action")
        {
            target = Some(format!(
                "{}#{action}",
                args.option("controller").unwrap_or_default()
            ));
        }
        let on = match args.option("on") {
            Some("member") => Some(On::Member),
            Some("collection") => Some(On::Collection),
            _ => scope.on,
        };
        let bare = path.trim_start_matches('/');
        let full = match (&scope.resource, on) {
            (Some(resource), Some(On::Member)) => join_paths(&resource.member, bare),
            (Some(resource), Some(On::Collection)) => join_paths(&resource.collection, bare),
            (Some(resource), None) => join_paths(&resource.nested, bare),
            (None, _) => join_paths(&scope.path, &path),
        };
        // The action: `to:`'s, else the path's last word (`get :preview` → preview), in the
        // resource's controller or the scope's.
        let (controller, action) = match target.as_deref().and_then(|t| t.split_once('#')) {
            Some((controller, action)) if !controller.is_empty() => (
                Some(join_module(&scope.module, controller)),
                action.to_string(),
            ),
            Some((_, action)) => (self.scope_controller(scope), action.to_string()),
            None => (
                self.scope_controller(scope),
                target
                    .clone()
                    .unwrap_or_else(|| bare.rsplit('/').next().unwrap_or(bare).to_string()),
            ),
        };
        self.push(module, node, method, &full, controller.as_deref(), &action);
    }

    fn scope_controller(&self, scope: &Scope) -> Option<String> {
        scope
            .controller
            .as_ref()
            .map(|c| join_module(&scope.module, c))
            .or_else(|| scope.resource.as_ref().map(|r| r.controller.clone()))
    }

    /// Devise's routes for `devise_for :users`: sign in and out, sign up and the account
    /// (whose edit, update and deletion Devise itself keeps to a signed-in user), passwords.
    fn devise(
        &mut self,
        module: ModuleId,
        node: Node<'_>,
        name: &str,
        args: &Arguments,
        scope: &Scope,
    ) {
        let base = join_paths(&scope.path, args.option("path").unwrap_or(name));
        let skip = args.list("skip");
        let mut planned: Vec<(&str, String, &str, &str, bool)> = Vec::new();
        if !skip.iter().any(|s| s == "sessions") {
            planned.push((
                "GET",
                format!("{base}/sign_in"),
                "devise/sessions",
                "new",
                false,
            ));
            planned.push((
                "POST",
                format!("{base}/sign_in"),
                "devise/sessions",
                "create",
                false,
            ));
            planned.push((
                "DELETE",
                format!("{base}/sign_out"),
                "devise/sessions",
                "destroy",
                false,
            ));
        }
        if !skip.iter().any(|s| s == "registrations") {
            planned.push((
                "GET",
                format!("{base}/sign_up"),
                "devise/registrations",
                "new",
                false,
            ));
            planned.push((
                "POST",
                base.clone(),
                "devise/registrations",
                "create",
                false,
            ));
            planned.push((
                "GET",
                format!("{base}/edit"),
                "devise/registrations",
                "edit",
                true,
            ));
            planned.push((
                "PATCH",
                base.clone(),
                "devise/registrations",
                "update",
                true,
            ));
            planned.push(("PUT", base.clone(), "devise/registrations", "update", true));
            planned.push((
                "DELETE",
                base.clone(),
                "devise/registrations",
                "destroy",
                true,
            ));
        }
        if !skip.iter().any(|s| s == "passwords") {
            planned.push((
                "GET",
                format!("{base}/password/new"),
                "devise/passwords",
                "new",
                false,
            ));
            planned.push((
                "POST",
                format!("{base}/password"),
                "devise/passwords",
                "create",
                false,
            ));
            planned.push((
                "GET",
                format!("{base}/password/edit"),
                "devise/passwords",
                "edit",
                false,
            ));
            planned.push((
                "PATCH",
                format!("{base}/password"),
                "devise/passwords",
                "update",
                false,
            ));
            planned.push((
                "PUT",
                format!("{base}/password"),
                "devise/passwords",
                "update",
                false,
            ));
        }
        let lockable = self.ruby.iter().any(|m| {
            let text = &self.project.modules[*m].text;
            text.contains("devise") && text.contains(":lockable")
        });
        for (method, path, controller, action, signed_in) in planned {
            let index = self.routes.len();
            self.push(module, node, method, &path, Some(controller), action);
            if let Some(route) = self.routes.get_mut(index) {
                route.public_by_design = !signed_in;
                // `devise :database_authenticatable, :lockable` locks an account after
                // failed sign-ins: the guessing a rate limit stops.
                if lockable && action == "create" && controller == "devise/sessions" {
                    route.middleware.push(Middleware {
                        name: "Devise :lockable".into(),
                        roles: Roles {
                            rate_limit: true,
                            ..Roles::default()
                        },
                        module,
                        range: range(node),
                    });
                }
            }
            if signed_in && let Some(route) = self.routes.get_mut(index) {
                route.middleware.push(Middleware {
                    name: "authenticate_scope! (Devise)".into(),
                    roles: Roles {
                        auth: true,
                        ..Roles::default()
                    },
                    module,
                    range: range(node),
                });
            }
        }
    }

    fn push(
        &mut self,
        module: ModuleId,
        node: Node<'_>,
        method: &str,
        path: &str,
        controller: Option<&str>,
        action: &str,
    ) {
        let mut middleware: Vec<Middleware> = self
            .throttles
            .iter()
            .filter(|throttle| throttle.covers(path))
            .map(|throttle| Middleware {
                name: "Rack::Attack throttle".into(),
                roles: Roles {
                    rate_limit: true,
                    ..Roles::default()
                },
                module: throttle.module,
                range: throttle.range,
            })
            .take(1)
            .collect();
        middleware.extend(
            controller
                .map(|c| self.controllers.filters(c, action))
                .unwrap_or_default(),
        );
        let body_fields = match (controller, method) {
            (Some(controller), "POST" | "PUT" | "PATCH") => {
                self.controllers.permitted(controller, action)
            }
            _ => Vec::new(),
        };
        self.routes.push(Route {
            framework: Framework::Rails,
            method: method.to_string(),
            path: normalize_path(&strip_format(path)),
            module,
            range: range(node),
            handler: controller.and_then(|c| self.controllers.action(self.project, c, action)),
            middleware,
            param_sources: Vec::new(),
            param_types: Vec::new(),
            serves_files: false,
            view_class: None,
            response_filtered: false,
            body_fields,
            public_by_design: false,
        });
    }
}

/// A `Rack::Attack.throttle` (or `throttle` in `class Rack::Attack`): the paths its block
/// names, or none when it throttles every request (`req.ip` alone).
#[derive(Debug)]
struct Throttle {
    paths: Vec<String>,
    module: ModuleId,
    range: crate::ir::Range,
}

impl Throttle {
    fn covers(&self, path: &str) -> bool {
        let path = strip_format(path);
        self.paths.is_empty()
            || self.paths.iter().any(|named| {
                // `req.path == '/users/sign_in'`, `req.path.start_with?('/api')`.
                path == *named || path.starts_with(&format!("{}/", named.trim_end_matches('/')))
            })
    }
}

/// The throttles rack-attack's configuration declares, in any Ruby file that mentions
/// `Rack::Attack`.
fn rack_attack_throttles(project: &Project, ruby: &[ModuleId]) -> Vec<Throttle> {
    let mut throttles = Vec::new();
    for &module in ruby {
        if !project.modules[module].text.contains("Rack::Attack") {
            continue;
        }
        let text = project.modules[module].text.clone();
        let _ = crate::parse::with_tree(Language::Ruby, &text, |root| {
            let mut stack = vec![root];
            while let Some(node) = stack.pop() {
                if node.kind() == "call" && call_name(node, &text) == Some("throttle") {
                    let body = node
                        .child_by_field_name("block")
                        .map(|b| node_text(b, &text))
                        .unwrap_or_default();
                    // The path literals the block compares `req.path` with.
                    let reads_path = body.contains(".path");
                    let paths: Vec<String> = if reads_path {
                        body.split(['\'', '"'])
                            .skip(1)
                            .step_by(2)
                            .filter(|literal| literal.starts_with('/'))
                            .map(str::to_string)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    // A block that reads the path but names none it can match: nothing known.
                    if !(reads_path && paths.is_empty()) {
                        throttles.push(Throttle {
                            paths,
                            module,
                            range: range(node),
                        });
                    }
                }
                stack.extend(named_children(node));
            }
        });
    }
    throttles
}

/// `(.:format)` and `.:format` endings of a path written by hand.
fn strip_format(path: &str) -> String {
    path.replace("(.:format)", "").replace(".:format", "")
}

/// `api/v1` + `users` → `api/v1/users`.
fn join_module(namespace: &str, name: &str) -> String {
    let name = name.trim_matches('/');
    if namespace.is_empty() {
        name.to_string()
    } else if name.is_empty() {
        namespace.to_string()
    } else {
        format!("{namespace}/{name}")
    }
}

/// The singular of a resource name, by the rules most route names follow.
fn singularize(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes", "zzes"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        name[..name.len() - 2].to_string()
    } else if name.ends_with('s') && !name.ends_with("ss") {
        name[..name.len() - 1].to_string()
    } else {
        name.to_string()
    }
}

/// The plural of a resource name (a singular `resource`'s controller).
fn pluralize(name: &str) -> String {
    if name.ends_with('y')
        && !name.ends_with("ay")
        && !name.ends_with("ey")
        && !name.ends_with("oy")
    {
        format!("{}ies", &name[..name.len() - 1])
    } else if ["s", "x", "ch", "sh", "z"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

fn node_text<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// The method a `call` node calls (`resources`, `before_action`, `permit`).
fn call_name<'t>(call: Node<'_>, text: &'t str) -> Option<&'t str> {
    call.child_by_field_name("method")
        .map(|method| node_text(method, text))
}

/// The value of a symbol, string or constant node: `:posts`, `'posts'`, `"posts"`, `posts:`.
fn word(node: Node<'_>, text: &str) -> Option<String> {
    let raw = node_text(node, text);
    match node.kind() {
        "simple_symbol" => Some(raw.trim_start_matches(':').to_string()),
        "hash_key_symbol" | "identifier" | "constant" => Some(raw.to_string()),
        "string" | "delimited_symbol" | "bare_symbol" | "bare_string" => {
            // No interpolation: a computed path is not a path we can name.
            if named_children(node)
                .iter()
                .any(|c| c.kind() == "interpolation")
            {
                return None;
            }
            Some(
                raw.trim_start_matches(':')
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_string(),
            )
        }
        "true" | "false" | "nil" | "integer" => Some(raw.to_string()),
        _ => None,
    }
}

/// The words of a value: one symbol or string, or an array of them (`[:index, :show]`,
/// `%i[index show]`).
fn words(node: Node<'_>, text: &str) -> Vec<String> {
    match node.kind() {
        "array" | "symbol_array" | "string_array" => named_children(node)
            .into_iter()
            .filter_map(|item| word(item, text))
            .collect(),
        _ => word(node, text).into_iter().collect(),
    }
}

/// A call's arguments: positional words, keyword options, and a `'path' => 'c#a'` pair.
#[derive(Debug, Default)]
struct Arguments {
    positional: Vec<String>,
    options: Vec<(String, Vec<String>)>,
    arrow: Option<(String, String)>,
}

impl Arguments {
    fn of(call: Node<'_>, text: &str) -> Arguments {
        let mut arguments = Arguments::default();
        let Some(list) = call.child_by_field_name("arguments") else {
            return arguments;
        };
        let mut pairs = Vec::new();
        for argument in named_children(list) {
            match argument.kind() {
                "pair" => pairs.push(argument),
                "hash" => pairs.extend(
                    named_children(argument)
                        .into_iter()
                        .filter(|p| p.kind() == "pair"),
                ),
                _ => arguments.positional.extend(word(argument, text)),
            }
        }
        for pair in pairs {
            let (Some(key), Some(value)) = (
                pair.child_by_field_name("key"),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            match key.kind() {
                // `'login' => 'sessions#new'`.
                "string" if arguments.arrow.is_none() => {
                    if let (Some(path), Some(target)) = (word(key, text), word(value, text)) {
                        arguments.arrow = Some((path, target));
                    }
                }
                _ => {
                    if let Some(name) = word(key, text) {
                        arguments.options.push((name, words(value, text)));
                    }
                }
            }
        }
        arguments
    }

    fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(key, _)| key == name)
    }

    fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(key, _)| key == name)
            .and_then(|(_, values)| values.first())
            .map(String::as_str)
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.options
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, values)| values.clone())
            .unwrap_or_default()
    }
}

/// One callback a controller declares.
#[derive(Debug, Clone)]
struct Callback {
    name: String,
    skip: bool,
    only: Vec<String>,
    except: Vec<String>,
    /// How it reads in the source, for the route's middleware list.
    label: String,
    module: ModuleId,
    range: crate::ir::Range,
}

impl Callback {
    fn applies_to(&self, action: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|a| a == action))
            && !self.except.iter().any(|a| a == action)
    }
}

/// One controller (or concern): its superclass, included concerns and callbacks in order.
#[derive(Debug, Clone, Default)]
struct ControllerClass {
    superclass: Option<String>,
    includes: Vec<String>,
    callbacks: Vec<Callback>,
    /// Its methods: name, the methods of the class it calls, the fields it permits
    /// (`params.require(:post).permit(:title, :body)`).
    methods: Vec<(String, Vec<String>, Vec<String>)>,
    /// Where each method starts, by name, in the module that declares the class.
    method_starts: Vec<(String, ModuleId, u32)>,
}

/// Every controller and concern of the project, by underscored path (`admin/users`,
/// `application`, `concerns/authenticable`), and the bodies of the methods they define.
#[derive(Debug, Default)]
struct Controllers {
    classes: BTreeMap<String, ControllerClass>,
    /// Method name → whether some definition of it can end the request.
    methods: BTreeMap<String, bool>,
    /// Methods that compare a key from the request with a secret and can refuse
    /// (`secure_compare(params[:key], Setting.api_key)`): authentication whatever their name.
    credential_checks: BTreeMap<String, bool>,
}

impl Controllers {
    fn read(project: &Project, ruby: &[ModuleId]) -> Controllers {
        let mut controllers = Controllers::default();
        for &module in ruby {
            let path = &project.modules[module].path;
            if path.ends_with("config/routes.rb")
                || path.contains("/config/")
                || path.starts_with("config/")
            {
                continue;
            }
            // Controllers, their concerns and the modules they include; models, jobs and
            // libraries are not parsed a second time.
            let source = &project.modules[module].text;
            if !(path.contains("controllers/")
                || source.contains("Controller")
                || source.contains("before_action")
                || source.contains("ActiveSupport::Concern"))
            {
                continue;
            }
            let text = project.modules[module].text.clone();
            let _ = crate::parse::with_tree(Language::Ruby, &text, |root| {
                controllers.declarations(module, root, &text, "");
            });
        }
        controllers.refusals_through_helpers();
        controllers
    }

    /// A method that calls a helper of the project which can end the request can end it too
    /// (`require_admin` calling `render_403`, `authorize` calling `deny_access`, which calls
    /// `require_login`): the refusals spread to their callers, a few levels deep.
    fn refusals_through_helpers(&mut self) {
        let mut calls_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for class in self.classes.values() {
            for (name, calls, _) in &class.methods {
                calls_of
                    .entry(name.clone())
                    .or_default()
                    .extend(calls.iter().cloned());
            }
        }
        for _ in 0..6 {
            let mut changed = false;
            for (name, calls) in &calls_of {
                if self.methods.get(name) == Some(&false)
                    && calls
                        .iter()
                        .any(|c| c != name && self.methods.get(c) == Some(&true))
                {
                    self.methods.insert(name.clone(), true);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Classes and modules (nested `module Admin; class UsersController`) and their bodies.
    fn declarations(&mut self, module: ModuleId, node: Node<'_>, text: &str, namespace: &str) {
        for child in named_children(node) {
            match child.kind() {
                "module" | "class" => {
                    let Some(name) = child
                        .child_by_field_name("name")
                        .map(|n| node_text(n, text))
                    else {
                        continue;
                    };
                    let qualified = join_module(namespace, &underscore(name));
                    if child.kind() == "class" {
                        let superclass = child
                            .child_by_field_name("superclass")
                            .and_then(|s| named_children(s).into_iter().next())
                            .map(|s| underscore(node_text(s, text)));
                        let mut class = ControllerClass {
                            superclass,
                            ..ControllerClass::default()
                        };
                        if let Some(body) = child.child_by_field_name("body") {
                            self.members(module, body, text, &mut class);
                        }
                        self.classes.insert(qualified.clone(), class);
                    } else if let Some(body) = child.child_by_field_name("body") {
                        // A concern: `included do before_action … end` and its methods.
                        let mut concern = ControllerClass::default();
                        self.members(module, body, text, &mut concern);
                        if !concern.callbacks.is_empty() {
                            self.classes.insert(qualified.clone(), concern);
                        }
                    }
                    if let Some(body) = child.child_by_field_name("body") {
                        self.declarations(module, body, text, &qualified);
                    }
                }
                _ => {}
            }
        }
    }

    fn members(
        &mut self,
        module: ModuleId,
        body: Node<'_>,
        text: &str,
        class: &mut ControllerClass,
    ) {
        for member in named_children(body) {
            match member.kind() {
                "method" => {
                    if let Some(name) = member.child_by_field_name("name") {
                        let name = node_text(name, text).to_string();
                        let body = node_text(member, text);
                        let refuses = can_end_request(body);
                        let known = self.methods.entry(name.clone()).or_insert(false);
                        *known |= refuses;
                        let checks_credential = refuses
                            && [
                                "secure_compare",
                                "params[:key]",
                                "params[:api_key]",
                                "params[:token]",
                                "api_key",
                                "authenticate_with_http_token",
                                "authenticate_with_http_basic",
                            ]
                            .iter()
                            .any(|w| body.contains(w));
                        *self.credential_checks.entry(name.clone()).or_insert(false) |=
                            checks_credential;
                        let mut calls = Vec::new();
                        let mut permitted = Vec::new();
                        calls_and_permits(member, text, &mut calls, &mut permitted);
                        class.method_starts.push((
                            name.clone(),
                            module,
                            member.start_byte() as u32,
                        ));
                        class.methods.push((name, calls, permitted));
                    }
                }
                "call" => {
                    let Some(method) = call_name(member, text) else {
                        continue;
                    };
                    let args = Arguments::of(member, text);
                    match method {
                        "before_action"
                        | "prepend_before_action"
                        | "before_filter"
                        | "skip_before_action"
                        | "skip_before_filter" => {
                            let skip = method.starts_with("skip");
                            for name in &args.positional {
                                class.callbacks.push(Callback {
                                    name: name.clone(),
                                    skip,
                                    only: args.list("only"),
                                    except: args.list("except"),
                                    label: format!("{method} :{name}"),
                                    module,
                                    range: range(member),
                                });
                            }
                        }
                        // Authentication the framework does itself.
                        // Rails 7.2's `rate_limit to: 10, within: 3.minutes, only: :create`.
                        "http_basic_authenticate_with"
                        | "load_and_authorize_resource"
                        | "authorize_resource"
                        | "rate_limit" => class.callbacks.push(Callback {
                            name: method.to_string(),
                            skip: false,
                            only: args.list("only"),
                            except: args.list("except"),
                            label: method.to_string(),
                            module,
                            range: range(member),
                        }),
                        "include" => class.includes.extend(
                            member
                                .child_by_field_name("arguments")
                                .map(named_children)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| underscore(node_text(c, text))),
                        ),
                        // `included do … end` of a concern.
                        "included" => {
                            if let Some(block) = member
                                .child_by_field_name("block")
                                .and_then(|b| b.child_by_field_name("body"))
                            {
                                self.members(module, block, text, class);
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// The body fields `action` of `controller` permits: those of the strong-parameter methods
    /// it calls (`Post.new(post_params)`), or of the controller's only one.
    fn permitted(&self, controller: &str, action: &str) -> Vec<String> {
        let Some(class) = self.classes.get(&format!("{controller}_controller")) else {
            return Vec::new();
        };
        let permitting: Vec<&(String, Vec<String>, Vec<String>)> = class
            .methods
            .iter()
            .filter(|(_, _, permitted)| !permitted.is_empty())
            .collect();
        let called: Vec<&str> = class
            .methods
            .iter()
            .filter(|(name, _, _)| name == action)
            .flat_map(|(_, calls, permitted)| {
                // The action may permit its fields itself.
                let own = (!permitted.is_empty()).then_some(action);
                calls.iter().map(String::as_str).chain(own)
            })
            .collect();
        let mut fields: Vec<String> = permitting
            .iter()
            .filter(|(name, _, _)| called.contains(&name.as_str()))
            .flat_map(|(_, _, permitted)| permitted.iter().cloned())
            .collect();
        if fields.is_empty() && permitting.len() == 1 {
            fields = permitting[0].2.clone();
        }
        fields.dedup();
        fields
    }

    /// The callbacks that run before `action` of `controller` (`admin/users`), as middleware,
    /// superclass and concerns first.
    /// The method answering an action: the controller's own, or one it inherits.
    fn action(
        &self,
        project: &Project,
        controller: &str,
        action: &str,
    ) -> Option<(ModuleId, crate::ir::FunctionId)> {
        let mut current = format!("{controller}_controller");
        // Bounded: a superclass cycle in broken code must not loop.
        for _ in 0..8 {
            let class = self.classes.get(&current)?;
            if let Some((_, module, start)) = class
                .method_starts
                .iter()
                .find(|(name, _, _)| name == action)
            {
                let functions = &project.modules[*module].functions;
                return functions
                    .iter()
                    .position(|f| f.range.start_byte == *start && f.name.as_deref() == Some(action))
                    .map(|id| (*module, id));
            }
            current = class.superclass.clone()?;
        }
        None
    }

    fn filters(&self, controller: &str, action: &str) -> Vec<Middleware> {
        let mut chain: Vec<Callback> = Vec::new();
        let mut seen = Vec::new();
        self.collect(&format!("{controller}_controller"), &mut chain, &mut seen);
        // What the chain runs for this action: each name once, a later skip removing it.
        let mut active: Vec<&Callback> = Vec::new();
        for callback in &chain {
            if !callback.applies_to(action) {
                continue;
            }
            if callback.skip {
                active.retain(|a| a.name != callback.name);
            } else if !active.iter().any(|a| a.name == callback.name) {
                active.push(callback);
            }
        }
        active
            .into_iter()
            .map(|callback| Middleware {
                name: callback.label.clone(),
                roles: self.roles(&callback.name),
                module: callback.module,
                range: callback.range,
            })
            .collect()
    }

    fn collect(&self, name: &str, chain: &mut Vec<Callback>, seen: &mut Vec<String>) {
        if seen.iter().any(|s| s == name) {
            return;
        }
        seen.push(name.to_string());
        // `Admin::UsersController < BaseController` names its superclass relative to its
        // namespace first, as Ruby looks constants up.
        let class = self.classes.get(name).or_else(|| {
            let short = name.rsplit('/').next().unwrap_or(name);
            self.classes
                .iter()
                .find(|(key, _)| key.rsplit('/').next() == Some(short))
                .map(|(_, class)| class)
        });
        let Some(class) = class else {
            return;
        };
        if let Some(parent) = &class.superclass {
            let namespace = name.rsplit_once('/').map_or("", |(n, _)| n);
            let relative = join_module(namespace, parent);
            if self.classes.contains_key(&relative) {
                self.collect(&relative, chain, seen);
            } else {
                self.collect(parent, chain, seen);
            }
        }
        for concern in &class.includes {
            self.collect(concern, chain, seen);
        }
        chain.extend(class.callbacks.iter().cloned());
    }

    /// What a callback does: its name, checked against its body when the project defines it.
    fn roles(&self, name: &str) -> Roles {
        match name {
            "http_basic_authenticate_with" => {
                return Roles {
                    auth: true,
                    ..Roles::default()
                };
            }
            "load_and_authorize_resource" | "authorize_resource" => {
                return Roles {
                    role: true,
                    ..Roles::default()
                };
            }
            // CSRF protection, not authentication.
            "verify_authenticity_token" => return Roles::default(),
            _ => {}
        }
        let mut roles = classify(name);
        if self.credential_checks.get(name) == Some(&true) && !roles.rate_limit {
            roles.auth = true;
        }
        if (roles.auth || roles.role)
            && let Some(refuses) = self.methods.get(name)
            && !*refuses
        {
            roles.auth = false;
            roles.role = false;
            roles.passes_anonymous = true;
        }
        roles
    }
}

/// The identifiers a method calls (`post_params`) and the fields its `permit(...)` calls name
/// (`:title`, `tags: []`).
fn calls_and_permits(
    node: Node<'_>,
    text: &str,
    calls: &mut Vec<String>,
    permitted: &mut Vec<String>,
) {
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        match current.kind() {
            "identifier" => {
                let name = node_text(current, text).to_string();
                if !calls.contains(&name) {
                    calls.push(name);
                }
            }
            "call" if call_name(current, text) == Some("permit") => {
                if let Some(list) = current.child_by_field_name("arguments") {
                    for argument in named_children(list) {
                        let keys: Vec<Node<'_>> = match argument.kind() {
                            "pair" => vec![argument],
                            "hash" => named_children(argument),
                            _ => {
                                permitted.extend(word(argument, text));
                                continue;
                            }
                        };
                        for pair in keys {
                            if let Some(key) = pair.child_by_field_name("key") {
                                permitted.extend(word(key, text));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        stack.extend(named_children(current));
    }
}

/// Whether a method's code can answer instead of the action: a status, a rendered or
/// redirected answer, an exception, HTTP authentication, or another authentication filter.
fn can_end_request(body: &str) -> bool {
    [
        "head ",
        "head(",
        "render ",
        "render(",
        "redirect_to",
        "raise",
        "authenticate_or_request_with_http",
        "request_http_token_authentication",
        "request_http_basic_authentication",
        "throw(:warden",
        "throw :warden",
    ]
    .iter()
    .any(|marker| body.contains(marker))
        || body
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '!'))
            .any(|word| word.starts_with("authenticate_") && word.ends_with('!'))
}

/// `Admin::UsersController` → `admin/users_controller`; `ApplicationController` →
/// `application_controller`.
fn underscore(name: &str) -> String {
    name.split("::")
        .map(|part| {
            let mut out = String::new();
            for (index, c) in part.chars().enumerate() {
                if c.is_ascii_uppercase() {
                    if index > 0 {
                        out.push('_');
                    }
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use crate::routes::express::tests::inventory;

    /// Every route as `METHOD path [filters that authenticate]`, sorted.
    fn lines(files: &[(&str, &str)]) -> Vec<String> {
        let (_, inventory) = inventory(files);
        let mut lines: Vec<String> = inventory
            .routes
            .iter()
            .map(|route| {
                let auth: Vec<&str> = route
                    .middleware
                    .iter()
                    .filter(|m| m.roles.auth || m.roles.role)
                    .map(|m| m.name.as_str())
                    .collect();
                format!("{} {} [{}]", route.method, route.path, auth.join(", "))
            })
            .collect();
        lines.sort();
        lines
    }

    fn sorted(expected: &[&str]) -> Vec<String> {
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        expected
    }

    const APPLICATION: &str = "class ApplicationController < ActionController::Base\n  before_action :authenticate_user!\nend\n";

    #[test]
    fn resources_expand_to_their_actions_narrowed_by_only_and_except() {
        let routes = lines(&[
            (
                "config/routes.rb",
                "Rails.application.routes.draw do\n  # resources :commented_out\n  resources :posts, only: [:index, :show, :create]\n  resources :tags, except: %i[new edit destroy]\n  resource :profile, only: [:show, :update]\n  root 'home#index'\nend\n",
            ),
            ("app/controllers/application_controller.rb", APPLICATION),
            (
                "app/controllers/posts_controller.rb",
                "class PostsController < ApplicationController\n  skip_before_action :authenticate_user!, only: [:index, :show]\n  def index; end\nend\n",
            ),
            (
                "app/controllers/tags_controller.rb",
                "class TagsController < ApplicationController\nend\n",
            ),
            (
                "app/controllers/profiles_controller.rb",
                "class ProfilesController < ApplicationController\nend\n",
            ),
        ]);
        // The root's HomeController is not in the project: nothing is known of its filters.
        assert_eq!(
            routes,
            sorted(&[
                "GET /posts []",
                "POST /posts [before_action :authenticate_user!]",
                "GET /posts/{id} []",
                "GET /tags [before_action :authenticate_user!]",
                "POST /tags [before_action :authenticate_user!]",
                "GET /tags/{id} [before_action :authenticate_user!]",
                "PATCH /tags/{id} [before_action :authenticate_user!]",
                "PUT /tags/{id} [before_action :authenticate_user!]",
                "GET /profile [before_action :authenticate_user!]",
                "PATCH /profile [before_action :authenticate_user!]",
                "PUT /profile [before_action :authenticate_user!]",
                "GET / []",
            ])
        );
    }

    #[test]
    fn namespaces_scopes_nesting_members_and_collections() {
        let routes = lines(&[
            (
                "config/routes.rb",
                r#"Rails.application.routes.draw do
  namespace :api do
    namespace :v1 do
      post "auth/login", to: "authentication#login"
      resources :projects, param: :slug do
        resources :tasks, only: [:index, :destroy]
        member do
          post :archive
        end
        get :stats, on: :collection
      end
    end
  end
  scope "/admin", module: "admin" do
    resources :users, only: :index
  end
  get "/health" => "status#show"
  match "/webhook", to: "hooks#receive", via: [:get, :post]
end
"#,
            ),
            (
                "app/controllers/api/v1/base_controller.rb",
                "module Api\n  module V1\n    class BaseController < ActionController::API\n      before_action :authorize_request\n      private\n      def authorize_request\n        header = request.headers['Authorization']\n        @current_user = User.find(JsonWebToken.decode(header)[:user_id])\n      rescue ActiveRecord::RecordNotFound, JWT::DecodeError\n        render json: { errors: 'unauthorized' }, status: :unauthorized\n      end\n    end\n  end\nend\n",
            ),
            (
                "app/controllers/api/v1/authentication_controller.rb",
                "module Api\n  module V1\n    class AuthenticationController < BaseController\n      skip_before_action :authorize_request, only: :login\n    end\n  end\nend\n",
            ),
            (
                "app/controllers/api/v1/projects_controller.rb",
                "class Api::V1::ProjectsController < Api::V1::BaseController\nend\n",
            ),
            (
                "app/controllers/admin/users_controller.rb",
                "class Admin::UsersController < ApplicationController\n  before_action :set_user\nend\n",
            ),
        ]);
        assert_eq!(
            routes,
            sorted(&[
                "POST /api/v1/auth/login []",
                "GET /api/v1/projects [before_action :authorize_request]",
                "POST /api/v1/projects [before_action :authorize_request]",
                "GET /api/v1/projects/new [before_action :authorize_request]",
                "GET /api/v1/projects/{slug} [before_action :authorize_request]",
                "GET /api/v1/projects/{slug}/edit [before_action :authorize_request]",
                "PATCH /api/v1/projects/{slug} [before_action :authorize_request]",
                "PUT /api/v1/projects/{slug} [before_action :authorize_request]",
                "DELETE /api/v1/projects/{slug} [before_action :authorize_request]",
                "GET /api/v1/projects/{project_slug}/tasks []",
                "DELETE /api/v1/projects/{project_slug}/tasks/{id} []",
                "POST /api/v1/projects/{slug}/archive [before_action :authorize_request]",
                "GET /api/v1/projects/stats [before_action :authorize_request]",
                "GET /admin/users []",
                "GET /health []",
                "GET /webhook []",
                "POST /webhook []",
            ])
        );
    }

    #[test]
    fn a_filter_named_like_authentication_that_never_refuses_is_not_authentication() {
        let (_, inventory) = inventory(&[
            (
                "config/routes.rb",
                "Rails.application.routes.draw do\n  resources :notes, only: [:index]\n  resources :reports, only: [:index]\nend\n",
            ),
            (
                "app/controllers/notes_controller.rb",
                "class NotesController < ActionController::API\n  before_action :authenticate_user\n  def authenticate_user\n    @current_user = User.find_by(token: request.headers['X-Token'])\n  end\nend\n",
            ),
            (
                "app/controllers/reports_controller.rb",
                "class ReportsController < ActionController::Base\n  include Authenticable\n  skip_before_action :verify_authenticity_token\nend\n",
            ),
            (
                "app/controllers/concerns/authenticable.rb",
                "module Authenticable\n  extend ActiveSupport::Concern\n  included do\n    before_action :require_login\n  end\n  def require_login\n    head :unauthorized unless current_user\n  end\nend\n",
            ),
        ]);
        let notes = &inventory.routes[0];
        assert_eq!(notes.path, "/notes");
        assert!(!notes.has_auth_middleware());
        assert_eq!(notes.anonymous_passes().count(), 1);
        let reports = &inventory.routes[1];
        assert_eq!(reports.path, "/reports");
        assert!(reports.has_auth_middleware(), "{:?}", reports.middleware);
    }

    #[test]
    fn api_only_apps_drop_new_and_edit_and_devise_routes_are_listed() {
        let routes = lines(&[
            (
                "config/application.rb",
                "module Shop\n  class Application < Rails::Application\n    config.api_only = true\n  end\nend\n",
            ),
            (
                "config/routes.rb",
                "Rails.application.routes.draw do\n  devise_for :users, skip: [:passwords]\n  resources :orders, shallow: true do\n    resources :items\n  end\n  draw :admin\nend\n",
            ),
            (
                "config/routes/admin.rb",
                "namespace :admin do\n  resources :stats, only: :index\nend\n",
            ),
        ]);
        for expected in [
            "POST /users/sign_in []",
            "DELETE /users/sign_out []",
            "POST /users []",
            "DELETE /users [authenticate_scope! (Devise)]",
            "GET /orders []",
            "GET /orders/{order_id}/items []",
            "POST /orders/{order_id}/items []",
            "GET /items/{id} []",
            "DELETE /items/{id} []",
            "GET /admin/stats []",
        ] {
            assert!(
                routes.iter().any(|r| r == expected),
                "{expected}: {routes:#?}"
            );
        }
        // The resources' form pages are gone (Devise keeps its own).
        assert!(
            !routes
                .iter()
                .any(|r| r.contains("s/new") || r.contains("}/edit")),
            "{routes:#?}"
        );
        assert!(
            !routes.iter().any(|r| r.contains("password")),
            "{routes:#?}"
        );
    }

    #[test]
    fn strong_parameters_give_the_body_fields_of_creates_and_updates() {
        let (_, inventory) = inventory(&[
            (
                "config/routes.rb",
                "Rails.application.routes.draw do\n  resources :notes, only: [:create, :update, :show]\nend\n",
            ),
            (
                "app/controllers/notes_controller.rb",
                "class NotesController < ApplicationController\n  def create\n    @note = current_user.notes.create!(note_params)\n    render json: @note, status: :created\n  end\n  def update\n    Note.find(params[:id]).update(params.permit(:title))\n  end\n  private\n  def note_params\n    params.require(:note).permit(:title, :body, tags: [])\n  end\nend\n",
            ),
        ]);
        let fields = |method: &str| {
            inventory
                .routes
                .iter()
                .find(|r| r.method == method)
                .map(|r| r.body_fields.clone())
                .unwrap_or_default()
        };
        assert_eq!(fields("POST"), ["title", "body", "tags"]);
        assert_eq!(fields("PATCH"), ["title"]);
        assert!(fields("GET").is_empty());
    }

    #[test]
    fn rack_attack_and_rate_limit_throttle_the_routes_they_name() {
        let (_, inventory) = inventory(&[
            (
                "config/routes.rb",
                "Rails.application.routes.draw do\n  post '/login', to: 'sessions#create'\n  post '/signup', to: 'users#create'\n  post '/reset', to: 'passwords#create'\n  resources :posts, only: [:index]\nend\n",
            ),
            (
                "config/initializers/rack_attack.rb",
                "class Rack::Attack\n  throttle('logins/ip', limit: 5, period: 20.seconds) do |req|\n    req.ip if req.path == '/login' && req.post?\n  end\nend\n",
            ),
            (
                "app/controllers/users_controller.rb",
                "class UsersController < ApplicationController\n  rate_limit to: 10, within: 3.minutes, only: :create\nend\n",
            ),
        ]);
        let limited: Vec<(&str, bool)> = inventory
            .routes
            .iter()
            .map(|r| (r.path.as_str(), r.is_rate_limited()))
            .collect();
        assert_eq!(
            limited,
            [
                ("/login", true),
                ("/signup", true),
                ("/reset", false),
                ("/posts", false),
            ]
        );
    }

    #[test]
    fn devise_lockable_limits_sign_in_guessing() {
        let sign_in_limited = |model: &str| {
            let (_, inventory) = inventory(&[
                (
                    "config/routes.rb",
                    "Rails.application.routes.draw do\n  devise_for :users\nend\n",
                ),
                ("app/models/user.rb", model),
            ]);
            inventory
                .routes
                .iter()
                .find(|r| r.method == "POST" && r.path == "/users/sign_in")
                .expect("sign in")
                .is_rate_limited()
        };
        assert!(sign_in_limited(
            "class User < ApplicationRecord\n  devise :database_authenticatable, :registerable, :lockable\nend\n"
        ));
        assert!(!sign_in_limited(
            "class User < ApplicationRecord\n  devise :database_authenticatable, :registerable\nend\n"
        ));
    }

    #[test]
    fn ruby_that_draws_no_routes_makes_none() {
        // `resources` outside the routes file, in a string or a comment, routes nothing.
        // A concern that uses itself is expanded once.
        let looped = lines(&[(
            "config/routes.rb",
            "Rails.application.routes.draw do\n  concern :c do\n    concerns :c\n    resources :notes, only: :index\n  end\n  concerns :c\nend\n",
        )]);
        assert_eq!(looped, ["GET /notes []"]);
        let routes = lines(&[
            (
                "app/models/post.rb",
                "class Post < ApplicationRecord\n  def resources\n    get 'x'\n  end\nend\n",
            ),
            (
                "config/routes.rb",
                "Rails.application.routes.draw do\n  # resources :posts\n  DOC = \"resources :users\"\nend\n",
            ),
        ]);
        assert!(routes.is_empty(), "{routes:?}");
    }
}
