//! VG307 vulnerable-dependency: an installed package version has a known vulnerability.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use crate::advisories::{AdvisoryMatch, AdvisoryOptions, AdvisoryRule};
use crate::ecosystem::Ecosystem;

/// The rule.
#[derive(Debug)]
pub struct VulnerableDependency;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG307"),
    name: Cow::Borrowed("vulnerable-dependency"),
    engine: EngineId::Deps,
    summary: Cow::Borrowed("An installed dependency version has a known vulnerability"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[1395]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A package pinned by a lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml, \
             bun.lock, poetry.lock, uv.lock, pdm.lock, Pipfile.lock, a pinned requirements.txt, \
             Cargo.lock, go.mod, Gemfile.lock, composer.lock) at a version that an OSV advisory \
             (GitHub, PyPA, RustSec, Go, …) lists as affected, evaluated with the ecosystem's \
             own version rules. Advisories that are aliases of one another are one finding. \
             Severity comes from the advisory's CVSS v3/v4 vector or its database's rating \
             (high when neither exists); development-only packages are one level lower.",
        ),
        why: Cow::Borrowed(
            "Published vulnerabilities come with exploit details; scanners sweep the internet for \
             the affected versions within days. A transitive package is just as exploitable as \
             one the code imports directly: it runs in the same process.",
        ),
        example_bad: Cow::Borrowed(
            "package-lock.json\n  \"node_modules/lodash\": { \"version\": \"4.17.20\" }\n  \
             # GHSA-35jh-r3h4-6jhm: command injection in template()",
        ),
        example_fixed: Cow::Borrowed(
            "npm install lodash@4.17.21   # or: \"overrides\": { \"lodash\": \"4.17.21\" }",
        ),
        fix: Cow::Borrowed(
            "Upgrade the package to the smallest fixed version the finding names (for a \
             transitive package, upgrade the direct dependency that pulls it in, or force the \
             version with the package manager's override), regenerate the lockfile and rerun \
             the tests.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://ossf.github.io/osv-schema/"),
            Cow::Borrowed("https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1395.html"),
        ]),
    },
};

impl AdvisoryRule for VulnerableDependency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, _group: &AdvisoryMatch<'_>) -> bool {
        true
    }

    fn finding(&self, group: &AdvisoryMatch<'_>, options: &AdvisoryOptions) -> Finding {
        let package = group.package;
        let fixed = match &group.smallest_fix {
            Some(version) => format!("; fixed in {version}"),
            None => "; no fixed version yet".to_string(),
        };
        let summary = group.summary();
        let message = format!(
            "{}@{} has {}{}{fixed}{}",
            package.name,
            package.version,
            group.primary,
            if summary.is_empty() {
                String::new()
            } else {
                format!(": {summary}")
            },
            if package.dev_only {
                " (development only)"
            } else {
                ""
            }
        );
        let mut finding = Finding::new(&META, group.location(), message, group.primary.clone())
            .with_severity(group.reported_severity(options))
            .with_fix(group.fix());
        for evidence in group.evidence() {
            finding = finding.with_evidence(evidence);
        }
        finding
    }

    fn verifies(&self, _ecosystem: Ecosystem) -> Option<ChecklistId> {
        Some(ChecklistId::Deps02)
    }
}
