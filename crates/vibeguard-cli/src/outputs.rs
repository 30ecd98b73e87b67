//! Where each report goes: pairing `--format` with `--output`, and writing the files.
//!
//! `--format sarif --output x.sarif --format json --output r.json` pairs each output with the
//! format given just before it; `--format json=r.json` does the same in one flag; an `--output`
//! with no format before it takes its format from the extension. At most one format goes to
//! standard output; when none does, the terminal report is printed there for the human.

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::ArgMatches;
use vibeguard_core::Report;
use vibeguard_report::{Format, RenderOptions, render};

/// The command-line positions of `--format` and `--output` values, which clap's derive API
/// does not keep.
#[derive(Debug, Default, Clone)]
pub struct ArgOrder {
    formats: Vec<usize>,
    outputs: Vec<usize>,
}

impl ArgOrder {
    /// Reads the positions from the matches (global flags may sit on any subcommand level).
    pub fn from_matches(matches: &ArgMatches) -> ArgOrder {
        let mut order = ArgOrder::default();
        let mut level = Some(matches);
        while let Some(current) = level {
            // Only ask for ids present at this level: clap panics on ids a command lacks.
            let present: Vec<String> = current.ids().map(|id| id.as_str().to_string()).collect();
            if present.iter().any(|id| id == "formats")
                && let Some(indices) = current.indices_of("formats")
            {
                order.formats = indices.collect();
            }
            if present.iter().any(|id| id == "outputs")
                && let Some(indices) = current.indices_of("outputs")
            {
                order.outputs = indices.collect();
            }
            level = current.subcommand().map(|(_, sub)| sub);
        }
        order
    }
}

/// Where a rendered report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// A file.
    File(PathBuf),
}

/// One report to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPlan {
    /// Its format.
    pub format: Format,
    /// Where it goes.
    pub destination: Destination,
}

/// Pairs formats with outputs; adds the terminal report on stdout when nothing else goes there.
pub fn plan(
    formats: &[String],
    outputs: &[PathBuf],
    order: &ArgOrder,
) -> anyhow::Result<Vec<OutputPlan>> {
    let mut plans: Vec<(usize, OutputPlan)> = Vec::new();
    for (position, spec) in formats.iter().enumerate() {
        let index = order.formats.get(position).copied().unwrap_or(position * 2);
        let (name, file) = match spec.split_once('=') {
            Some((name, file)) if !file.is_empty() => (name, Some(PathBuf::from(file))),
            _ => (spec.as_str(), None),
        };
        let format: Format = name.parse().map_err(anyhow::Error::msg)?;
        plans.push((
            index,
            OutputPlan {
                format,
                destination: file.map_or(Destination::Stdout, Destination::File),
            },
        ));
    }
    for (position, file) in outputs.iter().enumerate() {
        let index = order
            .outputs
            .get(position)
            .copied()
            .unwrap_or(position * 2 + 1);
        // The nearest --format before this --output that still writes to stdout.
        let slot = plans
            .iter_mut()
            .filter(|(format_index, plan)| {
                *format_index < index && plan.destination == Destination::Stdout
            })
            .max_by_key(|(format_index, _)| *format_index);
        match slot {
            Some((_, plan)) => plan.destination = Destination::File(file.clone()),
            None => {
                let format = format_from_extension(file).with_context(|| {
                    format!(
                        "--output {} has no --format before it and its extension names no format (use .json, .sarif, .xml, .md, .html or .txt, or give --format)",
                        file.display()
                    )
                })?;
                plans.push((
                    index,
                    OutputPlan {
                        format,
                        destination: Destination::File(file.clone()),
                    },
                ));
            }
        }
    }
    plans.sort_by_key(|(index, _)| *index);
    let mut plans: Vec<OutputPlan> = plans.into_iter().map(|(_, plan)| plan).collect();

    let to_stdout = plans
        .iter()
        .filter(|p| p.destination == Destination::Stdout)
        .count();
    if to_stdout > 1 {
        bail!(
            "only one --format can go to standard output; give the others a file with --output FILE or FORMAT=FILE"
        );
    }
    let mut files: Vec<&PathBuf> = plans
        .iter()
        .filter_map(|p| match &p.destination {
            Destination::File(file) => Some(file),
            Destination::Stdout => None,
        })
        .collect();
    files.sort();
    if let Some(window) = files.windows(2).find(|pair| pair[0] == pair[1]) {
        bail!("two formats are written to {}", window[0].display());
    }
    // The console always gets the human view; with --quiet it is just the summary line.
    if to_stdout == 0 {
        plans.push(OutputPlan {
            format: Format::Terminal,
            destination: Destination::Stdout,
        });
    }
    Ok(plans)
}

fn format_from_extension(file: &Path) -> Option<Format> {
    match file.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "json" => Some(Format::Json),
        "sarif" => Some(Format::Sarif),
        "xml" => Some(Format::Junit),
        "md" | "markdown" => Some(Format::Markdown),
        "html" | "htm" => Some(Format::Html),
        "txt" => Some(Format::Terminal),
        _ => None,
    }
}

/// Prints to standard output. A closed pipe (`vibeguard rules | head -1`) means the reader has
/// what it wanted: it is not an error, and must not become a panic as `print!` makes it.
pub fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Whether colour may be used on standard output.
pub fn stdout_color(no_color: bool) -> bool {
    let disabled_by_env = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && !disabled_by_env && std::io::stdout().is_terminal()
}

/// Renders and writes every planned report.
pub fn write_all(
    report: &Report,
    plans: &[OutputPlan],
    options: RenderOptions,
) -> anyhow::Result<()> {
    for plan in plans {
        match &plan.destination {
            Destination::Stdout => {
                let text = render(report, plan.format, &options);
                let mut stdout = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth exit 2.
                if let Err(error) = stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
                    && error.kind() != std::io::ErrorKind::BrokenPipe
                {
                    return Err(error).context("cannot write to standard output");
                }
            }
            Destination::File(file) => {
                // Files always get the whole report: --quiet is about the console only.
                let plain = RenderOptions {
                    color: false,
                    quiet: false,
                    ..options
                };
                let text = render(report, plan.format, &plain);
                if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::create_dir_all(parent).with_context(|| {
                        format!("cannot create the folder {}", parent.display())
                    })?;
                }
                fs::write(file, text)
                    .with_context(|| format!("cannot write {}", file.display()))?;
                if !options.quiet {
                    eprintln!("wrote {} report to {}", plan.format, file.display());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(formats: &[usize], outputs: &[usize]) -> ArgOrder {
        ArgOrder {
            formats: formats.to_vec(),
            outputs: outputs.to_vec(),
        }
    }

    fn file(format: Format, path: &str) -> OutputPlan {
        OutputPlan {
            format,
            destination: Destination::File(path.into()),
        }
    }

    fn stdout(format: Format) -> OutputPlan {
        OutputPlan {
            format,
            destination: Destination::Stdout,
        }
    }

    #[test]
    fn outputs_pair_with_the_format_before_them() {
        let plans = plan(
            &["sarif".into(), "json".into()],
            &["x.sarif".into(), "r.json".into()],
            &order(&[2, 6], &[4, 8]),
        )
        .expect("valid");
        assert_eq!(
            plans,
            vec![
                file(Format::Sarif, "x.sarif"),
                file(Format::Json, "r.json"),
                stdout(Format::Terminal)
            ]
        );
    }

    #[test]
    fn inline_files_extensions_and_stdout() {
        let plans = plan(
            &["json=r.json".into(), "markdown".into()],
            &["report.html".into()],
            &order(&[2, 4], &[6]),
        )
        .expect("valid");
        // The --output comes after --format markdown, which still went to stdout: it takes it.
        assert_eq!(
            plans,
            vec![
                file(Format::Json, "r.json"),
                file(Format::Markdown, "report.html"),
                stdout(Format::Terminal)
            ]
        );
        let plans = plan(&[], &["out/x.sarif".into()], &order(&[], &[2])).expect("valid");
        assert_eq!(
            plans,
            vec![file(Format::Sarif, "out/x.sarif"), stdout(Format::Terminal)]
        );
        let plans = plan(&["json".into()], &[], &order(&[2], &[])).expect("valid");
        assert_eq!(plans, vec![stdout(Format::Json)]);
        let plans = plan(&[], &[], &order(&[], &[])).expect("valid");
        assert_eq!(plans, vec![stdout(Format::Terminal)]);
    }

    #[test]
    fn refuses_ambiguous_plans() {
        assert!(plan(&["json".into(), "sarif".into()], &[], &order(&[2, 4], &[])).is_err());
        assert!(plan(&[], &["report.pdf".into()], &order(&[], &[2])).is_err());
        assert!(plan(&["pdf".into()], &[], &order(&[2], &[])).is_err());
        assert!(
            plan(
                &["json=a.json".into(), "sarif=a.json".into()],
                &[],
                &order(&[2, 4], &[])
            )
            .is_err()
        );
    }
}
