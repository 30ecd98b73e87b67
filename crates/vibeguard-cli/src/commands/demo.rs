//! `vibeguard demo`: writes the built-in example project to a fresh temporary folder, audits
//! it like any project, and removes it afterwards (unless `--keep`).

use std::fs;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// Runs the demo.
pub fn run(global: &GlobalArgs, order: &ArgOrder, keep: bool) -> anyhow::Result<Outcome> {
    let dir = fresh_dir()?;
    vibeguard_demo::write_project(&dir)
        .with_context(|| format!("cannot write the demo project to {}", dir.display()))?;
    if !global.quiet {
        eprintln!(
            "vibeguard demo: auditing an example API written the way assistants write them ({})\n",
            dir.display()
        );
    }
    let result = super::audit::audit_project(global, order, &dir, "demo project (taskboard-api)");
    if keep {
        eprintln!("\nthe demo project is kept in {}", dir.display());
    } else {
        let _ = fs::remove_dir_all(&dir);
    }
    let report = result?;
    if !global.quiet {
        eprintln!(
            "\nnext: `vibeguard explain {}` explains a finding; `vibeguard audit PATH` audits your project",
            report.findings.first().map_or("VG301", |f| f.code.as_ref())
        );
    }
    Ok(if report.summary.passed {
        Outcome::Passed
    } else {
        Outcome::Failed
    })
}

/// A new, empty folder under the system's temporary folder, created exclusively so that an
/// existing path (or a symlink planted there) is never written into.
fn fresh_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for attempt in 0..100u32 {
        let dir = base.join(format!(
            "vibeguard-demo-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("cannot create a folder in {}", base.display()));
            }
        }
    }
    anyhow::bail!("cannot create a fresh folder in {}", base.display())
}
