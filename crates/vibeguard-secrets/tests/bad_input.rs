//! Bad input for the secrets engine: binary files, a huge single-line file, invalid UTF-8,
//! a file over the size limit, and arbitrary bytes. Skipped or scanned safely, with a note
//! where something was not read; never a panic.

use std::path::Path;

use proptest::prelude::*;
use vibeguard_core::EngineOutput;
use vibeguard_project::{ProjectTree, WalkOptions};
use vibeguard_secrets::catalog::Catalog;
use vibeguard_secrets::scan::{TextContext, scan_text};
use vibeguard_secrets::{SecretsOptions, run};

const TOKEN: &str = "ghp_R8vK2mQ9xL4tW7zN1bY6cF3hJ5dS0aP2eG8u";

fn audit(dir: &Path, options: &SecretsOptions) -> EngineOutput {
    let tree = ProjectTree::walk(dir, &WalkOptions::default()).expect("walk");
    run(&tree, &|_| true, options).output
}

fn found_in(output: &EngineOutput) -> Vec<String> {
    let mut files: Vec<String> = output
        .findings
        .iter()
        .filter_map(|finding| finding.location.file().map(str::to_string))
        .collect();
    files.sort();
    files
}

#[test]
fn binary_files_are_skipped_and_text_around_them_is_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A text-like name with binary content: a NUL in the first bytes.
    let mut binary = b"\x7fELF\x02\x01\x01\x00\x00".to_vec();
    binary.extend_from_slice(format!("const key = '{TOKEN}';").as_bytes());
    std::fs::write(dir.path().join("bundle.js"), &binary).expect("write");
    // A binary extension is never read at all.
    std::fs::write(
        dir.path().join("logo.png"),
        format!("\u{89}PNG {TOKEN}").as_bytes(),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("config.js"),
        format!("const key = '{TOKEN}';\n"),
    )
    .expect("write");
    let output = audit(dir.path(), &SecretsOptions::default());
    assert!(output.run.errors.is_empty(), "{:?}", output.run.errors);
    assert_eq!(found_in(&output), ["config.js"]);
}

#[test]
fn a_huge_single_line_file_is_scanned_to_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 20 MB of minified-looking code on one line, the token near the end.
    let chunk = "function a(b){return b.map(function(c){return c+1})};var d=\"x\";";
    let mut text = String::with_capacity(20 * 1024 * 1024 + 200);
    while text.len() < 20 * 1024 * 1024 {
        text.push_str(chunk);
    }
    text.push_str(&format!("var k=\"{TOKEN}\";"));
    std::fs::write(dir.path().join("app.min.js"), text).expect("write");
    let output = audit(dir.path(), &SecretsOptions::default());
    assert!(output.run.errors.is_empty(), "{:?}", output.run.errors);
    assert_eq!(found_in(&output), ["app.min.js"]);
}

#[test]
fn invalid_utf8_is_read_lossily_and_still_scanned() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Latin-1 comments around an ASCII credential.
    let mut bytes = b"# Konfiguration f\xfcr den Server (\xe9t\xe9)\n".to_vec();
    bytes.extend_from_slice(format!("GITHUB_TOKEN={TOKEN}\n").as_bytes());
    bytes.extend_from_slice(b"\xff\xfe\n");
    std::fs::write(dir.path().join("server.conf"), bytes).expect("write");
    let output = audit(dir.path(), &SecretsOptions::default());
    assert!(output.run.errors.is_empty(), "{:?}", output.run.errors);
    assert_eq!(found_in(&output), ["server.conf"]);
    assert_eq!(
        output.findings[0]
            .location
            .span()
            .map(|span| span.start_line),
        Some(2)
    );
}

#[test]
fn a_file_over_the_size_limit_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("dump.sql"),
        format!("-- {TOKEN}\n{}", "x".repeat(3 * 1024 * 1024)),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("config.js"),
        format!("const key = '{TOKEN}';\n"),
    )
    .expect("write");
    let options = SecretsOptions {
        max_file_size: 1024 * 1024,
        ..SecretsOptions::default()
    };
    let output = audit(dir.path(), &options);
    assert_eq!(found_in(&output), ["config.js"]);
    let error = output
        .run
        .errors
        .iter()
        .find(|error| error.source == "dump.sql")
        .expect("an error for dump.sql");
    assert!(error.message.contains("limit"), "{}", error.message);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes, as the engine reads them, in every path context.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        path in prop::sample::select(vec![
            "a.js", ".env", "config.yaml", "package-lock.json", "README.md", "public/app.js",
            "src/lib.rs",
        ]),
    ) {
        let catalog = Catalog::builtin().expect("catalog");
        let text = String::from_utf8_lossy(&bytes);
        let context = TextContext::of(path, &text);
        for hit in scan_text(catalog, &text, &context) {
            prop_assert!(hit.start < hit.end && hit.end <= text.len());
            prop_assert!(text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end));
        }
    }

    /// Keyword-dense text: the shapes that reach every pattern and check.
    #[test]
    fn keyword_soup_never_panics(
        parts in proptest::collection::vec(prop::sample::select(vec![
            "api_key=", "password: ", "\"token\": \"", "ghp_", "sk_live_", "AKIA", "-----BEGIN ",
            "PRIVATE KEY-----", "postgres://u:", "@db.example.com/", "eyJ", ".", "\n", "'", "é",
            "xoxb-", "AIza", "=", "${", "}", "0123456789abcdef", "ZmFrZQ==", "#[cfg(test)]\nmod t {\n",
        ]), 0..64),
    ) {
        let catalog = Catalog::builtin().expect("catalog");
        let text: String = parts.concat();
        for path in ["a.py", "src/lib.rs", ".env"] {
            let context = TextContext::of(path, &text);
            for hit in scan_text(catalog, &text, &context) {
                prop_assert!(hit.end <= text.len());
            }
        }
    }
}
