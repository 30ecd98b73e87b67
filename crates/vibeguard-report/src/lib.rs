//! Renders a [`vibeguard_core::Report`] into every output format: terminal, JSON, SARIF 2.1.0,
//! JUnit XML, Markdown and a self-contained HTML page.
//!
//! Renderers see only the report (and never do I/O), so each is a pure function tested on one
//! canonical report. Everything a target or a project supplied is escaped for the format it is
//! written into; credentials were already redacted before the report was assembled.

#![deny(missing_docs)]

pub mod formats;
mod text;

pub use formats::{Format, RenderOptions, render};
pub use text::{display_order, terminal_safe};
