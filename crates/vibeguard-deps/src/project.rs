//! The project as the dependency engines see it: every manifest and lockfile parsed once,
//! shared by the hygiene rules and the advisory matching. Requirement files included with
//! `-r` are read too, whatever their names, since pip installs them.

use std::collections::{BTreeMap, BTreeSet};

use globset::Glob;
use vibeguard_core::{CodeFrame, Coverage, EngineError, Evidence, Span};
use vibeguard_project::{GitIndex, ProjectTree};

use crate::ParseError;
use crate::lockfiles::{Lockfile, LockfileFormat};
use crate::manifests::{Manifest, ManifestKind};

/// Manifests and lockfiles are read whole; a lockfile above this size is refused (with an error
/// naming it) rather than read into memory.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;
/// Requirement files followed through `-r` beyond those found by name (a cycle or a huge chain
/// stops here).
const MAX_FOLLOWED_INCLUDES: usize = 64;

/// A lockfile that may lock a manifest, and the manifest's folder relative to it.
#[derive(Debug, Clone, Copy)]
pub struct LockCandidate<'a> {
    /// The lockfile's path.
    pub path: &'a str,
    /// Its format.
    pub format: LockfileFormat,
    /// The parsed lockfile, when it could be parsed.
    pub parsed: Option<&'a Lockfile>,
    /// The manifest's folder relative to the lockfile's (`""` when side by side).
    pub importer: &'a str,
}

/// The loaded project.
#[derive(Debug)]
pub struct ProjectModel<'a> {
    /// The walked tree.
    pub tree: &'a ProjectTree,
    /// Committed paths, when the project is in a git repository.
    pub git_index: Option<GitIndex>,
    /// Every manifest that parsed.
    pub manifests: Vec<Manifest>,
    /// Every lockfile present: path, format, and the parse when it succeeded.
    pub lockfiles: Vec<(String, LockfileFormat, Option<Lockfile>)>,
    errors: Vec<EngineError>,
    files_read: u64,
    /// Manifest texts, kept for code frames (lockfiles are not kept: they can be large).
    manifest_texts: BTreeMap<String, String>,
    /// (manifest path, lockfile path, importer) triples, computed once.
    pairs: Vec<(String, usize, String)>,
}

impl<'a> ProjectModel<'a> {
    /// Parses every manifest and lockfile of `tree`.
    pub fn load(tree: &'a ProjectTree) -> ProjectModel<'a> {
        let mut errors: Vec<EngineError> = tree
            .walk_errors()
            .iter()
            .map(|(source, message)| EngineError {
                source: source.clone(),
                line: None,
                message: message.clone(),
            })
            .collect();
        let git_index = match GitIndex::for_project(tree.root()) {
            Ok(index) => index,
            Err(error) => {
                errors.push(EngineError {
                    source: ".git/index".into(),
                    line: None,
                    message: format!("{error}; committed files cannot be told apart"),
                });
                None
            }
        };
        let mut manifests = Vec::new();
        let mut manifest_texts = BTreeMap::new();
        let mut lockfiles = Vec::new();
        let mut files_read = 0;
        let mut pnpm_workspaces: Vec<(String, Vec<String>)> = Vec::new();

        for file in tree.files() {
            if let Some(kind) = ManifestKind::detect(&file.path) {
                files_read += 1;
                let parsed = read(tree, &file.path).and_then(|text| {
                    let manifest = kind.parse(&file.path, &text)?;
                    manifest_texts.insert(file.path.clone(), text);
                    Ok(manifest)
                });
                match parsed {
                    Ok(mut manifest) => {
                        errors.extend(
                            std::mem::take(&mut manifest.warnings)
                                .into_iter()
                                .map(ParseError::into_engine_error),
                        );
                        manifests.push(manifest);
                    }
                    Err(error) => errors.push(error.into_engine_error()),
                }
            } else if let Some(format) = LockfileFormat::detect(&file.path) {
                files_read += 1;
                let parsed = if format.is_binary() {
                    format.parse(&file.path, "")
                } else {
                    read(tree, &file.path).and_then(|text| format.parse(&file.path, &text))
                };
                match parsed {
                    Ok(lockfile) => lockfiles.push((file.path.clone(), format, Some(lockfile))),
                    Err(error) => {
                        errors.push(error.into_engine_error());
                        lockfiles.push((file.path.clone(), format, None));
                    }
                }
            } else if file.name() == "pnpm-workspace.yaml" {
                files_read += 1;
                match read(tree, &file.path).and_then(|text| pnpm_workspace(&file.path, &text)) {
                    Ok(members) => pnpm_workspaces.push((file.dir().to_string(), members)),
                    Err(error) => errors.push(error.into_engine_error()),
                }
            }
        }
        // `-r common.txt` installs that file's requirements too, whatever it is called.
        let mut pending: Vec<(String, ManifestKind)> = manifests
            .iter()
            .filter(|m| {
                matches!(
                    m.kind,
                    ManifestKind::RequirementsTxt | ManifestKind::RequirementsIn
                )
            })
            .flat_map(|m| {
                m.includes
                    .iter()
                    .map(move |include| (include.clone(), m.kind))
            })
            .collect();
        let mut followed = 0;
        while let Some((include, kind)) = pending.pop() {
            if followed >= MAX_FOLLOWED_INCLUDES
                || manifests.iter().any(|m| m.path == include)
                || !tree.contains(&include)
            {
                continue;
            }
            followed += 1;
            files_read += 1;
            match read(tree, &include).and_then(|text| {
                let manifest = kind.parse(&include, &text)?;
                manifest_texts.insert(include.clone(), text);
                Ok(manifest)
            }) {
                Ok(mut manifest) => {
                    errors.extend(
                        std::mem::take(&mut manifest.warnings)
                            .into_iter()
                            .map(ParseError::into_engine_error),
                    );
                    pending.extend(manifest.includes.iter().map(|i| (i.clone(), kind)));
                    manifests.push(manifest);
                }
                Err(error) => errors.push(error.into_engine_error()),
            }
        }
        // pnpm declares workspace members beside package.json rather than in it.
        for (dir, members) in pnpm_workspaces {
            if let Some(root) = manifests
                .iter_mut()
                .find(|m| m.kind == ManifestKind::PackageJson && m.dir() == dir)
            {
                root.workspace_members.extend(members);
            }
        }

        let mut model = ProjectModel {
            tree,
            git_index,
            manifests,
            lockfiles,
            errors,
            files_read,
            manifest_texts,
            pairs: Vec::new(),
        };
        model.pairs = model.pair_lockfiles();
        model
    }

    /// Non-fatal errors met while loading.
    pub fn errors(&self) -> &[EngineError] {
        &self.errors
    }

    /// What the engine covered.
    pub fn coverage(&self) -> Coverage {
        Coverage {
            files: self.files_read,
            packages: self
                .manifests
                .iter()
                .map(|m| m.dependencies.len() as u64)
                .sum(),
            ..Coverage::default()
        }
    }

    /// The lockfiles that lock `manifest`: side by side, or at the root of a workspace that
    /// lists the manifest's folder as a member.
    pub fn lockfiles_for(&self, manifest: &Manifest) -> Vec<LockCandidate<'_>> {
        self.pairs
            .iter()
            .filter(|(path, _, _)| *path == manifest.path)
            .map(|(_, index, importer)| {
                let (path, format, parsed) = &self.lockfiles[*index];
                LockCandidate {
                    path,
                    format: *format,
                    parsed: parsed.as_ref(),
                    importer,
                }
            })
            .collect()
    }

    fn pair_lockfiles(&self) -> Vec<(String, usize, String)> {
        let mut pairs = Vec::new();
        for manifest in &self.manifests {
            let dir = manifest.dir();
            let beside: Vec<usize> = self.lockfile_indexes_in(dir, manifest.kind);
            if !beside.is_empty() {
                pairs.extend(
                    beside
                        .into_iter()
                        .map(|i| (manifest.path.clone(), i, String::new())),
                );
                continue;
            }
            // Walk up to a workspace root that claims this folder.
            let mut ancestor = dir;
            while !ancestor.is_empty() {
                ancestor = ancestor.rsplit_once('/').map_or("", |(parent, _)| parent);
                let relative = if ancestor.is_empty() {
                    dir.to_string()
                } else {
                    dir[ancestor.len() + 1..].to_string()
                };
                let claims = self.manifests.iter().any(|root| {
                    root.kind == manifest.kind
                        && root.dir() == ancestor
                        && root
                            .workspace_members
                            .iter()
                            .any(|glob| member_matches(glob, &relative))
                });
                if claims {
                    let found = self.lockfile_indexes_in(ancestor, manifest.kind);
                    if !found.is_empty() {
                        pairs.extend(
                            found
                                .into_iter()
                                .map(|i| (manifest.path.clone(), i, relative.clone())),
                        );
                        break;
                    }
                }
            }
        }
        pairs
    }

    fn lockfile_indexes_in(&self, dir: &str, kind: ManifestKind) -> Vec<usize> {
        self.lockfiles
            .iter()
            .enumerate()
            .filter(|(_, (path, format, _))| {
                format.locks(kind) && path.rsplit_once('/').map_or("", |(d, _)| d) == dir
            })
            .map(|(index, _)| index)
            .collect()
    }

    /// A code frame of a manifest around `span`, for a finding's evidence.
    pub fn manifest_frame(&self, path: &str, span: Option<Span>) -> Option<Evidence> {
        let text = self.manifest_texts.get(path)?;
        Some(Evidence::Code(CodeFrame::excerpt(path, text, span?, 1)))
    }

    /// Whether a file exists in the walked tree.
    pub fn has_file(&self, path: &str) -> bool {
        self.tree.contains(path)
    }

    /// The set of ecosystems with at least one manifest.
    pub fn ecosystems(&self) -> BTreeSet<crate::Ecosystem> {
        self.manifests.iter().map(Manifest::ecosystem).collect()
    }
}

fn read(tree: &ProjectTree, path: &str) -> Result<String, ParseError> {
    tree.read_text(path, MAX_MANIFEST_BYTES)
        .map_err(|error| ParseError::new(path, error.to_string()))
}

/// Whether a workspace member glob (`packages/*`, `./apps/web`) matches a folder.
pub(crate) fn member_matches(glob: &str, folder: &str) -> bool {
    let glob = glob.trim().trim_start_matches("./").trim_end_matches('/');
    if glob.starts_with('!') {
        return false;
    }
    Glob::new(glob).is_ok_and(|g| g.compile_matcher().is_match(folder))
}

/// Reads the `packages:` list of a pnpm-workspace.yaml.
fn pnpm_workspace(path: &str, text: &str) -> Result<Vec<String>, ParseError> {
    #[derive(serde::Deserialize)]
    struct Workspace {
        #[serde(default)]
        packages: Vec<String>,
    }
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let workspace: Workspace =
        serde_saphyr::from_str(text).map_err(|e| ParseError::from_yaml(path, &e))?;
    Ok(workspace.packages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_globs_match_like_workspaces() {
        assert!(member_matches("packages/*", "packages/api"));
        assert!(member_matches("./apps/web/", "apps/web"));
        assert!(!member_matches("packages/*", "tools/cli"));
        assert!(!member_matches("!packages/private", "packages/private"));
    }
}
