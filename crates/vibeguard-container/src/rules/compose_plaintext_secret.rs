//! VG609 compose-plaintext-secret: a Compose service's environment writes a password, key or
//! token in clear instead of taking it from the environment or a secret.

use std::borrow::Cow;

use vibeguard_core::secret_names::{is_placeholder, secret_name};
use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::ComposeRule;
use super::at_line;
use crate::ComposeSource;
use crate::compose::{key_line, text_line};

/// The rule.
#[derive(Debug)]
pub struct ComposePlaintextSecret;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG609"),
    name: Cow::Borrowed("compose-plaintext-secret"),
    engine: EngineId::Container,
    summary: Cow::Borrowed("A Compose file writes a password or key in a service's environment"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[798, 260]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Data03, ChecklistId::Data04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "An `environment` entry of a service (map or `NAME=value` list) whose name is \
             secret-named (`POSTGRES_PASSWORD`, `MYSQL_ROOT_PASSWORD`, `JWT_SECRET`, \
             `STRIPE_KEY`) and whose value is a literal: not empty, not `${VAR}` (taken from the \
             shell or an `.env` file Compose reads), not a placeholder. The value is never \
             printed.",
        ),
        why: Cow::Borrowed(
            "The Compose file is committed: the database password in it is in every clone and \
             fork, and it is usually the production one too, because the file that works \
             locally is the file that gets deployed.",
        ),
        example_bad: Cow::Borrowed("    environment:\n      POSTGRES_PASSWORD: supersecret123"),
        example_fixed: Cow::Borrowed(
            "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}\n    # or: secrets: [db_password] with POSTGRES_PASSWORD_FILE",
        ),
        fix: Cow::Borrowed(
            "Take the value from the environment (`${POSTGRES_PASSWORD:?}` with an ignored \
             `.env`) or a Compose secret (`POSTGRES_PASSWORD_FILE=/run/secrets/db_password`), \
             and change the password that was committed.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/compose/how-tos/use-secrets/"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/798.html"),
        ]),
    },
};

impl ComposeRule for ComposePlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, compose: &ComposeSource, findings: &mut Vec<Finding>) {
        for service in &compose.services {
            for (name, value) in service.environment() {
                let Some(value) = value else { continue };
                if value.trim().is_empty()
                    || value.contains('$')
                    || is_placeholder(&value)
                    || secret_name(&name).is_none()
                    // `POSTGRES_PASSWORD_FILE=/run/secrets/x` names where the secret is.
                    || name.to_ascii_uppercase().ends_with("_FILE")
                {
                    continue;
                }
                let line = match key_line(&compose.text, &name, service.line) {
                    line if line != service.line => line,
                    _ => text_line(&compose.text, &format!("{name}="), service.line),
                };
                findings.push(at_line(
                    &META,
                    &compose.path,
                    line,
                    format!(
                        "the service `{}` sets `{name}` to a literal ({} characters, value not shown) in the committed Compose file",
                        service.name,
                        value.chars().count()
                    ),
                    format!("plaintext:{}:{name}", service.name),
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
    fn literal_secrets_are_found_in_maps_and_lists_and_references_pass() {
        let (found, _) = check(
            Rule::Compose(&ComposePlaintextSecret),
            &[(
                "docker-compose.yml",
                "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: supersecret123\n  api:\n    image: node:20\n    environment:\n      - NODE_ENV=production\n      - JWT_SECRET=9fK2mQ7xL4pR8vB1\n      - DB_PASSWORD=${DB_PASSWORD}\n      - STRIPE_KEY\n  other:\n    image: mysql:8\n    environment:\n      MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD:?set it}\n      MYSQL_PASSWORD_FILE: /run/secrets/db\n      MYSQL_PASSWORD: changeme\n",
            )],
        );
        assert_eq!(found, ["docker-compose.yml:6", "docker-compose.yml:11"]);
    }
}
