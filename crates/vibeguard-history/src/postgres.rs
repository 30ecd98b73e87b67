//! The PostgreSQL store, for teams whose pipelines run on many machines and share one history:
//! the same schema versions and migrations as the embedded store, in PostgreSQL's dialect, with
//! a lock so that two pipelines migrating at once take turns.
//!
//! The URL is libpq's (`postgres://user@host:5432/db?sslmode=require`); a password comes from
//! the URL (where `${ENV}` was expanded by the caller) or from `PGPASSWORD`, and is never part
//! of what the store prints: errors name the URL without it. TLS is rustls with the platform's
//! certificate verifier: `sslmode=prefer` (the default) and `require` encrypt without checking the
//! certificate, as libpq does; `verify-full` (or `verify-ca`) checks it against the system's
//! roots; `disable` sends everything in clear.

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use jiff::Timestamp;
use postgres::{Client, Config};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};

use crate::record::{EngineCoverage, RunMeta, RunRecord, StoredFinding, StoredItem};
use crate::store::{HistoryError, HistoryStore, Prune, RunFilter, RunSummary};

/// The schema, one step per version, as [`crate::sqlite::MIGRATIONS`] in PostgreSQL's dialect.
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE vibeguard_runs (
        id BIGSERIAL PRIMARY KEY,
        started_at TEXT NOT NULL,
        started_unix BIGINT NOT NULL,
        finished_at TEXT NOT NULL,
        version TEXT NOT NULL,
        project TEXT NOT NULL,
        label TEXT,
        target TEXT,
        git_commit TEXT,
        git_branch TEXT,
        fail_on TEXT NOT NULL,
        passed BOOLEAN NOT NULL
    );
    CREATE TABLE vibeguard_findings (
        run_id BIGINT NOT NULL REFERENCES vibeguard_runs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        location TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX vibeguard_findings_by_run ON vibeguard_findings(run_id);
    CREATE TABLE vibeguard_checklist (
        run_id BIGINT NOT NULL REFERENCES vibeguard_runs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        item TEXT NOT NULL,
        status TEXT NOT NULL
    );
    CREATE INDEX vibeguard_checklist_by_run ON vibeguard_checklist(run_id);",
    "ALTER TABLE vibeguard_runs ADD COLUMN coverage TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX vibeguard_runs_by_scope ON vibeguard_runs(project, target, started_unix);",
];

/// How long a connection may take, socket to password, unless the URL says
/// (`connect_timeout=N`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A history in a PostgreSQL database.
pub struct PostgresStore {
    client: RefCell<Client>,
    place: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("place", &self.place)
            .finish_non_exhaustive()
    }
}

/// `url` without its password, as every message shows it.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_string(),
    }
}

/// Whether `text` names a PostgreSQL database rather than a file.
pub fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema up to date.
    pub fn connect(url: &str) -> Result<PostgresStore, HistoryError> {
        Self::connect_at_version(url, MIGRATIONS.len() as i64)
    }

    /// [`PostgresStore::connect`], migrating no further than `version` (tests).
    pub fn connect_at_version(url: &str, version: i64) -> Result<PostgresStore, HistoryError> {
        let place = without_password(url);
        let open_error = |reason: String| HistoryError::Open {
            place: place.clone(),
            reason,
        };
        // libpq's `verify-ca` and `verify-full`, which the driver does not read: TLS required
        // and the certificate checked; `prefer` and `require` encrypt without checking it, as
        // libpq does without a root certificate file.
        let verify = ["sslmode=verify-full", "sslmode=verify-ca"]
            .iter()
            .any(|mode| url.contains(mode));
        let url = url
            .replace("sslmode=verify-full", "sslmode=require")
            .replace("sslmode=verify-ca", "sslmode=require");
        let mut config: Config = url
            .parse()
            .map_err(|e: postgres::Error| open_error(format!("not a PostgreSQL URL: {e}")))?;
        if config.get_password().is_none()
            && let Ok(password) = std::env::var("PGPASSWORD")
        {
            config.password(password);
        }
        // The driver bounds the socket's connect only; a server that accepts and then says
        // nothing would hold the audit forever. The whole connection (socket, TLS, start-up,
        // password) gets the URL's `connect_timeout`, else 10 s.
        let limit = *config.get_connect_timeout().unwrap_or(&CONNECT_TIMEOUT);
        config.connect_timeout(limit);
        let tls = RustlsConnect::new(verify).map_err(|e| open_error(format!("TLS: {e}")))?;
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(config.connect(tls));
        });
        let client = match receiver.recv_timeout(limit) {
            Ok(connected) => connected.map_err(|e| open_error(explain(&e)))?,
            Err(_) => {
                return Err(open_error(format!(
                    "the server did not complete the connection within {} s",
                    limit.as_secs_f64()
                )));
            }
        };
        let store = PostgresStore {
            client: RefCell::new(client),
            place,
        };
        store.migrate(version)?;
        Ok(store)
    }

    /// The database, without its password.
    pub fn place(&self) -> &str {
        &self.place
    }

    fn fail(&self) -> impl Fn(postgres::Error) -> HistoryError + '_ {
        |error| HistoryError::Query {
            place: self.place.clone(),
            reason: explain(&error),
        }
    }

    fn migrate(&self, target: i64) -> Result<(), HistoryError> {
        let fail = |e: postgres::Error| HistoryError::Open {
            place: self.place.clone(),
            reason: explain(&e),
        };
        let mut client = self.client.borrow_mut();
        let mut transaction = client.transaction().map_err(fail)?;
        // One migrating pipeline at a time; the others wait here, then find the work done.
        transaction
            .batch_execute("SELECT pg_advisory_xact_lock(7264352481)")
            .map_err(fail)?;
        transaction
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS vibeguard_schema (version BIGINT NOT NULL);
                 INSERT INTO vibeguard_schema (version)
                     SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM vibeguard_schema);",
            )
            .map_err(fail)?;
        let found: i64 = transaction
            .query_one("SELECT version FROM vibeguard_schema", &[])
            .map_err(fail)?
            .get(0);
        let supported = MIGRATIONS.len() as i64;
        if found > supported {
            return Err(HistoryError::Newer {
                place: self.place.clone(),
                found,
                supported,
            });
        }
        for (step, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
            if (step as i64) < found {
                continue;
            }
            transaction.batch_execute(sql).map_err(fail)?;
            transaction
                .execute(
                    "UPDATE vibeguard_schema SET version = $1",
                    &[&(step as i64 + 1)],
                )
                .map_err(fail)?;
        }
        transaction.commit().map_err(fail)
    }

    fn summaries(&self) -> Result<Vec<RunSummary>, HistoryError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT r.id, r.started_at, r.version, r.project, r.label, r.target, r.git_commit,
                        r.git_branch, r.passed,
                        count(*) FILTER (WHERE f.state = 'active' AND f.severity = 'critical'),
                        count(*) FILTER (WHERE f.state = 'active' AND f.severity = 'high'),
                        count(*) FILTER (WHERE f.state = 'active' AND f.severity = 'medium'),
                        count(*) FILTER (WHERE f.state = 'active' AND f.severity = 'low'),
                        count(*) FILTER (WHERE f.state = 'active' AND f.severity = 'info'),
                        (SELECT count(*) FROM vibeguard_checklist c WHERE c.run_id = r.id AND c.status = 'passed'),
                        (SELECT count(*) FROM vibeguard_checklist c WHERE c.run_id = r.id AND c.status = 'failed')
                 FROM vibeguard_runs r LEFT JOIN vibeguard_findings f ON f.run_id = r.id
                 GROUP BY r.id ORDER BY r.started_unix DESC, r.id DESC",
                &[],
            )
            .map_err(self.fail())?;
        rows.iter()
            .map(|row| {
                let started: String = row.get(1);
                let count = |index: usize| row.get::<_, i64>(index) as usize;
                Ok(RunSummary {
                    id: row.get(0),
                    started_at: started.parse().map_err(|e| HistoryError::Query {
                        place: self.place.clone(),
                        reason: format!("unreadable start time `{started}`: {e}"),
                    })?,
                    version: row.get(2),
                    project: row.get(3),
                    label: row.get(4),
                    target: row.get(5),
                    commit: row.get(6),
                    branch: row.get(7),
                    passed: row.get(8),
                    active: [count(9), count(10), count(11), count(12), count(13)],
                    checklist_passed: count(14),
                    checklist_failed: count(15),
                })
            })
            .collect()
    }
}

impl HistoryStore for PostgresStore {
    fn record(&mut self, run: &RunRecord) -> Result<i64, HistoryError> {
        let fail = self.fail();
        let coverage = serde_json::to_string(&run.coverage).unwrap_or_else(|_| "[]".into());
        let mut client = self.client.borrow_mut();
        let mut transaction = client.transaction().map_err(&fail)?;
        let id: i64 = transaction
            .query_one(
                "INSERT INTO vibeguard_runs (started_at, started_unix, finished_at, version,
                     project, label, target, git_commit, git_branch, fail_on, passed, coverage)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                &[
                    &run.started_at.to_string(),
                    &run.started_at.as_second(),
                    &run.finished_at.to_string(),
                    &run.version,
                    &run.meta.project,
                    &run.meta.label,
                    &run.target,
                    &run.meta.commit,
                    &run.meta.branch,
                    &run.fail_on,
                    &run.passed,
                    &coverage,
                ],
            )
            .map_err(&fail)?
            .get(0);
        // Thousands of findings: one COPY-sized statement per chunk, not a round trip each.
        for (chunk_index, chunk) in run.findings.chunks(1_000).enumerate() {
            let mut sql = String::from(
                "INSERT INTO vibeguard_findings (run_id, position, fingerprint, code, severity, state, location, message) VALUES ",
            );
            let mut values: Vec<Box<dyn postgres::types::ToSql + Sync>> = Vec::new();
            for (offset, f) in chunk.iter().enumerate() {
                let base = values.len();
                if offset > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    base + 1,
                    base + 2,
                    base + 3,
                    base + 4,
                    base + 5,
                    base + 6,
                    base + 7,
                    base + 8
                ));
                values.push(Box::new(id));
                values.push(Box::new((chunk_index * 1_000 + offset) as i32));
                values.push(Box::new(f.fingerprint.clone()));
                values.push(Box::new(f.code.clone()));
                values.push(Box::new(f.severity.clone()));
                values.push(Box::new(f.state.clone()));
                values.push(Box::new(f.location.clone()));
                values.push(Box::new(f.message.clone()));
            }
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
                values.iter().map(|v| v.as_ref()).collect();
            transaction.execute(&sql, &params).map_err(&fail)?;
        }
        for (position, item) in run.checklist.iter().enumerate() {
            transaction
                .execute(
                    "INSERT INTO vibeguard_checklist (run_id, position, item, status) VALUES ($1, $2, $3, $4)",
                    &[&id, &(position as i32), &item.id, &item.status],
                )
                .map_err(&fail)?;
        }
        transaction.commit().map_err(&fail)?;
        Ok(id)
    }

    fn runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>, HistoryError> {
        Ok(filter.select(self.summaries()?))
    }

    fn run(&self, id: i64) -> Result<Option<RunRecord>, HistoryError> {
        let fail = self.fail();
        let mut client = self.client.borrow_mut();
        let Some(head) = client
            .query_opt(
                "SELECT started_at, finished_at, version, project, label, target, git_commit,
                        git_branch, fail_on, passed, coverage
                 FROM vibeguard_runs WHERE id = $1",
                &[&id],
            )
            .map_err(&fail)?
        else {
            return Ok(None);
        };
        let time = |text: String| {
            text.parse::<Timestamp>().map_err(|e| HistoryError::Query {
                place: self.place.clone(),
                reason: format!("run {id} has an unreadable time `{text}`: {e}"),
            })
        };
        let findings = client
            .query(
                "SELECT fingerprint, code, severity, state, location, message
                 FROM vibeguard_findings WHERE run_id = $1 ORDER BY position",
                &[&id],
            )
            .map_err(&fail)?
            .iter()
            .map(|row| StoredFinding {
                fingerprint: row.get(0),
                code: row.get(1),
                severity: row.get(2),
                state: row.get(3),
                location: row.get(4),
                message: row.get(5),
            })
            .collect();
        let checklist = client
            .query(
                "SELECT item, status FROM vibeguard_checklist WHERE run_id = $1 ORDER BY position",
                &[&id],
            )
            .map_err(&fail)?
            .iter()
            .map(|row| StoredItem {
                id: row.get(0),
                status: row.get(1),
            })
            .collect();
        let coverage: String = head.get(10);
        Ok(Some(RunRecord {
            id,
            started_at: time(head.get(0))?,
            finished_at: time(head.get(1))?,
            version: head.get(2),
            meta: RunMeta {
                project: head.get(3),
                label: head.get(4),
                commit: head.get(6),
                branch: head.get(7),
            },
            target: head.get(5),
            fail_on: head.get(8),
            passed: head.get(9),
            coverage: serde_json::from_str::<Vec<EngineCoverage>>(&coverage).unwrap_or_default(),
            findings,
            checklist,
        }))
    }

    fn prune(&mut self, rule: Prune) -> Result<usize, HistoryError> {
        let doomed = crate::store::doomed(&self.summaries()?, rule);
        let fail = self.fail();
        let mut client = self.client.borrow_mut();
        let mut transaction = client.transaction().map_err(&fail)?;
        for id in &doomed {
            transaction
                .execute("DELETE FROM vibeguard_runs WHERE id = $1", &[id])
                .map_err(&fail)?;
        }
        transaction.commit().map_err(&fail)?;
        Ok(doomed.len())
    }
}

/// The driver's message with its cause (refused, timed out, wrong password), which the
/// top-level text alone leaves out.
fn explain(error: &postgres::Error) -> String {
    use std::error::Error as _;
    match error.source() {
        Some(cause) if !error.to_string().contains(&cause.to_string()) => {
            format!("{error}: {cause}")
        }
        _ => error.to_string(),
    }
}

/// TLS for the driver through rustls and the platform's verifier.
#[derive(Clone)]
struct RustlsConnect(Arc<rustls::ClientConfig>);

impl RustlsConnect {
    /// `verify`: check the server's certificate against the platform's roots (`verify-full`).
    fn new(verify: bool) -> Result<RustlsConnect, rustls::Error> {
        use rustls_platform_verifier::BuilderVerifierExt;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let config = if verify {
            builder.with_platform_verifier()?.with_no_client_auth()
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
                .with_no_client_auth()
        };
        Ok(RustlsConnect(Arc::new(config)))
    }
}

/// libpq's `sslmode=require`: the connection is encrypted and the handshake's signatures are
/// checked, but the certificate's issuer and name are not (a local server's self-signed one).
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl<S> MakeTlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnector;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<RustlsConnector> {
        let name = rustls::pki_types::ServerName::try_from(domain.to_string())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(RustlsConnector {
            config: self.0.clone(),
            name,
        })
    }
}

/// One connection's TLS handshake.
struct RustlsConnector {
    config: Arc<rustls::ClientConfig>,
    name: rustls::pki_types::ServerName<'static>,
}

impl<S> TlsConnect<S> for RustlsConnector
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let stream = tokio_rustls::TlsConnector::from(self.config)
                .connect(self.name, stream)
                .await?;
            Ok(RustlsStream(stream))
        })
    }
}

/// A TLS stream as the driver reads and writes it (no channel binding: SCRAM without `-PLUS`).
struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> tokio_postgres::tls::TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn urls_are_shown_without_their_password() {
        assert_eq!(
            without_password("postgres://ci:s3cret@db.internal:5432/history?sslmode=require"),
            "postgres://ci@db.internal:5432/history?sslmode=require"
        );
        assert_eq!(
            without_password("postgres://ci@127.0.0.1/h"),
            "postgres://ci@127.0.0.1/h"
        );
        assert_eq!(
            without_password("postgres://127.0.0.1/h"),
            "postgres://127.0.0.1/h"
        );
    }
}
