//! VG604 secret-in-image-config: `ENV` or `ARG` gives a secret-named variable a literal value,
//! which every copy of the image carries in its configuration and history.

use std::borrow::Cow;

use vibeguard_core::secret_names::{is_placeholder, secret_name};
use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::DockerfileRule;
use super::at_line;
use crate::{ContainerProject, DockerfileSource};

/// The rule.
#[derive(Debug)]
pub struct SecretInImageConfig;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG604"),
    name: Cow::Borrowed("secret-in-image-config"),
    engine: EngineId::Container,
    summary: Cow::Borrowed("A Dockerfile bakes a secret into the image with ENV or ARG"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[798, 538]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Data04, ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "`ENV NAME=value`, `ENV NAME value` or `ARG NAME=value` where the name is \
             secret-named as a word (`STRIPE_KEY`, `DB_PASSWORD`, `JWT_SECRET`, `NPM_TOKEN`; \
             the same judgement as the secrets engine's) and the value is a literal — not \
             empty, not a `${VAR}` reference, not a placeholder such as `changeme`. The value \
             is never printed.",
        ),
        why: Cow::Borrowed(
            "`ENV` values are part of the image: `docker inspect` and `docker history` show them \
             to anyone who can pull it, every registry mirror keeps them, and an `ARG` default \
             is recorded in the history of the layers built with it. Rotating the secret means \
             rebuilding and re-pushing every tag.",
        ),
        example_bad: Cow::Borrowed(
            "ENV STRIPE_SECRET_KEY=sk_live_51H...\nARG NPM_TOKEN=npm_abc123",
        ),
        example_fixed: Cow::Borrowed(
            "# at run time: docker run -e STRIPE_SECRET_KEY ... (or a secrets manager)\nRUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci",
        ),
        fix: Cow::Borrowed(
            "Pass secrets at run time (environment from the orchestrator, a secrets manager) and \
             build-time credentials with `RUN --mount=type=secret`; revoke the exposed value.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/build/building/secrets/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/798.html"),
        ]),
    },
};

/// The `NAME=value` pairs of an `ENV` or `ARG` (and the legacy `ENV NAME value` form).
fn assignments(keyword: &str, args: &str) -> Vec<(String, String)> {
    let args = args.trim();
    let first = args.split_whitespace().next().unwrap_or("");
    if keyword == "ENV" && !first.contains('=') {
        let value = args[first.len()..].trim();
        return vec![(first.to_string(), unquote(value).to_string())];
    }
    let mut pairs = Vec::new();
    let mut rest = args;
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().to_string();
        let after = &rest[eq + 1..];
        let (value, next) = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => match after[1..].find(quote) {
                Some(end) => (&after[1..1 + end], &after[end + 2..]),
                None => (&after[1..], ""),
            },
            _ => match after.find(char::is_whitespace) {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            },
        };
        if !name.is_empty() && !name.contains(char::is_whitespace) {
            pairs.push((name, value.to_string()));
        }
        rest = next.trim_start();
    }
    pairs
}

fn unquote(value: &str) -> &str {
    value.trim_matches(['"', '\''])
}

impl DockerfileRule for SecretInImageConfig {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(
        &self,
        source: &DockerfileSource,
        _project: &ContainerProject<'_>,
        findings: &mut Vec<Finding>,
    ) {
        for instruction in &source.file.instructions {
            if instruction.keyword != "ENV" && instruction.keyword != "ARG" {
                continue;
            }
            for (name, value) in assignments(&instruction.keyword, &instruction.args) {
                if value.trim().is_empty() || is_placeholder(&value) || secret_name(&name).is_none()
                {
                    continue;
                }
                findings.push(at_line(
                    &META,
                    &source.path,
                    instruction.line,
                    format!(
                        "`{} {name}` sets a literal secret ({} characters, value not shown): every copy of the image carries it",
                        instruction.keyword,
                        value.chars().count()
                    ),
                    format!("baked:{name}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::rules::testing::check;

    #[test]
    fn literal_secrets_in_env_and_arg_are_found_in_every_spelling() {
        let (found, _) = check(
            Rule::Dockerfile(&SecretInImageConfig),
            &[(
                "Dockerfile",
                "FROM node:20\nENV STRIPE_SECRET_KEY=sk_live_51HxQ2b7Kp9\nENV DB_PASSWORD s3cr3t-Pa55\nARG NPM_TOKEN=npm_q8W2e7R1t5Y3\nENV NODE_ENV=production JWT_SECRET=\"k9#Lm2$pQ7\"\n",
            )],
        );
        assert_eq!(
            found,
            [
                "Dockerfile:2",
                "Dockerfile:3",
                "Dockerfile:4",
                "Dockerfile:5"
            ]
        );
    }

    #[test]
    fn references_placeholders_empty_values_and_ordinary_names_pass() {
        let (found, _) = check(
            Rule::Dockerfile(&SecretInImageConfig),
            &[(
                "Dockerfile",
                "FROM node:20\nARG NPM_TOKEN\nENV API_KEY=${API_KEY}\nENV DB_PASSWORD=changeme\nENV NODE_ENV=production PORT=3000\nENV TOKEN_URL=https://auth.example/token\nENV SECRET_KEY=\n",
            )],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
