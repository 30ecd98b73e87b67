//! Accounts the run made through the app's sign-up — every registration a probe sent that the
//! app accepted — and how they are closed at the end: logged into like the configured
//! identities (the same login, with the account's own name and password) and closed through
//! the app's own account deletion (`DELETE /me`, `POST /profile/delete`, …). What cannot be
//! closed is named in the report, never left silently.

use serde_json::Value;
use url::Url;

use crate::checks::auth_flows::{self, Flow};
use crate::http::{Exchange, Executor, Request};
use crate::identity::{self, Identity};
use crate::spec::{ApiSpec, Operation};

/// An account a sign-up made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredAccount {
    /// The name it was registered with, when the sign-up took one.
    pub username: Option<String>,
    /// The e-mail it was registered with, when the sign-up took one.
    pub email: Option<String>,
    /// Its password.
    pub password: String,
    /// How many accepted sign-ups named it: an app that does not check names makes that many
    /// accounts (concurrent sign-ups race a check that exists), and one that replaces the
    /// account keeps one.
    pub made: usize,
}

impl RegisteredAccount {
    /// What the app knows it by: its name, else its e-mail (an app that takes a name takes
    /// it again with any e-mail).
    pub fn key(&self) -> String {
        self.username
            .clone()
            .or_else(|| self.email.clone())
            .unwrap_or_default()
    }

    /// How the report names it.
    pub fn label(&self) -> String {
        self.username
            .clone()
            .or_else(|| self.email.clone())
            .unwrap_or_else(|| "(unnamed)".into())
    }
}

/// The accounts accepted sign-ups made, in the order they were made; one per name (the
/// last password wins: a sign-up that accepts an existing name replaces the account's).
pub fn registered_accounts(
    spec: &ApiSpec,
    exchanges: &[Exchange],
    base_path: &str,
) -> Vec<RegisteredAccount> {
    let mut accounts: Vec<RegisteredAccount> = Vec::new();
    for (_, mut account) in accepted_signups(spec, exchanges, base_path) {
        if let Some(at) = accounts
            .iter()
            .position(|known| known.key() == account.key())
        {
            let earlier = accounts.remove(at);
            account.made += earlier.made;
            // A sign-up that gave no e-mail (a probe leaving a field out) names the account
            // the others gave one for: the e-mail known is kept, or it could not log in.
            if account.email.is_none() {
                account.email = earlier.email;
            }
        }
        accounts.push(account);
    }
    accounts
}

/// Every sign-up the app accepted, with the account it describes, in the order sent.
fn accepted_signups<'e>(
    spec: &ApiSpec,
    exchanges: &'e [Exchange],
    base_path: &str,
) -> Vec<(&'e Exchange, RegisteredAccount)> {
    exchanges
        .iter()
        .filter(|exchange| {
            let path = exchange.request.url.path();
            let path = path
                .strip_prefix(base_path.trim_end_matches('/'))
                .unwrap_or(path);
            spec.operations.iter().any(|op| {
                auth_flows::flow(op) == Some(Flow::Registration)
                    && crate::lifecycle::path_values(&op.path, path).is_some()
            }) && made(exchange)
        })
        .filter_map(|exchange| Some((exchange, account_of(exchange)?)))
        .collect()
}

/// What a sign-up's answer holds when the app logged the new account in: the cookies the
/// sign-up was sent with and those the answer set, and the page it led to (where a form's
/// CSRF token is read). `None` when the answer set no cookie.
fn opened_session(exchange: &Exchange) -> Option<OpenedSession> {
    let response = exchange.response()?;
    let mut jar = exchange
        .request
        .header_value("cookie")
        .map(crate::session::CookieJar::from_header)
        .unwrap_or_default();
    let set = jar.absorb(response);
    if set.is_empty() {
        return None;
    }
    let signup = &exchange.request.url;
    let after = response
        .header("location")
        .and_then(|location| signup.join(location).ok())
        .filter(|to| to.origin() == signup.origin())
        .unwrap_or_else(|| signup.clone());
    Some(OpenedSession { jar, set, after })
}

/// How an attempt to close an account ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    Closed,
    /// Not closed: no session of it was accepted (it may be closed already).
    Refused,
    /// Its login was refused for its rate: it may still be there.
    Locked,
}

/// The session a sign-up's answer opened (see [`opened_session`]).
#[derive(Debug, Clone)]
struct OpenedSession {
    jar: crate::session::CookieJar,
    /// The names of the cookies the answer set.
    set: Vec<String>,
    after: Url,
}

/// Whether a sign-up's answer made the account: a redirect away from the sign-up (to the
/// login page too: "now log in"), or an answer accepted by meaning.
pub fn made(exchange: &Exchange) -> bool {
    match exchange.response() {
        Some(response) if (300..400).contains(&response.status) => response
            .header("location")
            .and_then(|l| exchange.request.url.join(l).ok())
            .is_some_and(|to| to.path() != exchange.request.url.path()),
        _ => crate::http::outcome::accepted(exchange),
    }
}

/// The account a sign-up request describes: its name and e-mail fields, and its password
/// (not the confirmation).
fn account_of(exchange: &Exchange) -> Option<RegisteredAccount> {
    let (_, fields) = auth_flows::login_fields(&exchange.request)?;
    let names: Vec<String> = fields.keys().cloned().collect();
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut account = RegisteredAccount {
        username: None,
        email: None,
        password: String::new(),
        made: 1,
    };
    for (name, value) in &fields {
        let lower = name.to_ascii_lowercase();
        if crate::synth::confirmed_field(name, &names).is_some() {
            continue;
        }
        if auth_flows::is_secret_field(name) && lower.contains("pass") {
            account.password = text(value)?;
        } else if lower.contains("mail") {
            account.email = text(value);
        } else if auth_flows::is_account_field(name) || lower == "name" {
            account.username = account.username.or(text(value));
        }
    }
    (!account.password.is_empty() && (account.username.is_some() || account.email.is_some()))
        .then_some(account)
}

/// Where the lent account's name is numbered from: apart from every probe's fresh accounts.
const LENT_NUMBER: u64 = 8_800;
/// The lent account's password: long and mixed enough for any sign-up's policy.
// vibeguard-ignore[VG202]: the password of an account the run signs up on the target and closes, not a credential of ours
const LENT_PASSWORD: &str = "Vibeguard-Lent-Pa55!";

/// The sign-up of the account lent to the checks ([`AccountTracker::lend`]): a fresh name and
/// e-mail of its own (an app that replaces an account signed up twice, or that the round's
/// duplicate sign-ups left closed, has nothing else to lend), every password field set to one
/// strong password. `None` without a sign-up that takes a password.
pub fn lent_signup(context: &crate::checks::Context<'_>) -> Option<Request> {
    let operation = context
        .spec
        .operations
        .iter()
        .find(|op| auth_flows::flow(op) == Some(Flow::Registration))?;
    let body = operation.body.as_ref()?;
    let request = context.request(operation, None, 0)?;
    let mut value = context
        .synthesizer(operation, "lent account")
        .fresh_accounts()
        .numbered_from(LENT_NUMBER)
        .valid(&body.schema, "");
    let mut has_password = false;
    for (field, slot) in value.as_object_mut()?.iter_mut() {
        if auth_flows::is_secret_field(field) && field.to_ascii_lowercase().contains("pass") {
            *slot = Value::String(LENT_PASSWORD.into());
            has_password = true;
        }
    }
    has_password.then(|| {
        crate::checks::with_body(
            crate::checks::inputs::strip_body(&request),
            body.kind,
            &body.media_type,
            &value,
        )
    })
}

/// What an accepted request on the caller's own account set: a new password, a new e-mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountChange {
    /// The new password (not the current one the form asks for, not its confirmation).
    pub password: Option<String>,
    /// The new e-mail.
    pub email: Option<String>,
}

/// What a request the app accepted changed of the caller's own account, when anything.
pub fn account_change(exchange: &Exchange) -> Option<AccountChange> {
    if !crate::http::outcome::accepted(exchange) {
        return None;
    }
    let (_, fields) = auth_flows::login_fields(&exchange.request)?;
    let names: Vec<String> = fields.keys().cloned().collect();
    let mut change = AccountChange::default();
    for (name, value) in &fields {
        let lower = name.to_ascii_lowercase();
        let Value::String(text) = value else {
            continue;
        };
        if crate::synth::confirmed_field(name, &names).is_some() || text.is_empty() {
            continue;
        }
        if lower.contains("pass")
            && !["current", "old", "existing", "verify"]
                .iter()
                .any(|word| lower.contains(word))
        {
            change.password = Some(text.clone());
        } else if lower.contains("mail") {
            change.email = Some(text.clone());
        }
    }
    (change != AccountChange::default()).then_some(change)
}

/// The operation that closes the caller's own account: `DELETE /me`, `DELETE /account`,
/// `POST /profile/delete`, `POST /account/close`.
pub fn closing_operation(spec: &ApiSpec) -> Option<&Operation> {
    spec.operations.iter().find(|op| op.closes_account())
}

/// One account the run made, with the session it was logged into right after.
struct Tracked {
    account: RegisteredAccount,
    session: Option<Identity>,
    closed: bool,
    /// How many times one of its accounts was closed.
    closes: usize,
    /// The passwords it had before a probe sent as it changed it (a change the app seemed to
    /// accept may not have been one): tried, newest first, when its current one fails.
    earlier_passwords: Vec<String>,
    /// Lent to the checks ([`AccountTracker::lend`]): its session is theirs until given back.
    lent: bool,
    /// The sessions its accepted sign-ups opened, oldest first, not used yet: each closes
    /// the account that sign-up made without a login (a password hash on the server).
    opened: Vec<OpenedSession>,
}

/// Logins of accounts the run signed up sent at once.
const LOGINS_IN_FLIGHT: usize = 3;

/// The accounts the run's sign-ups make, followed through the run: each is logged into as
/// soon as it is made — before any probe's wrong password can lock it — and closed at the end
/// with that session (or a fresh login), as itself.
pub struct AccountTracker<'a> {
    /// The login identity whose login shows how to log in as an account of the app.
    template: Option<Identity>,
    login_base: &'a Url,
    env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// The exchanges already read, up to this id.
    seen_through: u64,
    accounts: Vec<Tracked>,
}

impl std::fmt::Debug for AccountTracker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountTracker")
            .field("accounts", &self.accounts.len())
            .field("seen_through", &self.seen_through)
            .finish_non_exhaustive()
    }
}

impl<'a> AccountTracker<'a> {
    /// A tracker logging in like `template`.
    pub fn new(
        template: Option<Identity>,
        login_base: &'a Url,
        env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    ) -> AccountTracker<'a> {
        AccountTracker {
            template,
            login_base,
            env,
            seen_through: 0,
            accounts: Vec::new(),
        }
    }

    /// Reads the sign-ups sent since the last call and logs into the accounts they made.
    pub async fn track(&mut self, executor: &Executor, spec: &ApiSpec, base: &Url) {
        let since = self.seen_through;
        let exchanges = executor.exchanges_where(|e| e.request.method == "POST" && e.id > since);
        self.seen_through = exchanges
            .iter()
            .map(|e| e.id)
            .max()
            .unwrap_or(since)
            .max(since);
        for (exchange, account) in accepted_signups(spec, &exchanges, base.path()) {
            let opened = opened_session(exchange);
            match self
                .accounts
                .iter_mut()
                .find(|t| t.account.key() == account.key())
            {
                Some(known) => {
                    // Made again (a duplicate, or the same name with another password).
                    if known.account.password != account.password {
                        known.session = None;
                    }
                    known.account.made += account.made;
                    known.account.password = account.password;
                    // Whichever order the sign-ups came in, an e-mail one of them gave is the
                    // account's: one with none could not log in to close it.
                    if known.account.email.is_none() {
                        known.account.email = account.email;
                    }
                    known.closed = false;
                    known.opened.extend(opened);
                }
                None => self.accounts.push(Tracked {
                    account,
                    session: None,
                    closed: false,
                    closes: 0,
                    earlier_passwords: Vec::new(),
                    lent: false,
                    opened: opened.into_iter().collect(),
                }),
            }
        }
        let close = closing_operation(spec)
            .and_then(|op| Some((op.method.clone(), identity::join(base, &op.path).ok()?)));
        // Without an account closing, a session would close nothing: no login is spent.
        if close.is_none() {
            return;
        }
        for index in 0..self.accounts.len() {
            if self.accounts[index].closed {
                continue;
            }
            // Accounts an app made twice under one name (concurrent sign-ups racing its check,
            // or no check): the extras are closed now, while their logins still work.
            if let Some((method, url)) = &close {
                while self.accounts[index].account.made > 1 && !self.accounts[index].lent {
                    if self.close_once(executor, index, method, url).await != Closing::Closed {
                        break;
                    }
                    self.accounts[index].account.made -= 1;
                    self.accounts[index].closes += 1;
                }
            }
        }
        // The others' logins, a few at a time: each costs the app a password hash. An account
        // whose sign-up opened a session needs none: that session closes it.
        let waiting: Vec<usize> = (0..self.accounts.len())
            .filter(|&i| {
                let tracked = &self.accounts[i];
                !tracked.closed && tracked.session.is_none() && tracked.opened.is_empty()
            })
            .collect();
        for batch in waiting.chunks(LOGINS_IN_FLIGHT) {
            let this = &*self;
            let sessions =
                futures_util::future::join_all(batch.iter().map(|&i| async move {
                    this.log_in(executor, &this.accounts[i].account).await
                }))
                .await;
            for (&index, session) in batch.iter().zip(sessions) {
                self.accounts[index].session = session.ok();
            }
        }
    }

    /// Logs in as an account: the template's login with its name (or the name trimmed, as
    /// apps store it) and password.
    async fn log_in(
        &self,
        executor: &Executor,
        account: &RegisteredAccount,
    ) -> Result<Identity, String> {
        let Some(template) = self.template.as_ref() else {
            return Err("no login identity shows how to log in".into());
        };
        let trimmed = RegisteredAccount {
            username: account.username.as_deref().map(|u| u.trim().to_string()),
            email: account.email.as_deref().map(|e| e.trim().to_string()),
            ..account.clone()
        };
        let candidates = if trimmed == *account {
            vec![account]
        } else {
            vec![account, &trimmed]
        };
        let mut why = String::from("its login takes no name and password");
        for candidate in candidates {
            let names = identity::Account {
                username: candidate.username.clone(),
                email: candidate.email.clone(),
            };
            let Some(config) = template.login_config_for(&names, &candidate.password) else {
                continue;
            };
            match identity::establish(
                &account.label(),
                &config,
                executor,
                self.login_base,
                self.env,
            )
            .await
            {
                Ok(session) => return Ok(session),
                Err(error) => why = error.message,
            }
        }
        Err(why)
    }

    /// Closes one account of a tracked name, as itself: with a session one of its sign-ups
    /// opened (the newest first: on an app that made an account per sign-up, the one that
    /// sign-up made), else with a fresh login — also when the opened session turns out not to
    /// be logged in, or no longer to name an account.
    async fn close_once(
        &mut self,
        executor: &Executor,
        index: usize,
        method: &str,
        url: &Url,
    ) -> Closing {
        let closing = |session: &Identity| {
            let mut request = Request::new(method, url.clone());
            session.apply(&mut request);
            request
        };
        if let Some(opened) = self.accounts[index].opened.pop() {
            let account = self.accounts[index].account.clone();
            if let Some(session) = self.signed_up_session(executor, opened, &account).await
                && crate::http::outcome::accepted(&executor.send(closing(&session)).await)
            {
                return Closing::Closed;
            }
            // A session that no longer closes anything: the app kept one account for all
            // these sign-ups (replacing it each time) or ended their sessions; the others
            // would say the same.
            self.accounts[index].opened.clear();
        }
        match self.log_in_tracked(executor, index).await {
            Ok(session)
                if crate::http::outcome::accepted(&executor.send(closing(&session)).await) =>
            {
                Closing::Closed
            }
            // A login refused for its rate, not its password: the account may be there.
            Err(why) if why.contains("answered 429") => Closing::Locked,
            _ => Closing::Refused,
        }
    }

    /// The session a sign-up opened, as an identity: the page the sign-up led to is read
    /// with it, for the CSRF token its forms carry (and to see it is not sent to log in).
    async fn signed_up_session(
        &self,
        executor: &Executor,
        opened: OpenedSession,
        account: &RegisteredAccount,
    ) -> Option<Identity> {
        let template = self.template.as_ref()?;
        let OpenedSession {
            mut jar,
            set,
            after,
        } = opened;
        // Only a session cookie of the name logins set is a logged-in session.
        match &template.credential {
            identity::Credential::Cookie { name, .. } if set.contains(name) => {}
            _ => return None,
        }
        let mut page = Request::new("GET", after.clone());
        if let Some(cookies) = jar.header() {
            page.headers.push(("Cookie".into(), cookies));
        }
        let exchange = executor.send(page).await;
        if !crate::http::outcome::accepted(&exchange) {
            return None;
        }
        let response = exchange.response()?;
        jar.absorb(response);
        let csrf = crate::session::csrf_token(&after, &response.text()).map(|(_, token)| token);
        let names = identity::Account {
            username: account.username.clone(),
            email: account.email.clone(),
        };
        template.opened_by_signup(&account.label(), &jar, csrf, names)
    }

    /// Logs in as a tracked account: with its password, else with the ones it had before a
    /// probe's change.
    async fn log_in_tracked(&self, executor: &Executor, index: usize) -> Result<Identity, String> {
        let tracked = &self.accounts[index];
        let mut result = self.log_in(executor, &tracked.account).await;
        for earlier in tracked.earlier_passwords.iter().rev() {
            if result.is_ok() {
                break;
            }
            let account = RegisteredAccount {
                password: earlier.clone(),
                ..tracked.account.clone()
            };
            result = self.log_in(executor, &account).await;
        }
        result
    }

    /// An account the run made, logged in, lent to the checks whose probes would change the
    /// caller's own password or e-mail: they go as this account, never as a configured identity.
    /// `None` when no sign-up made one (or none logs in; one without a session is logged
    /// into). Returns its index, for
    /// [`AccountTracker::give_back`], and its session.
    pub async fn lend(&mut self, executor: &Executor) -> Option<(usize, Identity)> {
        // The newest first: the one [`lent_signup`] made for the purpose.
        for index in (0..self.accounts.len()).rev() {
            let tracked = &self.accounts[index];
            if tracked.closed || tracked.lent || tracked.account.made == 0 {
                continue;
            }
            if tracked.session.is_none() {
                let account = tracked.account.clone();
                self.accounts[index].session = self.log_in(executor, &account).await.ok();
            }
            if let Some(session) = self.accounts[index].session.clone() {
                self.accounts[index].lent = true;
                return Some((index, session));
            }
        }
        None
    }

    /// Takes a lent account back with its session as the checks left it and what their
    /// accepted requests set (a new password or e-mail), so that it is closed like the others.
    pub fn give_back(&mut self, index: usize, session: Identity, changes: &[AccountChange]) {
        let Some(tracked) = self.accounts.get_mut(index) else {
            return;
        };
        for change in changes {
            if let Some(password) = &change.password
                && *password != tracked.account.password
            {
                let old = std::mem::replace(&mut tracked.account.password, password.clone());
                tracked.earlier_passwords.push(old);
            }
            if let Some(email) = &change.email {
                tracked.account.email = Some(email.clone());
            }
        }
        tracked.session = Some(session);
        tracked.lent = false;
    }

    /// Closes every account not closed yet, through the app's own account closing, as itself
    /// (as many times as sign-ups named it, while it still logs in). Returns what could not be
    /// closed, named.
    pub async fn close(&mut self, executor: &Executor, spec: &ApiSpec, base: &Url) -> Vec<String> {
        let open: Vec<usize> = (0..self.accounts.len())
            .filter(|&i| !self.accounts[i].closed)
            .collect();
        if open.is_empty() {
            return Vec::new();
        }
        let names = |indexes: &[usize], accounts: &[Tracked]| {
            let mut listed: Vec<String> = indexes
                .iter()
                .take(5)
                .map(|&i| accounts[i].account.label())
                .collect();
            if indexes.len() > 5 {
                listed.push(format!("and {} more", indexes.len() - 5));
            }
            listed.join(", ")
        };
        let Some(close) = closing_operation(spec) else {
            for &i in &open {
                self.accounts[i].closed = true;
            }
            return vec![format!(
                "{} account(s) the sign-up probes made ({}): no operation closes an account",
                open.len(),
                names(&open, &self.accounts)
            )];
        };
        let Ok(url) = identity::join(base, &close.path) else {
            return Vec::new();
        };
        let mut failed = Vec::new();
        for &index in &open {
            let made = self.accounts[index].account.made;
            let mut closed = 0;
            let mut locked = false;
            for attempt in 0..made {
                // The session kept since the account was made, then the sessions its sign-ups
                // opened, then fresh logins for the duplicates an app that checks no names made.
                if attempt == 0
                    && let Some(session) = self.accounts[index].session.take()
                {
                    let mut request = Request::new(&close.method, url.clone());
                    session.apply(&mut request);
                    if crate::http::outcome::accepted(&executor.send(request).await) {
                        closed += 1;
                        continue;
                    }
                }
                match self.close_once(executor, index, &close.method, &url).await {
                    Closing::Closed => closed += 1,
                    Closing::Refused => break,
                    Closing::Locked => {
                        locked = true;
                        break;
                    }
                }
            }
            self.accounts[index].closed = true;
            self.accounts[index].closes += closed;
            if self.accounts[index].closes == 0 || locked {
                failed.push(index);
            }
        }
        // A name the app took as another spelling of one the run signed up (`ADA` for `ada`,
        // a full-width letter) named the same account: closed as that one, it is not left.
        failed.retain(|&index| {
            let key = folded(&self.accounts[index].account.key());
            !self.accounts.iter().enumerate().any(|(other, tracked)| {
                other != index && tracked.closes > 0 && folded(&tracked.account.key()) == key
            })
        });
        if failed.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{} account(s) the sign-up probes made could not be closed through {} ({})",
                failed.len(),
                close.label(),
                names(&failed, &self.accounts)
            )]
        }
    }
}

/// A name as apps that fold names compare it: lower case, full-width letters and digits as
/// their ASCII forms (what NFKC does to them).
fn folded(name: &str) -> String {
    name.chars()
        .map(|c| match c as u32 {
            code @ 0xff01..=0xff5e => char::from_u32(code - 0xff01 + 0x21).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{exchange, operation};

    fn signup(body: &str, status: u16, location: &str) -> Exchange {
        let mut sent = exchange(
            "POST",
            "http://127.0.0.1:5000/register",
            status,
            &[("Location", location)],
            "",
        );
        sent.request.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        sent.request.body = Some(body.as_bytes().to_vec().into());
        sent
    }

    #[test]
    fn an_accepted_change_of_the_own_account_says_what_it_set() {
        let change = |path: &str, body: &str, status: u16, location: &str| {
            let mut sent = signup(body, status, location);
            sent.request.url = Url::parse(&format!("http://127.0.0.1:5000{path}")).expect("url");
            account_change(&sent)
        };
        assert_eq!(
            change(
                "/profile/password",
                "current_password=old&password=N3w&password_again=N3w",
                302,
                "/profile"
            ),
            Some(AccountChange {
                password: Some("N3w".into()),
                email: None
            })
        );
        assert_eq!(
            change(
                "/account",
                "email=new%40example.com&bio=hi",
                302,
                "/account"
            ),
            Some(AccountChange {
                password: None,
                email: Some("new@example.com".into())
            })
        );
        // Refused (the form came back), or nothing of the account's credentials in it.
        assert_eq!(
            change(
                "/profile/password",
                "password=N3w&password_again=N3w",
                400,
                ""
            ),
            None
        );
        assert_eq!(change("/profile", "bio=hi", 302, "/profile"), None);
    }

    #[test]
    fn names_fold_as_apps_that_fold_them() {
        assert_eq!(folded("VIBEGUARD_9302"), folded("vibeguard_9302"));
        assert_eq!(folded("\u{ff56}ibeguard_9304"), "vibeguard_9304");
        assert_ne!(folded("vibeguard_9302"), folded("vibeguard_9303"));
    }

    #[test]
    fn a_sign_up_without_an_e_mail_keeps_the_e_mail_another_gave_the_account() {
        let mut spec = crate::checks::testing::Fixture::new().spec;
        spec.operations = vec![operation("POST", "/register", false)];
        // The probe that leaves the e-mail out first, then the full sign-up: in either order
        // the account logs in with the e-mail.
        let without = signup("username=vg_1&password=P1&password_again=P1", 302, "/");
        let with = signup(
            "username=vg_1&email=vg1%40example.com&password=P1&password_again=P1",
            302,
            "/",
        );
        for exchanges in [
            vec![without.clone(), with.clone()],
            vec![with.clone(), without.clone()],
        ] {
            let accounts = registered_accounts(&spec, &exchanges, "/");
            assert_eq!(accounts.len(), 1);
            assert_eq!(accounts[0].email.as_deref(), Some("vg1@example.com"));
            assert_eq!(accounts[0].made, 2);
        }
    }

    #[test]
    fn accepted_sign_ups_are_the_accounts_the_run_made() {
        let mut spec = crate::checks::testing::Fixture::new().spec;
        spec.operations = vec![
            operation("POST", "/register", false),
            operation("POST", "/profile/delete", true),
        ];
        let exchanges = vec![
            signup(
                "username=vg_1&email=vg1%40example.com&password=P1&password_again=P1",
                302,
                "/",
            ),
            // Refused: the form came back with its message (no Location): not an account.
            signup(
                "username=vg_2&email=vg2%40example.com&password=P2&password_again=X",
                400,
                "",
            ),
            // The same name again, with another password: the account now has that one.
            signup(
                "username=vg_1&email=vg1%40example.com&password=P3&password_again=P3",
                302,
                "/",
            ),
            signup(
                "username=vg_3&email=vg3%40example.com&password=P4&password_again=P4",
                302,
                "/login",
            ),
        ];
        let accounts = registered_accounts(&spec, &exchanges, "/");
        assert_eq!(
            accounts,
            [
                RegisteredAccount {
                    username: Some("vg_1".into()),
                    email: Some("vg1@example.com".into()),
                    password: "P3".into(),
                    made: 2,
                },
                RegisteredAccount {
                    username: Some("vg_3".into()),
                    email: Some("vg3@example.com".into()),
                    password: "P4".into(),
                    made: 1,
                }
            ]
        );
        assert_eq!(
            closing_operation(&spec).map(Operation::label).as_deref(),
            Some("POST /profile/delete")
        );
    }
}
