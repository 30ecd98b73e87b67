//! `--git-history` on generated git repositories: a secret added then removed is found in the
//! history and only there; shallow and corrupt repositories give a recorded note, never a panic.

use std::path::Path;
use std::process::Command;

use vibeguard_core::{EngineOutput, Evidence};
use vibeguard_project::{ProjectTree, WalkOptions};
use vibeguard_secrets::{SecretsOptions, run};

/// A GitHub classic token in the real format (synthesized).
const TOKEN: &str = "ghp_R8vK2mQ9xL4tW7zN1bY6cF3hJ5dS0aP2eG8u";
/// A Stripe live key that stays in the tree.
const STRIPE: &str = "sk_live_51Hq8ZfT2mX9LpR4vBn7KdW3sYhQ2cE6tU";

/// Runs git in `dir` with no user or system configuration, so the host's settings (signing,
/// hooks, templates) cannot change what the test builds.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .env("GIT_AUTHOR_DATE", "2024-05-01T10:00:00+00:00")
        .env("GIT_COMMITTER_DATE", "2024-05-01T10:00:00+00:00")
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

fn write(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, text).expect("write");
}

/// A repository whose first commit adds `config.js` with [`TOKEN`] and `billing.py` with
/// [`STRIPE`], and whose second commit removes the token (the Stripe key stays).
fn repository_with_a_removed_secret(dir: &Path) {
    git(dir, &["init", "-q"]);
    write(
        dir,
        "config.js",
        &format!("// settings\nconst githubToken = '{TOKEN}';\nmodule.exports = {{}};\n"),
    );
    write(dir, "billing.py", &format!("STRIPE_KEY = \"{STRIPE}\"\n"));
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "first"]);
    write(
        dir,
        "config.js",
        "// settings\nconst githubToken = process.env.GITHUB_TOKEN;\nmodule.exports = {};\n",
    );
    git(
        dir,
        &["commit", "-q", "-am", "read the token from the environment"],
    );
}

fn audit(dir: &Path, history: bool) -> (EngineOutput, Vec<String>) {
    let tree = ProjectTree::walk(dir, &WalkOptions::default()).expect("walk");
    let options = SecretsOptions {
        history,
        ..SecretsOptions::default()
    };
    let result = run(&tree, &|_| true, &options);
    (result.output, result.values)
}

fn codes(output: &EngineOutput) -> Vec<String> {
    let mut codes: Vec<String> = output
        .findings
        .iter()
        .map(|finding| format!("{} {}", finding.code, finding.location))
        .collect();
    codes.sort();
    codes
}

#[test]
fn a_removed_secret_is_found_with_history_and_not_without() {
    let dir = tempfile::tempdir().expect("tempdir");
    repository_with_a_removed_secret(dir.path());

    let (without, _) = audit(dir.path(), false);
    assert_eq!(codes(&without), ["VG201 billing.py:1:15"]);

    let (with, values) = audit(dir.path(), true);
    assert!(with.run.errors.is_empty(), "{:?}", with.run.errors);
    // The Stripe key is reported once, from the tree; the token only from the history.
    assert_eq!(
        codes(&with),
        ["VG201 billing.py:1:15", "VG203 config.js:2:22"]
    );
    let removed = with
        .findings
        .iter()
        .find(|finding| finding.code.as_ref() == "VG203")
        .expect("history finding");
    assert!(
        removed.message.contains("2024-05-01T10:00:00"),
        "{}",
        removed.message
    );
    assert!(removed.message.contains("rotate it"));
    let commit = removed
        .evidence
        .iter()
        .find_map(|evidence| match evidence {
            Evidence::Text { label, text } if label == "commit" => Some(text.clone()),
            _ => None,
        })
        .expect("commit evidence");
    let hash = commit.split(' ').next().expect("hash");
    assert_eq!(hash.len(), 40, "{commit}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{commit}");
    // The secret is described, never shown; its value goes only to the run's redactor.
    let rendered = format!("{:?}", with.findings);
    assert!(!rendered.contains(TOKEN) && !rendered.contains(STRIPE));
    assert!(values.iter().any(|value| value == TOKEN));
    // Its fingerprint is the secret's, not the line's: the same in a later run.
    let (again, _) = audit(dir.path(), true);
    let fingerprints = |output: &EngineOutput| -> Vec<String> {
        output
            .findings
            .iter()
            .map(|finding| format!("{:?}", finding.fingerprint))
            .collect()
    };
    assert_eq!(fingerprints(&with), fingerprints(&again));
}

#[test]
fn a_value_the_tree_scan_judged_is_not_reported_again_from_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), "src/lib.rs", "pub fn charge() {}\n");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "lib"]);
    write(
        dir.path(),
        "src/lib.rs",
        "pub fn charge() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn parses() {\n    }\n}\n",
    );
    git(dir.path(), &["commit", "-q", "-am", "tests"]);
    // A later commit adds a made-up token inside the existing unit-test module: its hunk is
    // one line, without the `#[cfg(test)]` context in view of the history scan, so only the
    // tree scan knows it is test code.
    write(
        dir.path(),
        "src/lib.rs",
        &format!(
            "pub fn charge() {{}}\n\n#[cfg(test)]\nmod tests {{\n    #[test]\n    fn parses() {{\n        let token = \"{TOKEN}\";\n    }}\n}}\n"
        ),
    );
    git(dir.path(), &["commit", "-q", "-am", "token in a test"]);
    let (output, _) = audit(dir.path(), true);
    assert!(output.run.errors.is_empty(), "{:?}", output.run.errors);
    assert!(codes(&output).is_empty(), "{:?}", codes(&output));
    // Once it leaves the file, the history reports it.
    write(dir.path(), "src/lib.rs", "pub fn charge() {}\n");
    git(dir.path(), &["commit", "-q", "-am", "drop tests"]);
    let (output, _) = audit(dir.path(), true);
    assert_eq!(codes(&output), ["VG203 src/lib.rs:7:22"]);
}

#[test]
fn a_shallow_clone_is_scanned_as_far_as_it_goes_with_a_note() {
    let origin = tempfile::tempdir().expect("tempdir");
    repository_with_a_removed_secret(origin.path());
    let clones = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", origin.path().display());
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", url.as_str(), "shallow"],
    );
    let (output, _) = audit(&clones.path().join("shallow"), true);
    let notes: Vec<&str> = output
        .run
        .errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    assert!(
        notes.iter().any(|note| note.contains("shallow clone")),
        "{notes:?}"
    );
    // The commit that added the token is not in the clone: only the tree's key is found.
    assert_eq!(codes(&output), ["VG201 billing.py:1:15"]);
}

#[test]
fn a_corrupt_repository_gives_a_note_and_the_tree_is_still_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    repository_with_a_removed_secret(dir.path());
    // Break every loose object: git can no longer read a commit.
    let objects = dir.path().join(".git/objects");
    for entry in walk(&objects) {
        if entry.is_file() && entry.parent().is_some_and(|parent| parent != objects) {
            std::fs::write(&entry, b"not a zlib stream").expect("corrupt");
        }
    }
    let (output, _) = audit(dir.path(), true);
    assert!(
        output
            .run
            .errors
            .iter()
            .any(|error| error.source == "git history"),
        "{:?}",
        output.run.errors
    );
    assert_eq!(codes(&output), ["VG201 billing.py:1:15"]);
}

#[test]
fn a_folder_that_is_not_a_repository_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "app.py", "print('hello')\n");
    let (output, _) = audit(dir.path(), true);
    assert!(
        output
            .run
            .errors
            .iter()
            .any(|error| error.message.contains("not a git repository")),
        "{:?}",
        output.run.errors
    );
    assert!(output.findings.is_empty());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out
}
