//! VG106 open-redirect: the start of a redirect target comes from the request.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::label::{Kinds, Label, Prefix};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::ir::ExprKind;
use crate::language::Language;

/// The rule.
#[derive(Debug)]
pub struct OpenRedirect;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG106"),
    name: Cow::Borrowed("open-redirect"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Redirect to a URL taken from the request"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[601]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A redirect whose target starts with request data: Express `res.redirect`, \
             `res.location`, a `Location` header, Fastify `reply.redirect`, Next.js `redirect` \
             and `NextResponse.redirect`, Flask and Django `redirect`, `HttpResponseRedirect`, \
             Starlette `RedirectResponse`. A target with a fixed start (`/dashboard?tab=${tab}`, \
             `${BASE_URL}/x`) or checked against an allowlist (`url_has_allowed_host_and_scheme`, \
             `ALLOWED.includes(next)`) is safe. \
             Go: `http.Redirect(w, r, url, code)` and gin's, echo's and fiber's `c.Redirect`. \
             Koa: `ctx.redirect(url)`.",
        ),
        why: Cow::Borrowed(
            "`/login?next=https://evil.example` sends users from your trusted domain to a \
             look-alike page that asks for their password again, and leaks OAuth codes and \
             tokens placed in redirect URLs.",
        ),
        example_bad: Cow::Borrowed("res.redirect(req.query.next);"),
        example_fixed: Cow::Borrowed(
            "const next = String(req.query.next || '/');\nres.redirect(next.startsWith('/') && !next.startsWith('//') ? next : '/');",
        ),
        fix: Cow::Borrowed(
            "Redirect only to relative paths you build, or check the target's host against an \
             allowlist before redirecting.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/601.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
            ),
        ]),
    },
};

impl FlowRule for OpenRedirect {
    fn kind(&self) -> Kinds {
        kind::REDIRECT
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        let sink = |value: &'a crate::ir::Expr| {
            vec![SinkArg {
                value,
                note: "redirect target",
            }]
        };
        // Koa's context answers too (`ctx.redirect(url)`).
        let on_response = call
            .receiver()
            .and_then(super::chain_root)
            .is_some_and(|root| super::is_response_name(root) || root == "ctx");
        // Go: `http.Redirect(w, r, url, code)`; gin's and echo's `c.Redirect(code, url)`,
        // fiber's `c.Redirect(url)`.
        if super::in_go(call) {
            let value = if super::go_name(call) == "http.Redirect" {
                call.arg(2)
            } else if name == "Redirect"
                && call
                    .receiver()
                    .and_then(|r| r.as_name())
                    .is_some_and(|n| matches!(n, "c" | "ctx" | "context"))
            {
                call.args
                    .iter()
                    .map(|a| &a.value)
                    .find(|v| !matches!(v.kind, ExprKind::Number(_)) && !is_status(v))
            } else {
                None
            };
            return value.map(sink).unwrap_or_default();
        }
        // Rails: `redirect_to params[:next]`, `redirect_back(fallback_location: ...)`.
        if super::in_ruby(call) {
            return match name {
                "redirect_to" if call.receiver().is_none() => call
                    .args
                    .iter()
                    .find(|a| a.name.is_none())
                    .map(|a| &a.value)
                    .filter(|v| !matches!(v.kind, ExprKind::Object(_)))
                    .map(sink)
                    .unwrap_or_default(),
                "redirect_back" | "redirect_back_or_to" => call
                    .option("fallback_location")
                    .or_else(|| call.arg(0))
                    .map(sink)
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
        }
        match name {
            "redirect" if on_response => {
                // `res.redirect(301, url)`
                let target = match call.arg(0).map(|a| &a.kind) {
                    Some(ExprKind::Number(_)) => call.arg(1),
                    _ => call.arg(0),
                };
                target.map(sink).unwrap_or_default()
            }
            "location" if on_response => call.arg(0).map(sink).unwrap_or_default(),
            "setHeader" | "set" | "header" if on_response => {
                let is_location = call
                    .arg(0)
                    .and_then(|a| a.as_str())
                    .is_some_and(|h| h.eq_ignore_ascii_case("location"));
                if is_location {
                    call.arg(1).map(sink).unwrap_or_default()
                } else {
                    Vec::new()
                }
            }
            "writeHead" if on_response => call
                .arg(1)
                .and_then(|headers| {
                    headers
                        .property("Location")
                        .or_else(|| headers.property("location"))
                })
                .map(sink)
                .unwrap_or_default(),
            "redirect" => {
                let q = call.qualified();
                let known = q.starts_with("flask")
                    || q.starts_with("django")
                    || q.starts_with("next/navigation")
                    || q.starts_with("next/server")
                    || q.starts_with("quart")
                    || q == "Response.redirect"
                    || q.ends_with("NextResponse.redirect")
                    || call.receiver().is_none();
                if known {
                    call.arg(0).map(sink).unwrap_or_default()
                } else {
                    Vec::new()
                }
            }
            "HttpResponseRedirect" | "HttpResponsePermanentRedirect" | "RedirectResponse" => call
                .arg(0)
                .or_else(|| call.option("url"))
                .map(sink)
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Rails' route helpers (`documents_path(page: x)`, `root_url`) build a URL of the app's
    /// own, whatever their arguments.
    fn sanitizes(&self, call: &Call<'_, '_>) -> bool {
        super::in_ruby(call)
            && call.receiver().is_none()
            && call
                .name()
                .is_some_and(|n| n.ends_with("_path") || n.ends_with("_url"))
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        if label.request_part().is_none() || label.is_cleansed(kind::REDIRECT) {
            return false;
        }
        match &label.prefix {
            Prefix::Tainted => true,
            Prefix::Fixed => false,
            // `//evil.com` and `https://` followed by input still leave the host open.
            Prefix::Static(text) => {
                let text = text.trim();
                text.is_empty()
                    || text == "/"
                    || text.starts_with("//")
                    || text.ends_with("://")
                    || text == "http:"
                    || text == "https:"
            }
        }
    }
}

/// `http.StatusFound` and the like: a status argument, not a target.
fn is_status(expr: &crate::ir::Expr) -> bool {
    expr.member_path()
        .and_then(|p| p.last().copied())
        .is_some_and(|name| name.starts_with("Status"))
}

impl CodeRule for OpenRedirect {
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
            format!("redirect target taken from {source}: an attacker can send users to any site")
        });
        super::flow_applicability(cx, ChecklistId::Input04)
    }
}
