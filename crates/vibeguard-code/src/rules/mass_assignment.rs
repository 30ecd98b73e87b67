//! VG108 mass-assignment: a whole request body written into a model.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::label::{Kinds, Label, RequestPart};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::ir::{Expr, ExprKind};
use crate::language::Language;
use crate::project::{Local, Symbol};

/// The rule.
#[derive(Debug)]
pub struct MassAssignment;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG108"),
    name: Cow::Borrowed("mass-assignment"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Whole request body written into a model"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[915]),
    owasp_api: Some(OwaspApi::Api3BrokenObjectPropertyLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Data01, ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The whole request body (or query) — not chosen fields — passed to a create or \
             update: Mongoose `Model.create(req.body)`, `new Model(req.body)`, \
             `findByIdAndUpdate(id, req.body)`, Sequelize `create`/`update`/`build`, Prisma \
             `create({ data: req.body })`, TypeORM `save`/`merge`, Knex `insert`/`update`, \
             `Object.assign(user, req.body)`, lodash `merge`/`assign`, mysql `INSERT ... SET ?` \
             with the body, a spread `{ ...req.body }`; in Python `User(**request.json)`, \
             `objects.create(**data)`, `setattr(obj, key, value)` with keys from the request. \
             Bodies validated by a schema (zod, joi, pydantic models) and `_.pick` are safe. \
             Go: gorm `Create`/`Save`/`Updates` of a struct or map the body was bound into whole.",
        ),
        why: Cow::Borrowed(
            "The client chooses every column: `{\"role\": \"admin\"}`, `{\"isVerified\": true}`, \
             `{\"ownerId\": 1}`, `{\"balance\": 1e9}` on sign-up or profile update — a privilege \
             escalation in one request.",
        ),
        example_bad: Cow::Borrowed("const user = await User.create(req.body);"),
        example_fixed: Cow::Borrowed(
            "const { email, name, password } = req.body;\nconst user = await User.create({ email, name, password: await hash(password) });",
        ),
        fix: Cow::Borrowed(
            "Copy the fields the client may set, by name, or validate the body with a schema \
             that lists them (zod `.strict()`, pydantic model, DTO).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/915.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// Whether the receiver of a call is a data model or repository: known to the model
/// inventory is checked by the rule; here its name and where it comes from.
fn is_model_like(call: &Call<'_, '_>, receiver: &Expr) -> bool {
    let qualified = call
        .project
        .qualify(call.module, receiver, &|_| Local::Unknown)
        .unwrap_or_default();
    let lower = qualified.to_ascii_lowercase();
    if lower.contains("model")
        || lower.contains("entit")
        || lower.contains("schema")
        || lower.starts_with("prisma")
        || lower.contains("repository")
        || lower.contains("repo")
        || lower.contains("mongoose")
        || lower.contains("sequelize")
    {
        return true;
    }
    if let Some(name) = receiver.as_name() {
        // A class of the project, or a capitalised name imported from it.
        if let Some(Symbol::Class(..)) = call.project.resolve_name(call.module, name) {
            return true;
        }
        return name.chars().next().is_some_and(char::is_uppercase)
            && name.chars().any(char::is_lowercase)
            && !matches!(
                name,
                "Object"
                    | "Promise"
                    | "JSON"
                    | "Array"
                    | "Math"
                    | "Error"
                    | "Response"
                    | "URL"
                    | "Buffer"
                    | "Date"
                    | "Map"
                    | "Set"
            );
    }
    // `prisma.user`, `db.user`, `knex('users')`
    matches!(
        &receiver.kind,
        ExprKind::Member { .. } | ExprKind::Call { .. }
    ) && (lower.starts_with("knex") || lower.contains("prisma"))
}

impl FlowRule for MassAssignment {
    fn kind(&self) -> Kinds {
        kind::MASS_ASSIGNMENT
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        let sink = |value: &'a Expr| SinkArg {
            value,
            note: "model fields",
        };
        // Go: gorm's `db.Create(&user)`, `db.Save(&user)` and `db.Model(&u).Updates(input)` of a
        // struct or map the body was bound into whole (`c.ShouldBindJSON(&user)`).
        if super::in_go(call) {
            let database = call.receiver().is_some_and(|receiver| {
                let text = call.project.modules[call.module].text_of(receiver.range);
                super::sql_injection::is_database(text)
                    || text
                        .split(['.', '(', ')'])
                        .any(|s| matches!(s.to_ascii_lowercase().as_str(), "tx" | "orm" | "gorm"))
            });
            return match name {
                "Create" | "Save" | "FirstOrCreate" | "CreateInBatches" | "Updates" | "Assign"
                | "Attrs"
                    if database =>
                {
                    call.arg(0).map(sink).into_iter().collect()
                }
                _ => Vec::new(),
            };
        }
        let qualified = call.qualified();
        // Object.assign(target, body), _.merge(target, body)
        if matches!(
            qualified,
            "Object.assign"
                | "lodash.merge"
                | "lodash.assign"
                | "lodash.extend"
                | "_.merge"
                | "_.assign"
                | "_.extend"
                | "lodash.defaults"
        ) && call
            .arg(0)
            .is_some_and(|target| !matches!(target.kind, ExprKind::Object(_)))
        {
            return call.args.iter().skip(1).map(|a| sink(&a.value)).collect();
        }
        if name == "setattr" && call.receiver().is_none() {
            return call
                .arg(1)
                .map(|key| SinkArg {
                    value: key,
                    note: "attribute name",
                })
                .into_iter()
                .collect();
        }
        // `INSERT INTO t SET ?` with an object (mysql/mysql2 expand it into columns).
        if matches!(name, "query" | "execute")
            && let Some(sql) = call.arg(0)
            && super::argument_text(call.project, call.module, sql)
                .to_ascii_uppercase()
                .contains("SET ?")
        {
            // `query('UPDATE t SET ? WHERE id = ?', [fields, id])`: the first value is the object.
            let values = match call.arg(1).map(|a| (&a.kind, a)) {
                Some((ExprKind::Array(items), _)) => items.first(),
                Some((_, value)) => Some(value),
                None => None,
            };
            return values.map(sink).into_iter().collect();
        }
        // `User(**data)`, `new User(body)`
        let constructor = call.receiver().is_none() || call.new;
        if constructor {
            let Some(class_name) = call.name() else {
                return Vec::new();
            };
            let project_class = matches!(
                call.project.resolve_name(call.module, class_name),
                Some(Symbol::Class(..))
            ) || call.project.modules[call.module]
                .import_of(class_name)
                .is_some_and(|i| {
                    let source = i.source.to_ascii_lowercase();
                    source.contains("model")
                        || source.contains("entit")
                        || source.contains("schema")
                });
            if !project_class {
                return Vec::new();
            }
            return call
                .args
                .iter()
                .filter(|a| a.name.is_none())
                .map(|a| sink(&a.value))
                .take(1)
                .collect();
        }
        let Some(receiver) = call.receiver() else {
            return Vec::new();
        };
        let data_of = |options: &'a Expr| options.property("data");
        match name {
            "create" | "build" | "insertMany" | "bulkCreate" | "insert" | "insertOne" | "save"
            | "new" | "upsert" => {
                if !is_model_like(call, receiver) && !matches!(name, "insertOne" | "insertMany") {
                    return Vec::new();
                }
                // Python `objects.create(**data)`; JavaScript first argument or Prisma's `data`.
                let first = call.arg(0);
                let mut sinks: Vec<SinkArg<'a>> = call
                    .args
                    .iter()
                    .filter(|a| matches!(a.value.kind, ExprKind::Spread(_)))
                    .map(|a| sink(&a.value))
                    .collect();
                if let Some(first) = first {
                    match data_of(first) {
                        Some(data) => sinks.push(sink(data)),
                        None => sinks.push(sink(first)),
                    }
                }
                sinks
            }
            "update" | "updateOne" | "updateMany" | "findByIdAndUpdate" | "findOneAndUpdate"
            | "merge" | "set" | "assign" | "patch" => {
                if !is_model_like(call, receiver)
                    && !matches!(name, "findByIdAndUpdate" | "findOneAndUpdate")
                {
                    // `user.set(req.body)`, `user.update(req.body)` on an instance.
                    let instance = matches!(name, "set" | "update")
                        && call.arg(0).is_some()
                        && call.args.len() == 1
                        && {
                            let text = call.project.modules[call.module]
                                .text_of(receiver.range)
                                .to_ascii_lowercase();
                            !text.contains("headers")
                                && !text.contains("map")
                                && !text.contains("params")
                                && !text.contains("cache")
                                && !text.contains("hash")
                                && !text.contains("form")
                        };
                    if !instance {
                        return Vec::new();
                    }
                }
                let mut sinks: Vec<SinkArg<'a>> = call
                    .args
                    .iter()
                    .filter(|a| matches!(a.value.kind, ExprKind::Spread(_)))
                    .map(|a| sink(&a.value))
                    .collect();
                let positional: Vec<&'a Expr> = call
                    .args
                    .iter()
                    .filter(|a| a.name.is_none() && !matches!(a.value.kind, ExprKind::Spread(_)))
                    .map(|a| &a.value)
                    .collect();
                match (name, positional.as_slice()) {
                    (_, [options]) if data_of(options).is_some() => {
                        sinks.extend(data_of(options).map(sink))
                    }
                    ("update", [values, _, ..])
                        if call.qualified().contains("sequelize")
                            || is_model_like(call, receiver)
                                && !matches!(values.kind, ExprKind::Object(_))
                            || matches!(
                                values.kind,
                                ExprKind::Name(_) | ExprKind::Member { .. }
                            ) =>
                    {
                        sinks.push(sink(values));
                    }
                    (_, [_, values, ..]) => sinks.push(sink(values)),
                    (_, [values]) => sinks.push(sink(values)),
                    _ => {}
                }
                sinks
            }
            _ => Vec::new(),
        }
    }

    fn accepts(&self, label: &Label, note: &'static str) -> bool {
        let Some(part) = label.request_part() else {
            return false;
        };
        if label.is_cleansed(kind::MASS_ASSIGNMENT) {
            return false;
        }
        if note == "attribute name" {
            return true;
        }
        label.whole && matches!(part, RequestPart::Body | RequestPart::Query) && !label.string_built
    }

    fn sanitizes(&self, call: &Call<'_, '_>) -> bool {
        call.is(&["lodash.pick", "_.pick", "pick", "lodash.omit", "_.omit"])
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
                            | "matchedData"
                    )
                ))
    }
}

/// Attributes a client must never set on itself.
fn is_privileged_attribute(name: &str) -> bool {
    matches!(
        name,
        "admin"
            | "is_admin"
            | "role"
            | "roles"
            | "role_id"
            | "superuser"
            | "is_superuser"
            | "staff"
            | "is_staff"
            | "permissions"
            | "verified"
            | "confirmed_at"
            | "approved"
            | "balance"
            | "credits"
            | "plan"
            | "account_id"
            | "owner_id"
            | "user_id"
    )
}

/// Rails strong parameters that let everything through (`params.permit!`,
/// `params.to_unsafe_h`) or a privileged attribute (`permit(:name, :admin)`) outside admin
/// controllers. Returns whether a Rails controller's parameters were looked at.
fn rails_strong_parameters(cx: &Context<'_>, out: &mut Vec<Finding>) -> bool {
    let mut looked = false;
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if !module.language.is_ruby() || !module.path.contains("controllers/") {
            continue;
        }
        looked = true;
        let admin = module.path.contains("/admin/") || module.path.contains("admin_");
        for function_id in 0..module.functions.len() {
            cx.index.calls(module_id, function_id, &mut |e| {
                let Some((callee, args, _)) = e.as_call() else {
                    return;
                };
                let Some(method) = callee.method_name() else {
                    return;
                };
                let on_params = super::chain_root(callee) == Some("params");
                let message = match method {
                    "permit!" if on_params => Some(
                        "params.permit! lets every attribute through: the client can set any \
                         field (role, owner, flags)"
                            .to_string(),
                    ),
                    "to_unsafe_h" | "to_unsafe_hash" if on_params => Some(
                        "params.to_unsafe_h skips strong parameters: the client can set any field"
                            .to_string(),
                    ),
                    "permit" if on_params && !admin => {
                        let privileged: Vec<&str> = args
                            .iter()
                            .filter_map(|a| a.value.as_str())
                            .filter(|name| is_privileged_attribute(name))
                            .collect();
                        (!privileged.is_empty()).then(|| {
                            format!(
                                "strong parameters permit {}: the client can set it on itself",
                                privileged.join(", ")
                            )
                        })
                    }
                    _ => None,
                };
                if let Some(message) = message {
                    out.push(cx.finding(&META, module_id, e.range, message, method));
                }
            });
        }
    }
    looked
}

impl CodeRule for MassAssignment {
    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn flow(&self) -> Option<&dyn FlowRule> {
        Some(self)
    }

    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        super::report_flows(cx, &META, hits, out, |hit, source| {
            if hit.note == "attribute name" {
                format!("attribute names taken from {source}: the client can set any field")
            } else {
                format!(
                    "{source} written into the model as a whole: the client can set any field (role, owner, flags)"
                )
            }
        });
        let rails = rails_strong_parameters(cx, out);
        // Without models there is nothing the rule could call safe, so AUTH-02 and DATA-01 stay
        // "not verified" rather than passing on code that writes no records.
        if hits.is_empty() && cx.models.models().is_empty() && !rails {
            Applicability::NotApplicable("no data models or record writes found in the code")
        } else {
            Applicability::Applied
        }
    }
}
