//! Session-cookie logins, the way server-rendered apps (Flask-Login, Django, Rails/Devise,
//! express-session) log users in: the cookie jar a login fills, the CSRF token their pages
//! carry, and how a login answered — logged in, sent back to the login page, or refused.
//!
//! A login is judged by what it did, not by its status: `302 Location: /dashboard` with a new
//! session cookie is a success (how all those frameworks say "logged in"), `200` with the login
//! form again is a failure, as is a redirect back to the login page or an answer that sets no
//! session.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::http::Response;

/// The headers the common frameworks read a CSRF token from, besides the form field:
/// Flask-WTF (`X-CSRFToken`, `X-CSRF-Token`), Django (`X-CSRFToken`), Rails and csurf
/// (`X-CSRF-Token`), Angular-style double submit (`X-XSRF-TOKEN`).
pub const CSRF_HEADERS: &[&str] = &["X-CSRFToken", "X-CSRF-Token", "X-XSRF-TOKEN"];

/// Puts `token` in the CSRF headers of a state-changing request from the site itself. A
/// request from another site (a forged `Origin`) carries the cookies a browser would send but
/// never the token, which that site cannot read; reads carry none.
pub fn send_csrf_token(request: &mut crate::http::Request, token: &str) {
    let changes_state = !matches!(request.method.as_str(), "GET" | "HEAD" | "OPTIONS");
    let cross_site = request
        .header_value("origin")
        .is_some_and(|origin| origin != request.url.origin().ascii_serialization());
    if !changes_state || cross_site {
        return;
    }
    for header in CSRF_HEADERS {
        request
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(header));
        request
            .headers
            .push(((*header).to_string(), token.to_string()));
    }
}

/// Puts `token` in the form field `field` of a state-changing, url-encoded request from the site
/// itself that carries no token field yet — as the browser sends the hidden field of the form
/// (Flask-WTF's `FlaskForm` and others read the field only, never a header).
pub fn send_csrf_field(request: &mut crate::http::Request, field: &str, token: &str) {
    let changes_state = !matches!(request.method.as_str(), "GET" | "HEAD" | "OPTIONS");
    let cross_site = request
        .header_value("origin")
        .is_some_and(|origin| origin != request.url.origin().ascii_serialization());
    let form = request
        .header_value("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !changes_state || cross_site || !form || field.starts_with("csrf-") {
        return;
    }
    let body = request.body.clone().unwrap_or_default();
    if url::form_urlencoded::parse(&body).any(|(name, _)| is_csrf_name(&name)) {
        return;
    }
    request.body =
        Some(rewrite_form(&body, |_, value| Some(value.into()), Some((field, token))).into());
}

/// A url-encoded body with each field's value replaced by what `field` says (`None` drops the
/// field), then `extra` appended: how the token of a form is put in, taken out or replaced.
pub fn rewrite_form(
    body: &[u8],
    mut field: impl FnMut(&str, &str) -> Option<String>,
    extra: Option<(&str, &str)>,
) -> Vec<u8> {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(body) {
        if let Some(value) = field(&name, &value) {
            serializer.append_pair(&name, &value);
        }
    }
    if let Some((name, value)) = extra {
        serializer.append_pair(name, value);
    }
    serializer.finish().into_bytes()
}

/// Whether a form field or cookie name holds a CSRF token (`csrf_token`, `_csrf`,
/// `csrfmiddlewaretoken`, `authenticity_token`, Laravel's `_token`, ASP.NET's
/// `__RequestVerificationToken`, `XSRF-TOKEN`).
pub fn is_csrf_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("csrf")
        || lower.contains("xsrf")
        || lower == "authenticity_token"
        || lower == "_token"
        || lower == "__requestverificationtoken"
}

/// The cookies an identity holds, in the order they were set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// The cookies a request's `Cookie` header sent (`a=1; b=2`).
    pub fn from_header(header: &str) -> CookieJar {
        let cookies = header
            .split(';')
            .filter_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                let name = name.trim();
                (!name.is_empty()).then(|| (name.to_string(), value.trim().to_string()))
            })
            .collect();
        CookieJar { cookies }
    }

    /// Takes the `Set-Cookie` lines of an answer: new cookies are added, changed ones replaced,
    /// expired ones (`Max-Age=0`, an `Expires` in the past, an empty value) removed. Returns the
    /// names of the cookies that are new or hold a new value.
    pub fn absorb(&mut self, response: &Response) -> Vec<String> {
        let mut changed = Vec::new();
        for line in response.headers_named("set-cookie") {
            let Some((name, value, expired)) = parse_set_cookie(line) else {
                continue;
            };
            let existing = self.cookies.iter().position(|(n, _)| *n == name);
            if expired {
                if let Some(index) = existing {
                    self.cookies.remove(index);
                }
                continue;
            }
            match existing {
                Some(index) if self.cookies[index].1 == value => {}
                Some(index) => {
                    self.cookies[index].1 = value;
                    changed.push(name);
                }
                None => {
                    self.cookies.push((name.clone(), value));
                    changed.push(name);
                }
            }
        }
        changed
    }

    /// The value of cookie `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every cookie, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.cookies
    }

    /// The `Cookie` header value, when there is any cookie.
    pub fn header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// The value of a CSRF cookie (Django's `csrftoken`, `XSRF-TOKEN`), which double-submit
    /// frameworks expect back in a header.
    pub fn csrf_cookie(&self) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| is_csrf_name(n))
            .map(|(_, v)| v.as_str())
    }
}

/// A `Set-Cookie` line's name and value, and whether it deletes the cookie.
fn parse_set_cookie(line: &str) -> Option<(String, String, bool)> {
    let mut parts = line.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let name = name.trim().to_string();
    let value = value.trim().trim_matches('"').to_string();
    if name.is_empty() {
        return None;
    }
    let mut expired = value.is_empty();
    for attribute in parts {
        let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
        let key = key.trim().to_ascii_lowercase();
        let val = val.trim();
        if key == "max-age" && val.parse::<i64>().is_ok_and(|age| age <= 0) {
            expired = true;
        }
        // `Expires=Thu, 01 Jan 1970 00:00:00 GMT`: the way every framework deletes a cookie.
        if key == "expires" && (val.contains("1970") || val.contains(" 1969 ")) {
            expired = true;
        }
    }
    Some((name, value, expired))
}

/// The `SameSite` attribute of a `Set-Cookie` line (`Lax`, `Strict`, `None`), when it has one.
pub fn same_site(line: &str) -> Option<String> {
    line.split(';').skip(1).find_map(|attribute| {
        let (key, value) = attribute.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("samesite")
            .then(|| value.trim().to_string())
    })
}

/// Which of the cookies a login set is the session: the one named like a session
/// (`session`, `sessionid`, `connect.sid`, `_app_session`, `PHPSESSID`, `remember_token`
/// last), else the first set.
pub fn session_cookie(changed: &[String]) -> Option<&str> {
    let named = |needles: &[&str]| {
        changed.iter().find(|name| {
            let lower = name.to_ascii_lowercase();
            !is_csrf_name(name) && needles.iter().any(|n| lower.contains(n))
        })
    };
    named(&["session", "sess", "sid"])
        .or_else(|| named(&["auth", "token", "login", "user", "remember"]))
        .or_else(|| changed.iter().find(|name| !is_csrf_name(name)))
        .map(String::as_str)
}

static META_CSRF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)<meta\b[^>]*\bname\s*=\s*["']?(csrf[-_]token|_csrf|xsrf[-_]token)["']?[^>]*>"#,
    )
    .expect("regex")
});
static CONTENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?is)\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("regex"));

/// The CSRF token a page carries: a hidden form field named like one (its name and value), or
/// a `<meta name="csrf-token" content="…">` (Rails, Laravel; named after the meta tag).
pub fn csrf_token(page: &Url, html: &str) -> Option<(String, String)> {
    let (_, forms, _) = crate::discovery::html::read(page, html);
    let field = forms
        .iter()
        .flat_map(|form| form.hidden.iter())
        .find(|(name, value)| is_csrf_name(name) && !value.is_empty())
        .cloned();
    field.or_else(|| {
        let meta = META_CSRF.captures(html)?;
        let content = CONTENT.captures(meta.get(0)?.as_str())?;
        let value = content.get(1).or(content.get(2))?.as_str();
        (!value.is_empty()).then(|| (meta[1].to_string(), value.to_string()))
    })
}

/// How a login answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginVerdict {
    /// Logged in: the session cookie is the one named.
    LoggedIn(String),
    /// Not logged in, and why (phrased after "could not log in: POST /login …").
    Refused(String),
}

/// Judges a session login's answer: `login` is the URL the login was sent to, `page` the login
/// page (the same path for most apps), `changed` the cookies the answer set or changed, `held`
/// those the login sent (the login page's). An app that keeps the session the login page
/// started (express-session without `regenerate`, PHP without `session_regenerate_id`) sets no
/// cookie at all: when the answer is otherwise a success, the held session cookie is the
/// session (the session-fixation check, VG436, tells whether that is a flaw).
pub fn judge(
    login: &Url,
    page: &Url,
    response: &Response,
    changed: &[String],
    held: &[String],
) -> LoginVerdict {
    let session = || session_cookie(changed).or_else(|| session_cookie(held));
    let status = response.status;
    if status >= 400 {
        return LoginVerdict::Refused(format!("answered {status}"));
    }
    if (300..400).contains(&status) {
        let location = response.header("location").unwrap_or_default();
        let Ok(target) = login.join(location) else {
            return LoginVerdict::Refused(format!("answered {status} with no usable Location"));
        };
        if target.path() == login.path() || target.path() == page.path() {
            return LoginVerdict::Refused(format!(
                "answered {status} back to the login page ({})",
                target.path()
            ));
        }
        return match session() {
            Some(name) => LoginVerdict::LoggedIn(name.to_string()),
            None => LoginVerdict::Refused(format!(
                "answered {status} → {} without setting a session cookie",
                target.path()
            )),
        };
    }
    let body = response.text();
    if has_password_field(&body) {
        return LoginVerdict::Refused(format!(
            "answered {status} with the login form again{}",
            error_message(&body)
                .map(|m| format!(" (\"{m}\")"))
                .unwrap_or_default()
        ));
    }
    match session() {
        Some(name) => LoginVerdict::LoggedIn(name.to_string()),
        None => LoginVerdict::Refused(format!(
            "answered {status} without setting a session cookie"
        )),
    }
}

static PASSWORD_INPUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<input\b[^>]*\btype\s*=\s*["']?password\b"#).expect("regex")
});
static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)<(div|p|span|li|ul|small|section|strong)\b[^>]*\bclass\s*=\s*["']([^"']*\b(?:error|errors|alert|flash|flashes|invalid|danger|warning|errorlist|message|messages|notice|notification|help|feedback|success|info|fail)[^"']*)["'][^>]*>(.*?)</(?:div|p|span|li|ul|small|section|strong)>"#,
    )
    .expect("regex")
});
static TAGS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("regex"));

/// Whether a page holds a password input (a login or sign-up form).
pub fn has_password_field(html: &str) -> bool {
    PASSWORD_INPUT.is_match(html)
}

/// The messages a page shows — elements classed as errors, alerts, flashes, notices, help or
/// feedback — as (class, text), the text at most 120 characters.
pub fn messages(html: &str) -> Vec<(String, String)> {
    MESSAGE
        .captures_iter(html)
        .filter_map(|c| {
            let text = TAGS.replace_all(&c[3], " ");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (!text.is_empty()).then(|| (c[2].to_string(), text.chars().take(120).collect()))
        })
        .collect()
}

/// The first error a page shows (see [`crate::http::outcome::refusal_message`]).
pub fn error_message(html: &str) -> Option<String> {
    crate::http::outcome::refusal_message(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::outcome::tests::response;

    fn url(path: &str) -> Url {
        Url::parse("http://127.0.0.1:5000")
            .expect("url")
            .join(path)
            .expect("url")
    }

    #[test]
    fn a_visitors_token_goes_in_the_forms_field_unless_one_is_there_or_the_request_is_foreign() {
        let form = |method: &str, body: &str, origin: Option<&str>| {
            let mut request = crate::http::Request::new(method, url("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded");
            if let Some(origin) = origin {
                request = request.header("Origin", origin);
            }
            request.body = Some(body.as_bytes().to_vec().into());
            request
        };
        let body = |request: &crate::http::Request| {
            String::from_utf8(request.body.clone().unwrap_or_default().to_vec()).expect("text")
        };
        let mut plain = form("POST", "username=a&password=b", None);
        send_csrf_field(&mut plain, "csrf_token", "t1");
        assert_eq!(body(&plain), "username=a&password=b&csrf_token=t1");
        // A field already there (the configuration's, a check's) stays as it is.
        let mut carried = form("POST", "username=a&_csrf=mine", None);
        send_csrf_field(&mut carried, "csrf_token", "t1");
        assert_eq!(body(&carried), "username=a&_csrf=mine");
        // Another site's forged request, a read and a meta tag's name get nothing.
        let mut forged = form("POST", "x=1", Some("https://attacker.invalid"));
        send_csrf_field(&mut forged, "csrf_token", "t1");
        assert_eq!(body(&forged), "x=1");
        let mut read = form("GET", "x=1", None);
        send_csrf_field(&mut read, "csrf_token", "t1");
        assert_eq!(body(&read), "x=1");
        let mut meta = form("POST", "x=1", None);
        send_csrf_field(&mut meta, "csrf-token", "t1");
        assert_eq!(body(&meta), "x=1");
    }

    #[test]
    fn the_jar_adds_replaces_and_deletes_cookies() {
        let mut jar = CookieJar::default();
        let first = jar.absorb(&response(
            200,
            &[
                ("Set-Cookie", "session=abc; HttpOnly; Path=/"),
                ("Set-Cookie", "csrftoken=t1; Path=/; SameSite=Lax"),
            ],
            "",
        ));
        assert_eq!(first, ["session", "csrftoken"]);
        let second = jar.absorb(&response(
            302,
            &[
                ("Set-Cookie", "session=def; HttpOnly"),
                ("Set-Cookie", "csrftoken=t1"),
                (
                    "Set-Cookie",
                    "remember_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                ),
            ],
            "",
        ));
        assert_eq!(second, ["session"]);
        assert_eq!(jar.header().as_deref(), Some("session=def; csrftoken=t1"));
        assert_eq!(jar.csrf_cookie(), Some("t1"));
        jar.absorb(&response(200, &[("Set-Cookie", "session=; Max-Age=0")], ""));
        assert_eq!(jar.get("session"), None);
    }

    #[test]
    fn the_session_cookie_is_the_one_named_like_a_session() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            session_cookie(&names(&["csrftoken", "sessionid"])),
            Some("sessionid")
        );
        assert_eq!(
            session_cookie(&names(&["remember_token", "connect.sid"])),
            Some("connect.sid")
        );
        assert_eq!(
            session_cookie(&names(&["_blog_session"])),
            Some("_blog_session")
        );
        assert_eq!(session_cookie(&names(&["prefs"])), Some("prefs"));
        assert_eq!(session_cookie(&names(&["XSRF-TOKEN"])), None);
    }

    #[test]
    fn csrf_tokens_are_found_in_hidden_fields_and_meta_tags() {
        let page = url("/login");
        let flask = r#"<form method="post"><input id="csrf_token" name="csrf_token" type="hidden" value="IjQ5.ZmE-x_y"><input type="text" name="username"></form>"#;
        assert_eq!(
            csrf_token(&page, flask),
            Some(("csrf_token".into(), "IjQ5.ZmE-x_y".into()))
        );
        let django = r#"<form method="post"><input type='hidden' name='csrfmiddlewaretoken' value='aBc123'></form>"#;
        assert_eq!(
            csrf_token(&page, django),
            Some(("csrfmiddlewaretoken".into(), "aBc123".into()))
        );
        let rails = r#"<head><meta name="csrf-param" content="authenticity_token" /><meta name="csrf-token" content="k9+/Zw==" /></head>"#;
        assert_eq!(
            csrf_token(&page, rails),
            Some(("csrf-token".into(), "k9+/Zw==".into()))
        );
        // A hidden field that is not a token, and a page without any.
        let other = r#"<form><input type="hidden" name="next" value="/notes"></form>"#;
        assert_eq!(csrf_token(&page, other), None);
    }

    #[test]
    fn a_login_is_judged_by_what_it_did_not_by_its_status() {
        let login = url("/login");
        let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Flask-Login / Django / express-session: 302 away with a new session cookie.
        let away = response(302, &[("Location", "/dashboard")], "");
        assert_eq!(
            judge(&login, &login, &away, &set(&["session"]), &[]),
            LoginVerdict::LoggedIn("session".into())
        );
        // A JSON login that sets a cookie.
        let json = response(200, &[], r#"{"ok":true}"#);
        assert_eq!(
            judge(&login, &login, &json, &set(&["connect.sid"]), &[]),
            LoginVerdict::LoggedIn("connect.sid".into())
        );
        // Refusals: the form again with its message, back to the login page, no session, 401.
        let again = response(
            200,
            &[],
            r#"<div class="flash error">Invalid user or password</div><form method="post"><input type="password" name="password"></form>"#,
        );
        assert_eq!(
            judge(&login, &login, &again, &set(&["session"]), &[]),
            LoginVerdict::Refused(
                "answered 200 with the login form again (\"Invalid user or password\")".into()
            )
        );
        let back = response(
            302,
            &[("Location", "http://127.0.0.1:5000/login?next=%2F")],
            "",
        );
        assert!(matches!(
            judge(&login, &login, &back, &set(&["session"]), &[]),
            LoginVerdict::Refused(m) if m.contains("back to the login page")
        ));
        let nothing = response(302, &[("Location", "/")], "");
        assert!(matches!(
            judge(&login, &login, &nothing, &[], &[]),
            LoginVerdict::Refused(m) if m.contains("without setting a session cookie")
        ));
        assert_eq!(
            judge(
                &login,
                &login,
                &response(401, &[], ""),
                &set(&["session"]),
                &[]
            ),
            LoginVerdict::Refused("answered 401".into())
        );
        // express-session without `regenerate`: the login page's session is kept, no cookie
        // set — logged in all the same; refused when the answer says so, or when no cookie
        // held is a session.
        let held = set(&["connect.sid"]);
        assert_eq!(
            judge(&login, &login, &nothing, &[], &held),
            LoginVerdict::LoggedIn("connect.sid".into())
        );
        assert!(matches!(
            judge(&login, &login, &again, &[], &held),
            LoginVerdict::Refused(m) if m.contains("login form again")
        ));
        assert!(matches!(
            judge(&login, &login, &back, &[], &held),
            LoginVerdict::Refused(m) if m.contains("back to the login page")
        ));
        assert!(matches!(
            judge(&login, &login, &nothing, &[], &set(&["csrftoken"])),
            LoginVerdict::Refused(_)
        ));
    }
}
