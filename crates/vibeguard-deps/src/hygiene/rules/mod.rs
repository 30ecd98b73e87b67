//! The hygiene rules, one file each. A new rule is a file here plus an entry in [`ALL`]; the
//! test below fails when a file is not registered.

pub mod committed_secrets_file;
pub mod env_not_gitignored;
pub mod lockfile_out_of_sync;
pub mod missing_lockfile;
pub mod no_dependency_updates;
pub mod unpinned_dependency;

use super::HygieneRule;
use crate::manifests::ManifestKind;

/// Every hygiene rule, in code order.
pub static ALL: &[&dyn HygieneRule] = &[
    &missing_lockfile::MissingLockfile,
    &unpinned_dependency::UnpinnedDependency,
    &lockfile_out_of_sync::LockfileOutOfSync,
    &no_dependency_updates::NoDependencyUpdates,
    &committed_secrets_file::CommittedSecretsFile,
    &env_not_gitignored::EnvNotGitignored,
];

/// The command that writes the lockfile for a manifest kind, for fix messages.
pub(crate) fn lock_command(kind: ManifestKind) -> &'static str {
    match kind {
        ManifestKind::PackageJson => {
            "run `npm install` (or `yarn`, `pnpm install`) and commit the lockfile; install with `npm ci` in CI"
        }
        ManifestKind::PyprojectToml => {
            "run `uv lock` (or `poetry lock`, `pdm lock`) and commit the lockfile"
        }
        ManifestKind::RequirementsIn => {
            "run `pip-compile --generate-hashes` and commit the resulting requirements.txt"
        }
        ManifestKind::RequirementsTxt => {
            "pin every line with `==` (generate it with `pip-compile --generate-hashes` or `uv pip compile`)"
        }
        ManifestKind::Pipfile => "run `pipenv lock` and commit Pipfile.lock",
        ManifestKind::CargoToml => "run `cargo generate-lockfile` and commit Cargo.lock",
        ManifestKind::GoMod => "run `go mod tidy` and commit go.sum",
        ManifestKind::Gemfile => "run `bundle lock` and commit Gemfile.lock",
        ManifestKind::ComposerJson => "run `composer update --lock` and commit composer.lock",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_registered_under_its_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/hygiene/rules");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("rules folder")
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.ends_with(".rs") && name != "mod.rs")
            .map(|name| name.trim_end_matches(".rs").replace('_', "-"))
            .collect();
        files.sort();
        let mut registered: Vec<String> = ALL
            .iter()
            .map(|rule| rule.meta().name.to_string())
            .collect();
        registered.sort();
        assert_eq!(
            files, registered,
            "each rules/<name>.rs must be in ALL, named after its file"
        );
    }

    #[test]
    fn codes_are_unique_and_in_the_hygiene_range() {
        let mut codes: Vec<&str> = ALL.iter().map(|rule| rule.meta().code.as_ref()).collect();
        assert!(
            codes
                .iter()
                .all(|code| code.starts_with("VG3") && code.len() == 5)
        );
        let count = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), count);
    }
}
