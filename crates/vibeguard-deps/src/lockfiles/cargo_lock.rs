//! Cargo's `Cargo.lock` (versions 1 to 4): `[[package]]` tables with `name`, `version`, a
//! `source` (`registry+…` or `sparse+…` for a registry, `git+…`; none for the workspace's own
//! crates) and `dependencies` written `"name"`, `"name version"` or `"name version (source)"`.
//! The workspace members are the roots; Cargo.lock does not separate dev-dependencies, the
//! members' Cargo.toml files do.

use serde::Deserialize;

use super::{
    LockRoot, LockedPackage, Lockfile, LockfileFormat, NameIndex, Resolver, exact_name,
    toml_package_lines,
};
use crate::ParseError;

#[derive(Debug, Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// Parses a Cargo.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let document: CargoLock =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let lines = toml_package_lines(text);
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::CargoLock,
        Resolver::ByName {
            python_names: false,
        },
    );
    for (index, package) in document.package.iter().enumerate() {
        let registry = package
            .source
            .as_deref()
            .is_some_and(|source| source.starts_with("registry+") || source.starts_with("sparse+"));
        let mut locked = LockedPackage::new(&package.name, &package.version)
            .at_line(lines.get(index).copied().filter(|&line| line > 0));
        if !registry {
            locked = locked.not_registry();
        }
        lockfile.packages.push(locked);
    }
    let names = NameIndex::new(&lockfile.packages, exact_name);
    let mut roots = Vec::new();
    for (index, package) in document.package.iter().enumerate() {
        let dependencies: Vec<usize> = package
            .dependencies
            .iter()
            .filter_map(|reference| {
                let mut words = reference.split_whitespace();
                let name = words.next()?;
                names.find(&lockfile.packages, name, words.next())
            })
            .collect();
        if package.source.is_none() {
            roots.extend(
                dependencies
                    .iter()
                    .map(|&package| LockRoot { package, dev: None }),
            );
        }
        lockfile.packages[index].dependencies = dependencies;
    }
    if document
        .package
        .iter()
        .any(|package| package.source.is_none())
    {
        lockfile.roots = Some(roots);
    }
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfiles::Resolution;
    use crate::manifests::cargo_toml;

    #[test]
    fn picks_the_locked_version_satisfying_the_requirement() {
        let text = "version = 4\n\n[[package]]\nname = \"rand\"\nversion = \"0.7.3\"\n\n[[package]]\nname = \"rand\"\nversion = \"0.8.5\"\n";
        let lockfile = parse("Cargo.lock", text).expect("parses");
        let manifest = cargo_toml::parse(
            "Cargo.toml",
            "[dependencies]\nrand = \"0.8\"\nserde = \"1\"\n",
        )
        .expect("parses");
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[0]),
            Resolution::Locked("0.8.5".into())
        );
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[1]),
            Resolution::Missing
        );
    }

    #[test]
    fn workspace_members_are_roots_and_references_carry_versions() {
        let text = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["rand 0.8.5", "smallvec"]

[[package]]
name = "rand"
version = "0.7.3"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.8.5"
source = "sparse+https://index.crates.io/"

[[package]]
name = "smallvec"
version = "1.13.0"
source = "git+https://github.com/servo/rust-smallvec#abc"
"#;
        let lockfile = parse("Cargo.lock", text).expect("parses");
        assert_eq!(lockfile.packages[0].dependencies, vec![2, 3]);
        assert_eq!(
            lockfile.roots,
            Some(vec![
                LockRoot {
                    package: 2,
                    dev: None
                },
                LockRoot {
                    package: 3,
                    dev: None
                }
            ])
        );
        let registry: Vec<bool> = lockfile.packages.iter().map(|p| p.registry).collect();
        assert_eq!(registry, vec![false, true, true, false]);
        assert_eq!(lockfile.packages[2].line, Some(14));
    }
}
