//! VG437 signup-takeover: a sign-up that accepts the name of an account that exists and hands
//! that account to whoever signed up — the "upsert" that sets a new password on the existing
//! row, or a second row the login then prefers.
//!
//! The account taken over is the run's own, never a configured identity's: a fresh account is
//! signed up (`first`) and logged into with its password, then signed up again under the same
//! name (the same e-mail when the sign-up takes no name) with another password and e-mail
//! (`again`). Proven when, after that second sign-up, the name logs in with the second password
//! and no longer with the first: whoever signs up with a taken name holds the account and its
//! owner is locked out. Both accounts are the run's and are closed at the end through the app's
//! own account closing (the engine's account tracker).

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::auth_flows::{self, Flow};
use super::inputs::strip_body;
use super::{
    Check, Context, IdentityView, Probe, exchange_labelled, finding, fresh_login, http_evidence,
    with_body,
};
use crate::http::{Exchange, Request};
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct SignupTakeover;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG437"),
    name: Cow::Borrowed("signup-takeover"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "Signing up with a taken name takes the existing account over (its password replaced)",
    ),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[287, 639, 640]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A fresh account of the run's own is signed up and logged into; then the sign-up is \
             sent again with the same name (the same e-mail when it takes no name), another \
             e-mail and another password. A finding when the name then logs in with the second \
             password and no longer with the first. Configured identities are never the \
             account signed up over; both sign-ups are closed at the end through the app's own \
             account closing, with the login of the first identity as the model of a login.",
        ),
        why: Cow::Borrowed(
            "Whoever signs up with a victim's name (or e-mail) sets the victim's password: the \
             account, its data and its sessions are theirs, and the owner is locked out.",
        ),
        example_bad: Cow::Borrowed(
            "INSERT INTO users (username, password_hash) VALUES (?, ?) ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash",
        ),
        example_fixed: Cow::Borrowed(
            "if (await User.exists({ username })) return res.status(409).render('signup', { error: 'That name is taken.' });",
        ),
        fix: Cow::Borrowed(
            "Refuse a sign-up whose name or e-mail exists (compare them case-folded and \
             normalised, under a unique index so that two concurrent sign-ups cannot both pass); \
             never update an existing account from the sign-up.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/640.html"),
        ]),
    },
};

const FIRST: &str = "first sign-up";
const AGAIN: &str = "sign-up again with the same name";
const LOGIN_FIRST: &str = "login with the first password";
const LOGIN_OLD: &str = "login with the first password afterwards";
const LOGIN_NEW: &str = "login with the second password";
/// Fresh account names start here, apart from every other probe's.
const NUMBERING: u64 = 9_300;

/// The login page probes' labels, one per login.
fn page_label(login: &str) -> String {
    format!("page for {login}")
}

/// The passwords of the two sign-ups: long, mixed, so that any policy takes them.
fn password(seed: u64, which: &str) -> String {
    format!("Vg-{which}-{:08x}-Aa1!", seed & 0xffff_ffff)
}

/// The identity whose login is the model: the first with a login.
fn model<'a>(context: &'a Context<'_>) -> Option<&'a IdentityView> {
    context.identities.iter().find(|view| view.login.is_some())
}

/// A sign-up body for `operation`: a fresh account numbered `n`, its password fields set to
/// `password`, and its name (when `name` is given) set to that name.
fn signup_body(
    operation: &Operation,
    context: &Context<'_>,
    n: u64,
    password: &str,
    name: Option<&str>,
) -> Option<(Value, Option<String>, Option<String>)> {
    let body = operation.body.as_ref()?;
    let mut value = context
        .synthesizer(operation, "signup takeover")
        .fresh_accounts()
        .numbered_from(n)
        .valid(&body.schema, "");
    let fields = value.as_object_mut()?;
    let mut username = None;
    let mut email = None;
    let mut has_password = false;
    for (field, slot) in fields.iter_mut() {
        let lower = field.to_ascii_lowercase();
        if auth_flows::is_secret_field(field) && lower.contains("pass") {
            *slot = Value::String(password.into());
            has_password = true;
        } else if lower.contains("email") || lower.contains("mail") {
            email = slot.as_str().map(str::to_string);
        } else if auth_flows::is_account_field(field) || lower == "name" {
            if let Some(name) = name {
                *slot = Value::String(name.into());
            }
            username = slot.as_str().map(str::to_string);
        }
    }
    (has_password && (username.is_some() || email.is_some())).then_some((value, username, email))
}

/// The model login with its name and password fields set to `name` and `password`.
fn login_as(view: &IdentityView, name: &str, password: &str) -> Option<Request> {
    let login = view.login.as_ref()?;
    let (kind, mut fields) = auth_flows::login_fields(login)?;
    for (field, slot) in &mut fields {
        if auth_flows::is_secret_field(field) && field.to_ascii_lowercase().contains("pass") {
            *slot = Value::String(password.into());
        } else if auth_flows::is_account_field(field) {
            *slot = Value::String(name.into());
        }
    }
    Some(auth_flows::with_login_fields(login, kind, fields))
}

/// Whether a login answered as a success: a redirect away from the login, an answer that is
/// not the form again, and not a refusal.
fn logged_in(exchange: Option<&Exchange>) -> bool {
    exchange.is_some_and(|e| {
        crate::http::outcome::accepted(e)
            && e.response()
                .is_some_and(|r| !crate::session::has_password_field(&r.text()))
    })
}

impl SignupTakeover {
    /// The sign-up request of the probe labelled `label`, and the account name it names (its
    /// username, else its e-mail).
    fn planned(
        operation: &Operation,
        context: &Context<'_>,
        again: bool,
    ) -> Option<(Request, String, String)> {
        let request = context.request(operation, None, 0)?;
        let body = operation.body.as_ref()?;
        let (value, username, email) = signup_body(
            operation,
            context,
            NUMBERING,
            &password(context.seed, "first"),
            None,
        )?;
        let name = username.clone().or(email.clone())?;
        let login_name = match (
            &username,
            &email,
            model(context).and_then(login_takes_email),
        ) {
            (_, Some(email), Some(true)) | (None, Some(email), _) => email.clone(),
            (Some(username), _, _) => username.clone(),
            _ => return None,
        };
        if !again {
            let request = with_body(strip_body(&request), body.kind, &body.media_type, &value);
            return Some((request, name, login_name));
        }
        // Again: the same name (a sign-up without a name: the same e-mail), another e-mail and
        // password.
        let (mut second, _, _) = signup_body(
            operation,
            context,
            NUMBERING + 1,
            &password(context.seed, "second"),
            username.as_deref(),
        )?;
        if username.is_none()
            && let (Some(fields), Some(email)) = (second.as_object_mut(), email.as_deref())
        {
            for (field, slot) in fields.iter_mut() {
                if field.to_ascii_lowercase().contains("mail") {
                    *slot = Value::String(email.into());
                }
            }
        }
        let request = with_body(strip_body(&request), body.kind, &body.media_type, &second);
        Some((request, name, login_name))
    }

    /// A login probe as the account named `login_name` with `password`, from its page when
    /// the model logs in with a session.
    fn login_probe(
        view: &IdentityView,
        results: &[(Probe, Exchange)],
        label: &str,
        login_name: &str,
        password: &str,
    ) -> Option<Probe> {
        let mut model = view.clone();
        model.login = Some(login_as(view, login_name, password)?);
        let request = fresh_login::login_request(&model, results, &page_label(label))?;
        Some(Probe {
            label: label.to_string(),
            identity: None,
            request,
        })
    }
}

/// Whether the model login names the account by e-mail (`None` when it has no name field).
fn login_takes_email(view: &IdentityView) -> Option<bool> {
    let (_, fields) = auth_flows::login_fields(view.login.as_ref()?)?;
    fields
        .iter()
        .find(|(field, _)| auth_flows::is_account_field(field))
        .map(|(field, value)| {
            field.to_ascii_lowercase().contains("mail")
                || value.as_str().is_some_and(|v| v.contains('@'))
        })
}

impl Check for SignupTakeover {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        model(context)
            .is_none()
            .then_some("needs a login identity to show how the accounts it signs up log in")
    }

    fn uncovered(&self, operation: &Operation, context: &Context<'_>) -> Option<&'static str> {
        (auth_flows::flow(operation) == Some(Flow::Registration)
            && model(context).is_some()
            && Self::planned(operation, context, false).is_none())
        .then_some("its body has no password and name (or e-mail) fields vibeguard can fill")
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if auth_flows::flow(operation) != Some(Flow::Registration) {
            return Vec::new();
        }
        let (Some(view), Some((first, _, _))) =
            (model(context), Self::planned(operation, context, false))
        else {
            return Vec::new();
        };
        let mut probes = vec![Probe {
            label: FIRST.into(),
            identity: None,
            request: first,
        }];
        for login in [LOGIN_FIRST, LOGIN_OLD, LOGIN_NEW] {
            if let Some(page) = fresh_login::page_probe(view, &page_label(login)) {
                probes.push(page);
            }
        }
        probes
    }

    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let (Some(view), Some((again, _, login_name))) =
            (model(context), Self::planned(operation, context, true))
        else {
            return Vec::new();
        };
        let first_made = exchange_labelled(results, FIRST).is_some_and(crate::registered::made);
        if !first_made {
            return Vec::new();
        }
        let (first, second) = (
            password(context.seed, "first"),
            password(context.seed, "second"),
        );
        // The first account logs in before it is signed up over (else nothing is proven).
        if exchange_labelled(results, LOGIN_FIRST).is_none() {
            return Self::login_probe(view, results, LOGIN_FIRST, &login_name, &first)
                .into_iter()
                .collect();
        }
        if !logged_in(exchange_labelled(results, LOGIN_FIRST)) {
            return Vec::new();
        }
        if exchange_labelled(results, AGAIN).is_none() {
            return vec![Probe {
                label: AGAIN.into(),
                identity: None,
                request: again,
            }];
        }
        if !exchange_labelled(results, AGAIN).is_some_and(crate::registered::made)
            || exchange_labelled(results, LOGIN_NEW).is_some()
        {
            return Vec::new();
        }
        [
            Self::login_probe(view, results, LOGIN_OLD, &login_name, &first),
            Self::login_probe(view, results, LOGIN_NEW, &login_name, &second),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let (Some(again), Some(new)) = (
            exchange_labelled(results, AGAIN).filter(|e| crate::registered::made(e)),
            exchange_labelled(results, LOGIN_NEW),
        ) else {
            return Vec::new();
        };
        let Some((_, name, _)) = Self::planned(operation, context, false) else {
            return Vec::new();
        };
        if !logged_in(exchange_labelled(results, LOGIN_FIRST))
            || logged_in(exchange_labelled(results, LOGIN_OLD))
            || !logged_in(Some(new))
        {
            return Vec::new();
        }
        let mut finding = finding(
            &META,
            operation,
            format!(
                "{} took the name `{name}` of an account that existed and handed the account over: after the second sign-up the name logs in with the second sign-up's password and no longer with its owner's",
                operation.label(),
            ),
            "signup-takeover".into(),
            Some(again),
        );
        if let Some(old) = exchange_labelled(results, LOGIN_OLD) {
            finding = finding.with_evidence(http_evidence(old));
        }
        vec![finding.with_evidence(http_evidence(new))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, json_body, json_operation};

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

    /// A fixture whose first identity logs in with a JSON username and password.
    fn fixture() -> Fixture {
        let mut fixture = Fixture::new();
        let mut login = Request::new("POST", fixture.base.join("/login").expect("url"));
        login = login.json(&serde_json::json!({"username": "ada", "password": "pw"}));
        fixture.identities[0].login = Some(login);
        fixture
    }

    /// Runs the check's rounds against an app: `replaces` says whether the second sign-up
    /// sets the account's password (the flaw), `refuses` whether it is refused.
    fn run(replaces: bool, refuses: bool) -> (Vec<Probe>, Vec<Finding>) {
        let fixture = fixture();
        let context = fixture.context();
        let op = signup();
        let mut results: Vec<(Probe, Exchange)> = Vec::new();
        let mut current = password(context.seed, "first");
        let mut sent = Vec::new();
        let mut round = SignupTakeover.plan(&op, &context);
        for _ in 0..4 {
            for probe in round {
                sent.push(probe.clone());
                let exchange = match probe.label.as_str() {
                    FIRST => answer(&probe, 201, r#"{"id": 9}"#),
                    AGAIN if refuses => answer(&probe, 409, r#"{"error": "taken"}"#),
                    AGAIN => {
                        if replaces {
                            current = password(context.seed, "second");
                        }
                        answer(&probe, 201, r#"{"id": 9}"#)
                    }
                    _ => {
                        let body = json_body(&probe);
                        if body["password"] == current.as_str() {
                            answer(&probe, 200, r#"{"token": "t"}"#)
                        } else {
                            answer(&probe, 401, r#"{"error": "bad"}"#)
                        }
                    }
                };
                results.push((probe, exchange));
            }
            round = SignupTakeover.follow_up(&op, &results, &context);
        }
        (sent, SignupTakeover.evaluate(&op, &results, &context))
    }

    #[test]
    fn a_sign_up_that_sets_an_existing_accounts_password_is_found() {
        let (sent, findings) = run(true, false);
        assert_eq!(findings.len(), 1, "{sent:?}");
        assert!(findings[0].message.contains("handed the account over"));
        // The account signed up over is the run's own, never an identity's.
        for probe in &sent {
            let body = json_body(probe);
            assert_ne!(body["username"], "ada");
        }
        let again = sent.iter().find(|p| p.label == AGAIN).expect("again");
        let first = sent.iter().find(|p| p.label == FIRST).expect("first");
        assert_eq!(json_body(again)["username"], json_body(first)["username"]);
        assert_ne!(json_body(again)["email"], json_body(first)["email"]);
        assert_eq!(
            json_body(again)["password"],
            json_body(again)["password_again"],
            "the confirmation agrees"
        );
    }

    #[test]
    fn a_refused_or_separate_second_account_is_not() {
        assert!(run(false, true).1.is_empty(), "refused");
        // Accepted, but the first password still logs in: a second account (or none), not a
        // takeover proven.
        assert!(run(false, false).1.is_empty(), "both log in");
    }

    #[test]
    fn without_a_login_identity_nothing_is_signed_up() {
        let fixture = Fixture::new();
        let context = fixture.context();
        assert!(SignupTakeover.plan(&signup(), &context).is_empty());
        assert!(SignupTakeover.not_applicable(&context).is_some());
    }
}
