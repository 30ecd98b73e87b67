//! The store suite: one body of tests every [`HistoryStore`] implementation must pass, run on
//! the embedded SQLite store and on a real PostgreSQL server (`VIBEGUARD_TEST_POSTGRES`: a URL
//! whose user may create databases; `.ci/run` starts one); then each store's own faults:
//! concurrent writers, migrations from an older schema, foreign, corrupt and newer files, a
//! server that refuses or a wrong password.

use std::path::Path;

use jiff::Timestamp;
use vibeguard_history::sqlite::{self, SqliteStore};
use vibeguard_history::{
    HistoryError, HistoryStore, PostgresStore, Prune, RunFilter, RunMeta, RunRecord, RunRef,
    StoredFinding, StoredItem, diff,
};

fn finding(fingerprint: &str, severity: &str, location: &str) -> StoredFinding {
    StoredFinding {
        fingerprint: fingerprint.into(),
        code: "VG101".into(),
        severity: severity.into(),
        state: "active".into(),
        location: location.into(),
        message: format!("SQL built from a string at {location}"),
    }
}

fn run(
    at: i64,
    label: Option<&str>,
    findings: Vec<StoredFinding>,
    items: &[(&str, &str)],
) -> RunRecord {
    RunRecord {
        id: 0,
        started_at: Timestamp::from_second(at).expect("time"),
        finished_at: Timestamp::from_second(at + 5).expect("time"),
        version: "0.1.0".into(),
        meta: RunMeta {
            project: "/work/app".into(),
            label: label.map(str::to_string),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            branch: Some("main".into()),
        },
        target: Some("http://127.0.0.1:8080".into()),
        fail_on: "high".into(),
        passed: findings.is_empty(),
        coverage: Vec::new(),
        findings,
        checklist: items
            .iter()
            .map(|(id, status)| StoredItem {
                id: (*id).into(),
                status: (*status).into(),
            })
            .collect(),
    }
}

/// What every store must do: record and read back whole, list newest first with filters,
/// resolve references, diff, prune.
fn suite(store: &mut dyn HistoryStore) {
    let first = run(
        1_800_000_000,
        Some("prod"),
        vec![
            finding("aa", "high", "src/db.js:14"),
            finding("bb", "medium", "GET /api/tasks"),
        ],
        &[
            ("INPUT-01", "failed"),
            ("AUTH-01", "passed"),
            ("API-01", "passed"),
        ],
    );
    let first_id = store.record(&first).expect("record");
    let second = run(
        1_800_000_100,
        Some("staging"),
        // aa moved to another line (same fingerprint), bb fixed, cc new.
        vec![
            finding("aa", "high", "src/db.js:20"),
            finding("cc", "critical", "src/auth.js:3"),
        ],
        &[
            ("INPUT-01", "failed"),
            ("AUTH-01", "failed"),
            ("API-01", "not-verified"),
        ],
    );
    let second_id = store.record(&second).expect("record");
    assert!(second_id > first_id);

    // Read back whole.
    let back = store.run(first_id).expect("read").expect("there");
    assert_eq!(back.findings, first.findings);
    assert_eq!(back.checklist, first.checklist);
    assert_eq!(back.meta, first.meta);
    assert_eq!(back.started_at, first.started_at);
    assert!(store.run(9_999).expect("read").is_none());

    // Listed newest first, with counts and filters.
    let all = store.runs(&RunFilter::default()).expect("list");
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        [second_id, first_id]
    );
    assert_eq!(all[0].active, [1, 1, 0, 0, 0]);
    assert_eq!((all[1].checklist_passed, all[1].checklist_failed), (2, 1));
    let prod = RunFilter {
        label: Some("prod".into()),
        ..RunFilter::default()
    };
    assert_eq!(store.runs(&prod).expect("list")[0].id, first_id);
    let later = RunFilter {
        since: Some(Timestamp::from_second(1_800_000_050).expect("time")),
        ..RunFilter::default()
    };
    assert_eq!(store.runs(&later).expect("list").len(), 1);

    // References.
    let scope = RunFilter {
        project: Some("/work/app".into()),
        ..RunFilter::default()
    };
    assert_eq!(
        RunRef::Latest.resolve(store, &scope).expect("latest"),
        second_id
    );
    assert_eq!(
        RunRef::Previous.resolve(store, &scope).expect("previous"),
        first_id
    );
    assert_eq!(
        RunRef::parse("prod").resolve(store, &scope).expect("label"),
        first_id
    );
    assert!(matches!(
        RunRef::parse("qa").resolve(store, &scope),
        Err(HistoryError::NotFound(message)) if message.contains("`qa`")
    ));

    // The diff: moved line = unchanged, new fingerprint = new, gone = fixed.
    let base = store.run(first_id).expect("read").expect("there");
    let head = store.run(second_id).expect("read").expect("there");
    let changes = diff(&base, &head);
    let prints = |list: &[StoredFinding]| {
        list.iter()
            .map(|f| f.fingerprint.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(prints(&changes.new), ["cc"]);
    assert_eq!(prints(&changes.fixed), ["bb"]);
    assert_eq!(prints(&changes.unchanged), ["aa"]);
    assert_eq!(changes.unchanged[0].location, "src/db.js:20");
    let regressed: Vec<&str> = changes.regressed.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(regressed, ["AUTH-01", "API-01"]);
    assert!(changes.improved.is_empty());
    assert_eq!(changes.new_gating(Some("high")).len(), 1);
    assert!(changes.new_gating(None).is_empty());

    // Pruning: keep the newest run of each project and target.
    assert_eq!(store.prune(Prune::Keep(1)).expect("prune"), 1);
    assert!(store.run(first_id).expect("read").is_none());
    assert_eq!(store.runs(&RunFilter::default()).expect("list").len(), 1);
    let future = Timestamp::from_second(1_900_000_000).expect("time");
    assert_eq!(store.prune(Prune::OlderThan(future)).expect("prune"), 1);
    assert!(store.runs(&RunFilter::default()).expect("list").is_empty());
}

#[test]
fn the_embedded_store_passes_the_suite() {
    let folder = tempfile::tempdir().expect("temp");
    let mut store = SqliteStore::open(&folder.path().join(".vibeguard/history.db")).expect("open");
    suite(&mut store);
}

#[test]
fn two_audits_writing_at_once_are_both_recorded() {
    let folder = tempfile::tempdir().expect("temp");
    let path = folder.path().join("history.db");
    SqliteStore::open(&path).expect("create");
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&path).expect("open");
                for n in 0..10 {
                    let findings = (0..200)
                        .map(|i| finding(&format!("{writer}-{n}-{i}"), "low", "a.js:1"))
                        .collect();
                    store
                        .record(&run(1_800_000_000 + n, None, findings, &[]))
                        .expect("record under contention");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer");
    }
    let store = SqliteStore::open(&path).expect("open");
    let runs = store.runs(&RunFilter::default()).expect("list");
    assert_eq!(runs.len(), 40);
    for summary in runs {
        let run = store.run(summary.id).expect("read").expect("there");
        assert_eq!(run.findings.len(), 200, "run {} is whole", summary.id);
    }
}

#[test]
fn an_older_schema_is_brought_up_to_date_with_its_runs() {
    let folder = tempfile::tempdir().expect("temp");
    let path = folder.path().join("history.db");
    // A file written by a build that knew only the first schema version.
    {
        let old = SqliteStore::open_at_version(&path, 1).expect("old");
        drop(old);
        let connection = rusqlite_insert_v1(&path);
        drop(connection);
    }
    let store = SqliteStore::open(&path).expect("migrate");
    let runs = store.runs(&RunFilter::default()).expect("list");
    assert_eq!(runs.len(), 1);
    let run = store.run(runs[0].id).expect("read").expect("there");
    assert_eq!(run.findings.len(), 1);
    assert!(run.coverage.is_empty());
}

/// Inserts a run the way version 1 stored it (no coverage column).
fn rusqlite_insert_v1(path: &Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).expect("open");
    connection
        .execute_batch(
            "INSERT INTO runs (started_at, started_unix, finished_at, version, project, fail_on, passed)
             VALUES ('2027-01-15T08:00:00Z', 1800000000, '2027-01-15T08:00:05Z', '0.0.9', '/work/app', 'high', 0);
             INSERT INTO findings VALUES (1, 'aa', 'VG101', 'high', 'active', 'a.js:1', 'SQL');",
        )
        .expect("v1 rows");
    connection
}

#[test]
fn foreign_corrupt_and_newer_files_are_refused_by_name() {
    let folder = tempfile::tempdir().expect("temp");
    let foreign = folder.path().join("app.db");
    rusqlite::Connection::open(&foreign)
        .expect("open")
        .execute_batch("CREATE TABLE users (id INTEGER);")
        .expect("table");
    let error = SqliteStore::open(&foreign).expect_err("foreign");
    assert!(matches!(error, HistoryError::Foreign { .. }), "{error}");
    assert!(error.to_string().contains("app.db"), "{error}");

    let corrupt = folder.path().join("history.db");
    std::fs::write(&corrupt, vec![0x42u8; 8192]).expect("write");
    let error = SqliteStore::open(&corrupt).expect_err("corrupt");
    assert!(
        error.to_string().contains("not a SQLite database"),
        "{error}"
    );
    assert!(error.to_string().contains("history.db"), "{error}");

    let newer = folder.path().join("newer.db");
    SqliteStore::open(&newer).expect("create");
    rusqlite::Connection::open(&newer)
        .expect("open")
        .execute("UPDATE vibeguard_schema SET version = 99", [])
        .expect("bump");
    let error = SqliteStore::open(&newer).expect_err("newer");
    assert!(
        matches!(error, HistoryError::Newer { found: 99, supported, .. } if supported == sqlite::schema_version()),
        "{error}"
    );
}

/// A fresh database on the test server, dropped at the end: `None` (with the reason printed)
/// when no server is configured — which fails in CI, where `.ci/run` starts one.
struct FreshDatabase {
    admin: String,
    name: String,
    url: String,
}

impl FreshDatabase {
    fn create() -> Option<FreshDatabase> {
        let Ok(admin) = std::env::var("VIBEGUARD_TEST_POSTGRES") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "VIBEGUARD_TEST_POSTGRES is not set: CI must run the PostgreSQL store's tests (.ci/run starts a server)"
            );
            eprintln!(
                "skipped: set VIBEGUARD_TEST_POSTGRES=postgres://user:password@127.0.0.1/db (a user that may create databases) to test the PostgreSQL store"
            );
            return None;
        };
        let name = format!(
            "vibeguard_test_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .subsec_nanos()
        );
        let mut client =
            postgres::Client::connect(&admin, postgres::NoTls).expect("the test server answers");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let (base, query) = admin
            .split_once('?')
            .map_or((admin.as_str(), ""), |(b, q)| (b, q));
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        let url = if query.is_empty() {
            format!("{server}/{name}")
        } else {
            format!("{server}/{name}?{query}")
        };
        Some(FreshDatabase { admin, name, url })
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

#[test]
fn the_postgres_store_passes_the_suite() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let mut store = PostgresStore::connect(&database.url).expect("connect");
    suite(&mut store);
}

#[test]
fn postgres_writers_at_once_are_all_recorded_and_an_older_schema_is_migrated() {
    let Some(database) = FreshDatabase::create() else {
        return;
    };
    // A database a build of schema version 1 made, with a run in it.
    {
        let mut old = PostgresStore::connect_at_version(&database.url, 1).expect("old");
        let mut client =
            postgres::Client::connect(&database.url, postgres::NoTls).expect("connect");
        client
            .batch_execute(
                "INSERT INTO vibeguard_runs (started_at, started_unix, finished_at, version, project, fail_on, passed)
                 VALUES ('2027-01-15T08:00:00Z', 1800000000, '2027-01-15T08:00:05Z', '0.0.9', '/work/app', 'high', false);
                 INSERT INTO vibeguard_findings VALUES (1, 0, 'aa', 'VG101', 'high', 'active', 'a.js:1', 'SQL');",
            )
            .expect("v1 rows");
        assert!(old.runs(&RunFilter::default()).is_ok());
        drop(old.prune(Prune::Keep(10)));
    }
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let url = database.url.clone();
            std::thread::spawn(move || {
                // Each connects (and migrates) at the same time as the others.
                let mut store = PostgresStore::connect(&url).expect("connect");
                for n in 0..5 {
                    let findings = (0..300)
                        .map(|i| finding(&format!("{writer}-{n}-{i}"), "low", "a.js:1"))
                        .collect();
                    store
                        .record(&run(1_800_000_100 + n, None, findings, &[]))
                        .expect("record");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer");
    }
    let store = PostgresStore::connect(&database.url).expect("connect");
    let runs = store.runs(&RunFilter::default()).expect("list");
    assert_eq!(runs.len(), 21, "the old run and 20 new ones");
    let old = runs
        .iter()
        .find(|r| r.version == "0.0.9")
        .expect("the old run survived");
    assert_eq!(
        store
            .run(old.id)
            .expect("read")
            .expect("there")
            .findings
            .len(),
        1
    );
    for summary in runs.iter().filter(|r| r.version != "0.0.9") {
        assert_eq!(
            store
                .run(summary.id)
                .expect("read")
                .expect("there")
                .findings
                .len(),
            300
        );
    }
}

#[test]
fn a_refusing_a_silent_and_a_wrong_password_server_are_named_without_the_password() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("postgres://ci:s3cret-value@127.0.0.1:{port}/history?connect_timeout=2");
    let error = PostgresStore::connect(&url)
        .expect_err("refused")
        .to_string();
    assert!(
        error.contains(&format!("postgres://ci@127.0.0.1:{port}/history")),
        "{error}"
    );
    assert!(!error.contains("s3cret-value"), "{error}");
    assert!(error.to_lowercase().contains("refused"), "{error}");

    // A server that accepts and never answers: the connection gives up within its timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let held = std::thread::spawn(move || {
        let connection = silent.accept();
        std::thread::sleep(std::time::Duration::from_secs(3));
        drop(connection);
    });
    let started = std::time::Instant::now();
    let error = PostgresStore::connect(&format!(
        "postgres://ci:s3cret-value@127.0.0.1:{port}/history?connect_timeout=1&sslmode=disable"
    ))
    .expect_err("silent")
    .to_string();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "bounded"
    );
    assert!(
        error.contains("did not complete the connection within 1 s"),
        "{error}"
    );
    assert!(!error.contains("s3cret-value"), "{error}");
    held.join().expect("listener");

    let Some(database) = FreshDatabase::create() else {
        return;
    };
    let (scheme, rest) = database.url.split_once("://").expect("url");
    let (_, host) = rest.rsplit_once('@').expect("the test URL names a user");
    let user = rest.split(['@', ':']).next().expect("user");
    let wrong = format!("{scheme}://{user}:not-the-password-42@{host}");
    let error = PostgresStore::connect(&wrong)
        .expect_err("wrong password")
        .to_string();
    assert!(!error.contains("not-the-password-42"), "{error}");
    assert!(error.contains("password authentication failed"), "{error}");

    // `verify-full` checks the certificate: a local server's self-signed one (or none) fails.
    let separator = if database.url.contains('?') { '&' } else { '?' };
    let verified = format!("{}{separator}sslmode=verify-full", database.url);
    let error = PostgresStore::connect(&verified)
        .expect_err("not verifiable")
        .to_string();
    assert!(
        error.contains("certificate") || error.contains("TLS"),
        "{error}"
    );
}
