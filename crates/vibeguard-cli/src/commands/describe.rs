//! `vibeguard describe [PATH] [-o FILE] [--openapi 3.0] [--traffic FILE --target URL]`: the
//! operations derived from the routes the code declares (and from recorded traffic, when given),
//! written as an OpenAPI document — JSON, or YAML when FILE ends in `.yaml`
//! or `.yml`; printed as JSON without `-o`. Every operation names where the code declares it
//! and what could not be inferred, so the team reviews a draft, not a made-up contract.

use std::path::Path;

use anyhow::Context;
use vibeguard_api::spec::describe::{OpenApiVersion, to_openapi, to_yaml};
use vibeguard_api::spec::{DeclaredRoute, routes::derive};

use crate::Outcome;
use crate::cli::GlobalArgs;

/// Writes the derived description of `path`.
pub fn run(global: &GlobalArgs, path: &Path, openapi: &str) -> anyhow::Result<Outcome> {
    let version = OpenApiVersion::parse(openapi)
        .with_context(|| format!("unknown OpenAPI version {openapi}: give 3.1 or 3.0"))?;
    if !global.formats.is_empty() {
        anyhow::bail!("describe writes OpenAPI: choose JSON or YAML by the -o file's extension");
    }
    let output = match global.outputs.as_slice() {
        [] => None,
        [one] => Some(one.as_path()),
        _ => anyhow::bail!("describe writes one document: give -o once"),
    };
    let (loaded, routes) = super::code_routes(global, path)?;
    let declared: Vec<DeclaredRoute> = routes.iter().map(DeclaredRoute::from).collect();
    let mut spec = derive(&declared);
    // Recorded traffic (`--traffic`, `[api] traffic`) comes first, as in an audit: its requests
    // to the target are operations, the code's routes fill what they lack.
    let (traffic_files, environment) = crate::api_settings::traffic_sources(&loaded, global, path);
    if !traffic_files.is_empty() {
        let target = global
            .target
            .clone()
            .or_else(|| {
                loaded
                    .config
                    .api
                    .as_ref()
                    .map(|a| a.target.get_ref().clone())
            })
            .context(
                "give --target (or [api] target): it says which recorded requests are the API's",
            )?;
        let target =
            url::Url::parse(&target).with_context(|| format!("`{target}` is not a URL"))?;
        let imported =
            vibeguard_api::traffic::import(&traffic_files, environment.as_deref(), &target);
        for (_, error) in &imported.errors {
            eprintln!("warning: {error}");
        }
        for problem in &imported.spec.problems {
            eprintln!("warning: {}: {}", problem.pointer, problem.message);
        }
        for note in &imported.notes {
            eprintln!("note: {note}");
        }
        let recorded = imported.spec;
        spec = vibeguard_api::spec::merge::merge(recorded, spec);
        spec.format = vibeguard_api::spec::SpecFormat::Code;
        spec.title = format!(
            "{} operations from the code's routes and recorded traffic",
            spec.operations.len()
        );
    }
    spec.title = format!("{} — {}", project_name(path), spec.title);
    if spec.operations.is_empty() {
        eprintln!(
            "warning: no HTTP routes found in {} (Express, Fastify, Next.js, Flask, FastAPI and \
             Django are recognised): the document has no operations",
            path.display()
        );
    }
    let document = to_openapi(&spec, version);
    let yaml = output.is_some_and(|file| {
        file.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
    });
    let text = if yaml {
        to_yaml(&document)
    } else {
        serde_json::to_string_pretty(&document).context("cannot encode the document")? + "\n"
    };
    match output {
        Some(file) => {
            std::fs::write(file, text)
                .with_context(|| format!("cannot write {}", file.display()))?;
            if !global.quiet {
                eprintln!(
                    "wrote {} ({} operations, OpenAPI {openapi})",
                    file.display(),
                    spec.operations.len()
                );
            }
        }
        None => crate::outputs::print_stdout(&text),
    }
    Ok(Outcome::Passed)
}

/// The project folder's name, for the document's title.
fn project_name(path: &Path) -> String {
    std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "API".to_string())
}
