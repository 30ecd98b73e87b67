//! What a candidate value looks like: its entropy, whether it is a placeholder, whether it is a
//! JWT and what its payload says. Pure functions of the text.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Shannon entropy of `value` in bits per character (0 for an empty string).
pub fn shannon_entropy(value: &str) -> f64 {
    let bytes = value.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &byte in bytes {
        counts[usize::from(byte)] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / len;
            -p * p.log2()
        })
        .sum()
}

/// The part of a token after its fixed, well-known prefix (`ghp_`, `sk_live_`, `xoxb-`): what
/// entropy is measured on, so a long prefix does not lift `ghp_aaaa…` over the threshold.
pub fn body_after_prefix(value: &str) -> &str {
    // A prefix is at most 12 leading characters ending in `_`, `-` or `.` (the first such end).
    let head: usize = value
        .char_indices()
        .take(13)
        .find(|&(_, c)| matches!(c, '_' | '-' | '.'))
        .map_or(0, |(i, _)| i + 1);
    if head > 0 && head < value.len() {
        &value[head..]
    } else {
        value
    }
}

/// Words that mark a value as a stand-in written for documentation or templates.
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "sample",
    "xxxx",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "yourpassword",
    "your.",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "placeholder",
    "dummy",
    "fake",
    "redacted",
    "replace_",
    "replaceme",
    "replace-me",
    "replace_with",
    "insert_",
    "insert-",
    "todo",
    "fixme",
    "****",
    "....",
    "…",
    "${",
    "{{",
    "}}",
    "%(",
    "$(",
    "<%",
    "_here",
    "-here",
    "here>",
    "notreal",
    "not_real",
    "not-real",
    "not-a-real",
    "notasecret",
    "not_a_secret",
    "lorem",
    "0123456789",
    "1234567890",
    "abcdefghij",
    "abcdef123456",
    "123456abcdef",
    "qwertyuiop",
];

/// Whether the value is a placeholder (`your-key-here`, `EXAMPLE`, `xxxx`, `<token>`,
/// `${VAR}`), a masked value, or a run of one character — not a credential anyone issued.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_MARKERS
        .iter()
        .any(|marker| lower.contains(marker))
    {
        return true;
    }
    if value.starts_with('<') || value.ends_with('>') || value.starts_with('$') {
        return true;
    }
    if has_shell_expansion(value) {
        return true;
    }
    if PUBLISHED_TEST_VALUES
        .iter()
        .any(|known| value.contains(known))
    {
        return true;
    }
    // `aaaaaaaaaaaaaaaa`, `0000000000000000`, or a body that is mostly one character. A run
    // inside a long random body is a format's padding (X bearer tokens start with 21 `A`s,
    // Dropbox's long-lived tokens hold ten), not a stand-in.
    let body = body_after_prefix(value);
    let longest_run = longest_repeat(body);
    let rest = body.len().saturating_sub(longest_run);
    (longest_run >= 8 && (rest < 24 || distinct_chars(body) < 12))
        || (body.len() >= 8 && distinct_chars(body) <= 3)
}

/// Credentials providers publish in their documentation for local emulators and tests: known
/// to everyone, and accepted by nothing in production.
const PUBLISHED_TEST_VALUES: &[&str] = &[
    // Azure Cosmos DB emulator.
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==",
    // Azurite (Azure Storage emulator), account devstoreaccount1.
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    // Stripe's documentation test key.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
];

/// Whether the value holds a shell variable expansion such as `$RANDOM` or `$DB_HOST`: the
/// value is made when the script runs (`pw="ci-$RANDOM$RANDOM"`), not written in it. An upper-case
/// name of three or more characters that ends the value or meets a character no name holds; a
/// random password's `$XYZ9k` (a lower-case letter right after) is not one.
fn has_shell_expansion(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(at, byte)| {
        if *byte != b'$' {
            return false;
        }
        let name: usize = bytes[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
            .count();
        let starts_with_letter = bytes
            .get(at + 1)
            .is_some_and(|c| c.is_ascii_uppercase() || *c == b'_');
        let after = bytes.get(at + 1 + name);
        starts_with_letter && name >= 3 && after.is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

fn longest_repeat(value: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    let mut last = None;
    for c in value.chars() {
        if Some(c) == last {
            current += 1;
        } else {
            current = 1;
            last = Some(c);
        }
        longest = longest.max(current);
    }
    longest
}

fn distinct_chars(value: &str) -> usize {
    let mut seen: Vec<char> = Vec::new();
    for c in value.chars() {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.len()
}

/// How many of the classes lower case, upper case, digit and other the value mixes.
pub fn character_classes(value: &str) -> usize {
    let mut classes = [false; 4];
    for c in value.chars() {
        let class = if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        };
        classes[class] = true;
    }
    classes.iter().filter(|&&present| present).count()
}

/// The decoded payload of a JWT (`header.payload.signature`), when it is one.
pub fn jwt_payload(token: &str) -> Option<serde_json::Value> {
    let mut parts = token.split('.');
    let header = parts.next()?;
    let payload = parts.next()?;
    parts.next()?;
    if parts.next().is_some() || !header.starts_with("eyJ") {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The `role` claim of a JWT (`anon`, `service_role`, `authenticated`).
pub fn jwt_role(token: &str) -> Option<String> {
    jwt_payload(token)?
        .get("role")?
        .as_str()
        .map(str::to_string)
}

/// Whether the value is a UUID (`8-4-4-4-12` hex digits).
pub fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_random_above_repetitive() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("ab") - 1.0).abs() < 1e-9);
        assert!(shannon_entropy("q8ZfT2mX9LpR4vBn7KdW3sYh") > 4.0);
        assert!(shannon_entropy("passwordpassword") < 3.0);
    }

    #[test]
    fn prefixes_are_not_measured() {
        assert_eq!(body_after_prefix("ghp_abc"), "abc");
        assert_eq!(body_after_prefix("sk_live_abc"), "live_abc");
        assert_eq!(body_after_prefix("plainvalue"), "plainvalue");
    }

    #[test]
    fn placeholders_are_recognised() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "your-api-key-here",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "<token>",
            "${STRIPE_KEY}",
            "changeme",
            "ghp_000000000000000000000000000000000000",
            "ghp_abababababababababababababababababab",
            // Made when the script runs.
            "vibeguard-ci-$RANDOM$RANDOM$RANDOM",
            "pg-$DB_SUFFIX-2024",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        for value in [
            "ghp_R8vK2mQ9xL4tW7zN1bY6cF3hJ5dS0aP2eG8u",
            "q8ZfT2mX9LpR4vBn7KdW3sYh",
            // A `$` inside a random password is not an expansion.
            "q8Zf$XYZ9kLmR4vBn7KdW3sYh",
            "Tz9$Ab#Q2w!Lm7pX",
        ] {
            assert!(!is_placeholder(value), "{value}");
        }
    }

    #[test]
    fn jwt_roles_are_read_from_the_payload() {
        // {"alg":"HS256","typ":"JWT"} . {"role":"service_role","iss":"supabase"}
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
        assert_eq!(jwt_role(token).as_deref(), Some("service_role"));
        assert_eq!(jwt_role("eyJx.not-base64!.sig"), None);
        assert_eq!(jwt_role("not.a.jwt"), None);
    }

    #[test]
    fn uuids_and_classes() {
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567-e89b-12d3-a456-42661417400"));
        assert_eq!(character_classes("abc"), 1);
        assert_eq!(character_classes("aB3$"), 4);
    }
}
