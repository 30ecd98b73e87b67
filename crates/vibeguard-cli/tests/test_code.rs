//! Code findings in test files (`test/`, `*.spec.ts`, `cypress/`, `__tests__/`, the project's
//! `[code] tests` globs) are reported apart at info severity and never held against the
//! checklist; `--skip-tests` leaves them out and says how many.

mod common;

use common::{json_report, stderr, vibeguard, write};
use serde_json::Value;

const VULNERABLE_QUERY: &str = "const express = require('express');\nconst db = require('./db');\nconst router = express.Router();\nrouter.get('/search', (req, res) => {\n  db.query(`SELECT * FROM notes WHERE title = '${req.query.q}'`, (err, rows) => res.json(rows));\n});\nmodule.exports = router;\n";

fn project(root: &std::path::Path, production_is_vulnerable: bool) {
    let production = if production_is_vulnerable {
        VULNERABLE_QUERY.to_string()
    } else {
        VULNERABLE_QUERY.replace(
            "db.query(`SELECT * FROM notes WHERE title = '${req.query.q}'`, ",
            "db.query('SELECT * FROM notes WHERE title = ?', [req.query.q], ",
        )
    };
    write(root, "src/search.js", &production);
    write(
        root,
        "src/db.js",
        "module.exports = require('mysql2').createPool({});\n",
    );
    for path in [
        "test/search.test.js",
        "src/__tests__/search.js",
        "cypress/e2e/search.cy.js",
        "qa/load/search.js",
    ] {
        write(root, path, VULNERABLE_QUERY);
    }
    write(root, "vibeguard.toml", "[code]\ntests = [\"qa/\"]\n");
}

fn audit(root: &std::path::Path, extra: &[&str]) -> (Option<i32>, Value) {
    let cache = tempfile::tempdir().expect("tempdir");
    let output = vibeguard(cache.path())
        .args(["code", "--format", "json", "--fail-on", "low"])
        .args(extra)
        .arg(root)
        .output()
        .expect("runs");
    assert!(
        stderr(&output).is_empty() || output.status.code() != Some(2),
        "{}",
        stderr(&output)
    );
    (output.status.code(), json_report(&output))
}

fn sql_findings(report: &Value) -> Vec<(String, String, bool)> {
    let mut found: Vec<(String, String, bool)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "VG101")
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["test_code"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    found.sort();
    found
}

fn input_02(report: &Value) -> String {
    report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|item| item["id"] == "INPUT-02")
        .and_then(|item| item["status"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn findings_in_test_code_are_reported_apart_and_not_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path(), true);
    let (code, report) = audit(dir.path(), &[]);
    assert_eq!(code, Some(1));
    let entry =
        |path: &str, severity: &str, test: bool| (path.to_string(), severity.to_string(), test);
    assert_eq!(
        sql_findings(&report),
        [
            entry("cypress/e2e/search.cy.js", "info", true),
            entry("qa/load/search.js", "info", true),
            entry("src/__tests__/search.js", "info", true),
            entry("src/search.js", "critical", false),
            entry("test/search.test.js", "info", true),
        ]
    );
    assert_eq!(report["summary"]["in_test_code"], 4);
    assert_eq!(input_02(&report), "failed");

    // The production query fixed: only test code is left, which neither gates nor fails.
    project(dir.path(), false);
    let (code, report) = audit(dir.path(), &[]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
    assert_eq!(sql_findings(&report).len(), 4);
    assert_eq!(input_02(&report), "passed");

    // --skip-tests: left out, counted.
    let (code, report) = audit(dir.path(), &["--skip-tests"]);
    assert_eq!(code, Some(0));
    assert!(sql_findings(&report).is_empty());
    assert_eq!(report["summary"]["test_code_set_aside"], 4);
}

#[test]
fn the_terminal_report_shows_test_code_last_and_says_what_was_set_aside() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path(), true);
    let cache = tempfile::tempdir().expect("tempdir");
    let output = vibeguard(cache.path())
        .args(["code", "--fail-on", "never"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = common::stdout(&output);
    let apart = text.find("IN TEST CODE (4)").expect("a test-code group");
    assert!(
        text.find("src/search.js").is_some_and(|at| at < apart),
        "{text}"
    );
    assert!(text.contains("4 in test code"), "{text}");
    let skipped = vibeguard(cache.path())
        .args(["code", "--fail-on", "never", "--skip-tests"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(
        common::stdout(&skipped).contains("4 in test code set aside (--skip-tests)"),
        "{}",
        common::stdout(&skipped)
    );
}
