//! Debian and Ubuntu: `/var/lib/dpkg/status` (deb822 paragraphs), and distroless images'
//! `/var/lib/dpkg/status.d/NAME` files (one paragraph each). Only packages whose `Status` says
//! `installed` count (removed packages leave `deinstall ok config-files` behind). Advisories
//! name source packages: `Source: openssl` or `Source: openssl (3.0.11-1~deb12u2)` when the
//! binary's version differs (a binNMU); without `Source` the binary is its own source.

use super::{FoundPackage, InstalledSoftware, PackageKind, field, paragraphs};
use crate::image::ImageContents;

/// Adds the dpkg packages of the image.
pub fn read(image: &ImageContents, found: &mut InstalledSoftware) {
    let mut sources: Vec<(String, usize, String)> = Vec::new();
    if let Some((path, file)) = image.file("var/lib/dpkg/status") {
        sources.push((
            path.to_string(),
            file.layer,
            String::from_utf8_lossy(&file.content).into_owned(),
        ));
    }
    for (path, file) in image.kept.range("var/lib/dpkg/status.d/".to_string()..) {
        if !path.starts_with("var/lib/dpkg/status.d/") {
            break;
        }
        if file.link.is_none() {
            sources.push((
                path.clone(),
                file.layer,
                String::from_utf8_lossy(&file.content).into_owned(),
            ));
        }
    }
    for (path, layer, text) in sources {
        found.packages.extend(parse(&text, &path, layer));
    }
}

/// The installed packages of one status file.
pub fn parse(text: &str, path: &str, layer: usize) -> Vec<FoundPackage> {
    let mut packages = Vec::new();
    for paragraph in paragraphs(text, ':') {
        let (Some(binary), Some(version)) =
            (field(&paragraph, "Package"), field(&paragraph, "Version"))
        else {
            continue;
        };
        // Distroless status.d files carry no Status field: they list installed packages only.
        if let Some(status) = field(&paragraph, "Status")
            && status.split_whitespace().nth(2) != Some("installed")
        {
            continue;
        }
        let (name, source_version) = match field(&paragraph, "Source") {
            Some(source) => match source.split_once('(') {
                Some((name, rest)) => (
                    name.trim().to_string(),
                    rest.trim_end_matches(')').trim().to_string(),
                ),
                None => (source.trim().to_string(), version.to_string()),
            },
            None => (binary.to_string(), version.to_string()),
        };
        packages.push(FoundPackage {
            kind: PackageKind::Dpkg,
            name,
            version: source_version,
            binary: binary.to_string(),
            binary_version: version.to_string(),
            path: path.to_string(),
            layer,
        });
    }
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_packages_with_their_source() {
        let status = "Package: libssl3\nStatus: install ok installed\nPriority: optional\n\
Source: openssl\nVersion: 3.0.11-1~deb12u1\nDescription: Secure Sockets Layer toolkit\n \
 shared libraries\n\nPackage: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n\
Source: bash (5.2.15-2)\n\nPackage: old-thing\nStatus: deinstall ok config-files\nVersion: 1.0-1\n\n\
Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nSource: zlib\n";
        let found = parse(status, "var/lib/dpkg/status", 1);
        let view: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|p| (p.binary.as_str(), p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            view,
            [
                ("libssl3", "openssl", "3.0.11-1~deb12u1"),
                ("bash", "bash", "5.2.15-2"),
                ("zlib1g", "zlib", "1:1.2.13.dfsg-1"),
            ]
        );
        assert_eq!(found[1].binary_version, "5.2.15-2+b2");
    }

    #[test]
    fn distroless_status_files_have_no_status_field() {
        let found = parse(
            "Package: tzdata\nVersion: 2024a-0+deb12u1\n",
            "var/lib/dpkg/status.d/tzdata",
            2,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "tzdata");
    }
}
