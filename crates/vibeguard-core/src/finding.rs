//! One flaw found by one rule at one place.

use serde::{Deserialize, Serialize};

use crate::checklist::ChecklistId;
use crate::confidence::Confidence;
use crate::engine::EngineId;
use crate::evidence::Evidence;
use crate::fingerprint::Fingerprint;
use crate::location::{Location, Span};
use crate::owasp::OwaspApi;
use crate::redact::Redactor;
use crate::rule::{RuleMeta, Text};
use crate::severity::Severity;

/// Whether a finding counts against the gate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum FindingState {
    /// New or not yet accepted: it gates when at or above `--fail-on`.
    #[default]
    Active,
    /// Present in the baseline: shown, still fails its checklist item, does not gate.
    Baselined,
    /// Suppressed in the source with `vibeguard-ignore[CODE]: reason`: shown as suppressed,
    /// neither gates nor fails its checklist item.
    Suppressed {
        /// The reason written after the suppression (empty when none was given).
        reason: String,
    },
}

/// One step of a data flow: a place in the code and what happens to the data there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStep {
    /// Path relative to the project root.
    pub path: String,
    /// The code of the step.
    pub span: Span,
    /// What happens, e.g. "the request body", "assigned", "SQL query".
    pub note: String,
}

/// A flaw found by a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's code, e.g. `VG301`.
    pub code: Text,
    /// The rule's name, e.g. `missing-lockfile`.
    pub name: Text,
    /// The engine that found it.
    pub engine: EngineId,
    /// One line saying what is wrong here.
    pub message: String,
    /// Severity, after configuration overrides.
    pub severity: Severity,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// CWE ids.
    pub cwe: Vec<u32>,
    /// OWASP API Top 10 (2023) category, where it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owasp_api: Option<OwaspApi>,
    /// The checklist items this finding fails.
    pub checklist: Vec<ChecklistId>,
    /// Where.
    pub location: Location,
    /// Proof, with every credential redacted.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// For data-flow findings: the path from where the data enters to where it is used,
    /// in order (SARIF `codeFlows`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flow: Vec<FlowStep>,
    /// How to fix this occurrence.
    pub fix: String,
    /// Identifies this finding across runs without line numbers.
    pub fingerprint: Fingerprint,
    /// Active, baselined or suppressed.
    #[serde(flatten)]
    pub state: FindingState,
    /// In test code (a test file, a fixture, a mock): reported apart at the lowest severity,
    /// never counted against the checklist, since it says nothing about what runs in
    /// production.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test_code: bool,
    /// What makes this finding distinct from others of the same rule at the same place
    /// (a dependency name, a normalised line of code, a hash of a secret). It feeds the
    /// fingerprint and is never rendered, since it may be derived from sensitive text.
    #[serde(skip)]
    pub identity: String,
}

impl Finding {
    /// A finding of `rule` at `location`, with the rule's defaults. `identity` distinguishes it
    /// from other findings of the same rule at the same place and must not contain line numbers.
    pub fn new(
        rule: &RuleMeta,
        location: Location,
        message: impl Into<String>,
        identity: impl Into<String>,
    ) -> Finding {
        let identity = identity.into();
        Finding {
            code: rule.code.clone(),
            name: rule.name.clone(),
            engine: rule.engine,
            message: message.into(),
            severity: rule.severity,
            confidence: rule.confidence,
            cwe: rule.cwe.to_vec(),
            owasp_api: rule.owasp_api,
            checklist: rule.checklist.to_vec(),
            fingerprint: Fingerprint::compute(&rule.code, &location, &identity),
            location,
            evidence: Vec::new(),
            flow: Vec::new(),
            fix: rule.docs.fix.to_string(),
            state: FindingState::Active,
            test_code: false,
            identity,
        }
    }

    /// Sets the severity (e.g. lower for a dev-only dependency).
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// Sets the confidence.
    pub fn with_confidence(mut self, confidence: Confidence) -> Finding {
        self.confidence = confidence;
        self
    }

    /// Adds a piece of evidence.
    pub fn with_evidence(mut self, evidence: Evidence) -> Finding {
        self.evidence.push(evidence);
        self
    }

    /// Sets the data-flow path.
    pub fn with_flow(mut self, flow: Vec<FlowStep>) -> Finding {
        self.flow = flow;
        self
    }

    /// Replaces the rule's generic fix with one specific to this occurrence.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = fix.into();
        self
    }

    /// Whether the finding is active (neither baselined nor suppressed).
    pub fn is_active(&self) -> bool {
        self.state == FindingState::Active
    }

    /// Masks credentials in everything this finding will render.
    pub fn redact(&mut self, redactor: &Redactor) {
        redactor.redact_in_place(&mut self.message);
        redactor.redact_in_place(&mut self.fix);
        for evidence in &mut self.evidence {
            match evidence {
                Evidence::Code(frame) => {
                    for line in &mut frame.lines {
                        redactor.redact_in_place(line);
                    }
                }
                Evidence::Text { text, .. } => redactor.redact_in_place(text),
                Evidence::Http {
                    request,
                    response,
                    curl,
                } => {
                    redactor.redact_in_place(request);
                    redactor.redact_in_place(response);
                    if let Some(curl) = curl {
                        *curl = redactor.redact_command(curl);
                    }
                }
            }
        }
        for step in &mut self.flow {
            redactor.redact_in_place(&mut step.note);
            redactor.redact_in_place(&mut step.path);
        }
        if let FindingState::Suppressed { reason } = &mut self.state {
            redactor.redact_in_place(reason);
        }
        // Locations carry text from the project or target too: a requirement URL with a
        // password, a path parameter holding a token.
        match &mut self.location {
            Location::Source { path, .. } => redactor.redact_in_place(path),
            Location::Operation {
                path, parameter, ..
            } => {
                redactor.redact_in_place(path);
                if let Some(parameter) = parameter {
                    *parameter = redactor.redact_label(parameter);
                }
            }
            Location::Package {
                name,
                version,
                manifest,
                ..
            } => {
                redactor.redact_in_place(name);
                redactor.redact_in_place(manifest);
                if let Some(version) = version {
                    redactor.redact_in_place(version);
                }
            }
            Location::Project => {}
        }
    }

    /// Order in which reports list findings: most severe first, then by place.
    pub fn report_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.file().cmp(&b.location.file()))
            .then_with(|| a.location.span().cmp(&b.location.span()))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    }
}
