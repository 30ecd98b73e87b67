//! The run history end to end: audits recorded in `.vibeguard/history.db`, listed, shown,
//! compared (`diff` in every format) and gated on (`--compare-to … --fail-on-new`); a history
//! that cannot be used never costs the audit.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{stderr, stdout, vibeguard, write};
use serde_json::Value;

const HANDLER: &str = "const express = require('express');\nconst app = express();\n";

/// One route with SQL built from the query string, after `padding` blank lines.
fn project_with_one_flaw(root: &Path, padding: usize) {
    write(
        root,
        "server.js",
        &format!(
            "{HANDLER}{}app.get('/notes', (req, res) => {{\n  db.query('SELECT * FROM notes WHERE title = ' + req.query.title);\n}});\napp.listen(3999);\n",
            "\n".repeat(padding)
        ),
    );
}

/// The same route moved down, and a second flaw in another file.
fn project_with_two_flaws(root: &Path) {
    project_with_one_flaw(root, 5);
    write(
        root,
        "admin.js",
        &format!(
            "{HANDLER}app.get('/users', (req, res) => {{\n  db.query(`SELECT * FROM users WHERE name = '${{req.query.name}}'`);\n}});\napp.listen(3998);\n"
        ),
    );
}

fn run(cache: &Path, args: &[&str]) -> std::process::Output {
    let mut command: Command = vibeguard(cache);
    command
        .env_remove("VIBEGUARD_LABEL")
        .env_remove("CI_ENVIRONMENT_NAME")
        .env_remove("GITHUB_SHA")
        .env_remove("GITHUB_REF_NAME")
        .env_remove("GITHUB_HEAD_REF")
        .args(args)
        .output()
        .expect("runs")
}

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[test]
fn runs_are_recorded_compared_and_gated_on_what_is_new() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path().to_str().expect("utf-8");
    project_with_one_flaw(project.path(), 0);
    let first = run(cache.path(), &["code", root, "--label", "prod"]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    assert!(project.path().join(".vibeguard/history.db").is_file());

    // The flaw moved down five lines, and a new one came in another file.
    project_with_two_flaws(project.path());
    let gated = run(
        cache.path(),
        &[
            "code",
            root,
            "--label",
            "pr",
            "--compare-to",
            "prod",
            "--fail-on-new",
            "-f",
            "json",
        ],
    );
    assert_eq!(
        gated.status.code(),
        Some(1),
        "the new flaw gates: {}",
        stderr(&gated)
    );
    assert!(
        stderr(&gated).contains("since run 1 (prod, ")
            && stderr(&gated).contains(": 2 new, 0 fixed, 2 still open"),
        "{}",
        stderr(&gated)
    );
    assert!(stderr(&gated).contains("admin.js"), "{}", stderr(&gated));
    let report = json(&gated);
    // The new SQL injection gates; the new missing headers (medium) and the moved flaw do not.
    assert_eq!(report["summary"]["gating"], 1, "only the new finding gates");
    // The report carries the comparison and the trend (run 1, then this run).
    assert_eq!(report["since"]["new"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["since"]["unchanged"], 2);
    assert!(
        report["since"]["reference"]
            .as_str()
            .expect("reference")
            .starts_with("run 1 (prod, ")
    );
    let trend: Vec<i64> = report["trend"]
        .as_array()
        .expect("trend")
        .iter()
        .map(|p| p["run"].as_i64().expect("run"))
        .collect();
    assert_eq!(trend, [1, 0]);

    // Against the run that already had both, nothing is new: the gate passes.
    let again = run(
        cache.path(),
        &["code", root, "--compare-to", "latest", "--fail-on-new"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains(": 0 new, 0 fixed, 4 still open"),
        "{}",
        stderr(&again)
    );
    // Without --fail-on-new the usual gate applies; the Markdown and HTML reports show the
    // comparison, and the HTML the trend of the four runs.
    let pages = tempfile::tempdir().expect("tempdir");
    let markdown = pages.path().join("report.md");
    let html = pages.path().join("report.html");
    let plain = run(
        cache.path(),
        &[
            "code",
            root,
            "--compare-to",
            "prod",
            "-f",
            &format!("markdown={}", markdown.display()),
            "-f",
            &format!("html={}", html.display()),
        ],
    );
    assert_eq!(plain.status.code(), Some(1));
    let markdown = std::fs::read_to_string(&markdown).expect("markdown");
    assert!(markdown.contains("### Since run 1 \\(prod, "), "{markdown}");
    let html = std::fs::read_to_string(&html).expect("html");
    assert!(html.contains("<h2>Since run 1 (prod, "));
    assert!(
        html.contains("<h2>Trend: the last 4 runs</h2>"),
        "runs 1-3 and this one"
    );

    // Listed newest first, with labels; filtered by label.
    let listed = json(&run(
        cache.path(),
        &["history", "list", "--project", root, "-f", "json"],
    ));
    let ids: Vec<i64> = listed
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [4, 3, 2, 1]);
    assert_eq!(listed[2]["label"], "pr");
    let prod = json(&run(
        cache.path(),
        &[
            "history",
            "--project",
            root,
            "--label",
            "prod",
            "-f",
            "json",
        ],
    ));
    assert_eq!(prod.as_array().expect("runs").len(), 1);
    let table = run(cache.path(), &["history", "--project", root]);
    assert!(stdout(&table).contains("prod"), "{}", stdout(&table));

    // One run in full.
    let shown = run(
        cache.path(),
        &["history", "show", "prod", "--project", root],
    );
    assert!(
        stdout(&shown).contains("run 1 (prod, "),
        "{}",
        stdout(&shown)
    );
    assert!(stdout(&shown).contains("server.js"), "{}", stdout(&shown));

    // The diff of two labelled runs, in every format: the moved flaw is the same finding.
    let diff = run(
        cache.path(),
        &["diff", "prod", "pr", "--project", root, "-f", "json"],
    );
    assert_eq!(diff.status.code(), Some(1), "a new high finding: exit 1");
    let diff = json(&diff);
    assert_eq!(diff["new"].as_array().expect("new").len(), 2);
    assert!(
        diff["new"][0]["location"]
            .as_str()
            .expect("location")
            .starts_with("admin.js")
    );
    assert_eq!(diff["unchanged"].as_array().expect("unchanged").len(), 2);
    assert!(diff["fixed"].as_array().expect("fixed").is_empty());
    let terminal = run(cache.path(), &["diff", "prod", "pr", "--project", root]);
    assert!(
        stdout(&terminal).contains("2 new, 0 fixed, 2 still open"),
        "{}",
        stdout(&terminal)
    );
    let markdown = stdout(&run(
        cache.path(),
        &["diff", "prod", "pr", "--project", root, "-f", "markdown"],
    ));
    assert!(markdown.contains("| 2 | 0 | 2 |"), "{markdown}");
    assert!(
        markdown.contains("<details open><summary>New findings (2)</summary>"),
        "{markdown}"
    );
    // The other way round, the new flaw is fixed; the default compares the two latest.
    let back = json(&run(
        cache.path(),
        &["diff", "pr", "prod", "--project", root, "-f", "json"],
    ));
    assert_eq!(back["fixed"].as_array().expect("fixed").len(), 2);
    let latest = json(&run(
        cache.path(),
        &["diff", "--project", root, "-f", "json"],
    ));
    assert_eq!(
        (latest["base"]["id"].as_i64(), latest["head"]["id"].as_i64()),
        (Some(3), Some(4))
    );

    // Pruning keeps the newest.
    let pruned = run(
        cache.path(),
        &["history", "prune", "--keep", "1", "--project", root],
    );
    assert!(
        stderr(&pruned).contains("3 run(s) deleted"),
        "{}",
        stderr(&pruned)
    );
    let unknown = run(cache.path(), &["diff", "prod", "--project", root]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no run labelled `prod`"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn a_history_that_cannot_be_used_never_costs_the_audit() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path().to_str().expect("utf-8");
    project_with_one_flaw(project.path(), 0);
    write(
        project.path(),
        ".vibeguard/history.db",
        &"not a database ".repeat(600),
    );
    let out = project.path().join("report.json");
    let output = run(
        cache.path(),
        &["code", root, "-f", &format!("json={}", out.display())],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "the findings' exit code: {}",
        stderr(&output)
    );
    assert!(out.is_file(), "the report is written");
    let warning = stderr(&output);
    assert!(
        warning.contains("history.db") && warning.contains("not a SQLite database"),
        "{warning}"
    );
    let required = run(cache.path(), &["code", root, "--require-history"]);
    assert_eq!(required.status.code(), Some(2), "{}", stderr(&required));

    // --no-history records nothing; --fail-on-new without a reference gates as usual.
    let clean = tempfile::tempdir().expect("tempdir");
    project_with_one_flaw(clean.path(), 0);
    let root = clean.path().to_str().expect("utf-8");
    assert_eq!(
        run(cache.path(), &["code", root, "--no-history"])
            .status
            .code(),
        Some(1)
    );
    assert!(!clean.path().join(".vibeguard").exists());
    let first = run(
        cache.path(),
        &["code", root, "--compare-to", "latest", "--fail-on-new"],
    );
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("every finding at or above --fail-on gates"),
        "{}",
        stderr(&first)
    );
}

#[test]
fn a_team_history_in_postgresql_records_and_compares_without_printing_its_password() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path().to_str().expect("utf-8");
    project_with_one_flaw(project.path(), 0);

    // A server that refuses: the audit completes, the warning names the URL without password.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let refused_url = format!("postgres://ci:hunter2-secret@127.0.0.1:{port}/history");
    let refused = run(cache.path(), &["code", root, "--history", &refused_url]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let warning = stderr(&refused);
    assert!(
        warning.contains(&format!("postgres://ci@127.0.0.1:{port}/history")),
        "{warning}"
    );
    assert!(!warning.contains("hunter2-secret"), "{warning}");
    let required = run(
        cache.path(),
        &["code", root, "--history", &refused_url, "--require-history"],
    );
    assert_eq!(required.status.code(), Some(2));

    let Ok(server) = std::env::var("VIBEGUARD_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "VIBEGUARD_TEST_POSTGRES is not set: CI must test the PostgreSQL history (.ci/run starts a server)"
        );
        eprintln!(
            "skipped the PostgreSQL part: set VIBEGUARD_TEST_POSTGRES=postgres://user:password@127.0.0.1/db"
        );
        return;
    };
    // The password goes through the environment, as a pipeline's secret would.
    let (scheme, rest) = server.split_once("://").expect("a URL");
    let (credentials, host) = rest
        .rsplit_once('@')
        .expect("the test URL names a user and password");
    let (user, password) = credentials
        .split_once(':')
        .expect("the test URL has a password");
    let url = format!("{scheme}://{user}:${{VG_HISTORY_PASSWORD}}@{host}");
    let with_password = |args: &[&str]| {
        let mut command: Command = vibeguard(cache.path());
        command
            .env("VG_HISTORY_PASSWORD", password)
            .env_remove("VIBEGUARD_LABEL")
            .env_remove("CI_ENVIRONMENT_NAME")
            .args(args)
            .args(["--history", &url])
            .output()
            .expect("runs")
    };
    let out = project.path().join("report.json");
    let first = with_password(&[
        "code",
        root,
        "--label",
        "prod",
        "-f",
        &format!("json={}", out.display()),
    ]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    project_with_two_flaws(project.path());
    let second = with_password(&["code", root, "-v", "--compare-to", "prod", "--fail-on-new"]);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(
        stderr(&second).contains(": 2 new, 0 fixed, 2 still open"),
        "{}",
        stderr(&second)
    );
    let listed = with_password(&["history", "--project", root, "-f", "json"]);
    let runs = json(&listed);
    assert_eq!(
        runs.as_array().expect("runs").len(),
        2,
        "{}",
        stderr(&listed)
    );
    let diff = with_password(&["diff", "--project", root]);
    assert!(
        stdout(&diff).contains("2 new, 0 fixed, 2 still open"),
        "{}",
        stdout(&diff)
    );
    // The password is in no output and no report.
    for output in [&first, &second, &listed, &diff] {
        assert!(!stdout(output).contains(password) && !stderr(output).contains(password));
    }
    assert!(
        !std::fs::read_to_string(&out)
            .expect("report")
            .contains(password)
    );
}

#[test]
fn a_fan_out_of_services_in_one_history_is_diffed_label_by_label() {
    let cache = tempfile::tempdir().expect("tempdir");
    let shared = tempfile::tempdir().expect("tempdir");
    let history = shared.path().join("team.db");
    let history = history.to_str().expect("utf-8");
    let billing = tempfile::tempdir().expect("tempdir");
    let search = tempfile::tempdir().expect("tempdir");
    let (billing_root, search_root) = (
        billing.path().to_str().expect("utf-8"),
        search.path().to_str().expect("utf-8"),
    );
    // Two services, each its own project and label, twice: billing gains a flaw, search not.
    project_with_one_flaw(billing.path(), 0);
    project_with_one_flaw(search.path(), 0);
    for (root, label) in [(billing_root, "svc-billing"), (search_root, "svc-search")] {
        run(
            cache.path(),
            &["code", root, "--label", label, "--history", history],
        );
    }
    project_with_two_flaws(billing.path());
    for (root, label) in [(billing_root, "svc-billing"), (search_root, "svc-search")] {
        run(
            cache.path(),
            &["code", root, "--label", label, "--history", history],
        );
    }
    run(
        cache.path(),
        &["code", search_root, "--label", "web", "--history", history],
    );

    let output = run(
        cache.path(),
        &[
            "diff",
            "--label",
            "svc-*",
            "--history",
            history,
            "-f",
            "json",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "billing's new SQL injection gates"
    );
    let services = json(&output);
    let services = services.as_array().expect("one entry per label");
    let labels: Vec<&str> = services
        .iter()
        .map(|s| s["label"].as_str().expect("label"))
        .collect();
    assert_eq!(
        labels,
        ["svc-billing", "svc-search"],
        "`web` is not a service"
    );
    assert_eq!(services[0]["new"].as_array().map(Vec::len), Some(2));
    assert_eq!(services[1]["new"].as_array().map(Vec::len), Some(0));
    assert_eq!(services[1]["unchanged"], 2);
    let terminal = stdout(&run(
        cache.path(),
        &["diff", "--label", "svc-*", "--history", history],
    ));
    assert!(
        terminal.contains("== svc-billing") && terminal.contains("== svc-search"),
        "{terminal}"
    );
}
