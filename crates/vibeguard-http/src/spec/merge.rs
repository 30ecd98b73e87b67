//! One surface from several sources of operations: a description (given or served) before
//! recorded traffic before the code's routes. An operation the earlier source has keeps its
//! method, path and schemas; a later source fills only what the earlier could not know (the code
//! saying a route is authenticated, the fields a handler reads, a recorded example). Operations
//! only a later source has are added, marked with where they come from
//! (`x-vibeguard-origin`) and, next to a description, as undocumented.

use serde_json::Value;

use super::{ApiSpec, Operation, Security};

/// The extension naming an operation's source: `code`, `traffic` or `discovered` (absent for a
/// description's own operations).
pub const ORIGIN: &str = "x-vibeguard-origin";
/// The extension marking an operation a description leaves out.
pub const UNDOCUMENTED: &str = "x-vibeguard-undocumented";

/// Where an operation comes from.
pub fn origin(operation: &Operation) -> &str {
    operation
        .extensions
        .get(ORIGIN)
        .and_then(Value::as_str)
        .unwrap_or("description")
}

/// `primary` with `other`'s operations merged in (see the module's documentation).
pub fn merge(mut primary: ApiSpec, other: ApiSpec) -> ApiSpec {
    let documented = !matches!(
        primary.format,
        super::SpecFormat::Code | super::SpecFormat::Traffic
    );
    let base = primary.base_path();
    // Only the primary's own operations are matched: two of the other source's operations
    // never merge with each other.
    let own = primary.operations.len();
    for mut operation in other.operations {
        let matches = |op: &Operation, same: &dyn Fn(&str, &str) -> bool| {
            op.method == operation.method
                && (same(&op.path, &operation.path)
                    || same(&format!("{base}{}", op.path), &operation.path))
        };
        // A page's link is a concrete path (`/entries/7`): the instance of a known template
        // (`/entries/{entry_id}`) is that operation, not another.
        let found = primary.operations[..own]
            .iter()
            .position(|op| matches(op, &same_template))
            .or_else(|| {
                (origin(&operation) == "discovered").then(|| {
                    primary.operations[..own]
                        .iter()
                        .position(|op| matches(op, &instance_of))
                })?
            });
        let existing = found.map(|index| &mut primary.operations[index]);
        match existing {
            Some(existing) => fill(existing, &operation, documented),
            None => {
                if documented {
                    operation
                        .extensions
                        .insert(UNDOCUMENTED.to_string(), Value::Bool(true));
                    // Paths are relative to the description's base path.
                    if !base.is_empty() {
                        match operation.path.strip_prefix(&base) {
                            Some(rest) if rest.starts_with('/') => {
                                operation.path = rest.to_string();
                            }
                            // Outside the description's base path: not reachable through it.
                            _ => continue,
                        }
                    }
                }
                primary.operations.push(operation);
            }
        }
    }
    primary.problems.extend(other.problems);
    primary
}

/// Whether two templates are one operation: the same literal segments, parameters where the
/// other has parameters (`/notes/{id}` and `/notes/{noteId}`; never `/users/me` and
/// `/users/{id}`, two operations).
pub fn same_template(a: &str, b: &str) -> bool {
    let param = |s: &str| (s.starts_with('{') && s.ends_with('}')) || s.starts_with(':');
    let a: Vec<&str> = a.trim_end_matches('/').split('/').collect();
    let b: Vec<&str> = b.trim_end_matches('/').split('/').collect();
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(x, y)| x == y || (param(x) && param(y)))
}

/// Whether `concrete` (`/entries/7`) is a path of `template` (`/entries/{entry_id}`): the same
/// literal segments, any value where the template has a parameter.
fn instance_of(template: &str, concrete: &str) -> bool {
    let param = |s: &str| (s.starts_with('{') && s.ends_with('}')) || s.starts_with(':');
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let c: Vec<&str> = concrete.trim_end_matches('/').split('/').collect();
    t.len() == c.len()
        && t.iter()
            .zip(&c)
            .all(|(x, y)| x == y || (param(x) && !y.is_empty()))
}

/// What a later source knows that the earlier one could not.
///
/// A description is the API's contract: what it declares (or leaves undeclared, such as an
/// operation's security) stays as written; a recording only lends it examples.
fn fill(existing: &mut Operation, later: &Operation, documented: bool) {
    if documented {
        if let (Some(mine), Some(theirs)) = (&mut existing.body, &later.body) {
            lend_examples(mine, theirs);
        }
        return;
    }
    if existing.security == Security::Undeclared && matches!(later.security, Security::Required(_))
    {
        existing.security = later.security.clone();
    }
    match (&mut existing.body, &later.body) {
        (None, Some(body)) => existing.body = Some(body.clone()),
        (Some(mine), Some(theirs)) if mine.schema.properties.is_empty() => {
            mine.schema.properties = theirs.schema.properties.clone();
        }
        (Some(mine), Some(theirs)) => lend_examples(mine, theirs),
        _ => {}
    }
    for parameter in &later.parameters {
        if parameter.location != super::ParamIn::Path
            && !existing
                .parameters
                .iter()
                .any(|p| p.name == parameter.name && p.location == parameter.location)
        {
            existing.parameters.push(parameter.clone());
        }
    }
    for (key, value) in &later.extensions {
        existing
            .extensions
            .entry(key.clone())
            .or_insert_with(|| value.clone());
    }
}

/// Examples a recording saw, for the fields already known.
fn lend_examples(mine: &mut super::RequestBody, theirs: &super::RequestBody) {
    for (name, property) in &mut mine.schema.properties {
        if property.example.is_none()
            && let Some(example) = theirs.schema.property(name).and_then(|s| s.example.clone())
        {
            property.example = Some(example);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{DeclaredRoute, SpecFormat, routes};
    use std::collections::BTreeMap;

    fn op(method: &str, path: &str, origin: Option<&str>) -> Operation {
        let mut operation = Operation::whole_target();
        operation.method = method.into();
        operation.path = path.into();
        operation.extensions = BTreeMap::new();
        if let Some(origin) = origin {
            operation
                .extensions
                .insert(ORIGIN.into(), Value::from(origin));
        }
        operation
    }

    fn spec(format: SpecFormat, servers: &[&str], operations: Vec<Operation>) -> ApiSpec {
        ApiSpec {
            format,
            title: String::new(),
            servers: servers.iter().map(|s| s.to_string()).collect(),
            operations,
            problems: Vec::new(),
        }
    }

    #[test]
    fn a_link_to_an_instance_of_a_known_template_is_that_operation() {
        let code = spec(
            SpecFormat::Code,
            &[],
            vec![
                op("GET", "/entries/{entry_id}", Some("code")),
                op("GET", "/users/me", Some("code")),
            ],
        );
        let discovered = spec(
            SpecFormat::Code,
            &[],
            vec![
                op("GET", "/entries/7", Some("discovered")),
                op("GET", "/users/me", Some("discovered")),
                op("GET", "/about", Some("discovered")),
                op("POST", "/entries/7", Some("discovered")),
            ],
        );
        let merged = merge(code, discovered);
        let labels: Vec<String> = merged.operations.iter().map(Operation::label).collect();
        assert_eq!(
            labels,
            [
                "GET /entries/{entry_id}",
                "GET /users/me",
                "GET /about",
                "POST /entries/7"
            ]
        );
        // Traffic and code paths are templates already: a concrete one stays its own.
        let code = spec(
            SpecFormat::Code,
            &[],
            vec![op("GET", "/entries/{id}", Some("code"))],
        );
        let recorded = spec(
            SpecFormat::Traffic,
            &[],
            vec![op("GET", "/entries/latest", Some("traffic"))],
        );
        assert_eq!(merge(code, recorded).operations.len(), 2);
    }

    #[test]
    fn a_description_wins_and_what_it_leaves_out_is_added_as_undocumented() {
        let described = spec(
            SpecFormat::OpenApi3("3.0.3".into()),
            &["/api"],
            vec![op("GET", "/notes/{noteId}", None)],
        );
        let recorded = spec(
            SpecFormat::Traffic,
            &[],
            vec![
                op("GET", "/api/notes/{id}", Some("traffic")),
                op("DELETE", "/api/notes/{id}", Some("traffic")),
                op("GET", "/health", Some("traffic")),
            ],
        );
        let merged = merge(described, recorded);
        let labels: Vec<String> = merged.operations.iter().map(Operation::label).collect();
        // /health is outside the description's base path, where its operations are sent.
        assert_eq!(labels, ["GET /notes/{noteId}", "DELETE /notes/{id}"]);
        // The description's own operation stays its own: its contract is not rewritten.
        assert_eq!(origin(&merged.operations[0]), "description");
        assert_eq!(merged.operations[1].extensions[UNDOCUMENTED], true);
    }

    #[test]
    fn traffic_before_code_and_the_code_says_what_is_secured() {
        let recorded = spec(
            SpecFormat::Traffic,
            &[],
            vec![op("GET", "/api/notes/{id}", Some("traffic"))],
        );
        let route = |method: &str, path: &str| DeclaredRoute {
            method: method.into(),
            path: path.into(),
            declared_at: "app.js:3".into(),
            authenticated: true,
            body_fields: vec!["title".into()],
            query_params: Vec::new(),
            path_types: std::collections::BTreeMap::new(),
            body_schema: std::collections::BTreeMap::new(),
            serves_files: false,
            body_encoding: None,
        };
        let code = routes::derive(&[
            route("GET", "/api/notes/{noteId}"),
            route("POST", "/api/notes"),
            route("GET", "/api/notes/search"),
            route("GET", "/api/users/{id}"),
            route("GET", "/api/users/me"),
        ]);
        let merged = merge(recorded, code);
        let labels: Vec<String> = merged.operations.iter().map(Operation::label).collect();
        // Literal segments are never a parameter's value: `/notes/search` and `/users/me` stay
        // operations of their own.
        assert_eq!(
            labels,
            [
                "GET /api/notes/{id}",
                "POST /api/notes",
                "GET /api/notes/search",
                "GET /api/users/{id}",
                "GET /api/users/me"
            ]
        );
        assert!(matches!(
            merged.operations[0].security,
            Security::Required(_)
        ));
        assert_eq!(origin(&merged.operations[0]), "traffic");
        assert_eq!(origin(&merged.operations[1]), "code");
        assert!(!merged.operations[1].extensions.contains_key(UNDOCUMENTED));
    }
}
