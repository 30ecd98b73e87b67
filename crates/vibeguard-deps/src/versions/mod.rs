//! Version requirement semantics, one file per scheme, each exactly as its package manager
//! applies it: node-semver for npm, PEP 440 for Python, Poetry's caret/tilde dialect,
//! Cargo's SemVer requirements, and RubyGems requirements.
//!
//! [`EcosystemVersion`] orders exact versions the way each ecosystem's advisories are written:
//! SemVer precedence for npm and crates.io, PEP 440 for PyPI, Go's module versions, RubyGems'
//! `Gem::Version` and Composer's normalized versions; for Linux distributions, dpkg's order
//! (Debian, Ubuntu), apk-tools' (Alpine) and rpm's (Red Hat, Rocky Linux, AlmaLinux). Advisory matching compares only through
//! it, so a version one scheme cannot read is never compared as text.

pub mod apk;
pub mod cargo;
pub mod dpkg;
pub mod go;
pub mod npm;
pub mod packagist;
pub mod pep440;
pub mod poetry;
pub mod rpm;
pub mod rubygems;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ecosystem::Ecosystem;

/// An exact version, parsed under its ecosystem's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcosystemVersion {
    /// npm: SemVer 2.0 precedence (build metadata ignored), as node-semver orders.
    Npm(nodejs_semver::Version),
    /// PyPI: PEP 440 (epochs, pre, post and dev releases, local versions).
    Pep440(pep440_rs::Version),
    /// crates.io: SemVer 2.0 precedence (build metadata ignored).
    Cargo(semver::Version),
    /// Go modules, pseudo-versions included.
    Go(go::GoVersion),
    /// RubyGems' `Gem::Version`.
    RubyGems(rubygems::GemVersion),
    /// Composer's normalized versions.
    Packagist(packagist::ComposerVersion),
    /// Debian and Ubuntu: dpkg's order.
    Dpkg(dpkg::DpkgVersion),
    /// Alpine: apk-tools' order.
    Apk(apk::ApkVersion),
    /// Red Hat, Rocky Linux, AlmaLinux: rpm's epoch, version, release.
    Rpm(rpm::RpmVersion),
}

impl EcosystemVersion {
    /// Parses `text` as an exact version of `ecosystem`; `None` when the ecosystem's own tools
    /// would not read it as a release (a git URL, a branch, a dist-tag).
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<EcosystemVersion> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match ecosystem {
            Ecosystem::Npm => nodejs_semver::Version::parse(text)
                .ok()
                .map(EcosystemVersion::Npm),
            Ecosystem::PyPI => pep440_rs::Version::from_str(text)
                .ok()
                .map(EcosystemVersion::Pep440),
            Ecosystem::CratesIo => semver::Version::parse(text).ok().map(|mut version| {
                version.build = semver::BuildMetadata::EMPTY;
                EcosystemVersion::Cargo(version)
            }),
            Ecosystem::Go => go::GoVersion::parse(text).map(EcosystemVersion::Go),
            Ecosystem::RubyGems => {
                rubygems::GemVersion::parse(text).map(EcosystemVersion::RubyGems)
            }
            Ecosystem::Packagist => {
                packagist::ComposerVersion::parse(text).map(EcosystemVersion::Packagist)
            }
            Ecosystem::Debian | Ecosystem::Ubuntu => {
                dpkg::DpkgVersion::parse(text).map(EcosystemVersion::Dpkg)
            }
            Ecosystem::Alpine => apk::ApkVersion::parse(text).map(EcosystemVersion::Apk),
            Ecosystem::RedHat | Ecosystem::RockyLinux | Ecosystem::AlmaLinux => {
                rpm::RpmVersion::parse(text).map(EcosystemVersion::Rpm)
            }
        }
    }

    /// Orders two versions of the same ecosystem; `None` across ecosystems.
    pub fn compare(&self, other: &EcosystemVersion) -> Option<Ordering> {
        use EcosystemVersion as V;
        Some(match (self, other) {
            (V::Npm(a), V::Npm(b)) => a.cmp(b),
            (V::Pep440(a), V::Pep440(b)) => a.cmp(b),
            (V::Cargo(a), V::Cargo(b)) => a.cmp(b),
            (V::Go(a), V::Go(b)) => a.cmp(b),
            (V::RubyGems(a), V::RubyGems(b)) => a.cmp(b),
            (V::Packagist(a), V::Packagist(b)) => a.cmp(b),
            (V::Dpkg(a), V::Dpkg(b)) => a.cmp(b),
            (V::Apk(a), V::Apk(b)) => a.cmp(b),
            (V::Rpm(a), V::Rpm(b)) => a.cmp(b),
            _ => return None,
        })
    }

    /// Whether it is a prerelease in its ecosystem's terms.
    pub fn is_prerelease(&self) -> bool {
        match self {
            EcosystemVersion::Npm(version) => !version.pre_release().is_empty(),
            EcosystemVersion::Pep440(version) => version.any_prerelease(),
            EcosystemVersion::Cargo(version) => !version.pre.is_empty(),
            EcosystemVersion::Go(version) => version.is_prerelease(),
            EcosystemVersion::RubyGems(version) => version.is_prerelease(),
            EcosystemVersion::Packagist(version) => version.is_prerelease(),
            EcosystemVersion::Dpkg(version) => version.is_prerelease(),
            EcosystemVersion::Apk(version) => version.is_prerelease(),
            EcosystemVersion::Rpm(version) => version.is_prerelease(),
        }
    }
}

impl fmt::Display for EcosystemVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EcosystemVersion::Npm(version) => write!(f, "{version}"),
            EcosystemVersion::Pep440(version) => write!(f, "{version}"),
            EcosystemVersion::Cargo(version) => write!(f, "{version}"),
            EcosystemVersion::Go(version) => write!(f, "{version}"),
            EcosystemVersion::RubyGems(version) => write!(f, "{version}"),
            EcosystemVersion::Packagist(version) => write!(f, "{version}"),
            EcosystemVersion::Dpkg(version) => write!(f, "{version}"),
            EcosystemVersion::Apk(version) => write!(f, "{version}"),
            EcosystemVersion::Rpm(version) => write!(f, "{version}"),
        }
    }
}

/// The language a declared requirement is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementSyntax {
    /// node-semver ranges (package.json).
    Npm,
    /// PEP 440 specifiers (requirements.txt, PEP 621 pyproject, Pipfile).
    Pep440,
    /// Poetry constraints (`^1.2`, `~1.2`, `1.2.*`, `>=1,<2`, `||`).
    Poetry,
    /// Cargo requirements (bare versions are caret requirements).
    Cargo,
    /// RubyGems requirements (`~> 1.2`, `>= 1, < 2`).
    RubyGems,
    /// Composer constraints; version checks are not implemented for them yet.
    Composer,
    /// An exact version, as go.mod writes them.
    Exact,
}

/// Whether `version` satisfies `requirement`; `None` when either cannot be understood (the
/// caller then reports nothing rather than guessing).
pub fn satisfies(syntax: RequirementSyntax, requirement: &str, version: &str) -> Option<bool> {
    match syntax {
        RequirementSyntax::Npm => npm::satisfies(requirement, version),
        RequirementSyntax::Pep440 => pep440::satisfies(requirement, version),
        RequirementSyntax::Poetry => poetry::satisfies(requirement, version),
        RequirementSyntax::Cargo => cargo::satisfies(requirement, version),
        RequirementSyntax::RubyGems => rubygems::satisfies(requirement, version),
        RequirementSyntax::Composer => None,
        RequirementSyntax::Exact => Some(
            requirement.trim().trim_start_matches('v') == version.trim().trim_start_matches('v'),
        ),
    }
}
