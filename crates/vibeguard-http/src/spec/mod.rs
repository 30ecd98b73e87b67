//! API descriptions: OpenAPI 3.0 and 3.1 (YAML or JSON) and Swagger 2.0, read into one model.
//!
//! Reading is tolerant: an operation that cannot be understood is reported with its JSON
//! pointer and skipped, and the rest is tested. `$ref`s are resolved across local files, with
//! cycle and depth limits.

pub mod conform;
pub mod lines;
mod load;
pub mod merge;
/// Loaded documents (the root and what its references reach).
pub mod load_documents {
    pub use super::load::Documents;
}
pub mod describe;
mod openapi3;
pub mod routes;
pub mod schema;
mod swagger2;

use std::collections::BTreeMap;

use serde_json::Value;

pub use load::{DISCOVERY_PATHS, MAX_SPEC_BYTES, SpecError, SpecSource, load_file, parse_document};
pub use schema::{Schema, SchemaType};

/// The version of the description format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecFormat {
    /// No document: operations derived from the routes the code declares.
    Code,
    /// No document: operations imported from recorded traffic (HAR, Postman).
    Traffic,
    /// Swagger 2.0.
    Swagger2,
    /// OpenAPI 3.x, with its exact version string.
    OpenApi3(String),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamIn {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl ParamIn {
    /// The OpenAPI name (`path`, `query`, `header`, `cookie`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
            ParamIn::Cookie => "cookie",
        }
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: ParamIn,
    /// Whether it is required.
    pub required: bool,
    /// Its schema.
    pub schema: Schema,
}

/// How a request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json` and `+json` types.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Anything else (sent as text).
    Other,
}

/// The request body an operation takes.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// Whether it is required.
    pub required: bool,
    /// The media type chosen (JSON preferred, then form, then multipart).
    pub media_type: String,
    /// Its encoding.
    pub kind: BodyKind,
    /// Its schema.
    pub schema: Schema,
}

/// What an operation says about authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    /// At least one security scheme is required (their names).
    Required(Vec<String>),
    /// Explicitly public (`security: []` or an empty requirement).
    Public,
    /// Nothing declared, at the operation or the document level.
    Undeclared,
}

/// A documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseSpec {
    /// The status code or range as written (`200`, `2XX`, `default`).
    pub status: String,
    /// The JSON body schema, when there is one.
    pub schema: Option<Schema>,
}

/// An OpenAPI link: a value of this operation's response feeds a parameter of another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The response status it applies to.
    pub status: String,
    /// The target operation's id.
    pub operation_id: String,
    /// Target parameter name → runtime expression (`$response.body#/id`).
    pub parameters: Vec<(String, String)>,
}

/// One operation (method + path).
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/users/{id}`.
    pub path: String,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// Parameters (path-level ones merged in).
    pub parameters: Vec<Parameter>,
    /// The request body.
    pub body: Option<RequestBody>,
    /// Authentication requirement.
    pub security: Security,
    /// Documented responses.
    pub responses: Vec<ResponseSpec>,
    /// Links from its responses to other operations.
    pub links: Vec<Link>,
    /// `x-` extensions (e.g. `x-roles`).
    pub extensions: BTreeMap<String, Value>,
    /// JSON pointer of the operation in the document, for error messages.
    pub pointer: String,
}

impl Operation {
    /// The whole target as a subject (`* /`): what checks of the target rather than of one
    /// operation (hidden routes, JWT handling, transport) plan against and report on.
    pub fn whole_target() -> Operation {
        Operation {
            method: "*".into(),
            path: "/".into(),
            operation_id: None,
            summary: None,
            tags: Vec::new(),
            parameters: Vec::new(),
            body: None,
            security: Security::Undeclared,
            responses: Vec::new(),
            links: Vec::new(),
            extensions: BTreeMap::new(),
            pointer: String::new(),
        }
    }

    /// Whether this is [`Operation::whole_target`].
    pub fn is_whole_target(&self) -> bool {
        self.method == "*"
    }

    /// Whether the operation deletes the object its path names: `DELETE /notes/{id}`, or the
    /// way HTML forms (which cannot send DELETE) spell it, `POST /notes/{id}/delete`
    /// (`destroy`, `remove`).
    pub fn deletes(&self) -> bool {
        self.method == "DELETE" || is_form_deletion(&self.method, &self.path)
    }

    /// Whether the operation changes the object its path names through a form post, the way
    /// server-rendered apps spell `PUT`: `POST /posts/{id}/edit`, `…/{id}/update`, `/save`,
    /// `/rename` — not a creation under that object.
    pub fn is_form_update(&self) -> bool {
        let mut segments = self.path.trim_end_matches('/').rsplit('/');
        let last = segments.next().unwrap_or_default().to_ascii_lowercase();
        let object = segments.next().unwrap_or_default();
        self.method == "POST"
            && matches!(
                last.as_str(),
                "edit" | "update" | "save" | "modify" | "rename"
            )
            && object.starts_with('{')
    }

    /// The path's segments as words to compare: lower case, without `-` and `_`
    /// (`/Change-Password` → `changepassword`).
    pub fn path_words(&self) -> Vec<String> {
        self.path
            .trim_matches('/')
            .split('/')
            .map(|s| s.to_ascii_lowercase().replace(['-', '_'], ""))
            .collect()
    }

    /// Whether the operation closes the caller's own account: `DELETE /me`, `DELETE /account`,
    /// `POST /account/delete`, `POST /settings/deactivate`, `POST /profile/delete`.
    pub fn closes_account(&self) -> bool {
        let segments = self.path_words();
        let last = segments.last().map(String::as_str).unwrap_or_default();
        let own_account = |s: &str| matches!(s, "me" | "self" | "account" | "profile" | "settings");
        let closes = matches!(
            last,
            "delete" | "deleteaccount" | "deactivate" | "close" | "closeaccount" | "destroy"
        ) && segments.iter().any(|s| own_account(s) || s == "users")
            && !segments.iter().any(|s| s.starts_with('{'));
        (self.method == "DELETE" && own_account(last))
            || (matches!(self.method.as_str(), "POST" | "DELETE") && closes)
    }

    /// Whether the operation ends a session (a logout): an identity's credential is never sent
    /// to it, since that would end the session every other check uses.
    pub fn ends_session(&self) -> bool {
        let last = self
            .path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        matches!(
            last.as_str(),
            "logout" | "log-out" | "log_out" | "signout" | "sign-out" | "sign_out" | "logoff"
        ) || (self.method == "DELETE" && matches!(last.as_str(), "session" | "sessions" | "token"))
    }

    /// `GET /users/{id}`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path parameters' names, in path order.
    pub fn path_params(&self) -> Vec<&str> {
        self.path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .collect()
    }

    /// Whether the operation changes or deletes an existing object.
    pub fn is_destructive(&self) -> bool {
        matches!(self.method.as_str(), "PUT" | "PATCH" | "DELETE") || self.deletes()
    }
}

/// The path parameters of a template (`/notes/{id}` → `id`), required, typed by `schema_of`
/// (from the parameter's name).
pub fn path_parameters(template: &str, schema_of: impl Fn(&str) -> Schema) -> Vec<Parameter> {
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| Parameter {
            name: name.to_string(),
            location: ParamIn::Path,
            required: true,
            schema: schema_of(name),
        })
        .collect()
}

/// A part of the document that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// JSON pointer (`/paths/~1users/get`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// A route the project's code declares (from the code engine's inventory): compared with the
/// description by the hidden-routes check, and the operations tested when there is no
/// description ([`routes::derive`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredRoute {
    /// Upper-case method, or `*`.
    pub method: String,
    /// Path with `{param}` placeholders.
    pub path: String,
    /// Where the code declares it (`src/app.js:12`).
    pub declared_at: String,
    /// Whether the code authenticates the route (a middleware or decorator that can refuse a
    /// request without a credential).
    pub authenticated: bool,
    /// Body fields its handler reads.
    pub body_fields: Vec<String>,
    /// Query parameters its handler reads.
    pub query_params: Vec<String>,
    /// Path parameters the code types: name → `integer`, `number` or `uuid`.
    pub path_types: BTreeMap<String, String>,
    /// Body fields a validation schema describes (zod, Joi, yup).
    pub body_schema: BTreeMap<String, vibeguard_core::BodyField>,
    /// Whether it serves a folder's files (the hidden-routes check probes under it).
    pub serves_files: bool,
    /// How its body is encoded, when the code says (`form`, `multipart`, `json`).
    pub body_encoding: Option<String>,
}

impl From<&vibeguard_core::RouteEntry> for DeclaredRoute {
    fn from(route: &vibeguard_core::RouteEntry) -> DeclaredRoute {
        DeclaredRoute {
            method: route.method.clone(),
            path: route.path.clone(),
            declared_at: format!("{}:{}", route.file, route.line),
            authenticated: route.authenticated,
            body_fields: route.body_fields.clone(),
            query_params: route.query_params.clone(),
            path_types: route.path_types.clone(),
            body_schema: route.body_schema.clone(),
            serves_files: route.serves_files,
            body_encoding: route.body_encoding.clone(),
        }
    }
}

/// A loaded API description.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSpec {
    /// Its format and version.
    pub format: SpecFormat,
    /// `info.title`.
    pub title: String,
    /// Server URLs as written (absolute or relative).
    pub servers: Vec<String>,
    /// Every usable operation.
    pub operations: Vec<Operation>,
    /// Everything that was skipped, and why.
    pub problems: Vec<SpecProblem>,
}

impl ApiSpec {
    /// Reads a parsed document (with its external documents) into the model.
    pub fn from_documents(documents: &load::Documents) -> Result<ApiSpec, SpecError> {
        let root = documents.root();
        if root
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with('3'))
        {
            Ok(openapi3::read(documents))
        } else if root.get("swagger").and_then(Value::as_str) == Some("2.0") {
            Ok(swagger2::read(documents))
        } else {
            Err(SpecError::NotAnApiDescription {
                origin: documents.name().to_string(),
            })
        }
    }

    /// The operation with this id.
    pub fn operation_by_id(&self, id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.operation_id.as_deref() == Some(id))
    }

    /// The path prefix the servers declare (`/api/v1`), or `""`.
    pub fn base_path(&self) -> String {
        let Some(server) = self.servers.first() else {
            return String::new();
        };
        let path = match server.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("", |slash| &rest[slash..]),
            None => server.as_str(),
        };
        path.trim_end_matches('/').to_string()
    }
}

/// Escapes a JSON pointer token (`/` → `~1`, `~` → `~0`).
pub(crate) fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Parameters shared by both formats: merges path-level into operation-level (by name and
/// location, the operation winning).
pub(crate) fn merge_parameters(
    path_level: Vec<Parameter>,
    operation_level: Vec<Parameter>,
) -> Vec<Parameter> {
    let mut merged = operation_level;
    for parameter in path_level {
        if !merged
            .iter()
            .any(|p| p.name == parameter.name && p.location == parameter.location)
        {
            merged.push(parameter);
        }
    }
    merged
}

/// The kind of a media type.
pub(crate) fn body_kind(media_type: &str) -> BodyKind {
    let media_type = media_type.to_ascii_lowercase();
    if media_type.contains("json") {
        BodyKind::Json
    } else if media_type.starts_with("application/x-www-form-urlencoded") {
        BodyKind::Form
    } else if media_type.starts_with("multipart/form-data") {
        BodyKind::Multipart
    } else {
        BodyKind::Other
    }
}

/// The security declared by a `security` value: `None` when absent.
pub(crate) fn read_security(value: Option<&Value>) -> Option<Security> {
    let requirements = value?.as_array()?;
    let names: Vec<String> = requirements
        .iter()
        .filter_map(Value::as_object)
        .find(|requirement| !requirement.is_empty())
        .map(|requirement| requirement.keys().cloned().collect())
        .unwrap_or_default();
    // An empty list, or an alternative with no scheme (`{}`), means anonymous access is allowed.
    let anonymous_allowed = requirements.is_empty()
        || requirements
            .iter()
            .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
    Some(if names.is_empty() || anonymous_allowed {
        Security::Public
    } else {
        Security::Required(names)
    })
}

/// Whether a path template of the description matches a concrete or templated path
/// (`/tasks/{id}` matches `/tasks/42`, `/tasks/{taskId}` and `/tasks/:id`).
pub fn path_matches_template(template: &str, path: &str) -> bool {
    let a: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let b: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            x == y
                || (x.starts_with('{') && x.ends_with('}'))
                || (y.starts_with('{') && y.ends_with('}'))
                || y.starts_with(':')
        })
}

/// `POST /notes/{id}/delete` (also `destroy`, `remove`): a deletion as an HTML form sends it.
/// `path` is a template (`/notes/{id}/delete`) or a request path (`/notes/7/delete`): the
/// segment before the verb names the object.
pub fn is_form_deletion(method: &str, path: &str) -> bool {
    let mut segments = path.trim_end_matches('/').rsplit('/');
    let last = segments.next().unwrap_or_default().to_ascii_lowercase();
    let object = segments.next().unwrap_or_default();
    method == "POST"
        && matches!(last.as_str(), "delete" | "destroy" | "remove")
        && !object.is_empty()
}

#[cfg(test)]
mod tests {

    #[test]
    fn templates_match_paths_and_each_other_whatever_their_parameter_names() {
        assert!(path_matches_template("/tasks/{id}", "/tasks/42"));
        assert!(path_matches_template("/tasks/{id}", "/tasks/{taskId}"));
        assert!(path_matches_template("/tasks/{id}/", "/tasks/:id"));
        assert!(!path_matches_template("/tasks", "/tasks/{id}"));
        assert!(!path_matches_template("/tasks/{id}", "/notes/1"));
    }

    use super::*;

    #[test]
    fn security_declarations() {
        use serde_json::json;
        assert_eq!(read_security(None), None);
        assert_eq!(read_security(Some(&json!([]))), Some(Security::Public));
        assert_eq!(
            read_security(Some(&json!([{}, {"bearer": []}]))),
            Some(Security::Public)
        );
        assert_eq!(
            read_security(Some(&json!([{"bearer": []}]))),
            Some(Security::Required(vec!["bearer".into()]))
        );
    }
}
