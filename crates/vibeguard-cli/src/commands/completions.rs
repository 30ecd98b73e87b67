//! `vibeguard completions SHELL`.

use clap::CommandFactory;

use crate::Outcome;
use crate::cli::Cli;

/// Prints the completion script.
pub fn run(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "vibeguard",
        &mut std::io::stdout(),
    );
    Ok(Outcome::Passed)
}
