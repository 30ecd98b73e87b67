//! Inline suppressions end to end: a comment at the end of a line covers that line only, a
//! comment alone on its line covers the line below, and a `vibeguard-ignore` that names no rule
//! suppresses nothing and is reported (VG002).

mod common;

use common::{finding_places, json_report, vibeguard, write};

fn audit(root: &std::path::Path) -> Vec<(String, String, String)> {
    let cache = tempfile::tempdir().expect("tempdir");
    let output = vibeguard(cache.path())
        .args([
            "audit",
            "--offline",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let mut places = finding_places(&json_report(&output));
    places.retain(|(code, _, place)| place.starts_with("requirements.txt") && code != "VG304");
    places.sort();
    places
}

fn entry(code: &str, state: &str, place: &str) -> (String, String, String) {
    (code.into(), state.into(), place.into())
}

#[test]
fn a_trailing_suppression_covers_its_own_line_only() {
    let project = tempfile::tempdir().expect("tempdir");
    write(
        project.path(),
        "requirements.txt",
        "flask  # vibeguard-ignore[VG302]: the internal mirror pins flask\nrequests\n# vibeguard-ignore[VG302]: pinned by the base image\nnumpy\n",
    );
    assert_eq!(
        audit(project.path()),
        [
            entry("VG302", "active", "requirements.txt:2"),
            entry("VG302", "suppressed", "requirements.txt:1"),
            entry("VG302", "suppressed", "requirements.txt:4"),
        ]
    );
}

#[test]
fn a_suppression_without_a_rule_suppresses_nothing_and_is_reported() {
    let project = tempfile::tempdir().expect("tempdir");
    write(
        project.path(),
        "requirements.txt",
        "# vibeguard-ignore\nflask\nrequests  # vibeguard-ignore: reviewed\nnumpy # vibeguard-ignore[]: empty\n",
    );
    assert_eq!(
        audit(project.path()),
        [
            entry("VG002", "active", "requirements.txt:1"),
            entry("VG002", "active", "requirements.txt:3"),
            entry("VG002", "active", "requirements.txt:4"),
            entry("VG302", "active", "requirements.txt:2"),
            entry("VG302", "active", "requirements.txt:3"),
            entry("VG302", "active", "requirements.txt:4"),
        ]
    );
}
