//! Language packages installed into the image: `node_modules/NAME/package.json` (npm),
//! `site-packages/NAME-VERSION.dist-info/METADATA` and `.egg-info/PKG-INFO` (PyPI), and
//! `specifications/NAME-VERSION.gemspec` (RubyGems). Each is reported with its own path, so a
//! finding says which folder of which layer holds the vulnerable copy.

use super::{FoundPackage, InstalledSoftware, PackageKind, field, paragraphs};
use crate::image::{ImageContents, KeptKind};

/// Adds the language packages of the image.
pub fn read(image: &ImageContents, found: &mut InstalledSoftware) {
    for (path, file) in &image.kept {
        if file.link.is_some() || file.kind != KeptKind::File {
            continue;
        }
        let text = || String::from_utf8_lossy(&file.content).into_owned();
        let package = if path.ends_with("/package.json") {
            npm(&text())
        } else if path.ends_with("/METADATA") || path.ends_with("/PKG-INFO") {
            python(&text())
        } else if path.ends_with(".gemspec") {
            gem(path)
        } else {
            None
        };
        if let Some((kind, name, version)) = package {
            found.packages.push(FoundPackage {
                kind,
                name: name.clone(),
                version: version.clone(),
                binary: name,
                binary_version: version,
                path: path.clone(),
                layer: file.layer,
            });
        }
    }
}

fn npm(text: &str) -> Option<(PackageKind, String, String)> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let name = value.get("name")?.as_str()?.trim();
    let version = value.get("version")?.as_str()?.trim();
    (!name.is_empty() && !version.is_empty())
        .then(|| (PackageKind::Npm, name.to_string(), version.to_string()))
}

fn python(text: &str) -> Option<(PackageKind, String, String)> {
    // The metadata headers end at the first blank line (the description follows).
    let head = text.split("\n\n").next().unwrap_or(text);
    let paragraph = paragraphs(head, ':').into_iter().next()?;
    Some((
        PackageKind::PyPI,
        field(&paragraph, "Name")?.to_string(),
        field(&paragraph, "Version")?.to_string(),
    ))
}

/// `specifications/rack-2.2.8.gemspec` -> rack 2.2.8 (the version is the last `-` part that
/// starts with a digit; platform suffixes such as `-x86_64-linux` are dropped).
fn gem(path: &str) -> Option<(PackageKind, String, String)> {
    let stem = path.rsplit('/').next()?.strip_suffix(".gemspec")?;
    let parts: Vec<&str> = stem.split('-').collect();
    let at = parts
        .iter()
        .rposition(|part| part.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    if at == 0 {
        return None;
    }
    Some((
        PackageKind::RubyGems,
        parts[..at].join("-"),
        parts[at].to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind_of_metadata() {
        assert_eq!(
            npm(r#"{"name": "@babel/core", "version": "7.0.0", "private": false}"#),
            Some((PackageKind::Npm, "@babel/core".into(), "7.0.0".into()))
        );
        assert_eq!(npm(r#"{"name": "x"}"#), None);
        assert_eq!(
            python(
                "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.11.2\nSummary: x\n\nName: not-this\n"
            ),
            Some((PackageKind::PyPI, "Jinja2".into(), "2.11.2".into()))
        );
        assert_eq!(
            gem("usr/local/bundle/specifications/nokogiri-1.13.10-x86_64-linux.gemspec"),
            Some((PackageKind::RubyGems, "nokogiri".into(), "1.13.10".into()))
        );
        assert_eq!(
            gem("gems/specifications/net-http-0.4.1.gemspec"),
            Some((PackageKind::RubyGems, "net-http".into(), "0.4.1".into()))
        );
    }
}
