//! What each engine did in a run: what it covered, which rules applied, what went wrong.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rule::Text;

/// The engines of vibeguard. Rules name the engine that runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineId {
    /// Checks about vibeguard's own inputs, such as suppressions without a reason.
    Core,
    /// Project hygiene: manifests, lockfiles, update bots, committed secret files.
    Hygiene,
    /// Static analysis of source code.
    Code,
    /// Hard-coded secrets in the tree and its history.
    Secrets,
    /// Known vulnerabilities in dependencies.
    Deps,
    /// Dynamic tests against the running API.
    Api,
    /// The team's declarative security scenarios.
    Scenarios,
    /// Dockerfiles and Compose files.
    Container,
    /// A built container image: its packages, its layers' files, its configuration.
    Image,
}

impl EngineId {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EngineId::Core => "core",
            EngineId::Hygiene => "hygiene",
            EngineId::Code => "code",
            EngineId::Secrets => "secrets",
            EngineId::Deps => "deps",
            EngineId::Api => "api",
            EngineId::Scenarios => "scenarios",
            EngineId::Container => "container",
            EngineId::Image => "image",
        }
    }

    /// What a user gives vibeguard so that this engine runs, phrased as an instruction.
    pub fn how_to_enable(self) -> &'static str {
        match self {
            EngineId::Core | EngineId::Hygiene | EngineId::Code | EngineId::Secrets => {
                "audit a project folder"
            }
            EngineId::Deps => "audit a project folder with advisory data (`vibeguard db update`)",
            EngineId::Api => "give --target URL (and --spec) to test the running API",
            EngineId::Scenarios => "give scenario files and --target URL",
            EngineId::Container => {
                "audit a project folder that holds a Dockerfile or a Compose file"
            }
            EngineId::Image => "give a container image (`vibeguard image app.tar`)",
        }
    }
}

impl fmt::Display for EngineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much an engine looked at; zero fields mean "not this engine's kind of input".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Files read.
    pub files: u64,
    /// Packages (manifest entries or locked packages) examined.
    pub packages: u64,
    /// API operations tested.
    pub operations: u64,
    /// HTTP requests sent.
    pub requests: u64,
    /// API operations described (tested or not); 0 when the engine has no operations.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub operations_total: u64,
    /// Of those, the operations derived from the routes the code declares (no API description
    /// was given or found).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub operations_from_code: u64,
    /// Of those, the operations imported from recorded traffic (HAR, Postman).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub operations_from_traffic: u64,
    /// Of those, the operations discovered on the running target (pages, forms, scripts,
    /// robots.txt, sitemap.xml).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub operations_discovered: u64,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// A part of an engine's subject that was not tested — an API operation that never answered,
/// or that some checks could not reach — and why. The rules it names (all of the engine's rules
/// that applied, when `rules` is empty) covered their checklist items only elsewhere, so those
/// items are `not verified`, never `passed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Untested {
    /// What was not tested (`DELETE /users/{id}`).
    pub place: String,
    /// Why ("the request budget was spent first", "answered 500 to every request").
    pub reason: String,
    /// The rules that did not run there; empty when none of the engine's rules did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Text>,
}

impl Untested {
    /// Whether rule `code` (which applied in the run) missed this place.
    pub fn missed_by(&self, code: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|rule| rule == code)
    }
}

/// A checklist item verified by something other than a rule's own item list: a scenario that
/// passed (`by`: "scenario `anonymous reads are refused`").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verified {
    /// The item.
    pub item: crate::checklist::ChecklistId,
    /// What verified it, as the checklist's "checked by" shows it.
    pub by: Text,
}

/// One test an engine ran that CI test tabs show as a test case: a scenario's step. Engines
/// whose results are rules over checklist items leave these empty (their JUnit cases are the
/// items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCase {
    /// What it belongs to (a scenario, and the operation of a surface-wide one).
    pub group: String,
    /// The test (a step).
    pub name: String,
    /// How it ended.
    pub outcome: CaseOutcome,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Wall time in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
}

/// How a [`TestCase`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    /// It held.
    Passed,
    /// It did not.
    Failed,
    /// It was not run (the reason is the message).
    Skipped,
}

/// A problem that did not stop the run: a file that could not be parsed, an endpoint that
/// timed out. It names where (`source`, and `line` when known) and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineError {
    /// The file (relative to the project) or endpoint concerned.
    pub source: String,
    /// The 1-based line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.source, line, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// A rule that ran but had nothing to look at, and why (e.g. "no package manifest found"); or,
/// with `item`, a rule that ran but could not check that one checklist item (HSTS on a plain
/// HTTP target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleApplicability {
    /// The rule's code.
    pub code: Text,
    /// The one checklist item it could not check; `None` when the rule did not apply at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<crate::checklist::ChecklistId>,
    /// Why.
    pub reason: Text,
    /// The rule found its subject absent (no cookies set, no GraphQL endpoint), rather than
    /// being unable to look: when every covering rule says so, the item is not applicable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub subject_absent: bool,
}

/// One engine's part of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineRun {
    /// Which engine.
    pub engine: EngineId,
    /// What it looked at.
    pub coverage: Coverage,
    /// Codes of the enabled rules that had something to check. Only these count as covering
    /// checklist items.
    pub rules_applied: Vec<Text>,
    /// Enabled rules that had nothing to check, with the reason.
    #[serde(default)]
    pub not_applicable: Vec<RuleApplicability>,
    /// Non-fatal errors met on the way.
    #[serde(default)]
    pub errors: Vec<EngineError>,
    /// Checks that did not run for lack of data, one sentence each saying what to do
    /// ("dependency advisories not checked: no PyPI data — `vibeguard db update`"): shown next
    /// to the outcome in every report, since a pass without them is not the pass it looks like.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchecked: Vec<String>,
    /// What the engine did not test, with the reason ([`Untested`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untested: Vec<Untested>,
    /// Checklist items the run verified outside its rules' own items: the scenarios that
    /// passed, each verifying the items its author named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verified: Vec<Verified>,
    /// The tests it ran, for CI test tabs ([`TestCase`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<TestCase>,
    /// Why the engine could not run at all (the API target down, no description, an identity
    /// that cannot log in): every checklist item one of its rules covers is then "not
    /// verified", whatever the other engines found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl EngineRun {
    /// An empty run record for `engine`.
    pub fn new(engine: EngineId) -> Self {
        EngineRun {
            engine,
            coverage: Coverage::default(),
            rules_applied: Vec::new(),
            not_applicable: Vec::new(),
            errors: Vec::new(),
            unchecked: Vec::new(),
            untested: Vec::new(),
            verified: Vec::new(),
            cases: Vec::new(),
            failed: None,
            duration_ms: 0,
        }
    }

    /// Whether the rule with this code applied in this run.
    pub fn applied(&self, code: &str) -> bool {
        self.rules_applied.iter().any(|applied| applied == code)
    }

    /// Whether the rule applied and covered this checklist item.
    pub fn covered(&self, code: &str, item: crate::checklist::ChecklistId) -> bool {
        self.applied(code)
            && !self
                .not_applicable
                .iter()
                .any(|na| na.code == code && na.item == Some(item))
    }
}

/// What an engine hands back: its run record and its findings.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOutput {
    /// What it covered, which rules applied, what went wrong.
    pub run: EngineRun,
    /// What it found.
    pub findings: Vec<crate::finding::Finding>,
}
