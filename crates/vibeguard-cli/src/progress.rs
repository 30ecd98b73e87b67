//! A one-line progress indicator on standard error, only when it is a terminal: in CI logs
//! and pipes the output stays plain.

use std::io::{IsTerminal, Write};

/// Shows what the audit is doing on a single, rewritten line.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Progress on stderr when it is a terminal and the run is not quiet.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// Replaces the line with `message`.
    pub fn step(&self, message: &str) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K⠿ {message}");
            let _ = stderr.flush();
        }
    }

    /// Clears the line.
    pub fn finish(&self) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}
