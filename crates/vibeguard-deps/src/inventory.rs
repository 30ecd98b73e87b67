//! What a project installs: every registry package at its exact version, whether it is a
//! direct or a transitive dependency, whether only development needs it, and the chain of
//! packages that pulls it in — plus, as [`InventoryGap`]s, everything whose installed version
//! cannot be known (no lockfile, unpinned requirement lines, an unreadable or binary lockfile),
//! so the advisory engine never calls those clean.
//!
//! Sources, per ecosystem: every lockfile (its graph, roots from the lockfile where it records
//! them and from the manifests it locks otherwise); fully pinned `requirements*.txt` files
//! (pip-compile's `# via` annotations give the chains); go.mod (the versions a Go build uses —
//! go.sum also lists versions that were considered and discarded); and exact pins of manifests
//! that have no lockfile (their transitive packages are a gap).

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::ecosystem::Ecosystem;
use crate::lockfiles::{Lockfile, LockfileFormat, Resolution};
use crate::manifests::{
    DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind,
};
use crate::project::ProjectModel;
use crate::versions::{npm, pep440};

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstalledPackage {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its registry name (for a distribution, the source package advisories name).
    pub name: String,
    /// For a distribution package, the release of the system it is installed on (`12`,
    /// `3.19.1`, `22.04`: `VERSION_ID` of `/etc/os-release`); `None` for a registry package.
    pub release: Option<String>,
    /// The exact version installed.
    pub version: String,
    /// The lockfile (or manifest) that pins it, relative to the project root.
    pub file: String,
    /// The line of that file that records it, when known.
    pub line: Option<u32>,
    /// Whether the project declares it itself.
    pub direct: bool,
    /// Whether only development (tests, builds, tooling) needs it.
    pub dev_only: bool,
    /// From the project's direct dependency down to this package (`name@version` each); just
    /// the package itself when direct, empty when the file does not record the graph.
    pub chain: Vec<String>,
}

/// Something installed whose version cannot be known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryGap {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The file concerned.
    pub file: String,
    /// What is unknown and why, in plain words.
    pub reason: String,
}

/// The project's installed packages and the gaps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// Every installed registry package, one entry per (file, name, version).
    pub packages: Vec<InstalledPackage>,
    /// What could not be inventoried.
    pub gaps: Vec<InventoryGap>,
    /// The files read.
    pub files: Vec<String>,
}

impl Inventory {
    /// The ecosystems with packages or gaps.
    pub fn ecosystems(&self) -> Vec<Ecosystem> {
        let mut ecosystems: Vec<Ecosystem> = self
            .packages
            .iter()
            .map(|p| p.ecosystem)
            .chain(self.gaps.iter().map(|g| g.ecosystem))
            .collect();
        ecosystems.sort();
        ecosystems.dedup();
        ecosystems
    }
}

/// Builds the inventory of a loaded project.
pub fn build(project: &ProjectModel<'_>) -> Inventory {
    let mut inventory = Inventory::default();
    for (path, format, parsed) in &project.lockfiles {
        let ecosystem = format.ecosystem();
        match (format, parsed) {
            // go.mod says which versions a build uses; go.sum only verifies them.
            (LockfileFormat::GoSum, _) => {}
            (LockfileFormat::BunLockb, _) => inventory.gaps.push(InventoryGap {
                ecosystem,
                file: path.clone(),
                reason: "bun.lockb is binary; run `bun install --save-text-lockfile` to write \
                         bun.lock, which vibeguard reads"
                    .into(),
            }),
            (_, None) => inventory.gaps.push(InventoryGap {
                ecosystem,
                file: path.clone(),
                reason: "the lockfile could not be read (see the errors), so its packages were \
                         not checked"
                    .into(),
            }),
            (_, Some(lockfile)) => {
                inventory.files.push(path.clone());
                let manifests = paired_manifests(project, path);
                inventory
                    .packages
                    .extend(from_lockfile(lockfile, ecosystem, &manifests));
            }
        }
    }
    for manifest in &project.manifests {
        match manifest.kind {
            ManifestKind::RequirementsTxt => from_requirements(manifest, &mut inventory),
            ManifestKind::GoMod => {
                inventory.files.push(manifest.path.clone());
                inventory.packages.extend(from_go_mod(manifest));
            }
            ManifestKind::RequirementsIn => {}
            _ if project.lockfiles_for(manifest).is_empty() => {
                from_unlocked_manifest(manifest, &mut inventory);
            }
            _ => {}
        }
    }
    // Manifests that failed to parse hold dependencies nobody checked (a manifest with
    // warnings was read and is in the model).
    for error in project.errors() {
        let Some(kind) = ManifestKind::detect(&error.source) else {
            continue;
        };
        let read = project.manifests.iter().any(|m| m.path == error.source);
        let known = inventory.gaps.iter().any(|gap| gap.file == error.source);
        if !read && !known {
            inventory.gaps.push(InventoryGap {
                ecosystem: kind.ecosystem(),
                file: error.source.clone(),
                reason: "the manifest could not be read (see the errors), so its dependencies \
                         were not checked"
                    .into(),
            });
        }
    }
    inventory.files.sort();
    inventory.files.dedup();
    inventory
}

/// The manifests a lockfile locks, with each one's folder relative to the lockfile.
fn paired_manifests<'a>(
    project: &'a ProjectModel<'_>,
    lockfile: &str,
) -> Vec<(&'a Manifest, String)> {
    project
        .manifests
        .iter()
        .flat_map(|manifest| {
            project
                .lockfiles_for(manifest)
                .into_iter()
                .filter(|candidate| candidate.path == lockfile)
                .map(move |candidate| (manifest, candidate.importer.to_string()))
        })
        .collect()
}

fn is_registry_declaration(dependency: &DeclaredDependency) -> bool {
    matches!(
        dependency.source,
        DependencySource::Registry | DependencySource::Alias { .. }
    )
}

/// Walks a lockfile's graph from its roots.
fn from_lockfile(
    lockfile: &Lockfile,
    ecosystem: Ecosystem,
    manifests: &[(&Manifest, String)],
) -> Vec<InstalledPackage> {
    let packages = &lockfile.packages;
    // A root's development flag: the lockfile's, else the manifest's declaration.
    let declared_dev = |name: &str| -> Option<bool> {
        let wanted = ecosystem.normalize_name(name);
        let kinds: Vec<DependencyKind> = manifests
            .iter()
            .flat_map(|(manifest, _)| manifest.dependencies.iter())
            .filter(|d| ecosystem.normalize_name(d.package_name()) == wanted)
            .map(|d| d.kind)
            .collect();
        if kinds.is_empty() {
            None
        } else {
            Some(
                kinds
                    .iter()
                    .all(|kind| *kind == DependencyKind::Development),
            )
        }
    };
    let mut roots: Vec<(usize, bool)> = match &lockfile.roots {
        Some(roots) => roots
            .iter()
            .map(|root| {
                let dev = root
                    .dev
                    .or_else(|| declared_dev(&packages[root.package].name))
                    .unwrap_or(false);
                (root.package, dev)
            })
            .collect(),
        None => Vec::new(),
    };
    if lockfile.roots.is_none() {
        for (manifest, importer) in manifests {
            for dependency in manifest
                .dependencies
                .iter()
                .filter(|d| is_registry_declaration(d))
            {
                let Resolution::Locked(version) = lockfile.resolve(importer, dependency) else {
                    continue;
                };
                let wanted = ecosystem.normalize_name(dependency.package_name());
                if let Some(index) = packages.iter().position(|p| {
                    p.version == version && ecosystem.normalize_name(&p.name) == wanted
                }) {
                    roots.push((index, dependency.kind == DependencyKind::Development));
                }
            }
        }
    }
    let is_root: Vec<bool> = {
        let mut flags = vec![false; packages.len()];
        for (index, _) in &roots {
            if let Some(flag) = flags.get_mut(*index) {
                *flag = true;
            }
        }
        flags
    };
    let walk = |dev: bool| -> Vec<Option<usize>> {
        // parent[i]: how i was first reached (itself for a root), breadth first so the chain
        // is a shortest one.
        let mut parent: Vec<Option<usize>> = vec![None; packages.len()];
        let mut queue = VecDeque::new();
        for &(index, root_dev) in &roots {
            if root_dev == dev && index < packages.len() && parent[index].is_none() {
                parent[index] = Some(index);
                queue.push_back(index);
            }
        }
        while let Some(current) = queue.pop_front() {
            for &next in &packages[current].dependencies {
                if next < packages.len() && parent[next].is_none() {
                    parent[next] = Some(current);
                    queue.push_back(next);
                }
            }
        }
        parent
    };
    let production = walk(false);
    let development = walk(true);
    let chain_of = |parents: &[Option<usize>], index: usize| -> Vec<String> {
        let mut chain = Vec::new();
        let mut current = index;
        // A chain is never longer than the package count; the bound guards a broken graph.
        for _ in 0..=packages.len() {
            let package = &packages[current];
            chain.push(format!("{}@{}", package.name, package.version));
            match parents[current] {
                Some(up) if up != current => current = up,
                _ => break,
            }
        }
        chain.reverse();
        chain
    };

    let mut out: BTreeMap<(String, String), InstalledPackage> = BTreeMap::new();
    for (index, package) in packages.iter().enumerate() {
        if !package.registry || package.version.is_empty() {
            continue;
        }
        let reached_production = production[index].is_some();
        let reached_development = development[index].is_some();
        let dev_only = package
            .dev
            .unwrap_or(!reached_production && reached_development);
        let chain = if reached_production {
            chain_of(&production, index)
        } else if reached_development {
            chain_of(&development, index)
        } else {
            Vec::new()
        };
        let entry = InstalledPackage {
            ecosystem,
            release: None,
            name: package.name.clone(),
            version: package.version.clone(),
            file: lockfile.path.clone(),
            line: package.line,
            direct: is_root[index],
            dev_only,
            chain,
        };
        merge(&mut out, entry);
    }
    out.into_values().collect()
}

/// One entry per (name, version): copies installed at several places merge, keeping the
/// strongest facts (direct if any copy is, production if any copy is, the shortest chain).
fn merge(out: &mut BTreeMap<(String, String), InstalledPackage>, entry: InstalledPackage) {
    let key = (entry.name.clone(), entry.version.clone());
    match out.get_mut(&key) {
        None => {
            out.insert(key, entry);
        }
        Some(existing) => {
            existing.direct |= entry.direct;
            existing.dev_only &= entry.dev_only;
            let shorter = !entry.chain.is_empty()
                && (existing.chain.is_empty() || entry.chain.len() < existing.chain.len());
            if shorter {
                existing.chain = entry.chain;
            }
            if existing.line.is_none() {
                existing.line = entry.line;
            }
        }
    }
}

/// A requirements file is its own lock when every line is pinned with `==`.
fn from_requirements(manifest: &Manifest, inventory: &mut Inventory) {
    let mut unpinned = Vec::new();
    let mut packages = Vec::new();
    for dependency in &manifest.dependencies {
        if dependency.source != DependencySource::Registry {
            continue;
        }
        let requirement = dependency.requirement.trim();
        let exact = pep440::is_exact(requirement) && !requirement.contains('*');
        let version = requirement
            .split(',')
            .map(str::trim)
            .find_map(|clause| {
                clause
                    .strip_prefix("===")
                    .or_else(|| clause.strip_prefix("=="))
            })
            .map(str::trim);
        match version {
            Some(version) if exact => packages.push((dependency, version.to_string())),
            _ => unpinned.push(dependency),
        }
    }
    if !unpinned.is_empty() {
        let names: Vec<String> = unpinned
            .iter()
            .take(5)
            .map(|d| {
                let line = d
                    .span
                    .map(|s| format!(" (line {})", s.start_line))
                    .unwrap_or_default();
                format!("`{}{}`{line}", d.name, d.requirement)
            })
            .collect();
        let more = unpinned.len().saturating_sub(5);
        inventory.gaps.push(InventoryGap {
            ecosystem: Ecosystem::PyPI,
            file: manifest.path.clone(),
            reason: format!(
                "{} requirement{} not pinned with `==`, so the installed version is unknown: {}{}",
                unpinned.len(),
                if unpinned.len() == 1 { " is" } else { "s are" },
                names.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        });
    }
    if packages.is_empty() {
        return;
    }
    inventory.files.push(manifest.path.clone());
    let dev_only = packages
        .first()
        .is_some_and(|(d, _)| d.kind == DependencyKind::Development);
    let versions: BTreeMap<String, String> = packages
        .iter()
        .map(|(d, version)| (pep440::normalize_name(&d.name), version.clone()))
        .collect();
    let via: BTreeMap<String, Vec<String>> = manifest
        .via
        .iter()
        .map(|(name, parents)| {
            (
                pep440::normalize_name(name),
                parents.iter().map(|p| pep440::normalize_name(p)).collect(),
            )
        })
        .collect();
    for (dependency, version) in packages {
        let name = pep440::normalize_name(&dependency.name);
        let direct = !via.contains_key(&name);
        let chain = via_chain(&name, &via)
            .into_iter()
            .map(|step| match versions.get(&step) {
                Some(version) => format!("{step}@{version}"),
                None => step,
            })
            .collect();
        inventory.packages.push(InstalledPackage {
            ecosystem: Ecosystem::PyPI,
            release: None,
            name: dependency.name.clone(),
            version,
            file: manifest.path.clone(),
            line: dependency.span.map(|s| s.start_line),
            direct,
            dev_only: dev_only || dependency.kind == DependencyKind::Development,
            chain,
        });
    }
}

/// The shortest chain of pip-compile annotations from a direct requirement to `name`.
fn via_chain(name: &str, via: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut parent: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([name.to_string()]);
    parent.insert(name.to_string(), name.to_string());
    while let Some(current) = queue.pop_front() {
        let Some(parents) = via.get(&current) else {
            // Not annotated as needed by another: a direct requirement.
            let mut chain = vec![current.clone()];
            let mut step = current;
            while let Some(down) = parent.get(&step).filter(|down| **down != step) {
                chain.push(down.clone());
                step = down.clone();
            }
            return chain;
        };
        for up in parents {
            if !parent.contains_key(up) {
                parent.insert(up.clone(), current.clone());
                queue.push_back(up.clone());
            }
        }
    }
    Vec::new()
}

/// go.mod: each requirement at its version, after `replace` directives.
fn from_go_mod(manifest: &Manifest) -> Vec<InstalledPackage> {
    let mut out = Vec::new();
    for dependency in &manifest.dependencies {
        let (module, version) = match manifest.replaced.get(&dependency.name) {
            Some(Some((module, version))) => (module.clone(), version.clone()),
            // Replaced by a local folder: not a published module.
            Some(None) => continue,
            None => (dependency.name.clone(), dependency.requirement.clone()),
        };
        let direct = !manifest.via.contains_key(&dependency.name);
        out.push(InstalledPackage {
            ecosystem: Ecosystem::Go,
            release: None,
            chain: if direct {
                vec![format!("{module}@{version}")]
            } else {
                Vec::new()
            },
            name: module,
            version,
            file: manifest.path.clone(),
            line: dependency.span.map(|s| s.start_line),
            direct,
            dev_only: false,
        });
    }
    out
}

/// A manifest with no lockfile: its exact pins are known, the rest is a gap.
fn from_unlocked_manifest(manifest: &Manifest, inventory: &mut Inventory) {
    let registry: Vec<&DeclaredDependency> = manifest
        .dependencies
        .iter()
        .filter(|d| is_registry_declaration(d))
        .collect();
    if registry.is_empty() {
        return;
    }
    let ecosystem = manifest.ecosystem();
    let mut pinned = 0;
    for dependency in &registry {
        let version = match manifest.kind.ecosystem() {
            Ecosystem::Npm if npm::is_exact(&dependency.requirement) => Some(
                dependency
                    .requirement
                    .trim()
                    .trim_start_matches('=')
                    .trim()
                    .trim_start_matches('v')
                    .to_string(),
            ),
            Ecosystem::PyPI if pep440::is_exact(&dependency.requirement) => dependency
                .requirement
                .trim()
                .strip_prefix("==")
                .map(|v| v.trim_start_matches('=').trim().to_string())
                .filter(|v| !v.contains('*') && !v.contains(',')),
            _ => None,
        };
        if let Some(version) = version {
            pinned += 1;
            inventory.packages.push(InstalledPackage {
                ecosystem,
                release: None,
                name: dependency.package_name().to_string(),
                chain: vec![format!("{}@{version}", dependency.package_name())],
                version,
                file: manifest.path.clone(),
                line: dependency.span.map(|s| s.start_line),
                direct: true,
                dev_only: dependency.kind == DependencyKind::Development,
            });
        }
    }
    if pinned > 0 {
        inventory.files.push(manifest.path.clone());
    }
    inventory.gaps.push(InventoryGap {
        ecosystem,
        file: manifest.path.clone(),
        reason: if pinned == registry.len() {
            "no lockfile: the direct dependencies are pinned and were checked, but the packages \
             they pull in are unknown"
                .into()
        } else {
            format!(
                "no lockfile: {} of {} declared dependencies are ranges and every transitive \
                 package is unknown",
                registry.len() - pinned,
                registry.len()
            )
        },
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn via_chains_climb_to_a_direct_requirement() {
        let via: BTreeMap<String, Vec<String>> = [
            ("jinja2".to_string(), vec!["flask".to_string()]),
            (
                "markupsafe".to_string(),
                vec!["jinja2".to_string(), "werkzeug".to_string()],
            ),
            ("werkzeug".to_string(), vec!["flask".to_string()]),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            via_chain("markupsafe", &via),
            vec!["flask", "jinja2", "markupsafe"]
        );
        assert_eq!(via_chain("flask", &via), vec!["flask"]);
        let cycle: BTreeMap<String, Vec<String>> = [
            ("a".to_string(), vec!["b".to_string()]),
            ("b".to_string(), vec!["a".to_string()]),
        ]
        .into_iter()
        .collect();
        assert_eq!(via_chain("a", &cycle), Vec::<String>::new());
    }
}
