//! VG405 sensitive-data-exposure: responses carry password hashes, secrets, tokens outside the
//! login flow, card or social-security numbers.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct SensitiveDataExposure;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG405"),
    name: Cow::Borrowed("sensitive-data-exposure"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A response carries password hashes, secrets, tokens or card numbers"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[200, 213, 359]),
    owasp_api: Some(OwaspApi::Api3BrokenObjectPropertyLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Data01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every successful JSON response of the run is searched for fields that should never leave the \
             server: password hashes (bcrypt, Argon2, PBKDF2, scrypt, SHA-crypt, or hex digests in \
             password-like fields), `password`/`salt`/`secret`/`apiKey`/`privateKey` values, tokens in \
             anything but the login, registration and refresh answers, card numbers (Luhn-checked) and \
             social-security numbers. Empty and null values are not reported.",
        ),
        why: Cow::Borrowed(
            "`res.json(user)` sends the whole database row. Password hashes are cracked offline, API keys \
             and reset tokens are used directly, and every client that caches the response keeps them.",
        ),
        example_bad: Cow::Borrowed(
            "const user = await User.findByPk(req.params.id);\nres.json(user); // { id, email, passwordHash, resetToken, … }",
        ),
        example_fixed: Cow::Borrowed(
            "const { id, email, name } = await User.findByPk(req.params.id);\nres.json({ id, email, name });",
        ),
        fix: Cow::Borrowed(
            "Return explicit response objects (DTOs, serializers, `select` lists) with only the fields the \
             client needs; mark secret columns as hidden in the ORM (`toJSON`, `@Exclude`, `exclude=`).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/213.html"),
        ]),
    },
};

static HASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$\S+|pbkdf2[_:$]\S+|\$scrypt\$\S+|\$[56]\$\S+\$\S+)$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static HEX_DIGEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static SSN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{3}-\d{2}-\d{4}$").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// What a field exposes, if anything.
fn exposure(key: &str, value: &Value, auth_endpoint: bool) -> Option<&'static str> {
    let text = match value {
        Value::String(text) if !text.trim().is_empty() => text.as_str(),
        Value::Number(_) => "",
        _ => return None,
    };
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if !text.is_empty() && HASH.is_match(text) {
        return Some("a password hash");
    }
    let password_like = key.contains("password")
        || key.contains("passwd")
        || key == "pwd"
        || key.contains("hash")
        || key == "salt";
    if password_like {
        return Some(if !text.is_empty() && HEX_DIGEST.is_match(text) {
            "a password hash"
        } else {
            "a password or hash field"
        });
    }
    if [
        "secret",
        "clientsecret",
        "apikey",
        "apisecret",
        "secretkey",
        "privatekey",
        "accesskeysecret",
        "signingkey",
        "webhooksecret",
    ]
    .iter()
    .any(|k| key.contains(k))
    {
        return Some("a secret");
    }
    let token_like = key.ends_with("token") || key == "jwt";
    if token_like && !auth_endpoint {
        return Some("a token");
    }
    if (key.contains("ssn") || key.contains("socialsecurity")) && SSN.is_match(text) {
        return Some("a social-security number");
    }
    if (key.contains("card") || key == "pan" || key.contains("ccnumber")) && luhn(text) {
        return Some("a card number");
    }
    None
}

/// Whether a string of 13–19 digits (spaces and dashes allowed) passes the Luhn check.
fn luhn(text: &str) -> bool {
    let digits: Vec<u32> = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn walk(value: &Value, path: &str, auth_endpoint: bool, out: &mut Vec<(String, &'static str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}/{key}");
                if let Some(what) = exposure(key, child, auth_endpoint) {
                    out.push((child_path, what));
                } else {
                    walk(child, &child_path, auth_endpoint, out);
                }
            }
        }
        // Lists repeat their items' shape: report each path once, with the index generalised.
        Value::Array(items) => {
            for item in items.iter().take(20) {
                walk(item, &format!("{path}/*"), auth_endpoint, out);
            }
        }
        _ => {}
    }
}

/// Whether an operation issues or refreshes credentials (tokens in its answer are expected).
fn is_auth_endpoint(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        "login", "signin", "sign-in", "token", "auth", "session", "register", "signup", "sign-up",
        "refresh", "oauth",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

impl Check for SensitiveDataExposure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn is_passive(&self) -> bool {
        true
    }

    fn observe(
        &self,
        operation: Option<&Operation>,
        exchange: &Exchange,
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let (Some(operation), Some(response)) = (operation, exchange.response()) else {
            return Vec::new();
        };
        if !response.is_success() {
            return Vec::new();
        }
        let Some(body) = response.json() else {
            return Vec::new();
        };
        let mut exposed = Vec::new();
        walk(&body, "", is_auth_endpoint(&operation.path), &mut exposed);
        exposed.dedup();
        exposed
            .into_iter()
            .map(|(pointer, what)| {
                Finding::new(
                    &META,
                    location(operation, Some(format!("response:{pointer}"))),
                    format!("{} returns {what} at `{pointer}`", operation.label()),
                    format!("{pointer}:{what}"),
                )
                .with_evidence(super::http_evidence(exchange))
                .with_evidence(Evidence::Text {
                    label: "field".into(),
                    text: format!("{pointer} ({what}; value not shown)"),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};

    fn found(path: &str, body: &str) -> Vec<String> {
        let fixture = Fixture::new();
        let op = operation("GET", path, true);
        let url = format!("http://127.0.0.1:8080{path}");
        SensitiveDataExposure
            .observe(
                Some(&op),
                &exchange("GET", &url, 200, &[], body),
                &fixture.context(),
            )
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn hashes_secrets_tokens_and_cards_are_found() {
        let body = r#"{"id": 1, "email": "a@example.com", "password_hash": "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "apiKey": "k-123", "resetToken": "r-1", "card": "4111 1111 1111 1111", "orders": [{"cardNumber": "4242424242424242"}]}"#;
        let messages = found("/api/users/{id}", body);
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("a password hash at `/password_hash`"))
        );
        assert!(messages.iter().any(|m| m.contains("a secret at `/apiKey`")));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("a token at `/resetToken`"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("a card number at `/orders/*/cardNumber`"))
        );
        let bare = found(
            "/api/users/{id}",
            r#"{"name": "x", "hash": "5f4dcc3b5aa765d61d8327deb882cf99"}"#,
        );
        assert!(bare[0].contains("a password hash"));
    }

    #[test]
    fn login_tokens_empty_values_and_ordinary_fields_are_not() {
        assert!(found("/api/login", r#"{"token": "eyJ.x.y", "refreshToken": "r"}"#).is_empty());
        assert!(found("/api/users/{id}", r#"{"id": 1, "name": "A", "email": "a@example.com", "password": null, "tokenCount": 3, "orderNumber": "4111111111111112"}"#).is_empty());
        assert!(found("/api/users/{id}", r#"{"passwordChangedAt": ""}"#).is_empty());
        assert!(found("/api/users/{id}", "not json").is_empty());
    }

    #[test]
    fn luhn_checks_card_numbers() {
        assert!(luhn("4111-1111-1111-1111"));
        assert!(!luhn("4111111111111112"));
        assert!(!luhn("1234"));
    }
}
