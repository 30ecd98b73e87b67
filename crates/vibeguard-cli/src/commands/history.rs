//! `vibeguard history`: the runs recorded in the project's history — listed (terminal table or
//! JSON), one shown in full, old ones pruned.

use std::path::Path;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use vibeguard_history::{HistoryStore, Prune, RunFilter, RunRef};
use vibeguard_report::Format;

use crate::Outcome;
use crate::cli::{GlobalArgs, HistoryAction};
use crate::{config, history, registry};

/// Runs `vibeguard history [ACTION]`.
pub fn run(
    global: &GlobalArgs,
    project: &Path,
    action: Option<&HistoryAction>,
) -> anyhow::Result<Outcome> {
    let (place, mut store) = open_existing(global, project)?;
    let format = super::listing_format(global)?;
    match action {
        None => list(store.as_ref(), global, project, None, None, 50, format),
        Some(HistoryAction::List {
            branch,
            since,
            limit,
        }) => list(
            store.as_ref(),
            global,
            project,
            branch.clone(),
            since.as_deref().map(parse_when).transpose()?,
            *limit,
            format,
        ),
        Some(HistoryAction::Show { run }) => {
            let id = RunRef::parse(run).resolve(store.as_ref(), &history::scope(project))?;
            let record = store
                .run(id)?
                .with_context(|| format!("run {id} is not in the history"))?;
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&record)?);
                return Ok(Outcome::Passed);
            }
            println!("{}", history::describe(&record));
            println!(
                "  vibeguard {}  project {}",
                record.version, record.meta.project
            );
            if let Some(target) = &record.target {
                println!("  target    {target}");
            }
            if let Some(commit) = &record.meta.commit {
                let branch = record.meta.branch.as_deref().unwrap_or("-");
                println!(
                    "  commit    {} on {branch}",
                    &commit[..commit.len().min(12)]
                );
            }
            for coverage in &record.coverage {
                println!(
                    "  {:<9} {} files, {} packages, {} operations, {} requests",
                    coverage.engine,
                    coverage.files,
                    coverage.packages,
                    coverage.operations,
                    coverage.requests
                );
            }
            println!(
                "  gate      fail on {}: {}",
                record.fail_on,
                if record.passed { "passed" } else { "failed" }
            );
            println!("findings ({}):", record.findings.len());
            for finding in &record.findings {
                println!(
                    "  {:<8} {} {} {}{}",
                    finding.severity,
                    finding.code,
                    finding.location,
                    finding.message,
                    if finding.is_active() {
                        String::new()
                    } else {
                        format!(" [{}]", finding.state)
                    }
                );
            }
            println!("checklist:");
            for item in &record.checklist {
                println!("  {:<10} {}", item.id, item.status);
            }
            Ok(Outcome::Passed)
        }
        Some(HistoryAction::Prune { keep, older_than }) => {
            let rule = match (keep, older_than) {
                (Some(keep), _) => Prune::Keep(*keep),
                (None, Some(when)) => Prune::OlderThan(parse_when(when)?),
                (None, None) => anyhow::bail!("give --keep N or --older-than WHEN"),
            };
            let deleted = store.prune(rule)?;
            eprintln!("{deleted} run(s) deleted from {place}");
            Ok(Outcome::Passed)
        }
    }
}

/// The project's history, which must exist already (reading never creates a file).
pub fn open_existing(
    global: &GlobalArgs,
    project: &Path,
) -> anyhow::Result<(history::Place, Box<dyn HistoryStore>)> {
    let loaded = config::load(global.config.as_deref(), project, &registry::all_rules())
        .context("invalid configuration")?;
    let place = history::place(global, &loaded, project)?.with_context(|| {
        "the run history is off (--no-history, or [history] enabled = false)".to_string()
    })?;
    if let history::Place::File(path) = &place
        && !path.exists()
    {
        anyhow::bail!(
            "no run history at {}: every `vibeguard audit` of the project records one (or give --history FILE|URL)",
            path.display()
        );
    }
    let store = history::open(&place)?;
    Ok((place, store))
}

fn list(
    store: &dyn HistoryStore,
    global: &GlobalArgs,
    project: &Path,
    branch: Option<String>,
    since: Option<Timestamp>,
    limit: usize,
    format: Format,
) -> anyhow::Result<Outcome> {
    let filter = RunFilter {
        label: global.label.clone(),
        target: global.target.clone(),
        branch,
        since,
        limit: Some(limit),
        ..history::scope(project)
    };
    let runs = store.runs(&filter)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&runs)?),
        _ => {
            if runs.is_empty() {
                println!("no runs recorded yet for these filters");
            } else {
                println!(
                    "{:>5}  {:<17}  {:<12}  {:<12}  {:<9}  {:>4} {:>4} {:>4} {:>4}  {:>6}  target",
                    "run",
                    "started (UTC)",
                    "label",
                    "branch",
                    "commit",
                    "crit",
                    "high",
                    "med",
                    "low",
                    "passed"
                );
            }
            for run in &runs {
                println!(
                    "{:>5}  {:<17}  {:<12}  {:<12}  {:<9}  {:>4} {:>4} {:>4} {:>4}  {:>6}  {}",
                    run.id,
                    run.started_at.strftime("%Y-%m-%d %H:%M"),
                    run.label.as_deref().unwrap_or("-"),
                    run.branch.as_deref().unwrap_or("-"),
                    run.commit.as_deref().map_or("-", |c| &c[..c.len().min(9)]),
                    run.active[0],
                    run.active[1],
                    run.active[2],
                    run.active[3],
                    run.checklist_passed,
                    run.target.as_deref().unwrap_or("-")
                );
            }
        }
    }
    Ok(Outcome::Passed)
}

/// A moment: a date (`2026-12-01`), a timestamp, or a span back from now (`7d`, `12h`, `30m`).
pub fn parse_when(text: &str) -> anyhow::Result<Timestamp> {
    let text = text.trim();
    if let Some((number, unit)) = text
        .find(|c: char| !c.is_ascii_digit())
        .map(|at| text.split_at(at))
        && let Ok(count) = number.parse::<i64>()
    {
        let seconds = match unit {
            "d" | "days" => 86_400,
            "h" | "hours" => 3_600,
            "m" | "min" => 60,
            "w" | "weeks" => 7 * 86_400,
            _ => 0,
        };
        if seconds > 0 {
            return Ok(Timestamp::now() - SignedDuration::from_secs(count * seconds));
        }
    }
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Ok(timestamp);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return Ok(date.to_zoned_datetime(jiff::tz::TimeZone::UTC)?.timestamp());
    }
    anyhow::bail!("`{text}` is not a date (2026-12-01) or a span back from now (7d, 12h, 30m)")
}
