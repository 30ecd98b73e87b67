//! Hurl files (<https://hurl.dev>), the plain-text HTTP tests many teams already keep, read into
//! the scenario model: one file is one scenario, each entry one step. The common subset is
//! read — requests with headers, `[QueryStringParams]`, `[FormParams]`, `[Cookies]` and JSON
//! bodies; `HTTP <status>` with implicit header asserts; `[Captures]` (jsonpath, header,
//! cookie, regex); `[Asserts]` on status, headers, jsonpath (with `count`), body and duration.
//! `{{name}}` becomes `${name}`. `[Options]` is ignored with a note. Everything else is an
//! error at its line — never skipped in silence, since a skipped assert is a false pass.
//!
//! `# vibeguard: KEY VALUE` comments give what Hurl has no words for: `name`, `checklist`
//! (comma-separated items), `severity`, and `as` (an identity every entry is sent as).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use serde_saphyr::{Location, Spanned};

use crate::format::{
    BodyExpect, Capture, Expect, HeaderExpect, JsonExpect, Scenario, ScenarioFile, Step,
};
use crate::load::ScenarioError;

/// What reading a Hurl file gave.
#[derive(Debug)]
pub struct Read {
    /// The file in the scenario model, or every problem found.
    pub file: Result<ScenarioFile, Vec<ScenarioError>>,
    /// What was read and not applied.
    pub notes: Vec<ScenarioError>,
}

const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Reads a Hurl file's text; `file` names it in errors and is the scenario's default name.
pub fn read(file: &str, text: &str) -> Read {
    let mut reader = Reader {
        file,
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let scenario = reader.scenario(text);
    let file = if reader.errors.is_empty() {
        Ok(ScenarioFile {
            vars: BTreeMap::new(),
            scenarios: vec![spanned(scenario, 1, 1)],
        })
    } else {
        Err(reader.errors)
    };
    Read {
        file,
        notes: reader.notes,
    }
}

/// A value placed at a line and column of the file.
fn spanned<T>(value: T, line: usize, column: usize) -> Spanned<T> {
    let location: Location = serde_json::from_value(json!({"line": line, "column": column}))
        .unwrap_or(Location::UNKNOWN);
    Spanned::new(value, location, location)
}

/// Where a line is in the request or response part of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    RequestHeaders,
    Query,
    Form,
    Cookies,
    Options,
    Body,
    ResponseHeaders,
    Captures,
    Asserts,
}

struct Reader<'a> {
    file: &'a str,
    errors: Vec<ScenarioError>,
    notes: Vec<ScenarioError>,
}

impl Reader<'_> {
    fn error(&mut self, line: usize, message: String) {
        self.errors.push(ScenarioError {
            file: self.file.to_string(),
            line: Some(line as u64),
            column: None,
            message,
        });
    }

    fn scenario(&mut self, text: &str) -> Scenario {
        let name = std::path::Path::new(self.file).file_name().map_or_else(
            || self.file.to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut scenario = Scenario {
            name,
            description: None,
            checklist: Vec::new(),
            severity: None,
            destructive: false,
            vars: BTreeMap::new(),
            for_each_operation: None,
            steps: Vec::new(),
            // Hurl's variables come from the command line or the environment, any case.
            env_any_case: true,
        };
        let mut caller: Option<Spanned<String>> = None;
        let mut entry: Option<(usize, Step)> = None;
        let mut part = Part::RequestHeaders;
        let mut body: Option<(usize, String)> = None;
        let lines: Vec<&str> = text.lines().collect();
        for (index, raw) in lines.iter().enumerate() {
            let number = index + 1;
            let line = raw.trim();
            if let Some(directive) = line.strip_prefix("# vibeguard:") {
                self.directive(directive.trim(), number, &mut scenario, &mut caller);
                continue;
            }
            // A JSON body runs until the response line or the next request.
            if let Some((_, text)) = body.as_mut()
                && !line.starts_with("HTTP")
                && request_line(line).is_none()
            {
                text.push_str(raw);
                text.push('\n');
                continue;
            }
            if let Some(body) = body.take() {
                self.set_body(body, &mut entry);
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((method, url)) = request_line(line) {
                if let Some((start, step)) = entry.take() {
                    scenario.steps.push(spanned(step, start, 1));
                }
                if method == "DELETE" {
                    scenario.destructive = true;
                }
                let mut step = Step {
                    name: None,
                    method: Some(method.to_string()),
                    path: None,
                    query: BTreeMap::new(),
                    headers: BTreeMap::new(),
                    json: None,
                    form: None,
                    multipart: None,
                    caller: caller.clone(),
                    capture: BTreeMap::new(),
                    repeat: None,
                    for_each: None,
                    expect: Expect::default(),
                };
                match split_url(&variables(url)) {
                    Ok((path, query)) => {
                        step.name = Some(format!("{method} {path} (line {number})"));
                        step.path = Some(spanned(path, number, 1));
                        step.query = query;
                    }
                    Err(why) => self.error(number, why),
                }
                entry = Some((number, step));
                part = Part::RequestHeaders;
                continue;
            }
            let Some((_, step)) = entry.as_mut() else {
                self.error(
                    number,
                    format!("`{line}` is not a request line (`GET {{{{base_url}}}}/path`)"),
                );
                continue;
            };
            if let Some(section) = section(line) {
                part = match (section, part) {
                    ("QueryStringParams" | "Query", _) => Part::Query,
                    ("FormParams" | "Form", _) => {
                        step.form.get_or_insert_with(BTreeMap::new);
                        Part::Form
                    }
                    ("Cookies", _) => Part::Cookies,
                    ("Options", _) => {
                        self.notes.push(ScenarioError {
                            file: self.file.to_string(),
                            line: Some(number as u64),
                            column: None,
                            message: "[Options] is ignored: vibeguard's own budget, timeouts, redirects and TLS settings apply".into(),
                        });
                        Part::Options
                    }
                    ("Captures", _) => Part::Captures,
                    ("Asserts", _) => Part::Asserts,
                    (other, _) => {
                        self.error(
                            number,
                            format!("the section [{other}] is not supported (vibeguard reads [QueryStringParams], [FormParams], [Cookies], [Options], [Captures], [Asserts])"),
                        );
                        Part::Options
                    }
                };
                continue;
            }
            if let Some(status) = response_line(line) {
                match status {
                    Ok(Some(code)) => {
                        step.expect.status = Some(spanned(json!(code), number, 1));
                    }
                    Ok(None) => {}
                    Err(why) => self.error(number, why),
                }
                part = Part::ResponseHeaders;
                continue;
            }
            if (line.starts_with('{') || line.starts_with('['))
                && matches!(
                    part,
                    Part::RequestHeaders | Part::Query | Part::Form | Part::Cookies | Part::Options
                )
            {
                body = Some((number, format!("{raw}\n")));
                part = Part::Body;
                continue;
            }
            if line.starts_with("```")
                || line.starts_with('"')
                || line.starts_with("base64,")
                || line.starts_with("file,")
                || line.starts_with("hex,")
            {
                self.error(
                    number,
                    "only JSON bodies are read (a text, multiline, base64, hex or file body is not)"
                        .into(),
                );
                continue;
            }
            match part {
                Part::Options => {}
                Part::RequestHeaders | Part::Query | Part::Form | Part::Cookies => {
                    let Some((name, value)) = key_value(line) else {
                        self.error(number, format!("`{line}` is not `name: value`"));
                        continue;
                    };
                    let value = variables(&unquote(value));
                    match part {
                        Part::Query => {
                            step.query.insert(name.to_string(), value);
                        }
                        Part::Form => {
                            step.form
                                .get_or_insert_with(BTreeMap::new)
                                .insert(name.to_string(), value);
                        }
                        Part::Cookies => {
                            let cookie = step.headers.entry("Cookie".into()).or_default();
                            if !cookie.is_empty() {
                                cookie.push_str("; ");
                            }
                            cookie.push_str(&format!("{name}={value}"));
                        }
                        _ => {
                            step.headers.insert(name.to_string(), value);
                        }
                    }
                }
                Part::ResponseHeaders => match key_value(line) {
                    Some((name, value)) => {
                        step.expect.headers.insert(
                            name.to_string(),
                            HeaderExpect {
                                equals: Some(variables(&unquote(value))),
                                ..HeaderExpect::default()
                            },
                        );
                    }
                    None => self.error(
                        number,
                        format!("`{line}` is not a response header `name: value`"),
                    ),
                },
                Part::Captures => match capture(line) {
                    Ok((name, capture)) => {
                        step.capture.insert(name, spanned(capture, number, 1));
                    }
                    Err(why) => self.error(number, why),
                },
                Part::Asserts => {
                    if let Err(why) = assert(line, number, &mut step.expect) {
                        self.error(number, why);
                    }
                }
                Part::Body => {}
            }
        }
        if let Some(body) = body.take() {
            self.set_body(body, &mut entry);
        }
        if let Some((start, step)) = entry.take() {
            scenario.steps.push(spanned(step, start, 1));
        }
        if scenario.steps.is_empty() && self.errors.is_empty() {
            self.error(1, "holds no request (`GET {{base_url}}/path`)".into());
        }
        scenario
    }

    /// A JSON body read to its end (the response line, the next request or the file's end)
    /// into its entry's step.
    fn set_body(&mut self, (start, json): (usize, String), entry: &mut Option<(usize, Step)>) {
        let Some((_, step)) = entry.as_mut() else {
            return;
        };
        match serde_json::from_str::<Value>(&json) {
            Ok(value) => step.json = Some(convert_json(value)),
            Err(error) => self.error(
                start,
                format!("the JSON body is not valid JSON ({error}); a `{{{{variable}}}}` outside quotes is not read"),
            ),
        }
    }

    fn directive(
        &mut self,
        directive: &str,
        number: usize,
        scenario: &mut Scenario,
        caller: &mut Option<Spanned<String>>,
    ) {
        let (key, value) = directive
            .split_once(char::is_whitespace)
            .map_or((directive, ""), |(k, v)| (k, v.trim()));
        match key {
            "name" if !value.is_empty() => scenario.name = value.to_string(),
            "severity" => scenario.severity = Some(spanned(value.to_string(), number, 1)),
            "checklist" => scenario.checklist.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| spanned(item.to_string(), number, 1)),
            ),
            "as" if !value.is_empty() => *caller = Some(spanned(value.to_string(), number, 1)),
            _ => self.error(
                number,
                format!("`# vibeguard: {directive}`: give `name TEXT`, `checklist AUTH-01, AUTH-02`, `severity high` or `as IDENTITY`"),
            ),
        }
    }
}

/// `GET https://…` → the method and the URL.
fn request_line(line: &str) -> Option<(&str, &str)> {
    let (method, rest) = line.split_once(char::is_whitespace)?;
    METHODS
        .contains(&method)
        .then(|| (method, rest.trim()))
        .filter(|(_, url)| !url.is_empty())
}

/// `HTTP 200`, `HTTP/1.1 404`, `HTTP *` → the expected status (none for `*`).
fn response_line(line: &str) -> Option<Result<Option<u16>, String>> {
    let rest = line.strip_prefix("HTTP")?;
    let rest = rest.strip_prefix('/').map_or(rest, |version| {
        version.split_once(' ').map_or("", |(_, s)| s)
    });
    let status = rest.trim();
    Some(match status {
        "*" => Ok(None),
        code => code
            .parse::<u16>()
            .ok()
            .filter(|c| (100..600).contains(c))
            .map(Some)
            .ok_or_else(|| format!("`{line}`: expected `HTTP <status>` or `HTTP *`")),
    })
}

/// `[Asserts]` → `Asserts`.
fn section(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .chars()
        .all(|c| c.is_ascii_alphabetic())
        .then_some(inner)
        .filter(|s| !s.is_empty())
}

fn key_value(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim();
    (!name.is_empty() && !name.contains(char::is_whitespace)).then(|| (name, value.trim()))
}

/// `{{name}}` → `${name}`, and a literal `$` kept literal.
fn variables(text: &str) -> String {
    let escaped = text.replace('$', "$$");
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str("${");
        out.push_str(rest[start + 2..start + end].trim());
        out.push('}');
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn convert_json(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(variables(&text)),
        Value::Array(items) => Value::Array(items.into_iter().map(convert_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, convert_json(value)))
                .collect(),
        ),
        other => other,
    }
}

/// A URL of the file as a path under the target and its query: `${base_url}/api/x?q=1` (a
/// leading variable is the file's base URL), `http://localhost:3000/api/x`, or `/api/x`.
fn split_url(url: &str) -> Result<(String, BTreeMap<String, String>), String> {
    let without_base = if url.starts_with("${") {
        url.find('}').map_or(url, |end| &url[end + 1..])
    } else if let Some(after_scheme) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    {
        after_scheme
            .find('/')
            .map_or("/", |slash| &after_scheme[slash..])
    } else {
        url
    };
    if !without_base.starts_with('/') && !without_base.is_empty() {
        return Err(format!(
            "the URL `{url}` is neither absolute, nor `{{{{base_url}}}}/path`, nor `/path`"
        ));
    }
    let (path, query_text) = without_base.split_once('?').unwrap_or((without_base, ""));
    let path = if path.is_empty() { "/" } else { path };
    let query = url::form_urlencoded::parse(query_text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok((path.to_string(), query))
}

/// A quoted Hurl string's text (`"a \"b\""` → `a "b"`), or the text as it is.
fn unquote(text: &str) -> String {
    match text
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => serde_json::from_str::<String>(&format!("\"{inner}\""))
            .unwrap_or_else(|_| inner.to_string()),
        None => text.to_string(),
    }
}

/// One token of an assert or capture line: a quoted string, a `/regex/`, or a word.
fn token(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    if text.is_empty() {
        return None;
    }
    if let Some(inner) = text.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in inner.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    return Some((unquote(&text[..i + 2]), &inner[i + 1..]));
                }
                _ => escaped = false,
            }
        }
        return None;
    }
    if let Some(inner) = text.strip_prefix('/') {
        let mut escaped = false;
        for (i, c) in inner.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '/' if !escaped => return Some((inner[..i].replace("\\/", "/"), &inner[i + 1..])),
                _ => escaped = false,
            }
        }
        return None;
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    Some((text[..end].to_string(), &text[end..]))
}

/// `id: jsonpath "$.id"` → the capture.
fn capture(line: &str) -> Result<(String, Capture), String> {
    let (name, query) = line
        .split_once(':')
        .ok_or_else(|| format!("`{line}` is not `name: query`"))?;
    let (kind, rest) = token(query).ok_or_else(|| format!("`{line}` has no query"))?;
    let (argument, rest) =
        token(rest).ok_or_else(|| format!("`{line}`: `{kind}` needs its argument"))?;
    if !rest.trim().is_empty() {
        return Err(format!(
            "`{line}`: filters after a capture query are not supported"
        ));
    }
    let mut capture = Capture::default();
    match kind.as_str() {
        "jsonpath" => capture.json = Some(argument),
        "header" => capture.header = Some(argument),
        "cookie" => capture.cookie = Some(argument),
        "regex" => capture.regex = Some(argument),
        other => {
            return Err(format!(
                "the capture query `{other}` is not supported (jsonpath, header, cookie, regex are)"
            ));
        }
    }
    Ok((name.trim().to_string(), capture))
}

/// One `[Asserts]` line into `expect`.
fn assert(line: &str, number: usize, expect: &mut Expect) -> Result<(), String> {
    let unsupported = |what: &str| Err(format!("`{line}`: {what} is not supported"));
    let (query, rest) = token(line).ok_or_else(|| "an empty assert".to_string())?;
    let (argument, rest) = match query.as_str() {
        "header" | "jsonpath" => {
            let (argument, rest) =
                token(rest).ok_or_else(|| format!("`{line}`: `{query}` needs its argument"))?;
            (Some(argument), rest)
        }
        _ => (None, rest),
    };
    let (mut predicate, mut rest) =
        token(rest).ok_or_else(|| format!("`{line}` has no predicate"))?;
    let mut count = false;
    if predicate == "count" && query == "jsonpath" {
        count = true;
        (predicate, rest) = token(rest).ok_or_else(|| format!("`{line}` has no predicate"))?;
    }
    let negated = predicate == "not";
    if negated {
        (predicate, rest) = token(rest).ok_or_else(|| format!("`{line}` has no predicate"))?;
    }
    let value = token(rest).map(|(value, _)| value);
    let value_text = || value.clone().map(|v| variables(&v));
    match (query.as_str(), predicate.as_str(), negated) {
        ("status", "==", false) => {
            let code: u16 = value
                .as_deref()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("`{line}`: a status code"))?;
            expect.status = Some(spanned(json!(code), number, 1));
        }
        ("header", predicate, negated) => {
            let name = argument.unwrap_or_default();
            let header = expect.headers.entry(name).or_default();
            match (predicate, negated) {
                ("exists", false) => header.present = Some(true),
                ("exists", true) => header.absent = Some(true),
                ("==", false) => header.equals = value_text(),
                ("contains", false) => {
                    header.matches = value.as_deref().map(regex::escape);
                }
                ("startsWith", false) => {
                    header.matches = value.as_deref().map(|v| format!("^{}", regex::escape(v)));
                }
                ("matches", false) => header.matches = value.clone(),
                _ => return unsupported("this header predicate"),
            }
        }
        ("jsonpath", predicate, negated) => {
            let mut assertion = JsonExpect {
                path: argument.unwrap_or_default(),
                ..JsonExpect::default()
            };
            match (predicate, negated, count) {
                ("==", false, true) => {
                    assertion.length = Some(
                        value
                            .as_deref()
                            .and_then(|v| v.parse().ok())
                            .ok_or_else(|| format!("`{line}`: a count"))?,
                    );
                }
                (_, _, true) => return unsupported("this count predicate"),
                ("==", false, false) => {
                    assertion.equals = Some(json_value(rest.trim_start()));
                }
                ("exists", false, false) => assertion.exists = Some(true),
                ("exists", true, false) => assertion.absent = Some(true),
                ("matches", false, false) => assertion.matches = value.clone(),
                ("isInteger", false, false) => assertion.kind = Some("integer".into()),
                ("isNumber", false, false) => assertion.kind = Some("number".into()),
                ("isString", false, false) => assertion.kind = Some("string".into()),
                ("isBoolean", false, false) => assertion.kind = Some("boolean".into()),
                _ => return unsupported("this jsonpath predicate"),
            }
            expect.json.push(spanned(assertion, number, 1));
        }
        ("body", predicate, negated) => {
            let body = expect.body.get_or_insert_with(BodyExpect::default);
            let text = value_text().ok_or_else(|| format!("`{line}`: a value"))?;
            match (predicate, negated) {
                ("contains", false) => body.contains.push(text),
                ("contains", true) => body.not_contains.push(text),
                ("matches", false) => body.matches.push(value.clone().unwrap_or_default()),
                ("matches", true) => body.not_matches.push(value.clone().unwrap_or_default()),
                _ => return unsupported("this body predicate"),
            }
        }
        ("duration", "<" | "<=", false) => {
            let limit: u64 = value
                .as_deref()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("`{line}`: a number of milliseconds"))?;
            expect.max_ms = Some(if predicate == "<" {
                limit.saturating_sub(1)
            } else {
                limit
            });
        }
        (query, _, _) => {
            return unsupported(&format!("the assert on `{query}` with `{predicate}`"));
        }
    }
    Ok(())
}

/// A Hurl predicate value as JSON: a quoted string, a number, `true`, `false`, `null`.
fn json_value(text: &str) -> Value {
    let text = text.trim();
    if text.starts_with('"') {
        return Value::String(variables(&unquote(text)));
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(variables(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_variables_and_tokens() {
        assert_eq!(variables("Bearer {{ token }}"), "Bearer ${token}");
        assert_eq!(variables("costs $5"), "costs $$5");
        assert_eq!(
            split_url("${base_url}/api/x?q=a%20b"),
            Ok(("/api/x".into(), [("q".into(), "a b".into())].into()))
        );
        assert_eq!(
            split_url("http://localhost:3000/api/x").map(|(p, _)| p),
            Ok("/api/x".into())
        );
        assert!(split_url("api/x").is_err());
        assert_eq!(
            token(r#""a \"b\"" rest"#),
            Some((r#"a "b""#.to_string(), " rest"))
        );
        assert_eq!(
            token(r"/\d+\/x/ rest"),
            Some((r"\d+/x".to_string(), " rest"))
        );
        assert_eq!(response_line("HTTP/1.1 404"), Some(Ok(Some(404))));
        assert_eq!(response_line("HTTP *"), Some(Ok(None)));
        assert!(matches!(response_line("HTTP 99"), Some(Err(_))));
    }
}
