//! `vibeguard scenarios init`: a starter suite a team edits, written from the API's description
//! (or the code's routes) and the configured identities — the surface-wide requirements every
//! API has, then one scenario per secured operation. Scenarios that need identities the project
//! does not configure are written commented out, with what to configure. Pure: the operations
//! and names in, the YAML text out.

use std::fmt::Write;

use vibeguard_http::spec::{ApiSpec, Operation, Security};

/// Most per-operation scenarios written (a starter, not an inventory).
const MAX_OPERATIONS: usize = 60;

/// The starter suite's text. `spec` is the surface with what it came from (`openapi.yaml`,
/// "the code's routes"); `identities` the configured identity names, in order.
pub fn starter(spec: Option<(&ApiSpec, &str)>, identities: &[String]) -> String {
    let mut out = String::new();
    let source = spec.map_or(
        "no description (the surface-wide scenarios find the operations when they run)".to_string(),
        |(_, name)| name.to_string(),
    );
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/vibeguard/vibeguard/main/docs/scenario.schema.json"
    );
    let _ = writeln!(
        out,
        "# A starter suite written by `vibeguard scenarios init` from {source}.\n\
         # Edit it: keep what your API must guarantee, fix the expected statuses, add your own.\n\
         # `vibeguard scenarios check` validates it; every key is in docs/scenarios.md."
    );
    let owner = identities.first().map(String::as_str);
    let other = identities.get(1).map(String::as_str);
    let _ = writeln!(out, "scenarios:");
    let _ = writeln!(
        out,
        "  # Surface-wide: one requirement over every operation the filter selects.\n\
         \x20 - name: every secured operation refuses an anonymous caller\n\
         \x20   checklist: [AUTH-01]\n\
         \x20   severity: high\n\
         \x20   for_each_operation: {{secured: true}}\n\
         \x20   steps:\n\
         \x20     - {{as: anonymous, expect: {{status: [401, 403]}}}}\n"
    );
    let hash_scenario = |caller: &str| {
        format!(
            "  - name: no answer shows a password hash, a secret or internals\n\
             \x20   checklist: [DATA-01, API-04]\n\
             \x20   severity: high\n\
             \x20   for_each_operation: {{method: GET, exclude: \"**/logout\"}}\n\
             \x20   steps:\n\
             \x20     - {{as: {caller}, expect: {{free_of: [sensitive_fields, password_hashes, private_keys, internals]}}}}\n"
        )
    };
    let crossing = |owner: &str, other: &str| {
        format!(
            "  - name: {other} gets none of {owner}'s objects\n\
             \x20   checklist: [AUTH-02]\n\
             \x20   severity: critical\n\
             \x20   for_each_operation: {{method: GET, has_path_param: true, objects_of: {owner}}}\n\
             \x20   steps:\n\
             \x20     - {{as: {other}, expect: {{status: [403, 404]}}}}\n"
        )
    };
    match (owner, other) {
        (Some(owner), Some(other)) => {
            out.push_str(&hash_scenario(owner));
            out.push('\n');
            out.push_str(&crossing(owner, other));
        }
        (Some(owner), None) => {
            out.push_str(&hash_scenario(owner));
            out.push('\n');
            out.push_str("  # Configure a second identity under [identities] in vibeguard.toml, then uncomment:\n");
            out.push_str(&commented(&crossing(owner, "bob")));
        }
        _ => {
            out.push_str("  # Configure two identities under [identities] in vibeguard.toml (docs/api.md), then\n  # uncomment and rename:\n");
            out.push_str(&commented(&hash_scenario("alice")));
            out.push_str(&commented(&crossing("alice", "bob")));
        }
    }
    // A query parameter every GET is sent with the SQL list; an identity's, when there is one,
    // so that secured reads answer past their login check.
    let caller = owner.map_or(String::new(), |owner| format!("as: {owner}, "));
    let _ = write!(
        out,
        "\n  # Replace `q` with a parameter your API reads (a search, a filter).\n\
         \x20 - name: errors stay generic under injection\n\
         \x20   checklist: [API-04]\n\
         \x20   for_each_operation: {{method: GET, exclude: \"**/logout\"}}\n\
         \x20   steps:\n\
         \x20     - {{{caller}query: {{q: \"${{payload}}\"}}, for_each: {{var: payload, payloads: sql}}, expect: {{free_of: internals}}}}\n"
    );

    let Some((spec, _)) = spec else {
        return out;
    };
    let secured: Vec<&Operation> = spec
        .operations
        .iter()
        .filter(|op| !op.is_whole_target() && matches!(op.security, Security::Required(_)))
        .collect();
    if secured.is_empty() {
        out.push_str(
            "\n  # The description secures no operation: say which need a login (`security:` in\n  # the description, or [api] require_auth in vibeguard.toml) and write one scenario each.\n",
        );
        return out;
    }
    let _ = writeln!(
        out,
        "\n  # One per secured operation: without a credential it refuses. Set each path's\n  # parameters to an object that exists; a scenario that changes data is destructive."
    );
    for operation in secured.iter().take(MAX_OPERATIONS) {
        out.push_str(&per_operation(operation));
    }
    if secured.len() > MAX_OPERATIONS {
        let _ = writeln!(
            out,
            "  # … and {} more secured operations: the surface-wide scenario above covers them.",
            secured.len() - MAX_OPERATIONS
        );
    }
    out
}

/// One operation's scenario: an anonymous request is refused.
fn per_operation(operation: &Operation) -> String {
    let mut text = format!(
        "  - name: {}\n    checklist: [AUTH-01]\n",
        quoted(&format!(
            "{} refuses an anonymous caller",
            operation.label()
        ))
    );
    if let Some(summary) = operation
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let _ = writeln!(text, "    description: {}", quoted(summary.trim()));
    }
    if operation.method == "DELETE" || operation.is_destructive() {
        text.push_str("    destructive: true\n");
    }
    let params = operation.path_params();
    if !params.is_empty() {
        let vars: Vec<String> = params.iter().map(|p| format!("{p}: \"1\"")).collect();
        let _ = writeln!(text, "    vars: {{{}}}", vars.join(", "));
    }
    let _ = writeln!(
        text,
        "    steps:\n      - {{method: {}, path: {}, expect: {{status: [401, 403]}}}}",
        operation.method,
        quoted(&operation.path)
    );
    text
}

/// A YAML double-quoted scalar (JSON's quoting is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Every line commented out.
fn commented(text: &str) -> String {
    text.lines()
        .map(|line| format!("  # {}\n", line.strip_prefix("  ").unwrap_or(line)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vibeguard_http::spec::SpecFormat;

    fn operation(method: &str, path: &str, security: Security) -> Operation {
        let mut operation = Operation::whole_target();
        operation.method = method.into();
        operation.path = path.into();
        operation.security = security;
        operation
    }

    fn spec() -> ApiSpec {
        let required = || Security::Required(vec!["bearer".into()]);
        ApiSpec {
            format: SpecFormat::Code,
            title: String::new(),
            servers: Vec::new(),
            operations: vec![
                operation("GET", "/api/notes", required()),
                operation("DELETE", "/api/notes/{note_id}", required()),
                operation("GET", "/health", Security::Public),
            ],
            problems: Vec::new(),
        }
    }

    fn loads(text: &str, identities: &[String]) -> usize {
        let (scenarios, errors) = crate::load::parse("starter.yaml", text, identities);
        assert!(errors.is_empty(), "{errors:#?}\n{text}");
        scenarios.len()
    }

    #[test]
    fn the_starter_loads_and_has_one_scenario_per_secured_operation() {
        let names = ["alice".to_string(), "bob".to_string()];
        let text = starter(Some((&spec(), "openapi.yaml")), &names);
        assert_eq!(loads(&text, &names), 4 + 2, "{text}");
        assert!(text.contains("bob gets none of alice's objects"));
        assert!(text.contains("\"DELETE /api/notes/{note_id} refuses an anonymous caller\""));
        assert!(text.contains("destructive: true\n    vars: {note_id: \"1\"}"));
        assert!(!text.contains("GET /health refuses"));
    }

    #[test]
    fn scenarios_that_need_missing_identities_are_commented_out() {
        let none = starter(None, &[]);
        assert_eq!(loads(&none, &[]), 2, "{none}");
        assert!(
            none.contains("# - name: bob gets none of alice's objects\n  #   checklist: [AUTH-02]")
        );
        let one = ["carol".to_string()];
        let text = starter(None, &one);
        assert_eq!(loads(&text, &one), 3, "{text}");
        assert!(text.contains("# - name: bob gets none of carol's objects"));
    }
}
