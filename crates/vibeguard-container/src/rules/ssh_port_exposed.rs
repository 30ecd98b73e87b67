//! VG606 ssh-port-exposed: the image declares port 22 (`EXPOSE 22`): an SSH server inside a
//! container.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::DockerfileRule;
use super::at_line;
use crate::{ContainerProject, DockerfileSource};

/// The rule.
#[derive(Debug)]
pub struct SshPortExposed;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG606"),
    name: Cow::Borrowed("ssh-port-exposed"),
    engine: EngineId::Container,
    summary: Cow::Borrowed("A Dockerfile exposes port 22: an SSH server runs in the container"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[1188]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed("`EXPOSE 22` (or `22/tcp`, or a range holding 22) in any stage."),
        why: Cow::Borrowed(
            "An SSH daemon in an application container is one more service to attack, with its \
             own keys and passwords baked into the image, and a way around the orchestrator's \
             access control and audit log.",
        ),
        example_bad: Cow::Borrowed("RUN apt-get install -y openssh-server\nEXPOSE 22"),
        example_fixed: Cow::Borrowed(
            "# debug with `docker exec` / `kubectl exec` instead\nEXPOSE 3000",
        ),
        fix: Cow::Borrowed(
            "Remove the SSH server; get a shell through the runtime (`docker exec`, `kubectl \
             exec`) when you need one.",
        ),
        references: Cow::Borrowed(&[Cow::Borrowed(
            "https://docs.docker.com/reference/dockerfile/#expose",
        )]),
    },
};

fn includes_22(port: &str) -> bool {
    let port = port.split('/').next().unwrap_or(port);
    match port.split_once('-') {
        Some((low, high)) => match (low.parse::<u32>(), high.parse::<u32>()) {
            (Ok(low), Ok(high)) => (low..=high).contains(&22),
            _ => false,
        },
        None => port == "22",
    }
}

impl DockerfileRule for SshPortExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(
        &self,
        source: &DockerfileSource,
        _project: &ContainerProject<'_>,
        findings: &mut Vec<Finding>,
    ) {
        for instruction in source
            .file
            .instructions
            .iter()
            .filter(|i| i.keyword == "EXPOSE")
        {
            if instruction.args.split_whitespace().any(includes_22) {
                findings.push(at_line(
                    &META,
                    &source.path,
                    instruction.line,
                    format!(
                        "`EXPOSE {}` declares SSH's port: an SSH server in the container",
                        instruction.args
                    ),
                    "ssh".into(),
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
    fn port_22_is_found_alone_with_a_protocol_or_in_a_range_and_other_ports_pass() {
        let (found, _) = check(
            Rule::Dockerfile(&SshPortExposed),
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nEXPOSE 8080 22/tcp\nEXPOSE 20-25\n",
                ),
                ("b/Dockerfile", "FROM node:20\nEXPOSE 3000 2222 220\n"),
            ],
        );
        assert_eq!(found, ["Dockerfile:2", "Dockerfile:3"]);
    }
}
