//! VG405 sensitive-data-exposure: responses carry password hashes, secrets, tokens outside the
//! login flow, card or social-security numbers.

use std::borrow::Cow;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
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
}
