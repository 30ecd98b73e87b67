//! Benchmark driver for `bench/code.sh`: scans a folder with the code engine (`scan`), only
//! parses and lowers the same files into the program model (`load`), or only parses them with
//! the same parsers (`parse`), and prints the best wall time of a few repetitions, the lines
//! read and the process's peak memory.
//!
//! Usage: code_scan (scan|load|parse) FOLDER [REPETITIONS]

use std::time::Instant;

/// The same allocator as the `vibeguard` binary, for both halves of the comparison.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rayon::prelude::*;
use vibeguard_code::{CodeOptions, parse, source};
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
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "scan".into());
    let folder = args
        .next()
        .expect("usage: code_scan (scan|load|parse) FOLDER [REPETITIONS]");
    let repetitions: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(3);
    let tree =
        ProjectTree::walk(std::path::Path::new(&folder), &WalkOptions::default()).expect("walk");
    let options = CodeOptions::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(64 * 1024 * 1024)
        .build()
        .expect("pool");
    let mut best = f64::MAX;
    let mut lines = 0usize;
    let mut files = 0usize;
    let mut findings = 0usize;
    let mut loaded = None;
    for _ in 0..repetitions {
        let started = Instant::now();
        match mode.as_str() {
            "parse" => {
                let selected = source::select(&tree);
                let counts: Vec<(usize, usize)> = pool.install(|| {
                    selected
                        .par_iter()
                        .filter_map(|file| {
                            let text =
                                source::read(&tree, &file.path, options.max_file_size).ok()?;
                            let nodes = parse::with_tree(file.language, &text, |root| {
                                root.descendant_count()
                            })
                            .ok()?;
                            std::hint::black_box(nodes);
                            Some((text.lines().count(), 1))
                        })
                        .collect()
                });
                lines = counts.iter().map(|c| c.0).sum();
                files = counts.len();
            }
            "load" => {
                let (project, _) = pool.install(|| vibeguard_code::load(&tree, &options));
                files = project.modules.len();
                // Freed outside the timed part, as the full scan frees its model on a
                // background thread.
                loaded = Some(project);
            }
            _ => {
                let output = vibeguard_code::run(&tree, &|_| true, &options);
                findings = output.output.findings.len();
                files = output.output.run.coverage.files as usize;
            }
        }
        best = best.min(started.elapsed().as_secs_f64());
        drop(loaded.take());
        if mode != "parse" {
            // Counted outside the timed part.
            lines = source::select(&tree)
                .iter()
                .filter_map(|f| source::read(&tree, &f.path, options.max_file_size).ok())
                .map(|t| t.lines().count())
                .sum();
        }
    }
    println!(
        "{mode} files={files} lines={lines} best_seconds={best:.3} lines_per_second={:.0} peak_rss_mib={:.1} findings={findings}",
        lines as f64 / best,
        peak_rss_kib() as f64 / 1024.0
    );
}
