//! uv's `uv.lock`: `[[package]]` tables with `name`, `version`, a `source` (`registry`, `git`,
//! `url`, `path`, `directory`, `editable`, `virtual`), and `dependencies`,
//! `optional-dependencies` and `dev-dependencies` that reference other packages by name (and
//! version when several are locked). The project's own members (editable, virtual or workspace
//! sources) are the roots: their dependencies are the direct ones, their dev-dependency groups
//! the development ones.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    LockRoot, LockedPackage, Lockfile, LockfileFormat, NameIndex, Resolver, python_name,
    toml_package_lines,
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
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Reference>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<Reference>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<Reference>>,
}

#[derive(Deserialize)]
struct Reference {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

/// Parses a uv.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let document: Document =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let lines = toml_package_lines(text);
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::UvLock,
        Resolver::ByName { python_names: true },
    );
    let mut is_member = Vec::new();
    for (index, package) in document.package.iter().enumerate() {
        let member = ["editable", "virtual", "workspace"]
            .iter()
            .any(|key| package.source.contains_key(*key));
        let registry = package.source.contains_key("registry");
        let mut locked =
            LockedPackage::new(&package.name, package.version.clone().unwrap_or_default())
                .at_line(lines.get(index).copied().filter(|&line| line > 0));
        if !registry {
            locked = locked.not_registry();
        }
        lockfile.packages.push(locked);
        is_member.push(member);
    }
    let names = NameIndex::new(&lockfile.packages, python_name);
    let resolve = |reference: &Reference| {
        names.find(
            &lockfile.packages,
            &python_name(&reference.name),
            reference.version.as_deref(),
        )
    };
    let mut edges = Vec::with_capacity(document.package.len());
    let mut roots = Vec::new();
    for (index, package) in document.package.iter().enumerate() {
        let production: Vec<usize> = package
            .dependencies
            .iter()
            .chain(package.optional_dependencies.values().flatten())
            .filter_map(resolve)
            .collect();
        let development: Vec<usize> = package
            .dev_dependencies
            .values()
            .flatten()
            .filter_map(resolve)
            .collect();
        if is_member[index] {
            roots.extend(production.iter().map(|&package| LockRoot {
                package,
                dev: Some(false),
            }));
            roots.extend(development.iter().map(|&package| LockRoot {
                package,
                dev: Some(true),
            }));
        }
        let mut all = production;
        all.extend(development);
        edges.push(all);
    }
    for (package, dependencies) in lockfile.packages.iter_mut().zip(edges) {
        package.dependencies = dependencies;
    }
    if is_member.iter().any(|&member| member) {
        lockfile.roots = Some(roots);
    }
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_roots_and_references_resolve() {
        let text = r#"version = 1

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "flask" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "Flask"
version = "3.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "werkzeug" }]

[[package]]
name = "werkzeug"
version = "3.0.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }
"#;
        let lockfile = parse("uv.lock", text).expect("parses");
        assert_eq!(lockfile.packages[1].dependencies, vec![2]);
        assert_eq!(lockfile.packages[1].line, Some(13));
        assert!(!lockfile.packages[0].registry);
        assert_eq!(
            lockfile.roots,
            Some(vec![
                LockRoot {
                    package: 1,
                    dev: Some(false)
                },
                LockRoot {
                    package: 3,
                    dev: Some(true)
                },
            ])
        );
        assert!(parse("uv.lock", "[[package]]\nversion = 1\n").is_err());
    }
}
