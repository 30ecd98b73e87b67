//! vibeguard's secrets engine (codes VG201–VG203): credentials, private keys and high-entropy
//! secrets written in a project's files and in its git history.
//!
//! The pipeline: a catalog of credential kinds as data (`catalog.toml`, compiled by
//! [`catalog`]); one Aho-Corasick pass over each text file for every provider's keywords; each
//! triggered provider's pattern in a window around its keywords ([`scan`]); then entropy,
//! placeholder and per-provider checks ([`value`], [`generic`]); the path's context ([`files`]:
//! tests, lockfiles, documentation, browser-facing files). [`history`] feeds every commit's
//! added lines through the same pipeline. [`engine`] turns hits into findings that carry only
//! a description of each secret (at most its first four characters, its length, a hash), with fingerprints from
//! the secret's hash so baselines survive moved code.

pub mod catalog;
pub mod engine;
pub mod files;
pub mod generic;
pub mod history;
pub mod rules;
pub mod scan;
pub mod value;

pub use engine::{SecretsOptions, SecretsRun, findings_in_text, run};

use vibeguard_core::RuleMeta;

/// The engine's rules.
pub fn rule_metas() -> Vec<RuleMeta> {
    rules::ALL.iter().map(|meta| (*meta).clone()).collect()
}
