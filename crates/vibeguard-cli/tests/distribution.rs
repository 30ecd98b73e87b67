//! The ways vibeguard reaches a pipeline, run for real where this machine can: the GitHub
//! Action's audit and gate steps (their bash, with the runner's files faked), the pre-commit
//! hooks' entries on a git repository with staged files, the workflow that uses the action,
//! and the container image's Dockerfile (read, not built: no container daemon here).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{repo_file, write};
use serde_json::Value;

fn yaml(path: &str) -> Value {
    let text = fs::read_to_string(repo_file(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn step<'a>(action: &'a Value, name: &str) -> &'a Value {
    action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|step| step["name"] == name)
        .unwrap_or_else(|| panic!("no step `{name}`"))
}

/// A project with a hard-coded GitHub token and SQL built from a query string.
fn vulnerable_project(root: &Path) {
    write(
        root,
        "app.js",
        "const express = require('express');\nconst db = require('./db');\nconst app = express();\napp.get('/users', (req, res) => {\n  db.query(\"SELECT * FROM users WHERE name = '\" + req.query.name + \"'\", (e, rows) => res.json(rows));\n});\napp.listen(3000);\n",
    );
    write(
        root,
        "package.json",
        "{\"dependencies\": {\"express\": \"4.21.2\"}}\n",
    );
}

#[test]
fn the_actions_audit_step_writes_sarif_and_the_job_summary_and_its_gate_fails_on_findings() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    for input in [
        "path",
        "target",
        "fail-on",
        "baseline",
        "args",
        "upload-sarif",
    ] {
        assert!(action["inputs"][input].is_object(), "input {input}");
    }
    assert_eq!(
        step(&action, "Upload SARIF to code scanning")["uses"],
        "github/codeql-action/upload-sarif@v3"
    );
    let audit = step(&action, "Audit")["run"].as_str().expect("script");
    let gate = step(&action, "Gate")["run"].as_str().expect("script");

    let project = tempfile::tempdir().expect("tempdir");
    let runner = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    vulnerable_project(project.path());
    let outputs = runner.path().join("github_output");
    let summary = runner.path().join("step_summary");
    let run = |script: &str, fail_on: &str, extra: &str| {
        Command::new("bash")
            .arg("-c")
            .arg(script)
            .env("PROJECT", project.path())
            .env("TARGET", "")
            .env("FAIL_ON", fail_on)
            .env("BASELINE", "")
            .env("EXTRA_ARGS", extra)
            .env("BIN", env!("CARGO_BIN_EXE_vibeguard"))
            .env("OUT", runner.path().join("reports"))
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("VIBEGUARD_CACHE_DIR", cache.path())
            .env("NO_COLOR", "1")
            .env_remove("CI")
            .output()
            .expect("bash runs")
    };
    // Extra arguments are passed as words, never run: `$(…)` stays text.
    let marker = runner.path().join("ran");
    let output = run(
        audit,
        "high",
        &format!(
            "--no-history --skip-checks VG304,$(touch${{IFS}}{})",
            marker.display()
        ),
    );
    assert!(!marker.exists(), "an argument was executed");
    assert_eq!(
        output.status.code(),
        Some(0),
        "the audit step records, the gate fails"
    );
    let written = fs::read_to_string(&outputs).expect("outputs");
    assert!(written.contains("exit-code=2"), "{written}");
    fs::remove_file(&outputs).expect("reset");

    let output = run(audit, "high", "--no-history --offline");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = fs::read_to_string(&outputs).expect("outputs");
    assert!(written.contains("exit-code=1"), "{written}");
    let sarif: Value = serde_json::from_str(
        &fs::read_to_string(runner.path().join("reports/vibeguard.sarif")).expect("sarif"),
    )
    .expect("JSON");
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|result| result["ruleId"].as_str())
        .collect();
    assert!(rules.contains(&"VG101"), "{rules:?}");
    let job_summary = fs::read_to_string(&summary).expect("job summary");
    assert!(job_summary.starts_with("## ❌ vibeguard"), "{job_summary}");

    let gate_with = |code: &str| {
        Command::new("bash")
            .arg("-c")
            .arg(gate)
            .env("CODE", code)
            .output()
            .expect("bash runs")
            .status
            .code()
    };
    assert_eq!(gate_with("0"), Some(0));
    assert_eq!(gate_with("1"), Some(1));
    assert_eq!(gate_with("2"), Some(2));
    // `fail-on: never` passes the same project.
    fs::remove_file(&outputs).expect("reset");
    run(audit, "never", "--no-history --offline");
    assert!(
        fs::read_to_string(&outputs)
            .expect("outputs")
            .contains("exit-code=0")
    );
}

#[test]
fn this_repositorys_workflow_uses_the_action() {
    let workflow = yaml(".github/workflows/vibeguard.yml");
    let steps = workflow["jobs"]["audit"]["steps"]
        .as_array()
        .expect("steps");
    assert!(steps.iter().any(|step| step["uses"] == "./"), "{steps:?}");
    assert_eq!(workflow["permissions"]["security-events"], "write");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "user.name=Test", "-c", "user.email=t@example.org"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// Runs a hook's entry as pre-commit does: its words, then the staged files when it takes them.
fn run_hook(hook: &Value, repo: &Path, cache: &Path, staged: &[&str]) -> std::process::Output {
    let entry = hook["entry"].as_str().expect("entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("vibeguard"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_vibeguard"));
    command
        .current_dir(repo)
        .args(words)
        .env("VIBEGUARD_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .env_remove("CI");
    if hook["pass_filenames"] != false {
        command.args(staged);
    }
    command.output().expect("runs")
}

#[test]
fn the_pre_commit_hooks_refuse_a_staged_secret_and_flawed_code_and_pass_clean_commits() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let hook = |id: &str| {
        hooks
            .iter()
            .find(|hook| hook["id"] == id)
            .unwrap_or_else(|| panic!("hook {id}"))
    };
    let cache = tempfile::tempdir().expect("tempdir");
    let repo = tempfile::tempdir().expect("tempdir");
    let root = repo.path();
    git(root, &["init", "-q"]);
    // A credential sits in a file that is not staged: the secrets hook reads only staged files.
    let token = format!("ghp_{}", "x7Kq2mP9vR4tW8yZ3bN6cF1hJ5dL0sA2eG4i");
    write(root, "notes/local.txt", &format!("token {token}\n"));
    write(root, "README.md", "# app\n");
    git(root, &["add", "README.md"]);
    let secrets = hook("vibeguard-secrets");
    let clean = run_hook(secrets, root, cache.path(), &["README.md"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&clean.stdout),
        String::from_utf8_lossy(&clean.stderr)
    );
    write(
        root,
        "src/config.js",
        &format!("const token = '{token}';\n"),
    );
    git(root, &["add", "src/config.js"]);
    let refused = run_hook(secrets, root, cache.path(), &["README.md", "src/config.js"]);
    let printed = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{printed}");
    assert!(printed.contains("src/config.js"), "{printed}");
    assert!(
        !printed.contains("notes/local.txt"),
        "an unstaged file was read: {printed}"
    );
    assert!(!printed.contains(&token), "the token is printed: {printed}");
    assert!(
        !root.join(".vibeguard").exists(),
        "a hook records no history"
    );

    // The code hook: the whole project, when code is staged.
    let code = hook("vibeguard-code");
    assert_eq!(code["pass_filenames"], false);
    let clean_code = tempfile::tempdir().expect("tempdir");
    write(
        clean_code.path(),
        "app.js",
        "const express = require('express');\nconst app = express();\napp.get('/health', (req, res) => res.json({ ok: true }));\n",
    );
    let passed = run_hook(code, clean_code.path(), cache.path(), &[]);
    assert_eq!(
        passed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&passed.stdout)
    );
    vulnerable_project(root);
    let refused = run_hook(code, root, cache.path(), &[]);
    let printed = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{printed}");
    assert!(printed.contains("VG101 app.js:5"), "{printed}");
}

#[test]
fn the_container_image_is_static_minimal_and_runs_as_a_user() {
    let dockerfile = fs::read_to_string(repo_file("Dockerfile")).expect("Dockerfile");
    let instructions: Vec<&str> = dockerfile
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    let stages: Vec<&&str> = instructions
        .iter()
        .filter(|line| line.starts_with("FROM "))
        .collect();
    assert_eq!(stages.len(), 2, "a build stage and a run stage");
    assert!(stages[0].contains("-alpine"), "musl: {}", stages[0]);
    assert_eq!(*stages[1], "FROM scratch");
    let run_stage: Vec<&&str> = instructions
        .iter()
        .skip_while(|line| **line != "FROM scratch")
        .collect();
    let user = run_stage
        .iter()
        .find_map(|line| line.strip_prefix("USER "))
        .expect("a USER in the final stage");
    assert!(
        !user.starts_with('0') && !user.starts_with("root"),
        "{user}"
    );
    assert!(run_stage.contains(&&"ENTRYPOINT [\"vibeguard\"]"));
    assert!(dockerfile.contains("cargo build --release --locked"));
    // The toolchain the image builds with is at least the workspace's minimum.
    let manifest = fs::read_to_string(repo_file("Cargo.toml")).expect("manifest");
    let minimum = manifest
        .lines()
        .find_map(|line| line.strip_prefix("rust-version = "))
        .expect("rust-version")
        .trim_matches('"');
    let image_toolchain = stages[0]
        .trim_start_matches("FROM rust:")
        .split('-')
        .next()
        .expect("version");
    let parse =
        |v: &str| -> Vec<u32> { v.split('.').map(|n| n.parse().expect("number")).collect() };
    assert!(
        parse(image_toolchain) >= parse(minimum),
        "{image_toolchain} < {minimum}"
    );
    let ignored = fs::read_to_string(repo_file(".dockerignore")).expect(".dockerignore");
    for path in ["target/", ".git/", ".env"] {
        assert!(
            ignored.lines().any(|line| line == path),
            "{path} is sent to the build"
        );
    }
}
