//! VG201 hardcoded-credential: a credential in one of the catalog's provider formats (cloud
//! keys, API tokens, private keys, URLs with passwords) is written in a file of the repository.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, OwaspApi, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG201"),
    name: Cow::Borrowed("hardcoded-credential"),
    engine: EngineId::Secrets,
    summary: Cow::Borrowed("A provider credential, private key or password URL is committed"),
    severity: Severity::Critical,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[798, 312]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Data04, ChecklistId::Data03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A value in the exact format of a real credential — AWS, Google Cloud, Azure, GitHub, \
             GitLab, Slack, Stripe, Twilio, SendGrid, OpenAI, Anthropic, Supabase service_role, \
             npm and PyPI tokens and over sixty more (`vibeguard secrets --list` names them), a \
             PEM, OpenSSH or PGP private key, or a database or service URL with a password — in \
             any text file of the tree: source, `.env*`, YAML, JSON, TOML, notebooks, Dockerfiles, \
             CI workflows. Placeholders (`EXAMPLE`, `xxxx`, `your-key-here`, `${VAR}`), tests \
             and fixtures, and lockfile integrity hashes are not reported. Severity comes from \
             the provider (Stripe test keys are low) and rises one level when the file is served \
             to browsers or the variable is inlined into a front-end bundle (`NEXT_PUBLIC_`, \
             `VITE_`, `REACT_APP_`). Reports show only the first four characters, the length and \
             a hash of the value.",
        ),
        why: Cow::Borrowed(
            "Anyone who can read the repository — every collaborator, every CI system, every \
             fork, and the public when it leaks — can use the credential. Automated scanners \
             harvest keys from public commits within minutes; cloud keys are used for crypto \
             mining and data theft the same day.",
        ),
        example_bad: Cow::Borrowed(
            "const stripe = new Stripe('sk_live_51H…');  // committed\nDATABASE_URL=postgres://app:S3cr3t…@db.prod.internal/app",
        ),
        example_fixed: Cow::Borrowed(
            "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);\nDATABASE_URL=${DATABASE_URL}  # injected by the platform's secret store",
        ),
        fix: Cow::Borrowed(
            "Revoke the credential at its provider first (removing it from the code does not \
             un-leak it), issue a new one, and load it from the environment or a secrets \
             manager. Keep `.env` files out of git.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/798.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
            ),
        ]),
    },
};
