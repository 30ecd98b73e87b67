//! The container rules, one file each. A new rule is a file here plus an entry in [`ALL`].

pub mod base_image_unpinned;
pub mod build_context_leaks;
pub mod compose_database_published;
pub mod compose_host_access;
pub mod compose_plaintext_secret;
pub mod container_runs_as_root;
pub mod package_install_hygiene;
pub mod secret_in_image_config;
pub mod ssh_port_exposed;
pub mod unverified_remote_download;

use vibeguard_core::{Finding, Location, RuleMeta, Span};

use crate::{Applicability, ComposeSource, ContainerProject, DockerfileSource};

/// A rule over each Dockerfile of the project.
pub trait DockerfileRule: Sync {
    /// The rule's metadata and documentation.
    fn meta(&self) -> &'static RuleMeta;

    /// Appends the findings of one Dockerfile (the project for what sits next to it).
    fn check(
        &self,
        source: &DockerfileSource,
        project: &ContainerProject<'_>,
        findings: &mut Vec<Finding>,
    );
}

/// A rule over each Compose file of the project.
pub trait ComposeRule: Sync {
    /// The rule's metadata and documentation.
    fn meta(&self) -> &'static RuleMeta;

    /// Appends the findings of one Compose file.
    fn check(&self, compose: &ComposeSource, findings: &mut Vec<Finding>);
}

/// A container rule, by the kind of file it reads.
#[derive(Clone, Copy)]
pub enum Rule {
    /// Reads Dockerfiles.
    Dockerfile(&'static dyn DockerfileRule),
    /// Reads Compose files.
    Compose(&'static dyn ComposeRule),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.meta().code)
    }
}

impl Rule {
    /// The rule's metadata.
    pub fn meta(&self) -> &'static RuleMeta {
        match self {
            Rule::Dockerfile(rule) => rule.meta(),
            Rule::Compose(rule) => rule.meta(),
        }
    }

    /// Runs the rule over every file of its kind; absent when the project has none.
    pub fn check(
        &self,
        project: &ContainerProject<'_>,
        findings: &mut Vec<Finding>,
    ) -> Applicability {
        match self {
            Rule::Dockerfile(_) if project.dockerfiles.is_empty() => {
                Applicability::Absent(NO_DOCKERFILE)
            }
            Rule::Compose(_) if project.composes.is_empty() => Applicability::Absent(NO_COMPOSE),
            Rule::Dockerfile(rule) => {
                for source in &project.dockerfiles {
                    rule.check(source, project, findings);
                }
                Applicability::Applied
            }
            Rule::Compose(rule) => {
                for compose in &project.composes {
                    rule.check(compose, findings);
                }
                Applicability::Applied
            }
        }
    }
}

/// Why a Dockerfile rule did not apply.
pub const NO_DOCKERFILE: &str = "no Dockerfile in the project";
/// Why a Compose rule did not apply.
pub const NO_COMPOSE: &str = "no Compose file in the project";

/// Every container rule, in code order.
pub static ALL: &[Rule] = &[
    Rule::Dockerfile(&base_image_unpinned::BaseImageUnpinned),
    Rule::Dockerfile(&container_runs_as_root::ContainerRunsAsRoot),
    Rule::Dockerfile(&unverified_remote_download::UnverifiedRemoteDownload),
    Rule::Dockerfile(&secret_in_image_config::SecretInImageConfig),
    Rule::Dockerfile(&build_context_leaks::BuildContextLeaks),
    Rule::Dockerfile(&ssh_port_exposed::SshPortExposed),
    Rule::Compose(&compose_host_access::ComposeHostAccess),
    Rule::Compose(&compose_database_published::ComposeDatabasePublished),
    Rule::Compose(&compose_plaintext_secret::ComposePlaintextSecret),
    Rule::Dockerfile(&package_install_hygiene::PackageInstallHygiene),
];

/// A finding of `meta` on line `line` of `path`.
pub(crate) fn at_line(
    meta: &RuleMeta,
    path: &str,
    line: u32,
    message: String,
    identity: String,
) -> Finding {
    Finding::new(
        meta,
        Location::Source {
            path: path.to_string(),
            span: Some(Span::line(line, 1, 1)),
        },
        message,
        identity,
    )
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs one rule over files written into a temporary project.

    use vibeguard_core::Finding;
    use vibeguard_project::{ProjectTree, WalkOptions};

    use super::Rule;
    use crate::{Applicability, ContainerProject};

    /// The findings of `rule` on a project holding `files`, as `path:line` labels, and whether
    /// it applied.
    pub fn check(rule: Rule, files: &[(&str, &str)]) -> (Vec<String>, Applicability) {
        let folder = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let path = folder.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        let tree = ProjectTree::walk(folder.path(), &WalkOptions::default()).expect("walk");
        let project = ContainerProject::load(&tree);
        let mut findings: Vec<Finding> = Vec::new();
        let applied = rule.check(&project, &mut findings);
        let labels = findings
            .iter()
            .map(|f| {
                let line = f.location.span().map_or(0, |s| s.start_line);
                format!("{}:{line}", f.location.file().unwrap_or("?"))
            })
            .collect();
        (labels, applied)
    }
}

#[cfg(test)]
mod registration {
    use super::ALL;

    #[test]
    fn every_rule_file_is_registered_once_in_code_order() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let files = std::fs::read_dir(folder)
            .expect("rules folder")
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name() != "mod.rs")
            .count();
        assert_eq!(ALL.len(), files, "a rule file is not in ALL");
        let codes: Vec<&str> = ALL.iter().map(|rule| rule.meta().code.as_ref()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}
