//! Small imitations of a shell and of an expression-evaluating template engine, for the
//! vulnerable demo's command and template injection. They behave like the real thing for the
//! payloads attackers (and vibeguard) send — separators, command substitution, `echo`, `sleep`,
//! `$(( ))` arithmetic, `{{ a*b }}` — without the demo ever starting a process or evaluating
//! code.

use std::time::Duration;

/// The longest `sleep` the imitation honours, so that the demo stays responsive.
const MAX_SLEEP: Duration = Duration::from_secs(3);

/// Runs a command line: returns what it printed and how long it slept.
pub fn shell(line: &str) -> (String, Duration) {
    let mut slept = Duration::ZERO;
    let expanded = substitute(&arithmetic(line), &mut slept, 0);
    let mut output = String::new();
    for command in split_commands(&expanded) {
        output.push_str(&run_command(command, &mut slept));
    }
    (output, slept.min(MAX_SLEEP))
}

/// `$(( a*b ))`, `$(( a+b ))` replaced by their value.
fn arithmetic(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("$((") {
        let Some(length) = rest[start..].find("))") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &rest[start + 3..start + length];
        out.push_str(&evaluate(inner).map_or_else(String::new, |v| v.to_string()));
        rest = &rest[start + length + 2..];
    }
    out.push_str(rest);
    out
}

/// Integer `a*b`, `a+b`, `a-b` or a plain integer.
fn evaluate(expression: &str) -> Option<i64> {
    let expression = expression.trim();
    for (operator, apply) in [
        ('*', i64::checked_mul as fn(i64, i64) -> Option<i64>),
        ('+', i64::checked_add),
        ('-', i64::checked_sub),
    ] {
        if let Some((left, right)) = expression.split_once(operator) {
            return apply(left.trim().parse().ok()?, right.trim().parse().ok()?);
        }
    }
    expression.parse().ok()
}

/// `$( … )` and backticks replaced by what their command prints.
fn substitute(line: &str, slept: &mut Duration, depth: usize) -> String {
    if depth > 3 {
        return line.to_string();
    }
    let mut text = line.to_string();
    for (open, close) in [("$(", ")"), ("`", "`")] {
        while let Some(start) = text.find(open) {
            let after = start + open.len();
            let Some(length) = text[after..].find(close) else {
                break;
            };
            let inner = text[after..after + length].to_string();
            let printed: String = split_commands(&substitute(&inner, slept, depth + 1))
                .into_iter()
                .map(|command| run_command(command, slept))
                .collect();
            text.replace_range(start..after + length + close.len(), printed.trim_end());
        }
    }
    text
}

/// Commands of a line: `;`, newlines, `&&`, `||` and `|` separate them.
fn split_commands(line: &str) -> Vec<&str> {
    line.split([';', '\n', '|', '&'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

fn run_command(command: &str, slept: &mut Duration) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.first() {
        Some(&"echo") => {
            let text = words[1..].join(" ");
            format!("{}\n", text.trim_matches(['\'', '"']))
        }
        Some(&"sleep") => {
            let seconds: f64 = words
                .get(1)
                .and_then(|s| s.trim_matches(['\'', '"']).parse().ok())
                .unwrap_or(0.0);
            if seconds.is_finite() && seconds > 0.0 {
                *slept += Duration::from_secs_f64(seconds.min(MAX_SLEEP.as_secs_f64()));
            }
            String::new()
        }
        _ => String::new(),
    }
}

/// The time a backtracking regex engine spends on `^([a-zA-Z0-9]+)*@[a-z]+\.[a-z]+$` (the
/// nested quantifier assistants copy for e-mail checks) for `text`: a valid address is quick, but
/// a long run of letters that then fails to match makes the engine try every way of splitting
/// the run — 2^n steps for n letters. Counted, not run: 50,000 steps to the millisecond, at
/// most 3 seconds.
pub fn nested_quantifier_time(text: &str) -> Duration {
    let run = text.chars().take_while(char::is_ascii_alphanumeric).count();
    let rest = &text[run..];
    let matches = rest.strip_prefix('@').is_some_and(|domain| {
        domain.split_once('.').is_some_and(|(name, tld)| {
            !name.is_empty()
                && !tld.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase())
                && tld.chars().all(|c| c.is_ascii_lowercase())
        })
    });
    if matches || run < 2 {
        return Duration::ZERO;
    }
    let steps = 1u64 << run.min(40);
    Duration::from_micros(steps / 50).min(MAX_SLEEP)
}

/// Renders `{{ expression }}`: a variable's value, or integer arithmetic.
pub fn render_template(template: &str, variables: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(length) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = rest[start + 2..start + length].trim();
        if let Some((_, value)) = variables.iter().find(|(name, _)| *name == inner) {
            out.push_str(value);
        } else if let Some(value) = evaluate(inner) {
            out.push_str(&value.to_string());
        }
        rest = &rest[start + length + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_runs_what_injection_payloads_ask() {
        assert_eq!(shell("csvexport --out a.csv").0, "");
        assert_eq!(
            shell("csvexport --out a.csv;echo vgc$((37*41))x;").0,
            "vgc1517x\n"
        );
        assert_eq!(shell("csvexport --out a.csv|echo hi").0, "hi\n");
        assert_eq!(shell("csvexport --out a$(echo vg$((2*3))x)").0, "");
        assert_eq!(shell("x `sleep 1`").1, Duration::from_secs(1));
        assert_eq!(shell("x;sleep 0.5;").1, Duration::from_millis(500));
        assert_eq!(shell("x;sleep 100").1, MAX_SLEEP);
    }

    #[test]
    fn the_nested_quantifier_explodes_on_long_failing_runs() {
        assert_eq!(nested_quantifier_time("alice@example.com"), Duration::ZERO);
        let short = nested_quantifier_time("aaaaaaaaaaaaaaaa!");
        let long = nested_quantifier_time("aaaaaaaaaaaaaaaaaaaaaaaa!");
        assert!(long > short * 200, "{short:?} {long:?}");
        assert_eq!(nested_quantifier_time(&"a".repeat(60)), MAX_SLEEP);
    }

    #[test]
    fn the_template_engine_evaluates_expressions() {
        let vars = [("title", "Buy milk")];
        assert_eq!(render_template("Due: {{title}}", &vars), "Due: Buy milk");
        assert_eq!(render_template("vgt{{37*41}}x", &vars), "vgt1517x");
        assert_eq!(render_template("{{unknown}}!", &vars), "!");
    }
}
