//! Operations from the code when there is no API description: each route the code engine
//! found (every framework it knows) becomes an operation — its method, its path with its
//! parameters, the query parameters and body fields its handler reads, secured when the code
//! authenticates it, undeclared otherwise (never "public": the code not checking is what the
//! checks are there to judge). Types are not in the routes: fields are text, except names that
//! are numbers in every app (`amount`, `price`, `quantity`, …); what the handler refuses for
//! that is named in the coverage, never made up.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::schema::{Schema, SchemaType};
use super::{
    ApiSpec, BodyKind, DeclaredRoute, Operation, ParamIn, Parameter, RequestBody, Security,
    SpecFormat,
};

/// The scheme name derived operations require when the code authenticates them.
pub const CODE_AUTH: &str = "code";

/// The operations of `routes`, one per method and path (the first declaration wins), in the
/// order the code declares them. Routes for any method become a `GET`; server actions and
/// paths that are not URLs are left out.
pub fn derive(routes: &[DeclaredRoute]) -> ApiSpec {
    let mut seen = BTreeSet::new();
    let mut operations = Vec::new();
    for route in routes {
        if !route.path.starts_with('/') {
            continue;
        }
        let method = match route.method.to_ascii_uppercase().as_str() {
            "*" | "ANY" | "ALL" => "GET".to_string(),
            method @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE") => method.to_string(),
            _ => continue,
        };
        if !seen.insert((method.clone(), route.path.clone())) {
            continue;
        }
        operations.push(operation(&method, route));
    }
    ApiSpec {
        format: SpecFormat::Code,
        title: format!("{} operations from the code's routes", operations.len()),
        servers: Vec::new(),
        operations,
        problems: Vec::new(),
    }
}

fn operation(method: &str, route: &DeclaredRoute) -> Operation {
    let mut parameters: Vec<Parameter> = super::path_parameters(&route.path, |name| {
        let types = match route.path_types.get(name).map(String::as_str) {
            Some("integer") => SchemaType::Integer,
            Some("number") => SchemaType::Number,
            _ => SchemaType::String,
        };
        Schema {
            types: vec![types],
            format: (route.path_types.get(name).map(String::as_str) == Some("uuid"))
                .then(|| "uuid".to_string()),
            ..Schema::default()
        }
    });
    parameters.extend(route.query_params.iter().map(|name| Parameter {
        name: name.clone(),
        location: ParamIn::Query,
        required: false,
        schema: field_schema(name),
    }));
    // How the handler reads its body says how to send it: an HTML form's fields, a file
    // upload, else JSON.
    let (media_type, kind) = match route.body_encoding.as_deref() {
        Some("form") => ("application/x-www-form-urlencoded", BodyKind::Form),
        Some("multipart") => ("multipart/form-data", BodyKind::Multipart),
        _ => ("application/json", BodyKind::Json),
    };
    let body = matches!(method, "POST" | "PUT" | "PATCH").then(|| RequestBody {
        required: !route.body_fields.is_empty(),
        media_type: media_type.into(),
        kind,
        schema: Schema {
            types: vec![SchemaType::Object],
            properties: route
                .body_fields
                .iter()
                .map(|name| {
                    let schema = match route.body_schema.get(name) {
                        Some(field) => described_field(name, field),
                        None => field_schema(name),
                    };
                    (name.clone(), schema)
                })
                .collect(),
            required: route
                .body_schema
                .iter()
                .filter(|(_, field)| field.required)
                .map(|(name, _)| name.clone())
                .collect(),
            ..Schema::default()
        },
    });
    let mut extensions = BTreeMap::new();
    extensions.insert(
        "x-vibeguard-source".to_string(),
        Value::String(route.declared_at.clone()),
    );
    extensions.insert(
        super::merge::ORIGIN.to_string(),
        Value::String("code".into()),
    );
    if route.serves_files {
        extensions.insert("x-vibeguard-serves-files".to_string(), Value::Bool(true));
    }
    extensions.insert(
        super::describe::NOT_INFERRED.to_string(),
        Value::Array(
            not_inferred(method, route)
                .into_iter()
                .map(|what| Value::String(what.to_string()))
                .collect(),
        ),
    );
    Operation {
        method: method.to_string(),
        path: route.path.clone(),
        operation_id: None,
        summary: None,
        tags: Vec::new(),
        parameters,
        body,
        security: if route.authenticated {
            Security::Required(vec![CODE_AUTH.to_string()])
        } else {
            Security::Undeclared
        },
        responses: Vec::new(),
        links: Vec::new(),
        extensions,
        pointer: format!("code:{}", route.declared_at),
    }
}

/// What the code's route does not tell about an operation, said in the document `describe`
/// writes instead of left out.
fn not_inferred(method: &str, route: &DeclaredRoute) -> Vec<&'static str> {
    let mut unknown = vec!["responses: status codes and bodies are not read from the handler"];
    let untyped = route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .any(|name| !route.path_types.contains_key(name));
    if untyped {
        unknown.push("path parameter types: text where the code shows no type");
    }
    if matches!(method, "POST" | "PUT" | "PATCH") {
        unknown.push(if !route.body_schema.is_empty() {
            "request body: the fields of its validation schema (fields outside it unknown); \
             content type assumed JSON"
        } else if route.body_fields.is_empty() {
            "request body: the handler reads no named field (the body whole, a helper or a \
             validation schema); its content type is assumed JSON"
        } else {
            "request body: only the fields the handler names; types by field name, content \
             type assumed JSON"
        });
    }
    if route.authenticated {
        unknown.push("authentication scheme: how the credential is sent, and which roles pass");
    }
    unknown
}

/// A field as its validation schema describes it; what the schema leaves out is guessed from
/// the name as for any field.
fn described_field(name: &str, field: &vibeguard_core::BodyField) -> Schema {
    let mut schema = field_schema(name);
    if let Some(kind) = field.kind.as_deref() {
        schema.types = vec![match kind {
            "integer" => SchemaType::Integer,
            "number" => SchemaType::Number,
            "boolean" => SchemaType::Boolean,
            "array" => SchemaType::Array,
            "object" => SchemaType::Object,
            _ => SchemaType::String,
        }];
    }
    schema.format = field.format.clone();
    schema.enum_values = field.values.iter().cloned().map(Value::String).collect();
    let text = schema.types.contains(&SchemaType::String);
    if text {
        schema.min_length = field.min.and_then(|n| u64::try_from(n).ok());
        schema.max_length = field.max.and_then(|n| u64::try_from(n).ok());
    } else {
        schema.minimum = field.min.map(|n| n as f64);
        schema.maximum = field.max.map(|n| n as f64);
    }
    schema
}

/// Field names that hold a number in every app.
const NUMERIC: &[&str] = &[
    "amount", "price", "total", "cost", "quantity", "qty", "count", "age", "rating", "score",
    "stock", "capacity", "year", "page", "limit", "offset", "size", "per_page", "perpage",
    "pagesize", "weight", "height", "width", "duration", "minutes", "hours", "days", "seats",
];

/// A text field, or a number for the names that are numbers everywhere.
fn field_schema(name: &str) -> Schema {
    let numeric = vibeguard_core::words::words(name)
        .last()
        .is_some_and(|last| NUMERIC.contains(&last.as_str()));
    Schema {
        types: vec![if numeric {
            SchemaType::Number
        } else {
            SchemaType::String
        }],
        ..Schema::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str, authenticated: bool, at: &str) -> DeclaredRoute {
        DeclaredRoute {
            method: method.into(),
            path: path.into(),
            declared_at: at.into(),
            authenticated,
            body_fields: Vec::new(),
            query_params: Vec::new(),
            path_types: BTreeMap::new(),
            body_schema: BTreeMap::new(),
            serves_files: false,
            body_encoding: None,
        }
    }

    #[test]
    fn path_parameters_take_the_types_the_code_gives_them() {
        let mut read = route(
            "GET",
            "/users/{user_id}/files/{name}/{ref}",
            true,
            "app.py:3",
        );
        read.path_types.insert("user_id".into(), "integer".into());
        read.path_types.insert("ref".into(), "uuid".into());
        let spec = derive(&[read]);
        let types: Vec<(&str, Vec<SchemaType>, Option<&str>)> = spec.operations[0]
            .parameters
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.schema.types.clone(),
                    p.schema.format.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            types,
            [
                ("user_id", vec![SchemaType::Integer], None),
                ("name", vec![SchemaType::String], None),
                ("ref", vec![SchemaType::String], Some("uuid")),
            ]
        );
    }

    #[test]
    fn a_validation_schema_types_the_body_and_says_what_is_required() {
        let mut create = route("POST", "/api/notes", true, "app.js:9");
        create.body_fields = vec!["title".into(), "category".into(), "seats".into()];
        create.body_schema.insert(
            "title".into(),
            vibeguard_core::BodyField {
                kind: Some("string".into()),
                min: Some(1),
                max: Some(120),
                required: true,
                ..Default::default()
            },
        );
        create.body_schema.insert(
            "category".into(),
            vibeguard_core::BodyField {
                kind: Some("string".into()),
                values: vec!["food".into(), "travel".into()],
                ..Default::default()
            },
        );
        let spec = derive(&[create]);
        let body = &spec.operations[0].body.as_ref().expect("body").schema;
        assert_eq!(body.required, ["title"]);
        let title = body.property("title").expect("title");
        assert_eq!((title.min_length, title.max_length), (Some(1), Some(120)));
        let category = body.property("category").expect("category");
        assert_eq!(
            category.enum_values,
            [Value::from("food"), Value::from("travel")]
        );
        // Not in the schema: typed by its name, as any field.
        assert_eq!(
            body.property("seats").expect("seats").types,
            [SchemaType::Number]
        );
    }

    #[test]
    fn routes_become_operations_secured_as_the_code_secures_them() {
        let spec = derive(&[
            route("POST", "/api/login", false, "app.js:10"),
            route("GET", "/api/notes/{id}", true, "routes/notes.js:4"),
            route("DELETE", "/api/notes/{id}", true, "routes/notes.js:12"),
            route("GET", "/api/notes/{id}", true, "routes/other.js:1"),
            route("ANY", "/health", false, "app.js:3"),
            route("POST", "action:app/page.tsx#save", false, "app/page.tsx:8"),
            route("OPTIONS", "/api/notes", false, "app.js:5"),
        ]);
        let labels: Vec<String> = spec.operations.iter().map(Operation::label).collect();
        assert_eq!(
            labels,
            [
                "POST /api/login",
                "GET /api/notes/{id}",
                "DELETE /api/notes/{id}",
                "GET /health"
            ]
        );
        let read = &spec.operations[1];
        assert_eq!(read.security, Security::Required(vec![CODE_AUTH.into()]));
        assert_eq!(read.parameters[0].name, "id");
        assert_eq!(read.parameters[0].location, ParamIn::Path);
        assert_eq!(read.extensions["x-vibeguard-source"], "routes/notes.js:4");
        assert!(read.body.is_none());
        // Unauthenticated in the code is undeclared, not public: the checks judge it.
        assert_eq!(spec.operations[0].security, Security::Undeclared);
        assert_eq!(
            spec.operations[0].body.as_ref().map(|b| b.kind),
            Some(BodyKind::Json)
        );
        assert_eq!(spec.format, SpecFormat::Code);
    }

    #[test]
    fn the_fields_a_handler_reads_become_its_body_and_query() {
        let mut create = route("POST", "/api/expenses", true, "app.js:20");
        create.body_fields = vec!["title".into(), "amount".into(), "unitPrice".into()];
        let mut list = route("GET", "/api/expenses", true, "app.js:30");
        list.query_params = vec!["page".into(), "q".into()];
        let spec = derive(&[create, list]);
        let body = spec.operations[0].body.as_ref().expect("body");
        assert!(body.required);
        let types: Vec<(&str, Vec<SchemaType>)> = body
            .schema
            .properties
            .iter()
            .map(|(name, schema)| (name.as_str(), schema.types.clone()))
            .collect();
        assert_eq!(
            types,
            [
                ("title", vec![SchemaType::String]),
                ("amount", vec![SchemaType::Number]),
                ("unitPrice", vec![SchemaType::Number]),
            ]
        );
        let query: Vec<(&str, ParamIn)> = spec.operations[1]
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.location))
            .collect();
        assert_eq!(query, [("page", ParamIn::Query), ("q", ParamIn::Query)]);
        assert_eq!(
            spec.operations[1].parameters[0].schema.types,
            [SchemaType::Number]
        );
    }
}
