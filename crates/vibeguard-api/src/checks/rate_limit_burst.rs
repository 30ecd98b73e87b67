//! VG431 rate-limit-burst: a read operation sent a load burst — 200 requests per second for
//! 2 seconds in the standard profile, 1,000 in the deep one and with `--load` — anonymously and
//! as an identity (each in `deep`), never starts answering with a limit (429, or `Retry-After` or
//! `RateLimit` headers with nothing left). Reported with the rate reached, the error rate and
//! the latencies before and during the burst.
//!
//! Bursts have their own budget apart from the run's, go only to a target on this machine (or a
//! host the configuration names in `[api.load] hosts`), and run after the clean-up and before
//! the login bursts, so the limits they trigger disturb no other check.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Profile, http_evidence, location};
use crate::http::Request;
use crate::http::burst::{BurstPlan, BurstRecord};
use crate::spec::{Operation, ParamIn};

/// The check.
#[derive(Debug)]
pub struct RateLimitBurst;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG431"),
    name: Cow::Borrowed("rate-limit-burst"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A burst of requests meets no rate limit"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[770, 799]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Api01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A search or list read (a `GET` without path parameters: the first with a `q`, \
             `search` or `filter` parameter, else the first secured one) — and the most \
             expensive read of the coverage round when one clearly is (a median answer time of \
             100 ms and five times the typical read's, confirmed by 5 requests sent one at a \
             time after the clean-up against the read target's) — each get a burst: 200 requests per \
             second for 2 seconds in the `standard` profile, 1,000 per second in `deep` and \
             with `--load` (`[api.load] rate` and `seconds` set both; the `quick` profile sends \
             none). Each burst goes anonymously and as the first identity (as every identity in \
             `deep`), after 5 requests sent one at a time that give the latency before it; \
             outside `deep`, once one caller's burst met no limit the next caller's burst at the \
             same read is not sent (the finding stands either way). It \
             passes as soon as an answer shows a limit — 429, `Retry-After`, or \
             `X-RateLimit-Remaining: 0` / `RateLimit: …remaining=0` — and stops there; a burst \
             only refused (401/403, a secured read sent anonymously) judges nothing. Otherwise \
             the finding gives the rate reached, the error rate and the p50/p99 latency before \
             and during the burst (high when 5% or more failed); answers still out a second \
             after the last request are not waited for, and counted. Bursts go only to a target on \
             this machine (loopback) or a host listed in `[api.load] hosts`, on their own \
             budget (rate × seconds requests each), after every other check and the clean-up.",
        ),
        why: Cow::Borrowed(
            "An API that answers every request as fast as it comes is scraped, enumerated and \
             knocked over by one client: a loop in a script costs its owner nothing and the \
             API its database. The slowest operation is where a burst hurts most.",
        ),
        example_bad: Cow::Borrowed("app.get('/api/products', listProducts);"),
        example_fixed: Cow::Borrowed(
            "const limiter = rateLimit({ windowMs: 60 * 1000, limit: 100, standardHeaders: 'draft-7' });\napp.use('/api/', limiter);\napp.get('/api/products', listProducts);",
        ),
        fix: Cow::Borrowed(
            "Put a rate limit on every endpoint, per client and per account (express-rate-limit, \
             slowapi or Flask-Limiter, DRF throttling, rack-attack, or the gateway in front), \
             and answer over the limit with 429 and `Retry-After`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
            ),
            Cow::Borrowed("https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/"),
        ]),
    },
};

/// The answer time from which a read counts as expensive (with five times the typical read's).
const EXPENSIVE: Duration = Duration::from_millis(100);

/// One burst to send: an operation, as whom, and the request.
#[derive(Debug, Clone)]
pub struct BurstTarget {
    /// The operation (index in the description).
    pub operation: usize,
    /// The identity (index), or anonymous.
    pub identity: Option<usize>,
    /// The request, without credentials (the engine adds the identity's).
    pub request: Request,
    /// Chosen as the slowest read of the coverage round: burst only when a quiet measure
    /// confirms it ([`RateLimitBurst::still_expensive`]), since the round's answer times were
    /// taken while the target was busy with everything else.
    pub expensive: bool,
}

/// The search or list read every API has (its index): a `GET` without path parameters, a
/// search first, else a secured one, else any.
pub fn read_target(context: &Context<'_>) -> Option<usize> {
    let reads = || {
        context
            .spec
            .operations
            .iter()
            .enumerate()
            .filter(|(_, op)| op.method == "GET" && op.path_params().is_empty())
    };
    reads()
        .find(|(_, op)| {
            op.parameters.iter().any(|p| {
                p.location == ParamIn::Query
                    && ["q", "query", "search", "filter", "term", "keyword"]
                        .contains(&p.name.to_ascii_lowercase().as_str())
            })
        })
        .or_else(|| reads().find(|(_, op)| context.policy.requires_auth(op)))
        // Nothing says which reads are secured (operations from recorded traffic): a list,
        // what a scraper hammers, before any other read — one the configuration does not
        // call public first, as a secured one is preferred above.
        .or_else(|| {
            let lists = || {
                reads().filter(|(_, list)| {
                    context.spec.operations.iter().any(|item| {
                        item.path_params().len() == 1
                            && item.path.rsplit_once('/').is_some_and(|(parent, _)| {
                                parent == list.path.trim_end_matches('/')
                            })
                    })
                })
            };
            lists()
                .find(|(_, list)| !context.policy.declares_public(list))
                .or_else(|| lists().next())
        })
        .or_else(|| reads().next())
        .map(|(index, _)| index)
}

impl RateLimitBurst {
    /// The bursts to send: the read target and the slowest read of the coverage round
    /// (`latencies`: median answer time per operation), anonymously and as the first identity
    /// (every identity in `deep`).
    pub fn plan_bursts(
        &self,
        context: &Context<'_>,
        latencies: &BTreeMap<usize, Duration>,
    ) -> Vec<BurstTarget> {
        if context.load.is_err() {
            return Vec::new();
        }
        let read = read_target(context);
        let mut operations: Vec<usize> = read.into_iter().collect();
        // The most expensive read, when one clearly is: answer times of a few milliseconds
        // differ by chance, and the choice must not (the same target gives the same findings).
        // Bursts run after the clean-up: a read of a test object would meet a 404, so only
        // reads without path parameters.
        let reads: Vec<(usize, Duration)> = latencies
            .iter()
            .filter(|(op, _)| {
                let operation = &context.spec.operations[**op];
                operation.method == "GET" && operation.path_params().is_empty()
            })
            .map(|(op, latency)| (*op, *latency))
            .collect();
        let mut times: Vec<Duration> = reads.iter().map(|(_, latency)| *latency).collect();
        times.sort();
        let typical = crate::http::burst::quantile(&times, 0.5).unwrap_or_default();
        let slowest = reads
            .iter()
            .filter(|(_, latency)| *latency >= EXPENSIVE && *latency >= typical * 5)
            .max_by_key(|(op, latency)| (*latency, std::cmp::Reverse(*op)))
            .map(|(op, _)| *op);
        if let Some(slowest) = slowest
            && !operations.contains(&slowest)
        {
            operations.push(slowest);
        }
        let chosen: Vec<usize> = (0..context.identities.len())
            .take(context.profile.pick(1, 1, usize::MAX))
            .collect();
        let mut targets = Vec::new();
        for &operation in &operations {
            let op = &context.spec.operations[operation];
            // A read reserved for a role is burst as an identity holding it, when the chosen
            // ones do not: a member's burst at an admin list only meets 403s.
            let mut identities = chosen.clone();
            if let Some(role) = context.policy.required_role(op) {
                let holds = |index: &usize| {
                    context.identities[*index]
                        .role
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(&role))
                };
                if !identities.iter().any(holds)
                    && let Some(holder) = (0..context.identities.len()).find(holds)
                {
                    identities = vec![holder];
                }
            }
            let callers = std::iter::once(None).chain(identities.into_iter().map(Some));
            for identity in callers {
                if let Some(request) = context.request(op, identity, 0) {
                    targets.push(BurstTarget {
                        operation,
                        identity,
                        request,
                        expensive: Some(operation) == slowest && read != Some(operation),
                    });
                }
            }
        }
        targets
    }

    /// Whether a read chosen as the slowest of the coverage round is still expensive measured
    /// alone (`quiet`: its median answer time one request at a time, after the clean-up)
    /// against the read target measured the same way (`reference`): a read that was slow only
    /// because the round kept the target busy gets no burst, so the same target gets the same
    /// bursts from run to run.
    pub fn still_expensive(quiet: Duration, reference: Option<Duration>) -> bool {
        quiet >= EXPENSIVE && reference.is_none_or(|reference| quiet >= reference * 5)
    }

    /// Whether a planned burst can still change the verdict, given the bursts already judged
    /// on the same operation: once one caller's burst met no limit the finding stands, and in
    /// the `standard` profile the next caller's burst is not sent — two more seconds of load
    /// on the target for one more name in the message. `deep` bursts every caller.
    pub fn still_needed(
        context: &Context<'_>,
        target: &BurstTarget,
        judged: &[(BurstTarget, BurstRecord)],
    ) -> bool {
        context.profile == Profile::Deep
            || !judged.iter().any(|(sent, record)| {
                sent.operation == target.operation && record.limited.is_none()
            })
    }

    /// Why no burst was judged on the read target, when none was: the bursts are off, or every
    /// one was refused or cut short.
    pub fn unjudged(context: &Context<'_>) -> &'static str {
        match context.load {
            Err(reason) => reason,
            Ok(_) => {
                "no load burst could be judged: every one was refused (401/403) or cut short (see the errors)"
            }
        }
    }

    /// Findings from the bursts on one operation: one when some caller met no limit.
    pub fn evaluate_bursts(
        &self,
        operation: &Operation,
        bursts: &[(BurstTarget, BurstRecord)],
        plan: BurstPlan,
        context: &Context<'_>,
    ) -> Vec<Finding> {
        // A burst that sent too little says nothing (the run's time ran out, the target
        // refused connections): judged only on a real burst.
        let judged: Vec<&(BurstTarget, BurstRecord)> = bursts
            .iter()
            .filter(|(_, record)| record.conclusive(plan) && !record.refused_only())
            .collect();
        let unlimited: Vec<&(BurstTarget, BurstRecord)> = judged
            .iter()
            .copied()
            .filter(|(_, record)| record.limited.is_none())
            .collect();
        let Some((_, worst)) = unlimited.first() else {
            return Vec::new();
        };
        let callers: Vec<String> = unlimited
            .iter()
            .map(|(target, _)| caller(context, target.identity))
            .collect();
        let millis = |latency: Option<Duration>| {
            latency.map_or_else(
                || "-".to_string(),
                |d| format!("{:.1} ms", d.as_secs_f64() * 1_000.0),
            )
        };
        let mut baseline = worst.baseline.clone();
        baseline.sort();
        let summary = format!(
            "{} requests in {:.1} s ({:.0}/s reached of {:.0}/s planned{}{}), {:.1}% failed or \
             5xx; latency p50 {} / p99 {} during the burst, p50 {} before it; answers {}",
            worst.sent,
            worst.elapsed.as_secs_f64(),
            worst.rate_reached(),
            plan.rate,
            if worst.skipped > 0 {
                format!(
                    ", {} slots skipped with {} in flight",
                    worst.skipped, plan.max_in_flight
                )
            } else {
                String::new()
            },
            if worst.unanswered > 0 {
                format!(
                    ", {} still unanswered {:.0} s after the last was sent",
                    worst.unanswered,
                    crate::http::burst::DRAIN.as_secs_f64()
                )
            } else {
                String::new()
            },
            worst.error_rate() * 100.0,
            millis(worst.quantile(0.5)),
            millis(worst.quantile(0.99)),
            millis(crate::http::burst::quantile(&baseline, 0.5)),
            worst
                .statuses
                .iter()
                .map(|(status, count)| format!("{count}× {status}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let degraded = worst.error_rate() >= 0.05;
        let mut finding = Finding::new(
            &META,
            location(operation, None),
            format!(
                "{} took a burst of {:.0} requests per second without a rate limit ({}){}",
                operation.label(),
                worst.rate_reached(),
                callers.join(", "),
                if degraded {
                    format!(
                        "; {:.0}% of the requests failed or answered 5xx: one client degrades the service",
                        worst.error_rate() * 100.0
                    )
                } else {
                    String::new()
                }
            ),
            "burst",
        )
        .with_severity(if degraded { Severity::High } else { META.severity })
        .with_evidence(Evidence::Text {
            label: "burst".into(),
            text: summary,
        });
        if let Some(first) = &worst.first {
            finding = finding.with_evidence(http_evidence(first));
        }
        vec![finding]
    }
}

fn caller(context: &Context<'_>, identity: Option<usize>) -> String {
    identity
        .and_then(|i| context.identities.get(i))
        .map_or_else(
            || "anonymous".to_string(),
            |view| format!("as {}", view.name),
        )
}

impl Check for RateLimitBurst {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    // Bursts that are off (a remote target, the quick profile) or that judged nothing leave
    // the read untested ([`RateLimitBurst::unjudged`]), never not applicable: API-01 is then
    // not verified rather than passed on the login checks alone.
    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        read_target(context)
            .is_none()
            .then_some("no read operation without path parameters to send a burst to")
    }

    fn essential(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::spec::Parameter;

    fn plan() -> BurstPlan {
        BurstPlan {
            rate: 200.0,
            duration: Duration::from_secs(2),
            max_in_flight: 64,
        }
    }

    fn record(limited_after: Option<u64>, statuses: &[(u16, u64)]) -> BurstRecord {
        let answer = exchange("GET", "http://127.0.0.1:8080/api/items", 200, &[], "[]");
        let sent = statuses.iter().map(|(_, n)| n).sum();
        BurstRecord {
            baseline: vec![Duration::from_millis(2); 5],
            sent,
            statuses: statuses.iter().copied().collect(),
            latencies: vec![Duration::from_millis(3); sent as usize],
            elapsed: Duration::from_secs(2),
            limited: limited_after.map(|n| {
                (
                    n,
                    exchange(
                        "GET",
                        "http://127.0.0.1:8080/api/items",
                        429,
                        &[("Retry-After", "1")],
                        "",
                    ),
                )
            }),
            first: Some(answer),
            ..BurstRecord::default()
        }
    }

    fn search() -> Operation {
        let mut op = operation("GET", "/api/items", true);
        op.parameters.push(Parameter {
            name: "q".into(),
            location: ParamIn::Query,
            required: false,
            schema: crate::spec::Schema::default(),
        });
        op
    }

    #[test]
    fn bursts_go_to_a_search_and_the_slowest_read_anonymously_and_as_an_identity() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![
            operation("GET", "/api/items/{id}", true),
            operation("GET", "/api/report", true),
            search(),
            operation("POST", "/api/items", true),
            operation("GET", "/api/tags", true),
            operation("GET", "/api/me", true),
        ];
        let context = fixture.context();
        let latencies: BTreeMap<usize, Duration> = [
            (0, Duration::from_millis(900)),
            (1, Duration::from_millis(400)),
            (2, Duration::from_millis(3)),
            (3, Duration::from_millis(2_000)),
            (4, Duration::from_millis(2)),
            (5, Duration::from_millis(4)),
        ]
        .into();
        let targets = RateLimitBurst.plan_bursts(&context, &latencies);
        let planned: Vec<(usize, Option<usize>)> =
            targets.iter().map(|t| (t.operation, t.identity)).collect();
        // The search, then the slowest read without path parameters (a create, however slow,
        // is never burst; nor a test object's read, deleted by then).
        assert_eq!(planned, [(2, None), (2, Some(0)), (1, None), (1, Some(0))]);
        // Only the slowest read waits for a quiet measure to confirm it.
        let expensive: Vec<bool> = targets.iter().map(|t| t.expensive).collect();
        assert_eq!(expensive, [false, false, true, true]);

        // No read clearly slower than the others: the search alone.
        let even: BTreeMap<usize, Duration> = [
            (1, Duration::from_millis(9)),
            (2, Duration::from_millis(3)),
            (4, Duration::from_millis(2)),
        ]
        .into();
        let planned: Vec<usize> = RateLimitBurst
            .plan_bursts(&context, &even)
            .iter()
            .map(|t| t.operation)
            .collect();
        assert_eq!(planned, [2, 2]);
    }

    #[test]
    fn a_read_slow_only_while_the_target_was_busy_gets_no_burst() {
        let ms = Duration::from_millis;
        // Slow alone, and five times the read target: burst.
        assert!(RateLimitBurst::still_expensive(ms(400), Some(ms(3))));
        // Fast once the round's load is gone, or no slower than the read target.
        assert!(!RateLimitBurst::still_expensive(ms(6), Some(ms(3))));
        assert!(!RateLimitBurst::still_expensive(ms(400), Some(ms(100))));
        // Nothing to compare with: its own time decides.
        assert!(RateLimitBurst::still_expensive(ms(150), None));
        assert!(!RateLimitBurst::still_expensive(ms(20), None));
    }

    #[test]
    fn without_a_secured_read_the_list_is_the_read_target() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![
            operation("GET", "/api/v1/users/me", false),
            operation("GET", "/api/v1/expenses", false),
            operation("GET", "/api/v1/expenses/{id}", false),
        ];
        assert_eq!(read_target(&fixture.context()), Some(1));
        // A list the configuration calls public comes after one it does not.
        fixture.spec.operations.extend([
            operation("GET", "/api/v1/payouts", false),
            operation("GET", "/api/v1/payouts/{id}", false),
        ]);
        fixture.policy.public =
            vec![crate::policy::OperationPattern::parse("GET /api/v1/expenses").expect("pattern")];
        assert_eq!(read_target(&fixture.context()), Some(3));
        fixture.policy.public.clear();
        fixture.spec.operations.truncate(3);
        // A secured read still comes first; with neither, the first read.
        fixture.spec.operations[0] = operation("GET", "/api/v1/users/me", true);
        assert_eq!(read_target(&fixture.context()), Some(0));
        fixture.spec.operations.truncate(1);
        fixture.spec.operations[0] = operation("GET", "/health", false);
        assert_eq!(read_target(&fixture.context()), Some(0));
    }

    #[test]
    fn a_read_reserved_for_a_role_is_burst_as_an_identity_holding_it() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![operation("GET", "/api/admin/users", true)];
        fixture.identities[0].role = Some("member".into());
        fixture.identities[1].role = Some("admin".into());
        let planned: Vec<Option<usize>> = RateLimitBurst
            .plan_bursts(&fixture.context(), &BTreeMap::new())
            .iter()
            .map(|t| t.identity)
            .collect();
        // Anonymously, and as bob the admin instead of alice the member.
        assert_eq!(planned, [None, Some(1)]);
        // Nobody holds it: the first identity, as for any read.
        fixture.identities[1].role = Some("member".into());
        let planned: Vec<Option<usize>> = RateLimitBurst
            .plan_bursts(&fixture.context(), &BTreeMap::new())
            .iter()
            .map(|t| t.identity)
            .collect();
        assert_eq!(planned, [None, Some(0)]);
    }

    #[test]
    fn no_burst_where_the_load_test_is_off() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![search()];
        fixture.load = Err("the target is not on this machine");
        let context = fixture.context();
        assert!(
            RateLimitBurst
                .plan_bursts(&context, &BTreeMap::new())
                .is_empty()
        );
        // Applicable, untested: the read is there, the burst is not sent.
        assert_eq!(RateLimitBurst.not_applicable(&context), None);
        assert_eq!(
            RateLimitBurst::unjudged(&context),
            "the target is not on this machine"
        );
    }

    #[test]
    fn a_burst_without_limit_is_reported_with_its_numbers_and_a_limited_one_is_not() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = search();
        let target = |identity| BurstTarget {
            operation: 0,
            identity,
            request: Request::new(
                "GET",
                url::Url::parse("http://127.0.0.1:8080/api/items").expect("url"),
            ),
            expensive: false,
        };
        let open = RateLimitBurst.evaluate_bursts(
            &op,
            &[(target(None), record(None, &[(200, 400)]))],
            plan(),
            &context,
        );
        assert_eq!(open.len(), 1);
        assert!(
            open[0].message.contains("without a rate limit (anonymous)"),
            "{}",
            open[0].message
        );
        assert_eq!(open[0].severity, Severity::Medium);
        let Evidence::Text { text, .. } = &open[0].evidence[0] else {
            panic!("burst numbers first");
        };
        assert!(
            text.contains("400 requests in 2.0 s (200/s reached of 200/s planned)"),
            "{text}"
        );
        assert!(
            text.contains("p50 3.0 ms / p99 3.0 ms during the burst, p50 2.0 ms before it"),
            "{text}"
        );

        // Limited for every caller: nothing to report.
        let limited = RateLimitBurst.evaluate_bursts(
            &op,
            &[
                (target(None), record(Some(31), &[(200, 30), (429, 1)])),
                (target(Some(0)), record(Some(12), &[(200, 11), (429, 1)])),
            ],
            plan(),
            &context,
        );
        assert!(limited.is_empty());

        // Failing under load is worse than unlimited.
        let failing = RateLimitBurst.evaluate_bursts(
            &op,
            &[(target(Some(0)), record(None, &[(200, 300), (503, 100)]))],
            plan(),
            &context,
        );
        assert_eq!(failing[0].severity, Severity::High);
        assert!(
            failing[0].message.contains("25% of the requests failed"),
            "{}",
            failing[0].message
        );

        // Refused anonymously (a secured read): refusing is cheap, and says nothing of a limit.
        let refused = RateLimitBurst.evaluate_bursts(
            &op,
            &[(target(None), record(None, &[(401, 400)]))],
            plan(),
            &context,
        );
        assert!(refused.is_empty());

        // A burst cut short (the run's time ran out) judges nothing.
        let short = RateLimitBurst.evaluate_bursts(
            &op,
            &[(target(None), record(None, &[(200, 20)]))],
            plan(),
            &context,
        );
        assert!(short.is_empty());
    }

    #[test]
    fn a_second_caller_is_burst_only_while_the_verdict_is_open() {
        let fixture = Fixture::new();
        let target = |operation, identity| BurstTarget {
            operation,
            identity,
            request: Request::new(
                "GET",
                url::Url::parse("http://127.0.0.1:8080/api/items").expect("url"),
            ),
            expensive: false,
        };
        let unlimited = [(target(0, None), record(None, &[(200, 400)]))];
        let limited = [(target(0, None), record(Some(31), &[(200, 30), (429, 1)]))];
        let context = fixture.context();
        // Anonymous met no limit: the finding stands, the identity's burst is not sent.
        assert!(!RateLimitBurst::still_needed(
            &context,
            &target(0, Some(0)),
            &unlimited
        ));
        // Another operation, a limited burst, or none yet: sent.
        assert!(RateLimitBurst::still_needed(
            &context,
            &target(1, Some(0)),
            &unlimited
        ));
        assert!(RateLimitBurst::still_needed(
            &context,
            &target(0, Some(0)),
            &limited
        ));
        assert!(RateLimitBurst::still_needed(
            &context,
            &target(0, Some(0)),
            &[]
        ));
        // `deep` bursts every caller.
        let mut deep = fixture.context();
        deep.profile = Profile::Deep;
        assert!(RateLimitBurst::still_needed(
            &deep,
            &target(0, Some(0)),
            &unlimited
        ));
    }
}
