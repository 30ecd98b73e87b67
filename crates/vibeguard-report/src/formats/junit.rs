//! JUnit XML: one test suite per engine that ran, one test case per checklist item that engine
//! covers (failed with its findings, passed, or skipped when the engine had nothing to check),
//! one test case per test an engine ran itself (each step of each scenario: passed, failed, or
//! skipped with the reason), a `vibeguard.checklist` suite with the items no engine of this run
//! covers (skipped, with what would enable them), and one error test case per non-fatal error. CI readers (GitHub, GitLab,
//! Jenkins) then show the checklist as tests.

use std::fmt::Write;

use vibeguard_core::{CaseOutcome, ChecklistStatus, Finding, FindingState, Report};

use crate::text::escape_xml as esc;

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> String {
    let mut suites = Vec::new();
    let mut covered_items = Vec::new();
    for run in &report.engines {
        let mut cases = Vec::new();
        for verdict in &report.checklist {
            let engine_rules: Vec<&str> = report
                .rules
                .iter()
                .filter(|rule| rule.engine == run.engine && rule.checklist.contains(&verdict.id))
                .map(|rule| rule.code.as_ref())
                .collect();
            if engine_rules.is_empty() {
                continue;
            }
            covered_items.push(verdict.id);
            let name = format!("{} {}", verdict.id, verdict.title);
            let failing: Vec<&Finding> = verdict
                .findings
                .iter()
                .filter_map(|fingerprint| report.finding(fingerprint))
                .filter(|finding| finding.engine == run.engine)
                .collect();
            let applied = engine_rules
                .iter()
                .any(|code| run.covered(code, verdict.id));
            let case = if !failing.is_empty() {
                let body: String = failing.iter().map(|f| finding_line(f)).collect();
                Case::Failure {
                    name,
                    message: format!("{} finding(s)", failing.len()),
                    kind: verdict.id.to_string(),
                    body,
                }
            } else if applied {
                Case::Passed { name }
            } else {
                let reason = run
                    .not_applicable
                    .iter()
                    .filter(|na| {
                        engine_rules.contains(&na.code.as_ref())
                            && na.item.is_none_or(|only| only == verdict.id)
                    })
                    .map(|na| na.reason.to_string())
                    .next()
                    .unwrap_or_else(|| "no covering rule ran".to_string());
                Case::Skipped {
                    name,
                    message: reason,
                }
            };
            cases.push(case);
        }
        // Tests the engine ran itself (a scenario's steps), each its own case.
        for test in &run.cases {
            let name = format!("{} › {}", test.group, test.name);
            cases.push(match test.outcome {
                CaseOutcome::Passed => Case::Passed { name },
                CaseOutcome::Failed => Case::Failure {
                    name,
                    message: test.message.clone(),
                    kind: "failed".into(),
                    body: test.message.clone(),
                },
                CaseOutcome::Skipped => Case::Skipped {
                    name,
                    message: test.message.clone(),
                },
            });
        }
        for error in &run.errors {
            cases.push(Case::Error {
                name: format!("error: {}", error.source),
                message: error.to_string(),
            });
        }
        suites.push(Suite {
            name: format!("vibeguard.{}", run.engine),
            time_ms: run.duration_ms,
            cases,
        });
    }
    let uncovered: Vec<Case> = report
        .checklist
        .iter()
        .filter(|verdict| !covered_items.contains(&verdict.id))
        .map(|verdict| {
            let name = format!("{} {}", verdict.id, verdict.title);
            match verdict.status {
                ChecklistStatus::Failed => Case::Failure {
                    name,
                    message: verdict.note.to_string(),
                    kind: verdict.id.to_string(),
                    body: verdict
                        .findings
                        .iter()
                        .filter_map(|fp| report.finding(fp))
                        .map(finding_line)
                        .collect(),
                },
                ChecklistStatus::Passed => Case::Passed { name },
                ChecklistStatus::NotVerified
                | ChecklistStatus::Manual
                | ChecklistStatus::NotApplicable => Case::Skipped {
                    name,
                    message: format!("{}: {}", verdict.status, verdict.note),
                },
            }
        })
        .collect();
    if !uncovered.is_empty() {
        suites.push(Suite {
            name: "vibeguard.checklist".to_string(),
            time_ms: 0,
            cases: uncovered,
        });
    }

    let total = |pick: fn(&Suite) -> usize| suites.iter().map(pick).sum::<usize>();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"vibeguard\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
        total(|s| s.cases.len()),
        total(Suite::failures),
        total(Suite::errors),
        total(Suite::skipped),
        seconds(
            u64::try_from(
                report
                    .finished_at
                    .duration_since(report.started_at)
                    .as_millis()
                    .max(0)
            )
            .unwrap_or(0)
        ),
        esc(&report.started_at.to_string()),
    );
    for suite in &suites {
        suite.write(&mut out, report);
    }
    out.push_str("</testsuites>\n");
    out
}

fn finding_line(finding: &Finding) -> String {
    let state = match finding.state {
        FindingState::Baselined => " [baselined]",
        _ => "",
    };
    format!(
        "{} {} {} {}{state}: {}\n  fix: {}\n",
        finding.code,
        finding.severity,
        finding.name,
        finding.location,
        finding.message,
        finding.fix
    )
}

fn seconds(millis: u64) -> String {
    format!("{:.3}", millis as f64 / 1000.0)
}

enum Case {
    Passed {
        name: String,
    },
    Failure {
        name: String,
        message: String,
        kind: String,
        body: String,
    },
    Skipped {
        name: String,
        message: String,
    },
    Error {
        name: String,
        message: String,
    },
}

struct Suite {
    name: String,
    time_ms: u64,
    cases: Vec<Case>,
}

impl Suite {
    fn failures(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c, Case::Failure { .. }))
            .count()
    }

    fn errors(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c, Case::Error { .. }))
            .count()
    }

    fn skipped(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c, Case::Skipped { .. }))
            .count()
    }

    fn write(&self, out: &mut String, report: &Report) {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
            esc(&self.name),
            self.cases.len(),
            self.failures(),
            self.errors(),
            self.skipped(),
            seconds(self.time_ms),
            esc(&report.started_at.to_string()),
        );
        if let Some(run) = report
            .engines
            .iter()
            .find(|run| format!("vibeguard.{}", run.engine) == self.name)
        {
            let c = run.coverage;
            let _ = writeln!(out, "    <properties>");
            for (name, value) in [
                ("files", c.files),
                ("packages", c.packages),
                ("operations", c.operations),
                ("requests", c.requests),
            ] {
                let _ = writeln!(out, "      <property name=\"{name}\" value=\"{value}\"/>");
            }
            if c.operations_total > 0 {
                let _ = writeln!(
                    out,
                    "      <property name=\"operations_total\" value=\"{}\"/>",
                    c.operations_total
                );
            }
            let _ = writeln!(out, "    </properties>");
        }
        for case in &self.cases {
            let classname = esc(&self.name);
            match case {
                Case::Passed { name } => {
                    let _ = writeln!(
                        out,
                        "    <testcase classname=\"{classname}\" name=\"{}\" time=\"0\"/>",
                        esc(name)
                    );
                }
                Case::Failure {
                    name,
                    message,
                    kind,
                    body,
                } => {
                    let _ = writeln!(
                        out,
                        "    <testcase classname=\"{classname}\" name=\"{}\" time=\"0\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        esc(name),
                        esc(message),
                        esc(kind),
                        esc(body)
                    );
                }
                Case::Skipped { name, message } => {
                    let _ = writeln!(
                        out,
                        "    <testcase classname=\"{classname}\" name=\"{}\" time=\"0\">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        esc(name),
                        esc(message)
                    );
                }
                Case::Error { name, message } => {
                    let _ = writeln!(
                        out,
                        "    <testcase classname=\"{classname}\" name=\"{}\" time=\"0\">\n      <error message=\"{}\" type=\"engine-error\"/>\n    </testcase>",
                        esc(name),
                        esc(message)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
}
