//! VG413 live-mass-assignment: a create or update accepts fields the client should not set —
//! `role`, `isAdmin`, `ownerId`, `balance`, `verified`, and fields the API returns but does not
//! take — and the value sticks: read back as the same identity, the object carries it.

use std::borrow::Cow;

use serde_json::{Map, Value, json};
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::auth_flows::{self, Flow};
use super::inputs::strip_body;
use super::{Check, Context, Probe, http_evidence, location, with_body};
use crate::http::{Exchange, Request};
use crate::lifecycle::{self, Producer};
use crate::spec::{BodyKind, Operation, Schema, SchemaType};

/// The check.
#[derive(Debug)]
pub struct LiveMassAssignment;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG413"),
    name: Cow::Borrowed("live-mass-assignment"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A create or update lets the client set privileged fields"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[915, 269]),
    owasp_api: Some(OwaspApi::Api3BrokenObjectPropertyLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Data01, ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Each JSON create (`POST` on a collection) and update (`PUT`/`PATCH` on an object \
             vibeguard creates for the purpose) is sent with privileged fields added — `role`, \
             `isAdmin`, `admin`, `permissions`, `ownerId`/`userId` set to the second identity, \
             `balance`, `verified` — plus fields the description marks read-only or that appear \
             in responses but in no request schema of the resource (its create and updates). \
             The object is then read back as the same identity: a field that now has the \
             injected value (and did not without it) is reported. A registration is read back through the account it made: the first \
             identity's login, its account and password fields filled from what was registered, \
             then that account's own record (`/me`) with the token it got (masked in the \
             evidence); fields the record does not show are judged by the creation answers. \
             Where nothing can be read back, the creation answer is used and the finding is \
             marked firm rather than confirmed.",
        ),
        why: Cow::Borrowed(
            "`User.create(req.body)` lets anyone register as an administrator, move their objects \
             into another account, or credit their own balance.",
        ),
        example_bad: Cow::Borrowed("const user = await User.create(req.body);"),
        example_fixed: Cow::Borrowed(
            "const { email, password, name } = RegisterSchema.parse(req.body);\nconst user = await User.create({ email, password: await hash(password), name, role: 'user' });",
        ),
        fix: Cow::Borrowed(
            "Copy only the fields a client may set into the model (an allowlist or a DTO/schema), \
             and set owner, role and status fields on the server.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
            ),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// Fields nobody but the server should set, and their kind.
const PRIVILEGED: &[(&str, Kind)] = &[
    ("role", Kind::Role),
    ("roles", Kind::Roles),
    ("userRole", Kind::Role),
    ("user_role", Kind::Role),
    ("isAdmin", Kind::Flag),
    ("is_admin", Kind::Flag),
    ("admin", Kind::Flag),
    ("isStaff", Kind::Flag),
    ("is_staff", Kind::Flag),
    ("is_superuser", Kind::Flag),
    ("permissions", Kind::Roles),
    ("ownerId", Kind::Owner),
    ("owner_id", Kind::Owner),
    ("userId", Kind::Owner),
    ("user_id", Kind::Owner),
    ("accountId", Kind::Owner),
    ("tenantId", Kind::Owner),
    ("balance", Kind::Amount),
    ("credits", Kind::Amount),
    ("verified", Kind::Flag),
    ("isVerified", Kind::Flag),
    ("emailVerified", Kind::Flag),
    ("email_verified", Kind::Flag),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Role,
    Roles,
    Flag,
    Owner,
    Amount,
    Text,
    Integer,
}

/// Fields never added: identifiers and timestamps the server always sets anyway.
const NEVER: &[&str] = &[
    "id",
    "_id",
    "uuid",
    "createdAt",
    "created_at",
    "updatedAt",
    "updated_at",
];

const BASELINE: &str = "baseline create";
const EXTRAS: &str = "with privileged fields";
const READ_BASELINE: &str = "read back: baseline";
const READ_EXTRAS: &str = "read back: with privileged fields";
const FRESH: &str = "fresh object";
/// Whether two paths are one resource: the same path, or a collection and its items
/// (`/articles/` and `/articles/{id}/`).
fn same_resource(a: &str, b: &str) -> bool {
    fn collection(path: &str) -> &str {
        let path = path.trim_end_matches('/');
        match path.rsplit_once('/') {
            Some((parent, last)) if last.starts_with('{') && last.ends_with('}') => parent,
            _ => path,
        }
    }
    collection(a) == collection(b)
}

const LOGIN_AS_NEW: &str = "log in as the account made";
const READ_AS_NEW: &str = "the account made reads its own record";

impl LiveMassAssignment {
    /// The fields to add and their values.
    fn extras(operation: &Operation, context: &Context<'_>) -> Map<String, Value> {
        let Some(body) = &operation.body else {
            return Map::new();
        };
        // What this operation takes, and what the resource's other writes take: a recorded
        // `PATCH {"published": false}` shows one field of the many the resource's `PUT` and
        // create take, and those are not fields the client should not set.
        let writable: Vec<&str> = context
            .spec
            .operations
            .iter()
            .filter(|other| {
                matches!(other.method.as_str(), "POST" | "PUT" | "PATCH")
                    && same_resource(&other.path, &operation.path)
            })
            .filter_map(|other| other.body.as_ref())
            .chain([body])
            .flat_map(|body| &body.schema.properties)
            .filter(|(_, s)| !s.read_only)
            .map(|(name, _)| name.as_str())
            .collect();
        let other_user = context
            .identities
            .get(1)
            .and_then(|i| i.user_id.clone())
            .unwrap_or_else(|| "999999".into());
        let owner_value = other_user
            .parse::<i64>()
            .map_or_else(|_| Value::String(other_user.clone()), Value::from);
        let value_of = |kind: Kind| match kind {
            Kind::Role => json!("admin"),
            Kind::Roles => json!(["admin"]),
            Kind::Flag => json!(true),
            Kind::Owner => owner_value.clone(),
            Kind::Amount => json!(1_000_000),
            Kind::Text => json!("vibeguard-mass-assignment"),
            Kind::Integer => json!(424_242),
        };
        let mut extras = Map::new();
        // A privileged field the schema declares writable (`role` with `enum: [guest, host,
        // admin]` on a sign-up) is tried with its most privileged value.
        for (name, schema) in &body.schema.properties {
            let Some((_, kind)) = PRIVILEGED
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if schema.read_only {
                continue;
            }
            let value = match kind {
                Kind::Role | Kind::Roles => {
                    let top = super::most_privileged_role(&schema.enum_values)
                        .or_else(|| {
                            schema
                                .items
                                .as_deref()
                                .and_then(|items| super::most_privileged_role(&items.enum_values))
                        })
                        .unwrap_or_else(|| "admin".into());
                    if *kind == Kind::Roles {
                        json!([top])
                    } else {
                        json!(top)
                    }
                }
                other => value_of(*other),
            };
            extras.insert(name.clone(), value);
        }
        let mut add = |name: &str, kind: Kind| {
            if !writable.contains(&name) && !NEVER.contains(&name) && !extras.contains_key(name) {
                extras.insert(name.to_string(), value_of(kind));
            }
        };
        // Read-only request fields and fields only responses carry, by their type.
        let kind_of = |name: &str, schema: &Schema| {
            PRIVILEGED
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, k)| *k)
                .or(match schema.main_type() {
                    Some(SchemaType::String) => Some(Kind::Text),
                    Some(SchemaType::Integer | SchemaType::Number) => Some(Kind::Integer),
                    Some(SchemaType::Boolean) => Some(Kind::Flag),
                    _ => None,
                })
        };
        let response_fields = operation
            .responses
            .iter()
            .filter(|r| r.status.starts_with('2'))
            .filter_map(|r| r.schema.as_ref())
            .flat_map(|s| s.properties.iter());
        for (name, schema) in body
            .schema
            .properties
            .iter()
            .filter(|(_, s)| s.read_only)
            .chain(response_fields)
        {
            if let Some(kind) = kind_of(name, schema) {
                add(name, kind);
            }
        }
        for (name, kind) in PRIVILEGED {
            add(name, *kind);
        }
        extras
    }

    /// The producer whose create is this operation (for reading back), or whose items it
    /// updates (for a fresh object).
    fn producer<'a>(
        operation: &Operation,
        producers: &'a [Producer],
        context: &Context<'_>,
    ) -> Option<&'a Producer> {
        producers.iter().find(|p| {
            let create = &context.spec.operations[p.create];
            (create.method == operation.method && create.path == operation.path)
                || p.item_path == operation.path
        })
    }

    /// A valid body for `operation`, made unique with `tag` (e-mail addresses and user names
    /// must not collide with other checks' objects).
    fn body(
        operation: &Operation,
        context: &Context<'_>,
        tag: &str,
    ) -> Option<(BodyKind, String, Value)> {
        let body = operation.body.as_ref()?;
        if !matches!(body.kind, BodyKind::Json) {
            return None;
        }
        let mut value = context
            .synthesizer(operation, "mass-assignment")
            .valid(&body.schema, "");
        if let Value::Object(map) = &mut value {
            // The server's default, not a synthesized role, in the baseline.
            map.retain(|name, _| !PRIVILEGED.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)));
            for (name, field) in map.iter_mut() {
                if let Value::String(text) = field {
                    if let Some((local, domain)) = text.split_once('@') {
                        *text = format!("{local}.{tag}@{domain}");
                    } else if ["username", "login", "handle", "slug"]
                        .contains(&name.to_ascii_lowercase().as_str())
                    {
                        text.push_str(&format!("-{tag}"));
                    }
                }
            }
        }
        value
            .is_object()
            .then(|| (body.kind, body.media_type.clone(), value))
    }

    fn with(
        request: &Request,
        body: &(BodyKind, String, Value),
        extras: Option<&Map<String, Value>>,
    ) -> Request {
        let mut value = body.2.clone();
        if let (Value::Object(map), Some(extras)) = (&mut value, extras) {
            for (name, extra) in extras {
                map.insert(name.clone(), extra.clone());
            }
        }
        with_body(strip_body(request), body.0, &body.1, &value)
    }

    /// The item URL of an object.
    fn item_request(
        context: &Context<'_>,
        producer: &Producer,
        id: &str,
        method: &str,
    ) -> Option<Request> {
        let path = producer.item_path.replace(
            &format!("{{{}}}", producer.param),
            &percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        );
        let url = crate::identity::join(context.base, &path).ok()?;
        Some(Request::new(method, url))
    }
}

/// After a registration that took the extra fields: log in as the account it made (the
/// first identity's login, its account and password fields filled from what was registered),
/// then read that account's own record (`/me`) with the token the login gave, sent the way the
/// first identity's credential is.
fn registration_read_back(results: &[(Probe, Exchange)], context: &Context<'_>) -> Vec<Probe> {
    let registered = answer(results, EXTRAS)
        .filter(|e| e.response().is_some_and(|r| r.is_success()))
        .and_then(|e| auth_flows::login_fields(&e.request));
    let (Some((_, registered)), Some(first)) = (registered, context.identities.first()) else {
        return Vec::new();
    };
    let Some(login) = &first.login else {
        return Vec::new();
    };
    if answer(results, LOGIN_AS_NEW).is_none() {
        let Some((kind, mut fields)) = auth_flows::login_fields(login) else {
            return Vec::new();
        };
        let (mut account, mut secret) = (false, false);
        for (name, value) in fields.iter_mut() {
            let from = registered.get(name).or_else(|| {
                // `username` at login may be the registered e-mail (OAuth2 forms).
                auth_flows::is_account_field(name)
                    .then(|| registered.get("username").or(registered.get("email")))
                    .flatten()
            });
            if let Some(from) = from.filter(|v| v.is_string()) {
                *value = from.clone();
                account |= auth_flows::is_account_field(name);
                secret |= auth_flows::is_secret_field(name);
            }
        }
        if !account || !secret {
            return Vec::new();
        }
        return vec![Probe {
            label: LOGIN_AS_NEW.into(),
            identity: None,
            request: auth_flows::with_login_fields(login, kind, fields),
        }];
    }
    if answer(results, READ_AS_NEW).is_some() {
        return Vec::new();
    }
    let Some(token) = answer(results, LOGIN_AS_NEW).and_then(new_token) else {
        return Vec::new();
    };
    let Some(mut read) = context.own_record_request() else {
        return Vec::new();
    };
    match &first.credential {
        crate::identity::Credential::Header { name, value }
            if !first.token.is_empty() && value.contains(&first.token) =>
        {
            read.headers
                .push((name.clone(), value.replace(&first.token, &token)));
        }
        crate::identity::Credential::Cookie { name, .. } => {
            crate::identity::add_cookie(&mut read, name, &token)
        }
        _ => return Vec::new(),
    }
    vec![Probe {
        label: READ_AS_NEW.into(),
        identity: None,
        request: read,
    }]
}

/// The token a login answer gives (`token`, `access_token`, `accessToken`, `jwt`, under `data`
/// too), or the session cookie it sets.
fn new_token(exchange: &Exchange) -> Option<String> {
    let response = exchange.response().filter(|r| r.is_success())?;
    if let Some(body) = response.json() {
        let found = [
            "/token",
            "/access_token",
            "/accessToken",
            "/jwt",
            "/data/token",
            "/data/accessToken",
            "/data/access_token",
        ]
        .iter()
        .find_map(|pointer| body.pointer(pointer)?.as_str().map(str::to_string));
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Evidence with a credential's every occurrence masked.
fn masked(evidence: Evidence, secret: Option<&str>) -> Evidence {
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return evidence;
    };
    let redactor = vibeguard_core::Redactor::new([secret]);
    let hide = |text: String| redactor.redact(&text);
    match evidence {
        Evidence::Http {
            request,
            response,
            curl,
        } => Evidence::Http {
            request: hide(request),
            response: hide(response),
            curl: curl.map(hide),
        },
        other => other,
    }
}

fn answer<'a>(results: &'a [(Probe, Exchange)], label: &str) -> Option<&'a Exchange> {
    results
        .iter()
        .find(|(p, _)| p.label == label)
        .map(|(_, e)| e)
}

/// The object in an answer: the body, or the object under a usual wrapper key.
fn object_in(exchange: &Exchange) -> Option<Map<String, Value>> {
    let value = exchange.response().filter(|r| r.is_success())?.json()?;
    for wrapper in ["data", "user", "item", "result", "object"] {
        if let Some(Value::Object(inner)) = value.get(wrapper) {
            return Some(inner.clone());
        }
    }
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Whether a stored value is the injected one (numbers may come back as strings and back).
fn same_value(stored: &Value, injected: &Value) -> bool {
    stored == injected
        || (stored.as_str().is_some()
            && stored.as_str() == injected.as_i64().map(|n| n.to_string()).as_deref())
        || (injected.as_str().is_some()
            && injected.as_str() == stored.as_i64().map(|n| n.to_string()).as_deref())
        || (injected.is_array() && stored.as_str() == injected.get(0).and_then(Value::as_str))
}

impl Check for LiveMassAssignment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        // A form's `POST …/delete` takes no fields to assign: it deletes.
        if !matches!(operation.method.as_str(), "POST" | "PUT" | "PATCH")
            || operation.deletes()
            || context.identities.is_empty()
        {
            return Vec::new();
        }
        // Logins, resets and codes create nothing; registrations do.
        if auth_flows::flow(operation).is_some_and(|flow| flow != Flow::Registration) {
            return Vec::new();
        }
        let extras = Self::extras(operation, context);
        if extras.is_empty() {
            return Vec::new();
        }
        let producers = lifecycle::producers(context.spec);
        let producer = Self::producer(operation, &producers, context);
        if operation.method == "POST" && !operation.path.trim_end_matches('/').ends_with('}') {
            let Some(request) = context.request(operation, Some(0), 0) else {
                return Vec::new();
            };
            let (Some(baseline), Some(with_extras)) = (
                Self::body(operation, context, "mab"),
                Self::body(operation, context, "mae"),
            ) else {
                return Vec::new();
            };
            return vec![
                Probe {
                    label: BASELINE.into(),
                    identity: Some(0),
                    request: Self::with(&request, &baseline, None),
                },
                Probe {
                    label: EXTRAS.into(),
                    identity: Some(0),
                    request: Self::with(&request, &with_extras, Some(&extras)),
                },
            ];
        }
        // An update: on a fresh object of vibeguard's own.
        let Some(producer) = producer.filter(|p| p.item_path == operation.path) else {
            return Vec::new();
        };
        let create = &context.spec.operations[producer.create];
        let (Some(request), Some(body)) = (
            context.request(create, Some(0), 0),
            Self::body(create, context, "maf"),
        ) else {
            return Vec::new();
        };
        vec![Probe {
            label: FRESH.into(),
            identity: Some(0),
            request: Self::with(&request, &body, None),
        }]
    }

    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        if auth_flows::flow(operation) == Some(Flow::Registration) {
            return registration_read_back(results, context);
        }
        let producers = lifecycle::producers(context.spec);
        let Some(producer) = Self::producer(operation, &producers, context) else {
            return Vec::new();
        };
        let create = &context.spec.operations[producer.create];
        let id_of = |label: &str| {
            let exchange = answer(results, label)?;
            let response = exchange.response().filter(|r| r.is_success())?;
            lifecycle::created_id(&exchange.request, response, producer, create)
        };
        let read = |label: &str, id: &str| {
            Some(Probe {
                label: label.into(),
                identity: Some(0),
                request: Self::item_request(context, producer, id, "GET")?,
            })
        };
        let has = |label: &str| answer(results, label).is_some();
        if operation.method == "POST" {
            if has(READ_EXTRAS) {
                return Vec::new();
            }
            return [(BASELINE, READ_BASELINE), (EXTRAS, READ_EXTRAS)]
                .into_iter()
                .filter_map(|(created, label)| read(label, &id_of(created)?))
                .collect();
        }
        // Update: the fresh object, read before, changed with the extras, read after.
        let Some(id) = id_of(FRESH) else {
            return Vec::new();
        };
        if !has(READ_BASELINE) {
            return read(READ_BASELINE, &id).into_iter().collect();
        }
        if !has(EXTRAS) {
            let (Some(template), Some(body)) = (
                Self::item_request(context, producer, &id, &operation.method),
                Self::body(operation, context, "mau"),
            ) else {
                return Vec::new();
            };
            let extras = Self::extras(operation, context);
            return vec![Probe {
                label: EXTRAS.into(),
                identity: Some(0),
                request: Self::with(&template, &body, Some(&extras)),
            }];
        }
        if !has(READ_EXTRAS) {
            return read(READ_EXTRAS, &id).into_iter().collect();
        }
        Vec::new()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let extras = Self::extras(operation, context);
        let Some(sent) = answer(results, EXTRAS) else {
            return Vec::new();
        };
        if !sent.response().is_some_and(|r| r.is_success()) {
            return Vec::new();
        }
        // Read back when possible — the object, or the account made, through its own login
        // and record; otherwise what the creation answered.
        let (after, before, confirmed) =
            match (answer(results, READ_EXTRAS), answer(results, READ_BASELINE)) {
                (Some(after), Some(before)) if object_in(after).is_some() => {
                    (after, Some(before), true)
                }
                _ => match answer(results, READ_AS_NEW).filter(|e| object_in(e).is_some()) {
                    Some(own) => (own, answer(results, BASELINE), true),
                    None => (sent, answer(results, BASELINE), false),
                },
            };
        let (Some(after_object), before_object) = (object_in(after), before.and_then(object_in))
        else {
            return Vec::new();
        };
        let holds = |object: Option<&Map<String, Value>>, name: &str, injected: &Value| {
            object
                .and_then(|o| o.get(name))
                .is_some_and(|v| same_value(v, injected))
        };
        // A field the read-back does not show (a `/me` without `is_superuser`) is judged by the
        // creation answers instead.
        let (sent_object, baseline_object) = (
            object_in(sent),
            answer(results, BASELINE).and_then(object_in),
        );
        let stuck: Vec<&String> = extras
            .iter()
            .filter(|(name, injected)| {
                if after_object.contains_key(*name) {
                    holds(Some(&after_object), name, injected)
                        && !holds(before_object.as_ref(), name, injected)
                } else {
                    holds(sent_object.as_ref(), name, injected)
                        && !holds(baseline_object.as_ref(), name, injected)
                }
            })
            .map(|(name, _)| name)
            .collect();
        if stuck.is_empty() {
            return Vec::new();
        }
        let names: Vec<String> = stuck.iter().map(|n| format!("`{n}`")).collect();
        let how = if answer(results, READ_AS_NEW).is_some_and(|e| std::ptr::eq(e, after)) {
            "read back through the account's own login and record"
        } else if confirmed {
            "read back as the same identity"
        } else {
            "in the answer"
        };
        let mut finding = Finding::new(
            &META,
            location(
                operation,
                Some(format!(
                    "body:{}",
                    stuck
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                )),
            ),
            format!(
                "{} lets the client set {} ({how}, the injected value stuck)",
                operation.label(),
                names.join(", ")
            ),
            stuck
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(","),
        )
        .with_evidence(http_evidence(sent))
        .with_evidence(Evidence::Text {
            label: "fields added".into(),
            text: Value::Object(extras.clone()).to_string(),
        });
        if confirmed {
            // The account made is vibeguard's, but its token is a credential all the same.
            let token = answer(results, LOGIN_AS_NEW).and_then(new_token);
            finding = finding.with_evidence(masked(http_evidence(after), token.as_deref()));
        } else {
            finding = finding.with_confidence(Confidence::Firm);
        }
        if stuck.iter().any(|n| {
            PRIVILEGED
                .iter()
                .any(|(p, k)| p == n && matches!(k, Kind::Role | Kind::Roles | Kind::Owner))
                || n.to_ascii_lowercase().contains("admin")
        }) {
            finding = finding.with_severity(Severity::Critical);
        }
        vec![finding]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use crate::spec::RequestBody;

    fn schema(properties: &[(&str, SchemaType, bool)]) -> Schema {
        Schema {
            types: vec![SchemaType::Object],
            properties: properties
                .iter()
                .map(|(name, t, read_only)| {
                    (
                        (*name).to_string(),
                        Schema {
                            types: vec![*t],
                            read_only: *read_only,
                            ..Schema::default()
                        },
                    )
                })
                .collect(),
            ..Schema::default()
        }
    }

    fn register() -> Operation {
        let mut op = operation("POST", "/api/register", false);
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: schema(&[
                ("email", SchemaType::String, false),
                ("name", SchemaType::String, false),
            ]),
        });
        op
    }

    fn run(op: &Operation, server: &dyn Fn(&Request) -> (u16, String)) -> Vec<Finding> {
        let fixture = Fixture::new();
        let context = fixture.context();
        let answer = |probe: &Probe| {
            let (status, body) = server(&probe.request);
            let mut e = exchange(
                &probe.request.method,
                probe.request.url.as_str(),
                status,
                &[],
                &body,
            );
            e.request = probe.request.clone();
            (probe.clone(), e)
        };
        let mut results: Vec<(Probe, Exchange)> = LiveMassAssignment
            .plan(op, &context)
            .iter()
            .map(answer)
            .collect();
        for _ in 0..3 {
            let more = LiveMassAssignment.follow_up(op, &results, &context);
            results.extend(more.iter().map(answer));
        }
        LiveMassAssignment.evaluate(op, &results, &context)
    }

    fn echo(request: &Request, keep: &[&str]) -> (u16, String) {
        let body: Value =
            serde_json::from_slice(request.body.as_deref().unwrap_or_default()).unwrap_or_default();
        let mut stored = json!({"id": 7, "role": "user"});
        for (name, value) in body.as_object().into_iter().flatten() {
            if keep.contains(&name.as_str()) || ["email", "name"].contains(&name.as_str()) {
                stored[name] = value.clone();
            }
        }
        (201, stored.to_string())
    }

    #[test]
    fn a_registration_that_takes_the_role_is_reported_and_one_that_ignores_it_is_not() {
        let findings = run(&register(), &|r| echo(r, &["role", "isAdmin"]));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].message.contains("`isAdmin`, `role`"),
            "{}",
            findings[0].message
        );
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(findings[0].confidence, Confidence::Firm);
        assert!(run(&register(), &|r| echo(r, &[])).is_empty());
        // Refusing unknown fields is the best answer of all.
        assert!(
            run(&register(), &|r| if r
                .body
                .as_deref()
                .is_some_and(|b| String::from_utf8_lossy(b).contains("role"))
            {
                (400, "{}".into())
            } else {
                echo(r, &[])
            })
            .is_empty()
        );
    }

    /// A sign-up whose schema declares `role: enum [guest, host, admin]` (FastAPI writes it so
    /// when the model has a default role).
    fn register_with_declared_role() -> Operation {
        let mut op = register();
        if let Some(body) = &mut op.body {
            body.schema.properties.push((
                "role".into(),
                Schema {
                    types: vec![SchemaType::String],
                    enum_values: vec![json!("guest"), json!("host"), json!("admin")],
                    ..Schema::default()
                },
            ));
        }
        op
    }

    #[test]
    fn a_declared_role_is_tried_with_its_most_privileged_value_against_the_servers_default() {
        let op = register_with_declared_role();
        let fixture = Fixture::new();
        let context = fixture.context();
        let probes = LiveMassAssignment.plan(&op, &context);
        let body = |i: usize| -> Value {
            serde_json::from_slice(probes[i].request.body.as_deref().unwrap_or_default())
                .unwrap_or_default()
        };
        assert!(
            body(0).get("role").is_none(),
            "the baseline keeps the default"
        );
        assert_eq!(body(1)["role"], "admin");
        let findings = run(&op, &|r| echo(r, &["role"]));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].message.contains("`role`"));
        // A server that sets the role itself is not reported.
        assert!(run(&op, &|r| echo(r, &[])).is_empty());
        assert_eq!(
            crate::checks::most_privileged_role(&[json!("reader"), json!("editor")]),
            Some("editor".into())
        );
        assert_eq!(
            crate::checks::most_privileged_role(&[json!("basic"), json!("pro")]),
            None
        );
    }

    #[test]
    fn a_registration_is_read_back_through_the_new_accounts_own_login_and_record() {
        let mut fixture = Fixture::new();
        let mut login = Request::new(
            "POST",
            url::Url::parse("http://127.0.0.1:8080/api/login").expect("url"),
        );
        login.body = Some(
            br#"{"email":"alice@example.com","password":"alice-pw"}"#
                .to_vec()
                .into(),
        );
        login
            .headers
            .push(("Content-Type".into(), "application/json".into()));
        fixture.identities[0].login = Some(login);
        let mut register = register();
        if let Some(body) = &mut register.body {
            body.schema.properties.push((
                "password".into(),
                Schema {
                    types: vec![SchemaType::String],
                    ..Schema::default()
                },
            ));
        }
        fixture.spec.operations = vec![
            register.clone(),
            crate::checks::testing::operation("GET", "/api/me", true),
        ];
        let context = fixture.context();
        // Accounts keep whatever role they were registered with; `/me` shows it to the
        // account's own token, which never appears in the evidence.
        let accounts = std::cell::RefCell::new(Vec::<Value>::new());
        let results = crate::checks::testing::rounds(
            &LiveMassAssignment,
            &register,
            &context,
            &mut |probe| {
                let body: Value =
                    serde_json::from_slice(probe.request.body.as_deref().unwrap_or_default())
                        .unwrap_or_default();
                let path = probe.request.url.path().to_string();
                let reply = match path.as_str() {
                    "/api/register" => {
                        let role = body.get("role").cloned().unwrap_or(json!("user"));
                        let account = json!({"email": body["email"], "password": body["password"], "role": role});
                        accounts.borrow_mut().push(account);
                        (201, json!({"email": body["email"]}).to_string())
                    }
                    "/api/login" => {
                        let index = accounts.borrow().iter().position(|a| {
                            a["email"] == body["email"] && a["password"] == body["password"]
                        });
                        match index {
                            Some(i) => (200, json!({"token": format!("new-{i}")}).to_string()),
                            None => (401, "{}".into()),
                        }
                    }
                    _ => {
                        let header = probe.request.header_value("authorization").unwrap_or("");
                        let index = header
                            .strip_prefix("Bearer new-")
                            .and_then(|i| i.parse::<usize>().ok());
                        match index.and_then(|i| accounts.borrow().get(i).cloned()) {
                            Some(account) => (
                                200,
                                json!({"email": account["email"], "role": account["role"]})
                                    .to_string(),
                            ),
                            None => (401, "{}".into()),
                        }
                    }
                };
                crate::checks::testing::answer(probe, reply.0, &reply.1)
            },
        );
        let labels: Vec<&str> = results.iter().map(|(p, _)| p.label.as_str()).collect();
        assert!(
            labels.contains(&LOGIN_AS_NEW) && labels.contains(&READ_AS_NEW),
            "{labels:?}"
        );
        let findings = LiveMassAssignment.evaluate(&register, &results, &context);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].confidence, Confidence::Confirmed);
        assert!(
            findings[0]
                .message
                .contains("the account's own login and record"),
            "{}",
            findings[0].message
        );
        let evidence = format!("{:?}", findings[0].evidence);
        assert!(!evidence.contains("new-1"), "{evidence}");
        assert!(evidence.contains("[REDACTED]"), "{evidence}");
    }

    #[test]
    fn fields_the_resources_other_writes_take_are_not_injected() {
        let body = |fields: &[(&str, SchemaType, bool)]| RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: schema(fields),
        };
        // A recorded `PATCH {"published": false}`: its answer shows the whole article.
        let mut patch = operation("PATCH", "/api/articles/{id}/", true);
        patch.body = Some(body(&[("published", SchemaType::Boolean, false)]));
        patch.responses = vec![crate::spec::ResponseSpec {
            status: "200".into(),
            schema: Some(schema(&[
                ("id", SchemaType::Integer, false),
                ("title", SchemaType::String, false),
                ("content", SchemaType::String, false),
                ("published", SchemaType::Boolean, false),
                ("internal_note", SchemaType::String, false),
            ])),
        }];
        let mut put = operation("PUT", "/api/articles/{id}/", true);
        put.body = Some(body(&[("title", SchemaType::String, false)]));
        let mut create = operation("POST", "/api/articles/", true);
        create.body = Some(body(&[("content", SchemaType::String, false)]));
        let mut elsewhere = operation("POST", "/api/tickets/", true);
        elsewhere.body = Some(body(&[("internal_note", SchemaType::String, false)]));
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![patch.clone(), put, create, elsewhere];
        let extras = LiveMassAssignment::extras(&patch, &fixture.context());
        assert!(!extras.contains_key("title") && !extras.contains_key("content"));
        assert!(!extras.contains_key("published") && !extras.contains_key("id"));
        // Another resource taking a field of the same name says nothing of this one.
        assert_eq!(extras["internal_note"], json!("vibeguard-mass-assignment"));
        assert_eq!(extras["role"], json!("admin"));
        assert!(same_resource("/notes", "/notes/{note_id}"));
        assert!(!same_resource("/notes/{id}/tags", "/notes/{id}"));
    }
}
