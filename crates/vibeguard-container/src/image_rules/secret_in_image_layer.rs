//! VG611 secret-in-image-layer: a credential in a file of one of the image's layers, or in its
//! configuration (`ENV`, and the build arguments its history records). A file a later layer
//! deletes is still in the image: anyone who pulls it reads the layer.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG611"),
    name: Cow::Borrowed("secret-in-image-layer"),
    engine: EngineId::Image,
    summary: Cow::Borrowed(
        "A credential is baked into a layer or the configuration of the container image",
    ),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[538, 798]),
    owasp_api: None,
    // CONT-01 only: an image scan does not look at the repository, so it must never help
    // pass DATA-04 ("not in the repository").
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The secrets engine's detectors (provider keys, private keys, passwords in URLs, \
             secret-named values) found a credential in a file added by a layer — the app's \
             own folders and configuration; the distribution's and language packages' files \
             are not scanned — or in an `ENV` value or a build argument of the image's \
             configuration and history. The finding names the layer, and says when a later \
             layer deletes the file (it is still in the image).",
        ),
        why: Cow::Borrowed(
            "Images are pushed to registries, cached on build machines and pulled by anyone \
             who can deploy; `docker history` and `docker save` show every layer. A key in an \
             image is a key given to all of them, and deleting the file in a later layer \
             hides nothing.",
        ),
        example_bad: Cow::Borrowed(
            "COPY . /app\nRUN rm /app/.env\nENV STRIPE_SECRET_KEY=sk_live_…",
        ),
        example_fixed: Cow::Borrowed(
            "# .dockerignore lists .env; the key comes from the runtime's secret store\nCOPY . /app\nRUN --mount=type=secret,id=npmrc npm ci",
        ),
        fix: Cow::Borrowed(
            "Revoke the key, keep it out of the build context (`.dockerignore`), pass build \
             secrets with `RUN --mount=type=secret`, give runtime secrets through the \
             orchestrator's secret store, and rebuild and re-push the image.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/build/building/secrets/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/538.html"),
        ]),
    },
};

/// A secrets-engine finding about a file of the image, as this rule's.
pub fn restate(finding: Finding, note: Option<String>) -> Finding {
    let mut finding = super::restate(&META, finding);
    if let Some(note) = note {
        finding.message = format!("{} ({note})", finding.message);
    }
    finding
}
