//! Ties every API finding to a place in the project: the line of its operation in the API
//! description, else the code that declares the route, else the description's `paths` line —
//! so that code-scanning UIs (which drop results without a file and line) show it, and an
//! inline suppression can be written next to it. The description is the one given as a file,
//! or, when it was fetched from the target, a description file in the project that lists the
//! operation.

use std::path::Path;

use vibeguard_api::spec::lines::DescriptionLines;
use vibeguard_core::{DeclaredAt, Finding, Location, RouteEntry};
use vibeguard_project::ProjectTree;

/// Description files larger than this are not read for lines.
const MAX_DESCRIPTION_BYTES: u64 = 16 * 1024 * 1024;

/// A description file of the project and the lines of its operations.
pub struct Description {
    path: String,
    lines: DescriptionLines,
}

/// Where a project keeps its description, looked at when the project was not walked
/// (`vibeguard api`).
const USUAL_PLACES: &[&str] = &[
    "openapi.yaml",
    "openapi.yml",
    "openapi.json",
    "swagger.yaml",
    "swagger.yml",
    "swagger.json",
    "docs/openapi.yaml",
    "docs/openapi.json",
    "api/openapi.yaml",
    "spec/openapi.yaml",
];

/// The descriptions to look in: the file given (`--spec FILE`), then the project's own
/// description files (`openapi.yaml`, `swagger.json`, `docs/openapi/api.yml`, …) — from the
/// walked tree, or at their usual places under `root` when the project was not walked.
pub fn descriptions(
    spec_file: Option<&Path>,
    tree: Option<&ProjectTree>,
    root: &Path,
) -> Vec<Description> {
    // (path as reported, text) of every candidate, the given file first.
    let mut candidates: Vec<(String, String)> = Vec::new();
    if let Some(file) = spec_file
        && let Ok(text) = vibeguard_project::read_text_file(file, MAX_DESCRIPTION_BYTES)
    {
        candidates.push((relative_to(file, root), text));
    }
    match tree {
        Some(tree) => candidates.extend(
            tree.files()
                .filter(|file| is_description_name(&file.path))
                .take(8)
                .filter_map(|file| {
                    let text = tree.read_text(&file.path, MAX_DESCRIPTION_BYTES).ok()?;
                    Some((file.path.clone(), text))
                }),
        ),
        None => candidates.extend(USUAL_PLACES.iter().filter_map(|place| {
            let text =
                vibeguard_project::read_text_file(&root.join(place), MAX_DESCRIPTION_BYTES).ok()?;
            Some(((*place).to_string(), text))
        })),
    }
    let mut found: Vec<Description> = Vec::new();
    for (path, text) in candidates {
        if found.iter().any(|d| d.path == path) {
            continue;
        }
        let lines = DescriptionLines::find(&text);
        if !lines.is_empty() {
            found.push(Description { path, lines });
        }
    }
    found
}

fn is_description_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem_ok = name.starts_with("openapi") || name.starts_with("swagger");
    stem_ok
        && [".yaml", ".yml", ".json"]
            .iter()
            .any(|extension| name.ends_with(extension))
}

/// `file` relative to the project root when it lies inside it, else as given.
fn relative_to(file: &Path, root: &Path) -> String {
    let shown = || file.display().to_string().replace('\\', "/");
    let (Ok(file), Ok(root)) = (file.canonicalize(), root.canonicalize()) else {
        return shown();
    };
    file.strip_prefix(&root)
        .map(|relative| relative.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| shown())
}

/// Sets `declared_at` on every operation finding that has none.
pub fn attach(findings: &mut [Finding], descriptions: &[Description], routes: &[RouteEntry]) {
    for finding in findings {
        let Location::Operation {
            method,
            path,
            declared_at,
            ..
        } = &mut finding.location
        else {
            continue;
        };
        if declared_at.is_some() {
            continue;
        }
        let in_description = descriptions.iter().find_map(|description| {
            description
                .lines
                .line_of(method, path)
                .map(|line| DeclaredAt {
                    path: description.path.clone(),
                    line,
                })
        });
        let in_code = || {
            let same_method =
                |route: &&RouteEntry| route.method == *method || route.method == "ANY";
            let served_under = |route: &&RouteEntry| {
                let folder = route.path.trim_end_matches('/');
                let folder = match folder.rsplit_once('/') {
                    Some((parent, last)) if last.starts_with('{') => parent,
                    _ => folder,
                };
                route.serves_files && path.starts_with(&format!("{folder}/"))
            };
            // The route written as the finding's path first (`/users/{id}` is not `/users/me`),
            // then one whose template matches it, then a served folder the path lies in.
            routes
                .iter()
                .filter(same_method)
                .find(|route| route.path == *path)
                .or_else(|| {
                    routes
                        .iter()
                        .filter(same_method)
                        .find(|route| vibeguard_api::spec::path_matches_template(path, &route.path))
                })
                .or_else(|| routes.iter().filter(same_method).find(served_under))
                .map(|route| DeclaredAt {
                    path: route.file.clone(),
                    line: route.line,
                })
        };
        let described = || {
            descriptions.first().and_then(|description| {
                description.lines.paths_line.map(|line| DeclaredAt {
                    path: description.path.clone(),
                    line,
                })
            })
        };
        // A finding about the whole target (`* /`) with no description to point at: the first
        // route the code declares, where the app's routing starts.
        let whole_target = || {
            (method == "*")
                .then(|| routes.first())
                .flatten()
                .map(|route| DeclaredAt {
                    path: route.file.clone(),
                    line: route.line,
                })
        };
        *declared_at = in_description
            .or_else(in_code)
            .or_else(described)
            .or_else(whole_target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str, file: &str, line: u32, serves_files: bool) -> RouteEntry {
        RouteEntry {
            framework: "express".into(),
            method: method.into(),
            path: path.into(),
            file: file.into(),
            line,
            handler: None,
            middleware: Vec::new(),
            authenticated: true,
            passes_anonymous: Vec::new(),
            rate_limited: false,
            body_fields: Vec::new(),
            query_params: Vec::new(),
            path_types: Default::default(),
            serves_files,
            body_encoding: None,
            body_schema: Default::default(),
        }
    }

    fn placed(method: &str, path: &str, routes: &[RouteEntry]) -> Option<(String, u32)> {
        let meta = &vibeguard_api::engine::rule_metas()[0];
        let mut findings = vec![Finding::new(
            meta,
            Location::Operation {
                method: method.into(),
                path: path.into(),
                parameter: None,
                declared_at: None,
            },
            "x",
            "x",
        )];
        attach(&mut findings, &[], routes);
        match &findings[0].location {
            Location::Operation { declared_at, .. } => {
                declared_at.as_ref().map(|d| (d.path.clone(), d.line))
            }
            _ => None,
        }
    }

    #[test]
    fn code_places_prefer_the_route_written_as_the_path_then_templates_then_folders() {
        let routes = [
            route("GET", "/api/users/me", "routes/users.js", 8, false),
            route("GET", "/api/users/{id}", "routes/users.js", 10, false),
            route("GET", "/static/", "server.js", 73, true),
            route("GET", "/files/{name}", "app.py", 5, true),
        ];
        assert_eq!(
            placed("GET", "/api/users/{id}", &routes),
            Some(("routes/users.js".into(), 10))
        );
        assert_eq!(
            placed("GET", "/api/users/me", &routes),
            Some(("routes/users.js".into(), 8))
        );
        assert_eq!(
            placed("GET", "/static/server.js", &routes),
            Some(("server.js".into(), 73))
        );
        assert_eq!(
            placed("GET", "/files/.env", &routes),
            Some(("app.py".into(), 5))
        );
        assert_eq!(
            placed("*", "/", &routes),
            Some(("routes/users.js".into(), 8))
        );
        assert_eq!(placed("POST", "/elsewhere", &routes), None);
    }

    #[test]
    fn description_files_are_known_by_their_names() {
        assert!(is_description_name("docs/OpenAPI.v1.yml"));
        assert!(!is_description_name("src/openapi.ts"));
    }
}
