//! `yarn.lock`, classic (v1, yarn's own indented format) and Berry (v2+, YAML with a
//! `__metadata` entry). Entries are keyed by the descriptors (`name@range`) that resolved to
//! them, so a direct dependency resolves by looking up the exact descriptor package.json implies;
//! a changed range has no entry until yarn re-locks. Each entry's own `dependencies` name
//! descriptors too, which gives the graph; the lockfile does not say which packages are
//! development ones (package.json does). Aliases (`lodash4@npm:lodash@^4`) are recorded under
//! the real package's name.

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

/// The registry package a descriptor names: `lodash4@npm:lodash@^4.17.21` (an alias) is lodash.
fn real_name<'a>(descriptor_name: &'a str, range: &'a str) -> &'a str {
    let Some(aliased) = range.strip_prefix("npm:") else {
        return descriptor_name;
    };
    match aliased.get(1..).and_then(|rest| rest.rfind('@')) {
        Some(at) => &aliased[..=at],
        None => descriptor_name,
    }
}

/// Whether a classic entry's `resolved` URL is a registry tarball.
fn classic_is_registry(resolved: Option<&str>) -> bool {
    match resolved {
        None => true,
        Some(url) => {
            (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains("codeload.github.com")
                && !url.contains(".git#")
        }
    }
}

/// One entry of a classic lockfile while it is being read.
#[derive(Default)]
struct ClassicEntry {
    line: u32,
    keys: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    dependencies: Vec<String>,
}

fn parse_classic(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let mut entries: Vec<ClassicEntry> = Vec::new();
    let mut current: Option<ClassicEntry> = None;
    let mut in_dependencies = false;
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        if line.is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            if let Some(entry) = current.take() {
                entries.push(entry);
            }
            let Some(header) = line.strip_suffix(':') else {
                return Err(ParseError::at_line(
                    path,
                    number,
                    "expected an entry header ending with `:`",
                ));
            };
            current = Some(ClassicEntry {
                line: number,
                keys: header
                    .split(", ")
                    .map(|key| key.trim().trim_matches('"').to_string())
                    .collect(),
                ..ClassicEntry::default()
            });
            in_dependencies = false;
            continue;
        }
        let Some(entry) = current.as_mut() else {
            return Err(ParseError::at_line(
                path,
                number,
                "an indented line before any entry",
            ));
        };
        let indent = line.len() - line.trim_start().len();
        let content = line.trim();
        if indent == 2 {
            in_dependencies = content == "dependencies:" || content == "optionalDependencies:";
            let (key, value) = content.split_once(' ').unwrap_or((content, ""));
            let value = value
                .trim()
                .trim_start_matches(':')
                .trim()
                .trim_matches('"');
            match key.trim_end_matches(':') {
                "version" => entry.version = Some(value.to_string()),
                "resolved" => entry.resolved = Some(value.to_string()),
                _ => {}
            }
        } else if indent >= 4 && in_dependencies {
            // `name "range"`, `"@scope/name" "range"`.
            let (name, range) = content.split_once(' ').unwrap_or((content, ""));
            entry.dependencies.push(format!(
                "{}@{}",
                name.trim_matches('"'),
                range.trim().trim_matches('"')
            ));
        }
    }
    if let Some(entry) = current.take() {
        entries.push(entry);
    }

    let mut descriptors = Descriptors::default();
    let mut packages = Vec::new();
    let mut index_of_descriptor: BTreeMap<String, usize> = BTreeMap::new();
    for entry in &entries {
        let Some(version) = &entry.version else {
            return Err(ParseError::at_line(
                path,
                entry.line,
                "entry has no `version`",
            ));
        };
        for key in &entry.keys {
            descriptors.insert(key, version);
            index_of_descriptor.insert(key.clone(), packages.len());
        }
        let Some((name, range)) = entry.keys.first().and_then(|k| split_descriptor(k)) else {
            continue;
        };
        let mut package =
            LockedPackage::new(real_name(name, range), version.clone()).at_line(Some(entry.line));
        if !classic_is_registry(entry.resolved.as_deref()) {
            package = package.not_registry();
        }
        packages.push(package);
    }
    for (package, entry) in packages.iter_mut().zip(&entries) {
        package.dependencies = entry
            .dependencies
            .iter()
            .filter_map(|descriptor| index_of_descriptor.get(descriptor).copied())
            .collect();
    }
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
    let mut lines = super::LineCursor::new(text);
    let mut packages = Vec::new();
    let mut index_of_descriptor: BTreeMap<String, usize> = BTreeMap::new();
    let mut requested: Vec<Vec<String>> = Vec::new();
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
        let resolution = entry
            .get("resolution")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // Workspace entries are the project's own packages, not dependencies.
        if resolution.contains("@workspace:") {
            continue;
        }
        let Some((name, range)) = keys.first().and_then(|k| split_descriptor(k)) else {
            continue;
        };
        // `lodash@npm:4.17.21`; a patched package keeps its registry version inside.
        let (resolved_name, protocol) = split_descriptor(resolution).unwrap_or((name, range));
        let registry = protocol.starts_with("npm:")
            || (protocol.starts_with("patch:") && protocol.contains("@npm%3A"));
        let real = if registry {
            resolved_name
        } else {
            real_name(name, range)
        };
        for key in &keys {
            index_of_descriptor.insert(key.trim().trim_matches('"').to_string(), packages.len());
        }
        let header_line = lines.find_key(header);
        let mut package = LockedPackage::new(real, version.clone()).at_line(header_line);
        if !registry {
            package = package.not_registry();
        }
        packages.push(package);
        requested.push(
            entry
                .get("dependencies")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(name, range)| Some(format!("{name}@{}", scalar_text(range)?)))
                .collect(),
        );
    }
    for (package, wanted) in packages.iter_mut().zip(&requested) {
        package.dependencies = wanted
            .iter()
            .filter_map(|descriptor| index_of_descriptor.get(descriptor).copied())
            .collect();
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
        assert_eq!(lockfile.packages[0].line, Some(5));
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

    #[test]
    fn records_graph_aliases_and_sources() {
        let classic = r#"# yarn lockfile v1

a@^1.0.0:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/a/-/a-1.0.0.tgz"
  dependencies:
    "@s/b" "^2.0.0"
  optionalDependencies:
    c "~1"

"@s/b@^2.0.0":
  version "2.1.0"

c@~1:
  version "1.0.3"
  resolved "https://codeload.github.com/x/c/tar.gz/abc"

"lodash4@npm:lodash@^4.17.21":
  version "4.17.21"
"#;
        let lockfile = parse("yarn.lock", classic).expect("parses");
        assert_eq!(lockfile.packages[0].dependencies, vec![1, 2]);
        assert!(!lockfile.packages[2].registry);
        assert_eq!(lockfile.packages[3].name, "lodash");
        let berry = r#"__metadata:
  version: 8

"a@npm:^1.0.0":
  version: 1.0.0
  resolution: "a@npm:1.0.0"
  dependencies:
    b: "npm:^2.0.0"
  linkType: hard

"b@npm:^2.0.0":
  version: 2.1.0
  resolution: "b@npm:2.1.0"

"alias@npm:lodash@^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"

"g@https://github.com/x/g.git#commit=abc":
  version: 0.1.0
  resolution: "g@https://github.com/x/g.git#commit=abc"
"#;
        let lockfile = parse("yarn.lock", berry).expect("parses");
        let summary: Vec<(&str, bool, Option<u32>)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.registry, p.line))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a", true, Some(4)),
                ("lodash", true, Some(15)),
                ("b", true, Some(11)),
                ("g", false, Some(19)),
            ]
        );
        assert_eq!(lockfile.packages[0].dependencies, vec![2]);
    }
}
