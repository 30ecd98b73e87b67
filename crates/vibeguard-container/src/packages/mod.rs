//! What an image has installed, from the files [`crate::image`] kept: the distribution
//! (`os_release.rs`), its packages (`dpkg.rs`, `apk.rs`, `rpm.rs`, one per package manager),
//! the language packages installed into it (`language.rs`: npm, PyPI, RubyGems) and those
//! compiled into its programs (`binaries.rs`: Go modules, `cargo auditable` crates). This crate
//! only reads them; matching them against advisories is the dependency engine's, which the
//! binary hands them to.

pub mod apk;
pub mod binaries;
pub mod dpkg;
pub mod language;
pub mod os_release;
pub mod rpm;

use crate::image::ImageContents;

/// The package manager or registry a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PackageKind {
    /// Debian and Ubuntu (`/var/lib/dpkg/status`).
    Dpkg,
    /// Alpine (`/lib/apk/db/installed`).
    Apk,
    /// Red Hat, Rocky Linux, AlmaLinux (`/var/lib/rpm/rpmdb.sqlite`).
    Rpm,
    /// npm packages under a `node_modules` folder.
    Npm,
    /// Python distributions in `site-packages`.
    PyPI,
    /// Ruby gems (`specifications/*.gemspec`).
    RubyGems,
    /// Go modules and the Go standard library compiled into a program.
    Go,
    /// Crates compiled into a Rust program built with `cargo auditable`.
    Cargo,
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPackage {
    /// Where it comes from.
    pub kind: PackageKind,
    /// The name advisories use: the source package for Debian and Ubuntu, the origin for
    /// Alpine, the name otherwise.
    pub name: String,
    /// The version advisories compare (the source version for Debian and Ubuntu).
    pub version: String,
    /// The installed (binary) package.
    pub binary: String,
    /// Its version.
    pub binary_version: String,
    /// The file that records it, in the image.
    pub path: String,
    /// The layer that installed that file.
    pub layer: usize,
}

/// The distribution, as `/etc/os-release` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    /// `ID` (`debian`, `ubuntu`, `alpine`, `rhel`, `rocky`, `almalinux`, …).
    pub id: String,
    /// `ID_LIKE` entries.
    pub id_like: Vec<String>,
    /// `VERSION_ID` (`12`, `22.04`, `3.19.1`, `9.3`).
    pub version_id: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
}

/// Everything installed in the image.
#[derive(Debug, Clone, Default)]
pub struct InstalledSoftware {
    /// The distribution, when `/etc/os-release` says.
    pub distribution: Option<Distribution>,
    /// Distribution and language packages.
    pub packages: Vec<FoundPackage>,
    /// Package databases found but not readable, named with the reason (never taken as
    /// "nothing installed").
    pub unreadable: Vec<String>,
}

/// Reads every package database and metadata file the image kept.
pub fn inventory(image: &ImageContents) -> InstalledSoftware {
    let mut found = InstalledSoftware {
        distribution: os_release::read(image),
        ..InstalledSoftware::default()
    };
    dpkg::read(image, &mut found);
    apk::read(image, &mut found);
    rpm::read(image, &mut found);
    language::read(image, &mut found);
    binaries::read(image, &mut found);
    found
}

/// Splits a `Key: value` database into paragraphs of (key, value) fields; continuation lines
/// (starting with a space or tab) extend the previous value.
pub(crate) fn paragraphs(text: &str, separator: char) -> Vec<Vec<(String, String)>> {
    let mut all = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                all.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(separator) {
            current.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    if !current.is_empty() {
        all.push(current);
    }
    all
}

pub(crate) fn field<'a>(paragraph: &'a [(String, String)], key: &str) -> Option<&'a str> {
    paragraph
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}
