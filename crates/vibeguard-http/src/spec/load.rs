//! Reading description documents: from a file (with the local files its `$ref`s name) or from
//! text fetched over HTTP; YAML or JSON; bounded in size and number of documents.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::schema::RefResolver;

/// The largest description document read (a spec is not a dataset).
pub const MAX_SPEC_BYTES: u64 = 20 * 1024 * 1024;

/// How many external documents one description may pull in.
const MAX_DOCUMENTS: usize = 64;

/// Where the description comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecSource {
    /// A local file.
    File(PathBuf),
    /// A URL on the target's origin.
    Url(url::Url),
    /// Not given: the usual description paths on the target are tried.
    Discover,
    /// None on purpose (`spec = "none"`): the operations come from the code, the recorded
    /// traffic and the target's pages, never from a description the target serves.
    Without,
}

/// Where API descriptions usually live, tried in order when none is given.
pub const DISCOVERY_PATHS: &[&str] = &[
    "/openapi.json",
    "/openapi.yaml",
    "/swagger.json",
    "/v3/api-docs",
    "/api-docs",
    "/api/openapi.json",
    "/swagger/v1/swagger.json",
    "/docs/openapi.json",
];

/// A description that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("{path}: cannot read the API description: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The document is too large.
    #[error(
        "{origin}: the API description is {size} bytes; vibeguard reads descriptions up to {limit} bytes"
    )]
    TooLarge {
        /// The file or URL.
        origin: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not YAML or JSON.
    #[error("{origin}: not valid JSON or YAML: {reason}")]
    Syntax {
        /// The file or URL.
        origin: String,
        /// The parser's message.
        reason: String,
    },
    /// Valid YAML/JSON, but not OpenAPI 3 or Swagger 2.
    #[error(
        "{origin}: not an OpenAPI 3 or Swagger 2.0 description (no `openapi: 3.x` or `swagger: \"2.0\"` at the top)"
    )]
    NotAnApiDescription {
        /// The file or URL.
        origin: String,
    },
    /// Fetching it from the target failed.
    #[error("{origin}: cannot fetch the API description: {reason}")]
    Fetch {
        /// The URL.
        origin: String,
        /// Why.
        reason: String,
    },
}

/// Parses description text (JSON when it looks like JSON, YAML otherwise).
pub fn parse_document(source: &str, text: &str) -> Result<Value, SpecError> {
    if text.len() as u64 > MAX_SPEC_BYTES {
        return Err(SpecError::TooLarge {
            origin: source.to_string(),
            size: text.len() as u64,
            limit: MAX_SPEC_BYTES,
        });
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let parsed = if trimmed.starts_with('{') {
        serde_json::from_str(trimmed).map_err(|e| e.to_string())
    } else {
        serde_saphyr::from_str::<Value>(trimmed).map_err(|e| {
            e.to_string()
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .to_string()
        })
    };
    let value = parsed.map_err(|reason| SpecError::Syntax {
        origin: source.to_string(),
        reason,
    })?;
    if !value.is_object() {
        return Err(SpecError::NotAnApiDescription {
            origin: source.to_string(),
        });
    }
    Ok(value)
}

/// The root document and every document its references reach.
#[derive(Debug, Clone)]
pub struct Documents {
    name: String,
    root_key: String,
    documents: HashMap<String, Value>,
    /// Problems met while loading external documents (reported, not fatal).
    pub problems: Vec<super::SpecProblem>,
}

impl Documents {
    /// A description that is a single document (fetched over HTTP, or inline in tests):
    /// references to other documents are reported, not followed.
    pub fn single(name: &str, root: Value) -> Documents {
        let mut documents = HashMap::new();
        documents.insert(String::new(), root);
        Documents {
            name: name.to_string(),
            root_key: String::new(),
            documents,
            problems: Vec::new(),
        }
    }

    /// The root document.
    pub fn root(&self) -> &Value {
        &self.documents[&self.root_key]
    }

    /// The description's name (file or URL).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl RefResolver for Documents {
    fn resolve(&self, reference: &str) -> Option<(String, Value)> {
        let (document, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let key = if document.is_empty() {
            self.root_key.clone()
        } else {
            document.to_string()
        };
        let value = self.documents.get(&key)?.pointer(pointer)?;
        Some((format!("{key}#{pointer}"), value.clone()))
    }
}

/// Loads a description file and the local files its `$ref`s name.
pub fn load_file(path: &Path) -> Result<Documents, SpecError> {
    let root_key = key_of(path);
    let root = read_file(path)?;
    let mut documents = HashMap::new();
    let mut problems = Vec::new();
    let mut pending: Vec<(String, Value)> = vec![(root_key.clone(), root)];
    while let Some((key, mut value)) = pending.pop() {
        let dir = Path::new(&key)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut wanted: BTreeMap<String, String> = BTreeMap::new();
        rewrite_refs(&mut value, &key, &dir, &mut wanted, &mut problems);
        documents.insert(key, value);
        for (file, referenced_from) in wanted {
            if documents.contains_key(&file) || pending.iter().any(|(k, _)| *k == file) {
                continue;
            }
            if documents.len() + pending.len() >= MAX_DOCUMENTS {
                problems.push(super::SpecProblem {
                    pointer: referenced_from,
                    message: format!(
                        "more than {MAX_DOCUMENTS} referenced documents; {file} is not read"
                    ),
                });
                continue;
            }
            match read_file(Path::new(&file)) {
                Ok(value) => pending.push((file, value)),
                Err(error) => problems.push(super::SpecProblem {
                    pointer: referenced_from,
                    message: error.to_string(),
                }),
            }
        }
    }
    Ok(Documents {
        name: path.display().to_string(),
        root_key,
        documents,
        problems,
    })
}

fn key_of(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

fn read_file(path: &Path) -> Result<Value, SpecError> {
    let source = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|error| SpecError::Unreadable {
            path: source.clone(),
            reason: error.to_string(),
        })?
        .len();
    if size > MAX_SPEC_BYTES {
        return Err(SpecError::TooLarge {
            origin: source,
            size,
            limit: MAX_SPEC_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|error| SpecError::Unreadable {
        path: source.clone(),
        reason: error.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| SpecError::Syntax {
        origin: source.clone(),
        reason: "not UTF-8 text".into(),
    })?;
    parse_document(&source, &text)
}

/// Rewrites every `$ref` of a document so that it names its document absolutely
/// (`/abs/path/common.yaml#/X`, or `key#/X` for local ones), collecting the files to load.
fn rewrite_refs(
    value: &mut Value,
    key: &str,
    dir: &Path,
    wanted: &mut BTreeMap<String, String>,
    problems: &mut Vec<super::SpecProblem>,
) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                let (document, pointer) = reference
                    .split_once('#')
                    .unwrap_or((reference.as_str(), ""));
                let (document, pointer) = (document.to_string(), pointer.to_string());
                if document.is_empty() {
                    *reference = format!("{key}#{pointer}");
                } else if document.contains("://") {
                    problems.push(super::SpecProblem {
                        pointer: format!("{key}#{pointer}"),
                        message: format!("remote reference `{document}` is not followed: vibeguard reads only local files"),
                    });
                } else {
                    let file = key_of(&dir.join(&document));
                    wanted
                        .entry(file.clone())
                        .or_insert_with(|| format!("{key}#{pointer}"));
                    *reference = format!("{file}#{pointer}");
                }
            }
            for (_, child) in object.iter_mut() {
                rewrite_refs(child, key, dir, wanted, problems);
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_refs(item, key, dir, wanted, problems);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yaml_and_json_and_refuses_the_rest() {
        assert!(parse_document("a.yaml", "openapi: 3.0.0\ninfo: {title: x}\n").is_ok());
        assert!(parse_document("a.json", "{\"openapi\": \"3.1.0\"}").is_ok());
        assert!(matches!(
            parse_document("a.yaml", "- just\n- a list\n"),
            Err(SpecError::NotAnApiDescription { .. })
        ));
        assert!(matches!(
            parse_document("a.json", "{\"openapi\": "),
            Err(SpecError::Syntax { .. })
        ));
    }

    #[test]
    fn follows_local_file_references_and_reports_missing_and_remote_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("schemas")).expect("mkdir");
        std::fs::write(
            dir.path().join("api.yaml"),
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    User: {$ref: 'schemas/user.yaml#/User'}\n    Gone: {$ref: 'missing.yaml#/X'}\n    Far: {$ref: 'https://example.com/s.yaml#/X'}\n",
        ).expect("write");
        std::fs::write(dir.path().join("schemas/user.yaml"), "User:\n  type: object\n  properties:\n    address: {$ref: '#/Address'}\nAddress:\n  type: string\n").expect("write");
        let documents = load_file(&dir.path().join("api.yaml")).expect("loads");
        let (_, user) = documents
            .resolve(
                documents.root()["components"]["schemas"]["User"]["$ref"]
                    .as_str()
                    .expect("ref"),
            )
            .expect("resolves");
        let address_ref = user["properties"]["address"]["$ref"]
            .as_str()
            .expect("rewritten");
        assert!(address_ref.ends_with("user.yaml#/Address"), "{address_ref}");
        assert_eq!(
            documents.resolve(address_ref).expect("resolves").1["type"],
            "string"
        );
        assert_eq!(documents.problems.len(), 2, "{:?}", documents.problems);
    }

    #[test]
    fn refuses_oversized_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(MAX_SPEC_BYTES + 1).expect("size");
        assert!(matches!(load_file(&path), Err(SpecError::TooLarge { .. })));
    }
}
