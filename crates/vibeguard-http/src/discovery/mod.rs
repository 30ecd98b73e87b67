//! Run-time discovery, bounded and same-origin: what the running target shows of its API when
//! nothing describes it — a description behind a same-origin redirect or only reachable through
//! a Swagger UI or ReDoc page ([`docs_page`]); the pages its root links to, their forms and the
//! scripts they load ([`html`]); the API calls written in those scripts ([`scripts`]);
//! `robots.txt` and `sitemap.xml` ([`robots`]). Each discovered operation says how it was found
//! (`x-vibeguard-found`). The hidden-path probes of VG416 go on as before.
//!
//! The reading halves are pure (a page or script in, URLs and calls out); [`crawl`] fetches
//! within [`MAX_PAGES`] pages and [`MAX_SCRIPTS`] scripts, two links deep, never leaving the
//! target's origin.

pub mod docs_page;
pub mod html;
pub mod robots;
pub mod scripts;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::Value;
use url::Url;

use crate::http::{Executor, Request};
use crate::spec::merge::ORIGIN;
use crate::spec::schema::{Schema, SchemaType};
use crate::spec::{
    ApiSpec, BodyKind, Operation, ParamIn, Parameter, RequestBody, Security, SpecFormat,
};

/// Pages fetched at most (the root, robots.txt and sitemap.xml included).
pub const MAX_PAGES: usize = 20;
/// Scripts fetched at most.
pub const MAX_SCRIPTS: usize = 10;
/// Links followed from the root, at most.
const MAX_DEPTH: usize = 2;
/// Same-origin redirects followed when looking for a description.
const MAX_REDIRECTS: usize = 3;

/// Something the target showed: a path (template) it may answer, how, and with what fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Upper-case method.
    pub method: String,
    /// Path template under the target.
    pub path: String,
    /// Query parameter names seen.
    pub query: Vec<String>,
    /// Form fields, for a form.
    pub fields: Vec<String>,
    /// How it was found (`form on /login`, `script /assets/app.js`, `robots.txt`).
    pub how: String,
}

/// The path of `url` under `target`, when it is on the target's origin and under its path.
pub fn under_target(url: &Url, target: &Url) -> Option<String> {
    let same = url.scheme() == target.scheme()
        && url.host_str() == target.host_str()
        && url.port_or_known_default() == target.port_or_known_default();
    let prefix = target.path().trim_end_matches('/');
    let rest = url.path().strip_prefix(prefix).filter(|_| same)?;
    if rest.is_empty() {
        return Some("/".into());
    }
    rest.starts_with('/').then(|| rest.to_string())
}

/// Whether a path is a static file (or robots.txt, a sitemap), not an operation.
fn is_asset(path: &str) -> bool {
    crate::traffic::is_static_file(path) || path.ends_with(".txt") || path.ends_with(".xml")
}

/// The operations of what was found, one per method and path (the first finding names it).
pub fn operations(found: &[Found]) -> ApiSpec {
    let mut operations: Vec<Operation> = Vec::new();
    for item in found {
        if is_asset(&item.path) {
            continue;
        }
        if let Some(existing) = operations
            .iter_mut()
            .find(|op| op.method == item.method && op.path == item.path)
        {
            for name in &item.query {
                if !existing.parameters.iter().any(|p| &p.name == name) {
                    existing.parameters.push(query_parameter(name));
                }
            }
            continue;
        }
        let mut parameters: Vec<Parameter> = crate::spec::path_parameters(&item.path, |_| Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        });
        parameters.extend(item.query.iter().map(|name| query_parameter(name)));
        let body = (item.method != "GET").then(|| {
            let form = !item.fields.is_empty();
            let media_type = if form {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            };
            RequestBody {
                required: form,
                media_type: media_type.into(),
                kind: if form { BodyKind::Form } else { BodyKind::Json },
                schema: Schema {
                    types: vec![SchemaType::Object],
                    properties: item
                        .fields
                        .iter()
                        .map(|f| {
                            (
                                f.clone(),
                                Schema {
                                    types: vec![SchemaType::String],
                                    ..Schema::default()
                                },
                            )
                        })
                        .collect(),
                    ..Schema::default()
                },
            }
        });
        let mut extensions = BTreeMap::new();
        extensions.insert(ORIGIN.to_string(), Value::String("discovered".into()));
        extensions.insert(
            "x-vibeguard-found".to_string(),
            Value::String(item.how.clone()),
        );
        operations.push(Operation {
            method: item.method.clone(),
            path: item.path.clone(),
            operation_id: None,
            summary: None,
            tags: Vec::new(),
            parameters,
            body,
            security: Security::Undeclared,
            responses: Vec::new(),
            links: Vec::new(),
            extensions,
            pointer: format!("discovered:{}", item.how),
        });
    }
    ApiSpec {
        format: SpecFormat::Traffic,
        title: format!("{} operations discovered on the target", operations.len()),
        servers: Vec::new(),
        operations,
        problems: Vec::new(),
    }
}

fn query_parameter(name: &str) -> Parameter {
    Parameter {
        name: name.to_string(),
        location: ParamIn::Query,
        required: false,
        schema: Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        },
    }
}

/// GETs `url`, following same-origin redirects; the final URL and the answer's text when it
/// succeeded (and was not cut short).
async fn fetch(executor: &Executor, url: &Url) -> Option<(Url, String, String)> {
    let mut url = url.clone();
    for _ in 0..=MAX_REDIRECTS {
        if !executor.scope().allows(&url) {
            return None;
        }
        let exchange = executor.send(Request::new("GET", url.clone())).await;
        let response = exchange.response()?;
        if (300..400).contains(&response.status) {
            let next = url.join(response.header("location")?).ok()?;
            let same = next.scheme() == url.scheme()
                && next.host_str() == url.host_str()
                && next.port_or_known_default() == url.port_or_known_default();
            if !same {
                return None;
            }
            url = next;
            continue;
        }
        if !response.is_success() || response.truncated {
            return None;
        }
        let kind = response
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        return Some((url, kind, response.text()));
    }
    None
}

/// A description the target serves behind a redirect or through a documentation page: the
/// document and where it was found.
pub async fn find_description(executor: &Executor, target: &Url) -> Option<(Value, String)> {
    let parse = |url: &Url, text: &str| {
        crate::spec::parse_document(url.as_str(), text)
            .ok()
            .filter(|v| v.get("openapi").is_some() || v.get("swagger").is_some())
    };
    for page in docs_page::DOC_PAGES {
        let Ok(url) = crate::identity::join(target, page) else {
            continue;
        };
        let Some((url, kind, text)) = fetch(executor, &url).await else {
            continue;
        };
        if let Some(document) = parse(&url, &text) {
            return Some((document, url.to_string()));
        }
        if !kind.contains("html") {
            continue;
        }
        let (mut documents, initializers) = docs_page::references(&text);
        for script in initializers.iter().take(3) {
            let Ok(script_url) = url.join(script) else {
                continue;
            };
            if let Some((_, _, code)) = fetch(executor, &script_url).await {
                if let Some(document) = docs_page::embedded(&code) {
                    return Some((document, format!("{script_url} (embedded)")));
                }
                documents.extend(docs_page::references(&code).0);
            }
        }
        for document in documents.iter().take(3) {
            let Ok(document_url) = url.join(document) else {
                continue;
            };
            if let Some((final_url, _, text)) = fetch(executor, &document_url).await
                && let Some(document) = parse(&final_url, &text)
            {
                return Some((document, final_url.to_string()));
            }
        }
    }
    None
}

/// Crawls the target: its root page and what it links (two deep, [`MAX_PAGES`] pages), the
/// forms on them, the scripts they load ([`MAX_SCRIPTS`]), `robots.txt` and `sitemap.xml`.
pub async fn crawl(executor: &Executor, target: &Url) -> Vec<Found> {
    let mut found = Vec::new();
    let mut seen_pages = BTreeSet::new();
    let mut seen_scripts = BTreeSet::new();
    let mut queue: VecDeque<(Url, usize, String)> = VecDeque::new();
    let root = crate::identity::join(target, "/").unwrap_or_else(|_| target.clone());
    queue.push_back((root, 0, "the root page".into()));
    for (file, how) in [
        ("/robots.txt", "robots.txt"),
        ("/sitemap.xml", "sitemap.xml"),
    ] {
        if let Ok(url) = crate::identity::join(target, file) {
            queue.push_back((url, MAX_DEPTH, how.into()));
        }
    }
    let mut scripts_to_read: Vec<(Url, String)> = Vec::new();
    let mut fetched = 0;
    while let Some((url, depth, how)) = queue.pop_front() {
        if fetched >= MAX_PAGES || !seen_pages.insert(url.as_str().to_string()) {
            continue;
        }
        fetched += 1;
        let Some((url, kind, text)) = fetch(executor, &url).await else {
            continue;
        };
        let Some(path) = under_target(&url, target) else {
            continue;
        };
        if path.ends_with("robots.txt") {
            let (paths, sitemaps) = robots::robots(&text, &url);
            for listed in paths {
                found.push(page(&listed, "robots.txt"));
            }
            queue.extend(
                sitemaps
                    .into_iter()
                    .map(|s| (s, MAX_DEPTH, "robots.txt".into())),
            );
            continue;
        }
        if path.ends_with(".xml") || kind.contains("xml") && !kind.contains("html") {
            for loc in robots::sitemap(&text) {
                if let Some(listed) = under_target(&loc, target) {
                    found.push(page(&listed, "sitemap.xml"));
                }
            }
            continue;
        }
        if !kind.contains("html") {
            continue;
        }
        found.push(page(&path, &how));
        let (links, forms, scripts) = html::read(&url, &text);
        for form in forms {
            if let Some(action) = under_target(&form.action, target) {
                let query = if form.method == "GET" {
                    form.fields.clone()
                } else {
                    Vec::new()
                };
                found.push(Found {
                    method: form.method.clone(),
                    path: action,
                    query,
                    fields: if form.method == "GET" {
                        Vec::new()
                    } else {
                        form.fields
                    },
                    how: format!("form on {path}"),
                });
            }
        }
        for link in links {
            if let Some(linked) = under_target(&link, target) {
                let query: Vec<String> = link.query_pairs().map(|(k, _)| k.into_owned()).collect();
                found.push(Found {
                    method: "GET".into(),
                    path: linked.clone(),
                    query,
                    fields: Vec::new(),
                    how: format!("link on {path}"),
                });
                if depth < MAX_DEPTH && !is_asset(&linked) {
                    queue.push_back((link, depth + 1, format!("link on {path}")));
                }
            }
        }
        for script in scripts {
            if under_target(&script, target).is_some()
                && seen_scripts.insert(script.as_str().to_string())
            {
                scripts_to_read.push((script, path.clone()));
            }
        }
    }
    for (script, _) in scripts_to_read.into_iter().take(MAX_SCRIPTS) {
        let Some((_, _, code)) = fetch(executor, &script).await else {
            continue;
        };
        let name = under_target(&script, target).unwrap_or_default();
        for call in scripts::calls(&code) {
            found.push(Found {
                method: call.method.unwrap_or_else(|| "GET".into()),
                path: call.path,
                query: Vec::new(),
                fields: Vec::new(),
                how: format!("script {name}"),
            });
        }
    }
    found
}

fn page(path: &str, how: &str) -> Found {
    Found {
        method: "GET".into(),
        path: path.to_string(),
        query: Vec::new(),
        fields: Vec::new(),
        how: how.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_become_operations_that_say_how_they_were_found() {
        let found = vec![
            page("/", "the root page"),
            Found {
                method: "POST".into(),
                path: "/login".into(),
                query: Vec::new(),
                fields: vec!["email".into(), "password".into()],
                how: "form on /".into(),
            },
            Found {
                method: "DELETE".into(),
                path: "/api/notes/{id}".into(),
                query: Vec::new(),
                fields: Vec::new(),
                how: "script /assets/app.js".into(),
            },
            page("/assets/app.js", "link on /"),
            page("/", "link on /about"),
        ];
        let spec = operations(&found);
        let labels: Vec<String> = spec.operations.iter().map(Operation::label).collect();
        assert_eq!(labels, ["GET /", "POST /login", "DELETE /api/notes/{id}"]);
        let login = &spec.operations[1];
        assert_eq!(login.extensions["x-vibeguard-found"], "form on /");
        assert_eq!(login.extensions[ORIGIN], "discovered");
        let body = login.body.as_ref().expect("a form body");
        assert_eq!(body.kind, BodyKind::Form);
        assert_eq!(body.schema.properties.len(), 2);
        assert_eq!(spec.operations[2].parameters[0].name, "id");
    }

    #[test]
    fn only_the_targets_origin_and_path_count() {
        let target = Url::parse("http://127.0.0.1:3000/app").expect("url");
        let path = |u: &str| under_target(&Url::parse(u).expect("url"), &target);
        assert_eq!(
            path("http://127.0.0.1:3000/app/api/x"),
            Some("/api/x".into())
        );
        assert_eq!(path("http://127.0.0.1:3000/app"), Some("/".into()));
        assert_eq!(path("http://127.0.0.1:3000/application"), None);
        assert_eq!(path("http://127.0.0.1:4000/app/x"), None);
        assert_eq!(path("https://127.0.0.1:3000/app/x"), None);
    }
}
