//! The labelled corpus (tests/fixtures/corpus/, written by generate_corpus.py): every line
//! under a `vg-expect: <provider>` label must be reported with that provider, every line under
//! `vg-ok` must stay silent, and nothing else may be reported. Prints precision and recall;
//! fails on any miss or extra.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use vibeguard_core::{Evidence, Finding};
use vibeguard_project::{ProjectTree, WalkOptions};
use vibeguard_secrets::catalog::Catalog;
use vibeguard_secrets::{SecretsOptions, run};

type Key = (String, u32);

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The labels: (file, line) → expected provider ids (empty for `vg-ok`).
fn labels(tree: &ProjectTree) -> BTreeMap<Key, BTreeSet<String>> {
    let mut labels = BTreeMap::new();
    for file in tree.files() {
        let text = std::fs::read_to_string(tree.absolute(&file.path)).expect("corpus file");
        let lines: Vec<&str> = text.lines().collect();
        let mut pending: Option<BTreeSet<String>> = None;
        for (index, line) in lines.iter().enumerate() {
            if let Some(at) = line.find("vg-expect:") {
                let rest = &line[at + "vg-expect:".len()..];
                let end = rest.find(['"', '\\']).unwrap_or(rest.len());
                let rest = rest[..end].trim_end_matches("-->");
                pending = Some(
                    rest.split(',')
                        .map(|id| id.trim().to_string())
                        .filter(|id| !id.is_empty())
                        .collect(),
                );
                continue;
            }
            if line.contains("vg-ok") {
                pending = Some(BTreeSet::new());
                continue;
            }
            if let Some(expected) = pending.take() {
                let number = u32::try_from(index + 1).expect("line number");
                labels.insert((file.path.clone(), number), expected);
            }
        }
    }
    labels
}

fn provider_id(finding: &Finding) -> String {
    finding
        .evidence
        .iter()
        .find_map(|evidence| match evidence {
            Evidence::Text { label, text } if label == "credential" => {
                let close = text.find("): ")?;
                let open = text[..close].rfind('(')?;
                Some(text[open + 1..close].to_string())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("finding without a credential: {}", finding.message))
}

#[test]
fn the_corpus_has_no_miss_and_no_extra() {
    let tree = ProjectTree::walk(&corpus(), &WalkOptions::default()).expect("walk");
    let labels = labels(&tree);
    let output = run(&tree, &|_| true, &SecretsOptions::default()).output;
    assert!(output.run.errors.is_empty(), "{:?}", output.run.errors);

    let mut found: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
    for finding in &output.findings {
        let line = finding.location.span().map_or(0, |span| span.start_line);
        let path = finding.location.file().expect("file").to_string();
        found
            .entry((path, line))
            .or_default()
            .insert(provider_id(finding));
    }

    let mut misses = Vec::new();
    let mut extras = Vec::new();
    let mut true_positives = 0usize;
    for (key, expected) in &labels {
        let got = found.get(key).cloned().unwrap_or_default();
        for id in expected {
            if got.contains(id) {
                true_positives += 1;
            } else {
                misses.push(format!("{}:{} expected {id}, got {got:?}", key.0, key.1));
            }
        }
        for id in got.difference(expected) {
            extras.push(format!(
                "{}:{} reported {id} (labelled {expected:?})",
                key.0, key.1
            ));
        }
    }
    for (key, got) in &found {
        if !labels.contains_key(key) {
            extras.push(format!(
                "{}:{} reported {got:?} on an unlabelled line",
                key.0, key.1
            ));
        }
    }
    let expected_total: usize = labels.values().map(BTreeSet::len).sum();
    let silent_total = labels.values().filter(|ids| ids.is_empty()).count();
    let precision = true_positives as f64 / (true_positives + extras.len()).max(1) as f64;
    let recall = true_positives as f64 / expected_total.max(1) as f64;
    println!(
        "secrets corpus: {true_positives}/{expected_total} found, {} extra, {silent_total} look-alikes; precision {precision:.3}, recall {recall:.3}",
        extras.len()
    );
    assert!(
        expected_total >= 150,
        "{expected_total} true positives labelled"
    );
    assert!(silent_total >= 150, "{silent_total} look-alikes labelled");
    assert!(
        misses.is_empty() && extras.is_empty(),
        "misses:\n  {}\nextras:\n  {}",
        misses.join("\n  "),
        extras.join("\n  ")
    );
}

#[test]
fn every_provider_of_the_catalog_has_a_true_positive_in_the_corpus() {
    let tree = ProjectTree::walk(&corpus(), &WalkOptions::default()).expect("walk");
    let labelled: BTreeSet<String> = labels(&tree).into_values().flatten().collect();
    let catalog = Catalog::builtin().expect("catalog");
    let missing: Vec<&str> = catalog
        .providers
        .iter()
        .map(|provider| provider.id.as_str())
        .filter(|id| !labelled.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "providers without a corpus line: {missing:?}"
    );
}
