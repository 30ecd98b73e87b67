//! VG118 token-in-web-storage: auth tokens written to localStorage or sessionStorage.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Pattern, StmtKind};
use crate::naming;

/// The rule.
#[derive(Debug)]
pub struct TokenInWebStorage;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG118"),
    name: Cow::Borrowed("token-in-web-storage"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Auth token kept in localStorage or sessionStorage"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[922]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Auth08]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "`localStorage` / `sessionStorage` writes (`setItem`, property or index assignment) \
             whose key or value names an authentication token: `token`, `jwt`, \
             `accessToken`, `refresh_token`, `authToken`, `session`, `apiKey`.",
        ),
        why: Cow::Borrowed(
            "Any script on the page — one XSS, one compromised npm dependency, one analytics \
             snippet — reads web storage and sends the token away; httpOnly cookies are out of \
             scripts' reach.",
        ),
        example_bad: Cow::Borrowed("localStorage.setItem('token', data.token);"),
        example_fixed: Cow::Borrowed(
            "// Server: res.cookie('session', token, { httpOnly: true, secure: true, sameSite: 'lax' });\n// Client: fetch('/api/me', { credentials: 'include' });",
        ),
        fix: Cow::Borrowed(
            "Keep session tokens in httpOnly, Secure, SameSite cookies set by the server; keep \
             only non-secret state in web storage.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/922.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/HTML5_Security_Cheat_Sheet.html#local-storage",
            ),
        ]),
    },
};

fn is_auth_key(text: &str) -> bool {
    let words = naming::words(text);
    naming::is_token_name(text)
        || words.iter().any(|w| {
            matches!(
                w.as_str(),
                "jwt" | "token" | "auth" | "session" | "bearer" | "apikey" | "credentials"
            )
        })
}

fn storage_of(expr: &Expr) -> bool {
    expr.member_path()
        .is_some_and(|p| matches!(p.last(), Some(&"localStorage") | Some(&"sessionStorage")))
}

impl CodeRule for TokenInWebStorage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// Go and Ruby run on the server, where there is no web storage: nothing in them can put a
    /// token there (the pages they serve are read as JavaScript and HTML).
    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[
            crate::language::Language::Ruby,
            crate::language::Language::Go,
        ]
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        let mut applied = false;
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            if !module.language.is_javascript_family() {
                continue;
            }
            applied = true;
            for function_id in 0..module.functions.len() {
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else {
                        return;
                    };
                    let ExprKind::Member { object, property } = &callee.kind else {
                        return;
                    };
                    if property != "setItem" || !storage_of(object) {
                        return;
                    }
                    let key = args
                        .first()
                        .map(|a| module.text_of(a.value.range))
                        .unwrap_or("");
                    let value = args
                        .get(1)
                        .map(|a| module.text_of(a.value.range))
                        .unwrap_or("");
                    let value_name = value.rsplit('.').next().unwrap_or(value);
                    if is_auth_key(key.trim_matches(['\'', '"', '`'])) || is_auth_key(value_name) {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            e.range,
                            format!(
                                "auth token written to {}: any script on the page can read it",
                                module.text_of(object.range)
                            ),
                            key,
                        ));
                    }
                });
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    let StmtKind::Assign {
                        target: Pattern::Target(target),
                        ..
                    } = &stmt.kind
                    else {
                        return;
                    };
                    let (object, key) = match &target.kind {
                        ExprKind::Member { object, property } => (object, property.clone()),
                        ExprKind::Index { object, index } => {
                            (object, index.as_str().unwrap_or("").to_string())
                        }
                        _ => return,
                    };
                    if storage_of(object) && is_auth_key(&key) {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            stmt.range,
                            format!(
                                "auth token written to {}: any script on the page can read it",
                                module.text_of(object.range)
                            ),
                            &key,
                        ));
                    }
                });
            }
        }
        if applied {
            Applicability::Applied
        } else {
            Applicability::NotApplicable("no JavaScript or TypeScript files")
        }
    }
}
