//! Computed canaries: payloads that make the server *compute* a marker (`vgc1517x` from
//! `echo vgc$((37*41))x`, `vgt8633x` from `vgt{{97*89}}x`), so that an echo of the payload can
//! never look like a hit. A family that shows its marker is asked again with other numbers;
//! only two computed markers, both absent from the baseline, prove it. Shared by command
//! injection and template injection.

use std::collections::BTreeMap;

use serde_json::Value;

use super::inputs::{InjectionPoint, Template};
use super::{Probe, exchange_labelled};
use crate::http::Exchange;

/// One payload syntax: its name and how it wraps the computation `a*b` after the original value.
#[derive(Debug)]
pub struct Family {
    /// Shown in findings (`; separator`, `Jinja2/Twig/Nunjucks {{ }}`).
    pub name: &'static str,
    /// The payload for an original value, a marker prefix and two factors.
    pub payload: fn(original: &str, prefix: &str, a: u32, b: u32) -> String,
}

/// Factors of the first round and of the confirmation.
pub const ROUNDS: [(u32, u32); 2] = [(37, 41), (53, 59)];

/// The marker a payload computes.
pub fn marker(prefix: &str, (a, b): (u32, u32)) -> String {
    format!("{prefix}{}x", a * b)
}

fn label(point: &InjectionPoint, family: &Family, round: usize) -> String {
    format!("{}#canary:{}:{round}", point.label(), family.name)
}

/// The first round's probe of one point and family.
fn first_round(
    template: &Template,
    point: &InjectionPoint,
    family: &Family,
    prefix: &str,
) -> Probe {
    let payload = (family.payload)(&point.original_text(), prefix, ROUNDS[0].0, ROUNDS[0].1);
    template.probe(
        label(point, family, 0),
        template.with(point, &Value::String(payload)),
    )
}

/// The baseline and the first round: one probe per point and family.
pub fn plan(template: &Template, families: &[Family], prefix: &str) -> Vec<Probe> {
    let mut probes = vec![template.probe("baseline".into(), template.request.clone())];
    for point in &template.points {
        for family in families {
            probes.push(first_round(template, point, family, prefix));
        }
    }
    probes
}

/// The plain number the reflection probe carries: prime, never one of [`ROUNDS`]' products.
const PLAIN: u32 = 7919;

fn reflection_label(point: &InjectionPoint) -> String {
    format!("{}#canary:plain", point.label())
}

/// The baseline and, for each point, the original value with a plain marker where the payloads
/// go (`vgt7919x`): for a check that can only see its computed marker in the answer, a point
/// whose answer never shows its input cannot show it computed either, and gets no payloads
/// ([`first_round_where_shown`]) — on a form post that redirects, eight families a field were
/// eight requests (a sign-up each) that could prove nothing.
pub fn plan_reflection(template: &Template, prefix: &str) -> Vec<Probe> {
    let mut probes = vec![template.probe("baseline".into(), template.request.clone())];
    for point in &template.points {
        let plain = format!("{}{prefix}{PLAIN}x", point.original_text());
        probes.push(template.probe(
            reflection_label(point),
            template.with(point, &Value::String(plain)),
        ));
    }
    probes
}

/// The first round of payloads for the points whose plain marker came back in the answer
/// ([`plan_reflection`]), or whose probe had no answer to tell, and that have none yet.
pub fn first_round_where_shown(
    template: &Template,
    results: &[(Probe, Exchange)],
    families: &[Family],
    prefix: &str,
) -> Vec<Probe> {
    let plain = format!("{prefix}{PLAIN}x");
    let mut probes = Vec::new();
    for point in &template.points {
        let Some(reflection) = exchange_labelled(results, &reflection_label(point)) else {
            continue;
        };
        let shown = reflection.response().is_none() || shows(reflection, &plain);
        let sent = families
            .iter()
            .any(|family| exchange_labelled(results, &label(point, family, 0)).is_some());
        if !shown || sent {
            continue;
        }
        for family in families {
            probes.push(first_round(template, point, family, prefix));
        }
    }
    probes
}

fn shows(exchange: &Exchange, marker: &str) -> bool {
    exchange
        .response()
        .is_some_and(|response| response.text().contains(marker))
}

fn baseline_shows(results: &[(Probe, Exchange)], marker: &str) -> bool {
    results
        .iter()
        .filter(|(probe, _)| probe.label == "baseline")
        .any(|(_, exchange)| shows(exchange, marker))
}

/// The confirmation round for every family whose first marker came back.
pub fn follow_up(
    template: &Template,
    results: &[(Probe, Exchange)],
    families: &[Family],
    prefix: &str,
) -> Vec<Probe> {
    let mut probes = Vec::new();
    let first = marker(prefix, ROUNDS[0]);
    if baseline_shows(results, &first) {
        return probes;
    }
    for point in &template.points {
        for family in families {
            let hit = exchange_labelled(results, &label(point, family, 0))
                .is_some_and(|e| shows(e, &first));
            if hit && exchange_labelled(results, &label(point, family, 1)).is_none() {
                let payload =
                    (family.payload)(&point.original_text(), prefix, ROUNDS[1].0, ROUNDS[1].1);
                probes.push(template.probe(
                    label(point, family, 1),
                    template.with(point, &Value::String(payload)),
                ));
            }
        }
    }
    probes
}

/// Points proven by two computed markers: point label → (family, the confirming exchange).
pub fn proven<'a>(
    template: &Template,
    results: &'a [(Probe, Exchange)],
    families: &'static [Family],
    prefix: &str,
) -> BTreeMap<String, (&'static Family, &'a Exchange)> {
    let mut proven = BTreeMap::new();
    let markers = [marker(prefix, ROUNDS[0]), marker(prefix, ROUNDS[1])];
    if markers.iter().any(|m| baseline_shows(results, m)) {
        return proven;
    }
    for point in &template.points {
        for family in families {
            let (Some(first), Some(second)) = (
                exchange_labelled(results, &label(point, family, 0)),
                exchange_labelled(results, &label(point, family, 1)),
            ) else {
                continue;
            };
            if shows(first, &markers[0]) && shows(second, &markers[1]) {
                proven.entry(point.label()).or_insert((family, second));
            }
        }
    }
    proven
}
