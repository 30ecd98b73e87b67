//! Inline suppressions: `vibeguard-ignore[CODE]: reason` in a comment on the line above a
//! finding (or at the end of the finding's own line).
//!
//! Any comment syntax works (`//`, `#`, `/* */`, `<!-- -->`, `--`) because only the marker is
//! looked for. Several rules are separated by commas and may be given by code or name. A
//! suppression without a reason still suppresses, since the intent is clear, but it is itself
//! reported (VG001) so a reviewer sees an unexplained exception.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::confidence::Confidence;
use crate::engine::EngineId;
use crate::evidence::{CodeFrame, Evidence};
use crate::finding::{Finding, FindingState};
use crate::location::{Location, Span};
use crate::rule::{RuleDocs, RuleMeta};
use crate::severity::Severity;

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

/// Parses the suppression comment on `line`, if there is one.
pub fn parse(line: &str) -> Option<Suppression> {
    let start = line.find(MARKER)?;
    let after_marker = &line[start + MARKER.len()..];
    let close = after_marker.find(']')?;
    let rules: Vec<String> = after_marker[..close]
        .split(',')
        .map(|rule| rule.trim().to_string())
        .filter(|rule| !rule.is_empty())
        .collect();
    if rules.is_empty() {
        return None;
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
    let column = u32::try_from(line[..start].chars().count() + 1).unwrap_or(u32::MAX);
    Some(Suppression {
        rules,
        reason,
        column,
    })
}

/// Marks findings covered by a suppression comment as suppressed, and appends a VG001 finding
/// for each suppression without a reason that was used. `read_file` returns the text of a
/// project file (relative path), or `None` when it cannot be read.
pub fn apply(findings: &mut Vec<Finding>, mut read_file: impl FnMut(&str) -> Option<String>) {
    let mut texts: HashMap<String, Option<Vec<String>>> = HashMap::new();
    let mut unexplained: HashSet<(String, u32)> = HashSet::new();
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

        // The finding's own line first (trailing comment), then the line above.
        let candidates = [span.start_line, span.start_line.saturating_sub(1)];
        let Some((line_number, suppression)) = candidates
            .into_iter()
            .filter(|number| *number >= 1)
            .filter_map(|number| {
                let line = lines.get(number as usize - 1)?;
                parse(line).map(|suppression| (number, suppression))
            })
            .find(|(_, suppression)| suppression.covers(finding))
        else {
            continue;
        };

        finding.state = FindingState::Suppressed {
            reason: suppression.reason.clone().unwrap_or_default(),
        };
        if suppression.reason.is_none() && unexplained.insert((path.clone(), line_number)) {
            let line_text = &lines[line_number as usize - 1];
            let span = Span::line(
                line_number,
                suppression.column,
                u32::try_from(line_text.chars().count() + 1).unwrap_or(u32::MAX),
            );
            let location = Location::Source {
                path: path.clone(),
                span: Some(span),
            };
            let frame = CodeFrame::excerpt(&path, &lines.join("\n"), span, 1);
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
}
