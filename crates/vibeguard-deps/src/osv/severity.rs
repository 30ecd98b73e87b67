//! How severe an advisory is: computed from its CVSS v3 or v4 vector (the FIRST base-score
//! formulas, through RustSec's `cvss` crate), else the database's own label (GitHub's
//! `CRITICAL`/`HIGH`/`MODERATE`/`LOW`), else unknown. A package-level score or label wins over the
//! record-level one, since it describes that package.

use std::str::FromStr;

use vibeguard_core::Severity;

use super::record::{Advisory, Affected, Score};

/// Where a severity came from, for the finding's evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum SeveritySource {
    /// A CVSS vector and its computed base score.
    Cvss {
        /// The vector string.
        vector: String,
        /// Base score 0.0–10.0.
        score: f64,
    },
    /// A label written by the database.
    Label(String),
    /// Nothing usable: the caller decides the default.
    Unknown,
}

/// The severity of one advisory for one package, and where it came from.
pub fn assess(advisory: &Advisory, entries: &[&Affected]) -> (Option<Severity>, SeveritySource) {
    let package_scores = entries.iter().flat_map(|entry| entry.severity.iter());
    if let Some(found) = best_cvss(package_scores) {
        return found;
    }
    if let Some(label) = entries
        .iter()
        .find_map(|entry| entry.severity_label.as_deref())
        && let Some(severity) = from_label(label)
    {
        return (Some(severity), SeveritySource::Label(label.to_string()));
    }
    if let Some(found) = best_cvss(advisory.severity.iter()) {
        return found;
    }
    if let Some(label) = advisory.severity_label.as_deref()
        && let Some(severity) = from_label(label)
    {
        return (Some(severity), SeveritySource::Label(label.to_string()));
    }
    (None, SeveritySource::Unknown)
}

/// The highest CVSS v4 or v3 base score among `scores` (v4 preferred when both are given,
/// as it is the newer assessment).
fn best_cvss<'a>(
    scores: impl Iterator<Item = &'a Score>,
) -> Option<(Option<Severity>, SeveritySource)> {
    let mut best: Option<(u8, f64, String)> = None;
    for score in scores {
        let rank = match score.kind.as_str() {
            "CVSS_V4" => 2,
            "CVSS_V3" => 1,
            _ => continue,
        };
        let Ok(vector) = cvss::Cvss::from_str(score.score.trim()) else {
            continue;
        };
        let value = vector.score();
        let better = best
            .as_ref()
            .is_none_or(|(best_rank, best_value, _)| (rank, value) > (*best_rank, *best_value));
        if better {
            best = Some((rank, value, score.score.trim().to_string()));
        }
    }
    best.map(|(_, score, vector)| {
        (
            Some(from_score(score)),
            SeveritySource::Cvss { vector, score },
        )
    })
}

/// The CVSS qualitative rating of a base score (v3.1 and v4.0 share the bands). A score of
/// 0.0 ("none") is reported as low rather than dropped: the advisory still names a flaw.
pub fn from_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

/// A database label (`CRITICAL`, `HIGH`, `MODERATE`/`MEDIUM`, `LOW`); Go's and Ubuntu's
/// words are accepted too.
pub fn from_label(label: &str) -> Option<Severity> {
    Some(match label.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" | "IMPORTANT" => Severity::High,
        "MODERATE" | "MEDIUM" => Severity::Medium,
        "LOW" | "NEGLIGIBLE" => Severity::Low,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(scores: &[(&str, &str)], label: Option<&str>) -> Advisory {
        Advisory {
            id: "GHSA-test".into(),
            aliases: Vec::new(),
            summary: String::new(),
            details: String::new(),
            severity: scores
                .iter()
                .map(|(kind, score)| Score {
                    kind: kind.to_string(),
                    score: score.to_string(),
                })
                .collect(),
            severity_label: label.map(str::to_string),
            informational: None,
            published: None,
            modified: "x".into(),
            references: Vec::new(),
            affected: Vec::new(),
        }
    }

    #[test]
    fn computes_cvss_v3_and_v4_base_scores() {
        // 9.8 in the FIRST v3.1 calculator.
        let (severity, source) = assess(
            &advisory(
                &[("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")],
                None,
            ),
            &[],
        );
        assert_eq!(severity, Some(Severity::Critical));
        assert!(matches!(source, SeveritySource::Cvss { score, .. } if (score - 9.8).abs() < 1e-9));
        // 6.1 (medium) in the v3.1 specification's examples.
        let (severity, _) = assess(
            &advisory(
                &[("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")],
                None,
            ),
            &[],
        );
        assert_eq!(severity, Some(Severity::Medium));
        // 9.3 in the FIRST v4.0 calculator; v4 wins over the v3 vector.
        let (severity, source) = assess(
            &advisory(
                &[
                    ("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"),
                    (
                        "CVSS_V4",
                        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                    ),
                ],
                None,
            ),
            &[],
        );
        assert_eq!(severity, Some(Severity::Critical));
        assert!(matches!(source, SeveritySource::Cvss { score, .. } if (score - 9.3).abs() < 1e-9));
    }

    #[test]
    fn falls_back_to_labels_then_unknown() {
        let (severity, source) =
            assess(&advisory(&[("CVSS_V3", "garbage")], Some("MODERATE")), &[]);
        assert_eq!(severity, Some(Severity::Medium));
        assert_eq!(source, SeveritySource::Label("MODERATE".into()));
        assert_eq!(
            assess(&advisory(&[], None), &[]),
            (None, SeveritySource::Unknown)
        );
        assert_eq!(from_label("unknown"), None);
        assert_eq!(from_score(0.0), Severity::Low);
        assert_eq!(from_score(7.0), Severity::High);
    }
}
