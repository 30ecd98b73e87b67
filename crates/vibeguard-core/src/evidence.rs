//! What a finding shows as proof: a code excerpt, a labelled text, or an HTTP exchange.

use serde::{Deserialize, Serialize};

use crate::location::Span;

/// The longest line a code frame keeps, in characters; minified files would flood reports.
const MAX_FRAME_LINE_CHARS: usize = 240;

/// A proof attached to a finding. Every string in it has been through the run's redactor
/// before it reaches a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Evidence {
    /// Lines of a file around the finding.
    Code(CodeFrame),
    /// A labelled piece of text, e.g. "variables defined: DB_PASSWORD, JWT_SECRET".
    Text {
        /// What the text is.
        label: String,
        /// The text.
        text: String,
    },
    /// A request and the response it got.
    Http {
        /// The request line, headers and body excerpt.
        request: String,
        /// The status line, headers and body excerpt.
        response: String,
        /// A ready-to-run `curl` command reproducing the request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        curl: Option<String>,
    },
}

/// An excerpt of a text file with the finding's lines marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFrame {
    /// Path relative to the project root.
    pub path: String,
    /// Line number of `lines[0]` (1-based).
    pub first_line: u32,
    /// The excerpt, one entry per line, long lines cut.
    pub lines: Vec<String>,
    /// First highlighted line (1-based, absolute).
    pub highlight_start: u32,
    /// Last highlighted line (1-based, absolute, inclusive).
    pub highlight_end: u32,
}

impl CodeFrame {
    /// Cuts the lines of `span` plus `context` lines on either side out of `text`.
    pub fn excerpt(path: &str, text: &str, span: Span, context: u32) -> CodeFrame {
        let first_line = span.start_line.saturating_sub(context).max(1);
        let last_line = span.end_line.saturating_add(context);
        let lines = text
            .lines()
            .enumerate()
            .map(|(index, line)| (u32::try_from(index + 1).unwrap_or(u32::MAX), line))
            .filter(|(number, _)| (first_line..=last_line).contains(number))
            .map(|(_, line)| shorten(line))
            .collect();
        CodeFrame {
            path: path.to_string(),
            first_line,
            lines,
            highlight_start: span.start_line,
            highlight_end: span.end_line,
        }
    }

    /// The lines with their absolute numbers.
    pub fn numbered_lines(&self) -> impl Iterator<Item = (u32, &str)> {
        self.lines
            .iter()
            .enumerate()
            .map(|(offset, line)| (self.first_line + offset as u32, line.as_str()))
    }

    /// Whether line `number` is one of the finding's lines.
    pub fn is_highlighted(&self, number: u32) -> bool {
        (self.highlight_start..=self.highlight_end).contains(&number)
    }
}

fn shorten(line: &str) -> String {
    let line = line.trim_end_matches('\r');
    if line.chars().count() <= MAX_FRAME_LINE_CHARS {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(MAX_FRAME_LINE_CHARS).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_keeps_context_and_clamps_at_file_start() {
        let text = "one\ntwo\nthree\nfour\nfive\n";
        let frame = CodeFrame::excerpt("a.txt", text, Span::line(2, 1, 4), 2);
        assert_eq!(frame.first_line, 1);
        assert_eq!(frame.lines, vec!["one", "two", "three", "four"]);
        assert!(frame.is_highlighted(2));
        assert!(!frame.is_highlighted(3));
    }

    #[test]
    fn excerpt_cuts_minified_lines() {
        let text = "x".repeat(10_000);
        let frame = CodeFrame::excerpt("m.js", &text, Span::line(1, 1, 2), 1);
        assert_eq!(frame.lines[0].chars().count(), MAX_FRAME_LINE_CHARS + 1);
    }
}
