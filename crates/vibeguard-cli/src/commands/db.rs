//! `vibeguard db update|status|import`: the local advisory database.
//!
//! `update` downloads each ecosystem's `all.zip` from the OSV export bucket (or `--source`),
//! verifies it (complete download, a readable zip whose entries pass their checksums, at least
//! one valid record, not less than half of what is stored) and replaces the stored data
//! atomically; on any failure the old data stays and the command exits 2. `import` loads an
//! export from disk for machines without network. `status` shows what is stored and how old it
//! is. The folder is `--db-dir`, `VIBEGUARD_DB_DIR`, `[deps] db_dir`, or the user's cache folder.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use jiff::Timestamp;
use url::Url;
use vibeguard_deps::Ecosystem;
use vibeguard_deps::osv::{self, DataState, ImportReport, ReplacePolicy, Store};

use crate::Outcome;
use crate::advisory_settings;
use crate::cli::{DbAction, GlobalArgs};
use crate::config;
use crate::download::{self, DownloadLimits};

/// Data older than this is flagged by `status`, and by every audit that uses it.
const WARN_AGE_DAYS: f64 = 7.0;

/// Runs a `db` subcommand.
pub fn run(global: &GlobalArgs, action: &DbAction) -> anyhow::Result<Outcome> {
    let rules = crate::registry::all_rules();
    let project = Path::new(".");
    let loaded =
        config::load(global.config.as_deref(), project, &rules).context("invalid configuration")?;
    let store = Store::new(advisory_settings::db_dir(global, Some((&loaded, project)))?);
    match action {
        DbAction::Status => status(global, &store),
        DbAction::Import { path, ecosystems } => {
            let ecosystems = parse_ecosystems(ecosystems)?;
            let report = store
                .import(
                    path,
                    &ecosystems,
                    ReplacePolicy::Always,
                    &path.display().to_string(),
                )
                .with_context(|| format!("cannot import {}", path.display()))?;
            if report.written.is_empty() {
                bail!(
                    "{} holds no advisory for npm, PyPI, crates.io, Go, RubyGems, Packagist, \
                     Debian, Ubuntu, Alpine, Red Hat, Rocky Linux or AlmaLinux. \
                     Accepted: an OSV export zip (`all.zip` from osv-vulnerabilities), a folder \
                     or zip of OSV records in JSON (the OSV exports, GitHub's advisory-database \
                     `advisories/`) or YAML (PyPA's advisory-database `vulns/`), or one record \
                     file",
                    path.display()
                );
            }
            print_import(global, &store, &report);
            Ok(Outcome::Passed)
        }
        DbAction::Update { ecosystems, source } => {
            if advisory_settings::offline(global, Some(&loaded)) {
                bail!(
                    "offline: `db update` needs the network. Copy the OSV exports to this machine \
                     and run `vibeguard db import PATH`"
                );
            }
            let ecosystems = match parse_ecosystems(ecosystems)? {
                list if list.is_empty() => Ecosystem::LANGUAGES.to_vec(),
                list => list,
            };
            update(
                global,
                &store,
                &ecosystems,
                source.as_deref().unwrap_or(osv::DEFAULT_SOURCE),
            )
        }
    }
}

fn parse_ecosystems(names: &[String]) -> anyhow::Result<Vec<Ecosystem>> {
    names
        .iter()
        .flat_map(|name| name.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            Ecosystem::from_osv_name(name).with_context(|| {
                format!(
                    "`{name}` is not an ecosystem vibeguard reads: {}",
                    Ecosystem::ALL.map(Ecosystem::osv_name).join(", ")
                )
            })
        })
        .collect()
}

fn update(
    global: &GlobalArgs,
    store: &Store,
    ecosystems: &[Ecosystem],
    source: &str,
) -> anyhow::Result<Outcome> {
    let downloads = store.dir().join(".downloads");
    std::fs::create_dir_all(&downloads)
        .with_context(|| format!("cannot create {}", downloads.display()))?;
    let mut failures = Vec::new();
    for &ecosystem in ecosystems {
        let address = osv::export_url(source, ecosystem);
        let url =
            Url::parse(&address).with_context(|| format!("`{source}` is not a URL (--source)"))?;
        if !global.quiet {
            eprintln!("downloading {address}");
        }
        let file = downloads.join(format!("{}-all.zip.part", ecosystem.osv_name()));
        let result = download::fetch(&url, &file, DownloadLimits::default()).and_then(|_| {
            store
                .import(&file, &[ecosystem], ReplacePolicy::UnlessShrunk, &address)
                .map_err(anyhow::Error::new)
        });
        let _ = std::fs::remove_file(&file);
        match result {
            Ok(report) => print_import(global, store, &report),
            Err(error) => {
                let kept = match store.state(ecosystem) {
                    DataState::Ready(info) => {
                        format!("the {} stored records are kept", info.records)
                    }
                    _ => "nothing was stored".to_string(),
                };
                failures.push(format!(
                    "{ecosystem}: {} ({kept})",
                    crate::one_paragraph(&error)
                ));
            }
        }
    }
    let _ = std::fs::remove_dir(&downloads);
    if failures.is_empty() {
        Ok(Outcome::Passed)
    } else {
        bail!("the update failed for {}", failures.join("; "))
    }
}

fn print_import(global: &GlobalArgs, store: &Store, report: &ImportReport) {
    if global.quiet {
        return;
    }
    let mut out = String::new();
    for info in &report.written {
        let _ = writeln!(
            out,
            "{}: {} advisories for {} packages stored in {} ({} withdrawn skipped, {} invalid)",
            info.ecosystem,
            info.records,
            info.packages,
            store.dir().display(),
            info.withdrawn,
            info.invalid
        );
    }
    if report.invalid > 0 {
        let _ = writeln!(
            out,
            "{} record(s) break the OSV schema and were skipped:",
            report.invalid
        );
        for example in &report.invalid_examples {
            let _ = writeln!(out, "  {}: {}", example.entry, example.reason);
        }
    }
    if !report.oversized.is_empty() {
        let _ = writeln!(
            out,
            "{} entr{} too large to be a record were skipped: {}",
            report.oversized.len(),
            if report.oversized.len() == 1 {
                "y"
            } else {
                "ies"
            },
            report.oversized.join(", ")
        );
    }
    if !report.unsafe_names.is_empty() {
        let _ = writeln!(
            out,
            "{} entr{} with a path that leaves the archive (nothing is extracted; read as records only): {}",
            report.unsafe_names.len(),
            if report.unsafe_names.len() == 1 {
                "y"
            } else {
                "ies"
            },
            report.unsafe_names.join(", ")
        );
    }
    eprint!("{out}");
}

fn status(global: &GlobalArgs, store: &Store) -> anyhow::Result<Outcome> {
    let now = Timestamp::now();
    let format = super::listing_format(global)?;
    let rows: Vec<(Ecosystem, DataState)> = Ecosystem::ALL
        .iter()
        .map(|&ecosystem| (ecosystem, store.state(ecosystem)))
        .collect();
    if format == vibeguard_report::Format::Json {
        let entries: Vec<serde_json::Value> = rows
            .iter()
            .map(|(ecosystem, state)| match state {
                DataState::Missing => serde_json::json!({"ecosystem": ecosystem, "state": "missing"}),
                DataState::Unreadable(reason) => {
                    serde_json::json!({"ecosystem": ecosystem, "state": "unreadable", "reason": reason})
                }
                DataState::Ready(info) => serde_json::json!({
                    "ecosystem": ecosystem,
                    "state": "ready",
                    "records": info.records,
                    "packages": info.packages,
                    "withdrawn": info.withdrawn,
                    "invalid": info.invalid,
                    "newest_record": info.newest_modified,
                    "age_days": info.age_days(now).map(|d| (d * 10.0).round() / 10.0),
                    "imported_at": info.imported_at,
                    "source": info.source,
                }),
            })
            .collect();
        let document = serde_json::json!({"db_dir": store.dir(), "ecosystems": entries});
        crate::outputs::print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&document).context("cannot encode the status")?
        ));
        return Ok(Outcome::Passed);
    }
    let mut out = format!("advisory data in {}\n", store.dir().display());
    for (ecosystem, state) in &rows {
        let line = match state {
            DataState::Missing => {
                "no data (`vibeguard db update` or `vibeguard db import PATH`)".to_string()
            }
            DataState::Unreadable(reason) => format!("UNREADABLE: {reason}"),
            DataState::Ready(info) => {
                let age = info.age_days(now);
                let age_text = match age {
                    Some(days) => format!("{days:.1} days old"),
                    None => "age unknown".to_string(),
                };
                let warning = if age.is_none_or(|d| d > WARN_AGE_DAYS) {
                    " — older than 7 days: run `vibeguard db update`"
                } else {
                    ""
                };
                format!(
                    "{} advisories, {} packages, newest record {} ({age_text}){warning}; imported {} from {}",
                    info.records,
                    info.packages,
                    info.newest_modified.as_deref().unwrap_or("unknown"),
                    info.imported_at,
                    info.source
                )
            }
        };
        let _ = writeln!(out, "  {:<10} {line}", ecosystem.osv_name());
    }
    crate::outputs::print_stdout(&out);
    Ok(Outcome::Passed)
}
