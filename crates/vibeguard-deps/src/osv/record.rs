//! OSV records: the tolerant reading of one JSON document and the compact [`Advisory`] the
//! store keeps of it.
//!
//! Reading checks what the OSV schema requires and what matching relies on (an `id`, a
//! `modified` time, events with exactly one of `introduced`/`fixed`/`last_affected`/`limit`,
//! at least one `introduced` per range); a record that breaks it is refused with a reason, and
//! the import counts and skips it. Fields matching does not use are dropped, long texts are cut,
//! and `GIT` ranges are dropped (commit ranges do not order package versions; the records that
//! carry them also list the affected `versions`, which are kept).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ecosystem::Ecosystem;

/// Longest `details` text kept, in characters.
const MAX_DETAILS_CHARS: usize = 1_500;
/// Longest summary kept, in characters.
const MAX_SUMMARY_CHARS: usize = 240;
/// References kept per advisory.
const MAX_REFERENCES: usize = 6;

/// A severity score as the record gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector or label.
    pub score: String,
}

/// One event of a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The vulnerability starts at this version (`0`: before every version).
    Introduced(String),
    /// This version no longer has it.
    Fixed(String),
    /// The last version that has it.
    LastAffected(String),
    /// Versions at or above this are outside the range.
    Limit(String),
}

impl Event {
    /// The version the event names.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// A `SEMVER` or `ECOSYSTEM` range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER` or `ECOSYSTEM`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The events, as the record lists them.
    pub events: Vec<Event>,
}

/// What one advisory says about one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// The package's name, as the record writes it.
    pub name: String,
    /// For a distribution, the release the entry is about, as written after the ecosystem's
    /// name (`12` of `Debian:12`, `v3.19` of `Alpine:v3.19`); `None` for every release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Version ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Scores given for this package only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Score>,
    /// A severity label from `ecosystem_specific` or `database_specific`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_label: Option<String>,
}

/// The part of an OSV record vibeguard keeps for one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advisory {
    /// `GHSA-…`, `PYSEC-…`, `RUSTSEC-…`, `GO-…`, `MAL-…`, …
    pub id: String,
    /// Other ids of the same vulnerability (CVE, GHSA, PYSEC, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One line: the summary, or the first sentence of the details.
    pub summary: String,
    /// The details, cut to a readable length.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub details: String,
    /// Scores for the whole vulnerability.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Score>,
    /// The database's own label (`database_specific.severity`: `CRITICAL`, `HIGH`, `MODERATE`, `LOW`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_label: Option<String>,
    /// RustSec-style informational kind (`unmaintained`, `unsound`, `notice`), when not a vulnerability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When it was last changed.
    pub modified: String,
    /// Where to read more (advisory pages first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The affected packages of this ecosystem.
    pub affected: Vec<Affected>,
}

impl Advisory {
    /// Whether this record reports a malicious package rather than a flaw.
    pub fn is_malicious(&self) -> bool {
        self.id.starts_with("MAL-")
    }

    /// Whether this record only informs that the package is unmaintained.
    pub fn is_unmaintained_notice(&self) -> bool {
        self.informational.as_deref() == Some("unmaintained")
    }

    /// This id and every alias.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// One record, read: its ecosystems' views, or why it is withdrawn.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedRecord {
    /// A live record: one [`Advisory`] per ecosystem vibeguard knows among its affected
    /// packages (records about other ecosystems yield an empty list).
    Live(Vec<(Ecosystem, Advisory)>),
    /// Withdrawn by its database: it must not be reported.
    Withdrawn {
        /// The record's id.
        id: String,
    },
}

#[derive(Deserialize)]
struct RawRecord {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<Score>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    references: Option<Vec<RawReference>>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    severity: Option<Vec<Score>>,
    #[serde(default)]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, Value>>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
}

/// Reads one OSV JSON document. The error says what breaks the schema.
pub fn parse(bytes: &[u8]) -> Result<ParsedRecord, String> {
    // serde reads a struct from an array too; an OSV record is an object.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err("not an OSV record: the document is not a JSON object".into());
    }
    let raw: RawRecord = serde_json::from_slice(bytes).map_err(|error| {
        let text = error.to_string();
        format!("not an OSV record: {text}")
    })?;
    let id = raw.id.filter(|id| !id.trim().is_empty()).ok_or("no `id`")?;
    if id.len() > 200 || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("`{}` is not an OSV id", shorten(&id, 60)));
    }
    if raw.withdrawn.is_some() {
        return Ok(ParsedRecord::Withdrawn { id });
    }
    let modified = raw
        .modified
        .ok_or_else(|| format!("{id}: no `modified` time"))?;
    let database_specific = raw.database_specific.unwrap_or(Value::Null);
    let severity_label = label_in(&database_specific);
    let informational = database_specific
        .get("informational")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);

    let summary = raw
        .summary
        .filter(|s| !s.trim().is_empty())
        .or_else(|| raw.details.as_deref().map(first_sentence))
        .unwrap_or_default();
    let details = raw
        .details
        .map(|d| shorten(d.trim(), MAX_DETAILS_CHARS))
        .unwrap_or_default();
    let mut references: Vec<RawReference> = raw.references.unwrap_or_default();
    // Advisory pages first: they are the ones a reader wants.
    references.sort_by_key(|reference| reference.kind != "ADVISORY");
    let references: Vec<String> = references
        .into_iter()
        .map(|reference| reference.url)
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .take(MAX_REFERENCES)
        .collect();

    let mut by_ecosystem: Vec<(Ecosystem, Vec<Affected>)> = Vec::new();
    for (index, affected) in raw.affected.unwrap_or_default().into_iter().enumerate() {
        let Some(package) = affected.package else {
            // Records about unpackaged software (e.g. Linux kernel ranges) have no package.
            continue;
        };
        let Some((ecosystem, release)) = Ecosystem::from_osv_affected(&package.ecosystem) else {
            continue;
        };
        if package.name.trim().is_empty() {
            return Err(format!("{id}: affected[{index}] has an empty package name"));
        }
        let mut ranges = Vec::new();
        for (range_index, range) in affected.ranges.unwrap_or_default().into_iter().enumerate() {
            let events = read_events(&range.events).map_err(|reason| {
                format!("{id}: affected[{index}].ranges[{range_index}]: {reason}")
            })?;
            if range.kind == "SEMVER" || range.kind == "ECOSYSTEM" {
                ranges.push(Range {
                    kind: range.kind,
                    events,
                });
            }
        }
        let severity_label = affected
            .ecosystem_specific
            .as_ref()
            .and_then(label_in)
            .or_else(|| affected.database_specific.as_ref().and_then(label_in));
        let entry = Affected {
            name: package.name,
            release,
            ranges,
            versions: affected.versions.unwrap_or_default(),
            severity: affected.severity.unwrap_or_default(),
            severity_label,
        };
        match by_ecosystem.iter_mut().find(|(e, _)| *e == ecosystem) {
            Some((_, list)) => list.push(entry),
            None => by_ecosystem.push((ecosystem, vec![entry])),
        }
    }
    let advisory = Advisory {
        id,
        aliases: raw.aliases.unwrap_or_default(),
        summary: shorten(summary.trim(), MAX_SUMMARY_CHARS),
        details,
        severity: raw.severity.unwrap_or_default(),
        severity_label,
        informational,
        published: raw.published,
        modified,
        references,
        affected: Vec::new(),
    };
    Ok(ParsedRecord::Live(
        by_ecosystem
            .into_iter()
            .map(|(ecosystem, affected)| {
                let mut view = advisory.clone();
                view.affected = affected;
                (ecosystem, view)
            })
            .collect(),
    ))
}

fn read_events(raw: &[serde_json::Map<String, Value>]) -> Result<Vec<Event>, String> {
    let mut events = Vec::with_capacity(raw.len());
    for object in raw {
        if object.len() != 1 {
            return Err(
                "an event must have exactly one of introduced, fixed, last_affected, limit".into(),
            );
        }
        let Some((key, value)) = object.iter().next() else {
            return Err("an empty event".into());
        };
        let Some(version) = value.as_str().filter(|v| !v.trim().is_empty()) else {
            return Err(format!("`{key}` is not a version string"));
        };
        let version = version.trim().to_string();
        events.push(match key.as_str() {
            "introduced" => Event::Introduced(version),
            "fixed" => Event::Fixed(version),
            "last_affected" => Event::LastAffected(version),
            "limit" => Event::Limit(version),
            other => return Err(format!("unknown event `{other}`")),
        });
    }
    if !events.iter().any(|e| matches!(e, Event::Introduced(_))) {
        return Err("a range without an `introduced` event".into());
    }
    Ok(events)
}

/// A severity label in a `*_specific` object: `{"severity": "HIGH"}`.
fn label_in(value: &Value) -> Option<String> {
    value
        .get("severity")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|label| !label.is_empty())
        .map(str::to_ascii_uppercase)
}

fn first_sentence(details: &str) -> String {
    let line = details.trim().lines().next().unwrap_or("");
    match line.find(". ") {
        Some(end) => line[..=end].to_string(),
        None => line.to_string(),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max_chars).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(json: &str) -> Vec<(Ecosystem, Advisory)> {
        match parse(json.as_bytes()).expect("valid") {
            ParsedRecord::Live(views) => views,
            ParsedRecord::Withdrawn { id } => panic!("{id} withdrawn"),
        }
    }

    #[test]
    fn keeps_what_matching_needs_per_ecosystem() {
        let views = live(
            r#"{"id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-02T00:00:00Z",
                "aliases": ["CVE-2024-1"], "details": "Bad thing. More text.",
                "database_specific": {"severity": "moderate"},
                "references": [{"type": "WEB", "url": "https://w"}, {"type": "ADVISORY", "url": "https://a"}, {"type": "WEB", "url": "javascript:alert(1)"}],
                "affected": [
                  {"package": {"ecosystem": "npm", "name": "lodash"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]},
                              {"type": "GIT", "repo": "https://g", "events": [{"introduced": "abc"}]}]},
                  {"package": {"ecosystem": "Debian:12", "name": "node-lodash"}, "versions": ["1"]},
                  {"package": {"ecosystem": "PyPI", "name": "x"}, "versions": ["1.0"]}
                ]}"#,
        );
        assert_eq!(views.len(), 3);
        let (ecosystem, npm) = &views[0];
        assert_eq!(*ecosystem, Ecosystem::Npm);
        assert_eq!(npm.summary, "Bad thing.");
        assert_eq!(npm.severity_label.as_deref(), Some("MODERATE"));
        assert_eq!(npm.references, vec!["https://a", "https://w"]);
        assert_eq!(npm.affected.len(), 1);
        assert_eq!(npm.affected[0].ranges.len(), 1, "GIT ranges are dropped");
        assert_eq!(views[1].0, Ecosystem::Debian);
        assert_eq!(views[1].1.affected[0].release.as_deref(), Some("12"));
        assert_eq!(views[1].1.affected[0].name, "node-lodash");
        assert_eq!(views[2].0, Ecosystem::PyPI);
        assert_eq!(views[2].1.affected[0].release, None);
    }

    #[test]
    fn refuses_records_that_break_the_schema() {
        for (json, reason) in [
            ("[]", "not an OSV record"),
            (r#"{"modified": "x"}"#, "no `id`"),
            (r#"{"id": "A-1"}"#, "no `modified`"),
            (
                r#"{"id": "A-1", "modified": "x", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]}]}]}"#,
                "without an `introduced`",
            ),
            (
                r#"{"id": "A-1", "modified": "x", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]}]}]}"#,
                "exactly one",
            ),
            (
                r#"{"id": "A-1", "modified": "x", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": 0}]}]}]}"#,
                "not a version string",
            ),
            (r#"{"id": "bad id", "modified": "x"}"#, "not an OSV id"),
        ] {
            let error = parse(json.as_bytes()).expect_err(json);
            assert!(error.contains(reason), "{error} should say {reason}");
        }
    }

    #[test]
    fn withdrawn_records_and_rustsec_notices() {
        assert_eq!(
            parse(br#"{"id": "PYSEC-1", "modified": "x", "withdrawn": "2024-01-01T00:00:00Z"}"#),
            Ok(ParsedRecord::Withdrawn {
                id: "PYSEC-1".into()
            })
        );
        let views = live(
            r#"{"id": "RUSTSEC-2020-0036", "modified": "x", "summary": "failure is officially deprecated/unmaintained",
                "database_specific": {"informational": "unmaintained"},
                "affected": [{"package": {"ecosystem": "crates.io", "name": "failure"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}]}]}]}"#,
        );
        assert!(views[0].1.is_unmaintained_notice());
        assert!(!views[0].1.is_malicious());
    }
}
