//! VG605 build-context-leaks: `COPY . …` (or `ADD . …`) copies the whole build context into the
//! image while no `.dockerignore` keeps `.env` files and `.git` out of it.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::DockerfileRule;
use super::at_line;
use crate::{ContainerProject, DockerfileSource};

/// The rule.
#[derive(Debug)]
pub struct BuildContextLeaks;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG605"),
    name: Cow::Borrowed("build-context-leaks"),
    engine: EngineId::Container,
    summary: Cow::Borrowed(
        "COPY . copies the whole folder into the image, and no .dockerignore keeps .env and .git out",
    ),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[538, 200]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Data04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A `COPY` or `ADD` whose source is the whole build context (`.`, `./`, `*`) in a \
             Dockerfile whose context — the folder it sits in — has no `.dockerignore` \
             (`Dockerfile.dockerignore` counts too), or one that excludes neither `.env` nor \
             `.git`. The finding names what is not excluded.",
        ),
        why: Cow::Borrowed(
            "The `.env` with the production keys, the whole git history (deleted secrets \
             included) and local databases end up in a layer of the image, readable by anyone \
             who can pull it, even when a later step deletes them.",
        ),
        example_bad: Cow::Borrowed("# no .dockerignore\nCOPY . ."),
        example_fixed: Cow::Borrowed(
            "# .dockerignore\n.env\n.env.*\n.git\nnode_modules\n*.sqlite3",
        ),
        fix: Cow::Borrowed(
            "Add a `.dockerignore` next to the Dockerfile that excludes `.env*`, `.git`, \
             `node_modules` and local data, or copy only what the image needs (`COPY package*.json \
             ./`, `COPY src/ src/`).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/build/concepts/context/#dockerignore-files"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/538.html"),
        ]),
    },
};

/// Whether a `.dockerignore` line excludes `name` at the context's root (`.env`, `**/.env`,
/// `.env*`, `*.env`, `.git/`).
fn excludes(lines: &[&str], name: &str) -> bool {
    let mut excluded = false;
    for line in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (negated, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let pattern = pattern
            .trim_start_matches("**/")
            .trim_start_matches('/')
            .trim_end_matches('/');
        let matches = pattern == name
            || pattern == "*"
            || pattern
                .strip_suffix('*')
                .is_some_and(|prefix| name.starts_with(prefix))
            || pattern
                .strip_prefix('*')
                .is_some_and(|suffix| name.ends_with(suffix));
        if matches {
            excluded = !negated;
        }
    }
    excluded
}

impl DockerfileRule for BuildContextLeaks {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(
        &self,
        source: &DockerfileSource,
        project: &ContainerProject<'_>,
        findings: &mut Vec<Finding>,
    ) {
        let whole_context = source.file.instructions.iter().find(|instruction| {
            (instruction.keyword == "COPY" || instruction.keyword == "ADD") && {
                let (flags, rest) = instruction.split_flags();
                // `COPY --from=build . .` copies another stage, not the context.
                !flags.iter().any(|f| f.starts_with("--from"))
                    && rest
                        .split_whitespace()
                        .next()
                        .is_some_and(|from| matches!(from, "." | "./" | "*" | "./*"))
            }
        });
        let Some(copy) = whole_context else { return };
        let folder = source.folder();
        let join = |name: &str| {
            if folder.is_empty() {
                name.to_string()
            } else {
                format!("{folder}/{name}")
            }
        };
        let own = format!("{}.dockerignore", source.path);
        let ignore = project
            .tree
            .read_text(&own, 256 * 1024)
            .or_else(|_| project.tree.read_text(&join(".dockerignore"), 256 * 1024))
            .ok();
        let lines: Vec<&str> = ignore
            .as_deref()
            .map_or(Vec::new(), |t| t.lines().collect());
        let missing: Vec<&str> = [".env", ".git"]
            .into_iter()
            .filter(|name| !excludes(&lines, name))
            .collect();
        if missing.is_empty() {
            return;
        }
        let message = match ignore {
            None => format!(
                "`{} {}` copies the whole folder into the image and there is no .dockerignore: `.env` files and `.git` go in with it",
                copy.keyword, copy.args
            ),
            Some(_) => format!(
                "`{} {}` copies the whole folder into the image and .dockerignore does not exclude {}",
                copy.keyword,
                copy.args,
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        };
        findings.push(at_line(
            &META,
            &source.path,
            copy.line,
            message,
            "context".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::rules::testing::check;

    #[test]
    fn the_whole_context_copied_without_exclusions_is_found() {
        let (found, _) = check(
            Rule::Dockerfile(&BuildContextLeaks),
            &[
                ("Dockerfile", "FROM node:20\nWORKDIR /app\nCOPY . .\n"),
                (
                    "api/Dockerfile",
                    "FROM python:3.12\nCOPY --chown=app ./ /srv\n",
                ),
                ("api/.dockerignore", "node_modules\n.git\n"),
            ],
        );
        assert_eq!(found, ["Dockerfile:3", "api/Dockerfile:2"]);
    }

    #[test]
    fn exclusions_selected_copies_and_other_stages_pass() {
        let (found, _) = check(
            Rule::Dockerfile(&BuildContextLeaks),
            &[
                (
                    "Dockerfile",
                    "FROM node:20 AS build\nCOPY . .\nFROM node:20-slim\nCOPY --from=build . .\n",
                ),
                (".dockerignore", "**/.env*\n.git/\n"),
                (
                    "web/Dockerfile",
                    "FROM node:20\nCOPY package.json src/ ./\n",
                ),
                ("jobs/Dockerfile", "FROM python:3.12\nCOPY . .\n"),
                ("jobs/Dockerfile.dockerignore", "*\n!src\n"),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
