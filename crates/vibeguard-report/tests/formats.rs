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
    assert_eq!(report.checklist.len(), 33);
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
    assert_eq!(total, 33 + 1);
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
