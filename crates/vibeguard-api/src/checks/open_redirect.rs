//! VG421 live-open-redirect: a redirect-like parameter (`next`, `url`, `redirect`, `return_to`, …)
//! sends the browser to any host. The parameter is pointed at a host that does not exist
//! (`vibeguard-canary.invalid`, in the spellings that slip past naive checks); an answer whose
//! `Location` (or `Refresh`, or meta refresh) leads there is the finding. Redirects are never
//! followed, so nothing is ever sent to that host.

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::inputs::{InjectionPoint, Slot, Template, normalised_name};
use super::{Check, Context, Probe, Profile, fresh_login, http_evidence, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct OpenRedirect;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG421"),
    name: Cow::Borrowed("live-open-redirect"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A redirect parameter sends users to any site"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[601]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Parameters and body fields named like redirect targets (`next`, `url`, `redirect`, \
             `redirect_uri`, `return_to`, `returnUrl`, `continue`, `goto`, `dest`, `callback`, …) are \
             set to `https://vibeguard-canary.invalid/`, and (standard and deep profiles) to the \
             spellings that get past prefix and slash checks: `//host`, `/\\host`, \
             `https://<target>.vibeguard-canary.invalid`, `https://<target>@vibeguard-canary.invalid`. \
             Authentication routes (login, logout, callback, SSO) are also tried with the usual \
             undocumented names, and a login with the first identity's own login replayed (a \
             login redirects where `next` says only once it succeeds; the replay opens a fresh \
             session and leaves the identity's own alone). A finding is an answer whose `Location` header, `Refresh` header \
             or meta refresh resolves to that host; the redirect is never followed.",
        ),
        why: Cow::Borrowed(
            "A link on the real domain that lands on the attacker's site makes phishing credible, \
             and in OAuth and login flows it hands tokens and codes to the attacker's host.",
        ),
        example_bad: Cow::Borrowed("res.redirect(req.query.next);"),
        example_fixed: Cow::Borrowed(
            "const next = req.query.next;\nres.redirect(typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\\\') ? next : '/');",
        ),
        fix: Cow::Borrowed(
            "Redirect only to paths on the same site (a single leading `/`, no `//` or `/\\`), or \
             map a short key onto an allowlist of destinations; validate `redirect_uri` against the \
             registered ones exactly.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/601.html"),
        ]),
    },
};

/// The host redirects are pointed at: `.invalid` never resolves (RFC 2606).
pub const CANARY_HOST: &str = "vibeguard-canary.invalid";

/// Names of redirect-like inputs (compared without `_`, `-` and case).
const REDIRECT_NAMES: &[&str] = &[
    "next",
    "url",
    "redirect",
    "redirecturl",
    "redirecturi",
    "redirectto",
    "return",
    "returnto",
    "returnurl",
    "returnpath",
    "continue",
    "continueurl",
    "goto",
    "dest",
    "destination",
    "target",
    "callback",
    "callbackurl",
    "forward",
    "forwardurl",
    "to",
    "out",
    "back",
    "backurl",
    "successurl",
    "cancelurl",
    "failureurl",
    "logouturl",
    "loginurl",
    "rurl",
    "r",
    "u",
    "link",
    "location",
    "redir",
    "origin",
    "from",
    "ref",
];

/// Names tried on authentication routes although the description does not list them.
const UNDOCUMENTED_NAMES: &[&str] = &["next", "redirect", "returnTo", "url"];

/// The label prefix of the login pages a session login's replays start from.
const PAGE: &str = "login-page:";

/// Whether an input's name says it is a redirect target.
pub fn is_redirect_name(name: &str) -> bool {
    REDIRECT_NAMES.contains(&normalised_name(name).as_str())
}

fn is_auth_route(operation: &Operation) -> bool {
    let path = operation.path.to_ascii_lowercase();
    [
        "login", "logout", "signin", "signout", "sign-in", "sign-out", "callback", "sso", "oauth",
        "auth",
    ]
    .iter()
    .any(|word| path.contains(word))
}

/// The redirect payloads for a target host.
fn payloads(target_host: &str, profile: Profile) -> Vec<String> {
    let mut payloads = vec![
        format!("https://{CANARY_HOST}/"),
        format!("//{CANARY_HOST}/"),
    ];
    if profile != Profile::Quick {
        payloads.push(format!("/\\{CANARY_HOST}/"));
        payloads.push(format!("https://{target_host}.{CANARY_HOST}/"));
        payloads.push(format!("https://{target_host}@{CANARY_HOST}/"));
    }
    payloads
}

/// Where an answer sends the browser, resolved against the request URL.
fn destination(exchange: &Exchange) -> Option<url::Url> {
    let response = exchange.response()?;
    let raw = if (300..400).contains(&response.status) {
        response.header("location").map(str::to_string)
    } else {
        None
    }
    .or_else(|| {
        response
            .header("refresh")
            .and_then(|r| r.split_once("url=").or_else(|| r.split_once("URL=")))
            .map(|(_, url)| url.trim().to_string())
    })
    .or_else(|| {
        let text = response.text();
        let lower = text.to_ascii_lowercase();
        let at = lower.find("http-equiv=\"refresh\"")?;
        let content = &text[at..];
        let start = content.to_ascii_lowercase().find("url=")? + 4;
        let end = content[start..].find(['"', '\''])?;
        Some(content[start..start + end].trim().to_string())
    })?;
    // Browsers read a backslash as a slash in the authority.
    exchange.request.url.join(&raw.replace('\\', "/")).ok()
}

fn leads_to_canary(exchange: &Exchange) -> bool {
    destination(exchange).is_some_and(|url| {
        url.host_str()
            .is_some_and(|host| host == CANARY_HOST || host.ends_with(&format!(".{CANARY_HOST}")))
    })
}

impl OpenRedirect {
    fn template(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        let mut template = Template::of(operation, context, 32)?;
        template.points.retain(|point| {
            matches!(point.slot, Slot::Query(_) | Slot::Body(_)) && is_redirect_name(point.name())
        });
        Some(template)
    }
}

impl Check for OpenRedirect {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let host = context.base.host_str().unwrap_or("localhost").to_string();
        let mut probes = Vec::new();
        for point in &template.points {
            for (index, payload) in payloads(&host, context.profile).into_iter().enumerate() {
                probes.push(template.probe(
                    format!("{}#{index}", point.label()),
                    template.with(point, &Value::String(payload)),
                ));
            }
        }
        // A login redirects where `next` says only once it succeeds: the first identity's own
        // login is replayed (a fresh session; its own is untouched) with each usual name.
        if context.profile != Profile::Quick
            && super::auth_flows::flow(operation) == Some(super::auth_flows::Flow::Login)
            && let Some(login) = context.identities.first().and_then(|i| i.login.as_ref())
            && login.method == operation.method
            && crate::lifecycle::path_values(
                &operation.path,
                login
                    .url
                    .path()
                    .strip_prefix(context.base.path().trim_end_matches('/'))
                    .unwrap_or(login.url.path()),
            )
            .is_some()
        {
            let payload = format!("https://{CANARY_HOST}/");
            let view = &context.identities[0];
            for name in UNDOCUMENTED_NAMES {
                // A session login starts from its page, fetched afresh (`follow_up`).
                if let Some(page) = fresh_login::page_probe(view, &format!("{PAGE}{name}")) {
                    probes.push(page);
                    continue;
                }
                let mut replayed = login.clone();
                replayed.url.query_pairs_mut().append_pair(name, &payload);
                probes.push(Probe {
                    label: format!("query:{name}#login"),
                    identity: None,
                    request: replayed,
                });
            }
        }
        if template.points.is_empty()
            && operation.method == "GET"
            && context.profile != Profile::Quick
            && is_auth_route(operation)
        {
            let payload = format!("https://{CANARY_HOST}/");
            for name in UNDOCUMENTED_NAMES {
                probes.push(template.probe(
                    format!("query:{name}#undocumented"),
                    template.with_query_pair(name, &payload),
                ));
            }
        }
        probes
    }

    fn follow_up(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let Some(view) = context.identities.first() else {
            return Vec::new();
        };
        let payload = format!("https://{CANARY_HOST}/");
        let mut probes = Vec::new();
        for (probe, _) in results {
            let Some(name) = probe.label.strip_prefix(PAGE) else {
                continue;
            };
            let label = format!("query:{name}#login");
            if results.iter().any(|(p, _)| p.label == label) {
                continue;
            }
            if let Some(mut replayed) = fresh_login::login_request(view, results, &probe.label) {
                replayed.url.query_pairs_mut().append_pair(name, &payload);
                probes.push(Probe {
                    label,
                    identity: None,
                    request: replayed,
                });
            }
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let mut findings: Vec<Finding> = Vec::new();
        for (probe, exchange) in results {
            let point = probe
                .label
                .split('#')
                .next()
                .unwrap_or_default()
                .to_string();
            if findings.iter().any(|f| f.identity == point) || !leads_to_canary(exchange) {
                continue;
            }
            let sent = exchange
                .request
                .url
                .query_pairs()
                .find(|(k, _)| Some(k.as_ref()) == point.strip_prefix("query:"))
                .map(|(_, v)| v.into_owned())
                .unwrap_or_else(|| format!("https://{CANARY_HOST}/"));
            let described = InjectionPoint {
                slot: match point.split_once(':') {
                    Some(("query", name)) => Slot::Query(name.to_string()),
                    _ => Slot::Body(
                        point
                            .trim_start_matches("body:/")
                            .split('/')
                            .map(str::to_string)
                            .collect(),
                    ),
                },
                original: Value::Null,
                numeric: false,
            }
            .describe();
            findings.push(
                Finding::new(
                    &META,
                    location(operation, Some(point.clone())),
                    format!(
                        "{} redirects to another host through {described}: `{sent}` answered with a redirect to {CANARY_HOST}",
                        operation.label()
                    ),
                    point,
                )
                .with_evidence(http_evidence(exchange)),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::spec::{ParamIn, Parameter, Schema, SchemaType};

    fn logout(documented: bool) -> Operation {
        let mut op = operation("GET", "/api/logout", false);
        if documented {
            op.parameters.push(Parameter {
                name: "next".into(),
                location: ParamIn::Query,
                required: false,
                schema: Schema {
                    types: vec![SchemaType::String],
                    ..Schema::default()
                },
            });
        }
        op
    }

    type Server<'a> = dyn Fn(&str) -> (u16, Vec<(&'static str, String)>, String) + 'a;

    fn run(op: &Operation, server: &Server<'_>) -> Vec<Finding> {
        let fixture = Fixture::new();
        let context = fixture.context();
        let results: Vec<(Probe, Exchange)> = OpenRedirect
            .plan(op, &context)
            .iter()
            .map(|probe| {
                let next = probe
                    .request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "next")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                let (status, headers, body) = server(&next);
                let headers: Vec<(&str, &str)> =
                    headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let mut recorded =
                    exchange("GET", probe.request.url.as_str(), status, &headers, &body);
                recorded.request = probe.request.clone();
                (probe.clone(), recorded)
            })
            .collect();
        OpenRedirect.evaluate(op, &results, &context)
    }

    #[test]
    fn a_redirect_to_any_host_is_found() {
        let findings = run(&logout(true), &|next| {
            (302, vec![("location", next.to_string())], String::new())
        });
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].identity, "query:next");
        // Undocumented names on an auth route.
        let findings = run(&logout(false), &|next| {
            (
                302,
                vec![(
                    "location",
                    if next.is_empty() {
                        "/".into()
                    } else {
                        next.to_string()
                    },
                )],
                String::new(),
            )
        });
        assert_eq!(findings.len(), 1, "{findings:?}");
    }

    #[test]
    fn naive_prefix_checks_are_bypassed_and_found() {
        // Allows anything that starts with "/": `//host` and `/\host` get through.
        let findings = run(&logout(true), &|next| {
            let location = if next.starts_with('/') {
                next.to_string()
            } else {
                "/".into()
            };
            (302, vec![("location", location)], String::new())
        });
        assert_eq!(findings.len(), 1);
        // Meta refresh in a page.
        let findings = run(&logout(true), &|next| {
            (
                200,
                vec![],
                format!(
                    "<html><head><meta http-equiv=\"refresh\" content=\"0;url={next}\"></head></html>"
                ),
            )
        });
        assert_eq!(findings.len(), 1);
    }

    #[test]
    fn same_site_redirects_are_fine() {
        // Only a single leading slash is followed; everything else goes home.
        let safe = |next: &str| {
            let ok = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
            let location = if ok { next.to_string() } else { "/".into() };
            (302, vec![("location", location)], String::new())
        };
        assert!(run(&logout(true), &safe).is_empty());
        // An absolute redirect to the target itself.
        assert!(
            run(&logout(true), &|_| {
                (
                    302,
                    vec![("location", "http://127.0.0.1:8080/home".into())],
                    String::new(),
                )
            })
            .is_empty()
        );
        // The value merely echoed in a JSON body.
        assert!(
            run(&logout(true), &|next| (
                200,
                vec![],
                format!("{{\"next\":{next:?}}}")
            ))
            .is_empty()
        );
    }

    #[test]
    fn names_are_recognised_in_their_spellings() {
        for name in [
            "next",
            "return_to",
            "returnTo",
            "redirect-uri",
            "RedirectURL",
            "continue",
        ] {
            assert!(is_redirect_name(name), "{name}");
        }
        for name in ["title", "nextPage", "redirects_count", "email"] {
            assert!(!is_redirect_name(name), "{name}");
        }
    }

    #[test]
    fn a_login_that_redirects_to_its_next_is_found_by_replaying_the_identitys_login() {
        let mut fixture = Fixture::new();
        let base = fixture.base.clone();
        let mut login = crate::http::Request::new("POST", base.join("/login").expect("url"));
        login.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        login.body = Some(b"username=ada&password=pw".to_vec().into());
        fixture.identities[0].login = Some(login);
        let context = fixture.context();
        let op = operation("POST", "/login", false);
        let probes = OpenRedirect.plan(&op, &context);
        let replayed: Vec<&Probe> = probes
            .iter()
            .filter(|p| p.label.ends_with("#login"))
            .collect();
        assert_eq!(replayed.len(), UNDOCUMENTED_NAMES.len());
        assert!(replayed.iter().all(|p| p.identity.is_none()
            && p.request.body.as_deref() == Some(&b"username=ada&password=pw"[..])));
        let answer = |probe: &Probe, location: &str| {
            let mut recorded = exchange(
                "POST",
                probe.request.url.as_str(),
                302,
                &[("location", location)],
                "",
            );
            recorded.request = probe.request.clone();
            (probe.clone(), recorded)
        };
        let followed: Vec<(Probe, Exchange)> = replayed
            .iter()
            .map(|p| {
                let next = p
                    .request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "next")
                    .map(|(_, v)| v.into_owned());
                answer(p, next.as_deref().unwrap_or("/"))
            })
            .collect();
        let found = OpenRedirect.evaluate(&op, &followed, &context);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].location.to_string().contains("query:next"),
            "{:?}",
            found[0].location
        );
        // A login that goes home whatever `next` says is fine.
        let home: Vec<(Probe, Exchange)> = replayed.iter().map(|p| answer(p, "/")).collect();
        assert!(OpenRedirect.evaluate(&op, &home, &context).is_empty());
        // Without a login identity, nothing is replayed.
        let fixture = Fixture::new();
        assert!(
            OpenRedirect
                .plan(&op, &fixture.context())
                .iter()
                .all(|p| !p.label.ends_with("#login"))
        );
    }
}
