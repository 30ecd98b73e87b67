//! Cargo's SemVer requirements, through the `semver` crate (bare versions are caret
//! requirements, as Cargo reads them).

use semver::{Version, VersionReq};

/// Whether the requirement accepts any version at all (`*`).
pub fn is_wildcard(requirement: &str) -> bool {
    VersionReq::parse(requirement.trim()).is_ok_and(|req| req == VersionReq::STAR)
}

/// Whether `version` satisfies `requirement`.
pub fn satisfies(requirement: &str, version: &str) -> Option<bool> {
    let requirement = VersionReq::parse(requirement.trim()).ok()?;
    let version = Version::parse(version.trim()).ok()?;
    Some(requirement.matches(&version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_requirement_semantics() {
        assert!(is_wildcard("*"));
        assert!(!is_wildcard("1"));
        assert_eq!(satisfies("1.2", "1.9.0"), Some(true));
        assert_eq!(satisfies("1.2", "2.0.0"), Some(false));
        assert_eq!(satisfies("=0.4.1", "0.4.2"), Some(false));
        assert_eq!(satisfies("~0.4", "0.4.9"), Some(true));
    }
}
