//! HS256 JSON Web Tokens for the demo API: signed with HMAC-SHA256, and — in the vulnerable
//! mode — read without checking the signature, the way `jwt.decode` gets used by mistake.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// Signs `claims` with `secret`.
pub fn sign(claims: &Value, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(hmac(secret, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

fn hmac(secret: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The claims, without checking anything (the vulnerable mode's mistake).
pub fn decode_unverified(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// The claims, when the signature is valid and the token has not expired.
pub fn verify(token: &str, secret: &[u8], now: u64) -> Option<Value> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let expected = URL_SAFE_NO_PAD.encode(hmac(secret, signing_input.as_bytes()));
    // Constant-time comparison of the encoded signatures.
    if expected.len() != signature.len()
        || expected
            .bytes()
            .zip(signature.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
    {
        return None;
    }
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(signing_input.split('.').next()?)
            .ok()?,
    )
    .ok()?;
    if header.get("alg") != Some(&json!("HS256")) {
        return None;
    }
    let claims = decode_unverified(token)?;
    let expiry = claims.get("exp").and_then(Value::as_u64)?;
    (expiry > now).then_some(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_tokens_verify_and_tampered_or_expired_ones_do_not() {
        let token = sign(&json!({"sub": "1", "exp": 2000}), b"secret");
        assert_eq!(
            verify(&token, b"secret", 1000).and_then(|c| c.get("sub").cloned()),
            Some(json!("1"))
        );
        assert!(verify(&token, b"other", 1000).is_none());
        assert!(verify(&token, b"secret", 3000).is_none(), "expired");
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push('A');
        assert!(verify(&tampered, b"secret", 1000).is_none());
        assert!(
            decode_unverified(&tampered).is_some(),
            "decode does not care"
        );
    }
}
