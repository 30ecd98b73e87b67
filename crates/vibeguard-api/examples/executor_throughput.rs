//! Benchmark (run by `bench/api.sh`): requests per second through vibeguard's executor with rate
//! limiting off, next to a plain hyper client loop, against the same trivial local endpoint in
//! the same run. Prints both rates and their ratio.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use vibeguard_api::http::{Executor, Limits, Request, Scope};

const CONCURRENCY: usize = 8;
const REQUESTS_PER_WORKER: usize = 2_500;
const ROUNDS: usize = 3;

/// A keep-alive server answering every request with a small JSON body.
async fn trivial_server() -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = Url::parse(&format!(
        "http://{}/ping",
        listener.local_addr().expect("addr")
    ))
    .expect("url");
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 4096];
                let mut pending = Vec::new();
                loop {
                    let Ok(n) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buffer[..n]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        let reply = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}";
                        if stream.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    url
}

async fn hyper_rate(url: &Url) -> f64 {
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let uri: hyper::Uri = url.as_str().parse().expect("uri");
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, uri) = (client.clone(), uri.clone());
        workers.push(tokio::spawn(async move {
            for _ in 0..REQUESTS_PER_WORKER {
                let response = client.get(uri.clone()).await.expect("response");
                let _ = response.into_body().collect().await.expect("body");
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    (CONCURRENCY * REQUESTS_PER_WORKER) as f64 / started.elapsed().as_secs_f64()
}

async fn executor_rate(url: &Url) -> f64 {
    let limits = Limits {
        max_requests: u64::MAX,
        max_duration: Duration::from_secs(3_600),
        rps: None,
        concurrency: CONCURRENCY,
        ..Limits::default()
    };
    let executor =
        Arc::new(Executor::new(Scope::new(url, &[]).expect("scope"), limits).expect("executor"));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (executor, url) = (executor.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            for _ in 0..REQUESTS_PER_WORKER {
                let exchange = executor.send(Request::new("GET", url.clone())).await;
                assert_eq!(exchange.status(), Some(200));
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    (CONCURRENCY * REQUESTS_PER_WORKER) as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let url = trivial_server().await;
    // Warm up connections and the allocator.
    let _ = hyper_rate(&url).await;
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        let plain = hyper_rate(&url).await;
        let ours = executor_rate(&url).await;
        let ratio = ours / plain;
        ratios.push(ratio);
        println!(
            "round {round}: plain hyper {plain:>8.0} req/s · vibeguard executor {ours:>8.0} req/s · ratio {ratio:.2}"
        );
    }
    ratios.sort_by(|a, b| a.total_cmp(b));
    println!(
        "median ratio (executor / plain hyper): {:.2} (target ≥ 0.80)",
        ratios[ratios.len() / 2]
    );
}
