//! VG114 jwt-verification-bypass: tokens read without verifying their signature, `none`
//! accepted, or expiry ignored.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, enclosing_function};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind};

/// The rule.
#[derive(Debug)]
pub struct JwtVerificationBypass;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG114"),
    name: Cow::Borrowed("jwt-verification-bypass"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("JWT read without verification, `none` accepted or expiry ignored"),
    severity: Severity::Critical,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[347, 287]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth07]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "jsonwebtoken's `jwt.decode` used where the function never calls `jwt.verify` (the \
             decoded claims are trusted without checking the signature), `jwt.verify` allowing \
             the `none` algorithm or `ignoreExpiration: true`; PyJWT / python-jose `jwt.decode` \
             with `options={'verify_signature': False}`, `verify=False` or `algorithms=['none']`, \
             and `get_unverified_claims`. \
             Go: golang-jwt `ParseUnverified`, `UnsafeAllowNoneSignatureType`, `WithoutClaimsValidation`. \
             Ruby: `JWT.decode(token, key, false)`, `algorithm: 'none'`, `verify_expiration: false`.",
        ),
        why: Cow::Borrowed(
            "Anyone can write a JWT: without signature verification, `{\"id\": 1, \"role\": \
             \"admin\"}` base64-encoded is an admin login.",
        ),
        example_bad: Cow::Borrowed(
            "const user = jwt.decode(req.headers.authorization.split(' ')[1]);\nreq.user = user;",
        ),
        example_fixed: Cow::Borrowed(
            "const user = jwt.verify(token, process.env.JWT_SECRET, { algorithms: ['HS256'] });",
        ),
        fix: Cow::Borrowed(
            "Verify every token with `jwt.verify` / `jwt.decode(token, key, algorithms=[...])` and \
             an explicit algorithm list; never disable signature or expiry checks.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/347.html"),
            Cow::Borrowed("https://datatracker.ietf.org/doc/html/rfc8725#section-3.1"),
        ]),
    },
};

fn allows_none(expr: Option<&Expr>) -> bool {
    match expr.map(|e| &e.kind) {
        Some(ExprKind::Array(items)) => items
            .iter()
            .any(|i| i.as_str().is_some_and(|a| a.eq_ignore_ascii_case("none"))),
        Some(ExprKind::Str(a)) => a.eq_ignore_ascii_case("none"),
        _ => false,
    }
}

impl CodeRule for JwtVerificationBypass {
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
            for (function_id, function) in module.functions.iter().enumerate() {
                let mut verifies = false;
                let mut decodes = Vec::new();
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else { return };
                    let qualified = cx.index.qualified(module_id, callee);
                    let javascript = module.language.is_javascript_family();
                    if qualified.starts_with("jsonwebtoken") || qualified.starts_with("jose") || qualified.starts_with("jwt") || qualified.starts_with("jsonwebtoken.default") {
                        applied = true;
                    }
                    let last = qualified.rsplit('.').next().unwrap_or("");
                    if javascript && qualified.starts_with("jsonwebtoken") {
                        match last {
                            "verify" => {
                                verifies = true;
                                let options = args.get(2).map(|a| &a.value);
                                if allows_none(options.and_then(|o| o.property("algorithms"))) {
                                    out.push(cx.finding(&META, module_id, e.range, "jwt.verify accepts the 'none' algorithm: unsigned tokens pass", "none"));
                                } else if options.and_then(|o| o.property("ignoreExpiration")).is_some_and(|v| matches!(v.kind, ExprKind::Bool(true))) {
                                    out.push(cx.finding(&META, module_id, e.range, "jwt.verify ignores expiry: expired tokens stay valid", "expiration").with_severity(Severity::Medium));
                                }
                            }
                            "decode" => decodes.push(e),
                            _ => {}
                        }
                    } else if module.language.is_ruby() && qualified.ends_with("JWT.decode") {
                        // ruby-jwt: `JWT.decode(token, key, verify = true, options)`: a `false`
                        // third argument skips the signature, `algorithm: 'none'` accepts
                        // unsigned tokens, `verify_expiration: false` expired ones.
                        applied = true;
                        let positional: Vec<&Expr> = args.iter().filter(|a| a.name.is_none()).map(|a| &a.value).collect();
                        let option = |name: &str| {
                            Expr::option(args, name).or_else(|| positional.get(3).and_then(|o| o.property(name)))
                        };
                        let none = ["algorithm", "algorithms"].iter().any(|name| allows_none(option(name)));
                        if positional.get(2).is_some_and(|v| matches!(v.kind, ExprKind::Bool(false))) {
                            out.push(cx.finding(&META, module_id, e.range, "JWT.decode with verification turned off (false): forged tokens pass", "unverified"));
                        } else if none {
                            out.push(cx.finding(&META, module_id, e.range, "JWT.decode accepts the 'none' algorithm: unsigned tokens pass", "none"));
                        } else if option("verify_expiration").is_some_and(|v| matches!(v.kind, ExprKind::Bool(false))) {
                            out.push(cx.finding(&META, module_id, e.range, "JWT.decode ignores expiry (verify_expiration: false): expired tokens stay valid", "expiration").with_severity(Severity::Medium));
                        }
                    } else if !javascript && (qualified.ends_with("jwt.decode") || qualified == "jwt.decode") {
                        let options = Expr::option(args, "options");
                        let unverified = options
                            .and_then(|o| o.property("verify_signature"))
                            .is_some_and(|v| matches!(v.kind, ExprKind::Bool(false)))
                            || Expr::option(args, "verify").is_some_and(|v| matches!(v.kind, ExprKind::Bool(false)));
                        if unverified {
                            out.push(cx.finding(&META, module_id, e.range, "jwt.decode with signature verification turned off: forged tokens pass", "unverified"));
                        } else if allows_none(Expr::option(args, "algorithms")) {
                            out.push(cx.finding(&META, module_id, e.range, "jwt.decode accepts the 'none' algorithm: unsigned tokens pass", "none"));
                        }
                    } else if module.language.is_go() && qualified.contains("jwt") {
                        // golang-jwt: `ParseUnverified` reads claims without checking the
                        // signature; `UnsafeAllowNoneSignatureType` lets `alg: none` through;
                        // `WithoutClaimsValidation` stops checking `exp`.
                        applied = true;
                        let go_last = callee.member_path().and_then(|p| p.last().copied()).unwrap_or(last);
                        match go_last {
                            "ParseUnverified" => out.push(cx.finding(&META, module_id, e.range, "JWT parsed with ParseUnverified: its signature is never checked, anyone can forge it", "unverified")),
                            "WithoutClaimsValidation" => out.push(cx.finding(&META, module_id, e.range, "JWT parser built WithoutClaimsValidation: expired tokens stay valid", "expiration").with_severity(Severity::Medium)),
                            _ => {}
                        }
                    } else if !javascript && last == "get_unverified_claims" {
                        out.push(cx.finding(&META, module_id, e.range, "JWT claims read without verifying the signature", "unverified-claims"));
                    } else if javascript && last == "decodeJwt" && qualified.starts_with("jose") {
                        decodes.push(e);
                    } else if javascript && (last == "jwtVerify" || last == "verify") {
                        verifies = true;
                    }
                });
                // golang-jwt's `jwt.UnsafeAllowNoneSignatureType` returned as the key: `alg: none`
                // tokens pass.
                if module.language.is_go() {
                    function.walk_exprs(&mut |e| {
                        if let ExprKind::Member { property, .. } = &e.kind
                            && property == "UnsafeAllowNoneSignatureType"
                        {
                            out.push(cx.finding(&META, module_id, e.range, "JWT key function accepts UnsafeAllowNoneSignatureType: unsigned tokens pass", "none"));
                        }
                    });
                }
                // A decode in a function that never verifies trusts unsigned claims.
                if !verifies && !decodes.is_empty() {
                    let parent_verifies = function.parent.is_some_and(|p| {
                        let text = module.text_of(module.functions[p].range);
                        p != 0 && text.contains(".verify(")
                    });
                    for e in decodes {
                        if parent_verifies || enclosing_function(module, e.range) != function_id {
                            continue;
                        }
                        out.push(cx.finding(
                            &META,
                            module_id,
                            e.range,
                            "token decoded without verifying its signature: anyone can forge it",
                            "decode",
                        ));
                    }
                }
            }
        }
        if applied {
            Applicability::Applied
        } else {
            Applicability::Absent("no JWT handling found in the code")
        }
    }
}
