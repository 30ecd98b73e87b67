//! `vibeguard.toml`: the project's configuration, validated before anything runs.
//!
//! Every key is typed and unknown keys are refused (with the file, line and column, and the
//! closest known key as a hint), so a typo never silently disables a check. Sections used by
//! later engines (`[api]`, `[budget]`, `[identities.*]`, `[deps]`) are validated now too.
//! Every key is documented in `docs/configuration.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use vibeguard_core::rule::{closest, edit_distance};
use vibeguard_core::{FailOn, RuleMeta, Severity};

/// The configuration file name looked for in the project root.
pub const FILE_NAME: &str = "vibeguard.toml";
/// The fastest load burst a configuration may ask for (requests per second).
const MAX_LOAD_RATE: f64 = 10_000.0;
/// The longest load burst a configuration may ask for (seconds).
const MAX_LOAD_SECONDS: f64 = 30.0;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Least severity that fails the run.
    pub fail_on: Option<Spanned<String>>,
    /// Baseline file applied to every audit.
    pub baseline: Option<String>,
    /// Which files to audit.
    #[serde(default)]
    pub paths: Paths,
    /// Rule selection and severities.
    #[serde(default)]
    pub rules: Rules,
    /// The dependency engine.
    #[serde(default)]
    pub deps: Deps,
    /// The secrets engine.
    #[serde(default)]
    pub secrets: Secrets,
    /// The code engine.
    #[serde(default)]
    pub code: Code,
    /// The running API to test.
    pub api: Option<Api>,
    /// Limits on the dynamic tests.
    #[serde(default)]
    pub budget: Budget,
    /// Credentials the API tests act as.
    #[serde(default)]
    pub identities: BTreeMap<Spanned<String>, Identity>,
    /// The run history.
    #[serde(default)]
    pub history: History,
    /// The built container image.
    #[serde(default)]
    pub image: Image,
}

/// `[image]`: a built container image every audit of the project also scans.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// A `docker save` archive, an OCI image layout or a root filesystem folder, relative to
    /// the project (`--image` overrides it).
    pub path: Option<String>,
}

/// `[history]`: where every audit is recorded.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The history file, relative to the project (default `.vibeguard/history.db`).
    pub path: Option<String>,
    /// The deployment label of this project's runs (`--label` overrides it).
    pub label: Option<String>,
    /// `false`: record nothing (as `--no-history`).
    pub enabled: Option<bool>,
}

/// `[paths]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    /// Only these globs are audited (everything when empty).
    #[serde(default)]
    pub include: Vec<String>,
    /// These globs are never audited.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Source files larger than this many bytes are skipped.
    pub max_file_size: Option<u64>,
}

/// `[rules]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Codes or names of rules not to run.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// Severity overrides by rule code or name.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Severity>,
}

/// `[deps]`: the advisory data and how findings are judged.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deps {
    /// Where the advisory database lives (relative to the project folder).
    pub db_dir: Option<String>,
    /// Never touch the network for advisory data (`vibeguard db update` refuses).
    pub offline: Option<bool>,
    /// Report dev-only dependencies one severity level lower (default true).
    pub lower_dev_severity: Option<bool>,
    /// Advisory data older than this many days does not verify DEPS-02 (default 30).
    pub max_age_days: Option<Spanned<u32>>,
    /// Fail the run (exit 2) when advisory data for an ecosystem in use is missing, unreadable
    /// or too old (default false; `--require-db`).
    pub require_db: Option<bool>,
}

/// `[code]`: the code engine.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// More test code than the conventions find (globs: `qa/`, `*.stories.tsx`).
    #[serde(default)]
    pub tests: Vec<String>,
    /// Leave findings in test code out of the report, counted (default false; `--skip-tests`).
    pub skip_tests: Option<bool>,
}

/// `[secrets]`: the secrets engine.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// Also scan every commit's added lines (default false; `--git-history`).
    pub history: Option<bool>,
}

/// `[api]`: the running API to test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// The API's origin, e.g. `http://127.0.0.1:8080`.
    pub target: Spanned<String>,
    /// The OpenAPI/Swagger description: a file path or a URL on the target's origin.
    pub spec: Option<Spanned<String>>,
    /// Other hosts requests may go to.
    #[serde(default)]
    pub allow_hosts: Vec<Spanned<String>>,
    /// Allow destructive requests on objects vibeguard did not create.
    #[serde(default)]
    pub allow_destructive: bool,
    /// Operations that must require authentication whatever the spec says (`"GET /admin/*"`).
    #[serde(default)]
    pub private: Vec<Spanned<String>>,
    /// Operations that are public on purpose (`"POST /login"`).
    #[serde(default)]
    pub public: Vec<Spanned<String>>,
    /// Intended access per operation pattern: `public`, `owner` or `role:NAME`.
    #[serde(default)]
    pub access: BTreeMap<Spanned<String>, Spanned<String>>,
    /// How far the attack simulation goes: `quick`, `standard` or `deep`.
    pub profile: Option<Spanned<String>>,
    /// Requests in a brute-force burst (1 to 200).
    pub burst: Option<Spanned<u64>>,
    /// Logout and password-reset flows for the session check.
    pub session: Option<Session>,
    /// Load bursts of the rate-limit check.
    pub load: Option<Load>,
    /// The GraphQL endpoint's path (`/graphql`), when the usual paths do not find it.
    pub graphql: Option<Spanned<String>>,
    /// Recorded traffic files (HAR, Postman Collections), relative to the project.
    #[serde(default)]
    pub traffic: Vec<Spanned<String>>,
    /// A Postman environment file for the collections' variables, relative to the project.
    pub traffic_environment: Option<Spanned<String>>,
}

/// `[api.load]`: the load bursts of the rate-limit check (VG431).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// Requests per second (default: 200 in the standard profile, 1,000 in deep; 0 turns the
    /// bursts off).
    pub rate: Option<Spanned<f64>>,
    /// Seconds each burst lasts (default 2).
    pub seconds: Option<Spanned<f64>>,
    /// Hosts other than this machine's that may get bursts.
    #[serde(default)]
    pub hosts: Vec<Spanned<String>>,
}

/// `[api.session]`: the flows the session check (VG423) follows.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The logout operation, when its path does not end in `logout`/`signout`.
    pub logout: Option<Spanned<String>>,
    /// The operation that starts a password reset.
    pub reset_request: Option<Spanned<String>>,
    /// The operation that completes it with the token.
    pub reset_confirm: Option<Spanned<String>>,
    /// The (test) account whose password the reset test changes.
    pub reset_email: Option<Spanned<String>>,
    /// The reset token to confirm with (`${VAR}` allowed), when the answer does not carry it.
    pub reset_token: Option<Spanned<String>>,
}

/// `[budget]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Most requests in one run.
    pub max_requests: Option<Spanned<u64>>,
    /// Longest run, in seconds.
    pub max_seconds: Option<Spanned<u64>>,
    /// Requests per second.
    pub rps: Option<Spanned<f64>>,
    /// Requests in flight at once.
    pub concurrency: Option<Spanned<u64>>,
    /// Per-request timeout, in seconds.
    pub timeout_seconds: Option<Spanned<f64>>,
    /// Largest response body read, in bytes.
    pub max_body_bytes: Option<Spanned<u64>>,
}

/// `[identities.NAME]` (the API engine's own type: it is what the engine consumes).
pub use vibeguard_api::identity::IdentityConfig as Identity;

/// A configuration problem, located in the file.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is an obvious way.
    pub hint: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: {}",
                self.path.display(),
                self.message
            )?,
            None => write!(f, "{}: {}", self.path.display(), self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// A loaded, validated configuration and where it came from.
#[derive(Debug, Default)]
pub struct LoadedConfig {
    /// The file, when there was one.
    pub path: Option<PathBuf>,
    /// Its content.
    pub config: Config,
}

impl LoadedConfig {
    /// The configured fail-on threshold, if any.
    pub fn fail_on(&self) -> Option<FailOn> {
        self.config
            .fail_on
            .as_ref()
            .and_then(|value| value.get_ref().parse().ok())
    }

    /// Codes of disabled rules (names resolved to codes).
    pub fn disabled_codes(&self, rules: &[RuleMeta]) -> BTreeSet<String> {
        self.config
            .rules
            .disable
            .iter()
            .filter_map(|name| vibeguard_core::rule::find(rules, name.get_ref()))
            .map(|rule| rule.code.to_string())
            .collect()
    }

    /// Severity overrides by code.
    pub fn severity_overrides(&self, rules: &[RuleMeta]) -> BTreeMap<String, Severity> {
        self.config
            .rules
            .severity
            .iter()
            .filter_map(|(name, severity)| {
                vibeguard_core::rule::find(rules, name.get_ref())
                    .map(|rule| (rule.code.to_string(), *severity))
            })
            .collect()
    }

    /// The configured identities' names, in the file's order.
    pub fn identity_names(&self) -> Vec<String> {
        let mut names: Vec<(usize, String)> = self
            .config
            .identities
            .keys()
            .map(|name| (name.span().start, name.get_ref().clone()))
            .collect();
        names.sort();
        names.into_iter().map(|(_, name)| name).collect()
    }

    /// Every credential the file names, resolved from the environment where it refers to it,
    /// for the redactor: none of them may appear in any output.
    pub fn credentials(&self) -> Vec<String> {
        let mut values: Vec<String> = Vec::new();
        for identity in self.config.identities.values() {
            for raw in identity.credential_strings() {
                if let Ok(resolved) = interpolate(&raw, &|name| std::env::var(name).ok()) {
                    values.push(resolved);
                }
                values.push(raw);
            }
        }
        // `${VAR}` references themselves are not secret; only what they resolve to is.
        values.retain(|value| !(value.starts_with("${") && value.ends_with('}')));
        values
    }
}

/// Finds and loads the configuration: `explicit` when given (it must exist), otherwise
/// `vibeguard.toml` in the project root when present, otherwise the defaults.
pub fn load(
    explicit: Option<&Path>,
    project_root: &Path,
    rules: &[RuleMeta],
) -> Result<LoadedConfig, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let candidate = project_root.join(FILE_NAME);
            if !candidate.is_file() {
                return Ok(LoadedConfig::default());
            }
            candidate
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|error| ConfigError {
        path: path.clone(),
        position: None,
        message: format!("cannot read the configuration: {error}"),
        hint: explicit.map(|_| "check the --config path".to_string()),
    })?;
    let config = parse(&path, &text, rules)?;
    Ok(LoadedConfig {
        path: Some(path),
        config,
    })
}

/// Parses and validates configuration text.
pub fn parse(path: &Path, text: &str, rules: &[RuleMeta]) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|error| syntax_error(path, text, &error))?;
    validate(&config, text, rules).map_err(|(span, message, hint)| ConfigError {
        path: path.to_path_buf(),
        position: span.map(|span| position(text, span.start)),
        message,
        hint,
    })?;
    Ok(config)
}

type Invalid = (Option<std::ops::Range<usize>>, String, Option<String>);

fn validate(config: &Config, text: &str, rules: &[RuleMeta]) -> Result<(), Invalid> {
    if let Some(fail_on) = &config.fail_on {
        fail_on
            .get_ref()
            .parse::<FailOn>()
            .map_err(|message| (Some(fail_on.span()), format!("fail_on: {message}"), None))?;
    }
    let known_rule = |name: &Spanned<String>, key: &str| -> Result<(), Invalid> {
        if vibeguard_core::rule::find(rules, name.get_ref()).is_some() {
            return Ok(());
        }
        let hint = closest(rules, name.get_ref())
            .map(|rule| format!("did you mean {} ({})?", rule.code, rule.name))
            .or_else(|| Some("`vibeguard rules` lists every rule".to_string()));
        Err((
            Some(name.span()),
            format!("{key}: unknown rule `{}`", name.get_ref()),
            hint,
        ))
    };
    for name in &config.rules.disable {
        known_rule(name, "rules.disable")?;
    }
    for name in config.rules.severity.keys() {
        known_rule(name, "rules.severity")?;
    }
    if let Some(target) = &config.api {
        check_url(&target.target, "api.target")?;
        if let Some(spec) = &target.spec
            && spec.get_ref().contains("://")
        {
            check_url(spec, "api.spec")?;
        }
        for host in &target.allow_hosts {
            let valid = !host.get_ref().is_empty()
                && host
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !valid {
                return Err((
                    Some(host.span()),
                    format!("api.allow_hosts: `{}` is not a host name", host.get_ref()),
                    Some(
                        "give a host such as `api.example.com` or `127.0.0.1:9000`, not a URL"
                            .into(),
                    ),
                ));
            }
        }
        for operation in target
            .private
            .iter()
            .chain(&target.public)
            .chain(target.access.keys())
        {
            check_operation(operation)?;
        }
        if let Some(path) = &target.graphql
            && !path.get_ref().starts_with('/')
        {
            return Err((
                Some(path.span()),
                format!("api.graphql: `{}` is not a path", path.get_ref()),
                Some("give the endpoint's path on the target, e.g. \"/graphql\"".into()),
            ));
        }
        if let Some(session) = &target.session {
            for operation in [
                &session.logout,
                &session.reset_request,
                &session.reset_confirm,
            ]
            .into_iter()
            .flatten()
            {
                check_operation(operation)?;
            }
            let reset = [
                session.reset_request.is_some(),
                session.reset_confirm.is_some(),
                session.reset_email.is_some(),
            ];
            if reset.iter().any(|set| *set) && !reset.iter().all(|set| *set) {
                let given = session
                    .reset_request
                    .as_ref()
                    .or(session.reset_confirm.as_ref())
                    .or(session.reset_email.as_ref());
                return Err((
                    given.map(Spanned::span),
                    "api.session: a reset test needs reset_request, reset_confirm and reset_email together".into(),
                    Some("name the operations and a test account whose password may be changed".into()),
                ));
            }
        }
        if let Some(load) = &target.load {
            if let Some(rate) = &load.rate
                && !(0.0..=MAX_LOAD_RATE).contains(rate.get_ref())
            {
                return Err((
                    Some(rate.span()),
                    format!("api.load.rate: {} is out of range", rate.get_ref()),
                    Some(format!(
                        "give 0 (no bursts) to {MAX_LOAD_RATE} requests per second"
                    )),
                ));
            }
            if let Some(seconds) = &load.seconds
                && !(0.1..=MAX_LOAD_SECONDS).contains(seconds.get_ref())
            {
                return Err((
                    Some(seconds.span()),
                    format!("api.load.seconds: {} is out of range", seconds.get_ref()),
                    Some(format!(
                        "give 0.1 to {MAX_LOAD_SECONDS} seconds (default 2)"
                    )),
                ));
            }
        }
        if let Some(burst) = &target.burst
            && !(1..=vibeguard_api::checks::MAX_BURST as u64).contains(burst.get_ref())
        {
            return Err((
                Some(burst.span()),
                format!("api.burst: {} is out of range", burst.get_ref()),
                Some(format!(
                    "give 1 to {} requests (default {})",
                    vibeguard_api::checks::MAX_BURST,
                    vibeguard_api::checks::DEFAULT_BURST
                )),
            ));
        }
        if let Some(profile) = &target.profile
            && vibeguard_api::checks::Profile::parse(profile.get_ref()).is_none()
        {
            return Err((
                Some(profile.span()),
                format!("api.profile: `{}` is not a profile", profile.get_ref()),
                Some("use \"quick\", \"standard\" or \"deep\"".into()),
            ));
        }
        for access in target.access.values() {
            let value = access.get_ref().trim();
            let valid = value == "public"
                || value == "owner"
                || value
                    .strip_prefix("role:")
                    .is_some_and(|role| !role.trim().is_empty());
            if !valid {
                return Err((
                    Some(access.span()),
                    format!("api.access: `{value}` is not an access rule"),
                    Some("use \"public\", \"owner\" or \"role:NAME\"".into()),
                ));
            }
        }
    }
    let budget = &config.budget;
    for (value, key, min, max) in [
        (&budget.max_requests, "budget.max_requests", 1, 10_000_000),
        (&budget.max_seconds, "budget.max_seconds", 1, 86_400),
        (&budget.concurrency, "budget.concurrency", 1, 256),
        (
            &budget.max_body_bytes,
            "budget.max_body_bytes",
            1024,
            1 << 30,
        ),
    ] {
        if let Some(value) = value
            && !(min..=max).contains(value.get_ref())
        {
            return Err((
                Some(value.span()),
                format!("{key} must be between {min} and {max}"),
                None,
            ));
        }
    }
    for (value, key) in [
        (&budget.rps, "budget.rps"),
        (&budget.timeout_seconds, "budget.timeout_seconds"),
    ] {
        if let Some(value) = value
            && !(value.get_ref().is_finite() && *value.get_ref() > 0.0)
        {
            return Err((
                Some(value.span()),
                format!("{key} must be a positive number"),
                None,
            ));
        }
    }
    for (name, identity) in &config.identities {
        identity
            .validate(name.get_ref())
            .map_err(|(needle, message)| {
                // Point at the offending value, searching from the identity's own section.
                let from = name.span().start;
                let span = needle
                    .and_then(|needle| {
                        text.get(from..)?
                            .find(&needle)
                            .map(|at| from + at..from + at + needle.len())
                    })
                    .or(Some(name.span()));
                (span, message, None)
            })?;
    }
    Ok(())
}

fn check_url(value: &Spanned<String>, key: &str) -> Result<(), Invalid> {
    match url::Url::parse(value.get_ref()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        Ok(url) => Err((
            Some(value.span()),
            format!(
                "{key}: `{}` must be an http or https URL with a host (scheme is `{}`)",
                value.get_ref(),
                url.scheme()
            ),
            None,
        )),
        Err(error) => Err((
            Some(value.span()),
            format!("{key}: `{}` is not a URL: {error}", value.get_ref()),
            Some("write it like `http://127.0.0.1:8080`".into()),
        )),
    }
}

fn check_operation(value: &Spanned<String>) -> Result<(), Invalid> {
    let text = value.get_ref().trim();
    let valid = text.split_once(' ').is_some_and(|(method, path)| {
        [
            "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*",
        ]
        .contains(&method.to_ascii_uppercase().as_str())
            && path.trim().starts_with('/')
    });
    if valid {
        Ok(())
    } else {
        Err((
            Some(value.span()),
            format!("`{text}` is not an operation"),
            Some("write `METHOD /path`, e.g. `GET /admin/*` or `* /internal/*`".into()),
        ))
    }
}

use vibeguard_api::identity::interpolate;

fn syntax_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let message = error.message().trim().to_string();
    let mut offset = error.span().map(|span| span.start);
    let mut hint = None;
    // "unknown field `X`, expected one of `a`, `b`": point at X itself and suggest the closest.
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once('`')
    {
        if let Some(found) = find_key(text, field, offset.unwrap_or(0)) {
            offset = Some(found);
        }
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        hint = candidates
            .iter()
            .map(|candidate| (edit_distance(field, candidate), *candidate))
            .filter(|(distance, _)| *distance <= 3)
            .min()
            .map(|(_, candidate)| {
                format!("did you mean `{candidate}`? docs/configuration.md lists every key")
            })
            .or_else(|| Some("docs/configuration.md lists every key".to_string()));
    }
    ConfigError {
        path: path.to_path_buf(),
        position: offset.map(|offset| position(text, offset)),
        message,
        hint,
    }
}

/// The offset of `key` written as a key (at a line start, before `=`), at or after `from`.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if offset <= from {
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(after) = trimmed.strip_prefix(key)
            && after.trim_start().starts_with('=')
        {
            return Some(start + indent);
        }
    }
    None
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<RuleMeta> {
        vibeguard_deps::hygiene::rule_metas()
    }

    fn error(text: &str) -> ConfigError {
        parse(Path::new("vibeguard.toml"), text, &rules()).expect_err("invalid")
    }

    #[test]
    fn a_full_configuration_parses() {
        let text = r#"
fail_on = "medium"
baseline = ".vibeguard/baseline.json"

[paths]
include = ["src/", "package.json"]
exclude = ["tests/fixtures/"]
max_file_size = 2000000

[rules]
disable = ["VG304", "env-not-gitignored"]
[rules.severity]
VG302 = "low"

[deps]
offline = true

[api]
target = "http://127.0.0.1:8080"
spec = "openapi.yaml"
allow_hosts = ["auth.example.com"]
private = ["GET /admin/*"]
public = ["POST /api/login"]

[budget]
max_requests = 500
rps = 10
concurrency = 4
timeout_seconds = 5.5

[identities.alice]
kind = "bearer"
token = "${ALICE_TOKEN}"
role = "user"

[identities.bob]
kind = "login"
role = "admin"
request = { method = "POST", path = "/api/login", json = { email = "bob@example.com", password = "${BOB_PASSWORD}" } }
capture = { json_pointer = "/token" }
send_as = { header = "Authorization", prefix = "Bearer " }
"#;
        let config = parse(Path::new("vibeguard.toml"), text, &rules()).expect("valid");
        let loaded = LoadedConfig { path: None, config };
        assert_eq!(loaded.fail_on(), Some(FailOn::Medium));
        assert_eq!(
            loaded.disabled_codes(&rules()),
            BTreeSet::from(["VG304".to_string(), "VG306".to_string()])
        );
        assert_eq!(
            loaded.severity_overrides(&rules()).get("VG302"),
            Some(&Severity::Low)
        );
        assert_eq!(loaded.config.identities.len(), 2);
    }

    #[test]
    fn load_bursts_are_configured_and_checked() {
        let text = "[api]\ntarget = \"http://127.0.0.1:8080\"\n[api.load]\nrate = 500\nseconds = 1.5\nhosts = [\"staging.example.com\"]\n";
        let config = parse(Path::new("vibeguard.toml"), text, &rules()).expect("valid");
        let load = config.api.as_ref().and_then(|api| api.load.as_ref());
        let settings = crate::api_settings::load_settings(false, load);
        assert_eq!(settings.rate, Some(500.0));
        assert_eq!(settings.duration, std::time::Duration::from_millis(1_500));
        assert_eq!(settings.hosts, ["staging.example.com"]);
        // `--load` wins over the file's rate.
        assert_eq!(
            crate::api_settings::load_settings(true, load).rate,
            Some(vibeguard_api::engine::LOAD_RATE)
        );

        let e = error("[api]\ntarget = \"http://x\"\n[api.load]\nrate = -5\n");
        assert_eq!(e.position.map(|p| p.0), Some(4));
        assert!(e.message.contains("api.load.rate"), "{}", e.message);
        let e = error("[api]\ntarget = \"http://x\"\n[api.load]\nseconds = 600\n");
        assert!(e.message.contains("api.load.seconds"), "{}", e.message);
        let e = error("[api]\ntarget = \"http://x\"\n[api.load]\nrps = 5\n");
        assert!(e.message.contains("unknown field `rps`"), "{}", e.message);
    }

    #[test]
    fn unknown_keys_name_the_key_its_line_and_the_closest_key() {
        let e = error("fail_on = \"high\"\nfial_on = \"low\"\n");
        assert_eq!(e.position, Some((2, 1)));
        assert!(
            e.message.contains("unknown field `fial_on`"),
            "{}",
            e.message
        );
        assert!(
            e.hint
                .as_deref()
                .is_some_and(|h| h.contains("did you mean `fail_on`"))
        );

        let e = error("[identities.alice]\nkind = \"bearer\"\ntokn = \"x\"\n");
        assert_eq!(e.position, Some((3, 1)));
        assert!(e.hint.as_deref().is_some_and(|h| h.contains("`token`")));

        let e = error("[api]\ntarget = \"http://x\"\nallow_host = [\"a\"]\n");
        assert_eq!(e.position, Some((3, 1)));
    }

    #[test]
    fn wrong_types_and_values_are_refused_with_their_line() {
        let e = error("[paths]\nexclude = \"tests\"\n");
        assert_eq!(e.position.map(|p| p.0), Some(2));
        let e = error("fail_on = \"severe\"\n");
        assert!(
            e.message
                .contains("critical, high, medium, low, info or never")
        );
        let e = error("[rules]\ndisable = [\"VG30\"]\n");
        assert_eq!(e.position, Some((2, 12)));
        assert!(
            e.hint
                .as_deref()
                .is_some_and(|h| h.contains("did you mean VG30")),
            "{:?}",
            e.hint
        );
        let e = error("[api]\ntarget = \"ftp://example.com\"\n");
        assert!(e.message.contains("http or https"));
        let e = error("[api]\ntarget = \"localhost:8080/api\"\n");
        assert!(e.message.contains("api.target"));
        let e = error(
            "[api]\ntarget = \"http://127.0.0.1:1\"\n[api.session]\nreset_request = \"POST /reset\"\n",
        );
        assert!(
            e.message
                .contains("reset_request, reset_confirm and reset_email together")
        );
        assert_eq!(e.position.map(|p| p.0), Some(4));
        let e =
            error("[api]\ntarget = \"http://127.0.0.1:1\"\n[api.session]\nlogout = \"logout\"\n");
        assert!(e.message.contains("is not an operation"));
        let e = error("[budget]\nconcurrency = 0\n");
        assert!(e.message.contains("budget.concurrency"));
        let e = error("[identities.a]\nkind = \"oauth\"\n");
        assert!(e.message.contains("unknown variant `oauth`"));
        let e = error("[identities.a]\nkind = \"bearer\"\ntoken = \"${UNTERMINATED\"\n");
        assert!(e.message.contains("without a closing"));
        let e = error(
            "[identities.a]\nkind = \"login\"\nrequest = { path = \"/login\" }\ncapture = { header = \"X\", cookie = \"s\" }\n",
        );
        assert!(e.message.contains("exactly one of"));
        let e = error("[api]\ntarget = \"http://x\"\nprivate = [\"/admin\"]\n");
        assert!(
            e.hint
                .as_deref()
                .is_some_and(|h| h.contains("METHOD /path"))
        );
    }

    #[test]
    fn every_example_in_the_configuration_docs_is_valid() {
        let docs = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/configuration.md"
        ))
        .expect("docs/configuration.md");
        let blocks: Vec<&str> = docs
            .split("```toml\n")
            .skip(1)
            .filter_map(|rest| rest.split("```").next())
            .collect();
        assert!(!blocks.is_empty(), "the page has toml examples");
        for block in blocks {
            parse(Path::new("docs/configuration.md"), block, &rules())
                .unwrap_or_else(|e| panic!("invalid example in the docs: {e}\n{block}"));
        }
    }

    #[test]
    fn identity_errors_point_at_the_offending_value() {
        let e = error("[identities.a]\nkind = \"bearer\"\ntoken = \"${UNTERMINATED\"\n");
        assert_eq!(e.position, Some((3, 10)));
    }

    #[test]
    fn credentials_include_literal_and_resolved_values_only() {
        let text = "[identities.a]\nkind = \"basic\"\nusername = \"alice\"\npassword = \"s3cret-pw\"\n[identities.b]\nkind = \"bearer\"\ntoken = \"${VIBEGUARD_TEST_UNSET_VAR}\"\n";
        let config = parse(Path::new("v.toml"), text, &rules()).expect("valid");
        let credentials = LoadedConfig { path: None, config }.credentials();
        assert_eq!(
            credentials,
            vec!["s3cret-pw".to_string(), "s3cret-pw".to_string()]
        );
    }
}
