//! What identifiers say about the data they hold: `passwordHash`, `reset_token`, `API_KEY`.
//! Names are split into lowercase words (camelCase, snake_case, kebab-case, SCREAMING_CASE) so
//! that `tokenCount` is not a token and `user_password` is a password.

/// Whether `haystack` contains `needle` (ASCII, any case), without allocating.
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack
        .as_bytes()
        .windows(needle.len().max(1))
        .any(|window| window.eq_ignore_ascii_case(needle))
}

/// Whether a name may say anything about secrets at all: one pass over it before splitting
/// it into words (most names in a project say nothing about secrets).
fn mentions_secret_stem(name: &str) -> bool {
    static STEMS: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    STEMS
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(SECRET_STEMS)
                .ok()
        })
        .as_ref()
        .is_none_or(|stems| stems.is_match(name))
}

/// Stems every secret-ish word contains.
const SECRET_STEMS: &[&str] = &[
    "pass",
    "pwd",
    "salt",
    "secret",
    "token",
    "hash",
    "otp",
    "ssn",
    "cvv",
    "cvc",
    "pin",
    "key",
    "number",
    "code",
    "seed",
    "jwt",
    "credential",
    "cookie",
    "sid",
    "nonce",
    "session",
    "link",
    "url",
];

pub use vibeguard_core::words::words;

fn has_word(words: &[String], wanted: &[&str]) -> bool {
    words.iter().any(|w| wanted.contains(&w.as_str()))
}

/// Whether a field of a stored record is a credential or personal secret that must never be
/// sent to clients: password hashes, salts, tokens, API keys, MFA secrets, SSNs, card numbers.
pub fn is_sensitive_field(name: &str) -> bool {
    if !mentions_secret_stem(name) {
        return false;
    }
    let words = words(name);
    let last = words.last().map(String::as_str).unwrap_or("");
    matches!(
        last,
        "password"
            | "passwd"
            | "pwd"
            | "passcode"
            | "salt"
            | "secret"
            | "token"
            | "hash"
            | "otp"
            | "totp"
            | "ssn"
            | "cvv"
            | "cvc"
            | "pin"
            | "apikey"
            | "secretkey"
            | "privatekey"
    ) || (last == "key" && has_word(&words, &["api", "private", "secret", "access", "signing"]))
        || (last == "number" && has_word(&words, &["card", "credit", "security", "social"]))
        || (matches!(last, "codes" | "code") && has_word(&words, &["recovery", "backup"]))
        || (last == "seed" && has_word(&words, &["mfa", "totp", "otp"]))
        // Rails' `has_secure_password` column.
        || (last == "digest" && has_word(&words, &["password"]))
}

/// Whether a name holds a secret that must not be logged or hard-coded: passwords, tokens,
/// secrets, keys, credentials.
pub fn is_secret_name(name: &str) -> bool {
    if !mentions_secret_stem(name) {
        return false;
    }
    let words = words(name);
    let last = words.last().map(String::as_str).unwrap_or("");
    has_word(
        &words,
        &["password", "passwd", "pwd", "passphrase", "credentials"],
    ) || matches!(
        last,
        "secret" | "token" | "jwt" | "otp" | "credential" | "cookie"
    ) || (last == "key"
        && has_word(
            &words,
            &[
                "api",
                "secret",
                "private",
                "access",
                "signing",
                "encryption",
            ],
        ))
        || words
            .iter()
            .any(|w| w == "apikey" || w == "secretkey" || w == "privatekey")
}

/// Whether a name is for a password (not a hash of one).
pub fn is_password_name(name: &str) -> bool {
    if !(contains_ignore_case(name, "pass")
        || contains_ignore_case(name, "pwd")
        || contains_ignore_case(name, "pw"))
    {
        return false;
    }
    let words = words(name);
    has_word(&words, &["password", "passwd", "pwd", "passphrase", "pw"])
        && !has_word(
            &words,
            &[
                "hash",
                "hashed",
                "digest",
                "reset",
                "confirm",
                "confirmation",
                "new",
                "old",
                "policy",
                "length",
                "strength",
                "min",
                "max",
            ],
        )
}

/// Whether a name is for a value that must be unguessable: session ids, tokens, reset and
/// verification codes, API keys, nonces, OTPs.
pub fn is_token_name(name: &str) -> bool {
    if !mentions_secret_stem(name) {
        return false;
    }
    let words = words(name);
    let last = words.last().map(String::as_str).unwrap_or("");
    matches!(
        last,
        "token" | "secret" | "nonce" | "otp" | "sid" | "salt" | "apikey" | "password"
    ) || (last == "key" && has_word(&words, &["api", "secret", "access", "session", "private"]))
        || (last == "id" && has_word(&words, &["session"]))
        || (last == "code"
            && has_word(
                &words,
                &[
                    "reset",
                    "verification",
                    "verify",
                    "otp",
                    "auth",
                    "invite",
                    "invitation",
                    "confirmation",
                    "recovery",
                    "login",
                    "magic",
                    "access",
                    "coupon",
                    "promo",
                    "voucher",
                    "referral",
                    "gift",
                    "activation",
                    "pairing",
                    "unlock",
                    "mfa",
                    "sms",
                ],
            ))
        || has_word(&words, &["reset", "verification", "magic"])
            && has_word(&words, &["link", "url"])
}

/// Whether a path or name is about authentication: login, sign-up, password reset, OTP.
pub fn is_auth_route(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let compact: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    [
        "login",
        "signin",
        "logon",
        "signup",
        "register",
        "forgot",
        "resetpassword",
        "reset",
        "passwordreset",
        "password",
        "otp",
        "verify",
        "2fa",
        "twofa",
        "twofactor",
        "mfa",
        "activate",
        "activation",
        "token",
        "session",
        "authenticate",
        "magiclink",
    ]
    .iter()
    .any(|w| compact.contains(w))
        && !compact.contains("logout")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_into_words() {
        assert_eq!(words("passwordHash"), ["password", "hash"]);
        assert_eq!(words("API_KEY"), ["api", "key"]);
        assert_eq!(words("resetPasswordToken"), ["reset", "password", "token"]);
        assert_eq!(words("parseJSONBody"), ["parse", "json", "body"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
    }

    #[test]
    fn sensitive_fields_and_look_alikes() {
        for name in [
            "password",
            "passwordHash",
            "password_hash",
            "salt",
            "resetToken",
            "apiKey",
            "ssn",
            "mfa_secret",
            "card_number",
            "hashed_password",
        ] {
            assert!(is_sensitive_field(name), "{name}");
        }
        for name in [
            "email",
            "name",
            "tokenCount",
            "keyboard",
            "passwordChangedAt",
            "hashtags",
            "id",
            "role",
            "monkey",
            "tokenExpiresAt",
        ] {
            assert!(!is_sensitive_field(name), "{name}");
        }
    }

    #[test]
    fn token_and_secret_names() {
        assert!(is_token_name("resetToken"));
        assert!(is_token_name("session_id"));
        assert!(is_token_name("verificationCode"));
        assert!(!is_token_name("zipCode"));
        assert!(!is_token_name("delay"));
        assert!(is_secret_name("JWT_SECRET"));
        assert!(is_secret_name("password"));
        assert!(!is_secret_name("email"));
        assert!(is_password_name("password"));
        assert!(!is_password_name("passwordHash"));
    }

    #[test]
    fn auth_routes() {
        assert!(is_auth_route("/api/auth/login"));
        assert!(is_auth_route("/users/forgot-password"));
        assert!(is_auth_route("/signup"));
        assert!(!is_auth_route("/api/tasks"));
        assert!(!is_auth_route("/logout"));
    }
}
