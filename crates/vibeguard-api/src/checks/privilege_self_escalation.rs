//! VG430 privilege-self-escalation: a low-role identity sets a role or privilege field on its
//! **own** account (`PUT /users/{user_id}/role`, `PATCH /users/me {"is_admin": true}`) and the
//! API keeps it. Proven by reading the account back; then **restored**: the original value is
//! set again (as the identity itself, or else as the highest-ranked identity) and read back; a
//! restore that fails is said loudly, naming the account.

use std::borrow::Cow;

use serde_json::{Map, Value, json};
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, finding, with_body};
use crate::http::{Exchange, Request};
use crate::spec::{BodyKind, Operation, Schema, SchemaType};

/// The check.
#[derive(Debug)]
pub struct PrivilegeSelfEscalation;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG430"),
    name: Cow::Borrowed("privilege-self-escalation"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A user can give itself a higher role or admin rights"),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[269, 915]),
    owasp_api: Some(OwaspApi::Api5BrokenFunctionLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "For an operation that sets a role or privilege field (`role`, `roles`, `is_admin`, \
             `isAdmin`, `admin`, `is_staff`, `is_superuser`, `permissions`) — declared in its body, \
             or shown and not marked read-only by the account's record (the update's own answer, \
             a read of the same path, `GET /users/me`: a model bound whole takes what it shows) — \
             on a path naming the caller's own account (`/users/{user_id}/role` with the identity's own id, \
             `/users/me`, `/profile`), the lowest-ranked identity sends the most privileged \
             value: the schema's highest role (`admin` of `enum: [guest, host, admin]`), a higher \
             identity's role, or `true`. The account is read back through its own record (`GET \
             /users/me`, or the same path): when it now holds the value, the identity escalated \
             itself. vibeguard then sets the original value back (as the identity, or else as the \
             highest-ranked identity) and reads it again; if that fails, the finding says \
             RESTORE FAILED and names the account. Runs after every other check, alone.",
        ),
        why: Cow::Borrowed(
            "An endpoint meant for the admin screen that only checks \"is it your own account?\" \
             lets every user make itself an administrator, and then read, change and delete \
             everything the role allows.",
        ),
        example_bad: Cow::Borrowed(
            "@app.put('/users/{user_id}/role')\ndef set_role(user_id: UUID, body: RoleIn, user: CurrentUser):\n    if user.role != 'admin' and user.id != user_id:\n        raise HTTPException(403)\n    USERS[user_id].role = body.role",
        ),
        example_fixed: Cow::Borrowed(
            "@app.put('/users/{user_id}/role')\ndef set_role(user_id: UUID, body: RoleIn, admin: AdminUser):  # admins only\n    USERS[user_id].role = body.role",
        ),
        fix: Cow::Borrowed(
            "Let only administrators change roles and privilege flags, never the account's own \
             owner; keep those fields out of the models of profile updates.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/269.html"),
        ]),
    },
};

const BEFORE: &str = "its own account before";
const ESCALATE: &str = "set its own privilege";
const PROOF: &str = "its own account after";
const RESTORE: &str = "restore the original value";
const RESTORE_AS_TOP: &str = "restore the original value as the highest role";
const VERIFY: &str = "its own account restored";

/// Field names that carry a role or a privilege.
const PRIVILEGE_FIELDS: &[&str] = &[
    "role",
    "roles",
    "userrole",
    "isadmin",
    "admin",
    "isstaff",
    "issuperuser",
    "superuser",
    "permissions",
];

impl Check for PrivilegeSelfEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn essential(&self) -> bool {
        true
    }

    fn disruptive(&self) -> bool {
        true
    }

    fn sequential(&self) -> bool {
        true
    }

    /// It sends the account's own update with the privilege field alone (never a password or
    /// e-mail), and sets the original value back.
    fn restores_credentials(&self) -> bool {
        true
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        context
            .identities
            .is_empty()
            .then_some("needs an identity whose own account it can try to raise")
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(plan) = Plan::new(operation, context) else {
            return Vec::new();
        };
        let mut probes = Vec::new();
        if let Some(read) = &plan.read {
            probes.push(Probe {
                label: BEFORE.into(),
                identity: Some(plan.actor),
                request: read.clone(),
            });
        }
        probes.push(Probe {
            label: ESCALATE.into(),
            identity: Some(plan.actor),
            request: plan.change(&plan.raised),
        });
        probes
    }

    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let Some(plan) = Plan::new(operation, context) else {
            return Vec::new();
        };
        let done = |label: &str| results.iter().any(|(probe, _)| probe.label == label);
        let succeeded = |label: &str| {
            results.iter().any(|(probe, e)| {
                probe.label == label && e.response().is_some_and(|r| r.is_success())
            })
        };
        if !succeeded(ESCALATE) {
            return Vec::new();
        }
        let original = plan.original(results);
        let probe = |label: &str, identity: usize, request: Request| {
            vec![Probe {
                label: label.into(),
                identity: Some(identity),
                request,
            }]
        };
        // The proof, then the restore — whatever the proof said: a change that answered 2xx
        // may have applied. One round, in this order (the check is sequential).
        if !done(RESTORE) {
            let mut probes = Vec::new();
            if let Some(read) = &plan.read {
                probes.extend(probe(PROOF, plan.actor, read.clone()));
            }
            probes.extend(probe(RESTORE, plan.actor, plan.change(&original)));
            return probes;
        }
        if !succeeded(RESTORE)
            && !done(RESTORE_AS_TOP)
            && let Some(top) = plan.top.filter(|top| *top != plan.actor)
        {
            return probe(RESTORE_AS_TOP, top, plan.change(&original));
        }
        if !done(VERIFY)
            && let Some(read) = &plan.read
        {
            return probe(VERIFY, plan.actor, read.clone());
        }
        Vec::new()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(plan) = Plan::new(operation, context) else {
            return Vec::new();
        };
        let answer = |label: &str| {
            results
                .iter()
                .find(|(probe, _)| probe.label == label)
                .map(|(_, exchange)| exchange)
                .filter(|exchange| exchange.response().is_some_and(|r| r.is_success()))
        };
        let Some(change) = answer(ESCALATE) else {
            return Vec::new();
        };
        // Held before, it proves nothing (the identity may already be an administrator).
        if answer(BEFORE).is_some_and(|e| plan.holds(e, &plan.raised)) {
            return Vec::new();
        }
        let (proven, confidence) = match answer(PROOF) {
            Some(read) => (plan.holds(read, &plan.raised), Confidence::Confirmed),
            None => (plan.holds(change, &plan.raised), Confidence::Firm),
        };
        if !proven {
            return Vec::new();
        }
        let Some(actor) = context.identities.get(plan.actor) else {
            return Vec::new();
        };
        let original = plan.original(results);
        let restored = match answer(VERIFY) {
            Some(read) => plan.holds(read, &original),
            None => answer(RESTORE).or(answer(RESTORE_AS_TOP)).is_some(),
        };
        let aftermath = if restored {
            format!(
                "the original value ({}) was set back",
                super::value_text(&original)
            )
        } else {
            format!(
                "RESTORE FAILED: {}'s `{}` is still {} — set it back to {} by hand",
                actor.name,
                plan.field,
                super::value_text(&plan.raised),
                super::value_text(&original)
            )
        };
        vec![
            finding(
                &META,
                operation,
                format!(
                    "{} set its own `{}` to {} through {} (answered {}) and kept it; {aftermath}",
                    actor.name,
                    plan.field,
                    super::value_text(&plan.raised),
                    operation.label(),
                    change.status().unwrap_or_default(),
                ),
                format!("self-escalation:{}", plan.field),
                Some(change),
            )
            .with_confidence(confidence),
        ]
    }
}

/// What one operation's test needs.
struct Plan {
    /// Who raises itself: the lowest-ranked identity.
    actor: usize,
    /// The highest-ranked identity, to restore with if the actor cannot.
    top: Option<usize>,
    /// The change request without its body.
    path_request: Request,
    body_kind: BodyKind,
    media_type: String,
    /// The rest of a valid body (required fields).
    base_body: Map<String, Value>,
    field: String,
    raised: Value,
    /// The value to restore when the account's own record does not say it.
    configured: Value,
    /// How the account is read back.
    read: Option<Request>,
}

impl Plan {
    fn new(operation: &Operation, context: &Context<'_>) -> Option<Plan> {
        if !matches!(operation.method.as_str(), "PUT" | "PATCH" | "POST") {
            return None;
        }
        let body = operation.body.as_ref()?;
        if !matches!(body.kind, BodyKind::Json | BodyKind::Form) {
            return None;
        }
        let (field, schema) = body
            .schema
            .properties
            .iter()
            .find(|(name, schema)| !schema.read_only && is_privilege_field(name))
            .or_else(|| shown_privilege_field(operation, context))?;
        let rank = |i: usize| context.identities[i].rank().unwrap_or(0);
        let n = context.identities.len();
        // The lowest rank; among equals the last (configurations list their admins first).
        let actor = (0..n).rev().min_by_key(|&i| rank(i))?;
        let top = (0..n).max_by_key(|&i| rank(i));
        // The path must name the actor's own account (or be the caller's own record).
        let mut path = operation.path.clone();
        let params = operation.path_params();
        if params.is_empty() && !own_path(&operation.path) {
            return None;
        }
        for param in params {
            let value = context.account_value(operation, param, actor)?;
            path = path.replace(&format!("{{{param}}}"), &super::encode_segment(&value));
        }
        let url = crate::identity::join(context.base, &path).ok()?;
        let (raised, configured) = privileged_values(schema, context, actor)?;
        let mut base_body = match context
            .synthesizer(operation, "self-escalation")
            .required_only()
            .valid(&body.schema, "")
        {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        base_body.remove(field);
        // A required password or e-mail would be a synthesized credential: not sent.
        if base_body.keys().any(|name| {
            name.to_ascii_lowercase().contains("password")
                || name.to_ascii_lowercase().contains("email")
        }) {
            return None;
        }
        // Reading the account back: the caller's own record, or the same path.
        let read = context.own_record_request().or_else(|| {
            context
                .spec
                .operations
                .iter()
                .any(|op| op.method == "GET" && op.path == operation.path)
                .then(|| Request::new("GET", url.clone()))
        });
        Some(Plan {
            actor,
            top,
            path_request: Request::new(&operation.method, url),
            body_kind: body.kind,
            media_type: body.media_type.clone(),
            base_body,
            field: field.clone(),
            raised,
            configured,
            read,
        })
    }

    /// The change request with `value` in the privilege field.
    fn change(&self, value: &Value) -> Request {
        let mut body = self.base_body.clone();
        body.insert(self.field.clone(), value.clone());
        with_body(
            self.path_request.clone(),
            self.body_kind,
            &self.media_type,
            &Value::Object(body),
        )
    }

    /// Whether an answer shows the account holding `value` in the field.
    fn holds(&self, exchange: &Exchange, value: &Value) -> bool {
        exchange
            .response()
            .and_then(|r| r.json())
            .is_some_and(|body| {
                super::record_field(&body, &self.field).is_some_and(|held| same(held, value))
            })
    }

    /// The value to restore: what the account's own record said before, or the configured
    /// role.
    fn original(&self, results: &[(Probe, Exchange)]) -> Value {
        results
            .iter()
            .find(|(probe, _)| probe.label == BEFORE)
            .and_then(|(_, exchange)| exchange.response()?.json())
            .and_then(|body| super::record_field(&body, &self.field).cloned())
            .unwrap_or_else(|| self.configured.clone())
    }
}

fn is_privilege_field(name: &str) -> bool {
    PRIVILEGE_FIELDS.contains(&name.to_ascii_lowercase().replace(['_', '-'], "").as_str())
}

/// A privilege field the update does not declare but the account's record shows — in the
/// update's own answer, a read of the same path, or the caller's own record (`GET /me`) — and
/// does not mark read-only: a serializer or model bound whole (`fields = [...]` with
/// `is_staff`, `Object.assign(user, req.body)`) takes what it shows. Recorded traffic and
/// code routes know a body only by the fields the client happened to send.
fn shown_privilege_field<'a>(
    operation: &'a Operation,
    context: &'a Context<'_>,
) -> Option<&'a (String, Schema)> {
    if operation.method == "POST" && !own_path(&operation.path) {
        return None;
    }
    let reads = context.spec.operations.iter().filter(|op| {
        op.method == "GET"
            && (op.path == operation.path || crate::identity::is_own_record(&op.path))
    });
    std::iter::once(operation)
        .chain(reads)
        .flat_map(|op| &op.responses)
        .filter(|response| response.status.starts_with('2'))
        .filter_map(|response| response.schema.as_ref())
        .flat_map(|schema| &schema.properties)
        .find(|(name, schema)| !schema.read_only && is_privilege_field(name))
}

/// Whether a parameterless path is the caller's own account (`/users/me/role`, `/profile`).
fn own_path(path: &str) -> bool {
    path.trim_matches('/').split('/').any(|segment| {
        matches!(
            segment.to_ascii_lowercase().as_str(),
            "me" | "self" | "profile" | "account" | "myself"
        )
    })
}

/// The raised value of a privilege field and the actor's own (to restore when the record does
/// not say it).
fn privileged_values(
    schema: &Schema,
    context: &Context<'_>,
    actor: usize,
) -> Option<(Value, Value)> {
    let own_role = context.identities[actor].role.clone();
    match schema.main_type() {
        Some(SchemaType::Boolean) => Some((json!(true), json!(false))),
        Some(SchemaType::Array) => {
            let top = schema
                .items
                .as_deref()
                .and_then(|items| super::most_privileged_role(&items.enum_values))
                .unwrap_or_else(|| "admin".into());
            Some((
                json!([top]),
                json!(own_role.into_iter().collect::<Vec<_>>()),
            ))
        }
        _ => {
            let actor_rank = context.identities[actor].rank().unwrap_or(0);
            // The schema's most privileged role, or the highest role another identity holds.
            let raised = super::most_privileged_role(&schema.enum_values).or_else(|| {
                context
                    .identities
                    .iter()
                    .filter(|i| i.rank().unwrap_or(0) > actor_rank)
                    .max_by_key(|i| i.rank())
                    .and_then(|i| i.role.clone())
            })?;
            let own = own_role.unwrap_or_else(|| "user".into());
            (raised != own).then(|| (json!(raised), json!(own)))
        }
    }
}

fn same(held: &Value, value: &Value) -> bool {
    held == value
        || held
            .as_str()
            .zip(value.as_str())
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, json_operation, rounds};

    /// alice the admin, bob the guest; `PUT /users/{user_id}/role {"role": enum}` and `GET
    /// /users/me`.
    fn fixture() -> Fixture {
        let mut fixture = Fixture::new();
        fixture.identities[0].role = Some("admin".into());
        fixture.identities[1].role = Some("guest".into());
        let mut role = json_operation("PUT", "/users/{user_id}/role", &[("role", None)]);
        if let Some(body) = &mut role.body {
            body.schema.properties[0].1.enum_values =
                vec![json!("guest"), json!("host"), json!("admin")];
        }
        fixture.spec.operations = vec![
            role,
            crate::checks::testing::operation("GET", "/users/me", true),
        ];
        fixture
    }

    /// A server whose role change checks only that the account is the caller's own (`own`) or
    /// nothing at all, keeping the role across requests.
    fn server(allows_own: bool) -> impl Fn(&Probe) -> Exchange {
        let role = std::sync::Mutex::new("guest".to_string());
        move |probe: &Probe| {
            let mut held = role.lock().expect("lock");
            if probe.request.method == "PUT" {
                if !allows_own && probe.identity != Some(0) {
                    return answer(probe, 403, r#"{"detail": "Not enough permissions"}"#);
                }
                let body: Value =
                    serde_json::from_slice(probe.request.body.as_deref().unwrap_or_default())
                        .unwrap_or_default();
                if let Some(new) = body["role"].as_str() {
                    *held = new.to_string();
                }
            }
            answer(
                probe,
                200,
                &format!(r#"{{"id": "2", "username": "bob", "role": "{held}"}}"#),
            )
        }
    }

    #[test]
    fn a_guest_that_makes_itself_admin_is_found_and_set_back() {
        let fixture = fixture();
        let context = fixture.context();
        let op = &fixture.spec.operations[0];
        let results = rounds(&PrivilegeSelfEscalation, op, &context, &mut server(true));
        let sent: Vec<(&str, Option<usize>)> = results
            .iter()
            .map(|(p, _)| (p.label.as_str(), p.identity))
            .collect();
        assert_eq!(
            sent,
            [
                (BEFORE, Some(1)),
                (ESCALATE, Some(1)),
                (PROOF, Some(1)),
                (RESTORE, Some(1)),
                (VERIFY, Some(1)),
            ]
        );
        assert!(results[1].0.request.url.path().ends_with("/users/2/role"));
        let findings = PrivilegeSelfEscalation.evaluate(op, &results, &context);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].confidence, Confidence::Confirmed);
        assert!(
            findings[0]
                .message
                .starts_with("bob set its own `role` to admin")
                && findings[0].message.contains("(guest) was set back"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_refused_change_is_no_finding_and_nothing_needs_restoring() {
        let fixture = fixture();
        let context = fixture.context();
        let op = &fixture.spec.operations[0];
        let results = rounds(&PrivilegeSelfEscalation, op, &context, &mut server(false));
        assert_eq!(results.len(), 2, "read, refused change, nothing more");
        assert!(
            PrivilegeSelfEscalation
                .evaluate(op, &results, &context)
                .is_empty()
        );
    }

    #[test]
    fn only_privilege_fields_on_the_callers_own_account_are_tried() {
        let fixture = fixture();
        let context = fixture.context();
        // Another account's path: the account-takeover and role checks' business.
        let other = json_operation("PUT", "/teams/{team_id}/role", &[("role", None)]);
        assert!(PrivilegeSelfEscalation.plan(&other, &context).is_empty());
        let plain = json_operation("PATCH", "/users/me", &[("display_name", None)]);
        assert!(PrivilegeSelfEscalation.plan(&plain, &context).is_empty());
        let mut mine = json_operation("PATCH", "/users/me", &[("is_admin", None)]);
        if let Some(body) = &mut mine.body {
            body.schema.properties[0].1.types = vec![SchemaType::Boolean];
        }
        let probes = PrivilegeSelfEscalation.plan(&mine, &context);
        assert_eq!(probes.len(), 2);
        assert!(
            String::from_utf8_lossy(probes[1].request.body.as_deref().unwrap_or_default())
                .contains(r#""is_admin":true"#)
        );
    }

    #[test]
    fn a_privilege_field_the_record_shows_is_tried_though_the_update_omits_it() {
        let mut fixture = fixture();
        let flag = |read_only: bool| crate::spec::ResponseSpec {
            status: "200".into(),
            schema: Some(Schema {
                types: vec![SchemaType::Object],
                properties: vec![
                    ("first_name".into(), Schema::default()),
                    (
                        "is_staff".into(),
                        Schema {
                            types: vec![SchemaType::Boolean],
                            read_only,
                            ..Schema::default()
                        },
                    ),
                ],
                ..Schema::default()
            }),
        };
        // A settings page recorded with the names the client sent; its record shows more.
        fixture.spec.operations[1].responses = vec![flag(false)];
        let update = json_operation("PATCH", "/api/me/", &[("first_name", None)]);
        let context = fixture.context();
        let probes = PrivilegeSelfEscalation.plan(&update, &context);
        assert_eq!(probes.len(), 2, "read, then the change");
        assert!(
            String::from_utf8_lossy(probes[1].request.body.as_deref().unwrap_or_default())
                .contains(r#""is_staff":true"#)
        );
        // Marked read-only where it is shown, or shown on no record: nothing to try.
        fixture.spec.operations[1].responses = vec![flag(true)];
        assert!(
            PrivilegeSelfEscalation
                .plan(&update, &fixture.context())
                .is_empty()
        );
        fixture.spec.operations[1].responses.clear();
        assert!(
            PrivilegeSelfEscalation
                .plan(&update, &fixture.context())
                .is_empty()
        );
        // A create on another path is not the caller's account, whatever its answer shows.
        let mut create = json_operation("POST", "/api/tickets/", &[("subject", None)]);
        create.responses = vec![flag(false)];
        assert!(
            PrivilegeSelfEscalation
                .plan(&create, &fixture.context())
                .is_empty()
        );
    }
}
