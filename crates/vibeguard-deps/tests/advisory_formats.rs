//! The advisory databases users have on disk, imported as they are: PyPA's advisory-database
//! (`vulns/<package>/PYSEC-….yaml`, OSV records in YAML), GitHub's advisory-database
//! (`advisories/github-reviewed/<year>/<month>/GHSA-…/GHSA-….json`), one record file, and a
//! file that is none of these refused with a message naming what is accepted.

use std::fs;
use std::path::Path;

use vibeguard_deps::advisories::{self, AdvisoryOptions};
use vibeguard_deps::osv::{ReplacePolicy, Store};
use vibeguard_deps::project::ProjectModel;
use vibeguard_project::{ProjectTree, WalkOptions};

/// PYSEC-2019-217 as the PyPA advisory-database writes it (PyYAML: strings that would read as
/// numbers are quoted, timestamps are not).
const PYSEC_2019_217: &str = "id: PYSEC-2019-217
details: In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.
affected:
- package:
    name: jinja2
    ecosystem: PyPI
    purl: pkg:pypi/jinja2
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: '0'
    - fixed: 2.10.1
  versions:
  - '2.0'
  - 2.0rc1
  - '2.1'
  - '2.10'
references:
- type: ADVISORY
  url: https://access.redhat.com/errata/RHSA-2019:1152
aliases:
- CVE-2019-10906
- GHSA-462w-v97r-4m45
modified: '2021-07-05T00:01:22.123Z'
published: 2019-04-07T00:29:00Z
";

/// A second record in the `.yml` spelling, for another package.
const PYSEC_2018_2: &str = "id: PYSEC-2018-2
details: Flask before 0.12.3 has a denial of service through crafted JSON.
affected:
- package:
    name: flask
    ecosystem: PyPI
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: '0'
    - fixed: 0.12.3
aliases:
- CVE-2018-1000656
modified: '2021-06-15T12:00:00Z'
";

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    fs::write(full, text).expect("write");
}

fn identities(project: &Path, store: &Store) -> Vec<String> {
    let tree = ProjectTree::walk(project, &WalkOptions::default()).expect("walks");
    let model = ProjectModel::load(&tree);
    let run = advisories::run(&model, store, &AdvisoryOptions::default(), &|_| true);
    let mut ids: Vec<String> = run
        .output
        .findings
        .iter()
        .map(|f| f.identity.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_pypa_advisory_database_in_yaml_is_imported_and_matched() {
    let export = tempfile::tempdir().expect("tempdir");
    write(
        export.path(),
        "vulns/jinja2/PYSEC-2019-217.yaml",
        PYSEC_2019_217,
    );
    write(export.path(), "vulns/flask/PYSEC-2018-2.yml", PYSEC_2018_2);
    write(export.path(), "README.md", "# not a record\n");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::new(dir.path());
    let report = store
        .import(export.path(), &[], ReplacePolicy::Always, "pypa")
        .expect("imports");
    assert_eq!(report.invalid, 0, "{:?}", report.invalid_examples);
    assert_eq!(report.written.len(), 1);

    let project = tempfile::tempdir().expect("tempdir");
    write(
        project.path(),
        "requirements.txt",
        "jinja2==2.10\nflask==0.12.2\nrequests==2.31.0\n",
    );
    let found = identities(project.path(), &store);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().any(|id| id.contains("PYSEC-2019-217")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|id| id.contains("PYSEC-2018-2")),
        "{found:?}"
    );

    // The fixed versions give nothing.
    write(
        project.path(),
        "requirements.txt",
        "jinja2==2.10.1\nflask==0.12.3\n",
    );
    assert!(identities(project.path(), &store).is_empty());
}

#[test]
fn the_github_advisory_database_tree_and_single_records_are_imported() {
    let ghsa = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../vibeguard-demo/advisories/GHSA-35jh-r3h4-6jhm.json"),
    )
    .expect("a real GitHub advisory");
    let export = tempfile::tempdir().expect("tempdir");
    write(
        export.path(),
        "advisories/github-reviewed/2021/05/GHSA-35jh-r3h4-6jhm/GHSA-35jh-r3h4-6jhm.json",
        &ghsa,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::new(dir.path());
    store
        .import(export.path(), &[], ReplacePolicy::Always, "github")
        .expect("imports the tree");
    let project = tempfile::tempdir().expect("tempdir");
    write(
        project.path(),
        "package.json",
        r#"{"name":"x","version":"1.0.0","dependencies":{"lodash":"4.17.20"}}"#,
    );
    write(
        project.path(),
        "package-lock.json",
        r#"{"name":"x","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x","version":"1.0.0","dependencies":{"lodash":"4.17.20"}},"node_modules/lodash":{"version":"4.17.20","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz","integrity":"sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA=="}}}"#,
    );
    let found = identities(project.path(), &store);
    assert_eq!(found.len(), 1, "{found:?}");

    // One YAML record on its own.
    let single = tempfile::tempdir().expect("tempdir");
    write(single.path(), "PYSEC-2019-217.yaml", PYSEC_2019_217);
    let report = store
        .import(
            &single.path().join("PYSEC-2019-217.yaml"),
            &[],
            ReplacePolicy::Always,
            "one record",
        )
        .expect("imports one record");
    assert_eq!(report.written.len(), 1);
}

#[test]
fn a_file_that_is_no_export_names_what_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("advisories.csv");
    fs::write(&file, "id,package\nPYSEC-1,flask\n").expect("write");
    let store = Store::new(dir.path().join("store"));
    let error = store
        .import(&file, &[], ReplacePolicy::Always, "csv")
        .expect_err("refused")
        .to_string();
    for accepted in ["all.zip", "advisory-database", "YAML", "JSON"] {
        assert!(error.contains(accepted), "{error}");
    }
}
