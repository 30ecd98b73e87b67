//! An exchange as evidence: the request and the answer as text (bodies cut), and a `curl`
//! command that sends the request again. Credentials are masked later by the run's redactor,
//! like every evidence. One form for the API checks' findings and the scenarios'.

use std::fmt::Write;

use vibeguard_core::Evidence;

use crate::http::{Exchange, Request, Response};

/// Response bodies in evidence are cut here.
const EVIDENCE_BODY_CHARS: usize = 2_000;

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.chars().count() <= EVIDENCE_BODY_CHARS {
        return text.into_owned();
    }
    let mut cut: String = text.chars().take(EVIDENCE_BODY_CHARS).collect();
    cut.push_str("\n… (cut)");
    cut
}

/// The request and response of an exchange as evidence, with a `curl` line to reproduce it.
/// Credentials are masked later by the run's redactor, like every evidence.
pub fn http_evidence(exchange: &Exchange) -> Evidence {
    let request = &exchange.request;
    let mut request_text = format!("{} {}", request.method, request.url.as_str());
    for (name, value) in &request.headers {
        let _ = write!(request_text, "\n{name}: {value}");
    }
    if let Some(body) = &request.body {
        let _ = write!(request_text, "\n\n{}", excerpt(body));
    }
    let response_text = match &exchange.outcome {
        Ok(response) => response_text(response),
        Err(error) => format!("(no response: {error})"),
    };
    let curl = reproduction(request);
    Evidence::Http {
        request: request_text,
        response: response_text,
        curl: Some(curl),
    }
}

fn response_text(response: &Response) -> String {
    let mut text = format!("HTTP {}", response.status);
    for (name, value) in &response.headers {
        let _ = write!(text, "\n{name}: {value}");
    }
    let _ = write!(text, "\n\n{}", excerpt(&response.body));
    text
}

/// Request bodies up to this size are written into the reproduction command; longer ones (the
/// oversized-body probes) are named, not printed.
const REPRODUCED_BODY_BYTES: usize = 16 * 1024;

/// One `curl` command that sends the same request: every word shell-quoted (control characters
/// and bytes outside UTF-8 in `$'…'`), the body as sent. Credentials are replaced by shell
/// variables later, by the run's redactor ([`vibeguard_core::Redactor::redact_command`]).
pub fn reproduction(request: &Request) -> String {
    let quote = |text: &str| vibeguard_core::shell::quote(text.as_bytes());
    let mut curl = format!(
        "curl -i -X {} {}",
        request.method,
        quote(request.url.as_str())
    );
    for (name, value) in &request.headers {
        let _ = write!(curl, " -H {}", quote(&format!("{name}: {value}")));
    }
    match &request.body {
        Some(body) if body.len() <= REPRODUCED_BODY_BYTES => {
            let _ = write!(
                curl,
                " --data-binary {}",
                vibeguard_core::shell::quote(body)
            );
        }
        Some(body) => {
            curl = format!(
                "# the request body ({} bytes) is too long to print: the request above shows how it starts; save it as body.bin\n{curl} --data-binary @body.bin",
                body.len()
            );
        }
        None => {}
    }
    curl
}
