//! The output formats, one file each. A new format is a file here plus a [`Format`] variant.

pub mod brief;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod terminal;

use std::fmt;
use std::str::FromStr;

use vibeguard_core::Report;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Human-readable, for a terminal.
    Terminal,
    /// The report as JSON (`docs/report.schema.json`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// JUnit XML, for CI test report readers.
    Junit,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// A self-contained HTML page.
    Html,
    /// Fix briefs: one self-contained prompt per finding for a coding assistant (Markdown).
    Brief,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 7] = [
        Format::Terminal,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
        Format::Html,
        Format::Brief,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Brief => "brief",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Terminal => "txt",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "xml",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Brief => "md",
        }
    }

    /// A one-line description for help texts.
    pub fn description(self) -> &'static str {
        match self {
            Format::Terminal => "human-readable report (the default)",
            Format::Json => "the full report as JSON (docs/report.schema.json)",
            Format::Sarif => "SARIF 2.1.0 for GitHub code scanning",
            Format::Junit => "JUnit XML: a suite per engine, a test case per checklist item",
            Format::Markdown => "Markdown for a pull-request comment",
            Format::Html => "a self-contained HTML page",
            Format::Brief => "fix briefs for a coding assistant, one per finding (Markdown)",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        let alias = match wanted.as_str() {
            "text" | "human" => "terminal",
            "md" => "markdown",
            "briefs" => "brief",
            "xml" => "junit",
            other => other,
        };
        Format::ALL
            .into_iter()
            .find(|format| format.name() == alias)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format `{text}` (use {})", names.join(", "))
            })
    }
}

/// Presentation choices that do not change content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Use ANSI colours (terminal only).
    pub color: bool,
    /// Show every checklist note and finding detail (terminal only).
    pub verbose: bool,
    /// Only the summary line (terminal only).
    pub quiet: bool,
    /// Every finding on its own line, none counted per rule (terminal only).
    pub all: bool,
    /// Findings a severity lists before it counts the rest (terminal only; `None`: the
    /// default, [`terminal::DEFAULT_LIST_LIMIT`]).
    pub list_limit: Option<usize>,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Terminal => terminal::render(report, options),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Brief => brief::render(report),
    }
}
