//! Surface-wide scenarios: one requirement applied over every operation of the API's surface
//! (the description, the recorded traffic, the code's routes and what the target shows, merged
//! by `vibeguard_http::surface`) that a filter selects — "every secured operation refuses an
//! anonymous caller", "no answer shows a password hash". Pure: which operations a filter
//! selects, which are left out and why, and the values that fill their paths.

use serde_json::Value;
use vibeguard_http::spec::{ApiSpec, Operation, Security};

use crate::format::OperationFilter;

/// What a filter selects from a surface.
#[derive(Debug, Default)]
pub struct Selection<'a> {
    /// The operations to run the scenario on, in surface order.
    pub operations: Vec<&'a Operation>,
    /// Operations the filter matches that the scenario may not send, with the reason.
    pub left_out: Vec<(&'a Operation, String)>,
}

/// The operations of `spec` that `filter` selects. A scenario that is not `destructive` never
/// sends an operation that changes or deletes an object, changes the caller's own credentials
/// (a test identity's password or e-mail), closes an account or ends a session: those are left
/// out with the reason, never counted as passed.
pub fn select<'a>(filter: &OperationFilter, spec: &'a ApiSpec, destructive: bool) -> Selection<'a> {
    let mut selection = Selection::default();
    let mut seen = std::collections::BTreeSet::new();
    for operation in &spec.operations {
        if operation.is_whole_target()
            || !matches(filter, operation)
            || !seen.insert((operation.method.clone(), operation.path.clone()))
        {
            continue;
        }
        if !destructive
            && (operation.is_destructive()
                || operation.is_form_update()
                || vibeguard_http::accounts::changes_credentials(operation)
                || operation.closes_account()
                || operation.ends_session())
        {
            selection.left_out.push((
                operation,
                "it changes or deletes data, changes the caller's password or e-mail, closes an account or ends a session: mark the scenario `destructive: true` and run with --allow-destructive".into(),
            ));
            continue;
        }
        selection.operations.push(operation);
    }
    selection
}

/// Whether `operation` passes every key `filter` gives.
pub fn matches(filter: &OperationFilter, operation: &Operation) -> bool {
    let method_ok = filter.method.is_empty()
        || filter
            .method
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&operation.method));
    let path_ok = filter
        .path
        .as_deref()
        .is_none_or(|glob| glob_matches(glob, &operation.path));
    let kept = !filter
        .exclude
        .iter()
        .any(|glob| glob_matches(glob, &operation.path));
    let tag_ok = filter.tag.is_empty()
        || filter
            .tag
            .iter()
            .any(|t| operation.tags.iter().any(|o| o.eq_ignore_ascii_case(t)));
    let secured_ok = match filter.secured {
        None => true,
        Some(true) => matches!(operation.security, Security::Required(_)),
        Some(false) => matches!(operation.security, Security::Public),
    };
    let param_ok = filter
        .has_path_param
        .is_none_or(|wanted| wanted != operation.path_params().is_empty());
    method_ok && path_ok && kept && tag_ok && secured_ok && param_ok
}

/// Whether a path template matches a glob: segment by segment, `*` any one segment, `**` any
/// number of them (none too), `{…}` in the glob any parameter segment, and `*` inside a
/// segment any text (`note*`).
pub fn glob_matches(glob: &str, path: &str) -> bool {
    let glob: Vec<&str> = glob.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    segments_match(&glob, &path)
}

fn segments_match(glob: &[&str], path: &[&str]) -> bool {
    match glob.split_first() {
        None => path.is_empty() || path == [""],
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                segment_matches(first, segment) && segments_match(rest, path_rest)
            }
            None => false,
        },
    }
}

fn segment_matches(glob: &str, segment: &str) -> bool {
    if glob == "*" || (glob.starts_with('{') && glob.ends_with('}') && segment.starts_with('{')) {
        return true;
    }
    match glob.split_once('*') {
        None => glob == segment,
        Some((prefix, suffix)) => {
            segment.len() >= prefix.len() + suffix.len()
                && segment.starts_with(prefix)
                && segment[prefix.len()..].ends_with(suffix)
        }
    }
}

/// Where the objects that fill `operation`'s last path parameter are listed: the path up to
/// that parameter (`/notes` for `/notes/{id}`, `/projects/{pid}/tasks` for
/// `/projects/{pid}/tasks/{tid}/comments`), and the parameter's name.
pub fn collection_of(operation: &Operation) -> Option<(String, String)> {
    let segments: Vec<&str> = operation.path.split('/').collect();
    let index = segments
        .iter()
        .rposition(|s| s.starts_with('{') && s.ends_with('}'))?;
    let param = segments[index]
        .trim_start_matches('{')
        .trim_end_matches('}');
    let collection = segments[..index].join("/");
    (!collection.is_empty()).then(|| (collection, param.to_string()))
}

/// Most objects of one list a surface-wide scenario runs on.
pub const MAX_OBJECTS: usize = 20;

/// The ids of the objects a list answer holds (the first [`MAX_OBJECTS`]), for the parameter
/// `param` of the collection at `collection_path`.
pub fn object_ids(list: &Value, param: &str, collection_path: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for entry in vibeguard_http::body::list_entries(list) {
        if let Some(id) = vibeguard_http::body::object_id(entry, param, collection_path)
            && !ids.contains(&id)
        {
            ids.push(id);
        }
        if ids.len() == MAX_OBJECTS {
            break;
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use vibeguard_http::spec::SpecFormat;

    fn operation(method: &str, path: &str, security: Security, tags: &[&str]) -> Operation {
        let mut operation = Operation::whole_target();
        operation.method = method.into();
        operation.path = path.into();
        operation.security = security;
        operation.tags = tags.iter().map(|t| t.to_string()).collect();
        operation
    }

    fn password_change() -> Operation {
        let mut change = operation(
            "POST",
            "/api/profile/password",
            Security::Required(vec!["bearer".into()]),
            &[],
        );
        change.body = Some(vibeguard_http::spec::RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: vibeguard_http::spec::BodyKind::Json,
            schema: vibeguard_http::spec::Schema {
                properties: vec![(
                    "new_password".into(),
                    vibeguard_http::spec::Schema::default(),
                )],
                ..vibeguard_http::spec::Schema::default()
            },
        });
        change
    }

    fn spec(operations: Vec<Operation>) -> ApiSpec {
        ApiSpec {
            format: SpecFormat::Code,
            title: String::new(),
            servers: Vec::new(),
            operations,
            problems: Vec::new(),
        }
    }

    #[test]
    fn globs_match_segments_and_any_depth() {
        assert!(glob_matches("/api/**", "/api/notes/{id}"));
        assert!(glob_matches("/api/**", "/api"));
        assert!(glob_matches("/api/*/{id}", "/api/notes/{id}"));
        assert!(glob_matches("/api/note*", "/api/notes"));
        assert!(glob_matches("**/admin/**", "/v1/admin/users"));
        assert!(!glob_matches("/api/*", "/api/notes/{id}"));
        assert!(!glob_matches("/admin/**", "/api/admin"));
        assert!(!glob_matches("/api/notes", "/api/notes/{id}"));
    }

    #[test]
    fn filters_narrow_by_every_key_and_leave_out_what_changes_data() {
        let required = || Security::Required(vec!["bearer".into()]);
        let surface = spec(vec![
            operation("GET", "/api/notes", required(), &["notes"]),
            operation("GET", "/api/notes/{id}", required(), &["notes"]),
            operation("DELETE", "/api/notes/{id}", required(), &["notes"]),
            operation("GET", "/api/health", Security::Public, &[]),
            operation("GET", "/about", Security::Undeclared, &[]),
            operation("POST", "/api/logout", required(), &[]),
            password_change(),
            Operation::whole_target(),
        ]);
        let labels = |filter: &OperationFilter, destructive: bool| -> Vec<String> {
            select(filter, &surface, destructive)
                .operations
                .iter()
                .map(|op| op.label())
                .collect()
        };
        let secured = OperationFilter {
            secured: Some(true),
            ..OperationFilter::default()
        };
        assert_eq!(
            labels(&secured, false),
            ["GET /api/notes", "GET /api/notes/{id}"]
        );
        let left_out = select(&secured, &surface, false).left_out;
        let left_out: Vec<String> = left_out.iter().map(|(op, _)| op.label()).collect();
        // A test identity's own password is never changed by a scenario that is not
        // destructive.
        assert_eq!(
            left_out,
            [
                "DELETE /api/notes/{id}",
                "POST /api/logout",
                "POST /api/profile/password"
            ]
        );
        assert_eq!(labels(&secured, true).len(), 5);
        let public = OperationFilter {
            secured: Some(false),
            ..OperationFilter::default()
        };
        assert_eq!(labels(&public, false), ["GET /api/health"]);
        let with_param = OperationFilter {
            has_path_param: Some(true),
            method: vec!["get".into()],
            ..OperationFilter::default()
        };
        assert_eq!(labels(&with_param, true), ["GET /api/notes/{id}"]);
        let tagged = OperationFilter {
            tag: vec!["NOTES".into()],
            exclude: vec!["/api/notes/{id}".into()],
            ..OperationFilter::default()
        };
        assert_eq!(labels(&tagged, true), ["GET /api/notes"]);
        let under = OperationFilter {
            path: Some("/api/**".into()),
            method: vec!["GET".into()],
            ..OperationFilter::default()
        };
        assert_eq!(labels(&under, false).len(), 3);
    }

    #[test]
    fn collections_and_their_objects() {
        let op = operation("GET", "/api/notes/{note_id}", Security::Undeclared, &[]);
        assert_eq!(
            collection_of(&op),
            Some(("/api/notes".into(), "note_id".into()))
        );
        let nested = operation(
            "GET",
            "/projects/{pid}/tasks/{tid}/comments",
            Security::Undeclared,
            &[],
        );
        assert_eq!(
            collection_of(&nested),
            Some(("/projects/{pid}/tasks".into(), "tid".into()))
        );
        let flat = operation("GET", "/{slug}", Security::Undeclared, &[]);
        assert_eq!(collection_of(&flat), None);
        let list = serde_json::json!({"items": [{"note_id": 7, "title": "a"}, {"note_id": 9}]});
        assert_eq!(object_ids(&list, "note_id", "/api/notes"), ["7", "9"]);
        let plain = serde_json::json!([{"title": "no id"}, {"id": "abc"}, {"id": "abc"}]);
        assert_eq!(object_ids(&plain, "id", "/api/notes"), ["abc"]);
        assert!(object_ids(&serde_json::json!({}), "id", "/x").is_empty());
        let many: Vec<serde_json::Value> = (0..50).map(|i| serde_json::json!({"id": i})).collect();
        assert_eq!(
            object_ids(&serde_json::json!(many), "id", "/x").len(),
            MAX_OBJECTS
        );
    }
}
