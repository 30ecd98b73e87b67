//! Two runs compared: findings new, fixed and still open, by fingerprint — a finding whose line
//! moved or whose message changed keeps its fingerprint and is the same finding — and
//! checklist items that regressed or improved. A pure function of two records.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::record::{RunRecord, SEVERITIES, StoredFinding};

/// How one checklist item changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// The item (`AUTH-01`).
    pub id: String,
    /// Its status in the reference run.
    pub before: String,
    /// Its status in the run compared.
    pub after: String,
}

/// The comparison of a run (`head`) with a reference run (`base`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunDiff {
    /// The reference run's id.
    pub base: i64,
    /// The compared run's id (0: the run in progress, not recorded).
    pub head: i64,
    /// Findings of `head` the reference did not have.
    pub new: Vec<StoredFinding>,
    /// Findings of the reference `head` no longer has.
    pub fixed: Vec<StoredFinding>,
    /// Findings of both (as `head` has them).
    pub unchanged: Vec<StoredFinding>,
    /// Checklist items worse in `head`: passed → not verified or failed, not verified → failed.
    pub regressed: Vec<ItemChange>,
    /// Checklist items better in `head`.
    pub improved: Vec<ItemChange>,
}

impl RunDiff {
    /// New active findings at or above `threshold` (a severity name), or none for `None`.
    pub fn new_gating(&self, threshold: Option<&str>) -> Vec<&StoredFinding> {
        let Some(rank) = threshold.and_then(severity_rank) else {
            return Vec::new();
        };
        self.new
            .iter()
            .filter(|f| f.is_active() && severity_rank(&f.severity).is_some_and(|r| r <= rank))
            .collect()
    }
}

/// The rank of a severity: 0 for critical, 4 for info.
fn severity_rank(severity: &str) -> Option<usize> {
    SEVERITIES.iter().position(|s| *s == severity)
}

/// How good a status is: failed < not verified (or manual) < passed (or not applicable).
fn status_rank(status: &str) -> u8 {
    match status {
        "failed" => 0,
        "passed" | "not-applicable" => 2,
        _ => 1,
    }
}

/// Compares `head` with the reference run `base`. Suppressed findings take no part: they
/// are neither open nor fixed.
pub fn diff(base: &RunRecord, head: &RunRecord) -> RunDiff {
    let open = |run: &RunRecord| -> BTreeMap<String, StoredFinding> {
        run.findings
            .iter()
            .filter(|f| f.state != "suppressed")
            .map(|f| (f.fingerprint.clone(), f.clone()))
            .collect()
    };
    let before = open(base);
    let after = open(head);
    let in_order = |run: &RunRecord, keep: &dyn Fn(&StoredFinding) -> bool| {
        let mut seen = std::collections::BTreeSet::new();
        run.findings
            .iter()
            .filter(|f| f.state != "suppressed" && keep(f) && seen.insert(f.fingerprint.clone()))
            .cloned()
            .collect::<Vec<_>>()
    };
    let new = in_order(head, &|f| !before.contains_key(&f.fingerprint));
    let unchanged = in_order(head, &|f| before.contains_key(&f.fingerprint));
    let fixed = in_order(base, &|f| !after.contains_key(&f.fingerprint));

    let statuses: BTreeMap<&str, &str> = base
        .checklist
        .iter()
        .map(|item| (item.id.as_str(), item.status.as_str()))
        .collect();
    let mut regressed = Vec::new();
    let mut improved = Vec::new();
    for item in &head.checklist {
        let Some(before) = statuses.get(item.id.as_str()) else {
            continue;
        };
        let change = ItemChange {
            id: item.id.clone(),
            before: before.to_string(),
            after: item.status.clone(),
        };
        match status_rank(&item.status).cmp(&status_rank(before)) {
            std::cmp::Ordering::Less => regressed.push(change),
            std::cmp::Ordering::Greater => improved.push(change),
            std::cmp::Ordering::Equal => {}
        }
    }
    RunDiff {
        base: base.id,
        head: head.id,
        new,
        fixed,
        unchanged,
        regressed,
        improved,
    }
}
