//! The container rules, one file each. A new rule is a file here plus an entry in [`ALL`].

pub mod base_image_unpinned;
pub mod build_context_leaks;
pub mod compose_database_published;
pub mod compose_host_access;
pub mod compose_plaintext_secret;
pub mod container_runs_as_root;
pub mod secret_in_image_config;
pub mod ssh_port_exposed;
pub mod unverified_remote_download;

use vibeguard_core::{Finding, Location, RuleMeta, Span};

use crate::ContainerRule;

/// Every container rule, in code order.
pub static ALL: &[&dyn ContainerRule] = &[
    &base_image_unpinned::BaseImageUnpinned,
    &container_runs_as_root::ContainerRunsAsRoot,
    &unverified_remote_download::UnverifiedRemoteDownload,
    &secret_in_image_config::SecretInImageConfig,
    &build_context_leaks::BuildContextLeaks,
    &ssh_port_exposed::SshPortExposed,
    &compose_host_access::ComposeHostAccess,
    &compose_database_published::ComposeDatabasePublished,
    &compose_plaintext_secret::ComposePlaintextSecret,
];

/// Why a Dockerfile rule did not apply.
pub(crate) const NO_DOCKERFILE: &str = "no Dockerfile in the project";
/// Why a Compose rule did not apply.
pub(crate) const NO_COMPOSE: &str = "no Compose file in the project";

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

    use crate::{Applicability, ContainerProject, ContainerRule};

    /// The findings of `rule` on a project holding `files`, as `path:line` labels, and whether
    /// it applied.
    pub fn check(rule: &dyn ContainerRule, files: &[(&str, &str)]) -> (Vec<String>, Applicability) {
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
