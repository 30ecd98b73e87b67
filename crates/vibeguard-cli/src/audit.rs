//! One audit, from a project folder (and optionally a running API) to a [`Report`]: walk the
//! tree once, run the engines, apply configuration overrides, inline suppressions and the
//! baseline, redact credentials, and assemble the verdict. Each step is a plain function of the
//! previous one's value.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::Timestamp;
use vibeguard_api::engine::ApiSettings;
use vibeguard_api::spec::SpecSource;
use vibeguard_core::report::RunOutcome;
use vibeguard_core::{
    Baseline, FailOn, Finding, Inputs, Redactor, Report, Severity, Tool, suppression,
};
use vibeguard_project::{ProjectError, ProjectTree, WalkOptions};

use crate::config::LoadedConfig;
use crate::progress::Progress;
use crate::registry;

/// Source files read for suppression comments are capped like every other read.
const MAX_SUPPRESSION_SCAN_BYTES: u64 = 16 * 1024 * 1024;

/// Which rules the command line selects (`--checks`, `--skip-checks`), on top of the
/// configuration's `[rules] disable`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RuleSelection {
    /// Only these codes run, when given.
    pub only: Option<BTreeSet<String>>,
    /// These codes do not run.
    pub skip: BTreeSet<String>,
}

impl RuleSelection {
    /// Resolves codes and names; an unknown one is an error naming the closest rule.
    pub fn from_flags(
        only: &[String],
        skip: &[String],
        rules: &[vibeguard_core::RuleMeta],
    ) -> anyhow::Result<RuleSelection> {
        let resolve = |flag: &str, list: &[String]| -> anyhow::Result<BTreeSet<String>> {
            list.iter()
                .map(|name| name.trim())
                .filter(|name| !name.is_empty())
                .map(|name| match vibeguard_core::rule::find(rules, name) {
                    Some(rule) => Ok(rule.code.to_string()),
                    None => {
                        let hint = vibeguard_core::rule::closest(rules, name)
                            .map(|r| format!(" (did you mean {} {}?)", r.code, r.name))
                            .unwrap_or_default();
                        anyhow::bail!(
                            "{flag}: no rule is called `{name}`{hint}; `vibeguard rules` lists them"
                        )
                    }
                })
                .collect()
        };
        let only_codes = resolve("--checks", only)?;
        Ok(RuleSelection {
            only: (!only_codes.is_empty()).then_some(only_codes),
            skip: resolve("--skip-checks", skip)?,
        })
    }

    /// Whether a rule runs as far as the command line is concerned.
    pub fn allows(&self, code: &str) -> bool {
        !self.skip.contains(code) && self.only.as_ref().is_none_or(|only| only.contains(code))
    }
}

/// What to audit and how.
#[derive(Debug)]
pub struct AuditRequest<'a> {
    /// Rules selected on the command line.
    pub selection: RuleSelection,
    /// The project folder.
    pub project: &'a Path,
    /// The project as the user wrote it, for the report.
    pub project_label: String,
    /// Which engines read the project folder.
    pub project_engines: ProjectEngines,
    /// The loaded configuration.
    pub config: &'a LoadedConfig,
    /// The gate.
    pub fail_on: FailOn,
    /// The baseline to apply, if any.
    pub baseline: Option<PathBuf>,
    /// The running API to test, if any.
    pub api: Option<ApiSettings>,
    /// Whether the API engine's checks run on it (`vibeguard scenarios run` sends the
    /// scenarios alone).
    pub api_checks: bool,
    /// The team's scenarios (a file or folder) to run against the API, if any.
    pub scenarios: Option<PathBuf>,
    /// Where to write the HAR of the API exchanges, if anywhere.
    pub har: Option<PathBuf>,
    /// A built container image to scan, if any.
    pub image: Option<PathBuf>,
    /// How reports name that image (the file as given, or the `--docker` reference).
    pub image_label: Option<String>,
    /// The advisory data and how to judge with it, when the dependency engine runs.
    pub advisories: Option<crate::advisory_settings::AdvisorySettings>,
    /// Whether the secrets engine also scans the git history.
    pub history: bool,
    /// Leave findings in test code out of the report (`--skip-tests`, `[code] skip_tests`).
    pub skip_tests: bool,
}

/// The engines that read the project folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectEngines {
    /// Hygiene, advisories and code (`vibeguard audit`).
    All,
    /// The dependency rules alone: advisories and the hygiene rules of DEPS-01..04
    /// (`vibeguard deps`).
    Deps,
    /// The code engine alone (`vibeguard code`).
    CodeOnly,
    /// The secrets engine alone (`vibeguard secrets`).
    Secrets,
    /// None: `vibeguard api` tests the running API alone.
    None,
}

impl ProjectEngines {
    fn any(self) -> bool {
        self != ProjectEngines::None
    }
}

/// The tool's identity in reports.
pub fn tool() -> Tool {
    Tool {
        name: "vibeguard".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        information_uri: "https://github.com/vibeguard/vibeguard".to_string(),
    }
}

/// A finished audit.
#[derive(Debug)]
pub struct Audit {
    /// The report, complete with what could not be checked.
    pub report: Report,
    /// Why the run must exit 2 once its reports are written: data the user required (or CI
    /// requires) was missing.
    pub incomplete: Option<String>,
}

/// Runs the audit.
pub fn run(request: &AuditRequest<'_>, progress: &Progress) -> anyhow::Result<Audit> {
    let started_at = Timestamp::now();
    let rules = registry::all_rules();
    let config = &request.config.config;
    let disabled: BTreeSet<String> = request.config.disabled_codes(&rules);
    let enabled = |code: &str| !disabled.contains(code) && request.selection.allows(code);
    let mut engines = Vec::new();
    let mut findings = Vec::new();
    let mut secrets = request.config.credentials();

    let mut routes = Vec::new();
    let mut incomplete = None;
    let tree = if request.project_engines.any() {
        progress.step("listing project files");
        let walk = WalkOptions {
            include: config.paths.include.clone(),
            exclude: config.paths.exclude.clone(),
        };
        let tree = ProjectTree::walk(request.project, &walk).map_err(|error| match error {
            ProjectError::NotAFolder { path } => anyhow::anyhow!(
                "{} is not a folder: give the project's root folder (`vibeguard audit PATH`)",
                path.display()
            ),
            other => anyhow::Error::new(other).context("invalid [paths] in the configuration"),
        })?;
        if matches!(
            request.project_engines,
            ProjectEngines::All | ProjectEngines::Deps
        ) {
            progress.step("dependencies: manifests, lockfiles, update bots, advisories");
            let project = vibeguard_deps::project::ProjectModel::load(&tree);
            let dependency_rules: BTreeSet<String> = vibeguard_deps::hygiene::rule_metas()
                .into_iter()
                .filter(|rule| {
                    rule.checklist
                        .iter()
                        .any(|item| item.as_str().starts_with("DEPS-"))
                })
                .map(|rule| rule.code.to_string())
                .collect();
            let only_dependencies = request.project_engines == ProjectEngines::Deps;
            let hygiene_enabled = |code: &str| {
                enabled(code) && (!only_dependencies || dependency_rules.contains(code))
            };
            let hygiene = vibeguard_deps::hygiene::run_on(&project, &hygiene_enabled);
            engines.push(hygiene.run);
            findings.extend(hygiene.findings);
            if let Some(settings) = &request.advisories {
                let mut advisories = vibeguard_deps::advisories::run(
                    &project,
                    &settings.store,
                    &settings.options,
                    &enabled,
                );
                if let Some(why) = settings.require_db
                    && !advisories.problems.is_empty()
                {
                    let problems: Vec<String> = advisories
                        .problems
                        .iter()
                        .map(|p| p.message.clone())
                        .collect();
                    incomplete = Some(format!("{} — {}", problems.join("; "), why.reason()));
                }
                if let Some(note) = &settings.data_note {
                    advisories.output.run.errors.insert(
                        0,
                        vibeguard_core::EngineError {
                            source: "advisory data".into(),
                            line: None,
                            message: note.clone(),
                        },
                    );
                }
                engines.push(advisories.output.run);
                findings.extend(advisories.output.findings);
            }
        }
        if matches!(
            request.project_engines,
            ProjectEngines::All | ProjectEngines::Secrets
        ) {
            progress.step(if request.history {
                "secrets: files and git history"
            } else {
                "secrets: files"
            });
            let options = vibeguard_secrets::SecretsOptions {
                history: request.history,
                ..vibeguard_secrets::SecretsOptions::default()
            };
            let found = vibeguard_secrets::run(&tree, &enabled, &options);
            engines.push(found.output.run);
            findings.extend(found.output.findings);
            // Every value found is masked wherever another engine's evidence shows it.
            secrets.extend(found.values);
        }
        if request.project_engines == ProjectEngines::All {
            progress.step("container: Dockerfiles and Compose files");
            let container = vibeguard_container::run(&tree, &enabled, request.image.is_some());
            engines.push(container.run);
            findings.extend(container.findings);
        }
        if matches!(
            request.project_engines,
            ProjectEngines::All | ProjectEngines::CodeOnly
        ) {
            progress.step("code: parsing, routes, data flow");
            let options = vibeguard_code::CodeOptions {
                max_file_size: config
                    .paths
                    .max_file_size
                    .unwrap_or(vibeguard_project::DEFAULT_MAX_FILE_SIZE),
            };
            let code = vibeguard_code::run(&tree, &enabled, &options);
            engines.push(code.output.run);
            findings.extend(code.output.findings);
            routes = code.routes;
            secrets.extend(code.secrets);
        }
        Some(tree)
    } else {
        None
    };

    if let Some(image) = &request.image {
        progress.step(&format!("image: {}", image.display()));
        let scanned = crate::image_scan::scan(image, request.advisories.as_ref(), &enabled);
        if let Some(settings) = &request.advisories
            && let Some(why) = settings.require_db
            && !scanned.data_problems.is_empty()
            && incomplete.is_none()
        {
            incomplete = Some(format!(
                "{} — {}",
                scanned.data_problems.join("; "),
                why.reason()
            ));
        }
        engines.push(scanned.run);
        findings.extend(scanned.findings);
        secrets.extend(scanned.secrets);
    }

    let mut exchanges = Vec::new();
    let mut api_outcome = None;
    // The team's scenarios first: they judge the deployment as it is, before the API checks'
    // probes (bursts, wrong passwords) have throttled or changed anything.
    if let Some(scenarios) = &request.scenarios {
        progress.step(&format!("scenarios: {}", scenarios.display()));
        // The identities a step may go as: the run's (the demo's are built in), else the
        // configuration's.
        let identities: Vec<String> = match &request.api {
            Some(settings) => settings
                .identities
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
            None => request.config.identity_names(),
        };
        let suite = vibeguard_scenarios::load(scenarios, &identities);
        match &request.api {
            Some(settings) => {
                let scenario_settings = vibeguard_scenarios::ScenarioSettings {
                    target: settings.target.clone(),
                    allow_hosts: settings.allow_hosts.clone(),
                    limits: settings.limits.clone(),
                    allow_destructive: settings.allow_destructive,
                    identities: settings.identities.clone(),
                    surface: vibeguard_scenarios::run::SurfaceInputs {
                        spec: settings.spec.clone(),
                        traffic: settings.traffic.clone(),
                        traffic_environment: settings.traffic_environment.clone(),
                        routes: routes
                            .iter()
                            .map(vibeguard_api::spec::DeclaredRoute::from)
                            .collect(),
                    },
                };
                let runtime = http_runtime()?;
                let env = |name: &str| std::env::var(name).ok();
                match runtime.block_on(vibeguard_scenarios::run(
                    &suite,
                    &scenario_settings,
                    &enabled,
                    &env,
                )) {
                    Ok(mut outcome) => {
                        secrets.extend(outcome.secrets);
                        // Untested places name their scenario file relative to the project.
                        let prefix = format!("{}/", request.project.display());
                        for untested in &mut outcome.output.run.untested {
                            untested.place = untested.place.replace(&prefix, "");
                        }
                        engines.push(outcome.output.run);
                        let mut scenario_findings = outcome.output.findings;
                        // The scenario files' places, relative to the project like every place.
                        for finding in &mut scenario_findings {
                            if let vibeguard_core::Location::Operation {
                                declared_at: Some(at),
                                ..
                            } = &mut finding.location
                                && let Ok(relative) =
                                    Path::new(&at.path).strip_prefix(request.project)
                            {
                                at.path = relative.to_string_lossy().replace('\\', "/");
                            }
                        }
                        findings.extend(scenario_findings);
                        exchanges.extend(outcome.exchanges);
                    }
                    Err(error) => {
                        let mut run =
                            vibeguard_core::EngineRun::new(vibeguard_core::EngineId::Scenarios);
                        run.failed = Some(error.to_string());
                        run.unchecked
                            .push(format!("scenarios: nothing was run — {error}"));
                        engines.push(run);
                    }
                }
            }
            None => {
                // Scenarios need a deployment: named, not silently dropped.
                let mut run = vibeguard_core::EngineRun::new(vibeguard_core::EngineId::Scenarios);
                run.errors.extend(
                    suite
                        .errors
                        .iter()
                        .map(vibeguard_scenarios::ScenarioError::engine_error),
                );
                run.unchecked.push(format!(
                    "scenarios: {} scenario(s) in {} not run — give --target URL (or [api] target)",
                    suite.scenarios.len(),
                    scenarios.display()
                ));
                engines.push(run);
            }
        }
    }
    if let Some(settings) = request.api.as_ref().filter(|_| request.api_checks) {
        progress.requests(
            &format!("api: testing {}", settings.target),
            settings.limits.max_requests,
        );
        // The routes the code declares, for the hidden-routes check to compare with the spec.
        let mut settings = settings.clone();
        settings.declared_routes = routes
            .iter()
            .map(vibeguard_api::spec::DeclaredRoute::from)
            .collect();
        let settings = &settings;
        let runtime = http_runtime()?;
        let env = |name: &str| std::env::var(name).ok();
        let outcome = match runtime.block_on(vibeguard_api::engine::run(settings, &enabled, &env)) {
            Ok(outcome) => Some(outcome),
            Err(error) => {
                // The API part could not run (target down, no description, an identity that
                // cannot log in): the other engines' results are still reported, the API's
                // checklist items are not verified, and the exit code says the run failed.
                let reason = format!("the API test of {} could not run: {error}", settings.target);
                let mut run = vibeguard_core::EngineRun::new(vibeguard_core::EngineId::Api);
                run.errors.push(vibeguard_core::EngineError {
                    source: settings.target.to_string(),
                    line: None,
                    message: error.to_string(),
                });
                run.unchecked
                    .push(format!("api: nothing was tested — {error}"));
                run.failed = Some(error.to_string());
                engines.push(run);
                incomplete = Some(match incomplete.take() {
                    Some(earlier) => format!("{earlier}; {reason}"),
                    None => reason,
                });
                None
            }
        };
        api_outcome = outcome;
    }
    if let (Some(settings), Some(outcome)) = (&request.api, api_outcome) {
        secrets.extend(outcome.secrets);
        engines.push(outcome.output.run);
        let mut api_findings = outcome.output.findings;
        let spec_file = match &settings.spec {
            SpecSource::File(path) => Some(path.as_path()),
            SpecSource::Url(_) | SpecSource::Discover | SpecSource::Without => None,
        };
        let descriptions =
            crate::operation_places::descriptions(spec_file, tree.as_ref(), request.project);
        crate::operation_places::attach(&mut api_findings, &descriptions, &routes);
        findings.extend(api_findings);
        // The scenarios' exchanges, then the API engine's.
        exchanges.extend(outcome.exchanges);
    }

    drop_generic_secrets_reported_by_code_rules(&mut findings);
    let test_code = vibeguard_project::TestCode::new(&config.code.tests)
        .context("invalid [code] tests in the configuration")?;
    apply_severity_overrides(&mut findings, &request.config.severity_overrides(&rules));
    let test_code_set_aside = set_test_code_apart(&mut findings, &test_code, request.skip_tests);
    // Comments are read in the walked tree, or (testing an API alone) in the project folder,
    // where the description that places the API findings lives.
    suppression::apply(&mut findings, |path| match &tree {
        Some(tree) => tree.read_text(path, MAX_SUPPRESSION_SCAN_BYTES).ok(),
        None => read_project_file(request.project, path),
    });
    for rule in [
        &suppression::SUPPRESSION_WITHOUT_REASON,
        &suppression::MALFORMED_SUPPRESSION,
    ] {
        if !enabled(&rule.code) {
            findings.retain(|finding| finding.code != rule.code);
        }
    }

    if let Some(path) = &request.baseline {
        let baseline = read_baseline(path)?;
        baseline.apply(&mut findings);
    }

    let redactor = Redactor::new(secrets);
    for finding in &mut findings {
        finding.redact(&redactor);
    }
    for run in &mut engines {
        for error in &mut run.errors {
            redactor.redact_in_place(&mut error.message);
            redactor.redact_in_place(&mut error.source);
        }
    }
    if let Some(file) = &request.har {
        let har = vibeguard_api::http::har::document(&exchanges, &redactor);
        let text = serde_json::to_string_pretty(&har).context("cannot encode the HAR file")?;
        std::fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))?;
    }

    progress.finish();
    let report = Report::assemble(RunOutcome {
        tool: tool(),
        inputs: Inputs {
            project: request
                .project_engines
                .any()
                .then(|| request.project_label.clone()),
            config: request
                .config
                .path
                .as_ref()
                .map(|p| p.display().to_string()),
            target: request.api.as_ref().map(|s| s.target.to_string()),
            image: request.image_label.clone(),
            spec: request.api.as_ref().map(|s| match &s.spec {
                SpecSource::File(path) => path.display().to_string(),
                SpecSource::Url(url) => url.to_string(),
                SpecSource::Discover => "discovered on the target".to_string(),
                SpecSource::Without => "none (as configured)".to_string(),
            }),
            baseline: request.baseline.as_ref().map(|p| p.display().to_string()),
        },
        started_at,
        finished_at: Timestamp::now(),
        fail_on: request.fail_on,
        engines,
        known_rules: rules,
        findings,
        routes,
        test_code_set_aside,
    });
    Ok(Audit { report, incomplete })
}

/// Code findings in test code (`test/`, `*.spec.ts`, `cypress/`, `[code] tests`) say nothing
/// about production: they are marked, lowered to info and kept out of the checklist — or, with
/// `--skip-tests`, left out and counted. Returns how many were left out.
fn set_test_code_apart(
    findings: &mut Vec<Finding>,
    test_code: &vibeguard_project::TestCode,
    skip: bool,
) -> usize {
    let in_tests = |finding: &Finding| {
        finding.engine == vibeguard_core::EngineId::Code
            && finding
                .location
                .file()
                .is_some_and(|path| test_code.contains(path))
    };
    if skip {
        let before = findings.len();
        findings.retain(|finding| !in_tests(finding));
        return before - findings.len();
    }
    for finding in findings.iter_mut().filter(|f| in_tests(f)) {
        finding.test_code = true;
        finding.severity = Severity::Info;
    }
    0
}

/// A signing secret or database password in code is found by both the code engine (VG115,
/// VG126: it knows the literal keys a JWT or a connection) and the secrets engine's generic
/// detector (VG202). The code rule says more; the generic finding on the same line is dropped.
fn drop_generic_secrets_reported_by_code_rules(findings: &mut Vec<Finding>) {
    let place = |finding: &Finding| {
        finding.location.file().map(|file| {
            (
                file.to_string(),
                finding.location.span().map(|s| s.start_line),
            )
        })
    };
    let by_code: BTreeSet<(String, Option<u32>)> = findings
        .iter()
        // A secret the code engine (VG115, VG126) or the container engine (VG604: `ENV`/`ARG`
        // baked into an image; VG609: a Compose environment) reports says more than the
        // generic detector's VG202.
        .filter(|finding| matches!(finding.code.as_ref(), "VG115" | "VG126" | "VG604" | "VG609"))
        .filter_map(place)
        .collect();
    findings.retain(|finding| {
        finding.code != "VG202" || place(finding).is_none_or(|key| !by_code.contains(&key))
    });
}

/// A file of the project folder by its relative path (never above the folder), capped.
fn read_project_file(root: &Path, path: &str) -> Option<String> {
    let relative = Path::new(path);
    if relative.is_absolute()
        || relative
            .components()
            .any(|part| !matches!(part, std::path::Component::Normal(_)))
    {
        return None;
    }
    vibeguard_project::read_text_file(&root.join(relative), MAX_SUPPRESSION_SCAN_BYTES).ok()
}

fn apply_severity_overrides(findings: &mut [Finding], overrides: &BTreeMap<String, Severity>) {
    for finding in findings {
        if let Some(severity) = overrides.get(finding.code.as_ref()) {
            finding.severity = *severity;
        }
    }
}

/// Reads a baseline file, refusing a missing, malformed or newer-format one with a clear message.
pub fn read_baseline(path: &Path) -> anyhow::Result<Baseline> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the baseline {} (create it with `vibeguard baseline write {}`)",
            path.display(),
            path.display()
        )
    })?;
    let baseline: Baseline = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a vibeguard baseline", path.display()))?;
    if baseline.version > vibeguard_core::baseline::BASELINE_FORMAT_VERSION {
        anyhow::bail!(
            "{} was written by a newer vibeguard (baseline format {}); upgrade vibeguard",
            path.display(),
            baseline.version
        );
    }
    Ok(baseline)
}

/// The runtime the dynamic engines' requests run on (two workers: the machines vibeguard runs
/// on in CI have two cores).
fn http_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the HTTP runtime")
}
