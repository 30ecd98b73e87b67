//! VG437 signup-takeover: a sign-up that accepts the name of an account that exists and hands
//! that account to whoever signed up — the "upsert" that sets a new password on the existing
//! row, or a second row the login then prefers.
//!
//! The account taken over is the run's own, never a configured identity's: a fresh account is
//! signed up (`first`) and logged into with its password, then signed up again under the same
//! name (the same e-mail when the login takes e-mails or the sign-up no name) with another
//! password and e-mail (`again`) — the name as it is, in capitals, and with a full-width first
//! letter, each on an account of its own. Proven when, after that second sign-up, the name logs in with the second password
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
             sent again with its name (its e-mail when the login takes e-mails or the sign-up \
             no name) spelled three ways — the same, in capitals, with a full-width first letter \
             — each with another e-mail and password. A finding when the account then logs in \
             with the second password and no longer with the first. Configured identities are \
             never the account signed up over; every sign-up is closed at the end through the \
             app's own account closing, with the login of the first identity as the model of a \
             login.",
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
const AGAIN: &str = "sign-up again with the name";
const LOGIN_FIRST: &str = "login with the first password";
const LOGIN_OLD: &str = "login with the first password afterwards";
const LOGIN_NEW: &str = "login with the second password";
/// Fresh account names start here, apart from every other probe's.
const NUMBERING: u64 = 9_300;

/// A way to spell a name again.
type Respelling = fn(&str) -> String;

/// How the second sign-up spells the name that is taken: as it is, in capitals, with a
/// full-width first letter (which NFKC normalisation folds back).
const VARIANTS: &[(&str, Respelling)] = &[
    ("the same name", same),
    ("the name in capitals", capitals),
    ("the name with a full-width first letter", full_width_first),
];

fn same(name: &str) -> String {
    name.to_string()
}

fn capitals(name: &str) -> String {
    name.to_uppercase()
}

fn full_width_first(name: &str) -> String {
    let mut done = false;
    name.chars()
        .map(|c| {
            if !done && c.is_ascii_alphanumeric() {
                done = true;
                // U+FF01..U+FF5E are the full-width forms of U+0021..U+007E.
                char::from_u32(c as u32 - 0x21 + 0xff01).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// A probe's label for variant `k`.
fn label(base: &str, k: usize) -> String {
    format!("{base} ({})", VARIANTS[k].0)
}

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

/// Whether a sign-up field holds an e-mail, or a name.
fn is_email_field(field: &str) -> bool {
    field.to_ascii_lowercase().contains("mail")
}

fn is_name_field(field: &str) -> bool {
    !is_email_field(field)
        && !auth_flows::is_secret_field(field)
        && (auth_flows::is_account_field(field) || field.eq_ignore_ascii_case("name"))
}

/// A sign-up body for `operation`: a fresh account numbered `n` with its password fields set
/// to `password`; `None` without a password field or a name or e-mail field.
fn signup_body(
    operation: &Operation,
    context: &Context<'_>,
    n: u64,
    password: &str,
) -> Option<Value> {
    let body = operation.body.as_ref()?;
    let mut value = context
        .synthesizer(operation, "signup takeover")
        .fresh_accounts()
        .numbered_from(n)
        .valid(&body.schema, "");
    let fields = value.as_object_mut()?;
    let mut has_password = false;
    let mut has_name = false;
    for (field, slot) in fields.iter_mut() {
        if auth_flows::is_secret_field(field) && field.to_ascii_lowercase().contains("pass") {
            *slot = Value::String(password.into());
            has_password = true;
        } else if (is_email_field(field) || is_name_field(field)) && slot.is_string() {
            has_name = true;
        }
    }
    (has_password && has_name).then_some(value)
}

/// The value of the first field of `value` that `is_key` picks.
fn key_value(value: &Value, is_key: fn(&str) -> bool) -> Option<String> {
    value
        .as_object()?
        .iter()
        .find(|(field, slot)| is_key(field) && slot.is_string())
        .and_then(|(_, slot)| slot.as_str().map(str::to_string))
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

/// Whether the model login names the account by e-mail (`None` when it has no name field).
fn login_takes_email(view: &IdentityView) -> Option<bool> {
    let (_, fields) = auth_flows::login_fields(view.login.as_ref()?)?;
    fields
        .iter()
        .find(|(field, _)| auth_flows::is_account_field(field))
        .map(|(field, value)| {
            is_email_field(field) || value.as_str().is_some_and(|v| v.contains('@'))
        })
}

/// Whether a login answered as a success: accepted, and not the form again.
fn logged_in(exchange: Option<&Exchange>) -> bool {
    exchange.is_some_and(|e| {
        crate::http::outcome::accepted(e)
            && e.response()
                .is_some_and(|r| !crate::session::has_password_field(&r.text()))
    })
}

/// The two sign-ups of one variant and the names they log in with.
struct Pair {
    first: Request,
    again: Request,
    /// What the login takes for the first account (its name, or its e-mail).
    first_login: String,
    /// The same, spelled the variant's way: what the second sign-up took.
    again_login: String,
}

impl SignupTakeover {
    /// The sign-ups of variant `k`: a fresh account, and another fresh account whose name (the
    /// field the login takes: the e-mail when it logs in by e-mail or the sign-up takes no
    /// name) is the first's, spelled the variant's way.
    fn pair(operation: &Operation, context: &Context<'_>, k: usize) -> Option<Pair> {
        let request = context.request(operation, None, 0)?;
        let body = operation.body.as_ref()?;
        let n = NUMBERING + 2 * k as u64;
        let first = signup_body(operation, context, n, &password(context.seed, "first"))?;
        let by_email = key_value(&first, is_name_field).is_none()
            || model(context).and_then(login_takes_email) == Some(true);
        let is_key: fn(&str) -> bool = if by_email {
            is_email_field
        } else {
            is_name_field
        };
        let first_login = key_value(&first, is_key)?;
        let again_login = (VARIANTS[k].1)(&first_login);
        let mut again = signup_body(operation, context, n + 1, &password(context.seed, "second"))?;
        if let Some(fields) = again.as_object_mut()
            && let Some((_, slot)) = fields
                .iter_mut()
                .find(|(field, slot)| is_key(field) && slot.is_string())
        {
            *slot = Value::String(again_login.clone());
        }
        let send =
            |value: &Value| with_body(strip_body(&request), body.kind, &body.media_type, value);
        Some(Pair {
            first: send(&first),
            again: send(&again),
            first_login,
            again_login,
        })
    }

    /// A login probe as `login_name` with `password`, from its page when the model logs in
    /// with a session.
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

    /// The next probes of variant `k`.
    fn next(
        view: &IdentityView,
        pair: Pair,
        k: usize,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let sent = |base: &str| exchange_labelled(results, &label(base, k));
        if !sent(FIRST).is_some_and(crate::registered::made) {
            return Vec::new();
        }
        let (first, second) = (
            password(context.seed, "first"),
            password(context.seed, "second"),
        );
        // The first account logs in before it is signed up over (else nothing is proven).
        if sent(LOGIN_FIRST).is_none() {
            return Self::login_probe(
                view,
                results,
                &label(LOGIN_FIRST, k),
                &pair.first_login,
                &first,
            )
            .into_iter()
            .collect();
        }
        if !logged_in(sent(LOGIN_FIRST)) {
            return Vec::new();
        }
        if sent(AGAIN).is_none() {
            return vec![Probe {
                label: label(AGAIN, k),
                identity: None,
                request: pair.again,
            }];
        }
        if !sent(AGAIN).is_some_and(crate::registered::made) || sent(LOGIN_NEW).is_some() {
            return Vec::new();
        }
        [
            Self::login_probe(
                view,
                results,
                &label(LOGIN_OLD, k),
                &pair.first_login,
                &first,
            ),
            Self::login_probe(
                view,
                results,
                &label(LOGIN_NEW, k),
                &pair.again_login,
                &second,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
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
            && Self::pair(operation, context, 0).is_none())
        .then_some("its body has no password and name (or e-mail) fields vibeguard can fill")
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if auth_flows::flow(operation) != Some(Flow::Registration) {
            return Vec::new();
        }
        let Some(view) = model(context) else {
            return Vec::new();
        };
        let mut probes = Vec::new();
        for k in 0..VARIANTS.len() {
            let Some(pair) = Self::pair(operation, context, k) else {
                continue;
            };
            probes.push(Probe {
                label: label(FIRST, k),
                identity: None,
                request: pair.first,
            });
            for login in [LOGIN_FIRST, LOGIN_OLD, LOGIN_NEW] {
                if let Some(page) = fresh_login::page_probe(view, &page_label(&label(login, k))) {
                    probes.push(page);
                }
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
        let Some(view) = model(context) else {
            return Vec::new();
        };
        (0..VARIANTS.len())
            .filter_map(|k| Some((k, Self::pair(operation, context, k)?)))
            .flat_map(|(k, pair)| Self::next(view, pair, k, results, context))
            .collect()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let mut proven = Vec::new();
        for (k, (variant, _)) in VARIANTS.iter().enumerate() {
            let sent = |base: &str| exchange_labelled(results, &label(base, k));
            let Some(pair) = Self::pair(operation, context, k) else {
                continue;
            };
            if sent(AGAIN).is_some_and(crate::registered::made)
                && logged_in(sent(LOGIN_FIRST))
                && !logged_in(sent(LOGIN_OLD))
                && logged_in(sent(LOGIN_NEW))
            {
                proven.push((k, *variant, pair));
            }
        }
        let Some((k, _, pair)) = proven.first() else {
            return Vec::new();
        };
        let spellings: Vec<String> = proven
            .iter()
            .map(|(_, variant, pair)| format!("{variant} (`{}`)", pair.again_login))
            .collect();
        let sent = |base: &str| exchange_labelled(results, &label(base, *k));
        let mut finding = finding(
            &META,
            operation,
            format!(
                "{} signed up over an account that existed (`{}`, the run's own) with {}: afterwards the account logs in with the second sign-up's password and no longer with its owner's",
                operation.label(),
                pair.first_login,
                spellings.join(", "),
            ),
            "signup-takeover".into(),
            sent(AGAIN),
        );
        for base in [LOGIN_OLD, LOGIN_NEW] {
            if let Some(exchange) = sent(base) {
                finding = finding.with_evidence(http_evidence(exchange));
            }
        }
        vec![finding]
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
        let login = Request::new("POST", fixture.base.join("/login").expect("url"))
            .json(&serde_json::json!({"username": "ada", "password": "pw"}));
        fixture.identities[0].login = Some(login);
        fixture
    }

    /// An app whose accounts are a map from name (folded by `fold`) to password: a sign-up
    /// under a name that folds to a taken one is refused (`refuses`) or replaces its password.
    fn run(fold: fn(&str) -> String, refuses: bool) -> (Vec<Probe>, Vec<Finding>) {
        let fixture = fixture();
        let context = fixture.context();
        let op = signup();
        let mut accounts: std::collections::BTreeMap<String, String> = Default::default();
        let mut results: Vec<(Probe, Exchange)> = Vec::new();
        let mut sent = Vec::new();
        let mut round = SignupTakeover.plan(&op, &context);
        for _ in 0..4 {
            for probe in round {
                sent.push(probe.clone());
                let body = json_body(&probe);
                let name = fold(body["username"].as_str().unwrap_or_default());
                let password = body["password"].as_str().unwrap_or_default().to_string();
                let exchange =
                    if probe.label.starts_with("first sign-up") || probe.label.starts_with(AGAIN) {
                        if refuses && accounts.contains_key(&name) {
                            answer(&probe, 409, r#"{"error": "taken"}"#)
                        } else {
                            accounts.insert(name, password);
                            answer(&probe, 201, r#"{"id": 9}"#)
                        }
                    } else if accounts.get(&name) == Some(&password) {
                        answer(&probe, 200, r#"{"token": "t"}"#)
                    } else {
                        answer(&probe, 401, r#"{"error": "bad"}"#)
                    };
                results.push((probe, exchange));
            }
            round = SignupTakeover.follow_up(&op, &results, &context);
        }
        (sent, SignupTakeover.evaluate(&op, &results, &context))
    }

    #[test]
    fn a_sign_up_that_sets_an_existing_accounts_password_is_found() {
        // Names compared as they are: the same name takes the account over.
        let (sent, findings) = run(|n| n.to_string(), false);
        assert_eq!(findings.len(), 1, "{sent:?}");
        assert!(
            findings[0].message.contains("the same name")
                && !findings[0].message.contains("capitals"),
            "{}",
            findings[0].message
        );
        // The account signed up over is the run's own, never an identity's.
        assert!(sent.iter().all(|p| json_body(p)["username"] != "ada"));
        let first = sent
            .iter()
            .find(|p| p.label == label(FIRST, 0))
            .expect("first");
        let again = sent
            .iter()
            .find(|p| p.label == label(AGAIN, 0))
            .expect("again");
        assert_eq!(json_body(again)["username"], json_body(first)["username"]);
        assert_ne!(json_body(again)["email"], json_body(first)["email"]);
        assert_eq!(
            json_body(again)["password"],
            json_body(again)["password_again"],
            "the confirmation agrees"
        );
        // Names folded to lower case: the capitals take it over too.
        let (_, findings) = run(|n| n.to_lowercase(), false);
        assert!(
            findings[0].message.contains("capitals"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_refused_or_separate_second_account_is_not() {
        assert!(run(|n| n.to_string(), true).1.is_empty(), "refused");
        assert!(
            run(|n| n.to_lowercase(), true).1.is_empty(),
            "refused, folded"
        );
    }

    #[test]
    fn variants_spell_the_name_another_way() {
        assert_eq!(capitals("vibeguard_9302"), "VIBEGUARD_9302");
        assert_eq!(full_width_first("vibeguard_9304"), "\u{ff56}ibeguard_9304");
        assert_eq!(full_width_first("9@x.test"), "\u{ff19}@x.test");
    }

    #[test]
    fn without_a_login_identity_nothing_is_signed_up() {
        let fixture = Fixture::new();
        let context = fixture.context();
        assert!(SignupTakeover.plan(&signup(), &context).is_empty());
        assert!(SignupTakeover.not_applicable(&context).is_some());
    }
}
