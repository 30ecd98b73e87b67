//! The project hygiene engine (codes VG301–VG306): is every dependency pinned and locked, does
//! something propose updates, and are secret files kept out of git?
//!
//! [`run`] loads the project once into a [`ProjectModel`] (every manifest and lockfile parsed
//! once, parse failures recorded as non-fatal errors naming the file and line) and hands it to
//! each enabled rule. A rule reports whether it had anything to check, so the checklist never
//! counts a rule that looked at nothing as a pass.

pub mod rules;

use std::time::Instant;

use vibeguard_core::{EngineId, EngineOutput, EngineRun, RuleApplicability, RuleMeta, Text};
use vibeguard_project::ProjectTree;

pub use crate::project::{LockCandidate, ProjectModel};

/// Whether a rule did anything in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicability {
    /// The rule had something to check (findings or not).
    Applied,
    /// Nothing in the project is of the rule's kind; the reason says what was missing.
    NotApplicable(&'static str),
}

/// A hygiene rule: its metadata and its check over the loaded project.
pub trait HygieneRule: Sync {
    /// The rule's metadata and documentation.
    fn meta(&self) -> &'static RuleMeta;

    /// Appends findings for `project` to `findings`; says whether the rule applied.
    fn check(
        &self,
        project: &ProjectModel<'_>,
        findings: &mut Vec<vibeguard_core::Finding>,
    ) -> Applicability;
}

/// The metadata of every hygiene rule.
pub fn rule_metas() -> Vec<RuleMeta> {
    rules::ALL.iter().map(|rule| rule.meta().clone()).collect()
}

/// Runs every rule for which `enabled(code)` is true over the project.
pub fn run(tree: &ProjectTree, enabled: &dyn Fn(&str) -> bool) -> EngineOutput {
    let started = Instant::now();
    let project = ProjectModel::load(tree);
    let mut output = run_on(&project, enabled);
    output.run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    output
}

/// Runs the enabled rules over a project already loaded (shared with the advisory engine).
pub fn run_on(project: &ProjectModel<'_>, enabled: &dyn Fn(&str) -> bool) -> EngineOutput {
    let started = Instant::now();
    let mut engine_run = EngineRun::new(EngineId::Hygiene);
    let mut findings = Vec::new();
    for rule in rules::ALL {
        let meta = rule.meta();
        if !enabled(&meta.code) {
            continue;
        }
        match rule.check(project, &mut findings) {
            Applicability::Applied => engine_run.rules_applied.push(meta.code.clone()),
            Applicability::NotApplicable(reason) => {
                engine_run.not_applicable.push(RuleApplicability {
                    item: None,
                    code: meta.code.clone(),
                    reason: Text::Borrowed(reason),
                    subject_absent: false,
                })
            }
        }
    }
    engine_run.coverage = project.coverage();
    engine_run.errors = project.errors().to_vec();
    engine_run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    EngineOutput {
        run: engine_run,
        findings,
    }
}
