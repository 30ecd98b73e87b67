//! The human-readable report. By default one screen: a header (what was audited, coverage,
//! time), the critical and high findings one line each (numbered: `vibeguard show N` prints
//! one in full), the others counted per rule, the failed scenarios, the checklist verdict as
//! lists of item ids, and the summary. `--all` lists every finding on its line; `-v` prints
//! every finding with its evidence (request and answer, code frame, data flow) and the
//! checklist item by item. Colour only when asked for (a TTY without `NO_COLOR`); the text is
//! the same either way.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use vibeguard_core::{
    CaseOutcome, ChecklistStatus, Evidence, Finding, FindingState, Report, Severity,
};

use super::RenderOptions;
use crate::text::{
    coverage_label, display_order, duration_label, location_label, one_line, outcome_label,
    terminal_safe as safe, unchecked_label,
};

/// Findings a severity lists before it counts the rest, unless `--all` or `--list-limit`.
pub const DEFAULT_LIST_LIMIT: usize = 100;

/// Width the packed lists (rule counts, checklist ids) wrap at, and a one-line message is cut to.
const WIDTH: usize = 110;

/// Renders the report for a terminal.
pub fn render(report: &Report, options: &RenderOptions) -> String {
    let paint = Painter {
        color: options.color,
    };
    let mut out = String::new();
    if !options.quiet {
        header(&mut out, report, &paint);
        if options.verbose {
            findings_in_full(&mut out, report, &paint);
        } else {
            findings_one_line(&mut out, report, &paint, options);
        }
        errors(&mut out, report, &paint, options);
        tests(&mut out, report, &paint, options.verbose);
        if options.verbose {
            checklist(&mut out, report, &paint, true);
        } else {
            checklist_compact(&mut out, report, &paint);
        }
        if !options.verbose && !report.findings.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                paint.dim(
                    "One finding in full: vibeguard show N · all with evidence: -v · a fix brief for your assistant: vibeguard brief N"
                )
            );
        }
    }
    summary(&mut out, report, &paint);
    out
}

/// Only the checklist verdict and the summary line (for `vibeguard checklist`).
pub fn render_verdict(report: &Report, options: &RenderOptions) -> String {
    let paint = Painter {
        color: options.color,
    };
    let mut out = String::new();
    checklist(&mut out, report, &paint, options.verbose);
    summary(&mut out, report, &paint);
    out
}

/// One finding in full, numbered as the report numbers it (`vibeguard show`).
pub fn render_finding(number: usize, finding: &Finding, options: &RenderOptions) -> String {
    let paint = Painter {
        color: options.color,
    };
    let mut out = String::new();
    finding_block(&mut out, Some(number), finding, &paint);
    let _ = writeln!(
        out,
        "    {} {} {}",
        paint.dim("checklist:"),
        finding
            .checklist
            .iter()
            .map(|id| id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        paint.dim(&format!("· fingerprint {}", finding.fingerprint))
    );
    out
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity, text: &str) -> String {
        let color = match severity {
            Severity::Critical => AnsiColor::Magenta,
            Severity::High => AnsiColor::Red,
            Severity::Medium => AnsiColor::Yellow,
            Severity::Low => AnsiColor::Blue,
            Severity::Info => AnsiColor::White,
        };
        self.paint(Style::new().fg_color(Some(color.into())).bold(), text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
}

fn header(out: &mut String, report: &Report, paint: &Painter) {
    let target = [
        report.inputs.project.as_deref(),
        report.inputs.image.as_deref(),
        report.inputs.target.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" + ");
    let _ = writeln!(
        out,
        "{} {} audit of {} ({}) in {}",
        paint.bold(&report.tool.name),
        report.tool.version,
        if target.is_empty() {
            "nothing".into()
        } else {
            safe(&target)
        },
        coverage_label(report),
        duration_label(report)
    );
    out.push('\n');
}

/// Whether the default view shows a finding (suppressed ones only with `-v`).
fn shown(finding: &Finding) -> bool {
    !matches!(finding.state, FindingState::Suppressed { .. })
}

/// The default view: critical and high findings one line each (every finding with `--all`),
/// the others counted per rule; test code last and apart, counted per rule.
fn findings_one_line(out: &mut String, report: &Report, paint: &Painter, options: &RenderOptions) {
    let numbered: Vec<(usize, &Finding)> = display_order(report)
        .into_iter()
        .enumerate()
        .map(|(index, finding)| (index + 1, finding))
        .filter(|(_, finding)| shown(finding))
        .collect();
    if numbered.is_empty() {
        let _ = writeln!(out, "No findings.\n");
        return;
    }
    let limit = if options.all {
        usize::MAX
    } else {
        options.list_limit.unwrap_or(DEFAULT_LIST_LIMIT)
    };
    for severity in Severity::ALL_DESCENDING {
        let group: Vec<(usize, &Finding)> = numbered
            .iter()
            .filter(|(_, f)| f.severity == severity && !f.test_code)
            .copied()
            .collect();
        if group.is_empty() {
            continue;
        }
        let title = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        if options.all || severity >= Severity::High {
            let _ = writeln!(out, "{}", paint.severity(severity, &title));
            for (number, finding) in group.iter().take(limit) {
                finding_line(out, *number, finding, paint);
            }
            if group.len() > limit {
                let _ = writeln!(
                    out,
                    "  {}",
                    paint.dim(&format!("… and {} more: --all", group.len() - limit))
                );
            }
        } else {
            let _ = writeln!(
                out,
                "{} {}",
                paint.severity(severity, &title),
                paint.dim("— per rule; --all lists each")
            );
            per_rule(out, &group, paint);
        }
        out.push('\n');
    }
    // Test code last and apart: it is not what runs in production.
    let in_tests: Vec<(usize, &Finding)> = numbered
        .iter()
        .filter(|(_, f)| f.test_code)
        .copied()
        .collect();
    if !in_tests.is_empty() {
        let title = format!(
            "IN TEST CODE ({}) — info, not counted in the checklist; --skip-tests leaves them out",
            in_tests.len()
        );
        let _ = writeln!(out, "{}", paint.dim(&title));
        if options.all {
            for (number, finding) in &in_tests {
                finding_line(out, *number, finding, paint);
            }
        } else {
            per_rule(out, &in_tests, paint);
        }
        out.push('\n');
    }
}

/// `  12 VG402 DELETE /api/tasks/{id}  bob deleted alice's object`
fn finding_line(out: &mut String, number: usize, finding: &Finding, paint: &Painter) {
    let location = location_label(finding);
    let state = state_label(finding, paint);
    let room = WIDTH.saturating_sub(location.chars().count() + 14).max(40);
    let _ = writeln!(
        out,
        "{number:>5} {} {}  {}{state}",
        paint.severity(finding.severity, &finding.code),
        paint.bold(&safe(&location)),
        safe(&one_line(&finding.message, room))
    );
}

/// The rules of a group with their counts, packed onto as few lines as fit the width:
/// `  VG417 resource-limits 12 · VG121 missing-security-headers 3`.
fn per_rule(out: &mut String, group: &[(usize, &Finding)], paint: &Painter) {
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for (_, finding) in group {
        match counts.iter_mut().find(|(code, _, _)| *code == finding.code) {
            Some((_, _, count)) => *count += 1,
            None => counts.push((&finding.code, &finding.name, 1)),
        }
    }
    counts.sort_by(|a, b| a.0.cmp(b.0));
    let items: Vec<String> = counts
        .iter()
        .map(|(code, name, count)| format!("{code} {name} {count}"))
        .collect();
    for line in packed(&items, " · ", WIDTH) {
        let _ = writeln!(out, "  {}", paint.dim(&line));
    }
}

/// Joins items with `separator` into lines no longer than `width` (an item longer than the
/// width has a line of its own).
fn packed(items: &[String], separator: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && line.chars().count() + separator.len() + item.chars().count() > width
        {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(separator);
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `-v`: every finding with its evidence, grouped by severity, test code last.
fn findings_in_full(out: &mut String, report: &Report, paint: &Painter) {
    let numbered: Vec<(usize, &Finding)> = display_order(report)
        .into_iter()
        .enumerate()
        .map(|(index, finding)| (index + 1, finding))
        .collect();
    if numbered.is_empty() {
        let _ = writeln!(out, "No findings.\n");
        return;
    }
    for severity in Severity::ALL_DESCENDING {
        let group: Vec<&(usize, &Finding)> = numbered
            .iter()
            .filter(|(_, f)| f.severity == severity && !f.test_code)
            .collect();
        if group.is_empty() {
            continue;
        }
        let title = format!("{} ({})", severity.as_str().to_uppercase(), group.len());
        let _ = writeln!(out, "{}", paint.severity(severity, &title));
        for (number, finding) in group {
            finding_block(out, Some(*number), finding, paint);
        }
        out.push('\n');
    }
    let in_tests: Vec<&(usize, &Finding)> = numbered.iter().filter(|(_, f)| f.test_code).collect();
    if !in_tests.is_empty() {
        let title = format!(
            "IN TEST CODE ({}) — info, not counted in the checklist; --skip-tests leaves them out",
            in_tests.len()
        );
        let _ = writeln!(out, "{}", paint.dim(&title));
        for (number, finding) in in_tests {
            finding_block(out, Some(*number), finding, paint);
        }
        out.push('\n');
    }
}

fn state_label(finding: &Finding, paint: &Painter) -> String {
    match &finding.state {
        FindingState::Active => String::new(),
        FindingState::Baselined => format!(" {}", paint.dim("[baselined]")),
        FindingState::Suppressed { reason } if reason.is_empty() => {
            format!(" {}", paint.dim("[suppressed]"))
        }
        FindingState::Suppressed { reason } => {
            format!(" {}", paint.dim(&format!("[suppressed: {}]", safe(reason))))
        }
    }
}

fn finding_block(out: &mut String, number: Option<usize>, finding: &Finding, paint: &Painter) {
    let state = state_label(finding, paint);
    let number = number
        .map(|n| format!("{n:>3}. "))
        .unwrap_or_else(|| "  ".into());
    let _ = writeln!(
        out,
        "{number}{} {}  {}{state}",
        paint.severity(finding.severity, &finding.code),
        finding.name,
        paint.bold(&safe(&location_label(finding)))
    );
    let _ = writeln!(out, "    {}", safe(&finding.message));
    for evidence in &finding.evidence {
        match evidence {
            Evidence::Code(frame) => {
                let width = frame
                    .numbered_lines()
                    .last()
                    .map_or(1, |(number, _)| number.to_string().len());
                for (number, line) in frame.numbered_lines() {
                    let marker = if frame.is_highlighted(number) {
                        ">"
                    } else {
                        " "
                    };
                    let gutter = format!("{marker} {number:>width$} |");
                    let gutter = if frame.is_highlighted(number) {
                        paint.severity(finding.severity, &gutter)
                    } else {
                        paint.dim(&gutter)
                    };
                    let _ = writeln!(out, "    {gutter} {}", safe(line));
                }
            }
            Evidence::Text { label, text } => {
                // Continuation lines line up under the first, so multi-line evidence (an
                // advisory, a dependency path) stays inside its finding.
                let indent = " ".repeat(label.chars().count() + 6);
                let text = safe(text).replace('\n', &format!("\n{indent}"));
                let _ = writeln!(
                    out,
                    "    {} {}",
                    paint.dim(&format!("{}:", safe(label))),
                    text
                );
            }
            Evidence::Http {
                request,
                response,
                curl,
            } => {
                for (label, text) in [("request", request), ("response", response)] {
                    let _ = writeln!(out, "    {}", paint.dim(&format!("{label}:")));
                    for line in text.lines().take(12) {
                        let _ = writeln!(out, "      {}", safe(line));
                    }
                }
                if let Some(curl) = curl {
                    // The comment naming the variables to set, then the command itself, each
                    // on its own line so that both can be copied as they are.
                    let _ = writeln!(out, "    {}", paint.dim("reproduce:"));
                    for line in curl.lines() {
                        let _ = writeln!(out, "      {}", safe(line));
                    }
                }
            }
        }
    }
    if !finding.flow.is_empty() {
        let steps: Vec<String> = finding
            .flow
            .iter()
            .map(|step| format!("{}:{} {}", step.path, step.span.start_line, step.note))
            .collect();
        let _ = writeln!(
            out,
            "    {} {}",
            paint.dim("flow:"),
            safe(&steps.join(" → "))
        );
    }
    let _ = writeln!(out, "    {} {}", paint.dim("fix:"), safe(&finding.fix));
}

fn errors(out: &mut String, report: &Report, paint: &Painter, options: &RenderOptions) {
    let all: Vec<String> = report
        .engines
        .iter()
        .flat_map(|run| {
            run.errors
                .iter()
                .map(move |e| format!("[{}] {}", run.engine, safe(&e.to_string())))
        })
        .collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        paint.bold(&format!(
            "Errors ({}) — the audit went on without these:",
            all.len()
        ))
    );
    let limit = if options.all || options.verbose {
        usize::MAX
    } else {
        options.list_limit.unwrap_or(DEFAULT_LIST_LIMIT)
    };
    for error in all.iter().take(limit) {
        let _ = writeln!(out, "  {error}");
    }
    if all.len() > limit {
        let _ = writeln!(
            out,
            "  {}",
            paint.dim(&format!("… and {} more: --all", all.len() - limit))
        );
    }
    out.push('\n');
}

/// The tests engines ran themselves (the scenarios), as a compact tree: one line per
/// scenario (and operation of a surface-wide one), its failed step under it with why; `-v`
/// lists every step.
fn tests(out: &mut String, report: &Report, paint: &Painter, verbose: bool) {
    for run in report.engines.iter().filter(|run| !run.cases.is_empty()) {
        let mut groups: Vec<(&str, Vec<&vibeguard_core::TestCase>)> = Vec::new();
        for case in &run.cases {
            match groups.iter_mut().find(|(group, _)| *group == case.group) {
                Some((_, cases)) => cases.push(case),
                None => groups.push((&case.group, vec![case])),
            }
        }
        let outcome = |cases: &[&vibeguard_core::TestCase]| {
            if cases.iter().any(|c| c.outcome == CaseOutcome::Failed) {
                CaseOutcome::Failed
            } else if cases.iter().all(|c| c.outcome == CaseOutcome::Passed) {
                CaseOutcome::Passed
            } else {
                CaseOutcome::Skipped
            }
        };
        let count =
            |wanted: CaseOutcome| groups.iter().filter(|(_, c)| outcome(c) == wanted).count();
        let _ = writeln!(
            out,
            "{} {}",
            paint.bold("Scenarios"),
            paint.dim(&format!(
                "{} passed, {} failed, {} not run",
                count(CaseOutcome::Passed),
                count(CaseOutcome::Failed),
                count(CaseOutcome::Skipped)
            ))
        );
        let mark = |outcome: CaseOutcome| match outcome {
            CaseOutcome::Passed => {
                paint.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), "✓")
            }
            CaseOutcome::Failed => paint.severity(Severity::High, "✗"),
            CaseOutcome::Skipped => paint.dim("·"),
        };
        for (group, cases) in &groups {
            let group_outcome = outcome(cases);
            if !verbose {
                // One line a scenario that did not pass; the passed ones are counted above.
                let why = match group_outcome {
                    CaseOutcome::Passed => continue,
                    CaseOutcome::Failed => cases
                        .iter()
                        .find(|c| c.outcome == CaseOutcome::Failed)
                        .map(|c| format!("{}: {}", c.name, c.message)),
                    CaseOutcome::Skipped => cases
                        .iter()
                        .find(|c| !c.message.is_empty())
                        .map(|c| c.message.clone()),
                };
                let _ = write!(out, "  {} {}", mark(group_outcome), safe(group));
                if let Some(why) = why {
                    let room = WIDTH.saturating_sub(group.chars().count() + 6).max(40);
                    let _ = write!(
                        out,
                        " {}",
                        paint.dim(&format!("— {}", safe(&one_line(&why, room))))
                    );
                }
                out.push('\n');
                continue;
            }
            let _ = write!(out, "  {} {}", mark(group_outcome), safe(group));
            if group_outcome == CaseOutcome::Skipped
                && let Some(why) = cases.iter().find(|c| !c.message.is_empty())
            {
                let _ = write!(out, " {}", paint.dim(&format!("— {}", safe(&why.message))));
            }
            out.push('\n');
            for case in cases {
                let _ = write!(out, "      {} {}", mark(case.outcome), safe(&case.name));
                if !case.message.is_empty() {
                    let _ = write!(out, " {}", paint.dim(&format!("— {}", safe(&case.message))));
                }
                out.push('\n');
            }
        }
        out.push('\n');
    }
}

fn checklist(out: &mut String, report: &Report, paint: &Painter, verbose: bool) {
    let _ = writeln!(out, "{}", paint.bold("Checklist"));
    for verdict in &report.checklist {
        let (mark, status) = match verdict.status {
            ChecklistStatus::Passed => (
                paint.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), "✓"),
                "passed",
            ),
            ChecklistStatus::Failed => (paint.severity(Severity::High, "✗"), "FAILED"),
            ChecklistStatus::NotVerified => (paint.dim("·"), "not verified"),
            ChecklistStatus::Manual => (paint.dim("?"), "manual"),
            ChecklistStatus::NotApplicable => (paint.dim("–"), "not applicable"),
        };
        let detail = match verdict.status {
            ChecklistStatus::Failed | ChecklistStatus::Passed | ChecklistStatus::NotApplicable => {
                verdict.note.to_string()
            }
            _ if verbose => verdict.note.to_string(),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "  {mark} {:<8} {:<14} {}",
            verdict.id.as_str(),
            status,
            verdict.title
        );
        if !detail.is_empty() {
            let _ = write!(out, " {}", paint.dim(&format!("— {}", safe(&detail))));
        }
        out.push('\n');
    }
    if !verbose
        && report
            .checklist
            .iter()
            .any(|v| v.status == ChecklistStatus::NotVerified)
    {
        let _ = writeln!(
            out,
            "  {}",
            paint.dim("(-v shows how to verify the items marked · and ?)")
        );
    }
    out.push('\n');
}

/// The checklist verdict in a few lines: the item ids of each status, packed.
fn checklist_compact(out: &mut String, report: &Report, paint: &Painter) {
    let _ = writeln!(out, "{}", paint.bold("Checklist"));
    let statuses = [
        (
            ChecklistStatus::Failed,
            paint.severity(Severity::High, "✗"),
            "failed",
        ),
        (
            ChecklistStatus::Passed,
            paint.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), "✓"),
            "passed",
        ),
        (ChecklistStatus::NotVerified, paint.dim("·"), "not verified"),
        (ChecklistStatus::Manual, paint.dim("?"), "manual"),
        (
            ChecklistStatus::NotApplicable,
            paint.dim("–"),
            "not applicable",
        ),
    ];
    for (status, mark, label) in statuses {
        let ids: Vec<String> = report
            .checklist
            .iter()
            .filter(|verdict| verdict.status == status)
            .map(|verdict| verdict.id.as_str().to_string())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let heading = format!("{label} ({}):", ids.len());
        let lines = packed(&ids, " ", WIDTH.saturating_sub(heading.len() + 4));
        for (index, line) in lines.iter().enumerate() {
            if index == 0 {
                let _ = writeln!(out, "  {mark} {heading} {line}");
            } else {
                let _ = writeln!(out, "    {} {line}", " ".repeat(heading.len()));
            }
        }
    }
    let _ = writeln!(
        out,
        "  {}",
        paint.dim("(vibeguard checklist: each item with why, and how to verify the · and ?)")
    );
    out.push('\n');
}

fn summary(out: &mut String, report: &Report, paint: &Painter) {
    let s = &report.summary;
    let counts: Vec<String> = Severity::ALL_DESCENDING
        .iter()
        .filter(|severity| s.active.get(**severity) > 0)
        .map(|severity| {
            paint.severity(
                *severity,
                &format!("{} {}", s.active.get(*severity), severity),
            )
        })
        .collect();
    let mut line = if counts.is_empty() {
        "no active findings".to_string()
    } else {
        counts.join(", ")
    };
    if s.baselined > 0 {
        let _ = write!(line, ", {} baselined", s.baselined);
    }
    if s.suppressed > 0 {
        let _ = write!(line, ", {} suppressed", s.suppressed);
    }
    if s.in_test_code > 0 {
        let _ = write!(line, ", {} in test code", s.in_test_code);
    }
    if s.test_code_set_aside > 0 {
        let _ = write!(
            line,
            ", {} in test code set aside (--skip-tests)",
            s.test_code_set_aside
        );
    }
    if s.errors > 0 {
        let _ = write!(
            line,
            ", {} error{}",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
    }
    let c = s.checklist;
    let outcome = outcome_label(report);
    let outcome = if s.passed {
        paint.paint(
            Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            &outcome,
        )
    } else {
        paint.severity(Severity::High, &outcome)
    };
    let _ = writeln!(
        out,
        "Summary: {line} · checklist {} passed, {} failed, {} not verified, {} manual{} · {outcome}",
        c.passed,
        c.failed,
        c.not_verified,
        c.manual,
        if c.not_applicable > 0 {
            format!(", {} not applicable", c.not_applicable)
        } else {
            String::new()
        }
    );
    // A pass that skipped a check for lack of data says so on the next line, where the eye
    // lands after the verdict.
    if let Some(unchecked) = unchecked_label(report) {
        let _ = writeln!(
            out,
            "{}",
            paint.severity(Severity::Medium, &format!("Warning: {}", safe(&unchecked)))
        );
    }
}
