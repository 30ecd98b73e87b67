//! VG414 brute-force-unthrottled: a burst of failed logins, registrations, password-reset or
//! one-time-code requests never meets a limit (429, a lockout, `Retry-After`). Reads get their
//! load bursts from VG431 (rate-limit-burst).

use std::borrow::Cow;
use std::time::Duration;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::auth_flows::{self, Flow};
use super::inputs::strip_body;
use super::{Check, Context, Probe, http_evidence, location, with_body};
use crate::http::Exchange;
use crate::spec::{BodyKind, Operation};

/// The check.
#[derive(Debug)]
pub struct BruteForceUnthrottled;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG414"),
    name: Cow::Borrowed("brute-force-unthrottled"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Logins, sign-ups, resets or one-time codes can be tried without limit"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[307, 770, 799]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Auth05, ChecklistId::Api01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Each login, registration, password-reset and one-time-code operation (`POST` on \
             paths such as `/login`, `/signup`, `/forgot-password`, `/verify-otp`) gets a burst of \
             failing attempts — wrong passwords and codes for an account that does not exist, so \
             no real account is locked — 30 by default (`[api] burst`, at most 200). When none of \
             the answers is a 429, a 423, carries `Retry-After` or says the attempts are too many \
             or the account is locked, the operation is reported (reads get load bursts from \
             VG431). These bursts run after \
             every other check and the clean-up, so the limits they trigger disturb nothing.",
        ),
        why: Cow::Borrowed(
            "Without a limit, passwords are guessed from lists at thousands per minute, one-time \
             codes (a million possibilities) fall in hours, and sign-up and reset endpoints are \
             used to spam or enumerate.",
        ),
        example_bad: Cow::Borrowed("app.post('/api/login', login);"),
        example_fixed: Cow::Borrowed(
            "const loginLimiter = rateLimit({ windowMs: 15 * 60 * 1000, limit: 5, keyGenerator: (req) => req.body.email + req.ip });\napp.post('/api/login', loginLimiter, login);",
        ),
        fix: Cow::Borrowed(
            "Limit attempts per account and per client (for example 5 failures per 15 minutes), \
             answer 429 with `Retry-After`, and add a general limit to every endpoint.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
            ),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#login-throttling",
            ),
        ]),
    },
};

/// Whether an answer shows a limit: 429, 423, `Retry-After`, or words saying so.
fn limited(exchange: &Exchange) -> bool {
    let Some(response) = exchange.response() else {
        return false;
    };
    if matches!(response.status, 429 | 423) || response.header("retry-after").is_some() {
        return true;
    }
    let text = response.text().to_ascii_lowercase();
    response.status >= 400
        && [
            "too many",
            "rate limit",
            "locked",
            "try again later",
            "slow down",
            "temporarily blocked",
        ]
        .iter()
        .any(|phrase| text.contains(phrase))
}

impl Check for BruteForceUnthrottled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn essential(&self) -> bool {
        true
    }

    fn disruptive(&self) -> bool {
        true
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        (!context
            .spec
            .operations
            .iter()
            .any(|op| auth_flows::flow(op).is_some()))
        .then_some("no login, registration, password-reset or one-time-code operation")
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(flow) = auth_flows::flow(operation) else {
            return Vec::new();
        };
        let Some(request) = context.request(operation, None, 0) else {
            return Vec::new();
        };
        let Some(body) = &operation.body else {
            return Vec::new();
        };
        let account = match flow {
            Flow::Login | Flow::PasswordReset | Flow::OneTimeCode => Some(
                auth_flows::unknown_account("vibeguard@example.com", context.seed % 1000),
            ),
            Flow::Registration => None,
        };
        (0..context.burst)
            .filter_map(|attempt| {
                let value =
                    auth_flows::wrong_attempt(operation, context, account.as_deref(), attempt)?;
                let kind = if body.kind == BodyKind::Form {
                    BodyKind::Form
                } else {
                    BodyKind::Json
                };
                Some(Probe {
                    label: format!("attempt {}", attempt + 1),
                    identity: None,
                    request: with_body(strip_body(&request), kind, &body.media_type, &value),
                })
            })
            .collect()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let answered: Vec<&Exchange> = results
            .iter()
            .map(|(_, e)| e)
            .filter(|e| e.response().is_some())
            .collect();
        if answered.len() < results.len() / 2 || answered.iter().any(|e| limited(e)) {
            return Vec::new();
        }
        let Some(last) = answered.last() else {
            return Vec::new();
        };
        let spent: Duration = answered.iter().map(|e| e.elapsed).max().unwrap_or_default();
        let Some(flow) = auth_flows::flow(operation) else {
            return Vec::new();
        };
        let statuses: std::collections::BTreeSet<u16> =
            answered.iter().filter_map(|e| e.status()).collect();
        let severity = match flow {
            Flow::Login | Flow::OneTimeCode | Flow::PasswordReset => Severity::High,
            Flow::Registration => Severity::Medium,
        };
        vec![
            Finding::new(
                &META,
                location(operation, None),
                format!(
                    "{} took {} failing {} attempts without a limit (answers {}; no 429, lockout or Retry-After)",
                    operation.label(),
                    answered.len(),
                    flow.describe(),
                    statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
                ),
                flow.describe(),
            )
            .with_severity(severity)
            .with_evidence(http_evidence(last))
            .with_evidence(Evidence::Text {
                label: "burst".into(),
                text: format!("{} requests, slowest answer {} ms", answered.len(), spent.as_millis()),
            }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::spec::{RequestBody, Schema, SchemaType};

    fn login() -> Operation {
        let mut op = operation("POST", "/api/login", false);
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: vec![
                    (
                        "email".into(),
                        Schema {
                            types: vec![SchemaType::String],
                            format: Some("email".into()),
                            ..Schema::default()
                        },
                    ),
                    (
                        "password".into(),
                        Schema {
                            types: vec![SchemaType::String],
                            ..Schema::default()
                        },
                    ),
                ],
                ..Schema::default()
            },
        });
        op
    }

    #[test]
    fn a_login_without_limits_is_reported_and_one_that_locks_is_not() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = login();
        let probes = BruteForceUnthrottled.plan(&op, &context);
        assert_eq!(probes.len(), 30);
        let body = String::from_utf8_lossy(probes[3].request.body.as_deref().unwrap_or_default())
            .into_owned();
        assert!(
            body.contains("vibeguard-Wrong-3") && body.contains("vibeguard-nobody-"),
            "{body}"
        );
        let answer = |limit: Option<usize>| -> Vec<(Probe, Exchange)> {
            probes
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (status, headers): (u16, &[(&str, &str)]) = match limit {
                        Some(limit) if i >= limit => (429, &[("Retry-After", "60")]),
                        _ => (401, &[]),
                    };
                    (
                        p.clone(),
                        exchange(
                            "POST",
                            "http://127.0.0.1:8080/api/login",
                            status,
                            headers,
                            r#"{"error":"invalid"}"#,
                        ),
                    )
                })
                .collect()
        };
        let open = BruteForceUnthrottled.evaluate(&op, &answer(None), &context);
        assert_eq!(open.len(), 1);
        assert!(
            open[0].message.contains("took 30 failing login attempts"),
            "{}",
            open[0].message
        );
        assert!(
            BruteForceUnthrottled
                .evaluate(&op, &answer(Some(5)), &context)
                .is_empty()
        );
        // A lockout message counts as a limit too.
        let locked: Vec<(Probe, Exchange)> = probes
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    exchange(
                        "POST",
                        "http://127.0.0.1:8080/api/login",
                        401,
                        &[],
                        r#"{"error":"Account locked, try again later"}"#,
                    ),
                )
            })
            .collect();
        assert!(
            BruteForceUnthrottled
                .evaluate(&op, &locked, &context)
                .is_empty()
        );
    }
}
