//! Judging an answer against a step's `expect`: every key given is one assertion, and each
//! failed one is said in a sentence that names what was expected and what came ("expected
//! status 401 or 403, got 200"). Pure: the answer in, the failures out.

use std::collections::BTreeMap;

use regex::RegexBuilder;
use serde_json::Value;
use vibeguard_http::http::Exchange;

use crate::format::Expect;
use crate::template;

/// An expected status: exact codes and classes (`4xx`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSpec {
    parts: Vec<StatusPart>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusPart {
    Exact(u16),
    Class(u16),
}

impl StatusSpec {
    /// Reads `200`, `"4xx"`, `[401, 403]` or `["4xx", 500]`.
    pub fn parse(value: &Value) -> Result<StatusSpec, String> {
        let part = |value: &Value| -> Result<StatusPart, String> {
            let bad = || {
                format!("status `{value}`: give a code (`401`), a class (`4xx`) or a list of them")
            };
            match value {
                Value::Number(number) => number
                    .as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| (100..600).contains(n))
                    .map(StatusPart::Exact)
                    .ok_or_else(bad),
                Value::String(text) => {
                    let text = text.trim().to_ascii_lowercase();
                    if let Ok(n) = text.parse::<u16>()
                        && (100..600).contains(&n)
                    {
                        return Ok(StatusPart::Exact(n));
                    }
                    match text.as_bytes() {
                        [digit @ b'1'..=b'5', b'x', b'x'] => {
                            Ok(StatusPart::Class(u16::from(digit - b'0')))
                        }
                        _ => Err(bad()),
                    }
                }
                _ => Err(bad()),
            }
        };
        let parts = match value {
            Value::Array(items) if !items.is_empty() => {
                items.iter().map(part).collect::<Result<Vec<_>, _>>()?
            }
            Value::Array(_) => return Err("status: the list is empty".into()),
            single => vec![part(single)?],
        };
        Ok(StatusSpec { parts })
    }

    /// Whether `status` is one of those expected.
    pub fn allows(&self, status: u16) -> bool {
        self.parts.iter().any(|part| match part {
            StatusPart::Exact(code) => *code == status,
            StatusPart::Class(class) => status / 100 == *class,
        })
    }

    /// The expectation in words (`401 or 403`, `4xx`).
    pub fn describe(&self) -> String {
        let words: Vec<String> = self
            .parts
            .iter()
            .map(|part| match part {
                StatusPart::Exact(code) => code.to_string(),
                StatusPart::Class(class) => format!("{class}xx"),
            })
            .collect();
        match words.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => words.join(""),
        }
    }
}

/// A value's JSON type and size, for messages that must not show it.
fn kind_and_size(value: &Value) -> String {
    match value {
        Value::String(text) => format!("a string of {} characters", text.chars().count()),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) => format!("an object of {} keys", map.len()),
        Value::Number(_) => "a number".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Null => "null".into(),
    }
}

/// What `free_of` can name.
pub const FREE_OF: &[&str] = &[
    "sensitive_fields",
    "password_hashes",
    "private_keys",
    "internals",
];

/// What of `kind` the answer shows, in words (never the value itself: it is a secret).
fn shows(kind: &str, text: &str, exchange: &Exchange) -> Option<String> {
    use vibeguard_http::leaks;
    match kind {
        "sensitive_fields" => {
            let body = exchange.response()?.json()?;
            let login = leaks::is_auth_endpoint(exchange.request.url.path());
            let found = leaks::sensitive_fields(&body, login);
            (!found.is_empty()).then(|| {
                found
                    .iter()
                    .map(|(pointer, what)| format!("{what} at `{pointer}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        }
        "password_hashes" => leaks::password_hash_in(text).then(|| "a password hash".into()),
        "private_keys" => leaks::private_key_in(text).then(|| "a private key".into()),
        "internals" => leaks::internals_in(text).map(str::to_string),
        _ => None,
    }
}

/// The failures of an exchange against `expect`; empty when every assertion holds. `earlier`
/// holds the bodies of the scenario's earlier steps by name, `lookup` the values `${…}` takes.
pub fn judge(
    expect: &Expect,
    exchange: &Exchange,
    earlier: &BTreeMap<String, Vec<u8>>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let Some(response) = exchange.response() else {
        let why = exchange
            .outcome
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        return vec![format!("no answer: {why}")];
    };
    let mut failures = Vec::new();
    let fill = |text: &str| template::interpolate(text, lookup);
    if let Some(status) = &expect.status
        && let Ok(spec) = StatusSpec::parse(&status.value)
        && !spec.allows(response.status)
    {
        failures.push(format!(
            "expected status {}, got {}",
            spec.describe(),
            response.status
        ));
    }
    for (name, header) in &expect.headers {
        let value = response.header(name);
        if header.present == Some(true) && value.is_none() {
            failures.push(format!("expected header `{name}`, which is absent"));
        }
        if (header.absent == Some(true) || header.present == Some(false)) && value.is_some() {
            failures.push(format!(
                "expected no header `{name}`, got `{name}: {}`",
                value.unwrap_or_default()
            ));
        }
        if let Some(wanted) = &header.equals {
            match fill(wanted) {
                Ok(wanted) if value == Some(wanted.as_str()) => {}
                Ok(wanted) => failures.push(format!(
                    "expected header `{name}: {wanted}`, got {}",
                    value.map_or("none".to_string(), |v| format!("`{v}`"))
                )),
                Err(why) => failures.push(why),
            }
        }
        if let Some(pattern) = &header.matches
            && let Ok(regex) = regex::Regex::new(pattern)
            && !value.is_some_and(|v| regex.is_match(v))
        {
            failures.push(format!(
                "expected header `{name}` matching `{pattern}`, got {}",
                value.map_or("none".to_string(), |v| format!("`{v}`"))
            ));
        }
    }
    let text = response.text();
    if let Some(body) = &expect.body {
        let folded = |s: &str| {
            if body.case_insensitive {
                s.to_lowercase()
            } else {
                s.to_string()
            }
        };
        let haystack = folded(&text);
        for wanted in &body.contains {
            match fill(wanted) {
                Ok(wanted) if haystack.contains(&folded(&wanted)) => {}
                Ok(wanted) => failures.push(format!("expected the body to contain `{wanted}`")),
                Err(why) => failures.push(why),
            }
        }
        for unwanted in &body.not_contains {
            match fill(unwanted) {
                Ok(unwanted) if haystack.contains(&folded(&unwanted)) => {
                    failures.push(format!(
                        "expected the body not to contain `{unwanted}`, which it does"
                    ));
                }
                Ok(_) => {}
                Err(why) => failures.push(why),
            }
        }
        let regex = |pattern: &str| {
            RegexBuilder::new(pattern)
                .case_insensitive(body.case_insensitive)
                .size_limit(1 << 20)
                .build()
                .ok()
        };
        for pattern in &body.matches {
            if regex(pattern).is_some_and(|r| !r.is_match(&text)) {
                failures.push(format!("expected the body to match `{pattern}`"));
            }
        }
        for pattern in &body.not_matches {
            if let Some(found) = regex(pattern).and_then(|r| r.find(&text)) {
                let shown: String = found.as_str().chars().take(80).collect();
                failures.push(format!(
                    "expected the body not to match `{pattern}`, which it does (`{shown}`)"
                ));
            }
        }
    }
    for kind in &expect.free_of {
        if let Some(found) = shows(kind, &text, exchange) {
            failures.push(format!("expected an answer free of {kind}, got {found}"));
        }
    }
    if !expect.json.is_empty() {
        let parsed = response.json();
        for assertion in &expect.json {
            let assertion = &assertion.value;
            let Ok(pointer) = template::json_pointer(&assertion.path) else {
                continue;
            };
            let Some(document) = &parsed else {
                failures.push(format!(
                    "expected a JSON body for `{}`, got {}",
                    assertion.path,
                    response
                        .header("content-type")
                        .unwrap_or("a body that is not JSON")
                ));
                continue;
            };
            let found = document.pointer(&pointer);
            let path = &assertion.path;
            let wants_absent = assertion.absent == Some(true) || assertion.exists == Some(false);
            if wants_absent {
                // What must be absent is often a secret: its kind and size, never its value.
                if let Some(value) = found {
                    failures.push(format!(
                        "expected nothing at `{path}`, got {} (value not shown)",
                        kind_and_size(value)
                    ));
                }
                continue;
            }
            let Some(value) = found else {
                failures.push(format!("expected a value at `{path}`, found none"));
                continue;
            };
            if let Some(wanted) = &assertion.equals {
                let wanted = fill_json(wanted, lookup);
                match wanted {
                    Ok(wanted) if equal(value, &wanted) => {}
                    Ok(wanted) => failures.push(format!(
                        "expected {} at `{path}`, got {}",
                        shown(&wanted),
                        shown(value)
                    )),
                    Err(why) => failures.push(why),
                }
            }
            if let Some(pattern) = &assertion.matches
                && let Ok(regex) = regex::Regex::new(pattern)
            {
                let text = match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                if !regex.is_match(&text) {
                    failures.push(format!(
                        "expected the value at `{path}` to match `{pattern}`, got {}",
                        shown(value)
                    ));
                }
            }
            if let Some(kind) = &assertion.kind
                && !has_type(value, kind)
            {
                failures.push(format!(
                    "expected {} at `{path}`, got {}",
                    a_type(kind),
                    shown(value)
                ));
            }
            if let Some(length) = assertion.length {
                let actual = match value {
                    Value::Array(items) => Some(items.len()),
                    Value::Object(map) => Some(map.len()),
                    Value::String(text) => Some(text.chars().count()),
                    _ => None,
                };
                if actual != usize::try_from(length).ok() {
                    failures.push(format!(
                        "expected length {length} at `{path}`, got {}",
                        actual.map_or_else(|| shown(value), |n| n.to_string())
                    ));
                }
            }
        }
    }
    if let Some(limit) = expect.max_ms {
        let took = exchange.elapsed.as_millis();
        if took > u128::from(limit) {
            failures.push(format!(
                "expected an answer within {limit} ms, took {took} ms"
            ));
        }
    }
    // An earlier answer to compare with must exist: no answer there is a failure, never a
    // pass.
    for (reference, same) in [(&expect.same_as, true), (&expect.differs_from, false)] {
        let Some(step) = reference else { continue };
        match earlier.get(&step.value) {
            None => failures.push(format!(
                "step `{}` gave no answer to compare this one with",
                step.value
            )),
            Some(body) if same && body.as_slice() != response.body.as_slice() => {
                failures.push(format!(
                    "expected the same body as step `{}`, got another",
                    step.value
                ));
            }
            Some(body) if !same && body.as_slice() == response.body.as_slice() => {
                failures.push(format!(
                    "expected a body other than step `{}`'s, got the same",
                    step.value
                ));
            }
            Some(_) => {}
        }
    }
    failures
}

/// A JSON value with its strings interpolated.
pub fn fill_json(value: &Value, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => Value::String(template::interpolate(text, lookup)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| fill_json(item, lookup))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| Ok((key.clone(), fill_json(item, lookup)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Equal as JSON, numbers by value (`1` equals `1.0`).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => false,
    }
}

fn a_type(kind: &str) -> String {
    match kind {
        "integer" | "array" | "object" => format!("an {kind}"),
        "null" => "null".into(),
        other => format!("a {other}"),
    }
}

/// A value as a failure shows it: JSON, cut at 120 characters.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_read_codes_classes_and_lists() {
        let spec = StatusSpec::parse(&json!([401, "403"])).expect("a value");
        assert!(spec.allows(401) && spec.allows(403) && !spec.allows(200));
        assert_eq!(spec.describe(), "401 or 403");
        let class = StatusSpec::parse(&json!("4xx")).expect("a value");
        assert!(class.allows(404) && !class.allows(500));
        assert_eq!(class.describe(), "4xx");
        for bad in [json!(99), json!("6xx"), json!("ok"), json!([]), json!(true)] {
            assert!(StatusSpec::parse(&bad).is_err(), "{bad}");
        }
    }
}
