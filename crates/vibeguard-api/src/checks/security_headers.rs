//! VG406 security-headers: responses lack the headers that protect clients (CSP,
//! X-Frame-Options or frame-ancestors, X-Content-Type-Options, Referrer-Policy, HSTS on HTTPS)
//! or disclose server versions. The response is graded A+ to F, with the deductions shown.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context};
use crate::http::{Exchange, Response};
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct SecurityHeaders;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG406"),
    name: Cow::Borrowed("security-headers"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Responses lack security headers or disclose server versions"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[693, 1021, 200]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api06, ChecklistId::Tls02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The first successful response of the run is graded: 100 points minus 25 for no \
             Content-Security-Policy, 20 for neither X-Frame-Options nor CSP frame-ancestors, 20 for no \
             `X-Content-Type-Options: nosniff`, 10 for no Referrer-Policy, 10 for a Server header with a \
             version, 10 for X-Powered-By; on HTTPS, 25 for no Strict-Transport-Security (reported on its \
             own too). Below 90 (grade A) is a finding.",
        ),
        why: Cow::Borrowed(
            "These headers are the browser's defence against clickjacking, content sniffing and script \
             injection; version banners tell an attacker which exploits to try. Frameworks do not send \
             them by default, and assistants rarely add them.",
        ),
        example_bad: Cow::Borrowed(
            "HTTP/1.1 200 OK\nX-Powered-By: Express\nContent-Type: application/json",
        ),
        example_fixed: Cow::Borrowed(
            "HTTP/1.1 200 OK\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'\nX-Content-Type-Options: nosniff\nX-Frame-Options: DENY\nReferrer-Policy: no-referrer\nStrict-Transport-Security: max-age=31536000; includeSubDomains",
        ),
        fix: Cow::Borrowed(
            "Set the headers in one middleware (helmet for Express, `secure` for FastAPI, django's \
             SecurityMiddleware) and remove version banners (`app.disable('x-powered-by')`).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://owasp.org/www-project-secure-headers/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/693.html"),
        ]),
    },
};

/// The grade of a response's headers, with each deduction.
pub fn grade(response: &Response, https: bool) -> (u32, &'static str, Vec<String>) {
    let mut deductions = Vec::new();
    let csp = response.header("content-security-policy");
    if csp.is_none() {
        deductions.push((25, "no Content-Security-Policy".to_string()));
    }
    let frame_ancestors = csp.is_some_and(|policy| policy.contains("frame-ancestors"));
    if response.header("x-frame-options").is_none() && !frame_ancestors {
        deductions.push((
            20,
            "neither X-Frame-Options nor CSP frame-ancestors".to_string(),
        ));
    }
    if !response
        .header("x-content-type-options")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"))
    {
        deductions.push((20, "no X-Content-Type-Options: nosniff".to_string()));
    }
    if response.header("referrer-policy").is_none() {
        deductions.push((10, "no Referrer-Policy".to_string()));
    }
    if let Some(server) = response
        .header("server")
        .filter(|s| s.chars().any(|c| c.is_ascii_digit()))
    {
        deductions.push((10, format!("Server header discloses a version ({server})")));
    }
    if let Some(powered) = response.header("x-powered-by") {
        deductions.push((10, format!("X-Powered-By discloses the stack ({powered})")));
    }
    if https && response.header("strict-transport-security").is_none() {
        deductions.push((25, "no Strict-Transport-Security".to_string()));
    }
    let lost: u32 = deductions.iter().map(|(points, _)| points).sum();
    let score = 100u32.saturating_sub(lost);
    let letter = match score {
        100 => "A+",
        90..=99 => "A",
        80..=89 => "B",
        70..=79 => "C",
        60..=69 => "D",
        _ => "F",
    };
    (
        score,
        letter,
        deductions
            .into_iter()
            .map(|(points, what)| format!("-{points} {what}"))
            .collect(),
    )
}

impl Check for SecurityHeaders {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn is_passive(&self) -> bool {
        true
    }

    fn observe(
        &self,
        _operation: Option<&Operation>,
        exchange: &Exchange,
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(response) = exchange.response().filter(|r| r.is_success()) else {
            return Vec::new();
        };
        let https = exchange.request.url.scheme() == "https";
        let (score, letter, deductions) = grade(response, https);
        let origin = context.base.origin().ascii_serialization();
        // One finding per origin, wherever it was first seen: the headers are a property of the
        // server, not of one path (the evidence shows the exchange that was graded).
        let location = vibeguard_core::Location::operation(
            "*",
            context.base.path(),
            Some("response headers".into()),
        );
        let mut findings = Vec::new();
        if score < 90 {
            let severity = if score < 60 {
                Severity::Medium
            } else {
                Severity::Low
            };
            let mut finding = Finding::new(
                &META,
                location.clone(),
                format!(
                    "Security headers of {origin} grade {letter} ({score}/100): {}",
                    deductions.join(", ")
                ),
                format!("headers:{origin}"),
            )
            .with_severity(severity)
            .with_evidence(Evidence::Text {
                label: "deductions".into(),
                text: deductions.join("\n"),
            })
            .with_evidence(super::http_evidence(exchange));
            finding.checklist = vec![ChecklistId::Api06];
            findings.push(finding);
        }
        if https && response.header("strict-transport-security").is_none() {
            let mut finding = Finding::new(
                &META,
                location,
                format!("{origin} is served over HTTPS without Strict-Transport-Security"),
                format!("hsts:{origin}"),
            );
            finding.checklist = vec![ChecklistId::Tls02];
            findings.push(finding);
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange};

    #[test]
    fn grades_with_deductions() {
        let bare = Response {
            status: 200,
            headers: vec![("X-Powered-By".into(), "Express".into())],
            body: vec![],
            truncated: false,
        };
        let (score, letter, deductions) = grade(&bare, false);
        assert_eq!((score, letter), (15, "F"));
        assert_eq!(deductions.len(), 5);
        let complete = Response {
            status: 200,
            headers: vec![
                (
                    "Content-Security-Policy".into(),
                    "default-src 'none'; frame-ancestors 'none'".into(),
                ),
                ("X-Content-Type-Options".into(), "nosniff".into()),
                ("Referrer-Policy".into(), "no-referrer".into()),
                (
                    "Strict-Transport-Security".into(),
                    "max-age=31536000".into(),
                ),
                ("Server".into(), "nginx".into()),
            ],
            body: vec![],
            truncated: false,
        };
        assert_eq!(grade(&complete, true).1, "A+");
        assert_eq!(grade(&complete, false).0, 100, "HSTS only counts on HTTPS");
    }

    #[test]
    fn reports_weak_headers_and_missing_hsts_on_https_only() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let weak = exchange(
            "GET",
            "http://127.0.0.1:8080/api/tasks",
            200,
            &[("X-Powered-By", "Express")],
            "[]",
        );
        let found = SecurityHeaders.observe(None, &weak, &context);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("grade F (15/100)"),
            "{}",
            found[0].message
        );
        let https = exchange(
            "GET",
            "https://api.example.com/x",
            200,
            &[
                (
                    "Content-Security-Policy",
                    "default-src 'none'; frame-ancestors 'none'",
                ),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
            ],
            "",
        );
        let found = SecurityHeaders.observe(None, &https, &context);
        assert_eq!(found.len(), 2, "grade B plus the missing HSTS");
        let good = exchange(
            "GET",
            "http://127.0.0.1:8080/x",
            200,
            &[
                (
                    "Content-Security-Policy",
                    "default-src 'none'; frame-ancestors 'none'",
                ),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
            ],
            "",
        );
        assert!(SecurityHeaders.observe(None, &good, &context).is_empty());
        let error = exchange("GET", "http://127.0.0.1:8080/x", 404, &[], "");
        assert!(SecurityHeaders.observe(None, &error, &context).is_empty());
    }
}
