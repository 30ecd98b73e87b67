//! VG204 on a project tree: weak password hashes in a seed file and a dump are found with their
//! scheme and cost; strong ones, documentation examples and test fixtures are not reported;
//! a project without any stored hash leaves the rule out of AUTH-03.

use std::path::Path;

use vibeguard_core::{ChecklistId, EngineOutput};
use vibeguard_project::{ProjectTree, WalkOptions};
use vibeguard_secrets::{SecretsOptions, run};

fn audit(dir: &Path) -> EngineOutput {
    let tree = ProjectTree::walk(dir, &WalkOptions::default()).expect("walk");
    run(&tree, &|_| true, &SecretsOptions::default()).output
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

const WEAK_BCRYPT: &str = "$2b$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
const STRONG_BCRYPT: &str = "$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

#[test]
fn weak_hashes_in_seeds_and_dumps_are_found_and_the_rest_is_not() {
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(
        root,
        "db/seed.sql",
        &format!(
            "INSERT INTO users (email, password) VALUES\n ('admin@example.com', '{WEAK_BCRYPT}'),\n ('b@example.com', '{STRONG_BCRYPT}');\n"
        ),
    );
    write(
        root,
        "backup/users.json",
        r#"[{"username": "ops", "password": "pbkdf2_sha256$36000$salt123$yQJJ9EGfmZ0d3u0u2oWvF1l3x5o3Gx4sY2PZlVQ5Pf0="}]"#,
    );
    write(
        root,
        "prisma/seed.ts",
        &format!("await prisma.user.create({{ data: {{ password: '{STRONG_BCRYPT}' }} }});\n"),
    );
    write(
        root,
        "README.md",
        &format!("A hash looks like `{WEAK_BCRYPT}`.\n"),
    );
    write(
        root,
        "tests/fixtures/users.json",
        &format!("[{{\"password\": \"{WEAK_BCRYPT}\"}}]"),
    );
    let output = audit(root);
    let mut found: Vec<(String, u32, String)> = output
        .findings
        .iter()
        .filter(|f| f.code == "VG204")
        .map(|f| {
            (
                f.location.file().unwrap_or("").to_string(),
                f.location.span().map_or(0, |s| s.start_line),
                f.message.clone(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("backup/users.json", 1));
    assert!(
        found[0].2.contains("PBKDF2-SHA256, 36,000 iterations"),
        "{}",
        found[0].2
    );
    assert_eq!((found[1].0.as_str(), found[1].1), ("db/seed.sql", 2));
    assert!(found[1].2.contains("bcrypt, cost 4"), "{}", found[1].2);
    assert!(
        output
            .findings
            .iter()
            .filter(|f| f.code == "VG204")
            .all(|f| f.checklist == [ChecklistId::Auth03])
    );
    let text = format!("{:?}", output.findings);
    assert!(
        !text.contains(WEAK_BCRYPT),
        "the hash itself is never shown"
    );
    assert!(output.run.rules_applied.iter().any(|code| code == "VG204"));
}

#[test]
fn without_stored_hashes_the_rule_has_no_subject() {
    let project = tempfile::tempdir().expect("tempdir");
    write(project.path(), "app.js", "const price = '$2 and $10';\n");
    let output = audit(project.path());
    assert!(!output.run.rules_applied.iter().any(|code| code == "VG204"));
    let absent = output
        .run
        .not_applicable
        .iter()
        .find(|entry| entry.code == "VG204")
        .expect("VG204 says why it did not apply");
    assert!(absent.subject_absent);
}
