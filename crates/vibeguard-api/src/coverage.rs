//! The coverage round and the coverage account of a run.
//!
//! Before any check runs, every operation of the description is requested once anonymously and
//! once as each identity, with a valid synthesized request (examples, schema, the identity's own
//! objects and account). The answers feed every passive check (exposure, error details,
//! headers, cookies, CORS, versions) whether or not an active check later plans anything for the
//! operation — a parameterless `GET /users` that lists every password is judged like any other.
//!
//! At the end of the run every operation that never had an answer (or only 5xx answers) is
//! named with the reason, and so is every operation where a check's probes went unsent: the
//! checklist then keeps the items those checks cover `not verified` instead of `passed`.
//!
//! Both halves are pure: [`plan`] builds the requests, [`account`] judges what came back.

use std::collections::BTreeMap;

use vibeguard_core::{Text, Untested};

use crate::checks::{Context, Probe};
use crate::http::{Exchange, RequestError};
use crate::spec::Operation;

/// The label of coverage-round probes.
pub const LABEL: &str = "coverage round";

/// One operation's part of the round: the probes to send, and why some identities were left
/// out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundPlan {
    /// Index of the operation.
    pub operation: usize,
    /// The requests (anonymous first, then each identity).
    pub probes: Vec<Probe>,
    /// Why no request was built for some or all of the identities, when so.
    pub withheld: Option<&'static str>,
}

/// Why an operation is not requested as an identity: it would change the identity's own
/// password or login e-mail, and the run (and the account's owners) would lose it.
pub const CHANGES_CREDENTIALS: &str = "it would change a test identity's own password, e-mail or second factor, or close its account (sent without credentials only)";
/// Why a change or deletion is not requested: its object is not one vibeguard created.
const NOT_OURS: &str = "it changes or deletes an object vibeguard did not create and could not create (give --allow-destructive to include it)";

/// The round's requests for every operation. Deletions are left to the checks, which run them
/// last on objects vibeguard created (a deletion now would take the object from every check);
/// logouts go without credentials, like every probe of a logout.
pub fn plan(context: &Context<'_>) -> Vec<RoundPlan> {
    let mut plans = Vec::new();
    for (index, operation) in context.spec.operations.iter().enumerate() {
        if operation.deletes() {
            continue;
        }
        let mut probes = Vec::new();
        let mut withheld = None;
        // Anonymously, on the first identity's object when there is one (the request is the
        // owner's; only the credential is missing).
        let anonymous = context
            .request(operation, (!context.identities.is_empty()).then_some(0), 0)
            .or_else(|| context.request(operation, None, 0));
        match anonymous {
            Some(request) => probes.push(Probe {
                label: LABEL.into(),
                identity: None,
                request,
            }),
            None => withheld = Some(NOT_OURS),
        }
        if !operation.ends_session() {
            for owner in 0..context.identities.len() {
                if changes_credentials(operation) {
                    withheld = Some(CHANGES_CREDENTIALS);
                    break;
                }
                match context.request(operation, Some(owner), 0) {
                    Some(request) => probes.push(Probe {
                        label: LABEL.into(),
                        identity: Some(owner),
                        request,
                    }),
                    None => withheld = Some(NOT_OURS),
                }
            }
        }
        plans.push(RoundPlan {
            operation: index,
            probes,
            withheld,
        });
    }
    plans
}

pub use vibeguard_http::accounts::changes_credentials;

/// Whether a credential-changing operation's probes may go as an account the run signed up
/// ([`crate::registered::AccountTracker::lend`]) instead of being withheld: it acts on the
/// caller's own account with nothing in its path that could name another (`POST
/// /profile/password`, `PATCH /me`), and neither closes the account nor ends the session the
/// other probes go on.
pub fn lendable(operation: &Operation) -> bool {
    operation.path_params().is_empty() && !operation.closes_account() && !operation.ends_session()
}

/// What happened to one operation over the run.
#[derive(Debug, Clone, Default)]
pub struct OperationOutcome {
    /// An answer that is not a server error was seen.
    pub answered: bool,
    /// Only server errors were seen (the first one's status).
    pub server_error: Option<u16>,
    /// Requests that could not be sent or got no answer, the first one's reason.
    pub failure: Option<String>,
    /// Why the round built no request, when so.
    pub withheld: Option<&'static str>,
    /// A 405 or 501 was answered: the method is not served at this path.
    pub method_refused: Option<u16>,
    /// An answer other than a refusal of the caller (401/403), of the method (405/501) or a
    /// server error was seen: the server serves the operation.
    pub served: bool,
    /// Checks whose probes for it were never sent (the budget was spent), by code.
    pub unsent_checks: Vec<Text>,
    /// Checks whose probes as an identity were withheld ([`changes_credentials`]), by code.
    pub withheld_checks: Vec<Text>,
    /// Checks that apply to it but could plan nothing, by code, with their reason
    /// ([`crate::checks::Check::uncovered`]).
    pub uncovered: Vec<(Text, &'static str)>,
}

impl OperationOutcome {
    /// The status (405 or 501) with which the server refused the method, when it never served
    /// the operation otherwise: what the description lists, the server does not serve (an
    /// out-of-date description, a route with fewer methods), and nothing there can be tested —
    /// or attacked.
    pub fn not_served(&self) -> Option<u16> {
        self.method_refused.filter(|_| !self.served)
    }

    /// Takes one exchange of the operation into account.
    pub fn record(&mut self, exchange: &Exchange) {
        match &exchange.outcome {
            Ok(response) if matches!(response.status, 405 | 501) => {
                self.method_refused.get_or_insert(response.status);
                self.answered = true;
            }
            Ok(response) if response.status >= 500 => {
                self.server_error.get_or_insert(response.status);
            }
            Ok(response) => {
                self.answered = true;
                self.served |= !matches!(response.status, 401 | 403);
            }
            Err(RequestError::BudgetSpent(_) | RequestError::TimeSpent(_)) => {
                self.failure
                    .get_or_insert_with(|| "the request budget was spent first".into());
            }
            Err(error) => {
                self.failure.get_or_insert_with(|| error.to_string());
            }
        }
    }
}

/// Why an operation not served is not tested, for the report's errors.
pub fn not_served_reason(status: u16) -> String {
    let name = if status == 405 {
        "405 Method Not Allowed"
    } else {
        "501 Not Implemented"
    };
    format!(
        "answered {name} to every request (refusals of the caller aside): the server does not serve this operation as the description lists it (out of date?), so no check was planned for it"
    )
}

/// The coverage account: how many operations were exercised, and what was not tested where.
pub fn account(
    operations: &[Operation],
    outcomes: &BTreeMap<usize, OperationOutcome>,
) -> (u64, Vec<Untested>) {
    let mut exercised = 0;
    let mut untested = Vec::new();
    for (index, operation) in operations.iter().enumerate() {
        let outcome = outcomes.get(&index).cloned().unwrap_or_default();
        // Not served: nothing there to test (named among the run's errors, not untested: an
        // operation that does not exist leaves no checklist item unverified).
        if outcome.not_served().is_some() {
            continue;
        }
        if outcome.answered {
            exercised += 1;
        } else {
            let reason = if let Some(status) = outcome.server_error {
                format!("answered {status} (a server error) to every request")
            } else if let Some(failure) = &outcome.failure {
                format!("no answer: {failure}")
            } else if let Some(withheld) = outcome.withheld {
                withheld.to_string()
            } else {
                "no check built a request for it".to_string()
            };
            untested.push(Untested {
                place: operation.label(),
                reason,
                rules: Vec::new(),
            });
            continue;
        }
        if !outcome.withheld_checks.is_empty() {
            untested.push(Untested {
                place: operation.label(),
                reason: "these checks' probes with an identity's credential (its own, forged or tampered) were withheld: they would change the identity's own password, e-mail or second factor, or close its account".into(),
                rules: outcome.withheld_checks.clone(),
            });
        }
        if !outcome.unsent_checks.is_empty() {
            untested.push(Untested {
                place: operation.label(),
                reason: "the request budget was spent before these checks' probes".into(),
                rules: outcome.unsent_checks.clone(),
            });
        }
        for (code, reason) in &outcome.uncovered {
            untested.push(Untested {
                place: operation.label(),
                reason: (*reason).to_string(),
                rules: vec![code.clone()],
            });
        }
    }
    (exercised, untested)
}

/// One sentence for the report's "not checked" line: the operations not exercised, each with
/// its reason (a few named, the rest counted).
pub fn summary_line(total: usize, untested: &[Untested]) -> Option<String> {
    let missed: Vec<&Untested> = untested.iter().filter(|u| u.rules.is_empty()).collect();
    if missed.is_empty() {
        return None;
    }
    const LISTED: usize = 8;
    let mut named: Vec<String> = missed
        .iter()
        .take(LISTED)
        .map(|u| format!("{} ({})", u.place, u.reason))
        .collect();
    if missed.len() > LISTED {
        named.push(format!("and {} more", missed.len() - LISTED));
    }
    Some(format!(
        "api: {} of {total} operation(s) not exercised: {}",
        missed.len(),
        named.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, json_operation, operation};
    use crate::lifecycle::CreatedObject;

    #[test]
    fn only_changes_of_the_callers_own_account_can_go_as_a_lent_one() {
        for (method, path, lendable_) in [
            ("POST", "/profile/password", true),
            ("PATCH", "/me", true),
            ("POST", "/settings/email", true),
            // The path could name another account.
            ("PUT", "/users/{username}/password", false),
            // It would close the lent account or end its session.
            ("POST", "/profile/delete", false),
            ("DELETE", "/me", false),
            ("POST", "/logout", false),
        ] {
            assert_eq!(
                lendable(&operation(method, path, true)),
                lendable_,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn an_operation_is_not_served_only_when_every_answer_refused_the_method() {
        let answered = |statuses: &[u16]| {
            let mut outcome = OperationOutcome::default();
            for status in statuses {
                outcome.record(&crate::checks::testing::exchange(
                    "PUT",
                    "http://127.0.0.1/me",
                    *status,
                    &[],
                    "{}",
                ));
            }
            outcome.not_served()
        };
        assert_eq!(answered(&[405]), Some(405));
        // Anonymous refused before routing (401), the identities' requests 405.
        assert_eq!(answered(&[401, 405, 405]), Some(405));
        assert_eq!(answered(&[501]), Some(501));
        // Served once is served: a refusal of one body is no missing method.
        assert_eq!(answered(&[405, 200]), None);
        assert_eq!(answered(&[405, 422]), None);
        assert_eq!(answered(&[401, 403]), None);
        assert_eq!(answered(&[]), None);
    }

    #[test]
    fn every_operation_is_requested_anonymously_and_as_each_identity() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![
            operation("GET", "/users", true),
            operation("GET", "/notes/{id}", true),
            operation("PUT", "/notes/{id}", true),
            operation("DELETE", "/notes/{id}", true),
            operation("PUT", "/things/{id}", true),
            operation("POST", "/logout", true),
        ];
        fixture.objects.push(CreatedObject {
            collection: "/notes".into(),
            item_path: "/notes/{id}".into(),
            param: "id".into(),
            value: "7".into(),
            owner: 0,
            slot: 0,
            body: None,
            parents: Vec::new(),
        });
        let context = fixture.context();
        let plans = plan(&context);
        let who = |index: usize| -> Vec<Option<usize>> {
            plans
                .iter()
                .find(|p| p.operation == index)
                .map(|p| p.probes.iter().map(|probe| probe.identity).collect())
                .unwrap_or_default()
        };
        assert_eq!(who(0), [None, Some(0), Some(1)]);
        // Alice's object: anonymously and as alice; bob has none of his own to change.
        assert_eq!(who(2), [None, Some(0)]);
        assert!(
            plans.iter().all(|p| p.operation != 3),
            "deletions are the checks' to make"
        );
        let foreign = plans.iter().find(|p| p.operation == 4).expect("planned");
        assert!(foreign.probes.is_empty());
        assert_eq!(foreign.withheld, Some(NOT_OURS));
        assert_eq!(who(5), [None], "a logout never gets an identity's session");
    }

    #[test]
    fn password_and_email_changes_of_the_caller_are_never_sent_as_an_identity() {
        let changes = [
            json_operation("PUT", "/users/me/password", &[("new_password", None)]),
            json_operation("POST", "/account/change-password", &[("password", None)]),
            json_operation("PATCH", "/profile", &[("email", Some("email"))]),
            json_operation(
                "PUT",
                "/users/{username}",
                &[("password", None), ("bio", None)],
            ),
            json_operation("POST", "/account/2fa/disable", &[]),
            json_operation("DELETE", "/api/me/mfa", &[]),
            json_operation("DELETE", "/account", &[]),
            json_operation("POST", "/profile", &[("email", None), ("bio", None)]),
            json_operation("POST", "/settings/email", &[("email", None)]),
            json_operation("DELETE", "/api/users/me", &[]),
            json_operation("POST", "/settings/delete-account", &[]),
            json_operation("POST", "/profile/deactivate", &[]),
        ];
        for operation in &changes {
            assert!(changes_credentials(operation), "{}", operation.label());
        }
        let harmless = [
            json_operation("POST", "/login", &[("username", None), ("password", None)]),
            json_operation("POST", "/register", &[("email", None), ("password", None)]),
            json_operation("POST", "/token", &[("username", None), ("password", None)]),
            json_operation(
                "POST",
                "/password-reset/confirm",
                &[("token", None), ("password", None)],
            ),
            json_operation("POST", "/users", &[("email", None), ("password", None)]),
            json_operation("PUT", "/notes/{id}", &[("title", None)]),
            json_operation("POST", "/newsletter", &[("email", None)]),
            json_operation("GET", "/account/2fa", &[]),
            json_operation("DELETE", "/notes/{id}", &[]),
            json_operation("POST", "/posts/{id}/delete", &[]),
        ];
        for operation in &harmless {
            assert!(!changes_credentials(operation), "{}", operation.label());
        }
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![changes[0].clone()];
        let plans = plan(&fixture.context());
        assert_eq!(plans[0].withheld, Some(CHANGES_CREDENTIALS));
        assert!(plans[0].probes.iter().all(|p| p.identity.is_none()));
    }

    #[test]
    fn the_account_names_every_operation_without_an_answer_and_why() {
        let operations = vec![
            operation("GET", "/users", true),
            operation("GET", "/crash", true),
            operation("PUT", "/things/{id}", true),
            operation("GET", "/slow", true),
        ];
        let probe = crate::checks::testing::probe(LABEL, None, "GET", "http://127.0.0.1/x");
        let mut outcomes: BTreeMap<usize, OperationOutcome> = BTreeMap::new();
        outcomes
            .entry(0)
            .or_default()
            .record(&answer(&probe, 200, "[]"));
        outcomes
            .entry(0)
            .or_default()
            .unsent_checks
            .push(Text::Borrowed("VG409"));
        outcomes
            .entry(1)
            .or_default()
            .record(&answer(&probe, 500, "boom"));
        outcomes.entry(2).or_default().withheld = Some(NOT_OURS);
        let (exercised, untested) = account(&operations, &outcomes);
        assert_eq!(exercised, 1);
        let places: Vec<(&str, &str)> = untested
            .iter()
            .map(|u| (u.place.as_str(), u.reason.as_str()))
            .collect();
        assert_eq!(
            places,
            [
                (
                    "GET /users",
                    "the request budget was spent before these checks' probes"
                ),
                (
                    "GET /crash",
                    "answered 500 (a server error) to every request"
                ),
                ("PUT /things/{id}", NOT_OURS),
                ("GET /slow", "no check built a request for it"),
            ]
        );
        assert_eq!(untested[0].rules, [Text::Borrowed("VG409")]);
        let line = summary_line(operations.len(), &untested).expect("a line");
        assert!(
            line.starts_with("api: 3 of 4 operation(s) not exercised: GET /crash"),
            "{line}"
        );
    }
}
