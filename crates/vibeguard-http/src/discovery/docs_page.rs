//! API descriptions reachable only through a documentation page: the URL a Swagger UI
//! initializer loads (`SwaggerUIBundle({ url: "/v3/api-docs" })`, `urls: [{ url: … }]`,
//! `configUrl`), a ReDoc element's `spec-url`, the initializer scripts such pages load
//! (`swagger-initializer.js`, swagger-ui-express's `swagger-ui-init.js`), and a document embedded
//! in them (`"swaggerDoc": {…}`, `spec: {…}`).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// Documentation pages worth opening when no description is at the usual paths.
pub const DOC_PAGES: &[&str] = &[
    "/api-docs",
    "/docs",
    "/swagger",
    "/swagger-ui.html",
    "/swagger-ui/",
    "/swagger-ui/index.html",
    "/redoc",
    "/api/docs",
    "/api/swagger",
];

static URLS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:\burl|configUrl|spec-url|specUrl)\s*[:=]\s*["']([^"'\s]+)["']"#)
        .expect("regex")
});
static INITIALIZERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"src\s*=\s*["']([^"']*(?:swagger-initializer|swagger-ui-init|redoc-init)[^"']*\.js)["']"#,
    )
    .expect("regex")
});
static EMBEDDED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["']?(?:swaggerDoc|spec)["']?\s*:\s*\{"#).expect("regex"));

/// The description URLs a documentation page or initializer names (relative ones as written),
/// and the initializer scripts it loads.
pub fn references(text: &str) -> (Vec<String>, Vec<String>) {
    let mut urls: Vec<String> = Vec::new();
    for capture in URLS.captures_iter(text) {
        let url = capture[1].to_string();
        let document = [".json", ".yaml", ".yml", "api-docs", "openapi", "swagger"]
            .iter()
            .any(|hint| url.to_ascii_lowercase().contains(hint));
        if document && !url.ends_with(".js") && !urls.contains(&url) {
            urls.push(url);
        }
    }
    let scripts = INITIALIZERS
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect();
    (urls, scripts)
}

/// A description embedded in an initializer (`"swaggerDoc": {…}`): the JSON object that
/// follows, when it is one with `openapi` or `swagger`.
pub fn embedded(text: &str) -> Option<Value> {
    for found in EMBEDDED.find_iter(text) {
        let start = found.end() - 1;
        let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
        if let Some(Ok(value)) = stream.next()
            && (value.get("openapi").is_some() || value.get("swagger").is_some())
        {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_ui_redoc_and_initializers_name_their_document() {
        let page = r#"<html><body><div id="swagger-ui"></div>
            <script src="./swagger-ui-bundle.js"></script>
            <script src="./swagger-initializer.js" charset="UTF-8"></script></body></html>"#;
        assert_eq!(
            references(page),
            (vec![], vec!["./swagger-initializer.js".to_string()])
        );
        let initializer = r#"window.onload = function() {
            window.ui = SwaggerUIBundle({ url: "/v3/api-docs", dom_id: '#swagger-ui' }); };"#;
        assert_eq!(references(initializer).0, ["/v3/api-docs"]);
        let many = r#"SwaggerUIBundle({urls: [{url: "/api/v1/openapi.yaml", name: "v1"}, {url: '/api/v2/openapi.yaml', name: 'v2'}]})"#;
        assert_eq!(
            references(many).0,
            ["/api/v1/openapi.yaml", "/api/v2/openapi.yaml"]
        );
        let redoc = r#"<redoc spec-url='/static/openapi.json'></redoc><script src="https://cdn.redoc.ly/redoc.js"></script>"#;
        assert_eq!(references(redoc).0, ["/static/openapi.json"]);
        // A URL that is no document (a login page) is not taken.
        assert!(references(r#"{ url: "/login" }"#).0.is_empty());
    }

    #[test]
    fn a_document_embedded_in_swagger_ui_express_is_read() {
        let init = r#"
window.onload = function() {
  var url = window.location.search.match(/url=([^&]+)/);
  var options = {
  "swaggerDoc": {"openapi": "3.0.0", "info": {"title": "Notes", "version": "1"}, "paths": {"/notes": {"get": {"responses": {"200": {"description": "ok"}}}}}},
  "customOptions": {}
};
  url = options.swaggerUrl || url
"#;
        let document = embedded(init).expect("embedded");
        assert_eq!(document["info"]["title"], "Notes");
        assert!(embedded("var spec = { a: 1 }").is_none());
    }
}
