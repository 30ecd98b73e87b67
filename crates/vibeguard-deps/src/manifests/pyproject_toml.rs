//! `pyproject.toml`: PEP 621 `[project]` dependencies and extras, PEP 735 dependency groups,
//! Poetry's `[tool.poetry]` tables, and the dev dependencies of PDM and uv.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::pep508;
use super::{
    DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind, PythonTool,
};
use crate::ParseError;
use crate::text_position::LineIndex;
use crate::versions::RequirementSyntax;

#[derive(Debug, Deserialize)]
struct Pyproject {
    project: Option<Project>,
    tool: Option<Tool>,
    #[serde(rename = "dependency-groups")]
    dependency_groups: Option<BTreeMap<String, Vec<Spanned<Value>>>>,
}

#[derive(Debug, Deserialize)]
struct Project {
    dependencies: Option<Vec<Spanned<String>>>,
    #[serde(rename = "optional-dependencies")]
    optional_dependencies: Option<BTreeMap<String, Vec<Spanned<String>>>>,
}

#[derive(Debug, Deserialize)]
struct Tool {
    poetry: Option<Poetry>,
    uv: Option<Uv>,
    pdm: Option<Pdm>,
}

#[derive(Debug, Deserialize)]
struct Poetry {
    dependencies: Option<BTreeMap<String, Spanned<Value>>>,
    #[serde(rename = "dev-dependencies")]
    dev_dependencies: Option<BTreeMap<String, Spanned<Value>>>,
    group: Option<BTreeMap<String, PoetryGroup>>,
}

#[derive(Debug, Deserialize)]
struct PoetryGroup {
    dependencies: Option<BTreeMap<String, Spanned<Value>>>,
}

#[derive(Debug, Deserialize)]
struct Uv {
    #[serde(rename = "dev-dependencies")]
    dev_dependencies: Option<Vec<Spanned<String>>>,
    workspace: Option<UvWorkspace>,
}

#[derive(Debug, Deserialize)]
struct UvWorkspace {
    members: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct Pdm {
    #[serde(rename = "dev-dependencies")]
    dev_dependencies: Option<BTreeMap<String, Vec<Spanned<String>>>>,
}

/// Parses a pyproject.toml.
pub fn parse(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let document: Pyproject =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let lines = LineIndex::new(text);
    let mut manifest = Manifest::empty(path, ManifestKind::PyprojectToml);
    let add_pep508 = |manifest: &mut Manifest, entry: &Spanned<String>, kind| {
        let line = lines.position(entry.span().start).0;
        match pep508::parse(entry.get_ref()) {
            Some(parsed) => manifest.dependencies.push(DeclaredDependency {
                name: parsed.name,
                requirement: parsed.specifier,
                syntax: RequirementSyntax::Pep440,
                kind,
                source: parsed.source,
                has_hash: false,
                span: Some(lines.line_span(line)),
            }),
            None => manifest.warnings.push(ParseError::at_line(
                path,
                line,
                format!(
                    "`{}` is not a PEP 508 requirement; skipped",
                    entry.get_ref()
                ),
            )),
        }
    };

    if let Some(project) = &document.project {
        for entry in project.dependencies.iter().flatten() {
            add_pep508(&mut manifest, entry, DependencyKind::Production);
        }
        for entry in project
            .optional_dependencies
            .iter()
            .flat_map(|m| m.values())
            .flatten()
        {
            add_pep508(&mut manifest, entry, DependencyKind::Optional);
        }
    }
    for entry in document
        .dependency_groups
        .iter()
        .flat_map(|m| m.values())
        .flatten()
    {
        // Entries are requirement strings or `{include-group = "…"}` tables.
        if let Value::String(text) = entry.get_ref() {
            let spanned = Spanned::new(entry.span(), text.clone());
            add_pep508(&mut manifest, &spanned, DependencyKind::Development);
        }
    }

    if let Some(tool) = &document.tool {
        if let Some(uv) = &tool.uv {
            manifest.python_tool = Some(PythonTool::Uv);
            for entry in uv.dev_dependencies.iter().flatten() {
                add_pep508(&mut manifest, entry, DependencyKind::Development);
            }
            if let Some(members) = uv.workspace.as_ref().and_then(|w| w.members.clone()) {
                manifest.workspace_members = members;
            }
        }
        if let Some(pdm) = &tool.pdm {
            manifest.python_tool = Some(PythonTool::Pdm);
            for entry in pdm
                .dev_dependencies
                .iter()
                .flat_map(|m| m.values())
                .flatten()
            {
                add_pep508(&mut manifest, entry, DependencyKind::Development);
            }
        }
        if let Some(poetry) = &tool.poetry {
            manifest.python_tool = Some(PythonTool::Poetry);
            let groups = poetry
                .group
                .iter()
                .flat_map(|groups| groups.values())
                .filter_map(|group| group.dependencies.as_ref());
            let tables = poetry
                .dependencies
                .iter()
                .map(|table| (table, DependencyKind::Production))
                .chain(
                    poetry
                        .dev_dependencies
                        .iter()
                        .chain(groups)
                        .map(|table| (table, DependencyKind::Development)),
                );
            for (table, kind) in tables {
                for (name, value) in table {
                    if name == "python" {
                        continue;
                    }
                    let line = lines.position(value.span().start).0;
                    manifest.dependencies.push(poetry_dependency(
                        name,
                        value.get_ref(),
                        kind,
                        lines.line_span(line),
                    ));
                }
            }
        }
    }
    Ok(manifest)
}

fn poetry_dependency(
    name: &str,
    value: &Value,
    kind: DependencyKind,
    span: vibeguard_core::Span,
) -> DeclaredDependency {
    // Several constraints (a list of tables with markers): the first one stands for all.
    let value = match value {
        Value::Array(alternatives) => alternatives.first().unwrap_or(value),
        other => other,
    };
    let (requirement, source, kind) = match value {
        Value::String(constraint) => (constraint.clone(), DependencySource::Registry, kind),
        Value::Table(table) => {
            let text = |key: &str| table.get(key).and_then(Value::as_str).map(str::to_string);
            let optional = table.get("optional").and_then(Value::as_bool) == Some(true);
            let kind = if optional && kind == DependencyKind::Production {
                DependencyKind::Optional
            } else {
                kind
            };
            if let Some(url) = text("git") {
                let pinned = text("rev").is_some_and(|rev| pep508::is_commit_hash(&rev));
                (url, DependencySource::Git { pinned }, kind)
            } else if let Some(local) = text("path") {
                (local, DependencySource::Path, kind)
            } else if let Some(url) = text("url") {
                (url, DependencySource::Url, kind)
            } else {
                (
                    text("version").unwrap_or_default(),
                    DependencySource::Registry,
                    kind,
                )
            }
        }
        _ => (String::new(), DependencySource::Registry, kind),
    };
    DeclaredDependency {
        name: name.to_string(),
        requirement,
        syntax: RequirementSyntax::Poetry,
        kind,
        source,
        has_hash: false,
        span: Some(span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pep621_groups_and_extras() {
        let text = r#"
[project]
name = "api"
dependencies = [
  "fastapi>=0.110",
  "uvicorn[standard]==0.29.0",
]
[project.optional-dependencies]
pg = ["psycopg>=3"]
[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]
[tool.uv.workspace]
members = ["packages/*"]
"#;
        let manifest = parse("pyproject.toml", text).expect("parses");
        let summary: Vec<(&str, &str, DependencyKind)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.requirement.as_str(), d.kind))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("fastapi", ">=0.110", DependencyKind::Production),
                ("uvicorn", "==0.29.0", DependencyKind::Production),
                ("psycopg", ">=3", DependencyKind::Optional),
                ("pytest", ">=8", DependencyKind::Development),
                ("ruff", "", DependencyKind::Development),
            ]
        );
        assert_eq!(manifest.dependencies[1].span.map(|s| s.start_line), Some(6));
        assert_eq!(manifest.python_tool, Some(PythonTool::Uv));
        assert_eq!(manifest.workspace_members, vec!["packages/*"]);
    }

    #[test]
    fn reads_poetry_tables() {
        let text = r#"
[tool.poetry.dependencies]
python = "^3.11"
django = "^5.0"
lib = { git = "https://github.com/o/lib.git", rev = "0123456789abcdef0123456789abcdef01234567" }
extra = { version = "1.2.3", optional = true }
[tool.poetry.group.dev.dependencies]
pytest = "^8.0"
"#;
        let manifest = parse("pyproject.toml", text).expect("parses");
        let names: Vec<&str> = manifest
            .dependencies
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(names, vec!["django", "extra", "lib", "pytest"]);
        assert_eq!(manifest.dependencies[0].syntax, RequirementSyntax::Poetry);
        assert_eq!(manifest.dependencies[1].kind, DependencyKind::Optional);
        assert_eq!(
            manifest.dependencies[2].source,
            DependencySource::Git { pinned: true }
        );
        assert_eq!(manifest.dependencies[3].kind, DependencyKind::Development);
        assert_eq!(manifest.python_tool, Some(PythonTool::Poetry));
    }

    #[test]
    fn reports_bad_toml_with_its_line() {
        let error = parse("pyproject.toml", "[project]\nname = \n").expect_err("bad");
        assert_eq!(error.line, Some(2));
        let error = parse("pyproject.toml", "[project]\ndependencies = \"x\"\n").expect_err("bad");
        assert!(error.message.contains("invalid TOML"), "{}", error.message);
    }
}
