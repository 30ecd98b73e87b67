//! VG107 server-side-request-forgery: the server fetches a URL whose host comes from the
//! request.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::label::{Kinds, Label, Prefix};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::language::Language;

/// The rule.
#[derive(Debug)]
pub struct ServerSideRequestForgery;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG107"),
    name: Cow::Borrowed("server-side-request-forgery"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Server fetches a URL controlled by the request"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[918]),
    owasp_api: Some(OwaspApi::Api7ServerSideRequestForgery),
    checklist: Cow::Borrowed(&[ChecklistId::Input04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "An outgoing HTTP request whose URL (its scheme and host) comes from request data: \
             `fetch`, axios (`axios(url)`, `axios.get`, `{ url }` options), got, node-fetch, \
             undici, superagent, needle, `http(s).get/request`; Python requests, httpx, \
             `urllib.request.urlopen`, aiohttp and urllib3. URLs whose host is fixed \
             (`https://api.example.com/items/${id}`, `${API_BASE}/x`) and URLs checked against \
             an allowlist of hosts are safe. \
             Go: `http.Get`/`Post`, `http.NewRequest`, a client's `Get`.",
        ),
        why: Cow::Borrowed(
            "The server becomes the attacker's proxy into your network: cloud metadata \
             (`http://169.254.169.254/` hands out credentials), admin panels on localhost, \
             internal databases and services that trust the server.",
        ),
        example_bad: Cow::Borrowed("const preview = await fetch(req.body.url);"),
        example_fixed: Cow::Borrowed(
            "const url = new URL(req.body.url);\nif (!ALLOWED_HOSTS.includes(url.hostname)) return res.status(400).end();\nconst preview = await fetch(url);",
        ),
        fix: Cow::Borrowed(
            "Fix the host in code and put input only in the path or query, or parse the URL and \
             allow only listed hosts over https; block private and link-local addresses.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/918.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
            ),
        ]),
    },
};

const CLIENT_ROOTS: &[&str] = &[
    "axios",
    "got",
    "node-fetch",
    "undici",
    "superagent",
    "needle",
    "request",
    "http",
    "https",
    "node:http",
    "node:https",
    "requests",
    "httpx",
    "urllib",
    "urllib3",
    "aiohttp",
    "ky",
    "cross-fetch",
    "isomorphic-fetch",
];

const CLIENT_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "urlopen", "stream",
    "fetch",
];

impl FlowRule for ServerSideRequestForgery {
    fn kind(&self) -> Kinds {
        kind::SSRF
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        if super::in_ruby(call) {
            let receiver = super::ruby_receiver(call);
            let client = match receiver.as_str() {
                "Net::HTTP" => matches!(
                    name,
                    "get" | "get_response" | "post_form" | "post" | "start"
                ),
                "URI" => name == "open",
                "HTTParty" | "Faraday" | "RestClient" | "Excon" | "HTTP" | "Typhoeus" | "HTTPX" => {
                    matches!(
                        name,
                        "get" | "post" | "put" | "patch" | "delete" | "head" | "new"
                    )
                }
                _ => false,
            };
            return if client {
                call.arg(0)
                    .or_else(|| call.option("url"))
                    .map(|value| SinkArg {
                        value,
                        note: "URL fetched by the server",
                    })
                    .into_iter()
                    .collect()
            } else {
                Vec::new()
            };
        }
        if super::in_go(call) {
            return go_sinks(call);
        }
        let qualified = call.qualified();
        let root = qualified.split(['.', '(']).next().unwrap_or("");
        // Python has no `request` client (it has `requests` and `urllib.request`): a chain
        // rooted at `request` is the web request (`request.app['db'].fetch(sql)`).
        let python = !call.project.modules[call.module]
            .language
            .is_javascript_family();
        if python && root == "request" {
            return Vec::new();
        }
        let is_client_call = if call.receiver().is_none() {
            matches!(
                name,
                "fetch" | "axios" | "got" | "needle" | "superagent" | "ky" | "request" | "urlopen"
            ) || (CLIENT_ROOTS.contains(&root) && CLIENT_METHODS.contains(&name))
        } else {
            (CLIENT_ROOTS.contains(&root)
                || qualified.contains("ClientSession()")
                || qualified.contains("AsyncClient()")
                || qualified.contains("Client()")
                || qualified.contains("axios.create()"))
                && CLIENT_METHODS.contains(&name)
        };
        if !is_client_call {
            return Vec::new();
        }
        // `requests.request('GET', url)`
        let url = if name == "request"
            && call
                .arg(0)
                .and_then(|a| a.as_str())
                .is_some_and(|m| m.chars().all(|c| c.is_ascii_uppercase()))
        {
            call.arg(1)
        } else {
            call.arg(0)
        };
        let url = url
            .map(|u| u.property("url").unwrap_or(u))
            .or_else(|| call.option("url"));
        url.map(|value| SinkArg {
            value,
            note: "URL fetched by the server",
        })
        .into_iter()
        .collect()
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        if label.request_part().is_none() || label.is_cleansed(kind::SSRF) {
            return false;
        }
        match &label.prefix {
            Prefix::Tainted => true,
            Prefix::Fixed => false,
            // The host is fixed once a `/` follows the scheme and host.
            Prefix::Static(text) => match text.split_once("://") {
                Some((_, after)) => !after.contains('/'),
                None => !text.starts_with('/'),
            },
        }
    }
}

/// Go: `http.Get`/`Head`/`Post`/`PostForm`, `http.NewRequest(method, url, body)` and its
/// `WithContext` form, and an `http.Client`'s `Get`/`Head`/`Post`/`PostForm` (a receiver whose
/// name says client), resty's `R().Get(url)`.
fn go_sinks<'a>(call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
    let name = super::go_name(call);
    let sink = |value| SinkArg {
        value,
        note: "URL fetched by the server",
    };
    let value = match name.as_str() {
        "http.Get" | "http.Head" | "http.Post" | "http.PostForm" => call.arg(0),
        "http.NewRequest" => call.arg(1),
        "http.NewRequestWithContext" => call.arg(2),
        _ => match call.name() {
            Some("Get" | "Head" | "Post" | "PostForm")
                if call.receiver().is_some_and(|r| {
                    let text = call.project.modules[call.module]
                        .text_of(r.range)
                        .to_ascii_lowercase();
                    text.ends_with("client")
                        || text.contains("http.defaultclient")
                        || text.ends_with(".r()")
                }) =>
            {
                call.arg(0)
            }
            _ => None,
        },
    };
    value.map(|v| vec![sink(v)]).unwrap_or_default()
}

impl CodeRule for ServerSideRequestForgery {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn flow(&self) -> Option<&dyn FlowRule> {
        Some(self)
    }

    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        super::report_flows(cx, &META, hits, out, |_, source| {
            format!("the server fetches a URL taken from {source}: allow only known hosts")
        });
        super::flow_applicability(cx, ChecklistId::Input04)
    }
}
