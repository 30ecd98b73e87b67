//! Probes on an operation that would change the caller's own e-mail or password never go as a
//! configured identity. When the app has a sign-up they go as an account the run signed up
//! (and close at the end): an injectable e-mail change is found that way, the configured
//! identity keeps its password and e-mail, and no account the run made is left. Without a
//! sign-up the probes are withheld and the operation is named untested for those checks.
//!
//! An app that logs a new account in at sign-up has its accounts closed with the session the
//! sign-up opened, without a login (each a password hash on a real server); a cookie the
//! sign-up set that is no logged-in session falls back to a login, and nothing is left.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use url::Url;
use vibeguard_api::engine::{self, ApiSettings};
use vibeguard_api::identity::{IdentityConfig, LoginRequest};
use vibeguard_api::spec::SpecSource;

/// The accounts (name → password, e-mail) and the sessions (id → name).
#[derive(Default)]
struct Site {
    users: BTreeMap<String, (String, String)>,
    sessions: BTreeMap<String, String>,
    issued: u64,
    /// The names of the logins that succeeded, in order.
    logins: Vec<String>,
}

/// How the app's sign-up ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignUp {
    /// "Now log in": a redirect to the login page.
    ThenLogIn,
    /// The new account is logged in: a session cookie and a redirect to its profile.
    LogsIn,
    /// A cookie of the session's name that is no session (a visitor id), and "now log in".
    SetsVisitorCookie,
}

type Shared = Arc<Mutex<Site>>;

fn field(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

fn page(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<!doctype html><html><body>{body}</body></html>"),
    )
        .into_response()
}

fn redirect(to: &str, cookie: Option<String>) -> Response {
    let mut response = (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response();
    if let Some(cookie) = cookie {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.parse().expect("a cookie header"));
    }
    response
}

/// The logged-in account's name, from the `sid` cookie.
fn caller(site: &Shared, headers: &HeaderMap) -> Option<String> {
    let sid = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("sid=").map(str::to_string))?;
    site.lock().expect("site").sessions.get(&sid).cloned()
}

fn form(path: &str, fields: &[&str]) -> serde_json::Value {
    let properties: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|f| (f.to_string(), json!({"type": "string"})))
        .collect();
    json!({
        "post": {
            "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "properties": properties, "required": fields
            }}}},
            "responses": {"302": {"description": path}}
        }
    })
}

/// A small site: sign-up (when `signup`), form login with a session cookie, a profile page,
/// an e-mail change whose value goes into SQL text unquoted (a lone quote is an SQLite error),
/// a password change that asks for no current password, and the account's closing.
fn site(signup: Option<SignUp>) -> (Router, Shared) {
    let shared: Shared = Arc::default();
    shared.lock().expect("site").users.insert(
        "mara".into(),
        ("mara-pass-1".into(), "mara@example.com".into()),
    );
    let mut paths = serde_json::Map::new();
    paths.insert("/login".into(), form("/login", &["username", "password"]));
    paths.insert("/profile/email".into(), form("/profile/email", &["email"]));
    paths.insert(
        "/profile/password".into(),
        form("/profile/password", &["password", "password_again"]),
    );
    paths.insert("/profile/delete".into(), form("/profile/delete", &[]));
    paths.insert(
        "/profile".into(),
        json!({"get": {"responses": {"200": {"description": "the profile page"}}}}),
    );
    if signup.is_some() {
        paths.insert(
            "/register".into(),
            form("/register", &["username", "email", "password"]),
        );
    }
    let description = json!({
        "openapi": "3.0.3",
        "info": {"title": "lent account", "version": "1"},
        "paths": paths,
    });
    let mut app = Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let description = description.clone();
                async move { axum::Json(description) }
            }),
        )
        .route(
            "/login",
            post(|State(site): State<Shared>, body: String| async move {
                let name = field(&body, "username").unwrap_or_default();
                let password = field(&body, "password").unwrap_or_default();
                let mut site = site.lock().expect("site");
                if site.users.get(&name).is_none_or(|(p, _)| *p != password) {
                    return page(
                        StatusCode::OK,
                        r#"<p class="error">Invalid user or password.</p>"#,
                    );
                }
                site.logins.push(name.clone());
                redirect("/profile", Some(open_session(&mut site, name)))
            }),
        )
        .route(
            "/profile",
            get(
                |State(site): State<Shared>, headers: HeaderMap| async move {
                    let Some(name) = caller(&site, &headers) else {
                        return redirect("/login", None);
                    };
                    let email = site.lock().expect("site").users[&name].1.clone();
                    page(StatusCode::OK, &format!("<h1>{name}</h1><p>{email}</p>"))
                },
            ),
        )
        .route(
            "/profile/email",
            post(
                |State(site): State<Shared>, headers: HeaderMap, body: String| async move {
                    let Some(name) = caller(&site, &headers) else {
                        return redirect("/login", None);
                    };
                    let email = field(&body, "email").unwrap_or_default();
                    // `UPDATE users SET email = '<email>' …` built as text.
                    if email.matches('\'').count() % 2 == 1 {
                        return page(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "sqlite3.OperationalError: unrecognized token: \"'\"",
                        );
                    }
                    if let Some(user) = site.lock().expect("site").users.get_mut(&name) {
                        user.1 = email.replace("''", "'");
                    }
                    redirect("/profile", None)
                },
            ),
        )
        .route(
            "/profile/password",
            post(
                |State(site): State<Shared>, headers: HeaderMap, body: String| async move {
                    let Some(name) = caller(&site, &headers) else {
                        return redirect("/login", None);
                    };
                    let password = field(&body, "password").unwrap_or_default();
                    if password.is_empty()
                        || Some(&password) != field(&body, "password_again").as_ref()
                    {
                        return page(
                            StatusCode::OK,
                            r#"<p class="error">The passwords don't match.</p>"#,
                        );
                    }
                    if let Some(user) = site.lock().expect("site").users.get_mut(&name) {
                        user.0 = password;
                    }
                    redirect("/profile", None)
                },
            ),
        )
        .route(
            "/profile/delete",
            post(
                |State(site): State<Shared>, headers: HeaderMap| async move {
                    let Some(name) = caller(&site, &headers) else {
                        return redirect("/login", None);
                    };
                    let mut site = site.lock().expect("site");
                    site.users.remove(&name);
                    site.sessions.retain(|_, who| *who != name);
                    redirect("/", None)
                },
            ),
        );
    if let Some(signup) = signup {
        app = app.route(
            "/register",
            post(move |State(site): State<Shared>, body: String| async move {
                let name = field(&body, "username").unwrap_or_default();
                let email = field(&body, "email").unwrap_or_default();
                let password = field(&body, "password").unwrap_or_default();
                let mut site = site.lock().expect("site");
                if name.is_empty() || password.is_empty() || site.users.contains_key(&name) {
                    return page(
                        StatusCode::OK,
                        r#"<p class="flash error">That name is taken.</p>"#,
                    );
                }
                site.users.insert(name.clone(), (password, email));
                match signup {
                    SignUp::ThenLogIn => redirect("/login", None),
                    SignUp::LogsIn => redirect("/profile", Some(open_session(&mut site, name))),
                    SignUp::SetsVisitorCookie => {
                        redirect("/login", Some("sid=visitor-7; Path=/".to_string()))
                    }
                }
            }),
        );
    }
    (app.with_state(shared.clone()), shared)
}

/// A new session of `name`: its `Set-Cookie` value.
fn open_session(site: &mut Site, name: String) -> String {
    site.issued += 1;
    let sid = format!("s{}x{}", site.issued, name.len());
    site.sessions.insert(sid.clone(), name);
    format!("sid={sid}; Path=/; HttpOnly")
}

async fn audit(signup: Option<SignUp>) -> (engine::ApiOutcome, Shared) {
    let (app, shared) = site(signup);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let target =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let login = IdentityConfig::Login {
        request: Box::new(LoginRequest {
            method: None,
            path: "/login".into(),
            json: None,
            form: Some(BTreeMap::from([
                ("username".to_string(), "mara".to_string()),
                ("password".to_string(), "mara-pass-1".to_string()),
            ])),
            multipart: None,
            login_page: None,
            headers: BTreeMap::new(),
        }),
        capture: None,
        send_as: None,
        role: None,
    };
    let settings = ApiSettings {
        seed: 7,
        identities: vec![("mara".into(), login)],
        ..ApiSettings::new(
            target.clone(),
            SpecSource::Url(target.join("/openapi.json").expect("url")),
        )
    };
    // Every check: the lent account's password is changed by some, and it is closed all the same.
    let outcome = engine::run(&settings, &|_: &str| true, &|_| None)
        .await
        .expect("the audit runs");
    (outcome, shared)
}

#[tokio::test]
async fn own_account_changes_are_probed_as_an_account_the_run_signed_up() {
    let (outcome, shared) = audit(Some(SignUp::ThenLogIn)).await;
    let findings: Vec<String> = outcome
        .output
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.location))
        .collect();
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("VG409") && f.contains("POST /profile/email")),
        "{findings:?}"
    );
    let site = shared.lock().expect("site");
    // The configured identity's credentials are as they were, and every account the run made
    // is gone (the lent one too, though its password may have changed).
    assert_eq!(
        site.users.get("mara"),
        Some(&("mara-pass-1".to_string(), "mara@example.com".to_string()))
    );
    assert_eq!(site.users.keys().collect::<Vec<_>>(), ["mara"]);
    let run = &outcome.output.run;
    assert!(
        !run.errors.iter().any(|e| e.message.contains("could not")),
        "{:?}",
        run.errors
    );
    assert!(
        !run.untested
            .iter()
            .any(|u| u.place == "POST /profile/email" && u.rules.iter().any(|r| r == "VG409")),
        "{:?}",
        run.untested
    );
    // Not one request to the account pages went with mara's session.
    let mara_sessions: Vec<String> = site
        .sessions
        .iter()
        .filter(|(_, name)| *name == "mara")
        .map(|(sid, _)| format!("sid={sid}"))
        .collect();
    for exchange in &outcome.exchanges {
        let path = exchange.request.url.path();
        if path.starts_with("/profile/") && exchange.request.method == "POST" {
            let cookie = exchange.request.header_value("cookie").unwrap_or_default();
            assert!(
                !mara_sessions
                    .iter()
                    .any(|sid| cookie.contains(sid.as_str())),
                "{path} went as mara"
            );
        }
    }
}

#[tokio::test]
async fn without_a_sign_up_own_account_changes_are_withheld_and_named() {
    let (outcome, shared) = audit(None).await;
    assert!(
        !outcome.output.findings.iter().any(|f| f.code == "VG409"),
        "{:?}",
        outcome.output.findings
    );
    assert_eq!(
        shared.lock().expect("site").users.get("mara"),
        Some(&("mara-pass-1".to_string(), "mara@example.com".to_string()))
    );
    let untested = &outcome.output.run.untested;
    assert!(
        untested.iter().any(|u| u.place == "POST /profile/email"
            && u.rules.iter().any(|r| r == "VG409")
            && u.reason.contains("withheld")),
        "{untested:?}"
    );
}

/// The accounts the run signed up (names other than the configured identity's), and the
/// logins as one of them.
fn run_accounts(outcome: &engine::ApiOutcome, site: &Site) -> (BTreeSet<String>, usize) {
    let made: BTreeSet<String> = outcome
        .exchanges
        .iter()
        .filter(|e| e.request.url.path() == "/register")
        .filter(|e| e.response().is_some_and(|r| r.status == 302))
        .filter_map(|e| {
            field(
                &String::from_utf8_lossy(e.request.body.as_deref()?),
                "username",
            )
        })
        .collect();
    let logins = site.logins.iter().filter(|name| *name != "mara").count();
    (made, logins)
}

#[tokio::test]
async fn accounts_a_sign_up_logged_in_are_closed_with_that_session_without_a_login() {
    let (outcome, shared) = audit(Some(SignUp::LogsIn)).await;
    let site = shared.lock().expect("site");
    let (made, logins) = run_accounts(&outcome, &site);
    assert!(made.len() >= 3, "{made:?}");
    assert_eq!(site.users.keys().collect::<Vec<_>>(), ["mara"]);
    // Checks log in as a few (the lent account, the sign-up takeover's pair); closing needs
    // no login at all, where it used to need one an account.
    assert!(
        logins * 2 < made.len(),
        "{logins} logins for {} accounts",
        made.len()
    );
    assert!(
        !outcome
            .output
            .run
            .errors
            .iter()
            .any(|e| e.message.contains("could not")),
        "{:?}",
        outcome.output.run.errors
    );
}

#[tokio::test]
async fn a_sign_up_cookie_that_is_no_session_falls_back_to_logins_and_leaves_nothing() {
    let (outcome, shared) = audit(Some(SignUp::SetsVisitorCookie)).await;
    let site = shared.lock().expect("site");
    let (made, logins) = run_accounts(&outcome, &site);
    assert!(made.len() >= 3, "{made:?}");
    assert_eq!(site.users.keys().collect::<Vec<_>>(), ["mara"]);
    assert!(
        logins >= made.len(),
        "{logins} logins for {} accounts",
        made.len()
    );
}
