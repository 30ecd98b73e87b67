//! Package ecosystems, named as OSV names them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A package ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    /// JavaScript packages from the npm registry (npm, yarn, pnpm, bun).
    #[serde(rename = "npm")]
    Npm,
    /// Python packages from PyPI.
    #[serde(rename = "PyPI")]
    PyPI,
    /// Rust crates.
    #[serde(rename = "crates.io")]
    CratesIo,
    /// Go modules.
    #[serde(rename = "Go")]
    Go,
    /// Ruby gems.
    #[serde(rename = "RubyGems")]
    RubyGems,
    /// PHP packages from Packagist (composer).
    #[serde(rename = "Packagist")]
    Packagist,
}

impl Ecosystem {
    /// The name OSV uses.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
        }
    }

    /// Every ecosystem, in a stable order.
    pub const ALL: [Ecosystem; 6] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
    ];

    /// The ecosystem OSV calls `name` (case-insensitive, so `pypi` and `crates.io` work on the
    /// command line).
    pub fn from_osv_name(name: &str) -> Option<Ecosystem> {
        Ecosystem::ALL
            .into_iter()
            .find(|ecosystem| ecosystem.osv_name().eq_ignore_ascii_case(name.trim()))
    }

    /// A package name as the ecosystem's registry compares names: PEP 503 for PyPI, lower case
    /// for crates.io and Packagist (whose registries ignore case), as written elsewhere.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => crate::versions::pep440::normalize_name(name),
            Ecosystem::CratesIo | Ecosystem::Packagist => name.trim().to_ascii_lowercase(),
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::RubyGems => name.trim().to_string(),
        }
    }

    /// The `package-ecosystem` value Dependabot uses for it.
    pub fn dependabot_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pip",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Go => "gomod",
            Ecosystem::RubyGems => "bundler",
            Ecosystem::Packagist => "composer",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}
