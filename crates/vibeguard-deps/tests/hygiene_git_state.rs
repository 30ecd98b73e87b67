//! The committed/not-committed distinction needs a real git index, which fixture folders inside
//! this repository cannot have; these tests build one in a temporary folder with the git CLI
//! (and skip, saying so, where git is not installed).

use std::fs;
use std::path::Path;
use std::process::Command;

use vibeguard_deps::hygiene;
use vibeguard_project::{ProjectTree, WalkOptions};

fn git(root: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .is_ok_and(|out| out.status.success())
}

fn messages(root: &Path, code: &str) -> Vec<String> {
    let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walk");
    hygiene::run(&tree, &|rule| rule == code)
        .findings
        .into_iter()
        .map(|f| f.message)
        .collect()
}

#[test]
fn an_env_file_committed_before_it_was_ignored_is_still_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    if !git(root, &["init", "-q"]) {
        eprintln!("skipped: git is not installed");
        return;
    }
    fs::write(root.join(".gitignore"), ".env\n.env.*\n").expect("write");
    fs::write(root.join(".env"), "DB_PASSWORD=hunter2-not-real\n").expect("write");
    fs::write(root.join(".env.local"), "API_TOKEN=abc123realvalue\n").expect("write");
    assert!(git(root, &["add", "-f", ".env", ".gitignore"]));

    let found = messages(root, "VG305");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(".env is committed to git"),
        "{}",
        found[0]
    );
    assert!(found[0].contains("DB_PASSWORD"));
    assert!(
        !found[0].contains("hunter2"),
        "a value leaked: {}",
        found[0]
    );
}

#[test]
fn an_untracked_unignored_env_file_is_reported_as_about_to_be_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    if !git(root, &["init", "-q"]) {
        eprintln!("skipped: git is not installed");
        return;
    }
    fs::write(root.join(".env"), "JWT_SECRET=abc123realvalue\n").expect("write");
    let found = messages(root, "VG305");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("the next `git add .` commits it"),
        "{}",
        found[0]
    );
}

#[test]
fn configured_excludes_apply_to_committed_files_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    if !git(root, &["init", "-q"]) {
        eprintln!("skipped: git is not installed");
        return;
    }
    fs::create_dir_all(root.join("tests/fixtures")).expect("mkdir");
    fs::write(
        root.join("tests/fixtures/.env"),
        "DB_PASSWORD=fixture-value-1\n",
    )
    .expect("write");
    assert!(git(root, &["add", "-f", "tests/fixtures/.env"]));
    let options = WalkOptions {
        include: Vec::new(),
        exclude: vec!["tests/fixtures/".into()],
    };
    let tree = ProjectTree::walk(root, &options).expect("walk");
    let found = hygiene::run(&tree, &|rule| rule == "VG305").findings;
    assert!(
        found.is_empty(),
        "{:?}",
        found.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    assert_eq!(
        messages(root, "VG305").len(),
        1,
        "reported without the exclude"
    );
}
