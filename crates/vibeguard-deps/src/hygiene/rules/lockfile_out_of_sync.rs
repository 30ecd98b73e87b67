//! VG303 lockfile-out-of-sync: the lockfile no longer matches its manifest — a direct dependency
//! is missing from it, was locked for a different requirement, or is locked at a version outside
//! the declared range.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::lock_command;
use crate::hygiene::{Applicability, HygieneRule, ProjectModel};
use crate::lockfiles::Resolution;
use crate::manifests::{DependencyKind, DependencySource, ManifestKind};
use crate::versions;

/// The rule.
#[derive(Debug)]
pub struct LockfileOutOfSync;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG303"),
    name: Cow::Borrowed("lockfile-out-of-sync"),
    engine: EngineId::Hygiene,
    summary: Cow::Borrowed("The lockfile does not match the dependencies its manifest declares"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[1357]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A direct dependency of package.json, pyproject.toml, Pipfile, Cargo.toml, go.mod, \
             Gemfile or composer.json that its lockfile does not hold, holds for a different \
             requirement (pnpm's `specifier`, yarn's descriptor), or holds at a version outside \
             the declared range. Each lockfile is read the way its package manager reads it: \
             node's module resolution for package-lock.json, importers for pnpm, descriptors \
             for yarn, go.sum lines for go.mod.",
        ),
        why: Cow::Borrowed(
            "A stale lockfile means the tested build and the deployed build differ: `npm install` \
             silently re-resolves the missing entries, `npm ci` and `pnpm install \
             --frozen-lockfile` fail, and the dependency you just added (often by an assistant \
             editing package.json by hand) ships without a pinned version or integrity hash.",
        ),
        example_bad: Cow::Borrowed(
            "// package.json\n\"jsonwebtoken\": \"^9.0.2\"\n// package-lock.json: no node_modules/jsonwebtoken entry",
        ),
        example_fixed: Cow::Borrowed(
            "$ npm install          # updates package-lock.json\n$ git add package.json package-lock.json",
        ),
        fix: Cow::Borrowed(
            "Re-run the package manager's install or lock command and commit the manifest and \
             the lockfile together; in CI, install with the frozen mode (`npm ci`, `pnpm install \
             --frozen-lockfile`, `poetry install --sync`, `cargo build --locked`) so drift fails \
             the build.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.npmjs.com/cli/commands/npm-ci"),
            Cow::Borrowed("https://pnpm.io/cli/install#--frozen-lockfile"),
        ]),
    },
};

impl HygieneRule for LockfileOutOfSync {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, project: &ProjectModel<'_>, findings: &mut Vec<Finding>) -> Applicability {
        let mut applied = false;
        for manifest in &project.manifests {
            for candidate in project.lockfiles_for(manifest) {
                let Some(lockfile) = candidate.parsed else {
                    continue;
                };
                applied = true;
                let lock_name = candidate.path.rsplit('/').next().unwrap_or(candidate.path);
                for dependency in &manifest.dependencies {
                    if !matches!(
                        dependency.source,
                        DependencySource::Registry | DependencySource::Alias { .. }
                    ) {
                        continue;
                    }
                    // Python tools may leave extras out of the lock unless asked for them.
                    if manifest.ecosystem() == crate::Ecosystem::PyPI
                        && dependency.kind == DependencyKind::Optional
                    {
                        continue;
                    }
                    let resolution = lockfile.resolve(candidate.importer, dependency);
                    let missing = resolution == Resolution::Missing;
                    let problem = match resolution {
                        Resolution::Missing => format!(
                            "`{}` is declared in {} but missing from {lock_name}",
                            dependency.name,
                            manifest.file_name()
                        ),
                        Resolution::Stale { locked_requirement } => format!(
                            "`{}` is declared as `{}` but {lock_name} was locked for `{locked_requirement}`",
                            dependency.name, dependency.requirement
                        ),
                        Resolution::Locked(version) => {
                            let outside = versions::satisfies(
                                dependency.syntax,
                                &dependency.requirement,
                                &version,
                            ) == Some(false);
                            if !outside {
                                continue;
                            }
                            format!(
                                "`{}` is locked at {version} in {lock_name}, outside the declared `{}`",
                                dependency.name, dependency.requirement
                            )
                        }
                        Resolution::Unknown => continue,
                    };
                    let location = manifest.location_of(dependency);
                    let fix = format!(
                        "Update {} from {}: {}.",
                        candidate.path,
                        manifest.path,
                        lock_command(manifest.kind)
                    );
                    let severity = if dependency.kind == DependencyKind::Development
                        || manifest.kind == ManifestKind::GoMod && missing
                    {
                        // Dev-only drift does not reach production; a go.sum gap fails the build
                        // loudly rather than shipping something different.
                        Severity::Low
                    } else {
                        Severity::Medium
                    };
                    let mut finding = Finding::new(
                        &META,
                        location,
                        problem,
                        format!("{}:{}", candidate.path, dependency.name),
                    )
                    .with_severity(severity)
                    .with_fix(fix);
                    if let Some(frame) = project.manifest_frame(&manifest.path, dependency.span) {
                        finding = finding.with_evidence(frame);
                    }
                    findings.push(finding);
                }
            }
        }
        if applied {
            Applicability::Applied
        } else {
            Applicability::NotApplicable("no manifest with a readable lockfile")
        }
    }
}
