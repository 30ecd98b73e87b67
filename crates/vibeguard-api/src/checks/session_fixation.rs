//! VG436 session-fixation: the login keeps the session the visitor had before logging in, so a
//! session id handed out to anyone who opens the login page becomes a logged-in session.
//!
//! With the first session-cookie identity: its login page is fetched without any cookie (a
//! visitor session, as an attacker gets one), the identity logs in on that page's session
//! ([`super::fresh_login`]), and a read that needs a login is sent with the visitor's cookies
//! alone. Proven when the login set no new value for the session cookie, the same read without
//! cookies is refused, and the visitor's session now reads it. Apps that start a new session at
//! login (`req.session.regenerate`, Django's `cycle_key`, Rails' `reset_session`, Flask's
//! signed cookie rewritten with the user in it) pass.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, Location, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{
    Check, Context, IdentityView, Probe, exchange_labelled, fresh_login, http_evidence, jwt,
};
use crate::http::{Exchange, Request};
use crate::identity::NO_COOKIES;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct SessionFixation;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG436"),
    name: Cow::Borrowed("session-fixation"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "The login keeps the session id the visitor had before it: a planted session id becomes a logged-in session",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[384]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "With the first identity that logs in through a session cookie: its login page is \
             fetched without cookies (the visitor session anyone gets), the identity logs in on \
             that session, and a read that needs a login is sent with the visitor's cookies \
             alone. A finding when the login set no new session cookie and the visitor's \
             session now reads what it was refused without a login. Logins that start a new \
             session pass; token logins and apps whose login page starts no session are not \
             subjects.",
        ),
        why: Cow::Borrowed(
            "An attacker opens the login page, keeps the session id it hands out, and plants it \
             in the victim's browser (a link on a sibling subdomain, a cookie-setting bug, a \
             shared computer). Once the victim logs in, the attacker's copy of the id is the \
             victim's session.",
        ),
        example_bad: Cow::Borrowed(
            "app.post('/login', (req, res) => { /* … */ req.session.userId = user.id; res.redirect('/'); });",
        ),
        example_fixed: Cow::Borrowed(
            "req.session.regenerate((err) => { req.session.userId = user.id; res.redirect('/'); });",
        ),
        fix: Cow::Borrowed(
            "Start a new session at login: `req.session.regenerate` (express-session), \
             `request.session.cycle_key()` (Django's `login()` does it), `reset_session` \
             (Rails), `session_regenerate_id(true)` (PHP), `session.clear()` before setting the \
             user (Flask).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://owasp.org/www-community/attacks/Session_fixation"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/384.html"),
        ]),
    },
};

const PAGE: &str = "login-page";
const LOGIN: &str = "login";
const WITHOUT: &str = "read without cookies";
const PLANTED: &str = "read with the visitor's session";

/// The first identity that logs in through a session cookie, with its login.
fn subject<'a>(context: &'a Context<'_>) -> Option<&'a IdentityView> {
    context
        .identities
        .iter()
        .find(|view| view.session.is_some() && view.login.is_some())
}

/// `read` with exactly `cookies` (none: the no-cookies mark).
fn with_cookies(read: &Request, cookies: Option<String>) -> Request {
    let mut request = read.clone();
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("cookie"));
    let (name, value) = match cookies {
        Some(cookies) => ("Cookie".to_string(), cookies),
        None => (NO_COOKIES.0.to_string(), NO_COOKIES.1.to_string()),
    };
    request.headers.push((name, value));
    request
}

/// Whether an answer lets the caller in: 2xx that is not a login form.
fn lets_in(exchange: Option<&Exchange>) -> bool {
    exchange
        .and_then(Exchange::response)
        .is_some_and(|r| r.is_success() && !crate::session::has_password_field(&r.text()))
}

/// The session cookie the visitor page set: its name and value.
fn visitor_session(page: &Exchange) -> Option<(String, String)> {
    let jar = fresh_login::page_cookies(page);
    let names: Vec<String> = jar.pairs().iter().map(|(n, _)| n.clone()).collect();
    let name = crate::session::session_cookie(&names)?.to_string();
    let value = jar.get(&name)?.to_string();
    Some((name, value))
}

/// The operation the login goes to, for the finding's location.
fn login_location(context: &Context<'_>, login: &Request) -> Location {
    let path = login
        .url
        .path()
        .strip_prefix(context.base.path().trim_end_matches('/'))
        .unwrap_or(login.url.path());
    context
        .spec
        .operations
        .iter()
        .find(|op| {
            op.method == login.method && crate::lifecycle::path_values(&op.path, path).is_some()
        })
        .map_or_else(
            || Location::operation(&login.method, login.url.path(), None),
            |op| Location::operation(&op.method, &op.path, None),
        )
}

impl Check for SessionFixation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        if subject(context).is_none() {
            return Some("no identity logs in with a session cookie");
        }
        jwt::target_operation(context)
            .is_none()
            .then_some("no read that needs a login tells a logged-in session from a visitor's")
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let (Some(view), Some((_, read))) = (subject(context), jwt::target_operation(context))
        else {
            return Vec::new();
        };
        let Some(page) = fresh_login::page_probe(view, PAGE) else {
            return Vec::new();
        };
        vec![
            page,
            Probe {
                label: WITHOUT.into(),
                identity: None,
                request: with_cookies(&read, None),
            },
        ]
    }

    fn follow_up(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let (Some(view), Some((_, read))) = (subject(context), jwt::target_operation(context))
        else {
            return Vec::new();
        };
        let Some(page) = exchange_labelled(results, PAGE) else {
            return Vec::new();
        };
        // Nothing to fix when the page starts no session, nor to prove when a visitor reads
        // the same as a logged-in user.
        if visitor_session(page).is_none() || lets_in(exchange_labelled(results, WITHOUT)) {
            return Vec::new();
        }
        if exchange_labelled(results, LOGIN).is_none() {
            return fresh_login::login_request(view, results, PAGE)
                .map(|request| Probe {
                    label: LOGIN.into(),
                    identity: None,
                    request,
                })
                .into_iter()
                .collect();
        }
        if exchange_labelled(results, PLANTED).is_none() {
            let cookies = fresh_login::page_cookies(page).header();
            return vec![Probe {
                label: PLANTED.into(),
                identity: None,
                request: with_cookies(&read, cookies),
            }];
        }
        Vec::new()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        if !operation.is_whole_target() {
            return Vec::new();
        }
        let (Some(view), Some(page), Some(login), Some(planted)) = (
            subject(context),
            exchange_labelled(results, PAGE),
            exchange_labelled(results, LOGIN),
            exchange_labelled(results, PLANTED),
        ) else {
            return Vec::new();
        };
        let Some((name, value)) = visitor_session(page) else {
            return Vec::new();
        };
        // A login that set the session cookie anew started a new session.
        let renewed = login.response().is_some_and(|r| {
            r.headers_named("set-cookie")
                .filter_map(|line| crate::identity::cookie_value(line, &name))
                .any(|new| new != value)
        });
        if renewed || lets_in(exchange_labelled(results, WITHOUT)) || !lets_in(Some(planted)) {
            return Vec::new();
        }
        let location = login_location(context, &login.request);
        vec![
            Finding::new(
                &META,
                location,
                format!(
                    "the login keeps the visitor's session: the `{name}` cookie the login page hands out to anyone is, once {} logs in on it, a logged-in session — {} {} answered it as {} after refusing it without a login",
                    view.name,
                    planted.request.method,
                    planted.request.url.path(),
                    view.name,
                ),
                view.name.clone(),
            )
            .with_evidence(http_evidence(page))
            .with_evidence(http_evidence(login))
            .with_evidence(http_evidence(planted)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, operation};
    use crate::identity::{Credential, SessionState};

    /// A site with a form login and `/api/me`, seen as mara (a session identity).
    fn fixture() -> Fixture {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![
            operation("POST", "/login", false),
            operation("GET", "/api/me", true),
        ];
        let mut mara = crate::checks::testing::identity("mara", "1");
        mara.credential = Credential::Cookie {
            name: "connect.sid".into(),
            value: "s:mara".into(),
        };
        let url = fixture.base.join("/login").expect("url");
        let mut login = Request::new("POST", url.clone());
        login.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        login.body = Some(b"username=mara&password=pw&_csrf=t0".to_vec().into());
        mara.login = Some(login);
        mara.session = Some(SessionState {
            login_page: Some(url),
            ..SessionState::default()
        });
        fixture.identities = vec![mara];
        fixture
    }

    fn with_headers(mut exchange: Exchange, headers: &[(&str, &str)]) -> Exchange {
        if let Ok(response) = &mut exchange.outcome {
            for (name, value) in headers {
                response.headers.push(((*name).into(), (*value).into()));
            }
        }
        exchange
    }

    /// Runs the check's rounds against an app that answers the login with `login_cookie` (a
    /// new session cookie, or none) and the planted read with `planted_status`.
    fn run(login_cookie: Option<&str>, planted_status: u16) -> Vec<Finding> {
        let fixture = fixture();
        let context = fixture.context();
        let whole = Operation::whole_target();
        let check = SessionFixation;
        let mut results: Vec<(Probe, Exchange)> = Vec::new();
        for probe in check.plan_target(&context) {
            let exchange = match probe.label.as_str() {
                PAGE => with_headers(
                    answer(
                        &probe,
                        200,
                        r#"<form method="post"><input type="hidden" name="_csrf" value="t1"><input type="password" name="password"></form>"#,
                    ),
                    &[("Set-Cookie", "connect.sid=s:visitor; Path=/; HttpOnly")],
                ),
                _ => answer(&probe, 302, ""),
            };
            results.push((probe, exchange));
        }
        for _ in 0..3 {
            let next = check.follow_up(&whole, &results, &context);
            for probe in next {
                let exchange = match probe.label.as_str() {
                    LOGIN => {
                        let headers: Vec<(&str, &str)> = match login_cookie {
                            Some(line) => vec![("Location", "/"), ("Set-Cookie", line)],
                            None => vec![("Location", "/")],
                        };
                        with_headers(answer(&probe, 302, ""), &headers)
                    }
                    _ => answer(&probe, planted_status, r#"{"id":1,"username":"mara"}"#),
                };
                results.push((probe, exchange));
            }
        }
        check.evaluate(&whole, &results, &context)
    }

    #[test]
    fn a_login_that_keeps_the_visitors_session_is_found() {
        let findings = run(None, 200);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].location.to_string(), "POST /login");
        assert!(findings[0].message.contains("connect.sid"));
    }

    #[test]
    fn a_login_that_starts_a_new_session_is_not() {
        assert!(run(Some("connect.sid=s:new; Path=/; HttpOnly"), 200).is_empty());
        // A visitor session the login did not log in (still refused) is not either.
        assert!(run(None, 302).is_empty());
    }

    #[test]
    fn the_login_is_sent_on_the_fresh_pages_session_not_the_identitys() {
        let fixture = fixture();
        let context = fixture.context();
        let check = SessionFixation;
        let planned = check.plan_target(&context);
        assert_eq!(planned[0].request.header_value("cookie"), Some(""));
        let page = with_headers(
            answer(
                &planned[0],
                200,
                r#"<form method="post"><input type="hidden" name="_csrf" value="t1"></form>"#,
            ),
            &[("Set-Cookie", "connect.sid=s:visitor; Path=/")],
        );
        let refused = answer(&planned[1], 401, "");
        let results = vec![(planned[0].clone(), page), (planned[1].clone(), refused)];
        let next = check.follow_up(&Operation::whole_target(), &results, &context);
        assert_eq!(next.len(), 1);
        assert_eq!(
            next[0].request.header_value("cookie"),
            Some("connect.sid=s:visitor")
        );
        let body =
            String::from_utf8(next[0].request.body.clone().expect("body").to_vec()).expect("text");
        assert!(body.ends_with("_csrf=t1"), "{body}");
    }

    #[test]
    fn token_identities_are_not_subjects() {
        let mut fixture = fixture();
        fixture.identities[0].session = None;
        assert!(SessionFixation.not_applicable(&fixture.context()).is_some());
    }
}
