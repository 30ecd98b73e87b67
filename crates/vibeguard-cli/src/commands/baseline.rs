//! `vibeguard baseline write FILE [PATH]`: records every current (not suppressed) finding so
//! later runs with `--baseline FILE` only fail on new ones.

use std::fs;
use std::path::Path;

use anyhow::Context;
use vibeguard_core::Baseline;

use crate::Outcome;
use crate::cli::GlobalArgs;

/// Writes the baseline.
pub fn write(global: &GlobalArgs, file: &Path, path: &Path) -> anyhow::Result<Outcome> {
    if !path.exists() {
        anyhow::bail!(
            "{} does not exist: give the project's root folder",
            path.display()
        );
    }
    // The baseline records what exists now, so an existing baseline must not hide anything.
    let global = GlobalArgs {
        baseline: None,
        ..global.clone()
    };
    let report = super::audit::audit_only(
        &global,
        path,
        &path.display().to_string(),
        super::audit::Scope::default(),
    )?
    .report;
    let baseline = Baseline::from_findings(&report.tool.version, &report.findings);
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut text = serde_json::to_string_pretty(&baseline).context("cannot encode the baseline")?;
    text.push('\n');
    fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))?;
    if !global.quiet {
        eprintln!(
            "baseline of {} finding(s) written to {}; use it with --baseline {}",
            baseline.findings.len(),
            file.display(),
            file.display()
        );
    }
    Ok(Outcome::Passed)
}
