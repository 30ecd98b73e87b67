//! The secrets rules, one file each with its documentation. What they find comes from one
//! detection pipeline (`scan.rs`); the rules decide how a hit is reported: VG201 for a provider
//! format, VG202 for the generic detector, VG203 for what only the history still holds; VG204
//! judges the password hashes the same files hold, with core's `password_hash` classifier.

pub mod generic_secret;
pub mod hardcoded_credential;
pub mod secret_in_history;
pub mod weak_stored_password_hash;

use vibeguard_core::RuleMeta;

/// Every secrets rule, in code order.
pub static ALL: &[&RuleMeta] = &[
    &hardcoded_credential::META,
    &generic_secret::META,
    &secret_in_history::META,
    &weak_stored_password_hash::META,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_registered_under_its_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("rules folder")
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.ends_with(".rs") && name != "mod.rs")
            .map(|name| name.trim_end_matches(".rs").replace('_', "-"))
            .collect();
        files.sort();
        let mut registered: Vec<String> = ALL.iter().map(|rule| rule.name.to_string()).collect();
        registered.sort();
        assert_eq!(files, registered, "each rules/<name>.rs must be in ALL");
    }
}
