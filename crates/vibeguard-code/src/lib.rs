//! vibeguard's code engine: static analysis of JavaScript/TypeScript and Python web apps for
//! the flaws assistants write (codes VG1xx).
//!
//! [`run`] reads the project's code files once (in parallel, each parsed by its tree-sitter
//! grammar and lowered into the language-neutral [`ir`]), resolves imports across files
//! ([`project`]), builds the route inventory ([`routes`]) and the data-model inventory
//! ([`models`]), runs the data-flow analysis ([`flow`]) with the flow halves of the enabled
//! rules, and hands every rule ([`rules`]) what it needs. Files that cannot be read or parsed
//! are recorded as non-fatal errors naming the file; the audit goes on.
#![deny(missing_docs)]

pub mod flow;
pub mod ir;
pub mod language;
mod lower;
pub mod models;
pub mod naming;
pub mod parse;
pub mod project;
pub mod routes;
pub mod rules;
pub mod scope;
pub mod source;
pub mod templates;

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use rayon::prelude::*;
use vibeguard_core::{
    Coverage, EngineError, EngineId, EngineOutput, EngineRun, RouteEntry, RuleApplicability,
    RuleMeta, Text,
};
use vibeguard_project::ProjectTree;

use crate::flow::FlowRule;
use crate::language::Language;
use crate::models::ModelInventory;
use crate::project::Project;
use crate::routes::RouteInventory;
use crate::rules::{Applicability, Context};

/// Settings of a code audit.
#[derive(Debug, Clone)]
pub struct CodeOptions {
    /// Files larger than this many bytes are skipped (and recorded).
    pub max_file_size: u64,
}

impl Default for CodeOptions {
    fn default() -> Self {
        CodeOptions {
            max_file_size: vibeguard_project::DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// What the code engine hands back: its run and findings, and the route inventory.
#[derive(Debug, Clone)]
pub struct CodeOutput {
    /// Run record and findings.
    pub output: EngineOutput,
    /// The routes found, for the report.
    pub routes: Vec<RouteEntry>,
    /// Secret values found written in the code (signing keys, database passwords): the caller
    /// masks them in every output.
    pub secrets: Vec<String>,
}

/// The metadata of every code rule.
pub fn rule_metas() -> Vec<RuleMeta> {
    rules::rule_metas()
}

/// Worker threads get a large stack: the analysis recurses over nested expressions.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Reads and parses the project's code files in parallel; unreadable files become errors.
pub fn load(tree: &ProjectTree, options: &CodeOptions) -> (Project, Vec<EngineError>) {
    let files = source::select(tree);
    let results: Vec<Result<ir::Module, EngineError>> = files
        .par_iter()
        .map(|file| {
            let text = source::read(tree, &file.path, options.max_file_size).map_err(|error| {
                EngineError {
                    source: file.path.clone(),
                    line: None,
                    message: error.to_string(),
                }
            })?;
            parse::parse_module(&file.path, file.language, text).map_err(|error| EngineError {
                source: file.path.clone(),
                line: None,
                message: error.to_string(),
            })
        })
        .collect();
    let mut modules = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(module) => {
                if let Some(line) = module.syntax_errors.first() {
                    errors.push(EngineError {
                        source: module.path.clone(),
                        line: Some(*line),
                        message: format!(
                            "syntax the {} parser could not read (the rest of the file was analysed)",
                            module.language
                        ),
                    });
                }
                modules.push(module);
            }
            Err(error) => {
                // Generated files are skipped by design, not an error worth reporting.
                if !error.message.contains("marked as generated") {
                    errors.push(error);
                }
            }
        }
    }
    (Project::new(modules), errors)
}

/// Prisma schemas and SQL files, for the model inventory.
fn schema_files(tree: &ProjectTree, options: &CodeOptions) -> Vec<(String, String)> {
    files_ending(tree, options, &[".prisma", ".sql"])
}

/// The text of every file whose path ends with one of `endings`, as (path, text).
fn files_ending(
    tree: &ProjectTree,
    options: &CodeOptions,
    endings: &[&str],
) -> Vec<(String, String)> {
    tree.files()
        .filter(|f| endings.iter().any(|ending| f.path.ends_with(ending)))
        .filter_map(|f| {
            tree.read_text(&f.path, options.max_file_size)
                .ok()
                .map(|text| (f.path.clone(), text))
        })
        .collect()
}

/// The project's template files (Jinja, Django, EJS, Handlebars, Pug, ERB, Vue, Svelte), for
/// the rules that read what templates print.
fn template_files(tree: &ProjectTree, options: &CodeOptions) -> Vec<templates::TemplateFile> {
    tree.files()
        .filter(|f| templates::is_template(&f.path))
        .filter_map(|f| {
            tree.read_text(&f.path, options.max_file_size)
                .ok()
                .map(|text| templates::TemplateFile {
                    path: f.path.clone(),
                    text,
                })
        })
        .collect()
}

/// Runs every rule for which `enabled(code)` holds over the project.
pub fn run(
    tree: &ProjectTree,
    enabled: &dyn Fn(&str) -> bool,
    options: &CodeOptions,
) -> CodeOutput {
    let enabled: HashSet<String> = rules::ALL
        .iter()
        .map(|rule| rule.meta().code.to_string())
        .filter(|code| enabled(code))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build();
    match pool {
        Ok(pool) => pool.install(|| run_in_pool(tree, &enabled, options)),
        Err(_) => run_in_pool(tree, &enabled, options),
    }
}

fn run_in_pool(tree: &ProjectTree, enabled: &HashSet<String>, options: &CodeOptions) -> CodeOutput {
    let started = Instant::now();
    let timing = std::env::var_os("VIBEGUARD_TIMING").is_some();
    let lap = |what: &str| {
        if timing {
            eprintln!("{what}: {:?}", started.elapsed());
        }
    };
    let (project, mut errors) = load(tree, options);
    lap("load");
    let schemas = schema_files(tree, options);
    let models = ModelInventory::build(&project, &schemas);
    lap("models");
    let routes = RouteInventory::build(&project);
    lap("routes");
    let active: Vec<&dyn rules::CodeRule> = rules::ALL
        .iter()
        .copied()
        .filter(|rule| enabled.contains(rule.meta().code.as_ref()))
        .collect();
    let flow_rules: Vec<&dyn FlowRule> = active.iter().filter_map(|rule| rule.flow()).collect();
    let flow_owner: Vec<usize> = active
        .iter()
        .enumerate()
        .filter(|(_, rule)| rule.flow().is_some())
        .map(|(index, _)| index)
        .collect();
    let flow = flow::analyze(&project, &flow_rules, &routes.handler_sources());
    lap("flow");
    for path in &flow.truncated {
        errors.push(EngineError {
            source: path.clone(),
            line: None,
            message: "data-flow analysis stopped early: the file is too large or too deeply nested"
                .into(),
        });
    }
    let index = rules::CodeIndex::build(&project);
    lap("index");
    let cx = Context {
        project: &project,
        routes: &routes,
        models: &models,
        flow: &flow,
        secrets: std::sync::Mutex::new(Vec::new()),
        index,
        // Template files are read only for a rule that judges them.
        templates: if active.iter().any(|rule| rule.reads_templates()) {
            template_files(tree, options)
        } else {
            Vec::new()
        },
        database_configs: files_ending(tree, options, &["config/database.yml"]),
    };
    let mut run = EngineRun::new(EngineId::Code);
    let mut findings = Vec::new();
    // Rules read the same context and write their own findings: they run in parallel, and
    // their results are put back in rule order so reports do not depend on scheduling.
    let outcomes: Vec<(Applicability, Vec<vibeguard_core::Finding>)> = active
        .par_iter()
        .enumerate()
        .map(|(index, rule)| {
            let hits: Vec<&flow::Hit> = match flow_owner.iter().position(|owner| *owner == index) {
                Some(flow_index) => flow
                    .hits
                    .iter()
                    .filter(|hit| hit.rule == flow_index)
                    .collect(),
                None => Vec::new(),
            };
            let rule_started = Instant::now();
            let mut found = Vec::new();
            let applicability = rule.check(&cx, &hits, &mut found);
            if timing {
                eprintln!("  {}: {:?}", rule.meta().code, rule_started.elapsed());
            }
            (applicability, found)
        })
        .collect();
    // A Rails or Go app is an app the rules that read its language looked at, and no app for
    // the others.
    let route_languages: HashSet<Language> = routes
        .routes
        .iter()
        .map(|route| framework_language(route.framework))
        .collect();
    for (rule, (applicability, found)) in active.iter().zip(outcomes) {
        let no_app = !route_languages.iter().any(|language| rule.reads(*language));
        // A rule that does not know a language's spellings reads it as if it were another
        // language: what it says there is noise, and its silence is reported as not tested
        // (below).
        findings.extend(found.into_iter().filter(|finding| {
            finding
                .location
                .file()
                .and_then(Language::of_path)
                .is_none_or(|language| rule.reads(language))
        }));
        let (applied, gap) = match applicability {
            Applicability::Applied => (true, None),
            Applicability::NotApplicable(reason) => {
                (false, Some((None, Text::Borrowed(reason), false)))
            }
            Applicability::Absent(reason) => (false, Some((None, Text::Borrowed(reason), true))),
            Applicability::AppliedExcept(item, reason) => (true, Some((Some(item), reason, false))),
            Applicability::AppliedExceptAbsent(item, reason) => {
                (true, Some((Some(item), Text::Borrowed(reason), true)))
            }
        };
        if applied {
            run.rules_applied.push(rule.meta().code.clone());
        }
        if let Some((item, reason, absent)) = gap {
            // Absence is known only of a web app the engine reads: with no routes in
            // JavaScript, TypeScript or Python (a Go or Rust service, a folder of scripts), the
            // app was not looked at, and its cookies or uploads are unknown rather than absent.
            let (reason, subject_absent) = if absent && no_app {
                (
                    Text::Borrowed("no web app found in the JavaScript, TypeScript or Python code"),
                    false,
                )
            } else {
                (reason, absent)
            };
            run.not_applicable.push(RuleApplicability {
                code: rule.meta().code.clone(),
                item,
                reason,
                subject_absent,
            });
        }
    }
    lap("rules");
    // One finding per rule, place and message: rules may reach the same code twice.
    let mut seen = HashSet::new();
    findings.retain(|finding| {
        seen.insert((
            finding.code.clone(),
            finding.location.clone(),
            finding.message.clone(),
        ))
    });
    let secrets = cx.secrets.lock().map(|s| s.clone()).unwrap_or_default();
    run.coverage = Coverage {
        files: project.modules.len() as u64,
        ..Coverage::default()
    };
    // A Rails app or Go code is judged only by the rules that read its language: the others'
    // silence there is no pass. (Ruby files outside a Rails app are build scripts.)
    for (language, place) in [
        (Language::Ruby, "the Rails app"),
        (Language::Go, "the Go code"),
    ] {
        let files = project
            .modules
            .iter()
            .filter(|module| module.language == language)
            .count();
        let blind: Vec<Text> = active
            .iter()
            .filter(|rule| !rule.reads(language))
            .map(|rule| rule.meta().code.clone())
            .collect();
        let judged = language == Language::Go || route_languages.contains(&language);
        if files > 0 && judged && !blind.is_empty() {
            run.untested.push(vibeguard_core::Untested {
                place: format!("{place} ({files} {language} file(s))"),
                reason: format!(
                    "{} do not read {language} yet",
                    blind
                        .iter()
                        .map(|c| c.as_ref())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                rules: blind,
            });
        }
    }
    run.errors = errors;
    run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let route_list = route_entries(&project, &routes);
    drop(cx);
    // Freeing the program model (millions of small allocations) is work the caller does not
    // need to wait for.
    // (When no thread can be started, the closure and what it holds are freed right here.)
    let retired = (project, flow, routes, models);
    let _detached = std::thread::Builder::new()
        .name("vibeguard-free".into())
        .spawn(move || drop(retired));
    CodeOutput {
        output: EngineOutput { run, findings },
        routes: route_list,
        secrets,
    }
}

/// The language a framework's apps are written in, as far as rules reading it go.
fn framework_language(framework: routes::Framework) -> Language {
    match framework {
        routes::Framework::Rails => Language::Ruby,
        go if go.is_go() => Language::Go,
        routes::Framework::Flask
        | routes::Framework::FastApi
        | routes::Framework::Django
        | routes::Framework::Aiohttp
        | routes::Framework::Sanic
        | routes::Framework::Bottle
        | routes::Framework::Starlette => Language::Python,
        _ => Language::JavaScript,
    }
}

/// The route inventory of a project alone (`vibeguard routes`), with the files that could
/// not be read.
pub fn routes(tree: &ProjectTree, options: &CodeOptions) -> (Vec<RouteEntry>, Vec<EngineError>) {
    let (project, errors) = load(tree, options);
    let inventory = RouteInventory::build(&project);
    (route_entries(&project, &inventory), errors)
}

fn route_entries(project: &Project, inventory: &RouteInventory) -> Vec<RouteEntry> {
    let mut entries: BTreeMap<(String, u32, String, String), RouteEntry> = BTreeMap::new();
    let express_forms_only = express_parses_forms_only(project);
    for route in &inventory.routes {
        let module = &project.modules[route.module];
        let handler = route.handler.map(|(m, f)| {
            let handler_module = &project.modules[m];
            let function = &handler_module.functions[f];
            format!(
                "{}:{} {}",
                handler_module.path,
                function.range.start_line,
                function.name.as_deref().unwrap_or("(anonymous)")
            )
        });
        let inputs = route
            .handler
            .map(|(m, f)| {
                let module = &project.modules[m];
                // Helpers by name: the handler's own module first, else the one function of
                // that name in the project (an imported validator).
                let find = |name: &str| {
                    module
                        .functions
                        .iter()
                        .find(|f| f.name.as_deref() == Some(name))
                        .or_else(|| {
                            let mut named = project
                                .modules
                                .iter()
                                .flat_map(|m| m.functions.iter())
                                .filter(|f| f.name.as_deref() == Some(name));
                            let first = named.next();
                            named.next().is_none().then_some(first).flatten()
                        })
                };
                routes::inputs::request_inputs_with_helpers(&module.functions[f], &find)
            })
            .unwrap_or_default();
        let authenticated = route.has_auth_middleware()
            || route
                .handler
                .is_some_and(|h| routes::authenticates_inline(project, h));
        let body_schema = route_body_schema(project, route);
        let body_encoding =
            route_body_encoding(project, route, inputs.encoding, express_forms_only);
        let entry = RouteEntry {
            framework: route.framework.as_str().to_string(),
            method: route.method.clone(),
            path: route.path.clone(),
            file: module.path.clone(),
            line: route.range.start_line,
            handler,
            middleware: route.middleware.iter().map(|m| m.name.clone()).collect(),
            passes_anonymous: if authenticated {
                Vec::new()
            } else {
                route.anonymous_passes().map(|m| m.name.clone()).collect()
            },
            authenticated,
            rate_limited: route.is_rate_limited(),
            body_fields: {
                // The fields the handler names, then those only its schema or the
                // framework's declarations (Rails strong parameters) name.
                let mut fields = inputs.body;
                for name in body_schema
                    .iter()
                    .map(|(name, _)| name)
                    .chain(&route.body_fields)
                {
                    if !fields.contains(name) {
                        fields.push(name.clone());
                    }
                }
                fields
            },
            query_params: {
                // Parameters the framework binds from the query string (FastAPI's plain and
                // `Query(…)` parameters), after those the handler reads itself.
                let mut query = inputs.query;
                if let Some((owner, function)) = route.handler {
                    let params = &project.modules[owner].functions[function].params;
                    for source in &route.param_sources {
                        let Some(param) = params.get(source.index) else {
                            continue;
                        };
                        let Some(name) = param.name() else {
                            continue;
                        };
                        let annotation = param.annotation.as_deref().unwrap_or("").trim();
                        // A dependency behind an alias (`CurrentUser = Annotated[User,
                        // Depends(…)]`), a body model chosen by a condition, a path parameter.
                        let aliased_dependency = matches!(
                            project.resolve_name(owner, annotation),
                            Some(project::Symbol::Value(at, value))
                                if ["Depends(", "Security("].iter().any(|d| project.modules[at].text_of(value.range).contains(d))
                        );
                        if source.part == flow::label::RequestPart::Query
                            && !aliased_dependency
                            && !annotation.contains(" if ")
                            && !route.path.contains(&format!("{{{name}}}"))
                            && !query.iter().any(|q| q == name)
                        {
                            query.push(name.to_string());
                        }
                    }
                }
                query
            },
            path_types: route_param_types(project, route),
            body_schema: body_schema.into_iter().collect(),
            body_encoding,
            serves_files: route.serves_files,
        };
        entries.insert(
            (
                entry.file.clone(),
                entry.line,
                entry.method.clone(),
                entry.path.clone(),
            ),
            entry,
        );
    }
    entries.into_values().collect()
}

/// The types of a route's path parameters: what its path says (converters, patterns), then
/// what its handler does with them — `parseInt(req.params.id)`, `Number(req.params.id)`, a
/// Python signature's `user_id: int` or `UUID`.
fn route_param_types(
    project: &project::Project,
    route: &routes::Route,
) -> std::collections::BTreeMap<String, String> {
    use std::sync::LazyLock;
    static JS: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"\b(parseInt|Number|parseFloat)\(\s*req\.params\.(\w+)").expect("regex")
    });
    static PY: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"\b(\w+)\s*:\s*(int|float|UUID|uuid\.UUID)\b").expect("regex")
    });
    let names: Vec<&str> = route
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    let mut types: std::collections::BTreeMap<String, String> =
        route.param_types.iter().cloned().collect();
    if let Some((module, function)) = route.handler {
        let m = &project.modules[module];
        let text = m.text_of(m.functions[function].range);
        if m.language.is_javascript_family() {
            for capture in JS.captures_iter(text) {
                let kind = if &capture[1] == "parseFloat" {
                    "number"
                } else {
                    "integer"
                };
                types
                    .entry(capture[2].to_string())
                    .or_insert_with(|| kind.into());
            }
        } else {
            // The signature: up to the first `):` of the definition.
            let signature = text.split("):").next().unwrap_or_default();
            for capture in PY.captures_iter(signature) {
                let kind = match &capture[2] {
                    "int" => "integer",
                    "float" => "number",
                    _ => "uuid",
                };
                types
                    .entry(capture[1].to_string())
                    .or_insert_with(|| kind.into());
            }
        }
    }
    types.retain(|name, _| names.contains(&name.as_str()));
    types
}

/// The body a route's validation schema describes: the schema its handler parses the body with
/// (`schema.parse(req.body)`, `safeParse`, `validate`, `validateAsync`), or the one a middleware
/// in front of it is given (`validate(schema)`, `celebrate({ body: … })`), read from where it is
/// defined.
fn route_body_schema(
    project: &project::Project,
    route: &routes::Route,
) -> Vec<(String, vibeguard_core::BodyField)> {
    use std::sync::LazyLock;
    static PARSED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"\b([A-Za-z_$][\w$]*)\s*\.\s*(?:parse|safeParse|parseAsync|safeParseAsync|validate|validateAsync|validateSync|cast)\(\s*req\.body\b",
        )
        .expect("regex")
    });
    static GIVEN: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"^[\w$.]*(?i:validat|celebrate|schema|checkbody)[\w$]*\(\s*([A-Za-z_$][\w$]*)\s*[,)]",
        )
        .expect("regex")
    });
    let schema_at =
        |module: usize, name: &str| -> Option<Vec<(String, vibeguard_core::BodyField)>> {
            if let Some(project::Symbol::Value(owner, value)) = project.resolve_name(module, name) {
                let text = project.modules[owner].text_of(value.range);
                if let Some(fields) = routes::schemas::object_fields(text) {
                    return Some(fields);
                }
            }
            // A schema defined inside a function: its `const name = …` in the module.
            let text = project.modules[module].text_of(project.modules[module].top().range);
            let definition = format!("const {name} = ");
            let at = text.find(&definition)? + definition.len();
            routes::schemas::object_fields(&text[at..])
        };
    // A DRF view's `serializer_class`.
    if let Some((owner, class)) = route.view_class
        && matches!(route.method.as_str(), "POST" | "PUT" | "PATCH")
    {
        let m = &project.modules[owner];
        let serializer = m.classes[class]
            .fields
            .iter()
            .find(|f| f.name == "serializer_class")
            .and_then(|f| f.value.as_ref())
            .map(|v| m.text_of(v.range).trim());
        if let Some(project::Symbol::Class(at, id)) =
            serializer.and_then(|name| project.resolve_name(owner, name))
            && let Some(fields) = routes::schemas::serializer_fields(project, at, id)
        {
            return fields;
        }
    }
    if let Some((module, function)) = route.handler {
        let m = &project.modules[module];
        let text = m.text_of(m.functions[function].range);
        if m.language.is_javascript_family() {
            if let Some(capture) = PARSED.captures(text)
                && let Some(fields) = schema_at(module, &capture[1])
            {
                return fields;
            }
        } else if let Some(fields) = python_body_class(project, module, text) {
            return fields;
        } else if let Some(fields) = model_parameter(project, module, function) {
            return fields;
        } else if let Some(fields) = oauth2_form(project, module, function) {
            return fields;
        }
    }
    for middleware in &route.middleware {
        let m = &project.modules[middleware.module];
        if !m.language.is_javascript_family() {
            continue;
        }
        let text = m.text_of(middleware.range);
        // An inline schema: `celebrate({ [Segments.BODY]: Joi.object({…}) })`.
        for library in ["z.object(", "Joi.object(", "yup.object("] {
            if let Some(at) = text.find(library)
                && let Some(fields) = routes::schemas::object_fields(&text[at..])
            {
                return fields;
            }
        }
        if let Some(capture) = GIVEN.captures(text)
            && let Some(fields) = schema_at(middleware.module, &capture[1])
        {
            return fields;
        }
    }
    Vec::new()
}

/// The WTForms form a Python handler builds (`form = LoginForm()`,
/// `NoteForm(request.form)`): its fields are the body, posted as a form.
fn wtforms_class(
    project: &project::Project,
    module: usize,
    handler: &str,
) -> Option<(usize, ir::ClassId)> {
    use std::sync::LazyLock;
    static BUILDS: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"\b([A-Z]\w*Form)\s*\(").expect("regex"));
    BUILDS.captures_iter(handler).find_map(|capture| {
        match project.resolve_name(module, &capture[1])? {
            project::Symbol::Class(at, id) => {
                let m = &project.modules[at];
                routes::schemas::is_wtforms_class(m, &m.classes[id]).then_some((at, id))
            }
            _ => None,
        }
    })
}

/// How a route's body is encoded, when the code says: a WTForms form or the handler's reads
/// (`request.form`, `request.files`, `request.get_json()`), multer in front of it, else for an
/// Express app that parses urlencoded bodies and no JSON ones, a form.
fn route_body_encoding(
    project: &project::Project,
    route: &routes::Route,
    read: Option<&'static str>,
    express_forms_only: bool,
) -> Option<String> {
    if route
        .middleware
        .iter()
        .any(|m| m.name.contains("upload") || m.name.contains("multer"))
    {
        return Some("multipart".into());
    }
    if let Some((module, function)) = route.handler {
        let m = &project.modules[module];
        if !m.language.is_javascript_family()
            && (wtforms_class(project, module, m.text_of(m.functions[function].range)).is_some()
                || oauth2_form(project, module, function).is_some())
        {
            return Some("form".into());
        }
    }
    if let Some(read) = read {
        return Some(read.into());
    }
    (express_forms_only
        && route.framework == routes::Framework::Express
        && matches!(route.method.as_str(), "POST" | "PUT" | "PATCH"))
    .then(|| "form".into())
}

/// Whether the project's Express app parses urlencoded bodies (`express.urlencoded()`,
/// `bodyParser.urlencoded()`) and no JSON ones: its forms are what browsers post.
fn express_parses_forms_only(project: &project::Project) -> bool {
    let mut forms = false;
    let mut json = false;
    for module in &project.modules {
        if !module.language.is_javascript_family() {
            continue;
        }
        let text = module.text_of(module.top().range);
        forms |= text.contains("urlencoded(");
        json |= text.contains("express.json(")
            || text.contains("bodyParser.json(")
            || text.contains("json()")
                && (text.contains("app.use(json") || text.contains("use(express.json"));
    }
    forms && !json
}

/// The Pydantic model or marshmallow schema a Python handler reads its body with:
/// `NoteSchema().load(request.json)`, `schema.load(request.get_json())` with `schema =
/// NoteSchema()`, `Note.model_validate(request.json)`, `Note(**request.get_json())`.
/// The Pydantic model a FastAPI handler takes as its body (`def create(item: ItemIn, …)`,
/// `body: Annotated[ItemIn, Body()]`, or a conditional `A if HARDENED else B`: the last branch,
/// what runs by default): its fields. Parameters with a default (`Depends(…)`, `Query(…)`) and
/// `Annotated[…, Depends(…)]` are not the body.
fn model_parameter(
    project: &project::Project,
    module: usize,
    function: usize,
) -> Option<Vec<(String, vibeguard_core::BodyField)>> {
    let m = &project.modules[module];
    for param in &m.functions[function].params {
        if param.default.is_some() || param.variadic {
            continue;
        }
        let Some(annotation) = param.annotation.as_deref() else {
            continue;
        };
        if annotation.contains("Depends(") {
            continue;
        }
        let inner = annotation
            .strip_prefix("Annotated[")
            .and_then(|rest| rest.split(',').next())
            .unwrap_or(annotation);
        let name = inner.rsplit(" else ").next().unwrap_or(inner).trim();
        if !name.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        if let Some(project::Symbol::Class(defined, class)) = project.resolve_name(module, name) {
            let owner = &project.modules[defined];
            let pydantic = owner.classes[class].bases.iter().any(|b| {
                let base = owner.text_of(b.range);
                base.ends_with("BaseModel") || base.ends_with("SQLModel")
            });
            if pydantic
                && let Some(fields) = routes::schemas::class_fields(owner, &owner.classes[class])
            {
                return Some(fields);
            }
        }
    }
    None
}

/// FastAPI's OAuth2 password form (`form: Annotated[OAuth2PasswordRequestForm, Depends()]`):
/// a form-encoded `username` and `password`, the grant's other fields optional.
fn oauth2_form(
    project: &project::Project,
    module: usize,
    function: usize,
) -> Option<Vec<(String, vibeguard_core::BodyField)>> {
    let takes_form = project.modules[module].functions[function]
        .params
        .iter()
        .any(|p| {
            p.annotation
                .as_deref()
                .is_some_and(|a| a.contains("OAuth2PasswordRequestForm"))
        });
    takes_form.then(|| {
        ["username", "password"]
            .into_iter()
            .map(|name| {
                (
                    name.to_string(),
                    vibeguard_core::BodyField {
                        kind: Some("string".into()),
                        required: true,
                        ..Default::default()
                    },
                )
            })
            .collect()
    })
}

fn python_body_class(
    project: &project::Project,
    module: usize,
    handler: &str,
) -> Option<Vec<(String, vibeguard_core::BodyField)>> {
    use std::sync::LazyLock;
    static USES: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"\b([A-Za-z_]\w*)(\(\s*\))?\s*\.\s*(?:load|model_validate|parse_obj|validate)\(\s*request\.|\b([A-Za-z_]\w*)\(\s*\*\*\s*request\.",
        )
        .expect("regex")
    });
    if let Some((at, id)) = wtforms_class(project, module, handler) {
        let m = &project.modules[at];
        return routes::schemas::class_fields(m, &m.classes[id]);
    }
    let capture = USES.captures(handler)?;
    let name = capture.get(1).or(capture.get(3))?.as_str();
    match project.resolve_name(module, name) {
        Some(project::Symbol::Class(defined, class)) => {
            let m = &project.modules[defined];
            routes::schemas::class_fields(m, &m.classes[class])
        }
        // `schema = NoteSchema()`: the class it instantiates.
        Some(project::Symbol::Value(defined, value)) => {
            let text = project.modules[defined].text_of(value.range);
            let class = text.split('(').next()?.trim();
            match project.resolve_name(defined, class) {
                Some(project::Symbol::Class(at, id)) => {
                    let m = &project.modules[at];
                    routes::schemas::class_fields(m, &m.classes[id])
                }
                _ => None,
            }
        }
        _ => None,
    }
}
