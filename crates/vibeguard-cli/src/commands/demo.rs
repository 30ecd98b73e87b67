//! `vibeguard demo`: starts the built-in task board API on 127.0.0.1 (vulnerable, or hardened
//! with `--hardened`), writes its example sources to a fresh temporary folder, audits both —
//! the project engines on the sources, the API engine against the running server as two users —
//! prints the report and stops the server. `--serve` only runs the server.

use std::fs;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde_json::json;
use url::Url;
use vibeguard_api::checks::session_lifecycle::SessionFlows;
use vibeguard_api::engine::ApiSettings;
use vibeguard_api::http::Limits;
use vibeguard_api::identity::IdentityConfig;
use vibeguard_api::policy::AccessPolicy;
use vibeguard_api::spec::SpecSource;
use vibeguard_demo::api::{ACCOUNTS, DemoApi, Mode};

use vibeguard_deps::advisories::AdvisoryOptions;
use vibeguard_deps::osv::Store;

use crate::Outcome;
use crate::advisory_settings::AdvisorySettings;
use crate::cli::GlobalArgs;
use crate::outputs::ArgOrder;

/// The demo's options.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// Serve the hardened twin.
    pub hardened: bool,
    /// Only serve.
    pub serve: bool,
    /// Port for `--serve`.
    pub port: Option<u16>,
    /// Keep the example project on disk.
    pub keep: bool,
}

/// Runs the demo.
pub fn run(global: &GlobalArgs, order: &ArgOrder, options: DemoOptions) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the demo server's runtime")?;
    let mode = if options.hardened {
        Mode::Hardened
    } else {
        Mode::Vulnerable
    };
    let server = runtime
        .block_on(DemoApi::start(mode, options.port.unwrap_or(0)))
        .context("cannot start the demo API")?;
    let url = server.url();
    let twin = if options.hardened {
        "hardened"
    } else {
        "vulnerable"
    };

    if options.serve {
        let mut banner = format!(
            "vibeguard demo API ({twin}) listening on {url}\n  description: {url}/openapi.yaml\n"
        );
        for (email, password, _, role) in ACCOUNTS {
            banner.push_str(&format!("  account:     {email} / {password} ({role})\n"));
        }
        banner.push_str("Press Ctrl-C to stop.\n");
        crate::outputs::print_stdout(&banner);
        runtime.block_on(async {
            let _ = tokio::signal::ctrl_c().await;
        });
        runtime.block_on(server.stop());
        return Ok(Outcome::Passed);
    }

    let dir = fresh_dir()?;
    // The hardened server is audited with its own, fixed sources.
    vibeguard_demo::write_project(&dir, options.hardened)
        .with_context(|| format!("cannot write the demo project to {}", dir.display()))?;
    if !global.quiet {
        eprintln!(
            "vibeguard demo: auditing a task board API written the way assistants write them — its sources ({}) and the {twin} server at {url}\n",
            dir.display()
        );
    }
    let settings = demo_settings(&url, global)?;
    let advisory_dir = fresh_dir()?;
    let advisories = demo_advisories(&advisory_dir);
    let scope = super::audit::Scope {
        api: Some(settings),
        advisories: Some(advisories?),
        ..super::audit::Scope::default()
    };
    let result = super::audit::audit_project(
        global,
        order,
        &dir,
        &format!("demo project (taskboard-api, {twin} server)"),
        scope,
    );
    runtime.block_on(server.stop());
    let _ = fs::remove_dir_all(&advisory_dir);
    if options.keep {
        eprintln!("\nthe demo project is kept in {}", dir.display());
    } else {
        let _ = fs::remove_dir_all(&dir);
    }
    let report = result?;
    if !global.quiet {
        let next = match report.findings.first() {
            Some(finding) => format!("`vibeguard explain {}` explains a finding; ", finding.code),
            None => String::new(),
        };
        let twin = if options.hardened {
            "`vibeguard demo` audits the vulnerable original"
        } else {
            "`vibeguard demo --hardened` audits the fixed twin"
        };
        eprintln!("\nnext: {next}{twin}; `vibeguard audit PATH --target URL` audits your project");
    }
    Ok(Outcome::of(&report))
}

/// The demo's advisory data: the bundled sample of real GitHub advisories for the demo's
/// packages, imported into a temporary store. Its records are a couple of years old by design
/// (they match the demo's old lockfile), so the age limit does not apply, and the report says
/// that the data is a sample.
fn demo_advisories(dir: &std::path::Path) -> anyhow::Result<AdvisorySettings> {
    let store = Store::new(dir);
    store
        .import_records(
            vibeguard_demo::ADVISORIES
                .iter()
                .map(|(name, json)| (*name, json.as_bytes())),
            "vibeguard's bundled demo advisories",
        )
        .context("cannot prepare the demo's advisory data")?;
    let options = AdvisoryOptions {
        max_age_days: u32::MAX,
        warn_age_days: u32::MAX,
        ..AdvisoryOptions::default()
    };
    Ok(AdvisorySettings {
        store,
        options,
        require_db: None,
        data_note: Some(format!(
            "the demo checks its lockfile against a bundled sample of {} real GitHub advisories \
             for its own packages; a real audit uses the full OSV data (`vibeguard db update`)",
            vibeguard_demo::ADVISORIES.len()
        )),
    })
}

/// The API settings of the demo: the running server, its own description, alice and bob.
fn demo_settings(url: &str, global: &GlobalArgs) -> anyhow::Result<ApiSettings> {
    let target = Url::parse(url).context("the demo server's URL")?;
    let login = |email: &str, password: &str| {
        IdentityConfig::json_login(
            "/api/login",
            json!({"email": email, "password": password}),
            "/token",
        )
    };
    let mut limits = Limits::default();
    if let Some(rps) = global.rps {
        limits.rps = Some(rps);
    }
    Ok(ApiSettings {
        spec: SpecSource::Url(
            target
                .join("/openapi.yaml")
                .context("the demo description's URL")?,
        ),
        target,
        allow_hosts: Vec::new(),
        limits,
        allow_destructive: false,
        identities: vec![
            ("alice".into(), login(ACCOUNTS[0].0, ACCOUNTS[0].1)),
            ("bob".into(), login(ACCOUNTS[1].0, ACCOUNTS[1].1)),
        ],
        policy: AccessPolicy::default(),
        seed: 0x7669_6265_6775_6172,
        profile: global.profile.unwrap_or_default(),
        declared_routes: Vec::new(),
        burst: vibeguard_api::checks::DEFAULT_BURST,
        // The reset test changes carol's password, never an identity's.
        session: SessionFlows {
            reset_request: Some("POST /api/password-reset".into()),
            reset_confirm: Some("POST /api/password-reset/confirm".into()),
            reset_email: Some(ACCOUNTS[3].0.into()),
            ..SessionFlows::default()
        },
        graphql: None,
        load: crate::api_settings::load_settings(global.load, None),
        traffic: Vec::new(),
        traffic_environment: None,
    })
}

/// A new, empty folder under the system's temporary folder, created exclusively so that an
/// existing path (or a symlink planted there) is never written into.
fn fresh_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for attempt in 0..100u32 {
        let dir = base.join(format!(
            "vibeguard-demo-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("cannot create a folder in {}", base.display()));
            }
        }
    }
    anyhow::bail!("cannot create a fresh folder in {}", base.display())
}
