//! VG416 hidden-routes: the target answers on paths its description does not document — an
//! `.env` file, a `.git` folder, a database dump, a debug page, Spring actuators, metrics, an
//! admin panel, logs, source maps — or on routes the code declares but the description leaves
//! out. Paths come from a built-in list (`data/hidden-paths.txt`, by category) and from
//! variants of the described paths (other API versions, `internal`, `_debug`, GET on documented
//! paths that only document other methods, parent folders that may list their content). An
//! answer counts only when it differs from the target's answer to random paths (a soft 404,
//! an SPA's catch-all page) and looks like what the category exposes: a `.env` must hold
//! `KEY=value` lines, a dump SQL or a database file's magic bytes, a listing "Index of".
//! Severity follows what the answer exposes, and any answer carrying secret-like values is
//! critical.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, Location, OwaspApi, RuleDocs, RuleMeta,
    Severity,
};

use super::compare::Shape;
use super::{Check, Context, Probe, Profile, http_evidence};
use crate::http::{Exchange, Request};
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct HiddenRoutes;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG416"),
    name: Cow::Borrowed("hidden-routes"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "The API answers on undocumented paths: secrets, dumps, debug pages or forgotten routes",
    ),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[538, 215, 1059]),
    owasp_api: Some(OwaspApi::Api9ImproperInventoryManagement),
    checklist: Cow::Borrowed(&[ChecklistId::Api07, ChecklistId::Api03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "GETs a built-in list of 470+ paths that should never answer on a production API \
             (environment files, `.git`, credentials, configuration, backups and database dumps, \
             debug consoles, Spring Boot actuators, metrics, admin panels, API documentation, logs, \
             source maps, dependency manifests, server source, folder listings; `data/hidden-paths.txt` \
             lists them with their sources), plus variants of the described paths: other API \
             versions (`v0`–`v3`), `internal`, `_debug`, `debug`, `admin` and `private` under the \
             base path, GET on documented paths that document other methods only, and their parent \
             folders. Random paths are asked first: an answer that looks like the target's answer \
             to a random path (a soft 404, a single-page app's catch-all) does not count, and an \
             answer must look like what its category exposes (`KEY=value` lines for `.env`, `[core]` \
             for `.git/config`, SQL or SQLite/zip/gzip magic bytes for dumps, `# HELP` for \
             Prometheus metrics, `Index of` for listings). When the code engine ran, routes the code \
             declares that the description leaves out are reported too (and tried when they are GET \
             routes), and a folder the code serves (`express.static`, `serve-index`) is asked for \
             its listing and, under it, for the files no served folder should hold. The quick profile tries the first paths of each category; deep also tries the \
             list under the API's base path.",
        ),
        why: Cow::Borrowed(
            "An exposed `.env` or debug page hands out database passwords and signing keys; a \
             `.git` folder or source map hands out the source; a dump or backup hands out every \
             user's data. Undocumented routes are the ones nobody reviews, tests or protects: old \
             API versions without the new checks, debug and internal endpoints left from \
             development.",
        ),
        example_bad: Cow::Borrowed(
            "app.get('/debug', (req, res) => res.json({ env: process.env }));",
        ),
        example_fixed: Cow::Borrowed(
            "if (process.env.NODE_ENV !== 'production') app.get('/debug', requireAdmin, debugInfo);",
        ),
        fix: Cow::Borrowed(
            "Remove debug, test and old-version routes from production builds; serve only a public \
             folder that holds nothing but built assets (never the project root); keep `.env`, `.git`, \
             backups and dumps out of the deployed image; put metrics and actuators on an internal \
             port or behind authentication; document every route the API serves.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa9-improper-inventory-management/",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/538.html"),
        ]),
    },
};

/// The built-in path list.
const PATH_LIST: &str = include_str!("../../data/hidden-paths.txt");

/// Paths per category in the quick profile (the list puts the most telling ones first).
const QUICK_PER_CATEGORY: usize = 6;

/// Random paths asked to learn the target's "not found" answer.
const RANDOM_PATHS: usize = 3;

/// What a category of paths exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    Env,
    Git,
    Credentials,
    Config,
    Backup,
    Database,
    Debug,
    Actuator,
    Metrics,
    Admin,
    Docs,
    Logs,
    SourceMap,
    Manifest,
    Source,
    Listing,
}

impl Category {
    fn parse(name: &str) -> Option<Category> {
        Some(match name {
            "env" => Category::Env,
            "git" => Category::Git,
            "credentials" => Category::Credentials,
            "config" => Category::Config,
            "backup" => Category::Backup,
            "database" => Category::Database,
            "debug" => Category::Debug,
            "actuator" => Category::Actuator,
            "metrics" => Category::Metrics,
            "admin" => Category::Admin,
            "docs" => Category::Docs,
            "logs" => Category::Logs,
            "sourcemap" => Category::SourceMap,
            "manifest" => Category::Manifest,
            "source" => Category::Source,
            "listing" => Category::Listing,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Category::Env => "env",
            Category::Git => "git",
            Category::Credentials => "credentials",
            Category::Config => "config",
            Category::Backup => "backup",
            Category::Database => "database",
            Category::Debug => "debug",
            Category::Actuator => "actuator",
            Category::Metrics => "metrics",
            Category::Admin => "admin",
            Category::Docs => "docs",
            Category::Logs => "logs",
            Category::SourceMap => "sourcemap",
            Category::Manifest => "manifest",
            Category::Source => "source",
            Category::Listing => "listing",
        }
    }

    /// What an exposure of the category hands out, for the message.
    fn exposes(self) -> &'static str {
        match self {
            Category::Env => "an environment file",
            Category::Git => "the git repository",
            Category::Credentials => "a credentials file",
            Category::Config => "a configuration file",
            Category::Backup => "a backup archive",
            Category::Database => "a database file or dump",
            Category::Debug => "a debug page",
            Category::Actuator => "a Spring Boot actuator",
            Category::Metrics => "metrics",
            Category::Admin => "an admin page",
            Category::Docs => "API documentation that the description does not match",
            Category::Logs => "log files",
            Category::SourceMap => "a source map (the front end's source)",
            Category::Manifest => "a dependency manifest",
            Category::Source => "server source code",
            Category::Listing => "a folder listing",
        }
    }

    fn severity(self) -> Severity {
        match self {
            Category::Env
            | Category::Credentials
            | Category::Backup
            | Category::Database
            | Category::Git => Severity::Critical,
            Category::Config
            | Category::Debug
            | Category::Actuator
            | Category::Logs
            | Category::Source => Severity::High,
            Category::Metrics | Category::Listing => Severity::Medium,
            Category::Admin | Category::Docs | Category::SourceMap | Category::Manifest => {
                Severity::Low
            }
        }
    }
}

/// The built-in list: `(category, path)` in file order.
static PATHS: LazyLock<Vec<(Category, &'static str)>> = LazyLock::new(|| {
    let mut category = None;
    let mut paths = Vec::new();
    for line in PATH_LIST.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("## ") {
            category = Category::parse(name.trim());
        } else if line.starts_with('/')
            && let Some(category) = category
        {
            paths.push((category, line));
        }
    }
    paths
});

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {pattern}: {e}"))
}

/// `KEY=value` lines of an environment file.
static ENV_LINE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=\s*\S"));
/// Values that look like secrets: a secret-named key with a non-trivial value.
static SECRET_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)["']?[a-z0-9_.-]*(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?token|client[_-]?secret|credentials?)[a-z0-9_.-]*["']?\s*[:=]\s*["']?([^\s"',}{<>]{6,})"#,
    )
});
static PRIVATE_KEY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"));
static SQL_DUMP: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:^|\n)\s*(?:CREATE TABLE|INSERT INTO|DROP TABLE IF EXISTS)\b|-- (?:MySQL|MariaDB) dump|PostgreSQL database dump|BEGIN TRANSACTION;\s*\nCREATE",
    )
});
static DEBUG_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)Traceback \(most recent call last\)|Werkzeug Debugger|<title>phpinfo|PHP Version \d|Whoops, looks like|Symfony Profiler|Types of profiles available|goroutine profile|DEBUG\s*=\s*True|"(?:env|environment|environ|process_env|config|settings|stack|stacktrace|memory|heap|goroutines|uptime|pid|argv|cwd|node_version|versions)"\s*:"#,
    )
});
static ACTUATOR_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#""_links"\s*:\s*\{|"status"\s*:\s*"(?:UP|DOWN)"|"propertySources"|"activeProfiles"|"beans"\s*:|"contexts"\s*:|"traces"\s*:|"loggers"\s*:|"threads"\s*:|JAVA PROFILE"#,
    )
});
static METRICS_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?m)^# (?:HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* |"memstats"\s*:|"cmdline"\s*:|Total Accesses:|Scoreboard:|<title>Apache Status|Active connections:\s*\d"#,
    )
});
static LOG_LINE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?m)^.{0,40}(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\[\d{2}/[A-Z][a-z]{2}/\d{4}|\b(?:ERROR|WARN(?:ING)?|INFO|DEBUG|FATAL)\b)",
    )
});
static SOURCE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?m)^\s*(?:<\?php|import\s+[\w{*]|from\s+[\w.]+\s+import\s|const\s+\w+\s*=\s*require\(|module\.exports\s*=|def\s+\w+\(|package\s+\w+;|using\s+System|require\s+['\x22])",
    )
});
static ADMIN_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)<title>[^<]*(?:admin|dashboard|console|phpmyadmin|adminer|management)|type=["']?password|"(?:users|accounts|admins)"\s*:\s*\["#,
    )
});
static DOCS_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)"openapi"\s*:|^openapi:\s|"swagger"\s*:|^swagger:\s|swagger-ui|<redoc|graphiql|graphql playground|"__schema"|"errors"\s*:\s*\[\s*\{\s*"message"\s*:\s*"[^"]*(?:query|graphql)"#,
    )
});
static LISTING_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)<title>\s*(?:Index of /|Directory listing for /)|<h1>\s*Index of /")
});
static GIT_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?m)^\[core\]|^ref: refs/|^[0-9a-f]{40} refs/|^\[remote |^[0-9a-f]{40} [0-9a-f]{40} ")
});
static CREDENTIAL_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?im)aws_access_key_id\s*=|_authToken\s*=|^[\w.-]+:\$(?:apr1|2[aby]|1|5|6)\$|https?://[^\s:/@]+:[^\s@/]+@|"auths"\s*:|^machine\s+\S+\s+login\s|password\s*[=:]"#,
    )
});

/// Magic bytes of archives and database files.
fn binary_kind(body: &[u8]) -> Option<&'static str> {
    if body.starts_with(b"SQLite format 3\0") {
        Some("an SQLite database")
    } else if body.starts_with(b"PK\x03\x04") {
        Some("a zip archive")
    } else if body.starts_with(b"\x1f\x8b") {
        Some("a gzip archive")
    } else if body.len() > 262 && &body[257..262] == b"ustar" {
        Some("a tar archive")
    } else if body.starts_with(b"7z\xbc\xaf\x27\x1c") {
        Some("a 7-Zip archive")
    } else if body.starts_with(b"Rar!") {
        Some("a RAR archive")
    } else if body.starts_with(b"DIRC") {
        Some("a git index")
    } else if body.starts_with(b"JAVA PROFILE") {
        Some("a Java heap dump")
    } else {
        None
    }
}

fn is_html(text: &str) -> bool {
    let start = text.trim_start().get(..200).unwrap_or(text.trim_start());
    let lower = start.to_ascii_lowercase();
    lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<head")
}

/// Whether an answer looks like what the category exposes; `Some(what)` says what was seen.
fn recognise(category: Category, body: &[u8], spec_title: &str) -> Option<String> {
    let binary = binary_kind(body);
    let text = String::from_utf8_lossy(body);
    let html = is_html(&text);
    let seen = |what: &str| Some(what.to_string());
    match category {
        Category::Env => (!html && ENV_LINE.find_iter(&text).take(2).count() >= 2)
            .then(|| "KEY=value lines".to_string()),
        Category::Git => binary
            .filter(|kind| *kind == "a git index")
            .map(str::to_string)
            .or_else(|| (!html && GIT_MARKER.is_match(&text)).then(|| "git metadata".into())),
        Category::Credentials => {
            if PRIVATE_KEY.is_match(&text) {
                seen("a private key")
            } else if !html && CREDENTIAL_MARKER.is_match(&text) {
                seen("credentials")
            } else {
                None
            }
        }
        Category::Config => {
            if html {
                return None;
            }
            let structured = serde_json::from_slice::<serde_json::Value>(body)
                .is_ok_and(|v| v.is_object())
                || text
                    .lines()
                    .filter(|l| l.contains(": ") || l.contains('='))
                    .count()
                    >= 2;
            (structured && SECRET_VALUE.is_match(&text) || PRIVATE_KEY.is_match(&text))
                .then(|| "configuration with secret values".into())
        }
        Category::Backup | Category::Database => binary
            .filter(|kind| *kind != "a git index" && *kind != "a Java heap dump")
            .map(str::to_string)
            .or_else(|| (!html && SQL_DUMP.is_match(&text)).then(|| "an SQL dump".into())),
        Category::Debug => (DEBUG_MARKER.is_match(&text)
            || (!html && SECRET_VALUE.is_match(&text)))
        .then(|| "debugging information".into()),
        Category::Actuator => (ACTUATOR_MARKER.is_match(&text)).then(|| "actuator data".into()),
        Category::Metrics => (METRICS_MARKER.is_match(&text)).then(|| "runtime metrics".into()),
        Category::Admin => (ADMIN_MARKER.is_match(&text)).then(|| "an admin interface".into()),
        Category::Docs => {
            if !DOCS_MARKER.is_match(&text) {
                return None;
            }
            // The team's own published description is not a leak.
            if !spec_title.is_empty() && text.contains(spec_title) {
                return None;
            }
            if text.to_ascii_lowercase().contains("swagger-ui") || text.contains("<redoc") {
                // A documentation viewer: it shows whatever description it is given, usually
                // the published one.
                return None;
            }
            seen("an API description or GraphQL console")
        }
        Category::Logs => {
            (!html && LOG_LINE.find_iter(&text).take(3).count() >= 3).then(|| "log lines".into())
        }
        Category::SourceMap => (text.contains("\"mappings\"") && text.contains("\"sources\""))
            .then(|| "a source map".into()),
        Category::Manifest => {
            let json_manifest = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .is_some_and(|v| {
                    [
                        "dependencies",
                        "devDependencies",
                        "require",
                        "packages",
                        "lockfileVersion",
                    ]
                    .iter()
                    .any(|key| v.get(key).is_some())
                });
            let text_manifest = !html
                && (text.lines().filter(|l| l.contains("==")).count() >= 2
                    || text.contains("\ngem '")
                    || text.starts_with("module ")
                    || text.contains("\n  resolved \"")
                    || text.contains("lockfileVersion:"));
            (json_manifest || text_manifest).then(|| "the dependency list".into())
        }
        Category::Source => (!html && SOURCE_MARKER.find_iter(&text).take(2).count() >= 2)
            .then(|| "source code".into()),
        Category::Listing => LISTING_MARKER
            .is_match(&text)
            .then(|| "a folder listing".into()),
    }
}

/// Secret-like values in an answer (masked), for the message and the severity.
fn secrets_in(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let mut found = Vec::new();
    if PRIVATE_KEY.is_match(&text) {
        found.push("a private key".to_string());
    }
    for capture in SECRET_VALUE.captures_iter(&text).take(5) {
        let whole = capture.get(0).map_or("", |m| m.as_str());
        let key: String = whole
            .chars()
            .take_while(|c| !matches!(c, ':' | '='))
            .filter(|c| !matches!(c, '"' | '\''))
            .collect();
        let key = key.trim().to_string();
        if !key.is_empty() && !found.contains(&key) {
            found.push(key);
        }
    }
    found
}

/// How a probe's path was chosen, kept in its label: `list:<category>`, `variant:<why>`,
/// `code:<where declared>` or `random`.
fn parse_label(label: &str) -> (&str, &str) {
    label.split_once(' ').unwrap_or((label, ""))
}

/// An answer's shape without the path it echoes ("no route for /x").
fn shape_without_path(exchange: &Exchange) -> Shape {
    let path = exchange.request.url.path().to_string();
    let last = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    Shape::of(
        exchange,
        &[path.as_str(), path.trim_start_matches('/'), last],
    )
}

/// A random-looking path, deterministic per run.
fn random_path(seed: u64, index: usize) -> String {
    let mut x = seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 29;
    match index % 3 {
        0 => format!("/vg-{x:016x}"),
        1 => format!("/vg-{x:012x}.env"),
        _ => format!("/vg-{x:010x}/"),
    }
}

/// A declared route's path with every parameter (`{id}`, `:id`) filled with `1`.
fn concrete_path(template: &str) -> String {
    template
        .split('/')
        .map(|s| {
            if s.starts_with('{') || s.starts_with(':') {
                "1"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a served API description documents the operations under test (at least half of
/// their paths, parameter names aside): the app's own, which a run told to test without a
/// description (`spec = "none"`) or from the code alone did not load — not a leak.
fn describes_the_operations(body: &[u8], context: &Context<'_>) -> bool {
    let Ok(document) = crate::spec::parse_document("", &String::from_utf8_lossy(body)) else {
        return false;
    };
    let Some(paths) = document.get("paths").and_then(serde_json::Value::as_object) else {
        return false;
    };
    let ours: std::collections::BTreeSet<&str> = context
        .spec
        .operations
        .iter()
        .map(|op| op.path.as_str())
        .collect();
    let described = ours
        .iter()
        .filter(|path| {
            paths
                .keys()
                .any(|served| crate::spec::merge::same_template(path, served))
        })
        .count();
    !ours.is_empty() && described * 2 >= ours.len()
}

/// Whether the description documents a path (any method).
fn documented(context: &Context<'_>, path: &str) -> bool {
    let base_path = context.base.path().trim_end_matches('/');
    let undocumented = |operation: &Operation| {
        operation
            .extensions
            .contains_key(crate::spec::merge::UNDOCUMENTED)
    };
    context
        .spec
        .operations
        .iter()
        .filter(|op| !undocumented(op))
        .any(|operation| {
            let full = format!("{base_path}{}", operation.path);
            crate::spec::path_matches_template(&full, path)
                || crate::spec::path_matches_template(&operation.path, path)
        })
}

/// Variants of the described paths: `(why, path)`.
fn spec_variants(context: &Context<'_>) -> Vec<(String, String)> {
    let base_path = context.base.path().trim_end_matches('/').to_string();
    let mut variants = BTreeSet::new();
    let version = regex(r"/v(\d+)(/|$)");
    let mut prefixes = BTreeSet::new();
    for operation in &context.spec.operations {
        let full = format!("{base_path}{}", operation.path);
        // Other versions of a versioned path.
        if let Some(capture) = version.captures(&full)
            && let Some(number) = capture.get(1).and_then(|m| m.as_str().parse::<u32>().ok())
        {
            for other in 0..=3u32 {
                if other != number {
                    let path = version
                        .replace(&full, format!("/v{other}$2").as_str())
                        .into_owned();
                    if !path.contains('{') {
                        variants.insert((format!("variant:version-v{other}"), path));
                    }
                }
            }
        }
        // The first segment of the path (`/api`) is where internal routes hide.
        let first: Vec<&str> = full.trim_start_matches('/').split('/').take(1).collect();
        if let Some(first) = first.first().filter(|s| !s.is_empty() && !s.contains('{')) {
            prefixes.insert(format!("/{first}"));
        }
        // GET on a documented path that documents other methods only.
        if !operation.path.contains('{')
            && !context
                .spec
                .operations
                .iter()
                .any(|o| o.path == operation.path && o.method == "GET")
        {
            variants.insert(("variant:undocumented-get".into(), full.clone()));
        }
        // Parent folders, which may list their content.
        let mut parent = full.as_str();
        while let Some((head, _)) = parent.rsplit_once('/') {
            if head.is_empty() || head.contains('{') {
                break;
            }
            variants.insert(("variant:parent-folder".into(), format!("{head}/")));
            parent = head;
        }
    }
    for prefix in prefixes {
        for hidden in [
            "internal", "_debug", "debug", "admin", "private", "test", "dev",
        ] {
            variants.insert((format!("variant:{hidden}"), format!("{prefix}/{hidden}")));
        }
    }
    variants
        .into_iter()
        .filter(|(_, path)| !documented(context, path))
        .collect()
}

impl HiddenRoutes {
    fn listed(context: &Context<'_>) -> Vec<(Category, &'static str)> {
        if context.profile != Profile::Quick {
            return PATHS.clone();
        }
        let mut per_category: std::collections::BTreeMap<Category, usize> = Default::default();
        PATHS
            .iter()
            .filter(|(category, _)| {
                let seen = per_category.entry(*category).or_default();
                *seen += 1;
                *seen <= QUICK_PER_CATEGORY
            })
            .copied()
            .collect()
    }
}

impl Check for HiddenRoutes {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan_target(&self, context: &Context<'_>) -> Vec<Probe> {
        let root = context.origin();
        let base_path = context.base.path().trim_end_matches('/').to_string();
        let mut probes = Vec::new();
        let mut sent = BTreeSet::new();
        let mut push = |label: String, path: &str| {
            if !sent.insert(path.to_string()) {
                return;
            }
            if let Ok(url) = root.join(path.trim_start_matches('/')) {
                probes.push(Probe {
                    label,
                    identity: None,
                    request: Request::new("GET", url),
                });
            }
        };
        for index in 0..RANDOM_PATHS {
            push("random".into(), &random_path(context.seed, index));
        }
        for (category, path) in Self::listed(context) {
            if !documented(context, path) {
                push(format!("list:{}", category.name()), path);
            }
            if context.profile == Profile::Deep && !base_path.is_empty() {
                let under = format!("{base_path}{path}");
                if !documented(context, &under) {
                    push(format!("list:{}", category.name()), &under);
                }
            }
        }
        for (why, path) in spec_variants(context) {
            push(why, &path);
        }
        // A folder the code serves (`express.static`): its listing, and the files that should
        // never sit in a served folder — the first paths of each such category, under it.
        for route in context.declared_routes.iter().filter(|r| r.serves_files) {
            // `/files/{name}` (a view sending a folder's files by name) serves `/files/`.
            let path = route.path.trim_end_matches('/');
            let path = match path.rsplit_once('/') {
                Some((parent, last)) if last.starts_with('{') => parent,
                _ => path,
            };
            let mount = format!("{path}/");
            push(format!("list:{}", Category::Listing.name()), &mount);
            let mut per_category: std::collections::BTreeMap<Category, usize> = Default::default();
            for (category, path) in PATHS.iter() {
                let kept = matches!(
                    category,
                    Category::Env
                        | Category::Git
                        | Category::Credentials
                        | Category::Config
                        | Category::Backup
                        | Category::Database
                        | Category::Logs
                        | Category::Manifest
                        | Category::Source
                );
                let seen = per_category.entry(*category).or_default();
                *seen += 1;
                if kept && *seen <= QUICK_PER_CATEGORY && mount != "/" {
                    push(
                        format!("list:{}", category.name()),
                        &format!("{mount}{}", path.trim_start_matches('/')),
                    );
                }
            }
        }
        for route in context.declared_routes {
            if route.serves_files {
                continue;
            }
            if matches!(route.method.as_str(), "GET" | "*") && !documented(context, &route.path) {
                let concrete = concrete_path(&route.path);
                push(format!("code:{}", route.declared_at), &concrete);
            }
        }
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        if !operation.is_whole_target() {
            return Vec::new();
        }
        let not_found: Vec<Shape> = results
            .iter()
            .filter(|(probe, _)| probe.label == "random")
            .map(|(_, exchange)| shape_without_path(exchange))
            .collect();
        let looks_not_found = |exchange: &Exchange| {
            let shape = shape_without_path(exchange);
            not_found
                .iter()
                .any(|nf| nf.status == shape.status && nf.same_as(&shape))
        };
        let mut findings = Vec::new();
        let mut tried_code = BTreeSet::new();
        for (probe, exchange) in results {
            let (kind, _) = parse_label(&probe.label);
            let Some(response) = exchange.response() else {
                continue;
            };
            if kind.starts_with("code:") {
                tried_code.insert(exchange.request.url.path().to_string());
            }
            if !(200..300).contains(&response.status) || response.body.is_empty() {
                continue;
            }
            if looks_not_found(exchange) {
                continue;
            }
            let path = exchange.request.url.path().to_string();
            let secrets = secrets_in(&response.body);
            let (severity, message) = if let Some(name) = kind.strip_prefix("list:") {
                let Some(category) = Category::parse(name) else {
                    continue;
                };
                let Some(seen) = recognise(category, &response.body, &context.spec.title) else {
                    continue;
                };
                if matches!(category, Category::Docs)
                    && describes_the_operations(&response.body, context)
                {
                    // The app's own description (FastAPI's, DRF's), tested without it.
                    continue;
                }
                (
                    category.severity(),
                    format!("GET {path} answers with {} ({seen})", category.exposes()),
                )
            } else if let Some(why) = kind.strip_prefix("variant:") {
                if why == "parent-folder" {
                    if recognise(Category::Listing, &response.body, "").is_none() {
                        continue;
                    }
                    (
                        Severity::Medium,
                        format!("GET {path} lists the folder's content"),
                    )
                } else {
                    let debug = recognise(Category::Debug, &response.body, "").is_some();
                    let severity = if debug {
                        Severity::High
                    } else {
                        Severity::Medium
                    };
                    (
                        severity,
                        format!(
                            "GET {path} answers but the description does not document it ({})",
                            why.replace('-', " ")
                        ),
                    )
                }
            } else if let Some(declared_at) = kind.strip_prefix("code:") {
                (
                    Severity::Medium,
                    format!(
                        "GET {path} is declared in the code ({declared_at}) and answers, but the description does not document it"
                    ),
                )
            } else {
                continue;
            };
            let (severity, message) = if secrets.is_empty() {
                (severity, message)
            } else {
                (
                    Severity::Critical,
                    format!(
                        "{message}; it exposes secret values: {}",
                        secrets.join(", ")
                    ),
                )
            };
            let finding = Finding::new(
                &META,
                Location::operation("GET", &path, None),
                message,
                format!("GET {path}"),
            )
            .with_severity(severity)
            .with_evidence(http_evidence(exchange));
            findings.push(finding);
        }
        // Routes the code declares that the description leaves out (other methods, or GETs
        // that did not answer): reported from the comparison alone, at low severity.
        for route in context.declared_routes {
            if documented(context, &route.path) {
                continue;
            }
            let concrete = concrete_path(&route.path);
            if findings.iter().any(
                |f| matches!(&f.location, Location::Operation { path, .. } if *path == concrete),
            ) {
                continue;
            }
            let tried = tried_code.contains(&concrete);
            findings.push(
                Finding::new(
                    &META,
                    Location::operation(&route.method, &route.path, None),
                    format!(
                        "{} {} is declared in the code ({}) but the description does not document it{}",
                        route.method,
                        route.path,
                        route.declared_at,
                        if tried { "; it did not answer a plain GET" } else { "" }
                    ),
                    format!("{} {}", route.method, route.path),
                )
                .with_severity(Severity::Low)
                .with_confidence(Confidence::Tentative)
                .with_evidence(Evidence::Text {
                    label: "declared at".into(),
                    text: route.declared_at.clone(),
                }),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::DeclaredRoute;
    use crate::checks::testing::{Fixture, exchange, operation};

    /// A fake server: status, content type and body by path.
    type Server = dyn Fn(&str) -> (u16, &'static str, Vec<u8>);

    /// Answers every planned probe from a routing function over the path.
    fn run_with(
        fixture: &Fixture,
        routes: &[DeclaredRoute],
        profile: Profile,
        server: &Server,
    ) -> (Vec<Probe>, Vec<Finding>) {
        let mut context = fixture.context();
        context.declared_routes = routes;
        context.profile = profile;
        let probes = HiddenRoutes.plan_target(&context);
        let results: Vec<(Probe, Exchange)> = probes
            .iter()
            .map(|probe| {
                let (status, content_type, body) = server(probe.request.url.path());
                let mut recorded = exchange(
                    "GET",
                    probe.request.url.as_str(),
                    status,
                    &[("content-type", content_type)],
                    "",
                );
                if let Ok(response) = &mut recorded.outcome {
                    response.body = body;
                }
                (probe.clone(), recorded)
            })
            .collect();
        let findings = HiddenRoutes.evaluate(&Operation::whole_target(), &results, &context);
        (probes, findings)
    }

    fn run(server: &Server) -> Vec<Finding> {
        let mut fixture = Fixture::new();
        fixture.spec.title = "Taskboard API".into();
        fixture.spec.operations = vec![
            operation("GET", "/api/v1/tasks", true),
            operation("POST", "/api/v1/login", false),
        ];
        run_with(&fixture, &[], Profile::Standard, server).1
    }

    fn paths(findings: &[Finding]) -> Vec<String> {
        let mut paths: Vec<String> = findings
            .iter()
            .filter_map(|f| match &f.location {
                Location::Operation { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect();
        paths.sort();
        paths
    }

    fn not_found() -> (u16, &'static str, Vec<u8>) {
        (404, "text/plain", b"Not Found".to_vec())
    }

    #[test]
    fn the_list_has_every_category_and_over_300_paths() {
        assert!(PATHS.len() >= 300, "{}", PATHS.len());
        let categories: BTreeSet<Category> = PATHS.iter().map(|(c, _)| *c).collect();
        assert_eq!(categories.len(), 16);
        for required in [
            "/.env",
            "/.git/config",
            "/admin",
            "/debug",
            "/_debug",
            "/metrics",
        ] {
            assert!(PATHS.iter().any(|(_, p)| *p == required), "{required}");
        }
        assert!(PATHS.iter().any(|(_, p)| p.starts_with("/actuator/")));
        for required in [
            "/swagger.json",
            "/api-docs",
            "/graphql",
            "/console",
            "/server-status",
        ] {
            assert!(PATHS.iter().any(|(_, p)| *p == required), "{required}");
        }
    }

    #[test]
    fn exposed_env_git_debug_and_dump_are_found_and_graded() {
        let findings = run(&|path| match path {
            "/.env" => (
                200,
                "text/plain",
                b"NODE_ENV=production\nDATABASE_URL=postgres://app:hunter22hunter@db/app\n"
                    .to_vec(),
            ),
            "/.git/config" => (
                200,
                "text/plain",
                b"[core]\n\trepositoryformatversion = 0\n".to_vec(),
            ),
            "/debug" => (
                200,
                "application/json",
                br#"{"env":{"NODE_ENV":"development","DB_PASSWORD":"Taskboard2024!"}}"#.to_vec(),
            ),
            "/backup.sql" => (
                200,
                "application/sql",
                b"-- MySQL dump 10.13\nCREATE TABLE users (id int);\n".to_vec(),
            ),
            "/metrics" => (
                200,
                "text/plain",
                b"# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n"
                    .to_vec(),
            ),
            _ => not_found(),
        });
        assert_eq!(
            paths(&findings),
            ["/.env", "/.git/config", "/backup.sql", "/debug", "/metrics"]
        );
        let severity = |p: &str| {
            findings
                .iter()
                .find(|f| matches!(&f.location, Location::Operation { path, .. } if path == p))
                .map(|f| f.severity)
        };
        assert_eq!(severity("/.env"), Some(Severity::Critical));
        assert_eq!(
            severity("/debug"),
            Some(Severity::Critical),
            "secrets escalate"
        );
        assert_eq!(severity("/metrics"), Some(Severity::Medium));
        let debug = findings
            .iter()
            .find(|f| f.message.contains("/debug"))
            .expect("debug finding");
        assert!(debug.message.contains("DB_PASSWORD"), "{}", debug.message);
        assert!(
            !debug.message.contains("Taskboard2024!"),
            "{}",
            debug.message
        );
    }

    #[test]
    fn a_catch_all_page_is_not_an_exposure() {
        // A single-page app answers every path with its index page, 200.
        let page = b"<!doctype html><html><head><title>Taskboard</title></head><body><div id=root></div></body></html>";
        assert!(run(&|_| (200, "text/html", page.to_vec())).is_empty());
        // A JSON API that answers 200 with an error body for everything.
        let findings = run(&|path| {
            (
                200,
                "application/json",
                format!(r#"{{"error":"no route for {path}"}}"#).into_bytes(),
            )
        });
        assert!(findings.is_empty(), "{:?}", paths(&findings));
    }

    #[test]
    fn answers_that_do_not_look_like_their_category_are_ignored() {
        let findings = run(&|path| match path {
            // A 200 HTML page on /.env is not an environment file.
            "/.env" => (
                200,
                "text/html",
                b"<html><head></head><body>hello</body></html>".to_vec(),
            ),
            // Health information is not a dump.
            "/backup.sql" => (200, "application/json", br#"{"status":"ok"}"#.to_vec()),
            // Protected admin.
            "/admin" => (
                401,
                "application/json",
                br#"{"error":"unauthorized"}"#.to_vec(),
            ),
            // The team's own published description.
            "/openapi.json" => (
                200,
                "application/json",
                br#"{"openapi":"3.0.3","info":{"title":"Taskboard API"}}"#.to_vec(),
            ),
            _ => not_found(),
        });
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn spec_variants_and_undocumented_versions_are_tried() {
        let findings = run(&|path| match path {
            "/api/v0/tasks" => (
                200,
                "application/json",
                br#"[{"id":1,"title":"a"}]"#.to_vec(),
            ),
            "/api/v1/tasks" => (
                200,
                "application/json",
                br#"[{"id":1,"title":"a"}]"#.to_vec(),
            ),
            "/api/internal" => (
                200,
                "application/json",
                br#"{"uptime":12,"pid":4}"#.to_vec(),
            ),
            _ => not_found(),
        });
        assert_eq!(paths(&findings), ["/api/internal", "/api/v0/tasks"]);
        let internal = findings
            .iter()
            .find(|f| f.message.contains("/api/internal"))
            .expect("internal");
        assert_eq!(internal.severity, Severity::High);
    }

    /// A route of the code that serves a folder's files.
    fn served_folder(path: &str, at: &str) -> DeclaredRoute {
        DeclaredRoute {
            method: "GET".into(),
            path: path.into(),
            declared_at: at.into(),
            authenticated: false,
            body_fields: Vec::new(),
            query_params: Vec::new(),
            path_types: std::collections::BTreeMap::new(),
            body_schema: std::collections::BTreeMap::new(),
            serves_files: true,
            body_encoding: None,
        }
    }

    #[test]
    fn a_folder_the_code_serves_is_asked_for_its_listing_and_the_files_it_should_not_hold() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![operation("GET", "/api/tasks", true)];
        let routes = vec![served_folder("/uploads/", "server.js:12")];
        let (probes, findings) =
            run_with(&fixture, &routes, Profile::Standard, &|path| match path {
                "/uploads/.env" => (
                    200,
                    "text/plain",
                    b"DB_PASSWORD=hunter2hunter2\nPORT=3000\n".to_vec(),
                ),
                "/uploads/" => (
                    200,
                    "text/html",
                    b"<html><title>Index of /uploads/</title><a href='a.pdf'>a.pdf</a></html>"
                        .to_vec(),
                ),
                _ => not_found(),
            });
        let asked: Vec<&str> = probes.iter().map(|p| p.request.url.path()).collect();
        assert!(asked.contains(&"/uploads/package.json"), "{asked:?}");
        assert!(
            !asked.contains(&"/uploads/actuator/env"),
            "only what a folder could hold"
        );
        assert_eq!(paths(&findings), ["/uploads/", "/uploads/.env"]);
    }

    #[test]
    fn a_view_serving_files_by_name_is_probed_under_its_folder() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![operation("GET", "/api/tasks", true)];
        let routes = vec![served_folder("/files/{name}", "app.py:7")];
        let (probes, _) = run_with(&fixture, &routes, Profile::Standard, &|_| not_found());
        let asked: Vec<&str> = probes.iter().map(|p| p.request.url.path()).collect();
        assert!(asked.contains(&"/files/"), "{asked:?}");
        assert!(asked.contains(&"/files/.env"), "{asked:?}");
        assert!(!asked.iter().any(|p| p.contains('{')), "{asked:?}");
    }

    #[test]
    fn code_routes_missing_from_the_description_are_compared_and_tried() {
        let mut fixture = Fixture::new();
        fixture.spec.operations = vec![operation("GET", "/api/tasks", true)];
        let routes = vec![
            DeclaredRoute {
                method: "GET".into(),
                path: "/api/tasks".into(),
                declared_at: "src/app.js:3".into(),
                authenticated: false,
                body_fields: Vec::new(),
                query_params: Vec::new(),
                path_types: std::collections::BTreeMap::new(),
                body_schema: std::collections::BTreeMap::new(),
                serves_files: false,
                body_encoding: None,
            },
            DeclaredRoute {
                method: "GET".into(),
                path: "/api/export/{id}".into(),
                declared_at: "src/app.js:9".into(),
                authenticated: false,
                body_fields: Vec::new(),
                query_params: Vec::new(),
                path_types: std::collections::BTreeMap::new(),
                body_schema: std::collections::BTreeMap::new(),
                serves_files: false,
                body_encoding: None,
            },
            DeclaredRoute {
                method: "DELETE".into(),
                path: "/api/users/{id}".into(),
                declared_at: "src/users.js:14".into(),
                authenticated: false,
                body_fields: Vec::new(),
                query_params: Vec::new(),
                path_types: std::collections::BTreeMap::new(),
                body_schema: std::collections::BTreeMap::new(),
                serves_files: false,
                body_encoding: None,
            },
        ];
        let (probes, findings) =
            run_with(&fixture, &routes, Profile::Standard, &|path| match path {
                "/api/export/1" => (200, "application/json", br#"{"rows":[]}"#.to_vec()),
                _ => not_found(),
            });
        assert!(
            probes
                .iter()
                .any(|p| p.request.url.path() == "/api/export/1")
        );
        assert!(
            !probes.iter().any(|p| p.request.method != "GET"),
            "only GETs are sent"
        );
        assert_eq!(paths(&findings), ["/api/export/1", "/api/users/{id}"]);
        let delete = findings
            .iter()
            .find(|f| f.message.contains("DELETE"))
            .expect("delete");
        assert_eq!(delete.severity, Severity::Low);
        assert!(delete.message.contains("src/users.js:14"));
    }

    #[test]
    fn binary_dumps_are_recognised_by_magic_bytes() {
        let findings = run(&|path| match path {
            "/db.sqlite" => {
                let mut body = b"SQLite format 3\0".to_vec();
                body.extend_from_slice(&[0u8; 100]);
                (200, "application/octet-stream", body)
            }
            "/backup.zip" => (200, "application/zip", b"PK\x03\x04rest".to_vec()),
            // Magic bytes of an archive on an .env path do not make it an env file.
            "/.env" => (200, "application/zip", b"PK\x03\x04rest".to_vec()),
            _ => not_found(),
        });
        assert_eq!(paths(&findings), ["/backup.zip", "/db.sqlite"]);
    }

    #[test]
    fn quick_profile_sends_fewer_paths_and_never_leaves_the_origin() {
        let fixture = Fixture::new();
        let (standard, _) = run_with(&fixture, &[], Profile::Standard, &|_| not_found());
        let (quick, _) = run_with(&fixture, &[], Profile::Quick, &|_| not_found());
        assert!(
            quick.len() < standard.len() / 3,
            "{} vs {}",
            quick.len(),
            standard.len()
        );
        assert!(quick.len() >= 16 * 3);
        for probe in standard.iter().chain(&quick) {
            assert_eq!(probe.request.url.origin(), fixture.base.origin());
        }
    }

    #[test]
    fn the_apps_own_description_is_not_a_leak_when_tested_without_it() {
        let mut fixture = Fixture::new();
        fixture.spec.title = String::new();
        fixture.spec.operations = vec![
            operation("GET", "/venues", false),
            operation("GET", "/venues/{venue_id}", false),
            operation("POST", "/token", false),
        ];
        let context = fixture.context();
        let own = br#"{"openapi":"3.1.0","info":{"title":"Venues"},"paths":{"/venues":{},"/venues/{id}":{},"/token":{}}}"#;
        assert!(describes_the_operations(own, &context));
        let other = br#"{"openapi":"3.1.0","info":{"title":"Internal"},"paths":{"/internal/users":{},"/internal/keys":{}}}"#;
        assert!(!describes_the_operations(other, &context));
        assert!(!describes_the_operations(b"<html>docs</html>", &context));
    }
}
