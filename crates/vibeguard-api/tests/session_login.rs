//! Session-cookie logins against real servers on 127.0.0.1 written the way server-rendered
//! frameworks answer: a Flask-WTF-style form login (a CSRF token in a hidden field bound to a
//! pre-login session, `302` away with a new session), a Django-style one (a `csrftoken` cookie
//! rotated at login, `X-CSRFToken` expected afterwards), an express-session JSON login with no
//! capture, and the refusals those apps answer with `200` or a redirect.

use std::collections::BTreeMap;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use url::Url;
use vibeguard_api::http::{Executor, Limits, Request, Scope};
use vibeguard_api::identity::{self, IdentityConfig, LoginRequest};

async fn serve(app: Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            (n == name).then(|| v.to_string())
        })
}

fn field(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

fn html(status: StatusCode, cookies: &[&str], body: String) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    for line in cookies {
        response
            .headers_mut()
            .append(header::SET_COOKIE, line.parse().expect("cookie"));
    }
    response
}

fn redirect(to: &str, cookies: &[&str]) -> Response {
    let mut response = html(StatusCode::FOUND, cookies, String::new());
    response
        .headers_mut()
        .insert(header::LOCATION, to.parse().expect("location"));
    response
}

const LOGIN_FORM: &str = r#"<form method="post"><input id="csrf_token" name="csrf_token" type="hidden" value="TOKEN"><input name="username"><input type="password" name="password"><button>Log in</button></form>"#;

/// Flask + Flask-Login + Flask-WTF, as assistants write it.
fn flask_app() -> Router {
    Router::new()
        .route(
            "/login",
            get(|| async {
                html(
                    StatusCode::OK,
                    &["session=anon-tok1; HttpOnly; Path=/"],
                    LOGIN_FORM.replace("TOKEN", "tok1"),
                )
            })
            .post(|headers: HeaderMap, body: String| async move {
                // The token must match the session the login page started.
                if cookie(&headers, "session").as_deref() != Some("anon-tok1")
                    || field(&body, "csrf_token").as_deref() != Some("tok1")
                {
                    return html(StatusCode::BAD_REQUEST, &[], "The CSRF token is missing.".into());
                }
                if field(&body, "password").as_deref() != Some("alice-pw") {
                    return html(
                        StatusCode::OK,
                        &[],
                        format!(
                            r#"<div class="flash error">Invalid user or password</div>{}"#,
                            LOGIN_FORM.replace("TOKEN", "tok1")
                        ),
                    );
                }
                redirect("/posts", &["session=alice-tok1; HttpOnly; Path=/"])
            }),
        )
        .route(
            "/posts",
            get(|headers: HeaderMap| async move {
                match cookie(&headers, "session").as_deref() {
                    Some("alice-tok1") => html(
                        StatusCode::OK,
                        &[],
                        r#"<form method="post" action="/posts"><input type="hidden" name="csrf_token" value="tok1"><textarea name="body"></textarea></form>"#.into(),
                    ),
                    _ => redirect("/login?next=%2Fposts", &[]),
                }
            })
            .post(|headers: HeaderMap| async move {
                let logged_in = cookie(&headers, "session").as_deref() == Some("alice-tok1");
                let token = headers.get("x-csrftoken").and_then(|v| v.to_str().ok());
                match (logged_in, token) {
                    (true, Some("tok1")) => redirect("/posts/7", &[]),
                    (true, _) => html(StatusCode::BAD_REQUEST, &[], "CSRF".into()),
                    _ => redirect("/login", &[]),
                }
            }),
        )
}

/// Django: a CSRF cookie and field at login, both rotated when the user logs in.
fn django_app() -> Router {
    Router::new()
        .route(
            "/accounts/login/",
            get(|| async {
                html(
                    StatusCode::OK,
                    &["csrftoken=c1; Path=/; SameSite=Lax"],
                    r#"<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="m1"><input name="username"><input type="password" name="password"></form>"#.into(),
                )
            })
            .post(|headers: HeaderMap, body: String| async move {
                if cookie(&headers, "csrftoken").as_deref() != Some("c1")
                    || field(&body, "csrfmiddlewaretoken").as_deref() != Some("m1")
                {
                    return html(StatusCode::FORBIDDEN, &[], "CSRF verification failed.".into());
                }
                if field(&body, "password").as_deref() != Some("bob-pw") {
                    return html(
                        StatusCode::OK,
                        &[],
                        r#"<ul class="errorlist"><li>Please enter a correct username and password.</li></ul><input type="password" name="password">"#.into(),
                    );
                }
                redirect(
                    "/",
                    &[
                        "csrftoken=c2; Path=/; SameSite=Lax",
                        "sessionid=bob-s; HttpOnly; Path=/; SameSite=Lax",
                    ],
                )
            }),
        )
        .route("/", get(|| async { html(StatusCode::OK, &[], "<h1>Home</h1>".into()) }))
        .route(
            "/api/notes/",
            post(|headers: HeaderMap| async move {
                let session = cookie(&headers, "sessionid");
                let csrf = headers.get("x-csrftoken").and_then(|v| v.to_str().ok());
                if session.as_deref() == Some("bob-s")
                    && csrf.is_some()
                    && csrf.map(str::to_string) == cookie(&headers, "csrftoken")
                {
                    StatusCode::CREATED
                } else {
                    StatusCode::FORBIDDEN
                }
            }),
        )
}

/// express-session behind a JSON login: `200 {"ok":true}` and `connect.sid`.
fn express_app() -> Router {
    Router::new().route(
        "/api/login",
        post(|body: String| async move {
            if body.contains("\"carol-pw\"") {
                let mut response = axum::Json(serde_json::json!({ "ok": true })).into_response();
                response.headers_mut().append(
                    header::SET_COOKIE,
                    "connect.sid=s%3Acarol.sig; Path=/; HttpOnly"
                        .parse()
                        .expect("cookie"),
                );
                response
            } else {
                (StatusCode::UNAUTHORIZED, "nope").into_response()
            }
        }),
    )
}

fn form_login(path: &str, username: &str, password: &str) -> IdentityConfig {
    IdentityConfig::Login {
        request: Box::new(LoginRequest {
            method: None,
            path: path.into(),
            json: None,
            form: Some(BTreeMap::from([
                ("username".to_string(), username.to_string()),
                ("password".to_string(), password.to_string()),
            ])),
            multipart: None,
            login_page: None,
            headers: BTreeMap::new(),
        }),
        capture: None,
        send_as: None,
        role: None,
    }
}

fn executor(target: &Url) -> Executor {
    Executor::new(Scope::new(target, &[]).expect("scope"), Limits::default()).expect("executor")
}

/// Logs `name` in with `config` at `target`.
async fn log_in(
    name: &str,
    config: &IdentityConfig,
    executor: &Executor,
    target: &Url,
) -> Result<identity::Identity, identity::IdentityError> {
    identity::establish(name, config, executor, target, &|_| None).await
}

/// The session cookie an identity sends.
fn session_cookie(name: &str, value: &str) -> identity::Credential {
    identity::Credential::Cookie {
        name: name.into(),
        value: value.into(),
    }
}

#[tokio::test]
async fn a_flask_form_login_with_a_csrf_token_gives_a_session_that_can_post() {
    let target = serve(flask_app()).await;
    let executor = executor(&target);
    let alice = log_in(
        "alice",
        &form_login("/login", "alice", "alice-pw"),
        &executor,
        &target,
    )
    .await
    .expect("alice logs in");
    assert_eq!(alice.credential, session_cookie("session", "alice-tok1"));
    // A state-changing request carries the session and the token the pages carry.
    let mut create = Request::new("POST", target.join("/posts").expect("url"));
    alice.apply(&mut create);
    let answer = executor.send(create).await;
    assert_eq!(answer.response().expect("answer").status, 302);
    assert_eq!(
        answer.response().expect("answer").header("location"),
        Some("/posts/7")
    );
    // Every value that proves who alice is is redacted; her username is not.
    let secrets = alice.secrets();
    assert!(secrets.contains(&"alice-tok1".to_string()));
    assert!(secrets.contains(&"tok1".to_string()));
    assert!(!secrets.contains(&"alice".to_string()));

    // A wrong password: 200 with the form again and the app's message, not a login.
    let error = log_in(
        "mallory",
        &form_login("/login", "alice", "wrong"),
        &executor,
        &target,
    )
    .await
    .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "identity mallory could not log in: POST /login answered 200 with the login form again (\"Invalid user or password\")"
    );
}

#[tokio::test]
async fn a_django_login_rotates_its_csrf_token_and_the_new_one_is_sent() {
    let target = serve(django_app()).await;
    let executor = executor(&target);
    let bob = log_in(
        "bob",
        &form_login("/accounts/login/", "bob", "bob-pw"),
        &executor,
        &target,
    )
    .await
    .expect("bob logs in");
    assert_eq!(bob.credential, session_cookie("sessionid", "bob-s"));
    let mut create = Request::new("POST", target.join("/api/notes/").expect("url"));
    bob.apply(&mut create);
    assert_eq!(
        executor
            .send(create)
            .await
            .response()
            .expect("answer")
            .status,
        201
    );
    // Reads carry no token.
    let mut read = Request::new("GET", target.join("/").expect("url"));
    bob.apply(&mut read);
    assert!(
        !read
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-csrftoken"))
    );

    let error = log_in(
        "bob",
        &form_login("/accounts/login/", "bob", "nope"),
        &executor,
        &target,
    )
    .await
    .expect_err("refused");
    assert!(
        error.to_string().ends_with(
            "with the login form again (\"Please enter a correct username and password.\")"
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_json_login_that_sets_a_session_cookie_needs_no_capture() {
    let target = serve(express_app()).await;
    let executor = executor(&target);
    let config = |password: &str| IdentityConfig::Login {
        request: Box::new(LoginRequest {
            method: None,
            path: "/api/login".into(),
            json: serde_json::json!({ "email": "carol@example.com", "password": password })
                .as_object()
                .cloned(),
            form: None,
            multipart: None,
            login_page: None,
            headers: BTreeMap::new(),
        }),
        capture: None,
        send_as: None,
        role: None,
    };
    let carol = log_in("carol", &config("carol-pw"), &executor, &target)
        .await
        .expect("carol logs in");
    assert_eq!(
        carol.credential,
        session_cookie("connect.sid", "s%3Acarol.sig")
    );
    let error = log_in("carol", &config("x"), &executor, &target)
        .await
        .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "identity carol could not log in: POST /api/login answered 401"
    );
}

/// What the sign-up app saw: requests in flight per visitor session and overall, the most of
/// each, and the posts whose token was not their session's.
#[derive(Default)]
struct InFlight {
    visitors: u32,
    per_session: BTreeMap<String, u32>,
    most_per_session: u32,
    now: u32,
    most: u32,
    mismatched: u32,
}

/// A sign-up form that hashes (a pause): each visit gets a session and a token of its own, a
/// sign-up takes the session's token and ends that session (`302` to the login page).
fn slow_signup_app(seen: std::sync::Arc<std::sync::Mutex<InFlight>>) -> Router {
    let visits = seen.clone();
    Router::new().route(
        "/register",
        get(move || {
            let visits = visits.clone();
            async move {
                let n = {
                    let mut seen = visits.lock().expect("lock");
                    seen.visitors += 1;
                    seen.visitors
                };
                html(
                    StatusCode::OK,
                    &[&format!("session=visitor{n}; HttpOnly; Path=/")],
                    LOGIN_FORM.replace("TOKEN", &format!("token{n}")),
                )
            }
        })
        .post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let session = cookie(&headers, "session").unwrap_or_default();
                {
                    let mut s = seen.lock().expect("lock");
                    if field(&body, "csrf_token").map(|t| t.replacen("token", "visitor", 1))
                        != Some(session.clone())
                    {
                        s.mismatched += 1;
                    }
                    s.now += 1;
                    s.most = s.most.max(s.now);
                    let count = s.per_session.entry(session.clone()).or_default();
                    *count += 1;
                    let count = *count;
                    s.most_per_session = s.most_per_session.max(count);
                }
                tokio::time::sleep(std::time::Duration::from_millis(60)).await;
                let mut s = seen.lock().expect("lock");
                s.now -= 1;
                if let Some(count) = s.per_session.get_mut(&session) {
                    *count -= 1;
                }
                redirect("/login", &["session=; Max-Age=0; Path=/"])
            }
        }),
    )
}

#[tokio::test]
async fn sign_ups_without_an_identity_go_several_at_once_each_on_a_visitor_of_its_own() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(InFlight::default()));
    let target = serve(slow_signup_app(seen.clone())).await;
    let executor = executor(&target);
    let page = target.join("register").expect("page");
    let visitor = identity::AnonymousSession::open(&executor, page.clone())
        .await
        .expect("the page carries a token");
    let signups = (0..9).map(|n| {
        let mut request = Request::new("POST", page.clone());
        request.body = Some(format!("username=u{n}&password=p").into_bytes().into());
        request.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        visitor.send(&executor, request)
    });
    let answers = futures_util::future::join_all(signups).await;
    assert!(answers.iter().all(|a| a.status() == Some(302)));
    let seen = seen.lock().expect("lock");
    // Never two at once on one session (the first sign-up accepted ends it), never a token
    // of another session, and more than one at a time overall.
    assert_eq!(seen.most_per_session, 1);
    assert_eq!(seen.mismatched, 0);
    assert!(seen.most >= 2, "at most {} at once", seen.most);
    assert!(seen.most <= 3, "{} at once", seen.most);
}
