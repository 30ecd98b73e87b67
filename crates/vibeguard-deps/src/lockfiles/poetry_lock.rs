//! Poetry's `poetry.lock`: `[[package]]` tables with `name`, `version`, the scope (`category =
//! "main"|"dev"` before Poetry 1.5, `groups = [...]` since lock format 2.1), a `source` table for
//! packages not from PyPI, and `[package.dependencies]` naming what each package needs. The
//! lockfile does not record the project's own dependencies; pyproject.toml does.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    LockedPackage, Lockfile, LockfileFormat, NameIndex, Resolver, python_name, toml_package_lines,
};
use crate::ParseError;

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type", default)]
    kind: String,
}

/// Parses a poetry.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let document: Document =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let lines = toml_package_lines(text);
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PoetryLock,
        Resolver::ByName { python_names: true },
    );
    for (index, package) in document.package.iter().enumerate() {
        let dev = match (&package.groups, &package.category) {
            (Some(groups), _) => Some(!groups.iter().any(|group| group == "main")),
            (None, Some(category)) => Some(category == "dev"),
            (None, None) => None,
        };
        // A `legacy` source is another package index serving PyPI packages.
        let registry = package
            .source
            .as_ref()
            .is_none_or(|source| source.kind == "legacy");
        let mut locked =
            LockedPackage::new(&package.name, package.version.clone().unwrap_or_default())
                .dev(dev)
                .at_line(lines.get(index).copied().filter(|&line| line > 0));
        if !registry {
            locked = locked.not_registry();
        }
        lockfile.packages.push(locked);
    }
    let names = NameIndex::new(&lockfile.packages, python_name);
    let edges: Vec<Vec<usize>> = document
        .package
        .iter()
        .map(|package| {
            package
                .dependencies
                .keys()
                .filter_map(|name| names.find(&lockfile.packages, &python_name(name), None))
                .collect()
        })
        .collect();
    for (package, dependencies) in lockfile.packages.iter_mut().zip(edges) {
        package.dependencies = dependencies;
    }
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfiles::Resolution;
    use crate::manifests::ManifestKind;
    use crate::manifests::requirements_txt;

    #[test]
    fn resolves_by_normalized_name() {
        let text = "version = 1\n\n[[package]]\nname = \"Flask_Cors\"\nversion = \"4.0.0\"\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n";
        let lockfile = parse("poetry.lock", text).expect("parses");
        assert_eq!(lockfile.packages.len(), 2);
        let manifest = requirements_txt::parse(
            "requirements.txt",
            "flask-cors>=4\nnumpy\n",
            ManifestKind::RequirementsTxt,
        )
        .expect("parses");
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[0]),
            Resolution::Locked("4.0.0".into())
        );
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[1]),
            Resolution::Missing
        );
        assert!(parse("poetry.lock", "[[package]]\nversion = 1\n").is_err());
    }

    #[test]
    fn reads_scopes_sources_and_dependencies() {
        let text = r#"[[package]]
name = "flask"
version = "2.0.0"
category = "main"

[package.dependencies]
Jinja2 = ">=3.0"
click = {version = ">=7.1.2", markers = "python_version >= \"3.6\""}

[[package]]
name = "jinja2"
version = "3.0.0"
groups = ["main", "dev"]

[[package]]
name = "pytest"
version = "7.0.0"
groups = ["dev"]

[[package]]
name = "internal"
version = "1.0.0"
category = "main"

[package.source]
type = "git"
url = "https://example.com/internal.git"
reference = "main"
"#;
        let lockfile = parse("poetry.lock", text).expect("parses");
        let scopes: Vec<Option<bool>> = lockfile.packages.iter().map(|p| p.dev).collect();
        assert_eq!(
            scopes,
            vec![Some(false), Some(false), Some(true), Some(false)]
        );
        assert_eq!(lockfile.packages[0].dependencies, vec![1]);
        assert!(!lockfile.packages[3].registry);
        assert_eq!(lockfile.packages[2].line, Some(16));
    }
}
