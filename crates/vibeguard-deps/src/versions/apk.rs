//! Alpine package versions, ordered exactly as apk-tools orders them (`apk version -t`, a port
//! of its `version.c`): dot-separated numbers (a component with leading zeros after a dot
//! compares as a fraction: `1.01` < `1.1`), an optional letter (`1.0a`), suffixes — the
//! pre-release ones `_alpha`, `_beta`, `_pre`, `_rc` sort before the release, the post-release
//! ones `_cvs`, `_svn`, `_git`, `_hg`, `_p` after it — each with an optional number, and the
//! package revision `-rN`.

use std::cmp::Ordering;
use std::fmt;

/// A parsed apk version.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    Invalid = -1,
    DigitOrZero = 0,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    RevisionNumber,
    End,
}

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

/// apk-tools' `next_token`: what kind of token starts at `rest`, consuming its separator.
fn next_token(kind: &mut Token, rest: &mut &[u8]) {
    let mut next = Token::Invalid;
    match rest.first() {
        None | Some(0) => next = Token::End,
        Some(c) if matches!(kind, Token::Digit | Token::DigitOrZero) && c.is_ascii_lowercase() => {
            next = Token::Letter
        }
        Some(c) if *kind == Token::Letter && c.is_ascii_digit() => next = Token::Digit,
        Some(c) if *kind == Token::Suffix && c.is_ascii_digit() => next = Token::SuffixNumber,
        Some(c) => {
            match c {
                b'.' => next = Token::DigitOrZero,
                b'_' => next = Token::Suffix,
                b'-' if rest.get(1) == Some(&b'r') => {
                    next = Token::RevisionNumber;
                    *rest = &rest[1..];
                }
                _ => {}
            }
            *rest = &rest[1..];
        }
    }
    if next < *kind
        && !((next == Token::DigitOrZero && *kind == Token::Digit)
            || (next == Token::Suffix && *kind == Token::SuffixNumber)
            || (next == Token::Digit && *kind == Token::Letter))
    {
        next = Token::Invalid;
    }
    *kind = next;
}

/// apk-tools' `get_token`: the value of the token of kind `kind` at `rest`, and the kind of
/// the one after it.
fn get_token(kind: &mut Token, rest: &mut &[u8]) -> i64 {
    if rest.is_empty() {
        *kind = Token::End;
        return 0;
    }
    let value: i64;
    let mut used = 0;
    let mut following = Token::Invalid;
    let digits = |rest: &[u8], used: &mut usize| {
        let mut value: i64 = 0;
        while *used < rest.len() && rest[*used].is_ascii_digit() {
            value = value
                .saturating_mul(10)
                .saturating_add(i64::from(rest[*used] - b'0'));
            *used += 1;
        }
        value
    };
    match *kind {
        Token::DigitOrZero if rest[0] == b'0' => {
            // Leading zeros after a dot: a fraction, the more zeros the smaller (`1.001` <
            // `1.01` < `1.1`); the last zero is read again as a number.
            while used + 1 < rest.len() && rest[used + 1] == b'0' {
                used += 1;
            }
            following = Token::Digit;
            value = -(used as i64);
        }
        Token::DigitOrZero | Token::Digit | Token::SuffixNumber | Token::RevisionNumber => {
            value = digits(rest, &mut used);
        }
        Token::Letter => {
            value = i64::from(rest[0]);
            used = 1;
        }
        Token::Suffix => {
            if let Some(index) = PRE_SUFFIXES
                .iter()
                .position(|s| rest.starts_with(s.as_bytes()))
            {
                used = PRE_SUFFIXES[index].len();
                following = Token::SuffixNumber;
                value = index as i64 - PRE_SUFFIXES.len() as i64;
            } else if let Some(index) = POST_SUFFIXES
                .iter()
                .position(|s| rest.starts_with(s.as_bytes()))
            {
                used = POST_SUFFIXES[index].len();
                following = Token::SuffixNumber;
                value = index as i64;
            } else {
                *kind = Token::Invalid;
                return -1;
            }
        }
        _ => {
            *kind = Token::Invalid;
            return -1;
        }
    }
    *rest = &rest[used..];
    if rest.is_empty() {
        *kind = Token::End;
    } else if following != Token::Invalid {
        *kind = following;
    } else {
        next_token(kind, rest);
    }
    value
}

fn compare_text(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    let (mut at, mut bt) = (Token::Digit, Token::Digit);
    let (mut av, mut bv) = (0i64, 0i64);
    while at == bt && at != Token::End && at != Token::Invalid && av == bv {
        av = get_token(&mut at, &mut a);
        bv = get_token(&mut bt, &mut b);
    }
    if av != bv {
        return av.cmp(&bv);
    }
    if at == bt {
        return Ordering::Equal;
    }
    // Equal so far: the longer version is newer unless what follows is a pre-release suffix.
    let mut probe = at;
    if at == Token::Suffix && get_token(&mut probe, &mut a) < 0 {
        return Ordering::Less;
    }
    let mut probe = bt;
    if bt == Token::Suffix && get_token(&mut probe, &mut b) < 0 {
        return Ordering::Greater;
    }
    bt.cmp(&at)
}

impl ApkVersion {
    /// Parses a version apk-tools accepts (`apk version -c`); `None` otherwise.
    pub fn parse(text: &str) -> Option<ApkVersion> {
        let text = text.trim();
        if text.is_empty() || !text.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        let mut rest = text.as_bytes();
        let mut kind = Token::Digit;
        while kind != Token::End {
            get_token(&mut kind, &mut rest);
            if kind == Token::Invalid {
                return None;
            }
        }
        Some(ApkVersion {
            text: text.to_string(),
        })
    }

    /// Whether it carries a pre-release suffix (`_alpha`, `_beta`, `_pre`, `_rc`).
    pub fn is_prerelease(&self) -> bool {
        PRE_SUFFIXES
            .iter()
            .any(|suffix| self.text.contains(&format!("_{suffix}")))
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_text(&self.text, &other.text)
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        ApkVersion::parse(a)
            .unwrap_or_else(|| panic!("{a} parses"))
            .cmp(&ApkVersion::parse(b).unwrap_or_else(|| panic!("{b} parses")))
    }

    /// Pairs from apk-tools' test/version.data and Alpine's versioning policy.
    #[test]
    fn orders_as_apk_tools_does() {
        let ascending = [
            ("1.0", "1.0.1"),
            ("1.0_alpha", "1.0"),
            ("1.0_alpha1", "1.0_alpha2"),
            ("1.0_alpha", "1.0_beta"),
            ("1.0_beta", "1.0_pre"),
            ("1.0_pre", "1.0_rc"),
            ("1.0_rc1", "1.0"),
            ("1.0", "1.0_p1"),
            ("1.0_p1", "1.0_p2"),
            ("1.0_cvs", "1.0_p"),
            ("1.0_git20200101", "1.0_p1"),
            ("1.0-r0", "1.0-r1"),
            ("1.0-r9", "1.0-r10"),
            ("1.0", "1.0-r1"),
            ("1.0a", "1.0b"),
            ("1.0", "1.0a"),
            ("1.0z", "1.0.1"),
            ("1.01", "1.1"),
            ("1.001", "1.01"),
            ("2.3.0b-r1", "2.3.0b-r2"),
            ("3.0.8-r0", "3.0.12-r0"),
            ("1.36.1-r15", "1.36.1-r16"),
            ("9.9", "10.0"),
            ("1.2.3_rc1-r0", "1.2.3-r0"),
        ];
        for (low, high) in ascending {
            assert_eq!(cmp(low, high), Ordering::Less, "{low} < {high}");
            assert_eq!(cmp(high, low), Ordering::Greater, "{high} > {low}");
        }
        for (a, b) in [("1.0", "1.0"), ("1.0-r0", "1.0-r0"), ("01.0", "1.0")] {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} = {b}");
        }
    }

    #[test]
    fn refuses_what_apk_refuses() {
        for bad in ["", "a1.0", "1.0_foo", "1.0-x1", "1.0..1 x"] {
            assert!(ApkVersion::parse(bad).is_none(), "{bad:?} is refused");
        }
        assert!(
            ApkVersion::parse("1.2.3_rc1-r0")
                .expect("test input")
                .is_prerelease()
        );
        assert!(
            !ApkVersion::parse("1.2.3_p1-r0")
                .expect("test input")
                .is_prerelease()
        );
    }
}
