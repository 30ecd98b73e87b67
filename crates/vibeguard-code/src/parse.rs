//! Parsing a file with its tree-sitter grammar and lowering it to the program model. Each
//! worker thread keeps one parser per language.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use crate::ir::Module;
use crate::language::Language;
use crate::lower;

thread_local! {
    static PARSERS: RefCell<HashMap<Language, tree_sitter::Parser>> = RefCell::new(HashMap::new());
}

/// The parser could not produce a tree at all (it always does for text it can read; this is
/// a grammar that failed to load).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {language} parser failed: {reason}")]
pub struct ParseFailure {
    /// The language.
    pub language: Language,
    /// Why.
    pub reason: String,
}

/// Parses `text` and lowers it. Syntax errors do not fail: tree-sitter recovers, the module
/// lists the lines it could not read, and the rest is analysed.
pub fn parse_module(
    path: &str,
    language: Language,
    text: Arc<str>,
) -> Result<Module, ParseFailure> {
    with_tree(language, &text, |root| {
        lower::lower(path, language, text.clone(), root)
    })
}

/// Parses `text` and hands the root node to `use_tree` (the parse-only half of benchmarks
/// uses this too, so both halves use the same parser).
pub fn with_tree<T>(
    language: Language,
    text: &str,
    use_tree: impl FnOnce(tree_sitter::Node<'_>) -> T,
) -> Result<T, ParseFailure> {
    let tree = PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = match parsers.entry(language) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let mut parser = tree_sitter::Parser::new();
                parser
                    .set_language(&language.grammar())
                    .map_err(|error| ParseFailure {
                        language,
                        reason: error.to_string(),
                    })?;
                entry.insert(parser)
            }
        };
        parser.parse(text, None).ok_or_else(|| ParseFailure {
            language,
            reason: "no tree produced".into(),
        })
    })?;
    Ok(use_tree(tree.root_node()))
}
