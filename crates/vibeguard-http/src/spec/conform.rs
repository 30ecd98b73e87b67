//! Whether a JSON value conforms to a description's schema: types (with `nullable`), `enum`,
//! `const`, numeric bounds, string lengths and `pattern`, array lengths and items, required and
//! declared properties, `oneOf`/`anyOf` alternatives. Each violation is said with its JSON
//! pointer ("`/id`: expected an integer, got a string"). Bounded: at most [`MAX_VIOLATIONS`]
//! said and [`MAX_DEPTH`] levels walked.

use serde_json::Value;

use super::Operation;
use super::schema::{Schema, SchemaType};

/// The JSON schema the description gives for `operation`'s answers of `status`: that status's,
/// else its class's (`2XX`), else `default`'s.
pub fn response_schema(operation: &Operation, status: u16) -> Option<&Schema> {
    let exact = status.to_string();
    let class = format!("{}XX", status / 100);
    [exact.as_str(), class.as_str(), "default"]
        .iter()
        .find_map(|wanted| {
            operation
                .responses
                .iter()
                .find(|r| r.status.eq_ignore_ascii_case(wanted))
        })
        .and_then(|response| response.schema.as_ref())
}

/// Most violations reported for one value.
pub const MAX_VIOLATIONS: usize = 20;
/// Deepest level of a value checked.
pub const MAX_DEPTH: usize = 64;

/// The ways `value` breaks `schema`; empty when it conforms.
pub fn violations(value: &Value, schema: &Schema) -> Vec<String> {
    let mut found = Vec::new();
    walk(value, schema, "", 0, &mut found);
    found.truncate(MAX_VIOLATIONS);
    found
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn has_type(value: &Value, kind: SchemaType) -> bool {
    match (kind, value) {
        (SchemaType::Null, Value::Null)
        | (SchemaType::Boolean, Value::Bool(_))
        | (SchemaType::String, Value::String(_))
        | (SchemaType::Array, Value::Array(_))
        | (SchemaType::Object, Value::Object(_))
        | (SchemaType::Number, Value::Number(_)) => true,
        (SchemaType::Integer, Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn name(kind: SchemaType) -> &'static str {
    match kind {
        SchemaType::String => "a string",
        SchemaType::Integer => "an integer",
        SchemaType::Number => "a number",
        SchemaType::Boolean => "a boolean",
        SchemaType::Array => "an array",
        SchemaType::Object => "an object",
        SchemaType::Null => "null",
    }
}

fn walk(value: &Value, schema: &Schema, at: &str, depth: usize, found: &mut Vec<String>) {
    if depth > MAX_DEPTH || found.len() >= MAX_VIOLATIONS {
        return;
    }
    let place = if at.is_empty() { "/" } else { at };
    if !schema.alternatives.is_empty() {
        let fits = schema.alternatives.iter().any(|alternative| {
            let mut inner = Vec::new();
            walk(value, alternative, at, depth + 1, &mut inner);
            inner.is_empty()
        });
        if !fits {
            found.push(format!(
                "`{place}`: matches none of the schema's alternatives"
            ));
        }
    }
    if !schema.types.is_empty() && !schema.types.iter().any(|kind| has_type(value, *kind)) {
        let expected: Vec<&str> = schema.types.iter().map(|kind| name(*kind)).collect();
        found.push(format!(
            "`{place}`: expected {}, got {}",
            expected.join(" or "),
            type_of(value)
        ));
        return;
    }
    if value.is_null() {
        return;
    }
    if !schema.enum_values.is_empty() && !schema.enum_values.contains(value) {
        found.push(format!(
            "`{place}`: {value} is not one of the schema's values"
        ));
    }
    if let Some(constant) = &schema.const_value
        && constant != value
    {
        found.push(format!("`{place}`: expected {constant}, got {value}"));
    }
    match value {
        Value::Number(number) => {
            let Some(n) = number.as_f64() else { return };
            if let Some(min) = schema.minimum
                && (n < min || (schema.exclusive_minimum && n == min))
            {
                found.push(format!("`{place}`: {n} is below the minimum {min}"));
            }
            if let Some(max) = schema.maximum
                && (n > max || (schema.exclusive_maximum && n == max))
            {
                found.push(format!("`{place}`: {n} is above the maximum {max}"));
            }
        }
        Value::String(text) => {
            let length = text.chars().count() as u64;
            if schema.min_length.is_some_and(|min| length < min) {
                found.push(format!("`{place}`: shorter than the schema's minLength"));
            }
            if schema.max_length.is_some_and(|max| length > max) {
                found.push(format!("`{place}`: longer than the schema's maxLength"));
            }
            if let Some(pattern) = &schema.pattern
                && let Ok(regex) = regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .build()
                && !regex.is_match(text)
            {
                found.push(format!("`{place}`: does not match the pattern `{pattern}`"));
            }
        }
        Value::Array(items) => {
            let length = items.len() as u64;
            if schema.min_items.is_some_and(|min| length < min) {
                found.push(format!("`{place}`: fewer items than the schema's minItems"));
            }
            if schema.max_items.is_some_and(|max| length > max) {
                found.push(format!("`{place}`: more items than the schema's maxItems"));
            }
            if let Some(item_schema) = &schema.items {
                for (index, item) in items.iter().enumerate().take(1_000) {
                    walk(
                        item,
                        item_schema,
                        &format!("{at}/{index}"),
                        depth + 1,
                        found,
                    );
                }
            }
        }
        Value::Object(map) => {
            for required in &schema.required {
                if !map.contains_key(required) {
                    found.push(format!("`{at}/{required}`: required, and absent"));
                }
            }
            for (key, property) in &schema.properties {
                if let Some(child) = map.get(key) {
                    walk(child, property, &format!("{at}/{key}"), depth + 1, found);
                }
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        let integer = Schema {
            types: vec![SchemaType::Integer],
            minimum: Some(1.0),
            ..Schema::default()
        };
        let role = Schema {
            types: vec![SchemaType::String],
            enum_values: vec![json!("user"), json!("admin")],
            ..Schema::default()
        };
        let email = Schema {
            types: vec![SchemaType::String, SchemaType::Null],
            pattern: Some("@".into()),
            ..Schema::default()
        };
        Schema {
            types: vec![SchemaType::Object],
            properties: vec![
                ("id".into(), integer),
                ("role".into(), role),
                ("email".into(), email),
            ],
            required: vec!["id".into(), "role".into()],
            ..Schema::default()
        }
    }

    #[test]
    fn conforming_values_have_no_violation() {
        assert!(
            violations(&json!({"id": 3, "role": "admin", "email": null}), &schema()).is_empty()
        );
        assert!(
            violations(
                &json!({"id": 3.0, "role": "user", "email": "a@b", "extra": 1}),
                &schema()
            )
            .is_empty()
        );
    }

    #[test]
    fn each_violation_is_said_with_its_place() {
        let found = violations(
            &json!({"id": "3", "role": "root", "email": "nope"}),
            &schema(),
        );
        assert_eq!(
            found,
            [
                "`/id`: expected an integer, got a string",
                "`/role`: \"root\" is not one of the schema's values",
                "`/email`: does not match the pattern `@`",
            ]
        );
        let found = violations(&json!({"id": 0}), &schema());
        assert!(
            found.contains(&"`/role`: required, and absent".to_string()),
            "{found:?}"
        );
        assert!(
            found.iter().any(|f| f.contains("below the minimum")),
            "{found:?}"
        );
        let list = Schema {
            types: vec![SchemaType::Array],
            items: Some(Box::new(schema())),
            max_items: Some(1),
            ..Schema::default()
        };
        let found = violations(&json!([{"id": 1, "role": "user"}, {"id": 2}]), &list);
        assert!(found.iter().any(|f| f.contains("more items")), "{found:?}");
        assert!(
            found.iter().any(|f| f == "`/1/role`: required, and absent"),
            "{found:?}"
        );
        assert_eq!(
            violations(&json!("x"), &schema()),
            ["`/`: expected an object, got a string"]
        );
    }
}
