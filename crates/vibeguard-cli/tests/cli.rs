//! End-to-end tests of the `vibeguard` binary: exit codes, every subcommand, every report
//! format written by a real run, configuration errors, baselines, suppressions, and bad input.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::{
    everything_written, python_project, repo_file, stderr, stdout, write, write_every_format,
};
use serde_json::Value;

mod common;

fn vibeguard(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vibeguard"));
    // CI is set where the suite runs in CI; the tests that need it set it themselves.
    command
        .env("VIBEGUARD_CACHE_DIR", cache)
        .env_remove("NO_COLOR")
        .env_remove("CI");
    command
}

fn schema_errors(schema: &Path, instance: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(schema).expect("schema")).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn demo_reports_hygiene_findings_and_the_checklist_and_exits_1() {
    let cache = tempfile::tempdir().expect("tempdir");
    let out_dir = tempfile::tempdir().expect("tempdir");
    let sarif = out_dir.path().join("x.sarif");
    let json = out_dir.path().join("r.json");
    let output = vibeguard(cache.path())
        .args(["demo", "--progress", "--format", "sarif", "--output"])
        .arg(&sarif)
        .arg("--format")
        .arg(format!("json={}", json.display()))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // --progress off a terminal: plain lines on stderr, never on stdout.
    let progress = stderr(&output);
    for step in [
        "progress: code: parsing",
        "progress: api: testing http://127.0.0.1:",
    ] {
        assert!(progress.contains(step), "{step} in:\n{progress}");
    }
    let text = stdout(&output);
    assert!(!text.contains("progress:"), "{text}");
    for expected in [
        "VG305 .env",
        "VG302 unpinned-dependency",
        "VG303 lockfile-out-of-sync",
        "VG304",
        "VG306",
        "Checklist",
        "FAIL",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    // The failed items' ids, on the line that names them and its continuation lines.
    let failed_items: String = text
        .lines()
        .skip_while(|line| !line.contains("✗ failed ("))
        .enumerate()
        .take_while(|(index, line)| *index == 0 || line.starts_with("      "))
        .map(|(_, line)| line)
        .collect();
    assert!(failed_items.contains("DEPS-01"), "{failed_items}");
    // One screen: every critical and high finding on its own numbered line, the others counted
    // per rule, no evidence.
    assert!(
        text.lines().count() < 150,
        "{} lines:\n{text}",
        text.lines().count()
    );
    let report: Value =
        serde_json::from_str(&fs::read_to_string(&json).expect("json")).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let serious = findings
        .iter()
        .filter(|f| f["severity"] == "critical" || f["severity"] == "high")
        .count();
    let numbered_lines = text
        .lines()
        .filter(|line| {
            let mut words = line.split_whitespace();
            words.next().is_some_and(|n| n.parse::<usize>().is_ok())
                && words.next().is_some_and(|code| code.starts_with("VG"))
        })
        .count();
    assert_eq!(numbered_lines, serious, "{text}");
    assert!(serious > 50 && findings.len() > serious);
    assert!(!text.contains("request:"), "evidence only with -v");
    // `show N` prints a finding of that run in full; `brief N` its fix brief.
    let shown = vibeguard(cache.path())
        .args(["show", "1"])
        .output()
        .expect("runs");
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let shown = stdout(&shown);
    let first = text
        .lines()
        .find(|line| line.trim_start().starts_with("1 VG"))
        .expect("finding 1");
    let code = first.split_whitespace().nth(1).expect("code");
    assert!(
        shown.contains(&format!("1. {code}")) && shown.contains("fix:"),
        "{shown}"
    );
    let brief = vibeguard(cache.path())
        .args(["brief", "1"])
        .output()
        .expect("runs");
    let brief = stdout(&brief);
    assert!(brief.contains(&format!("--checks {code}")), "{brief}");
    let missing = vibeguard(cache.path())
        .args(["show", "100000"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("there is no finding 100000"));
    assert!(
        !text.contains("supersecretjwtkey123"),
        "a secret value leaked"
    );
    let log: Value =
        serde_json::from_str(&fs::read_to_string(&sarif).expect("sarif written")).expect("JSON");
    let errors = schema_errors(
        &repo_file("crates/vibeguard-report/tests/schemas/sarif-schema-2.1.0.json"),
        &log,
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() >= 10);
    // GitHub code scanning drops a result without a file and line: every one has them, the
    // API findings at their operation in the project's description.
    let unplaced: Vec<String> = results
        .iter()
        .filter(|result| {
            result["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .is_none()
        })
        .map(|result| format!("{} {}", result["ruleId"], result["message"]["text"]))
        .collect();
    assert!(
        unplaced.is_empty(),
        "results without a location: {unplaced:#?}"
    );
    let api_result = results
        .iter()
        .find(|result| result["ruleId"] == "VG402")
        .expect("a VG402 result");
    assert_eq!(
        api_result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "openapi.yaml"
    );
}

#[test]
fn every_format_is_written_from_one_run_and_parses() {
    let cache = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let o = |name: &str| out.path().join(name);
    let output = vibeguard(cache.path())
        .args(["demo", "-q"])
        .arg("--format")
        .arg(format!("json={}", o("r.json").display()))
        .arg("--format")
        .arg("junit")
        .arg("--output")
        .arg(o("r.xml"))
        .arg("--format")
        .arg("markdown")
        .arg("--output")
        .arg(o("r.md"))
        .arg("--output")
        .arg(o("r.html"))
        .arg("--format")
        .arg("terminal")
        .arg("--output")
        .arg(o("r.txt"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: Value =
        serde_json::from_str(&fs::read_to_string(o("r.json")).expect("json")).expect("JSON");
    assert_eq!(
        schema_errors(&repo_file("docs/report.schema.json"), &json),
        Vec::<String>::new()
    );
    assert_eq!(json["checklist"].as_array().map(Vec::len), Some(34));
    let junit =
        quick_junit::Report::deserialize_from_str(&fs::read_to_string(o("r.xml")).expect("xml"))
            .expect("JUnit");
    assert_eq!(junit.test_suites[0].name.as_str(), "vibeguard.hygiene");
    assert!(junit.test_suites[0].failures >= 3);
    // The scenarios' suite: one case per step of each scenario (and operation), the seven
    // failed steps failed, bob's read of a user record alice cannot list skipped.
    let scenarios = junit
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "vibeguard.scenarios")
        .expect("the scenarios suite");
    assert_eq!(scenarios.failures, 7);
    assert_eq!(scenarios.tests, scenarios.test_cases.len());
    assert!(scenarios.tests >= 20, "{}", scenarios.tests);
    assert!(scenarios.test_cases.iter().any(|case| {
        case.name.as_str() == "bob cannot read alice's task › alice creates a task"
            && matches!(case.status, quick_junit::TestCaseStatus::Success { .. })
    }));
    let terminal = fs::read_to_string(o("r.txt")).expect("txt");
    assert!(
        terminal.contains(
            "✗ bob cannot read alice's task — bob reads it: expected status 403 or 404, got 200"
        ),
        "{terminal}"
    );
    assert!(
        fs::read_to_string(o("r.md"))
            .expect("md")
            .starts_with("## ❌ vibeguard")
    );
    assert!(
        fs::read_to_string(o("r.html"))
            .expect("html")
            .starts_with("<!DOCTYPE html>")
    );
    assert!(
        fs::read_to_string(o("r.txt"))
            .expect("txt")
            .contains("Checklist")
    );
    // -q with every format in a file: only the summary line on stdout, and the warnings (the
    // demo's code declares `DELETE /api/users/{id}`, which its description leaves out: an
    // operation of the run, and one no check could send without deleting an account it did
    // not create).
    let printed = stdout(&output);
    let mut lines = printed.lines();
    assert!(
        lines.next().is_some_and(|l| l.starts_with("Summary:")),
        "{printed}"
    );
    assert!(lines.all(|l| l.starts_with("Warning:")), "{printed}");
    // Off a terminal and without --progress, no progress at all.
    assert!(
        !stderr(&output).contains("progress:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    python_project(project.path(), "flask==3.0.2\nrequests>=2.31,<3\n");
    // requests>=2.31,<3 without a lockfile: a medium finding.
    let run = |fail_on: &str| {
        vibeguard(cache.path())
            .args(["audit", "--fail-on", fail_on])
            .arg(project.path())
            .output()
            .expect("runs")
    };
    assert_eq!(run("high").status.code(), Some(0));
    assert_eq!(run("medium").status.code(), Some(1));
    assert_eq!(run("never").status.code(), Some(0));
    let bad = run("severe");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("severe"));
}

#[test]
fn a_clean_project_passes_and_the_checklist_shows_its_verdict() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    write(project.path(), "requirements.txt", "flask==3.0.2\n");
    write(
        project.path(),
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n",
    );
    write(project.path(), ".gitignore", ".env\n");
    let output = vibeguard(cache.path())
        .arg("audit")
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("No findings."));
    let checklist = vibeguard(cache.path())
        .arg("checklist")
        .arg(project.path())
        .output()
        .expect("runs");
    let text = stdout(&checklist);
    assert!(text.starts_with("Verdict of the audit of"), "{text}");
    assert!(text.contains("✓ DEPS-01  passed"), "{text}");
    assert!(text.contains("✓ DEPS-03  passed"), "{text}");
    let catalog = vibeguard(cache.path())
        .args(["checklist", "--catalog"])
        .output()
        .expect("runs");
    assert!(stdout(&catalog).contains("DEPS-01  Every package is pinned"));
}

#[test]
fn explain_prints_the_four_part_docs_and_rejects_unknown_codes() {
    let cache = tempfile::tempdir().expect("tempdir");
    let output = vibeguard(cache.path())
        .args(["explain", "VG301"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for part in [
        "What it finds",
        "Why it matters",
        "Example",
        "Fixed",
        "How to fix",
        "References",
        "DEPS-01",
    ] {
        assert!(text.contains(part), "missing {part}");
    }
    let by_name = vibeguard(cache.path())
        .args(["explain", "unpinned-dependency"])
        .output()
        .expect("runs");
    assert!(stdout(&by_name).starts_with("VG302 unpinned-dependency"));
    let unknown = vibeguard(cache.path())
        .args(["explain", "VG3O1"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean VG301"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn rules_lists_every_rule_with_its_checklist_items() {
    let cache = tempfile::tempdir().expect("tempdir");
    let output = vibeguard(cache.path()).arg("rules").output().expect("runs");
    let text = stdout(&output);
    for line in [
        "VG001",
        "VG301  missing-lockfile",
        "DEPS-01",
        "VG305",
        "DATA-04",
        "VG201",
        "VG203",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    let json = vibeguard(cache.path())
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    let rules: Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    // VG001 and VG002, six hygiene rules, three advisory rules, four secret rules, the API
    // checks, thirty code rules, the scenario rule, ten container rules, three image rules.
    assert_eq!(
        rules.as_array().map(Vec::len),
        Some(2 + 6 + 3 + 4 + vibeguard_api::checks::ALL.len() + 30 + 1 + 10 + 3)
    );
    let bad = vibeguard(cache.path())
        .args(["rules", "--format", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn generated_docs_are_in_sync() {
    let cache = tempfile::tempdir().expect("tempdir");
    for (args, file) in [
        (vec!["rules", "--format", "markdown"], "docs/rules.md"),
        (
            vec!["checklist", "--catalog", "--format", "markdown"],
            "docs/checklist.md",
        ),
    ] {
        let output = vibeguard(cache.path()).args(&args).output().expect("runs");
        let committed = fs::read_to_string(repo_file(file)).unwrap_or_default();
        assert!(
            stdout(&output) == committed,
            "{file} is stale: regenerate it with `cargo run -q -- {} > {file}`",
            args.join(" ")
        );
    }
}

#[test]
fn an_unknown_config_key_is_an_error_naming_the_key_and_line() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    python_project(project.path(), "flask==3.0.2\nrequests>=2.31,<3\n");
    write(
        project.path(),
        "vibeguard.toml",
        "fail_on = \"high\"\n\n[rules]\ndisabel = [\"VG302\"]\n",
    );
    let output = vibeguard(cache.path())
        .arg("audit")
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("vibeguard.toml:4:1"), "{message}");
    assert!(message.contains("unknown field `disabel`"), "{message}");
    assert!(message.contains("did you mean `disable`"), "{message}");
    assert_eq!(
        message.trim().lines().count(),
        1,
        "one paragraph: {message}"
    );
}

#[test]
fn configuration_disables_rules_and_overrides_severities() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    python_project(project.path(), "flask==3.0.2\nrequests>=2.31,<3\n");
    write(
        project.path(),
        "vibeguard.toml",
        "[rules.severity]\nunpinned-dependency = \"critical\"\n",
    );
    let output = vibeguard(cache.path())
        .args(["audit", "--format", "json"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report["findings"][0]["severity"], "critical");
    write(
        project.path(),
        "vibeguard.toml",
        "[rules]\ndisable = [\"VG302\"]\n",
    );
    let output = vibeguard(cache.path())
        .args(["audit", "--format", "json"])
        .arg(project.path())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    let deps01 = report["checklist"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == "DEPS-01"))
        .cloned();
    // VG301 and VG303 still cover DEPS-01, but VG302 did not run.
    assert!(deps01.is_some_and(|item| {
        !item["checked_by"]
            .as_array()
            .is_some_and(|c| c.contains(&Value::from("VG302")))
    }));
}

#[test]
fn baselines_accept_known_findings_and_still_gate_new_ones() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(root, "requirements.txt", "flask\n");
    let baseline = root.join(".vibeguard/baseline.json");
    let wrote = vibeguard(cache.path())
        .args(["baseline", "write"])
        .arg(&baseline)
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(wrote.status.code(), Some(0), "{}", stderr(&wrote));
    let recorded: Value =
        serde_json::from_str(&fs::read_to_string(&baseline).expect("baseline")).expect("JSON");
    assert!(
        recorded["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );

    let audit = |extra: &[&str]| {
        vibeguard(cache.path())
            .arg("audit")
            .args(extra)
            .arg("--baseline")
            .arg(&baseline)
            .arg(root)
            .output()
            .expect("runs")
    };
    let accepted = audit(&[]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stdout(&accepted));
    assert!(stdout(&accepted).contains("[baselined]"));

    write(root, "requirements.txt", "flask\nrequests\n");
    let new = audit(&[]);
    assert_eq!(new.status.code(), Some(1), "{}", stdout(&new));

    let missing = vibeguard(cache.path())
        .args(["audit", "--baseline", "nope.json"])
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("vibeguard baseline write"));
}

#[test]
fn fingerprints_survive_lines_inserted_above_a_finding() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    let fingerprints = || {
        let output = vibeguard(cache.path())
            .args(["audit", "--format", "json", "--fail-on", "never"])
            .arg(root)
            .output()
            .expect("runs");
        let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        let mut list: Vec<(String, u64)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["fingerprint"].as_str().unwrap_or("").to_string(),
                    f["location"]["span"]["start_line"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        list.sort();
        list
    };
    write(
        root,
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n",
    );
    write(root, "requirements.txt", "flask\nrequests>=2\n");
    let before = fingerprints();
    write(
        root,
        "requirements.txt",
        "# pinned for production\n# see docs\n\nflask\nrequests>=2\n",
    );
    let after = fingerprints();
    assert_eq!(before.len(), 2);
    let ids = |list: &[(String, u64)]| list.iter().map(|(fp, _)| fp.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after), "fingerprints changed");
    assert_ne!(
        before.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
        after.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
        "the lines did move"
    );
}

#[test]
fn secret_findings_are_suppressed_inline_and_baselines_survive_edits_around_them() {
    const B62: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    let github = format!("ghp_{}", pseudo_random(21, B62, 36));
    let stripe = format!("sk_live_{}", pseudo_random(22, B62, 40));
    write(
        root,
        "src/config.js",
        &format!(
            "const githubToken = '{github}';\n// vibeguard-ignore[VG201]: the vendor's published sandbox key\nconst stripeKey = '{stripe}';\n"
        ),
    );
    let secrets = |extra: &[&str]| {
        vibeguard(cache.path())
            .args(["secrets", "--format", "json"])
            .args(extra)
            .arg(root)
            .output()
            .expect("runs")
    };
    let states = |output: &std::process::Output| -> Vec<String> {
        let report: Value = serde_json::from_str(&stdout(output)).expect("JSON");
        let mut states: Vec<String> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap_or(""),
                    f["state"].as_str().unwrap_or("")
                )
            })
            .collect();
        states.sort();
        states
    };
    let first = secrets(&[]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    assert_eq!(states(&first), ["VG201 active", "VG201 suppressed"]);

    let baseline = cache.path().join("baseline.json");
    let wrote = vibeguard(cache.path())
        .args(["baseline", "write"])
        .arg(&baseline)
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(wrote.status.code(), Some(0), "{}", stderr(&wrote));
    // Lines inserted above and the assignment rewritten: the same secret, the same finding.
    write(
        root,
        "src/config.js",
        &format!(
            "'use strict';\n\n// GitHub access for the release job\nexport const GH_TOKEN = \"{github}\"; // TODO move to env\n// vibeguard-ignore[VG201]: the vendor's published sandbox key\nconst stripeKey = '{stripe}';\n"
        ),
    );
    let baseline_arg = baseline.display().to_string();
    let moved = secrets(&["--baseline", &baseline_arg]);
    assert_eq!(moved.status.code(), Some(0), "{}", stdout(&moved));
    assert_eq!(states(&moved), ["VG201 baselined", "VG201 suppressed"]);
    // A new secret on that very line is a new finding.
    let rotated = format!("ghp_{}", pseudo_random(23, B62, 36));
    write(
        root,
        "src/config.js",
        &format!("export const GH_TOKEN = \"{rotated}\";\n"),
    );
    let new = secrets(&["--baseline", &baseline_arg]);
    assert_eq!(new.status.code(), Some(1), "{}", stdout(&new));
    assert_eq!(states(&new), ["VG201 active"]);
}

#[test]
fn inline_suppressions_need_a_reason() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(
        root,
        "requirements.txt",
        "# vibeguard-ignore[VG302]: internal mirror pins this\nflask\n# vibeguard-ignore[unpinned-dependency]\nrequests\n",
    );
    let output = vibeguard(cache.path())
        .args(["audit", "--format", "json", "--fail-on", "never"])
        .arg(root)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let state = |code: &str, state: &str| {
        findings
            .iter()
            .filter(|f| f["code"] == code && f["state"] == state)
            .count()
    };
    assert_eq!(state("VG302", "suppressed"), 2);
    assert_eq!(state("VG302", "active"), 0);
    assert_eq!(state("VG001", "active"), 1);
    let suppressed = findings
        .iter()
        .find(|f| f["state"] == "suppressed" && f["reason"] == "internal mirror pins this");
    assert!(suppressed.is_some());
}

#[test]
fn credentials_and_tokens_never_reach_any_output() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let demo = runtime
        .block_on(vibeguard_demo::api::DemoApi::start(
            vibeguard_demo::api::Mode::Vulnerable,
            0,
        ))
        .expect("demo API");
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    let url_secret = "tok-Very-Secret-4242";
    let (alice, bob) = (
        vibeguard_demo::api::ACCOUNTS[0],
        vibeguard_demo::api::ACCOUNTS[1],
    );
    write(
        root,
        "requirements.txt",
        &format!(
            "internal @ https://ci-bot:{url_secret}@pypi.internal.example/internal-1.0.tar.gz\nflask\n"
        ),
    );
    write(
        root,
        "vibeguard.toml",
        &format!(
            "[api]\ntarget = \"{}\"\nspec = \"/openapi.yaml\"\n\n[identities.alice]\nkind = \"login\"\nrequest = {{ path = \"/api/login\", json = {{ email = \"{}\", password = \"${{ALICE_PASSWORD}}\" }} }}\ncapture = {{ json_pointer = \"/token\" }}\n\n[identities.bob]\nkind = \"login\"\nrequest = {{ path = \"/api/login\", json = {{ email = \"{}\", password = \"{}\" }} }}\ncapture = {{ json_pointer = \"/token\" }}\n",
            demo.url(),
            alice.0,
            bob.0,
            bob.1
        ),
    );
    let mut command = vibeguard(cache.path());
    command
        .env("ALICE_PASSWORD", alice.1)
        .args(["audit", "--fail-on", "never", "-v"])
        .arg(root);
    write_every_format(&mut command, out.path());
    command.arg("--har").arg(out.path().join("exchanges.har"));
    let output = command.output().expect("runs");
    runtime.block_on(demo.stop());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = fs::read_to_string(out.path().join("r.json")).expect("json");
    assert!(
        report.contains("\"VG401\"") && report.contains("\"VG305\"")
            || report.contains("\"VG302\""),
        "both engines reported"
    );
    let mut outputs = everything_written(out.path(), &output);
    assert_eq!(outputs.len(), 8 + 2, "every report file, stdout and stderr");
    // The briefs and the full findings printed from the stored last run hold no credential
    // either.
    for args in [
        vec!["brief", "--all", "--project"],
        vec!["show", "1"],
        vec!["show", "2"],
    ] {
        let printed = vibeguard(cache.path())
            .args(&args)
            .arg(root)
            .output()
            .expect("runs");
        assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
        outputs.push((args.join(" "), stdout(&printed)));
    }
    for (name, text) in &outputs {
        for secret in [url_secret, alice.1, bob.1] {
            assert!(!text.contains(secret), "{secret} appears in {name}");
        }
        // Every token vibeguard obtained (and every tampered copy) is a JWT: none may appear.
        assert!(
            !text.contains("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ"),
            "a token appears in {name}"
        );
    }
    // Only secrets are masked: the accounts' e-mail addresses in the logins stay readable.
    let har = fs::read_to_string(out.path().join("exchanges.har")).expect("HAR");
    for email in [alice.0, bob.0] {
        assert!(har.contains(email), "{email} was masked in the HAR");
    }
}

/// A deterministic pseudo-random string over `alphabet` (an xorshift generator: the values look
/// generated, as real keys do, without a dependency).
fn pseudo_random(seed: u64, alphabet: &str, length: usize) -> String {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut state = seed.max(1);
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            alphabet[usize::try_from(state % alphabet.len() as u64).expect("index")]
        })
        .collect()
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

#[test]
fn found_secrets_never_reach_any_output() {
    const B62: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    let github = format!("ghp_{}", pseudo_random(1, B62, 36));
    let stripe = format!("sk_live_{}", pseudo_random(2, B62, 40));
    let db_password = pseudo_random(3, B62, 14);
    let short_password = "Zq7!xw";
    let generic = pseudo_random(4, B62, 40);
    let aws_secret = pseudo_random(5, &format!("{B62}/+"), 40);
    let key_body: Vec<String> = (0..12)
        .map(|line| pseudo_random(10 + line, &format!("{B62}/+"), 64))
        .collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        key_body.join("\n")
    );
    git(root, &["init", "-q"]);
    // Removed in the second commit: only --git-history finds it.
    write(
        root,
        "deploy/aws.env",
        &format!("AWS_SECRET_ACCESS_KEY={aws_secret}\n"),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "deploy settings"]);
    fs::remove_file(root.join("deploy/aws.env")).expect("rm");
    write(
        root,
        "src/config.js",
        &format!(
            "const githubToken = '{github}';\nconst stripe = require('stripe')('{stripe}');\n"
        ),
    );
    write(
        root,
        ".env",
        &format!(
            "DATABASE_URL=postgres://app:{db_password}@db.prod-cluster.net/app\nSMTP_URL=smtp://mailer:{short_password}@smtp.mailhost.net:587\n"
        ),
    );
    write(
        root,
        "app/settings.py",
        &format!("SECRET_KEY = \"{generic}\"\n"),
    );
    write(root, "deploy/id_rsa", &pem);
    write(root, "requirements.txt", "flask==3.0.2\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "app"]);

    let mut command = vibeguard(cache.path());
    command
        .args([
            "audit",
            "--git-history",
            "--offline",
            "--fail-on",
            "never",
            "-vv",
        ])
        .arg(root);
    write_every_format(&mut command, out.path());
    let output = command.output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("r.json")).expect("json"))
            .expect("JSON");
    let mut codes: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["code"].as_str().unwrap_or_default().to_string())
        .filter(|code| code.starts_with("VG2") || code == "VG115")
        .collect();
    codes.sort();
    // The token, the Stripe key, two URL passwords and the private key (VG201), the removed AWS
    // secret (VG203); the code engine's VG115 reports SECRET_KEY, so VG202 leaves that line to it.
    assert_eq!(
        codes,
        [
            "VG115", "VG201", "VG201", "VG201", "VG201", "VG201", "VG203"
        ],
        "{report:#}"
    );

    let outputs = everything_written(out.path(), &output);
    assert_eq!(outputs.len(), 7 + 2, "every report file, stdout and stderr");
    let mut secrets: Vec<&str> = vec![&github, &stripe, &db_password, &generic, &aws_secret];
    secrets.extend(key_body.iter().map(String::as_str));
    for (name, text) in &outputs {
        assert!(
            !text.contains(&format!(":{short_password}@")),
            "the short password appears in {name}"
        );
        for secret in &secrets {
            // Not the secret, and no eight characters of it past the four a description shows.
            let chars: Vec<char> = secret.chars().collect();
            for window in chars[4..].windows(8) {
                let piece: String = window.iter().collect();
                assert!(
                    !text.contains(&piece),
                    "`{piece}` of a secret appears in {name}"
                );
            }
        }
    }
}

#[test]
fn bad_input_is_reported_and_the_audit_goes_on() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(
        root,
        "web/package.json",
        "{\n  \"dependencies\": {\n    \"express\": ,\n  }\n}\n",
    );
    fs::create_dir_all(root.join("bin")).expect("mkdir");
    fs::write(root.join("bin/package.json"), [0u8, 159, 146, 150, 0, 1]).expect("write");
    write(root, "api/requirements.txt", "flask\n");
    let output = vibeguard(cache.path())
        .args(["audit", "--format", "json", "--fail-on", "never"])
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let errors = report["engines"][0]["errors"]
        .as_array()
        .expect("errors")
        .clone();
    let messages: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{} {}", e["source"], e["line"], e["message"]))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("web/package.json") && m.contains(":3 ")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("bin/package.json") && m.contains("binary")),
        "{messages:?}"
    );
    assert!(report["findings"].as_array().is_some_and(|f| {
        f.iter()
            .any(|f| f["location"]["manifest"] == "api/requirements.txt")
    }));
}

#[test]
fn a_missing_project_and_bad_flags_exit_2_with_a_message() {
    let cache = tempfile::tempdir().expect("tempdir");
    let missing = vibeguard(cache.path())
        .args(["audit", "/nonexistent/project"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("/nonexistent/project does not exist"));
    let no_format = vibeguard(cache.path())
        .args(["demo", "--output", "report.pdf"])
        .output()
        .expect("runs");
    assert_eq!(no_format.status.code(), Some(2));
    let two_stdout = vibeguard(cache.path())
        .args(["demo", "-f", "json", "-f", "sarif"])
        .output()
        .expect("runs");
    assert_eq!(two_stdout.status.code(), Some(2));
    let usage = vibeguard(cache.path())
        .args(["audit", "--no-such-flag"])
        .output()
        .expect("runs");
    assert_eq!(usage.status.code(), Some(2));
    let help = vibeguard(cache.path())
        .arg("--help")
        .output()
        .expect("runs");
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Exit codes"));
}

#[test]
fn init_writes_a_valid_configuration_once() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(
        root,
        "package.json",
        "{\"dependencies\": {\"express\": \"4.21.2\"}}",
    );
    write(
        root,
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n",
    );
    let first = vibeguard(cache.path())
        .arg("init")
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let config = fs::read_to_string(root.join("vibeguard.toml")).expect("written");
    assert!(config.contains("# spec = \"openapi.yaml\""));
    let second = vibeguard(cache.path())
        .arg("init")
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(second.status.code(), Some(2));
    assert!(stderr(&second).contains("--force"));
    // The generated file is accepted by the audit.
    let audit = vibeguard(cache.path())
        .args(["audit", "--fail-on", "never"])
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(audit.status.code(), Some(0), "{}", stderr(&audit));
}

#[test]
fn completions_are_generated_for_each_shell() {
    let cache = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = vibeguard(cache.path())
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0));
        assert!(stdout(&output).contains("vibeguard"), "{shell}");
    }
}

#[test]
fn colour_is_off_without_a_terminal_and_with_no_color() {
    let cache = tempfile::tempdir().expect("tempdir");
    let output = vibeguard(cache.path())
        .arg("demo")
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!stdout(&output).contains('\u{1b}'));
    let output = vibeguard(cache.path())
        .args(["demo", "--no-color"])
        .output()
        .expect("runs");
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn the_demo_audits_the_running_api_and_its_hardened_twin_finds_nothing() {
    let cache = tempfile::tempdir().expect("tempdir");
    let report = |args: &[&str], exit: i32| {
        let output = vibeguard(cache.path())
            .args(args)
            .args(["--format", "json"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(exit), "{}", stderr(&output));
        serde_json::from_str::<Value>(&stdout(&output)).expect("JSON")
    };
    let api_findings = |report: &Value| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["engine"] == "api")
            .count()
    };
    // What the engines could not do, but the note that the demo's advisories are a sample.
    let errors = |report: &Value| -> Vec<String> {
        report["engines"]
            .as_array()
            .expect("engines")
            .iter()
            .flat_map(|engine| engine["errors"].as_array().cloned().unwrap_or_default())
            .filter(|error| error["source"] != "advisory data")
            .map(|error| error.to_string())
            .collect()
    };
    let engine = |report: &Value, name: &str| {
        report["engines"]
            .as_array()
            .expect("engines")
            .iter()
            .find(|e| e["engine"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("the {name} engine ran"))
    };
    let vulnerable = report(&["demo"], 1);
    assert!(
        api_findings(&vulnerable) >= 20,
        "{}",
        api_findings(&vulnerable)
    );
    assert!(
        vulnerable["inputs"]["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("http://127.0.0.1:"))
    );
    // The demo's own server never makes the audit fail (no broken pipes, resets or timeouts).
    assert_eq!(errors(&vulnerable), Vec::<String>::new());
    // The demo project's scenarios ran too, and three of its four requirements fail.
    let scenario_failures = vulnerable["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "VG501")
        .count();
    // Three of the hand-written requirements fail, and the surface-wide ones on four
    // operations.
    assert_eq!(scenario_failures, 7);
    assert!(
        !vulnerable
            .to_string()
            .contains("expected nothing at `/password_hash`, got \"")
    );

    // The hardened twin: its server and its own fixed sources, every engine run, nothing found.
    let hardened = report(&["demo", "--hardened"], 0);
    assert_eq!(
        hardened["findings"].as_array().map(Vec::len),
        Some(0),
        "{:#}",
        hardened["findings"]
    );
    assert_eq!(errors(&hardened), Vec::<String>::new());
    let api_run = engine(&hardened, "api");
    // Every check but transport security (plain HTTP on this machine is not judged), the
    // account takeover (the demo changes passwords only by reset token) and the cookie-session
    // checks (CSRF, session forgery, session fixation: the demo's identities send bearer
    // tokens).
    assert_eq!(
        api_run["rules_applied"].as_array().map(Vec::len),
        Some(vibeguard_api::checks::ALL.len() - 5)
    );
    for name in ["hygiene", "deps", "secrets", "code"] {
        let run = engine(&hardened, name);
        assert!(
            run["rules_applied"]
                .as_array()
                .is_some_and(|r| !r.is_empty()),
            "{name} checked nothing: {run:#}"
        );
    }
    assert!(engine(&hardened, "code")["coverage"]["files"].as_u64() >= Some(7));
    let scenarios = engine(&hardened, "scenarios");
    assert_eq!(
        scenarios["verified"].as_array().map(Vec::len),
        Some(7),
        "{scenarios:#}"
    );
    // Bob's reads of alice's user record need her list of users, which she cannot read:
    // named as untested, never passed.
    let untested = scenarios["untested"].as_array().expect("untested");
    assert_eq!(untested.len(), 1, "{untested:#?}");
    assert!(
        untested[0]["place"].as_str().is_some_and(
            |p| p.contains("on GET /api/users/{id} (.vibeguard/scenarios/surface.yaml)")
        )
    );
    assert_eq!(hardened["summary"]["checklist"]["failed"], 0);
}

#[test]
fn vibeguard_api_tests_a_running_api_with_the_projects_identities() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let demo = runtime
        .block_on(vibeguard_demo::api::DemoApi::start(
            vibeguard_demo::api::Mode::Vulnerable,
            0,
        ))
        .expect("demo API");
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let (alice, bob) = (
        vibeguard_demo::api::ACCOUNTS[0],
        vibeguard_demo::api::ACCOUNTS[1],
    );
    let identity = |name: &str, account: (&str, &str, &str, &str)| {
        format!(
            "[identities.{name}]\nkind = \"login\"\nrequest = {{ path = \"/api/login\", json = {{ email = \"{}\", password = \"{}\" }} }}\ncapture = {{ json_pointer = \"/token\" }}\n",
            account.0, account.1
        )
    };
    write(
        project.path(),
        "vibeguard.toml",
        &format!("{}{}", identity("alice", alice), identity("bob", bob)),
    );
    // The project's copy of the description, with one reviewed exception written above the
    // method key of DELETE /api/tasks/{id}.
    let mut described: Vec<String> = vibeguard_demo::api::SPEC
        .lines()
        .map(String::from)
        .collect();
    let item = described
        .iter()
        .position(|line| line == "  /api/tasks/{id}:")
        .expect("the path item");
    let delete = item
        + described[item..]
            .iter()
            .position(|line| line == "    delete:")
            .expect("its delete");
    described.insert(
        delete,
        "    # vibeguard-ignore[VG402]: tasks are shared within a team by design".into(),
    );
    let described = described.join("\n");
    write(project.path(), "openapi.yaml", &described);
    let har = project.path().join("run.har");
    let output = vibeguard(cache.path())
        .args([
            "api",
            "--format",
            "json",
            "--target",
            &demo.url(),
            "--spec",
            "/openapi.yaml",
            "--project",
        ])
        .arg(project.path())
        .arg("--har")
        .arg(&har)
        .output()
        .expect("runs");
    runtime.block_on(demo.stop());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let engines: Vec<&str> = report["engines"]
        .as_array()
        .expect("engines")
        .iter()
        .filter_map(|e| e["engine"].as_str())
        .collect();
    assert_eq!(engines, vec!["api"], "the API engine alone");
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "VG402"),
        "two identities drive the BOLA check"
    );
    // The description was fetched from the target; the project's copy gives every finding its
    // line: the method key of the operation.
    let spec_lines: Vec<&str> = described.lines().collect();
    for finding in report["findings"].as_array().expect("findings") {
        let declared = &finding["location"]["declared_at"];
        assert_eq!(declared["path"], "openapi.yaml", "{finding:#}");
        let line = declared["line"].as_u64().expect("a line") as usize;
        let method = finding["location"]["method"].as_str().unwrap_or_default();
        let written = spec_lines[line - 1].trim();
        if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method)
            && written.ends_with(':')
            && !written.starts_with('/')
            && written != "paths:"
        {
            assert_eq!(
                written,
                format!("{}:", method.to_ascii_lowercase()),
                "{finding:#}"
            );
        }
    }
    let bola_delete: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["code"] == "VG402"
                && f["location"]["method"] == "DELETE"
                && f["location"]["path"] == "/api/tasks/{id}"
        })
        .collect();
    assert!(!bola_delete.is_empty());
    assert!(
        bola_delete.iter().all(|f| f["state"] == "suppressed"),
        "{bola_delete:#?}"
    );
    let har: Value =
        serde_json::from_str(&fs::read_to_string(&har).expect("HAR written")).expect("HAR is JSON");
    assert!(
        har["log"]["entries"]
            .as_array()
            .is_some_and(|e| e.len() > 20)
    );

    let missing = vibeguard(cache.path())
        .args(["api", "--project"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("give --target URL"));
    let unreachable = vibeguard(cache.path())
        .args(["api", "--target", "http://127.0.0.1:9", "--project"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(unreachable.status.code(), Some(2));
    assert!(
        stderr(&unreachable).contains("cannot reach http://127.0.0.1:9/"),
        "{}",
        stderr(&unreachable)
    );
}

#[test]
fn demo_serve_runs_the_api_until_stopped() {
    use std::io::{BufRead, BufReader, Read, Write};
    let cache = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vibeguard"))
        .args(["demo", "--serve"])
        .env("VIBEGUARD_CACHE_DIR", cache.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first_line)
        .expect("line");
    let address = first_line
        .trim()
        .rsplit("http://")
        .next()
        .expect("url")
        .to_string();
    let mut stream = std::net::TcpStream::connect(&address).expect("connects");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("request");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    child.kill().expect("stops");
    let _ = child.wait();
    assert!(
        first_line.contains("vibeguard demo API (vulnerable) listening on http://127.0.0.1:"),
        "{first_line}"
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// An Express app with a query built from a path parameter, a file that is not UTF-8, and
/// (optionally) the fix.
fn express_project(root: &Path, fixed: bool) {
    let query = if fixed {
        r#"db.query("SELECT * FROM items WHERE id = ?", [req.params.id])"#
    } else {
        r#"db.query("SELECT * FROM items WHERE id = " + req.params.id)"#
    };
    write(
        root,
        "src/server.js",
        &format!(
            "const express = require(\"express\");\nconst db = require(\"./db\");\nconst app = express();\n\napp.get(\"/api/items/:id\", async (req, res) => {{\n  const rows = await {query};\n  res.json(rows);\n}});\n\napp.listen(3000);\n"
        ),
    );
    fs::write(root.join("src/latin1.js"), b"const name = \"caf\xe9\";\n").expect("write");
}

fn checklist_status(report: &Value, id: &str) -> String {
    report["checklist"]
        .as_array()
        .and_then(|items| items.iter().find(|item| item["id"] == id))
        .and_then(|item| item["status"].as_str())
        .unwrap_or("missing")
        .to_string()
}

#[test]
fn code_reports_flows_with_their_path_and_the_fix_passes() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    express_project(project.path(), false);
    let output = vibeguard(cache.path())
        .args(["code", "-f", "json"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert!(schema_errors(&repo_file("docs/report.schema.json"), &report).is_empty());
    let findings = report["findings"].as_array().expect("findings");
    let injection = findings
        .iter()
        .find(|f| f["code"] == "VG101")
        .expect("the SQL injection is reported");
    assert_eq!(injection["location"]["path"], "src/server.js");
    assert_eq!(injection["location"]["span"]["start_line"], 6);
    let flow = injection["flow"].as_array().expect("flow steps");
    assert_eq!(flow.len(), 2, "{flow:?}");
    assert_eq!(flow[0]["note"], "a path parameter");
    assert_eq!(flow[1]["note"], "SQL query");
    // The unreadable file is named, and the rest of the project is still analysed.
    let errors = report["engines"][0]["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["source"] == "src/latin1.js"
            && e["message"].as_str().is_some_and(|m| m.contains("UTF-8"))),
        "{errors:?}"
    );
    assert_eq!(checklist_status(&report, "INPUT-02"), "failed");
    // Nothing in this code hashes passwords, signs JWTs, sets cookies or takes uploads: those
    // items are not passed on the strength of code that does not exist — they do not apply.
    for item in ["AUTH-03", "AUTH-07", "TLS-04", "INPUT-03"] {
        assert_eq!(checklist_status(&report, item), "not-applicable", "{item}");
    }

    // The SARIF carries the same path as a code flow.
    let sarif = vibeguard(cache.path())
        .args(["code", "-f", "sarif"])
        .arg(project.path())
        .output()
        .expect("runs");
    let sarif: Value = serde_json::from_slice(&sarif.stdout).expect("SARIF");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .and_then(|results| results.iter().find(|r| r["ruleId"] == "VG101"))
        .expect("VG101 in SARIF");
    let locations = result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("thread flow");
    assert_eq!(locations.len(), 2);

    let fixed = tempfile::tempdir().expect("tempdir");
    express_project(fixed.path(), true);
    let output = vibeguard(cache.path())
        .args(["code", "-f", "json"])
        .arg(fixed.path())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "VG101")
    );
    assert_eq!(checklist_status(&report, "INPUT-02"), "passed");
}

#[test]
fn routes_lists_what_the_code_serves() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    express_project(project.path(), true);
    let output = vibeguard(cache.path())
        .args(["routes", "-f", "json"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let routes: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let routes = routes.as_array().expect("a list");
    assert_eq!(routes.len(), 1, "{routes:?}");
    assert_eq!(routes[0]["method"], "GET");
    assert_eq!(routes[0]["path"], "/api/items/{id}");
    assert_eq!(routes[0]["framework"], "express");
    assert_eq!(routes[0]["file"], "src/server.js");
    assert_eq!(routes[0]["authenticated"], false);
    let text = vibeguard(cache.path())
        .arg("routes")
        .arg(project.path())
        .output()
        .expect("runs");
    let text = stdout(&text);
    assert!(text.contains("GET /api/items/{id}"), "{text}");
    assert!(text.contains("1 route, 1 without authentication"), "{text}");
    let empty = tempfile::tempdir().expect("tempdir");
    let none = vibeguard(cache.path())
        .arg("routes")
        .arg(empty.path())
        .output()
        .expect("runs");
    assert_eq!(none.status.code(), Some(0));
    assert!(stdout(&none).contains("No HTTP routes found"));
}

#[test]
fn rule_selection_and_profiles_are_checked() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    python_project(project.path(), "flask==3.0.2\nrequests>=2.31,<3\n");
    let unknown = vibeguard(cache.path())
        .args(["audit", "--checks", "VG301,sql-injektion"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    let message = stderr(&unknown);
    assert!(
        message.contains("no rule is called `sql-injektion`") && message.contains("did you mean"),
        "{message}"
    );
    let profile = vibeguard(cache.path())
        .args(["audit", "--profile", "thorough"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(profile.status.code(), Some(2));
    assert!(stderr(&profile).contains("quick, standard or deep"));
    // --checks narrows the run to the rules named; --skip-checks leaves rules out.
    let only = vibeguard(cache.path())
        .args(["code", "-f", "json", "--checks", "VG121"])
        .arg(project.path())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&only.stdout).expect("JSON");
    let applied: Vec<&str> = report["engines"][0]["rules_applied"]
        .as_array()
        .expect("applied")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(applied.iter().all(|code| *code == "VG121"), "{applied:?}");
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn an_api_that_cannot_be_tested_loses_none_of_the_other_results() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(
        root,
        "app.js",
        "const express = require('express');\nconst app = express();\napp.get('/notes', (req, res) => {\n  db.query('SELECT * FROM notes WHERE title = ' + req.query.title);\n});\napp.listen(3999);\n",
    );
    let out = tempfile::tempdir().expect("tempdir");
    let json = out.path().join("report.json");
    let sarif = out.path().join("report.sarif");
    let target = format!("http://127.0.0.1:{}", closed_port());
    let output = vibeguard(cache.path())
        .args(["audit", "--target", &target, "--format"])
        .arg(format!("json={}", json.display()))
        .arg("--format")
        .arg(format!("sarif={}", sarif.display()))
        .arg(root)
        .output()
        .expect("runs");
    // The run failed (exit 2, the reason said) ...
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("could not run") && stderr(&output).contains(&target),
        "{}",
        stderr(&output)
    );
    // ... yet every requested report is written, with the code findings in it.
    assert!(sarif.exists());
    let report: Value =
        serde_json::from_str(&fs::read_to_string(&json).expect("json")).expect("JSON");
    assert!(
        report["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["code"] == "VG101")),
        "{report}"
    );
    let api = report["engines"]
        .as_array()
        .and_then(|engines| engines.iter().find(|e| e["engine"] == "api"))
        .expect("the API engine's part");
    assert!(
        api["failed"]
            .as_str()
            .is_some_and(|why| why.contains("cannot reach"))
    );
    // Items the API checks cover are not verified, never passed on the code's word alone.
    let status = |id: &str| {
        report["checklist"]
            .as_array()
            .or_else(|| report["checklist"]["items"].as_array())
            .and_then(|items| items.iter().find(|i| i["id"] == id))
            .map(|i| {
                (
                    i["status"].as_str().unwrap_or_default().to_string(),
                    i["note"].to_string(),
                )
            })
            .expect("item")
    };
    for id in ["AUTH-02", "API-04", "API-02", "INPUT-04"] {
        let (verdict, note) = status(id);
        assert_eq!(verdict, "not-verified", "{id}: {note}");
        assert!(note.contains("could not run"), "{id}: {note}");
    }
    assert_eq!(status("INPUT-02").0, "failed");
    assert!(schema_errors(&repo_file("docs/report.schema.json"), &report).is_empty());
}
