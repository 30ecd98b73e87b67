//! pip requirements files (`requirements*.txt`, and pip-tools' `.in` sources): one
//! requirement per logical line, with `\` continuations, comments, per-requirement `--hash`
//! options, editable installs, direct URLs and `-r`/`-c` includes.

use super::pep508::{self, url_source};
use super::{DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind};
use crate::ParseError;
use crate::text_position::LineIndex;
use crate::versions::RequirementSyntax;

/// Parses a requirements file.
pub fn parse(path: &str, text: &str, kind: ManifestKind) -> Result<Manifest, ParseError> {
    let mut manifest = Manifest::empty(path, kind);
    let dependency_kind = if is_dev_file(path) {
        DependencyKind::Development
    } else {
        DependencyKind::Production
    };
    let lines = LineIndex::new(text);
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);

    let mut annotations = ViaAnnotations::default();
    for (first_line, logical) in logical_lines(text) {
        let line = strip_comment(&logical);
        let comment = logical[line.len()..].trim_start_matches('#').trim();
        let line = line.trim();
        if line.is_empty() {
            annotations.comment(comment);
            continue;
        }
        if line.starts_with('-') {
            parse_option(line, dir, &mut manifest);
            if let Some(spec) = editable_spec(line) {
                let (name, source) = match spec_name(spec) {
                    Some(name) => (name, url_source(spec)),
                    None => (spec.to_string(), url_source(spec)),
                };
                manifest.dependencies.push(DeclaredDependency {
                    name,
                    requirement: spec.to_string(),
                    syntax: RequirementSyntax::Pep440,
                    kind: dependency_kind,
                    source,
                    has_hash: false,
                    span: Some(lines.line_span(first_line)),
                });
            }
            continue;
        }
        let (requirement, options) = split_options(line);
        annotations.finish(&mut manifest);
        let has_hash = options.iter().any(|option| option.starts_with("--hash"));
        let span = Some(lines.line_span(first_line));
        if let Some(parsed) = pep508::parse(requirement) {
            manifest.dependencies.push(DeclaredDependency {
                requirement: if parsed.source == DependencySource::Registry {
                    parsed.specifier
                } else {
                    requirement
                        .split_once('@')
                        .map_or("", |(_, url)| url)
                        .trim()
                        .to_string()
                },
                name: parsed.name,
                syntax: RequirementSyntax::Pep440,
                kind: dependency_kind,
                source: parsed.source,
                has_hash,
                span,
            });
            if let Some(dependency) = manifest.dependencies.last() {
                annotations.start(&dependency.name, comment);
            }
        } else if looks_like_location(requirement) {
            // A bare URL or path: pip installs whatever is there.
            manifest.dependencies.push(DeclaredDependency {
                name: spec_name(requirement).unwrap_or_else(|| requirement.to_string()),
                requirement: requirement.to_string(),
                syntax: RequirementSyntax::Pep440,
                kind: dependency_kind,
                source: url_source(requirement),
                has_hash,
                span,
            });
        } else {
            manifest.warnings.push(ParseError::at_line(
                path,
                first_line,
                format!("`{requirement}` is not a requirement pip understands; skipped"),
            ));
        }
    }
    annotations.finish(&mut manifest);
    Ok(manifest)
}

/// pip-compile's (and `uv pip compile`'s) annotations of why each pin is there:
/// `# via flask` on the pin's line or the next, or `# via` followed by one `#   name` line per
/// package; `-r requirements.in` (or `-c`) among them means the pin is a direct requirement.
#[derive(Debug, Default)]
struct ViaAnnotations {
    /// The pin being annotated, and what has been read for it.
    current: Option<(String, Vec<String>, bool)>,
    in_list: bool,
}

impl ViaAnnotations {
    fn start(&mut self, name: &str, same_line_comment: &str) {
        self.current = Some((name.to_string(), Vec::new(), false));
        self.in_list = false;
        self.comment(same_line_comment);
    }

    fn comment(&mut self, comment: &str) {
        let Some((_, parents, annotated)) = &mut self.current else {
            return;
        };
        if let Some(rest) = comment.strip_prefix("via") {
            let rest = rest.trim();
            *annotated = true;
            self.in_list = rest.is_empty();
            parents.extend(
                rest.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(String::from),
            );
        } else if self.in_list && !comment.is_empty() {
            parents.push(comment.to_string());
        } else {
            self.in_list = false;
        }
    }

    fn finish(&mut self, manifest: &mut Manifest) {
        self.in_list = false;
        let Some((name, parents, annotated)) = self.current.take() else {
            return;
        };
        let direct = parents
            .iter()
            .any(|p| p.starts_with("-r") || p.starts_with("-c"));
        if annotated && !direct && !parents.is_empty() {
            let parents = parents
                .into_iter()
                .map(|parent| parent.split_whitespace().next().unwrap_or("").to_string())
                .filter(|parent| !parent.is_empty())
                .collect();
            manifest.via.insert(name, parents);
        }
    }
}

/// Files named for development or tests hold no production dependencies.
fn is_dev_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    ["dev", "test", "lint", "doc", "ci", "local", "typing"]
        .iter()
        .any(|marker| {
            name.split(['-', '_', '.', '/'])
                .any(|part| part == *marker || part == format!("{marker}s"))
        })
}

/// Joins `\`-continued lines; yields (1-based first line, text).
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 1u32;
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if current.is_empty() {
            start = number;
        }
        let raw = raw.trim_end_matches('\r');
        if let Some(continued) = raw.strip_suffix('\\') {
            current.push_str(continued);
            current.push(' ');
        } else {
            current.push_str(raw);
            out.push((start, std::mem::take(&mut current)));
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// pip treats `#` as a comment at line start or after whitespace (a URL fragment has none).
fn strip_comment(line: &str) -> String {
    let mut previous_is_space = true;
    for (index, c) in line.char_indices() {
        if c == '#' && previous_is_space {
            return line[..index].to_string();
        }
        previous_is_space = c.is_whitespace();
    }
    line.to_string()
}

/// Splits `requirement --hash=… --config-settings …` into the requirement and its options.
fn split_options(line: &str) -> (&str, Vec<&str>) {
    match line.find(" -") {
        Some(index) => (
            line[..index].trim(),
            line[index..].split_whitespace().collect(),
        ),
        None => (line, Vec::new()),
    }
}

fn parse_option(line: &str, dir: &str, manifest: &mut Manifest) {
    let mut words = line.split_whitespace();
    let Some(flag) = words.next() else { return };
    let (flag, inline_value) = match flag.split_once('=') {
        Some((flag, value)) => (flag, Some(value)),
        None => (flag, None),
    };
    let value = inline_value.or_else(|| words.next());
    if matches!(flag, "-r" | "--requirement" | "-c" | "--constraint")
        && let Some(file) = value
    {
        let joined = if dir.is_empty() {
            file.to_string()
        } else {
            format!("{dir}/{file}")
        };
        if flag.starts_with("-c") || flag == "--constraint" {
            manifest.constraints.push(normalize_path(&joined));
        } else {
            manifest.includes.push(normalize_path(&joined));
        }
    }
}

fn editable_spec(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("--editable")
        .or_else(|| line.strip_prefix("-e"))?;
    let rest = rest.trim_start_matches('=').trim();
    (!rest.is_empty()).then_some(rest)
}

/// The name given by `#egg=name` in a URL, if any.
fn spec_name(spec: &str) -> Option<String> {
    spec.split_once("#egg=")
        .map(|(_, egg)| egg.split('&').next().unwrap_or(egg).to_string())
        .filter(|name| !name.is_empty())
}

fn looks_like_location(text: &str) -> bool {
    text.contains("://") || text.starts_with('.') || text.starts_with('/')
}

/// Resolves `.` and `..` in a relative path.
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pins_ranges_hashes_urls_and_includes() {
        let text = "\
# production requirements
-r base.txt
--index-url https://pypi.org/simple
flask==3.0.2 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
requests>=2.31  # comment
Django
-e git+https://github.com/o/r.git@main#egg=internal
pkg @ https://example.com/pkg.tar.gz#sha256=abc
numpy==1.26.*; python_version >= \"3.9\"
this is not valid
";
        let manifest =
            parse("api/requirements.txt", text, ManifestKind::RequirementsTxt).expect("parses");
        let names: Vec<&str> = manifest
            .dependencies
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec!["flask", "requests", "Django", "internal", "pkg", "numpy"]
        );
        let flask = &manifest.dependencies[0];
        assert_eq!(flask.requirement, "==3.0.2");
        assert!(flask.has_hash);
        assert_eq!(flask.span.map(|s| s.start_line), Some(4));
        assert_eq!(manifest.dependencies[1].requirement, ">=2.31");
        assert_eq!(manifest.dependencies[2].requirement, "");
        assert_eq!(
            manifest.dependencies[3].source,
            DependencySource::Git { pinned: false }
        );
        assert_eq!(manifest.dependencies[4].source, DependencySource::Url);
        assert_eq!(manifest.dependencies[5].requirement, "==1.26.*");
        assert_eq!(manifest.includes, vec!["api/base.txt"]);
        assert_eq!(manifest.warnings.len(), 1);
        assert_eq!(manifest.warnings[0].line, Some(12));
    }

    #[test]
    fn dev_files_hold_development_dependencies() {
        for path in [
            "requirements-dev.txt",
            "dev-requirements.txt",
            "requirements/test.txt",
        ] {
            let manifest = parse(path, "pytest\n", ManifestKind::RequirementsTxt).expect("parses");
            assert_eq!(
                manifest.dependencies[0].kind,
                DependencyKind::Development,
                "{path}"
            );
        }
        let prod = parse(
            "requirements/base.txt",
            "flask\n",
            ManifestKind::RequirementsTxt,
        )
        .expect("parses");
        assert_eq!(prod.dependencies[0].kind, DependencyKind::Production);
    }

    #[test]
    fn reads_pip_compile_via_annotations() {
        let text = "flask==2.0.1 \\
    --hash=sha256:aaaa
    # via -r requirements.in
jinja2==3.0.1
    # via flask
markupsafe==2.0.1
    # via
    #   jinja2
    #   werkzeug
itsdangerous==2.0.1  # via flask
click==8.0.1
";
        let manifest =
            parse("requirements.txt", text, ManifestKind::RequirementsTxt).expect("parses");
        assert_eq!(manifest.dependencies.len(), 5);
        let via: Vec<(&str, Vec<&str>)> = manifest
            .via
            .iter()
            .map(|(name, parents)| (name.as_str(), parents.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            via,
            vec![
                ("itsdangerous", vec!["flask"]),
                ("jinja2", vec!["flask"]),
                ("markupsafe", vec!["jinja2", "werkzeug"]),
            ]
        );
    }
}
