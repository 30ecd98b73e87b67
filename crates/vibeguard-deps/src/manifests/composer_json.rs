//! Composer's `composer.json`: `require` and `require-dev`. Platform requirements (`php`,
//! `ext-*`, `lib-*`, `composer-*`) are not packages and are skipped.

use serde_json::Value;

use super::{DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind};
use crate::ParseError;
use crate::text_position::{JsonMemberSpans, LineIndex};
use crate::versions::RequirementSyntax;

/// Parses a composer.json.
pub fn parse(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::from_json(path, &e))?;
    let Value::Object(root) = value else {
        return Err(ParseError::new(path, "the top level is not a JSON object"));
    };
    let spans = JsonMemberSpans::locate(text, 2);
    let lines = LineIndex::new(text);
    let mut manifest = Manifest::empty(path, ManifestKind::ComposerJson);
    for (section, kind) in [
        ("require", DependencyKind::Production),
        ("require-dev", DependencyKind::Development),
    ] {
        let Some(Value::Object(entries)) = root.get(section) else {
            continue;
        };
        for (name, constraint) in entries {
            if is_platform_package(name) {
                continue;
            }
            let constraint = constraint.as_str().unwrap_or("").to_string();
            let source = if constraint.starts_with("dev-") {
                DependencySource::Git { pinned: false }
            } else {
                DependencySource::Registry
            };
            manifest.dependencies.push(DeclaredDependency {
                name: name.clone(),
                requirement: constraint,
                syntax: RequirementSyntax::Composer,
                kind,
                source,
                has_hash: false,
                span: spans
                    .get(&[section, name])
                    .map(|(start, end)| lines.span(start, end)),
            });
        }
    }
    Ok(manifest)
}

fn is_platform_package(name: &str) -> bool {
    !name.contains('/')
        || name.starts_with("ext-")
        || name.starts_with("lib-")
        || name.starts_with("composer-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_require_sections_without_platform_packages() {
        let text = r#"{"require": {"php": ">=8.1", "ext-json": "*", "laravel/framework": "^10.10"},
"require-dev": {"phpunit/phpunit": "^10.1"}}"#;
        let manifest = parse("composer.json", text).expect("parses");
        let names: Vec<&str> = manifest
            .dependencies
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(names, vec!["laravel/framework", "phpunit/phpunit"]);
        assert_eq!(manifest.dependencies[1].kind, DependencyKind::Development);
    }
}
