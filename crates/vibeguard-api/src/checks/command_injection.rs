//! VG419 live-command-injection: input reaches a shell. Two independent proofs: a computed
//! output marker (`;echo vgc$((37*41))x` answered with `vgc1517x`, confirmed with other numbers)
//! and a delay that follows `sleep` — 0, 0.5 and 1 second asked in shuffled order, twice, with
//! answer times on a straight line. One slow answer is never a finding.

use std::borrow::Cow;
use std::time::Duration;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::canary::{self, Family};
use super::inputs::{InjectionPoint, Interpreter, Template};
use super::timing::{self, SERIES, Verdict};
use super::{Check, Context, Probe, Profile, exchange_labelled, http_evidence, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct CommandInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG419"),
    name: Cow::Borrowed("live-command-injection"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Input reaches a shell: the running API executes injected commands"),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[78]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every input is sent with shell separators (`;`, `|`, `&&`, newline, `$( )`, backticks, \
             and the same after a closing quote) followed by `echo vgc$((37*41))x`: the answer holds \
             `vgc1517x` only when a shell computed it (an echo of the payload shows the unevaluated \
             text). A marker that comes back is confirmed with other numbers. Inputs without a \
             marker are tried with `sleep` in the standard and deep profiles: a first `sleep 1` that \
             is slow leads to a series of 0, 0.5 and 1 second, twice in shuffled order, whose answer \
             times must lie on a line (R² ≥ 0.9) with about the slope asked.",
        ),
        why: Cow::Borrowed(
            "Command injection runs the attacker's programs with the server's rights: read every \
             file and secret, install a backdoor, pivot into the internal network.",
        ),
        example_bad: Cow::Borrowed("exec(`convert ${req.query.file} out.png`);"),
        example_fixed: Cow::Borrowed(
            "execFile('convert', [path.basename(req.query.file), 'out.png']); // no shell, arguments as a list",
        ),
        fix: Cow::Borrowed(
            "Do not start a shell: call the program with an argument list (`execFile`, \
             `subprocess.run([...])` without `shell=True`), validate inputs against an allowlist, \
             and prefer a library to an external program.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/78.html"),
        ]),
    },
};

const PREFIX: &str = "vgc";

/// Marker payloads, by separator.
static FAMILIES: [Family; 8] = [
    Family {
        name: "; separator",
        payload: |v, p, a, b| format!("{v};echo {p}$(({a}*{b}))x;"),
    },
    Family {
        name: "| pipe",
        payload: |v, p, a, b| format!("{v}|echo {p}$(({a}*{b}))x"),
    },
    Family {
        name: "&& chain",
        payload: |v, p, a, b| format!("{v}&&echo {p}$(({a}*{b}))x"),
    },
    Family {
        name: "newline",
        payload: |v, p, a, b| format!("{v}\necho {p}$(({a}*{b}))x\n"),
    },
    Family {
        name: "$( ) substitution",
        payload: |v, p, a, b| format!("{v}$(echo {p}$(({a}*{b}))x)"),
    },
    Family {
        name: "backticks",
        payload: |v, p, a, b| format!("{v}`echo {p}$(({a}*{b}))x`"),
    },
    Family {
        name: "after a single quote",
        payload: |v, p, a, b| format!("{v}';echo {p}$(({a}*{b}))x;'"),
    },
    Family {
        name: "after a double quote",
        payload: |v, p, a, b| format!("{v}\";echo {p}$(({a}*{b}))x;\""),
    },
];

/// A `sleep` payload for an original value and a number of seconds.
type SleepPayload = fn(&str, &str) -> String;

/// Separators tried with `sleep`.
static SLEEPS: [(&str, SleepPayload); 4] = [
    (";", |v, s| format!("{v};sleep {s};")),
    ("|", |v, s| format!("{v}|sleep {s}")),
    ("$()", |v, s| format!("{v}$(sleep {s})")),
    ("'", |v, s| format!("{v}';sleep {s};'")),
];

/// Seconds of one unit of delay.
const SECONDS_PER_UNIT: f64 = 0.5;

fn seconds(units: u32) -> String {
    let value = f64::from(units) * SECONDS_PER_UNIT;
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

fn label(point: &InjectionPoint, kind: &str) -> String {
    format!("{}#{kind}", point.label())
}

fn baseline_times(results: &[(Probe, Exchange)]) -> Vec<Duration> {
    results
        .iter()
        .filter(|(probe, _)| probe.label == "baseline")
        .map(|(_, exchange)| exchange.elapsed)
        .collect()
}

/// The separator whose delay series is on a line, with its fit and slowest exchange.
fn time_proof<'a>(
    point: &InjectionPoint,
    results: &'a [(Probe, Exchange)],
) -> Option<(&'static str, timing::Fit, &'a Exchange)> {
    let baseline = baseline_times(results);
    for (separator, _) in &SLEEPS {
        let prefix = label(point, &format!("series:{separator}:"));
        let points: Vec<(u32, Duration, &Exchange)> = results
            .iter()
            .filter_map(|(probe, exchange)| {
                let rest = probe.label.strip_prefix(&prefix)?;
                let units: u32 = rest.split(':').next()?.parse().ok()?;
                exchange.response()?;
                Some((units, exchange.elapsed, exchange))
            })
            .collect();
        if points.len() < SERIES.len() {
            continue;
        }
        let series: Vec<(u32, Duration)> = points.iter().map(|(u, d, _)| (*u, *d)).collect();
        if let Verdict::Confirmed(fit) = timing::judge(&series, &baseline, Some(SECONDS_PER_UNIT))
            && let Some((_, _, exchange)) = points.iter().max_by_key(|(u, ..)| *u)
        {
            return Some((separator, fit, exchange));
        }
    }
    None
}

impl CommandInjection {
    fn template(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        Template::reaching(
            Interpreter::Executed,
            operation,
            context,
            context.profile.pick(3, 6, 12),
        )
    }
}

impl Check for CommandInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sequential(&self) -> bool {
        true
    }

    fn timed(&self, probe: &Probe) -> bool {
        timing::timed_label(&probe.label)
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        if template.points.is_empty() {
            return Vec::new();
        }
        canary::plan(&template, &FAMILIES, PREFIX)
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
        let mut probes = canary::follow_up(&template, results, &FAMILIES, PREFIX);
        if context.profile == Profile::Quick {
            return probes;
        }
        let proven = canary::proven(&template, results, &FAMILIES, PREFIX);
        let baseline = baseline_times(results);
        if baseline.is_empty() {
            return probes;
        }
        for point in &template.points {
            let canary_hit = results.iter().any(|(probe, exchange)| {
                probe.label.starts_with(&label(point, "canary:"))
                    && exchange.response().is_some_and(|r| {
                        r.text()
                            .contains(&canary::marker(PREFIX, canary::ROUNDS[0]))
                    })
            });
            if proven.contains_key(&point.label()) || canary_hit {
                continue;
            }
            let v = point.original_text();
            for (separator, payload) in &SLEEPS {
                let first = label(point, &format!("time:{separator}"));
                match exchange_labelled(results, &first) {
                    None => probes.push(template.probe(
                        first,
                        template.with(point, &Value::String(payload(&v, &seconds(2)))),
                    )),
                    Some(exchange)
                        if exchange.response().is_some()
                            && timing::suspicious(exchange.elapsed, &baseline) =>
                    {
                        for (index, units) in SERIES.iter().enumerate() {
                            let kind = format!("series:{separator}:{units}:{index}");
                            if exchange_labelled(results, &label(point, &kind)).is_none() {
                                probes.push(
                                    template.probe(
                                        label(point, &kind),
                                        template.with(
                                            point,
                                            &Value::String(payload(&v, &seconds(*units))),
                                        ),
                                    ),
                                );
                            }
                        }
                    }
                    Some(_) => {}
                }
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
        let proven = canary::proven(&template, results, &FAMILIES, PREFIX);
        let mut findings = Vec::new();
        for point in &template.points {
            let (how, exchange, confidence) = if let Some((family, exchange)) =
                proven.get(&point.label())
            {
                (
                    format!(
                        "a shell computed the output marker ({}): `{}` came back twice with other numbers",
                        family.name,
                        canary::marker(PREFIX, canary::ROUNDS[1])
                    ),
                    *exchange,
                    Confidence::Confirmed,
                )
            } else if let Some((separator, fit, exchange)) = time_proof(point, results) {
                (
                    format!(
                        "`sleep` after `{separator}` delays the answer in step with the seconds asked (+{:.2} s per half second, R² {:.2})",
                        fit.slope, fit.r_squared
                    ),
                    exchange,
                    Confidence::Firm,
                )
            } else {
                continue;
            };
            findings.push(
                Finding::new(
                    &META,
                    location(operation, Some(point.label())),
                    format!(
                        "{} runs shell commands injected through {}: {how}",
                        operation.label(),
                        point.describe()
                    ),
                    point.label(),
                )
                .with_confidence(confidence)
                .with_evidence(http_evidence(exchange)),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, operation, rounds};
    use crate::spec::{ParamIn, Parameter, Schema, SchemaType};

    fn export_operation() -> Operation {
        let mut op = operation("GET", "/api/export", true);
        op.parameters.push(Parameter {
            name: "file".into(),
            location: ParamIn::Query,
            required: true,
            schema: Schema {
                types: vec![SchemaType::String],
                ..Schema::default()
            },
        });
        op
    }

    /// A server's answer to a `file` value: status, body and milliseconds.
    type Server<'a> = dyn Fn(&str) -> (u16, String, u64) + 'a;

    fn run(profile: Profile, server: &Server<'_>) -> (usize, Vec<Finding>) {
        let fixture = Fixture::new();
        let mut context = fixture.context();
        context.profile = profile;
        let op = export_operation();
        let results = rounds(&CommandInjection, &op, &context, &mut |probe| {
            let file = probe
                .request
                .url
                .query_pairs()
                .find(|(k, _)| k == "file")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let (status, body, millis) = server(&file);
            let mut recorded = answer(probe, status, &body);
            recorded.elapsed = Duration::from_millis(millis);
            recorded
        });
        let sent = results.len();
        (sent, CommandInjection.evaluate(&op, &results, &context))
    }

    /// `sh -c "zip out.zip <file>"` in a tiny imitation: `;`-separated commands, `echo` with
    /// `$((a*b))` expansion, and `sleep`.
    fn shell(file: &str) -> (u16, String, u64) {
        let mut output = String::new();
        let mut millis = 4;
        for command in file.split(';').skip(1) {
            let command = command.trim();
            if let Some(text) = command.strip_prefix("echo ") {
                let expanded = match (text.find("$(("), text.find("))")) {
                    (Some(start), Some(end)) => {
                        let inner = &text[start + 3..end];
                        let product: u32 = inner
                            .split('*')
                            .map(|n| n.parse::<u32>().unwrap_or(0))
                            .product();
                        format!("{}{product}{}", &text[..start], &text[end + 2..])
                    }
                    _ => text.to_string(),
                };
                output.push_str(&expanded);
            } else if let Some(secs) = command.strip_prefix("sleep ") {
                millis += (secs.parse::<f64>().unwrap_or(0.0) * 1000.0) as u64;
            }
        }
        (
            200,
            format!("{{\"file\":{:?},\"output\":{output:?}}}", file),
            millis,
        )
    }

    #[test]
    fn a_shell_is_found_by_its_computed_marker() {
        let (_, findings) = run(Profile::Quick, &shell);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].message.contains("; separator"),
            "{}",
            findings[0].message
        );
        assert_eq!(findings[0].confidence, Confidence::Confirmed);
    }

    #[test]
    fn an_echo_of_the_payload_is_not_a_marker() {
        // Reflects the raw input, `$((37*41))` unevaluated.
        let (_, findings) = run(Profile::Standard, &|file| {
            (400, format!("{{\"error\":\"bad file name {file}\"}}"), 4)
        });
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn a_blind_shell_is_found_by_its_delay_series() {
        // Same shell, output not shown.
        let (sent, findings) = run(Profile::Standard, &|file| {
            let (status, _, millis) = shell(file);
            (status, "{\"queued\":true}".into(), millis)
        });
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].message.contains("sleep"));
        assert_eq!(findings[0].confidence, Confidence::Firm);
        assert!(sent < 40, "{sent} requests");
    }

    #[test]
    fn slow_or_jittery_servers_are_not_shells() {
        // Uniformly slow: every answer 600 ms.
        let (_, slow) = run(Profile::Standard, &|_| (200, "{}".into(), 600));
        assert!(slow.is_empty());
        // Jitter that happens to be slow on the first sleep probe, then random.
        let counter = std::sync::atomic::AtomicU64::new(0);
        let (_, jitter) = run(Profile::Standard, &|_| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            (200, "{}".into(), (n * 7919 % 13) * 60)
        });
        assert!(jitter.is_empty(), "{jitter:?}");
    }
}
