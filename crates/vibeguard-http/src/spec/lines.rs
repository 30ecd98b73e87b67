//! Where each operation is written in the text of an API description: the line of its method
//! key under its path item (`get:` under `/tasks/{id}:`), for code-scanning UIs that show a
//! finding only at a file and line, and for inline suppressions next to it. YAML and JSON alike:
//! the parsed document says which paths and methods exist, and the text is searched for them as
//! keys, in order, after `paths`.

use std::collections::HashMap;

use serde_json::Value;

use super::load::parse_document;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The lines of an API description's operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DescriptionLines {
    /// The line of the `paths` key, for what the description does not list.
    pub paths_line: Option<u32>,
    /// `(METHOD, path)` → the line of the method key.
    operations: HashMap<(String, String), u32>,
    /// path → the line of its path item key.
    path_items: HashMap<String, u32>,
}

impl DescriptionLines {
    /// Reads `text` (YAML or JSON); a text that does not parse gives no lines.
    pub fn find(text: &str) -> DescriptionLines {
        let Ok(document) = parse_document("description", text) else {
            return DescriptionLines::default();
        };
        let Some(paths) = document.get("paths").and_then(Value::as_object) else {
            return DescriptionLines::default();
        };
        let lines = LineStarts::new(text);
        let mut found = DescriptionLines::default();
        let Some(paths_at) = find_key(text, "paths", 0, text.len()) else {
            return found;
        };
        found.paths_line = Some(lines.line(paths_at));
        // Path items in text order: each one's methods lie between it and the next.
        let mut items: Vec<(usize, &String, &Value)> = paths
            .iter()
            .filter_map(|(path, item)| {
                find_key(text, path, paths_at, text.len()).map(|at| (at, path, item))
            })
            .collect();
        items.sort_by_key(|(at, _, _)| *at);
        for (index, (at, path, item)) in items.iter().enumerate() {
            found.path_items.insert((*path).clone(), lines.line(*at));
            let end = items.get(index + 1).map_or(text.len(), |next| next.0);
            for method in METHODS {
                if item.get(*method).is_none() {
                    continue;
                }
                if let Some(method_at) = find_key(text, method, *at + path.len(), end) {
                    found.operations.insert(
                        (method.to_ascii_uppercase(), (*path).clone()),
                        lines.line(method_at),
                    );
                }
            }
        }
        found
    }

    /// The line of an operation: its method key, else its path item.
    pub fn line_of(&self, method: &str, path: &str) -> Option<u32> {
        self.operations
            .get(&(method.to_ascii_uppercase(), path.to_string()))
            .or_else(|| self.path_items.get(path))
            .copied()
    }

    /// Whether anything was found.
    pub fn is_empty(&self) -> bool {
        self.paths_line.is_none()
    }
}

/// The offset of `key` written as a mapping key (`key:`, `'key':`, `"key":`) in
/// `text[from..to]`: at the start of a line or after `{`/`,`, followed by a colon.
fn find_key(text: &str, key: &str, from: usize, to: usize) -> Option<usize> {
    let haystack = text.get(from..to)?;
    let mut search = 0;
    while let Some(found) = haystack[search..].find(key) {
        let at = from + search + found;
        search += found + key.len();
        let before = text[..at].trim_end_matches(['"', '\'']);
        let opened = before.len() < at;
        let before_ok = before
            .trim_end_matches([' ', '\t'])
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, '\n' | '{' | ','))
            && (opened || before.ends_with([' ', '\t', '\n', '{', ',']) || before.is_empty());
        let after = &text[at + key.len()..];
        let after = if opened {
            match after.strip_prefix(['"', '\'']) {
                Some(rest) => rest,
                None => continue,
            }
        } else {
            after
        };
        if before_ok && after.trim_start_matches([' ', '\t']).starts_with(':') {
            return Some(at);
        }
    }
    None
}

struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        LineStarts(starts)
    }

    fn line(&self, at: usize) -> u32 {
        u32::try_from(self.0.partition_point(|start| *start <= at)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_operations_are_found_at_their_method_keys() {
        let text = "openapi: 3.0.3\ninfo:\n  title: get /tasks\n  description: 'paths: /tasks'\npaths:\n  /tasks:\n    get:\n      summary: list\n    post:\n      summary: create\n  '/tasks/{id}':\n    parameters: []\n    delete:\n      responses: {}\n";
        let lines = DescriptionLines::find(text);
        assert_eq!(lines.paths_line, Some(5));
        assert_eq!(lines.line_of("GET", "/tasks"), Some(7));
        assert_eq!(lines.line_of("post", "/tasks"), Some(9));
        assert_eq!(lines.line_of("DELETE", "/tasks/{id}"), Some(13));
        // A method the item does not have: the path item's line.
        assert_eq!(lines.line_of("PUT", "/tasks/{id}"), Some(11));
        assert_eq!(lines.line_of("GET", "/other"), None);
    }

    #[test]
    fn json_operations_are_found_too() {
        let text = "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {\n    \"/users/{id}\": {\n      \"get\": {},\n      \"patch\": {}\n    },\n    \"/users\": { \"post\": {} }\n  }\n}\n";
        let lines = DescriptionLines::find(text);
        assert_eq!(lines.paths_line, Some(3));
        assert_eq!(lines.line_of("GET", "/users/{id}"), Some(5));
        assert_eq!(lines.line_of("PATCH", "/users/{id}"), Some(6));
        assert_eq!(lines.line_of("POST", "/users"), Some(8));
    }

    #[test]
    fn a_broken_description_gives_no_lines() {
        assert!(DescriptionLines::find("paths: [unclosed").is_empty());
        assert!(DescriptionLines::find("\u{0}\u{1}").is_empty());
    }
}
