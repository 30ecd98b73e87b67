//! Running a suite against a deployment: one executor (the target's origin and the allowed
//! hosts only, the run's budget and rate), the configured identities logged in once each when a
//! step first needs them, the steps of a scenario in order with their captures feeding later
//! steps. A failed step ends its scenario; a failed scenario is a finding (VG501) with the
//! step's request and answer as evidence, its severity and checklist items; a passed one
//! verifies its checklist items. What could not run (an identity that cannot log in, a
//! destructive scenario without `--allow-destructive`, the budget spent) is named, never
//! passed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use url::Url;
use vibeguard_core::engine::{Coverage, EngineError, EngineOutput, EngineRun, Untested, Verified};
use vibeguard_core::{DeclaredAt, EngineId, Finding, Location, Text};
use vibeguard_http::http::{Exchange, Executor, Limits, Request, Scope};
use vibeguard_http::identity::{self, Identity, IdentityConfig};

use crate::format::Step;
use crate::load::{LoadedScenario, Suite, step_label};
use crate::{expect, template};

/// How a suite runs.
#[derive(Debug, Clone)]
pub struct ScenarioSettings {
    /// The deployment's base URL.
    pub target: Url,
    /// Hosts besides the target's that requests may go to.
    pub allow_hosts: Vec<String>,
    /// Budget, rate and timeouts.
    pub limits: Limits,
    /// Whether scenarios marked `destructive: true` run.
    pub allow_destructive: bool,
    /// The configured identities, by name.
    pub identities: Vec<(String, IdentityConfig)>,
}

/// How one scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioStatus {
    /// Every step answered as expected.
    Passed,
    /// A step did not; the later ones were not sent.
    Failed,
    /// It did not run, for this reason.
    NotRun(String),
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    /// The step's name.
    pub label: String,
    /// What did not hold (empty when it passed).
    pub failures: Vec<String>,
    /// The answer's status, when there was an answer.
    pub status: Option<u16>,
    /// How long the answer took, in milliseconds.
    pub elapsed_ms: u64,
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioResult {
    /// The file it is in.
    pub file: String,
    /// Its name.
    pub name: String,
    /// How it ended.
    pub status: ScenarioStatus,
    /// The steps sent, in order (the failed one last).
    pub steps: Vec<StepResult>,
}

/// What a run produced.
#[derive(Debug)]
pub struct ScenarioOutcome {
    /// Findings, coverage and errors.
    pub output: EngineOutput,
    /// Every exchange, for `--har`.
    pub exchanges: Vec<Exchange>,
    /// Credentials obtained on the way (session cookies, tokens), to mask in every output.
    pub secrets: Vec<String>,
    /// Each scenario's result, in suite order.
    pub results: Vec<ScenarioResult>,
}

/// Why a suite could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioRunError {
    /// The target URL cannot be used.
    #[error("{0} is not a usable target URL (give http:// or https:// with a host)")]
    BadTarget(String),
    /// The HTTP client could not start.
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
}

/// The identities of a run, logged in when first needed.
struct Callers<'a> {
    settings: &'a ScenarioSettings,
    env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    established: BTreeMap<String, Result<Identity, String>>,
}

impl Callers<'_> {
    async fn get(&mut self, name: &str, executor: &Executor) -> Result<&Identity, String> {
        if !self.established.contains_key(name) {
            let established = match self.settings.identities.iter().find(|(n, _)| n == name) {
                None => Err(format!("identity `{name}` is not configured")),
                Some((_, config)) => {
                    identity::establish(name, config, executor, &self.settings.target, self.env)
                        .await
                        .map_err(|error| error.to_string())
                }
            };
            self.established.insert(name.to_string(), established);
        }
        match self.established.get(name) {
            Some(Ok(identity)) => Ok(identity),
            Some(Err(why)) => Err(why.clone()),
            None => Err(format!("identity `{name}` is not configured")),
        }
    }
}

/// Runs `suite`. `enabled` says whether VG501 runs (the configuration may disable it); `env`
/// gives environment values for `${NAME}` and the identities' credentials.
pub async fn run(
    suite: &Suite,
    settings: &ScenarioSettings,
    enabled: &dyn Fn(&str) -> bool,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<ScenarioOutcome, ScenarioRunError> {
    let started = Instant::now();
    let scope = Scope::new(&settings.target, &settings.allow_hosts)
        .filter(|_| matches!(settings.target.scheme(), "http" | "https"))
        .ok_or_else(|| ScenarioRunError::BadTarget(settings.target.to_string()))?;
    let executor = Executor::new(scope, settings.limits.clone())
        .map_err(|error| ScenarioRunError::Client(error.to_string()))?;
    let mut run = EngineRun::new(EngineId::Scenarios);
    run.errors
        .extend(suite.errors.iter().map(|error| EngineError {
            source: error.file.clone(),
            line: error.line.and_then(|line| u32::try_from(line).ok()),
            message: match error.column {
                Some(column) => format!("column {column}: {}", error.message),
                None => error.message.clone(),
            },
        }));
    let mut callers = Callers {
        settings,
        env,
        established: BTreeMap::new(),
    };
    let mut findings = Vec::new();
    let mut results = Vec::new();
    let on = enabled(crate::SCENARIO_FAILED.code.as_ref());
    for loaded in &suite.scenarios {
        let result = if !on {
            not_run(loaded, "VG501 is disabled")
        } else if loaded.scenario.destructive && !settings.allow_destructive {
            not_run(
                loaded,
                "it is destructive and the run was not given --allow-destructive",
            )
        } else {
            let (result, finding) = run_scenario(loaded, &executor, &mut callers, env).await;
            findings.extend(finding);
            result
        };
        match &result.status {
            ScenarioStatus::NotRun(reason) => run.untested.push(Untested {
                place: format!("scenario `{}` ({})", result.name, result.file),
                reason: reason.clone(),
                rules: vec![crate::SCENARIO_FAILED.code.clone()],
            }),
            ScenarioStatus::Passed => {
                run.verified
                    .extend(loaded.checklist.iter().map(|item| Verified {
                        item: *item,
                        by: Text::Owned(format!("scenario `{}`", result.name)),
                    }))
            }
            ScenarioStatus::Failed => {}
        }
        results.push(result);
    }
    if results
        .iter()
        .any(|r| !matches!(r.status, ScenarioStatus::NotRun(_)))
    {
        run.rules_applied.push(crate::SCENARIO_FAILED.code.clone());
    }
    for (name, established) in &callers.established {
        if let Err(why) = established {
            run.errors.push(EngineError {
                source: format!("identity {name}"),
                line: None,
                message: why.clone(),
            });
        }
    }
    let secrets = callers
        .established
        .values()
        .filter_map(|e| e.as_ref().ok())
        .flat_map(Identity::secrets)
        .collect();
    run.coverage = Coverage {
        requests: executor.requests_sent(),
        ..Coverage::default()
    };
    run.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(ScenarioOutcome {
        output: EngineOutput { run, findings },
        exchanges: executor.take_exchanges(),
        secrets,
        results,
    })
}

fn not_run(loaded: &LoadedScenario, reason: &str) -> ScenarioResult {
    ScenarioResult {
        file: loaded.file.clone(),
        name: loaded.scenario.name.clone(),
        status: ScenarioStatus::NotRun(reason.to_string()),
        steps: Vec::new(),
    }
}

/// Runs one scenario: its result, and its finding when it failed.
async fn run_scenario(
    loaded: &LoadedScenario,
    executor: &Executor,
    callers: &mut Callers<'_>,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> (ScenarioResult, Option<Finding>) {
    let scenario = &loaded.scenario;
    let mut result = ScenarioResult {
        file: loaded.file.clone(),
        name: scenario.name.clone(),
        status: ScenarioStatus::Passed,
        steps: Vec::new(),
    };
    let mut captured: BTreeMap<String, String> = BTreeMap::new();
    let mut bodies: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for spanned in &scenario.steps {
        let step = &spanned.value;
        let step_line = spanned.referenced.line();
        let label = step_label(step);
        let lookup = |name: &str| {
            captured
                .get(name)
                .or_else(|| scenario.vars.get(name))
                .cloned()
                .or_else(|| env(name))
        };
        let request = match build(step, &callers.settings.target, &lookup) {
            Ok(request) => request,
            Err(why) => {
                result.status = ScenarioStatus::NotRun(format!("step `{label}`: {why}"));
                return (result, None);
            }
        };
        let mut request = request;
        if let Some(caller) = step.caller.as_ref().map(|c| c.value.as_str())
            && caller != "anonymous"
        {
            match callers.get(caller, executor).await {
                Ok(identity) => identity.apply(&mut request),
                Err(why) => {
                    result.status = ScenarioStatus::NotRun(format!(
                        "step `{label}` goes as `{caller}`, who cannot act: {why}"
                    ));
                    return (result, None);
                }
            }
        }
        if executor.budget_spent() {
            result.status = ScenarioStatus::NotRun(format!(
                "the request budget was spent before step `{label}`"
            ));
            return (result, None);
        }
        let exchange = executor.send(request).await;
        if matches!(
            exchange.outcome,
            Err(vibeguard_http::http::RequestError::OutOfScope { .. })
        ) {
            result.status = ScenarioStatus::NotRun(format!(
                "step `{label}` would leave the target's origin ({}); allow the host with --allow-host",
                exchange.request.url
            ));
            return (result, None);
        }
        let lookup = |name: &str| {
            captured
                .get(name)
                .or_else(|| scenario.vars.get(name))
                .cloned()
                .or_else(|| env(name))
        };
        let mut failures = expect::judge(&step.expect, &exchange, &bodies, &lookup);
        let mut new_captures = Vec::new();
        for (name, capture) in &step.capture {
            match crate::capture::take(&capture.value, &exchange) {
                Ok(value) => new_captures.push((name.clone(), value)),
                Err(why) => failures.push(format!("capture `{name}`: {why}")),
            }
        }
        captured.extend(new_captures);
        result.steps.push(StepResult {
            label: label.clone(),
            failures: failures.clone(),
            status: exchange.status(),
            elapsed_ms: u64::try_from(exchange.elapsed.as_millis()).unwrap_or(u64::MAX),
        });
        if let Some(response) = exchange.response() {
            bodies.insert(label.clone(), response.body.to_vec());
        }
        if !failures.is_empty() {
            result.status = ScenarioStatus::Failed;
            let finding = failed(loaded, step, step_line, &label, &failures, &exchange);
            return (result, Some(finding));
        }
    }
    (result, None)
}

/// The request a step sends, before its caller's credential.
fn build(
    step: &Step,
    target: &Url,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Request, String> {
    let path = template::fill_path(&step.path.value, lookup)?;
    // A captured `Location` may be a whole URL; the executor's scope still decides whether it
    // is sent.
    let mut url = match Url::parse(&path) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ if path.starts_with('/') => {
            identity::join(target, &path).map_err(|e| format!("invalid path: {e}"))?
        }
        _ => return Err(format!("the path `{path}` is neither `/…` nor a URL")),
    };
    if !step.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in &step.query {
            pairs.append_pair(name, &template::interpolate(value, lookup)?);
        }
    }
    let mut request = Request::new(&step.method.to_ascii_uppercase(), url);
    for (name, value) in &step.headers {
        request
            .headers
            .push((name.clone(), template::interpolate(value, lookup)?));
    }
    if let Some(json) = &step.json {
        let body = expect::fill_json(json, lookup)?;
        request = request.json(&body);
    } else if let Some(form) = &step.form {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in form {
            serializer.append_pair(name, &template::interpolate(value, lookup)?);
        }
        request.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        request.body = Some(serializer.finish().into_bytes().into());
    }
    Ok(request)
}

/// The finding of a failed scenario.
/// Placed at its failed step's operation, and written (for SARIF and code review) at the
/// step's line in the scenario file: where the requirement that does not hold is.
fn failed(
    loaded: &LoadedScenario,
    step: &Step,
    step_line: u64,
    label: &str,
    failures: &[String],
    exchange: &Exchange,
) -> Finding {
    let scenario = &loaded.scenario;
    let location = Location::Operation {
        method: step.method.to_ascii_uppercase(),
        path: step.path.value.clone(),
        parameter: None,
        declared_at: Some(DeclaredAt {
            path: loaded.file.clone(),
            line: u32::try_from(step_line).unwrap_or(u32::MAX),
        }),
    };
    let message = format!(
        "scenario `{}` failed at step `{label}`: {}",
        scenario.name,
        failures.join("; ")
    );
    let mut finding = Finding::new(
        &crate::SCENARIO_FAILED,
        location,
        message,
        format!("{}\u{1f}{}", loaded.file, scenario.name),
    )
    .with_severity(loaded.severity)
    .with_evidence(vibeguard_http::evidence::http_evidence(exchange));
    finding.checklist = loaded.checklist.clone();
    let mut fix = format!(
        "Make `{label}` answer as the scenario `{}` ({}, line {}) requires",
        scenario.name, loaded.file, loaded.line
    );
    if let Some(description) = &scenario.description {
        fix.push_str(": ");
        fix.push_str(description.trim());
    } else {
        fix.push('.');
    }
    finding.with_fix(fix)
}

/// The checklist items the suite's scenarios claim, for callers that list them.
pub fn claimed_items(suite: &Suite) -> BTreeSet<vibeguard_core::ChecklistId> {
    suite
        .scenarios
        .iter()
        .flat_map(|s| s.checklist.iter().copied())
        .collect()
}
