//! `vibeguard audit [PATH]`.

use std::path::Path;

use anyhow::Context;
use vibeguard_core::Report;
use vibeguard_report::RenderOptions;

use crate::Outcome;
use crate::audit::{self, AuditRequest, ProjectEngines, RuleSelection};
use crate::cli::GlobalArgs;
use crate::config;
use crate::history;
use crate::last_run;
use crate::outputs::{self, ArgOrder};
use crate::progress::Progress;
use crate::registry;

/// What an audit covers, beyond the configuration.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Skip the project engines (`vibeguard api` runs the API engine alone).
    pub skip_project: bool,
    /// Run the code engine alone (`vibeguard code`).
    pub code_only: bool,
    /// Run the dependency rules alone (`vibeguard deps`).
    pub deps_only: bool,
    /// Run the secrets engine alone (`vibeguard secrets`).
    pub secrets_only: bool,
    /// Advisory settings decided by the command (the demo's bundled sample), instead of the
    /// configuration's.
    pub advisories: Option<crate::advisory_settings::AdvisorySettings>,
    /// API settings decided by the command (the demo), instead of the configuration's.
    pub api: Option<vibeguard_api::engine::ApiSettings>,
    /// Run the scenarios alone (`vibeguard scenarios run`): no project engine, no API checks.
    pub scenarios_only: bool,
    /// The scenarios to run, decided by the command, instead of `--scenarios` or the project's
    /// `.vibeguard/scenarios`.
    pub scenarios: Option<std::path::PathBuf>,
    /// Only these files of the project are read (`secrets --files`), instead of the
    /// configuration's `[paths] include`; its `exclude` still applies.
    pub only_files: Option<Vec<std::path::PathBuf>>,
    /// A built container image to scan too (`--image`, `vibeguard image`), instead of the
    /// configuration's `[image] path`.
    pub image: Option<std::path::PathBuf>,
    /// Scan the image alone (`vibeguard image`): no project engine, no API.
    pub image_only: bool,
}

/// Audits `path` (and `image`, when given) and writes the reports.
pub fn run(
    global: &GlobalArgs,
    order: &ArgOrder,
    path: &Path,
    image: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let report = audit_project(
        global,
        order,
        path,
        &path.display().to_string(),
        Scope {
            image: image.map(Path::to_path_buf),
            ..Scope::default()
        },
    )?;
    Ok(Outcome::of(&report))
}

/// Audits a project, writes its reports and remembers it as the project's last run.
pub fn audit_project(
    global: &GlobalArgs,
    order: &ArgOrder,
    path: &Path,
    label: &str,
    scope: Scope,
) -> anyhow::Result<Report> {
    if !path.exists() {
        anyhow::bail!(
            "{} does not exist: give the project's root folder",
            path.display()
        );
    }
    // Plan outputs first, so a bad --format fails before any work.
    let plans = outputs::plan(&global.formats, &global.outputs, order)?;
    let audit::Audit {
        mut report,
        incomplete,
    } = audit_only(global, path, label, scope)?;
    let mut recorder = Recorder::open(global, path);
    let comparison = recorder.compare(global, path, &report);
    if global.fail_on_new {
        match &comparison {
            // Only what the reference run did not have gates, as the reports then say.
            Some(comparison) => {
                let gating = comparison
                    .diff
                    .new_gating(report.fail_on.threshold().map(|s| s.as_str()))
                    .len();
                report.summary.gating = gating;
                report.summary.passed = gating == 0;
            }
            None => eprintln!(
                "warning: --fail-on-new without a reference run to compare with: every finding at or above --fail-on gates"
            ),
        }
    }
    // Every format shows the comparison and the trend of the recorded runs.
    report.since = comparison.as_ref().map(history::since_of);
    if let Some(store) = &recorder.store {
        report.trend = history::trend(store.as_ref(), path, &report);
    }
    let options = RenderOptions {
        color: outputs::stdout_color(global.no_color),
        verbose: global.verbose > 0,
        quiet: global.quiet,
        all: global.all,
        list_limit: global.list_limit,
    };
    outputs::write_all(&report, &plans, options)?;
    recorder.record(global, &report);
    if let Some(comparison) = &comparison
        && !global.quiet
    {
        history::print_comparison(comparison);
    }
    recorder.finish(global)?;
    match last_run::store(path, &report) {
        Ok(file) if global.verbose > 0 => eprintln!("last run saved to {}", file.display()),
        Err(reason) if global.verbose > 0 => {
            eprintln!("note: the last run was not saved ({reason})")
        }
        _ => {}
    }
    // The reports say what was not checked; the exit code says the run is not a pass.
    if let Some(reason) = incomplete {
        anyhow::bail!("{reason}");
    }
    Ok(report)
}

/// The run history's part in an audit: opened before the reports are written (so that the
/// reference of `--compare-to` is resolved among the earlier runs), written after them; every
/// problem kept for one warning at the end, never the reason the audit is lost.
struct Recorder {
    store: Option<Box<dyn vibeguard_history::HistoryStore>>,
    place: Option<history::Place>,
    meta: vibeguard_history::RunMeta,
    problems: Vec<String>,
}

impl Recorder {
    fn open(global: &GlobalArgs, path: &Path) -> Recorder {
        let mut recorder = Recorder {
            store: None,
            place: None,
            meta: vibeguard_history::RunMeta::default(),
            problems: Vec::new(),
        };
        // The audit has read the configuration already: an error here was reported there.
        let Ok(loaded) = config::load(global.config.as_deref(), path, &registry::all_rules())
        else {
            return recorder;
        };
        recorder.meta = history::meta(global, &loaded, path);
        recorder.place = match history::place(global, &loaded, path) {
            Ok(place) => place,
            Err(error) => {
                recorder.problems.push(format!("{error:#}"));
                return recorder;
            }
        };
        if let Some(place) = &recorder.place {
            match history::open(place) {
                Ok(store) => recorder.store = Some(store),
                Err(error) => recorder.problems.push(format!("{error:#}")),
            }
        }
        recorder
    }

    fn compare(
        &mut self,
        global: &GlobalArgs,
        path: &Path,
        report: &Report,
    ) -> Option<history::Comparison> {
        let reference = global.compare_to.as_deref()?;
        let Some(store) = &self.store else {
            if self.place.is_none() && self.problems.is_empty() {
                self.problems.push(format!(
                    "--compare-to {reference}: the run history is off (--no-history, or [history] enabled = false)"
                ));
            }
            return None;
        };
        let head = vibeguard_history::RunRecord::of(report, self.meta.clone());
        match history::compare(store.as_ref(), path, reference, &head) {
            Ok(comparison) => Some(comparison),
            Err(error) => {
                self.problems
                    .push(format!("--compare-to {reference}: {error:#}"));
                None
            }
        }
    }

    fn record(&mut self, global: &GlobalArgs, report: &Report) {
        if let Some(store) = &mut self.store {
            match history::record(store.as_mut(), report, self.meta.clone()) {
                Ok(id) if global.verbose > 0 => {
                    if let Some(place) = &self.place {
                        eprintln!("run {id} recorded in {place}");
                    }
                }
                Ok(_) => {}
                Err(error) => self.problems.push(format!("{error:#}")),
            }
        }
    }

    fn finish(self, global: &GlobalArgs) -> anyhow::Result<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        let text = self.problems.join("; ");
        if global.require_history {
            anyhow::bail!("{text} (--require-history)");
        }
        eprintln!("warning: {text}; the audit and its reports are complete");
        Ok(())
    }
}

/// Audits a project and returns the report, writing nothing (but the HAR file, if asked).
pub fn audit_only(
    global: &GlobalArgs,
    path: &Path,
    label: &str,
    scope: Scope,
) -> anyhow::Result<audit::Audit> {
    let rules = registry::all_rules();
    let mut loaded =
        config::load(global.config.as_deref(), path, &rules).context("invalid configuration")?;
    if let Some(files) = &scope.only_files {
        loaded.config.paths.include = files
            .iter()
            .map(|file| literal_glob(&project_relative(file, path)))
            .collect();
    }
    let fail_on = global
        .fail_on
        .or_else(|| loaded.fail_on())
        .unwrap_or_default();
    let baseline = global
        .baseline
        .clone()
        .or_else(|| loaded.config.baseline.as_ref().map(|b| path.join(b)));
    let api = match scope.api {
        Some(api) => Some(api),
        None if scope.code_only || scope.secrets_only || scope.image_only => None,
        None => crate::api_settings::from(&loaded, global, path)?,
    };
    if scope.skip_project && api.is_none() {
        anyhow::bail!("no API to test: give --target URL (or [api] target in vibeguard.toml)");
    }
    // The team's scenarios: named on the command line, else the project's folder when it has one.
    let scenarios = if scope.code_only || scope.secrets_only || scope.deps_only || scope.image_only
    {
        None
    } else {
        scope
            .scenarios
            .clone()
            .or_else(|| global.scenarios.clone())
            .or_else(|| {
                let folder = path.join(vibeguard_scenarios::DEFAULT_FOLDER);
                folder.is_dir().then_some(folder)
            })
    };
    if scope.scenarios_only && scenarios.is_none() {
        anyhow::bail!(
            "no scenarios: give a file or folder, or write them in {}",
            path.join(vibeguard_scenarios::DEFAULT_FOLDER).display()
        );
    }
    let selection = RuleSelection::from_flags(&global.checks, &global.skip_checks, &rules)?;
    let advisories = match scope.advisories {
        Some(settings) => Some(settings),
        None if (scope.skip_project || scope.code_only || scope.secrets_only)
            && !scope.image_only =>
        {
            None
        }
        None => Some(crate::advisory_settings::from(&loaded, global, path)?),
    };
    // The image: given by the command, else the configuration's `[image] path`, relative to
    // the project.
    let image = scope.image.clone().or_else(|| {
        (!scope.code_only && !scope.secrets_only && !scope.deps_only && !scope.skip_project)
            .then(|| loaded.config.image.path.as_ref().map(|p| path.join(p)))
            .flatten()
    });
    if let Some(image) = &image
        && !image.exists()
    {
        anyhow::bail!(
            "{} does not exist: give a `docker save` archive (.tar, .tar.gz), an OCI image \
             layout (folder or archive) or an unpacked root filesystem folder",
            image.display()
        );
    }
    let request = AuditRequest {
        selection,
        project: path,
        project_label: label.to_string(),
        project_engines: if scope.skip_project || scope.image_only {
            ProjectEngines::None
        } else if scope.code_only {
            ProjectEngines::CodeOnly
        } else if scope.deps_only {
            ProjectEngines::Deps
        } else if scope.secrets_only {
            ProjectEngines::Secrets
        } else {
            ProjectEngines::All
        },
        config: &loaded,
        fail_on,
        baseline,
        api_checks: !scope.scenarios_only,
        api,
        scenarios,
        har: global.har.clone(),
        image_label: match (&image, scope.image_only) {
            (Some(_), true) => Some(label.to_string()),
            (Some(image), false) => Some(image.display().to_string()),
            (None, _) => None,
        },
        image,
        advisories,
        history: global.git_history || loaded.config.secrets.history == Some(true),
        skip_tests: global.skip_tests || loaded.config.code.skip_tests == Some(true),
    };
    audit::run(&request, &Progress::new(global.quiet, global.progress))
}

/// `file` relative to the project at `root`, with `/` separators: as given when it is relative
/// (a pre-commit hook runs at the repository root and passes paths from there), else with the
/// root's prefix taken off.
fn project_relative(file: &Path, root: &Path) -> String {
    let relative = if file.is_absolute() {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        file.strip_prefix(&root).unwrap_or(file).to_path_buf()
    } else {
        file.to_path_buf()
    };
    relative
        .components()
        .filter(|part| !matches!(part, std::path::Component::CurDir))
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A glob that matches exactly `path`: every character a glob gives a meaning to is put in a
/// class of its own.
fn literal_glob(path: &str) -> String {
    let mut glob = String::with_capacity(path.len() + 8);
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            glob.push('[');
            glob.push(c);
            glob.push(']');
        } else {
            glob.push(c);
        }
    }
    glob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_files_become_globs_that_match_only_them() {
        let glob = |path: &str| {
            globset::Glob::new(&literal_glob(path))
                .expect("valid")
                .compile_matcher()
        };
        assert!(glob("src/a[1]*.js").is_match("src/a[1]*.js"));
        assert!(!glob("src/a[1]*.js").is_match("src/a1x.js"));
        assert!(glob("{x}.env").is_match("{x}.env"));
        assert!(glob("notes/a!b.txt").is_match("notes/a!b.txt"));
        assert_eq!(
            project_relative(Path::new("./src/app.py"), Path::new(".")),
            "src/app.py"
        );
    }
}
