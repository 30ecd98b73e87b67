//! Benchmark helper for `bench/history.sh` (not a test): records runs of N synthetic findings
//! into a history file, then times recording, listing, loading and diffing them, and prints
//! the figures and the file's size. Usage: `history_bench FILE|URL PROJECT [FINDINGS]` (a
//! `postgres://` URL measures the PostgreSQL store).

use std::time::Instant;

use jiff::Timestamp;
use vibeguard_history::{
    HistoryStore, PostgresStore, RunFilter, RunMeta, RunRecord, SqliteStore, StoredFinding,
    StoredItem, diff,
};

fn run(project: &str, at: i64, findings: usize, shift: usize) -> RunRecord {
    const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
    RunRecord {
        id: 0,
        started_at: Timestamp::from_second(at).expect("time"),
        finished_at: Timestamp::from_second(at + 60).expect("time"),
        version: "0.1.0".into(),
        meta: RunMeta {
            project: project.into(),
            label: Some(if shift == 0 { "prod" } else { "staging" }.into()),
            commit: Some(format!("{:040x}", at)),
            branch: Some("main".into()),
        },
        target: Some("http://127.0.0.1:8080".into()),
        fail_on: "high".into(),
        passed: false,
        coverage: Vec::new(),
        // `shift` findings of the first run are fixed and as many are new in the second.
        findings: (shift..findings + shift)
            .map(|n| StoredFinding {
                fingerprint: format!("{:032x}", n as u128 * 2_654_435_761),
                code: format!("VG{}", 101 + n % 40),
                severity: SEVERITIES[n % 5].into(),
                state: "active".into(),
                location: format!("src/module_{}/file_{}.js:{}:{}", n % 97, n % 13, n % 400, n % 30),
                message: format!(
                    "SQL query built from the request's body field `name_{n}` (line {}): send it as a query parameter",
                    n % 400
                ),
            })
            .collect(),
        checklist: (0..33)
            .map(|n| StoredItem {
                id: format!("ITEM-{n:02}"),
                status: ["passed", "failed", "not-verified"][(n + shift) % 3].into(),
            })
            .collect(),
    }
}

fn millis(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .expect("usage: history_bench FILE PROJECT [FINDINGS]");
    let project = args
        .next()
        .expect("usage: history_bench FILE PROJECT [FINDINGS]");
    let findings: usize = args.next().map_or(10_000, |n| n.parse().expect("a number"));
    let mut store: Box<dyn HistoryStore> = if vibeguard_history::postgres::is_url(&file) {
        Box::new(PostgresStore::connect(&file).expect("connect"))
    } else {
        Box::new(SqliteStore::open(std::path::Path::new(&file)).expect("open"))
    };

    let first = run(&project, 1_800_000_000, findings, 0);
    let second = run(&project, 1_800_086_400, findings, findings / 10);
    let start = Instant::now();
    let base = store.record(&first).expect("record");
    let record_ms = millis(start);
    let head = store.record(&second).expect("record");

    let start = Instant::now();
    let listed = store.runs(&RunFilter::default()).expect("list").len();
    let list_ms = millis(start);

    let start = Instant::now();
    let base_run = store.run(base).expect("load").expect("there");
    let head_run = store.run(head).expect("load").expect("there");
    let load_ms = millis(start);
    let start = Instant::now();
    let changes = diff(&base_run, &head_run);
    let diff_ms = millis(start);

    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{file}{suffix}")).ok())
        .map(|m| m.len())
        .sum();
    println!("findings per run      {findings}");
    println!("record one run        {record_ms:.1} ms");
    println!("list {listed} runs          {list_ms:.1} ms");
    println!("load two runs         {load_ms:.1} ms");
    println!(
        "diff in memory        {diff_ms:.1} ms ({} new, {} fixed, {} still open)",
        changes.new.len(),
        changes.fixed.len(),
        changes.unchanged.len()
    );
    println!("load + diff           {:.1} ms", load_ms + diff_ms);
    if size > 0 {
        println!(
            "history file          {:.1} MB for {listed} runs",
            size as f64 / 1e6
        );
    }
}
