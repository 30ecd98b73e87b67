//! The HTTP executor: every request the engine sends goes through it.
//!
//! It enforces the safety rules before anything leaves the machine — only the target's origin
//! (and explicitly allowed hosts), never a redirect followed, a total budget in requests and in
//! time, a global rate, a concurrency limit, a per-request timeout — and reads response bodies
//! up to a cap, discarding the rest, so a hostile target cannot exhaust memory. Every exchange
//! is recorded (bodies trimmed) for evidence and HAR export.

pub mod burst;
pub mod canary;
pub mod har;
pub mod outcome;
pub mod scope;
pub mod tls_probe;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jiff::Timestamp;
use tokio::sync::Semaphore;
use url::Url;

pub use scope::Scope;

/// Bytes of each body kept in the recorded log (the full body, up to the read cap, is given to
/// the check that sent the request).
const RECORDED_BODY_BYTES: usize = 16 * 1024;

/// Requests this process has sent, over every executor: read by a progress display only
/// (budgets are each executor's own).
pub static REQUESTS_SENT: AtomicU64 = AtomicU64::new(0);

/// Limits of one run.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most requests sent.
    pub max_requests: u64,
    /// Longest run.
    pub max_duration: Duration,
    /// Requests per second, when limited.
    pub rps: Option<f64>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per-request timeout (connect, send and read).
    pub timeout: Duration,
    /// Largest response body read.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_requests: 3_000,
            max_duration: Duration::from_secs(300),
            rps: None,
            concurrency: 8,
            timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
        }
    }
}

/// A request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Upper-case method.
    pub method: String,
    /// Absolute URL.
    pub url: Url,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Option<Bytes>,
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: &str, url: Url) -> Request {
        Request {
            method: method.to_ascii_uppercase(),
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets a JSON body (and its content type).
    pub fn json(mut self, value: &serde_json::Value) -> Request {
        self.headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self.body = Some(serde_json::to_vec(value).unwrap_or_default().into());
        self
    }

    /// The value of a header (case-insensitive name).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response (body read up to the cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order (repeated names kept, e.g. `Set-Cookie`).
    pub headers: Vec<(String, String)>,
    /// Body bytes read.
    pub body: Vec<u8>,
    /// Whether the body was cut at the cap.
    pub truncated: bool,
}

impl Response {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The URL is outside the target's origin and the allowed hosts: it was not contacted.
    #[error("refused: {url} is outside the target's origin ({origin}) and the allowed hosts")]
    OutOfScope {
        /// The refused URL.
        url: String,
        /// The target origin.
        origin: String,
    },
    /// The request budget is spent.
    #[error("not sent: the budget of {0} requests is spent")]
    BudgetSpent(u64),
    /// The time budget is spent.
    #[error("not sent: the time budget of {0:?} is spent")]
    TimeSpent(Duration),
    /// No answer in time.
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// The connection failed (refused, reset, DNS).
    #[error("connection failed: {0}")]
    Connect(String),
    /// The answer was not valid HTTP, or the request could not be built.
    #[error("invalid exchange: {0}")]
    Protocol(String),
    /// The target closed the connection before the request was sent whole or answered, on
    /// two tries: how it treats this request (a body limit enforced by hanging up), not a
    /// failure of the audit.
    #[error("the target closed the connection before answering ({0})")]
    ClosedEarly(String),
}

impl RequestError {
    /// Whether the error is the target closing the connection on vibeguard mid-exchange (a
    /// broken pipe while writing the body, a reset, a connection closed before the answer):
    /// worth one retry on a fresh connection, since a kept-alive connection the target had
    /// already dropped looks the same.
    fn is_closed_connection(&self) -> bool {
        let RequestError::Protocol(text) = self else {
            return false;
        };
        let text = text.to_ascii_lowercase();
        [
            "broken pipe",
            "connection reset",
            "connection closed before message completed",
            "error writing a body to connection",
            "incompletemessage",
            "connection aborted",
        ]
        .iter()
        .any(|marker| text.contains(marker))
    }

    /// Whether sending `request` again after this error cannot repeat its effect: an
    /// idempotent method, or a failure while the body was still being written or a reset (a
    /// target resets a connection when it closes it with the request not read whole, so it
    /// did not act on it). A graceful close with no answer may follow an action: not resent.
    fn safe_to_resend(&self, request: &Request) -> bool {
        let idempotent = matches!(
            request.method.as_str(),
            "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
        );
        let RequestError::Protocol(text) = self else {
            return idempotent;
        };
        let text = text.to_ascii_lowercase();
        idempotent
            || text.contains("error writing a body")
            || text.contains("broken pipe")
            || text.contains("connection reset")
    }

    /// A closed connection recorded as the target's answer.
    fn into_closed_early(self) -> RequestError {
        match self {
            RequestError::Protocol(text) => RequestError::ClosedEarly(text),
            other => other,
        }
    }
}

/// One request and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Sequence number in the run.
    pub id: u64,
    /// When it started.
    pub started_at: Timestamp,
    /// How long it took.
    pub elapsed: Duration,
    /// The request.
    pub request: Request,
    /// The response, or why there is none.
    pub outcome: Result<Response, RequestError>,
}

impl Exchange {
    /// The response, when there is one.
    pub fn response(&self) -> Option<&Response> {
        self.outcome.as_ref().ok()
    }

    /// The status, when there is a response.
    pub fn status(&self) -> Option<u16> {
        self.response().map(|r| r.status)
    }
}

/// The HTTP client: hyper's, over rustls for HTTPS (certificates checked against the
/// operating system's trust store). hyper directly rather than reqwest: the engine needs no
/// redirect, cookie or proxy handling, and reqwest's layers cost a quarter of the throughput.
type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

const USER_AGENT: &str = concat!("vibeguard/", env!("CARGO_PKG_VERSION"));

/// Sends requests within scope, budget, rate and concurrency limits.
#[derive(Debug)]
pub struct Executor {
    client: HttpClient,
    scope: Scope,
    limits: Limits,
    started: Instant,
    sent: AtomicU64,
    next_slot: tokio::sync::Mutex<Option<Instant>>,
    permits: Semaphore,
    log: Mutex<Vec<Exchange>>,
    refused: AtomicU64,
    /// Requests kept back from the budget for deleting what the run created.
    reserved: AtomicU64,
}

impl Executor {
    /// An executor for `scope` with `limits`.
    pub fn new(scope: Scope, limits: Limits) -> Result<Executor, RequestError> {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(limits.timeout));
        http.set_nodelay(true);
        http.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .try_with_platform_verifier()
            .map_err(|e| RequestError::Protocol(format!("cannot set up TLS: {e}")))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        // Redirects are never followed: the legacy client does not follow them at all.
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(limits.concurrency.max(1))
            .build(https);
        Ok(Executor {
            client,
            scope,
            permits: Semaphore::new(limits.concurrency.max(1)),
            limits,
            started: Instant::now(),
            sent: AtomicU64::new(0),
            next_slot: tokio::sync::Mutex::new(None),
            log: Mutex::new(Vec::new()),
            refused: AtomicU64::new(0),
            reserved: AtomicU64::new(0),
        })
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Requests actually sent so far.
    pub fn requests_sent(&self) -> u64 {
        self.sent
            .load(Ordering::SeqCst)
            .min(self.limits.max_requests)
    }

    /// Requests refused for being out of scope.
    pub fn requests_refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }

    /// Keeps `requests` of the budget back for the clean-up: every object the run creates
    /// reserves its own deletion, so a spent budget never leaves objects behind.
    pub fn reserve(&self, requests: u64) {
        self.reserved.fetch_add(requests, Ordering::SeqCst);
    }

    /// Hands `requests` of the reserve back, for the probes about to use them.
    pub fn draw_reserve(&self, requests: u64) {
        let _ = self
            .reserved
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |held| {
                Some(held.saturating_sub(requests))
            });
    }

    /// Hands the reserved requests back, for the clean-up.
    pub fn release_reserve(&self) {
        self.reserved.store(0, Ordering::SeqCst);
    }

    /// The requests the probes may still use up to: the budget less the reserve.
    fn usable(&self) -> u64 {
        self.limits
            .max_requests
            .saturating_sub(self.reserved.load(Ordering::SeqCst))
    }

    /// Whether the request or time budget is spent.
    pub fn budget_spent(&self) -> bool {
        self.sent.load(Ordering::SeqCst) >= self.usable()
            || self.started.elapsed() >= self.limits.max_duration
    }

    /// Every exchange so far (bodies trimmed).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges_where(|_| true)
    }

    /// The exchanges so far that `keep` selects (copies of those only).
    pub fn exchanges_where(&self, keep: impl Fn(&Exchange) -> bool) -> Vec<Exchange> {
        self.log
            .lock()
            .map(|log| log.iter().filter(|e| keep(e)).cloned().collect())
            .unwrap_or_default()
    }

    /// Every exchange, moved out of the log (which is left empty): the run's record, without a
    /// second copy of it in memory.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        self.log
            .lock()
            .map(|mut log| std::mem::take(&mut *log))
            .unwrap_or_default()
    }

    /// Sends a request (or refuses it) and records the exchange.
    pub async fn send(&self, request: Request) -> Exchange {
        let started_at = Timestamp::now();
        let clock = Instant::now();
        let outcome = self.dispatch(&request).await;
        let exchange = Exchange {
            id: 0,
            started_at,
            elapsed: clock.elapsed(),
            request,
            outcome,
        };
        self.record(exchange)
    }

    fn record(&self, mut exchange: Exchange) -> Exchange {
        // Copy only what the log keeps (the body up to its cap) before taking the lock.
        let outcome = match &exchange.outcome {
            Ok(response) => Ok(Response {
                status: response.status,
                headers: response.headers.clone(),
                body: response.body[..response.body.len().min(RECORDED_BODY_BYTES)].to_vec(),
                truncated: response.truncated || response.body.len() > RECORDED_BODY_BYTES,
            }),
            Err(error) => Err(error.clone()),
        };
        // The request's body too: a 10 MB probe kept whole in the log for the whole run is
        // 10 MB of memory for nothing (the finding's evidence has its own copy).
        let request = Request {
            method: exchange.request.method.clone(),
            url: exchange.request.url.clone(),
            headers: exchange.request.headers.clone(),
            body: exchange
                .request
                .body
                .as_ref()
                // A copy, never a slice: a slice would keep the whole (10 MB) body alive.
                .map(|body| Bytes::copy_from_slice(&body[..body.len().min(RECORDED_BODY_BYTES)])),
        };
        let mut kept = Exchange {
            id: 0,
            started_at: exchange.started_at,
            elapsed: exchange.elapsed,
            request,
            outcome,
        };
        if let Ok(mut log) = self.log.lock() {
            exchange.id = log.len() as u64 + 1;
            kept.id = exchange.id;
            log.push(kept);
        }
        exchange
    }

    async fn dispatch(&self, request: &Request) -> Result<Response, RequestError> {
        if !self.scope.allows(&request.url) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(RequestError::OutOfScope {
                url: request.url.to_string(),
                origin: self.scope.origin(),
            });
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| RequestError::Protocol(e.to_string()))?;
        // A connection the target closes mid-exchange (or a kept-alive one it had dropped) is
        // tried once more on a fresh connection, within the same budget and rate; closed again,
        // it is the target's answer to this request. A request that may have been acted on (a
        // POST whose body was sent whole) is not sent twice: that could create what no clean-up
        // knows of.
        match self.send_once(request).await {
            Err(error) if error.is_closed_connection() && !error.safe_to_resend(request) => {
                Err(error.into_closed_early())
            }
            Err(error) if error.is_closed_connection() => match self.send_once(request).await {
                Err(again) if again.is_closed_connection() => Err(again.into_closed_early()),
                Err(RequestError::BudgetSpent(_) | RequestError::TimeSpent(_)) => {
                    Err(error.into_closed_early())
                }
                other => other,
            },
            other => other,
        }
    }

    /// One round trip within the time budget, the rate and the request budget.
    async fn send_once(&self, request: &Request) -> Result<Response, RequestError> {
        let remaining = self
            .limits
            .max_duration
            .checked_sub(self.started.elapsed())
            .filter(|left| !left.is_zero())
            .ok_or(RequestError::TimeSpent(self.limits.max_duration))?;
        self.wait_for_slot().await;
        if self.started.elapsed() >= self.limits.max_duration {
            return Err(RequestError::TimeSpent(self.limits.max_duration));
        }
        if self.sent.fetch_add(1, Ordering::SeqCst) >= self.usable() {
            // Not sent, not counted: the reserve stays whole for the clean-up.
            self.sent.fetch_sub(1, Ordering::SeqCst);
            return Err(RequestError::BudgetSpent(self.limits.max_requests));
        }
        REQUESTS_SENT.fetch_add(1, Ordering::Relaxed);
        let timeout = self.limits.timeout.min(remaining);
        match tokio::time::timeout(timeout, self.round_trip(request)).await {
            Ok(result) => result,
            Err(_) => Err(RequestError::Timeout(timeout)),
        }
    }

    /// Waits for the next slot of the global rate.
    async fn wait_for_slot(&self) {
        let Some(rps) = self.limits.rps.filter(|r| *r > 0.0 && r.is_finite()) else {
            return;
        };
        let interval = Duration::from_secs_f64(1.0 / rps);
        let wait_until = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        tokio::time::sleep_until(wait_until.into()).await;
    }

    async fn round_trip(&self, request: &Request) -> Result<Response, RequestError> {
        let uri: hyper::Uri = request
            .url
            .as_str()
            .parse()
            .map_err(|e| RequestError::Protocol(format!("{}: {e}", request.url)))?;
        let mut builder = hyper::Request::builder()
            .method(request.method.as_str())
            .uri(uri);
        if request.header_value("user-agent").is_none() {
            builder = builder.header("user-agent", USER_AGENT);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = Full::new(request.body.clone().unwrap_or_default());
        let outgoing = builder
            .body(body)
            .map_err(|e| RequestError::Protocol(format!("cannot build the request: {e}")))?;
        let response = self.client.request(outgoing).await.map_err(classify)?;
        let (parts, mut incoming) = response.into_parts();
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cap = self.limits.max_body_bytes;
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(frame) = incoming.frame().await {
            let frame = frame
                .map_err(|e| RequestError::Protocol(format!("the response body broke off: {e}")))?;
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            let room = cap.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                // Dropping the body closes the connection: the rest is never read.
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status: parts.status.as_u16(),
            headers,
            body,
            truncated,
        })
    }
}

fn classify(error: hyper_util::client::legacy::Error) -> RequestError {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_connect() {
        RequestError::Connect(text)
    } else {
        RequestError::Protocol(text)
    }
}
