//! Untrusted input must never make a parser panic, hang or balloon: every manifest and lockfile
//! fixture is mutated many ways (a seeded generator, so failures reproduce) and fed to its
//! parser and to the whole hygiene engine; pathological documents (alias bombs, deep nesting,
//! megabyte lines) must be refused or read without exhausting the stack or memory.

use std::fs;
use std::path::{Path, PathBuf};

use vibeguard_deps::hygiene;
use vibeguard_deps::lockfiles::LockfileFormat;
use vibeguard_deps::manifests::ManifestKind;
use vibeguard_project::{ProjectTree, WalkOptions};

/// A small deterministic generator (SplitMix64), so a failing case can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"'",
    b":",
    b",",
    b"\n",
    b"\\",
    b"\0",
    b"@",
    b"#",
    b"=",
    b"${",
    b"- ",
    b"  ",
    b"\xff\xfe",
    b"\xe2\x80\xae",
    b"*",
    b"&a",
    b"*a",
    b"!!",
    b"%",
];

fn mutate(original: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 => bytes.truncate(at),
            1 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = rng.next() as u8;
            }
            2 => {
                let token = INTERESTING[rng.below(INTERESTING.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            _ => {
                let end = (at + rng.below(256)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

fn parse_by_name(name: &str, text: &str) {
    if let Some(kind) = ManifestKind::detect(name) {
        let _ = kind.parse(name, text);
    }
    if let Some(format) = LockfileFormat::detect(name)
        && !format.is_binary()
    {
        let _ = format.parse(name, text);
    }
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            fixture_files(&path, out);
        } else {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if ManifestKind::detect(&name).is_some() || LockfileFormat::detect(&name).is_some() {
                out.push(path);
            }
        }
    }
}

#[test]
fn mutated_manifests_and_lockfiles_never_panic() {
    let mut files = Vec::new();
    fixture_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    files.sort();
    assert!(files.len() > 40, "only {} fixture files", files.len());
    let mut rng = Rng(0x005E_ED0F_1B3E_6A4D);
    let mut cases = 0;
    for file in &files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let original = fs::read(file).expect("read");
        for _ in 0..150 {
            let mutated = mutate(&original, &mut rng);
            parse_by_name(&name, &String::from_utf8_lossy(&mutated));
            cases += 1;
        }
    }
    assert!(cases > 6000);
}

#[test]
fn the_engine_survives_a_project_of_damaged_files() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-lockfiles");
    let mut files = Vec::new();
    fixture_files(&source, &mut files);
    let mut rng = Rng(42);
    for round in 0..20 {
        let temp = tempfile::tempdir().expect("tempdir");
        for (index, file) in files.iter().enumerate() {
            let name = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let dir = temp.path().join(format!("p{index}"));
            fs::create_dir_all(&dir).expect("mkdir");
            fs::write(
                dir.join(&name),
                mutate(&fs::read(file).expect("read"), &mut rng),
            )
            .expect("write");
        }
        let tree = ProjectTree::walk(temp.path(), &WalkOptions::default()).expect("walk");
        let output = hygiene::run(&tree, &|_| true);
        // The advisory engine reads the same damaged files: gaps and errors, no crash.
        let model = vibeguard_deps::project::ProjectModel::load(&tree);
        let empty = tempfile::tempdir().expect("tempdir");
        let advisories = vibeguard_deps::advisories::run(
            &model,
            &vibeguard_deps::osv::Store::new(empty.path()),
            &vibeguard_deps::advisories::AdvisoryOptions::default(),
            &|_| true,
        );
        assert!(advisories.output.findings.is_empty());
        // Damaged files become errors naming the file, not a crash.
        for error in &output.run.errors {
            assert!(error.source.starts_with('p'), "round {round}: {error}");
        }
    }
}

#[test]
fn pathological_documents_are_bounded() {
    // A YAML alias bomb (billion laughs) in a pnpm lockfile.
    let mut bomb = String::from("lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut previous = 'a';
    for letter in 'b'..='k' {
        bomb.push_str(&format!("{letter}: &{letter} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
        previous = letter;
    }
    let _ = LockfileFormat::PnpmLockYaml.parse("pnpm-lock.yaml", &bomb);
    // Deep nesting, in JSON and YAML.
    let deep_json = format!(
        "{{\"dependencies\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(
        ManifestKind::PackageJson
            .parse("package.json", &deep_json)
            .is_err()
    );
    let deep_yaml = format!("lockfileVersion: '9.0'\nimporters: {}", "[".repeat(100_000));
    assert!(
        LockfileFormat::PnpmLockYaml
            .parse("pnpm-lock.yaml", &deep_yaml)
            .is_err()
    );
    // One enormous line.
    let long_line = format!("flask=={}\n", "1".repeat(2_000_000));
    let _ = ManifestKind::RequirementsTxt.parse("requirements.txt", &long_line);
    let yarn = format!("\"{}@^1\":\n  version \"1\"\n", "a".repeat(2_000_000));
    let _ = LockfileFormat::YarnLock.parse("yarn.lock", &yarn);
}
