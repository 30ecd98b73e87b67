//! VG435 weak-password-policy: the sign-up accepts a one-character password. A fresh account
//! (a name no other probe uses) is registered with the password `a` — and `a` in its
//! confirmation field, so that only the policy can refuse it. Accepted means any password is;
//! the account it made is closed at the end like every account the run makes.

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::auth_flows::{self, Flow};
use super::inputs::strip_body;
use super::{Check, Context, Probe, finding, with_body};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct WeakPasswordPolicy;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG435"),
    name: Cow::Borrowed("weak-password-policy"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("The sign-up accepts a one-character password"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[521]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth03, ChecklistId::Auth05]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Each sign-up operation is sent once, anonymously, for a fresh account whose password \
             (and its confirmation field) is the single character `a`. Accepted — a 2xx that \
             shows no error, or a redirect away from the sign-up — is the finding. The account \
             is closed at the end with the others the run made.",
        ),
        why: Cow::Borrowed(
            "Passwords of a few characters fall to the first guesses of any list, rate limit or \
             not; users pick them when nothing stops them.",
        ),
        example_bad: Cow::Borrowed(
            "if not username or not password:\n    return render_template('register.html', error='Every field is required.')",
        ),
        example_fixed: Cow::Borrowed(
            "if len(password) < 10:\n    return render_template('register.html', error='Use at least 10 characters.')",
        ),
        fix: Cow::Borrowed(
            "Require at least 8 characters (NIST SP 800-63B), better 10 or more, refuse passwords \
             from breach lists, and allow long passphrases.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://pages.nist.gov/800-63-3/sp800-63b.html#memsecret"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/521.html"),
        ]),
    },
};

/// The password sent.
const WEAK: &str = "a";
/// Fresh account names start here, apart from every other probe's.
const NUMBERING: u64 = 9_000;

impl Check for WeakPasswordPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if auth_flows::flow(operation) != Some(Flow::Registration) {
            return Vec::new();
        }
        let Some(body) = &operation.body else {
            return Vec::new();
        };
        let Some(request) = context.request(operation, None, 0) else {
            return Vec::new();
        };
        let mut value = context
            .synthesizer(operation, "weak password")
            .fresh_accounts()
            .numbered_from(NUMBERING)
            .valid(&body.schema, "");
        let Some(fields) = value.as_object_mut() else {
            return Vec::new();
        };
        let mut has_password = false;
        for (name, field) in fields.iter_mut() {
            let lower = name.to_ascii_lowercase();
            if auth_flows::is_secret_field(name) && lower.contains("pass") {
                *field = Value::String(WEAK.into());
                has_password = true;
            }
        }
        if !has_password {
            return Vec::new();
        }
        vec![Probe {
            label: "one-character password".into(),
            identity: None,
            request: with_body(strip_body(&request), body.kind, &body.media_type, &value),
        }]
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        results
            .iter()
            .find(|(_, exchange)| crate::registered::made(exchange))
            .map(|(_, exchange)| {
                finding(
                    &META,
                    operation,
                    format!(
                        "{} accepted a one-character password (`{WEAK}`, and `{WEAK}` to confirm it) for a new account (answered {})",
                        operation.label(),
                        exchange.status().unwrap_or_default()
                    ),
                    "weak-password".into(),
                    Some(exchange),
                )
            })
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, json_body, json_operation};

    fn signup() -> Operation {
        json_operation(
            "POST",
            "/register",
            &[
                ("username", None),
                ("email", Some("email")),
                ("password", None),
                ("password_again", None),
            ],
        )
    }

    #[test]
    fn a_one_character_password_accepted_is_found_and_refused_is_not() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = signup();
        let probes = WeakPasswordPolicy.plan(&op, &context);
        assert_eq!(probes.len(), 1);
        let body = json_body(&probes[0]);
        assert_eq!(body["password"], "a");
        assert_eq!(body["password_again"], "a", "the confirmation agrees");
        let username = body["username"].as_str().unwrap_or_default();
        assert!(
            username.starts_with("vibeguard_") && username != "vibeguard_signup",
            "{username}"
        );
        let answered = |status: u16, headers: &[(&str, &str)], text: &str| {
            vec![(
                probes[0].clone(),
                exchange(
                    "POST",
                    "http://127.0.0.1:8080/register",
                    status,
                    headers,
                    text,
                ),
            )]
        };
        for accepted in [
            answered(201, &[], r#"{"id": 9}"#),
            answered(302, &[("Location", "/")], ""),
            answered(302, &[("Location", "/login")], ""),
        ] {
            assert_eq!(
                WeakPasswordPolicy.evaluate(&op, &accepted, &context).len(),
                1
            );
        }
        for refused in [
            answered(400, &[], r#"{"error": "password too short"}"#),
            answered(
                200,
                &[("Content-Type", "text/html")],
                r#"<div class="flash error">Use at least 10 characters.</div>"#,
            ),
            answered(302, &[("Location", "/register")], ""),
        ] {
            assert!(
                WeakPasswordPolicy
                    .evaluate(&op, &refused, &context)
                    .is_empty()
            );
        }
        // Not a sign-up: nothing to try.
        let login = json_operation("POST", "/login", &[("username", None), ("password", None)]);
        assert!(WeakPasswordPolicy.plan(&login, &context).is_empty());
    }
}
