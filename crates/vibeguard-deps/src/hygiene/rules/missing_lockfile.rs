//! VG301 missing-lockfile: a manifest declares dependencies but nothing locks their versions.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, Location, RuleDocs, RuleMeta, Severity,
};

use super::lock_command;
use crate::hygiene::{Applicability, HygieneRule, ProjectModel};
use crate::manifests::{DependencySource, Manifest, ManifestKind, PythonTool};

/// The rule.
#[derive(Debug)]
pub struct MissingLockfile;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG301"),
    name: Cow::Borrowed("missing-lockfile"),
    engine: EngineId::Hygiene,
    summary: Cow::Borrowed("A manifest declares dependencies but no lockfile pins their versions"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[494, 1357]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A package.json, pyproject.toml, requirements.in, Pipfile, Cargo.toml (of a binary), \
             go.mod, Gemfile or composer.json that declares dependencies, with no lockfile beside \
             it or at the root of the workspace it belongs to (package-lock.json, yarn.lock, \
             pnpm-lock.yaml, bun.lock, poetry.lock, uv.lock, pdm.lock, Pipfile.lock, compiled \
             requirements.txt, Cargo.lock, go.sum, Gemfile.lock, composer.lock).",
        ),
        why: Cow::Borrowed(
            "Without a lockfile every install resolves the version ranges again: each build and \
             each deployment can run different code than the one that was tested, including a \
             release published minutes ago by a hijacked maintainer account. Lockfiles also \
             carry integrity hashes, so a tampered download is refused.",
        ),
        example_bad: Cow::Borrowed(
            "api/\n  package.json      # \"express\": \"^4.18.2\"\n  (no package-lock.json)",
        ),
        example_fixed: Cow::Borrowed(
            "api/\n  package.json\n  package-lock.json # committed; CI runs `npm ci`",
        ),
        fix: Cow::Borrowed(
            "Generate the lockfile with the project's package manager, commit it, and install \
             from it in CI (`npm ci`, `pip install --require-hashes -r requirements.txt`, \
             `poetry install --sync`, `cargo build --locked`).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.npmjs.com/cli/configuring-npm/package-lock-json"),
            Cow::Borrowed("https://pip.pypa.io/en/stable/topics/secure-installs/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/494.html"),
        ]),
    },
};

impl HygieneRule for MissingLockfile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, project: &ProjectModel<'_>, findings: &mut Vec<Finding>) -> Applicability {
        let mut applied = false;
        for manifest in &project.manifests {
            let Some(expected) = expected_lockfiles(project, manifest) else {
                continue;
            };
            applied = true;
            if expected.is_satisfied {
                continue;
            }
            let count = manifest.dependencies.len();
            let message = format!(
                "{} declares {count} dependenc{} but no lockfile ({}) pins them",
                manifest.path,
                if count == 1 { "y" } else { "ies" },
                expected.names
            );
            findings.push(
                Finding::new(
                    &META,
                    Location::Source {
                        path: manifest.path.clone(),
                        span: None,
                    },
                    message,
                    "missing-lockfile",
                )
                .with_fix(format!(
                    "In {}: {}.",
                    dir_label(manifest.dir()),
                    lock_command(manifest.kind)
                )),
            );
        }
        if applied {
            Applicability::Applied
        } else {
            Applicability::NotApplicable("no manifest with dependencies to lock")
        }
    }
}

fn dir_label(dir: &str) -> String {
    if dir.is_empty() {
        "the project root".to_string()
    } else {
        format!("`{dir}/`")
    }
}

struct Expected {
    names: &'static str,
    is_satisfied: bool,
}

/// What lockfile a manifest needs, and whether one is there; `None` when it needs none.
fn expected_lockfiles(project: &ProjectModel<'_>, manifest: &Manifest) -> Option<Expected> {
    let locked = !project.lockfiles_for(manifest).is_empty();
    let registry_dependencies = manifest
        .dependencies
        .iter()
        .filter(|d| {
            !matches!(
                d.source,
                DependencySource::Path | DependencySource::Workspace
            )
        })
        .count();
    let beside = |name: &str| {
        let path = if manifest.dir().is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", manifest.dir())
        };
        project.has_file(&path)
    };
    let names = match manifest.kind {
        ManifestKind::PackageJson => "package-lock.json, yarn.lock, pnpm-lock.yaml or bun.lock",
        ManifestKind::PyprojectToml => match manifest.python_tool {
            Some(PythonTool::Poetry) => "poetry.lock",
            Some(PythonTool::Uv) => "uv.lock",
            Some(PythonTool::Pdm) => "pdm.lock",
            _ => "uv.lock, poetry.lock, pdm.lock or a pinned requirements.txt",
        },
        ManifestKind::RequirementsIn => "the compiled requirements .txt",
        ManifestKind::Pipfile => "Pipfile.lock",
        ManifestKind::CargoToml => "Cargo.lock",
        ManifestKind::GoMod => "go.sum",
        ManifestKind::Gemfile => "Gemfile.lock",
        ManifestKind::ComposerJson => "composer.lock",
        // A requirements.txt is its own lock; VG302 checks that it pins.
        ManifestKind::RequirementsTxt => return None,
    };
    if registry_dependencies == 0 {
        return None;
    }
    let is_satisfied = match manifest.kind {
        ManifestKind::RequirementsIn => {
            let compiled = manifest.file_name().trim_end_matches(".in").to_string() + ".txt";
            beside(&compiled)
        }
        ManifestKind::PyprojectToml => {
            // A project managed by a tool needs that tool's lock; one without (setuptools,
            // hatch) may lock through any of them or a compiled requirements.txt.
            locked || (manifest.python_tool.is_none() && beside("requirements.txt"))
        }
        ManifestKind::CargoToml => {
            // Libraries do not commit Cargo.lock; only applications must.
            let dir = manifest.dir();
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let is_application = project.has_file(&format!("{prefix}src/main.rs"))
                || project
                    .tree
                    .files()
                    .any(|f| f.path.starts_with(&format!("{prefix}src/bin/")));
            if !is_application {
                return None;
            }
            locked
        }
        _ => locked,
    };
    Some(Expected {
        names,
        is_satisfied,
    })
}
