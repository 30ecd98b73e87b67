//! What a rule says about itself: its code, name, defaults, classification and documentation.
//!
//! Every rule, check and scenario assertion is described by one [`RuleMeta`]. The same text
//! feeds `vibeguard explain`, `vibeguard rules`, SARIF `rules[].help`, the HTML report and the
//! generated `docs/rules.md`, so it is written once, next to the rule's logic.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::checklist::ChecklistId;
use crate::confidence::Confidence;
use crate::engine::EngineId;
use crate::owasp::OwaspApi;
use crate::severity::Severity;

/// Text that is usually a `'static` literal in a rule file but can be owned after being read
/// back from a JSON report.
pub type Text = Cow<'static, str>;

/// The four-part documentation of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDocs {
    /// What the rule finds, in a few sentences.
    pub what: Text,
    /// Why it matters: what an attacker does with it.
    pub why: Text,
    /// A short example of the flaw.
    pub example_bad: Text,
    /// The same example, fixed.
    pub example_fixed: Text,
    /// How to fix it, in a few sentences (also the default fix of each finding).
    pub fix: Text,
    /// Links to standards, CWE entries and vendor docs.
    pub references: Cow<'static, [Text]>,
}

/// The metadata of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Stable code, never reused: `VG1xx` code, `VG2xx` secrets, `VG3xx` dependencies and
    /// hygiene, `VG4xx` API, `VG0xx` vibeguard itself.
    pub code: Text,
    /// Kebab-case name of the flaw, e.g. `missing-lockfile`.
    pub name: Text,
    /// The engine that runs it.
    pub engine: EngineId,
    /// One line: the flaw in plain words.
    pub summary: Text,
    /// Default severity of its findings.
    pub severity: Severity,
    /// Default confidence of its findings.
    pub confidence: Confidence,
    /// CWE ids, e.g. `[89]` for SQL injection.
    pub cwe: Cow<'static, [u32]>,
    /// OWASP API Security Top 10 (2023) category, for API checks.
    pub owasp_api: Option<OwaspApi>,
    /// The checklist items it verifies.
    pub checklist: Cow<'static, [ChecklistId]>,
    /// Its documentation.
    pub docs: RuleDocs,
}

impl RuleMeta {
    /// Whether `code_or_name` names this rule (code case-insensitively, or its name).
    pub fn is_named(&self, code_or_name: &str) -> bool {
        let wanted = code_or_name.trim();
        self.code.eq_ignore_ascii_case(wanted) || self.name == wanted
    }
}

/// Finds the rule a user means by `code_or_name` among `rules`.
pub fn find<'a>(rules: &'a [RuleMeta], code_or_name: &str) -> Option<&'a RuleMeta> {
    rules.iter().find(|rule| rule.is_named(code_or_name))
}

/// Suggests the closest rule code or name to a mistyped one, for error messages.
pub fn closest<'a>(rules: &'a [RuleMeta], wanted: &str) -> Option<&'a RuleMeta> {
    let wanted = wanted.to_ascii_lowercase();
    rules
        .iter()
        .map(|rule| {
            let distance = edit_distance(&wanted, &rule.code.to_ascii_lowercase())
                .min(edit_distance(&wanted, &rule.name));
            (distance, rule)
        })
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, rule)| rule)
}

/// Levenshtein distance between two short strings (rule codes, config keys).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("vg301", "vg301"), 0);
        assert_eq!(edit_distance("vg31", "vg301"), 1);
        assert_eq!(edit_distance("fail_on", "fial_on"), 2);
    }
}
