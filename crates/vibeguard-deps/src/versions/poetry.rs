//! Poetry's version constraints, translated to PEP 440 before matching.
//!
//! Poetry accepts `^1.2.3` (compatible up to the next change of the left-most non-zero part),
//! `~1.2.3` (up to the next minor), `1.2.*`, bare versions (exact), PEP 440 comparisons separated
//! by commas or spaces, and alternatives with `||` or `|`.

use super::pep440;

/// Whether the constraint pins exactly one version.
pub fn is_exact(constraint: &str) -> bool {
    let constraint = constraint.trim();
    let alternatives = split_alternatives(constraint);
    alternatives.len() == 1
        && match to_pep440(alternatives[0]) {
            Some(spec) => pep440::is_exact(&spec),
            None => false,
        }
}

/// Whether `version` satisfies the constraint.
pub fn satisfies(constraint: &str, version: &str) -> Option<bool> {
    let mut any_understood = false;
    for alternative in split_alternatives(constraint.trim()) {
        let spec = to_pep440(alternative)?;
        any_understood = true;
        if pep440::satisfies(&spec, version)? {
            return Some(true);
        }
    }
    any_understood.then_some(false)
}

fn split_alternatives(constraint: &str) -> Vec<&str> {
    constraint
        .split("||")
        .flat_map(|part| part.split('|'))
        .map(str::trim)
        .collect()
}

/// Translates one alternative (no `||`) to a PEP 440 specifier set.
pub fn to_pep440(constraint: &str) -> Option<String> {
    let constraint = constraint.trim();
    if constraint.is_empty() || constraint == "*" {
        return Some(String::new());
    }
    let mut parts = Vec::new();
    // Poetry allows "," and whitespace between clauses; an operator may be separated from its
    // version by spaces (">= 1.2"), so re-attach lone operators.
    let mut tokens: Vec<String> = Vec::new();
    for token in constraint.split([',', ' ']).filter(|t| !t.is_empty()) {
        match tokens.last_mut() {
            Some(last) if last.chars().all(|c| "<>=!~^".contains(c)) => last.push_str(token),
            _ => tokens.push(token.to_string()),
        }
    }
    for token in tokens {
        parts.push(clause_to_pep440(&token)?);
    }
    Some(parts.join(","))
}

fn clause_to_pep440(clause: &str) -> Option<String> {
    if let Some(version) = clause.strip_prefix('^') {
        let (lower, upper) = caret_bounds(version)?;
        return Some(format!(">={lower},<{upper}"));
    }
    if let Some(version) = clause.strip_prefix("~=") {
        return Some(format!("~={version}"));
    }
    if let Some(version) = clause.strip_prefix('~') {
        let (lower, upper) = tilde_bounds(version)?;
        return Some(format!(">={lower},<{upper}"));
    }
    if clause.starts_with(['<', '>', '=', '!']) {
        return Some(clause.to_string());
    }
    // A bare version is exact; a bare wildcard is a prefix match.
    Some(format!("=={clause}"))
}

fn release_parts(version: &str) -> Option<Vec<u64>> {
    let release = version
        .trim()
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()?;
    let parts: Option<Vec<u64>> = release
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    parts.filter(|p| !p.is_empty())
}

fn join(parts: &[u64]) -> String {
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn caret_bounds(version: &str) -> Option<(String, String)> {
    let parts = release_parts(version)?;
    let significant = parts
        .iter()
        .position(|p| *p != 0)
        .unwrap_or(parts.len() - 1);
    let mut upper: Vec<u64> = parts[..=significant].to_vec();
    *upper.last_mut()? += 1;
    Some((version.trim().to_string(), join(&upper)))
}

fn tilde_bounds(version: &str) -> Option<(String, String)> {
    let parts = release_parts(version)?;
    let upper = if parts.len() == 1 {
        vec![parts[0] + 1]
    } else {
        vec![parts[0], parts[1] + 1]
    };
    Some((version.trim().to_string(), join(&upper)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_and_tilde_follow_poetry() {
        assert_eq!(satisfies("^1.2.3", "1.9.0"), Some(true));
        assert_eq!(satisfies("^1.2.3", "2.0.0"), Some(false));
        assert_eq!(satisfies("^0.2.3", "0.3.0"), Some(false));
        assert_eq!(satisfies("^0.0.3", "0.0.4"), Some(false));
        assert_eq!(satisfies("~1.2.3", "1.2.9"), Some(true));
        assert_eq!(satisfies("~1.2.3", "1.3.0"), Some(false));
        assert_eq!(satisfies("~1", "1.9"), Some(true));
    }

    #[test]
    fn other_forms() {
        assert_eq!(satisfies("1.2.*", "1.2.7"), Some(true));
        assert_eq!(satisfies(">= 1.2, < 2.0", "1.5"), Some(true));
        assert_eq!(satisfies(">=1.2 <2.0", "2.0"), Some(false));
        assert_eq!(satisfies("^1.0 || ^3.0", "3.1"), Some(true));
        assert_eq!(satisfies("*", "0.1"), Some(true));
        assert!(is_exact("2.31.0"));
        assert!(is_exact("==2.31.0"));
        assert!(!is_exact("^2.31.0"));
        assert!(!is_exact("1.2.*"));
    }
}
