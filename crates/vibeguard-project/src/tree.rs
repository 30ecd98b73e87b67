//! The project walk and bounded file reading.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Default size limit for source files an engine reads whole (1 MiB); larger files are almost
/// always generated or minified.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Folders never walked: installed dependencies, build output, caches and virtual environments.
/// Their content is not the project's own code and would drown the findings.
pub const VENDORED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "dist",
    "build",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".vercel",
    ".output",
    "coverage",
    "target",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    ".terraform",
    ".yarn",
    ".pnpm-store",
];

/// Whether `path` is vibeguard's own run history (`.vibeguard/history.db` and its WAL files):
/// a record of earlier audits, never the project's content.
fn is_run_history(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|folder| folder == ".vibeguard")
        && path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("history.db"))
}

/// Failure to walk the project at all.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The project path does not exist or is not a folder.
    #[error("{path}: not a folder (give the project's root folder)")]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// An include or exclude pattern is not a valid glob.
    #[error("invalid glob `{pattern}`: {reason}")]
    BadGlob {
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Failure to read one file; the audit goes on without it.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file is larger than the caller's limit.
    #[error("skipped: {size} bytes is over the {limit}-byte limit")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file holds NUL bytes: it is not text.
    #[error("skipped: binary file")]
    Binary,
    /// The file is not valid UTF-8.
    #[error("not valid UTF-8 text (byte {offset})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The operating system refused.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

/// What to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Only files matching one of these globs are listed (all files when empty).
    pub include: Vec<String>,
    /// Files matching one of these globs are not listed.
    pub exclude: Vec<String>,
}

/// A file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
}

impl ProjectFile {
    /// The file name (last path component).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The folder holding the file, relative to the root (`""` for the root itself).
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }
}

/// The files of a project, listed once and shared by every engine.
#[derive(Debug, Clone)]
pub struct ProjectTree {
    root: PathBuf,
    files: BTreeMap<String, ProjectFile>,
    walk_errors: Vec<(String, String)>,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl ProjectTree {
    /// Lists the files under `root`.
    pub fn walk(root: &Path, options: &WalkOptions) -> Result<ProjectTree, ProjectError> {
        if !root.is_dir() {
            return Err(ProjectError::NotAFolder {
                path: root.to_path_buf(),
            });
        }
        let include = compile_globs(&options.include)?;
        let exclude = compile_globs(&options.exclude)?;

        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .parents(false)
            .ignore(false)
            .git_global(false)
            .git_exclude(false)
            .git_ignore(true)
            .require_git(false)
            .follow_links(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                let name = entry.file_name().to_string_lossy();
                let vendored =
                    is_dir && entry.depth() > 0 && VENDORED_DIRS.contains(&name.as_ref());
                !vendored && !is_run_history(entry.path())
            });

        let mut files = BTreeMap::new();
        let mut walk_errors = Vec::new();
        for entry in builder.build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    walk_errors.push((root.display().to_string(), error.to_string()));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Some(path) = relative_path(root, entry.path()) else {
                continue;
            };
            if !globs_select(include.as_ref(), exclude.as_ref(), &path) {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            files.insert(path.clone(), ProjectFile { path, size });
        }
        Ok(ProjectTree {
            root: root.to_path_buf(),
            files,
            walk_errors,
            include,
            exclude,
        })
    }

    /// Whether a path (relative, `/`-separated) is part of the audit: not in a vendored folder
    /// and selected by the include/exclude globs. Paths learned elsewhere than from the walk (the
    /// git index) must pass this too, so an exclude means the same everywhere.
    pub fn is_selected(&self, path: &str) -> bool {
        let mut folders = path.split('/').collect::<Vec<_>>();
        folders.pop();
        !folders.iter().any(|folder| VENDORED_DIRS.contains(folder))
            && globs_select(self.include.as_ref(), self.exclude.as_ref(), path)
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every listed file, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = &ProjectFile> {
        self.files.values()
    }

    /// The file at `path` (relative), if listed.
    pub fn get(&self, path: &str) -> Option<&ProjectFile> {
        self.files.get(path)
    }

    /// Whether `path` (relative) is listed.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Listed files whose name is `name`, in any folder.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ProjectFile> + 'a {
        self.files.values().filter(move |file| file.name() == name)
    }

    /// Folders that could not be read during the walk, with the reason.
    pub fn walk_errors(&self) -> &[(String, String)] {
        &self.walk_errors
    }

    /// The absolute path of a relative one.
    pub fn absolute(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    /// Reads a project file as UTF-8 text, refusing files over `limit` bytes and binary files.
    /// Works for any path under the root, listed or not (e.g. an ignored `.env`).
    pub fn read_text(&self, path: &str, limit: u64) -> Result<String, ReadError> {
        read_text_file(&self.absolute(path), limit)
    }

    /// Whether the project's committed `.gitignore` files (from the root down to the path's
    /// folder) ignore `path`. Only `.gitignore` files count: they are what protects every clone,
    /// unlike `.git/info/exclude` or a developer's global excludes.
    pub fn is_gitignored(&self, path: &str, is_dir: bool) -> bool {
        let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let matchers: Vec<Option<Gitignore>> = (0..components.len())
            .map(|depth| self.gitignore_in(&components[..depth].join("/")))
            .collect();
        // As git does: a path is ignored when one of its parent folders is, otherwise the last
        // matching pattern decides, deeper `.gitignore` files taking precedence.
        for end in 0..components.len() {
            let is_last = end + 1 == components.len();
            let prefix_is_dir = !is_last || is_dir;
            let mut ignored = false;
            for (depth, matcher) in matchers.iter().enumerate().take(end + 1) {
                let Some(matcher) = matcher else { continue };
                let relative = components[depth..=end].join("/");
                match matcher.matched(&relative, prefix_is_dir) {
                    ignore::Match::Ignore(_) => ignored = true,
                    ignore::Match::Whitelist(_) => ignored = false,
                    ignore::Match::None => {}
                }
            }
            if ignored {
                return true;
            }
        }
        false
    }

    fn gitignore_in(&self, dir: &str) -> Option<Gitignore> {
        let folder = if dir.is_empty() {
            self.root.clone()
        } else {
            self.root.join(dir)
        };
        let file = folder.join(".gitignore");
        if !file.is_file() {
            return None;
        }
        let mut builder = GitignoreBuilder::new(&folder);
        builder.add(&file);
        builder.build().ok()
    }
}

fn globs_select(include: Option<&GlobSet>, exclude: Option<&GlobSet>, path: &str) -> bool {
    include.is_none_or(|set| set.is_match(path)) && !exclude.is_some_and(|set| set.is_match(path))
}

/// Reads a file as UTF-8 text, refusing files over `limit` bytes and binary files. The size is
/// checked while reading too, so a file that grows (or a FIFO) cannot exhaust memory.
pub fn read_text_file(path: &Path, limit: u64) -> Result<String, ReadError> {
    let file = fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    let probe = &bytes[..bytes.len().min(8192)];
    if probe.contains(&0) {
        return Err(ReadError::Binary);
    }
    // A UTF-8 byte-order mark is text, not content.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(body.to_vec()).map_err(|error| ReadError::NotUtf8 {
        offset: error.utf8_error().valid_up_to(),
    })
}

fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

/// Compiles user globs with gitignore-like conventions: a pattern without `/` matches at any
/// depth (`*.min.js`), a trailing `/` means "everything below" (`fixtures/`).
pub(crate) fn compile_globs(patterns: &[String]) -> Result<Option<GlobSet>, ProjectError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim().trim_start_matches("./");
        let mut normalized = if let Some(dir) = trimmed.strip_suffix('/') {
            format!("{dir}/**")
        } else {
            trimmed.to_string()
        };
        if !normalized.contains('/') {
            normalized = format!("**/{normalized}");
        }
        let normalized = normalized.trim_start_matches('/').to_string();
        let glob = Glob::new(&normalized).map_err(|error| ProjectError::BadGlob {
            pattern: pattern.clone(),
            reason: error.kind().to_string(),
        })?;
        builder.add(glob);
        // `dir/**` should also match the files directly in a folder named like the pattern.
        if !normalized.ends_with("/**") && !normalized.contains('*') {
            let below =
                Glob::new(&format!("{normalized}/**")).map_err(|error| ProjectError::BadGlob {
                    pattern: pattern.clone(),
                    reason: error.kind().to_string(),
                })?;
            builder.add(below);
        }
    }
    builder
        .build()
        .map(Some)
        .map_err(|error| ProjectError::BadGlob {
            pattern: patterns.join(", "),
            reason: error.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, content: &str) {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(full, content).expect("write");
    }

    #[test]
    fn walks_hidden_files_honours_gitignore_and_skips_vendored_dirs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, ".gitignore", "secret.txt\nlogs/\n");
        write(root, ".env", "A=1");
        write(root, "secret.txt", "x");
        write(root, "logs/app.log", "x");
        write(root, "node_modules/left-pad/package.json", "{}");
        write(root, "src/app.js", "x");
        write(root, ".github/dependabot.yml", "version: 2");
        let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walks");
        let paths: Vec<&str> = tree.files().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![".env", ".github/dependabot.yml", ".gitignore", "src/app.js"]
        );
    }

    #[test]
    fn applies_include_and_exclude_globs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "src/app.js", "x");
        write(root, "src/app.min.js", "x");
        write(root, "fixtures/bad.js", "x");
        write(root, "README.md", "x");
        let options = WalkOptions {
            include: vec!["*.js".into()],
            exclude: vec!["*.min.js".into(), "fixtures/".into()],
        };
        let tree = ProjectTree::walk(root, &options).expect("walks");
        let paths: Vec<&str> = tree.files().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec!["src/app.js"]);
        // Paths learned elsewhere (the git index) are judged the same way.
        assert!(tree.is_selected("lib/other.js"));
        assert!(!tree.is_selected("fixtures/secret.js"));
        assert!(!tree.is_selected("README.md"));
        assert!(!tree.is_selected("node_modules/x/index.js"));
    }

    #[test]
    fn rejects_a_bad_glob_and_a_missing_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = WalkOptions {
            include: vec!["src/[".into()],
            exclude: vec![],
        };
        assert!(matches!(
            ProjectTree::walk(dir.path(), &options),
            Err(ProjectError::BadGlob { .. })
        ));
        assert!(matches!(
            ProjectTree::walk(&dir.path().join("nope"), &WalkOptions::default()),
            Err(ProjectError::NotAFolder { .. })
        ));
    }

    #[test]
    fn read_text_refuses_large_binary_and_invalid_utf8_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "big.txt", &"x".repeat(100));
        fs::write(root.join("bin.dat"), [0x7f, b'E', b'L', b'F', 0, 1]).expect("write");
        fs::write(root.join("latin1.txt"), [b'a', 0xe9, b'b']).expect("write");
        write(root, "bom.json", "\u{feff}{}");
        let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walks");
        assert!(matches!(
            tree.read_text("big.txt", 10),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(matches!(
            tree.read_text("bin.dat", 100),
            Err(ReadError::Binary)
        ));
        assert!(matches!(
            tree.read_text("latin1.txt", 100),
            Err(ReadError::NotUtf8 { offset: 1 })
        ));
        assert_eq!(tree.read_text("bom.json", 100).expect("reads"), "{}");
    }

    #[test]
    fn gitignore_checks_follow_nested_files_and_negations() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, ".gitignore", ".env*\n!.env.example\nsecrets/\n");
        write(root, "api/.gitignore", "local.json\n");
        let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walks");
        assert!(tree.is_gitignored(".env", false));
        assert!(tree.is_gitignored("api/.env.local", false));
        assert!(!tree.is_gitignored(".env.example", false));
        assert!(tree.is_gitignored("secrets/key.pem", false));
        assert!(tree.is_gitignored("api/local.json", false));
        assert!(!tree.is_gitignored("local.json", false));
        assert!(!tree.is_gitignored("src/app.js", false));
    }
}
