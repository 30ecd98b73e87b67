//! The executor against small local servers that misbehave: out-of-scope targets and
//! redirects, budgets and rates (asserted as counts), hangs, huge bodies, redirect loops,
//! garbage instead of HTTP, refused connections, and concurrency.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;
use vibeguard_api::http::{Executor, Limits, Request, RequestError, Scope};

/// A local server: counts connections and answers each with `respond`.
struct Server {
    url: Url,
    connections: Arc<AtomicUsize>,
    concurrent_peak: Arc<AtomicUsize>,
}

type Responder = fn(u16) -> Option<Vec<u8>>;

async fn server(respond: Responder, delay: Duration) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let concurrent = Arc::new(AtomicUsize::new(0));
    let concurrent_peak = Arc::new(AtomicUsize::new(0));
    let (c, now, peak) = (
        connections.clone(),
        concurrent.clone(),
        concurrent_peak.clone(),
    );
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            c.fetch_add(1, Ordering::SeqCst);
            let (now, peak) = (now.clone(), peak.clone());
            tokio::spawn(async move {
                let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(current, Ordering::SeqCst);
                serve(&mut stream, respond, port, delay).await;
                now.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Server {
        url: Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url"),
        connections,
        concurrent_peak,
    }
}

/// Reads requests on a kept-alive connection and answers each one.
async fn serve(stream: &mut TcpStream, respond: Responder, port: u16, delay: Duration) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let mut request = Vec::new();
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        tokio::time::sleep(delay).await;
        match respond(port) {
            Some(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            None => {
                // Hang: never answer.
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
        }
    }
}

fn ok(_: u16) -> Option<Vec<u8>> {
    Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}"
            .to_vec(),
    )
}

fn executor(target: &Url, limits: Limits) -> Executor {
    Executor::new(Scope::new(target, &[]).expect("scope"), limits).expect("executor")
}

fn get(url: &Url, path: &str) -> Request {
    Request::new("GET", url.join(path).expect("join"))
}

#[tokio::test]
async fn nothing_outside_the_origin_is_contacted_even_through_redirects() {
    let elsewhere = server(ok, Duration::ZERO).await;
    let other_port = elsewhere.url.port().expect("port");
    fn redirect_away(_: u16) -> Option<Vec<u8>> {
        Some(b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/elsewhere\r\ncontent-length: 0\r\n\r\n".to_vec())
    }
    let target = server(redirect_away, Duration::ZERO).await;
    let executor = executor(&target.url, Limits::default());

    let redirected = executor.send(get(&target.url, "/start")).await;
    assert_eq!(
        redirected.status(),
        Some(302),
        "the redirect is reported, not followed"
    );
    let direct = executor.send(get(&elsewhere.url, "/")).await;
    assert!(
        matches!(direct.outcome, Err(RequestError::OutOfScope { .. })),
        "{:?}",
        direct.outcome
    );
    let same_host_other_port = executor
        .send(get(
            &Url::parse(&format!("http://127.0.0.1:{other_port}/x")).expect("url"),
            "/",
        ))
        .await;
    assert!(matches!(
        same_host_other_port.outcome,
        Err(RequestError::OutOfScope { .. })
    ));
    assert_eq!(
        elsewhere.connections.load(Ordering::SeqCst),
        0,
        "the second listener was contacted"
    );
    assert_eq!(executor.requests_refused(), 2);
    assert_eq!(executor.exchanges().len(), 3, "refusals are recorded");
}

#[tokio::test]
async fn the_request_budget_is_honoured() {
    let target = server(ok, Duration::ZERO).await;
    let executor = executor(
        &target.url,
        Limits {
            max_requests: 5,
            concurrency: 1,
            ..Limits::default()
        },
    );
    let mut spent = 0;
    for _ in 0..12 {
        if matches!(
            executor.send(get(&target.url, "/")).await.outcome,
            Err(RequestError::BudgetSpent(5))
        ) {
            spent += 1;
        }
    }
    assert_eq!(spent, 7);
    assert_eq!(executor.requests_sent(), 5);
    assert!(executor.budget_spent());
}

/// What is kept back (the clean-up's deletions, the essential checks' probes) is never spent
/// by other requests, and refused requests do not eat into it.
#[tokio::test]
async fn the_reserve_is_kept_for_what_it_was_kept_for() {
    let target = server(ok, Duration::ZERO).await;
    let executor = executor(
        &target.url,
        Limits {
            max_requests: 5,
            concurrency: 1,
            ..Limits::default()
        },
    );
    executor.reserve(3);
    let mut sent = 0;
    for _ in 0..6 {
        if executor
            .send(get(&target.url, "/"))
            .await
            .response()
            .is_some()
        {
            sent += 1;
        }
    }
    assert_eq!(sent, 2, "two of five were free to use");
    assert!(executor.budget_spent());
    // One drawn for a probe about to go, then the rest released for the clean-up.
    executor.draw_reserve(1);
    assert!(
        executor
            .send(get(&target.url, "/"))
            .await
            .response()
            .is_some()
    );
    assert!(
        executor
            .send(get(&target.url, "/"))
            .await
            .response()
            .is_none()
    );
    executor.release_reserve();
    for _ in 0..2 {
        assert!(
            executor
                .send(get(&target.url, "/"))
                .await
                .response()
                .is_some()
        );
    }
    assert!(
        executor
            .send(get(&target.url, "/"))
            .await
            .response()
            .is_none()
    );
    assert_eq!(executor.requests_sent(), 5);
}

#[tokio::test]
async fn the_rate_limit_bounds_how_many_requests_fit_in_the_time_budget() {
    fn counting(_: u16) -> Option<Vec<u8>> {
        ok(0)
    }
    let target = server(counting, Duration::ZERO).await;
    let limits = Limits {
        rps: Some(20.0),
        max_duration: Duration::from_secs(1),
        concurrency: 4,
        ..Limits::default()
    };
    let executor = executor(&target.url, limits);
    let mut answered = 0;
    for _ in 0..1_000 {
        match executor.send(get(&target.url, "/")).await.outcome {
            Ok(_) => answered += 1,
            Err(RequestError::TimeSpent(_)) => break,
            Err(other) => panic!("{other}"),
        }
    }
    // 20 per second for one second, plus the first immediate slot.
    assert!(
        answered <= 21,
        "{answered} requests in a 1 s budget at 20 rps"
    );
    assert!(answered >= 2);
}

#[tokio::test]
async fn concurrency_is_limited() {
    let target = server(ok, Duration::from_millis(50)).await;
    let executor = Arc::new(executor(
        &target.url,
        Limits {
            concurrency: 2,
            ..Limits::default()
        },
    ));
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let executor = executor.clone();
        let url = target.url.clone();
        tasks.push(tokio::spawn(
            async move { executor.send(get(&url, "/")).await },
        ));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task").status(), Some(200));
    }
    assert!(
        target.concurrent_peak.load(Ordering::SeqCst) <= 2,
        "peak {}",
        target.concurrent_peak.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn a_hanging_target_times_out() {
    fn hang(_: u16) -> Option<Vec<u8>> {
        None
    }
    let target = server(hang, Duration::ZERO).await;
    let executor = executor(
        &target.url,
        Limits {
            timeout: Duration::from_millis(300),
            ..Limits::default()
        },
    );
    let exchange = executor.send(get(&target.url, "/")).await;
    assert!(
        matches!(exchange.outcome, Err(RequestError::Timeout(_))),
        "{:?}",
        exchange.outcome
    );
}

#[tokio::test]
async fn a_one_gigabyte_answer_is_cut_at_the_cap() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let mut buffer = [0u8; 4096];
        let _ = stream.read(&mut buffer).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n")
            .await;
        let chunk = vec![b'A'; 64 * 1024];
        for _ in 0..16_384 {
            if stream.write_all(&chunk).await.is_err() {
                return;
            }
            counter.fetch_add(chunk.len(), Ordering::SeqCst);
        }
    });
    let executor = executor(
        &url,
        Limits {
            max_body_bytes: 256 * 1024,
            ..Limits::default()
        },
    );
    let exchange = executor.send(Request::new("GET", url.clone())).await;
    let response = exchange.response().expect("a response");
    assert!(response.truncated);
    assert_eq!(response.body.len(), 256 * 1024);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        written.load(Ordering::SeqCst) < 1 << 30,
        "the server could not send the whole gigabyte"
    );
    assert!(
        executor.exchanges()[0]
            .response()
            .is_some_and(|r| r.body.len() <= 16 * 1024),
        "the log keeps a trimmed copy"
    );
}

#[tokio::test]
async fn redirect_loops_garbage_and_refused_connections_are_reported() {
    fn self_redirect(port: u16) -> Option<Vec<u8>> {
        Some(format!("HTTP/1.1 301 Moved\r\nlocation: http://127.0.0.1:{port}/\r\ncontent-length: 0\r\n\r\n").into_bytes())
    }
    let looping = server(self_redirect, Duration::ZERO).await;
    let executor_a = executor(&looping.url, Limits::default());
    assert_eq!(
        executor_a.send(get(&looping.url, "/")).await.status(),
        Some(301)
    );
    assert_eq!(looping.connections.load(Ordering::SeqCst), 1);

    fn garbage(_: u16) -> Option<Vec<u8>> {
        Some(b"\x00\x01not http at all\r\n\r\n".to_vec())
    }
    let broken = server(garbage, Duration::ZERO).await;
    let executor_b = executor(&broken.url, Limits::default());
    let exchange = executor_b.send(get(&broken.url, "/")).await;
    assert!(
        matches!(exchange.outcome, Err(RequestError::Protocol(_))),
        "{:?}",
        exchange.outcome
    );

    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = Url::parse(&format!("http://{}/", closed.local_addr().expect("addr"))).expect("url");
    drop(closed);
    let executor_c = executor(&url, Limits::default());
    let exchange = executor_c.send(Request::new("GET", url)).await;
    assert!(
        matches!(exchange.outcome, Err(RequestError::Connect(_))),
        "{:?}",
        exchange.outcome
    );
}

#[tokio::test]
async fn har_export_redacts_credentials() {
    let target = server(ok, Duration::ZERO).await;
    let executor = executor(&target.url, Limits::default());
    let request = get(&target.url, "/me?token=abc-secret-123")
        .header("Authorization", "Bearer abc-secret-123");
    executor.send(request).await;
    let redactor = vibeguard_core::Redactor::new(["abc-secret-123"]);
    let har = vibeguard_api::http::har::document(&executor.exchanges(), &redactor);
    let text = har.to_string();
    assert!(!text.contains("abc-secret-123"), "{text}");
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["entries"][0]["response"]["status"], 200);
}

/// A server that reads each request's head and then hangs up without answering or reading the
/// body, on the first `hang_ups` connections; later connections get a 200.
async fn hanging_up_server(hang_ups: usize) -> (Url, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let seen = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = vec![0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                if seen >= hang_ups {
                    let _ = stream
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                        )
                        .await;
                }
                // Dropping the stream with the body unread resets the connection.
            });
        }
    });
    let url = Url::parse(&format!("http://127.0.0.1:{port}/upload")).expect("url");
    (url, connections)
}

fn large_post(url: &Url) -> Request {
    let mut request = Request::new("POST", url.clone());
    request
        .headers
        .push(("content-type".into(), "application/octet-stream".into()));
    request.body = Some(vec![b'x'; 4 * 1024 * 1024].into());
    request
}

#[tokio::test]
async fn a_target_that_hangs_up_is_retried_once_then_reported_as_its_answer() {
    let (url, connections) = hanging_up_server(usize::MAX).await;
    let executor = executor(&url, Limits::default());
    let exchange = executor.send(large_post(&url)).await;
    assert!(
        matches!(exchange.outcome, Err(RequestError::ClosedEarly(_))),
        "{:?}",
        exchange.outcome
    );
    assert_eq!(connections.load(Ordering::SeqCst), 2, "one retry, no more");
    assert_eq!(
        executor.requests_sent(),
        2,
        "the retry counts against the budget"
    );
}

#[tokio::test]
async fn a_connection_dropped_once_is_answered_on_the_retry() {
    let (url, connections) = hanging_up_server(1).await;
    let executor = executor(&url, Limits::default());
    let exchange = executor.send(large_post(&url)).await;
    assert_eq!(exchange.status(), Some(200), "{:?}", exchange.outcome);
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_post_the_target_read_whole_and_closed_on_is_not_sent_twice() {
    let (url, connections) = hanging_up_server(usize::MAX).await;
    let executor = executor(&url, Limits::default());
    let mut request = Request::new("POST", url.clone());
    request
        .headers
        .push(("content-type".into(), "application/json".into()));
    request.body = Some(b"{}".to_vec().into());
    let exchange = executor.send(request).await;
    assert!(
        matches!(exchange.outcome, Err(RequestError::ClosedEarly(_))),
        "{:?}",
        exchange.outcome
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "it may have acted on it: never resent"
    );
}

/// Answers 200 twenty times, then 429 with `Retry-After` (one server per test: the count is
/// the server's).
static LIMITER_COUNT: AtomicUsize = AtomicUsize::new(0);

fn limited_after_twenty(_: u16) -> Option<Vec<u8>> {
    if LIMITER_COUNT.fetch_add(1, Ordering::SeqCst) < 20 {
        ok(0)
    } else {
        Some(
            b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n"
                .to_vec(),
        )
    }
}

fn burst_plan(rate: f64, millis: u64) -> vibeguard_api::http::burst::BurstPlan {
    vibeguard_api::http::burst::BurstPlan {
        rate,
        duration: Duration::from_millis(millis),
        max_in_flight: 64,
    }
}

#[tokio::test]
async fn a_burst_sends_its_own_budget_and_records_every_answer() {
    let target = server(ok, Duration::ZERO).await;
    let limits = Limits {
        max_requests: 3,
        ..Limits::default()
    };
    let executor = executor(&target.url, limits);
    let plan = burst_plan(400.0, 500);
    let record = executor
        .burst(&get(&target.url, "/items"), plan)
        .await
        .expect("sent");
    // Its own budget: 200 requests, whatever the run's (3) says; every slot either sent or
    // counted as skipped, every request sent answered.
    assert_eq!(record.sent + record.skipped, plan.requests());
    assert_eq!(plan.requests(), 200);
    assert_eq!(record.statuses.get(&200).copied(), Some(record.sent));
    assert_eq!(record.latencies.len() as u64, record.sent);
    assert_eq!(
        record.baseline.len(),
        vibeguard_api::http::burst::BASELINE_REQUESTS
    );
    assert!(record.limited.is_none());
    assert!(record.conclusive(plan));
    // The run's budget is untouched, and the log keeps the first answer only.
    assert_eq!(executor.requests_sent(), 0);
    assert_eq!(executor.exchanges().len(), 1);
}

#[tokio::test]
async fn a_burst_stops_at_the_first_limit() {
    let target = server(limited_after_twenty, Duration::ZERO).await;
    let executor = executor(&target.url, Limits::default());
    let plan = burst_plan(200.0, 2_000);
    let record = executor
        .burst(&get(&target.url, "/items"), plan)
        .await
        .expect("sent");
    let (after, limited) = record.limited.as_ref().expect("the limit is seen");
    // 5 baseline requests, then 15 answered before the first 429.
    assert_eq!(record.statuses.get(&200).copied(), Some(15));
    assert!(*after >= 16, "{after}");
    assert_eq!(limited.status(), Some(429));
    // It stopped: far fewer than the 400 planned were sent.
    assert!(record.sent < 100, "{}", record.sent);
    assert!(record.conclusive(plan));
}

#[tokio::test]
async fn a_burst_outside_the_origin_is_refused_unsent() {
    let target = server(ok, Duration::ZERO).await;
    let elsewhere = server(ok, Duration::ZERO).await;
    let executor = executor(&target.url, Limits::default());
    let refused = executor
        .burst(&get(&elsewhere.url, "/items"), burst_plan(100.0, 200))
        .await;
    assert!(matches!(refused, Err(RequestError::OutOfScope { .. })));
    assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0);
}

fn refused(_: u16) -> Option<Vec<u8>> {
    Some(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n".to_vec())
}

#[tokio::test]
async fn a_refused_burst_stops_early_and_judges_nothing() {
    let target = server(refused, Duration::ZERO).await;
    let executor = executor(&target.url, Limits::default());
    let plan = burst_plan(200.0, 2_000);
    let record = executor
        .burst(&get(&target.url, "/items"), plan)
        .await
        .expect("sent");
    assert!(record.refused_only());
    assert!(record.sent < 150, "{}", record.sent);
}

/// Answers the five requests before a burst, then never again (one server per test).
static QUEUED_COUNT: AtomicUsize = AtomicUsize::new(0);

fn answers_then_queues(_: u16) -> Option<Vec<u8>> {
    if QUEUED_COUNT.fetch_add(1, Ordering::SeqCst) < vibeguard_api::http::burst::BASELINE_REQUESTS {
        ok(0)
    } else {
        None
    }
}

#[tokio::test]
async fn a_burst_leaves_answers_still_out_after_its_drain_counted_and_unwaited() {
    let target = server(answers_then_queues, Duration::ZERO).await;
    let executor = executor(&target.url, Limits::default());
    let plan = burst_plan(100.0, 200);
    let record = executor
        .burst(&get(&target.url, "/items"), plan)
        .await
        .expect("sent");
    assert_eq!(record.baseline.len(), 5);
    assert_eq!(record.sent, plan.requests());
    // Not waited for to the request timeout: neither answered nor failed, but counted.
    assert_eq!(record.unanswered, record.sent);
    assert_eq!(record.failed, 0);
    assert!(record.latencies.is_empty());
    assert!(!record.conclusive(plan));
}
