//! The advisory engine's settings: where the local OSV data lives (`--db-dir`, then
//! `VIBEGUARD_DB_DIR`, then `[deps] db_dir`, then `osv/` in vibeguard's cache folder) and how
//! findings are judged (`[deps]`, `--require-db`, `--offline`).

use std::path::{Path, PathBuf};

use anyhow::bail;
use vibeguard_deps::advisories::AdvisoryOptions;
use vibeguard_deps::osv::Store;

use crate::cli::GlobalArgs;
use crate::config::LoadedConfig;

/// The environment variable naming the advisory database folder.
pub const DB_DIR_VARIABLE: &str = "VIBEGUARD_DB_DIR";

/// What the advisory engine needs from the command line and the configuration.
#[derive(Debug, Clone)]
pub struct AdvisorySettings {
    /// The local store.
    pub store: Store,
    /// How findings are judged.
    pub options: AdvisoryOptions,
    /// Turn missing, unreadable or stale data for an ecosystem in use into exit 2, and why
    /// (`None`: the audit goes on and says what it did not check).
    pub require_db: Option<RequireDb>,
    /// A note for the report, when the data is not the user's own (the demo's sample).
    pub data_note: Option<String>,
}

/// Why advisory data is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequireDb {
    /// `--require-db` or `[deps] require_db = true`.
    Asked,
    /// Running in CI (`CI` set) without `[deps] require_db = false`: a pipeline must not go
    /// green because its data was never downloaded.
    InCi,
}

impl RequireDb {
    /// What the exit-2 message ends with: why missing data fails the run, and the way out.
    pub fn reason(self) -> &'static str {
        match self {
            RequireDb::Asked => "--require-db (or `[deps] require_db = true`) requires it",
            RequireDb::InCi => {
                "running in CI (CI is set) requires it, so that a pipeline never passes on data \
                 it did not have: run `vibeguard db update` (or `db import`) before the audit, \
                 or set `[deps] require_db = false` in vibeguard.toml to accept audits without \
                 advisory data"
            }
        }
    }
}

/// Whether the process runs in a CI pipeline: `CI` set to anything but empty, `0` or `false`
/// (GitHub Actions, GitLab CI, CircleCI, Travis, Buildkite, Azure Pipelines set it).
pub fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| {
        let value = value.trim().to_ascii_lowercase();
        !value.is_empty() && value != "0" && value != "false"
    })
}

/// The settings for a project's audit.
pub fn from(
    loaded: &LoadedConfig,
    global: &GlobalArgs,
    project: &Path,
) -> anyhow::Result<AdvisorySettings> {
    let deps = &loaded.config.deps;
    let mut options = AdvisoryOptions::default();
    if let Some(lower) = deps.lower_dev_severity {
        options.lower_dev_severity = lower;
    }
    if let Some(days) = &deps.max_age_days {
        options.max_age_days = *days.get_ref();
    }
    Ok(AdvisorySettings {
        store: Store::new(db_dir(global, Some((loaded, project)))?),
        options,
        require_db: if global.require_db || deps.require_db == Some(true) {
            Some(RequireDb::Asked)
        } else if running_in_ci() && deps.require_db != Some(false) {
            Some(RequireDb::InCi)
        } else {
            None
        },
        data_note: None,
    })
}

/// The advisory database folder: `--db-dir`, `VIBEGUARD_DB_DIR`, `[deps] db_dir` (relative to
/// the project), or `osv/` in vibeguard's cache folder.
pub fn db_dir(
    global: &GlobalArgs,
    project: Option<(&LoadedConfig, &Path)>,
) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &global.db_dir {
        return Ok(dir.clone());
    }
    if let Some(dir) = std::env::var_os(DB_DIR_VARIABLE).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some((loaded, root)) = project
        && let Some(dir) = &loaded.config.deps.db_dir
    {
        return Ok(root.join(dir));
    }
    match crate::last_run::cache_dir() {
        Some(dir) => Ok(dir.join("osv")),
        None => bail!(
            "no cache folder is known for this user (HOME is not set): give --db-dir DIR or set \
             {DB_DIR_VARIABLE}"
        ),
    }
}

/// Whether the network may be used for advisory data.
pub fn offline(global: &GlobalArgs, loaded: Option<&LoadedConfig>) -> bool {
    global.offline || loaded.is_some_and(|l| l.config.deps.offline == Some(true))
}
