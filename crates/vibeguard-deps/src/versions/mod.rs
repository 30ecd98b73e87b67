//! Version requirement semantics, one file per scheme, each exactly as its package manager
//! applies it: node-semver for npm, PEP 440 for Python, Poetry's caret/tilde dialect,
//! Cargo's SemVer requirements, and RubyGems requirements.

pub mod cargo;
pub mod npm;
pub mod pep440;
pub mod poetry;
pub mod rubygems;

use serde::{Deserialize, Serialize};

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
