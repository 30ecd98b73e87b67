//! Time-based detection against real servers on 127.0.0.1: a server whose answer time follows
//! the delay a payload asks for is reported; servers that are jittery or uniformly slow, whose
//! answer times have nothing to do with the input, never are.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use vibeguard_api::engine::{self, ApiOutcome, ApiSettings};
use vibeguard_api::spec::SpecSource;

const SPEC: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "search", "version": "1"},
  "paths": {
    "/search": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "example": "milk"}}],
                        "responses": {"200": {"description": "hits"}}}},
    "/items/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "example": 7}}],
                            "responses": {"200": {"description": "an item"}}}},
    "/subscribe": {"get": {"parameters": [{"name": "email", "in": "query", "required": true, "schema": {"type": "string", "format": "email", "example": "a@example.com"}}],
                           "responses": {"200": {"description": "subscribed"}}}}
  }
}"#;

/// A server that answers every request with the same JSON after `delay(request line)`.
async fn server(delay: impl Fn(&str) -> Duration + Send + Sync + 'static) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let delay = Arc::new(delay);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let delay = delay.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                loop {
                    let Ok(n) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    let request = String::from_utf8_lossy(&buffer[..n]).into_owned();
                    let line = request.lines().next().unwrap_or_default().to_string();
                    tokio::time::sleep(delay(&line)).await;
                    let body = r#"{"items":[]}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// Every check that judges answer times.
const TIMING_CHECKS: &[&str] = &["VG409", "VG419", "VG426"];

async fn audit(target: Url, checks: &[&str]) -> ApiOutcome {
    let folder = tempfile::tempdir().expect("tempdir");
    let spec = folder.path().join("openapi.json");
    std::fs::write(&spec, SPEC).expect("write spec");
    let settings = ApiSettings::new(target, SpecSource::File(spec));
    engine::run(&settings, &|code| checks.contains(&code), &|_| None)
        .await
        .expect("the engine runs")
}

/// The blob size a SQLite delay payload asks for, in units of 8 MB.
fn units(line: &str) -> u64 {
    line.split("randomblob%28")
        .nth(1)
        .and_then(|rest| rest.split("%29").next())
        .and_then(|n| n.parse::<u64>().ok())
        .map_or(0, |bytes| bytes / 8_000_000)
}

#[tokio::test]
async fn a_delay_that_follows_the_payload_is_reported() {
    let target = server(|line| Duration::from_millis(2 + units(line) * 300)).await;
    let outcome = audit(target, &["VG409"]).await;
    let findings: Vec<String> = outcome
        .output
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.location))
        .collect();
    assert_eq!(
        findings,
        [
            "VG409 GET /items/{id} [path:id]",
            "VG409 GET /search [query:q]",
            "VG409 GET /subscribe [query:email]"
        ],
        "{:#?}",
        outcome.output.findings
    );
    assert!(
        outcome.output.findings[0]
            .message
            .contains("SQLite delay follows the payload")
    );
}

#[tokio::test]
async fn a_jittery_server_is_not_reported() {
    // Every answer waits 0–300 ms, pseudo-randomly, whatever it was asked.
    let counter = Arc::new(AtomicU64::new(1));
    let target = server(move |_| {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        Duration::from_millis((n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % 300)
    })
    .await;
    let outcome = audit(target, TIMING_CHECKS).await;
    assert!(
        outcome.output.findings.is_empty(),
        "{:#?}",
        outcome.output.findings
    );
    // The delay payloads were sent, so the silence is a verdict, not a skipped test.
    assert!(
        outcome
            .exchanges
            .iter()
            .any(|e| e.request.url.as_str().contains("randomblob"))
    );
    assert!(
        outcome
            .exchanges
            .iter()
            .any(|e| e.request.url.as_str().contains("sleep"))
    );
    assert!(
        outcome.exchanges.iter().any(|e| e
            .request
            .url
            .as_str()
            .contains("aaaaaaaaaaaaaaaaaaaaaa%21"))
    );
}

#[tokio::test]
async fn a_uniformly_slow_server_is_not_reported() {
    let target = server(|_| Duration::from_millis(250)).await;
    let outcome = audit(target, TIMING_CHECKS).await;
    assert!(
        outcome.output.findings.is_empty(),
        "{:#?}",
        outcome.output.findings
    );
}

/// The seconds a shell `sleep` in the request line asks for.
fn sleep_seconds(line: &str) -> f64 {
    let decoded = line.replace("%20", " ").replace('+', " ");
    decoded
        .split("sleep ")
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .next()
        })
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn a_blind_shell_is_reported_by_its_sleep_series() {
    // Runs what follows a `;` as a shell would, prints nothing.
    let target = server(|line| Duration::from_secs_f64(0.002 + sleep_seconds(line).min(2.0))).await;
    let outcome = audit(target, &["VG419"]).await;
    let findings: Vec<String> = outcome
        .output
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.location))
        .collect();
    assert!(
        findings.contains(&"VG419 GET /search [query:q]".to_string()),
        "{findings:?}"
    );
    assert!(
        outcome
            .output
            .findings
            .iter()
            .all(|f| f.message.contains("sleep")),
        "{:#?}",
        outcome.output.findings
    );
}
