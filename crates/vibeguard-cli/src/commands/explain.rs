//! `vibeguard explain CODE`: a rule's four-part documentation in the terminal.

use std::fmt::Write;

use vibeguard_core::RuleMeta;
use vibeguard_core::rule::{closest, find};

use crate::Outcome;
use crate::registry;

const WIDTH: usize = 92;

/// Prints the documentation of the rule named `code`.
pub fn run(code: &str) -> anyhow::Result<Outcome> {
    let rules = registry::all_rules();
    let Some(rule) = find(&rules, code) else {
        let hint = closest(&rules, code)
            .map(|rule| format!("did you mean {} ({})? ", rule.code, rule.name))
            .unwrap_or_default();
        anyhow::bail!("unknown rule `{code}`; {hint}`vibeguard rules` lists every rule");
    };
    crate::outputs::print_stdout(&render(rule));
    Ok(Outcome::Passed)
}

/// The documentation as terminal text.
pub fn render(rule: &RuleMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {} — {}", rule.code, rule.name, rule.summary);
    let cwe: Vec<String> = rule.cwe.iter().map(|c| format!("CWE-{c}")).collect();
    let checklist: Vec<&str> = rule.checklist.iter().map(|id| id.as_str()).collect();
    let mut facts = vec![
        format!("severity {}", rule.severity),
        format!("confidence {}", rule.confidence),
        format!("engine {}", rule.engine),
    ];
    if !cwe.is_empty() {
        facts.push(cwe.join(", "));
    }
    if !checklist.is_empty() {
        facts.push(format!("checklist {}", checklist.join(", ")));
    }
    if let Some(owasp) = rule.owasp_api {
        facts.push(format!("OWASP {} {}", owasp.id(), owasp.title()));
    }
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    for (title, body) in [
        ("What it finds", &rule.docs.what),
        ("Why it matters", &rule.docs.why),
    ] {
        let _ = writeln!(out, "{title}\n{}\n", wrap(body, WIDTH, "  "));
    }
    let _ = writeln!(out, "Example\n{}\n", indent(&rule.docs.example_bad, "  │ "));
    let _ = writeln!(out, "Fixed\n{}\n", indent(&rule.docs.example_fixed, "  │ "));
    let _ = writeln!(out, "How to fix\n{}\n", wrap(&rule.docs.fix, WIDTH, "  "));
    if !rule.docs.references.is_empty() {
        let _ = writeln!(out, "References");
        for link in rule.docs.references.iter() {
            let _ = writeln!(out, "  - {link}");
        }
    }
    out
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Word-wraps `text` to `width` columns with `prefix` on each line.
fn wrap(text: &str, width: usize, prefix: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && prefix.len() + line.chars().count() + 1 + word.chars().count() > width
        {
            lines.push(format!("{prefix}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{prefix}{line}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_the_width() {
        let text = "word ".repeat(50);
        let wrapped = wrap(&text, 30, "  ");
        assert!(wrapped.lines().all(|l| l.chars().count() <= 30));
        assert_eq!(wrapped.split_whitespace().count(), 50);
    }
}
