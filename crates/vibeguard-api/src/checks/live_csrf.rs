//! VG433 live-csrf: a state-changing request that another site makes a logged-in user's browser
//! send is carried out. For identities whose session travels in a cookie, each change is sent
//! the way a forged form would arrive: the session cookie, a foreign `Origin` and `Referer`,
//! and none of the CSRF tokens the app's pages carry. Accepted while the same request without
//! the session is refused means the session alone authorised it: a finding.
//!
//! Not subjects: identities whose credential is a header (bearer tokens, API keys — a browser
//! never adds them on its own), session cookies set `SameSite=Lax` or `Strict` (a browser does
//! not send them on another site's `POST`), logins and sign-ups, logouts.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, http_evidence, location};
use crate::http::outcome::{Outcome, outcome};
use crate::http::{Exchange, Request};
use crate::identity::Credential;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct LiveCsrf;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG433"),
    name: Cow::Borrowed("live-csrf"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "Another site can make a logged-in user's browser change things (cross-site request forgery)",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[352]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Auth08]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "For identities whose session is a cookie (session logins, `kind = \"cookie\"`), \
             every state-changing operation (`POST`, `PUT`, `PATCH`, `DELETE`, form deletions) \
             is sent as a page on another site would make the browser send it: with the session \
             cookie, `Origin: https://vibeguard-attacker.invalid`, a `Referer` on that host, and \
             without the CSRF token the app's pages carry (no token header, no token field). \
             The same request is sent without the session. A finding is a forged request \
             accepted — a 2xx, or a redirect that does not lead to the login page — where the \
             request without the session was refused. Session cookies set `SameSite=Lax` or \
             `Strict`, header credentials, logins, sign-ups and logouts are not tried.",
        ),
        why: Cow::Borrowed(
            "Any page the user visits while logged in can post a hidden form to the app: the \
             browser adds the session cookie, and the app deletes, changes or publishes as the \
             user.",
        ),
        example_bad: Cow::Borrowed(
            "app = Flask(__name__)\n@app.route('/entries/<int:id>/delete', methods=['POST'])\n@login_required\ndef delete_entry(id): ...",
        ),
        example_fixed: Cow::Borrowed(
            "app = Flask(__name__)\napp.config['SESSION_COOKIE_SAMESITE'] = 'Lax'\nCSRFProtect(app)",
        ),
        fix: Cow::Borrowed(
            "Check a CSRF token on every state-changing request (Flask-WTF's `CSRFProtect`, \
             Django's `CsrfViewMiddleware`, Rails' `protect_from_forgery`, `csrf-csrf` or \
             `csrf-sync` for Express), set the session cookie `SameSite=Lax` (or `Strict`), and \
             refuse requests whose `Origin` is another site.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/352.html"),
        ]),
    },
};

/// The site forged requests claim to come from (`.invalid` never resolves: RFC 2606).
pub const ATTACKER_ORIGIN: &str = "https://vibeguard-attacker.invalid";

const FORGED: &str = "forged";
const ANONYMOUS: &str = "without the session";

/// The first identity whose session a browser would send on its own: a cookie not set
/// `SameSite=Lax`/`Strict`.
fn cookie_identity(context: &Context<'_>) -> Option<usize> {
    context.identities.iter().position(|identity| {
        matches!(identity.credential, Credential::Cookie { .. })
            && !identity
                .session
                .as_ref()
                .and_then(|s| s.same_site.as_deref())
                .is_some_and(|s| s.eq_ignore_ascii_case("lax") || s.eq_ignore_ascii_case("strict"))
    })
}

/// Whether an operation changes state for the user (and is not a login, sign-up or logout).
fn changes_state(operation: &Operation) -> bool {
    (matches!(
        operation.method.as_str(),
        "POST" | "PUT" | "PATCH" | "DELETE"
    ) || operation.deletes())
        && super::auth_flows::flow(operation).is_none()
        && !operation.ends_session()
        && !operation.is_whole_target()
}

/// `request` as another site's page makes a browser send it: a foreign `Origin` and `Referer`,
/// and no CSRF token in a header or a form field.
pub fn forged(request: &Request) -> Request {
    let mut request = request.clone();
    request.headers.retain(|(name, _)| {
        let lower = name.to_ascii_lowercase();
        lower != "origin" && lower != "referer" && !crate::session::is_csrf_name(&lower)
    });
    request
        .headers
        .push(("Origin".into(), ATTACKER_ORIGIN.into()));
    request
        .headers
        .push(("Referer".into(), format!("{ATTACKER_ORIGIN}/offer.html")));
    if let Some((kind, mut fields)) = super::auth_flows::login_fields(&request) {
        let before = fields.len();
        fields.retain(|name, _| !crate::session::is_csrf_name(name));
        if fields.len() < before {
            request = super::auth_flows::with_login_fields(&request, kind, fields);
        }
    }
    request
}

impl Check for LiveCsrf {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        if !context
            .identities
            .iter()
            .any(|i| matches!(i.credential, Credential::Cookie { .. }))
        {
            return Some(
                "no identity's session is a cookie: header credentials (bearer tokens, API keys) are never sent by a browser on its own",
            );
        }
        cookie_identity(context).is_none().then_some(
            "every identity's session cookie is set SameSite=Lax or Strict: browsers do not send it on another site's requests",
        )
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(identity) = cookie_identity(context) else {
            return Vec::new();
        };
        if !changes_state(operation) {
            return Vec::new();
        }
        // A deletion takes the identity's second object: the first is the other users' to try
        // (VG402).
        let slot = u8::from(operation.deletes());
        let Some(request) = context.request(operation, Some(identity), slot) else {
            return Vec::new();
        };
        let forged = forged(&request);
        vec![
            Probe {
                label: FORGED.into(),
                identity: Some(identity),
                request: forged.clone(),
            },
            Probe {
                label: ANONYMOUS.into(),
                identity: None,
                request: forged,
            },
        ]
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let answer = |label: &str| results.iter().find(|(p, _)| p.label == label);
        let (Some((probe, forged)), Some((_, anonymous))) = (answer(FORGED), answer(ANONYMOUS))
        else {
            return Vec::new();
        };
        if outcome(forged) != Outcome::Accepted || outcome(anonymous) != Outcome::Refused {
            return Vec::new();
        }
        let name = probe
            .identity
            .and_then(|i| context.identities.get(i))
            .map_or("the identity", |i| i.name.as_str());
        vec![
            Finding::new(
                &META,
                location(operation, None),
                format!(
                    "{} carried out a request forged by another site with {name}'s session cookie (answered {}; Origin {ATTACKER_ORIGIN}, no CSRF token), and refused it without the session",
                    operation.label(),
                    forged.status().unwrap_or_default(),
                ),
                String::from("csrf"),
            )
            .with_evidence(http_evidence(forged))
            .with_evidence(http_evidence(anonymous)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, identity, operation};
    use crate::identity::SessionState;

    fn cookie_fixture(same_site: Option<&str>) -> Fixture {
        let mut fixture = Fixture::new();
        let mut ada = identity("ada", "1");
        ada.credential = Credential::Cookie {
            name: "session".into(),
            value: "s-ada".into(),
        };
        ada.session = Some(SessionState {
            other_cookies: Vec::new(),
            csrf: Some("tok".into()),
            same_site: same_site.map(str::to_string),
            login_page: None,
        });
        fixture.identities = vec![ada];
        fixture
    }

    fn answered(
        probes: &[Probe],
        forged: (u16, &str),
        anonymous: (u16, &str),
    ) -> Vec<(Probe, Exchange)> {
        probes
            .iter()
            .map(|p| {
                let (status, location) = if p.label == FORGED { forged } else { anonymous };
                let headers: Vec<(&str, &str)> = if location.is_empty() {
                    Vec::new()
                } else {
                    vec![("Location", location)]
                };
                (
                    p.clone(),
                    exchange(
                        &p.request.method,
                        p.request.url.as_str(),
                        status,
                        &headers,
                        "",
                    ),
                )
            })
            .collect()
    }

    #[test]
    fn a_forged_change_carried_out_with_the_session_cookie_is_found() {
        let fixture = cookie_fixture(None);
        let context = fixture.context();
        let op = operation("POST", "/entries", true);
        let probes = LiveCsrf.plan(&op, &context);
        assert_eq!(probes.len(), 2);
        let forged_request = &probes[0].request;
        assert_eq!(forged_request.header_value("origin"), Some(ATTACKER_ORIGIN));
        // Carried out: a redirect to the new object, while without the session it is the
        // login page.
        let found = LiveCsrf.evaluate(
            &op,
            &answered(&probes, (302, "/entries/9"), (302, "/login?next=/entries")),
            &context,
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("ada's session cookie"),
            "{}",
            found[0].message
        );
        // A token-checking app refuses it; an open operation is no forgery.
        assert!(
            LiveCsrf
                .evaluate(
                    &op,
                    &answered(&probes, (400, ""), (302, "/login")),
                    &context
                )
                .is_empty()
        );
        assert!(
            LiveCsrf
                .evaluate(&op, &answered(&probes, (201, ""), (201, "")), &context)
                .is_empty()
        );
    }

    #[test]
    fn the_forged_request_carries_no_token_and_the_identity_adds_none() {
        let mut request = Request::new(
            "POST",
            url::Url::parse("http://127.0.0.1:8080/entries").expect("url"),
        );
        request.headers.push(("X-CSRFToken".into(), "tok".into()));
        request.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        request.body = Some(b"title=x&csrf_token=tok".to_vec().into());
        let forged = forged(&request);
        assert!(forged.header_value("x-csrftoken").is_none());
        assert_eq!(forged.body.as_deref(), Some(&b"title=x"[..]));
    }

    #[test]
    fn same_site_cookies_and_header_credentials_are_not_subjects() {
        for same_site in ["Lax", "strict"] {
            let fixture = cookie_fixture(Some(same_site));
            let context = fixture.context();
            assert!(LiveCsrf.not_applicable(&context).is_some());
            assert!(
                LiveCsrf
                    .plan(&operation("POST", "/entries", true), &context)
                    .is_empty()
            );
        }
        let fixture = Fixture::new();
        assert!(LiveCsrf.not_applicable(&fixture.context()).is_some());
        let fixture = cookie_fixture(Some("None"));
        let context = fixture.context();
        assert!(LiveCsrf.not_applicable(&context).is_none());
        for (method, path) in [
            ("POST", "/login"),
            ("POST", "/register"),
            ("GET", "/logout"),
            ("GET", "/entries"),
        ] {
            assert!(
                LiveCsrf
                    .plan(&operation(method, path, false), &context)
                    .is_empty(),
                "{method} {path}"
            );
        }
    }
}
