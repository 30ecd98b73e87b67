//! VG304 no-dependency-updates: nothing proposes dependency updates (no Dependabot or Renovate
//! configuration), or the configuration misses an ecosystem or folder the project has.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, Location, RuleDocs, RuleMeta, Severity,
};

use crate::Ecosystem;
use crate::hygiene::{Applicability, HygieneRule, ProjectModel};
use crate::manifests::{Manifest, ManifestKind};
use crate::project::member_matches;

/// The rule.
#[derive(Debug)]
pub struct NoDependencyUpdates;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG304"),
    name: Cow::Borrowed("no-dependency-updates"),
    engine: EngineId::Hygiene,
    summary: Cow::Borrowed("No update bot covers the project's dependencies"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[1104, 1395]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Projects with manifests but no `.github/dependabot.yml` and no Renovate \
             configuration (renovate.json, .renovaterc, .github/renovate.json, a `renovate` key \
             in package.json); and Dependabot configurations that have no `updates` entry for \
             an ecosystem and folder the project has (npm for api/package.json, pip for \
             requirements.txt, …). Renovate detects every manager by default, so it only misses \
             an ecosystem when `enabledManagers` leaves it out.",
        ),
        why: Cow::Borrowed(
            "Security fixes only help once installed. Without a bot, nobody notices that the \
             pinned version of a library got a critical advisory, and the pin that protected \
             the build now keeps a known vulnerability in production.",
        ),
        example_bad: Cow::Borrowed(
            "# .github/dependabot.yml\nversion: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n# api/requirements.txt is not covered",
        ),
        example_fixed: Cow::Borrowed(
            "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule: { interval: weekly }\n  - package-ecosystem: pip\n    directory: /api\n    schedule: { interval: weekly }",
        ),
        fix: Cow::Borrowed(
            "Add `.github/dependabot.yml` with one `updates` entry per ecosystem and folder (or \
             a Renovate configuration), and merge its security pull requests promptly.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference",
            ),
            Cow::Borrowed("https://docs.renovatebot.com/configuration-options/"),
        ]),
    },
};

const DEPENDABOT_FILES: &[&str] = &[".github/dependabot.yml", ".github/dependabot.yaml"];
const RENOVATE_FILES: &[&str] = &[
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
];

/// What an update bot covers.
enum BotConfig {
    /// Dependabot, with its (ecosystem, directory globs) entries.
    Dependabot {
        path: String,
        entries: Vec<(String, Vec<String>)>,
    },
    /// Renovate, with its `enabledManagers` when it restricts them.
    Renovate {
        path: String,
        enabled_managers: Option<BTreeSet<String>>,
    },
}

impl HygieneRule for NoDependencyUpdates {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, project: &ProjectModel<'_>, findings: &mut Vec<Finding>) -> Applicability {
        let manifests: Vec<&Manifest> = project
            .manifests
            .iter()
            .filter(|m| !m.dependencies.is_empty() && m.kind != ManifestKind::RequirementsIn)
            .collect();
        let Some(first) = manifests.first() else {
            return Applicability::NotApplicable("no manifest with dependencies");
        };
        let configs = bot_configs(project);
        if configs.is_empty() {
            let ecosystems: Vec<&str> = project.ecosystems().iter().map(|e| e.osv_name()).collect();
            findings.push(Finding::new(
                &META,
                Location::Source { path: first.path.clone(), span: None },
                format!(
                    "No Dependabot or Renovate configuration: nothing proposes updates when the project's {} dependencies get security fixes",
                    ecosystems.join(", ")
                ),
                "no-update-bot",
            ));
            return Applicability::Applied;
        }

        let mut reported = BTreeSet::new();
        for manifest in &manifests {
            let ecosystem = manifest.ecosystem();
            let dir = manifest.dir();
            if configs
                .iter()
                .any(|config| covers(config, project, manifest))
            {
                continue;
            }
            if !reported.insert((ecosystem, dir.to_string())) {
                continue;
            }
            let config_path = match &configs[0] {
                BotConfig::Dependabot { path, .. } | BotConfig::Renovate { path, .. } => {
                    path.clone()
                }
            };
            let folder = if dir.is_empty() {
                "/".to_string()
            } else {
                format!("/{dir}")
            };
            findings.push(
                Finding::new(
                    &META,
                    Location::Source { path: config_path.clone(), span: None },
                    format!(
                        "{config_path} has no `{}` update entry for `{folder}` ({})",
                        ecosystem.dependabot_name(),
                        manifest.path
                    ),
                    format!("{ecosystem}:{dir}"),
                )
                .with_severity(Severity::Low)
                .with_fix(format!(
                    "Add an entry for `package-ecosystem: {}` with `directory: {folder}` (or a `directories` glob covering it).",
                    ecosystem.dependabot_name()
                )),
            );
        }
        Applicability::Applied
    }
}

fn bot_configs(project: &ProjectModel<'_>) -> Vec<BotConfig> {
    let mut configs = Vec::new();
    for path in DEPENDABOT_FILES.iter().filter(|p| project.has_file(p)) {
        match project
            .tree
            .read_text(path, 1024 * 1024)
            .map_err(|e| e.to_string())
            .and_then(|text| parse_dependabot(&text))
        {
            Ok(entries) => configs.push(BotConfig::Dependabot {
                path: (*path).to_string(),
                entries,
            }),
            // A broken file configures nothing; say so instead of reporting a missing bot.
            Err(reason) => configs.push(BotConfig::Dependabot {
                path: format!("{path} (unreadable: {reason})"),
                entries: Vec::new(),
            }),
        }
    }
    for path in RENOVATE_FILES.iter().filter(|p| project.has_file(p)) {
        let parsed: Option<Value> = project
            .tree
            .read_text(path, 1024 * 1024)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        if parsed
            .as_ref()
            .and_then(|v| v.get("enabled"))
            .and_then(Value::as_bool)
            == Some(false)
        {
            continue;
        }
        configs.push(BotConfig::Renovate {
            path: (*path).to_string(),
            enabled_managers: parsed.as_ref().and_then(enabled_managers),
        });
    }
    for manifest in project.manifests.iter().filter(|m| m.configures_renovate) {
        configs.push(BotConfig::Renovate {
            path: manifest.path.clone(),
            enabled_managers: None,
        });
    }
    configs
}

fn enabled_managers(config: &Value) -> Option<BTreeSet<String>> {
    let managers = config.get("enabledManagers")?.as_array()?;
    Some(
        managers
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

/// Reads the `updates` of a dependabot.yml as (ecosystem, directory globs).
fn parse_dependabot(text: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    #[derive(serde::Deserialize)]
    struct Config {
        #[serde(default)]
        updates: Vec<Update>,
    }
    #[derive(serde::Deserialize)]
    struct Update {
        #[serde(rename = "package-ecosystem")]
        ecosystem: String,
        directory: Option<String>,
        #[serde(default)]
        directories: Vec<String>,
    }
    let config: Config = serde_saphyr::from_str(text).map_err(|e| {
        e.to_string()
            .lines()
            .next()
            .unwrap_or("invalid YAML")
            .to_string()
    })?;
    Ok(config
        .updates
        .into_iter()
        .map(|update| {
            let mut dirs = update.directories;
            dirs.extend(update.directory);
            (update.ecosystem, dirs)
        })
        .collect())
}

fn dependabot_names(ecosystem: Ecosystem) -> &'static [&'static str] {
    match ecosystem {
        Ecosystem::Npm => &["npm", "bun"],
        Ecosystem::PyPI => &["pip", "uv"],
        Ecosystem::CratesIo => &["cargo"],
        Ecosystem::Go => &["gomod"],
        Ecosystem::RubyGems => &["bundler"],
        Ecosystem::Packagist => &["composer"],
        _ => &["docker"],
    }
}

fn renovate_managers(kind: ManifestKind) -> &'static [&'static str] {
    match kind {
        ManifestKind::PackageJson => &["npm"],
        ManifestKind::RequirementsTxt | ManifestKind::RequirementsIn => {
            &["pip_requirements", "pip-compile"]
        }
        ManifestKind::PyprojectToml => &["pep621", "poetry", "pdm"],
        ManifestKind::Pipfile => &["pipenv"],
        ManifestKind::CargoToml => &["cargo"],
        ManifestKind::GoMod => &["gomod"],
        ManifestKind::Gemfile => &["bundler"],
        ManifestKind::ComposerJson => &["composer"],
    }
}

fn covers(config: &BotConfig, project: &ProjectModel<'_>, manifest: &Manifest) -> bool {
    match config {
        BotConfig::Renovate {
            enabled_managers, ..
        } => match enabled_managers {
            None => true,
            Some(enabled) => renovate_managers(manifest.kind)
                .iter()
                .any(|manager| enabled.contains(*manager)),
        },
        BotConfig::Dependabot { entries, .. } => {
            let names = dependabot_names(manifest.ecosystem());
            entries
                .iter()
                .filter(|(ecosystem, _)| names.contains(&ecosystem.as_str()))
                .any(|(_, dirs)| {
                    dirs.iter().any(|glob| {
                        let glob = glob.trim().trim_matches('/');
                        let dir_matches = |dir: &str| {
                            glob == dir || (glob.contains('*') && member_matches(glob, dir))
                        };
                        dir_matches(manifest.dir())
                            // A workspace root entry covers its members' manifests.
                            || project
                                .lockfiles_for(manifest)
                                .iter()
                                .any(|lock| !lock.importer.is_empty() && dir_matches(lock.path.rsplit_once('/').map_or("", |(d, _)| d)))
                    })
                })
        }
    }
}
