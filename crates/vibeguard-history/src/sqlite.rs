//! The embedded store: one SQLite file (`.vibeguard/history.db` by default) in WAL mode, so
//! that readers never wait and concurrent audits queue their writes (each run is one
//! transaction, retried while another holds the lock for up to [`BUSY_TIMEOUT`]).
//!
//! The schema is versioned: `vibeguard_schema` holds the version, and [`MIGRATIONS`] brings an
//! older file up to date inside one transaction. A file of a newer version is refused, never
//! rewritten; a database without that table is someone else's and is refused too.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::record::{EngineCoverage, RunMeta, RunRecord, StoredFinding, StoredItem};
use crate::store::{HistoryError, HistoryStore, Prune, RunFilter, RunSummary};

/// How long a write waits for another writer before it fails.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema, one step per version: `MIGRATIONS[n]` takes version `n` to `n + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: runs, their findings and their checklist verdicts.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        started_unix INTEGER NOT NULL,
        finished_at TEXT NOT NULL,
        version TEXT NOT NULL,
        project TEXT NOT NULL,
        label TEXT,
        target TEXT,
        git_commit TEXT,
        git_branch TEXT,
        fail_on TEXT NOT NULL,
        passed INTEGER NOT NULL
    );
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        fingerprint TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        location TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX findings_by_run ON findings(run_id);
    CREATE TABLE checklist (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        item TEXT NOT NULL,
        status TEXT NOT NULL
    );
    CREATE INDEX checklist_by_run ON checklist(run_id);",
    // 2: each engine's coverage, and runs found by project and target without a scan.
    "ALTER TABLE runs ADD COLUMN coverage TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX runs_by_scope ON runs(project, target, started_unix);",
];

/// The schema version this build writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// A history in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    connection: Connection,
    place: String,
}

impl SqliteStore {
    /// Opens the history at `path`, creating the file (and its folder) when missing and
    /// bringing an older schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, HistoryError> {
        Self::open_at_version(path, schema_version())
    }

    /// [`SqliteStore::open`], migrating no further than `version` (tests build older files).
    pub fn open_at_version(path: &Path, version: i64) -> Result<SqliteStore, HistoryError> {
        let place = path.display().to_string();
        let open_error = |reason: String| HistoryError::Open {
            place: place.clone(),
            reason,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| open_error(format!("{}: {e}", parent.display())))?;
        }
        let connection = Connection::open(path).map_err(|e| open_error(e.to_string()))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(e.to_string()))?;
        // WAL: readers never block the writer, and a crash mid-write leaves the file whole.
        connection
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get::<_, String>(0))
            .map_err(|e| open_error(explain(&e)))?;
        let mut store = SqliteStore { connection, place };
        store.migrate(version)?;
        Ok(store)
    }

    /// Where the history is.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.place)
    }

    fn query_error(&self, error: rusqlite::Error) -> HistoryError {
        HistoryError::Query {
            place: self.place.clone(),
            reason: explain(&error),
        }
    }

    fn migrate(&mut self, target: i64) -> Result<(), HistoryError> {
        let place = self.place.clone();
        let fail = |e: rusqlite::Error| HistoryError::Open {
            place: place.clone(),
            reason: explain(&e),
        };
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let ours: bool = transaction
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'vibeguard_schema'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .map_err(fail)?
            > 0;
        if !ours {
            let tables: i64 = transaction
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                    [],
                    |row| row.get(0),
                )
                .map_err(fail)?;
            if tables > 0 {
                return Err(HistoryError::Foreign { place });
            }
            transaction
                .execute_batch(
                    "CREATE TABLE vibeguard_schema (version INTEGER NOT NULL);
                     INSERT INTO vibeguard_schema (version) VALUES (0);",
                )
                .map_err(fail)?;
        }
        let found: i64 = transaction
            .query_row("SELECT version FROM vibeguard_schema", [], |row| row.get(0))
            .map_err(fail)?;
        if found > schema_version() {
            return Err(HistoryError::Newer {
                place,
                found,
                supported: schema_version(),
            });
        }
        for (step, sql) in MIGRATIONS.iter().enumerate().take(target as usize) {
            if (step as i64) < found {
                continue;
            }
            transaction.execute_batch(sql).map_err(fail)?;
            transaction
                .execute(
                    "UPDATE vibeguard_schema SET version = ?1",
                    params![step as i64 + 1],
                )
                .map_err(fail)?;
        }
        transaction.commit().map_err(fail)
    }

    fn summaries(&self) -> Result<Vec<RunSummary>, HistoryError> {
        let sql =
            "SELECT r.id, r.started_at, r.version, r.project, r.label, r.target, r.git_commit,
                    r.git_branch, r.passed,
                    (SELECT count(*) FROM findings f WHERE f.run_id = r.id AND f.state = 'active' AND f.severity = 'critical'),
                    (SELECT count(*) FROM findings f WHERE f.run_id = r.id AND f.state = 'active' AND f.severity = 'high'),
                    (SELECT count(*) FROM findings f WHERE f.run_id = r.id AND f.state = 'active' AND f.severity = 'medium'),
                    (SELECT count(*) FROM findings f WHERE f.run_id = r.id AND f.state = 'active' AND f.severity = 'low'),
                    (SELECT count(*) FROM findings f WHERE f.run_id = r.id AND f.state = 'active' AND f.severity = 'info'),
                    (SELECT count(*) FROM checklist c WHERE c.run_id = r.id AND c.status = 'passed'),
                    (SELECT count(*) FROM checklist c WHERE c.run_id = r.id AND c.status = 'failed')
             FROM runs r ORDER BY r.started_unix DESC, r.id DESC";
        let mut statement = self
            .connection
            .prepare(sql)
            .map_err(|e| self.query_error(e))?;
        let rows = statement
            .query_map([], |row| {
                let started: String = row.get(1)?;
                Ok((
                    started,
                    RunSummary {
                        id: row.get(0)?,
                        started_at: Timestamp::UNIX_EPOCH,
                        version: row.get(2)?,
                        project: row.get(3)?,
                        label: row.get(4)?,
                        target: row.get(5)?,
                        commit: row.get(6)?,
                        branch: row.get(7)?,
                        passed: row.get::<_, i64>(8)? != 0,
                        active: [
                            row.get::<_, i64>(9)? as usize,
                            row.get::<_, i64>(10)? as usize,
                            row.get::<_, i64>(11)? as usize,
                            row.get::<_, i64>(12)? as usize,
                            row.get::<_, i64>(13)? as usize,
                        ],
                        checklist_passed: row.get::<_, i64>(14)? as usize,
                        checklist_failed: row.get::<_, i64>(15)? as usize,
                    },
                ))
            })
            .map_err(|e| self.query_error(e))?;
        let mut summaries = Vec::new();
        for row in rows {
            let (started, mut summary) = row.map_err(|e| self.query_error(e))?;
            summary.started_at = started.parse().map_err(|e| HistoryError::Query {
                place: self.place.clone(),
                reason: format!(
                    "run {} has an unreadable start time `{started}`: {e}",
                    summary.id
                ),
            })?;
            summaries.push(summary);
        }
        Ok(summaries)
    }

    fn delete(&mut self, ids: &[i64]) -> Result<usize, HistoryError> {
        let place = self.place.clone();
        let fail = |e: rusqlite::Error| HistoryError::Query {
            place: place.clone(),
            reason: explain(&e),
        };
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        for id in ids {
            for table in ["findings", "checklist"] {
                transaction
                    .execute(
                        &format!("DELETE FROM {table} WHERE run_id = ?1"),
                        params![id],
                    )
                    .map_err(fail)?;
            }
            transaction
                .execute("DELETE FROM runs WHERE id = ?1", params![id])
                .map_err(fail)?;
        }
        transaction.commit().map_err(fail)?;
        Ok(ids.len())
    }
}

impl HistoryStore for SqliteStore {
    fn record(&mut self, run: &RunRecord) -> Result<i64, HistoryError> {
        let place = self.place.clone();
        let fail = |e: rusqlite::Error| HistoryError::Query {
            place: place.clone(),
            reason: explain(&e),
        };
        let coverage = serde_json::to_string(&run.coverage).unwrap_or_else(|_| "[]".into());
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        transaction
            .execute(
                "INSERT INTO runs (started_at, started_unix, finished_at, version, project, label,
                                   target, git_commit, git_branch, fail_on, passed, coverage)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    run.started_at.to_string(),
                    run.started_at.as_second(),
                    run.finished_at.to_string(),
                    run.version,
                    run.meta.project,
                    run.meta.label,
                    run.target,
                    run.meta.commit,
                    run.meta.branch,
                    run.fail_on,
                    i64::from(run.passed),
                    coverage,
                ],
            )
            .map_err(fail)?;
        let id = transaction.last_insert_rowid();
        {
            let mut finding = transaction
                .prepare(
                    "INSERT INTO findings (run_id, fingerprint, code, severity, state, location, message)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(fail)?;
            for f in &run.findings {
                finding
                    .execute(params![
                        id,
                        f.fingerprint,
                        f.code,
                        f.severity,
                        f.state,
                        f.location,
                        f.message
                    ])
                    .map_err(fail)?;
            }
            let mut item = transaction
                .prepare("INSERT INTO checklist (run_id, item, status) VALUES (?1, ?2, ?3)")
                .map_err(fail)?;
            for i in &run.checklist {
                item.execute(params![id, i.id, i.status]).map_err(fail)?;
            }
        }
        transaction.commit().map_err(fail)?;
        Ok(id)
    }

    fn runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>, HistoryError> {
        Ok(filter.select(self.summaries()?))
    }

    fn run(&self, id: i64) -> Result<Option<RunRecord>, HistoryError> {
        let head = self
            .connection
            .query_row(
                "SELECT started_at, finished_at, version, project, label, target, git_commit,
                        git_branch, fail_on, passed, coverage
                 FROM runs WHERE id = ?1",
                params![id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        RunMeta {
                            project: row.get(3)?,
                            label: row.get(4)?,
                            commit: row.get(6)?,
                            branch: row.get(7)?,
                        },
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, String>(8)?,
                        row.get::<_, i64>(9)? != 0,
                        row.get::<_, String>(10)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.query_error(e))?;
        let Some((started, finished, version, meta, target, fail_on, passed, coverage)) = head
        else {
            return Ok(None);
        };
        let time = |text: &str| {
            text.parse::<Timestamp>().map_err(|e| HistoryError::Query {
                place: self.place.clone(),
                reason: format!("run {id} has an unreadable time `{text}`: {e}"),
            })
        };
        let mut findings_query = self
            .connection
            .prepare(
                "SELECT fingerprint, code, severity, state, location, message
                 FROM findings WHERE run_id = ?1 ORDER BY rowid",
            )
            .map_err(|e| self.query_error(e))?;
        let findings = findings_query
            .query_map(params![id], |row| {
                Ok(StoredFinding {
                    fingerprint: row.get(0)?,
                    code: row.get(1)?,
                    severity: row.get(2)?,
                    state: row.get(3)?,
                    location: row.get(4)?,
                    message: row.get(5)?,
                })
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.query_error(e))?;
        let mut items_query = self
            .connection
            .prepare("SELECT item, status FROM checklist WHERE run_id = ?1 ORDER BY rowid")
            .map_err(|e| self.query_error(e))?;
        let checklist = items_query
            .query_map(params![id], |row| {
                Ok(StoredItem {
                    id: row.get(0)?,
                    status: row.get(1)?,
                })
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.query_error(e))?;
        Ok(Some(RunRecord {
            id,
            started_at: time(&started)?,
            finished_at: time(&finished)?,
            version,
            meta,
            target,
            fail_on,
            passed,
            coverage: serde_json::from_str::<Vec<EngineCoverage>>(&coverage).unwrap_or_default(),
            findings,
            checklist,
        }))
    }

    fn prune(&mut self, rule: Prune) -> Result<usize, HistoryError> {
        let doomed = crate::store::doomed(&self.summaries()?, rule);
        self.delete(&doomed)
    }
}

/// SQLite's own words, with what they mean here for the two a user meets.
fn explain(error: &rusqlite::Error) -> String {
    let text = error.to_string();
    if text.contains("file is not a database") {
        "the file is not a SQLite database (corrupt, or another kind of file)".into()
    } else if text.contains("database is locked") {
        format!(
            "another process held the history for {} s",
            BUSY_TIMEOUT.as_secs()
        )
    } else {
        text
    }
}
