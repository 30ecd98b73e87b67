//! The API engine against the demo API: every seeded flaw of the vulnerable twin is reported,
//! and the hardened twin gives none of these checks anything to report.

use std::collections::BTreeSet;

use serde_json::json;
use url::Url;
use vibeguard_api::checks::session_lifecycle::SessionFlows;
use vibeguard_api::engine::{self, ApiOutcome, ApiSettings};
use vibeguard_api::identity::IdentityConfig;
use vibeguard_api::spec::SpecSource;
use vibeguard_demo::api::{ACCOUNTS, DemoApi, Mode};

fn login(email: &str, password: &str) -> IdentityConfig {
    IdentityConfig::json_login(
        "/api/login",
        json!({"email": email, "password": password}),
        "/token",
    )
}

pub async fn audit(mode: Mode) -> ApiOutcome {
    let demo = DemoApi::start(mode, 0).await.expect("demo starts");
    let target = Url::parse(&demo.url()).expect("url");
    let spec = SpecSource::Url(target.join("/openapi.yaml").expect("url"));
    let settings = ApiSettings {
        identities: vec![
            ("alice".into(), login(ACCOUNTS[0].0, ACCOUNTS[0].1)),
            ("bob".into(), login(ACCOUNTS[1].0, ACCOUNTS[1].1)),
        ],
        seed: 1,
        session: SessionFlows {
            reset_request: Some("POST /api/password-reset".into()),
            reset_confirm: Some("POST /api/password-reset/confirm".into()),
            reset_email: Some(ACCOUNTS[3].0.into()),
            ..SessionFlows::default()
        },
        ..ApiSettings::new(target, spec)
    };
    let outcome = engine::run(&settings, &|_| true, &|_| None)
        .await
        .expect("the engine runs");
    demo.stop().await;
    outcome
}

fn untested_places(outcome: &ApiOutcome) -> Vec<String> {
    outcome
        .output
        .run
        .untested
        .iter()
        .map(|u| u.place.to_string())
        .collect()
}

fn summary(outcome: &ApiOutcome) -> BTreeSet<String> {
    outcome
        .output
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.location))
        .collect()
}

/// Every seeded flaw of the vulnerable twin, as `CODE location`.
const EXPECTED: &[&str] = &[
    // Tokens are decoded, not verified: a tampered signature passes everywhere...
    "VG401 GET /api/admin/users",
    "VG401 GET /api/tasks",
    "VG401 GET /api/tasks/{id}",
    "VG401 GET /api/users/me",
    "VG401 POST /api/tasks",
    "VG401 PUT /api/tasks/{id}",
    "VG401 DELETE /api/tasks/{id}",
    // ...and the user profile has no auth at all.
    "VG401 GET /api/users/{id}",
    // No ownership checks.
    "VG402 GET /api/tasks/{id}",
    "VG402 PUT /api/tasks/{id}",
    "VG402 DELETE /api/tasks/{id}",
    "VG402 GET /api/users/{id}",
    // The admin endpoint trusts the front end.
    "VG403 GET /api/admin/users",
    // String-built SQL: crashes and errors that show the SQL.
    "VG404 GET /api/tasks/{id}",
    "VG404 GET /api/users/{id}",
    "VG404 POST /api/login",
    "VG404 POST /api/password-reset",
    "VG404 POST /api/register",
    "VG404 POST /api/tasks",
    "VG404 PUT /api/tasks/{id}",
    // Whole rows in responses.
    "VG405 GET /api/admin/users [response:/*/api_key]",
    "VG405 GET /api/admin/users [response:/*/password_hash]",
    "VG405 GET /api/users/{id} [response:/api_key]",
    "VG405 GET /api/users/{id} [response:/password_hash]",
    // No security headers, CORS for everyone, a bare session cookie.
    "VG406 * / [response headers]",
    "VG407 GET /api/tasks",
    "VG408 * / [cookie:session]",
    // SQL built from strings, confirmed by errors, expressions and true/false pairs.
    "VG409 GET /api/tasks [query:q]",
    "VG409 GET /api/tasks/{id} [path:id]",
    "VG409 GET /api/users/{id} [path:id]",
    "VG409 POST /api/login [body:/email]",
    "VG409 POST /api/register [body:/email]",
    "VG409 POST /api/register [body:/name]",
    "VG409 POST /api/tasks [body:/title]",
    "VG409 PUT /api/tasks/{id} [body:/title]",
    "VG409 PUT /api/tasks/{id} [path:id]",
    // Tokens are decoded, never verified; the secret is a guessable one; no expiry.
    "VG410 GET /api/users/me [token]",
    "VG411 GET /api/users/me [token]",
    "VG412 GET /api/users/me [token]",
    // The whole body is trusted: a registration takes `role`, a task takes `ownerId`.
    "VG413 POST /api/register [body:role]",
    "VG413 POST /api/tasks [body:ownerId]",
    // No limit on failed logins, sign-ups or resets, nor on a burst of 200 reads a second.
    "VG414 POST /api/login",
    "VG414 POST /api/password-reset",
    "VG414 POST /api/register",
    "VG431 GET /api/tasks",
    // "No account with that email" versus "Wrong password" / "Reset link sent".
    "VG415 POST /api/login",
    "VG415 POST /api/password-reset",
    // The attachment upload looks its task up with the same string-built SQL, by id alone,
    // for any token.
    "VG401 POST /api/tasks/{id}/attachment",
    "VG402 POST /api/tasks/{id}/attachment",
    "VG404 POST /api/tasks/{id}/attachment",
    "VG409 POST /api/tasks/{id}/attachment [path:id]",
    // The login reads objects as document-store operators: {"$ne": …} matches any account.
    "VG418 POST /api/login [body:/email]",
    "VG418 POST /api/login [body:/password]",
    // The export pastes its file name into a shell command line, the reminder preview compiles
    // the message as a template; both take any token, the preview any length and a 500 on
    // deep JSON.
    "VG401 GET /api/tasks/export",
    "VG401 POST /api/notifications/preview",
    "VG404 POST /api/notifications/preview",
    "VG417 POST /api/notifications/preview [nested-json]",
    "VG419 GET /api/tasks/export [query:filename]",
    "VG420 POST /api/notifications/preview [body:/message]",
    // The logout follows any `next`; the avatar is downloaded from any URL given (the canary
    // listener sees the fetch), for any token, of any shape.
    "VG421 GET /api/logout [query:next]",
    "VG422 POST /api/users/me/avatar [body:/avatarUrl]",
    "VG401 POST /api/users/me/avatar",
    "VG404 POST /api/users/me/avatar",
    "VG417 POST /api/users/me/avatar [nested-json]",
    // The reset answer carries the token ("until e-mail works"), tokens are never spent and
    // can be guessed without limit; the logout leaves the session valid.
    "VG405 POST /api/password-reset [response:/resetToken]",
    "VG423 POST /api/password-reset/confirm",
    "VG423 GET /api/logout",
    "VG404 POST /api/password-reset/confirm",
    "VG414 POST /api/password-reset/confirm",
    "VG417 POST /api/password-reset/confirm [nested-json]",
    // GraphQL at /graphql (not in the description, found at the usual path): introspection,
    // suggestions, no depth, batch or alias limit, and `search` pasted into SQL.
    "VG424 POST /graphql [aliases]",
    "VG424 POST /graphql [argument:tasks.search]",
    "VG424 POST /graphql [batch]",
    "VG424 POST /graphql [depth]",
    "VG424 POST /graphql [introspection]",
    "VG424 POST /graphql [suggestion]",
    // The sign-up matches the address against a nested-quantifier regex.
    "VG426 POST /api/register [body:/email]",
    "VG435 POST /api/register",
    // A debug page that prints the database password and the JWT secret.
    "VG416 GET /debug",
    // The database's own error, with the SQL, in the answers to malformed input (and the
    // GraphQL endpoint's error).
    "VG427 GET /api/tasks",
    "VG427 GET /api/tasks/{id}",
    "VG427 GET /api/users/{id}",
    "VG427 POST /api/login",
    "VG427 POST /api/register",
    "VG427 POST /api/tasks",
    "VG427 POST /api/tasks/{id}/attachment",
    "VG427 PUT /api/tasks/{id}",
    "VG427 POST /graphql",
    // Uploads without a size limit, any page size, and a JSON parser error that becomes a 500.
    "VG417 POST /api/tasks/{id}/attachment [large-body]",
    "VG417 GET /api/tasks [query:limit]",
    "VG417 POST /api/login [nested-json]",
    "VG417 POST /api/password-reset [nested-json]",
    "VG417 POST /api/register [nested-json]",
    "VG417 POST /api/tasks [nested-json]",
    "VG417 PUT /api/tasks/{id} [nested-json]",
];

#[tokio::test]
async fn every_seeded_flaw_of_the_vulnerable_demo_is_reported() {
    let outcome = audit(Mode::Vulnerable).await;
    let expected: BTreeSet<String> = EXPECTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(summary(&outcome), expected);
    // The tokens it forges (VG410) are identities of their own: the object check crossed
    // alice's objects with the one forged for her, each finding naming its chain and kept
    // apart from bob's crossing of the same operation.
    let findings = &outcome.output.findings;
    let chained = |operation: &str| {
        findings.iter().find(|f| {
            f.code == "VG402"
                && f.message
                    .starts_with("a token forged for alice (alg none, VG410)")
                && f.message.contains(operation)
        })
    };
    let forged_change = chained("PUT /api/tasks/{id}").expect("a chained change");
    assert!(chained("GET /api/tasks/{id}").is_some());
    let bobs_change = findings
        .iter()
        .find(|f| {
            f.code == "VG402"
                && f.message.starts_with("bob ")
                && f.message.contains("PUT /api/tasks/{id}")
        })
        .expect("bob's own crossing");
    assert_ne!(forged_change.fingerprint, bobs_change.fingerprint);
    assert!(
        outcome.output.run.errors.is_empty(),
        "{:?}",
        outcome.output.run.errors
    );
    // Every check but transport security, which does not judge plain HTTP on this machine,
    // the account takeover (the demo changes passwords only by reset token), and the three
    // that judge cookie sessions (the demo's identities send bearer tokens). The
    // self-escalation tries the `role` the caller's own record shows on the one operation of
    // its own account that takes a body (the avatar's), which ignores it.
    assert_eq!(
        outcome.output.run.rules_applied.len(),
        vibeguard_api::checks::ALL.len() - 5
    );
    assert!(
        outcome
            .output
            .run
            .not_applicable
            .iter()
            .any(|na| na.code == "VG429")
    );
    assert!(
        !outcome
            .output
            .run
            .rules_applied
            .iter()
            .any(|code| code == "VG425")
    );
    // Every described operation exercised; untested by a check only what closes the caller's
    // own account, which no probe sends with an identity's credential, forged or not.
    let coverage = outcome.output.run.coverage;
    assert_eq!(coverage.operations_total, 19);
    assert_eq!(
        coverage.operations, coverage.operations_total,
        "{:?}",
        outcome.output.run.untested
    );
    assert_eq!(
        untested_places(&outcome),
        ["DELETE /api/users/me"],
        "{:?}",
        outcome.output.run.untested
    );
    // Both kinds of CORS flaw, and the BOLA deletion is critical.
    assert_eq!(
        outcome
            .output
            .findings
            .iter()
            .filter(|f| f.code == "VG407")
            .count(),
        2
    );
    assert!(
        outcome
            .output
            .findings
            .iter()
            .any(|f| f.code == "VG402" && f.severity == vibeguard_core::Severity::Critical)
    );
    // Every finding about an exchange carries it as evidence with a curl line.
    assert!(
        outcome
            .output
            .findings
            .iter()
            .filter(|f| f.code != "VG406")
            .all(|f| !f.evidence.is_empty())
    );
}

#[tokio::test]
async fn the_hardened_demo_gives_the_checks_nothing_to_report() {
    let outcome = audit(Mode::Hardened).await;
    assert_eq!(summary(&outcome), BTreeSet::new());
    // Every operation exercised by every check, but the closing of the caller's own
    // account, which no probe sends with an identity's credential.
    assert_eq!(
        untested_places(&outcome),
        ["DELETE /api/users/me"],
        "{:?}",
        outcome.output.run.untested
    );
    assert!(
        outcome.output.run.errors.is_empty(),
        "{:?}",
        outcome.output.run.errors
    );
    assert_eq!(
        outcome.output.run.rules_applied.len(),
        vibeguard_api::checks::ALL.len() - 5,
        "every check but VG425, VG429, VG433, VG434 and VG436 ran: {:?}",
        outcome.output.run.not_applicable
    );
    assert!(outcome.output.run.coverage.requests > 50);
}

#[tokio::test]
async fn the_run_cleans_up_and_reports_the_tokens_it_obtained() {
    let outcome = audit(Mode::Vulnerable).await;
    // Every object created was deleted (or already deleted by a test): no cleanup error.
    assert!(
        !outcome
            .output
            .run
            .errors
            .iter()
            .any(|e| e.message.contains("could not delete"))
    );
    assert!(
        outcome.secrets.iter().any(|s| s.starts_with("eyJ")),
        "login tokens are handed to the redactor"
    );
    let deletes = outcome
        .exchanges
        .iter()
        .filter(|e| e.request.method == "DELETE")
        .count();
    assert!(deletes >= 3);
}
