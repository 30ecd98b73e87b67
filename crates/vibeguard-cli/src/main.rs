//! The `vibeguard` binary: parses the command line, loads the configuration, runs the engines,
//! renders the reports and turns the outcome into an exit code (0 pass, 1 findings at or above
//! `--fail-on`, 2 usage, configuration or I/O error).

mod advisory_settings;
mod api_settings;
mod audit;
mod cli;
mod commands;
mod config;
mod download;
mod history;
mod image_scan;
mod last_run;
mod operation_places;
mod outputs;
mod progress;
mod registry;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// The code engine builds millions of small values per audit; mimalloc allocates and frees
/// them markedly faster than the system allocator (about 20% of a full scan, measured with
/// `bench/code.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing gates: exit 0.
    Passed,
    /// Findings at or above the threshold: exit 1.
    Failed,
}

impl Outcome {
    /// The outcome of a report: failed when its gate failed.
    pub fn of(report: &vibeguard_core::Report) -> Self {
        if report.summary.passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    }
}

fn main() -> ExitCode {
    let matches = match cli::Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            // Help and version are not errors; everything else clap reports is a usage error.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let parsed = match cli::Cli::from_arg_matches(&matches) {
        Ok(parsed) => parsed,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(2);
        }
    };
    let order = outputs::ArgOrder::from_matches(&matches);
    match commands::run(parsed, &order) {
        Ok(Outcome::Passed) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {}", one_paragraph(&error));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes as one paragraph: "cannot read x: permission denied".
pub fn one_paragraph(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
