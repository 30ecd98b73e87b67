//! API calls written in JavaScript the target serves: `fetch('/api/notes')` (with its
//! `method:`), `axios.post('/api/notes', …)`, `$http.get(…)`, `api.delete(…)`, and paths in
//! template strings (`` `/api/notes/${id}` `` → `/api/notes/{id}`) or plain literals that start
//! with `/api/`. Minified bundles included: only the call shapes matter, not the formatting.

use std::sync::LazyLock;

use regex::Regex;

/// A call found in a script: its method when the code says it, and its path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Upper-case method, `None` when the code does not say (a plain path literal).
    pub method: Option<String>,
    /// The path, `${…}` turned into `{param}`, the query string dropped.
    pub path: String,
}

static FETCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bfetch\(\s*(?:"([^"]+)"|'([^']+)'|`([^`]+)`)(\s*,\s*\{[^}]{0,300})?"#)
        .expect("regex")
});
static CLIENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b[\w$]+\.(get|post|put|patch|delete)\(\s*(?:"([^"]+)"|'([^']+)'|`([^`]+)`)"#)
        .expect("regex")
});
static LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["'`](/api/[A-Za-z0-9_\-./${}:]*)["'`?]"#).expect("regex"));
static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"method\s*:\s*["'`](GET|POST|PUT|PATCH|DELETE|get|post|put|patch|delete)["'`]"#)
        .expect("regex")
});
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{\s*(?:[\w$]+\.)*([\w$]+)[^}]*\}").expect("regex"));

/// The path of a URL written in code, when it is one on the same site (`/…`, not `//cdn…`).
fn path_of(text: &str) -> Option<String> {
    let text = text.split(['?', '#']).next().unwrap_or_default();
    if !text.starts_with('/') || text.starts_with("//") || text.len() > 200 {
        return None;
    }
    let path = PLACEHOLDER.replace_all(text, "{$1}").into_owned();
    // Whatever is left unparsed (`${a + b}`) is not a path.
    (!path.contains('$') && !path.contains(' ')).then_some(path)
}

/// The calls in `script`, each path once per method, in the order found.
pub fn calls(script: &str) -> Vec<Call> {
    let mut found: Vec<Call> = Vec::new();
    fn push(found: &mut Vec<Call>, method: Option<String>, path: Option<String>) {
        if let Some(path) = path {
            let call = Call { method, path };
            if !found.contains(&call) {
                found.push(call);
            }
        }
    }
    for capture in FETCH.captures_iter(script) {
        let url = capture
            .get(1)
            .or(capture.get(2))
            .or(capture.get(3))
            .map_or("", |m| m.as_str());
        let method = capture
            .get(4)
            .and_then(|options| METHOD.captures(options.as_str()))
            .map_or_else(|| "GET".to_string(), |m| m[1].to_ascii_uppercase());
        push(&mut found, Some(method), path_of(url));
    }
    for capture in CLIENT.captures_iter(script) {
        let url = capture
            .get(2)
            .or(capture.get(3))
            .or(capture.get(4))
            .map_or("", |m| m.as_str());
        push(
            &mut found,
            Some(capture[1].to_ascii_uppercase()),
            path_of(url),
        );
    }
    let known: Vec<String> = found.iter().map(|c| c.path.clone()).collect();
    for capture in LITERAL.captures_iter(script) {
        let path = path_of(&capture[1]);
        if path.as_ref().is_some_and(|p| !known.contains(p)) {
            push(&mut found, None, path);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(method: Option<&str>, path: &str) -> Call {
        Call {
            method: method.map(str::to_string),
            path: path.into(),
        }
    }

    #[test]
    fn fetch_axios_and_literals_in_readable_and_minified_code() {
        let script = r#"
            async function load() { const r = await fetch('/api/notes?page=' + page); }
            await fetch(`/api/notes/${note.id}`, { method: 'DELETE', headers: h });
            fetch("/api/login", {method:"POST",body:JSON.stringify(x)});
            axios.put(`/api/users/${userId}/email`, { email });
            const ROUTES = { search: "/api/search", stats: '/api/admin/stats' };
            fetch('https://cdn.example.com/x.json'); fetch("//cdn.example.com/y");
            window.location = "/login";
            n.get("/api/me").then(e=>e.data);r.patch(`/api/notes/${e}`,t)
        "#;
        assert_eq!(
            calls(script),
            [
                call(Some("GET"), "/api/notes"),
                call(Some("DELETE"), "/api/notes/{id}"),
                call(Some("POST"), "/api/login"),
                call(Some("PUT"), "/api/users/{userId}/email"),
                call(Some("GET"), "/api/me"),
                call(Some("PATCH"), "/api/notes/{e}"),
                call(None, "/api/search"),
                call(None, "/api/admin/stats"),
            ]
        );
    }
}
