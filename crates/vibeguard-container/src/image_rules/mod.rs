//! The rules of a built image (codes VG610–VG612), one file each. Matching packages against
//! advisories is the dependency engine's and finding secrets is the secrets engine's: the
//! binary runs those on what [`crate::image`] and [`crate::packages`] read, and these rules
//! restate their findings as facts about the image (its checklist item, CONT-01, and where in
//! which layer), so an image scan never passes the project's own DEPS or DATA items.

pub mod image_runs_as_root;
pub mod secret_in_image_layer;
pub mod vulnerable_image_package;

use vibeguard_core::{Finding, RuleMeta};

/// The metadata of every image rule.
pub fn metas() -> Vec<RuleMeta> {
    [
        &vulnerable_image_package::META,
        &secret_in_image_layer::META,
        &image_runs_as_root::META,
    ]
    .into_iter()
    .cloned()
    .collect()
}

/// `finding` (another engine's) restated under `meta`: same place, message, evidence,
/// severity and fix; the code and engine of `meta`. It fails `meta`'s checklist items and the
/// ones the original finding failed (a vulnerable package fails DEPS-02 wherever it is), but
/// only `meta`'s items count as checked by the rule, so an image scan never passes those.
pub(crate) fn restate(meta: &RuleMeta, finding: Finding) -> Finding {
    let mut checklist = meta.checklist.to_vec();
    for item in &finding.checklist {
        if !checklist.contains(item) {
            checklist.push(*item);
        }
    }
    let mut restated = Finding::new(meta, finding.location, finding.message, finding.identity)
        .with_severity(finding.severity)
        .with_confidence(finding.confidence);
    restated.checklist = checklist;
    restated.evidence = finding.evidence;
    restated.fix = finding.fix;
    if !finding.cwe.is_empty() {
        restated.cwe = finding.cwe;
    }
    restated
}
