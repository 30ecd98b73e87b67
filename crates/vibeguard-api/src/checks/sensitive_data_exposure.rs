//! VG405 sensitive-data-exposure: responses carry password hashes, secrets, tokens outside the
//! login flow, card or social-security numbers.

use serde_json::Value;
use std::borrow::Cow;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
    password_hash,
};

use super::{Check, Context, location};
use crate::http::Exchange;
use crate::spec::Operation;
use vibeguard_http::leaks::{is_auth_endpoint, sensitive_fields};

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
             social-security numbers. Empty and null values are not reported. A leaked password \
             hash is also read for how passwords are stored (scheme and cost: `$2b$04$` is \
             bcrypt at cost 4; a bare 32-character hex digest is MD5): a weak one fails AUTH-03 \
             too.",
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
        sensitive_fields(&body, is_auth_endpoint(&operation.path))
            .into_iter()
            .map(|(pointer, what)| {
                let mut finding = Finding::new(
                    &META,
                    location(operation, Some(format!("response:{pointer}"))),
                    format!("{} returns {what} at `{pointer}`", operation.label()),
                    format!("{pointer}:{what}"),
                )
                .with_evidence(super::http_evidence(exchange))
                .with_evidence(Evidence::Text {
                    label: "field".into(),
                    text: format!("{pointer} ({what}; value not shown)"),
                });
                // The hash says how passwords are stored: a weak one also fails AUTH-03.
                if what == "a password hash"
                    && let Some(strength) = hash_strength(&body, &pointer)
                {
                    finding
                        .message
                        .push_str(&format!(" ({})", strength.describe()));
                    finding.evidence.push(Evidence::Text {
                        label: "password storage".into(),
                        text: strength.describe(),
                    });
                    if strength.weakness.is_some() {
                        finding.checklist.push(ChecklistId::Auth03);
                    }
                }
                finding
            })
            .collect()
    }
}

/// The value at a pointer whose list items are generalised to `*` (the first item is read).
fn value_at<'a>(body: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut current = body;
    for part in pointer.split('/').skip(1) {
        current = match current {
            Value::Array(items) if part == "*" => items.first()?,
            Value::Object(map) => map.get(part)?,
            _ => return None,
        };
    }
    Some(current)
}

/// How the hash at `pointer` stores passwords: its scheme and cost, or a bare fast digest.
fn hash_strength(body: &Value, pointer: &str) -> Option<password_hash::HashStrength> {
    let text = value_at(body, pointer)?.as_str()?;
    let found = password_hash::hashes_in(text);
    password_hash::weakest(&found)
        .cloned()
        .or_else(|| password_hash::bare_digest(text))
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
        assert!(bare[0].contains("MD5"), "{bare:?}");
    }

    fn checklist(body: &str) -> Vec<Vec<ChecklistId>> {
        let fixture = Fixture::new();
        let op = operation("GET", "/api/users", true);
        SensitiveDataExposure
            .observe(
                Some(&op),
                &exchange("GET", "http://127.0.0.1:8080/api/users", 200, &[], body),
                &fixture.context(),
            )
            .into_iter()
            .map(|f| f.checklist)
            .collect()
    }

    #[test]
    fn a_weak_leaked_hash_also_fails_auth_03_and_a_strong_one_does_not() {
        let weak = checklist(
            r#"[{"id": 1, "passwordHash": "$2b$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"}]"#,
        );
        assert_eq!(weak, [vec![ChecklistId::Data01, ChecklistId::Auth03]]);
        let strong = checklist(
            r#"[{"id": 1, "passwordHash": "$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"}]"#,
        );
        assert_eq!(strong, [vec![ChecklistId::Data01]]);
        let md5 = checklist(r#"{"password": "5f4dcc3b5aa765d61d8327deb882cf99"}"#);
        assert_eq!(md5, [vec![ChecklistId::Data01, ChecklistId::Auth03]]);
    }

    #[test]
    fn login_tokens_empty_values_and_ordinary_fields_are_not() {
        assert!(found("/api/login", r#"{"token": "eyJ.x.y", "refreshToken": "r"}"#).is_empty());
        assert!(found("/api/users/{id}", r#"{"id": 1, "name": "A", "email": "a@example.com", "password": null, "tokenCount": 3, "orderNumber": "4111111111111112"}"#).is_empty());
        assert!(found("/api/users/{id}", r#"{"passwordChangedAt": ""}"#).is_empty());
        assert!(found("/api/users/{id}", "not json").is_empty());
    }
}
