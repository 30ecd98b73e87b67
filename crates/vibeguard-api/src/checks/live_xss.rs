//! VG432 live-xss: text an app takes is put back into its HTML unescaped — reflected in the
//! answer to the request that carried it, or stored and shown on a page fetched afterwards (the
//! created object's page the create redirected to, the lists).
//!
//! Every text input gets a marker that breaks out of attributes and opens a tag of its own
//! (`vgx1a2b3c4d"'><vgx1a2b3c4d>`): the input is injectable when an HTML answer holds that tag
//! as written. Entity-escaped (`&lt;vgx…&gt;`), JSON answers (`application/json`: a browser
//! does not render them) and text inside `<textarea>`/`<title>` (which a tag cannot leave
//! without its closing tag) are not findings.

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::inputs::{InjectionPoint, Template};
use super::{Check, Context, Probe, http_evidence, location};
use crate::http::{Exchange, Request};
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct LiveXss;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG432"),
    name: Cow::Borrowed("live-xss"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Input is put into the app's pages unescaped (cross-site scripting)"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[79]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every text input — query parameters, form and JSON fields — is sent with a unique \
             marker that leaves an attribute and opens a tag (`vgx…\"'><vgx…>`). Reflected: the \
             answer to that request is HTML and holds the tag as sent. Stored: after the \
             request, the page its redirect leads to (the new object's page) and the app's \
             lists (parameterless reads) are fetched as the same identity, and one of them \
             holds the tag. The evidence names the page and the position. Entity-escaped \
             markers, JSON answers and markers inside `<textarea>` or `<title>` are not \
             findings.",
        ),
        why: Cow::Borrowed(
            "A script put into a page runs as the site for everyone who opens it: it reads what \
             they see, acts with their session (changes their e-mail, posts as them) and, \
             stored in a post or a profile, spreads to every visitor.",
        ),
        example_bad: Cow::Borrowed("<div class=\"body\">{{ entry.body|safe }}</div>"),
        example_fixed: Cow::Borrowed("<div class=\"body\">{{ entry.body }}</div>"),
        fix: Cow::Borrowed(
            "Let the template engine escape every value (no `|safe`, `Markup`, `mark_safe`, \
             `<%-`, `{{{ }}}`, `!{}`, `dangerouslySetInnerHTML` on input); sanitise HTML that \
             must stay HTML with an allowlist sanitiser (bleach, DOMPurify); add a \
             Content-Security-Policy without `unsafe-inline`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/79.html"),
        ]),
    },
};

/// Label of the injecting probes (`inject body:/title`).
const INJECT: &str = "inject";
/// Label of the reads that look for stored markers (`read 2 body:/title`: after probe 2).
const READ: &str = "read";
/// The label of the one injection that marks every input at once.
const ALL_INPUTS: &str = "every input";
/// The suffix of that injection sent again (its page showed no marker: changed meanwhile).
const AGAIN: &str = "again";
/// At most this many lists are read after the injections.
const MAX_LIST_READS: usize = 4;

/// The marker of one input of one operation in this run: `vgx` and 8 hex digits.
fn marker(operation: &Operation, point: &InjectionPoint, seed: u64) -> String {
    // FNV-1a: stable across runs with the same seed, different per operation and input.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in format!("{seed}:{}:{}", operation.label(), point.label()).bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("vgx{hash:08x}")
}

/// What is sent: text that closes a quoted attribute and a tag, then the marker's own tag.
fn payload(marker: &str) -> String {
    format!("{marker}\"'><{marker}>")
}

fn is_html(exchange: &Exchange) -> bool {
    exchange.response().is_some_and(|response| {
        match response.header("content-type") {
            Some(kind) => kind.to_ascii_lowercase().contains("html"),
            // No type: browsers sniff a page that starts like one.
            None => response.text().trim_start().starts_with('<'),
        }
    })
}

/// Where the marker's tag stands unescaped in an HTML answer, outside the elements whose text
/// a tag cannot leave: the byte offset.
pub fn unescaped_at(html: &str, marker: &str) -> Option<usize> {
    let tag = format!("<{marker}>");
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&tag) {
        let at = from + found;
        let before = &lower[..at];
        let inside = ["textarea", "title"].iter().any(|element| {
            let opened = before.rfind(&format!("<{element}"));
            let closed = before.rfind(&format!("</{element}"));
            opened.is_some() && opened > closed
        });
        if !inside {
            return Some(at);
        }
        from = at + tag.len();
    }
    None
}

impl LiveXss {
    /// The read of the page the probe labelled `label` redirected to, once (none before it
    /// answered, or after its read).
    fn reads_after(
        &self,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
        label: &str,
    ) -> Vec<Probe> {
        let read_label = format!("{READ} {label}");
        if results.iter().any(|(p, _)| p.label == read_label) {
            return Vec::new();
        }
        results
            .iter()
            .filter(|(p, _)| p.label == label)
            .filter_map(|(probe, exchange)| {
                let location = exchange
                    .response()
                    .filter(|r| (300..400).contains(&r.status))
                    .and_then(|r| r.header("location"))
                    .and_then(|l| exchange.request.url.join(l).ok())
                    .filter(|url| url.origin() == context.base.origin())?;
                Some(Probe {
                    label: read_label.clone(),
                    identity: probe.identity,
                    request: Request::new("GET", location),
                })
            })
            .collect()
    }

    fn template(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        let mut template = Template::of(operation, context, context.profile.pick(4, 8, 16))?;
        // Markup is text: numbers, ids and path segments (which route) are left alone.
        template
            .points
            .retain(|point| !point.numeric && !matches!(point.slot, super::inputs::Slot::Path(_)));
        Some(template)
    }
}

impl Check for LiveXss {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        // A change of one object in place (`PUT`, `PATCH`, a form's `POST …/{id}/edit`) is
        // marked in every input at once: one request per input would overwrite the last
        // one's marker before the page is read.
        let in_place =
            matches!(operation.method.as_str(), "PUT" | "PATCH") || operation.is_form_update();
        if in_place && template.points.len() > 1 {
            let values: Vec<(&InjectionPoint, Value)> = template
                .points
                .iter()
                .map(|point| {
                    let marked = payload(&marker(operation, point, context.seed));
                    (point, Value::String(marked))
                })
                .collect();
            return vec![
                template.probe(format!("{INJECT} {ALL_INPUTS}"), template.with_all(&values)),
            ];
        }
        template
            .points
            .iter()
            .map(|point| {
                let value = Value::String(payload(&marker(operation, point, context.seed)));
                template.probe(
                    format!("{INJECT} {}", point.label()),
                    template.with(point, &value),
                )
            })
            .collect()
    }

    /// After the injections: the page each accepted change redirected to, and the app's
    /// lists, read as the identity that sent it.
    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let together = format!("{INJECT} {ALL_INPUTS}");
        let again = format!("{together} {AGAIN}");
        if results.iter().any(|(p, _)| p.label.starts_with(READ)) {
            // An object changed in place may be changed again by another check before its
            // page is read: when no read shows any marker, the change is sent once more and
            // its page read right after.
            let Some((sent, _)) = results.iter().find(|(p, _)| p.label == together) else {
                return Vec::new();
            };
            let markers: Vec<String> = Self::template(operation, context)
                .map(|t| {
                    t.points
                        .iter()
                        .map(|point| marker(operation, point, context.seed))
                        .collect()
                })
                .unwrap_or_default();
            let marked = results.iter().any(|(p, e)| {
                p.label.starts_with(READ)
                    && e.response().is_some_and(|r| {
                        let text = r.text();
                        markers.iter().any(|m| text.contains(m.as_str()))
                    })
            });
            if marked || results.iter().any(|(p, _)| p.label == again) {
                return self.reads_after(results, context, &again);
            }
            return vec![Probe {
                label: again,
                ..sent.clone()
            }];
        }
        let mut reads: Vec<Probe> = Vec::new();
        let identity = results.iter().find_map(|(p, _)| p.identity);
        for (probe, exchange) in results {
            if probe.request.method == "GET" {
                continue;
            }
            let Some(location) = exchange
                .response()
                .filter(|r| (300..400).contains(&r.status))
                .and_then(|r| r.header("location"))
                .and_then(|l| exchange.request.url.join(l).ok())
                .filter(|url| url.origin() == context.base.origin())
            else {
                continue;
            };
            if !reads.iter().any(|r| r.request.url == location) {
                reads.push(Probe {
                    label: format!("{READ} {}", probe.label),
                    identity: probe.identity,
                    request: Request::new("GET", location),
                });
            }
        }
        if results.iter().any(|(p, _)| p.request.method != "GET") {
            let lists = context
                .spec
                .operations
                .iter()
                .filter(|op| op.method == "GET" && op.path_params().is_empty())
                .filter(|op| !op.ends_session())
                .take(MAX_LIST_READS);
            for list in lists {
                if let Some(request) = context.request(list, identity, 0)
                    && !reads.iter().any(|r| r.request.url == request.url)
                {
                    reads.push(Probe {
                        label: format!("{READ} {}", list.label()),
                        identity,
                        request,
                    });
                }
            }
        }
        reads
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
        let mut findings = Vec::new();
        for point in &template.points {
            let marker = marker(operation, point, context.seed);
            let injected = format!("{INJECT} {}", point.label());
            let together = format!("{INJECT} {ALL_INPUTS}");
            let Some((_, direct)) = results
                .iter()
                .find(|(p, _)| p.label == injected || p.label.starts_with(&together))
            else {
                continue;
            };
            let reflected = Some(direct)
                .filter(|e| is_html(e))
                .and_then(|e| Some((e, unescaped_at(&e.response()?.text(), &marker)?)));
            let stored = || {
                results
                    .iter()
                    .filter(|(p, _)| p.label.starts_with(READ))
                    .find_map(|(_, e)| {
                        let at = unescaped_at(&e.response()?.text(), &marker)?;
                        is_html(e).then_some((e, at))
                    })
            };
            let (kind, page, at) = match reflected.map(|(e, at)| ("reflected", e, at)) {
                Some(found) => found,
                None => match stored() {
                    Some((e, at)) => ("stored", e, at),
                    None => continue,
                },
            };
            let text = page.response().map(|r| r.text()).unwrap_or_default();
            let start = text[..at]
                .char_indices()
                .rev()
                .nth(80)
                .map_or(0, |(i, _)| i);
            let end = (at + marker.len() + 82).min(text.len());
            let end = (end..=text.len())
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(text.len());
            let message = match kind {
                "reflected" => format!(
                    "{} puts {} back into its page unescaped (reflected XSS)",
                    operation.label(),
                    point.describe()
                ),
                _ => format!(
                    "{} stores {}, and {} {} shows it unescaped (stored XSS)",
                    operation.label(),
                    point.describe(),
                    page.request.method,
                    page.request.url.path()
                ),
            };
            let mut finding = Finding::new(
                &META,
                location(operation, Some(point.label())),
                message,
                point.label(),
            )
            .with_confidence(Confidence::Confirmed)
            .with_evidence(http_evidence(direct));
            if kind == "stored" {
                finding = finding.with_evidence(http_evidence(page));
            }
            finding = finding.with_evidence(Evidence::Text {
                label: format!("where {} renders it", page.request.url.path()),
                text: text[start..end].to_string(),
            });
            if kind == "stored" {
                finding = finding.with_severity(Severity::High);
            } else {
                finding = finding.with_severity(Severity::Medium);
            }
            findings.push(finding);
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, form_operation, operation};
    use crate::spec::{ParamIn, Parameter, Schema, SchemaType};

    fn text() -> Schema {
        Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        }
    }

    fn search() -> Operation {
        let mut op = operation("GET", "/search", false);
        op.parameters.push(Parameter {
            name: "q".into(),
            location: ParamIn::Query,
            required: false,
            schema: text(),
        });
        op
    }

    fn create() -> Operation {
        let mut op = operation("POST", "/entries", true);
        op.body = form_operation("POST", "/entries", &["title", "body"]).body;
        op
    }

    fn answer(
        probe: &Probe,
        status: u16,
        kind: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Exchange {
        let mut all: Vec<(&str, &str)> = vec![("Content-Type", kind)];
        all.extend_from_slice(headers);
        crate::checks::testing::exchange(
            &probe.request.method,
            probe.request.url.as_str(),
            status,
            &all,
            body,
        )
    }

    /// The value the probe sent for its input (query or form field).
    fn sent(probe: &Probe) -> String {
        let query = probe.request.url.query_pairs().map(|(_, v)| v.into_owned());
        let body = url::form_urlencoded::parse(probe.request.body.as_deref().unwrap_or_default())
            .map(|(_, v)| v.into_owned());
        query
            .chain(body)
            .find(|v| v.starts_with("vgx"))
            .unwrap_or_default()
    }

    const HTML: &str = "text/html; charset=utf-8";

    #[test]
    fn a_reflected_marker_is_found_and_escaped_or_json_echoes_are_not() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = search();
        let probes = LiveXss.plan(&op, &context);
        assert_eq!(probes.len(), 1);
        let value = sent(&probes[0]);
        assert!(
            value.ends_with(&format!("\"'><{}>", &value[..11])),
            "{value}"
        );
        let results = |kind: &str, body: String| {
            vec![(probes[0].clone(), answer(&probes[0], 200, kind, &[], &body))]
        };
        let raw = results(HTML, format!("<h1>Results for {value}</h1>"));
        let found = LiveXss.evaluate(&op, &raw, &context);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("reflected XSS"),
            "{}",
            found[0].message
        );
        let escaped = value
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;");
        for (kind, body) in [
            (HTML, format!("<h1>Results for {escaped}</h1>")),
            ("application/json", format!("{{\"q\":\"{value}\"}}")),
            (HTML, format!("<textarea>{value}</textarea>")),
            (HTML, format!("<title>{value}</title><h1>x</h1>")),
        ] {
            assert!(
                LiveXss
                    .evaluate(&op, &results(kind, body.clone()), &context)
                    .is_empty(),
                "{body}"
            );
        }
    }

    #[test]
    fn an_edit_in_place_marks_every_input_in_one_request() {
        let mut fixture = Fixture::new();
        let mut edit = create();
        edit.path = "/entries/{id}/edit".into();
        edit.parameters.push(crate::spec::Parameter {
            name: "id".into(),
            location: crate::spec::ParamIn::Path,
            required: true,
            schema: text(),
        });
        fixture.spec.operations = vec![edit.clone(), operation("GET", "/entries/{id}", false)];
        fixture.objects.push(crate::lifecycle::CreatedObject {
            collection: "/entries".into(),
            item_path: "/entries/{id}".into(),
            param: "id".into(),
            value: "7".into(),
            owner: 0,
            slot: 0,
            body: None,
            parents: Vec::new(),
        });
        let context = fixture.context();
        let probes = LiveXss.plan(&edit, &context);
        assert_eq!(probes.len(), 1, "title and body marked together");
        let fields: Vec<(String, String)> =
            url::form_urlencoded::parse(probes[0].request.body.as_deref().unwrap_or_default())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let value = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .expect("field")
        };
        let (title, body) = (value("title"), value("body"));
        assert!(title.starts_with("vgx") && body.starts_with("vgx") && title != body);
        let saved = vec![(
            probes[0].clone(),
            answer(&probes[0], 302, HTML, &[("Location", "/entries/7")], ""),
        )];
        let reads = LiveXss.follow_up(&edit, &saved, &context);
        assert_eq!(reads[0].request.url.path(), "/entries/7");
        let escaped = title.replace('<', "&lt;").replace('>', "&gt;");
        let page = format!("<h1>{escaped}</h1><div>{body}</div>");
        let mut results = saved.clone();
        results.push((reads[0].clone(), answer(&reads[0], 200, HTML, &[], &page)));
        let found = LiveXss.evaluate(&edit, &results, &context);
        assert_eq!(found.len(), 1, "the body only: the title is escaped");
        assert!(
            found[0].message.contains("the body field `body`"),
            "{}",
            found[0].message
        );
        assert!(LiveXss.follow_up(&edit, &results, &context).is_empty());

        // Changed again by someone else before the read: the page shows no marker, so the
        // change is sent once more and its page read.
        let mut overwritten = saved.clone();
        overwritten.push((
            reads[0].clone(),
            answer(&reads[0], 200, HTML, &[], "<h1>Lunch</h1><div>plain</div>"),
        ));
        let again = LiveXss.follow_up(&edit, &overwritten, &context);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].request.body, probes[0].request.body);
        overwritten.push((
            again[0].clone(),
            answer(&again[0], 302, HTML, &[("Location", "/entries/7")], ""),
        ));
        let reread = LiveXss.follow_up(&edit, &overwritten, &context);
        assert_eq!(reread.len(), 1);
        assert_eq!(reread[0].request.url.path(), "/entries/7");
        overwritten.push((reread[0].clone(), answer(&reread[0], 200, HTML, &[], &page)));
        assert_eq!(LiveXss.evaluate(&edit, &overwritten, &context).len(), 1);
        assert!(LiveXss.follow_up(&edit, &overwritten, &context).is_empty());
    }

    #[test]
    fn a_marker_stored_and_shown_on_the_page_the_create_led_to_is_found() {
        let mut fixture = Fixture::new();
        let list = operation("GET", "/", false);
        fixture.spec.operations = vec![create(), list];
        let context = fixture.context();
        let op = create();
        let probes = LiveXss.plan(&op, &context);
        assert_eq!(probes.len(), 2, "title and body");
        let redirected: Vec<(Probe, Exchange)> = probes
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    answer(p, 302, HTML, &[("Location", "/entries/7")], ""),
                )
            })
            .collect();
        let reads = LiveXss.follow_up(&op, &redirected, &context);
        let urls: Vec<&str> = reads.iter().map(|r| r.request.url.path()).collect();
        assert_eq!(urls, ["/entries/7", "/"]);
        assert!(
            LiveXss
                .follow_up(
                    &op,
                    &[
                        redirected.clone(),
                        vec![(reads[0].clone(), answer(&reads[0], 200, HTML, &[], ""))]
                    ]
                    .concat(),
                    &context
                )
                .is_empty()
        );
        let by_label = |label: &str| {
            probes
                .iter()
                .find(|p| p.label == format!("{INJECT} {label}"))
                .expect("probe")
        };
        let body_value = sent(by_label("body:/body"));
        let title_value = sent(by_label("body:/title"))
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let page = format!("<h1>{title_value}</h1><div class=\"body\">{body_value}</div>");
        let mut results = redirected.clone();
        results.push((reads[0].clone(), answer(&reads[0], 200, HTML, &[], &page)));
        results.push((
            reads[1].clone(),
            answer(&reads[1], 200, HTML, &[], "<ul></ul>"),
        ));
        let found = LiveXss.evaluate(&op, &results, &context);
        assert_eq!(found.len(), 1, "the body only: the title is escaped");
        assert!(
            found[0].message.contains("stores the body field `body`")
                && found[0].message.contains("GET /entries/7")
                && found[0].message.contains("stored XSS"),
            "{}",
            found[0].message
        );
    }
}
