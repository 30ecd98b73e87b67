//! VG418 live-nosql-injection: the API hands query operators from the request to a document
//! store (MongoDB-style `$ne`, `$regex`, `$gt`, or a `$where` JavaScript string). Judged by
//! differential answers only: for one input, an operator that matches everything (`$ne` of a
//! random value) must answer differently from a plain random value, while an operator that
//! matches nothing (`$eq` of the same random value) answers like the plain value and a second
//! match-everything operator (`$regex: ".*"`) answers like the first. Three agreeing answers,
//! not one odd one.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::{Value, json};
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::compare::Shape;
use super::inputs::{InjectionPoint, Interpreter, Slot, Template};
use super::{Check, Context, Probe, Profile, http_evidence, location};
use crate::http::{Exchange, Request};
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct NoSqlInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG418"),
    name: Cow::Borrowed("live-nosql-injection"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "Query operators from the request reach the database: `{\"$ne\": …}` matches everything",
    ),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[943]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every JSON body field and query parameter is sent six ways: a random value (a miss), \
             `{\"$ne\": random}` (matches everything), `{\"$eq\": random}` and `{\"$in\": \
             [random]}` (match nothing), \
             `{\"$regex\": \".*\"}` and `{\"$gt\": \"\"}` (both match everything); query parameters \
             use the bracket syntax that `qs` and PHP turn into objects (`email[$ne]=…`). The input \
             is injectable when `$ne` answers differently from the miss, `$eq` or `$in` answers like \
             the miss, and `$regex` or `$gt` answers like `$ne` (stores such as NeDB know no `$eq` and \
             refuse a string `$regex`). Text fields are also tried with `$where`-style JavaScript \
             (`x'||'a'=='a` against `x'||'a'=='b`), confirmed with a second pair of constants. \
             Reflected input is removed before answers are compared. The bodies of updates (`PUT`, \
             `PATCH`) are not judged this way: each probe changes what the next one reads back.",
        ),
        why: Cow::Borrowed(
            "`User.findOne({ email, password })` with `password: {\"$ne\": null}` logs in as anyone \
             without a password; the same trick lists other users' documents, and `$regex` reads \
             secrets character by character.",
        ),
        example_bad: Cow::Borrowed(
            "const user = await User.findOne({ email: req.body.email, password: req.body.password });",
        ),
        example_fixed: Cow::Borrowed(
            "const { email, password } = z.object({ email: z.string(), password: z.string() }).parse(req.body);\nconst user = await User.findOne({ email: { $eq: email } });",
        ),
        fix: Cow::Borrowed(
            "Validate that every input is the scalar type it should be before it reaches a query \
             (a schema validator, or `String(x)`), use `$eq` explicitly, enable the driver's \
             `sanitizeFilter`/`express-mongo-sanitize`, and never build `$where` from input.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Injection_Prevention_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/943.html"),
        ]),
    },
};

/// A value that no record holds.
const MISS: &str = "vg-nomatch-7c1e";

/// The probes for one point: `(kind, request)`.
fn probes_for(template: &Template, point: &InjectionPoint) -> Vec<(String, Request)> {
    let mut probes = Vec::new();
    match &point.slot {
        Slot::Body(_) => {
            for (kind, value) in [
                ("miss", Value::String(MISS.into())),
                ("ne", json!({"$ne": MISS})),
                ("eq", json!({"$eq": MISS})),
                ("regex", json!({"$regex": ".*"})),
                ("gt", json!({"$gt": ""})),
                ("in", json!({"$in": [MISS]})),
            ] {
                probes.push((kind.to_string(), template.with(point, &value)));
            }
        }
        Slot::Query(name) => {
            for (kind, key, value) in [
                ("miss", name.clone(), MISS),
                ("ne", format!("{name}[$ne]"), MISS),
                ("eq", format!("{name}[$eq]"), MISS),
                ("regex", format!("{name}[$regex]"), ".*"),
                ("gt", format!("{name}[$gt]"), ""),
                ("in", format!("{name}[$in][]"), MISS),
            ] {
                let mut request = template.request.clone();
                let pairs: Vec<(String, String)> = request
                    .url
                    .query_pairs()
                    .filter(|(k, _)| k != name.as_str())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .chain([(key, value.to_string())])
                    .collect();
                request.url.query_pairs_mut().clear().extend_pairs(pairs);
                probes.push((kind.to_string(), request));
            }
        }
        _ => return probes,
    }
    if !point.numeric {
        for (kind, payload) in [
            ("js-true:1", format!("{MISS}'||'a'=='a")),
            ("js-false:1", format!("{MISS}'||'a'=='b")),
        ] {
            probes.push((
                kind.to_string(),
                template.with(point, &Value::String(payload)),
            ));
        }
    }
    probes
}

fn label(point: &InjectionPoint, kind: &str) -> String {
    format!("{}#{kind}", point.label())
}

/// Results by point label and kind.
fn group(results: &[(Probe, Exchange)]) -> BTreeMap<String, BTreeMap<String, &Exchange>> {
    let mut grouped: BTreeMap<String, BTreeMap<String, &Exchange>> = BTreeMap::new();
    for (probe, exchange) in results {
        if let Some((point, kind)) = probe.label.split_once('#') {
            grouped
                .entry(point.to_string())
                .or_default()
                .insert(kind.to_string(), exchange);
        }
    }
    grouped
}

fn shape(exchange: &Exchange) -> Shape {
    Shape::of(
        exchange,
        &[
            MISS,
            "$ne",
            "$eq",
            "$regex",
            "$gt",
            "$in",
            ".*",
            "'||'a'=='a",
            "'||'a'=='b",
            "'||'c'=='c",
            "'||'c'=='d",
        ],
    )
}

fn same(a: Option<&&Exchange>, b: Option<&&Exchange>) -> Option<bool> {
    Some(shape(a?).same_as(&shape(b?)))
}

/// The proof for one point: which operators the input accepts, and the exchange to show.
fn proof<'a>(found: &BTreeMap<String, &'a Exchange>) -> Option<(&'static str, &'a Exchange)> {
    // A rate limit among the answers makes them disagree for a reason of its own.
    if found.values().any(|e| super::compare::throttled(e)) {
        return None;
    }
    let miss = found.get("miss");
    if same(found.get("ne"), miss) == Some(false)
        // A match-nothing operator answers like the miss: `$eq`, or `$in` of the random value
        // for stores without `$eq` (NeDB).
        && (same(found.get("eq"), miss) == Some(true) || same(found.get("in"), miss) == Some(true))
        // A second match-everything operator agrees: `$regex` (MongoDB takes a string
        // pattern; stores that want a RegExp object, such as NeDB, refuse it) or `$gt: ""`.
        && (same(found.get("regex"), found.get("ne")) == Some(true)
            || same(found.get("gt"), found.get("ne")) == Some(true))
        && found
            .get("ne")
            .and_then(|e| e.response())
            .is_some_and(|r| r.status < 500)
    {
        return Some(("query operators (`$ne`, `$regex`)", found.get("ne")?));
    }
    let pair = |round: &str| {
        same(
            found.get(&format!("js-true:{round}")),
            found.get(&format!("js-false:{round}")),
        ) == Some(false)
            && same(found.get(&format!("js-false:{round}")), miss) == Some(true)
    };
    if pair("1") && pair("2") {
        return Some((
            "JavaScript in a `$where` condition",
            found.get("js-true:1")?,
        ));
    }
    None
}

impl NoSqlInjection {
    fn template(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        let mut template = Template::reaching(
            Interpreter::Query,
            operation,
            context,
            context.profile.pick(3, 6, 12),
        )?;
        // An update's body is not compared: each probe changes the object the next one's
        // answer shows (the miss writes its value, `$ne` is ignored and shows the old one), so
        // answers differ without any query. Its query parameters still are.
        if matches!(operation.method.as_str(), "PUT" | "PATCH") {
            template
                .points
                .retain(|point| !matches!(point.slot, Slot::Body(_)));
        }
        (!template.points.is_empty()).then_some(template)
    }
}

impl Check for NoSqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if operation.is_destructive() && context.profile == Profile::Quick {
            return Vec::new();
        }
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let mut probes = Vec::new();
        for point in &template.points {
            for (kind, request) in probes_for(&template, point) {
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
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let grouped = group(results);
        let mut probes = Vec::new();
        for point in &template.points {
            let Some(found) = grouped.get(&point.label()) else {
                continue;
            };
            let first_pair_differs = same(found.get("js-true:1"), found.get("js-false:1"))
                == Some(false)
                && same(found.get("js-false:1"), found.get("miss")) == Some(true);
            if first_pair_differs && !found.contains_key("js-true:2") {
                for (kind, payload) in [
                    ("js-true:2", format!("{MISS}'||'c'=='c")),
                    ("js-false:2", format!("{MISS}'||'c'=='d")),
                ] {
                    let request = template.with(point, &Value::String(payload));
                    probes.push(template.probe(label(point, kind), request));
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
        let grouped = group(results);
        let mut findings = Vec::new();
        for point in &template.points {
            let Some(found) = grouped.get(&point.label()) else {
                continue;
            };
            let Some((how, exchange)) = proof(found) else {
                continue;
            };
            findings.push(
                Finding::new(
                    &META,
                    location(operation, Some(point.label())),
                    format!(
                        "{} passes {how} from {} to the database: a match-everything condition answers differently from a miss",
                        operation.label(),
                        point.describe()
                    ),
                    point.label(),
                )
                .with_evidence(http_evidence(exchange)),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, json_body, json_operation, rounds};

    fn login_operation() -> Operation {
        let mut op = json_operation("POST", "/api/login", &[("email", None), ("password", None)]);
        op.security = crate::spec::Security::Public;
        op
    }

    /// How a server judges one login body.
    type Server = dyn Fn(&Value) -> (u16, String);

    fn run(server: &Server) -> Vec<Finding> {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = login_operation();
        let results = rounds(&NoSqlInjection, &op, &context, &mut |probe| {
            let (status, text) = server(&json_body(probe));
            answer(probe, status, &text)
        });
        NoSqlInjection.evaluate(&op, &results, &context)
    }

    /// `findOne({ email, password })` over one account, with MongoDB's operator semantics.
    fn matches(condition: &Value, stored: &str) -> bool {
        match condition {
            Value::String(text) => text == stored,
            Value::Object(operators) => operators.iter().all(|(op, operand)| match op.as_str() {
                "$ne" => operand.as_str() != Some(stored),
                "$eq" => operand.as_str() == Some(stored),
                "$regex" => operand.as_str() == Some(".*"),
                "$gt" => operand.as_str().is_some_and(|low| stored > low),
                "$in" => operand
                    .as_array()
                    .is_some_and(|values| values.iter().any(|v| v.as_str() == Some(stored))),
                _ => false,
            }),
            _ => false,
        }
    }

    fn mongo_login(body: &Value) -> (u16, String) {
        if matches(&body["email"], "alice@example.com") && matches(&body["password"], "s3cret!") {
            (200, r#"{"token":"eyJ.a.b"}"#.into())
        } else {
            (401, r#"{"error":"Invalid email or password"}"#.into())
        }
    }

    #[test]
    fn operator_injection_into_an_account_lookup_is_found() {
        // Both fields must match at once: with only one operator the other field still misses,
        // so the login answers alike... unless the server looks the account up first.
        let findings = run(&|body| {
            // Account lookup by email, then the password condition (the usual shape).
            if !matches(&body["email"], "alice@example.com") {
                return (401, r#"{"error":"No such account"}"#.into());
            }
            if matches(&body["password"], "s3cret!") {
                (200, r#"{"token":"eyJ.a.b"}"#.into())
            } else {
                (401, r#"{"error":"Wrong password"}"#.into())
            }
        });
        let points: Vec<&str> = findings.iter().map(|f| f.identity.as_str()).collect();
        assert_eq!(points, ["body:/email"], "{findings:?}");
        assert!(findings[0].message.contains("query operators"));
        // When both must match in one query, injecting one field alone changes nothing: silent.
        assert!(run(&mongo_login).is_empty());
    }

    #[test]
    fn a_store_that_wants_a_regexp_object_is_judged_by_gt() {
        // NeDB: a string `$regex` and `$eq` throw (500); `$gt: ""` matches every text, `$in`
        // only its values.
        let nedb = |body: &Value| {
            if body["email"].get("$regex").is_some() || body["email"].get("$eq").is_some() {
                return (
                    500,
                    r#"{"message":"$regex operator called with non regular expression"}"#.into(),
                );
            }
            if !matches(&body["email"], "alice@example.com") {
                return (401, r#"{"error":"No such account"}"#.into());
            }
            (401, r#"{"error":"Wrong password"}"#.into())
        };
        let findings = run(&nedb);
        let points: Vec<&str> = findings.iter().map(|f| f.identity.as_str()).collect();
        assert_eq!(points, ["body:/email"], "{findings:?}");
    }

    #[test]
    fn an_update_whose_answers_change_with_each_write_is_not_judged_by_its_body() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let update = json_operation("PATCH", "/api/notes/{id}", &[("title", None)]);
        // Stores a text title, ignores anything else, answers the object: the answers differ
        // by what the earlier probes wrote, not by any query.
        let stored = std::cell::RefCell::new("old".to_string());
        let results = rounds(&NoSqlInjection, &update, &context, &mut |probe| {
            if let Some(title) = json_body(probe)["title"].as_str() {
                *stored.borrow_mut() = title.to_string();
            }
            answer(probe, 200, &format!(r#"{{"title":"{}"}}"#, stored.borrow()))
        });
        assert!(results.is_empty(), "no body point of an update is probed");
        assert!(
            NoSqlInjection
                .evaluate(&update, &results, &context)
                .is_empty()
        );
    }

    #[test]
    fn rate_limited_answers_are_inconclusive() {
        // Objects refused (400), and a throttle that happened to hit the miss and `$eq`: the
        // answers line up like an injection without being one.
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = login_operation();
        let results = rounds(&NoSqlInjection, &op, &context, &mut |probe| {
            let email = &json_body(probe)["email"];
            if email.is_object() && email.get("$eq").is_none() && email.get("$in").is_none() {
                answer(probe, 400, r#"{"detail":"Not a valid string."}"#)
            } else if email == MISS || email.get("$eq").is_some() {
                let mut limited = answer(probe, 429, r#"{"detail":"Request was throttled."}"#);
                if let Ok(response) = &mut limited.outcome {
                    response.headers.push(("Retry-After".into(), "1".into()));
                }
                limited
            } else {
                answer(probe, 401, "{}")
            }
        });
        assert!(NoSqlInjection.evaluate(&op, &results, &context).is_empty());
    }

    #[test]
    fn servers_that_reject_or_stringify_objects_are_not_findings() {
        // Validation: objects refused.
        assert!(
            run(&|body| {
                if body["email"].is_string() && body["password"].is_string() {
                    (401, r#"{"error":"Invalid email or password"}"#.into())
                } else {
                    (400, r#"{"error":"email must be a string"}"#.into())
                }
            })
            .is_empty()
        );
        // Objects turned into strings ("[object Object]"): every variant is a miss.
        assert!(run(&|_| (401, r#"{"error":"Invalid email or password"}"#.into())).is_empty());
        // A server that answers something different to every object (type error) but the
        // same to both `$ne` and `$eq`: no proof.
        assert!(
            run(&|body| {
                if body["email"].is_object() {
                    (422, r#"{"error":"unexpected object"}"#.into())
                } else {
                    (401, r#"{"error":"nope"}"#.into())
                }
            })
            .is_empty()
        );
    }

    #[test]
    fn where_javascript_injection_needs_two_agreeing_pairs() {
        // `$where: "this.email == '" + email + "'"` evaluated by a tiny imitation.
        let where_server = |body: &Value| {
            let email = body["email"].as_str().unwrap_or_default();
            let truthy = email == "alice@example.com"
                || ["'||'a'=='a", "'||'c'=='c"]
                    .iter()
                    .any(|t| email.ends_with(t));
            if truthy {
                (401, r#"{"error":"Wrong password"}"#.into())
            } else {
                (401, r#"{"error":"No such account"}"#.into())
            }
        };
        let findings = run(&where_server);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].message.contains("$where"));
        // Only the first pair differs (a coincidence): not confirmed.
        let flaky = |body: &Value| {
            let email = body["email"].as_str().unwrap_or_default();
            if email.ends_with("'||'a'=='a") {
                (401, r#"{"error":"Wrong password"}"#.into())
            } else {
                (401, r#"{"error":"No such account"}"#.into())
            }
        };
        assert!(run(&flaky).is_empty());
    }
}
