//! The API engine's settings, from `vibeguard.toml` (`[api]`, `[budget]`, `[identities.*]`)
//! and the command line (flags win).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use url::Url;
use vibeguard_api::checks::Profile;
use vibeguard_api::checks::session_lifecycle::SessionFlows;
use vibeguard_api::engine::{ApiSettings, LoadSettings};
use vibeguard_api::http::Limits;
use vibeguard_api::policy::{Access, AccessPolicy, OperationPattern};
use vibeguard_api::spec::SpecSource;

use crate::cli::GlobalArgs;
use crate::config::LoadedConfig;

/// The seed of request values: fixed, so two runs against the same API send the same requests.
const SEED: u64 = 0x7669_6265_6775_6172;

/// The settings, when a target is given (flag or configuration); `None` otherwise.
pub fn from(
    loaded: &LoadedConfig,
    global: &GlobalArgs,
    project: &Path,
) -> anyhow::Result<Option<ApiSettings>> {
    let config = &loaded.config;
    let target_config = config.api.as_ref();
    let Some(target) = global
        .target
        .clone()
        .or_else(|| target_config.map(|t| t.target.get_ref().clone()))
    else {
        return Ok(None);
    };
    let target = Url::parse(&target).with_context(|| {
        format!("`{target}` is not a URL; give the API's origin, like http://127.0.0.1:8080")
    })?;
    if !matches!(target.scheme(), "http" | "https") || target.host().is_none() {
        bail!("{target} must be an http:// or https:// URL with a host");
    }
    let spec = match (&global.spec, target_config.and_then(|t| t.spec.as_ref())) {
        (Some(flag), _) => source(flag, Path::new("."), &target)?,
        (None, Some(configured)) => source(configured.get_ref(), project, &target)?,
        (None, None) => SpecSource::Discover,
    };
    let mut limits = Limits::default();
    let budget = &config.budget;
    if let Some(value) = &budget.max_requests {
        limits.max_requests = *value.get_ref();
    }
    if let Some(value) = &budget.max_seconds {
        limits.max_duration = Duration::from_secs(*value.get_ref());
    }
    if let Some(value) = &budget.rps {
        limits.rps = Some(*value.get_ref());
    }
    if let Some(value) = &budget.concurrency {
        limits.concurrency = usize::try_from(*value.get_ref()).unwrap_or(usize::MAX);
    }
    if let Some(value) = &budget.timeout_seconds {
        limits.timeout = Duration::from_secs_f64(*value.get_ref());
    }
    if let Some(value) = &budget.max_body_bytes {
        limits.max_body_bytes = usize::try_from(*value.get_ref()).unwrap_or(usize::MAX);
    }
    if let Some(rps) = global.rps {
        if !(rps.is_finite() && rps > 0.0) {
            bail!("--rps must be a positive number");
        }
        limits.rps = Some(rps);
    }
    if let Some(max) = global.max_requests {
        limits.max_requests = max.max(1);
    }
    if let Some(seconds) = global.max_seconds {
        limits.max_duration = Duration::from_secs(seconds.max(1));
    }

    let mut allow_hosts: Vec<String> = target_config
        .map(|t| t.allow_hosts.iter().map(|h| h.get_ref().clone()).collect())
        .unwrap_or_default();
    allow_hosts.extend(global.allow_hosts.iter().cloned());

    let patterns = |list: &[toml::Spanned<String>]| {
        list.iter()
            .filter_map(|p| OperationPattern::parse(p.get_ref()))
            .collect::<Vec<_>>()
    };
    let policy = AccessPolicy {
        private: target_config
            .map(|t| patterns(&t.private))
            .unwrap_or_default(),
        public: target_config
            .map(|t| patterns(&t.public))
            .unwrap_or_default(),
        access: target_config
            .map(|t| {
                t.access
                    .iter()
                    .filter_map(|(pattern, access)| {
                        let access = match access.get_ref().trim() {
                            "public" => Access::Public,
                            "owner" => Access::Owner,
                            other => Access::Role(other.strip_prefix("role:")?.trim().to_string()),
                        };
                        Some((OperationPattern::parse(pattern.get_ref())?, access))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    // The first identities in the file drive the authorization tests: keep the file's order.
    let mut identities: Vec<(usize, String, vibeguard_api::identity::IdentityConfig)> = config
        .identities
        .iter()
        .map(|(name, identity)| (name.span().start, name.get_ref().clone(), identity.clone()))
        .collect();
    identities.sort_by_key(|(position, _, _)| *position);
    let (traffic, traffic_environment) = traffic_sources(loaded, global, project);
    Ok(Some(ApiSettings {
        target,
        spec,
        allow_hosts,
        limits,
        allow_destructive: global.allow_destructive
            || target_config.is_some_and(|t| t.allow_destructive),
        identities: identities
            .into_iter()
            .map(|(_, name, identity)| (name, identity))
            .collect(),
        policy,
        seed: SEED,
        profile: global
            .profile
            .or_else(|| {
                target_config
                    .and_then(|t| t.profile.as_ref())
                    .and_then(|p| Profile::parse(p.get_ref()))
            })
            .unwrap_or_default(),
        declared_routes: Vec::new(),
        burst: target_config
            .and_then(|t| t.burst.as_ref())
            .map_or(vibeguard_api::checks::DEFAULT_BURST, |b| {
                usize::try_from(*b.get_ref()).unwrap_or(vibeguard_api::checks::MAX_BURST)
            }),
        session: target_config
            .and_then(|t| t.session.as_ref())
            .map(|session| {
                let text = |value: &Option<toml::Spanned<String>>| {
                    value.as_ref().map(|v| v.get_ref().trim().to_string())
                };
                SessionFlows {
                    logout: text(&session.logout),
                    reset_request: text(&session.reset_request),
                    reset_confirm: text(&session.reset_confirm),
                    reset_email: text(&session.reset_email),
                    reset_token: text(&session.reset_token),
                }
            })
            .unwrap_or_default(),
        graphql: target_config
            .and_then(|t| t.graphql.as_ref())
            .map(|path| path.get_ref().clone()),
        load: load_settings(global.load, target_config.and_then(|t| t.load.as_ref())),
        traffic,
        traffic_environment,
    }))
}

/// `[api.load]` and `--load` (which sets the rate to 1,000 per second whatever the file says).
pub fn load_settings(load_flag: bool, config: Option<&crate::config::Load>) -> LoadSettings {
    let defaults = LoadSettings::default();
    LoadSettings {
        rate: if load_flag {
            Some(vibeguard_api::engine::LOAD_RATE)
        } else {
            config
                .and_then(|load| load.rate.as_ref())
                .map(|rate| *rate.get_ref())
        },
        duration: config
            .and_then(|load| load.seconds.as_ref())
            .map_or(defaults.duration, |seconds| {
                std::time::Duration::from_secs_f64(*seconds.get_ref())
            }),
        hosts: config
            .map(|load| {
                load.hosts
                    .iter()
                    .map(|host| host.get_ref().clone())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A spec given as text: a URL (must be on the target), a path relative to `base`, or `none`
/// (test without any description, not even one the target serves).
fn source(text: &str, base: &Path, target: &Url) -> anyhow::Result<SpecSource> {
    if text.eq_ignore_ascii_case("none") && !base.join(text).is_file() {
        return Ok(SpecSource::Without);
    }
    if text.contains("://") {
        let url = Url::parse(text).with_context(|| format!("`{text}` is not a URL"))?;
        return Ok(SpecSource::Url(url));
    }
    if text.starts_with('/') && !Path::new(text).exists() {
        // A path on the target (`/openapi.json`), not a file.
        return Ok(SpecSource::Url(
            target
                .join(text)
                .with_context(|| format!("`{text}` is not a path"))?,
        ));
    }
    let path = base.join(text);
    if !path.is_file() {
        bail!(
            "the API description {} does not exist (give a file, or a URL on the target)",
            path.display()
        );
    }
    Ok(SpecSource::File(path))
}

/// The recorded traffic to read: the files `[api] traffic` names (relative to the project), then
/// those given with `--traffic`; and the Postman environment (`--traffic-env` wins over
/// `[api] traffic_environment`).
pub fn traffic_sources(
    loaded: &LoadedConfig,
    global: &GlobalArgs,
    project: &Path,
) -> (Vec<std::path::PathBuf>, Option<std::path::PathBuf>) {
    let api = loaded.config.api.as_ref();
    let files = api
        .map(|t| {
            t.traffic
                .iter()
                .map(|f| project.join(f.get_ref()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain(global.traffic.iter().cloned())
        .collect();
    let environment = global.traffic_env.clone().or_else(|| {
        api.and_then(|t| t.traffic_environment.as_ref())
            .map(|f| project.join(f.get_ref()))
    });
    (files, environment)
}
