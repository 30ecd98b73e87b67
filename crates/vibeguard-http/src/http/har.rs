//! HAR 1.2 export of the recorded exchanges (`--har FILE`), with every credential redacted:
//! the file can be opened in browser developer tools or replayed in an API client.

use serde_json::{Value, json};
use vibeguard_core::Redactor;

use super::Exchange;

/// The HAR document for `exchanges`.
pub fn document(exchanges: &[Exchange], redactor: &Redactor) -> Value {
    let entries: Vec<Value> = exchanges
        .iter()
        .map(|exchange| entry(exchange, redactor))
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "vibeguard", "version": env!("CARGO_PKG_VERSION") },
            "entries": entries,
        }
    })
}

fn headers(headers: &[(String, String)], redactor: &Redactor) -> Vec<Value> {
    headers
        .iter()
        .map(|(name, value)| {
            // Redact as a header line so header-based patterns (Authorization, Cookie) apply.
            let line = redactor.redact(&format!("{name}: {value}"));
            let value = line
                .split_once(": ")
                .map_or(line.clone(), |(_, v)| v.to_string());
            json!({ "name": name, "value": value })
        })
        .collect()
}

fn entry(exchange: &Exchange, redactor: &Redactor) -> Value {
    let request = &exchange.request;
    let url = redactor.redact(request.url.as_str());
    let query: Vec<Value> = request
        .url
        .query_pairs()
        .map(|(name, value)| json!({ "name": name, "value": redactor.redact(&value) }))
        .collect();
    let mut har_request = json!({
        "method": request.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": headers(&request.headers, redactor),
        "queryString": query,
        "cookies": [],
        "headersSize": -1,
        "bodySize": request.body.as_ref().map_or(0, |body| body.len()),
    });
    if let Some(body) = &request.body {
        har_request["postData"] = json!({
            "mimeType": request.header_value("content-type").unwrap_or("application/octet-stream"),
            "text": redactor.redact(&String::from_utf8_lossy(body)),
        });
    }
    let (response, comment) = match &exchange.outcome {
        Ok(response) => (
            json!({
                "status": response.status,
                "statusText": "",
                "httpVersion": "HTTP/1.1",
                "headers": headers(&response.headers, redactor),
                "cookies": [],
                "content": {
                    "size": response.body.len(),
                    "mimeType": response.header("content-type").unwrap_or(""),
                    "text": redactor.redact(&response.text()),
                },
                "redirectURL": response.header("location").unwrap_or(""),
                "headersSize": -1,
                "bodySize": response.body.len(),
            }),
            if response.truncated {
                "response body truncated"
            } else {
                ""
            }
            .to_string(),
        ),
        Err(error) => (
            json!({
                "status": 0, "statusText": "", "httpVersion": "", "headers": [], "cookies": [],
                "content": { "size": 0, "mimeType": "" }, "redirectURL": "", "headersSize": -1, "bodySize": -1,
            }),
            error.to_string(),
        ),
    };
    let millis = exchange.elapsed.as_secs_f64() * 1000.0;
    json!({
        "startedDateTime": exchange.started_at.to_string(),
        "time": millis,
        "request": har_request,
        "response": response,
        "cache": {},
        "timings": { "send": 0, "wait": millis, "receive": 0 },
        "comment": comment,
    })
}
