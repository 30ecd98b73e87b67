//! The dpkg reader on this machine's own package database, checked against dpkg itself: every
//! installed package, with the source package and source version advisories name, exactly as
//! `dpkg-query` reports them. Skipped (with a note) on a machine without dpkg.

use std::collections::BTreeSet;
use std::process::Command;

use vibeguard_container::packages::dpkg;

#[test]
fn reads_the_hosts_dpkg_database_as_dpkg_query_does() {
    let Ok(status) = std::fs::read_to_string("/var/lib/dpkg/status") else {
        eprintln!("no /var/lib/dpkg/status on this machine: skipped");
        return;
    };
    let Ok(output) = Command::new("dpkg-query")
        .args([
            "-W",
            "-f=${db:Status-Abbrev}\t${Package}\t${source:Package}\t${source:Version}\n",
        ])
        .output()
    else {
        eprintln!("no dpkg-query on this machine: skipped");
        return;
    };
    let expected: BTreeSet<(String, String, String)> = String::from_utf8_lossy(&output.stdout)
        .lines()
        // The second letter of the abbreviation is the state: `i`, installed (`ii`, `hi`).
        .filter(|line| line.as_bytes().get(1) == Some(&b'i'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            // Multi-arch packages are listed once per architecture by dpkg-query.
            Some((
                fields.get(1)?.split(':').next()?.to_string(),
                fields.get(2)?.to_string(),
                fields.get(3)?.to_string(),
            ))
        })
        .collect();
    assert!(!expected.is_empty(), "dpkg-query lists installed packages");
    let found: BTreeSet<(String, String, String)> = dpkg::parse(&status, "var/lib/dpkg/status", 1)
        .into_iter()
        .map(|package| (package.binary, package.name, package.version))
        .collect();
    assert_eq!(found, expected);
}
