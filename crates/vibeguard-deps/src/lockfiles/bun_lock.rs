//! Bun's text lockfile `bun.lock`: JSON with trailing commas. `workspaces` maps each importer
//! folder to the specs it declared; `packages` maps each install path to
//! `["name@version", registry, info, integrity]`, where `info` lists the package's own
//! dependencies; a nested install path (`debug/ms`) is a copy installed under its parent.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{ImporterEntry, LockRoot, LockedPackage, Lockfile, LockfileFormat, Resolver};
use crate::ParseError;

const SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies"];

/// Parses a bun.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let json = strip_trailing_commas(text);
    let value: Value = serde_json::from_str(&json).map_err(|e| ParseError::from_json(path, &e))?;
    if !value.is_object() {
        return Err(ParseError::new(path, "the top level is not a JSON object"));
    }
    let packages_map = value.get("packages").and_then(Value::as_object);
    // Each entry starts with its `name@version` descriptor; other protocols (`workspace:`,
    // `github:`, `file:`) are not registry versions.
    let descriptor_of = |install_path: &str| -> Option<(String, String)> {
        let entry = packages_map?.get(install_path)?.as_array()?;
        let descriptor = entry.first()?.as_str()?;
        let at = descriptor.get(1..)?.find('@')? + 1;
        let version = &descriptor[at + 1..];
        (!version.contains(':')).then(|| (descriptor[..at].to_string(), version.to_string()))
    };
    let version_of = |install_path: &str| descriptor_of(install_path).map(|(_, version)| version);

    let mut lines = super::LineCursor::new(text);
    let mut packages = Vec::new();
    let mut paths: BTreeMap<String, usize> = BTreeMap::new();
    for install_path in packages_map.into_iter().flatten().map(|(key, _)| key) {
        let Some((name, version)) = descriptor_of(install_path) else {
            continue;
        };
        let line = lines.find(&format!("\"{install_path}\": ["));
        paths.insert(install_path.clone(), packages.len());
        packages.push(LockedPackage::new(name, version).at_line(line));
    }
    for (install_path, &index) in &paths {
        let Some(info) = packages_map
            .and_then(|map| map.get(install_path))
            .and_then(Value::as_array)
            .and_then(|entry| entry.iter().find(|part| part.is_object()))
        else {
            continue;
        };
        let dependencies = ["dependencies", "optionalDependencies", "peerDependencies"]
            .iter()
            .filter_map(|section| info.get(*section).and_then(Value::as_object))
            .flat_map(|names| names.keys())
            .filter_map(|name| resolve_from(&paths, install_path, name))
            .collect();
        packages[index].dependencies = dependencies;
    }

    let mut importers = BTreeMap::new();
    let mut roots = Vec::new();
    if let Some(Value::Object(workspaces)) = value.get("workspaces") {
        for (folder, workspace) in workspaces {
            let workspace_name = workspace.get("name").and_then(Value::as_str).unwrap_or("");
            let mut entries = BTreeMap::new();
            for section in SECTIONS {
                let Some(Value::Object(dependencies)) = workspace.get(*section) else {
                    continue;
                };
                for (name, spec) in dependencies {
                    let nested = if folder.is_empty() || workspace_name.is_empty() {
                        None
                    } else {
                        paths.get(&format!("{workspace_name}/{name}")).copied()
                    };
                    let installed = nested.or_else(|| paths.get(name).copied());
                    if let Some(package) = installed {
                        roots.push(LockRoot {
                            package,
                            dev: Some(*section == "devDependencies"),
                        });
                    }
                    entries.insert(
                        name.clone(),
                        ImporterEntry {
                            specifier: spec.as_str().map(str::to_string),
                            version: version_of(format!("{folder}/{name}").trim_start_matches('/'))
                                .or_else(|| version_of(name)),
                        },
                    );
                }
            }
            importers.insert(folder.clone(), entries);
        }
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::BunLock,
        Resolver::Importers(importers),
    );
    lockfile.packages = packages;
    lockfile.roots = Some(roots);
    Ok(lockfile)
}

/// Splits an install path (`a/@s/b/c`) into the package names along it (`a`, `@s/b`, `c`).
fn path_names(install_path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = install_path;
    while !rest.is_empty() {
        let end = if rest.starts_with('@') {
            rest.match_indices('/')
                .nth(1)
                .map_or(rest.len(), |(at, _)| at)
        } else {
            rest.find('/').unwrap_or(rest.len())
        };
        names.push(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or("");
    }
    names
}

/// Finds `name` as bun installs it from the package at `from`: nested under it, then under
/// each ancestor, then at the top level.
fn resolve_from(paths: &BTreeMap<String, usize>, from: &str, name: &str) -> Option<usize> {
    let mut ancestors = path_names(from);
    loop {
        let key = if ancestors.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", ancestors.join("/"))
        };
        if let Some(index) = paths.get(&key) {
            return Some(*index);
        }
        ancestors.pop()?;
    }
}

/// Removes commas that directly precede `}` or `]` outside strings, turning bun's JSONC into
/// JSON. Comments are not part of bun.lock and are left to the JSON parser to reject.
fn strip_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut pending_comma: Option<String> = None;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if let Some(buffer) = &mut pending_comma {
            if c.is_whitespace() {
                buffer.push(c);
                continue;
            }
            let buffer = pending_comma.take().unwrap_or_default();
            if c == '}' || c == ']' {
                out.push_str(&buffer[1..]);
            } else {
                out.push_str(&buffer);
            }
        }
        match c {
            ',' => pending_comma = Some(",".to_string()),
            '"' => {
                in_string = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    if let Some(buffer) = pending_comma {
        out.push_str(&buffer);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfiles::Resolution;
    use crate::manifests::package_json;

    #[test]
    fn reads_workspaces_and_packages() {
        let text = r#"{
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": { "express": "^4.18.2", },
    },
  },
  "packages": {
    "express": ["express@4.18.2", "", {}, "sha512-x"],
    "@types/node": ["@types/node@20.11.0", "", {}, "sha512-y"],
  },
}"#;
        let lockfile = parse("bun.lock", text).expect("parses");
        let express = package_json::parse(
            "package.json",
            r#"{"dependencies": {"express": "^4.18.2"}}"#,
        )
        .expect("parses")
        .dependencies
        .remove(0);
        assert_eq!(
            lockfile.resolve("", &express),
            Resolution::Locked("4.18.2".into())
        );
        assert!(
            lockfile
                .packages
                .iter()
                .any(|p| p.name == "@types/node" && p.version == "20.11.0")
        );
        assert_eq!(
            strip_trailing_commas(r#"{"a": "x,]", "b": [1,2,],}"#),
            r#"{"a": "x,]", "b": [1,2]}"#
        );
    }

    #[test]
    fn nested_install_paths_resolve_like_node_modules() {
        let text = r#"{
  "lockfileVersion": 1,
  "workspaces": { "": { "dependencies": { "debug": "^2" }, "devDependencies": { "ms": "^2" } } },
  "packages": {
    "debug": ["debug@2.6.9", "", { "dependencies": { "ms": "2.0.0" } }, "sha512-a"],
    "debug/ms": ["ms@2.0.0", "", {}, "sha512-b"],
    "ms": ["ms@2.1.3", "", {}, "sha512-c"],
    "@s/x": ["@s/x@1.0.0", "", { "dependencies": { "ms": "^2" } }, "sha512-d"],
    "g": ["g@github:x/g#abc", {}, "abc"],
  },
}"#;
        let lockfile = parse("bun.lock", text).expect("parses");
        let index = |name: &str, version: &str| lockfile.index_of(name, version).expect(name);
        assert_eq!(
            lockfile.packages[index("debug", "2.6.9")].dependencies,
            vec![index("ms", "2.0.0")]
        );
        assert_eq!(
            lockfile.packages[index("@s/x", "1.0.0")].dependencies,
            vec![index("ms", "2.1.3")]
        );
        assert_eq!(lockfile.packages[index("debug", "2.6.9")].line, Some(5));
        assert_eq!(
            lockfile.roots.clone().expect("workspaces are roots"),
            vec![
                LockRoot {
                    package: index("debug", "2.6.9"),
                    dev: Some(false)
                },
                LockRoot {
                    package: index("ms", "2.1.3"),
                    dev: Some(true)
                },
            ]
        );
        assert_eq!(path_names("a/@s/b/c"), vec!["a", "@s/b", "c"]);
        assert!(lockfile.index_of("g", "github:x/g#abc").is_none());
    }
}
