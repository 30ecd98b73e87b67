//! One self-contained HTML page: inline CSS, no scripts, no external assets. It shows the
//! outcome, the engines' coverage and errors, the checklist table, every finding with its
//! evidence and fix, and the documentation of the rules that reported. Every string is escaped.

use std::fmt::Write;

use vibeguard_core::{Evidence, Finding, FindingState, Report, Severity, Since, TrendPoint};

use crate::text::{
    coverage_label, duration_label, escape_html as esc, outcome_label, unchecked_label,
};

const STYLE: &str = r#"
:root { --fg:#1d2330; --muted:#5b6475; --line:#dde1e8; --bg:#f6f7f9; --card:#fff;
  --critical:#7b1fa2; --high:#c62828; --medium:#b26a00; --low:#1565c0; --info:#546e7a; --pass:#2e7d32; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 12px; } h3 { font-size: 16px; margin: 0; }
.muted { color: var(--muted); }
.outcome { padding: 14px 18px; border-radius: 8px; color: #fff; font-weight: 600; margin: 16px 0; }
.outcome.pass { background: var(--pass); } .outcome.fail { background: var(--high); } .outcome.warn { background: var(--medium); }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef0f4; font-weight: 600; }
td:first-child, td[class^="status-"] { white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; text-transform: uppercase; }
.critical { background: var(--critical); } .high { background: var(--high); } .medium { background: var(--medium); }
.low { background: var(--low); } .info { background: var(--info); }
.status-passed { color: var(--pass); font-weight: 600; } .status-failed { color: var(--high); font-weight: 600; }
.status-not-verified, .status-manual, .status-not-applicable { color: var(--muted); }
.finding { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 10px 0; }
.finding.sev-critical { border-left-color: var(--critical); } .finding.sev-high { border-left-color: var(--high); }
.finding.sev-medium { border-left-color: var(--medium); } .finding.sev-low { border-left-color: var(--low); }
.finding.sev-info { border-left-color: var(--info); }
.finding .where { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
pre { background: #0f1420; color: #e6e9ef; padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 13px; }
.brief pre { white-space: pre-wrap; user-select: all; max-height: 24em; overflow-y: auto; }
pre .hl { background: #3a2530; display: inline-block; width: 100%; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.state { color: var(--muted); font-style: italic; }
details { margin: 8px 0; }
#severities { display: block; margin: 12px 0; } #severities .bar.critical { fill: var(--critical); }
#severities .bar.high { fill: var(--high); } #severities .bar.medium { fill: var(--medium); }
#severities .bar.low { fill: var(--low); } #severities .bar.info { fill: var(--info); }
"#;

/// Escapes `text` and shows its `backtick` spans as code. The spans are made from the escaped
/// text, so they cannot carry markup; an unpaired backtick stays a backtick.
fn prose(text: &str) -> String {
    let escaped = esc(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len() < 3 {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (index, part) in parts.iter().enumerate() {
        let is_code = index % 2 == 1 && index + 1 < parts.len();
        if is_code {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            if index % 2 == 1 {
                out.push('`');
            }
            out.push_str(part);
        }
    }
    out
}

/// Renders the report as one HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>vibeguard report — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(report
            .inputs
            .project
            .as_deref()
            .or(report.inputs.image.as_deref())
            .or(report.inputs.target.as_deref())
            .unwrap_or("audit"))
    );
    let _ = writeln!(
        out,
        "<h1>vibeguard report</h1>\n<div class=\"muted\">{} {} · {} · started {} · {}</div>",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(&coverage_label(report)),
        esc(&report.started_at.to_string()),
        esc(&duration_label(report))
    );
    let class = if report.summary.passed {
        "pass"
    } else {
        "fail"
    };
    let _ = writeln!(
        out,
        "<div class=\"outcome {class}\">{}</div>",
        esc(&outcome_label(report))
    );
    if let Some(unchecked) = unchecked_label(report) {
        let _ = writeln!(out, "<div class=\"outcome warn\">{}</div>", esc(&unchecked));
    }

    summary_table(&mut out, report);
    severity_chart(&mut out, report);
    if let Some(since) = &report.since {
        since_section(&mut out, since);
    }
    if report.trend.len() >= 2 {
        trend_chart(&mut out, &report.trend);
    }
    engines(&mut out, report);
    checklist(&mut out, report);
    findings(&mut out, report);
    rules(&mut out, report);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// "Since <reference>": the counts, the fixed findings and the checklist items that changed
/// (the new findings are marked in the findings list below).
fn since_section(out: &mut String, since: &Since) {
    let _ = writeln!(
        out,
        "<h2>Since {}</h2>\n<table><tr><th>New</th><th>Fixed</th><th>Still open</th><th>Checklist regressed</th><th>Checklist improved</th></tr>\n<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr></table>",
        esc(&since.reference),
        since.new.len(),
        since.fixed.len(),
        since.unchanged,
        since.regressed.len(),
        since.improved.len()
    );
    if !since.fixed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Fixed since then ({})</summary><table><tr><th>Severity</th><th>Rule</th><th>Where</th><th>What</th></tr>",
            since.fixed.len()
        );
        for fixed in &since.fixed {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&fixed.severity),
                esc(&fixed.code),
                esc(&fixed.location),
                prose(&fixed.message)
            );
        }
        out.push_str("</table></details>\n");
    }
    if !since.regressed.is_empty() || !since.improved.is_empty() {
        out.push_str("<table><tr><th>Checklist item</th><th>Then</th><th>Now</th></tr>\n");
        for change in since.regressed.iter().chain(&since.improved) {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"status-{}\">{}</td><td class=\"status-{}\">{}</td></tr>",
                esc(&change.id),
                esc(&change.before),
                esc(&change.before),
                esc(&change.after),
                esc(&change.after)
            );
        }
        out.push_str("</table>\n");
    }
}

/// The last runs as an inline SVG chart: active findings stacked by severity (bars, left
/// axis) and checklist items passed (a line): self-contained, readable without scripts, with
/// a text table of the same numbers for screen readers and copy-paste.
fn trend_chart(out: &mut String, trend: &[TrendPoint]) {
    const WIDTH: usize = 720;
    const HEIGHT: usize = 200;
    const PAD: usize = 30;
    let colours = ["#7b1fa2", "#c62828", "#b26a00", "#1565c0", "#546e7a"];
    let most = trend
        .iter()
        .map(|point| {
            point
                .active
                .iter()
                .sum::<usize>()
                .max(point.checklist_passed)
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (WIDTH - 2 * PAD) / trend.len();
    let bar = (slot * 3 / 5).max(2);
    let scale = |value: usize| value * (HEIGHT - 2 * PAD) / most;
    let _ = writeln!(
        out,
        "<h2>Trend: the last {} runs</h2>\n<p class=\"muted\">Bars: active findings by severity, critical at the bottom. Line: checklist items passed.</p>\n<svg id=\"trend\" role=\"img\" aria-label=\"Active findings by severity and checklist items passed, last {} runs\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" style=\"background:#fff;border:1px solid #dde1e8\">",
        trend.len(),
        trend.len()
    );
    let _ = writeln!(
        out,
        "<line x1=\"{PAD}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#5b6475\"/><text x=\"4\" y=\"{}\" font-size=\"11\" fill=\"#5b6475\">{most}</text>",
        HEIGHT - PAD,
        WIDTH - PAD,
        HEIGHT - PAD,
        PAD + 4
    );
    let mut line = Vec::new();
    for (index, point) in trend.iter().enumerate() {
        let x = PAD + index * slot + (slot - bar) / 2;
        let mut y = HEIGHT - PAD;
        for (severity, count) in point.active.iter().enumerate() {
            let height = scale(*count);
            if height == 0 {
                continue;
            }
            y -= height;
            let _ = writeln!(
                out,
                "<rect class=\"bar\" x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{height}\" fill=\"{}\"><title>{}: {count} {}</title></rect>",
                colours[severity],
                run_name(point),
                Severity::ALL_DESCENDING[severity].as_str()
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5b6475\">{}</text>",
            x + bar / 2,
            HEIGHT - PAD + 14,
            if point.run == 0 {
                "now".to_string()
            } else {
                format!("#{}", point.run)
            }
        );
        line.push(format!(
            "{},{}",
            x + bar / 2,
            HEIGHT - PAD - scale(point.checklist_passed)
        ));
    }
    let _ = writeln!(
        out,
        "<polyline class=\"passed\" points=\"{}\" fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"2\"><title>checklist items passed</title></polyline>\n</svg>",
        line.join(" ")
    );
    out.push_str("<details><summary>The numbers</summary><table><tr><th>Run</th><th>Started</th><th>Critical</th><th>High</th><th>Medium</th><th>Low</th><th>Info</th><th>Checklist passed</th></tr>\n");
    for point in trend {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td>",
            esc(&run_name(point)),
            esc(&point.started_at.strftime("%Y-%m-%d %H:%M UTC").to_string())
        );
        for count in point.active {
            let _ = write!(out, "<td>{count}</td>");
        }
        let _ = writeln!(out, "<td>{}</td></tr>", point.checklist_passed);
    }
    out.push_str("</table></details>\n");
}

fn run_name(point: &TrendPoint) -> String {
    if point.run == 0 {
        "this run".into()
    } else {
        format!("run {}", point.run)
    }
}

fn summary_table(out: &mut String, report: &Report) {
    let s = &report.summary;
    out.push_str("<table><tr><th></th>");
    for severity in Severity::ALL_DESCENDING {
        let _ = write!(
            out,
            "<th><span class=\"badge {0}\">{0}</span></th>",
            severity.as_str()
        );
    }
    out.push_str(
        "<th>Baselined</th><th>Suppressed</th><th>Errors</th></tr>\n<tr><th>Active findings</th>",
    );
    for severity in Severity::ALL_DESCENDING {
        let _ = write!(out, "<td>{}</td>", s.active.get(severity));
    }
    let _ = writeln!(
        out,
        "<td>{}</td><td>{}</td><td>{}</td></tr></table>",
        s.baselined, s.suppressed, s.errors
    );
}

/// The active findings per severity as an inline SVG bar chart: one bar a severity, its length
/// proportional to the count.
fn severity_chart(out: &mut String, report: &Report) {
    const WIDTH: u64 = 640;
    const ROW: u64 = 26;
    const LABEL: u64 = 90;
    let counts: Vec<(Severity, u64)> = Severity::ALL_DESCENDING
        .iter()
        .map(|severity| (*severity, report.summary.active.get(*severity) as u64))
        .collect();
    let most = counts
        .iter()
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * counts.len() as u64 + 8;
    let _ = write!(
        out,
        "<svg id=\"severities\" role=\"img\" aria-label=\"Active findings by severity\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\">"
    );
    for (index, (severity, count)) in counts.iter().enumerate() {
        let y = 4 + ROW * index as u64;
        let length = (WIDTH - LABEL - 60) * count / most;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text><rect class=\"bar {}\" x=\"{LABEL}\" y=\"{y}\" width=\"{length}\" height=\"{}\"><title>{count} {}</title></rect><text x=\"{}\" y=\"{}\" font-size=\"13\">{count}</text>",
            y + 16,
            severity.as_str(),
            severity.as_str(),
            ROW - 8,
            severity.as_str(),
            LABEL + length + 6,
            y + 16
        );
    }
    out.push_str("</svg>\n");
}

fn engines(out: &mut String, report: &Report) {
    out.push_str("<h2>Engines</h2>\n<table><tr><th>Engine</th><th>Files</th><th>Packages</th><th>Operations</th><th>Requests</th><th>Rules applied</th><th>Time</th></tr>\n");
    for run in &report.engines {
        let c = run.coverage;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td></tr>",
            esc(run.engine.as_str()),
            c.files,
            c.packages,
            if c.operations_total > 0 {
                format!("{} of {}", c.operations, c.operations_total)
            } else {
                c.operations.to_string()
            },
            c.requests,
            esc(&run.rules_applied.join(", ")),
            run.duration_ms
        );
    }
    out.push_str("</table>\n");
    let errors: Vec<String> = report
        .engines
        .iter()
        .flat_map(|run| {
            run.errors.iter().map(move |e| {
                format!(
                    "<li><b>{}</b>: {}</li>",
                    esc(run.engine.as_str()),
                    esc(&e.to_string())
                )
            })
        })
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "<details open><summary>{} error(s) — the audit went on without these</summary><ul>{}</ul></details>",
            errors.len(),
            errors.join("")
        );
    }
}

fn checklist(out: &mut String, report: &Report) {
    out.push_str("<h2>Checklist</h2>\n<table><tr><th>Item</th><th>Status</th><th>Requirement</th><th>Note</th></tr>\n");
    for verdict in &report.checklist {
        let status = verdict.status.as_str();
        let findings: String = verdict
            .findings
            .iter()
            .map(|fp| {
                format!(
                    " <a href=\"#f-{0}\">{1}</a>",
                    esc(fp.as_str()),
                    esc(&fp.as_str()[..8])
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr id=\"c-{0}\"><td><code>{0}</code></td><td class=\"status-{1}\">{1}</td><td>{2}</td><td>{3}{findings}</td></tr>",
            esc(verdict.id.as_str()),
            esc(status),
            esc(&verdict.title),
            esc(&verdict.note)
        );
    }
    out.push_str("</table>\n");
}

fn findings(out: &mut String, report: &Report) {
    let _ = writeln!(out, "<h2>Findings ({})</h2>", report.findings.len());
    if report.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
    }
    // Numbered as the terminal report and `vibeguard show`/`brief` number them.
    for (index, finding) in crate::text::display_order(report).into_iter().enumerate() {
        finding_card(
            out,
            report,
            index + 1,
            finding,
            report
                .since
                .as_ref()
                .is_some_and(|since| since.is_new(&finding.fingerprint)),
        );
    }
}

fn finding_card(out: &mut String, report: &Report, number: usize, finding: &Finding, new: bool) {
    let severity = finding.severity.as_str();
    let mut state = match &finding.state {
        FindingState::Active if new => {
            " <span class=\"state\">new since the reference run</span>".to_string()
        }
        FindingState::Active => String::new(),
        FindingState::Baselined => " <span class=\"state\">baselined</span>".to_string(),
        FindingState::Suppressed { reason } => {
            format!(" <span class=\"state\">suppressed: {}</span>", esc(reason))
        }
    };
    if finding.test_code {
        state.push_str(" <span class=\"state\">test code: not counted in the checklist</span>");
    }
    let checklist: Vec<String> = finding
        .checklist
        .iter()
        .map(|id| format!("<a href=\"#c-{0}\">{0}</a>", esc(id.as_str())))
        .collect();
    let cwe: Vec<String> = finding.cwe.iter().map(|c| format!("CWE-{c}")).collect();
    let _ = writeln!(
        out,
        "<div class=\"finding sev-{severity}\" id=\"f-{}\">\n<h3>{number}. <span class=\"badge {severity}\">{severity}</span> <a href=\"#r-{}\">{}</a> {}{state}</h3>\n<div class=\"where\">{}</div>\n<p>{}</p>",
        esc(finding.fingerprint.as_str()),
        esc(&finding.code),
        esc(&finding.code),
        esc(&finding.name),
        esc(&finding.location.to_string()),
        prose(&finding.message)
    );
    for evidence in &finding.evidence {
        match evidence {
            Evidence::Code(frame) => {
                out.push_str("<pre>");
                for (number, line) in frame.numbered_lines() {
                    let text = format!("{number:>5} | {}", esc(line));
                    if frame.is_highlighted(number) {
                        let _ = writeln!(out, "<span class=\"hl\">{text}</span>");
                    } else {
                        let _ = writeln!(out, "{text}");
                    }
                }
                out.push_str("</pre>\n");
            }
            Evidence::Text { label, text } => {
                let _ = writeln!(out, "<p><b>{}:</b> {}</p>", esc(label), esc(text));
            }
            Evidence::Http {
                request,
                response,
                curl,
            } => {
                let _ = writeln!(
                    out,
                    "<details><summary>Request and response</summary><pre>{}</pre><pre>{}</pre></details>",
                    esc(request),
                    esc(response)
                );
                if let Some(curl) = curl {
                    let _ = writeln!(
                        out,
                        "<p><b>Reproduce:</b></p><pre><code>{}</code></pre>",
                        esc(curl)
                    );
                }
            }
        }
    }
    if !finding.flow.is_empty() {
        out.push_str("<details><summary>Data flow</summary><ol>");
        for step in &finding.flow {
            let _ = write!(
                out,
                "<li><code>{}:{}</code> {}</li>",
                esc(&step.path),
                step.span.start_line,
                esc(&step.note)
            );
        }
        out.push_str("</ol></details>\n");
    }
    // The brief for a coding assistant, to select and copy (no script: the page runs none).
    let _ = writeln!(
        out,
        "<details class=\"brief\"><summary>Copy for your assistant</summary><pre>{}</pre></details>",
        esc(&super::brief::brief(report, number, finding))
    );
    let _ = writeln!(
        out,
        "<p><b>Fix:</b> {}</p>\n<div class=\"muted\">confidence {} · {} · checklist {} · fingerprint <code>{}</code></div>\n</div>",
        prose(&finding.fix),
        esc(finding.confidence.as_str()),
        esc(&cwe.join(", ")),
        checklist.join(" "),
        esc(finding.fingerprint.as_str())
    );
}

fn rules(out: &mut String, report: &Report) {
    let reported: Vec<_> = report
        .rules
        .iter()
        .filter(|rule| report.findings.iter().any(|f| f.code == rule.code))
        .collect();
    if reported.is_empty() {
        return;
    }
    out.push_str("<h2>Rules</h2>\n");
    for rule in reported {
        let references: String = rule
            .docs
            .references
            .iter()
            .map(|link| format!("<li>{}</li>", esc(link)))
            .collect();
        let _ = writeln!(
            out,
            "<details id=\"r-{0}\"><summary><b>{0}</b> {1} — {2}</summary>\n<p><b>What it finds.</b> {3}</p>\n<p><b>Why it matters.</b> {4}</p>\n<p><b>Example</b></p><pre>{5}</pre>\n<p><b>Fixed</b></p><pre>{6}</pre>\n<p><b>How to fix.</b> {7}</p>\n<ul>{references}</ul>\n</details>",
            esc(&rule.code),
            esc(&rule.name),
            esc(&rule.summary),
            esc(&rule.docs.what),
            esc(&rule.docs.why),
            esc(&rule.docs.example_bad),
            esc(&rule.docs.example_fixed),
            esc(&rule.docs.fix)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtick_spans_become_code_without_letting_markup_through() {
        assert_eq!(prose("run `npm ci` now"), "run <code>npm ci</code> now");
        assert_eq!(prose("`<b>`"), "<code>&lt;b&gt;</code>");
        assert_eq!(prose("a ` b"), "a ` b");
        assert_eq!(prose("`a` and `b"), "<code>a</code> and `b");
    }
}
