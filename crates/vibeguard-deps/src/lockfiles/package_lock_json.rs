//! npm's `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! Versions 2 and 3 hold a flat `packages` map keyed by install path
//! (`node_modules/a/node_modules/b`, workspace folders, `""` for the root); version 1 holds a
//! nested `dependencies` tree. Direct dependencies resolve as node resolves `require()`: the
//! importer's own `node_modules`, then each parent folder's; each package's own dependencies
//! resolve the same way from its install path, which gives the graph. Entries carry `dev` and
//! `devOptional` flags; `link` entries point at workspace folders, which are the project's own
//! code; `resolved` tells registry tarballs from git and file dependencies.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{LockRoot, LockedPackage, Lockfile, LockfileFormat, Resolution, Resolver};
use crate::ParseError;
use crate::text_position::{JsonMemberSpans, LineIndex};

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
    let spans = JsonMemberSpans::locate(text, 2);
    let lines = LineIndex::new(text);
    let line_of = |section: &str, key: &str| {
        spans
            .get(&[section, key])
            .map(|(start, _)| lines.position(start).0)
    };
    let mut lockfile = match root.get("packages") {
        Some(Value::Object(entries)) => parse_packages(path, entries, &line_of),
        _ => match root.get("dependencies") {
            Some(Value::Object(dependencies)) => parse_v1(path, dependencies, &line_of),
            _ => Lockfile::new(
                path,
                LockfileFormat::PackageLockJson,
                Resolver::NodeModules(NodeModules::default()),
            ),
        },
    };
    lockfile.path = path.to_string();
    Ok(lockfile)
}

/// Sections of a package entry that name what it needs installed (peer dependencies are
/// installed since npm 7).
const RUNTIME_SECTIONS: &[&str] = &["dependencies", "optionalDependencies", "peerDependencies"];

/// Whether a `resolved` value points at a registry tarball (or is absent, as with
/// `--omit-lockfile-registry-resolved`), rather than git, a local file or a folder.
fn is_registry(entry: &Value) -> bool {
    match entry.get("resolved").and_then(Value::as_str) {
        Some(resolved) => resolved.starts_with("http://") || resolved.starts_with("https://"),
        None => true,
    }
}

/// The folder `key` a dependency `name` is looked up from, walking up as node does:
/// `a/node_modules/b` looks in `a/node_modules/b/node_modules`, then `a/node_modules`, then
/// the root's.
fn resolve_from<'a>(
    keys: &'a BTreeMap<String, usize>,
    from: &str,
    name: &str,
) -> Option<(&'a str, usize)> {
    let mut dir = from.trim_matches('/').to_string();
    loop {
        let key = if dir.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{dir}/node_modules/{name}")
        };
        if let Some((found, index)) = keys.get_key_value(&key) {
            return Some((found.as_str(), *index));
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir
            .rsplit_once('/')
            .map_or(String::new(), |(parent, _)| parent.to_string());
    }
}

/// Versions 2 and 3: the flat `packages` map.
fn parse_packages(
    path: &str,
    entries: &serde_json::Map<String, Value>,
    line_of: &dyn Fn(&str, &str) -> Option<u32>,
) -> Lockfile {
    let mut modules = NodeModules::default();
    let mut packages = Vec::new();
    // Install path → package index, for installed registry/git/file packages.
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    for (key, entry) in entries {
        let version = entry
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string);
        let is_link = entry.get("link").and_then(Value::as_bool) == Some(true);
        let Some((_, name)) = key.rsplit_once("node_modules/") else {
            continue;
        };
        modules
            .packages
            .insert(key.clone(), (version.clone(), is_link));
        // A link is a workspace folder, listed again under its own key as an importer.
        if is_link {
            continue;
        }
        let Some(version) = version else {
            continue;
        };
        let real_name = entry
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string();
        let dev = entry.get("dev").and_then(Value::as_bool) == Some(true)
            || entry.get("devOptional").and_then(Value::as_bool) == Some(true);
        let mut package = LockedPackage::new(real_name, version)
            .dev(Some(dev))
            .at_line(line_of("packages", key));
        if !is_registry(entry) {
            package = package.not_registry();
        }
        keys.insert(key.clone(), packages.len());
        packages.push(package);
    }
    let dependency_names = |entry: &Value, sections: &[&str]| -> Vec<String> {
        sections
            .iter()
            .filter_map(|section| entry.get(*section).and_then(Value::as_object))
            .flat_map(|names| names.keys().cloned())
            .collect()
    };
    for (key, &index) in &keys {
        let Some(entry) = entries.get(key) else {
            continue;
        };
        let dependencies = dependency_names(entry, RUNTIME_SECTIONS)
            .iter()
            .filter_map(|name| resolve_from(&keys, key, name).map(|(_, index)| index))
            .collect();
        packages[index].dependencies = dependencies;
    }
    // The root folder and every workspace folder are importers: their declared dependencies
    // are the project's direct ones.
    let mut roots = Vec::new();
    for (key, entry) in entries {
        if key.contains("node_modules/") {
            continue;
        }
        for (sections, dev) in [(RUNTIME_SECTIONS, false), (&["devDependencies"][..], true)] {
            for name in dependency_names(entry, sections) {
                let Some((_, index)) = resolve_from(&keys, key, &name) else {
                    continue;
                };
                roots.push(LockRoot {
                    package: index,
                    dev: Some(dev),
                });
            }
        }
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PackageLockJson,
        Resolver::NodeModules(modules),
    );
    lockfile.packages = packages;
    lockfile.roots = Some(roots);
    lockfile
}

/// Version 1: the nested `dependencies` tree, whose `requires` resolve like node_modules
/// folders (own nested entries first, then each parent's, then the top level).
fn parse_v1(
    path: &str,
    dependencies: &serde_json::Map<String, Value>,
    line_of: &dyn Fn(&str, &str) -> Option<u32>,
) -> Lockfile {
    let mut modules = NodeModules::default();
    let mut packages = Vec::new();
    let mut keys: BTreeMap<String, usize> = BTreeMap::new();
    let mut requires: Vec<(String, Vec<String>)> = Vec::new();
    collect_v1(
        dependencies,
        "",
        &mut modules,
        &mut packages,
        &mut keys,
        &mut requires,
        line_of,
    );
    for (index, (key, names)) in requires.iter().enumerate() {
        packages[index].dependencies = names
            .iter()
            .filter_map(|name| resolve_from(&keys, key, name).map(|(_, index)| index))
            .collect();
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PackageLockJson,
        Resolver::NodeModules(modules),
    );
    lockfile.packages = packages;
    lockfile
}

/// Walks version 1's nested `dependencies` tree under the install path `parent`.
fn collect_v1(
    dependencies: &serde_json::Map<String, Value>,
    parent: &str,
    modules: &mut NodeModules,
    packages: &mut Vec<LockedPackage>,
    keys: &mut BTreeMap<String, usize>,
    requires: &mut Vec<(String, Vec<String>)>,
    line_of: &dyn Fn(&str, &str) -> Option<u32>,
) {
    for (name, entry) in dependencies {
        let Some(version) = entry.get("version").and_then(Value::as_str) else {
            continue;
        };
        // Aliases are written `npm:real@1.2.3` in version 1.
        let (real_name, version) = match version.strip_prefix("npm:") {
            Some(aliased) => match aliased.get(1..).and_then(|rest| rest.find('@')) {
                Some(at) => (aliased[..=at].to_string(), aliased[at + 2..].to_string()),
                None => (name.clone(), aliased.to_string()),
            },
            None => (name.clone(), version.to_string()),
        };
        let key = if parent.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{parent}/node_modules/{name}")
        };
        if parent.is_empty() {
            modules.top_level.insert(name.clone(), version.clone());
        }
        // Git and file dependencies carry their source as the version.
        let registry = !version.contains(':') && !version.contains('/');
        let line = if parent.is_empty() {
            line_of("dependencies", name)
        } else {
            None
        };
        let mut package = LockedPackage::new(real_name, version)
            .dev(Some(
                entry.get("dev").and_then(Value::as_bool) == Some(true),
            ))
            .at_line(line);
        if !registry {
            package = package.not_registry();
        }
        keys.insert(key.clone(), packages.len());
        packages.push(package);
        let names = entry
            .get("requires")
            .and_then(Value::as_object)
            .map(|names| names.keys().cloned().collect())
            .unwrap_or_default();
        requires.push((key.clone(), names));
        if let Some(Value::Object(nested)) = entry.get("dependencies") {
            collect_v1(nested, &key, modules, packages, keys, requires, line_of);
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

    #[test]
    fn records_the_graph_roots_dev_flags_and_lines() {
        let lockfile = parse("package-lock.json", V3).expect("parses");
        let index = |name: &str, version: &str| lockfile.index_of(name, version).expect(name);
        let roots = lockfile.roots.clone().expect("v3 records roots");
        assert_eq!(
            roots,
            vec![LockRoot {
                package: index("express", "4.18.2"),
                dev: Some(false)
            }]
        );
        assert_eq!(lockfile.packages[index("express", "4.18.2")].line, Some(5));
        let v2 = r#"{"lockfileVersion": 2, "packages": {
            "": {"dependencies": {"a": "^1"}, "devDependencies": {"t": "^1"}},
            "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^1"}, "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz"},
            "node_modules/a/node_modules/b": {"version": "1.5.0"},
            "node_modules/b": {"version": "2.0.0"},
            "node_modules/t": {"version": "1.0.0", "dev": true, "dependencies": {"b": "^2"}},
            "node_modules/g": {"version": "1.0.0", "resolved": "git+ssh://git@github.com/x/g.git#abc"}
        }}"#;
        let lockfile = parse("package-lock.json", v2).expect("parses");
        let index = |name: &str, version: &str| lockfile.index_of(name, version).expect(name);
        assert_eq!(
            lockfile.packages[index("a", "1.0.0")].dependencies,
            vec![index("b", "1.5.0")]
        );
        assert_eq!(
            lockfile.packages[index("t", "1.0.0")].dependencies,
            vec![index("b", "2.0.0")]
        );
        assert_eq!(lockfile.packages[index("t", "1.0.0")].dev, Some(true));
        assert!(!lockfile.packages[index("g", "1.0.0")].registry);
        assert_eq!(
            lockfile.roots.clone().expect("roots"),
            vec![
                LockRoot {
                    package: index("a", "1.0.0"),
                    dev: Some(false)
                },
                LockRoot {
                    package: index("t", "1.0.0"),
                    dev: Some(true)
                },
            ]
        );
    }

    #[test]
    fn version_1_requires_resolve_through_nesting() {
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {
            "a": {"version": "1.0.0", "requires": {"b": "^1"}, "dependencies": {"b": {"version": "1.5.0"}}},
            "b": {"version": "2.0.0", "dev": true},
            "c": {"version": "1.0.0", "requires": {"b": "^2"}},
            "g": {"version": "github:x/g#abc"},
            "bundled": {"version": "1.0.0", "resolved": false, "bundled": true}
        }}"#;
        let lockfile = parse("package-lock.json", v1).expect("parses");
        let index = |name: &str, version: &str| lockfile.index_of(name, version).expect(name);
        assert_eq!(
            lockfile.packages[index("a", "1.0.0")].dependencies,
            vec![index("b", "1.5.0")]
        );
        assert_eq!(
            lockfile.packages[index("c", "1.0.0")].dependencies,
            vec![index("b", "2.0.0")]
        );
        assert_eq!(lockfile.packages[index("b", "2.0.0")].dev, Some(true));
        assert!(!lockfile.packages[index("g", "github:x/g#abc")].registry);
        assert!(lockfile.packages[index("bundled", "1.0.0")].registry);
        assert_eq!(lockfile.roots, None);
    }
}
