//! The model written back as an OpenAPI document (`vibeguard describe`): OpenAPI 3.1 by
//! default, 3.0 for tools that read only 3.0. What vibeguard derived is written as what it is —
//! every operation keeps `x-vibeguard-source` (where the code declares it) and lists under
//! `x-vibeguard-not-inferred` what the source could not tell (response shapes, the
//! authentication scheme, parameter types), so a reviewer sees the gaps instead of a document
//! that looks complete. Read back by [`super::parse_document`], the document gives the same
//! operations (the round-trip test below).

use serde_json::{Map, Value, json};

use super::schema::{Schema, SchemaType};
use super::{ApiSpec, Operation, Security, SpecFormat};

/// The OpenAPI version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenApiVersion {
    /// OpenAPI 3.1.0 (JSON Schema 2020-12 schemas).
    V3_1,
    /// OpenAPI 3.0.3 (`nullable`, boolean exclusive bounds).
    V3_0,
}

impl OpenApiVersion {
    /// Parses `3.1` / `3.0` (and their patch versions).
    pub fn parse(text: &str) -> Option<OpenApiVersion> {
        match text.trim() {
            "3.1" | "3.1.0" | "3.1.1" => Some(OpenApiVersion::V3_1),
            "3.0" | "3.0.0" | "3.0.1" | "3.0.2" | "3.0.3" | "3.0.4" => Some(OpenApiVersion::V3_0),
            _ => None,
        }
    }

    fn version_string(self) -> &'static str {
        match self {
            OpenApiVersion::V3_1 => "3.1.0",
            OpenApiVersion::V3_0 => "3.0.3",
        }
    }
}

/// The extension naming what the source of an operation could not tell.
pub const NOT_INFERRED: &str = "x-vibeguard-not-inferred";

/// `spec` as an OpenAPI document of `version`.
pub fn to_openapi(spec: &ApiSpec, version: OpenApiVersion) -> Value {
    let mut paths = Map::new();
    let mut schemes = Vec::<String>::new();
    for operation in &spec.operations {
        if operation.is_whole_target() {
            continue;
        }
        if let Security::Required(names) = &operation.security {
            for name in names {
                if !schemes.contains(name) {
                    schemes.push(name.clone());
                }
            }
        }
        let item = paths
            .entry(operation.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(
                operation.method.to_ascii_lowercase(),
                write_operation(operation, version),
            );
        }
    }
    let mut document = Map::new();
    document.insert("openapi".into(), json!(version.version_string()));
    let mut info = Map::new();
    info.insert("title".into(), json!(spec.title));
    info.insert("version".into(), json!("0.0.0"));
    if spec.format == SpecFormat::Code {
        info.insert(
            "description".into(),
            json!(
                "Written by vibeguard describe from the routes the code declares. Each \
                 operation names where the code declares it (x-vibeguard-source) and what \
                 could not be inferred from the code (x-vibeguard-not-inferred). Review before \
                 publishing: response bodies are not described, and a field's type is text \
                 unless its name is a number in every app."
            ),
        );
    }
    document.insert("info".into(), Value::Object(info));
    if !spec.servers.is_empty() {
        document.insert(
            "servers".into(),
            Value::Array(spec.servers.iter().map(|url| json!({"url": url})).collect()),
        );
    }
    document.insert("paths".into(), Value::Object(paths));
    if !schemes.is_empty() {
        let mut security_schemes = Map::new();
        for name in schemes {
            security_schemes.insert(name, security_scheme(spec));
        }
        document.insert(
            "components".into(),
            json!({"securitySchemes": Value::Object(security_schemes)}),
        );
    }
    Value::Object(document)
}

/// A scheme for a requirement the model names. The model keeps only the names, so the scheme
/// written is a bearer token — said to be a guess when the source was the code.
fn security_scheme(spec: &ApiSpec) -> Value {
    let mut scheme = json!({"type": "http", "scheme": "bearer"});
    if spec.format == SpecFormat::Code {
        scheme["description"] = json!(
            "The code authenticates these operations (a middleware or decorator that refuses a \
             request without a credential); how the credential is sent (bearer token, session \
             cookie, API key) is not inferred."
        );
    }
    scheme
}

fn write_operation(operation: &Operation, version: OpenApiVersion) -> Value {
    let mut out = Map::new();
    if let Some(id) = &operation.operation_id {
        out.insert("operationId".into(), json!(id));
    }
    if let Some(summary) = &operation.summary {
        out.insert("summary".into(), json!(summary));
    }
    if !operation.tags.is_empty() {
        out.insert("tags".into(), json!(operation.tags));
    }
    if !operation.parameters.is_empty() {
        let parameters = operation
            .parameters
            .iter()
            .map(|parameter| {
                json!({
                    "name": parameter.name,
                    "in": parameter.location.as_str(),
                    "required": parameter.required,
                    "schema": write_schema(&parameter.schema, version),
                })
            })
            .collect();
        out.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(body) = &operation.body {
        out.insert(
            "requestBody".into(),
            json!({
                "required": body.required,
                "content": {
                    body.media_type.clone(): {"schema": write_schema(&body.schema, version)}
                }
            }),
        );
    }
    let mut responses = Map::new();
    for response in &operation.responses {
        let mut written = json!({"description": format!("{} response", response.status)});
        if let Some(schema) = &response.schema {
            written["content"] =
                json!({"application/json": {"schema": write_schema(schema, version)}});
        }
        responses.insert(response.status.clone(), written);
    }
    if responses.is_empty() {
        // 3.0 requires a response; both versions get one that says the shape is unknown.
        responses.insert(
            "default".into(),
            json!({"description": "Not described: the response was not inferred."}),
        );
    }
    out.insert("responses".into(), Value::Object(responses));
    match &operation.security {
        Security::Required(names) => {
            let requirement: Map<String, Value> =
                names.iter().map(|name| (name.clone(), json!([]))).collect();
            out.insert("security".into(), json!([requirement]));
        }
        Security::Public => {
            out.insert("security".into(), json!([]));
        }
        Security::Undeclared => {}
    }
    for (key, value) in &operation.extensions {
        out.insert(key.clone(), value.clone());
    }
    Value::Object(out)
}

fn type_name(schema_type: SchemaType) -> &'static str {
    match schema_type {
        SchemaType::String => "string",
        SchemaType::Integer => "integer",
        SchemaType::Number => "number",
        SchemaType::Boolean => "boolean",
        SchemaType::Array => "array",
        SchemaType::Object => "object",
        SchemaType::Null => "null",
    }
}

/// A schema in the dialect of `version`.
fn write_schema(schema: &Schema, version: OpenApiVersion) -> Value {
    let mut out = Map::new();
    let types: Vec<&str> = schema.types.iter().copied().map(type_name).collect();
    match version {
        OpenApiVersion::V3_1 => match types.as_slice() {
            [] => {}
            [only] => {
                out.insert("type".into(), json!(only));
            }
            _ => {
                out.insert("type".into(), json!(types));
            }
        },
        OpenApiVersion::V3_0 => {
            // 3.0 has one type and `nullable`; alternatives of several non-null types are lost.
            if let Some(main) = schema.main_type().filter(|_| !types.is_empty()) {
                out.insert("type".into(), json!(type_name(main)));
            }
            if schema.nullable() {
                out.insert("nullable".into(), json!(true));
            }
        }
    }
    if let Some(format) = &schema.format {
        out.insert("format".into(), json!(format));
    }
    if !schema.enum_values.is_empty() {
        out.insert("enum".into(), json!(schema.enum_values));
    }
    if let Some(value) = &schema.const_value {
        match version {
            OpenApiVersion::V3_1 => out.insert("const".into(), value.clone()),
            OpenApiVersion::V3_0 => out.insert("enum".into(), json!([value])),
        };
    }
    if let Some(value) = &schema.default {
        out.insert("default".into(), value.clone());
    }
    if let Some(value) = &schema.example {
        match version {
            OpenApiVersion::V3_1 => out.insert("examples".into(), json!([value])),
            OpenApiVersion::V3_0 => out.insert("example".into(), value.clone()),
        };
    }
    bound(
        &mut out,
        version,
        ("minimum", "exclusiveMinimum"),
        schema.minimum,
        schema.exclusive_minimum,
    );
    bound(
        &mut out,
        version,
        ("maximum", "exclusiveMaximum"),
        schema.maximum,
        schema.exclusive_maximum,
    );
    for (key, value) in [
        ("minLength", schema.min_length),
        ("maxLength", schema.max_length),
        ("minItems", schema.min_items),
        ("maxItems", schema.max_items),
    ] {
        if let Some(value) = value {
            out.insert(key.into(), json!(value));
        }
    }
    if let Some(pattern) = &schema.pattern {
        out.insert("pattern".into(), json!(pattern));
    }
    if schema.read_only {
        out.insert("readOnly".into(), json!(true));
    }
    if schema.write_only {
        out.insert("writeOnly".into(), json!(true));
    }
    if let Some(items) = &schema.items {
        out.insert("items".into(), write_schema(items, version));
    }
    if !schema.properties.is_empty() {
        let properties: Map<String, Value> = schema
            .properties
            .iter()
            .map(|(name, property)| (name.clone(), write_schema(property, version)))
            .collect();
        out.insert("properties".into(), Value::Object(properties));
    }
    if !schema.required.is_empty() {
        out.insert("required".into(), json!(schema.required));
    }
    if !schema.alternatives.is_empty() {
        let alternatives: Vec<Value> = schema
            .alternatives
            .iter()
            .map(|alternative| write_schema(alternative, version))
            .collect();
        out.insert("anyOf".into(), Value::Array(alternatives));
    }
    Value::Object(out)
}

/// A numeric bound: 3.1 writes an exclusive bound as its own number, 3.0 as a flag.
fn bound(
    out: &mut Map<String, Value>,
    version: OpenApiVersion,
    (inclusive, exclusive): (&str, &str),
    value: Option<f64>,
    is_exclusive: bool,
) {
    let Some(value) = value else {
        return;
    };
    let number = if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    };
    match (version, is_exclusive) {
        (OpenApiVersion::V3_1, true) => {
            out.insert(exclusive.into(), number);
        }
        (OpenApiVersion::V3_0, true) => {
            out.insert(inclusive.into(), number);
            out.insert(exclusive.into(), json!(true));
        }
        (_, false) => {
            out.insert(inclusive.into(), number);
        }
    }
}

/// The document as YAML (block style), for `.yaml`/`.yml` outputs.
pub fn to_yaml(document: &Value) -> String {
    // Serialising a JSON value cannot fail: every key is a string.
    serde_saphyr::to_string(document).unwrap_or_else(|_| document.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load_documents::Documents;
    use crate::spec::{DeclaredRoute, parse_document, routes};

    fn route(method: &str, path: &str, authenticated: bool) -> DeclaredRoute {
        DeclaredRoute {
            method: method.into(),
            path: path.into(),
            declared_at: format!("app.js:{}", path.len()),
            authenticated,
            body_fields: Vec::new(),
            query_params: Vec::new(),
            path_types: std::collections::BTreeMap::new(),
            body_schema: std::collections::BTreeMap::new(),
            serves_files: false,
            body_encoding: None,
        }
    }

    fn derived() -> ApiSpec {
        let mut create = route("POST", "/api/notes", true);
        create.body_fields = vec!["title".into(), "amount".into()];
        let mut list = route("GET", "/api/notes", true);
        list.query_params = vec!["q".into(), "page".into()];
        routes::derive(&[
            route("POST", "/api/login", false),
            create,
            list,
            route("DELETE", "/api/notes/{id}", true),
        ])
    }

    /// Operations compared without what the document form cannot carry (the reader's
    /// pointer, the written placeholder response, the order of an object's properties: JSON
    /// objects have none).
    fn comparable(spec: &ApiSpec) -> Vec<Operation> {
        let mut operations: Vec<Operation> = spec
            .operations
            .iter()
            .cloned()
            .map(|mut operation| {
                operation.pointer.clear();
                operation.responses.clear();
                if let Some(body) = &mut operation.body {
                    body.schema.properties.sort_by(|a, b| a.0.cmp(&b.0));
                }
                operation
            })
            .collect();
        operations.sort_by_key(Operation::label);
        operations
    }

    #[test]
    fn derived_operations_round_trip_through_both_versions_and_both_syntaxes() {
        let spec = derived();
        for version in [OpenApiVersion::V3_1, OpenApiVersion::V3_0] {
            let document = to_openapi(&spec, version);
            for text in [document.to_string(), to_yaml(&document)] {
                let root = parse_document("describe", &text).expect("the written document parses");
                let read = ApiSpec::from_documents(&Documents::single("describe", root))
                    .expect("an OpenAPI document");
                assert!(read.problems.is_empty(), "{:?}", read.problems);
                assert_eq!(comparable(&read), comparable(&spec), "{version:?}\n{text}");
            }
        }
    }

    #[test]
    fn secured_operations_name_a_scheme_that_says_it_is_not_inferred() {
        let document = to_openapi(&derived(), OpenApiVersion::V3_1);
        assert_eq!(document["openapi"], "3.1.0");
        let scheme = &document["components"]["securitySchemes"][routes::CODE_AUTH];
        assert!(
            scheme["description"]
                .as_str()
                .is_some_and(|d| d.contains("not inferred"))
        );
        let login = &document["paths"]["/api/login"]["post"];
        assert!(
            login.get("security").is_none(),
            "undeclared stays undeclared"
        );
        assert_eq!(
            login["responses"]["default"]["description"],
            "Not described: the response was not inferred."
        );
        let delete = &document["paths"]["/api/notes/{id}"]["delete"];
        assert_eq!(delete["security"], json!([{routes::CODE_AUTH: []}]));
        assert_eq!(delete["x-vibeguard-source"], "app.js:15");
    }

    #[test]
    fn schemas_use_each_versions_dialect() {
        let schema = Schema {
            types: vec![SchemaType::Integer, SchemaType::Null],
            minimum: Some(0.0),
            exclusive_minimum: true,
            example: Some(json!(3)),
            ..Schema::default()
        };
        assert_eq!(
            write_schema(&schema, OpenApiVersion::V3_1),
            json!({"type": ["integer", "null"], "exclusiveMinimum": 0, "examples": [3]})
        );
        assert_eq!(
            write_schema(&schema, OpenApiVersion::V3_0),
            json!({"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true, "example": 3})
        );
    }
}
