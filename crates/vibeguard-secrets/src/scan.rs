//! The detection pipeline over one text: the keyword prefilter, each triggered provider's
//! pattern in a window around its keywords, then entropy, placeholders and the provider's
//! checks, then overlap resolution (a specific provider beats the generic detector; an earlier
//! catalog entry beats a later one). Pure: text in, hits out.

use std::collections::HashSet;

use crate::catalog::{Catalog, Check, Provider};
use crate::files;
use crate::generic::{self, FileKind};
use crate::value::{
    body_after_prefix, character_classes, is_placeholder, jwt_role, shannon_entropy,
};

/// How far around a keyword a single-line pattern is searched, in bytes (clamped to the line).
const WINDOW: usize = 512;
/// How far after its keyword a multi-line pattern (a private key) is searched.
const MULTILINE_WINDOW: usize = 16 * 1024;
/// At most this many hits per text: a generated file full of tokens is one problem, not 10,000.
pub const MAX_HITS_PER_TEXT: usize = 200;

/// What the path says about a text.
#[derive(Debug, Clone, Default)]
pub struct TextContext {
    /// A lockfile: only providers marked `lockfiles` run.
    pub lockfile: bool,
    /// Documentation: the generic detector does not run.
    pub documentation: bool,
    /// Source code: generic values must be quoted literals.
    pub code: bool,
    /// Minified or generated: the generic detector does not run.
    pub minified: bool,
    /// Why the file is served to browsers, if it is.
    pub client_side: Option<&'static str>,
    /// Byte ranges of in-file test code (Rust `#[cfg(test)]` modules): nothing is reported there.
    pub test_code: Vec<(usize, usize)>,
}

impl TextContext {
    /// The context of the file at `path` holding `text`.
    pub fn of(path: &str, text: &str) -> TextContext {
        TextContext {
            lockfile: files::is_lockfile(path),
            documentation: files::is_documentation(path),
            code: files::is_code(path),
            minified: files::looks_minified(text),
            client_side: files::client_side_reason(path, text),
            test_code: files::rust_test_modules(path, text),
        }
    }
}

/// A credential found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index of the provider in the catalog.
    pub provider: usize,
    /// The credential itself. Kept in memory only to hash and describe it; never rendered.
    pub secret: String,
    /// Byte offset of the credential in the text.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// 1-based line of its start.
    pub line: u32,
    /// 1-based column (in characters) of its start.
    pub column: u32,
    /// 1-based line of its end.
    pub end_line: u32,
    /// Why browsers receive it, when they do.
    pub exposure: Option<String>,
    /// A local development database or service (lower severity), for URL credentials.
    pub local: bool,
}

/// Scans one text.
pub fn scan_text(catalog: &Catalog, text: &str, context: &TextContext) -> Vec<Hit> {
    let bytes = text.as_bytes();
    // Windows to search, per provider.
    let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); catalog.providers.len()];
    let mut any = false;
    for found in catalog.automaton.find_overlapping_iter(bytes) {
        let keyword = &catalog.keywords[found.pattern().as_usize()];
        let (start, end) = (found.start(), found.end());
        if keyword.exact && &bytes[start..end] != keyword.text.as_bytes() {
            continue;
        }
        if keyword.word_start && start > 0 && is_word_byte(bytes[start - 1]) {
            continue;
        }
        for &index in &keyword.providers {
            let provider = &catalog.providers[index];
            if !runs_here(provider, context) {
                continue;
            }
            let window = if provider.multiline {
                (start, (start + MULTILINE_WINDOW).min(bytes.len()))
            } else {
                line_window(bytes, start, end)
            };
            windows[index].push(window);
            any = true;
        }
    }
    if !any {
        return Vec::new();
    }
    let mut hits = Vec::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for (index, provider_windows) in windows.iter_mut().enumerate() {
        if provider_windows.is_empty() {
            continue;
        }
        let provider = &catalog.providers[index];
        for (from, to) in merge(provider_windows) {
            let (from, to) = (floor_boundary(text, from), ceil_boundary(text, to));
            let window = &text[from..to];
            for caps in provider.pattern.regex().captures_iter(window) {
                let Some(secret) = caps
                    .name("secret")
                    .or_else(|| caps.name("secret2"))
                    .or_else(|| caps.get(0))
                else {
                    continue;
                };
                let start = from + secret.start();
                if context
                    .test_code
                    .iter()
                    .any(|&(low, high)| (low..high).contains(&start))
                {
                    continue;
                }
                if !seen.insert((index, start)) {
                    continue;
                }
                let Some(mut candidate) =
                    validate(provider, &caps, secret.as_str(), text, start, context)
                else {
                    continue;
                };
                extend_to_token_end(provider, text, &mut candidate);
                let (start, end) = (candidate.start, candidate.start + candidate.value.len());
                hits.push((index, candidate, start, end));
            }
        }
    }
    let hits = resolve_overlaps(catalog, hits);
    let lines = LineIndex::new(text);
    hits.into_iter()
        .take(MAX_HITS_PER_TEXT)
        .map(|(provider, candidate, start, end)| {
            let (line, column) = lines.position(text, start);
            let (end_line, _) = lines.position(text, end.saturating_sub(1).max(start));
            let line_text = lines.line_text(text, start);
            let exposure = context
                .client_side
                .map(str::to_string)
                .or_else(|| {
                    files::public_env_prefix(line_text).map(|prefix| {
                        format!("a `{prefix}` variable, which the front-end build inlines into the browser bundle")
                    })
                });
            Hit {
                provider,
                secret: candidate.value,
                start,
                end,
                line,
                column,
                end_line,
                exposure,
                local: candidate.local,
            }
        })
        .collect()
}

fn runs_here(provider: &Provider, context: &TextContext) -> bool {
    if context.lockfile && !provider.lockfiles {
        return false;
    }
    !(provider.generic && (context.documentation || context.minified || context.lockfile))
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The keyword's line, at most [`WINDOW`] bytes either side of it.
fn line_window(bytes: &[u8], start: usize, end: usize) -> (usize, usize) {
    let low = start.saturating_sub(WINDOW);
    let from = bytes[low..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(low, |at| low + at + 1);
    let high = (end + WINDOW).min(bytes.len());
    let to = bytes[end..high]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(high, |at| end + at);
    (from, to)
}

fn merge(windows: &mut [(usize, usize)]) -> Vec<(usize, usize)> {
    windows.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for &(from, to) in windows.iter() {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[derive(Debug)]
struct Candidate {
    value: String,
    /// Where the value starts in the text: before the match when the pattern's `prefix` group
    /// turned out to be the value's first letters.
    start: usize,
    local: bool,
}

fn validate(
    provider: &Provider,
    caps: &regex::Captures<'_>,
    secret: &str,
    text: &str,
    start: usize,
    context: &TextContext,
) -> Option<Candidate> {
    let mut value = secret.to_string();
    let mut value_start = start;
    let mut local = false;
    for check in &provider.checks {
        match check {
            Check::SecretName => {
                let name = caps.name("name").map_or("", |m| m.as_str());
                let op = caps.name("op").map_or("", |m| m.as_str());
                let prefix = caps.name("prefix").map_or("", |m| m.as_str());
                let quote = caps.name("quote").map_or("", |m| m.as_str());
                // `b"..."`/`r'...'` string prefixes in Python and Rust; without a quote the
                // letters belong to the value.
                if quote.is_empty() && !prefix.is_empty() {
                    value = format!("{prefix}{value}");
                    value_start = start - prefix.len();
                } else if !prefix.is_empty() && !is_string_prefix(prefix) {
                    return None;
                }
                // Comments and docstrings show how a secret is used, with made-up values; type
                // declarations list the values a field may take.
                let line = line_of(text, start);
                if is_comment_line(line) || is_type_declaration(line) {
                    return None;
                }
                // The name must start a key, not sit inside a value (`arn:…:secret:MySecret`).
                if let (Some(name_match), Some(secret_match)) =
                    (caps.name("name"), caps.name("secret"))
                {
                    let name_start = start - (secret_match.start() - name_match.start());
                    if text[..name_start].ends_with([':', '/', '&', '=']) {
                        return None;
                    }
                }
                if !quote.is_empty() {
                    value = whole_literal(text, start, &value, quote)?;
                }
                let kind = if context.code {
                    FileKind::Code
                } else {
                    FileKind::Config
                };
                value =
                    generic::judge(name, op, !quote.is_empty(), &value, kind, provider.entropy)?;
                if value.starts_with("AIza") && in_firebase_web_config(text, start) {
                    return None;
                }
            }
            Check::JwtServiceRole => {
                if jwt_role(secret).as_deref() != Some("service_role") {
                    return None;
                }
            }
            Check::PrivateKeyBody => {
                if !has_key_body(secret) {
                    return None;
                }
            }
            Check::UrlPassword => {
                let user = caps.name("user").map_or("", |m| m.as_str());
                let host = caps.name("host").map_or("", |m| m.as_str());
                if !is_real_url_password(user, secret, host)
                    || is_comment_line(line_of(text, start)) && !looks_random(secret)
                {
                    return None;
                }
                local = is_local_host(host);
            }
            Check::NotFirebaseWebConfig => {
                if in_firebase_web_config(text, start) {
                    return None;
                }
            }
            Check::AzureSas => {
                let line = line_of(text, start);
                if !(line.contains("sv=") && line.contains("windows.net")
                    || line.contains("sv=20") && line.contains("&se=")
                    || line.contains(".core.windows.net"))
                {
                    return None;
                }
            }
        }
    }
    // URL passwords are judged by what they are, the generic detector by its own thresholds.
    let judged_elsewhere = provider.checks.contains(&Check::UrlPassword)
        || provider.checks.contains(&Check::SecretName);
    if !judged_elsewhere && provider.entropy > 0.0 {
        let measured = if provider.multiline || provider.checks.contains(&Check::PrivateKeyBody) {
            shannon_entropy(&key_body(&value))
        } else {
            shannon_entropy(body_after_prefix(&value))
        };
        if measured < provider.entropy {
            return None;
        }
    }
    if !provider.checks.contains(&Check::PrivateKeyBody) && is_placeholder(&value) {
        return None;
    }
    Some(Candidate {
        value,
        start: value_start,
        local,
    })
}

/// Extends a provider token to where the token's characters end in the text. Patterns bound a
/// token's length (`{90,120}`) and windows end 512 bytes from the keyword, so a longer token
/// than the provider documents would otherwise be cut: the finding would describe its head and
/// the evidence line would show the rest in clear. The token's characters are those of
/// [`vibeguard_core::redact::token_tail_len`], which the redactor masks the same way.
/// Values judged as whole literals or URL passwords, and multi-line keys, end where they end.
fn extend_to_token_end(provider: &Provider, text: &str, candidate: &mut Candidate) {
    if provider.multiline
        || provider.checks.iter().any(|check| {
            matches!(
                check,
                Check::SecretName | Check::UrlPassword | Check::PrivateKeyBody
            )
        })
    {
        return;
    }
    let end = candidate.start + candidate.value.len();
    let extra = vibeguard_core::redact::token_tail_len(&text[end..], &candidate.value);
    if extra > 0 {
        candidate.value.push_str(&text[end..end + extra]);
    }
}

/// Whether the offset is inside a Firebase web app's config, whose `apiKey` Google documents as
/// public (access is controlled by security rules, not by the key).
fn in_firebase_web_config(text: &str, at: usize) -> bool {
    let from = floor_boundary(text, at.saturating_sub(400));
    let to = ceil_boundary(text, (at + 400).min(text.len()));
    let around = &text[from..to];
    [
        "authDomain",
        "firebaseapp.com",
        "firebaseConfig",
        "messagingSenderId",
    ]
    .iter()
    .any(|marker| around.contains(marker))
}

/// The whole quoted literal a generic match starts: the pattern stops at characters that end
/// most values (`,`, `;`, `)`), which a quoted secret may contain. A literal with whitespace in
/// it is a sentence (`"Password used to generate key"`), not a secret; one that does not close
/// on its line is not a literal the detector understands.
fn whole_literal(text: &str, start: usize, matched: &str, quote: &str) -> Option<String> {
    let rest = &text[start..ceil_boundary(text, (start + 520).min(text.len()))];
    let close = rest.find(quote)?;
    let literal = &rest[..close];
    if literal.len() < matched.len()
        || literal.len() > 512
        || literal.contains(char::is_whitespace)
        || literal.contains('\\')
    {
        return None;
    }
    Some(literal.to_string())
}

/// TypeScript and similar type declarations: `type State = "create-in-progress" | …`.
fn is_type_declaration(line: &str) -> bool {
    let trimmed = line.trim_start();
    ["type ", "export type ", "declare "]
        .iter()
        .any(|start| trimmed.starts_with(start))
}

/// Whether the line is a comment or docstring line in the common languages.
fn is_comment_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    [
        "//", "#", "/*", "* ", "<!--", ">>>", "-- ", ";", "\"\"\"", "'''", "rem ", "REM ",
    ]
    .iter()
    .any(|marker| trimmed.starts_with(marker))
        || trimmed == "*"
}

fn is_string_prefix(prefix: &str) -> bool {
    prefix
        .chars()
        .all(|c| matches!(c.to_ascii_lowercase(), 'b' | 'r' | 'u' | 'f'))
}

fn line_of(text: &str, at: usize) -> &str {
    let from = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let to = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[from..to]
}

/// The base64 body of a PEM/OpenSSH/PGP block: the lines between the armour, without headers
/// (`Proc-Type: ...`) or escaped newlines.
fn key_body(block: &str) -> String {
    block
        .replace("\\r\\n", "\n")
        .replace("\\n", "\n")
        .lines()
        .filter(|line| !line.starts_with("-----") && !line.contains(": "))
        .flat_map(|line| line.chars())
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect()
}

fn has_key_body(block: &str) -> bool {
    let body = key_body(block);
    body.len() >= 64 && !block.contains("...") && !block.contains('…') && !is_placeholder(&body)
}

/// Passwords that are placeholders or well-known defaults, not credentials someone chose.
const DEFAULT_PASSWORDS: &[&str] = &[
    "password",
    "pass",
    "passwd",
    "pwd",
    "pw",
    "secret",
    "changeme",
    "admin",
    "root",
    "postgres",
    "mysql",
    "redis",
    "guest",
    "test",
    "example",
    "user",
    "username",
    "mypassword",
    "yourpassword",
    "dbpassword",
    "db_password",
    "db_pass",
    "default",
    "demo",
    "sample",
    "***",
    "xxx",
    "foo",
    "bar",
    "password123",
    "123456",
    "tiger",
    "secret123",
    "pa55word",
    "p4ssw0rd",
    "letmein",
    "hunter2",
    "qwerty",
    "s3cr3t",
    "passw0rd",
    "pass123",
    "admin123",
    "s3cret",
    "secr3t",
    "supersecret",
    "topsecret",
    "changeit",
    "swordfish",
    "dev",
    "local",
];

/// Whether a password looks chosen or generated rather than written to show the URL's shape:
/// what a password in a comment must be to count.
fn looks_random(password: &str) -> bool {
    password.len() >= 8 && character_classes(password) >= 2 && shannon_entropy(password) >= 2.8
}

fn is_real_url_password(user: &str, password: &str, host: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    !(password.is_empty()
        || password.starts_with(['$', '%', '{', '<', '[', ':'])
        || password.eq_ignore_ascii_case(user)
        || DEFAULT_PASSWORDS.contains(&lower.as_str())
        || is_placeholder(password)
        || lower.chars().all(|c| c == '*' || c == 'x')
        || host.contains("example")
        || host.ends_with(".test")
        || host.ends_with(".invalid")
        || host == "host"
        || host == "hostname")
}

/// Hosts of a developer's own machine or a compose network: the credential is for a local
/// service (still a secret in the repository, but a lower risk).
fn is_local_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "host.docker.internal"
        || !host.contains('.')
}

/// Keeps, of hits whose credentials overlap, the one from the most specific provider.
fn resolve_overlaps(
    catalog: &Catalog,
    mut hits: Vec<(usize, Candidate, usize, usize)>,
) -> Vec<(usize, Candidate, usize, usize)> {
    let rank = |index: usize| (catalog.providers[index].generic, index);
    hits.sort_by_key(|(index, _, start, _)| (rank(*index), *start));
    let mut kept: Vec<(usize, Candidate, usize, usize)> = Vec::new();
    for hit in hits {
        let overlaps = kept
            .iter()
            .any(|(_, _, start, end)| hit.2 < *end && *start < hit.3);
        if !overlaps {
            kept.push(hit);
        }
    }
    kept.sort_by_key(|(_, _, start, _)| *start);
    kept
}

/// Line starts of a text, for turning byte offsets into lines and columns.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    fn line_start(&self, at: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&start| start <= at) - 1;
        (line, self.starts[line])
    }

    fn position(&self, text: &str, at: usize) -> (u32, u32) {
        let (line, start) = self.line_start(at);
        let column = text[start..floor_boundary(text, at)].chars().count() + 1;
        (
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    fn line_text<'t>(&self, text: &'t str, at: usize) -> &'t str {
        let (line, start) = self.line_start(at);
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        &text[start..end.max(start)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str, path: &str) -> Vec<String> {
        let catalog = Catalog::builtin().expect("catalog");
        scan_text(catalog, text, &TextContext::of(path, text))
            .into_iter()
            .map(|hit| catalog.providers[hit.provider].id.clone())
            .collect()
    }

    #[test]
    fn a_provider_token_is_found_with_its_position() {
        let catalog = Catalog::builtin().expect("catalog");
        let text = "line one\nconst token = 'ghp_R8vK2mQ9xL4tW7zN1bY6cF3hJ5dS0aP2eG8u';\n";
        let hits = scan_text(catalog, text, &TextContext::of("src/a.js", text));
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(
            catalog.providers[hits[0].provider].id,
            "github-personal-access-token"
        );
        assert_eq!((hits[0].line, hits[0].column), (2, 16));
        assert_eq!(hits[0].secret, "ghp_R8vK2mQ9xL4tW7zN1bY6cF3hJ5dS0aP2eG8u");
    }

    #[test]
    fn the_specific_provider_wins_over_the_generic_detector() {
        assert_eq!(
            ids(
                "STRIPE_SECRET_KEY=sk_live_51Hq8ZfT2mX9LpR4vBn7KdW3sYh\n",
                ".env"
            ),
            ["stripe-live-secret-key"]
        );
    }

    #[test]
    fn public_env_prefixes_are_exposures() {
        let catalog = Catalog::builtin().expect("catalog");
        let text = "NEXT_PUBLIC_STRIPE_KEY=sk_live_51Hq8ZfT2mX9LpR4vBn7KdW3sYh\n";
        let hits = scan_text(catalog, text, &TextContext::of(".env.local", text));
        assert!(
            hits[0]
                .exposure
                .as_deref()
                .is_some_and(|e| e.contains("NEXT_PUBLIC_"))
        );
    }

    #[test]
    fn lockfile_integrity_hashes_are_not_secrets() {
        let text = r#"{"integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==", "token": "q8ZfT2mX9LpR4vBn7KdW3sYh"}"#;
        assert!(ids(text, "package-lock.json").is_empty());
    }

    #[test]
    fn multibyte_text_around_keywords_is_safe() {
        let text = format!("{}ghp_{}é", "é".repeat(600), "é".repeat(600));
        assert!(ids(&text, "a.txt").is_empty());
    }

    /// Tokens longer than their provider's pattern allows, or than the search window around
    /// their keyword: the hit must cover them to their last character.
    #[test]
    fn a_token_longer_than_its_pattern_is_covered_to_its_end() {
        let catalog = Catalog::builtin().expect("catalog");
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let body = |length: usize| -> String {
            let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
            (0..length)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    char::from(ALPHABET[(state >> 58) as usize])
                })
                .collect()
        };
        for (line_start, token, provider) in [
            ("VAULT_TOKEN=", format!("hvb.{}", body(300)), "vault-token"),
            (
                "OP_SERVICE_ACCOUNT_TOKEN=",
                format!("ops_eyJ{}", body(2000)),
                "onepassword-service-account-token",
            ),
        ] {
            let text = format!("{line_start}{token}\nNEXT=1\n");
            let hits = scan_text(catalog, &text, &TextContext::of("deploy/app.env", &text));
            assert_eq!(hits.len(), 1, "{provider}: {hits:?}");
            assert_eq!(catalog.providers[hits[0].provider].id, provider);
            assert_eq!(hits[0].secret, token, "{provider}");
            assert_eq!(hits[0].end, line_start.len() + token.len());
        }
    }
}
