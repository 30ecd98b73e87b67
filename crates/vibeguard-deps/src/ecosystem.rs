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
