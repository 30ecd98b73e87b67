//! The demo's GraphQL endpoint, `POST /graphql`: a small imitation of a GraphQL server with one
//! root field, `tasks(search: String): [Task]`. It understands what a client (or vibeguard)
//! sends — `__typename`, introspection, nesting, aliases, batches, the `search` argument —
//! without a GraphQL library. Vulnerable: introspection on, suggestions in errors, no depth,
//! alias or batch limit, and `search` pasted into SQL. Hardened: none of that.

use serde_json::{Value, json};

/// The deepest query the hardened mode runs.
pub const MAX_DEPTH: usize = 8;
/// The most aliases (`name:` pairs) the hardened mode runs.
pub const MAX_ALIASES: usize = 20;

/// What a query asks for, enough to answer it.
pub enum Request<'a> {
    /// Several queries at once.
    Batch(&'a [Value]),
    /// One query.
    Single(&'a str),
    /// Not GraphQL.
    Invalid,
}

/// Reads a request body.
pub fn parse(body: &Value) -> Request<'_> {
    match body {
        Value::Array(items) => Request::Batch(items),
        Value::Object(map) => match map.get("query").and_then(Value::as_str) {
            Some(query) => Request::Single(query),
            None => Request::Invalid,
        },
        _ => Request::Invalid,
    }
}

/// The deepest `{` nesting of a query, outside strings.
pub fn depth(query: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for c in query.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Aliases in a query (`name:` outside argument lists and strings).
pub fn aliases(query: &str) -> usize {
    let (mut count, mut parens, mut in_string) = (0usize, 0usize, false);
    for c in query.chars() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => parens += 1,
            ')' if !in_string => parens = parens.saturating_sub(1),
            ':' if !in_string && parens == 0 => count += 1,
            _ => {}
        }
    }
    count
}

/// The `search` argument's value, unescaped.
pub fn search_argument(query: &str) -> Option<String> {
    let start = query.find("search")?;
    let rest = query[start + "search".len()..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let rest = rest.strip_prefix('"')?;
    let mut value = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?),
            '"' => return Some(value),
            other => value.push(other),
        }
    }
    None
}

/// The root fields a query selects (first words inside the outer braces, aliases resolved).
pub fn root_fields(query: &str) -> Vec<String> {
    let Some(open) = query.find('{') else {
        return Vec::new();
    };
    let mut fields = Vec::new();
    let mut level = 0usize;
    let mut word = String::new();
    let mut in_parens = 0usize;
    for c in query[open..].chars() {
        match c {
            '{' => {
                if level == 1 && in_parens == 0 && !word.is_empty() {
                    fields.push(std::mem::take(&mut word));
                }
                level += 1;
                word.clear();
            }
            '}' => {
                if level == 1 && !word.is_empty() {
                    fields.push(std::mem::take(&mut word));
                }
                level = level.saturating_sub(1);
            }
            '(' => {
                if level == 1 && in_parens == 0 && !word.is_empty() {
                    fields.push(std::mem::take(&mut word));
                }
                in_parens += 1;
            }
            ')' => in_parens = in_parens.saturating_sub(1),
            ':' if level == 1 && in_parens == 0 => word.clear(),
            c if level == 1 && in_parens == 0 && (c.is_alphanumeric() || c == '_') => word.push(c),
            _ if level == 1 && in_parens == 0 && !word.is_empty() => {
                fields.push(std::mem::take(&mut word));
            }
            _ => {}
        }
    }
    fields.dedup();
    fields
}

/// The introspection answer: the schema of the one root field.
pub fn schema() -> Value {
    json!({"data": {"__schema": {
        "queryType": {"name": "Query"},
        "types": [
            {"name": "Query", "kind": "OBJECT", "fields": [
                {"name": "tasks",
                 "args": [{"name": "search", "type": {"name": "String", "kind": "SCALAR", "ofType": null}}],
                 "type": {"name": null, "kind": "LIST", "ofType": {"name": "Task", "kind": "OBJECT"}}}
            ]},
            {"name": "Task", "kind": "OBJECT", "fields": [
                {"name": "id", "args": [], "type": {"name": "Int", "kind": "SCALAR", "ofType": null}},
                {"name": "title", "args": [], "type": {"name": "String", "kind": "SCALAR", "ofType": null}},
                {"name": "ownerId", "args": [], "type": {"name": "Int", "kind": "SCALAR", "ofType": null}}
            ]}
        ]
    }}})
}

/// An error answer.
pub fn error(message: &str) -> Value {
    json!({"errors": [{"message": message}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_well_enough() {
        assert_eq!(depth("query{a{b{c}}}"), 3);
        assert_eq!(depth("query{a(s:\"{{{\"){b}}"), 2);
        assert_eq!(
            aliases("query{a0:__typename a1:__typename t:tasks(search:\"x:y\"){id}}"),
            3
        );
        assert_eq!(
            search_argument("query{tasks(search: \"vg'\\\"\"){id}}").as_deref(),
            Some("vg'\"")
        );
        assert_eq!(
            root_fields("query{a0:__typename tasks(search:\"x\"){id} me}"),
            ["__typename", "tasks", "me"]
        );
    }
}
