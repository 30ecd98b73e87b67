//! What one run leaves in the history: [`RunRecord`], built from a report and the facts the
//! report does not hold (commit, branch, deployment label).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use vibeguard_core::{FindingState, Report};

/// The longest finding message kept: the report files hold the rest (and the evidence).
const MESSAGE_CHARS: usize = 400;

/// Facts about a run that its report does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunMeta {
    /// The project, as the runs of one project name it (its folder's canonical path, or the
    /// name the configuration gives).
    pub project: String,
    /// The deployment label (`staging`, `prod`, `svc-billing`), when one was given.
    pub label: Option<String>,
    /// The git commit audited, when the project is a repository.
    pub commit: Option<String>,
    /// The git branch, when known.
    pub branch: Option<String>,
}

/// One engine's coverage in numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineCoverage {
    /// The engine (`code`, `api`, …).
    pub engine: String,
    /// Files read.
    pub files: u64,
    /// Packages examined.
    pub packages: u64,
    /// API operations tested.
    pub operations: u64,
    /// Requests sent.
    pub requests: u64,
}

/// One finding as the history keeps it: enough to compare runs and to say what it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFinding {
    /// The finding's fingerprint (stable across unrelated edits and moved lines).
    pub fingerprint: String,
    /// The rule's code.
    pub code: String,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: String,
    /// `active`, `baselined` or `suppressed`.
    pub state: String,
    /// Where, as the reports print it.
    pub location: String,
    /// What, cut to a few hundred characters.
    pub message: String,
}

impl StoredFinding {
    /// Whether the finding counts (neither baselined nor suppressed).
    pub fn is_active(&self) -> bool {
        self.state == "active"
    }
}

/// One checklist item's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredItem {
    /// The item's id (`AUTH-01`).
    pub id: String,
    /// `passed`, `failed`, `not-verified`, `manual` or `not-applicable`.
    pub status: String,
}

/// A run in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The store's id of the run (0 before it is recorded).
    pub id: i64,
    /// When the run started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Timestamp,
    /// The vibeguard version that ran.
    pub version: String,
    /// Project, label, commit and branch.
    pub meta: RunMeta,
    /// The API origin tested, if any.
    pub target: Option<String>,
    /// The gate the run applied (`high`, `never`, …).
    pub fail_on: String,
    /// Whether the run passed its gate.
    pub passed: bool,
    /// Each engine's coverage.
    pub coverage: Vec<EngineCoverage>,
    /// Every finding, in the report's order.
    pub findings: Vec<StoredFinding>,
    /// Every checklist item's verdict, in catalog order.
    pub checklist: Vec<StoredItem>,
}

impl RunRecord {
    /// The record of `report` with `meta`.
    pub fn of(report: &Report, meta: RunMeta) -> RunRecord {
        RunRecord {
            id: 0,
            started_at: report.started_at,
            finished_at: report.finished_at,
            version: report.tool.version.clone(),
            meta,
            target: report.inputs.target.clone(),
            fail_on: report.fail_on.as_str().to_string(),
            passed: report.summary.passed,
            coverage: report
                .engines
                .iter()
                .map(|run| EngineCoverage {
                    engine: run.engine.as_str().to_string(),
                    files: run.coverage.files,
                    packages: run.coverage.packages,
                    operations: run.coverage.operations,
                    requests: run.coverage.requests,
                })
                .collect(),
            findings: report
                .findings
                .iter()
                .map(|finding| StoredFinding {
                    fingerprint: finding.fingerprint.0.clone(),
                    code: finding.code.to_string(),
                    severity: finding.severity.as_str().to_string(),
                    state: match finding.state {
                        FindingState::Active => "active",
                        FindingState::Baselined => "baselined",
                        FindingState::Suppressed { .. } => "suppressed",
                    }
                    .to_string(),
                    location: finding.location.to_string(),
                    message: cut(&finding.message, MESSAGE_CHARS),
                })
                .collect(),
            checklist: report
                .checklist
                .iter()
                .map(|verdict| StoredItem {
                    id: verdict.id.as_str().to_string(),
                    status: verdict.status.as_str().to_string(),
                })
                .collect(),
        }
    }
}

/// Severities, most severe first (the order of [`crate::RunSummary::active`]).
pub const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}
