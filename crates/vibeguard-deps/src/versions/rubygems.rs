//! RubyGems versions and requirements (`=`, `!=`, `>`, `<`, `>=`, `<=`, `~>`), as
//! `Gem::Version` and `Gem::Requirement` define them.

use std::cmp::Ordering;

/// One segment of a gem version: numbers compare numerically, letters mark prereleases.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Number(u64),
    Text(String),
}

/// A parsed gem version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemVersion {
    segments: Vec<Segment>,
}

impl GemVersion {
    /// Parses `1.2.3`, `1.2.3.pre1`, `2.0.0-rc1` (a `-` means `.pre.`, as RubyGems reads it).
    pub fn parse(text: &str) -> Option<GemVersion> {
        let text = text.trim().replace('-', ".pre.");
        if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
            return None;
        }
        let mut segments = Vec::new();
        for part in text.split('.') {
            if part.is_empty() {
                return None;
            }
            // "1a" is two segments, 1 and "a", as in Gem::Version#segments.
            let mut rest = part;
            while !rest.is_empty() {
                let digits = rest.chars().take_while(char::is_ascii_digit).count();
                if digits > 0 {
                    segments.push(Segment::Number(rest[..digits].parse().ok()?));
                    rest = &rest[digits..];
                } else {
                    let letters = rest.chars().take_while(|c| !c.is_ascii_digit()).count();
                    segments.push(Segment::Text(rest[..letters].to_string()));
                    rest = &rest[letters..];
                }
            }
        }
        Some(GemVersion { segments })
    }

    /// Whether it is a prerelease (has a letter segment, as `Gem::Version#prerelease?`).
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Text(_)))
    }

    /// The upper bound of `~> self`: drop prerelease parts and the last segment, bump the new
    /// last one (`~> 1.2.3` → `< 1.3`, `~> 1.2` → `< 2`).
    fn bump(&self) -> GemVersion {
        let mut numbers: Vec<u64> = self
            .segments
            .iter()
            .take_while(|s| matches!(s, Segment::Number(_)))
            .filter_map(|s| match s {
                Segment::Number(n) => Some(*n),
                Segment::Text(_) => None,
            })
            .collect();
        if numbers.len() > 1 {
            numbers.pop();
        }
        if let Some(last) = numbers.last_mut() {
            *last += 1;
        }
        GemVersion {
            segments: numbers.into_iter().map(Segment::Number).collect(),
        }
    }
}

impl std::fmt::Display for GemVersion {
    /// The canonical dotted spelling (`1.0.a`, where RubyGems would also accept `1.0a`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, segment) in self.segments.iter().enumerate() {
            if index > 0 {
                f.write_str(".")?;
            }
            match segment {
                Segment::Number(number) => write!(f, "{number}")?,
                Segment::Text(text) => f.write_str(text)?,
            }
        }
        Ok(())
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let len = self.segments.len().max(other.segments.len());
        for index in 0..len {
            let zero = Segment::Number(0);
            let left = self.segments.get(index).unwrap_or(&zero);
            let right = other.segments.get(index).unwrap_or(&zero);
            let ordering = match (left, right) {
                (Segment::Number(a), Segment::Number(b)) => a.cmp(b),
                (Segment::Text(a), Segment::Text(b)) => a.cmp(b),
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

/// Whether `version` satisfies every clause of `requirement` (clauses separated by commas;
/// a bare version means `=`).
pub fn satisfies(requirement: &str, version: &str) -> Option<bool> {
    let version = GemVersion::parse(version)?;
    for clause in requirement
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let (operator, bound) = split_operator(clause);
        let bound = GemVersion::parse(bound)?;
        let ok = match operator {
            "=" => version == bound,
            "!=" => version != bound,
            ">" => version > bound,
            "<" => version < bound,
            ">=" => version >= bound,
            "<=" => version <= bound,
            "~>" => version >= bound && version < bound.bump(),
            _ => return None,
        };
        if !ok {
            return Some(false);
        }
    }
    // A prerelease only satisfies requirements that mention a prerelease, as RubyGems resolves.
    if version.is_prerelease() && !requirement.chars().any(|c| c.is_ascii_alphabetic()) {
        return Some(false);
    }
    Some(true)
}

fn split_operator(clause: &str) -> (&str, &str) {
    for operator in ["~>", ">=", "<=", "!=", "=", ">", "<"] {
        if let Some(rest) = clause.strip_prefix(operator) {
            return (operator, rest.trim());
        }
    }
    ("=", clause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pessimistic_operator() {
        assert_eq!(satisfies("~> 1.2.3", "1.2.9"), Some(true));
        assert_eq!(satisfies("~> 1.2.3", "1.3.0"), Some(false));
        assert_eq!(satisfies("~> 1.2", "1.9"), Some(true));
        assert_eq!(satisfies("~> 1.2", "2.0"), Some(false));
    }

    #[test]
    fn comparisons_and_prereleases() {
        assert_eq!(satisfies(">= 1.0, < 2.0", "1.5.1"), Some(true));
        assert_eq!(satisfies("7.1.3", "7.1.3"), Some(true));
        assert_eq!(satisfies("!= 7.1.3", "7.1.3"), Some(false));
        assert_eq!(satisfies(">= 1.0", "2.0.0.rc1"), Some(false));
        assert!(GemVersion::parse("1.0.a").expect("v") < GemVersion::parse("1.0").expect("v"));
        assert_eq!(
            GemVersion::parse("1.0"),
            GemVersion::parse("1.0").filter(|_| true)
        );
        assert_eq!(satisfies(">= 1", "not valid!"), None);
    }
}
