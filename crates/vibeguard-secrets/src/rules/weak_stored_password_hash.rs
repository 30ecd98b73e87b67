//! VG204 weak-stored-password-hash: a password hash committed in the repository — a seed file,
//! a fixture, a database dump — shows how the app stores passwords, and this one falls short
//! of AUTH-03 (bcrypt below cost 10, PBKDF2 below OWASP's iterations, Argon2 or scrypt below
//! their minimums, SHA-crypt or MD5-crypt). Test files are not read: tests lower the cost on
//! purpose, for speed.

use std::borrow::Cow;

use vibeguard_core::password_hash::HashStrength;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, Location, RuleDocs, RuleMeta, Severity,
    Span,
};

/// The rule.
pub static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG204"),
    name: Cow::Borrowed("weak-stored-password-hash"),
    engine: EngineId::Secrets,
    summary: Cow::Borrowed(
        "A password hash in the repository shows passwords stored with a weak scheme or cost",
    ),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[916]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Auth03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every text file the secrets engine reads (test files excepted) is searched for \
             self-describing password hashes — bcrypt `$2b$NN$`, `$argon2id$`, `$scrypt$`, \
             SHA-crypt `$6$`/`$5$`, MD5-crypt `$1$`, Django's `pbkdf2_sha256$N$`, Werkzeug's \
             `pbkdf2:sha256:N$` and `scrypt:N:r:p$` — and each is judged by the work factor it \
             carries. Strong hashes are not reported; they count as evidence that AUTH-03 holds.",
        ),
        why: Cow::Borrowed(
            "Seeds and dumps are made by the app's own hashing code, so their hashes say what a \
             stolen database would look like: bcrypt at cost 4 or PBKDF2 at 10,000 iterations \
             is cracked thousands of times faster than the minimum, MD5-crypt and SHA-crypt \
             are fast on GPUs. A dump committed with real users' hashes is also a leak.",
        ),
        example_bad: Cow::Borrowed(
            "-- seed.sql\nINSERT INTO users (email, password) VALUES ('admin@example.com', '$2b$04$…');",
        ),
        example_fixed: Cow::Borrowed(
            "-- seed.sql: created by the app's own hashing at cost 12\nINSERT INTO users (email, password) VALUES ('admin@example.com', '$2b$12$…');",
        ),
        fix: Cow::Borrowed(
            "Raise the cost in the hashing code (bcrypt 12, Argon2id m=19456 KiB t=2 or more, \
             PBKDF2-SHA256 600,000 iterations), re-hash at the next login, and regenerate the \
             seed; never commit a dump of real accounts.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/916.html"),
        ]),
    },
};

/// The finding for a weak hash at `line` of `path`.
pub fn finding(path: &str, line: u32, strength: &HashStrength) -> Finding {
    Finding::new(
        &META,
        Location::Source {
            path: path.to_string(),
            span: Some(Span::line(line, 1, 1)),
        },
        format!(
            "a password hash stored as {} (the hash itself is not shown)",
            strength.describe()
        ),
        format!("{}:{}", strength.scheme, strength.cost),
    )
    .with_evidence(Evidence::Text {
        label: "password storage".into(),
        text: strength.describe(),
    })
}
