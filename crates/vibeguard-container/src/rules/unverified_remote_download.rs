//! VG603 unverified-remote-download: the build runs or adds code fetched from the network
//! without checking it — `curl … | sh`, `wget -O- … | bash`, `ADD https://…` without
//! `--checksum`.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::DockerfileRule;
use super::at_line;
use crate::{ContainerProject, DockerfileSource};

/// The rule.
#[derive(Debug)]
pub struct UnverifiedRemoteDownload;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG603"),
    name: Cow::Borrowed("unverified-remote-download"),
    engine: EngineId::Container,
    summary: Cow::Borrowed(
        "A Dockerfile pipes a downloaded script into a shell or ADDs a URL without a checksum",
    ),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[494, 829]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A `RUN` (heredoc bodies included) that pipes the output of `curl` or `wget` into \
             an interpreter (`sh`, `bash`, `zsh`, `python`, `perl`, `node`, `ruby`, `sudo sh`), \
             or runs `sh -c \"$(curl …)\"`; and an `ADD` of an `http(s)://` URL without \
             `--checksum=`.",
        ),
        why: Cow::Borrowed(
            "Whatever the server answers at build time runs as root in the image: a compromised \
             download host, a hijacked domain or a proxy on the build network owns every image \
             built from then on, and nothing records what was run.",
        ),
        example_bad: Cow::Borrowed(
            "RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\nADD https://example.com/tool.tar.gz /opt/",
        ),
        example_fixed: Cow::Borrowed(
            "ADD --checksum=sha256:<digest> https://example.com/tool.tar.gz /opt/\nRUN curl -fsSLo /tmp/i.sh https://example.com/i.sh \\\n && echo \"<sha256>  /tmp/i.sh\" | sha256sum -c - && sh /tmp/i.sh",
        ),
        fix: Cow::Borrowed(
            "Install from the distribution's packages or a pinned base image; otherwise download \
             to a file, verify its checksum or signature, then run it; give `ADD` a \
             `--checksum=`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/reference/dockerfile/#add---checksum"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/494.html"),
        ]),
    },
};

const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl", "node", "ruby", "php",
];

/// Whether a shell command pipes a download into an interpreter.
fn pipes_download_to_shell(command: &str) -> bool {
    for statement in command
        .split(['\n', ';'])
        .flat_map(|s| s.split("&&"))
        .flat_map(|s| s.split("||"))
    {
        let stages: Vec<&str> = statement.split('|').map(str::trim).collect();
        let downloads = |stage: &str| {
            stage
                .split_whitespace()
                .next()
                .is_some_and(|word| matches!(word.rsplit('/').next(), Some("curl" | "wget")))
        };
        if let Some(first) = stages.iter().position(|stage| downloads(stage))
            && stages[first + 1..].iter().any(|stage| {
                let mut words = stage.split_whitespace();
                let mut word = words.next().unwrap_or("");
                if word == "sudo" || word == "exec" || word == "env" {
                    word = words.next().unwrap_or("");
                }
                INTERPRETERS.contains(&word.rsplit('/').next().unwrap_or(word))
            })
        {
            return true;
        }
    }
    // `sh -c "$(curl -fsSL …)"`, `bash <(curl …)`.
    let squeezed = command.replace(' ', "");
    ["$(curl", "$(wget", "<(curl", "<(wget", "`curl", "`wget"]
        .iter()
        .any(|marker| squeezed.contains(marker))
        && INTERPRETERS.iter().any(|shell| {
            command
                .split_whitespace()
                .any(|word| word.rsplit('/').next() == Some(shell))
        })
}

impl DockerfileRule for UnverifiedRemoteDownload {
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
            let message = match instruction.keyword.as_str() {
                "RUN" if pipes_download_to_shell(&instruction.args) => {
                    "the build pipes a download into an interpreter: whatever the server answers runs as root in the image".to_string()
                }
                "ADD" => {
                    let (flags, rest) = instruction.split_flags();
                    let url = rest
                        .split_whitespace()
                        .find(|word| word.starts_with("http://") || word.starts_with("https://"));
                    match url {
                        Some(url) if !flags.iter().any(|f| f.starts_with("--checksum")) => {
                            format!("`ADD {url}` puts a download into the image without checking it (no --checksum)")
                        }
                        _ => continue,
                    }
                }
                _ => continue,
            };
            findings.push(at_line(
                &META,
                &source.path,
                instruction.line,
                message,
                format!("download:{}", instruction.args.lines().next().unwrap_or("")),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;
    use crate::rules::testing::check;

    #[test]
    fn downloads_piped_into_interpreters_and_unchecked_adds_are_found() {
        let (found, _) = check(
            Rule::Dockerfile(&UnverifiedRemoteDownload),
            &[(
                "Dockerfile",
                "FROM debian:12\nRUN apt-get update && curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\nRUN wget -qO- https://get.example.sh | sudo sh\nRUN sh -c \"$(curl -fsSL https://raw.example/install.sh)\"\nRUN <<EOF\nset -e\ncurl -sL https://x.example/i | /bin/bash\nEOF\nADD https://example.com/tool.tar.gz /opt/\n",
            )],
        );
        assert_eq!(
            found,
            [
                "Dockerfile:2",
                "Dockerfile:3",
                "Dockerfile:4",
                "Dockerfile:5",
                "Dockerfile:9"
            ]
        );
    }

    #[test]
    fn downloads_to_files_checked_adds_and_local_pipes_pass() {
        let (found, _) = check(
            Rule::Dockerfile(&UnverifiedRemoteDownload),
            &[(
                "Dockerfile",
                "FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://x.example/i.sh && sha256sum -c sums && sh /tmp/i.sh\nRUN cat script.sh | sh\nRUN curl -s https://api.example/health | jq .\nADD --checksum=sha256:abc https://example.com/t.tgz /opt/\nADD ./local /app\n",
            )],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
