//! Runs every hygiene rule over its fixture projects and compares the findings exactly.
//!
//! Layout: `tests/fixtures/hygiene/<rule-name>/<case>/` holds a small project and an
//! `expected.txt` listing every finding the rule must produce there, one per line, as
//! `CODE SEVERITY FILE[:LINE]`. Cases named `positive-*` must expect findings, `negative-*`
//! (look-alikes that must stay silent) must expect none, and every rule needs both. A file
//! named `x.fixture` is copied as `x`, so fixture `.gitignore` files do not act on this
//! repository. Projects are copied to a temporary folder outside any git repository first.

use std::fs;
use std::path::{Path, PathBuf};

use vibeguard_deps::hygiene;
use vibeguard_project::{ProjectTree, WalkOptions};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hygiene")
}

fn copy_project(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("fixture folder") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "expected.txt" {
            continue;
        }
        let target_name = name.strip_suffix(".fixture").unwrap_or(&name).to_string();
        let target = to.join(target_name);
        if entry.file_type().expect("type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_project(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn expected(case: &Path) -> Vec<String> {
    let text = fs::read_to_string(case.join("expected.txt"))
        .unwrap_or_else(|_| panic!("{} needs an expected.txt", case.display()));
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

fn actual(case: &Path, code: &str) -> Vec<String> {
    let temp = tempfile::tempdir().expect("tempdir");
    copy_project(case, temp.path());
    let tree = ProjectTree::walk(temp.path(), &WalkOptions::default()).expect("walk");
    let output = hygiene::run(&tree, &|rule| rule == code);
    assert!(
        output.run.errors.is_empty(),
        "{}: unexpected engine errors {:?}",
        case.display(),
        output.run.errors
    );
    let mut lines: Vec<String> = output
        .findings
        .iter()
        .map(|finding| {
            let place = match (finding.location.file(), finding.location.span()) {
                (Some(file), Some(span)) => format!("{file}:{}", span.start_line),
                (Some(file), None) => file.to_string(),
                (None, _) => finding.location.to_string(),
            };
            format!("{} {} {place}", finding.code, finding.severity)
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn every_rule_matches_its_fixtures_exactly() {
    let mut failures = Vec::new();
    let mut cases_run = 0;
    for rule in hygiene::rule_metas() {
        let dir = fixtures_root().join(rule.name.as_ref());
        let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|_| {
                panic!("rule {} has no fixture folder {}", rule.code, dir.display())
            })
            .map(|entry| entry.expect("entry").path())
            .filter(|path| path.is_dir())
            .collect();
        cases.sort();
        let name_of = |case: &PathBuf| {
            case.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        };
        assert!(
            cases.iter().any(|c| name_of(c).starts_with("positive-")),
            "{} needs a positive-* fixture",
            rule.code
        );
        assert!(
            cases.iter().any(|c| name_of(c).starts_with("negative-")),
            "{} needs a negative-* fixture",
            rule.code
        );
        for case in &cases {
            let name = name_of(case);
            let expected = expected(case);
            if name.starts_with("positive-") {
                assert!(
                    !expected.is_empty(),
                    "{name}: a positive case must expect findings"
                );
            } else if name.starts_with("negative-") {
                assert!(
                    expected.is_empty(),
                    "{name}: a negative case must expect none"
                );
            }
            let actual = actual(case, &rule.code);
            cases_run += 1;
            if actual != expected {
                failures.push(format!(
                    "{}/{name}\n  expected: {expected:#?}\n  actual:   {actual:#?}",
                    rule.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases_run} fixture cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
