//! The languages the code engine reads, and which files are theirs.

use std::fmt;

/// A source language (a grammar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// JavaScript, including JSX, ES modules and CommonJS.
    JavaScript,
    /// TypeScript.
    TypeScript,
    /// TypeScript with JSX.
    Tsx,
    /// Python 3.
    Python,
    /// Ruby (Rails apps): lowered into the program model like the others; the rules that do
    /// not read Ruby yet say so ([`crate::rules::CodeRule::reads`]).
    Ruby,
    /// Go: lowered into the program model like the others; the rules that do not read Go yet
    /// say so ([`crate::rules::CodeRule::reads`]).
    Go,
}

impl Language {
    /// The language of a file, from its name; `None` for files the engine does not read
    /// (including TypeScript declaration files, which hold no code).
    pub fn of_path(path: &str) -> Option<Language> {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        let extension = name.rsplit_once('.')?.1;
        match extension {
            "js" | "jsx" | "mjs" | "cjs" => Some(Language::JavaScript),
            "ts" | "mts" | "cts" => Some(Language::TypeScript),
            "tsx" => Some(Language::Tsx),
            "py" | "pyw" => Some(Language::Python),
            "rb" => Some(Language::Ruby),
            "go" => Some(Language::Go),
            _ => None,
        }
    }

    /// The tree-sitter grammar.
    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
        }
    }

    /// JavaScript or TypeScript.
    pub fn is_javascript_family(self) -> bool {
        matches!(
            self,
            Language::JavaScript | Language::TypeScript | Language::Tsx
        )
    }

    /// Ruby.
    pub fn is_ruby(self) -> bool {
        matches!(self, Language::Ruby)
    }

    /// Go.
    pub fn is_go(self) -> bool {
        matches!(self, Language::Go)
    }

    /// Every language, for tests of the grammars.
    pub const ALL: [Language; 6] = [
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Python,
        Language::Ruby,
        Language::Go,
    ];
}

/// The name a Go import path binds when no name is given: the last path element, without a
/// `/vN` version suffix or a `go-`/`-go` decoration.
pub fn go_package_name(path: &str) -> &str {
    let mut segments = path.rsplit('/');
    let mut last = segments.next().unwrap_or(path);
    // `github.com/go-chi/chi/v5`: the version suffix is not the package.
    if last.len() >= 2
        && last.starts_with('v')
        && last[1..].bytes().all(|c| c.is_ascii_digit())
        && let Some(previous) = segments.next()
    {
        last = previous;
    }
    // `gopkg.in/yaml.v3`
    if let Some((name, version)) = last.rsplit_once(".v")
        && !version.is_empty()
        && version.bytes().all(|c| c.is_ascii_digit())
    {
        last = name;
    }
    // `github.com/dgrijalva/jwt-go` is package `jwt`, `github.com/mattn/go-sqlite3` `sqlite3`.
    let last = last.strip_suffix("-go").unwrap_or(last);
    let last = last.strip_prefix("go-").unwrap_or(last);
    last.rsplit('-').next().unwrap_or(last)
}

/// A qualified Go name from its package's name on: `github.com/dgrijalva/jwt-go.Parse` →
/// `jwt.Parse`, `net/http.Get` → `http.Get` (the path's last element is not always the package's
/// name).
pub fn go_qualified_tail(qualified: &str) -> String {
    let tail = qualified.rsplit('/').next().unwrap_or(qualified);
    match tail.split_once('.') {
        Some((package, rest)) => format!("{}.{rest}", go_package_name(package)),
        None => tail.to_string(),
    }
}

/// A Go type as written in `module` with its package named by the package's own name rather
/// than the file's alias for it: `*g.Context` with `g "github.com/gin-gonic/gin"` is
/// `*gin.Context`.
pub fn canonical_go_type(module: &crate::ir::Module, annotation: &str) -> String {
    let pointer = annotation.len() - annotation.trim_start_matches('*').len();
    let bare = &annotation[pointer..];
    match bare.split_once('.') {
        Some((qualifier, name)) => match module.import_of(qualifier) {
            Some(import) => format!(
                "{}{}.{name}",
                &annotation[..pointer],
                go_package_name(&import.source)
            ),
            None => annotation.to_string(),
        },
        None => annotation.to_string(),
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Language::JavaScript => "JavaScript",
            Language::TypeScript => "TypeScript",
            Language::Tsx => "TSX",
            Language::Python => "Python",
            Language::Ruby => "Ruby",
            Language::Go => "Go",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_loads_into_this_tree_sitter() {
        // Grammar crates do not depend on the core crate, so an ABI mismatch only shows at run
        // time; this test is what catches it.
        for language in Language::ALL {
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&language.grammar())
                .unwrap_or_else(|e| panic!("{language}: {e}"));
        }
    }

    #[test]
    fn files_are_recognised_by_extension() {
        assert_eq!(Language::of_path("src/app.js"), Some(Language::JavaScript));
        assert_eq!(Language::of_path("a/b.MJS"), Some(Language::JavaScript));
        assert_eq!(Language::of_path("x.tsx"), Some(Language::Tsx));
        assert_eq!(Language::of_path("x.ts"), Some(Language::TypeScript));
        assert_eq!(Language::of_path("types/x.d.ts"), None);
        assert_eq!(Language::of_path("app/views.py"), Some(Language::Python));
        assert_eq!(Language::of_path("config/routes.rb"), Some(Language::Ruby));
        assert_eq!(Language::of_path("cmd/api/main.go"), Some(Language::Go));
        assert_eq!(
            Language::of_path("internal/api/handlers_test.go"),
            Some(Language::Go)
        );
        assert_eq!(Language::of_path("Makefile"), None);
        assert_eq!(Language::of_path("README.md"), None);
    }
}
