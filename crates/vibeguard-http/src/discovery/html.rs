//! What an HTML page links to: anchors, forms (their action, method and fields) and scripts.
//! A tolerant scan of the tags (pages from apps are rarely valid documents, and only these few
//! attributes matter); every URL resolved against the page's own.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

/// A form on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Where it posts (the page itself when `action` is absent).
    pub action: Url,
    /// Upper-case method (`GET` when absent).
    pub method: String,
    /// The names of its inputs, selects and text areas.
    pub fields: Vec<String>,
    /// Its hidden inputs with their values (a CSRF token, a `next` path).
    pub hidden: Vec<(String, String)>,
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<(a|form|script|link|input|select|textarea|/form)\b([^>]*)>").expect("regex")
});
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)([a-z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#).expect("regex")
});

fn attribute(attributes: &str, wanted: &str) -> Option<String> {
    ATTRIBUTE.captures_iter(attributes).find_map(|c| {
        c[1].eq_ignore_ascii_case(wanted).then(|| {
            let value = c
                .get(2)
                .or(c.get(3))
                .or(c.get(4))
                .map_or("", |m| m.as_str());
            // `&amp;` last, so that an escaped entity stays what it says.
            value
                .replace("&#x2F;", "/")
                .replace("&#47;", "/")
                .replace("&#43;", "+")
                .replace("&#x3D;", "=")
                .replace("&#61;", "=")
                .replace("&amp;", "&")
        })
    })
}

/// Resolves `href` against `page`, keeping only http(s) URLs (no `javascript:`, `mailto:`).
fn resolve(page: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = page.join(href).ok()?;
    url.set_fragment(None);
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// The anchors, forms and scripts of `html`, a page at `page`.
pub fn read(page: &Url, html: &str) -> (Vec<Url>, Vec<Form>, Vec<Url>) {
    let mut links = Vec::new();
    let mut forms: Vec<Form> = Vec::new();
    let mut scripts = Vec::new();
    let mut open_form = false;
    for tag in TAG.captures_iter(html) {
        let attributes = &tag[2];
        match tag[1].to_ascii_lowercase().as_str() {
            "a" => links.extend(attribute(attributes, "href").and_then(|h| resolve(page, &h))),
            "script" => {
                scripts.extend(attribute(attributes, "src").and_then(|s| resolve(page, &s)));
            }
            "link" => {
                // `<link rel="modulepreload" href="/assets/app.js">`
                let rel = attribute(attributes, "rel")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if rel.contains("modulepreload") || rel.contains("preload") {
                    let href = attribute(attributes, "href").unwrap_or_default();
                    if href.ends_with(".js") || href.ends_with(".mjs") {
                        scripts.extend(resolve(page, &href));
                    }
                }
            }
            "form" => {
                let action = attribute(attributes, "action")
                    .and_then(|a| resolve(page, &a))
                    .unwrap_or_else(|| page.clone());
                let method = attribute(attributes, "method")
                    .map(|m| m.to_ascii_uppercase())
                    .filter(|m| m == "POST" || m == "GET")
                    .unwrap_or_else(|| "GET".into());
                forms.push(Form {
                    action,
                    method,
                    fields: Vec::new(),
                    hidden: Vec::new(),
                });
                open_form = true;
            }
            "/form" => open_form = false,
            _ => {
                // An input, select or text area: a field of the open form.
                let kind = attribute(attributes, "type")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if let (true, Some(form), Some(name)) =
                    (open_form, forms.last_mut(), attribute(attributes, "name"))
                    && !matches!(kind.as_str(), "submit" | "button" | "image" | "reset")
                    && !form.fields.contains(&name)
                {
                    if kind == "hidden" {
                        let value = attribute(attributes, "value").unwrap_or_default();
                        form.hidden.push((name.clone(), value));
                    }
                    form.fields.push(name);
                }
            }
        }
    }
    (links, forms, scripts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_forms_and_scripts_resolved_against_the_page() {
        let page = Url::parse("http://127.0.0.1:3000/account/").expect("url");
        let html = r##"<!doctype html><html><head>
            <script type="module" src="/assets/index-4f2a.js"></script>
            <link rel="modulepreload" href="/assets/vendor-9c1b.js">
            <link rel="stylesheet" href="/assets/site.css">
            </head><body>
            <a href="/notes?page=2">Notes</a> <a href='settings'>Settings</a>
            <a href="https://github.com/x">GitHub</a> <a href="#top">top</a> <a href="mailto:a@b.c">mail</a>
            <form action="/login" method="post">
              <input type="email" name="email"><input type=password name=password>
              <input type="hidden" name="_csrf" value="abc"><button type="submit">Log in</button>
              <input type="submit" name="go">
            </form>
            <FORM><select name="sort"></select><textarea name="q"></textarea></FORM>
            <input name="outside">
            </body></html>"##;
        let (links, forms, scripts) = read(&page, html);
        let links: Vec<&str> = links.iter().map(Url::as_str).collect();
        assert_eq!(
            links,
            [
                "http://127.0.0.1:3000/notes?page=2",
                "http://127.0.0.1:3000/account/settings",
                "https://github.com/x"
            ]
        );
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].action.as_str(), "http://127.0.0.1:3000/login");
        assert_eq!(forms[0].method, "POST");
        assert_eq!(forms[0].fields, ["email", "password", "_csrf"]);
        assert_eq!(forms[0].hidden, [("_csrf".to_string(), "abc".to_string())]);
        assert_eq!(forms[1].action, page);
        assert_eq!(forms[1].method, "GET");
        assert_eq!(forms[1].fields, ["sort", "q"]);
        let scripts: Vec<&str> = scripts.iter().map(Url::as_str).collect();
        assert_eq!(
            scripts,
            [
                "http://127.0.0.1:3000/assets/index-4f2a.js",
                "http://127.0.0.1:3000/assets/vendor-9c1b.js"
            ]
        );
    }
}
