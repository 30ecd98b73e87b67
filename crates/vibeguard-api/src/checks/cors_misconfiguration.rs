//! VG407 cors-misconfiguration: the API lets any web page read its responses — it reflects an
//! arbitrary `Origin`, allows `*` with credentials, or accepts the `null` origin.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, finding};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct CorsMisconfiguration;

/// An origin that no real site uses: only ever a header value, never contacted.
pub const ATTACKER_ORIGIN: &str = "https://attacker.vibeguard.invalid";

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG407"),
    name: Cow::Borrowed("cors-misconfiguration"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("CORS lets any web page read the API's responses"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[942, 346]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A read operation is requested with `Origin: https://attacker.vibeguard.invalid`, with \
             `Origin: null`, and as a preflight. Reflecting the foreign origin, answering \
             `Access-Control-Allow-Origin: *`, or allowing `null` is a finding — high when credentials are \
             allowed too.",
        ),
        why: Cow::Borrowed(
            "With a reflected origin and `Allow-Credentials: true`, any page a logged-in user visits can \
             call the API with the user's cookies and read the answers: their profile, their data, their \
             CSRF tokens. `cors()` without options and `origin: '*'` are the assistant defaults.",
        ),
        example_bad: Cow::Borrowed("app.use(cors({ origin: true, credentials: true }));"),
        example_fixed: Cow::Borrowed(
            "app.use(cors({ origin: ['https://app.example.com'], credentials: true }));",
        ),
        fix: Cow::Borrowed(
            "Allow an explicit list of your own front-end origins; never reflect the request's Origin, never \
             combine a wildcard with credentials, and never allow `null`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://portswigger.net/web-security/cors"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/942.html"),
        ]),
    },
};

impl Check for CorsMisconfiguration {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        // One read operation is enough to judge the API's CORS policy: the first GET without
        // path parameters (or the first GET at all).
        let chosen = context
            .spec
            .operations
            .iter()
            .filter(|op| op.method == "GET")
            .min_by_key(|op| (!op.path_params().is_empty(), op.path.len()));
        if chosen.map(|op| (&op.method, &op.path)) != Some((&operation.method, &operation.path)) {
            return Vec::new();
        }
        let identity = (!context.identities.is_empty() && context.policy.requires_auth(operation))
            .then_some(0);
        let Some(request) = context.request(operation, identity, 0) else {
            return Vec::new();
        };
        let mut preflight = request.clone();
        preflight.method = "OPTIONS".into();
        vec![
            Probe {
                label: "a foreign origin".into(),
                identity,
                request: request.clone().header("Origin", ATTACKER_ORIGIN),
            },
            Probe {
                label: "the null origin".into(),
                identity,
                request: request.header("Origin", "null"),
            },
            Probe {
                label: "a preflight from a foreign origin".into(),
                identity: None,
                request: preflight
                    .header("Origin", ATTACKER_ORIGIN)
                    .header("Access-Control-Request-Method", "GET"),
            },
        ]
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (probe, exchange) in results {
            let Some(response) = exchange.response() else {
                continue;
            };
            let Some(allowed) = response
                .header("access-control-allow-origin")
                .map(str::trim)
            else {
                continue;
            };
            let credentials = response
                .header("access-control-allow-credentials")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
            let sent = probe.request.header_value("origin").unwrap_or_default();
            let (kind, what) = if allowed == "*" {
                (
                    "wildcard",
                    "allows any origin (`Access-Control-Allow-Origin: *`)".to_string(),
                )
            } else if sent == "null" && allowed == "null" {
                (
                    "null",
                    "allows the `null` origin (sandboxed frames, local files)".to_string(),
                )
            } else if sent == ATTACKER_ORIGIN && allowed == ATTACKER_ORIGIN {
                (
                    "reflection",
                    format!("reflects an arbitrary Origin ({ATTACKER_ORIGIN})"),
                )
            } else {
                continue;
            };
            if findings
                .iter()
                .any(|f: &Finding| f.identity == format!("cors:{kind}"))
            {
                continue;
            }
            let severity = if credentials {
                Severity::High
            } else {
                Severity::Medium
            };
            let with = if credentials {
                " with Access-Control-Allow-Credentials: true"
            } else {
                ""
            };
            findings.push(
                finding(
                    &META,
                    operation,
                    format!("The API {what}{with}"),
                    format!("cors:{kind}"),
                    Some(exchange),
                )
                .with_severity(severity),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation, probe};

    fn with_origin(origin: &str) -> Probe {
        let mut p = probe("origin", None, "GET", "http://127.0.0.1:8080/api/tasks");
        p.request = p.request.header("Origin", origin);
        p
    }

    #[test]
    fn reflection_wildcards_and_null_are_findings() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = operation("GET", "/api/tasks", true);
        let url = "http://127.0.0.1:8080/api/tasks";
        let results = vec![
            (
                with_origin(ATTACKER_ORIGIN),
                exchange(
                    "GET",
                    url,
                    200,
                    &[
                        ("Access-Control-Allow-Origin", ATTACKER_ORIGIN),
                        ("Access-Control-Allow-Credentials", "true"),
                    ],
                    "",
                ),
            ),
            (
                with_origin("null"),
                exchange(
                    "GET",
                    url,
                    200,
                    &[("Access-Control-Allow-Origin", "null")],
                    "",
                ),
            ),
        ];
        let found = CorsMisconfiguration.evaluate(&op, &results, &context);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].severity, Severity::High);
        let wildcard = vec![(
            with_origin(ATTACKER_ORIGIN),
            exchange("GET", url, 200, &[("Access-Control-Allow-Origin", "*")], ""),
        )];
        assert_eq!(
            CorsMisconfiguration
                .evaluate(&op, &wildcard, &context)
                .len(),
            1
        );
    }

    #[test]
    fn an_allowlist_is_not_a_finding() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = operation("GET", "/api/tasks", true);
        let url = "http://127.0.0.1:8080/api/tasks";
        let results = vec![
            (
                with_origin(ATTACKER_ORIGIN),
                exchange(
                    "GET",
                    url,
                    200,
                    &[("Access-Control-Allow-Origin", "https://app.example.com")],
                    "",
                ),
            ),
            (with_origin("null"), exchange("GET", url, 200, &[], "")),
        ];
        assert!(
            CorsMisconfiguration
                .evaluate(&op, &results, &context)
                .is_empty()
        );
    }
}
