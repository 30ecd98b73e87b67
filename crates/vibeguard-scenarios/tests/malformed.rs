//! Scenario files that are wrong in every way a person or a tool gets them wrong: each gives an
//! error naming the file, line and column and what to write instead, never a panic, and the
//! valid files of the suite still load.

use vibeguard_scenarios::load::{self, ScenarioError};

fn errors(text: &str) -> Vec<ScenarioError> {
    let (_, errors) = load::parse("s.yaml", text, &["alice".into(), "bob".into()]);
    errors
}

fn one(text: &str) -> ScenarioError {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().expect("an error")
}

#[test]
fn a_misspelt_key_is_located_and_the_right_one_suggested() {
    let error = one(
        "scenarios:\n  - name: n\n    steps:\n      - path: /a\n        expect:\n          stauts: 200\n",
    );
    assert_eq!((error.line, error.column), (Some(6), Some(11)), "{error}");
    assert!(error.message.contains("unknown field `stauts`"), "{error}");
    assert!(error.message.contains("did you mean `status`?"), "{error}");
    assert!(error.to_string().starts_with("s.yaml:6:11: "), "{error}");
}

#[test]
fn wrong_types_and_broken_yaml_are_located() {
    let error = one("scenarios:\n  - name: n\n    steps: 12\n");
    assert_eq!(error.line, Some(3), "{error}");
    let error = one(
        "scenarios:\n  - name: n\n    steps:\n      - path: /a\n        expect: {max_ms: soon}\n",
    );
    assert_eq!(error.line, Some(5), "{error}");
    let error = one("scenarios: [\n  {name: n\n");
    assert!(error.line.is_some(), "{error}");
    let error = one("just text\n");
    assert!(
        error.message.contains("invalid type") || error.message.contains("expected"),
        "{error}"
    );
}

#[test]
fn what_cannot_run_is_said_before_the_run() {
    let text = r#"
scenarios:
  - name: every mistake
    severity: urgent
    checklist: [AUTH-99]
    steps:
      - as: alcie
        path: /notes/{note_id}
        capture: {x: {json: "$..id"}, y: {header: A, cookie: b}}
        expect:
          status: 20
          json: [{path: $.a, type: text}]
          body: {matches: "(unclosed"}
          same_as: later
      - method: DELETE
        path: notes
"#;
    let found: Vec<String> = errors(text).iter().map(ToString::to_string).collect();
    let has = |line: u64, says: &str| {
        assert!(
            found
                .iter()
                .any(|e| e.starts_with(&format!("s.yaml:{line}:")) && e.contains(says)),
            "line {line} should say {says}: {found:#?}"
        );
    };
    has(4, "severity `urgent`");
    has(5, "`AUTH-99` is no checklist item");
    has(
        7,
        "`as: alcie` is no configured identity (configured: alice, bob); did you mean `alice`?",
    );
    has(
        8,
        "`note_id` is neither a variable nor captured by an earlier step",
    );
    has(9, "capture `x`: `$..id`");
    has(9, "capture `y` needs exactly one of");
    has(11, "status `20`");
    has(12, "json `type: text`");
    has(7, "body: invalid regular expression");
    has(14, "`later` names no earlier step");
    has(15, "a DELETE step needs `destructive: true`");
    has(16, "the path `notes` must start with `/`");
}

#[test]
fn hostile_files_give_errors_and_no_panic() {
    let folder = tempfile::tempdir().expect("a folder");
    let write =
        |name: &str, bytes: &[u8]| std::fs::write(folder.path().join(name), bytes).expect("write");
    write(
        "good.yaml",
        b"scenarios:\n  - name: fine\n    steps:\n      - path: /health\n",
    );
    write(
        "deep.yaml",
        format!("scenarios: {}{}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes(),
    );
    write("binary.yml", &[0x89, b'P', b'N', b'G', 0, 0, 1, 2, 0xff]);
    write("latin1.yaml", &[b'n', b'a', b'm', b'e', b':', b' ', 0xe9]);
    let mut big = Vec::with_capacity(50 * 1024 * 1024);
    while big.len() < 50 * 1024 * 1024 {
        big.extend_from_slice(b"# padding line of a very large scenario file\n");
    }
    write("huge.yaml", &big);
    write("aliases.yaml", b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nscenarios: []\n");
    write("notes.txt", b"not a scenario file");
    let suite = load::load(folder.path(), &[]);
    assert_eq!(suite.files, 6);
    assert_eq!(suite.scenarios.len(), 1, "{:#?}", suite.errors);
    assert_eq!(suite.scenarios[0].scenario.name, "fine");
    let said = |file: &str, says: &str| {
        assert!(
            suite
                .errors
                .iter()
                .any(|e| e.file.ends_with(file) && e.message.contains(says)),
            "{file} should say {says}: {:#?}",
            suite.errors
        );
    };
    said("binary.yml", "binary file");
    said("latin1.yaml", "not UTF-8");
    said("huge.yaml", "scenario files are read up to");
    assert!(suite.errors.iter().any(|e| e.file.ends_with("deep.yaml")));
    assert!(
        suite
            .errors
            .iter()
            .any(|e| e.file.ends_with("aliases.yaml"))
    );
}

#[test]
fn surface_wide_payload_and_repeat_mistakes_are_said_before_the_run() {
    let text = r#"
scenarios:
  - name: loose steps
    steps:
      - {as: bob}
      - {path: /a, for_each: {var: p}}
      - {path: /a, for_each: {var: p, payloads: sqli}}
      - {path: /a, repeat: 0}
      - {path: /a, expect: {free_of: [sensitive_field]}}
      - {path: "/a/${p}"}
  - name: over the surface
    for_each_operation: {method: FETCH, objects_of: alcie}
    steps:
      - {as: bob, query: {page: "${iteration}"}}
"#;
    let found: Vec<String> = errors(text).iter().map(ToString::to_string).collect();
    let has = |line: u64, says: &str| {
        assert!(
            found
                .iter()
                .any(|e| e.starts_with(&format!("s.yaml:{line}:")) && e.contains(says)),
            "line {line} should say {says}: {found:#?}"
        );
    };
    has(5, "has no `path`");
    has(6, "give `values: [...]` or `payloads: sql`");
    has(
        7,
        "payloads `sqli` is neither a shipped list (sql, nosql, command, traversal, xss)",
    );
    has(8, "`repeat: 0`: from 1 to 1000");
    has(9, "did you mean `sensitive_fields`?");
    has(10, "`p` is neither a variable nor captured");
    has(12, "`FETCH` is not an HTTP method");
    has(
        12,
        "`objects_of: alcie` is no configured identity; did you mean `alice`?",
    );
    has(14, "`iteration` is neither a variable nor captured");
    // The surface-wide step without a path is fine: it sends the operation.
    assert!(
        !found
            .iter()
            .any(|e| e.contains("over the surface") && e.contains("no `path`"))
    );
}
