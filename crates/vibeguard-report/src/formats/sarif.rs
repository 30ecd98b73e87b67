//! SARIF 2.1.0, as GitHub code scanning and other SARIF consumers read it.
//!
//! Rules carry their four-part docs as `help` (text and Markdown), the numeric
//! `security-severity` GitHub uses to rank alerts, `precision`, and `external/cwe/cwe-N` tags.
//! Results carry `partialFingerprints` (the line-independent vibeguard fingerprint), in-source
//! suppressions with their justification, and `baselineState` when a baseline was applied or
//! the run was compared with a recorded one (`--compare-to`: `new` or `unchanged` since then).
//! Non-fatal errors become tool execution notifications. The output is validated against the
//! official schema in the tests.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use vibeguard_core::{Evidence, Finding, FindingState, Location, Report, RuleMeta, Severity};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SOURCE_ROOT: &str = "%SRCROOT%";
const FINGERPRINT_KEY: &str = "vibeguardFingerprint/v1";

/// Renders the report as a SARIF 2.1.0 log with one run.
pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|rule| rule_descriptor(report, rule))
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| result(report, finding))
        .collect();

    let notifications: Vec<Value> = report
        .engines
        .iter()
        .flat_map(|run| {
            run.errors.iter().map(move |error| {
                let mut notification = json!({
                    "level": "warning",
                    "message": { "text": format!("[{}] {}", run.engine, error.message) },
                    "descriptor": { "id": format!("{}-error", run.engine) },
                });
                if looks_like_file(&error.source) {
                    let mut physical = json!({ "artifactLocation": artifact(&error.source) });
                    if let Some(line) = error.line.filter(|line| *line > 0) {
                        physical["region"] = json!({ "startLine": line });
                    }
                    notification["locations"] = json!([{ "physicalLocation": physical }]);
                }
                notification
            })
        })
        .collect();

    let mut run = json!({
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": report.tool.information_uri,
                "rules": rules,
            }
        },
        "invocations": [{
            "executionSuccessful": true,
            "startTimeUtc": report.started_at.to_string(),
            "endTimeUtc": report.finished_at.to_string(),
            "toolExecutionNotifications": notifications,
        }],
        "automationDetails": { "id": "vibeguard/" },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "failOn": report.fail_on.as_str(),
            "checklist": report.checklist.iter().map(|verdict| json!({
                "id": verdict.id.as_str(),
                "status": verdict.status.as_str(),
                "title": verdict.title,
            })).collect::<Vec<_>>(),
        },
    });
    if !report.summary.unchecked.is_empty() {
        run["properties"]["unchecked"] = json!(report.summary.unchecked);
    }
    if let Some(root) = report
        .inputs
        .project
        .as_deref()
        .filter(|p| p.starts_with('/'))
    {
        run["originalUriBaseIds"] = json!({
            SOURCE_ROOT: { "uri": format!("file://{}/", encode_path(root.trim_end_matches('/'))) }
        });
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut text = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|error| unreachable!("a JSON value always serializes: {error}"));
    text.push('\n');
    text
}

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule_descriptor(report: &Report, rule: &RuleMeta) -> Value {
    let mut tags = vec!["security".to_string()];
    tags.extend(rule.cwe.iter().map(|cwe| format!("external/cwe/cwe-{cwe}")));
    tags.extend(rule.checklist.iter().map(|id| format!("checklist/{id}")));
    if let Some(owasp) = rule.owasp_api {
        tags.push(format!("owasp-api/{}", owasp.id()));
    }
    let references: String = rule
        .docs
        .references
        .iter()
        .map(|link| format!("- {link}\n"))
        .collect();
    let markdown = format!(
        "**What it finds.** {}\n\n**Why it matters.** {}\n\n**Example**\n\n```\n{}\n```\n\n**Fixed**\n\n```\n{}\n```\n\n**How to fix.** {}\n\n**References**\n\n{}",
        rule.docs.what,
        rule.docs.why,
        rule.docs.example_bad,
        rule.docs.example_fixed,
        rule.docs.fix,
        references
    );
    let text = format!(
        "What it finds: {}\n\nWhy it matters: {}\n\nExample:\n{}\n\nFixed:\n{}\n\nHow to fix: {}\n\nReferences:\n{}",
        rule.docs.what,
        rule.docs.why,
        rule.docs.example_bad,
        rule.docs.example_fixed,
        rule.docs.fix,
        references
    );
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.docs.what },
        "help": { "text": text, "markdown": markdown },
        "helpUri": format!("{}/blob/main/docs/rules.md#{}", report.tool.information_uri, rule.code.to_ascii_lowercase()),
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": tags,
            "precision": rule.confidence.sarif_precision(),
            "security-severity": format!("{:.1}", rule.severity.security_severity_score()),
            "problem.severity": match rule.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                Severity::Low | Severity::Info => "recommendation",
            },
        },
    })
}

fn result(report: &Report, finding: &Finding) -> Value {
    let mut value = json!({
        "ruleId": finding.code,
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint.as_str() },
        "properties": {
            "severity": finding.severity.as_str(),
            "security-severity": format!("{:.1}", finding.severity.security_severity_score()),
            "confidence": finding.confidence.as_str(),
            "checklist": finding.checklist.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
            "cwe": finding.cwe,
            "fix": finding.fix,
        },
    });
    if finding.test_code {
        // Code scanning filters test code by this tag.
        value["properties"]["tags"] = json!(["test"]);
        value["properties"]["testCode"] = json!(true);
    }
    if let Some(index) = report
        .rules
        .iter()
        .position(|rule| rule.code == finding.code)
    {
        value["ruleIndex"] = json!(index);
    }
    if let Some(owasp) = finding.owasp_api {
        value["properties"]["owaspApi"] = json!(owasp.id());
    }
    let (physical, logical) = locations(finding);
    let mut location = Map::new();
    if let Some(physical) = physical {
        location.insert("physicalLocation".into(), physical);
    }
    if let Some(logical) = logical {
        location.insert("logicalLocations".into(), json!([logical]));
    }
    if !location.is_empty() {
        value["locations"] = json!([Value::Object(location)]);
    }
    if !finding.flow.is_empty() {
        value["codeFlows"] = code_flows(finding);
    }
    match &finding.state {
        FindingState::Suppressed { reason } => {
            let mut suppression = json!({ "kind": "inSource", "status": "accepted" });
            if !reason.is_empty() {
                suppression["justification"] = json!(reason);
            }
            value["suppressions"] = json!([suppression]);
        }
        // Compared with a recorded run (`--compare-to`): new or unchanged since then. Fixed
        // findings are not listed as `absent` results: code scanning would open alerts for them.
        _ if report.since.is_some() => {
            let new = report
                .since
                .as_ref()
                .is_some_and(|since| since.is_new(&finding.fingerprint));
            value["baselineState"] = json!(if new { "new" } else { "unchanged" });
        }
        FindingState::Baselined => value["baselineState"] = json!("unchanged"),
        FindingState::Active if report.inputs.baseline.is_some() => {
            value["baselineState"] = json!("new");
        }
        FindingState::Active => {}
    }
    value
}

/// A data-flow finding's path as one SARIF thread flow, source first.
fn code_flows(finding: &Finding) -> Value {
    let steps: Vec<Value> = finding
        .flow
        .iter()
        .enumerate()
        .map(|(order, step)| {
            json!({
                "location": {
                    "physicalLocation": {
                        "artifactLocation": artifact(&step.path),
                        "region": {
                            "startLine": step.span.start_line.max(1),
                            "startColumn": step.span.start_column.max(1),
                            "endLine": step.span.end_line.max(step.span.start_line).max(1),
                            "endColumn": step.span.end_column.max(1),
                        },
                    },
                    "message": { "text": step.note },
                },
                "executionOrder": order,
            })
        })
        .collect();
    json!([{ "threadFlows": [{ "locations": steps }] }])
}

fn locations(finding: &Finding) -> (Option<Value>, Option<Value>) {
    let snippet = finding.evidence.iter().find_map(|evidence| match evidence {
        Evidence::Code(frame) => Some(
            frame
                .numbered_lines()
                .filter(|(number, _)| frame.is_highlighted(*number))
                .map(|(_, line)| line)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    });
    let physical = finding.location.file().map(|path| {
        let mut physical = json!({ "artifactLocation": artifact(path) });
        // GitHub code scanning shows a result only with a line (its rule GH1003): a finding
        // about a whole file (no `.gitignore` entry, no update bot) is shown at its first line.
        let region = match finding.location.span() {
            Some(span) => {
                let mut region = json!({
                    "startLine": span.start_line.max(1),
                    "startColumn": span.start_column.max(1),
                    "endLine": span.end_line.max(span.start_line).max(1),
                    "endColumn": span.end_column.max(1),
                });
                if let Some(snippet) = &snippet {
                    region["snippet"] = json!({ "text": snippet });
                }
                region
            }
            None => json!({ "startLine": 1 }),
        };
        physical["region"] = region;
        physical
    });
    let logical = match &finding.location {
        Location::Operation {
            method,
            path,
            parameter,
            ..
        } => Some(json!({
            "fullyQualifiedName": match parameter {
                Some(parameter) => format!("{method} {path} {parameter}"),
                None => format!("{method} {path}"),
            },
            "kind": "function",
        })),
        Location::Package {
            ecosystem,
            name,
            version,
            ..
        } => Some(json!({
            "fullyQualifiedName": match version {
                Some(version) => format!("{ecosystem}/{name}@{version}"),
                None => format!("{ecosystem}/{name}"),
            },
            "kind": "module",
        })),
        Location::Source { .. } | Location::Project => None,
    };
    (physical, logical)
}

fn artifact(path: &str) -> Value {
    json!({ "uri": encode_path(path), "uriBaseId": SOURCE_ROOT })
}

fn looks_like_file(source: &str) -> bool {
    !source.contains("://") && !source.starts_with('/') && !source.contains(' ')
}

/// Percent-encodes a relative path for a SARIF `uri` (RFC 3986 path characters pass through).
fn encode_path(path: &str) -> String {
    const PATH: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/')
        .remove(b'!')
        .remove(b'$')
        .remove(b'&')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=')
        .remove(b':')
        .remove(b'@');
    utf8_percent_encode(path, PATH).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_paths_for_uris() {
        assert_eq!(encode_path("src/app.js"), "src/app.js");
        assert_eq!(
            encode_path("my app/ünï #1.js"),
            "my%20app/%C3%BCn%C3%AF%20%231.js"
        );
    }
}
