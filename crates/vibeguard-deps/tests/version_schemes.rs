//! Each ecosystem's version order, as advisory matching uses it: table tests from the schemes'
//! own specifications, and property tests that every scheme is a total order whose printed form
//! parses back to the same version.

use std::cmp::Ordering;

use proptest::prelude::*;
use vibeguard_deps::Ecosystem;
use vibeguard_deps::versions::EcosystemVersion;

fn v(ecosystem: Ecosystem, text: &str) -> EcosystemVersion {
    EcosystemVersion::parse(ecosystem, text).unwrap_or_else(|| panic!("{ecosystem} {text}"))
}

fn assert_ascending(ecosystem: Ecosystem, ordered: &[&str]) {
    for pair in ordered.windows(2) {
        assert_eq!(
            v(ecosystem, pair[0]).compare(&v(ecosystem, pair[1])),
            Some(Ordering::Less),
            "{ecosystem}: {} < {}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn semver_precedence_from_the_specification() {
    // SemVer 2.0.0, section 11.
    let ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "2.0.0",
        "2.1.0",
        "2.1.1",
    ];
    assert_ascending(Ecosystem::Npm, &ordered);
    assert_ascending(Ecosystem::CratesIo, &ordered);
    // Build metadata does not take part in precedence.
    for ecosystem in [Ecosystem::Npm, Ecosystem::CratesIo] {
        assert_eq!(
            v(ecosystem, "1.0.0+20130313144700").compare(&v(ecosystem, "1.0.0+exp.sha.5114f85")),
            Some(Ordering::Equal)
        );
    }
}

#[test]
fn pep440_order_from_the_specification() {
    // PEP 440, "Summary of permitted suffixes and relative ordering", plus epochs.
    assert_ascending(
        Ecosystem::PyPI,
        &[
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.5",
        ],
    );
    assert_eq!(
        v(Ecosystem::PyPI, "1.0").compare(&v(Ecosystem::PyPI, "1.0.0")),
        Some(Ordering::Equal)
    );
    assert_eq!(
        v(Ecosystem::PyPI, "1.0-RC1").compare(&v(Ecosystem::PyPI, "1.0rc1")),
        Some(Ordering::Equal)
    );
}

#[test]
fn rubygems_order_from_gem_version() {
    // Gem::Version: letters make a prerelease that sorts before the release.
    assert_ascending(
        Ecosystem::RubyGems,
        &[
            "1.0.a.2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.2.6.2", "1.10",
        ],
    );
    assert_eq!(
        v(Ecosystem::RubyGems, "1.0").compare(&v(Ecosystem::RubyGems, "1.0.0")),
        Some(Ordering::Equal)
    );
}

#[test]
fn go_and_composer_orders() {
    assert_ascending(
        Ecosystem::Go,
        &[
            "v0.0.0-20190620200207-3b0461eec859",
            "v0.0.0-20220906165146-f3363e06e74c",
            "v0.1.0",
            "v1.9.1",
            "v20.10.11+incompatible",
        ],
    );
    assert_ascending(
        Ecosystem::Packagist,
        &[
            "v5.4.19",
            "5.4.20-beta1",
            "5.4.20-RC1",
            "v5.4.20",
            "5.4.20-p1",
            "5.10.0",
        ],
    );
    // Versions of different ecosystems do not compare.
    assert_eq!(
        v(Ecosystem::Npm, "1.0.0").compare(&v(Ecosystem::CratesIo, "1.0.0")),
        None
    );
}

fn semver_text() -> impl Strategy<Value = String> {
    (
        0u64..30,
        0u64..30,
        0u64..30,
        proptest::option::of(proptest::collection::vec(
            "(alpha|beta|rc|[0-9]{1,3}|x[a-z0-9]{0,3})",
            1..3,
        )),
    )
        .prop_map(|(major, minor, patch, pre)| match pre {
            Some(parts) => format!(
                "{major}.{minor}.{patch}-{}",
                parts
                    .into_iter()
                    .map(|p| p.trim_start_matches('0').to_string())
                    .map(|p| if p.is_empty() { "0".to_string() } else { p })
                    .collect::<Vec<_>>()
                    .join(".")
            ),
            None => format!("{major}.{minor}.{patch}"),
        })
}

fn pep440_text() -> impl Strategy<Value = String> {
    (
        proptest::option::of(1u64..3),
        proptest::collection::vec(0u64..20, 1..4),
        proptest::option::of(("(a|b|rc)", 0u64..5)),
        proptest::option::of(0u64..5),
        proptest::option::of(0u64..5),
    )
        .prop_map(|(epoch, release, pre, post, dev)| {
            let mut text = String::new();
            if let Some(epoch) = epoch {
                text.push_str(&format!("{epoch}!"));
            }
            text.push_str(
                &release
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join("."),
            );
            if let Some((kind, n)) = pre {
                text.push_str(&format!("{kind}{n}"));
            }
            if let Some(n) = post {
                text.push_str(&format!(".post{n}"));
            }
            if let Some(n) = dev {
                text.push_str(&format!(".dev{n}"));
            }
            text
        })
}

fn gem_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(0u64..20, 1..4),
        proptest::option::of("(a|b|pre|rc)[0-9]?"),
    )
        .prop_map(|(numbers, pre)| {
            let mut text = numbers
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".");
            if let Some(pre) = pre {
                text.push('.');
                text.push_str(&pre);
            }
            text
        })
}

fn composer_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(0u64..20, 1..5),
        proptest::option::of(("(alpha|beta|RC|p|dev)", 0u64..4)),
    )
        .prop_map(|(numbers, stability)| {
            let mut text = numbers
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".");
            if let Some((word, n)) = stability {
                text.push('-');
                text.push_str(&word);
                if word != "dev" && n > 0 {
                    text.push_str(&n.to_string());
                }
            }
            text
        })
}

fn go_text() -> impl Strategy<Value = String> {
    (semver_text(), any::<bool>()).prop_map(|(semver, incompatible)| {
        if incompatible {
            format!("v{semver}+incompatible")
        } else {
            format!("v{semver}")
        }
    })
}

/// `[epoch:]upstream[-revision]` with Debian's `~` pre-releases, `+` and `.` parts.
fn dpkg_text() -> impl Strategy<Value = String> {
    (
        proptest::option::of(0u64..3),
        "[0-9]{1,2}(\\.[0-9]{1,3}){0,2}([a-z]{0,2})(~(rc|beta)[0-9])?(\\+dfsg)?",
        proptest::option::of("[0-9]{1,2}(\\+deb[0-9]{2}u[0-9])?(~bpo[0-9])?"),
    )
        .prop_map(|(epoch, upstream, revision)| {
            let mut text = String::new();
            if let Some(epoch) = epoch {
                text.push_str(&format!("{epoch}:"));
            }
            text.push_str(&upstream);
            if let Some(revision) = revision {
                text.push('-');
                text.push_str(&revision);
            }
            text
        })
}

/// Alpine's `numbers[letter][_suffix[n]]…[-rN]`.
fn apk_text() -> impl Strategy<Value = String> {
    "[0-9]{1,2}(\\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,3}){0,2}(-r[0-9]{1,2})?"
}

/// rpm's `[epoch:]version-release`, `~` and `^` included.
fn rpm_text() -> impl Strategy<Value = String> {
    (
        proptest::option::of(0u64..3),
        "[0-9]{1,2}(\\.[0-9a-z]{1,3}){0,3}(~rc[0-9])?(\\^git[0-9])?",
        "[0-9]{1,2}(\\.el[89](_[0-9])?)?(\\.[0-9])?",
    )
        .prop_map(|(epoch, version, release)| match epoch {
            Some(epoch) => format!("{epoch}:{version}-{release}"),
            None => format!("{version}-{release}"),
        })
}

fn check_scheme(ecosystem: Ecosystem, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let (Some(x), Some(y), Some(z)) = (
        EcosystemVersion::parse(ecosystem, a),
        EcosystemVersion::parse(ecosystem, b),
        EcosystemVersion::parse(ecosystem, c),
    ) else {
        return Err(TestCaseError::fail(format!(
            "{ecosystem}: {a} {b} {c} must parse"
        )));
    };
    // Printing and parsing again gives the same version.
    for version in [&x, &y, &z] {
        let again = EcosystemVersion::parse(ecosystem, &version.to_string());
        prop_assert_eq!(
            again.as_ref().and_then(|g| g.compare(version)),
            Some(Ordering::Equal)
        );
    }
    // A total order: reflexive, antisymmetric, transitive.
    prop_assert_eq!(x.compare(&x), Some(Ordering::Equal));
    let xy = x.compare(&y).expect("same scheme");
    prop_assert_eq!(y.compare(&x), Some(xy.reverse()));
    let yz = y.compare(&z).expect("same scheme");
    if xy != Ordering::Greater && yz != Ordering::Greater {
        prop_assert_ne!(x.compare(&z), Some(Ordering::Greater));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn npm_is_a_total_order(a in semver_text(), b in semver_text(), c in semver_text()) {
        check_scheme(Ecosystem::Npm, &a, &b, &c)?;
    }

    #[test]
    fn cargo_is_a_total_order(a in semver_text(), b in semver_text(), c in semver_text()) {
        check_scheme(Ecosystem::CratesIo, &a, &b, &c)?;
    }

    #[test]
    fn pep440_is_a_total_order(a in pep440_text(), b in pep440_text(), c in pep440_text()) {
        check_scheme(Ecosystem::PyPI, &a, &b, &c)?;
    }

    #[test]
    fn go_is_a_total_order(a in go_text(), b in go_text(), c in go_text()) {
        check_scheme(Ecosystem::Go, &a, &b, &c)?;
    }

    #[test]
    fn rubygems_is_a_total_order(a in gem_text(), b in gem_text(), c in gem_text()) {
        check_scheme(Ecosystem::RubyGems, &a, &b, &c)?;
    }

    #[test]
    fn composer_is_a_total_order(a in composer_text(), b in composer_text(), c in composer_text()) {
        check_scheme(Ecosystem::Packagist, &a, &b, &c)?;
    }

    #[test]
    fn dpkg_is_a_total_order(a in dpkg_text(), b in dpkg_text(), c in dpkg_text()) {
        check_scheme(Ecosystem::Debian, &a, &b, &c)?;
    }

    #[test]
    fn apk_is_a_total_order(a in apk_text(), b in apk_text(), c in apk_text()) {
        check_scheme(Ecosystem::Alpine, &a, &b, &c)?;
    }

    #[test]
    fn rpm_is_a_total_order(a in rpm_text(), b in rpm_text(), c in rpm_text()) {
        check_scheme(Ecosystem::RockyLinux, &a, &b, &c)?;
    }

    /// Any text, for every distribution scheme: parsing and comparing never panics.
    #[test]
    fn distribution_versions_never_panic(a in "\\PC{0,24}", b in "[0-9a-z.:~^_+-]{0,24}") {
        for ecosystem in [Ecosystem::Debian, Ecosystem::Alpine, Ecosystem::RedHat] {
            if let (Some(x), Some(y)) = (
                EcosystemVersion::parse(ecosystem, &a),
                EcosystemVersion::parse(ecosystem, &b),
            ) {
                let _ = x.compare(&y);
            }
            if let Some(y) = EcosystemVersion::parse(ecosystem, &b) {
                prop_assert_eq!(y.compare(&y), Some(Ordering::Equal));
            }
        }
    }
}
