//! VG116 predictable-token: session ids, tokens, reset codes or keys made from a
//! non-cryptographic random source or the clock.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Prop, PropKey, StmtKind};
use crate::naming;
use crate::project::{Local, ModuleId, Project};

/// The rule.
#[derive(Debug)]
pub struct PredictableToken;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG116"),
    name: Cow::Borrowed("predictable-token"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Token, session id or reset code from a predictable source"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[330, 338]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth04, ChecklistId::Auth06]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A value stored in a token-like name (`token`, `resetToken`, `sessionId`, `apiKey`, \
             `otp`, `verificationCode`, `nonce`), returned by a token-generating function \
             (`generateToken`, `create_reset_code`, `make_code`) or one named for the token \
             (`resetToken()`, `api_key()`, also through a local variable), or put in a \
             token-like property, that comes from `Math.random()`, Python's `random` module \
             (`random.choice` over a charset, `random.getrandbits`, `random.choices`), \
             `uuid.v1()` / `uuid1()`, or the clock (`Date.now()`, `time.time()`) without a \
             cryptographic random source. \
             Go: `math/rand`, `time.Now()`. \
             Ruby: `rand`, `Random`, an array's `sample`/`shuffle` without `random: SecureRandom`, `Time.now`.",
        ),
        why: Cow::Borrowed(
            "`Math.random` and `random` are predictable from a few outputs, UUIDv1 and \
             timestamps are guessable: an attacker computes the next password-reset token or \
             session id and takes over accounts.",
        ),
        example_bad: Cow::Borrowed("const resetToken = Math.random().toString(36).slice(2);"),
        example_fixed: Cow::Borrowed("const resetToken = crypto.randomBytes(32).toString('hex');"),
        fix: Cow::Borrowed(
            "Use a CSPRNG: `crypto.randomBytes`/`crypto.randomUUID()` in Node, `secrets.token_urlsafe()` \
             in Python, `uuid.v4()`/`uuid4()` for identifiers.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/338.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-id-entropy",
            ),
        ]),
    },
};

/// What makes an expression predictable, if anything: the weak source it uses, unless a
/// cryptographic source also feeds it.
fn weak_source(project: &Project, module: ModuleId, expr: &Expr) -> Option<&'static str> {
    if project.modules[module].language.is_ruby() {
        return ruby_weak_source(&project.modules[module], expr);
    }
    let mut weak = None;
    let mut strong = false;
    expr.walk(&mut |e| {
        let Some((callee, _, _)) = e.as_call() else {
            return;
        };
        let q = project
            .qualify(module, callee, &|_| Local::Unknown)
            .unwrap_or_default();
        match q.as_str() {
            "Math.random" => weak = Some("Math.random()"),
            "Date.now"
            | "time.time"
            | "time.time_ns"
            | "datetime.now"
            | "datetime.datetime.now"
            | "performance.now" => weak = weak.or(Some("the clock")),
            "uuid.v1" | "uuid.uuid1" | "uuidv1" | "uuid.v1.default" | "uuid.v1mc" => {
                weak = Some("UUIDv1")
            }
            q if q.starts_with("random.") && !q.starts_with("random.SystemRandom") => {
                weak = Some("Python's random module")
            }
            // Go: `math/rand` (v1 and v2), `time.Now().UnixNano()`, google/uuid's v1 `NewUUID`.
            q if q.starts_with("math/rand") => weak = Some("math/rand"),
            q if q.starts_with("time.Now") => weak = weak.or(Some("the clock")),
            q if q.ends_with("uuid.NewUUID") => weak = Some("UUIDv1"),
            q if q.starts_with("crypto/")
                || q.ends_with("uuid.New")
                || q.ends_with("uuid.NewString") =>
            {
                strong = true
            }
            q if q.starts_with("crypto.")
                || q.starts_with("secrets.")
                || q.starts_with("node:crypto")
                || q == "uuid.v4"
                || q == "uuid.uuid4"
                || q.starts_with("nanoid")
                || q.contains("randomBytes")
                || q.contains("randomUUID")
                || q.starts_with("os.urandom")
                || q.contains("getRandomValues") =>
            {
                strong = true
            }
            _ => {
                if callee
                    .member_path()
                    .is_some_and(|p| p.last() == Some(&"getTime"))
                {
                    weak = weak.or(Some("the clock"));
                }
            }
        }
    });
    if strong { None } else { weak }
}

/// Ruby: `rand`, `Random.rand`, `Random.new`, an array's `sample`/`shuffle` (Kernel's
/// generator, unless given `random: SecureRandom`) and the clock (`Time.now.to_i`,
/// `Time.current`), unless `SecureRandom` also feeds the value.
fn ruby_weak_source(module: &crate::ir::Module, expr: &Expr) -> Option<&'static str> {
    let mut weak = None;
    let mut strong = false;
    // A block's body (`Array.new(20) { chars.sample }`) makes the value too.
    let mut exprs: Vec<&Expr> = Vec::new();
    expr.walk(&mut |e| exprs.push(e));
    let mut index = 0;
    while index < exprs.len() && index < 10_000 {
        if let ExprKind::Function(id) = exprs[index].kind {
            module.functions[id].walk_exprs(&mut |e| exprs.push(e));
        }
        index += 1;
    }
    for e in exprs {
        if let ExprKind::Name(name) = &e.kind
            && name == "SecureRandom"
        {
            strong = true;
        }
        let Some((callee, args, _)) = e.as_call() else {
            continue;
        };
        // A method on a value (`[*'a'..'z'].sample`) has no path: its name stands for it.
        let path = callee
            .member_path()
            .or_else(|| callee.method_name().map(|m| vec!["", m]))
            .unwrap_or_default();
        match path.as_slice() {
            ["rand" | "srand"] | ["Kernel" | "Random", "rand" | "new" | "bytes"] => {
                weak = Some("Ruby's rand")
            }
            [.., "sample" | "shuffle"] if Expr::option(args, "random").is_none() => {
                weak = Some("Ruby's rand")
            }
            ["Time" | "DateTime", "now" | "current"]
            | ["Date", "today"]
            | ["Process", "clock_gettime"] => weak = weak.or(Some("the clock")),
            _ => {}
        }
    }
    if strong { None } else { weak }
}

impl CodeRule for PredictableToken {
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
        // AUTH-04 and AUTH-06 pass only when the code makes tokens this rule could judge.
        let mut any_token = false;
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            for (function_id, function) in module.functions.iter().enumerate() {
                let function_is_generator = function.name.as_deref().is_some_and(|n| {
                    let words = naming::words(n);
                    let makes = words.iter().any(|w| {
                        matches!(
                            w.as_str(),
                            "generate" | "create" | "make" | "new" | "random" | "issue" | "gen"
                        )
                    });
                    let last = words.last().map(String::as_str).unwrap_or("");
                    // `generateToken`, `make_code` (a code made at random is a one-time code),
                    // and functions named for the token itself (`resetToken()`, `api_key()`).
                    // `verify_session_token`, `find_token`, `token_expired?` read tokens.
                    let reads = words.iter().any(|w| {
                        matches!(
                            w.as_str(),
                            "verify"
                                | "validate"
                                | "check"
                                | "find"
                                | "valid"
                                | "expired"
                                | "expire"
                                | "revoke"
                                | "destroy"
                                | "delete"
                                | "clear"
                                | "is"
                                | "has"
                        )
                    });
                    !reads
                        && ((makes
                            && (naming::is_token_name(last) || matches!(last, "code" | "pin")))
                            || naming::is_token_name(n))
                });
                cx.index
                    .stmts(module_id, function_id, &mut |stmt| match &stmt.kind {
                        StmtKind::Assign { target, value, .. } => {
                            let name = target.assigned_name();
                            let token = name.is_some_and(naming::is_token_name);
                            // A literal is a secret written down (VG115's), not a token made.
                            any_token |= token && !matches!(value.kind, ExprKind::Str(_));
                            if let Some(name) = name
                                && token
                                && let Some(source) = weak_source(cx.project, module_id, value)
                            {
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    stmt.range,
                                    format!("{name} comes from {source}: it can be predicted"),
                                    name,
                                ));
                            }
                        }
                        // A comparison's answer is a yes or no, not a token.
                        StmtKind::Return(Some(value))
                            if function_is_generator
                                && !matches!(
                                    &value.kind,
                                    ExprKind::Binary { op, .. }
                                        if matches!(*op, "==" | "!=" | "===" | "!==" | "<" | ">" | "<=" | ">=")
                                ) =>
                        {
                            any_token |= !matches!(value.kind, ExprKind::Str(_));
                            // A token-named variable was judged where it was assigned.
                            if value.as_name().is_some_and(naming::is_token_name) {
                                return;
                            }
                            // `key = str(uuid.uuid1()); return key`
                            let value = value
                                .as_name()
                                .and_then(|name| {
                                    crate::scope::definition_before(
                                        module,
                                        function_id,
                                        name,
                                        value.range.start_byte,
                                    )
                                })
                                // An object literal's token-named fields are judged
                                // where it is written.
                                .filter(|def| !matches!(def.kind, ExprKind::Object(_)))
                                .unwrap_or(value);
                            // Go fills a byte slice in a loop (`b[i] = letters[rand.Intn(n)]`)
                            // and returns `string(b)`: the whole generator is the value.
                            let source = weak_source(cx.project, module_id, value).or_else(|| {
                                if !module.language.is_go() {
                                    return None;
                                }
                                let mut weak = None;
                                let mut strong = false;
                                function.walk_exprs(&mut |e| {
                                    if e.as_call().is_some() {
                                        match weak_source(cx.project, module_id, e) {
                                            Some(found) => weak = weak.or(Some(found)),
                                            None => {
                                                let q = cx.index.qualified(
                                                    module_id,
                                                    e.as_call().map_or(e, |c| c.0),
                                                );
                                                strong |= q.starts_with("crypto/");
                                            }
                                        }
                                    }
                                });
                                if strong { None } else { weak }
                            });
                            if let Some(source) = source {
                                let name = function.name.as_deref().unwrap_or("token");
                                out.push(cx.finding(
                                &META,
                                module_id,
                                stmt.range,
                                format!(
                                    "{name}() builds its value from {source}: it can be predicted"
                                ),
                                name,
                            ));
                            }
                        }
                        _ => {}
                    });
                // `{ resetToken: Math.random()... }`, Ruby's keyword arguments
                // (`user.update(reset_token: rand(10**6))`).
                cx.index.exprs(module_id, function_id, &mut |e| {
                    if module.language.is_ruby()
                        && let Some((_, args, _)) = e.as_call()
                    {
                        for arg in args {
                            let Some(key) = arg.name.as_deref() else {
                                continue;
                            };
                            if !naming::is_token_name(key) {
                                continue;
                            }
                            any_token |= !matches!(arg.value.kind, ExprKind::Str(_));
                            if let Some(source) = weak_source(cx.project, module_id, &arg.value) {
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    arg.value.range,
                                    format!("{key} comes from {source}: it can be predicted"),
                                    key,
                                ));
                            }
                        }
                    }
                    if let ExprKind::Object(props) = &e.kind {
                        for prop in props {
                            let Prop::Pair {
                                key: PropKey::Name(key),
                                value,
                            } = prop
                            else {
                                continue;
                            };
                            if !naming::is_token_name(key) {
                                continue;
                            }
                            any_token |= !matches!(value.kind, ExprKind::Str(_));
                            if let Some(source) = weak_source(cx.project, module_id, value) {
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    value.range,
                                    format!("{key} comes from {source}: it can be predicted"),
                                    key,
                                ));
                            }
                        }
                    }
                });
            }
        }
        if any_token {
            Applicability::Applied
        } else {
            Applicability::Absent("no session, reset or API tokens made in the code")
        }
    }
}
