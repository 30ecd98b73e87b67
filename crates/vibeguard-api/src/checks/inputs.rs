//! Where attack values go: every input of an operation — path, query, header and cookie
//! parameters, form fields and JSON body fields at any depth — as an [`InjectionPoint`], and
//! a [`Template`] that rebuilds the operation's valid request with one point's value replaced.
//! Shared by the injection checks (SQL, NoSQL, command, template) so that each of them covers
//! the same inputs the same way.

use serde_json::{Map, Value};

use super::{Context, Probe, value_text, with_body};
use crate::http::Request;
use crate::spec::{BodyKind, Operation, ParamIn, SchemaType};

/// A name without case, `_`, `-` or other punctuation (`return_to`, `returnTo` and
/// `Return-To` are one name), for matching inputs against lists of names.
pub fn normalised_name(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// JSON body fields are followed this deep.
const MAX_BODY_DEPTH: usize = 4;

/// Where one input goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A `{name}` path segment.
    Path(String),
    /// A query parameter.
    Query(String),
    /// A request header.
    Header(String),
    /// A cookie.
    Cookie(String),
    /// A body field, by its JSON pointer tokens (`["user", "name"]`).
    Body(Vec<String>),
}

/// One input of an operation and its valid value.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectionPoint {
    /// Where it goes.
    pub slot: Slot,
    /// The valid value the request normally carries.
    pub original: Value,
    /// Whether the input is a number (integer or number schema, or a numeric value).
    pub numeric: bool,
}

impl InjectionPoint {
    /// `query:q`, `path:id`, `header:X-Tenant`, `cookie:lang`, `body:/user/name` — the
    /// parameter part of a finding's location.
    pub fn label(&self) -> String {
        match &self.slot {
            Slot::Path(name) => format!("path:{name}"),
            Slot::Query(name) => format!("query:{name}"),
            Slot::Header(name) => format!("header:{name}"),
            Slot::Cookie(name) => format!("cookie:{name}"),
            Slot::Body(tokens) => format!("body:/{}", tokens.join("/")),
        }
    }

    /// How the input reads in a message: "the query parameter `q`".
    pub fn describe(&self) -> String {
        match &self.slot {
            Slot::Path(name) => format!("the path parameter `{name}`"),
            Slot::Query(name) => format!("the query parameter `{name}`"),
            Slot::Header(name) => format!("the header `{name}`"),
            Slot::Cookie(name) => format!("the cookie `{name}`"),
            Slot::Body(tokens) => format!("the body field `{}`", tokens.join(".")),
        }
    }

    /// The input's own name: the parameter, or the body field's last key.
    pub fn name(&self) -> &str {
        match &self.slot {
            Slot::Path(name) | Slot::Query(name) | Slot::Header(name) | Slot::Cookie(name) => name,
            Slot::Body(tokens) => tokens.last().map_or("", String::as_str),
        }
    }

    /// The original value as text.
    pub fn original_text(&self) -> String {
        value_text(&self.original)
    }

    /// Whether the input is a secret the client proves: a password (`password`,
    /// `new_password`, `password_again`, `passwd`, `pwd`, `passphrase`) or a client's secret
    /// (`client_secret` in an OAuth2 password form, `api_secret`).
    pub fn is_secret(&self) -> bool {
        let name = normalised_name(self.name());
        ["password", "passwd", "passphrase"]
            .iter()
            .any(|word| name.contains(word))
            || name == "pwd"
            || name.ends_with("pwd")
            || name.ends_with("secret")
    }

    /// Whether a value sent here can reach `interpreter` on `operation`. Every input can,
    /// except a secret ([`InjectionPoint::is_secret`]): apps hash a password before it is
    /// stored or compared, compare a client secret, and never run or render either. The apps
    /// that keep them in clear text compare them in a query at login — where the query checks
    /// still send theirs (the classic `' OR '1'='1` and `{"$ne": null}` bypasses). Elsewhere
    /// (a sign-up, a password change) each value would cost the server a deliberately slow
    /// hash and test nothing the same form's other fields and the login do not; and each
    /// command or template payload sent to a login's secret is one more login to hash.
    ///
    /// Nor do the protocol parameters of an OAuth2 password grant at its token endpoint
    /// (RFC 6749 §4.3: `grant_type`, `scope`, `client_id`, `client_secret` next to the
    /// credentials): frameworks parse them into a form object (FastAPI's
    /// `OAuth2PasswordRequestForm`, an OAuth library's request) that checks the grant type and
    /// looks a client up by key, and each value sent there is a complete, valid login — one
    /// more password to hash — while the username beside them carries the query probes.
    pub fn reaches(
        &self,
        interpreter: Interpreter,
        operation: &Operation,
        context: &Context<'_>,
    ) -> bool {
        if self.is_grant_parameter(operation) && logs_in(operation, context) {
            return false;
        }
        !self.is_secret() || interpreter == Interpreter::Query && logs_in(operation, context)
    }

    /// Whether the input is a protocol parameter of an OAuth2 password grant: a top-level body
    /// field `grant_type`, `scope`, `client_id` or `client_secret` of an operation whose body
    /// has a `grant_type`.
    fn is_grant_parameter(&self, operation: &Operation) -> bool {
        let top_level = matches!(&self.slot, Slot::Body(tokens) if tokens.len() == 1);
        let grant = operation.body.as_ref().is_some_and(|body| {
            body.schema
                .properties
                .iter()
                .any(|(name, _)| normalised_name(name) == "granttype")
        });
        top_level
            && grant
            && matches!(
                normalised_name(self.name()).as_str(),
                "granttype" | "scope" | "clientid" | "clientsecret"
            )
    }
}

/// Whether `operation` is a login: by its path, or because an identity logs in there.
fn logs_in(operation: &Operation, context: &Context<'_>) -> bool {
    if super::auth_flows::flow(operation) == Some(super::auth_flows::Flow::Login) {
        return true;
    }
    let Ok(url) = crate::identity::join(context.base, &operation.path) else {
        return false;
    };
    context.identities.iter().any(|identity| {
        identity.login.as_ref().is_some_and(|login| {
            login.method == operation.method
                && login.url.path().trim_end_matches('/') == url.path().trim_end_matches('/')
        })
    })
}

/// What an injection check's values are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpreter {
    /// A database query: SQL, a document store's operators.
    Query,
    /// Text the server runs or renders: a shell command, a server-side template.
    Executed,
}

/// An operation's valid request, its inputs, and the identity it is sent as.
#[derive(Debug, Clone)]
pub struct Template {
    /// The valid request.
    pub request: Request,
    /// The body value and how it is encoded, when the operation takes one.
    body: Option<(BodyKind, String, Value)>,
    /// Its inputs, at most the number asked for.
    pub points: Vec<InjectionPoint>,
    /// The identity the requests go as.
    pub identity: Option<usize>,
}

impl Template {
    /// The template of an operation as the first identity (when there is one), with at most
    /// `max_points` inputs; `None` when no safe valid request can be built (a change to an
    /// object vibeguard did not create).
    pub fn of(operation: &Operation, context: &Context<'_>, max_points: usize) -> Option<Template> {
        Self::of_inputs(operation, context, max_points, None)
    }

    /// [`Template::of`] with only the inputs whose values can reach `interpreter`
    /// ([`InjectionPoint::reaches`]): the others leave their places to further inputs.
    pub fn reaching(
        interpreter: Interpreter,
        operation: &Operation,
        context: &Context<'_>,
        max_points: usize,
    ) -> Option<Template> {
        Self::of_inputs(operation, context, max_points, Some(interpreter))
    }

    fn of_inputs(
        operation: &Operation,
        context: &Context<'_>,
        max_points: usize,
        interpreter: Option<Interpreter>,
    ) -> Option<Template> {
        if operation.deletes() || operation.is_whole_target() {
            return None;
        }
        let identity = (!context.identities.is_empty()).then_some(0);
        let mut request = context.request(operation, identity, 0)?;
        let mut points = Vec::new();
        let mut synth = context.synthesizer(operation, "valid");
        for name in operation.path_params() {
            let schema = operation
                .parameters
                .iter()
                .find(|p| p.location == ParamIn::Path && p.name == name)
                .map(|p| p.schema.clone())
                .unwrap_or_default();
            let original = path_value(operation, &request, name)
                .map(Value::String)
                .unwrap_or_else(|| synth.valid(&schema, name));
            points.push(InjectionPoint {
                numeric: is_numeric(&schema.types, &original),
                slot: Slot::Path(name.to_string()),
                original,
            });
        }
        for parameter in &operation.parameters {
            let slot = match parameter.location {
                ParamIn::Path => continue,
                ParamIn::Query => Slot::Query(parameter.name.clone()),
                ParamIn::Header if parameter.name.eq_ignore_ascii_case("authorization") => {
                    continue;
                }
                ParamIn::Header => Slot::Header(parameter.name.clone()),
                ParamIn::Cookie => Slot::Cookie(parameter.name.clone()),
            };
            let present = match &slot {
                Slot::Query(name) => request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| Value::String(v.into_owned())),
                _ => None,
            };
            let original =
                present.unwrap_or_else(|| synth.valid(&parameter.schema, &parameter.name));
            points.push(InjectionPoint {
                numeric: is_numeric(&parameter.schema.types, &original),
                slot,
                original,
            });
        }
        let mut body = None;
        if let Some(spec_body) = &operation.body
            && matches!(spec_body.kind, BodyKind::Json | BodyKind::Form)
        {
            let value = context
                .synthesizer(operation, "valid")
                .valid(&spec_body.schema, "");
            let mut fields = Vec::new();
            leaf_fields(&value, &mut Vec::new(), &mut fields, 0);
            for (tokens, original) in fields {
                if spec_body.kind == BodyKind::Form && tokens.len() > 1 {
                    continue;
                }
                let numeric = original.is_number();
                points.push(InjectionPoint {
                    slot: Slot::Body(tokens),
                    original,
                    numeric,
                });
            }
            body = Some((spec_body.kind, spec_body.media_type.clone(), value));
        }
        if let Some(interpreter) = interpreter {
            points.retain(|point| point.reaches(interpreter, operation, context));
        }
        points.truncate(max_points);
        // Optional query parameters the valid request left out are sent with their value, so
        // that every template request has every point.
        for point in &points {
            if let Slot::Query(name) = &point.slot
                && !request.url.query_pairs().any(|(k, _)| k == *name)
            {
                let text = point.original_text();
                request.url.query_pairs_mut().append_pair(name, &text);
            }
        }
        Some(Template {
            request,
            body,
            points,
            identity,
        })
    }

    /// The valid request with `point` set to `value` (a JSON value keeps its type in JSON
    /// bodies: an object stays an object, for operator injection).
    pub fn with(&self, point: &InjectionPoint, value: &Value) -> Request {
        let mut request = self.request.clone();
        match &point.slot {
            Slot::Path(name) => {
                let text = value_text(value);
                request.url = replace_path_value(&request, &point.original_text(), name, &text);
            }
            Slot::Query(name) => {
                let text = value_text(value);
                let pairs: Vec<(String, String)> = request
                    .url
                    .query_pairs()
                    .map(|(k, v)| {
                        if k == name.as_str() {
                            (k.into_owned(), text.clone())
                        } else {
                            (k.into_owned(), v.into_owned())
                        }
                    })
                    .collect();
                request.url.query_pairs_mut().clear().extend_pairs(pairs);
            }
            Slot::Header(name) => {
                request
                    .headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                request.headers.push((name.clone(), value_text(value)));
            }
            Slot::Cookie(name) => {
                crate::identity::add_cookie(&mut request, name, &value_text(value));
            }
            Slot::Body(tokens) => {
                if let Some((kind, media_type, body)) = &self.body {
                    let mut body = body.clone();
                    set_at(&mut body, tokens, value.clone());
                    // Fields that must agree (`password`/`password_again`) get it together:
                    // a form refuses the pair when they differ, before the value is used.
                    if let [field] = tokens.as_slice()
                        && let Some(object) = body.as_object_mut()
                    {
                        let names: Vec<String> = object.keys().cloned().collect();
                        for name in &names {
                            if crate::synth::confirmed_field(name, &names).as_deref()
                                == Some(field.as_str())
                            {
                                object.insert(name.clone(), value.clone());
                            }
                        }
                    }
                    request = with_body(strip_body(&request), *kind, media_type, &body);
                }
            }
        }
        request
    }

    /// The valid request with every point of `values` set to its value at once (path points
    /// are left as they are): one request that marks every input of an operation that changes
    /// one object in place, where requests of one point each would overwrite each other.
    pub fn with_all(&self, values: &[(&InjectionPoint, Value)]) -> Request {
        let mut request = self.request.clone();
        let mut body = self.body.as_ref().map(|(_, _, value)| value.clone());
        for (point, value) in values {
            match &point.slot {
                Slot::Body(tokens) => {
                    if let Some(body) = body.as_mut() {
                        set_at(body, tokens, value.clone());
                    }
                }
                Slot::Path(_) => {}
                _ => {
                    let mut one = self.clone();
                    one.request = request;
                    request = one.with(point, value);
                }
            }
        }
        if let (Some((kind, media_type, _)), Some(body)) = (&self.body, body) {
            request = with_body(strip_body(&request), *kind, media_type, &body);
        }
        request
    }

    /// The valid request with a query parameter added (for names the description does not
    /// document, like `param[$ne]`).
    pub fn with_query_pair(&self, name: &str, value: &str) -> Request {
        let mut request = self.request.clone();
        request.url.query_pairs_mut().append_pair(name, value);
        request
    }

    /// The valid request with a whole new body value (same encoding).
    pub fn with_body_value(&self, value: &Value) -> Option<Request> {
        let (kind, media_type, _) = self.body.as_ref()?;
        Some(with_body(
            strip_body(&self.request),
            *kind,
            media_type,
            value,
        ))
    }

    /// The body value of the valid request, when there is one.
    pub fn body_value(&self) -> Option<&Value> {
        self.body.as_ref().map(|(_, _, value)| value)
    }

    /// A probe of this template.
    pub fn probe(&self, label: String, request: Request) -> Probe {
        Probe {
            label,
            identity: self.identity,
            request,
        }
    }
}

fn is_numeric(types: &[SchemaType], value: &Value) -> bool {
    value.is_number()
        || types
            .iter()
            .any(|t| matches!(t, SchemaType::Integer | SchemaType::Number))
}

/// The value a request carries in a path parameter, from the template's segments.
fn path_value(operation: &Operation, request: &Request, name: &str) -> Option<String> {
    let segments: Vec<String> = request
        .url
        .path_segments()?
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let template: Vec<&str> = operation.path.trim_start_matches('/').split('/').collect();
    let offset = segments.len().checked_sub(template.len())?;
    let position = template.iter().position(|s| *s == format!("{{{name}}}"))?;
    segments.get(offset + position).cloned()
}

/// The URL with the path segment that holds `original` for parameter `name` replaced by
/// `value` (percent-encoded).
fn replace_path_value(request: &Request, original: &str, _name: &str, value: &str) -> url::Url {
    let mut url = request.url.clone();
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.map(str::to_string).collect())
        .unwrap_or_default();
    let encoded_original =
        percent_encoding::utf8_percent_encode(original, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    // The last segment holding the original value: templates put ids at the end.
    let position = segments.iter().rposition(|s| {
        *s == original
            || *s == encoded_original
            || percent_encoding::percent_decode_str(s).decode_utf8_lossy() == original
    });
    if let Some(position) = position {
        let mut changed = segments;
        changed[position] =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        url.set_path(&format!("/{}", changed.join("/")));
    }
    url
}

/// Leaf fields (strings, numbers, booleans) of a body value, with their pointer tokens.
fn leaf_fields(
    value: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Value)>,
    depth: usize,
) {
    if depth > MAX_BODY_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                path.push(key.clone());
                leaf_fields(field, path, out, depth + 1);
                path.pop();
            }
        }
        // A null is a field left empty (`"photo_url": null` as a client sent it): it takes
        // text like any other.
        Value::String(_) | Value::Number(_) | Value::Null if !path.is_empty() => {
            out.push((path.clone(), value.clone()));
        }
        _ => {}
    }
}

/// Sets the value at pointer tokens, creating objects on the way.
fn set_at(target: &mut Value, tokens: &[String], value: Value) {
    let Some((first, rest)) = tokens.split_first() else {
        *target = value;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        let entry = map.entry(first.clone()).or_insert(Value::Null);
        set_at(entry, rest, value);
    }
}

pub use vibeguard_http::body::strip_body;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, form_operation, operation};
    use crate::spec::{Parameter, RequestBody, Schema};
    use serde_json::json;

    fn string_schema() -> Schema {
        Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        }
    }

    #[test]
    fn every_input_of_an_operation_is_a_point_and_can_be_replaced() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let mut op = operation("POST", "/orgs/{org}/items", true);
        op.parameters[0].schema = string_schema();
        op.parameters.push(Parameter {
            name: "q".into(),
            location: ParamIn::Query,
            required: false,
            schema: string_schema(),
        });
        op.parameters.push(Parameter {
            name: "X-Tenant".into(),
            location: ParamIn::Header,
            required: false,
            schema: string_schema(),
        });
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: vec![
                    ("title".into(), string_schema()),
                    // Recorded as sent empty.
                    (
                        "photo_url".into(),
                        Schema {
                            types: vec![SchemaType::Null],
                            example: Some(Value::Null),
                            ..Schema::default()
                        },
                    ),
                    (
                        "meta".into(),
                        Schema {
                            types: vec![SchemaType::Object],
                            properties: vec![(
                                "count".into(),
                                Schema {
                                    types: vec![SchemaType::Integer],
                                    ..Schema::default()
                                },
                            )],
                            ..Schema::default()
                        },
                    ),
                ],
                ..Schema::default()
            },
        });
        let template = Template::of(&op, &context, 10).expect("template");
        let labels: Vec<String> = template.points.iter().map(InjectionPoint::label).collect();
        assert_eq!(
            labels,
            [
                "path:org",
                "query:q",
                "header:X-Tenant",
                "body:/meta/count",
                "body:/photo_url",
                "body:/title"
            ]
        );
        assert!(template.points[3].numeric);
        assert!(!template.points[4].numeric);
        assert_eq!(template.points[4].original_text(), "");
        let filled = template.with(&template.points[4], &json!("http://x.test/"));
        assert!(
            String::from_utf8_lossy(filled.body.as_deref().unwrap_or_default())
                .contains(r#""photo_url":"http://x.test/""#)
        );

        let org = template.with(&template.points[0], &json!("a'b"));
        assert!(
            org.url.path().starts_with("/orgs/a%27b/items"),
            "{}",
            org.url
        );
        let q = template.with(&template.points[1], &json!("x y"));
        assert!(
            q.url.query().is_some_and(|query| query.contains("q=x+y")),
            "{}",
            q.url
        );
        let header = template.with(&template.points[2], &json!("t1"));
        assert_eq!(header.header_value("X-Tenant"), Some("t1"));
        let nested = template.with(&template.points[3], &json!({"$gt": ""}));
        let body: Value =
            serde_json::from_slice(nested.body.as_deref().unwrap_or_default()).expect("JSON body");
        assert_eq!(body["meta"]["count"], json!({"$gt": ""}));
        assert_eq!(
            nested.header_value("content-type"),
            Some("application/json")
        );
    }

    #[test]
    fn passwords_take_query_values_at_login_only_and_never_executed_ones() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let form = |path: &str, fields: &[&str]| form_operation("POST", path, fields);
        let labels = |interpreter, op: &Operation| -> Vec<String> {
            Template::reaching(interpreter, op, &context, 10)
                .expect("template")
                .points
                .iter()
                .map(InjectionPoint::label)
                .collect()
        };
        let signup = form("/register", &["username", "newPassword", "password_again"]);
        assert_eq!(labels(Interpreter::Query, &signup), ["body:/username"]);
        assert_eq!(labels(Interpreter::Executed, &signup), ["body:/username"]);
        let change = form("/profile/password", &["current_pwd", "passphrase", "bio"]);
        assert_eq!(labels(Interpreter::Query, &change), ["body:/bio"]);
        let login = form("/auth/sign-in", &["email", "password"]);
        assert_eq!(
            labels(Interpreter::Query, &login),
            ["body:/email", "body:/password"]
        );
        assert_eq!(labels(Interpreter::Executed, &login), ["body:/email"]);
        // A login form with a client secret: a secret too.
        let token = form(
            "/token",
            &["username", "password", "scope", "client_secret"],
        );
        assert_eq!(
            labels(Interpreter::Executed, &token),
            ["body:/scope", "body:/username"]
        );
        assert_eq!(labels(Interpreter::Query, &token).len(), 4);
        // An OAuth2 password grant: its protocol parameters take no payload, the credentials
        // theirs (and only at the token endpoint: elsewhere a `scope` is any field).
        let grant = form(
            "/token",
            &[
                "grant_type",
                "username",
                "password",
                "scope",
                "client_id",
                "client_secret",
            ],
        );
        assert_eq!(
            labels(Interpreter::Query, &grant),
            ["body:/password", "body:/username"]
        );
        assert_eq!(labels(Interpreter::Executed, &grant), ["body:/username"]);
        let report = form("/reports", &["grant_type", "scope", "title"]);
        assert_eq!(labels(Interpreter::Executed, &report).len(), 3);
        // Every input of the plain template, passwords too.
        assert_eq!(
            Template::of(&signup, &context, 10)
                .expect("template")
                .points
                .len(),
            3
        );
        // A field that only looks like one stays.
        assert!(
            !InjectionPoint {
                slot: Slot::Body(vec!["passport_number".into()]),
                original: Value::Null,
                numeric: false,
            }
            .is_secret()
        );
    }

    #[test]
    fn deletions_and_the_whole_target_have_no_template() {
        let fixture = Fixture::new();
        let context = fixture.context();
        assert!(Template::of(&operation("DELETE", "/items/{id}", true), &context, 5).is_none());
        assert!(Template::of(&Operation::whole_target(), &context, 5).is_none());
    }
}
