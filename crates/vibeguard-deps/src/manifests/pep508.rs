//! PEP 508 dependency specifications (`name[extra]>=1.0; python_version<"3.11"`,
//! `name @ https://…`), shared by requirements files, pyproject.toml and Pipfile.

use super::DependencySource;

/// A parsed PEP 508 requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep508 {
    /// The project name as written.
    pub name: String,
    /// The version specifier set (`>=1.0,<2`), empty when none.
    pub specifier: String,
    /// Registry, or URL/git/path for `name @ url` forms.
    pub source: DependencySource,
}

/// Parses one requirement; `None` when it does not start with a project name.
pub fn parse(text: &str) -> Option<Pep508> {
    let text = text.trim();
    // Markers never change which version is pinned; drop them.
    let without_marker = text.split(';').next().unwrap_or("").trim();
    let name_len = without_marker
        .char_indices()
        .take_while(|(index, c)| {
            c.is_ascii_alphanumeric() || (*index > 0 && matches!(c, '-' | '_' | '.'))
        })
        .count();
    if name_len == 0 {
        return None;
    }
    let name = without_marker[..name_len].to_string();
    let mut rest = without_marker[name_len..].trim_start();
    if let Some(after_bracket) = rest.strip_prefix('[') {
        let close = after_bracket.find(']')?;
        rest = after_bracket[close + 1..].trim_start();
    }
    if let Some(url) = rest.strip_prefix('@') {
        return Some(Pep508 {
            name,
            specifier: String::new(),
            source: url_source(url.trim()),
        });
    }
    let specifier = rest
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("");
    if !specifier.is_empty() && !specifier.starts_with(['<', '>', '=', '!', '~']) {
        return None;
    }
    Some(Pep508 {
        name,
        specifier,
        source: DependencySource::Registry,
    })
}

/// The source a direct URL reference points at.
pub fn url_source(url: &str) -> DependencySource {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("git+") || lower.starts_with("git://") {
        DependencySource::Git {
            pinned: git_url_is_pinned(url),
        }
    } else if lower.starts_with("file:")
        || url.starts_with('.')
        || url.starts_with('/')
        || url.starts_with('~')
    {
        DependencySource::Path
    } else {
        DependencySource::Url
    }
}

/// Whether a git URL names a full commit: npm and Cargo style `…#<sha>`, or pip style
/// `…/repo.git@<sha>` (the `@` after the host, not the one of `git@host`).
pub fn git_url_is_pinned(url: &str) -> bool {
    let (base, fragment) = url.split_once('#').unwrap_or((url, ""));
    if is_commit_hash(fragment) {
        return true;
    }
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let path = after_scheme
        .split_once(['/', ':'])
        .map_or("", |(_, path)| path);
    path.rsplit_once('@')
        .is_some_and(|(_, reference)| is_commit_hash(reference))
}

/// Whether `text` is a full SHA-1 or SHA-256 commit id.
pub fn is_commit_hash(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_extras_specifiers_and_markers() {
        let parsed =
            parse("requests[security,socks] >= 2.8.1, == 2.8.* ; python_version < \"2.7\"")
                .expect("parses");
        assert_eq!(parsed.name, "requests");
        assert_eq!(parsed.specifier, ">=2.8.1,==2.8.*");
        assert_eq!(parse("Django").expect("parses").specifier, "");
        assert_eq!(parse("name (>=1.0)").expect("parses").specifier, ">=1.0");
        assert_eq!(parse("-e .").map(|p| p.name), None);
        assert_eq!(parse("flask 2.0"), None);
    }

    #[test]
    fn classifies_direct_references() {
        let git =
            parse("pkg @ git+https://github.com/o/r.git@0123456789abcdef0123456789abcdef01234567")
                .expect("parses");
        assert_eq!(git.source, DependencySource::Git { pinned: true });
        let branch = parse("pkg @ git+https://github.com/o/r.git@main").expect("parses");
        assert_eq!(branch.source, DependencySource::Git { pinned: false });
        assert!(git_url_is_pinned(
            "git+ssh://git@github.com/o/r.git#0123456789abcdef0123456789abcdef01234567"
        ));
        assert!(!git_url_is_pinned(
            "git+ssh://git@github.com/o/r.git#v1.2.3"
        ));
        assert!(!git_url_is_pinned("github:o/r"));
        let url = parse("pkg @ https://example.com/pkg-1.0.tar.gz").expect("parses");
        assert_eq!(url.source, DependencySource::Url);
        let local = parse("pkg @ file:///srv/pkg").expect("parses");
        assert_eq!(local.source, DependencySource::Path);
    }
}
