//! Bad input for the file front end: files that do not parse, invalid UTF-8, binary data,
//! huge, minified and pathologically nested files, symlink loops. Each is recorded as a
//! non-fatal error naming the file (or analysed as far as it can be), nothing panics, and the
//! rest of the project is still audited.

use std::path::Path;

use proptest::prelude::*;
use vibeguard_code::{CodeOptions, CodeOutput, run};
use vibeguard_project::{ProjectTree, WalkOptions};

fn audit(dir: &Path) -> CodeOutput {
    let tree = ProjectTree::walk(dir, &WalkOptions::default()).expect("walk");
    run(
        &tree,
        &|_| true,
        &CodeOptions {
            max_file_size: 256 * 1024,
        },
    )
}

/// A vulnerable file next to the hostile ones: its finding proves the audit went on.
const CANARY: &str = "const express = require('express');\nconst router = express.Router();\nrouter.get('/x', (req, res) => { eval(req.query.code); res.end(); });\nmodule.exports = router;\n";

fn with_canary(files: &[(&str, &[u8])]) -> CodeOutput {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("canary.js"), CANARY).expect("write");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(path, bytes).expect("write");
    }
    audit(dir.path())
}

fn canary_found(output: &CodeOutput) -> bool {
    output
        .output
        .findings
        .iter()
        .any(|f| f.code == "VG104" && f.location.file() == Some("canary.js"))
}

fn error_for<'o>(output: &'o CodeOutput, file: &str) -> Option<&'o vibeguard_core::EngineError> {
    output.output.run.errors.iter().find(|e| e.source == file)
}

#[test]
fn unreadable_files_are_recorded_and_the_audit_goes_on() {
    let huge = format!("// big\n{}", "const a = 1;\n".repeat(30_000));
    let minified = format!("{}\n", "var a=1;function b(){return a}".repeat(200));
    let output = with_canary(&[
        ("latin1.js", b"const name = 'caf\xe9';\n"),
        ("binary.py", b"\x00\x01\x02\x03 not python \xff\xfe"),
        ("huge.js", huge.as_bytes()),
        ("bundle.js", minified.as_bytes()),
    ]);
    assert!(canary_found(&output), "{:?}", output.output.findings);
    let latin1 = error_for(&output, "latin1.js").expect("latin1.js recorded");
    assert!(latin1.message.contains("UTF-8"), "{latin1}");
    assert!(
        error_for(&output, "binary.py")
            .expect("binary recorded")
            .message
            .contains("binary")
    );
    assert!(
        error_for(&output, "huge.js")
            .expect("huge recorded")
            .message
            .contains("limit")
    );
    assert!(
        error_for(&output, "bundle.js")
            .expect("bundle recorded")
            .message
            .contains("minified")
    );
}

#[test]
fn syntax_errors_are_recorded_with_their_line_and_the_rest_is_analysed() {
    let broken = "const db = require('./db');\nfunction ok(req) {\n  db.query('SELECT * FROM t WHERE a = ' + req.query.a);\n}\nfunction broken( {\n  return ;;; }}}\n";
    let output = with_canary(&[
        ("broken.js", broken.as_bytes()),
        ("broken.py", b"def f(:\n    pass\nclass\n"),
    ]);
    assert!(canary_found(&output));
    let js = error_for(&output, "broken.js").expect("broken.js recorded");
    assert!(js.line.is_some(), "{js}");
    assert!(error_for(&output, "broken.py").is_some());
    assert!(
        output
            .output
            .findings
            .iter()
            .any(|f| f.code == "VG101" && f.location.file() == Some("broken.js")),
        "the readable part of a broken file is still analysed"
    );
}

#[test]
fn pathological_nesting_neither_overflows_nor_hangs() {
    let long_concatenation = format!("const q = 'SELECT ' {};\n", "+ x ".repeat(50_000));
    let deep_parentheses = format!("const v = {}1{};\n", "(".repeat(5_000), ")".repeat(5_000));
    let deep_arrays = format!("x = {}1{}\n", "[".repeat(3_000), "]".repeat(3_000));
    let deep_functions = format!(
        "{}{}",
        "function f() {\n".repeat(2_000),
        "}\n".repeat(2_000)
    );
    let deep_ifs = format!(
        "def f(x):\n{}",
        (0..900)
            .map(|i| format!("{}if x:\n", " ".repeat(i + 4)))
            .collect::<String>()
            + &" ".repeat(904)
            + "pass\n"
    );
    let deep_blocks = format!(
        "Rails.application.routes.draw do\n{}{}end\n",
        "scope 'a' do\n".repeat(3_000),
        "end\n".repeat(3_000)
    );
    let output = with_canary(&[
        ("concat.js", long_concatenation.as_bytes()),
        ("parens.js", deep_parentheses.as_bytes()),
        ("arrays.py", deep_arrays.as_bytes()),
        ("functions.js", deep_functions.as_bytes()),
        ("ifs.py", deep_ifs.as_bytes()),
        ("config/routes.rb", deep_blocks.as_bytes()),
    ]);
    assert!(canary_found(&output));
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("canary.js"), CANARY).expect("write");
    std::fs::create_dir(dir.path().join("a")).expect("mkdir");
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).expect("symlink");
    std::os::unix::fs::symlink(dir.path().join("canary.js"), dir.path().join("a/link.js"))
        .expect("symlink");
    let output = audit(dir.path());
    assert!(canary_found(&output));
    assert_eq!(output.output.run.coverage.files, 1, "links are not read");
}

/// Pieces of code that, shuffled, reach the parser's and the lowering's odd corners.
fn code_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "`${",
        "}`",
        "'",
        "\"",
        "+",
        ",",
        ";",
        "\n",
        "=>",
        "=",
        ".",
        "req.body",
        "req.query.q",
        "db.query(",
        "res.json(",
        "function f(a) ",
        "async ",
        "await ",
        "const x = ",
        "class A ",
        "import x from 'y'",
        "require('./z')",
        "module.exports = ",
        "def f(request):",
        "    ",
        "return ",
        "if ",
        "else:",
        "for x in ",
        "lambda: ",
        "f\"{x}\"",
        "**kw",
        "*args",
        "...rest",
        "?.",
        "??",
        "new Promise(",
        "@app.route('/x')",
        "except Exception as e:",
        "resources :posts",
        "resource :profile",
        " do\n",
        "end\n",
        "namespace :api",
        "scope '/v1', module: 'v1'",
        "get '/x', to: 'a#b'",
        "'/y' => 'c#d'",
        ", only: [:index, :show]",
        ", except: %i[new edit]",
        "member",
        "collection",
        "draw :admin",
        "concerns :c",
        "before_action :authenticate_user!",
        "skip_before_action :a, only: :b",
        "params.require(:p).permit(:a, b: [])",
        "class A < B",
        "module M",
        "def f",
        "\u{0}",
        "\u{feff}",
        "é",
        "\\",
        "/*",
        "*/",
        "#",
        "//",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let output = with_canary(&[("fuzz.js", &bytes), ("fuzz.py", &bytes), ("fuzz.tsx", &bytes), ("config/routes.rb", &bytes), ("app/controllers/fuzz_controller.rb", &bytes)]);
        prop_assert!(canary_found(&output));
    }

    #[test]
    fn shuffled_code_never_panics(pieces in prop::collection::vec(code_piece(), 0..400)) {
        let text = pieces.concat();
        let output = with_canary(&[("shuffled.js", text.as_bytes()), ("shuffled.py", text.as_bytes()), ("shuffled.ts", text.as_bytes()), ("config/routes.rb", text.as_bytes()), ("app/controllers/shuffled_controller.rb", text.as_bytes())]);
        prop_assert!(canary_found(&output));
    }
}
