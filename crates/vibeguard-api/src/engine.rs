//! One run of the API engine: load the description, prove the target and the identities, create
//! test objects, plan and send every check's probes within the limits, judge the answers, clean
//! up, and report what was covered.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::sync::Mutex;
use url::Url;
use vibeguard_core::{
    Coverage, EngineError, EngineId, EngineOutput, EngineRun, Finding, RuleApplicability, RuleMeta,
    Text,
};

use crate::checks::session_lifecycle::SessionFlows;
use crate::checks::transport_security::TransportFacts;
use crate::checks::{
    self, Check as _, Context, DEFAULT_BURST, DeclaredRoute, IdentityView, MAX_BURST,
    MAX_FOLLOW_UP_PROBES, MAX_ROUNDS, Probe, Profile,
};
use crate::coverage;
use crate::http::burst::{self, BurstPlan};
use crate::http::canary::{self, Canary};
use crate::http::tls_probe::{self, LegacyVersion};
use crate::http::{Exchange, Executor, Limits, Request, RequestError, Scope};
use crate::identity::{self, Identity, IdentityConfig, IdentityError};
use crate::lifecycle::{self, CreatedObject};
use crate::policy::AccessPolicy;
use crate::registered;
use crate::spec::{self, ApiSpec, SpecError, SpecSource};
use crate::traffic;
use vibeguard_http::surface::{self, SurfaceError};

/// Groups of probes sent at once (each group is one check's probes for one operation).
const GROUPS_IN_FLIGHT: usize = 8;
/// Untimed probes of a sequential check sent at once (see [`checks::Check::timed`]).
const UNTIMED_IN_FLIGHT: usize = 4;
/// Errors of one kind listed individually before they are only counted.
const ERRORS_LISTED: usize = 5;

/// What to test and how.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// The API's URL (origin, optionally with a path prefix).
    pub target: Url,
    /// The API description.
    pub spec: SpecSource,
    /// Other hosts that may be contacted.
    pub allow_hosts: Vec<String>,
    /// Budget, rate, concurrency, timeouts.
    pub limits: Limits,
    /// Whether destructive requests may touch objects vibeguard did not create.
    pub allow_destructive: bool,
    /// Identities, in order (the first two drive the authorization tests).
    pub identities: Vec<(String, IdentityConfig)>,
    /// Declared access.
    pub policy: AccessPolicy,
    /// Seed for request values.
    pub seed: u64,
    /// How far the attack simulation goes.
    pub profile: Profile,
    /// Routes the project's code declares (from the code engine), for the hidden-routes check.
    pub declared_routes: Vec<DeclaredRoute>,
    /// Requests in a brute-force burst (capped at 200).
    pub burst: usize,
    /// Logout and password-reset flows (`[api.session]`).
    pub session: SessionFlows,
    /// The GraphQL endpoint's path (`[api] graphql`), when discovery is not enough.
    pub graphql: Option<String>,
    /// Load bursts (`[api.load]`, `--load`).
    pub load: LoadSettings,
    /// Recorded traffic (HAR, Postman Collections) whose requests to the target become
    /// operations (`--traffic`, `[api] traffic`).
    pub traffic: Vec<std::path::PathBuf>,
    /// A Postman environment whose values the collections' `{{variables}}` take.
    pub traffic_environment: Option<std::path::PathBuf>,
}

/// How hard the load bursts of the rate-limit check go (`[api.load]`).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSettings {
    /// Requests per second; `None` takes the profile's: none in `quick`, 200 in `standard`,
    /// 1,000 in `deep`.
    pub rate: Option<f64>,
    /// How long each burst lasts.
    pub duration: Duration,
    /// Hosts other than this machine's that may get bursts (the target's own host must be
    /// named: a burst at a shared or production server is a decision, never a default).
    pub hosts: Vec<String>,
}

impl Default for LoadSettings {
    fn default() -> Self {
        LoadSettings {
            rate: None,
            duration: Duration::from_secs(2),
            hosts: Vec::new(),
        }
    }
}

/// Requests per second of `--load` and of the `deep` profile's bursts.
pub const LOAD_RATE: f64 = 1_000.0;
/// Requests per second of the `standard` profile's bursts.
pub const STANDARD_LOAD_RATE: f64 = 200.0;
/// How long a burst's requests may wait in flight, in seconds of its rate: a quarter second's
/// worth (50 at 200 per second). A server slower than that is saturated, the requests queued
/// beyond it show nothing more, and those still unanswered when the burst ends are abandoned —
/// work the server goes on doing while the rest of the run waits.
const BURST_IN_FLIGHT_SECONDS: f64 = 0.25;
/// Bounds on the requests of a burst in flight at once.
const BURST_IN_FLIGHT: std::ops::RangeInclusive<usize> = 32..=256;

/// How the bursts go for `settings`, or why none does.
fn load_plan(settings: &ApiSettings) -> Result<BurstPlan, &'static str> {
    let rate = settings
        .load
        .rate
        .or_else(|| settings.profile.pick(None, Some(STANDARD_LOAD_RATE), Some(LOAD_RATE)))
        .filter(|rate| rate.is_finite() && *rate > 0.0)
        .ok_or("load bursts are off in the quick profile (`--load` or `[api.load] rate` turns them on)")?;
    // A run slowed down on purpose sends no burst unless told to.
    if settings.limits.rps.is_some() && settings.load.rate.is_none() {
        return Err(
            "load bursts are off: the run's rate is limited (`[budget] rps`); `--load` or `[api.load] rate` sends them anyway",
        );
    }
    let named = settings.target.host_str().is_some_and(|host| {
        settings
            .load
            .hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    });
    if !canary::is_loopback(&settings.target) && !named {
        return Err(
            "load bursts go only to a target on this machine or a host named in `[api.load] hosts`",
        );
    }
    Ok(BurstPlan {
        rate,
        duration: settings.load.duration,
        max_in_flight: ((rate * BURST_IN_FLIGHT_SECONDS) as usize)
            .clamp(*BURST_IN_FLIGHT.start(), *BURST_IN_FLIGHT.end()),
    })
}

impl ApiSettings {
    /// Settings for a target and description with the defaults: no other hosts, default limits,
    /// nothing destructive, no identities, no declared access, the standard profile.
    pub fn new(target: Url, spec: SpecSource) -> ApiSettings {
        ApiSettings {
            target,
            spec,
            allow_hosts: Vec::new(),
            limits: Limits::default(),
            allow_destructive: false,
            identities: Vec::new(),
            policy: AccessPolicy::default(),
            seed: 0x7669_6265_6775_6172,
            profile: Profile::Standard,
            declared_routes: Vec::new(),
            burst: DEFAULT_BURST,
            session: SessionFlows::default(),
            graphql: None,
            load: LoadSettings::default(),
            traffic: Vec::new(),
            traffic_environment: None,
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct ApiOutcome {
    /// Findings, coverage and non-fatal errors.
    pub output: EngineOutput,
    /// Every exchange (bodies trimmed), for `--har`.
    pub exchanges: Vec<Exchange>,
    /// Credentials obtained during the run (tokens), to mask in every output.
    pub secrets: Vec<String>,
    /// The description's title.
    pub title: String,
}

/// Why the run could not be made at all.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The target URL cannot be used.
    #[error("{0} is not a usable target URL (give http:// or https:// with a host)")]
    BadTarget(String),
    /// The description is unusable.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The description's URL is outside the target's origin.
    #[error(
        "the API description {0} is outside the target's origin; give a file or a URL on the target"
    )]
    SpecOutOfScope(String),
    /// Nothing answers at the target.
    #[error("cannot reach {target}: {reason}")]
    Unreachable {
        /// The target.
        target: String,
        /// Why.
        reason: String,
    },
    /// An identity cannot act.
    #[error(transparent)]
    Identity(#[from] IdentityError),
}

impl From<SurfaceError> for ApiError {
    fn from(error: SurfaceError) -> ApiError {
        match error {
            SurfaceError::Spec(error) => ApiError::Spec(error),
            SurfaceError::OutOfScope(url) => ApiError::SpecOutOfScope(url),
            SurfaceError::Unreachable { target, reason } => {
                ApiError::Unreachable { target, reason }
            }
        }
    }
}

/// The metadata of every API check.
pub fn rule_metas() -> Vec<RuleMeta> {
    checks::ALL
        .iter()
        .map(|check| check.meta().clone())
        .collect()
}

/// Runs the engine. `enabled` says which rule codes run; `env` resolves `${VAR}` in identities.
pub async fn run(
    settings: &ApiSettings,
    enabled: &(dyn Fn(&str) -> bool + Sync),
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<ApiOutcome, ApiError> {
    let started = Instant::now();
    let scope = Scope::new(&settings.target, &settings.allow_hosts)
        .ok_or_else(|| ApiError::BadTarget(settings.target.to_string()))?;
    let executor = Executor::new(scope, settings.limits.clone())
        .map_err(|e| ApiError::BadTarget(e.to_string()))?;
    let mut errors: Vec<EngineError> = Vec::new();
    // Server-side fetches are proven by a listener on this machine, which only a target on
    // this machine may be pointed at.
    let runs = |check: &dyn checks::Check| enabled(&check.meta().code);
    let canary = if canary::is_loopback(&settings.target)
        && (runs(&checks::ssrf::Ssrf) || runs(&checks::jwt_forgery_accepted::JwtForgeryAccepted))
    {
        match Canary::start().await {
            Ok(canary) => Some(canary),
            Err(error) => {
                errors.push(EngineError {
                    source: "canary".into(),
                    line: None,
                    message: format!("the canary listener could not start ({error}); server-side request forgery is tested without it"),
                });
                None
            }
        }
    } else {
        None
    };

    // Recorded traffic: a file that cannot be read is an error of the run, the others are used.
    let traffic::Imported {
        spec: recorded,
        notes: source_notes,
        errors: unreadable,
    } = traffic::import(
        &settings.traffic,
        settings.traffic_environment.as_deref(),
        &settings.target,
    );
    errors.extend(unreadable.into_iter().map(|(file, error)| EngineError {
        source: file.display().to_string(),
        line: None,
        message: error.to_string(),
    }));
    // One surface: the description (given or served) before the traffic before the code's
    // routes before what the target shows of itself.
    let surface::Surface {
        spec,
        name: spec_name,
    } = surface::build(
        &settings.spec,
        recorded,
        &settings.declared_routes,
        !settings.traffic.is_empty(),
        &settings.target,
        &executor,
    )
    .await?;
    for problem in &spec.problems {
        errors.push(EngineError {
            source: format!("{spec_name}#{}", problem.pointer),
            line: None,
            message: problem.message.clone(),
        });
    }
    let base = base_url(&settings.target, &spec);
    // Old TLS versions, by raw ClientHello to the target's own host and port (only when the
    // transport check runs; the canary likewise only for the checks that use it).
    let transport = if settings.target.scheme() == "https"
        && runs(&checks::transport_security::TransportSecurity)
        && let (Some(host), Some(port)) = (
            settings.target.host_str(),
            settings.target.port_or_known_default(),
        ) {
        let probe = |version| tls_probe::accepts(host, port, version, settings.limits.timeout);
        let (tls10, tls11) = (
            probe(LegacyVersion::Tls10).await,
            probe(LegacyVersion::Tls11).await,
        );
        for (result, version) in [(&tls10, "TLS 1.0"), (&tls11, "TLS 1.1")] {
            if let Err(error) = result {
                errors.push(EngineError {
                    source: format!("{host}:{port}"),
                    line: None,
                    message: format!("the {version} probe could not connect ({error}); old TLS versions are not judged"),
                });
            }
        }
        Some(TransportFacts {
            tls10: tls10.ok(),
            tls11: tls11.ok(),
        })
    } else {
        None
    };
    let mut session_flows = settings.session.clone();
    if let Some(token) = &session_flows.reset_token {
        session_flows.reset_token = Some(identity::interpolate(token, env).map_err(|message| {
            ApiError::Identity(IdentityError {
                name: "api.session".into(),
                message: format!("reset_token: {message}"),
            })
        })?);
    }

    let mut identities = Vec::new();
    for (name, config) in &settings.identities {
        // Logins go to the paths the configuration gives, on the target as the user wrote it:
        // the description's base path is for its own operations only.
        identities.push(identity::establish(name, config, &executor, &settings.target, env).await?);
    }
    verify_static_identities(&identities, &spec, &settings.policy, &base, &executor).await?;
    // Forms that carry CSRF tokens: requests without an identity carry a visitor's token.
    let anonymous = match identities
        .iter()
        .filter_map(|i| {
            Some((
                i.session.as_ref().filter(|s| s.csrf.is_some())?,
                i.login.as_ref()?,
            ))
        })
        .map(|(session, login)| {
            session
                .login_page
                .clone()
                .unwrap_or_else(|| login.url.clone())
        })
        .next()
    {
        Some(page) => identity::AnonymousSession::open(&executor, page).await,
        None => None,
    };

    // Each identity's own account record (`GET /users/me`) says its id, which the token's
    // `sub` often does not (a username there, a UUID in `/users/{user_id}`).
    for own_record in spec
        .operations
        .iter()
        .filter(|op| op.method == "GET" && identity::is_own_record(&op.path))
    {
        for identity in identities.iter_mut() {
            let Ok(url) = identity::join(&base, &own_record.path) else {
                continue;
            };
            let mut request = Request::new("GET", url);
            identity.apply(&mut request);
            if let Some(record) = executor
                .send(request)
                .await
                .response()
                .filter(|answer| answer.is_success())
                .and_then(|answer| answer.json())
            {
                identity.learn_own_record(&record);
            }
        }
    }

    // Identities whose own record said nothing (or that have none) find their ids in a list of
    // accounts, read by the most privileged identity first (an admin's list holds everyone).
    if identities.iter().any(|i| i.user_id.is_none()) {
        let mut readers: Vec<usize> = (0..identities.len()).collect();
        readers.sort_by_key(|&i| {
            std::cmp::Reverse(identities[i].role.as_deref().and_then(checks::role_rank))
        });
        for list in spec
            .operations
            .iter()
            .filter(|op| op.method == "GET" && identity::is_account_list(&op.path))
        {
            for &reader in &readers {
                if identities.iter().all(|i| i.user_id.is_some()) {
                    break;
                }
                let Ok(url) = identity::join(&base, &list.path) else {
                    continue;
                };
                let mut request = Request::new("GET", url);
                identities[reader].apply(&mut request);
                if let Some(answer) = executor
                    .send(request)
                    .await
                    .response()
                    .filter(|answer| answer.is_success())
                    .and_then(|answer| answer.json())
                {
                    identity::learn_ids_from_account_list(&mut identities, &answer);
                }
            }
        }
    }

    let views = |identities: &[Identity]| -> Vec<IdentityView> {
        identities
            .iter()
            .map(|i| IdentityView {
                name: i.name.clone(),
                role: i.role.clone(),
                user_id: i.user_id.clone(),
                account: i.account.clone(),
                token: i.token.clone(),
                credential: i.credential.clone(),
                login: i.login.clone(),
                session: i.session.clone(),
                forged: None,
            })
            .collect()
    };
    let identity_views = views(&identities);
    let identities = Mutex::new(identities);

    // Objects to test with, created by every identity the API lets create them (parents
    // first: a booking is made at a venue some identity created).
    let producers = lifecycle::producers(&spec);
    let mut objects: Vec<CreatedObject> = Vec::new();
    // What happened to each operation over the run, for the coverage account.
    let mut outcomes: BTreeMap<usize, coverage::OperationOutcome> = BTreeMap::new();
    for producer in &producers {
        let create = &spec.operations[producer.create];
        // Refusals by role (401/403) are only an error when nobody could create.
        let mut refused: Vec<EngineError> = Vec::new();
        let mut created = false;
        for (owner, view) in identity_views.iter().enumerate() {
            let slots = if owner == 0 && producer.delete.is_some() {
                2
            } else {
                1
            };
            for slot in 0..slots {
                let mut exchange = None;
                // The full request first; when the API refuses it as invalid (an optional
                // field it cannot use, such as a URL it fails to fetch), the required fields.
                for minimal in [false, true] {
                    let context = context_for(
                        &spec,
                        &base,
                        &identity_views,
                        &objects,
                        settings,
                        (&canary, &session_flows, &transport),
                    );
                    let Some(request) = context.creation_request(create, owner, slot, minimal)
                    else {
                        break;
                    };
                    let sent = send_as(
                        &executor,
                        &identities,
                        None,
                        Some(owner),
                        request,
                        &base,
                        env,
                    )
                    .await;
                    outcomes.entry(producer.create).or_default().record(&sent);
                    let invalid = sent
                        .response()
                        .is_some_and(|r| matches!(r.status, 400 | 422))
                        || crate::http::outcome::outcome(&sent)
                            == crate::http::outcome::Outcome::Refused
                            && sent.response().is_some_and(|r| r.status < 300);
                    exchange = Some(sent);
                    if !invalid {
                        break;
                    }
                }
                let Some(exchange) = exchange else {
                    continue;
                };
                // Done by meaning: a form's create answers with a redirect to the new object.
                let done = crate::http::outcome::accepted(&exchange);
                match exchange.response() {
                    Some(response) if done => {
                        let mut key =
                            lifecycle::created_id(&exchange.request, response, producer, create);
                        // Created, but the answer names nothing: the list shows it.
                        if key.is_none()
                            && let Some(list) = listed(&spec, create, &exchange.request)
                        {
                            let listed = send_as(
                                &executor,
                                &identities,
                                None,
                                Some(owner),
                                list,
                                &base,
                                env,
                            )
                            .await;
                            key = listed.response().and_then(|r| r.json()).and_then(|body| {
                                lifecycle::id_in_list(
                                    &body,
                                    &exchange.request,
                                    producer,
                                    create,
                                    &[],
                                )
                            });
                        }
                        match key {
                            Some(value) => {
                                created = true;
                                let parents = producer
                                    .parents(strip_base(exchange.request.url.path(), base.path()));
                                executor.reserve(1);
                                objects.push(CreatedObject {
                                    collection: create.path.clone(),
                                    item_path: producer.item_path.clone(),
                                    param: producer.param.clone(),
                                    value,
                                    owner,
                                    slot,
                                    body: response.json(),
                                    parents,
                                });
                            }
                            None => errors.push(lifecycle_error(
                                create,
                                &view.name,
                                "answered without an id vibeguard could find",
                            )),
                        }
                    }
                    Some(response) if matches!(response.status, 401 | 403) => {
                        refused.push(lifecycle_error(
                            create,
                            &view.name,
                            &format!("answered {}", response.status),
                        ));
                        break;
                    }
                    Some(response) => errors.push(lifecycle_error(
                        create,
                        &view.name,
                        &format!("answered {}", response.status),
                    )),
                    None => {
                        errors.push(lifecycle_error(create, &view.name, &error_text(&exchange)))
                    }
                }
            }
        }
        if !created {
            errors.extend(refused);
        }
    }

    let context = context_for(
        &spec,
        &base,
        &identity_views,
        &objects,
        settings,
        (&canary, &session_flows, &transport),
    );
    let target_subject = spec::Operation::whole_target();
    let mut run = EngineRun::new(EngineId::Api);
    let active: Vec<usize> = checks::ALL
        .iter()
        .enumerate()
        .filter(|(_, c)| enabled(&c.meta().code))
        .map(|(i, _)| i)
        .collect();
    let passive: Vec<usize> = active
        .iter()
        .copied()
        .filter(|i| checks::ALL[*i].is_passive())
        .collect();

    // Plan: one group per (check, operation), and per check about the whole target.
    let mut groups: Vec<Group> = Vec::new();
    // Checks whose probes as an identity on an operation that would change its own
    // credentials were held back: (check, operation), planned again for a lent account.
    let mut to_lend: Vec<(usize, usize)> = Vec::new();
    for &check in &active {
        if let Some(reason) = checks::ALL[check].not_applicable(&context) {
            run.not_applicable.push(RuleApplicability {
                item: None,
                code: checks::ALL[check].meta().code.clone(),
                reason: Text::Borrowed(reason),
                subject_absent: false,
            });
            continue;
        }
        for (op_index, operation) in spec.operations.iter().enumerate() {
            let mut probes = checks::ALL[check].plan(operation, &context);
            if probes.is_empty()
                && let Some(reason) = checks::ALL[check].uncovered(operation, &context)
            {
                outcomes
                    .entry(op_index)
                    .or_default()
                    .uncovered
                    .push((checks::ALL[check].meta().code.clone(), reason));
            }
            if operation.ends_session() {
                // A logout with an identity's credential would end the session the rest of the
                // run uses: such probes go without it (the session check logs in afresh).
                for probe in &mut probes {
                    probe.identity = None;
                }
            }
            if coverage::changes_credentials(operation)
                && !checks::ALL[check].restores_credentials()
            {
                // Synthesized values sent as an identity would replace its own password or
                // e-mail: the identity would be locked out, and so would its owners. A forged
                // or tampered credential of an identity is the identity to an API that does
                // not verify it: those go neither.
                let planned = probes.len();
                probes.retain(|probe| {
                    probe.identity.is_none() && !carries_credential(&probe.request, &context)
                });
                if probes.len() < planned {
                    // As an account the run signed up, when there will be one; else named.
                    if coverage::lendable(operation) && !checks::ALL[check].disruptive() {
                        to_lend.push((check, op_index));
                    } else {
                        outcomes
                            .entry(op_index)
                            .or_default()
                            .withheld_checks
                            .push(checks::ALL[check].meta().code.clone());
                    }
                }
            }
            if !probes.is_empty() {
                groups.push(Group {
                    check,
                    operation: Some(op_index),
                    probes,
                    lent: false,
                    forged: false,
                });
            }
        }
        let probes = checks::ALL[check].plan_target(&context);
        if !probes.is_empty() {
            groups.push(Group {
                check,
                operation: None,
                probes,
                lent: false,
                forged: false,
            });
        }
    }

    // When the API takes tokens vibeguard forges (VG410's forgeries, VG411's guessed secret),
    // the forged tokens are identities of their own: the object and role checks are planned
    // again with them as the only callers, each finding naming its chain.
    let chained: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&check| {
            checks::ALL[check].takes_forged_callers()
                && checks::ALL[check].not_applicable(&context).is_none()
        })
        .collect();
    let guess_secret = runs(&checks::jwt_weak_secret::JwtWeakSecret);
    let forged_views = if !chained.is_empty()
        && (runs(&checks::jwt_forgery_accepted::JwtForgeryAccepted) || guess_secret)
    {
        let mut results = Vec::new();
        for probe in checks::forged_identities::probes(&context, guess_secret) {
            let exchange = send_as(
                &executor,
                &identities,
                anonymous.as_ref(),
                probe.identity,
                probe.request.clone(),
                &settings.target,
                env,
            )
            .await;
            results.push((probe, exchange));
        }
        checks::forged_identities::identities(&context, &results)
    } else {
        Vec::new()
    };
    identities
        .lock()
        .await
        .extend(forged_views.iter().map(|view| {
            Identity::forged(&view.name, view.role.clone(), &view.credential, &view.token)
        }));
    let with_forged: Vec<IdentityView> = identity_views
        .iter()
        .chain(&forged_views)
        .cloned()
        .collect();
    let forged_context = context_for(
        &spec,
        &base,
        &with_forged,
        &objects,
        settings,
        (&canary, &session_flows, &transport),
    );
    if !forged_views.is_empty() {
        for &check in &chained {
            for (op_index, operation) in spec.operations.iter().enumerate() {
                // Never on a logout or on an account's credentials: the forged token is the
                // account to the API. Nor a deletion: the test object it would take is the one
                // the configured identities' deletion crossings need, in the same phase, and
                // which goes first would decide the findings.
                if operation.deletes()
                    || operation.ends_session()
                    || coverage::changes_credentials(operation)
                        && !checks::ALL[check].restores_credentials()
                {
                    continue;
                }
                let probes = checks::ALL[check].plan(operation, &forged_context);
                if probes
                    .iter()
                    .any(|probe| probe.identity.is_some_and(|i| i >= identity_views.len()))
                {
                    groups.push(Group {
                        check,
                        operation: Some(op_index),
                        probes,
                        lent: false,
                        forged: true,
                    });
                }
            }
        }
    }

    let mut collected = Collector::default();
    let mut unsent = 0usize;
    let sender = Sender {
        executor: &executor,
        identities: &identities,
        anonymous: anonymous.as_ref(),
        base: &base,
        login_base: &settings.target,
        env,
    };
    let subject = |group: &Group| {
        group
            .operation
            .map_or(&target_subject, |op| &spec.operations[op])
    };

    // Objects the probes created (a create with extra fields, an injected title), deleted at
    // the end like the test objects: (producer, identity, id).
    let mut probe_created: Vec<(Option<usize>, String)> = Vec::new();
    // What probes created without an id, found in the lists before the clean-up.
    let mut unkeyed: Vec<(usize, Option<usize>, Request)> = Vec::new();

    // The accounts the probes' sign-ups make: logged into as soon as they are made (before
    // any probe's wrong password can lock them), closed at the end with that session.
    let login_template = identities
        .lock()
        .await
        .iter()
        .find(|i| i.can_renew())
        .cloned();
    let mut accounts = registered::AccountTracker::new(login_template, &settings.target, env);

    // The coverage round: every operation, anonymously and as each identity, before any check
    // spends the budget; every answer goes to the passive checks. Sign-ups go first, alone:
    // the account they make is logged into before any login probe names it.
    let mut round: Vec<(usize, Probe)> = coverage::plan(&context)
        .into_iter()
        .flat_map(|plan| {
            let outcome = outcomes.entry(plan.operation).or_default();
            outcome.withheld = outcome.withheld.or(plan.withheld);
            plan.probes
                .into_iter()
                .map(move |probe| (plan.operation, probe))
        })
        .collect();
    let signing_up = |op: &usize| {
        checks::auth_flows::flow(&spec.operations[*op])
            == Some(checks::auth_flows::Flow::Registration)
    };
    round.sort_by_key(|(op, _)| !signing_up(op));
    let sign_ups = round.iter().filter(|(op, _)| signing_up(op)).count();
    // Operations that answered an anonymous request: where nothing says whether they should,
    // the missing-authentication check cannot judge them.
    let mut answered_anonymously: BTreeSet<usize> = BTreeSet::new();
    // How long each operation took to answer (successful answers): the slowest read gets a
    // load burst.
    let mut answer_times: BTreeMap<usize, Vec<Duration>> = BTreeMap::new();
    let (first, rest) = round.split_at(sign_ups);
    for (index, batch) in first
        .chunks(GROUPS_IN_FLIGHT * 2)
        .chain(rest.chunks(GROUPS_IN_FLIGHT * 2))
        .enumerate()
    {
        if index == first.len().div_ceil(GROUPS_IN_FLIGHT * 2) {
            accounts.track(&executor, &spec, &base).await;
        }
        let exchanges = join_all(batch.iter().map(|(_, probe)| sender.send(probe))).await;
        for ((op, probe), exchange) in batch.iter().zip(exchanges) {
            outcomes.entry(*op).or_default().record(&exchange);
            if probe.identity.is_none() && exchange.response().is_some_and(|r| r.is_success()) {
                answered_anonymously.insert(*op);
            }
            if exchange.response().is_some_and(|r| r.is_success()) {
                answer_times.entry(*op).or_default().push(exchange.elapsed);
            }
            collected.observe(&passive, Some(&spec.operations[*op]), &exchange, &context);
            note_created(
                &executor,
                &mut probe_created,
                &mut unkeyed,
                created_by_probe(&spec, &producers, &base, probe, &exchange),
            );
        }
    }
    drop_not_served(&spec, &outcomes, &mut groups, &mut errors);
    if let Some(&check) = active.iter().find(|&&check| {
        checks::ALL[check].meta().code == checks::missing_auth::MissingAuth.meta().code
    }) {
        let code = checks::ALL[check].meta().code.clone();
        let mut undecided = false;
        for &op in &answered_anonymously {
            if let Some(reason) = checks::missing_auth::undecided(&spec.operations[op], &context) {
                undecided = true;
                outcomes
                    .entry(op)
                    .or_default()
                    .uncovered
                    .push((code.clone(), reason));
            }
        }
        // Nothing declares any security, and operations answered anonymously: the check has
        // nothing to hold them to, which is not the same as nothing to check — it looked, and
        // names what it cannot judge (AUTH-01 is then not verified, never passed by default).
        if undecided {
            collected.applied.insert(check);
            collected.subject_seen.insert(check);
            run.not_applicable.retain(|na| na.code != code);
        }
    }
    // The probes held back from the configured identities on their own account's password,
    // e-mail or second factor go as an account the run signed up, planned as if it were the
    // only identity (its own name and e-mail in the request), on no test object.
    let lent = if to_lend.is_empty() {
        None
    } else {
        // An account of its own, signed up for the purpose, as a visitor — when the app can
        // close it again (else one the round's sign-ups made, left and named either way).
        if registered::closing_operation(&spec).is_some()
            && let Some(signup) = registered::lent_signup(&context)
        {
            sender.send_request(None, signup).await;
        }
        accounts.track(&executor, &spec, &base).await;
        accounts.lend(&executor).await
    };
    let lent_views = lent
        .as_ref()
        .map(|(_, session)| views(std::slice::from_ref(session)))
        .unwrap_or_default();
    let lent_index = {
        let mut held = identities.lock().await;
        if let Some((_, session)) = &lent {
            held.push(session.clone());
        }
        held.len().saturating_sub(1)
    };
    let lent_context = context_for(
        &spec,
        &base,
        &lent_views,
        &[],
        settings,
        (&canary, &session_flows, &transport),
    );
    // The round's request as the lent account, for the operations the configured identities
    // could not send: what it answers goes to the passive checks, and a method the server
    // does not serve gets no lent probes.
    let mut lent_round: Vec<Exchange> = Vec::new();
    if lent.is_some() {
        let mut lent_ops: Vec<usize> = to_lend.iter().map(|(_, op)| *op).collect();
        lent_ops.sort_unstable();
        lent_ops.dedup();
        for op in lent_ops {
            let operation = &spec.operations[op];
            let Some(request) = lent_context.request(operation, Some(0), 0) else {
                continue;
            };
            if carries_credential(&request, &context) {
                continue;
            }
            let exchange = sender.send_request(Some(lent_index), request).await;
            outcomes.entry(op).or_default().record(&exchange);
            collected.observe(&passive, Some(operation), &exchange, &lent_context);
            lent_round.push(exchange);
        }
    }
    for (check, op_index) in to_lend {
        let operation = &spec.operations[op_index];
        let mut probes = if lent.is_some() {
            checks::ALL[check].plan(operation, &lent_context)
        } else {
            Vec::new()
        };
        let planned = probes.len();
        probes.retain(|probe| {
            !carries_credential(&probe.request, &context)
                && !carries_credential(&probe.request, &lent_context)
        });
        let as_lent = probes.iter().any(|probe| probe.identity.is_some());
        if !as_lent || probes.len() < planned {
            outcomes
                .entry(op_index)
                .or_default()
                .withheld_checks
                .push(checks::ALL[check].meta().code.clone());
        }
        if as_lent {
            // The check's whole plan for the operation, its probes without credentials too
            // (a check judges them together: CSRF pairs the forged request with one sent
            // without the session), in place of what was kept of the first plan.
            groups.retain(|group| !(group.check == check && group.operation == Some(op_index)));
            groups.push(Group {
                check,
                operation: Some(op_index),
                probes,
                lent: true,
                forged: false,
            });
        }
    }
    // What the lent account's accepted requests set (a new password, e-mail).
    let mut lent_changes: Vec<registered::AccountChange> = lent_round
        .iter()
        .filter_map(registered::account_change)
        .collect();
    drop_not_served(&spec, &outcomes, &mut groups, &mut errors);
    // The essential checks' probes are kept back from the budget (budget by coverage).
    executor.reserve(
        groups
            .iter()
            .filter(|g| checks::ALL[g.check].essential())
            .map(|g| g.probes.len() as u64)
            .sum(),
    );
    let mut left_behind = Vec::new();
    // Stages 0–2 are the phases of ordinary checks (reads, changes, deletions); stage 3 runs
    // the disruptive checks, after the clean-up.
    for stage in 0..=3u8 {
        // The accounts the last stage's sign-ups made, logged into now.
        accounts.track(&executor, &spec, &base).await;
        if stage == 3 {
            executor.release_reserve();
            let (found, missed) = find_unkeyed(&sender, &spec, &producers, &unkeyed).await;
            probe_created.extend(found);
            left_behind = clean_up(
                &sender,
                &context,
                &spec,
                &producers,
                &objects,
                &probe_created,
            )
            .await;
            // The accounts the probes' sign-ups made, closed with their sessions before the
            // disruptive checks run — the lent one too, as the checks left it.
            if let Some((index, _)) = &lent {
                let session = identities.lock().await[lent_index].clone();
                accounts.give_back(*index, session, &lent_changes);
            }
            accounts.track(&executor, &spec, &base).await;
            left_behind.extend(accounts.close(&executor, &spec, &base).await);
            if missed > 0 {
                left_behind.push(format!(
                    "{missed} object(s) a probe created: the create answered no id and the list did not show them"
                ));
            }
            let burst_code = &checks::rate_limit_burst::RateLimitBurst.meta().code;
            if let Some(&check) = active
                .iter()
                .find(|&&check| &checks::ALL[check].meta().code == burst_code)
                && let Some(read) = checks::rate_limit_burst::read_target(&context)
            {
                collected.applied.insert(check);
                collected.subject_seen.insert(check);
                match run_bursts(&sender, &context, &answer_times, &mut errors).await {
                    Some(findings) => {
                        for finding in findings {
                            collected.add(finding);
                        }
                    }
                    // Off, refused or cut short: the read is named untested, so API-01 is
                    // not passed on what no burst tried.
                    None => outcomes.entry(read).or_default().uncovered.push((
                        burst_code.clone(),
                        checks::rate_limit_burst::RateLimitBurst::unjudged(&context),
                    )),
                }
            }
        }
        let (timed, mut in_stage): (Vec<&Group>, Vec<&Group>) = groups
            .iter()
            .filter(|group| {
                if checks::ALL[group.check].disruptive() {
                    stage == 3
                } else {
                    group.probes[0].phase() == stage
                }
            })
            .partition(|group| checks::ALL[group.check].sequential() || stage == 3);
        // The essential checks first, on the requests kept for them.
        in_stage.sort_by_key(|group| !checks::ALL[group.check].essential());
        // Timing and disruptive checks go last, one group at a time, so that no other probe
        // shares the target's time with theirs.
        let batches = in_stage
            .chunks(GROUPS_IN_FLIGHT)
            .map(<[&Group]>::to_vec)
            .chain(timed.into_iter().map(|group| vec![group]));
        for batch in batches {
            executor.draw_reserve(
                batch
                    .iter()
                    .filter(|g| checks::ALL[g.check].essential())
                    .map(|g| g.probes.len() as u64)
                    .sum(),
            );
            let context_of = |group: &Group| {
                if group.lent {
                    &lent_context
                } else if group.forged {
                    &forged_context
                } else {
                    &context
                }
            };
            let results = join_all(batch.iter().map(|group| {
                sender.run_group(
                    group,
                    subject(group),
                    context_of(group),
                    group.lent.then_some(lent_index),
                )
            }))
            .await;
            for (group, results) in batch.iter().zip(results) {
                if let Some(op) = group.operation {
                    let outcome = outcomes.entry(op).or_default();
                    for (_, exchange) in &results {
                        outcome.record(exchange);
                    }
                }
                if results.iter().all(|(_, e)| {
                    matches!(
                        e.outcome,
                        Err(RequestError::BudgetSpent(_) | RequestError::TimeSpent(_))
                    )
                }) {
                    unsent += results.len();
                    if let Some(op) = group.operation {
                        outcomes
                            .entry(op)
                            .or_default()
                            .unsent_checks
                            .push(checks::ALL[group.check].meta().code.clone());
                    }
                    continue;
                }
                collected.applied.insert(group.check);
                let operation = subject(group);
                if results
                    .iter()
                    .any(|(_, exchange)| checks::ALL[group.check].subject_in(exchange))
                {
                    collected.subject_seen.insert(group.check);
                }
                for mut finding in
                    checks::ALL[group.check].evaluate(operation, &results, context_of(group))
                {
                    if group.forged {
                        // Apart from what a configured identity did on the same operation.
                        finding.fingerprint = vibeguard_core::Fingerprint::compute(
                            &finding.code,
                            &finding.location,
                            &format!("forged:{}", finding.fingerprint),
                        );
                    }
                    collected.add(finding);
                }
                if group.lent {
                    lent_changes.extend(
                        results
                            .iter()
                            .filter_map(|(_, exchange)| registered::account_change(exchange)),
                    );
                }
                for (probe, exchange) in &results {
                    // A probe may go elsewhere than its group's operation (a login that proves
                    // a change): its answer is judged as the operation it was sent to.
                    let known = group
                        .operation
                        .map(|op| &spec.operations[op])
                        .filter(|op| probe_targets(op, probe, &base))
                        .or_else(|| {
                            spec.operations
                                .iter()
                                .find(|op| probe_targets(op, probe, &base))
                        });
                    collected.observe(&passive, known, exchange, &context);
                    // (What the lent account made goes with it when it is closed.)
                    if stage < 3 && !group.lent {
                        note_created(
                            &executor,
                            &mut probe_created,
                            &mut unkeyed,
                            created_by_probe(&spec, &producers, &base, probe, exchange),
                        );
                    }
                }
            }
        }
    }
    // The accounts the disruptive checks' sign-ups made are closed last.
    accounts.track(&executor, &spec, &base).await;
    left_behind.extend(accounts.close(&executor, &spec, &base).await);
    // The creation exchanges are judged by the passive checks too.
    for exchange in executor
        .exchanges_where(|e| e.request.method == "POST")
        .iter()
    {
        let operation = spec.operations.iter().find(|op| {
            op.method == "POST" && path_matches(&op.path, exchange.request.url.path(), base.path())
        });
        collected.observe(&passive, operation, exchange, &context);
    }

    if !left_behind.is_empty() {
        errors.push(EngineError {
            source: base.to_string(),
            line: None,
            message: format!(
                "could not delete {} object(s) vibeguard created: {}",
                left_behind.len(),
                left_behind.join("; ")
            ),
        });
    }
    if unsent > 0 {
        errors.push(EngineError {
            source: base.to_string(),
            line: None,
            message: format!("the budget ({} requests or {:?}) was spent; {unsent} probes were not sent, so some operations are untested", settings.limits.max_requests, settings.limits.max_duration),
        });
    }
    // The run is over: the log moves into the outcome.
    let exchanges = executor.take_exchanges();
    errors.extend(request_errors(&exchanges));

    for &check in &active {
        let code = &checks::ALL[check].meta().code;
        if collected.applied.contains(&check) && !collected.subject_seen.contains(&check) {
            // It looked everywhere and found nothing of its kind: absent, not passed.
            run.not_applicable.push(RuleApplicability {
                item: None,
                code: code.clone(),
                reason: Text::Borrowed(checks::ALL[check].absent_reason()),
                subject_absent: true,
            });
        } else if collected.applied.contains(&check) {
            run.rules_applied.push(code.clone());
        } else if !run.not_applicable.iter().any(|na| &na.code == code) {
            run.not_applicable.push(RuleApplicability {
                item: None,
                code: code.clone(),
                reason: Text::Borrowed("no operation gave it anything to test"),
                subject_absent: false,
            });
        }
    }
    if settings.target.scheme() != "https" && enabled("VG406") {
        run.not_applicable.push(RuleApplicability {
            code: Text::Borrowed("VG406"),
            item: Some(vibeguard_core::ChecklistId::Tls02),
            reason: Text::Borrowed("the target is plain HTTP, and HSTS only applies over HTTPS (test the https:// deployment)"),
            subject_absent: false,
        });
    }
    run.unchecked.extend(source_notes);
    let (exercised, untested) = coverage::account(&spec.operations, &outcomes);
    run.unchecked
        .extend(coverage::summary_line(spec.operations.len(), &untested));
    run.untested = untested;
    let from_origin = |origin: &str| {
        spec.operations
            .iter()
            .filter(|op| spec::merge::origin(op) == origin)
            .count() as u64
    };
    run.coverage = Coverage {
        files: 0,
        packages: 0,
        operations: exercised,
        requests: executor.requests_sent(),
        operations_total: spec.operations.len() as u64,
        operations_from_code: from_origin("code"),
        operations_from_traffic: from_origin("traffic"),
        operations_discovered: from_origin("discovered"),
    };
    run.errors = errors;
    run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let secrets = identities
        .lock()
        .await
        .iter()
        .flat_map(Identity::secrets)
        .chain(
            anonymous
                .iter()
                .flat_map(identity::AnonymousSession::secrets),
        )
        .collect();
    Ok(ApiOutcome {
        output: EngineOutput {
            run,
            findings: collected.findings,
        },
        exchanges,
        secrets,
        title: spec.title.clone(),
    })
}

/// One check's probes for one operation (or for the whole target, `operation: None`).
struct Group {
    check: usize,
    operation: Option<usize>,
    probes: Vec<Probe>,
    /// Planned for the lent account (its identity 0) and sent as it.
    lent: bool,
    /// Planned with the forged identities ([`checks::forged_identities`]) as the callers.
    forged: bool,
}

/// What sending needs: the executor, the identities (renewed on expiry), the base URL of the
/// operations, the URL logins are joined onto (the target as given: never the description's
/// base path) and the environment for `${VAR}` in login requests.
struct Sender<'a> {
    executor: &'a Executor,
    identities: &'a Mutex<Vec<Identity>>,
    /// A visitor's cookies and CSRF token, for requests without an identity.
    anonymous: Option<&'a identity::AnonymousSession>,
    base: &'a Url,
    login_base: &'a Url,
    env: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

impl Sender<'_> {
    /// Sends a group's probes, then the follow-ups its check asks for, round after round.
    /// `as_identity`: the identity every probe planned with one goes as (a lent account).
    async fn run_group(
        &self,
        group: &Group,
        operation: &spec::Operation,
        context: &Context<'_>,
        as_identity: Option<usize>,
    ) -> Vec<(Probe, Exchange)> {
        let send = |probe: &Probe| {
            let identity = match (as_identity, probe.identity) {
                (Some(lent), Some(_)) => Some(lent),
                (_, identity) => identity,
            };
            self.send_request(identity, probe.request.clone())
        };
        let check = checks::ALL[group.check];
        let mut results: Vec<(Probe, Exchange)> = Vec::new();
        let mut pending = group.probes.clone();
        for _ in 0..MAX_ROUNDS {
            if pending.is_empty() {
                break;
            }
            let exchanges = if check.sequential() {
                let mut exchanges = Vec::with_capacity(pending.len());
                for batch in sequential_batches(&pending, |probe| check.timed(probe)) {
                    exchanges.extend(join_all(batch.into_iter().map(send)).await);
                }
                exchanges
            } else {
                join_all(pending.iter().map(send)).await
            };
            let spent = exchanges.iter().any(|e| {
                matches!(
                    e.outcome,
                    Err(RequestError::BudgetSpent(_) | RequestError::TimeSpent(_))
                )
            });
            results.extend(pending.into_iter().zip(exchanges));
            if spent {
                break;
            }
            pending = check.follow_up(operation, &results, context);
            pending.truncate(MAX_FOLLOW_UP_PROBES);
            if operation.ends_session() {
                for probe in &mut pending {
                    probe.identity = None;
                }
            }
        }
        results
    }

    /// `request` with the identity's credential, as a burst sends it (outside the executor's
    /// own sending, which adds it itself).
    async fn with_credential(&self, identity: Option<usize>, request: &Request) -> Request {
        let mut request = request.clone();
        if let Some(index) = identity
            && let Some(identity) = self.identities.lock().await.get(index)
        {
            identity.apply(&mut request);
        }
        request
    }

    async fn send(&self, probe: &Probe) -> Exchange {
        self.send_request(probe.identity, probe.request.clone())
            .await
    }

    async fn send_request(&self, identity: Option<usize>, request: Request) -> Exchange {
        send_as(
            self.executor,
            self.identities,
            self.anonymous,
            identity,
            request,
            self.login_base,
            self.env,
        )
        .await
    }
}

/// How a sequential check's probes go, batch after batch in plan order: each timed probe
/// alone, the untimed ones between them up to [`UNTIMED_IN_FLIGHT`] at once.
fn sequential_batches(probes: &[Probe], timed: impl Fn(&Probe) -> bool) -> Vec<Vec<&Probe>> {
    let mut batches: Vec<Vec<&Probe>> = Vec::new();
    let mut untimed: Vec<&Probe> = Vec::new();
    for probe in probes {
        if timed(probe) {
            if !untimed.is_empty() {
                batches.push(std::mem::take(&mut untimed));
            }
            batches.push(vec![probe]);
        } else {
            untimed.push(probe);
            if untimed.len() == UNTIMED_IN_FLIGHT {
                batches.push(std::mem::take(&mut untimed));
            }
        }
    }
    if !untimed.is_empty() {
        batches.push(untimed);
    }
    batches
}

/// Drops the groups planned for operations the server does not serve (every answer so far a
/// 405 or 501, refusals of the caller aside), each such operation named among the errors once.
fn drop_not_served(
    spec: &spec::ApiSpec,
    outcomes: &BTreeMap<usize, coverage::OperationOutcome>,
    groups: &mut Vec<Group>,
    errors: &mut Vec<EngineError>,
) {
    let not_served: BTreeMap<usize, u16> = outcomes
        .iter()
        .filter_map(|(op, outcome)| outcome.not_served().map(|status| (*op, status)))
        .collect();
    groups.retain(|group| {
        group
            .operation
            .is_none_or(|op| !not_served.contains_key(&op))
    });
    for (op, status) in not_served {
        let source = spec.operations[op].label();
        if !errors.iter().any(|error| error.source == source) {
            errors.push(EngineError {
                source,
                line: None,
                message: coverage::not_served_reason(status),
            });
        }
    }
}

/// The load bursts of [`checks::rate_limit_burst`]: planned from the coverage round's answer
/// times, sent one after another (each with its own budget), judged per operation. `None` when
/// no burst could be judged.
async fn run_bursts(
    sender: &Sender<'_>,
    context: &Context<'_>,
    answer_times: &BTreeMap<usize, Vec<Duration>>,
    errors: &mut Vec<EngineError>,
) -> Option<Vec<Finding>> {
    let Ok(plan) = context.load else {
        return None;
    };
    let medians: BTreeMap<usize, Duration> = answer_times
        .iter()
        .filter_map(|(op, times)| {
            let mut sorted = times.clone();
            sorted.sort();
            burst::quantile(&sorted, 0.5).map(|median| (*op, median))
        })
        .collect();
    let check = checks::rate_limit_burst::RateLimitBurst;
    let mut by_operation: BTreeMap<usize, Vec<_>> = BTreeMap::new();
    // Whether the slowest read of the round is still slow measured alone, per operation.
    let mut confirmed: BTreeMap<usize, bool> = BTreeMap::new();
    let targets = check.plan_bursts(context, &medians);
    for target in &targets {
        let judged = by_operation
            .get(&target.operation)
            .map_or(&[][..], Vec::as_slice);
        if !checks::rate_limit_burst::RateLimitBurst::still_needed(context, target, judged) {
            continue;
        }
        let request = sender
            .with_credential(target.identity, &target.request)
            .await;
        if target.expensive {
            if let std::collections::btree_map::Entry::Vacant(slot) =
                confirmed.entry(target.operation)
            {
                // Measured against the bursts already sent (the read target's), alone too.
                let mut reference: Vec<Duration> = by_operation
                    .iter()
                    .filter(|(op, _)| **op != target.operation)
                    .flat_map(|(_, records)| records.iter())
                    .flat_map(|(_, record): &(_, burst::BurstRecord)| record.baseline.clone())
                    .collect();
                reference.sort();
                // As a caller the read answers (an identity's, before an anonymous refusal).
                let measured = targets
                    .iter()
                    .filter(|other| other.operation == target.operation)
                    .max_by_key(|other| other.identity.is_some())
                    .unwrap_or(target);
                let quiet_request = sender
                    .with_credential(measured.identity, &measured.request)
                    .await;
                let still = match sender.executor.quiet_latency(&quiet_request).await {
                    Some(quiet) => checks::rate_limit_burst::RateLimitBurst::still_expensive(
                        quiet,
                        burst::quantile(&reference, 0.5),
                    ),
                    None => false,
                };
                slot.insert(still);
            }
            if confirmed.get(&target.operation) == Some(&false) {
                continue;
            }
        }
        match sender.executor.burst(&request, plan).await {
            // Refused (a secured read sent anonymously): nothing to judge, and nothing wrong.
            Ok(record) if record.refused_only() => {}
            Ok(record) if record.conclusive(plan) => {
                by_operation
                    .entry(target.operation)
                    .or_default()
                    .push((target.clone(), record));
            }
            Ok(record) => errors.push(EngineError {
                source: target.request.url.to_string(),
                line: None,
                message: format!(
                    "the load burst on {} sent {} of {} requests ({} failed): not judged",
                    context.spec.operations[target.operation].label(),
                    record.sent,
                    plan.requests(),
                    record.failed
                ),
            }),
            Err(error) => errors.push(EngineError {
                source: target.request.url.to_string(),
                line: None,
                message: format!(
                    "the load burst on {} was not sent: {error}",
                    context.spec.operations[target.operation].label()
                ),
            }),
        }
    }
    if by_operation.is_empty() {
        return None;
    }
    Some(
        by_operation
            .iter()
            .flat_map(|(op, bursts)| {
                check.evaluate_bursts(&context.spec.operations[*op], bursts, plan, context)
            })
            .collect(),
    )
}

/// Findings of a run, each kept once, and which checks applied.
#[derive(Debug, Default)]
struct Collector {
    findings: Vec<Finding>,
    seen: BTreeSet<String>,
    applied: BTreeSet<usize>,
    /// Checks that met their subject in at least one answer ([`checks::Check::subject_in`]).
    subject_seen: BTreeSet<usize>,
}

impl Collector {
    fn add(&mut self, finding: Finding) {
        if self
            .seen
            .insert(format!("{}:{}", finding.code, finding.fingerprint))
        {
            self.findings.push(finding);
        }
    }

    /// Lets every passive check judge one exchange.
    fn observe(
        &mut self,
        passive: &[usize],
        operation: Option<&spec::Operation>,
        exchange: &Exchange,
        context: &Context<'_>,
    ) {
        if exchange.response().is_none() {
            return;
        }
        for &check in passive {
            self.applied.insert(check);
            if checks::ALL[check].subject_in(exchange) {
                self.subject_seen.insert(check);
            }
            for finding in checks::ALL[check].observe(operation, exchange, context) {
                self.add(finding);
            }
        }
    }
}

/// The URL operation paths are joined onto: the target, or (when it has no path of its own)
/// the target with the description's base path.
fn base_url(target: &Url, spec: &ApiSpec) -> Url {
    surface::base_url(target, spec)
}

/// Proves static credentials against a secured read without parameters, when there is one.
async fn verify_static_identities(
    identities: &[Identity],
    spec: &ApiSpec,
    policy: &AccessPolicy,
    base: &Url,
    executor: &Executor,
) -> Result<(), IdentityError> {
    let Some(operation) = spec.operations.iter().find(|op| {
        op.method == "GET"
            && op.path_params().is_empty()
            && policy.requires_auth(op)
            && policy.required_role(op).is_none()
    }) else {
        return Ok(());
    };
    for identity in identities.iter().filter(|i| !i.can_renew()) {
        let Ok(url) = identity::join(base, &operation.path) else {
            continue;
        };
        let mut request = Request::new("GET", url);
        identity.apply(&mut request);
        let exchange = executor.send(request).await;
        if let Some(status) = exchange.status().filter(|s| *s == 401 || *s == 403) {
            return Err(IdentityError {
                name: identity.name.clone(),
                message: format!("was refused: {} answered {status}", operation.label()),
            });
        }
    }
    Ok(())
}

/// Sends a request as an identity; on 401 a login identity logs in again and the request is
/// retried once. Concurrent requests that meet the same expiry renew only once: a request whose
/// token was already replaced just retries with the new one.
#[allow(clippy::too_many_arguments)]
async fn send_as(
    executor: &Executor,
    identities: &Mutex<Vec<Identity>>,
    anonymous: Option<&identity::AnonymousSession>,
    identity: Option<usize>,
    request: Request,
    login_base: &Url,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Exchange {
    let mut request = checks::resource_limits::grow_marked(request);
    // A sign-up or login sent with a session identity's cookie would, on an app that keeps
    // the session it is sent on (express-session without `regenerate`), log the identity's
    // own session into another account: it goes as a visitor instead.
    let enters = matches!(
        checks::auth_flows::flow_of(&request.method, request.url.path()),
        Some(checks::auth_flows::Flow::Login | checks::auth_flows::Flow::Registration)
    );
    let identity = match identity {
        Some(index) if enters => {
            let guard = identities.lock().await;
            let session_login = guard.get(index).is_some_and(|i| i.session.is_some());
            drop(guard);
            (!session_login).then_some(index)
        }
        other => other,
    };
    let Some(index) = identity else {
        // A request marked to go without cookies starts a session of its own.
        if !identity::take_no_cookies_mark(&mut request)
            && let Some(session) = anonymous
        {
            return session.send(executor, request).await;
        }
        return executor.send(request).await;
    };
    let unsigned = request.clone();
    let (used_token, login_path) = {
        let guard = identities.lock().await;
        let Some(identity) = guard.get(index) else {
            return executor.send(request).await;
        };
        identity.apply(&mut request);
        let login_path = identity
            .session
            .is_some()
            .then(|| identity.login.as_ref().map(|l| l.url.path().to_string()))
            .flatten();
        (identity.token.clone(), login_path)
    };
    let exchange = executor.send(request).await;
    // An ended session says so with a 401, or (a web app) by sending the browser to the
    // identity's own login page: both renew it.
    let sent_to_login = login_path.is_some_and(|login| {
        exchange
            .response()
            .filter(|r| (300..400).contains(&r.status))
            .and_then(|r| r.header("location"))
            .and_then(|location| exchange.request.url.join(location).ok())
            .is_some_and(|to| to.path() == login)
    });
    if exchange.status() != Some(401) && !sent_to_login {
        return exchange;
    }
    let mut guard = identities.lock().await;
    let Some(identity) = guard.get_mut(index).filter(|i| i.can_renew()) else {
        return exchange;
    };
    if identity.token == used_token && identity.renew(executor, login_base, env).await.is_err() {
        return exchange;
    }
    let mut retry = unsigned;
    identity.apply(&mut retry);
    drop(guard);
    executor.send(retry).await
}

/// What a probe created on a collection vibeguard knows how to delete from.
enum ProbeCreated {
    /// Its path is known: (the identity, the object's path with every parameter filled).
    Keyed(Option<usize>, String),
    /// The create answered no id: (producer, the identity, the create request), looked up in
    /// the collection's list before the clean-up.
    Unkeyed(usize, Option<usize>, Request),
}

/// What a successful create of a probe made.
fn created_by_probe(
    spec: &ApiSpec,
    producers: &[lifecycle::Producer],
    base: &Url,
    probe: &Probe,
    exchange: &Exchange,
) -> Option<ProbeCreated> {
    if probe.request.method != "POST"
        || spec::is_form_deletion(&probe.request.method, probe.request.url.path())
    {
        return None;
    }
    let response = exchange
        .response()
        .filter(|_| crate::http::outcome::accepted(exchange))?;
    let (index, producer) = producers.iter().enumerate().find(|(_, p)| {
        path_matches(
            &spec.operations[p.create].path,
            probe.request.url.path(),
            base.path(),
        ) && p.delete.is_some()
    })?;
    let create = &spec.operations[producer.create];
    let parents = producer.parents(strip_base(probe.request.url.path(), base.path()));
    let Some(value) = lifecycle::created_id(&exchange.request, response, producer, create) else {
        return Some(ProbeCreated::Unkeyed(
            index,
            probe.identity,
            exchange.request.clone(),
        ));
    };
    Some(ProbeCreated::Keyed(
        probe.identity,
        lifecycle::filled_item_path(&producer.item_path, &producer.param, &value, &parents),
    ))
}

/// Records what a probe created, keeping its deletion (and, for an object without an id, the
/// list reads that find it) back from the budget.
fn note_created(
    executor: &Executor,
    probe_created: &mut Vec<(Option<usize>, String)>,
    unkeyed: &mut Vec<(usize, Option<usize>, Request)>,
    created: Option<ProbeCreated>,
) {
    match created {
        Some(ProbeCreated::Keyed(identity, path)) => {
            executor.reserve(1);
            probe_created.push((identity, path));
        }
        Some(ProbeCreated::Unkeyed(producer, identity, request)) => {
            let first_of_its_list = !unkeyed.iter().any(|(p, i, r)| {
                *p == producer && *i == identity && r.url.path() == request.url.path()
            });
            executor.reserve(
                1 + if first_of_its_list {
                    u64::from(MAX_LIST_PAGES)
                } else {
                    0
                },
            );
            unkeyed.push((producer, identity, request));
        }
        None => {}
    }
}

/// Most pages of a list read to find what probes created without an id.
const MAX_LIST_PAGES: u32 = 10;

/// Finds, in the lists of their collections, the objects probes created without an id: each
/// list is read as the identity that created (pages 1 to 10 when the list takes `page`, at its
/// largest page size), and each create matched by the values it sent. Returns the paths found
/// and how many were not.
async fn find_unkeyed(
    sender: &Sender<'_>,
    spec: &ApiSpec,
    producers: &[lifecycle::Producer],
    unkeyed: &[(usize, Option<usize>, Request)],
) -> (Vec<(Option<usize>, String)>, usize) {
    let mut found = Vec::new();
    let mut missed = 0;
    // Ids already matched, across identities: two identities' identical creates are two
    // entries of a list both may see.
    let mut taken: Vec<String> = Vec::new();
    let mut groups: BTreeMap<(usize, Option<usize>, String), Vec<&Request>> = BTreeMap::new();
    for (producer, identity, request) in unkeyed {
        groups
            .entry((*producer, *identity, request.url.path().to_string()))
            .or_default()
            .push(request);
    }
    for ((producer_index, identity, path), creates) in groups {
        let producer = &producers[producer_index];
        let create = &spec.operations[producer.create];
        let list_op = spec
            .operations
            .iter()
            .find(|op| op.method == "GET" && op.path == create.path);
        let Some(list_op) = list_op else {
            missed += creates.len();
            continue;
        };
        let query = |name: &str| {
            list_op
                .parameters
                .iter()
                .find(|p| p.location == spec::ParamIn::Query && p.name.eq_ignore_ascii_case(name))
        };
        let size = [
            "limit",
            "pageSize",
            "page_size",
            "per_page",
            "perPage",
            "size",
        ]
        .iter()
        .find_map(|name| query(name))
        .map(|p| {
            (
                p.name.clone(),
                p.schema.maximum.unwrap_or(100.0).min(1000.0) as u64,
            )
        });
        let paged = query("page").is_some();
        let mut entries: Vec<serde_json::Value> = Vec::new();
        for page in 1..=if paged { MAX_LIST_PAGES } else { 1 } {
            let Ok(mut url) = identity::join(sender.base, "/") else {
                break;
            };
            url.set_path(&path);
            {
                let mut pairs = url.query_pairs_mut();
                if paged {
                    pairs.append_pair("page", &page.to_string());
                }
                if let Some((name, size)) = &size {
                    pairs.append_pair(name, &size.to_string());
                }
            }
            let exchange = sender
                .send_request(identity, Request::new("GET", url))
                .await;
            let Some(body) = exchange.response().and_then(|r| r.json()) else {
                break;
            };
            let page_entries = lifecycle::list_entries(&body).to_vec();
            if page_entries.is_empty() {
                break;
            }
            entries.extend(page_entries);
        }
        let list = serde_json::Value::Array(entries);
        for request in creates {
            match lifecycle::id_in_list(&list, request, producer, create, &taken) {
                Some(value) => {
                    let parents = producer.parents(&path);
                    found.push((
                        identity,
                        lifecycle::filled_item_path(
                            &producer.item_path,
                            &producer.param,
                            &value,
                            &parents,
                        ),
                    ));
                    taken.push(value);
                }
                None => missed += 1,
            }
        }
    }
    (found, missed)
}

/// The request that deletes the object at `path` (`/notes/7`): the deletion its producer's
/// item has — `DELETE /notes/7`, or a form's `POST /notes/7/delete` — else `DELETE`.
fn deletion_request(
    spec: &ApiSpec,
    producers: &[lifecycle::Producer],
    base: &Url,
    path: &str,
) -> Option<Request> {
    let delete = producers
        .iter()
        .filter(|p| lifecycle::path_values(&p.item_path, path).is_some())
        .find_map(|p| p.delete)
        .map(|index| &spec.operations[index]);
    match delete {
        Some(operation) if operation.method != "DELETE" => {
            let verb = operation.path.trim_end_matches('/').rsplit('/').next()?;
            let url =
                identity::join(base, &format!("{}/{verb}", path.trim_end_matches('/'))).ok()?;
            Some(Request::new(&operation.method, url))
        }
        _ => identity::join(base, path)
            .ok()
            .map(|url| Request::new("DELETE", url)),
    }
}

/// Whether a request carries a credential of its own (a forged or tampered token, a session
/// cookie): an `Authorization` or `Cookie` header, or the header an identity's credential uses.
fn carries_credential(request: &Request, context: &Context<'_>) -> bool {
    request.headers.iter().any(|(name, _)| {
        name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("cookie")
            || context.identities.iter().any(|identity| {
                matches!(&identity.credential, identity::Credential::Header { name: header, .. } if header.eq_ignore_ascii_case(name))
            })
    })
}

/// Deletes every object vibeguard created — the test objects, each by its owner, and what the
/// probes created, each as the identity that created it — and lists what could not be deleted.
async fn clean_up(
    sender: &Sender<'_>,
    context: &Context<'_>,
    spec: &ApiSpec,
    producers: &[lifecycle::Producer],
    objects: &[CreatedObject],
    probe_created: &[(Option<usize>, String)],
) -> Vec<String> {
    let mut deletions: Vec<(String, Option<usize>, Option<Request>)> = Vec::new();
    // Children before their parents (they were created after them).
    for object in objects.iter().rev() {
        let Some(delete) = producers
            .iter()
            .find(|p| p.item_path == object.item_path)
            .and_then(|p| p.delete)
        else {
            continue;
        };
        let request = context.request(&spec.operations[delete], Some(object.owner), object.slot);
        let path = object.item_url_path();
        deletions.push((path, Some(object.owner), request));
    }
    // What the probes created goes first: it may live under a test object.
    let test_objects = deletions.len();
    let mut seen = std::collections::BTreeSet::new();
    for (identity, path) in probe_created {
        if !seen.insert(path.clone()) {
            continue;
        }
        let path = path.clone();
        let request = deletion_request(spec, producers, sender.base, &path);
        // Created without an identity's own credential (a forged or tampered token that was
        // accepted): the first identity's token was the one altered, so it deletes.
        let deleter = identity.or((!context.identities.is_empty()).then_some(0));
        deletions.push((path, deleter, request));
    }
    deletions.rotate_left(test_objects);
    let mut left_behind = Vec::new();
    for (path, identity, request) in deletions {
        let Some(request) = request else {
            continue;
        };
        let mut exchange = sender.send_request(identity, request.clone()).await;
        // A rate limit the run tripped is waited out (as the answer says, at most a few
        // seconds, a few times): what vibeguard created is not left behind for it.
        for _ in 0..CLEAN_UP_RETRIES {
            let Some(wait) = exchange.response().and_then(rate_limited_for) else {
                break;
            };
            tokio::time::sleep(wait).await;
            exchange = sender.send_request(identity, request.clone()).await;
        }
        if !(crate::http::outcome::accepted(&exchange)
            || exchange
                .response()
                .is_some_and(|r| r.status == 404 || r.status == 410))
        {
            left_behind.push(format!("{path} {}", error_text(&exchange)));
        }
    }
    left_behind
}

/// Times a deletion refused by a rate limit is tried again.
const CLEAN_UP_RETRIES: usize = 3;
/// The longest wait for a rate limit during the clean-up.
const MOST_CLEAN_UP_WAIT: Duration = Duration::from_secs(5);

/// How long a 429 (or a 503 with `Retry-After`) asks to wait, bounded; `None` for any other
/// answer.
fn rate_limited_for(response: &crate::http::Response) -> Option<Duration> {
    let asked = response
        .header("retry-after")
        .and_then(|value| value.trim().parse::<u64>().ok());
    match (response.status, asked) {
        (429, asked) => Some(asked.map_or(Duration::from_secs(1), Duration::from_secs)),
        (503, Some(asked)) => Some(Duration::from_secs(asked)),
        _ => None,
    }
    .map(|wait| wait.clamp(Duration::from_millis(200), MOST_CLEAN_UP_WAIT))
}

/// Whether a probe is a request of this operation (its method, and its path on the template).
fn probe_targets(operation: &spec::Operation, probe: &Probe, base: &Url) -> bool {
    operation.method == probe.request.method
        && path_matches(&operation.path, probe.request.url.path(), base.path())
}

fn path_matches(template: &str, path: &str, base_path: &str) -> bool {
    let path = path
        .strip_prefix(base_path.trim_end_matches('/'))
        .unwrap_or(path);
    let template: Vec<&str> = template.trim_matches('/').split('/').collect();
    let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
    template.len() == actual.len()
        && template
            .iter()
            .zip(&actual)
            .all(|(t, a)| (t.starts_with('{') && t.ends_with('}')) || t == a)
}

/// The `GET` on the collection a create posted to (the same URL), when the description has
/// one: where an object whose create answered no id is looked up.
fn listed(spec: &ApiSpec, create: &spec::Operation, request: &Request) -> Option<Request> {
    spec.operations
        .iter()
        .any(|op| op.method == "GET" && op.path == create.path)
        .then(|| {
            let mut url = request.url.clone();
            url.set_query(None);
            Request::new("GET", url)
        })
}

/// The run's context over the objects created so far (the canary, the session flows and the
/// transport facts are the run's extras).
fn context_for<'a>(
    spec: &'a ApiSpec,
    base: &'a Url,
    identities: &'a [IdentityView],
    objects: &'a [CreatedObject],
    settings: &'a ApiSettings,
    (canary, session, transport): (
        &'a Option<Canary>,
        &'a checks::session_lifecycle::SessionFlows,
        &'a Option<TransportFacts>,
    ),
) -> Context<'a> {
    Context {
        spec,
        base,
        identities,
        objects,
        policy: &settings.policy,
        allow_destructive: settings.allow_destructive,
        seed: settings.seed,
        profile: settings.profile,
        declared_routes: &settings.declared_routes,
        burst: settings.burst.clamp(1, MAX_BURST),
        canary: canary.as_ref(),
        session,
        graphql: settings.graphql.as_deref(),
        transport: transport.as_ref(),
        load: load_plan(settings),
    }
}

/// A request path without the target's base path.
fn strip_base<'a>(path: &'a str, base_path: &str) -> &'a str {
    path.strip_prefix(base_path.trim_end_matches('/'))
        .unwrap_or(path)
}

fn lifecycle_error(create: &spec::Operation, owner: &str, what: &str) -> EngineError {
    EngineError {
        source: create.label(),
        line: None,
        message: format!("could not create a test object as {owner}: {what}"),
    }
}

fn error_text(exchange: &Exchange) -> String {
    match &exchange.outcome {
        Ok(response) => format!("answered {}", response.status),
        Err(error) => error.to_string(),
    }
}

/// Request errors, grouped by kind: each listed up to a few times, then counted.
fn request_errors(exchanges: &[Exchange]) -> Vec<EngineError> {
    let mut by_kind: BTreeMap<&'static str, Vec<&Exchange>> = BTreeMap::new();
    for exchange in exchanges {
        let kind = match &exchange.outcome {
            // The target hanging up on a request is how it answered, not an audit error.
            Ok(_)
            | Err(
                RequestError::BudgetSpent(_)
                | RequestError::TimeSpent(_)
                | RequestError::ClosedEarly(_),
            ) => continue,
            Err(RequestError::OutOfScope { .. }) => "out of scope",
            Err(RequestError::Timeout(_)) => "timeout",
            Err(RequestError::Connect(_)) => "connection",
            Err(RequestError::Protocol(_)) => "invalid exchange",
        };
        by_kind.entry(kind).or_default().push(exchange);
    }
    let mut errors = Vec::new();
    for (kind, list) in by_kind {
        for exchange in list.iter().take(ERRORS_LISTED) {
            errors.push(EngineError {
                source: format!("{} {}", exchange.request.method, exchange.request.url),
                line: None,
                message: exchange
                    .outcome
                    .as_ref()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            });
        }
        if list.len() > ERRORS_LISTED {
            errors.push(EngineError {
                source: kind.to_string(),
                line: None,
                message: format!(
                    "{} more request(s) failed the same way ({kind})",
                    list.len() - ERRORS_LISTED
                ),
            });
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_probes_go_alone_and_the_others_a_few_at_a_time_in_plan_order() {
        let probe = |label: &str| Probe {
            label: label.into(),
            identity: None,
            request: Request::new("GET", Url::parse("http://127.0.0.1/").expect("url")),
        };
        let probes: Vec<Probe> = [
            "baseline 1",
            "a",
            "b",
            "c",
            "d",
            "e",
            "t#time:x",
            "f",
            "g",
            "t#series:x:1",
        ]
        .into_iter()
        .map(probe)
        .collect();
        let batches: Vec<Vec<&str>> =
            sequential_batches(&probes, |p| checks::timing::timed_label(&p.label))
                .into_iter()
                .map(|batch| batch.into_iter().map(|p| p.label.as_str()).collect())
                .collect();
        assert_eq!(
            batches,
            vec![
                vec!["baseline 1"],
                vec!["a", "b", "c", "d"],
                vec!["e"],
                vec!["t#time:x"],
                vec!["f", "g"],
                vec!["t#series:x:1"],
            ]
        );
        // A check whose every probe is timed sends them one by one.
        assert!(
            sequential_batches(&probes, |_| true)
                .iter()
                .all(|b| b.len() == 1)
        );
    }

    #[test]
    fn request_paths_match_their_templates() {
        assert!(path_matches("/api/tasks/{id}", "/api/tasks/42", ""));
        assert!(path_matches("/tasks/{id}", "/v1/tasks/42", "/v1"));
        assert!(!path_matches("/api/tasks/{id}", "/api/tasks", ""));
    }
}
