//! Cargo's `Cargo.toml`: `[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`, their
//! `[target.'cfg'.…]` variants, `[workspace.dependencies]` and workspace members.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::pep508::is_commit_hash;
use super::{DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind};
use crate::ParseError;
use crate::text_position::LineIndex;
use crate::versions::RequirementSyntax;

type DependencyTable = BTreeMap<String, Spanned<Value>>;

#[derive(Debug, Deserialize)]
struct CargoToml {
    dependencies: Option<DependencyTable>,
    #[serde(rename = "dev-dependencies", alias = "dev_dependencies")]
    dev_dependencies: Option<DependencyTable>,
    #[serde(rename = "build-dependencies", alias = "build_dependencies")]
    build_dependencies: Option<DependencyTable>,
    target: Option<BTreeMap<String, TargetTables>>,
    workspace: Option<Workspace>,
}

#[derive(Debug, Deserialize)]
struct TargetTables {
    dependencies: Option<DependencyTable>,
    #[serde(rename = "dev-dependencies", alias = "dev_dependencies")]
    dev_dependencies: Option<DependencyTable>,
    #[serde(rename = "build-dependencies", alias = "build_dependencies")]
    build_dependencies: Option<DependencyTable>,
}

#[derive(Debug, Deserialize)]
struct Workspace {
    members: Option<Vec<String>>,
    dependencies: Option<DependencyTable>,
}

/// Parses a Cargo.toml.
pub fn parse(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let document: CargoToml =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let lines = LineIndex::new(text);
    let mut manifest = Manifest::empty(path, ManifestKind::CargoToml);

    let mut tables: Vec<(&Option<DependencyTable>, DependencyKind)> = vec![
        (&document.dependencies, DependencyKind::Production),
        (&document.dev_dependencies, DependencyKind::Development),
        (&document.build_dependencies, DependencyKind::Build),
    ];
    for target in document.target.iter().flat_map(BTreeMap::values) {
        tables.push((&target.dependencies, DependencyKind::Production));
        tables.push((&target.dev_dependencies, DependencyKind::Development));
        tables.push((&target.build_dependencies, DependencyKind::Build));
    }
    if let Some(workspace) = &document.workspace {
        tables.push((&workspace.dependencies, DependencyKind::Production));
        manifest.workspace_members = workspace.members.clone().unwrap_or_default();
    }

    for (table, kind) in tables
        .into_iter()
        .filter_map(|(table, kind)| table.as_ref().map(|table| (table, kind)))
    {
        for (name, value) in table {
            let line = lines.position(value.span().start).0;
            manifest.dependencies.push(dependency(
                name,
                value.get_ref(),
                kind,
                lines.line_span(line),
            ));
        }
    }
    Ok(manifest)
}

fn dependency(
    name: &str,
    value: &Value,
    kind: DependencyKind,
    span: vibeguard_core::Span,
) -> DeclaredDependency {
    let (requirement, mut source, optional) = match value {
        Value::String(requirement) => (requirement.clone(), DependencySource::Registry, false),
        Value::Table(table) => {
            let text = |key: &str| table.get(key).and_then(Value::as_str).map(str::to_string);
            let optional = table.get("optional").and_then(Value::as_bool) == Some(true);
            if table.get("workspace").and_then(Value::as_bool) == Some(true) {
                (String::new(), DependencySource::Workspace, optional)
            } else if let Some(url) = text("git") {
                let pinned = text("rev").is_some_and(|rev| is_commit_hash(&rev));
                (url, DependencySource::Git { pinned }, optional)
            } else if let Some(local) = text("path") {
                (local, DependencySource::Path, optional)
            } else {
                (
                    text("version").unwrap_or_default(),
                    DependencySource::Registry,
                    optional,
                )
            }
        }
        _ => (String::new(), DependencySource::Registry, false),
    };
    if let Value::Table(table) = value
        && let Some(package) = table.get("package").and_then(Value::as_str)
        && source == DependencySource::Registry
    {
        source = DependencySource::Alias {
            package: package.to_string(),
        };
    }
    DeclaredDependency {
        name: name.to_string(),
        requirement,
        syntax: RequirementSyntax::Cargo,
        kind: if optional && kind == DependencyKind::Production {
            DependencyKind::Optional
        } else {
            kind
        },
        source,
        has_hash: false,
        span: Some(span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_dependency_tables() {
        let text = r#"
[package]
name = "app"
[dependencies]
serde = { version = "1", features = ["derive"] }
rand = "*"
local = { path = "../local" }
renamed = { package = "real-name", version = "0.3" }
shared = { workspace = true }
[target.'cfg(unix)'.dependencies]
libc = "0.2"
[dev-dependencies]
insta = "1"
[workspace]
members = ["crates/*"]
"#;
        let manifest = parse("Cargo.toml", text).expect("parses");
        let summary: Vec<(&str, &str)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.requirement.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("local", "../local"),
                ("rand", "*"),
                ("renamed", "0.3"),
                ("serde", "1"),
                ("shared", ""),
                ("insta", "1"),
                ("libc", "0.2"),
            ]
        );
        assert_eq!(manifest.dependencies[1].span.map(|s| s.start_line), Some(6));
        assert_eq!(manifest.dependencies[2].package_name(), "real-name");
        assert_eq!(manifest.workspace_members, vec!["crates/*"]);
    }
}
