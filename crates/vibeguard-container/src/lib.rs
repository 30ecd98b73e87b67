//! The container engine (codes VG6xx), first part: the Dockerfiles and Compose files of the
//! project tree, read without building anything. A `Dockerfile` an assistant wrote runs as root
//! from `node:latest`, copies the whole folder with its `.env`, bakes keys into `ENV` and pipes
//! an install script into a shell; its `docker-compose.yml` publishes the database on every
//! interface with its password in clear. Each rule is a file of [`rules`].
//!
//! [`run`] finds the files ([`is_dockerfile`], [`is_compose_file`]), parses each once
//! ([`dockerfile::Dockerfile`], [`compose::services`]; an unreadable file is a non-fatal error
//! naming it) and hands the set to every enabled rule. A project without container files makes
//! every rule "not applicable", which the checklist shows as such. The rules that cover
//! CONT-01 never pass it alone: its "no known critical vulnerability" needs the image's
//! packages scanned, which this part does not do, so they report the item as not checked.

pub mod compose;
pub mod dockerfile;
pub mod image;
pub mod image_rules;
pub mod packages;
pub mod rules;

use std::time::Instant;

use vibeguard_core::{
    ChecklistId, EngineError, EngineId, EngineOutput, EngineRun, RuleApplicability, RuleMeta, Text,
};
use vibeguard_project::ProjectTree;

/// Largest container file read.
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// A Dockerfile of the project.
#[derive(Debug, Clone)]
pub struct DockerfileSource {
    /// Its path relative to the project root.
    pub path: String,
    /// The parsed file.
    pub file: dockerfile::Dockerfile,
}

impl DockerfileSource {
    /// The folder it sits in (its usual build context), `""` for the root.
    pub fn folder(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(folder, _)| folder)
    }
}

/// A Compose file of the project.
#[derive(Debug, Clone)]
pub struct ComposeSource {
    /// Its path relative to the project root.
    pub path: String,
    /// Its text, for the lines of findings.
    pub text: String,
    /// Its services.
    pub services: Vec<compose::Service>,
}

/// Every container file of the project, parsed.
#[derive(Debug)]
pub struct ContainerProject<'a> {
    /// The project's files.
    pub tree: &'a ProjectTree,
    /// Its Dockerfiles.
    pub dockerfiles: Vec<DockerfileSource>,
    /// Its Compose files.
    pub composes: Vec<ComposeSource>,
    /// Files that could not be read.
    pub errors: Vec<EngineError>,
}

/// `Dockerfile`, `Containerfile`, `api.Dockerfile`, `Dockerfile.prod`, in any folder.
pub fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "dockerfile"
        || name == "containerfile"
        || name.ends_with(".dockerfile")
        || (name.starts_with("dockerfile.")
            && ![".md", ".txt", ".dockerignore"]
                .iter()
                .any(|suffix| name.ends_with(suffix)))
}

/// `docker-compose.yml`, `compose.yaml`, `docker-compose.prod.yml`, in any folder.
pub fn is_compose_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (name.starts_with("docker-compose") || name.starts_with("compose."))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

impl<'a> ContainerProject<'a> {
    /// Reads the container files of `tree`.
    pub fn load(tree: &'a ProjectTree) -> ContainerProject<'a> {
        let mut project = ContainerProject {
            tree,
            dockerfiles: Vec::new(),
            composes: Vec::new(),
            errors: Vec::new(),
        };
        for file in tree.files() {
            let dockerfile = is_dockerfile(&file.path);
            let compose = is_compose_file(&file.path);
            if !dockerfile && !compose {
                continue;
            }
            let text = match tree.read_text(&file.path, MAX_FILE_BYTES) {
                Ok(text) => text,
                Err(error) => {
                    project.errors.push(EngineError {
                        source: file.path.clone(),
                        line: None,
                        message: error.to_string(),
                    });
                    continue;
                }
            };
            if dockerfile {
                project.dockerfiles.push(DockerfileSource {
                    path: file.path.clone(),
                    file: dockerfile::Dockerfile::parse(&text),
                });
            } else {
                match compose::services(&text) {
                    Ok(services) => project.composes.push(ComposeSource {
                        path: file.path.clone(),
                        text,
                        services,
                    }),
                    Err(message) => project.errors.push(EngineError {
                        source: file.path.clone(),
                        line: None,
                        message: format!("not a readable Compose file: {message}"),
                    }),
                }
            }
        }
        project
    }
}

/// Whether a rule did anything in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicability {
    /// The rule had something to check (findings or not).
    Applied,
    /// The project has nothing of the rule's kind (no Dockerfile, no Compose file).
    Absent(&'static str),
}

/// The metadata of every container rule.
pub fn rule_metas() -> Vec<RuleMeta> {
    rules::ALL
        .iter()
        .map(|rule| rule.meta().clone())
        .chain(image_rules::metas())
        .collect()
}

/// Why CONT-01 stays unverified after the Dockerfile rules: its vulnerability part needs the
/// image's packages.
const IMAGE_NOT_SCANNED: &str = "the image's packages were not scanned for known vulnerabilities: give the built image (`vibeguard audit --image app.tar`, `[image] path`, or `vibeguard image app.tar`)";

/// Runs every rule for which `enabled(code)` is true over the project's container files.
/// `image_scanned`: the built image is scanned in the same run, so the image part of CONT-01
/// is that scan's to judge.
pub fn run(
    tree: &ProjectTree,
    enabled: &dyn Fn(&str) -> bool,
    image_scanned: bool,
) -> EngineOutput {
    let started = Instant::now();
    let project = ContainerProject::load(tree);
    let mut engine_run = EngineRun::new(EngineId::Container);
    let mut findings = Vec::new();
    for rule in rules::ALL {
        let meta = rule.meta();
        if !enabled(&meta.code) {
            continue;
        }
        match rule.check(&project, &mut findings) {
            Applicability::Applied => {
                engine_run.rules_applied.push(meta.code.clone());
                if !image_scanned && meta.checklist.contains(&ChecklistId::Cont01) {
                    engine_run.not_applicable.push(RuleApplicability {
                        code: meta.code.clone(),
                        item: Some(ChecklistId::Cont01),
                        reason: Text::Borrowed(IMAGE_NOT_SCANNED),
                        subject_absent: false,
                    });
                }
            }
            Applicability::Absent(reason) => engine_run.not_applicable.push(RuleApplicability {
                item: None,
                code: meta.code.clone(),
                reason: Text::Borrowed(reason),
                subject_absent: true,
            }),
        }
    }
    engine_run.coverage.files = (project.dockerfiles.len() + project.composes.len()) as u64;
    engine_run.errors = project.errors;
    engine_run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    EngineOutput {
        run: engine_run,
        findings,
    }
}
