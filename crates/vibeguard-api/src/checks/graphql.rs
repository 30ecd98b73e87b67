//! VG424 graphql: a GraphQL endpoint (from `[api] graphql`, the description, or the usual
//! paths) that tells and takes too much: introspection on, field suggestions in errors, no
//! depth limit, batches and aliases without limit, and arguments that reach SQL.

use std::borrow::Cow;

use serde_json::{Value, json};
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, Location, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::sql_injection::database_error;
use super::{Check, Context, Probe, exchange_labelled, http_evidence};
use crate::http::{Exchange, Request};
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct GraphQl;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG424"),
    name: Cow::Borrowed("graphql-exposure"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "The GraphQL endpoint shows its schema, suggests fields, or takes unbounded queries",
    ),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[200, 770, 89]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Api05]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Finds the endpoint (`[api] graphql`, a described path containing `graphql`, or \
             `/graphql`, `/api/graphql`, `/v1/graphql`, `/graphiql`, `/query`, `/gql`) by a \
             `{__typename}` query, then tries: an introspection query (the schema comes back); a \
             misspelled field (the error says \"Did you mean\"); a query nested 20 levels deep \
             (through `ofType`, which costs the server little); a batch of 10 queries in one request \
             and 100 aliases in one query; and, for up to three root fields with text arguments \
             learned from introspection, a quote in the argument that produces a database error a \
             balanced value does not. Each accepted abuse is a finding; injection is critical.",
        ),
        why: Cow::Borrowed(
            "Introspection and suggestions hand out the whole API, internal fields included. Without \
             depth, batch and alias limits one request asks for millions of objects or thousands \
             of login attempts, past every rate limit. Arguments reach resolvers that build SQL \
             like any other input.",
        ),
        example_bad: Cow::Borrowed(
            "new ApolloServer({ typeDefs, resolvers, introspection: true });",
        ),
        example_fixed: Cow::Borrowed(
            "new ApolloServer({ typeDefs, resolvers, introspection: false, allowBatchedHttpRequests: false,\n  validationRules: [depthLimit(8), costLimit(1000)] });",
        ),
        fix: Cow::Borrowed(
            "Turn introspection and suggestions off in production, limit depth, cost and aliases \
             (graphql-depth-limit, graphql-cost-analysis, graphql-armor), refuse or cap batches, and \
             parameterise every query a resolver runs.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/770.html"),
        ]),
    },
};

/// Where GraphQL usually lives.
const CANDIDATES: &[&str] = &[
    "/graphql",
    "/api/graphql",
    "/v1/graphql",
    "/graphiql",
    "/query",
    "/gql",
];

/// Depth of the nested query.
pub const DEPTH: usize = 20;
/// Queries in the batch, aliases in the alias query.
const BATCH: usize = 10;
const ALIASES: usize = 100;

const INTROSPECTION: &str = "query{__schema{queryType{name} types{name kind fields{name args{name type{name kind ofType{name kind}}} type{name kind ofType{name kind}}}}}}";

fn post(context: &Context<'_>, path: &str, body: &Value) -> Option<Request> {
    let url = context.origin().join(path.trim_start_matches('/')).ok()?;
    Some(Request::new("POST", url).json(body))
}

fn probe(context: &Context<'_>, label: String, path: &str, body: &Value) -> Option<Probe> {
    Some(Probe {
        label,
        identity: (!context.identities.is_empty()).then_some(0),
        request: post(context, path, body)?,
    })
}

/// The path a probe went to, from its label (`<kind> <path>`).
fn path_of(label: &str) -> &str {
    label.split_once(' ').map_or("", |(_, path)| path)
}

fn json_of(exchange: &Exchange) -> Option<Value> {
    exchange.response()?.json()
}

fn has_data(value: &Value) -> bool {
    value.get("data").is_some_and(|d| d.is_object())
        && value
            .get("errors")
            .is_none_or(|e| e.as_array().is_none_or(Vec::is_empty))
}

/// The endpoints that answered `{__typename}` like GraphQL.
fn endpoints(results: &[(Probe, Exchange)]) -> Vec<String> {
    let mut found: Vec<String> = results
        .iter()
        .filter(|(p, _)| p.label.starts_with("discover "))
        .filter(|(_, e)| {
            json_of(e).is_some_and(|v| v.pointer("/data/__typename").is_some_and(Value::is_string))
        })
        .map(|(p, _)| path_of(&p.label).to_string())
        .collect();
    found.dedup();
    found
}

/// Root fields with a text argument, from an introspection answer: (field, argument, whether the
/// field's type needs a selection).
fn text_arguments(schema: &Value) -> Vec<(String, String, bool)> {
    let root = schema
        .pointer("/data/__schema/queryType/name")
        .and_then(Value::as_str)
        .unwrap_or("Query");
    let Some(types) = schema
        .pointer("/data/__schema/types")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let Some(query) = types.iter().find(|t| t["name"] == root) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for field in query["fields"].as_array().into_iter().flatten() {
        let Some(name) = field["name"].as_str() else {
            continue;
        };
        let mut kind = &field["type"];
        while kind["kind"] == "NON_NULL" || kind["kind"] == "LIST" {
            if kind["ofType"].is_null() {
                break;
            }
            kind = &kind["ofType"];
        }
        let needs_selection = matches!(
            kind["kind"].as_str(),
            Some("OBJECT" | "INTERFACE" | "UNION") | None
        ) && !matches!(kind["kind"].as_str(), Some("SCALAR" | "ENUM"));
        for argument in field["args"].as_array().into_iter().flatten() {
            let type_name = argument
                .pointer("/type/name")
                .or_else(|| argument.pointer("/type/ofType/name"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if matches!(type_name, "String" | "ID")
                && let Some(arg) = argument["name"].as_str()
            {
                found.push((name.to_string(), arg.to_string(), needs_selection));
                break;
            }
        }
    }
    found
}

fn root_field_names(schema: &Value) -> Vec<String> {
    text_arguments(schema)
        .into_iter()
        .map(|(f, _, _)| f)
        .chain(
            schema
                .pointer("/data/__schema/types/0/fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| f["name"].as_str().map(str::to_string)),
        )
        .collect()
}

fn nested_query() -> String {
    // query (1) → __type (2) → fields (3) → type (4) → ofType (5…DEPTH): linear, cheap for
    // the server.
    let mut query = String::from("name");
    for _ in 0..DEPTH - 4 {
        query = format!("ofType{{{query}}}");
    }
    format!("query{{__type(name:\"Query\"){{fields{{type{{{query}}}}}}}}}")
}

fn graphql_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

impl GraphQl {
    fn candidates(context: &Context<'_>) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        if let Some(path) = context.graphql {
            paths.push(path.to_string());
        }
        let base = context.base.path().trim_end_matches('/');
        for operation in &context.spec.operations {
            if operation.path.to_ascii_lowercase().contains("graphql") {
                paths.push(format!("{base}{}", operation.path));
            }
        }
        if context.graphql.is_none() {
            paths.extend(CANDIDATES.iter().map(|p| p.to_string()));
        }
        let mut unique = Vec::new();
        for path in paths {
            if !unique.contains(&path) {
                unique.push(path);
            }
        }
        unique
    }
}

impl Check for GraphQl {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn subject_in(&self, exchange: &Exchange) -> bool {
        json_of(exchange)
            .is_some_and(|v| v.pointer("/data/__typename").is_some_and(Value::is_string))
    }

    fn absent_reason(&self) -> &'static str {
        "no GraphQL endpoint answered (configured, described, or at a usual path)"
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        Self::candidates(context)
            .iter()
            .filter_map(|path| {
                probe(
                    context,
                    format!("discover {path}"),
                    path,
                    &json!({"query": "query{__typename}"}),
                )
            })
            .collect()
    }

    fn follow_up(
        &self,
        _operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let mut probes = Vec::new();
        for path in endpoints(results).iter().take(1) {
            let label = |kind: &str| format!("{kind} {path}");
            if exchange_labelled(results, &label("introspection")).is_none() {
                let batch: Vec<Value> = (0..BATCH)
                    .map(|_| json!({"query": "query{__typename}"}))
                    .collect();
                let aliases: Vec<String> =
                    (0..ALIASES).map(|i| format!("a{i}:__typename")).collect();
                probes.extend(
                    [
                        ("introspection", json!({"query": INTROSPECTION})),
                        ("batch", Value::Array(batch)),
                        (
                            "aliases",
                            json!({"query": format!("query{{{}}}", aliases.join(" "))}),
                        ),
                        ("depth", json!({"query": nested_query()})),
                    ]
                    .into_iter()
                    .filter_map(|(kind, body)| probe(context, label(kind), path, &body)),
                );
                continue;
            }
            if exchange_labelled(results, &label("suggestion")).is_some() {
                continue;
            }
            let schema = exchange_labelled(results, &label("introspection"))
                .and_then(json_of)
                .filter(has_data);
            let misspelt = schema
                .as_ref()
                .and_then(|s| root_field_names(s).into_iter().find(|f| f.len() > 3))
                .map_or_else(
                    || "userr taskk postt accountt productt orderr".to_string(),
                    |f| format!("{f}x"),
                );
            probes.extend(probe(
                context,
                label("suggestion"),
                path,
                &json!({"query": format!("query{{{misspelt}}}")}),
            ));
            let fields = schema.as_ref().map(text_arguments).unwrap_or_default();
            for (field, argument, selection) in
                fields.into_iter().take(context.profile.pick(1, 3, 3))
            {
                let selection = if selection { "{__typename}" } else { "" };
                for (kind, value) in [("error", "vg'\""), ("control", "vg")] {
                    let query = format!(
                        "query{{{field}({argument}:{}){selection}}}",
                        graphql_string(value)
                    );
                    probes.extend(probe(
                        context,
                        format!("inject:{field}:{argument}:{kind} {path}"),
                        path,
                        &json!({"query": query}),
                    ));
                }
            }
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        if !operation.is_whole_target() {
            return Vec::new();
        }
        let mut findings = Vec::new();
        for path in endpoints(results).iter().take(1) {
            let at =
                |parameter: &str| Location::operation("POST", path, Some(parameter.to_string()));
            let label = |kind: &str| format!("{kind} {path}");
            let mut push =
                |kind: &str, severity: Severity, message: String, exchange: &Exchange| {
                    findings.push(
                        Finding::new(&META, at(kind), message, kind.to_string())
                            .with_severity(severity)
                            .with_evidence(http_evidence(exchange)),
                    );
                };
            if let Some(exchange) = exchange_labelled(results, &label("introspection"))
                && json_of(exchange).is_some_and(|v| {
                    v.pointer("/data/__schema/types")
                        .is_some_and(Value::is_array)
                })
            {
                push(
                    "introspection",
                    Severity::Medium,
                    format!(
                        "POST {path} answers introspection: the whole schema, internal fields included"
                    ),
                    exchange,
                );
            }
            if let Some(exchange) = exchange_labelled(results, &label("suggestion"))
                && exchange
                    .response()
                    .is_some_and(|r| r.text().contains("Did you mean"))
            {
                push(
                    "suggestion",
                    Severity::Low,
                    format!(
                        "POST {path} suggests field names in its errors (\"Did you mean …\"): the schema leaks even without introspection"
                    ),
                    exchange,
                );
            }
            if let Some(exchange) = exchange_labelled(results, &label("depth"))
                && json_of(exchange).is_some_and(|v| has_data(&v))
            {
                push(
                    "depth",
                    Severity::Medium,
                    format!("POST {path} runs a query nested {DEPTH} levels deep: no depth limit"),
                    exchange,
                );
            }
            if let Some(exchange) = exchange_labelled(results, &label("batch"))
                && json_of(exchange).is_some_and(|v| {
                    v.as_array()
                        .is_some_and(|a| a.len() >= BATCH && a.iter().all(has_data))
                })
            {
                push(
                    "batch",
                    Severity::Medium,
                    format!(
                        "POST {path} runs a batch of {BATCH} queries in one request: batches get past per-request rate limits"
                    ),
                    exchange,
                );
            }
            if let Some(exchange) = exchange_labelled(results, &label("aliases"))
                && json_of(exchange).is_some_and(|v| {
                    v.get("data")
                        .and_then(Value::as_object)
                        .is_some_and(|d| d.len() >= ALIASES)
                })
            {
                push(
                    "aliases",
                    Severity::Low,
                    format!(
                        "POST {path} runs {ALIASES} aliases of one field in one query: no alias or cost limit"
                    ),
                    exchange,
                );
            }
            for (probe, exchange) in results {
                let Some(rest) = probe.label.strip_prefix("inject:") else {
                    continue;
                };
                let Some(target) = rest.strip_suffix(&format!(":error {path}")) else {
                    continue;
                };
                let control =
                    exchange_labelled(results, &format!("inject:{target}:control {path}"));
                if let Some(database) = database_error(exchange)
                    && control.is_some_and(|c| database_error(c).is_none())
                {
                    let (field, argument) = target.split_once(':').unwrap_or((target, ""));
                    push(
                        &format!("argument:{field}.{argument}"),
                        Severity::Critical,
                        format!(
                            "POST {path}: the argument `{argument}` of `{field}` reaches SQL (a quote causes a {database} error, a plain value does not)"
                        ),
                        exchange,
                    );
                }
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange};

    /// A GraphQL server imitation: `open` answers everything, otherwise the hardened answers.
    fn server(open: bool, body: &Value) -> (u16, String) {
        let error = |message: &str| (200, json!({"errors": [{"message": message}]}).to_string());
        if let Some(batch) = body.as_array() {
            if !open {
                return (
                    400,
                    json!({"errors": [{"message": "batching is not supported"}]}).to_string(),
                );
            }
            return (
                200,
                Value::Array(
                    batch
                        .iter()
                        .map(|_| json!({"data": {"__typename": "Query"}}))
                        .collect(),
                )
                .to_string(),
            );
        }
        let query = body["query"].as_str().unwrap_or_default();
        if query.contains("__schema") {
            if !open {
                return error("introspection is disabled");
            }
            return (200, json!({"data": {"__schema": {"queryType": {"name": "Query"}, "types": [{"name": "Query", "kind": "OBJECT", "fields": [
                {"name": "tasks", "args": [{"name": "search", "type": {"name": "String", "kind": "SCALAR", "ofType": null}}], "type": {"name": null, "kind": "LIST", "ofType": {"name": "Task", "kind": "OBJECT"}}}
            ]}]}}}).to_string());
        }
        let depth = query.chars().filter(|c| *c == '{').count();
        if !open && depth > 8 {
            return error("query is nested too deeply");
        }
        if query.contains("a99:") {
            if !open {
                return error("too many aliases");
            }
            let data: serde_json::Map<String, Value> = (0..100)
                .map(|i| (format!("a{i}"), json!("Query")))
                .collect();
            return (200, json!({"data": data}).to_string());
        }
        if query.contains("__type(") {
            return (200, json!({"data": {"__type": {"fields": []}}}).to_string());
        }
        if query.contains("tasksx") {
            return error(if open {
                "Cannot query field \"tasksx\" on type \"Query\". Did you mean \"tasks\"?"
            } else {
                "Cannot query field \"tasksx\" on type \"Query\"."
            });
        }
        if let Some(start) = query.find("search:") {
            let argument = &query[start..];
            if open && argument.contains("vg'") {
                return error("SQLITE_ERROR: unrecognized token: \"'%\"");
            }
            return (200, json!({"data": {"tasks": []}}).to_string());
        }
        if query.contains("__typename") {
            return (200, json!({"data": {"__typename": "Query"}}).to_string());
        }
        error("unknown")
    }

    fn run(open: bool) -> Vec<Finding> {
        let fixture = Fixture::new();
        let context = fixture.context();
        let answer = |probe: &Probe| {
            let (status, text) = if probe.request.url.path() == "/graphql" {
                let body: Value =
                    serde_json::from_slice(probe.request.body.as_deref().unwrap_or_default())
                        .unwrap_or(Value::Null);
                server(open, &body)
            } else {
                (404, "Not found".to_string())
            };
            let mut recorded = exchange("POST", probe.request.url.as_str(), status, &[], &text);
            recorded.request = probe.request.clone();
            (probe.clone(), recorded)
        };
        let whole = Operation::whole_target();
        let mut results: Vec<(Probe, Exchange)> =
            GraphQl.plan_target(&context).iter().map(answer).collect();
        for _ in 0..3 {
            let more = GraphQl.follow_up(&whole, &results, &context);
            if more.is_empty() {
                break;
            }
            results.extend(more.iter().map(answer));
        }
        GraphQl.evaluate(&whole, &results, &context)
    }

    #[test]
    fn an_open_endpoint_shows_every_exposure() {
        let mut kinds: Vec<String> = run(true).into_iter().map(|f| f.identity).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            [
                "aliases",
                "argument:tasks.search",
                "batch",
                "depth",
                "introspection",
                "suggestion"
            ]
        );
    }

    #[test]
    fn a_locked_down_endpoint_gives_nothing() {
        assert!(run(false).is_empty(), "{:?}", run(false));
    }

    #[test]
    fn the_nested_query_is_as_deep_as_promised_and_linear() {
        let query = nested_query();
        assert_eq!(query.matches('{').count(), DEPTH);
        assert_eq!(query.matches("fields").count(), 1);
    }

    #[test]
    fn no_graphql_no_findings() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let whole = Operation::whole_target();
        let results: Vec<(Probe, Exchange)> = GraphQl
            .plan_target(&context)
            .into_iter()
            .map(|p| {
                let e = exchange("POST", p.request.url.as_str(), 404, &[], "Not found");
                (p, e)
            })
            .collect();
        assert!(GraphQl.follow_up(&whole, &results, &context).is_empty());
        assert!(GraphQl.evaluate(&whole, &results, &context).is_empty());
    }
}
