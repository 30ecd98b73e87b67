//! VG113 jwt-without-expiry: JWTs signed without an expiry.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, enclosing_function};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Prop, PropKey};

/// The rule.
#[derive(Debug)]
pub struct JwtWithoutExpiry;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG113"),
    name: Cow::Borrowed("jwt-without-expiry"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("JWT signed without an expiry"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[613]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth07, ChecklistId::Auth04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A token signed with jsonwebtoken's `jwt.sign` without `expiresIn` (or an `exp` \
             claim in the payload), jose's `new SignJWT(...)` without `setExpirationTime`, \
             PyJWT / python-jose `jwt.encode` with a payload that has no `exp`, and \
             Flask-JWT-Extended tokens with `expires_delta=False` or \
             `JWT_ACCESS_TOKEN_EXPIRES = False`. \
             Go: golang-jwt `NewWithClaims` with claims that set no `exp`/`ExpiresAt`. \
             Ruby: `JWT.encode(payload, key)` without `exp`. \
             Hono: `sign(payload, secret)` from `hono/jwt` without `exp`.",
        ),
        why: Cow::Borrowed(
            "A token without expiry is valid forever: one leaked token (a log line, a browser \
             extension, a shared screenshot) is a permanent login that no password change \
             revokes.",
        ),
        example_bad: Cow::Borrowed(
            "const token = jwt.sign({ id: user.id }, process.env.JWT_SECRET);",
        ),
        example_fixed: Cow::Borrowed(
            "const token = jwt.sign({ id: user.id }, process.env.JWT_SECRET, { expiresIn: '15m' });",
        ),
        fix: Cow::Borrowed(
            "Give every token a short lifetime (`expiresIn: '15m'`, `exp` 15-60 minutes ahead) \
             and use refresh tokens for long sessions.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/613.html"),
            Cow::Borrowed("https://datatracker.ietf.org/doc/html/rfc8725"),
        ]),
    },
};

fn has_key(object: &Expr, names: &[&str]) -> Option<bool> {
    match &object.kind {
        ExprKind::Object(props) => Some(props.iter().any(|p| match p {
            Prop::Pair {
                key: PropKey::Name(key),
                ..
            } => names.contains(&key.as_str()),
            // `{ ...claims }`: unknown content.
            Prop::Spread(_) => true,
            Prop::Pair { .. } => false,
        })),
        _ => None,
    }
}

/// Whether Go claims set an expiry: `exp` in a `MapClaims`, `ExpiresAt` in (an embedded)
/// `RegisteredClaims`/`StandardClaims`, at any depth of the literal; `None` when the claims are
/// not a literal.
fn go_claims_expire(claims: &Expr) -> Option<bool> {
    let ExprKind::Object(props) = &claims.kind else {
        return None;
    };
    let mut unknown = false;
    for prop in props {
        match prop {
            Prop::Pair {
                key: PropKey::Name(key),
                value,
            } => {
                if matches!(key.as_str(), "exp" | "ExpiresAt") {
                    return Some(true);
                }
                if go_claims_expire(value) == Some(true) {
                    return Some(true);
                }
            }
            Prop::Spread(_) | Prop::Pair { .. } => unknown = true,
        }
    }
    (!unknown).then_some(false)
}

impl CodeRule for JwtWithoutExpiry {
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
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            for function_id in 0..module.functions.len() {
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else {
                        return;
                    };
                    let qualified = cx.index.qualified(module_id, callee);
                    let resolve = |x: &'_ Expr| {
                        crate::scope::resolve_value(module, enclosing_function(module, e.range), x)
                            .clone()
                    };
                    let payload_lacks_exp = |payload: Option<&Expr>| match payload {
                        Some(payload) => {
                            has_key(&resolve(payload), &["exp", "expiresIn"]) == Some(false)
                        }
                        None => false,
                    };
                    if qualified == "jsonwebtoken.sign" {
                        applied = true;
                        let options = args.get(2).map(|a| resolve(&a.value));
                        let option_expiry = options
                            .as_ref()
                            .is_some_and(|o| has_key(o, &["expiresIn", "exp"]) != Some(false));
                        if !option_expiry
                            && payload_lacks_exp(args.first().map(|a| &a.value))
                            && !matches!(
                                args.first().map(|a| &a.value.kind),
                                Some(ExprKind::Str(_))
                            )
                        {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "JWT signed without expiresIn: the token never expires",
                                "sign",
                            ));
                        }
                    } else if matches!(qualified, "hono/jwt.sign" | "hono/utils/jwt/jwt.sign" | "hono/jwt.default.sign") {
                        // Hono's `sign(payload, secret)`: the payload's `exp` is the expiry.
                        applied = true;
                        if payload_lacks_exp(args.first().map(|a| &a.value)) {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "JWT signed without an 'exp' claim: the token never expires",
                                "hono-jwt",
                            ));
                        }
                    } else if callee.method_name() == Some("sign")
                        && module.text_of(callee.range).contains("SignJWT")
                    {
                        applied = true;
                        if !module.text_of(callee.range).contains("setExpirationTime") {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "JWT signed without setExpirationTime: the token never expires",
                                "jose",
                            ));
                        }
                    } else if (qualified == "jwt.encode"
                        || qualified == "jose.jwt.encode"
                        || qualified.ends_with("jwt.encode")
                        // ruby-jwt: `JWT.encode(payload, key, 'HS256')`.
                        || (module.language.is_ruby() && qualified.ends_with("JWT.encode")))
                        && !module.language.is_javascript_family()
                    {
                        applied = true;
                        // Ruby: `payload[:exp] = 24.hours.from_now.to_i` before encoding.
                        let function_text =
                            module.text_of(module.functions[enclosing_function(module, e.range)].range);
                        let set_later = module.language.is_ruby()
                            && ["[:exp]", "['exp']", "[\"exp\"]", "merge(exp:"]
                                .iter()
                                .any(|w| function_text.contains(w));
                        if !set_later && payload_lacks_exp(args.first().map(|a| &a.value)) {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "JWT encoded without an 'exp' claim: the token never expires",
                                "encode",
                            ));
                        }
                    } else if module.language.is_go()
                        && crate::language::go_qualified_tail(qualified) == "jwt.NewWithClaims"
                    {
                        // golang-jwt: `jwt.NewWithClaims(method, jwt.MapClaims{...})` or a claims
                        // struct embedding `RegisteredClaims{ExpiresAt: ...}`; an `exp` set
                        // later in the function (`claims["exp"] = ...`) counts.
                        applied = true;
                        let function_text =
                            module.text_of(module.functions[enclosing_function(module, e.range)].range);
                        let set_later = function_text.contains("[\"exp\"]")
                            || function_text.contains("ExpiresAt =");
                        if !set_later
                            && args
                                .get(1)
                                .map(|a| resolve(&a.value))
                                .is_some_and(|claims| go_claims_expire(&claims) == Some(false))
                        {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "JWT created without an expiry (exp / ExpiresAt): the token never expires",
                                "go-jwt",
                            ));
                        }
                    } else if qualified.starts_with("flask_jwt_extended.create_") {
                        applied = true;
                        if Expr::option(args, "expires_delta")
                            .is_some_and(|v| matches!(v.kind, ExprKind::Bool(false)))
                        {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "token created with expires_delta=False: it never expires",
                                "flask-jwt",
                            ));
                        }
                    }
                });
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    if let crate::ir::StmtKind::Assign { target, value, .. } = &stmt.kind
                        && matches!(value.kind, ExprKind::Bool(false))
                        && module
                            .text_of(stmt.range)
                            .contains("JWT_ACCESS_TOKEN_EXPIRES")
                        && !matches!(target, crate::ir::Pattern::Ignore)
                    {
                        applied = true;
                        out.push(cx.finding(
                            &META,
                            module_id,
                            stmt.range,
                            "JWT_ACCESS_TOKEN_EXPIRES = False: access tokens never expire",
                            "config",
                        ));
                    }
                });
            }
        }
        if applied {
            Applicability::Applied
        } else {
            Applicability::Absent("no JWT signing found in the code")
        }
    }
}
