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
            "Objects the identities created (nested ones too: a booking under a venue) and their own \
             account records (`/users/{id}`, `/users/{username}`, `/users/me`'s id) are read, changed \
             and deleted as another identity of the same standing: two customers, two users, or \
             identities whose roles vibeguard cannot rank (roles ranked apart are VG403's). Reads \
             cross every such pair; changes and deletions one. Anything but 401/403/404 is a finding; \
             for reads, the answer is compared with the owner's view — data that is not the owner's \
             (the caller's own filtered list) is no finding, a non-JSON 200 is tentative — and an \
             object anyone may read without credentials, where the description does not ask for \
             them, is public. Creating under another's object (a comment, a booking) is a finding \
             only when that object is not public. A collection's list (`GET /expenses`) is read by \
             the owner's peers: one that shows them the owner's test objects is not scoped to its \
             caller (unless anyone may list them without credentials). Operations declared \
             `public` in `[api.access]` are skipped. When the API takes tokens vibeguard forges \
             (VG410, or signed with the secret VG411 guessed), the objects are crossed again with \
             the token forged for their owner and its peers as the only callers (reads and \
             changes; deletions are left to the identities' own crossings): a separate \
             finding that names the chain (`a token forged for alice (alg none, VG410) changed \
             an object of alice`).",
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
const ANONYMOUS: &str = "no credentials";
const PARENT: &str = "the parent object without credentials";

const LIST: &str = "the list as";
const LIST_ANONYMOUS: &str = "the list without credentials";

/// The first identity whose test objects live in this collection (`GET /expenses` lists what
/// `POST /expenses` created) and that has peers to read the list.
fn listed_owner(operation: &Operation, context: &Context<'_>) -> Option<usize> {
    (0..context.identities.len()).find(|&owner| {
        !context.peers(owner).is_empty()
            && context
                .objects
                .iter()
                .any(|o| o.owner == owner && o.collection == operation.path)
    })
}

/// A collection read by each of the owner's peers (and anonymously where the description
/// does not ask for credentials): a list that shows them the owner's objects is not scoped to
/// its caller.
fn plan_list(operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
    let Some(owner) = listed_owner(operation, context) else {
        return Vec::new();
    };
    let Some(request) = context.request(operation, Some(owner), 0) else {
        return Vec::new();
    };
    let mut probes: Vec<Probe> = context
        .peers(owner)
        .into_iter()
        .map(|peer| Probe {
            label: format!("{LIST} {peer} {owner}"),
            identity: Some(peer),
            request: request.clone(),
        })
        .collect();
    if !context.policy.requires_auth(operation) {
        probes.push(Probe {
            label: format!("{LIST_ANONYMOUS} {owner}"),
            identity: None,
            request,
        });
    }
    probes
}

/// Whether a list answer holds one of `owner`'s objects of this collection (an entry with a
/// field equal to the object's key).
fn lists_objects_of(
    exchange: &Exchange,
    operation: &Operation,
    owner: usize,
    context: &Context<'_>,
) -> bool {
    let Some(body) = exchange
        .response()
        .filter(|r| r.is_success())
        .and_then(|r| r.json())
    else {
        return false;
    };
    let keys: Vec<&str> = context
        .objects
        .iter()
        .filter(|o| o.owner == owner && o.collection == operation.path)
        .map(|o| o.value.as_str())
        .collect();
    crate::lifecycle::list_entries(&body).iter().any(|entry| {
        entry.as_object().is_some_and(|fields| {
            fields.values().any(|value| match value {
                Value::String(text) => keys.contains(&text.as_str()),
                Value::Number(number) => keys.contains(&number.to_string().as_str()),
                _ => false,
            })
        })
    })
}

fn evaluate_list(
    operation: &Operation,
    results: &[(Probe, Exchange)],
    context: &Context<'_>,
) -> Vec<Finding> {
    for (probe, exchange) in results {
        let mut words = probe
            .label
            .strip_prefix(LIST)
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|w| w.parse::<usize>().ok());
        let (Some(peer), Some(owner)) = (words.next(), words.next()) else {
            continue;
        };
        if !lists_objects_of(exchange, operation, owner, context) {
            continue;
        }
        // Anyone may list them: a public catalog, not another user's data.
        let public = results.iter().any(|(p, e)| {
            p.label == format!("{LIST_ANONYMOUS} {owner}")
                && lists_objects_of(e, operation, owner, context)
        });
        if public {
            return Vec::new();
        }
        let (Some(owner_name), Some(peer_name)) = (
            context.identities.get(owner).map(|i| &i.name),
            context.identities.get(peer).map(|i| &i.name),
        ) else {
            return Vec::new();
        };
        return vec![finding(
            &META,
            operation,
            format!(
                "{peer_name} sees {owner_name}'s objects in {} (answered {}): the list is not scoped to its caller",
                operation.label(),
                exchange.status().unwrap_or_default()
            ),
            "bola-list:GET".into(),
            Some(exchange),
        )];
    }
    Vec::new()
}

/// The request that reads the object a `POST` creates under (`GET /venues/{venue_id}` for
/// `POST /venues/{venue_id}/bookings`), on `owner`'s object.
fn public_parent_read(
    operation: &Operation,
    owner: usize,
    context: &Context<'_>,
) -> Option<crate::http::Request> {
    let object = context.object_for(operation, owner, 0)?;
    let read = context
        .spec
        .operations
        .iter()
        .find(|op| op.method == "GET" && op.path == object.item_path)?;
    context.request(read, Some(owner), 0)
}

impl Check for BrokenObjectAuthorization {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn takes_forged_callers(&self) -> bool {
        true
    }

    fn essential(&self) -> bool {
        true
    }

    /// An object operation no identity's test object or account fills (its create failed,
    /// or there is none): nobody's object was tried as another's there.
    fn uncovered(&self, operation: &Operation, context: &Context<'_>) -> Option<&'static str> {
        let object_operation = (matches!(
            operation.method.as_str(),
            "GET" | "PUT" | "PATCH" | "DELETE"
        ) || operation.deletes()
            || operation.is_form_update())
            && !operation.path_params().is_empty();
        if context.identities.len() < 2
            || !object_operation
            || matches!(context.policy.access_for(operation), Some(Access::Public))
        {
            return None;
        }
        let filled = (0..context.identities.len()).any(|owner| {
            context.object_for(operation, owner, 0).is_some()
                || operation
                    .path_params()
                    .iter()
                    .any(|p| context.account_value(operation, p, owner).is_some())
        });
        (!filled).then_some(
            "no test object or account of an identity fills its path (its create failed, or there is none): no user's object was tried as another's",
        )
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        (context.identities.len() < 2)
            .then_some("needs two identities ([identities.*]) to try one user's objects as another")
    }

    /// Reads cross every pair of peers (each of the first two owners' objects, read by every
    /// identity of the owner's standing); changes and deletions cross one pair, so that the
    /// object is there for the other checks. Identities whose roles rank apart are left to
    /// VG403: an administrator reading a user's object is its job, a user changing an
    /// administrator's object is a question of role.
    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        if context.identities.len() < 2
            || matches!(context.policy.access_for(operation), Some(Access::Public))
        {
            return Vec::new();
        }
        if operation.method == "GET" && listed_owner(operation, context).is_some() {
            // A list read with a token forged for its owner shows what the owner's shows:
            // the forgery's finding says so already.
            if context.has_forged() {
                return Vec::new();
            }
            return plan_list(operation, context);
        }
        if operation.path_params().is_empty() {
            return Vec::new();
        }
        let read = operation.method == "GET";
        let owns_object = |owner: usize| context.object_for(operation, owner, 0).is_some();
        let account_record = |owner: usize| {
            !owns_object(owner)
                && operation
                    .path_params()
                    .iter()
                    .any(|p| context.account_value(operation, p, owner).is_some())
        };
        let owners: Vec<usize> = (0..context.identities.len())
            .filter(|&owner| owns_object(owner) || account_record(owner))
            .filter(|&owner| !context.peers(owner).is_empty())
            .take(if read { 2 } else { 1 })
            .collect();
        let mut probes = Vec::new();
        for owner in owners {
            let Some(request) = context.request(operation, Some(owner), 0) else {
                continue;
            };
            if read {
                probes.push(Probe {
                    label: format!("{OWNER} {owner}"),
                    identity: Some(owner),
                    request: request.clone(),
                });
                // An object anyone may read (a public profile, a catalog entry) is nobody's
                // secret: the anonymous answer tells them apart. Where the description asks
                // for credentials, an open answer is no excuse (and VG401's finding).
                if !context.policy.requires_auth(operation) {
                    probes.push(Probe {
                        label: format!("{ANONYMOUS} {owner}"),
                        identity: None,
                        request: request.clone(),
                    });
                }
            } else if operation.method == "POST"
                && !operation.deletes()
                && !operation.is_form_update()
                && let Some(parent) = public_parent_read(operation, owner, context)
            {
                // Creating under another's object (a booking at a venue, a comment on a post)
                // is the point of objects anyone may read.
                probes.push(Probe {
                    label: format!("{PARENT} {owner}"),
                    identity: None,
                    request: parent,
                });
            }
            let peers = context.peers(owner);
            let others = if read { &peers[..] } else { &peers[..1] };
            for &other in others {
                probes.push(Probe {
                    label: format!("{OTHER} {other} {owner}"),
                    identity: Some(other),
                    request: request.clone(),
                });
            }
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        if results
            .iter()
            .any(|(probe, _)| probe.label.starts_with(LIST))
        {
            return evaluate_list(operation, results, context);
        }
        let answer = |label: String| {
            results
                .iter()
                .find(|(probe, _)| probe.label == label)
                .and_then(|(_, exchange)| exchange.response())
                .filter(|r| r.is_success())
        };
        let action = match operation.method.as_str() {
            "GET" | "HEAD" => "read",
            _ if operation.deletes() => "deleted",
            _ => "changed",
        };
        // The first crossing that succeeded, in plan order; confirmed ones first.
        let mut best: Option<(Confidence, usize, usize, &Exchange)> = None;
        for (probe, exchange) in results {
            let mut words = probe
                .label
                .strip_prefix(OTHER)
                .unwrap_or("")
                .split_whitespace();
            let (Some(other), Some(owner)) = (
                words.next().and_then(|w| w.parse::<usize>().ok()),
                words.next().and_then(|w| w.parse::<usize>().ok()),
            ) else {
                continue;
            };
            // A change is judged by meaning (a redirect to the object or the list is a form's
            // "done"); a read by its status and content.
            let done = if action == "read" {
                exchange.response().is_some_and(|r| r.is_success())
            } else {
                crate::http::outcome::accepted(exchange)
            };
            let Some(response) = exchange.response().filter(|_| done) else {
                continue;
            };
            let mut confidence = Confidence::Confirmed;
            if action == "read" {
                let owner_view = answer(format!("{OWNER} {owner}")).and_then(|r| r.json());
                let seen = response.json();
                let public = answer(format!("{ANONYMOUS} {owner}"))
                    .and_then(|r| r.json())
                    .zip(owner_view.as_ref())
                    .is_some_and(|(anonymous, owner)| similarity(owner, &anonymous) >= 0.8);
                if public {
                    continue;
                }
                match (owner_view, seen) {
                    (Some(owner), Some(seen)) if similarity(&owner, &seen) >= 0.8 => {}
                    // Data, but not the owner's: the caller's own filtered view (a list of
                    // its own bookings), or a generic answer.
                    (Some(_), Some(_)) => continue,
                    // 200 with something that is not JSON: maybe the object, maybe a page.
                    _ => confidence = Confidence::Tentative,
                }
            } else if operation.method == "POST" && answer(format!("{PARENT} {owner}")).is_some() {
                continue;
            }
            let better = match &best {
                None => true,
                Some((held, ..)) => {
                    *held == Confidence::Tentative && confidence == Confidence::Confirmed
                }
            };
            if better {
                best = Some((confidence, other, owner, exchange));
            }
        }
        let Some((confidence, other, owner, exchange)) = best else {
            return Vec::new();
        };
        let (Some(owner_name), Some(other_name)) = (
            context.identities.get(owner).map(|i| &i.name),
            context.identities.get(other).map(|i| &i.name),
        ) else {
            return Vec::new();
        };
        let status = exchange.status().unwrap_or_default();
        let message = format!(
            "{other_name} {action} an object of {owner_name} through {} (answered {status})",
            operation.label(),
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
                Some(exchange),
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
            parents: Vec::new(),
        }
    }

    #[test]
    fn plans_owner_and_other_probes_on_owned_objects_and_own_user_records() {
        let mut fixture = Fixture::new();
        fixture.objects.push(object());
        let context = fixture.context();
        let probes =
            BrokenObjectAuthorization.plan(&operation("GET", "/notes/{id}", true), &context);
        assert_eq!(
            probes.len(),
            2,
            "bob has no object here: alice's, read by both"
        );
        assert_eq!(probes[1].identity, Some(1));
        assert!(probes[1].request.url.path().ends_with("/notes/7"));
        let user = BrokenObjectAuthorization.plan(&operation("GET", "/users/{id}", true), &context);
        let paths: Vec<(&str, Option<usize>, &str)> = user
            .iter()
            .map(|p| (p.label.as_str(), p.identity, p.request.url.path()))
            .collect();
        assert_eq!(
            paths,
            [
                ("the owner 0", Some(0), "/users/1"),
                ("another user 1 0", Some(1), "/users/1"),
                ("the owner 1", Some(1), "/users/2"),
                ("another user 0 1", Some(0), "/users/2"),
            ],
            "each identity's own record, crossed both ways"
        );
        let profile =
            BrokenObjectAuthorization.plan(&operation("GET", "/users/{username}", false), &context);
        assert_eq!(
            profile[1].label, "no credentials 0",
            "an undeclared-secure profile is compared with the anonymous view"
        );
        let named = BrokenObjectAuthorization
            .plan(&operation("GET", "/accounts/{username}", true), &context);
        assert!(named[0].request.url.path().ends_with("/accounts/alice"));
        let mailed = BrokenObjectAuthorization
            .plan(&operation("GET", "/subscriptions/{email}", true), &context);
        assert!(
            mailed[0]
                .request
                .url
                .path()
                .ends_with("/subscriptions/alice%40example.com")
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
                probe("the owner 0", Some(0), "GET", url),
                exchange("GET", url, 200, &[], body),
            ),
            (
                probe("another user 1 0", Some(1), "GET", url),
                exchange("GET", url, 200, &[], body),
            ),
        ];
        let found = BrokenObjectAuthorization.evaluate(&op, &leaked, &context);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].confidence, Confidence::Confirmed);
        assert!(found[0].message.starts_with("bob read an object of alice"));
        let answered = |seen: &str| {
            vec![
                (
                    probe("the owner 0", Some(0), "GET", url),
                    exchange("GET", url, 200, &[], body),
                ),
                (
                    probe("another user 1 0", Some(1), "GET", url),
                    exchange("GET", url, 200, &[], seen),
                ),
            ]
        };
        // Data that is not the owner's: the caller's own (filtered) view.
        assert!(
            BrokenObjectAuthorization
                .evaluate(&op, &answered("{\"items\":[]}"), &context)
                .is_empty()
        );
        // 200 with a page: maybe the object, maybe not.
        assert_eq!(
            BrokenObjectAuthorization.evaluate(&op, &answered("<html>ok</html>"), &context)[0]
                .confidence,
            Confidence::Tentative
        );
        for status in [401, 403, 404] {
            let refused = vec![(
                probe("another user 1 0", Some(1), "GET", url),
                exchange("GET", url, status, &[], ""),
            )];
            assert!(
                BrokenObjectAuthorization
                    .evaluate(&op, &refused, &context)
                    .is_empty()
            );
        }
        // A profile anyone may read is no one's secret.
        let profile = operation("GET", "/users/{username}", false);
        let page = r#"{"username":"alice","bio":"hi"}"#;
        let user_url = "http://127.0.0.1:8080/users/alice";
        let mut public = vec![
            (
                probe("the owner 0", Some(0), "GET", user_url),
                exchange("GET", user_url, 200, &[], page),
            ),
            (
                probe("no credentials 0", None, "GET", user_url),
                exchange("GET", user_url, 200, &[], page),
            ),
            (
                probe("another user 1 0", Some(1), "GET", user_url),
                exchange("GET", user_url, 200, &[], page),
            ),
        ];
        assert!(
            BrokenObjectAuthorization
                .evaluate(&profile, &public, &context)
                .is_empty()
        );
        public[1].1 = exchange("GET", user_url, 401, &[], "");
        assert_eq!(
            BrokenObjectAuthorization.evaluate(&profile, &public, &context)[0].message,
            "bob read an object of alice through GET /users/{username} (answered 200)"
        );
        let delete = operation("DELETE", "/notes/{id}", true);
        let deleted = vec![(
            probe("another user 1 0", Some(1), "DELETE", url),
            exchange("DELETE", url, 204, &[], ""),
        )];
        assert_eq!(
            BrokenObjectAuthorization.evaluate(&delete, &deleted, &context)[0].severity,
            Severity::Critical
        );
    }

    #[test]
    fn only_peers_are_crossed_and_creating_under_a_public_object_is_no_crossing() {
        // An administrator reading a user's object is its job.
        let mut fixture = Fixture::new();
        fixture.identities[0].role = Some("admin".into());
        fixture.identities[1].role = Some("user".into());
        let mut users_object = object();
        users_object.owner = 1;
        fixture.objects.push(users_object);
        let context = fixture.context();
        assert!(
            BrokenObjectAuthorization
                .plan(&operation("GET", "/notes/{id}", true), &context)
                .is_empty()
        );

        // bob books at alice's venue: fine when anyone may read the venue, not otherwise.
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![operation("GET", "/notes/{id}", false)];
        fixture.objects.push(object());
        let context = fixture.context();
        let create = operation("POST", "/notes/{id}/comments", true);
        let probes = BrokenObjectAuthorization.plan(&create, &context);
        let labels: Vec<&str> = probes.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "the parent object without credentials 0",
                "another user 1 0"
            ]
        );
        let created = |parent_status: u16| {
            vec![
                (
                    probes[0].clone(),
                    exchange(
                        "GET",
                        "http://127.0.0.1:8080/notes/7",
                        parent_status,
                        &[],
                        "{}",
                    ),
                ),
                (
                    probes[1].clone(),
                    exchange(
                        "POST",
                        "http://127.0.0.1:8080/notes/7/comments",
                        201,
                        &[],
                        "{}",
                    ),
                ),
            ]
        };
        assert!(
            BrokenObjectAuthorization
                .evaluate(&create, &created(200), &context)
                .is_empty()
        );
        assert_eq!(
            BrokenObjectAuthorization
                .evaluate(&create, &created(401), &context)
                .len(),
            1
        );

        // A form's `POST /notes/{id}/edit` changes the note itself: a public note is still
        // nobody else's to change.
        let edit = operation("POST", "/notes/{id}/edit", true);
        assert!(edit.is_form_update() && !create.is_form_update());
        let probes = BrokenObjectAuthorization.plan(&edit, &context);
        let labels: Vec<&str> = probes.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["another user 1 0"]);
        let saved = vec![(
            probes[0].clone(),
            exchange(
                "POST",
                "http://127.0.0.1:8080/notes/7/edit",
                302,
                &[("Location", "/notes/7")],
                "",
            ),
        )];
        let findings = BrokenObjectAuthorization.evaluate(&edit, &saved, &context);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains("changed an object"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_list_that_shows_a_peer_the_owners_objects_is_found_unless_anyone_may_list_them() {
        let mut fixture = Fixture::new();
        let mut listed = object();
        listed.collection = "/notes".into();
        listed.value = "n7".into();
        fixture.objects.push(listed);
        let context = fixture.context();
        let list = operation("GET", "/notes", true);
        let probes = BrokenObjectAuthorization.plan(&list, &context);
        let labels: Vec<&str> = probes.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["the list as 1 0"]);
        let url = "http://127.0.0.1:8080/notes";
        let answered = |body: &str| vec![(probes[0].clone(), exchange("GET", url, 200, &[], body))];
        let found = BrokenObjectAuthorization.evaluate(
            &list,
            &answered(r#"{"data": [{"_id": "n7", "title": "alice's"}]}"#),
            &context,
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .starts_with("bob sees alice's objects in GET /notes")
        );
        // Scoped to its caller: bob's own, or nothing.
        assert!(
            BrokenObjectAuthorization
                .evaluate(&list, &answered(r#"{"data": [{"_id": "n9"}]}"#), &context)
                .is_empty()
        );

        // A catalog anyone may list is nobody's secret.
        let public_list = operation("GET", "/notes", false);
        let probes = BrokenObjectAuthorization.plan(&public_list, &context);
        assert_eq!(probes.len(), 2);
        let body = r#"[{"id": "n7"}]"#;
        let both: Vec<(Probe, Exchange)> = probes
            .iter()
            .map(|p| (p.clone(), exchange("GET", url, 200, &[], body)))
            .collect();
        assert!(
            BrokenObjectAuthorization
                .evaluate(&public_list, &both, &context)
                .is_empty()
        );
    }

    #[test]
    fn an_object_operation_nobody_could_fill_is_named_untested_not_passed() {
        let mut fixture = Fixture::new();
        let context = fixture.context();
        let things = operation("GET", "/things/{id}", true);
        assert!(BrokenObjectAuthorization.plan(&things, &context).is_empty());
        assert!(
            BrokenObjectAuthorization
                .uncovered(&things, &context)
                .is_some()
        );
        // An account record is filled by the identities' own ids: tried, no gap.
        assert!(
            BrokenObjectAuthorization
                .uncovered(&operation("GET", "/users/{id}", true), &context)
                .is_none()
        );
        // No object reference, no gap.
        assert!(
            BrokenObjectAuthorization
                .uncovered(&operation("GET", "/things", true), &context)
                .is_none()
        );
        // Once a test object fills it, it is planned.
        let mut thing = object();
        thing.item_path = "/things/{id}".into();
        fixture.objects.push(thing);
        let context = fixture.context();
        assert!(
            BrokenObjectAuthorization
                .uncovered(&things, &context)
                .is_none()
        );
    }
}
