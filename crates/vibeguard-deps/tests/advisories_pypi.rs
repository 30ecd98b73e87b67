//! The advisory engine on real data: the 2,661 PyPA advisories of `shared/data/osv/PyPI-all.zip`
//! against fixture projects that pin known-vulnerable versions with pip (pip-compile output),
//! Poetry, uv and Pipenv, and the same projects at fixed versions.
//!
//! The expected findings (`tests/fixtures/advisories/*/expected.txt`) were computed by an
//! independent implementation (`tests/fixtures/advisories/reference.py`: Python's own TOML and
//! JSON parsers, PyPA's `packaging` for PEP 440, the OSV schema's pseudocode), so this test
//! compares two implementations, not one with itself.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jiff::Timestamp;
use vibeguard_core::{ChecklistId, Finding, Location, Severity};
use vibeguard_deps::advisories::{self, AdvisoryOptions, AdvisoryRun};
use vibeguard_deps::osv::{ReplacePolicy, Store};
use vibeguard_deps::project::ProjectModel;
use vibeguard_project::{ProjectTree, WalkOptions};

fn pypi_export() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/osv/PyPI-all.zip");
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (the shared real-advisory data set)",
            path.display()
        );
        None
    }
}

/// One store holding the real PyPI data, imported once for all tests.
fn store() -> Option<&'static Store> {
    static STORE: OnceLock<Option<(tempfile::TempDir, Store)>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let export = pypi_export()?;
            let dir = tempfile::tempdir().expect("temp dir");
            let store = Store::new(dir.path());
            let report = store
                .import(&export, &[], ReplacePolicy::Always, "PyPI-all.zip")
                .expect("the real export imports");
            assert_eq!(report.written.len(), 1, "one ecosystem");
            assert_eq!(report.invalid, 0, "every real record is valid");
            assert_eq!(
                report.written[0].records,
                2661 - 10,
                "withdrawn records are skipped"
            );
            assert_eq!(report.written[0].withdrawn, 10);
            Some((dir, store))
        })
        .as_ref()
        .map(|(_, store)| store)
}

fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/advisories")
        .join(name)
}

/// The data is from 2024-10-10; judge as of the day after so its age is within the limit.
fn options_at_snapshot() -> AdvisoryOptions {
    AdvisoryOptions {
        now: "2024-10-11T00:00:00Z".parse::<Timestamp>().expect("time"),
        ..AdvisoryOptions::default()
    }
}

fn audit(name: &str, store: &Store, options: &AdvisoryOptions) -> AdvisoryRun {
    let tree = ProjectTree::walk(&project(name), &WalkOptions::default()).expect("walks");
    let model = ProjectModel::load(&tree);
    advisories::run(&model, store, options, &|_| true)
}

/// `<file> <package>@<version> <primary id> <other ids…>`, as reference.py prints.
fn line(finding: &Finding) -> String {
    let Location::Package {
        name,
        version,
        manifest,
        ..
    } = &finding.location
    else {
        panic!("dependency findings point at packages");
    };
    let advisory = finding
        .evidence
        .iter()
        .find_map(|evidence| match evidence {
            vibeguard_core::Evidence::Text { label, text } if label == "advisory" => {
                text.lines().next().map(str::to_string)
            }
            _ => None,
        })
        .expect("advisory evidence");
    // "PRIMARY (A, B, C)" → "PRIMARY A B C"
    let ids = advisory
        .replace(" (", " ")
        .replace(", ", " ")
        .replace(')', "");
    format!(
        "{manifest} {name}@{} {ids}",
        version.as_deref().unwrap_or("")
    )
}

fn expected(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(project(name).join("expected.txt")).expect("expected.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn vulnerable_pins_give_exactly_the_reference_advisories() {
    let Some(store) = store() else { return };
    let run = audit("pypi-vulnerable", store, &options_at_snapshot());
    let mut actual: Vec<String> = run.output.findings.iter().map(line).collect();
    actual.sort();
    let expected = expected("pypi-vulnerable");
    let missing: Vec<&String> = expected.iter().filter(|l| !actual.contains(l)).collect();
    let extra: Vec<&String> = actual.iter().filter(|l| !expected.contains(l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    assert_eq!(actual.len(), 96);
    assert!(run.problems.is_empty(), "{:?}", run.problems);
    assert!(run.output.run.covered("VG307", ChecklistId::Deps02));
}

#[test]
fn findings_carry_the_chain_scope_fix_and_place() {
    let Some(store) = store() else { return };
    let run = audit("pypi-vulnerable", store, &options_at_snapshot());
    let find = |file: &str, id: &str| {
        run.output
            .findings
            .iter()
            .find(|f| f.location.file() == Some(file) && f.identity == id)
            .unwrap_or_else(|| panic!("{file} {id}"))
    };
    // urllib3 comes in through requests (pip-compile's `# via requests`).
    let urllib3 = find("pip/requirements.txt", "PYSEC-2021-108");
    let path = format!("{:?}", urllib3.evidence);
    assert!(path.contains("requests@2.19.1 → urllib3@1.24.1"), "{path}");
    assert!(
        urllib3
            .fix
            .contains("Upgrade urllib3 from 1.24.1 to 1.26.5"),
        "{}",
        urllib3.fix
    );
    assert!(
        urllib3.fix.contains("pulled in by requests@2.19.1"),
        "{}",
        urllib3.fix
    );
    assert_eq!(urllib3.location.span().map(|s| s.start_line), Some(27));
    // jinja2 comes in through flask in uv.lock's graph.
    let jinja2 = find("uv/uv.lock", "PYSEC-2019-217");
    assert!(format!("{:?}", jinja2.evidence).contains("flask@0.12.2 → jinja2@2.10"));
    // Unscored advisories are high; development-only packages one level lower.
    let flask = find("uv/uv.lock", "PYSEC-2018-66");
    assert_eq!(flask.severity, Severity::High);
    let sqlalchemy = find("poetry/poetry.lock", "PYSEC-2019-123");
    assert_eq!(sqlalchemy.severity, Severity::Medium);
    assert!(sqlalchemy.message.contains("(development only)"));
    let pillow = find("pipenv/Pipfile.lock", "PYSEC-2021-137");
    assert_eq!(pillow.severity, Severity::Medium);
    // A scored advisory is graded by its CVSS vector.
    let scored = find("uv/uv.lock", "PYSEC-2023-221");
    assert!(
        format!("{:?}", scored.evidence).contains("CVSS"),
        "{:?}",
        scored.evidence
    );
}

#[test]
fn fixed_pins_give_nothing_and_verify_deps_02() {
    let Some(store) = store() else { return };
    let run = audit("pypi-fixed", store, &options_at_snapshot());
    assert!(expected("pypi-fixed").is_empty());
    assert_eq!(run.output.findings, Vec::<Finding>::new());
    assert!(run.inventory.gaps.is_empty(), "{:?}", run.inventory.gaps);
    assert!(run.output.run.covered("VG307", ChecklistId::Deps02));
    assert!(run.output.run.covered("VG308", ChecklistId::Deps02));
    assert_eq!(run.output.run.coverage.packages, 29);
}

#[test]
fn stale_or_missing_data_never_gives_an_all_clear() {
    let Some(store) = store() else { return };
    // The same data judged today is two years old: DEPS-02 is not verified, and says why;
    // the old vulnerabilities it knows are still reported.
    let stale = audit("pypi-vulnerable", store, &AdvisoryOptions::default());
    assert_eq!(stale.output.findings.len(), 96);
    assert!(!stale.output.run.covered("VG307", ChecklistId::Deps02));
    let run = audit("pypi-fixed", store, &AdvisoryOptions::default());
    assert!(!run.output.run.covered("VG307", ChecklistId::Deps02));
    assert_eq!(run.problems.len(), 1);
    assert!(
        run.problems[0].message.contains("days old"),
        "{}",
        run.problems[0].message
    );
    assert!(
        run.output
            .run
            .errors
            .iter()
            .any(|e| e.message.contains("days old"))
    );

    let empty = tempfile::tempdir().expect("temp dir");
    let run = audit(
        "pypi-vulnerable",
        &Store::new(empty.path()),
        &options_at_snapshot(),
    );
    assert!(run.output.findings.is_empty());
    assert!(!run.output.run.covered("VG307", ChecklistId::Deps02));
    assert!(
        run.problems[0].message.contains("no PyPI advisory data"),
        "{}",
        run.problems[0].message
    );
}
