//! VG425 transport-security: how the API is reached. An API on another machine served over
//! plain HTTP; an https API whose plain-HTTP entrance (port 80 of the same host) answers instead
//! of redirecting to https; a server that still completes TLS 1.0 or 1.1 handshakes (found by
//! the engine with a raw ClientHello, see `http::tls_probe`). HSTS is judged with the other
//! headers by VG406.

use std::borrow::Cow;

use url::Url;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, Location, OwaspApi, RuleDocs, RuleMeta,
    Severity,
};

use super::{Check, Context, Probe, http_evidence};
use crate::http::Exchange;
use crate::http::Request;
use crate::http::canary::is_loopback;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct TransportSecurity;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG425"),
    name: Cow::Borrowed("transport-security"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "The API is reachable without TLS, without a redirect to https, or with TLS 1.0/1.1",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[319, 326]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Tls01, ChecklistId::Tls03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "For an https target: `GET http://<host>/` (port 80 of the same host, no credentials) \
             must redirect to https or not answer; and a raw ClientHello offering only TLS 1.0, then \
             only TLS 1.1, must be refused (an alert or a closed connection), never answered with a \
             ServerHello. For an http target on another machine, plain HTTP itself is the finding. \
             Targets on this machine over http (development servers) are not judged. HSTS is checked \
             by security-headers (VG406).",
        ),
        why: Cow::Borrowed(
            "Without TLS, tokens and passwords cross every network in clear text. An HTTP entrance \
             that answers lets the first request of a session go out unprotected (and be rewritten); \
             TLS 1.0 and 1.1 have known weaknesses (BEAST, weak MACs), are forbidden by PCI DSS and \
             deprecated by RFC 8996.",
        ),
        example_bad: Cow::Borrowed("ssl_protocols TLSv1 TLSv1.1 TLSv1.2;"),
        example_fixed: Cow::Borrowed(
            "ssl_protocols TLSv1.2 TLSv1.3;\nserver { listen 80; return 301 https://$host$request_uri; }",
        ),
        fix: Cow::Borrowed(
            "Serve the API over https only, redirect port 80 to https (or close it), allow TLS 1.2 and \
             1.3 only, and send `Strict-Transport-Security`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://www.rfc-editor.org/rfc/rfc8996"),
        ]),
    },
};

/// What the engine learned about the target's TLS before the checks ran (a `None` is unknown:
/// the probe could not connect).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransportFacts {
    /// Whether a TLS 1.0 handshake was answered with a ServerHello.
    pub tls10: Option<bool>,
    /// Whether a TLS 1.1 handshake was.
    pub tls11: Option<bool>,
}

fn location(url: &Url, parameter: &str) -> Location {
    Location::operation(
        "*",
        &format!("{}://{}/", url.scheme(), url.host_str().unwrap_or_default()),
        Some(parameter.to_string()),
    )
}

impl Check for TransportSecurity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        (context.base.scheme() == "http" && is_loopback(context.base))
            .then_some("the target is on this machine over plain HTTP (a development server)")
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let root = context.origin();
        if root.scheme() == "https" {
            if root.port().is_some() {
                // A non-standard https port has no known plain-HTTP twin.
                return Vec::new();
            }
            let mut plain = root.clone();
            if plain.set_scheme("http").is_err() {
                return Vec::new();
            }
            return vec![Probe {
                label: "plain-http".into(),
                identity: None,
                request: Request::new("GET", plain),
            }];
        }
        vec![Probe {
            label: "cleartext".into(),
            identity: None,
            request: Request::new("GET", root),
        }]
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        if !operation.is_whole_target() {
            return Vec::new();
        }
        let root = context.origin();
        let mut findings = Vec::new();
        for (probe, exchange) in results {
            let Some(response) = exchange.response() else {
                continue;
            };
            match probe.label.as_str() {
                "cleartext" => findings.push(
                    Finding::new(
                        &META,
                        location(&root, "cleartext"),
                        format!("{root} is served over plain HTTP: credentials and data cross the network unencrypted"),
                        "cleartext".to_string(),
                    )
                    .with_evidence(http_evidence(exchange)),
                ),
                "plain-http" => {
                    let redirects_to_https = (300..400).contains(&response.status)
                        && response
                            .header("location")
                            .is_some_and(|l| l.to_ascii_lowercase().starts_with("https://"));
                    if !redirects_to_https {
                        findings.push(
                            Finding::new(
                                &META,
                                location(&exchange.request.url, "plain-http"),
                                format!(
                                    "{} answers HTTP {} on plain HTTP instead of redirecting to https",
                                    exchange.request.url, response.status
                                ),
                                "plain-http".to_string(),
                            )
                            .with_severity(Severity::Medium)
                            .with_evidence(http_evidence(exchange)),
                        );
                    }
                }
                _ => {}
            }
        }
        if let Some(facts) = context.transport {
            for (accepted, version) in [(facts.tls10, "TLS 1.0"), (facts.tls11, "TLS 1.1")] {
                if accepted == Some(true) {
                    findings.push(
                        Finding::new(
                            &META,
                            location(&root, version),
                            format!("{root} completes {version} handshakes: a ClientHello offering only {version} was answered with a ServerHello"),
                            version.to_string(),
                        )
                        .with_evidence(Evidence::Text {
                            label: "probe".into(),
                            text: format!("raw ClientHello, {version} only, to {}:{}", root.host_str().unwrap_or_default(), root.port_or_known_default().unwrap_or(443)),
                        }),
                    );
                }
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange};

    fn run(
        base: &str,
        facts: Option<TransportFacts>,
        answer: Option<(u16, &[(&str, &str)])>,
    ) -> Vec<Finding> {
        let mut fixture = Fixture::new();
        fixture.base = Url::parse(base).expect("url");
        let mut context = fixture.context();
        context.transport = facts.as_ref();
        if TransportSecurity.not_applicable(&context).is_some() {
            return Vec::new();
        }
        let results: Vec<(Probe, Exchange)> = TransportSecurity
            .plan_target(&context)
            .into_iter()
            .filter_map(|probe| {
                let (status, headers) = answer?;
                let mut recorded = exchange("GET", probe.request.url.as_str(), status, headers, "");
                recorded.request = probe.request.clone();
                Some((probe, recorded))
            })
            .collect();
        TransportSecurity.evaluate(&Operation::whole_target(), &results, &context)
    }

    #[test]
    fn an_https_api_with_a_plain_http_entrance_or_old_tls_is_found() {
        let old = TransportFacts {
            tls10: Some(true),
            tls11: Some(false),
        };
        let findings = run("https://api.example.com/v1", Some(old), Some((200, &[])));
        let mut kinds: Vec<&str> = findings.iter().map(|f| f.identity.as_str()).collect();
        kinds.sort();
        assert_eq!(kinds, ["TLS 1.0", "plain-http"]);
    }

    #[test]
    fn redirects_closed_ports_and_modern_tls_pass() {
        let modern = TransportFacts {
            tls10: Some(false),
            tls11: Some(false),
        };
        assert!(
            run(
                "https://api.example.com",
                Some(modern.clone()),
                Some((301, &[("location", "https://api.example.com/")]))
            )
            .is_empty()
        );
        // Nothing listens on port 80.
        assert!(run("https://api.example.com", Some(modern), None).is_empty());
        // Unknown (the probe could not connect) is not a finding.
        assert!(
            run(
                "https://api.example.com",
                Some(TransportFacts::default()),
                None
            )
            .is_empty()
        );
    }

    #[test]
    fn plain_http_is_a_finding_except_on_this_machine() {
        assert_eq!(
            run("http://api.example.com", None, Some((200, &[]))).len(),
            1
        );
        assert!(run("http://127.0.0.1:8080", None, Some((200, &[]))).is_empty());
    }
}
