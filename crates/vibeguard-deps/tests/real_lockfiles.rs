//! Lockfiles written by the real package managers (see tests/fixtures/real-lockfiles/README.md):
//! every direct dependency must resolve to the version the tool locked, inside its range; the
//! projects are in sync; and a range changed afterwards in the manifest is caught.

use std::fs;
use std::path::{Path, PathBuf};

use vibeguard_deps::hygiene;
use vibeguard_deps::lockfiles::{LockfileFormat, Resolution};
use vibeguard_deps::manifests::{DependencySource, ManifestKind};
use vibeguard_deps::versions;
use vibeguard_project::{ProjectTree, WalkOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-lockfiles")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// One generated project.
struct Project {
    folder: &'static str,
    manifest: &'static str,
    lockfile: &'static str,
    /// The tool locked at least this many packages.
    min_packages: usize,
    /// A package the tool locked, and its version.
    known: (&'static str, &'static str),
}

const fn project(
    folder: &'static str,
    manifest: &'static str,
    lockfile: &'static str,
    min_packages: usize,
    known: (&'static str, &'static str),
) -> Project {
    Project {
        folder,
        manifest,
        lockfile,
        min_packages,
        known,
    }
}

const PROJECTS: &[Project] = &[
    project(
        "npm",
        "package.json",
        "package-lock.json",
        60,
        ("@types/node", "20.11.30"),
    ),
    project(
        "pnpm",
        "package.json",
        "pnpm-lock.yaml",
        60,
        ("@types/node", "20.11.30"),
    ),
    project(
        "yarn-classic",
        "package.json",
        "yarn.lock",
        60,
        ("@types/node", "20.11.30"),
    ),
    project(
        "yarn-berry",
        "package.json",
        "yarn.lock",
        60,
        ("@types/node", "20.11.30"),
    ),
    project(
        "bun",
        "package.json",
        "bun.lock",
        60,
        ("@types/node", "20.11.30"),
    ),
    project("uv", "pyproject.toml", "uv.lock", 15, ("blinker", "1.9.0")),
];

#[test]
fn direct_dependencies_resolve_to_versions_inside_their_ranges() {
    for Project {
        folder,
        manifest: manifest_name,
        lockfile: lock_name,
        min_packages,
        known: (known, known_version),
    } in PROJECTS
    {
        let dir = fixture(folder);
        let manifest_text = fs::read_to_string(dir.join(manifest_name)).expect("manifest");
        let lock_text = fs::read_to_string(dir.join(lock_name)).expect("lockfile");
        let manifest = ManifestKind::detect(manifest_name)
            .expect("manifest kind")
            .parse(manifest_name, &manifest_text)
            .expect("the manifest parses");
        let lockfile = LockfileFormat::detect(lock_name)
            .expect("lockfile format")
            .parse(lock_name, &lock_text)
            .unwrap_or_else(|e| panic!("{folder}: {e}"));
        assert!(
            lockfile.packages.len() >= *min_packages,
            "{folder}: {} packages",
            lockfile.packages.len()
        );
        assert!(
            lockfile
                .packages
                .iter()
                .any(|p| p.name == *known && p.version == *known_version),
            "{folder}: {known}@{known_version} not among the locked packages"
        );
        let mut checked = 0;
        for dependency in &manifest.dependencies {
            if !matches!(
                dependency.source,
                DependencySource::Registry | DependencySource::Alias { .. }
            ) {
                continue;
            }
            match lockfile.resolve("", dependency) {
                Resolution::Locked(version) => {
                    assert_eq!(
                        versions::satisfies(dependency.syntax, &dependency.requirement, &version),
                        Some(true),
                        "{folder}: {} {} locked at {version}",
                        dependency.name,
                        dependency.requirement
                    );
                    checked += 1;
                }
                other => panic!("{folder}: {} resolves to {other:?}", dependency.name),
            }
        }
        assert!(
            checked >= 3,
            "{folder}: only {checked} dependencies checked"
        );
    }
}

fn out_of_sync(dir: &Path) -> Vec<String> {
    let tree = ProjectTree::walk(dir, &WalkOptions::default()).expect("walk");
    let output = hygiene::run(&tree, &|code| code == "VG303" || code == "VG301");
    assert!(output.run.errors.is_empty(), "{:?}", output.run.errors);
    assert!(output.run.rules_applied.iter().any(|code| code == "VG303"));
    output
        .findings
        .into_iter()
        .map(|f| format!("{} {}", f.code, f.message))
        .collect()
}

#[test]
fn the_real_projects_are_in_sync_and_a_changed_range_is_caught() {
    let workspace_member = project(
        "npm-workspaces",
        "packages/api/package.json",
        "package-lock.json",
        0,
        ("", ""),
    );
    for Project {
        folder,
        manifest: manifest_name,
        ..
    } in PROJECTS.iter().chain([&workspace_member])
    {
        let temp = tempfile::tempdir().expect("tempdir");
        copy_dir(&fixture(folder), temp.path());
        assert_eq!(
            out_of_sync(temp.path()),
            Vec::<String>::new(),
            "{folder} is in sync"
        );

        let manifest = temp.path().join(manifest_name);
        let text = fs::read_to_string(&manifest).expect("manifest");
        let (from, to, name) = if manifest_name.ends_with(".toml") {
            ("Flask>=3.0,<4", "Flask>=4", "Flask")
        } else {
            (
                "\"express\": \"^4.18.2\"",
                "\"express\": \"^5.0.0\"",
                "express",
            )
        };
        assert!(text.contains(from), "{folder}: fixture changed");
        fs::write(&manifest, text.replace(from, to)).expect("write");
        let found = out_of_sync(temp.path());
        assert_eq!(found.len(), 1, "{folder}: {found:?}");
        assert!(found[0].contains(name), "{folder}: {found:?}");
    }
}

#[test]
fn npm_workspace_members_resolve_through_nested_and_hoisted_node_modules() {
    let dir = fixture("npm-workspaces");
    let lock_text = fs::read_to_string(dir.join("package-lock.json")).expect("lockfile");
    let lockfile = LockfileFormat::PackageLockJson
        .parse("package-lock.json", &lock_text)
        .expect("parses");
    let web_text = fs::read_to_string(dir.join("packages/web/package.json")).expect("manifest");
    let web = ManifestKind::PackageJson
        .parse("packages/web/package.json", &web_text)
        .expect("parses");
    let ms = web
        .dependencies
        .iter()
        .find(|d| d.name == "ms")
        .expect("ms");
    // web pins ms 2.0.0, which npm installs nested under packages/web; the root has ms 2.1.3.
    assert_eq!(
        lockfile.resolve("packages/web", ms),
        Resolution::Locked("2.0.0".into())
    );
    let api_text = fs::read_to_string(dir.join("packages/api/package.json")).expect("manifest");
    let api = ManifestKind::PackageJson
        .parse("packages/api/package.json", &api_text)
        .expect("parses");
    let express = api
        .dependencies
        .iter()
        .find(|d| d.name == "express")
        .expect("express");
    assert!(matches!(
        lockfile.resolve("packages/api", express),
        Resolution::Locked(_)
    ));
}
