//! VG109 sensitive-record-exposure: a handler sends a whole database record whose model holds
//! password hashes, tokens or other secrets.

use std::borrow::Cow;
use std::sync::Arc;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::label::{Kinds, Label, Origin};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::ir::{Expr, ExprKind};

/// The rule.
#[derive(Debug)]
pub struct SensitiveRecordExposure;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG109"),
    name: Cow::Borrowed("sensitive-record-exposure"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Handler returns a whole record including password hashes or secrets"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[200, 213]),
    owasp_api: Some(OwaspApi::Api3BrokenObjectPropertyLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Data01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A response that carries a whole database record — from `findById`/`findOne`/\
             `findByPk`/`findUnique`, `SELECT *`, `Model.query.get`, `objects.get`, \
             `session.get` — of a model whose fields include a password hash, salt, token, \
             API key or similar (known from Mongoose, Sequelize, TypeORM, Prisma, Drizzle, \
             Knex, SQLAlchemy, Django models and SQL tables in the project), with no field \
             selection (`select('-password')`, `attributes`, Prisma `select`/`omit`, explicit \
             SQL columns), no default exclusion (`select: false`, `defaultScope`, `@Exclude`), \
             no `toJSON` transform, no DTO or serializer and no FastAPI `response_model`. \
             Go: a struct read by gorm or sqlx answered by `c.JSON`/`Encode` while a sensitive field has no `json:\"-\"`. \
             Rails: `render json:`/`respond_with` of ActiveRecord records (found in the action or the filter that loaded them) whose model has `has_secure_password`, secure tokens or such columns in `db/schema.rb`, without `only:`/`except:`, `select`, a serializer or an `as_json` override.",
        ),
        why: Cow::Borrowed(
            "Every client that can see a user record gets the password hash (cracked offline \
             in hours for common passwords), reset tokens (account takeover) and API keys. It \
             is the most common data leak in generated APIs.",
        ),
        example_bad: Cow::Borrowed(
            "const user = await User.findById(req.params.id);\nres.json(user);",
        ),
        example_fixed: Cow::Borrowed(
            "const user = await User.findById(req.params.id).select('-passwordHash -resetToken');\nres.json(user);",
        ),
        fix: Cow::Borrowed(
            "Select the fields a client may see (or exclude the secret ones) at the query, mark \
             secret fields `select: false` / excluded by default, or map the record to a \
             response object (DTO, serializer, `response_model`).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/213.html"),
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/",
            ),
        ]),
    },
};

const FINDERS: &[&str] = &[
    "findById",
    "findOne",
    "find",
    "findAll",
    "findByPk",
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "findMany",
    "findOneBy",
    "findBy",
    "findOneOrFail",
    "findOneByOrFail",
    "findAndCountAll",
    "findByIdAndUpdate",
    "findOneAndUpdate",
];

const PROJECTIONS: &[&str] = &[
    "select",
    "only",
    "defer",
    "values",
    "values_list",
    "load_only",
    "with_entities",
    "attributes",
    "omit",
    "projection",
    "exclude",
];

fn model_of_receiver(call: &Call<'_, '_>, receiver: &Expr) -> Option<String> {
    match &receiver.kind {
        ExprKind::Name(name) => {
            let lower = name.to_ascii_lowercase();
            let is_model = name.chars().next().is_some_and(char::is_uppercase)
                || lower.ends_with("model")
                || lower.ends_with("repository")
                || lower.ends_with("repo");
            is_model.then(|| {
                name.trim_end_matches("Repository")
                    .trim_end_matches("Repo")
                    .to_string()
            })
        }
        // prisma.user, db.user
        ExprKind::Member { object, property } => {
            let root = object.as_name().unwrap_or("");
            (root == "prisma"
                || call.qualified().starts_with("@prisma")
                || root.ends_with("prisma"))
            .then(|| property.clone())
        }
        // getRepository(User), dataSource.getRepository(User)
        ExprKind::Call { callee, args, .. }
            if callee.method_name() == Some("getRepository")
                || callee.as_name() == Some("getRepository") =>
        {
            args.first()
                .and_then(|a| a.value.as_name())
                .map(str::to_string)
        }
        _ => None,
    }
}

fn has_projection(call: &Call<'_, '_>, name: &str) -> bool {
    let options = call
        .args
        .iter()
        .any(|a| PROJECTIONS.iter().any(|p| a.value.property(p).is_some()));
    // Mongoose: `findById(id, '-password')`, `findOne(filter, { password: 0 })`
    let mongoose_projection = matches!(name, "findById" | "findOne" | "find")
        && call
            .arg(1)
            .is_some_and(|p| matches!(p.kind, ExprKind::Str(_) | ExprKind::Object(_)));
    options || mongoose_projection
}

/// The record a call reads, if it is a lookup: the model and whether fields were chosen.
fn lookup<'a>(call: &Call<'a, '_>) -> Option<(String, bool)> {
    let name = call.name()?;
    if super::in_go(call)
        && let Some(found) = go_lookup(call, name)
    {
        return Some(found);
    }
    // Projection applied to a lookup chain: `.select('-password')`, `.values('id')`.
    if PROJECTIONS.contains(&name)
        && let Some(receiver) = call.receiver()
        && let Some(inner) = Call::new(call.project, call.module, receiver)
        && let Some((model, _)) = lookup(&inner)
    {
        return Some((model, true));
    }
    // Python: `User.query.get(id)`, `User.objects.get(...)`, chains on them.
    if let Some(receiver) = call.receiver()
        && let Some(path) = receiver.member_path()
        && path.len() >= 2
        && matches!(path[path.len() - 1], "query" | "objects")
        && path[path.len() - 2]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    {
        return Some((path[path.len() - 2].to_string(), false));
    }
    if let Some(receiver) = call.receiver()
        && let Some(inner) = Call::new(call.project, call.module, receiver)
        && matches!(
            name,
            "get"
                | "get_or_404"
                | "first"
                | "first_or_404"
                | "one"
                | "all"
                | "filter"
                | "filter_by"
                | "one_or_none"
        )
        && let Some((model, projected)) = lookup(&inner)
    {
        return Some((model, projected));
    }
    match name {
        "get_object_or_404" | "get_list_or_404" => {
            return call
                .arg(0)
                .and_then(Expr::as_name)
                .map(|m| (m.to_string(), false));
        }
        // `session.get(User, id)`, `session.query(User)`
        "get" | "query"
            if call
                .arg(0)
                .and_then(Expr::as_name)
                .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase))
                && call.receiver().is_some_and(|r| {
                    let text = call.project.modules[call.module]
                        .text_of(r.range)
                        .to_ascii_lowercase();
                    text.contains("session")
                }) =>
        {
            return call
                .arg(0)
                .and_then(Expr::as_name)
                .map(|m| (m.to_string(), false));
        }
        // `session.execute(select(User))`, `session.scalars(select(User))`
        "execute" | "scalars" | "scalar"
            if call
                .arg(0)
                .and_then(|a| a.as_call())
                .is_some_and(|(c, _, _)| c.as_name() == Some("select")) =>
        {
            let (_, args, _) = call.arg(0)?.as_call()?;
            let model = args.first()?.value.as_name()?;
            return Some((model.to_string(), args.len() > 1));
        }
        _ => {}
    }
    if FINDERS.contains(&name)
        && let Some(receiver) = call.receiver()
        && let Some(model) = model_of_receiver(call, receiver)
    {
        return Some((model, has_projection(call, name)));
    }
    // Raw SQL: `SELECT * FROM users ...`
    if let Some(sql) = super::sql_injection::sql_argument(call) {
        let text = super::argument_text(call.project, call.module, sql);
        return select_table(&text);
    }
    None
}

/// Go: gorm's `First`/`Find`/`Take`/`Last`/`Scan` into a variable of a struct type
/// (`var user User`, `users := []User{}`), and `Select(...)` before them chooses columns;
/// sqlx's `Get`/`Select` and `QueryRow` are read from their SQL below.
fn go_lookup(call: &Call<'_, '_>, name: &str) -> Option<(String, bool)> {
    if !matches!(name, "First" | "Find" | "Take" | "Last") {
        return None;
    }
    let module = &call.project.modules[call.module];
    let target = call.arg(0)?.as_name()?;
    let function = super::enclosing_function(module, call.expr.range);
    let ty = crate::models::go_struct_name(super::go_declared_type(module, function, target)?);
    if !ty.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let projected = call
        .receiver()
        .is_some_and(|r| module.text_of(r.range).contains(".Select("));
    Some((ty.to_string(), projected))
}

/// Go: the value a handler answers with — gin's, echo's and fiber's `c.JSON(status, v)`
/// (fiber's `c.JSON(v)`), `json.NewEncoder(w).Encode(v)`, chi's `render.JSON(w, r, v)`.
fn go_response_value<'a>(call: &Call<'a, '_>) -> Option<&'a Expr> {
    let name = call.name()?;
    let receiver = call.receiver()?;
    let module = &call.project.modules[call.module];
    let receiver_text = module.text_of(receiver.range);
    match name {
        "JSON" | "IndentedJSON" | "PureJSON" | "SecureJSON" | "JSONP" | "XML" | "YAML"
        | "JSONPretty" => {
            if matches!(receiver_text, "c" | "ctx" | "context") {
                if call.args.len() >= 2 {
                    call.arg(1)
                } else {
                    call.arg(0)
                }
            } else if receiver_text == "render" {
                call.arg(2)
            } else {
                None
            }
        }
        "Encode" if receiver_text.contains("NewEncoder(w") => call.arg(0),
        _ => None,
    }
}

/// The table of a `SELECT ... FROM table`, and whether columns were chosen (not `*`).
fn select_table(sql: &str) -> Option<(String, bool)> {
    let upper = sql.to_ascii_uppercase();
    let select = upper.find("SELECT")?;
    let from = upper[select..].find(" FROM ")? + select;
    let columns = sql[select + 6..from].trim();
    let table = sql[from + 6..]
        .split_whitespace()
        .next()?
        .trim_matches(['"', '`', '[', ']', ';', '(', ')'])
        .rsplit('.')
        .next()?
        .to_string();
    if table.is_empty() || table.starts_with('$') {
        return None;
    }
    let projected = !(columns == "*"
        || columns.ends_with(".*")
        || columns.to_ascii_uppercase().starts_with("DISTINCT *"));
    Some((table, projected))
}

fn is_response_call(call: &Call<'_, '_>) -> bool {
    let Some(name) = call.name() else {
        return false;
    };
    match call.receiver() {
        Some(receiver) => {
            (matches!(name, "json" | "send" | "jsonp")
                && super::chain_root(receiver).is_some_and(super::is_response_name))
                || (name == "json"
                    && matches!(
                        call.qualified(),
                        "NextResponse.json" | "Response.json" | "next/server.NextResponse.json"
                    ))
        }
        None => {
            matches!(
                name,
                "jsonify"
                    | "JsonResponse"
                    | "JSONResponse"
                    | "make_response"
                    | "ORJSONResponse"
                    | "UJSONResponse"
            ) || (name == "Response" && call.new)
        }
    }
}

impl FlowRule for SensitiveRecordExposure {
    fn kind(&self) -> Kinds {
        kind::RECORD
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        if super::in_go(call) {
            return go_response_value(call)
                .map(|value| SinkArg {
                    value,
                    note: "sent in the response",
                })
                .into_iter()
                .collect();
        }
        if !is_response_call(call) {
            return Vec::new();
        }
        call.arg(0)
            .or_else(|| call.option("content"))
            .map(|value| SinkArg {
                value,
                note: "sent in the response",
            })
            .into_iter()
            .collect()
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        matches!(
            &label.origin,
            Origin::Record {
                projected: false,
                ..
            }
        ) && label.whole
            && !label.is_cleansed(kind::RECORD)
    }

    fn sanitizes(&self, call: &Call<'_, '_>) -> bool {
        let Some(name) = call.name() else {
            return false;
        };
        let dto = [
            "Serializer",
            "Schema",
            "Dto",
            "DTO",
            "Resource",
            "Public",
            "Response",
            "Out",
            "View",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix) && name.len() > suffix.len());
        let mapper = (name.starts_with("to")
            && name.chars().nth(2).is_some_and(char::is_uppercase)
            && !matches!(name, "toJSON" | "toObject"))
            || name.starts_with("to_public")
            || name.starts_with("sanitize")
            || name.starts_with("serialize_")
            || name.starts_with("present");
        dto || mapper || call.is(&["lodash.omit", "_.omit", "lodash.pick", "_.pick"])
    }

    fn introduces(&self, call: &Call<'_, '_>) -> Option<Origin> {
        let (model, projected) = lookup(call)?;
        Some(Origin::Record {
            model: Arc::from(model.as_str()),
            projected,
            serializer: None,
        })
    }
}

/// The sensitive fields a record label exposes, per the model inventory.
fn exposed<'m>(cx: &'m Context<'_>, label: &Label) -> Option<(&'m str, Vec<&'m str>)> {
    let Origin::Record {
        model, serializer, ..
    } = &label.origin
    else {
        return None;
    };
    let found = cx.models.find(model)?;
    let fields = match serializer {
        Some(method) if !matches!(method.as_ref(), "toJSON" | "toObject") => found
            .serializer_exposes(method)
            .unwrap_or_else(|| found.exposed_sensitive_fields()),
        _ => found.exposed_sensitive_fields(),
    };
    (!fields.is_empty()).then_some((found.name.as_str(), fields))
}

impl CodeRule for SensitiveRecordExposure {
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
        if cx.models.models().is_empty() {
            return Applicability::NotApplicable("no data models or SQL tables found in the code");
        }
        for hit in hits {
            if let Some((model, fields)) = exposed(cx, &hit.label) {
                let message = format!(
                    "response sends whole {model} records, including {}",
                    fields.join(", ")
                );
                out.push(cx.flow_finding(&META, hit, message));
            }
        }
        rails_renders(cx, out);
        // Frameworks that answer with the handler's return value.
        let mut seen = Vec::new();
        for route in &cx.routes.routes {
            let Some(handler) = route.handler else {
                continue;
            };
            if !route.framework.responds_by_return()
                || route.response_filtered
                || seen.contains(&handler)
            {
                continue;
            }
            seen.push(handler);
            let Some(summary) = cx.flow.summaries.get(&handler) else {
                continue;
            };
            for label in summary.returns.iter() {
                if !self.accepts(label, "returned") {
                    continue;
                }
                let Some((model, fields)) = exposed(cx, label) else {
                    continue;
                };
                let Some(step) = label
                    .trace
                    .steps()
                    .iter()
                    .rev()
                    .find(|s| s.module == handler.0 && handler_contains(cx, handler, s.range))
                else {
                    continue;
                };
                let message = format!(
                    "handler returns whole {model} records, including {}",
                    fields.join(", ")
                );
                out.push(
                    cx.finding(&META, step.module, step.range, message, "returned")
                        .with_flow(cx.flow_steps(label)),
                );
            }
        }
        Applicability::Applied
    }
}

/// ActiveRecord methods that return records of the model they are called on.
const RAILS_FINDERS: &[&str] = &[
    "find",
    "find_by",
    "find_by!",
    "find_sole_by",
    "sole",
    "where",
    "all",
    "first",
    "first!",
    "last",
    "last!",
    "take",
    "take!",
    "find_or_create_by",
    "find_or_create_by!",
    "find_or_initialize_by",
    "create",
    "create!",
    "order",
    "limit",
    "includes",
    "joins",
    "page",
];

/// Methods that keep the records of the relation they are called on.
const RAILS_PASSTHROUGH: &[&str] = &[
    "where",
    "order",
    "limit",
    "offset",
    "includes",
    "joins",
    "left_joins",
    "preload",
    "eager_load",
    "page",
    "per",
    "reorder",
    "not",
    "or",
    "distinct",
    "all",
    "first",
    "last",
    "find",
    "find_by",
    "find_by!",
    "to_a",
    "reload",
    "as_json",
    "to_json",
    "serializable_hash",
    "attributes",
];

/// Rails: `render json: X` (or `xml:`) and `respond_with X` answer with `X.as_json`, which
/// carries every column unless the model overrides it, the call chooses fields (`only:`,
/// `except:`, `select`, `pluck`, `slice`) or a serializer shapes it (`serializer:`,
/// `UserSerializer.new(x)`, an ActiveModel serializer named after the model).
fn rails_renders(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if !module.language.is_ruby() {
            continue;
        }
        for function_id in 0..module.functions.len() {
            cx.index.calls(module_id, function_id, &mut |e| {
                let Some((callee, args, _)) = e.as_call() else {
                    return;
                };
                let value = match callee.as_name() {
                    Some("render") => {
                        Expr::option(args, "json").or_else(|| Expr::option(args, "xml"))
                    }
                    Some("respond_with") => args.first().map(|a| &a.value),
                    _ => None,
                };
                let Some(value) = value else {
                    return;
                };
                if ["only", "except", "serializer", "each_serializer", "methods"]
                    .iter()
                    .any(|option| Expr::option(args, option).is_some())
                {
                    return;
                }
                let mut models = Vec::new();
                rails_records(module, function_id, value, &mut models, 0);
                models.sort();
                models.dedup();
                for model in models {
                    let Some(found) = cx.models.find(&model) else {
                        continue;
                    };
                    let serializer = format!("{}Serializer", found.name);
                    if cx.project.modules.iter().any(|m| {
                        m.classes
                            .iter()
                            .any(|c| c.name.as_deref() == Some(serializer.as_str()))
                    }) {
                        continue;
                    }
                    let fields = found.exposed_sensitive_fields();
                    if fields.is_empty() {
                        continue;
                    }
                    let message = format!(
                        "render sends whole {} records, including {}",
                        found.name,
                        fields.join(", ")
                    );
                    out.push(cx.finding(&META, module_id, e.range, message, "render"));
                    break;
                }
            });
        }
    }
}

/// The models whose whole records a Ruby expression holds.
fn rails_records(
    module: &crate::ir::Module,
    function: usize,
    expr: &Expr,
    out: &mut Vec<String>,
    depth: u32,
) {
    if depth > 6 {
        return;
    }
    match &expr.kind {
        ExprKind::Object(props) => {
            for prop in props {
                if let crate::ir::Prop::Pair { value, .. } = prop {
                    rails_records(module, function, value, out, depth + 1);
                }
            }
        }
        ExprKind::Array(items) => {
            for item in items {
                rails_records(module, function, item, out, depth + 1);
            }
        }
        ExprKind::Name(name) => {
            for value in super::ruby_values_of(module, function, name, expr.range.start_byte) {
                rails_records(module, function, value, out, depth + 1);
            }
        }
        ExprKind::Call { callee, args, .. } => {
            let ExprKind::Member { object, property } = &callee.kind else {
                return;
            };
            let method = property.as_str();
            // `as_json(only: [...])`, `to_json(except: ...)`: fields chosen.
            if matches!(method, "as_json" | "to_json" | "serializable_hash") && !args.is_empty() {
                return;
            }
            if let ExprKind::Name(receiver) = &object.kind
                && receiver.starts_with(|c: char| c.is_ascii_uppercase())
                && RAILS_FINDERS.contains(&method)
            {
                out.push(receiver.clone());
                return;
            }
            if RAILS_PASSTHROUGH.contains(&method) {
                rails_records(module, function, object, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn handler_contains(cx: &Context<'_>, handler: (usize, usize), range: crate::ir::Range) -> bool {
    cx.module(handler.0).functions[handler.1]
        .range
        .contains(&range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_statements_name_their_table_and_projection() {
        assert_eq!(
            select_table("SELECT * FROM users WHERE id = ?"),
            Some(("users".into(), false))
        );
        assert_eq!(
            select_table("select u.* from public.users u"),
            Some(("users".into(), false))
        );
        assert_eq!(
            select_table("SELECT id, email FROM users"),
            Some(("users".into(), true))
        );
        assert_eq!(select_table("UPDATE users SET x = 1"), None);
    }
}
