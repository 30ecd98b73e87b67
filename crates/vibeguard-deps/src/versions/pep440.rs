//! PEP 440 versions and specifiers, through `pep440_rs`.

use std::str::FromStr;

use pep440_rs::{Operator, Version, VersionSpecifiers};

/// Whether the specifier set pins one exact version (`==1.2.3` or `===1.2.3`, no wildcard).
pub fn is_exact(spec: &str) -> bool {
    let Ok(specifiers) = VersionSpecifiers::from_str(spec.trim()) else {
        return false;
    };
    specifiers
        .iter()
        .any(|specifier| matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual))
}

/// Whether `version` satisfies `spec` (an empty spec allows any version). `None` when either
/// does not parse.
pub fn satisfies(spec: &str, version: &str) -> Option<bool> {
    let version = Version::from_str(version.trim()).ok()?;
    let spec = spec.trim();
    if spec.is_empty() || spec == "*" {
        return Some(true);
    }
    let specifiers = VersionSpecifiers::from_str(spec).ok()?;
    Some(specifiers.contains(&version))
}

/// PEP 503 normalized project name: lower case, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            pending_separator = true;
        } else {
            if pending_separator && !out.is_empty() {
                out.push('-');
            }
            pending_separator = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_pins() {
        assert!(is_exact("==2.31.0"));
        assert!(is_exact("===2.31.0"));
        assert!(!is_exact("==2.*"));
        assert!(!is_exact(">=2.0"));
        assert!(!is_exact("~=2.31"));
        assert!(!is_exact(""));
    }

    #[test]
    fn specifier_semantics() {
        assert_eq!(satisfies(">=1.21.1,<1.27,!=1.25.0", "1.26.3"), Some(true));
        assert_eq!(satisfies(">=1.21.1,<1.27,!=1.25.0", "1.25.0"), Some(false));
        assert_eq!(satisfies("~=2.31", "2.99"), Some(true));
        assert_eq!(satisfies("~=2.31", "3.0"), Some(false));
        assert_eq!(satisfies("", "1.0"), Some(true));
        assert_eq!(satisfies("==1.0", "1.0.0"), Some(true));
        assert_eq!(satisfies(">=1", "not a version"), None);
    }

    #[test]
    fn normalizes_names_per_pep_503() {
        assert_eq!(normalize_name("Flask_SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("a--_.b"), "a-b");
    }
}
