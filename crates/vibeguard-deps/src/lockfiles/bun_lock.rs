//! Bun's text lockfile `bun.lock`: JSON with trailing commas. `workspaces` maps each importer
//! folder to the specs it declared; `packages` maps each install path to
//! `["name@version", registry, info, integrity]`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{ImporterEntry, LockedPackage, Lockfile, LockfileFormat, Resolver};
use crate::ParseError;

const SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies"];

/// Parses a bun.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let json = strip_trailing_commas(text);
    let value: Value = serde_json::from_str(&json).map_err(|e| ParseError::from_json(path, &e))?;
    let packages_map = value.get("packages").and_then(Value::as_object);
    // Each entry starts with its `name@version` descriptor.
    let descriptor_of = |install_path: &str| -> Option<(String, String)> {
        let entry = packages_map?.get(install_path)?.as_array()?;
        let descriptor = entry.first()?.as_str()?;
        let at = descriptor.get(1..)?.find('@')? + 1;
        let version = &descriptor[at + 1..];
        (!version.contains(':')).then(|| (descriptor[..at].to_string(), version.to_string()))
    };
    let version_of = |install_path: &str| descriptor_of(install_path).map(|(_, version)| version);

    let mut importers = BTreeMap::new();
    if let Some(Value::Object(workspaces)) = value.get("workspaces") {
        for (folder, workspace) in workspaces {
            let mut entries = BTreeMap::new();
            for section in SECTIONS {
                let Some(Value::Object(dependencies)) = workspace.get(*section) else {
                    continue;
                };
                for (name, spec) in dependencies {
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
    let packages = packages_map
        .into_iter()
        .flatten()
        .filter_map(|(install_path, _)| {
            let (name, version) = descriptor_of(install_path)?;
            Some(LockedPackage { name, version })
        })
        .collect();
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::BunLock,
        Resolver::Importers(importers),
    );
    lockfile.packages = packages;
    Ok(lockfile)
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
}
