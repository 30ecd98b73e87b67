//! One file per subcommand; [`run`] dispatches.

mod api;
mod assistant;
mod audit;
mod baseline;
mod checklist;
mod code;
mod completions;
mod db;
mod demo;
mod deps;
mod describe;
mod diff;
mod explain;
mod history;
mod image;
mod init;
mod routes;
mod rules;
mod scenarios;
mod secrets;
mod show;

pub use assistant::Assistant;

use crate::Outcome;
use crate::cli::{BaselineAction, Cli, Command};
use crate::outputs::ArgOrder;

/// Runs the parsed command.
pub fn run(cli: Cli, order: &ArgOrder) -> anyhow::Result<Outcome> {
    let global = &cli.global;
    match &cli.command {
        Command::Audit { path, image } => audit::run(global, order, path, image.as_deref()),
        Command::Api { project } => api::run(global, order, project),
        Command::Scenarios { action } => scenarios::run(global, order, action),
        Command::Code { path } => code::run(global, order, path),
        Command::Deps { path } => deps::run(global, order, path),
        Command::Image {
            image,
            docker,
            project,
        } => image::run(global, order, image.as_deref(), docker.as_deref(), project),
        Command::Secrets { path, list, files } => secrets::run(global, order, path, *list, files),
        Command::Db { action } => db::run(global, action),
        Command::Routes { path } => routes::run(global, path),
        Command::Describe { path, openapi } => describe::run(global, path, openapi),
        Command::Demo {
            hardened,
            serve,
            port,
            keep,
        } => demo::run(
            global,
            order,
            demo::DemoOptions {
                hardened: *hardened,
                serve: *serve,
                port: *port,
                keep: *keep,
            },
        ),
        Command::Show {
            finding,
            path,
            report,
        } => show::show(global, finding, path.as_deref(), report.as_deref()),
        Command::Brief {
            findings,
            severity,
            project,
            report,
        } => show::brief(
            global,
            findings,
            *severity,
            project.as_deref(),
            report.as_deref(),
        ),
        Command::Rules => rules::run(global),
        Command::Explain { code } => explain::run(code),
        Command::Checklist {
            path,
            report,
            catalog,
        } => checklist::run(global, path.as_deref(), report.as_deref(), *catalog),
        Command::Init {
            path,
            force,
            stdout,
            assistant,
        } if !assistant.is_empty() => init::assistant_rules(path, assistant, *stdout),
        Command::Init {
            path,
            force,
            stdout,
            ..
        } => init::run(path, *force, *stdout),
        Command::History { action, project } => history::run(global, project, action.as_ref()),
        Command::Diff {
            base,
            head,
            project,
        } => diff::run(global, project, base.as_deref(), head.as_deref()),
        Command::Baseline {
            action: BaselineAction::Write { file, path },
        } => baseline::write(global, file, path),
        Command::Completions { shell } => completions::run(*shell),
    }
}

/// A JSON report written by `--format json=FILE`, for the commands that read one back
/// (`checklist --report`, `show --report`, `brief --report`).
fn read_json_report(file: &std::path::Path) -> anyhow::Result<vibeguard_core::Report> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a vibeguard JSON report (write one with --format json=FILE)",
            file.display()
        )
    })
}

/// The text format a listing command (rules, checklist) prints in: terminal, json or markdown.
fn listing_format(global: &crate::cli::GlobalArgs) -> anyhow::Result<vibeguard_report::Format> {
    use vibeguard_report::Format;
    match global.formats.as_slice() {
        [] => Ok(Format::Terminal),
        [one] => match one.parse::<Format>().map_err(anyhow::Error::msg)? {
            format @ (Format::Terminal | Format::Json | Format::Markdown) => Ok(format),
            other => anyhow::bail!("this command prints terminal, json or markdown, not {other}"),
        },
        _ => anyhow::bail!("this command prints one format at a time"),
    }
}

/// The routes the code of `path` declares (warnings for files that could not be read printed),
/// with the project's loaded configuration: what `routes` lists and `describe` derives from.
fn code_routes(
    global: &crate::cli::GlobalArgs,
    path: &std::path::Path,
) -> anyhow::Result<(crate::config::LoadedConfig, Vec<vibeguard_core::RouteEntry>)> {
    use anyhow::Context;
    let loaded = crate::config::load(
        global.config.as_deref(),
        path,
        &crate::registry::all_rules(),
    )
    .context("invalid configuration")?;
    let walk = vibeguard_project::WalkOptions {
        include: loaded.config.paths.include.clone(),
        exclude: loaded.config.paths.exclude.clone(),
    };
    let tree = vibeguard_project::ProjectTree::walk(path, &walk)
        .with_context(|| format!("cannot list {}", path.display()))?;
    let options = vibeguard_code::CodeOptions {
        max_file_size: loaded
            .config
            .paths
            .max_file_size
            .unwrap_or(vibeguard_project::DEFAULT_MAX_FILE_SIZE),
    };
    let (routes, errors) = vibeguard_code::routes(&tree, &options);
    for error in &errors {
        eprintln!("warning: {error}");
    }
    Ok((loaded, routes))
}
