//! Keeps credentials out of every output.
//!
//! A [`Redactor`] is built once per run from the credentials the user gave vibeguard (identity
//! tokens, passwords, environment values) and is applied to every message, evidence excerpt and
//! error before anything is rendered. On top of the known values it masks what looks like a
//! credential wherever it appears: the password of a URL, the value of an `Authorization` or
//! `Cookie` header, and literal values assigned to secret-named keys.

use std::sync::LazyLock;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use regex::{Captures, Regex};
use sha2::{Digest, Sha256};

/// What a masked value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Values shorter than this are not treated as known secrets: replacing every "ab" in a report
/// would destroy it, and no real credential is that short.
const MIN_KNOWN_SECRET_LEN: usize = 3;

// `https://user:password@host` -> keep the user, mask the password.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:)(?P<secret>[^@\s/]+)(?P<tail>@)")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

// `Authorization: Bearer abc` -> keep the header name and auth scheme, mask the rest.
static SECRET_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?im)^(?P<head>\s*(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token)\s*:\s*(?:(?:bearer|basic|token|digest)\s+)?)(?P<secret>\S.*?)(?P<tail>\s*)$",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

// A bearer token anywhere (a curl line, a log message), not only at the start of a header line.
static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?P<head>\bbearer\s+)(?P<secret>[A-Za-z0-9\-._~+/]{8,}=*)")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

// A JSON Web Token anywhere: even altered (a tampered signature), it carries the claims and most
// of a real signature.
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<secret>eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

// A quoted literal assigned to a secret-named key: `password: "x"`, `"apiKey": 'x'`, `token = "x"`.
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?P<head>["']?[a-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|credential)[a-z0-9_.\-]*["']?\s*[:=]\s*(?P<quote>["'`]))(?P<secret>[^"'`\s]+)"#,
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

// An env-file line whose key is secret-named: `DB_PASSWORD=hunter2`, `export API_KEY=abc`.
static SECRET_ENV_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?im)^(?P<head>\s*(?:export\s+)?[A-Z0-9_]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|DSN|DATABASE_URL)[A-Z0-9_]*\s*=\s*)(?P<secret>[^\s#]+)",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

// A secret-bearing header inside a reproduction command: `-H 'Cookie: sid=abc'`.
static CURL_SECRET_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)-H \$?'(?P<name>authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token|x-access-token|x-csrf-token|x-xsrf-token):\s*(?:(?:bearer|basic|token|digest)\s+)?(?P<secret>(?:[^'\\]|\\.)+)'",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// The kind of credential a secret-bearing header holds, as a variable name part.
fn kind_of_header(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "cookie" => "COOKIE",
        "x-api-key" | "api-key" | "apikey" => "API_KEY",
        "x-csrf-token" | "x-xsrf-token" => "CSRF_TOKEN",
        _ => "TOKEN",
    }
}

/// The kind of a credential, from the few characters before it in a command.
fn kind_before(before: &str) -> &'static str {
    let start = before.char_indices().rev().nth(40).map_or(0, |(at, _)| at);
    let near = before[start..].to_ascii_lowercase();
    let last = |word: &str| near.rfind(word);
    let candidates = [
        (last("pass"), "PASSWORD"),
        (last("pwd"), "PASSWORD"),
        (last("cookie"), "COOKIE"),
        (last("bearer"), "TOKEN"),
        (last("authorization"), "TOKEN"),
        (last("token"), "TOKEN"),
        (last("key"), "API_KEY"),
    ];
    candidates
        .iter()
        .filter_map(|(at, kind)| at.map(|at| (at, *kind)))
        .max_by_key(|(at, _)| *at)
        .map_or("SECRET", |(_, kind)| kind)
}

fn describe_kind(kind: &str) -> &'static str {
    match kind {
        "TOKEN" => "a token",
        "COOKIE" => "a session cookie",
        "API_KEY" => "an API key",
        "CSRF_TOKEN" => "a CSRF token",
        "PASSWORD" => "a password",
        _ => "a credential",
    }
}

/// Masks known credentials and credential-shaped values in text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Known secret values, longest first so that a secret containing another is masked whole.
    known: Vec<String>,
}

impl Redactor {
    /// A redactor that masks `secrets` (and their percent-encoded forms) wherever they appear,
    /// on top of the credential patterns every redactor masks.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut known: Vec<String> = Vec::new();
        for secret in secrets {
            let secret = secret.into();
            if secret.chars().count() < MIN_KNOWN_SECRET_LEN {
                continue;
            }
            let encoded = percent_encode(&secret);
            if encoded != secret {
                known.push(encoded);
            }
            known.push(secret);
        }
        known.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        known.dedup();
        Redactor { known }
    }

    /// Returns `text` with every credential masked.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.known {
            if out.contains(secret.as_str()) {
                out = mask_known(&out, secret);
            }
        }
        for pattern in [
            &*JWT,
            &*BEARER,
            &*URL_PASSWORD,
            &*SECRET_HEADER,
            &*SECRET_ASSIGNMENT,
        ] {
            if pattern.is_match(&out) {
                out = pattern.replace_all(&out, mask_capture).into_owned();
            }
        }
        if SECRET_ENV_LINE.is_match(&out) {
            out = SECRET_ENV_LINE
                .replace_all(&out, mask_env_line)
                .into_owned();
        }
        out
    }

    /// A label (a finding's parameter: `cookie:session`, `header:x-api-key`, `path:token`)
    /// with known credentials and token shapes masked — but not the header-line and
    /// assignment patterns, which would read `cookie:session` as a `Cookie:` header's value.
    pub fn redact_label(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.known {
            if out.contains(secret.as_str()) {
                out = mask_known(&out, secret);
            }
        }
        for pattern in [&*JWT, &*BEARER, &*URL_PASSWORD] {
            if pattern.is_match(&out) {
                out = pattern.replace_all(&out, mask_capture).into_owned();
            }
        }
        out
    }

    /// A reproduction command (`curl …`, built from [`crate::shell::quote`]d words) with every
    /// credential replaced by a shell variable (`"$VG_TOKEN"`), and a comment line above it
    /// naming the variables to set. The command runs as it is once they are set, and holds no
    /// credential: the known values, secret-bearing headers (`Authorization`, `Cookie`, API
    /// keys) and every credential pattern [`Redactor::redact`] masks.
    pub fn redact_command(&self, command: &str) -> String {
        let mut spans: Vec<(usize, usize, &'static str)> = Vec::new();
        for secret in &self.known {
            for form in crate::shell::quoted_forms(secret) {
                for (at, _) in command.match_indices(form.as_str()) {
                    let mut end = at + form.len();
                    if secret.len() >= MIN_TOKEN_LEN {
                        end += token_tail_len(&command[end..], secret);
                    }
                    spans.push((at, end, kind_before(&command[..at])));
                }
            }
        }
        for caps in CURL_SECRET_HEADER.captures_iter(command) {
            if let (Some(name), Some(secret)) = (caps.name("name"), caps.name("secret")) {
                spans.push((secret.start(), secret.end(), kind_of_header(name.as_str())));
            }
        }
        // A JWT is a token wherever it stands; the others are named by what precedes them.
        for (pattern, kind) in [
            (&*JWT, Some("TOKEN")),
            (&*BEARER, None),
            (&*URL_PASSWORD, None),
            (&*SECRET_ASSIGNMENT, None),
        ] {
            for caps in pattern.captures_iter(command) {
                if let Some(secret) = caps.name("secret")
                    && !secret.as_str().starts_with('$')
                {
                    let kind = kind.unwrap_or_else(|| kind_before(&command[..secret.start()]));
                    spans.push((secret.start(), secret.end(), kind));
                }
            }
        }
        if spans.is_empty() {
            return command.to_string();
        }
        spans.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut merged: Vec<(usize, usize, &'static str)> = Vec::new();
        for span in spans {
            match merged.last_mut() {
                Some(last) if span.0 < last.1 => last.1 = last.1.max(span.1),
                _ => merged.push(span),
            }
        }
        let states = crate::shell::quote_states(command);
        let mut names: Vec<(String, String, &'static str)> = Vec::new();
        let mut out = String::with_capacity(command.len());
        let mut last = 0;
        for (start, end, kind) in merged {
            let value = &command[start..end];
            let name = match names.iter().find(|(_, known, _)| known == value) {
                Some((name, _, _)) => name.clone(),
                None => {
                    let same_kind = names.iter().filter(|(_, _, k)| *k == kind).count();
                    let name = if same_kind == 0 {
                        format!("VG_{kind}")
                    } else {
                        format!("VG_{kind}_{}", same_kind + 1)
                    };
                    names.push((name.clone(), value.to_string(), kind));
                    name
                }
            };
            out.push_str(&command[last..start]);
            out.push_str(states[start].close());
            out.push_str(&format!("\"${name}\""));
            out.push_str(states[end].reopen());
            last = end;
        }
        out.push_str(&command[last..]);
        let wanted: Vec<String> = names
            .iter()
            .map(|(name, _, kind)| format!("{name} ({})", describe_kind(kind)))
            .collect();
        format!(
            "# credentials are not written here; set {} first\n{out}",
            wanted.join(", ")
        )
    }

    /// Redacts a string in place.
    pub fn redact_in_place(&self, text: &mut String) {
        let redacted = self.redact(text);
        if redacted != *text {
            *text = redacted;
        }
    }
}

/// Known values at least this long are tokens: where one is followed by more of its own
/// characters, the text holds a longer token than the one found, and its tail is masked too.
/// Shorter values are passwords, whose neighbours are ordinary text.
const MIN_TOKEN_LEN: usize = 16;

/// The most characters masked past a known token.
const MAX_TOKEN_TAIL: usize = 8 * 1024;

/// How many bytes at the start of `rest` continue `token`: letters, digits, `-` and `_`
/// (URL-safe base64), and the punctuation the token holds (`.`, `+`, `/`, `=`, `~`), at most
/// 8,192 characters. A sentence's full stop after the token is not part of it.
/// One definition for the secrets engine (a token longer than its pattern) and the redactor
/// (a known token followed by more of itself), so both mask the same characters.
pub fn token_tail_len(rest: &str, token: &str) -> usize {
    let belongs = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_')
            || (matches!(c, '.' | '+' | '/' | '=' | '~') && token.contains(c))
    };
    let mut length: usize = rest
        .chars()
        .take_while(|c| belongs(*c))
        .take(MAX_TOKEN_TAIL)
        .map(char::len_utf8)
        .sum();
    if rest[..length].ends_with('.') {
        length -= 1;
    }
    length
}

/// `text` with every occurrence of `secret` masked, together with the rest of the token it
/// starts when `secret` is a token ([`token_tail_len`]).
fn mask_known(text: &str, secret: &str) -> String {
    let is_token = secret.len() >= MIN_TOKEN_LEN;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(secret) {
        out.push_str(&rest[..at]);
        out.push_str(REDACTED);
        rest = &rest[at + secret.len()..];
        if is_token {
            rest = &rest[token_tail_len(rest, secret)..];
        }
    }
    out.push_str(rest);
    out
}

fn mask_capture(caps: &Captures<'_>) -> String {
    let head = caps.name("head").map_or("", |m| m.as_str());
    let tail = caps.name("tail").map_or("", |m| m.as_str());
    let secret = caps.name("secret").map_or("", |m| m.as_str());
    // Masking a value that is already masked, or a reference to where the secret lives, hides
    // nothing and only makes the evidence harder to read.
    if secret == REDACTED
        || secret.starts_with('$')
        || secret.starts_with("[REDACTED")
        || secret.contains(DESCRIPTION_MARK)
        || looks_like_version(secret)
    {
        return caps[0].to_string();
    }
    format!("{head}{REDACTED}{tail}")
}

/// An env-file line's secret masked — or, when the "line" is a form body that starts with a
/// secret-named field (`password=…&username=ada&next=/`), that field's value and every other
/// secret-named field's, the others kept: a form body is no env line, and masking the rest of
/// it would hide the names and payloads the evidence is about.
fn mask_env_line(caps: &Captures<'_>) -> String {
    let secret = caps.name("secret").map_or("", |m| m.as_str());
    let head = caps.name("head").map_or("", |m| m.as_str());
    // `DB_PASSWORD=…` is an env line whatever its value holds; form fields are lower case.
    let form_like = head.chars().any(|c| c.is_ascii_lowercase());
    let Some(at) = form_continues_at(secret).filter(|_| form_like) else {
        return mask_capture(caps);
    };
    let mut out = format!("{head}{}", masked_unless_marked(&secret[..at]));
    for pair in secret[at..].split('&').skip(1) {
        out.push('&');
        match pair.split_once('=') {
            Some((name, value)) if is_secret_name(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(masked_unless_marked(value));
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// `REDACTED` for a value, unless it is empty or a mask already.
fn masked_unless_marked(value: &str) -> &str {
    if value.is_empty() || value.starts_with("[REDACTED") {
        value
    } else {
        REDACTED
    }
}

/// Where the value of a form body's first field ends, when what follows it is more fields
/// (`&name=value`, each name a form field's): an env value that holds a `&` is followed by
/// no such thing.
fn form_continues_at(value: &str) -> Option<usize> {
    let at = value.find('&')?;
    value[at + 1..]
        .split('&')
        .all(|pair| {
            pair.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty()
                    && name.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '%')
                    })
            })
        })
        .then_some(at)
}

/// Whether a field name says it holds a secret (the words [`SECRET_ASSIGNMENT`] looks for).
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['-', '.'], "_");
    [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "accesskey",
        "access_key",
        "privatekey",
        "private_key",
        "credential",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// Version numbers and ranges (`^9.0.0`, `~1.2`, `>=2`, `1.4.5-lts.1`) are never secrets, but
/// package names such as `jsonwebtoken` or `passport-secret` make them look assigned to one.
fn looks_like_version(value: &str) -> bool {
    let bare = value.trim_start_matches(['^', '~', '>', '<', '=', 'v', ' ']);
    bare.starts_with(|c: char| c.is_ascii_digit())
        && bare.len() <= 32
        && bare
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '*' | 'x'))
        && bare.contains('.')
}

/// What follows the shown characters of a described secret. Text holding it is already a
/// description, which the credential patterns leave alone.
const DESCRIPTION_MARK: char = '…';

/// A short, safe description of a secret value for reports: its first four characters, its
/// length and a hash prefix, e.g. `sk_l… (32 chars, sha256:1f0c9a2b)`. The hash lets two reports
/// be compared without revealing the value. A value shorter than 12 characters shows only a
/// quarter of them: four characters of `pass` or `hunter2` would be most of the password.
pub fn describe_secret(value: &str) -> String {
    let length = value.chars().count();
    let shown = if length >= 12 { 4 } else { length / 4 };
    let prefix: String = value.chars().take(shown).collect();
    format!(
        "{prefix}{DESCRIPTION_MARK} ({length} chars, sha256:{})",
        &short_hash(value)[..8]
    )
}

/// The hex SHA-256 of `value`; used where a value must be compared but never shown.
pub fn short_hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// How a value looks inside a URL query or form body (RFC 3986 unreserved characters kept).
fn percent_encode(value: &str) -> String {
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(value, COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_body_that_starts_with_a_password_keeps_its_other_fields() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact("password=hunter2x&username=ada&next=%2Fhome&csrf_token=abc123"),
            "password=[REDACTED]&username=ada&next=%2Fhome&csrf_token=[REDACTED]"
        );
        assert_eq!(
            redactor.redact("password=p1&password_again=p1&username=o%27brien"),
            "password=[REDACTED]&password_again=[REDACTED]&username=o%27brien"
        );
    }

    #[test]
    fn an_env_value_holding_an_ampersand_is_masked_whole() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact("DB_PASSWORD=ab&cd=ef"),
            "DB_PASSWORD=[REDACTED]"
        );
        assert_eq!(redactor.redact("password=ab&cd"), "password=[REDACTED]");
        assert_eq!(
            redactor.redact("export API_KEY=k&1&x=y"),
            "export API_KEY=[REDACTED]"
        );
    }

    #[test]
    fn masks_known_values_and_their_url_encoding() {
        let redactor = Redactor::new(["p@ss w0rd!", "tok_123456"]);
        let text = "login with p@ss w0rd! then ?pw=p%40ss%20w0rd%21 and tok_123456";
        let out = redactor.redact(text);
        assert!(!out.contains("p@ss w0rd!"));
        assert!(!out.contains("p%40ss%20w0rd%21"));
        assert!(!out.contains("tok_123456"));
    }

    #[test]
    fn masks_bearer_tokens_and_jwts_anywhere() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWJ5dGVz";
        let out = Redactor::default().redact(&format!(
            "curl -H 'Authorization: Bearer {jwt}' and {{\"t\": \"{jwt}\"}}"
        ));
        assert!(!out.contains("eyJzdWIiOiIxIn0"), "{out}");
        let opaque =
            Redactor::default().redact("curl -H 'Authorization: Bearer opaque-token-12345'");
        assert!(!opaque.contains("opaque-token-12345"), "{opaque}");
    }

    #[test]
    fn masks_url_passwords_but_keeps_the_user() {
        let out = Redactor::default().redact("postgres://app:hunter2@db:5432/app");
        assert_eq!(out, "postgres://app:[REDACTED]@db:5432/app");
    }

    #[test]
    fn masks_auth_headers_keeping_the_scheme() {
        let out = Redactor::default()
            .redact("GET / HTTP/1.1\nAuthorization: Bearer eyJabc.def.ghi\nAccept: */*");
        assert!(out.contains("Authorization: Bearer [REDACTED]"));
        assert!(out.contains("Accept: */*"));
    }

    #[test]
    fn masks_literals_assigned_to_secret_names_but_not_expressions() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact(r#"const JWT_SECRET = "supersecret123";"#),
            r#"const JWT_SECRET = "[REDACTED]";"#
        );
        let expression = "const password = req.body.password;";
        assert_eq!(redactor.redact(expression), expression);
        assert_eq!(
            redactor.redact("DB_PASSWORD=admin123"),
            "DB_PASSWORD=[REDACTED]"
        );
        assert_eq!(redactor.redact("API_KEY=${API_KEY}"), "API_KEY=${API_KEY}");
        let dependency = r#"    "jsonwebtoken": "^9.0.0","#;
        assert_eq!(
            redactor.redact(dependency),
            dependency,
            "a version range is not a secret"
        );
        assert_eq!(
            redactor.redact(r#""auth-token": "ab12cd34ef56""#),
            r#""auth-token": "[REDACTED]""#
        );
    }

    #[test]
    fn a_token_tail_keeps_the_tokens_characters_and_not_a_full_stop() {
        assert_eq!(token_tail_len("abc_d-e. More", "xyz"), 7);
        assert_eq!(token_tail_len("ab.cd/e=f'", "a.b/c=d"), 9);
        assert_eq!(token_tail_len("ab.cd", "plain"), 2);
        assert_eq!(
            token_tail_len("-x-", "t"),
            3,
            "a trailing `-` is the token's own"
        );
    }

    #[test]
    fn masks_the_tail_of_a_longer_token_than_the_one_known() {
        let found = "hvb.AAAAAQJx5sB9pPq2LmW7tY3vZ8kR1nD4";
        let text = format!("VAULT_TOKEN={found}Qe7Ry_Uk-Zp0Lm9n, next\nhunter2x");
        let out = Redactor::new([found, "hunter2"]).redact(&text);
        assert_eq!(out, "VAULT_TOKEN=[REDACTED], next\n[REDACTED]x");
    }

    #[test]
    fn a_command_gets_variables_for_its_credentials_and_still_runs() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWJ5dGVz";
        let command = format!(
            "curl -i -X POST 'http://127.0.0.1:3000/api/x?k=1' -H 'Authorization: Bearer {jwt}' -H 'Cookie: sid=s3ss10n-v4lue' --data-raw $'{{\"password\":\"it\\'s-Secret-9\"}}\\r\\n'"
        );
        let out = Redactor::new(["it's-Secret-9"]).redact_command(&command);
        assert_eq!(
            out,
            "# credentials are not written here; set VG_TOKEN (a token), VG_COOKIE (a session cookie), VG_PASSWORD (a password) first\n\
             curl -i -X POST 'http://127.0.0.1:3000/api/x?k=1' -H 'Authorization: Bearer '\"$VG_TOKEN\"'' -H 'Cookie: '\"$VG_COOKIE\"'' --data-raw $'{\"password\":\"'\"$VG_PASSWORD\"$'\"}\\r\\n'"
        );
        assert!(!out.contains("s3ss10n"));
        assert_eq!(
            Redactor::default().redact_command("curl -i 'http://a/'"),
            "curl -i 'http://a/'"
        );
    }

    #[test]
    fn labels_keep_names_and_lose_known_secrets() {
        let labels = Redactor::new(["tok_123456"]);
        assert_eq!(labels.redact_label("cookie:session"), "cookie:session");
        assert_eq!(
            labels.redact_label("header:set-cookie"),
            "header:set-cookie"
        );
        assert_eq!(labels.redact_label("path:tok_123456"), "path:[REDACTED]");
    }

    #[test]
    fn ignores_values_too_short_to_be_secrets() {
        let out = Redactor::new(["ab"]).redact("abc cab");
        assert_eq!(out, "abc cab");
    }

    #[test]
    fn describes_a_secret_without_revealing_it() {
        let text = describe_secret("sk_live_0123456789abcdef");
        assert!(text.starts_with("sk_l… (24 chars, sha256:"));
        assert!(describe_secret("hunter2").starts_with("h… (7 chars, sha256:"));
        assert!(describe_secret("abc").starts_with("… (3 chars, sha256:"));
        // A description is not masked again when it sits where a secret would.
        let line = format!("const token = '[{text}]';");
        assert_eq!(Redactor::default().redact(&line), line);
        assert!(!text.contains("0123456789"));
    }
}
