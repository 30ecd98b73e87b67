//! The shared vocabulary of vibeguard: what a finding is, what a rule says about itself, the
//! security checklist every result is mapped onto, and the report of one run.
//!
//! This crate does no I/O and knows no engine. Engines produce [`Finding`]s described by
//! [`RuleMeta`]; the binary merges them into a [`Report`], which every renderer and the history
//! read. Everything here is plain data plus pure functions over it, so each step of an audit can
//! be tested alone.

#![deny(missing_docs)]

pub mod baseline;
pub mod checklist;
pub mod confidence;
pub mod engine;
pub mod evidence;
pub mod finding;
pub mod fingerprint;
pub mod inventory;
pub mod location;
pub mod owasp;
pub mod password_hash;
pub mod redact;
pub mod report;
pub mod rule;
pub mod secret_names;
pub mod severity;
pub mod shell;
pub mod since;
pub mod suppression;
pub mod words;

pub use baseline::Baseline;
pub use checklist::{ChecklistId, ChecklistStatus, ChecklistVerdict};
pub use confidence::Confidence;
pub use engine::{
    CaseOutcome, Coverage, EngineError, EngineId, EngineOutput, EngineRun, RuleApplicability,
    TestCase, Untested, Verified,
};
pub use evidence::{CodeFrame, Evidence};
pub use finding::{Finding, FindingState, FlowStep};
pub use fingerprint::Fingerprint;
pub use inventory::{BodyField, RouteEntry};
pub use location::{DeclaredAt, Location, Span};
pub use owasp::OwaspApi;
pub use redact::Redactor;
pub use report::{FailOn, Inputs, Report, Summary, Tool};
pub use rule::{RuleDocs, RuleMeta, Text};
pub use severity::Severity;
pub use since::{FixedFinding, ItemChange, Since, TrendPoint};
