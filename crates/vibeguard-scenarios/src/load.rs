//! Reading scenario files: a file or a folder of `*.yaml`/`*.yml` and `*.hurl` (sub-folders too), each
//! parsed with every key checked, then validated offline — identities that are not configured,
//! captures used before a step takes them, statuses, regular expressions, JSON paths and
//! checklist items that cannot be. Every problem names the file, line and column and says what
//! to write instead; a file with problems is left out and the valid ones run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::Value;
use serde_saphyr::Spanned;
use vibeguard_core::{ChecklistId, Severity};

use crate::format::{Scenario, ScenarioFile, Step};
use crate::template;

/// Largest scenario file read (a suite is text written by people).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Most files read from a folder.
const MAX_FILES: usize = 1_000;
/// Deepest sub-folder searched.
const MAX_FOLDER_DEPTH: usize = 6;

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file it is in, as the suite's path leads to it (`.vibeguard/scenarios/notes.yaml`).
    pub file: String,
    /// The line its entry starts on.
    pub line: u64,
    /// The scenario, its variables over the file's.
    pub scenario: Scenario,
    /// Its severity.
    pub severity: Severity,
    /// The checklist items it verifies.
    pub checklist: Vec<ChecklistId>,
}

/// A problem in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file.
    pub file: String,
    /// Where in it (1-based), when known.
    pub line: Option<u64>,
    /// The column (1-based), when known.
    pub column: Option<u64>,
    /// What is wrong, and what to write instead.
    pub message: String,
}

impl ScenarioError {
    /// The problem as an error of the engine's run: its file and line, the column said in the
    /// message.
    pub fn engine_error(&self) -> vibeguard_core::engine::EngineError {
        vibeguard_core::engine::EngineError {
            source: self.file.clone(),
            line: self.line.and_then(|line| u32::try_from(line).ok()),
            message: match self.column {
                Some(column) => format!("column {column}: {}", self.message),
                None => self.message.clone(),
            },
        }
    }
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            (Some(line), None) => write!(f, "{}:{line}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// What a suite holds.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// The valid scenarios, in file order.
    pub scenarios: Vec<LoadedScenario>,
    /// The problems; the files they are in are left out.
    pub errors: Vec<ScenarioError>,
    /// What was read but not applied (a Hurl file's `[Options]`), said so the run is not
    /// mistaken for one that honoured it.
    pub notes: Vec<ScenarioError>,
    /// The files read.
    pub files: usize,
}

/// Reads the scenario file or folder at `path`. `identities` are the configured identity
/// names a step's `as:` may use.
pub fn load(path: &Path, identities: &[String]) -> Suite {
    let mut suite = Suite::default();
    let files = if path.is_dir() {
        let mut files = Vec::new();
        collect(path, 0, &mut files);
        files.sort();
        if files.len() > MAX_FILES {
            suite.errors.push(ScenarioError {
                file: path.display().to_string(),
                line: None,
                column: None,
                message: format!(
                    "{} scenario files; the first {MAX_FILES} are read",
                    files.len()
                ),
            });
            files.truncate(MAX_FILES);
        }
        files
            .into_iter()
            .map(|file| {
                let label = file.display().to_string();
                (file, label)
            })
            .collect()
    } else {
        vec![(path.to_path_buf(), path.display().to_string())]
    };
    for (file, label) in files {
        suite.files += 1;
        match read(&file, &label) {
            Ok(text) if is_hurl(&file) => {
                let read = crate::hurl::read(&label, &text);
                suite.notes.extend(read.notes);
                match read.file {
                    Ok(parsed) => {
                        let (scenarios, errors) = validate(&label, parsed, identities);
                        if errors.is_empty() {
                            suite.scenarios.extend(scenarios);
                        }
                        suite.errors.extend(errors);
                    }
                    Err(errors) => suite.errors.extend(errors),
                }
            }
            Ok(text) => {
                let (scenarios, errors) = parse(&label, &text, identities);
                if errors.is_empty() {
                    suite.scenarios.extend(scenarios);
                }
                suite.errors.extend(errors);
            }
            Err(error) => suite.errors.push(error),
        }
    }
    suite
}

fn collect(folder: &Path, depth: usize, files: &mut Vec<PathBuf>) {
    if depth > MAX_FOLDER_DEPTH || files.len() > MAX_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(&path, depth + 1, files);
        } else if kind.is_file()
            && path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "hurl"))
        {
            files.push(path);
        }
    }
}

fn is_hurl(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("hurl")
}

fn read(path: &Path, label: &str) -> Result<String, ScenarioError> {
    let problem = |message: String| ScenarioError {
        file: label.to_string(),
        line: None,
        column: None,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| problem(format!("cannot be read: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(problem(format!(
            "is {size} bytes; scenario files are read up to {MAX_FILE_BYTES} bytes — split the suite into several files"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot be read: {e}")))?;
    if bytes.contains(&0) {
        return Err(problem("is a binary file, not YAML".into()));
    }
    String::from_utf8(bytes).map_err(|_| problem("is not UTF-8 text".into()))
}

/// Parses and validates one file's text.
pub fn parse(
    file: &str,
    text: &str,
    identities: &[String],
) -> (Vec<LoadedScenario>, Vec<ScenarioError>) {
    let parsed: ScenarioFile = match serde_saphyr::from_str(text) {
        Ok(parsed) => parsed,
        Err(error) => {
            let location = error.location();
            return (
                Vec::new(),
                vec![ScenarioError {
                    file: file.to_string(),
                    line: location.map(|l| l.line()),
                    column: location.map(|l| l.column()),
                    message: yaml_message(&error.to_string()),
                }],
            );
        }
    };
    validate(file, parsed, identities)
}

/// Validates a parsed file (YAML, or a Hurl file read into the same model): the scenarios
/// ready to run, and every problem with its place.
pub fn validate(
    file: &str,
    parsed: ScenarioFile,
    identities: &[String],
) -> (Vec<LoadedScenario>, Vec<ScenarioError>) {
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    if parsed.scenarios.is_empty() {
        errors.push(ScenarioError {
            file: file.to_string(),
            line: None,
            column: None,
            message: "holds no scenario: add `scenarios:` with at least one".into(),
        });
    }
    let mut names = BTreeSet::new();
    for entry in parsed.scenarios {
        let Spanned {
            value: mut scenario,
            referenced,
            ..
        } = entry;
        let mut problem = |at: Option<(u64, u64)>, message: String| {
            errors.push(ScenarioError {
                file: file.to_string(),
                line: Some(at.map_or(referenced.line(), |(line, _)| line)),
                column: at.map(|(_, column)| column),
                message: format!("scenario `{}`: {message}", scenario_label(&scenario.name)),
            });
        };
        if !names.insert(scenario.name.clone()) {
            problem(
                None,
                "another scenario of this file has the same name".into(),
            );
        }
        let severity = match &scenario.severity {
            None => Severity::Medium,
            Some(text) => match Severity::from_str(text.value.trim()) {
                Ok(severity) => severity,
                Err(_) => {
                    problem(
                        Some(at(text)),
                        format!(
                            "severity `{}` is not one of critical, high, medium, low, info",
                            text.value
                        ),
                    );
                    Severity::Medium
                }
            },
        };
        let mut checklist = Vec::new();
        for item in &scenario.checklist {
            match ChecklistId::from_str(item.value.trim()) {
                Ok(id) => checklist.push(id),
                Err(_) => problem(
                    Some(at(item)),
                    format!(
                        "`{}` is no checklist item (`vibeguard checklist --catalog` lists them, e.g. AUTH-01)",
                        item.value
                    ),
                ),
            }
        }
        if scenario.steps.is_empty() {
            problem(None, "has no steps".into());
        }
        let mut vars = parsed.vars.clone();
        vars.extend(std::mem::take(&mut scenario.vars));
        scenario.vars = vars;
        let mut known: BTreeSet<String> = scenario.vars.keys().cloned().collect();
        if let Some(filter) = &scenario.for_each_operation {
            known.extend(["operation.method".to_string(), "operation.path".to_string()]);
            for method in &filter.value.method {
                if !is_method(method) {
                    problem(
                        Some(at(filter)),
                        format!("for_each_operation: `{method}` is not an HTTP method"),
                    );
                }
            }
            if let Some(owner) = &filter.value.objects_of
                && !identities.contains(&owner.value)
            {
                problem(
                    Some(at(owner)),
                    format!(
                        "for_each_operation: `objects_of: {}` is no configured identity{}",
                        owner.value,
                        closest(&owner.value, identities)
                            .map(|name| format!("; did you mean `{name}`?"))
                            .unwrap_or_default()
                    ),
                );
            }
        }
        let folder = Path::new(file).parent().unwrap_or(Path::new("."));
        let mut step_names: BTreeSet<String> = BTreeSet::new();
        for step in &mut scenario.steps {
            // A payload list is read now, so a wrong name is an error of the file.
            if let Some(for_each) = &mut step.value.for_each
                && let Some(list) = for_each.value.payloads.clone()
                && for_each.value.values.is_empty()
            {
                match crate::payloads::resolve(&list, folder) {
                    Ok(values) => for_each.value.values = values,
                    Err(why) => problem(Some(at(for_each)), why),
                }
            }
        }
        for step in &scenario.steps {
            let mut step_known = known.clone();
            if let Some(for_each) = &step.value.for_each {
                step_known.insert(for_each.value.var.clone());
            }
            if step.value.repeat.is_some() {
                step_known.insert("iteration".into());
            }
            for (place, message) in
                check_step(step, &step_known, &step_names, identities, &scenario)
            {
                problem(Some(place), message);
            }
            known.extend(step.value.capture.keys().cloned());
            step_names.insert(step_label(&step.value));
        }
        scenarios.push(LoadedScenario {
            file: file.to_string(),
            line: referenced.line(),
            scenario,
            severity,
            checklist,
        });
    }
    (scenarios, errors)
}

/// The problems of one step, each with its line and column.
fn check_step(
    step: &Spanned<Step>,
    known: &BTreeSet<String>,
    earlier_steps: &BTreeSet<String>,
    identities: &[String],
    scenario: &Scenario,
) -> Vec<((u64, u64), String)> {
    let place = at(step);
    let step_value = &step.value;
    let label = step_label(step_value);
    let mut problems = Vec::new();
    let mut say = |place: (u64, u64), message: String| {
        problems.push((place, format!("step `{label}`: {message}")));
    };
    let method = step_value
        .method
        .as_deref()
        .unwrap_or("GET")
        .to_ascii_uppercase();
    if !is_method(&method) {
        say(place, format!("`{method}` is not an HTTP method"));
    }
    if method == "DELETE" && step_value.method.is_some() && !scenario.destructive {
        say(
            place,
            "a DELETE step needs `destructive: true` on its scenario (and the run `--allow-destructive`)".into(),
        );
    }
    let Some(spanned_path) = &step_value.path else {
        if scenario.for_each_operation.is_none() {
            say(
                place,
                "has no `path` (only a step of a surface-wide scenario, one with `for_each_operation`, sends its operation without one)".into(),
            );
        }
        return check_step_rest(
            step,
            known,
            earlier_steps,
            identities,
            problems,
            &label,
            scenario,
        );
    };
    let path = &spanned_path.value;
    if !path.starts_with('/') && !path.starts_with("${") {
        say(
            at(spanned_path),
            format!(
                "the path `{path}` must start with `/` (it is under the target), or be a captured one (`${{location}}`)"
            ),
        );
    }
    for name in template::names_used(path, true) {
        if !known.contains(&name) && !scenario.env_any_case {
            say(
                at(spanned_path),
                format!("`{name}` is neither a variable nor captured by an earlier step"),
            );
        }
    }
    check_step_rest(
        step,
        known,
        earlier_steps,
        identities,
        problems,
        &label,
        scenario,
    )
}

/// The checks of a step that do not depend on its path.
fn check_step_rest(
    step: &Spanned<Step>,
    known: &BTreeSet<String>,
    earlier_steps: &BTreeSet<String>,
    identities: &[String],
    mut problems: Vec<((u64, u64), String)>,
    label: &str,
    scenario: &Scenario,
) -> Vec<((u64, u64), String)> {
    let place = at(step);
    let step_value = &step.value;
    let mut say = |place: (u64, u64), message: String| {
        problems.push((place, format!("step `{label}`: {message}")));
    };
    let bodies = [
        step_value.json.is_some(),
        step_value.form.is_some(),
        step_value.multipart.is_some(),
    ];
    if bodies.iter().filter(|given| **given).count() > 1 {
        say(
            place,
            "has more than one of `json`, `form` and `multipart`: a request has one body".into(),
        );
    }
    if let Some(caller) = &step_value.caller
        && caller.value != "anonymous"
        && !identities.contains(&caller.value)
    {
        let hint = closest(&caller.value, identities)
            .map(|name| format!("; did you mean `{name}`?"))
            .unwrap_or_default();
        say(
            at(caller),
            format!(
                "`as: {}` is no configured identity (configured: {}){hint}",
                caller.value,
                if identities.is_empty() {
                    "none — add one under [identities] in vibeguard.toml".to_string()
                } else {
                    identities.join(", ")
                }
            ),
        );
    }
    if let Some(repeat) = &step_value.repeat
        && !(1..=1_000).contains(&repeat.value)
    {
        say(
            at(repeat),
            format!("`repeat: {}`: from 1 to 1000", repeat.value),
        );
    }
    if let Some(for_each) = &step_value.for_each {
        let f = &for_each.value;
        if f.var.trim().is_empty() || f.var.contains(['{', '}', '$']) {
            say(
                at(for_each),
                "for_each: `var` names the variable each value takes (`var: payload`, used as `${payload}`)".into(),
            );
        }
        if f.values.is_empty() && f.payloads.is_none() {
            say(
                at(for_each),
                "for_each: give `values: [...]` or `payloads: sql` (nosql, command, traversal, xss, or a file)".into(),
            );
        }
        if step_value.repeat.is_some() {
            say(
                at(for_each),
                "has both `repeat` and `for_each`: give one".into(),
            );
        }
    }
    for kind in &step_value.expect.free_of {
        if !crate::expect::FREE_OF.contains(&kind.as_str()) {
            let known: Vec<String> = crate::expect::FREE_OF
                .iter()
                .map(|k| k.to_string())
                .collect();
            say(
                place,
                format!(
                    "free_of: `{kind}` is not one of {}{}",
                    crate::expect::FREE_OF.join(", "),
                    closest(kind, &known)
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default()
                ),
            );
        }
    }
    let mut texts: Vec<(&str, bool)> = Vec::new();
    texts.extend(step_value.query.values().map(|v| (v.as_str(), false)));
    texts.extend(step_value.headers.values().map(|v| (v.as_str(), false)));
    texts.extend(
        step_value
            .form
            .iter()
            .flatten()
            .map(|(_, v)| (v.as_str(), false)),
    );
    for field in step_value
        .multipart
        .iter()
        .flat_map(|fields| fields.values())
    {
        match field {
            crate::format::MultipartField::Text(text) => texts.push((text.as_str(), false)),
            crate::format::MultipartField::File(file) => {
                texts.push((file.file.as_str(), false));
                texts.push((file.content.as_str(), false));
            }
        }
    }
    let mut json_strings = Vec::new();
    if let Some(json) = &step_value.json {
        strings_in(json, &mut json_strings);
    }
    texts.extend(json_strings.iter().map(|v| (v.as_str(), false)));
    for (text, is_path) in texts {
        for name in template::names_used(text, is_path) {
            if !known.contains(&name) && !looks_like_env(&name) && !scenario.env_any_case {
                say(
                    place,
                    format!(
                        "`{name}` is neither a variable nor captured by an earlier step (environment values are written in capitals, `${{API_KEY}}`)"
                    ),
                );
            }
        }
    }
    for (name, capture) in &step_value.capture {
        let c = &capture.value;
        let given = [&c.json, &c.header, &c.cookie, &c.regex]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if given != 1 {
            say(
                at(capture),
                format!(
                    "capture `{name}` needs exactly one of `json`, `header`, `cookie`, `regex`"
                ),
            );
        }
        if let Some(path) = &c.json
            && let Err(why) = template::json_pointer(path)
        {
            say(at(capture), format!("capture `{name}`: {why}"));
        }
        if let Some(pattern) = &c.regex
            && let Err(why) = regex::Regex::new(pattern)
        {
            say(
                at(capture),
                format!("capture `{name}`: invalid regular expression: {why}"),
            );
        }
    }
    let expect = &step_value.expect;
    if let Some(status) = &expect.status
        && let Err(why) = crate::expect::StatusSpec::parse(&status.value)
    {
        say(at(status), why);
    }
    for (name, header) in &expect.headers {
        let given = [
            header.present.is_some(),
            header.absent.is_some(),
            header.equals.is_some(),
            header.matches.is_some(),
        ];
        if !given.contains(&true) {
            say(
                place,
                format!("header `{name}`: say `present`, `absent`, `equals` or `matches`"),
            );
        }
        if let Some(pattern) = &header.matches
            && let Err(why) = regex::Regex::new(pattern)
        {
            say(
                place,
                format!("header `{name}`: invalid regular expression: {why}"),
            );
        }
    }
    if let Some(body) = &expect.body {
        for pattern in body.matches.iter().chain(&body.not_matches) {
            if let Err(why) = regex::RegexBuilder::new(pattern)
                .case_insensitive(body.case_insensitive)
                .build()
            {
                say(place, format!("body: invalid regular expression: {why}"));
            }
        }
    }
    for json in &expect.json {
        if let Err(why) = template::json_pointer(&json.value.path) {
            say(at(json), format!("json: {why}"));
        }
        if let Some(kind) = &json.value.kind
            && !matches!(
                kind.as_str(),
                "string" | "number" | "integer" | "boolean" | "array" | "object" | "null"
            )
        {
            say(
                at(json),
                format!(
                    "json `type: {kind}`: one of string, number, integer, boolean, array, object, null"
                ),
            );
        }
        if let Some(pattern) = &json.value.matches
            && let Err(why) = regex::Regex::new(pattern)
        {
            say(at(json), format!("json: invalid regular expression: {why}"));
        }
    }
    for reference in [&expect.same_as, &expect.differs_from]
        .into_iter()
        .flatten()
    {
        if !earlier_steps.contains(&reference.value) {
            say(
                at(reference),
                format!(
                    "`{}` names no earlier step of this scenario",
                    reference.value
                ),
            );
        }
    }
    problems
}

/// The steps whose method and path are in no operation of the description `spec` (named
/// `description` in the messages): a typo, or a route the description does not document —
/// said by `vibeguard scenarios check`, for a person to decide. Paths that are captures
/// (`${location}`) are not known before the run and are left alone.
pub fn outside_description(
    suite: &Suite,
    spec: &vibeguard_http::spec::ApiSpec,
    description: &str,
) -> Vec<ScenarioError> {
    let base = spec.base_path();
    let base = base.trim_end_matches('/');
    let mut found = Vec::new();
    for loaded in &suite.scenarios {
        for step in &loaded.scenario.steps {
            let Some(path) = &step.value.path else {
                continue;
            };
            if path.value.starts_with("${") {
                continue;
            }
            let method = step
                .value
                .method
                .as_deref()
                .unwrap_or("GET")
                .to_ascii_uppercase();
            // `${name}` and `{name}` both stand for one segment's value.
            let template = path.value.replace("${", "{");
            let template = template.split('?').next().unwrap_or_default();
            let under_base = template.strip_prefix(base).unwrap_or(template);
            let described = spec.operations.iter().any(|op| {
                op.method == method
                    && (vibeguard_http::spec::path_matches_template(&op.path, template)
                        || vibeguard_http::spec::path_matches_template(&op.path, under_base))
            });
            if !described {
                found.push(ScenarioError {
                    file: loaded.file.clone(),
                    line: Some(path.referenced.line()),
                    column: Some(path.referenced.column()),
                    message: format!(
                        "scenario `{}`: step `{}`: {method} {} is in no operation of {description} (a typo, or a route it does not document?)",
                        scenario_label(&loaded.scenario.name),
                        step_label(&step.value),
                        path.value
                    ),
                });
            }
        }
    }
    found
}

/// How a step is named in results: its `name`, else `METHOD path`.
pub fn step_label(step: &Step) -> String {
    if let Some(name) = &step.name {
        return name.clone();
    }
    match (&step.method, &step.path) {
        (method, Some(path)) => format!(
            "{} {}",
            method.as_deref().unwrap_or("GET").to_ascii_uppercase(),
            path.value
        ),
        (Some(method), None) => format!("{} the operation", method.to_ascii_uppercase()),
        (None, None) => "the operation".into(),
    }
}

fn is_method(method: &str) -> bool {
    matches!(
        method.to_ascii_uppercase().as_str(),
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS"
    )
}

fn scenario_label(name: &str) -> String {
    name.chars().take(80).collect()
}

fn at<T>(spanned: &Spanned<T>) -> (u64, u64) {
    (spanned.referenced.line(), spanned.referenced.column())
}

/// `API_KEY`, `BASE_TOKEN`: environment values are written in capitals.
fn looks_like_env(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_ascii_lowercase())
}

fn strings_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings_in(item, out)),
        Value::Object(map) => map.values().for_each(|item| strings_in(item, out)),
        _ => {}
    }
}

/// The first line of a YAML error without the location the error already gives (`error: line
/// 6 column 11: …`), with a did-you-mean for an unknown key.
fn yaml_message(text: &str) -> String {
    let mut first = text.lines().next().unwrap_or("invalid YAML").trim();
    first = first.strip_prefix("error:").unwrap_or(first).trim_start();
    if first.starts_with("line ")
        && let Some((_, rest)) = first.split_once(": ")
    {
        first = rest;
    }
    // "unknown field `stauts`, expected one of status, headers, …" (with or without backticks).
    if let Some(rest) = first.split("unknown field `").nth(1)
        && let Some((unknown, expected)) = rest.split_once('`')
        && let Some(list) = expected.split("expected one of").nth(1)
    {
        let candidates: Vec<String> = list
            .split(',')
            .map(|c| c.trim().trim_matches('`').to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if let Some(best) = closest(unknown, &candidates) {
            return format!("{first}; did you mean `{best}`?");
        }
    }
    first.to_string()
}

/// The candidate nearest to `word` by edit distance, when near enough to be a typo.
pub fn closest(word: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}
