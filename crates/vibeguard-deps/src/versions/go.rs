//! Go module versions: SemVer with a mandatory `v` in go.mod (`v1.2.3`), pseudo-versions
//! (`v0.0.0-20210101000000-abcdef123456`, `v1.2.4-0.20210101000000-abcdef123456`) which are
//! SemVer prereleases ordered by their timestamp, and `+incompatible` for v2+ modules without a
//! go.mod, which is build metadata and does not take part in ordering. OSV's Go records write
//! versions without the `v`; both spellings are read.

use std::cmp::Ordering;
use std::fmt;

/// A parsed Go module version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoVersion {
    semver: semver::Version,
    incompatible: bool,
}

impl GoVersion {
    /// Parses `v1.2.3`, `1.2.3`, pseudo-versions and `+incompatible` versions.
    pub fn parse(text: &str) -> Option<GoVersion> {
        let text = text.trim();
        let bare = text.strip_prefix('v').unwrap_or(text);
        let mut semver = semver::Version::parse(bare).ok()?;
        let incompatible = semver.build.as_str() == "incompatible";
        // Go never orders by build metadata; `+incompatible` is the only metadata it writes.
        semver.build = semver::BuildMetadata::EMPTY;
        Some(GoVersion {
            semver,
            incompatible,
        })
    }

    /// Whether it is a prerelease (pseudo-versions included).
    pub fn is_prerelease(&self) -> bool {
        !self.semver.pre.is_empty()
    }

    /// Whether this is a pseudo-version (a commit, not a tagged release).
    pub fn is_pseudo(&self) -> bool {
        let pre = self.semver.pre.as_str();
        // vX.0.0-yyyymmddhhmmss-abcdefabcdef, vX.Y.Z-pre.0.yyyymmddhhmmss-…, vX.Y.(Z+1)-0.yyyy…
        let parts: Vec<&str> = pre.rsplitn(3, ['-', '.']).collect();
        parts.len() >= 2
            && parts[0].len() == 12
            && parts[0].chars().all(|c| c.is_ascii_hexdigit())
            && parts[1].len() == 14
            && parts[1].chars().all(|c| c.is_ascii_digit())
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.semver.cmp(&other.semver)
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.semver)?;
        if self.incompatible {
            f.write_str("+incompatible")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> GoVersion {
        GoVersion::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn orders_releases_prereleases_and_pseudo_versions() {
        // From the Go modules reference: a pseudo-version sorts before the release it precedes
        // and after the release it is based on.
        let ordered = [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-aaaaaaaaaaaa",
            "v1.0.0-alpha",
            "v1.0.0-rc.1",
            "v1.0.0",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
            "v2.0.0+incompatible",
            "v2.1.0",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.2.3"), v("v1.2.3"));
        assert_eq!(v("v2.0.0+incompatible").cmp(&v("2.0.0")), Ordering::Equal);
    }

    #[test]
    fn recognises_pseudo_versions_and_prints_the_go_spelling() {
        assert!(v("v0.0.0-20191109021931-daa7c04131f5").is_pseudo());
        assert!(v("v1.2.4-0.20191109021931-daa7c04131f5").is_pseudo());
        assert!(v("v1.2.4-pre.0.20191109021931-daa7c04131f5").is_pseudo());
        assert!(!v("v1.2.4-rc.1").is_pseudo());
        assert_eq!(v("2.0.0+incompatible").to_string(), "v2.0.0+incompatible");
        assert!(GoVersion::parse("v1.2").is_none());
        assert!(GoVersion::parse("latest").is_none());
    }
}
