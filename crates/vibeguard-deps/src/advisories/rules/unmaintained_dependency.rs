//! VG309 unmaintained-dependency: an installed package is declared unmaintained by its
//! advisory database.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use crate::advisories::{AdvisoryMatch, AdvisoryOptions, AdvisoryRule};
use crate::ecosystem::Ecosystem;

/// The rule.
#[derive(Debug)]
pub struct UnmaintainedDependency;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG309"),
    name: Cow::Borrowed("unmaintained-dependency"),
    engine: EngineId::Deps,
    summary: Cow::Borrowed("An installed package is declared unmaintained"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[1104]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A locked package that an informational OSV record marks as unmaintained \
             (`database_specific.informational = \"unmaintained\"`, as RustSec publishes for \
             crates.io). The OSV data records abandonment for crates.io only, so for the other \
             ecosystems DEPS-04 stays not verified.",
        ),
        why: Cow::Borrowed(
            "Nobody fixes the next vulnerability in an abandoned package, and its name can be \
             taken over: a new owner of an abandoned package publishes whatever they like to \
             everyone who depends on it.",
        ),
        example_bad: Cow::Borrowed(
            "Cargo.lock\n  name = \"failure\"\n  version = \"0.1.8\"   # RUSTSEC-2020-0036: unmaintained",
        ),
        example_fixed: Cow::Borrowed("Cargo.toml\n  anyhow = \"1\"   # the maintained replacement"),
        fix: Cow::Borrowed(
            "Move to the maintained replacement the advisory names (or a maintained fork), or \
             vendor the code and take over its maintenance.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://rustsec.org/categories/unmaintained.html"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1104.html"),
        ]),
    },
};

impl AdvisoryRule for UnmaintainedDependency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, group: &AdvisoryMatch<'_>) -> bool {
        group.is_unmaintained_notice()
    }

    fn finding(&self, group: &AdvisoryMatch<'_>, options: &AdvisoryOptions) -> Finding {
        let package = group.package;
        let summary = group.summary();
        let message = format!(
            "{}@{} is unmaintained ({}){}",
            package.name,
            package.version,
            group.primary,
            if summary.is_empty() {
                String::new()
            } else {
                format!(": {summary}")
            }
        );
        let severity = if package.dev_only && options.lower_dev_severity {
            Severity::Low
        } else {
            META.severity
        };
        let mut finding = Finding::new(&META, group.location(), message, group.primary.clone())
            .with_severity(severity);
        for evidence in group.evidence() {
            finding = finding.with_evidence(evidence);
        }
        finding
    }

    fn verifies(&self, ecosystem: Ecosystem) -> Option<ChecklistId> {
        (ecosystem == Ecosystem::CratesIo).then_some(ChecklistId::Deps04)
    }
}
