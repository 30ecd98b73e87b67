//! `vibeguard db` and `vibeguard deps` end to end: downloads from a local HTTP server on
//! 127.0.0.1 serving fixture exports (a good one, a truncated one, a corrupt one, one whose
//! connection drops halfway), the old data kept on every failure, `--offline`, `db import`,
//! and `--require-db`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use common::{stderr, vibeguard};
use serde_json::Value;

mod common;

/// What the server answers for a path: the body, and the Content-Length it claims.
#[derive(Clone)]
struct Answer {
    body: Vec<u8>,
    claimed_length: usize,
}

/// A tiny HTTP/1.1 server on 127.0.0.1: one request per connection, bounded in connections
/// and time, stopped when dropped.
struct ExportServer {
    port: u16,
    answers: Arc<Mutex<BTreeMap<String, Answer>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ExportServer {
    fn start() -> ExportServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let answers: Arc<Mutex<BTreeMap<String, Answer>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (served, stopping) = (answers.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(64) {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    serve(stream, &served);
                }
            }
        });
        ExportServer {
            port,
            answers,
            stop,
            thread: Some(thread),
        }
    }

    fn set(&self, path: &str, body: Vec<u8>, claimed_length: Option<usize>) {
        let claimed_length = claimed_length.unwrap_or(body.len());
        self.answers.lock().expect("lock").insert(
            path.to_string(),
            Answer {
                body,
                claimed_length,
            },
        );
    }

    fn source(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for ExportServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut stream: TcpStream, answers: &Mutex<BTreeMap<String, Answer>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let answer = answers.lock().expect("lock").get(&path).cloned();
    let _ = match answer {
        Some(answer) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.claimed_length
            );
            stream
                .write_all(head.as_bytes())
                .and_then(|_| stream.write_all(&answer.body))
        }
        None => stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    };
    // Closing here is what a dropped connection looks like when fewer bytes were sent than
    // claimed.
}

fn record(id: &str, package: &str, fixed: &str) -> Vec<u8> {
    format!(
        r#"{{"id": "{id}", "modified": "2026-12-01T00:00:00Z", "summary": "flaw in {package}", "database_specific": {{"severity": "HIGH"}}, "affected": [{{"package": {{"ecosystem": "PyPI", "name": "{package}"}}, "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    )
    .into_bytes()
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(name.as_str(), options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

fn good_export(count: usize) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = (0..count)
        .map(|i| {
            (
                format!("PYSEC-2026-{i}.json"),
                record(&format!("PYSEC-2026-{i}"), &format!("pkg{i}"), "2.0"),
            )
        })
        .chain(std::iter::once((
            "PYSEC-2026-flask.json".to_string(),
            record("PYSEC-2026-flask", "Flask", "2.3.2"),
        )))
        .collect();
    zip_of(&entries)
}

fn pypi_records(cache: &Path, db: &Path) -> Option<u64> {
    let output = vibeguard(cache)
        .args(["db", "status", "--format", "json", "--db-dir"])
        .arg(db)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let status: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    status["ecosystems"]
        .as_array()?
        .iter()
        .find(|e| e["ecosystem"] == "PyPI")?["records"]
        .as_u64()
}

#[test]
fn update_verifies_downloads_and_keeps_old_data_on_every_failure() {
    let cache = tempfile::tempdir().expect("cache");
    let db = cache.path().join("db");
    let server = ExportServer::start();
    let update = |cache: &Path| {
        vibeguard(cache)
            .args([
                "db",
                "update",
                "--ecosystem",
                "pypi",
                "--source",
                &server.source(),
                "--db-dir",
            ])
            .arg(&db)
            .output()
            .expect("runs")
    };

    let good = good_export(20);
    server.set("/PyPI/all.zip", good.clone(), None);
    let output = update(cache.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("21 advisories"),
        "{}",
        stderr(&output)
    );
    assert_eq!(pypi_records(cache.path(), &db), Some(21));

    // A truncated export (no central directory).
    server.set("/PyPI/all.zip", good[..good.len() / 2].to_vec(), None);
    let output = update(cache.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("truncated or corrupt"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("the 21 stored records are kept"),
        "{}",
        stderr(&output)
    );
    assert_eq!(pypi_records(cache.path(), &db), Some(21));

    // A corrupt export: bytes flipped inside an entry's compressed data.
    let mut corrupt = good.clone();
    for byte in &mut corrupt[40..60] {
        *byte ^= 0xa5;
    }
    server.set("/PyPI/all.zip", corrupt, None);
    let output = update(cache.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("damaged"), "{}", stderr(&output));
    assert_eq!(pypi_records(cache.path(), &db), Some(21));

    // A connection that drops before the promised length.
    server.set(
        "/PyPI/all.zip",
        good[..good.len() - 100].to_vec(),
        Some(good.len()),
    );
    let output = update(cache.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("incomplete") || stderr(&output).contains("broke"),
        "{}",
        stderr(&output)
    );
    assert_eq!(pypi_records(cache.path(), &db), Some(21));

    // An export far smaller than the stored data is refused (a partial mirror).
    server.set("/PyPI/all.zip", good_export(2), None);
    let output = update(cache.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("less than half"),
        "{}",
        stderr(&output)
    );
    assert_eq!(pypi_records(cache.path(), &db), Some(21));

    // Nothing at the address.
    let output = vibeguard(cache.path())
        .args([
            "db",
            "update",
            "--ecosystem",
            "npm",
            "--source",
            &server.source(),
            "--db-dir",
        ])
        .arg(&db)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("404"), "{}", stderr(&output));
    // No download is left behind.
    assert!(!db.join(".downloads").exists());
}

#[test]
fn offline_refuses_the_network_and_import_works_without_it() {
    let cache = tempfile::tempdir().expect("cache");
    let db = cache.path().join("db");
    let output = vibeguard(cache.path())
        .args([
            "db",
            "update",
            "--offline",
            "--source",
            "http://127.0.0.1:9",
            "--db-dir",
        ])
        .arg(&db)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("db import"), "{}", stderr(&output));

    let export = cache.path().join("PyPI-all.zip");
    fs::write(&export, good_export(3)).expect("write export");
    let output = vibeguard(cache.path())
        .args(["db", "import", "--db-dir"])
        .arg(&db)
        .arg(&export)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(pypi_records(cache.path(), &db), Some(4));

    let missing = vibeguard(cache.path())
        .args(["db", "import", "--db-dir"])
        .arg(&db)
        .arg(cache.path().join("nothing-here.zip"))
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nothing-here.zip"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn deps_reports_vulnerable_pins_and_require_db_refuses_missing_data() {
    let cache = tempfile::tempdir().expect("cache");
    let db = cache.path().join("db");
    let export = cache.path().join("PyPI-all.zip");
    fs::write(&export, good_export(1)).expect("write export");
    vibeguard(cache.path())
        .args(["db", "import", "--db-dir"])
        .arg(&db)
        .arg(&export)
        .assert()
        .code(0);

    let project = tempfile::tempdir().expect("project");
    fs::write(
        project.path().join("requirements.txt"),
        "flask==2.2.0\nrequests==2.31.0\n",
    )
    .expect("write");
    let output = vibeguard(cache.path())
        .args(["deps", "--format", "json", "--db-dir"])
        .arg(&db)
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let vulnerable: Vec<&Value> = findings.iter().filter(|f| f["code"] == "VG307").collect();
    assert_eq!(vulnerable.len(), 1);
    assert!(
        vulnerable[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Flask")
            || vulnerable[0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("flask")
    );
    assert!(
        vulnerable[0]["fix"]
            .as_str()
            .unwrap_or("")
            .contains("2.3.2")
    );
    // `deps` runs the dependency rules only: no code engine.
    assert!(
        report["engines"]
            .as_array()
            .expect("engines")
            .iter()
            .all(|e| e["engine"] != "code")
    );
    let deps_02 = report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|item| item["id"] == "DEPS-02")
        .expect("DEPS-02");
    assert_eq!(deps_02["status"], "failed");

    // An npm project with no npm data: not verified, and --require-db makes it exit 2.
    let npm = tempfile::tempdir().expect("project");
    fs::write(
        npm.path().join("package.json"),
        r#"{"dependencies": {"left-pad": "1.3.0"}}"#,
    )
    .expect("write");
    fs::write(
        npm.path().join("package-lock.json"),
        r#"{"lockfileVersion": 3, "packages": {"": {"dependencies": {"left-pad": "1.3.0"}}, "node_modules/left-pad": {"version": "1.3.0"}}}"#,
    )
    .expect("write");
    let output = vibeguard(cache.path())
        .args(["deps", "--format", "json", "--db-dir"])
        .arg(&db)
        .arg(npm.path())
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let deps_02 = report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|item| item["id"] == "DEPS-02")
        .expect("DEPS-02");
    assert_eq!(deps_02["status"], "not-verified");
    assert!(
        deps_02["note"]
            .as_str()
            .unwrap_or("")
            .contains("no npm advisory data"),
        "{deps_02}"
    );
    let output = vibeguard(cache.path())
        .args(["deps", "--require-db", "--db-dir"])
        .arg(&db)
        .arg(npm.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no npm advisory data"),
        "{}",
        stderr(&output)
    );
}
