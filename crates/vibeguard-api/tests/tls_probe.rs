//! The TLS probe against real servers on 127.0.0.1: a rustls server with a self-signed
//! certificate (TLS 1.2 and 1.3 only: the old versions must be refused), and a legacy server
//! that answers a TLS 1.0 ClientHello with a ServerHello (it must be reported).

use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use vibeguard_api::http::tls_probe::{LegacyVersion, accepts};

const CERT: &[u8] = include_bytes!("fixtures/tls/cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/tls/key.pem");

/// A TLS server that completes handshakes and answers one HTTP request per connection.
async fn modern_server() -> u16 {
    let certs = vec![CertificateDer::from_pem_slice(CERT).expect("certificate")];
    let key = PrivateKeyDer::from_pem_slice(KEY).expect("key");
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let mut buffer = [0u8; 1024];
                    let _ = tls.read(&mut buffer).await;
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                        .await;
                }
            });
        }
    });
    port
}

/// A server stuck in 2010: answers any ClientHello with a TLS 1.0 ServerHello.
async fn legacy_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buffer = [0u8; 1024];
                let _ = stream.read(&mut buffer).await;
                let mut hello = vec![0x02, 0x00, 0x00, 0x26, 0x03, 0x01];
                hello.extend([7u8; 32]);
                hello.extend([0x00, 0xc0, 0x13, 0x00]);
                let mut record = vec![0x16, 0x03, 0x01];
                record.extend((hello.len() as u16).to_be_bytes());
                record.extend(hello);
                let _ = stream.write_all(&record).await;
            });
        }
    });
    port
}

#[tokio::test]
async fn a_modern_server_refuses_tls_1_0_and_1_1() {
    let port = modern_server().await;
    for version in [LegacyVersion::Tls10, LegacyVersion::Tls11] {
        let accepted = accepts("127.0.0.1", port, version, Duration::from_secs(5))
            .await
            .expect("connects");
        assert!(!accepted, "{} accepted", version.name());
    }
}

#[tokio::test]
async fn a_legacy_server_is_caught() {
    let port = legacy_server().await;
    assert!(
        accepts(
            "127.0.0.1",
            port,
            LegacyVersion::Tls10,
            Duration::from_secs(5)
        )
        .await
        .expect("connects")
    );
    // It answers 1.0 to a 1.1 hello: not a 1.1 handshake.
    assert!(
        !accepts(
            "127.0.0.1",
            port,
            LegacyVersion::Tls11,
            Duration::from_secs(5)
        )
        .await
        .expect("connects")
    );
}

#[tokio::test]
async fn a_silent_server_times_out_and_a_closed_port_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let port = listener.local_addr().expect("addr").port();
    let holder = tokio::spawn(async move {
        let accepted = listener.accept().await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(accepted);
    });
    let result = accepts(
        "127.0.0.1",
        port,
        LegacyVersion::Tls10,
        Duration::from_millis(300),
    )
    .await;
    assert!(result.is_err(), "{result:?}");
    holder.abort();
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let closed_port = closed.local_addr().expect("addr").port();
    drop(closed);
    assert!(
        accepts(
            "127.0.0.1",
            closed_port,
            LegacyVersion::Tls10,
            Duration::from_secs(1)
        )
        .await
        .is_err()
    );
}
