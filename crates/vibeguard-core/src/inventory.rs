//! What the code declares, beyond findings: the HTTP routes of the project, as the code engine
//! found them. The API engine and users compare them with the spec (undocumented routes).

use serde::{Deserialize, Serialize};

/// One HTTP route declared in the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteEntry {
    /// The framework (`express`, `fastify`, `nextjs`, `flask`, `fastapi`, `django`).
    pub framework: String,
    /// HTTP method in upper case, or `ANY`.
    pub method: String,
    /// The full path, parameters written `{name}` (server actions: `action:FILE#NAME`).
    pub path: String,
    /// The file declaring it, relative to the project root.
    pub file: String,
    /// The line declaring it.
    pub line: u32,
    /// The handler function (`file:line name`), when found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// Middleware, decorators and dependencies in front of it, in order.
    #[serde(default)]
    pub middleware: Vec<String>,
    /// Whether a middleware in front of it, or a check in its handler, authenticates: can end
    /// a request without a credential before the handler runs.
    pub authenticated: bool,
    /// Middleware in front of it named like authentication whose code lets requests without a
    /// credential through (`verifyToken` decodes a token when there is one and calls `next()`
    /// otherwise): the route's authentication is unknown, and it is treated as public.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passes_anonymous: Vec<String>,
    /// Whether a middleware in front of it limits the request rate.
    pub rate_limited: bool,
    /// Body fields its handler reads (`req.body.title`, `request.json['title']`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body_fields: Vec<String>,
    /// Query parameters its handler reads (`req.query.q`, `request.args.get('q')`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<String>,
    /// Path parameters the code types (`<int:id>`, `:id(\\d+)`, `parseInt(req.params.id)`,
    /// `user_id: int`): name → `integer`, `number` or `uuid`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub path_types: std::collections::BTreeMap<String, String>,
    /// Whether it serves a folder's files (`express.static`, `serve-index`): the API checks
    /// probe it for listings and sensitive files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub serves_files: bool,
    /// How the body is encoded, when the code says: `form` (`request.form`, `request.POST`,
    /// an Express app parsing only urlencoded bodies, a WTForms form), `multipart`
    /// (`request.files`, multer) or `json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_encoding: Option<String>,
    /// Body fields a validation schema describes (zod, Joi, yup), by name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub body_schema: std::collections::BTreeMap<String, BodyField>,
}

/// One field of a request body as a validation schema describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyField {
    /// `string`, `integer`, `number`, `boolean`, `array` or `object`, when the schema says.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `email`, `uuid`, `uri` or `date-time`, when the schema says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The values allowed (`z.enum`, `.valid`, `.oneOf`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Lower bound (length for text, value for numbers; whole numbers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Upper bound (length for text, value for numbers; whole numbers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Whether the schema requires it.
    #[serde(default)]
    pub required: bool,
}
