//! npm's `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! Versions 2 and 3 hold a flat `packages` map keyed by install path
//! (`node_modules/a/node_modules/b`, workspace folders, `""` for the root); version 1 holds a
//! nested `dependencies` tree. Direct dependencies resolve as node resolves `require()`: the
//! importer's own `node_modules`, then each parent folder's.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolution, Resolver};
use crate::ParseError;

/// The install tree of a package-lock.
#[derive(Debug, Clone, Default)]
pub struct NodeModules {
    /// v2/v3: install path → (version, is a link to a workspace folder).
    packages: BTreeMap<String, (Option<String>, bool)>,
    /// v1: top-level (hoisted) name → version.
    top_level: BTreeMap<String, String>,
}

impl NodeModules {
    /// Resolves `name` from the folder `importer` (relative to the lockfile).
    pub fn resolve(&self, importer: &str, name: &str) -> Resolution {
        if self.packages.is_empty() {
            return match self.top_level.get(name) {
                Some(version) => Resolution::Locked(version.clone()),
                None => Resolution::Missing,
            };
        }
        let mut dir = importer.trim_matches('/').to_string();
        loop {
            let key = if dir.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{dir}/node_modules/{name}")
            };
            if let Some((version, is_link)) = self.packages.get(&key) {
                return match (version, is_link) {
                    (_, true) | (None, _) => Resolution::Unknown,
                    (Some(version), false) => Resolution::Locked(version.clone()),
                };
            }
            if dir.is_empty() {
                return Resolution::Missing;
            }
            dir = dir
                .rsplit_once('/')
                .map_or(String::new(), |(parent, _)| parent.to_string());
        }
    }
}

/// Parses a package-lock.json or npm-shrinkwrap.json.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::from_json(path, &e))?;
    let Value::Object(root) = value else {
        return Err(ParseError::new(path, "the top level is not a JSON object"));
    };
    let lockfile_version = root
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    if !(1..=3).contains(&lockfile_version) {
        return Err(ParseError::new(
            path,
            format!("lockfileVersion {lockfile_version} is not one vibeguard reads (1, 2 or 3)"),
        ));
    }
    let mut modules = NodeModules::default();
    let mut packages = Vec::new();

    if let Some(Value::Object(entries)) = root.get("packages") {
        for (key, entry) in entries {
            let version = entry
                .get("version")
                .and_then(Value::as_str)
                .map(str::to_string);
            let is_link = entry.get("link").and_then(Value::as_bool) == Some(true);
            if let Some((_, name)) = key.rsplit_once("node_modules/") {
                if !is_link && let Some(version) = &version {
                    let real_name = entry
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or(name)
                        .to_string();
                    packages.push(LockedPackage {
                        name: real_name,
                        version: version.clone(),
                    });
                }
                modules.packages.insert(key.clone(), (version, is_link));
            }
        }
    } else if let Some(Value::Object(dependencies)) = root.get("dependencies") {
        collect_v1(dependencies, true, &mut modules, &mut packages);
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PackageLockJson,
        Resolver::NodeModules(modules),
    );
    lockfile.packages = packages;
    Ok(lockfile)
}

/// Walks version 1's nested `dependencies` tree.
fn collect_v1(
    dependencies: &serde_json::Map<String, Value>,
    top_level: bool,
    modules: &mut NodeModules,
    packages: &mut Vec<LockedPackage>,
) {
    for (name, entry) in dependencies {
        let Some(version) = entry.get("version").and_then(Value::as_str) else {
            continue;
        };
        // Aliases are written `npm:real@1.2.3` in version 1.
        let (real_name, version) = match version.strip_prefix("npm:") {
            Some(aliased) => match aliased[1..].find('@') {
                Some(at) => (aliased[..=at].to_string(), aliased[at + 2..].to_string()),
                None => (name.clone(), aliased.to_string()),
            },
            None => (name.clone(), version.to_string()),
        };
        if top_level {
            modules.top_level.insert(name.clone(), version.clone());
        }
        packages.push(LockedPackage {
            name: real_name,
            version,
        });
        if let Some(Value::Object(nested)) = entry.get("dependencies") {
            collect_v1(nested, false, modules, packages);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &str = r#"{
  "name": "app", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": { "name": "app", "workspaces": ["packages/*"], "dependencies": { "express": "^4.18.2" } },
    "node_modules/express": { "version": "4.18.2" },
    "node_modules/ms": { "version": "2.1.3" },
    "node_modules/debug/node_modules/ms": { "version": "2.0.0" },
    "node_modules/api": { "resolved": "packages/api", "link": true },
    "packages/api": { "name": "api", "version": "1.0.0" },
    "packages/api/node_modules/ms": { "version": "3.0.0-canary.1" },
    "node_modules/old": { "name": "lodash", "version": "4.17.21" }
  }
}"#;

    #[test]
    fn resolves_like_node_from_each_importer() {
        let lockfile = parse("package-lock.json", V3).expect("parses");
        let Resolver::NodeModules(modules) = &lockfile.resolver else {
            panic!("package-lock resolves through node_modules");
        };
        assert_eq!(
            modules.resolve("", "express"),
            Resolution::Locked("4.18.2".into())
        );
        assert_eq!(
            modules.resolve("packages/api", "ms"),
            Resolution::Locked("3.0.0-canary.1".into())
        );
        assert_eq!(
            modules.resolve("packages/api", "express"),
            Resolution::Locked("4.18.2".into())
        );
        assert_eq!(modules.resolve("", "api"), Resolution::Unknown);
        assert_eq!(modules.resolve("", "left-pad"), Resolution::Missing);
        assert!(
            lockfile
                .packages
                .iter()
                .any(|p| p.name == "lodash" && p.version == "4.17.21")
        );
    }

    #[test]
    fn reads_version_1_trees_and_aliases() {
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {
            "express": {"version": "4.17.1", "dependencies": {"ms": {"version": "2.0.0"}}},
            "alias": {"version": "npm:@scope/real@1.2.3"}
        }}"#;
        let lockfile = parse("package-lock.json", v1).expect("parses");
        let Resolver::NodeModules(modules) = &lockfile.resolver else {
            panic!("package-lock resolves through node_modules");
        };
        assert_eq!(
            modules.resolve("", "express"),
            Resolution::Locked("4.17.1".into())
        );
        assert_eq!(modules.resolve("", "ms"), Resolution::Missing);
        assert!(
            lockfile
                .packages
                .iter()
                .any(|p| p.name == "@scope/real" && p.version == "1.2.3")
        );
    }

    #[test]
    fn rejects_unknown_versions_and_bad_json() {
        assert!(parse("package-lock.json", r#"{"lockfileVersion": 7}"#).is_err());
        assert!(parse("package-lock.json", "{").is_err());
    }
}
