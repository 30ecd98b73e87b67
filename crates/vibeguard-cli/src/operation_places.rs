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
    let mut found = Vec::new();
    if let Some(file) = spec_file
        && let Ok(text) = std::fs::read_to_string(file)
    {
        let lines = DescriptionLines::find(&text);
        if !lines.is_empty() {
            found.push(Description {
                path: relative_to(file, Some(root)),
                lines,
            });
        }
    }
    if tree.is_none() {
        for place in USUAL_PLACES {
            let file = root.join(place);
            let readable = std::fs::metadata(&file)
                .is_ok_and(|meta| meta.is_file() && meta.len() <= MAX_DESCRIPTION_BYTES);
            if !readable || found.iter().any(|d| d.path == *place) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let lines = DescriptionLines::find(&text);
            if !lines.is_empty() {
                found.push(Description {
                    path: (*place).to_string(),
                    lines,
                });
            }
        }
    }
    if let Some(tree) = tree {
        for file in tree
            .files()
            .filter(|file| is_description_name(&file.path))
            .take(8)
        {
            if found.iter().any(|d| d.path == file.path) || file.size > MAX_DESCRIPTION_BYTES {
                continue;
            }
            let Ok(text) = tree.read_text(&file.path, MAX_DESCRIPTION_BYTES) else {
                continue;
            };
            let lines = DescriptionLines::find(&text);
            if !lines.is_empty() {
                found.push(Description {
                    path: file.path.clone(),
                    lines,
                });
            }
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
fn relative_to(file: &Path, root: Option<&Path>) -> String {
    let shown = || file.display().to_string().replace('\\', "/");
    let Some(root) = root else { return shown() };
    let (Ok(file), Ok(root)) = (file.canonicalize(), root.canonicalize()) else {
        return shown();
    };
    file.strip_prefix(&root)
        .map(|relative| relative.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| shown())
}

/// Whether a route template matches an operation path (`/tasks/:id` and `/tasks/{taskId}`
/// both read `/tasks/{id}`).
fn same_template(a: &str, b: &str) -> bool {
    let segments = |path: &str| -> Vec<String> {
        path.trim_matches('/')
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') || segment.starts_with(':') {
                    "{}".to_string()
                } else {
                    segment.to_string()
                }
            })
            .collect()
    };
    segments(a) == segments(b)
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
            routes
                .iter()
                .find(|route| {
                    (route.method == *method || route.method == "ANY")
                        && same_template(&route.path, path)
                })
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
        *declared_at = in_description.or_else(in_code).or_else(described);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whatever_their_parameter_names() {
        assert!(same_template("/tasks/:id", "/tasks/{taskId}"));
        assert!(same_template("/tasks/{id}/", "/tasks/{id}"));
        assert!(!same_template("/tasks", "/tasks/{id}"));
        assert!(is_description_name("docs/OpenAPI.v1.yml"));
        assert!(!is_description_name("src/openapi.ts"));
    }
}
