//! The inventory over lockfiles written by the real package managers (see
//! tests/fixtures/real-lockfiles/README.md): which packages are direct, which only development
//! needs, and the chain from a direct dependency down to each transitive one. The expectations
//! follow from the manifests and from the packages' published dependency lists, not from the
//! parsers' output: `express` needs `debug@2`, which needs `ms@2.0.0`; `jsonwebtoken` needs
//! `ms@^2.1`, so the dev dependency `ms@2.1.3` is also needed in production.

use std::path::{Path, PathBuf};

use vibeguard_deps::inventory::{self, InstalledPackage, Inventory};
use vibeguard_deps::project::ProjectModel;
use vibeguard_project::{ProjectTree, WalkOptions};

fn inventory_of(folder: &str) -> Inventory {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-lockfiles")
        .join(folder);
    let tree = ProjectTree::walk(&dir, &WalkOptions::default()).expect("walk");
    let project = ProjectModel::load(&tree);
    inventory::build(&project)
}

fn find<'a>(inventory: &'a Inventory, name: &str, version: &str) -> &'a InstalledPackage {
    inventory
        .packages
        .iter()
        .find(|package| package.name == name && package.version == version)
        .unwrap_or_else(|| {
            let listed: Vec<String> = inventory
                .packages
                .iter()
                .map(|package| format!("{}@{}", package.name, package.version))
                .collect();
            panic!("{name}@{version} not in the inventory: {listed:?}")
        })
}

fn chain_names(package: &InstalledPackage) -> Vec<&str> {
    package
        .chain
        .iter()
        .map(|step| {
            step.rsplit_once('@')
                .map_or(step.as_str(), |(name, _)| name)
        })
        .collect()
}

const NPM_FAMILY: &[&str] = &["npm", "pnpm", "yarn-classic", "yarn-berry", "bun"];

#[test]
fn npm_family_direct_production_dependencies_have_themselves_as_chain() {
    for folder in NPM_FAMILY {
        let inventory = inventory_of(folder);
        assert!(inventory.gaps.is_empty(), "{folder}: {:?}", inventory.gaps);
        let express = inventory
            .packages
            .iter()
            .find(|package| package.name == "express")
            .unwrap_or_else(|| panic!("{folder}: express missing"));
        assert!(express.direct, "{folder}: express is declared");
        assert!(!express.dev_only, "{folder}: express is production");
        assert_eq!(chain_names(express), ["express"], "{folder}");
    }
}

#[test]
fn npm_family_transitive_packages_are_traced_to_the_direct_dependency() {
    for folder in NPM_FAMILY {
        let inventory = inventory_of(folder);
        let old_ms = find(&inventory, "ms", "2.0.0");
        assert!(!old_ms.direct, "{folder}: ms@2.0.0 is only pulled in");
        assert!(!old_ms.dev_only, "{folder}: express needs it in production");
        assert_eq!(
            chain_names(old_ms),
            ["express", "debug", "ms"],
            "{folder}: {:?}",
            old_ms.chain
        );
        let content_type = inventory
            .packages
            .iter()
            .find(|package| package.name == "content-type")
            .unwrap_or_else(|| panic!("{folder}: content-type missing"));
        assert_eq!(
            chain_names(content_type).first(),
            Some(&"express"),
            "{folder}"
        );
    }
}

#[test]
fn npm_family_dev_dependency_also_needed_in_production_is_not_dev_only() {
    for folder in NPM_FAMILY {
        let inventory = inventory_of(folder);
        let ms = find(&inventory, "ms", "2.1.3");
        assert!(ms.direct, "{folder}: ms is a declared dev dependency");
        assert!(
            !ms.dev_only,
            "{folder}: jsonwebtoken needs ms@^2.1 in production"
        );
    }
}

#[test]
fn npm_family_aliases_are_inventoried_under_the_registry_name() {
    for folder in NPM_FAMILY {
        let inventory = inventory_of(folder);
        assert!(
            inventory
                .packages
                .iter()
                .all(|package| package.name != "lodash4"),
            "{folder}: the alias is not a registry package"
        );
        let lodash = inventory
            .packages
            .iter()
            .find(|package| package.name == "lodash")
            .unwrap_or_else(|| panic!("{folder}: lodash missing"));
        assert!(lodash.direct, "{folder}: declared through the alias");
        assert!(
            lodash.version.starts_with("4."),
            "{folder}: {}",
            lodash.version
        );
    }
}

#[test]
fn npm_workspace_members_dependencies_are_direct() {
    let inventory = inventory_of("npm-workspaces");
    assert!(!inventory.packages.is_empty());
    let direct: Vec<&InstalledPackage> = inventory
        .packages
        .iter()
        .filter(|package| package.direct)
        .collect();
    assert!(!direct.is_empty(), "members declare dependencies");
    // Workspace members themselves are links to folders, never registry packages.
    for package in &inventory.packages {
        assert!(
            !package.version.is_empty(),
            "{}: a registry package has a version",
            package.name
        );
    }
    // Every transitive package is reachable from a direct one.
    for package in inventory.packages.iter().filter(|package| !package.direct) {
        let first = package.chain.first().expect("chain recorded");
        let head = first
            .rsplit_once('@')
            .map_or(first.as_str(), |(name, _)| name);
        assert!(
            direct.iter().any(|root| root.name == head),
            "{}: chain {:?} starts at a direct dependency",
            package.name,
            package.chain
        );
    }
}

#[test]
fn uv_groups_and_transitive_chains() {
    let inventory = inventory_of("uv");
    assert!(inventory.gaps.is_empty(), "{:?}", inventory.gaps);
    let flask = inventory
        .packages
        .iter()
        .find(|package| package.name.eq_ignore_ascii_case("flask"))
        .expect("flask");
    assert!(flask.direct && !flask.dev_only);
    let pytest = inventory
        .packages
        .iter()
        .find(|package| package.name == "pytest")
        .expect("pytest");
    assert!(pytest.direct, "declared in the dev group");
    assert!(pytest.dev_only, "only the dev group needs it");
    let werkzeug = inventory
        .packages
        .iter()
        .find(|package| package.name.eq_ignore_ascii_case("werkzeug"))
        .expect("werkzeug");
    assert!(!werkzeug.direct);
    assert!(!werkzeug.dev_only, "Flask needs it");
    assert_eq!(
        chain_names(werkzeug)
            .iter()
            .map(|name| name.to_ascii_lowercase())
            .collect::<Vec<_>>(),
        ["flask", "werkzeug"]
    );
    let pluggy = inventory
        .packages
        .iter()
        .find(|package| package.name == "pluggy")
        .expect("pluggy comes with pytest");
    assert!(pluggy.dev_only, "only pytest needs it");
}
