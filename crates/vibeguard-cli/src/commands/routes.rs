//! `vibeguard routes [PATH]`: the HTTP routes the code declares, with the middleware in front
//! of each (terminal table, `--format json` or `--format markdown`).

use std::path::Path;

use anyhow::Context;
use vibeguard_core::RouteEntry;
use vibeguard_report::Format;

use crate::Outcome;
use crate::cli::GlobalArgs;

/// Prints the route inventory of `path`.
pub fn run(global: &GlobalArgs, path: &Path) -> anyhow::Result<Outcome> {
    let format = super::listing_format(global)?;
    let (_, routes) = super::code_routes(global, path)?;
    let text = match format {
        Format::Json => {
            serde_json::to_string_pretty(&routes).context("cannot encode the routes")? + "\n"
        }
        Format::Markdown => markdown(&routes),
        _ => terminal(&routes),
    };
    crate::outputs::print_stdout(&text);
    Ok(Outcome::Passed)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn terminal(routes: &[RouteEntry]) -> String {
    if routes.is_empty() {
        return "No HTTP routes found (Express, Hono, Fastify, Next.js, Flask, FastAPI, Django, aiohttp and Rails are recognised).\n".to_string();
    }
    let width = routes
        .iter()
        .map(|r| r.method.len() + 1 + r.path.len())
        .max()
        .unwrap_or(0)
        .min(60);
    let mut out = String::new();
    for route in routes {
        let route_text = format!("{} {}", route.method, route.path);
        let middleware = if route.middleware.is_empty() {
            String::new()
        } else {
            format!("  [{}]", route.middleware.join(", "))
        };
        out.push_str(&format!(
            "{route_text:<width$}  {}:{}  auth: {}  rate limit: {}{middleware}\n",
            route.file,
            route.line,
            authentication(route),
            yes_no(route.rate_limited),
        ));
        if !route.passes_anonymous.is_empty() {
            out.push_str(&format!(
                "{:width$}  {} let requests without a credential through: treated as public\n",
                "",
                route.passes_anonymous.join(", ")
            ));
        }
    }
    let unauthenticated = routes.iter().filter(|r| !r.authenticated).count();
    out.push_str(&format!(
        "\n{} route{}, {unauthenticated} without authentication\n",
        routes.len(),
        if routes.len() == 1 { "" } else { "s" }
    ));
    vibeguard_report::terminal_safe(&out).into_owned()
}

/// `yes`, `no`, or `unknown` when middleware named like authentication lets anonymous
/// requests through.
fn authentication(route: &RouteEntry) -> &'static str {
    if route.authenticated {
        "yes"
    } else if route.passes_anonymous.is_empty() {
        "no"
    } else {
        "unknown"
    }
}

fn markdown(routes: &[RouteEntry]) -> String {
    let escape = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "| Method | Path | Declared at | Authenticated | Rate limited | Middleware |\n|---|---|---|---|---|---|\n",
    );
    for route in routes {
        out.push_str(&format!(
            "| {} | `{}` | {}:{} | {} | {} | {} |\n",
            route.method,
            escape(&route.path),
            escape(&route.file),
            route.line,
            authentication(route),
            yes_no(route.rate_limited),
            escape(&route.middleware.join(", ")),
        ));
    }
    out
}
