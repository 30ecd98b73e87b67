//! The security checklist every result is mapped onto, and the per-item verdict of a run.
//!
//! The 34 items and their ids come from the product's mission and never change meaning: reports,
//! baselines and dashboards refer to them by id. A run's verdict for an item is decided only by
//! the rules that actually *applied* (had something to look at), never by rules that merely
//! exist, so "passed" always means a covering check ran and found nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::engine::EngineRun;
use crate::finding::{Finding, FindingState};
use crate::fingerprint::Fingerprint;
use crate::rule::{RuleMeta, Text};

macro_rules! checklist_ids {
    ($( $variant:ident => $id:literal ),+ $(,)?) => {
        /// The stable id of one checklist item, e.g. `AUTH-01`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum ChecklistId {
            $(
                #[doc = concat!("Checklist item `", $id, "`.")]
                #[serde(rename = $id)]
                $variant,
            )+
        }

        impl ChecklistId {
            /// Every item, in catalog order.
            pub const ALL: &'static [ChecklistId] = &[$(ChecklistId::$variant),+];

            /// The id as written in reports, e.g. `AUTH-01`.
            pub fn as_str(self) -> &'static str {
                match self { $(ChecklistId::$variant => $id),+ }
            }
        }
    };
}

checklist_ids! {
    Auth01 => "AUTH-01", Auth02 => "AUTH-02", Auth03 => "AUTH-03", Auth04 => "AUTH-04",
    Auth05 => "AUTH-05", Auth06 => "AUTH-06", Auth07 => "AUTH-07", Auth08 => "AUTH-08",
    Input01 => "INPUT-01", Input02 => "INPUT-02", Input03 => "INPUT-03", Input04 => "INPUT-04",
    Input05 => "INPUT-05",
    Data01 => "DATA-01", Data02 => "DATA-02", Data03 => "DATA-03", Data04 => "DATA-04",
    Data05 => "DATA-05",
    Tls01 => "TLS-01", Tls02 => "TLS-02", Tls03 => "TLS-03", Tls04 => "TLS-04",
    Api01 => "API-01", Api02 => "API-02", Api03 => "API-03", Api04 => "API-04", Api05 => "API-05",
    Api06 => "API-06", Api07 => "API-07",
    Deps01 => "DEPS-01", Deps02 => "DEPS-02", Deps03 => "DEPS-03", Deps04 => "DEPS-04",
    Cont01 => "CONT-01",
}

impl fmt::Display for ChecklistId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a checklist id such as `AUTH-01`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownChecklistId(pub String);

impl fmt::Display for UnknownChecklistId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown checklist item `{}`", self.0)
    }
}

impl std::error::Error for UnknownChecklistId {}

impl FromStr for ChecklistId {
    type Err = UnknownChecklistId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ChecklistId::ALL
            .iter()
            .copied()
            .find(|id| id.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownChecklistId(text.to_string()))
    }
}

/// The section of the checklist an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecklistCategory {
    /// Authentication and authorization.
    Authentication,
    /// Input validation.
    InputValidation,
    /// Data protection.
    DataProtection,
    /// Transport security.
    Transport,
    /// API hardening.
    Api,
    /// Third-party dependencies.
    Dependencies,
    /// The container images the app ships in.
    Containers,
}

impl ChecklistCategory {
    /// The section title as the checklist prints it.
    pub fn title(self) -> &'static str {
        match self {
            ChecklistCategory::Authentication => "Authentication and authorization",
            ChecklistCategory::InputValidation => "Input validation",
            ChecklistCategory::DataProtection => "Data protection",
            ChecklistCategory::Transport => "Transport",
            ChecklistCategory::Api => "API",
            ChecklistCategory::Dependencies => "Dependencies",
            ChecklistCategory::Containers => "Containers",
        }
    }
}

/// One item of the catalog: what it requires and how a human verifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecklistItem {
    /// Stable id.
    pub id: ChecklistId,
    /// Section.
    pub category: ChecklistCategory,
    /// The requirement, in one sentence.
    pub title: &'static str,
    /// How to verify it by hand when no automatic check covered it.
    pub manual_check: &'static str,
    /// True when no automatic check can settle the item on its own (e.g. encryption at rest):
    /// the verdict is then `manual` unless a covering check found a flaw.
    pub needs_human: bool,
}

use ChecklistCategory as Cat;

const fn item(
    id: ChecklistId,
    category: ChecklistCategory,
    title: &'static str,
    manual_check: &'static str,
) -> ChecklistItem {
    ChecklistItem {
        id,
        category,
        title,
        manual_check,
        needs_human: false,
    }
}

/// The whole checklist, in the order the mission lists it.
pub static CATALOG: &[ChecklistItem] = &[
    item(
        ChecklistId::Auth01,
        Cat::Authentication,
        "Every endpoint that should require authentication does",
        "Call each endpoint without credentials; everything but public routes must answer 401.",
    ),
    item(
        ChecklistId::Auth02,
        Cat::Authentication,
        "Authorization checks verify the user owns or may access the requested resource",
        "As user A, request user B's objects by id (read, update, delete); expect 403 or 404.",
    ),
    item(
        ChecklistId::Auth03,
        Cat::Authentication,
        "Passwords are hashed with bcrypt, Argon2 or similar, cost factor at least 10",
        "Find where passwords are stored; confirm bcrypt (cost >= 10), scrypt or Argon2id, that the production database's hashes carry that scheme and cost (`$2b$12$…`), and that older hashes are upgraded at login.",
    ),
    item(
        ChecklistId::Auth04,
        Cat::Authentication,
        "Session tokens are cryptographically random and expire",
        "Check token generation uses a CSPRNG and that sessions expire and end at logout.",
    ),
    item(
        ChecklistId::Auth05,
        Cat::Authentication,
        "Failed login attempts are rate limited",
        "Send 30 failed logins in a row; expect 429, a lockout or Retry-After.",
    ),
    item(
        ChecklistId::Auth06,
        Cat::Authentication,
        "Password reset tokens are single-use and time-limited",
        "Use one reset token twice and once after its expiry; both must fail.",
    ),
    item(
        ChecklistId::Auth07,
        Cat::Authentication,
        "JWTs carry an expiry and are validated server-side",
        "Decode an issued JWT: it must have `exp`; a token with a bad signature must be refused.",
    ),
    item(
        ChecklistId::Auth08,
        Cat::Authentication,
        "Tokens live in httpOnly cookies, not in localStorage",
        "Search the front end for localStorage/sessionStorage writes of tokens.",
    ),
    item(
        ChecklistId::Input01,
        Cat::InputValidation,
        "All user input is validated for type, length and format",
        "Send wrong types, overlong strings and bad formats to each field; expect 400.",
    ),
    item(
        ChecklistId::Input02,
        Cat::InputValidation,
        "Database queries use parameterized statements",
        "Search for queries built by string concatenation or interpolation.",
    ),
    item(
        ChecklistId::Input03,
        Cat::InputValidation,
        "File uploads validate type and size",
        "Upload an oversized file and a file with a forbidden type; both must be refused.",
    ),
    item(
        ChecklistId::Input04,
        Cat::InputValidation,
        "URLs and redirects are validated against allowlists",
        "Pass an external URL to every redirect or URL-fetching parameter; it must be refused.",
    ),
    item(
        ChecklistId::Input05,
        Cat::InputValidation,
        "JSON/XML parsers have size limits",
        "Send a request body of several megabytes; expect 413.",
    ),
    item(
        ChecklistId::Data01,
        Cat::DataProtection,
        "API responses return only the fields needed",
        "Read each response: no password hashes, tokens, internal notes or other users' data.",
    ),
    ChecklistItem {
        id: ChecklistId::Data02,
        category: Cat::DataProtection,
        title: "Sensitive data is encrypted at rest",
        manual_check: "Confirm database, backups and file storage are encrypted (provider settings, disk encryption, column encryption).",
        needs_human: true,
    },
    item(
        ChecklistId::Data03,
        Cat::DataProtection,
        "Database credentials come from the environment, not from code",
        "Search the code for connection strings and passwords; they must come from the environment.",
    ),
    item(
        ChecklistId::Data04,
        Cat::DataProtection,
        "Secrets live in a secrets manager, not in the repository",
        "Search the repository and its history for keys, tokens and .env files.",
    ),
    item(
        ChecklistId::Data05,
        Cat::DataProtection,
        "Logs hold no passwords, tokens or personal data",
        "Read what each log statement writes around login and payment code.",
    ),
    item(
        ChecklistId::Tls01,
        Cat::Transport,
        "HTTPS is enforced",
        "Request the site over plain HTTP; it must redirect to HTTPS.",
    ),
    item(
        ChecklistId::Tls02,
        Cat::Transport,
        "HSTS is set",
        "Check HTTPS responses carry Strict-Transport-Security with a long max-age.",
    ),
    item(
        ChecklistId::Tls03,
        Cat::Transport,
        "TLS 1.2 or later is required",
        "Try a TLS 1.0/1.1 handshake; it must fail.",
    ),
    item(
        ChecklistId::Tls04,
        Cat::Transport,
        "Cookies carry Secure and HttpOnly",
        "Read every Set-Cookie header; session cookies need Secure, HttpOnly and SameSite.",
    ),
    item(
        ChecklistId::Api01,
        Cat::Api,
        "Rate limiting prevents abuse",
        "Send a burst of requests to an expensive endpoint; expect 429.",
    ),
    item(
        ChecklistId::Api02,
        Cat::Api,
        "CORS allows specific origins, not `*`",
        "Send a request with Origin: https://evil.example; it must not be echoed or allowed.",
    ),
    item(
        ChecklistId::Api03,
        Cat::Api,
        "The API is versioned, so insecure endpoints can be retired",
        "Check the routes carry a version (/v1/...) or a version header.",
    ),
    item(
        ChecklistId::Api04,
        Cat::Api,
        "Error messages leak no internal details",
        "Trigger errors (bad ids, bad JSON); responses must not show stack traces or SQL.",
    ),
    item(
        ChecklistId::Api05,
        Cat::Api,
        "GraphQL limits query depth and complexity",
        "Send a deeply nested query; it must be refused. Introspection should be off in production.",
    ),
    item(
        ChecklistId::Api06,
        Cat::Api,
        "Security headers are set (CSP, X-Frame-Options, X-Content-Type-Options)",
        "Read the response headers of pages and API responses.",
    ),
    item(
        ChecklistId::Api07,
        Cat::Api,
        "No hidden or undocumented endpoints are reachable",
        "Request /.env, /.git/config, /admin, /debug and compare routes with the spec.",
    ),
    item(
        ChecklistId::Deps01,
        Cat::Dependencies,
        "Every package is pinned to a specific version (lockfile present)",
        "Check every manifest has a committed, up-to-date lockfile.",
    ),
    item(
        ChecklistId::Deps02,
        Cat::Dependencies,
        "No dependency has a known critical or high vulnerability",
        "Run the ecosystem's audit tool (npm audit, pip-audit, cargo audit).",
    ),
    item(
        ChecklistId::Deps03,
        Cat::Dependencies,
        "Automated dependency updates are configured",
        "Check for a Dependabot or Renovate configuration covering every manifest.",
    ),
    item(
        ChecklistId::Deps04,
        Cat::Dependencies,
        "No dependency is abandoned",
        "Check each direct dependency has had a release or commit in the last two years.",
    ),
    item(
        ChecklistId::Cont01,
        Cat::Containers,
        "The image runs as non-root, from a pinned base, with no known critical vulnerability",
        "Check the Dockerfile's final USER and FROM, and scan the built image (trivy image, grype).",
    ),
];

/// The catalog entry for an id.
pub fn item_for(id: ChecklistId) -> &'static ChecklistItem {
    CATALOG
        .iter()
        .find(|item| item.id == id)
        .unwrap_or_else(|| unreachable!("CATALOG holds every ChecklistId; {id} is missing"))
}

/// The outcome of one checklist item in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecklistStatus {
    /// A covering check ran and found nothing.
    Passed,
    /// At least one finding (not suppressed) contradicts the item.
    Failed,
    /// No covering check ran in this run; `note` says what input would enable one.
    NotVerified,
    /// No automatic check can settle the item; a human must.
    Manual,
    /// The item's subject is absent: every covering check that ran found nothing of its kind
    /// (no cookies, no GraphQL, no password storage); `note` says what was looked for.
    NotApplicable,
}

impl ChecklistStatus {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecklistStatus::Passed => "passed",
            ChecklistStatus::Failed => "failed",
            ChecklistStatus::NotVerified => "not-verified",
            ChecklistStatus::Manual => "manual",
            ChecklistStatus::NotApplicable => "not-applicable",
        }
    }
}

impl fmt::Display for ChecklistStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of one checklist item in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistVerdict {
    /// The item.
    pub id: ChecklistId,
    /// The item's requirement, copied so that reports stand alone.
    pub title: Text,
    /// The outcome.
    pub status: ChecklistStatus,
    /// Codes of the rules that applied and cover this item.
    pub checked_by: Vec<Text>,
    /// Fingerprints of the findings that fail it (baselined ones included).
    pub findings: Vec<Fingerprint>,
    /// Why it has this status, and for `not-verified`/`manual` what to do about it.
    pub note: Text,
}

/// Decides the verdict of every checklist item.
///
/// `all_rules` is every rule this build of vibeguard knows (to say which input would enable a
/// check); `engines` says which rules applied in this run; `findings` are the run's findings.
pub fn evaluate(
    all_rules: &[RuleMeta],
    engines: &[EngineRun],
    findings: &[Finding],
) -> Vec<ChecklistVerdict> {
    CATALOG
        .iter()
        .map(|item| evaluate_item(item, all_rules, engines, findings))
        .collect()
}

fn evaluate_item(
    item: &ChecklistItem,
    all_rules: &[RuleMeta],
    engines: &[EngineRun],
    findings: &[Finding],
) -> ChecklistVerdict {
    let covering: Vec<&RuleMeta> = all_rules
        .iter()
        .filter(|rule| rule.checklist.contains(&item.id))
        .collect();
    let mut checked_by: Vec<Text> = covering
        .iter()
        .filter(|rule| engines.iter().any(|run| run.covered(&rule.code, item.id)))
        .map(|rule| rule.code.clone())
        .collect();
    // What verified the item besides the rules that cover it: the scenarios that passed.
    for verified in engines.iter().flat_map(|run| &run.verified) {
        if verified.item == item.id && !checked_by.contains(&verified.by) {
            checked_by.push(verified.by.clone());
        }
    }
    // Test code says nothing about production: its findings are reported, not held against
    // the checklist.
    let failing: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding.checklist.contains(&item.id))
        .filter(|finding| !matches!(finding.state, FindingState::Suppressed { .. }))
        .filter(|finding| !finding.test_code)
        .collect();

    let (status, note) = if !failing.is_empty() {
        let baselined = failing
            .iter()
            .filter(|finding| finding.state == FindingState::Baselined)
            .count();
        let mut note = format!("{} finding(s)", failing.len());
        if baselined > 0 {
            note.push_str(&format!(", {baselined} of them baselined"));
        }
        (ChecklistStatus::Failed, note)
    } else if item.needs_human {
        let note = if checked_by.is_empty() {
            format!("Needs a human: {}", item.manual_check)
        } else {
            format!(
                "Automatic checks found nothing, but they cannot settle it: {}",
                item.manual_check
            )
        };
        (ChecklistStatus::Manual, note)
    } else if let Some(note) = failed_engine_note(&covering, engines) {
        (ChecklistStatus::NotVerified, note)
    } else if let Some(note) = untested_note(&checked_by, engines) {
        (ChecklistStatus::NotVerified, note)
    } else if !checked_by.is_empty() {
        (
            ChecklistStatus::Passed,
            format!("Checked by {}; nothing found", checked_by.join(", ")),
        )
    } else if let Some(note) = absent_subject_note(item, &covering, engines) {
        (ChecklistStatus::NotApplicable, note)
    } else {
        (
            ChecklistStatus::NotVerified,
            not_verified_note(item, &covering, engines),
        )
    };

    ChecklistVerdict {
        id: item.id,
        title: Text::Borrowed(item.title),
        status,
        checked_by,
        findings: failing.iter().map(|f| f.fingerprint.clone()).collect(),
        note: Text::Owned(note),
    }
}

/// When an engine whose rules cover the item could not run at all, why: the item is then "not
/// verified" — the other engines' silence is no pass for what that engine was asked to test.
fn failed_engine_note(covering: &[&RuleMeta], engines: &[EngineRun]) -> Option<String> {
    let reasons: Vec<String> = engines
        .iter()
        .filter(|run| covering.iter().any(|rule| rule.engine == run.engine))
        .filter_map(|run| {
            run.failed
                .as_ref()
                .map(|why| format!("the {} engine could not run: {why}", run.engine.as_str()))
        })
        .collect();
    (!reasons.is_empty()).then(|| {
        format!(
            "Not tested: {}. What the other checks found is no pass for it",
            reasons.join("; ")
        )
    })
}

/// Places listed by name in a note before the rest are only counted.
const UNTESTED_LISTED: usize = 5;

/// When a rule that checked the item missed part of its subject (an operation never answered,
/// probes the budget did not allow), what was not tested: the item then is "not verified",
/// since a pass would vouch for places nothing looked at. One rule for every item and engine.
fn untested_note(checked_by: &[Text], engines: &[EngineRun]) -> Option<String> {
    let mut places: Vec<String> = Vec::new();
    let mut rules: Vec<&str> = Vec::new();
    for run in engines {
        for untested in &run.untested {
            let missing: Vec<&str> = checked_by
                .iter()
                .filter(|code| run.applied(code) && untested.missed_by(code))
                .map(|code| code.as_ref())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let place = format!("{} ({})", untested.place, untested.reason);
            if !places.contains(&place) {
                places.push(place);
            }
            for code in missing {
                if !rules.contains(&code) {
                    rules.push(code);
                }
            }
        }
    }
    if places.is_empty() {
        return None;
    }
    let count = places.len();
    let mut listed: Vec<String> = places.into_iter().take(UNTESTED_LISTED).collect();
    if count > UNTESTED_LISTED {
        listed.push(format!("and {} more", count - UNTESTED_LISTED));
    }
    Some(format!(
        "Checked by {} where it ran, but not on {count} place(s) it applies to: {}. Nothing found is no pass for what was not tested",
        rules.join(", "),
        listed.join("; ")
    ))
}

/// When every covering rule that reported on the item found its subject absent (and at least
/// one did), why the item does not apply: one rule that could not look is enough to make the
/// item "not verified" instead. One rule for every item, not a decision of each check.
fn absent_subject_note(
    item: &ChecklistItem,
    covering: &[&RuleMeta],
    engines: &[EngineRun],
) -> Option<String> {
    let reports: Vec<&crate::engine::RuleApplicability> = engines
        .iter()
        .flat_map(|run| run.not_applicable.iter())
        .filter(|na| na.item.is_none_or(|only| only == item.id))
        .filter(|na| covering.iter().any(|rule| rule.code == na.code))
        .collect();
    if reports.is_empty() || !reports.iter().all(|na| na.subject_absent) {
        return None;
    }
    let reasons: Vec<String> = reports
        .iter()
        .map(|na| format!("{}: {}", na.code, na.reason))
        .collect();
    Some(format!("Nothing of its kind here ({})", reasons.join("; ")))
}

/// Says why no covering check applied and what would enable one.
fn not_verified_note(
    item: &ChecklistItem,
    covering: &[&RuleMeta],
    engines: &[EngineRun],
) -> String {
    if covering.is_empty() {
        return format!(
            "No check in this version of vibeguard covers it yet; verify by hand: {}",
            item.manual_check
        );
    }
    // A covering engine ran but its rules had nothing to look at: say what was missing.
    let reasons: Vec<String> = engines
        .iter()
        .flat_map(|run| run.not_applicable.iter())
        .filter(|na| na.item.is_none_or(|only| only == item.id))
        .filter(|na| covering.iter().any(|rule| rule.code == na.code))
        .map(|na| format!("{}: {}", na.code, na.reason))
        .collect();
    if !reasons.is_empty() {
        return format!(
            "Nothing to check ({}). Verify by hand: {}",
            reasons.join("; "),
            item.manual_check
        );
    }
    let mut enablers: Vec<&'static str> = covering
        .iter()
        .map(|rule| rule.engine.how_to_enable())
        .collect();
    enablers.sort_unstable();
    enablers.dedup();
    format!("{} to check it automatically", enablers.join(", or "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_holds_each_mission_item_once_in_id_order() {
        // MISSION.md lists 8 AUTH, 5 INPUT, 5 DATA, 4 TLS, 7 API and 4 DEPS items.
        assert_eq!(CATALOG.len(), 34);
        assert_eq!(ChecklistId::ALL.len(), 34);
        for (item, id) in CATALOG.iter().zip(ChecklistId::ALL) {
            assert_eq!(item.id, *id);
        }
    }

    #[test]
    fn ids_round_trip_through_text_and_serde() {
        for id in ChecklistId::ALL {
            assert_eq!(id.as_str().parse::<ChecklistId>(), Ok(*id));
            let json = serde_json::to_string(id).expect("serializes");
            assert_eq!(json, format!("\"{}\"", id.as_str()));
        }
        assert!("AUTH-99".parse::<ChecklistId>().is_err());
    }
}
