//! VG408 cookie-flags: session-like cookies set without `Secure`, `HttpOnly` or `SameSite`.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct CookieFlags;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG408"),
    name: Cow::Borrowed("cookie-flags"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A session cookie is set without Secure, HttpOnly or SameSite"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[614, 1004, 1275]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Tls04, ChecklistId::Auth08]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every `Set-Cookie` of the run whose name or value looks like a session or token (session, sid, \
             token, jwt, auth, connect.sid, PHPSESSID, a JWT or a long random value) must carry `Secure`, \
             `HttpOnly` and `SameSite` (and `SameSite=None` only with `Secure`).",
        ),
        why: Cow::Borrowed(
            "Without HttpOnly any injected script reads the session; without Secure it travels in clear over \
             HTTP; without SameSite other sites can ride it (CSRF).",
        ),
        example_bad: Cow::Borrowed("res.cookie('session', token);"),
        example_fixed: Cow::Borrowed(
            "res.cookie('session', token, { httpOnly: true, secure: true, sameSite: 'strict' });",
        ),
        fix: Cow::Borrowed(
            "Set `Secure; HttpOnly; SameSite=Lax` (or `Strict`) on every session and token cookie.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#security"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1004.html"),
        ]),
    },
};

fn looks_like_session(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let named = [
        "session",
        "sess",
        "sid",
        "token",
        "auth",
        "jwt",
        "login",
        "remember",
        "access",
        "refresh",
        "phpsessid",
        "jsessionid",
        "connect.sid",
    ]
    .iter()
    .any(|marker| lower.contains(marker));
    let jwt = value.split('.').count() == 3 && value.starts_with("eyJ");
    let random = value.len() >= 24
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.%=+/".contains(c));
    named || jwt || random
}

/// The flags a `Set-Cookie` line lacks, for a session-like cookie.
pub fn missing_flags(line: &str) -> Option<(String, Vec<&'static str>)> {
    let mut parts = line.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let (name, value) = (name.trim(), value.trim());
    if !looks_like_session(name, value) || value.is_empty() {
        return None;
    }
    let attributes: Vec<String> = parts.map(|p| p.trim().to_ascii_lowercase()).collect();
    let has = |flag: &str| {
        attributes
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let mut missing = Vec::new();
    if !has("secure") {
        missing.push("Secure");
    }
    if !has("httponly") {
        missing.push("HttpOnly");
    }
    if !has("samesite") {
        missing.push("SameSite");
    } else if attributes.iter().any(|a| a == "samesite=none") && !has("secure") {
        missing.push("Secure (required by SameSite=None)");
    }
    (!missing.is_empty()).then(|| (name.to_string(), missing))
}

impl Check for CookieFlags {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn is_passive(&self) -> bool {
        true
    }

    fn subject_in(&self, exchange: &Exchange) -> bool {
        exchange.response().is_some_and(|response| {
            response
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        })
    }

    fn absent_reason(&self) -> &'static str {
        "no answer of the run set a cookie (credentials travel in headers)"
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
        response
            .headers_named("set-cookie")
            .filter_map(missing_flags)
            .map(|(name, missing)| {
                // One finding per cookie of the origin, wherever it was first set: a session
                // cookie is set by every page that touches the session (the evidence shows
                // the exchange that set it).
                let location = vibeguard_core::Location::operation(
                    "*",
                    context.base.path(),
                    Some(format!("cookie:{name}")),
                );
                let severity = if missing.contains(&"HttpOnly") {
                    Severity::Medium
                } else {
                    Severity::Low
                };
                Finding::new(
                    &META,
                    location,
                    format!("Cookie `{name}` is set without {}", missing.join(", ")),
                    format!("cookie:{name}"),
                )
                .with_severity(severity)
                .with_evidence(super::http_evidence(exchange))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_need_all_three_flags() {
        let (name, missing) = missing_flags("session=abc123; Path=/").expect("session cookie");
        assert_eq!(name, "session");
        assert_eq!(missing, vec!["Secure", "HttpOnly", "SameSite"]);
        assert_eq!(
            missing_flags("token=eyJhbGciOi.eyJzdWIi.sig; HttpOnly; SameSite=None").map(|(_, m)| m),
            Some(vec!["Secure", "Secure (required by SameSite=None)"])
        );
        assert_eq!(
            missing_flags("session=abc123; Secure; HttpOnly; SameSite=Lax"),
            None
        );
    }

    #[test]
    fn preference_cookies_are_not_session_cookies() {
        assert_eq!(missing_flags("theme=dark; Path=/"), None);
        assert_eq!(missing_flags("lang=en"), None);
        assert_eq!(missing_flags("session=; Max-Age=0"), None, "a deletion");
    }
}
