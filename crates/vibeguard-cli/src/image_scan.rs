//! A container image in an audit (`vibeguard image PATH`, `audit --image PATH`): the container
//! crate reads its layers and what is installed; the dependency engine matches the packages
//! against the local OSV data (the distributions' releases and the registries); the secrets
//! engine scans the files the layers add and the image configuration. This module joins them,
//! because engines never import each other, and restates their findings as the image rules'
//! (VG610–VG612) so that they fail CONT-01 and never the project's own dependency items.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use vibeguard_container::image::{self, FileVisitor, ImageContents, ImageLimits, VisitedFile};
use vibeguard_container::image_rules::{
    image_runs_as_root, secret_in_image_layer, vulnerable_image_package,
};
use vibeguard_container::packages::{self, Distribution, FoundPackage, PackageKind};
use vibeguard_core::{
    ChecklistId, EngineError, EngineId, EngineRun, Finding, RuleApplicability, Text, Untested,
};
use vibeguard_deps::Ecosystem;
use vibeguard_deps::inventory::{InstalledPackage, Inventory, InventoryGap};

use crate::advisory_settings::AdvisorySettings;

/// What scanning one image gave.
#[derive(Debug)]
pub struct ImageScan {
    /// The run record.
    pub run: EngineRun,
    /// Its findings.
    pub findings: Vec<Finding>,
    /// Secret values found, for the run's redactor.
    pub secrets: Vec<String>,
    /// Advisory data that was missing or unusable (for `--require-db`).
    pub data_problems: Vec<String>,
}

/// Folders of the distribution and of installed packages: their files are other people's
/// (test keys in a library's fixtures, sample configurations), not the app's secrets.
fn scanned_for_secrets(path: &str) -> bool {
    const SKIPPED_PREFIXES: [&str; 14] = [
        "usr/share/",
        "usr/lib/",
        "usr/lib64/",
        "usr/include/",
        "usr/libexec/",
        "usr/local/lib/",
        "usr/local/include/",
        "usr/local/share/",
        "lib/",
        "lib64/",
        "var/lib/",
        "var/cache/",
        "proc/",
        "sys/",
    ];
    const SKIPPED_PARTS: [&str; 5] = [
        "/node_modules/",
        "/site-packages/",
        "/dist-packages/",
        "/gems/",
        "/.cache/",
    ];
    let with_slash = format!("/{path}");
    !SKIPPED_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
        && !SKIPPED_PARTS.iter().any(|part| with_slash.contains(part))
}

struct LayerSecrets<'a> {
    enabled: &'a dyn Fn(&str) -> bool,
    found: Vec<(usize, Finding)>,
    values: Vec<String>,
}

impl FileVisitor for LayerSecrets<'_> {
    fn visit(&mut self, file: &VisitedFile<'_>) {
        if !scanned_for_secrets(file.path) {
            return;
        }
        let (findings, values) = vibeguard_secrets::findings_in_text(
            &format!("/{}", file.path),
            file.content,
            self.enabled,
        );
        self.found
            .extend(findings.into_iter().map(|finding| (file.layer, finding)));
        self.values.extend(values);
    }
}

/// The dependency engine's ecosystem of a distribution (`ID`, else `ID_LIKE`), when OSV
/// publishes its advisories.
fn distribution_ecosystem(distribution: &Distribution) -> Option<Ecosystem> {
    // `ID` only: `ID_LIKE=debian` of a derivative does not make its packages Debian's.
    match distribution.id.as_str() {
        "debian" => Some(Ecosystem::Debian),
        "ubuntu" => Some(Ecosystem::Ubuntu),
        "alpine" => Some(Ecosystem::Alpine),
        "rhel" => Some(Ecosystem::RedHat),
        "rocky" => Some(Ecosystem::RockyLinux),
        "almalinux" => Some(Ecosystem::AlmaLinux),
        _ => None,
    }
}

/// The image's packages as the dependency engine's inventory, and what cannot be matched.
fn inventory_of(image_label: &str, software: &packages::InstalledSoftware) -> Inventory {
    let mut inventory = Inventory::default();
    let distribution = software.distribution.as_ref();
    let os_ecosystem = distribution.and_then(distribution_ecosystem);
    let release = distribution.and_then(|d| d.version_id.clone());
    let mut seen: BTreeSet<(Ecosystem, String, String, String)> = BTreeSet::new();
    let mut unmatched_os = 0usize;
    for package in &software.packages {
        let ecosystem = match package.kind {
            PackageKind::Npm => Ecosystem::Npm,
            PackageKind::PyPI => Ecosystem::PyPI,
            PackageKind::RubyGems => Ecosystem::RubyGems,
            PackageKind::Go => Ecosystem::Go,
            PackageKind::Cargo => Ecosystem::CratesIo,
            PackageKind::Dpkg | PackageKind::Apk | PackageKind::Rpm => match os_ecosystem {
                Some(ecosystem) => ecosystem,
                None => {
                    unmatched_os += 1;
                    continue;
                }
            },
        };
        let file = format!("{image_label}: /{} (layer {})", package.path, package.layer);
        // One entry per source package and version per database: binaries of the same source
        // share its advisories.
        if !seen.insert((
            ecosystem,
            package.name.clone(),
            package.version.clone(),
            file.clone(),
        )) {
            if let Some(entry) = inventory
                .packages
                .iter_mut()
                .find(|p| p.ecosystem == ecosystem && p.name == package.name && p.file == file)
            {
                entry.chain.push(binary_label(package));
            }
            continue;
        }
        inventory.packages.push(InstalledPackage {
            ecosystem,
            name: package.name.clone(),
            release: ecosystem
                .is_distribution()
                .then(|| release.clone())
                .flatten(),
            version: package.version.clone(),
            file,
            line: None,
            direct: true,
            dev_only: false,
            chain: if ecosystem.is_distribution() {
                vec![binary_label(package)]
            } else {
                Vec::new()
            },
        });
        if !inventory.files.contains(&package.path) {
            inventory.files.push(package.path.clone());
        }
    }
    if unmatched_os > 0 {
        let which = match distribution {
            Some(d) => format!("{} ({})", d.pretty_name.as_deref().unwrap_or(&d.id), d.id),
            None => "an unknown distribution (no /etc/os-release)".to_string(),
        };
        inventory.gaps.push(InventoryGap {
            ecosystem: Ecosystem::Debian,
            file: image_label.to_string(),
            reason: format!(
                "{unmatched_os} distribution package(s) of {which}, whose advisories OSV does \
                 not publish or vibeguard does not match: not checked"
            ),
        });
    }
    if os_ecosystem.is_some()
        && release.is_none()
        && software.packages.iter().any(|p| {
            matches!(
                p.kind,
                PackageKind::Dpkg | PackageKind::Apk | PackageKind::Rpm
            )
        })
    {
        inventory.gaps.push(InventoryGap {
            ecosystem: os_ecosystem.unwrap_or(Ecosystem::Debian),
            file: image_label.to_string(),
            reason: "/etc/os-release gives no VERSION_ID (a testing or rolling release): the \
                     distribution's per-release advisories cannot be matched"
                .to_string(),
        });
    }
    inventory
}

fn binary_label(package: &FoundPackage) -> String {
    format!("{}@{}", package.binary, package.binary_version)
}

/// Which later whiteout deletes a file a layer added.
fn deleted_later(contents: &ImageContents, layer: usize, path: &str) -> Option<usize> {
    contents.whiteouts.iter().find_map(|whiteout| {
        let hides = whiteout.layer > layer
            && (path == whiteout.path
                || path.starts_with(&format!("{}/", whiteout.path))
                || (whiteout.path.is_empty() && whiteout.opaque));
        hides.then_some(whiteout.layer)
    })
}

/// Scans the image at `path`.
pub fn scan(
    path: &Path,
    advisories: Option<&AdvisorySettings>,
    enabled: &dyn Fn(&str) -> bool,
) -> ImageScan {
    let started = Instant::now();
    let label = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut run = EngineRun::new(EngineId::Image);
    let mut findings = Vec::new();
    let mut data_problems = Vec::new();
    let mut visitor = LayerSecrets {
        enabled,
        found: Vec::new(),
        values: Vec::new(),
    };
    let contents = match image::read_image(path, &ImageLimits::default(), &mut visitor) {
        Ok(contents) => contents,
        Err(error) => {
            run.errors.push(EngineError {
                source: path.display().to_string(),
                line: None,
                message: format!("not a readable container image: {error}"),
            });
            for meta in vibeguard_container::image_rules::metas() {
                if enabled(&meta.code) {
                    run.not_applicable.push(RuleApplicability {
                        code: meta.code.clone(),
                        item: Some(ChecklistId::Cont01),
                        reason: Text::Owned(format!("the image {label} could not be read")),
                        subject_absent: false,
                    });
                }
            }
            return ImageScan {
                run,
                findings,
                secrets: Vec::new(),
                data_problems,
            };
        }
    };
    for note in &contents.notes {
        run.errors.push(EngineError {
            source: label.clone(),
            line: None,
            message: note.clone(),
        });
    }
    let software = packages::inventory(&contents);
    for reason in &software.unreadable {
        run.errors.push(EngineError {
            source: label.clone(),
            line: None,
            message: reason.clone(),
        });
    }

    // Known vulnerabilities: the dependency engine's matcher on the image's inventory.
    let mut unverified: Vec<String> = software.unreadable.clone();
    unverified.extend(contents.notes.iter().cloned());
    // Nothing inventoried is not "nothing vulnerable": a scratch image with a C program, or a
    // package manager vibeguard does not read.
    if software.packages.is_empty() && software.unreadable.is_empty() {
        unverified.push(
            "no package database, package metadata or program build information was found in \
             the image: its software could not be inventoried"
                .to_string(),
        );
    }
    let vulnerable_on = enabled(&vulnerable_image_package::META.code);
    if vulnerable_on {
        let inventory = inventory_of(&label, &software);
        run.coverage.packages = inventory.packages.len() as u64;
        unverified.extend(inventory.gaps.iter().map(|gap| gap.reason.clone()));
        match advisories {
            Some(settings) => {
                let matched = vibeguard_deps::advisories::run_inventory(
                    inventory,
                    &settings.store,
                    &settings.options,
                    &|code: &str| code == "VG307" || code == "VG308",
                    EngineId::Image,
                );
                for problem in &matched.problems {
                    data_problems.push(problem.message.clone());
                    unverified.push(problem.message.clone());
                }
                run.errors.extend(matched.output.run.errors);
                findings.extend(
                    matched
                        .output
                        .findings
                        .into_iter()
                        .map(vulnerable_image_package::restate),
                );
            }
            None => unverified.push(
                "no advisory data was used (offline without data): the image's packages were \
                 not checked for known vulnerabilities"
                    .to_string(),
            ),
        }
        run.rules_applied
            .push(vulnerable_image_package::META.code.clone());
        // Packages that were not matched keep CONT-01 from passing: the other image rules'
        // silence says nothing about them.
        if !unverified.is_empty() {
            run.untested.push(Untested {
                place: format!("the packages of {label}"),
                reason: unverified.join("; "),
                rules: vec![vulnerable_image_package::META.code.clone()],
            });
        }
    }

    // Secrets in the layers' files and in the configuration.
    if enabled(&secret_in_image_layer::META.code) {
        for (layer, finding) in std::mem::take(&mut visitor.found) {
            let path = finding
                .location
                .file()
                .unwrap_or("")
                .trim_start_matches('/')
                .to_string();
            let note = match deleted_later(&contents, layer, &path) {
                Some(by) => {
                    format!("added by layer {layer}, deleted by layer {by}: still in the image")
                }
                None => format!("added by layer {layer}"),
            };
            findings.push(secret_in_image_layer::restate(finding, Some(note)));
        }
        if let Some(config) = &contents.config {
            let mut text = String::new();
            for entry in config.config.env.iter().flatten() {
                text.push_str(&format!("ENV {entry}\n"));
            }
            for entry in &config.history {
                if let Some(created_by) = &entry.created_by {
                    text.push_str(created_by);
                    text.push('\n');
                }
            }
            let (found, values) = vibeguard_secrets::findings_in_text(
                &format!("{label} (image configuration)"),
                text.as_bytes(),
                &|_| true,
            );
            visitor.values.extend(values);
            findings.extend(found.into_iter().map(|finding| {
                secret_in_image_layer::restate(finding, Some("in the image configuration".into()))
            }));
        }
        run.rules_applied
            .push(secret_in_image_layer::META.code.clone());
    }

    // The user the image runs as.
    if enabled(&image_runs_as_root::META.code) {
        match &contents.config {
            Some(config) => {
                findings.extend(image_runs_as_root::check(&label, config));
                run.rules_applied
                    .push(image_runs_as_root::META.code.clone());
            }
            None => run.not_applicable.push(RuleApplicability {
                code: image_runs_as_root::META.code.clone(),
                item: Some(ChecklistId::Cont01),
                reason: Text::Borrowed(
                    "a root filesystem folder has no image configuration: the user the \
                     container runs as is unknown",
                ),
                subject_absent: false,
            }),
        }
    }
    run.coverage.files = contents.files_seen;
    run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    ImageScan {
        run,
        findings,
        secrets: visitor.values,
        data_problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_files_are_scanned_and_the_distributions_are_not() {
        for path in [
            "app/.env",
            "srv/app/config.js",
            "etc/app.conf",
            "root/.aws/credentials",
            "home/node/app/.env",
        ] {
            assert!(scanned_for_secrets(path), "{path}");
        }
        for path in [
            "usr/share/doc/openssl/README",
            "usr/lib/python3.11/test/keys.pem",
            "app/node_modules/x/test.key",
            "usr/local/lib/python3.12/site-packages/botocore/data.json",
        ] {
            assert!(!scanned_for_secrets(path), "{path}");
        }
    }
}
