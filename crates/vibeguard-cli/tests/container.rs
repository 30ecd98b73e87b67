//! The container engine inside `vibeguard audit`: Dockerfile and Compose findings with their
//! checklist items, CONT-01 never passed by the project files alone, not applicable without
//! any container file, and a secret in `ENV` reported once and never printed.

mod common;

use common::{json_report, stderr, vibeguard, write};
use serde_json::Value;

fn audit(root: &std::path::Path) -> Value {
    let cache = tempfile::tempdir().expect("tempdir");
    let output = vibeguard(cache.path())
        .args([
            "audit",
            "--no-history",
            "--offline",
            "--fail-on",
            "never",
            "--format",
            "json",
        ])
        .arg(root)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    json_report(&output)
}

fn status(report: &Value, item: &str) -> String {
    report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|verdict| verdict["id"] == item)
        .and_then(|verdict| verdict["status"].as_str())
        .expect("the item")
        .to_string()
}

fn codes(report: &Value, prefix: &str) -> Vec<String> {
    let mut codes: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .filter(|code| code.starts_with(prefix))
        .map(str::to_string)
        .collect();
    codes.sort();
    codes
}

#[test]
fn an_assistant_written_dockerfile_and_compose_file_fail_their_items() {
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    let key = "sk_live_51HxQ2b7Kp9Lm3Nq8Rt4Vw6Yz";
    write(
        root,
        "package.json",
        "{\"dependencies\": {\"express\": \"4.21.2\"}}\n",
    );
    write(
        root,
        "Dockerfile",
        &format!(
            "FROM node:latest\nWORKDIR /app\nCOPY . .\nENV STRIPE_SECRET_KEY={key}\nRUN curl -fsSL https://get.example.sh | sh\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n"
        ),
    );
    write(
        root,
        "docker-compose.yml",
        "services:\n  app:\n    build: .\n    ports: [\"3000:3000\"]\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n    environment:\n      POSTGRES_PASSWORD: Winter2024!db\n",
    );
    let report = audit(root);
    assert_eq!(
        codes(&report, "VG6"),
        [
            "VG601", "VG602", "VG603", "VG604", "VG605", "VG608", "VG609"
        ]
    );
    // The ENV secret is VG604's, not also the generic detector's.
    let on_env_line: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["location"]["path"] == "Dockerfile" && f["location"]["span"]["start_line"] == 4
        })
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(!on_env_line.contains(&"VG202"), "{on_env_line:?}");
    assert!(!report.to_string().contains(key), "the key is printed");
    assert!(
        !report.to_string().contains("Winter2024!db"),
        "the password is printed"
    );
    for item in ["CONT-01", "DATA-04", "DATA-03"] {
        assert_eq!(status(&report, item), "failed", "{item}");
    }
}

#[test]
fn clean_container_files_leave_cont_01_unverified_and_none_makes_it_not_applicable() {
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(
        root,
        "Dockerfile",
        "FROM node:20.18-bookworm-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY src/ src/\nUSER node\nCMD [\"node\", \"src/server.js\"]\n",
    );
    write(
        root,
        "compose.yaml",
        "services:\n  app:\n    build: .\n    ports: [\"3000:3000\"]\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n",
    );
    let report = audit(root);
    assert!(
        codes(&report, "VG6").is_empty(),
        "{:?}",
        codes(&report, "VG6")
    );
    let verdict = status(&report, "CONT-01");
    assert_eq!(
        verdict, "not-verified",
        "the image's packages were not scanned"
    );
    let empty = tempfile::tempdir().expect("tempdir");
    write(empty.path(), "app.py", "print('hi')\n");
    assert_eq!(status(&audit(empty.path()), "CONT-01"), "not-applicable");
}
