//! VG601 base-image-unpinned: a `FROM` by a moving tag (`latest`, or no tag at all) instead of
//! a version or a digest.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::DockerfileRule;
use super::at_line;
use crate::dockerfile::ImageRef;
use crate::{ContainerProject, DockerfileSource};

/// The rule.
#[derive(Debug)]
pub struct BaseImageUnpinned;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG601"),
    name: Cow::Borrowed("base-image-unpinned"),
    engine: EngineId::Container,
    summary: Cow::Borrowed("A Dockerfile builds FROM a moving tag (latest, or no tag)"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[1104, 829]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01, ChecklistId::Deps01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A `FROM` whose image has no tag or the tag `latest`, and no `@sha256:` digest, in \
             any stage. `scratch`, earlier stages (`FROM build`) and images whose reference is \
             a build argument without a default are not judged; build arguments with defaults \
             declared before the first `FROM` are filled in first.",
        ),
        why: Cow::Borrowed(
            "`latest` is whatever was pushed last: two builds of the same commit get different \
             operating systems, a new major version breaks the app on a Friday night, and a \
             compromised or typo-squatted push lands in production unseen. A version tag is \
             reproducible; a digest is also tamper-proof.",
        ),
        example_bad: Cow::Borrowed("FROM node:latest\nFROM python"),
        example_fixed: Cow::Borrowed(
            "FROM node:20.18-bookworm-slim\nFROM python:3.12-slim@sha256:<digest>",
        ),
        fix: Cow::Borrowed(
            "Name a version tag (`node:20.18-bookworm-slim`), ideally with its digest, and let \
             Dependabot or Renovate propose updates to it.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/build/building/best-practices/#from"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1104.html"),
        ]),
    },
};

impl DockerfileRule for BaseImageUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(
        &self,
        source: &DockerfileSource,
        _project: &ContainerProject<'_>,
        findings: &mut Vec<Finding>,
    ) {
        for stage in &source.file.stages {
            let base = stage.base.as_str();
            if base.is_empty()
                || base.eq_ignore_ascii_case("scratch")
                || base.contains('$')
                || source.file.is_stage_name(base)
            {
                continue;
            }
            let image = ImageRef::parse(base);
            if image.digest.is_some() {
                continue;
            }
            let moving = match image.tag {
                None => "no tag, so `latest`".to_string(),
                Some(tag) if tag.eq_ignore_ascii_case("latest") => "the tag `latest`".into(),
                Some(_) => continue,
            };
            findings.push(at_line(
                &META,
                &source.path,
                stage.line,
                format!(
                    "`FROM {base}` builds from {moving}: whatever was pushed last, different on every build"
                ),
                format!("unpinned:{}", image.repository),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Applicability;
    use crate::rules::testing::check;
    use crate::rules::{NO_DOCKERFILE, Rule};

    #[test]
    fn moving_tags_are_found_and_versions_digests_stages_and_scratch_are_not() {
        let (found, _) = check(
            Rule::Dockerfile(&BaseImageUnpinned),
            &[(
                "Dockerfile",
                "FROM node AS deps\nFROM node:latest AS build\nFROM registry.example:5000/base\nFROM deps\n",
            )],
        );
        assert_eq!(found, ["Dockerfile:1", "Dockerfile:2", "Dockerfile:3"]);
        let (found, applied) = check(
            Rule::Dockerfile(&BaseImageUnpinned),
            &[(
                "api/Dockerfile",
                "ARG PY=3.12\nFROM python:${PY}-slim AS build\nFROM node@sha256:0123\nFROM scratch\nFROM ${UNKNOWN}\nFROM build\n",
            )],
        );
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(applied, Applicability::Applied);
        assert_eq!(
            check(
                Rule::Dockerfile(&BaseImageUnpinned),
                &[("README.md", "# x")]
            )
            .1,
            Applicability::Absent(NO_DOCKERFILE)
        );
    }
}
