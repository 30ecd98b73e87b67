//! The notes API the scenario tests run against, on 127.0.0.1, in a vulnerable and a hardened
//! mode: anonymous reads, other users' notes, a password hash in the user list, a traceback
//! on a quote, a slow search — and the settings that log alice and bob in.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::{Value, json};
use url::Url;
use vibeguard_http::http::Limits;
use vibeguard_http::identity::IdentityConfig;
use vibeguard_scenarios::ScenarioSettings;
use vibeguard_scenarios::run::SurfaceInputs;

#[derive(Default)]
struct Notes {
    hardened: bool,
    notes: BTreeMap<u64, (String, String)>,
    next: u64,
}

type Shared = Arc<Mutex<Notes>>;

fn caller(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer token-").map(str::to_string)
}

pub fn app(hardened: bool) -> Router {
    let shared: Shared = Arc::new(Mutex::new(Notes {
        hardened,
        ..Notes::default()
    }));
    Router::new()
        .route(
            "/login",
            post(|axum::Json(body): axum::Json<Value>| async move {
                let name = body["username"].as_str().unwrap_or_default().to_string();
                if body["password"] == json!(format!("{name}-pw")) {
                    axum::Json(json!({"token": format!("token-{name}")})).into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }),
        )
        .route(
            "/api/notes",
            get(|State(s): State<Shared>, headers: HeaderMap| async move {
                let notes = s.lock().expect("notes");
                if notes.hardened && caller(&headers).is_none() {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let list: Vec<Value> = notes
                    .notes
                    .iter()
                    .map(|(id, (owner, title))| json!({"id": id, "owner": owner, "title": title}))
                    .collect();
                axum::Json(json!({"items": list, "count": list.len()})).into_response()
            })
            .post(
                |State(s): State<Shared>, headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                    let Some(owner) = caller(&headers) else {
                        return StatusCode::UNAUTHORIZED.into_response();
                    };
                    let mut notes = s.lock().expect("notes");
                    notes.next += 1;
                    let id = notes.next;
                    let title = body["title"].as_str().unwrap_or_default().to_string();
                    notes.notes.insert(id, (owner.clone(), title.clone()));
                    (
                        StatusCode::CREATED,
                        [(header::LOCATION, format!("/api/notes/{id}"))],
                        axum::Json(json!({"id": id, "owner": owner, "title": title})),
                    )
                        .into_response()
                },
            ),
        )
        .route(
            "/api/notes/{id}",
            get(
                |State(s): State<Shared>, headers: HeaderMap, Path(id): Path<u64>| async move {
                    let notes = s.lock().expect("notes");
                    let who = caller(&headers);
                    if notes.hardened && who.is_none() {
                        return StatusCode::UNAUTHORIZED.into_response();
                    }
                    match notes.notes.get(&id) {
                        Some((owner, title)) if !notes.hardened || who.as_ref() == Some(owner) => {
                            axum::Json(json!({"id": id, "owner": owner, "title": title}))
                                .into_response()
                        }
                        _ => StatusCode::NOT_FOUND.into_response(),
                    }
                },
            )
            .delete(
                |State(s): State<Shared>, headers: HeaderMap, Path(id): Path<u64>| async move {
                    let mut notes = s.lock().expect("notes");
                    let who = caller(&headers);
                    let owned = notes.notes.get(&id).is_some_and(|(o, _)| Some(o) == who.as_ref());
                    if owned || !notes.hardened {
                        notes.notes.remove(&id);
                        StatusCode::NO_CONTENT
                    } else {
                        StatusCode::NOT_FOUND
                    }
                },
            ),
        )
        .route(
            "/api/users",
            get(|State(s): State<Shared>, headers: HeaderMap| async move {
                let hardened = s.lock().expect("notes").hardened;
                if hardened && caller(&headers).is_none() {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                let mut user = json!({"name": "alice", "role": "user"});
                if !hardened {
                    user["password_hash"] = json!("$2b$04$abcdefghijklmnopqrstuv");
                }
                let mut response = axum::Json(json!([user])).into_response();
                if hardened {
                    response
                        .headers_mut()
                        .insert("x-frame-options", "DENY".parse().expect("header"));
                } else {
                    response
                        .headers_mut()
                        .insert("x-powered-by", "Express 4.17".parse().expect("header"));
                }
                response
            }),
        )
        .route(
            "/search",
            get(|State(s): State<Shared>, axum::extract::RawQuery(q): axum::extract::RawQuery| async move {
                let hardened = s.lock().expect("notes").hardened;
                let q = q.unwrap_or_default();
                if !hardened && q.contains("%27") {
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Traceback (most recent call last):\n  sqlite3.OperationalError: near \"'\": syntax error",
                    )
                        .into_response();
                }
                if !hardened && q.contains("slow") {
                    tokio::time::sleep(Duration::from_millis(400)).await;
                }
                (StatusCode::OK, "no results").into_response()
            }),
        )
        .route(
            "/upload",
            post(
                |State(s): State<Shared>, headers: HeaderMap, body: axum::body::Bytes| async move {
                    let hardened = s.lock().expect("notes").hardened;
                    let multipart = headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.starts_with("multipart/form-data; boundary="));
                    let text = String::from_utf8_lossy(&body);
                    if !multipart || !text.contains("name=\"avatar\"; filename=") {
                        return StatusCode::BAD_REQUEST.into_response();
                    }
                    if hardened && (text.contains(".html\"") || text.contains("Content-Type: text/html")) {
                        return StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response();
                    }
                    let caption = text
                        .split("name=\"caption\"\r\n\r\n")
                        .nth(1)
                        .and_then(|rest| rest.split("\r\n").next())
                        .unwrap_or_default()
                        .to_string();
                    axum::Json(json!({"stored": true, "caption": caption})).into_response()
                },
            ),
        )
        .with_state(shared)
}

pub async fn serve(hardened: bool) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app(hardened)).await;
    });
    url
}

pub fn settings(target: Url, allow_destructive: bool) -> ScenarioSettings {
    let login = |name: &str| {
        IdentityConfig::json_login(
            "/login",
            json!({"username": name, "password": format!("{name}-pw")}),
            "/token",
        )
    };
    ScenarioSettings {
        target,
        allow_hosts: Vec::new(),
        limits: Limits {
            max_requests: 200,
            ..Limits::default()
        },
        allow_destructive,
        identities: vec![
            ("alice".into(), login("alice")),
            ("bob".into(), login("bob")),
        ],
        surface: SurfaceInputs::default(),
    }
}
