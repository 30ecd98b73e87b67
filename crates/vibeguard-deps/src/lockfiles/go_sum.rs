//! Go's `go.sum`: `module version[/go.mod] h1:hash` lines. A required module version with no
//! line here makes `go build` fail with "missing go.sum entry". go.sum also keeps hashes of
//! versions that minimal version selection considered and discarded, so the versions a build
//! uses are read from go.mod, not from here.

use std::collections::BTreeSet;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolution, Resolver};
use crate::ParseError;

/// The (module, version) pairs go.sum holds a hash for.
#[derive(Debug, Clone, Default)]
pub struct ModuleVersions {
    pairs: BTreeSet<(String, String)>,
}

impl ModuleVersions {
    /// Whether `module` at `version` has an entry.
    pub fn resolve(&self, module: &str, version: &str) -> Resolution {
        if self
            .pairs
            .contains(&(module.to_string(), version.to_string()))
        {
            Resolution::Locked(version.to_string())
        } else {
            Resolution::Missing
        }
    }
}

/// Parses a go.sum.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let mut modules = ModuleVersions::default();
    let mut packages = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(module), Some(version), Some(hash)) = (words.next(), words.next(), words.next())
        else {
            return Err(ParseError::at_line(
                path,
                u32::try_from(index + 1).unwrap_or(u32::MAX),
                "expected `module version hash`",
            ));
        };
        if !hash.contains(':') {
            return Err(ParseError::at_line(
                path,
                u32::try_from(index + 1).unwrap_or(u32::MAX),
                format!("`{hash}` is not a go.sum hash"),
            ));
        }
        let version = version.trim_end_matches("/go.mod").to_string();
        if modules.pairs.insert((module.to_string(), version.clone())) {
            packages.push(LockedPackage::new(module, version));
        }
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::GoSum,
        Resolver::ModuleVersions(modules),
    );
    lockfile.packages = packages;
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_module_and_go_mod_lines() {
        let text = "github.com/gin-gonic/gin v1.9.1 h1:abc=\ngithub.com/gin-gonic/gin v1.9.1/go.mod h1:def=\ngolang.org/x/crypto v0.21.0/go.mod h1:ghi=\n";
        let lockfile = parse("go.sum", text).expect("parses");
        assert_eq!(lockfile.packages.len(), 2);
        let Resolver::ModuleVersions(modules) = &lockfile.resolver else {
            panic!("go.sum resolves module versions");
        };
        assert_eq!(
            modules.resolve("golang.org/x/crypto", "v0.21.0"),
            Resolution::Locked("v0.21.0".into())
        );
        assert_eq!(
            modules.resolve("golang.org/x/crypto", "v0.22.0"),
            Resolution::Missing
        );
        assert_eq!(parse("go.sum", "a v1\n").expect_err("bad").line, Some(1));
    }
}
