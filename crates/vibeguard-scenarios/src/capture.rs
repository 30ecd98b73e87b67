//! Taking a value from an answer for later steps: a JSON value (by pointer or simple
//! JSONPath), a header, a cookie the answer sets, or a regular expression's first group.

use vibeguard_http::http::Exchange;

use crate::format::Capture;
use crate::template;

/// The value `capture` names in the exchange's answer, or why there is none.
pub fn take(capture: &Capture, exchange: &Exchange) -> Result<String, String> {
    let response = exchange
        .response()
        .ok_or_else(|| "no answer to take it from".to_string())?;
    if let Some(path) = &capture.json {
        let pointer = template::json_pointer(path)?;
        let document = response
            .json()
            .ok_or_else(|| format!("the answer is not JSON, so it has no `{path}`"))?;
        return match document.pointer(&pointer) {
            Some(serde_json::Value::String(text)) => Ok(text.clone()),
            Some(serde_json::Value::Null) | None => Err(format!("no value at `{path}`")),
            Some(other) => Ok(other.to_string()),
        };
    }
    if let Some(name) = &capture.header {
        return response
            .header(name)
            .map(str::to_string)
            .ok_or_else(|| format!("no `{name}` header in the answer"));
    }
    if let Some(name) = &capture.cookie {
        return response
            .headers_named("set-cookie")
            .find_map(|line| vibeguard_http::identity::cookie_value(line, name))
            .ok_or_else(|| format!("the answer sets no `{name}` cookie"));
    }
    if let Some(pattern) = &capture.regex {
        let regex =
            regex::Regex::new(pattern).map_err(|e| format!("invalid regular expression: {e}"))?;
        let text = response.text();
        let found = regex
            .captures(&text)
            .ok_or_else(|| format!("`{pattern}` matches nothing in the answer"))?;
        return Ok(found
            .get(1)
            .or_else(|| found.get(0))
            .map(|m| m.as_str().to_string())
            .unwrap_or_default());
    }
    Err("names nothing to take (`json`, `header`, `cookie` or `regex`)".into())
}
