//! `vibeguard show N|FINGERPRINT` and `vibeguard brief [N|FINGERPRINT…]`: one finding of the
//! last audit in full, and fix briefs for a coding assistant. Both read the last run the audit
//! stored (of a project, or the most recent of any), or a saved JSON report, and number the
//! findings as the terminal report does.

use std::path::Path;

use anyhow::{Context, bail};
use vibeguard_core::{Finding, FindingState, Report, Severity};
use vibeguard_report::{RenderOptions, display_order};

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::{last_run, outputs};

/// Prints one finding in full.
pub fn show(
    global: &GlobalArgs,
    wanted: &str,
    project: Option<&Path>,
    report_file: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let report = load(project, report_file)?;
    let numbered = numbered(&report);
    let (number, finding) = find(&numbered, wanted)?;
    let options = RenderOptions {
        color: outputs::stdout_color(global.no_color),
        ..RenderOptions::default()
    };
    outputs::print_stdout(&format!(
        "{}\n{}",
        heading(&report),
        vibeguard_report::formats::terminal::render_finding(number, finding, &options)
    ));
    Ok(Outcome::Passed)
}

/// Prints fix briefs: the findings asked for, else every active one at or above `severity`
/// (by default high; `--all`: every active finding).
pub fn brief(
    global: &GlobalArgs,
    wanted: &[String],
    severity: Option<Severity>,
    project: Option<&Path>,
    report_file: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let report = load(project, report_file)?;
    let numbered = numbered(&report);
    let chosen: Vec<(usize, &Finding)> = if wanted.is_empty() {
        let least = if global.all {
            Severity::Info
        } else {
            severity.unwrap_or(Severity::High)
        };
        numbered
            .iter()
            .filter(|(_, f)| f.state == FindingState::Active && !f.test_code)
            .filter(|(_, f)| f.severity >= least)
            .copied()
            .collect()
    } else {
        wanted
            .iter()
            .map(|one| find(&numbered, one))
            .collect::<anyhow::Result<_>>()?
    };
    outputs::print_stdout(&vibeguard_report::formats::brief::render_chosen(
        &report, &chosen,
    ));
    Ok(Outcome::Passed)
}

fn load(project: Option<&Path>, report_file: Option<&Path>) -> anyhow::Result<Report> {
    if let Some(file) = report_file {
        return super::read_json_report(file);
    }
    match project {
        Some(path) => last_run::load(path).with_context(|| {
            format!(
                "no stored audit of {}: run `vibeguard audit {}` first",
                path.display(),
                path.display()
            )
        }),
        None => last_run::load_latest()
            .context("no stored audit: run `vibeguard audit` (or `vibeguard demo`) first"),
    }
}

fn numbered(report: &Report) -> Vec<(usize, &Finding)> {
    display_order(report)
        .into_iter()
        .enumerate()
        .map(|(index, finding)| (index + 1, finding))
        .collect()
}

/// A finding by its number, or by its fingerprint or an unambiguous prefix of it.
fn find<'a>(
    numbered: &[(usize, &'a Finding)],
    wanted: &str,
) -> anyhow::Result<(usize, &'a Finding)> {
    let wanted = wanted.trim().trim_start_matches('#');
    if let Ok(number) = wanted.parse::<usize>() {
        return match numbered.iter().find(|(n, _)| *n == number) {
            Some(found) => Ok(*found),
            None => bail!(
                "there is no finding {number}: the last audit has {} (numbered as its terminal report)",
                numbered.len()
            ),
        };
    }
    if wanted.len() < 6 {
        bail!("`{wanted}` is neither a finding's number nor a fingerprint (6 characters at least)");
    }
    let matching: Vec<&(usize, &Finding)> = numbered
        .iter()
        .filter(|(_, f)| f.fingerprint.as_str().starts_with(wanted))
        .collect();
    match matching.as_slice() {
        [one] => Ok(**one),
        [] => bail!("no finding of the last audit has the fingerprint `{wanted}`"),
        many => bail!(
            "the fingerprint `{wanted}` is ambiguous: findings {} share it; give more characters",
            many.iter()
                .map(|(n, _)| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn heading(report: &Report) -> String {
    format!(
        "From the audit of {} at {}:\n",
        [
            report.inputs.project.as_deref(),
            report.inputs.target.as_deref()
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" + "),
        report.finished_at
    )
}
