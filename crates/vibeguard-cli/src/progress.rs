//! What a long run is doing, on standard error: on a terminal a spinner line (indicatif) with
//! the engine at work and, while the API is tested, the requests sent, their rate and the
//! budget left; in CI logs and pipes nothing, unless `--progress` asks for a plain line every
//! few seconds instead.

use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a log (`--progress` off a terminal) gets a line.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// Shows what the audit is doing.
#[derive(Debug)]
pub struct Progress {
    shown: Shown,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
enum Shown {
    Nothing,
    /// A redrawn line on a terminal.
    Spinner(ProgressBar),
    /// A plain line every [`LOG_EVERY`], from a thread that stops with the run.
    Log(Arc<std::sync::atomic::AtomicBool>),
}

#[derive(Debug, Default)]
struct State {
    step: String,
    /// While the API is tested: the requests sent by the process when it started, when, and
    /// the run's budget.
    requests: Option<(u64, Instant, u64)>,
}

impl State {
    fn line(&self) -> String {
        let Some((first, since, budget)) = self.requests else {
            return self.step.clone();
        };
        let sent = vibeguard_api::http::REQUESTS_SENT
            .load(Ordering::Relaxed)
            .saturating_sub(first);
        let seconds = since.elapsed().as_secs_f64().max(0.001);
        format!(
            "{} — {sent} requests ({:.0}/s), {} of the budget left, {:.0} s",
            self.step,
            sent as f64 / seconds,
            budget.saturating_sub(sent),
            seconds
        )
    }
}

impl Progress {
    /// Progress on a terminal unless the run is quiet; `forced` (`--progress`) also off a
    /// terminal, as plain lines.
    pub fn new(quiet: bool, forced: bool) -> Progress {
        let state = Arc::new(Mutex::new(State::default()));
        let shown = if quiet {
            Shown::Nothing
        } else if std::io::stderr().is_terminal() {
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            spinner.set_style(
                ProgressStyle::with_template("{spinner} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            spinner.enable_steady_tick(Duration::from_millis(120));
            // The counters change between steps: the line is rewritten from the state.
            let ticking = spinner.clone();
            let read = Arc::clone(&state);
            std::thread::spawn(move || {
                while !ticking.is_finished() {
                    if let Ok(state) = read.lock() {
                        ticking.set_message(state.line());
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
            });
            Shown::Spinner(spinner)
        } else if forced {
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let stopped = Arc::clone(&stop);
            let read = Arc::clone(&state);
            std::thread::spawn(move || {
                let mut last = Instant::now();
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if last.elapsed() >= LOG_EVERY {
                        last = Instant::now();
                        if let Ok(state) = read.lock() {
                            eprintln!("progress: {}", state.line());
                        }
                    }
                }
            });
            Shown::Log(stop)
        } else {
            Shown::Nothing
        };
        Progress { shown, state }
    }

    /// What the run does now.
    pub fn step(&self, message: &str) {
        if let Ok(mut state) = self.state.lock() {
            state.step = message.to_string();
            state.requests = None;
        }
        match &self.shown {
            Shown::Spinner(spinner) => spinner.set_message(message.to_string()),
            Shown::Log(_) => eprintln!("progress: {message}"),
            Shown::Nothing => {}
        }
    }

    /// The API test starts: from now on the line counts its requests against `budget`.
    pub fn requests(&self, message: &str, budget: u64) {
        self.step(message);
        if let Ok(mut state) = self.state.lock() {
            state.requests = Some((
                vibeguard_api::http::REQUESTS_SENT.load(Ordering::Relaxed),
                Instant::now(),
                budget,
            ));
        }
    }

    /// Clears the line (or stops the log).
    pub fn finish(&self) {
        match &self.shown {
            Shown::Spinner(spinner) => spinner.finish_and_clear(),
            Shown::Log(stop) => stop.store(true, Ordering::Relaxed),
            Shown::Nothing => {}
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
