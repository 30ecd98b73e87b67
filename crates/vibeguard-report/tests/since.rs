//! The comparison with a reference run and the trend of recorded runs, in every format that
//! shows them: SARIF `baselineState` (validated against the official schema), the Markdown and
//! HTML "Since" sections (hostile strings escaped), the HTML trend chart, and — when a Chromium
//! is installed (`.ci/run` installs Debian's) — the page rendered by a real browser.

mod common;

use std::path::Path;

use common::{INJECTION, canonical_report};
use jiff::Timestamp;
use vibeguard_core::{FixedFinding, ItemChange, Report, Since, TrendPoint};
use vibeguard_report::{Format, RenderOptions, render};

/// The canonical report compared with a reference: its first finding new, a fixed one with a
/// hostile message, one item regressed; and a trend of six runs.
fn compared() -> Report {
    let mut report = canonical_report();
    let first = report.findings[0].fingerprint.clone();
    report.since = Some(Since {
        reference: format!("run 12 (prod {INJECTION}, 2026-12-07 09:14 UTC)"),
        new: vec![first],
        fixed: vec![FixedFinding {
            code: "VG402".into(),
            severity: "high".into(),
            location: "DELETE /api/tasks/{id} | `x`".into(),
            message: format!("bob deleted alice's object {INJECTION}"),
        }],
        unchanged: report.findings.len() - 1,
        regressed: vec![ItemChange {
            id: "AUTH-01".into(),
            before: "passed".into(),
            after: "failed".into(),
        }],
        improved: Vec::new(),
    });
    report.trend = (0..6)
        .map(|n| TrendPoint {
            run: if n == 5 { 0 } else { 10 + n },
            started_at: Timestamp::from_second(1_800_000_000 + n * 86_400).expect("time"),
            active: [n as usize % 2, 2 + n as usize, 3, 1, 0],
            checklist_passed: 9 + n as usize,
        })
        .collect();
    report
}

#[test]
fn sarif_marks_each_result_new_or_unchanged_and_stays_valid() {
    let report = compared();
    let sarif: serde_json::Value =
        serde_json::from_str(&render(&report, Format::Sarif, &RenderOptions::default()))
            .expect("JSON");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"),
        )
        .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    // Every result but the suppressed one (suppressed findings take no part in a comparison).
    let states: Vec<&str> = results
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .map(|r| r["baselineState"].as_str().expect("a state"))
        .collect();
    assert_eq!(states.len(), results.len() - 1);
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 1);
    let first = report.findings[0].fingerprint.as_str();
    let new = results
        .iter()
        .find(|r| r["baselineState"] == "new")
        .expect("the new one");
    assert_eq!(new["partialFingerprints"]["vibeguardFingerprint/v1"], first);
}

#[test]
fn json_carries_the_comparison_and_the_trend_as_documented() {
    let report = compared();
    let value: serde_json::Value =
        serde_json::from_str(&render(&report, Format::Json, &RenderOptions::default()))
            .expect("JSON");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json"),
        )
        .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(value["since"]["regressed"][0]["id"], "AUTH-01");
    assert_eq!(value["trend"].as_array().map(Vec::len), Some(6));
    let back: Report = serde_json::from_str(&value.to_string()).expect("reads back");
    assert_eq!(back.since, report.since);
    assert_eq!(back.trend, report.trend);
}

#[test]
fn markdown_has_a_since_section_with_everything_escaped() {
    let markdown = render(&compared(), Format::Markdown, &RenderOptions::default());
    assert!(markdown.contains("### Since run 12 \\(prod "), "{markdown}");
    assert!(markdown.contains("| 1 | 1 | 6 | 1 | 0 |"), "{markdown}");
    assert!(markdown.contains("**New since then** (1)"), "{markdown}");
    assert!(markdown.contains("<details><summary>Fixed since then (1)</summary>"));
    assert!(markdown.contains("| AUTH-01 | passed | failed |"));
    assert!(!markdown.contains("<script>"), "{markdown}");
    assert!(!markdown.contains("![x](http"), "{markdown}");
    // Without a comparison there is no such section.
    let plain = render(
        &canonical_report(),
        Format::Markdown,
        &RenderOptions::default(),
    );
    assert!(!plain.contains("### Since"));
}

#[test]
fn html_shows_the_comparison_and_an_inline_trend_chart() {
    let html = render(&compared(), Format::Html, &RenderOptions::default());
    assert!(html.contains("<h2>Since run 12 (prod "));
    assert!(html.contains("new since the reference run"));
    assert!(!html.contains("<script"), "nothing hostile gets through");
    assert!(html.contains("<svg id=\"trend\""));
    // One bar per severity with findings, per run; the checklist line through six points.
    let bars: usize = compared()
        .trend
        .iter()
        .map(|p| p.active.iter().filter(|n| **n > 0).count())
        .sum();
    assert_eq!(html.matches("<rect class=\"bar\"").count(), bars);
    let line = html
        .split("<polyline class=\"passed\" points=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the checklist line");
    assert_eq!(line.split(' ').count(), 6);
    // A single run draws no trend.
    let mut alone = compared();
    alone.trend.truncate(1);
    assert!(!render(&alone, Format::Html, &RenderOptions::default()).contains("<svg id=\"trend\""));
}

/// Chromium renders the page: the chart's elements are in its DOM and the screenshot is not
/// blank. Skipped with a message where no Chromium is installed, except in CI.
#[test]
fn a_real_browser_renders_the_trend_chart() {
    let Some(browser) = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no Chromium: CI must render the HTML report in a browser (.ci/run installs Debian's chromium)"
        );
        eprintln!("skipped: no chromium installed");
        return;
    };
    let folder = tempfile::tempdir().expect("tempdir");
    let page = folder.path().join("report.html");
    std::fs::write(
        &page,
        render(&compared(), Format::Html, &RenderOptions::default()),
    )
    .expect("write");
    let url = format!("file://{}", page.display());
    let headless = |extra: &[&str]| {
        std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .arg(format!(
                "--user-data-dir={}",
                folder.path().join("profile").display()
            ))
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs")
    };
    let dom = String::from_utf8_lossy(&headless(&["--dump-dom"]).stdout).to_string();
    assert!(
        dom.contains("<svg id=\"trend\""),
        "{}",
        &dom[..dom.len().min(400)]
    );
    assert!(dom.contains("class=\"bar\"") && dom.contains("class=\"passed\""));
    let shot = folder.path().join("shot.png");
    let output = headless(&[
        "--window-size=1200,1600",
        &format!("--screenshot={}", shot.display()),
    ]);
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    // A blank page compresses to almost nothing; a rendered report with a chart does not.
    assert!(
        png.len() > 20_000,
        "the screenshot is blank ({} bytes)",
        png.len()
    );
}
