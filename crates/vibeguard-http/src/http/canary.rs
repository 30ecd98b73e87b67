//! The canary listener: a tiny HTTP server on 127.0.0.1 that records the paths it is asked for.
//! Probes put its URL (with a unique path per probe) where a server-side fetch would use it —
//! a URL parameter, a JWT `jku` header — and a recorded path proves the target fetched it. It
//! runs only when the target itself is on the loopback interface, so that the target never
//! learns of, or reaches, anything but this machine; it answers every request with a short
//! `200 ok`, reads at most a few kilobytes per connection, and keeps at most a few hundred hits.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::{Host, Url};

/// Most hits recorded.
const MAX_HITS: usize = 512;
/// Most bytes read of one request.
const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// How long one connection may take.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// A running (or, in tests, recorded) canary.
#[derive(Debug)]
pub struct Canary {
    base: Url,
    hits: Arc<Mutex<Vec<String>>>,
    task: Option<JoinHandle<()>>,
}

/// Whether a target URL is on the loopback interface (the only case a canary runs).
pub fn is_loopback(target: &Url) -> bool {
    match target.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl Canary {
    /// Starts a listener on 127.0.0.1 with a free port.
    pub async fn start() -> std::io::Result<Canary> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let recorder = hits.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                let recorder = recorder.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(CONNECTION_TIMEOUT, async {
                        let mut buffer = vec![0u8; MAX_REQUEST_BYTES];
                        let mut read = 0;
                        while read < buffer.len() {
                            let Ok(n) = stream.read(&mut buffer[read..]).await else {
                                break;
                            };
                            if n == 0 {
                                break;
                            }
                            read += n;
                            if buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                                break;
                            }
                        }
                        let head = String::from_utf8_lossy(&buffer[..read]);
                        if let Some(path) = head
                            .lines()
                            .next()
                            .and_then(|line| line.split_whitespace().nth(1))
                        {
                            let mut hits = recorder
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                            if hits.len() < MAX_HITS {
                                hits.push(path.to_string());
                            }
                        }
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                            .await;
                    })
                    .await;
                });
            }
        });
        let base = Url::parse(&format!("http://127.0.0.1:{port}/"))
            .unwrap_or_else(|e| unreachable!("canary URL: {e}"));
        Ok(Canary {
            base,
            hits,
            task: Some(task),
        })
    }

    /// A canary that is not listening, with hits already recorded (for check tests).
    pub fn recorded(base: Url, hits: Vec<String>) -> Canary {
        Canary {
            base,
            hits: Arc::new(Mutex::new(hits)),
            task: None,
        }
    }

    /// The URL of one probe's token (`http://127.0.0.1:PORT/vg-ssrf-3`).
    pub fn url(&self, token: &str) -> String {
        format!("{}{}", self.base, token.trim_start_matches('/'))
    }

    /// Whether the token's URL was asked for.
    pub fn was_hit(&self, token: &str) -> bool {
        let path = format!("/{}", token.trim_start_matches('/'));
        self.hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|hit| {
                hit == &path
                    || hit.starts_with(&format!("{path}?"))
                    || hit.starts_with(&format!("{path}/"))
            })
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_the_paths_it_is_asked_for() {
        let canary = Canary::start().await.expect("binds");
        let url = Url::parse(&canary.url("vg-ssrf-7")).expect("url");
        assert_eq!(url.host_str(), Some("127.0.0.1"));
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", url.port().expect("port")))
            .await
            .expect("connects");
        stream
            .write_all(b"GET /vg-ssrf-7?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("writes");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.expect("reads");
        assert!(answer.ends_with(b"ok"));
        assert!(canary.was_hit("vg-ssrf-7"));
        assert!(!canary.was_hit("vg-ssrf-1"));
    }

    #[test]
    fn only_loopback_targets_get_a_canary() {
        for (target, expected) in [
            ("http://127.0.0.1:8080", true),
            ("http://localhost:3000", true),
            ("http://[::1]:3000", true),
            ("https://api.example.com", false),
            ("http://10.0.0.5", false),
        ] {
            assert_eq!(
                is_loopback(&Url::parse(target).expect("url")),
                expected,
                "{target}"
            );
        }
    }
}
