//! VG102 nosql-injection: request data that may be an object (a JSON body, a parsed query
//! string) used as a MongoDB filter or inside one, or in `$where`.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, project_calls};
use crate::flow::label::{Kinds, Label};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::ir::ExprKind;

/// The rule.
#[derive(Debug)]
pub struct NosqlInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG102"),
    name: Cow::Borrowed("nosql-injection"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("MongoDB filter shaped by request data"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[943]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A request body or query-string value passed, unconverted, as a MongoDB filter or \
             as a value inside one (`User.findOne({ email: req.body.email, password: \
             req.body.password })`, `collection.find(req.query)`, pymongo \
             `find_one({'name': request.json['name']})`), and request data in a `$where` \
             clause. JSON bodies and Express's query parser turn `password[$ne]=x` into \
             `{ $ne: 'x' }`, an operator. Values converted with `String()`, a template, a \
             schema validation (zod, joi, pydantic) or `mongo-sanitize`, and projects using \
             `express-mongo-sanitize`, are safe. \
             Go: the MongoDB driver's `Find`/`FindOne`/`UpdateOne`/… with filter values from a map or `bson.M` the body was decoded into, and `$where` built from input. \
             Ruby: Mongoid criteria (`where`, `find_by`, `any_of` on a `Mongoid::Document`) and the Ruby driver's collections given `params` values, and a `\"$where\"` built from them.",
        ),
        why: Cow::Borrowed(
            "`{\"password\": {\"$ne\": null}}` matches every user: the login succeeds without the \
             password. `$regex` and `$where` let attackers enumerate data or run JavaScript in the \
             database.",
        ),
        example_bad: Cow::Borrowed(
            "const user = await User.findOne({ email: req.body.email, password: req.body.password });",
        ),
        example_fixed: Cow::Borrowed(
            "const { email, password } = loginSchema.parse(req.body); // zod: strings only\nconst user = await User.findOne({ email: String(email) });",
        ),
        fix: Cow::Borrowed(
            "Validate the input's types with a schema (zod, joi, pydantic) or convert values \
             with `String()` before they reach the query; add `express-mongo-sanitize`; never \
             build `$where` from input.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/943.html"),
            Cow::Borrowed(
                "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/05.6-Testing_for_NoSQL_Injection",
            ),
        ]),
    },
};

const FILTER_METHODS: &[&str] = &[
    "find",
    "findOne",
    "findOneAndUpdate",
    "findOneAndDelete",
    "findOneAndRemove",
    "findOneAndReplace",
    "updateOne",
    "updateMany",
    "deleteOne",
    "deleteMany",
    "replaceOne",
    "countDocuments",
    "count",
    "exists",
    "where",
    "distinct",
    "remove",
    "find_one",
    "find_one_and_update",
    "find_one_and_delete",
    "update_one",
    "update_many",
    "delete_one",
    "delete_many",
    "count_documents",
];

/// Whether a receiver is a Mongo model or collection: a capitalised model, `db.collection(..)`,
/// a pymongo collection (`db.users`, `db['users']`), or anything from mongoose/mongodb.
fn is_collection(call: &Call<'_, '_>) -> bool {
    let Some(receiver) = call.receiver() else {
        return false;
    };
    let qualified = call.qualified();
    if qualified.starts_with("mongoose")
        || qualified.starts_with("mongodb")
        || qualified.starts_with("pymongo")
        || qualified.contains("collection")
    {
        return true;
    }
    match &receiver.kind {
        ExprKind::Name(name) => {
            name.chars().next().is_some_and(char::is_uppercase)
                || name.to_ascii_lowercase().ends_with("collection")
                || name.to_ascii_lowercase().ends_with("model")
        }
        ExprKind::Member { object, .. } | ExprKind::Index { object, .. } => object
            .as_name()
            .is_some_and(|n| matches!(n, "db" | "database" | "mongo")),
        ExprKind::Call { callee, .. } => callee.method_name() == Some("collection"),
        _ => false,
    }
}

impl FlowRule for NosqlInjection {
    fn kind(&self) -> Kinds {
        kind::NOSQL
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        if super::in_go(call) {
            return go_sinks(call, name);
        }
        // ActiveRecord's `find`, `where` and friends are SQL (VG101's); Mongoid's are not.
        if super::in_ruby(call) {
            return ruby_sinks(call, name);
        }
        if !FILTER_METHODS.contains(&name) || !is_collection(call) {
            return Vec::new();
        }
        let Some(filter) = call.arg(0) else {
            return Vec::new();
        };
        let mut sinks = vec![SinkArg {
            value: filter,
            note: "MongoDB filter",
        }];
        if let Some(clause) = filter.property("$where") {
            sinks.push(SinkArg {
                value: clause,
                note: "$where clause",
            });
        }
        sinks
    }

    fn accepts(&self, label: &Label, note: &'static str) -> bool {
        let Some(part) = label.request_part() else {
            return false;
        };
        if label.is_cleansed(kind::NOSQL) {
            return false;
        }
        if note == "$where clause" {
            return true;
        }
        part.may_hold_objects() && !label.string_built
    }

    fn sanitizes(&self, call: &Call<'_, '_>) -> bool {
        call.is(&["mongo-sanitize", "express-mongo-sanitize.sanitize"])
            || (call.qualified() != "JSON.parse"
                && matches!(
                    call.name(),
                    Some(
                        "parse"
                            | "safeParse"
                            | "parseAsync"
                            | "validate"
                            | "validateAsync"
                            | "validateSync"
                            | "cast"
                            | "model_validate"
                            | "parse_obj"
                            | "sanitize"
                    )
                ))
    }
}

/// Ruby: Mongoid criteria (`User.where(email: params[:email])`, `find_by`, `any_of`, … on a
/// class that includes `Mongoid::Document`) and the Ruby driver's collections
/// (`client[:users].find(filter)`, `db.collection(...)`): each filter value, and a `"$where"`
/// clause. Rails turns `email[$ne]=x` into a hash, which Mongo reads as an operator.
fn ruby_sinks<'a>(call: &Call<'a, '_>, name: &str) -> Vec<SinkArg<'a>> {
    let Some(receiver) = call.receiver() else {
        return Vec::new();
    };
    let mongoid = |model: &str| {
        call.project.modules.iter().any(|m| {
            m.language.is_ruby()
                && m.classes.iter().any(|c| {
                    c.name.as_deref() == Some(model)
                        && m.text_of(c.range).contains("Mongoid::Document")
                })
        })
    };
    let criteria = matches!(
        name,
        "where"
            | "find_by"
            | "find_by!"
            | "any_of"
            | "all_of"
            | "or"
            | "nor"
            | "not"
            | "and"
            | "elem_match"
            | "find_one_and_update"
            | "find_one_and_delete"
            | "find_one_and_replace"
            | "delete_all"
            | "destroy_all"
            | "update_all"
            | "count"
            | "exists?"
    );
    let driver = matches!(
        name,
        "find"
            | "find_one_and_update"
            | "find_one_and_delete"
            | "delete_one"
            | "delete_many"
            | "update_one"
            | "update_many"
            | "count_documents"
            | "replace_one"
    );
    let is_collection = matches!(receiver.kind, ExprKind::Index { .. })
        || receiver.method_name() == Some("collection");
    let is_model = matches!(&receiver.kind, ExprKind::Name(n) if mongoid(n));
    if !((criteria && is_model) || (driver && is_collection)) {
        return Vec::new();
    }
    let mut sinks = Vec::new();
    for arg in call.args {
        let key = arg.name.as_deref().map(|k| k.trim_matches(['"', '\'']));
        let note = if key == Some("$where") {
            "$where clause"
        } else {
            "MongoDB filter"
        };
        sinks.push(SinkArg {
            value: &arg.value,
            note,
        });
        if let Some(clause) = arg.value.property("$where") {
            sinks.push(SinkArg {
                value: clause,
                note: "$where clause",
            });
        }
    }
    sinks
}

/// Go: the MongoDB driver's `Find`/`FindOne`/`UpdateOne`/`DeleteMany`/… given a context first
/// (gorm's `Find(&dest)` is not), with a filter whose values may be objects: read from a map
/// or an `interface{}` the body was decoded into (`in["username"]`, a `bson.M` decoded whole);
/// a struct's string field cannot carry an operator. A `$where` clause built from input is
/// JavaScript run by the server.
fn go_sinks<'a>(call: &Call<'a, '_>, name: &str) -> Vec<SinkArg<'a>> {
    let filters = matches!(
        name,
        "Find"
            | "FindOne"
            | "UpdateOne"
            | "UpdateMany"
            | "DeleteOne"
            | "DeleteMany"
            | "CountDocuments"
            | "FindOneAndUpdate"
            | "FindOneAndDelete"
            | "FindOneAndReplace"
            | "ReplaceOne"
            | "Distinct"
    );
    let Some((first, rest)) = call.args.split_first() else {
        return Vec::new();
    };
    if !filters || !super::is_go_context(&first.value) {
        return Vec::new();
    }
    let module = &call.project.modules[call.module];
    let function = super::enclosing_function(module, call.expr.range);
    let untyped = |value: &crate::ir::Expr| -> bool {
        match &value.kind {
            crate::ir::ExprKind::Index { .. } => true,
            crate::ir::ExprKind::Name(name) => super::go_declared_type(module, function, name)
                .is_some_and(|ty| {
                    ty.starts_with("map[")
                        || ty.starts_with("bson.M")
                        || ty == "interface{}"
                        || ty == "any"
                }),
            _ => false,
        }
    };
    let Some(filter) = rest.first().map(|a| &a.value) else {
        return Vec::new();
    };
    let mut sinks = Vec::new();
    match &filter.kind {
        crate::ir::ExprKind::Object(props) => {
            for prop in props {
                if let crate::ir::Prop::Pair { key, value } = prop {
                    if key.name() == Some("$where") {
                        sinks.push(SinkArg {
                            value,
                            note: "$where clause",
                        });
                    } else if untyped(value) {
                        sinks.push(SinkArg {
                            value,
                            note: "MongoDB filter",
                        });
                    }
                }
            }
        }
        _ if untyped(filter) => sinks.push(SinkArg {
            value: filter,
            note: "MongoDB filter",
        }),
        _ => {}
    }
    sinks
}

impl CodeRule for NosqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn flow(&self) -> Option<&dyn FlowRule> {
        Some(self)
    }

    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[
            crate::language::Language::Ruby,
            crate::language::Language::Go,
        ]
    }

    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        // `app.use(mongoSanitize())` strips `$` keys from every request.
        if project_calls(cx, &["express-mongo-sanitize", "mongo-sanitize"]) {
            return super::any_code(cx);
        }
        super::report_flows(cx, &META, hits, out, |hit, source| {
            if hit.note == "$where clause" {
                format!("$where clause built from {source}: never build $where from input")
            } else {
                format!(
                    "MongoDB filter takes {source} unconverted: an object such as {{\"$ne\": null}} matches every document"
                )
            }
        });
        super::flow_applicability(cx, ChecklistId::Input02)
    }
}
