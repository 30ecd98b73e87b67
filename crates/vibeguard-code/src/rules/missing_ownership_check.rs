//! VG110 missing-ownership-check: a handler updates or deletes an object by an id from the
//! request without restricting it to the caller's objects.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, FunctionId, Module, StmtKind};
use crate::project::ModuleId;
use crate::routes::Route;

/// The rule.
#[derive(Debug)]
pub struct MissingOwnershipCheck;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG110"),
    name: Cow::Borrowed("missing-ownership-check"),
    engine: EngineId::Code,
    summary: Cow::Borrowed(
        "Update or delete by id without checking the object belongs to the caller",
    ),
    severity: Severity::High,
    confidence: Confidence::Tentative,
    cwe: Cow::Borrowed(&[639, 862]),
    owasp_api: Some(OwaspApi::Api1BrokenObjectLevelAuthorization),
    checklist: Cow::Borrowed(&[ChecklistId::Auth02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A route handler that updates or deletes a database object identified by a value \
             from the request (`req.params.id`, a path argument) — Mongoose \
             `findByIdAndDelete`/`findByIdAndUpdate`, Sequelize `destroy`/`update`, Prisma \
             `delete`/`update`, TypeORM `delete`, SQL `DELETE`/`UPDATE`, Django `.delete()`, \
             SQLAlchemy `session.delete` — where neither the query restricts the object to \
             the current user (`{ _id: id, owner: req.user.id }`, `AND user_id = ?`) nor the \
             handler compares the object's owner with the current user, and no admin-only \
             middleware guards the route. \
             Go: gorm `Delete`/`Update(s)` and SQL `DELETE`/`UPDATE` by an id from the path, the caller read from `c.Get`, `c.Locals` or `r.Context().Value`. \
             Rails: `destroy`/`update` of a record the action or its `before_action` loaded by `params[:id]`, without `current_user.posts.find`, Pundit's `authorize`, CanCanCan or a permission check on the record (`head :forbidden unless @post.editable_by?(current_user)`).",
        ),
        why: Cow::Borrowed(
            "Any logged-in user changes or deletes everyone's data by counting ids: this is \
             broken object-level authorization (IDOR), the first risk of the OWASP API Top 10.",
        ),
        example_bad: Cow::Borrowed(
            "router.delete('/:id', auth, async (req, res) => {\n  await Post.findByIdAndDelete(req.params.id);\n  res.status(204).end();\n});",
        ),
        example_fixed: Cow::Borrowed(
            "router.delete('/:id', auth, async (req, res) => {\n  const result = await Post.deleteOne({ _id: req.params.id, author: req.user.id });\n  if (result.deletedCount === 0) return res.status(404).end();\n  res.status(204).end();\n});",
        ),
        fix: Cow::Borrowed(
            "Put the owner in the query's condition (`WHERE id = ? AND user_id = ?`) or load the \
             object and refuse with 403/404 unless it belongs to the caller (or the caller is an \
             admin).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/639.html"),
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
            ),
        ]),
    },
};

/// Expressions that stand for the authenticated caller.
const CALLER_MARKERS: &[&str] = &[
    "req.user",
    "req.auth",
    "req.session",
    "req.userId",
    "req.currentUser",
    "res.locals.user",
    "request.user",
    "request.auth",
    "current_user",
    "currentUser",
    "g.user",
    "session[",
    "session.get(",
    "session.user",
    "ctx.state.user",
    "ctx.user",
    "getCurrentUser",
    "get_current_user",
    "getServerSession",
    "auth()",
    "get_jwt_identity",
    // Rails 8's authentication generator, Redmine-style `User.current`.
    "Current.user",
    "User.current",
    "Current.session",
    // Go: what authentication middleware stored for the handler — gin's `c.Get("user")`,
    // `c.MustGet`, `c.GetString`/`GetInt`/`GetUint`, fiber's `c.Locals("user")`, a request
    // context's `r.Context().Value(userKey)`, helpers named `…FromContext`.
    "c.Get(",
    "c.MustGet(",
    "c.GetString(",
    "c.GetInt(",
    "c.GetUint(",
    "c.GetInt64(",
    "c.Locals(",
    "Context().Value(",
    "ctx.Value(",
    "FromContext(",
];

const MUTATIONS: &[&str] = &[
    "findByIdAndDelete",
    "findByIdAndRemove",
    "findByIdAndUpdate",
    "findOneAndDelete",
    "findOneAndUpdate",
    "findOneAndRemove",
    "deleteOne",
    "deleteMany",
    "updateOne",
    "updateMany",
    "destroy",
    "delete",
    "update",
    "remove",
    "upsert",
    // gorm
    "Delete",
    "Update",
    "Updates",
    "UpdateColumn",
    "UpdateColumns",
];

/// Names in a handler that hold the caller: FastAPI dependency parameters and variables
/// assigned from a caller expression.
fn caller_names(module: &Module, function: FunctionId) -> Vec<String> {
    let f = &module.functions[function];
    let mut names: Vec<String> = f
        .params
        .iter()
        .filter(|p| {
            let default = p
                .default
                .as_ref()
                .map(|d| module.text_of(d.range))
                .unwrap_or("");
            let annotation = p.annotation.as_deref().unwrap_or("");
            let depends = format!("{default}{annotation}");
            depends.contains("Depends(") && super::super::routes::classify(&depends).auth
        })
        .filter_map(|p| p.name().map(str::to_string))
        .collect();
    f.walk_stmts(&mut |stmt| {
        if let StmtKind::Assign { target, value, .. } = &stmt.kind {
            let text = module.text_of(value.range);
            if CALLER_MARKERS.iter().any(|m| text.contains(m)) {
                names.extend(target.names().into_iter().map(str::to_string));
            }
        }
    });
    names
}

fn mentions_caller(text: &str, names: &[String]) -> bool {
    CALLER_MARKERS.iter().any(|m| text.contains(m))
        || names.iter().any(|n| {
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == n)
        })
}

/// Whether an expression refers to request data: `req.params.id`, a path argument, a value
/// assigned from one.
fn uses_request_id(
    module: &Module,
    function: FunctionId,
    expr: &Expr,
    id_params: &[String],
) -> bool {
    let is_id = |name: &str| {
        let words = crate::naming::words(name);
        matches!(
            words.last().map(String::as_str),
            Some("id" | "pk" | "uuid" | "slug" | "ids")
        )
    };
    let mut found = false;
    expr.walk(&mut |e| {
        if found {
            return;
        }
        // `req.params.x`, `req.body.taskId`, `request.args['id']`
        if let Some(path) = e.member_path()
            && path.len() >= 2
            && matches!(path[0], "req" | "request" | "ctx")
        {
            let part = path[1];
            if part == "params"
                || part == "view_args"
                || path.last().is_some_and(|last| is_id(last))
            {
                found = true;
                return;
            }
        }
        // Go: `c.Param("id")`, `chi.URLParam(r, "id")`, `r.PathValue("id")`, `mux.Vars(r)`.
        if module.language.is_go()
            && let Some((callee, _, _)) = e.as_call()
            && matches!(
                callee.method_name().or(callee.as_name()),
                Some("Param" | "Params" | "ParamsInt" | "PathValue" | "URLParam" | "Vars")
            )
        {
            found = true;
            return;
        }
        if let ExprKind::Name(name) = &e.kind {
            if id_params.iter().any(|p| p == name) {
                found = true;
            } else if let Some(value) =
                crate::scope::definition_before(module, function, name, e.range.start_byte)
            {
                let value_text = module.text_of(value.range);
                let mut inner = false;
                value.walk(&mut |v| {
                    if let Some(path) = v.member_path()
                        && path.len() >= 2
                        && matches!(path[0], "req" | "request" | "ctx")
                        && (path[1] == "params" || path.last().is_some_and(|last| is_id(last)))
                    {
                        inner = true;
                    }
                });
                if inner
                    || id_params.iter().any(|p| {
                        value_text
                            .split(|c: char| !c.is_alphanumeric() && c != '_')
                            .any(|w| w == p)
                    })
                {
                    found = true;
                }
            }
        }
    });
    found
}

fn mutation_calls<'m>(module: &'m Module, function: FunctionId, out: &mut Vec<&'m Expr>) {
    module.functions[function].walk_exprs(&mut |e| {
        let Some((callee, args, _)) = e.as_call() else {
            return;
        };
        let Some(name) = callee.method_name().or_else(|| callee.as_name()) else {
            return;
        };
        // Go's built-in `delete(m, key)` removes a map entry, not a record.
        if module.language.is_go() && callee.as_name() == Some("delete") {
            return;
        }
        let sql_mutation = args.first().is_some_and(|a| {
            let text = super::constant_parts(&a.value, &|_| None).to_ascii_uppercase();
            let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
            (words.contains(&"DELETE") && words.contains(&"FROM"))
                || (words.contains(&"UPDATE") && words.contains(&"SET"))
        });
        if sql_mutation || MUTATIONS.contains(&name) {
            out.push(e);
        }
    });
    // Callbacks inside the handler (`db.query(sql, (err) => ...)`) are its code too.
    for (id, f) in module.functions.iter().enumerate() {
        if f.parent == Some(function) {
            mutation_calls(module, id, out);
        }
    }
}

/// Whether the handler compares something with the caller (`post.userId !== req.user.id`,
/// `if note.owner_id != current_user.id: abort(403)`).
fn compares_with_caller(module: &Module, function: FunctionId, names: &[String]) -> bool {
    let mut found = false;
    let mut visit = |e: &Expr| match &e.kind {
        ExprKind::Binary { op, left, right }
            if matches!(
                *op,
                "===" | "!==" | "==" | "!=" | "is" | "is not" | "in" | "not in"
            ) =>
        {
            let l = module.text_of(left.range);
            let r = module.text_of(right.range);
            if mentions_caller(l, names) || mentions_caller(r, names) {
                found = true;
            }
        }
        ExprKind::Call { callee, args, .. }
            if matches!(
                callee.method_name(),
                Some(
                    "equals"
                        | "isOwner"
                        | "canEdit"
                        | "can"
                        | "authorize"
                        | "checkOwnership"
                        | "assertOwner"
                        | "has_object_permission"
                        | "check_object_permissions"
                )
            ) =>
        {
            let text = format!(
                "{} {}",
                module.text_of(callee.range),
                args.iter()
                    .map(|a| module.text_of(a.value.range))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            if mentions_caller(&text, names) || !matches!(callee.method_name(), Some("equals")) {
                found = true;
            }
        }
        _ => {}
    };
    let mut stack = vec![function];
    while let Some(id) = stack.pop() {
        module.functions[id].walk_exprs(&mut visit);
        stack.extend(
            module
                .functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.parent == Some(id))
                .map(|(i, _)| i),
        );
    }
    found
}

fn route_guards_ownership(route: &Route) -> bool {
    route.has_role_check()
        || route.middleware.iter().any(|m| {
            let lower = m.name.to_ascii_lowercase();
            lower.contains("owner")
                || lower.contains("authoriz")
                || lower.contains("permission")
                || lower.contains("can(")
        })
}

impl CodeRule for MissingOwnershipCheck {
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
        let mut applied = false;
        let mut seen: Vec<(ModuleId, FunctionId)> = Vec::new();
        for route in &cx.routes.routes {
            let Some((module_id, function)) = route.handler else {
                continue;
            };
            if !matches!(
                route.method.as_str(),
                "PUT" | "PATCH" | "DELETE" | "POST" | "ANY"
            ) || seen.contains(&(module_id, function))
            {
                continue;
            }
            seen.push((module_id, function));
            applied = true;
            if route_guards_ownership(route) {
                continue;
            }
            let module = cx.module(module_id);
            if module.language.is_ruby() {
                if let Some((range, action)) = rails_unowned_change(module, function) {
                    let message = format!(
                        "{} {} {action} a record found by an id from params without checking it belongs to the caller",
                        route.method, route.path
                    );
                    out.push(cx.finding(&META, module_id, range, message, &route.path));
                }
                continue;
            }
            let id_params: Vec<String> = route
                .param_sources
                .iter()
                .filter_map(|s| module.functions[function].params.get(s.index))
                .filter_map(|p| p.name().map(str::to_string))
                .chain(path_parameter_names(&route.path))
                .collect();
            let names = caller_names(module, function);
            if compares_with_caller(module, function, &names) {
                continue;
            }
            let mut calls = Vec::new();
            let mut reported = false;
            mutation_calls(module, function, &mut calls);
            for call in calls {
                let Some((callee, args, _)) = call.as_call() else {
                    continue;
                };
                let call_text = module.text_of(call.range);
                // Creating with the caller as owner is not a lookup by id.
                if matches!(
                    callee.method_name(),
                    Some("create" | "insert" | "save" | "Create" | "FirstOrCreate")
                ) {
                    continue;
                }
                let uses_id = args.iter().any(|a| {
                    uses_request_id(
                        module,
                        cx.enclosing_function(module_id, call.range),
                        &a.value,
                        &id_params,
                    )
                }) || uses_request_id(
                    module,
                    cx.enclosing_function(module_id, call.range),
                    callee,
                    &id_params,
                );
                if !uses_id || mentions_caller(call_text, &names) {
                    continue;
                }
                // Python: `obj = Model.query.get(id); db.session.delete(obj)`: the object was
                // looked up by id above.
                let action = if call_text.to_ascii_uppercase().contains("DELETE")
                    || matches!(callee.method_name(), Some(n) if n.to_ascii_lowercase().contains("delete") || n.contains("destroy") || n.contains("remove"))
                {
                    "deletes"
                } else {
                    "updates"
                };
                let message = format!(
                    "{} {} {action} an object by an id from the request without checking it belongs to the caller",
                    route.method, route.path
                );
                out.push(cx.finding(&META, module_id, call.range, message, &route.path));
                reported = true;
                break;
            }
            if !reported && let Some(range) = attribute_update(module, function, &id_params, &names)
            {
                let message = format!(
                    "{} {} updates an object loaded by an id from the request without checking it belongs to the caller",
                    route.method, route.path
                );
                out.push(cx.finding(&META, module_id, range, message, &route.path));
            }
        }
        // `obj = Model.objects.get(pk=pk)` then `obj.delete()` in Python is covered by the
        // id flowing into the lookup; Django class-based views use `get_object()`.
        if applied {
            Applicability::Applied
        } else {
            Applicability::NotApplicable("no routes that change or delete data")
        }
    }
}

/// `note = Note.query.get_or_404(note_id); note.title = ...`: the first assignment to a
/// property of an object looked up by an id from the request.
fn attribute_update(
    module: &Module,
    function: FunctionId,
    id_params: &[String],
    callers: &[String],
) -> Option<crate::ir::Range> {
    let mut found = None;
    module.functions[function].walk_stmts(&mut |stmt| {
        if found.is_some() {
            return;
        }
        let StmtKind::Assign {
            target: crate::ir::Pattern::Target(target),
            ..
        } = &stmt.kind
        else {
            return;
        };
        let ExprKind::Member { object, .. } = &target.kind else {
            return;
        };
        let Some(name) = object.as_name() else { return };
        let Some(mut value) =
            crate::scope::definition_before(module, function, name, stmt.range.start_byte)
        else {
            return;
        };
        // Go: `db.First(&note, id)` fills `note` through a temporary holding the call.
        if let Some(temporary) = value.as_name().filter(|n| n.starts_with("$out"))
            && let Some(call) =
                crate::scope::definition_before(module, function, temporary, stmt.range.start_byte)
        {
            value = call;
        }
        if value.unwrap_await().as_call().is_some()
            && uses_request_id(module, function, value, id_params)
            && !mentions_caller(module.text_of(value.range), callers)
        {
            found = Some(stmt.range);
        }
    });
    found
}

/// ActiveRecord calls that change or delete records.
const RAILS_MUTATIONS: &[&str] = &[
    "destroy",
    "destroy!",
    "delete",
    "update",
    "update!",
    "update_attribute",
    "update_attributes",
    "update_column",
    "update_columns",
    "update_all",
    "delete_all",
    "destroy_all",
    "delete_by",
    "destroy_by",
    "toggle!",
    "increment!",
    "decrement!",
];

/// Rails: an action that changes or deletes a record found by an id from `params` — in the
/// action (`Post.find(params[:id]).destroy`, `Post.destroy(params[:id])`) or in the filter that
/// loaded it (`@post = Post.find(params[:id])` in `set_post`) — with no scoping to the caller
/// (`current_user.posts.find(...)`, `where(user: current_user)`), no policy check (`authorize
/// @post`, CanCanCan's `authorize!`, `policy_scope`) and no comparison with the caller. Returns
/// the change and what it does.
fn rails_unowned_change(
    module: &Module,
    function: FunctionId,
) -> Option<(crate::ir::Range, &'static str)> {
    let action_text = module.text_of(module.functions[function].range);
    if rails_authorizes(action_text)
        || compares_with_caller(module, function, &[])
        || refuses_on_permission(module, function)
    {
        return None;
    }
    let mut found = None;
    module.functions[function].walk_exprs(&mut |e| {
        if found.is_some() {
            return;
        }
        let Some((callee, args, _)) = e.as_call() else {
            return;
        };
        let ExprKind::Member { object, property } = &callee.kind else {
            return;
        };
        if !RAILS_MUTATIONS.contains(&property.as_str()) {
            return;
        }
        let action = if property.contains("destroy") || property.contains("delete") {
            "deletes"
        } else {
            "updates"
        };
        // `Post.destroy(params[:id])`, `Post.update(params[:id], attrs)`
        let by_argument = matches!(object.kind, ExprKind::Name(ref n) if n.starts_with(|c: char| c.is_ascii_uppercase()))
            && args.first().is_some_and(|a| rails_request_id(module.text_of(a.value.range)));
        let loaded = rails_lookup_by_request_id(module, function, object, 0);
        if by_argument || loaded {
            found = Some((e.range, action));
        }
    });
    found
}

/// Whether Rails code asks a policy: Pundit's `authorize @post` and `policy_scope`,
/// CanCanCan's `authorize!` and `can?`.
fn rails_authorizes(text: &str) -> bool {
    [
        "authorize ",
        "authorize(",
        "authorize!",
        "policy_scope",
        "can?(",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Ruby: a refusal (`raise`, `render_403`, `head :forbidden`, `deny_access`, a redirect)
/// under a test that asks the record a permission question (`unless @post.editable_by?(user)`,
/// `raise Unauthorized unless @relation.deletable?`) — the object's own authorization check.
fn refuses_on_permission(module: &Module, function: FunctionId) -> bool {
    let refuses = |stmts: &[crate::ir::Stmt]| {
        stmts.iter().any(|stmt| {
            matches!(stmt.kind, StmtKind::Throw(_)) || {
                let text = module.text_of(stmt.range);
                [
                    "render_403",
                    "render_404",
                    "head :forbidden",
                    "head(:forbidden",
                    "head :unauthorized",
                    "deny_access",
                    "redirect_to",
                    "status: :forbidden",
                    "status: 403",
                    "raise ",
                ]
                .iter()
                .any(|w| text.contains(w))
            }
        })
    };
    let mut found = false;
    module.functions[function].walk_stmts(&mut |stmt| {
        if let StmtKind::If {
            test,
            consequent,
            alternate,
        } = &stmt.kind
        {
            let mut asks = false;
            test.walk(&mut |e| {
                if e.method_name().is_some_and(|m| {
                    m.ends_with('?')
                        && m != "nil?"
                        && m != "blank?"
                        && m != "present?"
                        && m != "empty?"
                }) {
                    asks = true;
                }
            });
            if asks && (refuses(consequent) || refuses(alternate)) {
                found = true;
            }
        }
    });
    found
}

/// Whether a receiver is (or holds) a record looked up by an id from `params` without the
/// caller in the lookup.
fn rails_lookup_by_request_id(
    module: &Module,
    function: FunctionId,
    expr: &Expr,
    depth: u32,
) -> bool {
    if depth > 4 {
        return false;
    }
    match &expr.kind {
        ExprKind::Name(name) if !name.starts_with(|c: char| c.is_ascii_uppercase()) => {
            crate::rules::ruby_values_of(module, function, name, expr.range.start_byte)
                .into_iter()
                .any(|value| {
                    let loader = crate::rules::enclosing_function(module, value.range);
                    let loader_text = module.text_of(module.functions[loader].range);
                    !rails_authorizes(loader_text)
                        && !compares_with_caller(module, loader, &[])
                        && !refuses_on_permission(module, loader)
                        && rails_lookup_by_request_id(module, loader, value, depth + 1)
                })
        }
        ExprKind::Call { .. } => {
            let text = module.text_of(expr.range);
            rails_request_id(text) && !mentions_caller(text, &[])
        }
        _ => false,
    }
}

/// Whether Ruby code reads an id from the request: `params[:id]`, `params[:post_id]`,
/// `params.fetch(:id)`, `params.require(:id)`.
fn rails_request_id(text: &str) -> bool {
    [
        "params[:",
        "params.fetch(:",
        "params.require(:",
        "params[\"",
        "params['",
    ]
    .iter()
    .any(|opening| {
        text.match_indices(opening).any(|(at, _)| {
            let key: String = text[at + opening.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let words = crate::naming::words(&key);
            matches!(
                words.last().map(String::as_str),
                Some("id" | "pk" | "uuid" | "slug" | "ids")
            )
        })
    })
}

fn path_parameter_names(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}
