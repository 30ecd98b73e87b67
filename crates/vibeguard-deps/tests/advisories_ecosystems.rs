//! The advisory engine for npm, crates.io, Go, RubyGems and Packagist, on hand-made OSV records
//! (`tests/fixtures/advisories/records/`) that mirror real advisories' range shapes: several
//! windows per range and per package, `last_affected`, SemVer prereleases, Go pseudo-versions
//! and `+incompatible`, four-part gem versions, Composer `v` tags, a malicious-package record
//! with a GitHub alias, a RustSec unmaintained notice, Go and GitHub records that alias each
//! other, a withdrawn record and one that breaks the schema. The same projects at fixed
//! versions must give nothing.

use std::path::{Path, PathBuf};

use vibeguard_core::{ChecklistId, Finding, Location};
use vibeguard_deps::advisories::{self, AdvisoryOptions, AdvisoryRun};
use vibeguard_deps::osv::{ReplacePolicy, Store};
use vibeguard_deps::project::ProjectModel;
use vibeguard_project::{ProjectTree, WalkOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisories")
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::new(dir.path());
    let report = store
        .import(
            &fixtures().join("records"),
            &[],
            ReplacePolicy::Always,
            "records",
        )
        .expect("imports the folder");
    assert_eq!(report.invalid, 1, "{:?}", report.invalid_examples);
    assert!(report.invalid_examples[0].reason.contains("introduced"));
    let npm = report
        .written
        .iter()
        .find(|info| info.ecosystem == vibeguard_deps::Ecosystem::Npm)
        .expect("npm written");
    assert_eq!(npm.withdrawn, 1);
    assert_eq!(npm.invalid, 1);
    assert_eq!(report.written.len(), 5);
    (dir, store)
}

fn audit(project: &str, store: &Store) -> AdvisoryRun {
    let tree =
        ProjectTree::walk(&fixtures().join(project), &WalkOptions::default()).expect("walks");
    let model = ProjectModel::load(&tree);
    advisories::run(&model, store, &AdvisoryOptions::default(), &|_| true)
}

/// `<code> <severity> <file>:<line> <package>@<version> <primary>`.
fn line(finding: &Finding) -> String {
    let Location::Package {
        name,
        version,
        manifest,
        span,
        ..
    } = &finding.location
    else {
        panic!("package findings");
    };
    format!(
        "{} {} {manifest}:{} {name}@{} {}",
        finding.code,
        finding.severity,
        span.map_or(0, |s| s.start_line),
        version.as_deref().unwrap_or(""),
        finding.identity
    )
}

#[test]
fn vulnerable_versions_give_exactly_the_expected_findings() {
    let (_dir, store) = store();
    let run = audit("ecosystems-vulnerable", &store);
    let mut actual: Vec<String> = run.output.findings.iter().map(line).collect();
    actual.sort();
    let mut expected = vec![
        // Transitive, second window of a nine-window real record shape.
        "VG307 high npm/package-lock.json:41 qs@6.7.0 GHSA-hrpp-h998-j3pp",
        // A prerelease of the fixed version is still affected.
        "VG307 low npm/package-lock.json:33 next@13.5.1-canary.3 GHSA-fq77-7p7r-83rj",
        // last_affected includes its own version.
        "VG307 critical npm/package-lock.json:37 node-serialize@0.0.4 GHSA-q4v7-4rhw-9hqm",
        // Critical, one level lower as a development-only package.
        "VG307 high npm/package-lock.json:28 minimist@1.2.5 GHSA-xvch-5gv4-984h",
        // Malware: MAL and its GitHub alias are one critical finding.
        "VG308 critical npm/package-lock.json:24 flatmap-stream@0.1.1 MAL-2018-2",
        "VG307 medium cargo/Cargo.lock:27 time@0.1.43 RUSTSEC-2020-0071",
        "VG307 medium cargo/Cargo.lock:33 tokio@1.20.1 RUSTSEC-2023-0001",
        "VG309 medium cargo/Cargo.lock:16 failure@0.1.8 RUSTSEC-2020-0036",
        "VG307 medium go/go.mod:7 github.com/gin-gonic/gin@v1.9.0 GHSA-2c4m-59x9-fr2g",
        "VG307 medium go/go.mod:6 github.com/docker/docker@v20.10.7+incompatible GHSA-v994-f8vw-g7j4",
        // A pseudo-version, indirect; the Go and GitHub records are one finding.
        "VG307 high go/go.mod:12 golang.org/x/net@v0.0.0-20220722155237-a158d28d115b GHSA-69cg-p879-7622",
        // `replace` points at the fork, which is what gets built.
        "VG307 high go/go.mod:8 github.com/fork/lib@v1.2.0 GHSA-test-fork-lib1",
        "VG307 high ruby/Gemfile.lock:7 rack@2.2.6.1 GHSA-rqv2-275x-2jq5",
        "VG307 high ruby/Gemfile.lock:4 nokogiri@1.13.9 GHSA-2qc6-mcvw-92cw",
        "VG307 high php/composer.lock:10 guzzlehttp/guzzle@7.4.4 GHSA-25mq-v84q-4j7r",
        "VG307 medium php/composer.lock:17 symfony/http-kernel@5.4.19 GHSA-754h-5r27-7x3r",
    ];
    expected.sort();
    assert_eq!(actual, expected);
    assert!(run.problems.is_empty(), "{:?}", run.problems);
    assert!(run.output.run.covered("VG307", ChecklistId::Deps02));
    // Unmaintained packages are recorded for crates.io only: DEPS-04 is not verified here.
    assert!(!run.output.run.covered("VG309", ChecklistId::Deps04));

    let by_id = |id: &str| {
        run.output
            .findings
            .iter()
            .find(|f| f.identity == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let qs = by_id("GHSA-hrpp-h998-j3pp");
    assert!(qs.fix.contains("from 6.7.0 to 6.7.3"), "{}", qs.fix);
    assert!(qs.fix.contains("webapp-kit@1.0.0 → qs@6.7.0"), "{}", qs.fix);
    assert!(qs.fix.contains("overrides"), "{}", qs.fix);
    let malware = by_id("MAL-2018-2");
    assert!(
        malware.message.contains("GHSA-9x64-5r7x-2q53"),
        "{}",
        malware.message
    );
    let xnet = by_id("GHSA-69cg-p879-7622");
    assert!(
        xnet.message
            .contains("fixed in v0.0.0-20220906165146-f3363e06e74c")
            || xnet
                .message
                .contains("fixed in 0.0.0-20220906165146-f3363e06e74c"),
        "{}",
        xnet.message
    );
    let evidence = format!("{:?}", xnet.evidence);
    assert!(
        evidence.contains("GO-2022-0969") && evidence.contains("CVE-2022-27664"),
        "{evidence}"
    );
}

#[test]
fn fixed_versions_give_nothing() {
    let (_dir, store) = store();
    let run = audit("ecosystems-fixed", &store);
    assert_eq!(
        run.output.findings.iter().map(line).collect::<Vec<_>>(),
        Vec::<String>::new()
    );
    assert!(run.output.run.covered("VG307", ChecklistId::Deps02));
}

#[test]
fn a_disabled_rule_reports_nothing_and_claims_nothing() {
    let (_dir, store) = store();
    let tree = ProjectTree::walk(
        &fixtures().join("ecosystems-vulnerable"),
        &WalkOptions::default(),
    )
    .expect("walks");
    let model = ProjectModel::load(&tree);
    let run = advisories::run(&model, &store, &AdvisoryOptions::default(), &|code| {
        code != "VG308"
    });
    assert!(run.output.findings.iter().all(|f| f.code != "VG308"));
    // The malicious record is not demoted to a plain vulnerability either.
    assert!(
        !run.output
            .findings
            .iter()
            .any(|f| f.identity == "MAL-2018-2")
    );
    assert!(!run.output.run.applied("VG308"));
}
