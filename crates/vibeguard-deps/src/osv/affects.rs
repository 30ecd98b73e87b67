//! Whether a version is affected, exactly as the OSV schema's evaluation pseudocode says
//! (`IsVulnerable`): listed in `versions`, or inside a range whose events, sorted by the
//! ecosystem's own version order, leave it vulnerable — `introduced` opens a window, `fixed`
//! closes it at that version, `last_affected` closes it after that version, and `limit` events
//! bound the whole range. Several windows per range and several ranges per package are allowed.
//!
//! Every comparison goes through [`EcosystemVersion`]; an event version its ecosystem cannot
//! read makes that range undecidable, which the caller reports instead of guessing.

use std::cmp::Ordering;

use super::record::{Affected, Event};
use crate::ecosystem::Ecosystem;
use crate::versions::EcosystemVersion;

/// The outcome of evaluating one version against one advisory's entry for a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The version has the vulnerability.
    Affected,
    /// It does not.
    NotAffected,
    /// A range could not be evaluated (an event version the ecosystem cannot read), and
    /// nothing else says the version is affected.
    Undecidable(String),
}

/// A point on a range's axis: `introduced: "0"` lies before every version.
#[derive(Debug, Clone)]
enum Point {
    Zero,
    At(EcosystemVersion),
}

impl Point {
    fn compare(&self, other: &Point) -> Ordering {
        match (self, other) {
            (Point::Zero, Point::Zero) => Ordering::Equal,
            (Point::Zero, Point::At(_)) => Ordering::Less,
            (Point::At(_), Point::Zero) => Ordering::Greater,
            (Point::At(a), Point::At(b)) => a.compare(b).unwrap_or(Ordering::Equal),
        }
    }

    /// `version` compared with this point.
    fn version_vs(&self, version: &EcosystemVersion) -> Ordering {
        match self {
            Point::Zero => Ordering::Greater,
            Point::At(point) => version.compare(point).unwrap_or(Ordering::Equal),
        }
    }
}

/// Evaluates `version` of a package of `ecosystem` against one advisory's `affected` entry.
pub fn evaluate(ecosystem: Ecosystem, affected: &Affected, version: &EcosystemVersion) -> Verdict {
    if in_versions_list(ecosystem, affected, version) {
        return Verdict::Affected;
    }
    let mut undecidable = None;
    for range in &affected.ranges {
        match in_range(ecosystem, &range.events, version) {
            Ok(true) => return Verdict::Affected,
            Ok(false) => {}
            Err(reason) => undecidable = Some(reason),
        }
    }
    match undecidable {
        Some(reason) => Verdict::Undecidable(reason),
        None => Verdict::NotAffected,
    }
}

/// `IncludedInVersions`: the spec compares strings; versions that parse compare by the
/// ecosystem's equality too, so PyPI's `1.0` matches a listed `1.0.0`.
fn in_versions_list(ecosystem: Ecosystem, affected: &Affected, version: &EcosystemVersion) -> bool {
    let text = version.to_string();
    affected.versions.iter().any(|listed| {
        listed == &text
            || EcosystemVersion::parse(ecosystem, listed)
                .is_some_and(|listed| listed.compare(version) == Some(Ordering::Equal))
    })
}

fn parse_point(ecosystem: Ecosystem, text: &str) -> Result<Point, String> {
    if text == "0" {
        return Ok(Point::Zero);
    }
    EcosystemVersion::parse(ecosystem, text)
        .map(Point::At)
        .ok_or_else(|| format!("`{text}` is not a {ecosystem} version"))
}

/// `BeforeLimits` and the event walk of `IncludedInRanges` for one range.
fn in_range(
    ecosystem: Ecosystem,
    events: &[Event],
    version: &EcosystemVersion,
) -> Result<bool, String> {
    let mut points: Vec<(&Event, Point)> = Vec::with_capacity(events.len());
    for event in events {
        points.push((event, parse_point(ecosystem, event.version())?));
    }
    let limits: Vec<&Point> = points
        .iter()
        .filter(|(event, _)| matches!(event, Event::Limit(_)))
        .map(|(_, point)| point)
        .collect();
    if !limits.is_empty()
        && !limits
            .iter()
            .any(|limit| limit.version_vs(version) == Ordering::Less)
    {
        return Ok(false);
    }
    // A stable sort keeps the record's order for events at the same version.
    points.sort_by(|(_, a), (_, b)| a.compare(b));
    let mut vulnerable = false;
    for (event, point) in &points {
        let position = point.version_vs(version);
        match event {
            Event::Introduced(_) if position != Ordering::Less => vulnerable = true,
            Event::Fixed(_) if position != Ordering::Less => vulnerable = false,
            Event::LastAffected(_) if position == Ordering::Greater => vulnerable = false,
            _ => {}
        }
    }
    Ok(vulnerable)
}

/// Every `fixed` version the entries name, in ascending order, without duplicates.
pub fn fixed_versions(ecosystem: Ecosystem, entries: &[&Affected]) -> Vec<String> {
    let mut fixed: Vec<(EcosystemVersion, String)> = entries
        .iter()
        .flat_map(|entry| entry.ranges.iter())
        .flat_map(|range| range.events.iter())
        .filter_map(|event| match event {
            Event::Fixed(text) => {
                EcosystemVersion::parse(ecosystem, text).map(|v| (v, text.clone()))
            }
            _ => None,
        })
        .collect();
    fixed.sort_by(|(a, _), (b, _)| a.compare(b).unwrap_or(Ordering::Equal));
    fixed.dedup_by(|(a, _), (b, _)| a.compare(b) == Some(Ordering::Equal));
    fixed.into_iter().map(|(_, text)| text).collect()
}

/// The smallest version above `current` that none of `entries` affects, among the versions the
/// advisories name as fixes. A stable release is preferred over a prerelease unless `current`
/// is itself a prerelease.
pub fn smallest_fix(
    ecosystem: Ecosystem,
    entries: &[&Affected],
    current: &EcosystemVersion,
) -> Option<String> {
    let candidates: Vec<String> = fixed_versions(ecosystem, entries)
        .into_iter()
        .filter(|text| {
            EcosystemVersion::parse(ecosystem, text)
                .is_some_and(|v| v.compare(current) == Some(Ordering::Greater))
        })
        .collect();
    let clean = |text: &String| {
        EcosystemVersion::parse(ecosystem, text).is_some_and(|candidate| {
            entries
                .iter()
                .all(|entry| evaluate(ecosystem, entry, &candidate) == Verdict::NotAffected)
        })
    };
    let is_stable = |text: &String| {
        EcosystemVersion::parse(ecosystem, text).is_some_and(|v| !v.is_prerelease())
    };
    if !current.is_prerelease()
        && let Some(stable) = candidates
            .iter()
            .filter(|t| is_stable(t))
            .find(|t| clean(t))
    {
        return Some(stable.clone());
    }
    candidates.into_iter().find(|t| clean(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::record::Range;

    fn entry(ranges: &[&[(&str, &str)]], versions: &[&str]) -> Affected {
        Affected {
            name: "pkg".into(),
            release: None,
            ranges: ranges
                .iter()
                .map(|events| Range {
                    kind: "ECOSYSTEM".into(),
                    events: events
                        .iter()
                        .map(|(kind, version)| {
                            let version = version.to_string();
                            match *kind {
                                "introduced" => Event::Introduced(version),
                                "fixed" => Event::Fixed(version),
                                "last_affected" => Event::LastAffected(version),
                                _ => Event::Limit(version),
                            }
                        })
                        .collect(),
                })
                .collect(),
            versions: versions.iter().map(|v| v.to_string()).collect(),
            severity: Vec::new(),
            severity_label: None,
        }
    }

    fn verdict(ecosystem: Ecosystem, affected: &Affected, version: &str) -> Verdict {
        let version = EcosystemVersion::parse(ecosystem, version).expect("version parses");
        evaluate(ecosystem, affected, &version)
    }

    #[test]
    fn several_windows_in_one_range_written_out_of_order() {
        // The schema's "multiple range" example, with events not in version order.
        let affected = entry(
            &[&[
                ("introduced", "3.0.0"),
                ("fixed", "1.0.2"),
                ("introduced", "1.0.0"),
                ("fixed", "3.2.5"),
            ]],
            &[],
        );
        for (version, expected) in [
            ("0.9.9", Verdict::NotAffected),
            ("1.0.0", Verdict::Affected),
            ("1.0.1", Verdict::Affected),
            ("1.0.2", Verdict::NotAffected),
            ("2.9.9", Verdict::NotAffected),
            ("3.0.0", Verdict::Affected),
            ("3.2.4", Verdict::Affected),
            ("3.2.5", Verdict::NotAffected),
            ("4.0.0", Verdict::NotAffected),
        ] {
            assert_eq!(
                verdict(Ecosystem::Npm, &affected, version),
                expected,
                "{version}"
            );
        }
    }

    #[test]
    fn last_affected_includes_its_version_and_limit_bounds_the_range() {
        let affected = entry(&[&[("introduced", "0"), ("last_affected", "2.1.214")]], &[]);
        assert_eq!(
            verdict(Ecosystem::Npm, &affected, "2.1.214"),
            Verdict::Affected
        );
        assert_eq!(
            verdict(Ecosystem::Npm, &affected, "2.1.215"),
            Verdict::NotAffected
        );
        let limited = entry(&[&[("introduced", "1.0.0"), ("limit", "1.5.0")]], &[]);
        assert_eq!(
            verdict(Ecosystem::Npm, &limited, "1.4.9"),
            Verdict::Affected
        );
        assert_eq!(
            verdict(Ecosystem::Npm, &limited, "1.5.0"),
            Verdict::NotAffected
        );
        assert_eq!(
            verdict(Ecosystem::Npm, &limited, "0.9.0"),
            Verdict::NotAffected
        );
    }

    #[test]
    fn prereleases_follow_semver_precedence() {
        let affected = entry(&[&[("introduced", "0"), ("fixed", "2.0.0-rc.2")]], &[]);
        assert_eq!(
            verdict(Ecosystem::Npm, &affected, "2.0.0-rc.1"),
            Verdict::Affected
        );
        assert_eq!(
            verdict(Ecosystem::Npm, &affected, "2.0.0-beta.9"),
            Verdict::Affected
        );
        assert_eq!(
            verdict(Ecosystem::Npm, &affected, "2.0.0-rc.2"),
            Verdict::NotAffected
        );
        assert_eq!(
            verdict(Ecosystem::Npm, &affected, "2.0.0"),
            Verdict::NotAffected
        );
    }

    #[test]
    fn pep440_listed_versions_and_ranges() {
        let affected = entry(
            &[&[("introduced", "1.0"), ("fixed", "1.2.post1")]],
            &["0.9"],
        );
        assert_eq!(
            verdict(Ecosystem::PyPI, &affected, "0.9.0"),
            Verdict::Affected
        );
        assert_eq!(
            verdict(Ecosystem::PyPI, &affected, "1.2"),
            Verdict::Affected
        );
        assert_eq!(
            verdict(Ecosystem::PyPI, &affected, "1.2.post1"),
            Verdict::NotAffected
        );
        assert_eq!(
            verdict(Ecosystem::PyPI, &affected, "1.0rc1"),
            Verdict::NotAffected
        );
        assert_eq!(
            verdict(Ecosystem::PyPI, &affected, "1!0.5"),
            Verdict::NotAffected
        );
    }

    #[test]
    fn go_pseudo_versions_fall_inside_windows() {
        let affected = entry(&[&[("introduced", "0"), ("fixed", "0.17.0")]], &[]);
        assert_eq!(
            verdict(
                Ecosystem::Go,
                &affected,
                "v0.0.0-20220722155237-a158d28d115b"
            ),
            Verdict::Affected
        );
        assert_eq!(
            verdict(Ecosystem::Go, &affected, "v0.17.0"),
            Verdict::NotAffected
        );
    }

    #[test]
    fn unreadable_event_versions_are_undecidable_not_clean() {
        let affected = entry(&[&[("introduced", "0"), ("fixed", "not-a-version")]], &[]);
        assert!(matches!(
            verdict(Ecosystem::Npm, &affected, "1.0.0"),
            Verdict::Undecidable(_)
        ));
        // A listed version still decides.
        let listed = entry(&[&[("introduced", "0"), ("fixed", "nope")]], &["1.0.0"]);
        assert_eq!(verdict(Ecosystem::Npm, &listed, "1.0.0"), Verdict::Affected);
    }

    #[test]
    fn smallest_fix_skips_fixes_that_another_window_reopens() {
        let affected = entry(
            &[
                &[("introduced", "0"), ("fixed", "1.2.0")],
                &[("introduced", "1.2.0"), ("fixed", "1.3.1")],
                &[("introduced", "2.0.0-alpha.1"), ("fixed", "2.0.0-beta.1")],
            ],
            &[],
        );
        let current = EcosystemVersion::parse(Ecosystem::Npm, "1.1.0").expect("parses");
        assert_eq!(
            smallest_fix(Ecosystem::Npm, &[&affected], &current),
            Some("1.3.1".to_string())
        );
        assert_eq!(
            fixed_versions(Ecosystem::Npm, &[&affected]),
            vec!["1.2.0", "1.3.1", "2.0.0-beta.1"]
        );
        let unfixed = entry(&[&[("introduced", "0")]], &[]);
        assert_eq!(smallest_fix(Ecosystem::Npm, &[&unfixed], &current), None);
    }

    #[test]
    fn smallest_fix_prefers_a_stable_release() {
        let affected = entry(
            &[
                &[("introduced", "0"), ("fixed", "2.0.0-rc.1")],
                &[("introduced", "2.0.0"), ("fixed", "2.0.1")],
            ],
            &[],
        );
        let stable = EcosystemVersion::parse(Ecosystem::Npm, "1.9.0").expect("parses");
        assert_eq!(
            smallest_fix(Ecosystem::Npm, &[&affected], &stable),
            Some("2.0.1".to_string())
        );
        let prerelease = EcosystemVersion::parse(Ecosystem::Npm, "2.0.0-beta.3").expect("parses");
        assert_eq!(
            smallest_fix(Ecosystem::Npm, &[&affected], &prerelease),
            Some("2.0.0-rc.1".to_string())
        );
    }
}
