//! VG112 weak-password-hashing: passwords hashed with a fast digest or a low bcrypt cost,
//! stored or compared in plain text, and secrets compared in non-constant time.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, describe_source};
use crate::flow::label::{Kinds, Label};
use crate::flow::{Call, FlowRule, Hit, SinkArg};
use crate::ir::{Expr, ExprKind, Prop, PropKey};
use crate::naming;

/// The rule.
#[derive(Debug)]
pub struct WeakPasswordHashing;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG112"),
    name: Cow::Borrowed("weak-password-hashing"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Passwords hashed weakly, stored or compared in plain text"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[916, 256, 208]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Passwords run through a fast digest (`crypto.createHash('md5'|'sha1'|'sha256')`, \
             `hashlib.md5/sha1/sha256`), bcrypt with a cost below 10 (`bcrypt.hash(pw, 8)`, \
             `genSalt(6)`, `gensalt(rounds=8)`), a password from the request stored as is in a \
             create or update (`User.create({ password: req.body.password })`, an `INSERT` \
             with the raw value), a stored password compared with `===`/`==`, and secrets \
             (API keys, tokens, signatures) compared with `===`/`==` instead of a \
             constant-time comparison. \
             Go: `md5.Sum`/`sha1.Sum`/`sha256.Sum256` of a password, bcrypt cost below 10, a password inserted as is. \
             Ruby: `Digest::MD5/SHA1/SHA256.hexdigest(password)`, `OpenSSL::Digest`, `BCrypt::Password.create(pw, cost: 4)`, a hash column (`password_digest`) written with request data, `==` on secrets from `params`/`ENV`.",
        ),
        why: Cow::Borrowed(
            "A leaked database of MD5 or SHA-256 password hashes is cracked at billions of \
             guesses per second; plain-text passwords need no cracking. Comparing secrets with \
             `===` leaks, through timing, how many leading characters were right.",
        ),
        example_bad: Cow::Borrowed(
            "const hash = crypto.createHash('md5').update(password).digest('hex');",
        ),
        example_fixed: Cow::Borrowed(
            "const hash = await bcrypt.hash(password, 12); // or argon2.hash(password)",
        ),
        fix: Cow::Borrowed(
            "Hash passwords with Argon2id, scrypt or bcrypt (cost 10 or more) and check them \
             with the library's verify function; compare secrets with \
             `crypto.timingSafeEqual` / `hmac.compare_digest`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/916.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",
            ),
        ]),
    },
};

const FAST_DIGESTS: &[&str] = &[
    "md5",
    "sha1",
    "sha-1",
    "sha224",
    "sha256",
    "sha-256",
    "sha384",
    "sha512",
    "sha-512",
    "md4",
    "ripemd160",
];

/// Whether an expression mentions a password (not a hash of one): `password`,
/// `req.body.password`, `data['password']`, `password.encode()`.
fn mentions_password(expr: &Expr) -> bool {
    let mut found = false;
    expr.walk(&mut |e| match &e.kind {
        ExprKind::Name(name) if naming::is_password_name(name) => found = true,
        ExprKind::Member { property, .. } if naming::is_password_name(property) => found = true,
        ExprKind::Index { index, .. } if index.as_str().is_some_and(naming::is_password_name) => {
            found = true
        }
        _ => {}
    });
    found
}

fn literal_number(expr: Option<&Expr>) -> Option<f64> {
    match expr.map(|e| &e.kind) {
        Some(ExprKind::Number(n)) => Some(*n),
        _ => None,
    }
}

impl FlowRule for WeakPasswordHashing {
    fn kind(&self) -> Kinds {
        0
    }

    /// Plain-text storage: the password value of a create/update/insert.
    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        if super::in_go(call) {
            return go_storage_sinks(call, name);
        }
        if super::in_ruby(call) {
            return ruby_storage_sinks(call, name);
        }
        let writes = matches!(
            name,
            "create"
                | "insert"
                | "insertOne"
                | "update"
                | "updateOne"
                | "save"
                | "build"
                | "upsert"
                | "findByIdAndUpdate"
                | "findOneAndUpdate"
                | "set"
                | "run"
                | "query"
                | "execute"
        );
        let constructs = call.new
            || (call.receiver().is_none() && name.chars().next().is_some_and(char::is_uppercase));
        if !writes && !constructs {
            return Vec::new();
        }
        let mut sinks = Vec::new();
        let sink = |value: &'a Expr| SinkArg {
            value,
            note: "stored password",
        };
        // `INSERT INTO users (email, password) VALUES (?, ?)` with `[email, password]`
        if matches!(name, "run" | "query" | "execute") {
            if let (Some(sql), Some(params)) = (call.arg(0), call.arg(1)) {
                let text = super::argument_text(call.project, call.module, sql);
                if let Some(index) = password_column(&text)
                    && let ExprKind::Array(items) = &params.kind
                    && let Some(item) = items.get(index)
                {
                    sinks.push(sink(item));
                }
            }
            return sinks;
        }
        for arg in call.args {
            if arg.name.as_deref().is_some_and(naming::is_password_name) {
                sinks.push(sink(&arg.value));
            }
            collect_password_props(&arg.value, &mut sinks);
        }
        sinks
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        label.request_part().is_some()
    }
}

/// Go: `db.Exec("INSERT INTO users (email, password) VALUES ($1, $2)", email, password)` and
/// its `ExecContext`/`Query`/`QueryRow` forms (the values follow the SQL text), gorm's
/// `db.Create(&User{Password: ...})` and a struct literal's password field.
fn go_storage_sinks<'a>(call: &Call<'a, '_>, name: &str) -> Vec<SinkArg<'a>> {
    let mut sinks = Vec::new();
    let base = name.strip_suffix("Context").unwrap_or(name);
    if matches!(base, "Exec" | "Query" | "QueryRow") {
        let mut args: Vec<&'a Expr> = call.args.iter().map(|a| &a.value).collect();
        if args.first().is_some_and(|a| super::is_go_context(a)) {
            args.remove(0);
        }
        if let Some((sql, values)) = args.split_first() {
            let text = super::argument_text(call.project, call.module, sql);
            if let Some(index) = password_column(&text)
                && let Some(value) = values.get(index)
            {
                sinks.push(SinkArg {
                    value,
                    note: "stored password",
                });
            }
        }
        return sinks;
    }
    if matches!(base, "Create" | "Save" | "Updates" | "InsertOne" | "Insert") {
        for arg in call.args {
            collect_password_props(&arg.value, &mut sinks);
        }
    }
    sinks
}

/// Ruby: an ActiveRecord model hashes what it is given as `password` (`has_secure_password`,
/// Devise), so only a hash column written with request data — `User.create(password_digest:
/// params[:password])`, `update_column(:encrypted_password, …)` — or a raw `INSERT` with a
/// password column stores it as sent.
fn ruby_storage_sinks<'a>(call: &Call<'a, '_>, name: &str) -> Vec<SinkArg<'a>> {
    let sink = |value: &'a Expr| SinkArg {
        value,
        note: "stored password",
    };
    let hash_column = |key: &str| {
        matches!(
            key,
            "password_digest" | "encrypted_password" | "password_hash" | "hashed_password"
        )
    };
    let mut sinks = Vec::new();
    match name {
        "create" | "create!" | "new" | "update" | "update!" | "assign_attributes"
        | "update_columns" | "insert" | "insert!" | "upsert" => {
            for arg in call.args {
                if arg.name.as_deref().is_some_and(hash_column) {
                    sinks.push(sink(&arg.value));
                }
                if let ExprKind::Object(props) = &arg.value.kind {
                    for prop in props {
                        if let Prop::Pair {
                            key: PropKey::Name(key),
                            value,
                        } = prop
                            && hash_column(key)
                        {
                            sinks.push(sink(value));
                        }
                    }
                }
            }
        }
        "update_column" | "update_attribute" => {
            if call.arg(0).and_then(Expr::as_str).is_some_and(hash_column)
                && let Some(value) = call.arg(1)
            {
                sinks.push(sink(value));
            }
        }
        "execute" | "exec_query" | "exec" | "exec_params" => {
            if let (Some(sql), Some(values)) = (call.arg(0), call.arg(1)) {
                let text = super::argument_text(call.project, call.module, sql);
                if let Some(index) = password_column(&text)
                    && let ExprKind::Array(items) = &values.kind
                    && let Some(item) = items.get(index)
                {
                    sinks.push(sink(item));
                }
            }
        }
        _ => {}
    }
    sinks
}

fn collect_password_props<'a>(value: &'a Expr, sinks: &mut Vec<SinkArg<'a>>) {
    if let ExprKind::Object(props) = &value.kind {
        for prop in props {
            if let Prop::Pair {
                key: PropKey::Name(key),
                value,
            } = prop
            {
                if naming::is_password_name(key) {
                    sinks.push(SinkArg {
                        value,
                        note: "stored password",
                    });
                } else if key == "data" {
                    collect_password_props(value, sinks);
                }
            }
        }
    }
}

/// The position of a password column in `INSERT INTO t (a, password) VALUES (?, ?)`.
fn password_column(sql: &str) -> Option<usize> {
    let upper = sql.to_ascii_uppercase();
    let insert = upper.find("INSERT INTO")?;
    let open = sql[insert..].find('(')? + insert;
    let close = sql[open..].find(')')? + open;
    sql[open + 1..close]
        .split(',')
        .map(|c| c.trim().trim_matches(['"', '`']))
        .position(naming::is_password_name)
}

impl CodeRule for WeakPasswordHashing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[
            crate::language::Language::Ruby,
            crate::language::Language::Go,
        ]
    }

    fn flow(&self) -> Option<&dyn FlowRule> {
        Some(self)
    }

    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        for hit in hits {
            let message = format!(
                "password from {} stored in plain text",
                describe_source(cx, hit)
            );
            out.push(
                cx.flow_finding(&META, hit, message)
                    .with_severity(Severity::Critical),
            );
        }
        // AUTH-03 passes only on code that handles passwords; a project without any says nothing.
        let mut any_password = !hits.is_empty();
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            for function_id in 0..module.functions.len() {
                cx.index.exprs(module_id, function_id, &mut |e| {
                    any_password = any_password
                        || match &e.kind {
                            // `bcrypt.hash(password, 12)`, `check_password_hash(user.pw_hash, password)`
                            ExprKind::Call { args, .. } => {
                                args.iter().any(|a| mentions_password(&a.value))
                            }
                            ExprKind::Binary { left, right, .. } => {
                                mentions_password(left) || mentions_password(right)
                            }
                            _ => false,
                        };
                    if let Some(finding) = self.examine(cx, module_id, e) {
                        out.push(finding);
                    }
                });
            }
        }
        if any_password {
            Applicability::Applied
        } else {
            Applicability::Absent("no password handling found in the code")
        }
    }
}

impl WeakPasswordHashing {
    fn examine(&self, cx: &Context<'_>, module: usize, e: &Expr) -> Option<Finding> {
        let m = cx.module(module);
        match &e.kind {
            ExprKind::Call { callee, args, .. } => {
                let qualified = cx.index.qualified(module, callee);
                let last = qualified.rsplit('.').next().unwrap_or("");
                // crypto.createHash('md5').update(password)
                if last == "update"
                    && let ExprKind::Member { object, .. } = &callee.kind
                    && let Some((inner, inner_args, _)) = object.as_call()
                    && inner.method_name() == Some("createHash")
                    && let Some(algorithm) = inner_args.first().and_then(|a| a.value.as_str())
                    && FAST_DIGESTS.contains(&algorithm.to_ascii_lowercase().as_str())
                    && args.first().is_some_and(|a| mentions_password(&a.value))
                {
                    return Some(cx.finding(&META, module, e.range, format!("password hashed with {algorithm}, a fast digest: use bcrypt, scrypt or Argon2"), "digest"));
                }
                // hashlib.sha256(password.encode())
                if qualified.starts_with("hashlib.")
                    && (FAST_DIGESTS.contains(&last)
                        || (last == "new"
                            && args
                                .first()
                                .and_then(|a| a.value.as_str())
                                .is_some_and(|a| {
                                    FAST_DIGESTS.contains(&a.to_ascii_lowercase().as_str())
                                })))
                    && args.iter().any(|a| mentions_password(&a.value))
                {
                    return Some(cx.finding(&META, module, e.range, format!("password hashed with {last}, a fast digest: use bcrypt, scrypt or Argon2"), "digest"));
                }
                // Go: `md5.Sum([]byte(password))`, `sha256.Sum256(...)`; bcrypt's
                // `GenerateFromPassword(pw, 4)` or `bcrypt.MinCost`.
                if m.language.is_go() {
                    let tail = crate::language::go_qualified_tail(qualified);
                    let tail = tail.as_str();
                    let digest = matches!(
                        tail,
                        "md5.Sum"
                            | "sha1.Sum"
                            | "sha256.Sum256"
                            | "sha256.Sum224"
                            | "sha512.Sum512"
                    );
                    if digest && args.iter().any(|a| mentions_password(&a.value)) {
                        let algorithm = tail.split('.').next().unwrap_or(tail);
                        return Some(cx.finding(&META, module, e.range, format!("password hashed with {algorithm}, a fast digest: use bcrypt, scrypt or Argon2"), "digest"));
                    }
                    if tail == "bcrypt.GenerateFromPassword" {
                        let cost = args.get(1).and_then(|a| match &a.value.kind {
                            ExprKind::Number(n) => Some(*n),
                            _ => a
                                .value
                                .member_path()
                                .and_then(|p| (p.last() == Some(&"MinCost")).then_some(4.0)),
                        });
                        if let Some(cost) = cost
                            && cost < 10.0
                        {
                            return Some(cx.finding(
                                &META,
                                module,
                                e.range,
                                format!("bcrypt cost {cost} is below 10"),
                                "cost",
                            ));
                        }
                    }
                    return None;
                }
                if m.language.is_ruby() {
                    return ruby_hashing(cx, module, e, callee, args);
                }
                // bcrypt cost below 10
                let is_bcrypt =
                    qualified.starts_with("bcrypt") || qualified.starts_with("bcryptjs");
                if is_bcrypt {
                    let rounds = match last {
                        "hash" | "hashSync" => literal_number(args.get(1).map(|a| &a.value)),
                        "genSalt" | "genSaltSync" => literal_number(args.first().map(|a| &a.value)),
                        "gensalt" => literal_number(
                            Expr::option(args, "rounds").or_else(|| args.first().map(|a| &a.value)),
                        ),
                        _ => None,
                    };
                    if let Some(rounds) = rounds
                        && rounds < 10.0
                    {
                        return Some(cx.finding(
                            &META,
                            module,
                            e.range,
                            format!("bcrypt cost {rounds} is below 10"),
                            "cost",
                        ));
                    }
                }
                None
            }
            ExprKind::Binary { op, left, right } if matches!(*op, "===" | "==" | "!==" | "!=") => {
                let constant = |x: &Expr| {
                    matches!(
                        x.kind,
                        ExprKind::Str(_)
                            | ExprKind::Number(_)
                            | ExprKind::Null
                            | ExprKind::Bool(_)
                            | ExprKind::Unary { .. }
                    )
                };
                if constant(left) || constant(right) {
                    return None;
                }
                // The name a value goes by: `user.password`, `headers.get('X-Signature')`.
                let last = |x: &Expr| -> Option<String> {
                    if let Some((callee, call_args, _)) = x.as_call()
                        && callee.method_name() == Some("get")
                        && let Some(key) = call_args.first().and_then(|a| a.value.as_str())
                    {
                        return Some(key.to_string());
                    }
                    // Ruby: `user.password` is a call without arguments, `params[:password]`
                    // an index.
                    if m.language.is_ruby() {
                        match &x.kind {
                            ExprKind::Call { callee, args, .. } if args.is_empty() => {
                                return callee.method_name().map(str::to_string);
                            }
                            ExprKind::Index { index, .. } => {
                                return index.as_str().map(str::to_string);
                            }
                            _ => {}
                        }
                    }
                    x.member_path()
                        .and_then(|p| p.last().map(|s| s.to_string()))
                };
                let (l, r) = (
                    last(left).unwrap_or_default(),
                    last(right).unwrap_or_default(),
                );
                // user.password === req.body.password
                let qualified_path = |x: &Expr| {
                    x.member_path().is_some_and(|p| p.len() > 1)
                        || (m.language.is_ruby()
                            && match &x.kind {
                                ExprKind::Call { callee, args, .. } => {
                                    args.is_empty()
                                        && matches!(callee.kind, ExprKind::Member { .. })
                                }
                                ExprKind::Index { .. } => true,
                                _ => false,
                            })
                };
                if naming::is_password_name(&l)
                    && naming::is_password_name(&r)
                    && (qualified_path(left) || qualified_path(right))
                {
                    return Some(cx.finding(&META, module, e.range, "stored password compared in plain text: store a bcrypt/Argon2 hash and verify it", "plaintext-compare"));
                }
                // apiKey === process.env.API_KEY
                let secret = |name: &str| {
                    let words = naming::words(name);
                    naming::is_secret_name(name)
                        && !words.iter().any(|w| {
                            matches!(
                                w.as_str(),
                                "password"
                                    | "passwd"
                                    | "pwd"
                                    | "passphrase"
                                    | "type"
                                    | "length"
                                    | "count"
                                    | "name"
                                    | "id"
                                    | "expires"
                                    | "at"
                            )
                        })
                };
                let from_request_or_env = |x: &Expr| {
                    let text = m.text_of(x.range);
                    text.contains("req.")
                        || text.contains("request.")
                        || text.contains("process.env")
                        || text.contains("os.environ")
                        || text.contains("headers")
                        // Ruby: `params[:api_key] == ENV['API_KEY']`.
                        || text.contains("params[")
                        || text.contains("ENV[")
                        || text.contains("ENV.fetch(")
                };
                if (secret(&l) || secret(&r))
                    && (from_request_or_env(left) || from_request_or_env(right))
                {
                    return Some(cx.finding(&META, module, e.range, "secret compared with `==`/`===`: use a constant-time comparison (crypto.timingSafeEqual, hmac.compare_digest)", "timing").with_severity(Severity::Low));
                }
                None
            }
            _ => None,
        }
    }
}

/// Ruby: `Digest::MD5.hexdigest(password)` (and SHA1/SHA2, `OpenSSL::Digest::SHA256`,
/// `OpenSSL::Digest.hexdigest('SHA256', password)`), `BCrypt::Password.create(password, cost:
/// 4)` and `BCrypt::Engine.generate_salt(4)`.
fn ruby_hashing(
    cx: &Context<'_>,
    module: usize,
    e: &Expr,
    callee: &Expr,
    args: &[crate::ir::Arg],
) -> Option<Finding> {
    let path = callee.member_path()?;
    let (&method, receiver) = path.split_last()?;
    let digest_method = matches!(
        method,
        "hexdigest" | "digest" | "base64digest" | "update" | "<<"
    );
    let named_digest = receiver
        .last()
        .map(|d| d.to_ascii_lowercase())
        .filter(|d| FAST_DIGESTS.contains(&d.as_str()) || d == "rmd160");
    let given_digest = (receiver.last() == Some(&"Digest"))
        .then(|| args.first().and_then(|a| a.value.as_str()))
        .flatten()
        .map(str::to_ascii_lowercase)
        .filter(|d| FAST_DIGESTS.contains(&d.as_str()));
    // `def password_matches?(candidate) … Digest::MD5.hexdigest(candidate)`: the method says
    // what its parameter is.
    let m = cx.module(module);
    let function = &m.functions[super::enclosing_function(m, e.range)];
    let password_method = function
        .name
        .as_deref()
        .is_some_and(|n| naming::words(n).iter().any(|w| naming::is_password_name(w)));
    let given_parameter = |value: &Expr| {
        value
            .as_name()
            .is_some_and(|name| function.params.iter().any(|p| p.name() == Some(name)))
    };
    if digest_method
        && let Some(algorithm) = named_digest.or(given_digest)
        && args
            .iter()
            .any(|a| mentions_password(&a.value) || (password_method && given_parameter(&a.value)))
    {
        return Some(cx.finding(
            &META,
            module,
            e.range,
            format!(
                "password hashed with {algorithm}, a fast digest: use bcrypt, scrypt or Argon2"
            ),
            "digest",
        ));
    }
    let cost = match (receiver, method) {
        ([.., "BCrypt", "Password"], "create") => literal_number(Expr::option(args, "cost")),
        ([.., "BCrypt", "Engine"], "generate_salt") => {
            literal_number(args.first().map(|a| &a.value))
        }
        _ => None,
    }?;
    (cost < 10.0).then(|| {
        cx.finding(
            &META,
            module,
            e.range,
            format!("bcrypt cost {cost} is below 10"),
            "cost",
        )
    })
}
