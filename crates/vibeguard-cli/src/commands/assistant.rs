//! `vibeguard init --assistant NAME`: a security rules file for the project's coding assistant.
//! The method vibeguard implements starts by asking the assistant for security explicitly;
//! this writes that request where each assistant reads its standing instructions — `AGENTS.md`,
//! `.cursor/rules/security.mdc`, `CLAUDE.md` or `.github/copilot-instructions.md` — tailored to
//! the stack the project uses (its frameworks from the routes the code declares, its database
//! layer and auth libraries from its manifests), with the command to run before committing.
//!
//! The rules are a section between two markers: written at the end of an existing file, or
//! replaced between the markers on the next run. The user's own text is never touched.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use vibeguard_deps::manifests::ManifestKind;
use vibeguard_project::ProjectTree;

/// The assistants a rules file can be written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Assistant {
    /// `AGENTS.md`, read by Codex, Jules, Amp, Cursor, Aider and others.
    Agents,
    /// `.cursor/rules/security.mdc`, a Cursor project rule applied to every request.
    Cursor,
    /// `CLAUDE.md`, Claude Code's project memory.
    Claude,
    /// `.github/copilot-instructions.md`, GitHub Copilot's repository instructions.
    Copilot,
}

impl Assistant {
    /// The file, relative to the project's root.
    pub fn file(self) -> &'static str {
        match self {
            Assistant::Agents => "AGENTS.md",
            Assistant::Cursor => ".cursor/rules/security.mdc",
            Assistant::Claude => "CLAUDE.md",
            Assistant::Copilot => ".github/copilot-instructions.md",
        }
    }

    /// What a new file starts with before the section (Cursor's rule metadata).
    fn preamble(self) -> &'static str {
        match self {
            Assistant::Cursor => {
                "---\ndescription: Security rules for this project, from vibeguard\nglobs:\nalwaysApply: true\n---\n\n"
            }
            _ => "",
        }
    }
}

/// The first line of the section vibeguard writes.
pub const BEGIN: &str = "<!-- vibeguard:begin — written by `vibeguard init --assistant`; run it again to update, edit outside these markers -->";
/// The last line of the section.
pub const END: &str = "<!-- vibeguard:end -->";

/// The stack the rules are tailored to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stack {
    /// Frameworks the code's routes use (`express`, `django`, …).
    pub frameworks: BTreeSet<String>,
    /// Package names the manifests declare, lower-cased.
    pub packages: BTreeSet<String>,
    /// Languages with at least one file.
    pub languages: BTreeSet<&'static str>,
}

impl Stack {
    /// Reads the stack of the project: `manifests` are the paths `init` found.
    pub fn of(
        tree: &ProjectTree,
        manifests: &[String],
        frameworks: &[String],
        languages: &[&'static str],
    ) -> Stack {
        let mut packages = BTreeSet::new();
        for path in manifests {
            let Some(kind) = ManifestKind::detect(path) else {
                continue;
            };
            let Ok(text) = tree.read_text(path, 4 * 1024 * 1024) else {
                continue;
            };
            if let Ok(manifest) = kind.parse(path, &text) {
                packages.extend(
                    manifest
                        .dependencies
                        .iter()
                        .map(|dependency| dependency.package_name().to_ascii_lowercase()),
                );
            }
        }
        Stack {
            frameworks: frameworks.iter().cloned().collect(),
            packages,
            languages: languages.iter().copied().collect(),
        }
    }

    fn uses(&self, package: &str) -> bool {
        self.packages.contains(package)
    }

    fn any(&self, packages: &[&str]) -> bool {
        packages.iter().any(|package| self.uses(package))
    }

    fn framework(&self, names: &[&str]) -> bool {
        names.iter().any(|name| self.frameworks.contains(*name))
    }

    fn go(&self) -> bool {
        self.languages.contains("Go")
    }

    /// The stack in a few words: `Express, Prisma, jsonwebtoken, bcrypt`.
    fn label(&self) -> String {
        let mut parts: Vec<String> = self.frameworks.iter().map(|f| display(f)).collect();
        for (package, name) in KNOWN_PACKAGES {
            if self.uses(package) && !parts.iter().any(|p| p == name) {
                parts.push((*name).to_string());
            }
        }
        if parts.is_empty() {
            self.languages
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            parts.join(", ")
        }
    }
}

/// Packages the rules name, as their users know them.
const KNOWN_PACKAGES: &[(&str, &str)] = &[
    ("@prisma/client", "Prisma"),
    ("prisma", "Prisma"),
    ("sequelize", "Sequelize"),
    ("typeorm", "TypeORM"),
    ("drizzle-orm", "Drizzle"),
    ("knex", "Knex"),
    ("mongoose", "Mongoose"),
    ("mongodb", "MongoDB driver"),
    ("pg", "node-postgres"),
    ("mysql2", "mysql2"),
    ("mysql", "mysql"),
    ("sqlite3", "sqlite3"),
    ("better-sqlite3", "better-sqlite3"),
    ("sqlalchemy", "SQLAlchemy"),
    ("flask-sqlalchemy", "Flask-SQLAlchemy"),
    ("sqlmodel", "SQLModel"),
    ("psycopg2", "psycopg2"),
    ("psycopg2-binary", "psycopg2"),
    ("psycopg", "psycopg"),
    ("pymongo", "PyMongo"),
    ("gorm.io/gorm", "GORM"),
    ("github.com/jmoiron/sqlx", "sqlx"),
    ("github.com/jackc/pgx/v5", "pgx"),
    ("jsonwebtoken", "jsonwebtoken"),
    ("jose", "jose"),
    ("passport", "Passport"),
    ("express-session", "express-session"),
    ("pyjwt", "PyJWT"),
    ("python-jose", "python-jose"),
    ("flask-login", "Flask-Login"),
    ("djangorestframework", "Django REST framework"),
    ("devise", "Devise"),
    ("jwt", "ruby-jwt"),
    ("github.com/golang-jwt/jwt/v5", "golang-jwt"),
    ("bcrypt", "bcrypt"),
    ("bcryptjs", "bcryptjs"),
    ("argon2", "argon2"),
    ("argon2-cffi", "argon2-cffi"),
    ("passlib", "passlib"),
];

fn display(framework: &str) -> String {
    match framework {
        "express" => "Express",
        "fastify" => "Fastify",
        "nextjs" => "Next.js",
        "nestjs" => "NestJS",
        "flask" => "Flask",
        "fastapi" => "FastAPI",
        "django" => "Django",
        "rails" => "Rails",
        "aiohttp" => "aiohttp",
        "sanic" => "Sanic",
        "bottle" => "Bottle",
        "starlette" => "Starlette",
        "net/http" => "Go net/http",
        "gin" => "Gin",
        "echo" => "Echo",
        "chi" => "chi",
        "fiber" => "Fiber",
        other => other,
    }
    .to_string()
}

/// The section: the rules for `stack`, between the markers.
pub fn section(stack: &Stack, verify: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN}");
    let _ = writeln!(
        out,
        "## Security rules (vibeguard)\n\nThis project's stack: {}. Apply these rules to every \
         change, ask before breaking one, and say so when a request would.\n",
        stack.label()
    );
    out.push_str("### Database queries\n\n");
    out.push_str(
        "- Never build SQL (or a NoSQL filter) from strings with user input: no concatenation, \
         no template literals, no f-strings, no `%`/`.format()` into query text.\n",
    );
    for line in query_rules(stack) {
        let _ = writeln!(out, "- {line}");
    }
    out.push_str(
        "- Identifiers (sort columns, directions) come from an allowlist, never from the request.\n\n",
    );
    out.push_str("### Access to objects\n\n");
    out.push_str(
        "- Every read, update and delete of an object by id checks that it belongs to the \
         caller (or the caller's role allows it) in the same query, and answers 404 otherwise.\n",
    );
    let _ = writeln!(out, "- {}", ownership_rule(stack));
    out.push_str(
        "- Every route needs authentication unless it is public on purpose (login, sign-up, \
         health); admin routes check the role on the server.\n\
         - Never let the client set `role`, `isAdmin`, `ownerId`, `balance` or similar fields: \
         copy only the fields a form may change.\n\n",
    );
    out.push_str("### What answers contain\n\n");
    let _ = writeln!(
        out,
        "- Return only the fields the client needs: never a whole user record, never \
         `password`/`password_hash`, tokens or keys. {}",
        field_rule(stack)
    );
    out.push_str(
        "- Errors answer a generic message; stack traces, SQL and file paths go to the log \
         only. Debug mode is off in production.\n\n",
    );
    out.push_str("### Passwords, sessions and tokens\n\n");
    let _ = writeln!(out, "- {}", password_rule(stack));
    let _ = writeln!(out, "- {}", token_rule(stack));
    let _ = writeln!(out, "- {}", rate_limit_rule(stack));
    out.push_str(
        "- Session cookies are `HttpOnly`, `Secure` and `SameSite=Lax` (or `Strict`); a \
         cookie session needs CSRF protection on every state-changing form.\n\n",
    );
    out.push_str("### HTTP hardening\n\n");
    let _ = writeln!(out, "- {}", headers_rule(stack));
    out.push_str(
        "- CORS allows only the app's own origins, never `*` with credentials and never the \
         request's Origin echoed back.\n\
         - Uploads check type and size; redirects and server-side fetches go only to \
         allowlisted destinations.\n\n",
    );
    out.push_str("### Secrets and dependencies\n\n");
    out.push_str(
        "- Secrets (keys, database passwords, signing keys) come from the environment, never \
         from code; `.env` is in `.gitignore` and never committed.\n",
    );
    let _ = writeln!(out, "- {}", dependency_rule(stack));
    out.push('\n');
    let _ = writeln!(
        out,
        "### Before every commit\n\nRun `{verify}` and fix what it reports (`vibeguard brief N` \
         explains a finding). Never silence a finding with a `vibeguard-ignore` comment, a \
         baseline entry or a changed configuration to make the check pass."
    );
    let _ = writeln!(out, "{END}");
    out
}

fn query_rules(stack: &Stack) -> Vec<&'static str> {
    let mut rules = Vec::new();
    if stack.any(&["@prisma/client", "prisma"]) {
        rules.push(
            "Prisma: use the query API (`prisma.task.findMany({ where: { … } })`) or the tagged \
             template `prisma.$queryRaw`…``; never `$queryRawUnsafe`/`$executeRawUnsafe` with input.",
        );
    }
    if stack.uses("sequelize") {
        rules.push(
            "Sequelize: model finders with `where` objects; raw SQL only through \
             `sequelize.query(sql, { replacements })` or `bind`.",
        );
    }
    if stack.uses("typeorm") {
        rules.push(
            "TypeORM: `find({ where })` or the query builder with `:name` parameters \
             (`.where(\"user.id = :id\", { id })`); never input inside `query()` text.",
        );
    }
    if stack.uses("knex") {
        rules.push("Knex: `where({ … })`, or `whereRaw('x = ?', [value])` with bindings.");
    }
    if stack.uses("drizzle-orm") {
        rules.push("Drizzle: `eq()`/`and()` conditions, or the `sql` tagged template; never `sql.raw` with input.");
    }
    if stack.any(&["pg", "mysql2", "mysql", "sqlite3", "better-sqlite3"]) {
        rules.push(
            "Database driver: placeholders (`$1` for node-postgres, `?` for mysql2 and SQLite) \
             with the values in the parameter array.",
        );
    }
    if stack.any(&["mongoose", "mongodb"]) {
        rules.push(
            "MongoDB: cast input to the expected type (`String(req.body.email)`) before it \
             enters a filter, so an object such as `{ \"$ne\": null }` can never become an operator.",
        );
    }
    if stack.framework(&["django"]) {
        rules.push(
            "Django: ORM filters (`Model.objects.filter(owner=request.user, …)`); raw SQL only \
             as `raw(sql, [params])` or `cursor.execute(sql, [params])`, never `extra()` with input.",
        );
    }
    if stack.any(&["sqlalchemy", "flask-sqlalchemy", "sqlmodel"]) {
        rules.push(
            "SQLAlchemy: `select(Model).where(Model.col == value)`; textual SQL only as \
             `text(\"… :name\")` with bound parameters.",
        );
    }
    if stack.any(&["psycopg2", "psycopg2-binary", "psycopg"]) {
        rules.push("psycopg: `cursor.execute(\"… WHERE id = %s\", (value,))`, the values as the second argument.");
    }
    if stack.framework(&["rails"]) {
        rules.push(
            "Active Record: `where(name: value)` or `where(\"name = ?\", value)`; never \
             interpolate `params` into `where`, `order`, `find_by_sql` or `pluck` strings.",
        );
    }
    if stack.uses("gorm.io/gorm") {
        rules.push("GORM: `Where(\"name = ?\", value)` or struct conditions; never `fmt.Sprintf` into `Where`/`Raw`/`Exec`.");
    } else if stack.go() {
        rules.push("Go `database/sql`: placeholders (`$1` or `?`) with the values as arguments to `QueryContext`/`ExecContext`; never `fmt.Sprintf` into SQL.");
    }
    if rules.is_empty() {
        rules.push("Use the database library's placeholders and pass the values separately.");
    }
    rules
}

fn ownership_rule(stack: &Stack) -> &'static str {
    if stack.framework(&["django"]) {
        "Django: `get_object_or_404(Task, pk=pk, owner=request.user)`, and querysets filtered by `request.user` in DRF's `get_queryset`."
    } else if stack.framework(&["rails"]) {
        "Rails: scope lookups through the user (`current_user.tasks.find(params[:id])`), never `Task.find(params[:id])` alone."
    } else if stack.any(&["@prisma/client", "prisma"]) {
        "Prisma: `prisma.task.findFirst({ where: { id, ownerId: req.user.id } })`, and `updateMany`/`deleteMany` with the owner in `where`."
    } else if stack.any(&["sqlalchemy", "flask-sqlalchemy", "sqlmodel"]) {
        "SQLAlchemy: filter by both (`Task.id == task_id, Task.owner_id == current_user.id`), not `session.get(Task, task_id)` alone."
    } else if stack.go() {
        "Go: include the user in the query (`WHERE id = $1 AND owner_id = $2`) with the user from the request context."
    } else {
        "Put the owner in the query (`WHERE id = ? AND owner_id = ?`) with the user from the verified session or token, never from the request body."
    }
}

fn field_rule(stack: &Stack) -> &'static str {
    if stack.framework(&["django"]) {
        "DRF serializers list their `fields` explicitly (never `__all__`) and mark `password` `write_only`."
    } else if stack.framework(&["fastapi"]) {
        "FastAPI: declare a `response_model` without secret fields."
    } else if stack.framework(&["rails"]) {
        "Rails: `render json: user.as_json(only: [:id, :name])` or a serializer, never `render json: user`."
    } else if stack.any(&["@prisma/client", "prisma"]) {
        "Prisma: `select` the fields to return, or `omit: { password: true }`."
    } else if stack.any(&["mongoose"]) {
        "Mongoose: `select: false` on `password` in the schema, and `.select()` on reads."
    } else {
        "Map records onto an explicit response shape before sending them."
    }
}

fn password_rule(stack: &Stack) -> &'static str {
    if stack.framework(&["django"]) {
        "Hash passwords with Django's `make_password`/`set_password` (PBKDF2 or Argon2 hashers); never a plain digest."
    } else if stack.framework(&["rails"]) {
        "Hash passwords with `has_secure_password` (bcrypt, cost 12 or more in production) or Devise; never `Digest::SHA256`."
    } else if stack.any(&["bcrypt", "bcryptjs"]) {
        "Hash passwords with bcrypt at a cost of 12 or more (`bcrypt.hash(password, 12)`); never MD5, SHA-1 or SHA-256 alone."
    } else if stack.any(&["argon2", "argon2-cffi", "passlib"]) {
        "Hash passwords with Argon2id (`argon2`/`passlib`) with the library's default parameters or stronger; never a plain digest."
    } else if stack.go() {
        "Hash passwords with `golang.org/x/crypto/bcrypt`, `bcrypt.GenerateFromPassword(p, 12)` or Argon2id; never a plain digest."
    } else {
        "Hash passwords with bcrypt (cost 12 or more) or Argon2id; never MD5, SHA-1 or SHA-256 alone, and never stored or logged in clear."
    }
}

fn token_rule(stack: &Stack) -> &'static str {
    if stack.uses("jsonwebtoken") {
        "JWTs: `jwt.sign(payload, process.env.JWT_SECRET, { expiresIn: '15m' })` and `jwt.verify(token, secret, { algorithms: ['HS256'] })`; never `jwt.decode` to authenticate, never a secret written in the code."
    } else if stack.uses("jose") {
        "JWTs: `new SignJWT(…).setExpirationTime('15m')` and `jwtVerify` with the expected `algorithms`; the key from the environment."
    } else if stack.any(&["pyjwt", "python-jose"]) {
        "JWTs: an `exp` claim on every token and `jwt.decode(token, key, algorithms=[\"HS256\"])`; never `verify_signature: False`, the key from the environment."
    } else if stack.uses("github.com/golang-jwt/jwt/v5") {
        "JWTs: `RegisteredClaims.ExpiresAt` on every token and `jwt.Parse` with `jwt.WithValidMethods`; the key from the environment."
    } else {
        "Tokens expire (an `exp` claim, or a server-side session lifetime), are verified with an explicit algorithm, and are signed with a key from the environment."
    }
}

fn rate_limit_rule(stack: &Stack) -> &'static str {
    if stack.framework(&["express", "nestjs"]) {
        "Login, sign-up and password reset are rate-limited (`express-rate-limit`, or `@nestjs/throttler`) and answer the same for unknown users and wrong passwords."
    } else if stack.framework(&["fastify"]) {
        "Login, sign-up and password reset are rate-limited (`@fastify/rate-limit`) and answer the same for unknown users and wrong passwords."
    } else if stack.framework(&["flask"]) {
        "Login, sign-up and password reset are rate-limited (Flask-Limiter) and answer the same for unknown users and wrong passwords."
    } else if stack.framework(&["fastapi", "starlette"]) {
        "Login, sign-up and password reset are rate-limited (slowapi) and answer the same for unknown users and wrong passwords."
    } else if stack.framework(&["django"]) {
        "Login, sign-up and password reset are rate-limited (DRF throttles or django-ratelimit) and answer the same for unknown users and wrong passwords."
    } else if stack.framework(&["rails"]) {
        "Login, sign-up and password reset are rate-limited (`rate_limit` in the controller, or rack-attack) and answer the same for unknown users and wrong passwords."
    } else {
        "Login, sign-up and password reset are rate-limited per account and per address, and answer the same for unknown users and wrong passwords."
    }
}

fn headers_rule(stack: &Stack) -> &'static str {
    if stack.framework(&["express", "nestjs"]) {
        "Security headers: `app.use(helmet())` with a Content-Security-Policy for pages."
    } else if stack.framework(&["fastify"]) {
        "Security headers: `@fastify/helmet` with a Content-Security-Policy for pages."
    } else if stack.framework(&["nextjs"]) {
        "Security headers: `headers()` in next.config.js sets a Content-Security-Policy, `X-Content-Type-Options` and `Strict-Transport-Security`."
    } else if stack.framework(&["django"]) {
        "Security headers: `SecurityMiddleware` with `SECURE_HSTS_SECONDS`, `SECURE_CONTENT_TYPE_NOSNIFF`, `SESSION_COOKIE_SECURE`, `CSRF_COOKIE_SECURE`, and `DEBUG = False`."
    } else if stack.framework(&["flask"]) {
        "Security headers: Flask-Talisman (or an `after_request` hook) with a Content-Security-Policy."
    } else if stack.framework(&["rails"]) {
        "Security headers: `config.force_ssl = true` and a `content_security_policy` initializer."
    } else {
        "Security headers on every answer: Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, and no version-revealing `Server`/`X-Powered-By`."
    }
}

fn dependency_rule(stack: &Stack) -> &'static str {
    if stack.languages.contains("JavaScript") || stack.languages.contains("TypeScript") {
        "Dependencies: exact versions with `package-lock.json` committed (`npm ci` in CI); add a package only when it is maintained, and check it with `vibeguard deps`."
    } else if stack.languages.contains("Python") {
        "Dependencies: pinned versions (`==`) in a lockfile (`uv.lock`, `poetry.lock` or compiled requirements) committed; check them with `vibeguard deps`."
    } else {
        "Dependencies: pinned versions with the lockfile committed; check them with `vibeguard deps`."
    }
}

/// `text` with the section written in: replaced between the markers when they are there, else
/// appended after the user's text (or after `preamble`, for a new file).
pub fn merged(existing: Option<&str>, section: &str, preamble: &str) -> Result<String, String> {
    let Some(existing) = existing else {
        return Ok(format!("{preamble}{section}"));
    };
    match (existing.find(BEGIN_PREFIX), existing.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            let after = end + END.len();
            let after = existing[after..]
                .strip_prefix('\n')
                .map_or(after, |_| after + 1);
            Ok(format!(
                "{}{section}{}",
                &existing[..begin],
                &existing[after..]
            ))
        }
        (None, None) => {
            let mut out = existing.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(section);
            Ok(out)
        }
        _ => Err(
            "holds one vibeguard marker without the other: restore both (or remove both) first"
                .into(),
        ),
    }
}

/// How the section's first marker starts (its wording may change between versions).
const BEGIN_PREFIX: &str = "<!-- vibeguard:begin";

/// Writes (or prints) the rules file for `assistant` in the project at `root`.
pub fn write(
    root: &Path,
    assistant: Assistant,
    stack: &Stack,
    verify: &str,
    stdout: bool,
) -> anyhow::Result<Option<PathBuf>> {
    let section = section(stack, verify);
    if stdout {
        crate::outputs::print_stdout(&section);
        return Ok(None);
    }
    let file = root.join(assistant.file());
    let existing = match std::fs::read_to_string(&file) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", file.display()));
        }
    };
    let text = merged(existing.as_deref(), &section, assistant.preamble())
        .map_err(|why| anyhow::anyhow!("{} {why}", file.display()))?;
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(Some(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(frameworks: &[&str], packages: &[&str], languages: &[&'static str]) -> Stack {
        Stack {
            frameworks: frameworks.iter().map(|f| f.to_string()).collect(),
            packages: packages.iter().map(|p| p.to_string()).collect(),
            languages: languages.iter().copied().collect(),
        }
    }

    #[test]
    fn the_section_is_appended_then_replaced_and_the_users_text_kept() {
        let first = section(
            &stack(&["express"], &["pg"], &["JavaScript"]),
            "vibeguard audit .",
        );
        let mine = "# Our project\n\nUse tabs.";
        let once = merged(Some(mine), &first, "").expect("merged");
        assert!(once.starts_with("# Our project\n\nUse tabs.\n\n<!-- vibeguard:begin"));
        let second = section(
            &stack(&["flask"], &["sqlalchemy"], &["Python"]),
            "vibeguard audit .",
        );
        let twice = merged(Some(&format!("{once}\nMore of mine.\n")), &second, "").expect("merged");
        assert_eq!(twice.matches(BEGIN_PREFIX).count(), 1);
        assert!(twice.contains("SQLAlchemy") && !twice.contains("node-postgres"));
        assert!(twice.starts_with("# Our project\n\nUse tabs.\n\n"));
        assert!(twice.ends_with("\nMore of mine.\n"), "{twice}");
        // A file with half a section is not guessed at.
        assert!(merged(Some(&format!("x\n{BEGIN}\n")), &second, "").is_err());
        // A new Cursor rule starts with its metadata.
        let cursor = merged(None, &first, Assistant::Cursor.preamble()).expect("new");
        assert!(cursor.starts_with("---\ndescription:") && cursor.contains("alwaysApply: true"));
    }

    #[test]
    fn rules_name_the_stacks_own_spellings_and_no_other_stacks() {
        let express = section(
            &stack(
                &["express"],
                &["@prisma/client", "jsonwebtoken", "bcrypt"],
                &["TypeScript"],
            ),
            "vibeguard audit .",
        );
        for expected in [
            "$queryRawUnsafe",
            "expiresIn",
            "helmet()",
            "bcrypt.hash(password, 12)",
            "express-rate-limit",
            "package-lock.json",
        ] {
            assert!(express.contains(expected), "{expected} in:\n{express}");
        }
        for absent in ["Active Record", "get_object_or_404", "SQLAlchemy", "GORM"] {
            assert!(!express.contains(absent), "{absent} in:\n{express}");
        }
        let django = section(
            &stack(&["django"], &["django", "djangorestframework"], &["Python"]),
            "v",
        );
        for expected in [
            "get_object_or_404",
            "never `__all__`",
            "make_password",
            "DEBUG = False",
            "raw(sql, [params])",
        ] {
            assert!(django.contains(expected), "{expected} in:\n{django}");
        }
        assert!(!django.contains("helmet"));
        let rails = section(&stack(&["rails"], &["rails", "devise"], &["Ruby"]), "v");
        assert!(rails.contains("current_user.tasks.find") && rails.contains("has_secure_password"));
        let go = section(
            &stack(
                &["gin"],
                &["gorm.io/gorm", "github.com/golang-jwt/jwt/v5"],
                &["Go"],
            ),
            "v",
        );
        assert!(
            go.contains("GORM")
                && go.contains("WithValidMethods")
                && go.contains("x/crypto/bcrypt")
        );
        let fastapi = section(
            &stack(&["fastapi"], &["sqlalchemy", "pyjwt"], &["Python"]),
            "v",
        );
        assert!(
            fastapi.contains("response_model")
                && fastapi.contains("slowapi")
                && fastapi.contains("algorithms=[\"HS256\"]")
        );
        // Every section ends with the command to run before committing.
        assert!(fastapi.contains("### Before every commit\n\nRun `v`"));
    }
}
