//! Bundler's `Gemfile.lock`: sections `GEM` (registry gems), `GIT` and `PATH` (gems from a
//! repository or a folder), each with `specs:` listing `name (version[-platform])` at four
//! spaces and that gem's own dependencies at six; `DEPENDENCIES` lists the Gemfile's gems (a
//! trailing `!` marks a GIT or PATH source). Which of them are development gems is said by the
//! Gemfile's groups.

use std::collections::BTreeSet;

use super::{LockRoot, LockedPackage, Lockfile, LockfileFormat, NameIndex, Resolver, exact_name};
use crate::ParseError;

/// The gems the Gemfile declares (the DEPENDENCIES section).
#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    /// Their names.
    pub direct: BTreeSet<String>,
}

/// Parses a Gemfile.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let mut dependencies = Dependencies::default();
    let mut packages = Vec::new();
    let mut requires: Vec<Vec<String>> = Vec::new();
    let mut direct_order = Vec::new();
    let mut section = String::new();
    let mut saw_section = false;
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
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
                    // `1.16.2-x86_64-linux`: the platform follows the first dash.
                    let version = version.split('-').next().unwrap_or(version);
                    let mut locked = LockedPackage::new(name, version).at_line(Some(number));
                    if section != "GEM" {
                        locked = locked.not_registry();
                    }
                    packages.push(locked);
                    requires.push(Vec::new());
                }
            }
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" if indent == 6 => {
                if let Some(list) = requires.last_mut() {
                    list.push(name.to_string());
                }
            }
            "DEPENDENCIES" if indent == 2 => {
                let name = name.trim_end_matches('!').to_string();
                dependencies.direct.insert(name.clone());
                direct_order.push(name);
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
    let names = NameIndex::new(&packages, exact_name);
    let edges: Vec<Vec<usize>> = requires
        .iter()
        .map(|list| {
            list.iter()
                .filter_map(|name| names.find(&packages, name, None))
                .collect()
        })
        .collect();
    for (package, dependencies) in packages.iter_mut().zip(edges) {
        package.dependencies = dependencies;
    }
    let roots = direct_order
        .iter()
        .filter_map(|name| names.find(&packages, name, None))
        .map(|package| LockRoot { package, dev: None })
        .collect();
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::GemfileLock,
        Resolver::Bundler(dependencies),
    );
    lockfile.packages = packages;
    lockfile.roots = Some(roots);
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

    #[test]
    fn records_the_graph_sources_and_lines() {
        let text = "GIT\n  remote: https://github.com/x/y.git\n  revision: abc\n  specs:\n    y (0.1.0)\n      rack\n\nGEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.8)\n    sinatra (3.1.0)\n      rack (~> 2.2, >= 2.2.4)\n\nDEPENDENCIES\n  sinatra\n  y!\n";
        let lockfile = parse("Gemfile.lock", text).expect("parses");
        let summary: Vec<(&str, bool, Option<u32>, &[usize])> = lockfile
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.registry,
                    p.line,
                    p.dependencies.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("y", false, Some(5), &[1][..]),
                ("rack", true, Some(11), &[][..]),
                ("sinatra", true, Some(12), &[1][..]),
            ]
        );
        assert_eq!(
            lockfile.roots,
            Some(vec![
                LockRoot {
                    package: 2,
                    dev: None
                },
                LockRoot {
                    package: 0,
                    dev: None
                }
            ])
        );
    }
}
