//! Postman Collections v2.0 and v2.1 (the format's documentation: schema.postman.com): requests
//! in folders at any depth, `{{variables}}` from the collection and from an environment file
//! (which wins), `:param` path variables, auth inherited from folders and the collection
//! (`noauth` ends it), and raw, urlencoded, form-data and GraphQL bodies. Pre-request scripts are
//! not run: the values they would set are missing, and the user is told so. Disabled headers,
//! query parameters and fields are left out, as Postman leaves them out when it sends.

use serde_json::Value;
use url::Url;

use super::{
    MAX_EXAMPLE_BODY, RecordedBody, RecordedRequest, Recording, TrafficError, TrafficProblem,
    is_credential_header, pointer,
};

/// The host given to requests whose base URL is an undefined variable (`{{baseUrl}}/notes`):
/// they are taken as requests to the target.
pub const TARGET_PLACEHOLDER_HOST: &str = "target.vibeguard.invalid";

/// Folders nested deeper than this are not read.
const MAX_DEPTH: usize = 64;

/// The values of a Postman environment (or globals) file, enabled ones only.
pub fn environment_values(root: &Value, file: &str) -> Result<Vec<(String, String)>, TrafficError> {
    let values = root
        .get("values")
        .and_then(Value::as_array)
        .ok_or_else(|| TrafficError::Format {
            file: file.to_string(),
            message: "not a Postman environment (no `values` list)".into(),
        })?;
    Ok(key_values(values))
}

/// `[{key, value, disabled|enabled}]` → enabled pairs.
fn key_values(list: &[Value]) -> Vec<(String, String)> {
    list.iter()
        .filter(|item| {
            item.get("disabled").and_then(Value::as_bool) != Some(true)
                && item.get("enabled").and_then(Value::as_bool) != Some(false)
        })
        .filter_map(|item| {
            let key = item.get("key")?.as_str()?.to_string();
            let value = match item.get("value") {
                Some(Value::String(text)) => text.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            Some((key, value))
        })
        .collect()
}

/// Reads a parsed collection; `environment` overrides its variables.
pub fn read(
    root: &Value,
    file: &str,
    environment: &[(String, String)],
) -> Result<Recording, TrafficError> {
    let schema = root
        .pointer("/info/schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !(schema.contains("v2.1") || schema.contains("v2.0")) {
        return Err(TrafficError::Format {
            file: file.to_string(),
            message: if schema.is_empty() {
                "a Postman Collection without `info.schema` (a v1 export?): export it as \
                 Collection v2.1"
                    .into()
            } else {
                format!("Postman Collection schema {schema} is not read (v2.0 and v2.1 are)")
            },
        });
    }
    let mut variables: Vec<(String, String)> = environment.to_vec();
    if let Some(list) = root.get("variable").and_then(Value::as_array) {
        variables.extend(key_values(list));
    }
    let mut reader = Reader {
        file,
        variables,
        recording: Recording::default(),
        scripts: 0,
        undefined: Vec::new(),
    };
    reader.count_scripts(root);
    let auth = authenticates(root.get("auth"));
    match root.get("item").and_then(Value::as_array) {
        Some(items) => reader.items(items, "/item", auth.unwrap_or(false), 0),
        None => {
            return Err(TrafficError::Format {
                file: file.to_string(),
                message: "the collection has no `item` list".into(),
            });
        }
    }
    let mut recording = reader.recording;
    if reader.scripts > 0 {
        recording.notes.push(format!(
            "{file}: {} pre-request script{} not run (values they set are missing)",
            reader.scripts,
            if reader.scripts == 1 { "" } else { "s" }
        ));
    }
    for name in reader.undefined {
        recording.notes.push(format!(
            "{file}: {{{{{name}}}}} is not defined (give its environment file): the requests \
             under it are taken as the target's"
        ));
    }
    Ok(recording)
}

struct Reader<'a> {
    file: &'a str,
    variables: Vec<(String, String)>,
    recording: Recording,
    scripts: usize,
    undefined: Vec<String>,
}

/// `Some(true)` when an `auth` sends a credential, `Some(false)` for `noauth`, `None` when
/// absent or `inherit` (the parent's applies).
fn authenticates(auth: Option<&Value>) -> Option<bool> {
    let kind = auth?.get("type")?.as_str()?;
    match kind {
        "noauth" => Some(false),
        "inherit" => None,
        _ => Some(true),
    }
}

impl Reader<'_> {
    fn count_scripts(&mut self, node: &Value) {
        if let Some(events) = node.get("event").and_then(Value::as_array) {
            self.scripts += events
                .iter()
                .filter(|event| event.get("listen").and_then(Value::as_str) == Some("prerequest"))
                .filter(|event| {
                    event
                        .pointer("/script/exec")
                        .is_some_and(|exec| match exec {
                            Value::Array(lines) => lines
                                .iter()
                                .any(|l| l.as_str().is_some_and(|l| !l.trim().is_empty())),
                            Value::String(text) => !text.trim().is_empty(),
                            _ => false,
                        })
                })
                .count();
        }
    }

    fn problem(&mut self, at: &str, message: impl Into<String>) {
        self.recording.problems.push(TrafficProblem {
            pointer: pointer(self.file, at),
            message: message.into(),
        });
    }

    fn items(&mut self, items: &[Value], at: &str, inherited_auth: bool, depth: usize) {
        if depth > MAX_DEPTH {
            self.problem(
                at,
                format!("folders nested deeper than {MAX_DEPTH}: not read"),
            );
            return;
        }
        for (index, item) in items.iter().enumerate() {
            let here = format!("{at}/{index}");
            self.count_scripts(item);
            let auth = authenticates(item.get("auth")).unwrap_or(inherited_auth);
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                self.items(children, &format!("{here}/item"), auth, depth + 1);
            } else if let Some(request) = item.get("request") {
                match self.request(request, &format!("{here}/request"), auth) {
                    Ok(recorded) => self.recording.requests.push(recorded),
                    Err((pointer, message)) => self.problem(&pointer, message),
                }
            } else {
                self.problem(&here, "neither a folder (`item`) nor a request (`request`)");
            }
        }
    }

    /// `{{name}}` replaced by its value; unknown names are left as written.
    fn interpolate(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(end) = rest[start..].find("}}") else {
                break;
            };
            let name = &rest[start + 2..start + end];
            out.push_str(&rest[..start]);
            match self.variables.iter().find(|(key, _)| key == name) {
                Some((_, value)) => out.push_str(value),
                None => out.push_str(&rest[start..start + end + 2]),
            }
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn request(
        &mut self,
        request: &Value,
        at: &str,
        inherited_auth: bool,
    ) -> Result<RecordedRequest, (String, String)> {
        // A request may be written as its URL alone.
        let (method, url_value) = match request {
            Value::String(_) => ("GET".to_string(), request),
            Value::Object(object) => (
                object
                    .get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_ascii_uppercase(),
                object
                    .get("url")
                    .ok_or_else(|| (format!("{at}/url"), "the request has no `url`".to_string()))?,
            ),
            _ => return Err((at.to_string(), "not a request object".into())),
        };
        let (raw, path_variables) = match url_value {
            Value::String(raw) => (raw.clone(), Vec::new()),
            Value::Object(url) => (
                url_raw(url),
                url.get("variable")
                    .and_then(Value::as_array)
                    .map(|v| key_values(v))
                    .unwrap_or_default(),
            ),
            _ => return Err((format!("{at}/url"), "not a URL".into())),
        };
        let mut text = self.interpolate(&raw);
        if let Some(rest) = text.strip_prefix("{{") {
            // An undefined base URL: the request is the target's.
            let (name, after) = rest.split_once("}}").unwrap_or((rest, ""));
            if !self.undefined.iter().any(|n| n == name) {
                self.undefined.push(name.to_string());
            }
            text = format!("http://{TARGET_PLACEHOLDER_HOST}{after}");
        }
        if !text.contains("://") {
            text = format!("http://{text}");
        }
        let mut url = Url::parse(&text).map_err(|error| {
            (
                format!("{at}/url"),
                format!("`{raw}` is not a URL ({error})"),
            )
        })?;
        // `:name` segments are the collection's own path parameters.
        let mut named = Vec::new();
        let segments: Vec<String> = url
            .path()
            .trim_start_matches('/')
            .split('/')
            .enumerate()
            .map(|(index, segment)| match segment.strip_prefix(':') {
                Some(name) if !name.is_empty() => {
                    named.push((index, name.to_string()));
                    path_variables
                        .iter()
                        .find(|(key, _)| key == name)
                        .map(|(_, value)| self.interpolate(value))
                        .filter(|value| !value.is_empty() && !value.contains("{{"))
                        .unwrap_or_else(|| segment.to_string())
                }
                _ => segment.to_string(),
            })
            .collect();
        url.set_path(&format!("/{}", segments.join("/")));
        let object = request.as_object();
        let headers: Vec<(String, String)> = object
            .and_then(|o| o.get("header"))
            .and_then(Value::as_array)
            .map(|h| key_values(h))
            .unwrap_or_default();
        let authenticated = authenticates(object.and_then(|o| o.get("auth")))
            .unwrap_or(inherited_auth)
            || headers.iter().any(|(name, _)| is_credential_header(name));
        let content_type = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.to_ascii_lowercase());
        let body = object
            .and_then(|o| o.get("body"))
            .and_then(|body| self.body(body, content_type.as_deref()));
        let mut values = Vec::new();
        if let Some(body) = &body {
            super::body_values(body, &mut values);
        }
        Ok(RecordedRequest {
            method,
            url,
            named_segments: named,
            authenticated,
            body,
            source: pointer(self.file, at),
            values,
            // A collection holds requests; its saved examples are not what the server answered.
            response: None,
        })
    }

    fn body(&self, body: &Value, content_type: Option<&str>) -> Option<RecordedBody> {
        let fields = |key: &str| {
            body.get(key)
                .and_then(Value::as_array)
                .map(|list| {
                    key_values(list)
                        .into_iter()
                        .map(|(k, v)| (self.interpolate(&k), self.interpolate(&v)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        match body.get("mode").and_then(Value::as_str)? {
            "raw" => {
                let raw = self.interpolate(body.get("raw").and_then(Value::as_str)?);
                let language = body
                    .pointer("/options/raw/language")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let media_type = match content_type {
                    Some(kind) => kind.split(';').next().unwrap_or(kind).trim().to_string(),
                    None if language == "json" || serde_json::from_str::<Value>(&raw).is_ok() => {
                        "application/json".to_string()
                    }
                    None if language == "xml" => "application/xml".to_string(),
                    None => "text/plain".to_string(),
                };
                Some(RecordedBody {
                    media_type,
                    text: Some(raw).filter(|r| r.len() <= MAX_EXAMPLE_BODY && !r.is_empty()),
                    fields: Vec::new(),
                })
            }
            "urlencoded" => Some(RecordedBody {
                media_type: "application/x-www-form-urlencoded".into(),
                text: None,
                fields: fields("urlencoded"),
            }),
            "formdata" => Some(RecordedBody {
                media_type: "multipart/form-data".into(),
                text: None,
                fields: fields("formdata"),
            }),
            "graphql" => {
                let graphql = body.get("graphql")?;
                let text = serde_json::json!({
                    "query": graphql.get("query").and_then(Value::as_str).unwrap_or_default(),
                    "variables": graphql.get("variables").and_then(Value::as_str)
                        .and_then(|v| serde_json::from_str::<Value>(v).ok())
                        .unwrap_or(Value::Null),
                })
                .to_string();
                Some(RecordedBody {
                    media_type: "application/json".into(),
                    text: Some(text),
                    fields: Vec::new(),
                })
            }
            _ => None,
        }
    }
}

/// The URL as written: `raw` when present, else assembled from its parts.
fn url_raw(url: &serde_json::Map<String, Value>) -> String {
    if let Some(raw) = url.get("raw").and_then(Value::as_str) {
        return raw.to_string();
    }
    let join = |value: Option<&Value>, separator: &str| match value {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(separator),
        Some(Value::String(text)) => text.clone(),
        _ => String::new(),
    };
    let mut text = String::new();
    if let Some(protocol) = url.get("protocol").and_then(Value::as_str) {
        text.push_str(protocol);
        text.push_str("://");
    }
    text.push_str(&join(url.get("host"), "."));
    if let Some(port) = url.get("port").and_then(Value::as_str) {
        text.push(':');
        text.push_str(port);
    }
    let path = join(url.get("path"), "/");
    if !path.is_empty() {
        text.push('/');
        text.push_str(path.trim_start_matches('/'));
    }
    let query = url
        .get("query")
        .and_then(Value::as_array)
        .map(|q| key_values(q))
        .unwrap_or_default();
    if !query.is_empty() {
        text.push('?');
        text.push_str(
            &query
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&"),
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const V21: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

    #[test]
    fn folders_variables_path_variables_auth_and_bodies() {
        let collection = json!({
            "info": {"name": "Notes", "schema": V21},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
            "variable": [{"key": "baseUrl", "value": "http://localhost:3000"}, {"key": "noteId", "value": "7"}],
            "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": ["pm.environment.set('t', 1)"]}}],
            "item": [
                {"name": "auth", "auth": {"type": "noauth"}, "item": [
                    {"name": "login", "request": {"method": "POST", "header": [{"key": "Content-Type", "value": "application/json"}],
                        "body": {"mode": "raw", "raw": "{\"email\": \"{{email}}\", \"password\": \"x\"}"},
                        "url": {"raw": "{{baseUrl}}/api/login", "host": ["{{baseUrl}}"], "path": ["api", "login"]}}}
                ]},
                {"name": "notes", "item": [
                    {"name": "read", "request": {"method": "GET",
                        "url": {"raw": "{{baseUrl}}/api/notes/:id", "host": ["{{baseUrl}}"], "path": ["api", "notes", ":id"],
                                "variable": [{"key": "id", "value": "{{noteId}}"}]}}},
                    {"name": "create", "request": {"method": "POST",
                        "body": {"mode": "urlencoded", "urlencoded": [{"key": "title", "value": "a"}, {"key": "draft", "value": "1", "disabled": true}]},
                        "url": "{{baseUrl}}/api/notes"}},
                    {"name": "public", "request": {"method": "GET", "auth": {"type": "noauth"}, "url": "{{baseUrl}}/api/health"}},
                    {"name": "broken", "request": {"method": "GET"}},
                    {"name": "neither"}
                ]}
            ]
        });
        let recording = read(
            &collection,
            "notes.postman.json",
            &[("email".into(), "alice@example.com".into())],
        )
        .expect("read");
        let urls: Vec<String> = recording
            .requests
            .iter()
            .map(|r| format!("{} {}", r.method, r.url))
            .collect();
        assert_eq!(
            urls,
            [
                "POST http://localhost:3000/api/login",
                "GET http://localhost:3000/api/notes/7",
                "POST http://localhost:3000/api/notes",
                "GET http://localhost:3000/api/health",
            ]
        );
        let auth: Vec<bool> = recording.requests.iter().map(|r| r.authenticated).collect();
        assert_eq!(auth, [false, true, true, false]);
        assert_eq!(
            recording.requests[1].named_segments,
            [(2, "id".to_string())]
        );
        let login = recording.requests[0].body.as_ref().expect("body");
        assert_eq!(login.media_type, "application/json");
        assert!(
            login
                .text
                .as_deref()
                .is_some_and(|t| t.contains("alice@example.com"))
        );
        let form = recording.requests[2].body.as_ref().expect("form");
        assert_eq!(form.fields, [("title".to_string(), "a".to_string())]);
        let problems: Vec<&str> = recording
            .problems
            .iter()
            .map(|p| p.pointer.as_str())
            .collect();
        assert_eq!(
            problems,
            [
                "notes.postman.json#/item/1/item/3/request/url",
                "notes.postman.json#/item/1/item/4"
            ]
        );
        assert_eq!(
            recording.notes,
            ["notes.postman.json: 1 pre-request script not run (values they set are missing)"]
        );
    }

    #[test]
    fn an_undefined_base_url_is_the_target_and_v1_is_refused_by_name() {
        let collection = json!({"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"},
            "item": [{"name": "a", "request": {"method": "DELETE", "url": "{{host}}/api/notes/:noteId"}}]});
        let recording = read(&collection, "c.json", &[]).expect("read");
        assert_eq!(
            recording.requests[0].url.host_str(),
            Some(TARGET_PLACEHOLDER_HOST)
        );
        assert_eq!(recording.requests[0].url.path(), "/api/notes/:noteId");
        assert!(
            recording.notes[0].contains("{{host}} is not defined"),
            "{:?}",
            recording.notes
        );
        let error = read(
            &json!({"info": {"name": "old"}, "item": []}),
            "old.json",
            &[],
        )
        .expect_err("v1");
        assert!(
            error.to_string().contains("export it as Collection v2.1"),
            "{error}"
        );
        let error = read(&json!({"info": {"schema": "https://schema.getpostman.com/json/collection/v3.0.0/"}, "item": []}), "n.json", &[]).expect_err("v3");
        assert!(error.to_string().contains("is not read"), "{error}");
    }
}
