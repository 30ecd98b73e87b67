//! What marks a name as holding a secret (`apiKey`, `JWT_SECRET`, `db.password`, not
//! `secretary` or `token_url`) and a value as a stand-in (`your-key-here`, `${VAR}`, `xxxx`):
//! shared by every engine that judges `name = value` pairs — the secrets engine's generic
//! detector, the container engine's `ENV`/`ARG` and Compose environment rules — so there is one
//! list of such words, not one per engine.

/// Words that make a name secret-named on their own.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "password",
    "passwd",
    "passphrase",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "secretkey",
    "clientsecret",
    "authkey",
    "signingkey",
    "credential",
    "credentials",
];

/// Words that, before `key`, make it a secret: `api key`, `private key`, `stripe key`.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "auth",
    "signing",
    "encryption",
    "master",
    "secret",
    "client",
    "app",
    "hmac",
    "jwt",
    "session",
    "license",
    "service",
    "admin",
    "stripe",
    "sendgrid",
    "mailgun",
    "twilio",
    "openai",
    "anthropic",
    "github",
    "gitlab",
    "slack",
    "aws",
    "azure",
    "supabase",
    "firebase",
    "algolia",
    "pusher",
    "cloudinary",
    "datadog",
    "sentry",
    "mailchimp",
    "postmark",
    "resend",
    "groq",
    "mistral",
    "cohere",
    "replicate",
    "pinecone",
    "deepseek",
    "gemini",
];

/// Words before `key` that make it a data-structure or cache key, never a credential.
const NON_SECRET_KEY_QUALIFIERS: &[&str] = &[
    "primary",
    "foreign",
    "sort",
    "partition",
    "cache",
    "map",
    "lookup",
    "dict",
    "hash",
    "index",
    "row",
    "idempotency",
    "public",
    "object",
    "bucket",
    "unique",
    "composite",
    "i18n",
    "translation",
    "query",
    "storage",
    "local",
    "react",
    "list",
    "group",
    "sign",
    "route",
    "redis",
    "s3",
    "kms",
    "ssh",
    "gpg",
    "pgp",
    "next",
    "prev",
    "previous",
];

/// Words that mean the name holds something about a secret, not the secret itself.
const NOT_A_SECRET_WORDS: &[&str] = &[
    "url",
    "uri",
    "urls",
    "endpoint",
    "path",
    "file",
    "filename",
    "dir",
    "folder",
    "name",
    "id",
    "ids",
    "type",
    "length",
    "len",
    "size",
    "count",
    "field",
    "header",
    "hash",
    "hashed",
    "digest",
    "checksum",
    "sha",
    "md5",
    "prefix",
    "suffix",
    "env",
    "var",
    "variable",
    "param",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "expire",
    "timeout",
    "regex",
    "pattern",
    "format",
    "label",
    "placeholder",
    "policy",
    "version",
    "mode",
    "algorithm",
    "alg",
    "kind",
    "class",
    "provider",
    "store",
    "manager",
    "generator",
    "validator",
    "rotation",
    "tokenizer",
    "tokens",
    "input",
    "form",
    "hint",
    "message",
    "msg",
    "error",
    "description",
    "question",
    "min",
    "max",
    "strength",
    "lifetime",
    "duration",
    "encoding",
    "ref",
    "location",
    "source",
    "host",
    "user",
    "username",
    "email",
    "public",
    "publishable",
    "anon",
    "template",
    "schema",
    "column",
    "table",
    "route",
    "method",
    "scope",
    "scopes",
    "audience",
    "issuer",
    "redirect",
    "callback",
    "confirm",
    "confirmation",
    "reset",
    "forgot",
    "required",
    "enabled",
    "disabled",
    "valid",
    "invalid",
    "length",
    "limit",
    "retries",
    "usage",
    "usages",
    "cost",
    "price",
    "budget",
    "count",
    "counter",
    "index",
    "position",
    "offset",
    "value_type",
    "salt",
    "rounds",
    "id_token_hint",
    // Pagination and protocol tokens: cursors and idempotency markers, not credentials.
    "next",
    "output",
    "continuation",
    "purchase",
    "subject",
    "term",
    "cursor",
    "pagination",
    "marker",
    "idempotency",
    "csrf",
    "xsrf",
    "state",
];

/// Splits a name into lower-case words: `apiKey` → `api key`, `JWT_SECRET` → `jwt secret`.
pub fn name_words(name: &str) -> Vec<String> {
    crate::words::words(name)
}

/// How a name is secret-named, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretName {
    /// A password or passphrase: generated values are not required, only non-trivial ones.
    Password,
    /// A key, token or secret: the value must look generated.
    Key,
}

/// Whether the name is secret-named as a word, and how.
pub fn secret_name(name: &str) -> Option<SecretName> {
    // The last path segment names the value: `config.db.password`, `headers["X-Api-Key"]`.
    let words = name_words(name);
    if words.is_empty()
        || words
            .iter()
            .any(|w| NOT_A_SECRET_WORDS.contains(&w.as_str()))
    {
        return None;
    }
    if words
        .iter()
        .any(|w| w.starts_with("passw") || w == "passphrase" || w == "pwd")
    {
        return Some(SecretName::Password);
    }
    if words.iter().any(|w| SECRET_WORDS.contains(&w.as_str())) {
        return Some(SecretName::Key);
    }
    let last = words.len() - 1;
    for (i, word) in words.iter().enumerate() {
        if word != "key" && word != "keys" {
            continue;
        }
        let before = i.checked_sub(1).map(|j| words[j].as_str());
        match before {
            Some(q) if NON_SECRET_KEY_QUALIFIERS.contains(&q) => return None,
            Some(q) if KEY_QUALIFIERS.contains(&q) => return Some(SecretName::Key),
            // `STRIPE_KEY`, `ACME_KEY`: a service name before a final `key`, in the
            // environment-variable spelling (`result_key`, `contextKey` are program names).
            Some(_) if i == last && is_environment_style(name) => return Some(SecretName::Key),
            _ => {}
        }
    }
    None
}

/// `UPPER_SNAKE` names, as environment variables and settings are spelled.
fn is_environment_style(name: &str) -> bool {
    let last = name
        .rsplit(['.', '[', '"', '\''])
        .find(|part| !part.is_empty());
    last.is_some_and(|part| {
        part.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && part.chars().any(|c| c.is_ascii_uppercase())
    })
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
