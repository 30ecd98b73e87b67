//! Recorded traffic as operations: a browser's HAR export and Postman Collections (v2.1 with
//! an environment, v2.0) read into the operations of the target, credentials never kept; and
//! hostile files — nested 10,000 deep, a 100 MB entry, an unknown version, missing fields — each
//! a located error while the rest is read and tested.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use vibeguard_api::engine::{self, ApiSettings};
use vibeguard_api::spec::{Operation, ParamIn, SpecSource};
use vibeguard_api::traffic::{self, Recording, TrafficError};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/traffic")
        .join(name)
}

fn target() -> Url {
    Url::parse("http://127.0.0.1:8123").expect("url")
}

fn labels(operations: &[Operation]) -> Vec<String> {
    operations.iter().map(Operation::label).collect()
}

/// Every credential value the fixtures hold: none may survive the import.
const RECORDED_SECRETS: &[&str] = &[
    "correct-horse-battery",
    "qX1Zr8wPp0rTQ7mM2Kd9",
    "Zk4tVnE5cUxRbW1aT3BpZ0xhQ3JGcE1R",
    "eyJhbGciOiJIUzI1NiJ9",
    "sk_test_51H8sQ2Lw9vT0pXn4cR7uYb3KdEa6FgJh",
];

fn assert_no_secret(recordings: &[Recording], what: &str) {
    let (spec, notes) = traffic::operations(recordings, &target());
    let text = format!("{spec:?} {notes:?}");
    for secret in RECORDED_SECRETS {
        assert!(!text.contains(secret), "{what}: `{secret}` kept in {text}");
    }
}

#[test]
fn a_browsers_har_export_becomes_the_targets_operations() {
    let recording = traffic::read_file(&fixture("firefox-notes.har"), None).expect("a HAR file");
    assert!(recording.problems.is_empty(), "{:?}", recording.problems);
    let (spec, notes) = traffic::operations(std::slice::from_ref(&recording), &target());
    // The page and its script are not API operations; the font from a CDN is not the target's.
    assert_eq!(
        labels(&spec.operations),
        [
            "GET /",
            "POST /api/login",
            "GET /api/notes",
            "GET /api/notes/{id}",
            "DELETE /api/notes/{id}",
            "GET /api/users/{handle}/notes",
        ]
    );
    assert_eq!(
        notes,
        ["1 recorded request outside http://127.0.0.1:8123/ not imported"]
    );
    let list = &spec.operations[2];
    let query: Vec<(&str, ParamIn)> = list
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location))
        .collect();
    assert_eq!(query, [("page", ParamIn::Query), ("sort", ParamIn::Query)]);
    assert_eq!(
        list.extensions["x-vibeguard-recorded-with-credential"],
        true
    );
    assert_eq!(
        spec.operations[1].extensions["x-vibeguard-source"],
        format!("{}#/log/entries/2", fixture("firefox-notes.har").display())
    );
    assert_no_secret(&[recording], "HAR");
}

#[test]
fn postman_collections_with_an_environment_become_the_targets_operations() {
    let recording = traffic::read_file(
        &fixture("notes.postman_collection.json"),
        Some(&fixture("notes.postman_environment.json")),
    )
    .expect("a collection");
    assert!(recording.problems.is_empty(), "{:?}", recording.problems);
    assert_eq!(
        recording.notes,
        [format!(
            "{}: 1 pre-request script not run (values they set are missing)",
            fixture("notes.postman_collection.json").display()
        )]
    );
    let (spec, notes) = traffic::operations(std::slice::from_ref(&recording), &target());
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(
        labels(&spec.operations),
        [
            "POST /api/auth/signup",
            "POST /api/auth/login",
            "GET /api/notes",
            "GET /api/notes/{id}",
            "POST /api/notes/{id}/attachments",
            "DELETE /api/notes/{id}",
            "GET /health",
        ]
    );
    let login = spec.operations[1].body.as_ref().expect("the login's body");
    assert_eq!(login.media_type, "application/x-www-form-urlencoded");
    let fields: Vec<&str> = login
        .schema
        .properties
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(
        fields,
        ["email", "password"],
        "the disabled field is left out"
    );
    let upload = spec.operations[4].body.as_ref().expect("the upload's body");
    assert_eq!(upload.media_type, "multipart/form-data");
    let read = &spec.operations[3];
    assert_eq!(read.parameters[0].schema.example, Some("41".into()));
    assert_no_secret(&[recording], "Postman");

    // Without the environment, `{{baseUrl}}` is the collection's own value (localhost, not the
    // target's 127.0.0.1): nothing is imported, and the user is told.
    let alone = traffic::read_file(&fixture("notes.postman_collection.json"), None).expect("read");
    let (spec, notes) = traffic::operations(&[alone], &target());
    assert!(spec.operations.is_empty());
    assert_eq!(
        notes,
        ["7 recorded requests outside http://127.0.0.1:8123/ not imported"]
    );

    let v20 = traffic::read_file(&fixture("notes.postman_collection_v2.0.json"), None)
        .expect("a v2.0 collection");
    let (spec, _) = traffic::operations(&[v20], &target());
    assert_eq!(
        labels(&spec.operations),
        ["GET /api/notes", "POST /api/notes"]
    );
    let body = spec.operations[1].body.as_ref().expect("body");
    assert_eq!(body.media_type, "application/json");
    assert!(body.schema.property("pinned").is_some());
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write");
    path
}

#[test]
fn hostile_files_are_located_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Nested 10,000 deep: refused by the JSON reader, with the file and the position.
    let deep = write(
        dir.path(),
        "deep.har",
        format!("{{\"log\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes(),
    );
    let error = traffic::read_file(&deep, None).expect_err("too deep");
    assert!(matches!(error, TrafficError::Json { .. }), "{error}");
    assert!(error.to_string().contains("deep.har"), "{error}");
    assert!(error.to_string().contains("recursion limit"), "{error}");

    // A 100 MB request body: the entry is read, its body is too large to be an example, and
    // says so at its place; the next entry is read as usual.
    let body = "a".repeat(100 * 1024 * 1024);
    let big = write(
        dir.path(),
        "big.har",
        format!(
            r#"{{"log": {{"version": "1.2", "entries": [
                {{"request": {{"method": "POST", "url": "http://127.0.0.1:8123/api/upload",
                    "postData": {{"mimeType": "text/plain", "text": "{body}"}}}}}},
                {{"request": {{"method": "GET", "url": "http://127.0.0.1:8123/api/items"}}}}]}}}}"#
        )
        .as_bytes(),
    );
    drop(body);
    let recording = traffic::read_file(&big, None).expect("read");
    assert_eq!(recording.requests.len(), 2);
    assert!(
        recording.requests[0]
            .body
            .as_ref()
            .is_some_and(|b| b.text.is_none())
    );
    assert_eq!(recording.problems.len(), 1, "{:?}", recording.problems);
    assert!(
        recording.problems[0]
            .pointer
            .ends_with("big.har#/log/entries/0/request/postData/text")
    );
    assert!(
        recording.problems[0].message.contains("104857600 bytes"),
        "{:?}",
        recording.problems
    );

    let unknown = write(
        dir.path(),
        "new.har",
        br#"{"log": {"version": "2.0", "entries": []}}"#,
    );
    let error = traffic::read_file(&unknown, None).expect_err("unknown version");
    assert!(
        error.to_string().contains("HAR version 2.0 is not read"),
        "{error}"
    );

    let missing = write(
        dir.path(),
        "missing.har",
        br#"{"log": {"version": "1.2", "entries": [
            {"request": {"url": "http://127.0.0.1:8123/a"}},
            {"request": {"method": "GET"}},
            {},
            {"request": {"method": "GET", "url": "http://127.0.0.1:8123/api/ok"}}]}}"#,
    );
    let recording = traffic::read_file(&missing, None).expect("read");
    assert_eq!(
        labels(
            &traffic::operations(std::slice::from_ref(&recording), &target())
                .0
                .operations
        ),
        ["GET /api/ok"]
    );
    let pointers: Vec<String> = recording
        .problems
        .iter()
        .map(|p| p.pointer.rsplit('#').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        pointers,
        [
            "/log/entries/0/request/method",
            "/log/entries/1/request/url",
            "/log/entries/2"
        ]
    );

    let binary = write(dir.path(), "binary.har", &[0xff, 0xfe, 0x00, 0x01, 0x02]);
    assert!(matches!(
        traffic::read_file(&binary, None),
        Err(TrafficError::Json { .. })
    ));
    let neither = write(dir.path(), "other.json", br#"{"openapi": "3.0.3"}"#);
    let error = traffic::read_file(&neither, None).expect_err("neither format");
    assert!(error.to_string().contains("neither a HAR file"), "{error}");
    let absent = traffic::read_file(&dir.path().join("absent.har"), None).expect_err("absent");
    assert!(error_names(&absent, "absent.har"));
}

fn error_names(error: &TrafficError, file: &str) -> bool {
    error.to_string().contains(file)
}

/// A server answering every request with an empty JSON object.
async fn server() -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 65536];
                while let Ok(n) = stream.read(&mut buffer).await {
                    if n == 0 {
                        return;
                    }
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if stream.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn a_broken_traffic_file_is_an_error_of_the_run_and_the_others_are_tested() {
    let url = server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(
        dir.path(),
        "good.har",
        format!(
            r#"{{"log": {{"version": "1.2", "entries": [
                {{"request": {{"method": "GET", "url": "{url}api/items?page=1"}}}},
                {{"request": {{"method": "GET", "url": "{url}api/items/5"}}}}]}}}}"#
        )
        .as_bytes(),
    );
    let broken = write(dir.path(), "broken.har", b"{\"log\": ");
    let mut settings = ApiSettings::new(url.clone(), SpecSource::Discover);
    settings.traffic = vec![broken.clone(), good];
    let outcome = engine::run(&settings, &|_| true, &|_| None)
        .await
        .expect("the run goes on");
    let run = &outcome.output.run;
    assert!(
        run.errors
            .iter()
            .any(|e| e.source == broken.display().to_string()
                && e.message.contains("not valid JSON")),
        "{:?}",
        run.errors
    );
    assert_eq!(run.coverage.operations_from_traffic, 2);
    assert_eq!(run.coverage.operations_total, 2);
}

#[tokio::test]
async fn what_a_description_leaves_out_but_a_recording_shows_is_tested_as_undocumented() {
    let url = server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let har = write(
        dir.path(),
        "run.har",
        format!(
            r#"{{"log": {{"version": "1.2", "entries": [
                {{"request": {{"method": "GET", "url": "{url}api/items"}}}},
                {{"request": {{"method": "GET", "url": "{url}api/export?format=csv"}}}}]}}}}"#
        )
        .as_bytes(),
    );
    let description = write(
        dir.path(),
        "openapi.json",
        br#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/api/items": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#,
    );
    let mut settings = ApiSettings::new(url.clone(), SpecSource::File(description));
    settings.traffic = vec![har];
    settings.declared_routes = vec![vibeguard_api::spec::DeclaredRoute {
        method: "GET".into(),
        path: "/api/debug/config".into(),
        declared_at: "app.js:40".into(),
        authenticated: false,
        ..Default::default()
    }];
    let outcome = engine::run(&settings, &|_| true, &|_| None)
        .await
        .expect("runs");
    let coverage = &outcome.output.run.coverage;
    // The described operation, the recorded export and the code's debug route: all three
    // tested (the debug route also reported by VG416, the description leaving it out).
    assert_eq!(coverage.operations_total, 3, "{coverage:?}");
    assert_eq!(coverage.operations_from_traffic, 1);
    assert_eq!(coverage.operations_from_code, 1);
    assert_eq!(coverage.operations, 3);
    assert!(
        outcome
            .output
            .findings
            .iter()
            .any(|f| f.code == "VG416" && f.location.to_string().contains("/api/debug/config")),
        "{:?}",
        outcome.output.findings
    );
}
