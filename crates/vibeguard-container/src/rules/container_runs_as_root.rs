//! VG602 container-runs-as-root: the image that ships (the last stage) sets no `USER`, or sets
//! `root`/`0` last.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::DockerfileRule;
use super::at_line;
use crate::{ContainerProject, DockerfileSource};

/// The rule.
#[derive(Debug)]
pub struct ContainerRunsAsRoot;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG602"),
    name: Cow::Borrowed("container-runs-as-root"),
    engine: EngineId::Container,
    summary: Cow::Borrowed("The image a Dockerfile ships runs its process as root"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[250]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The last stage of a Dockerfile (the image that is shipped) has no `USER`, or its \
             last `USER` is `root` or `0`. Base images that already run as a user are \
             recognised by their tag (`…:nonroot`, `…-nonroot`, distroless `:nonroot`), and \
             the official `node` images' `node` user counts only when the Dockerfile switches \
             to it.",
        ),
        why: Cow::Borrowed(
            "A process running as root inside the container owns the container: one code \
             execution bug (a deserialisation, a shell command built from input) can rewrite \
             the app, read every mounted secret, and with a kernel or runtime flaw or a \
             mounted Docker socket take the host.",
        ),
        example_bad: Cow::Borrowed("FROM node:20-slim\nCOPY . .\nCMD [\"node\", \"server.js\"]"),
        example_fixed: Cow::Borrowed(
            "FROM node:20-slim\nCOPY --chown=node:node . .\nUSER node\nCMD [\"node\", \"server.js\"]",
        ),
        fix: Cow::Borrowed(
            "Create or use an unprivileged user and switch to it with `USER` before `CMD` \
             (`USER node`, `USER 10001:10001`); give it ownership of only what it must write.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/build/building/best-practices/#user"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/250.html"),
        ]),
    },
};

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name.eq_ignore_ascii_case("root") || name == "0"
}

impl DockerfileRule for ContainerRunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(
        &self,
        source: &DockerfileSource,
        _project: &ContainerProject<'_>,
        findings: &mut Vec<Finding>,
    ) {
        let file = &source.file;
        let Some(last) = file.stages.last() else {
            return;
        };
        let stage = file.stages.len();
        let base = last.base.to_ascii_lowercase();
        if base.contains("nonroot") || base.contains("non-root") {
            return;
        }
        let users: Vec<(&str, u32)> = file
            .stage_instructions(stage)
            .filter(|i| i.keyword == "USER")
            .map(|i| (i.args.trim(), i.line))
            .collect();
        let (message, line) = match users.last() {
            Some((user, line)) if is_root(user) => (
                format!(
                    "the shipped image switches back to `USER {user}`: its process runs as root"
                ),
                *line,
            ),
            Some(_) => return,
            None => (
                format!(
                    "the shipped image (`FROM {}`) sets no USER: its process runs as root",
                    last.base
                ),
                last.line,
            ),
        };
        findings.push(at_line(&META, &source.path, line, message, "root".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::rules::testing::check;

    #[test]
    fn a_final_stage_without_a_user_or_back_to_root_is_found() {
        let (found, _) = check(
            Rule::Dockerfile(&ContainerRunsAsRoot),
            &[
                (
                    "Dockerfile",
                    "FROM node:20 AS build\nUSER node\nFROM node:20-slim\nCMD node server.js\n",
                ),
                (
                    "worker/Dockerfile",
                    "FROM python:3.12\nUSER app\nRUN make\nUSER root\n",
                ),
            ],
        );
        assert_eq!(found, ["Dockerfile:3", "worker/Dockerfile:4"]);
    }

    #[test]
    fn a_user_in_the_final_stage_or_a_nonroot_base_passes() {
        let (found, _) = check(
            Rule::Dockerfile(&ContainerRunsAsRoot),
            &[
                (
                    "Dockerfile",
                    "FROM node:20 AS build\nFROM node:20-slim\nUSER node\n",
                ),
                (
                    "b/Dockerfile",
                    "FROM gcr.io/distroless/nodejs20-debian12:nonroot\nCMD [\"server.js\"]\n",
                ),
                ("c/Dockerfile", "FROM alpine:3.20\nUSER 10001:10001\n"),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
