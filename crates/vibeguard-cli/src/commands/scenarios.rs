//! `vibeguard scenarios run [PATH]` (the scenario engine alone, against `--target`),
//! `vibeguard scenarios check [PATH]` (the files validated offline) and `vibeguard scenarios
//! init [FILE]` (a starter suite from the description and the identities).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::Outcome;
use crate::cli::{GlobalArgs, ScenariosAction};
use crate::config;
use crate::outputs::ArgOrder;
use crate::registry;

/// Runs the subcommand.
pub fn run(
    global: &GlobalArgs,
    order: &ArgOrder,
    action: &ScenariosAction,
) -> anyhow::Result<Outcome> {
    match action {
        ScenariosAction::Run { path, project } => {
            let scope = super::audit::Scope {
                skip_project: true,
                scenarios_only: true,
                scenarios: Some(where_they_are(path.as_deref(), global, project)),
                ..super::audit::Scope::default()
            };
            let label = global
                .target
                .clone()
                .unwrap_or_else(|| project.display().to_string());
            let report = super::audit::audit_project(global, order, project, &label, scope)?;
            Ok(Outcome::of(&report))
        }
        ScenariosAction::Init {
            path,
            project,
            force,
        } => init(global, path.as_deref(), project, *force),
        ScenariosAction::Check { path, project } => {
            let rules = registry::all_rules();
            let loaded = config::load(global.config.as_deref(), project, &rules)
                .context("invalid configuration")?;
            let folder = where_they_are(path.as_deref(), global, project);
            if !folder.exists() {
                anyhow::bail!(
                    "{} does not exist: give a scenario file or folder",
                    folder.display()
                );
            }
            let mut suite = vibeguard_scenarios::load(&folder, &loaded.identity_names());
            // With a description, the steps' paths are checked against it too.
            if let Some(file) = description_file(global, &loaded, project) {
                let documents = vibeguard_api::spec::load_file(&file)
                    .with_context(|| format!("cannot read the description {}", file.display()))?;
                let spec = vibeguard_api::spec::ApiSpec::from_documents(&documents)
                    .with_context(|| format!("cannot use the description {}", file.display()))?;
                let name = file.display().to_string();
                let outside = vibeguard_scenarios::load::outside_description(&suite, &spec, &name);
                suite.errors.extend(outside);
            }
            for error in &suite.errors {
                eprintln!("{error}");
            }
            for note in &suite.notes {
                eprintln!("note: {note}");
            }
            if suite.errors.is_empty() {
                if !global.quiet {
                    println!(
                        "{} scenario(s) in {} file(s) under {}: valid",
                        suite.scenarios.len(),
                        suite.files,
                        folder.display()
                    );
                }
                Ok(Outcome::Passed)
            } else {
                anyhow::bail!(
                    "{} problem(s) in the scenarios under {}; {} valid scenario(s) would run",
                    suite.errors.len(),
                    folder.display(),
                    suite.scenarios.len()
                )
            }
        }
    }
}

/// The scenario file or folder: the argument, else `--scenarios`, else the project's folder.
fn where_they_are(path: Option<&Path>, global: &GlobalArgs, project: &Path) -> PathBuf {
    path.map(Path::to_path_buf)
        .or_else(|| global.scenarios.clone())
        .unwrap_or_else(|| project.join(vibeguard_scenarios::DEFAULT_FOLDER))
}

/// Writes the starter suite: from the description `--spec` or `[api] spec` names when it is a
/// file, else without one (the surface-wide scenarios find the operations when they run).
fn init(
    global: &GlobalArgs,
    path: Option<&Path>,
    project: &Path,
    force: bool,
) -> anyhow::Result<Outcome> {
    let rules = registry::all_rules();
    let loaded =
        config::load(global.config.as_deref(), project, &rules).context("invalid configuration")?;
    let file = path.map_or_else(
        || {
            project
                .join(vibeguard_scenarios::DEFAULT_FOLDER)
                .join("starter.yaml")
        },
        Path::to_path_buf,
    );
    if file.exists() && !force {
        anyhow::bail!(
            "{} exists; give another file, or --force to overwrite it",
            file.display()
        );
    }
    let described = description_file(global, &loaded, project);
    let spec = match &described {
        Some(file) => {
            let documents = vibeguard_api::spec::load_file(file)
                .with_context(|| format!("cannot read the description {}", file.display()))?;
            Some(
                vibeguard_api::spec::ApiSpec::from_documents(&documents)
                    .with_context(|| format!("cannot use the description {}", file.display()))?,
            )
        }
        None => None,
    };
    // Operations the description could not give are said, not silently left out.
    if let (Some(spec), Some(file)) = (&spec, &described) {
        for problem in &spec.problems {
            eprintln!(
                "warning: {}#{}: {} (not in the starter)",
                file.display(),
                problem.pointer,
                problem.message
            );
        }
    }
    let label = described
        .as_ref()
        .map(|file| {
            file.strip_prefix(project)
                .unwrap_or(file)
                .display()
                .to_string()
        })
        .unwrap_or_default();
    let text = vibeguard_scenarios::init::starter(
        spec.as_ref().map(|spec| (spec, label.as_str())),
        &loaded.identity_names(),
    );
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    if !global.quiet {
        println!(
            "wrote {} ({}); check it with `vibeguard scenarios check`, run it with `vibeguard scenarios run --target URL`",
            file.display(),
            match &described {
                Some(_) => format!("from {label}"),
                None =>
                    "without a description: give --spec FILE for one scenario per secured operation"
                        .into(),
            }
        );
    }
    Ok(Outcome::Passed)
}

/// The description file `--spec` or `[api] spec` names, when it is a file (a URL is read only
/// during a run).
fn description_file(
    global: &GlobalArgs,
    loaded: &config::LoadedConfig,
    project: &Path,
) -> Option<PathBuf> {
    global
        .spec
        .as_ref()
        .map(PathBuf::from)
        .or_else(|| {
            loaded
                .config
                .api
                .as_ref()
                .and_then(|api| api.spec.as_ref())
                .map(|spec| project.join(spec.get_ref()))
        })
        .filter(|candidate| candidate.is_file())
}
