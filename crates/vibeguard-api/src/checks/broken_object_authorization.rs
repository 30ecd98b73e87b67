//! VG402 broken-object-authorization (BOLA/IDOR): identity B reads, changes or deletes an object
//! that belongs to identity A.

use std::borrow::Cow;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, finding};
use crate::http::Exchange;
use crate::policy::Access;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct BrokenObjectAuthorization;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG402"),
    name: Cow::Borrowed("broken-object-authorization"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("A user can read, change or delete another user's object by its id"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[639, 862]),
    owasp_api: Some(OwaspApi::Api1BrokenObjectLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Objects created by the first identity (and the first identity's own user record) are read, \
             changed and deleted as the second identity. Anything but 401/403/404 is a finding; for reads, \
             the second identity's answer is compared with the owner's view, so an answer that merely says \
             200 without the data is reported as tentative. Operations declared `public` in \
             `[api.access]` are skipped.",
        ),
        why: Cow::Borrowed(
            "The most exploited API flaw: the handler trusts the id in the URL and never checks that the \
             object belongs to the caller. Anyone with an account walks the ids and downloads, edits or \
             deletes every other user's data.",
        ),
        example_bad: Cow::Borrowed(
            "router.delete('/notes/:id', auth, (req, res) => Note.destroy({ where: { id: req.params.id } }));",
        ),
        example_fixed: Cow::Borrowed(
            "router.delete('/notes/:id', auth, async (req, res) => {\n  const n = await Note.destroy({ where: { id: req.params.id, ownerId: req.user.id } });\n  res.sendStatus(n ? 204 : 404);\n});",
        ),
        fix: Cow::Borrowed(
            "Scope every object lookup by the authenticated user (`WHERE id = ? AND owner_id = ?`), or check \
             ownership (or an explicit permission) before acting, and answer 404 rather than revealing that \
             the object exists.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/639.html"),
        ]),
    },
};

const OWNER: &str = "the owner";
const OTHER: &str = "another user";

impl Check for BrokenObjectAuthorization {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        (context.identities.len() < 2)
            .then_some("needs two identities ([identities.*]) to try one user's objects as another")
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if context.identities.len() < 2 || operation.path_params().is_empty() {
            return Vec::new();
        }
        if matches!(context.policy.access_for(operation), Some(Access::Public)) {
            return Vec::new();
        }
        let owns_object = context.object_for(operation, 0, 0).is_some();
        let is_user_record = operation
            .path_params()
            .iter()
            .any(|p| Context::is_user_param(operation, p))
            && context.identities[0].user_id.is_some();
        if !owns_object && !is_user_record {
            return Vec::new();
        }
        let Some(request) = context.request(operation, Some(0), 0) else {
            return Vec::new();
        };
        let mut probes = Vec::new();
        if operation.method == "GET" {
            probes.push(Probe {
                label: OWNER.into(),
                identity: Some(0),
                request: request.clone(),
            });
        }
        probes.push(Probe {
            label: OTHER.into(),
            identity: Some(1),
            request,
        });
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some((_, other)) = results.iter().find(|(probe, _)| probe.label == OTHER) else {
            return Vec::new();
        };
        let Some(response) = other.response().filter(|r| r.is_success()) else {
            return Vec::new();
        };
        let (owner_name, other_name) = (&context.identities[0].name, &context.identities[1].name);
        let action = match operation.method.as_str() {
            "GET" | "HEAD" => "read",
            "DELETE" => "deleted",
            _ => "changed",
        };
        let mut confidence = Confidence::Confirmed;
        if action == "read" {
            let owner_view = results
                .iter()
                .find(|(probe, _)| probe.label == OWNER)
                .and_then(|(_, exchange)| exchange.response())
                .filter(|r| r.is_success())
                .and_then(|r| r.json());
            match (owner_view, response.json()) {
                (Some(owner), Some(seen)) if similarity(&owner, &seen) >= 0.8 => {}
                // 200 with something else: maybe a generic page, maybe a filtered view.
                _ => confidence = Confidence::Tentative,
            }
        }
        let message = format!(
            "{other_name} {action} an object of {owner_name} through {} (answered {})",
            operation.label(),
            response.status
        );
        let severity = if action == "read" {
            Severity::High
        } else {
            Severity::Critical
        };
        vec![
            finding(
                &META,
                operation,
                message,
                format!("bola:{}", operation.method),
                Some(other),
            )
            .with_confidence(confidence)
            .with_severity(severity),
        ]
    }
}

/// How much of `owner`'s view `seen` repeats: the share of owner's leaf values also in `seen`.
fn similarity(owner: &Value, seen: &Value) -> f64 {
    let mut owner_leaves = Vec::new();
    leaves(owner, "", &mut owner_leaves);
    if owner_leaves.is_empty() {
        return if owner == seen { 1.0 } else { 0.0 };
    }
    let mut seen_leaves = Vec::new();
    leaves(seen, "", &mut seen_leaves);
    let shared = owner_leaves
        .iter()
        .filter(|leaf| seen_leaves.contains(leaf))
        .count();
    shared as f64 / owner_leaves.len() as f64
}

fn leaves(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| leaves(v, &format!("{path}/{k}"), out)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, &format!("{path}/{i}"), out)),
        scalar => out.push(format!("{path}={scalar}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation, probe};
    use crate::lifecycle::CreatedObject;

    fn object() -> CreatedObject {
        CreatedObject {
            collection: "/notes".into(),
            item_path: "/notes/{id}".into(),
            param: "id".into(),
            value: "7".into(),
            owner: 0,
            slot: 0,
            body: None,
        }
    }

    #[test]
    fn plans_owner_and_other_probes_on_owned_objects_and_own_user_records() {
        let mut fixture = Fixture::new();
        fixture.objects.push(object());
        let context = fixture.context();
        let probes =
            BrokenObjectAuthorization.plan(&operation("GET", "/notes/{id}", true), &context);
        assert_eq!(probes.len(), 2);
        assert_eq!(probes[1].identity, Some(1));
        assert!(probes[1].request.url.path().ends_with("/notes/7"));
        let user = BrokenObjectAuthorization.plan(&operation("GET", "/users/{id}", true), &context);
        assert!(
            user[1].request.url.path().ends_with("/users/1"),
            "alice's own record"
        );
        assert!(
            BrokenObjectAuthorization
                .plan(&operation("DELETE", "/users/{id}", true), &context)
                .is_empty(),
            "not ours to delete"
        );
        assert!(
            BrokenObjectAuthorization
                .plan(&operation("GET", "/things/{id}", true), &context)
                .is_empty()
        );
    }

    #[test]
    fn another_users_success_with_the_owners_data_is_confirmed() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = operation("GET", "/notes/{id}", true);
        let url = "http://127.0.0.1:8080/notes/7";
        let body = r#"{"id":7,"title":"alice's note","owner":1}"#;
        let leaked = vec![
            (
                probe(OWNER, Some(0), "GET", url),
                exchange("GET", url, 200, &[], body),
            ),
            (
                probe(OTHER, Some(1), "GET", url),
                exchange("GET", url, 200, &[], body),
            ),
        ];
        let found = BrokenObjectAuthorization.evaluate(&op, &leaked, &context);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Confirmed);
        assert!(found[0].message.starts_with("bob read an object of alice"));
        let generic = vec![
            (
                probe(OWNER, Some(0), "GET", url),
                exchange("GET", url, 200, &[], body),
            ),
            (
                probe(OTHER, Some(1), "GET", url),
                exchange("GET", url, 200, &[], "{\"items\":[]}"),
            ),
        ];
        assert_eq!(
            BrokenObjectAuthorization.evaluate(&op, &generic, &context)[0].confidence,
            Confidence::Tentative
        );
        for status in [401, 403, 404] {
            let refused = vec![(
                probe(OTHER, Some(1), "GET", url),
                exchange("GET", url, status, &[], ""),
            )];
            assert!(
                BrokenObjectAuthorization
                    .evaluate(&op, &refused, &context)
                    .is_empty()
            );
        }
        let delete = operation("DELETE", "/notes/{id}", true);
        let deleted = vec![(
            probe(OTHER, Some(1), "DELETE", url),
            exchange("DELETE", url, 204, &[], ""),
        )];
        assert_eq!(
            BrokenObjectAuthorization.evaluate(&delete, &deleted, &context)[0].severity,
            Severity::Critical
        );
    }
}
