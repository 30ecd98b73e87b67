//! Fix briefs: one self-contained prompt per finding for the assistant that will fix it. The
//! people vibeguard is for wrote their code with an assistant and will fix it with one; a brief
//! hands it what a security engineer would: where (file and lines, or the operation and the
//! exchange), what is wrong and why, the fix pattern (the rule's fixed example, the project's
//! frameworks named), the constraints (keep the API, prove the fix with a test, weaken nothing
//! else) and the command that verifies the fix.
//!
//! `--format brief` writes the briefs of every active finding outside test code as one
//! Markdown file; `vibeguard brief N…` prints chosen ones; the HTML report carries each
//! finding's brief under "Copy for your assistant". Briefs are built from the report alone, so
//! they hold nothing the report does not: credentials were masked before it was assembled, and
//! the reproduction commands read them from variables.

use std::fmt::Write;

use vibeguard_core::{Evidence, Finding, FindingState, Location, Report, RuleMeta};

use crate::text::display_order;

/// Lines of a request or an answer a brief quotes.
const EXCHANGE_LINES: usize = 25;
/// Characters of a request or an answer a brief quotes.
const EXCHANGE_CHARS: usize = 2_500;

/// Every brief of the report: the active findings outside test code, most severe first,
/// numbered as the terminal report numbers them.
pub fn render(report: &Report) -> String {
    let chosen: Vec<(usize, &Finding)> = display_order(report)
        .into_iter()
        .enumerate()
        .map(|(index, finding)| (index + 1, finding))
        .filter(|(_, finding)| finding.state == FindingState::Active && !finding.test_code)
        .collect();
    render_chosen(report, &chosen)
}

/// The briefs of `chosen` (numbers as [`display_order`] counts them) as one Markdown document.
pub fn render_chosen(report: &Report, chosen: &[(usize, &Finding)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# vibeguard fix briefs\n\n{} brief{} from the audit of {} ({}). Give one brief at a \
         time to your coding assistant; each is self-contained.\n",
        chosen.len(),
        if chosen.len() == 1 { "" } else { "s" },
        report
            .inputs
            .project
            .as_deref()
            .or(report.inputs.image.as_deref())
            .or(report.inputs.target.as_deref())
            .unwrap_or("a project"),
        report.finished_at
    );
    if chosen.is_empty() {
        out.push_str("No active finding: nothing to fix.\n");
    }
    for (number, finding) in chosen {
        out.push_str("---\n\n");
        out.push_str(&brief(report, *number, finding));
        out.push('\n');
    }
    out
}

/// The brief of one finding.
pub fn brief(report: &Report, number: usize, finding: &Finding) -> String {
    let rule = report.rules.iter().find(|rule| rule.code == finding.code);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Fix brief {number}: {} {} ({}) at {}\n",
        finding.code,
        finding.name,
        finding.severity,
        inline_code(&finding.location.to_string())
    );
    out.push_str(
        "You are working in this project's repository. vibeguard, a security audit tool, reported \
         the finding below. Fix its cause in the code.\n\n",
    );
    where_section(&mut out, report, finding);
    let _ = writeln!(out, "**What is wrong**: {}\n", finding.message.trim());
    if let Some(rule) = rule {
        let _ = writeln!(out, "**Why it matters**: {}\n", rule.docs.why.trim());
    }
    if !finding.flow.is_empty() {
        let steps: Vec<String> = finding
            .flow
            .iter()
            .map(|step| {
                format!(
                    "{} ({})",
                    inline_code(&format!("{}:{}", step.path, step.span.start_line)),
                    step.note
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "**How the data flows** (from where it enters to where it does harm): {}\n",
            steps.join(" → ")
        );
    }
    evidence_section(&mut out, finding);
    let _ = writeln!(out, "**How to fix it**: {}\n", finding.fix.trim());
    if let Some(rule) = rule {
        pattern_section(&mut out, rule);
    }
    out.push_str(
        "**Constraints**\n\
         - Keep the API as it is: the same routes, parameters and answers (except secret fields \
           the finding names, which go).\n\
         - Add a test that fails before the fix and passes after it, next to the project's \
           existing tests.\n\
         - Do not weaken, disable or silence any check: no `vibeguard-ignore` comment, no \
           baseline entry, no lowered severity, no change to vibeguard.toml. Look for the same \
           pattern elsewhere in the project and fix it there too.\n\
         - Never write a real password, token or key into code, tests or commits.\n\n",
    );
    let _ = writeln!(
        out,
        "**Verify** from the project's root folder, after the fix:\n\n{}\nThe finding (fingerprint \
         `{}`) must be gone, and nothing new may appear.",
        fenced("sh", &verify_command(report, finding)),
        finding.fingerprint
    );
    out
}

/// The command that re-runs the finding's rule.
fn verify_command(report: &Report, finding: &Finding) -> String {
    let mut command = format!("vibeguard audit . --checks {}", finding.code);
    let live = matches!(
        finding.engine,
        vibeguard_core::EngineId::Api | vibeguard_core::EngineId::Scenarios
    );
    if live && let Some(target) = &report.inputs.target {
        let _ = write!(command, " --target {target}");
    }
    command
}

fn where_section(out: &mut String, report: &Report, finding: &Finding) {
    match &finding.location {
        Location::Source { path, span } => {
            let lines = match span {
                Some(span) if span.end_line > span.start_line => {
                    format!(", lines {}–{}", span.start_line, span.end_line)
                }
                Some(span) => format!(", line {}", span.start_line),
                None => String::new(),
            };
            let _ = writeln!(out, "**Where**: the file {}{lines}.", inline_code(path));
        }
        Location::Operation {
            method,
            path,
            parameter,
            declared_at,
        } => {
            let _ = write!(
                out,
                "**Where**: the API operation {}",
                inline_code(&format!("{method} {path}"))
            );
            if let Some(parameter) = parameter {
                let _ = write!(out, ", its input {}", inline_code(parameter));
            }
            match declared_at {
                Some(at) => {
                    let _ = write!(
                        out,
                        ", declared at {}",
                        inline_code(&format!("{}:{}", at.path, at.line))
                    );
                }
                None => out.push_str(" (find the handler of this route in the code)"),
            }
            out.push_str(".\n");
        }
        Location::Package {
            ecosystem,
            name,
            version,
            manifest,
            ..
        } => {
            let _ = writeln!(
                out,
                "**Where**: the {ecosystem} package {}{} in {}.",
                inline_code(name),
                version
                    .as_deref()
                    .map(|v| format!(" {}", inline_code(v)))
                    .unwrap_or_default(),
                inline_code(manifest)
            );
        }
        Location::Project => out.push_str("**Where**: the project as a whole.\n"),
    }
    let mut frameworks: Vec<&str> = report
        .routes
        .iter()
        .map(|route| route.framework.as_str())
        .collect();
    frameworks.sort_unstable();
    frameworks.dedup();
    if !frameworks.is_empty() {
        let _ = writeln!(
            out,
            "The project's routes are written with {}: use its own way of doing the fix.",
            frameworks.join(", ")
        );
    }
    out.push('\n');
}

fn evidence_section(out: &mut String, finding: &Finding) {
    for evidence in &finding.evidence {
        match evidence {
            Evidence::Code(frame) => {
                let text: Vec<String> = frame
                    .numbered_lines()
                    .map(|(number, line)| {
                        let marker = if frame.is_highlighted(number) {
                            ">"
                        } else {
                            " "
                        };
                        format!("{marker} {number:>4} | {line}")
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "The code ({}, the flagged lines marked `>`):\n\n{}",
                    inline_code(&frame.path),
                    fenced("text", &text.join("\n"))
                );
            }
            Evidence::Text { label, text } => {
                let _ = writeln!(out, "{label}:\n\n{}", fenced("text", text));
            }
            Evidence::Http {
                request, response, ..
            } => {
                let _ = writeln!(
                    out,
                    "The exchange that proves it (credentials are masked):\n\n{}{}",
                    fenced("http", &clipped(request)),
                    fenced("http", &clipped(response))
                );
            }
        }
    }
}

fn pattern_section(out: &mut String, rule: &RuleMeta) {
    let fixed = rule.docs.example_fixed.trim();
    let bad = rule.docs.example_bad.trim();
    if fixed.is_empty() {
        return;
    }
    let _ = writeln!(out, "The pattern, in general:\n");
    if !bad.is_empty() {
        let _ = writeln!(out, "Instead of\n\n{}", fenced("", bad));
    }
    let _ = writeln!(out, "write\n\n{}", fenced("", fixed));
}

/// At most [`EXCHANGE_LINES`] lines and [`EXCHANGE_CHARS`] characters of a request or an answer.
fn clipped(text: &str) -> String {
    let mut out = String::new();
    let mut cut = false;
    for (index, line) in text.lines().enumerate() {
        if index >= EXCHANGE_LINES || out.len() + line.len() > EXCHANGE_CHARS {
            cut = true;
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    if cut {
        out.push_str("[… cut]\n");
    }
    out
}

/// A fenced code block that nothing inside can close: the fence is longer than any run of
/// backticks in the text.
fn fenced(language: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let body = text.trim_end_matches('\n');
    format!("{fence}{language}\n{body}\n{fence}\n")
}

/// Inline code that nothing inside can close.
fn inline_code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_are_longer_than_any_backtick_run_inside() {
        assert_eq!(fenced("", "a ```` b"), "`````\na ```` b\n`````\n");
        assert_eq!(fenced("sh", "x"), "```sh\nx\n```\n");
        assert_eq!(inline_code("a`b"), "``a`b``");
    }

    #[test]
    fn exchanges_are_clipped_with_a_mark() {
        let long: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let clipped = clipped(&long);
        assert_eq!(clipped.lines().count(), EXCHANGE_LINES + 1);
        assert!(clipped.ends_with("[… cut]\n"));
        assert_eq!(self::clipped("a\nb"), "a\nb\n");
    }
}
