//! Pipenv's `Pipfile` (TOML): `[packages]` and `[dev-packages]`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::pep508::{git_url_is_pinned, is_commit_hash};
use super::{
    DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind, PythonTool,
};
use crate::ParseError;
use crate::text_position::LineIndex;
use crate::versions::RequirementSyntax;

#[derive(Debug, Deserialize)]
struct Pipfile {
    packages: Option<BTreeMap<String, Spanned<Value>>>,
    #[serde(rename = "dev-packages")]
    dev_packages: Option<BTreeMap<String, Spanned<Value>>>,
}

/// Parses a Pipfile.
pub fn parse(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let document: Pipfile =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let lines = LineIndex::new(text);
    let mut manifest = Manifest::empty(path, ManifestKind::Pipfile);
    manifest.python_tool = Some(PythonTool::Pipenv);
    let sections = [
        (&document.packages, DependencyKind::Production),
        (&document.dev_packages, DependencyKind::Development),
    ];
    for (section, kind) in sections {
        for (name, value) in section.iter().flatten() {
            let line = lines.position(value.span().start).0;
            let (requirement, source) = match value.get_ref() {
                Value::String(spec) => (spec.clone(), DependencySource::Registry),
                Value::Table(table) => {
                    let text = |key: &str| table.get(key).and_then(Value::as_str);
                    if let Some(url) = text("git") {
                        let pinned =
                            text("ref").is_some_and(is_commit_hash) || git_url_is_pinned(url);
                        (url.to_string(), DependencySource::Git { pinned })
                    } else if let Some(local) = text("path") {
                        (local.to_string(), DependencySource::Path)
                    } else if let Some(url) = text("file") {
                        (url.to_string(), DependencySource::Url)
                    } else {
                        (
                            text("version").unwrap_or("*").to_string(),
                            DependencySource::Registry,
                        )
                    }
                }
                _ => ("*".to_string(), DependencySource::Registry),
            };
            manifest.dependencies.push(DeclaredDependency {
                name: name.clone(),
                requirement: if requirement == "*" {
                    String::new()
                } else {
                    requirement
                },
                syntax: RequirementSyntax::Pep440,
                kind,
                source,
                has_hash: false,
                span: Some(lines.line_span(line)),
            });
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_and_dev_packages() {
        let text = "[packages]\nflask = \"*\"\nrequests = {version = \"==2.31.0\"}\n[dev-packages]\npytest = \">=8\"\n";
        let manifest = parse("Pipfile", text).expect("parses");
        let summary: Vec<(&str, &str, DependencyKind)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.requirement.as_str(), d.kind))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("flask", "", DependencyKind::Production),
                ("requests", "==2.31.0", DependencyKind::Production),
                ("pytest", ">=8", DependencyKind::Development),
            ]
        );
    }
}
