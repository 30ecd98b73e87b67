//! VG412 jwt-lifetime: the API's tokens never expire (no `exp` claim), live for more than a day,
//! or an expired token is still accepted (tried when vibeguard can sign one: the secret was
//! guessed, or the API accepts unsigned tokens).

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::jwt::{self, Jwt, Signing};
use super::{Check, Context, Probe, http_evidence, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct JwtLifetime;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG412"),
    name: Cow::Borrowed("jwt-lifetime"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "The API's tokens never expire, live too long, or are accepted after expiry",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[613, 672]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth07, ChecklistId::Auth04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The tokens the API issued to the configured identities are decoded: no `exp` claim is \
             a finding (high), a lifetime (`exp` − `iat`) over 24 hours is a finding (medium). When \
             vibeguard can sign a token — the HMAC secret is in its list of common secrets, or the \
             API accepts unsigned (`alg: none`) tokens — a copy of the first identity's token that \
             expired before it was issued is sent to a secured read; accepted, the API does not \
             check expiry at all.",
        ),
        why: Cow::Borrowed(
            "A token that never expires is a permanent key: stolen from a log, a browser or a \
             proxy, it keeps working after a password change and cannot be revoked.",
        ),
        example_bad: Cow::Borrowed("jwt.sign({ sub: user.id, role: user.role }, secret);"),
        example_fixed: Cow::Borrowed(
            "jwt.sign({ sub: user.id }, secret, { expiresIn: '15m' }); // plus a refresh token kept server-side",
        ),
        fix: Cow::Borrowed(
            "Give access tokens a short lifetime (minutes), verify `exp` on every request (the \
             verify function does; `decode` does not), and renew them with refresh tokens that \
             can be revoked.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://datatracker.ietf.org/doc/html/rfc8725#section-3.10"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/613.html"),
        ]),
    },
};

/// Lifetimes over this many seconds are too long for an access token.
const MAX_LIFETIME_SECONDS: i64 = 24 * 3600;

const EXPIRED: &str = "expired token";

fn number(jwt: &Jwt, claim: &str) -> Option<i64> {
    jwt.claims
        .get(claim)
        .and_then(Value::as_f64)
        .map(|n| n as i64)
}

impl Check for JwtLifetime {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        jwt::identity_tokens(context)
            .is_empty()
            .then_some("no identity's credential is a JSON Web Token")
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let Some((index, view, own)) = jwt::identity_tokens(context).into_iter().next() else {
            return Vec::new();
        };
        let Some((_, request)) = jwt::token_target_operation(context) else {
            return Vec::new();
        };
        let mut probes = jwt::reference_probes(&request, context);
        if index != 0 {
            return probes;
        }
        // Expired before it was issued: in the past whatever the clocks say.
        let mut claims = own.claims.clone();
        let expired_at = number(&own, "iat").map_or(1, |iat| iat - 60);
        claims.insert("exp".into(), Value::from(expired_at));
        let signed = match jwt::search_secret(&own, jwt::search_budget(context.profile)).secret {
            Some(secret) if own.alg().starts_with("HS") => Some(jwt::encode(
                &own.header,
                &claims,
                Signing::Hmac(own.alg(), secret.as_bytes()),
            )),
            _ => None,
        };
        let mut unsigned_header = own.header.clone();
        unsigned_header.insert("alg".into(), Value::String("none".into()));
        let unsigned = jwt::encode(&unsigned_header, &claims, Signing::Unsigned);
        // The unsigned variant proves expiry only if unsigned tokens are accepted at all:
        // `evaluate` checks that with the unchanged unsigned token.
        for (label, token) in [
            (format!("{EXPIRED}, signed"), signed),
            (format!("{EXPIRED}, unsigned"), Some(unsigned)),
            (
                "valid unsigned token".to_string(),
                Some(jwt::encode(
                    &unsigned_header,
                    &own.claims,
                    Signing::Unsigned,
                )),
            ),
        ] {
            if let Some(token) = token {
                probes.push(Probe {
                    label,
                    identity: None,
                    request: jwt::with_token(&request, view, &token),
                });
            }
        }
        probes
    }

    fn evaluate(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some((_, _, own)) = jwt::identity_tokens(context).into_iter().next() else {
            return Vec::new();
        };
        let Some((operation, _)) = jwt::token_target_operation(context) else {
            return Vec::new();
        };
        let claims_text = Evidence::Text {
            label: "claims of the token the API issued".into(),
            text: Value::Object(own.claims.clone()).to_string(),
        };
        let mut findings = Vec::new();
        let reference = jwt::answer(results, "reference");
        match (number(&own, "exp"), number(&own, "iat")) {
            (None, _) => {
                let mut finding = Finding::new(
                    &META,
                    location(operation, Some("token".into())),
                    "the API's tokens have no expiry (`exp` claim): a stolen token works forever",
                    "no-exp",
                )
                .with_evidence(claims_text.clone());
                if let Some(reference) = reference {
                    finding = finding.with_evidence(http_evidence(reference));
                }
                findings.push(finding);
            }
            (Some(exp), Some(iat)) if exp - iat > MAX_LIFETIME_SECONDS => {
                findings.push(
                    Finding::new(
                        &META,
                        location(operation, Some("token".into())),
                        format!(
                            "the API's tokens live {} hours (`exp` − `iat`): access tokens should live minutes",
                            (exp - iat) / 3600
                        ),
                        "long-lived",
                    )
                    .with_severity(Severity::Medium)
                    .with_evidence(claims_text.clone()),
                );
            }
            _ => {}
        }
        if jwt::operation_discriminates(results) {
            let accepted = |label: &str| {
                jwt::answer(results, label).filter(|e| e.response().is_some_and(|r| r.is_success()))
            };
            let unsigned_works = accepted("valid unsigned token").is_some();
            let expired = accepted(&format!("{EXPIRED}, signed"))
                .or_else(|| accepted(&format!("{EXPIRED}, unsigned")).filter(|_| unsigned_works));
            if let Some(exchange) = expired {
                let mut finding = Finding::new(
                    &META,
                    location(operation, Some("token".into())),
                    format!(
                        "{} accepts an expired token: expiry is not checked",
                        operation.label()
                    ),
                    "expired-accepted",
                )
                .with_evidence(http_evidence(exchange));
                if accepted(&format!("{EXPIRED}, signed")).is_none() {
                    // Unsigned acceptance is VG410's finding; expiry follows from it.
                    finding = finding.with_confidence(Confidence::Firm);
                }
                findings.push(finding);
            }
        }
        findings
    }
}
