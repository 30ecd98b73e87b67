//! The running demo API: a task board written the way an assistant writes one (vulnerable mode)
//! and its hardened twin, served on 127.0.0.1 with an embedded SQLite database.

mod graphql;
mod interpreters;
mod routes;
mod store;
mod token;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use routes::{ALLOWED_ORIGIN, SPEC, VULNERABLE_JWT_SECRET};
pub use store::ACCOUNTS;

/// Which twin to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every seeded flaw.
    Vulnerable,
    /// Every flaw fixed.
    Hardened,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// No port on 127.0.0.1.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(#[from] std::io::Error),
    /// The database could not be created.
    #[error("cannot create the demo database: {0}")]
    Database(#[from] rusqlite::Error),
}

/// A running demo API.
#[derive(Debug)]
pub struct DemoApi {
    /// Where it listens.
    pub address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl DemoApi {
    /// Starts a server on an ephemeral port of 127.0.0.1 (`port` 0) or the given one.
    pub async fn start(mode: Mode, port: u16) -> Result<DemoApi, DemoError> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let address = listener.local_addr()?;
        let secret = match mode {
            // A fresh random secret per run: nothing to find in the code or to crack.
            Mode::Hardened => random_secret(),
            Mode::Vulnerable => VULNERABLE_JWT_SECRET.as_bytes().to_vec(),
        };
        let state = Arc::new(routes::AppState {
            hardened: mode == Mode::Hardened,
            db: Mutex::new(store::open()?),
            secret,
            failed_logins: Mutex::new(HashMap::new()),
            throttle: Mutex::new(HashMap::new()),
            revoked: Mutex::new(std::collections::HashSet::new()),
            reset_tokens: Mutex::new(HashMap::new()),
        });
        let (shutdown, signal) = oneshot::channel::<()>();
        let app = routes::router(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = signal.await;
                })
                .await;
        });
        Ok(DemoApi {
            address,
            shutdown: Some(shutdown),
            task,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// A per-run signing key. `RandomState` is seeded from the operating system's random source, so
/// hashing with fresh states gives an unpredictable key without an RNG dependency.
fn random_secret() -> Vec<u8> {
    use std::hash::BuildHasher;
    (0u64..4)
        .flat_map(|i| {
            std::collections::hash_map::RandomState::new()
                .hash_one(i)
                .to_le_bytes()
        })
        .collect()
}
