//! Composer's `composer.lock`: `packages` (production) and `packages-dev` (development) arrays
//! of `{name, version, source, dist, require}`. Platform requirements (`php`, `ext-*`,
//! `lib-*`, `composer-*`) are not packages. Versions drop the `v` tag prefix Composer keeps.

use serde_json::Value;

use super::{LineCursor, LockedPackage, Lockfile, LockfileFormat, NameIndex, Resolver};
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
    let mut lines = LineCursor::new(text);
    let mut requires: Vec<Vec<String>> = Vec::new();
    for (section, dev) in [("packages", false), ("packages-dev", true)] {
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
            let line = lines
                .find(&format!("\"name\": \"{}\"", name.replace('/', "\\/")))
                .or_else(|| lines.find(&format!("\"name\": \"{name}\"")));
            let mut locked =
                LockedPackage::new(name.to_ascii_lowercase(), version.trim_start_matches('v'))
                    .dev(Some(dev))
                    .at_line(line);
            // Branches (`dev-main`) are moving code, not a release with advisories.
            if version.starts_with("dev-") || version.ends_with("-dev") {
                locked = locked.not_registry();
            }
            lockfile.packages.push(locked);
            requires.push(
                package
                    .get("require")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(name, _)| name.to_ascii_lowercase())
                    .filter(|name| name.contains('/'))
                    .collect(),
            );
        }
    }
    let names = NameIndex::new(&lockfile.packages, super::exact_name);
    let edges: Vec<Vec<usize>> = requires
        .iter()
        .map(|names_required| {
            names_required
                .iter()
                .filter_map(|name| names.find(&lockfile.packages, name, None))
                .collect()
        })
        .collect();
    for (package, dependencies) in lockfile.packages.iter_mut().zip(edges) {
        package.dependencies = dependencies;
    }
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_and_dev_packages() {
        let text = r#"{
    "packages": [
        {
            "name": "laravel/framework",
            "version": "v10.48.4",
            "require": {"php": "^8.1", "symfony/console": "^6.2"}
        },
        {
            "name": "symfony/console",
            "version": "v6.4.4",
            "authors": [{"name": "Fabien Potencier"}]
        }
    ],
    "packages-dev": [
        {"name": "phpunit/phpunit", "version": "10.5.13"}
    ]
}"#;
        let lockfile = parse("composer.lock", text).expect("parses");
        let packages: Vec<(&str, &str, Option<bool>, Option<u32>)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.dev, p.line))
            .collect();
        assert_eq!(
            packages,
            vec![
                ("laravel/framework", "10.48.4", Some(false), Some(4)),
                ("symfony/console", "6.4.4", Some(false), Some(9)),
                ("phpunit/phpunit", "10.5.13", Some(true), Some(15)),
            ]
        );
        assert_eq!(lockfile.packages[0].dependencies, vec![1]);
        assert!(parse("composer.lock", "[]").is_err());
    }
}
