//! VG404 input-validation: invalid input (wrong types, missing required fields, overlong strings,
//! values outside an enum or a range, malformed JSON) gets a server error, is accepted, or gets
//! an error message that leaks internals (stack traces, SQL, file paths).

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, finding, with_body};
use crate::http::{Exchange, Response};
use crate::spec::{BodyKind, Operation, ParamIn, SchemaType};

/// The check.
#[derive(Debug)]
pub struct InputValidation;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG404"),
    name: Cow::Borrowed("input-validation"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "Invalid input crashes the server, is accepted, or gets an error that leaks internals",
    ),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[20, 209, 755]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01, ChecklistId::Api04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "For each operation with a body or typed parameters, one field at a time gets a wrong type, \
             goes missing when required, becomes overlong or leaves its enum or range, and JSON bodies are \
             also sent malformed. Text fields that mean an e-mail address, a URL, a phone number, a \
             date or a UUID — by their declared format or, when the description gives none, by \
             their name (`email`, `contactEmail`, `avatar_url`, `phone_number`, `birth_date`) — get \
             a malformed one of their kind first: the handler that parses it is where a crash \
             hides. A 5xx answer is a finding (INPUT-01); accepting a missing required \
             field, a wrong type or a value outside the enum is a finding (INPUT-01); any error answer \
             carrying a stack trace, SQL or ORM error text, a framework debug page or server file paths is \
             a finding (API-04).",
        ),
        why: Cow::Borrowed(
            "Unvalidated input is the root of injection, and a 500 with the database's error message hands \
             an attacker the query, the table names and the stack — the map for the next request.",
        ),
        example_bad: Cow::Borrowed(
            "app.post('/tasks', (req, res) => db.query(`INSERT INTO tasks (title) VALUES ('${req.body.title}')`, (err) =>\n  err ? res.status(500).json({ error: err.message, sql: err.sql }) : res.sendStatus(201)));",
        ),
        example_fixed: Cow::Borrowed(
            "const Task = z.object({ title: z.string().min(1).max(200) });\napp.post('/tasks', (req, res) => {\n  const parsed = Task.safeParse(req.body);\n  if (!parsed.success) return res.status(400).json({ error: 'invalid task' });\n  …\n});\n// and an error handler that logs details and answers { error: 'internal error' }",
        ),
        fix: Cow::Borrowed(
            "Validate every request against a schema (zod, joi, pydantic, the OpenAPI description itself) and \
             answer 400/422 with a short message; catch errors in one handler that logs the details and \
             returns a generic message.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/209.html"),
        ]),
    },
};

/// At most this many invalid requests per operation.
const MAX_PROBES: usize = 12;

/// What in a response body leaks internals, if anything.
pub fn leak_in(response: &Response) -> Option<&'static str> {
    vibeguard_http::leaks::internals_in(&response.text())
}

/// Labels of probes whose acceptance (2xx) is itself a finding.
const MUST_REJECT: &[&str] = &[
    "missing required field",
    "a string where a number is expected",
    "a value outside the enum",
    "an array where an object is expected",
];

impl Check for InputValidation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if operation.deletes() {
            return Vec::new();
        }
        let owner = (!context.identities.is_empty()).then_some(0);
        let Some(valid) = context.request(operation, owner, 0) else {
            return Vec::new();
        };
        let mut synth = context.synthesizer(operation, "invalid");
        let mut probes = Vec::new();
        let mut push = |label: String, request: crate::http::Request| {
            probes.push(Probe {
                label,
                identity: owner,
                request,
            })
        };
        if let Some(body) = &operation.body
            && matches!(body.kind, BodyKind::Json | BodyKind::Form)
        {
            let mut base = context
                .synthesizer(operation, "valid")
                .valid(&body.schema, "");
            if body.kind == BodyKind::Json {
                let mut malformed = valid.clone();
                malformed.body = Some(hyper::body::Bytes::from_static(b"{\"vibeguard\": "));
                push("malformed JSON".into(), malformed);
            }
            // A sign-up refuses a second account with the same name (409) before it looks at
            // the field a probe changed: each probe registers under fresh account names.
            let account_fields: Vec<(String, crate::spec::Schema)> = if matches!(
                super::auth_flows::flow(operation),
                Some(super::auth_flows::Flow::Registration)
            ) {
                body.schema
                    .properties
                    .iter()
                    .filter(|(name, _)| {
                        vibeguard_core::words::words(name).iter().any(|word| {
                            matches!(
                                word.as_str(),
                                "user" | "username" | "email" | "mail" | "login" | "handle"
                            )
                        })
                    })
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            let mut accounts = context
                .synthesizer(operation, "fresh accounts")
                .fresh_accounts();
            let mut freshen = |fields: &mut serde_json::Map<String, Value>, probed: &str| {
                for (name, schema) in &account_fields {
                    if name != probed && fields.contains_key(name) {
                        fields.insert(name.clone(), accounts.valid(schema, name));
                    }
                }
            };
            if let Value::Object(fields) = &mut base {
                // A PATCH changes what it is sent: leaving fields out is its point (DRF's
                // generated descriptions still list the model's required fields on it).
                let required = if operation.method == "PATCH" {
                    &[][..]
                } else {
                    &body.schema.required[..]
                };
                for name in required.iter().take(3) {
                    let mut without = fields.clone();
                    without.remove(name);
                    freshen(&mut without, name);
                    push(
                        format!("missing required field `{name}`"),
                        with_body(
                            strip_body(&valid),
                            body.kind,
                            &body.media_type,
                            &Value::Object(without),
                        ),
                    );
                }
                for (name, schema) in body
                    .schema
                    .properties
                    .iter()
                    .filter(|(_, s)| !s.read_only)
                    .take(4)
                {
                    for invalid in synth.invalid_named(name, schema).into_iter().take(3) {
                        let mut changed = fields.clone();
                        changed.insert(name.clone(), invalid.value);
                        freshen(&mut changed, name);
                        push(
                            format!("{} in `{name}`", invalid.label),
                            with_body(
                                strip_body(&valid),
                                body.kind,
                                &body.media_type,
                                &Value::Object(changed),
                            ),
                        );
                    }
                }
            }
        }
        for parameter in operation
            .parameters
            .iter()
            .filter(|p| matches!(p.location, ParamIn::Query | ParamIn::Path))
        {
            let numeric = matches!(
                parameter.schema.main_type(),
                Some(SchemaType::Integer | SchemaType::Number)
            );
            for invalid in synth
                .invalid_named(&parameter.name, &parameter.schema)
                .into_iter()
                .filter(|i| !i.value.is_null())
                .take(if numeric { 2 } else { 1 })
            {
                let text = super::value_text(&invalid.value);
                let mut request = valid.clone();
                if parameter.location == ParamIn::Query {
                    let pairs: Vec<(String, String)> = request
                        .url
                        .query_pairs()
                        .filter(|(k, _)| *k != parameter.name)
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    request
                        .url
                        .query_pairs_mut()
                        .clear()
                        .extend_pairs(pairs)
                        .append_pair(&parameter.name, &text);
                } else {
                    let Some(filled) = context.request(operation, owner, 0) else {
                        continue;
                    };
                    let segments: Vec<String> = filled
                        .url
                        .path_segments()
                        .map(|s| s.map(str::to_string).collect())
                        .unwrap_or_default();
                    let template: Vec<&str> =
                        operation.path.trim_start_matches('/').split('/').collect();
                    let offset = segments.len().saturating_sub(template.len());
                    let Some(position) = template
                        .iter()
                        .position(|s| *s == format!("{{{}}}", parameter.name))
                    else {
                        continue;
                    };
                    let mut changed = segments.clone();
                    changed[offset + position] = percent_encoding::utf8_percent_encode(
                        &text,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string();
                    request.url.set_path(&format!("/{}", changed.join("/")));
                }
                push(
                    format!(
                        "{} in the {} parameter `{}`",
                        invalid.label,
                        parameter.location.as_str(),
                        parameter.name
                    ),
                    request,
                );
            }
        }
        probes.truncate(MAX_PROBES);
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let crashed: Vec<&(Probe, Exchange)> = results
            .iter()
            .filter(|(_, e)| e.status().is_some_and(|s| s >= 500))
            .collect();
        if let Some((_, first)) = crashed.first() {
            let causes: Vec<&str> = crashed.iter().map(|(p, _)| p.label.as_str()).collect();
            let mut found = finding(
                &META,
                operation,
                format!(
                    "{} answered {} to invalid input ({})",
                    operation.label(),
                    first.status().unwrap_or(500),
                    causes.join("; ")
                ),
                "server-error".into(),
                Some(first),
            );
            found.checklist = vec![ChecklistId::Input01];
            findings.push(found);
        }
        let accepted: Vec<&(Probe, Exchange)> = results
            .iter()
            .filter(|(p, e)| {
                // Accepted by meaning: a form re-rendered with its error message refused.
                crate::http::outcome::accepted(e)
                    && e.response().is_some_and(|r| r.status < 300)
                    && MUST_REJECT.iter().any(|m| p.label.starts_with(m))
                    && !ignored(p, e)
            })
            .collect();
        if let Some((_, first)) = accepted.first() {
            let causes: Vec<&str> = accepted.iter().map(|(p, _)| p.label.as_str()).collect();
            let mut found = finding(
                &META,
                operation,
                format!(
                    "{} accepted invalid input ({})",
                    operation.label(),
                    causes.join("; ")
                ),
                "accepted-invalid".into(),
                Some(first),
            )
            .with_severity(Severity::Low);
            found.checklist = vec![ChecklistId::Input01];
            findings.push(found);
        }
        let leak = results.iter().find_map(|(probe, exchange)| {
            let response = exchange.response().filter(|r| r.status >= 400)?;
            leak_in(response).map(|what| (probe, exchange, what))
        });
        if let Some((probe, exchange, what)) = leak {
            let mut found = finding(
                &META,
                operation,
                format!(
                    "{}'s error answer to {} reveals {what}",
                    operation.label(),
                    probe.label
                ),
                "error-leak".into(),
                Some(exchange),
            )
            .with_severity(Severity::High)
            .with_confidence(Confidence::Confirmed)
            .with_evidence(Evidence::Text {
                label: "leaks".into(),
                text: what.into(),
            });
            found.checklist = vec![ChecklistId::Api04];
            findings.push(found);
        }
        findings
    }
}

/// A copy of a request without its body and content type.
fn strip_body(request: &crate::http::Request) -> crate::http::Request {
    let mut request = request.clone();
    request.body = None;
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    request
}

/// Whether the answer shows the invalid value was not taken: the field the probe names (in
/// backticks) comes back with another value — a read-only field the server ignores (DRF's
/// `read_only_fields`, Pydantic's `exclude`), not invalid input accepted.
fn ignored(probe: &Probe, exchange: &Exchange) -> bool {
    let Some(field) = probe.label.split('`').nth(1) else {
        return false;
    };
    let sent = probe
        .request
        .body
        .as_ref()
        .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
        .and_then(|body| body.get(field).cloned());
    let answered = exchange
        .response()
        .and_then(|r| r.json())
        .and_then(|body| body.get(field).cloned());
    matches!((sent, answered), (Some(sent), Some(answered)) if sent != answered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, json_body, operation, probe};
    use crate::spec::{RequestBody, Schema};

    fn body_operation() -> Operation {
        let mut op = operation("POST", "/api/tasks", true);
        let title = Schema {
            types: vec![SchemaType::String],
            max_length: Some(200),
            ..Schema::default()
        };
        let done = Schema {
            types: vec![SchemaType::Boolean],
            ..Schema::default()
        };
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: vec![("title".into(), title), ("done".into(), done)],
                required: vec!["title".into()],
                ..Schema::default()
            },
        });
        op
    }

    #[test]
    fn plans_malformed_missing_and_wrong_values() {
        let fixture = Fixture::new();
        let labels: Vec<String> = InputValidation
            .plan(&body_operation(), &fixture.context())
            .into_iter()
            .map(|p| p.label)
            .collect();
        assert!(labels.contains(&"malformed JSON".to_string()));
        assert!(labels.contains(&"missing required field `title`".to_string()));
        // A PATCH leaves fields out by design.
        let mut patch = body_operation();
        patch.method = "PATCH".into();
        let patch_labels: Vec<String> = InputValidation
            .plan(&patch, &fixture.context())
            .into_iter()
            .map(|p| p.label)
            .collect();
        assert!(
            patch_labels.contains(&"malformed JSON".to_string())
                && !patch_labels
                    .iter()
                    .any(|l| l.starts_with("missing required field")),
            "{patch_labels:?}"
        );
        assert!(
            labels
                .iter()
                .any(|l| l.starts_with("a string of 201 characters")),
            "{labels:?}"
        );
        assert!(labels.len() <= MAX_PROBES);
    }

    #[test]
    fn each_sign_up_probe_registers_under_fresh_account_names() {
        let fixture = Fixture::new();
        let mut op = body_operation();
        op.path = "/api/register".into();
        let text = Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        };
        if let Some(body) = op.body.as_mut() {
            body.schema.properties = vec![
                ("username".into(), text.clone()),
                ("email".into(), text.clone()),
                ("password".into(), text),
            ];
            body.schema.required = vec!["username".into(), "email".into(), "password".into()];
        }
        let probes = InputValidation.plan(&op, &fixture.context());
        let bodies: Vec<Value> = probes
            .iter()
            .filter(|p| p.label != "malformed JSON")
            .map(json_body)
            .collect();
        let usernames: std::collections::BTreeSet<String> = bodies
            .iter()
            .filter_map(|b| b["username"].as_str().map(str::to_string))
            .collect();
        let emails: std::collections::BTreeSet<String> = bodies
            .iter()
            .filter_map(|b| b["email"].as_str().map(str::to_string))
            .collect();
        // Every probe that sends a valid username sends its own, and likewise the e-mail.
        let with_username = bodies
            .iter()
            .filter(|b| {
                b["username"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("vibeguard"))
            })
            .count();
        assert!(with_username > 3);
        assert_eq!(
            usernames
                .iter()
                .filter(|u| u.starts_with("vibeguard"))
                .count(),
            with_username
        );
        assert!(emails.len() > 3, "{emails:?}");
        // A create that is no sign-up keeps its one valid body.
        let plain = InputValidation.plan(&body_operation(), &fixture.context());
        let titles: std::collections::BTreeSet<String> = plain
            .iter()
            .filter(|p| p.label.ends_with("`done`"))
            .filter_map(|p| json_body(p)["title"].as_str().map(str::to_string))
            .collect();
        assert_eq!(titles.len(), 1, "{titles:?}");
    }

    #[test]
    fn fields_named_for_a_kind_of_text_get_a_malformed_one_without_a_declared_format() {
        let fixture = Fixture::new();
        let mut op = body_operation();
        let text = Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        };
        if let Some(body) = op.body.as_mut() {
            body.schema.properties = vec![
                ("birth_date".into(), text.clone()),
                ("contactEmail".into(), text.clone()),
                ("title".into(), text),
            ];
        }
        let probes = InputValidation.plan(&op, &fixture.context());
        let sent = |label: &str| {
            probes
                .iter()
                .find(|p| p.label == label)
                .map(json_body)
                .unwrap_or_else(|| panic!("{label} not planned"))
        };
        assert_eq!(
            sent("a malformed date in `birth_date`")["birth_date"],
            "yesterday"
        );
        assert_eq!(
            sent("a malformed email address in `contactEmail`")["contactEmail"],
            "not-an-email"
        );
        assert!(
            !probes
                .iter()
                .any(|p| p.label.starts_with("a malformed") && p.label.ends_with("`title`"))
        );

        // A handler that parses the date and crashes on it is reported.
        let url = "http://127.0.0.1:8080/api/tasks";
        let results = vec![(
            probe("a malformed date in `birth_date`", Some(0), "POST", url),
            exchange("POST", url, 500, &[], "Internal Server Error"),
        )];
        let found = InputValidation.evaluate(&op, &results, &fixture.context());
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("answered 500 to invalid input (a malformed date in `birth_date`)"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn an_invalid_value_the_server_ignored_is_not_accepted_input() {
        let fixture = Fixture::new();
        let op = body_operation();
        let url = "http://127.0.0.1:8080/api/tasks";
        let label = "a value outside the enum in `status`";
        let answered = |body: &str| {
            let mut sent = probe(label, Some(0), "POST", url);
            sent.request.body =
                Some(br#"{"title":"t","status":"vg-not-a-status"}"#.to_vec().into());
            vec![(sent, exchange("POST", url, 201, &[], body))]
        };
        // A read-only field: the object comes back with the value the server kept.
        let kept = InputValidation.evaluate(
            &op,
            &answered(r#"{"id":1,"title":"t","status":"open"}"#),
            &fixture.context(),
        );
        assert!(kept.is_empty(), "{kept:?}");
        // Stored as sent: accepted.
        let stored = InputValidation.evaluate(
            &op,
            &answered(r#"{"id":1,"title":"t","status":"vg-not-a-status"}"#),
            &fixture.context(),
        );
        assert_eq!(stored.len(), 1);
    }

    #[test]
    fn server_errors_acceptance_and_leaks_are_findings() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = body_operation();
        let url = "http://127.0.0.1:8080/api/tasks";
        let results = vec![
            (
                probe("malformed JSON", Some(0), "POST", url),
                exchange(
                    "POST",
                    url,
                    500,
                    &[],
                    "{\"error\":\"SQLITE_ERROR: near \\\"x\\\": syntax error\"}",
                ),
            ),
            (
                probe("missing required field `title`", Some(0), "POST", url),
                exchange("POST", url, 201, &[], "{}"),
            ),
            (
                probe(
                    "a number where a string is expected in `title`",
                    Some(0),
                    "POST",
                    url,
                ),
                exchange("POST", url, 400, &[], "{\"error\":\"invalid\"}"),
            ),
        ];
        let found = InputValidation.evaluate(&op, &results, &context);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 3, "{messages:?}");
        assert!(messages[0].contains("answered 500"));
        assert!(messages[1].contains("accepted invalid input (missing required field `title`)"));
        assert!(messages[2].contains("reveals an SQL error"));
        assert_eq!(found[2].checklist, vec![ChecklistId::Api04]);
    }

    #[test]
    fn clean_rejections_are_not_findings() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let url = "http://127.0.0.1:8080/api/tasks";
        let results = vec![
            (
                probe("malformed JSON", Some(0), "POST", url),
                exchange("POST", url, 400, &[], "{\"error\":\"invalid JSON\"}"),
            ),
            (
                probe("missing required field `title`", Some(0), "POST", url),
                exchange("POST", url, 422, &[], "{\"error\":\"title is required\"}"),
            ),
            (
                probe(
                    "a string of 201 characters in `title`",
                    Some(0),
                    "POST",
                    url,
                ),
                exchange("POST", url, 201, &[], "{}"),
            ),
        ];
        assert!(
            InputValidation
                .evaluate(&body_operation(), &results, &context)
                .is_empty()
        );
    }

    #[test]
    fn leak_signatures_match_real_error_texts_only() {
        let response = |body: &str| Response {
            status: 500,
            headers: vec![],
            body: body.as_bytes().to_vec(),
            truncated: false,
        };
        assert_eq!(
            leak_in(&response(
                "Traceback (most recent call last):\n  File \"app.py\""
            )),
            Some("a Python traceback")
        );
        assert_eq!(
            leak_in(&response(
                "TypeError: x is undefined\n    at Object.<anonymous> (/usr/src/app/index.js:12:5)"
            )),
            Some("a JavaScript stack trace")
        );
        assert_eq!(
            leak_in(&response(
                "{\"error\":\"You have an error in your SQL syntax; check the manual\"}"
            )),
            Some("an SQL error")
        );
        assert_eq!(
            leak_in(&response(
                "{\"error\":\"SequelizeDatabaseError: relation does not exist\"}"
            )),
            Some("an ORM error")
        );
        assert_eq!(
            leak_in(&response(
                "{\"error\":\"invalid input\",\"field\":\"title\"}"
            )),
            None
        );
        assert_eq!(leak_in(&response("{\"error\":\"not found\"}")), None);
    }
}
