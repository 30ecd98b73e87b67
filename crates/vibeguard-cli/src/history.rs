//! The run history as the commands use it: where it is (`--history`, `[history] path`, else
//! `.vibeguard/history.db` in the project), what a run records beyond its report (project,
//! deployment label, git commit and branch), and the comparison with a reference run.
//!
//! History is never the reason an audit is lost: a history that cannot be opened or written
//! is a warning after the reports are written, and exit code 2 only with `--require-history`.

use std::path::{Path, PathBuf};

use vibeguard_core::Report;
use vibeguard_history::{
    HistoryStore, PostgresStore, RunDiff, RunFilter, RunMeta, RunRecord, RunRef, SqliteStore,
};

use crate::cli::GlobalArgs;
use crate::config::LoadedConfig;

/// The history file when none is configured, relative to the project.
pub const DEFAULT_PATH: &str = ".vibeguard/history.db";

/// Where a history is: a SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone)]
pub enum Place {
    /// The embedded store's file.
    File(PathBuf),
    /// A PostgreSQL URL, `${ENV}` expanded (it may hold a password: never printed; use
    /// [`Place`]'s `Display`, which leaves the password out).
    Database(String),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::File(path) => write!(f, "{}", path.display()),
            Place::Database(url) => {
                f.write_str(&vibeguard_history::postgres::without_password(url))
            }
        }
    }
}

/// Where the history of `project` is, or `None` when recording is off.
pub fn place(
    global: &GlobalArgs,
    loaded: &LoadedConfig,
    project: &Path,
) -> anyhow::Result<Option<Place>> {
    if global.no_history || loaded.config.history.enabled == Some(false) && global.history.is_none()
    {
        return Ok(None);
    }
    let given = global
        .history
        .as_ref()
        .map(|path| path.to_string_lossy().into_owned())
        .or_else(|| loaded.config.history.path.clone());
    match given {
        Some(text) if vibeguard_history::postgres::is_url(&text) => {
            // Credentials come from the environment (`${HISTORY_PASSWORD}`, or PGPASSWORD).
            let url = vibeguard_api::identity::interpolate(&text, &|name| std::env::var(name).ok())
                .map_err(|reason| {
                    anyhow::anyhow!(
                        "the history URL {}: {reason}",
                        vibeguard_history::postgres::without_password(&text)
                    )
                })?;
            Ok(Some(Place::Database(url)))
        }
        Some(path) if global.history.is_some() => Ok(Some(Place::File(PathBuf::from(path)))),
        Some(path) => Ok(Some(Place::File(project.join(path)))),
        None => Ok(Some(Place::File(project.join(DEFAULT_PATH)))),
    }
}

/// Opens the history at `place` (creating a file that does not exist).
pub fn open(place: &Place) -> anyhow::Result<Box<dyn HistoryStore>> {
    Ok(match place {
        Place::File(path) => Box::new(SqliteStore::open(path)?),
        Place::Database(url) => Box::new(PostgresStore::connect(url)?),
    })
}

/// How the runs of `project` are named in the history: its canonical path.
pub fn project_key(project: &Path) -> String {
    project
        .canonicalize()
        .unwrap_or_else(|_| project.to_path_buf())
        .display()
        .to_string()
}

/// The runs of `project` (any target).
pub fn scope(project: &Path) -> RunFilter {
    RunFilter {
        project: Some(project_key(project)),
        ..RunFilter::default()
    }
}

/// The deployment label: `--label`, `[history] label`, `VIBEGUARD_LABEL`, GitLab's
/// `CI_ENVIRONMENT_NAME`.
pub fn label(global: &GlobalArgs, loaded: &LoadedConfig) -> Option<String> {
    global
        .label
        .clone()
        .or_else(|| loaded.config.history.label.clone())
        .or_else(|| env("VIBEGUARD_LABEL"))
        .or_else(|| env("CI_ENVIRONMENT_NAME"))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// What a run records beyond its report.
pub fn meta(global: &GlobalArgs, loaded: &LoadedConfig, project: &Path) -> RunMeta {
    let (commit, branch) = git_head(project);
    RunMeta {
        project: project_key(project),
        label: label(global, loaded),
        // CI checks out a detached commit: its variables name the commit and the branch.
        commit: env("GITHUB_SHA")
            .or_else(|| env("CI_COMMIT_SHA"))
            .or(commit),
        branch: env("GITHUB_HEAD_REF")
            .or_else(|| env("GITHUB_REF_NAME"))
            .or_else(|| env("CI_COMMIT_REF_NAME"))
            .or(branch),
    }
}

/// The commit and branch of the repository `project` is in, read from `.git` (no git needed).
fn git_head(project: &Path) -> (Option<String>, Option<String>) {
    let Ok(start) = project.canonicalize() else {
        return (None, None);
    };
    let Some(git) = start
        .ancestors()
        .map(|dir| dir.join(".git"))
        .find(|git| git.is_dir())
    else {
        return (None, None);
    };
    let Ok(head) = std::fs::read_to_string(git.join("HEAD")) else {
        return (None, None);
    };
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref: ") else {
        return (is_hash(head).then(|| head.to_string()), None);
    };
    let branch = reference.strip_prefix("refs/heads/").map(str::to_string);
    let loose = std::fs::read_to_string(git.join(reference))
        .ok()
        .map(|text| text.trim().to_string());
    let packed = || {
        let text = std::fs::read_to_string(git.join("packed-refs")).ok()?;
        text.lines().find_map(|line| {
            let (hash, name) = line.split_once(' ')?;
            (name == reference).then(|| hash.to_string())
        })
    };
    (loose.or_else(packed).filter(|hash| is_hash(hash)), branch)
}

fn is_hash(text: &str) -> bool {
    (40..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// The comparison an audit asked for with `--compare-to`, resolved before the run is recorded
/// (so `latest` is the run before this one).
pub struct Comparison {
    /// The reference run.
    pub base: RunRecord,
    /// What changed.
    pub diff: RunDiff,
}

/// Compares `report` with the run `reference` names in `store`.
pub fn compare(
    store: &dyn HistoryStore,
    project: &Path,
    reference: &str,
    head: &RunRecord,
) -> anyhow::Result<Comparison> {
    let id = RunRef::parse(reference).resolve(store, &scope(project))?;
    let base = store
        .run(id)?
        .ok_or_else(|| anyhow::anyhow!("run {id} vanished from the history"))?;
    let diff = vibeguard_history::diff(&base, head);
    Ok(Comparison { base, diff })
}

/// Names a run in one phrase: `run 12 (staging, 2026-12-07 09:14)`.
pub fn describe(run: &RunRecord) -> String {
    let when = run.started_at.strftime("%Y-%m-%d %H:%M UTC");
    match &run.meta.label {
        Some(label) => format!("run {} ({label}, {when})", run.id),
        None => format!("run {} ({when})", run.id),
    }
}

/// The comparison for people: one summary line, then the new findings and the regressed items.
pub fn print_comparison(comparison: &Comparison) {
    let diff = &comparison.diff;
    eprintln!(
        "since {}: {} new, {} fixed, {} still open; checklist {} regressed, {} improved",
        describe(&comparison.base),
        diff.new.len(),
        diff.fixed.len(),
        diff.unchanged.len(),
        diff.regressed.len(),
        diff.improved.len()
    );
    for finding in &diff.new {
        eprintln!(
            "  new   {} {} {} {}",
            finding.severity, finding.code, finding.location, finding.message
        );
    }
    for change in &diff.regressed {
        eprintln!("  worse {} {} → {}", change.id, change.before, change.after);
    }
}

/// Records `report` in the history at `place`; returns the run's id.
pub fn record(store: &mut dyn HistoryStore, report: &Report, meta: RunMeta) -> anyhow::Result<i64> {
    Ok(store.record(&RunRecord::of(report, meta))?)
}

/// The comparison as the reports carry it.
pub fn since_of(comparison: &Comparison) -> vibeguard_core::Since {
    let diff = &comparison.diff;
    let change = |c: &vibeguard_history::ItemChange| vibeguard_core::ItemChange {
        id: c.id.clone(),
        before: c.before.clone(),
        after: c.after.clone(),
    };
    vibeguard_core::Since {
        reference: describe(&comparison.base),
        new: diff
            .new
            .iter()
            .map(|f| vibeguard_core::Fingerprint(f.fingerprint.clone()))
            .collect(),
        fixed: diff
            .fixed
            .iter()
            .map(|f| vibeguard_core::FixedFinding {
                code: f.code.clone(),
                severity: f.severity.clone(),
                location: f.location.clone(),
                message: f.message.clone(),
            })
            .collect(),
        unchanged: diff.unchanged.len(),
        regressed: diff.regressed.iter().map(change).collect(),
        improved: diff.improved.iter().map(change).collect(),
    }
}

/// Runs in a report's trend: this one and the ones before it.
pub const TREND_RUNS: usize = 20;

/// The trend of `report`: the last recorded runs of the same project and target, oldest
/// first, then this run. Empty when the history cannot be read.
pub fn trend(
    store: &dyn HistoryStore,
    project: &Path,
    report: &Report,
) -> Vec<vibeguard_core::TrendPoint> {
    let Ok(runs) = store.runs(&scope(project)) else {
        return Vec::new();
    };
    let mut points: Vec<vibeguard_core::TrendPoint> = runs
        .into_iter()
        // The same target (or none for both): another target's runs are another trend.
        .filter(|run| run.target == report.inputs.target)
        .take(TREND_RUNS - 1)
        .map(|run| vibeguard_core::TrendPoint {
            run: run.id,
            started_at: run.started_at,
            active: run.active,
            checklist_passed: run.checklist_passed,
        })
        .collect();
    points.reverse();
    let active = &report.summary.active;
    points.push(vibeguard_core::TrendPoint {
        run: 0,
        started_at: report.started_at,
        active: [
            active.critical,
            active.high,
            active.medium,
            active.low,
            active.info,
        ],
        checklist_passed: report.summary.checklist.passed,
    });
    points
}
