//! Swagger 2.0 documents into the model: `host` + `basePath` become the server, `body` and
//! `formData` parameters become the request body, `definitions` are reached through `$ref`.

use serde_json::Value;

use super::load::Documents;
use super::openapi3::{METHODS, deref, extensions, parameters, path_items, strings, title};
use super::schema::{Schema, SchemaReader, SchemaType};
use super::{
    ApiSpec, BodyKind, Operation, ParamIn, RequestBody, ResponseSpec, Security, SpecFormat,
    SpecProblem, merge_parameters, read_security,
};

/// Reads a Swagger 2.0 document.
pub(super) fn read(documents: &Documents) -> ApiSpec {
    let root = documents.root();
    let mut problems = documents.problems.clone();
    let base_path = root.get("basePath").and_then(Value::as_str).unwrap_or("");
    let servers = match root.get("host").and_then(Value::as_str) {
        Some(host) => {
            let scheme = strings(root.get("schemes"))
                .into_iter()
                .next()
                .unwrap_or_else(|| "https".into());
            vec![format!("{scheme}://{host}{base_path}")]
        }
        None if !base_path.is_empty() => vec![base_path.to_string()],
        None => Vec::new(),
    };
    let global_security = read_security(root.get("security"));
    let global_consumes = strings(root.get("consumes"));
    let mut operations = Vec::new();
    for (path, item, item_pointer) in path_items(documents, root, &mut problems) {
        let shared_raw = item.get("parameters").cloned();
        let shared = match parameters(documents, shared_raw.as_ref(), &item_pointer) {
            Ok(shared) => shared,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        for method in METHODS {
            let Some(operation) = item.get(*method).and_then(Value::as_object) else {
                continue;
            };
            let pointer = format!("{item_pointer}/{method}");
            let own = match parameters(documents, operation.get("parameters"), &pointer) {
                Ok(own) => own,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            let consumes = {
                let own = strings(operation.get("consumes"));
                if own.is_empty() {
                    global_consumes.clone()
                } else {
                    own
                }
            };
            let raw_parameters: Vec<Value> = shared_raw
                .iter()
                .chain(operation.get("parameters"))
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(|p| deref(documents, p))
                .collect();
            let responses = operation
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(status, response)| {
                    let response = deref(documents, response)?;
                    Some(ResponseSpec {
                        status: status.clone(),
                        schema: response
                            .get("schema")
                            .map(|s| SchemaReader::new(documents).read(s)),
                    })
                })
                .collect();
            let op = Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                operation_id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                summary: operation
                    .get("summary")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                tags: strings(operation.get("tags")),
                parameters: merge_parameters(shared.clone(), own),
                body: body(documents, &raw_parameters, &consumes),
                security: read_security(operation.get("security"))
                    .or_else(|| global_security.clone())
                    .unwrap_or(Security::Undeclared),
                responses,
                links: Vec::new(),
                extensions: extensions(operation),
                pointer: pointer.clone(),
            };
            let undeclared = op
                .path_params()
                .into_iter()
                .find(|name| {
                    !op.parameters
                        .iter()
                        .any(|p| p.location == ParamIn::Path && p.name == *name)
                })
                .map(str::to_string);
            match undeclared {
                Some(name) => problems.push(SpecProblem {
                    pointer,
                    message: format!("path parameter `{{{name}}}` is not declared"),
                }),
                None => operations.push(op),
            }
        }
    }
    ApiSpec {
        format: SpecFormat::Swagger2,
        title: title(root),
        servers,
        operations,
        problems,
    }
}

/// The request body from a `body` parameter or from `formData` parameters.
fn body(documents: &Documents, parameters: &[Value], consumes: &[String]) -> Option<RequestBody> {
    if let Some(body) = parameters
        .iter()
        .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))
    {
        let media_type = consumes
            .iter()
            .find(|m| m.contains("json"))
            .cloned()
            .unwrap_or_else(|| "application/json".into());
        return Some(RequestBody {
            required: body.get("required").and_then(Value::as_bool) == Some(true),
            kind: super::body_kind(&media_type),
            media_type,
            schema: body
                .get("schema")
                .map(|s| SchemaReader::new(documents).read(s))
                .unwrap_or_default(),
        });
    }
    let fields: Vec<&Value> = parameters
        .iter()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("formData"))
        .collect();
    if fields.is_empty() {
        return None;
    }
    let has_file = fields
        .iter()
        .any(|f| f.get("type").and_then(Value::as_str) == Some("file"));
    let (media_type, kind) = if has_file || consumes.iter().any(|m| m.starts_with("multipart/")) {
        ("multipart/form-data".to_string(), BodyKind::Multipart)
    } else {
        (
            "application/x-www-form-urlencoded".to_string(),
            BodyKind::Form,
        )
    };
    let mut schema = Schema {
        types: vec![SchemaType::Object],
        ..Schema::default()
    };
    for field in fields {
        let Some(name) = field.get("name").and_then(Value::as_str) else {
            continue;
        };
        schema
            .properties
            .push((name.to_string(), SchemaReader::new(documents).read(field)));
        if field.get("required").and_then(Value::as_bool) == Some(true) {
            schema.required.push(name.to_string());
        }
    }
    Some(RequestBody {
        required: !schema.required.is_empty(),
        media_type,
        kind,
        schema,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{ApiSpec, BodyKind, ParamIn, Security, SpecFormat};
    use super::Documents;

    #[test]
    fn reads_swagger_2_documents() {
        let spec = ApiSpec::from_documents(&Documents::single("petstore", json!({
            "swagger": "2.0",
            "info": {"title": "Pets", "version": "1"},
            "host": "petstore.example.com",
            "basePath": "/v2",
            "schemes": ["https"],
            "securityDefinitions": {"key": {"type": "apiKey", "in": "header", "name": "api_key"}},
            "security": [{"key": []}],
            "definitions": {"Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
            "paths": {
                "/pet": {"post": {"consumes": ["application/json"], "parameters": [{"in": "body", "name": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}], "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}}}},
                "/pet/{petId}/uploadImage": {"post": {"security": [], "parameters": [
                    {"name": "petId", "in": "path", "required": true, "type": "integer", "format": "int64"},
                    {"name": "file", "in": "formData", "type": "file"},
                    {"name": "note", "in": "formData", "type": "string", "required": true}
                ], "responses": {"200": {"description": "ok"}}}}
            }
        }))).expect("swagger 2.0");
        assert_eq!(spec.format, SpecFormat::Swagger2);
        assert_eq!(spec.servers, vec!["https://petstore.example.com/v2"]);
        assert_eq!(spec.base_path(), "/v2");
        let create = spec
            .operations
            .iter()
            .find(|op| op.path == "/pet")
            .expect("create");
        assert_eq!(
            create
                .body
                .as_ref()
                .map(|b| (b.kind, b.schema.required.clone())),
            Some((BodyKind::Json, vec!["name".to_string()]))
        );
        assert_eq!(create.security, Security::Required(vec!["key".into()]));
        let upload = spec
            .operations
            .iter()
            .find(|op| op.path.ends_with("uploadImage"))
            .expect("upload");
        assert_eq!(
            upload.body.as_ref().map(|b| b.kind),
            Some(BodyKind::Multipart)
        );
        assert_eq!(
            upload
                .parameters
                .iter()
                .filter(|p| p.location == ParamIn::Path)
                .count(),
            1
        );
        assert_eq!(upload.security, Security::Public);
    }
}
