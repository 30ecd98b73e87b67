//! VG423 session-lifecycle: a session that keeps working after logout, and a password-reset
//! token that works twice. Both are multi-step flows, run with a fresh login (never the
//! identity's own session) and, for resets, only on the account the configuration names:
//!
//! - logout: log in afresh as the first identity, read a secured operation with the new
//!   session, log out (the operation the description's `…/logout` path or `[api.session]
//!   logout` names), read again: a second success means the server never ended the session;
//! - reset: request a reset for `[api.session] reset_email`, take the token from
//!   `reset_token` (e.g. `${RESET_TOKEN}` from a test inbox) or, worse, from the answer itself,
//!   and confirm it twice with a new password: a second success means the token is reusable.

use std::borrow::Cow;

use serde_json::{Map, Value};
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, Location, OwaspApi, RuleDocs, RuleMeta,
    Severity,
};

use super::{Check, Context, Probe, exchange_labelled, fresh_login, http_evidence, jwt, with_body};
use crate::http::{Exchange, Request};
use crate::policy::OperationPattern;
use crate::spec::{Operation, SchemaType};

/// The check.
#[derive(Debug)]
pub struct SessionLifecycle;

/// The label of the fresh login page a session login starts from.
const LOGIN_PAGE: &str = "login-page";

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG423"),
    name: Cow::Borrowed("session-lifecycle"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Sessions survive logout, or a password-reset token can be used twice"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[613, 640]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth06, ChecklistId::Auth04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Logout: with a fresh login of the first identity (its own session is never touched), \
             a secured read succeeds, the logout operation (a path ending in `logout`/`signout`, or \
             `[api.session] logout = \"POST /auth/logout\"`) is called, and the same read is sent \
             again: it must be refused. Reset (when `[api.session]` names `reset_request`, \
             `reset_confirm` and `reset_email`): a reset is requested for that account, the token \
             is taken from `reset_token` (a value or `${VAR}`) or from the answer to the request, \
             and confirmed twice with a new strong password: the second confirmation must fail. A \
             token found in the answer to the reset request is reported as critical — anyone can \
             reset any account. The reset changes that account's password: name a test account.",
        ),
        why: Cow::Borrowed(
            "A session that outlives logout keeps a stolen token (or one left on a shared computer) \
             working until it expires, which for many APIs is never. A reset token that works twice \
             lets whoever sees it later — in a mail archive, a proxy log, browser history — take \
             the account over again.",
        ),
        example_bad: Cow::Borrowed(
            "app.post('/logout', (req, res) => res.clearCookie('token').sendStatus(204)); // the JWT stays valid",
        ),
        example_fixed: Cow::Borrowed(
            "app.post('/logout', auth, async (req, res) => { await revoked.add(req.token.jti, req.token.exp); res.clearCookie('token').sendStatus(204); });",
        ),
        fix: Cow::Borrowed(
            "End sessions on the server: delete the server-side session, or keep a revocation list \
             of token ids until they expire (and keep token lifetimes short). Store reset tokens \
             hashed, single-use and short-lived; mark them used in the same transaction that \
             changes the password; never return them in an API answer.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html",
            ),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// Password-reset and logout flows the configuration describes (`[api.session]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFlows {
    /// The logout operation (`POST /auth/logout`), when the description's paths do not say.
    pub logout: Option<String>,
    /// The operation that starts a reset (`POST /password-reset`).
    pub reset_request: Option<String>,
    /// The operation that completes it with the token (`POST /password-reset/confirm`).
    pub reset_confirm: Option<String>,
    /// The account whose password the reset test changes.
    pub reset_email: Option<String>,
    /// The token to confirm with, when the answer to the request does not carry it.
    pub reset_token: Option<String>,
}

/// A new password strong enough for any policy.
// vibeguard-ignore[VG202]: the password this check sets on the target's own test account, not a credential of ours
const NEW_PASSWORD: &str = "Vg-reset-7c1e!Xq42-long-enough";

fn operation_named<'a>(context: &'a Context<'_>, text: &str) -> Option<&'a Operation> {
    let pattern = OperationPattern::parse(text)?;
    context
        .spec
        .operations
        .iter()
        .find(|op| pattern.matches(op))
}

fn logout_operation<'a>(context: &'a Context<'_>) -> Option<&'a Operation> {
    match &context.session.logout {
        Some(text) => operation_named(context, text),
        None => context.spec.operations.iter().find(|op| op.ends_session()),
    }
}

fn reset_operations<'a>(
    context: &'a Context<'_>,
) -> Option<(&'a Operation, &'a Operation, &'a str)> {
    let flows = context.session;
    Some((
        operation_named(context, flows.reset_request.as_deref()?)?,
        operation_named(context, flows.reset_confirm.as_deref()?)?,
        flows.reset_email.as_deref()?,
    ))
}

/// Strings of a JSON answer under token-like keys, at any depth.
fn token_fields(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                let key = key.to_ascii_lowercase().replace(['_', '-'], "");
                if let Value::String(text) = field
                    && text.len() >= 8
                    && (key.ends_with("token") || key == "jwt" || key == "code" || key == "session")
                {
                    out.push(text.clone());
                }
                token_fields(field, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| token_fields(item, out)),
        _ => {}
    }
}

/// The session a fresh login answered with, in the form the identity sends it.
fn fresh_session(
    exchange: &Exchange,
    results: &[(Probe, Exchange)],
    context: &Context<'_>,
) -> Option<String> {
    // A form login says "logged in" with a redirect and a new session cookie — or, on an app
    // that keeps the login page's session, with none: the page's session is then the one.
    let response = exchange
        .response()
        .filter(|_| crate::http::outcome::accepted(exchange))?;
    let view = context.identities.first()?;
    if let crate::identity::Credential::Cookie { name, .. } = &view.credential {
        return response
            .headers_named("set-cookie")
            .find_map(|line| crate::identity::cookie_value(line, name))
            .or_else(|| {
                let page = exchange_labelled(results, LOGIN_PAGE)?;
                fresh_login::page_cookies(page)
                    .get(name)
                    .map(str::to_string)
            });
    }
    let mut found = Vec::new();
    token_fields(&response.json()?, &mut found);
    found.into_iter().next()
}

/// A request for `operation` with a body whose fields are filled by role: the email, the token,
/// the new password; other required fields synthesized.
fn reset_body(
    operation: &Operation,
    context: &Context<'_>,
    email: &str,
    token: Option<&str>,
) -> Option<Request> {
    let mut request = context.request(operation, None, 0)?;
    let body = operation.body.as_ref()?;
    let mut value = context
        .synthesizer(operation, "valid")
        .valid(&body.schema, "");
    let mut map = value.as_object().cloned().unwrap_or_else(Map::new);
    for (name, schema) in &body.schema.properties {
        if !schema.types.is_empty() && !schema.types.contains(&SchemaType::String) {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if lower.contains("email") || lower == "username" || lower == "login" {
            map.insert(name.clone(), Value::String(email.into()));
        } else if lower.contains("token") || lower == "code" || lower == "otp" {
            if let Some(token) = token {
                map.insert(name.clone(), Value::String(token.into()));
            }
        } else if lower.contains("password") {
            map.insert(name.clone(), Value::String(NEW_PASSWORD.into()));
        }
    }
    value = Value::Object(map);
    request.body = None;
    request
        .headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
    Some(with_body(request, body.kind, &body.media_type, &value))
}

fn succeeded(exchange: Option<&Exchange>) -> bool {
    exchange
        .and_then(|e| e.response())
        .is_some_and(|r| r.is_success())
}

/// The token to confirm with: configured, or found in the answer to the reset request (and
/// whether it came from there).
fn reset_token(results: &[(Probe, Exchange)], context: &Context<'_>) -> Option<(String, bool)> {
    if let Some(token) = &context.session.reset_token {
        return Some((token.clone(), false));
    }
    let answer = exchange_labelled(results, "reset-request")?.response()?;
    let mut found = Vec::new();
    token_fields(&answer.json()?, &mut found);
    found.into_iter().next().map(|token| (token, true))
}

impl Check for SessionLifecycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sequential(&self) -> bool {
        true
    }

    fn disruptive(&self) -> bool {
        true
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        let logout = context
            .identities
            .first()
            .is_some_and(|v| v.login.is_some())
            && logout_operation(context).is_some()
            && jwt::target_operation(context).is_some();
        (!logout && reset_operations(context).is_none()).then_some(
            "needs a login identity and a logout operation, or a reset flow in [api.session]",
        )
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let mut probes = Vec::new();
        // A fresh login: a session login from its page fetched afresh (never on the
        // identity's own session), a token login as it was sent.
        if let (Some(view), Some(_)) = (context.identities.first(), logout_operation(context)) {
            if let Some(page) = fresh_login::page_probe(view, LOGIN_PAGE) {
                probes.push(page);
            } else if let Some(login) = fresh_login::login_request(view, &[], LOGIN_PAGE) {
                probes.push(Probe {
                    label: "login".into(),
                    identity: None,
                    request: login,
                });
            }
        }
        if let Some((request_op, _, email)) = reset_operations(context)
            && let Some(request) = reset_body(request_op, context, email, None)
        {
            probes.push(Probe {
                label: "reset-request".into(),
                identity: None,
                request,
            });
        }
        probes
    }

    fn follow_up(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let mut probes = Vec::new();
        let view = context.identities.first();
        if let Some(view) = view
            && logout_operation(context).is_some()
            && exchange_labelled(results, "login").is_none()
            && exchange_labelled(results, LOGIN_PAGE).is_some()
            && let Some(login) = fresh_login::login_request(view, results, LOGIN_PAGE)
        {
            probes.push(Probe {
                label: "login".into(),
                identity: None,
                request: login,
            });
        }
        let read = jwt::target_operation(context);
        if let (Some(view), Some((_, read)), Some(logout), Some(login)) = (
            view,
            read,
            logout_operation(context),
            exchange_labelled(results, "login"),
        ) && let Some(session) = fresh_session(login, results, context)
            // A login that hands out the identity's own token again (same claims, same second):
            // logging it out would end the session the run uses, so the test is skipped.
            && session != view.token
        {
            let as_fresh = |request: &Request| jwt::with_token(request, view, &session);
            if exchange_labelled(results, "before").is_none() {
                if let Some(logout_request) = context.request(logout, None, 0) {
                    probes.push(Probe {
                        label: "before".into(),
                        identity: None,
                        request: as_fresh(&read),
                    });
                    probes.push(Probe {
                        label: "logout".into(),
                        identity: None,
                        request: as_fresh(&logout_request),
                    });
                }
            } else if exchange_labelled(results, "after").is_none()
                && succeeded(exchange_labelled(results, "before"))
            {
                probes.push(Probe {
                    label: "after".into(),
                    identity: None,
                    request: as_fresh(&read),
                });
            }
        }
        if let Some((_, confirm, email)) = reset_operations(context)
            && exchange_labelled(results, "reset-confirm-1").is_none()
            && let Some((token, _)) = reset_token(results, context)
            && let Some(request) = reset_body(confirm, context, email, Some(&token))
        {
            probes.push(Probe {
                label: "reset-confirm-1".into(),
                identity: None,
                request: request.clone(),
            });
            probes.push(Probe {
                label: "reset-confirm-2".into(),
                identity: None,
                request,
            });
        }
        probes
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
        let mut findings = Vec::new();
        let logout_ended = exchange_labelled(results, "logout")
            .and_then(|e| e.response())
            .is_some_and(|r| r.status < 400);
        if let (Some(logout), true, true, Some(after)) = (
            logout_operation(context),
            succeeded(exchange_labelled(results, "before")),
            logout_ended,
            exchange_labelled(results, "after").filter(|e| succeeded(Some(e))),
        ) {
            let mut finding = Finding::new(
                &META,
                Location::operation(&logout.method, &logout.path, None),
                format!(
                    "the session still works after {}: a fresh login's credential read {} {} again after logging out",
                    logout.label(),
                    after.request.method,
                    after.request.url.path()
                ),
                "logout".to_string(),
            )
            .with_evidence(http_evidence(after));
            if let Some(exchange) = exchange_labelled(results, "logout") {
                finding = finding.with_evidence(http_evidence(exchange));
            }
            findings.push(finding);
        }
        if let Some((_, confirm, _)) = reset_operations(context)
            && succeeded(exchange_labelled(results, "reset-confirm-1"))
            && let Some(second) =
                exchange_labelled(results, "reset-confirm-2").filter(|e| succeeded(Some(e)))
        {
            let leaked = reset_token(results, context).is_some_and(|(_, from_answer)| from_answer);
            let mut finding = Finding::new(
                &META,
                Location::operation(&confirm.method, &confirm.path, None),
                format!(
                    "the password-reset token works twice: {} accepted the same token a second time{}",
                    confirm.label(),
                    if leaked { "; and the token was in the answer to the reset request, so anyone can reset any account" } else { "" }
                ),
                "reset".to_string(),
            )
            .with_evidence(http_evidence(second));
            if leaked {
                finding = finding.with_severity(Severity::Critical);
                if let Some(request) = exchange_labelled(results, "reset-request") {
                    finding = finding.with_evidence(http_evidence(request));
                }
            }
            findings.push(finding.with_evidence(Evidence::Text {
                label: "note".into(),
                text: "the reset changed the configured account's password".into(),
            }));
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::spec::{BodyKind, RequestBody, Schema};

    fn string() -> Schema {
        Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        }
    }

    fn json_body(op: &mut Operation, fields: &[&str]) {
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: fields.iter().map(|f| (f.to_string(), string())).collect(),
                required: fields.iter().map(|f| f.to_string()).collect(),
                ..Schema::default()
            },
        });
    }

    fn fixture(session: SessionFlows) -> Fixture {
        let mut fixture = Fixture::new();
        let mut request_op = operation("POST", "/api/password-reset", false);
        json_body(&mut request_op, &["email"]);
        let mut confirm_op = operation("POST", "/api/password-reset/confirm", false);
        json_body(&mut confirm_op, &["token", "password"]);
        fixture.spec.operations = vec![
            operation("GET", "/api/me", true),
            operation("POST", "/api/logout", true),
            request_op,
            confirm_op,
        ];
        fixture.identities[0].login = Some(Request::new(
            "POST",
            url::Url::parse("http://127.0.0.1:8080/api/login").expect("url"),
        ));
        fixture.session = session;
        fixture
    }

    /// A server with sessions: `revokes` says whether logout ends them, `single_use` whether
    /// reset tokens are spent, `leaks` whether the reset answer carries the token.
    struct Server {
        revokes: bool,
        single_use: bool,
        leaks: bool,
    }

    fn run(session: SessionFlows, server: &Server) -> Vec<Finding> {
        let fixture = fixture(session);
        let context = fixture.context();
        if SessionLifecycle.not_applicable(&context).is_some() {
            return Vec::new();
        }
        let mut revoked = false;
        let mut used = 0;
        let mut answer = |probe: &Probe| {
            let path = probe.request.url.path().to_string();
            let bearer = probe
                .request
                .header_value("authorization")
                .unwrap_or_default()
                .to_string();
            let (status, body) = match path.as_str() {
                "/api/login" => (200, r#"{"token":"fresh-session-token-1"}"#.to_string()),
                "/api/me" if bearer.contains("fresh-session-token-1") && !revoked => {
                    (200, "{}".into())
                }
                "/api/me" => (401, "{}".into()),
                "/api/logout" => {
                    revoked = server.revokes;
                    (204, String::new())
                }
                "/api/password-reset" => (
                    200,
                    if server.leaks {
                        r#"{"sent":true,"resetToken":"reset-abcdef-123"}"#.into()
                    } else {
                        r#"{"sent":true}"#.into()
                    },
                ),
                "/api/password-reset/confirm" => {
                    let body =
                        String::from_utf8_lossy(probe.request.body.as_deref().unwrap_or_default())
                            .into_owned();
                    used += 1;
                    if body.contains("reset-abcdef-123") && (!server.single_use || used == 1) {
                        (200, r#"{"ok":true}"#.into())
                    } else {
                        (400, r#"{"error":"invalid token"}"#.into())
                    }
                }
                _ => (404, String::new()),
            };
            let mut recorded = exchange(
                &probe.request.method,
                probe.request.url.as_str(),
                status,
                &[],
                &body,
            );
            recorded.request = probe.request.clone();
            (probe.clone(), recorded)
        };
        let whole = Operation::whole_target();
        let mut results: Vec<(Probe, Exchange)> = Vec::new();
        for probe in SessionLifecycle.plan_target(&context) {
            let answered = answer(&probe);
            results.push(answered);
        }
        for _ in 0..3 {
            let more = SessionLifecycle.follow_up(&whole, &results, &context);
            if more.is_empty() {
                break;
            }
            for probe in more {
                let answered = answer(&probe);
                results.push(answered);
            }
        }
        SessionLifecycle.evaluate(&whole, &results, &context)
    }

    fn reset_flows(token: Option<&str>) -> SessionFlows {
        SessionFlows {
            logout: None,
            reset_request: Some("POST /api/password-reset".into()),
            reset_confirm: Some("POST /api/password-reset/confirm".into()),
            reset_email: Some("carol@example.com".into()),
            reset_token: token.map(str::to_string),
        }
    }

    #[test]
    fn a_session_that_survives_logout_is_found_and_a_revoked_one_is_not() {
        let open = Server {
            revokes: false,
            single_use: true,
            leaks: false,
        };
        let findings = run(SessionFlows::default(), &open);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].message.contains("after POST /api/logout"));
        let closed = Server {
            revokes: true,
            single_use: true,
            leaks: false,
        };
        assert!(run(SessionFlows::default(), &closed).is_empty());
    }

    #[test]
    fn reusable_reset_tokens_are_found_and_leaked_ones_are_critical() {
        let reusable = Server {
            revokes: true,
            single_use: false,
            leaks: true,
        };
        let findings = run(reset_flows(None), &reusable);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Critical);
        // A token from the configuration, the answer silent: high.
        let quiet = Server {
            revokes: true,
            single_use: false,
            leaks: false,
        };
        let findings = run(reset_flows(Some("reset-abcdef-123")), &quiet);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::High);
        // Single-use tokens pass.
        let good = Server {
            revokes: true,
            single_use: true,
            leaks: true,
        };
        assert!(run(reset_flows(None), &good).is_empty());
        // Without a token to use, nothing is claimed.
        assert!(run(reset_flows(None), &quiet).is_empty());
    }

    #[test]
    fn without_a_login_identity_or_flows_the_check_says_why() {
        let mut fixture = fixture(SessionFlows::default());
        fixture.identities[0].login = None;
        assert!(
            SessionLifecycle
                .not_applicable(&fixture.context())
                .is_some()
        );
    }
}
