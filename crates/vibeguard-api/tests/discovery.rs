//! Run-time discovery against real servers on 127.0.0.1: a description served only through
//! swagger-ui-express behind a redirect (`/api-docs` → `/api-docs/`, the document embedded in
//! its initializer script), and — with no description anywhere — the operations a crawl of the
//! pages, forms, scripts and robots.txt finds, none of them outside the target's origin.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use vibeguard_api::discovery;
use vibeguard_api::engine::{self, ApiSettings};
use vibeguard_api::http::{Executor, Limits, Scope};
use vibeguard_api::spec::{Operation, SpecSource};

type Site = fn(&str) -> (u16, &'static str, String);

/// A server answering each request with `site(path)`, recording the paths asked for.
async fn server(site: Site) -> (Url, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 65536];
                while let Ok(n) = stream.read(&mut buffer).await {
                    if n == 0 {
                        return;
                    }
                    let request = String::from_utf8_lossy(&buffer[..n]).into_owned();
                    let target = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let path = target.split('?').next().unwrap_or("/").to_string();
                    log.lock().expect("log").push(path.clone());
                    let (status, kind, body) = site(&path);
                    let location = if status == 301 {
                        format!("location: {path}/\r\n")
                    } else {
                        String::new()
                    };
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\n{location}content-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, asked)
}

fn not_found() -> (u16, &'static str, String) {
    (404, "application/json", r#"{"error":"not found"}"#.into())
}

/// swagger-ui-express: `/api-docs` redirects to `/api-docs/`, whose page loads
/// `swagger-ui-init.js`, which embeds the document.
fn swagger_ui_express(path: &str) -> (u16, &'static str, String) {
    match path {
        "/api-docs" => (301, "text/plain", String::new()),
        "/api-docs/" => (
            200,
            "text/html; charset=utf-8",
            r#"<!DOCTYPE html><html><head><title>Swagger UI</title></head><body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script><script src="./swagger-ui-init.js"></script></body></html>"#
                .into(),
        ),
        "/api-docs/swagger-ui-init.js" => (
            200,
            "application/javascript",
            r#"window.onload = function() {
  var url = window.location.search.match(/url=([^&]+)/);
  var options = {
  "swaggerDoc": {"openapi": "3.0.0", "info": {"title": "Shop", "version": "1.0.0"},
    "paths": {"/api/products": {"get": {"responses": {"200": {"description": "ok"}}}},
              "/api/products/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}], "responses": {"200": {"description": "ok"}}}}}},
  "customOptions": {}
};
  var ui = SwaggerUIBundle(Object.assign({ dom_id: '#swagger-ui' }, options));
}"#
            .into(),
        ),
        "/api/products" => (200, "application/json", "[]".into()),
        _ => not_found(),
    }
}

/// A small site with no description: a home page, a login form, a bundle calling the API,
/// robots.txt and a sitemap, and links elsewhere.
fn undocumented_site(path: &str) -> (u16, &'static str, String) {
    match path {
        "/" => (
            200,
            "text/html",
            r#"<html><head><script type="module" src="/assets/index-3f9a1c.js"></script></head><body>
<a href="/recipes?sort=new">Recipes</a> <a href="/about">About</a> <a href="https://elsewhere.example.com/x">x</a>
<form action="/login" method="post"><input name="email"><input type="password" name="password"><button>Log in</button></form>
</body></html>"#
                .into(),
        ),
        "/recipes" => (
            200,
            "text/html",
            r#"<html><body><a href="/recipes/pancakes">Pancakes</a><form action="/recipes/search"><input name="q"></form></body></html>"#
                .into(),
        ),
        "/about" | "/recipes/pancakes" => (200, "text/html", "<html><body>hi</body></html>".into()),
        "/assets/index-3f9a1c.js" => (
            200,
            "application/javascript",
            r#"const n=axios.create();async function d(e){await n.delete(`/api/recipes/${e.slug}`)}fetch("/api/recipes",{method:"POST",body:JSON.stringify(r)});fetch('/api/me')"#
                .into(),
        ),
        "/robots.txt" => (
            200,
            "text/plain",
            "User-agent: *\nDisallow: /admin/\nSitemap: /sitemap.xml\n".into(),
        ),
        "/sitemap.xml" => (
            200,
            "application/xml",
            "<urlset><url><loc>http://elsewhere.example.com/y</loc></url></urlset>".into(),
        ),
        _ => not_found(),
    }
}

#[tokio::test]
async fn a_description_behind_a_redirect_and_a_swagger_ui_page_is_found() {
    let (url, _) = server(swagger_ui_express).await;
    let settings = ApiSettings::new(url.clone(), SpecSource::Discover);
    let outcome = engine::run(&settings, &|_| true, &|_| None)
        .await
        .expect("the run finds the description");
    let run = &outcome.output.run;
    assert_eq!(run.coverage.operations_total, 2, "{:?}", run.errors);
    assert_eq!(
        run.coverage.operations_discovered, 0,
        "the description's own operations"
    );
}

#[tokio::test]
async fn without_any_description_the_crawl_finds_pages_forms_scripts_and_listed_paths() {
    let (url, asked) = server(undocumented_site).await;
    let executor =
        Executor::new(Scope::new(&url, &[]).expect("scope"), Limits::default()).expect("executor");
    assert!(discovery::find_description(&executor, &url).await.is_none());
    let found = discovery::crawl(&executor, &url).await;
    let spec = discovery::operations(&found);
    let labels: Vec<String> = spec.operations.iter().map(Operation::label).collect();
    for expected in [
        "GET /",
        "POST /login",
        "GET /recipes",
        "GET /about",
        "GET /recipes/pancakes",
        "GET /recipes/search",
        "DELETE /api/recipes/{slug}",
        "POST /api/recipes",
        "GET /api/me",
        "GET /admin/",
    ] {
        assert!(
            labels.contains(&expected.to_string()),
            "{expected} not in {labels:?}"
        );
    }
    let how = |label: &str| {
        spec.operations
            .iter()
            .find(|op| op.label() == label)
            .map(|op| op.extensions["x-vibeguard-found"].clone())
    };
    assert_eq!(how("POST /login"), Some("form on /".into()));
    assert_eq!(
        how("DELETE /api/recipes/{slug}"),
        Some("script /assets/index-3f9a1c.js".into())
    );
    assert_eq!(how("GET /admin/"), Some("robots.txt".into()));
    let login = spec
        .operations
        .iter()
        .find(|op| op.label() == "POST /login")
        .expect("login");
    let fields: Vec<&str> = login
        .body
        .as_ref()
        .expect("form")
        .schema
        .properties
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(fields, ["email", "password"]);
    let search = spec
        .operations
        .iter()
        .find(|op| op.label() == "GET /recipes/search")
        .expect("search");
    assert_eq!(search.parameters[0].name, "q");
    // Nothing outside the target; bounded.
    assert!(labels.iter().all(|l| !l.contains("elsewhere")));
    assert!(asked.lock().expect("log").len() <= discovery::MAX_PAGES + discovery::MAX_SCRIPTS + 12);

    // The engine tests them, and the report counts them as discovered.
    let settings = ApiSettings::new(url.clone(), SpecSource::Discover);
    let outcome = engine::run(&settings, &|_| true, &|_| None)
        .await
        .expect("runs");
    let coverage = &outcome.output.run.coverage;
    assert!(coverage.operations_discovered >= 10, "{coverage:?}");
    assert_eq!(coverage.operations_discovered, coverage.operations_total);
}

/// An app whose hand-written description lists only its health check: the code declares an
/// admin list behind its session check (which the server forgot), and the home page links a
/// report page nothing else names.
fn described_in_part(path: &str) -> (u16, &'static str, String) {
    match path {
        "/openapi.json" => (
            200,
            "application/json",
            r#"{"openapi": "3.0.3", "info": {"title": "Shop", "version": "1"},
                "paths": {"/api/health": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#
                .into(),
        ),
        "/api/health" => (200, "application/json", r#"{"status":"ok"}"#.into()),
        "/" => (
            200,
            "text/html; charset=utf-8",
            r#"<!DOCTYPE html><html><body><a href="/reports/weekly">This week</a></body></html>"#
                .into(),
        ),
        "/reports/weekly" => (
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><body><p>12 orders</p></body></html>".into(),
        ),
        "/api/admin/users" => (
            200,
            "application/json",
            r#"[{"id": 1, "username": "ada", "password": "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"}]"#
                .into(),
        ),
        _ => not_found(),
    }
}

#[tokio::test]
async fn what_a_description_leaves_out_but_the_code_or_the_pages_show_is_tested_too() {
    let (url, asked) = server(described_in_part).await;
    let mut settings = ApiSettings::new(url.clone(), SpecSource::Discover);
    settings.declared_routes = vec![vibeguard_api::spec::DeclaredRoute {
        method: "GET".into(),
        path: "/api/admin/users".into(),
        declared_at: "routes/admin.js:12".into(),
        authenticated: true,
        ..Default::default()
    }];
    let outcome = engine::run(&settings, &|_| true, &|_| None)
        .await
        .expect("runs");
    let run = &outcome.output.run;
    let coverage = &run.coverage;
    // The described health check, the code's admin list, the crawl's home and report pages.
    assert_eq!(coverage.operations_from_code, 1, "{coverage:?}");
    assert!(coverage.operations_discovered >= 1, "{coverage:?}");
    assert_eq!(
        coverage.operations_total,
        1 + coverage.operations_from_code + coverage.operations_discovered
    );
    assert_eq!(
        coverage.operations, coverage.operations_total,
        "{:?}",
        run.unchecked
    );
    assert!(
        asked
            .lock()
            .expect("log")
            .contains(&"/reports/weekly".to_string())
    );
    let found: Vec<String> = outcome
        .output
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.location))
        .collect();
    // Tested like a described operation: open though the code secures it, and a hash in it;
    // and still reported as a route the description leaves out.
    for expected in [
        "VG401 GET /api/admin/users",
        "VG405 GET /api/admin/users",
        "VG416 GET /api/admin/users",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(expected)),
            "{expected} not in {found:?}"
        );
    }
    assert!(
        !found.iter().any(|f| f.contains("/api/health")),
        "{found:?}"
    );
}
