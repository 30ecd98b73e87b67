//! VG607 compose-host-access: a Compose service is given the host — `privileged: true`, the
//! host's network or process namespace, the Docker socket mounted, or `cap_add: [ALL]` /
//! `SYS_ADMIN`.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::ComposeRule;
use super::at_line;
use crate::ComposeSource;
use crate::compose::{key_line, text_line};

/// The rule.
#[derive(Debug)]
pub struct ComposeHostAccess;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG607"),
    name: Cow::Borrowed("compose-host-access"),
    engine: EngineId::Container,
    summary: Cow::Borrowed(
        "A Compose service runs privileged, in the host's network or PID namespace, or with the Docker socket",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[250, 269]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A service of a Compose file with `privileged: true`, `network_mode: host`, \
             `pid: host`, `ipc: host`, a volume whose source is the Docker socket \
             (`/var/run/docker.sock`, `/run/docker.sock`), or `cap_add` holding `ALL` or \
             `SYS_ADMIN`. One finding per service and setting.",
        ),
        why: Cow::Borrowed(
            "Each of these hands the container the host: a privileged container or one with the \
             Docker socket can start a container that mounts `/` and own the machine; the host's \
             network namespace reaches every service bound to localhost. A bug in the app is \
             then a compromise of the server.",
        ),
        example_bad: Cow::Borrowed(
            "services:\n  app:\n    privileged: true\n    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]",
        ),
        example_fixed: Cow::Borrowed(
            "services:\n  app:\n    cap_drop: [ALL]\n    read_only: true\n    security_opt: [\"no-new-privileges:true\"]",
        ),
        fix: Cow::Borrowed(
            "Remove the setting; grant the one capability a service needs (`cap_add: \
             [NET_BIND_SERVICE]`), publish ports instead of the host network, and give a \
             service that must talk to Docker a socket proxy with a narrow allow-list.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/reference/compose-file/services/"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html",
            ),
        ]),
    },
};

impl ComposeRule for ComposeHostAccess {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, compose: &ComposeSource, findings: &mut Vec<Finding>) {
        for service in &compose.services {
            let mut grants: Vec<(String, u32)> = Vec::new();
            let line = |key: &str| key_line(&compose.text, key, service.line);
            if service.setting("privileged").as_deref() == Some("true") {
                grants.push((
                    "runs privileged (`privileged: true`)".into(),
                    line("privileged"),
                ));
            }
            for (key, what) in [
                ("network_mode", "network"),
                ("pid", "process"),
                ("ipc", "IPC"),
            ] {
                if service.setting(key).as_deref() == Some("host") {
                    grants.push((
                        format!("shares the host's {what} namespace (`{key}: host`)"),
                        line(key),
                    ));
                }
            }
            for source in service.volume_sources() {
                if source.trim_end_matches('/').ends_with("docker.sock") {
                    grants.push((
                        format!("mounts the Docker socket (`{source}`): it can start a container that owns the host"),
                        text_line(&compose.text, "docker.sock", service.line),
                    ));
                }
            }
            for capability in service.list("cap_add") {
                let bare = capability.trim_start_matches("CAP_").to_ascii_uppercase();
                if bare == "ALL" || bare == "SYS_ADMIN" {
                    grants.push((
                        format!("adds the capability `{capability}`"),
                        line("cap_add"),
                    ));
                }
            }
            for (what, line) in grants {
                findings.push(at_line(
                    &META,
                    &compose.path,
                    line,
                    format!("the service `{}` {what}", service.name),
                    format!("host:{}:{what}", service.name),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Applicability;
    use crate::rules::testing::check;
    use crate::rules::{NO_COMPOSE, Rule};

    #[test]
    fn every_way_of_handing_a_service_the_host_is_found_and_narrow_settings_pass() {
        let (found, _) = check(
            Rule::Compose(&ComposeHostAccess),
            &[(
                "docker-compose.yml",
                "services:\n  app:\n    image: node:20\n    privileged: true\n    network_mode: host\n  agent:\n    image: portainer/agent:2.21\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n    cap_add: [SYS_ADMIN]\n  web:\n    image: nginx:1.27\n    cap_add: [NET_BIND_SERVICE]\n    network_mode: bridge\n    volumes: [\"./site:/usr/share/nginx/html:ro\"]\n",
            )],
        );
        assert_eq!(
            found,
            [
                "docker-compose.yml:4",
                "docker-compose.yml:5",
                "docker-compose.yml:9",
                "docker-compose.yml:10"
            ]
        );
        assert_eq!(
            check(
                Rule::Compose(&ComposeHostAccess),
                &[("Dockerfile", "FROM x:1\n")]
            )
            .1,
            Applicability::Absent(NO_COMPOSE)
        );
    }
}
