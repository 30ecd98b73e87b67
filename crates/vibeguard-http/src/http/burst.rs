//! Load bursts: one request sent over and over at a fixed rate for a short time, to see whether
//! the target starts limiting (the method's "what happens at 1,000 requests per second?").
//!
//! The schedule is open-loop: request `n` leaves at `start + n / rate` whatever the earlier
//! ones are doing, as real clients do, up to a bound on the requests in flight (a request whose
//! slot comes while the bound is reached is counted as not sent, so the rate reached is always
//! what was really sent). A burst has its own budget (`rate × duration` requests) apart from the
//! run's, honours the run's time budget and scope, and stops early once the target has shown a
//! limit. Its requests are summarised ([`BurstRecord`]) rather than logged one by one: the log
//! keeps the first answer and the first limited one.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use super::{Exchange, Executor, Request, RequestError, Response};
use jiff::Timestamp;

/// How hard and how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurstPlan {
    /// Requests per second.
    pub rate: f64,
    /// How long the burst lasts.
    pub duration: Duration,
    /// Most requests in flight at once.
    pub max_in_flight: usize,
}

impl BurstPlan {
    /// The requests the burst may send: its own budget.
    pub fn requests(&self) -> u64 {
        (self.rate * self.duration.as_secs_f64()).ceil().max(1.0) as u64
    }
}

/// Answers, all refusals (401/403), after which a burst stops: the caller is refused, and
/// refusing is cheap.
const REFUSALS_ENOUGH: u64 = 50;

/// How long a burst waits for the answers still in flight once its last request is sent: a
/// server that queued them answers them seconds later, and what that shows (no limit, the
/// latency grown) is shown by then.
pub const DRAIN: Duration = Duration::from_secs(1);

/// Requests sent one at a time before a burst: the latency the burst is compared with.
pub const BASELINE_REQUESTS: usize = 5;

/// What a burst met.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BurstRecord {
    /// Latencies of the requests sent one at a time before the burst, in order.
    pub baseline: Vec<Duration>,
    /// Requests sent in the burst.
    pub sent: u64,
    /// Slots the bound on requests in flight made the burst skip.
    pub skipped: u64,
    /// Answers by status.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests with no answer (timeouts, resets, refused connections).
    pub failed: u64,
    /// Requests still unanswered [`DRAIN`] after the last one was sent: left, not waited for.
    pub unanswered: u64,
    /// Latency of every answered request of the burst, sorted.
    pub latencies: Vec<Duration>,
    /// From the first request sent to the last answer.
    pub elapsed: Duration,
    /// The first answer that showed a limit, and after how many requests it came.
    pub limited: Option<(u64, Exchange)>,
    /// The first answer of the burst (evidence when no limit came).
    pub first: Option<Exchange>,
}

impl BurstRecord {
    /// Requests per second really sent.
    pub fn rate_reached(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.sent as f64 / seconds
        } else {
            0.0
        }
    }

    /// Whether the burst says something: it met a limit, or its schedule ran at least half of
    /// what `plan` asked — its slots sent, or skipped because the target already had as many
    /// requests in flight as the plan allows (a saturated server is judged, queue and all) —
    /// and had answers. A burst the time budget cut short, or that met a closed port, proves
    /// nothing either way; one whose requests failed under load is judged, failures and all.
    pub fn conclusive(&self, plan: BurstPlan) -> bool {
        self.limited.is_some()
            || ((self.sent + self.skipped) * 2 >= plan.requests() && !self.latencies.is_empty())
    }

    /// Whether every answer was a refusal of the caller (401 or 403) and none a limit: the
    /// burst only shows that refusing is cheap, and says nothing of a limit on the operation.
    pub fn refused_only(&self) -> bool {
        self.limited.is_none()
            && !self.statuses.is_empty()
            && self
                .statuses
                .keys()
                .all(|status| matches!(status, 401 | 403))
    }

    /// The `q` quantile (0 to 1) of the burst's latencies.
    pub fn quantile(&self, q: f64) -> Option<Duration> {
        quantile(&self.latencies, q)
    }

    /// The share of requests that failed or answered 5xx.
    pub fn error_rate(&self) -> f64 {
        if self.sent == 0 {
            return 0.0;
        }
        let server_errors: u64 = self.statuses.range(500..).map(|(_, n)| n).sum();
        (self.failed + server_errors) as f64 / self.sent as f64
    }
}

/// The `q` quantile of sorted `values` (nearest rank).
pub fn quantile(values: &[Duration], q: f64) -> Option<Duration> {
    if values.is_empty() {
        return None;
    }
    let rank = ((q.clamp(0.0, 1.0) * values.len() as f64).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
}

/// Whether an answer shows a rate limit: 429, or 503 with `Retry-After`, or any answer with
/// `Retry-After` or the `RateLimit` headers (IETF draft and the common `X-RateLimit-*`)
/// saying nothing is left.
pub fn shows_limit(response: &Response) -> bool {
    if response.status == 429 || response.header("retry-after").is_some() {
        return true;
    }
    let exhausted = |name: &str| {
        response
            .header(name)
            .and_then(|value| value.split([',', ';']).next())
            .is_some_and(|value| value.trim() == "0")
    };
    // `RateLimit: limit=100, remaining=0, reset=5` (draft 6) or `"default";r=0;t=5` (later).
    let nothing_left = response.header("ratelimit").is_some_and(|value| {
        value.split([',', ';']).any(|pair| {
            matches!(
                pair.split_once('=').map(|(k, v)| (k.trim(), v.trim())),
                Some(("remaining" | "r", "0"))
            )
        })
    });
    exhausted("x-ratelimit-remaining") || exhausted("ratelimit-remaining") || nothing_left
}

impl Executor {
    /// Sends `request` [`BASELINE_REQUESTS`] times one at a time, then as a burst by `plan`.
    /// Out of scope, or with the run's time budget spent, nothing is sent.
    pub async fn burst(
        &self,
        request: &Request,
        plan: BurstPlan,
    ) -> Result<BurstRecord, RequestError> {
        if !self.scope.allows(&request.url) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(RequestError::OutOfScope {
                url: request.url.to_string(),
                origin: self.scope.origin(),
            });
        }
        let time_left = self
            .limits
            .max_duration
            .checked_sub(self.started.elapsed())
            .unwrap_or_default();
        if time_left < plan.duration + self.limits.timeout.min(Duration::from_secs(2)) {
            return Err(RequestError::TimeSpent(self.limits.max_duration));
        }
        let mut record = BurstRecord::default();
        for _ in 0..BASELINE_REQUESTS {
            let (elapsed, outcome) = self.timed(request).await;
            if outcome.is_ok() {
                record.baseline.push(elapsed);
            }
        }

        let total = plan.requests();
        let interval = Duration::from_secs_f64(1.0 / plan.rate.max(1.0));
        let start = tokio::time::Instant::now();
        let drained_by = start + plan.duration + DRAIN;
        let clock = Instant::now();
        let mut in_flight = FuturesUnordered::new();
        let mut next = 0u64;
        let mut answered = 0u64;
        loop {
            // The limit is shown, or the caller is refused outright (a secured read sent
            // anonymously): the rest of the burst proves nothing more.
            if record.limited.is_some() || answered >= REFUSALS_ENOUGH && record.refused_only() {
                next = total;
            }
            if next >= total && in_flight.is_empty() {
                break;
            }
            let slot = start + interval.mul_f64(next as f64);
            tokio::select! {
                biased;
                Some((sent_at, elapsed, outcome)) = in_flight.next(), if !in_flight.is_empty() => {
                    answered += 1;
                    self.note(&mut record, request, sent_at, elapsed, outcome, answered);
                }
                () = tokio::time::sleep_until(slot), if next < total => {
                    next += 1;
                    if in_flight.len() >= plan.max_in_flight.max(1) {
                        record.skipped += 1;
                        continue;
                    }
                    record.sent += 1;
                    in_flight.push(async move {
                        let sent_at = Timestamp::now();
                        let (elapsed, outcome) = self.timed(request).await;
                        (sent_at, elapsed, outcome)
                    });
                }
                () = tokio::time::sleep_until(drained_by), if next >= total => {
                    record.unanswered = in_flight.len() as u64;
                    break;
                }
            }
        }
        record.elapsed = clock.elapsed();
        record.latencies.sort();
        Ok(record)
    }

    /// The median answer time of `request` sent [`BASELINE_REQUESTS`] times one at a time (on
    /// the bursts' budget, like their own baselines), counting successful answers only; `None`
    /// out of scope, with the run's time spent, or when none succeeded.
    pub async fn quiet_latency(&self, request: &Request) -> Option<Duration> {
        if !self.scope.allows(&request.url) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        let mut times = Vec::new();
        for _ in 0..BASELINE_REQUESTS {
            if self.started.elapsed() >= self.limits.max_duration {
                break;
            }
            let (elapsed, outcome) = self.timed(request).await;
            if outcome.is_ok_and(|response| response.is_success()) {
                times.push(elapsed);
            }
        }
        times.sort();
        quantile(&times, 0.5)
    }

    /// One round trip within the per-request timeout, outside the run's budget and rate.
    async fn timed(&self, request: &Request) -> (Duration, Result<Response, RequestError>) {
        let clock = Instant::now();
        let outcome =
            match tokio::time::timeout(self.limits.timeout, self.round_trip(request)).await {
                Ok(result) => result,
                Err(_) => Err(RequestError::Timeout(self.limits.timeout)),
            };
        (clock.elapsed(), outcome)
    }

    fn note(
        &self,
        record: &mut BurstRecord,
        request: &Request,
        started_at: Timestamp,
        elapsed: Duration,
        outcome: Result<Response, RequestError>,
        answered: u64,
    ) {
        let response = match outcome {
            Ok(response) => response,
            Err(_) => {
                record.failed += 1;
                return;
            }
        };
        *record.statuses.entry(response.status).or_default() += 1;
        record.latencies.push(elapsed);
        let limit = record.limited.is_none() && shows_limit(&response);
        if !limit && record.first.is_some() {
            return;
        }
        let exchange = self.record(Exchange {
            id: 0,
            started_at,
            elapsed,
            request: request.clone(),
            outcome: Ok(response),
        });
        if limit {
            record.limited = Some((answered, exchange.clone()));
        }
        if record.first.is_none() {
            record.first = Some(exchange);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
            truncated: false,
        }
    }

    #[test]
    fn limits_are_read_from_status_and_headers() {
        assert!(shows_limit(&answer(429, &[])));
        assert!(shows_limit(&answer(503, &[("Retry-After", "2")])));
        assert!(shows_limit(&answer(200, &[("X-RateLimit-Remaining", "0")])));
        assert!(shows_limit(&answer(
            200,
            &[("RateLimit", "limit=100, remaining=0, reset=5")]
        )));
        assert!(!shows_limit(&answer(
            200,
            &[("RateLimit", "limit=100, remaining=10, reset=5")]
        )));
        assert!(shows_limit(&answer(
            200,
            &[("RateLimit", "\"default\";r=0;t=5")]
        )));
        assert!(shows_limit(&answer(200, &[("RateLimit-Remaining", "0")])));
        // Counting down is not yet a limit; a plain 503 is an overloaded server, not a limit.
        assert!(!shows_limit(&answer(
            200,
            &[("X-RateLimit-Remaining", "12")]
        )));
        assert!(!shows_limit(&answer(503, &[])));
        assert!(!shows_limit(&answer(200, &[])));
    }

    #[test]
    fn a_saturated_burst_is_judged_and_one_cut_short_is_not() {
        let plan = BurstPlan {
            rate: 200.0,
            duration: Duration::from_secs(2),
            max_in_flight: 50,
        };
        let answered = |sent: u64, skipped: u64| BurstRecord {
            sent,
            skipped,
            latencies: vec![Duration::from_millis(900); 30],
            ..BurstRecord::default()
        };
        // The server took 30 answers in the time: the bound skipped the rest of the schedule.
        assert!(answered(80, 320).conclusive(plan));
        // The schedule stopped at 80 slots (the run's time spent): nothing to judge.
        assert!(!answered(80, 0).conclusive(plan));
        assert!(answered(400, 0).conclusive(plan));
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&values, 0.5), Some(Duration::from_millis(50)));
        assert_eq!(quantile(&values, 0.99), Some(Duration::from_millis(99)));
        assert_eq!(quantile(&values[..1], 0.99), Some(Duration::from_millis(1)));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn the_own_budget_is_rate_times_duration() {
        let plan = BurstPlan {
            rate: 200.0,
            duration: Duration::from_secs(2),
            max_in_flight: 64,
        };
        assert_eq!(plan.requests(), 400);
    }
}
