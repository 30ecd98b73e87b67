//! The API engine on apps written apart from it (`testbed/`): each app runs as a real server on
//! 127.0.0.1, is audited by the `vibeguard` binary, and must give exactly its documented
//! findings (its hardened twin none), exercise or name every operation, pass no checklist item
//! it breaks, and give the same fingerprints run after run.
//!
//! The apps need their own packages: `VIBEGUARD_TESTBED_PYTHON` names a Python that has them
//! (`.ci/run` creates it from `testbed/requirements.txt`). Without it the tests say so and
//! stop — except in CI, where they fail.

mod common;

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{repo_file, vibeguard};
use serde_json::Value;

/// The interpreter named by `variable` (`VIBEGUARD_TESTBED_PYTHON`, a Python with
/// testbed/requirements.txt; `VIBEGUARD_TESTBED_NODE`, a Node.js for the apps whose
/// `node_modules` `npm ci` installed), or `None` (outside CI) when it is not set.
fn testbed_runtime(variable: &str) -> Option<PathBuf> {
    match std::env::var_os(variable) {
        Some(runtime) => Some(PathBuf::from(runtime)),
        None if std::env::var_os("CI").is_some() => {
            panic!("{variable} is not set: CI must run the testbed (see .ci/run)")
        }
        None => {
            eprintln!("testbed skipped: set {variable} (see testbed/README.md)");
            None
        }
    }
}

fn testbed_python() -> Option<PathBuf> {
    testbed_runtime("VIBEGUARD_TESTBED_PYTHON")
}

/// A testbed app's server, stopped (by its PID) when dropped.
struct App {
    child: Child,
    url: String,
}

impl App {
    /// Starts `testbed/APP/app.py`, `app.js` or `server.js` with `runtime`.
    fn start(runtime: &PathBuf, app: &str, hardened: bool, port: u16) -> App {
        App::start_with(runtime, app, hardened, port, &[])
    }

    /// As [`App::start`], with more arguments for the app (`--db PATH`).
    fn start_with(runtime: &PathBuf, app: &str, hardened: bool, port: u16, extra: &[&str]) -> App {
        let python = repo_file(&format!("testbed/{app}/app.py"));
        let script = [
            python,
            repo_file(&format!("testbed/{app}/app.js")),
            repo_file(&format!("testbed/{app}/server.js")),
        ]
        .into_iter()
        .find(|script| script.exists())
        .expect("the app's script");
        let mut command = Command::new(runtime);
        command
            .arg(script)
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if hardened {
            command.arg("--hardened");
        }
        command.args(extra);
        let child = command.spawn().expect("the testbed app starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "testbed/{app} did not listen on {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        App {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free now on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Audits a fresh server of the app on `port` and returns the JSON report.
fn audit(runtime: &PathBuf, app: &str, hardened: bool, port: u16) -> Value {
    let server = App::start(runtime, app, hardened, port);
    audit_folder(&repo_file(&format!("testbed/{app}")), &server.url)
}

/// Audits the project in `folder` (its `vibeguard.toml` read) against the server at `url`,
/// and returns the JSON report.
fn audit_folder(folder: &std::path::Path, url: &str) -> Value {
    let cache = tempfile::tempdir().expect("tempdir");
    let out = cache.path().join("report.json");
    let output = vibeguard(cache.path())
        .current_dir(folder)
        .args(["audit", ".", "--target", url, "-q", "--format"])
        .arg(format!("json={}", out.display()))
        .output()
        .expect("runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&std::fs::read(&out).expect("report written")).expect("json")
}

/// The API findings: `VG402 DELETE /shelves/{name}`, with the parameter when there is one.
fn api_findings(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with("VG4")))
        .map(|f| {
            let location = &f["location"];
            let mut place = format!(
                "{} {} {}",
                f["code"].as_str().unwrap_or_default(),
                location["method"].as_str().unwrap_or_default(),
                location["path"].as_str().unwrap_or_default()
            );
            if let Some(parameter) = location["parameter"].as_str() {
                place.push_str(&format!(" [{parameter}]"));
            }
            place
        })
        .collect()
}

/// Asserts that two runs gave the same API findings (by fingerprint), naming the findings
/// that differ when they do not.
fn assert_same_findings(first: &Value, other: &Value) {
    let api = |report: &Value| -> std::collections::BTreeMap<String, String> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with("VG4")))
            .map(|f| {
                (
                    f["fingerprint"].as_str().unwrap_or_default().to_string(),
                    format!(
                        "{} {}",
                        f["code"].as_str().unwrap_or_default(),
                        f["message"].as_str().unwrap_or_default()
                    ),
                )
            })
            .collect()
    };
    let (a, b) = (api(first), api(other));
    let only = |x: &std::collections::BTreeMap<String, String>,
                y: &std::collections::BTreeMap<String, String>| {
        x.iter()
            .filter(|(fingerprint, _)| !y.contains_key(*fingerprint))
            .map(|(_, finding)| finding.clone())
            .collect::<Vec<_>>()
    };
    assert!(
        a.keys().eq(b.keys()),
        "the runs differ: only in the first {:?}; only in the other {:?}",
        only(&a, &b),
        only(&b, &a)
    );
}

fn checklist_status<'a>(report: &'a Value, item: &str) -> &'a str {
    report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|v| v["id"] == item)
        .and_then(|v| v["status"].as_str())
        .unwrap_or_default()
}

fn api_run(report: &Value) -> &Value {
    report["engines"]
        .as_array()
        .expect("engines")
        .iter()
        .find(|run| run["engine"] == "api")
        .expect("the api engine ran")
}

/// The API engine's errors, but the note naming the accounts its sign-up probes made on an
/// app that has no operation to close an account (most apps assistants write): the run cannot
/// remove them, and says which they are.
fn errors_but_accounts_left(api: &Value) -> Vec<String> {
    api["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["message"].as_str().map(str::to_string))
        .filter(|m| {
            !(m.contains("account(s) the sign-up probes made")
                && m.contains("no operation closes an account"))
        })
        .collect()
}

/// One testbed audit at a time: the ReDoS and timing checks measure answer times, which a
/// second app's audit on the same two cores would disturb.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The reading-list API (Flask + SQLAlchemy, Swagger 2.0, opaque tokens, shelves keyed by
/// name, users by username): every flaw of testbed/README.md the engine can find today.
const FLASK_LIBRARY: &[&str] = &[
    // Any logged-in user reads and deletes another's shelf, found by the name it was created with.
    "VG402 GET /shelves/{name}",
    "VG402 DELETE /shelves/{name}",
    // Any logged-in user reads another's account record, with its password hash.
    "VG402 GET /users/{username}",
    "VG405 GET /users/{username} [response:/password_hash]",
    // The "staff only" member list has no login check and lists clear-text passwords.
    "VG401 GET /members",
    "VG405 GET /members [response:/*/password]",
    // The search pastes `q` into SQL and hands the database's error back.
    "VG409 GET /search [query:q]",
    "VG427 GET /search",
    // Any logged-in user sets another's password (proven by their login) and e-mail (proven
    // by their record), each then restored.
    "VG429 PUT /users/{username}",
    // No login limit; the login says which usernames exist.
    "VG414 POST /auth/login",
    "VG415 POST /auth/login",
    // The search has no rate limit: 200 requests a second for 2 s all answered.
    "VG431 GET /search",
    // Deeply nested JSON crashes the JSON parser (500).
    "VG417 POST /auth/login [nested-json]",
    "VG417 POST /shelves [nested-json]",
    // No security headers; Werkzeug names itself and its version.
    "VG406 * / [response headers]",
    "VG428 * / [header:server]",
];

#[test]
fn flask_library_flaws_are_found_and_its_twin_is_clean() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Three runs, each against a fresh server at the same address (the target is part of a
    // finding's identity).
    let port = free_port();
    let runs: Vec<Value> = (0..3)
        .map(|_| audit(&python, "flask_library", false, port))
        .collect();
    let expected: BTreeSet<String> = FLASK_LIBRARY.iter().map(|s| s.to_string()).collect();
    assert_eq!(api_findings(&runs[0]), expected);
    // The same findings, to the fingerprint, on every run against a fresh server.
    assert_same_findings(&runs[0], &runs[1]);
    assert_same_findings(&runs[0], &runs[2]);

    // Every operation exercised (the password change by the account-takeover check, the only
    // one that sends it with an identity's token, since it restores).
    let api = api_run(&runs[0]);
    assert_eq!(api["coverage"]["operations_total"], 9);
    assert_eq!(api["coverage"]["operations"], 9);
    assert!(api["untested"].is_null(), "{}", api["untested"]);
    assert!(
        api["errors"].as_array().is_none_or(Vec::is_empty),
        "{}",
        api["errors"]
    );
    // Two takeovers of bob's account, the password and the e-mail, each undone: bob's
    // configured password works again and his record shows his address.
    let takeovers: Vec<&str> = runs[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "VG429")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(takeovers.len(), 2, "{takeovers:?}");
    assert!(takeovers.iter().any(|m| m.contains("bob's password")));
    assert!(takeovers.iter().any(|m| m.contains("bob's e-mail")));
    assert!(
        takeovers
            .iter()
            .all(|m| m.contains("set back") && !m.contains("RESTORE FAILED")),
        "{takeovers:?}"
    );

    // No item the app breaks is passed.
    for item in [
        "AUTH-01", "AUTH-02", "AUTH-05", "DATA-01", "INPUT-02", "API-04", "API-06",
    ] {
        assert_eq!(checklist_status(&runs[0], item), "failed", "{item}");
    }

    let twin = audit(&python, "flask_library", true, free_port());
    assert_eq!(api_findings(&twin), BTreeSet::new());
    // The twin passes what was tested everywhere it applies.
    assert_eq!(checklist_status(&twin, "AUTH-01"), "passed");
}

/// The venue-booking API (FastAPI's own OpenAPI 3.1, UUID keys, bookings nested under venues,
/// three roles, the OAuth2 password form at /token): every flaw of testbed/README.md the engine
/// can find today.
const FASTAPI_VENUES: &[&str] = &[
    // A guest deletes a venue an administrator created: the delete checks the login only.
    "VG403 DELETE /venues/{venue_id}",
    // A guest reads another guest's booking (phone number included) by its UUID.
    "VG402 GET /venues/{venue_id}/bookings/{booking_id}",
    // A guest reads the administrator's payout (IBAN included) by its UUID, though its own
    // list of payouts shows none: across roles, without any policy.
    "VG403 GET /payouts/{payout_id}",
    // Anyone signs up as an administrator: the sign-up takes `role`.
    "VG413 POST /register [body:role]",
    // A guest makes itself an administrator through the admin screen's role change (then set
    // back).
    "VG430 PUT /users/{user_id}/role",
    // The token key is six digits: found by the key-space search, proven by a forged token.
    "VG411 GET /users/me [token]",
    // The tokens forged with it act as their identity: one forged for ada (the admin) changes
    // her venue and reads her payout (and her booking, as above).
    "VG402 PATCH /venues/{venue_id}",
    "VG402 GET /payouts/{payout_id}",
    // The host-only photo URL is fetched wherever it points.
    "VG422 POST /venues [body:/photo_url]",
    // The e-mail look-up's regular expression backtracks (no pattern in the description).
    "VG426 GET /users/lookup [query:email]",
    // The login answers at once for an unknown name, after hashing for a known one: the
    // answer time tells which accounts exist.
    "VG415 POST /token",
    // No limit on the OAuth2 password form, the sign-up, or reads (a load burst on the first
    // secured list, the payouts).
    "VG414 POST /token",
    "VG414 POST /register",
    "VG431 GET /payouts",
    // A 10 MB form body is read whole.
    "VG417 POST /token [large-body]",
    // No security headers; `X-Powered-By` names FastAPI and Python with their versions.
    "VG406 * / [response headers]",
    "VG428 * / [header:x-powered-by]",
];

#[test]
fn fastapi_venues_flaws_are_found_and_its_twin_is_clean() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let port = free_port();
    let runs: Vec<Value> = (0..3)
        .map(|_| audit(&python, "fastapi_venues", false, port))
        .collect();
    let expected: BTreeSet<String> = FASTAPI_VENUES.iter().map(|s| s.to_string()).collect();
    assert_eq!(api_findings(&runs[0]), expected);
    assert_same_findings(&runs[0], &runs[1]);
    assert_same_findings(&runs[0], &runs[2]);

    // Every operation exercised (the role change by the self-escalation check, which sets the
    // guest's role back).
    let api = api_run(&runs[0]);
    // FastAPI describes every route its code declares: nothing added from the code.
    assert_eq!(api["coverage"]["operations_total"], 18);
    assert!(api["coverage"]["operations_from_code"].is_null());
    assert_eq!(api["coverage"]["operations"], 18);
    assert!(api["untested"].is_null(), "{}", api["untested"]);
    assert_eq!(errors_but_accounts_left(api), Vec::<String>::new());
    let escalation = runs[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "VG430")
        .expect("VG430");
    assert!(
        escalation["message"]
            .as_str()
            .is_some_and(|m| m.contains("set back") && !m.contains("RESTORE FAILED")),
        "{}",
        escalation["message"]
    );
    // The key is never shown, not even in part.
    let forged = runs[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "VG411")
        .expect("VG411");
    assert!(!forged.to_string().contains("482"), "{forged}");

    for item in [
        "AUTH-02", "AUTH-05", "AUTH-07", "DATA-01", "INPUT-04", "INPUT-05", "API-06", "API-01",
    ] {
        assert_eq!(checklist_status(&runs[0], item), "failed", "{item}");
    }

    let twin = audit(&python, "fastapi_venues", true, free_port());
    assert_eq!(api_findings(&twin), BTreeSet::new());
    assert_eq!(checklist_status(&twin, "AUTH-01"), "passed");
}

/// The expenses API (Express + NeDB, a hand-written OpenAPI 3.0 description with an admin
/// operation that declares no `security`, `X-Auth-Token` credentials, creates that answer no
/// id, a paginated list): every flaw of testbed/README.md the engine can find today.
const EXPRESS_EXPENSES: &[&str] = &[
    // Any member reads and deletes another's expense; its id comes from the list, since the
    // create answers none.
    "VG402 GET /api/v1/expenses/{id}",
    "VG402 DELETE /api/v1/expenses/{id}",
    // The list shows every member's expenses to every member.
    "VG402 GET /api/v1/expenses",
    // Any member reads another's whole user record, password hash included.
    "VG402 GET /api/v1/users/{id}",
    "VG405 GET /api/v1/users/{id} [response:/data/passwordHash]",
    // The admin dashboard checks the login, not the role.
    "VG403 GET /api/v1/admin/stats",
    // `?category[$ne]=x` reaches NeDB as an operator.
    "VG418 GET /api/v1/expenses/search [query:category]",
    // Errors are answered with their stack trace (malformed JSON, NeDB's refusals).
    "VG427 POST /api/v1/auth/register",
    "VG427 POST /api/v1/auth/login",
    "VG427 POST /api/v1/expenses",
    "VG427 PATCH /api/v1/expenses/{id}",
    "VG427 GET /api/v1/expenses/search",
    // Any origin, with credentials (reflected, and `null`).
    "VG407 GET /api/v1/expenses",
    // No limit on logins or sign-ups; the login says which e-mails have accounts.
    "VG414 POST /api/v1/auth/login",
    "VG414 POST /api/v1/auth/register",
    "VG415 POST /api/v1/auth/login",
    // No rate limit on the list either (a load burst).
    "VG431 GET /api/v1/expenses",
    // `limit=100000` honoured; JSON nested 10,000 deep accepted.
    "VG417 GET /api/v1/expenses [query:limit]",
    "VG417 POST /api/v1/auth/login [nested-json]",
    "VG417 POST /api/v1/expenses [nested-json]",
    "VG417 PATCH /api/v1/expenses/{id} [nested-json]",
    // `page=abc` and a category outside the enum are taken silently.
    "VG404 GET /api/v1/expenses",
    "VG404 POST /api/v1/expenses",
    // No security headers.
    "VG406 * / [response headers]",
];

#[test]
fn express_expenses_flaws_are_found_and_its_twin_is_clean() {
    let Some(node) = testbed_runtime("VIBEGUARD_TESTBED_NODE") else {
        return;
    };
    assert!(
        repo_file("testbed/express_expenses/node_modules/express").exists(),
        "run `npm ci --prefix testbed/express_expenses` first (.ci/run does)"
    );
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let port = free_port();
    let runs: Vec<Value> = (0..3)
        .map(|_| audit(&node, "express_expenses", false, port))
        .collect();
    let expected: BTreeSet<String> = EXPRESS_EXPENSES.iter().map(|s| s.to_string()).collect();
    assert_eq!(api_findings(&runs[0]), expected);
    assert_same_findings(&runs[0], &runs[1]);
    assert_same_findings(&runs[0], &runs[2]);

    let api = api_run(&runs[0]);
    assert_eq!(api["coverage"]["operations_total"], 11);
    assert_eq!(api["coverage"]["operations"], 11);
    assert!(api["untested"].is_null(), "{}", api["untested"]);
    // Everything created is deleted — the objects whose creates answered no id included,
    // found in the list by what they were sent with (the app closes no account: the accounts
    // its sign-up made are named).
    assert_eq!(errors_but_accounts_left(api), Vec::<String>::new());

    for item in [
        "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-02", "INPUT-05", "API-01", "API-02",
        "API-04", "API-06",
    ] {
        assert_eq!(checklist_status(&runs[0], item), "failed", "{item}");
    }

    let twin = audit(&node, "express_expenses", true, free_port());
    assert_eq!(api_findings(&twin), BTreeSet::new());
    let api = api_run(&twin);
    assert!(api["untested"].is_null(), "{}", api["untested"]);
    assert_eq!(errors_but_accounts_left(api), Vec::<String>::new());
}

/// Copies an app's folder without its description files, its configuration and its packages.
fn copy_sources(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("app folder").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let source = entry.path();
        let description = name.starts_with("openapi.") || name.starts_with("swagger.");
        if source.is_dir() && !matches!(name.as_str(), "node_modules" | "__pycache__") {
            std::fs::create_dir_all(to.join(&name)).expect("mkdir");
            copy_sources(&source, &to.join(&name));
        } else if source.is_file() && !description && name != "vibeguard.toml" {
            std::fs::copy(&source, to.join(&name)).expect("copy");
        }
    }
}

/// An app's configuration with `spec = "none"` for its `spec`.
fn without_description(config: &str) -> String {
    config
        .lines()
        .filter(|line| !line.starts_with("spec"))
        .map(|line| {
            if line.trim() == "[api]" {
                format!("{line}\nspec = \"none\"\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

/// Audits a fresh server of `app` from a copy of its folder without its description, and with
/// `spec = "none"` in its configuration (not even a description the app serves itself, as
/// FastAPI and DRF do): the operations come from the code.
fn audit_without_description(runtime: &PathBuf, app: &str, hardened: bool) -> Value {
    let server = App::start(runtime, app, hardened, free_port());
    let copy = tempfile::tempdir().expect("tempdir");
    let folder = repo_file(&format!("testbed/{app}"));
    copy_sources(&folder, copy.path());
    let config = std::fs::read_to_string(folder.join("vibeguard.toml")).expect("config");
    std::fs::write(
        copy.path().join("vibeguard.toml"),
        without_description(&config),
    )
    .expect("write");
    audit_folder(copy.path(), &server.url)
}

/// Asserts what an app's audit without its description finds: every documented flaw but
/// `not_reached`, at least 90 % of them, every operation exercised, no error, no broken item
/// passed; and nothing on its twin.
fn check_without_description(
    runtime: &PathBuf,
    app: &str,
    documented: &[&str],
    (not_reached, undecided): (&[&str], &[&str]),
    broken_items: &[&str],
) {
    check_without_description_moved(
        runtime,
        app,
        documented,
        (not_reached, undecided),
        &[],
        broken_items,
    );
}

/// As [`check_without_description`], where a whole-API finding lands on another operation
/// (`moved`: as documented → as found): the load burst's read is the first secured list of the
/// operations, whose order is the code's, not the description's.
fn check_without_description_moved(
    runtime: &PathBuf,
    app: &str,
    documented: &[&str],
    (not_reached, undecided): (&[&str], &[&str]),
    moved: &[(&str, &str)],
    broken_items: &[&str],
) {
    let report = audit_without_description(runtime, app, false);
    let api = api_run(&report);
    assert!(api["failed"].is_null(), "{}", api["failed"]);
    assert_eq!(
        api["coverage"]["operations_from_code"], api["coverage"]["operations_total"],
        "every operation comes from the code"
    );
    // The only operations named untested: open ones nothing says should be closed.
    let untested: Vec<&str> = api["untested"]
        .as_array()
        .map(|list| list.iter().filter_map(|u| u["place"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(untested, undecided, "{}", api["untested"]);
    let documented: BTreeSet<String> = documented.iter().map(|s| s.to_string()).collect();
    let not_reached: BTreeSet<String> = not_reached.iter().map(|s| s.to_string()).collect();
    let expected: BTreeSet<String> = documented
        .difference(&not_reached)
        .map(|finding| {
            moved
                .iter()
                .find(|(from, _)| from == finding)
                .map_or_else(|| finding.clone(), |(_, to)| to.to_string())
        })
        .collect();
    assert_eq!(api_findings(&report), expected);
    assert!(expected.len() * 10 >= documented.len() * 9, "at least 90 %");
    for item in broken_items {
        assert_ne!(checklist_status(&report, item), "passed", "{item}");
    }
    let twin = audit_without_description(runtime, app, true);
    assert_eq!(api_findings(&twin), BTreeSet::new());
}

#[test]
fn express_expenses_without_its_description_is_tested_from_its_routes() {
    let Some(node) = testbed_runtime("VIBEGUARD_TESTBED_NODE") else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The routes and the fields their handlers read reach every flaw but the category's enum
    // (the code checks no list the routes show). The nested JSON the login accepts is proven
    // with an account the sign-up probes registered.
    check_without_description(
        &node,
        "express_expenses",
        EXPRESS_EXPENSES,
        (&["VG404 POST /api/v1/expenses"], &[]),
        &[
            "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-02", "INPUT-05", "API-01",
            "API-02", "API-04", "API-06",
        ],
    );
}

#[test]
fn fastapi_venues_without_its_description_is_tested_from_its_routes() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // FastAPI serves its own description; `spec = "none"` leaves it unread: the routes, their
    // `Depends(current_user)`, their Pydantic bodies, `Query` parameters and the OAuth2 form
    // give the operations. Not reached: the 10 MB login body — the code shows the form's two
    // required fields only, and growing the name makes a refused login that proves nothing
    // (with the description the optional `client_id` is grown, the login still valid).
    check_without_description_moved(
        &python,
        "fastapi_venues",
        FASTAPI_VENUES,
        (&["VG417 POST /token [large-body]"], &[]),
        &[("VG431 GET /payouts", "VG431 GET /users/me")],
        &[
            "AUTH-02", "AUTH-05", "AUTH-07", "DATA-01", "INPUT-04", "API-06", "API-01",
        ],
    );
}

#[test]
fn django_helpdesk_without_its_description_is_tested_from_its_routes() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // DRF serves its own description; without it the router's viewsets, the generic views
    // (`CreateAPIView`, `RetrieveUpdateAPIView`), their serializers on Django's own `User` and
    // the token login give the operations. The settings page is secured in the code, so the
    // missing-authentication check would send it tampered credentials: those never go to an
    // operation that changes an identity's e-mail, and the page is named for VG401. The
    // articles' reads answer anyone (`IsAuthenticatedOrReadOnly`) and nothing configured says
    // whether they should: named for VG401 too, AUTH-01 not verified rather than passed.
    // The router names its key `pk` where DRF's description says `id`; the load burst lands
    // on the first secured list of the code's order.
    let documented: Vec<String> = DJANGO_HELPDESK
        .iter()
        .map(|finding| finding.replace("{id}", "{pk}"))
        .collect();
    let documented: Vec<&str> = documented.iter().map(String::as_str).collect();
    check_without_description_moved(
        &python,
        "django_helpdesk",
        &documented,
        (
            &[],
            &[
                "GET /api/articles/",
                "GET /api/articles/{pk}/",
                "PATCH /api/me/",
            ],
        ),
        &[("VG431 GET /api/admin/users/", "VG431 GET /api/tickets/")],
        &[
            "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-05", "API-01", "API-04", "API-06",
        ],
    );
}

#[test]
fn flask_library_without_its_description_is_tested_from_its_routes() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Every flaw but the member list the description says is secured: the code declares it
    // without authentication, and nothing else says it should have any — so it is named
    // untested, and AUTH-01 is not verified rather than passed.
    check_without_description(
        &python,
        "flask_library",
        FLASK_LIBRARY,
        (&["VG401 GET /members"], &["GET /members"]),
        &["AUTH-01", "AUTH-02", "DATA-01", "INPUT-02", "API-04"],
    );
}

/// Records the app's user journey (`testbed/APP/journey.json`) as a HAR file with
/// `testbed/record_har.py` — a test client standing for a browser's developer tools — and
/// audits the app from that recording alone: no description, no code (`vibeguard api` with
/// `--traffic`).
fn audit_from_traffic(
    runtime: &PathBuf,
    python: &PathBuf,
    app: &str,
    hardened: bool,
    source: Recorded,
) -> Value {
    let server = App::start(runtime, app, hardened, free_port());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut traffic: Vec<String> = vec!["--traffic".into()];
    match source {
        Recorded::Har => {
            let har = dir.path().join("journey.har");
            let recorded = Command::new(python)
                .arg(repo_file("testbed/record_har.py"))
                .args(["--base", &server.url, "--journey"])
                .arg(repo_file(&format!("testbed/{app}/journey.json")))
                .arg("--out")
                .arg(&har)
                .output()
                .expect("the recorder runs");
            assert!(
                recorded.status.success(),
                "{}",
                String::from_utf8_lossy(&recorded.stderr)
            );
            traffic.push(har.display().to_string());
        }
        Recorded::Postman(collection) => {
            // The environment a tester would pick: the server's address and the password.
            let environment = dir.path().join("local.postman_environment.json");
            let values = serde_json::json!({"name": "local", "values": [
                {"key": "baseUrl", "value": server.url, "enabled": true},
                {"key": "password", "value": "alice-pw-1", "enabled": true},
            ]});
            std::fs::write(&environment, values.to_string()).expect("write");
            traffic.push(
                repo_file(&format!("testbed/{app}/{collection}"))
                    .display()
                    .to_string(),
            );
            traffic.push("--traffic-env".into());
            traffic.push(environment.display().to_string());
        }
    }
    // Not even a description the app serves itself (FastAPI's, DRF's): the recording alone.
    let config = std::fs::read_to_string(repo_file(&format!("testbed/{app}/vibeguard.toml")))
        .expect("config");
    std::fs::write(
        dir.path().join("vibeguard.toml"),
        without_description(&config),
    )
    .expect("write");
    let out = dir.path().join("report.json");
    let output = vibeguard(dir.path())
        .args(["api", "--project"])
        .arg(dir.path())
        .args(["--target", &server.url, "-q"])
        .args(&traffic)
        .arg("--format")
        .arg(format!("json={}", out.display()))
        .output()
        .expect("runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&std::fs::read(&out).expect("report written")).expect("json")
}

/// Where an audit from traffic gets its recording.
#[derive(Clone, Copy)]
enum Recorded {
    /// A HAR file `testbed/record_har.py` records from the app's `journey.json`.
    Har,
    /// A Postman Collection in the app's folder, with an environment naming the server.
    Postman(&'static str),
}

/// Flaws of the whole API that a check reports on one operation it picks (the CORS policy, the
/// request rate): from a recording, the operation picked can differ from the description's, so
/// these are compared by rule.
const WHOLE_API: &[&str] = &["VG407", "VG431"];

/// Path parameters are named by the recording's guesses (`{id}` where the description says
/// `{payout_id}`), so they are compared as `{}`.
fn by_flaw(findings: &BTreeSet<String>) -> BTreeSet<String> {
    findings
        .iter()
        .map(|finding| {
            let code = finding.split(' ').next().unwrap_or_default();
            if WHOLE_API.contains(&code) {
                code.to_string()
            } else {
                let mut unnamed = String::new();
                let mut in_name = false;
                for c in finding.chars() {
                    match c {
                        '{' => {
                            in_name = true;
                            unnamed.push_str("{}");
                        }
                        '}' => in_name = false,
                        _ if in_name => {}
                        _ => unnamed.push(c),
                    }
                }
                unnamed
            }
        })
        .collect()
}

/// Asserts what an app's audit from its recorded traffic finds: the documented flaws but
/// `not_reached`, at least 90 % of them, every operation from the recording and exercised, no
/// broken item passed, no recorded credential in the report; and nothing on its twin.
fn check_from_traffic(
    runtimes: (&PathBuf, &PathBuf),
    recording: (&str, Recorded),
    documented: &[&str],
    not_reached: &[&str],
    broken_items: &[&str],
) {
    check_from_traffic_beyond(
        runtimes,
        recording,
        (documented, not_reached, &[]),
        broken_items,
    );
}

/// As [`check_from_traffic`], where the recording also reaches real flaws the description
/// hides (`beyond`), which the twin must not have either.
fn check_from_traffic_beyond(
    (runtime, python): (&PathBuf, &PathBuf),
    (app, source): (&str, Recorded),
    (documented, not_reached, beyond): (&[&str], &[&str], &[&str]),
    broken_items: &[&str],
) {
    let report = audit_from_traffic(runtime, python, app, false, source);
    let api = api_run(&report);
    assert!(api["failed"].is_null(), "{}", api["failed"]);
    let coverage = &api["coverage"];
    assert_eq!(
        coverage["operations_from_traffic"],
        coverage["operations_total"]
    );
    assert_eq!(
        coverage["operations"], coverage["operations_total"],
        "{}",
        api["unchecked"]
    );
    let documented: BTreeSet<String> = documented.iter().map(|s| s.to_string()).collect();
    let not_reached: BTreeSet<String> = not_reached.iter().map(|s| s.to_string()).collect();
    let expected = by_flaw(
        &documented
            .difference(&not_reached)
            .cloned()
            .chain(beyond.iter().map(|s| s.to_string()))
            .collect(),
    );
    let found = by_flaw(&api_findings(&report));
    assert_eq!(
        found,
        expected,
        "missed {:?}; not documented {:?}",
        expected.difference(&found).collect::<Vec<_>>(),
        found.difference(&expected).collect::<Vec<_>>()
    );
    assert!(
        (expected.len() - beyond.len()) * 10 >= by_flaw(&documented).len() * 9,
        "at least 90 %"
    );
    for item in broken_items {
        assert_ne!(checklist_status(&report, item), "passed", "{item}");
    }
    // The recordings hold the identities' passwords (and their tokens): none is written.
    let config = std::fs::read_to_string(repo_file(&format!("testbed/{app}/vibeguard.toml")))
        .expect("config");
    let text = report.to_string();
    for password in config
        .split("password = \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
    {
        assert!(!text.contains(password), "{password} written in the report");
    }
    let twin = audit_from_traffic(runtime, python, app, true, source);
    assert_eq!(api_findings(&twin), BTreeSet::new());
    assert_eq!(
        api_run(&twin)["coverage"]["operations"],
        api_run(&twin)["coverage"]["operations_total"]
    );
}

#[test]
fn flask_library_from_a_recorded_har_is_tested_without_description_or_code() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Users and shelves are keyed by names the recording's bodies carry (`alice` logged in,
    // `summer-reading` was posted), so they become `{username}` and `{name}`. The member list
    // was recorded without credentials and nothing says it should need them: untested for
    // VG401, as from the code.
    check_from_traffic(
        (&python, &python),
        ("flask_library", Recorded::Har),
        FLASK_LIBRARY,
        &["VG401 GET /members"],
        &["AUTH-01", "AUTH-02", "DATA-01", "INPUT-02", "API-04"],
    );
}

#[test]
fn flask_library_from_a_postman_collection_is_tested_without_description_or_code() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The collection a tester keeps for the mobile app: `{{baseUrl}}` from the environment,
    // `:username` and `:name` path variables, the token inherited from the collection's auth
    // and switched off for the session folder. The same flaws as from the HAR.
    check_from_traffic(
        (&python, &python),
        (
            "flask_library",
            Recorded::Postman("library.postman_collection.json"),
        ),
        FLASK_LIBRARY,
        &["VG401 GET /members"],
        &["AUTH-01", "AUTH-02", "DATA-01", "INPUT-02", "API-04"],
    );
}

#[test]
fn express_expenses_from_a_recorded_har_is_tested_without_description_or_code() {
    let (Some(node), Some(python)) = (testbed_runtime("VIBEGUARD_TESTBED_NODE"), testbed_python())
    else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // As from the code: every flaw but the category's enum, which nothing recorded shows.
    check_from_traffic(
        (&node, &python),
        ("express_expenses", Recorded::Har),
        EXPRESS_EXPENSES,
        &["VG404 POST /api/v1/expenses"],
        &[
            "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-02", "INPUT-05", "API-01",
            "API-02", "API-04", "API-06",
        ],
    );
}

#[test]
fn fastapi_venues_from_a_recorded_har_is_tested_without_description_or_code() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // A host's, a guest's and the administrator's journey through the front end: the OAuth2
    // form logins, UUID-keyed venues, bookings under them and payouts (the venue's key one
    // name, `{venue_id}`, in every path, its bookings made under the venues the run
    // created). Nothing declares `GET /users/me` secured: the token checks try it and see it
    // refuse anonymous callers. Not reached, as from the code: the 10 MB login body (the
    // recorded form has only the two fields a grown one makes a refused login of).
    check_from_traffic(
        (&python, &python),
        ("fastapi_venues", Recorded::Har),
        FASTAPI_VENUES,
        &["VG417 POST /token [large-body]"],
        &[
            "AUTH-02", "AUTH-05", "AUTH-07", "DATA-01", "INPUT-04", "API-06", "API-01",
        ],
    );
}

#[test]
fn django_helpdesk_from_a_recorded_har_is_tested_without_description_or_code() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // A customer's, an agent's and the administrator's journey. The collections' trailing
    // slashes stay routes (`/api/tickets/`, `/api/me/`), the ids become `{id}`; the settings
    // page's recorded `PATCH` sent names only, and its answer shows `is_staff`: tried, kept
    // (VG430). Beyond the description: the recorded article `PATCH` carries no text field, so
    // its 10 MB probe grows an extra one that no validation refuses — and DRF reads the whole
    // body (its parsers read the stream past Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`); the
    // description's bodies grow a field with a maximum length, refused by validation, which
    // hides it. The twin's JSON parser refuses bodies over 1 MB.
    check_from_traffic_beyond(
        (&python, &python),
        ("django_helpdesk", Recorded::Har),
        (
            DJANGO_HELPDESK,
            &[],
            &["VG417 PATCH /api/articles/{id}/ [large-body]"],
        ),
        &[
            "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-05", "API-01", "API-04", "API-06",
        ],
    );
}

/// The team board API (Express routers in several files mounted under prefixes, the session
/// check imported from a middleware module, a role check on one admin route and not the other,
/// a router mounted at two paths; **no description**): every flaw of testbed/README.md.
const EXPRESS_TEAMBOARD: &[&str] = &[
    // Projects and their tasks are not scoped to their owner.
    "VG402 GET /api/projects/{projectId}",
    "VG402 PATCH /api/projects/{projectId}",
    "VG402 DELETE /api/projects/{projectId}",
    "VG402 GET /api/projects/{projectId}/tasks",
    "VG402 POST /api/projects/{projectId}/tasks",
    // Any member reads another's whole record, password hash included.
    "VG402 GET /api/users/{id}",
    "VG405 GET /api/users/{id} [response:/passwordHash]",
    // The audit log forgot the role check its neighbour has.
    "VG403 GET /api/admin/audit-log",
    // The sign-up takes `role`.
    "VG413 POST /api/auth/register [body:role]",
    // No limit on logins or sign-ups; the login says which e-mails have accounts.
    "VG414 POST /api/auth/login",
    "VG414 POST /api/auth/register",
    "VG415 POST /api/auth/login",
    // JSON nested 10,000 deep accepted.
    "VG417 POST /api/auth/login [nested-json]",
    "VG417 POST /api/projects [nested-json]",
    "VG417 PATCH /api/projects/{projectId} [nested-json]",
    "VG417 POST /api/projects/{projectId}/tasks [nested-json]",
    // No limit on reads: the admin's user list, burst as the admin.
    "VG431 GET /api/admin/users",
    // No security headers.
    "VG406 * / [response headers]",
    // `express.static(__dirname)` serves the project: its source and its manifests.
    "VG416 GET /static/server.js",
    "VG416 GET /static/package.json",
    "VG416 GET /static/package-lock.json",
];

/// Asserts what the audit of an app written with no description finds: exactly `expected`
/// (twice, the same fingerprints), all `operations` from its code and every one exercised,
/// nothing named untested, no broken item passed; and nothing on its twin.
fn check_app_without_any_description(
    runtime: &PathBuf,
    app: &str,
    expected: &[&str],
    operations: u64,
    broken_items: &[&str],
) {
    let port = free_port();
    let runs: Vec<Value> = (0..2).map(|_| audit(runtime, app, false, port)).collect();
    let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    let found = api_findings(&runs[0]);
    assert_eq!(
        found,
        expected,
        "missed {:?}; not documented {:?}",
        expected.difference(&found).collect::<Vec<_>>(),
        found.difference(&expected).collect::<Vec<_>>()
    );
    assert_same_findings(&runs[0], &runs[1]);
    // Every API finding is placed in the code (code-scanning UIs drop results without a file
    // and line): its route, the folder a file was served from, or where the routing starts.
    let unplaced: Vec<String> = runs[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with("VG4")))
        .filter(|f| f["location"]["declared_at"]["line"].as_u64().is_none())
        .map(|f| format!("{} {}", f["code"], f["location"]))
        .collect();
    assert!(unplaced.is_empty(), "{unplaced:?}");
    let api = api_run(&runs[0]);
    assert_eq!(api["coverage"]["operations_from_code"], operations);
    assert_eq!(
        api["coverage"]["operations"], operations,
        "{}",
        api["unchecked"]
    );
    assert!(api["untested"].is_null(), "{}", api["untested"]);
    for item in broken_items {
        assert_ne!(checklist_status(&runs[0], item), "passed", "{item}");
    }
    let twin = audit(runtime, app, true, port);
    assert_eq!(api_findings(&twin), BTreeSet::new());
    assert_eq!(api_run(&twin)["coverage"]["operations"], operations);
}

#[test]
fn express_teamboard_without_any_description_is_tested_from_its_routers() {
    let Some(node) = testbed_runtime("VIBEGUARD_TESTBED_NODE") else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Every route, from every router file, both mounts of the health router and the folder
    // served.
    check_app_without_any_description(
        &node,
        "express_teamboard",
        EXPRESS_TEAMBOARD,
        16,
        &[
            "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-05", "API-01", "API-06", "API-07",
        ],
    );
}

/// The recipe-sharing API (Flask blueprints in a package, registered with and without
/// prefixes, decorators imported from a module, a JSON login answering no user id, recipes
/// keyed by slug; **no description**): every flaw of testbed/README.md.
const FLASK_RECIPES: &[&str] = &[
    "VG402 GET /api/recipes/{slug}",
    "VG402 PUT /api/recipes/{slug}",
    "VG402 DELETE /api/recipes/{slug}",
    // The identities' ids come from the admin's account list.
    "VG402 GET /api/users/{user_id}",
    "VG405 GET /api/users/{user_id} [response:/password_hash]",
    "VG403 GET /api/admin/accounts",
    "VG409 GET /api/recipes/search [query:q]",
    "VG413 POST /api/auth/register [body:is_admin]",
    "VG414 POST /api/auth/login",
    "VG414 POST /api/auth/register",
    "VG415 POST /api/auth/login",
    "VG417 POST /api/auth/register [nested-json]",
    "VG417 POST /api/auth/login [nested-json]",
    "VG417 POST /api/recipes [nested-json]",
    "VG417 PUT /api/recipes/{slug} [nested-json]",
    "VG417 PUT /api/recipes/{slug} [large-body]",
    "VG431 GET /api/recipes/search",
    "VG406 * / [response headers]",
    "VG428 * / [header:server]",
];

#[test]
fn flask_recipes_without_any_description_is_tested_from_its_blueprints() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    check_app_without_any_description(
        &python,
        "flask_recipes",
        FLASK_RECIPES,
        10,
        &[
            "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-02", "INPUT-05", "API-01", "API-06",
        ],
    );
}

/// The helpdesk API (Django REST framework's own OpenAPI 3.0 without any security scheme,
/// trailing slashes, DRF tokens, three roles — customer, agent, admin — and an admin area):
/// every flaw of testbed/README.md the engine can find today.
const DJANGO_HELPDESK: &[&str] = &[
    // Tickets are not scoped to their owner: read, listed, changed and deleted by any
    // customer.
    "VG402 GET /api/tickets/{id}/",
    "VG402 GET /api/tickets/",
    "VG402 PUT /api/tickets/{id}/",
    "VG402 PATCH /api/tickets/{id}/",
    "VG402 DELETE /api/tickets/{id}/",
    // Any logged-in user manages the knowledge base (meant for agents): a customer changes and
    // deletes another's article.
    "VG402 PUT /api/articles/{id}/",
    "VG402 PATCH /api/articles/{id}/",
    "VG402 DELETE /api/articles/{id}/",
    // The admin area checks the login only: every account, its password hash included.
    "VG403 GET /api/admin/users/",
    "VG403 GET /api/admin/users/{id}/",
    "VG402 GET /api/admin/users/{id}/",
    "VG405 GET /api/admin/users/ [response:/results/*/password]",
    "VG405 GET /api/admin/users/{id}/ [response:/password]",
    // The sign-up takes `is_staff` and `is_superuser`.
    "VG413 POST /api/auth/register/ [body:is_staff,is_superuser]",
    // The settings page lets a customer make itself staff (then set back).
    "VG430 PATCH /api/me/",
    // DEBUG = True: JSON nested 10,000 deep is a RecursionError, answered with Django's
    // debug page.
    "VG417 POST /api/auth/token/ [nested-json]",
    "VG417 POST /api/auth/register/ [nested-json]",
    "VG417 POST /api/tickets/ [nested-json]",
    "VG417 PUT /api/tickets/{id}/ [nested-json]",
    "VG417 PATCH /api/tickets/{id}/ [nested-json]",
    "VG417 POST /api/articles/ [nested-json]",
    "VG417 PUT /api/articles/{id}/ [nested-json]",
    "VG417 PATCH /api/articles/{id}/ [nested-json]",
    // The settings page too: its probes go as an account the run signed up (they would change
    // a configured identity's e-mail).
    "VG417 PATCH /api/me/ [nested-json]",
    "VG427 PATCH /api/me/",
    "VG427 POST /api/auth/token/",
    "VG427 POST /api/auth/register/",
    "VG427 POST /api/tickets/",
    "VG427 PUT /api/tickets/{id}/",
    "VG427 PATCH /api/tickets/{id}/",
    "VG427 POST /api/articles/",
    "VG427 PUT /api/articles/{id}/",
    "VG427 PATCH /api/articles/{id}/",
    // No throttle on logins or sign-ups, nor on the (slow) admin list of accounts.
    "VG414 POST /api/auth/token/",
    "VG414 POST /api/auth/register/",
    "VG431 GET /api/admin/users/",
    // Security and clickjacking middleware removed.
    "VG406 * / [response headers]",
];

#[test]
fn django_helpdesk_flaws_are_found_and_its_twin_is_clean() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let port = free_port();
    let runs: Vec<Value> = (0..3)
        .map(|_| audit(&python, "django_helpdesk", false, port))
        .collect();
    let expected: BTreeSet<String> = DJANGO_HELPDESK.iter().map(|s| s.to_string()).collect();
    assert_eq!(api_findings(&runs[0]), expected);
    assert_same_findings(&runs[0], &runs[1]);
    assert_same_findings(&runs[0], &runs[2]);

    let api = api_run(&runs[0]);
    // The 18 operations DRF describes, every one exercised. The code declares no more: the
    // settings view is a `RetrieveUpdateAPIView` whose `http_method_names` leave `PUT` out.
    assert_eq!(api["coverage"]["operations_total"], 18);
    assert_eq!(
        api["coverage"]["operations_from_code"]
            .as_u64()
            .unwrap_or(0),
        0
    );
    assert_eq!(api["coverage"]["operations"], 18);
    // The settings page takes the e-mail: the payload checks never send it with an identity's
    // token (its login e-mail would change); they go as an account the run signed up. DRF's
    // description declares no security at all, and the description is the contract: the
    // missing-authentication check names the operations that answered anyone (the articles'
    // reads) as what it cannot judge — AUTH-01 not verified rather than passed.
    let withheld = |api: &Value| {
        let untested: Vec<(String, String)> = api["untested"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| (u["place"].to_string(), u["rules"].to_string()))
            .collect();
        let vg401 = |place: &str| (format!("\"{place}\""), r#"["VG401"]"#.to_string());
        assert_eq!(
            untested,
            [
                vg401("GET /api/articles/"),
                vg401("GET /api/articles/{id}/")
            ]
        );
    };
    withheld(api);
    assert_ne!(checklist_status(&runs[0], "AUTH-01"), "passed");
    assert_eq!(errors_but_accounts_left(api), Vec::<String>::new());
    for item in [
        "AUTH-02", "AUTH-05", "DATA-01", "INPUT-01", "INPUT-05", "API-01", "API-04", "API-06",
    ] {
        assert_eq!(checklist_status(&runs[0], item), "failed", "{item}");
    }

    let twin = audit(&python, "django_helpdesk", true, free_port());
    assert_eq!(api_findings(&twin), BTreeSet::new());
    let api = api_run(&twin);
    withheld(api);
    // The twin's throttles answer 429 to the clean-up too: it waits them out.
    assert_eq!(errors_but_accounts_left(api), Vec::<String>::new());
}

/// The journal site (Flask + Jinja pages, Flask-Login sessions in Flask's signed cookie, a
/// Flask-WTF login form with its CSRF token, raw SQLite; **no description**, logins through
/// the form): every flaw of testbed/README.md.
const FLASK_JOURNAL: &[&str] = &[
    // Any logged-in user deletes another's entry through the form's POST …/delete.
    "VG402 POST /entries/{entry_id}/delete",
    // The entry's text is shown with `|safe`; the search echoes `q` with `|safe`.
    "VG432 POST /entries [body:/body]",
    "VG432 GET /search [query:q]",
    // No CSRF protection on the forms: another site posts and deletes as the user.
    "VG433 POST /entries",
    "VG433 POST /entries/{entry_id}/delete",
    // … the profile's e-mail and password forms too: sent as an account the run signed up
    // (never as ada or ben, whose e-mail and password stay theirs).
    "VG433 POST /profile",
    "VG433 POST /profile/password",
    // SECRET_KEY = "s3cr3t": the session cookie is forged into another user's.
    "VG434 * / [cookie:session]",
    // Flask's cookie session outlives the logout link.
    "VG423 GET /logout",
    // The login redirects to whatever `next` says (proven by replaying ada's own login).
    "VG421 POST /login [query:next]",
    // An unknown name is refused at once, a known one after the password hash.
    "VG415 POST /login",
    // The front page's JSON lists each author with the password hash.
    "VG405 GET /api/entries [response:/*/author/password_hash]",
    // The sign-up takes a one-character password, and replaces the password of an account
    // that has the name (proven on an account of the run's own).
    "VG435 POST /register",
    "VG437 POST /register",
    // No limit on logins, sign-ups or the search.
    "VG414 POST /login",
    "VG414 POST /register",
    "VG431 GET /search",
    // No security headers; the session cookie lacks Secure and SameSite; Werkzeug's banner.
    "VG406 * / [response headers]",
    "VG408 * / [cookie:session]",
    "VG428 * / [header:server]",
];

/// What the journal's database holds, through the app's own Python: (users, entries).
fn journal_rows(python: &PathBuf, database: &std::path::Path) -> (u64, u64) {
    let output = Command::new(python)
        .args([
            "-c",
            "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nprint(c.execute('SELECT count(*) FROM users').fetchone()[0], c.execute('SELECT count(*) FROM entries').fetchone()[0])",
        ])
        .arg(database)
        .output()
        .expect("python runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut counts = text.split_whitespace().map(|n| n.parse().expect("a count"));
    (
        counts.next().expect("users"),
        counts.next().expect("entries"),
    )
}

/// Whether `username` still logs in with `password` through the site's `/login` form, as a
/// browser would: the login page's CSRF token (Flask-WTF's `csrf_token`, the forum's `_csrf`)
/// and cookie sent back, a redirect away from the login.
fn site_logs_in(python: &PathBuf, url: &str, username: &str, password: &str) -> bool {
    // Cookies by hand: the twin's session cookie is `Secure`, which Python's cookie jar keeps
    // off plain HTTP (browsers send it to 127.0.0.1).
    let script = "import re, sys, http.client, urllib.parse\n\
        url, user, password = sys.argv[1:4]\n\
        host = urllib.parse.urlsplit(url).netloc\n\
        def cookies(answer):\n\
        \x20   return '; '.join(v.split(';')[0] for k, v in answer.getheaders() if k.lower() == 'set-cookie')\n\
        page = http.client.HTTPConnection(host)\n\
        page.request('GET', '/login')\n\
        answer = page.getresponse()\n\
        jar = cookies(answer)\n\
        token = re.search(r'name=\"(csrf_token|_csrf)\"[^>]*value=\"([^\"]+)\"', answer.read().decode())\n\
        fields = {'username': user, 'password': password}\n\
        if token: fields[token.group(1)] = token.group(2)\n\
        login = http.client.HTTPConnection(host)\n\
        login.request('POST', '/login', urllib.parse.urlencode(fields), {'Content-Type': 'application/x-www-form-urlencoded', 'Cookie': jar})\n\
        answer = login.getresponse()\n\
        to = answer.getheader('Location') or ''\n\
        print('in' if answer.status == 302 and '/login' not in to else 'refused')\n";
    let output = Command::new(python)
        .args(["-c", script, url, username, password])
        .output()
        .expect("python runs");
    String::from_utf8_lossy(&output.stdout).trim() == "in"
}

/// A server-rendered testbed app with form logins (`app`, started with `runtime` and
/// `--db DATA`), and its twin: exactly its documented findings (the twin: none), logged in
/// through the form with no error, every operation exercised, nothing the run created left
/// (`rows` lists the data file: the `start` rows the app begins with), every identity still
/// logging in with its configured password, and the items the app breaks never `passed`.
#[allow(clippy::too_many_arguments)]
fn web_app_is_tested_and_left_as_it_was(
    runtime: &PathBuf,
    python: &PathBuf,
    app: &str,
    data_file: &str,
    expected: &[&str],
    rows: &dyn Fn(&std::path::Path) -> (u64, u64),
    start: (u64, u64),
    identities: &[(&str, &str)],
) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    for hardened in [false, true] {
        let folder = tempfile::tempdir().expect("tempdir");
        let database = folder.path().join(data_file);
        let port = free_port();
        let server = App::start_with(
            runtime,
            app,
            hardened,
            port,
            &["--db", &database.display().to_string()],
        );
        let report = audit_folder(&repo_file(&format!("testbed/{app}")), &server.url);
        let found = api_findings(&report);
        let want = if hardened {
            BTreeSet::new()
        } else {
            expected.clone()
        };
        assert_eq!(
            found,
            want,
            "{app}, hardened: {hardened}; missed {:?}; not documented {:?}",
            want.difference(&found).collect::<Vec<_>>(),
            found.difference(&want).collect::<Vec<_>>()
        );
        let api = api_run(&report);
        // Logged in through the form both times: no identity error, nothing left behind (the
        // accounts the sign-up probes made were closed through the app's "delete my account").
        assert!(
            api["errors"].as_array().is_none_or(Vec::is_empty),
            "{}",
            api["errors"]
        );
        assert_eq!(
            api["coverage"]["operations"],
            api["coverage"]["operations_total"]
        );
        assert_eq!(rows(&database), start, "{app}, hardened: {hardened}");
        for (user, password) in identities {
            assert!(
                site_logs_in(python, &server.url, user, password),
                "{user} no longer logs in to {app} (hardened: {hardened})"
            );
        }
        if !hardened {
            for item in [
                "AUTH-02", "AUTH-04", "AUTH-05", "AUTH-08", "INPUT-01", "DATA-01",
            ] {
                assert_ne!(checklist_status(&report, item), "passed", "{app}: {item}");
            }
        }
    }
}

#[test]
fn flask_journal_web_app_with_form_logins_is_tested_and_left_as_it_was() {
    let Some(python) = testbed_python() else {
        return;
    };
    // The two users and the one entry the app starts with.
    web_app_is_tested_and_left_as_it_was(
        &python,
        &python,
        "flask_journal",
        "journal.db",
        FLASK_JOURNAL,
        &|database| journal_rows(&python, database),
        (2, 1),
        &[("ada", "ada-writes-9"), ("ben", "ben-writes-8")],
    );
}

/// The forum (Express + EJS, express-session behind `connect.sid`, a hand-rolled CSRF token
/// checked on the login form only, a posts router, no description): every flaw of
/// testbed/README.md.
const EXPRESS_FORUM: &[&str] = &[
    // Any logged-in user opens another's post in the edit form and saves over it ("only
    // authors see the Edit button").
    "VG402 GET /posts/{id}/edit",
    "VG402 POST /posts/{id}/edit",
    // The post's text is rendered with `<%-` (written by the create and the edit); the search
    // echoes `q` with `<%-`.
    "VG432 POST /posts [body:/body]",
    "VG432 POST /posts/{id}/edit [body:/body]",
    "VG432 GET /search [query:q]",
    // The CSRF token is checked on the login form only.
    "VG433 POST /posts",
    "VG433 POST /posts/{id}/edit",
    "VG433 POST /posts/{id}/delete",
    // … and the account's e-mail form, sent as an account the run signed up (the password
    // change asks for the current password, which a forging site does not know).
    "VG433 POST /account",
    // The login keeps the session the login page started (no `regenerate`).
    "VG436 POST /login",
    // "Log out" clears the cookie in the browser; the session stays valid on the server.
    "VG423 GET /logout",
    // The login redirects to whatever `returnTo` says.
    "VG421 POST /login [query:returnTo]",
    // An unknown name is refused at once, a known one after scrypt: names can be told apart.
    "VG415 POST /login",
    // The front page's JSON sends each author's whole record, password hash included.
    "VG405 GET /api/posts [response:/*/author/passwordHash]",
    // The sign-up takes a one-character password.
    "VG435 POST /signup",
    // No limit on logins, sign-ups or reads.
    "VG414 POST /login",
    "VG414 POST /signup",
    "VG431 GET /search",
    // No security headers; connect.sid lacks Secure and SameSite.
    "VG406 * / [response headers]",
    "VG408 * / [cookie:connect.sid]",
];

/// What the forum's JSON file holds: (users, posts).
fn forum_rows(database: &std::path::Path) -> (u64, u64) {
    let text = std::fs::read_to_string(database).expect("the forum's data file");
    let data: Value = serde_json::from_str(&text).expect("JSON");
    let count = |key: &str| data[key].as_array().map_or(0, |rows| rows.len() as u64);
    (count("users"), count("posts"))
}

#[test]
fn express_forum_web_app_with_form_logins_is_tested_and_left_as_it_was() {
    let (Some(node), Some(python)) = (testbed_runtime("VIBEGUARD_TESTBED_NODE"), testbed_python())
    else {
        return;
    };
    // The two users and the one post the app starts with.
    web_app_is_tested_and_left_as_it_was(
        &node,
        &python,
        "express_forum",
        "forum.json",
        EXPRESS_FORUM,
        &forum_rows,
        (2, 1),
        &[("mara", "mara-posts-7"), ("joel", "joel-posts-6")],
    );
}

/// The team's scenarios on a web app with form logins, session cookies and CSRF tokens and no
/// description (the journal): steps as a user who logged in through the form, a redirect's
/// `Location` captured and followed, another user's delete refused, answers free of hashes,
/// and a surface-wide scenario over the pages the site shows. The app fails the scenarios its
/// flaws break; its twin passes every one.
const JOURNAL_SCENARIOS: &str = r#"
scenarios:
  - name: the profile needs a login
    checklist: [AUTH-01]
    steps:
      - {path: /profile, expect: {status: [302, 401, 403]}}
  - name: ada writes an entry and reads it back
    steps:
      - name: ada writes
        as: ada
        method: POST
        path: /entries
        form: {title: Scenario entry, body: written by a scenario}
        capture: {entry: {header: Location}}
        expect: {status: 302}
      - {name: ada reads, as: ada, path: "${entry}", expect: {status: 200, body: {contains: Scenario entry}}}
  - name: ben cannot delete ada's entry
    checklist: [AUTH-02]
    severity: high
    destructive: true
    steps:
      - {name: ada writes, as: ada, method: POST, path: /entries, form: {title: doomed, body: x}, capture: {entry: {header: Location}}, expect: {status: 302}}
      - {name: ben deletes it, as: ben, method: POST, path: "${entry}/delete", expect: {status: [403, 404]}}
  - name: the entry list shows no password hash
    checklist: [DATA-01]
    severity: high
    steps:
      - {path: /api/entries, expect: {status: 200, free_of: [sensitive_fields, password_hashes]}}
  - name: no page shows internals
    for_each_operation: {method: GET, exclude: "/logout"}
    steps:
      - {as: ada, expect: {free_of: internals}}
"#;

#[test]
fn flask_journal_scenarios_fail_where_its_flaws_are_and_pass_on_its_twin() {
    let Some(python) = testbed_python() else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let folder = tempfile::tempdir().expect("tempdir");
    let suite = folder.path().join("journal.yaml");
    std::fs::write(&suite, JOURNAL_SCENARIOS).expect("write the suite");
    let run = |hardened: bool| -> Value {
        let database = folder
            .path()
            .join(if hardened { "twin.db" } else { "app.db" });
        let port = free_port();
        let database_arg = database.display().to_string();
        let server = App::start_with(
            &python,
            "flask_journal",
            hardened,
            port,
            &["--db", &database_arg],
        );
        let out = folder.path().join(format!("report-{hardened}.json"));
        let output = vibeguard(folder.path())
            .args(["scenarios", "run"])
            .arg(&suite)
            .arg("--project")
            .arg(repo_file("testbed/flask_journal"))
            .args([
                "--target",
                &server.url,
                "--allow-destructive",
                "-q",
                "--format",
            ])
            .arg(format!("json={}", out.display()))
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(if hardened { 0 } else { 1 }),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&std::fs::read(&out).expect("report")).expect("json")
    };
    let cases = |report: &Value| -> Vec<(String, String)> {
        report["engines"]
            .as_array()
            .expect("engines")
            .iter()
            .find(|e| e["engine"] == "scenarios")
            .and_then(|e| e["cases"].as_array())
            .expect("cases")
            .iter()
            .map(|c| {
                (
                    format!(
                        "{} › {}",
                        c["group"].as_str().unwrap_or_default(),
                        c["name"].as_str().unwrap_or_default()
                    ),
                    c["outcome"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };

    let app = run(false);
    let failed: BTreeSet<String> = app["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "VG501")
        .map(|f| {
            f["message"]
                .as_str()
                .unwrap_or_default()
                .split('`')
                .nth(1)
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        failed,
        BTreeSet::from([
            "ben cannot delete ada's entry".to_string(),
            "the entry list shows no password hash".to_string(),
        ]),
        "{:#}",
        app["findings"]
    );
    // The form login's session and the form's CSRF token carried ada's entry through.
    assert!(
        cases(&app).contains(&(
            "ada writes an entry and reads it back › ada reads".to_string(),
            "passed".to_string()
        )),
        "{:#?}",
        cases(&app)
    );

    let twin = run(true);
    let twin_cases = cases(&twin);
    assert!(
        twin_cases.iter().all(|(_, outcome)| outcome == "passed"),
        "{twin_cases:#?}"
    );
    // The surface-wide scenario ran over the pages the site showed (no description, no code).
    let pages = twin_cases
        .iter()
        .filter(|(name, _)| name.starts_with("no page shows internals on GET "))
        .count();
    assert!(pages >= 3, "{twin_cases:#?}");
    let items = |id: &str| checklist_status(&twin, id);
    assert_eq!(items("AUTH-02"), "passed");
    assert_eq!(items("DATA-01"), "passed");
}
