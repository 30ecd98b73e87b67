//! Benchmark driver for bench/secrets.sh: `secrets_bench keywords` prints the catalog's
//! prefilter keywords (one per line, for the grep reference); `secrets_bench scan DIR N` scans
//! DIR N times with the engine and prints the best time, bytes read and peak memory.

use std::time::Instant;

use vibeguard_project::{ProjectTree, WalkOptions};
use vibeguard_secrets::catalog::Catalog;
use vibeguard_secrets::{SecretsOptions, run};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("keywords") => {
            let catalog = Catalog::builtin().expect("catalog");
            for keyword in &catalog.keywords {
                println!("{}", keyword.text);
            }
        }
        Some("scan") => {
            let dir = std::path::PathBuf::from(args.get(2).expect("DIR"));
            let rounds: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(3);
            let mut best = f64::MAX;
            let mut findings = 0;
            let mut bytes = 0u64;
            let mut files = 0u64;
            for _ in 0..rounds {
                let started = Instant::now();
                let tree = ProjectTree::walk(&dir, &WalkOptions::default()).expect("walk");
                let output = run(&tree, &|_| true, &SecretsOptions::default()).output;
                best = best.min(started.elapsed().as_secs_f64());
                findings = output.findings.len();
                files = output.run.coverage.files;
                bytes = tree.files().map(|f| f.size).sum();
            }
            println!(
                "files={files} bytes={bytes} best_seconds={best:.3} mb_per_second={:.1} peak_rss_mib={:.1} findings={findings}",
                bytes as f64 / 1e6 / best,
                peak_rss_kib() as f64 / 1024.0
            );
        }
        Some("findings") => {
            // For reviewing precision on real code: one line per finding, secrets described.
            let dir = std::path::PathBuf::from(args.get(2).expect("DIR"));
            let tree = ProjectTree::walk(&dir, &WalkOptions::default()).expect("walk");
            let output = run(&tree, &|_| true, &SecretsOptions::default()).output;
            for finding in &output.findings {
                let line = finding.evidence.iter().find_map(|e| match e {
                    vibeguard_core::Evidence::Code(frame) => frame.lines.first().cloned(),
                    _ => None,
                });
                println!(
                    "{} {} {}:{} | {}",
                    finding.code,
                    finding.severity,
                    finding.location.file().unwrap_or(""),
                    finding.location.span().map_or(0, |s| s.start_line),
                    line.unwrap_or_default()
                        .chars()
                        .take(160)
                        .collect::<String>()
                );
            }
        }
        _ => eprintln!("usage: secrets_bench keywords | scan DIR [ROUNDS] | findings DIR"),
    }
}
