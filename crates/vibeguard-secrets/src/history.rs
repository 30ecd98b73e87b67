//! The git history: every line added by every commit on every ref, read from `git log -p`
//! and scanned with the same pipeline as the tree.
//!
//! The git CLI is run with everything that could execute code from the repository's own
//! configuration switched off (no pager, no external diff, no textconv filters, no fsmonitor),
//! with a deadline, and its output is read as a stream with a bounded line length and a bounded
//! diff block per file, so a huge or hostile history costs time, never unbounded memory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::catalog::Catalog;
use crate::files;
use crate::scan::{self, Hit, TextContext};

/// Longest line of `git log` output kept; the rest of a longer line is dropped.
const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Most added text kept for one file in one commit before it is scanned.
const MAX_BLOCK_BYTES: usize = 8 * 1024 * 1024;

/// Limits of one history scan.
#[derive(Debug, Clone, Copy)]
pub struct HistoryLimits {
    /// Longest the scan may run; git is stopped after this and what was read is kept.
    pub deadline: Duration,
}

impl Default for HistoryLimits {
    fn default() -> Self {
        HistoryLimits {
            deadline: Duration::from_secs(600),
        }
    }
}

/// A credential some commit added.
#[derive(Debug, Clone)]
pub struct HistoryHit {
    /// What was found (line numbers are the file's, in that commit).
    pub hit: Hit,
    /// The file it was added to.
    pub path: String,
    /// The commit's full hash.
    pub commit: String,
    /// The commit's author date (ISO 8601).
    pub author_date: String,
}

/// What a history scan saw.
#[derive(Debug, Default)]
pub struct HistoryScan {
    /// Whether the history was read (a git repository, git available).
    pub scanned: bool,
    /// Commits read.
    pub commits: usize,
    /// Every credential found, oldest commit first.
    pub hits: Vec<HistoryHit>,
    /// Problems and limits, in plain words (shallow clone, corrupt objects, deadline).
    pub notes: Vec<String>,
}

/// Scans the history of the repository at `root`. `selected` says which paths are part of the
/// audit (vendored folders and excluded globs are not).
pub fn scan(
    root: &Path,
    catalog: &Catalog,
    selected: &dyn Fn(&str) -> bool,
    limits: HistoryLimits,
) -> HistoryScan {
    let mut result = HistoryScan::default();
    if !root.join(".git").exists() {
        result
            .notes
            .push("not a git repository (no .git): the history was not scanned".into());
        return result;
    }
    match git(root, &["rev-parse", "--is-shallow-repository"]) {
        Ok(out) if out.trim() == "true" => result.notes.push(
            "shallow clone: commits before the clone's depth are not in this repository and \
             were not scanned"
                .into(),
        ),
        Ok(_) => {}
        Err(error) => {
            result
                .notes
                .push(format!("git cannot read this repository: {error}"));
            return result;
        }
    }
    let mut child = match hardened_git(root)
        .args([
            "log",
            "--all",
            "--reverse",
            "-p",
            "-U0",
            "--no-color",
            "--no-textconv",
            "--no-ext-diff",
            "--no-renames",
            "--diff-filter=AM",
            "--format=%x00%x00commit %H %aI",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => {
            result.notes.push(format!(
                "git could not be started ({error}): the history was not scanned"
            ));
            return result;
        }
    };
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        result.notes.push("git's output could not be read".into());
        return result;
    };
    // stderr is drained on its own thread so a chatty git never blocks on a full pipe.
    let stderr_reader = thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = stderr.by_ref().take(64 * 1024).read_to_end(&mut buffer);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        String::from_utf8_lossy(&buffer).into_owned()
    });
    // A watchdog stops git at the deadline; reading then ends at end of file.
    let (status_tx, status_rx) = mpsc::channel();
    let deadline = limits.deadline;
    let watchdog = thread::spawn(move || {
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    let _ = status_tx.send((status.success(), false));
                    return;
                }
                Ok(None) if started.elapsed() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let _ = status_tx.send((false, true));
                    return;
                }
                Ok(None) => thread::sleep(Duration::from_millis(20)),
                Err(_) => {
                    let _ = status_tx.send((false, false));
                    return;
                }
            }
        }
    });

    let mut parser = LogParser::new(catalog, selected);
    let mut reader = BufReader::with_capacity(256 * 1024, stdout);
    let mut line = Vec::new();
    while read_bounded_line(&mut reader, &mut line) {
        parser.line(&line);
    }
    parser.finish();
    let _ = watchdog.join();
    let stderr_text = stderr_reader.join().unwrap_or_default();
    let (success, timed_out) = status_rx.recv().unwrap_or((false, false));
    result.scanned = true;
    result.commits = parser.commits;
    result.hits = parser.hits;
    result.notes.extend(parser.notes);
    if timed_out {
        result.notes.push(format!(
            "the history scan stopped after {} s; {} commits were scanned",
            deadline.as_secs(),
            result.commits
        ));
    } else if !success {
        let first = stderr_text
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("git failed without a message");
        result.notes.push(format!(
            "git log failed ({first}); {} commits before the failure were scanned",
            result.commits
        ));
    }
    result
}

/// `git` with the repository's executable configuration switched off.
fn hardened_git(root: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(root)
        .args([
            "--no-pager",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.quotepath=off",
            "-c",
            "diff.external=",
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "log.showSignature=false",
        ])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    command
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = hardened_git(root)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|error| format!("git could not be started: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("git failed")
            .to_string())
    }
}

/// Reads one line (without its newline) into `line`, keeping at most [`MAX_LINE_BYTES`].
/// Returns false at end of input.
fn read_bounded_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> bool {
    line.clear();
    let mut read_any = false;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return read_any,
        };
        if buffer.is_empty() {
            return read_any;
        }
        read_any = true;
        let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => (&buffer[..at], Some(at + 1)),
            None => (buffer, None),
        };
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let consumed = done.unwrap_or(buffer.len());
        reader.consume(consumed);
        if done.is_some() {
            return true;
        }
    }
}

/// Turns `git log -p -U0` output into per-file blocks of added lines, scanned as they end.
struct LogParser<'a> {
    catalog: &'a Catalog,
    selected: &'a dyn Fn(&str) -> bool,
    commit: String,
    author_date: String,
    commits: usize,
    path: Option<String>,
    next_line: u32,
    block: String,
    block_lines: Vec<u32>,
    truncated: bool,
    hits: Vec<HistoryHit>,
    notes: Vec<String>,
}

impl<'a> LogParser<'a> {
    fn new(catalog: &'a Catalog, selected: &'a dyn Fn(&str) -> bool) -> Self {
        LogParser {
            catalog,
            selected,
            commit: String::new(),
            author_date: String::new(),
            commits: 0,
            path: None,
            next_line: 0,
            block: String::new(),
            block_lines: Vec::new(),
            truncated: false,
            hits: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn line(&mut self, raw: &[u8]) {
        if let Some(header) = raw.strip_prefix(b"\0\0commit ") {
            self.flush();
            let header = String::from_utf8_lossy(header);
            let mut parts = header.split_whitespace();
            self.commit = parts.next().unwrap_or_default().to_string();
            self.author_date = parts.next().unwrap_or_default().to_string();
            self.commits += 1;
            self.path = None;
            return;
        }
        if raw.starts_with(b"diff --git ") {
            self.flush();
            self.path = None;
            return;
        }
        if let Some(path) = raw.strip_prefix(b"+++ ") {
            self.flush();
            let path = String::from_utf8_lossy(path);
            self.path = path
                .strip_prefix("b/")
                .map(str::to_string)
                .filter(|path| self.wanted(path));
            return;
        }
        if raw.starts_with(b"@@ ") {
            self.next_line = hunk_new_start(raw).unwrap_or(1);
            return;
        }
        if self.path.is_none() {
            return;
        }
        if let Some(added) = raw.strip_prefix(b"+") {
            if self.block.len() + added.len() > MAX_BLOCK_BYTES {
                if !self.truncated {
                    self.truncated = true;
                    self.notes.push(format!(
                        "{} in commit {}: more than {} MiB added at once; the rest was not scanned",
                        self.path.as_deref().unwrap_or(""),
                        short(&self.commit),
                        MAX_BLOCK_BYTES / (1024 * 1024)
                    ));
                }
                return;
            }
            self.block.push_str(&String::from_utf8_lossy(added));
            self.block.push('\n');
            self.block_lines.push(self.next_line);
            self.next_line = self.next_line.saturating_add(1);
        }
    }

    fn wanted(&self, path: &str) -> bool {
        (self.selected)(path) && !files::has_binary_extension(path) && !files::is_test_path(path)
    }

    fn flush(&mut self) {
        let Some(path) = self.path.clone() else {
            self.block.clear();
            self.block_lines.clear();
            return;
        };
        if !self.block.is_empty() {
            let context = TextContext::of(&path, &self.block);
            for mut hit in scan::scan_text(self.catalog, &self.block, &context) {
                let block_line = usize::try_from(hit.line).unwrap_or(1).saturating_sub(1);
                let end_line = usize::try_from(hit.end_line).unwrap_or(1).saturating_sub(1);
                hit.line = self
                    .block_lines
                    .get(block_line)
                    .copied()
                    .unwrap_or(hit.line);
                hit.end_line = self.block_lines.get(end_line).copied().unwrap_or(hit.line);
                self.hits.push(HistoryHit {
                    hit,
                    path: path.clone(),
                    commit: self.commit.clone(),
                    author_date: self.author_date.clone(),
                });
            }
        }
        self.block.clear();
        self.block_lines.clear();
        self.truncated = false;
    }

    fn finish(&mut self) {
        self.flush();
    }
}

/// The new-file start line of a hunk header `@@ -a,b +c,d @@`.
fn hunk_new_start(header: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(header).ok()?;
    let plus = text.split_whitespace().find(|part| part.starts_with('+'))?;
    plus[1..].split(',').next()?.parse().ok()
}

/// The first 12 characters of a commit hash.
pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers() {
        assert_eq!(hunk_new_start(b"@@ -0,0 +1,3 @@"), Some(1));
        assert_eq!(hunk_new_start(b"@@ -4 +17 @@ fn main()"), Some(17));
        assert_eq!(hunk_new_start(b"@@ garbage"), None);
    }

    #[test]
    fn long_lines_are_cut_not_buffered() {
        let long = vec![b'a'; MAX_LINE_BYTES * 2];
        let mut input = long.clone();
        input.extend_from_slice(b"\nnext\n");
        let mut reader = BufReader::with_capacity(4096, &input[..]);
        let mut line = Vec::new();
        assert!(read_bounded_line(&mut reader, &mut line));
        assert_eq!(line.len(), MAX_LINE_BYTES);
        assert!(read_bounded_line(&mut reader, &mut line));
        assert_eq!(line, b"next");
        assert!(!read_bounded_line(&mut reader, &mut line));
    }

    #[test]
    fn a_log_becomes_hits_with_file_line_numbers() {
        let catalog = Catalog::builtin().expect("catalog");
        let all = |_: &str| true;
        let mut parser = LogParser::new(catalog, &all);
        let log = "\0\0commit abcdef1234567890 2024-05-01T10:00:00+00:00\n\
                   diff --git a/config.js b/config.js\n\
                   --- /dev/null\n\
                   +++ b/config.js\n\
                   @@ -0,0 +7,2 @@\n\
                   +// settings\n\
                   +const key = 'ghp_R8vK2mQ9xL4tW7zN1bY6cF3hJ5dS0aP2eG8u';\n";
        for line in log.lines() {
            parser.line(line.as_bytes());
        }
        parser.finish();
        assert_eq!(parser.commits, 1);
        assert_eq!(parser.hits.len(), 1);
        let hit = &parser.hits[0];
        assert_eq!((hit.path.as_str(), hit.hit.line), ("config.js", 8));
        assert_eq!(hit.commit, "abcdef1234567890");
        assert_eq!(hit.author_date, "2024-05-01T10:00:00+00:00");
    }
}
