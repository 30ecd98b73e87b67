//! VG203 secret-in-history: a credential was committed in the past and is no longer in the
//! tree, but every clone still holds it (found with `--git-history`).

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, OwaspApi, RuleDocs, RuleMeta, Severity};

/// The rule.
pub static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG203"),
    name: Cow::Borrowed("secret-in-history"),
    engine: EngineId::Secrets,
    summary: Cow::Borrowed("A credential removed from the tree is still in the git history"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[798, 312]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Data04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "With `--git-history`, every line added by every commit (all branches and tags) is \
             scanned with the same catalog and checks as the tree. A credential that some commit \
             added and that is no longer in the current files is reported with the commit, its \
             author date and the file it was added to. Credentials still in the tree are \
             reported once, by VG201/VG202, not again here.",
        ),
        why: Cow::Borrowed(
            "Deleting a secret in a new commit does not remove it from the repository: anyone \
             with a clone, a fork or access to the hosting service can read the old commit. \
             Leaked keys are harvested from public history within minutes.",
        ),
        example_bad: Cow::Borrowed(
            "commit a1b2c3 adds .env with AWS_SECRET_ACCESS_KEY=…; commit d4e5f6 deletes .env",
        ),
        example_fixed: Cow::Borrowed(
            "The key is revoked at the provider; the history is optionally rewritten \
             (git filter-repo) and every clone re-made.",
        ),
        fix: Cow::Borrowed(
            "Rotate it: it is public to anyone with the repository. Revoke the credential at the \
             provider, then, if you want, rewrite the history (git filter-repo) and force-push; \
             rewriting alone is never enough.",
        ),
        references: Cow::Borrowed(&[Cow::Borrowed(
            "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository",
        )]),
    },
};
