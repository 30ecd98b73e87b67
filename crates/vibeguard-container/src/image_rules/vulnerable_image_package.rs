//! VG610 vulnerable-image-package: a package installed in the image — by the distribution's
//! package manager (dpkg, apk, rpm) or into a language's folders (`node_modules`,
//! `site-packages`, gem specifications) — has a known vulnerability or is known malware,
//! matched offline against the OSV data of its distribution release or registry.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG610"),
    name: Cow::Borrowed("vulnerable-image-package"),
    engine: EngineId::Image,
    summary: Cow::Borrowed("A package installed in the container image has a known vulnerability"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[1395]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A package of the image's final filesystem is affected by an advisory of the local \
             OSV data: distribution packages (Debian and Ubuntu by source package, Alpine by \
             origin, Red Hat, Rocky Linux and AlmaLinux by rpm name) against their release's \
             advisories with dpkg's, apk-tools' or rpm's version order; npm, PyPI and RubyGems \
             packages found in the image's folders against their registry's advisories. The \
             severity is the advisory's (CVSS, or the database's rating).",
        ),
        why: Cow::Borrowed(
            "The image is what runs in production: an old base image or a copied \
             `node_modules` ships every vulnerability of its packages, whatever the project's \
             lockfile says today. Attackers scan for the known ones first.",
        ),
        example_bad: Cow::Borrowed(
            "FROM debian:12.1          # openssl 3.0.9-1 from 2023\nRUN apt-get update && apt-get install -y curl",
        ),
        example_fixed: Cow::Borrowed(
            "FROM debian:12.8-slim     # rebuilt regularly on the current point release\nRUN apt-get update && apt-get upgrade -y && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*",
        ),
        fix: Cow::Borrowed(
            "Rebuild the image on the current tag of its base image (and rebuild regularly), \
             upgrade the package in the Dockerfile, or update the language package in the \
             project and rebuild.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://osv.dev"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1395.html"),
        ]),
    },
};

/// A dependency-engine advisory finding about a package of the image, as this rule's.
pub fn restate(finding: Finding) -> Finding {
    super::restate(&META, finding)
}
