//! The dependency engine's benchmark driver (`bench/deps.sh` runs it).
//!
//! `deps_bench import EXPORT DB_DIR` imports an OSV export and prints the time.
//! `deps_bench match PROJECT DB_DIR RUNS` prints, from one process: the cold load (opening
//! every ecosystem's store file, as the first audit after a start does), the best time of the
//! reference pass (loading the project's lockfiles and building the inventory, no advisories),
//! the best time of the full pass (the same plus matching every package), the ratio of the two,
//! the packages and findings, and the peak resident memory.

use std::time::Instant;

use jiff::Timestamp;
use vibeguard_deps::Ecosystem;
use vibeguard_deps::advisories::{self, AdvisoryOptions};
use vibeguard_deps::inventory;
use vibeguard_deps::osv::{ReplacePolicy, Store};
use vibeguard_deps::project::ProjectModel;
use vibeguard_project::{ProjectTree, WalkOptions};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("import") if args.len() == 3 => {
            let started = Instant::now();
            let report = Store::new(&args[2])
                .import(
                    std::path::Path::new(&args[1]),
                    &[],
                    ReplacePolicy::Always,
                    &args[1],
                )
                .expect("import");
            let records: u64 = report.written.iter().map(|w| w.records).sum();
            println!(
                "import records={records} seconds={:.3} peak_rss_mib={:.1}",
                started.elapsed().as_secs_f64(),
                peak_rss_kib() as f64 / 1024.0
            );
        }
        Some("match") if args.len() == 4 => {
            let store = Store::new(&args[2]);
            let runs: usize = args[3].parse().expect("runs");
            let started = Instant::now();
            let mut opened = 0;
            for ecosystem in Ecosystem::ALL {
                if store.open(ecosystem).is_ok() {
                    opened += 1;
                }
            }
            let cold = started.elapsed().as_secs_f64();
            let options = AdvisoryOptions {
                // The synthetic and snapshot data must not be judged stale.
                now: Timestamp::now(),
                max_age_days: u32::MAX,
                warn_age_days: u32::MAX,
                ..AdvisoryOptions::default()
            };
            let tree = ProjectTree::walk(std::path::Path::new(&args[1]), &WalkOptions::default())
                .expect("walk");
            let mut reference = f64::MAX;
            let mut full = f64::MAX;
            let mut packages = 0;
            let mut findings = 0;
            for _ in 0..runs {
                let started = Instant::now();
                let model = ProjectModel::load(&tree);
                packages = inventory::build(&model).packages.len();
                reference = reference.min(started.elapsed().as_secs_f64());

                let started = Instant::now();
                let model = ProjectModel::load(&tree);
                let run = advisories::run(&model, &store, &options, &|_| true);
                full = full.min(started.elapsed().as_secs_f64());
                findings = run.output.findings.len();
            }
            println!(
                "match ecosystems={opened} cold_load_seconds={cold:.4} reference_seconds={reference:.4} full_seconds={full:.4} match_seconds={:.4} ratio={:.2} packages={packages} findings={findings} peak_rss_mib={:.1}",
                (full - reference).max(0.0),
                full / reference,
                peak_rss_kib() as f64 / 1024.0
            );
        }
        _ => {
            eprintln!("usage: deps_bench import EXPORT DB_DIR | match PROJECT DB_DIR RUNS");
            std::process::exit(2);
        }
    }
}
