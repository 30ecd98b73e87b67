//! Composer's `composer.lock`: JSON `packages` and `packages-dev` arrays of `{name, version}`.

use serde_json::Value;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolver};
use crate::ParseError;

/// Parses a composer.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::from_json(path, &e))?;
    if !value.is_object() {
        return Err(ParseError::new(path, "the top level is not a JSON object"));
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::ComposerLock,
        Resolver::ByName {
            python_names: false,
        },
    );
    for section in ["packages", "packages-dev"] {
        for package in value
            .get(section)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(name), Some(version)) = (
                package.get("name").and_then(Value::as_str),
                package.get("version").and_then(Value::as_str),
            ) else {
                continue;
            };
            lockfile.packages.push(LockedPackage {
                name: name.to_string(),
                version: version.trim_start_matches('v').to_string(),
            });
        }
    }
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_and_dev_packages() {
        let text = r#"{"packages": [{"name": "laravel/framework", "version": "v10.48.4"}], "packages-dev": [{"name": "phpunit/phpunit", "version": "10.5.13"}]}"#;
        let lockfile = parse("composer.lock", text).expect("parses");
        let packages: Vec<(&str, &str)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            packages,
            vec![
                ("laravel/framework", "10.48.4"),
                ("phpunit/phpunit", "10.5.13")
            ]
        );
    }
}
