//! OpenAPI 3.0 and 3.1 documents into the model.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::load::Documents;
use super::schema::{RefResolver, SchemaReader};
use super::{
    ApiSpec, Link, Operation, ParamIn, Parameter, RequestBody, ResponseSpec, Security, SpecFormat,
    SpecProblem, body_kind, merge_parameters, pointer_token, read_security,
};

pub(super) const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads an OpenAPI 3.x document.
pub(super) fn read(documents: &Documents) -> ApiSpec {
    let root = documents.root();
    let version = root
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("3")
        .to_string();
    let mut problems = documents.problems.clone();
    let servers = root
        .get("servers")
        .and_then(Value::as_array)
        .map(|servers| servers.iter().filter_map(server_url).collect())
        .unwrap_or_default();
    let global_security = read_security(root.get("security"));
    let mut operations = Vec::new();
    for (path, item, item_pointer) in path_items(documents, root, &mut problems) {
        let shared = match parameters(documents, item.get("parameters"), &item_pointer) {
            Ok(shared) => shared,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let pointer = format!("{item_pointer}/{method}");
            match read_operation(
                documents,
                &path,
                method,
                operation,
                &shared,
                global_security.as_ref(),
                &pointer,
            ) {
                Ok(operation) => operations.push(operation),
                Err(message) => problems.push(SpecProblem { pointer, message }),
            }
        }
    }
    ApiSpec {
        format: SpecFormat::OpenApi3(version),
        title: title(root),
        servers,
        operations,
        problems,
    }
}

pub(super) fn title(root: &Value) -> String {
    root.get("info")
        .and_then(|info| info.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("untitled API")
        .to_string()
}

/// `servers[].url` with `{variables}` replaced by their defaults.
fn server_url(server: &Value) -> Option<String> {
    let mut url = server.get("url")?.as_str()?.to_string();
    if let Some(Value::Object(variables)) = server.get("variables") {
        for (name, variable) in variables {
            if let Some(default) = variable.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    Some(url)
}

/// Every path item (following a `$ref`d item), with its path and pointer.
pub(super) fn path_items(
    documents: &Documents,
    root: &Value,
    problems: &mut Vec<SpecProblem>,
) -> Vec<(String, Value, String)> {
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        problems.push(SpecProblem {
            pointer: "/paths".into(),
            message: "no `paths` object".into(),
        });
        return Vec::new();
    };
    let mut items = Vec::new();
    for (path, item) in paths {
        let pointer = format!("/paths/{}", pointer_token(path));
        match deref(documents, item) {
            Some(Value::Object(object)) => {
                items.push((path.clone(), Value::Object(object), pointer))
            }
            _ => problems.push(SpecProblem {
                pointer,
                message: "the path item is not an object (or its $ref does not resolve)".into(),
            }),
        }
    }
    items
}

/// Follows `$ref`s of a non-schema object (parameter, request body, response), bounded.
pub(super) fn deref(documents: &Documents, value: &Value) -> Option<Value> {
    let mut current = value.clone();
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) => current = documents.resolve(reference)?.1,
            None => return Some(current),
        }
    }
    None
}

/// Reads a `parameters` list.
pub(super) fn parameters(
    documents: &Documents,
    value: Option<&Value>,
    pointer: &str,
) -> Result<Vec<Parameter>, SpecProblem> {
    let mut out = Vec::new();
    for (index, parameter) in value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let pointer = format!("{pointer}/parameters/{index}");
        let parameter = deref(documents, parameter).ok_or_else(|| SpecProblem {
            pointer: pointer.clone(),
            message: "unresolvable parameter $ref".into(),
        })?;
        let name = parameter.get("name").and_then(Value::as_str);
        let location = match parameter.get("in").and_then(Value::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            Some("header") => ParamIn::Header,
            Some("cookie") => ParamIn::Cookie,
            // Swagger 2.0 body/formData parameters are read by its own module.
            Some("body" | "formData") => continue,
            other => {
                return Err(SpecProblem {
                    pointer,
                    message: format!("parameter without a valid `in` ({other:?})"),
                });
            }
        };
        let Some(name) = name else {
            return Err(SpecProblem {
                pointer,
                message: "parameter without a `name`".into(),
            });
        };
        // 3.x nests the schema; 2.0 puts type/format on the parameter itself.
        let schema_value = parameter
            .get("schema")
            .cloned()
            .unwrap_or_else(|| parameter.clone());
        let mut schema = SchemaReader::new(documents).read(&schema_value);
        if schema.example.is_none() {
            schema.example = parameter
                .get("example")
                .cloned()
                .or_else(|| parameter.get("examples").and_then(first_example));
        }
        out.push(Parameter {
            name: name.to_string(),
            location,
            required: location == ParamIn::Path
                || parameter.get("required").and_then(Value::as_bool) == Some(true),
            schema,
        });
    }
    Ok(out)
}

/// The first value of an `examples` map (`{name: {value: …}}`).
fn first_example(examples: &Value) -> Option<Value> {
    examples.as_object()?.values().next()?.get("value").cloned()
}

fn read_operation(
    documents: &Documents,
    path: &str,
    method: &str,
    value: &Value,
    shared: &[Parameter],
    global_security: Option<&Security>,
    pointer: &str,
) -> Result<Operation, String> {
    let Some(object) = value.as_object() else {
        return Err("the operation is not an object".into());
    };
    let own = parameters(documents, object.get("parameters"), pointer).map_err(|p| p.message)?;
    let body = match object.get("requestBody") {
        Some(body) => Some(request_body(documents, body).ok_or("unresolvable requestBody $ref")?),
        None => None,
    }
    .flatten();
    let security = read_security(object.get("security"))
        .or_else(|| global_security.cloned())
        .unwrap_or(Security::Undeclared);
    let (responses, links) = responses(documents, object.get("responses"));
    let operation = Operation {
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        operation_id: object
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string),
        summary: object
            .get("summary")
            .and_then(Value::as_str)
            .map(str::to_string),
        tags: strings(object.get("tags")),
        parameters: merge_parameters(shared.to_vec(), own),
        body,
        security,
        responses,
        links,
        extensions: extensions(object),
        pointer: pointer.to_string(),
    };
    for name in operation.path_params() {
        if !operation
            .parameters
            .iter()
            .any(|p| p.location == ParamIn::Path && p.name == name)
        {
            return Err(format!("path parameter `{{{name}}}` is not declared"));
        }
    }
    Ok(operation)
}

pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn extensions(object: &Map<String, Value>) -> BTreeMap<String, Value> {
    object
        .iter()
        .filter(|(key, _)| key.starts_with("x-"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// `Some(None)` for a body with no usable content; `None` for an unresolvable `$ref`.
fn request_body(documents: &Documents, value: &Value) -> Option<Option<RequestBody>> {
    let body = deref(documents, value)?;
    let required = body.get("required").and_then(Value::as_bool) == Some(true);
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return Some(None);
    };
    let preference = |media: &str| match body_kind(media) {
        super::BodyKind::Json => 0,
        super::BodyKind::Form => 1,
        super::BodyKind::Multipart => 2,
        super::BodyKind::Other => 3,
    };
    let Some((media_type, media)) = content.iter().min_by_key(|(media, _)| preference(media))
    else {
        return Some(None);
    };
    let mut schema = media
        .get("schema")
        .map(|schema| SchemaReader::new(documents).read(schema))
        .unwrap_or_default();
    if schema.example.is_none() {
        schema.example = media
            .get("example")
            .cloned()
            .or_else(|| media.get("examples").and_then(first_example));
    }
    Some(Some(RequestBody {
        required,
        media_type: media_type.clone(),
        kind: body_kind(media_type),
        schema,
    }))
}

fn responses(documents: &Documents, value: Option<&Value>) -> (Vec<ResponseSpec>, Vec<Link>) {
    let mut responses = Vec::new();
    let mut links = Vec::new();
    for (status, response) in value.and_then(Value::as_object).into_iter().flatten() {
        let Some(response) = deref(documents, response) else {
            continue;
        };
        let schema = response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|content| content.iter().find(|(media, _)| media.contains("json")))
            .and_then(|(_, media)| media.get("schema"))
            // Swagger 2.0 puts the schema on the response.
            .or_else(|| response.get("schema"))
            .map(|schema| SchemaReader::new(documents).read(schema));
        responses.push(ResponseSpec {
            status: status.clone(),
            schema,
        });
        for (_, link) in response
            .get("links")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(link) = deref(documents, link) else {
                continue;
            };
            let Some(operation_id) = link.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let parameters = link
                .get("parameters")
                .and_then(Value::as_object)
                .map(|parameters| {
                    parameters
                        .iter()
                        .filter_map(|(name, expression)| {
                            Some((name.clone(), expression.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            links.push(Link {
                status: status.clone(),
                operation_id: operation_id.to_string(),
                parameters,
            });
        }
    }
    (responses, links)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{ApiSpec, BodyKind, SchemaType, Security, SpecFormat};
    use super::Documents;

    fn spec(value: serde_json::Value) -> ApiSpec {
        ApiSpec::from_documents(&Documents::single("test", value)).expect("an API description")
    }

    #[test]
    fn reads_operations_parameters_bodies_security_and_links() {
        let spec = spec(json!({
            "openapi": "3.1.0",
            "info": {"title": "Notes", "version": "1"},
            "servers": [{"url": "https://{host}/api/v1", "variables": {"host": {"default": "example.com"}}}],
            "security": [{"bearer": []}],
            "components": {
                "parameters": {"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}},
                "schemas": {"Note": {"type": "object", "required": ["title"], "properties": {"id": {"type": "integer", "readOnly": true}, "title": {"type": "string", "maxLength": 100}}}}
            },
            "paths": {
                "/notes": {
                    "post": {
                        "operationId": "createNote",
                        "requestBody": {"required": true, "content": {"application/xml": {}, "application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}},
                        "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}},
                                              "links": {"get": {"operationId": "getNote", "parameters": {"id": "$response.body#/id"}}}}}
                    },
                    "get": {"security": [], "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}, "example": "milk"}], "responses": {"200": {"description": "ok"}}}
                },
                "/notes/{id}": {
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "get": {"operationId": "getNote", "responses": {"200": {"description": "ok"}}},
                    "delete": {"x-roles": ["admin"], "responses": {"204": {"description": "gone"}}}
                },
                "/broken/{id}": {"get": {"responses": {}}}
            }
        }));
        assert_eq!(spec.format, SpecFormat::OpenApi3("3.1.0".into()));
        assert_eq!(spec.base_path(), "/api/v1");
        assert_eq!(spec.operations.len(), 4);
        let create = spec.operation_by_id("createNote").expect("create");
        let body = create.body.as_ref().expect("body");
        assert_eq!(body.kind, BodyKind::Json);
        assert_eq!(body.schema.required, vec!["title"]);
        assert_eq!(create.security, Security::Required(vec!["bearer".into()]));
        assert_eq!(
            create.links[0].parameters,
            vec![("id".to_string(), "$response.body#/id".to_string())]
        );
        let list = spec
            .operations
            .iter()
            .find(|op| op.method == "GET" && op.path == "/notes")
            .expect("list");
        assert_eq!(list.security, Security::Public);
        assert_eq!(list.parameters[0].schema.example, Some(json!("milk")));
        let delete = spec
            .operations
            .iter()
            .find(|op| op.method == "DELETE")
            .expect("delete");
        assert_eq!(delete.parameters[0].schema.types, vec![SchemaType::Integer]);
        assert!(delete.extensions.contains_key("x-roles"));
        assert_eq!(
            spec.problems.len(),
            1,
            "the undeclared path parameter: {:?}",
            spec.problems
        );
        assert_eq!(spec.problems[0].pointer, "/paths/~1broken~1{id}/get");
    }

    #[test]
    fn a_document_without_paths_is_reported_not_fatal() {
        let spec = spec(json!({"openapi": "3.0.0", "info": {"title": "x"}}));
        assert!(spec.operations.is_empty());
        assert_eq!(spec.problems[0].pointer, "/paths");
    }
}
