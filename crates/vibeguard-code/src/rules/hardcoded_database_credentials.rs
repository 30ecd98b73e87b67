//! VG126 hardcoded-database-credentials: database passwords and connection strings with
//! passwords written in the code.

use std::borrow::Cow;

use vibeguard_core::{ChecklistId, Confidence, EngineId, Finding, RuleDocs, RuleMeta, Severity};

use super::hardcoded_signing_secret::is_test_file;
use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, Prop, PropKey};

/// The rule.
#[derive(Debug)]
pub struct HardcodedDatabaseCredentials;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG126"),
    name: Cow::Borrowed("hardcoded-database-credentials"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Database password in the code instead of the environment"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[798, 259]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Data03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "A connection string with a password (`postgres://app:s3cret@db/app`, \
             `mongodb+srv://user:pass@...`, `mysql://`, `redis://:pass@`) in the code, a \
             literal `password` given to a database client (mysql/mysql2, pg, Sequelize, Knex, \
             TypeORM, Mongo clients, psycopg, PyMySQL, mysql.connector, Django \
             `DATABASES['PASSWORD']`), and literal fallbacks such as \
             `process.env.DB_PASSWORD || 'admin123'`; \
             Go DSNs (`user:pw@tcp(…)`, `host=… password=…`); Rails' `config/database.yml` with a \
             literal `password:` or a `url:` with one outside the test environment. Test files are \
             skipped. \
             Ruby: `establish_connection`, `PG.connect`, `Mysql2::Client.new`, `Redis.new` with a literal password or an `ENV.fetch(..., 'pw')` fallback.",
        ),
        why: Cow::Borrowed(
            "The repository, every clone, CI logs and the built images carry the password; \
             whoever reads any of them logs into the database — often the production one, \
             since fallbacks are used when an environment variable is missing.",
        ),
        example_bad: Cow::Borrowed(
            "const pool = new Pool({ connectionString: 'postgres://app:hunter2@db.internal/app' });",
        ),
        example_fixed: Cow::Borrowed(
            "const pool = new Pool({ connectionString: process.env.DATABASE_URL });",
        ),
        fix: Cow::Borrowed(
            "Read credentials from the environment or a secrets manager with no literal \
             fallback, fail at start-up when they are missing, and rotate the committed password.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/798.html"),
            Cow::Borrowed("https://12factor.net/config"),
        ]),
    },
};

const SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "mssql",
    "sqlserver",
    "oracle",
    "amqp",
    "amqps",
    "postgresql+psycopg2",
    "postgresql+asyncpg",
    "mysql+pymysql",
    "mysql+mysqldb",
    "cockroachdb",
];

/// The password of a connection URL.
fn url_password(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once("://")?;
    let (credentials, _) = rest.split_once('@')?;
    credentials.split_once(':').map(|(_, password)| password)
}

/// Whether text is a connection URL with a literal password.
pub(crate) fn url_with_password(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    if !SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return false;
    }
    let Some((credentials, _)) = rest.split_once('@') else {
        return false;
    };
    let Some((_, password)) = credentials.split_once(':') else {
        return false;
    };
    !password.is_empty()
        && !password.starts_with('$')
        && !password.starts_with('<')
        && !password.starts_with('{')
        && !password.contains("${")
}

/// The password of a Go driver's DSN written out: go-sql-driver/mysql's
/// `user:password@tcp(host:3306)/db` and lib/pq's or pgx's keyword form
/// `host=db user=app password=secret dbname=app` (`%s` and empty values are not passwords).
pub(crate) fn go_dsn_password(text: &str) -> Option<&str> {
    let is_value =
        |p: &str| !p.is_empty() && !p.contains('%') && !p.starts_with('$') && !p.starts_with('{');
    if let Some((credentials, rest)) = text.split_once('@')
        && (rest.starts_with("tcp(") || rest.starts_with("unix(") || rest.starts_with('/'))
        && !credentials.contains(['/', ' '])
        && let Some((_, password)) = credentials.split_once(':')
    {
        return is_value(password).then_some(password);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let keyword_form = words
        .iter()
        .any(|w| w.starts_with("host=") || w.starts_with("dbname=") || w.starts_with("user="));
    if !keyword_form {
        return None;
    }
    words
        .iter()
        .find_map(|w| w.strip_prefix("password="))
        .map(|p| p.trim_matches('\''))
        .filter(|p| is_value(p))
}

fn literal_fallback(expr: &Expr) -> Option<&str> {
    match &expr.kind {
        ExprKind::Str(text) if !text.is_empty() => Some(text),
        ExprKind::Binary { op, right, .. } if matches!(*op, "||" | "??" | "or") => {
            literal_fallback(right)
        }
        // `os.environ.get('X', 'pw')`, `os.getenv`, Ruby's `ENV.fetch('X', 'pw')`.
        ExprKind::Call { args, callee, .. }
            if callee.member_path().is_some_and(|p| {
                matches!(p.last(), Some(&"get") | Some(&"getenv"))
                    || p.as_slice() == ["ENV", "fetch"]
            }) =>
        {
            args.get(1)
                .and_then(|a| a.value.as_str())
                .filter(|s| !s.is_empty())
        }
        _ => None,
    }
}

fn is_password_key(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "password" | "pass" | "passwd" | "pwd"
    )
}

/// Calls that open a database connection (their password options are database passwords).
fn is_connection(qualified: &str) -> bool {
    // Most calls name no database driver at all: decide that before allocating.
    if ![
        "mysql",
        "pg",
        "postgres",
        "sequelize",
        "knex",
        "typeorm",
        "mongo",
        "psycopg",
        "connector",
        "sqlalchemy",
        "redis",
        "mssql",
        "oracledb",
        "sqlite",
        "datasource",
        "create_engine",
        // Rails: `ActiveRecord::Base.establish_connection(adapter:, password:)`.
        "establish_connection",
    ]
    .iter()
    .any(|w| crate::naming::contains_ignore_case(qualified, w))
    {
        return false;
    }
    let lower = qualified.to_ascii_lowercase();
    [
        "createconnection",
        "createpool",
        "pool()",
        "pool",
        "client",
        "sequelize",
        "knex",
        "datasource",
        "connect",
        "create_engine",
        "mongoclient",
        "createclient",
        "redis",
    ]
    .iter()
    .any(|w| lower.contains(w))
        && [
            "mysql",
            "pg",
            "postgres",
            "sequelize",
            "knex",
            "typeorm",
            "mongo",
            "psycopg",
            "pymysql",
            "connector",
            "sqlalchemy",
            "redis",
            "mssql",
            "oracledb",
            "sqlite",
            "datasource",
            "activerecord",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

impl CodeRule for HardcodedDatabaseCredentials {
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
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            if is_test_file(&module.path) {
                continue;
            }
            for function_id in 0..module.functions.len() {
                cx.index.exprs(module_id, function_id, &mut |e| {
                    match &e.kind {
                        ExprKind::Str(text)
                            if module.language.is_go() && go_dsn_password(text).is_some() =>
                        {
                            if let Some(password) = go_dsn_password(text) {
                                cx.found_secret(password);
                            }
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "database connection string with a password is written in the code",
                                "dsn",
                            ));
                        }
                        ExprKind::Str(text) if url_with_password(text) => {
                            if let Some(password) = url_password(text) {
                                cx.found_secret(password);
                            }
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "connection string with a password is written in the code",
                                "url",
                            ));
                        }
                        ExprKind::Call { callee, args, .. } => {
                            let qualified = cx.index.qualified(module_id, callee);
                            if !is_connection(qualified) {
                                return;
                            }
                            // new Sequelize('db', 'user', 'password', {...})
                            if qualified.to_ascii_lowercase().contains("sequelize")
                                && let Some(password) = args.get(2).filter(|a| a.name.is_none())
                                && let Some(literal) = literal_fallback(&password.value)
                            {
                                cx.found_secret(literal);
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    password.value.range,
                                    "database password is written in the code",
                                    "password",
                                ));
                            }
                            for arg in args {
                                if arg.name.as_deref().is_some_and(is_password_key)
                                    && literal_fallback(&arg.value).is_some()
                                {
                                    out.push(cx.finding(
                                        &META,
                                        module_id,
                                        arg.value.range,
                                        "database password is written in the code",
                                        "password",
                                    ));
                                }
                                password_props(cx, module_id, &arg.value, out, 0);
                            }
                        }
                        _ => {}
                    }
                });
                // Django: DATABASES = {'default': {'PASSWORD': 'x'}}
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    if let crate::ir::StmtKind::Assign {
                        target: crate::ir::Pattern::Name(name),
                        value,
                        ..
                    } = &stmt.kind
                        && name == "DATABASES"
                    {
                        password_props(cx, module_id, value, out, 0);
                    }
                });
            }
        }
        rails_database_configs(cx, out);
        super::any_code(cx)
    }
}

/// Rails' `config/database.yml`: a literal `password:` (not `<%= ENV[...] %>`) or a `url:` with
/// a password, in any environment but test.
fn rails_database_configs(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (path, text) in &cx.database_configs {
        let mut environment = String::new();
        for (index, line) in text.lines().enumerate() {
            if !line.starts_with([' ', '\t', '#']) && line.trim_end().ends_with(':') {
                environment = line.trim_end().trim_end_matches(':').to_string();
            }
            let Some((key, value)) = line.trim_start().split_once(':') else {
                continue;
            };
            let value = value
                .split(" #")
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\'']);
            let written = match key.trim() {
                "password" => !value.is_empty() && !value.contains("<%"),
                "url" => url_with_password(value),
                _ => false,
            };
            if !written || environment == "test" {
                continue;
            }
            let secret = if key.trim() == "url" {
                url_password(value).unwrap_or(value)
            } else {
                value
            };
            cx.found_secret(secret);
            let line_number = index as u32 + 1;
            let span = vibeguard_core::Span {
                start_line: line_number,
                start_column: 1,
                end_line: line_number,
                end_column: line.chars().count() as u32 + 1,
            };
            out.push(Finding::new(
                &META,
                vibeguard_core::Location::Source {
                    path: path.clone(),
                    span: Some(span),
                },
                format!("database password is written in {path} ({environment})"),
                format!("database.yml|{environment}|{}", key.trim()),
            ));
        }
    }
}

fn password_props(
    cx: &Context<'_>,
    module: usize,
    value: &Expr,
    out: &mut Vec<Finding>,
    depth: u32,
) {
    if depth > 3 {
        return;
    }
    let ExprKind::Object(props) = &value.kind else {
        return;
    };
    for prop in props {
        let Prop::Pair {
            key: PropKey::Name(key),
            value,
        } = prop
        else {
            continue;
        };
        if is_password_key(key) {
            if let Some(literal) = literal_fallback(value) {
                cx.found_secret(literal);
                out.push(cx.finding(
                    &META,
                    module,
                    value.range,
                    "database password is written in the code",
                    "password",
                ));
            }
        } else {
            password_props(cx, module, value, out, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_with_passwords() {
        assert!(url_with_password("postgres://app:hunter2@db:5432/app"));
        assert!(url_with_password(
            "mongodb+srv://admin:p4ss@cluster0.mongodb.net/x"
        ));
        assert!(url_with_password("redis://:secret@localhost:6379"));
        assert!(!url_with_password("postgres://localhost:5432/app"));
        assert!(!url_with_password("mongodb://user@host/db"));
        assert!(!url_with_password("postgres://app:${DB_PASSWORD}@db/app"));
        assert!(!url_with_password("https://user:pass@example.com"));
    }
}
