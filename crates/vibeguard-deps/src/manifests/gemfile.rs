//! Bundler's `Gemfile`: `gem` declarations with their requirements, `group` blocks and
//! `git:`/`path:`/`github:` sources. A Gemfile is Ruby; this reads the declarative subset
//! Bundler documents, one statement per line, and ignores other Ruby.

use super::pep508::is_commit_hash;
use super::{DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind};
use crate::ParseError;
use crate::text_position::LineIndex;
use crate::versions::RequirementSyntax;

/// Parses a Gemfile.
pub fn parse(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let lines = LineIndex::new(text);
    let mut manifest = Manifest::empty(path, ManifestKind::Gemfile);
    // One entry per open `do` block: whether it is a development/test group.
    let mut blocks: Vec<bool> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "end" {
            blocks.pop();
            continue;
        }
        if line.ends_with(" do") || line.ends_with(" do |") || line.contains(" do |") {
            let is_dev_group = line.starts_with("group")
                && !line.contains(":production")
                && !line.contains(":default")
                && ["development", "test"].iter().any(|g| line.contains(g));
            blocks.push(is_dev_group);
            continue;
        }
        let Some(arguments) = line
            .strip_prefix("gem ")
            .or_else(|| line.strip_prefix("gem("))
        else {
            continue;
        };
        let (strings, options) = split_arguments(arguments);
        let Some(name) = strings.first() else {
            continue;
        };
        let mut groups = options
            .iter()
            .filter(|(key, _)| key == "group" || key == "groups")
            .peekable();
        let dev_inline = groups.peek().is_some()
            && groups.all(|(_, value)| {
                (value.contains("development") || value.contains("test"))
                    && !value.contains("production")
            });
        let option = |key: &str| {
            options
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim_matches(['"', '\'']).to_string())
        };
        let source = if option("git").or_else(|| option("github")).is_some() {
            let pinned = option("ref").is_some_and(|r| is_commit_hash(&r));
            DependencySource::Git { pinned }
        } else if option("path").is_some() {
            DependencySource::Path
        } else {
            DependencySource::Registry
        };
        manifest.dependencies.push(DeclaredDependency {
            name: name.clone(),
            requirement: strings[1..].join(", "),
            syntax: RequirementSyntax::RubyGems,
            kind: if dev_inline || blocks.iter().any(|dev| *dev) {
                DependencyKind::Development
            } else {
                DependencyKind::Production
            },
            source,
            has_hash: false,
            span: Some(lines.line_span(number)),
        });
    }
    Ok(manifest)
}

/// Splits `"rails", "~> 7.1", require: false, group: :test` into the leading string literals
/// and the `key: value` options.
fn split_arguments(arguments: &str) -> (Vec<String>, Vec<(String, String)>) {
    let mut strings = Vec::new();
    let mut options = Vec::new();
    for part in arguments.trim_end_matches(')').split(',') {
        let part = part.trim();
        if let Some(literal) = quoted(part) {
            if options.is_empty() {
                strings.push(literal);
            }
        } else if let Some((key, value)) = part.split_once(':').filter(|(k, _)| !k.contains(' ')) {
            options.push((key.trim().to_string(), value.trim().to_string()));
        } else if let Some((key, value)) = part.split_once("=>") {
            let key = key.trim().trim_start_matches(':').trim_matches(['"', '\'']);
            options.push((key.to_string(), value.trim().to_string()));
        }
    }
    (strings, options)
}

fn quoted(part: &str) -> Option<String> {
    let part = part.trim();
    let quote = part.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = part.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gems_requirements_groups_and_sources() {
        let text = r#"source "https://rubygems.org"

gem "rails", "~> 7.1", ">= 7.1.3"
gem 'pg', require: false
gem "internal", git: "https://github.com/o/internal.git", ref: "0123456789abcdef0123456789abcdef01234567"

group :development, :test do
  gem "rspec-rails", "~> 6.1"
end

gem "rubocop", group: :development
"#;
        let manifest = parse("Gemfile", text).expect("parses");
        let summary: Vec<(&str, &str, DependencyKind)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.requirement.as_str(), d.kind))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("rails", "~> 7.1, >= 7.1.3", DependencyKind::Production),
                ("pg", "", DependencyKind::Production),
                ("internal", "", DependencyKind::Production),
                ("rspec-rails", "~> 6.1", DependencyKind::Development),
                ("rubocop", "", DependencyKind::Development),
            ]
        );
        assert_eq!(
            manifest.dependencies[2].source,
            DependencySource::Git { pinned: true }
        );
    }
}
