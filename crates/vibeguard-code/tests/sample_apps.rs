//! The sample applications (`tests/apps/`): the vulnerable version gives exactly its expected
//! findings, the hardened twin gives none.

use std::collections::BTreeSet;
use std::path::Path;

use vibeguard_code::{CodeOptions, run};
use vibeguard_project::{ProjectTree, WalkOptions};

fn findings(folder: &Path) -> BTreeSet<String> {
    let tree = ProjectTree::walk(folder, &WalkOptions::default()).expect("walk");
    let output = run(&tree, &|_| true, &CodeOptions::default());
    assert!(
        output.output.run.errors.is_empty(),
        "{}: {:?}",
        folder.display(),
        output.output.run.errors
    );
    output
        .output
        .findings
        .iter()
        .map(|f| {
            let line = f.location.span().map_or(0, |s| s.start_line);
            format!("{} {}:{line}", f.code, f.location.file().unwrap_or(""))
        })
        .collect()
}

fn check(app: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/apps")
        .join(app);
    let expected: BTreeSet<String> = std::fs::read_to_string(root.join("expected.txt"))
        .expect("expected.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let found = findings(&root.join("vulnerable"));
    let missing: Vec<&String> = expected.difference(&found).collect();
    let extra: Vec<&String> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{app}: missing {missing:#?}\nextra {extra:#?}"
    );
    let hardened = findings(&root.join("hardened"));
    assert!(hardened.is_empty(), "{app} hardened: {hardened:#?}");
}

#[test]
fn express_notes_gives_exactly_its_expected_findings_and_the_hardened_twin_none() {
    check("express-notes");
}

#[test]
fn flask_bookmarks_gives_exactly_its_expected_findings_and_the_hardened_twin_none() {
    check("flask-bookmarks");
}

#[test]
fn the_sample_apps_are_realistic_in_size() {
    for (app, extension) in [("express-notes", "js"), ("flask-bookmarks", "py")] {
        for version in ["vulnerable", "hardened"] {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/apps")
                .join(app)
                .join(version);
            let tree = ProjectTree::walk(&root, &WalkOptions::default()).expect("walk");
            let lines: usize = tree
                .files()
                .filter(|f| f.path.ends_with(extension))
                .map(|f| {
                    tree.read_text(&f.path, 1 << 20)
                        .expect("read")
                        .lines()
                        .count()
                })
                .sum();
            assert!(lines >= 600, "{app}/{version} has {lines} lines");
        }
    }
}

/// The rules that had nothing to look at in a folder, with the checklist item when only one
/// item was out of reach.
fn not_applicable(folder: &Path) -> BTreeSet<String> {
    let tree = ProjectTree::walk(folder, &WalkOptions::default()).expect("walk");
    let output = run(&tree, &|_| true, &CodeOptions::default());
    output
        .output
        .run
        .not_applicable
        .iter()
        .map(|na| match na.item {
            Some(item) => format!("{} {}", na.code, item.as_str()),
            None => na.code.to_string(),
        })
        .collect()
}

/// A hardened twin's silence means something only when the rules ran over what they judge:
/// both apps hash passwords, sign tokens, set cookies and parse bodies.
#[test]
fn the_hardened_twins_pass_because_the_rules_applied() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/apps");
    // Neither app serves GraphQL; the Flask app has no browser JavaScript; both authenticate
    // with bearer tokens only (no cookie session to forge requests with).
    for (app, out_of_reach) in [
        ("express-notes", &["VG127", "VG129"][..]),
        ("flask-bookmarks", &["VG118", "VG127", "VG129"][..]),
    ] {
        let skipped = not_applicable(&root.join(app).join("hardened"));
        let expected: BTreeSet<String> = out_of_reach.iter().map(|c| c.to_string()).collect();
        assert_eq!(skipped, expected, "{app}");
    }
}
