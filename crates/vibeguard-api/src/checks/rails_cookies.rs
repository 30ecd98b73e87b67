//! Rails' cookies, as ActionDispatch's cookie jars write them from `secret_key_base`.
//!
//! - **Encrypted** (`cookies.encrypted`, and the session cookie store since Rails 5.2):
//!   `base64(ciphertext)--base64(iv)--base64(tag)`, URL-escaped; AES-256-GCM with no associated
//!   data, under `PBKDF2(secret_key_base, "authenticated encrypted cookie", 1000 iterations)` —
//!   HMAC-SHA1 as its hash before Rails 7.0, HMAC-SHA256 since.
//! - **Signed** (`cookies.signed`, ActiveSupport's `MessageVerifier`): `base64(data)--hex(hmac)`,
//!   the HMAC (SHA-1, or SHA-256 where the app asks for it: the signature's length says which)
//!   keyed with `PBKDF2(secret_key_base, "signed cookie", 1000 iterations, 64 bytes)`.
//!
//! Either holds JSON (the `:json` serializer, the default since Rails 4.1) wrapped since Rails
//! 6.0 in the purpose envelope `{"_rails": {"message": base64(json), "exp": …, "pur":
//! "cookie.NAME"}}` (Rails 7.1: `"data": json` in place of `"message"`). Sessions serialized with
//! Marshal (`:marshal`, `:hybrid` apps upgraded from Rails 3) and the AES-CBC cookies of Rails
//! 4.0–5.1 are not read.
//!
//! Deriving a key costs a thousand HMAC rounds, so a secret is searched among the first
//! [`GUESSES`] candidates only (the list's framework defaults and common secrets come first).

use std::num::NonZeroU32;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::pbkdf2;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};

/// How many candidate secrets a Rails cookie is tried with (a key derivation each).
pub const GUESSES: usize = 2_000;

const ITERATIONS: NonZeroU32 = NonZeroU32::new(1000).expect("not zero");
const ENCRYPTED_SALT: &[u8] = b"authenticated encrypted cookie";
const SIGNED_SALT: &[u8] = b"signed cookie";

/// The hash of the key derivation: SHA-1 (Rails 5.2–6.1) or SHA-256 (Rails 7.0+).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDigest {
    /// `OpenSSL::Digest::SHA1`.
    Sha1,
    /// `OpenSSL::Digest::SHA256`.
    Sha256,
}

impl KeyDigest {
    const BOTH: [KeyDigest; 2] = [KeyDigest::Sha1, KeyDigest::Sha256];

    fn key(self, secret: &str, salt: &[u8], out: &mut [u8]) {
        let algorithm = match self {
            KeyDigest::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
            KeyDigest::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        };
        pbkdf2::derive(algorithm, ITERATIONS, salt, secret.as_bytes(), out);
    }
}

/// How the JSON sits in the cookie's plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    /// Bare JSON (Rails 5.2, or `use_cookies_with_metadata` off).
    Bare,
    /// `{"_rails": {"message": base64(json), "exp": …, "pur": …}}` (Rails 6.0–7.0).
    Message {
        /// The `exp` and `pur` members, kept as they were.
        metadata: serde_json::Map<String, Value>,
    },
    /// `{"_rails": {"data": json, "pur": …}}` (Rails 7.1+).
    Data {
        /// The members other than `data`, kept as they were.
        metadata: serde_json::Map<String, Value>,
    },
}

/// An encrypted cookie's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    ciphertext: Vec<u8>,
    iv: Vec<u8>,
    tag: Vec<u8>,
}

/// A signed cookie's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The base64 data the signature covers.
    data: String,
    signature: Vec<u8>,
}

/// The cookie value as the browser holds it, unescaped.
fn unescaped(value: &str) -> String {
    percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned()
}

/// An encrypted cookie, when `value` has its shape.
pub fn read_encrypted(value: &str) -> Option<Sealed> {
    let value = unescaped(value);
    let mut parts = value.split("--");
    let (ciphertext, iv, tag) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let sealed = Sealed {
        ciphertext: STANDARD.decode(ciphertext).ok()?,
        iv: STANDARD.decode(iv).ok()?,
        tag: STANDARD.decode(tag).ok()?,
    };
    (sealed.iv.len() == 12 && sealed.tag.len() == 16 && !sealed.ciphertext.is_empty())
        .then_some(sealed)
}

/// A signed cookie and the JSON it holds (its envelope opened), when `value` has its shape.
pub fn read_signed(value: &str) -> Option<(Signed, Value, Envelope)> {
    let value = unescaped(value);
    let (data, signature) = value.rsplit_once("--")?;
    if !matches!(signature.len(), 40 | 64) || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let signature = (0..signature.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&signature[at..at + 2], 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let (json, envelope) = unwrap(&STANDARD.decode(data).ok()?)?;
    Some((
        Signed {
            data: data.to_string(),
            signature,
        },
        json,
        envelope,
    ))
}

/// The JSON a plaintext carries, out of its envelope.
fn unwrap(plaintext: &[u8]) -> Option<(Value, Envelope)> {
    let outer: Value = serde_json::from_slice(plaintext).ok()?;
    let Some(rails) = outer.get("_rails").and_then(Value::as_object) else {
        return Some((outer, Envelope::Bare));
    };
    let mut metadata = rails.clone();
    if let Some(Value::String(message)) = metadata.remove("message") {
        let json = serde_json::from_slice(&STANDARD.decode(message).ok()?).ok()?;
        return Some((json, Envelope::Message { metadata }));
    }
    let json = metadata.remove("data")?;
    Some((json, Envelope::Data { metadata }))
}

/// `json` in `envelope`, as the plaintext the jar writes.
fn wrap(json: &Value, envelope: &Envelope) -> Vec<u8> {
    let outer = match envelope {
        Envelope::Bare => json.clone(),
        Envelope::Message { metadata } => {
            let mut rails = metadata.clone();
            rails.insert(
                "message".into(),
                Value::String(STANDARD.encode(json.to_string())),
            );
            json!({ "_rails": rails })
        }
        Envelope::Data { metadata } => {
            let mut rails = metadata.clone();
            rails.insert("data".into(), json.clone());
            json!({ "_rails": rails })
        }
    };
    outer.to_string().into_bytes()
}

fn gcm_key(secret: &str, digest: KeyDigest) -> Option<LessSafeKey> {
    let mut key = [0u8; 32];
    digest.key(secret, ENCRYPTED_SALT, &mut key);
    Some(LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).ok()?))
}

/// Opens an encrypted cookie with `secret`: the JSON, its envelope and the key's digest.
pub fn open(sealed: &Sealed, secret: &str) -> Option<(Value, Envelope, KeyDigest)> {
    KeyDigest::BOTH.into_iter().find_map(|digest| {
        let key = gcm_key(secret, digest)?;
        let nonce = Nonce::try_assume_unique_for_key(&sealed.iv).ok()?;
        let mut text = sealed.ciphertext.clone();
        let plaintext = key
            .open_in_place_separate_tag(nonce, Aad::empty(), &sealed.tag, &mut text)
            .ok()?;
        let (json, envelope) = unwrap(plaintext)?;
        Some((json, envelope, digest))
    })
}

/// An encrypted cookie holding `json` in `envelope`, under `secret`, escaped as the jar
/// escapes it.
pub fn seal(json: &Value, envelope: &Envelope, secret: &str, digest: KeyDigest) -> Option<String> {
    let key = gcm_key(secret, digest)?;
    let mut iv = [0u8; 12];
    aws_lc_rs::rand::fill(&mut iv).ok()?;
    let mut text = wrap(json, envelope);
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut text)
        .ok()?;
    Some(escaped(&format!(
        "{}--{}--{}",
        STANDARD.encode(&text),
        STANDARD.encode(iv),
        STANDARD.encode(tag.as_ref())
    )))
}

fn signing_key(secret: &str, digest: KeyDigest) -> [u8; 64] {
    let mut key = [0u8; 64];
    digest.key(secret, SIGNED_SALT, &mut key);
    key
}

fn hmac_of(key: &[u8], data: &[u8], long: bool) -> Vec<u8> {
    if long {
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("any key");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    } else {
        let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).expect("any key");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
}

/// The key digest under which `secret` signs the cookie, when it does.
pub fn verify(signed: &Signed, secret: &str) -> Option<KeyDigest> {
    let long = signed.signature.len() == 32;
    KeyDigest::BOTH.into_iter().find(|&digest| {
        hmac_of(&signing_key(secret, digest), signed.data.as_bytes(), long) == signed.signature
    })
}

/// A signed cookie holding `json` in `envelope`, under `secret`.
pub fn sign(
    json: &Value,
    envelope: &Envelope,
    secret: &str,
    digest: KeyDigest,
    long: bool,
) -> String {
    let data = STANDARD.encode(wrap(json, envelope));
    let signature: String = hmac_of(&signing_key(secret, digest), data.as_bytes(), long)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    escaped(&format!("{data}--{signature}"))
}

impl Signed {
    /// Whether its signature is HMAC-SHA256 (else HMAC-SHA1).
    pub fn long(&self) -> bool {
        self.signature.len() == 32
    }
}

/// A value escaped as Rack escapes cookie values.
fn escaped(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Written by ActionPack 6.1.7's cookie jar (Debian's ruby-actionpack) for
    // `{"session_id": "0d6c…", "user_id": 1, "_csrf_token": "q2Zc…"}`: the session store's
    // encrypted cookie under `secret_key_base = "secret"` (6.1's SHA-1 key derivation) and under
    // `"changeme"` with the jar given Rails 7.0's key generator (`OpenSSL::PKCS5.pbkdf2_hmac`
    // with SHA-256), and a `cookies.signed` value under `"secret"`.
    const ENCRYPTED_SHA1: &str = "a0x5%2FUbLiSFvSR1ALnpjx6ZFG98ZF8ySPmi1l1Ryc4PYlvDz3%2FpkwZ0NoPwpTrEmbDMzRtsl6dP06eMIWfFw%2FgTXfl3N8hrdK6XbbWy2MRk9LTsaoJVCyKmnhZE%2F%2BJoMeMyf1fZrxciGArI%2B5HKTwo6yTtn9hD5Okkw3GV0ZS9vLhhl0sVF1EKu8z%2BXpA1zSbayqlJ1VHZmndBytJn%2F5emPqFkwF%2BTX93eswVWJmzG9e5uIOWewuvnfIKjqsMZAxRtoPXB9T6qi2Clh0x%2Bn6J%2FpdF6Lx0hVfR8FYxnv%2FViGTjGI%2BpA%3D%3D--o2Dc4ixqtXRnYFRd--lNh4zMbbWkVFqJNmq2M52Q%3D%3D";
    const ENCRYPTED_SHA256: &str = "Nhn%2FxQIv09aVp%2BDzLt5HB3PFF0xeyWzpqvDUpzOmlVwv8nJ6HIzDhuihst2I1CrUvHtLo2Ju%2BQjEiij4ZKeb3FHHkjeTMujMjtRyE6hOU%2BXzJwiv5K%2F8DWQadzk8i4%2F5BcfJ2DoUqDDj0zMKWu%2FQw78sk0TSEBMTX5JwtrbNZu%2Bmn8kwMBfkK%2BTPLqf2kltqLzj6FnyU5SLswWTQF9irCy5TDa2c6AzM1GcG3RjRbLhCYdCpbKk240NO6mId9U2mP0GjYqPz22D3N1GeD%2FUtyc4B7H73dP%2BGewa9nPqu0WfYlDl87g%3D%3D--NaHpefFuWZldsR%2FX--BG%2BP%2Bf5fDYxTN49D5vGa2g%3D%3D";
    const SIGNED: &str = "eyJfcmFpbHMiOnsibWVzc2FnZSI6ImV5SnpaWE56YVc5dVgybGtJam9pTUdRMll6RmlNMkU1WlRKbU5HTTFaRGhoTjJJMlpURm1NbUV6WWpSak5XUWlMQ0oxYzJWeVgybGtJam94TENKZlkzTnlabDkwYjJ0bGJpSTZJbkV5V21NNWVVWlJPSGhyTTNaS2RGRmxPR1F4V1RCMVNscHpOM2R4Tm13NVlqTlFXakJ0TlZoeVZtYzlJbjA9IiwiZXhwIjpudWxsLCJwdXIiOiJjb29raWUucmVtZW1iZXJfdXNlciJ9fQ%3D%3D--6d7873ca5fea5124d7a74e907544c114ef8d559b";

    #[test]
    fn encrypted_cookies_rails_wrote_open_under_their_key_only() {
        let sealed = read_encrypted(ENCRYPTED_SHA1).expect("the shape");
        let (json, envelope, digest) = open(&sealed, "secret").expect("opens");
        assert_eq!(json["user_id"], 1);
        assert_eq!(digest, KeyDigest::Sha1);
        assert!(
            matches!(&envelope, Envelope::Message { metadata } if metadata["pur"] == "cookie._blog_session")
        );
        assert!(open(&sealed, "not-the-key").is_none());

        let newer = read_encrypted(ENCRYPTED_SHA256).expect("the shape");
        let (json, _, digest) = open(&newer, "changeme").expect("opens");
        assert_eq!(json["session_id"], "0d6c1b3a9e2f4c5d8a7b6e1f2a3b4c5d");
        assert_eq!(digest, KeyDigest::Sha256);
        assert!(open(&newer, "secret").is_none());
    }

    #[test]
    fn an_edited_session_sealed_again_opens_as_edited() {
        let sealed = read_encrypted(ENCRYPTED_SHA1).expect("the shape");
        let (mut json, envelope, digest) = open(&sealed, "secret").expect("opens");
        json["user_id"] = json!(2);
        let forged = seal(&json, &envelope, "secret", digest).expect("seals");
        let (reopened, same_envelope, _) =
            open(&read_encrypted(&forged).expect("the shape"), "secret").expect("opens");
        assert_eq!(reopened["user_id"], 2);
        assert_eq!(same_envelope, envelope);
    }

    #[test]
    fn signed_cookies_are_read_verified_and_signed_again() {
        let (signed, json, envelope) = read_signed(SIGNED).expect("the shape");
        assert_eq!(json["user_id"], 1);
        assert_eq!(verify(&signed, "secret"), Some(KeyDigest::Sha1));
        assert_eq!(verify(&signed, "secret1"), None);
        let mut edited = json.clone();
        edited["user_id"] = json!(2);
        let again = sign(&edited, &envelope, "secret", KeyDigest::Sha1, signed.long());
        let (resigned, json, same_envelope) = read_signed(&again).expect("the shape");
        assert_eq!(json["user_id"], 2);
        assert_eq!(same_envelope, envelope);
        assert_eq!(verify(&resigned, "secret"), Some(KeyDigest::Sha1));
    }

    #[test]
    fn other_cookies_are_not_taken_for_rails_ones() {
        // An express-session id, a Flask cookie, a JWT, a random token.
        for value in [
            "s%3AkZ2x.abcdefghijklmnop",
            "eyJ1c2VyX2lkIjoxfQ.Z1x2Yw.abcdefghijklmnopqrstuvwxyz0",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
            "3f9a1c0b7e",
        ] {
            assert!(read_encrypted(value).is_none(), "{value}");
            assert!(read_signed(value).is_none(), "{value}");
        }
    }
}
