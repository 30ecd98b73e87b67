//! What a project locked: one parser per lockfile format.
//!
//! Each format parses into a [`Lockfile`]: the locked packages, plus what the format needs to
//! answer the one question the hygiene engine asks — "which version does this manifest's direct
//! dependency resolve to?" — the way its package manager answers it (node_modules lookup for
//! package-lock, descriptor keys for yarn, importers for pnpm, names for Python and Ruby).

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
}

impl Lockfile {
    /// An empty lockfile.
    pub fn new(path: &str, format: LockfileFormat, resolver: Resolver) -> Lockfile {
        Lockfile {
            path: path.to_string(),
            format,
            packages: Vec::new(),
            resolver,
        }
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

/// Reads the `[[package]]` name/version array shared by poetry.lock, uv.lock and pdm.lock.
pub(crate) fn toml_package_list(
    path: &str,
    text: &str,
    format: LockfileFormat,
) -> Result<Lockfile, ParseError> {
    #[derive(serde::Deserialize)]
    struct Document {
        #[serde(default)]
        package: Vec<Package>,
    }
    #[derive(serde::Deserialize)]
    struct Package {
        name: String,
        #[serde(default)]
        version: Option<String>,
    }
    let document: Document =
        toml::from_str(text).map_err(|e| ParseError::from_toml(path, text, &e))?;
    let mut lockfile = Lockfile::new(path, format, Resolver::ByName { python_names: true });
    lockfile.packages = document
        .package
        .into_iter()
        .map(|package| LockedPackage {
            name: package.name,
            version: package.version.unwrap_or_default(),
        })
        .collect();
    Ok(lockfile)
}
