//! Advisory data that was never downloaded never turns into a green run: the summary of every
//! format names what was not checked, in CI (`CI` set) the run exits 2 once its reports are
//! written unless the configuration opts out, and `db import` takes the advisory databases
//! users have on disk (PyPA's YAML, GitHub's JSON) or names what it accepts.

mod common;

use std::fs;

use common::{python_project, stderr, stdout, vibeguard, write};
use serde_json::Value;

#[test]
fn without_data_the_summary_says_so_and_ci_exits_2_after_writing_its_reports() {
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    python_project(project.path(), "jinja2==2.10\n");

    // A developer's machine: the audit passes, and says what it did not check.
    let local = vibeguard(cache.path())
        .args(["audit", "--offline"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(local.status.code(), Some(0), "{}", stderr(&local));
    let text = stdout(&local);
    let summary = text
        .lines()
        .skip_while(|line| !line.starts_with("Summary:"))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        summary.contains("dependency advisories: no PyPI data")
            && summary.contains("vibeguard db update")
            && summary.contains("db import"),
        "{summary}"
    );

    // In CI: the same run exits 2, with every report written and the reason on stderr.
    let ci = vibeguard(cache.path())
        .env("CI", "true")
        .args(["audit", "--offline", "--format"])
        .arg(format!("json={}", out.path().join("r.json").display()))
        .arg("--format")
        .arg(format!("markdown={}", out.path().join("r.md").display()))
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(ci.status.code(), Some(2), "{}", stdout(&ci));
    assert!(
        stderr(&ci).contains("CI is set") && stderr(&ci).contains("require_db = false"),
        "{}",
        stderr(&ci)
    );
    let report: Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("r.json")).expect("written"))
            .expect("JSON");
    assert!(
        report["summary"]["unchecked"][0]
            .as_str()
            .is_some_and(|s| s.contains("no PyPI data")),
        "{:#}",
        report["summary"]
    );
    let markdown = fs::read_to_string(out.path().join("r.md")).expect("markdown written");
    assert!(
        markdown.contains("not checked: dependency advisories"),
        "{markdown}"
    );
    let deps02 = report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|item| item["id"] == "DEPS-02")
        .expect("DEPS-02");
    assert_eq!(deps02["status"], "not-verified");

    // The configuration may accept audits without advisory data, even in CI.
    write(
        project.path(),
        "vibeguard.toml",
        "[deps]\nrequire_db = false\n",
    );
    let accepted = vibeguard(cache.path())
        .env("CI", "true")
        .args(["audit", "--offline"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    assert!(stdout(&accepted).contains("not checked: dependency advisories"));
    // `CI=false` is not CI.
    fs::remove_file(project.path().join("vibeguard.toml")).expect("rm");
    let not_ci = vibeguard(cache.path())
        .env("CI", "false")
        .args(["audit", "--offline", "-q"])
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(not_ci.status.code(), Some(0), "{}", stderr(&not_ci));
}

#[test]
fn db_import_takes_the_pypa_yaml_database_and_names_what_it_accepts() {
    let cache = tempfile::tempdir().expect("tempdir");
    let db = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    // Modified today: data is judged by its newest record, and old data fails in CI too.
    let modified = jiff::Timestamp::now();
    write(
        export.path(),
        "vulns/jinja2/PYSEC-2019-217.yaml",
        &format!(
            "id: PYSEC-2019-217\ndetails: In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.\naffected:\n- package:\n    name: jinja2\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: 2.10.1\naliases:\n- CVE-2019-10906\nmodified: '{modified}'\npublished: 2019-04-07T00:29:00Z\n"
        ),
    );
    let imported = vibeguard(cache.path())
        .args(["db", "import", "--db-dir"])
        .arg(db.path())
        .arg(export.path())
        .output()
        .expect("runs");
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));

    let project = tempfile::tempdir().expect("tempdir");
    python_project(project.path(), "jinja2==2.10\n");
    let audited = vibeguard(cache.path())
        .env("CI", "true")
        .args(["deps", "--format", "json", "--db-dir"])
        .arg(db.path())
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(audited.status.code(), Some(1), "{}", stderr(&audited));
    let report: Value = serde_json::from_str(&stdout(&audited)).expect("JSON");
    assert!(
        report["summary"]["unchecked"].is_null(),
        "{:#}",
        report["summary"]
    );
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "VG307"),
        "{:#}",
        report["findings"]
    );

    let wrong = export.path().join("advisories.csv");
    fs::write(&wrong, "id,package\n").expect("write");
    let refused = vibeguard(cache.path())
        .args(["db", "import", "--db-dir"])
        .arg(db.path())
        .arg(&wrong)
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("PyPA's advisory-database"),
        "{}",
        stderr(&refused)
    );
}
