//! `vibeguard api --target URL [--spec FILE]`: the API engine alone, with the identities and
//! `[api]` settings of the project's vibeguard.toml.

use std::path::Path;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// Tests the API.
pub fn run(global: &GlobalArgs, order: &ArgOrder, project: &Path) -> anyhow::Result<Outcome> {
    let scope = super::audit::Scope {
        skip_project: true,
        ..super::audit::Scope::default()
    };
    let label = global
        .target
        .clone()
        .unwrap_or_else(|| project.display().to_string());
    let report = super::audit::audit_project(global, order, project, &label, scope)?;
    Ok(Outcome::of(&report))
}
