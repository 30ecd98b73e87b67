//! Session cookies that carry the session itself, in the formats frameworks write them: what
//! they hold, whether a key signs them, and how to sign an edited one.
//!
//! - **Flask** (itsdangerous `URLSafeTimedSerializer`, salt `cookie-session`, HMAC-SHA1 with
//!   the key derived by HMAC): `payload.timestamp.signature`, the payload base64url JSON or,
//!   after a leading `.`, zlib-compressed JSON.
//! - **Django** (`SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"`,
//!   `TimestampSigner` salted `django.contrib.sessions.backends.signed_cookies`, HMAC-SHA256
//!   under `sha256(salt + "signer" + SECRET_KEY)`): `payload:timestamp:signature`, the payload
//!   base64url JSON or, after a leading `.`, zlib-compressed JSON.
//! - **Express cookie-session** (keygrip): `NAME=<base64 JSON>` signed in a second cookie
//!   `NAME.sig` = base64url(HMAC-SHA1(key, "NAME=<value>")).
//! - **Rails** (ActionDispatch's cookie store, encrypted since 5.2; `cookies.signed`): see
//!   [`super::rails_cookies`]. An encrypted session is read once its key is found ([`open`]).
//! - **Unsigned**: a cookie that is base64 or URL-encoded JSON (`j:{…}` from Express's
//!   `res.cookie`), with no signature at all.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha1::Sha1;

use super::rails_cookies;

/// A session cookie whose content vibeguard can read.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionCookie {
    /// Flask's signed cookie.
    Flask {
        /// The session.
        session: Value,
        /// Whether the payload was compressed.
        compressed: bool,
        /// `payload.timestamp`, what the signature covers.
        signed: String,
        /// The timestamp part, kept when re-signing.
        timestamp: String,
        /// The signature bytes.
        signature: Vec<u8>,
    },
    /// Django's signed-cookie session.
    Django {
        /// The session.
        session: Value,
        /// Whether the payload was compressed.
        compressed: bool,
        /// `payload:timestamp`, what the signature covers.
        signed: String,
        /// The timestamp part, kept when re-signing.
        timestamp: String,
        /// The signature bytes.
        signature: Vec<u8>,
    },
    /// cookie-session's value, signed in `NAME.sig` (keygrip).
    Keygrip {
        /// The session.
        session: Value,
        /// The signature bytes.
        signature: Vec<u8>,
    },
    /// Rails' encrypted cookie: its session is `Null` until [`open`] finds it.
    RailsEncrypted {
        /// The session, once opened.
        session: Value,
        /// The cookie's parts.
        sealed: rails_cookies::Sealed,
        /// Once opened: the envelope and the key digest, to seal an edited one the same way.
        opened: Option<(rails_cookies::Envelope, rails_cookies::KeyDigest)>,
    },
    /// Rails' signed cookie (`MessageVerifier`).
    RailsSigned {
        /// The session.
        session: Value,
        /// The cookie's parts.
        signed: rails_cookies::Signed,
        /// Its envelope.
        envelope: rails_cookies::Envelope,
    },
    /// JSON in the cookie itself, signed by nothing.
    Unsigned {
        /// The session.
        session: Value,
        /// How it was written, to write an edited one the same way.
        encoding: UnsignedEncoding,
    },
}

/// How an unsigned session is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsignedEncoding {
    /// Standard base64 of JSON (cookie-session without keys).
    Base64,
    /// base64url of JSON.
    Base64Url,
    /// URL-encoded `j:` JSON (Express `res.cookie(name, object)`).
    ExpressJson,
    /// URL-encoded JSON.
    Json,
}

impl SessionCookie {
    /// The session it holds.
    pub fn session(&self) -> &Value {
        match self {
            SessionCookie::Flask { session, .. }
            | SessionCookie::Django { session, .. }
            | SessionCookie::Keygrip { session, .. }
            | SessionCookie::RailsEncrypted { session, .. }
            | SessionCookie::RailsSigned { session, .. }
            | SessionCookie::Unsigned { session, .. } => session,
        }
    }

    /// Its kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            SessionCookie::Flask { .. } => "Flask's signed session cookie",
            SessionCookie::Django { .. } => "Django's signed-cookie session",
            SessionCookie::Keygrip { .. } => "a cookie-session cookie signed with keygrip",
            SessionCookie::RailsEncrypted { .. } => "Rails' encrypted session cookie",
            SessionCookie::RailsSigned { .. } => "a Rails signed cookie",
            SessionCookie::Unsigned { .. } => "an unsigned session cookie",
        }
    }
}

/// Reads cookie `name`'s `value`; `signature` is the value of `NAME.sig` when the identity
/// holds one.
pub fn read(name: &str, value: &str, signature: Option<&str>) -> Option<SessionCookie> {
    if let Some(signature) = signature {
        let session = json_of(&STANDARD.decode(value).ok()?)?;
        return Some(SessionCookie::Keygrip {
            session,
            signature: URL_SAFE_NO_PAD
                .decode(signature.trim_end_matches('='))
                .ok()?,
        });
    }
    if let Some(flask) = read_flask(value) {
        return Some(flask);
    }
    if let Some(django) = read_django(value) {
        return Some(django);
    }
    if let Some(sealed) = rails_cookies::read_encrypted(value) {
        return Some(SessionCookie::RailsEncrypted {
            session: Value::Null,
            sealed,
            opened: None,
        });
    }
    if let Some((signed, session, envelope)) = rails_cookies::read_signed(value) {
        return Some(SessionCookie::RailsSigned {
            session,
            signed,
            envelope,
        });
    }
    let _ = name;
    read_unsigned(value)
}

fn json_of(bytes: &[u8]) -> Option<Value> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    value.is_object().then_some(value)
}

fn read_flask(value: &str) -> Option<SessionCookie> {
    let (signed, signature) = value.rsplit_once('.')?;
    let (payload, timestamp) = signed.rsplit_once('.')?;
    if timestamp.is_empty() || timestamp.len() > 8 {
        return None;
    }
    let (session, compressed) = signed_payload(payload)?;
    Some(SessionCookie::Flask {
        session,
        compressed,
        signed: signed.to_string(),
        timestamp: timestamp.to_string(),
        signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
    })
}

/// A signed payload's JSON: base64url, or zlib-compressed after a leading `.` (itsdangerous
/// and Django alike); and whether it was compressed.
fn signed_payload(payload: &str) -> Option<(Value, bool)> {
    let (compressed, body) = match payload.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, payload),
    };
    let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
    let json = if compressed {
        let mut out = Vec::new();
        let decoder = flate2::read::ZlibDecoder::new(bytes.as_slice());
        // A session cookie is at most 4 KB: a small cap keeps a hostile one bounded.
        std::io::Read::read_to_end(&mut std::io::Read::take(decoder, 64 * 1024), &mut out).ok()?;
        out
    } else {
        bytes
    };
    Some((json_of(&json)?, compressed))
}

/// A payload written the way it was read: compressed after a `.` or not.
fn write_payload(json: &str, compressed: bool) -> String {
    if compressed {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = std::io::Write::write_all(&mut encoder, json.as_bytes());
        format!(
            ".{}",
            URL_SAFE_NO_PAD.encode(encoder.finish().unwrap_or_default())
        )
    } else {
        URL_SAFE_NO_PAD.encode(json.as_bytes())
    }
}

fn read_django(value: &str) -> Option<SessionCookie> {
    let value = value.trim_matches('"');
    let (signed, signature) = value.rsplit_once(':')?;
    let (payload, timestamp) = signed.rsplit_once(':')?;
    if timestamp.is_empty()
        || timestamp.len() > 8
        || !timestamp.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let (session, compressed) = signed_payload(payload)?;
    Some(SessionCookie::Django {
        session,
        compressed,
        signed: signed.to_string(),
        timestamp: timestamp.to_string(),
        signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
    })
}

fn read_unsigned(value: &str) -> Option<SessionCookie> {
    let decoded = percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()?
        .into_owned();
    if let Some(json) = decoded.strip_prefix("j:") {
        return Some(SessionCookie::Unsigned {
            session: json_of(json.as_bytes())?,
            encoding: UnsignedEncoding::ExpressJson,
        });
    }
    if let Some(session) = json_of(decoded.as_bytes()) {
        return Some(SessionCookie::Unsigned {
            session,
            encoding: UnsignedEncoding::Json,
        });
    }
    if let Some(session) = STANDARD.decode(value).ok().and_then(|b| json_of(&b)) {
        return Some(SessionCookie::Unsigned {
            session,
            encoding: UnsignedEncoding::Base64,
        });
    }
    let session = URL_SAFE
        .decode(value)
        .ok()
        .or_else(|| URL_SAFE_NO_PAD.decode(value).ok())
        .and_then(|b| json_of(&b))?;
    Some(SessionCookie::Unsigned {
        session,
        encoding: UnsignedEncoding::Base64Url,
    })
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Flask's signing key for a secret: HMAC-SHA1 of the salt under the secret.
fn flask_key(secret: &[u8]) -> Vec<u8> {
    hmac_sha1(secret, b"cookie-session")
}

/// The salt Django's signed-cookie sessions are signed with.
const DJANGO_SALT: &str = "django.contrib.sessions.backends.signed_cookies";

/// Django's signature of `signed` under `secret`: HMAC-SHA256 keyed with
/// `sha256(salt + "signer" + secret)`.
fn django_signature(secret: &str, signed: &str) -> Vec<u8> {
    use sha2::Digest as _;
    let key = sha2::Sha256::digest(format!("{DJANGO_SALT}signer{secret}").as_bytes());
    let mut mac =
        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(signed.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether `secret` signs the cookie (`name` is the cookie's name, which keygrip signs too).
pub fn signed_with(cookie: &SessionCookie, name: &str, value: &str, secret: &str) -> bool {
    match cookie {
        SessionCookie::Flask {
            signed, signature, ..
        } => hmac_sha1(&flask_key(secret.as_bytes()), signed.as_bytes()) == *signature,
        SessionCookie::Django {
            signed, signature, ..
        } => django_signature(secret, signed) == *signature,
        SessionCookie::Keygrip { signature, .. } => {
            hmac_sha1(secret.as_bytes(), format!("{name}={value}").as_bytes()) == *signature
        }
        SessionCookie::RailsEncrypted { sealed, .. } => {
            rails_cookies::open(sealed, secret).is_some()
        }
        SessionCookie::RailsSigned { signed, .. } => {
            rails_cookies::verify(signed, secret).is_some()
        }
        SessionCookie::Unsigned { .. } => false,
    }
}

/// The secret among `candidates` that signs the cookie — among the first
/// [`rails_cookies::GUESSES`] for Rails' cookies, whose keys take a thousand rounds each.
pub fn find_secret<'c>(
    cookie: &SessionCookie,
    name: &str,
    value: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let slow = matches!(
        cookie,
        SessionCookie::RailsEncrypted { .. } | SessionCookie::RailsSigned { .. }
    );
    candidates
        .into_iter()
        .take(if slow {
            rails_cookies::GUESSES
        } else {
            usize::MAX
        })
        .find(|secret| signed_with(cookie, name, value, secret))
}

/// The cookie with its session read under `secret`, for the formats that hide it (Rails'
/// encrypted cookie); the others as they are.
pub fn open(cookie: SessionCookie, secret: &str) -> SessionCookie {
    match cookie {
        SessionCookie::RailsEncrypted { sealed, .. } => {
            match rails_cookies::open(&sealed, secret) {
                Some((session, envelope, digest)) => SessionCookie::RailsEncrypted {
                    session,
                    sealed,
                    opened: Some((envelope, digest)),
                },
                None => SessionCookie::RailsEncrypted {
                    session: Value::Null,
                    sealed,
                    opened: None,
                },
            }
        }
        other => other,
    }
}

/// The cookies that carry `session` in place of the cookie's own: (name, value) pairs, signed
/// with `secret` where the format is signed.
pub fn write(
    cookie: &SessionCookie,
    name: &str,
    session: &Value,
    secret: Option<&str>,
) -> Vec<(String, String)> {
    let json = session.to_string();
    match cookie {
        SessionCookie::Flask {
            compressed,
            timestamp,
            ..
        } => {
            let signed = format!("{}.{timestamp}", write_payload(&json, *compressed));
            let signature = hmac_sha1(
                &flask_key(secret.unwrap_or_default().as_bytes()),
                signed.as_bytes(),
            );
            vec![(
                name.to_string(),
                format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)),
            )]
        }
        SessionCookie::Django {
            compressed,
            timestamp,
            ..
        } => {
            let signed = format!("{}:{timestamp}", write_payload(&json, *compressed));
            let signature = django_signature(secret.unwrap_or_default(), &signed);
            vec![(
                name.to_string(),
                format!("{signed}:{}", URL_SAFE_NO_PAD.encode(signature)),
            )]
        }
        SessionCookie::Keygrip { .. } => {
            let value = STANDARD.encode(json.as_bytes());
            let signature = hmac_sha1(
                secret.unwrap_or_default().as_bytes(),
                format!("{name}={value}").as_bytes(),
            );
            vec![
                (name.to_string(), value),
                (format!("{name}.sig"), URL_SAFE_NO_PAD.encode(signature)),
            ]
        }
        SessionCookie::RailsEncrypted { opened, .. } => {
            let Some((envelope, digest)) = opened else {
                return Vec::new();
            };
            rails_cookies::seal(session, envelope, secret.unwrap_or_default(), *digest)
                .map(|value| vec![(name.to_string(), value)])
                .unwrap_or_default()
        }
        SessionCookie::RailsSigned {
            signed, envelope, ..
        } => {
            let secret = secret.unwrap_or_default();
            let digest =
                rails_cookies::verify(signed, secret).unwrap_or(rails_cookies::KeyDigest::Sha1);
            vec![(
                name.to_string(),
                rails_cookies::sign(session, envelope, secret, digest, signed.long()),
            )]
        }
        SessionCookie::Unsigned { encoding, .. } => {
            let encode = |text: &str| {
                percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            };
            let value = match encoding {
                UnsignedEncoding::Base64 => STANDARD.encode(json.as_bytes()),
                UnsignedEncoding::Base64Url => URL_SAFE_NO_PAD.encode(json.as_bytes()),
                UnsignedEncoding::ExpressJson => encode(&format!("j:{json}")),
                UnsignedEncoding::Json => encode(&json),
            };
            vec![(name.to_string(), value)]
        }
    }
}

/// `session` with every value that names `own` (its id, username or e-mail) replaced by what
/// names `other`, and whether anything was replaced.
pub fn swap_account(session: &Value, own: &[String], other: &[String]) -> (Value, bool) {
    let mut changed = false;
    let swapped = swap(session, own, other, &mut changed);
    (swapped, changed)
}

fn swap(value: &Value, own: &[String], other: &[String], changed: &mut bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), swap(v, own, other, changed)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| swap(v, own, other, changed)).collect())
        }
        Value::String(text) => match own.iter().position(|o| o == text) {
            Some(index) if index < other.len() => {
                *changed = true;
                Value::String(other[index].clone())
            }
            _ => value.clone(),
        },
        Value::Number(number) => match own.iter().position(|o| *o == number.to_string()) {
            Some(index) if index < other.len() => {
                *changed = true;
                other[index]
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(other[index].clone()))
            }
            _ => value.clone(),
        },
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cookie Flask 3.0 / itsdangerous 2 wrote with `SECRET_KEY = "s3cr3t"` for
    /// `{"_user_id": "1", "_fresh": True}` (`SecureCookieSessionInterface().get_signing_serializer(app).dumps(…)`).
    const FLASK: &str =
        "eyJfdXNlcl9pZCI6IjEiLCJfZnJlc2giOnRydWV9.axVC4Q.cgaANn_kPMZA0WjHSqcPmlYwo8c";

    #[test]
    fn flask_cookies_are_read_and_their_weak_key_found() {
        let cookie = read("session", FLASK, None).expect("a Flask cookie");
        assert_eq!(cookie.session()["_user_id"], "1");
        assert_eq!(
            find_secret(&cookie, "session", FLASK, ["secret", "dev", "s3cr3t"]),
            Some("s3cr3t")
        );
        assert!(!signed_with(&cookie, "session", FLASK, "changeme"));
        // Re-signed for user 2 with the same key, it reads back and verifies.
        let (edited, changed) = swap_account(cookie.session(), &["1".into()], &["2".into()]);
        assert!(changed);
        let forged = write(&cookie, "session", &edited, Some("s3cr3t"));
        let again = read("session", &forged[0].1, None).expect("forged cookie");
        assert_eq!(again.session()["_user_id"], "2");
        assert!(signed_with(&again, "session", &forged[0].1, "s3cr3t"));
    }

    #[test]
    fn django_signed_cookie_sessions_are_read_their_weak_key_found_and_rewritten() {
        // Written by Django 5.1's own `signing.dumps(…, salt="django.contrib.sessions.backends.
        // signed_cookies", compress=True)`, as its signed-cookie session engine does.
        let value = ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOpOTEpWqgUAjnEncw:1xaCzf:HOBmTIz95gPMTz4KntdYW_cbUWwIGOE0cP5wwvd_jSg";
        let cookie = read("sessionid", value, None).expect("a Django cookie");
        assert!(matches!(
            cookie,
            SessionCookie::Django {
                compressed: true,
                ..
            }
        ));
        assert_eq!(cookie.session()["_auth_user_id"], "1");
        assert!(signed_with(
            &cookie,
            "sessionid",
            value,
            "django-insecure-changeme"
        ));
        assert!(!signed_with(&cookie, "sessionid", value, "changeme"));
        // Uncompressed, another key.
        let plain =
            "eyJfYXV0aF91c2VyX2lkIjoiMiJ9:1xaCzf:nTrLebnBTdnZpFfrrAwDpgR_4EDb3tANky8nmZXppBI";
        let cookie = read("sessionid", plain, None).expect("a Django cookie");
        assert_eq!(
            find_secret(&cookie, "sessionid", plain, ["dev", "secret", "x"]),
            Some("secret")
        );
        // Rewritten with the key, it is exactly what Django would have written.
        let written = write(&cookie, "sessionid", cookie.session(), Some("secret"));
        assert_eq!(written, vec![("sessionid".to_string(), plain.to_string())]);
        // An opaque session id (Django's default database sessions) is no subject.
        assert!(read("sessionid", "k2v8c1xq0zv5y7m3n4b6t9r2w1e8u0i7", None).is_none());
    }

    #[test]
    fn compressed_flask_payloads_round_trip() {
        let session = serde_json::json!({ "_id": "a".repeat(128), "_user_id": "1" });
        let template = SessionCookie::Flask {
            session: session.clone(),
            compressed: true,
            signed: String::new(),
            timestamp: "aVQ3Tw".into(),
            signature: Vec::new(),
        };
        let written = write(&template, "session", &session, Some("k"));
        assert!(written[0].1.starts_with('.'));
        let back = read("session", &written[0].1, None).expect("read");
        assert_eq!(back.session(), &session);
        assert!(signed_with(&back, "session", &written[0].1, "k"));
    }

    #[test]
    fn keygrip_and_unsigned_cookies() {
        let session = serde_json::json!({ "userId": 7, "name": "ada" });
        let template = SessionCookie::Keygrip {
            session: session.clone(),
            signature: Vec::new(),
        };
        let pair = write(&template, "session", &session, Some("keyboard cat"));
        let cookie = read("session", &pair[0].1, Some(&pair[1].1)).expect("keygrip");
        assert!(signed_with(&cookie, "session", &pair[0].1, "keyboard cat"));
        assert!(!signed_with(&cookie, "session", &pair[0].1, "secret"));
        for value in [
            STANDARD.encode(session.to_string()),
            format!(
                "j%3A{}",
                percent_encoding::utf8_percent_encode(
                    &session.to_string(),
                    percent_encoding::NON_ALPHANUMERIC
                )
            ),
        ] {
            let cookie = read("user", &value, None).expect("unsigned");
            assert!(matches!(cookie, SessionCookie::Unsigned { .. }), "{value}");
            let (edited, changed) = swap_account(
                cookie.session(),
                &["7".into(), "ada".into()],
                &["8".into(), "ben".into()],
            );
            assert!(changed);
            assert_eq!(edited, serde_json::json!({ "userId": 8, "name": "ben" }));
            let written = write(&cookie, "user", &edited, None);
            assert_eq!(
                read("user", &written[0].1, None).expect("back").session(),
                &edited
            );
        }
        // Opaque session ids are not sessions vibeguard can read.
        assert!(read("connect.sid", "s%3AJ8nV.abcdef", None).is_none());
        assert!(read("sessionid", "x7hq2m9v0a1b2c3d4e5f", None).is_none());
    }
}
