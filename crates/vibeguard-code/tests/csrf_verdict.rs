//! VG129 says "no cookie session" only of the frameworks it reads: a Next.js app's sessions are
//! not judged, so its CSRF verdict is "not tested", never "nothing to judge".

use vibeguard_code::{CodeOptions, run};
use vibeguard_project::{ProjectTree, WalkOptions};

fn csrf_gap(files: &[(&str, &str)]) -> Option<(String, bool)> {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("folders");
        std::fs::write(full, text).expect("write");
    }
    let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
    let output = run(&tree, &|code| code == "VG129", &CodeOptions::default());
    output
        .output
        .run
        .not_applicable
        .iter()
        .find(|gap| gap.code == "VG129")
        .map(|gap| (gap.reason.to_string(), gap.subject_absent))
}

#[test]
fn an_unjudged_framework_leaves_csrf_not_tested_and_a_token_api_has_no_subject() {
    let next = csrf_gap(&[(
        "pages/api/account/email.js",
        "import { getIronSession } from 'iron-session';\nexport default async function handler(req, res) {\n  const session = await getIronSession(req, res, { password: process.env.S, cookieName: 'sid' });\n  if (req.method === 'POST') { res.json({ ok: true }); }\n}\n",
    )]);
    let (reason, absent) = next.expect("VG129 names the gap");
    assert!(!absent, "{reason}");
    assert!(reason.contains("Next.js"), "{reason}");

    let express_jwt = csrf_gap(&[(
        "server.js",
        "const express = require('express');\nconst app = express();\napp.post('/api/notes', (req, res) => res.json({}));\n",
    )]);
    let (_, absent) = express_jwt.expect("VG129 has nothing to judge");
    assert!(
        absent,
        "an Express API without cookie sessions has no CSRF subject"
    );
}
