//! The generic detector's judgement: is this `name = value` a secret? The name must be
//! secret-named as a word (`apiKey`, `JWT_SECRET`, `db.password`, not `secretary` or
//! `token_url`), and the value must look generated: a literal (quoted in code), long enough,
//! random enough, and not a reference, a path, a URL, a version, a UUID or a placeholder.

use crate::value::{self, character_classes, is_placeholder, is_uuid, shannon_entropy};

pub use vibeguard_core::secret_names::{SecretName, name_words, secret_name};

/// Letters-only values spelled as words (`NextToken`, `AuthorizationHeaderValue`): identifiers,
/// not generated keys, which change case at random.
fn looks_like_words(value: &str) -> bool {
    // `_auth_user_backend`, `create-in-progress`: lower-case words and separators.
    if value
        .chars()
        .all(|c| c.is_ascii_lowercase() || matches!(c, '_' | '-' | '.' | ':'))
    {
        return true;
    }
    // `vibeguardFingerprint/v1`, `Acme.Billing-2`: identifier words joined by separators, with
    // at most short version numbers between them.
    let mut words = 0;
    for segment in value
        .split(['/', '_', '-', '.', ':'])
        .filter(|segment| !segment.is_empty())
    {
        if is_version(segment) {
            continue;
        }
        if !is_word(segment) {
            return false;
        }
        words += 1;
    }
    words > 0
}

/// One identifier word: lower-case letters, or CamelCase that starts a word every few letters
/// (random letters change case every other one).
fn is_word(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.len() < 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let word_starts = bytes
        .windows(2)
        .filter(|pair| pair[0].is_ascii_lowercase() && pair[1].is_ascii_uppercase())
        .count();
    word_starts * 6 < bytes.len()
}

/// `v1`, `2`, `v10`: a version between words.
fn is_version(segment: &str) -> bool {
    let digits = segment.strip_prefix(['v', 'V']).unwrap_or(segment);
    (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Where the assignment was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Source code: the value must be a quoted literal.
    Code,
    /// Configuration (`.env`, YAML, TOML, INI, Dockerfile, shell): unquoted values count.
    Config,
}

/// The generic detector's verdict on one `name op value` match: the secret value, when it is
/// one. `quoted` says whether a quote opened the value; `key_entropy` is the least entropy of a
/// key or token value (passwords need less: people choose them).
pub fn judge(
    name: &str,
    op: &str,
    quoted: bool,
    raw_value: &str,
    kind: FileKind,
    key_entropy: f64,
) -> Option<String> {
    let strength = secret_name(name)?;
    if kind == FileKind::Code && !quoted {
        return None;
    }
    // `==` compares; `,` separates arguments: only in code, as `get("API_KEY", "fallback")` or
    // `headers.set("X-Api-Key", "...")`, and only for a quoted value.
    if (op == "," || op == "==") && !quoted {
        return None;
    }
    let value = raw_value.trim_end_matches(['.', ':']);
    let len = value.chars().count();
    // Generated secrets are ASCII; text in other scripts is a message or a translation.
    if len < 8
        || !value.is_ascii()
        || is_placeholder(value)
        || looks_like_reference(value)
        || looks_like_words(value)
    {
        return None;
    }
    // An argument list names things as often as it pairs them (`sensitive_variables("user",
    // "password", "card")`): after a comma only a value that is plainly generated counts.
    if op == ","
        && !(len >= 16
            && value.chars().any(|c| c.is_ascii_digit())
            && shannon_entropy(value) >= 3.5)
    {
        return None;
    }
    if let Some(role) = value::jwt_role(value) {
        // A Supabase anon key (or any `anon` JWT) is meant for browsers.
        if role == "anon" {
            return None;
        }
    }
    let entropy = shannon_entropy(value);
    let classes = character_classes(value);
    let generated = match strength {
        SecretName::Password => len >= 8 && classes >= 2 && entropy >= 2.5,
        SecretName::Key => {
            len >= 12 && entropy >= key_entropy && (classes >= 2 || (len >= 32 && entropy >= 3.5))
        }
    };
    generated.then(|| value.to_string())
}

/// Values that point at a secret instead of being one.
fn looks_like_reference(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if value.contains("://")
        || value.starts_with(['/', '~', '%', '@', '&', '*', '!', '#', '.', '-'])
        || value.contains("(")
        || lower.starts_with("process.env")
        || lower.starts_with("os.environ")
        || lower.starts_with("env.")
        || lower.starts_with("import.meta")
        || lower.starts_with("secrets.")
        || lower.starts_with("vars.")
        || matches!(
            lower.as_str(),
            "true" | "false" | "null" | "none" | "undefined" | "nil"
        )
    {
        return true;
    }
    // A dotted identifier path (`settings.SECRET_KEY`, `config.auth.token`) or a constant name.
    let is_identifier_path = value.split('.').count() > 1
        && value.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    let is_constant_name = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        && value.contains('_');
    let is_email = value.contains('@') && value.contains('.') && !value.contains(' ');
    let is_version = value
        .trim_start_matches(['v', '^', '~', '>', '=', '<'])
        .split(['.', '-', '+'])
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == 'v')
        && value.matches('.').count() >= 2;
    let is_number = value
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '_');
    let is_file_name = value.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (2..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_lowercase())
            && matches!(
                ext,
                "pem"
                    | "key"
                    | "json"
                    | "txt"
                    | "yaml"
                    | "yml"
                    | "crt"
                    | "p12"
                    | "pfx"
                    | "env"
                    | "js"
                    | "ts"
                    | "py"
                    | "toml"
                    | "cfg"
                    | "ini"
                    | "conf"
                    | "html"
                    | "png"
            )
    });
    let is_date = value.len() >= 10
        && value.as_bytes()[4] == b'-'
        && value.as_bytes()[7] == b'-'
        && value[..4].bytes().all(|b| b.is_ascii_digit());
    is_identifier_path
        || is_constant_name
        || is_email
        || is_version
        || is_number
        || is_file_name
        || is_date
        || is_uuid(value)
        || value.starts_with("pk_")
        || value.starts_with("pk.")
        || value.starts_with("sb_publishable_")
        || value.starts_with("$2")
        || value.starts_with("sha256-")
        || value.starts_with("sha512-")
        || value.starts_with("sha1-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_split_into_words() {
        assert_eq!(name_words("apiKey"), ["api", "key"]);
        assert_eq!(name_words("JWT_SECRET"), ["jwt", "secret"]);
        assert_eq!(name_words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(
            name_words("config.db.password"),
            ["config", "db", "password"]
        );
    }

    #[test]
    fn secret_names() {
        for name in [
            "apiKey",
            "JWT_SECRET",
            "client_secret",
            "DB_PASSWORD",
            "STRIPE_KEY",
            "authToken",
            "X-Api-Key",
            "private_key",
            "SESSION_SECRET",
        ] {
            assert!(secret_name(name).is_some(), "{name}");
        }
        for name in [
            "secretary",
            "token_url",
            "primary_key",
            "password_hash",
            "tokenizer",
            "max_tokens",
            "public_key",
            "SUPABASE_ANON_KEY",
            "secret_name",
            "key",
            "passwordField",
            "csrf_token_header",
            "result_key",
            "contextKey",
            "NextToken",
            "output_token",
            // The examples docs/secrets.md gives.
            "tokenizer",
            "token_type",
            "next_token",
            "password_reset_url",
            "csrf_token",
            "idempotency_key",
            "api_key_header",
        ] {
            assert!(secret_name(name).is_none(), "{name}");
        }
    }

    #[test]
    fn values_must_look_generated() {
        let code = FileKind::Code;
        assert!(judge("apiKey", "=", true, "q8ZfT2mX9LpR4vBn7KdW3sYh", code, 3.2).is_some());
        assert!(judge("apiKey", "=", false, "q8ZfT2mX9LpR4vBn7KdW3sYh", code, 3.2).is_none());
        assert!(
            judge(
                "API_KEY",
                "=",
                false,
                "q8ZfT2mX9LpR4vBn7KdW3sYh",
                FileKind::Config,
                3.2
            )
            .is_some()
        );
        for value in [
            "process.env.API_KEY",
            "settings.SECRET_KEY",
            "${API_KEY}",
            "your-api-key-here",
            "123e4567-e89b-12d3-a456-426614174000",
            "https://example.org/token",
            "API_KEY_NAME",
            "secrets/key.pem",
            "sha512-abcdefghijklmnop",
            "NextContinuationToken",
            "AuthorizationHeaderValue",
            "AWSAccessKeyId",
            "_auth_user_backend",
            "some_password",
            "create-in-progress",
            "vibeguardFingerprint/v1",
            "Acme.Billing-v2",
            "分析器预期会找到与此处的令牌匹配",
        ] {
            assert!(
                judge("apiKey", "=", true, value, code, 3.2).is_none(),
                "{value}"
            );
        }
        assert!(judge("password", "=", true, "Tr0ub4dor&3x", code, 3.2).is_some());
        assert!(judge("password", "=", true, "password", code, 3.2).is_none());
        // Separators do not make random segments words.
        for value in [
            "q8ZfT2mX9LpR4vBn/v1",
            "aGVsbG8/d29ybGQx",
            "Summer-2024-Harbor!",
        ] {
            assert!(
                judge("apiKey", "=", true, value, code, 3.2).is_some(),
                "{value}"
            );
        }
    }
}
