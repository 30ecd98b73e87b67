//! The report of one run: what was audited, what each engine covered, every finding, and the
//! checklist verdict. Every output format is rendered from this one value.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::checklist::{self, ChecklistStatus, ChecklistVerdict};
use crate::engine::EngineRun;
use crate::finding::{Finding, FindingState};
use crate::fingerprint;
use crate::inventory::RouteEntry;
use crate::rule::RuleMeta;
use crate::severity::Severity;

/// The version of the JSON report schema (`docs/report.schema.json`). Bumped on any change that
/// removes or renames a field; adding a field does not bump it.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The least severity that fails the run, or `never`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Fail on critical findings.
    Critical,
    /// Fail on high or critical findings (the default).
    #[default]
    High,
    /// Fail on medium and above.
    Medium,
    /// Fail on low and above.
    Low,
    /// Fail on any finding.
    Info,
    /// Never fail because of findings (errors still exit 2).
    Never,
}

impl FailOn {
    /// The least severity that gates, or `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }

    /// Whether an active finding of `severity` gates.
    pub fn gates(self, severity: Severity) -> bool {
        self.threshold()
            .is_some_and(|threshold| severity >= threshold)
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Never => "never",
            other => other
                .threshold()
                .map_or("never", |severity| severity.as_str()),
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "critical" => Ok(FailOn::Critical),
            "high" => Ok(FailOn::High),
            "medium" => Ok(FailOn::Medium),
            "low" => Ok(FailOn::Low),
            "info" => Ok(FailOn::Info),
            "never" | "none" => Ok(FailOn::Never),
            _ => Err(format!(
                "`{text}` is not a severity: use critical, high, medium, low, info or never"
            )),
        }
    }
}

/// The tool that wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `vibeguard`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where to read about it.
    pub information_uri: String,
}

/// What the run audited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// The project folder, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The configuration file used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The API origin tested, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The API description used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// The baseline file applied, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The container image scanned, if any (a file, a folder or a `docker save` reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Info.
    pub info: usize,
}

impl SeverityCounts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Info => self.info += 1,
        }
    }

    /// The count for one severity.
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// Counts per checklist status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistCounts {
    /// Items passed.
    pub passed: usize,
    /// Items failed.
    pub failed: usize,
    /// Items not verified in this run.
    pub not_verified: usize,
    /// Items that need a human.
    pub manual: usize,
    /// Items whose subject is absent from the project and the API.
    #[serde(default)]
    pub not_applicable: usize,
}

/// The numbers of a run and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Active findings by severity (baselined and suppressed ones excluded).
    pub active: SeverityCounts,
    /// Active findings at or above the fail-on threshold.
    pub gating: usize,
    /// Findings present in the baseline.
    pub baselined: usize,
    /// Findings suppressed in the source.
    pub suppressed: usize,
    /// Non-fatal errors met by all engines.
    pub errors: usize,
    /// The checklist verdict in numbers.
    pub checklist: ChecklistCounts,
    /// `true` when nothing gates: the run exits 0.
    pub passed: bool,
    /// What did not run for lack of data, from every engine ([`EngineRun::unchecked`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
    /// Active findings in test code, reported apart and not counted against the checklist
    /// (included in `active`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub in_test_code: usize,
    /// Findings in test code left out of the report (`--skip-tests`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub test_code_set_aside: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// The report of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Who wrote it.
    pub tool: Tool,
    /// What was audited.
    pub inputs: Inputs,
    /// When the run started.
    pub started_at: Timestamp,
    /// When it ended.
    pub finished_at: Timestamp,
    /// The gate applied.
    pub fail_on: FailOn,
    /// Each engine's part.
    pub engines: Vec<EngineRun>,
    /// Metadata of every rule that ran or reported, so the report stands alone.
    pub rules: Vec<RuleMeta>,
    /// Every finding, most severe first.
    pub findings: Vec<Finding>,
    /// The verdict of every checklist item, in catalog order.
    pub checklist: Vec<ChecklistVerdict>,
    /// The HTTP routes found in the code (for comparison with the API spec).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteEntry>,
    /// The numbers.
    pub summary: Summary,
    /// The comparison with a recorded reference run (`--compare-to`), when one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<crate::since::Since>,
    /// The last runs of the same project and target in the history, oldest first, this run
    /// last (empty without a history).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<crate::since::TrendPoint>,
}

/// Everything a run produced, before the verdict is computed.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Who ran.
    pub tool: Tool,
    /// What was audited.
    pub inputs: Inputs,
    /// Start of the run.
    pub started_at: Timestamp,
    /// End of the run.
    pub finished_at: Timestamp,
    /// The gate.
    pub fail_on: FailOn,
    /// Each engine's part.
    pub engines: Vec<EngineRun>,
    /// Every rule this build knows (for "not verified" hints).
    pub known_rules: Vec<RuleMeta>,
    /// Every finding, already suppressed/baselined/redacted as needed.
    pub findings: Vec<Finding>,
    /// The HTTP routes found in the code.
    pub routes: Vec<RouteEntry>,
    /// Findings in test code left out of the report (`--skip-tests`), counted.
    pub test_code_set_aside: usize,
}

impl Report {
    /// Computes the checklist verdict and summary and assembles the report.
    pub fn assemble(outcome: RunOutcome) -> Report {
        let RunOutcome {
            tool,
            inputs,
            started_at,
            finished_at,
            fail_on,
            engines,
            known_rules,
            mut findings,
            routes,
            test_code_set_aside,
        } = outcome;
        fingerprint::disambiguate(&mut findings);
        findings.sort_by(Finding::report_order);

        let checklist = checklist::evaluate(&known_rules, &engines, &findings);
        let rules: Vec<RuleMeta> = known_rules
            .into_iter()
            .filter(|rule| {
                engines.iter().any(|run| run.engine == rule.engine)
                    || findings.iter().any(|f| f.code == rule.code)
            })
            .collect();
        let mut summary = summarize(&findings, &checklist, &engines, fail_on);
        summary.test_code_set_aside = test_code_set_aside;
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            tool,
            inputs,
            started_at,
            finished_at,
            fail_on,
            engines,
            rules,
            findings,
            checklist,
            routes,
            summary,
            since: None,
            trend: Vec::new(),
        }
    }

    /// Findings that gate: active and at or above the threshold.
    pub fn gating_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.is_active() && self.fail_on.gates(f.severity))
    }

    /// The rule metadata for a code, if the report carries it.
    pub fn rule(&self, code: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|rule| rule.code == code)
    }

    /// The finding with this fingerprint.
    pub fn finding(&self, fingerprint: &fingerprint::Fingerprint) -> Option<&Finding> {
        self.findings.iter().find(|f| &f.fingerprint == fingerprint)
    }
}

fn summarize(
    findings: &[Finding],
    checklist: &[ChecklistVerdict],
    engines: &[EngineRun],
    fail_on: FailOn,
) -> Summary {
    let mut active = SeverityCounts::default();
    let (mut gating, mut baselined, mut suppressed) = (0, 0, 0);
    for finding in findings {
        match finding.state {
            FindingState::Active => {
                active.add(finding.severity);
                if fail_on.gates(finding.severity) {
                    gating += 1;
                }
            }
            FindingState::Baselined => baselined += 1,
            FindingState::Suppressed { .. } => suppressed += 1,
        }
    }
    let mut counts = ChecklistCounts::default();
    for verdict in checklist {
        match verdict.status {
            ChecklistStatus::Passed => counts.passed += 1,
            ChecklistStatus::Failed => counts.failed += 1,
            ChecklistStatus::NotVerified => counts.not_verified += 1,
            ChecklistStatus::Manual => counts.manual += 1,
            ChecklistStatus::NotApplicable => counts.not_applicable += 1,
        }
    }
    Summary {
        active,
        gating,
        baselined,
        suppressed,
        errors: engines.iter().map(|run| run.errors.len()).sum(),
        checklist: counts,
        passed: gating == 0,
        unchecked: engines
            .iter()
            .flat_map(|run| run.unchecked.iter().cloned())
            .collect(),
        in_test_code: findings
            .iter()
            .filter(|f| f.test_code && f.is_active())
            .count(),
        test_code_set_aside: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_gates_at_and_above_its_threshold() {
        assert!(FailOn::High.gates(Severity::Critical));
        assert!(FailOn::High.gates(Severity::High));
        assert!(!FailOn::High.gates(Severity::Medium));
        assert!(!FailOn::Never.gates(Severity::Critical));
        assert_eq!("NEVER".parse::<FailOn>(), Ok(FailOn::Never));
        assert_eq!(FailOn::Medium.as_str(), "medium");
    }
}
