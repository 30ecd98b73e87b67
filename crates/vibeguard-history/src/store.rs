//! The history store: one small trait, so the embedded SQLite store and a server-backed one
//! share every caller and one test suite.

use jiff::Timestamp;
use serde::Serialize;

use crate::record::RunRecord;

/// What went wrong with the history, naming the store.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The store could not be opened or created.
    #[error("the run history at {place} could not be opened: {reason}")]
    Open {
        /// The file or URL.
        place: String,
        /// Why.
        reason: String,
    },
    /// The file is a database, but not a vibeguard history.
    #[error(
        "{place} is not a vibeguard run history (it holds other tables): give another path with `--history` or `[history] path`"
    )]
    Foreign {
        /// The file.
        place: String,
    },
    /// The history was written by a newer vibeguard.
    #[error(
        "the run history at {place} has schema version {found}, newer than this vibeguard's {supported}: upgrade vibeguard, or give another path"
    )]
    Newer {
        /// The file or URL.
        place: String,
        /// Its schema version.
        found: i64,
        /// This build's.
        supported: i64,
    },
    /// A read or write failed.
    #[error("the run history at {place}: {reason}")]
    Query {
        /// The file or URL.
        place: String,
        /// What failed.
        reason: String,
    },
    /// A run asked for is not there.
    #[error("{0}")]
    NotFound(String),
}

/// Which runs to list.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Only this project.
    pub project: Option<String>,
    /// Only this label; `*` matches any run of characters (`svc-*`).
    pub label: Option<String>,
    /// Only this target origin.
    pub target: Option<String>,
    /// Only this branch.
    pub branch: Option<String>,
    /// Only runs started at or after this time.
    pub since: Option<Timestamp>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
}

impl RunFilter {
    /// Whether `run` passes the filter.
    pub fn admits(&self, run: &RunSummary) -> bool {
        let same = |wanted: &Option<String>, value: &Option<String>| {
            wanted
                .as_deref()
                .is_none_or(|wanted| value.as_deref().is_some_and(|v| glob_matches(wanted, v)))
        };
        self.project.as_deref().is_none_or(|p| p == run.project)
            && same(&self.label, &run.label)
            && same(&self.target, &run.target)
            && same(&self.branch, &run.branch)
            && self.since.is_none_or(|since| run.started_at >= since)
    }
}

impl RunFilter {
    /// The runs of `all` (newest first) the filter admits, at most [`RunFilter::limit`]: what
    /// every store's [`HistoryStore::runs`] answers.
    pub fn select(&self, all: Vec<RunSummary>) -> Vec<RunSummary> {
        all.into_iter()
            .filter(|run| self.admits(run))
            .take(self.limit.unwrap_or(usize::MAX))
            .collect()
    }
}

/// `pattern` with `*` for any run of characters, against `text`.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// A run as listed: its facts and numbers, without its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// The store's id.
    pub id: i64,
    /// When it started.
    pub started_at: Timestamp,
    /// The vibeguard version.
    pub version: String,
    /// The project.
    pub project: String,
    /// The deployment label.
    pub label: Option<String>,
    /// The target origin.
    pub target: Option<String>,
    /// The git commit.
    pub commit: Option<String>,
    /// The git branch.
    pub branch: Option<String>,
    /// Whether it passed its gate.
    pub passed: bool,
    /// Active findings: critical, high, medium, low, info.
    pub active: [usize; 5],
    /// Checklist items passed.
    pub checklist_passed: usize,
    /// Checklist items failed.
    pub checklist_failed: usize,
}

/// Which runs to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prune {
    /// Keep the newest N runs of each project and target.
    Keep(usize),
    /// Delete runs that started before this time.
    OlderThan(Timestamp),
}

/// The ids `rule` deletes among `runs` (newest first, as [`HistoryStore::runs`] lists them).
pub fn doomed(runs: &[RunSummary], rule: Prune) -> Vec<i64> {
    match rule {
        Prune::OlderThan(before) => runs
            .iter()
            .filter(|run| run.started_at < before)
            .map(|run| run.id)
            .collect(),
        Prune::Keep(keep) => {
            let mut seen: std::collections::BTreeMap<(&str, Option<&str>), usize> =
                Default::default();
            runs.iter()
                .filter(|run| {
                    let count = seen
                        .entry((run.project.as_str(), run.target.as_deref()))
                        .or_default();
                    *count += 1;
                    *count > keep
                })
                .map(|run| run.id)
                .collect()
        }
    }
}

/// Where runs are recorded and read back.
pub trait HistoryStore {
    /// Records a run and returns its id.
    fn record(&mut self, run: &RunRecord) -> Result<i64, HistoryError>;
    /// The runs the filter admits, newest first.
    fn runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>, HistoryError>;
    /// One run with its findings and checklist, if it exists.
    fn run(&self, id: i64) -> Result<Option<RunRecord>, HistoryError>;
    /// Deletes runs; returns how many.
    fn prune(&mut self, rule: Prune) -> Result<usize, HistoryError>;
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn labels_match_with_stars() {
        assert!(glob_matches("svc-*", "svc-billing"));
        assert!(glob_matches("*", "anything"));
        assert!(glob_matches("a*c*e", "abcde"));
        assert!(glob_matches("prod", "prod"));
        assert!(!glob_matches("prod", "production"));
        assert!(!glob_matches("svc-*", "web-billing"));
        assert!(!glob_matches("a*a", "a"));
    }
}
