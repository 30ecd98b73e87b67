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
}
