//! A source the analysis cannot follow never turns into a pass: request data read from a name
//! it could not tie to the framework's request object leaves the items of the flow rules
//! (INPUT-01, INPUT-02, INPUT-04) unverified, with the place named, instead of "nothing found".

use vibeguard_code::{CodeOptions, run};
use vibeguard_core::ChecklistId;
use vibeguard_project::{ProjectTree, WalkOptions};

fn not_vouched(files: &[(&str, &str)]) -> Vec<(String, Option<ChecklistId>, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
    let output = run(&tree, &|_| true, &CodeOptions::default()).output;
    output
        .run
        .not_applicable
        .iter()
        .filter(|na| ["VG101", "VG103"].contains(&na.code.as_ref()))
        .map(|na| (na.code.to_string(), na.item, na.reason.to_string()))
        .collect()
}

#[test]
fn a_request_read_from_an_unknown_name_leaves_input_items_unverified() {
    let unknown = not_vouched(&[(
        "app.py",
        "import sqlite3\nfrom webframework import *\n\ndb = sqlite3.connect('a.db')\n\n\n@route('/notes')\ndef notes():\n    q = request.args.get('q')\n    return db.execute(f\"SELECT * FROM notes WHERE t = '{q}'\").fetchall()\n",
    )]);
    let sql = unknown
        .iter()
        .find(|(code, _, _)| code == "VG101")
        .expect("VG101 does not vouch for INPUT-02");
    assert_eq!(sql.1, Some(ChecklistId::Input02));
    assert!(sql.2.contains("app.py:9"), "{}", sql.2);

    // The same read from Flask's request is followed (and found), and vouched for.
    let known = not_vouched(&[(
        "app.py",
        "import sqlite3\nfrom flask import *\n\ndb = sqlite3.connect('a.db')\n\n\n@app.route('/notes')\ndef notes():\n    q = request.args.get('q')\n    return db.execute('SELECT * FROM notes WHERE t = ?', (q,)).fetchall()\n",
    )]);
    assert!(known.is_empty(), "{known:?}");
}

fn password_rule_report(files: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).expect("write");
    }
    let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
    let output = run(&tree, &|_| true, &CodeOptions::default()).output;
    let report = output
        .run
        .not_applicable
        .iter()
        .find(|na| na.code == "VG112")
        .expect("VG112 reports");
    (report.subject_absent, report.reason.to_string())
}

#[test]
fn absence_is_claimed_only_of_a_web_app_the_engine_reads() {
    // A web app without password handling: AUTH-03 has nothing to judge.
    let (absent, reason) = password_rule_report(&[(
        "app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/health')\ndef health():\n    return 'ok'\n",
    )]);
    assert!(absent, "{reason}");
    // A helper script and no web app: the app (in another language, elsewhere) was not read.
    let (absent, reason) = password_rule_report(&[("tool.py", "print('hello')\n")]);
    assert!(!absent, "{reason}");
    assert!(reason.contains("no web app"), "{reason}");
}
