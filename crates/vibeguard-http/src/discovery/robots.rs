//! Paths a site lists about itself: `robots.txt` (`Allow`/`Disallow` lines — often exactly the
//! admin and API paths it would rather keep quiet) and `sitemap.xml` (`<loc>` entries).

use url::Url;

/// The paths `robots.txt` names (wildcards and `$` anchors cut), and the sitemaps it points to.
pub fn robots(text: &str, site: &Url) -> (Vec<String>, Vec<Url>) {
    let mut paths = Vec::new();
    let mut sitemaps = Vec::new();
    for line in text.lines().take(2_000) {
        let line = line.split('#').next().unwrap_or_default().trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "allow" | "disallow" => {
                let path = value.split(['*', '$']).next().unwrap_or_default();
                if path.starts_with('/') && path.len() > 1 && !paths.contains(&path.to_string()) {
                    paths.push(path.to_string());
                }
            }
            "sitemap" => sitemaps.extend(site.join(value).ok()),
            _ => {}
        }
    }
    (paths, sitemaps)
}

/// The URLs of a sitemap's `<loc>` entries (pages and nested sitemaps alike).
pub fn sitemap(xml: &str) -> Vec<Url> {
    xml.split("<loc>")
        .skip(1)
        .take(1_000)
        .filter_map(|rest| rest.split("</loc>").next())
        .filter_map(|loc| Url::parse(loc.trim().replace("&amp;", "&").as_str()).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_and_sitemaps_list_paths() {
        let site = Url::parse("http://127.0.0.1:3000/").expect("url");
        let (paths, sitemaps) = robots(
            "User-agent: *\nDisallow: /admin/\nDisallow: /api/internal/*\nAllow: /public$\nDisallow: /\n# Disallow: /secret\nSitemap: /sitemap.xml\n",
            &site,
        );
        assert_eq!(paths, ["/admin/", "/api/internal/", "/public"]);
        assert_eq!(sitemaps, [site.join("/sitemap.xml").expect("url")]);
        let urls = sitemap(
            r#"<?xml version="1.0"?><urlset><url><loc>http://127.0.0.1:3000/recipes/pancakes</loc></url><url><loc> http://127.0.0.1:3000/about?a=1&amp;b=2 </loc></url></urlset>"#,
        );
        let urls: Vec<&str> = urls.iter().map(Url::as_str).collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:3000/recipes/pancakes",
                "http://127.0.0.1:3000/about?a=1&b=2"
            ]
        );
    }
}
