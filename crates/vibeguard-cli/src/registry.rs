//! Every rule this build of vibeguard knows, from every engine.

use vibeguard_core::RuleMeta;
use vibeguard_core::suppression::{MALFORMED_SUPPRESSION, SUPPRESSION_WITHOUT_REASON};

/// All rules, in code order.
pub fn all_rules() -> Vec<RuleMeta> {
    let mut rules = vec![
        SUPPRESSION_WITHOUT_REASON.clone(),
        MALFORMED_SUPPRESSION.clone(),
    ];
    rules.extend(vibeguard_deps::hygiene::rule_metas());
    rules.extend(vibeguard_deps::advisories::rule_metas());
    rules.extend(vibeguard_secrets::rule_metas());
    rules.extend(vibeguard_code::rule_metas());
    rules.extend(vibeguard_api::engine::rule_metas());
    rules.extend(vibeguard_scenarios::rule_metas());
    rules.extend(vibeguard_container::rule_metas());
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let rules = all_rules();
        let mut codes: Vec<&str> = rules.iter().map(|r| r.code.as_ref()).collect();
        let mut names: Vec<&str> = rules.iter().map(|r| r.name.as_ref()).collect();
        codes.dedup();
        names.sort();
        names.dedup();
        assert_eq!(codes.len(), rules.len(), "a rule code is used twice");
        assert_eq!(names.len(), rules.len(), "a rule name is used twice");
        for rule in &rules {
            assert!(
                rule.code.len() == 5 && rule.code.starts_with("VG"),
                "{}",
                rule.code
            );
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
            for part in [
                &rule.docs.what,
                &rule.docs.why,
                &rule.docs.example_bad,
                &rule.docs.example_fixed,
                &rule.docs.fix,
            ] {
                assert!(
                    !part.trim().is_empty(),
                    "{} has an empty docs section",
                    rule.code
                );
            }
        }
    }
}
