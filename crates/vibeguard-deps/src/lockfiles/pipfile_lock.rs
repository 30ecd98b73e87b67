//! Pipenv's `Pipfile.lock`: JSON with `default` and `develop` maps of name → `{"version": "==x"}`.

use serde_json::Value;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolver};
use crate::ParseError;

/// Parses a Pipfile.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::from_json(path, &e))?;
    if !value.is_object() {
        return Err(ParseError::new(path, "the top level is not a JSON object"));
    }
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PipfileLock,
        Resolver::ByName { python_names: true },
    );
    for section in ["default", "develop"] {
        let Some(Value::Object(entries)) = value.get(section) else {
            continue;
        };
        for (name, entry) in entries {
            let version = entry
                .get("version")
                .and_then(Value::as_str)
                .map(|v| v.trim_start_matches("==").to_string())
                .unwrap_or_default();
            lockfile.packages.push(LockedPackage {
                name: name.clone(),
                version,
            });
        }
    }
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_default_and_develop() {
        let text = r#"{"_meta": {"hash": {"sha256": "x"}}, "default": {"flask": {"version": "==3.0.2"}}, "develop": {"pytest": {"version": "==8.0.0"}}}"#;
        let lockfile = parse("Pipfile.lock", text).expect("parses");
        let packages: Vec<(&str, &str)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(packages, vec![("flask", "3.0.2"), ("pytest", "8.0.0")]);
        assert!(parse("Pipfile.lock", "[]").is_err());
    }
}
