//! `vibeguard scenarios check` and `vibeguard scenarios run` on a project with identities and a
//! scenario folder, against the demo API: located errors and exit 2 for a broken file, VG501
//! findings and exit 1 on the vulnerable server, every scenario passing on the hardened one,
//! and the shipped demo suite valid against docs/scenario.schema.json.

use std::fs;
use std::path::Path;

use common::{repo_file, stderr, stdout, vibeguard, write};
use serde_json::Value;
use vibeguard_demo::api::{ACCOUNTS, DemoApi, Mode};

mod common;

fn project(root: &Path) {
    let identity = |name: &str, account: (&str, &str, &str, &str)| {
        format!(
            "[identities.{name}]\nkind = \"login\"\nrequest = {{ path = \"/api/login\", json = {{ email = \"{}\", password = \"{}\" }} }}\ncapture = {{ json_pointer = \"/token\" }}\n",
            account.0, account.1
        )
    };
    write(
        root,
        "vibeguard.toml",
        &format!(
            "{}{}",
            identity("alice", ACCOUNTS[0]),
            identity("bob", ACCOUNTS[1])
        ),
    );
    let suite = fs::read_to_string(repo_file("crates/vibeguard-demo/scenarios/access.yaml"))
        .expect("the demo suite");
    write(root, ".vibeguard/scenarios/access.yaml", &suite);
}

#[test]
fn scenarios_are_checked_offline_with_located_errors() {
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tempfile::tempdir().expect("tempdir");
    project(root.path());
    let check = |expected: i32| {
        let output = vibeguard(cache.path())
            .args(["scenarios", "check", "--project"])
            .arg(root.path())
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(expected), "{}", stderr(&output));
        output
    };
    let output = check(0);
    assert!(
        stdout(&output).contains("4 scenario(s) in 1 file(s)"),
        "{}",
        stdout(&output)
    );

    write(
        root.path(),
        ".vibeguard/scenarios/typo.yaml",
        "scenarios:\n  - name: n\n    steps:\n      - as: alise\n        path: /api/tasks\n        expect: {stauts: 401}\n",
    );
    let output = check(2);
    let said = stderr(&output);
    assert!(
        said.contains("typo.yaml:6:18: unknown field `stauts`"),
        "{said}"
    );
    assert!(said.contains("did you mean `status`?"), "{said}");
    assert!(
        said.contains("1 problem(s)") && said.contains("4 valid scenario(s) would run"),
        "{said}"
    );
    fs::write(
        root.path().join(".vibeguard/scenarios/typo.yaml"),
        "scenarios:\n  - name: n\n    steps:\n      - {as: alise, path: /api/tasks}\n",
    )
    .expect("write");
    let said = stderr(&check(2));
    assert!(
        said.contains("typo.yaml:4:14:") && said.contains("did you mean `alice`?"),
        "{said}"
    );
}

#[test]
fn scenarios_run_against_the_demo_fail_where_it_is_vulnerable_and_pass_where_it_is_not() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tempfile::tempdir().expect("tempdir");
    project(root.path());
    let run = |mode: Mode, expected: i32| {
        let demo = runtime.block_on(DemoApi::start(mode, 0)).expect("demo API");
        let output = vibeguard(cache.path())
            .args([
                "scenarios",
                "run",
                "--format",
                "json",
                "--target",
                &demo.url(),
                "--project",
            ])
            .arg(root.path())
            .output()
            .expect("runs");
        runtime.block_on(demo.stop());
        assert_eq!(output.status.code(), Some(expected), "{}", stderr(&output));
        serde_json::from_str::<Value>(&stdout(&output)).expect("JSON")
    };
    let vulnerable = run(Mode::Vulnerable, 1);
    let findings = vulnerable["findings"].as_array().expect("findings");
    let failed: Vec<&str> = findings
        .iter()
        .map(|f| {
            assert_eq!(f["code"], "VG501", "{f:#}");
            f["message"].as_str().expect("message")
        })
        .collect();
    assert_eq!(failed.len(), 3, "{failed:#?}");
    assert!(
        failed
            .iter()
            .any(|m| m.contains("bob cannot read alice's task"))
    );
    let engines: Vec<&str> = vulnerable["engines"]
        .as_array()
        .expect("engines")
        .iter()
        .filter_map(|e| e["engine"].as_str())
        .collect();
    assert_eq!(engines, ["scenarios"], "the scenarios run alone");
    // Credentials stay out: the identities' passwords and tokens are masked in the evidence.
    let text = vulnerable.to_string();
    assert!(
        !text.contains(ACCOUNTS[0].1) && !text.contains("eyJhbGciOi"),
        "a credential leaked"
    );

    let hardened = run(Mode::Hardened, 0);
    assert_eq!(
        hardened["findings"].as_array().map(Vec::len),
        Some(0),
        "{hardened:#}"
    );
    let auth02 = hardened["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|c| c["id"] == "AUTH-02")
        .expect("AUTH-02");
    assert_eq!(auth02["status"], "passed", "{auth02:#}");
    assert!(
        auth02["note"]
            .as_str()
            .is_some_and(|n| n.contains("scenario `bob cannot read alice's task`"))
    );

    // Without a target there is nothing to run them on: said, exit 2.
    let output = vibeguard(cache.path())
        .args(["scenarios", "run", "--project"])
        .arg(root.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--target"), "{}", stderr(&output));
}

#[test]
fn the_shipped_suite_is_valid_against_the_editor_schema() {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(repo_file("docs/scenario.schema.json")).expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for file in ["access.yaml", "surface.yaml"] {
        let suite: Value = serde_saphyr::from_str(
            &fs::read_to_string(repo_file(&format!(
                "crates/vibeguard-demo/scenarios/{file}"
            )))
            .expect("suite"),
        )
        .expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&suite)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
    }
    let unknown_kind: Value = serde_json::json!({"scenarios": [{"name": "n", "steps": [{"path": "/a", "expect": {"free_of": ["secrets"]}}]}]});
    assert!(!validator.is_valid(&unknown_kind));
    // And the schema refuses what the loader refuses.
    let typo: Value = serde_json::json!({"scenarios": [{"name": "n", "steps": [{"path": "/a", "expect": {"stauts": 200}}]}]});
    assert!(!validator.is_valid(&typo));
}

#[test]
fn init_writes_a_starter_suite_that_checks_clean_and_never_overwrites() {
    let cache = tempfile::tempdir().expect("tempdir");
    let root = tempfile::tempdir().expect("tempdir");
    project(root.path());
    fs::remove_file(root.path().join(".vibeguard/scenarios/access.yaml")).expect("remove");
    write(
        root.path(),
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nsecurity: [{bearer: []}]\ncomponents: {securitySchemes: {bearer: {type: http, scheme: bearer}}}\npaths:\n  /api/tasks/{id}:\n    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n    get: {summary: One task, responses: {'200': {description: ok}}}\n    delete: {responses: {'204': {description: gone}}}\n  /api/health:\n    get: {security: [], responses: {'200': {description: ok}}}\n",
    );
    let init = |extra: &[&str]| {
        vibeguard(cache.path())
            .args(["scenarios", "init", "--project"])
            .arg(root.path())
            .args(["--spec"])
            .arg(root.path().join("openapi.yaml"))
            .args(extra)
            .output()
            .expect("runs")
    };
    let output = init(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let starter = fs::read_to_string(root.path().join(".vibeguard/scenarios/starter.yaml"))
        .expect("the starter");
    assert!(
        starter.contains("bob gets none of alice's objects"),
        "{starter}"
    );
    assert!(starter.contains("\"GET /api/tasks/{id} refuses an anonymous caller\""));
    assert!(starter.contains("description: \"One task\""));
    assert!(starter.contains("\"DELETE /api/tasks/{id} refuses an anonymous caller\"\n    checklist: [AUTH-01]\n    destructive: true"));
    assert!(!starter.contains("/api/health refuses"));
    let check = vibeguard(cache.path())
        .args(["scenarios", "check", "--project"])
        .arg(root.path())
        .output()
        .expect("runs");
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("6 scenario(s) in 1 file(s)"),
        "{}",
        stdout(&check)
    );
    // With the description, a step's path in none of its operations is said at its line.
    write(
        root.path(),
        ".vibeguard/scenarios/typo.yaml",
        "scenarios:\n  - name: t\n    steps:\n      - {path: /api/taks/1, expect: {status: 401}}\n      - {path: \"/api/tasks/${id:-1}\", expect: {status: 401}}\n",
    );
    let described = vibeguard(cache.path())
        .args(["scenarios", "check", "--project"])
        .arg(root.path())
        .arg("--spec")
        .arg(root.path().join("openapi.yaml"))
        .output()
        .expect("runs");
    assert_eq!(described.status.code(), Some(2), "{}", stderr(&described));
    let said = stderr(&described);
    assert!(
        said.contains("typo.yaml:4:") && said.contains("GET /api/taks/1 is in no operation of"),
        "{said}"
    );
    assert!(!said.contains("/api/tasks/${id"), "{said}");
    fs::remove_file(root.path().join(".vibeguard/scenarios/typo.yaml")).expect("remove");
    // A second init refuses to overwrite the team's edits; --force does.
    let again = init(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(init(&["--force"]).status.code(), Some(0));
}
