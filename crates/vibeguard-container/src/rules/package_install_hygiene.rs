//! VG613 package-install-hygiene: a `RUN` installs packages the way that leaves the image
//! bigger and less reproducible than it must be — Python packages without a version
//! (`pip install flask`: whatever is newest on the day of the build, including a hijacked
//! release), and, in the stage that ships, the package manager's index and download caches
//! left in the layer (`apt-get install` without removing `/var/lib/apt/lists`, `apk add`
//! without `--no-cache`, `pip install` without `--no-cache-dir`, `dnf`/`yum install` without
//! `clean all`). A cache mount (`RUN --mount=type=cache`) keeps caches out of the layer and
//! counts as cleaned.
//!
//! Distribution packages (`apt-get install curl`) are not asked for exact versions: the
//! distribution's archive drops old versions, so exact pins break builds; the base image's
//! tag (VG601) is what pins them.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::DockerfileRule;
use super::at_line;
use crate::{ContainerProject, DockerfileSource};

/// The rule.
#[derive(Debug)]
pub struct PackageInstallHygiene;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG613"),
    name: Cow::Borrowed("package-install-hygiene"),
    engine: EngineId::Container,
    summary: Cow::Borrowed(
        "A Dockerfile installs unpinned Python packages or leaves package caches in the image",
    ),
    severity: Severity::Low,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[1357]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Deps01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A `RUN` instruction runs `pip install NAME` without a version (`==`, `@ URL`; \
             requirement files, local paths and constraints files are fine), or — in the last \
             stage, the image that ships — installs with apt, apk, pip, dnf or yum and leaves \
             the package index or download cache in the same layer (no `rm -rf \
             /var/lib/apt/lists/*`, no `apk add --no-cache`, no `pip --no-cache-dir` or \
             `PIP_NO_CACHE_DIR`, no `dnf clean all`, and no cache mount).",
        ),
        why: Cow::Borrowed(
            "An unpinned `pip install` builds a different image every day: the newest release \
             of every package, a compromised one included, and no lockfile says which. Caches \
             left in a layer ship stale package indexes and megabytes of downloads in every \
             copy of the image; a later `rm` in another layer does not take them out.",
        ),
        example_bad: Cow::Borrowed(
            "RUN apt-get update && apt-get install -y curl\nRUN pip install flask gunicorn",
        ),
        example_fixed: Cow::Borrowed(
            "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt",
        ),
        fix: Cow::Borrowed(
            "Install Python packages from a pinned requirements file (`pip install -r \
             requirements.txt` with `==` pins or hashes), and clean up in the same `RUN` that \
             installs: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install \
             --no-cache-dir`, `dnf clean all` — or use `RUN --mount=type=cache`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://docs.docker.com/build/building/best-practices/#apt-get"),
            Cow::Borrowed("https://pip.pypa.io/en/stable/topics/secure-installs/"),
        ]),
    },
};

/// One shell statement's words, `sudo`/`env` dropped.
fn statements(command: &str) -> Vec<Vec<&str>> {
    command
        .split(['\n', ';', '|'])
        .flat_map(|s| s.split("&&"))
        .map(|statement| {
            let mut words: Vec<&str> = statement.split_whitespace().collect();
            while matches!(words.first(), Some(&"sudo") | Some(&"env") | Some(&"exec")) {
                words.remove(0);
            }
            words
        })
        .filter(|words| !words.is_empty())
        .collect()
}

fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// `pip install …`, `pip3 install …`, `python -m pip install …`: the words after `install`.
fn pip_install<'a>(words: &[&'a str]) -> Option<Vec<&'a str>> {
    let at = match program(words[0]) {
        name if name.starts_with("pip") => 1,
        name if name.starts_with("python") && words.get(1) == Some(&"-m") => {
            if words.get(2).map(|w| w.starts_with("pip")) != Some(true) {
                return None;
            }
            3
        }
        _ => return None,
    };
    (words.get(at) == Some(&"install")).then(|| words[at + 1..].to_vec())
}

/// The packages of a `pip install` named without a version.
fn unpinned_pip_packages<'a>(args: &[&'a str]) -> Vec<&'a str> {
    const WITH_VALUE: [&str; 14] = [
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-t",
        "--target",
        "--prefix",
        "-f",
        "--find-links",
    ];
    let mut unpinned = Vec::new();
    let mut skip_next = false;
    for word in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if word.starts_with('-') {
            skip_next = WITH_VALUE.contains(word);
            continue;
        }
        let bare = word.trim_matches(['"', '\'']);
        let local = bare.starts_with('.')
            || bare.starts_with('/')
            || bare.contains("://")
            || bare.ends_with(".whl")
            || bare.ends_with(".tar.gz")
            || bare.contains('$');
        let pinned = bare.contains("==") || bare.contains('@');
        if !local && !pinned {
            unpinned.push(bare);
        }
    }
    unpinned
}

impl DockerfileRule for PackageInstallHygiene {
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
        let last_stage = file.stages.len();
        let pip_cache_off = file.instructions.iter().any(|instruction| {
            matches!(instruction.keyword.as_str(), "ENV" | "ARG")
                && instruction.args.contains("PIP_NO_CACHE_DIR")
        });
        for instruction in file.instructions.iter().filter(|i| i.keyword == "RUN") {
            let (flags, command) = instruction.split_flags();
            let cache_mount = flags.iter().any(|flag| flag.contains("type=cache"));
            let ships = instruction.stage == last_stage && !cache_mount;
            let mut problems: Vec<String> = Vec::new();
            for words in statements(command) {
                if let Some(args) = pip_install(&words) {
                    let unpinned = unpinned_pip_packages(&args);
                    if !unpinned.is_empty() {
                        problems.push(format!(
                            "`pip install {}` without a version",
                            unpinned.join(" ")
                        ));
                    }
                    if ships && !pip_cache_off && !args.contains(&"--no-cache-dir") {
                        problems.push("pip's cache left in the layer (no --no-cache-dir)".into());
                    }
                    continue;
                }
                if !ships {
                    continue;
                }
                let tool = program(words[0]);
                let installs = words.iter().skip(1).any(|w| *w == "install" || *w == "add");
                if !installs {
                    continue;
                }
                let problem = match tool {
                    "apt-get" | "apt"
                        if words.contains(&"install")
                            && !command.contains("/var/lib/apt/lists") =>
                    {
                        "apt's package lists left in the layer (no rm -rf /var/lib/apt/lists/*)"
                    }
                    "apk"
                        if words.contains(&"add")
                            && !words.contains(&"--no-cache")
                            && !command.contains("/var/cache/apk") =>
                    {
                        "apk's cache left in the layer (no --no-cache)"
                    }
                    "dnf" | "yum" | "microdnf"
                        if words.contains(&"install")
                            && !command.contains("clean all")
                            && !command.contains("/var/cache/dnf")
                            && !command.contains("/var/cache/yum") =>
                    {
                        "the dnf/yum cache left in the layer (no clean all)"
                    }
                    _ => continue,
                };
                if !problems.iter().any(|p| p == problem) {
                    problems.push(problem.to_string());
                }
            }
            if problems.is_empty() {
                continue;
            }
            findings.push(at_line(
                &META,
                &source.path,
                instruction.line,
                problems.join("; "),
                format!("install:{}", command.lines().next().unwrap_or("")),
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
    fn unpinned_pip_installs_and_caches_left_in_the_shipped_image_are_found() {
        let (found, _) = check(
            Rule::Dockerfile(&PackageInstallHygiene),
            &[(
                "Dockerfile",
                "FROM python:3.12-slim\n\
                 RUN apt-get update && apt-get install -y curl\n\
                 RUN pip install flask gunicorn==22.0.0\n\
                 RUN python3 -m pip install --no-cache-dir requests\n\
                 RUN apk add git\n\
                 RUN sudo dnf install -y gcc\n",
            )],
        );
        assert_eq!(
            found,
            [
                "Dockerfile:2",
                "Dockerfile:3",
                "Dockerfile:4",
                "Dockerfile:5",
                "Dockerfile:6"
            ]
        );
    }

    #[test]
    fn clean_installs_build_stages_and_cache_mounts_pass() {
        let (found, _) = check(
            Rule::Dockerfile(&PackageInstallHygiene),
            &[(
                "Dockerfile",
                "FROM python:3.12 AS build\n\
                 RUN apt-get update && apt-get install -y build-essential\n\
                 RUN pip install -r requirements.txt\n\
                 FROM python:3.12-slim\n\
                 ENV PIP_NO_CACHE_DIR=1\n\
                 RUN apt-get update \\\n  && apt-get install -y --no-install-recommends libpq5 \\\n  && rm -rf /var/lib/apt/lists/*\n\
                 RUN pip install -r requirements.txt -c constraints.txt . 'uvicorn==0.30.1'\n\
                 RUN --mount=type=cache,target=/root/.cache/pip pip install -e .\n\
                 RUN apk add --no-cache tini\n\
                 RUN dnf install -y nginx && dnf clean all\n\
                 RUN pip install git+https://example.com/repo.git@v1.2 ./wheels/app-1.0.whl\n",
            )],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
