//! The packages compiled into the image's programs, from the build information the image walk
//! kept ([`crate::image::binaries`]): a Go program's modules and its Go standard library
//! (`stdlib` at the toolchain's version, as OSV's Go records name it), a `cargo auditable`
//! Rust program's crates from crates.io. Go programs too old to carry readable build
//! information are named as not checked.

use super::{FoundPackage, InstalledSoftware, PackageKind};
use crate::image::{ImageContents, KeptKind};

/// Adds the packages of every program in the image.
pub fn read(image: &ImageContents, found: &mut InstalledSoftware) {
    for (path, file) in &image.kept {
        if file.kind != KeptKind::BuildInfo {
            continue;
        }
        let text = String::from_utf8_lossy(&file.content);
        let packages = parse(&text);
        if text.starts_with("go-old") {
            found.unreadable.push(format!(
                "/{path}: a Go program built before Go 1.18, whose module list vibeguard does not \
                 read: its modules were not checked"
            ));
        }
        found.packages.extend(
            packages
                .into_iter()
                .map(|(kind, name, version)| FoundPackage {
                    kind,
                    name: name.clone(),
                    version: version.clone(),
                    binary: name,
                    binary_version: version,
                    path: path.clone(),
                    layer: file.layer,
                }),
        );
    }
}

/// `go1.21.5` -> `1.21.5`; `go1.20` -> `1.20.0` (releases before Go 1.21 named the first
/// release without `.0`); development and release-candidate toolchains give nothing.
fn stdlib_version(toolchain: &str) -> Option<String> {
    let version = toolchain.strip_prefix("go")?;
    let version = version.split_whitespace().next()?;
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    match version.split('.').count() {
        2 => Some(format!("{version}.0")),
        3 => Some(version.to_string()),
        _ => None,
    }
}

/// The (kind, name, version) of each package a kept build information text names.
pub fn parse(text: &str) -> Vec<(PackageKind, String, String)> {
    let mut lines = text.lines();
    let mut packages = Vec::new();
    match lines.next() {
        Some(first) if first.starts_with("go\t") => {
            if let Some(version) = stdlib_version(&first[3..]) {
                packages.push((PackageKind::Go, "stdlib".to_string(), version));
            }
            for line in lines {
                let fields: Vec<&str> = line.split('\t').collect();
                match fields.as_slice() {
                    ["dep", path, version, ..] => {
                        packages.push((PackageKind::Go, path.to_string(), version.to_string()))
                    }
                    // A replacement applies to the dependency above it; a local folder has no
                    // advisories, so the dependency is dropped.
                    ["=>", path, version, ..] => {
                        if matches!(packages.last(), Some((PackageKind::Go, name, _)) if name != "stdlib")
                        {
                            packages.pop();
                            if !path.starts_with('.') && !path.starts_with('/') {
                                packages.push((
                                    PackageKind::Go,
                                    path.to_string(),
                                    version.to_string(),
                                ));
                            }
                        }
                    }
                    ["=>", ..] => {
                        if matches!(packages.last(), Some((PackageKind::Go, name, _)) if name != "stdlib")
                        {
                            packages.pop();
                        }
                    }
                    _ => {}
                }
            }
        }
        Some("rust") => {
            for line in lines {
                if let ["crate", name, version, "crates.io"] =
                    line.split('\t').collect::<Vec<_>>().as_slice()
                {
                    packages.push((PackageKind::Cargo, name.to_string(), version.to_string()));
                }
            }
        }
        _ => {}
    }
    packages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_modules_with_replacements_and_the_standard_library() {
        let text = "go\tgo1.20.1\npath\texample.com/api\nmod\texample.com/api\t(devel)\t\n\
                    dep\tgithub.com/gin-gonic/gin\tv1.9.0\th1:a=\ndep\tgolang.org/x/net\tv0.7.0\th1:b=\n\
                    =>\tgolang.org/x/net\tv0.17.0\th1:c=\ndep\texample.com/local\tv0.0.0\t\n=>\t../local\t\t\n";
        let found = parse(text);
        let view: Vec<(&str, &str)> = found
            .iter()
            .map(|(_, n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            view,
            [
                ("stdlib", "1.20.1"),
                ("github.com/gin-gonic/gin", "v1.9.0"),
                ("golang.org/x/net", "v0.17.0"),
            ]
        );
        assert_eq!(stdlib_version("go1.20"), Some("1.20.0".into()));
        assert_eq!(stdlib_version("go1.22rc1"), None);
        assert_eq!(stdlib_version("devel go1.23-abc"), None);
    }

    #[test]
    fn crates_io_crates_of_rust_programs() {
        let found = parse("rust\ncrate\tapp\t0.1.0\tlocal\ncrate\thyper\t0.14.10\tcrates.io\n");
        assert_eq!(
            found,
            [(
                PackageKind::Cargo,
                "hyper".to_string(),
                "0.14.10".to_string()
            )]
        );
    }
}
