//! Recorded traffic as a source of operations: HAR 1.2 files (browser developer tools, proxies)
//! and Postman Collections v2.0/v2.1 ([`har`], [`postman`]; a new format is one more file that
//! turns a document into [`RecordedRequest`]s). The requests to the target's origin become
//! operations ([`operations`]): segments that look like ids or vary across requests become
//! path parameters, the requests of one operation merge, and their queries and bodies become
//! examples.
//!
//! Nothing recorded is replayed as it is: the operations go through the same planning and
//! safety rules as those of a description. Credentials in the traffic are never kept — header
//! values are dropped, and so are the example values of fields named like secrets and values
//! shaped like tokens — so they can neither be reused nor printed.
//!
//! Reading is tolerant: an entry that cannot be understood is a [`TrafficProblem`] with its
//! JSON pointer, and the rest is read. Files are limited to [`MAX_TRAFFIC_BYTES`], JSON nesting
//! to serde_json's limit, bodies kept as examples to [`MAX_EXAMPLE_BODY`].
//!
//! The `har` and `postman_collection` crates model both formats, strictly: one missing field or
//! an unexpected type anywhere fails the whole file. A recording from a proxy or an old export
//! is rarely that clean, and a located problem per entry is what the user needs, so the few
//! fields used here are read from the JSON value directly.

pub mod har;
mod paths;
pub mod postman;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use url::Url;

use crate::spec::schema::{Schema, SchemaType};
use crate::spec::{
    ApiSpec, BodyKind, Operation, ParamIn, Parameter, RequestBody, ResponseSpec, Security,
    SpecFormat, SpecProblem,
};

/// The largest traffic file read.
pub const MAX_TRAFFIC_BYTES: u64 = 128 * 1024 * 1024;
/// The largest request body used as an example (larger ones keep only their media type).
pub const MAX_EXAMPLE_BODY: usize = 1024 * 1024;
use crate::spec::merge::ORIGIN;

/// Why a traffic file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    /// The file could not be read.
    #[error("cannot read {file}: {message}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        message: String,
    },
    /// The file is larger than [`MAX_TRAFFIC_BYTES`].
    #[error("{file} is {size} bytes, over the {limit}-byte limit for traffic files")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not JSON (or nested too deeply).
    #[error("{file} is not valid JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// serde_json's message, with line and column.
        message: String,
    },
    /// JSON, but neither format, or a version that is not read.
    #[error("{file}: {message}")]
    Format {
        /// The file.
        file: String,
        /// What it is and what is read.
        message: String,
    },
}

/// A part of a recording that could not be used.
pub type TrafficProblem = SpecProblem;

/// A request body as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedBody {
    /// Its media type (`application/json` when unknown and the text is JSON).
    pub media_type: String,
    /// The text, when within [`MAX_EXAMPLE_BODY`].
    pub text: Option<String>,
    /// Form fields (urlencoded or multipart), when the recording lists them.
    pub fields: Vec<(String, String)>,
}

/// One recorded request.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// Upper-case method.
    pub method: String,
    /// The absolute URL (variables resolved).
    pub url: Url,
    /// Path parameters the recording names itself (Postman's `:id`), by segment index.
    pub named_segments: Vec<(usize, String)>,
    /// Whether it carried a credential (an `Authorization`, `Cookie` or API-key header, or a
    /// Postman auth).
    pub authenticated: bool,
    /// Its body.
    pub body: Option<RecordedBody>,
    /// Where it is in the file (`run.har#/log/entries/3`).
    pub source: String,
    /// Text values its request and response bodies carry, with the field that carried them
    /// (`("username", "alice")`): a path segment that is one of them is data, not a route word.
    pub values: Vec<(String, String)>,
    /// What the server answered, when the recording holds it (HAR does; a collection does not).
    pub response: Option<RecordedResponse>,
}

/// A recorded answer: its status and the shape of its JSON body (field names and types, no
/// values — a recorded answer can hold another user's data or a token).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedResponse {
    /// The status code.
    pub status: u16,
    /// The JSON body's shape, when the answer was JSON.
    pub schema: Option<Schema>,
}

impl RecordedResponse {
    /// The answer with `status` and a JSON `body`: its shape kept, its values dropped.
    pub fn new(status: u16, body: Option<&Value>) -> RecordedResponse {
        RecordedResponse {
            status,
            schema: body.map(|value| {
                let mut schema = schema_of("", value, 0);
                without_examples(&mut schema);
                schema
            }),
        }
    }
}

fn without_examples(schema: &mut Schema) {
    schema.example = None;
    for (_, property) in &mut schema.properties {
        without_examples(property);
    }
    if let Some(items) = &mut schema.items {
        without_examples(items);
    }
}

/// The most values kept from one body.
const MAX_VALUES: usize = 1_000;

/// The values of a recorded request body.
pub(crate) fn body_values(body: &RecordedBody, values: &mut Vec<(String, String)>) {
    if let Some(parsed) = body
        .text
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
    {
        json_values(&parsed, values);
    }
    values.extend(body.fields.iter().cloned());
}

/// The text values of a JSON document and the fields holding them (depth and count bounded).
pub(crate) fn json_values(value: &Value, out: &mut Vec<(String, String)>) {
    fn walk(key: &str, value: &Value, depth: usize, out: &mut Vec<(String, String)>) {
        if out.len() >= MAX_VALUES || depth > 16 {
            return;
        }
        match value {
            Value::String(text) if !key.is_empty() && !text.is_empty() && text.len() <= 200 => {
                out.push((key.to_string(), text.clone()));
            }
            Value::Number(number) if !key.is_empty() => {
                out.push((key.to_string(), number.to_string()))
            }
            Value::Object(object) => {
                for (key, value) in object {
                    walk(key, value, depth + 1, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(key, item, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    walk("", value, 0, out);
}

/// What one file gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    /// The requests read.
    pub requests: Vec<RecordedRequest>,
    /// Entries skipped, and why.
    pub problems: Vec<TrafficProblem>,
    /// Things the user should know (pre-request scripts not run, variables not defined).
    pub notes: Vec<String>,
}

/// Reads a traffic file: HAR or Postman Collection, told apart by content. `environment` is a
/// Postman environment file whose values override the collection's variables.
pub fn read_file(path: &Path, environment: Option<&Path>) -> Result<Recording, TrafficError> {
    let name = path.display().to_string();
    let root = read_json(path)?;
    if root.get("log").is_some() {
        har::read(&root, &name)
    } else if root.get("info").is_some() || root.get("item").is_some() {
        let variables = match environment {
            Some(file) => {
                postman::environment_values(&read_json(file)?, &file.display().to_string())?
            }
            None => Vec::new(),
        };
        postman::read(&root, &name, &variables)
    } else {
        Err(TrafficError::Format {
            file: name,
            message: "neither a HAR file (no `log`) nor a Postman Collection (no `info`/`item`)"
                .into(),
        })
    }
}

fn read_json(path: &Path) -> Result<Value, TrafficError> {
    let file = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|error| TrafficError::Read {
            file: file.clone(),
            message: error.to_string(),
        })?
        .len();
    if size > MAX_TRAFFIC_BYTES {
        return Err(TrafficError::TooLarge {
            file,
            size,
            limit: MAX_TRAFFIC_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|error| TrafficError::Read {
        file: file.clone(),
        message: error.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|error| TrafficError::Json {
        file,
        message: error.to_string(),
    })
}

/// Every file read and its requests to `target` turned into operations: what an audit and
/// `describe` both do with `--traffic`. A file that cannot be read is one of the errors, and the
/// others are used; the notes say what the user should know (requests elsewhere, scripts not
/// run), and the entries skipped are the spec's problems.
#[derive(Debug)]
pub struct Imported {
    /// The operations.
    pub spec: ApiSpec,
    /// Notes for the report.
    pub notes: Vec<String>,
    /// The files that could not be read, each with its error.
    pub errors: Vec<(std::path::PathBuf, TrafficError)>,
}

/// Reads `files` (with a Postman `environment`) and imports their requests to `target`.
pub fn import(files: &[std::path::PathBuf], environment: Option<&Path>, target: &Url) -> Imported {
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    let mut recordings = Vec::new();
    for file in files {
        match read_file(file, environment) {
            Ok(recording) => {
                notes.extend(recording.notes.iter().cloned());
                recordings.push(recording);
            }
            Err(error) => errors.push((file.clone(), error)),
        }
    }
    let (spec, more) = operations(&recordings, target);
    notes.extend(more);
    Imported {
        spec,
        notes,
        errors,
    }
}

/// The operations of the recorded requests to `target`'s origin (and under its path), one per
/// method and path template, with the parameters, queries and bodies seen as examples. Requests
/// elsewhere are counted in the returned notes, never imported.
pub fn operations(recordings: &[Recording], target: &Url) -> (ApiSpec, Vec<String>) {
    let prefix = target.path().trim_end_matches('/').to_string();
    let mut outside = 0usize;
    let mut kept: Vec<(&RecordedRequest, String)> = Vec::new();
    for request in recordings.iter().flat_map(|r| &r.requests) {
        let same_origin = request.url.host_str() == Some(postman::TARGET_PLACEHOLDER_HOST)
            || (request.url.scheme() == target.scheme()
                && request.url.host_str() == target.host_str()
                && request.url.port_or_known_default() == target.port_or_known_default());
        let path = request.url.path();
        let Some(rest) = path.strip_prefix(&prefix).filter(|_| same_origin) else {
            outside += 1;
            continue;
        };
        if !(rest.is_empty() || rest.starts_with('/')) {
            outside += 1;
            continue;
        }
        if !matches!(
            request.method.as_str(),
            "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
        ) || is_static_file(rest)
        {
            continue;
        }
        let rest = if rest.is_empty() { "/" } else { rest };
        kept.push((request, rest.to_string()));
    }
    // Segment indexes the recording names count from the URL's root; the templates from under
    // the target's path.
    let offset = prefix.split('/').filter(|s| !s.is_empty()).count();
    let named: Vec<Vec<(usize, String)>> = kept
        .iter()
        .map(|(request, _)| {
            request
                .named_segments
                .iter()
                .filter_map(|(index, name)| Some((index.checked_sub(offset)?, name.clone())))
                .collect()
        })
        .collect();
    let mut data: BTreeMap<&str, &str> = BTreeMap::new();
    for (request, _) in &kept {
        for (key, value) in &request.values {
            data.entry(value.as_str()).or_insert(key.as_str());
        }
    }
    let created: Vec<&str> = kept
        .iter()
        .filter(|(request, _)| request.method == "POST")
        .map(|(_, path)| path.trim_end_matches('/'))
        .collect();
    let templates = paths::templates(
        &kept
            .iter()
            .zip(&named)
            .map(|((_, path), named)| paths::Observed { path, named })
            .collect::<Vec<_>>(),
        &paths::Data {
            values: &data,
            created: &created,
        },
    );
    let mut grouped: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    let mut order = Vec::new();
    for (index, template) in templates.iter().enumerate() {
        let key = (kept[index].0.method.clone(), template.path.clone());
        if !grouped.contains_key(&key) {
            order.push(key.clone());
        }
        grouped.entry(key).or_default().push(index);
    }
    let operations = order
        .into_iter()
        .map(|key| {
            let members = &grouped[&key];
            operation(&key.0, &templates[members[0]], members, &kept)
        })
        .collect::<Vec<_>>();
    let mut notes = Vec::new();
    if outside > 0 {
        notes.push(format!(
            "{outside} recorded request{} outside {target} not imported",
            if outside == 1 { "" } else { "s" }
        ));
    }
    let spec = ApiSpec {
        format: SpecFormat::Traffic,
        title: format!("{} operations from recorded traffic", operations.len()),
        servers: Vec::new(),
        operations,
        problems: recordings
            .iter()
            .flat_map(|r| r.problems.iter().cloned())
            .collect(),
    };
    (spec, notes)
}

/// Static files a browser fetches along with the API.
pub(crate) fn is_static_file(path: &str) -> bool {
    let last = path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    [
        ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
        ".woff", ".woff2", ".ttf", ".eot",
    ]
    .iter()
    .any(|extension| last.ends_with(extension))
}

fn operation(
    method: &str,
    template: &paths::Template,
    members: &[usize],
    kept: &[(&RecordedRequest, String)],
) -> Operation {
    let first = kept[members[0]].0;
    let mut parameters: Vec<Parameter> = template
        .parameters
        .iter()
        .map(|(name, example)| Parameter {
            name: name.clone(),
            location: ParamIn::Path,
            required: true,
            schema: Schema {
                types: vec![value_type(example)],
                // A Postman `:name` without a value has no example.
                example: Some(Value::String(example.clone()))
                    .filter(|_| !example.starts_with(':') && !looks_secret(name, example)),
                ..Schema::default()
            },
        })
        .collect();
    let mut query: Vec<(String, Vec<String>)> = Vec::new();
    for &member in members {
        for (name, value) in kept[member].0.url.query_pairs() {
            match query.iter_mut().find(|(n, _)| *n == name) {
                Some((_, values)) => values.push(value.into_owned()),
                None => query.push((name.into_owned(), vec![value.into_owned()])),
            }
        }
    }
    parameters.extend(query.into_iter().map(|(name, values)| {
        Parameter {
            schema: Schema {
                types: vec![common_type(&values)],
                example: values
                    .first()
                    .filter(|value| !looks_secret(&name, value))
                    .map(|value| Value::String(value.clone())),
                ..Schema::default()
            },
            name,
            location: ParamIn::Query,
            required: false,
        }
    }));
    let body = members
        .iter()
        .filter_map(|&member| kept[member].0.body.as_ref())
        .fold(None::<RequestBody>, |merged, body| {
            Some(merge_body(merged, body))
        });
    let authenticated = members.iter().any(|&m| kept[m].0.authenticated);
    let responses = members
        .iter()
        .filter_map(|&member| kept[member].0.response.as_ref())
        .fold(Vec::<ResponseSpec>::new(), merge_response);
    let mut extensions = BTreeMap::new();
    extensions.insert(
        "x-vibeguard-source".to_string(),
        Value::String(first.source.clone()),
    );
    extensions.insert(ORIGIN.to_string(), Value::String("traffic".into()));
    if authenticated {
        extensions.insert(
            "x-vibeguard-recorded-with-credential".to_string(),
            Value::Bool(true),
        );
    }
    Operation {
        method: method.to_string(),
        path: template.path.clone(),
        operation_id: None,
        summary: None,
        tags: Vec::new(),
        parameters,
        body,
        // A browser sends its cookies with every request, public ones included: a recorded
        // credential does not say the operation requires one. The checks judge it; the code's
        // routes, when merged, can say it is secured.
        security: Security::Undeclared,
        responses,
        links: Vec::new(),
        extensions,
        pointer: first.source.clone(),
    }
}

/// One recorded answer merged into the operation's responses: one per status, the properties
/// of its JSON objects united.
fn merge_response(
    mut responses: Vec<ResponseSpec>,
    answer: &RecordedResponse,
) -> Vec<ResponseSpec> {
    let status = answer.status.to_string();
    match responses.iter_mut().find(|r| r.status == status) {
        None => responses.push(ResponseSpec {
            status,
            schema: answer.schema.clone(),
        }),
        Some(known) => match (&mut known.schema, &answer.schema) {
            (Some(merged), Some(schema)) => {
                for (name, property) in &schema.properties {
                    if merged.property(name).is_none() {
                        merged.properties.push((name.clone(), property.clone()));
                    }
                }
            }
            (merged @ None, Some(schema)) => *merged = Some(schema.clone()),
            _ => {}
        },
    }
    responses
}

/// One recorded body merged into the operation's: JSON objects' properties united, form
/// fields likewise.
fn merge_body(merged: Option<RequestBody>, body: &RecordedBody) -> RequestBody {
    let mut schema = match &body.text {
        Some(text) if crate::spec::body_kind(&body.media_type) == BodyKind::Json => {
            serde_json::from_str::<Value>(text)
                .map(|value| schema_of("", &value, 0))
                .unwrap_or_default()
        }
        _ => Schema::default(),
    };
    if !body.fields.is_empty() {
        schema.types = vec![SchemaType::Object];
        for (name, value) in &body.fields {
            schema.properties.push((
                name.clone(),
                Schema {
                    types: vec![value_type(value)],
                    example: Some(Value::String(value.clone()))
                        .filter(|_| !looks_secret(name, value) && !is_unique_key(name)),
                    ..Schema::default()
                },
            ));
        }
    }
    match merged {
        None => RequestBody {
            required: true,
            media_type: body.media_type.clone(),
            kind: crate::spec::body_kind(&body.media_type),
            schema,
        },
        Some(mut merged) => {
            for (name, property) in schema.properties {
                if merged.schema.property(&name).is_none() {
                    merged.schema.properties.push((name, property));
                }
            }
            merged
        }
    }
}

/// The schema a recorded JSON value shows, with its value as the example (secrets left out).
fn schema_of(name: &str, value: &Value, depth: usize) -> Schema {
    let mut schema = Schema::default();
    match value {
        Value::Object(object) if depth < 16 => {
            schema.types = vec![SchemaType::Object];
            schema.properties = object
                .iter()
                .filter(|(key, _)| !key.starts_with('_'))
                .map(|(key, value)| (key.clone(), schema_of(key, value, depth + 1)))
                .collect();
        }
        Value::Array(items) if depth < 16 => {
            schema.types = vec![SchemaType::Array];
            schema.items = items
                .first()
                .map(|item| Box::new(schema_of(name, item, depth + 1)));
        }
        Value::String(text) => {
            schema.types = vec![SchemaType::String];
            if !looks_secret(name, text) && !is_unique_key(name) {
                schema.example = Some(value.clone());
            }
        }
        Value::Number(number) => {
            schema.types = vec![if number.is_f64() {
                SchemaType::Number
            } else {
                SchemaType::Integer
            }];
            schema.example = Some(value.clone());
        }
        Value::Bool(_) => {
            schema.types = vec![SchemaType::Boolean];
            schema.example = Some(value.clone());
        }
        // Sent as the client sent it: a `photo_url: null` filled in with a made-up URL is a
        // request the app refuses (it cannot fetch it) where the recorded one was taken.
        Value::Null => {
            schema.types = vec![SchemaType::Null];
            schema.example = Some(Value::Null);
        }
        _ => {}
    }
    schema
}

fn value_type(value: &str) -> SchemaType {
    if !value.is_empty() && value.len() < 16 && value.bytes().all(|b| b.is_ascii_digit()) {
        SchemaType::Integer
    } else {
        SchemaType::String
    }
}

fn common_type(values: &[String]) -> SchemaType {
    if values.iter().all(|v| value_type(v) == SchemaType::Integer) {
        SchemaType::Integer
    } else {
        SchemaType::String
    }
}

/// Whether a recorded value must not be kept: a field named like a secret, or a value shaped
/// like a token (a JWT, a long random string).
pub(crate) fn looks_secret(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let named = [
        "pass",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "auth",
        "otp",
        "pin",
        "cookie",
        "session",
        "signature",
        "credential",
        "key",
    ]
    .iter()
    .any(|word| name.contains(word));
    let jwt = value.len() > 20 && value.starts_with("eyJ") && value.matches('.').count() == 2;
    let uuid = value.len() == 36 && paths::looks_like_id(value) && value.matches('-').count() == 4;
    let random = !uuid
        && value.len() >= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_+/=.".contains(&b))
        && value.bytes().any(|b| b.is_ascii_digit())
        && value.bytes().any(|b| b.is_ascii_alphabetic());
    named || jwt || random
}

/// Whether a field is likely unique per object (a name, a slug, an account's e-mail): the
/// recorded value was taken when it was recorded, so requests get fresh values instead.
fn is_unique_key(name: &str) -> bool {
    let words = vibeguard_core::words::words(name);
    words.last().is_some_and(|last| {
        matches!(
            last.as_str(),
            "name" | "title" | "slug" | "username" | "email" | "mail" | "login" | "handle" | "code"
        )
    })
}

/// Whether a header carries a credential.
pub(crate) fn is_credential_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "cookie" | "proxy-authorization"
    ) || name.contains("api-key")
        || name.contains("apikey")
        || name.contains("auth-token")
        || name.contains("access-token")
        || name == "x-token"
        || name == "x-session"
}

/// `file#pointer`, where a recorded request comes from.
pub(crate) fn pointer(file: &str, pointer: &str) -> String {
    format!("{file}#{pointer}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        method: &str,
        url: &str,
        authenticated: bool,
        body: Option<&str>,
    ) -> RecordedRequest {
        RecordedRequest {
            method: method.into(),
            url: Url::parse(url).expect("url"),
            named_segments: Vec::new(),
            authenticated,
            body: body.map(|text| RecordedBody {
                media_type: "application/json".into(),
                text: Some(text.into()),
                fields: Vec::new(),
            }),
            source: format!("run.har#{method}{url}"),
            values: Vec::new(),
            response: None,
        }
    }

    #[test]
    fn requests_to_the_target_become_templated_merged_operations() {
        let recording = Recording {
            requests: vec![
                request(
                    "POST",
                    "http://127.0.0.1:3000/api/login",
                    false,
                    Some(r#"{"email":"a@example.com","password":"hunter2hunter2"}"#),
                ),
                request("GET", "http://127.0.0.1:3000/api/notes?page=2", true, None),
                request("GET", "http://127.0.0.1:3000/api/notes/17", true, None),
                request("GET", "http://127.0.0.1:3000/api/notes/18", true, None),
                request("DELETE", "http://127.0.0.1:3000/api/notes/18", true, None),
                request(
                    "POST",
                    "http://127.0.0.1:3000/api/notes",
                    true,
                    Some(r#"{"title":"a","pinned":true,"colour":"red"}"#),
                ),
                request(
                    "POST",
                    "http://127.0.0.1:3000/api/notes",
                    true,
                    Some(r#"{"title":"b","tags":["x"],"photo_url":null}"#),
                ),
                request("GET", "http://127.0.0.1:3000/static/app.js", false, None),
                request("GET", "https://cdn.example.com/api/notes", false, None),
                request("GET", "http://127.0.0.1:4000/api/notes", false, None),
            ],
            ..Recording::default()
        };
        let target = Url::parse("http://127.0.0.1:3000").expect("url");
        let (spec, notes) = operations(&[recording], &target);
        let labels: Vec<String> = spec.operations.iter().map(Operation::label).collect();
        assert_eq!(
            labels,
            [
                "POST /api/login",
                "GET /api/notes",
                "GET /api/notes/{id}",
                "DELETE /api/notes/{id}",
                "POST /api/notes"
            ]
        );
        assert_eq!(
            notes,
            ["2 recorded requests outside http://127.0.0.1:3000/ not imported"]
        );
        let login = &spec.operations[0];
        assert_eq!(login.security, Security::Undeclared);
        let body = &login.body.as_ref().expect("body").schema;
        // An account's e-mail was taken when recorded: requests get fresh ones.
        assert!(body.property("email").is_some_and(|s| s.example.is_none()));
        // The recorded password is never kept.
        assert_eq!(
            body.property("password").and_then(|s| s.example.clone()),
            None
        );
        let read = &spec.operations[2];
        assert_eq!(
            read.security,
            Security::Undeclared,
            "a credential sent is not one required"
        );
        assert_eq!(
            read.extensions["x-vibeguard-recorded-with-credential"],
            true
        );
        assert_eq!(read.parameters[0].schema.types, [SchemaType::Integer]);
        assert_eq!(read.parameters[0].schema.example, Some(Value::from("17")));
        let list = &spec.operations[1];
        assert_eq!(list.parameters[0].name, "page");
        assert_eq!(list.parameters[0].location, ParamIn::Query);
        // Two recorded bodies of one operation merge.
        let create = spec.operations[4].body.as_ref().expect("body");
        let names: Vec<&str> = create
            .schema
            .properties
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["colour", "pinned", "title", "photo_url", "tags"]);
        // A field sent as null is sent as null, not filled in (a made-up URL fails).
        assert_eq!(
            create
                .schema
                .property("photo_url")
                .and_then(|s| s.example.clone()),
            Some(Value::Null)
        );
        assert_eq!(
            create
                .schema
                .property("colour")
                .and_then(|s| s.example.clone()),
            Some(Value::from("red"))
        );
    }

    #[test]
    fn a_target_with_a_path_keeps_only_what_is_under_it() {
        let recording = Recording {
            requests: vec![
                request("GET", "http://h.test/app/api/items", false, None),
                request("GET", "http://h.test/application/x", false, None),
                request("GET", "http://h.test/other", false, None),
            ],
            ..Recording::default()
        };
        let target = Url::parse("http://h.test/app").expect("url");
        let (spec, notes) = operations(&[recording], &target);
        let labels: Vec<String> = spec.operations.iter().map(Operation::label).collect();
        assert_eq!(labels, ["GET /api/items"]);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn secrets_are_recognised_by_name_and_by_shape() {
        assert!(looks_secret("password", "x"));
        assert!(looks_secret("apiKey", "x"));
        assert!(looks_secret(
            "q",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        ));
        assert!(looks_secret(
            "q",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc12345678"
        ));
        assert!(!looks_secret("title", "Groceries for the week"));
        assert!(!looks_secret("email", "alice@example.com"));
        assert!(!looks_secret("id", "3fa85f64-5717-4562-b3fc-2c963f66afa6"));
    }
}
