//! VG306 env-not-gitignored: the project uses `.env` files, but no `.gitignore` keeps `.env`
//! out of git.

use std::borrow::Cow;
use std::collections::BTreeSet;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, Location, RuleDocs, RuleMeta, Severity,
};

use crate::hygiene::{Applicability, HygieneRule, ProjectModel};

/// The rule.
#[derive(Debug)]
pub struct EnvNotGitignored;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG306"),
    name: Cow::Borrowed("env-not-gitignored"),
    engine: EngineId::Hygiene,
    summary: Cow::Borrowed("The project uses .env files but .gitignore does not exclude them"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[538]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Data04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A project that uses environment files — it has a `.env`, `.env.example` or similar, \
             or depends on a loader such as dotenv, python-dotenv, django-environ, godotenv, \
             phpdotenv, Next.js or Vite — where `.env` in the project root (and in each folder \
             holding env files) is not matched by any committed `.gitignore`. Only `.gitignore` \
             files count: `.git/info/exclude` and personal global excludes do not protect the \
             other clones.",
        ),
        why: Cow::Borrowed(
            "The first `git add .` after someone creates a `.env` commits every secret in it. \
             Assistant-generated projects often ship a `.gitignore` with only `node_modules`, \
             and secrets scanners then find the keys in public repositories within minutes.",
        ),
        example_bad: Cow::Borrowed("# .gitignore\nnode_modules/"),
        example_fixed: Cow::Borrowed("# .gitignore\nnode_modules/\n.env\n.env.*\n!.env.example"),
        fix: Cow::Borrowed(
            "Add `.env` and `.env.*` (with `!.env.example` to keep the template) to the root \
             .gitignore and commit it.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://git-scm.com/docs/gitignore"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/538.html"),
        ]),
    },
};

/// Packages that load `.env` files, by ecosystem-independent name.
const DOTENV_LOADERS: &[&str] = &[
    "dotenv",
    "dotenv-flow",
    "dotenv-expand",
    "@dotenvx/dotenvx",
    "env-cmd",
    "next",
    "vite",
    "nuxt",
    "react-scripts",
    "@remix-run/dev",
    "astro",
    "python-dotenv",
    "django-environ",
    "environs",
    "pydantic-settings",
    "github.com/joho/godotenv",
    "dotenv-rails",
    "vlucas/phpdotenv",
    "laravel/framework",
    "dotenvy",
];

fn is_env_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == ".env" || name.starts_with(".env.")
}

impl HygieneRule for EnvNotGitignored {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, project: &ProjectModel<'_>, findings: &mut Vec<Finding>) -> Applicability {
        let mut folders: BTreeSet<String> = project
            .tree
            .files()
            .filter(|f| is_env_file(&f.path))
            .map(|f| f.dir().to_string())
            .collect();
        if let Some(index) = &project.git_index {
            folders.extend(
                index
                    .paths()
                    .filter(|p| is_env_file(p) && project.tree.is_selected(p))
                    .map(|p| p.rsplit_once('/').map_or("", |(d, _)| d).to_string()),
            );
        }
        let uses_loader = project.manifests.iter().any(|manifest| {
            manifest
                .dependencies
                .iter()
                .any(|d| DOTENV_LOADERS.contains(&d.package_name()))
        });
        if folders.is_empty() && !uses_loader {
            return Applicability::NotApplicable("no .env files or .env loaders in the project");
        }
        folders.insert(String::new());
        let has_root_gitignore = project.has_file(".gitignore");
        for folder in folders {
            let env_path = if folder.is_empty() {
                ".env".to_string()
            } else {
                format!("{folder}/.env")
            };
            if project.tree.is_gitignored(&env_path, false) {
                continue;
            }
            let message = if has_root_gitignore {
                format!(
                    "No .gitignore excludes `{env_path}`: the first `git add .` commits every secret in it"
                )
            } else {
                format!("The project has no .gitignore, so nothing keeps `{env_path}` out of git")
            };
            findings.push(Finding::new(
                &META,
                Location::Source {
                    path: ".gitignore".to_string(),
                    span: None,
                },
                message,
                format!("env-not-ignored:{env_path}"),
            ));
        }
        Applicability::Applied
    }
}
