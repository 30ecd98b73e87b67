//! `vibeguard code [PATH]`: the code engine alone.

use std::path::Path;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// Runs the static analysis of the project's code and writes the reports.
pub fn run(global: &GlobalArgs, order: &ArgOrder, path: &Path) -> anyhow::Result<Outcome> {
    let scope = super::audit::Scope {
        code_only: true,
        ..super::audit::Scope::default()
    };
    let report =
        super::audit::audit_project(global, order, path, &path.display().to_string(), scope)?;
    Ok(Outcome::of(&report))
}
