//! VG428 version-disclosure: response headers name the server software with its version
//! (`Server: nginx/1.18.0`, `X-Powered-By: PHP/8.1.2`, `X-Powered-By: Python 3.10, FastAPI
//! ^0.103.0`, `X-AspNet-Version`, `X-AspNetMvc-Version`, `X-Generator`, `X-Runtime` of a
//! framework). Passive: one finding per header and value, wherever first seen.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct VersionDisclosure;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG428"),
    name: Cow::Borrowed("version-disclosure"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Response headers name the server software and its version"),
    severity: Severity::Low,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[200, 497]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api06]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A response header that names software with a version number: `Server`, \
             `X-Powered-By`, `X-AspNet-Version`, `X-AspNetMvc-Version`, `X-Generator`, \
             `X-Runtime` (when it names software), `X-Version`, `Via` — `nginx/1.18.0`, \
             `PHP/8.1.2`, `Python 3.10, FastAPI ^0.103.0`, `Express 4.17.1`. A product name \
             without a version (`Server: nginx`) is not reported.",
        ),
        why: Cow::Borrowed(
            "A version tells an attacker exactly which known vulnerabilities to try, without \
             probing; automated scanners match banners against CVE lists in seconds.",
        ),
        example_bad: Cow::Borrowed(
            "HTTP/1.1 200 OK\nServer: nginx/1.18.0 (Ubuntu)\nX-Powered-By: Python 3.10, FastAPI ^0.103.0",
        ),
        example_fixed: Cow::Borrowed("HTTP/1.1 200 OK\nServer: nginx"),
        fix: Cow::Borrowed(
            "Remove the header or its version: `server_tokens off;` (nginx), \
             `ServerTokens Prod` (Apache), `app.disable('x-powered-by')` or helmet (Express), \
             `expose_php = Off` (PHP), drop custom `X-Powered-By` middleware (FastAPI, Flask), \
             `<httpRuntime enableVersionHeader=\"false\"/>` (ASP.NET).",
        ),
        references: Cow::Borrowed(&[Cow::Borrowed(
            "https://cwe.mitre.org/data/definitions/497.html",
        )]),
    },
};

/// Headers that carry software banners.
const BANNER_HEADERS: &[&str] = &[
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-generator",
    "x-runtime",
    "x-version",
    "via",
];

/// Headers whose name already says which software the version is of.
const VERSION_HEADERS: &[&str] = &["x-aspnet-version", "x-aspnetmvc-version", "x-version"];

/// Whether a banner carries a version: a number with a dot (`1.18`, `^0.103.0`, `8.1.2`),
/// next to a product name (or in a header that is the product's version).
fn has_version(name: &str, value: &str) -> bool {
    let has_name =
        VERSION_HEADERS.contains(&name) || value.chars().any(|c| c.is_ascii_alphabetic());
    let bytes = value.as_bytes();
    let versioned = bytes
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit());
    has_name && versioned
}

impl Check for VersionDisclosure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn is_passive(&self) -> bool {
        true
    }

    fn observe(
        &self,
        _operation: Option<&Operation>,
        exchange: &Exchange,
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(response) = exchange.response() else {
            return Vec::new();
        };
        let origin = context.base.origin().ascii_serialization();
        response
            .headers
            .iter()
            .filter(|(name, value)| {
                let name = name.to_ascii_lowercase();
                BANNER_HEADERS.contains(&name.as_str())
                    // `X-Runtime: 0.012` is a duration (Rails), not a banner.
                    && !(name == "x-runtime" && value.trim().parse::<f64>().is_ok())
                    && has_version(&name, value)
            })
            .map(|(name, value)| {
                let location = vibeguard_core::Location::operation(
                    "*",
                    context.base.path(),
                    Some(format!("header:{}", name.to_ascii_lowercase())),
                );
                Finding::new(
                    &META,
                    location,
                    format!("{origin} answers with `{name}: {value}`: the software and its version, for anyone"),
                    format!("{}:{value}", name.to_ascii_lowercase()),
                )
                .with_evidence(Evidence::Text {
                    label: "header".into(),
                    text: format!("{name}: {value}"),
                })
                .with_evidence(super::http_evidence(exchange))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange};

    fn observed(headers: &[(&str, &str)]) -> Vec<String> {
        let fixture = Fixture::new();
        VersionDisclosure
            .observe(
                None,
                &exchange("GET", "http://127.0.0.1:8080/", 200, headers, "{}"),
                &fixture.context(),
            )
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn banners_with_versions_are_findings() {
        for header in [
            ("Server", "nginx/1.18.0 (Ubuntu)"),
            ("X-Powered-By", "Python 3.10, FastAPI ^0.103.0"),
            ("X-Powered-By", "PHP/8.1.2"),
            ("X-AspNet-Version", "4.0.30319"),
            ("Server", "Werkzeug/2.3.7 Python/3.11.4"),
        ] {
            assert_eq!(observed(&[header]).len(), 1, "{header:?}");
        }
    }

    #[test]
    fn names_without_versions_and_other_headers_are_not() {
        for header in [
            ("Server", "nginx"),
            ("X-Powered-By", "Express"),
            ("X-Runtime", "0.012345"),
            ("Content-Type", "application/json; version=1.2"),
            ("Server", "uvicorn"),
        ] {
            assert!(observed(&[header]).is_empty(), "{header:?}");
        }
    }
}
