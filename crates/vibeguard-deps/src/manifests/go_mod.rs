//! Go's `go.mod`: `require` directives, single-line or in blocks. go.mod versions are exact:
//! since Go 1.17 it lists every module the build uses, at the version minimal version selection
//! picked, with `// indirect` on those only other modules need. `replace` directives swap a
//! module for another module version or a local folder.

use super::{DeclaredDependency, DependencyKind, DependencySource, Manifest, ManifestKind};
use crate::ParseError;
use crate::text_position::LineIndex;
use crate::versions::RequirementSyntax;

/// Parses a go.mod.
pub fn parse(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let lines = LineIndex::new(text);
    let mut manifest = Manifest::empty(path, ManifestKind::GoMod);
    let mut block: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let (code, comment) = raw.split_once("//").unwrap_or((raw, ""));
        let line = code.trim();
        let indirect = comment.trim() == "indirect" || comment.trim().starts_with("indirect;");
        if line.is_empty() {
            continue;
        }
        if let Some(directive) = &block {
            if line == ")" {
                block = None;
                continue;
            }
            match directive.as_str() {
                "require" => add_requirement(&mut manifest, path, line, number, &lines, indirect)?,
                "replace" => add_replacement(&mut manifest, line),
                _ => {}
            }
            continue;
        }
        let (directive, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        if rest == "(" {
            block = Some(directive.to_string());
        } else if directive == "require" {
            add_requirement(&mut manifest, path, rest, number, &lines, indirect)?;
        } else if directive == "replace" {
            add_replacement(&mut manifest, rest);
        }
    }
    if block.is_some() {
        return Err(ParseError::new(path, "a `(` block is never closed"));
    }
    Ok(manifest)
}

fn add_requirement(
    manifest: &mut Manifest,
    path: &str,
    line: &str,
    number: u32,
    lines: &LineIndex<'_>,
    indirect: bool,
) -> Result<(), ParseError> {
    let mut words = line.split_whitespace();
    let (Some(module), Some(version)) = (words.next(), words.next()) else {
        return Err(ParseError::at_line(
            path,
            number,
            format!("`{line}` is not `module version`"),
        ));
    };
    manifest.dependencies.push(DeclaredDependency {
        name: module.trim_matches('"').to_string(),
        requirement: version.to_string(),
        syntax: RequirementSyntax::Exact,
        kind: DependencyKind::Production,
        source: DependencySource::Registry,
        has_hash: false,
        span: Some(lines.line_span(number)),
    });
    if indirect {
        manifest
            .via
            .insert(module.trim_matches('"').to_string(), Vec::new());
    }
    Ok(())
}

/// `old [version] => new version` or `old [version] => ./local/path`.
fn add_replacement(manifest: &mut Manifest, line: &str) {
    let Some((old, new)) = line.split_once("=>") else {
        return;
    };
    let Some(old_module) = old.split_whitespace().next() else {
        return;
    };
    let mut new_words = new.split_whitespace();
    let target = match (new_words.next(), new_words.next()) {
        (Some(module), Some(version)) => Some((module.to_string(), version.to_string())),
        _ => None,
    };
    manifest
        .replaced
        .insert(old_module.trim_matches('"').to_string(), target);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_single_and_block_requires() {
        let text = "module example.com/app\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.9.1\n\nrequire (\n\tgolang.org/x/crypto v0.21.0 // indirect\n\tgithub.com/lib/pq v1.10.9\n)\n\nreplace example.com/old => ../old\n";
        let manifest = parse("go.mod", text).expect("parses");
        let summary: Vec<(&str, &str)> = manifest
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.requirement.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("github.com/gin-gonic/gin", "v1.9.1"),
                ("golang.org/x/crypto", "v0.21.0"),
                ("github.com/lib/pq", "v1.10.9"),
            ]
        );
        assert_eq!(manifest.dependencies[2].span.map(|s| s.start_line), Some(9));
        assert_eq!(
            manifest.via.keys().collect::<Vec<_>>(),
            vec!["golang.org/x/crypto"]
        );
        assert_eq!(manifest.replaced.get("example.com/old"), Some(&None));
    }

    #[test]
    fn reads_replacements_in_blocks() {
        let text = "module m

require github.com/a/b v1.0.0

replace (
	github.com/a/b v1.0.0 => github.com/fork/b v1.0.1
)
";
        let manifest = parse("go.mod", text).expect("parses");
        assert_eq!(
            manifest.replaced.get("github.com/a/b"),
            Some(&Some((
                "github.com/fork/b".to_string(),
                "v1.0.1".to_string()
            )))
        );
    }

    #[test]
    fn rejects_unclosed_blocks_and_bad_lines() {
        assert!(parse("go.mod", "require (\n a v1\n").is_err());
        assert_eq!(
            parse("go.mod", "module m\nrequire onlyname\n")
                .expect_err("bad")
                .line,
            Some(2)
        );
    }
}
