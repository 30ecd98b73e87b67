//! Time-based confirmation. One slow answer proves nothing (networks stall, servers pause for
//! garbage collection, some answers are slow for everyone); an injected delay does: when the
//! payload asks for 0, 1, 2 … units of delay, in shuffled order and twice over, the answer time
//! grows in a straight line with the units asked. A check reports only when a least-squares fit
//! of answer time against requested delay is close to a line (R² ≥ 0.9), rises by a clear margin
//! over the series, and the zero-delay answers are as fast as the baseline.

use std::time::Duration;

/// The delays (in units) of a confirmation series: 0, 1 and 2 units, twice, interleaved so that
/// a server slowing down over time does not look like a line.
pub const SERIES: [u32; 6] = [1, 0, 2, 0, 2, 1];

/// The answer time must rise at least this much (seconds) from 0 to 2 units.
const MIN_RISE_SECONDS: f64 = 0.4;
/// The fit must explain this much of the variation.
const MIN_R_SQUARED: f64 = 0.9;

/// A least-squares line through (delay, seconds) points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Seconds per unit of delay.
    pub slope: f64,
    /// Seconds at zero delay.
    pub intercept: f64,
    /// Coefficient of determination (1 is a perfect line).
    pub r_squared: f64,
}

/// The least-squares fit of `points` (delay units, seconds); `None` with fewer than three
/// points or no spread in the delays.
pub fn fit(points: &[(f64, f64)]) -> Option<Fit> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    if sxx <= f64::EPSILON {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let r_squared = if syy <= f64::EPSILON {
        0.0
    } else {
        (sxy * sxy) / (sxx * syy)
    };
    Some(Fit {
        slope,
        intercept,
        r_squared,
    })
}

/// What a series says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The delay is under the input's control.
    Confirmed(Fit),
    /// It is not (or not clearly).
    Rejected,
}

/// Judges a confirmation series: `points` are (units asked, answer time); `baseline` the answer
/// times of the unchanged request; `expected_per_unit`, when the payload's unit is a known time
/// (a sleep of one second), the slope it must roughly have (between 0.5 and 3 times, since some
/// databases sleep once per row).
pub fn judge(
    points: &[(u32, Duration)],
    baseline: &[Duration],
    expected_per_unit: Option<f64>,
) -> Verdict {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|(units, elapsed)| (f64::from(*units), elapsed.as_secs_f64()))
        .collect();
    let Some(line) = fit(&xy) else {
        return Verdict::Rejected;
    };
    let max_units = xy.iter().map(|p| p.0).fold(0.0, f64::max);
    let rise = line.slope * max_units;
    let slowest_baseline = baseline
        .iter()
        .map(Duration::as_secs_f64)
        .fold(0.0, f64::max);
    let zero_delay_fast = xy
        .iter()
        .filter(|p| p.0 == 0.0)
        .all(|p| p.1 <= slowest_baseline + MIN_RISE_SECONDS / 2.0);
    let slope_plausible =
        expected_per_unit.is_none_or(|unit| line.slope >= unit * 0.5 && line.slope <= unit * 3.0);
    if line.r_squared >= MIN_R_SQUARED
        && rise >= MIN_RISE_SECONDS
        && zero_delay_fast
        && slope_plausible
    {
        Verdict::Confirmed(line)
    } else {
        Verdict::Rejected
    }
}

/// Whether a probe of the injection checks that measure delays is timed: its baselines and its
/// delay payloads (`…#time:…`, `…#series:…`), whose answer times are the evidence.
pub fn timed_label(label: &str) -> bool {
    label.starts_with("baseline") || label.contains("#time:") || label.contains("#series:")
}

/// Whether one answer is slow enough, against the baseline, to be worth a confirmation series.
pub fn suspicious(elapsed: Duration, baseline: &[Duration]) -> bool {
    let slowest = baseline.iter().max().copied().unwrap_or_default();
    elapsed.as_secs_f64() >= slowest.as_secs_f64() + MIN_RISE_SECONDS * 0.75
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_delay_that_follows_the_payload_is_confirmed() {
        let base = [ms(4), ms(6), ms(5)];
        let points: Vec<(u32, Duration)> = SERIES
            .iter()
            .map(|&u| (u, ms(5 + u64::from(u) * 500)))
            .collect();
        match judge(&points, &base, Some(0.5)) {
            Verdict::Confirmed(fit) => {
                assert!((fit.slope - 0.5).abs() < 0.01);
                assert!(fit.r_squared > 0.99);
            }
            Verdict::Rejected => panic!("a clean line must be confirmed"),
        }
    }

    #[test]
    fn jitter_uniform_slowness_and_drift_are_not_delays() {
        let base = [ms(300), ms(20), ms(150)];
        // Random-looking jitter up to 300 ms.
        let jitter = [ms(120), ms(280), ms(30), ms(250), ms(90), ms(200)];
        let points: Vec<(u32, Duration)> = SERIES.iter().copied().zip(jitter).collect();
        assert_eq!(judge(&points, &base, None), Verdict::Rejected);
        // Every answer takes a second, whatever is asked.
        let slow: Vec<(u32, Duration)> = SERIES
            .iter()
            .map(|&u| (u, ms(1000 + u64::from(u))))
            .collect();
        assert_eq!(judge(&slow, &[ms(1000)], None), Verdict::Rejected);
        // A server getting slower with every request: shuffled delays do not line up.
        let drift: Vec<(u32, Duration)> = SERIES
            .iter()
            .enumerate()
            .map(|(i, &u)| (u, ms(100 + 150 * i as u64)))
            .collect();
        assert_eq!(judge(&drift, &[ms(100)], None), Verdict::Rejected);
        // A line whose slope is far from the one the payload asks for.
        let tiny: Vec<(u32, Duration)> = SERIES
            .iter()
            .map(|&u| (u, ms(5 + u64::from(u) * 250)))
            .collect();
        assert_eq!(judge(&tiny, &[ms(5)], Some(1.0)), Verdict::Rejected);
    }

    #[test]
    fn one_slow_answer_is_only_a_suspicion() {
        assert!(suspicious(ms(900), &[ms(10), ms(12)]));
        assert!(!suspicious(ms(200), &[ms(10), ms(12)]));
        assert!(fit(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]).is_none());
    }
}
