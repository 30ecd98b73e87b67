//! VG417 resource-limits: the API takes whatever size of request it is sent. Three probes per
//! operation: a body of 10 MB (the valid body with one field grown), a JSON body nested 10,000
//! levels deep, and a page size of 100,000 on list operations. Each must be refused (413, 400,
//! 422…); an answer that accepts it, fails with a 5xx, or does not come in time is a finding.

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::inputs::strip_body;
use super::{Check, Context, Probe, Profile, http_evidence, location, with_body};
use crate::http::{Exchange, Request, RequestError};
use crate::spec::{BodyKind, Operation, ParamIn};

/// The check.
#[derive(Debug)]
pub struct ResourceLimits;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG417"),
    name: Cow::Borrowed("resource-limits"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "Oversized bodies, deeply nested JSON or huge page sizes are accepted instead of refused",
    ),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[770, 400]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Input05, ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "For every operation that takes a body: the valid body with one text field (or the \
             uploaded file) grown to 10 MB, and (JSON bodies) the valid body with an extra field \
             nested 10,000 arrays deep. For every list operation with a page-size parameter \
             (`limit`, `per_page`, `pageSize`, `size`, `count`, `top`, `take`, `first`, …): the \
             parameter set to 100000. Each must be refused with a 4xx. A 2xx is reported (for page \
             sizes when the answer holds more items than the documented maximum or the default \
             page, or when the documented maximum is simply not enforced, the latter tentatively), \
             and so is a 5xx or no answer within the timeout. The quick profile sends only the page \
             sizes.",
        ),
        why: Cow::Borrowed(
            "Without limits one client exhausts memory, disk, CPU or the database: a 1 GB upload \
             fills the disk, a deeply nested document overflows a recursive parser's stack, \
             `limit=100000` makes the database read and serialise every row. It is also the cheapest \
             denial of service there is.",
        ),
        example_bad: Cow::Borrowed(
            "const upload = multer({ dest: 'uploads/' });\nconst limit = Number(req.query.limit);",
        ),
        example_fixed: Cow::Borrowed(
            "const upload = multer({ dest: 'uploads/', limits: { fileSize: 1_000_000 } });\napp.use(express.json({ limit: '100kb' }));\nconst limit = Math.min(Number(req.query.limit) || 20, 100);",
        ),
        fix: Cow::Borrowed(
            "Set a body size limit per route (framework default or lower; uploads by their purpose), \
             refuse JSON deeper than a few dozen levels, and clamp or refuse page sizes above a \
             documented maximum.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/770.html"),
        ]),
    },
};

/// Size of the oversized body.
pub const LARGE_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Depth of the nested JSON.
pub const NESTING_DEPTH: usize = 10_000;
/// The page size asked for.
pub const HUGE_PAGE_SIZE: u64 = 100_000;

/// Query parameter names that choose a page size.
const PAGE_SIZE_NAMES: &[&str] = &[
    "limit",
    "per_page",
    "perpage",
    "pagesize",
    "page_size",
    "size",
    "count",
    "top",
    "take",
    "first",
    "max",
    "maxresults",
    "max_results",
    "results",
    "rows",
    "num",
    "pagelimit",
];

fn is_page_size(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    PAGE_SIZE_NAMES.contains(&lower.as_str())
        || PAGE_SIZE_NAMES.contains(&lower.replace('_', "").as_str())
}

/// The 10 MB probe: the valid body with one field grown.
fn large_body_probe(operation: &Operation, context: &Context<'_>) -> Option<Probe> {
    let body = operation.body.as_ref()?;
    let identity = (!context.identities.is_empty()).then_some(0);
    let request = context.request(operation, identity, 0)?;
    let value = context
        .synthesizer(operation, "valid")
        .valid(&body.schema, "");
    let mut request = with_body(
        strip_body(&request),
        body.kind,
        &body.media_type,
        &with_grow_marker(&value),
    );
    // Grown when sent ([`grow_marked`]): every operation's 10 MB probe is planned before the
    // run starts, and held whole that would be 10 MB of memory each for the whole run.
    request
        .headers
        .push((GROW_HEADER.into(), LARGE_BODY_BYTES.to_string()));
    Some(Probe {
        label: "large-body".into(),
        identity,
        request,
    })
}

/// The header that marks a body to grow when sent (never sent itself): its value is the size.
const GROW_HEADER: &str = "X-Vibeguard-Grow-Body";

/// A request marked to grow ([`large_body_probe`]) with its body grown to the size asked and
/// the mark taken off; any other request as it is.
pub fn grow_marked(mut request: Request) -> Request {
    let Some(at) = request
        .headers
        .iter()
        .position(|(name, _)| name.eq_ignore_ascii_case(GROW_HEADER))
    else {
        return request;
    };
    let (_, size) = request.headers.remove(at);
    match size.parse::<usize>() {
        Ok(size) => grown_request(request, size.min(LARGE_BODY_BYTES)),
        Err(_) => request,
    }
}

/// Stands for the grown field's text until the body is encoded: letters and digits only, so
/// every encoding (JSON, form, multipart) writes it as it is.
const GROW_MARKER: &str = "vgGrowMarker9c2e4";

/// The valid body with its first text field (or an added `vgPadding`) set to [`GROW_MARKER`].
fn with_grow_marker(value: &Value) -> Value {
    let marker = Value::String(GROW_MARKER.into());
    match value {
        Value::Object(map) => {
            let mut marked = map.clone();
            if let Some((_, field)) = marked.iter_mut().find(|(_, v)| v.is_string()) {
                *field = marker;
            } else {
                marked.insert("vgPadding".into(), marker);
            }
            Value::Object(marked)
        }
        _ => marker,
    }
}

/// The encoded request with [`GROW_MARKER`] replaced by `size` bytes of `A`, built in one
/// allocation of the final size: a 10 MB body is never held twice, nor as a JSON value.
fn grown_request(mut request: Request, size: usize) -> Request {
    let Some(encoded) = request.body.take() else {
        return request;
    };
    let Some(at) = encoded
        .windows(GROW_MARKER.len())
        .position(|window| window == GROW_MARKER.as_bytes())
    else {
        request.body = Some(encoded);
        return request;
    };
    let tail = &encoded[at + GROW_MARKER.len()..];
    let mut grown = Vec::with_capacity(at + size + tail.len());
    grown.extend_from_slice(&encoded[..at]);
    grown.resize(at + size, b'A');
    grown.extend_from_slice(tail);
    request.body = Some(grown.into());
    request
}

/// The valid JSON body text with an extra field nested `depth` arrays deep (built as text:
/// a JSON value this deep would overflow the stack of any recursive code, ours included).
fn nested_body(value: &Value, depth: usize) -> Vec<u8> {
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    match value {
        Value::Object(map) if !map.is_empty() => {
            let text = value.to_string();
            let head = text.strip_suffix('}').unwrap_or(&text);
            format!("{head},\"vgNested\":{nested}}}").into_bytes()
        }
        Value::Object(_) => format!("{{\"vgNested\":{nested}}}").into_bytes(),
        _ => nested.into_bytes(),
    }
}

/// How many items an answer lists: a top-level array, or the longest array field.
fn items(exchange: &Exchange) -> Option<usize> {
    let value = exchange.response()?.json()?;
    match &value {
        Value::Array(items) => Some(items.len()),
        Value::Object(map) => map.values().filter_map(Value::as_array).map(Vec::len).max(),
        _ => None,
    }
}

impl Check for ResourceLimits {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if operation.deletes() || operation.is_whole_target() {
            return Vec::new();
        }
        let identity = (!context.identities.is_empty()).then_some(0);
        let Some(request) = context.request(operation, identity, 0) else {
            return Vec::new();
        };
        let mut probes = Vec::new();
        if let Some(body) = &operation.body
            && context.profile != Profile::Quick
            && matches!(operation.method.as_str(), "POST" | "PUT" | "PATCH")
        {
            let value = context
                .synthesizer(operation, "valid")
                .valid(&body.schema, "");
            // A JSON body's 10 MB probe follows the nested one (see `follow_up`): planned up
            // front, every operation's would sit in memory for the whole run.
            if body.kind != BodyKind::Json {
                probes.extend(large_body_probe(operation, context));
            }
            if body.kind == BodyKind::Json {
                let mut nested = strip_body(&request);
                nested
                    .headers
                    .push(("Content-Type".into(), body.media_type.clone()));
                nested.body = Some(nested_body(&value, NESTING_DEPTH).into());
                probes.push(Probe {
                    label: "nested-json".into(),
                    identity,
                    request: nested,
                });
            }
        }
        if operation.method == "GET"
            && let Some(parameter) = operation
                .parameters
                .iter()
                .find(|p| p.location == ParamIn::Query && is_page_size(&p.name))
        {
            probes.push(Probe {
                label: "page-default".into(),
                identity,
                request: request.clone(),
            });
            let mut huge = request.clone();
            let pairs: Vec<(String, String)> = huge
                .url
                .query_pairs()
                .filter(|(k, _)| *k != parameter.name.as_str())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .chain([(parameter.name.clone(), HUGE_PAGE_SIZE.to_string())])
                .collect();
            huge.url.query_pairs_mut().clear().extend_pairs(pairs);
            probes.push(Probe {
                label: format!("page-huge {}", parameter.name),
                identity,
                request: huge,
            });
        }
        probes
    }

    /// One operation at a time, nothing else in flight: a 10 MB body is held several times
    /// while it is sent (the probe, the request, the exchange), and eight at once would be a
    /// quarter of a gigabyte; a server choking on one should not make another check's
    /// answers slow.
    fn sequential(&self) -> bool {
        true
    }

    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        if results.iter().any(|(p, _)| p.label == "large-body")
            || !results.iter().any(|(p, _)| p.label == "nested-json")
        {
            return Vec::new();
        }
        large_body_probe(operation, context).into_iter().collect()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let default_items = results
            .iter()
            .find(|(p, _)| p.label == "page-default")
            .and_then(|(_, e)| items(e));
        for (probe, exchange) in results {
            let (what, parameter) = match probe.label.split_once(' ') {
                Some(("page-huge", name)) => ("page-huge", Some(name)),
                _ => (probe.label.as_str(), None),
            };
            let sent = match what {
                "large-body" => format!("a {} MB body", LARGE_BODY_BYTES / (1024 * 1024)),
                "nested-json" => format!("JSON nested {NESTING_DEPTH} levels deep"),
                "page-huge" => format!("`{}={HUGE_PAGE_SIZE}`", parameter.unwrap_or("limit")),
                _ => continue,
            };
            let (severity, confidence, outcome) = match &exchange.outcome {
                Err(RequestError::Timeout(limit)) => (
                    Severity::Medium,
                    Confidence::Firm,
                    format!("got no answer within {limit:?}"),
                ),
                Err(_) => continue,
                Ok(response) if response.status >= 500 => (
                    Severity::Medium,
                    Confidence::Confirmed,
                    format!("fails with HTTP {} instead of refusing it", response.status),
                ),
                Ok(response) if (200..300).contains(&response.status) => match what {
                    "large-body" => (
                        Severity::Medium,
                        Confidence::Confirmed,
                        format!("accepts it (HTTP {})", response.status),
                    ),
                    "nested-json" => (
                        Severity::Low,
                        Confidence::Confirmed,
                        format!("accepts it (HTTP {})", response.status),
                    ),
                    _ => {
                        let maximum = operation
                            .parameters
                            .iter()
                            .find(|p| Some(p.name.as_str()) == parameter)
                            .and_then(|p| p.schema.maximum);
                        let count = items(exchange);
                        let ceiling = maximum
                            .map(|m| m as usize)
                            .unwrap_or(0)
                            .max(default_items.unwrap_or(0))
                            .max(1);
                        let echoed = exchange.response().and_then(|r| r.json()).is_some_and(|v| {
                            parameter.and_then(|p| v.get(p)).and_then(Value::as_u64)
                                == Some(HUGE_PAGE_SIZE)
                        });
                        if count.is_some_and(|n| n > ceiling) {
                            (
                                Severity::Low,
                                Confidence::Confirmed,
                                format!(
                                    "returns {} items, more than {}",
                                    count.unwrap_or_default(),
                                    if maximum.is_some() {
                                        "its documented maximum"
                                    } else {
                                        "its default page"
                                    }
                                ),
                            )
                        } else if echoed {
                            (
                                Severity::Low,
                                Confidence::Firm,
                                "accepts it and says it used it".to_string(),
                            )
                        } else if let Some(maximum) = maximum {
                            (
                                Severity::Low,
                                Confidence::Tentative,
                                format!(
                                    "accepts it (HTTP {}) although the description says at most {maximum}",
                                    response.status
                                ),
                            )
                        } else {
                            continue;
                        }
                    }
                },
                Ok(_) => continue,
            };
            findings.push(
                Finding::new(
                    &META,
                    location(
                        operation,
                        Some(match parameter {
                            Some(name) => format!("query:{name}"),
                            None => what.to_string(),
                        }),
                    ),
                    format!("{} is sent {sent} and {outcome}", operation.label()),
                    what.to_string(),
                )
                .with_severity(severity)
                .with_confidence(confidence)
                .with_evidence(http_evidence(exchange)),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::spec::{Parameter, RequestBody, Schema, SchemaType};

    fn create_operation() -> Operation {
        let mut op = operation("POST", "/api/notes", true);
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: vec![(
                    "title".into(),
                    Schema {
                        types: vec![SchemaType::String],
                        ..Schema::default()
                    },
                )],
                required: vec!["title".into()],
                ..Schema::default()
            },
        });
        op
    }

    fn list_operation(maximum: Option<f64>) -> Operation {
        let mut op = operation("GET", "/api/notes", true);
        op.parameters.push(Parameter {
            name: "limit".into(),
            location: ParamIn::Query,
            required: false,
            schema: Schema {
                types: vec![SchemaType::Integer],
                maximum,
                ..Schema::default()
            },
        });
        op
    }

    type Server = dyn Fn(&Probe) -> Result<(u16, String), RequestError>;

    fn run(op: &Operation, server: &Server) -> (Vec<Probe>, Vec<Finding>) {
        let fixture = Fixture::new();
        let context = fixture.context();
        let mut probes = ResourceLimits.plan(op, &context);
        probes.extend(
            ResourceLimits.follow_up(
                op,
                &probes
                    .iter()
                    .map(|p| {
                        (
                            p.clone(),
                            exchange("GET", p.request.url.as_str(), 400, &[], ""),
                        )
                    })
                    .collect::<Vec<_>>(),
                &context,
            ),
        );
        let results: Vec<(Probe, Exchange)> = probes
            .iter()
            .map(|probe| {
                let mut recorded = exchange("GET", probe.request.url.as_str(), 200, &[], "");
                recorded.request = probe.request.clone();
                recorded.outcome = server(probe).map(|(status, body)| crate::http::Response {
                    status,
                    headers: Vec::new(),
                    body: body.into_bytes(),
                    truncated: false,
                });
                (probe.clone(), recorded)
            })
            .collect();
        let findings = ResourceLimits.evaluate(op, &results, &context);
        (probes, findings)
    }

    fn labels(findings: &[Finding]) -> Vec<String> {
        let mut labels: Vec<String> = findings.iter().map(|f| f.identity.clone()).collect();
        labels.sort();
        labels
    }

    #[test]
    fn a_grown_body_keeps_its_encoding_and_the_rest_of_its_fields() {
        let url = url::Url::parse("http://127.0.0.1:8080/x").expect("url");
        let form = grown_request(
            with_body(
                Request::new("POST", url.clone()),
                BodyKind::Form,
                "application/x-www-form-urlencoded",
                &with_grow_marker(&serde_json::json!({"count": 3, "title": "t", "tag": "u"})),
            ),
            64,
        );
        assert_eq!(
            form.body.as_deref(),
            Some(format!("count=3&tag={}&title=t", "A".repeat(64)).as_bytes())
        );
        // No text field to grow: one is added.
        let padded = grown_request(
            with_body(
                Request::new("POST", url),
                BodyKind::Json,
                "application/json",
                &with_grow_marker(&serde_json::json!({"count": 3})),
            ),
            16,
        );
        let value: Value =
            serde_json::from_slice(padded.body.as_deref().expect("body")).expect("json");
        assert_eq!(
            value,
            serde_json::json!({"count": 3, "vgPadding": "A".repeat(16)})
        );
    }

    #[test]
    fn bodies_are_grown_and_nested_as_planned() {
        let (probes, _) = run(&create_operation(), &|_| Ok((413, String::new())));
        let large = probes
            .iter()
            .find(|p| p.label == "large-body")
            .expect("large");
        // Planned small, grown as it is sent.
        assert!(large.request.body.as_ref().expect("body").len() < 1024);
        let sent = grow_marked(large.request.clone());
        assert!(sent.header_value(GROW_HEADER).is_none());
        let body = sent.body.as_ref().expect("body");
        assert!(body.len() >= LARGE_BODY_BYTES);
        let value: Value = serde_json::from_slice(body).expect("still valid JSON");
        assert_eq!(
            value["title"].as_str().map(str::len),
            Some(LARGE_BODY_BYTES)
        );
        let nested = probes
            .iter()
            .find(|p| p.label == "nested-json")
            .expect("nested");
        let text =
            String::from_utf8_lossy(nested.request.body.as_ref().expect("body")).into_owned();
        assert!(text.starts_with("{\"title\":"), "{}", &text[..40]);
        assert_eq!(text.matches('[').count(), NESTING_DEPTH);
        assert!(text.ends_with("]]}"));
    }

    #[test]
    fn refusals_pass_and_acceptance_failures_and_timeouts_do_not() {
        let (_, refused) = run(&create_operation(), &|_| Ok((413, "too large".into())));
        assert!(refused.is_empty());
        let (_, refused_400) = run(&create_operation(), &|_| Ok((400, "bad".into())));
        assert!(refused_400.is_empty());
        // A server that hangs up early (a common way to refuse a body) is not a finding.
        let (_, reset) = run(&create_operation(), &|_| {
            Err(RequestError::Connect("connection reset".into()))
        });
        assert!(reset.is_empty());
        let (_, accepted) = run(&create_operation(), &|_| Ok((201, "{}".into())));
        assert_eq!(labels(&accepted), ["large-body", "nested-json"]);
        let large = accepted
            .iter()
            .find(|f| f.identity == "large-body")
            .expect("large");
        assert_eq!(large.severity, Severity::Medium);
        let (_, crashed) = run(&create_operation(), &|p| {
            if p.label == "nested-json" {
                Ok((500, "RangeError: Maximum call stack size exceeded".into()))
            } else {
                Err(RequestError::Timeout(Duration::from_secs(10)))
            }
        });
        assert_eq!(labels(&crashed), ["large-body", "nested-json"]);
        assert!(crashed.iter().any(|f| f.message.contains("HTTP 500")));
    }

    #[test]
    fn huge_page_sizes_are_judged_by_what_comes_back() {
        fn list(n: usize) -> String {
            format!("[{}]", vec!["{\"id\":1}"; n].join(","))
        }
        // Returns everything it is asked for.
        let (probes, found) = run(&list_operation(None), &|p| {
            let limit: usize = p
                .request
                .url
                .query_pairs()
                .find(|(k, _)| k == "limit")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(20);
            Ok((200, list(limit.min(500))))
        });
        assert!(probes.iter().any(|p| {
            p.request
                .url
                .query()
                .is_some_and(|q| q.contains("limit=100000"))
        }));
        assert_eq!(labels(&found), ["page-huge"]);
        assert_eq!(found[0].confidence, Confidence::Confirmed);
        // Clamps to its default page, no documented maximum: nothing to report.
        let (_, clamped) = run(&list_operation(None), &|_| Ok((200, list(20))));
        assert!(clamped.is_empty());
        // Refuses.
        let (_, refused) = run(&list_operation(Some(100.0)), &|p| {
            if p.label.starts_with("page-huge") {
                Ok((400, "limit must be at most 100".into()))
            } else {
                Ok((200, list(3)))
            }
        });
        assert!(refused.is_empty());
        // Accepts beyond the documented maximum with few rows to show: tentative.
        let (_, tentative) = run(&list_operation(Some(100.0)), &|_| Ok((200, list(3))));
        assert_eq!(tentative.len(), 1);
        assert_eq!(tentative[0].confidence, Confidence::Tentative);
    }

    #[test]
    fn quick_profile_sends_no_large_bodies_and_deletes_are_left_alone() {
        let mut fixture = Fixture::new();
        fixture.identities.truncate(1);
        let mut context = fixture.context();
        context.profile = Profile::Quick;
        assert!(
            ResourceLimits
                .plan(&create_operation(), &context)
                .is_empty()
        );
        let delete = operation("DELETE", "/api/notes/{id}", true);
        assert!(ResourceLimits.plan(&delete, &fixture.context()).is_empty());
        assert!(is_page_size("per_page") && is_page_size("pageSize") && is_page_size("LIMIT"));
        assert!(!is_page_size("page") && !is_page_size("q"));
    }
}
