//! How a run compares with recorded ones, for the reports: the comparison with a reference run
//! (`--compare-to`: new, fixed, still open, checklist items that changed) and the trend of the
//! last runs of the same project and target. The run history computes them; the report only
//! carries them, so every format can show them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::fingerprint::Fingerprint;

/// The comparison of this run with a reference run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    /// The reference as people read it: `run 12 (prod, 2026-12-07 09:14 UTC)`.
    pub reference: String,
    /// Fingerprints of this run's findings the reference did not have.
    pub new: Vec<Fingerprint>,
    /// Findings of the reference this run no longer has.
    pub fixed: Vec<FixedFinding>,
    /// How many of this run's findings the reference had too.
    pub unchanged: usize,
    /// Checklist items worse than in the reference.
    pub regressed: Vec<ItemChange>,
    /// Checklist items better than in the reference.
    pub improved: Vec<ItemChange>,
}

impl Since {
    /// Whether this run has the finding with `fingerprint` new since the reference.
    pub fn is_new(&self, fingerprint: &Fingerprint) -> bool {
        self.new.contains(fingerprint)
    }
}

/// A finding of the reference run that this run no longer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedFinding {
    /// The rule's code.
    pub code: String,
    /// Its severity then.
    pub severity: String,
    /// Where it was.
    pub location: String,
    /// What it said.
    pub message: String,
}

/// A checklist item whose status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChange {
    /// The item (`AUTH-01`).
    pub id: String,
    /// Its status in the reference run.
    pub before: String,
    /// Its status now.
    pub after: String,
}

/// One run of the trend: when, and its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The run's id in the history (0: this run, not recorded yet).
    pub run: i64,
    /// When it started.
    pub started_at: Timestamp,
    /// Active findings: critical, high, medium, low, info.
    pub active: [usize; 5],
    /// Checklist items passed.
    pub checklist_passed: usize,
}
