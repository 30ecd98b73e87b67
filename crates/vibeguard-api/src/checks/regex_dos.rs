//! VG426 live-regex-dos: an input validated by a regular expression that backtracks
//! catastrophically. Inputs the description constrains by a `pattern` or an e-mail/URL format
//! (and inputs named like them) get growing strings built to defeat nested quantifiers (a long
//! run of letters or digits that fails at the end); the answer times must grow faster than
//! linearly with the length, confirmed by a fitted curve and a repeat, never by one slow answer.

use std::borrow::Cow;
use std::time::Duration;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::inputs::{InjectionPoint, Slot, Template};
use super::timing;
use super::{Check, Context, Probe, Profile, http_evidence, location};
use crate::http::Exchange;
use crate::spec::{Operation, Schema};

/// The check.
#[derive(Debug)]
pub struct RegexDos;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG426"),
    name: Cow::Borrowed("live-regex-dos"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "A regular expression backtracks catastrophically: a short input ties up the server",
    ),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[1333, 400]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Input05, ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Inputs with a `pattern`, an `email`/`uri`/`hostname` format, or named like an e-mail, URL, \
             phone or user name are sent strings that defeat nested quantifiers (`aaaa…!`, \
             `a@aaaa…!`, `1111…!`) at growing lengths: 8, 16 and 22 characters first, then 4 more at a \
             time while the answers stay under 0.8 s (one family per input: the first that grows). The input is reported when the answer times \
             rise with the length (each at least as slow as the shorter one), the longest is at least \
             0.3 s slower than the shortest, the logarithm of the time fits a line in the length \
             (R² ≥ 0.9: exponential growth) and a repeat of the longest is as slow. Uniformly slow or \
             jittery servers do not grow like that.",
        ),
        why: Cow::Borrowed(
            "A regex like `^([a-zA-Z0-9]+)*@…$` needs 2ⁿ steps to reject n letters: a 30-character \
             request pins a CPU for seconds, and on a single-threaded server (Node.js) every other \
             user waits. A handful of requests takes the API down.",
        ),
        example_bad: Cow::Borrowed(
            "const EMAIL = /^([a-zA-Z0-9]+)*@[a-z]+\\.[a-z]+$/;\nif (!EMAIL.test(req.body.email)) …",
        ),
        example_fixed: Cow::Borrowed(
            "if (req.body.email.length > 254 || !validator.isEmail(req.body.email)) … // or a linear-time engine (RE2)",
        ),
        fix: Cow::Borrowed(
            "Remove nested quantifiers (`(a+)+`, `(\\w+\\s?)*`), bound input length before matching, \
             use a vetted validator or a linear-time regex engine (RE2, Rust's regex).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1333.html"),
        ]),
    },
};

/// Lengths of the first round.
const FIRST_LENGTHS: [usize; 3] = [8, 16, 22];
/// The longest string ever sent.
const MAX_LENGTH: usize = 40;
/// Growth stops once an answer takes this long.
const SLOW_ENOUGH: Duration = Duration::from_millis(800);
/// The longest answer must be this much slower than the shortest.
const MIN_RISE: Duration = Duration::from_millis(300);

/// Attack string families: a name and the string of a length.
type AttackString = fn(usize) -> String;

static FAMILIES: [(&str, AttackString); 3] = [
    ("letters", |n| format!("{}!", "a".repeat(n))),
    ("local part", |n| format!("a@{}!", "a".repeat(n))),
    ("digits", |n| format!("{}!", "1".repeat(n))),
];

fn schema_of<'a>(operation: &'a Operation, point: &InjectionPoint) -> Option<&'a Schema> {
    match &point.slot {
        Slot::Query(name) | Slot::Header(name) | Slot::Cookie(name) | Slot::Path(name) => operation
            .parameters
            .iter()
            .find(|p| p.name == *name)
            .map(|p| &p.schema),
        Slot::Body(tokens) => {
            let mut schema = &operation.body.as_ref()?.schema;
            for token in tokens {
                schema = &schema.properties.iter().find(|(name, _)| name == token)?.1;
            }
            Some(schema)
        }
    }
}

/// Whether an input is likely matched by a regular expression.
fn regex_validated(operation: &Operation, point: &InjectionPoint) -> bool {
    if point.numeric {
        return false;
    }
    let schema = schema_of(operation, point);
    if schema.is_some_and(|s| {
        s.pattern.is_some()
            || matches!(
                s.format.as_deref(),
                Some("email" | "uri" | "url" | "hostname" | "idn-email")
            )
    }) {
        return true;
    }
    let name = point.name().to_ascii_lowercase();
    [
        "email", "mail", "url", "uri", "phone", "username", "slug", "domain", "host",
    ]
    .iter()
    .any(|word| name.contains(word))
}

fn label(point: &InjectionPoint, family: &str, length: usize, repeat: bool) -> String {
    format!(
        "{}#{family}:{length}{}",
        point.label(),
        if repeat { ":again" } else { "" }
    )
}

/// A length, its answer time and the exchange.
type Measured<'a> = (usize, Duration, &'a Exchange);

/// The answer times of one point and family, by length (first measurement), and repeats.
fn series<'a>(
    results: &'a [(Probe, Exchange)],
    point: &InjectionPoint,
    family: &str,
) -> (Vec<Measured<'a>>, Vec<(usize, Duration)>) {
    let prefix = format!("{}#{family}:", point.label());
    let mut first = Vec::new();
    let mut again = Vec::new();
    for (probe, exchange) in results {
        let Some(rest) = probe.label.strip_prefix(&prefix) else {
            continue;
        };
        if exchange.response().is_none()
            && !matches!(exchange.outcome, Err(crate::http::RequestError::Timeout(_)))
        {
            continue;
        }
        let (length, repeat) = match rest.strip_suffix(":again") {
            Some(length) => (length, true),
            None => (rest, false),
        };
        let Ok(length) = length.parse::<usize>() else {
            continue;
        };
        if repeat {
            again.push((length, exchange.elapsed));
        } else {
            first.push((length, exchange.elapsed, exchange));
        }
    }
    first.sort_by_key(|(length, ..)| *length);
    (first, again)
}

/// Whether a series grows like catastrophic backtracking; the fit when it does.
fn grows(
    first: &[(usize, Duration, &Exchange)],
    again: &[(usize, Duration)],
) -> Option<timing::Fit> {
    if first.len() < 4 {
        return None;
    }
    let rising = first
        .windows(2)
        .all(|pair| pair[1].1 + Duration::from_millis(2) >= pair[0].1);
    let (shortest, longest) = (first.first()?, first.last()?);
    if !rising || longest.1 < shortest.1 + MIN_RISE {
        return None;
    }
    let repeated = again
        .iter()
        .find(|(length, _)| *length == longest.0)
        .is_some_and(|(_, elapsed)| elapsed.as_secs_f64() >= longest.1.as_secs_f64() * 0.6);
    if !repeated {
        return None;
    }
    // Time = the server's usual cost + the backtracking: the logarithm of what the shortest
    // string does not cost is a line in the length when the growth is exponential.
    let points: Vec<(f64, f64)> = first
        .iter()
        .skip(1)
        .map(|(length, elapsed, _)| {
            let extra = elapsed.saturating_sub(shortest.1).as_secs_f64().max(5e-4);
            (*length as f64, extra.ln())
        })
        .collect();
    let fit = timing::fit(&points)?;
    (fit.r_squared >= 0.9 && fit.slope > 0.0).then_some(fit)
}

impl RegexDos {
    fn template(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        let mut template = Template::of(operation, context, 32)?;
        template
            .points
            .retain(|point| regex_validated(operation, point));
        template.points.truncate(context.profile.pick(1, 3, 6));
        Some(template)
    }
}

impl Check for RegexDos {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sequential(&self) -> bool {
        true
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if context.profile == Profile::Quick {
            return Vec::new();
        }
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let mut probes = Vec::new();
        for point in &template.points {
            for (family, make) in &FAMILIES {
                for length in FIRST_LENGTHS {
                    probes.push(template.probe(
                        label(point, family, length, false),
                        template.with(point, &Value::String(make(length))),
                    ));
                }
            }
        }
        probes
    }

    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let mut probes = Vec::new();
        for point in &template.points {
            for (family, make) in &FAMILIES {
                let (first, again) = series(results, point, family);
                let Some(longest) = first.last() else {
                    continue;
                };
                let shortest = first.first().map_or(Duration::ZERO, |s| s.1);
                // Growing at all: a step up of a few milliseconds over the shortest.
                let growing = longest.1 >= shortest + Duration::from_millis(4)
                    && first
                        .windows(2)
                        .all(|p| p[1].1 + Duration::from_millis(2) >= p[0].1);
                if !growing {
                    continue;
                }
                let send = |length: usize, repeat: bool| {
                    template.probe(
                        label(point, family, length, repeat),
                        template.with(point, &Value::String(make(length))),
                    )
                };
                if longest.1 < SLOW_ENOUGH && longest.0 < MAX_LENGTH {
                    let next = (longest.0 + 4).min(MAX_LENGTH);
                    probes.push(send(next, false));
                } else if again.is_empty() {
                    probes.push(send(longest.0, true));
                }
                // One family per input is enough, and each costs the server seconds.
                break;
            }
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for point in &template.points {
            for (family, _) in &FAMILIES {
                let (first, again) = series(results, point, family);
                let Some(fit) = grows(&first, &again) else {
                    continue;
                };
                let Some((length, elapsed, exchange)) = first.last() else {
                    continue;
                };
                let times: Vec<String> = first
                    .iter()
                    .map(|(n, t, _)| format!("{n}: {} ms", t.as_millis()))
                    .collect();
                findings.push(
                    Finding::new(
                        &META,
                        location(operation, Some(point.label())),
                        format!(
                            "{} slows down exponentially with the length of {} ({family} ending in `!`: {}; ×{:.2} per character, R² {:.2}); {length} characters take {} ms",
                            operation.label(),
                            point.describe(),
                            times.join(", "),
                            fit.slope.exp(),
                            fit.r_squared,
                            elapsed.as_millis()
                        ),
                        point.label(),
                    )
                    .with_evidence(http_evidence(exchange)),
                );
                break;
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, json_body, json_operation, rounds};

    fn register() -> Operation {
        json_operation(
            "POST",
            "/api/register",
            &[("email", Some("email")), ("bio", None)],
        )
    }

    type Server<'a> = dyn Fn(&str) -> u64 + 'a;

    fn run(server: &Server<'_>) -> (usize, Vec<Finding>) {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = register();
        let results = rounds(&RegexDos, &op, &context, &mut |probe| {
            let millis = server(json_body(probe)["email"].as_str().unwrap_or_default());
            let mut recorded = answer(probe, 400, "{}");
            recorded.elapsed = Duration::from_millis(millis);
            recorded
        });
        (results.len(), RegexDos.evaluate(&op, &results, &context))
    }

    /// `^([a-zA-Z0-9]+)*@…`: 2^n steps for a failing run of n letters, 50,000 steps a millisecond.
    fn backtracking(email: &str) -> u64 {
        let run = email
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .count();
        2 + (1u64 << run.min(40)) / 50_000
    }

    #[test]
    fn exponential_backtracking_is_found_on_the_email_only() {
        let (sent, findings) = run(&backtracking);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].identity, "body:/email");
        assert!(findings[0].message.contains("exponentially"));
        assert!(sent < 40, "{sent} requests");
    }

    #[test]
    fn linear_slow_and_jittery_servers_are_not_redos() {
        // Linear in the length (a server that hashes the input): small and straight.
        assert!(run(&|email| 2 + email.len() as u64 / 4).1.is_empty());
        // Uniformly slow.
        assert!(run(&|_| 700).1.is_empty());
        // Jitter.
        let counter = std::sync::atomic::AtomicU64::new(0);
        assert!(
            run(&|_| (counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) * 7919 % 17) * 40)
                .1
                .is_empty()
        );
    }
}
