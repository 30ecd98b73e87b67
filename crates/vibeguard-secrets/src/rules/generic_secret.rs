//! VG202 generic-secret: a high-entropy literal assigned to a secret-named variable or
//! configuration key (`JWT_SECRET = "…"`, `apiKey: '…'`, `client_secret=…`), in no known
//! provider format.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, OwaspApi, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG202"),
    name: Cow::Borrowed("generic-secret"),
    engine: EngineId::Secrets,
    summary: Cow::Borrowed("A generated-looking value is assigned to a secret-named key"),
    severity: Severity::High,
    confidence: Confidence::Tentative,
    cwe: Cow::Borrowed(&[798]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Data04, ChecklistId::Data03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A literal assigned to a name that is secret-named as a word — `secret`, `password`, \
             `token`, `api key`, `private key`, `client secret`, `<service>_KEY` — in code \
             (quoted string literals only: `x = settings.KEY` is a reference), or a value of \
             such a key in `.env`, YAML, TOML, JSON, INI and Dockerfiles, when the value looks \
             generated: at least 12 characters, at least 3.2 bits of entropy per character and \
             two character classes (passwords: 8 characters, two classes). Names about a secret \
             rather than holding one (`token_url`, `password_hash`, `secret_name`, `primary_key`, \
             `max_tokens`) and values that are references, paths, URLs, versions, UUIDs, hashes \
             of the `sha512-` kind, publishable keys or placeholders are not reported; neither \
             are documentation, minified files, lockfiles, tests and fixtures.",
        ),
        why: Cow::Borrowed(
            "Signing secrets, API keys and passwords in the repository are readable by everyone \
             who can read the code, and they end up in every clone, fork, container image and \
             backup.",
        ),
        example_bad: Cow::Borrowed("JWT_SECRET = \"h7Gk2pQ9zX4mV8wB3nR6tY1c\""),
        example_fixed: Cow::Borrowed(
            "JWT_SECRET = os.environ[\"JWT_SECRET\"]  # fails at start-up when missing",
        ),
        fix: Cow::Borrowed(
            "Rotate the value wherever it is used, then read it from the environment or a \
             secrets manager. If it is not a secret, rename the key or add \
             `vibeguard-ignore[VG202]: <reason>` on the line.",
        ),
        references: Cow::Borrowed(&[Cow::Borrowed(
            "https://cwe.mitre.org/data/definitions/798.html",
        )]),
    },
};
