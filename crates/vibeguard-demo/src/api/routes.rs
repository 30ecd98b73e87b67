//! The demo API's handlers. Each one is written twice in spirit: the vulnerable branch the way an
//! assistant writes it on the first try, the hardened branch the way it should be.

// Helpers return the handler's early answer (an axum `Response`) as their error; boxing it would
// only add noise to every handler.
#![expect(clippy::result_large_err, reason = "early axum responses as errors")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::graphql;
use super::interpreters;
use super::store::weak_hash;
use super::token;

/// The hard-coded signing secret of the vulnerable mode (also in the example project's `.env`).
// vibeguard-ignore[VG202]: the demo server's vulnerable mode leaks this on purpose
pub const VULNERABLE_JWT_SECRET: &str = "supersecretjwtkey123";
/// The only origin the hardened mode allows.
pub const ALLOWED_ORIGIN: &str = "https://taskboard.example";
/// The API description the server publishes.
pub const SPEC: &str = include_str!("../../project/openapi.yaml");

/// The largest attachment the hardened mode takes.
const MAX_ATTACHMENT_BYTES: usize = 1024 * 1024;
/// What the vulnerable mode takes ("no limit", bounded so that the demo itself stays safe).
const UNLIMITED_ATTACHMENT_BYTES: usize = 256 * 1024 * 1024;

/// Shared server state.
pub struct AppState {
    pub hardened: bool,
    pub db: Mutex<Connection>,
    pub secret: Vec<u8>,
    pub failed_logins: Mutex<HashMap<String, Vec<Instant>>>,
    /// Recent requests per limited route and key (the hardened mode's rate limits).
    pub throttle: Mutex<HashMap<String, Vec<Instant>>>,
    /// Tokens ended by a logout (the hardened mode refuses them afterwards).
    pub revoked: Mutex<std::collections::HashSet<String>>,
    /// Password-reset tokens: token → (user id, issued at, used).
    pub reset_tokens: Mutex<HashMap<String, (i64, Instant, bool)>>,
}

type Shared = Arc<AppState>;

/// The router for a state.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            "/api/health",
            get(|| async { Json(json!({"status": "ok"})) }),
        )
        .route(
            "/openapi.yaml",
            get(|| async { ([(header::CONTENT_TYPE, "application/yaml")], SPEC) }),
        )
        .route("/api/login", post(login))
        .route("/api/register", post(register))
        .route("/api/password-reset", post(password_reset))
        .route("/api/password-reset/confirm", post(confirm_password_reset))
        .route("/api/users/me", get(me).delete(delete_me))
        .route("/api/users/{id}", get(user_by_id))
        .route("/api/tasks", get(search_tasks).post(create_task))
        .route(
            "/api/tasks/{id}",
            get(get_task).put(update_task).delete(delete_task),
        )
        .route("/api/tasks/export", get(export_tasks))
        .route("/api/logout", get(logout))
        .route("/graphql", post(graphql_endpoint))
        .route("/api/users/me/avatar", post(set_avatar))
        .route("/api/notifications/preview", post(preview_notification))
        .route(
            "/api/tasks/{id}/attachment",
            post(attach_file).layer(DefaultBodyLimit::max(if state.hardened {
                MAX_ATTACHMENT_BYTES
            } else {
                // Like multer without `limits.fileSize`: whatever the client sends.
                UNLIMITED_ATTACHMENT_BYTES
            })),
        )
        .route("/api/admin/users", get(admin_users))
        .route("/debug", get(debug))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers_and_cors,
        ))
        .with_state(state)
}

struct Json(Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, "application/json")],
            self.0.to_string(),
        )
            .into_response()
    }
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The database, even if a panicking handler poisoned the lock.
fn db(state: &AppState) -> std::sync::MutexGuard<'_, Connection> {
    state
        .db
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A database error: the vulnerable mode shows it all, the hardened one says nothing.
fn db_error(state: &AppState, error: &rusqlite::Error, sql: &str) -> Response {
    if state.hardened {
        reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": "internal error"}),
        )
    } else {
        reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": format!("SQLITE_ERROR: {error}"), "sql": sql}),
        )
    }
}

/// The caller: `(id, role)`. Vulnerable: the token is decoded, not verified, and its role claim
/// trusted. Hardened: signature and expiry are verified and the role comes from the database.
fn caller(state: &AppState, headers: &HeaderMap) -> Option<(i64, String)> {
    let token = session_token(headers)?;
    if state.hardened
        && state
            .revoked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&token)
    {
        return None;
    }
    let claims = if state.hardened {
        token::verify(&token, &state.secret, now())?
    } else {
        token::decode_unverified(&token)?
    };
    caller_from_claims(state, &claims)
}

/// The token a request carries: a bearer token, or the `session` cookie.
fn session_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|cookies| {
            cookies
                .split(';')
                .find_map(|pair| pair.trim().strip_prefix("session=").map(str::to_string))
        });
    bearer.or(cookie)
}

fn caller_from_claims(state: &AppState, claims: &Value) -> Option<(i64, String)> {
    let id: i64 = match claims.get("sub")? {
        Value::String(text) => text.parse().ok()?,
        Value::Number(number) => number.as_i64()?,
        _ => return None,
    };
    if state.hardened {
        let role: String = db(state)
            .query_row("SELECT role FROM users WHERE id = ?1", params![id], |row| {
                row.get(0)
            })
            .ok()?;
        Some((id, role))
    } else {
        Some((
            id,
            claims
                .get("role")
                .and_then(Value::as_str)
                .unwrap_or("user")
                .to_string(),
        ))
    }
}

/// The hardened mode's rate limit: at most `limit` requests per `window` for `key`, then 429
/// with `Retry-After`. Every client of the demo is 127.0.0.1, so keys are routes (and users).
fn throttled(state: &AppState, key: &str, limit: usize, window: Duration) -> Option<Response> {
    if !state.hardened {
        return None;
    }
    let mut recent = state
        .throttle
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let hits = recent.entry(key.to_string()).or_default();
    hits.retain(|at| at.elapsed() < window);
    if hits.len() >= limit {
        return Some(
            (
                [(header::RETRY_AFTER, window.as_secs().to_string())],
                reply(
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({"error": "too many requests"}),
                ),
            )
                .into_response(),
        );
    }
    hits.push(Instant::now());
    None
}

fn unauthorized() -> Response {
    reply(StatusCode::UNAUTHORIZED, json!({"error": "Not logged in"}))
}

fn parse_body(state: &AppState, body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|error| {
        if state.hardened {
            reply(StatusCode::BAD_REQUEST, json!({"error": "invalid JSON"}))
        } else {
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": format!("Unexpected token in JSON: {error}")}),
            )
        }
    })
}

/// A JSON value pasted into SQL the way string concatenation does it.
fn sql_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

async fn headers_and_cors(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let preflight = request.method() == Method::OPTIONS;
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    if state.hardened {
        for (name, value) in [
            (
                "content-security-policy",
                "default-src 'none'; frame-ancestors 'none'",
            ),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
            ("cache-control", "no-store"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        if origin.as_ref().is_some_and(|o| o == ALLOWED_ORIGIN) {
            headers.insert(
                "access-control-allow-origin",
                HeaderValue::from_static(ALLOWED_ORIGIN),
            );
            headers.insert("vary", HeaderValue::from_static("Origin"));
        }
    } else {
        headers.insert("x-powered-by", HeaderValue::from_static("Express"));
        // "Fix" CORS errors by allowing whoever asks, cookies included.
        if let Some(origin) = origin {
            headers.insert("access-control-allow-origin", origin);
            headers.insert(
                "access-control-allow-credentials",
                HeaderValue::from_static("true"),
            );
        }
    }
    if preflight {
        headers.insert(
            "access-control-allow-methods",
            HeaderValue::from_static("GET, POST, PUT, DELETE"),
        );
        headers.insert(
            "access-control-allow-headers",
            HeaderValue::from_static("Authorization, Content-Type"),
        );
    }
    response
}

/// id, email, password hash, name, role.
type UserRow = (i64, String, String, String, String);

/// The answer to a successful login: a token (signed with the hard-coded secret and no expiry
/// in the vulnerable mode) in the body and in a cookie.
fn login_success(state: &AppState, id: i64, email: &str, name: &str, role: &str) -> Response {
    let token = if state.hardened {
        token::sign(
            &json!({"sub": id.to_string(), "role": role, "iat": now(), "exp": now() + 900, "jti": new_reset_token(email)}),
            &state.secret,
        )
    } else {
        token::sign(
            // Like `jwt.sign(payload, secret)` with a token id: no expiry.
            &json!({"sub": id.to_string(), "role": role, "iat": now(), "jti": new_reset_token(email)}),
            VULNERABLE_JWT_SECRET.as_bytes(),
        )
    };
    let cookie = if state.hardened {
        format!("session={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=900")
    } else {
        format!("session={token}; Path=/")
    };
    let mut response = reply(
        StatusCode::OK,
        json!({"token": token, "user": {"id": id, "email": email, "name": name, "role": role}}),
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn login(State(state): State<Shared>, body: Bytes) -> Response {
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    if !state.hardened && (body["email"].is_object() || body["password"].is_object()) {
        return query_object_login(&state, &body);
    }
    let (Some(email), Some(password)) = (
        body.get("email").and_then(Value::as_str),
        body.get("password").and_then(Value::as_str),
    ) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "email and password are required"}),
        );
    };
    if state.hardened {
        let mut failures = state
            .failed_logins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let recent = failures.entry(email.to_ascii_lowercase()).or_default();
        recent.retain(|at| at.elapsed() < Duration::from_secs(60));
        if recent.len() >= 5 {
            return (
                [(header::RETRY_AFTER, "60")],
                reply(
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({"error": "too many attempts"}),
                ),
            )
                .into_response();
        }
    }
    let row: rusqlite::Result<Option<UserRow>> = {
        let connection = db(&state);
        let map = |row: &rusqlite::Row<'_>| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        };
        if state.hardened {
            connection
                .query_row(
                    "SELECT id, email, password_hash, name, role FROM users WHERE email = ?1",
                    params![email],
                    map,
                )
                .optional()
        } else {
            let sql = format!(
                "SELECT id, email, password_hash, name, role FROM users WHERE email = '{email}'"
            );
            connection.query_row(&sql, [], map).optional()
        }
    };
    let user = match row {
        Ok(user) => user,
        Err(error) => return db_error(&state, &error, "SELECT … FROM users WHERE email = …"),
    };
    match user {
        Some((id, email, hash, name, role)) if hash == weak_hash(password) => {
            login_success(&state, id, &email, &name, &role)
        }
        found => {
            if state.hardened {
                let mut failures = state
                    .failed_logins
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                failures
                    .entry(email.to_ascii_lowercase())
                    .or_default()
                    .push(Instant::now());
                reply(
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "Invalid email or password"}),
                )
            } else if found.is_none() {
                reply(
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "No account with that email"}),
                )
            } else {
                reply(StatusCode::UNAUTHORIZED, json!({"error": "Wrong password"}))
            }
        }
    }
}

/// How a document store's driver reads a condition: a plain value is equality, an object is
/// operators (`$ne`, `$eq`, `$gt`, `$in`, `$regex`…). `hash` turns an operand into the stored
/// form (the password hash) before comparing.
fn condition_matches(condition: &Value, stored: &str, hash: &dyn Fn(&str) -> String) -> bool {
    let operand = |value: &Value| value.as_str().map(hash);
    match condition {
        Value::Object(operators) => operators.iter().all(|(operator, value)| {
            let operand = operand(value);
            match operator.as_str() {
                "$ne" => operand.as_deref() != Some(stored),
                "$eq" => operand.as_deref() == Some(stored),
                "$gt" => operand.is_some_and(|o| stored > o.as_str()),
                "$gte" => operand.is_some_and(|o| stored >= o.as_str()),
                "$lt" => operand.is_some_and(|o| stored < o.as_str()),
                "$lte" => operand.is_some_and(|o| stored <= o.as_str()),
                "$in" => value.as_array().is_some_and(|items| {
                    items
                        .iter()
                        .any(|i| i.as_str().map(hash).as_deref() == Some(stored))
                }),
                "$exists" => value.as_bool() == Some(true),
                // Only the patterns assistants' payloads use: match-all.
                "$regex" => matches!(value.as_str(), Some(".*" | "^" | ".+" | "")),
                _ => false,
            }
        }),
        Value::String(text) => hash(text) == stored,
        _ => false,
    }
}

/// The vulnerable login when the body holds objects: like `User.findOne({ email, password })`
/// on a document store, the objects are read as query operators, so `{"$ne": "x"}` matches
/// any account.
fn query_object_login(state: &AppState, body: &Value) -> Response {
    let users: rusqlite::Result<Vec<UserRow>> = {
        let connection = db(state);
        connection
            .prepare("SELECT id, email, password_hash, name, role FROM users ORDER BY id")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                        ))
                    })?
                    .collect()
            })
    };
    let users = match users {
        Ok(users) => users,
        Err(error) => return db_error(state, &error, "SELECT … FROM users"),
    };
    let plain = |text: &str| text.to_string();
    let Some((id, email, hash, name, role)) = users
        .into_iter()
        .find(|(_, email, ..)| condition_matches(&body["email"], email, &plain))
    else {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"error": "No account with that email"}),
        );
    };
    if condition_matches(&body["password"], &hash, &|text| weak_hash(text)) {
        login_success(state, id, &email, &name, &role)
    } else {
        reply(StatusCode::UNAUTHORIZED, json!({"error": "Wrong password"}))
    }
}

async fn register(State(state): State<Shared>, body: Bytes) -> Response {
    if let Some(limited) = throttled(&state, "register", 10, Duration::from_secs(60)) {
        return limited;
    }
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    if state.hardened {
        let (Some(email), Some(password), Some(name)) =
            (field("email"), field("password"), field("name"))
        else {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "email, password and name are required strings"}),
            );
        };
        if !email.contains('@')
            || email.len() > 254
            || password.len() < 12
            || password.len() > 128
            || name.is_empty()
            || name.len() > 100
        {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "invalid registration"}),
            );
        }
        let connection = db(&state);
        let result = connection.execute(
            "INSERT INTO users (email, password_hash, name, role, api_key) VALUES (?1, ?2, ?3, 'user', ?4)",
            params![email, weak_hash(password), name, format!("tb_live_{:x}", now())],
        );
        return match result {
            Ok(_) => reply(
                StatusCode::CREATED,
                json!({"id": connection.last_insert_rowid(), "email": email, "name": name}),
            ),
            Err(_) => reply(
                StatusCode::CONFLICT,
                json!({"error": "that email cannot be used"}),
            ),
        };
    }
    let email = body.get("email").map(sql_text).unwrap_or_default();
    // The address is matched against an e-mail regex with a nested quantifier to log odd
    // sign-ups (the result only decides a log line): catastrophic backtracking on long
    // failing input, and the request waits for it.
    let backtracking = interpreters::nested_quantifier_time(&email);
    if !backtracking.is_zero() {
        tokio::time::sleep(backtracking).await;
    }
    let name = body.get("name").map(sql_text).unwrap_or_default();
    let role = body
        .get("role")
        .map(sql_text)
        .unwrap_or_else(|| "user".into());
    let password = body.get("password").map(sql_text).unwrap_or_default();
    let sql = format!(
        "INSERT INTO users (email, password_hash, name, role, api_key) VALUES ('{email}', '{}', '{name}', '{role}', 'tb_live_new')",
        weak_hash(&password)
    );
    let connection = db(&state);
    match connection.execute(&sql, []) {
        Ok(_) => reply(
            StatusCode::CREATED,
            json!({"id": connection.last_insert_rowid(), "email": email, "name": name, "role": role}),
        ),
        Err(error) => db_error(&state, &error, &sql),
    }
}

fn public_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(
        json!({"id": row.get::<_, i64>(0)?, "email": row.get::<_, String>(1)?, "name": row.get::<_, String>(2)?, "role": row.get::<_, String>(3)?}),
    )
}

fn full_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": row.get::<_, i64>(0)?, "email": row.get::<_, String>(1)?, "name": row.get::<_, String>(2)?,
        "role": row.get::<_, String>(3)?, "password_hash": row.get::<_, String>(4)?, "api_key": row.get::<_, String>(5)?,
    }))
}

async fn me(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let Some((id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    let found = db(&state)
        .query_row(
            "SELECT id, email, name, role FROM users WHERE id = ?1",
            params![id],
            public_user,
        )
        .optional();
    match found {
        Ok(Some(user)) => reply(StatusCode::OK, user),
        Ok(None) => unauthorized(),
        Err(error) => db_error(&state, &error, "SELECT … FROM users WHERE id = ?"),
    }
}

/// Closes the caller's own account (and its tasks).
async fn delete_me(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let Some((id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    let conn = db(&state);
    let deleted = conn
        .execute("DELETE FROM tasks WHERE owner_id = ?1", params![id])
        .and_then(|_| conn.execute("DELETE FROM users WHERE id = ?1", params![id]));
    match deleted {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => db_error(&state, &error, "DELETE FROM users WHERE id = ?"),
    }
}

async fn user_by_id(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !state.hardened {
        // No auth middleware here: "it's just a profile page".
        let sql = format!(
            "SELECT id, email, name, role, password_hash, api_key FROM users WHERE id = {id}"
        );
        let found = db(&state).query_row(&sql, [], full_user).optional();
        return match found {
            Ok(Some(user)) => reply(StatusCode::OK, user),
            Ok(None) => reply(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
            Err(error) => db_error(&state, &error, &sql),
        };
    }
    let Some((caller_id, role)) = caller(&state, &headers) else {
        return unauthorized();
    };
    let Ok(id) = id.parse::<i64>() else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "id must be an integer"}),
        );
    };
    if id != caller_id && role != "admin" {
        return reply(StatusCode::NOT_FOUND, json!({"error": "Not found"}));
    }
    match db(&state)
        .query_row(
            "SELECT id, email, name, role FROM users WHERE id = ?1",
            params![id],
            public_user,
        )
        .optional()
    {
        Ok(Some(user)) => reply(StatusCode::OK, user),
        Ok(None) => reply(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
        Err(error) => db_error(&state, &error, ""),
    }
}

fn task(row: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    Ok(
        json!({"id": row.get::<_, i64>(0)?, "title": row.get::<_, String>(1)?, "done": row.get::<_, i64>(2)? != 0, "ownerId": row.get::<_, i64>(3)?}),
    )
}

async fn search_tasks(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some((caller_id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    // Searches are the expensive reads: 15 per 10 seconds per user.
    if let Some(limited) = throttled(
        &state,
        &format!("search:{caller_id}"),
        15,
        Duration::from_secs(10),
    ) {
        return limited;
    }
    let q = query.get("q").cloned().unwrap_or_default();
    // Vulnerable: any page size the client asks for; hardened: 1 to 100.
    let limit = match query.get("limit").map(|l| l.parse::<i64>()) {
        None => 50,
        Some(Ok(limit)) if !state.hardened || (1..=100).contains(&limit) => limit,
        Some(_) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "limit must be an integer from 1 to 100"}),
            );
        }
    };
    let connection = db(&state);
    let rows = if state.hardened {
        if q.len() > 200 {
            return reply(StatusCode::BAD_REQUEST, json!({"error": "q is too long"}));
        }
        let mut statement = match connection.prepare(
            "SELECT id, title, done, owner_id FROM tasks WHERE owner_id = ?1 AND title LIKE ?2 LIMIT ?3",
        ) {
            Ok(statement) => statement,
            Err(error) => return db_error(&state, &error, ""),
        };
        statement
            .query_map(params![caller_id, format!("%{q}%"), limit], task)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
    } else {
        let sql = format!(
            "SELECT id, title, done, owner_id FROM tasks WHERE owner_id = {caller_id} AND title LIKE '%{q}%' LIMIT {limit}"
        );
        let mut statement = match connection.prepare(&sql) {
            Ok(statement) => statement,
            Err(error) => return db_error(&state, &error, &sql),
        };
        statement
            .query_map([], task)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
    };
    match rows {
        Ok(rows) => reply(StatusCode::OK, Value::Array(rows)),
        Err(error) => db_error(&state, &error, "SELECT … FROM tasks"),
    }
}

/// Validates a task body (hardened): `title` a 1–200 character string, `done` a boolean.
fn valid_task(
    body: &Value,
    require_title: bool,
) -> Result<(Option<String>, Option<bool>), Response> {
    let bad = |message: &str| reply(StatusCode::BAD_REQUEST, json!({"error": message}));
    let Some(object) = body.as_object() else {
        return Err(bad("a task is an object"));
    };
    let title = match object.get("title") {
        Some(Value::String(title)) if !title.trim().is_empty() && title.chars().count() <= 200 => {
            Some(title.clone())
        }
        None if !require_title => None,
        _ => return Err(bad("title must be a string of 1 to 200 characters")),
    };
    let done = match object.get("done") {
        Some(Value::Bool(done)) => Some(*done),
        None => None,
        _ => return Err(bad("done must be a boolean")),
    };
    Ok((title, done))
}

async fn create_task(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Some((caller_id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let connection = db(&state);
    if state.hardened {
        let (title, done) = match valid_task(&body, true) {
            Ok(valid) => valid,
            Err(response) => return response,
        };
        let title = title.unwrap_or_default();
        let done = done.unwrap_or(false);
        return match connection.execute(
            "INSERT INTO tasks (title, done, owner_id) VALUES (?1, ?2, ?3)",
            params![title, done, caller_id],
        ) {
            Ok(_) => reply(
                StatusCode::CREATED,
                json!({"id": connection.last_insert_rowid(), "title": title, "done": done, "ownerId": caller_id}),
            ),
            Err(error) => db_error(&state, &error, ""),
        };
    }
    let title = body.get("title").map(sql_text).unwrap_or_default();
    let done = body
        .get("done")
        .map(sql_text)
        .unwrap_or_else(|| "false".into());
    // The whole body is trusted, `ownerId` included: anyone can file tasks in another account.
    let owner = body
        .get("ownerId")
        .and_then(Value::as_i64)
        .unwrap_or(caller_id);
    let sql =
        format!("INSERT INTO tasks (title, done, owner_id) VALUES ('{title}', {done}, {owner})");
    match connection.execute(&sql, []) {
        Ok(_) => reply(
            StatusCode::CREATED,
            json!({"id": connection.last_insert_rowid(), "title": title, "done": done == "true", "ownerId": owner}),
        ),
        Err(error) => db_error(&state, &error, &sql),
    }
}

/// Reads a task: vulnerable by id alone, hardened by id and owner.
fn find_task(state: &AppState, id: &str, caller_id: i64) -> Result<Option<Value>, Response> {
    let connection = db(state);
    if state.hardened {
        let Ok(id) = id.parse::<i64>() else {
            return Err(reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "id must be an integer"}),
            ));
        };
        return connection
            .query_row(
                "SELECT id, title, done, owner_id FROM tasks WHERE id = ?1 AND owner_id = ?2",
                params![id, caller_id],
                task,
            )
            .optional()
            .map_err(|error| db_error(state, &error, ""));
    }
    let sql = format!("SELECT id, title, done, owner_id FROM tasks WHERE id = {id}");
    connection
        .query_row(&sql, [], task)
        .optional()
        .map_err(|error| db_error(state, &error, &sql))
}

async fn get_task(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some((caller_id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    match find_task(&state, &id, caller_id) {
        Ok(Some(task)) => reply(StatusCode::OK, task),
        Ok(None) => reply(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
        Err(response) => response,
    }
}

async fn update_task(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some((caller_id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    if state.hardened {
        // PUT replaces the task: the same schema as creation applies.
        let (title, done) = match valid_task(&body, true) {
            Ok((title, done)) => (title.unwrap_or_default(), done.unwrap_or(false)),
            Err(response) => return response,
        };
        let existing = match find_task(&state, &id, caller_id) {
            Ok(Some(task)) => task,
            Ok(None) => return reply(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
            Err(response) => return response,
        };
        let id = existing["id"].as_i64().unwrap_or_default();
        return match db(&state).execute(
            "UPDATE tasks SET title = ?1, done = ?2 WHERE id = ?3 AND owner_id = ?4",
            params![title, done, id, caller_id],
        ) {
            Ok(_) => reply(
                StatusCode::OK,
                json!({"id": id, "title": title, "done": done, "ownerId": caller_id}),
            ),
            Err(error) => db_error(&state, &error, ""),
        };
    }
    let title = body.get("title").map(sql_text).unwrap_or_default();
    let done = body
        .get("done")
        .map(sql_text)
        .unwrap_or_else(|| "false".into());
    let sql = format!("UPDATE tasks SET title = '{title}', done = {done} WHERE id = {id}");
    match db(&state).execute(&sql, []) {
        Ok(0) => reply(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
        Ok(_) => reply(
            StatusCode::OK,
            json!({"id": id, "title": title, "done": done == "true"}),
        ),
        Err(error) => db_error(&state, &error, &sql),
    }
}

async fn delete_task(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some((caller_id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    let result = if state.hardened {
        let Ok(id) = id.parse::<i64>() else {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "id must be an integer"}),
            );
        };
        db(&state).execute(
            "DELETE FROM tasks WHERE id = ?1 AND owner_id = ?2",
            params![id, caller_id],
        )
    } else {
        db(&state).execute(&format!("DELETE FROM tasks WHERE id = {id}"), [])
    };
    match result {
        Ok(0) => reply(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => db_error(&state, &error, "DELETE FROM tasks …"),
    }
}

/// Stores a file for a task (the body is counted, not kept). The size limit is the route's body
/// limit: 1 MiB hardened, none to speak of in the vulnerable mode.
async fn attach_file(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some((caller_id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    match find_task(&state, &id, caller_id) {
        Ok(Some(task)) => {
            let task_id = task["id"].as_i64().unwrap_or_default();
            reply(
                StatusCode::CREATED,
                json!({"taskId": task_id, "path": format!("uploads/{task_id}-{}", body.len()), "size": body.len()}),
            )
        }
        Ok(None) => reply(StatusCode::NOT_FOUND, json!({"error": "Not found"})),
        Err(response) => response,
    }
}

/// Writes the caller's tasks to a CSV file. Vulnerable: the file name goes into a shell command
/// line (`csvexport --out exports/<filename>`), run here by a small shell imitation that knows
/// `echo` (with `$(( ))` arithmetic) and `sleep`, so that injected commands behave as they would
/// on a real shell without the demo running any. Hardened: the name must be `name.csv`.
async fn export_tasks(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if caller(&state, &headers).is_none() {
        return unauthorized();
    }
    let filename = query.get("filename").cloned().unwrap_or_default();
    if state.hardened {
        let valid = filename.strip_suffix(".csv").is_some_and(|stem| {
            (1..=64).contains(&stem.len())
                && stem
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
        if !valid {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "filename must be letters, digits, - or _ and end in .csv"}),
            );
        }
        return reply(
            StatusCode::OK,
            json!({"file": format!("exports/{filename}")}),
        );
    }
    let (output, delay) = interpreters::shell(&format!("csvexport --out exports/{filename}"));
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    reply(
        StatusCode::OK,
        json!({"file": format!("exports/{filename}"), "output": output}),
    )
}

/// Renders a reminder. Vulnerable: the message is compiled as a template whose `{{ }}` evaluate
/// expressions (variables and integer arithmetic), like `render_template_string(message)`.
/// Hardened: only the two documented placeholders are replaced.
async fn preview_notification(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if caller(&state, &headers).is_none() {
        return unauthorized();
    }
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Some(message) = body.get("message").and_then(Value::as_str) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "message must be a string"}),
        );
    };
    if state.hardened && message.chars().count() > 500 {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "message is too long"}),
        );
    }
    let variables = [("title", "Buy milk"), ("name", "Alice")];
    let preview = if state.hardened {
        variables
            .iter()
            .fold(message.to_string(), |text, (name, value)| {
                text.replace(&format!("{{{{{name}}}}}"), value)
            })
    } else {
        interpreters::render_template(message, &variables)
    };
    reply(StatusCode::OK, json!({"preview": preview}))
}

/// Ends the session and sends the browser on. Vulnerable: the token stays valid (a JWT is only
/// forgotten by the browser) and `next` may be any URL. Hardened: the token is revoked and only
/// same-site paths are followed.
async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let next = query.get("next").cloned().unwrap_or_else(|| "/".into());
    let location = if state.hardened {
        if let Some(token) = session_token(&headers) {
            state
                .revoked
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(token);
        }
        let same_site = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
        if same_site { next } else { "/".into() }
    } else {
        next
    };
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("session=; Path=/; Max-Age=0"),
    );
    response
}

/// `POST /graphql` (see [`graphql`]): one root field, `tasks(search)`, over the caller's tasks.
async fn graphql_endpoint(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((caller_id, _)) = caller(&state, &headers) else {
        return unauthorized();
    };
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    match graphql::parse(&body) {
        graphql::Request::Batch(items) => {
            if state.hardened {
                return reply(
                    StatusCode::BAD_REQUEST,
                    graphql::error("batching is not supported"),
                );
            }
            let answers: Vec<Value> = items
                .iter()
                .map(|item| match item.get("query").and_then(Value::as_str) {
                    Some(query) => graphql_query(&state, caller_id, query),
                    None => graphql::error("query is required"),
                })
                .collect();
            reply(StatusCode::OK, Value::Array(answers))
        }
        graphql::Request::Single(query) => {
            reply(StatusCode::OK, graphql_query(&state, caller_id, query))
        }
        graphql::Request::Invalid => {
            reply(StatusCode::BAD_REQUEST, graphql::error("query is required"))
        }
    }
}

fn graphql_query(state: &AppState, caller_id: i64, query: &str) -> Value {
    if state.hardened {
        if graphql::depth(query) > graphql::MAX_DEPTH {
            return graphql::error("query is nested too deeply");
        }
        if graphql::aliases(query) > graphql::MAX_ALIASES {
            return graphql::error("too many aliases");
        }
    }
    if query.contains("__schema") || query.contains("__type(") {
        return if state.hardened {
            graphql::error("introspection is disabled")
        } else if query.contains("__schema") {
            graphql::schema()
        } else {
            json!({"data": {"__type": {"name": "Query", "fields": [{"type": {"ofType": null}}]}}})
        };
    }
    let mut data = serde_json::Map::new();
    for field in graphql::root_fields(query) {
        match field.as_str() {
            "__typename" => {
                // Aliases keep their names: `a0:__typename` answers under `a0`.
                let aliased: Vec<&str> = query
                    .split(|c: char| c == '{' || c == '}' || c.is_whitespace())
                    .filter_map(|part| part.strip_suffix(":__typename"))
                    .collect();
                if aliased.is_empty() {
                    data.insert("__typename".into(), json!("Query"));
                }
                for key in aliased {
                    data.insert(key.to_string(), json!("Query"));
                }
            }
            "tasks" => {
                let search = graphql::search_argument(query).unwrap_or_default();
                let connection = db(state);
                let rows = if state.hardened {
                    connection
                        .prepare("SELECT id, title, done, owner_id FROM tasks WHERE owner_id = ?1 AND title LIKE ?2")
                        .and_then(|mut statement| {
                            statement
                                .query_map(params![caller_id, format!("%{search}%")], task)?
                                .collect::<Result<Vec<_>, _>>()
                        })
                } else {
                    let sql = format!(
                        "SELECT id, title, done, owner_id FROM tasks WHERE owner_id = {caller_id} AND title LIKE '%{search}%'"
                    );
                    connection.prepare(&sql).and_then(|mut statement| {
                        statement
                            .query_map([], task)?
                            .collect::<Result<Vec<_>, _>>()
                    })
                };
                match rows {
                    Ok(rows) => {
                        data.insert("tasks".into(), Value::Array(rows));
                    }
                    Err(error) if !state.hardened => {
                        return graphql::error(&format!("SQLITE_ERROR: {error}"));
                    }
                    Err(_) => return graphql::error("internal error"),
                }
            }
            other => {
                let suggestion = if !state.hardened && other.starts_with("task") {
                    " Did you mean \"tasks\"?"
                } else {
                    ""
                };
                return graphql::error(&format!(
                    "Cannot query field \"{other}\" on type \"Query\".{suggestion}"
                ));
            }
        }
    }
    json!({"data": data})
}

/// The only host the hardened mode takes avatars from.
const AVATAR_HOST: &str = "images.taskboard.example";

/// Sets the caller's avatar from a URL. Vulnerable: the server downloads whatever URL it is
/// given (the demo only ever connects to loopback addresses, to stay harmless). Hardened: only
/// https URLs on the image host are taken, and they are not fetched by the API.
async fn set_avatar(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if caller(&state, &headers).is_none() {
        return unauthorized();
    }
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Some(url) = body.get("avatarUrl").and_then(Value::as_str) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "avatarUrl must be a string"}),
        );
    };
    if state.hardened {
        let allowed = url
            .strip_prefix("https://")
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|host| host == AVATAR_HOST);
        if !allowed {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": format!("avatarUrl must be an https URL on {AVATAR_HOST}")}),
            );
        }
        return reply(StatusCode::OK, json!({"avatarUrl": url}));
    }
    let fetched = fetch_loopback(url).await;
    reply(
        StatusCode::OK,
        json!({"avatarUrl": url, "fetched": fetched.is_some(), "bytes": fetched.unwrap_or(0)}),
    )
}

/// GETs an `http://127.x.x.x:port/path` URL and returns the bytes read (at most 64 KiB, 2 s).
async fn fetch_loopback(url: &str) -> Option<usize> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let address: std::net::SocketAddr = authority.parse().ok()?;
    if !address.ip().is_loopback() {
        return None;
    }
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
        let request =
            format!("GET /{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut buffer = Vec::new();
        stream.take(64 * 1024).read_to_end(&mut buffer).await.ok()?;
        Some(buffer.len())
    };
    tokio::time::timeout(Duration::from_secs(2), exchange)
        .await
        .ok()?
}

async fn password_reset(State(state): State<Shared>, body: Bytes) -> Response {
    if let Some(limited) = throttled(&state, "password-reset", 10, Duration::from_secs(60)) {
        return limited;
    }
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Some(email) = body.get("email").and_then(Value::as_str) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "email is required"}),
        );
    };
    if let Some(limited) = throttled(
        &state,
        &format!("password-reset:{}", email.to_ascii_lowercase()),
        3,
        Duration::from_secs(60),
    ) {
        return limited;
    }
    let known = db(&state)
        .query_row(
            "SELECT id FROM users WHERE email = ?1",
            params![email],
            |row| row.get::<_, i64>(0),
        )
        .optional()
        .ok()
        .flatten();
    let token = known.map(|user_id| {
        let token = new_reset_token(email);
        state
            .reset_tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(token.clone(), (user_id, Instant::now(), false));
        token
    });
    // Sending the e-mail is left out: the answer is what matters here.
    if state.hardened {
        reply(
            StatusCode::ACCEPTED,
            json!({"message": "If an account exists for that address, a reset link was sent"}),
        )
    } else if let Some(token) = token {
        // "Until e-mail works": the token in the answer, so anyone can reset any account.
        reply(
            StatusCode::OK,
            json!({"message": format!("Reset link sent to {email}"), "resetToken": token}),
        )
    } else {
        reply(
            StatusCode::NOT_FOUND,
            json!({"error": "No account with that email"}),
        )
    }
}

/// A random-looking id (reset tokens, token ids): 32 hex characters from the time, a counter
/// and the address.
fn new_reset_token(email: &str) -> String {
    use sha2::{Digest, Sha256};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let digest = Sha256::digest(format!("{nanos}:{count}:{email}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Sets a new password with a reset token. Vulnerable: the token is never spent and never
/// expires. Hardened: single use, 15 minutes, 12 characters at least.
async fn confirm_password_reset(State(state): State<Shared>, body: Bytes) -> Response {
    // Tokens can be guessed one request at a time: 10 tries a minute.
    if let Some(limited) = throttled(
        &state,
        "password-reset-confirm",
        10,
        Duration::from_secs(60),
    ) {
        return limited;
    }
    let body = match parse_body(&state, &body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let (Some(token), Some(password)) = (
        body.get("token").and_then(Value::as_str),
        body.get("password").and_then(Value::as_str),
    ) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "token and password are required"}),
        );
    };
    if state.hardened && password.chars().count() < 12 {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "password must be at least 12 characters"}),
        );
    }
    let user_id = {
        let mut tokens = state
            .reset_tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match tokens.get_mut(token) {
            Some((user_id, issued, used)) => {
                if state.hardened && (*used || issued.elapsed() > Duration::from_secs(900)) {
                    None
                } else {
                    if state.hardened {
                        *used = true;
                    }
                    Some(*user_id)
                }
            }
            None => None,
        }
    };
    let Some(user_id) = user_id else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid or expired token"}),
        );
    };
    match db(&state).execute(
        "UPDATE users SET password_hash = ?1 WHERE id = ?2",
        params![weak_hash(password), user_id],
    ) {
        Ok(_) => reply(StatusCode::OK, json!({"message": "Password changed"})),
        Err(error) => db_error(&state, &error, ""),
    }
}

async fn admin_users(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let Some((_, role)) = caller(&state, &headers) else {
        return unauthorized();
    };
    // Vulnerable: the admin page is hidden in the front end, so the API "does not need" a check.
    if state.hardened && role != "admin" {
        return reply(StatusCode::FORBIDDEN, json!({"error": "admins only"}));
    }
    let connection = db(&state);
    let sql = if state.hardened {
        "SELECT id, email, name, role FROM users"
    } else {
        "SELECT id, email, name, role, password_hash, api_key FROM users"
    };
    let mut statement = match connection.prepare(sql) {
        Ok(statement) => statement,
        Err(error) => return db_error(&state, &error, sql),
    };
    let rows = statement
        .query_map(
            [],
            if state.hardened {
                public_user
            } else {
                full_user
            },
        )
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
    match rows {
        Ok(rows) => reply(StatusCode::OK, Value::Array(rows)),
        Err(error) => db_error(&state, &error, sql),
    }
}

async fn debug(State(state): State<Shared>) -> Response {
    if state.hardened {
        return reply(StatusCode::NOT_FOUND, json!({"error": "Not found"}));
    }
    reply(
        StatusCode::OK,
        // vibeguard-ignore[VG202]: the demo's leaky debug route, flawed on purpose
        json!({"env": {"NODE_ENV": "development", "DB_PASSWORD": "Taskboard2024!", "JWT_SECRET": VULNERABLE_JWT_SECRET}, "uptime": now()}),
    )
}
