//! VG302 unpinned-dependency: a production dependency declared with a range, a tag, or a
//! moving source instead of one exact version.
//!
//! Covered: package.json (`^`, `~`, `*`, `x`, `latest` and other dist-tags, `>=`, partial
//! versions, git/URL sources), requirements*.txt (anything but `==`/`===`, and lines without
//! `--hash` when other lines have one), and `*` in Cargo.toml. Dev-only dependencies and local
//! (path, workspace) sources are not reported.
//!
//! Severity follows the risk: a bounded range (`^4.18.2`) behind a lockfile only drifts when
//! someone re-locks (low); without a lockfile it drifts on every install (medium). An unbounded
//! spec (`*`, `latest`, `>=1`, a git branch, a URL) accepts any future release, including a
//! malicious new major (medium behind a lockfile, high without one).

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use crate::hygiene::{Applicability, HygieneRule, ProjectModel};
use crate::manifests::{
    DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind,
};
use crate::versions::{cargo, npm, pep440};

/// The rule.
#[derive(Debug)]
pub struct UnpinnedDependency;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG302"),
    name: Cow::Borrowed("unpinned-dependency"),
    engine: EngineId::Hygiene,
    summary: Cow::Borrowed("A production dependency accepts a range of versions instead of one"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[1357, 829]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Production dependencies declared with a version range (`^4.18.2`, `~1.2`, `1.x`, \
             `>=2`), a wildcard or tag (`*`, `latest`), or a moving source (a git branch, a \
             tarball URL) in package.json; requirements.txt lines without `==` (or without \
             `--hash` when other lines have hashes); and `*` requirements in Cargo.toml.",
        ),
        why: Cow::Borrowed(
            "A range lets the package manager install a version nobody reviewed. Assistants \
             write `\"latest\"` and `*` because they always resolve; the next install then runs \
             whatever was published last, which is exactly how hijacked packages (event-stream, \
             ua-parser-js, the 2025 npm worm) reached production. In a requirements file, pip \
             installs the newest matching release at every deployment.",
        ),
        example_bad: Cow::Borrowed(
            "\"dependencies\": { \"express\": \"latest\", \"jsonwebtoken\": \"^9.0.0\" }\n# requirements.txt\nflask\nrequests>=2.0",
        ),
        example_fixed: Cow::Borrowed(
            "\"dependencies\": { \"express\": \"4.21.2\", \"jsonwebtoken\": \"9.0.2\" }\n# requirements.txt (pip-compile --generate-hashes)\nflask==3.0.3 --hash=sha256:…\nrequests==2.32.3 --hash=sha256:…",
        ),
        fix: Cow::Borrowed(
            "Declare exact versions (`npm install --save-exact`, `npm config set save-exact true`), \
             generate requirements.txt with `pip-compile --generate-hashes`, and let an update \
             bot (Dependabot, Renovate) propose upgrades as reviewed pull requests.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.npmjs.com/cli/commands/npm-install#save-exact"),
            Cow::Borrowed("https://pip.pypa.io/en/stable/topics/repeatable-installs/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1357.html"),
        ]),
    },
};

/// Why a declaration is not pinned.
enum Looseness {
    /// A range with an upper bound.
    Bounded(String),
    /// Accepts any future version.
    Unbounded(String),
}

impl HygieneRule for UnpinnedDependency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, project: &ProjectModel<'_>, findings: &mut Vec<Finding>) -> Applicability {
        let mut applied = false;
        for manifest in &project.manifests {
            if !matches!(
                manifest.kind,
                ManifestKind::PackageJson | ManifestKind::RequirementsTxt | ManifestKind::CargoToml
            ) {
                continue;
            }
            applied = true;
            // A requirements.txt is the lock of a pip project; others may have one beside them.
            let locked = manifest.kind != ManifestKind::RequirementsTxt
                && !project.lockfiles_for(manifest).is_empty();
            let hashes_expected = manifest.dependencies.iter().any(|d| d.has_hash);
            for dependency in &manifest.dependencies {
                if !matches!(
                    dependency.kind,
                    DependencyKind::Production | DependencyKind::Optional | DependencyKind::Build
                ) {
                    continue;
                }
                let found = if let Some(looseness) = looseness(manifest.kind, dependency) {
                    finding(manifest, dependency, looseness, locked)
                } else if manifest.kind == ManifestKind::RequirementsTxt
                    && hashes_expected
                    && !dependency.has_hash
                    && dependency.source != DependencySource::Path
                {
                    missing_hash(manifest, dependency)
                } else {
                    continue;
                };
                findings.push(
                    match project.manifest_frame(&manifest.path, dependency.span) {
                        Some(frame) => found.with_evidence(frame),
                        None => found,
                    },
                );
            }
        }
        if applied {
            Applicability::Applied
        } else {
            Applicability::NotApplicable("no package.json, requirements.txt or Cargo.toml")
        }
    }
}

fn looseness(kind: ManifestKind, dependency: &DeclaredDependency) -> Option<Looseness> {
    let spec = dependency.requirement.trim();
    match &dependency.source {
        DependencySource::Path | DependencySource::Workspace => None,
        DependencySource::Git { pinned: true } => None,
        DependencySource::Git { pinned: false } => Some(Looseness::Unbounded(format!(
            "`{spec}` follows a git branch or tag, not a commit"
        ))),
        DependencySource::Url => Some(Looseness::Unbounded(format!(
            "`{spec}` downloads whatever the URL serves, with no integrity check"
        ))),
        DependencySource::Tag => Some(Looseness::Unbounded(format!(
            "`{spec}` is a dist-tag: it installs whatever was published last under that tag"
        ))),
        DependencySource::Registry | DependencySource::Alias { .. } => match kind {
            ManifestKind::PackageJson => npm_looseness(spec),
            ManifestKind::RequirementsTxt => pep440_looseness(spec),
            ManifestKind::CargoToml => cargo::is_wildcard(spec)
                .then(|| Looseness::Unbounded("`*` accepts any version".to_string())),
            _ => None,
        },
    }
}

fn npm_looseness(spec: &str) -> Option<Looseness> {
    if npm::is_exact(spec) {
        return None;
    }
    let shown = if spec.is_empty() {
        "\"\" (any version)"
    } else {
        spec
    };
    // A range that accepts a far-future major has no upper bound.
    match npm::satisfies(spec, "999999.0.0") {
        Some(false) => Some(Looseness::Bounded(format!("`{shown}` is a range"))),
        _ => Some(Looseness::Unbounded(format!(
            "`{shown}` accepts any future version"
        ))),
    }
}

fn pep440_looseness(spec: &str) -> Option<Looseness> {
    if pep440::is_exact(spec) {
        return None;
    }
    if spec.is_empty() {
        return Some(Looseness::Unbounded(
            "no version: pip installs the newest release".to_string(),
        ));
    }
    match pep440::satisfies(spec, "999999") {
        Some(false) => Some(Looseness::Bounded(format!("`{spec}` is a range"))),
        _ => Some(Looseness::Unbounded(format!(
            "`{spec}` accepts any future version"
        ))),
    }
}

fn finding(
    manifest: &Manifest,
    dependency: &DeclaredDependency,
    looseness: Looseness,
    locked: bool,
) -> Finding {
    let (reason, severity) = match looseness {
        Looseness::Bounded(reason) if locked => (reason, Severity::Low),
        Looseness::Bounded(reason) => (reason, Severity::Medium),
        Looseness::Unbounded(reason) if locked => (reason, Severity::Medium),
        Looseness::Unbounded(reason) => (reason, Severity::High),
    };
    let consequence = if locked {
        "the lockfile pins it today, but the next re-lock or `npm update` may pull an unreviewed version"
    } else {
        "every install may pick a different, unreviewed version"
    };
    let fix = match manifest.kind {
        ManifestKind::PackageJson => format!(
            "Pin `{}` to the exact version in your lockfile (`npm install --save-exact {}@<version>`).",
            dependency.name, dependency.name
        ),
        ManifestKind::RequirementsTxt => format!(
            "Pin `{}==<version>` with `--hash`, e.g. by compiling requirements.in with `pip-compile --generate-hashes`.",
            dependency.name
        ),
        _ => format!(
            "Require a version for `{}` instead of `*`.",
            dependency.name
        ),
    };
    Finding::new(
        &META,
        manifest.location_of(dependency),
        format!(
            "`{}` is not pinned: {reason}; {consequence}",
            dependency.name
        ),
        format!("{}:{}", dependency.name, dependency.requirement),
    )
    .with_severity(severity)
    .with_fix(fix)
}

fn missing_hash(manifest: &Manifest, dependency: &DeclaredDependency) -> Finding {
    Finding::new(
        &META,
        manifest.location_of(dependency),
        format!(
            "`{}` has no `--hash` while other lines of {} do: pip's hash-checking mode refuses the file, and without it nothing verifies this download",
            dependency.name,
            manifest.file_name()
        ),
        format!("{}:missing-hash", dependency.name),
    )
    .with_severity(Severity::Low)
    .with_fix("Regenerate the file with `pip-compile --generate-hashes` so every line carries its hashes.")
}
