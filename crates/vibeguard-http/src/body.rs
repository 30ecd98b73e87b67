//! How values become requests: a body encoded for its media type, a request without its body,
//! a value as a parameter's text, a path segment percent-encoded. One encoding for the API
//! checks' probes and the scenarios' steps.

use std::fmt::Write;

use serde_json::Value;

use crate::http::Request;
use crate::spec::BodyKind;

/// Encodes a body value for its media type.
pub fn with_body(mut request: Request, kind: BodyKind, media_type: &str, value: &Value) -> Request {
    match kind {
        BodyKind::Json => request.json(value),
        BodyKind::Form => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (name, field) in value.as_object().into_iter().flatten() {
                form.append_pair(name, &value_text(field));
            }
            request.headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            request.body = Some(form.finish().into_bytes().into());
            request
        }
        BodyKind::Multipart => {
            let parts: Vec<Part> = value
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, field)| Part::text(name, &value_text(field)))
                .collect();
            with_multipart(request, &parts)
        }
        BodyKind::Other => {
            request
                .headers
                .push(("Content-Type".into(), media_type.to_string()));
            request.body = Some(value_text(value).into_bytes().into());
            request
        }
    }
}

/// One part of a `multipart/form-data` body: a text field, or a file (with its name and type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field's name.
    pub name: String,
    /// The file's name, for a file part.
    pub filename: Option<String>,
    /// The part's content type, for a file part (`application/octet-stream` when not given).
    pub content_type: Option<String>,
    /// The content.
    pub content: Vec<u8>,
}

impl Part {
    /// A text field.
    pub fn text(name: &str, value: &str) -> Part {
        Part {
            name: name.to_string(),
            filename: None,
            content_type: None,
            content: value.as_bytes().to_vec(),
        }
    }
}

/// Encodes `parts` as a `multipart/form-data` body. Names and file names are sent with their
/// quotes and line breaks escaped, so a part can never start another.
pub fn with_multipart(mut request: Request, parts: &[Part]) -> Request {
    let boundary = "vibeguard-boundary-7d1f";
    let quoted = |text: &str| {
        text.replace('\\', "\\\\")
            .replace('"', "%22")
            .replace(['\r', '\n'], " ")
    };
    let mut body: Vec<u8> = Vec::new();
    for part in parts {
        let mut head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
            quoted(&part.name)
        );
        if let Some(filename) = &part.filename {
            let _ = write!(
                head,
                "; filename=\"{}\"\r\nContent-Type: {}",
                quoted(filename),
                part.content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream")
                    .replace(['\r', '\n'], " ")
            );
        }
        head.push_str("\r\n\r\n");
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(&part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    request.headers.push((
        "Content-Type".into(),
        format!("multipart/form-data; boundary={boundary}"),
    ));
    request.body = Some(body.into());
    request
}

/// A JSON value as a parameter string.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A path segment, percent-encoded (unreserved characters kept).
pub fn encode_segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%2E", ".")
        .replace("%5F", "_")
}

/// The request without its body and content type (to re-encode another body).
pub fn strip_body(request: &Request) -> Request {
    let mut request = request.clone();
    request.body = None;
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    request
}

/// A JSON value as an id's text: a non-empty string or a number.
pub fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The id of an object (a creation answer, an entry of a list) of the collection at
/// `collection_path`: the item path's parameter `param`, or a usual id field (`id`, `_id`,
/// `uuid`, `noteId`, `note_id`), at the top or under a usual wrapper.
pub fn object_id(body: &Value, param: &str, collection_path: &str) -> Option<String> {
    let singular = collection_path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches('s')
        .to_string();
    let candidates = [
        format!("/{param}"),
        "/id".to_string(),
        "/_id".to_string(),
        "/uuid".to_string(),
        format!("/{singular}Id"),
        format!("/{singular}_id"),
        "/data/id".to_string(),
        "/data/_id".to_string(),
        format!("/{singular}/id"),
    ];
    candidates
        .iter()
        .find_map(|pointer| body.pointer(pointer).and_then(scalar))
}

/// The entries of a list answer: a top-level array, or the array under a usual envelope key
/// (`data`, `items`, `results`, `records`, `content`, `docs`, `data.items`).
pub fn list_entries(body: &Value) -> &[Value] {
    if let Value::Array(items) = body {
        return items;
    }
    [
        "/data",
        "/items",
        "/results",
        "/records",
        "/content",
        "/docs",
        "/rows",
        "/data/items",
        "/data/results",
    ]
    .iter()
    .find_map(|pointer| body.pointer(pointer).and_then(Value::as_array))
    .map_or(&[], Vec::as_slice)
}
