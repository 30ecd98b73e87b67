//! Values in scenario texts: `${name}` (a capture, a variable or an environment value) with an
//! optional default (`${name:-fallback}`), `$$` for a literal `$`, and in paths `{name}` too,
//! percent-encoded as a path segment. And where a value is in a JSON body: a JSON pointer
//! (`/data/0/id`) or the simple JSONPath teams write (`$.data[0].id`).

/// Replaces every `${name}` and `${name:-default}` in `text` with what `lookup` gives; a name
/// with no value and no default is an error naming it.
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let Some(inner) = after.strip_prefix('{') else {
            out.push('$');
            rest = after;
            continue;
        };
        let Some(end) = inner.find('}') else {
            return Err(format!("`${{` without its closing `}}` in `{text}`"));
        };
        let expression = &inner[..end];
        let (name, default) = match expression.split_once(":-") {
            Some((name, default)) => (name.trim(), Some(default)),
            None => (expression.trim(), None),
        };
        if !is_name(name) {
            return Err(format!(
                "`${{{expression}}}` names no variable (letters, digits, `_`, `-` and `.`)"
            ));
        }
        match lookup(name).or_else(|| default.map(str::to_string)) {
            Some(value) => out.push_str(&value),
            None => {
                return Err(format!(
                    "`${{{name}}}` has no value: no capture, variable or environment value of that name (give a default with `${{{name}:-…}}`)"
                ));
            }
        }
        rest = &inner[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A path with its `{name}` segments (and `${name}` anywhere) filled, the segment values
/// percent-encoded.
pub fn fill_path(path: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('{') {
        let (before, from) = rest.split_at(at);
        // `${…}` is the general form, left for `interpolate`.
        if before.ends_with('$') {
            let end = from.find('}').map_or(from.len(), |end| end + 1);
            out.push_str(before);
            out.push_str(&from[..end]);
            rest = &from[end..];
            continue;
        }
        let Some(end) = from.find('}') else {
            return Err(format!("`{{` without its closing `}}` in `{path}`"));
        };
        let name = from[1..end].trim();
        let value = lookup(name).ok_or_else(|| {
            format!("`{{{name}}}` in the path has no value: no capture or variable of that name")
        })?;
        out.push_str(before);
        out.push_str(&vibeguard_http::body::encode_segment(&value));
        rest = &from[end + 1..];
    }
    out.push_str(rest);
    interpolate(&out, lookup)
}

/// The names a text refers to (`${name}`, and `{name}` when `path`), in order.
pub fn names_used(text: &str, path: bool) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        let dollar = rest[..at].ends_with('$') && !rest[..at].ends_with("$$");
        let from = &rest[at + 1..];
        let Some(end) = from.find('}') else { break };
        if dollar || path {
            let expression = &from[..end];
            let has_default = expression.contains(":-");
            let name = expression.split(":-").next().unwrap_or("").trim();
            if is_name(name) && !has_default {
                names.push(name.to_string());
            }
        }
        rest = &from[end + 1..];
    }
    names
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A JSON pointer for a pointer (`/a/0`) or a simple JSONPath (`$`, `$.a.b`, `$.a[0].b`,
/// `$['a b']`); an error for what is neither (filters, wildcards, recursion).
pub fn json_pointer(path: &str) -> Result<String, String> {
    let path = path.trim();
    if path.is_empty() || path.starts_with('/') {
        return Ok(path.to_string());
    }
    let Some(mut rest) = path.strip_prefix('$') else {
        return Err(format!(
            "`{path}` is neither a JSON pointer (`/data/id`) nor a JSONPath (`$.data.id`)"
        ));
    };
    let mut pointer = String::new();
    let escape = |token: &str| token.replace('~', "~0").replace('/', "~1");
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix('.') {
            let end = tail.find(['.', '[']).unwrap_or(tail.len());
            let key = &tail[..end];
            if key.is_empty() || key == "*" || tail.starts_with('.') {
                return Err(unsupported(path));
            }
            pointer.push('/');
            pointer.push_str(&escape(key));
            rest = &tail[end..];
        } else if let Some(tail) = rest.strip_prefix('[') {
            let end = tail.find(']').ok_or_else(|| unsupported(path))?;
            let inside = tail[..end].trim();
            let key = if let Some(quoted) = inside
                .strip_prefix('\'')
                .and_then(|q| q.strip_suffix('\''))
                .or_else(|| inside.strip_prefix('"').and_then(|q| q.strip_suffix('"')))
            {
                quoted.to_string()
            } else if !inside.is_empty() && inside.chars().all(|c| c.is_ascii_digit()) {
                inside.to_string()
            } else {
                return Err(unsupported(path));
            };
            pointer.push('/');
            pointer.push_str(&escape(&key));
            rest = &tail[end + 1..];
        } else {
            return Err(unsupported(path));
        }
    }
    Ok(pointer)
}

fn unsupported(path: &str) -> String {
    format!(
        "`{path}`: only simple JSONPath is read (`$.a.b`, `$.items[0].id`, `$['a b']`); filters, wildcards and `..` are not — use a JSON pointer or name one value"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "id" => Some("7".into()),
            "title" => Some("a/b c".into()),
            _ => None,
        }
    }

    #[test]
    fn values_defaults_and_literal_dollars_are_filled() {
        assert_eq!(interpolate("x ${id} y", &vars).expect("a value"), "x 7 y");
        assert_eq!(interpolate("${missing:-d}", &vars).expect("a value"), "d");
        assert_eq!(
            interpolate("$$HOME ${id}$", &vars).expect("a value"),
            "$HOME 7$"
        );
        let error = interpolate("${missing}", &vars).expect_err("an error");
        assert!(error.contains("`${missing}` has no value"), "{error}");
        assert!(interpolate("${id", &vars).is_err());
        assert!(interpolate("${a b}", &vars).is_err());
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(
            fill_path("/notes/{id}/t/{title}?x=${id}", &vars).expect("a value"),
            "/notes/7/t/a%2Fb%20c?x=7"
        );
        assert!(fill_path("/notes/{nope}", &vars).is_err());
        assert_eq!(
            names_used("/n/{id}/${title}/${x:-1}", true),
            ["id", "title"]
        );
        assert_eq!(names_used("{\"a\": 1} ${id}", false), ["id"]);
    }

    #[test]
    fn json_paths_become_pointers() {
        assert_eq!(json_pointer("/a/0").expect("a value"), "/a/0");
        assert_eq!(json_pointer("$").expect("a value"), "");
        assert_eq!(json_pointer("$.data.id").expect("a value"), "/data/id");
        assert_eq!(
            json_pointer("$.items[0].id").expect("a value"),
            "/items/0/id"
        );
        assert_eq!(json_pointer("$['a/b'][\"c\"]").expect("a value"), "/a~1b/c");
        for bad in ["$..id", "$.items[*]", "$.a[?(@.x)]", "data.id", "$.a[0"] {
            assert!(json_pointer(bad).is_err(), "{bad}");
        }
    }
}
