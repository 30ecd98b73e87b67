//! npm's `package.json`: `dependencies`, `devDependencies`, `optionalDependencies` and
//! workspaces. Peer dependencies are the consumer's to install and are not read.

use serde_json::Value;

use super::pep508::{git_url_is_pinned, is_commit_hash};
use super::{DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind};
use crate::ParseError;
use crate::text_position::{JsonMemberSpans, LineIndex};
use crate::versions::RequirementSyntax;

const SECTIONS: &[(&str, DependencyKind)] = &[
    ("dependencies", DependencyKind::Production),
    ("devDependencies", DependencyKind::Development),
    ("optionalDependencies", DependencyKind::Optional),
];

/// Parses a package.json.
pub fn parse(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::from_json(path, &e))?;
    let Value::Object(root) = value else {
        return Err(ParseError::new(path, "the top level is not a JSON object"));
    };
    let spans = JsonMemberSpans::locate(text, 2);
    let lines = LineIndex::new(text);
    let mut manifest = Manifest::empty(path, ManifestKind::PackageJson);

    for (section, kind) in SECTIONS {
        let Some(entries) = root.get(*section) else {
            continue;
        };
        let Value::Object(entries) = entries else {
            manifest.warnings.push(ParseError::new(
                path,
                format!("`{section}` is not an object; skipped"),
            ));
            continue;
        };
        for (name, spec) in entries {
            let span = spans
                .get(&[section, name])
                .map(|(start, end)| lines.span(start, end));
            let Value::String(spec) = spec else {
                manifest.warnings.push(ParseError {
                    path: path.to_string(),
                    line: span.map(|s| s.start_line),
                    message: format!("`{section}.{name}` is not a string; skipped"),
                });
                continue;
            };
            let (source, requirement) = classify(spec);
            manifest.dependencies.push(DeclaredDependency {
                name: name.clone(),
                requirement,
                syntax: RequirementSyntax::Npm,
                kind: *kind,
                source,
                has_hash: false,
                span,
            });
        }
    }

    manifest.workspace_members = match root.get("workspaces") {
        Some(Value::Array(globs)) => strings(globs),
        Some(Value::Object(config)) => match config.get("packages") {
            Some(Value::Array(globs)) => strings(globs),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    manifest.configures_renovate = root.contains_key("renovate");
    Ok(manifest)
}

fn strings(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Classifies an npm dependency spec, returning the source and the version requirement (the
/// range part of an alias; the spec itself otherwise).
pub fn classify(spec: &str) -> (DependencySource, String) {
    let spec = spec.trim();
    let lower = spec.to_ascii_lowercase();
    if let Some(aliased) = spec.strip_prefix("npm:") {
        // npm:real-name@range, where real-name may be scoped (@scope/name@range).
        let (package, range) = match aliased.rfind('@') {
            Some(at) if at > 0 => (&aliased[..at], &aliased[at + 1..]),
            _ => (aliased, ""),
        };
        return (
            DependencySource::Alias {
                package: package.to_string(),
            },
            range.to_string(),
        );
    }
    if lower.starts_with("workspace:") {
        return (DependencySource::Workspace, spec.to_string());
    }
    if lower.starts_with("file:")
        || lower.starts_with("link:")
        || lower.starts_with("portal:")
        || spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with("~/")
        || spec.starts_with('/')
    {
        return (DependencySource::Path, spec.to_string());
    }
    let git_prefixes = [
        "git+",
        "git://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ];
    if git_prefixes.iter().any(|prefix| lower.starts_with(prefix)) || is_github_shorthand(spec) {
        return (
            DependencySource::Git {
                pinned: git_url_is_pinned(spec)
                    || spec
                        .rsplit_once('#')
                        .is_some_and(|(_, commit)| is_commit_hash(commit)),
            },
            spec.to_string(),
        );
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return (DependencySource::Url, spec.to_string());
    }
    if is_dist_tag(spec) {
        return (DependencySource::Tag, spec.to_string());
    }
    (DependencySource::Registry, spec.to_string())
}

/// `owner/repo` or `owner/repo#ref`: npm reads it as a GitHub repository.
fn is_github_shorthand(spec: &str) -> bool {
    let base = spec.split('#').next().unwrap_or(spec);
    let mut parts = base.split('/');
    let (Some(owner), Some(repo), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    !owner.starts_with('@') && valid(owner) && valid(repo)
}

/// A dist-tag (`latest`, `next`, `beta`): a name npm resolves at install time to whatever the
/// publisher last tagged. Semver ranges never start with a letter other than `x`/`X`/`v`.
fn is_dist_tag(spec: &str) -> bool {
    let Some(first) = spec.chars().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && !matches!(first, 'x' | 'X' | 'v' | 'V')
        && spec
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_spec_form() {
        let cases = [
            ("^4.18.2", DependencySource::Registry),
            ("latest", DependencySource::Tag),
            ("next", DependencySource::Tag),
            ("x", DependencySource::Registry),
            ("", DependencySource::Registry),
            ("file:../shared", DependencySource::Path),
            ("workspace:*", DependencySource::Workspace),
            ("expressjs/express", DependencySource::Git { pinned: false }),
            (
                "expressjs/express#0123456789abcdef0123456789abcdef01234567",
                DependencySource::Git { pinned: true },
            ),
            ("github:o/r#v1.0.0", DependencySource::Git { pinned: false }),
            (
                "git+ssh://git@github.com/o/r.git",
                DependencySource::Git { pinned: false },
            ),
            ("https://example.com/x-1.0.0.tgz", DependencySource::Url),
        ];
        for (spec, expected) in cases {
            assert_eq!(classify(spec).0, expected, "{spec}");
        }
        let (alias, range) = classify("npm:@scope/real@^2.0.0");
        assert_eq!(
            alias,
            DependencySource::Alias {
                package: "@scope/real".into()
            }
        );
        assert_eq!(range, "^2.0.0");
    }

    #[test]
    fn parses_sections_spans_and_workspaces() {
        let text = r#"{
  "name": "api",
  "dependencies": {
    "express": "^4.18.2"
  },
  "devDependencies": { "jest": "29.7.0" },
  "peerDependencies": { "react": "*" },
  "workspaces": { "packages": ["packages/*"] },
  "renovate": { "extends": ["config:base"] }
}"#;
        let manifest = parse("package.json", text).expect("parses");
        assert_eq!(manifest.dependencies.len(), 2);
        let express = &manifest.dependencies[0];
        assert_eq!(express.kind, DependencyKind::Production);
        assert_eq!(express.span.map(|s| s.start_line), Some(4));
        assert_eq!(manifest.dependencies[1].kind, DependencyKind::Development);
        assert_eq!(manifest.workspace_members, vec!["packages/*"]);
        assert!(manifest.configures_renovate);
    }

    #[test]
    fn reports_malformed_json_with_its_line() {
        let error = parse(
            "package.json",
            "{\n  \"dependencies\": {\n    \"a\": ,\n  }\n}",
        )
        .expect_err("malformed");
        assert_eq!(error.line, Some(3));
        assert!(parse("package.json", "[]").is_err());
        let odd = parse(
            "package.json",
            r#"{"dependencies": {"a": 1, "b": "1.0.0"}}"#,
        )
        .expect("parses");
        assert_eq!(odd.dependencies.len(), 1);
        assert_eq!(odd.warnings.len(), 1);
    }
}
