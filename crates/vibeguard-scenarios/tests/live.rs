//! Scenario files run against a real notes API on 127.0.0.1, in a vulnerable and a hardened
//! mode: every assertion kind passes on the one it should and fails on the other, captures feed
//! later steps, identities log in with the floor's login, failures are VG501 findings with the
//! step's exchange, passes verify their checklist items, and destructive scenarios wait for
//! `--allow-destructive`.

mod common;

use std::collections::BTreeMap;

use common::{serve, settings};
use serde_json::json;
use vibeguard_core::{ChecklistId, ChecklistStatus};
use vibeguard_http::identity::IdentityConfig;
use vibeguard_scenarios::{ScenarioStatus, Suite};

/// One scenario per assertion kind, each written so the hardened API passes it and the
/// vulnerable one fails it.
const SUITE: &str = r#"
vars:
  title: Alice's diary
scenarios:
  - name: a request without a token is refused
    checklist: [AUTH-01]
    severity: high
    steps:
      - {path: /api/notes, expect: {status: [401, 403]}}
  - name: bob cannot read alice's note
    checklist: [AUTH-02]
    severity: critical
    steps:
      - name: alice writes
        as: alice
        method: POST
        path: /api/notes
        json: {title: "${title}"}
        capture:
          note_id: {json: /id}
          where: {header: Location}
        expect:
          status: 201
          json:
            - {path: $.owner, equals: alice}
            - {path: /id, type: integer}
            - {path: /title, matches: "^Alice"}
      - name: alice reads it back
        as: alice
        path: "${where}"
        expect: {status: 2xx, json: [{path: /title, equals: "${title}"}]}
      - name: bob reads it
        as: bob
        path: /api/notes/{note_id}
        expect:
          status: 404
          body: {not_contains: "${title}"}
  - name: user records hold no password hash
    checklist: [DATA-01]
    steps:
      - as: alice
        path: /api/users
        expect:
          status: 200
          json:
            - {path: "/0/password_hash", absent: true}
            - {path: "$[0].name", exists: true}
            - {path: "$", length: 1}
          body:
            not_matches: '\$2[aby]\$\d\d\$'
  - name: the users page says who may frame it and not what runs it
    checklist: [API-06]
    steps:
      - as: alice
        path: /api/users
        expect:
          headers:
            X-Frame-Options: {equals: DENY}
            Content-Type: {matches: json}
            X-Powered-By: {absent: true}
  - name: errors stay generic
    checklist: [API-04]
    steps:
      - path: /search
        query: {q: "it's"}
        expect:
          status: 2xx
          body: {not_contains: [traceback, sqlite3], case_insensitive: true}
  - name: search answers fast
    steps:
      - {path: /search, query: {q: slow}, expect: {max_ms: 300, body: {contains: NO RESULTS, case_insensitive: true}}}
  - name: the list differs for a caller with no notes
    steps:
      - {name: as alice, as: alice, path: /api/notes}
      - {name: anonymous, path: /api/notes, expect: {differs_from: as alice}}
"#;

fn suite(text: &str) -> Suite {
    let (scenarios, errors) =
        vibeguard_scenarios::load::parse("suite.yaml", text, &["alice".into(), "bob".into()]);
    assert!(errors.is_empty(), "{errors:?}");
    Suite {
        scenarios,
        errors,
        files: 1,
        ..Suite::default()
    }
}

async fn run(
    hardened: bool,
    text: &str,
    allow_destructive: bool,
) -> vibeguard_scenarios::ScenarioOutcome {
    let target = serve(hardened).await;
    vibeguard_scenarios::run(
        &suite(text),
        &settings(target, allow_destructive),
        &|_| true,
        &|_| None,
    )
    .await
    .expect("the suite runs")
}

#[tokio::test]
async fn every_assertion_passes_on_the_hardened_api() {
    let outcome = run(true, SUITE, false).await;
    for result in &outcome.results {
        assert_eq!(result.status, ScenarioStatus::Passed, "{result:?}");
    }
    assert!(
        outcome.output.findings.is_empty(),
        "{:?}",
        outcome.output.findings
    );
    let run = &outcome.output.run;
    assert!(run.applied("VG501"));
    // The passes verify the items their scenarios name, and the checklist says so.
    let verdicts = vibeguard_core::checklist::evaluate(
        &vibeguard_scenarios::rule_metas(),
        std::slice::from_ref(run),
        &[],
    );
    let of = |id: ChecklistId| verdicts.iter().find(|v| v.id == id).expect("an item");
    assert_eq!(of(ChecklistId::Auth01).status, ChecklistStatus::Passed);
    assert!(
        of(ChecklistId::Auth01)
            .note
            .contains("a request without a token is refused")
    );
    assert_eq!(of(ChecklistId::Auth02).status, ChecklistStatus::Passed);
    // An item no scenario names is not passed by them.
    assert_ne!(of(ChecklistId::Auth03).status, ChecklistStatus::Passed);
}

#[tokio::test]
async fn every_assertion_fails_on_the_vulnerable_api_with_its_reason() {
    let outcome = run(false, SUITE, false).await;
    let failed: BTreeMap<&str, &str> = outcome
        .output
        .findings
        .iter()
        .map(|f| {
            let name = f.message.split('`').nth(1).unwrap_or_default();
            (name, f.message.as_str())
        })
        .collect();
    let expect = |name: &str, says: &str| {
        let message = failed
            .get(name)
            .unwrap_or_else(|| panic!("{name} did not fail: {failed:#?}"));
        assert!(message.contains(says), "{name}: {message}");
    };
    expect(
        "a request without a token is refused",
        "expected status 401 or 403, got 200",
    );
    expect(
        "bob cannot read alice's note",
        "at step `bob reads it`: expected status 404, got 200",
    );
    expect(
        "bob cannot read alice's note",
        "not to contain `Alice's diary`",
    );
    expect(
        "user records hold no password hash",
        "expected nothing at `/0/password_hash`",
    );
    expect("user records hold no password hash", "not to match");
    expect(
        "the users page says who may frame it and not what runs it",
        "expected header `X-Frame-Options: DENY`, got none",
    );
    expect(
        "the users page says who may frame it and not what runs it",
        "expected no header `X-Powered-By`",
    );
    expect("errors stay generic", "expected status 2xx, got 500");
    expect("errors stay generic", "not to contain `traceback`");
    expect("search answers fast", "expected an answer within 300 ms");
    expect(
        "the list differs for a caller with no notes",
        "got the same",
    );
    assert_eq!(outcome.output.findings.len(), 7);
    // A finding carries the scenario's severity and items, and the failed step's exchange.
    let bola = outcome
        .output
        .findings
        .iter()
        .find(|f| f.message.contains("bob cannot read"))
        .expect("the BOLA finding");
    assert_eq!(bola.code, "VG501");
    assert_eq!(bola.severity, vibeguard_core::Severity::Critical);
    assert_eq!(bola.checklist, [ChecklistId::Auth02]);
    let evidence = format!("{:?}", bola.evidence);
    assert!(
        evidence.contains("/api/notes/1") && evidence.contains("HTTP 200"),
        "{evidence}"
    );
    // The earlier steps of the failed scenario passed, with their captures used.
    let result = outcome
        .results
        .iter()
        .find(|r| r.name == "bob cannot read alice's note")
        .expect("its result");
    assert_eq!(result.status, ScenarioStatus::Failed);
    assert_eq!(result.steps.len(), 3);
    assert!(
        result.steps[..2].iter().all(|s| s.failures.is_empty()),
        "{result:?}"
    );
    let verdicts = vibeguard_core::checklist::evaluate(
        &vibeguard_scenarios::rule_metas(),
        std::slice::from_ref(&outcome.output.run),
        &outcome.output.findings,
    );
    let auth01 = verdicts
        .iter()
        .find(|v| v.id == ChecklistId::Auth01)
        .expect("AUTH-01");
    assert_eq!(auth01.status, ChecklistStatus::Failed);
}

#[tokio::test]
async fn destructive_scenarios_wait_for_permission_and_captures_must_exist() {
    let text = r#"
scenarios:
  - name: bob cannot delete alice's note
    destructive: true
    checklist: [AUTH-02]
    steps:
      - {as: alice, method: POST, path: /api/notes, json: {title: t}, capture: {id: {json: /id}}}
      - {as: bob, method: DELETE, path: "/api/notes/{id}", expect: {status: 404}}
  - name: a capture that is not there fails its step
    steps:
      - {as: alice, path: /api/users, capture: {token: {json: /0/token}}}
"#;
    let withheld = run(false, text, false).await;
    let not_run = &withheld.results[0];
    assert!(
        matches!(&not_run.status, ScenarioStatus::NotRun(why) if why.contains("--allow-destructive")),
        "{not_run:?}"
    );
    assert!(
        withheld
            .output
            .run
            .untested
            .iter()
            .any(|u| u.place.contains("bob cannot delete"))
    );
    assert!(
        !withheld
            .exchanges
            .iter()
            .any(|e| e.request.method == "DELETE")
    );
    assert!(withheld.output.findings.iter().any(|f| {
        f.message
            .contains("capture `token`: no value at `/0/token`")
    }));

    let allowed = run(false, text, true).await;
    assert_eq!(allowed.results[0].status, ScenarioStatus::Failed);
    let hardened = run(true, text, true).await;
    assert_eq!(hardened.results[0].status, ScenarioStatus::Passed);
}

#[tokio::test]
async fn an_identity_that_cannot_log_in_leaves_its_scenarios_not_run_never_passed() {
    let target = serve(true).await;
    let mut settings = settings(target, false);
    settings.identities[0].1 = IdentityConfig::json_login(
        "/login",
        json!({"username": "alice", "password": "wrong"}),
        "/token",
    );
    let text = "scenarios:\n  - name: alice reads\n    checklist: [AUTH-01]\n    steps:\n      - {as: alice, path: /api/notes, expect: {status: 200}}\n";
    let outcome = vibeguard_scenarios::run(&suite(text), &settings, &|_| true, &|_| None)
        .await
        .expect("runs");
    assert!(
        matches!(&outcome.results[0].status, ScenarioStatus::NotRun(why) if why.contains("alice"))
    );
    assert!(outcome.output.findings.is_empty());
    assert!(outcome.output.run.verified.is_empty());
    assert!(
        outcome
            .output
            .run
            .errors
            .iter()
            .any(|e| e.source == "identity alice")
    );
}

#[tokio::test]
async fn multipart_steps_upload_files_and_text_fields() {
    let text = r#"
vars:
  caption: my cat
scenarios:
  - name: an HTML upload is refused
    checklist: [INPUT-03]
    steps:
      - method: POST
        path: /upload
        multipart:
          caption: "${caption}"
          avatar: {file: cat.html, content: "<script>alert(1)</script>", type: text/html}
        expect: {status: [400, 415]}
  - name: a picture upload is stored with its caption
    steps:
      - method: POST
        path: /upload
        multipart:
          caption: "${caption}"
          avatar: {file: cat.png, content: "PNG", type: image/png}
        expect: {status: 200, json: [{path: /caption, equals: "${caption}"}]}
"#;
    let vulnerable = run(false, text, false).await;
    assert_eq!(vulnerable.results[0].status, ScenarioStatus::Failed);
    assert_eq!(vulnerable.results[1].status, ScenarioStatus::Passed);
    let sent = vulnerable
        .exchanges
        .iter()
        .find(|e| e.request.url.path() == "/upload")
        .and_then(|e| e.request.body.clone())
        .expect("a body");
    let sent = String::from_utf8_lossy(&sent);
    assert!(
        sent.contains(
            "name=\"avatar\"; filename=\"cat.html\"\r\nContent-Type: text/html\r\n\r\n<script>"
        ),
        "{sent}"
    );
    let hardened = run(true, text, false).await;
    assert!(
        hardened
            .results
            .iter()
            .all(|r| r.status == ScenarioStatus::Passed),
        "{:#?}",
        hardened.results
    );
}

#[tokio::test]
async fn same_as_compares_with_an_earlier_answer_and_fails_when_it_differs() {
    let text = r#"
scenarios:
  - name: the list reads the same twice
    steps:
      - {name: first, as: alice, path: /api/notes}
      - {name: again, as: alice, path: /api/notes, expect: {same_as: first}}
  - name: an anonymous caller sees what alice sees
    steps:
      - {name: alice, as: alice, path: /api/users}
      - {name: anyone, path: /api/users, expect: {same_as: alice}}
"#;
    let outcome = run(true, text, false).await;
    assert_eq!(outcome.results[0].status, ScenarioStatus::Passed);
    assert_eq!(outcome.results[1].status, ScenarioStatus::Failed);
    assert!(
        outcome.output.findings[0]
            .message
            .contains("expected the same body as step `alice`, got another"),
        "{}",
        outcome.output.findings[0].message
    );
}

#[tokio::test]
async fn environment_values_under_secret_names_are_masked_and_names_are_not() {
    let text = r#"
scenarios:
  - name: the search takes a key
    steps:
      - {path: /search, query: {q: "${WHO}", key: "${API_TOKEN}"}, headers: {X-Trace: "${SESSION_TOKEN}"}}
"#;
    let target = serve(true).await;
    let env = |name: &str| match name {
        "API_TOKEN" => Some("tok-5e3c7a9b".to_string()),
        "SESSION_TOKEN" => Some("sess-77aa".to_string()),
        "WHO" => Some("alice".to_string()),
        _ => None,
    };
    let outcome = vibeguard_scenarios::run(&suite(text), &settings(target, false), &|_| true, &env)
        .await
        .expect("runs");
    assert_eq!(outcome.results[0].status, ScenarioStatus::Passed);
    assert!(outcome.secrets.contains(&"tok-5e3c7a9b".to_string()));
    assert!(outcome.secrets.contains(&"sess-77aa".to_string()));
    assert!(!outcome.secrets.contains(&"alice".to_string()));
}
