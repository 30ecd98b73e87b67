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

pub use vibeguard_core::secret_names::{body_after_prefix, is_placeholder};

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
