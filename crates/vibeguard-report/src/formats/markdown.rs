//! Markdown for a pull-request comment: the outcome, a summary table, the findings that gate,
//! the rest folded away, and the checklist. Everything from the project or a target is escaped,
//! so a finding cannot inject links, images or HTML into the comment.

use std::fmt::Write;

use vibeguard_core::{ChecklistStatus, Finding, FindingState, Report, Severity, Since};

use crate::text::{
    code_span, coverage_label, escape_markdown as esc, markdown_cell, outcome_label,
    unchecked_label,
};

/// The longest comment written, in bytes (so in characters too): GitHub refuses comments over
/// 65,536 characters, and a job summary or another bot's wrapper needs some room.
pub const MAX_LENGTH: usize = 60_000;
/// Room kept for the note that says what was left out.
const NOTE_ROOM: usize = 600;
/// Longest message and fix in a table cell, in characters, before it is cut.
const MESSAGE_CELL: usize = 400;
const FIX_CELL: usize = 240;
/// Errors listed before the rest are counted.
const ERROR_ROWS: usize = 30;

/// Renders the report as GitHub-flavoured Markdown, never longer than [`MAX_LENGTH`]: the
/// summary, the checklist and the errors always; the findings that gate first, then the others
/// folded away, as many as fit, and a count of those left out with where to read them.
pub fn render(report: &Report) -> String {
    let head = head(report);
    let errors = errors(report);
    let checklist = checklist(report);
    let room = MAX_LENGTH.saturating_sub(head.len() + errors.len() + checklist.len() + NOTE_ROOM);
    let findings = findings(report, room);
    let mut out = head;
    out.push_str(&findings);
    out.push_str(&errors);
    out.push_str(&checklist);
    out
}

/// The outcome, what was audited, the counts and the comparison with the reference run.
fn head(report: &Report) -> String {
    let mut out = String::new();
    let icon = if report.summary.passed { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "## {icon} vibeguard: {}\n",
        esc(&outcome_label(report))
    );
    if let Some(unchecked) = unchecked_label(report) {
        let _ = writeln!(out, "> ⚠️ **{}**\n", markdown_cell(&cut(&unchecked, 2_000)));
    }
    let _ = writeln!(
        out,
        "{} {} · {}\n",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(&coverage_label(report))
    );

    let s = &report.summary;
    out.push_str("| | Critical | High | Medium | Low | Info |\n|---|---:|---:|---:|---:|---:|\n");
    let row: Vec<String> = Severity::ALL_DESCENDING
        .iter()
        .map(|severity| s.active.get(*severity).to_string())
        .collect();
    let _ = writeln!(out, "| Active findings | {} |", row.join(" | "));
    let _ = writeln!(
        out,
        "\n{} baselined · {} suppressed{} · {} error(s) · checklist: {} passed, {} failed, {} not verified, {} manual, {} not applicable\n",
        s.baselined,
        s.suppressed,
        test_code_note(s),
        s.errors,
        s.checklist.passed,
        s.checklist.failed,
        s.checklist.not_verified,
        s.checklist.manual,
        s.checklist.not_applicable
    );

    if let Some(since) = &report.since {
        since_section(&mut out, report, since);
    }
    out
}

/// The findings that gate, then the others in a folded block, as many rows as `room` holds.
fn findings(report: &Report, room: usize) -> String {
    let gating: Vec<&Finding> = report.gating_findings().collect();
    let others: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !(f.is_active() && report.fail_on.gates(f.severity)))
        .collect();
    let mut out = String::new();
    let mut left_out = 0;
    if !gating.is_empty() {
        let heading = format!("### Findings that gate (fail-on: {})\n\n", report.fail_on);
        let (table, omitted) = findings_table(&gating, room.saturating_sub(heading.len()));
        out.push_str(&heading);
        out.push_str(&table);
        left_out += omitted;
    }
    if !others.is_empty() {
        let open = format!(
            "<details><summary>Other findings ({})</summary>\n\n",
            others.len()
        );
        let close = "</details>\n\n";
        let left = room.saturating_sub(out.len() + open.len() + close.len());
        let (table, omitted) = findings_table(&others, left);
        if omitted == others.len() {
            left_out += omitted;
        } else {
            out.push_str(&open);
            out.push_str(&table);
            out.push_str(close);
            left_out += omitted;
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "> **{left_out} more finding{} not shown**: this comment stays under GitHub's length \
             limit. Every finding is in the HTML, SARIF and JSON reports (`--format html=…`), and \
             `vibeguard audit` prints them locally.\n",
            if left_out == 1 { " is" } else { "s are" }
        );
    }
    out
}

fn errors(report: &Report) -> String {
    let errors: Vec<String> = report
        .engines
        .iter()
        .flat_map(|run| {
            run.errors
                .iter()
                .map(move |e| format!("- {}: {}", run.engine, esc(&cut(&e.to_string(), 300))))
        })
        .collect();
    if errors.is_empty() {
        return String::new();
    }
    let mut listed = errors
        .iter()
        .take(ERROR_ROWS)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if errors.len() > ERROR_ROWS {
        let _ = write!(listed, "\n- and {} more", errors.len() - ERROR_ROWS);
    }
    format!(
        "<details><summary>Errors ({})</summary>\n\n{listed}\n\n</details>\n\n",
        errors.len()
    )
}

fn checklist(report: &Report) -> String {
    let mut out = String::from(
        "### Checklist\n\n| Item | Status | Requirement | Note |\n|---|---|---|---|\n",
    );
    for verdict in &report.checklist {
        let status = match verdict.status {
            ChecklistStatus::Passed => "✅ passed",
            ChecklistStatus::Failed => "❌ failed",
            ChecklistStatus::NotVerified => "➖ not verified",
            ChecklistStatus::Manual => "👤 manual",
            ChecklistStatus::NotApplicable => "⚪ not applicable",
        };
        let _ = writeln!(
            out,
            "| {} | {status} | {} | {} |",
            verdict.id,
            markdown_cell(&verdict.title),
            markdown_cell(&cut(&verdict.note, MESSAGE_CELL))
        );
    }
    out
}

/// `text` cut to `limit` characters, with an ellipsis when cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out: String = text.chars().take(limit.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// ` · 3 in test code (2 more set aside)`, or nothing when no finding is in test code.
fn test_code_note(summary: &vibeguard_core::Summary) -> String {
    let mut note = String::new();
    if summary.in_test_code > 0 {
        note.push_str(&format!(" · {} in test code", summary.in_test_code));
    }
    if summary.test_code_set_aside > 0 {
        note.push_str(&format!(
            " · {} in test code set aside (--skip-tests)",
            summary.test_code_set_aside
        ));
    }
    note
}

/// The rows a "since" list shows before it counts the rest: the comment stays short.
const SINCE_ROWS: usize = 30;

/// "Since <reference>": what this run brings and fixes against the recorded reference run.
fn since_section(out: &mut String, report: &Report, since: &Since) {
    let _ = writeln!(
        out,
        "### Since {}

| New | Fixed | Still open | Checklist regressed | Checklist improved |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n",
        esc(&since.reference),
        since.new.len(),
        since.fixed.len(),
        since.unchanged,
        since.regressed.len(),
        since.improved.len()
    );
    let new: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| since.is_new(&f.fingerprint))
        .take(SINCE_ROWS)
        .collect();
    if !new.is_empty() {
        let _ = writeln!(out, "**New since then** ({})\n", since.new.len());
        out.push_str(&findings_table(&new, usize::MAX).0);
        if since.new.len() > new.len() {
            let _ = writeln!(
                out,
                "and {} more new: see the full report\n",
                since.new.len() - new.len()
            );
        }
    }
    if !since.fixed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Fixed since then ({})</summary>\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|",
            since.fixed.len()
        );
        for fixed in since.fixed.iter().take(SINCE_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                esc(&fixed.severity),
                esc(&fixed.code),
                code_span(&fixed.location),
                markdown_cell(&cut(&fixed.message, MESSAGE_CELL))
            );
        }
        if since.fixed.len() > SINCE_ROWS {
            let _ = writeln!(out, "\nand {} more", since.fixed.len() - SINCE_ROWS);
        }
        out.push_str("\n</details>\n\n");
    }
    if !since.regressed.is_empty() || !since.improved.is_empty() {
        out.push_str("| Checklist item | Then | Now |\n|---|---|---|\n");
        for change in since.regressed.iter().chain(&since.improved) {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                esc(&change.id),
                esc(&change.before),
                esc(&change.after)
            );
        }
        out.push('\n');
    }
}

/// A table of findings, as many rows as fit in `room` bytes, and how many did not fit.
fn findings_table(findings: &[&Finding], room: usize) -> (String, usize) {
    let mut out =
        String::from("| Severity | Rule | Location | Message | Fix |\n|---|---|---|---|---|\n");
    let mut shown = 0;
    for finding in findings {
        let mut state = match &finding.state {
            FindingState::Active => "",
            FindingState::Baselined => " (baselined)",
            FindingState::Suppressed { .. } => " (suppressed)",
        }
        .to_string();
        if finding.test_code {
            state.push_str(" (test code)");
        }
        // A data flow reads "source → ... → sink" after the message.
        let message = if finding.flow.is_empty() {
            finding.message.clone()
        } else {
            let steps: Vec<String> = finding
                .flow
                .iter()
                .map(|step| format!("{}:{} {}", step.path, step.span.start_line, step.note))
                .collect();
            format!("{} (flow: {})", finding.message, steps.join(" → "))
        };
        let row = format!(
            "| {}{state} | {} {} | {} | {} | {} |\n",
            finding.severity,
            esc(&finding.code),
            esc(&finding.name),
            code_span(&cut(&finding.location.to_string(), 200)),
            markdown_cell(&cut(&message, MESSAGE_CELL)),
            markdown_cell(&cut(&finding.fix, FIX_CELL))
        );
        // The table's closing blank line is counted too.
        if out.len() + row.len() + 1 > room {
            break;
        }
        out.push_str(&row);
        shown += 1;
    }
    out.push('\n');
    if shown == 0 {
        return (String::new(), findings.len());
    }
    (out, findings.len() - shown)
}
