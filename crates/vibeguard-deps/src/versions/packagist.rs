//! Composer (Packagist) versions, as Composer's `VersionParser::normalize` reads them and PHP's
//! `version_compare` orders the result: up to four numeric parts (`1.2` is `1.2.0.0`), an
//! optional `v`, and a stability suffix ordered `dev < alpha (a) < beta (b) < RC < stable <
//! patch (pl, p)`, each with an optional number (`1.0.0-beta2`, `1.0.0-RC.1`) and an optional
//! trailing `-dev` (`2.1.0-beta1-dev` comes before `2.1.0-beta1`). Branch versions (`dev-main`,
//! `1.x-dev`) name moving code, not a release, and do not parse.

use std::cmp::Ordering;
use std::fmt;

/// A stability level, in Composer's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stability {
    Dev,
    Alpha,
    Beta,
    ReleaseCandidate,
    Stable,
    Patch,
}

impl Stability {
    fn parse(word: &str) -> Option<Stability> {
        Some(match word.to_ascii_lowercase().as_str() {
            "dev" => Stability::Dev,
            "alpha" | "a" => Stability::Alpha,
            "beta" | "b" => Stability::Beta,
            "rc" => Stability::ReleaseCandidate,
            "stable" => Stability::Stable,
            "patch" | "pl" | "p" => Stability::Patch,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Stability::Dev => "dev",
            Stability::Alpha => "alpha",
            Stability::Beta => "beta",
            Stability::ReleaseCandidate => "RC",
            Stability::Stable => "stable",
            Stability::Patch => "patch",
        }
    }
}

/// A parsed Composer version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposerVersion {
    /// Four or more numeric parts (short versions are padded with zeros).
    numbers: Vec<u64>,
    stability: Stability,
    /// The number after the stability word (`beta2` → 2).
    stability_number: u64,
    /// A trailing `-dev` after a stability suffix (`1.0.0-beta1-dev`).
    dev_of_stability: bool,
}

impl ComposerVersion {
    /// Parses a Composer version; `None` for branches and anything Composer would reject.
    pub fn parse(text: &str) -> Option<ComposerVersion> {
        let text = text.trim();
        let text = text
            .strip_prefix('v')
            .or_else(|| text.strip_prefix('V'))
            .unwrap_or(text);
        // Build metadata (`1.0.0+build`) is ignored by Composer's comparisons.
        let text = text.split('+').next().unwrap_or("");
        let numeric_len = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (numeric, suffix) = text.split_at(numeric_len);
        let numeric = numeric.trim_end_matches('.');
        if numeric.is_empty() {
            return None;
        }
        let mut numbers = Vec::new();
        for part in numeric.split('.') {
            numbers.push(part.parse::<u64>().ok()?);
        }
        if numbers.len() > 4 {
            return None;
        }
        numbers.resize(4, 0);

        let suffix = suffix.trim_start_matches(['-', '_', '.']);
        if suffix.is_empty() {
            return Some(ComposerVersion {
                numbers,
                stability: Stability::Stable,
                stability_number: 0,
                dev_of_stability: false,
            });
        }
        let word_len = suffix
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(suffix.len());
        let stability = Stability::parse(&suffix[..word_len])?;
        let rest = suffix[word_len..].trim_start_matches(['.', '-', '_']);
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let stability_number = if digits == 0 {
            0
        } else {
            rest[..digits].parse().ok()?
        };
        let tail = rest[digits..].trim_start_matches(['.', '-', '_']);
        let dev_of_stability = match tail.to_ascii_lowercase().as_str() {
            "" => false,
            "dev" if stability != Stability::Dev => true,
            _ => return None,
        };
        Some(ComposerVersion {
            numbers,
            stability,
            stability_number,
            dev_of_stability,
        })
    }
}

impl ComposerVersion {
    /// Whether it is below stable (dev, alpha, beta, RC, or a `-dev` of one of them).
    pub fn is_prerelease(&self) -> bool {
        self.stability < Stability::Stable || self.dev_of_stability
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers
            .cmp(&other.numbers)
            .then(self.stability.cmp(&other.stability))
            .then(self.stability_number.cmp(&other.stability_number))
            // `beta1-dev` is the development line leading to `beta1`, so it sorts first.
            .then(other.dev_of_stability.cmp(&self.dev_of_stability))
    }
}

impl fmt::Display for ComposerVersion {
    /// The normalized spelling Composer writes (`1.2.0.0-beta2`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let numbers: Vec<String> = self.numbers.iter().map(u64::to_string).collect();
        f.write_str(&numbers.join("."))?;
        if self.stability != Stability::Stable {
            write!(f, "-{}", self.stability.as_str())?;
            if self.stability_number > 0 {
                write!(f, "{}", self.stability_number)?;
            }
        }
        if self.dev_of_stability {
            f.write_str("-dev")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ComposerVersion {
        ComposerVersion::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn normalizes_like_composer() {
        // Examples from Composer's VersionParserTest::normalize cases.
        for (input, normalized) in [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("v1.0.0", "1.0.0.0"),
            ("1.0.0RC1", "1.0.0.0-RC1"),
            ("1.0.0-rC15", "1.0.0.0-RC15"),
            ("1.0.0.RC.15", "1.0.0.0-RC15"),
            ("1.0.0-beta", "1.0.0.0-beta"),
            ("1.0.0-b1", "1.0.0.0-beta1"),
            ("1.0.0-alpha3", "1.0.0.0-alpha3"),
            ("1.0.0-p1", "1.0.0.0-patch1"),
            ("1.0.0pl3", "1.0.0.0-patch3"),
            ("1.0.0-dev", "1.0.0.0-dev"),
            ("1.0.0-beta1-dev", "1.0.0.0-beta1-dev"),
            ("1.0", "1.0.0.0"),
            ("1.0.0+foo", "1.0.0.0"),
        ] {
            assert_eq!(v(input).to_string(), normalized, "{input}");
        }
        for branch in ["dev-master", "1.x-dev", "", "1.0.0-foo", "1.2.3.4.5"] {
            assert!(ComposerVersion::parse(branch).is_none(), "{branch}");
        }
    }

    #[test]
    fn orders_stabilities_like_version_compare() {
        let ordered = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta1-dev",
            "1.0.0-beta1",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.1",
            "1.10.0",
            "2.0",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0.0"));
        assert_eq!(v("v2.1.3"), v("2.1.3"));
    }
}
