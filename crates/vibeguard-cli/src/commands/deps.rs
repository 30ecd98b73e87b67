//! `vibeguard deps [PATH]`: the dependency rules alone — known vulnerabilities and malware in
//! every installed package (VG307–VG309, against the local OSV data) and the hygiene rules of
//! DEPS-01..04 (lockfiles, pinning, update bots).

use std::path::Path;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// Checks the project's dependencies and writes the reports.
pub fn run(global: &GlobalArgs, order: &ArgOrder, path: &Path) -> anyhow::Result<Outcome> {
    let scope = super::audit::Scope {
        deps_only: true,
        ..super::audit::Scope::default()
    };
    let report =
        super::audit::audit_project(global, order, path, &path.display().to_string(), scope)?;
    Ok(Outcome::of(&report))
}
