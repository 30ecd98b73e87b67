//! A Dockerfile read the way BuildKit reads it: parser directives (`# escape=`), line
//! continuations with the escape character, comment lines inside continuations, heredocs
//! (`RUN <<EOF … EOF`, `<<-` and quoted delimiters), instructions with their flags, and stages
//! (`FROM image AS name`). Build arguments declared before the first `FROM` fill `${NAME}`
//! references in `FROM` lines, as the builder does.

use std::collections::BTreeMap;

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The keyword in upper case (`RUN`, `COPY`, …).
    pub keyword: String,
    /// Everything after the keyword, continuations joined with a space, heredoc bodies after a
    /// newline.
    pub args: String,
    /// The 1-based line the instruction starts on.
    pub line: u32,
    /// The stage it belongs to (0 for instructions before the first `FROM`).
    pub stage: usize,
}

impl Instruction {
    /// The arguments without the leading `--flag` and `--flag=value` words, and the flags.
    pub fn split_flags(&self) -> (Vec<&str>, &str) {
        split_flags(&self.args)
    }
}

/// `--flag` and `--flag=value` words at the start of `args`, and the rest.
fn split_flags(args: &str) -> (Vec<&str>, &str) {
    let mut rest = args.trim_start();
    let mut flags = Vec::new();
    while rest.starts_with("--") {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        flags.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    (flags, rest)
}

/// One build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The base image as written, `${ARG}` references filled from the global build arguments
    /// where they have defaults.
    pub base: String,
    /// Its name (`AS builder`), lower-cased.
    pub name: Option<String>,
    /// The line of its `FROM`.
    pub line: u32,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// Every instruction, in order.
    pub instructions: Vec<Instruction>,
    /// Every stage, in order; the last is the image that is shipped.
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    /// Reads a Dockerfile. Never fails: a line that is not an instruction is skipped, as the
    /// builder would refuse it anyway and the rules only judge what it would build.
    pub fn parse(text: &str) -> Dockerfile {
        let lines: Vec<&str> = text.lines().collect();
        let mut escape = '\\';
        let mut index = 0;
        // Parser directives: `# key=value` lines at the very top.
        while index < lines.len() {
            let line = lines[index].trim();
            let Some(directive) = line.strip_prefix('#') else {
                break;
            };
            let Some((key, value)) = directive.split_once('=') else {
                break;
            };
            let key = key.trim().to_ascii_lowercase();
            if key.contains(char::is_whitespace) {
                break;
            }
            if key == "escape" {
                escape = match value.trim() {
                    "`" => '`',
                    _ => '\\',
                };
            }
            index += 1;
        }
        let mut file = Dockerfile::default();
        let mut global_args: BTreeMap<String, String> = BTreeMap::new();
        while index < lines.len() {
            let start = index;
            let first = lines[index].trim();
            index += 1;
            if first.is_empty() || first.starts_with('#') {
                continue;
            }
            // The logical line: continuations joined, comment and blank lines inside skipped.
            let mut logical = String::new();
            let mut current = first.to_string();
            loop {
                let trimmed = current.trim_end();
                match trimmed.strip_suffix(escape) {
                    Some(body) => {
                        logical.push_str(body.trim_end());
                        logical.push(' ');
                        // The next line that is neither blank nor a comment continues it.
                        let mut next = None;
                        while index < lines.len() {
                            let candidate = lines[index].trim();
                            index += 1;
                            if candidate.is_empty() || candidate.starts_with('#') {
                                continue;
                            }
                            next = Some(candidate.to_string());
                            break;
                        }
                        match next {
                            Some(next) => current = next,
                            None => break,
                        }
                    }
                    None => {
                        logical.push_str(trimmed);
                        break;
                    }
                }
            }
            let (keyword, args) = match logical.split_once(char::is_whitespace) {
                Some((keyword, args)) => (keyword.to_ascii_uppercase(), args.trim().to_string()),
                None => (logical.to_ascii_uppercase(), String::new()),
            };
            let mut args = args;
            // Heredocs: each `<<NAME` takes the lines up to one that is NAME.
            for (delimiter, strip_tabs) in heredoc_delimiters(&args) {
                let mut body = Vec::new();
                while index < lines.len() {
                    let raw = lines[index];
                    index += 1;
                    let candidate = if strip_tabs {
                        raw.trim_start_matches('\t')
                    } else {
                        raw
                    };
                    if candidate.trim_end() == delimiter {
                        break;
                    }
                    body.push(candidate);
                }
                args.push('\n');
                args.push_str(&body.join("\n"));
            }
            let line = u32::try_from(start + 1).unwrap_or(u32::MAX);
            if keyword == "ARG" && file.stages.is_empty() {
                for (name, value) in arg_defaults(&args) {
                    global_args.insert(name, value);
                }
            }
            if keyword == "FROM" {
                let (_, rest) = split_flags(&args);
                let mut words = rest.split_whitespace();
                let base = substitute(words.next().unwrap_or(""), &global_args);
                let name = match (words.next(), words.next()) {
                    (Some(as_word), Some(name)) if as_word.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                file.stages.push(Stage { base, name, line });
            }
            file.instructions.push(Instruction {
                keyword,
                args,
                line,
                stage: file.stages.len(),
            });
        }
        file
    }

    /// The instructions of stage `stage` (1-based, as [`Instruction::stage`]).
    pub fn stage_instructions(&self, stage: usize) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .filter(move |instruction| instruction.stage == stage)
    }

    /// Whether `base` names an earlier stage rather than an image.
    pub fn is_stage_name(&self, base: &str) -> bool {
        let base = base.to_ascii_lowercase();
        self.stages
            .iter()
            .any(|stage| stage.name.as_deref() == Some(base.as_str()))
    }
}

/// The heredoc delimiters an instruction opens: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, with
/// whether leading tabs are stripped from the body.
fn heredoc_delimiters(args: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut rest = args;
    while let Some(at) = rest.find("<<") {
        let after = &rest[at + 2..];
        let (strip_tabs, after) = match after.strip_prefix('-') {
            Some(after) => (true, after),
            None => (false, after),
        };
        let unquoted = after.trim_start_matches(['"', '\'']);
        let name: String = unquoted
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // `<<` followed by a word that starts with a letter: a shell's `<<<` or an arithmetic
        // shift is not a heredoc.
        if name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            found.push((name.clone(), strip_tabs));
        }
        rest = &after[name.len().min(after.len())..];
    }
    found
}

/// `ARG NAME=value` (several per line allowed): the names with defaults, quotes removed.
fn arg_defaults(args: &str) -> Vec<(String, String)> {
    args.split_whitespace()
        .filter_map(|word| word.split_once('='))
        .map(|(name, value)| {
            (
                name.to_string(),
                value.trim_matches(['"', '\'']).to_string(),
            )
        })
        .collect()
}

/// `${NAME}`, `${NAME:-default}` and `$NAME` filled from `values`; a reference with neither a
/// value nor a default is kept as written.
pub fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, default, used) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    let body = &inner[..end];
                    let (name, default) = match body.split_once(":-") {
                        Some((name, default)) => (name, Some(default)),
                        None => (body, None),
                    };
                    (name.to_string(), default.map(str::to_string), end + 2)
                }
                None => (String::new(), None, 0),
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let used = name.len();
            (name, None, used)
        };
        match values.get(&name).cloned().or(default) {
            Some(value) if !name.is_empty() => out.push_str(&value),
            _ => out.push_str(&rest[at..at + 1 + used]),
        }
        rest = &after[used..];
    }
    out.push_str(rest);
    out
}

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry and repository, e.g. `docker.io/library/node` or `node`.
    pub repository: &'a str,
    /// The tag, if any.
    pub tag: Option<&'a str>,
    /// The digest, if any (`sha256:…`).
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Splits `name[:tag][@digest]`; a registry's port (`host:5000/name`) is not a tag.
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let (name, digest) = match reference.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (reference, None),
        };
        let last_slash = name.rfind('/').map_or(0, |at| at + 1);
        match name[last_slash..].rfind(':') {
            Some(colon) => ImageRef {
                repository: &name[..last_slash + colon],
                tag: Some(&name[last_slash + colon + 1..]),
                digest,
            },
            None => ImageRef {
                repository: name,
                tag: None,
                digest,
            },
        }
    }

    /// The repository's last part, lower-cased (`node`, `postgres`).
    pub fn short_name(&self) -> String {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
            .to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_heredocs_and_stages_are_read_as_the_builder_reads_them() {
        let text = "# syntax=docker/dockerfile:1\nARG NODE=20\nFROM node:${NODE}-alpine AS build\nRUN apt-get update \\\n    # a comment inside\n    && apt-get install -y curl\nRUN <<EOF\ncurl -fsSL https://x.example/i.sh | sh\nEOF\nFROM --platform=linux/amd64 build\nUSER app\n";
        let file = Dockerfile::parse(text);
        assert_eq!(file.stages.len(), 2);
        assert_eq!(file.stages[0].base, "node:20-alpine");
        assert_eq!(file.stages[0].name.as_deref(), Some("build"));
        assert!(file.is_stage_name(&file.stages[1].base));
        let runs: Vec<&Instruction> = file
            .instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .collect();
        assert_eq!(runs[0].args, "apt-get update && apt-get install -y curl");
        assert_eq!(runs[0].line, 4);
        assert!(runs[1].args.contains("| sh"), "{:?}", runs[1].args);
        assert_eq!(
            file.instructions
                .last()
                .map(|i| (i.keyword.as_str(), i.stage)),
            Some(("USER", 2))
        );
    }

    #[test]
    fn the_escape_directive_changes_the_continuation_character() {
        let file = Dockerfile::parse(
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  c:\\\n",
        );
        assert_eq!(file.instructions[1].args, "dir c:\\");
    }

    #[test]
    fn image_references_split_into_repository_tag_and_digest() {
        let r = ImageRef::parse("registry.example:5000/team/api:1.2@sha256:abc");
        assert_eq!(
            (r.repository, r.tag, r.digest),
            (
                "registry.example:5000/team/api",
                Some("1.2"),
                Some("sha256:abc")
            )
        );
        let r = ImageRef::parse("registry.example:5000/team/api");
        assert_eq!(
            (r.repository, r.tag),
            ("registry.example:5000/team/api", None)
        );
        assert_eq!(ImageRef::parse("postgres:16").short_name(), "postgres");
    }

    #[test]
    fn arguments_fill_references_with_values_or_defaults() {
        let values = BTreeMap::from([("V".to_string(), "3.12".to_string())]);
        assert_eq!(substitute("python:${V}-slim", &values), "python:3.12-slim");
        assert_eq!(substitute("python:${X:-3.11}", &values), "python:3.11");
        assert_eq!(substitute("python:$V", &values), "python:3.12");
        assert_eq!(substitute("python:${UNSET}", &values), "python:${UNSET}");
    }
}
