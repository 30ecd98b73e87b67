//! Which old TLS versions the target's server still accepts. A raw ClientHello offering only
//! TLS 1.0 (or 1.1) with the cipher suites those versions used is sent to the target's own
//! host and port; a ServerHello for that version means it was accepted, an alert or a closed
//! connection that it was refused. No handshake is completed and nothing else is sent; one
//! connection per version, bounded in time and in bytes read.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An old protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyVersion {
    /// TLS 1.0.
    Tls10,
    /// TLS 1.1.
    Tls11,
}

impl LegacyVersion {
    fn wire(self) -> [u8; 2] {
        match self {
            LegacyVersion::Tls10 => [0x03, 0x01],
            LegacyVersion::Tls11 => [0x03, 0x02],
        }
    }

    /// `TLS 1.0`.
    pub fn name(self) -> &'static str {
        match self {
            LegacyVersion::Tls10 => "TLS 1.0",
            LegacyVersion::Tls11 => "TLS 1.1",
        }
    }
}

/// Cipher suites of TLS 1.0/1.1 servers: ECDHE and RSA key exchange with AES-CBC, 3DES, and
/// the renegotiation signalling value.
const SUITES: &[u16] = &[
    0xC013, 0xC014, 0xC009, 0xC00A, 0x002F, 0x0035, 0x000A, 0x0033, 0x0039, 0x00FF,
];

/// The ClientHello record for a version and a server name (sent only when it is a name, not
/// an address).
pub fn client_hello(version: LegacyVersion, server_name: Option<&str>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&version.wire());
    // Random: its content does not matter for a probe; fixed so the bytes are reproducible.
    body.extend((0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(11)));
    body.push(0); // session id
    body.extend_from_slice(&((SUITES.len() * 2) as u16).to_be_bytes());
    for suite in SUITES {
        body.extend_from_slice(&suite.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null
    let mut extensions = Vec::new();
    if let Some(name) = server_name.filter(|n| !n.is_empty() && n.len() < 256) {
        let name = name.as_bytes();
        let mut entry = vec![0u8]; // host_name
        entry.extend_from_slice(&(name.len() as u16).to_be_bytes());
        entry.extend_from_slice(name);
        let mut list = (entry.len() as u16).to_be_bytes().to_vec();
        list.extend(entry);
        extensions.extend_from_slice(&[0x00, 0x00]);
        extensions.extend_from_slice(&(list.len() as u16).to_be_bytes());
        extensions.extend(list);
    }
    // supported_groups: secp256r1, secp384r1, x25519; ec_point_formats: uncompressed.
    extensions.extend_from_slice(&[
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0x00, 0x1d,
    ]);
    extensions.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    body.extend(extensions);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend(handshake);
    record
}

/// What the first bytes of the server's answer say: `Some(true)` a ServerHello for the
/// version, `Some(false)` an alert or another version, `None` not enough bytes to tell.
pub fn judge(version: LegacyVersion, answer: &[u8]) -> Option<bool> {
    let content_type = *answer.first()?;
    if content_type == 0x15 {
        return Some(false);
    }
    if content_type != 0x16 {
        return Some(false);
    }
    // Record header (5), handshake type (1), length (3), server_version (2).
    let handshake_type = *answer.get(5)?;
    let server_version = answer.get(9..11)?;
    Some(handshake_type == 0x02 && server_version == version.wire())
}

/// Whether `host:port` accepts a handshake at `version`. Errors are connection failures
/// (the caller reports them as "unknown", not as a result).
pub async fn accepts(
    host: &str,
    port: u16,
    version: LegacyVersion,
    timeout: Duration,
) -> std::io::Result<bool> {
    let server_name = host
        .parse::<std::net::IpAddr>()
        .is_err()
        .then_some(host.trim_start_matches('[').trim_end_matches(']'));
    let exchange = async {
        let mut stream =
            TcpStream::connect((host.trim_start_matches('[').trim_end_matches(']'), port)).await?;
        stream
            .write_all(&client_hello(version, server_name))
            .await?;
        let mut answer = Vec::new();
        let mut buffer = [0u8; 1024];
        loop {
            let read = stream.read(&mut buffer).await?;
            if read == 0 {
                // Closed without a word: refused.
                return Ok(judge(version, &answer).unwrap_or(false));
            }
            answer.extend_from_slice(&buffer[..read]);
            if let Some(verdict) = judge(version, &answer) {
                return Ok(verdict);
            }
            if answer.len() > 16 * 1024 {
                return Ok(false);
            }
        }
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer to the ClientHello")
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_hello_is_well_formed() {
        let hello = client_hello(LegacyVersion::Tls11, Some("api.example.com"));
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        let record_length = u16::from_be_bytes([hello[3], hello[4]]) as usize;
        assert_eq!(record_length, hello.len() - 5);
        assert_eq!(hello[5], 0x01);
        let handshake_length = u32::from_be_bytes([0, hello[6], hello[7], hello[8]]) as usize;
        assert_eq!(handshake_length, hello.len() - 9);
        assert_eq!(&hello[9..11], &[0x03, 0x02]);
        assert!(hello.windows(15).any(|w| w == b"api.example.com"));
        // No server name for addresses.
        let bare = client_hello(LegacyVersion::Tls10, None);
        assert!(bare.len() < hello.len());
    }

    #[test]
    fn answers_are_judged_by_their_first_bytes() {
        let server_hello = [
            0x16, 0x03, 0x01, 0x00, 0x4a, 0x02, 0x00, 0x00, 0x46, 0x03, 0x01,
        ];
        assert_eq!(judge(LegacyVersion::Tls10, &server_hello), Some(true));
        assert_eq!(judge(LegacyVersion::Tls11, &server_hello), Some(false));
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46];
        assert_eq!(judge(LegacyVersion::Tls10, &alert), Some(false));
        assert_eq!(judge(LegacyVersion::Tls10, &[0x16, 0x03]), None);
        assert_eq!(
            judge(LegacyVersion::Tls10, b"HTTP/1.1 400 Bad Request"),
            Some(false)
        );
    }
}
