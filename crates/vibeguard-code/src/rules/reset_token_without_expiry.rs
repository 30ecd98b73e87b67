//! VG117 reset-token-without-expiry: a password-reset or verification token is stored with no
//! expiry next to it.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{ExprKind, Pattern, Prop, PropKey, Range, StmtKind};
use crate::naming;

/// The rule.
#[derive(Debug)]
pub struct ResetTokenWithoutExpiry;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG117"),
    name: Cow::Borrowed("reset-token-without-expiry"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Password-reset or verification token stored without an expiry"),
    severity: Severity::Medium,
    confidence: Confidence::Tentative,
    cwe: Cow::Borrowed(&[640, 613]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth06]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Code that stores a password-reset, email-verification, magic-link or invitation \
             token (`user.resetToken = token`, `{ resetPasswordToken: t }` in an update, \
             `UPDATE users SET reset_token = ?`) without also storing an expiry \
             (`resetTokenExpires`, `reset_expires_at`, a TTL) in the same function; \
             Go structs' fields (`account.ResetToken = token`) alike. \
             Rails: `update(reset_token: t)` without a `*_sent_at` or expiry column, `signed_id(purpose: …)` and `generates_token_for` without `expires_in:`.",
        ),
        why: Cow::Borrowed(
            "A reset link that never expires stays a key to the account in every old email, \
             browser history and log that ever held it.",
        ),
        example_bad: Cow::Borrowed(
            "user.resetToken = crypto.randomBytes(32).toString('hex');\nawait user.save();",
        ),
        example_fixed: Cow::Borrowed(
            "user.resetToken = hash(token);\nuser.resetTokenExpires = Date.now() + 30 * 60 * 1000;\nawait user.save();",
        ),
        fix: Cow::Borrowed(
            "Store an expiry (15-60 minutes) with the token, check it when the token is used, \
             and clear the token after one use.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/640.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
            ),
        ]),
    },
};

fn is_reset_token(name: &str) -> bool {
    let words = naming::words(name);
    let purpose = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "reset"
                | "verification"
                | "verify"
                | "magic"
                | "invite"
                | "invitation"
                | "confirm"
                | "confirmation"
                | "recovery"
                | "activation"
        )
    });
    let token = words
        .iter()
        .any(|w| matches!(w.as_str(), "token" | "code" | "hash" | "link" | "otp"));
    purpose && token && !is_expiry(name)
}

fn is_expiry(name: &str) -> bool {
    let words = naming::words(name);
    // Rails' convention: `reset_password_sent_at`, `reset_sent_at` — when the link was sent,
    // which its check compares with the clock.
    if words.iter().any(|w| w == "sent") && words.last().is_some_and(|w| w == "at") {
        return true;
    }
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "expires"
                | "expire"
                | "expiry"
                | "expiration"
                | "exp"
                | "ttl"
                | "until"
                | "deadline"
                | "valid"
                | "expiresat"
                | "expired"
        )
    })
}

/// Reset-token and expiry properties of an object written to storage (`{ resetToken }`,
/// `{ $set: { ... } }`, Prisma's `{ data: { ... } }`).
fn collect_props(
    value: &crate::ir::Expr,
    stored: &mut Vec<(Range, String)>,
    expiry: &mut bool,
    depth: u32,
) {
    let ExprKind::Object(props) = &value.kind else {
        return;
    };
    if depth > 2 {
        return;
    }
    for prop in props {
        let Prop::Pair {
            key: PropKey::Name(key),
            value,
        } = prop
        else {
            continue;
        };
        if is_reset_token(key) && !matches!(value.kind, ExprKind::Null) {
            stored.push((value.range, key.clone()));
        } else if is_expiry(key) {
            *expiry = true;
        } else if matches!(key.as_str(), "$set" | "data" | "set" | "values") {
            collect_props(value, stored, expiry, depth + 1);
        }
    }
}

impl CodeRule for ResetTokenWithoutExpiry {
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
        // Only code that stores such tokens can pass AUTH-06; a project without any says nothing.
        let mut any_stored = false;
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            for function_id in 0..module.functions.len() {
                let mut stored: Vec<(Range, String)> = Vec::new();
                let mut expiry = false;
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    if let StmtKind::Assign {
                        target: Pattern::Target(target),
                        value,
                        ..
                    } = &stmt.kind
                    {
                        // Clearing a token is not storing one.
                        if matches!(value.kind, ExprKind::Null) {
                            return;
                        }
                        let name = match &target.kind {
                            ExprKind::Member { property, .. } => property.clone(),
                            // A token kept in the visitor's session or flash is carried between
                            // two requests, not stored as a reset link.
                            ExprKind::Index { object, .. }
                                if matches!(object.as_name(), Some("session" | "flash")) =>
                            {
                                return;
                            }
                            ExprKind::Index { index, .. } => {
                                index.as_str().unwrap_or("").to_string()
                            }
                            _ => return,
                        };
                        if is_reset_token(&name) {
                            stored.push((stmt.range, name));
                        } else if is_expiry(&name) {
                            expiry = true;
                        }
                    }
                });
                cx.index.calls(module_id, function_id, &mut |e| {
                    let ExprKind::Call { args, callee, .. } = &e.kind else {
                        return;
                    };
                    let method = callee.method_name().or(callee.as_name()).unwrap_or("");
                    let writes = matches!(
                        method,
                        "update"
                            | "updateOne"
                            | "updateMany"
                            | "findByIdAndUpdate"
                            | "findOneAndUpdate"
                            | "create"
                            | "insert"
                            | "insertOne"
                            | "save"
                            | "set"
                            | "upsert"
                            | "hset"
                            | "put"
                            | "merge"
                            | "assign"
                            // ActiveRecord
                            | "update!"
                            | "update_columns"
                            | "create!"
                            | "assign_attributes"
                    );
                    // Rails: `update_column(:reset_token, token)`.
                    if module.language.is_ruby()
                        && matches!(method, "update_column" | "update_attribute")
                        && let Some(name) = args.first().and_then(|a| a.value.as_str())
                    {
                        if is_reset_token(name) {
                            stored.push((e.range, name.to_string()));
                        } else if is_expiry(name) {
                            expiry = true;
                        }
                    }
                    // Rails' signed tokens: `user.signed_id(purpose: :password_reset)` and
                    // `generates_token_for :password_reset` never expire without `expires_in:`.
                    if module.language.is_ruby()
                        && matches!(method, "signed_id" | "generates_token_for")
                    {
                        let purpose = crate::ir::Expr::option(args, "purpose")
                            .or_else(|| args.first().filter(|a| a.name.is_none()).map(|a| &a.value))
                            .and_then(|p| p.as_str())
                            .unwrap_or("");
                        if is_reset_token(&format!("{purpose}_token"))
                            && crate::ir::Expr::option(args, "expires_in").is_none()
                            && crate::ir::Expr::option(args, "expires_at").is_none()
                        {
                            stored.push((e.range, format!("{method} {purpose}")));
                        }
                    }
                    if writes {
                        for arg in args {
                            collect_props(&arg.value, &mut stored, &mut expiry, 0);
                        }
                    }
                    // Keyword arguments of writes and constructors (`User(reset_token=t)`), not of
                    // lookups (`filter_by(reset_token=t)`).
                    let constructs = callee
                        .as_name()
                        .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase));
                    for arg in args.iter().filter(|_| writes || constructs) {
                        if let Some(name) = &arg.name {
                            if is_reset_token(name) {
                                stored.push((arg.value.range, name.clone()));
                            } else if is_expiry(name) {
                                expiry = true;
                            }
                        }
                    }
                    // `redis.set(key, token, 'EX', 3600)`, `setex`, `expiresIn`
                    if matches!(method, "setex" | "setEx" | "expire" | "pexpire")
                        || args
                            .iter()
                            .any(|a| a.value.as_str().is_some_and(|s| matches!(s, "EX" | "PX")))
                    {
                        expiry = true;
                    }
                    if let Some(sql) = args.first().and_then(|a| a.value.as_str()) {
                        let upper = sql.to_ascii_uppercase();
                        if upper.contains("UPDATE") || upper.contains("INSERT") {
                            let columns: Vec<&str> = sql
                                .split(|c: char| !c.is_alphanumeric() && c != '_')
                                .collect();
                            if let Some(column) = columns.iter().find(|c| is_reset_token(c)) {
                                stored.push((e.range, column.to_string()));
                            }
                            if columns.iter().any(|c| is_expiry(c)) {
                                expiry = true;
                            }
                        }
                    }
                });
                any_stored |= !stored.is_empty();
                if expiry {
                    continue;
                }
                let mut reported: Vec<String> = Vec::new();
                for (range, name) in stored {
                    if reported.contains(&name) {
                        continue;
                    }
                    reported.push(name.clone());
                    out.push(cx.finding(
                        &META,
                        module_id,
                        range,
                        format!("{name} is stored without an expiry: the link works forever"),
                        &name,
                    ));
                }
            }
        }
        if any_stored {
            Applicability::Applied
        } else {
            Applicability::Absent("no stored password-reset or verification tokens found")
        }
    }
}
