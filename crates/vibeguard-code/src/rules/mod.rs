//! The code rules (VG1xx), one file each with its metadata, documentation and logic.
//!
//! A rule whose flaw is a data flow (SQL built from request data, say) also has a
//! [`FlowRule`] half: its sinks, sanitizers and the labels it accepts. The engine runs the
//! data-flow analysis once with the flow halves of every enabled rule and hands each rule its
//! hits; the rule turns them into findings. Other rules read the program model, the route
//! inventory and the data models directly.

mod code_injection;
mod command_injection;
mod cross_site_request_forgery;
mod cross_site_scripting;
mod debug_mode;
mod error_details_exposed;
mod graphql_without_limits;
mod hardcoded_database_credentials;
mod hardcoded_signing_secret;
mod insecure_cookie;
mod jwt_verification_bypass;
mod jwt_without_expiry;
mod mass_assignment;
mod missing_ownership_check;
mod missing_rate_limit;
mod missing_security_headers;
mod nosql_injection;
mod open_redirect;
mod path_traversal;
mod permissive_cors;
mod predictable_token;
mod reset_token_without_expiry;
mod route_without_authentication;
mod sensitive_data_logged;
mod sensitive_record_exposure;
mod server_side_request_forgery;
mod sql_injection;
mod token_in_web_storage;
mod unrestricted_file_upload;
mod weak_password_hashing;

use std::sync::Arc;

use vibeguard_core::{
    ChecklistId, CodeFrame, Evidence, Finding, FlowStep, Location, RuleMeta, Span,
};

use crate::flow::label::Label;
use crate::flow::{FlowResults, FlowRule, Hit};
use crate::ir::{Expr, ExprKind, FunctionId, Module, Range, Stmt};
use crate::models::ModelInventory;
use crate::project::{ModuleId, Project};
use crate::routes::RouteInventory;

/// Every code rule, in code order.
pub static ALL: &[&dyn CodeRule] = &[
    &sql_injection::SqlInjection,
    &nosql_injection::NosqlInjection,
    &command_injection::CommandInjection,
    &code_injection::CodeInjection,
    &path_traversal::PathTraversal,
    &open_redirect::OpenRedirect,
    &server_side_request_forgery::ServerSideRequestForgery,
    &mass_assignment::MassAssignment,
    &sensitive_record_exposure::SensitiveRecordExposure,
    &missing_ownership_check::MissingOwnershipCheck,
    &route_without_authentication::RouteWithoutAuthentication,
    &weak_password_hashing::WeakPasswordHashing,
    &jwt_without_expiry::JwtWithoutExpiry,
    &jwt_verification_bypass::JwtVerificationBypass,
    &hardcoded_signing_secret::HardcodedSigningSecret,
    &predictable_token::PredictableToken,
    &reset_token_without_expiry::ResetTokenWithoutExpiry,
    &token_in_web_storage::TokenInWebStorage,
    &insecure_cookie::InsecureCookie,
    &permissive_cors::PermissiveCors,
    &missing_security_headers::MissingSecurityHeaders,
    &missing_rate_limit::MissingRateLimit,
    &error_details_exposed::ErrorDetailsExposed,
    &sensitive_data_logged::SensitiveDataLogged,
    &unrestricted_file_upload::UnrestrictedFileUpload,
    &hardcoded_database_credentials::HardcodedDatabaseCredentials,
    &graphql_without_limits::GraphqlWithoutLimits,
    &cross_site_scripting::CrossSiteScripting,
    &cross_site_request_forgery::CrossSiteRequestForgery,
    &debug_mode::DebugMode,
];

/// Whether a rule had anything to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicability {
    /// It looked at something of its kind.
    Applied,
    /// Nothing of its kind was found; the reason says what was missing.
    NotApplicable(&'static str),
    /// The code has none of what the rule judges (no cookies set, no GraphQL server, no
    /// password handling): its checklist items may be "not applicable" rather than unverified.
    Absent(&'static str),
    /// It looked at something, but not at anything one of its checklist items is about (a
    /// secrets rule that saw no token signing says nothing about JWTs).
    AppliedExcept(ChecklistId, vibeguard_core::Text),
    /// It looked at something, but the subject of one of its items is absent from the code
    /// (a secrets rule that saw no token signing: AUTH-07 has nothing to judge here).
    AppliedExceptAbsent(ChecklistId, &'static str),
}

/// What rules read.
#[derive(Debug)]
pub struct Context<'p> {
    /// Every parsed module.
    pub project: &'p Project,
    /// The routes.
    pub routes: &'p RouteInventory,
    /// The data models.
    pub models: &'p ModelInventory,
    /// The data-flow results.
    pub flow: &'p FlowResults,
    /// Secret values rules found written in the code; every output masks them.
    pub secrets: std::sync::Mutex<Vec<String>>,
    /// Calls, statements and qualified callees, indexed once ([`CodeIndex`]).
    pub index: CodeIndex<'p>,
    /// The project's template files.
    pub templates: Vec<crate::templates::TemplateFile>,
    /// Rails' database configurations (`config/database.yml`), as (path, text).
    pub database_configs: Vec<(String, String)>,
}

/// What rules look for, collected in one pass over each module (in parallel) so that rules
/// do not walk the whole project each: per function, its calls, comparisons, string literals,
/// object literals and statements; per module, every callee's qualified name.
#[derive(Debug, Default)]
pub struct CodeIndex<'p> {
    modules: Vec<ModuleIndex<'p>>,
}

#[derive(Debug, Default)]
struct ModuleIndex<'p> {
    /// Per function: its calls.
    calls: Vec<Vec<&'p Expr>>,
    /// Per function: comparisons, strings and object literals.
    others: Vec<Vec<&'p Expr>>,
    /// Per function: every statement.
    stmts: Vec<Vec<&'p Stmt>>,
    /// The qualified name of every callee, by the callee expression's address (the program
    /// model does not move while rules run).
    callees: std::collections::HashMap<usize, String, BuildAddressHasher>,
}

/// Hashes an address with one multiplication: keys are distinct pointers, so no protection
/// against crafted collisions is needed, and SipHash would cost more than the lookup.
#[derive(Debug, Default, Clone, Copy)]
struct BuildAddressHasher;

#[derive(Debug, Default)]
struct AddressHasher(u64);

impl std::hash::BuildHasher for BuildAddressHasher {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*byte)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_usize(&mut self, value: usize) {
        self.0 = (value as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
}

impl<'p> CodeIndex<'p> {
    /// Indexes every module.
    pub fn build(project: &'p Project) -> CodeIndex<'p> {
        use rayon::prelude::*;
        let modules = (0..project.modules.len())
            .into_par_iter()
            .map(|module| {
                let m = &project.modules[module];
                let mut index = ModuleIndex::default();
                for function in &m.functions {
                    let mut calls = Vec::new();
                    let mut others = Vec::new();
                    function.walk_exprs(&mut |e| match &e.kind {
                        ExprKind::Call { callee, .. } => {
                            let qualified = project
                                .qualify(module, callee, &|_| crate::project::Local::Unknown)
                                .unwrap_or_default();
                            index
                                .callees
                                .insert(std::ptr::from_ref(callee.as_ref()) as usize, qualified);
                            calls.push(e);
                        }
                        ExprKind::Binary { .. } | ExprKind::Str(_) | ExprKind::Object(_) => {
                            others.push(e)
                        }
                        _ => {}
                    });
                    let mut stmts = Vec::new();
                    function.walk_stmts(&mut |stmt| stmts.push(stmt));
                    index.calls.push(calls);
                    index.others.push(others);
                    index.stmts.push(stmts);
                }
                index
            })
            .collect();
        CodeIndex { modules }
    }

    /// The qualified name of a callee expression (empty when it cannot be resolved).
    pub fn qualified(&self, module: ModuleId, callee: &Expr) -> &str {
        self.modules
            .get(module)
            .and_then(|index| index.callees.get(&(std::ptr::from_ref(callee) as usize)))
            .map_or("", String::as_str)
    }

    /// Whether some call anywhere has a qualified name starting with one of `prefixes`.
    pub fn any_call_starts_with(&self, prefixes: &[&str]) -> bool {
        self.modules
            .iter()
            .flat_map(|m| m.callees.values())
            .any(|q| prefixes.iter().any(|p| q.starts_with(p)))
    }

    /// Visits the calls, comparisons, strings and object literals of a function (not of the
    /// functions nested in it), as `Function::walk_exprs` would but without the walk.
    pub fn exprs(&self, module: ModuleId, function: FunctionId, visit: &mut dyn FnMut(&'p Expr)) {
        self.calls(module, function, visit);
        if let Some(others) = self
            .modules
            .get(module)
            .and_then(|m| m.others.get(function))
        {
            for e in others {
                visit(e);
            }
        }
    }

    /// Visits the calls of a function (not of the functions nested in it).
    pub fn calls(&self, module: ModuleId, function: FunctionId, visit: &mut dyn FnMut(&'p Expr)) {
        if let Some(calls) = self.modules.get(module).and_then(|m| m.calls.get(function)) {
            for e in calls {
                visit(e);
            }
        }
    }

    /// Visits every statement of a function (not of the functions nested in it).
    pub fn stmts(&self, module: ModuleId, function: FunctionId, visit: &mut dyn FnMut(&'p Stmt)) {
        if let Some(stmts) = self.modules.get(module).and_then(|m| m.stmts.get(function)) {
            for stmt in stmts {
                visit(stmt);
            }
        }
    }
}

/// A code rule.
pub trait CodeRule: Sync {
    /// Its metadata and documentation.
    fn meta(&self) -> &'static RuleMeta;

    /// The data-flow half, when the flaw is a flow.
    fn flow(&self) -> Option<&dyn FlowRule> {
        None
    }

    /// Appends the rule's findings; `hits` are the flows its [`CodeRule::flow`] half accepted.
    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability;

    /// The languages beyond JavaScript, TypeScript and Python whose spellings of what it judges
    /// the rule knows (Ruby and Rails, Go). A rule that does not read a language is named among
    /// what was not tested on an app written in it, so that its silence there is never a pass,
    /// and what it says of such files is dropped as noise.
    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[]
    }

    /// Whether the rule reads files of `language`.
    fn reads(&self, language: crate::language::Language) -> bool {
        matches!(
            language,
            crate::language::Language::JavaScript
                | crate::language::Language::TypeScript
                | crate::language::Language::Tsx
                | crate::language::Language::Python
        ) || self.also_reads().contains(&language)
    }

    /// Whether the rule reads template files ([`Context::templates`]).
    fn reads_templates(&self) -> bool {
        false
    }
}

/// The metadata of every code rule.
pub fn rule_metas() -> Vec<RuleMeta> {
    ALL.iter().map(|rule| rule.meta().clone()).collect()
}

impl Context<'_> {
    /// Records a secret value found in the code, so that no report shows it.
    pub fn found_secret(&self, value: &str) {
        if let Ok(mut secrets) = self.secrets.lock()
            && !secrets.iter().any(|s| s == value)
        {
            secrets.push(value.to_string());
        }
    }

    /// The module with this id.
    pub fn module(&self, module: ModuleId) -> &Module {
        &self.project.modules[module]
    }

    /// The report span of a range (columns counted in characters, 1-based).
    pub fn span(&self, module: ModuleId, range: Range) -> Span {
        let text = &self.project.modules[module].text;
        let column = |byte: u32, col: u32| -> u32 {
            let start = byte.saturating_sub(col) as usize;
            let end = byte as usize;
            text.get(start..end)
                .map_or(col, |prefix| prefix.chars().count() as u32)
                + 1
        };
        Span {
            start_line: range.start_line,
            start_column: column(range.start_byte, range.start_col),
            end_line: range.end_line,
            end_column: column(range.end_byte, range.end_col),
        }
    }

    /// A finding at a range, with the code around it as evidence. The identity is the
    /// whitespace-free text of the range plus `extra`, so it survives reformatting and moves.
    pub fn finding(
        &self,
        meta: &RuleMeta,
        module: ModuleId,
        range: Range,
        message: impl Into<String>,
        extra: &str,
    ) -> Finding {
        let m = self.module(module);
        let span = self.span(module, range);
        let code: String = m
            .text_of(range)
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(200)
            .collect();
        let location = Location::Source {
            path: m.path.clone(),
            span: Some(span),
        };
        Finding::new(meta, location, message, format!("{code}|{extra}")).with_evidence(
            Evidence::Code(CodeFrame::excerpt(&m.path, &m.text, span, 2)),
        )
    }

    /// A finding for a data flow: at the sink, with the path from the source as its flow.
    pub fn flow_finding(&self, meta: &RuleMeta, hit: &Hit, message: impl Into<String>) -> Finding {
        let origin = match hit.label.request_part() {
            Some(part) => format!("{part:?}"),
            None => String::new(),
        };
        let finding = self.finding(meta, hit.module, hit.range, message, &origin);
        finding.with_flow(self.flow_steps(&hit.label))
    }

    /// The steps of a label's trace, for a finding.
    pub fn flow_steps(&self, label: &Label) -> Vec<FlowStep> {
        label
            .trace
            .steps()
            .iter()
            .map(|step| FlowStep {
                path: self.module(step.module).path.clone(),
                span: self.span(step.module, step.range),
                note: step.note.to_string(),
            })
            .collect()
    }

    /// The innermost function of `module` containing `range`.
    pub fn enclosing_function(&self, module: ModuleId, range: Range) -> FunctionId {
        enclosing_function(self.module(module), range)
    }
}

/// The innermost function of a module containing `range` (0, the top level, when none).
pub fn enclosing_function(module: &Module, range: Range) -> FunctionId {
    let mut best = 0;
    let mut best_size = u32::MAX;
    for (id, function) in module.functions.iter().enumerate().skip(1) {
        if function.range.contains(&range) {
            let size = function.range.end_byte - function.range.start_byte;
            if size < best_size {
                best = id;
                best_size = size;
            }
        }
    }
    best
}

/// "line N" of a label's source, for messages.
pub fn source_line(label: &Label) -> u32 {
    label
        .trace
        .steps()
        .first()
        .map_or(0, |step| step.range.start_line)
}

/// Reports each flow hit of a rule with the message `message(hit, source)` builds from where
/// the data came from ("the request body (line 12)"), capitalised.
pub fn report_flows(
    cx: &Context<'_>,
    meta: &'static RuleMeta,
    hits: &[&Hit],
    out: &mut Vec<Finding>,
    message: impl Fn(&Hit, &str) -> String,
) {
    for hit in hits {
        let text = message(hit, &describe_source(cx, hit));
        let mut chars = text.chars();
        let capitalised = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        };
        out.push(cx.flow_finding(meta, hit, capitalised));
    }
}

/// How the source of a flow reads in a message: "the request body (line 12)".
pub fn describe_source(cx: &Context<'_>, hit: &Hit) -> String {
    let what = hit
        .label
        .request_part()
        .map_or("request data", |part| part.describe());
    match hit.label.trace.steps().first() {
        Some(first) if first.module != hit.module => format!(
            "{what} ({}:{})",
            cx.module(first.module).path,
            first.range.start_line
        ),
        Some(first) => format!("{what} (line {})", first.range.start_line),
        None => what.to_string(),
    }
}

/// The constant text of an expression used as a query or command: a literal, the constant
/// parts of a template or concatenation, or (through `def`) what a variable was assigned.
pub fn constant_parts(expr: &Expr, def: &dyn Fn(&str) -> Option<Arc<str>>) -> String {
    match &expr.kind {
        ExprKind::Str(text) => text.clone(),
        ExprKind::Template { quasis, .. } => quasis.join(" "),
        ExprKind::Binary { op, left, right } if *op == "+" || *op == "%" => {
            format!(
                "{} {}",
                constant_parts(left, def),
                constant_parts(right, def)
            )
        }
        ExprKind::Call { callee, .. } if callee.method_name() == Some("format") => {
            match &callee.kind {
                ExprKind::Member { object, .. } => constant_parts(object, def),
                _ => String::new(),
            }
        }
        ExprKind::Name(name) => def(name).map(|t| t.to_string()).unwrap_or_default(),
        ExprKind::Await(inner) => constant_parts(inner, def),
        _ => String::new(),
    }
}

/// The constant SQL-ish text of an argument, following a variable to its definition in the
/// enclosing function.
pub fn argument_text(project: &Project, module: ModuleId, expr: &Expr) -> String {
    let m = &project.modules[module];
    let function = enclosing_function(m, expr.range);
    let lookup = |name: &str| -> Option<Arc<str>> {
        let value = crate::scope::definition_before(m, function, name, expr.range.start_byte)?;
        Some(Arc::from(constant_parts(value, &|_| None).as_str()))
    };
    constant_parts(expr, &lookup)
}

/// Whether text reads like SQL.
pub fn looks_like_sql(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    (has("SELECT") && has("FROM"))
        || (has("INSERT") && has("INTO"))
        || (has("UPDATE") && has("SET"))
        || (has("DELETE") && has("FROM"))
        || (has("WHERE") && (has("AND") || has("OR") || upper.contains('=')))
        || has("ORDER") && has("BY")
        || (has("CREATE") && has("TABLE"))
        || (has("DROP") && has("TABLE"))
}

/// The root name of a receiver chain: `res.status(500).json` → `res`.
pub fn chain_root(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Name(name) => Some(name),
        ExprKind::Member { object, .. } | ExprKind::Index { object, .. } => chain_root(object),
        ExprKind::Call { callee, .. } => chain_root(callee),
        ExprKind::Await(inner) => chain_root(inner),
        _ => None,
    }
}

/// Whether a call is in Go code.
pub fn in_go(call: &crate::flow::Call<'_, '_>) -> bool {
    call.project.modules[call.module].language.is_go()
}

/// A Go call's qualified name without its import path's host and folders
/// (`github.com/golang-jwt/jwt.Parse` → `jwt.Parse`, `os/exec.Command` → `exec.Command`).
pub fn go_name(call: &crate::flow::Call<'_, '_>) -> String {
    crate::language::go_qualified_tail(call.qualified())
}

/// Whether `name` is an `http.ResponseWriter` parameter of Go function `function` or of a
/// function around it (a handler returned by a factory writes to its own `w`).
pub fn is_go_response_writer(module: &crate::ir::Module, function: usize, name: &str) -> bool {
    let mut current = Some(function);
    while let Some(id) = current {
        let Some(f) = module.functions.get(id) else {
            return false;
        };
        if let Some(param) = f.params.iter().find(|p| p.name() == Some(name)) {
            return param
                .annotation
                .as_deref()
                .is_some_and(|a| a.ends_with("ResponseWriter"));
        }
        current = f.parent;
    }
    false
}

/// The type a Go variable was declared with in `function` or a function around it (`var u
/// User`, `u := User{}`, `u := new(User)`, lowered as a call of the type), as written.
pub fn go_declared_type<'m>(
    module: &'m crate::ir::Module,
    function: usize,
    name: &str,
) -> Option<&'m str> {
    let mut current = Some(function);
    while let Some(id) = current {
        let f = module.functions.get(id)?;
        if let Some(param) = f.params.iter().find(|p| p.name() == Some(name)) {
            return param.annotation.as_deref();
        }
        let mut found = None;
        f.walk_stmts(&mut |stmt| {
            if found.is_none()
                && let crate::ir::StmtKind::Assign { target, value, .. } = &stmt.kind
                && target.as_name() == Some(name)
                && let Some((callee, args, _)) = value.as_call()
                && args.is_empty()
                && let Some(ty) = callee.as_name()
            {
                found = Some(ty);
            }
        });
        if found.is_some() {
            return found;
        }
        current = f.parent;
    }
    None
}

/// Whether a Go argument is a `context.Context` (`ctx`, `r.Context()`, `context.Background()`),
/// which Go's database and process APIs take first.
pub fn is_go_context(expr: &crate::ir::Expr) -> bool {
    match &expr.kind {
        crate::ir::ExprKind::Name(name) => {
            matches!(name.as_str(), "ctx" | "c" | "context") || name.ends_with("Ctx")
        }
        crate::ir::ExprKind::Call { callee, .. } => callee
            .member_path()
            .and_then(|p| p.last().copied())
            .is_some_and(|m| {
                matches!(m, "Context" | "Background" | "TODO" | "UserContext")
                    || m.starts_with("With")
            }),
        _ => false,
    }
}

/// Whether a call is in Ruby code.
pub fn in_ruby(call: &crate::flow::Call<'_, '_>) -> bool {
    call.project.modules[call.module].language.is_ruby()
}

/// The constant a Ruby call is made on, as written (`File`, `Net::HTTP`), or empty.
pub fn ruby_receiver(call: &crate::flow::Call<'_, '_>) -> String {
    call.receiver()
        .and_then(|r| r.member_path())
        .map(|p| p.join("::"))
        .unwrap_or_default()
}

/// Ruby: the values an instance variable (`@post`) is given in the methods of the innermost
/// class around `function` — a controller's `before_action` filters (`set_post`) load what its
/// actions use.
pub fn ruby_ivar_values<'m>(
    module: &'m Module,
    function: FunctionId,
    name: &str,
) -> Vec<&'m crate::ir::Expr> {
    let range = module.functions[function].range;
    let Some(class) = module
        .classes
        .iter()
        .filter(|c| c.range.start_byte <= range.start_byte && range.end_byte <= c.range.end_byte)
        .min_by_key(|c| c.range.end_byte - c.range.start_byte)
    else {
        return Vec::new();
    };
    let mut values = Vec::new();
    for f in &module.functions {
        if f.range.start_byte < class.range.start_byte || f.range.end_byte > class.range.end_byte {
            continue;
        }
        f.walk_stmts(&mut |stmt| {
            if let crate::ir::StmtKind::Assign { target, value, .. } = &stmt.kind
                && target.as_name() == Some(name)
            {
                values.push(value);
            }
        });
    }
    values
}

/// Ruby: what a name holds — a local's value before `at`, or every value an instance variable
/// is given in its class.
pub fn ruby_values_of<'m>(
    module: &'m Module,
    function: FunctionId,
    name: &str,
    at: u32,
) -> Vec<&'m crate::ir::Expr> {
    if name.starts_with('@') {
        ruby_ivar_values(module, function, name)
    } else {
        crate::scope::definition_before(module, function, name, at)
            .into_iter()
            .collect()
    }
}

/// The number of positional arguments of a call (Ruby's and Python's keyword arguments apart).
pub fn positional_count(call: &crate::flow::Call<'_, '_>) -> usize {
    call.args.iter().filter(|a| a.name.is_none()).count()
}

/// The response object names of JavaScript handlers.
pub fn is_response_name(name: &str) -> bool {
    matches!(name, "res" | "response" | "reply" | "resp" | "h" | "c")
}

/// Whether any module calls something whose qualified name starts with one of `prefixes`
/// (`app.use(helmet())` → `helmet()`).
pub fn project_calls(cx: &Context<'_>, prefixes: &[&str]) -> bool {
    cx.index.any_call_starts_with(prefixes)
}

/// The applicability of a rule that finds flows from request data: applied over any code, but
/// not vouching for `item` when the analysis may have missed a source — a read of request data
/// from a name it could not tie to a request object, or a file whose analysis stopped early.
/// A source missed must never turn into a pass.
pub fn flow_applicability(cx: &Context<'_>, item: ChecklistId) -> Applicability {
    let applied = any_code(cx);
    if !matches!(applied, Applicability::Applied) {
        return applied;
    }
    let mut places: Vec<String> = cx
        .flow
        .unresolved_sources
        .iter()
        .map(|(module, range)| format!("{}:{}", cx.module(*module).path, range.start_line))
        .collect();
    places.sort();
    places.dedup();
    let mut reasons = Vec::new();
    if !places.is_empty() {
        let shown: Vec<&str> = places.iter().take(3).map(String::as_str).collect();
        reasons.push(format!(
            "request data is read from a name vibeguard could not tie to the framework's request \
             ({}{}): where it flows was not followed; check it by hand, or import the request the \
             framework's way",
            shown.join(", "),
            if places.len() > 3 {
                format!(" and {} more", places.len() - 3)
            } else {
                String::new()
            }
        ));
    }
    if !cx.flow.truncated.is_empty() {
        reasons.push(format!(
            "the data-flow analysis stopped early in {}: check those files by hand",
            cx.flow.truncated.join(", ")
        ));
    }
    if reasons.is_empty() {
        Applicability::Applied
    } else {
        Applicability::AppliedExcept(item, vibeguard_core::Text::Owned(reasons.join("; ")))
    }
}

/// Applicability of rules that look at any source code.
pub fn any_code(cx: &Context<'_>) -> Applicability {
    if cx.project.modules.is_empty() {
        Applicability::NotApplicable("no JavaScript, TypeScript or Python source files")
    } else {
        Applicability::Applied
    }
}
