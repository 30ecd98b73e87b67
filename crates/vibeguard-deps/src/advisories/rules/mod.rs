//! The advisory rules, one file each. A new rule is a file here plus an entry in [`ALL`]; the
//! test below fails when a file is not registered. Order matters: the first rule that claims a
//! matched advisory group reports it.

pub mod malicious_dependency;
pub mod unmaintained_dependency;
pub mod vulnerable_dependency;

use super::AdvisoryRule;

/// Every advisory rule, in the order they claim matches.
pub static ALL: &[&dyn AdvisoryRule] = &[
    &malicious_dependency::MaliciousDependency,
    &unmaintained_dependency::UnmaintainedDependency,
    &vulnerable_dependency::VulnerableDependency,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_registered_under_its_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/advisories/rules");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("rules folder")
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.ends_with(".rs") && name != "mod.rs")
            .map(|name| name.trim_end_matches(".rs").replace('_', "-"))
            .collect();
        files.sort();
        let mut registered: Vec<String> = ALL
            .iter()
            .map(|rule| rule.meta().name.to_string())
            .collect();
        registered.sort();
        assert_eq!(files, registered, "each rules/<name>.rs must be in ALL");
    }
}
