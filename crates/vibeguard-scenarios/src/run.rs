//! Running a suite against a deployment: one executor (the target's origin and the allowed
//! hosts only, the run's budget and rate), the configured identities logged in once each when a
//! step first needs them, the steps of a scenario in order with their captures feeding later
//! steps. A failed step ends its scenario; a failed scenario is a finding (VG501) with the
//! step's request and answer as evidence, its severity and checklist items; a passed one
//! verifies its checklist items. What could not run (an identity that cannot log in, a
//! destructive scenario without `--allow-destructive`, the budget spent) is named, never
//! passed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Instant;

use url::Url;
use vibeguard_core::engine::{
    CaseOutcome, Coverage, EngineError, EngineOutput, EngineRun, TestCase, Untested, Verified,
};
use vibeguard_core::{DeclaredAt, EngineId, Finding, Location, Text};
use vibeguard_http::http::{Exchange, Executor, Limits, Request, Scope};
use vibeguard_http::identity::{self, Identity, IdentityConfig};
use vibeguard_http::spec::{ApiSpec, DeclaredRoute, Operation, ParamIn, SpecSource};

use crate::format::{MultipartField, OperationFilter, Step};
use crate::load::{LoadedScenario, ScenarioError, Suite, step_label};
use crate::{expect, surface_wide, template};

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
    /// Where the operations of surface-wide scenarios come from.
    pub surface: SurfaceInputs,
}

/// The sources of the API's surface, as the API engine reads them: the description, the
/// recorded traffic and the code's routes (and, always, what the target shows of itself).
#[derive(Debug, Clone)]
pub struct SurfaceInputs {
    /// The description.
    pub spec: SpecSource,
    /// HAR and Postman files.
    pub traffic: Vec<PathBuf>,
    /// A Postman environment for them.
    pub traffic_environment: Option<PathBuf>,
    /// The routes the code declares.
    pub routes: Vec<DeclaredRoute>,
}

impl Default for SurfaceInputs {
    fn default() -> SurfaceInputs {
        SurfaceInputs {
            spec: SpecSource::Discover,
            traffic: Vec::new(),
            traffic_environment: None,
            routes: Vec::new(),
        }
    }
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
    /// The operation a surface-wide scenario ran on (`GET /notes/{id}`).
    pub operation: Option<String>,
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
    // Environment values a step used under a secret's name (`${API_TOKEN}`, `{{password}}`)
    // are credentials the run was given: masked in every output, like the identities'.
    let given = std::sync::Mutex::new(BTreeSet::new());
    let recording = |name: &str| {
        let value = env(name);
        if let Some(value) = value.as_ref().filter(|v| !v.is_empty())
            && vibeguard_core::redact::is_secret_name(name.trim_start_matches("HURL_"))
        {
            given
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(value.clone());
        }
        value
    };
    let env: &(dyn Fn(&str) -> Option<String> + Sync) = &recording;
    let scope = Scope::new(&settings.target, &settings.allow_hosts)
        .filter(|_| matches!(settings.target.scheme(), "http" | "https"))
        .ok_or_else(|| ScenarioRunError::BadTarget(settings.target.to_string()))?;
    let executor = Executor::new(scope, settings.limits.clone())
        .map_err(|error| ScenarioRunError::Client(error.to_string()))?;
    let mut run = EngineRun::new(EngineId::Scenarios);
    run.errors
        .extend(suite.errors.iter().map(ScenarioError::engine_error));
    run.unchecked
        .extend(suite.notes.iter().map(|note| note.to_string()));
    let mut callers = Callers {
        settings,
        env,
        established: BTreeMap::new(),
    };
    let mut findings = Vec::new();
    let mut results = Vec::new();
    // Built once, when a surface-wide scenario first needs it.
    let mut surface: Option<Result<(ApiSpec, Url), String>> = None;
    let mut lists = BTreeMap::new();
    let on = enabled(crate::SCENARIO_FAILED.code.as_ref());
    for loaded in &suite.scenarios {
        let result = if !on {
            not_run(loaded, "VG501 is disabled")
        } else if loaded.scenario.destructive && !settings.allow_destructive {
            not_run(
                loaded,
                "it is destructive and the run was not given --allow-destructive",
            )
        } else if let Some(filter) = &loaded.scenario.for_each_operation {
            if surface.is_none() {
                surface = Some(build_surface(settings, &executor).await);
            }
            let expansion = match surface.as_ref() {
                Some(Ok((spec, base))) => {
                    let mut scenario_run = ScenarioRun {
                        executor: &executor,
                        callers: &mut callers,
                        env,
                        lists: &mut lists,
                        surface: surface.as_ref(),
                    };
                    on_each_operation(loaded, &filter.value, spec, base, &mut scenario_run).await
                }
                Some(Err(why)) => Expanded::Nothing(format!("no surface to run it over: {why}")),
                None => Expanded::Nothing("no surface to run it over".into()),
            };
            match expansion {
                Expanded::Nothing(reason) => not_run(loaded, &reason),
                Expanded::Ran {
                    results: ran,
                    left_out,
                    findings: found,
                } => {
                    findings.extend(found);
                    for (operation, reason) in &left_out {
                        run.untested.push(Untested {
                            place: format!(
                                "scenario `{}` on {operation} ({})",
                                loaded.scenario.name, loaded.file
                            ),
                            reason: reason.clone(),
                            rules: vec![crate::SCENARIO_FAILED.code.clone()],
                        });
                    }
                    let every_one_passed = left_out.is_empty()
                        && ran.iter().all(|r| r.status == ScenarioStatus::Passed);
                    for result in &ran {
                        record(&mut run, loaded, result, false);
                        run.cases.extend(cases_of(loaded, result));
                    }
                    if every_one_passed {
                        verify(&mut run, loaded);
                    }
                    results.extend(ran);
                    continue;
                }
            }
        } else {
            // A step that checks the description's response schema needs the description.
            if surface.is_none()
                && loaded
                    .scenario
                    .steps
                    .iter()
                    .any(|step| step.value.expect.matches_schema == Some(true))
            {
                surface = Some(build_surface(settings, &executor).await);
            }
            let mut scenario_run = ScenarioRun {
                executor: &executor,
                callers: &mut callers,
                env,
                lists: &mut lists,
                surface: surface.as_ref(),
            };
            let (result, finding) = run_scenario(loaded, None, &mut scenario_run).await;
            findings.extend(finding);
            result
        };
        record(&mut run, loaded, &result, true);
        run.cases.extend(cases_of(loaded, &result));
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
    let mut secrets: Vec<String> = callers
        .established
        .values()
        .filter_map(|e| e.as_ref().ok())
        .flat_map(Identity::secrets)
        .collect();
    secrets.extend(
        given
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned(),
    );
    // The operations surface-wide scenarios ran on.
    let operations: BTreeSet<&str> = results
        .iter()
        .filter(|r| !matches!(r.status, ScenarioStatus::NotRun(_)))
        .filter_map(|r| r.operation.as_deref())
        .collect();
    run.coverage = Coverage {
        requests: executor.requests_sent(),
        operations: operations.len() as u64,
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
        operation: None,
        status: ScenarioStatus::NotRun(reason.to_string()),
        steps: Vec::new(),
    }
}

/// Notes a result in the run: what did not run is untested; a passed scenario verifies its
/// items (`verifies`: it is the whole scenario, not one operation of a surface-wide one).
fn record(run: &mut EngineRun, loaded: &LoadedScenario, result: &ScenarioResult, verifies: bool) {
    match &result.status {
        ScenarioStatus::NotRun(reason) => run.untested.push(Untested {
            place: match &result.operation {
                Some(operation) => {
                    format!(
                        "scenario `{}` on {operation} ({})",
                        result.name, result.file
                    )
                }
                None => format!("scenario `{}` ({})", result.name, result.file),
            },
            reason: reason.clone(),
            rules: vec![crate::SCENARIO_FAILED.code.clone()],
        }),
        ScenarioStatus::Passed if verifies => verify(run, loaded),
        ScenarioStatus::Passed | ScenarioStatus::Failed => {}
    }
}

/// A result as test cases, one per step: those sent passed or failed, those not sent skipped
/// with the reason (an earlier step failed, or what stopped the scenario).
fn cases_of(loaded: &LoadedScenario, result: &ScenarioResult) -> Vec<TestCase> {
    let group = match &result.operation {
        Some(operation) => format!("{} on {operation}", result.name),
        None => result.name.clone(),
    };
    let mut cases: Vec<TestCase> = result
        .steps
        .iter()
        .map(|step| TestCase {
            group: group.clone(),
            name: step.label.clone(),
            outcome: if step.failures.is_empty() {
                CaseOutcome::Passed
            } else {
                CaseOutcome::Failed
            },
            message: step.failures.join("; "),
            duration_ms: step.elapsed_ms,
        })
        .collect();
    let why_not_sent = match &result.status {
        ScenarioStatus::NotRun(reason) => reason.clone(),
        ScenarioStatus::Failed => "not sent: an earlier step failed".into(),
        ScenarioStatus::Passed => String::new(),
    };
    cases.extend(
        loaded
            .scenario
            .steps
            .iter()
            .skip(result.steps.len())
            .map(|step| TestCase {
                group: group.clone(),
                name: step_label(&step.value),
                outcome: CaseOutcome::Skipped,
                message: why_not_sent.clone(),
                duration_ms: 0,
            }),
    );
    cases
}

fn verify(run: &mut EngineRun, loaded: &LoadedScenario) {
    run.verified
        .extend(loaded.checklist.iter().map(|item| Verified {
            item: *item,
            by: Text::Owned(format!("scenario `{}`", loaded.scenario.name)),
        }));
}

/// The surface of surface-wide scenarios, and the URL its paths are joined onto.
async fn build_surface(
    settings: &ScenarioSettings,
    executor: &Executor,
) -> Result<(ApiSpec, Url), String> {
    let inputs = &settings.surface;
    let imported = vibeguard_http::traffic::import(
        &inputs.traffic,
        inputs.traffic_environment.as_deref(),
        &settings.target,
    );
    let built = vibeguard_http::surface::build(
        &inputs.spec,
        imported.spec,
        &inputs.routes,
        !inputs.traffic.is_empty(),
        &settings.target,
        executor,
    )
    .await
    .map_err(|error| error.to_string())?;
    let base = vibeguard_http::surface::base_url(&settings.target, &built.spec);
    Ok((built.spec, base))
}

/// What a surface-wide scenario did.
enum Expanded {
    /// It ran on no operation, for this reason.
    Nothing(String),
    /// It ran on these operations.
    Ran {
        /// One result per operation.
        results: Vec<ScenarioResult>,
        /// Operations the filter matches that it may not send, with the reason.
        left_out: Vec<(String, String)>,
        /// One finding per operation where it failed.
        findings: Vec<Finding>,
    },
}

/// What one scenario's run shares with the others: the executor, the identities, the
/// environment, and the objects listed so far for `objects_of`.
struct ScenarioRun<'r, 'c> {
    executor: &'r Executor,
    callers: &'r mut Callers<'c>,
    env: &'r (dyn Fn(&str) -> Option<String> + Sync),
    /// `(identity, collection URL)` → the ids of the objects there, or why there are none.
    lists: &'r mut BTreeMap<(String, String), Result<Vec<String>, String>>,
    /// The API's surface with its base URL, when a scenario needed it; or why there is none.
    surface: Option<&'r Result<(ApiSpec, Url), String>>,
}

/// The operation a surface-wide scenario runs on, with its path's values.
struct OnOperation<'a> {
    operation: &'a Operation,
    base: &'a Url,
    values: BTreeMap<String, String>,
}

/// Runs a surface-wide scenario on every operation its filter selects.
async fn on_each_operation(
    loaded: &LoadedScenario,
    filter: &OperationFilter,
    spec: &ApiSpec,
    base: &Url,
    scenario_run: &mut ScenarioRun<'_, '_>,
) -> Expanded {
    let selection = surface_wide::select(filter, spec, loaded.scenario.destructive);
    let left_out: Vec<(String, String)> = selection
        .left_out
        .iter()
        .map(|(operation, why)| (operation.label(), why.clone()))
        .collect();
    if selection.operations.is_empty() {
        return Expanded::Nothing(format!(
            "no operation of the surface ({} in all) matches its for_each_operation{}",
            spec.operations
                .iter()
                .filter(|o| !o.is_whole_target())
                .count(),
            if left_out.is_empty() {
                String::new()
            } else {
                format!(
                    " that it may send ({} left out: it is not destructive)",
                    left_out.len()
                )
            }
        ));
    }
    let mut results = Vec::new();
    let mut findings = Vec::new();
    for operation in selection.operations {
        let (every_values, object_param) =
            match path_values(loaded, filter, operation, base, scenario_run).await {
                Ok(found) => found,
                Err(why) => {
                    let mut result = not_run(loaded, &why);
                    result.operation = Some(operation.label());
                    results.push(result);
                    continue;
                }
            };
        for values in every_values {
            // One run per object of `objects_of`, each named with its object.
            let label = match object_param
                .as_deref()
                .and_then(|p| Some((p, values.get(p)?)))
            {
                Some((param, id)) => format!("{} ({param} {id})", operation.label()),
                None => operation.label(),
            };
            let on = OnOperation {
                operation,
                base,
                values,
            };
            let (mut result, finding) = run_scenario(loaded, Some(&on), scenario_run).await;
            result.operation = Some(label);
            let failed = finding.is_some();
            findings.extend(finding);
            results.push(result);
            // One finding per operation: the first object it fails on says it.
            if failed {
                break;
            }
        }
    }
    Expanded::Ran {
        results,
        left_out,
        findings,
    }
}

/// The values of an operation's path parameters: a variable of the same name, else (for the
/// last one, with `objects_of`) each object of that identity's list — one set of values per
/// object, and the parameter they fill —, else a valid value for the parameter's schema.
async fn path_values(
    loaded: &LoadedScenario,
    filter: &OperationFilter,
    operation: &Operation,
    base: &Url,
    scenario_run: &mut ScenarioRun<'_, '_>,
) -> Result<(Vec<BTreeMap<String, String>>, Option<String>), String> {
    let mut values = BTreeMap::new();
    let mut synthesizer = vibeguard_http::synth::Synthesizer::new(0x5ce7_a210);
    let owned = surface_wide::collection_of(operation);
    for name in operation.path_params() {
        if let Some(value) = loaded
            .scenario
            .vars
            .get(name)
            .cloned()
            .or_else(|| (scenario_run.env)(name))
        {
            values.insert(name.to_string(), value);
            continue;
        }
        if let (Some(owner), Some((collection, param))) = (&filter.objects_of, &owned)
            && param == name
        {
            // The objects' parameter is the path's last: every other one is filled already.
            let ids = objects(&owner.value, collection, param, &values, base, scenario_run).await?;
            let every = ids
                .into_iter()
                .map(|id| {
                    let mut one = values.clone();
                    one.insert(name.to_string(), id);
                    one
                })
                .collect();
            return Ok((every, Some(name.to_string())));
        }
        let schema = operation
            .parameters
            .iter()
            .find(|p| p.location == ParamIn::Path && p.name == name)
            .map(|p| p.schema.clone())
            .unwrap_or_default();
        let value = vibeguard_http::body::value_text(&synthesizer.valid(&schema, name));
        values.insert(name.to_string(), value);
    }
    Ok((vec![values], None))
}

/// The ids of the objects `owner` sees in the collection at `collection` (its own parameters
/// filled from `values`; the first [`surface_wide::MAX_OBJECTS`]), listed once per run.
async fn objects(
    owner: &str,
    collection: &str,
    param: &str,
    values: &BTreeMap<String, String>,
    base: &Url,
    scenario_run: &mut ScenarioRun<'_, '_>,
) -> Result<Vec<String>, String> {
    let lookup = |name: &str| values.get(name).cloned();
    let path = template::fill_path(collection, &lookup)?;
    let url = identity::join(base, &path).map_err(|e| format!("invalid path {path}: {e}"))?;
    let key = (owner.to_string(), url.to_string());
    if let Some(known) = scenario_run.lists.get(&key) {
        return known.clone();
    }
    let found = match scenario_run.callers.get(owner, scenario_run.executor).await {
        Err(why) => Err(format!("`objects_of: {owner}` cannot act: {why}")),
        Ok(identity) => {
            let mut request = Request::new("GET", url.clone());
            identity.apply(&mut request);
            let exchange = scenario_run.executor.send(request).await;
            match exchange.response() {
                Some(answer) if answer.is_success() => answer
                    .json()
                    .map(|list| surface_wide::object_ids(&list, param, collection))
                    .filter(|ids| !ids.is_empty())
                    .ok_or_else(|| {
                        format!(
                            "{owner}'s list GET {path} shows no object with an id for `{{{param}}}`"
                        )
                    }),
                Some(answer) => Err(format!(
                    "{owner}'s list GET {path} answered {}",
                    answer.status
                )),
                None => Err(format!("{owner}'s list GET {path} gave no answer")),
            }
        }
    };
    scenario_run.lists.insert(key, found.clone());
    found
}

/// Runs one scenario (on one operation, for a surface-wide one): its result, and its finding
/// when it failed.
async fn run_scenario(
    loaded: &LoadedScenario,
    on: Option<&OnOperation<'_>>,
    scenario_run: &mut ScenarioRun<'_, '_>,
) -> (ScenarioResult, Option<Finding>) {
    let scenario = &loaded.scenario;
    let env = scenario_run.env;
    let executor = scenario_run.executor;
    let mut result = ScenarioResult {
        file: loaded.file.clone(),
        name: scenario.name.clone(),
        operation: None,
        status: ScenarioStatus::Passed,
        steps: Vec::new(),
    };
    let mut captured: BTreeMap<String, String> = BTreeMap::new();
    if let Some(on) = on {
        captured.extend(on.values.clone());
        captured.insert("operation.method".into(), on.operation.method.clone());
        captured.insert("operation.path".into(), on.operation.path.clone());
    }
    let mut bodies: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for spanned in &scenario.steps {
        let step = &spanned.value;
        let step_line = spanned.referenced.line();
        let label = step_label(step);
        // One request, or one per `for_each` value (each judged), or `repeat` of them (the last
        // judged).
        let bindings: Vec<Option<(String, String)>> = match (&step.for_each, &step.repeat) {
            (Some(for_each), _) => for_each
                .value
                .values
                .iter()
                .map(|value| Some((for_each.value.var.clone(), value.clone())))
                .collect(),
            (None, Some(times)) => (1..=times.value)
                .map(|i| Some(("iteration".to_string(), i.to_string())))
                .collect(),
            (None, None) => vec![None],
        };
        let judge_each = step.for_each.is_some();
        let count = bindings.len();
        let mut last = None;
        for (index, binding) in bindings.into_iter().enumerate() {
            let lookup = |name: &str| {
                binding
                    .as_ref()
                    .filter(|(var, _)| var == name)
                    .map(|(_, value)| value.clone())
                    .or_else(|| captured.get(name).cloned())
                    .or_else(|| scenario.vars.get(name).cloned())
                    .or_else(|| env(name))
                    // Hurl's own convention for its variables.
                    .or_else(|| env(&format!("HURL_{name}")))
            };
            let target = scenario_run.callers.settings.target.clone();
            let mut request = match build(step, on, &target, &lookup) {
                Ok(request) => request,
                Err(why) => {
                    result.status = ScenarioStatus::NotRun(format!("step `{label}`: {why}"));
                    return (result, None);
                }
            };
            if let Some(caller) = step.caller.as_ref().map(|c| c.value.as_str())
                && caller != "anonymous"
            {
                match scenario_run.callers.get(caller, executor).await {
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
            let judged = judge_each || index + 1 == count;
            let mut failures = if judged {
                expect::judge(&step.expect, &exchange, &bodies, &lookup)
            } else {
                Vec::new()
            };
            if judged && step.expect.matches_schema == Some(true) {
                match schema_failures(&exchange, on, scenario_run.surface) {
                    Ok(found) => failures.extend(found),
                    Err(why) => {
                        result.status = ScenarioStatus::NotRun(format!("step `{label}`: {why}"));
                        return (result, None);
                    }
                }
            }
            if let Some((var, value)) = binding.as_ref().filter(|_| judge_each)
                && !failures.is_empty()
            {
                failures.insert(0, format!("with {var} = `{value}`"));
            }
            last = Some((exchange, failures));
            if last.as_ref().is_some_and(|(_, f)| !f.is_empty()) {
                break;
            }
        }
        let Some((exchange, mut failures)) = last else {
            result.status = ScenarioStatus::NotRun(format!("step `{label}` has no value to send"));
            return (result, None);
        };
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
            let finding = failed(loaded, on, step_line, &label, &failures, &exchange);
            return (result, Some(finding));
        }
    }
    (result, None)
}

/// How an answer breaks the description's schema for its status, or why it cannot be judged
/// (no description, no operation of it for the request, no schema for the status): a step
/// that cannot be judged is not run, never passed.
fn schema_failures(
    exchange: &Exchange,
    on: Option<&OnOperation<'_>>,
    surface: Option<&Result<(ApiSpec, Url), String>>,
) -> Result<Vec<String>, String> {
    let Some(response) = exchange.response() else {
        return Ok(Vec::new());
    };
    let (spec, base) = match surface {
        Some(Ok((spec, base))) => (spec, base),
        Some(Err(why)) => return Err(format!("no description to check the answer against: {why}")),
        None => return Err("no description to check the answer against".into()),
    };
    let method = &exchange.request.method;
    let path = exchange.request.url.path();
    let relative = path
        .strip_prefix(base.path().trim_end_matches('/'))
        .unwrap_or(path);
    let operation = on.map(|on| on.operation).or_else(|| {
        spec.operations.iter().find(|op| {
            op.method == *method
                && (vibeguard_http::spec::path_matches_template(&op.path, relative)
                    || vibeguard_http::spec::path_matches_template(&op.path, path))
        })
    });
    let Some(operation) = operation else {
        return Err(format!(
            "no operation of the description is {method} {path}: its answer has no schema to match"
        ));
    };
    let Some(schema) = vibeguard_http::spec::conform::response_schema(operation, response.status)
    else {
        return Err(format!(
            "the description gives no JSON schema for status {} of {}",
            response.status,
            operation.label()
        ));
    };
    let Some(body) = response.json() else {
        return Ok(vec![format!(
            "expected a JSON body matching the description's schema for {}, got {}",
            response.status,
            response
                .header("content-type")
                .unwrap_or("a body that is not JSON")
        )]);
    };
    Ok(vibeguard_http::spec::conform::violations(&body, schema)
        .into_iter()
        .map(|violation| {
            format!(
                "the answer breaks the description's schema for {} of {}: {violation}",
                response.status,
                operation.label()
            )
        })
        .collect())
}

/// The request a step sends, before its caller's credential: its own path under the target,
/// or (a step without one, in a surface-wide scenario) the operation under the surface's base,
/// with a valid body for its schema when the step gives none.
fn build(
    step: &Step,
    on: Option<&OnOperation<'_>>,
    target: &Url,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Request, String> {
    let (method, path, base) = match (&step.path, on) {
        (Some(path), _) => (
            step.method.clone().unwrap_or_else(|| "GET".into()),
            path.value.clone(),
            target,
        ),
        (None, Some(on)) => (
            step.method
                .clone()
                .unwrap_or_else(|| on.operation.method.clone()),
            on.operation.path.clone(),
            on.base,
        ),
        (None, None) => return Err("it has no path".into()),
    };
    let path = template::fill_path(&path, lookup)?;
    // A captured `Location` may be a whole URL; the executor's scope still decides whether it
    // is sent.
    let mut url = match Url::parse(&path) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ if path.starts_with('/') => {
            identity::join(base, &path).map_err(|e| format!("invalid path: {e}"))?
        }
        _ => return Err(format!("the path `{path}` is neither `/…` nor a URL")),
    };
    if !step.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in &step.query {
            pairs.append_pair(name, &template::interpolate(value, lookup)?);
        }
    }
    let method = method.to_ascii_uppercase();
    let mut request = Request::new(&method, url);
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
    } else if let Some(fields) = &step.multipart {
        let mut parts = Vec::new();
        for (name, field) in fields {
            parts.push(match field {
                MultipartField::Text(text) => {
                    vibeguard_http::body::Part::text(name, &template::interpolate(text, lookup)?)
                }
                MultipartField::File(file) => vibeguard_http::body::Part {
                    name: name.clone(),
                    filename: Some(template::interpolate(&file.file, lookup)?),
                    content_type: file.content_type.clone(),
                    content: template::interpolate(&file.content, lookup)?.into_bytes(),
                },
            });
        }
        request = vibeguard_http::body::with_multipart(request, &parts);
    } else if let Some(body) = on
        .filter(|_| step.path.is_none() && matches!(method.as_str(), "POST" | "PUT" | "PATCH"))
        .and_then(|on| on.operation.body.as_ref())
    {
        let value = vibeguard_http::synth::Synthesizer::new(0x5ce7_a210).valid(&body.schema, "");
        request = vibeguard_http::body::with_body(request, body.kind, &body.media_type, &value);
    }
    Ok(request)
}

/// The finding of a failed scenario.
/// Placed at its failed step's operation, and written (for SARIF and code review) at the
/// step's line in the scenario file: where the requirement that does not hold is.
fn failed(
    loaded: &LoadedScenario,
    on: Option<&OnOperation<'_>>,
    step_line: u64,
    label: &str,
    failures: &[String],
    exchange: &Exchange,
) -> Finding {
    let scenario = &loaded.scenario;
    let (method, path) = match on {
        Some(on) => (on.operation.method.clone(), on.operation.path.clone()),
        None => (
            exchange.request.method.clone(),
            exchange.request.url.path().to_string(),
        ),
    };
    let location = Location::Operation {
        method: method.clone(),
        path: path.clone(),
        parameter: None,
        declared_at: Some(DeclaredAt {
            path: loaded.file.clone(),
            line: u32::try_from(step_line).unwrap_or(u32::MAX),
        }),
    };
    let (message, fingerprint) = match on {
        Some(_) => (
            format!(
                "scenario `{}` failed on {method} {path} at step `{label}`: {}",
                scenario.name,
                failures.join("; ")
            ),
            format!(
                "{}\u{1f}{}\u{1f}{method} {path}",
                loaded.file, scenario.name
            ),
        ),
        None => (
            format!(
                "scenario `{}` failed at step `{label}`: {}",
                scenario.name,
                failures.join("; ")
            ),
            format!("{}\u{1f}{}", loaded.file, scenario.name),
        ),
    };
    let mut finding = Finding::new(&crate::SCENARIO_FAILED, location, message, fingerprint)
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
