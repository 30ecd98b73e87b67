//! Inline suppressions: `vibeguard-ignore[CODE]: reason` at the end of a finding's own line, or
//! in a comment that stands alone on the line above it.
//!
//! Any comment syntax works (`//`, `#`, `/* */`, `<!-- -->`, `--`) because only the marker is
//! looked for. Several rules are separated by commas and may be given by code or name. A
//! suppression without a reason still suppresses, since the intent is clear, but it is itself
//! reported (VG001) so a reviewer sees an unexplained exception. A marker without a rule
//! (`vibeguard-ignore` alone, `vibeguard-ignore[]`, an unclosed bracket) suppresses nothing and
//! is reported (VG002) where it would have covered a finding: silence is never the answer to a
//! comment vibeguard cannot read.
//!
//! A comment at the end of a line of code covers that line only: `query(sql) // vibeguard-ignore[VG101]: ok`
//! says nothing about the line below it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::confidence::Confidence;
use crate::engine::EngineId;
use crate::evidence::{CodeFrame, Evidence};
use crate::finding::{Finding, FindingState};
use crate::location::{Location, Span};
use crate::rule::{RuleDocs, RuleMeta};
use crate::severity::Severity;

/// The word every suppression starts with.
const WORD: &str = "vibeguard-ignore";
const MARKER: &str = "vibeguard-ignore[";

/// VG001: a suppression comment that gives no reason.
pub static SUPPRESSION_WITHOUT_REASON: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG001"),
    name: Cow::Borrowed("suppression-without-reason"),
    engine: EngineId::Core,
    summary: Cow::Borrowed("A vibeguard-ignore comment suppresses a finding without saying why"),
    severity: Severity::Low,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A `vibeguard-ignore[CODE]` comment with nothing after the closing bracket. The finding it \
             covers is still suppressed; this finding records that nobody explained why.",
        ),
        why: Cow::Borrowed(
            "A suppression is a security decision. Without a reason, a reviewer cannot tell an \
             accepted risk from a silenced warning, and an assistant asked to \"make the scan \
             pass\" writes exactly such comments.",
        ),
        example_bad: Cow::Borrowed("// vibeguard-ignore[VG101]\ndb.query(sql)"),
        example_fixed: Cow::Borrowed(
            "// vibeguard-ignore[VG101]: sql is a constant built from the allowlist above\ndb.query(sql)",
        ),
        fix: Cow::Borrowed(
            "Write the reason after a colon: `vibeguard-ignore[CODE]: why this is safe`, or fix \
             the finding and remove the comment.",
        ),
        references: Cow::Borrowed(&[]),
    },
};

/// VG002: a suppression comment vibeguard cannot read (no rule named), which suppresses nothing.
pub static MALFORMED_SUPPRESSION: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG002"),
    name: Cow::Borrowed("malformed-suppression"),
    engine: EngineId::Core,
    summary: Cow::Borrowed("A vibeguard-ignore comment names no rule, so it suppresses nothing"),
    severity: Severity::Low,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A `vibeguard-ignore` comment next to a finding that does not name the rule it \
             suppresses: the bare word, empty brackets `vibeguard-ignore[]`, or a bracket that \
             never closes. The finding stays reported; this finding points at the comment.",
        ),
        why: Cow::Borrowed(
            "Whoever wrote the comment meant to silence something, and believes it is silenced. \
             Suppressing every rule on the line would hide findings nobody reviewed; ignoring \
             the comment without a word would leave its author puzzled. Naming the rule makes the \
             exception exact and reviewable.",
        ),
        example_bad: Cow::Borrowed("db.query(sql) // vibeguard-ignore"),
        example_fixed: Cow::Borrowed(
            "db.query(sql) // vibeguard-ignore[VG101]: sql is built from the allowlist above",
        ),
        fix: Cow::Borrowed(
            "Name the rule in brackets and give the reason after a colon: \
             `vibeguard-ignore[CODE]: why this is safe` (`vibeguard explain CODE` shows what the \
             rule finds), or fix the finding and remove the comment.",
        ),
        references: Cow::Borrowed(&[]),
    },
};

/// A parsed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Rule codes or names it covers.
    pub rules: Vec<String>,
    /// The reason, when one is written.
    pub reason: Option<String>,
    /// 1-based column of the marker.
    pub column: u32,
}

impl Suppression {
    /// Whether it covers `finding`'s rule.
    pub fn covers(&self, finding: &Finding) -> bool {
        self.rules
            .iter()
            .any(|rule| rule.eq_ignore_ascii_case(&finding.code) || *rule == finding.name)
    }
}

/// Parses the suppression comment on `line`, if there is one that names a rule.
pub fn parse(line: &str) -> Option<Suppression> {
    match read_marker(line)? {
        Marker::Valid(suppression) => Some(suppression),
        Marker::Malformed { .. } => None,
    }
}

/// What a `vibeguard-ignore` comment on a line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// A suppression naming its rules.
    Valid(Suppression),
    /// The word without a readable rule list: it suppresses nothing.
    Malformed {
        /// 1-based column of the word.
        column: u32,
    },
}

/// Reads the first `vibeguard-ignore` comment on `line`, readable or not.
pub fn read_marker(line: &str) -> Option<Marker> {
    let start = line.find(WORD)?;
    let column = u32::try_from(line[..start].chars().count() + 1).unwrap_or(u32::MAX);
    let Some(after_marker) = line[start..].strip_prefix(MARKER) else {
        return Some(Marker::Malformed { column });
    };
    let Some(close) = after_marker.find(']') else {
        return Some(Marker::Malformed { column });
    };
    let rules: Vec<String> = after_marker[..close]
        .split(',')
        .map(|rule| rule.trim().to_string())
        .filter(|rule| !rule.is_empty())
        .collect();
    if rules.is_empty() {
        return Some(Marker::Malformed { column });
    }
    let rest = after_marker[close + 1..].trim_start();
    let reason = rest
        .strip_prefix(':')
        .map(|reason| {
            reason
                .trim()
                .trim_end_matches("*/")
                .trim_end_matches("-->")
                .trim_end_matches("#}")
                .trim()
                .to_string()
        })
        .filter(|reason| !reason.is_empty());
    Some(Marker::Valid(Suppression {
        rules,
        reason,
        column,
    }))
}

/// Whether the comment holding the marker is alone on its line (only comment punctuation
/// before it), so that it speaks for the line below; a comment after code speaks for its own
/// line only.
fn stands_alone(line: &str) -> bool {
    let Some(start) = line.find(WORD) else {
        return false;
    };
    line[..start]
        .chars()
        .all(|c| c.is_whitespace() || "/#*!<-{;%'\"".contains(c))
}

/// The marker on line `number` that can speak for a finding on `finding_line`: any marker on
/// the finding's own line, a comment standing alone on the line above.
fn marker_for(lines: &[String], number: u32, finding_line: u32) -> Option<Marker> {
    let line = lines.get((number as usize).checked_sub(1)?)?;
    if number != finding_line && !stands_alone(line) {
        return None;
    }
    read_marker(line)
}

/// Marks findings covered by a suppression comment as suppressed, and appends a VG001 finding
/// for each suppression without a reason that was used and a VG002 finding for each unreadable
/// suppression next to a finding (that finding stays active). `read_file` returns the text of a
/// project file (relative path), or `None` when it cannot be read.
pub fn apply(findings: &mut Vec<Finding>, mut read_file: impl FnMut(&str) -> Option<String>) {
    let mut texts: HashMap<String, Option<Vec<String>>> = HashMap::new();
    let mut noted: HashSet<(String, u32)> = HashSet::new();
    let mut reported: Vec<Finding> = Vec::new();

    for finding in findings.iter_mut() {
        let (Some(path), Some(span)) = (finding.location.file(), finding.location.span()) else {
            continue;
        };
        let path = path.to_string();
        let lines = texts.entry(path.clone()).or_insert_with(|| {
            read_file(&path).map(|text| text.lines().map(str::to_string).collect())
        });
        let Some(lines) = lines else { continue };

        // The finding's own line first (trailing comment), then a lone comment above it; a
        // marker for other rules does not stop the search.
        let own_or_above = [Some(span.start_line), span.start_line.checked_sub(1)];
        let mut found: Option<(u32, Marker)> = None;
        for line_number in own_or_above.into_iter().flatten().filter(|n| *n >= 1) {
            let Some(marker) = marker_for(lines, line_number, span.start_line) else {
                continue;
            };
            let relevant = match &marker {
                Marker::Valid(suppression) => suppression.covers(finding),
                Marker::Malformed { .. } => true,
            };
            if relevant {
                found = Some((line_number, marker));
                break;
            }
        }
        let Some((line_number, marker)) = found else {
            continue;
        };
        let line_text = &lines[line_number as usize - 1];
        let comment_location = |column: u32| {
            let span = Span::line(
                line_number,
                column,
                u32::try_from(line_text.chars().count() + 1).unwrap_or(u32::MAX),
            );
            (
                Location::Source {
                    path: path.clone(),
                    span: Some(span),
                },
                CodeFrame::excerpt(&path, &lines.join("\n"), span, 1),
            )
        };
        match marker {
            Marker::Valid(suppression) => {
                finding.state = FindingState::Suppressed {
                    reason: suppression.reason.clone().unwrap_or_default(),
                };
                if suppression.reason.is_none() && noted.insert((path.clone(), line_number)) {
                    let (location, frame) = comment_location(suppression.column);
                    reported.push(
                        Finding::new(
                            &SUPPRESSION_WITHOUT_REASON,
                            location,
                            format!(
                                "`vibeguard-ignore[{}]` suppresses {} without a reason",
                                suppression.rules.join(","),
                                finding.code
                            ),
                            line_text.trim(),
                        )
                        .with_evidence(Evidence::Code(frame)),
                    );
                }
            }
            Marker::Malformed { column } => {
                if noted.insert((path.clone(), line_number)) {
                    let (location, frame) = comment_location(column);
                    reported.push(
                        Finding::new(
                            &MALFORMED_SUPPRESSION,
                            location,
                            format!(
                                "this `vibeguard-ignore` names no rule, so {} {} next to it is \
                                 still reported; write `vibeguard-ignore[{}]: reason`",
                                finding.code, finding.name, finding.code
                            ),
                            line_text.trim(),
                        )
                        .with_evidence(Evidence::Code(frame)),
                    );
                }
            }
        }
    }
    findings.extend(reported);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding_at(line: u32) -> Finding {
        let location = Location::Source {
            path: "requirements.txt".into(),
            span: Some(Span::line(line, 1, 10)),
        };
        Finding::new(&SUPPRESSION_WITHOUT_REASON, location, "x", "x")
    }

    #[test]
    fn parses_codes_and_reason_in_any_comment_syntax() {
        let parsed =
            parse("  # vibeguard-ignore[VG302, unpinned-dependency]: internal mirror pins it")
                .expect("parses");
        assert_eq!(parsed.rules, vec!["VG302", "unpinned-dependency"]);
        assert_eq!(parsed.reason.as_deref(), Some("internal mirror pins it"));
        assert_eq!(parsed.column, 5);
        let html = parse("<!-- vibeguard-ignore[VG1]: ok -->").expect("parses");
        assert_eq!(html.reason.as_deref(), Some("ok"));
        assert_eq!(
            parse("/* vibeguard-ignore[VG1] */").expect("parses").reason,
            None
        );
        assert_eq!(parse("vibeguard-ignore[]: nothing"), None);
        assert_eq!(parse("no marker here"), None);
    }

    #[test]
    fn suppresses_from_the_line_above_or_the_same_line_only() {
        let text = "# vibeguard-ignore[VG001]: accepted\nflask\nother\nrequests # vibeguard-ignore[VG001]: ok\n\n# vibeguard-ignore[VG001]: too far\n\nnumpy";
        let mut findings = vec![finding_at(2), finding_at(3), finding_at(4), finding_at(8)];
        apply(&mut findings, |_| Some(text.to_string()));
        let states: Vec<bool> = findings.iter().map(|f| f.is_active()).collect();
        assert_eq!(states, vec![false, true, false, true]);
        assert_eq!(
            findings[0].state,
            FindingState::Suppressed {
                reason: "accepted".into()
            }
        );
    }

    #[test]
    fn a_suppression_without_reason_is_reported_once() {
        let text = "# vibeguard-ignore[VG001]\nflask";
        let mut findings = vec![finding_at(2)];
        apply(&mut findings, |_| Some(text.to_string()));
        assert_eq!(findings.len(), 2);
        assert!(!findings[0].is_active());
        assert_eq!(findings[1].code, "VG001");
        assert!(findings[1].is_active());
        assert_eq!(findings[1].location.span().map(|s| s.start_line), Some(1));
    }

    #[test]
    fn a_trailing_comment_covers_its_own_line_and_not_the_next() {
        let text = "a = query(x)  # vibeguard-ignore[VG001]: reviewed\nb = query(y)\n  // vibeguard-ignore[VG001]: lone\nc\n{/* vibeguard-ignore[VG001]: jsx */}\nd";
        let mut findings = vec![finding_at(1), finding_at(2), finding_at(4), finding_at(6)];
        apply(&mut findings, |_| Some(text.to_string()));
        let active: Vec<bool> = findings.iter().map(|f| f.is_active()).collect();
        assert_eq!(active, vec![false, true, false, false]);
    }

    #[test]
    fn a_marker_without_a_rule_suppresses_nothing_and_is_reported() {
        for marker in [
            "# vibeguard-ignore",
            "# vibeguard-ignore: looks fine",
            "# vibeguard-ignore[]: empty",
            "# vibeguard-ignore[VG001: unclosed",
        ] {
            let text = format!("{marker}\nflask\nrequests {marker}\nnumpy");
            let mut findings = vec![finding_at(2), finding_at(3), finding_at(4)];
            apply(&mut findings, |_| Some(text.clone()));
            assert!(
                findings[..3].iter().all(Finding::is_active),
                "`{marker}` suppressed something"
            );
            let malformed: Vec<u32> = findings
                .iter()
                .filter(|f| f.code == "VG002")
                .filter_map(|f| f.location.span().map(|s| s.start_line))
                .collect();
            // Line 1 covers line 2, line 3 covers itself; line 4 has no comment of its own and
            // line 3's trailing comment does not reach it.
            assert_eq!(malformed, vec![1, 3], "`{marker}`");
        }
    }

    #[test]
    fn markers_are_read_with_their_columns() {
        assert_eq!(
            read_marker("x = 1 # vibeguard-ignore"),
            Some(Marker::Malformed { column: 9 })
        );
        assert!(matches!(
            read_marker("// vibeguard-ignore[VG101]: ok"),
            Some(Marker::Valid(_))
        ));
        assert_eq!(read_marker("nothing to see"), None);
        assert!(stands_alone("    <!-- vibeguard-ignore[VG1]: ok -->"));
        assert!(!stands_alone("foo(); // vibeguard-ignore[VG1]: ok"));
    }
}
