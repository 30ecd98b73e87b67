//! VG101 sql-injection: request data reaches a SQL query as part of its text.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context, argument_text, looks_like_sql};
use crate::flow::label::{Kinds, Label};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::language::Language;

/// The rule.
#[derive(Debug)]
pub struct SqlInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG101"),
    name: Cow::Borrowed("sql-injection"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("SQL query text built from request data"),
    severity: Severity::Critical,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[89]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input02]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Request data (body, query string, path parameters, headers, cookies) that reaches \
             the text of a SQL query — through string concatenation, template literals, \
             f-strings, `%` or `.format()` — in mysql/mysql2, pg, sqlite3, better-sqlite3, \
             Sequelize `query`/`literal`, Knex `raw`/`whereRaw`, Prisma `$queryRawUnsafe`, \
             TypeORM `query`, DB-API `cursor.execute`, SQLAlchemy `text()` and Django \
             `raw()`/`extra()`/`RawSQL`, including through helper functions in other files. \
             Tagged templates that send their values as parameters (postgres.js, slonik, \
             Prisma `$queryRaw`) and numeric conversions are safe. \
             Go: database/sql, sqlx and pgx `Query`/`QueryRow`/`Exec` (and `…Context`), sqlx `Get`/`Select`, gorm `Raw`/`Where`/`Order`/… and `First(&x, cond)` with text built by `fmt.Sprintf` or `+`.",
        ),
        why: Cow::Borrowed(
            "Whoever controls part of the query text controls the query: `' OR '1'='1` logs in \
             as anyone, `UNION SELECT` reads other tables, stacked queries drop them. It is the \
             most exploited flaw in web applications and automated scanners find it in minutes.",
        ),
        example_bad: Cow::Borrowed(
            "db.query(`SELECT * FROM tasks WHERE title LIKE '%${req.query.q}%'`);\ncursor.execute(f\"SELECT * FROM users WHERE email = '{email}'\")",
        ),
        example_fixed: Cow::Borrowed(
            "db.query('SELECT * FROM tasks WHERE title LIKE ?', [`%${req.query.q}%`]);\ncursor.execute(\"SELECT * FROM users WHERE email = %s\", (email,))",
        ),
        fix: Cow::Borrowed(
            "Send values as query parameters (`?`, `$1`, `%s`, `:name`) and keep the SQL text \
             constant; for identifiers (column names, sort order), map the input onto an \
             allowlist.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/89.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// Methods that take SQL text only when the receiver is a database client or the text reads
/// like SQL (`get`, `all` and `exec` mean other things elsewhere).
const GENERIC_METHODS: &[&str] = &[
    "query",
    "execute",
    "executemany",
    "exec",
    "prepare",
    "all",
    "get",
    "run",
    "each",
    "sql",
    // asyncpg and databases: `await conn.fetch(sql)`, `fetchrow`, `fetchval`, `fetch_all`.
    "fetch",
    "fetchrow",
    "fetchval",
    "fetch_all",
    "fetch_one",
    "fetch_val",
];

/// Methods and functions that always take SQL text.
const RAW_METHODS: &[&str] = &[
    "$queryRawUnsafe",
    "$executeRawUnsafe",
    "queryRawUnsafe",
    "executeRawUnsafe",
    "unsafe",
    "whereRaw",
    "orWhereRaw",
    "havingRaw",
    "orHavingRaw",
    "orderByRaw",
    "groupByRaw",
    "joinRaw",
    "fromRaw",
    "selectRaw",
    "executescript",
    "mogrify",
];

/// Whether a qualified receiver names a database client.
pub(crate) fn is_database(qualified: &str) -> bool {
    qualified
        .split(['.', '(', ')', '/', '_', '-'])
        .map(str::to_ascii_lowercase)
        .any(|segment| {
            matches!(
                segment.as_str(),
                "mysql"
                    | "mysql2"
                    | "pg"
                    | "postgres"
                    | "sqlite"
                    | "sqlite3"
                    | "sequelize"
                    | "knex"
                    | "typeorm"
                    | "prisma"
                    | "mssql"
                    | "tedious"
                    | "oracledb"
                    | "psycopg"
                    | "psycopg2"
                    | "pymysql"
                    | "mysqldb"
                    | "sqlalchemy"
                    | "cursor"
                    | "conn"
                    | "connection"
                    | "db"
                    | "database"
                    | "pool"
                    | "session"
                    | "datasource"
                    | "manager"
                    | "engine"
                    | "cur"
                    | "con"
            ) || segment.ends_with("db")
                || segment.ends_with("pool")
                || segment.ends_with("repository")
        })
}

/// ActiveRecord and connection methods that take SQL text as their first argument
/// (`where("name = '#{x}'")`, `order(params[:sort])`, `find_by_sql`, `connection.execute`);
/// a hash (`where(name: x)`) or placeholders (`where("name = ?", x)`) keep input out of it.
const RUBY_SQL_METHODS: &[&str] = &[
    "where",
    "rewhere",
    "not",
    "order",
    "reorder",
    "group",
    "having",
    "joins",
    "select",
    "pluck",
    "from",
    "lock",
    "find_by",
    "find_by_sql",
    "count_by_sql",
    "exists?",
    "delete_all",
    "update_all",
    "destroy_by",
    "delete_by",
    "calculate",
    "sum",
    "average",
    "minimum",
    "maximum",
    "execute",
    "exec_query",
    "exec_update",
    "exec_delete",
    "exec_insert",
    "select_all",
    "select_one",
    "select_value",
    "select_values",
    "select_rows",
];

/// The SQL text argument of a call, if it is a SQL sink.
pub(crate) fn sql_argument<'a>(call: &Call<'a, '_>) -> Option<&'a crate::ir::Expr> {
    let name = call.name()?;
    if super::in_ruby(call) {
        // `where(...)` and the others on a model or relation; a block (`select { … }`) is
        // Ruby's Enumerable, not SQL.
        // A model's own methods call them on `self`, unwritten: `where(...)` in
        // `def self.search(q)`.
        let implicit_self = matches!(
            name,
            "where"
                | "rewhere"
                | "order"
                | "reorder"
                | "having"
                | "joins"
                | "pluck"
                | "find_by"
                | "find_by_sql"
                | "count_by_sql"
                | "exists?"
                | "delete_all"
                | "update_all"
        );
        return (RUBY_SQL_METHODS.contains(&name) && (call.receiver().is_some() || implicit_self))
            .then(|| {
                call.args
                    .iter()
                    .find(|a| a.name.is_none())
                    .map(|a| &a.value)
            })
            .flatten()
            .filter(|v| !matches!(v.kind, crate::ir::ExprKind::Function(_)));
    }
    if super::in_go(call) {
        return go_sql_argument(call, name);
    }
    if RAW_METHODS.contains(&name) {
        return call.arg(0);
    }
    match name {
        "raw" => {
            let q = call.qualified();
            let receiver_ok = q.starts_with("knex")
                || q.contains("objects")
                || is_database(q)
                || q.contains("sequelize");
            return receiver_ok.then(|| call.arg(0)).flatten();
        }
        "text"
            if call.is(&[
                "sqlalchemy.text",
                "sqlalchemy.sql.text",
                "sql.text",
                "sqlalchemy.sql.expression.text",
            ]) =>
        {
            return call.arg(0);
        }
        "literal" if call.qualified().to_ascii_lowercase().contains("sequelize") => {
            return call.arg(0);
        }
        "RawSQL" => return call.arg(0),
        "extra" => return call.option("where").or_else(|| call.option("select")),
        _ => {}
    }
    if !GENERIC_METHODS.contains(&name) {
        return None;
    }
    let receiver = call.receiver()?;
    let text = call.arg(0)?;
    // `session.execute(text(sql))`: the inner `text()` is the sink.
    if text
        .as_call()
        .is_some_and(|(callee, _, _)| callee.method_name().or(callee.as_name()) == Some("text"))
    {
        return None;
    }
    let qualified = call.qualified();
    // `child_process.exec` and `RegExp.exec` are not queries.
    if qualified.starts_with("child_process") || qualified.starts_with("shelljs") {
        return None;
    }
    let receiver_name = call
        .project
        .qualify(call.module, receiver, &|_| crate::project::Local::Unknown)
        .unwrap_or_default();
    let sql_text = argument_text(call.project, call.module, text);
    (looks_like_sql(&sql_text)
        || (is_database(&receiver_name)
            && !matches!(name, "get" | "all" | "run" | "each" | "fetch")
            && sql_text.is_empty()))
    .then_some(text)
}

/// Go: database/sql, sqlx and pgx (`Query`, `QueryRow`, `Exec`, `Prepare`, their `…Context`
/// forms and sqlx's `Get`/`Select`/`Queryx`/`NamedExec`), and gorm (`Raw`, `Exec`, `Where`,
/// `Order`, `Group`, `Having`, `Joins`, `Select`, and the inline conditions of
/// `First`/`Find`/`Take`/`Last`). A leading `context.Context` is skipped; sqlx's `Get` and
/// `Select` take the destination first. The query methods that mean other things elsewhere
/// (gorm's chain methods, `Get`) count only on a receiver named like a database.
fn go_sql_argument<'a>(call: &Call<'a, '_>, name: &str) -> Option<&'a crate::ir::Expr> {
    let receiver = call.receiver()?;
    let base = name.strip_suffix("Context").unwrap_or(name);
    let mut args: Vec<&'a crate::ir::Expr> = call.args.iter().map(|a| &a.value).collect();
    if args
        .first()
        .is_some_and(|first| super::is_go_context(first))
    {
        args.remove(0);
    }
    let receiver_name = call
        .project
        .qualify(call.module, receiver, &|_| crate::project::Local::Unknown)
        .unwrap_or_default();
    let database = is_database(&receiver_name)
        || receiver_name.split(['.', '(', ')', '/']).any(|s| {
            matches!(
                s.to_ascii_lowercase().as_str(),
                "tx" | "gorm" | "orm" | "sqlx" | "pgx" | "store" | "repo"
            )
        })
        || receiver_name.contains("database/sql")
        || receiver_name.contains("gorm.io");
    match base {
        "Query" | "QueryRow" | "Exec" | "Prepare" | "Queryx" | "QueryRowx" | "MustExec"
        | "NamedExec" | "NamedQuery" | "Preparex" | "PrepareNamed" | "Raw" => args.first().copied(),
        "Get" | "Select" if database => {
            // sqlx: `db.Get(&user, query, args...)`; gorm: `db.Select("name, age")`.
            if args.len() >= 2 && args[0].as_str().is_none() {
                args.get(1).copied()
            } else {
                args.first().copied()
            }
        }
        "Where" | "Or" | "Not" | "Order" | "Group" | "Having" | "Joins" | "Pluck" if database => {
            args.first().copied()
        }
        "First" | "Find" | "Take" | "Last" if database => args.get(1).copied(),
        _ => None,
    }
}

impl FlowRule for SqlInjection {
    fn kind(&self) -> Kinds {
        kind::SQL
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        sql_argument(call)
            .map(|value| SinkArg {
                value,
                note: "SQL query",
            })
            .into_iter()
            .collect()
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        label.request_part().is_some() && !label.is_cleansed(kind::SQL)
    }
}

impl CodeRule for SqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn flow(&self) -> Option<&dyn FlowRule> {
        Some(self)
    }

    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        super::report_flows(cx, &META, hits, out, |_, source| {
            format!("SQL query built from {source}: send it as a query parameter")
        });
        super::flow_applicability(cx, ChecklistId::Input02)
    }
}
