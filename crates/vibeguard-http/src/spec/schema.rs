//! The part of JSON Schema that request synthesis and response checks need, read tolerantly
//! from OpenAPI 3.0 (`nullable`, boolean exclusive bounds), 3.1 (type arrays, numeric exclusive
//! bounds) and Swagger 2.0 schemas. `allOf` is merged, `oneOf`/`anyOf` keep their alternatives.

use serde_json::Value;

/// A JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaType {
    /// `string`.
    String,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// `array`.
    Array,
    /// `object`.
    Object,
    /// `null`.
    Null,
}

impl SchemaType {
    fn parse(name: &str) -> Option<SchemaType> {
        Some(match name {
            "string" => SchemaType::String,
            "integer" => SchemaType::Integer,
            "number" => SchemaType::Number,
            "boolean" => SchemaType::Boolean,
            "array" => SchemaType::Array,
            "object" => SchemaType::Object,
            "null" => SchemaType::Null,
            // Swagger 2.0 form parameters.
            "file" => SchemaType::String,
            _ => return None,
        })
    }
}

/// A schema, after `$ref` resolution.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// Allowed types (empty: any).
    pub types: Vec<SchemaType>,
    /// `format` (email, uuid, date-time, int64, binary, …).
    pub format: Option<String>,
    /// `enum` values.
    pub enum_values: Vec<Value>,
    /// `const`.
    pub const_value: Option<Value>,
    /// `default`.
    pub default: Option<Value>,
    /// `example`, or the first of `examples`.
    pub example: Option<Value>,
    /// Inclusive lower bound.
    pub minimum: Option<f64>,
    /// Inclusive upper bound.
    pub maximum: Option<f64>,
    /// Whether the lower bound itself is excluded.
    pub exclusive_minimum: bool,
    /// Whether the upper bound itself is excluded.
    pub exclusive_maximum: bool,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern` (ECMA 262 regex).
    pub pattern: Option<String>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// Array items.
    pub items: Option<Box<Schema>>,
    /// Object properties, in declaration order.
    pub properties: Vec<(String, Schema)>,
    /// Required property names.
    pub required: Vec<String>,
    /// `readOnly`: sent by the server, never by the client.
    pub read_only: bool,
    /// `writeOnly`: sent by the client, never returned.
    pub write_only: bool,
    /// `oneOf`/`anyOf` alternatives.
    pub alternatives: Vec<Schema>,
}

impl Schema {
    /// Whether `null` is allowed.
    pub fn nullable(&self) -> bool {
        self.types.contains(&SchemaType::Null)
    }

    /// The first non-null type, if any is declared.
    pub fn main_type(&self) -> Option<SchemaType> {
        self.types
            .iter()
            .copied()
            .find(|t| *t != SchemaType::Null)
            .or_else(|| {
                if !self.properties.is_empty() {
                    Some(SchemaType::Object)
                } else if self.items.is_some() {
                    Some(SchemaType::Array)
                } else {
                    None
                }
            })
    }

    /// A property's schema.
    pub fn property(&self, name: &str) -> Option<&Schema> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }
}

/// How `$ref`s are followed while reading schemas: the reader gives the target of a reference
/// (already loaded), or `None` when it cannot be resolved.
pub trait RefResolver {
    /// The value a `$ref` points to, and a key identifying it (for cycle detection).
    fn resolve(&self, reference: &str) -> Option<(String, Value)>;
}

/// Reads schemas, following `$ref`s with cycle and depth limits.
pub struct SchemaReader<'a> {
    resolver: &'a dyn RefResolver,
    stack: Vec<String>,
}

impl std::fmt::Debug for SchemaReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaReader")
            .field("stack", &self.stack)
            .finish_non_exhaustive()
    }
}

/// Schemas nested deeper than this are cut (a hostile spec could nest without end).
const MAX_DEPTH: usize = 24;

impl<'a> SchemaReader<'a> {
    /// A reader over `resolver`.
    pub fn new(resolver: &'a dyn RefResolver) -> Self {
        SchemaReader {
            resolver,
            stack: Vec::new(),
        }
    }

    /// Reads a schema value.
    pub fn read(&mut self, value: &Value) -> Schema {
        if self.stack.len() > MAX_DEPTH {
            return Schema::default();
        }
        let Some(object) = value.as_object() else {
            return Schema::default();
        };
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            // A reference cycle (a tree node referring to itself) ends in an open schema.
            let Some((key, target)) = self.resolver.resolve(reference) else {
                return Schema::default();
            };
            if self.stack.contains(&key) {
                return Schema {
                    types: vec![SchemaType::Object],
                    ..Schema::default()
                };
            }
            self.stack.push(key);
            let schema = self.read(&target);
            self.stack.pop();
            return schema;
        }
        self.stack.push(String::new());
        let mut schema = Schema::default();
        match object.get("type") {
            Some(Value::String(name)) => schema.types.extend(SchemaType::parse(name)),
            Some(Value::Array(names)) => schema.types.extend(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(SchemaType::parse),
            ),
            _ => {}
        }
        if object.get("nullable").and_then(Value::as_bool) == Some(true)
            || object.get("x-nullable").and_then(Value::as_bool) == Some(true)
        {
            schema.types.push(SchemaType::Null);
        }
        schema.format = object
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string);
        schema.enum_values = object
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        schema.const_value = object.get("const").cloned();
        schema.default = object.get("default").cloned();
        schema.example = object.get("example").cloned().or_else(|| {
            object
                .get("examples")
                .and_then(Value::as_array)
                .and_then(|e| e.first().cloned())
        });
        schema.minimum = object.get("minimum").and_then(Value::as_f64);
        schema.maximum = object.get("maximum").and_then(Value::as_f64);
        match object.get("exclusiveMinimum") {
            Some(Value::Bool(flag)) => schema.exclusive_minimum = *flag,
            Some(Value::Number(n)) => {
                schema.minimum = n.as_f64();
                schema.exclusive_minimum = true;
            }
            _ => {}
        }
        match object.get("exclusiveMaximum") {
            Some(Value::Bool(flag)) => schema.exclusive_maximum = *flag,
            Some(Value::Number(n)) => {
                schema.maximum = n.as_f64();
                schema.exclusive_maximum = true;
            }
            _ => {}
        }
        schema.min_length = object.get("minLength").and_then(Value::as_u64);
        schema.max_length = object.get("maxLength").and_then(Value::as_u64);
        schema.pattern = object
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_string);
        schema.min_items = object.get("minItems").and_then(Value::as_u64);
        schema.max_items = object.get("maxItems").and_then(Value::as_u64);
        schema.read_only = object.get("readOnly").and_then(Value::as_bool) == Some(true);
        schema.write_only = object.get("writeOnly").and_then(Value::as_bool) == Some(true);
        if let Some(items) = object.get("items") {
            schema.items = Some(Box::new(self.read(items)));
        }
        if let Some(Value::Object(properties)) = object.get("properties") {
            for (name, property) in properties {
                let property = self.read(property);
                schema.properties.push((name.clone(), property));
            }
        }
        schema.required = object
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        for key in ["oneOf", "anyOf"] {
            for alternative in object
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let alternative = self.read(alternative);
                schema.alternatives.push(alternative);
            }
        }
        for part in object
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let part = self.read(part);
            merge(&mut schema, part);
        }
        self.stack.pop();
        schema
    }
}

/// Merges an `allOf` part into a schema (properties and requirements add up; the first value
/// of a scalar keyword wins).
fn merge(into: &mut Schema, part: Schema) {
    if into.types.is_empty() {
        into.types = part.types;
    }
    into.format = into.format.take().or(part.format);
    if into.enum_values.is_empty() {
        into.enum_values = part.enum_values;
    }
    into.example = into.example.take().or(part.example);
    into.default = into.default.take().or(part.default);
    into.minimum = into.minimum.or(part.minimum);
    into.maximum = into.maximum.or(part.maximum);
    into.min_length = into.min_length.or(part.min_length);
    into.max_length = into.max_length.or(part.max_length);
    into.pattern = into.pattern.take().or(part.pattern);
    into.items = into.items.take().or(part.items);
    for (name, property) in part.properties {
        if into.property(&name).is_none() {
            into.properties.push((name, property));
        }
    }
    for name in part.required {
        if !into.required.contains(&name) {
            into.required.push(name);
        }
    }
    into.alternatives.extend(part.alternatives);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Components(Value);

    impl RefResolver for Components {
        fn resolve(&self, reference: &str) -> Option<(String, Value)> {
            let name = reference.strip_prefix("#/components/schemas/")?;
            Some((reference.to_string(), self.0.get(name)?.clone()))
        }
    }

    #[test]
    fn reads_openapi_3_0_and_3_1_forms() {
        let resolver = Components(json!({}));
        let mut reader = SchemaReader::new(&resolver);
        let v30 = reader.read(&json!({"type": "integer", "nullable": true, "minimum": 1, "exclusiveMaximum": true, "maximum": 10}));
        assert_eq!(v30.types, vec![SchemaType::Integer, SchemaType::Null]);
        assert!(v30.exclusive_maximum);
        let v31 = reader
            .read(&json!({"type": ["string", "null"], "exclusiveMinimum": 0, "examples": ["a"]}));
        assert!(v31.nullable());
        assert_eq!(v31.minimum, Some(0.0));
        assert!(v31.exclusive_minimum);
        assert_eq!(v31.example, Some(json!("a")));
    }

    #[test]
    fn follows_refs_merges_all_of_and_survives_cycles() {
        let resolver = Components(json!({
            "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}, "name": {"type": "string"}}},
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
        }));
        let mut reader = SchemaReader::new(&resolver);
        let node = reader.read(&json!({"$ref": "#/components/schemas/Node"}));
        assert!(node.property("name").is_some());
        let child = node.property("child").expect("child");
        assert_eq!(child.types, vec![SchemaType::Object]);
        assert!(child.properties.is_empty(), "the cycle is cut");
        let merged = reader.read(&json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"title": {"type": "string"}}, "required": ["title"]}]}));
        assert_eq!(merged.required, vec!["id", "title"]);
        assert_eq!(merged.properties.len(), 2);
        let dangling = reader.read(&json!({"$ref": "#/components/schemas/Missing"}));
        assert_eq!(dangling, Schema::default());
    }
}
