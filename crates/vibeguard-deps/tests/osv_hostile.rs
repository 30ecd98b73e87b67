//! Untrusted advisory data and untrusted project files never make the dependency engine panic,
//! extract anything or grow without bound: arbitrary bytes into every lockfile and manifest
//! parser and into the OSV record reader, mutated real records, zip bombs and path-traversal
//! entry names in exports, and a damaged store file.

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;

use proptest::prelude::*;
use vibeguard_deps::Ecosystem;
use vibeguard_deps::lockfiles::LockfileFormat;
use vibeguard_deps::manifests::ManifestKind;
use vibeguard_deps::osv::{DataState, ReplacePolicy, Store, record};

const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    "Pipfile.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
];
const MANIFESTS: &[&str] = &[
    "package.json",
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "Cargo.toml",
    "go.mod",
    "Gemfile",
    "composer.json",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_a_parser(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        for name in LOCKFILES {
            if let Some(format) = LockfileFormat::detect(name) {
                let _ = format.parse(name, &text);
            }
        }
        for name in MANIFESTS {
            if let Some(kind) = ManifestKind::detect(name) {
                let _ = kind.parse(name, &text);
            }
        }
        let _ = record::parse(&bytes);
    }

    #[test]
    fn json_shaped_noise_never_panics_the_record_reader(
        id in "[A-Z]{2,5}-[0-9a-z-]{1,12}",
        events in proptest::collection::vec(("(introduced|fixed|last_affected|limit|bogus)", "[0-9a-z.+~-]{0,12}"), 0..6),
        ecosystem in "(npm|PyPI|crates.io|Go|RubyGems|Packagist|Debian:12)",
    ) {
        let events: Vec<String> = events
            .iter()
            .map(|(kind, version)| format!("{{\"{kind}\": \"{version}\"}}"))
            .collect();
        let json = format!(
            r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z", "affected": [{{"package": {{"ecosystem": "{ecosystem}", "name": "p"}}, "ranges": [{{"type": "ECOSYSTEM", "events": [{}]}}], "versions": ["1.0.0"]}}]}}"#,
            events.join(", ")
        );
        let _ = record::parse(json.as_bytes());
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

const RECORD: &[u8] = br#"{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2026-11-30T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": ["1.0.0"]}]}"#;

#[test]
fn traversal_names_and_bombs_in_an_export_extract_nothing() {
    let root = tempfile::tempdir().expect("temp dir");
    let db = root.path().join("db");
    let export = root.path().join("npm-all.zip");
    // 64 MiB of spaces compress to a few kilobytes: a bomb entry, cut at the per-record limit.
    let bomb = vec![b' '; 64 * 1024 * 1024];
    fs::write(
        &export,
        zip_of(&[
            ("../../escaped.json", RECORD),
            ("/etc/absolute.json", RECORD),
            ("bomb.json", &bomb),
            ("ok.json", RECORD),
        ]),
    )
    .expect("write export");
    let report = Store::new(&db)
        .import(&export, &[], ReplacePolicy::Always, "npm-all.zip")
        .expect("imports");
    assert_eq!(report.unsafe_names.len(), 2);
    assert_eq!(report.oversized, vec!["bomb.json"]);
    // The same record three times is one advisory.
    assert_eq!(report.written[0].records, 1);
    // Nothing was written but the store's own file.
    let mut written: Vec<String> = Vec::new();
    for entry in walk(root.path()) {
        written.push(
            entry
                .strip_prefix(root.path())
                .expect("inside")
                .display()
                .to_string(),
        );
    }
    written.sort();
    assert_eq!(written, vec!["db/npm/advisories.vgdb", "npm-all.zip"]);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("dir").filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_damaged_store_file_is_reported_not_trusted() {
    let root = tempfile::tempdir().expect("temp dir");
    let store = Store::new(root.path());
    store
        .import_records([("a.json", RECORD)], "test")
        .expect("imports");
    let file = root.path().join("npm/advisories.vgdb");
    let bytes = fs::read(&file).expect("read");
    // Cut inside the name table.
    fs::write(&file, &bytes[..bytes.len() - 40]).expect("truncate");
    assert!(matches!(store.state(Ecosystem::Npm), DataState::Ready(_)));
    assert!(store.open(Ecosystem::Npm).is_err());
    // Not a store file at all.
    fs::write(&file, b"garbage").expect("overwrite");
    assert!(matches!(
        store.state(Ecosystem::Npm),
        DataState::Unreadable(_)
    ));
}

#[test]
fn mutated_real_records_never_panic() {
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisories/records");
    let mut seed: u64 = 0x0005_eed5;
    let mut cases = 0;
    for entry in fs::read_dir(records)
        .expect("records")
        .filter_map(Result::ok)
    {
        let original = fs::read(entry.path()).expect("read");
        for _ in 0..200 {
            let mut bytes = original.clone();
            for _ in 0..3 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let at = (seed >> 33) as usize % (bytes.len() + 1);
                match (seed >> 20) % 3 {
                    0 => bytes.truncate(at),
                    1 if at < bytes.len() => bytes[at] = (seed >> 8) as u8,
                    _ => bytes
                        .splice(at..at, b"\"0\"".iter().copied())
                        .for_each(drop),
                }
            }
            let _ = record::parse(&bytes);
            cases += 1;
        }
    }
    assert!(cases >= 4000);
}
