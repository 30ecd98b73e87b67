//! Package ecosystems, named as OSV names them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A package ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    /// JavaScript packages from the npm registry (npm, yarn, pnpm, bun).
    #[serde(rename = "npm")]
    Npm,
    /// Python packages from PyPI.
    #[serde(rename = "PyPI")]
    PyPI,
    /// Rust crates.
    #[serde(rename = "crates.io")]
    CratesIo,
    /// Go modules.
    #[serde(rename = "Go")]
    Go,
    /// Ruby gems.
    #[serde(rename = "RubyGems")]
    RubyGems,
    /// PHP packages from Packagist (composer).
    #[serde(rename = "Packagist")]
    Packagist,
    /// Debian's packages (dpkg), by source package, per release (`Debian:12`).
    #[serde(rename = "Debian")]
    Debian,
    /// Ubuntu's packages (dpkg), by source package, per release (`Ubuntu:22.04:LTS`).
    #[serde(rename = "Ubuntu")]
    Ubuntu,
    /// Alpine's packages (apk), by origin package, per release (`Alpine:v3.19`).
    #[serde(rename = "Alpine")]
    Alpine,
    /// Red Hat Enterprise Linux's packages (rpm), per product stream
    /// (`Red Hat:enterprise_linux:9::baseos`).
    #[serde(rename = "Red Hat")]
    RedHat,
    /// Rocky Linux's packages (rpm), per release (`Rocky Linux:9`).
    #[serde(rename = "Rocky Linux")]
    RockyLinux,
    /// AlmaLinux's packages (rpm), per release (`AlmaLinux:9`).
    #[serde(rename = "AlmaLinux")]
    AlmaLinux,
}

impl Ecosystem {
    /// The name OSV uses.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::RedHat => "Red Hat",
            Ecosystem::RockyLinux => "Rocky Linux",
            Ecosystem::AlmaLinux => "AlmaLinux",
        }
    }

    /// Every ecosystem, in a stable order: the language registries, then the distributions.
    pub const ALL: [Ecosystem; 12] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Debian,
        Ecosystem::Ubuntu,
        Ecosystem::Alpine,
        Ecosystem::RedHat,
        Ecosystem::RockyLinux,
        Ecosystem::AlmaLinux,
    ];

    /// The language registries a project's lockfiles pin: what `vibeguard db update` fetches
    /// by default. The distributions' exports are large and only a container image needs them.
    pub const LANGUAGES: [Ecosystem; 6] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
    ];

    /// Whether it is a Linux distribution's package set, whose advisories are per release.
    pub fn is_distribution(self) -> bool {
        !Ecosystem::LANGUAGES.contains(&self)
    }

    /// Reads an OSV `affected[].package.ecosystem` value: the ecosystem and, for a
    /// distribution, the release it names (`Debian:12` -> Debian, `12`). `None` for ecosystems
    /// vibeguard does not match, and for suffixed language ecosystems (`Packagist:https://…`
    /// names another registry whose packages are not the ones a lockfile pins).
    pub fn from_osv_affected(value: &str) -> Option<(Ecosystem, Option<String>)> {
        let (base, release) = match value.split_once(':') {
            Some((base, release)) => (base, Some(release)),
            None => (value, None),
        };
        let ecosystem = Ecosystem::ALL
            .into_iter()
            .find(|ecosystem| ecosystem.osv_name() == base)?;
        match (ecosystem.is_distribution(), release) {
            (false, None) => Some((ecosystem, None)),
            (false, Some(_)) => None,
            (true, release) => Some((
                ecosystem,
                release
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
            )),
        }
    }

    /// Whether an advisory entry for release `advised` (as OSV writes it after the colon)
    /// concerns a system of release `installed` (as `/etc/os-release` gives `VERSION_ID`).
    /// An entry without a release concerns every release; an installed system of unknown
    /// release matches nothing (the caller reports it as not checked).
    pub fn release_matches(self, advised: Option<&str>, installed: Option<&str>) -> bool {
        let Some(advised) = advised else {
            return true;
        };
        let Some(installed) = installed.map(str::trim).filter(|r| !r.is_empty()) else {
            return false;
        };
        let major = installed.split('.').next().unwrap_or(installed);
        let major_minor: String = installed.split('.').take(2).collect::<Vec<_>>().join(".");
        let parts: Vec<&str> = advised.split(':').collect();
        match self {
            // `Debian:12`; point releases share the major's advisories.
            Ecosystem::Debian => parts.first() == Some(&major),
            // `Ubuntu:22.04:LTS`, `Ubuntu:24.10`; Pro (ESM) and FIPS streams are not in the
            // standard archive an image installs from.
            Ecosystem::Ubuntu => {
                parts.first() == Some(&major_minor.as_str())
                    && !parts.iter().any(|p| *p == "Pro" || p.starts_with("FIPS"))
            }
            // `Alpine:v3.19`.
            Ecosystem::Alpine => advised.trim_start_matches('v') == major_minor,
            // `Red Hat:enterprise_linux:9::baseos`: the base product of the major release.
            Ecosystem::RedHat => {
                parts.first() == Some(&"enterprise_linux")
                    && parts
                        .get(1)
                        .is_some_and(|r| r.split('.').next() == Some(major))
            }
            // `Rocky Linux:9`, `AlmaLinux:8`.
            Ecosystem::RockyLinux | Ecosystem::AlmaLinux => {
                parts.first().and_then(|r| r.split('.').next()) == Some(major)
            }
            _ => true,
        }
    }

    /// The ecosystem OSV calls `name` (case-insensitive, so `pypi` and `crates.io` work on the
    /// command line).
    pub fn from_osv_name(name: &str) -> Option<Ecosystem> {
        Ecosystem::ALL
            .into_iter()
            .find(|ecosystem| ecosystem.osv_name().eq_ignore_ascii_case(name.trim()))
    }

    /// A package name as the ecosystem's registry compares names: PEP 503 for PyPI, lower case
    /// for crates.io and Packagist (whose registries ignore case), as written elsewhere.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => crate::versions::pep440::normalize_name(name),
            Ecosystem::CratesIo | Ecosystem::Packagist => name.trim().to_ascii_lowercase(),
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::RubyGems => name.trim().to_string(),
            // Distribution package names are lower case by policy, and compared as written.
            _ => name.trim().to_string(),
        }
    }

    /// The `package-ecosystem` value Dependabot uses for it.
    pub fn dependabot_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pip",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Go => "gomod",
            Ecosystem::RubyGems => "bundler",
            Ecosystem::Packagist => "composer",
            // Dependabot's `docker` ecosystem updates the base image that carries them.
            _ => "docker",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_osv_ecosystem_values_with_their_release() {
        let read = Ecosystem::from_osv_affected;
        assert_eq!(read("npm"), Some((Ecosystem::Npm, None)));
        assert_eq!(read("Packagist:https://packages.drupal.org/8"), None);
        assert_eq!(
            read("Debian:12"),
            Some((Ecosystem::Debian, Some("12".into())))
        );
        assert_eq!(
            read("Ubuntu:22.04:LTS"),
            Some((Ecosystem::Ubuntu, Some("22.04:LTS".into())))
        );
        assert_eq!(
            read("Alpine:v3.19"),
            Some((Ecosystem::Alpine, Some("v3.19".into())))
        );
        assert_eq!(
            read("Red Hat:enterprise_linux:9::baseos"),
            Some((Ecosystem::RedHat, Some("enterprise_linux:9::baseos".into())))
        );
        assert_eq!(
            read("Rocky Linux:9"),
            Some((Ecosystem::RockyLinux, Some("9".into())))
        );
        assert_eq!(read("Debian"), Some((Ecosystem::Debian, None)));
        assert_eq!(read("Wolfi"), None);
        assert_eq!(read("openSUSE:Leap 15.5"), None);
    }

    #[test]
    fn matches_releases_the_way_each_distribution_names_them() {
        let cases = [
            (Ecosystem::Debian, "12", "12.4", true),
            (Ecosystem::Debian, "11", "12", false),
            (Ecosystem::Ubuntu, "22.04:LTS", "22.04", true),
            (Ecosystem::Ubuntu, "24.10", "24.10", true),
            (Ecosystem::Ubuntu, "20.04:LTS", "22.04", false),
            (Ecosystem::Ubuntu, "Pro:22.04:LTS", "22.04", false),
            (Ecosystem::Alpine, "v3.19", "3.19.1", true),
            (Ecosystem::Alpine, "v3.1", "3.19.1", false),
            (Ecosystem::Alpine, "v3.18", "3.19.1", false),
            (Ecosystem::RedHat, "enterprise_linux:9::baseos", "9.3", true),
            (
                Ecosystem::RedHat,
                "enterprise_linux:8::appstream",
                "9.3",
                false,
            ),
            (Ecosystem::RedHat, "rhel_eus:9.2::baseos", "9.2", false),
            (Ecosystem::RockyLinux, "9", "9.3", true),
            (Ecosystem::AlmaLinux, "8", "9.3", false),
        ];
        for (ecosystem, advised, installed, expected) in cases {
            assert_eq!(
                ecosystem.release_matches(Some(advised), Some(installed)),
                expected,
                "{ecosystem}:{advised} on {installed}"
            );
        }
        assert!(Ecosystem::Debian.release_matches(None, Some("12")));
        assert!(
            !Ecosystem::Debian.release_matches(Some("12"), None),
            "an unknown release matches nothing"
        );
    }
}
