//! VG403 broken-function-authorization (BFLA): an operation reserved for a role (admin) answers
//! a plain user.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, Probe, finding};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct BrokenFunctionAuthorization;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG403"),
    name: Cow::Borrowed("broken-function-authorization"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("An operation reserved for a role (such as admin) answers a plain user"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[285, 862]),
    owasp_api: Some(OwaspApi::Api5BrokenFunctionLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Operations reserved for a role — declared in `[api.access]` (`\"* /api/admin/*\" = \
             \"role:admin\"`), marked in the description (`x-roles`, `x-required-role`, an `admin` tag), or \
             under an `/admin` path — are called as an identity without that role. A 2xx answer is a \
             finding. Only reads are sent unless `--allow-destructive`.",
        ),
        why: Cow::Borrowed(
            "Assistants protect admin pages in the front end and forget the API behind them: any logged-in \
             user can list every account, change roles or export data by calling the endpoint directly.",
        ),
        example_bad: Cow::Borrowed(
            "router.get('/admin/users', auth, (req, res) => res.json(db.users.all()));",
        ),
        example_fixed: Cow::Borrowed(
            "router.get('/admin/users', auth, requireRole('admin'), (req, res) => …);",
        ),
        fix: Cow::Borrowed(
            "Check the caller's role on the server for every privileged operation (a middleware on the whole \
             admin router), deny by default, and test it with a non-admin account.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/285.html"),
        ]),
    },
};

impl BrokenFunctionAuthorization {
    /// The first identity that does not hold `role`.
    fn plain_identity(context: &Context<'_>, role: &str) -> Option<usize> {
        context.identities.iter().position(|identity| {
            identity
                .role
                .as_deref()
                .is_none_or(|r| !r.eq_ignore_ascii_case(role))
        })
    }
}

impl Check for BrokenFunctionAuthorization {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        if context.identities.is_empty() {
            return Some("needs an identity without the privileged role");
        }
        (!context
            .spec
            .operations
            .iter()
            .any(|op| context.policy.required_role(op).is_some()))
        .then_some("no operation is reserved for a role (declare them in [api.access])")
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(role) = context.policy.required_role(operation) else {
            return Vec::new();
        };
        let Some(identity) = Self::plain_identity(context, &role) else {
            return Vec::new();
        };
        if operation.is_destructive()
            && context.object_for(operation, identity, 0).is_none()
            && !context.allow_destructive
        {
            return Vec::new();
        }
        if operation.method == "POST" && !context.allow_destructive {
            return Vec::new();
        }
        context
            .request(operation, Some(identity), 0)
            .map(|request| {
                vec![Probe {
                    label: format!("an identity without the {role} role"),
                    identity: Some(identity),
                    request,
                }]
            })
            .unwrap_or_default()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        results
            .iter()
            .filter(|(_, exchange)| exchange.response().is_some_and(|r| r.is_success()))
            .take(1)
            .map(|(probe, exchange)| {
                let who = probe
                    .identity
                    .and_then(|i| context.identities.get(i))
                    .map_or("a plain user", |i| i.name.as_str());
                let role = context.policy.required_role(operation).unwrap_or_default();
                finding(
                    &META,
                    operation,
                    format!(
                        "{} is reserved for {role} but {who} (without that role) got {}",
                        operation.label(),
                        exchange.status().unwrap_or(200)
                    ),
                    "bfla".into(),
                    Some(exchange),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation, probe};

    #[test]
    fn admin_operations_are_tried_as_a_plain_user() {
        let mut fixture = Fixture::new();
        fixture.identities[0].role = Some("admin".into());
        let context = fixture.context();
        let admin = operation("GET", "/api/admin/users", true);
        let probes = BrokenFunctionAuthorization.plan(&admin, &context);
        assert_eq!(probes.len(), 1);
        assert_eq!(probes[0].identity, Some(1), "bob has no admin role");
        assert!(
            BrokenFunctionAuthorization
                .plan(&operation("GET", "/api/users", true), &context)
                .is_empty()
        );
        assert!(
            BrokenFunctionAuthorization
                .plan(&operation("POST", "/api/admin/reset", true), &context)
                .is_empty(),
            "not sent without --allow-destructive"
        );
    }

    #[test]
    fn success_is_a_finding_and_refusal_is_not() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let admin = operation("GET", "/api/admin/users", true);
        let url = "http://127.0.0.1:8080/api/admin/users";
        let allowed = vec![(
            probe("plain", Some(1), "GET", url),
            exchange("GET", url, 200, &[], "[]"),
        )];
        let found = BrokenFunctionAuthorization.evaluate(&admin, &allowed, &context);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("reserved for admin but bob"));
        let refused = vec![(
            probe("plain", Some(1), "GET", url),
            exchange("GET", url, 403, &[], ""),
        )];
        assert!(
            BrokenFunctionAuthorization
                .evaluate(&admin, &refused, &context)
                .is_empty()
        );
    }
}
