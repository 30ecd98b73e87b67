//! vibeguard's scenario engine: the team's own security requirements — "a request without a
//! token returns 401", "user B reading user A's note gets 403 or 404", "this answer never holds
//! `password`" — written as YAML scenarios and run against a deployment before every release.
//! It stands on the dynamic floor (`vibeguard-http`) beside the API engine and never imports
//! it: one executor, one identity model, one evidence type.
//!
//! [`load`] reads and validates a suite offline; [`run`] sends it; a failed scenario is a
//! VG501 finding with its step's exchange as evidence, and a passed one verifies the checklist
//! items it names.

#![deny(missing_docs)]

use std::borrow::Cow;

use vibeguard_core::{Confidence, EngineId, RuleDocs, RuleMeta, Severity};

pub mod capture;
pub mod expect;
pub mod format;
pub mod hurl;
pub mod init;
pub mod load;
pub mod payloads;
pub mod run;
pub mod surface_wide;
pub mod template;

pub use load::{LoadedScenario, ScenarioError, Suite, load};
pub use run::{ScenarioOutcome, ScenarioResult, ScenarioSettings, ScenarioStatus, run};

/// The default folder of a project's scenarios.
pub const DEFAULT_FOLDER: &str = ".vibeguard/scenarios";

/// VG501: a scenario of the team's failed.
pub static SCENARIO_FAILED: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG501"),
    name: Cow::Borrowed("scenario-failed"),
    engine: EngineId::Scenarios,
    summary: Cow::Borrowed("A security scenario of the team's failed against the deployment"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Runs the scenarios in `.vibeguard/scenarios/*.yaml` (or `--scenarios PATH`): each \
             step sends one request — as a configured identity or anonymously — captures values \
             for later steps, and checks the answer (status, headers, body text, JSON values, \
             time, an earlier step's answer). A scenario whose step does not answer as expected \
             is a finding with the scenario's own severity and checklist items; one that passes \
             verifies its items. See docs/scenarios.md.",
        ),
        why: Cow::Borrowed(
            "The requirements a team knows about its own API — who may read what, which fields \
             never leave the server, which errors stay generic — are the ones no generic scanner \
             can guess. Written down as scenarios and run on every deployment, they stop a \
             regression before it ships.",
        ),
        example_bad: Cow::Borrowed(
            "- name: bob cannot read alice's note\n  steps:\n    - {as: alice, method: POST, path: /api/notes, json: {title: t}, capture: {id: {json: /id}}, expect: {status: 201}}\n    - {as: bob, path: \"/api/notes/{id}\", expect: {status: [403, 404]}}   # the API answers 200",
        ),
        example_fixed: Cow::Borrowed(
            "note = Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()",
        ),
        fix: Cow::Borrowed(
            "Make the operation answer as the scenario requires; the finding names the scenario, \
             its step and what was expected.",
        ),
        references: Cow::Borrowed(&[Cow::Borrowed(
            "https://owasp.org/www-project-web-security-testing-guide/",
        )]),
    },
};

/// The metadata of every scenario rule.
pub fn rule_metas() -> Vec<RuleMeta> {
    vec![SCENARIO_FAILED.clone()]
}
