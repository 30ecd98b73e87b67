//! What a stored password hash says about how passwords are stored: its scheme and its cost,
//! read from the hash itself, and whether that meets AUTH-03 (bcrypt cost ≥ 10; Argon2id,
//! scrypt and PBKDF2 at OWASP's minimums). An API answer that leaks a hash, or a seed file or
//! database dump in the repository, shows more about the stored passwords than the code can:
//! `$2b$04$…` is bcrypt at cost 4 whatever the code seems to say.
//!
//! Self-describing formats are recognised anywhere in a text (modular crypt `$2b$`, `$argon2id$`,
//! `$scrypt$`, `$6$`/`$5$`/`$1$`, Django's `pbkdf2_sha256$`, Werkzeug's `pbkdf2:` and
//! `scrypt:`); a bare hex digest (MD5, SHA-1, SHA-256, SHA-512) only as the whole value of a
//! password-like field, where the caller vouches for what it is.

use std::sync::LazyLock;

use regex::Regex;

/// One hash, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashStrength {
    /// The scheme, as people name it (`bcrypt`, `Argon2id`, `PBKDF2-SHA256`, `MD5`, …).
    pub scheme: String,
    /// The work factor read from the hash (`cost 4`, `600,000 iterations`, `m=65536 t=3`).
    pub cost: String,
    /// Why it falls short of AUTH-03; `None` when it meets it.
    pub weakness: Option<String>,
}

impl HashStrength {
    fn new(scheme: &str, cost: String, weakness: Option<String>) -> HashStrength {
        HashStrength {
            scheme: scheme.to_string(),
            cost,
            weakness,
        }
    }

    /// `bcrypt, cost 4: below the minimum cost of 10`.
    pub fn describe(&self) -> String {
        match &self.weakness {
            Some(why) => format!("{}, {}: {why}", self.scheme, self.cost),
            None => format!("{}, {}", self.scheme, self.cost),
        }
    }
}

static SELF_DESCRIBING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\$2[abxy]?\$(?P<bcrypt>\d{2})\$[./A-Za-z0-9]{53}",
        r"|\$(?P<argon>argon2(?:id|i|d))\$v=\d+\$m=(?P<m>\d+),t=(?P<t>\d+),p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+",
        r"|\$scrypt\$ln=(?P<ln>\d+),r=(?P<r>\d+),p=\d+\$[^\s\x22'<$]+\$[^\s\x22'<$]+",
        r"|\$(?P<crypt>[156])\$(?:rounds=(?P<rounds>\d+)\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86}",
        r"|pbkdf2_(?P<dj>sha1|sha256|sha512)\$(?P<djiter>\d+)\$[^\s\x22'<$]+\$[A-Za-z0-9+/=]+",
        r"|pbkdf2:(?P<wz>sha1|sha256|sha512):(?P<wziter>\d+)\$[^\s\x22'<$]+\$[0-9a-f]+",
        r"|scrypt:(?P<wzn>\d+):(?P<wzr>\d+):\d+\$[^\s\x22'<$]+\$[0-9a-f]+",
    ))
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// OWASP's minimum PBKDF2 iterations (Password Storage Cheat Sheet, 2023).
fn pbkdf2_minimum(digest: &str) -> u64 {
    match digest {
        "sha1" => 1_300_000,
        "sha512" => 210_000,
        _ => 600_000,
    }
}

fn number(text: Option<regex::Match<'_>>) -> u64 {
    text.and_then(|m| m.as_str().parse().ok()).unwrap_or(0)
}

fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every self-describing password hash in `text`, classified, in order.
pub fn hashes_in(text: &str) -> Vec<HashStrength> {
    SELF_DESCRIBING
        .captures_iter(text)
        .map(|found| {
            if let Some(cost) = found.name("bcrypt") {
                let cost: u32 = cost.as_str().parse().unwrap_or(0);
                let weakness = (cost < 10).then(|| "below the minimum cost of 10".to_string());
                return HashStrength::new("bcrypt", format!("cost {cost}"), weakness);
            }
            if let Some(variant) = found.name("argon") {
                let (memory, time) = (number(found.name("m")), number(found.name("t")));
                // OWASP: m=19 MiB with t=2, or more memory with fewer passes (m=46 MiB, t=1).
                let weakness = (memory.saturating_mul(time) < 19_456 * 2).then(|| {
                    "below OWASP's minimum (m=19456 KiB with t=2, or an equal product)".to_string()
                });
                let scheme = match variant.as_str() {
                    "argon2id" => "Argon2id",
                    "argon2i" => "Argon2i",
                    _ => "Argon2d",
                };
                return HashStrength::new(scheme, format!("m={memory} KiB, t={time}"), weakness);
            }
            if let Some(log_n) = found.name("ln") {
                let log_n: u32 = log_n.as_str().parse().unwrap_or(0);
                return scrypt(1u64 << log_n.min(40), number(found.name("r")));
            }
            if let Some(n) = found.name("wzn") {
                return scrypt(n.as_str().parse().unwrap_or(0), number(found.name("wzr")));
            }
            if let Some(kind) = found.name("crypt") {
                return match kind.as_str() {
                    "1" => HashStrength::new(
                        "MD5-crypt",
                        "1,000 rounds".into(),
                        Some("a fast, broken scheme".into()),
                    ),
                    id => {
                        let rounds = found
                            .name("rounds")
                            .map_or(5_000, |r| r.as_str().parse().unwrap_or(5_000));
                        let scheme = if id == "6" {
                            "SHA512-crypt"
                        } else {
                            "SHA256-crypt"
                        };
                        HashStrength::new(
                            scheme,
                            format!("{} rounds", thousands(rounds)),
                            Some("not a memory-hard scheme: use Argon2id or bcrypt".into()),
                        )
                    }
                };
            }
            let (digest, iterations) = match (found.name("dj"), found.name("wz")) {
                (Some(digest), _) => (digest.as_str(), number(found.name("djiter"))),
                (None, Some(digest)) => (digest.as_str(), number(found.name("wziter"))),
                _ => ("sha256", 0),
            };
            let minimum = pbkdf2_minimum(digest);
            let weakness = (iterations < minimum)
                .then(|| format!("below OWASP's minimum of {} iterations", thousands(minimum)));
            HashStrength::new(
                &format!("PBKDF2-{}", digest.to_ascii_uppercase()),
                format!("{} iterations", thousands(iterations)),
                weakness,
            )
        })
        .collect()
}

fn scrypt(n: u64, r: u64) -> HashStrength {
    // OWASP: N=2^17 with r=8; N=2^15 (Werkzeug's default) is accepted here, smaller is not.
    let weakness = (n < 1 << 15 || r < 8).then(|| "below N=32768 with r=8".to_string());
    HashStrength::new("scrypt", format!("N={n}, r={r}"), weakness)
}

/// A bare hex digest given as the whole value of a password field: MD5, SHA-1, SHA-256 or
/// SHA-512 by its length — fast digests, weak whatever the salt.
pub fn bare_digest(value: &str) -> Option<HashStrength> {
    let value = value.trim();
    if !value.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let scheme = match value.len() {
        32 => "MD5",
        40 => "SHA-1",
        64 => "SHA-256",
        128 => "SHA-512",
        _ => return None,
    };
    Some(HashStrength::new(
        scheme,
        "one pass".into(),
        Some("a fast digest, cracked at billions of guesses a second".into()),
    ))
}

/// The weakest of several classified hashes (the first weak one, else the first).
pub fn weakest(hashes: &[HashStrength]) -> Option<&HashStrength> {
    hashes
        .iter()
        .find(|hash| hash.weakness.is_some())
        .or_else(|| hashes.first())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> HashStrength {
        let found = hashes_in(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found.into_iter().next().expect("one")
    }

    #[test]
    fn reads_scheme_and_cost_and_judges_them() {
        let weak = [
            (
                "$2b$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "bcrypt",
                "cost 4",
            ),
            (
                "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A",
                "Argon2id",
                "m=4096 KiB, t=1",
            ),
            (
                "$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaGhhc2g",
                "scrypt",
                "N=1024, r=8",
            ),
            (
                "pbkdf2_sha256$100000$salt123$yQJJ9EGfmZ0d3u0u2oWvF1l3x5o3Gx4sY2PZlVQ5Pf0=",
                "PBKDF2-SHA256",
                "100,000 iterations",
            ),
            (
                "pbkdf2:sha256:260000$QwErTy12$0123456789abcdef0123456789abcdef",
                "PBKDF2-SHA256",
                "260,000 iterations",
            ),
            (
                "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
                "SHA512-crypt",
                "5,000 rounds",
            ),
            (
                "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
                "MD5-crypt",
                "1,000 rounds",
            ),
        ];
        for (text, scheme, cost) in weak {
            let found = one(text);
            assert_eq!(
                (found.scheme.as_str(), found.cost.as_str()),
                (scheme, cost),
                "{text}"
            );
            assert!(found.weakness.is_some(), "{text} is weak");
        }
        let strong = [
            "$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
            "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A",
            "$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaGhhc2g",
            "scrypt:32768:8:1$QwErTy12$0123456789abcdef",
            "pbkdf2_sha256$870000$salt123$yQJJ9EGfmZ0d3u0u2oWvF1l3x5o3Gx4sY2PZlVQ5Pf0=",
        ];
        for text in strong {
            assert_eq!(one(text).weakness, None, "{text} meets AUTH-03");
        }
        assert_eq!(one(strong[0]).describe(), "bcrypt, cost 12");
    }

    #[test]
    fn hashes_are_found_inside_any_text_and_look_alikes_are_not() {
        let json = r#"[{"user":"a","hash":"$2a$08$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},{"user":"b","hash":"$2a$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"}]"#;
        let found = hashes_in(json);
        assert_eq!(found.len(), 2);
        assert_eq!(weakest(&found).map(|h| h.cost.as_str()), Some("cost 8"));
        for text in [
            "costs $2 and $10 each",
            "$6$ is the price",
            "pbkdf2_sha256 is the default",
            "scrypt:N:8",
        ] {
            assert!(hashes_in(text).is_empty(), "{text}");
        }
        assert_eq!(
            bare_digest("5f4dcc3b5aa765d61d8327deb882cf99").map(|h| h.scheme),
            Some("MD5".into())
        );
        assert_eq!(
            bare_digest("not-hex-at-all-but-32-characters").map(|h| h.scheme),
            None
        );
        assert_eq!(bare_digest("abc123"), None);
    }
}
