//! VG409 sql-injection: input reaches SQL text. Four independent proofs, each confirmed before
//! it is reported: a database error that a quote causes and a balanced quote does not
//! (error-based); an arithmetic or concatenation expression that behaves like the original
//! value while a different one does not (expression); a true condition that behaves like the
//! original and a false one that does not, twice with different constants (boolean); and a
//! delay that grows in a straight line with the delay the payload asks for (time-based).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::compare::{Shape, stable};
use super::inputs::{InjectionPoint, Interpreter, Template};
use super::timing::{self, SERIES, Verdict};
use super::{Check, Context, Probe, Profile, http_evidence, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct SqlInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG409"),
    name: Cow::Borrowed("live-sql-injection"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Input is pasted into SQL: the running API is injectable"),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[89]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every input of every operation (path, query, header and cookie parameters, form fields \
             and JSON fields at any depth) is tried four ways, and a result is reported only when \
             it is confirmed. Error-based: a quote produces an SQLite, PostgreSQL, MySQL/MariaDB, \
             SQL Server or Oracle error that the baseline and a balanced quote do not. Expression: \
             `3-2` (or `'ab'||'c'`) answers like the original value and `4-2` does not. Boolean: \
             `AND 1=1` answers like the original and `AND 1=2` does not, twice with other \
             constants, with reflected input removed before comparing. Time-based (standard and deep \
             profiles): a payload asking for 0, 1 and 2 units of delay, twice in shuffled order, \
             gives answer times on a straight line (R² ≥ 0.9) — a single slow answer never counts. \
             On changes (PUT, PATCH) only payloads that keep the same object are sent.",
        ),
        why: Cow::Borrowed(
            "With SQL injection an attacker reads every table (password hashes, tokens, other users' \
             data), logs in as anyone, and often changes or deletes data; on some databases it \
             reaches the operating system.",
        ),
        example_bad: Cow::Borrowed(
            "db.all(`SELECT * FROM tasks WHERE title LIKE '%${req.query.q}%'`);",
        ),
        example_fixed: Cow::Borrowed(
            "db.all('SELECT * FROM tasks WHERE owner_id = ? AND title LIKE ?', [req.user.id, `%${q}%`]);",
        ),
        fix: Cow::Borrowed(
            "Send every value as a query parameter (`?`, `$1`, `:name`) or through the ORM's query \
             builder; never build SQL text from input. Map identifiers (sort columns) onto an \
             allowlist.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/89.html"),
        ]),
    },
};

/// Database error messages, by database.
static ERRORS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        // Syntax errors only: constraint violations and type errors also happen to safe
        // queries (a duplicate e-mail, "abc" for an integer parameter).
        ("SQLite", r#"(?i)near "[^"\n]*": syntax error|unrecognized token: |unterminated string|incomplete input"#),
        ("PostgreSQL", r#"(?i)syntax error at or near|unterminated quoted (?:string|identifier) at or near|PG::SyntaxError"#),
        ("MySQL", r#"(?i)You have an error in your SQL syntax|check the manual that (?:corresponds|fits) to your (?:MySQL|MariaDB) server version|ER_PARSE_ERROR"#),
        ("SQL Server", r#"(?i)Unclosed quotation mark after the character string|Incorrect syntax near"#),
        ("Oracle", r#"(?i)ORA-0(?:0933|1756|0936|1740)|quoted string not properly terminated"#),
    ]
    .into_iter()
    .map(|(name, pattern)| (name, Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {name}: {e}"))))
    .collect()
});

/// The database whose error text an answer carries.
pub(crate) fn database_error(exchange: &Exchange) -> Option<&'static str> {
    let response = exchange.response()?;
    let mut text = response.text();
    // Error messages inside JSON have their quotes escaped: match the decoded strings too.
    if let Some(value) = response.json() {
        let mut strings = Vec::new();
        collect_strings(&value, &mut strings);
        text.push('\n');
        text.push_str(&strings.join("\n"));
    }
    ERRORS
        .iter()
        .find(|(_, pattern)| pattern.is_match(&text))
        .map(|(name, _)| *name)
}

/// Delay payload families: a database, its payload for `units` of delay, and the seconds one
/// unit is (when the payload sleeps; heavy computation has no known unit).
struct Family {
    name: &'static str,
    seconds_per_unit: Option<f64>,
    string: fn(&str, u32) -> String,
    number: fn(&str, u32) -> String,
}

/// Half a second per unit for the sleeping databases; SQLite has no sleep, so it is made to
/// hex-encode a random blob of 8 MB per unit, an empty result concatenated to the value.
static FAMILIES: [Family; 4] = [
    Family {
        name: "SQLite",
        seconds_per_unit: None,
        string: |v, u| {
            format!(
                "{v}'||substr(upper(hex(randomblob({}))),1,0)||'",
                u * 8_000_000
            )
        },
        number: |v, u| format!("{v}+0*length(upper(hex(randomblob({}))))", u * 8_000_000),
    },
    Family {
        name: "PostgreSQL",
        seconds_per_unit: Some(0.5),
        string: |v, u| format!("{v}'||(SELECT '' FROM pg_sleep({}))||'", f64::from(u) * 0.5),
        number: |v, u| format!("{v}+(SELECT 0 FROM pg_sleep({}))", f64::from(u) * 0.5),
    },
    Family {
        name: "MySQL",
        seconds_per_unit: Some(0.5),
        string: |v, u| {
            format!(
                "{v}' AND (SELECT 1 FROM (SELECT SLEEP({}))vg) AND '1'='1",
                f64::from(u) * 0.5
            )
        },
        number: |v, u| {
            format!(
                "{v} AND (SELECT 1 FROM (SELECT SLEEP({}))vg)",
                f64::from(u) * 0.5
            )
        },
    },
    Family {
        name: "SQL Server",
        seconds_per_unit: Some(0.5),
        string: |v, u| format!("{v}';WAITFOR DELAY '0:0:{}'--", f64::from(u) * 0.5),
        number: |v, u| format!("{v};WAITFOR DELAY '0:0:{}'--", f64::from(u) * 0.5),
    },
];

/// A probe's meaning, kept in its label: `<point>#<kind>`.
fn label(point: &InjectionPoint, kind: &str) -> String {
    format!("{}#{kind}", point.label())
}

fn parse_label(label: &str) -> Option<(&str, &str)> {
    label.split_once('#')
}

/// The payloads of the first round for one point.
fn first_round(point: &InjectionPoint, destructive: bool) -> Vec<(String, String)> {
    let v = point.original_text();
    let mut payloads = vec![
        ("error:'".to_string(), format!("{v}'")),
        ("error:\"".to_string(), format!("{v}\"")),
        (
            "control:'".to_string(),
            if point.numeric {
                format!("{v}-0")
            } else {
                format!("{v}''")
            },
        ),
        (
            "control:\"".to_string(),
            if point.numeric {
                format!("{v}-0")
            } else {
                format!("{v}\"\"")
            },
        ),
    ];
    if point.numeric {
        if let Ok(n) = v.trim().parse::<i64>() {
            payloads.push(("expr:same:1".into(), format!("{}-2", n + 2)));
            if !destructive {
                payloads.push(("expr:other:1".into(), format!("{}-2", n + 3)));
            }
        }
        payloads.push(("bool:true:1".into(), format!("{v} AND 1=1")));
        payloads.push(("bool:false:1".into(), format!("{v} AND 1=2")));
    } else {
        if v.chars().count() >= 2 {
            let split = v.char_indices().nth(1).map_or(1, |(i, _)| i);
            let (head, tail) = v.split_at(split);
            payloads.push(("expr:same:1".into(), format!("{head}'||'{tail}")));
            payloads.push(("expr:other:1".into(), format!("{head}'||'vgq{tail}")));
        }
        payloads.push(("bool:true:1".into(), format!("{v}' AND 'a' LIKE 'a")));
        payloads.push(("bool:false:1".into(), format!("{v}' AND 'a' LIKE 'b")));
        // From an empty value too: a search for "" often lists everything, which gives the
        // true/false pair something to differ on.
        payloads.push(("empty:base".into(), String::new()));
        payloads.push(("empty:true:1".into(), "' AND 'a' LIKE 'a".into()));
        payloads.push(("empty:false:1".into(), "' AND 'a' LIKE 'b".into()));
    }
    payloads
}

/// What was learned about one point so far.
#[derive(Default)]
struct PointResults<'a> {
    by_kind: BTreeMap<String, &'a Exchange>,
}

impl<'a> PointResults<'a> {
    fn get(&self, kind: &str) -> Option<&'a Exchange> {
        self.by_kind.get(kind).copied()
    }
}

/// The results grouped by point label, and the baselines.
fn group<'a>(
    results: &'a [(Probe, Exchange)],
) -> (Vec<&'a Exchange>, BTreeMap<String, PointResults<'a>>) {
    let mut baselines = Vec::new();
    let mut points: BTreeMap<String, PointResults<'a>> = BTreeMap::new();
    for (probe, exchange) in results {
        if probe.label.starts_with("baseline") {
            baselines.push(exchange);
            continue;
        }
        if let Some((point, kind)) = parse_label(&probe.label) {
            points
                .entry(point.to_string())
                .or_default()
                .by_kind
                .insert(kind.to_string(), exchange);
        }
    }
    (baselines, points)
}

/// A proof found for one point.
enum Proof<'a> {
    Error {
        database: &'static str,
        exchange: &'a Exchange,
    },
    Expression {
        exchange: &'a Exchange,
    },
    Boolean {
        exchange: &'a Exchange,
    },
    Time {
        database: &'static str,
        fit: timing::Fit,
        exchange: &'a Exchange,
    },
}

fn error_proof<'a>(baselines: &[&Exchange], found: &PointResults<'a>) -> Option<Proof<'a>> {
    if baselines.iter().any(|b| database_error(b).is_some()) {
        return None;
    }
    for quote in ["'", "\""] {
        let (Some(attack), Some(control)) = (
            found.get(&format!("error:{quote}")),
            found.get(&format!("control:{quote}")),
        ) else {
            continue;
        };
        if let Some(database) = database_error(attack)
            && database_error(control).is_none()
        {
            return Some(Proof::Error {
                database,
                exchange: attack,
            });
        }
    }
    None
}

/// Whether `same` answers like `reference` while `other` does not, all stripped of the
/// payloads they echo.
fn differs(reference: &Exchange, same: &Exchange, other: &Exchange, echoed: &[&str]) -> bool {
    if [reference, same, other]
        .into_iter()
        .any(super::compare::throttled)
    {
        return false;
    }
    let reference = Shape::of(reference, echoed);
    Shape::of(same, echoed).same_as(&reference) && !Shape::of(other, echoed).same_as(&reference)
}

fn payload_of(exchange: &Exchange) -> Vec<String> {
    // The payload is echoed in many forms; removing every query value and body string of the
    // request covers them.
    let mut texts: Vec<String> = exchange
        .request
        .url
        .query_pairs()
        .map(|(_, v)| v.into_owned())
        .collect();
    if let Some(body) = &exchange.request.body
        && let Ok(value) = serde_json::from_slice::<Value>(body)
    {
        collect_strings(&value, &mut texts);
    }
    if let Some(segment) = exchange
        .request
        .url
        .path_segments()
        .and_then(|mut s| s.next_back())
    {
        texts.push(
            percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned(),
        );
    }
    texts.retain(|t| t.len() >= 2);
    texts
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

fn echoes(exchanges: &[&Exchange]) -> Vec<String> {
    exchanges.iter().flat_map(|e| payload_of(e)).collect()
}

/// Boolean or expression pairs: `<prefix>:same|true:<n>` against `<prefix>:other|false:<n>`,
/// judged against `reference`; confirmed when every round given agrees (at least `rounds`).
fn pair_proof<'a>(
    reference: &[&Exchange],
    found: &PointResults<'a>,
    prefix: &str,
    yes: &str,
    no: &str,
    rounds: &[&str],
) -> Option<&'a Exchange> {
    if !stable(
        &reference
            .iter()
            .map(|e| Shape::of(e, &[]))
            .collect::<Vec<_>>(),
    ) {
        return None;
    }
    let base = reference.first()?;
    let mut first = None;
    for round in rounds {
        let same = found.get(&format!("{prefix}:{yes}:{round}"))?;
        let other = found.get(&format!("{prefix}:{no}:{round}"))?;
        let echoed_owned = echoes(&[same, other]);
        let echoed: Vec<&str> = echoed_owned.iter().map(String::as_str).collect();
        if !differs(base, same, other, &echoed) {
            return None;
        }
        first.get_or_insert(other);
    }
    first
}

impl SqlInjection {
    fn points(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        Template::reaching(
            Interpreter::Query,
            operation,
            context,
            context.profile.pick(3, 6, 12),
        )
    }

    /// The proofs of one point, from everything sent for it.
    fn proofs<'a>(baselines: &[&'a Exchange], found: &PointResults<'a>) -> Vec<Proof<'a>> {
        let mut proofs = Vec::new();
        if let Some(proof) = error_proof(baselines, found) {
            proofs.push(proof);
        }
        if let Some(exchange) = pair_proof(baselines, found, "expr", "same", "other", &["1", "2"]) {
            proofs.push(Proof::Expression { exchange });
        }
        let boolean =
            pair_proof(baselines, found, "bool", "true", "false", &["1", "2"]).or_else(|| {
                let empty: Vec<&Exchange> = found.get("empty:base").into_iter().collect();
                pair_proof(&empty, found, "empty", "true", "false", &["1", "2"])
            });
        if let Some(exchange) = boolean {
            proofs.push(Proof::Boolean { exchange });
        }
        let baseline_times: Vec<Duration> = baselines.iter().map(|e| e.elapsed).collect();
        for family in &FAMILIES {
            let points: Vec<(u32, Duration)> = found
                .by_kind
                .iter()
                .filter_map(|(kind, exchange)| {
                    let units = kind.strip_prefix(&format!("series:{}:", family.name))?;
                    let units: u32 = units.split(':').next()?.parse().ok()?;
                    exchange.response()?;
                    Some((units, exchange.elapsed))
                })
                .collect();
            if points.len() < SERIES.len() {
                continue;
            }
            if let Verdict::Confirmed(fit) =
                timing::judge(&points, &baseline_times, family.seconds_per_unit)
                && let Some(exchange) = found
                    .by_kind
                    .iter()
                    .filter(|(k, _)| k.starts_with(&format!("series:{}:2", family.name)))
                    .map(|(_, e)| *e)
                    .next()
            {
                proofs.push(Proof::Time {
                    database: family.name,
                    fit,
                    exchange,
                });
                break;
            }
        }
        proofs
    }
}

impl Check for SqlInjection {
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
        let Some(template) = Self::points(operation, context) else {
            return Vec::new();
        };
        if template.points.is_empty() {
            return Vec::new();
        }
        let destructive = operation.is_destructive();
        let mut probes = vec![
            template.probe("baseline 1".into(), template.request.clone()),
            template.probe("baseline 2".into(), template.request.clone()),
        ];
        for point in &template.points {
            for (kind, payload) in first_round(point, destructive) {
                let request = template.with(point, &Value::String(payload));
                probes.push(template.probe(label(point, &kind), request));
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
        let Some(template) = Self::points(operation, context) else {
            return Vec::new();
        };
        let (baselines, grouped) = group(results);
        let baseline_times: Vec<Duration> = baselines.iter().map(|e| e.elapsed).collect();
        let mut probes = Vec::new();
        for point in &template.points {
            let Some(found) = grouped.get(&point.label()) else {
                continue;
            };
            let v = point.original_text();
            let mut push = |kind: String, payload: String| {
                if found.get(&kind).is_none() {
                    let request = template.with(point, &Value::String(payload));
                    probes.push(template.probe(label(point, &kind), request));
                }
            };
            // A first pair that differs is asked again with other constants.
            let agrees = |reference: Option<&Exchange>, prefix: &str, yes: &str, no: &str| match (
                reference,
                found.get(&format!("{prefix}:{yes}:1")),
                found.get(&format!("{prefix}:{no}:1")),
            ) {
                (Some(reference), Some(same), Some(other)) => {
                    let echoed_owned = echoes(&[same, other]);
                    let echoed: Vec<&str> = echoed_owned.iter().map(String::as_str).collect();
                    differs(reference, same, other, &echoed)
                }
                _ => false,
            };
            let base = baselines.first().copied();
            if agrees(base, "expr", "same", "other") {
                if let Ok(n) = v.trim().parse::<i64>() {
                    push("expr:same:2".into(), format!("{}-5", n + 5));
                    push("expr:other:2".into(), format!("{}-5", n + 6));
                } else if v.chars().count() >= 2 {
                    let split = v.char_indices().nth(1).map_or(1, |(i, _)| i);
                    let (head, tail) = v.split_at(split);
                    push("expr:same:2".into(), format!("{head}'||''||'{tail}"));
                    push("expr:other:2".into(), format!("{head}'||'zz{tail}"));
                }
            }
            if agrees(base, "bool", "true", "false") {
                if point.numeric {
                    push("bool:true:2".into(), format!("{v} AND 2=2"));
                    push("bool:false:2".into(), format!("{v} AND 2=3"));
                } else {
                    push("bool:true:2".into(), format!("{v}' AND 'c' LIKE 'c"));
                    push("bool:false:2".into(), format!("{v}' AND 'c' LIKE 'd"));
                }
            }
            if agrees(found.get("empty:base"), "empty", "true", "false") {
                push("empty:true:2".into(), "' AND 'c' LIKE 'c".into());
                push("empty:false:2".into(), "' AND 'c' LIKE 'd".into());
            }
            // Time: only for inputs nothing else has proven, and not in the quick profile.
            let proven = !Self::proofs(&baselines, found).is_empty();
            if proven || context.profile == Profile::Quick || baselines.is_empty() {
                continue;
            }
            for family in &FAMILIES {
                let payload = |units: u32| {
                    if point.numeric {
                        (family.number)(&v, units)
                    } else {
                        (family.string)(&v, units)
                    }
                };
                let probe_kind = format!("time:{}", family.name);
                match found.get(&probe_kind) {
                    None => push(probe_kind, payload(2)),
                    Some(exchange)
                        if exchange.response().is_some()
                            && timing::suspicious(exchange.elapsed, &baseline_times) =>
                    {
                        for (index, units) in SERIES.iter().enumerate() {
                            push(
                                format!("series:{}:{units}:{index}", family.name),
                                payload(*units),
                            );
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
        let Some(template) = Self::points(operation, context) else {
            return Vec::new();
        };
        let (baselines, grouped) = group(results);
        let mut findings = Vec::new();
        for point in &template.points {
            let Some(found) = grouped.get(&point.label()) else {
                continue;
            };
            let proofs = Self::proofs(&baselines, found);
            let Some(first) = proofs.first() else {
                continue;
            };
            let how: Vec<String> = proofs
                .iter()
                .map(|proof| match proof {
                    Proof::Error { database, .. } => format!("a quote causes a {database} error"),
                    Proof::Expression { .. } => "an SQL expression is evaluated".into(),
                    Proof::Boolean { .. } => "true and false conditions change the answer".into(),
                    Proof::Time { database, fit, .. } => format!(
                        "{database} delay follows the payload (+{:.2} s per step, R² {:.2})",
                        fit.slope, fit.r_squared
                    ),
                })
                .collect();
            let exchange = match first {
                Proof::Error { exchange, .. }
                | Proof::Expression { exchange }
                | Proof::Boolean { exchange }
                | Proof::Time { exchange, .. } => *exchange,
            };
            let mut finding = Finding::new(
                &META,
                location(operation, Some(point.label())),
                format!(
                    "{} is injectable through {}: {}",
                    operation.label(),
                    point.describe(),
                    how.join("; ")
                ),
                point.label(),
            )
            .with_evidence(http_evidence(exchange));
            if let Some(baseline) = baselines.first() {
                finding = finding.with_evidence(Evidence::Text {
                    label: "baseline answer".into(),
                    text: baseline
                        .response()
                        .map(|r| format!("HTTP {}\n\n{}", r.status, excerpt(&r.text())))
                        .unwrap_or_default(),
                });
            }
            if proofs.len() == 1 && matches!(first, Proof::Time { .. }) {
                finding = finding.with_confidence(Confidence::Firm);
            }
            findings.push(finding);
        }
        findings
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::spec::{ParamIn, Parameter, Schema, SchemaType};

    fn search_operation() -> Operation {
        let mut op = operation("GET", "/api/tasks", true);
        op.parameters.push(Parameter {
            name: "q".into(),
            location: ParamIn::Query,
            required: false,
            schema: Schema {
                types: vec![SchemaType::String],
                ..Schema::default()
            },
        });
        op
    }

    /// A fake server: answers each planned request from what its query says.
    fn answer(probe: &Probe, server: &dyn Fn(&str) -> (u16, String, u64)) -> (Probe, Exchange) {
        let q = probe
            .request
            .url
            .query_pairs()
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let (status, body, millis) = server(&q);
        let mut exchange = exchange("GET", probe.request.url.as_str(), status, &[], &body);
        exchange.request = probe.request.clone();
        exchange.elapsed = Duration::from_millis(millis);
        (probe.clone(), exchange)
    }

    fn run(server: &dyn Fn(&str) -> (u16, String, u64)) -> Vec<Finding> {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = search_operation();
        let mut results: Vec<(Probe, Exchange)> = SqlInjection
            .plan(&op, &context)
            .iter()
            .map(|p| answer(p, server))
            .collect();
        for _ in 0..3 {
            let more = SqlInjection.follow_up(&op, &results, &context);
            if more.is_empty() {
                break;
            }
            results.extend(more.iter().map(|p| answer(p, server)));
        }
        SqlInjection.evaluate(&op, &results, &context)
    }

    /// `SELECT … WHERE title LIKE '%<q>%'` over three titles, in a tiny SQL imitation.
    fn vulnerable_like(q: &str) -> (u16, String, u64) {
        let titles = ["milk", "bread", "eggs"];
        if q.matches('\'').count() % 2 == 1 {
            return (
                500,
                r#"{"error":"SQLITE_ERROR: near \"%\": syntax error"}"#.into(),
                3,
            );
        }
        let (text, condition) = match q.split_once("' AND '") {
            Some((text, rest)) => {
                let rest = rest.trim_end_matches('\'');
                let truth = match rest.split_once("' LIKE '") {
                    Some((a, b)) => a == b,
                    None => true,
                };
                (text.to_string(), truth)
            }
            None => (q.replace("''", "'"), true),
        };
        let hits: Vec<&str> = titles
            .iter()
            .copied()
            .filter(|t| condition && t.contains(&text))
            .collect();
        (200, serde_json::to_string(&hits).unwrap_or_default(), 3)
    }

    #[test]
    fn error_and_boolean_injection_are_confirmed() {
        let findings = run(&vulnerable_like);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let message = &findings[0].message;
        assert!(message.contains("the query parameter `q`"), "{message}");
        assert!(message.contains("SQLite error"), "{message}");
        assert!(message.contains("true and false conditions"), "{message}");
        assert_eq!(findings[0].location.to_string(), "GET /api/tasks [query:q]");
    }

    #[test]
    fn a_parameterised_search_gives_nothing() {
        // The same data, searched safely: quotes are just characters, errors never happen.
        let safe = |q: &str| {
            let hits: Vec<&str> = ["milk", "bread", "eggs"]
                .into_iter()
                .filter(|t| t.contains(q))
                .collect();
            (200, serde_json::to_string(&hits).unwrap_or_default(), 3)
        };
        assert!(run(&safe).is_empty());
        // A server that always shows an SQL error (even unprovoked) proves nothing either.
        let broken = |_: &str| {
            (
                500,
                r#"{"error":"SQLITE_ERROR: no such table: tasks"}"#.to_string(),
                3,
            )
        };
        assert!(run(&broken).is_empty());
    }

    #[test]
    fn a_delay_under_the_payloads_control_is_found_and_jitter_is_not() {
        // Blind: no errors, no differences, but SQLite payloads take time in proportion.
        let blind = |q: &str| {
            let units = q
                .split("randomblob(")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
                .and_then(|n| n.parse::<u64>().ok())
                .map_or(0, |bytes| bytes / 8_000_000);
            (200, "[]".to_string(), 4 + units * 400)
        };
        let findings = run(&blind);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0]
                .message
                .contains("SQLite delay follows the payload")
        );
        assert_eq!(findings[0].confidence, Confidence::Firm);
        // Jitter: every answer takes 0–600 ms, unrelated to the payload.
        let counter = std::sync::atomic::AtomicU64::new(7);
        let jitter = |_: &str| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let millis = (n.wrapping_mul(2_654_435_761) >> 7) % 600;
            (200, "[]".to_string(), millis)
        };
        assert!(run(&jitter).is_empty());
    }
}
