//! The payload lists that ship with vibeguard, for a step's `for_each: {payloads: …}`: test
//! strings for SQL, NoSQL and OS command injection, path traversal and cross-site scripting,
//! one a line, each file naming its source in its `#` comments. A team's own list is a file of
//! the same shape next to its scenario file.

use std::path::Path;

/// The shipped lists, by the name a scenario uses.
pub const SHIPPED: &[(&str, &str)] = &[
    ("sql", include_str!("../payloads/sql.txt")),
    ("nosql", include_str!("../payloads/nosql.txt")),
    ("command", include_str!("../payloads/command.txt")),
    ("traversal", include_str!("../payloads/traversal.txt")),
    ("xss", include_str!("../payloads/xss.txt")),
];

/// Most values one list gives (a step sends one request per value).
pub const MAX_VALUES: usize = 1_000;

/// The values of a list's text: every line but blank ones and `#` comments, as written.
pub fn values(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The values of the list `name`: a shipped one, else a file relative to `folder` (the
/// scenario file's). The error says which lists exist.
pub fn resolve(name: &str, folder: &Path) -> Result<Vec<String>, String> {
    if let Some((_, text)) = SHIPPED.iter().find(|(shipped, _)| *shipped == name) {
        return Ok(values(text));
    }
    let path = folder.join(name);
    let shipped: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
    let metadata = std::fs::metadata(&path).map_err(|_| {
        format!(
            "payloads `{name}` is neither a shipped list ({}) nor a file next to the scenario file",
            shipped.join(", ")
        )
    })?;
    if metadata.len() > crate::load::MAX_FILE_BYTES {
        return Err(format!(
            "payloads `{name}` is {} bytes; lists are read up to {} bytes",
            metadata.len(),
            crate::load::MAX_FILE_BYTES
        ));
    }
    let text = std::fs::read(&path)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| format!("payloads `{name}` cannot be read as UTF-8 text"))?;
    let list = values(&text);
    if list.len() > MAX_VALUES {
        return Err(format!(
            "payloads `{name}` has {} values; a list is read up to {MAX_VALUES}",
            list.len()
        ));
    }
    if list.is_empty() {
        return Err(format!("payloads `{name}` holds no value"));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_list_names_its_source_and_has_values() {
        for (name, text) in SHIPPED {
            assert!(
                text.lines()
                    .any(|l| l.starts_with('#') && l.contains("Source")),
                "{name} names no source"
            );
            let list = values(text);
            assert!(list.len() >= 8, "{name}: {}", list.len());
            assert!(list.iter().all(|v| !v.starts_with('#')));
        }
        assert!(values(SHIPPED[0].1).contains(&"' OR '1'='1".to_string()));
    }

    #[test]
    fn files_next_to_the_scenario_are_read_and_unknown_names_are_explained() {
        let folder = tempfile::tempdir().expect("tempdir");
        std::fs::write(folder.path().join("ids.txt"), "# mine\n1\n\n2\n").expect("write");
        assert_eq!(
            resolve("ids.txt", folder.path()),
            Ok(vec!["1".into(), "2".into()])
        );
        let error = resolve("sqli", folder.path()).expect_err("unknown");
        assert!(
            error.contains("sql, nosql, command, traversal, xss"),
            "{error}"
        );
        std::fs::write(folder.path().join("empty.txt"), "# none\n").expect("write");
        assert!(resolve("empty.txt", folder.path()).is_err());
    }
}
