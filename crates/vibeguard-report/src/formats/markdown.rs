//! Markdown for a pull-request comment: the outcome, a summary table, the findings that gate,
//! the rest folded away, and the checklist. Everything from the project or a target is escaped,
//! so a finding cannot inject links, images or HTML into the comment.

use std::fmt::Write;

use vibeguard_core::{ChecklistStatus, Finding, FindingState, Report, Severity, Since};

use crate::text::{
    code_span, coverage_label, escape_markdown as esc, markdown_cell, outcome_label,
    unchecked_label,
};

/// Renders the report as GitHub-flavoured Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let icon = if report.summary.passed { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "## {icon} vibeguard: {}\n",
        esc(&outcome_label(report))
    );
    if let Some(unchecked) = unchecked_label(report) {
        let _ = writeln!(out, "> ⚠️ **{}**\n", markdown_cell(&unchecked));
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

    let gating: Vec<&Finding> = report.gating_findings().collect();
    if !gating.is_empty() {
        let _ = writeln!(
            out,
            "### Findings that gate (fail-on: {})\n",
            report.fail_on
        );
        findings_table(&mut out, &gating);
    }
    let others: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !(f.is_active() && report.fail_on.gates(f.severity)))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Other findings ({})</summary>\n",
            others.len()
        );
        findings_table(&mut out, &others);
        out.push_str("</details>\n\n");
    }

    let errors: Vec<String> = report
        .engines
        .iter()
        .flat_map(|run| {
            run.errors
                .iter()
                .map(move |e| format!("- {}: {}", run.engine, esc(&e.to_string())))
        })
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Errors ({})</summary>\n\n{}\n\n</details>\n",
            errors.len(),
            errors.join("\n")
        );
    }

    out.push_str("### Checklist\n\n| Item | Status | Requirement | Note |\n|---|---|---|---|\n");
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
            markdown_cell(&verdict.note)
        );
    }
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
        findings_table(out, &new);
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
                markdown_cell(&fixed.message)
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

fn findings_table(out: &mut String, findings: &[&Finding]) {
    out.push_str("| Severity | Rule | Location | Message | Fix |\n|---|---|---|---|---|\n");
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
        let _ = writeln!(
            out,
            "| {}{state} | {} {} | {} | {} | {} |",
            finding.severity,
            esc(&finding.code),
            esc(&finding.name),
            code_span(&finding.location.to_string()),
            markdown_cell(&message),
            markdown_cell(&finding.fix)
        );
    }
    out.push('\n');
}
