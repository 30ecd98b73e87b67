//! `vibeguard diff [BASE] [HEAD]` (or `--label PATTERN`: every matching label's latest run
//! against its previous one): two recorded runs compared — new, fixed and still open
//! findings by fingerprint, checklist items that regressed or improved — in the terminal, as
//! JSON, or as Markdown for a pull-request comment. Exits 1 when a new finding is at or above
//! `--fail-on`, like the audit it stands for.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use vibeguard_history::{RunDiff, RunRecord, RunRef, StoredFinding};
use vibeguard_report::Format;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::history;

/// The longest list a Markdown section shows before it counts the rest.
const MARKDOWN_ROWS: usize = 50;

/// The JSON output: both runs whole, then what changed.
#[derive(Serialize)]
struct DiffOutput<'a> {
    base: &'a RunRecord,
    head: &'a RunRecord,
    new: &'a [StoredFinding],
    fixed: &'a [StoredFinding],
    unchanged: &'a [StoredFinding],
    regressed: &'a [vibeguard_history::ItemChange],
    improved: &'a [vibeguard_history::ItemChange],
}

/// Runs `vibeguard diff`.
pub fn run(
    global: &GlobalArgs,
    project: &Path,
    base: Option<&str>,
    head: Option<&str>,
) -> anyhow::Result<Outcome> {
    let (_, store) = super::history::open_existing(global, project)?;
    let store = store.as_ref();
    if let (Some(pattern), None, None) = (&global.label, base, head) {
        return fan_out(global, store, pattern);
    }
    let scope = history::scope(project);
    let head_id = RunRef::parse(head.unwrap_or("latest")).resolve(store, &scope)?;
    let base_id = match base {
        Some(base) => RunRef::parse(base).resolve(store, &scope)?,
        // The run before the head, of the same target.
        None => {
            let head_run = store.run(head_id)?.context("the head run vanished")?;
            let filter = vibeguard_history::RunFilter {
                target: head_run.target.clone(),
                ..scope.clone()
            };
            store
                .runs(&filter)?
                .into_iter()
                .map(|run| run.id)
                .find(|id| *id < head_id)
                .with_context(|| {
                    format!("no run of the same project and target before run {head_id}: nothing to compare with")
                })?
        }
    };
    let base = store.run(base_id)?.context("the base run vanished")?;
    let head = store.run(head_id)?.context("the head run vanished")?;
    let diff = vibeguard_history::diff(&base, &head);
    match super::listing_format(global)? {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&DiffOutput {
                base: &base,
                head: &head,
                new: &diff.new,
                fixed: &diff.fixed,
                unchanged: &diff.unchanged,
                regressed: &diff.regressed,
                improved: &diff.improved,
            })?
        ),
        Format::Markdown => print!("{}", markdown(&base, &head, &diff)),
        _ => print!("{}", terminal(&base, &head, &diff)),
    }
    let fail_on = global.fail_on.unwrap_or_default();
    let gating = diff.new_gating(fail_on.threshold().map(|s| s.as_str()));
    Ok(if gating.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}

/// `vibeguard diff --label 'svc-*'`: for every label the pattern matches, in any project (a CI
/// matrix of services recording into one history), its latest run against the run before it
/// with the same label and target. Exits 1 when any of them has a new finding that gates.
fn fan_out(
    global: &GlobalArgs,
    store: &dyn vibeguard_history::HistoryStore,
    pattern: &str,
) -> anyhow::Result<Outcome> {
    let runs = store.runs(&vibeguard_history::RunFilter {
        label: Some(pattern.to_string()),
        ..vibeguard_history::RunFilter::default()
    })?;
    if runs.is_empty() {
        anyhow::bail!(
            "no run labelled `{pattern}` in the history (`vibeguard history` lists the runs and their labels)"
        );
    }
    let mut labels: Vec<&str> = runs.iter().filter_map(|run| run.label.as_deref()).collect();
    labels.sort_unstable();
    labels.dedup();
    let format = super::listing_format(global)?;
    let threshold = global.fail_on.unwrap_or_default().threshold();
    let mut gating = 0;
    let mut json = Vec::new();
    for label in labels {
        let mut of_label = runs
            .iter()
            .filter(|run| run.label.as_deref() == Some(label));
        let Some(latest) = of_label.next() else {
            continue;
        };
        let head = store.run(latest.id)?.context("the run vanished")?;
        let Some(before) = of_label.find(|run| run.target == latest.target) else {
            match format {
                Format::Json => {
                    json.push(serde_json::json!({ "label": label, "head": head.id, "base": null }))
                }
                Format::Markdown => println!(
                    "### {label}: run {} is its first; nothing to compare with\n",
                    head.id
                ),
                _ => println!(
                    "{label}: run {} is its first; nothing to compare with\n",
                    head.id
                ),
            }
            continue;
        };
        let base = store.run(before.id)?.context("the run vanished")?;
        let diff = vibeguard_history::diff(&base, &head);
        gating += diff.new_gating(threshold.map(|s| s.as_str())).len();
        match format {
            Format::Json => json.push(serde_json::json!({
                "label": label,
                "base": base.id,
                "head": head.id,
                "new": diff.new,
                "fixed": diff.fixed,
                "unchanged": diff.unchanged.len(),
                "regressed": diff.regressed,
                "improved": diff.improved,
            })),
            Format::Markdown => print!("{}", markdown(&base, &head, &diff)),
            _ => {
                println!("== {label}");
                print!("{}", terminal(&base, &head, &diff));
                println!();
            }
        }
    }
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&json)?);
    }
    Ok(if gating == 0 {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}

fn terminal(base: &RunRecord, head: &RunRecord, diff: &RunDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} compared with {}",
        history::describe(head),
        history::describe(base)
    );
    let _ = writeln!(
        out,
        "{} new, {} fixed, {} still open; checklist {} regressed, {} improved",
        diff.new.len(),
        diff.fixed.len(),
        diff.unchanged.len(),
        diff.regressed.len(),
        diff.improved.len()
    );
    let mut section = |title: &str, findings: &[StoredFinding]| {
        if !findings.is_empty() {
            let _ = writeln!(out, "{title}:");
            for f in findings {
                let _ = writeln!(
                    out,
                    "  {:<8} {} {} {}",
                    f.severity, f.code, f.location, f.message
                );
            }
        }
    };
    section("new", &diff.new);
    section("fixed", &diff.fixed);
    for (title, changes) in [("regressed", &diff.regressed), ("improved", &diff.improved)] {
        if !changes.is_empty() {
            let _ = writeln!(out, "{title}:");
            for change in changes {
                let _ = writeln!(
                    out,
                    "  {:<10} {} → {}",
                    change.id, change.before, change.after
                );
            }
        }
    }
    out
}

/// Markdown cell text: pipes and line breaks would break the table, and `<` would be HTML.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
}

fn markdown(base: &RunRecord, head: &RunRecord, diff: &RunDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### vibeguard: {} since {}\n",
        cell(&history::describe(head)),
        cell(&history::describe(base))
    );
    let _ = writeln!(
        out,
        "| New | Fixed | Still open | Checklist regressed | Checklist improved |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n",
        diff.new.len(),
        diff.fixed.len(),
        diff.unchanged.len(),
        diff.regressed.len(),
        diff.improved.len()
    );
    let table = |out: &mut String, title: &str, findings: &[StoredFinding], open: bool| {
        if findings.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "<details{}><summary>{title} ({})</summary>\n\n| Severity | Rule | Where | What |\n|---|---|---|---|",
            if open { " open" } else { "" },
            findings.len()
        );
        for f in findings.iter().take(MARKDOWN_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} |",
                f.severity,
                f.code,
                f.location.replace('`', "'"),
                cell(&f.message)
            );
        }
        if findings.len() > MARKDOWN_ROWS {
            let _ = writeln!(
                out,
                "\nand {} more: `vibeguard diff {} {}`",
                findings.len() - MARKDOWN_ROWS,
                base.id,
                head.id
            );
        }
        let _ = writeln!(out, "\n</details>\n");
    };
    table(&mut out, "New findings", &diff.new, true);
    table(&mut out, "Fixed", &diff.fixed, false);
    if !diff.regressed.is_empty() || !diff.improved.is_empty() {
        let _ = writeln!(out, "| Checklist item | Before | Now |\n|---|---|---|");
        for change in diff.regressed.iter().chain(&diff.improved) {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                change.id, change.before, change.after
            );
        }
    }
    out
}
