//! Property: for every kind of credential in the secrets catalog, a value of its usual length
//! and values two and four times as long, written the way the labelled corpus writes one, never
//! reach any output beyond the first characters a description shows — in every report format,
//! on stdout and on stderr. A detector matches at most a pattern's length or a window around its
//! keyword; what the file holds past that must be masked as well.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use common::{everything_written, repo_file, vibeguard, write, write_every_format};
use vibeguard_secrets::catalog::Catalog;
use vibeguard_secrets::scan::{TextContext, scan_text};

/// One credential of the corpus: the lines that hold it and where it sits in them.
struct Sample {
    provider: String,
    path: String,
    lines: String,
    start: usize,
    value: String,
}

fn corpus_files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            corpus_files(&path, root, out);
        } else if let Ok(text) = fs::read_to_string(&path) {
            let relative = path
                .strip_prefix(root)
                .expect("inside the corpus")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((relative, text));
        }
    }
}

/// The first credential of every provider in the corpus.
fn samples(catalog: &Catalog) -> Vec<Sample> {
    let root = repo_file("crates/vibeguard-secrets/tests/fixtures/corpus");
    let mut files = Vec::new();
    corpus_files(&root, &root, &mut files);
    let mut by_provider: BTreeMap<String, Sample> = BTreeMap::new();
    for (path, text) in &files {
        for hit in scan_text(catalog, text, &TextContext::of(path, text)) {
            let provider = catalog.providers[hit.provider].id.clone();
            if by_provider.contains_key(&provider) {
                continue;
            }
            let from = text[..hit.start].rfind('\n').map_or(0, |at| at + 1);
            let to = text[hit.end..]
                .find('\n')
                .map_or(text.len(), |at| hit.end + at);
            by_provider.insert(
                provider.clone(),
                Sample {
                    provider,
                    path: path.clone(),
                    lines: text[from..to].to_string(),
                    start: hit.start - from,
                    value: hit.secret.clone(),
                },
            );
        }
    }
    by_provider.into_values().collect()
}

/// `value` made `times` as long with more of its own characters: for a multi-line key, more
/// lines of its body before its closing line; for a token, more characters at its end.
fn lengthened(value: &str, times: usize, seed: u64) -> String {
    if times == 1 {
        return value.to_string();
    }
    let alphabet: Vec<char> = {
        let set: BTreeSet<char> = value
            .chars()
            .skip(4)
            .filter(char::is_ascii_alphanumeric)
            .collect();
        if set.len() >= 8 {
            set.into_iter().collect()
        } else {
            ('A'..='Z').chain('a'..='z').chain('0'..='9').collect()
        }
    };
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let extra_length = value.chars().count() * (times - 1);
    let extra: String = (0..extra_length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            alphabet[(state % alphabet.len() as u64) as usize]
        })
        .collect();
    match value.find("-----END") {
        Some(end) => {
            let newline = if value.contains("\\n") { "\\n" } else { "\n" };
            let body: Vec<String> = extra
                .as_bytes()
                .chunks(64)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect();
            format!(
                "{}{}{newline}{}",
                &value[..end],
                body.join(newline),
                &value[end..]
            )
        }
        None => format!("{value}{extra}"),
    }
}

/// The characters a description shows of a value (`describe_secret`).
fn shown(value: &str) -> usize {
    let length = value.chars().count();
    if length >= 12 { 4 } else { length / 4 }
}

#[test]
fn no_output_holds_any_part_of_a_secret_past_its_shown_prefix() {
    let catalog = Catalog::builtin().expect("catalog");
    let samples = samples(catalog);
    let missing: Vec<&str> = catalog
        .providers
        .iter()
        .map(|p| p.id.as_str())
        .filter(|id| !samples.iter().any(|s| s.provider == *id))
        .collect();
    assert!(
        missing.is_empty(),
        "the corpus has no value for {missing:?}"
    );

    let project = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let mut values: Vec<(String, usize, String)> = Vec::new();
    for (index, sample) in samples.iter().enumerate() {
        for times in [1, 2, 4] {
            let value = lengthened(&sample.value, times, index as u64 * 4 + times as u64);
            let lines = format!(
                "{}{value}{}\n",
                &sample.lines[..sample.start],
                &sample.lines[sample.start + sample.value.len()..]
            );
            write(
                project.path(),
                // Folders by number: a provider's name in a path could match its own value's
                // constant parts (`…/IncomingWebhook/c…` and `teams-webhook/config`).
                &format!("x{times}/p{index}/{}", sample.path),
                &lines,
            );
            values.push((sample.provider.clone(), times, value));
        }
    }

    let mut command = vibeguard(cache.path());
    command
        .args(["audit", "--offline", "--fail-on", "never"])
        .arg(project.path());
    write_every_format(&mut command, out.path());
    let output = command.arg("-v").output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));

    // Text every report may print whatever it audits: the rules' documentation (examples of
    // keys included) and the catalog's names and revocation steps.
    let public = [
        fs::read_to_string(repo_file("docs/rules.md")).expect("docs/rules.md"),
        fs::read_to_string(repo_file("crates/vibeguard-secrets/src/catalog.toml"))
            .expect("catalog"),
    ]
    .concat();
    let public_chars: Vec<char> = public.chars().collect();
    let public: std::collections::HashSet<String> = public_chars
        .windows(8)
        .map(|window| window.iter().collect())
        .collect();
    let written = everything_written(out.path(), &output);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("r.json")).expect("json report"))
            .expect("JSON");
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    assert!(
        findings >= samples.len(),
        "only {findings} findings for {} providers",
        samples.len()
    );

    // Every 8-character window of every value past its shown prefix, searched for in one
    // pass over each output.
    let mut windows: Vec<String> = Vec::new();
    let mut owners: Vec<String> = Vec::new();
    for (provider, times, value) in &values {
        let chars: Vec<char> = value.chars().collect();
        let skip = shown(value);
        for start in 0..chars.len().saturating_sub(7) {
            let window: String = chars[start..start + 8].iter().collect();
            // Windows inside the shown prefix, and the parts of the format that documentation
            // prints for everyone (`-----BEGIN RSA`), say nothing about this value.
            if start + 8 <= skip || public.contains(&window) || window.contains('\n') {
                continue;
            }
            windows.push(window);
            owners.push(format!(
                "{provider} x{times} (at {start} of {})",
                chars.len()
            ));
        }
    }
    let searcher = aho_corasick::AhoCorasick::new(&windows).expect("automaton");
    let mut leaks = Vec::new();
    for (name, text) in &written {
        for found in searcher.find_overlapping_iter(text.as_str()).take(20) {
            let index = found.pattern().as_usize();
            leaks.push(format!("{}: `{}` in {name}", owners[index], windows[index]));
        }
    }
    assert!(
        leaks.is_empty(),
        "secret characters in the outputs:\n{}",
        leaks.join("\n")
    );
}
