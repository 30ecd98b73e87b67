//! Cargo's `Cargo.lock` (format versions 1–4): `[[package]]` tables with `name` and `version`.

use serde::Deserialize;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolver};
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
}

/// Parses a Cargo.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let document: CargoLock =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::CargoLock,
        Resolver::ByName {
            python_names: false,
        },
    );
    lockfile.packages = document
        .package
        .into_iter()
        .map(|package| LockedPackage {
            name: package.name,
            version: package.version,
        })
        .collect();
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
}
