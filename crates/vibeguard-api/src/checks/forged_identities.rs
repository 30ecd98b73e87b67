//! Forged identities: once the API takes a token vibeguard made itself — unsigned (`alg:
//! none`), with its signature stripped, signed with an empty or SQL-chosen key (VG410), or
//! signed with the secret VG411 guessed offline — such a token is an identity of its own. One
//! is made for every identity whose credential is a JSON Web Token: its claims, made the way
//! the accepted forgery was. The object check (VG402) then crosses each identity's objects
//! with them, and the role check (VG403) sends the operations reserved for a role with the one
//! forged for the identity that holds it: what the forgery opens, each finding naming its chain.
//!
//! Decided before the other checks are planned, by a handful of requests ([`probes`]) judged
//! by [`identities`]: a secured read that takes the first identity's token and refuses none is
//! sent a forged token for the second identity's claims, which must get the second identity's
//! own answer (with one identity, its own claims and a successful answer).

use serde_json::{Map, Value};

use super::jwt::{self, Jwt, Signing};
use super::jwt_forgery_accepted::forge;
use super::{Context, Forged, IdentityView, Probe};
use crate::http::Exchange;

/// The ways of forging tried, by the label [`forge`] knows them by.
const KINDS: &[&str] = &[
    "forged: alg none",
    "forged: alg None",
    "forged: alg NONE",
    "forged: stripped signature",
    "forged: kid /dev/null with an empty key",
    "forged: kid SQL injection",
];

/// The label of the token signed with the secret VG411's search found.
const GUESSED: &str = "signed with the guessed secret";

/// Claims that change from one token of an identity to the next: kept from the first
/// identity's token (a fresh `exp`), the others are the impersonated identity's.
const TIME_CLAIMS: &[&str] = &["iat", "exp", "nbf", "jti"];

/// The label of a verifying probe.
fn label(kind: &str) -> String {
    format!("forged as another: {kind}")
}

/// How a finding names the chain.
fn how(kind: &str) -> String {
    match kind.strip_prefix("forged: ") {
        Some(kind) => format!("{kind}, VG410"),
        None => format!("{kind}, VG411"),
    }
}

/// `other`'s claims with the first identity's time claims.
fn claims_as(own: &Jwt, other: &Jwt) -> Map<String, Value> {
    let mut claims = other.claims.clone();
    for name in TIME_CLAIMS {
        match own.claims.get(*name) {
            Some(value) => {
                claims.insert((*name).to_string(), value.clone());
            }
            None => {
                claims.remove(*name);
            }
        }
    }
    claims
}

/// A token with `claims`, made as `kind` makes them (`secret` for [`GUESSED`]).
fn token(
    kind: &str,
    own: &Jwt,
    claims: &Map<String, Value>,
    secret: Option<&str>,
) -> Option<String> {
    if kind == GUESSED {
        let secret = secret?;
        return Some(jwt::encode(
            &own.header,
            claims,
            Signing::Hmac(own.alg(), secret.as_bytes()),
        ));
    }
    forge(kind, &own.header, claims)
}

/// The secret VG411's offline search finds for the first identity's token (the search is
/// kept per token: the check reuses it).
fn guessed_secret(own: &Jwt, context: &Context<'_>) -> Option<String> {
    if !own.alg().starts_with("HS") {
        return None;
    }
    jwt::search_secret(own, jwt::search_budget(context.profile)).secret
}

/// The first identity's credential, when it is a JSON Web Token, with the decoded token.
fn own_token<'a>(context: &'a Context<'_>) -> Option<(&'a IdentityView, Jwt)> {
    jwt::identity_tokens(context)
        .into_iter()
        .find(|(index, _, _)| *index == 0)
        .map(|(_, view, token)| (view, token))
}

/// Whom the verifying probes impersonate: the second identity, else the first.
fn verified_as(context: &Context<'_>) -> Option<(usize, Jwt)> {
    let tokens = jwt::identity_tokens(context);
    tokens
        .iter()
        .find(|(index, _, _)| *index == 1)
        .or_else(|| tokens.iter().find(|(index, _, _)| *index == 0))
        .map(|(index, _, token)| (*index, token.clone()))
}

/// The requests that decide whether the API takes forged tokens: the references (the first
/// identity's token, none, the second identity's) on a secured read, and that read with a
/// token forged each way for the second identity's claims. Nothing when the first identity's
/// credential is not a JSON Web Token or no read tells tokens apart. `guess_secret`: whether
/// VG411's offline search for the signing secret runs (seconds of CPU: only when that check
/// does).
pub fn probes(context: &Context<'_>, guess_secret: bool) -> Vec<Probe> {
    let Some((view, own)) = own_token(context) else {
        return Vec::new();
    };
    let (Some((_, request)), Some((_, other))) =
        (jwt::token_target_operation(context), verified_as(context))
    else {
        return Vec::new();
    };
    let claims = claims_as(&own, &other);
    let secret = guess_secret
        .then(|| guessed_secret(&own, context))
        .flatten();
    let mut probes = jwt::reference_probes(&request, context);
    for kind in KINDS.iter().copied().chain([GUESSED]) {
        if let Some(forged) = token(kind, &own, &claims, secret.as_deref()) {
            probes.push(Probe {
                label: label(kind),
                identity: None,
                request: jwt::with_token(&request, view, &forged),
            });
        }
    }
    probes
}

/// The forged identities [`probes`]' answers allow: none unless a forgery for the second
/// identity got its own answer (or, with one identity, any successful answer where no token
/// is refused). Then one per identity whose credential is a JSON Web Token, appended after
/// the configured ones, in their order.
pub fn identities(context: &Context<'_>, results: &[(Probe, Exchange)]) -> Vec<IdentityView> {
    let Some((_, own)) = own_token(context) else {
        return Vec::new();
    };
    let Some((verified, _)) = verified_as(context) else {
        return Vec::new();
    };
    if !jwt::operation_discriminates(results) {
        return Vec::new();
    }
    let Some(kind) = KINDS.iter().copied().chain([GUESSED]).find(|kind| {
        jwt::answer(results, &label(kind)).is_some_and(|exchange| {
            exchange.response().is_some_and(|r| r.is_success())
                && (verified == 0 || jwt::acts_as_other(results, exchange))
        })
    }) else {
        return Vec::new();
    };
    let secret = if kind == GUESSED {
        guessed_secret(&own, context)
    } else {
        None
    };
    jwt::identity_tokens(context)
        .into_iter()
        .filter_map(|(index, view, token)| {
            let forged = self::token(kind, &own, &claims_as(&own, &token), secret.as_deref())?;
            let how = how(kind);
            Some(IdentityView {
                name: format!("a token forged for {} ({how})", view.name),
                role: view.role.clone(),
                // It owns nothing and fills no path: it only calls.
                user_id: None,
                account: crate::identity::Account::default(),
                credential: view.credential.with_token(&view.token, &forged),
                token: forged,
                login: None,
                session: None,
                forged: Some(Forged {
                    impersonates: index,
                    how,
                }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Profile;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::identity::Credential;
    use serde_json::json;

    /// Two identities with HS256 tokens signed with a key no search finds, and a secured
    /// `GET /api/me` to try tokens on.
    fn fixture() -> Fixture {
        fixture_signed_with(b"k3Y-not-in-any-list-8d1f0c2e")
    }

    fn fixture_signed_with(key: &[u8]) -> Fixture {
        let mut fixture = Fixture::new();
        fixture
            .spec
            .operations
            .push(operation("GET", "/api/me", true));
        for (view, (sub, role)) in fixture
            .identities
            .iter_mut()
            .zip([("1", "user"), ("2", "user")])
        {
            let header = json!({"alg": "HS256", "typ": "JWT"});
            let claims = json!({"sub": sub, "role": role, "exp": 4_000_000_000u64});
            let (Value::Object(header), Value::Object(claims)) = (header, claims) else {
                unreachable!()
            };
            let raw = jwt::encode(&header, &claims, Signing::Hmac("HS256", key));
            view.token = raw.clone();
            view.credential = Credential::Header {
                name: "Authorization".into(),
                value: format!("Bearer {raw}"),
            };
        }
        fixture
    }

    fn answered(probes: &[Probe], forged_answer: (u16, &str)) -> Vec<(Probe, Exchange)> {
        probes
            .iter()
            .map(|probe| {
                let (status, body) = match probe.label.as_str() {
                    "reference" => (200, r#"{"id":1,"name":"alice","email":"a@x.test"}"#),
                    "no credentials" => (401, r#"{"error":"unauthorized"}"#),
                    "other identity" => (200, r#"{"id":2,"name":"bob","email":"b@x.test"}"#),
                    label if label == super::label("forged: alg none") => forged_answer,
                    _ => (401, r#"{"error":"bad token"}"#),
                };
                (
                    probe.clone(),
                    exchange("GET", "http://127.0.0.1:8080/api/me", status, &[], body),
                )
            })
            .collect()
    }

    #[test]
    fn a_forgery_that_gets_the_other_identitys_answer_makes_one_identity_per_token() {
        let fixture = fixture();
        let mut context = fixture.context();
        context.profile = Profile::Quick;
        let probes = probes(&context, true);
        // The references, and bob's claims forged every way (no secret was guessed).
        assert_eq!(probes.len(), 3 + KINDS.len());
        let bob_forged = probes
            .iter()
            .find(|p| p.label == label("forged: alg none"))
            .and_then(|p| p.request.header_value("authorization"))
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(Jwt::parse)
            .expect("a forged token");
        assert_eq!(bob_forged.alg(), "none");
        assert_eq!(bob_forged.claim_text("sub").as_deref(), Some("2"));

        let results = answered(
            &probes,
            (200, r#"{"id":2,"name":"bob","email":"b@x.test"}"#),
        );
        let forged = identities(&context, &results);
        assert_eq!(forged.len(), 2);
        assert_eq!(forged[0].name, "a token forged for alice (alg none, VG410)");
        assert_eq!(
            forged[1].forged,
            Some(Forged {
                impersonates: 1,
                how: "alg none, VG410".into()
            })
        );
        // It owns nothing; its credential is the forged token, in the identity's header.
        assert!(
            forged
                .iter()
                .all(|f| f.user_id.is_none() && f.login.is_none())
        );
        let token = Jwt::parse(&forged[1].token).expect("token");
        assert_eq!(token.claim_text("sub").as_deref(), Some("2"));
        assert_eq!(token.alg(), "none");
        assert!(matches!(
            &forged[1].credential,
            Credential::Header { value, .. } if value == &format!("Bearer {}", forged[1].token)
        ));
    }

    #[test]
    fn a_guessed_secret_signs_a_forgery_only_when_its_search_is_asked_for() {
        let fixture = fixture_signed_with(b"secret");
        let mut context = fixture.context();
        context.profile = Profile::Quick;
        let guessed = label(GUESSED);
        assert!(probes(&context, true).iter().any(|p| p.label == guessed));
        assert!(!probes(&context, false).iter().any(|p| p.label == guessed));
    }

    #[test]
    fn refused_forgeries_or_an_answer_that_is_not_the_other_identitys_make_none() {
        let fixture = fixture();
        let mut context = fixture.context();
        context.profile = Profile::Quick;
        let probes = probes(&context, true);
        // Refused.
        let refused = answered(&probes, (401, r#"{"error":"bad token"}"#));
        assert!(identities(&context, &refused).is_empty());
        // Accepted, but answered as the first identity (or a generic page): it does not act
        // as bob, so nothing says the claims are believed.
        let own = answered(
            &probes,
            (200, r#"{"id":1,"name":"alice","email":"a@x.test"}"#),
        );
        assert!(identities(&context, &own).is_empty());
        // A read that takes no token either tells nothing.
        let mut open = answered(
            &probes,
            (200, r#"{"id":2,"name":"bob","email":"b@x.test"}"#),
        );
        for (probe, exchange) in &mut open {
            if probe.label == "no credentials" {
                *exchange = crate::checks::testing::exchange(
                    "GET",
                    "http://127.0.0.1:8080/api/me",
                    200,
                    &[],
                    "{}",
                );
            }
        }
        assert!(identities(&context, &open).is_empty());
    }

    #[test]
    fn forged_identities_are_the_only_callers_the_owners_own_first() {
        let mut fixture = fixture();
        let mut context = fixture.context();
        context.profile = Profile::Quick;
        let results = answered(
            &probes(&context, true),
            (200, r#"{"id":2,"name":"bob","email":"b@x.test"}"#),
        );
        let forged = identities(&context, &results);
        // Without forged identities: the configured peers.
        assert_eq!(context.peers(0), [1]);
        fixture.identities.extend(forged);
        let context = fixture.context();
        assert_eq!(context.peers(0), [2, 3]);
        assert_eq!(context.peers(1), [3, 2]);
    }
}
