//! Identifying a finding across runs.
//!
//! A fingerprint hashes the rule code, the place without line numbers (file path, operation,
//! package) and the finding's identity (what it is about: a dependency name, a normalised line of
//! code). Inserting lines above a finding therefore leaves it unchanged, which is what baselines
//! and run-to-run diffs rely on. When the same rule finds identical things twice in one file, the
//! later ones get an ordinal so every fingerprint in a run is unique.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::Finding;
use crate::location::Location;

/// A stable identifier of a finding: 32 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(pub String);

impl Fingerprint {
    /// The fingerprint of a finding of rule `code` at `location` about `identity`.
    pub fn compute(code: &str, location: &Location, identity: &str) -> Fingerprint {
        Self::from_parts(&[code, &location.stable_key(), &normalize(identity)])
    }

    fn from_parts(parts: &[&str]) -> Fingerprint {
        let mut hasher = Sha256::new();
        hasher.update(b"vibeguard-fingerprint-v1");
        for part in parts {
            hasher.update([0u8]);
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        Fingerprint(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The fingerprint as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whitespace differences (re-indentation, formatting) must not change a fingerprint.
fn normalize(identity: &str) -> String {
    identity.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Makes every fingerprint in `findings` unique: the n-th repeat (n ≥ 1) of a fingerprint, in
/// order of position in the file, gets the ordinal mixed in. Call after sorting findings.
pub fn disambiguate(findings: &mut [Finding]) {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        findings[a]
            .location
            .span()
            .cmp(&findings[b].location.span())
            .then(a.cmp(&b))
    });
    let mut seen: HashMap<Fingerprint, u32> = HashMap::new();
    for index in order {
        let count = seen.entry(findings[index].fingerprint.clone()).or_insert(0);
        if *count > 0 {
            let base = findings[index].fingerprint.0.clone();
            findings[index].fingerprint = Fingerprint::from_parts(&[&base, &count.to_string()]);
        }
        *count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Span;

    fn at(line: u32) -> Location {
        Location::Source {
            path: "src/app.js".into(),
            span: Some(Span::line(line, 5, 20)),
        }
    }

    #[test]
    fn ignores_line_numbers_and_whitespace() {
        let before = Fingerprint::compute("VG101", &at(10), "db.query(sql)");
        let after = Fingerprint::compute("VG101", &at(42), "  db.query(sql)  ");
        assert_eq!(before, after);
        assert_eq!(before.as_str().len(), 32);
    }

    #[test]
    fn differs_by_rule_file_and_identity() {
        let base = Fingerprint::compute("VG101", &at(1), "x");
        assert_ne!(base, Fingerprint::compute("VG102", &at(1), "x"));
        assert_ne!(base, Fingerprint::compute("VG101", &at(1), "y"));
        let other_file = Location::Source {
            path: "src/other.js".into(),
            span: None,
        };
        assert_ne!(base, Fingerprint::compute("VG101", &other_file, "x"));
    }
}
