//! vibeguard's dependency engine.
//!
//! It reads what a project declares (`manifests`: package.json, requirements.txt, pyproject.toml,
//! Cargo.toml, go.mod, Gemfile, composer.json, …) and what it locked (`lockfiles`), compares
//! versions with each ecosystem's own rules (`versions`), and runs the project hygiene rules
//! (`hygiene`, codes VG301–VG306): missing or stale lockfiles, unpinned dependencies, no update
//! bot, committed secret files. The advisory engine (`advisories`, codes VG307–VG309)
//! inventories every installed package (`inventory`) and matches it against the local OSV data
//! (`osv`).
//!
//! Every parser is a real parser (serde_json, toml, a YAML parser, or a line grammar for the
//! line-based formats) and reports malformed input as a typed error naming the file and,
//! where known, the line.

#![deny(missing_docs)]

pub mod advisories;
pub mod ecosystem;
pub mod hygiene;
pub mod inventory;
pub mod lockfiles;
pub mod manifests;
pub mod osv;
pub mod project;
pub mod text_position;
pub mod versions;

pub use ecosystem::Ecosystem;

/// A file that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ParseError {
    /// The file, relative to the project root.
    pub path: String,
    /// The 1-based line, when the parser knows it.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    /// An error at an unknown line.
    pub fn new(path: &str, message: impl Into<String>) -> ParseError {
        ParseError {
            path: path.to_string(),
            line: None,
            message: message.into(),
        }
    }

    /// An error at a known line.
    pub fn at_line(path: &str, line: u32, message: impl Into<String>) -> ParseError {
        ParseError {
            path: path.to_string(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// A serde_json error, with its line.
    pub fn from_json(path: &str, error: &serde_json::Error) -> ParseError {
        ParseError::at_line(
            path,
            u32::try_from(error.line()).unwrap_or(0),
            format!("invalid JSON: {error}"),
        )
    }

    /// A toml error, with the line of its span.
    pub fn from_toml(path: &str, text: &str, error: &toml::de::Error) -> ParseError {
        let line = error
            .span()
            .map(|span| text_position::LineIndex::new(text).position(span.start).0);
        ParseError {
            path: path.to_string(),
            line,
            message: format!("invalid TOML: {}", error.message()),
        }
    }

    /// A YAML error.
    pub fn from_yaml(path: &str, error: &serde_saphyr::Error) -> ParseError {
        let text = error.to_string();
        let first_line = text.lines().next().unwrap_or("").to_string();
        ParseError::new(path, format!("invalid YAML: {first_line}"))
    }

    /// Into the report's error type.
    pub fn into_engine_error(self) -> vibeguard_core::EngineError {
        vibeguard_core::EngineError {
            source: self.path,
            line: self.line,
            message: self.message,
        }
    }
}
