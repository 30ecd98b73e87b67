//! Surface-wide scenarios, payload lists and repeats against the notes API on 127.0.0.1: one
//! requirement expanded over the operations a filter selects (from an OpenAPI description, and
//! from the code's routes when there is none), objects of one identity crossed by another,
//! answers checked free of hashes and internals, and every expansion that could not run named,
//! never passed.

mod common;

use common::{serve, settings};
use vibeguard_core::{ChecklistId, ChecklistStatus};
use vibeguard_http::spec::{DeclaredRoute, SpecSource};
use vibeguard_scenarios::{ScenarioOutcome, ScenarioStatus, Suite};

const DESCRIPTION: &str = r#"
openapi: 3.0.3
info: {title: notes, version: "1"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /api/notes:
    get: {tags: [notes], responses: {"200": {description: ok}}}
    post:
      tags: [notes]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {title: {type: string}}, required: [title]}
      responses: {"201": {description: created}}
  /api/notes/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      tags: [notes]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, owner, title]
                properties: {id: {type: integer, minimum: 1}, owner: {type: string}, title: {type: string}}
    delete: {tags: [notes], responses: {"204": {description: gone}}}
  /api/users:
    get:
      tags: [users]
      responses:
        "2XX":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: object, properties: {name: {type: integer}}}}
  /search:
    get:
      security: []
      parameters: [{name: q, in: query, schema: {type: string}}]
      responses: {"200": {description: ok}}
"#;

const SUITE: &str = r#"
scenarios:
  - name: alice has a note
    steps:
      - {as: alice, method: POST, path: /api/notes, json: {title: mine}, expect: {status: 201}}
  - name: every secured operation refuses an anonymous caller
    checklist: [AUTH-01]
    for_each_operation: {secured: true}
    steps:
      - as: anonymous
        expect: {status: [401, 403]}
  - name: bob gets nothing of alice's
    checklist: [AUTH-02]
    for_each_operation: {method: GET, has_path_param: true, objects_of: alice}
    steps:
      - {as: bob, expect: {status: [403, 404]}}
  - name: no answer shows a hash, a secret or internals
    checklist: [DATA-01]
    for_each_operation: {method: GET, path: "/api/**"}
    steps:
      - as: alice
        expect: {free_of: [sensitive_fields, password_hashes, private_keys, internals]}
  - name: errors stay generic under injection
    checklist: [API-04]
    steps:
      - path: /search
        query: {q: "${payload}"}
        for_each: {var: payload, payloads: sql}
        expect: {status: [200, 400], free_of: internals}
  - name: the list answers every time
    steps:
      - {as: alice, path: /api/notes, query: {page: "${iteration}"}, repeat: 3, expect: {status: 200}}
  - name: nothing matches this filter
    checklist: [AUTH-05]
    for_each_operation: {tag: billing}
    steps:
      - {expect: {status: 401}}
"#;

fn suite(text: &str, file: &std::path::Path) -> Suite {
    std::fs::write(file, text).expect("write the suite");
    let suite = vibeguard_scenarios::load(file, &["alice".into(), "bob".into()]);
    assert!(suite.errors.is_empty(), "{:?}", suite.errors);
    suite
}

async fn run(hardened: bool, spec: SpecSource, routes: Vec<DeclaredRoute>) -> ScenarioOutcome {
    run_suite(hardened, spec, routes, SUITE).await
}

async fn run_suite(
    hardened: bool,
    spec: SpecSource,
    routes: Vec<DeclaredRoute>,
    text: &str,
) -> ScenarioOutcome {
    let folder = tempfile::tempdir().expect("tempdir");
    let target = serve(hardened).await;
    let mut settings = settings(target, false);
    settings.surface.spec = match spec {
        SpecSource::File(_) => {
            let path = folder.path().join("openapi.yaml");
            std::fs::write(&path, DESCRIPTION).expect("write the description");
            SpecSource::File(path)
        }
        other => other,
    };
    settings.surface.routes = routes;
    let suite = suite(text, &folder.path().join("surface.yaml"));
    vibeguard_scenarios::run(&suite, &settings, &|_| true, &|_| None)
        .await
        .expect("the suite runs")
}

fn described() -> SpecSource {
    SpecSource::File("openapi.yaml".into())
}

fn results<'a>(outcome: &'a ScenarioOutcome, name: &str) -> Vec<(&'a str, &'a ScenarioStatus)> {
    outcome
        .results
        .iter()
        .filter(|r| r.name == name)
        .map(|r| (r.operation.as_deref().unwrap_or(""), &r.status))
        .collect()
}

#[tokio::test]
async fn secured_operations_are_expanded_from_the_description_and_fail_where_anonymous_gets_in() {
    let outcome = run(false, described(), Vec::new()).await;
    let anonymous = results(
        &outcome,
        "every secured operation refuses an anonymous caller",
    );
    let operations: Vec<&str> = anonymous.iter().map(|(op, _)| *op).collect();
    // The public search and the DELETE (the scenario is not destructive) are not sent.
    assert_eq!(
        operations,
        [
            "GET /api/notes",
            "POST /api/notes",
            "GET /api/notes/{id}",
            "GET /api/users"
        ]
    );
    let failed: Vec<&str> = anonymous
        .iter()
        .filter(|(_, s)| **s == ScenarioStatus::Failed)
        .map(|(op, _)| *op)
        .collect();
    assert_eq!(
        failed,
        ["GET /api/notes", "GET /api/notes/{id}", "GET /api/users"]
    );
    assert!(
        !outcome
            .exchanges
            .iter()
            .any(|e| e.request.method == "DELETE")
    );
    // The DELETE left out is named as untested.
    assert!(
        outcome
            .output
            .run
            .untested
            .iter()
            .any(|u| u.place.contains("on DELETE /api/notes/{id}")
                && u.reason.contains("destructive")),
        "{:#?}",
        outcome.output.run.untested
    );
    // One finding per failed operation, at the operation.
    let findings: Vec<&str> = outcome
        .output
        .findings
        .iter()
        .filter(|f| f.message.contains("refuses an anonymous caller"))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(findings.len(), 3, "{findings:#?}");
    assert!(
        findings
            .iter()
            .any(|m| m.contains("on GET /api/users") && m.contains("got 200"))
    );

    // Bob reads alice's note, listed as alice sees it.
    let crossed = results(&outcome, "bob gets nothing of alice's");
    assert_eq!(
        crossed,
        [("GET /api/notes/{id} (id 1)", &ScenarioStatus::Failed)]
    );
    assert!(outcome.exchanges.iter().any(|e| {
        e.request.url.path() == "/api/notes/1"
            && e.request
                .headers
                .iter()
                .any(|(n, v)| n == "Authorization" && v.ends_with("bob"))
    }));

    // The password hash in the user list, named without its value.
    let exposed = outcome
        .output
        .findings
        .iter()
        .find(|f| f.message.contains("no answer shows a hash"))
        .expect("the exposure");
    assert!(
        exposed.message.contains("on GET /api/users")
            && exposed.message.contains("`/*/password_hash`"),
        "{}",
        exposed.message
    );
    assert!(!exposed.message.contains("$2b$"));

    // The first SQL payload that makes a traceback fails the step, naming the value.
    let injection = outcome
        .output
        .findings
        .iter()
        .find(|f| f.message.contains("errors stay generic"))
        .expect("the injection");
    assert!(
        injection.message.contains("with payload = `'`")
            && injection.message.contains("a Python traceback"),
        "{}",
        injection.message
    );

    // A filter that selects nothing runs nothing and verifies nothing.
    let nothing = results(&outcome, "nothing matches this filter");
    assert!(
        matches!(nothing[..], [(_, ScenarioStatus::NotRun(why))] if why.contains("no operation of the surface")),
        "{nothing:?}"
    );
    assert!(
        !outcome
            .output
            .run
            .verified
            .iter()
            .any(|v| v.item == ChecklistId::Auth05)
    );
}

#[tokio::test]
async fn the_hardened_api_passes_every_expansion_and_its_items_are_verified() {
    let outcome = run(true, described(), Vec::new()).await;
    assert!(
        outcome.output.findings.is_empty(),
        "{:#?}",
        outcome.output.findings
    );
    for name in [
        "every secured operation refuses an anonymous caller",
        "bob gets nothing of alice's",
        "no answer shows a hash, a secret or internals",
    ] {
        let ran = results(&outcome, name);
        assert!(!ran.is_empty(), "{name}");
        assert!(
            ran.iter().all(|(_, s)| **s == ScenarioStatus::Passed),
            "{name}: {ran:?}"
        );
    }
    // Every SQL payload was sent, and the repeat sent three requests.
    let searches = outcome
        .exchanges
        .iter()
        .filter(|e| e.request.url.path() == "/search")
        .count();
    assert!(searches >= 14, "{searches}");
    let pages: Vec<String> = outcome
        .exchanges
        .iter()
        .filter_map(|e| {
            e.request
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.to_string())
        })
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
    let verdicts = vibeguard_core::checklist::evaluate(
        &vibeguard_scenarios::rule_metas(),
        std::slice::from_ref(&outcome.output.run),
        &outcome.output.findings,
    );
    let of = |id: ChecklistId| {
        verdicts
            .iter()
            .find(|v| v.id == id)
            .expect("an item")
            .status
    };
    assert_eq!(of(ChecklistId::Auth02), ChecklistStatus::Passed);
    assert_eq!(of(ChecklistId::Data01), ChecklistStatus::Passed);
    assert_eq!(of(ChecklistId::Api04), ChecklistStatus::Passed);
    // A DELETE was left out of the anonymous scenario: AUTH-01 is not verified by it.
    assert_ne!(of(ChecklistId::Auth01), ChecklistStatus::Passed);
    assert_ne!(of(ChecklistId::Auth05), ChecklistStatus::Passed);
}

#[tokio::test]
async fn without_a_description_the_code_routes_are_the_surface() {
    let route = |method: &str, path: &str, authenticated: bool| DeclaredRoute {
        method: method.into(),
        path: path.into(),
        declared_at: "app.py:1".into(),
        authenticated,
        ..DeclaredRoute::default()
    };
    let routes = vec![
        route("GET", "/api/notes", true),
        route("GET", "/api/notes/{id}", true),
        route("GET", "/api/users", true),
        route("GET", "/search", false),
    ];
    let outcome = run(false, SpecSource::Without, routes).await;
    let anonymous = results(
        &outcome,
        "every secured operation refuses an anonymous caller",
    );
    let operations: Vec<&str> = anonymous.iter().map(|(op, _)| *op).collect();
    assert_eq!(
        operations,
        ["GET /api/notes", "GET /api/notes/{id}", "GET /api/users"]
    );
    assert!(anonymous.iter().all(|(_, s)| **s == ScenarioStatus::Failed));
    let crossed = results(&outcome, "bob gets nothing of alice's");
    assert_eq!(
        crossed,
        [("GET /api/notes/{id} (id 1)", &ScenarioStatus::Failed)]
    );
}

#[tokio::test]
async fn answers_are_checked_against_the_descriptions_schema_for_their_status() {
    let text = r#"
scenarios:
  - name: a note answers as described
    steps:
      - {as: alice, method: POST, path: /api/notes, json: {title: t}, capture: {id: {json: /id}}}
      - {as: alice, path: "/api/notes/{id}", expect: {status: 200, matches_schema: true}}
  - name: the user list answers as described
    steps:
      - {as: alice, path: /api/users, expect: {matches_schema: true}}
  - name: every note read answers as described
    for_each_operation: {method: GET, path: /api/notes/*, objects_of: alice}
    steps:
      - {as: alice, expect: {matches_schema: true}}
  - name: the search answers as described
    steps:
      - {path: /search, expect: {matches_schema: true}}
"#;
    for hardened in [false, true] {
        let outcome = run_suite(hardened, described(), Vec::new(), text).await;
        let status = |name: &str| {
            outcome
                .results
                .iter()
                .find(|r| r.name == name)
                .map(|r| r.status.clone())
                .expect("a result")
        };
        assert_eq!(
            status("a note answers as described"),
            ScenarioStatus::Passed
        );
        assert_eq!(
            status("every note read answers as described"),
            ScenarioStatus::Passed
        );
        assert_eq!(
            status("the user list answers as described"),
            ScenarioStatus::Failed
        );
        let broken = outcome
            .output
            .findings
            .iter()
            .find(|f| f.message.contains("the user list"))
            .expect("the finding");
        assert!(
            broken.message.contains(
                "the answer breaks the description's schema for 200 of GET /api/users: `/0/name`: expected an integer, got a string"
            ),
            "{}",
            broken.message
        );
        // No schema for the search's answer: not judged, never passed.
        assert!(
            matches!(status("the search answers as described"), ScenarioStatus::NotRun(why) if why.contains("no JSON schema for status 200 of GET /search")),
            "{:?}",
            status("the search answers as described")
        );
    }
}

#[tokio::test]
async fn every_object_of_the_owner_is_crossed_until_one_is_read() {
    let text = r#"
scenarios:
  - name: alice has three notes
    steps:
      - {as: alice, method: POST, path: /api/notes, json: {title: one}}
      - {as: alice, method: POST, path: /api/notes, json: {title: two}}
      - {as: alice, method: POST, path: /api/notes, json: {title: three}}
  - name: bob gets nothing of alice's
    checklist: [AUTH-02]
    for_each_operation: {method: GET, has_path_param: true, objects_of: alice}
    steps:
      - {as: bob, expect: {status: [403, 404]}}
"#;
    let hardened = run_suite(true, described(), Vec::new(), text).await;
    assert_eq!(
        results(&hardened, "bob gets nothing of alice's"),
        [
            ("GET /api/notes/{id} (id 1)", &ScenarioStatus::Passed),
            ("GET /api/notes/{id} (id 2)", &ScenarioStatus::Passed),
            ("GET /api/notes/{id} (id 3)", &ScenarioStatus::Passed),
        ]
    );
    assert!(
        hardened
            .output
            .run
            .verified
            .iter()
            .any(|v| v.item == ChecklistId::Auth02)
    );
    // On the app, the first object bob reads is the one finding of the operation.
    let app = run_suite(false, described(), Vec::new(), text).await;
    assert_eq!(
        results(&app, "bob gets nothing of alice's"),
        [("GET /api/notes/{id} (id 1)", &ScenarioStatus::Failed)]
    );
    assert_eq!(app.output.findings.len(), 1);
}
