//! What a project declares it depends on: one parser per manifest format.
//!
//! Every parser turns one file's text into a [`Manifest`]: the declared dependencies with their
//! requirement as written, the kind (production, dev, optional, build), where each came from
//! (registry, git, URL, local path, workspace) and its position in the file. Parsers are pure
//! functions of (path, text) so they are tested on fixtures without touching the disk.

pub mod cargo_toml;
pub mod composer_json;
pub mod gemfile;
pub mod go_mod;
pub mod package_json;
pub mod pep508;
pub mod pipfile;
pub mod pyproject_toml;
pub mod requirements_txt;

use std::collections::BTreeMap;

use serde::Serialize;
use vibeguard_core::Span;

use crate::ParseError;
use crate::ecosystem::Ecosystem;
use crate::versions::RequirementSyntax;

/// The manifest formats vibeguard reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestKind {
    /// npm's `package.json`.
    PackageJson,
    /// pip's `requirements*.txt`.
    RequirementsTxt,
    /// pip-tools' `requirements*.in`, compiled into a `.txt`.
    RequirementsIn,
    /// `pyproject.toml` (PEP 621, Poetry, PDM, uv).
    PyprojectToml,
    /// Pipenv's `Pipfile`.
    Pipfile,
    /// Cargo's `Cargo.toml`.
    CargoToml,
    /// Go's `go.mod`.
    GoMod,
    /// Bundler's `Gemfile`.
    Gemfile,
    /// Composer's `composer.json`.
    ComposerJson,
}

impl ManifestKind {
    /// The manifest kind of a file, from its path (relative, `/`-separated).
    pub fn detect(path: &str) -> Option<ManifestKind> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let in_requirements_dir = path
            .rsplit('/')
            .nth(1)
            .is_some_and(|dir| dir == "requirements");
        match name {
            "package.json" => Some(ManifestKind::PackageJson),
            "pyproject.toml" => Some(ManifestKind::PyprojectToml),
            "Pipfile" => Some(ManifestKind::Pipfile),
            "Cargo.toml" => Some(ManifestKind::CargoToml),
            "go.mod" => Some(ManifestKind::GoMod),
            "Gemfile" | "gems.rb" => Some(ManifestKind::Gemfile),
            "composer.json" => Some(ManifestKind::ComposerJson),
            _ if is_requirements_name(name, "txt", in_requirements_dir) => {
                Some(ManifestKind::RequirementsTxt)
            }
            _ if is_requirements_name(name, "in", in_requirements_dir) => {
                Some(ManifestKind::RequirementsIn)
            }
            _ => None,
        }
    }

    /// Its ecosystem.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            ManifestKind::PackageJson => Ecosystem::Npm,
            ManifestKind::RequirementsTxt
            | ManifestKind::RequirementsIn
            | ManifestKind::PyprojectToml
            | ManifestKind::Pipfile => Ecosystem::PyPI,
            ManifestKind::CargoToml => Ecosystem::CratesIo,
            ManifestKind::GoMod => Ecosystem::Go,
            ManifestKind::Gemfile => Ecosystem::RubyGems,
            ManifestKind::ComposerJson => Ecosystem::Packagist,
        }
    }

    /// Parses a manifest of this kind.
    pub fn parse(self, path: &str, text: &str) -> Result<Manifest, ParseError> {
        match self {
            ManifestKind::PackageJson => package_json::parse(path, text),
            ManifestKind::RequirementsTxt | ManifestKind::RequirementsIn => {
                requirements_txt::parse(path, text, self)
            }
            ManifestKind::PyprojectToml => pyproject_toml::parse(path, text),
            ManifestKind::Pipfile => pipfile::parse(path, text),
            ManifestKind::CargoToml => cargo_toml::parse(path, text),
            ManifestKind::GoMod => go_mod::parse(path, text),
            ManifestKind::Gemfile => gemfile::parse(path, text),
            ManifestKind::ComposerJson => composer_json::parse(path, text),
        }
    }
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `requirements/base.txt`.
fn is_requirements_name(name: &str, extension: &str, in_requirements_dir: bool) -> bool {
    let Some(stem) = name.strip_suffix(&format!(".{extension}")) else {
        return false;
    };
    in_requirements_dir
        || stem == "requirements"
        || stem.starts_with("requirements-")
        || stem.starts_with("requirements_")
        || stem.ends_with("-requirements")
        || stem.ends_with("_requirements")
}

/// Why a dependency is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    /// Needed at run time.
    Production,
    /// Needed only to develop or test.
    Development,
    /// Needed only with an optional feature or extra.
    Optional,
    /// Needed only to build.
    Build,
}

/// Where a dependency's code comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DependencySource {
    /// The ecosystem's registry, constrained by the requirement.
    Registry,
    /// The registry under another name (npm `npm:real@range`, Cargo `package = "real"`).
    Alias {
        /// The real package name.
        package: String,
    },
    /// A git repository.
    Git {
        /// Whether it names a full commit hash (anything else can move).
        pinned: bool,
    },
    /// A download URL.
    Url,
    /// A local folder or file.
    Path,
    /// A package of the same workspace.
    Workspace,
    /// A registry tag such as `latest` or `next`.
    Tag,
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclaredDependency {
    /// The name as declared (for aliases, the alias).
    pub name: String,
    /// The requirement as written (`^4.18.2`, `==2.31.0`, `*`, a URL); empty when none.
    pub requirement: String,
    /// The language the requirement is written in.
    pub syntax: RequirementSyntax,
    /// Production, development, optional or build.
    pub kind: DependencyKind,
    /// Registry, git, URL, path, workspace or tag.
    pub source: DependencySource,
    /// Whether the declaration carries an integrity hash (requirements `--hash`).
    pub has_hash: bool,
    /// Where it is declared.
    pub span: Option<Span>,
}

impl DeclaredDependency {
    /// The registry name of the package (the aliased name for aliases).
    pub fn package_name(&self) -> &str {
        match &self.source {
            DependencySource::Alias { package } => package,
            _ => &self.name,
        }
    }
}

/// A parsed manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    /// Path relative to the project root.
    pub path: String,
    /// Its format.
    pub kind: ManifestKind,
    /// Declared dependencies, in file order.
    pub dependencies: Vec<DeclaredDependency>,
    /// Workspace member globs, relative to the manifest's folder.
    pub workspace_members: Vec<String>,
    /// Whether the manifest itself configures Renovate (a `renovate` key in package.json).
    pub configures_renovate: bool,
    /// Python only: the tool managing the project, which decides the expected lockfile.
    pub python_tool: Option<PythonTool>,
    /// Other files this one includes (`-r other.txt`), relative to the project root.
    pub includes: Vec<String>,
    /// Constraint files it applies (`-c constraints.txt`): they limit versions but install
    /// nothing themselves.
    pub constraints: Vec<String>,
    /// Dependencies listed only because another package needs them, with the packages that do
    /// when the file says (pip-compile's `# via flask`); go.mod's `// indirect` gives none.
    pub via: BTreeMap<String, Vec<String>>,
    /// go.mod `replace` directives: module → the module and version used instead, or `None`
    /// when it is replaced by a local folder.
    pub replaced: BTreeMap<String, Option<(String, String)>>,
    /// Problems that skipped part of the file without making it unreadable.
    pub warnings: Vec<ParseError>,
}

impl Manifest {
    /// An empty manifest of `kind` at `path`.
    pub fn empty(path: &str, kind: ManifestKind) -> Manifest {
        Manifest {
            path: path.to_string(),
            kind,
            dependencies: Vec::new(),
            workspace_members: Vec::new(),
            configures_renovate: false,
            python_tool: None,
            includes: Vec::new(),
            constraints: Vec::new(),
            via: BTreeMap::new(),
            replaced: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    /// Its ecosystem.
    pub fn ecosystem(&self) -> Ecosystem {
        self.kind.ecosystem()
    }

    /// The folder holding it, relative to the project root (`""` at the root).
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// The file name.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// Where `dependency` is declared, as a finding location (with its requirement as version).
    pub fn location_of(&self, dependency: &DeclaredDependency) -> vibeguard_core::Location {
        vibeguard_core::Location::Package {
            ecosystem: self.ecosystem().osv_name().to_string(),
            name: dependency.name.clone(),
            version: (!dependency.requirement.is_empty()).then(|| dependency.requirement.clone()),
            manifest: self.path.clone(),
            span: dependency.span,
        }
    }
}

/// The tool that manages a Python project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PythonTool {
    /// Poetry (`[tool.poetry]`), locks into poetry.lock.
    Poetry,
    /// uv (`[tool.uv]`), locks into uv.lock.
    Uv,
    /// PDM (`[tool.pdm]`), locks into pdm.lock.
    Pdm,
    /// Pipenv (Pipfile), locks into Pipfile.lock.
    Pipenv,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_manifest_kinds_by_name() {
        assert_eq!(
            ManifestKind::detect("package.json"),
            Some(ManifestKind::PackageJson)
        );
        assert_eq!(
            ManifestKind::detect("api/requirements-dev.txt"),
            Some(ManifestKind::RequirementsTxt)
        );
        assert_eq!(
            ManifestKind::detect("requirements/base.txt"),
            Some(ManifestKind::RequirementsTxt)
        );
        assert_eq!(
            ManifestKind::detect("requirements.in"),
            Some(ManifestKind::RequirementsIn)
        );
        assert_eq!(ManifestKind::detect("docs/notes.txt"), None);
        assert_eq!(ManifestKind::detect("package-lock.json"), None);
    }
}
