//! Bundler's `Gemfile.lock`: `specs:` lists under `GEM`, `GIT` and `PATH` sources give every
//! locked gem as `    name (version)`; the `DEPENDENCIES` section lists the Gemfile's direct
//! gems. A gem in the Gemfile but not under DEPENDENCIES means the lockfile predates it.

use std::collections::BTreeSet;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolver};
use crate::ParseError;

/// The direct gems recorded under DEPENDENCIES.
#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    /// Gem names.
    pub direct: BTreeSet<String>,
}

/// Parses a Gemfile.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let mut dependencies = Dependencies::default();
    let mut packages = Vec::new();
    let mut section = String::new();
    let mut saw_section = false;
    for raw in text.lines() {
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            section = line.trim().to_string();
            saw_section = true;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let entry = line.trim();
        let (name, version) = match entry.split_once(" (") {
            Some((name, rest)) => (name, Some(rest.trim_end_matches(')'))),
            None => (entry, None),
        };
        match section.as_str() {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" if indent == 4 => {
                if let Some(version) = version {
                    // Platform-specific gems are written `1.15.5-x86_64-linux`.
                    let version = version.split('-').next().unwrap_or(version);
                    packages.push(LockedPackage {
                        name: name.to_string(),
                        version: version.to_string(),
                    });
                }
            }
            "DEPENDENCIES" if indent == 2 => {
                dependencies
                    .direct
                    .insert(name.trim_end_matches('!').to_string());
            }
            _ => {}
        }
    }
    if !saw_section {
        return Err(ParseError::new(
            path,
            "no GEM, GIT, PATH or DEPENDENCIES section",
        ));
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::GemfileLock,
        Resolver::Bundler(dependencies),
    );
    lockfile.packages = packages;
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockfiles::Resolution;
    use crate::manifests::gemfile;

    #[test]
    fn resolves_direct_gems() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.1.3)\n      actionpack (= 7.1.3)\n    nokogiri (1.16.2-x86_64-linux)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  rails (~> 7.1)\n\nBUNDLED WITH\n   2.5.6\n";
        let lockfile = parse("Gemfile.lock", text).expect("parses");
        assert_eq!(lockfile.packages.len(), 2);
        let manifest = gemfile::parse("Gemfile", "gem \"rails\", \"~> 7.1\"\ngem \"nokogiri\"\n")
            .expect("parses");
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[0]),
            Resolution::Locked("7.1.3".into())
        );
        assert_eq!(
            lockfile.resolve("", &manifest.dependencies[1]),
            Resolution::Missing
        );
        assert!(parse("Gemfile.lock", "  just indented\n").is_err());
    }
}
