//! One surface to test: the API description (a file, a URL on the target, or found at the usual
//! paths and documentation pages) before the recorded traffic before the code's routes before
//! what the target shows of itself (pages, forms, scripts, robots.txt, sitemap.xml). The API
//! engine tests it, and the scenario engine expands its surface-wide scenarios over it.

use url::Url;

use crate::discovery;
use crate::http::{Executor, Request, RequestError};
use crate::identity;
use crate::spec::load_documents::Documents;
use crate::spec::{self, ApiSpec, SpecError, SpecSource};

/// Why there is no surface at all.
#[derive(Debug, thiserror::Error)]
pub enum SurfaceError {
    /// The description is unusable (or, without one, nothing else shows an operation).
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The description's URL is outside the target's origin.
    #[error(
        "the API description {0} is outside the target's origin; give a file or a URL on the target"
    )]
    OutOfScope(String),
    /// Nothing answers at the target.
    #[error("cannot reach {target}: {reason}")]
    Unreachable {
        /// The target.
        target: String,
        /// Why.
        reason: String,
    },
}

/// The operations to test and where they came from.
#[derive(Debug, Clone)]
pub struct Surface {
    /// The merged operations.
    pub spec: ApiSpec,
    /// The description's file or URL, or the sources the operations came from.
    pub name: String,
}

/// Builds the surface: `source`'s description merged with `recorded` (the traffic's
/// operations; `has_traffic` says whether traffic was given), the code's `routes` and a crawl of
/// `target`. With no description (none given, none found, or none on purpose), the operations
/// are the others'; an error only when there are none at all.
pub async fn build(
    source: &SpecSource,
    recorded: ApiSpec,
    routes: &[spec::DeclaredRoute],
    has_traffic: bool,
    target: &Url,
    executor: &Executor,
) -> Result<Surface, SurfaceError> {
    let loaded = load_spec(source, target, executor).await;
    let (spec, name) = match loaded {
        Err(error @ SurfaceError::Spec(SpecError::Fetch { .. }))
            if matches!(source, SpecSource::Discover | SpecSource::Without) =>
        {
            // What the running target shows of itself comes last: pages, forms, scripts,
            // robots.txt and sitemap.xml.
            let discovered = discovery::operations(&discovery::crawl(executor, target).await);
            let spec = with_code_and_crawl(recorded, routes, discovered);
            if spec.operations.is_empty() {
                return Err(error);
            }
            let mut sources = Vec::new();
            if has_traffic {
                sources.push("the recorded traffic");
            }
            if !routes.is_empty() {
                sources.push("the code's routes");
            }
            if spec
                .operations
                .iter()
                .any(|op| spec::merge::origin(op) == "discovered")
            {
                sources.push("what the target showed");
            }
            (spec, sources.join(", "))
        }
        loaded => {
            let (documents, name) = loaded?;
            let described = ApiSpec::from_documents(&documents)?;
            // What the description leaves out but the recording, the code or the target's
            // own pages show is still tested, marked undocumented (and the code's routes
            // reported by VG416 as well: the description does not document them).
            let discovered = discovery::operations(&discovery::crawl(executor, target).await);
            let spec =
                with_code_and_crawl(spec::merge::merge(described, recorded), routes, discovered);
            (spec, name)
        }
    };
    Ok(Surface { spec, name })
}

/// The URL operation paths are joined onto: the target, or (when it has no path of its own)
/// the target with the description's base path.
pub fn base_url(target: &Url, spec: &ApiSpec) -> Url {
    let mut base = target.clone();
    if target.path().trim_matches('/').is_empty() {
        base.set_path(&spec.base_path());
    }
    base
}

/// The description `source` names, loaded (or found on the target), with its name.
async fn load_spec(
    source: &SpecSource,
    target: &Url,
    executor: &Executor,
) -> Result<(Documents, String), SurfaceError> {
    match source {
        SpecSource::File(path) => {
            let documents = spec::load_file(path)?;
            // Prove something answers before planning hundreds of requests.
            let exchange = executor.send(Request::new("GET", target.clone())).await;
            if let Err(error) = &exchange.outcome
                && matches!(
                    error,
                    RequestError::Connect(_)
                        | RequestError::Timeout(_)
                        | RequestError::Protocol(_)
                        | RequestError::ClosedEarly(_)
                )
            {
                return Err(SurfaceError::Unreachable {
                    target: target.to_string(),
                    reason: error.to_string(),
                });
            }
            Ok((documents, path.display().to_string()))
        }
        SpecSource::Without => {
            // Nothing to load; what answers (or does not) is learned like for a file.
            let exchange = executor.send(Request::new("GET", target.clone())).await;
            if let Err(error @ (RequestError::Connect(_) | RequestError::Timeout(_))) =
                &exchange.outcome
            {
                return Err(SurfaceError::Unreachable {
                    target: target.to_string(),
                    reason: error.to_string(),
                });
            }
            Err(SpecError::Fetch {
                origin: target.to_string(),
                reason: "no API description, as configured (`spec = \"none\"`), and nothing in the code, the recorded traffic or the target's pages to test".into(),
            }
            .into())
        }
        SpecSource::Discover => {
            for path in spec::DISCOVERY_PATHS {
                let Ok(url) = identity::join(target, path) else {
                    continue;
                };
                let exchange = executor.send(Request::new("GET", url.clone())).await;
                match &exchange.outcome {
                    Err(error @ (RequestError::Connect(_) | RequestError::Timeout(_))) => {
                        return Err(SurfaceError::Unreachable {
                            target: target.to_string(),
                            reason: error.to_string(),
                        });
                    }
                    Ok(response) if response.is_success() && !response.truncated => {
                        if let Ok(value) = spec::parse_document(url.as_str(), &response.text())
                            && (value.get("openapi").is_some() || value.get("swagger").is_some())
                        {
                            return Ok((Documents::single(url.as_str(), value), url.to_string()));
                        }
                    }
                    _ => {}
                }
            }
            // Behind a redirect, or only through a Swagger UI / ReDoc page.
            if let Some((document, found_at)) = discovery::find_description(executor, target).await
            {
                return Ok((Documents::single(&found_at, document), found_at));
            }
            Err(SpecError::Fetch {
                origin: target.to_string(),
                reason: format!(
                    "no API description at {} nor through a documentation page ({}); give --spec FILE or URL",
                    spec::DISCOVERY_PATHS.join(", "),
                    discovery::docs_page::DOC_PAGES.join(", ")
                ),
            }
            .into())
        }
        SpecSource::Url(url) => {
            if !executor.scope().allows(url) {
                return Err(SurfaceError::OutOfScope(url.to_string()));
            }
            let exchange = executor.send(Request::new("GET", url.clone())).await;
            let response = match &exchange.outcome {
                Ok(response) => response,
                Err(error @ (RequestError::Connect(_) | RequestError::Timeout(_))) => {
                    return Err(SurfaceError::Unreachable {
                        target: target.to_string(),
                        reason: error.to_string(),
                    });
                }
                Err(error) => {
                    return Err(SpecError::Fetch {
                        origin: url.to_string(),
                        reason: error.to_string(),
                    }
                    .into());
                }
            };
            if !response.is_success() {
                return Err(SpecError::Fetch {
                    origin: url.to_string(),
                    reason: format!("answered {}", response.status),
                }
                .into());
            }
            if response.truncated {
                return Err(SpecError::Fetch {
                    origin: url.to_string(),
                    reason:
                        "the answer is larger than the response cap (raise budget.max_body_bytes)"
                            .into(),
                }
                .into());
            }
            let value = spec::parse_document(url.as_str(), &response.text())?;
            Ok((Documents::single(url.as_str(), value), url.to_string()))
        }
    }
}

/// One surface in the merge order: `first` (the description with the recorded traffic, or
/// the traffic alone), then the code's routes, then what the crawl found.
fn with_code_and_crawl(
    first: ApiSpec,
    routes: &[spec::DeclaredRoute],
    discovered: ApiSpec,
) -> ApiSpec {
    spec::merge::merge(
        spec::merge::merge(first, spec::routes::derive(routes)),
        discovered,
    )
}
