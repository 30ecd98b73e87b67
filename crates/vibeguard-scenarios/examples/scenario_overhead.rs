//! Benchmark (run by `bench/scenarios.sh`): the scenario engine's cost per step next to the
//! executor alone, in the same run, against the demo API on 127.0.0.1. The same 500 requests
//! (`GET /api/users/me` as alice, one at a time) are sent as 50 scenarios of 10 steps — each step
//! interpolating its path, judging status, JSON, body text, free_of and time — and as a plain
//! loop over the executor with alice's credential. Prints both medians and their ratio (goal:
//! within 1.2×).

use std::time::{Duration, Instant};

use serde_json::json;
use url::Url;
use vibeguard_demo::api::{ACCOUNTS, DemoApi, Mode};
use vibeguard_http::http::{Executor, Limits, Request, Scope};
use vibeguard_http::identity::{self, IdentityConfig};
use vibeguard_scenarios::ScenarioSettings;

const SCENARIOS: usize = 50;
const STEPS: usize = 10;
const ROUNDS: usize = 5;

fn limits() -> Limits {
    Limits {
        max_requests: 10_000,
        max_duration: Duration::from_secs(600),
        rps: None,
        concurrency: 1,
        ..Limits::default()
    }
}

fn alice() -> IdentityConfig {
    IdentityConfig::json_login(
        "/api/login",
        json!({"email": ACCOUNTS[0].0, "password": ACCOUNTS[0].1}),
        "/token",
    )
}

fn suite_text() -> String {
    let mut text = String::from("vars:\n  who: me\nscenarios:\n");
    for scenario in 0..SCENARIOS {
        text.push_str(&format!(
            "  - name: tasks are listed {scenario}\n    steps:\n"
        ));
        for step in 0..STEPS {
            text.push_str(&format!(
                "      - name: step {step}\n        as: alice\n        path: /api/users/${{who}}\n        expect:\n          status: 200\n          max_ms: 5000\n          body: {{not_contains: Traceback, case_insensitive: true}}\n          free_of: internals\n"
            ));
        }
    }
    text
}

async fn scenarios_once(target: &Url, suite: &vibeguard_scenarios::Suite) -> Duration {
    let settings = ScenarioSettings {
        target: target.clone(),
        allow_hosts: Vec::new(),
        limits: limits(),
        allow_destructive: false,
        identities: vec![("alice".into(), alice())],
        surface: vibeguard_scenarios::run::SurfaceInputs::default(),
    };
    let started = Instant::now();
    let outcome = vibeguard_scenarios::run(suite, &settings, &|_| true, &|_| None)
        .await
        .expect("the suite runs");
    let took = started.elapsed();
    let passed = outcome
        .results
        .iter()
        .filter(|r| r.status == vibeguard_scenarios::ScenarioStatus::Passed)
        .count();
    assert_eq!(passed, SCENARIOS, "every scenario passes on the demo");
    took
}

async fn executor_once(target: &Url) -> Duration {
    let started = Instant::now();
    let scope = Scope::new(target, &[]).expect("scope");
    let executor = Executor::new(scope, limits()).expect("executor");
    let identity = identity::establish("alice", &alice(), &executor, target, &|_| None)
        .await
        .expect("alice logs in");
    let url = identity::join(target, "/api/users/me").expect("url");
    for _ in 0..SCENARIOS * STEPS {
        let mut request = Request::new("GET", url.clone());
        identity.apply(&mut request);
        let exchange = executor.send(request).await;
        assert_eq!(exchange.status(), Some(200));
    }
    drop(executor.take_exchanges());
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let api = DemoApi::start(Mode::Hardened, 0).await.expect("demo API");
    let target = Url::parse(&api.url()).expect("url");
    let (scenarios, errors) =
        vibeguard_scenarios::load::parse("bench.yaml", &suite_text(), &["alice".into()]);
    assert!(errors.is_empty(), "{errors:?}");
    let suite = vibeguard_scenarios::Suite {
        scenarios,
        errors,
        files: 1,
        ..vibeguard_scenarios::Suite::default()
    };
    // Warm both paths, then alternate them so drift hits both alike.
    let _ = executor_once(&target).await;
    let _ = scenarios_once(&target, &suite).await;
    let (mut raw, mut engine) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        raw.push(executor_once(&target).await);
        engine.push(scenarios_once(&target, &suite).await);
    }
    let (raw, engine) = (median(raw), median(engine));
    let steps = (SCENARIOS * STEPS) as f64;
    println!(
        "executor alone:   {:>8.1} ms for {} requests ({:.0} µs/request)",
        raw.as_secs_f64() * 1000.0,
        SCENARIOS * STEPS,
        raw.as_secs_f64() * 1e6 / steps
    );
    println!(
        "scenario engine:  {:>8.1} ms for {} steps ({:.0} µs/step)",
        engine.as_secs_f64() * 1000.0,
        SCENARIOS * STEPS,
        engine.as_secs_f64() * 1e6 / steps
    );
    println!(
        "ratio (scenario engine / executor alone): {:.2}x (goal: at most 1.20x)",
        engine.as_secs_f64() / raw.as_secs_f64()
    );
}
