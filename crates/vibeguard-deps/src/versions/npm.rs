//! npm's node-semver ranges, through the `nodejs-semver` port.

use nodejs_semver::{Range, Version};

/// Whether the spec names one exact version (`1.2.3`, `=1.2.3`, `v1.2.3`).
pub fn is_exact(spec: &str) -> bool {
    let spec = spec.trim();
    let bare = spec.strip_prefix('=').unwrap_or(spec).trim();
    let bare = bare.strip_prefix('v').unwrap_or(bare);
    // node-semver accepts "1.2.3" as a version, but "1.2" is a range (>=1.2.0 <1.3.0-0), and
    // its parser accepts a version prefix of longer text ("1.2.3 - 2.0.0"), so the text must
    // be one token without range operators.
    !bare.is_empty()
        && !bare.contains(|c: char| c.is_whitespace() || "<>=^~*|xX".contains(c))
        && bare
            .split(['-', '+'])
            .next()
            .unwrap_or("")
            .split('.')
            .count()
            == 3
        && Version::parse(bare).is_ok()
}

/// Whether `version` satisfies the range `spec` (prereleases only when the range names one of
/// the same version, as npm does). `None` when the spec is not a semver range (a dist-tag, a
/// URL) or the version does not parse.
pub fn satisfies(spec: &str, version: &str) -> Option<bool> {
    let spec = spec.trim();
    let range = if spec.is_empty() || spec == "latest" {
        Range::any()
    } else {
        Range::parse(spec).ok()?
    };
    let version = Version::parse(version.trim()).ok()?;
    Some(range.satisfies(&version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions_only() {
        assert!(is_exact("1.2.3"));
        assert!(is_exact("=1.2.3"));
        assert!(is_exact("v1.2.3-beta.1"));
        for range in [
            "^1.2.3",
            "~1.2.3",
            "1.2",
            "1.x",
            "*",
            "",
            ">=1.0.0",
            "1.2.3 - 2.0.0",
            "latest",
        ] {
            assert!(!is_exact(range), "{range} is a range");
        }
    }

    #[test]
    fn satisfies_follows_node_semver() {
        assert_eq!(satisfies("^4.17.0", "4.18.2"), Some(true));
        assert_eq!(satisfies("^4.17.0", "5.0.0"), Some(false));
        assert_eq!(satisfies("~1.2.3", "1.3.0"), Some(false));
        assert_eq!(satisfies(">=1.2.3 <2.0.0 || ^3.1", "3.4.0"), Some(true));
        assert_eq!(satisfies("^1.0.0", "1.1.0-beta.1"), Some(false));
        assert_eq!(satisfies("1.x", "1.9.9"), Some(true));
        assert_eq!(satisfies("next", "1.0.0"), None);
    }
}
