//! Alpine: `/lib/apk/db/installed`, paragraphs of one-letter keys (`P:` package, `V:` version,
//! `o:` origin — the source package Alpine's advisories name).

use super::{FoundPackage, InstalledSoftware, PackageKind, field, paragraphs};
use crate::image::ImageContents;

/// Adds the apk packages of the image.
pub fn read(image: &ImageContents, found: &mut InstalledSoftware) {
    if let Some((path, file)) = image.file("lib/apk/db/installed") {
        found.packages.extend(parse(
            &String::from_utf8_lossy(&file.content),
            path,
            file.layer,
        ));
    }
}

/// The packages of one installed database.
pub fn parse(text: &str, path: &str, layer: usize) -> Vec<FoundPackage> {
    paragraphs(text, ':')
        .into_iter()
        .filter_map(|paragraph| {
            let binary = field(&paragraph, "P")?;
            let version = field(&paragraph, "V")?;
            Some(FoundPackage {
                kind: PackageKind::Apk,
                name: field(&paragraph, "o").unwrap_or(binary).to_string(),
                version: version.to_string(),
                binary: binary.to_string(),
                binary_version: version.to_string(),
                path: path.to_string(),
                layer,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_with_their_origin() {
        let db = "C:Q1abc=\nP:libcrypto3\nV:3.1.4-r1\nA:x86_64\no:openssl\nm:Natanael Copa\n\n\
C:Q1def=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\n";
        let found = parse(db, "lib/apk/db/installed", 1);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].binary.as_str(), found[0].name.as_str()),
            ("libcrypto3", "openssl")
        );
        assert_eq!(
            (found[1].name.as_str(), found[1].version.as_str()),
            ("musl", "1.2.4_git20230717-r4")
        );
    }
}
