//! HAR (HTTP Archive) 1.1 and 1.2 — what browser developer tools, proxies (mitmproxy, Charles,
//! Burp, ZAP) and test clients export. Read from each entry: `request.method`, `request.url`,
//! `request.headers` (only whether one carries a credential — never a value),
//! `request.postData` (`mimeType`, `text`, or `params` for forms; a base64 `encoding`, which
//! some exporters add, is decoded). Vendor fields (`_`-prefixed) are ignored.

use base64::Engine as _;
use serde_json::Value;
use url::Url;

use super::{
    MAX_EXAMPLE_BODY, RecordedBody, RecordedRequest, RecordedResponse, Recording, TrafficError,
    TrafficProblem, is_credential_header, pointer,
};

/// The HAR versions read.
const VERSIONS: &[&str] = &["1.1", "1.2"];

/// Reads a parsed HAR document.
pub fn read(root: &Value, file: &str) -> Result<Recording, TrafficError> {
    let log = root
        .get("log")
        .and_then(Value::as_object)
        .ok_or_else(|| TrafficError::Format {
            file: file.to_string(),
            message: "`log` is not an object: not a HAR file".into(),
        })?;
    match log.get("version").and_then(Value::as_str) {
        Some(version) if VERSIONS.contains(&version) => {}
        Some(version) => {
            return Err(TrafficError::Format {
                file: file.to_string(),
                message: format!("HAR version {version} is not read (1.1 and 1.2 are)"),
            });
        }
        // Some exporters leave the version out; the entries are the same.
        None => {}
    }
    let entries = log
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| TrafficError::Format {
            file: file.to_string(),
            message: "`log.entries` is missing or not a list".into(),
        })?;
    let mut recording = Recording::default();
    for (index, entry) in entries.iter().enumerate() {
        let at = format!("/log/entries/{index}");
        match entry_request(entry, file, &at) {
            Ok(request) => {
                if let Some(text) = entry
                    .pointer("/request/postData/text")
                    .and_then(Value::as_str)
                    && text.len() > MAX_EXAMPLE_BODY
                {
                    recording.problems.push(TrafficProblem {
                        pointer: pointer(file, &format!("{at}/request/postData/text")),
                        message: format!(
                            "a request body of {} bytes, over the {MAX_EXAMPLE_BODY}-byte limit \
                             for examples: its fields are not read",
                            text.len()
                        ),
                    });
                }
                recording.requests.push(request);
            }
            Err((pointer, message)) => recording.problems.push(TrafficProblem {
                pointer: super::pointer(file, &pointer),
                message,
            }),
        }
    }
    Ok(recording)
}

type Located = (String, String);

fn entry_request(entry: &Value, file: &str, at: &str) -> Result<RecordedRequest, Located> {
    let request = entry
        .get("request")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            (
                at.to_string(),
                "the entry has no `request` object".to_string(),
            )
        })?;
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()))
        .ok_or_else(|| {
            (
                format!("{at}/request/method"),
                "missing or not a method".to_string(),
            )
        })?
        .to_ascii_uppercase();
    let url_text = request.get("url").and_then(Value::as_str).ok_or_else(|| {
        (
            format!("{at}/request/url"),
            "missing or not text".to_string(),
        )
    })?;
    let url = Url::parse(url_text).map_err(|error| {
        (
            format!("{at}/request/url"),
            format!("not an absolute URL ({error})"),
        )
    })?;
    let authenticated = request
        .get("headers")
        .and_then(Value::as_array)
        .is_some_and(|headers| {
            headers.iter().any(|header| {
                header
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(is_credential_header)
            })
        });
    let body = request
        .get("postData")
        .filter(|data| data.is_object())
        .map(|data| post_data(data, &format!("{at}/request/postData")))
        .transpose()?;
    let mut values = Vec::new();
    if let Some(body) = &body {
        super::body_values(body, &mut values);
    }
    let answer = entry.pointer("/response/content").and_then(response_json);
    if let Some(answer) = &answer {
        super::json_values(answer, &mut values);
    }
    // A HAR entry of a request that never got an answer has status 0 (or none).
    let response = entry
        .pointer("/response/status")
        .and_then(Value::as_u64)
        .filter(|status| (100..600).contains(status))
        .map(|status| RecordedResponse::new(status as u16, answer.as_ref()));
    Ok(RecordedRequest {
        method,
        url,
        named_segments: Vec::new(),
        authenticated,
        body,
        source: pointer(file, at),
        values,
        response,
    })
}

/// A JSON response's content (decoded when base64, at most [`MAX_EXAMPLE_BODY`]).
fn response_json(content: &Value) -> Option<Value> {
    let is_json = content
        .get("mimeType")
        .and_then(Value::as_str)
        .is_some_and(|m| m.to_ascii_lowercase().contains("json"));
    let text = content.get("text").and_then(Value::as_str)?;
    if !is_json || text.len() > MAX_EXAMPLE_BODY {
        return None;
    }
    if content.get("encoding").and_then(Value::as_str) == Some("base64") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    } else {
        serde_json::from_str(text).ok()
    }
}

fn post_data(data: &Value, at: &str) -> Result<RecordedBody, Located> {
    let media_type = data
        .get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let mut text = data.get("text").and_then(Value::as_str).map(str::to_string);
    if data.get("encoding").and_then(Value::as_str) == Some("base64")
        && let Some(encoded) = &text
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|error| (format!("{at}/text"), format!("not base64 ({error})")))?;
        text = Some(String::from_utf8_lossy(&decoded).into_owned());
    }
    let text = text.filter(|t| t.len() <= MAX_EXAMPLE_BODY && !t.is_empty());
    let mut fields: Vec<(String, String)> = data
        .get("params")
        .and_then(Value::as_array)
        .map(|params| {
            params
                .iter()
                .filter_map(|param| {
                    let name = param.get("name")?.as_str()?.to_string();
                    let value = param
                        .get("value")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    Some((name, value))
                })
                .collect()
        })
        .unwrap_or_default();
    if fields.is_empty()
        && media_type == "application/x-www-form-urlencoded"
        && let Some(text) = &text
    {
        fields = url::form_urlencoded::parse(text.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
    }
    let media_type = if media_type.is_empty() {
        match &text {
            Some(t) if serde_json::from_str::<Value>(t).is_ok() => "application/json".into(),
            _ if !fields.is_empty() => "application/x-www-form-urlencoded".into(),
            _ => "text/plain".into(),
        }
    } else {
        media_type
    };
    Ok(RecordedBody {
        media_type,
        text,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_become_requests_and_broken_ones_are_located() {
        let har = json!({"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "133"}, "entries": [
            {"request": {"method": "post", "url": "http://127.0.0.1:3000/api/login", "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Content-Type", "value": "application/json"}],
                "postData": {"mimeType": "application/json; charset=utf-8", "text": "{\"email\":\"a@example.com\"}"}},
             "response": {"status": 200, "content": {"mimeType": "application/json", "text": "{\"token\":\"eyJhbGciOi.x.y\",\"user\":{\"id\":7,\"is_admin\":false}}"}}},
            {"request": {"method": "GET", "url": "http://127.0.0.1:3000/api/notes", "headers": [{"name": "Authorization", "value": "Bearer abc"}]}},
            {"request": {"method": "GET"}},
            {"response": {"status": 200}},
            {"request": {"method": "POST", "url": "http://127.0.0.1:3000/form", "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "title=a%20b&n=2"}}},
            {"request": {"method": "PUT", "url": "http://127.0.0.1:3000/raw", "postData": {"mimeType": "application/json", "encoding": "base64", "text": "eyJhIjoxfQ=="}}},
            {"request": {"method": "GET", "url": "/relative"}},
        ]}});
        let recording = read(&har, "run.har").expect("a HAR file");
        assert_eq!(recording.requests.len(), 4);
        let login = &recording.requests[0];
        assert_eq!(login.method, "POST");
        assert_eq!(login.source, "run.har#/log/entries/0");
        assert!(!login.authenticated);
        let body = login.body.as_ref().expect("body");
        assert_eq!(body.media_type, "application/json");
        // The answer's shape is kept, never its values (the token above).
        let answer = login.response.as_ref().expect("answered");
        assert_eq!(answer.status, 200);
        let shape = answer.schema.as_ref().expect("JSON");
        let user = shape.property("user").expect("user");
        assert_eq!(
            user.property("is_admin").map(|s| s.types.clone()),
            Some(vec![crate::spec::SchemaType::Boolean])
        );
        assert!(!format!("{shape:?}").contains("eyJhbGciOi"));
        assert!(recording.requests[1].response.is_none(), "never answered");
        assert!(recording.requests[1].authenticated);
        let form = recording.requests[2].body.as_ref().expect("form");
        assert_eq!(
            form.fields,
            [
                ("title".to_string(), "a b".to_string()),
                ("n".to_string(), "2".to_string())
            ]
        );
        assert_eq!(
            recording.requests[3]
                .body
                .as_ref()
                .and_then(|b| b.text.clone()),
            Some("{\"a\":1}".into())
        );
        let problems: Vec<&str> = recording
            .problems
            .iter()
            .map(|p| p.pointer.as_str())
            .collect();
        assert_eq!(
            problems,
            [
                "run.har#/log/entries/2/request/url",
                "run.har#/log/entries/3",
                "run.har#/log/entries/6/request/url"
            ]
        );
    }

    #[test]
    fn unknown_versions_and_non_har_documents_are_refused_by_name() {
        let error =
            read(&json!({"log": {"version": "3.0", "entries": []}}), "x.har").expect_err("refused");
        assert_eq!(
            error.to_string(),
            "x.har: HAR version 3.0 is not read (1.1 and 1.2 are)"
        );
        let error = read(&json!({"log": {"version": "1.2"}}), "x.har").expect_err("refused");
        assert!(error.to_string().contains("log.entries"), "{error}");
    }
}
