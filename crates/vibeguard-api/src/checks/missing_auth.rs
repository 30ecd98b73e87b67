//! VG401 missing-auth: an operation that requires authentication answers successfully without
//! credentials, with a malformed token, or with a token whose signature was tampered with.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, finding};
use crate::http::Exchange;
use crate::identity::Credential;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct MissingAuth;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG401"),
    name: Cow::Borrowed("missing-auth"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "An operation that requires authentication answers without valid credentials",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[306, 287, 347]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every operation whose description declares security (or that `[api] private` names) is \
             called three ways: with no credentials, with a malformed token, and with a real token whose \
             signature was altered. Any 2xx answer is a finding.",
        ),
        why: Cow::Borrowed(
            "Assistants add an auth middleware to some routers and forget others, or decode a JWT without \
             verifying it (`jwt.decode` instead of `jwt.verify`). Either way anyone on the internet can \
             call the operation; with a forged token, as any user.",
        ),
        example_bad: Cow::Borrowed(
            "router.get('/users/:id', async (req, res) => {\n  const user = jwt.decode(req.headers.authorization.split(' ')[1]);\n  res.json(await User.findById(req.params.id));\n});",
        ),
        example_fixed: Cow::Borrowed(
            "router.get('/users/:id', requireAuth, async (req, res) => { … });\n// requireAuth: jwt.verify(token, secret, { algorithms: ['HS256'] }) → 401 on failure",
        ),
        fix: Cow::Borrowed(
            "Put authentication in front of every non-public route (deny by default, allowlist the public \
             ones), and verify tokens — signature, algorithm, expiry — rather than decoding them.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/306.html"),
        ]),
    },
};

/// A JWT with its signature's last characters changed, keeping the same length and alphabet.
pub fn tampered(token: &str) -> Option<String> {
    let (signed, signature) = token.rsplit_once('.')?;
    if signed.split('.').count() != 2 || signature.len() < 4 {
        return None;
    }
    let flipped: String = signature
        .chars()
        .rev()
        .take(4)
        .map(|c| if c == 'A' { 'B' } else { 'A' })
        .collect();
    Some(format!(
        "{signed}.{}{flipped}",
        &signature[..signature.len() - 4]
    ))
}

/// Why an operation that answered the coverage round's anonymous request is not judged: it
/// declares no security (a description without `security`, or a route the code leaves open),
/// no configuration says it is public or private, and it is no login, sign-up or reset (open
/// by nature). Whether it should require credentials is then unknown, and its open answer is
/// neither a finding nor a pass: AUTH-01 stays "not verified" there until `[api] public` or
/// `private` says which.
pub fn undecided(operation: &Operation, context: &Context<'_>) -> Option<&'static str> {
    let declared = context.policy.requires_auth(operation)
        || context.policy.public.iter().any(|p| p.matches(operation))
        || context.policy.access_for(operation).is_some()
        || !matches!(operation.security, crate::spec::Security::Undeclared);
    if declared
        || super::auth_flows::flow(operation).is_some()
        || operation.ends_session()
        || context.policy.required_role(operation).is_some()
    {
        return None;
    }
    Some(
        "answered without credentials, and neither the description nor the configuration says whether it should require them (list it under [api] public or private)",
    )
}

impl Check for MissingAuth {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn essential(&self) -> bool {
        true
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        (!context
            .spec
            .operations
            .iter()
            .any(|op| context.policy.requires_auth(op)))
        .then_some("no operation declares security (declare private ones with [api] private)")
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if !context.policy.requires_auth(operation) {
            return Vec::new();
        }
        // Act on the first identity's second object, so deletion here does not take away the
        // object the authorization tests use.
        let owner = (!context.identities.is_empty()).then_some(0);
        let Some(request) = context.request(operation, owner, 1) else {
            return Vec::new();
        };
        let header_name = context
            .identities
            .iter()
            .find_map(|identity| match &identity.credential {
                Credential::Header { name, .. } => Some(name.clone()),
                Credential::Cookie { .. } => None,
            })
            .unwrap_or_else(|| "Authorization".into());
        let bearer = header_name.eq_ignore_ascii_case("authorization");
        let with_token = |label: &str, token: &str| {
            let value = if bearer {
                format!("Bearer {token}")
            } else {
                token.to_string()
            };
            Probe {
                label: label.into(),
                identity: None,
                request: request.clone().header(&header_name, &value),
            }
        };
        let mut probes = vec![
            Probe {
                label: "no credentials".into(),
                identity: None,
                request: request.clone(),
            },
            with_token("a malformed token", "vibeguard.malformed.token"),
        ];
        if let Some(token) = context
            .identities
            .iter()
            .find_map(|identity| tampered(&identity.token))
        {
            probes.push(with_token("a token with a tampered signature", &token));
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let accepted: Vec<&(Probe, Exchange)> = results
            .iter()
            .filter(|(_, exchange)| exchange.response().is_some_and(|r| r.is_success()))
            .collect();
        let Some((_, first)) = accepted.first() else {
            return Vec::new();
        };
        let ways: Vec<&str> = accepted
            .iter()
            .map(|(probe, _)| probe.label.as_str())
            .collect();
        let status = first.status().unwrap_or(200);
        let mut found = finding(
            &META,
            operation,
            format!(
                "{} requires authentication but answered {status} with {}",
                operation.label(),
                ways.join(", with ")
            ),
            "missing-auth".into(),
            Some(first),
        );
        if operation.is_destructive() {
            found = found.with_severity(Severity::Critical);
        }
        vec![found]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation, probe};

    #[test]
    fn tampering_keeps_the_shape_of_the_token() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnop";
        let forged = tampered(token).expect("a JWT");
        assert_ne!(forged, token);
        assert_eq!(forged.len(), token.len());
        assert!(forged.starts_with("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0."));
        assert_eq!(tampered("opaque-token"), None);
    }

    #[test]
    fn plans_three_probes_for_secured_operations_only() {
        let mut fixture = Fixture::new();
        fixture.identities[0].token = "aaa.bbb.cccccccc".into();
        let context = fixture.context();
        let labels: Vec<String> = MissingAuth
            .plan(&operation("GET", "/api/me", true), &context)
            .into_iter()
            .map(|p| p.label)
            .collect();
        assert_eq!(
            labels,
            vec![
                "no credentials",
                "a malformed token",
                "a token with a tampered signature"
            ]
        );
        assert!(
            MissingAuth
                .plan(&operation("GET", "/api/health", false), &context)
                .is_empty()
        );
        // A delete on something vibeguard did not create is not sent.
        assert!(
            MissingAuth
                .plan(&operation("DELETE", "/api/tasks/{id}", true), &context)
                .is_empty()
        );
    }

    #[test]
    fn a_2xx_is_a_finding_and_401_403_or_400_are_not() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = operation("GET", "/api/users/{id}", true);
        let url = "http://127.0.0.1:8080/api/users/1";
        let open = vec![
            (
                probe("no credentials", None, "GET", url),
                exchange("GET", url, 401, &[], ""),
            ),
            (
                probe("a token with a tampered signature", None, "GET", url),
                exchange("GET", url, 200, &[], "{\"id\":1}"),
            ),
        ];
        let found = MissingAuth.evaluate(&op, &open, &context);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("answered 200 with a token with a tampered signature"),
            "{}",
            found[0].message
        );
        let closed = vec![
            (
                probe("no credentials", None, "GET", url),
                exchange("GET", url, 401, &[], ""),
            ),
            (
                probe("a malformed token", None, "GET", url),
                exchange("GET", url, 400, &[], ""),
            ),
            (
                probe("tampered", None, "GET", url),
                exchange("GET", url, 403, &[], ""),
            ),
        ];
        assert!(MissingAuth.evaluate(&op, &closed, &context).is_empty());
    }
}
