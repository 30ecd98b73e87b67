//! Hurl files run against the notes API on 127.0.0.1: the common subset (headers, query,
//! JSON bodies, captures, asserts on status, headers, jsonpath, body and duration) passes on
//! the hardened API and fails on the vulnerable one; what is not supported is an error at its
//! line, and `[Options]` a note — never an assert skipped in silence.

mod common;

use common::{serve, settings};
use vibeguard_scenarios::{ScenarioStatus, Suite};

const NOTES: &str = r#"# vibeguard: name bob cannot read alice's note
# vibeguard: checklist AUTH-02
# vibeguard: severity critical

# alice logs in
POST {{base_url}}/login
Content-Type: application/json
{
  "username": "alice",
  "password": "alice-pw"
}
HTTP 200
[Captures]
alice_token: jsonpath "$.token"
[Asserts]
jsonpath "$.token" exists
jsonpath "$.token" isString

POST {{base_url}}/api/notes
Authorization: Bearer {{alice_token}}
{"title": "Alice's diary"}
HTTP 201
Location: /api/notes/1
[Captures]
note: jsonpath "$.id"
[Asserts]
header "Location" startsWith "/api/notes/"
jsonpath "$.owner" == "alice"
jsonpath "$.id" isInteger
duration < 2000

POST {{base_url}}/login
Content-Type: application/json
{"username": "bob", "password": "bob-pw"}
HTTP *
[Captures]
bob_token: jsonpath "$.token"

GET http://localhost:8080/api/notes/{{note}}
Authorization: Bearer {{bob_token}}
[Options]
retry: 3
HTTP 404
[Asserts]
body not contains "diary"
"#;

const USERS: &str = r#"# vibeguard: checklist DATA-01
# vibeguard: as alice
GET {{base_url}}/api/users
[QueryStringParams]
page: 1
HTTP 200
[Asserts]
jsonpath "$" count == 1
jsonpath "$[0].password_hash" not exists
header "X-Powered-By" not exists
body not matches /\$2[aby]\$/
"#;

async fn run(hardened: bool, files: &[(&str, &str)]) -> vibeguard_scenarios::ScenarioOutcome {
    let folder = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(folder.path().join(name), text).expect("write");
    }
    let suite: Suite = vibeguard_scenarios::load(folder.path(), &["alice".into(), "bob".into()]);
    assert!(suite.errors.is_empty(), "{:#?}", suite.errors);
    let target = serve(hardened).await;
    vibeguard_scenarios::run(&suite, &settings(target, false), &|_| true, &|_| None)
        .await
        .expect("runs")
}

#[tokio::test]
async fn hurl_files_pass_on_the_hardened_api_and_fail_on_the_vulnerable_one() {
    let files = [("notes.hurl", NOTES), ("users.hurl", USERS)];
    let hardened = run(true, &files).await;
    for result in &hardened.results {
        assert_eq!(result.status, ScenarioStatus::Passed, "{result:#?}");
    }
    assert_eq!(hardened.results.len(), 2);
    assert_eq!(hardened.results[0].name, "bob cannot read alice's note");
    assert_eq!(hardened.results[0].steps.len(), 4);
    // The query parameter, the captured token in the header, the file's host replaced by the
    // target's.
    assert!(hardened.exchanges.iter().any(|e| {
        e.request.url.path() == "/api/users" && e.request.url.query() == Some("page=1")
    }));
    assert!(
        hardened
            .exchanges
            .iter()
            .all(|e| e.request.url.host_str() == Some("127.0.0.1"))
    );
    // [Options] is a note of the run, not silently honoured or dropped.
    assert!(
        hardened
            .output
            .run
            .unchecked
            .iter()
            .any(|note| note.contains("notes.hurl:41:") && note.contains("[Options] is ignored")),
        "{:#?}",
        hardened.output.run.unchecked
    );

    let vulnerable = run(false, &files).await;
    let messages: Vec<&str> = vulnerable
        .output
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("bob cannot read alice's note")
                && m.contains("expected status 404, got 200")
                && m.contains("not to contain `diary`"))
    );
    assert!(messages.iter().any(|m| m.contains("users.hurl")
        && m.contains("expected nothing at `$[0].password_hash`")
        && m.contains("expected no header `X-Powered-By`")));
    let bola = &vulnerable.output.findings[0];
    assert_eq!(bola.severity, vibeguard_core::Severity::Critical);
    assert_eq!(bola.checklist, [vibeguard_core::ChecklistId::Auth02]);
}

#[test]
fn what_hurl_files_hold_that_vibeguard_cannot_read_is_an_error_at_its_line() {
    let text = r#"GET {{base_url}}/a
[BasicAuth]
alice: secret
HTTP 200
[Asserts]
status < 400
xpath "//title" == "x"
jsonpath "$.n" > 3
jsonpath "$.a" nth 0 == 1
[Captures]
t: xpath "//x"
POST {{base_url}}/b
```
raw
```
"#;
    let read = vibeguard_scenarios::hurl::read("t.hurl", text);
    let errors = read.file.expect_err("errors");
    let at = |line: u64, says: &str| {
        assert!(
            errors
                .iter()
                .any(|e| e.line == Some(line) && e.message.contains(says)),
            "line {line} should say {says}: {errors:#?}"
        );
    };
    at(2, "[BasicAuth] is not supported");
    at(6, "the assert on `status` with `<`");
    at(7, "the assert on `xpath`");
    at(8, "this jsonpath predicate");
    at(9, "this jsonpath predicate");
    at(11, "the capture query `xpath` is not supported");
    at(13, "only JSON bodies are read");
    // A file of nothing but comments is said to hold no request.
    let empty = vibeguard_scenarios::hurl::read("e.hurl", "# nothing\n");
    assert!(empty.file.is_err());
}

#[tokio::test]
async fn hurl_variables_come_from_the_environment_in_any_case_and_secret_ones_are_masked() {
    let folder = tempfile::tempdir().expect("tempdir");
    let file = folder.path().join("users.hurl");
    std::fs::write(
        &file,
        "GET {{base_url}}/api/users\nAuthorization: Bearer token-{{user}}\nX-Api-Key: {{api_key}}\nHTTP 200\n",
    )
    .expect("write");
    let suite = vibeguard_scenarios::load(&file, &[]);
    assert!(suite.errors.is_empty(), "{:#?}", suite.errors);
    let target = serve(true).await;
    let env = |name: &str| match name {
        "user" => Some("alice".to_string()),
        "HURL_api_key" => Some("key-0f9e8d7c".to_string()),
        _ => None,
    };
    let outcome = vibeguard_scenarios::run(&suite, &settings(target, false), &|_| true, &env)
        .await
        .expect("runs");
    assert_eq!(
        outcome.results[0].status,
        ScenarioStatus::Passed,
        "{:#?}",
        outcome.results
    );
    assert!(outcome.secrets.contains(&"key-0f9e8d7c".to_string()));
    assert!(!outcome.secrets.contains(&"alice".to_string()));
}
