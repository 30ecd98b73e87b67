//! The users the tests act as: how they are configured (`[identities.NAME]`), how they get
//! their credentials (static values, basic auth, or a login request), and how a request is
//! made on their behalf.
//!
//! Every identity is proven before testing: a login must succeed and yield its token, a static
//! credential must be accepted by a secured operation. A failure stops the run with a message
//! naming the identity and the answer ("identity bob could not log in: POST /api/login answered
//! 401") — never a silent run that finds nothing because nobody was logged in.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::http::{Executor, Request};

/// `[identities.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum IdentityConfig {
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The token (may be `${ENV_VAR}`).
        token: String,
        /// A role label, e.g. `admin`.
        role: Option<String>,
    },
    /// A fixed header.
    Header {
        /// Header name.
        name: String,
        /// Header value (may be `${ENV_VAR}`).
        value: String,
        /// A role label.
        role: Option<String>,
    },
    /// A fixed cookie.
    Cookie {
        /// Cookie name.
        name: String,
        /// Cookie value (may be `${ENV_VAR}`).
        value: String,
        /// A role label.
        role: Option<String>,
    },
    /// HTTP basic authentication.
    Basic {
        /// User name (may be `${ENV_VAR}`).
        username: String,
        /// Password (may be `${ENV_VAR}`).
        password: String,
        /// A role label.
        role: Option<String>,
    },
    /// A login request whose answer carries the credential: a token (with `capture`), or — the
    /// default without `capture` — the session cookies it sets, the way form logins work.
    Login {
        /// The request to send (boxed: it is much larger than the other variants).
        request: Box<LoginRequest>,
        /// Where the credential is in the answer; without it, the session cookies are.
        #[serde(default)]
        capture: Option<Capture>,
        /// How to send it afterwards (default: `Authorization: Bearer`).
        send_as: Option<SendAs>,
        /// A role label.
        role: Option<String>,
    },
}

/// The login request of a `login` identity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// HTTP method (default POST).
    pub method: Option<String>,
    /// Path on the target, e.g. `/api/login`.
    pub path: String,
    /// JSON body; string values may be `${ENV_VAR}`.
    pub json: Option<toml_like::Table>,
    /// Form body (`application/x-www-form-urlencoded`); values may be `${ENV_VAR}`.
    pub form: Option<BTreeMap<String, String>>,
    /// Multipart form body (`multipart/form-data`); values may be `${ENV_VAR}`.
    pub multipart: Option<BTreeMap<String, String>>,
    /// The page holding the login form, fetched first for its CSRF token and cookies (default:
    /// the login path itself, for form and session logins).
    pub login_page: Option<String>,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// A JSON body written in the configuration (any TOML table maps onto JSON).
pub mod toml_like {
    /// A table of JSON values.
    pub type Table = serde_json::Map<String, serde_json::Value>;
}

/// Where a login answer carries the credential: exactly one of the three.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// A JSON pointer into the body, e.g. `/token`.
    pub json_pointer: Option<String>,
    /// A response header.
    pub header: Option<String>,
    /// A cookie set by the response.
    pub cookie: Option<String>,
}

/// How a captured credential is sent: a header (with an optional prefix) or a cookie.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendAs {
    /// Header name.
    pub header: Option<String>,
    /// Prefix before the value, e.g. `Bearer `.
    pub prefix: Option<String>,
    /// Cookie name.
    pub cookie: Option<String>,
}

impl IdentityConfig {
    /// A login that POSTs `body` as JSON to `path` and takes the token at `json_pointer` of
    /// the answer, sent back as `Authorization: Bearer` — the most common shape of API login.
    pub fn json_login(path: &str, body: Value, json_pointer: &str) -> Self {
        IdentityConfig::Login {
            request: Box::new(LoginRequest {
                method: None,
                path: path.to_string(),
                json: body.as_object().cloned(),
                form: None,
                multipart: None,
                login_page: None,
                headers: BTreeMap::new(),
            }),
            capture: Some(Capture {
                json_pointer: Some(json_pointer.to_string()),
                header: None,
                cookie: None,
            }),
            send_as: None,
            role: None,
        }
    }

    /// The role label.
    pub fn role(&self) -> Option<&str> {
        match self {
            IdentityConfig::Bearer { role, .. }
            | IdentityConfig::Header { role, .. }
            | IdentityConfig::Cookie { role, .. }
            | IdentityConfig::Basic { role, .. }
            | IdentityConfig::Login { role, .. } => role.as_deref(),
        }
    }

    /// Every configured credential string (before interpolation), for the redactor: tokens,
    /// header and cookie values, passwords, and the login body's values — but the ones that
    /// name the account (`username`, `email`, `login`, …), which reports must keep readable.
    pub fn credential_strings(&self) -> Vec<String> {
        self.login_strings(false)
    }

    /// Every configured string, the account names included (for validation).
    fn all_strings(&self) -> Vec<String> {
        self.login_strings(true)
    }

    fn login_strings(&self, with_names: bool) -> Vec<String> {
        match self {
            IdentityConfig::Bearer { token, .. } => vec![token.clone()],
            IdentityConfig::Header { value, .. } | IdentityConfig::Cookie { value, .. } => {
                vec![value.clone()]
            }
            IdentityConfig::Basic {
                username, password, ..
            } => {
                let mut values = vec![password.clone()];
                if with_names {
                    values.push(username.clone());
                }
                values
            }
            IdentityConfig::Login { request, .. } => {
                let mut values: Vec<String> = request
                    .form
                    .iter()
                    .chain(request.multipart.iter())
                    .flatten()
                    .filter(|(key, _)| with_names || !names_the_account(key))
                    .map(|(_, value)| value.clone())
                    .collect();
                values.extend(request.headers.values().cloned());
                if let Some(json) = &request.json {
                    collect_strings(&Value::Object(json.clone()), with_names, &mut values);
                }
                values
            }
        }
    }

    /// Checks the configuration: `${VAR}` syntax, one capture, one way to send. Errors carry the
    /// offending value (to locate it in the file) and a message.
    pub fn validate(&self, name: &str) -> Result<(), (Option<String>, String)> {
        let check = |value: &String| {
            interpolate(value, &|_| Some(String::new()))
                .map(drop)
                .map_err(|message| (Some(value.clone()), format!("identities.{name}: {message}")))
        };
        match self {
            IdentityConfig::Bearer { token, .. } => check(token),
            IdentityConfig::Header { value, .. } | IdentityConfig::Cookie { value, .. } => {
                check(value)
            }
            IdentityConfig::Basic {
                username, password, ..
            } => check(username).and_then(|()| check(password)),
            IdentityConfig::Login {
                request,
                capture,
                send_as,
                ..
            } => {
                if !request.path.starts_with('/') {
                    return Err((
                        Some(request.path.clone()),
                        format!(
                            "identities.{name}.request.path must start with `/` (a path on the target)"
                        ),
                    ));
                }
                let bodies = [
                    request.json.is_some(),
                    request.form.is_some(),
                    request.multipart.is_some(),
                ];
                if bodies.iter().filter(|set| **set).count() > 1 {
                    return Err((
                        None,
                        format!(
                            "identities.{name}.request has more than one of `json`, `form`, `multipart`; give one"
                        ),
                    ));
                }
                if let Some(page) = &request.login_page
                    && !page.starts_with('/')
                {
                    return Err((
                        Some(page.clone()),
                        format!(
                            "identities.{name}.request.login_page must start with `/` (a path on the target)"
                        ),
                    ));
                }
                let Some(capture) = capture else {
                    if send_as.is_some() {
                        return Err((
                            None,
                            format!(
                                "identities.{name}.send_as needs a `capture`: without one, the session cookies the login sets are sent as they were set"
                            ),
                        ));
                    }
                    for value in self.all_strings() {
                        check(&value)?;
                    }
                    return Ok(());
                };
                for value in self.all_strings() {
                    check(&value)?;
                }
                let captures = [
                    capture.json_pointer.is_some(),
                    capture.header.is_some(),
                    capture.cookie.is_some(),
                ];
                if captures.iter().filter(|set| **set).count() != 1 {
                    return Err((
                        None,
                        format!(
                            "identities.{name}.capture needs exactly one of `json_pointer`, `header`, `cookie`"
                        ),
                    ));
                }
                if let Some(pointer) = &capture.json_pointer
                    && !(pointer.is_empty() || pointer.starts_with('/'))
                {
                    return Err((
                        Some(pointer.clone()),
                        format!(
                            "identities.{name}.capture.json_pointer must start with `/` (e.g. `/token`)"
                        ),
                    ));
                }
                if let Some(send_as) = send_as
                    && send_as.header.is_some() == send_as.cookie.is_some()
                {
                    return Err((
                        None,
                        format!(
                            "identities.{name}.send_as needs exactly one of `header`, `cookie`"
                        ),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// The string values of a login body, but (unless `with_names`) those under keys that name
/// the account.
fn collect_strings(value: &Value, with_names: bool, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_strings(item, with_names, out)),
        Value::Object(map) => map
            .iter()
            .filter(|(key, _)| with_names || !names_the_account(key))
            .for_each(|(_, item)| collect_strings(item, with_names, out)),
        _ => {}
    }
}

/// Login fields that name the account or shape the request rather than prove who is calling:
/// their values stay readable in reports (a username, an e-mail, `grant_type=password`).
fn names_the_account(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace(['-', '_'], "");
    matches!(
        key.as_str(),
        "username"
            | "user"
            | "login"
            | "email"
            | "mail"
            | "emailaddress"
            | "name"
            | "handle"
            | "account"
            | "phone"
            | "granttype"
            | "scope"
            | "clientid"
            | "tenant"
            | "remember"
            | "rememberme"
    )
}

/// Replaces `${NAME}` with the value `lookup` gives; `$$` is a literal `$`. An unknown
/// variable, or an unterminated `${`, is an error naming it.
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(after_dollar) = after.strip_prefix('$') {
            out.push('$');
            rest = after_dollar;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("`${{` without a closing `}}` in `{text}`"))?;
            let name = &body[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`${{{name}}}` is not an environment variable name"));
            }
            let value =
                lookup(name).ok_or_else(|| format!("environment variable `{name}` is not set"))?;
            out.push_str(&value);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn interpolate_json(
    value: &Value,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => Value::String(interpolate(text, lookup)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| interpolate_json(i, lookup))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), interpolate_json(v, lookup)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// How a request carries an identity's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A header (`Authorization: Bearer …`, `X-Api-Key: …`).
    Header {
        /// Header name.
        name: String,
        /// Full header value.
        value: String,
    },
    /// A cookie.
    Cookie {
        /// Cookie name.
        name: String,
        /// Cookie value.
        value: String,
    },
}

impl Credential {
    /// The same credential carrying `token` where it carries `own` (the identity's raw token):
    /// a forged or tampered token sent the way the identity sends its own.
    pub fn with_token(&self, own: &str, token: &str) -> Credential {
        match self {
            Credential::Header { name, value } => Credential::Header {
                name: name.clone(),
                value: value.replace(own, token),
            },
            Credential::Cookie { name, value } => Credential::Cookie {
                name: name.clone(),
                value: value.replace(own, token),
            },
        }
    }
}

/// An identity ready to act.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Its name in the configuration.
    pub name: String,
    /// Its role label.
    pub role: Option<String>,
    /// How its requests carry the credential.
    pub credential: Credential,
    /// The raw token (without prefix), for tampering tests and redaction.
    pub token: String,
    /// Its user id, when the login answer or the token tells it.
    pub user_id: Option<String>,
    /// Its username and e-mail, when its login, the login answer or the token tells them: what
    /// fills the paths that name an account (`/users/{username}`).
    pub account: Account,
    /// The login request it was established with (credentials resolved), for login identities.
    pub login: Option<Request>,
    /// For a session login: the other cookies it holds and its CSRF token.
    pub session: Option<SessionState>,
    config: IdentityConfig,
}

/// What a visitor who is not logged in holds on a site whose forms carry CSRF tokens: the
/// cookies and the token of the login page. Requests sent without an identity carry them, as a
/// browser would: a form's refusal for a missing token would otherwise hide everything else
/// (a login without limits, an injectable sign-up field) behind a `400`.
///
/// Sign-ups and logins get a visitor session of their own ([`AnonymousSession::prepare`]): an
/// app that keeps the visitor's session when it logs someone in (express-session without
/// `regenerate`) would otherwise turn the shared visitor into a logged-in user, and every
/// later "without credentials" probe would be sent logged in.
#[derive(Debug)]
pub struct AnonymousSession {
    page: Url,
    /// The shared visitor: its cookies and token.
    visitor: Visitor,
    /// The visitors sign-ups and logins go as, each one request at a time (replaced once the
    /// app took one): a few, so that the app hashes as many passwords at once as it can.
    entries: Vec<tokio::sync::Mutex<Visitor>>,
    /// Where the next sign-up or login waits when every entry visitor is busy.
    next_entry: std::sync::atomic::AtomicUsize,
    /// The cookies and tokens of every visitor session opened, masked in every output.
    opened: std::sync::Mutex<Vec<String>>,
}

/// Visitor sessions sign-ups and logins without an identity are spread over.
const ENTRY_VISITORS: usize = 3;

/// One visitor session: the cookies and the CSRF token its page gave.
#[derive(Debug, Clone, Default)]
struct Visitor {
    cookies: Vec<(String, String)>,
    csrf: Option<String>,
    /// The hidden form field the token came in, when it came in one.
    csrf_field: Option<String>,
    /// Whether the app took it: a sign-up or login it accepted, which may have logged it in
    /// or ended it.
    stale: bool,
}

impl Visitor {
    fn secrets(&self) -> Vec<String> {
        self.cookies
            .iter()
            .map(|(_, v)| v.clone())
            .chain(self.csrf.clone())
            .collect()
    }

    /// Adds the cookies and, to a state-changing request from the site itself, the token.
    fn apply(&self, request: &mut Request) {
        for (name, value) in &self.cookies {
            add_cookie(request, name, value);
        }
        if let Some(token) = &self.csrf {
            crate::session::send_csrf_token(request, token);
            if let Some(field) = &self.csrf_field {
                crate::session::send_csrf_field(request, field, token);
            }
        }
    }
}

/// The header value that asks for a request to be sent without any cookie, not even the
/// visitor's: `Cookie` with an empty value, removed before sending. What a check sends to start
/// a session of its own (a login page fetched afresh) carries it.
pub const NO_COOKIES: (&str, &str) = ("Cookie", "");

/// Takes the [`NO_COOKIES`] mark off a request; whether it had it.
pub fn take_no_cookies_mark(request: &mut Request) -> bool {
    let before = request.headers.len();
    request
        .headers
        .retain(|(name, value)| !(name.eq_ignore_ascii_case("cookie") && value.is_empty()));
    request.headers.len() != before
}

impl AnonymousSession {
    /// Opens one: reads `page` (a login page) for its cookies and CSRF token. `None` when the
    /// page carries no token.
    pub async fn open(executor: &Executor, page: Url) -> Option<AnonymousSession> {
        let visitor = Self::visit(executor, &page).await?;
        Some(AnonymousSession {
            opened: std::sync::Mutex::new(visitor.secrets()),
            page,
            visitor,
            entries: (0..ENTRY_VISITORS)
                .map(|_| tokio::sync::Mutex::new(Visitor::default()))
                .collect(),
            next_entry: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// A visitor session of `page`, when it answers with a token. A page that is rate
    /// limited (`429`) is asked again once, after the `Retry-After` it names (at most 3 s).
    async fn visit(executor: &Executor, page: &Url) -> Option<Visitor> {
        let mut exchange = executor.send(Request::new("GET", page.clone())).await;
        if exchange.status() == Some(429) {
            let wait = exchange
                .response()
                .and_then(|r| r.header("retry-after"))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(1.0)
                .clamp(0.1, 3.0);
            tokio::time::sleep(std::time::Duration::from_secs_f64(wait)).await;
            exchange = executor.send(Request::new("GET", page.clone())).await;
        }
        let response = exchange.response().filter(|r| r.status < 400)?;
        let mut jar = crate::session::CookieJar::default();
        jar.absorb(response);
        let field = crate::session::csrf_token(page, &response.text());
        let csrf = field
            .as_ref()
            .map(|(_, value)| value.clone())
            .or_else(|| jar.csrf_cookie().map(str::to_string))?;
        Some(Visitor {
            cookies: jar.pairs().to_vec(),
            csrf: Some(csrf),
            csrf_field: field.map(|(name, _)| name),
            stale: false,
        })
    }

    fn remember(&self, visitor: &Visitor) {
        if let Ok(mut opened) = self.opened.lock() {
            opened.extend(visitor.secrets());
        }
    }

    /// Sends a request that has no identity, as a visitor would. A request that carries
    /// cookies already (a replayed login, a forged session) goes as it is; one from another
    /// site (a forged `Origin`) gets no token. Sign-ups and logins go one at a time on a
    /// visitor session of their own, kept apart from the one every other request shares, and
    /// replaced once the app took one of them (that visitor may now be logged in, or its
    /// session ended): so the shared visitor is never logged in by a probe, and failing
    /// attempts (a burst of wrong passwords) cost no page fetch each.
    pub async fn send(&self, executor: &Executor, mut request: Request) -> crate::http::Exchange {
        if request.header_value("cookie").is_some() {
            return executor.send(request).await;
        }
        let enters = matches!(
            crate::auth_flows::flow_of(&request.method, request.url.path()),
            Some(crate::auth_flows::Flow::Login | crate::auth_flows::Flow::Registration)
        );
        if !enters {
            self.visitor.apply(&mut request);
            return executor.send(request).await;
        }
        // One sign-up or login at a time on each entry visitor: one the app accepts may end or
        // log in that visitor, and a request in flight on it meanwhile would be answered for a
        // reason of its own (a form expired, a page for someone logged in) — a difference the
        // differential checks would take for the input's. A free visitor first, else the
        // next one in turn.
        let free = self.entries.iter().find_map(|entry| entry.try_lock().ok());
        let mut entry = match free {
            Some(entry) => entry,
            None => {
                let turn = self
                    .next_entry
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.entries[turn % self.entries.len()].lock().await
            }
        };
        if (entry.stale || entry.cookies.is_empty())
            && let Some(fresh) = Box::pin(Self::visit(executor, &self.page)).await
        {
            self.remember(&fresh);
            *entry = fresh;
        }
        entry.apply(&mut request);
        let exchange = executor.send(request).await;
        if crate::http::outcome::accepted(&exchange) {
            entry.stale = true;
        }
        exchange
    }

    /// Values to mask in every output.
    pub fn secrets(&self) -> Vec<String> {
        self.opened.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

/// What a session login holds besides its session cookie.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionState {
    /// The other cookies set on the way (a CSRF cookie, a remember-me cookie).
    pub other_cookies: Vec<(String, String)>,
    /// The CSRF token its pages carry, sent back on state-changing requests in the headers
    /// the frameworks read (`session::CSRF_HEADERS`).
    pub csrf: Option<String>,
    /// The `SameSite` attribute the session cookie was set with (`Lax`, `Strict`, `None`),
    /// when it was set with one: what decides whether a browser sends it cross-site.
    pub same_site: Option<String>,
    /// The page the login form is on (its CSRF token and first cookies come from there): where
    /// a check that logs in afresh starts, as a browser would.
    pub login_page: Option<Url>,
}

/// The names an identity's account goes by, besides its id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Its username (or login handle).
    pub username: Option<String>,
    /// Its e-mail address.
    pub email: Option<String>,
}

impl Account {
    /// What the identity's login, its answer and its token say (first found wins): the login
    /// fields that name the account, `/user/username`-style answer fields, and the
    /// `preferred_username`/`username`/`email`/`sub` claims.
    fn learn(login: Option<&Request>, answer: Option<&Value>, token: &str) -> Account {
        let mut found: Vec<(String, String)> = Vec::new();
        if let Some((_, body)) = login.and_then(crate::auth_flows::login_fields) {
            found.extend(
                body.into_iter()
                    .filter_map(|(name, value)| Some((name, value_text(&value)?))),
            );
        }
        for pointer in ["/user", "/data/user", "/data", ""] {
            if let Some(Value::Object(map)) = answer.and_then(|a| a.pointer(pointer)) {
                found.extend(
                    map.iter()
                        .filter_map(|(name, value)| Some((name.clone(), value_text(value)?))),
                );
            }
        }
        if let Some(Value::Object(claims)) = jwt_claims(token) {
            found.extend(
                claims
                    .iter()
                    .filter_map(|(name, value)| Some((name.clone(), value_text(value)?))),
            );
        }
        let normal = |name: &str| name.to_ascii_lowercase().replace(['_', '-'], "");
        let field = |names: &[&str], wanted: &dyn Fn(&str) -> bool| {
            found
                .iter()
                .find(|(name, value)| names.contains(&normal(name).as_str()) && wanted(value))
                .map(|(_, value)| value.clone())
        };
        let is_email = |value: &str| value.contains('@');
        let email = field(
            &["email", "mail", "emailaddress", "username", "sub"],
            &is_email,
        );
        // A login field called `username` often takes an e-mail; a `sub` is a username only
        // when it is not a number or an e-mail.
        let username = field(
            &["username", "preferredusername", "login", "handle", "user"],
            &|value| !is_email(value),
        )
        .or_else(|| {
            field(&["sub"], &|value| {
                !is_email(value) && value.parse::<u64>().is_err()
            })
        });
        Account { username, email }
    }
}

/// An identity that cannot act.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("identity {name} {message}")]
pub struct IdentityError {
    /// The identity.
    pub name: String,
    /// What went wrong, phrased after the name ("could not log in: POST /login answered 401").
    pub message: String,
}

impl Identity {
    /// Adds the credential to a request.
    pub fn apply(&self, request: &mut Request) {
        match &self.credential {
            Credential::Header { name, value } => {
                request
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                request.headers.push((name.clone(), value.clone()));
            }
            Credential::Cookie { name, value } => add_cookie(request, name, value),
        }
        if let Some(session) = &self.session {
            for (name, value) in &session.other_cookies {
                add_cookie(request, name, value);
            }
            if let Some(token) = &session.csrf {
                crate::session::send_csrf_token(request, token);
            }
        }
    }

    /// The login configuration of an account the run registered: this identity's own login
    /// with the account's name and e-mail, and `password`, in place of its own. `None` for an
    /// identity that does not log in with a username or e-mail and a password.
    pub fn login_config_for(&self, account: &Account, password: &str) -> Option<IdentityConfig> {
        let IdentityConfig::Login {
            request,
            capture,
            send_as,
            role,
        } = &self.config
        else {
            return None;
        };
        let mut request = request.clone();
        let mut has_password = false;
        let mut named = false;
        // Values are written as configuration values: a `$` would be read as `${VAR}`.
        let literal = |text: &str| text.replace('$', "$$");
        let mut swap = |key: &str, value: &mut String| {
            let lower = key.to_ascii_lowercase();
            if crate::auth_flows::is_secret_field(key) && lower.contains("pass") {
                *value = literal(password);
                has_password = true;
            } else if names_the_account(key) && !lower.contains("grant") {
                let wanted = if lower.contains("mail") {
                    account.email.clone().or_else(|| account.username.clone())
                } else {
                    account.username.clone().or_else(|| account.email.clone())
                };
                if let Some(wanted) = wanted {
                    *value = literal(&wanted);
                    named = true;
                }
            }
        };
        for fields in [request.form.as_mut(), request.multipart.as_mut()]
            .into_iter()
            .flatten()
        {
            for (key, value) in fields.iter_mut() {
                swap(key, value);
            }
        }
        if let Some(json) = request.json.as_mut() {
            for (key, value) in json.iter_mut() {
                if let Value::String(text) = value {
                    swap(key, text);
                }
            }
        }
        (has_password && named).then(|| IdentityConfig::Login {
            request,
            capture: capture.clone(),
            send_as: send_as.clone(),
            role: role.clone(),
        })
    }

    /// The session a sign-up's answer opened for the account it made, for an app that logs
    /// a new account in (Flask-Login's `login_user`, Django's `login`, an Express
    /// `req.session.userId = …` after the insert): `jar` holds the cookies the sign-up was
    /// sent with and those its answer set, `csrf` the token of the page it led to. `None` when
    /// `self` is no session login or the jar holds no cookie of the name its session goes by.
    /// Whether the session is logged in is for its first use to tell: it never logs in again
    /// (renewing it would not make it the account's).
    pub fn opened_by_signup(
        &self,
        name: &str,
        jar: &crate::session::CookieJar,
        csrf: Option<String>,
        account: Account,
    ) -> Option<Identity> {
        let (
            Credential::Cookie {
                name: session_name, ..
            },
            Some(template),
        ) = (&self.credential, &self.session)
        else {
            return None;
        };
        let value = jar.get(session_name)?.to_string();
        Some(Identity {
            name: name.to_string(),
            role: None,
            credential: Credential::Cookie {
                name: session_name.clone(),
                value: value.clone(),
            },
            token: value.clone(),
            user_id: None,
            account,
            login: None,
            session: Some(SessionState {
                other_cookies: jar
                    .pairs()
                    .iter()
                    .filter(|(cookie, _)| cookie != session_name)
                    .cloned()
                    .collect(),
                csrf: csrf.or_else(|| jar.csrf_cookie().map(str::to_string)),
                same_site: None,
                login_page: template.login_page.clone(),
            }),
            config: IdentityConfig::Cookie {
                name: session_name.clone(),
                value,
                role: None,
            },
        })
    }

    /// An identity named `name` that sends `credential` (holding `token`, a token vibeguard
    /// forged: see the API engine's forged identities): it never logs in, so nothing renews it
    /// into a real one.
    pub fn forged(
        name: &str,
        role: Option<String>,
        credential: &Credential,
        token: &str,
    ) -> Identity {
        let config = match credential {
            Credential::Header { name, value } => IdentityConfig::Header {
                name: name.clone(),
                value: value.clone(),
                role: role.clone(),
            },
            Credential::Cookie { name, value } => IdentityConfig::Cookie {
                name: name.clone(),
                value: value.clone(),
                role: role.clone(),
            },
        };
        Identity {
            name: name.to_string(),
            role,
            credential: credential.clone(),
            token: token.to_string(),
            user_id: None,
            account: Account::default(),
            login: None,
            session: None,
            config,
        }
    }

    /// Whether the credential came from a login (and can be renewed).
    pub fn can_renew(&self) -> bool {
        matches!(self.config, IdentityConfig::Login { .. })
    }

    /// Logs in again (after the token expired).
    pub async fn renew(
        &mut self,
        executor: &Executor,
        base: &Url,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), IdentityError> {
        let fresh = establish(&self.name, &self.config, executor, base, env).await?;
        *self = fresh;
        Ok(())
    }

    /// Credentials to mask in every output.
    pub fn secrets(&self) -> Vec<String> {
        let value = match &self.credential {
            Credential::Header { value, .. } | Credential::Cookie { value, .. } => value.clone(),
        };
        let mut secrets = vec![self.token.clone(), value];
        if let Some(session) = &self.session {
            secrets.extend(session.other_cookies.iter().map(|(_, v)| v.clone()));
            secrets.extend(session.csrf.clone());
        }
        secrets
    }
}

/// Adds a cookie to a request's `Cookie` header.
pub fn add_cookie(request: &mut Request, name: &str, value: &str) {
    let pair = format!("{name}={value}");
    match request
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case("cookie"))
    {
        Some((_, existing)) => {
            existing.push_str("; ");
            existing.push_str(&pair);
        }
        None => request.headers.push(("Cookie".into(), pair)),
    }
}

/// Resolves an identity's credential: interpolates environment values, performs the login.
pub async fn establish(
    name: &str,
    config: &IdentityConfig,
    executor: &Executor,
    base: &Url,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Identity, IdentityError> {
    let fail = |message: String| IdentityError {
        name: name.to_string(),
        message,
    };
    let resolve = |text: &str| {
        interpolate(text, env).map_err(|message| fail(format!("cannot be used: {message}")))
    };
    let mut login_request = None;
    let mut session = None;
    let (credential, token, login_answer) = match config {
        IdentityConfig::Bearer { token, .. } => {
            let token = resolve(token)?;
            (
                Credential::Header {
                    name: "Authorization".into(),
                    value: format!("Bearer {token}"),
                },
                token,
                None,
            )
        }
        IdentityConfig::Header {
            name: header,
            value,
            ..
        } => {
            let value = resolve(value)?;
            (
                Credential::Header {
                    name: header.clone(),
                    value: value.clone(),
                },
                value,
                None,
            )
        }
        IdentityConfig::Cookie {
            name: cookie,
            value,
            ..
        } => {
            let value = resolve(value)?;
            (
                Credential::Cookie {
                    name: cookie.clone(),
                    value: value.clone(),
                },
                value,
                None,
            )
        }
        IdentityConfig::Basic {
            username, password, ..
        } => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                resolve(username)?,
                resolve(password)?
            ));
            (
                Credential::Header {
                    name: "Authorization".into(),
                    value: format!("Basic {encoded}"),
                },
                encoded,
                None,
            )
        }
        IdentityConfig::Login {
            request: login,
            capture,
            send_as,
            ..
        } => {
            let done = log_in(
                login,
                capture.as_ref(),
                send_as.as_ref(),
                executor,
                base,
                env,
            )
            .await
            .map_err(fail)?;
            login_request = Some(done.request);
            session = done.session;
            (done.credential, done.token, done.answer)
        }
    };
    let user_id = login_answer
        .as_ref()
        .and_then(user_id_in_answer)
        .or_else(|| user_id_in_jwt(&token));
    let mut account = Account::learn(login_request.as_ref(), login_answer.as_ref(), &token);
    if let IdentityConfig::Basic { username, .. } = config
        && account.username.is_none()
    {
        account.username = resolve(username).ok();
    }
    Ok(Identity {
        name: name.to_string(),
        role: config.role().map(str::to_string),
        credential,
        token,
        user_id,
        account,
        login: login_request,
        session,
        config: config.clone(),
    })
}

/// What a login gave.
struct LoggedIn {
    credential: Credential,
    token: String,
    answer: Option<Value>,
    /// The login request exactly as sent.
    request: Request,
    session: Option<SessionState>,
}

/// `METHOD /path?query` of a request, exactly as sent (the target's own prefix included).
fn label_of(request: &Request) -> String {
    format!(
        "{} {}{}",
        request.method,
        request.url.path(),
        request
            .url
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default()
    )
}

/// The login as checks replay it: without the cookies and the CSRF token of the page it was
/// sent from (the field vibeguard added, the token headers). Those belonged to that page's
/// session — on an app that keeps it at login, the identity's own session — and a replay gets
/// a visitor session of its own ([`AnonymousSession::prepare`], `checks::fresh_login`).
fn without_page_session(
    request: &Request,
    token_field: Option<&str>,
    token: Option<&str>,
) -> Request {
    let mut template = request.clone();
    let is_token_header = |name: &str, value: &str| {
        token == Some(value)
            && crate::session::CSRF_HEADERS
                .iter()
                .any(|header| name.eq_ignore_ascii_case(header))
    };
    template.headers.retain(|(name, value)| {
        !(name.eq_ignore_ascii_case("cookie") || is_token_header(name, value))
    });
    if let (Some(field), Some(body)) = (token_field, &request.body)
        && template
            .header_value("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
    {
        let body = crate::session::rewrite_form(
            body,
            |name, value| (name != field).then(|| value.to_string()),
            None,
        );
        template.body = Some(body.into());
    }
    template
}

/// Performs a login: a token login (`capture` says where the token is) or a session login
/// (no `capture`: the cookies it sets are the credential). Form and session logins fetch the
/// login page first, for the CSRF token and cookies it carries, which the login sends back.
/// Errors are phrased after the identity's name.
async fn log_in(
    login: &LoginRequest,
    capture: Option<&Capture>,
    send_as: Option<&SendAs>,
    executor: &Executor,
    base: &Url,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<LoggedIn, String> {
    let resolve =
        |text: &str| interpolate(text, env).map_err(|message| format!("cannot be used: {message}"));
    let method = login
        .method
        .clone()
        .unwrap_or_else(|| "POST".into())
        .to_ascii_uppercase();
    let url = join(base, &login.path).map_err(|e| format!("has an invalid login path: {e}"))?;
    let page_url = match &login.login_page {
        Some(page) => join(base, page).map_err(|e| format!("has an invalid login page: {e}"))?,
        None => url.clone(),
    };
    let form_like = login.form.is_some() || login.multipart.is_some();
    let mut jar = crate::session::CookieJar::default();
    let mut page_token: Option<(String, String)> = None;
    if capture.is_none() || form_like || login.login_page.is_some() {
        // The login page: its CSRF token and the cookies it sets (the token's session).
        let exchange = executor.send(Request::new("GET", page_url.clone())).await;
        if let Some(response) = exchange.response().filter(|r| r.status < 400) {
            jar.absorb(response);
            page_token = crate::session::csrf_token(&page_url, &response.text());
        }
    }
    let mut request = Request::new(&method, url.clone());
    for (header, value) in &login.headers {
        request.headers.push((header.clone(), resolve(value)?));
    }
    let token_value = page_token
        .as_ref()
        .map(|(_, value)| value.clone())
        .or_else(|| jar.csrf_cookie().map(str::to_string));
    let mut fields: Vec<(String, String)> = Vec::new();
    for (field, value) in login.form.iter().chain(login.multipart.iter()).flatten() {
        fields.push((field.clone(), resolve(value)?));
    }
    // The page's token goes back in its own field, unless the configuration fills it.
    let mut token_field = None;
    if form_like
        && let Some((field, value)) = &page_token
        && !field.starts_with("csrf-")
        && !fields.iter().any(|(name, _)| name == field)
    {
        fields.push((field.clone(), value.clone()));
        token_field = Some(field.clone());
    }
    if let Some(json) = &login.json {
        let body = interpolate_json(&Value::Object(json.clone()), env)
            .map_err(|m| format!("cannot be used: {m}"))?;
        request = request.json(&body);
    } else if login.multipart.is_some() {
        request = multipart(request, &fields);
    } else if login.form.is_some() {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (field, value) in &fields {
            serializer.append_pair(field, value);
        }
        request.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        request.body = Some(serializer.finish().into_bytes().into());
    }
    if let Some(token) = &token_value {
        for header in crate::session::CSRF_HEADERS {
            request.headers.push(((*header).to_string(), token.clone()));
        }
    }
    if let Some(cookies) = jar.header() {
        request.headers.push(("Cookie".into(), cookies));
    }
    let label = label_of(&request);
    let sent = without_page_session(&request, token_field.as_deref(), token_value.as_deref());
    let exchange = executor.send(request).await;
    let response = exchange.response().ok_or_else(|| {
        format!(
            "could not log in: {label} failed: {}",
            exchange
                .outcome
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default()
        )
    })?;
    let held: Vec<String> = jar.pairs().iter().map(|(name, _)| name.clone()).collect();
    let changed = jar.absorb(response);
    let Some(capture) = capture else {
        let session_name = match crate::session::judge(&url, &page_url, response, &changed, &held) {
            crate::session::LoginVerdict::LoggedIn(name) => name,
            crate::session::LoginVerdict::Refused(why) => {
                return Err(format!("could not log in: {label} {why}"));
            }
        };
        let token = jar.get(&session_name).unwrap_or_default().to_string();
        // The pages a logged-in user sees carry the token its forms must send (Django and
        // others rotate it at login): the page the login redirected to, else the login page.
        let after = response
            .header("location")
            .and_then(|location| url.join(location).ok())
            .filter(|next| next.origin() == url.origin())
            .unwrap_or_else(|| page_url.clone());
        let mut next = Request::new("GET", after.clone());
        if let Some(cookies) = jar.header() {
            next.headers.push(("Cookie".into(), cookies));
        }
        let exchange = executor.send(next).await;
        let mut csrf = None;
        if let Some(page) = exchange.response().filter(|r| r.status < 400) {
            jar.absorb(page);
            csrf = crate::session::csrf_token(&after, &page.text()).map(|(_, value)| value);
        }
        let csrf = csrf
            .or_else(|| jar.csrf_cookie().map(str::to_string))
            .or(token_value);
        let session_value = jar.get(&session_name).unwrap_or(&token).to_string();
        let same_site = response
            .headers_named("set-cookie")
            .filter(|line| cookie_value(line, &session_name).is_some())
            .find_map(crate::session::same_site);
        let others = jar
            .pairs()
            .iter()
            .filter(|(name, _)| *name != session_name)
            .cloned()
            .collect();
        return Ok(LoggedIn {
            credential: Credential::Cookie {
                name: session_name,
                value: session_value.clone(),
            },
            token: session_value,
            answer: response.json(),
            request: sent,
            session: Some(SessionState {
                other_cookies: others,
                csrf,
                same_site,
                login_page: Some(page_url),
            }),
        });
    };
    // A token login: the answer must be a success (a redirect only for a cookie capture).
    let accepted = response.is_success()
        || (capture.cookie.is_some() && (300..400).contains(&response.status));
    if !accepted {
        return Err(format!(
            "could not log in: {label} answered {}",
            response.status
        ));
    }
    let token = if let Some(pointer) = &capture.json_pointer {
        response
            .json()
            .and_then(|body| body.pointer(pointer).and_then(value_text))
            .ok_or_else(|| {
                format!("logged in, but the answer of {label} has no value at {pointer}")
            })?
    } else if let Some(header) = &capture.header {
        response
            .header(header)
            .map(str::to_string)
            .ok_or_else(|| format!("logged in, but the answer of {label} has no {header} header"))?
    } else {
        let cookie = capture.cookie.as_deref().unwrap_or_default();
        jar.get(cookie).map(str::to_string).ok_or_else(|| {
            format!("logged in, but the answer of {label} sets no `{cookie}` cookie")
        })?
    };
    let credential = match send_as {
        Some(SendAs {
            cookie: Some(cookie),
            ..
        }) => Credential::Cookie {
            name: cookie.clone(),
            value: token.clone(),
        },
        Some(SendAs {
            header: Some(header),
            prefix,
            ..
        }) => Credential::Header {
            name: header.clone(),
            value: format!("{}{token}", prefix.as_deref().unwrap_or("")),
        },
        _ if capture.cookie.is_some() => Credential::Cookie {
            name: capture.cookie.clone().unwrap_or_default(),
            value: token.clone(),
        },
        _ => Credential::Header {
            name: "Authorization".into(),
            value: format!("Bearer {token}"),
        },
    };
    Ok(LoggedIn {
        credential,
        token,
        answer: response.json(),
        request: sent,
        session: None,
    })
}

/// `request` with a `multipart/form-data` body of text fields.
fn multipart(mut request: Request, fields: &[(String, String)]) -> Request {
    const BOUNDARY: &str = "----vibeguard-login-boundary-7d4a1c";
    let mut body = String::new();
    for (name, value) in fields {
        let name = name.replace(['"', '\r', '\n'], "");
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    request.headers.push((
        "Content-Type".into(),
        format!("multipart/form-data; boundary={BOUNDARY}"),
    ));
    request.body = Some(body.into_bytes().into());
    request
}

/// Whether a parameterless `GET` path answers the caller's own account (`/me`, `/users/me`,
/// `/api/user`, `/account`, `/profile`, `/whoami`): where an identity's id is read from.
pub fn is_own_record(path: &str) -> bool {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(['-', '_'], "");
    !path.contains('{')
        && matches!(
            last.as_str(),
            "me" | "self" | "whoami" | "account" | "profile" | "currentuser" | "user" | "myself"
        )
}

/// Whether a parameterless `GET` path lists accounts (`/users`, `/api/admin/accounts`,
/// `/members`): where identities whose own record says nothing find their ids.
pub fn is_account_list(path: &str) -> bool {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    !path.contains('{')
        && matches!(
            last.as_str(),
            "users" | "accounts" | "members" | "people" | "profiles"
        )
}

/// Learns the ids of the identities that lack one from a list of accounts: the entry whose
/// e-mail or username is the identity's own (compared exactly, ignoring case) gives its id.
pub fn learn_ids_from_account_list(identities: &mut [Identity], answer: &Value) {
    let entries = ["", "/results", "/data", "/items", "/users", "/accounts"]
        .iter()
        .find_map(|pointer| answer.pointer(pointer).and_then(Value::as_array));
    let Some(entries) = entries else {
        return;
    };
    for identity in identities.iter_mut().filter(|i| i.user_id.is_none()) {
        let entry = entries.iter().find(|entry| {
            let matches = |field: &str, own: &Option<String>| {
                own.as_deref().is_some_and(|own| {
                    entry
                        .get(field)
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.eq_ignore_ascii_case(own))
                })
            };
            matches("email", &identity.account.email)
                || matches("username", &identity.account.username)
        });
        if let Some(id) = entry.and_then(|entry| {
            ["id", "_id", "userId", "user_id", "uuid"]
                .iter()
                .find_map(|key| entry.get(*key).and_then(value_text))
        }) {
            identity.user_id = Some(id);
        }
    }
}

impl Identity {
    /// Learns the identity's id, username and e-mail from the answer of its own account
    /// record (`GET /users/me`). The record is the API's own word: its id wins over a token's
    /// `sub`, which is often the username.
    pub fn learn_own_record(&mut self, answer: &Value) {
        let record = ["/user", "/data/user", "/data", ""]
            .iter()
            .find_map(|pointer| answer.pointer(pointer).filter(|v| v.is_object()));
        let Some(record) = record else {
            return;
        };
        if let Some(id) = ["/id", "/_id", "/userId", "/user_id", "/uuid"]
            .iter()
            .find_map(|pointer| record.pointer(pointer).and_then(value_text))
        {
            self.user_id = Some(id);
        }
        let learned = Account::learn(None, Some(record), "");
        if self.account.username.is_none() {
            self.account.username = learned.username;
        }
        if self.account.email.is_none() {
            self.account.email = learned.email;
        }
    }
}

/// Joins a path (with its own query) onto the target URL, keeping the target's path prefix.
pub fn join(base: &Url, path: &str) -> Result<Url, url::ParseError> {
    let prefix = base.path().trim_end_matches('/');
    let mut url = base.clone();
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    url.set_path(&format!("{prefix}{path}"));
    url.set_query((!query.is_empty()).then_some(query));
    Ok(url)
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The value of cookie `name` in a `Set-Cookie` line.
pub fn cookie_value(line: &str, name: &str) -> Option<String> {
    let (pair, _) = line.split_once(';').unwrap_or((line, ""));
    let (cookie, value) = pair.split_once('=')?;
    (cookie.trim() == name).then(|| value.trim().to_string())
}

/// The user id in a login answer (`/user/id`, `/id`, `/userId`, …).
fn user_id_in_answer(answer: &Value) -> Option<String> {
    [
        "/user/id",
        "/user/_id",
        "/userId",
        "/user_id",
        "/id",
        "/data/user/id",
        "/data/id",
    ]
    .iter()
    .find_map(|pointer| answer.pointer(pointer).and_then(value_text))
}

/// The subject of a JWT (`sub`, `id`, `userId`), read without verifying it: it only helps aim
/// the authorization tests at this user's own objects.
pub fn user_id_in_jwt(token: &str) -> Option<String> {
    let claims = jwt_claims(token)?;
    ["sub", "id", "userId", "user_id", "uid"]
        .iter()
        .find_map(|key| claims.get(*key).and_then(value_text))
}

/// The claims of a JWT, decoded without verification.
pub fn jwt_claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_reads_the_environment_and_names_missing_variables() {
        let lookup = |name: &str| (name == "TOKEN").then(|| "abc".to_string());
        assert_eq!(
            interpolate("Bearer ${TOKEN}", &lookup),
            Ok("Bearer abc".into())
        );
        assert_eq!(
            interpolate("cost $$5 and $x", &lookup),
            Ok("cost $5 and $x".into())
        );
        assert_eq!(
            interpolate("${MISSING}", &lookup),
            Err("environment variable `MISSING` is not set".into())
        );
        assert!(interpolate("${bad-name}", &lookup).is_err());
        assert!(interpolate("${OPEN", &lookup).is_err());
    }

    #[test]
    fn jwt_subjects_and_login_answers_name_the_user() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"42","role":"user"}"#);
        let token = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
        assert_eq!(user_id_in_jwt(&token), Some("42".into()));
        assert_eq!(user_id_in_jwt("not-a-jwt"), None);
        assert_eq!(
            user_id_in_answer(&serde_json::json!({"token": "t", "user": {"id": 7}})),
            Some("7".into())
        );
    }

    #[test]
    fn accounts_are_named_by_the_login_its_answer_or_the_token() {
        let login = |body: &str| {
            let mut request =
                Request::new("POST", Url::parse("http://127.0.0.1/login").expect("url"));
            request.body = Some(body.as_bytes().to_vec().into());
            request
        };
        let form_login = |body: &str| {
            let mut request = login(body);
            request.headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            request
        };
        let json = Account::learn(
            Some(&login(r#"{"username": "alice", "password": "pw"}"#)),
            None,
            "opaque",
        );
        assert_eq!(json.username.as_deref(), Some("alice"));
        assert_eq!(json.email, None);
        // OAuth2 password form: `username` holding an e-mail is the e-mail.
        let form = Account::learn(
            Some(&form_login(
                "grant_type=password&username=bob%40example.com&password=pw",
            )),
            Some(&serde_json::json!({"access_token": "t", "user": {"username": "bob"}})),
            "opaque",
        );
        assert_eq!(form.email.as_deref(), Some("bob@example.com"));
        assert_eq!(form.username.as_deref(), Some("bob"));
        // A token whose subject is a name; a numeric subject is an id, not a username.
        let token = |claims: &str| {
            format!(
                "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims)
            )
        };
        let named = Account::learn(None, None, &token(r#"{"sub": "carol"}"#));
        assert_eq!(named.username.as_deref(), Some("carol"));
        let numbered = Account::learn(None, None, &token(r#"{"sub": "42"}"#));
        assert_eq!(numbered, Account::default());
    }

    #[test]
    fn paths_join_under_the_target_prefix() {
        let base = Url::parse("http://127.0.0.1:8080/v1/").expect("url");
        assert_eq!(
            join(&base, "/login?next=1").expect("join").as_str(),
            "http://127.0.0.1:8080/v1/login?next=1"
        );
        let root = Url::parse("http://127.0.0.1:8080").expect("url");
        assert_eq!(
            join(&root, "/api/login").expect("join").as_str(),
            "http://127.0.0.1:8080/api/login"
        );
    }

    #[test]
    fn cookies_are_read_from_set_cookie_lines() {
        assert_eq!(
            cookie_value("session=abc; Path=/; HttpOnly", "session"),
            Some("abc".into())
        );
        assert_eq!(cookie_value("other=1", "session"), None);
    }

    #[test]
    fn only_secrets_are_credentials_never_the_account_names() {
        let login = IdentityConfig::json_login(
            "/api/login",
            serde_json::json!({"username": "alice", "email": "alice@example.org", "password": "Wonder-land-7", "otp": "123456"}),
            "/token",
        );
        let mut secrets = login.credential_strings();
        secrets.sort();
        assert_eq!(secrets, ["123456", "Wonder-land-7"]);
        let form = IdentityConfig::Login {
            request: Box::new(LoginRequest {
                method: None,
                path: "/token".into(),
                json: None,
                form: Some(BTreeMap::from([
                    ("grant_type".to_string(), "password".to_string()),
                    ("username".to_string(), "bob".to_string()),
                    ("password".to_string(), "b0b-s3cret".to_string()),
                ])),
                multipart: None,
                login_page: None,
                headers: BTreeMap::new(),
            }),
            capture: Some(Capture {
                json_pointer: Some("/access_token".into()),
                header: None,
                cookie: None,
            }),
            send_as: None,
            role: None,
        };
        assert_eq!(form.credential_strings(), ["b0b-s3cret"]);
        // Validation still reads every value.
        assert_eq!(form.all_strings().len(), 3);
    }

    #[test]
    fn the_own_account_record_gives_the_id_that_a_username_subject_does_not() {
        for path in [
            "/users/me",
            "/api/me/",
            "/v1/whoami",
            "/api/user",
            "/account",
        ] {
            assert!(is_own_record(path), "{path}");
        }
        for path in ["/users", "/users/{id}", "/me/{thing}", "/settings"] {
            assert!(!is_own_record(path), "{path}");
        }
        let mut gina = Identity {
            name: "gina".into(),
            role: Some("guest".into()),
            credential: Credential::Header {
                name: "Authorization".into(),
                value: "Bearer t".into(),
            },
            token: String::new(),
            // The token's `sub` was the username.
            user_id: Some("gina".into()),
            account: Account::default(),
            login: None,
            session: None,
            config: IdentityConfig::Bearer {
                token: String::new(),
                role: None,
            },
        };
        gina.learn_own_record(&serde_json::json!({
            "id": "5f0c8a52-0000-4000-8000-000000000001",
            "username": "gina",
            "email": "gina@venues.test",
            "role": "guest"
        }));
        assert_eq!(
            gina.user_id.as_deref(),
            Some("5f0c8a52-0000-4000-8000-000000000001")
        );
        assert_eq!(gina.account.username.as_deref(), Some("gina"));
        assert_eq!(gina.account.email.as_deref(), Some("gina@venues.test"));

        // No record of its own: an account list gives the id of the entry with its e-mail,
        // and leaves an id already known alone.
        let mut maya = gina.clone();
        maya.user_id = None;
        maya.account = Account {
            username: None,
            email: Some("Maya@Recipes.test".into()),
        };
        let mut identities = vec![maya, gina.clone()];
        learn_ids_from_account_list(
            &mut identities,
            &serde_json::json!({"results": [
                {"id": 4, "email": "noah@recipes.test"},
                {"id": 7, "email": "maya@recipes.test"},
                {"id": 9, "email": "gina@venues.test"}
            ]}),
        );
        assert_eq!(identities[0].user_id.as_deref(), Some("7"));
        assert_eq!(
            identities[1].user_id.as_deref(),
            Some("5f0c8a52-0000-4000-8000-000000000001")
        );
        assert!(is_account_list("/api/admin/accounts"));
        assert!(is_account_list("/users/"));
        assert!(!is_account_list("/users/{id}"));
        assert!(!is_account_list("/api/recipes"));
        // A list or an answer without an id changes nothing.
        gina.learn_own_record(&serde_json::json!([{"id": 9}]));
        assert_eq!(
            gina.user_id.as_deref(),
            Some("5f0c8a52-0000-4000-8000-000000000001")
        );
    }
}
