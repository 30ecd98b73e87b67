//! What the end-to-end test files share: the binary with a private cache, files written into a
//! project, a run's output as text, and the report parsed.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use serde_json::Value;

/// The `vibeguard` binary with its own cache folder, no advisory folder from the environment,
/// no colour and outside CI unless a test says otherwise.
pub fn vibeguard(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vibeguard"));
    command
        .env("VIBEGUARD_CACHE_DIR", cache)
        .env_remove("VIBEGUARD_DB_DIR")
        .env_remove("CI")
        .env("NO_COLOR", "1");
    command
}

/// Writes `content` to `path` under `root`, creating folders.
pub fn write(root: &Path, path: &str, content: &str) {
    let full = root.join(path);
    if let Some(parent) = full.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(full, content).expect("write");
}

/// A small Python project: `requirements` and a Dependabot configuration for pip.
pub fn python_project(root: &Path, requirements: &str) {
    write(root, "requirements.txt", requirements);
    write(
        root,
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n",
    );
}

/// The run's standard output.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The run's standard error.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A file of this repository.
pub fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// The JSON report a run printed on stdout.
pub fn json_report(output: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|error| {
        panic!(
            "not a JSON report ({error}):\n{}\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// Every finding of a report as `(code, state, file:line)`.
pub fn finding_places(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            let location = &finding["location"];
            let line = location["span"]["start_line"]
                .as_u64()
                .map_or(String::new(), |line| format!(":{line}"));
            (
                finding["code"].as_str().unwrap_or_default().to_string(),
                finding["state"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{}{line}",
                    location["path"]
                        .as_str()
                        .or_else(|| location["manifest"].as_str())
                        .unwrap_or_default()
                ),
            )
        })
        .collect()
}

/// Asks for every report format at once, each into its own file under `dir` (`r.json`,
/// `r.sarif`, `r.xml`, `r.md`, `r.html`, `r.txt`, `r.brief.md`).
pub fn write_every_format(command: &mut Command, dir: &Path) {
    for (format, file) in [
        ("json", "r.json"),
        ("sarif", "r.sarif"),
        ("junit", "r.xml"),
        ("markdown", "r.md"),
        ("html", "r.html"),
        ("terminal", "r.txt"),
        ("brief", "r.brief.md"),
    ] {
        command
            .arg("--format")
            .arg(format!("{format}={}", dir.join(file).display()));
    }
}

/// Every file in `dir`, then the run's stdout and stderr, as (name, text): all a run wrote.
pub fn everything_written(dir: &Path, output: &std::process::Output) -> Vec<(String, String)> {
    let mut written: Vec<(String, String)> = fs::read_dir(dir)
        .expect("outputs")
        .map(|entry| {
            let path = entry.expect("entry").path();
            (
                path.display().to_string(),
                String::from_utf8_lossy(&fs::read(&path).expect("read")).into_owned(),
            )
        })
        .collect();
    written.push(("stdout".into(), stdout(output)));
    written.push(("stderr".into(), stderr(output)));
    written
}
