//! `vibeguard scenarios run [PATH]` (the scenario engine alone, against `--target`) and
//! `vibeguard scenarios check [PATH]` (the files validated offline).

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
            let suite = vibeguard_scenarios::load(&folder, &loaded.identity_names());
            for error in &suite.errors {
                eprintln!("{error}");
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
