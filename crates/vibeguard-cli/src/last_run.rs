//! The last report of each project, kept in the user's cache folder so that
//! `vibeguard checklist` can show the verdict after an audit. Nothing is written into the
//! project. The folder is `$VIBEGUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/vibeguard`, else
//! `~/.cache/vibeguard` (`~/Library/Caches/vibeguard` on macOS, `%LOCALAPPDATA%\vibeguard` on
//! Windows).

use std::fs;
use std::path::{Path, PathBuf};

use vibeguard_core::Report;
use vibeguard_core::redact::short_hash;

/// vibeguard's folder in the user's cache (last runs, and the advisory database by default).
pub fn cache_dir() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = from_env("VIBEGUARD_CACHE_DIR") {
        return Some(dir);
    }
    if cfg!(windows) {
        return from_env("LOCALAPPDATA").map(|dir| dir.join("vibeguard"));
    }
    if cfg!(target_os = "macos") {
        return from_env("HOME").map(|home| home.join("Library/Caches/vibeguard"));
    }
    if let Some(dir) = from_env("XDG_CACHE_HOME") {
        return Some(dir.join("vibeguard"));
    }
    from_env("HOME").map(|home| home.join(".cache/vibeguard"))
}

fn file_for(project: &Path) -> Option<PathBuf> {
    let canonical = project.canonicalize().ok()?;
    let key = short_hash(&canonical.to_string_lossy());
    Some(
        cache_dir()?
            .join("last-runs")
            .join(format!("{}.json", &key[..16])),
    )
}

/// Stores `report` as the last run of `project`; failures are returned for the caller to
/// mention, never fatal.
pub fn store(project: &Path, report: &Report) -> Result<PathBuf, String> {
    let file = file_for(project).ok_or("no cache folder (set VIBEGUARD_CACHE_DIR)")?;
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let text = serde_json::to_string(report).map_err(|e| e.to_string())?;
    fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
    // Which project ran last, for `vibeguard show` and `brief` without a project.
    if let (Some(parent), Some(name)) = (file.parent(), file.file_name()) {
        fs::write(parent.join(LATEST), name.to_string_lossy().as_bytes())
            .map_err(|e| format!("{}: {e}", parent.join(LATEST).display()))?;
    }
    Ok(file)
}

/// The file in `last-runs` naming the most recent run's file.
const LATEST: &str = "latest";

/// The most recent stored run of any project, if any and readable.
pub fn load_latest() -> Option<Report> {
    let folder = cache_dir()?.join("last-runs");
    let name = fs::read_to_string(folder.join(LATEST)).ok()?;
    // Only a file name of this folder: the pointer never leads elsewhere.
    let name = name.trim();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return None;
    }
    let text = fs::read_to_string(folder.join(name)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The last stored run of `project`, if any and readable.
pub fn load(project: &Path) -> Option<Report> {
    let text = fs::read_to_string(file_for(project)?).ok()?;
    serde_json::from_str(&text).ok()
}
