//! Small text helpers shared by the renderers: location labels and durations.

use vibeguard_core::{Finding, Report};

/// Where a finding is, as one short label (`package.json:5`, `GET /users/{id}`).
pub(crate) fn location_label(finding: &Finding) -> String {
    finding.location.to_string()
}

/// The findings in the order every human-facing view numbers them: production code before
/// test code, then the most severe first, the report's order kept within. `vibeguard show N`
/// and `vibeguard brief N` count in this order.
pub fn display_order(report: &Report) -> Vec<&Finding> {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by_key(|finding| (finding.test_code, std::cmp::Reverse(finding.severity)));
    findings
}

/// The first line of `text`, cut to `width` characters with an ellipsis.
pub(crate) fn one_line(text: &str, width: usize) -> String {
    let first = text.lines().next().unwrap_or("").trim_end();
    if first.chars().count() <= width && !text.trim_end().contains('\n') {
        return first.to_string();
    }
    let mut cut: String = first.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The run's wall time, e.g. `0.84 s`.
pub(crate) fn duration_label(report: &Report) -> String {
    let millis = report
        .finished_at
        .duration_since(report.started_at)
        .as_millis()
        .max(0);
    if millis < 1000 {
        format!("{millis} ms")
    } else {
        format!("{:.2} s", millis as f64 / 1000.0)
    }
}

/// What the engines covered, e.g. `hygiene: 9 files, 14 packages`.
pub(crate) fn coverage_label(report: &Report) -> String {
    report
        .engines
        .iter()
        .map(|run| {
            let mut parts = Vec::new();
            let c = run.coverage;
            for (count, unit) in [
                (c.files, "file"),
                (c.packages, "package"),
                (c.operations, "operation"),
                (c.requests, "request"),
            ] {
                if unit == "operation" && c.operations_total > 0 {
                    // Every described operation is counted, exercised or not.
                    parts.push(format!(
                        "{count} of {} operation{} exercised{}",
                        c.operations_total,
                        if c.operations_total == 1 { "" } else { "s" },
                        operation_sources(&c)
                    ));
                } else if count > 0 {
                    parts.push(format!(
                        "{count} {unit}{}",
                        if count == 1 { "" } else { "s" }
                    ));
                }
            }
            if parts.is_empty() {
                run.engine.to_string()
            } else {
                format!("{}: {}", run.engine, parts.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where the operations came from, when not all from a description:
/// ` (2 from recorded traffic, 4 from the code's routes: no API description)`.
fn operation_sources(c: &vibeguard_core::Coverage) -> String {
    let derived = c.operations_from_code + c.operations_from_traffic + c.operations_discovered;
    if derived == 0 {
        return String::new();
    }
    let described = c.operations_total.saturating_sub(derived);
    let parts: Vec<String> = [
        (described, "from the description"),
        (c.operations_from_traffic, "from recorded traffic"),
        (c.operations_from_code, "from the code's routes"),
        (c.operations_discovered, "discovered on the target"),
    ]
    .iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, source)| format!("{count} {source}"))
    .collect();
    format!(
        " ({}{})",
        parts.join(", "),
        if described == 0 {
            ": no API description"
        } else {
            ""
        }
    )
}

/// The message of the gate's outcome, e.g. `2 findings at or above high: FAIL`.
pub(crate) fn outcome_label(report: &Report) -> String {
    let gating = report.summary.gating;
    if report.fail_on.threshold().is_none() {
        return "gate disabled (--fail-on never): PASS".to_string();
    }
    if gating == 0 {
        format!("nothing at or above {}: PASS", report.fail_on)
    } else {
        format!(
            "{gating} finding{} at or above {}: FAIL",
            if gating == 1 { "" } else { "s" },
            report.fail_on
        )
    }
}

/// What did not run for lack of data, as one sentence for the summary, e.g. `not checked:
/// dependency advisories: no PyPI data — run `vibeguard db update``; `None` when everything
/// that applies ran.
pub(crate) fn unchecked_label(report: &Report) -> Option<String> {
    (!report.summary.unchecked.is_empty())
        .then(|| format!("not checked: {}", report.summary.unchecked.join("; ")))
}

/// Escapes text for HTML content and attribute values (`&#39;`: HTML 4 has no `&apos;`).
pub(crate) fn escape_html(text: &str) -> String {
    escape_markup(text, "&#39;")
}

/// Escapes text for XML content and attribute values with the five predefined entities only,
/// which every XML reader knows (some JUnit readers reject character references).
pub(crate) fn escape_xml(text: &str) -> String {
    escape_markup(text, "&apos;")
}

/// Escapes markup. Control characters XML 1.0 forbids are replaced, so a hostile response body
/// cannot make the file unreadable.
fn escape_markup(text: &str, apostrophe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apostrophe),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown (GitHub flavour) so nothing in it becomes a link, an image, HTML,
/// emphasis or a table cell break; line breaks become spaces so table rows stay whole.
pub(crate) fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '#' | '~' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for one Markdown table cell: what the message marks as code with backticks becomes a
/// code span (fenced with more backticks than it holds, so nothing inside can close it), the
/// rest is escaped. GitHub shows an escaped backtick literally, so escaping the message's own
/// code marks would print `\``. Code marks are read as CommonMark reads them: a run of
/// backticks opens a span that the next run of the same length closes; a run without a match
/// is text.
pub(crate) fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let fence = rest[open..].bytes().take_while(|b| *b == b'`').count();
        let after = &rest[open + fence..];
        match closing_run(after, fence) {
            Some(close) => {
                out.push_str(&escape_markdown(&rest[..open]));
                let code = &after[..close];
                // CommonMark strips one space from each side of a padded span.
                let code = if code.len() > 1 && code.starts_with(' ') && code.ends_with(' ') {
                    &code[1..code.len() - 1]
                } else {
                    code
                };
                out.push_str(&code_span(code));
                rest = &after[close + fence..];
            }
            None => {
                out.push_str(&escape_markdown(&rest[..open + fence]));
                rest = after;
            }
        }
    }
    out.push_str(&escape_markdown(rest));
    out
}

/// Where in `text` a run of exactly `length` backticks starts.
fn closing_run(text: &str, length: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'`' {
            let run = bytes[at..].iter().take_while(|b| **b == b'`').count();
            if run == length {
                return Some(at);
            }
            at += run;
        } else {
            at += 1;
        }
    }
    None
}

/// A Markdown code span holding `code` literally inside a table cell: the fence is one backtick
/// longer than the longest run of backticks in it, padded with a space where the code starts
/// or ends with a backtick or a space (CommonMark strips one such space from each side), and
/// `|` is escaped because GFM splits table cells before it reads code spans.
pub(crate) fn code_span(code: &str) -> String {
    let code = code.replace(['\n', '\r'], " ");
    let longest_run = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if code.starts_with(['`', ' ']) || code.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    let code = code.replace('|', "\\|");
    format!("{fence}{pad}{code}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_marks_become_code_spans_with_long_enough_fences() {
        assert_eq!(
            markdown_cell("use `WHERE id = ?` and [x](y)"),
            "use `WHERE id = ?` and \\[x\\]\\(y\\)"
        );
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a|b"), "`a\\|b`");
        // An unpaired backtick is text.
        assert_eq!(markdown_cell("it`s"), "it\\`s");
    }

    #[test]
    fn markup_escaping_neutralises_tags_and_control_characters() {
        assert_eq!(
            escape_html("<script>alert('x')</script>&\u{0}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\u{FFFD}"
        );
        assert_eq!(escape_xml("it's"), "it&apos;s");
    }

    #[test]
    fn markdown_escaping_neutralises_links_images_and_cells() {
        assert_eq!(
            escape_markdown("![x](http://e) | `a`\nb"),
            "\\!\\[x\\]\\(http://e\\) \\| \\`a\\` b"
        );
    }
}

/// Makes text safe to print on a terminal: control characters (ESC starting colour, cursor or
/// OSC sequences, BEL, backspace, carriage return) from a project or a target would otherwise
/// rewrite what the reader sees. They are shown as `\x1b`-style escapes; newlines and tabs stay.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_control(c) {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_unsafe_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod terminal_tests {
    use super::*;

    #[test]
    fn terminal_text_loses_escape_sequences_and_bidi_overrides() {
        assert_eq!(terminal_safe("ok\n\tfine"), "ok\n\tfine");
        assert_eq!(
            terminal_safe("\u{1b}]0;pwned\u{7}red"),
            "\\x1b]0;pwned\\x07red"
        );
        assert_eq!(terminal_safe("a\rb\u{202e}c"), "a\\x0db\\x202ec");
    }
}
