//! vibeguard's view of a project folder, shared by every engine that reads files.
//!
//! One walk lists the files once ([`ProjectTree::walk`]): it honours the project's `.gitignore`
//! files (but not the machine's global excludes, so results do not depend on who runs the
//! audit), the configured include/exclude globs, and skips vendored and generated folders.
//! Reading goes through [`ProjectTree::read_text`], which refuses oversized and binary files
//! with an error naming the file. [`GitIndex`] says which paths are committed, read straight
//! from `.git/index` so that auditing an untrusted repository never runs its git hooks or config.

#![deny(missing_docs)]

mod git_index;
pub mod test_code;
mod tree;

pub use git_index::{GitIndex, GitIndexError};
pub use test_code::{TestCode, is_test_path};
pub use tree::{
    DEFAULT_MAX_FILE_SIZE, ProjectError, ProjectFile, ProjectTree, ReadError, VENDORED_DIRS,
    WalkOptions, read_text_file,
};
