//! The command line: global flags and subcommands (clap derive).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};
use vibeguard_core::FailOn;

const ABOUT: &str = "Audit AI-written web apps and APIs before production: code, dependencies, \
the running API and your own security scenarios, mapped onto a security checklist.";

const AFTER_HELP: &str = "\
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage, configuration or I/O error.

Examples:
  vibeguard demo                                   audit the built-in vulnerable example
  vibeguard audit .                                audit the project in this folder
  vibeguard audit --format sarif --output vibeguard.sarif --fail-on high
  vibeguard audit -f json=report.json -f html=report.html
  vibeguard baseline write .vibeguard/baseline.json && vibeguard audit --baseline .vibeguard/baseline.json
  vibeguard db update && vibeguard deps           check dependencies against fresh OSV advisories
  vibeguard explain VG301";

/// The `vibeguard` command.
#[derive(Debug, Parser)]
#[command(name = "vibeguard", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// Flags every subcommand accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Configuration file (default: vibeguard.toml in the project, when present)
    #[arg(short, long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Report format: terminal, json, sarif, junit, markdown, html; repeatable. `FORMAT=FILE`
    /// writes it to FILE, as does an --output that follows it
    #[arg(short = 'f', long = "format", global = true, value_name = "FORMAT[=FILE]", action = ArgAction::Append)]
    pub formats: Vec<String>,

    /// File for the --format given just before it (or a format guessed from the extension)
    #[arg(short = 'o', long = "output", global = true, value_name = "FILE", action = ArgAction::Append)]
    pub outputs: Vec<PathBuf>,

    /// Least severity that fails the run: critical, high, medium, low, info or never [default: high]
    #[arg(long, global = true, value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,

    /// Baseline file: findings recorded in it are shown but do not fail the run
    #[arg(long, global = true, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Print only the summary line (and errors)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Show more: suppressed findings, every checklist note, progress details
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// List every finding on its own line (by default the critical and high ones are listed,
    /// the others counted per rule); with `brief`, a brief for every finding
    #[arg(long, global = true)]
    pub all: bool,

    /// Findings the terminal report lists per severity before it counts the rest [default: 100]
    #[arg(long, global = true, value_name = "N")]
    pub list_limit: Option<usize>,

    /// Show progress even off a terminal (a line every few seconds, for CI logs); on a
    /// terminal it is shown anyway unless -q
    #[arg(long, global = true)]
    pub progress: bool,

    /// Never use colours (also: the NO_COLOR environment variable)
    #[arg(long, global = true)]
    pub no_color: bool,

    /// The running API to test, e.g. http://127.0.0.1:8080 (overrides [api] target)
    #[arg(long, global = true, value_name = "URL", help_heading = "API testing")]
    pub target: Option<String>,

    /// Its OpenAPI/Swagger description: a file, or a URL on the target (default: discovered)
    #[arg(
        long,
        global = true,
        value_name = "FILE|URL",
        help_heading = "API testing"
    )]
    pub spec: Option<String>,

    /// Another host requests may go to (repeatable); nothing else outside the target is contacted
    #[arg(long = "allow-host", global = true, value_name = "HOST", action = ArgAction::Append, help_heading = "API testing")]
    pub allow_hosts: Vec<String>,

    /// Requests per second (default: unlimited)
    #[arg(long, global = true, value_name = "N", help_heading = "API testing")]
    pub rps: Option<f64>,

    /// Most requests in one run [default: 3000]
    #[arg(long, global = true, value_name = "N", help_heading = "API testing")]
    pub max_requests: Option<u64>,

    /// Longest API run in seconds [default: 300]
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        help_heading = "API testing"
    )]
    pub max_seconds: Option<u64>,

    /// Allow changing and deleting objects vibeguard did not create
    #[arg(long, global = true, help_heading = "API testing")]
    pub allow_destructive: bool,

    /// A scenario file or folder to run against the target [default: .vibeguard/scenarios in
    /// the project, when it exists]
    #[arg(long, global = true, value_name = "PATH", help_heading = "Scenarios")]
    pub scenarios: Option<PathBuf>,

    /// Write every request and response (credentials masked) to a HAR file
    #[arg(long, global = true, value_name = "FILE", help_heading = "API testing")]
    pub har: Option<PathBuf>,

    /// Recorded traffic whose requests to the target become operations: a HAR file or a Postman
    /// Collection (v2.0/v2.1); repeatable
    #[arg(long, global = true, value_name = "FILE", action = ArgAction::Append, help_heading = "API testing")]
    pub traffic: Vec<PathBuf>,

    /// A Postman environment file for the collections' {{variables}}
    #[arg(long, global = true, value_name = "FILE", help_heading = "API testing")]
    pub traffic_env: Option<PathBuf>,

    /// Send the rate-limit check's load bursts at 1,000 requests per second (loopback, or hosts
    /// named in `[api.load] hosts`, only)
    #[arg(long, global = true, help_heading = "API testing")]
    pub load: bool,

    /// How far the API attack simulation goes: quick (every pull request), standard, deep (before a release)
    #[arg(long, global = true, value_name = "PROFILE", value_parser = parse_profile, help_heading = "API testing")]
    pub profile: Option<vibeguard_api::checks::Profile>,

    /// Run only these rules (codes or names, comma-separated: `VG409,jwt-weak-secret`)
    #[arg(long, global = true, value_name = "RULES", value_delimiter = ',')]
    pub checks: Vec<String>,

    /// Folder of the local advisory database (also VIBEGUARD_DB_DIR; default: the user's cache folder)
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        help_heading = "Dependency advisories"
    )]
    pub db_dir: Option<PathBuf>,

    /// Exit 2 when advisory data for an ecosystem the project uses is missing, unreadable or too old
    #[arg(long, global = true, help_heading = "Dependency advisories")]
    pub require_db: bool,

    /// Never touch the network for advisory data (`db update` refuses; use `db import`)
    #[arg(long, global = true, help_heading = "Dependency advisories")]
    pub offline: bool,

    /// Also scan every commit's added lines of the git history for secrets
    #[arg(long, global = true, help_heading = "Secrets")]
    pub git_history: bool,

    /// The run history every audit is recorded in: a SQLite file, or a PostgreSQL URL
    /// (postgres://user@host/db; the password from ${ENV} in the URL or PGPASSWORD)
    /// [default: .vibeguard/history.db in the project]
    #[arg(long, global = true, value_name = "FILE|URL", help_heading = "History")]
    pub history: Option<PathBuf>,

    /// Record nothing in the run history
    #[arg(
        long,
        global = true,
        conflicts_with = "history",
        help_heading = "History"
    )]
    pub no_history: bool,

    /// Exit 2 when the run cannot be recorded in the history (by default a warning)
    #[arg(
        long,
        global = true,
        conflicts_with = "no_history",
        help_heading = "History"
    )]
    pub require_history: bool,

    /// The deployment label of this run: staging, prod, svc-billing [default: [history] label,
    /// else VIBEGUARD_LABEL, else CI_ENVIRONMENT_NAME]
    #[arg(long, global = true, value_name = "LABEL", help_heading = "History")]
    pub label: Option<String>,

    /// Compare this run with a recorded one: a run id, a label, `latest` or `previous`
    #[arg(long, global = true, value_name = "RUN", help_heading = "History")]
    pub compare_to: Option<String>,

    /// With --compare-to: fail only on findings the reference run did not have
    #[arg(long, global = true, requires = "compare_to", help_heading = "History")]
    pub fail_on_new: bool,

    /// Leave findings in test files out of the report (they are counted); by default they are
    /// reported apart, at info severity, and never counted against the checklist
    #[arg(long, global = true, help_heading = "Code")]
    pub skip_tests: bool,

    /// Do not run these rules (codes or names, comma-separated)
    #[arg(
        long = "skip-checks",
        global = true,
        value_name = "RULES",
        value_delimiter = ','
    )]
    pub skip_checks: Vec<String>,
}

fn parse_profile(text: &str) -> Result<vibeguard_api::checks::Profile, String> {
    vibeguard_api::checks::Profile::parse(text)
        .ok_or_else(|| format!("`{text}` is not a profile: use quick, standard or deep"))
}

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    text.parse()
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a project folder and report every finding and the checklist verdict
    Audit {
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Also scan this built container image (a `docker save` archive, an OCI layout, a root filesystem folder)
        #[arg(long, value_name = "IMAGE")]
        image: Option<PathBuf>,
    },
    /// Check the project's dependencies: known vulnerabilities, malware, pinning, lockfiles, update bots
    Deps {
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Find hard-coded keys, tokens, private keys and passwords in the tree (and with --git-history, in every commit)
    Secrets {
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
        /// List the credential kinds the catalog detects, and exit
        #[arg(long)]
        list: bool,
        /// Scan only these files of the project (a pre-commit hook passes the staged ones)
        #[arg(long, num_args = 1.., value_name = "FILE", conflicts_with = "list")]
        files: Vec<PathBuf>,
    },
    /// Scan a container image: OS and language packages against OSV, secrets in its layers, its user
    Image {
        /// A `docker save` archive (.tar or .tar.gz), an OCI image layout folder or archive, or an unpacked root filesystem folder
        #[arg(required_unless_present = "docker")]
        image: Option<PathBuf>,
        /// Save this image from the local Docker daemon first (runs `docker save`), instead of a file
        #[arg(long, value_name = "IMAGE", conflicts_with = "image")]
        docker: Option<String>,
        /// Project folder whose vibeguard.toml applies (default: .)
        #[arg(long, value_name = "PATH", default_value = ".")]
        project: PathBuf,
    },
    /// Manage the local advisory database (OSV exports)
    Db {
        /// What to do with it.
        #[command(subcommand)]
        action: DbAction,
    },
    /// Analyse the project's JavaScript, TypeScript, Python, Ruby and Go code (the code engine alone)
    Code {
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// List the HTTP routes the code declares, with their middleware (--format json or markdown too)
    Routes {
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Write the API the code declares as an OpenAPI document (-o FILE: .json, .yaml or .yml)
    Describe {
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
        /// OpenAPI version to write: 3.1, or 3.0 for tools that read only 3.0
        #[arg(long, value_name = "VERSION", default_value = "3.1", value_parser = ["3.1", "3.0"])]
        openapi: String,
    },
    /// Test a running API from its OpenAPI description (the API engine alone)
    Api {
        /// Project folder whose vibeguard.toml holds identities and [api] (default: .)
        #[arg(long, value_name = "PATH", default_value = ".")]
        project: PathBuf,
    },
    /// Run or check the team's security scenarios (.vibeguard/scenarios/*.yaml)
    Scenarios {
        /// What to do with them.
        #[command(subcommand)]
        action: ScenariosAction,
    },
    /// Start the built-in vulnerable demo API and audit it end to end
    Demo {
        /// Audit the hardened twin instead (the API checks must find nothing)
        #[arg(long)]
        hardened: bool,
        /// Only run the demo API (until Ctrl-C) so other tools can be tried on it
        #[arg(long)]
        serve: bool,
        /// Port for --serve (default: any free port)
        #[arg(long, requires = "serve")]
        port: Option<u16>,
        /// Keep the example project on disk and print where it is
        #[arg(long)]
        keep: bool,
    },
    /// Print one finding of the last audit in full: its evidence, data flow and fix
    Show {
        /// The finding's number in the terminal report, or its fingerprint (a prefix will do)
        finding: String,
        /// Project whose last audit to read [default: the most recent audit of any project]
        path: Option<PathBuf>,
        /// Read a saved JSON report instead
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Print fix briefs for a coding assistant: self-contained prompts that name the place, the
    /// flaw, the fix pattern, the constraints and the command that verifies the fix
    Brief {
        /// Findings by number or fingerprint [default: the critical and high ones; --all: every
        /// active finding]
        findings: Vec<String>,
        /// Every active finding at or above this severity
        #[arg(long, value_name = "SEVERITY", conflicts_with = "findings")]
        severity: Option<vibeguard_core::Severity>,
        /// Project whose last audit to read [default: the most recent audit of any project]
        #[arg(long, value_name = "PATH")]
        project: Option<PathBuf>,
        /// Read a saved JSON report instead
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// List every rule with its severity and checklist items (--format json or markdown too)
    Rules,
    /// Explain a rule: what it finds, why it matters, an example, how to fix it
    Explain {
        /// Rule code (VG301) or name (missing-lockfile)
        code: String,
    },
    /// Print the security checklist, with the verdict of the last audit of PATH when there is one
    Checklist {
        /// Project whose last audit to show (default: the current folder)
        path: Option<PathBuf>,
        /// Show the verdict stored in a JSON report instead
        #[arg(long, value_name = "FILE", conflicts_with = "catalog")]
        report: Option<PathBuf>,
        /// Show only the catalog, even when a last run exists
        #[arg(long)]
        catalog: bool,
    },
    /// Write a commented vibeguard.toml for the project, from what it contains (or, with
    /// --assistant, security rules for its coding assistant)
    Init {
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Replace an existing vibeguard.toml
        #[arg(long)]
        force: bool,
        /// Print the configuration instead of writing it
        #[arg(long, conflicts_with = "force")]
        stdout: bool,
        /// Write security rules for the project's coding assistant instead, tailored to its
        /// stack: agents (AGENTS.md), cursor (.cursor/rules/security.mdc), claude (CLAUDE.md),
        /// copilot (.github/copilot-instructions.md); repeatable
        #[arg(long, value_name = "ASSISTANT", action = ArgAction::Append)]
        assistant: Vec<crate::commands::Assistant>,
    },
    /// List, show and prune the runs recorded in the history (.vibeguard/history.db)
    History {
        /// What to do (default: list the runs)
        #[command(subcommand)]
        action: Option<HistoryAction>,
        /// The project whose history to read
        #[arg(long, global = true, default_value = ".", value_name = "PATH")]
        project: PathBuf,
    },
    /// Compare two recorded runs (default: the two latest of the project): new, fixed and
    /// still open findings, checklist items that regressed or improved
    Diff {
        /// The reference run: an id, a label, `latest` or `previous` [default: previous]
        base: Option<String>,
        /// The run compared with it [default: latest]
        head: Option<String>,
        /// The project whose history to read
        #[arg(long, default_value = ".", value_name = "PATH")]
        project: PathBuf,
    },
    /// Manage baselines of accepted findings
    Baseline {
        /// What to do with the baseline.
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Print a shell completion script
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

/// `vibeguard history …`.
#[derive(Debug, Subcommand)]
pub enum HistoryAction {
    /// List the runs, newest first (filters: --label, --target, --branch, --since)
    List {
        /// Only runs of this branch
        #[arg(long)]
        branch: Option<String>,
        /// Only runs started since this date (2026-12-01) or for this long (7d, 12h)
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
        /// At most this many runs
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
    },
    /// Show one run: its facts, findings and checklist verdict
    Show {
        /// An id, a label, `latest` or `previous`
        run: String,
    },
    /// Delete old runs
    Prune {
        /// Keep the newest N runs of each project and target
        #[arg(
            long,
            value_name = "N",
            conflicts_with = "older_than",
            required_unless_present = "older_than"
        )]
        keep: Option<usize>,
        /// Delete runs older than this (30d, 12h, or a date)
        #[arg(long, value_name = "WHEN")]
        older_than: Option<String>,
    },
}

/// `vibeguard db …`.
#[derive(Debug, Subcommand)]
pub enum DbAction {
    /// Download the OSV exports, verify them and replace the stored data (kept on any failure)
    Update {
        /// Only these ecosystems (npm, PyPI, crates.io, Go, RubyGems, Packagist); repeatable [default: all]
        #[arg(long = "ecosystem", value_name = "ECOSYSTEM", action = ArgAction::Append)]
        ecosystems: Vec<String>,
        /// Where the exports are, laid out as <SOURCE>/<Ecosystem>/all.zip [default: the OSV project's bucket]
        #[arg(long, value_name = "URL")]
        source: Option<String>,
    },
    /// Show each ecosystem's records, their age and where they came from
    Status,
    /// Import local OSV exports: an all.zip or a folder of OSV JSON files (for machines without network)
    Import {
        /// The zip or folder
        path: PathBuf,
        /// Only these ecosystems; repeatable [default: every ecosystem the export holds]
        #[arg(long = "ecosystem", value_name = "ECOSYSTEM", action = ArgAction::Append)]
        ecosystems: Vec<String>,
    },
}

/// `vibeguard scenarios …`.
#[derive(Debug, Subcommand)]
pub enum ScenariosAction {
    /// Run the scenarios against --target (the scenario engine alone)
    Run {
        /// A scenario file or folder [default: .vibeguard/scenarios in the project]
        path: Option<PathBuf>,
        /// Project folder whose vibeguard.toml holds identities and [api] (default: .)
        #[arg(long, value_name = "PATH", default_value = ".")]
        project: PathBuf,
    },
    /// Write a starter suite from the API's description (--spec or [api] spec) and the
    /// configured identities: the surface-wide requirements, then one scenario per secured
    /// operation
    Init {
        /// The file to write [default: .vibeguard/scenarios/starter.yaml in the project]
        path: Option<PathBuf>,
        /// Project folder whose vibeguard.toml names the identities and the description (default: .)
        #[arg(long, value_name = "PATH", default_value = ".")]
        project: PathBuf,
        /// Overwrite the file when it exists
        #[arg(long)]
        force: bool,
    },
    /// Validate scenario files offline: every problem with its file, line and column
    Check {
        /// A scenario file or folder [default: .vibeguard/scenarios in the project]
        path: Option<PathBuf>,
        /// Project folder whose vibeguard.toml names the identities (default: .)
        #[arg(long, value_name = "PATH", default_value = ".")]
        project: PathBuf,
    },
}

/// `vibeguard baseline …`.
#[derive(Debug, Subcommand)]
pub enum BaselineAction {
    /// Audit PATH and record every current finding in FILE
    Write {
        /// Baseline file to write, e.g. .vibeguard/baseline.json
        file: PathBuf,
        /// The project's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}
