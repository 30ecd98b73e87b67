//! A fresh login of an identity, as a browser makes one. For a session login: its login page
//! fetched without any cookie (a visitor session and CSRF token of its own), then the
//! identity's login sent with that page's cookies and token in place of those it was first
//! sent with. For a token login: the login as it was sent.
//!
//! Checks that log in again (VG421's `next` replay, VG423's logout, VG436's session fixation)
//! start here. Replaying a session login as it was first sent would carry the cookie of the
//! page the identity logged in from — which, on an app that keeps the login page's session
//! (express-session without `regenerate`), is the identity's own session: logging that out
//! would end the session the run uses, and a second login on it proves nothing.

use super::{IdentityView, Probe, exchange_labelled};
use crate::http::{Exchange, Request};
use crate::identity::NO_COOKIES;
use crate::session::{self, CookieJar};

/// The probe that fetches the identity's login page afresh (labelled `label`), for a session
/// login; `None` for a token login, which needs no page.
pub fn page_probe(view: &IdentityView, label: &str) -> Option<Probe> {
    let state = view.session.as_ref()?;
    let login = view.login.as_ref()?;
    let page = state
        .login_page
        .clone()
        .unwrap_or_else(|| login.url.clone());
    Some(Probe {
        label: label.to_string(),
        identity: None,
        request: Request::new("GET", page).header(NO_COOKIES.0, NO_COOKIES.1),
    })
}

/// The identity's login to send afresh: for a session login, with the cookies and the CSRF
/// token of the page fetched by the probe labelled `page_label` (`None` until it answered);
/// for a token login, as it was sent.
pub fn login_request(
    view: &IdentityView,
    results: &[(Probe, Exchange)],
    page_label: &str,
) -> Option<Request> {
    let login = view.login.clone()?;
    if view.session.is_none() {
        return Some(login);
    }
    let page = exchange_labelled(results, page_label)?;
    Some(with_page_session(login, page))
}

/// The cookies the page set, as a jar.
pub fn page_cookies(page: &Exchange) -> CookieJar {
    let mut jar = CookieJar::default();
    if let Some(response) = page.response() {
        jar.absorb(response);
    }
    jar
}

/// `login` with the cookies and CSRF token of `page` in place of its own.
fn with_page_session(mut login: Request, page: &Exchange) -> Request {
    let jar = page_cookies(page);
    let field = page
        .response()
        .and_then(|r| session::csrf_token(&page.request.url, &r.text()));
    let token = field
        .as_ref()
        .map(|(_, value)| value.clone())
        .or_else(|| jar.csrf_cookie().map(str::to_string));
    login
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("cookie"));
    match jar.header() {
        Some(cookies) => login.headers.push(("Cookie".into(), cookies)),
        None => login
            .headers
            .push((NO_COOKIES.0.into(), NO_COOKIES.1.into())),
    }
    let Some(token) = token else {
        return login;
    };
    for (name, value) in &mut login.headers {
        if session::CSRF_HEADERS
            .iter()
            .any(|header| name.eq_ignore_ascii_case(header))
        {
            value.clone_from(&token);
        }
    }
    let form = login
        .header_value("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form && let Some(body) = &login.body {
        let carried =
            url::form_urlencoded::parse(body).any(|(name, _)| session::is_csrf_name(&name));
        // The page's hidden field goes back as the form would send it (a meta tag's name,
        // `csrf-token`, is no field).
        let hidden = field
            .as_ref()
            .filter(|(name, _)| !carried && !name.starts_with("csrf-"))
            .map(|(name, _)| (name.as_str(), token.as_str()));
        let body = session::rewrite_form(
            body,
            |name, value| {
                Some(
                    if session::is_csrf_name(name) {
                        &token
                    } else {
                        value
                    }
                    .to_string(),
                )
            },
            hidden,
        );
        login.body = Some(body.into());
    }
    login
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{answer, identity};
    use crate::identity::{Credential, SessionState};

    fn session_identity() -> IdentityView {
        let mut view = identity("mara", "1");
        view.credential = Credential::Cookie {
            name: "connect.sid".into(),
            value: "s:mara".into(),
        };
        let url = url::Url::parse("http://127.0.0.1:5100/login").expect("url");
        let mut login = Request::new("POST", url.clone());
        login.headers = vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("X-CSRF-Token".into(), "old-token".into()),
            ("Cookie".into(), "connect.sid=s:mara".into()),
        ];
        login.body = Some(b"username=mara&password=pw&_csrf=old-token".to_vec().into());
        view.login = Some(login);
        view.session = Some(SessionState {
            login_page: Some(url),
            ..SessionState::default()
        });
        view
    }

    #[test]
    fn a_session_login_is_sent_again_with_the_fresh_pages_cookie_and_token() {
        let view = session_identity();
        let page = page_probe(&view, "page").expect("a page probe");
        assert_eq!(page.request.method, "GET");
        assert_eq!(page.request.header_value("cookie"), Some(""));
        let mut exchange = answer(
            &page,
            200,
            r#"<form method="post"><input type="hidden" name="_csrf" value="new-token"></form>"#,
        );
        if let Ok(response) = &mut exchange.outcome {
            response
                .headers
                .push(("Set-Cookie".into(), "connect.sid=s:fresh; Path=/".into()));
        }
        let results = vec![(page, exchange)];
        let login = login_request(&view, &results, "page").expect("a login");
        assert_eq!(login.header_value("cookie"), Some("connect.sid=s:fresh"));
        assert_eq!(login.header_value("x-csrf-token"), Some("new-token"));
        let body = String::from_utf8(login.body.expect("a body").to_vec()).expect("text");
        assert_eq!(body, "username=mara&password=pw&_csrf=new-token");
        // Before the page answered, nothing is sent.
        assert!(login_request(&view, &[], "page").is_none());
        // A login kept without the token field (as identities keep theirs) gets the page's.
        let mut bare = view.clone();
        if let Some(login) = bare.login.as_mut() {
            login.body = Some(b"username=mara&password=pw".to_vec().into());
        }
        let login = login_request(&bare, &results, "page").expect("a login");
        let body = String::from_utf8(login.body.expect("a body").to_vec()).expect("text");
        assert_eq!(body, "username=mara&password=pw&_csrf=new-token");
    }

    #[test]
    fn a_token_login_is_sent_as_it_was() {
        let mut view = session_identity();
        view.session = None;
        assert!(page_probe(&view, "page").is_none());
        assert_eq!(login_request(&view, &[], "page"), view.login);
    }
}
