//! The report as JSON: exactly the serde form of [`vibeguard_core::Report`], described by
//! `docs/report.schema.json` (versioned by `schema_version`).

use vibeguard_core::Report;

/// Renders the report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|error| unreachable!("a Report always serializes: {error}"));
    text.push('\n');
    text
}
