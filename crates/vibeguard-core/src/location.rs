//! Where a finding is: a span of a source file, an API operation, a package in a manifest, or
//! the project as a whole.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A 1-based, inclusive range of lines and columns in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First line (1-based).
    pub start_line: u32,
    /// First column (1-based, in characters).
    pub start_column: u32,
    /// Last line (1-based, inclusive).
    pub end_line: u32,
    /// Column just after the last character (1-based, exclusive), as SARIF counts it.
    pub end_column: u32,
}

impl Span {
    /// A span covering columns `start_column..end_column` of one line.
    pub fn line(line: u32, start_column: u32, end_column: u32) -> Self {
        Span {
            start_line: line,
            start_column,
            end_line: line,
            end_column,
        }
    }
}

/// Where an API operation is written in the project: the line of its path item (or method) in
/// the API description, or the code that declares the route. Code-scanning UIs show a finding
/// only at a file and line, and an inline suppression is read there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeclaredAt {
    /// The file, relative to the project root, with `/` separators.
    pub path: String,
    /// The 1-based line.
    pub line: u32,
}

/// The place a finding points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Location {
    /// A file in the project, optionally narrowed to a span.
    Source {
        /// Path relative to the project root, with `/` separators.
        path: String,
        /// The span, when the finding is about specific lines.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
    },
    /// An API operation, optionally one of its parameters.
    Operation {
        /// HTTP method in upper case.
        method: String,
        /// The path template from the spec, e.g. `/users/{id}`.
        path: String,
        /// The parameter concerned, e.g. `query:q` or `body:/role`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parameter: Option<String>,
        /// Where the operation is written in the project, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        declared_at: Option<DeclaredAt>,
    },
    /// A package as declared in a manifest or lockfile.
    Package {
        /// Ecosystem name as OSV spells it (`npm`, `PyPI`, `crates.io`, `Go`, ...).
        ecosystem: String,
        /// Package name.
        name: String,
        /// Version, or the declared range when there is no exact version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<String>,
        /// The manifest or lockfile, relative to the project root.
        manifest: String,
        /// Where in that file, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
    },
    /// The project as a whole (e.g. "no dependency update tool configured").
    Project,
}

impl Location {
    /// An API operation (or one of its parameters) not yet tied to a place in the project.
    pub fn operation(method: &str, path: &str, parameter: Option<String>) -> Location {
        Location::Operation {
            method: method.to_string(),
            path: path.to_string(),
            parameter,
            declared_at: None,
        }
    }

    /// The file this location is in, if it is in one (for an operation, the file that
    /// declares it).
    pub fn file(&self) -> Option<&str> {
        match self {
            Location::Source { path, .. } => Some(path),
            Location::Package { manifest, .. } => Some(manifest),
            Location::Operation { declared_at, .. } => {
                declared_at.as_ref().map(|d| d.path.as_str())
            }
            Location::Project => None,
        }
    }

    /// The span within [`Location::file`], if known.
    pub fn span(&self) -> Option<Span> {
        match self {
            Location::Source { span, .. } | Location::Package { span, .. } => *span,
            Location::Operation { declared_at, .. } => {
                declared_at.as_ref().map(|d| Span::line(d.line, 1, 1))
            }
            Location::Project => None,
        }
    }

    /// A key that identifies the place without line numbers, for fingerprints.
    pub fn stable_key(&self) -> String {
        match self {
            Location::Source { path, .. } => format!("source:{path}"),
            Location::Operation {
                method,
                path,
                parameter,
                ..
            } => format!(
                "operation:{method} {path} {}",
                parameter.as_deref().unwrap_or("")
            ),
            Location::Package {
                ecosystem,
                name,
                manifest,
                ..
            } => format!("package:{ecosystem}:{name}:{manifest}"),
            Location::Project => "project".to_string(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Source {
                path,
                span: Some(span),
            } => write!(f, "{path}:{}:{}", span.start_line, span.start_column),
            Location::Source { path, span: None } => f.write_str(path),
            Location::Package {
                name,
                version,
                manifest,
                span,
                ..
            } => {
                f.write_str(manifest)?;
                if let Some(span) = span {
                    write!(f, ":{}:{}", span.start_line, span.start_column)?;
                }
                match version {
                    Some(version) => write!(f, " ({name}@{version})"),
                    None => write!(f, " ({name})"),
                }
            }
            Location::Operation {
                method,
                path,
                parameter: Some(parameter),
                ..
            } => write!(f, "{method} {path} [{parameter}]"),
            Location::Operation {
                method,
                path,
                parameter: None,
                ..
            } => write!(f, "{method} {path}"),
            Location::Project => f.write_str("project"),
        }
    }
}
