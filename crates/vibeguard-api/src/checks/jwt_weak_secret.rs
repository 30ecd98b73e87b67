//! VG411 jwt-weak-secret: the HMAC secret that signs the API's tokens is in a list of common
//! and default secrets. It is found offline from one token (no request per guess); a token
//! forged with it for another user is then sent to prove the API accepts it.

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::jwt::{self, Signing};
use super::{Check, Context, Probe, http_evidence, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct JwtWeakSecret;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG411"),
    name: Cow::Borrowed("jwt-weak-secret"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("The secret that signs the API's tokens is a common or default one"),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[521, 798, 1391]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth07, ChecklistId::Auth04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The first identity's token, when it is HMAC-signed (HS256, HS384, HS512), is checked \
             offline against more than 200,000 candidate secrets: defaults from documentation and \
             templates (`your-256-bit-secret`, `shhhhh`, `keyboard cat`, `changeme`), generated \
             combinations (`supersecretjwtkey123`, `my_secret_key`, `JWT_SECRET_KEY`) and the \
             10,000 most common passwords; then every key of digits and of lowercase letters, \
             shortest first (digits up to 7 and letters up to 5 within 5 s in the standard \
             profile, digits up to 8 within 60 s in the deep one; some 9 million keys per second \
             on two cores), the time and what was searched reported. No request is sent per \
             guess. When the secret is found, \
             a token signed with it for the second identity's subject is sent to a secured read: \
             accepted, the finding is confirmed. The secret is shown masked.",
        ),
        why: Cow::Borrowed(
            "Whoever guesses the secret signs tokens for any user and any role; one token from a \
             free account is enough to guess it offline.",
        ),
        example_bad: Cow::Borrowed("JWT_SECRET=supersecretjwtkey123"),
        example_fixed: Cow::Borrowed(
            "# 256 random bits, generated once, kept in the secrets manager\nJWT_SECRET=$(openssl rand -base64 32)",
        ),
        fix: Cow::Borrowed(
            "Sign with at least 256 random bits from a secrets manager (or an asymmetric key), \
             rotate the secret now (every token signed with the old one is forgeable), and fail at \
             start-up when the secret is missing or short.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1391.html"),
            Cow::Borrowed("https://portswigger.net/web-security/jwt#brute-forcing-secret-keys"),
        ]),
    },
};

/// The label of the forged-token probe, carrying the masked secret for the message.
const FORGED: &str = "forged with the guessed secret";

impl Check for JwtWeakSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        if !jwt::identity_tokens(context)
            .iter()
            .any(|(index, _, token)| *index == 0 && token.alg().starts_with("HS"))
        {
            return Some("the first identity's credential is not an HMAC-signed JSON Web Token");
        }
        jwt::token_target_operation(context)
            .is_none()
            .then_some("no secured GET operation to try tokens on")
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let Some((_, view, own)) = jwt::identity_tokens(context)
            .into_iter()
            .find(|(index, _, _)| *index == 0)
        else {
            return Vec::new();
        };
        let Some((_, request)) = jwt::token_target_operation(context) else {
            return Vec::new();
        };
        let mut probes = jwt::reference_probes(&request, context);
        let search = jwt::search_secret(&own, jwt::search_budget(context.profile));
        if let Some(secret) = &search.secret {
            let mut claims = own.claims.clone();
            match jwt::identity_tokens(context)
                .into_iter()
                .find(|(index, _, _)| *index == 1)
                .and_then(|(_, _, other)| other.claim_text("sub"))
            {
                Some(subject) => {
                    claims.insert("sub".into(), Value::String(subject));
                }
                None => {
                    claims.insert("vibeguard".into(), Value::Bool(true));
                }
            }
            let token = jwt::encode(
                &own.header,
                &claims,
                Signing::Hmac(own.alg(), secret.as_bytes()),
            );
            probes.push(Probe {
                label: format!("{FORGED}: {}", jwt::masked(secret)),
                identity: None,
                request: jwt::with_token(&request, view, &token),
            });
        }
        probes
    }

    fn evaluate(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some((probe, forged)) = results.iter().find(|(p, _)| p.label.starts_with(FORGED))
        else {
            return Vec::new();
        };
        let Some((operation, _)) = jwt::token_target_operation(context) else {
            return Vec::new();
        };
        let masked = probe
            .label
            .trim_start_matches(FORGED)
            .trim_start_matches(": ");
        // The search of the plan, kept per token: how far it went and how long it took.
        let search = jwt::identity_tokens(context)
            .into_iter()
            .find(|(index, _, _)| *index == 0)
            .map(|(_, _, own)| jwt::search_secret(&own, jwt::search_budget(context.profile)));
        let accepted = jwt::operation_discriminates(results)
            && forged.response().is_some_and(|r| r.is_success());
        let acts_as_other = accepted && jwt::acts_as_other(results, forged);
        let message = if acts_as_other {
            let other = context
                .identities
                .get(1)
                .map_or("another user", |i| i.name.as_str());
            format!(
                "the tokens' HMAC secret is a common or short one ({masked}): a token signed with it for {other}'s subject gets {other}'s own answer from {}",
                operation.label()
            )
        } else if accepted {
            format!(
                "the tokens' HMAC secret is a common or short one ({masked}): a token signed with it is accepted by {}",
                operation.label()
            )
        } else {
            format!(
                "the tokens' HMAC secret is a common or short one ({masked}); anyone can sign tokens with it"
            )
        };
        let mut finding = Finding::new(
            &META,
            location(operation, Some("token".into())),
            message,
            "jwt-weak-secret",
        )
        .with_evidence(Evidence::Text {
            label: "offline guess".into(),
            text: match &search {
                Some(search) => format!(
                    "secret {masked} found offline after {} candidates in {:.1} s (searched: {})",
                    search.tried,
                    search.elapsed.as_secs_f64(),
                    search.searched.join(", ")
                ),
                None => format!("secret {masked} found offline"),
            },
        })
        .with_evidence(http_evidence(forged));
        if !accepted {
            finding = finding.with_confidence(Confidence::Firm);
        }
        vec![finding]
    }
}
