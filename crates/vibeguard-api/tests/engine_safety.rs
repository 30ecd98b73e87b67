//! The engine's safety and its loud failures: nothing outside the target's origin is contacted
//! even when the description's `servers` and the target's redirects point elsewhere; a login
//! that fails, an unreachable target and a document that is not an API description stop the run
//! with a message saying so.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use vibeguard_api::engine::{self, ApiError, ApiSettings};
use vibeguard_api::identity::IdentityConfig;
use vibeguard_api::spec::SpecSource;
use vibeguard_demo::api::{DemoApi, Mode};

/// A server that answers every request with `respond(path)` and counts connections.
async fn server(
    respond: impl Fn(&str, &str) -> String + Send + Sync + 'static,
) -> (Url, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 8192];
                loop {
                    let Ok(n) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    let request = String::from_utf8_lossy(&buffer[..n]).into_owned();
                    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                    if stream
                        .write_all(respond(&path, &request).as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (url, connections)
}

fn settings(target: Url, spec: SpecSource) -> ApiSettings {
    ApiSettings {
        seed: 1,
        ..ApiSettings::new(target, spec)
    }
}

/// A run of every check against `target`, described at `described`'s `/openapi.json`.
async fn run_described(target: &Url, described: &Url) -> Result<engine::ApiOutcome, ApiError> {
    engine::run(
        &settings(
            target.clone(),
            SpecSource::Url(described.join("/openapi.json").expect("url")),
        ),
        &|_| true,
        &|_| None,
    )
    .await
}

#[tokio::test]
async fn nothing_leaves_the_origin_whatever_the_spec_and_redirects_say() {
    let (elsewhere, elsewhere_connections) =
        server(|_, _| "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".into()).await;
    let other = elsewhere.clone();
    let (target, _) = server(move |path, _| {
        if path == "/openapi.json" {
            let spec = json!({
                "openapi": "3.0.3",
                "info": {"title": "redirecting", "version": "1"},
                "servers": [{"url": format!("{}api", other)}],
                "paths": {
                    "/items": {"get": {"responses": {"200": {"description": "ok"}}}, "post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}, "responses": {"201": {"description": "ok"}}}},
                    "/items/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}], "get": {"responses": {"200": {"description": "ok"}}}}
                }
            })
            .to_string();
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{spec}", spec.len())
        } else {
            format!("HTTP/1.1 302 Found\r\nlocation: {other}stolen\r\ncontent-length: 0\r\n\r\n")
        }
    })
    .await;
    let outcome = run_described(&target, &target).await.expect("runs");
    assert!(
        outcome.output.run.coverage.requests > 3,
        "the target was tested"
    );
    assert_eq!(
        elsewhere_connections.load(Ordering::SeqCst),
        0,
        "a request left the target's origin"
    );
    // Requests went to the target with the spec's base path, not to the spec's server.
    assert!(
        outcome
            .exchanges
            .iter()
            .all(|e| e.request.url.origin() == target.origin())
    );
    assert!(
        outcome
            .exchanges
            .iter()
            .any(|e| e.request.url.path().starts_with("/api/items"))
    );

    let out_of_scope = run_described(&target, &elsewhere).await;
    assert!(
        matches!(out_of_scope, Err(ApiError::SpecOutOfScope(_))),
        "{out_of_scope:?}"
    );
    assert_eq!(elsewhere_connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_failed_login_stops_the_run_naming_the_identity_and_the_answer() {
    let demo = DemoApi::start(Mode::Vulnerable, 0).await.expect("demo");
    let target = Url::parse(&demo.url()).expect("url");
    let mut run = settings(
        target.clone(),
        SpecSource::Url(target.join("/openapi.yaml").expect("url")),
    );
    run.identities.push((
        "bob".into(),
        IdentityConfig::json_login(
            "/api/login",
            json!({"email": "bob@taskboard.example", "password": "${BOB_PASSWORD}"}),
            "/token",
        ),
    ));
    let wrong_password =
        |name: &str| (name == "BOB_PASSWORD").then(|| "not-his-password".to_string());
    let error = engine::run(&run, &|_| true, &wrong_password)
        .await
        .expect_err("must fail loudly");
    assert_eq!(
        error.to_string(),
        "identity bob could not log in: POST /api/login answered 401"
    );
    let unset = engine::run(&run, &|_| true, &|_| None)
        .await
        .expect_err("must fail loudly");
    assert!(
        unset
            .to_string()
            .contains("environment variable `BOB_PASSWORD` is not set"),
        "{unset}"
    );
    demo.stop().await;
}

#[tokio::test]
async fn unreachable_targets_and_non_api_documents_are_clear_errors() {
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let target =
        Url::parse(&format!("http://{}/", closed.local_addr().expect("addr"))).expect("url");
    drop(closed);
    let error = run_described(&target, &target)
        .await
        .expect_err("unreachable");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot reach {target}")),
        "{error}"
    );

    let (page, _) = server(|_, _| {
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 15\r\n\r\n<html>hi</html>"
            .into()
    })
    .await;
    let error = run_described(&page, &page)
        .await
        .expect_err("not an API description");
    assert!(matches!(error, ApiError::Spec(_)), "{error}");
}

#[tokio::test]
async fn an_expired_login_token_is_renewed_once_and_the_requests_retried() {
    let logins = Arc::new(AtomicUsize::new(0));
    let first_token_uses = Arc::new(AtomicUsize::new(0));
    let (logins_seen, uses) = (logins.clone(), first_token_uses.clone());
    let (target, _) = server(move |path, request| {
        let spec = json!({
            "openapi": "3.0.3", "info": {"title": "expiring", "version": "1"},
            "security": [{"bearer": []}],
            "paths": {"/me": {"get": {"responses": {"200": {"description": "ok"}}}}}
        })
        .to_string();
        let ok = |body: &str| format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        let unauthorized = "HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n".to_string();
        let token = request.lines().find_map(|line| line.strip_prefix("authorization: Bearer ").or_else(|| line.strip_prefix("Authorization: Bearer "))).map(str::trim);
        match (path, token) {
            ("/openapi.json", _) => ok(&spec),
            ("/login", _) => {
                let n = logins_seen.fetch_add(1, Ordering::SeqCst) + 1;
                ok(&format!("{{\"token\": \"t{n}\"}}"))
            }
            // The first token expires after one use; later ones stay valid.
            ("/me", Some("t1")) if uses.fetch_add(1, Ordering::SeqCst) == 0 => ok("{}"),
            ("/me", Some(token)) if token != "t1" && token.starts_with('t') => ok("{}"),
            ("/me", _) => unauthorized,
            _ => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_string(),
        }
    })
    .await;
    let mut run = settings(
        target.clone(),
        SpecSource::Url(target.join("/openapi.json").expect("url")),
    );
    run.identities.push((
        "alice".into(),
        IdentityConfig::json_login("/login", json!({}), "/token"),
    ));
    let outcome = engine::run(&run, &|_| true, &|_| None).await.expect("runs");
    assert_eq!(
        logins.load(Ordering::SeqCst),
        2,
        "one login, then exactly one renewal"
    );
    let as_alice: Vec<_> = outcome
        .exchanges
        .iter()
        .filter(|e| {
            e.request.url.path() == "/me"
                && e.request
                    .header_value("authorization")
                    .is_some_and(|v| v.starts_with("Bearer t"))
        })
        .collect();
    assert!(
        as_alice.iter().any(
            |e| e.request.header_value("authorization") == Some("Bearer t2")
                && e.status() == Some(200)
        ),
        "retried with the new token"
    );
}

/// An API without cookies and without GraphQL: the cookie and GraphQL checks find their
/// subject absent (so TLS-04, AUTH-08 and API-05 are "not applicable"), never "applied".
#[tokio::test]
async fn checks_whose_subject_no_answer_showed_report_it_absent() {
    let (target, _) = server(|path, _| {
        let body = if path == "/openapi.json" {
            json!({
                "openapi": "3.0.3",
                "info": {"title": "plain", "version": "1"},
                "paths": {"/items": {"get": {"responses": {"200": {"description": "ok"}}}}}
            })
            .to_string()
        } else if path.starts_with("/items") {
            "[]".to_string()
        } else {
            return "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_string();
        };
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    })
    .await;
    let outcome = run_described(&target, &target).await.expect("runs");
    let run = &outcome.output.run;
    for code in ["VG408", "VG424"] {
        assert!(
            !run.rules_applied.iter().any(|c| c == code),
            "{code} claims to have applied"
        );
        let absent = run
            .not_applicable
            .iter()
            .find(|na| na.code == code)
            .unwrap_or_else(|| panic!("{code} says nothing"));
        assert!(absent.subject_absent, "{code}: {}", absent.reason);
    }
    let verdicts = vibeguard_core::checklist::evaluate(
        &engine::rule_metas(),
        std::slice::from_ref(run),
        &outcome.output.findings,
    );
    for item in [
        vibeguard_core::ChecklistId::Tls04,
        vibeguard_core::ChecklistId::Api05,
    ] {
        let verdict = verdicts.iter().find(|v| v.id == item).expect("verdict");
        assert_eq!(
            verdict.status,
            vibeguard_core::ChecklistStatus::NotApplicable,
            "{item}: {}",
            verdict.note
        );
    }
}

/// An API that signs its tokens with six random digits (as one app written by others did): the
/// key is found offline in the standard profile, a token forged with it is accepted, and the
/// finding says how long the search took.
#[tokio::test]
async fn a_token_key_of_six_digits_is_found_and_proven() {
    use vibeguard_api::checks::jwt::{self, Jwt, Signing};
    const KEY: &[u8] = b"604172";
    let token_for = |subject: &str| {
        let (serde_json::Value::Object(header), serde_json::Value::Object(claims)) = (
            json!({"alg": "HS256", "typ": "JWT"}),
            json!({"sub": subject, "exp": 4_102_444_800u64}),
        ) else {
            unreachable!()
        };
        jwt::encode(&header, &claims, Signing::Hmac("HS256", KEY))
    };
    let (target, _) = server(move |path, request| {
        let answer = |status: &str, body: String| {
            format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
        };
        if path == "/openapi.json" {
            return answer("200 OK", json!({
                "openapi": "3.0.3",
                "info": {"title": "digits", "version": "1"},
                "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
                "paths": {
                    "/login": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"user": {"type": "string"}}}}}}, "responses": {"200": {"description": "ok"}}}},
                    "/me": {"get": {"security": [{"bearer": []}], "responses": {"200": {"description": "ok"}, "401": {"description": "no"}}}}
                }
            }).to_string());
        }
        if path == "/login" {
            let user = if request.contains("\"bob\"") { "bob" } else { "alice" };
            return answer("200 OK", json!({"token": token_for(user)}).to_string());
        }
        if path == "/me" {
            let presented = request
                .lines()
                .find_map(|line| line.strip_prefix("authorization: Bearer ").or_else(|| line.strip_prefix("Authorization: Bearer ")))
                .map(|token| token.trim().to_string());
            let verified = presented.as_deref().and_then(Jwt::parse).filter(|parsed| {
                let resigned = jwt::encode(&parsed.header, &parsed.claims, Signing::Hmac("HS256", KEY));
                Some(resigned) == presented
            });
            return match verified.and_then(|parsed| parsed.claims.get("sub").cloned()) {
                Some(subject) => answer("200 OK", json!({"user": subject}).to_string()),
                None => answer("401 Unauthorized", "{}".into()),
            };
        }
        answer("404 Not Found", "{}".into())
    })
    .await;
    let mut run = settings(
        target.clone(),
        SpecSource::Url(target.join("/openapi.json").expect("url")),
    );
    for name in ["alice", "bob"] {
        run.identities.push((
            name.into(),
            IdentityConfig::json_login("/login", json!({ "user": name }), "/token"),
        ));
    }
    let outcome = engine::run(&run, &|code| code == "VG411", &|_| None)
        .await
        .expect("runs");
    let finding = outcome
        .output
        .findings
        .iter()
        .find(|f| f.code == "VG411")
        .unwrap_or_else(|| panic!("{:#?}", outcome.output));
    // Its length and alphabet, never a character of it.
    assert!(
        finding
            .message
            .contains("[REDACTED] (6 characters, digits only)")
            && !finding.message.contains("604"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("bob"), "{}", finding.message);
    let evidence = format!("{:?}", finding.evidence);
    assert!(!evidence.contains("604172"), "{evidence}");
    assert!(evidence.contains("digits of 6 characters"), "{evidence}");
    assert!(evidence.contains(" s (searched"), "{evidence}");
}

/// Every operation is requested (a parameterless list no check targets included, and its
/// answer judged); what could not be exercised is named with its reason, and the checklist
/// passes nothing those places would have to vouch for.
#[tokio::test]
async fn every_operation_is_exercised_or_named_with_its_reason() {
    let (target, _) = server(|path, request| {
        let (status, body) = if path == "/openapi.json" {
            let spec = json!({
                "openapi": "3.0.3",
                "info": {"title": "coverage", "version": "1"},
                "paths": {
                    "/people": {"get": {"responses": {"200": {"description": "ok"}}}},
                    "/crash": {"get": {"responses": {"200": {"description": "ok"}}}},
                    "/things/{thing}": {
                        "parameters": [{"name": "thing", "in": "path", "required": true, "schema": {"type": "string"}}],
                        "put": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"label": {"type": "string"}}}}}}, "responses": {"200": {"description": "ok"}}}
                    }
                }
            });
            ("200 OK", spec.to_string())
        } else if path == "/people" && request.starts_with("GET") {
            (
                "200 OK",
                json!([{"name": "ann", "password": "hunter2-plain", "email": "ann@example.com"}])
                    .to_string(),
            )
        } else if path == "/crash" {
            ("500 Internal Server Error", "{}".to_string())
        } else {
            ("404 Not Found", "{}".to_string())
        };
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    })
    .await;
    let outcome = run_described(&target, &target).await.expect("runs");
    let run = &outcome.output.run;
    assert!(
        outcome
            .output
            .findings
            .iter()
            .any(|f| f.code == "VG405" && f.location.to_string().contains("GET /people")),
        "the clear-text passwords of the list nothing else requests: {:?}",
        outcome.output.findings
    );
    assert_eq!(run.coverage.operations_total, 3);
    assert_eq!(run.coverage.operations, 1);
    let untested: Vec<(&str, &str)> = run
        .untested
        .iter()
        .map(|u| (u.place.as_str(), u.reason.as_str()))
        .collect();
    assert!(
        untested.contains(&(
            "GET /crash",
            "answered 500 (a server error) to every request"
        )),
        "{untested:?}"
    );
    assert!(
        untested
            .iter()
            .any(|(place, reason)| *place == "PUT /things/{thing}"
                && reason.contains("did not create")),
        "{untested:?}"
    );
    assert!(
        run.unchecked
            .iter()
            .any(|line| line.starts_with("api: 2 of 3 operation(s) not exercised")),
        "{:?}",
        run.unchecked
    );
    // Nothing that covers the unexercised operations passes.
    let verdicts = vibeguard_core::checklist::evaluate(
        &engine::rule_metas(),
        std::slice::from_ref(run),
        &outcome.output.findings,
    );
    for verdict in &verdicts {
        assert_ne!(
            verdict.status,
            vibeguard_core::ChecklistStatus::Passed,
            "{}: {}",
            verdict.id,
            verdict.note
        );
    }
    let api04 = verdicts
        .iter()
        .find(|v| v.id == vibeguard_core::ChecklistId::Api04)
        .expect("API-04");
    assert!(api04.note.contains("GET /crash"), "{}", api04.note);
}

#[tokio::test]
async fn an_operation_the_server_does_not_serve_gets_no_probes_and_is_named() {
    let to_profile = Arc::new(AtomicUsize::new(0));
    let counted = to_profile.clone();
    let (target, _) = server(move |path, request| {
        let (status, body) = if path == "/openapi.json" {
            let spec = json!({
                "openapi": "3.0.3",
                "info": {"title": "profile", "version": "1"},
                "paths": {
                    "/profile": {
                        "get": {"responses": {"200": {"description": "ok"}}},
                        "put": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"bio": {"type": "string"}, "nickname": {"type": "string"}}}}}}, "responses": {"200": {"description": "ok"}}}
                    }
                }
            });
            ("200 OK", spec.to_string())
        } else if path.starts_with("/profile") && request.starts_with("PUT") {
            // The route serves GET only, whatever the description says (Flask, DRF, FastAPI).
            counted.fetch_add(1, Ordering::SeqCst);
            ("405 Method Not Allowed", "{}".to_string())
        } else if path == "/profile" {
            ("200 OK", json!({"bio": "hi"}).to_string())
        } else {
            ("404 Not Found", "{}".to_string())
        };
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
    })
    .await;
    let outcome = run_described(&target, &target).await.expect("runs");
    // The coverage round's request, and nothing the checks planned.
    assert_eq!(to_profile.load(Ordering::SeqCst), 1);
    let run = &outcome.output.run;
    assert!(
        run.errors
            .iter()
            .any(|e| e.source == "PUT /profile" && e.message.contains("405 Method Not Allowed")),
        "{:?}",
        run.errors
    );
    // Nothing there to test: not an operation left untested.
    assert!(
        run.untested.iter().all(|u| u.place != "PUT /profile"),
        "{:?}",
        run.untested
    );
    assert_eq!(run.coverage.operations, 1);
}

#[tokio::test]
async fn logins_go_to_the_configured_path_whatever_base_path_the_description_sets() {
    let demo = DemoApi::start(Mode::Vulnerable, 0).await.expect("demo");
    let target = Url::parse(&demo.url()).expect("url");
    // A description whose operations live under `/api` (its `servers`), and a login path
    // written in full, as users write it.
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("openapi.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: tasks, version: '1'}\nservers:\n  - url: /api\n\
         paths:\n  /tasks:\n    get:\n      security: [{bearer: []}]\n      responses: {'200': {description: ok}}\n\
         components:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer}\n",
    )
    .expect("write");
    let mut run = settings(target.clone(), SpecSource::File(spec));
    run.identities.push((
        "alice".into(),
        IdentityConfig::json_login(
            "/api/login",
            json!({"email": "alice@taskboard.example", "password": "${ALICE_PASSWORD}"}),
            "/token",
        ),
    ));
    let password = |name: &str| {
        (name == "ALICE_PASSWORD").then(|| vibeguard_demo::api::ACCOUNTS[0].1.to_string())
    };
    let outcome = engine::run(&run, &|code| code == "VG401", &password)
        .await
        .expect("alice logs in at /api/login, not /api/api/login");
    let logins: Vec<String> = outcome
        .exchanges
        .iter()
        .filter(|e| e.request.method == "POST")
        .map(|e| e.request.url.path().to_string())
        .collect();
    assert!(logins.iter().all(|path| path == "/api/login"), "{logins:?}");
    // The description's own operations do get its base path.
    assert!(
        outcome
            .exchanges
            .iter()
            .any(|e| e.request.url.path() == "/api/tasks")
    );
}

#[tokio::test]
async fn a_read_no_load_burst_tried_is_named_untested_never_passed() {
    let demo = DemoApi::start(Mode::Vulnerable, 0).await.expect("demo");
    let target = Url::parse(&demo.url()).expect("url");
    // A run slowed down on purpose sends no burst unless asked.
    let mut run = settings(
        target.clone(),
        SpecSource::Url(target.join("/openapi.yaml").expect("url")),
    );
    run.limits.rps = Some(500.0);
    let outcome = engine::run(&run, &|code| code == "VG431", &|_| None)
        .await
        .expect("runs");
    let output = &outcome.output;
    assert!(output.findings.is_empty());
    assert!(output.run.applied("VG431"));
    let untested: Vec<(&str, &str)> = output
        .run
        .untested
        .iter()
        .filter(|u| u.rules.iter().any(|rule| rule == "VG431"))
        .map(|u| (u.place.as_str(), u.reason.as_ref()))
        .collect();
    assert_eq!(untested.len(), 1, "{:?}", output.run.untested);
    assert!(untested[0].1.contains("rps"), "{untested:?}");

    // Anonymous bursts on the secured list are only refused: that judges nothing either.
    run.load.rate = Some(200.0);
    let outcome = engine::run(&run, &|code| code == "VG431", &|_| None)
        .await
        .expect("runs");
    assert!(
        outcome
            .output
            .run
            .untested
            .iter()
            .any(|u| u.rules.iter().any(|rule| rule == "VG431") && u.reason.contains("refused")),
        "{:?}",
        outcome.output.run.untested
    );

    // Asked for, with an identity, the same run judges the read.
    run.identities.push((
        "alice".into(),
        IdentityConfig::json_login(
            "/api/login",
            json!({"email": vibeguard_demo::api::ACCOUNTS[0].0, "password": "${ALICE_PASSWORD}"}),
            "/token",
        ),
    ));
    let password = |name: &str| {
        (name == "ALICE_PASSWORD").then(|| vibeguard_demo::api::ACCOUNTS[0].1.to_string())
    };
    let outcome = engine::run(&run, &|code| code == "VG431", &password)
        .await
        .expect("runs");
    assert!(
        outcome
            .output
            .run
            .untested
            .iter()
            .all(|u| !u.rules.iter().any(|rule| rule == "VG431")),
        "{:?}",
        outcome.output.run.untested
    );
    assert_eq!(outcome.output.findings.len(), 1, "the demo limits no read");
}
