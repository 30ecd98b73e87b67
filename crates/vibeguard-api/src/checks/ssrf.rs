//! VG422 live-ssrf: a URL the client sends is fetched by the server. When the target runs on this
//! machine, URL-like inputs are pointed at vibeguard's canary listener on 127.0.0.1, each with
//! its own path; a hit on that path proves the fetch. Targets elsewhere are never pointed at
//! this machine. In the deep profile, URL inputs are also pointed at the cloud metadata
//! address, and an answer that carries metadata (absent from the baseline) is the finding.

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::inputs::{InjectionPoint, Slot, Template, normalised_name};
use super::{Check, Context, Probe, Profile, http_evidence, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct Ssrf;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG422"),
    name: Cow::Borrowed("live-ssrf"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "The server fetches URLs the client chooses (server-side request forgery)",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[918]),
    owasp_api: Some(OwaspApi::Api7ServerSideRequestForgery),
    checklist: Cow::Borrowed(&[ChecklistId::Input04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Inputs that carry URLs (named `url`, `uri`, `link`, `src`, `image`, `avatar`, `webhook`, \
             `callback`, `feed`, `proxy`, `endpoint`, …, typed `format: uri`, or holding an http(s) \
             value) are set to a unique URL of vibeguard's canary listener — only when the target \
             itself is on the loopback interface, so that nothing outside this machine is involved. \
             The canary recording that URL proves the server fetched it. In the deep profile they are \
             also set to the cloud metadata service (`http://169.254.169.254/latest/meta-data/`, \
             `http://metadata.google.internal/computeMetadata/v1/`): metadata text in the answer, \
             absent from the baseline, is a finding on any target.",
        ),
        why: Cow::Borrowed(
            "A server that fetches what it is told reaches what the attacker cannot: cloud metadata \
             (and the credentials in it), internal admin panels, databases and services bound to \
             localhost, other tenants' networks.",
        ),
        example_bad: Cow::Borrowed("const image = await fetch(req.body.avatarUrl);"),
        example_fixed: Cow::Borrowed(
            "const url = new URL(req.body.avatarUrl);\nif (url.protocol !== 'https:' || !ALLOWED_IMAGE_HOSTS.has(url.hostname)) throw badRequest();",
        ),
        fix: Cow::Borrowed(
            "Fetch only from an allowlist of hosts and schemes, resolve the name and refuse private, \
             loopback and link-local addresses (also after redirects), and run fetchers without \
             access to metadata and internal networks.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/918.html"),
        ]),
    },
};

/// Names of URL-carrying inputs (compared without `_`, `-` and case).
const URL_NAMES: &[&str] = &[
    "url",
    "uri",
    "link",
    "href",
    "src",
    "source",
    "sourceurl",
    "image",
    "imageurl",
    "img",
    "imgurl",
    "avatar",
    "avatarurl",
    "picture",
    "pictureurl",
    "photo",
    "photourl",
    "icon",
    "iconurl",
    "logo",
    "logourl",
    "webhook",
    "webhookurl",
    "hook",
    "callback",
    "callbackurl",
    "feed",
    "feedurl",
    "rss",
    "fetch",
    "fetchurl",
    "proxy",
    "endpoint",
    "remote",
    "remoteurl",
    "fileurl",
    "file",
    "download",
    "downloadurl",
    "import",
    "importurl",
    "website",
    "site",
    "target",
    "targeturl",
    "server",
    "host",
    "document",
    "documenturl",
    "pdf",
    "page",
];

const METADATA_URLS: &[&str] = &[
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
];

const METADATA_MARKERS: &[&str] = &[
    "ami-id",
    "instance-id",
    "iam/security-credentials",
    "computeMetadata",
    "instance/service-accounts",
    "local-ipv4",
];

fn carries_url(point: &InjectionPoint) -> bool {
    matches!(point.slot, Slot::Query(_) | Slot::Body(_))
        && !point.numeric
        && (URL_NAMES.contains(&normalised_name(point.name()).as_str())
            || normalised_name(point.name()).ends_with("url")
            || normalised_name(point.name()).ends_with("uri")
            || point.original_text().starts_with("http://")
            || point.original_text().starts_with("https://"))
}

/// The canary path of one point of one operation.
fn token(operation: &Operation, point: &InjectionPoint) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in operation.label().bytes().chain(point.label().bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("vg-ssrf-{hash:016x}")
}

impl Ssrf {
    fn template(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        let mut template = Template::of(operation, context, 32)?;
        template.points.retain(carries_url);
        Some(template)
    }
}

impl Check for Ssrf {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        (context.canary.is_none() && context.profile != Profile::Deep).then_some(
            "the target is not on this machine, so no canary URL is given to it (the deep profile tries cloud metadata URLs instead)",
        )
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        if template.points.is_empty() {
            return Vec::new();
        }
        let mut probes = vec![template.probe("baseline".into(), template.request.clone())];
        for point in &template.points {
            if let Some(canary) = context.canary {
                let url = canary.url(&token(operation, point));
                probes.push(template.probe(
                    format!("{}#canary", point.label()),
                    template.with(point, &Value::String(url)),
                ));
            }
            if context.profile == Profile::Deep {
                for (index, url) in METADATA_URLS.iter().enumerate() {
                    probes.push(template.probe(
                        format!("{}#metadata:{index}", point.label()),
                        template.with(point, &Value::String((*url).to_string())),
                    ));
                }
            }
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let baseline_text: String = results
            .iter()
            .filter(|(p, _)| p.label == "baseline")
            .filter_map(|(_, e)| e.response().map(|r| r.text()))
            .collect();
        let mut findings = Vec::new();
        for point in &template.points {
            let sent = |suffix: &str| {
                results
                    .iter()
                    .find(|(p, _)| p.label == format!("{}#{suffix}", point.label()))
                    .map(|(_, e)| e)
            };
            let token = token(operation, point);
            let proof = if let (Some(canary), Some(exchange)) = (context.canary, sent("canary"))
                && canary.was_hit(&token)
            {
                Some((
                    exchange,
                    format!(
                        "the server fetched the canary URL given in {} (vibeguard's listener on 127.0.0.1 recorded /{token})",
                        point.describe()
                    ),
                ))
            } else {
                (0..METADATA_URLS.len()).find_map(|index| {
                    let exchange = sent(&format!("metadata:{index}"))?;
                    // The URL itself, echoed back, is not metadata.
                    let text = exchange
                        .response()?
                        .text()
                        .replace(METADATA_URLS[index], "");
                    let marker = METADATA_MARKERS
                        .iter()
                        .find(|m| text.contains(**m) && !baseline_text.contains(**m))?;
                    Some((
                        exchange,
                        format!(
                            "the answer to {} set to {} carries cloud metadata (`{marker}`)",
                            point.describe(),
                            METADATA_URLS[index]
                        ),
                    ))
                })
            };
            let Some((exchange, how)) = proof else {
                continue;
            };
            findings.push(
                Finding::new(
                    &META,
                    location(operation, Some(point.label())),
                    format!(
                        "{} fetches URLs the client chooses: {how}",
                        operation.label()
                    ),
                    point.label(),
                )
                .with_evidence(http_evidence(exchange))
                .with_evidence(Evidence::Text {
                    label: "canary".into(),
                    text: format!("path recorded: /{token}"),
                }),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::http::canary::Canary;
    use crate::spec::{BodyKind, RequestBody, Schema, SchemaType};

    fn avatar_operation() -> Operation {
        let string = || Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        };
        let mut op = operation("POST", "/api/users/me/avatar", true);
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: vec![("avatarUrl".into(), string()), ("caption".into(), string())],
                ..Schema::default()
            },
        });
        op
    }

    /// Plans with a canary whose hits are the paths a fake server "fetched".
    fn run(profile: Profile, fetches: bool, answer: &dyn Fn(&str) -> String) -> Vec<Finding> {
        let fixture = Fixture::new();
        let op = avatar_operation();
        let base = url::Url::parse("http://127.0.0.1:9/").expect("url");
        let planning = Canary::recorded(base.clone(), Vec::new());
        let mut context = fixture.context();
        context.profile = profile;
        context.canary = Some(&planning);
        let probes = Ssrf.plan(&op, &context);
        let mut hits = Vec::new();
        let results: Vec<(Probe, Exchange)> = probes
            .iter()
            .map(|probe| {
                let body: Value = probe
                    .request
                    .body
                    .as_ref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or(Value::Null);
                let url = body["avatarUrl"].as_str().unwrap_or_default().to_string();
                if fetches && let Some(path) = url.strip_prefix("http://127.0.0.1:9") {
                    hits.push(path.to_string());
                }
                let mut recorded =
                    exchange("POST", probe.request.url.as_str(), 200, &[], &answer(&url));
                recorded.request = probe.request.clone();
                (probe.clone(), recorded)
            })
            .collect();
        let after = Canary::recorded(base, hits);
        context.canary = Some(&after);
        Ssrf.evaluate(&op, &results, &context)
    }

    #[test]
    fn a_fetch_of_the_canary_is_found_on_the_url_field_only() {
        let findings = run(Profile::Standard, true, &|_| "{\"ok\":true}".into());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].identity, "body:/avatarUrl");
        assert!(run(Profile::Standard, false, &|_| "{\"ok\":true}".into()).is_empty());
    }

    #[test]
    fn metadata_in_the_answer_is_found_in_the_deep_profile() {
        let metadata = |url: &str| {
            if url.starts_with("http://169.254.169.254") {
                "ami-id\ninstance-id\nlocal-ipv4".to_string()
            } else {
                "{}".to_string()
            }
        };
        let findings = run(Profile::Deep, false, &metadata);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].message.contains("ami-id"));
        // A page that always lists the words is not a proof.
        assert!(
            run(Profile::Deep, false, &|_| "docs: ami-id, instance-id"
                .into())
            .is_empty()
        );
    }

    #[test]
    fn remote_targets_get_no_canary_and_the_check_says_why() {
        let fixture = Fixture::new();
        let context = fixture.context();
        assert!(Ssrf.not_applicable(&context).is_some());
        let mut deep = fixture.context();
        deep.profile = Profile::Deep;
        assert!(Ssrf.not_applicable(&deep).is_none());
        let probes = Ssrf.plan(&avatar_operation(), &deep);
        assert!(probes.iter().all(|p| {
            !String::from_utf8_lossy(p.request.body.as_deref().unwrap_or_default())
                .contains("127.0.0.1")
        }));
    }
}
