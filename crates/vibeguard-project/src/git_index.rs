//! Which paths are committed, read from `.git/index` without running git.
//!
//! Running `git` inside a repository under audit would honour that repository's configuration
//! (`core.fsmonitor`, hooks, aliases), which can execute arbitrary commands. The index format is
//! small and documented (gitformat-index(5)), so it is parsed here directly: versions 2, 3 and 4,
//! SHA-1 and SHA-256 object ids. Anything malformed is an error, never a panic.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The index is read whole; a repository with a larger index is not one vibeguard audits.
const MAX_INDEX_BYTES: u64 = 256 * 1024 * 1024;

/// Why the git index could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitIndexError {
    /// The file could not be read.
    #[error("{path}: cannot read the git index: {source}")]
    Io {
        /// The index file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a git index this reader understands.
    #[error("{path}: malformed git index: {reason}")]
    Malformed {
        /// The index file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The set of committed (staged) paths of the repository holding a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitIndex {
    /// Paths relative to the *project* root (entries outside it are dropped).
    tracked: BTreeSet<String>,
}

impl GitIndex {
    /// Reads the index of the repository containing `project_root` (looking upwards for
    /// `.git`). `Ok(None)` when the project is not in a git repository; an empty index for a
    /// repository where nothing was ever added (git writes the index on the first `git add`).
    pub fn for_project(project_root: &Path) -> Result<Option<GitIndex>, GitIndexError> {
        let Some((work_tree, git_dir)) = find_git_dir(project_root) else {
            return Ok(None);
        };
        let index_path = git_dir.join("index");
        if !index_path.is_file() {
            return Ok(Some(GitIndex::default()));
        }
        let size = fs::metadata(&index_path)
            .map_err(|source| GitIndexError::Io {
                path: index_path.clone(),
                source,
            })?
            .len();
        if size > MAX_INDEX_BYTES {
            return Err(GitIndexError::Malformed {
                path: index_path,
                reason: format!("{size} bytes is larger than vibeguard reads"),
            });
        }
        let bytes = fs::read(&index_path).map_err(|source| GitIndexError::Io {
            path: index_path.clone(),
            source,
        })?;
        let hash_len = if uses_sha256(&git_dir) { 32 } else { 20 };
        let paths = parse_index(&bytes, hash_len).map_err(|reason| GitIndexError::Malformed {
            path: index_path,
            reason,
        })?;

        let prefix = project_root
            .canonicalize()
            .ok()
            .zip(work_tree.canonicalize().ok())
            .and_then(|(project, tree)| {
                project
                    .strip_prefix(&tree)
                    .ok()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
            })
            .unwrap_or_default();
        let tracked = paths
            .into_iter()
            .filter_map(|path| {
                if prefix.is_empty() {
                    Some(path)
                } else {
                    path.strip_prefix(&format!("{prefix}/")).map(str::to_string)
                }
            })
            .collect();
        Ok(Some(GitIndex { tracked }))
    }

    /// A git index holding exactly these project-relative paths (for tests and callers that
    /// learned the tracked set another way).
    pub fn from_paths<I: IntoIterator<Item = String>>(paths: I) -> GitIndex {
        GitIndex {
            tracked: paths.into_iter().collect(),
        }
    }

    /// Whether `path` (relative to the project root) is committed.
    pub fn is_tracked(&self, path: &str) -> bool {
        self.tracked.contains(path)
    }

    /// Every committed path under the project root.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.tracked.iter().map(String::as_str)
    }
}

/// Finds `.git` at or above `start`: a folder, or a file `gitdir: <path>` (worktrees,
/// submodules). Returns the work tree root and the git directory.
fn find_git_dir(start: &Path) -> Option<(PathBuf, PathBuf)> {
    let start = start.canonicalize().ok()?;
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() {
            return Some((dir.to_path_buf(), dot_git));
        }
        if dot_git.is_file() {
            let text = fs::read_to_string(&dot_git).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let git_dir = dir.join(target);
            return Some((dir.to_path_buf(), git_dir));
        }
    }
    None
}

fn uses_sha256(git_dir: &Path) -> bool {
    fs::read_to_string(git_dir.join("config")).is_ok_and(|config| {
        config.lines().any(|line| {
            let line = line.trim().to_ascii_lowercase().replace(' ', "");
            line == "objectformat=sha256"
        })
    })
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| format!("truncated at byte {}", self.at))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let raw = self.take(4)?;
        Ok(u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]))
    }

    fn u16(&mut self) -> Result<u16, String> {
        let raw = self.take(2)?;
        Ok(u16::from_be_bytes([raw[0], raw[1]]))
    }

    fn until_nul(&mut self) -> Result<&'a [u8], String> {
        let rest = &self.bytes[self.at..];
        let nul = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or_else(|| format!("unterminated path at byte {}", self.at))?;
        self.at += nul + 1;
        Ok(&rest[..nul])
    }

    /// Git's "offset" varint used by index v4 path compression.
    fn varint(&mut self) -> Result<usize, String> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value
                .checked_add(1)
                .and_then(|v| v.checked_mul(128))
                .ok_or("varint overflow")?
                | usize::from(byte & 0x7f);
        }
        Ok(value)
    }
}

/// Parses the entries of an index file into their paths.
fn parse_index(bytes: &[u8], hash_len: usize) -> Result<Vec<String>, String> {
    let mut cursor = Cursor { bytes, at: 0 };
    if cursor.take(4)? != b"DIRC" {
        return Err("missing DIRC signature".into());
    }
    let version = cursor.u32()?;
    if !(2..=4).contains(&version) {
        return Err(format!("unsupported index version {version}"));
    }
    let count = cursor.u32()? as usize;
    // Each entry takes at least 62 bytes; a count that cannot fit is corruption, and trusting
    // it would make the capacity below unbounded.
    if count > bytes.len() / 62 + 1 {
        return Err(format!("claims {count} entries in {} bytes", bytes.len()));
    }
    let mut paths = Vec::with_capacity(count);
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let entry_start = cursor.at;
        cursor.take(40)?; // ctime, mtime, dev, ino, mode, uid, gid, size
        cursor.take(hash_len)?;
        let flags = cursor.u16()?;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return Err("extended flag in a version 2 index".into());
            }
            cursor.u16()?;
        }
        let path = if version == 4 {
            let strip = cursor.varint()?;
            if strip > previous.len() {
                return Err(format!("path prefix strip {strip} exceeds previous path"));
            }
            let mut path = previous[..previous.len() - strip].to_vec();
            path.extend_from_slice(cursor.until_nul()?);
            path
        } else {
            let path = cursor.until_nul()?.to_vec();
            // Entries are padded with NULs to a multiple of 8 bytes (the terminating NUL counts).
            let consumed = cursor.at - entry_start;
            let padding = (8 - consumed % 8) % 8;
            cursor.take(padding)?;
            path
        };
        paths.push(String::from_utf8_lossy(&path).into_owned());
        previous = path;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a version 2 or 3 index by the format's rules, as git writes it.
    fn index_v2(paths: &[&str]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend_from_slice(&2u32.to_be_bytes());
        out.extend_from_slice(&(paths.len() as u32).to_be_bytes());
        for path in paths {
            let start = out.len();
            out.extend_from_slice(&[0u8; 40]);
            out.extend_from_slice(&[0xabu8; 20]);
            out.extend_from_slice(&(path.len() as u16).to_be_bytes());
            out.extend_from_slice(path.as_bytes());
            out.push(0);
            while !(out.len() - start).is_multiple_of(8) {
                out.push(0);
            }
        }
        out.extend_from_slice(&[0u8; 20]); // checksum
        out
    }

    #[test]
    fn parses_version_2_entries_with_padding() {
        let bytes = index_v2(&[".env", "src/app.js", "a-much-longer/path/name.txt"]);
        let paths = parse_index(&bytes, 20).expect("parses");
        assert_eq!(
            paths,
            vec![".env", "src/app.js", "a-much-longer/path/name.txt"]
        );
    }

    #[test]
    fn parses_version_4_prefix_compression() {
        let mut out = b"DIRC".to_vec();
        out.extend_from_slice(&4u32.to_be_bytes());
        out.extend_from_slice(&2u32.to_be_bytes());
        for (strip, suffix) in [(0u8, "src/app.js"), (6u8, "db.js")] {
            out.extend_from_slice(&[0u8; 40]);
            out.extend_from_slice(&[0u8; 20]);
            out.extend_from_slice(&0u16.to_be_bytes());
            out.push(strip);
            out.extend_from_slice(suffix.as_bytes());
            out.push(0);
        }
        let paths = parse_index(&out, 20).expect("parses");
        assert_eq!(paths, vec!["src/app.js", "src/db.js"]);
    }

    #[test]
    fn rejects_corrupt_indexes_without_panicking() {
        assert!(parse_index(b"", 20).is_err());
        assert!(parse_index(b"XXXX\0\0\0\x02\0\0\0\x01", 20).is_err());
        let mut truncated = index_v2(&["src/app.js"]);
        truncated.truncate(50);
        assert!(parse_index(&truncated, 20).is_err());
        let mut huge_count = index_v2(&["a"]);
        huge_count[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(parse_index(&huge_count, 20).is_err());
    }

    #[test]
    fn reads_the_index_of_a_real_repository_when_git_is_available() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(root)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
        };
        if git(&["init", "-q"]).is_err() {
            eprintln!("skipped: git is not installed");
            return;
        }
        fs::write(root.join(".env"), "A=1").expect("write");
        fs::create_dir_all(root.join("src")).expect("mkdir");
        fs::write(root.join("src/app.js"), "x").expect("write");
        fs::write(root.join("untracked.txt"), "x").expect("write");
        git(&["add", ".env", "src/app.js"]).expect("git add");
        let index = GitIndex::for_project(root)
            .expect("reads")
            .expect("is a repo");
        assert!(index.is_tracked(".env"));
        assert!(index.is_tracked("src/app.js"));
        assert!(!index.is_tracked("untracked.txt"));
        let sub = GitIndex::for_project(&root.join("src"))
            .expect("reads")
            .expect("is a repo");
        assert!(sub.is_tracked("app.js"));
    }
}
