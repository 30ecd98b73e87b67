//! pnpm's `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! Each importer (the root `.` and every workspace package) records, per direct dependency, the
//! spec it was locked for and the resolved version: v5 in parallel `specifiers` and
//! `dependencies` maps, v6 and v9 as `{specifier, version}`. Single-package v5/v6 lockfiles put
//! the root importer's maps at the top level. A specifier that differs from package.json means
//! the lockfile is stale (pnpm refuses `--frozen-lockfile` installs for the same reason).
//! The importers are the graph's roots (their `devDependencies` the development ones); each
//! package's dependencies are in `packages` (v5, v6, which also flag `dev`) or `snapshots` (v9).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    ImporterEntry, LockRoot, LockedPackage, Lockfile, LockfileFormat, Resolver, scalar_text,
};
use crate::ParseError;

const SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies"];

/// Parses a pnpm-lock.yaml.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let document: Map<String, Value> =
        serde_saphyr::from_str(text).map_err(|e| ParseError::from_yaml(path, &e))?;
    let version = document
        .get("lockfileVersion")
        .and_then(scalar_text)
        .ok_or_else(|| ParseError::new(path, "no `lockfileVersion`"))?;
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| ParseError::new(path, format!("unreadable lockfileVersion `{version}`")))?;
    if !(5..=9).contains(&major) {
        return Err(ParseError::new(
            path,
            format!("lockfileVersion {version} is not one vibeguard reads (5, 6 or 9)"),
        ));
    }

    let mut importers = BTreeMap::new();
    match document.get("importers") {
        Some(Value::Object(entries)) => {
            for (folder, importer) in entries {
                if let Value::Object(importer) = importer {
                    let folder = if folder == "." { "" } else { folder.as_str() };
                    importers.insert(folder.to_string(), importer_entries(importer));
                }
            }
        }
        _ => {
            importers.insert(String::new(), importer_entries(&document));
        }
    }

    // (name, version) → package index; peer-dependency variants of one version are one package.
    let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut packages: Vec<LockedPackage> = Vec::new();
    let mut lines = super::LineCursor::new(text);
    if let Some(Value::Object(entries)) = document.get("packages") {
        for (key, entry) in entries {
            let Some(package) = package_from_key(key, major) else {
                continue;
            };
            let id = (package.name.clone(), package.version.clone());
            if index.contains_key(&id) {
                continue;
            }
            let dev = entry.get("dev").and_then(Value::as_bool);
            // Registry packages carry an integrity hash; tarballs, git repositories and
            // folders carry a `tarball`, `repo` or `directory` instead.
            let registry = entry
                .get("resolution")
                .is_none_or(|resolution| resolution.get("integrity").is_some());
            let line = lines.find_key(key);
            let mut package = package.dev(dev).at_line(line);
            if !registry {
                package = package.not_registry();
            }
            index.insert(id, packages.len());
            packages.push(package);
        }
    }
    // v5/v6 list each package's dependencies in `packages`; v9 moved them to `snapshots`.
    let graph_section = if major >= 9 { "snapshots" } else { "packages" };
    if let Some(Value::Object(entries)) = document.get(graph_section) {
        for (key, entry) in entries {
            let Some(from) = package_from_key(key, major)
                .and_then(|package| index.get(&(package.name, package.version)).copied())
            else {
                continue;
            };
            for section in ["dependencies", "optionalDependencies"] {
                let Some(Value::Object(dependencies)) = entry.get(section) else {
                    continue;
                };
                for (name, reference) in dependencies {
                    let Some(target) = scalar_text(reference)
                        .and_then(|reference| reference_id(name, &reference))
                        .and_then(|id| index.get(&id).copied())
                    else {
                        continue;
                    };
                    if !packages[from].dependencies.contains(&target) {
                        packages[from].dependencies.push(target);
                    }
                }
            }
        }
    }
    let mut roots = Vec::new();
    let importer_maps: Vec<&Map<String, Value>> = match document.get("importers") {
        Some(Value::Object(entries)) => entries.values().filter_map(Value::as_object).collect(),
        _ => vec![&document],
    };
    for importer in importer_maps {
        for section in SECTIONS {
            let Some(Value::Object(dependencies)) = importer.get(*section) else {
                continue;
            };
            for (name, value) in dependencies {
                let reference = match value {
                    Value::Object(entry) => entry.get("version").and_then(scalar_text),
                    other => scalar_text(other),
                };
                if let Some(package) = reference
                    .and_then(|reference| reference_id(name, &reference))
                    .and_then(|id| index.get(&id).copied())
                {
                    roots.push(LockRoot {
                        package,
                        dev: Some(*section == "devDependencies"),
                    });
                }
            }
        }
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PnpmLockYaml,
        Resolver::Importers(importers),
    );
    lockfile.packages = packages;
    lockfile.roots = Some(roots);
    Ok(lockfile)
}

/// The package a dependency reference points at: `4.18.2(peer@1)` under its own name, or an
/// alias `lodash@4.18.1`; links and tarballs point at no registry package.
fn reference_id(name: &str, reference: &str) -> Option<(String, String)> {
    let bare = reference.split('(').next().unwrap_or(reference);
    let version = registry_version(reference)?;
    match bare.get(1..).and_then(|rest| rest.rfind('@')) {
        Some(at) => Some((bare[..=at].to_string(), version)),
        None => Some((name.to_string(), version)),
    }
}

fn importer_entries(importer: &Map<String, Value>) -> BTreeMap<String, ImporterEntry> {
    let specifiers = importer.get("specifiers").and_then(Value::as_object);
    let mut entries = BTreeMap::new();
    for section in SECTIONS {
        let Some(Value::Object(dependencies)) = importer.get(*section) else {
            continue;
        };
        for (name, value) in dependencies {
            let (specifier, version) = match value {
                Value::Object(entry) => (
                    entry.get("specifier").and_then(scalar_text),
                    entry.get("version").and_then(scalar_text),
                ),
                other => (
                    specifiers.and_then(|s| s.get(name)).and_then(scalar_text),
                    scalar_text(other),
                ),
            };
            entries.insert(
                name.clone(),
                ImporterEntry {
                    specifier,
                    version: version.and_then(|v| registry_version(&v)),
                },
            );
        }
    }
    entries
}

/// `4.18.2(react@18.2.0)` (v6+) or `4.18.2_react@18.2.0` (v5) → `4.18.2`; an alias resolves to
/// `lodash@4.18.1` → `4.18.1`; links and tarballs have no registry version.
fn registry_version(version: &str) -> Option<String> {
    if version.contains(':') || version.starts_with('/') {
        return None;
    }
    let version = version.split('(').next().unwrap_or(version);
    let version = version.split('_').next().unwrap_or(version);
    let version = match version.get(1..).and_then(|rest| rest.rfind('@')) {
        Some(at) => &version[at + 2..],
        None => version,
    };
    Some(version.to_string())
}

/// Package keys: `name@1.2.3` (v9), `/name@1.2.3(peer)` (v6), `/name/1.2.3_peer` (v5).
fn package_from_key(key: &str, major: u32) -> Option<LockedPackage> {
    let key = key.trim_start_matches('/');
    let (name, version) = if major >= 6 {
        let at = key.get(1..)?.find('@')? + 1;
        (&key[..at], &key[at + 1..])
    } else {
        let slash = key.rfind('/')?;
        (&key[..slash], &key[slash + 1..])
    };
    Some(LockedPackage::new(name, registry_version(version)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfiles::Resolution;
    use crate::manifests::package_json;

    fn dependency(name: &str, spec: &str) -> crate::manifests::DeclaredDependency {
        let text = format!(r#"{{"dependencies": {{"{name}": "{spec}"}}}}"#);
        package_json::parse("package.json", &text)
            .expect("parses")
            .dependencies
            .remove(0)
    }

    #[test]
    fn version_9_importers() {
        let text = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      express:\n        specifier: ^4.18.2\n        version: 4.18.2\n  packages/api:\n    devDependencies:\n      react:\n        specifier: ^18.2.0\n        version: 18.2.0(scheduler@0.23.0)\n\npackages:\n\n  express@4.18.2:\n    resolution: {integrity: sha512-x}\n  '@types/node@20.11.0':\n    resolution: {integrity: sha512-y}\n";
        let lockfile = parse("pnpm-lock.yaml", text).expect("parses");
        assert_eq!(
            lockfile.resolve("", &dependency("express", "^4.18.2")),
            Resolution::Locked("4.18.2".into())
        );
        assert_eq!(
            lockfile.resolve("", &dependency("express", "^4.19.0")),
            Resolution::Stale {
                locked_requirement: "^4.18.2".into()
            }
        );
        assert_eq!(
            lockfile.resolve("packages/api", &dependency("react", "^18.2.0")),
            Resolution::Locked("18.2.0".into())
        );
        assert_eq!(
            lockfile.resolve("", &dependency("lodash", "^4")),
            Resolution::Missing
        );
        let names: Vec<(&str, &str)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![("@types/node", "20.11.0"), ("express", "4.18.2")]
        );
    }

    #[test]
    fn version_5_and_6_top_level_maps() {
        let v5 = "lockfileVersion: 5.4\nspecifiers:\n  express: ^4.18.2\ndependencies:\n  express: 4.18.2\npackages:\n  /express/4.18.2:\n    dev: false\n  /@babel/core/7.23.0_supports-color@5.5.0:\n    dev: true\n";
        let lockfile = parse("pnpm-lock.yaml", v5).expect("parses");
        assert_eq!(
            lockfile.resolve("", &dependency("express", "^4.18.2")),
            Resolution::Locked("4.18.2".into())
        );
        assert!(
            lockfile
                .packages
                .iter()
                .any(|p| p.name == "@babel/core" && p.version == "7.23.0")
        );
        let v6 = "lockfileVersion: '6.0'\ndependencies:\n  express:\n    specifier: ^4.18.2\n    version: 4.18.2\npackages:\n  /express@4.18.2:\n    dev: false\n";
        let lockfile = parse("pnpm-lock.yaml", v6).expect("parses");
        assert_eq!(
            lockfile.resolve("", &dependency("express", "^4.18.2")),
            Resolution::Locked("4.18.2".into())
        );
    }

    #[test]
    fn rejects_unknown_versions_and_bad_yaml() {
        assert!(parse("pnpm-lock.yaml", "lockfileVersion: '3.0'\n").is_err());
        assert!(parse("pnpm-lock.yaml", "packages: [\n").is_err());
        assert!(parse("pnpm-lock.yaml", "importers: {}\n").is_err());
    }

    #[test]
    fn records_the_graph_from_snapshots_and_packages() {
        let v9 = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0(react@18.2.0)\n      alias:\n        specifier: npm:lodash@^4\n        version: lodash@4.17.21\n    devDependencies:\n      t:\n        specifier: ^1\n        version: 1.0.0\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-a}\n  b@2.0.0:\n    resolution: {integrity: sha512-b}\n  lodash@4.17.21:\n    resolution: {integrity: sha512-l}\n  t@1.0.0:\n    resolution: {integrity: sha512-t}\n  g@1.0.0:\n    resolution: {tarball: https://example.com/g.tgz}\nsnapshots:\n  a@1.0.0(react@18.2.0):\n    dependencies:\n      b: 2.0.0\n  b@2.0.0: {}\n  lodash@4.17.21: {}\n  t@1.0.0:\n    dependencies:\n      b: 2.0.0\n";
        let lockfile = parse("pnpm-lock.yaml", v9).expect("parses");
        let index = |name: &str| {
            lockfile
                .index_of(
                    name,
                    match name {
                        "b" => "2.0.0",
                        "lodash" => "4.17.21",
                        _ => "1.0.0",
                    },
                )
                .expect(name)
        };
        assert_eq!(lockfile.packages[index("a")].dependencies, vec![index("b")]);
        assert_eq!(lockfile.packages[index("t")].dependencies, vec![index("b")]);
        assert!(!lockfile.packages[index("g")].registry);
        assert_eq!(lockfile.packages[index("a")].line, Some(16));
        assert_eq!(
            lockfile.roots.clone().expect("importers are roots"),
            vec![
                LockRoot {
                    package: index("a"),
                    dev: Some(false)
                },
                LockRoot {
                    package: index("lodash"),
                    dev: Some(false)
                },
                LockRoot {
                    package: index("t"),
                    dev: Some(true)
                },
            ]
        );
        let v6 = "lockfileVersion: '6.0'\ndependencies:\n  a:\n    specifier: ^1.0.0\n    version: 1.0.0\npackages:\n  /a@1.0.0:\n    resolution: {integrity: sha512-a}\n    dependencies:\n      b: 2.0.0\n    dev: false\n  /b@2.0.0:\n    resolution: {integrity: sha512-b}\n    dev: true\n";
        let lockfile = parse("pnpm-lock.yaml", v6).expect("parses");
        assert_eq!(lockfile.packages[0].dependencies, vec![1]);
        assert_eq!(lockfile.packages[1].dev, Some(true));
        assert_eq!(lockfile.packages[0].dev, Some(false));
    }
}
