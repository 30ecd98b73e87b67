//! VG308 malicious-dependency: an installed package version is known malware.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use crate::advisories::{AdvisoryMatch, AdvisoryOptions, AdvisoryRule};
use crate::ecosystem::Ecosystem;

/// The rule.
#[derive(Debug)]
pub struct MaliciousDependency;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG308"),
    name: Cow::Borrowed("malicious-dependency"),
    engine: EngineId::Deps,
    summary: Cow::Borrowed("An installed package version is known malware"),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[506, 1357]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A locked package version that the OSV malicious-packages data (`MAL-` records, \
             from OpenSSF's malicious-packages project and registry takedowns) reports as \
             malware: typosquats, hijacked maintainer accounts, dependency-confusion packages. \
             Always critical, development-only or not.",
        ),
        why: Cow::Borrowed(
            "Malicious packages run their payload at install time (install scripts) or on \
             import: they steal credentials, tokens and SSH keys from developer machines and \
             CI runners, or open a backdoor in production. Development-only does not help: \
             `npm install` on a laptop or in CI is enough.",
        ),
        example_bad: Cow::Borrowed(
            "package-lock.json\n  \"node_modules/event-stream\": {...}\n  \
             \"node_modules/flatmap-stream\": { \"version\": \"0.1.1\" }   # MAL record",
        ),
        example_fixed: Cow::Borrowed(
            "Remove the package (and whatever pulled it in), regenerate the lockfile, then \
             rotate every secret the machines that installed it could read.",
        ),
        fix: Cow::Borrowed(
            "Remove the package and the dependency that pulls it in, regenerate the lockfile, \
             and treat every machine that installed it as compromised: rotate the credentials, \
             tokens and keys it could reach, and check CI runners and deployments.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://github.com/ossf/malicious-packages"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/506.html"),
        ]),
    },
};

impl AdvisoryRule for MaliciousDependency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn claims(&self, group: &AdvisoryMatch<'_>) -> bool {
        group.is_malicious()
    }

    fn finding(&self, group: &AdvisoryMatch<'_>, _options: &AdvisoryOptions) -> Finding {
        let package = group.package;
        let message = format!(
            "{}@{} is known malware ({}); every machine that installed it may be compromised",
            package.name,
            package.version,
            group.ids()
        );
        let mut finding = Finding::new(&META, group.location(), message, group.primary.clone())
            .with_severity(Severity::Critical);
        for evidence in group.evidence() {
            finding = finding.with_evidence(evidence);
        }
        finding
    }

    fn verifies(&self, _ecosystem: Ecosystem) -> Option<ChecklistId> {
        Some(ChecklistId::Deps02)
    }
}
