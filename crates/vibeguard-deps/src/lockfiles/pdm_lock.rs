//! PDM's `pdm.lock`: `[[package]]` tables with `name`, `version`, `groups` (`default` is
//! production; any other group is development) and `dependencies` as PEP 508 strings.

use serde::Deserialize;

use super::{
    LockedPackage, Lockfile, LockfileFormat, NameIndex, Resolver, python_name, toml_package_lines,
};
use crate::ParseError;
use crate::manifests::pep508;

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
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    git: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Parses a pdm.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let document: Document =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let lines = toml_package_lines(text);
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PdmLock,
        Resolver::ByName { python_names: true },
    );
    for (index, package) in document.package.iter().enumerate() {
        let dev = package
            .groups
            .as_ref()
            .map(|groups| !groups.iter().any(|group| group == "default"));
        let mut locked =
            LockedPackage::new(&package.name, package.version.clone().unwrap_or_default())
                .dev(dev)
                .at_line(lines.get(index).copied().filter(|&line| line > 0));
        if package.git.is_some() || package.path.is_some() || package.url.is_some() {
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
                .iter()
                .filter_map(|requirement| pep508::parse(requirement))
                .filter_map(|parsed| {
                    names.find(&lockfile.packages, &python_name(&parsed.name), None)
                })
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

    #[test]
    fn reads_groups_and_pep508_dependencies() {
        let text = r#"[metadata]
groups = ["default", "dev"]

[[package]]
name = "flask"
version = "3.0.0"
groups = ["default"]
dependencies = ["Werkzeug>=3.0.0", "click>=8.1.3; python_version >= \"3.8\""]

[[package]]
name = "werkzeug"
version = "3.0.1"
groups = ["default"]

[[package]]
name = "pytest"
version = "8.0.0"
groups = ["dev"]
"#;
        let lockfile = parse("pdm.lock", text).expect("parses");
        assert_eq!(lockfile.packages[0].dependencies, vec![1]);
        assert_eq!(lockfile.packages[2].dev, Some(true));
        assert_eq!(lockfile.packages[0].dev, Some(false));
        assert_eq!(lockfile.packages[0].line, Some(5));
    }
}
