//! VG429 cross-user-account-action: one identity changes another identity's password (or
//! e-mail) through
//! an operation whose path names the account (`PUT /users/{username}`, `PATCH
//! /accounts/{id}/password`). Proven by the other identity logging in with the new password,
//! then **restored**: the original password is set again the same way and the original login
//! checked; a restore that fails is said loudly, naming the account.

use std::borrow::Cow;

use serde_json::{Map, Value};
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, auth_flows, finding, with_body};
use crate::coverage::changes_credentials;
use crate::http::{Exchange, Request};
use crate::spec::{BodyKind, Operation};

/// The check.
#[derive(Debug)]
pub struct CrossUserAccountAction;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG429"),
    name: Cow::Borrowed("cross-user-account-action"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A user can change another user's password or e-mail"),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[620, 639]),
    owasp_api: Some(OwaspApi::Api1BrokenObjectLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "For an operation that changes a password on a path naming the account \
             (`/users/{username}`, `/accounts/{id}/password`), the first identity sends a new \
             password for the second identity's account. When the second identity's own login \
             then works with the new password, the account was taken over. vibeguard then sets \
             the original password back the same way and checks the original login works again; \
             if it does not, the finding says so and names the account to reset by hand. Needs \
             two identities, the second one a `login` identity (its login proves the change). \
             Runs after every other check, alone, so that nothing else meets the changed \
             password. Requests that would change an identity's *own* password are never sent. \
             The e-mail the same way: when the operation takes an e-mail, the second identity's \
             record is read (the same path, or its own `/me`), the first identity sets a new \
             address, the second identity's record proves it, and the original address — only \
             when it was read first — is set back and read again.",
        ),
        why: Cow::Borrowed(
            "Whoever can set another user's password owns that account: they log in as the \
             victim, and the victim is locked out. Assistants write `PUT /users/<username>` \
             handlers that check that the caller is logged in, not that the account is theirs.",
        ),
        example_bad: Cow::Borrowed(
            "@app.put('/users/<username>')\n@login_required\ndef update_user(username):\n    user = User.query.filter_by(username=username).first_or_404()\n    user.set_password(request.json['password'])",
        ),
        example_fixed: Cow::Borrowed(
            "@app.put('/users/<username>')\n@login_required\ndef update_user(username):\n    if username != g.user.username:\n        abort(404)\n    if not g.user.check_password(request.json['current_password']):\n        abort(403)\n    g.user.set_password(request.json['password'])",
        ),
        fix: Cow::Borrowed(
            "Change only the caller's own account (take it from the session, not the path), \
             require the current password for a password change, and answer 404 for any other \
             account.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/620.html"),
        ]),
    },
};

const CHANGE: &str = "change another's password";
const PROOF: &str = "their login with the new password";
const RESTORE: &str = "restore the original password";
const VERIFY: &str = "their login with the original password";

/// Who acts (the first identity) and whose account it names (the second).
const ACTOR: usize = 0;
const VICTIM: usize = 1;

impl Check for CrossUserAccountAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn essential(&self) -> bool {
        true
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        let victim = context.identities.get(VICTIM)?;
        let Some(login) = &victim.login else {
            return Some(
                "needs the second identity to be a `login` identity: its own login proves the change",
            );
        };
        password_field(login)
            .is_none()
            .then_some("the second identity's login has no password field to prove a change with")
    }

    fn disruptive(&self) -> bool {
        true
    }

    fn sequential(&self) -> bool {
        true
    }

    fn restores_credentials(&self) -> bool {
        true
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let mut probes = Vec::new();
        if let Some(plan) = Plan::new(operation, context) {
            probes.push(Probe {
                label: CHANGE.into(),
                identity: Some(ACTOR),
                request: plan.change(&plan.new_password),
            });
        }
        // The e-mail: first what it is now, read by its owner.
        if let Some(email) = EmailPlan::new(operation, context) {
            probes.push(Probe {
                label: EMAIL_BEFORE.into(),
                identity: Some(VICTIM),
                request: email.read.clone(),
            });
        }
        probes
    }

    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let mut probes = password_follow_up(operation, results, context);
        if let Some(email) = EmailPlan::new(operation, context) {
            probes.extend(email.follow_up(results));
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let mut findings = password_findings(operation, results, context);
        if let Some(email) = EmailPlan::new(operation, context) {
            findings.extend(email.evaluate(operation, results, context));
        }
        findings
    }
}

/// The password flow's next probe: the proof, the restore, the check of the restore.
fn password_follow_up(
    operation: &Operation,
    results: &[(Probe, Exchange)],
    context: &Context<'_>,
) -> Vec<Probe> {
    let Some(plan) = Plan::new(operation, context) else {
        return Vec::new();
    };
    let done = |label: &str| results.iter().any(|(probe, _)| probe.label == label);
    let accepted = results
        .iter()
        .find(|(probe, _)| probe.label == CHANGE)
        .is_some_and(|(_, exchange)| exchange.response().is_some_and(|r| r.is_success()));
    if !accepted {
        return Vec::new();
    }
    let (label, identity, request) = if !done(PROOF) {
        (PROOF, None, plan.login_with(&plan.new_password))
    } else if !done(RESTORE) {
        // Restored whatever the proof said: a change that answered 2xx may have applied.
        (RESTORE, Some(ACTOR), plan.change(&plan.original_password))
    } else if !done(VERIFY) {
        (VERIFY, None, plan.login_with(&plan.original_password))
    } else {
        return Vec::new();
    };
    vec![Probe {
        label: label.into(),
        identity,
        request,
    }]
}

/// The password flow's finding: a change another identity's login proved.
fn password_findings(
    operation: &Operation,
    results: &[(Probe, Exchange)],
    context: &Context<'_>,
) -> Vec<Finding> {
    let succeeded = |label: &str| {
        results
            .iter()
            .find(|(probe, _)| probe.label == label)
            .filter(|(_, exchange)| exchange.response().is_some_and(|r| r.is_success()))
            .map(|(_, exchange)| exchange)
    };
    let (Some(change), Some(_)) = (succeeded(CHANGE), succeeded(PROOF)) else {
        return Vec::new();
    };
    let (Some(actor), Some(victim)) = (
        context.identities.get(ACTOR),
        context.identities.get(VICTIM),
    ) else {
        return Vec::new();
    };
    let restored = succeeded(VERIFY).is_some();
    let aftermath = if restored {
        format!(
            "the original password was set back and {}'s login checked",
            victim.name
        )
    } else {
        format!(
            "RESTORE FAILED: {}'s password is no longer the configured one — reset the account `{}` by hand (the password vibeguard set is in the evidence)",
            victim.name, victim.name
        )
    };
    vec![finding(
        &META,
        operation,
        format!(
            "{} changed {}'s password through {} (answered {}), and {} then logged in with it; {aftermath}",
            actor.name,
            victim.name,
            operation.label(),
            change.status().unwrap_or_default(),
            victim.name,
        ),
        format!("account-takeover:{}", operation.method),
        Some(change),
    )]
}

/// What one operation's test needs: the victim's path, the password field, both passwords and
/// the victim's login.
struct Plan {
    path_request: Request,
    body_kind: BodyKind,
    media_type: String,
    field: String,
    login: Request,
    login_kind: BodyKind,
    login_fields: Map<String, Value>,
    login_password_field: String,
    original_password: String,
    new_password: String,
}

impl Plan {
    fn new(operation: &Operation, context: &Context<'_>) -> Option<Plan> {
        let field = account_field(operation, context, is_new_password_field)?;
        let body = operation.body.as_ref()?;
        let login = context.identities[VICTIM].login.clone()?;
        let (login_kind, login_fields) = auth_flows::login_fields(&login)?;
        let login_password_field = password_field(&login)?;
        let original_password = login_fields
            .get(&login_password_field)
            .and_then(Value::as_str)?
            .to_string();
        let url = victim_url(operation, context)?;
        // A new password no one chose, the same on every run for the same seed.
        let new_password = format!("Vg-Changed-{:06x}-9a!", context.seed & 0xff_ffff);
        Some(Plan {
            path_request: Request::new(&operation.method, url),
            body_kind: body.kind,
            media_type: body.media_type.clone(),
            field,
            login,
            login_kind,
            login_fields,
            login_password_field,
            original_password,
            new_password,
        })
    }

    /// The change request with `password` in the password field (and nothing else changed).
    fn change(&self, password: &str) -> Request {
        one_field(
            &self.path_request,
            (self.body_kind, &self.media_type),
            &self.field,
            password,
        )
    }

    /// The victim's login with `password`.
    fn login_with(&self, password: &str) -> Request {
        let mut fields = self.login_fields.clone();
        fields.insert(
            self.login_password_field.clone(),
            Value::String(password.to_string()),
        );
        auth_flows::with_login_fields(&self.login, self.login_kind, fields)
    }
}

/// `request` with a body of one field: what an account change sends, nothing else changed.
fn one_field(
    request: &Request,
    (kind, media_type): (BodyKind, &str),
    field: &str,
    value: &str,
) -> Request {
    let mut body = Map::new();
    body.insert(field.to_string(), Value::String(value.to_string()));
    with_body(request.clone(), kind, media_type, &Value::Object(body))
}

/// The body field of an account change that `wanted` picks, when the operation could change a
/// second identity's credentials at all.
fn account_field(
    operation: &Operation,
    context: &Context<'_>,
    wanted: impl Fn(&str) -> bool,
) -> Option<String> {
    if context.identities.len() < 2 || !changes_credentials(operation) {
        return None;
    }
    operation
        .body
        .as_ref()?
        .schema
        .properties
        .iter()
        .map(|(name, _)| name)
        .find(|name| wanted(name))
        .cloned()
}

/// The operation's path naming the victim's account (every path parameter must name it).
fn victim_url(operation: &Operation, context: &Context<'_>) -> Option<url::Url> {
    let params = operation.path_params();
    if params.is_empty() {
        return None;
    }
    let mut path = operation.path.clone();
    for param in params {
        let value = context.account_value(operation, param, VICTIM)?;
        path = path.replace(&format!("{{{param}}}"), &super::encode_segment(&value));
    }
    crate::identity::join(context.base, &path).ok()
}

const EMAIL_BEFORE: &str = "their e-mail before";
const EMAIL_CHANGE: &str = "change another's e-mail";
const EMAIL_PROOF: &str = "their record after the change";
const EMAIL_RESTORE: &str = "restore the original e-mail";
const EMAIL_VERIFY: &str = "their record after the restore";

/// The e-mail flow: the first identity sets the second's e-mail on its account path; the
/// second identity's own record shows it; the original is set back and read again.
struct EmailPlan {
    path_request: Request,
    body_kind: BodyKind,
    media_type: String,
    field: String,
    /// The victim's record, read as the victim.
    read: Request,
    new_email: String,
}

impl EmailPlan {
    fn new(operation: &Operation, context: &Context<'_>) -> Option<EmailPlan> {
        let field = account_field(operation, context, |name| {
            let lower = name.to_ascii_lowercase().replace(['_', '-'], "");
            lower == "email" || lower == "emailaddress" || lower == "newemail"
        })?;
        let body = operation.body.as_ref()?;
        let url = victim_url(operation, context)?;
        // Read back where the account is: the same path, or the caller's own record.
        let read = if context
            .spec
            .operations
            .iter()
            .any(|op| op.method == "GET" && op.path == operation.path)
        {
            Request::new("GET", url.clone())
        } else {
            context.own_record_request()?
        };
        Some(EmailPlan {
            path_request: Request::new(&operation.method, url),
            body_kind: body.kind,
            media_type: body.media_type.clone(),
            field,
            read,
            new_email: format!(
                "vibeguard.takeover.{:06x}@example.com",
                context.seed & 0xff_ffff
            ),
        })
    }

    fn change(&self, email: &str) -> Request {
        one_field(
            &self.path_request,
            (self.body_kind, &self.media_type),
            &self.field,
            email,
        )
    }

    /// The e-mail a record shows (the field, or `email`, at the top or under a wrapper).
    fn shown(&self, exchange: &Exchange) -> Option<String> {
        let body = exchange.response().filter(|r| r.is_success())?.json()?;
        super::record_field(&body, &self.field)
            .or_else(|| super::record_field(&body, "email"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The original e-mail: what the victim's record said before. Never changed unless known:
    /// it could not be set back.
    fn original(&self, results: &[(Probe, Exchange)]) -> Option<String> {
        super::exchange_labelled(results, EMAIL_BEFORE)
            .and_then(|e| self.shown(e))
            .filter(|email| email.contains('@'))
    }

    fn follow_up(&self, results: &[(Probe, Exchange)]) -> Vec<Probe> {
        let done = |label: &str| super::exchange_labelled(results, label).is_some();
        let Some(original) = self.original(results) else {
            return Vec::new();
        };
        let probe = |label: &str, identity: usize, request: Request| Probe {
            label: label.into(),
            identity: Some(identity),
            request,
        };
        if !done(EMAIL_CHANGE) {
            return vec![probe(EMAIL_CHANGE, ACTOR, self.change(&self.new_email))];
        }
        let accepted = super::exchange_labelled(results, EMAIL_CHANGE)
            .is_some_and(|e| e.response().is_some_and(|r| r.is_success()));
        if !accepted {
            return Vec::new();
        }
        if !done(EMAIL_RESTORE) {
            // The proof, then the restore, in one round (the check is sequential): set back
            // whatever the proof says.
            return vec![
                probe(EMAIL_PROOF, VICTIM, self.read.clone()),
                probe(EMAIL_RESTORE, ACTOR, self.change(&original)),
            ];
        }
        if !done(EMAIL_VERIFY) {
            return vec![probe(EMAIL_VERIFY, VICTIM, self.read.clone())];
        }
        Vec::new()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(change) = super::exchange_labelled(results, EMAIL_CHANGE)
            .filter(|e| e.response().is_some_and(|r| r.is_success()))
        else {
            return Vec::new();
        };
        let proven = super::exchange_labelled(results, EMAIL_PROOF)
            .and_then(|e| self.shown(e))
            .is_some_and(|shown| shown.eq_ignore_ascii_case(&self.new_email));
        let (Some(original), Some(actor), Some(victim)) = (
            self.original(results),
            context.identities.get(ACTOR),
            context.identities.get(VICTIM),
        ) else {
            return Vec::new();
        };
        if !proven {
            return Vec::new();
        }
        let restored = super::exchange_labelled(results, EMAIL_VERIFY)
            .and_then(|e| self.shown(e))
            .is_some_and(|shown| shown.eq_ignore_ascii_case(&original));
        let aftermath = if restored {
            format!(
                "the original e-mail was set back and {}'s record checked",
                victim.name
            )
        } else {
            format!(
                "RESTORE FAILED: {}'s e-mail is no longer {original} — set it back on the account `{}` by hand",
                victim.name, victim.name
            )
        };
        vec![finding(
            &META,
            operation,
            format!(
                "{} changed {}'s e-mail through {} (answered {}), and {}'s own record then showed the new address; {aftermath}",
                actor.name,
                victim.name,
                operation.label(),
                change.status().unwrap_or_default(),
                victim.name,
            ),
            format!("account-email:{}", operation.method),
            Some(change),
        )]
    }
}

/// The password field of a login request.
fn password_field(login: &Request) -> Option<String> {
    let (_, fields) = auth_flows::login_fields(login)?;
    fields
        .keys()
        .find(|name| {
            let lower = name.to_ascii_lowercase();
            lower.contains("pass") || lower == "pwd"
        })
        .cloned()
}

/// Whether a body field sets the new password (`password`, `new_password`, `newPassword`), not
/// one that proves the current one.
fn is_new_password_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['_', '-'], "");
    (lower.contains("password") || lower == "pass" || lower == "passwd")
        && !lower.contains("current")
        && !lower.contains("old")
        && !lower.contains("confirm")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, json_operation, rounds};

    fn fixture() -> Fixture {
        let mut fixture = Fixture::new();
        let mut login = Request::new(
            "POST",
            url::Url::parse("http://127.0.0.1:8080/auth/login").expect("url"),
        );
        login.body = Some(br#"{"username":"bob","password":"bob-original"}"#.to_vec().into());
        fixture.identities[1].login = Some(login);
        fixture
    }

    fn run(
        operation: &Operation,
        fixture: &Fixture,
        server: &mut dyn FnMut(&Probe) -> u16,
    ) -> (Vec<(Probe, Exchange)>, Vec<Finding>) {
        let context = fixture.context();
        let results = rounds(&CrossUserAccountAction, operation, &context, &mut |probe| {
            answer(probe, server(probe), "{}")
        });
        let found = CrossUserAccountAction.evaluate(operation, &results, &context);
        (results, found)
    }

    #[test]
    fn another_users_password_is_changed_proven_and_restored() {
        let fixture = fixture();
        let operation = json_operation("PUT", "/users/{username}", &[("password", None)]);
        // A vulnerable server: whatever password was set last logs bob in.
        let mut current = "bob-original".to_string();
        let (results, found) = run(&operation, &fixture, &mut |probe| {
            let body = crate::checks::testing::json_body(probe);
            if probe.request.method == "PUT" {
                current = body["password"].as_str().unwrap_or_default().to_string();
                200
            } else if body["password"] == current.as_str() {
                200
            } else {
                401
            }
        });
        let labels: Vec<(&str, Option<usize>)> = results
            .iter()
            .map(|(p, _)| (p.label.as_str(), p.identity))
            .collect();
        assert_eq!(
            labels,
            [
                (CHANGE, Some(0)),
                (PROOF, None),
                (RESTORE, Some(0)),
                (VERIFY, None)
            ]
        );
        assert!(results[0].0.request.url.path().ends_with("/users/bob"));
        assert_eq!(
            crate::checks::testing::json_body(&results[2].0)["password"],
            "bob-original"
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .starts_with("alice changed bob's password through PUT /users/{username}")
                && found[0].message.contains("set back"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_failed_restore_is_said_loudly_and_a_refused_change_is_nothing() {
        let fixture = fixture();
        let operation = json_operation("PUT", "/users/{username}", &[("password", None)]);
        // The change applies once and the restore is refused.
        let mut puts = 0;
        let (_, found) = run(&operation, &fixture, &mut |probe| {
            let body = crate::checks::testing::json_body(probe);
            if probe.request.method == "PUT" {
                puts += 1;
                if puts == 1 { 200 } else { 403 }
            } else if body["password"] != "bob-original" {
                200
            } else {
                401
            }
        });
        assert!(
            found[0].message.contains("RESTORE FAILED"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("`bob`"));

        let (results, found) = run(&operation, &fixture, &mut |probe| {
            if probe.request.method == "PUT" {
                404
            } else {
                200
            }
        });
        assert!(found.is_empty());
        assert_eq!(results.len(), 1, "nothing to prove or restore");
    }

    #[test]
    fn only_password_changes_on_a_path_naming_the_account_are_tried() {
        let fixture = fixture();
        let context = fixture.context();
        for (operation, tried) in [
            (
                json_operation("PUT", "/users/{username}", &[("password", None)]),
                true,
            ),
            (
                json_operation(
                    "PATCH",
                    "/accounts/{id}/password",
                    &[("new_password", None)],
                ),
                true,
            ),
            // The caller's own account: never.
            (
                json_operation("PUT", "/users/me/password", &[("password", None)]),
                false,
            ),
            (
                json_operation("PUT", "/users/{username}", &[("bio", None)]),
                false,
            ),
            (
                json_operation("PUT", "/notes/{id}", &[("password", None)]),
                false,
            ),
        ] {
            assert_eq!(
                !CrossUserAccountAction.plan(&operation, &context).is_empty(),
                tried,
                "{}",
                operation.label()
            );
        }
        let mut token_only = Fixture::new();
        token_only.identities[1].login = None;
        assert!(
            CrossUserAccountAction
                .not_applicable(&token_only.context())
                .is_some()
        );
    }

    #[test]
    fn another_users_email_is_changed_proven_by_their_record_and_set_back() {
        let mut fixture = fixture();
        let operation = json_operation(
            "PUT",
            "/users/{username}",
            &[("email", Some("email")), ("password", None)],
        );
        fixture.spec.operations = vec![
            operation.clone(),
            crate::checks::testing::operation("GET", "/users/{username}", true),
        ];
        let context = fixture.context();
        // A vulnerable server: anyone sets anyone's e-mail and password.
        let email = std::cell::RefCell::new("bob@example.com".to_string());
        let password = std::cell::RefCell::new("bob-original".to_string());
        let results = rounds(
            &CrossUserAccountAction,
            &operation,
            &context,
            &mut |probe| {
                let body = crate::checks::testing::json_body(probe);
                match probe.request.method.as_str() {
                    "PUT" => {
                        if let Some(new) = body["email"].as_str() {
                            *email.borrow_mut() = new.to_string();
                        }
                        if let Some(new) = body["password"].as_str() {
                            *password.borrow_mut() = new.to_string();
                        }
                        answer(probe, 200, "{}")
                    }
                    "GET" => answer(
                        probe,
                        200,
                        &format!(r#"{{"username": "bob", "email": "{}"}}"#, email.borrow()),
                    ),
                    _ if body["password"] == password.borrow().as_str() => answer(probe, 200, "{}"),
                    _ => answer(probe, 401, "{}"),
                }
            },
        );
        let found = CrossUserAccountAction.evaluate(&operation, &results, &context);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(found.len(), 2, "{messages:?}");
        assert!(
            messages[1].starts_with("alice changed bob's e-mail through PUT /users/{username}")
                && messages[1].contains("set back"),
            "{messages:?}"
        );
        assert_eq!(email.borrow().as_str(), "bob@example.com", "restored");
        // The change body carries the e-mail alone.
        let change = results
            .iter()
            .find(|(p, _)| p.label == EMAIL_CHANGE)
            .map(|(p, _)| crate::checks::testing::json_body(p))
            .expect("sent");
        assert_eq!(change.as_object().map(|o| o.len()), Some(1));
    }

    #[test]
    fn an_email_that_could_not_be_read_first_is_never_changed() {
        let mut fixture = fixture();
        let operation = json_operation("PUT", "/users/{username}", &[("email", Some("email"))]);
        fixture.spec.operations = vec![
            operation.clone(),
            crate::checks::testing::operation("GET", "/users/{username}", true),
        ];
        let context = fixture.context();
        let results = rounds(
            &CrossUserAccountAction,
            &operation,
            &context,
            &mut |probe| {
                answer(
                    probe,
                    if probe.request.method == "GET" {
                        403
                    } else {
                        200
                    },
                    "{}",
                )
            },
        );
        assert!(results.iter().all(|(p, _)| p.label != EMAIL_CHANGE));
        assert!(
            CrossUserAccountAction
                .evaluate(&operation, &results, &context)
                .is_empty()
        );
    }
}
