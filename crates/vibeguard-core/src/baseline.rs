//! Baselines: the findings a team has accepted for now, so CI fails only on new ones.
//!
//! A baseline file records fingerprints (plus the rule and place, for humans reading the file).
//! With `--baseline FILE`, findings whose fingerprint is in it are marked baselined: still shown
//! and still failing their checklist item, but not gating.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, FindingState};
use crate::fingerprint::Fingerprint;

/// The version of the baseline file format.
pub const BASELINE_FORMAT_VERSION: u32 = 1;

/// A baseline file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version; files of a newer version are refused rather than misread.
    pub version: u32,
    /// The vibeguard version that wrote it.
    pub tool_version: String,
    /// One entry per accepted finding.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint; the only field that matters for matching.
    pub fingerprint: Fingerprint,
    /// Rule code, for humans.
    pub code: String,
    /// Where it was when the baseline was written, for humans.
    pub location: String,
    /// The message when the baseline was written, for humans.
    pub message: String,
}

impl Baseline {
    /// A baseline accepting every finding that is not suppressed.
    pub fn from_findings(tool_version: &str, findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|finding| !matches!(finding.state, FindingState::Suppressed { .. }))
            .map(|finding| BaselineEntry {
                fingerprint: finding.fingerprint.clone(),
                code: finding.code.to_string(),
                location: finding.location.to_string(),
                message: finding.message.clone(),
            })
            .collect();
        entries.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            version: BASELINE_FORMAT_VERSION,
            tool_version: tool_version.to_string(),
            findings: entries,
        }
    }

    /// Marks active findings whose fingerprint is in the baseline as baselined; returns how many.
    pub fn apply(&self, findings: &mut [Finding]) -> usize {
        let known: HashSet<&Fingerprint> = self.findings.iter().map(|e| &e.fingerprint).collect();
        let mut marked = 0;
        for finding in findings.iter_mut().filter(|f| f.is_active()) {
            if known.contains(&finding.fingerprint) {
                finding.state = FindingState::Baselined;
                marked += 1;
            }
        }
        marked
    }
}
