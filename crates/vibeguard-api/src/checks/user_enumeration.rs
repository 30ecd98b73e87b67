//! VG415 user-enumeration: the login or password-reset answer tells whether an account exists —
//! a different status or message for a known account than for an unknown one, every time, or a
//! repeatable difference in answer time.

use std::borrow::Cow;
use std::time::Duration;

use serde_json::Value;
use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::auth_flows::{self, Flow};
use super::compare::Shape;
use super::inputs::strip_body;
use super::{Check, Context, Probe, http_evidence, location, with_body};
use crate::http::{Exchange, Request};
use crate::spec::{BodyKind, Operation};

/// The check.
#[derive(Debug)]
pub struct UserEnumeration;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG415"),
    name: Cow::Borrowed("user-enumeration"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("Login or password reset tells whether an account exists"),
    severity: Severity::Medium,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[204, 203]),
    owasp_api: Some(OwaspApi::Api2BrokenAuthentication),
    checklist: Cow::Borrowed(&[ChecklistId::Auth05]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The first identity's login request is sent with a wrong password, alternating with the \
             same request for an account that does not exist, four times each; password-reset \
             operations get the identity's account and an unknown one twice each. A status or \
             message (with the account names removed) that differs between the two and is the \
             same every time is a finding; so is an answer time that is, in every pair, longer for \
             one than for the other by more than 15 ms (a password hash computed only for real \
             accounts) — or in every pair but one, when even the quickest answer of the slower \
             side is 15 ms above the other side's median (jitter only adds time: one answer \
             slowed by a busy machine does not hide the difference). Four wrong passwords stay \
             under the usual lockout of five.",
        ),
        why: Cow::Borrowed(
            "A list of valid accounts turns password spraying and phishing from guessing into \
             targeting, and tells an attacker which e-mail addresses use the service.",
        ),
        example_bad: Cow::Borrowed(
            "if (!user) return res.status(401).json({ error: 'No account with that email' });\nif (!await bcrypt.compare(pw, user.hash)) return res.status(401).json({ error: 'Wrong password' });",
        ),
        example_fixed: Cow::Borrowed(
            "const hash = user?.hash ?? DUMMY_HASH; // same work for unknown accounts\nif (!user || !await bcrypt.compare(pw, hash)) return res.status(401).json({ error: 'Invalid email or password' });",
        ),
        fix: Cow::Borrowed(
            "Answer login failures with one message and status whatever failed, do the same \
             password-hash work for unknown accounts, and answer reset requests the same way \
             (\"if the account exists, we sent a link\").",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#authentication-and-error-messages",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/204.html"),
        ]),
    },
};

/// A timing difference counts when every pair differs by at least this much: the cheapest
/// password hashes in use (PBKDF2 at 150,000 rounds) take some 25 ms, and four pairs in a row
/// all apart by this much in the same direction are no jitter of a local server.
const MIN_GAP: Duration = Duration::from_millis(15);

/// Pairs of attempts sent.
const TIMING_PAIRS: usize = 4;

/// Answer times of the pairs, in ms: (known, unknown) each.
fn millis(list: &[&Exchange]) -> Vec<i128> {
    list.iter().map(|e| e.elapsed.as_millis() as i128).collect()
}

fn median(values: &[i128]) -> i128 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

/// Whether `slow` answers took longer than `fast` ones because of what was asked, not of
/// jitter: every pair apart by [`MIN_GAP`] — or every pair but one, when even the quickest of
/// `slow` is [`MIN_GAP`] above the typical `fast` answer. Jitter only ever adds time: a pair
/// that falls short because its fast answer was slowed (a busy machine) hides nothing then,
/// while a slow side whose quickest answer is not clearly slower (no hash that time) still
/// does not count.
fn slower(slow: &[i128], fast: &[i128]) -> (bool, usize) {
    let gap = MIN_GAP.as_millis() as i128;
    let apart = slow
        .iter()
        .zip(fast)
        .filter(|(s, f)| **s >= **f + gap)
        .count();
    let pairs = slow.len().min(fast.len());
    let quickest = slow.iter().copied().min().unwrap_or(0);
    let clear = apart == pairs || (apart + 1 == pairs && quickest >= median(fast) + gap);
    (pairs >= 2 && clear, apart)
}

/// The answers of the probes labelled `kind …` that have one, in the order sent.
fn answered<'r>(results: &'r [(Probe, Exchange)], kind: &str) -> Vec<&'r Exchange> {
    results
        .iter()
        .filter(|(p, e)| p.label.starts_with(kind) && e.response().is_some())
        .map(|(_, e)| e)
        .collect()
}

/// The first identity's account name and the login request's body (JSON or form).
fn account(context: &Context<'_>) -> Option<(String, String, Request)> {
    let login = context.identities.first()?.login.clone()?;
    let (_, body) = auth_flows::login_fields(&login)?;
    let (field, value) = body
        .iter()
        .find(|(name, value)| auth_flows::is_account_field(name) && value.is_string())?;
    Some((field.clone(), value.as_str()?.to_string(), login))
}

/// `request` with its body's account field set to `name` and secret fields wrong, encoded as
/// it was (JSON or form).
fn attempt(request: &Request, account_field: &str, name: &str) -> Option<Request> {
    let (kind, mut body) = auth_flows::login_fields(request)?;
    for (field, value) in body.iter_mut() {
        if field == account_field {
            *value = Value::String(name.to_string());
        } else if auth_flows::is_secret_field(field) {
            *value = Value::String("vibeguard-Wrong-E".into());
        }
    }
    Some(auth_flows::with_login_fields(request, kind, body))
}

/// The labels' kinds.
const KNOWN: &str = "known account";
const UNKNOWN: &str = "unknown account";

impl Check for UserEnumeration {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn essential(&self) -> bool {
        true
    }

    fn sequential(&self) -> bool {
        true
    }

    fn disruptive(&self) -> bool {
        true
    }

    fn not_applicable(&self, context: &Context<'_>) -> Option<&'static str> {
        account(context).is_none().then_some(
            "the first identity is not a login identity whose body (JSON or form) names its account",
        )
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some((field, known, login)) = account(context) else {
            return Vec::new();
        };
        let unknown = auth_flows::unknown_account(&known, context.seed % 1000);
        let (template, repeats) = match auth_flows::flow(operation) {
            // The login the identity uses (which may not be in the description at all).
            Some(Flow::Login)
                if login
                    .url
                    .path()
                    .ends_with(operation.path.trim_end_matches('/')) =>
            {
                (login, TIMING_PAIRS)
            }
            Some(Flow::PasswordReset) => {
                let Some(request) = context.request(operation, None, 0) else {
                    return Vec::new();
                };
                let Some(body) = &operation.body else {
                    return Vec::new();
                };
                let value = context
                    .synthesizer(operation, "valid")
                    .valid(&body.schema, "");
                let Some(account_field) = value.as_object().and_then(|map| {
                    map.keys()
                        .find(|k| auth_flows::is_account_field(k))
                        .cloned()
                }) else {
                    return Vec::new();
                };
                let request = with_body(
                    strip_body(&request),
                    BodyKind::Json,
                    "application/json",
                    &value,
                );
                return (0..2)
                    .flat_map(|n| {
                        [
                            attempt(&request, &account_field, &known)
                                .map(|r| (format!("{KNOWN} {n}"), r)),
                            attempt(&request, &account_field, &unknown)
                                .map(|r| (format!("{UNKNOWN} {n}"), r)),
                        ]
                    })
                    .flatten()
                    .map(|(label, request)| Probe {
                        label,
                        identity: None,
                        request,
                    })
                    .collect();
            }
            _ => return Vec::new(),
        };
        (0..repeats)
            .flat_map(|n| {
                [
                    attempt(&template, &field, &known).map(|r| (format!("{KNOWN} {n}"), r)),
                    attempt(&template, &field, &unknown).map(|r| (format!("{UNKNOWN} {n}"), r)),
                ]
            })
            .flatten()
            .map(|(label, request)| Probe {
                label,
                identity: None,
                request,
            })
            .collect()
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some((_, known_name, _)) = account(context) else {
            return Vec::new();
        };
        let unknown_name = auth_flows::unknown_account(&known_name, context.seed % 1000);
        let (known, unknown) = (answered(results, KNOWN), answered(results, UNKNOWN));
        if known.len() < 2 || unknown.len() < 2 || known.len() != unknown.len() {
            return Vec::new();
        }
        // Rate limits are not answers about accounts.
        if known
            .iter()
            .chain(&unknown)
            .any(|e| super::compare::throttled(e))
        {
            return Vec::new();
        }
        let echoed = [known_name.as_str(), unknown_name.as_str()];
        let shapes = |list: &[&Exchange]| -> Vec<Shape> {
            list.iter().map(|e| Shape::of(e, &echoed)).collect()
        };
        let (known_shapes, unknown_shapes) = (shapes(&known), shapes(&unknown));
        let consistent = |list: &[Shape]| list.windows(2).all(|w| w[0].same_as(&w[1]));
        let flow = auth_flows::flow(operation).map_or("login", Flow::describe);
        let message_differs = consistent(&known_shapes)
            && consistent(&unknown_shapes)
            && !known_shapes[0].same_as(&unknown_shapes[0]);
        let (known_ms, unknown_ms) = (millis(&known), millis(&unknown));
        let (slower_known, known_apart) = slower(&known_ms, &unknown_ms);
        let (slower_unknown, unknown_apart) = slower(&unknown_ms, &known_ms);
        let pairs = known.len();
        let how = if message_differs {
            format!(
                "answers {} for an existing account and {} for an unknown one",
                describe(known[0]),
                describe(unknown[0])
            )
        } else if slower_known || slower_unknown {
            let average = |list: &[&Exchange]| {
                list.iter().map(|e| e.elapsed).sum::<Duration>() / list.len() as u32
            };
            let agreeing = if slower_known {
                known_apart
            } else {
                unknown_apart
            };
            format!(
                "takes {} ms for an existing account and {} ms for an unknown one, in {} pairs",
                average(&known).as_millis(),
                average(&unknown).as_millis(),
                if agreeing == pairs {
                    format!("every one of {pairs}")
                } else {
                    format!("{agreeing} of {pairs}")
                }
            )
        } else {
            return Vec::new();
        };
        let mut finding = Finding::new(
            &META,
            location(operation, None),
            format!(
                "{}'s {flow} {how}: accounts can be enumerated",
                operation.label()
            ),
            flow,
        )
        .with_evidence(http_evidence(known[0]))
        .with_evidence(http_evidence(unknown[0]));
        if !message_differs {
            finding = finding
                .with_confidence(Confidence::Firm)
                .with_evidence(Evidence::Text {
                    label: "answer times (ms), known / unknown".into(),
                    text: known
                        .iter()
                        .zip(&unknown)
                        .map(|(k, u)| {
                            format!("{} / {}", k.elapsed.as_millis(), u.elapsed.as_millis())
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                });
        }
        vec![finding]
    }
}

fn describe(exchange: &Exchange) -> String {
    let Some(response) = exchange.response() else {
        return "nothing".into();
    };
    let message = response
        .json()
        .and_then(|v| {
            ["error", "message", "detail", "msg"]
                .iter()
                .find_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
        })
        .unwrap_or_default();
    if message.is_empty() {
        format!("{}", response.status)
    } else {
        format!(
            "{} \"{}\"",
            response.status,
            message.chars().take(80).collect::<String>()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};
    use url::Url;

    fn fixture() -> Fixture {
        let mut fixture = Fixture::new();
        fixture.identities[0].login = Some(
            Request::new(
                "POST",
                Url::parse("http://127.0.0.1:8080/api/login").expect("url"),
            )
            .json(&serde_json::json!({"email": "alice@example.com", "password": "alice-pass"})),
        );
        fixture
    }

    /// Runs the check: `server(known, i)` answers probe `i` of the pairs in order (known then
    /// unknown, pair after pair).
    fn run(server: &dyn Fn(bool, usize) -> (u16, &'static str, u64)) -> Vec<Finding> {
        let fixture = fixture();
        let context = fixture.context();
        let op = operation("POST", "/api/login", false);
        let probes = UserEnumeration.plan(&op, &context);
        assert_eq!(probes.len(), 8);
        let answer = |p: &Probe| {
            let body =
                String::from_utf8_lossy(p.request.body.as_deref().unwrap_or_default()).into_owned();
            assert!(
                !body.contains("alice-pass"),
                "the real password is never sent"
            );
            let known = body.contains("alice@example.com");
            let pair: usize = p
                .label
                .rsplit_once(' ')
                .and_then(|(_, n)| n.parse().ok())
                .expect("numbered");
            let (status, text, millis) = server(known, 2 * pair + usize::from(!known));
            let mut e = exchange("POST", "http://127.0.0.1:8080/api/login", status, &[], text);
            e.elapsed = Duration::from_millis(millis);
            (p.clone(), e)
        };
        let results: Vec<(Probe, Exchange)> = probes.iter().map(answer).collect();
        UserEnumeration.evaluate(&op, &results, &context)
    }

    #[test]
    fn different_messages_or_repeatable_timing_reveal_accounts() {
        let messages = run(&|known, _| {
            if known {
                (401, r#"{"error":"Wrong password"}"#, 3)
            } else {
                (401, r#"{"error":"No account with that email"}"#, 3)
            }
        });
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].message.contains("401 \"Wrong password\""),
            "{}",
            messages[0].message
        );
        let timing = run(&|known, _| {
            (
                401,
                r#"{"error":"Invalid email or password"}"#,
                if known { 80 } else { 4 },
            )
        });
        assert_eq!(timing.len(), 1);
        assert_eq!(timing[0].confidence, Confidence::Firm);
        // A fast hash (PBKDF2 at 150,000 rounds: 20–30 ms) is still a difference in every pair.
        let fast_hash = run(&|known, i| {
            (
                401,
                r#"{"error":"Invalid email or password"}"#,
                if known { [24, 21, 27, 22][i / 2] } else { 1 },
            )
        });
        assert_eq!(fast_hash.len(), 1);
        // A known answer under the gap (that time, no hash to tell): not every pair says it.
        let one_short = run(&|known, i| {
            (
                401,
                r#"{"error":"Invalid email or password"}"#,
                if known { [24, 12, 27, 22][i / 2] } else { 1 },
            )
        });
        assert!(one_short.is_empty());
        // An unknown answer slowed once (a busy machine) while every known one is clearly
        // slower than the typical unknown: 3 of 4 pairs say it, and that is enough.
        let one_slow = run(&|known, i| {
            (
                401,
                r#"{"error":"Invalid email or password"}"#,
                match (known, i / 2) {
                    (true, pair) => [24, 21, 27, 22][pair],
                    (false, 1) => 14,
                    (false, _) => 1,
                },
            )
        });
        assert_eq!(one_slow.len(), 1);
        assert!(
            one_slow[0].message.contains("in 3 of 4 pairs"),
            "{}",
            one_slow[0].message
        );
    }

    #[test]
    fn one_answer_for_both_and_jitter_reveal_nothing() {
        assert!(run(&|_, _| (401, r#"{"error":"Invalid email or password"}"#, 3)).is_empty());
        // Jitter that sometimes favours one side, sometimes the other.
        assert!(
            run(&|_, i| (
                401,
                r#"{"error":"Invalid email or password"}"#,
                [5, 60, 70, 8, 3, 50, 40, 9][i]
            ))
            .is_empty()
        );
    }

    /// An OAuth2 password-grant login (`/token`, form-encoded, as FastAPI's
    /// `OAuth2PasswordRequestForm` takes it) is probed in the same encoding.
    #[test]
    fn a_form_encoded_login_is_probed_as_a_form() {
        let mut fixture = Fixture::new();
        let mut login = Request::new(
            "POST",
            Url::parse("http://127.0.0.1:8080/token").expect("url"),
        );
        login.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        login.body = Some(
            b"grant_type=password&username=alice&password=alice-pass"
                .to_vec()
                .into(),
        );
        fixture.identities[0].login = Some(login);
        let context = fixture.context();
        assert_eq!(UserEnumeration.not_applicable(&context), None);
        let probes = UserEnumeration.plan(&operation("POST", "/token", false), &context);
        assert_eq!(probes.len(), 8);
        for probe in &probes {
            let body = String::from_utf8_lossy(probe.request.body.as_deref().unwrap_or_default())
                .into_owned();
            assert!(body.contains("grant_type=password"), "{body}");
            assert!(!body.contains("alice-pass"), "{body}");
            assert_eq!(
                probe.request.header_value("content-type"),
                Some("application/x-www-form-urlencoded")
            );
        }
        let unknown = probes
            .iter()
            .filter(|p| {
                String::from_utf8_lossy(p.request.body.as_deref().unwrap_or_default())
                    .contains("username=vibeguard_nobody_")
            })
            .count();
        assert_eq!(unknown, 4, "half the attempts name an unknown account");
    }
}
