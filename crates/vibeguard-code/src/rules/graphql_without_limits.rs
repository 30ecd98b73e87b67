//! VG127 graphql-without-limits: GraphQL servers without depth or complexity limits, or with
//! introspection forced on.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind};
use crate::project::Local;

/// The rule.
#[derive(Debug)]
pub struct GraphqlWithoutLimits;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG127"),
    name: Cow::Borrowed("graphql-without-limits"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("GraphQL server without depth or complexity limits"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[770, 200]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Api05]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Apollo Server, express-graphql/graphql-http, GraphQL Yoga, Mercurius, Strawberry, \
             Graphene and Ariadne servers created without a depth or complexity limit \
             (`graphql-depth-limit`, `createComplexityLimitRule`, cost analysis, Yoga/Envelop \
             armor plugins, Mercurius `queryDepth`, Strawberry `QueryDepthLimiter`), and \
             `introspection: true` / `graphiql: true` set unconditionally. \
             Go: gqlgen servers without `extension.FixedComplexityLimit`, graph-gophers schemas without `MaxDepth`. \
             Ruby: a graphql-ruby `GraphQL::Schema` class without `max_depth`/`max_complexity`.",
        ),
        why: Cow::Borrowed(
            "One nested query (`friends { friends { friends ... } }`) makes the server resolve \
             millions of objects: a denial of service in a single request. Introspection hands \
             attackers the full schema, hidden fields included.",
        ),
        example_bad: Cow::Borrowed(
            "const server = new ApolloServer({ typeDefs, resolvers, introspection: true });",
        ),
        example_fixed: Cow::Borrowed(
            "const server = new ApolloServer({\n  typeDefs,\n  resolvers,\n  validationRules: [depthLimit(8), createComplexityLimitRule(1000)],\n  introspection: process.env.NODE_ENV !== 'production',\n});",
        ),
        fix: Cow::Borrowed(
            "Add a depth limit and a complexity or cost limit to every GraphQL server, and \
             enable introspection and GraphiQL only outside production.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/GraphQL_Cheat_Sheet.html",
            ),
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
            ),
        ]),
    },
};

fn mentions_limit(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "depthlimit",
        "depth_limit",
        "complexity",
        "costanalysis",
        "cost_analysis",
        "querydepth",
        "query_depth",
        "armor",
        "maxdepth",
        "max_depth",
        "querydepthlimiter",
        "maxaliases",
        "maxtokens",
    ]
    .iter()
    .any(|w| lower.replace(['-', ' '], "").contains(w))
}

impl CodeRule for GraphqlWithoutLimits {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[
            crate::language::Language::Ruby,
            crate::language::Language::Go,
        ]
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        let mut servers = 0;
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            // graphql-ruby: `class AppSchema < GraphQL::Schema` sets `max_depth` and
            // `max_complexity` (or a query analyzer) in its body.
            if module.language.is_ruby() {
                for class in &module.classes {
                    if !class
                        .bases
                        .iter()
                        .any(|b| module.text_of(b.range).ends_with("GraphQL::Schema"))
                    {
                        continue;
                    }
                    servers += 1;
                    if !mentions_limit(module.text_of(class.range))
                        && !module.text_of(class.range).contains("query_analyzer")
                    {
                        let name = class.name.as_deref().unwrap_or("schema");
                        out.push(cx.finding(
                            &META,
                            module_id,
                            class.range,
                            format!("graphql-ruby {name} has no max_depth or max_complexity"),
                            "graphql-ruby",
                        ));
                    }
                }
                continue;
            }
            for function_id in 0..module.functions.len() {
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else {
                        return;
                    };
                    let qualified = cx.index.qualified(module_id, callee);
                    let go_tail = crate::language::go_qualified_tail(qualified);
                    let go_tail = go_tail.as_str();
                    let server = match qualified {
                        // Go: gqlgen's server (limits added with `srv.Use(...)` in the same
                        // function), graph-gophers' schema (`graphql.MaxDepth(n)` among its
                        // options), graphql-go's HTTP handler.
                        q if module.language.is_go()
                            && q.contains("gqlgen")
                            && matches!(go_tail, "handler.NewDefaultServer" | "handler.New") =>
                        {
                            "gqlgen server"
                        }
                        q if module.language.is_go()
                            && q.contains("graph-gophers")
                            && matches!(
                                go_tail,
                                "graphql.MustParseSchema" | "graphql.ParseSchema"
                            ) =>
                        {
                            "graphql-go schema"
                        }
                        q if module.language.is_go()
                            && q.contains("graphql-go/handler")
                            && go_tail == "handler.New" =>
                        {
                            "graphql-go handler"
                        }
                        q if q.ends_with("ApolloServer") && q.contains("apollo") => "Apollo Server",
                        q if q.starts_with("express-graphql") || q.starts_with("graphql-http") => {
                            "GraphQL HTTP handler"
                        }
                        q if q.starts_with("graphql-yoga") && q.ends_with("createYoga") => {
                            "GraphQL Yoga"
                        }
                        q if q.starts_with("strawberry") && q.ends_with("Schema") => {
                            "Strawberry schema"
                        }
                        q if q.starts_with("graphene") && q.ends_with("Schema") => {
                            "Graphene schema"
                        }
                        q if q.starts_with("ariadne") && q.ends_with("GraphQL") => "Ariadne server",
                        _ => {
                            // fastify.register(mercurius, {...})
                            if callee.method_name() == Some("register")
                                && args
                                    .first()
                                    .and_then(|a| {
                                        cx.project.qualify(module_id, &a.value, &|_| Local::Unknown)
                                    })
                                    .is_some_and(|q| q.starts_with("mercurius"))
                            {
                                "Mercurius"
                            } else {
                                return;
                            }
                        }
                    };
                    servers += 1;
                    // The limits may sit in a variable (`validationRules: rules`); a Go server
                    // gets them from calls after it is made (`srv.Use(extension.FixedComplexityLimit(50))`).
                    let mut text = if server == "gqlgen server" {
                        module
                            .text_of(
                                module.functions[super::enclosing_function(module, e.range)].range,
                            )
                            .to_string()
                    } else {
                        module.text_of(e.range).to_string()
                    };
                    e.walk(&mut |inner| {
                        if let Some(name) = inner.as_name()
                            && let Some(value) =
                                crate::scope::definition_before(module, 0, name, u32::MAX)
                        {
                            text.push_str(module.text_of(value.range));
                        }
                    });
                    if !mentions_limit(&text) {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            e.range,
                            format!("{server} has no query depth or complexity limit"),
                            server,
                        ));
                    }
                    let forced = |name: &str| {
                        Expr::option(args, name)
                            .or_else(|| args.get(1).and_then(|a| a.value.property(name)))
                            .is_some_and(|v| matches!(v.kind, ExprKind::Bool(true)))
                    };
                    if forced("introspection") || forced("graphiql") {
                        out.push(
                            cx.finding(
                                &META,
                                module_id,
                                e.range,
                                format!(
                                    "{server} enables introspection/GraphiQL in every environment"
                                ),
                                "introspection",
                            )
                            .with_severity(Severity::Low),
                        );
                    }
                });
            }
        }
        if servers == 0 {
            Applicability::Absent("no GraphQL server found in the code")
        } else {
            Applicability::Applied
        }
    }
}
