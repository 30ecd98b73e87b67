//! `yarn.lock`, classic (v1, yarn's own indented format) and Berry (v2+, YAML with a
//! `__metadata` entry). Entries are keyed by the descriptors (`name@range`) that resolved to
//! them, so a direct dependency resolves by looking up the exact descriptor package.json implies;
//! a changed range has no entry until yarn re-locks.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolution, Resolver, scalar_text};
use crate::ParseError;
use crate::manifests::{DeclaredDependency, DependencySource};

/// Descriptor → locked version, and name → descriptors (to report what range was locked).
#[derive(Debug, Clone, Default)]
pub struct Descriptors {
    /// Berry prefixes registry ranges with `npm:` in its keys.
    berry: bool,
    versions: BTreeMap<String, String>,
    by_name: BTreeMap<String, Vec<String>>,
}

impl Descriptors {
    fn insert(&mut self, descriptor: &str, version: &str) {
        let descriptor = descriptor.trim().trim_matches('"');
        if let Some((name, range)) = split_descriptor(descriptor) {
            self.by_name
                .entry(name.to_string())
                .or_default()
                .push(range.to_string());
        }
        self.versions
            .insert(descriptor.to_string(), version.to_string());
    }

    /// Resolves a declared dependency through its descriptor.
    pub fn resolve(&self, dependency: &DeclaredDependency) -> Resolution {
        let spec = match &dependency.source {
            DependencySource::Alias { package } => {
                format!("npm:{package}@{}", dependency.requirement)
            }
            _ => dependency.requirement.clone(),
        };
        let mut candidates = vec![format!("{}@{spec}", dependency.name)];
        if self.berry && !spec.contains(':') {
            candidates.insert(0, format!("{}@npm:{spec}", dependency.name));
        }
        if let Some(version) = candidates.iter().find_map(|d| self.versions.get(d)) {
            return Resolution::Locked(version.clone());
        }
        match self.by_name.get(&dependency.name) {
            Some(ranges) => Resolution::Stale {
                locked_requirement: ranges.join(", "),
            },
            None => Resolution::Missing,
        }
    }
}

/// Splits `name@range` where name may be scoped (`@scope/name@range`).
fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let at = descriptor.get(1..)?.find('@')? + 1;
    Some((&descriptor[..at], &descriptor[at + 1..]))
}

/// Parses a yarn.lock of either generation.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    if text.lines().any(|line| line.starts_with("__metadata:")) {
        parse_berry(path, text)
    } else {
        parse_classic(path, text)
    }
}

fn parse_classic(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let mut descriptors = Descriptors::default();
    let mut packages = Vec::new();
    let mut keys: Option<(u32, Vec<String>)> = None;
    let mut version: Option<String> = None;
    let mut finish = |keys: &mut Option<(u32, Vec<String>)>, version: &mut Option<String>| {
        if let Some((line, entry_keys)) = keys.take() {
            let Some(version) = version.take() else {
                return Err(ParseError::at_line(path, line, "entry has no `version`"));
            };
            for key in &entry_keys {
                descriptors.insert(key, &version);
            }
            if let Some((name, _)) = entry_keys.first().and_then(|k| split_descriptor(k)) {
                packages.push(LockedPackage {
                    name: name.to_string(),
                    version,
                });
            }
        }
        Ok(())
    };
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        if line.is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            finish(&mut keys, &mut version)?;
            let Some(header) = line.strip_suffix(':') else {
                return Err(ParseError::at_line(
                    path,
                    number,
                    "expected an entry header ending with `:`",
                ));
            };
            let entry_keys = header
                .split(", ")
                .map(|key| key.trim().trim_matches('"').to_string())
                .collect();
            keys = Some((number, entry_keys));
        } else if let Some(value) = line.strip_prefix("  version ") {
            version = Some(value.trim().trim_matches('"').to_string());
        } else if let Some(value) = line.strip_prefix("  version: ") {
            version = Some(value.trim().trim_matches('"').to_string());
        }
    }
    finish(&mut keys, &mut version)?;
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::YarnLock,
        Resolver::Descriptors(descriptors),
    );
    lockfile.packages = packages;
    Ok(lockfile)
}

fn parse_berry(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let document: BTreeMap<String, Value> =
        serde_saphyr::from_str(text).map_err(|e| ParseError::from_yaml(path, &e))?;
    let mut descriptors = Descriptors {
        berry: true,
        ..Descriptors::default()
    };
    let mut packages = Vec::new();
    for (header, entry) in &document {
        if header == "__metadata" {
            continue;
        }
        let Some(version) = entry.get("version").and_then(scalar_text) else {
            continue;
        };
        let keys: Vec<&str> = header.split(", ").collect();
        for key in &keys {
            descriptors.insert(key, &version);
        }
        // Workspace entries are the project's own packages, not dependencies.
        let is_workspace = entry
            .get("resolution")
            .and_then(Value::as_str)
            .is_some_and(|resolution| resolution.contains("@workspace:"));
        if !is_workspace && let Some((name, _)) = keys.first().and_then(|k| split_descriptor(k)) {
            packages.push(LockedPackage {
                name: name.to_string(),
                version: version.clone(),
            });
        }
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::YarnLock,
        Resolver::Descriptors(descriptors),
    );
    lockfile.packages = packages;
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifests::package_json;

    fn dependency(name: &str, spec: &str) -> DeclaredDependency {
        let text = format!(r#"{{"dependencies": {{"{name}": "{spec}"}}}}"#);
        package_json::parse("package.json", &text)
            .expect("parses")
            .dependencies
            .remove(0)
    }

    #[test]
    fn classic_entries_resolve_by_descriptor() {
        let text = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz"
  dependencies:
    "@babel/highlight" "^7.10.4"

lodash@^4.17.20:
  version "4.17.21"
"#;
        let lockfile = parse("yarn.lock", text).expect("parses");
        assert_eq!(lockfile.packages.len(), 2);
        assert_eq!(
            lockfile.resolve("", &dependency("@babel/code-frame", "^7.10.4")),
            Resolution::Locked("7.12.13".into())
        );
        assert_eq!(
            lockfile.resolve("", &dependency("lodash", "^4.17.21")),
            Resolution::Stale {
                locked_requirement: "^4.17.20".into()
            }
        );
        assert_eq!(
            lockfile.resolve("", &dependency("express", "^4")),
            Resolution::Missing
        );
    }

    #[test]
    fn berry_entries_resolve_with_the_npm_protocol() {
        let text = r#"__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
"#;
        let lockfile = parse("yarn.lock", text).expect("parses");
        assert_eq!(lockfile.packages.len(), 1);
        assert_eq!(
            lockfile.resolve("", &dependency("lodash", "^4.17.21")),
            Resolution::Locked("4.17.21".into())
        );
    }

    #[test]
    fn malformed_classic_files_name_the_line() {
        let error = parse("yarn.lock", "lodash@^4:\n  resolved \"x\"\n").expect_err("no version");
        assert_eq!(error.line, Some(1));
        let error = parse("yarn.lock", "not a header\n").expect_err("bad header");
        assert_eq!(error.line, Some(1));
    }
}
