//! Debian and Ubuntu package versions, ordered exactly as dpkg orders them
//! (`dpkg --compare-versions`, deb-version(7)): `[epoch:]upstream[-revision]`. The epoch is
//! compared as a number; the upstream version and the revision each by dpkg's `verrevcmp`,
//! which alternates runs of non-digits (letters sort before non-letters, and `~` before
//! everything, even the end of the string: `1.0~rc1` < `1.0`) with runs of digits compared as
//! numbers. A missing revision compares like `0`.

use std::cmp::Ordering;
use std::fmt;

/// A parsed dpkg version.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    epoch: u64,
    upstream: String,
    revision: String,
    text: String,
}

impl DpkgVersion {
    /// Parses a version as deb-version(7) allows it; `None` for an empty upstream part, a
    /// non-numeric epoch or characters dpkg refuses.
    pub fn parse(text: &str) -> Option<DpkgVersion> {
        let text = text.trim();
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch, rest))
                if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) =>
            {
                (epoch.parse().ok()?, rest)
            }
            Some(_) => return None,
            None => (0, text),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            // dpkg refuses `1.0-`: a hyphen promises a revision.
            Some((_, "")) => return None,
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || ".+~-:".contains(c);
        if upstream.is_empty()
            || !upstream.chars().all(allowed)
            || !revision
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".+~".contains(c))
        {
            return None;
        }
        Some(DpkgVersion {
            epoch,
            upstream: upstream.to_string(),
            revision: revision.to_string(),
            text: text.to_string(),
        })
    }

    /// Whether the upstream version is a prerelease by Debian's convention (a `~`).
    pub fn is_prerelease(&self) -> bool {
        self.upstream.contains('~')
    }
}

/// dpkg's character order in the non-digit runs.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while i < a.len() && a[i].is_ascii_digit() && j < b.len() && b[j].is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if i < a.len() && a[i].is_ascii_digit() {
            return Ordering::Greater;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| compare_part(&self.upstream, &other.upstream))
            .then_with(|| compare_part(&self.revision, &other.revision))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for DpkgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a)
            .expect("test input")
            .cmp(&DpkgVersion::parse(b).expect("test input"))
    }

    /// The examples of deb-version(7) and of dpkg's own test suite (t-version.c).
    #[test]
    fn orders_as_dpkg_does() {
        let ascending = [
            ("1.0~rc1", "1.0"),
            ("1.0~~", "1.0~~a"),
            ("1.0~~a", "1.0~"),
            ("1.0~", "1.0"),
            ("1.0", "1.0a"),
            ("1.0a", "1.0+"),
            ("1.0", "1.0.1"),
            ("1.0-1", "1.0-2"),
            ("1.0-9", "1.0-10"),
            ("1.2.3", "1:0.1"),
            ("0:1.2", "2:0"),
            ("2.30-21", "2.30-21+deb9u1"),
            ("2.31-13+deb11u5", "2.31-13+deb11u6"),
            ("1.1.1n-0+deb11u3", "1.1.1n-0+deb11u4"),
            ("7.74.0-1.3+deb11u7", "7.88.1-10"),
            ("1.0-0ubuntu1", "1.0-0ubuntu1.1"),
            ("9", "10"),
            ("a", "b"),
            ("1.0.0", "1.0.0.0"),
        ];
        for (low, high) in ascending {
            assert_eq!(cmp(low, high), Ordering::Less, "{low} < {high}");
            assert_eq!(cmp(high, low), Ordering::Greater, "{high} > {low}");
        }
        for (a, b) in [
            ("1.0", "1.0-0"),
            ("0:1.0", "1.0"),
            ("1.001", "1.1"),
            ("1.0-01", "1.0-1"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} = {b}");
        }
    }

    #[test]
    fn refuses_what_dpkg_refuses() {
        for bad in ["", "a:1.0", ":1.0", "1.0 beta", "1.0-", "-1"] {
            assert!(DpkgVersion::parse(bad).is_none(), "{bad:?}");
        }
        assert!(DpkgVersion::parse("1:2.3-4").is_some());
        assert!(
            DpkgVersion::parse("1.0~rc1")
                .expect("test input")
                .is_prerelease()
        );
    }
}
