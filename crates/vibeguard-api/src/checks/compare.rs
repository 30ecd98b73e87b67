//! Whether two answers "behave the same": the differential judgement behind boolean and
//! expression injection, operator injection and user enumeration. Reflected input is removed
//! before comparing (an echo of the payload must not make two answers differ), and volatile
//! values (timestamps, request ids, nonces) are masked, so that only a change in what the
//! server did counts.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::http::Exchange;

/// Values that change from one request to the next whatever the input: ISO timestamps, epoch
/// numbers, UUIDs, long hex ids, JSON Web Tokens (issued afresh by every login).
static VOLATILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \d{4}-\d{2}-\d{2}[T\ ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?
        | \b1[6-9]\d{8}(?:\d{3})?\b
        | \b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b
        | \b[0-9a-fA-F]{24,}\b
        | \beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*
        ",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// The tags of a page that carry per-session values: hidden inputs (CSRF tokens, form nonces)
/// and `<meta name="csrf-token">`. Their values differ between two visitors' copies of the same
/// page, and say nothing about what the server did.
static SESSION_TAGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<input\b[^>]*\btype\s*=\s*["']?hidden\b[^>]*>|<meta\b[^>]*\bname\s*=\s*["']?[^"'>]*(?:csrf|xsrf)[^>]*>"#)
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static TAG_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)\b(value|content)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)"#)
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// `body` with the values of its per-session tags removed.
fn without_session_values(body: &str) -> String {
    SESSION_TAGS
        .replace_all(body, |tag: &regex::Captures<'_>| {
            TAG_VALUE.replace_all(&tag[0], "$1=\"\"").into_owned()
        })
        .into_owned()
}

/// An answer reduced to what the comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Status code (0 when there was no answer).
    pub status: u16,
    /// The body with reflected input and volatile values removed.
    pub body: String,
}

/// Whether an answer is a rate limit (429, or 503 with `Retry-After`): it says how fast the
/// client asked, nothing about what it asked — a differential comparison that meets one is
/// inconclusive, never a difference.
pub fn throttled(exchange: &Exchange) -> bool {
    exchange
        .response()
        .is_some_and(|r| r.status == 429 || (r.status == 503 && r.header("retry-after").is_some()))
}

impl Shape {
    /// The shape of an exchange's answer, with every `reflected` string (and its common
    /// encodings) removed from the body.
    pub fn of(exchange: &Exchange, reflected: &[&str]) -> Shape {
        let Some(response) = exchange.response() else {
            return Shape {
                status: 0,
                body: String::new(),
            };
        };
        let mut body = response.text();
        for text in reflected.iter().filter(|t| !t.is_empty()) {
            for variant in encodings(text) {
                if !variant.is_empty() {
                    body = body.replace(&variant, "");
                }
            }
        }
        let body = without_session_values(&body);
        let body = VOLATILE.replace_all(&body, "").into_owned();
        Shape {
            status: response.status,
            body,
        }
    }

    /// Whether two shapes are the same answer: same status, and bodies equal or nearly so
    /// (lengths within 2% and at least 95% of their words shared).
    pub fn same_as(&self, other: &Shape) -> bool {
        if self.status != other.status {
            return false;
        }
        if self.body == other.body {
            return true;
        }
        let (a, b) = (self.body.len(), other.body.len());
        let longest = a.max(b);
        if longest == 0 || a.abs_diff(b) * 50 > longest {
            return false;
        }
        // Words counted with repetition: 95% of them must be shared.
        let words = |text: &str| -> BTreeMap<String, usize> {
            let mut counts = BTreeMap::new();
            for word in text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                *counts.entry(word.to_string()).or_insert(0) += 1;
            }
            counts
        };
        let (left, right) = (words(&self.body), words(&other.body));
        let total = left
            .values()
            .sum::<usize>()
            .max(right.values().sum::<usize>());
        let shared: usize = left
            .iter()
            .map(|(word, n)| (*n).min(right.get(word).copied().unwrap_or(0)))
            .sum();
        total == 0 || shared * 100 >= total * 95
    }
}

/// A string as it may be echoed: raw, JSON-escaped, URL-encoded (both space styles),
/// HTML-escaped.
fn encodings(text: &str) -> Vec<String> {
    let json = serde_json::to_string(text).unwrap_or_default();
    let json_inner = json
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&json)
        .to_string();
    let url =
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string();
    let form: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
    let html = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    let mut variants = vec![text.to_string(), json_inner, url, form, html];
    variants.sort_by_key(|v| std::cmp::Reverse(v.len()));
    variants.dedup();
    variants
}

/// Whether the answers to the same request are stable enough to compare: every pair of
/// `baselines` has the same shape.
pub fn stable(baselines: &[Shape]) -> bool {
    !baselines.is_empty() && baselines.windows(2).all(|pair| pair[0].same_as(&pair[1]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::exchange;

    fn shape(status: u16, body: &str, reflected: &[&str]) -> Shape {
        Shape::of(
            &exchange("GET", "http://127.0.0.1/x", status, &[], body),
            reflected,
        )
    }

    #[test]
    fn two_visitors_copies_of_a_page_are_the_same_answer() {
        let page = |token: &str, message: &str| {
            format!(
                r#"<meta name="csrf-token" content="{token}"><form method="post"><input type="hidden" name="csrf_token" value="{token}"><input name="username"><input type="password" name="password"></form><p class="error">{message}</p>"#
            )
        };
        let first = shape(
            200,
            &page("IjA3ZmQ.aZ-x_Q.k9Lw-Tn3", "Invalid user or password."),
            &[],
        );
        let second = shape(
            200,
            &page("ImQ0YjE.aZ-y_R.Pq2-mZ8u", "Invalid user or password."),
            &[],
        );
        assert_eq!(first, second);
        // What the server said still counts.
        let other = shape(200, &page("IjA3ZmQ.aZ-x_Q.k9Lw-Tn3", ""), &[]);
        assert!(!first.same_as(&other));
        // A visible input keeps its value.
        let visible = shape(200, r#"<input name="q" value="cats">"#, &[]);
        assert!(visible.body.contains("cats"));
    }

    #[test]
    fn echoed_input_and_volatile_values_do_not_make_answers_differ() {
        let base = shape(
            200,
            r#"{"q":"abc","results":[1,2],"at":"2026-11-29T10:00:00Z"}"#,
            &["abc"],
        );
        let echo = shape(
            200,
            r#"{"q":"abc' AND 'a' LIKE 'a","results":[1,2],"at":"2026-11-29T10:00:03Z"}"#,
            &["abc' AND 'a' LIKE 'a", "abc"],
        );
        assert!(base.same_as(&echo), "{base:?} {echo:?}");
        let fewer = shape(
            200,
            r#"{"q":"abc' AND 'a' LIKE 'b","results":[],"at":"x"}"#,
            &["abc' AND 'a' LIKE 'b", "abc"],
        );
        assert!(!base.same_as(&fewer));
        assert!(!base.same_as(&shape(500, r#"{"q":"abc","results":[1,2]}"#, &["abc"])));
    }

    #[test]
    fn near_identical_pages_are_the_same_and_different_lengths_are_not() {
        let long = "word ".repeat(200);
        let a = shape(200, &format!("{long} id 1"), &[]);
        let b = shape(200, &format!("{long} id 2"), &[]);
        assert!(a.same_as(&b));
        let c = shape(200, &"word ".repeat(150), &[]);
        assert!(!a.same_as(&c));
        assert!(stable(&[a.clone(), b]));
        assert!(!stable(&[a, c]));
    }

    #[test]
    fn fresh_tokens_do_not_make_logins_differ() {
        let a = shape(
            200,
            r#"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwianRpIjoiYSJ9.c2ln"}"#,
            &[],
        );
        let b = shape(
            200,
            r#"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwianRpIjoiYiJ9.ZGlm"}"#,
            &[],
        );
        assert_eq!(a, b);
        assert!(!a.same_as(&shape(401, r#"{"error":"Wrong password"}"#, &[])));
    }

    #[test]
    fn reflected_input_is_removed_in_its_encodings() {
        let text = "a'b <c>";
        let s = shape(200, "x a&#39;b &lt;c&gt; y a%27b%20%3Cc%3E z", &[text]);
        assert_eq!(s.body, "x  y  z");
    }
}
