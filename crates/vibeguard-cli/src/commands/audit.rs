//! `vibeguard audit [PATH]`.

use std::path::Path;

use anyhow::Context;
use vibeguard_core::Report;
use vibeguard_report::RenderOptions;

use crate::Outcome;
use crate::audit::{self, AuditRequest};
use crate::cli::GlobalArgs;
use crate::config;
use crate::last_run;
use crate::outputs::{self, ArgOrder};
use crate::progress::Progress;
use crate::registry;

/// Audits `path` and writes the reports.
pub fn run(global: &GlobalArgs, order: &ArgOrder, path: &Path) -> anyhow::Result<Outcome> {
    let report = audit_project(global, order, path, &path.display().to_string())?;
    Ok(if report.summary.passed {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}

/// Audits a project, writes its reports and remembers it as the project's last run.
pub fn audit_project(
    global: &GlobalArgs,
    order: &ArgOrder,
    path: &Path,
    label: &str,
) -> anyhow::Result<Report> {
    if !path.exists() {
        anyhow::bail!(
            "{} does not exist: give the project's root folder",
            path.display()
        );
    }
    // Plan outputs first, so a bad --format fails before any work.
    let plans = outputs::plan(&global.formats, &global.outputs, order)?;
    let report = audit_only(global, path, label)?;
    let options = RenderOptions {
        color: outputs::stdout_color(global.no_color),
        verbose: global.verbose > 0,
        quiet: global.quiet,
    };
    outputs::write_all(&report, &plans, options)?;
    match last_run::store(path, &report) {
        Ok(file) if global.verbose > 0 => eprintln!("last run saved to {}", file.display()),
        Err(reason) if global.verbose > 0 => {
            eprintln!("note: the last run was not saved ({reason})")
        }
        _ => {}
    }
    Ok(report)
}

/// Audits a project and returns the report, writing nothing.
pub fn audit_only(global: &GlobalArgs, path: &Path, label: &str) -> anyhow::Result<Report> {
    let rules = registry::all_rules();
    let loaded =
        config::load(global.config.as_deref(), path, &rules).context("invalid configuration")?;
    let fail_on = global
        .fail_on
        .or_else(|| loaded.fail_on())
        .unwrap_or_default();
    let baseline = global
        .baseline
        .clone()
        .or_else(|| loaded.config.baseline.as_ref().map(|b| path.join(b)));
    let request = AuditRequest {
        project: path,
        project_label: label.to_string(),
        config: &loaded,
        fail_on,
        baseline,
    };
    audit::run(&request, &Progress::new(global.quiet))
}
