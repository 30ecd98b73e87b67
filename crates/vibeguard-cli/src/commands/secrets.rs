//! `vibeguard secrets [PATH]`: the secrets engine alone — provider credentials, private keys,
//! passwords in URLs and high-entropy secret-named values in the tree (VG201, VG202), and with
//! `--git-history` in every commit's added lines (VG203). `--list` prints the catalog;
//! `--files A B …` scans only those files (the staged ones, from a pre-commit hook).

use std::path::Path;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// Scans the project for secrets and writes the reports, or lists the catalog.
pub fn run(
    global: &GlobalArgs,
    order: &ArgOrder,
    path: &Path,
    list: bool,
    files: &[std::path::PathBuf],
) -> anyhow::Result<Outcome> {
    if list {
        let catalog = vibeguard_secrets::catalog::Catalog::builtin()
            .map_err(|error| anyhow::anyhow!(error))?;
        let mut table = format!("{:<38} {:<9} what\n", "id", "severity");
        for provider in &catalog.providers {
            table.push_str(&format!(
                "{:<38} {:<9} {}\n",
                provider.id,
                provider.severity.as_str(),
                provider.name
            ));
        }
        // A closed pipe (`vibeguard secrets --list | head`) is not an error.
        crate::outputs::print_stdout(&table);
        return Ok(Outcome::Passed);
    }
    let scope = super::audit::Scope {
        secrets_only: true,
        only_files: (!files.is_empty()).then(|| files.to_vec()),
        ..super::audit::Scope::default()
    };
    let report =
        super::audit::audit_project(global, order, path, &path.display().to_string(), scope)?;
    Ok(Outcome::of(&report))
}
