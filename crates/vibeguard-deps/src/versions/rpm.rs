//! RPM package versions (Red Hat Enterprise Linux, Rocky Linux, AlmaLinux, Fedora), ordered
//! exactly as rpm orders them: `[epoch:]version[-release]`, the epoch as a number (missing = 0),
//! then the version and the release each by `rpmvercmp` — runs of digits compared as numbers,
//! runs of letters as text, a digit run newer than a letter run, separators only separating,
//! `~` sorting before everything (even the end: `1.0~rc1` < `1.0`) and `^` after the end but
//! before anything else (`1.0` < `1.0^git1` < `1.0.1`).

use std::cmp::Ordering;
use std::fmt;

/// A parsed rpm EVR.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    epoch: u64,
    version: String,
    release: Option<String>,
    text: String,
}

impl RpmVersion {
    /// Parses `[epoch:]version[-release]`; `None` for an empty version or a non-numeric epoch.
    pub fn parse(text: &str) -> Option<RpmVersion> {
        let text = text.trim();
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch, rest)) if epoch.bytes().all(|b| b.is_ascii_digit()) => (
                if epoch.is_empty() {
                    0
                } else {
                    epoch.parse().ok()?
                },
                rest,
            ),
            Some(_) => return None,
            None => (0, text),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((version, release)) => (version, Some(release.to_string())),
            None => (rest, None),
        };
        if version.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        Some(RpmVersion {
            epoch,
            version: version.to_string(),
            release,
            text: text.to_string(),
        })
    }

    /// Whether the version carries a `~` pre-release marker.
    pub fn is_prerelease(&self) -> bool {
        self.version.contains('~')
    }
}

/// rpm's `rpmvercmp`.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let skip = |s: &mut &[u8]| {
        while let Some(c) = s.first()
            && !c.is_ascii_alphanumeric()
            && *c != b'~'
            && *c != b'^'
        {
            *s = &s[1..];
        }
    };
    while !one.is_empty() || !two.is_empty() {
        skip(&mut one);
        skip(&mut two);
        let (o, t) = (one.first().copied(), two.first().copied());
        if o == Some(b'~') || t == Some(b'~') {
            if o != Some(b'~') {
                return Ordering::Greater;
            }
            if t != Some(b'~') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if o == Some(b'^') || t == Some(b'^') {
            if o.is_none() {
                return Ordering::Less;
            }
            if t.is_none() {
                return Ordering::Greater;
            }
            if o != Some(b'^') {
                return Ordering::Greater;
            }
            if t != Some(b'^') {
                return Ordering::Less;
            }
            one = &one[1..];
            two = &two[1..];
            continue;
        }
        if one.is_empty() || two.is_empty() {
            break;
        }
        let numeric = one[0].is_ascii_digit();
        let run = |s: &[u8]| {
            s.iter()
                .take_while(|c| {
                    if numeric {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count()
        };
        let (len_one, len_two) = (run(one), run(two));
        if len_two == 0 {
            // A number against letters: the number is newer.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut seg_one, mut seg_two) = (&one[..len_one], &two[..len_two]);
        one = &one[len_one..];
        two = &two[len_two..];
        if numeric {
            while seg_one.first() == Some(&b'0') {
                seg_one = &seg_one[1..];
            }
            while seg_two.first() == Some(&b'0') {
                seg_two = &seg_two[1..];
            }
            match seg_one.len().cmp(&seg_two.len()) {
                Ordering::Equal => {}
                longer => return longer,
            }
        }
        match seg_one.cmp(seg_two) {
            Ordering::Equal => {}
            different => return different,
        }
    }
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (false, _) => Ordering::Greater,
        (true, false) => Ordering::Less,
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                // A version without a release matches every release of it, as rpm's
                // dependency comparison does.
                (Some(a), Some(b)) => rpmvercmp(a, b),
                _ => Ordering::Equal,
            })
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rpm's own test cases (tests/rpmvercmp.at).
    #[test]
    fn rpmvercmp_matches_rpms_test_suite() {
        let cases = [
            ("1.0", "1.0", 0),
            ("1.0", "2.0", -1),
            ("2.0", "1.0", 1),
            ("2.0.1", "2.0.1", 0),
            ("2.0", "2.0.1", -1),
            ("2.0.1", "2.0", 1),
            ("2.0.1a", "2.0.1a", 0),
            ("2.0.1a", "2.0.1", 1),
            ("2.0.1", "2.0.1a", -1),
            ("5.5p1", "5.5p1", 0),
            ("5.5p1", "5.5p2", -1),
            ("5.5p2", "5.5p1", 1),
            ("5.5p10", "5.5p10", 0),
            ("5.5p1", "5.5p10", -1),
            ("5.5p10", "5.5p1", 1),
            ("10xyz", "10.1xyz", -1),
            ("10.1xyz", "10xyz", 1),
            ("xyz10", "xyz10", 0),
            ("xyz10", "xyz10.1", -1),
            ("xyz10.1", "xyz10", 1),
            ("xyz.4", "xyz.4", 0),
            ("xyz.4", "8", -1),
            ("8", "xyz.4", 1),
            ("xyz.4", "2", -1),
            ("2", "xyz.4", 1),
            ("5.5p2", "5.6p1", -1),
            ("5.6p1", "5.5p2", 1),
            ("5.6p1", "6.5p1", -1),
            ("6.5p1", "5.6p1", 1),
            ("6.0.rc1", "6.0", 1),
            ("6.0", "6.0.rc1", -1),
            ("10b2", "10a1", 1),
            ("10a2", "10b2", -1),
            ("1.0aa", "1.0aa", 0),
            ("1.0a", "1.0aa", -1),
            ("1.0aa", "1.0a", 1),
            ("10.0001", "10.0001", 0),
            ("10.0001", "10.1", 0),
            ("10.1", "10.0001", 0),
            ("10.0001", "10.0039", -1),
            ("10.0039", "10.0001", 1),
            ("4.999.9", "5.0", -1),
            ("5.0", "4.999.9", 1),
            ("20101121", "20101121", 0),
            ("20101121", "20101122", -1),
            ("20101122", "20101121", 1),
            ("2_0", "2_0", 0),
            ("2.0", "2_0", 0),
            ("2_0", "2.0", 0),
            ("a", "a", 0),
            ("a+", "a+", 0),
            ("a+", "a_", 0),
            ("a_", "a+", 0),
            ("+a", "+a", 0),
            ("+a", "_a", 0),
            ("_a", "+a", 0),
            ("+_", "+_", 0),
            ("_+", "+_", 0),
            ("_+", "_+", 0),
            ("+", "_", 0),
            ("_", "+", 0),
            ("1.0~rc1", "1.0~rc1", 0),
            ("1.0~rc1", "1.0", -1),
            ("1.0", "1.0~rc1", 1),
            ("1.0~rc1", "1.0~rc2", -1),
            ("1.0~rc2", "1.0~rc1", 1),
            ("1.0~rc1~git123", "1.0~rc1~git123", 0),
            ("1.0~rc1~git123", "1.0~rc1", -1),
            ("1.0~rc1", "1.0~rc1~git123", 1),
            ("1.0^", "1.0^", 0),
            ("1.0^", "1.0", 1),
            ("1.0", "1.0^", -1),
            ("1.0^git1", "1.0^git1", 0),
            ("1.0^git1", "1.0", 1),
            ("1.0", "1.0^git1", -1),
            ("1.0^git1", "1.0^git2", -1),
            ("1.0^git2", "1.0^git1", 1),
            ("1.0^git1", "1.01", -1),
            ("1.01", "1.0^git1", 1),
            ("1.0^20160101", "1.0^20160101", 0),
            ("1.0^20160101", "1.0.1", -1),
            ("1.0.1", "1.0^20160101", 1),
            ("1.0^20160101^git1", "1.0^20160101^git1", 0),
            ("1.0^20160102", "1.0^20160101^git1", 1),
            ("1.0^20160101^git1", "1.0^20160102", -1),
            ("1.0~rc1^git1", "1.0~rc1^git1", 0),
            ("1.0~rc1^git1", "1.0~rc1", 1),
            ("1.0~rc1", "1.0~rc1^git1", -1),
            ("1.0^git1~pre", "1.0^git1~pre", 0),
            ("1.0^git1", "1.0^git1~pre", 1),
            ("1.0^git1~pre", "1.0^git1", -1),
        ];
        for (a, b, expected) in cases {
            assert_eq!(rpmvercmp(a, b), expected.cmp(&0), "rpmvercmp({a}, {b})");
        }
    }

    #[test]
    fn epoch_version_release() {
        let v = |t: &str| RpmVersion::parse(t).expect("test input");
        assert!(v("1:1.0-1.el9") > v("2.0-1.el9"));
        assert!(v("0:3.0.7-24.el9") < v("0:3.0.7-25.el9"));
        assert!(v("3.0.7-24.el9") == v("0:3.0.7-24.el9"));
        assert!(v("1.1.1k-7.el8_6") < v("1.1.1k-9.el8_7"));
        assert!(v("2.28-225.el9_3.1") > v("2.28-225.el9"));
        assert!(RpmVersion::parse("x:1.0").is_none());
        assert!(RpmVersion::parse("").is_none());
    }
}
