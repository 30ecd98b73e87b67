//! What an answer must never show, shared by the API engine's checks and the scenario engine's
//! `free_of` assertions: internals (stack traces, SQL and ORM errors, debug pages, server
//! paths) in any text, and sensitive fields (password hashes, passwords, secrets, tokens
//! outside the login flow, card and social-security numbers) in a JSON body.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// Error text that reveals internals, with what it is.
static LEAKS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("a Python traceback", r"Traceback \(most recent call last\)"),
        ("a JavaScript stack trace", r"\n\s+at [\w$.<>\[\] ]+ \(?[^\s)]+:\d+:\d+\)?"),
        ("a Java stack trace", r"\bat [\w$.]+\([\w$]+\.java:\d+\)"),
        ("a Go panic", r"goroutine \d+ \[running\]|panic: runtime error"),
        ("a Rust panic", r"panicked at [^\n]+\.rs:\d+"),
        ("a .NET exception", r"System\.[A-Za-z.]+Exception"),
        ("a Ruby backtrace", r"\.rb:\d+:in `"),
        ("a PHP error", r"(?i)(?:fatal error|warning)</b>:|on line <b>\d+</b>|Stack trace:\s*#0"),
        ("an SQL error", r#"(?i)you have an error in your sql syntax|syntax error at or near|unterminated quoted string|near "[^"]*": syntax error|SQLITE_ERROR|sqlite3\.OperationalError|no such (?:table|column)|ORA-\d{5}|SQLSTATE\[|Unclosed quotation mark|pg::\w+error|psycopg2?\.errors|incorrect syntax near"#),
        ("an ORM error", r"Sequelize\w*Error|PrismaClient\w*Error|QueryFailedError|TypeORMError|django\.db\.utils|sqlalchemy\.exc|ActiveRecord::\w+|MongoServerError|CastError: Cast to"),
        ("a framework debug page", r"Werkzeug Debugger|Django Version:|Whitelabel Error Page|DEBUG = True|Laravel\\|at Layer\.handle \[as handle_request\]"),
        ("a server file path", r#"(?:/home/[\w.-]+|/usr/src/app|/var/www|/opt/app|/app/src|[A-Z]:\\\\Users\\\\)[/\\][\w./\\-]+\.(?:js|ts|py|rb|php|java|go|rs)\b"#),
        ("an SQL statement", r#"(?i)"(?:sql|query)"\s*:\s*"\s*(?:select|insert|update|delete)\b"#),
    ]
    .into_iter()
    .map(|(name, pattern)| (name, Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {name}: {e}"))))
    .collect()
});

/// What in a text (an answer's body) leaks internals, if anything: a stack trace, an SQL or ORM
/// error, a framework debug page, a server file path, an SQL statement.
pub fn internals_in(text: &str) -> Option<&'static str> {
    LEAKS
        .iter()
        .find(|(_, pattern)| pattern.is_match(text))
        .map(|(name, _)| *name)
}

static HASH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$\S+|pbkdf2[_:$]\S+|\$scrypt\$\S+|\$[56]\$\S+\$\S+)$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static HEX_DIGEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static SSN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{3}-\d{2}-\d{4}$").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// What a field exposes, if anything.
fn exposure(key: &str, value: &Value, auth_endpoint: bool) -> Option<&'static str> {
    let text = match value {
        Value::String(text) if !text.trim().is_empty() => text.as_str(),
        Value::Number(_) => "",
        _ => return None,
    };
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if !text.is_empty() && HASH.is_match(text) {
        return Some("a password hash");
    }
    let password_like = key.contains("password")
        || key.contains("passwd")
        || key == "pwd"
        || key.contains("hash")
        || key == "salt";
    if password_like {
        return Some(if !text.is_empty() && HEX_DIGEST.is_match(text) {
            "a password hash"
        } else {
            "a password or hash field"
        });
    }
    if [
        "secret",
        "clientsecret",
        "apikey",
        "apisecret",
        "secretkey",
        "privatekey",
        "accesskeysecret",
        "signingkey",
        "webhooksecret",
    ]
    .iter()
    .any(|k| key.contains(k))
    {
        return Some("a secret");
    }
    let token_like = key.ends_with("token") || key == "jwt";
    if token_like && !auth_endpoint {
        return Some("a token");
    }
    if (key.contains("ssn") || key.contains("socialsecurity")) && SSN.is_match(text) {
        return Some("a social-security number");
    }
    if (key.contains("card") || key == "pan" || key.contains("ccnumber")) && luhn(text) {
        return Some("a card number");
    }
    None
}

/// Whether a string of 13–19 digits (spaces and dashes allowed) passes the Luhn check.
fn luhn(text: &str) -> bool {
    let digits: Vec<u32> = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn walk(value: &Value, path: &str, auth_endpoint: bool, out: &mut Vec<(String, &'static str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}/{key}");
                if let Some(what) = exposure(key, child, auth_endpoint) {
                    out.push((child_path, what));
                } else {
                    walk(child, &child_path, auth_endpoint, out);
                }
            }
        }
        // Lists repeat their items' shape: report each path once, with the index generalised.
        Value::Array(items) => {
            for item in items.iter().take(20) {
                walk(item, &format!("{path}/*"), auth_endpoint, out);
            }
        }
        _ => {}
    }
}

/// Whether an operation issues or refreshes credentials (tokens in its answer are expected).
pub fn is_auth_endpoint(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        "login", "signin", "sign-in", "token", "auth", "session", "register", "signup", "sign-up",
        "refresh", "oauth",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

static HASH_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$argon2(?:id|i|d)\$v=\d+\$[^\s\x22'<]+|\$scrypt\$[^\s\x22'<]+|pbkdf2_sha(?:1|256|512)\$\d+\$[^\s\x22'<]+")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Whether a text (of any format: JSON, HTML, plain) holds a password hash in a self-describing
/// format (bcrypt, Argon2, scrypt, Django's PBKDF2).
pub fn password_hash_in(text: &str) -> bool {
    HASH_IN_TEXT.is_match(text)
}

/// Whether a text holds a PEM private key.
pub fn private_key_in(text: &str) -> bool {
    PRIVATE_KEY.is_match(text)
}

/// The sensitive fields of a JSON body, each as its JSON pointer (list items generalised to
/// `*`) and what it exposes; empty and null values are not. `auth_endpoint`: the answer is a
/// login's, registration's or refresh's, where tokens are expected.
pub fn sensitive_fields(body: &Value, auth_endpoint: bool) -> Vec<(String, &'static str)> {
    let mut exposed = Vec::new();
    walk(body, "", auth_endpoint, &mut exposed);
    // List items repeat their paths (`/*/password_hash` once per user): each said once.
    let mut seen = std::collections::BTreeSet::new();
    exposed.retain(|found| seen.insert(found.clone()));
    exposed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_checks_card_numbers() {
        assert!(luhn("4111-1111-1111-1111"));
        assert!(!luhn("4111111111111112"));
        assert!(!luhn("1234"));
    }

    #[test]
    fn internals_are_named_and_plain_errors_are_not() {
        assert_eq!(
            internals_in("Traceback (most recent call last):\n  File \"app.py\""),
            Some("a Python traceback")
        );
        assert_eq!(internals_in("{\"error\":\"not found\"}"), None);
    }

    #[test]
    fn hashes_and_keys_are_found_in_any_text_and_look_alikes_are_not() {
        assert!(password_hash_in(
            "<td>$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy</td>"
        ));
        assert!(password_hash_in(
            "{\"h\":\"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA\"}"
        ));
        assert!(password_hash_in("pbkdf2_sha256$600000$salt$hash"));
        assert!(!password_hash_in("costs $2 and $10 each"));
        assert!(private_key_in("-----BEGIN RSA PRIVATE KEY-----\nMIIE"));
        assert!(!private_key_in("-----BEGIN PUBLIC KEY-----"));
    }
}
