//! Pipenv's `Pipfile.lock`: JSON with `default` (production) and `develop` (development) maps
//! of name → `{"version": "==x", "hashes": [...]}`; `git`, `path` and `file` entries are not
//! from the index. The lockfile flattens the graph: which of its packages are direct is said
//! by the Pipfile.

use serde_json::Value;

use super::{LockedPackage, Lockfile, LockfileFormat, Resolver};
use crate::ParseError;
use crate::text_position::{JsonMemberSpans, LineIndex};

/// Parses a Pipfile.lock.
pub fn parse(path: &str, text: &str) -> Result<Lockfile, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::from_json(path, &e))?;
    if !value.is_object() {
        return Err(ParseError::new(path, "the top level is not a JSON object"));
    }
    let spans = JsonMemberSpans::locate(text, 2);
    let lines = LineIndex::new(text);
    let mut lockfile = Lockfile::new(
        path,
        LockfileFormat::PipfileLock,
        Resolver::ByName { python_names: true },
    );
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(Value::Object(entries)) = value.get(section) else {
            continue;
        };
        for (name, entry) in entries {
            let version = entry
                .get("version")
                .and_then(Value::as_str)
                .map(|v| v.trim_start_matches("==").to_string())
                .unwrap_or_default();
            let line = spans
                .get(&[section, name])
                .map(|(start, _)| lines.position(start).0);
            let mut locked = LockedPackage::new(name, version)
                .dev(Some(dev))
                .at_line(line);
            if ["git", "path", "file", "editable"]
                .iter()
                .any(|key| entry.get(*key).is_some())
            {
                locked = locked.not_registry();
            }
            lockfile.packages.push(locked);
        }
    }
    Ok(lockfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_default_and_develop() {
        let text = r#"{"_meta": {"hash": {"sha256": "x"}},
"default": {"flask": {"version": "==3.0.2"}, "mylib": {"git": "https://example.com/x.git", "ref": "abc"}},
"develop": {"pytest": {"version": "==8.0.0"}}}"#;
        let lockfile = parse("Pipfile.lock", text).expect("parses");
        let packages: Vec<String> = lockfile
            .packages
            .iter()
            .map(|p| {
                format!(
                    "{} {} {:?} {} {:?}",
                    p.name, p.version, p.dev, p.registry, p.line
                )
            })
            .collect();
        assert_eq!(
            packages,
            vec![
                "flask 3.0.2 Some(false) true Some(2)",
                "mylib  Some(false) false Some(2)",
                "pytest 8.0.0 Some(true) true Some(3)",
            ]
        );
        assert!(parse("Pipfile.lock", "[]").is_err());
    }
}
