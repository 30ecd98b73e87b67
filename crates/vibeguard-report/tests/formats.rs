//! Every format rendered from the one canonical report: snapshots, validation against the
//! official schemas, a JUnit reader, a JSON round trip, and escaping of hostile strings.

mod common;

use std::path::Path;

use common::{INJECTION, canonical_report};
use vibeguard_core::{ChecklistStatus, Report};
use vibeguard_report::{Format, RenderOptions, render};

fn rendered(format: Format) -> String {
    render(&canonical_report(), format, &RenderOptions::default())
}

fn schema_errors(schema_path: &Path, instance: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema file"))
            .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

#[test]
fn the_canonical_report_has_every_state_and_a_verdict_for_each_item() {
    let report = canonical_report();
    assert_eq!(report.checklist.len(), 34);
    assert_eq!(report.summary.gating, 4);
    assert_eq!(report.summary.baselined, 1);
    assert_eq!(report.summary.suppressed, 1);
    let status = |id: &str| {
        report
            .checklist
            .iter()
            .find(|v| v.id.as_str() == id)
            .expect("item")
            .status
    };
    assert_eq!(status("DEPS-01"), ChecklistStatus::Failed);
    assert_eq!(status("AUTH-01"), ChecklistStatus::Failed);
    assert_eq!(status("AUTH-05"), ChecklistStatus::NotVerified);
    assert_eq!(status("DATA-02"), ChecklistStatus::Manual);
    assert_eq!(status("INPUT-02"), ChecklistStatus::Failed);
    assert_eq!(status("INPUT-01"), ChecklistStatus::NotVerified);
}

#[test]
fn snapshot_terminal() {
    insta::assert_snapshot!(rendered(Format::Terminal));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(rendered(Format::Json));
}

#[test]
fn snapshot_sarif() {
    insta::assert_snapshot!(rendered(Format::Sarif));
}

#[test]
fn snapshot_junit() {
    insta::assert_snapshot!(rendered(Format::Junit));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!(rendered(Format::Markdown));
}

#[test]
fn snapshot_html() {
    insta::assert_snapshot!(rendered(Format::Html));
}

#[test]
fn sarif_validates_against_the_official_2_1_0_schema() {
    let sarif: serde_json::Value =
        serde_json::from_str(&rendered(Format::Sarif)).expect("SARIF is JSON");
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let errors = schema_errors(&schema, &sarif);
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    let run = &sarif["runs"][0];
    let rule = &run["tool"]["driver"]["rules"][0];
    assert!(rule["properties"]["security-severity"].as_str().is_some());
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .is_some_and(|md| md.contains("Why it matters"))
    );
    let result = &run["results"][0];
    assert!(
        result["partialFingerprints"]["vibeguardFingerprint/v1"]
            .as_str()
            .is_some()
    );
    assert_eq!(run["results"].as_array().map(Vec::len), Some(7));
    // The data-flow finding carries its path as a code flow, source first.
    let flow = run["results"]
        .as_array()
        .and_then(|results| results.iter().find(|r| r["ruleId"] == "VG101"))
        .map(|r| &r["codeFlows"][0]["threadFlows"][0]["locations"])
        .expect("the SQL finding");
    assert_eq!(flow.as_array().map(Vec::len), Some(3));
    assert_eq!(
        flow[0]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "src/routes/users.js"
    );
    assert_eq!(flow[2]["location"]["message"]["text"], "SQL query");
}

#[test]
fn sarif_schema_validation_catches_a_broken_log() {
    // Guards the test above: the validator must reject what the schema forbids.
    let mut sarif: serde_json::Value =
        serde_json::from_str(&rendered(Format::Sarif)).expect("JSON");
    sarif["runs"][0]["results"][0]["level"] = serde_json::json!("catastrophic");
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    assert!(!schema_errors(&schema, &sarif).is_empty());
}

#[test]
fn json_matches_the_documented_schema_and_round_trips() {
    let text = rendered(Format::Json);
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json");
    let errors = schema_errors(&schema, &value);
    assert!(
        errors.is_empty(),
        "report schema violations:\n{}",
        errors.join("\n")
    );

    let mut broken = value.clone();
    broken["findings"][0]["severity"] = serde_json::json!("severe");
    assert!(!schema_errors(&schema, &broken).is_empty());

    let back: Report = serde_json::from_str(&text).expect("reads back");
    let mut original = canonical_report();
    // The identity feeds fingerprints and is deliberately not serialized.
    for finding in &mut original.findings {
        finding.identity.clear();
    }
    assert_eq!(back, original);
    for field in [
        "code",
        "name",
        "severity",
        "confidence",
        "message",
        "location",
        "checklist",
        "fingerprint",
    ] {
        assert!(
            value["findings"][0].get(field).is_some(),
            "findings[].{field} is missing"
        );
    }
    assert!(
        value["checklist"][0].get("id").is_some() && value["checklist"][0].get("status").is_some()
    );
}

#[test]
fn junit_is_read_back_by_a_junit_reader() {
    let xml = rendered(Format::Junit);
    let parsed =
        quick_junit::Report::deserialize_from_str(&xml).expect("a JUnit reader accepts it");
    let suites: Vec<String> = parsed
        .test_suites
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(
        suites,
        vec![
            "vibeguard.hygiene",
            "vibeguard.code",
            "vibeguard.api",
            "vibeguard.checklist"
        ]
    );
    let hygiene = &parsed.test_suites[0];
    assert_eq!(hygiene.failures, 3, "DEPS-01, DEPS-03 and DATA-04 fail");
    assert_eq!(hygiene.errors, 1, "the package-lock error");
    let total: usize = parsed.test_suites.iter().map(|s| s.test_cases.len()).sum();
    // Every checklist item appears once, plus one error case.
    assert_eq!(total, 34 + 1);
    let api = &parsed.test_suites[2];
    assert_eq!(api.failures, 1);
    assert_eq!(
        api.skipped, 1,
        "AUTH-05: the rate-limit check had nothing to test"
    );
}

#[test]
fn html_is_self_contained_and_escapes_everything() {
    let html = rendered(Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script"),
        "no scripts, and no injected ones"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains(INJECTION));
    for external in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    assert_eq!(html.matches("<div class=\"finding").count(), 7);
    assert!(html.contains("<details><summary>Data flow</summary>"));
}

#[test]
fn markdown_cannot_be_injected() {
    let markdown = rendered(Format::Markdown);
    assert!(!markdown.contains("![x](http"), "an image link got through");
    assert!(!markdown.contains("<script>"));
    assert!(markdown.contains("\\!\\[x\\]"));
    assert!(markdown.starts_with("## ❌ vibeguard: 4 findings at or above high: FAIL"));
}

#[test]
fn terminal_colour_is_only_added_when_asked() {
    let report = canonical_report();
    let plain = render(&report, Format::Terminal, &RenderOptions::default());
    assert!(!plain.contains('\u{1b}'));
    let colored = render(
        &report,
        Format::Terminal,
        &RenderOptions {
            color: true,
            ..RenderOptions::default()
        },
    );
    assert!(colored.contains('\u{1b}'));
    let quiet = render(
        &report,
        Format::Terminal,
        &RenderOptions {
            quiet: true,
            ..RenderOptions::default()
        },
    );
    assert_eq!(quiet.lines().count(), 1);
    assert!(quiet.starts_with("Summary:"));
}

#[test]
fn format_names_parse_with_aliases() {
    assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
    assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
    assert!("pdf".parse::<Format>().is_err());
}

/// The table rows of a Markdown document as GitHub shows them: each cell's visible text, code
/// spans included without their fences.
fn rendered_table_rows(markdown: &str) -> Vec<Vec<String>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.extend(cell.take()),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => rows.push(std::mem::take(&mut row)),
            Event::Text(text) | Event::Code(text) => {
                if let Some(cell) = cell.as_mut() {
                    cell.push_str(&text);
                }
            }
            _ => {}
        }
    }
    rows
}

#[test]
fn markdown_renders_code_marks_as_code_and_every_message_as_written() {
    use vibeguard_core::{Finding, Location};
    let mut report = canonical_report();
    let rule = report.rules[0].clone();
    for message in [
        "a backtick in code: ``x`y`` and a pipe `a|b` in a cell",
        "``already fenced`` and a lone ` backtick",
        "`` `starts with one` and ends with space ` ``",
    ] {
        report.findings.push(Finding::new(
            &rule,
            Location::Source {
                path: "src/odd`name|x.js".into(),
                span: None,
            },
            message,
            message,
        ));
    }
    let markdown = render(&report, Format::Markdown, &RenderOptions::default());
    let rows = rendered_table_rows(&markdown);
    let html = {
        let mut html = String::new();
        pulldown_cmark::html::push_html(
            &mut html,
            pulldown_cmark::Parser::new_ext(&markdown, pulldown_cmark::Options::ENABLE_TABLES),
        );
        html
    };
    for finding in &report.findings {
        let row = rows
            .iter()
            .find(|row| row.len() == 5 && row[3].starts_with(&visible(&finding.message)[..10]))
            .unwrap_or_else(|| panic!("no row for {}:\n{markdown}", finding.message));
        assert_eq!(
            row[2],
            finding.location.to_string(),
            "location of {}",
            finding.message
        );
        let expected = if finding.flow.is_empty() {
            visible(&finding.message)
        } else {
            row[3].clone()
        };
        assert_eq!(row[3], expected, "as rendered from:\n{markdown}");
        assert_eq!(row[4], visible(&finding.fix));
        assert!(
            !row[3].contains("\\`"),
            "an escaped backtick is shown: {}",
            row[3]
        );
    }
    assert!(html.contains("<code>a|b</code>"), "{html}");
    assert!(html.contains("<code>lodash</code>"), "{html}");
}

/// What GitHub shows of a message whose code is marked with backticks: the text, each code
/// span's content without its marks.
fn visible(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let fence_length = rest[open..].chars().take_while(|c| *c == '`').count();
        let fence = "`".repeat(fence_length);
        let after = &rest[open + fence_length..];
        // A closing run of exactly the same length.
        let mut search = 0;
        let mut close = None;
        while let Some(at) = after[search..].find(&fence) {
            let at = search + at;
            let run = after[at..].chars().take_while(|c| *c == '`').count();
            if run == fence_length {
                close = Some(at);
                break;
            }
            search = at + run;
        }
        match close {
            Some(close) => {
                out.push_str(&rest[..open]);
                let code = &after[..close];
                let trimmed = if code.len() > 1 && code.starts_with(' ') && code.ends_with(' ') {
                    &code[1..code.len() - 1]
                } else {
                    code
                };
                out.push_str(trimmed);
                rest = &after[close + fence_length..];
            }
            None => {
                out.push_str(&rest[..open + fence_length]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn snapshot_brief() {
    insta::assert_snapshot!(rendered(Format::Brief));
}

#[test]
fn terminal_lists_critical_and_high_findings_one_line_each_and_counts_the_rest() {
    let report = canonical_report();
    let text = render(&report, Format::Terminal, &RenderOptions::default());
    let listed = |severity: vibeguard_core::Severity| {
        report
            .findings
            .iter()
            .filter(|f| f.severity == severity && f.is_active() && !f.test_code)
            .count()
    };
    let high_or_above =
        listed(vibeguard_core::Severity::Critical) + listed(vibeguard_core::Severity::High);
    assert!(
        high_or_above > 0,
        "the canonical report has serious findings"
    );
    // Each serious finding is one numbered line with its rule and location; no evidence.
    for (number, finding) in vibeguard_report::display_order(&report).iter().enumerate() {
        let line = text.lines().find(|line| {
            line.trim_start()
                .starts_with(&format!("{} {}", number + 1, finding.code))
        });
        if finding.severity >= vibeguard_core::Severity::High
            && !finding.test_code
            && !matches!(
                finding.state,
                vibeguard_core::FindingState::Suppressed { .. }
            )
        {
            let line = line.unwrap_or_else(|| panic!("finding {} listed:\n{text}", number + 1));
            assert!(line.contains(&finding.location.to_string()), "{line}");
        } else {
            assert!(
                line.is_none(),
                "finding {} is counted, not listed:\n{text}",
                number + 1
            );
        }
    }
    assert!(!text.contains("request:"), "evidence only with -v:\n{text}");
    assert!(text.contains("— per rule; --all lists each"), "{text}");
    // --all lists every shown finding; -v prints the evidence.
    let all = render(
        &report,
        Format::Terminal,
        &RenderOptions {
            all: true,
            ..RenderOptions::default()
        },
    );
    assert!(!all.contains("per rule"), "{all}");
    let verbose = render(
        &report,
        Format::Terminal,
        &RenderOptions {
            verbose: true,
            ..RenderOptions::default()
        },
    );
    assert!(
        verbose.contains("request:") && verbose.contains("fix:"),
        "{verbose}"
    );
    // A list longer than the limit is cut with a count and the way to see it all.
    let cut = render(
        &report,
        Format::Terminal,
        &RenderOptions {
            list_limit: Some(1),
            ..RenderOptions::default()
        },
    );
    assert!(cut.contains("more: --all"), "{cut}");
}

/// The canonical report with `count` findings: its own, repeated with distinct fingerprints
/// and long messages, the size a large project's audit reaches.
fn report_with_findings(count: usize) -> Report {
    let mut report = canonical_report();
    let originals = report.findings.clone();
    report.findings = (0..count)
        .map(|index| {
            let mut finding = originals[index % originals.len()].clone();
            finding.fingerprint = vibeguard_core::Fingerprint(format!("{index:032x}"));
            finding.message = format!(
                "{} {}",
                finding.message,
                "and more words ".repeat(index % 40)
            );
            finding
        })
        .collect();
    report
}

#[test]
fn markdown_stays_under_githubs_comment_limit_and_renders_as_gfm() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let report = report_with_findings(5_000);
    let markdown = render(&report, Format::Markdown, &RenderOptions::default());
    assert!(
        markdown.chars().count() <= vibeguard_report::formats::markdown::MAX_LENGTH,
        "{} characters",
        markdown.chars().count()
    );
    // What was left out is counted, and the reader is sent to the full reports.
    let shown_rows = markdown
        .lines()
        .filter(|line| line.starts_with("| ") && line.contains(" VG"))
        .count();
    assert!(shown_rows > 50 && shown_rows < 5_000, "{shown_rows} rows");
    let note = markdown
        .lines()
        .find(|line| line.contains("not shown"))
        .expect("a note on what was left out");
    let left_out: usize = note
        .trim_start_matches("> **")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert_eq!(left_out + shown_rows, 5_000, "{note}");
    assert!(note.contains("HTML, SARIF and JSON"), "{note}");
    // GitHub-flavoured Markdown: the summary, findings and checklist tables are tables, the
    // folded findings a details block, and every row has the header's cells.
    let mut tables = 0;
    let mut rows = 0;
    let mut in_head = false;
    for event in Parser::new_ext(&markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) if !in_head => rows += 1,
            _ => {}
        }
    }
    assert!(tables >= 3, "{tables} tables");
    assert_eq!(
        rows,
        shown_rows + 1 + report.checklist.len(),
        "every row parsed as a row"
    );
    // The findings that gate come first; the checklist is always there.
    assert!(markdown.contains("### Findings that gate"));
    assert!(markdown.contains("### Checklist"));
    // A small report is not cut.
    let small = rendered(Format::Markdown);
    assert!(!small.contains("not shown"), "{small}");
}

#[test]
fn briefs_name_the_place_the_fix_and_the_verification_and_hold_no_credential() {
    let report = canonical_report();
    let briefs = rendered(Format::Brief);
    let active: Vec<&vibeguard_core::Finding> = vibeguard_report::display_order(&report)
        .into_iter()
        .filter(|f| f.state == vibeguard_core::FindingState::Active && !f.test_code)
        .collect();
    assert_eq!(briefs.matches("## Fix brief ").count(), active.len());
    for (brief, finding) in briefs.split("\n---\n").skip(1).zip(&active) {
        assert!(brief.contains(&finding.code.to_string()), "{brief}");
        assert!(
            brief.contains(&format!("vibeguard audit . --checks {}", finding.code)),
            "{brief}"
        );
        assert!(brief.contains(finding.fingerprint.as_str()), "{brief}");
        let place = match &finding.location {
            vibeguard_core::Location::Source { path, .. } => path.clone(),
            vibeguard_core::Location::Operation { method, path, .. } => format!("{method} {path}"),
            vibeguard_core::Location::Package { name, .. } => name.clone(),
            vibeguard_core::Location::Project => "the project as a whole".into(),
        };
        assert!(brief.contains(&place), "{place} in {brief}");
        assert!(
            brief.contains("Add a test that fails before the fix"),
            "{brief}"
        );
    }
    // The HTML report carries each finding's brief, escaped.
    let html = rendered(Format::Html);
    assert_eq!(
        html.matches("Copy for your assistant").count(),
        report.findings.len()
    );
}
