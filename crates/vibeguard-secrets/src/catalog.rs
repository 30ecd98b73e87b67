//! The catalog of credential kinds (`catalog.toml`), compiled once: each provider's regex, and
//! one Aho-Corasick automaton over every provider's keywords, so a file is read once whatever
//! the number of providers.
//!
//! Keywords are matched case-insensitively, except those that contain an upper-case letter
//! (`AKIA`, `eyJ`, `SK`): those are token prefixes and must match exactly. A keyword written
//! with a leading `^` must also start a word (`^re_` does not fire inside `store_`).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use serde::Deserialize;
use vibeguard_core::Severity;

/// The built-in catalog's text.
pub const BUILTIN: &str = include_str!("catalog.toml");

/// Extra validations a provider asks for, done in code after its pattern matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// A JWT whose payload says `"role": "service_role"` (Supabase).
    JwtServiceRole,
    /// A PEM or OpenSSH block with a real base64 body, not `...`.
    PrivateKeyBody,
    /// The password of a URL is not a placeholder, a variable or a well-known default.
    UrlPassword,
    /// The generic detector: the key is secret-named and the value looks generated.
    SecretName,
    /// A SAS signature in a URL that really is an Azure SAS (has `sv=` or an Azure host).
    AzureSas,
    /// Not the `apiKey` of a Firebase web app's config, which Google documents as public
    /// (access is controlled by security rules, not by the key).
    NotFirebaseWebConfig,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    provider: Vec<ProviderEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderEntry {
    id: String,
    name: String,
    keywords: Vec<String>,
    pattern: String,
    entropy: f64,
    severity: Severity,
    revoke: String,
    #[serde(default)]
    checks: Vec<Check>,
    #[serde(default)]
    multiline: bool,
    #[serde(default)]
    lockfiles: bool,
    #[serde(default)]
    generic: bool,
}

/// A provider's pattern, checked when the catalog is read and compiled the first time a
/// keyword of its provider is found in a file: a run meets a handful of the catalog's
/// providers, and the whole catalog compiled up front held about 40 MB of automata for the
/// run's life.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    compiled: std::sync::OnceLock<Regex>,
}

/// Largest compiled pattern (the regex crate's default is 10 MB; some providers' Unicode
/// classes need more).
const PATTERN_SIZE_LIMIT: usize = 16 * 1024 * 1024;

impl Pattern {
    /// Checks the pattern's syntax (and that it names the credential) without compiling it.
    pub fn new(source: &str) -> Result<Pattern, String> {
        let parsed = regex_syntax::Parser::new()
            .parse(source)
            .map_err(|error| error.to_string())?;
        if !has_named_group(&parsed, "secret") {
            return Err("the pattern names the credential with (?P<secret>...)".into());
        }
        Ok(Pattern {
            source: source.to_string(),
            compiled: std::sync::OnceLock::new(),
        })
    }

    /// The compiled pattern. A pattern whose syntax was checked can only fail here by
    /// outgrowing the size limit; it then matches nothing, which the catalog's own test rules
    /// out for the built-in catalog.
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            regex::RegexBuilder::new(&self.source)
                .size_limit(PATTERN_SIZE_LIMIT)
                .build()
                .unwrap_or_else(|_| {
                    Regex::new(r"[^\s\S]").unwrap_or_else(|e| unreachable!("static regex: {e}"))
                })
        })
    }

    /// Whether the pattern was compiled (it was needed in this run).
    pub fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }
}

/// Whether the parsed pattern has a capture group named `name`.
fn has_named_group(hir: &regex_syntax::hir::Hir, name: &str) -> bool {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(capture) => {
            capture.name.as_deref() == Some(name) || has_named_group(&capture.sub, name)
        }
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().any(|part| has_named_group(part, name))
        }
        HirKind::Repetition(repetition) => has_named_group(&repetition.sub, name),
        _ => false,
    }
}

/// One kind of credential.
#[derive(Debug)]
pub struct Provider {
    /// Stable id, e.g. `aws-access-key-id`.
    pub id: String,
    /// What it is, e.g. "AWS access key ID".
    pub name: String,
    /// The pattern, compiled when first used.
    pub pattern: Pattern,
    /// Least Shannon entropy (bits per character) of the credential.
    pub entropy: f64,
    /// Severity before context (browser exposure raises it).
    pub severity: Severity,
    /// How to revoke it.
    pub revoke: String,
    /// Validations done in code.
    pub checks: Vec<Check>,
    /// Whether the pattern spans lines.
    pub multiline: bool,
    /// Whether it is searched in lockfiles too.
    pub lockfiles: bool,
    /// Whether it is the generic context detector (VG202).
    pub generic: bool,
}

/// A keyword of the prefilter and what it triggers.
#[derive(Debug)]
pub struct Keyword {
    /// The keyword as written (without its `^` marker).
    pub text: String,
    /// Matched exactly rather than case-insensitively.
    pub exact: bool,
    /// Must start a word.
    pub word_start: bool,
    /// Providers (indexes into [`Catalog::providers`]) that this keyword triggers.
    pub providers: Vec<usize>,
}

/// The compiled catalog.
#[derive(Debug)]
pub struct Catalog {
    /// Every provider, in catalog order (earlier entries win overlapping matches).
    pub providers: Vec<Provider>,
    /// The keywords, indexed like the automaton's patterns.
    pub keywords: Vec<Keyword>,
    /// The prefilter over all keywords.
    pub automaton: AhoCorasick,
}

/// A catalog that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The TOML is malformed or has unknown fields.
    #[error("secrets catalog: {0}")]
    Toml(#[from] toml::de::Error),
    /// A provider's pattern does not compile.
    #[error("secrets catalog: provider `{id}`: pattern: {error}")]
    Pattern {
        /// The provider.
        id: String,
        /// The regex error.
        error: String,
    },
    /// A provider is incomplete or duplicated.
    #[error("secrets catalog: provider `{id}`: {problem}")]
    Entry {
        /// The provider.
        id: String,
        /// What is wrong.
        problem: String,
    },
    /// The keyword automaton cannot be built.
    #[error("secrets catalog: keywords: {0}")]
    Automaton(String),
}

static BUILTIN_CATALOG: LazyLock<Result<Catalog, String>> =
    LazyLock::new(|| Catalog::parse(BUILTIN).map_err(|error| error.to_string()));

impl Catalog {
    /// The built-in catalog (compiled on first use).
    pub fn builtin() -> Result<&'static Catalog, String> {
        BUILTIN_CATALOG.as_ref().map_err(Clone::clone)
    }

    /// Compiles a catalog from its TOML text.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = toml::from_str(text)?;
        let mut providers = Vec::with_capacity(file.provider.len());
        let mut keywords: Vec<Keyword> = Vec::new();
        for entry in file.provider {
            let problem = |problem: &str| CatalogError::Entry {
                id: entry.id.clone(),
                problem: problem.to_string(),
            };
            if providers.iter().any(|p: &Provider| p.id == entry.id) {
                return Err(problem("the id is used twice"));
            }
            if entry.keywords.is_empty() {
                return Err(problem("no keywords: the prefilter would never run it"));
            }
            if entry.name.trim().is_empty() || entry.revoke.trim().is_empty() {
                return Err(problem("a name and revocation advice are required"));
            }
            if !(0.0..=8.0).contains(&entry.entropy) {
                return Err(problem(
                    "entropy must be between 0 and 8 bits per character",
                ));
            }
            let pattern = Pattern::new(&entry.pattern).map_err(|error| CatalogError::Pattern {
                id: entry.id.clone(),
                error,
            })?;
            let index = providers.len();
            for raw in &entry.keywords {
                let (word_start, text) = match raw.strip_prefix('^') {
                    Some(rest) => (true, rest),
                    None => (false, raw.as_str()),
                };
                if text.is_empty() {
                    return Err(problem("an empty keyword"));
                }
                let exact = text.chars().any(|c| c.is_ascii_uppercase());
                match keywords
                    .iter_mut()
                    .find(|k| k.text == text && k.exact == exact && k.word_start == word_start)
                {
                    Some(keyword) => keyword.providers.push(index),
                    None => keywords.push(Keyword {
                        text: text.to_string(),
                        exact,
                        word_start,
                        providers: vec![index],
                    }),
                }
            }
            providers.push(Provider {
                id: entry.id,
                name: entry.name,
                pattern,
                entropy: entry.entropy,
                severity: entry.severity,
                revoke: entry.revoke,
                checks: entry.checks,
                multiline: entry.multiline,
                lockfiles: entry.lockfiles,
                generic: entry.generic,
            });
        }
        // A DFA: the overlapping search over every byte of the tree is the scan's hot loop, and
        // ~200 short keywords make a small table (measured on 245 MB of packages: 1.09 s with
        // the default NFA, 0.75 s with the DFA).
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(keywords.iter().map(|k| k.text.as_bytes()))
            .map_err(|error| CatalogError::Automaton(error.to_string()))?;
        Ok(Catalog {
            providers,
            keywords,
            automaton,
        })
    }

    /// The provider with this id.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_compiles_and_covers_at_least_sixty_providers() {
        let catalog = Catalog::builtin().expect("builtin catalog");
        let named = catalog.providers.iter().filter(|p| !p.generic).count();
        assert!(named >= 60, "{named} providers");
        assert_eq!(catalog.providers.iter().filter(|p| p.generic).count(), 1);
        for provider in &catalog.providers {
            assert!(
                provider
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                provider.id
            );
            let names: Vec<&str> = provider.pattern.regex().capture_names().flatten().collect();
            assert!(
                names.contains(&"secret"),
                "{}: the pattern names the credential with (?P<secret>...)",
                provider.id
            );
        }
    }

    #[test]
    fn exact_and_word_start_keywords_are_recognised() {
        let catalog = Catalog::builtin().expect("builtin catalog");
        let akia = catalog
            .keywords
            .iter()
            .find(|k| k.text == "AKIA")
            .expect("AKIA");
        assert!(akia.exact);
        let ghp = catalog
            .keywords
            .iter()
            .find(|k| k.text == "ghp_")
            .expect("ghp_");
        assert!(!ghp.exact);
    }

    #[test]
    fn a_broken_catalog_is_a_clear_error() {
        let bad = r#"
[[provider]]
id = "x"
name = "X"
keywords = ["x_"]
pattern = '''(?P<secret>x_[a-z'''
entropy = 3.0
severity = "high"
revoke = "rotate"
"#;
        let error = Catalog::parse(bad).expect_err("broken regex");
        assert!(error.to_string().contains("provider `x`"), "{error}");
        let unknown = bad.replace("entropy = 3.0", "entropy = 3.0\ncolour = 1");
        assert!(Catalog::parse(&unknown).is_err());
    }
}
