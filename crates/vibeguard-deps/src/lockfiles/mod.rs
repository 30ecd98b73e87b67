//! What a project locked: one parser per lockfile format.
//!
//! Each format parses into a [`Lockfile`]: the locked packages, plus what the format needs to
//! answer the one question the hygiene engine asks — "which version does this manifest's direct
//! dependency resolve to?" — the way its package manager answers it (node_modules lookup for
//! package-lock, descriptor keys for yarn, importers for pnpm, names for Python and Ruby).
//!
//! For the advisory engine each format also records what it knows of the dependency graph:
//! each package's dependencies (as indices into [`Lockfile::packages`]), whether the format
//! marks it as development-only, where it came from, the line that records it, and — where the
//! format records them — the roots (the project's own direct dependencies). The inventory
//! (`crate::inventory`) turns that into direct/transitive, dev/production and the chain of
//! packages that pulls each one in.

pub mod bun_lock;
pub mod cargo_lock;
pub mod composer_lock;
pub mod gemfile_lock;
pub mod go_sum;
pub mod package_lock_json;
pub mod pdm_lock;
pub mod pipfile_lock;
pub mod pnpm_lock_yaml;
pub mod poetry_lock;
pub mod uv_lock;
pub mod yarn_lock;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ParseError;
use crate::ecosystem::Ecosystem;
use crate::manifests::{DeclaredDependency, ManifestKind};
use crate::versions::{self, pep440};

/// The lockfile formats vibeguard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockfileFormat {
    /// `package-lock.json` or `npm-shrinkwrap.json` (lockfileVersion 1, 2, 3).
    PackageLockJson,
    /// `yarn.lock`, classic (v1) or Berry.
    YarnLock,
    /// `pnpm-lock.yaml` (v5, v6, v9).
    PnpmLockYaml,
    /// `bun.lock` (text, JSON with trailing commas).
    BunLock,
    /// `bun.lockb` (binary; presence only).
    BunLockb,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `pdm.lock`.
    PdmLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `Cargo.lock`.
    CargoLock,
    /// `go.sum`.
    GoSum,
    /// `Gemfile.lock`.
    GemfileLock,
    /// `composer.lock`.
    ComposerLock,
}

impl LockfileFormat {
    /// The lockfile format of a file, from its name.
    pub fn detect(path: &str) -> Option<LockfileFormat> {
        let name = path.rsplit('/').next().unwrap_or(path);
        Some(match name {
            "package-lock.json" | "npm-shrinkwrap.json" => LockfileFormat::PackageLockJson,
            "yarn.lock" => LockfileFormat::YarnLock,
            "pnpm-lock.yaml" => LockfileFormat::PnpmLockYaml,
            "bun.lock" => LockfileFormat::BunLock,
            "bun.lockb" => LockfileFormat::BunLockb,
            "poetry.lock" => LockfileFormat::PoetryLock,
            "uv.lock" => LockfileFormat::UvLock,
            "pdm.lock" => LockfileFormat::PdmLock,
            "Pipfile.lock" => LockfileFormat::PipfileLock,
            "Cargo.lock" => LockfileFormat::CargoLock,
            "go.sum" => LockfileFormat::GoSum,
            "Gemfile.lock" | "gems.locked" => LockfileFormat::GemfileLock,
            "composer.lock" => LockfileFormat::ComposerLock,
            _ => return None,
        })
    }

    /// Its ecosystem.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            LockfileFormat::PackageLockJson
            | LockfileFormat::YarnLock
            | LockfileFormat::PnpmLockYaml
            | LockfileFormat::BunLock
            | LockfileFormat::BunLockb => Ecosystem::Npm,
            LockfileFormat::PoetryLock
            | LockfileFormat::UvLock
            | LockfileFormat::PdmLock
            | LockfileFormat::PipfileLock => Ecosystem::PyPI,
            LockfileFormat::CargoLock => Ecosystem::CratesIo,
            LockfileFormat::GoSum => Ecosystem::Go,
            LockfileFormat::GemfileLock => Ecosystem::RubyGems,
            LockfileFormat::ComposerLock => Ecosystem::Packagist,
        }
    }

    /// Whether this lockfile locks manifests of `kind`.
    pub fn locks(self, kind: ManifestKind) -> bool {
        match self {
            LockfileFormat::PipfileLock => kind == ManifestKind::Pipfile,
            LockfileFormat::PoetryLock | LockfileFormat::UvLock | LockfileFormat::PdmLock => {
                kind == ManifestKind::PyprojectToml
            }
            other => {
                other.ecosystem() == kind.ecosystem()
                    && !matches!(
                        kind,
                        ManifestKind::RequirementsTxt | ManifestKind::RequirementsIn
                    )
            }
        }
    }

    /// Parses a lockfile of this format. `bun.lockb` is binary and is only recorded as present.
    pub fn parse(self, path: &str, text: &str) -> Result<Lockfile, ParseError> {
        match self {
            LockfileFormat::PackageLockJson => package_lock_json::parse(path, text),
            LockfileFormat::YarnLock => yarn_lock::parse(path, text),
            LockfileFormat::PnpmLockYaml => pnpm_lock_yaml::parse(path, text),
            LockfileFormat::BunLock => bun_lock::parse(path, text),
            LockfileFormat::BunLockb => Ok(Lockfile::new(path, self, Resolver::Opaque)),
            LockfileFormat::PoetryLock => poetry_lock::parse(path, text),
            LockfileFormat::UvLock => uv_lock::parse(path, text),
            LockfileFormat::PdmLock => pdm_lock::parse(path, text),
            LockfileFormat::PipfileLock => pipfile_lock::parse(path, text),
            LockfileFormat::CargoLock => cargo_lock::parse(path, text),
            LockfileFormat::GoSum => go_sum::parse(path, text),
            LockfileFormat::GemfileLock => gemfile_lock::parse(path, text),
            LockfileFormat::ComposerLock => composer_lock::parse(path, text),
        }
    }

    /// Whether the file is binary and must not be read as text.
    pub fn is_binary(self) -> bool {
        self == LockfileFormat::BunLockb
    }
}

/// One locked package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockedPackage {
    /// Package name.
    pub name: String,
    /// Exact locked version (as the format writes it).
    pub version: String,
    /// What the format says about its scope: `Some(true)` only needed to develop,
    /// `Some(false)` needed in production, `None` when the format does not record it.
    pub dev: Option<bool>,
    /// Whether it comes from the ecosystem's registry (not a git checkout, a URL, a local
    /// folder or a workspace member): only registry packages have advisories.
    pub registry: bool,
    /// The packages it depends on, as indices into [`Lockfile::packages`].
    pub dependencies: Vec<usize>,
    /// The 1-based line of the lockfile that records it, when known.
    pub line: Option<u32>,
}

impl LockedPackage {
    /// A registry package with nothing else known yet.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> LockedPackage {
        LockedPackage {
            name: name.into(),
            version: version.into(),
            dev: None,
            registry: true,
            dependencies: Vec::new(),
            line: None,
        }
    }

    /// Sets the development flag.
    pub fn dev(mut self, dev: Option<bool>) -> LockedPackage {
        self.dev = dev;
        self
    }

    /// Sets the recorded line.
    pub fn at_line(mut self, line: Option<u32>) -> LockedPackage {
        self.line = line;
        self
    }

    /// Marks it as not from the registry.
    pub fn not_registry(mut self) -> LockedPackage {
        self.registry = false;
        self
    }
}

/// A direct dependency of the project, as the lockfile records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockRoot {
    /// The package, as an index into [`Lockfile::packages`].
    pub package: usize,
    /// Whether it is declared as a development dependency; `None` when the lockfile does not
    /// say (the manifest does).
    pub dev: Option<bool>,
}

/// How a direct dependency resolves in a lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Locked at this version.
    Locked(String),
    /// Locked, but the lockfile records what the manifest asked for and it has changed since
    /// (e.g. pnpm's `specifier`, yarn's descriptor key).
    Stale {
        /// What the lockfile says was requested.
        locked_requirement: String,
    },
    /// Not in the lockfile at all.
    Missing,
    /// The format cannot tell (binary lockfile, linked workspace package).
    Unknown,
}

/// Format-specific data used to resolve direct dependencies.
#[derive(Debug, Clone)]
pub enum Resolver {
    /// Look the package up by (normalized) name among the locked packages.
    ByName {
        /// Whether names compare PEP 503-normalized.
        python_names: bool,
    },
    /// package-lock.json: node's module resolution over `packages` keys, or v1's flat map.
    NodeModules(package_lock_json::NodeModules),
    /// yarn.lock: descriptor (`name@range`) to version.
    Descriptors(yarn_lock::Descriptors),
    /// pnpm-lock.yaml and bun.lock: importer folder → name → (requested spec, version).
    Importers(BTreeMap<String, BTreeMap<String, ImporterEntry>>),
    /// go.sum: `module version` pairs.
    ModuleVersions(go_sum::ModuleVersions),
    /// Gemfile.lock: the DEPENDENCIES section (direct gems) plus specs by name.
    Bundler(gemfile_lock::Dependencies),
    /// Nothing readable (binary lockfile).
    Opaque,
}

/// What an importer (workspace package) of pnpm or bun requested and got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImporterEntry {
    /// The spec recorded when locking (`^4.18.2`), when the format records it.
    pub specifier: Option<String>,
    /// The resolved version, when it is a registry version.
    pub version: Option<String>,
}

/// A parsed lockfile.
#[derive(Debug, Clone)]
pub struct Lockfile {
    /// Path relative to the project root.
    pub path: String,
    /// Its format.
    pub format: LockfileFormat,
    /// Every locked package.
    pub packages: Vec<LockedPackage>,
    /// How direct dependencies resolve.
    pub resolver: Resolver,
    /// The project's direct dependencies, when the format records them (package-lock v2/v3,
    /// pnpm importers, bun workspaces, uv project members, Cargo workspace members, Gemfile.lock
    /// DEPENDENCIES). `None`: the manifests tell.
    pub roots: Option<Vec<LockRoot>>,
}

impl Lockfile {
    /// An empty lockfile.
    pub fn new(path: &str, format: LockfileFormat, resolver: Resolver) -> Lockfile {
        Lockfile {
            path: path.to_string(),
            format,
            packages: Vec::new(),
            resolver,
            roots: None,
        }
    }

    /// The index of the package `name` at `version`, if locked.
    pub fn index_of(&self, name: &str, version: &str) -> Option<usize> {
        self.packages
            .iter()
            .position(|package| package.name == name && package.version == version)
    }

    /// The folder holding it, relative to the project root.
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// How `dependency`, declared by the manifest in `importer` (its folder relative to this
    /// lockfile's folder, `""` for the same folder), resolves here.
    pub fn resolve(&self, importer: &str, dependency: &DeclaredDependency) -> Resolution {
        let name = dependency.package_name();
        match &self.resolver {
            Resolver::ByName { python_names } => self.by_name(name, *python_names, dependency),
            Resolver::NodeModules(modules) => modules.resolve(importer, &dependency.name),
            Resolver::Descriptors(descriptors) => descriptors.resolve(dependency),
            Resolver::Importers(importers) => {
                let Some(entry) = importers
                    .get(importer)
                    .and_then(|deps| deps.get(&dependency.name))
                else {
                    return Resolution::Missing;
                };
                match (&entry.specifier, &entry.version) {
                    (Some(specifier), _) if specifier.trim() != dependency_spec(dependency) => {
                        Resolution::Stale {
                            locked_requirement: specifier.clone(),
                        }
                    }
                    (_, Some(version)) => Resolution::Locked(version.clone()),
                    (_, None) => Resolution::Unknown,
                }
            }
            Resolver::ModuleVersions(modules) => modules.resolve(name, &dependency.requirement),
            Resolver::Bundler(dependencies) => {
                if !dependencies.direct.contains(name) {
                    return Resolution::Missing;
                }
                self.by_name(name, false, dependency)
            }
            Resolver::Opaque => Resolution::Unknown,
        }
    }

    /// Finds a package by name; with several versions locked, prefers one satisfying the
    /// requirement (Cargo and Python lockfiles can hold several).
    fn by_name(
        &self,
        name: &str,
        python_names: bool,
        dependency: &DeclaredDependency,
    ) -> Resolution {
        let wanted = if python_names {
            pep440::normalize_name(name)
        } else {
            name.to_string()
        };
        let candidates: Vec<&LockedPackage> = self
            .packages
            .iter()
            .filter(|package| {
                if python_names {
                    pep440::normalize_name(&package.name) == wanted
                } else {
                    package.name == wanted
                }
            })
            .collect();
        let satisfying = candidates.iter().find(|package| {
            versions::satisfies(dependency.syntax, &dependency.requirement, &package.version)
                == Some(true)
        });
        match satisfying.or(candidates.first()) {
            Some(package) => Resolution::Locked(package.version.clone()),
            None => Resolution::Missing,
        }
    }
}

/// The spec as the manifest wrote it, for comparison with a lockfile's record of it. For npm
/// aliases the lockfiles record the whole `npm:real@range` spec.
fn dependency_spec(dependency: &DeclaredDependency) -> String {
    match &dependency.source {
        crate::manifests::DependencySource::Alias { package } => {
            format!("npm:{package}@{}", dependency.requirement)
        }
        _ => dependency.requirement.trim().to_string(),
    }
}

/// Reads a scalar of a YAML/JSON document as text (YAML may type `1.0` as a number).
pub(crate) fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The line of each `[[package]]` table's `name = "…"` in a TOML lockfile (poetry, uv, pdm,
/// Cargo), in table order: the tables parse in file order, so the n-th entry is the n-th
/// package.
pub(crate) fn toml_package_lines(text: &str) -> Vec<u32> {
    let mut lines = Vec::new();
    let mut in_package = false;
    let mut pending = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            if pending {
                lines.push(0);
            }
            in_package = line == "[[package]]";
            pending = in_package;
            continue;
        }
        if in_package
            && pending
            && line.starts_with("name")
            && line[4..].trim_start().starts_with('=')
        {
            lines.push(u32::try_from(index + 1).unwrap_or(u32::MAX));
            pending = false;
        }
    }
    if pending {
        lines.push(0);
    }
    lines
}

/// Finds lines by content, moving forward through the file: lockfiles list packages in order,
/// so each search starts where the previous one stopped.
#[derive(Debug)]
pub(crate) struct LineCursor<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> LineCursor<'a> {
    pub(crate) fn new(text: &'a str) -> LineCursor<'a> {
        LineCursor {
            lines: text.lines().collect(),
            next: 0,
        }
    }

    /// The 1-based number of the next line containing `needle`; the cursor moves past it.
    /// When there is none ahead, the search restarts from the top once.
    pub(crate) fn find(&mut self, needle: &str) -> Option<u32> {
        let found = (self.next..self.lines.len())
            .chain(0..self.next)
            .find(|&index| self.lines[index].contains(needle))?;
        self.next = found + 1;
        u32::try_from(found + 1).ok()
    }

    /// The next line that is a YAML mapping key `key:` (optionally quoted), as pnpm and yarn
    /// write package entries.
    pub(crate) fn find_key(&mut self, key: &str) -> Option<u32> {
        let is_key = |line: &str| {
            let line = line.trim_start();
            let unquoted = line
                .strip_prefix('\'')
                .or_else(|| line.strip_prefix('"'))
                .unwrap_or(line);
            unquoted.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.trim_start_matches(['\'', '"']);
                rest.starts_with(':')
            })
        };
        let found = (self.next..self.lines.len())
            .chain(0..self.next)
            .find(|&index| is_key(self.lines[index]))?;
        self.next = found + 1;
        u32::try_from(found + 1).ok()
    }
}

/// Turns names into indices when each name is locked once or the version is known: the
/// dependency references of the TOML and by-name formats.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    by_name: BTreeMap<String, Vec<usize>>,
}

impl NameIndex {
    /// Indexes `packages` by `normalize(name)`.
    pub(crate) fn new(packages: &[LockedPackage], normalize: fn(&str) -> String) -> NameIndex {
        let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, package) in packages.iter().enumerate() {
            by_name
                .entry(normalize(&package.name))
                .or_default()
                .push(index);
        }
        NameIndex { by_name }
    }

    /// The package `name` (normalized by the caller), at `version` when given; with several
    /// versions locked and none given, the first.
    pub(crate) fn find(
        &self,
        packages: &[LockedPackage],
        name: &str,
        version: Option<&str>,
    ) -> Option<usize> {
        let candidates = self.by_name.get(name)?;
        match version {
            Some(version) => candidates
                .iter()
                .copied()
                .find(|&index| packages[index].version == version)
                .or_else(|| candidates.first().copied()),
            None => candidates.first().copied(),
        }
    }
}

/// Identity for names that compare exactly.
pub(crate) fn exact_name(name: &str) -> String {
    name.to_string()
}

/// PEP 503 names, for Python lockfiles.
pub(crate) fn python_name(name: &str) -> String {
    pep440::normalize_name(name)
}
