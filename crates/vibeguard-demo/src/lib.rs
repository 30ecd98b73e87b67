//! The built-in demo of `vibeguard demo`: a small task-board API written the way an assistant
//! writes one — its Express sources (embedded, written to a folder for the static engines) and a
//! running twin served on 127.0.0.1 ([`api`]), vulnerable or hardened.
//!
//! Its flaws are the predictable ones: caret, `latest` and `*` ranges with a stale lockfile, a
//! committed `.env` full of secrets, a `.gitignore` that only knows `node_modules`, no update
//! bot — and, for the engines that read code and test the running API, SQL built from strings,
//! MD5 password hashes, JWTs without expiry and decoded without verification, `CORS *`, handlers
//! returning whole user records and deleting without an ownership check.
//!
//! Files whose real names would act on vibeguard's own repository (`.env`, `.gitignore`) are
//! stored under other names and written back under their real ones.

#![deny(missing_docs)]

pub mod api;

use std::fs;
use std::io;
use std::path::Path;

/// One file of the demo project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoFile {
    /// Path inside the project, `/`-separated.
    pub path: &'static str,
    /// Its content.
    pub contents: &'static str,
}

macro_rules! demo_files {
    ($name:ident, $sources:ident, $folder:literal, $doc:literal, { $( $path:literal => $source:literal ),+ $(,)? }) => {
        #[doc = $doc]
        pub static $name: &[DemoFile] = &[
            $( DemoFile { path: $path, contents: include_str!(concat!("../", $folder, "/", $source)) } ),+
        ];

        /// The stored file names, for the test that keeps the list complete.
        #[cfg(test)]
        const $sources: &[&str] = &[$($source),+];
    };
}

macro_rules! advisory {
    ($id:literal) => {
        (
            concat!($id, ".json"),
            include_str!(concat!("../advisories/", $id, ".json")),
        )
    };
}

demo_files! { PROJECT, SOURCES, "project", "Every file of the demo project.", {
    ".env" => "env",
    ".gitignore" => "gitignore",
    "README.md" => "README.md",
    "openapi.yaml" => "openapi.yaml",
    "package.json" => "package.json",
    "package-lock.json" => "package-lock.json",
    "src/app.js" => "src/app.js",
    "src/db.js" => "src/db.js",
    "src/middleware/auth.js" => "src/middleware/auth.js",
    "src/models/user.js" => "src/models/user.js",
    "src/routes/auth.js" => "src/routes/auth.js",
    "src/routes/tasks.js" => "src/routes/tasks.js",
    "src/routes/users.js" => "src/routes/users.js",
}}

demo_files! { HARDENED_PROJECT, HARDENED_SOURCES, "project-hardened",
    "Every file of the hardened twin's project: the same routes with parameterised SQL, bcrypt, \
     verified JWTs with an expiry, helmet, a CORS allowlist, a login rate limit, ownership \
     checks, bounded uploads and bodies, exact pins with a lockfile in sync, Dependabot, and no \
     secret in the repository. `vibeguard demo --hardened` audits it and finds nothing.", {
    ".gitignore" => "gitignore",
    ".github/dependabot.yml" => "github/dependabot.yml",
    "README.md" => "README.md",
    "package.json" => "package.json",
    "package-lock.json" => "package-lock.json",
    "src/app.js" => "src/app.js",
    "src/db.js" => "src/db.js",
    "src/middleware/auth.js" => "src/middleware/auth.js",
    "src/models/user.js" => "src/models/user.js",
    "src/routes/auth.js" => "src/routes/auth.js",
    "src/routes/tasks.js" => "src/routes/tasks.js",
    "src/routes/users.js" => "src/routes/users.js",
}}

/// The API description both twins serve and both projects hold.
const DESCRIPTION: DemoFile = DemoFile {
    path: "openapi.yaml",
    contents: include_str!("../project/openapi.yaml"),
};

/// The demo's security scenarios (`.vibeguard/scenarios/access.yaml` in both projects): the
/// team's own requirements, which fail on the vulnerable server and pass on the hardened one.
const SCENARIOS: DemoFile = DemoFile {
    path: ".vibeguard/scenarios/access.yaml",
    contents: include_str!("../scenarios/access.yaml"),
};

/// The demo's surface-wide scenarios (`.vibeguard/scenarios/surface.yaml`): requirements over
/// every operation a filter selects.
const SURFACE_SCENARIOS: DemoFile = DemoFile {
    path: ".vibeguard/scenarios/surface.yaml",
    contents: include_str!("../scenarios/surface.yaml"),
};

/// Real advisories (GitHub Advisory Database, OSV format) for packages the demo's lockfile pins,
/// as `(file name, JSON)`: the demo imports them into a temporary advisory store so that its
/// dependency findings need no download. See `advisories/README.md` for their source.
pub static ADVISORIES: &[(&str, &str)] = &[
    advisory!("GHSA-29mw-wpgm-hmr9"),
    advisory!("GHSA-35jh-r3h4-6jhm"),
    advisory!("GHSA-9wv6-86v2-598j"),
    advisory!("GHSA-hrpp-h998-j3pp"),
    advisory!("GHSA-m6fv-jmcg-4jfg"),
    advisory!("GHSA-pxg6-pf52-xh8x"),
    advisory!("GHSA-qw6h-vgh9-j6wx"),
    advisory!("GHSA-qwcr-r2fm-qrc7"),
    advisory!("GHSA-rv95-896h-c2vc"),
];

/// Writes the demo project — the vulnerable one, or the hardened twin's — into `dir`, which
/// must exist and should be empty.
pub fn write_project(dir: &Path, hardened: bool) -> io::Result<()> {
    let files: Vec<&DemoFile> = if hardened {
        HARDENED_PROJECT
            .iter()
            .chain([&DESCRIPTION, &SCENARIOS, &SURFACE_SCENARIOS])
            .collect()
    } else {
        PROJECT
            .iter()
            .chain([&SCENARIOS, &SURFACE_SCENARIOS])
            .collect()
    };
    for file in files {
        let target = dir.join(file.path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&target, file.contents)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).expect("project folder") {
            let entry = entry.expect("entry");
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().expect("type").is_dir() {
                stored_files(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }

    #[test]
    fn every_stored_file_is_embedded() {
        for (folder, sources) in [("project", SOURCES), ("project-hardened", HARDENED_SOURCES)] {
            let mut stored = Vec::new();
            stored_files(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
                "",
                &mut stored,
            );
            stored.sort();
            let mut embedded: Vec<String> = sources.iter().map(|s| s.to_string()).collect();
            embedded.sort();
            assert_eq!(
                stored, embedded,
                "add new files of {folder}/ to demo_files! in lib.rs"
            );
        }
    }

    #[test]
    fn every_stored_advisory_is_embedded() {
        let mut stored: Vec<String> =
            fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("advisories"))
                .expect("advisories folder")
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".json"))
                .collect();
        stored.sort();
        let embedded: Vec<String> = ADVISORIES
            .iter()
            .map(|(name, _)| name.to_string())
            .collect();
        assert_eq!(
            stored, embedded,
            "add new advisories to ADVISORIES in lib.rs"
        );
        for (name, json) in ADVISORIES {
            let value: serde_json::Value = serde_json::from_str(json).expect(name);
            assert_eq!(
                value["id"]
                    .as_str()
                    .map(|id| format!("{id}.json"))
                    .as_deref(),
                Some(*name)
            );
        }
    }

    #[test]
    fn writes_the_project_with_real_dotfile_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_project(dir.path(), false).expect("writes");
        assert!(dir.path().join(".env").is_file());
        assert!(dir.path().join(".gitignore").is_file());
        assert!(dir.path().join("src/routes/users.js").is_file());
        assert!(!dir.path().join("env").exists());

        let hardened = tempfile::tempdir().expect("tempdir");
        write_project(hardened.path(), true).expect("writes");
        assert!(!hardened.path().join(".env").exists(), "no secrets file");
        assert!(hardened.path().join(".github/dependabot.yml").is_file());
        assert_eq!(
            fs::read_to_string(hardened.path().join("openapi.yaml")).expect("description"),
            crate::api::SPEC,
            "both twins hold the description their server serves"
        );
    }
}
