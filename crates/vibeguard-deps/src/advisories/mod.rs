//! The advisory engine (codes VG307–VG309): every installed package matched against the local
//! OSV data with its ecosystem's exact version rules.
//!
//! [`run`] takes the project's [`Inventory`](crate::inventory), looks each package up in the
//! store, evaluates every advisory that names it ([`crate::osv::affects`]), merges advisories
//! that are the same vulnerability under different ids (aliases), and hands each merged group to
//! the first rule that claims it: a malicious-package record, an unmaintained notice, or a
//! vulnerability.
//!
//! It never gives a false all-clear. When an ecosystem in use has no data, unreadable data or
//! data older than the limit, when a lockfile could not be read, or when installed versions are
//! unknown (no lockfile, unpinned requirements), the rules say they could not check DEPS-02, so
//! the checklist shows it as *not verified* and the report says why in plain words.

pub mod rules;

use std::collections::BTreeSet;
use std::time::Instant;

use jiff::Timestamp;
use vibeguard_core::{
    ChecklistId, EngineError, EngineId, EngineOutput, EngineRun, Evidence, Finding, Location,
    RuleApplicability, RuleMeta, Severity, Span, Text,
};

use crate::ecosystem::Ecosystem;
use crate::inventory::{self, InstalledPackage, Inventory};
use crate::osv::affects::{self, Verdict};
use crate::osv::record::{Advisory, Affected};
use crate::osv::severity::{self, SeveritySource};
use crate::osv::{DataState, EcosystemIndex, Store};
use crate::project::ProjectModel;
use crate::versions::EcosystemVersion;

/// How the engine judges.
#[derive(Debug, Clone)]
pub struct AdvisoryOptions {
    /// Report dev-only packages one severity level lower (malicious packages excepted: they run
    /// on developer machines and CI too).
    pub lower_dev_severity: bool,
    /// Data older than this many days does not verify DEPS-02.
    pub max_age_days: u32,
    /// Data older than this many days is reported with a warning.
    pub warn_age_days: u32,
    /// Severity of a vulnerability whose advisories carry no score or label.
    pub unknown_severity: Severity,
    /// The time the run is judged at.
    pub now: Timestamp,
}

impl Default for AdvisoryOptions {
    fn default() -> Self {
        AdvisoryOptions {
            lower_dev_severity: true,
            max_age_days: 30,
            warn_age_days: 7,
            unknown_severity: Severity::High,
            now: Timestamp::now(),
        }
    }
}

/// Why an ecosystem's data could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataProblem {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// What kind of problem.
    pub kind: DataProblemKind,
    /// What is wrong, in plain words, with what to do.
    pub message: String,
}

/// Why an ecosystem's advisory data could not vouch for its packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataProblemKind {
    /// Never downloaded or imported.
    Missing,
    /// Present but unreadable.
    Unreadable,
    /// Older than the age limit.
    Stale,
}

/// The summary's sentence for the problems: which ecosystems went unchecked, why, and what to
/// run — e.g. `dependency advisories: no PyPI, npm data — run \`vibeguard db update\` (or
/// \`vibeguard db import PATH\` offline)`.
pub fn unchecked_summary(problems: &[DataProblem]) -> Vec<String> {
    let names = |kind: DataProblemKind| -> Vec<String> {
        problems
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.ecosystem.to_string())
            .collect()
    };
    let mut sentences = Vec::new();
    let missing = names(DataProblemKind::Missing);
    if !missing.is_empty() {
        sentences.push(format!(
            "dependency advisories: no {} data — run `vibeguard db update` (or `vibeguard db \
             import PATH` offline)",
            missing.join(", ")
        ));
    }
    let unreadable = names(DataProblemKind::Unreadable);
    if !unreadable.is_empty() {
        sentences.push(format!(
            "dependency advisories: the {} data cannot be read — run `vibeguard db update`",
            unreadable.join(", ")
        ));
    }
    let stale = names(DataProblemKind::Stale);
    if !stale.is_empty() {
        sentences.push(format!(
            "dependency advisories: the {} data is too old to vouch for recent vulnerabilities \
             — run `vibeguard db update`",
            stale.join(", ")
        ));
    }
    sentences
}

/// What one run of the engine produced.
#[derive(Debug, Clone)]
pub struct AdvisoryRun {
    /// Findings and the run record.
    pub output: EngineOutput,
    /// What was installed.
    pub inventory: Inventory,
    /// Ecosystems in use whose data is missing, unreadable or too old.
    pub problems: Vec<DataProblem>,
}

/// The metadata of every advisory rule.
pub fn rule_metas() -> Vec<RuleMeta> {
    rules::ALL.iter().map(|rule| rule.meta().clone()).collect()
}

/// One vulnerability (one or more advisories that are aliases of each other) affecting one
/// installed package.
#[derive(Debug, Clone)]
pub struct AdvisoryMatch<'a> {
    /// The package.
    pub package: &'a InstalledPackage,
    /// The advisories, primary first.
    pub advisories: Vec<Advisory>,
    /// The id the finding is reported under.
    pub primary: String,
    /// Every other id (the advisories' own ids and all aliases), sorted.
    pub aliases: Vec<String>,
    /// The severity from the data, before defaults and dev lowering; `None` when unknown.
    pub severity: Option<Severity>,
    /// Where the severity came from.
    pub severity_source: SeveritySource,
    /// Every fixed version the advisories name.
    pub fixed: Vec<String>,
    /// The smallest version above the installed one that none of them affects.
    pub smallest_fix: Option<String>,
}

impl AdvisoryMatch<'_> {
    /// Whether any advisory of the group reports a malicious package.
    pub fn is_malicious(&self) -> bool {
        self.advisories.iter().any(Advisory::is_malicious)
    }

    /// Whether the group only says the package is unmaintained.
    pub fn is_unmaintained_notice(&self) -> bool {
        self.advisories.iter().all(Advisory::is_unmaintained_notice)
    }

    /// The one-line summary of the primary advisory.
    pub fn summary(&self) -> &str {
        self.advisories
            .iter()
            .map(|a| a.summary.as_str())
            .find(|s| !s.is_empty())
            .unwrap_or("")
    }

    /// `GHSA-… (CVE-…, PYSEC-…)`.
    pub fn ids(&self) -> String {
        if self.aliases.is_empty() {
            self.primary.clone()
        } else {
            format!("{} ({})", self.primary, self.aliases.join(", "))
        }
    }

    /// Where the finding points: the line of the lockfile (or manifest) that pins the package.
    pub fn location(&self) -> Location {
        Location::Package {
            ecosystem: self.package.ecosystem.osv_name().to_string(),
            name: self.package.name.clone(),
            version: Some(self.package.version.clone()),
            manifest: self.package.file.clone(),
            span: self.package.line.map(|line| Span::line(line, 1, 1)),
        }
    }

    /// The advisory text and the dependency path, as evidence.
    pub fn evidence(&self) -> Vec<Evidence> {
        let mut advisory = vec![self.ids()];
        if !self.summary().is_empty() {
            advisory.push(self.summary().to_string());
        }
        advisory.push(format!(
            "severity: {}",
            describe_severity(&self.severity_source)
        ));
        advisory.push(if self.fixed.is_empty() {
            "fixed in: no fixed version is known".to_string()
        } else {
            format!("fixed in: {}", self.fixed.join(", "))
        });
        let references: Vec<&str> = self
            .advisories
            .iter()
            .flat_map(|a| a.references.iter().map(String::as_str))
            .take(4)
            .collect();
        if !references.is_empty() {
            advisory.push(format!("references: {}", references.join(" ")));
        }
        let mut evidence = vec![Evidence::Text {
            label: "advisory".into(),
            text: advisory.join("\n"),
        }];
        evidence.push(Evidence::Text {
            label: "dependency path".into(),
            text: dependency_path(self.package),
        });
        evidence
    }

    /// How to fix it: the smallest fixing upgrade, and for a transitive package where it comes
    /// from and how the ecosystem forces a version.
    pub fn fix(&self) -> String {
        let package = self.package;
        let upgrade = match &self.smallest_fix {
            Some(version) => format!(
                "Upgrade {} from {} to {version} or later (the smallest version without {}).",
                package.name, package.version, self.primary
            ),
            None => format!(
                "No release of {} fixes {} yet: replace the package, or remove the code path \
                 that uses the vulnerable feature and accept the risk in the baseline.",
                package.name, self.primary
            ),
        };
        if package.ecosystem.is_distribution() {
            return format!(
                "{upgrade} To do so, {}.",
                force_version_hint(package.ecosystem, &package.name)
            );
        }
        if package.direct || package.chain.len() < 2 {
            return upgrade;
        }
        let parent = &package.chain[0];
        format!(
            "{upgrade} It is pulled in by {parent} ({}): upgrade {parent} to a release that \
             requires a fixed version, or {}.",
            package.chain.join(" → "),
            force_version_hint(package.ecosystem, &package.name)
        )
    }

    /// The severity to report: the data's (or the default), one level lower for dev-only
    /// packages when so configured.
    pub fn reported_severity(&self, options: &AdvisoryOptions) -> Severity {
        let severity = self.severity.unwrap_or(options.unknown_severity);
        if self.package.dev_only && options.lower_dev_severity {
            lower(severity)
        } else {
            severity
        }
    }
}

/// `express@4.17.1 → body-parser@1.19.0 → qs@6.7.0 (production, transitive)`.
fn dependency_path(package: &InstalledPackage) -> String {
    if package.ecosystem.is_distribution() {
        // `libssl3@3.0.11-1~deb12u1, openssl@3.0.11-1~deb12u1`: the binary packages built from
        // the source package the advisories name.
        return format!(
            "{} (binary packages of the {} source package {}@{})\ninstalled from {} {}, \
             recorded in {}",
            package.chain.join(", "),
            package.ecosystem,
            package.name,
            package.version,
            package.ecosystem,
            package.release.as_deref().unwrap_or("(release unknown)"),
            package.file
        );
    }
    let scope = if package.dev_only {
        "development only"
    } else {
        "production"
    };
    let relation = if package.direct {
        "direct"
    } else {
        "transitive"
    };
    let path = if package.chain.is_empty() {
        format!(
            "{}@{} (the file does not record what requires it)",
            package.name, package.version
        )
    } else {
        package.chain.join(" → ")
    };
    format!(
        "{path}\n{scope}, {relation} dependency, pinned in {}",
        package.file
    )
}

fn describe_severity(source: &SeveritySource) -> String {
    match source {
        SeveritySource::Cvss { vector, score } => format!("CVSS {score:.1} ({vector})"),
        SeveritySource::Label(label) => format!("{label} (the advisory database's rating)"),
        SeveritySource::Unknown => {
            "unknown: the advisories carry no CVSS vector or rating, so it is reported as high"
                .to_string()
        }
    }
}

fn force_version_hint(ecosystem: Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::Npm => format!(
            "force it with `overrides` (npm), `resolutions` (yarn) or `pnpm.overrides` for {name}"
        ),
        Ecosystem::PyPI => {
            format!("pin {name} to a fixed version in your requirements or constraints")
        }
        Ecosystem::CratesIo => format!("run `cargo update -p {name}`"),
        Ecosystem::Go => format!("run `go get {name}@<fixed version>` and `go mod tidy`"),
        Ecosystem::RubyGems => format!("run `bundle update {name}`"),
        Ecosystem::Packagist => format!("run `composer update {name} --with-dependencies`"),
        Ecosystem::Debian | Ecosystem::Ubuntu => format!(
            "rebuild the image on a current base image tag, or add `apt-get update && apt-get \
             install --only-upgrade` for the binary packages of {name}"
        ),
        Ecosystem::Alpine => format!(
            "rebuild the image on a current base image tag, or add `apk upgrade --no-cache` for \
             {name}"
        ),
        Ecosystem::RedHat | Ecosystem::RockyLinux | Ecosystem::AlmaLinux => {
            format!("rebuild the image on a current base image tag, or add `dnf upgrade -y {name}`")
        }
    }
}

fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// A rule that reports one kind of matched advisory group.
pub trait AdvisoryRule: Sync {
    /// The rule's metadata and documentation.
    fn meta(&self) -> &'static RuleMeta;

    /// Whether this rule reports the group (the first rule in [`rules::ALL`] that claims a
    /// group reports it).
    fn claims(&self, group: &AdvisoryMatch<'_>) -> bool;

    /// The finding for a claimed group.
    fn finding(&self, group: &AdvisoryMatch<'_>, options: &AdvisoryOptions) -> Finding;

    /// The checklist item this rule verifies by matching, and whether it can verify it for
    /// `ecosystem` (OSV marks unmaintained packages for crates.io only).
    fn verifies(&self, ecosystem: Ecosystem) -> Option<ChecklistId>;
}

/// Loads the project and runs the advisory rules.
pub fn run(
    project: &ProjectModel<'_>,
    store: &Store,
    options: &AdvisoryOptions,
    enabled: &dyn Fn(&str) -> bool,
) -> AdvisoryRun {
    run_inventory(
        inventory::build(project),
        store,
        options,
        enabled,
        EngineId::Deps,
    )
}

/// Runs the advisory rules over an inventory built elsewhere (the packages installed in a
/// container image), as engine `engine`.
pub fn run_inventory(
    inventory: Inventory,
    store: &Store,
    options: &AdvisoryOptions,
    enabled: &dyn Fn(&str) -> bool,
    engine: EngineId,
) -> AdvisoryRun {
    let started = Instant::now();
    let mut run = EngineRun::new(engine);
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    let mut notes: Vec<EngineError> = Vec::new();

    // Open each ecosystem in use, or record why it cannot be used.
    let mut indexes: Vec<(Ecosystem, EcosystemIndex)> = Vec::new();
    for ecosystem in inventory.ecosystems() {
        let in_use = inventory.packages.iter().any(|p| p.ecosystem == ecosystem);
        if !in_use {
            continue;
        }
        match store.state(ecosystem) {
            DataState::Missing => problems.push(DataProblem {
                ecosystem,
                kind: DataProblemKind::Missing,
                message: format!(
                    "no {ecosystem} advisory data in {}: the {ecosystem} packages were not \
                     checked for known vulnerabilities. Run `vibeguard db update{}` (or \
                     `vibeguard db import PATH` on a machine without network)",
                    store.dir().display(),
                    if ecosystem.is_distribution() {
                        format!(" --ecosystem '{ecosystem}'")
                    } else {
                        String::new()
                    }
                ),
            }),
            DataState::Unreadable(reason) => problems.push(DataProblem {
                ecosystem,
                kind: DataProblemKind::Unreadable,
                message: format!(
                    "the {ecosystem} advisory data cannot be read ({reason}): the {ecosystem} \
                     packages were not checked"
                ),
            }),
            DataState::Ready(info) => {
                let age = info.age_days(options.now);
                if let Some(age) = age
                    && age > f64::from(options.max_age_days)
                {
                    // Old data still knows old vulnerabilities: match with it, but it cannot
                    // vouch that nothing newer applies.
                    problems.push(DataProblem {
                        ecosystem,
                        kind: DataProblemKind::Stale,
                        message: format!(
                            "the {ecosystem} advisory data is {age:.0} days old (newest record \
                             {}), older than the {}-day limit: vulnerabilities published since \
                             are unknown. Run `vibeguard db update`",
                            info.newest_modified.as_deref().unwrap_or("unknown"),
                            options.max_age_days
                        ),
                    });
                } else if let Some(age) = age
                    && age > f64::from(options.warn_age_days)
                {
                    notes.push(EngineError {
                        source: "advisory data".into(),
                        line: None,
                        message: format!(
                            "the {ecosystem} advisory data is {age:.0} days old; run \
                             `vibeguard db update` for advisories published since"
                        ),
                    });
                }
                match store.open(ecosystem) {
                    Ok(index) => indexes.push((ecosystem, index)),
                    Err(error) => problems.push(DataProblem {
                        ecosystem,
                        kind: DataProblemKind::Unreadable,
                        message: format!(
                            "the {ecosystem} advisory data cannot be read ({error}): the \
                             {ecosystem} packages were not checked"
                        ),
                    }),
                }
            }
        }
    }

    let mut checked_ecosystems: BTreeSet<Ecosystem> = BTreeSet::new();
    let mut undecided: Vec<String> = Vec::new();
    let mut checked_packages = 0u64;
    for package in &inventory.packages {
        let Some((ecosystem, index)) = indexes.iter().find(|(e, _)| *e == package.ecosystem) else {
            continue;
        };
        checked_ecosystems.insert(*ecosystem);
        checked_packages += 1;
        let advisories = match index.advisories(&ecosystem.normalize_name(&package.name)) {
            Ok(advisories) => advisories,
            Err(error) => {
                notes.push(EngineError {
                    source: "advisory data".into(),
                    line: None,
                    message: error.to_string(),
                });
                undecided.push(format!("{}@{}", package.name, package.version));
                continue;
            }
        };
        if advisories.is_empty() {
            continue;
        }
        let Some(version) = EcosystemVersion::parse(*ecosystem, &package.version) else {
            undecided.push(format!("{}@{}", package.name, package.version));
            notes.push(EngineError {
                source: package.file.clone(),
                line: package.line,
                message: format!(
                    "{}@{} is not a {ecosystem} version vibeguard can compare; its {} \
                     advisories were not evaluated",
                    package.name,
                    package.version,
                    advisories.len()
                ),
            });
            continue;
        };
        let (matched, unknown) = matching(*ecosystem, package, advisories, &version);
        for reason in unknown {
            notes.push(EngineError {
                source: package.file.clone(),
                line: package.line,
                message: reason,
            });
        }
        for group in group_aliases(matched) {
            let group = describe(*ecosystem, package, group, &version);
            let Some(rule) = rules::ALL.iter().find(|rule| rule.claims(&group)) else {
                continue;
            };
            if enabled(&rule.meta().code) {
                findings.push(rule.finding(&group, options));
            }
        }
    }

    // What each rule could and could not check.
    let gaps: Vec<String> = inventory
        .gaps
        .iter()
        .map(|gap| format!("{}: {}", gap.file, gap.reason))
        .chain(problems.iter().map(|p| p.message.clone()))
        .chain((!undecided.is_empty()).then(|| {
            format!(
                "{} package(s) could not be evaluated: {}",
                undecided.len(),
                undecided
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }))
        .collect();
    let in_use = inventory.ecosystems();
    for rule in rules::ALL {
        let meta = rule.meta();
        if !enabled(&meta.code) {
            continue;
        }
        let verifiable: Vec<Ecosystem> = in_use
            .iter()
            .copied()
            .filter(|e| rule.verifies(*e).is_some())
            .collect();
        let checked: Vec<Ecosystem> = verifiable
            .iter()
            .copied()
            .filter(|e| checked_ecosystems.contains(e))
            .collect();
        if checked.is_empty() {
            let reason = if inventory.packages.is_empty() && inventory.gaps.is_empty() {
                "no lockfile or pinned dependency in the project".to_string()
            } else if verifiable.is_empty() {
                "OSV records unmaintained packages for crates.io only; check the other \
                 ecosystems' packages by hand"
                    .to_string()
            } else {
                gaps.join("; ")
            };
            run.not_applicable.push(RuleApplicability {
                code: meta.code.clone(),
                item: None,
                reason: Text::Owned(reason),
                subject_absent: false,
            });
            continue;
        }
        run.rules_applied.push(meta.code.clone());
        let unverified_ecosystems: Vec<String> = in_use
            .iter()
            .filter(|e| !verifiable.contains(e))
            .map(|e| e.to_string())
            .collect();
        let mut reasons = gaps.clone();
        if !unverified_ecosystems.is_empty() {
            reasons.push(format!(
                "OSV records unmaintained packages for crates.io only; {} not checked",
                unverified_ecosystems.join(", ")
            ));
        }
        if !reasons.is_empty()
            && let Some(item) = checked.first().and_then(|e| rule.verifies(*e))
        {
            run.not_applicable.push(RuleApplicability {
                code: meta.code.clone(),
                item: Some(item),
                reason: Text::Owned(reasons.join("; ")),
                subject_absent: false,
            });
        }
    }

    run.errors = problems
        .iter()
        .map(|problem| EngineError {
            source: "advisory data".into(),
            line: None,
            message: problem.message.clone(),
        })
        .chain(notes)
        .collect();
    run.unchecked = unchecked_summary(&problems);
    run.coverage.files = inventory.files.len() as u64;
    run.coverage.packages = checked_packages;
    run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    AdvisoryRun {
        output: EngineOutput { run, findings },
        inventory,
        problems,
    }
}

/// The advisories that affect `version`, and the reasons some could not be decided.
fn matching(
    ecosystem: Ecosystem,
    package: &InstalledPackage,
    advisories: Vec<Advisory>,
    version: &EcosystemVersion,
) -> (Vec<Advisory>, Vec<String>) {
    let name = ecosystem.normalize_name(&package.name);
    let mut matched = Vec::new();
    let mut unknown = Vec::new();
    for advisory in advisories {
        let mut verdict = Verdict::NotAffected;
        for entry in advisory.affected.iter().filter(|entry| {
            ecosystem.normalize_name(&entry.name) == name
                && ecosystem.release_matches(entry.release.as_deref(), package.release.as_deref())
        }) {
            match affects::evaluate(ecosystem, entry, version) {
                Verdict::Affected => {
                    verdict = Verdict::Affected;
                    break;
                }
                Verdict::Undecidable(reason) => verdict = Verdict::Undecidable(reason),
                Verdict::NotAffected => {}
            }
        }
        match verdict {
            Verdict::Affected => matched.push(advisory),
            Verdict::Undecidable(reason) => unknown.push(format!(
                "{} does not say clearly whether {}@{} is affected ({reason})",
                advisory.id, package.name, package.version
            )),
            Verdict::NotAffected => {}
        }
    }
    (matched, unknown)
}

/// Splits advisories into groups of the same vulnerability: two advisories belong together
/// when one's id or aliases meet the other's.
fn group_aliases(advisories: Vec<Advisory>) -> Vec<Vec<Advisory>> {
    let mut groups: Vec<(BTreeSet<String>, Vec<Advisory>)> = Vec::new();
    for advisory in advisories {
        let ids: BTreeSet<String> = advisory.all_ids().map(str::to_string).collect();
        let mut merged_ids = ids;
        let mut merged = vec![advisory];
        let mut index = 0;
        while index < groups.len() {
            if groups[index].0.iter().any(|id| merged_ids.contains(id)) {
                let (ids, advisories) = groups.swap_remove(index);
                merged_ids.extend(ids);
                merged.extend(advisories);
            } else {
                index += 1;
            }
        }
        groups.push((merged_ids, merged));
    }
    let mut groups: Vec<Vec<Advisory>> = groups.into_iter().map(|(_, group)| group).collect();
    for group in &mut groups {
        group.sort_by(|a, b| id_rank(&a.id).cmp(&id_rank(&b.id)).then(a.id.cmp(&b.id)));
        group.dedup_by(|a, b| a.id == b.id);
    }
    groups.sort_by(|a, b| a[0].id.cmp(&b[0].id));
    groups
}

/// Which id names a vulnerability best: a malicious-package record, then GitHub's (the most
/// widely cross-referenced), then the ecosystem's own database, then anything else.
fn id_rank(id: &str) -> u8 {
    if id.starts_with("MAL-") {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if ["PYSEC-", "RUSTSEC-", "GO-", "RUBYSEC-"]
        .iter()
        .any(|prefix| id.starts_with(prefix))
    {
        2
    } else {
        3
    }
}

fn describe<'a>(
    ecosystem: Ecosystem,
    package: &'a InstalledPackage,
    advisories: Vec<Advisory>,
    version: &EcosystemVersion,
) -> AdvisoryMatch<'a> {
    let name = ecosystem.normalize_name(&package.name);
    let primary = advisories[0].id.clone();
    let mut aliases: Vec<String> = advisories
        .iter()
        .flat_map(|a| a.all_ids().map(str::to_string))
        .filter(|id| *id != primary)
        .collect();
    aliases.sort();
    aliases.dedup();
    let entries: Vec<&Affected> = advisories
        .iter()
        .flat_map(|a| a.affected.iter())
        .filter(|entry| ecosystem.normalize_name(&entry.name) == name)
        .collect();
    let mut severity = None;
    let mut severity_source = SeveritySource::Unknown;
    for advisory in &advisories {
        let own: Vec<&Affected> = advisory
            .affected
            .iter()
            .filter(|entry| ecosystem.normalize_name(&entry.name) == name)
            .collect();
        let (found, source) = severity::assess(advisory, &own);
        if found > severity {
            severity = found;
            severity_source = source;
        }
    }
    AdvisoryMatch {
        package,
        fixed: affects::fixed_versions(ecosystem, &entries),
        smallest_fix: affects::smallest_fix(ecosystem, &entries, version),
        advisories,
        primary,
        aliases,
        severity,
        severity_source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(id: &str, aliases: &[&str]) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            summary: String::new(),
            details: String::new(),
            severity: Vec::new(),
            severity_label: None,
            informational: None,
            published: None,
            modified: "x".into(),
            references: Vec::new(),
            affected: Vec::new(),
        }
    }

    #[test]
    fn aliases_merge_transitively_and_ghsa_names_the_group() {
        let groups = group_aliases(vec![
            advisory("PYSEC-2021-1", &["CVE-2021-1"]),
            advisory("GHSA-aaaa-bbbb-cccc", &["CVE-2021-2"]),
            advisory("OSV-2021-9", &["CVE-2021-1", "CVE-2021-2"]),
            advisory("PYSEC-2022-5", &["CVE-2022-5"]),
        ]);
        let ids: Vec<Vec<&str>> = groups
            .iter()
            .map(|group| group.iter().map(|a| a.id.as_str()).collect())
            .collect();
        assert_eq!(
            ids,
            vec![
                vec!["GHSA-aaaa-bbbb-cccc", "PYSEC-2021-1", "OSV-2021-9"],
                vec!["PYSEC-2022-5"],
            ]
        );
    }

    #[test]
    fn dev_only_packages_are_one_level_lower() {
        assert_eq!(lower(Severity::Critical), Severity::High);
        assert_eq!(lower(Severity::Low), Severity::Info);
        assert_eq!(lower(Severity::Info), Severity::Info);
    }
}
