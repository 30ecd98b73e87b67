//! JSON Web Tokens for the JWT checks: reading the identities' tokens, signing forged ones
//! (HMAC, `none`, empty signatures), the wordlist of common and default secrets, and the
//! operation the forged tokens are tried on. Not a check itself.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::{Sha256, Sha384, Sha512};

use super::{Context, IdentityView, Probe};
use crate::http::{Exchange, Request};
use crate::identity::Credential;
use crate::spec::Operation;

/// The wordlist: curated default secrets, words for generated combinations, and common
/// passwords (see the file's header for sources).
const WORDLIST: &str = include_str!("../../data/jwt-secrets.txt");

/// A decoded token.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    /// The header object.
    pub header: Map<String, Value>,
    /// The claims object.
    pub claims: Map<String, Value>,
    /// `base64(header).base64(claims)`, what the signature covers.
    pub signing_input: String,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl Jwt {
    /// Decodes a compact JWS; `None` when it is not one.
    pub fn parse(token: &str) -> Option<Jwt> {
        let mut parts = token.trim().split('.');
        let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let decode = |part: &str| -> Option<Map<String, Value>> {
            let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
            match serde_json::from_slice::<Value>(&bytes).ok()? {
                Value::Object(map) => Some(map),
                _ => None,
            }
        };
        let header_map = decode(header)?;
        header_map.get("alg")?.as_str()?;
        Some(Jwt {
            header: header_map,
            claims: decode(claims)?,
            signing_input: format!("{header}.{claims}"),
            signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
        })
    }

    /// The `alg` header.
    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    /// A claim as text (`sub` may be a number).
    pub fn claim_text(&self, name: &str) -> Option<String> {
        match self.claims.get(name)? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }
}

/// How a forged token is signed.
#[derive(Debug, Clone, Copy)]
pub enum Signing<'a> {
    /// No signature at all (`header.claims.`).
    Unsigned,
    /// HMAC with this algorithm (`HS256`, `HS384`, `HS512`) and key.
    Hmac(&'a str, &'a [u8]),
}

/// Encodes a token from a header and claims.
pub fn encode(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    signing: Signing<'_>,
) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(Value::Object(header.clone()).to_string()),
        URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string())
    );
    let signature = match signing {
        Signing::Unsigned => Vec::new(),
        Signing::Hmac(alg, key) => hmac(alg, key, input.as_bytes()).unwrap_or_default(),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// HMAC for `HS256`, `HS384` and `HS512`; `None` for other algorithms.
pub fn hmac(alg: &str, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    fn run<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        let mut mac = <M as KeyInit>::new_from_slice(key).ok()?;
        mac.update(data);
        Some(mac.finalize().into_bytes().to_vec())
    }
    match alg {
        "HS256" => run::<Hmac<Sha256>>(key, data),
        "HS384" => run::<Hmac<Sha384>>(key, data),
        "HS512" => run::<Hmac<Sha512>>(key, data),
        _ => None,
    }
}

/// The wordlist's entries, kept in one string (a quarter of a million small strings would each
/// carry an allocation and a header: some 20 MB more at the peak of a run).
#[derive(Debug, Default)]
pub struct Candidates {
    text: String,
    ends: Vec<u32>,
}

impl Candidates {
    /// How many there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Each candidate, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.text[start as usize..end as usize])
    }
}

/// The wordlist's entries, in order: defaults, then generated combinations, then passwords.
pub fn candidate_secrets() -> &'static Candidates {
    static CANDIDATES: LazyLock<Candidates> = LazyLock::new(build_candidates);
    &CANDIDATES
}

fn build_candidates() -> Candidates {
    let mut section = "";
    let mut defaults: Vec<&str> = Vec::new();
    let mut positions: Vec<Vec<&str>> = Vec::new();
    let mut joins: Vec<&str> = Vec::new();
    let mut suffixes: Vec<&str> = Vec::new();
    let mut passwords: Vec<&str> = Vec::new();
    let words_of = |line: &'static str| -> Vec<&'static str> {
        line.split(',')
            .map(|w| if w == "<none>" { "" } else { w })
            .collect()
    };
    for line in WORDLIST.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            section = name.trim();
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        match section {
            "defaults" => defaults.push(line),
            "positions" => positions.push(words_of(line)),
            "joins" => joins = words_of(line),
            "suffixes" => suffixes = words_of(line),
            "passwords" => passwords.push(line),
            _ => {}
        }
    }
    // Written straight into the one string, deduplicated by hash (a 64-bit collision among a
    // quarter of a million entries is a one-in-a-billion chance): no second copy of the list
    // exists at any moment.
    let mut out = Candidates::default();
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut add = |candidate: &str| {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(candidate);
        if !candidate.is_empty() && seen.insert(hash) {
            out.text.push_str(candidate);
            out.ends
                .push(u32::try_from(out.text.len()).unwrap_or(u32::MAX));
        }
    };
    for default in defaults {
        add(default);
    }
    let mut words: Vec<&str> = Vec::new();
    combine(&positions, 0, &mut words, &joins, &suffixes, &mut add);
    for password in passwords {
        add(password);
    }
    out
}

/// Every sequence of one word per position (empty words skipped), joined every way, with
/// every suffix; joined with `_`, also in upper case.
fn combine<'a>(
    positions: &[Vec<&'a str>],
    index: usize,
    words: &mut Vec<&'a str>,
    joins: &[&str],
    suffixes: &[&str],
    out: &mut dyn FnMut(&str),
) {
    if index == positions.len() {
        if words.is_empty() {
            return;
        }
        for join in joins {
            let body = words.join(join);
            for suffix in suffixes {
                let candidate = format!("{body}{suffix}");
                if *join == "_" {
                    out(&candidate.to_ascii_uppercase());
                }
                out(&candidate);
            }
        }
        return;
    }
    for word in &positions[index] {
        if word.is_empty() {
            combine(positions, index + 1, words, joins, suffixes, out);
        } else if !words.contains(word) {
            words.push(word);
            combine(positions, index + 1, words, joins, suffixes, out);
            words.pop();
        }
    }
}

const DIGITS: &[u8] = b"0123456789";
const LOWERCASE: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// Short key spaces searched after the wordlist, cheapest first: every string of the alphabet
/// with a length in the range — keys such as `482913` or `abcde` that a person or a careless
/// generator picks.
const KEY_SPACES: &[(&str, &[u8], std::ops::RangeInclusive<usize>)] = &[
    ("digits", DIGITS, 1..=6),
    ("lowercase letters", LOWERCASE, 1..=4),
    ("digits", DIGITS, 7..=7),
    ("lowercase letters", LOWERCASE, 5..=5),
    ("digits", DIGITS, 8..=8),
];

/// What an offline search for a token's HMAC secret did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSearch {
    /// The secret, when found.
    pub secret: Option<String>,
    /// Candidates tried.
    pub tried: u64,
    /// What was searched, completely: "the wordlist (… candidates)", "digits up to 7", ….
    pub searched: Vec<String>,
    /// What the time budget cut short, if anything.
    pub cut: Option<String>,
    /// How long it took.
    pub elapsed: std::time::Duration,
}

/// How long the offline search for an HMAC secret may take, by profile: the wordlist alone
/// (quick); with digits up to 7 and lowercase letters up to 5, about 45 million keys at some 9
/// million per second on two cores (standard); everything, digits up to 8 (deep).
pub fn search_budget(profile: super::Profile) -> std::time::Duration {
    match profile {
        super::Profile::Quick => std::time::Duration::ZERO,
        super::Profile::Standard => std::time::Duration::from_secs(5),
        super::Profile::Deep => std::time::Duration::from_secs(60),
    }
}

/// Searches `jwt`'s HMAC secret offline: the wordlist, then every string of digits up to 8
/// characters and of lowercase letters up to 5, on every core, until `budget` runs out. The
/// result is kept per token, so the checks that need the secret search once.
pub fn search_secret(jwt: &Jwt, budget: std::time::Duration) -> SecretSearch {
    type Cache =
        std::sync::Mutex<std::collections::HashMap<String, (std::time::Duration, SecretSearch)>>;
    static CACHE: LazyLock<Cache> = LazyLock::new(Cache::default);
    let key = format!(
        "{}.{}",
        jwt.signing_input,
        URL_SAFE_NO_PAD.encode(&jwt.signature)
    );
    // A search is reused when it settled the question or had at least this budget.
    if let Some((_, done)) = CACHE
        .lock()
        .ok()
        .and_then(|cache| cache.get(&key).cloned())
        .filter(|(spent, done)| done.secret.is_some() || done.cut.is_none() || *spent >= budget)
    {
        return done;
    }
    let result = search_uncached(jwt, budget);
    if let Ok(mut cache) = CACHE.lock() {
        cache.insert(key, (budget, result.clone()));
    }
    result
}

fn search_uncached(jwt: &Jwt, budget: std::time::Duration) -> SecretSearch {
    let started = std::time::Instant::now();
    let (found, tried) = crack(jwt);
    let mut search = SecretSearch {
        secret: found.map(str::to_string),
        tried: tried as u64,
        searched: vec![format!("the wordlist ({tried} candidates)")],
        cut: None,
        elapsed: started.elapsed(),
    };
    let alg = jwt.alg();
    if search.secret.is_some() || !alg.starts_with("HS") {
        return search;
    }
    let deadline = started + budget;
    for (name, alphabet, lengths) in KEY_SPACES {
        for len in lengths.clone() {
            match search_space(jwt, alg, alphabet, len, deadline) {
                SpaceResult::Found(secret, count) => {
                    search.tried += count;
                    search
                        .searched
                        .push(format!("{name} of {len} characters, where it was"));
                    search.secret = Some(secret);
                    search.elapsed = started.elapsed();
                    return search;
                }
                SpaceResult::Exhausted(count) => search.tried += count,
                SpaceResult::OutOfTime(count) => {
                    search.tried += count;
                    search.cut = Some(format!("{name} of length {len}"));
                    search.elapsed = started.elapsed();
                    return search;
                }
            }
        }
        search
            .searched
            .push(format!("{name} up to {} characters", lengths.end()));
    }
    search.elapsed = started.elapsed();
    search
}

enum SpaceResult {
    Found(String, u64),
    Exhausted(u64),
    OutOfTime(u64),
}

/// Every string of `length` characters of `alphabet`, split over the machine's cores.
fn search_space(
    jwt: &Jwt,
    alg: &str,
    alphabet: &[u8],
    length: usize,
    deadline: std::time::Instant,
) -> SpaceResult {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let total = (alphabet.len() as u64).saturating_pow(length as u32);
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8) as u64;
    let found: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let stop = AtomicBool::new(false);
    let out_of_time = AtomicBool::new(false);
    let tried = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for worker in 0..threads {
            let (found, stop, out_of_time, tried) = (&found, &stop, &out_of_time, &tried);
            scope.spawn(move || {
                let from = total * worker / threads;
                let to = total * (worker + 1) / threads;
                let mut key = vec![0u8; length];
                let mut done = 0u64;
                for index in from..to {
                    if done.is_multiple_of(4096) && done > 0 {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        if std::time::Instant::now() >= deadline {
                            out_of_time.store(true, Ordering::Relaxed);
                            stop.store(true, Ordering::Relaxed);
                            break;
                        }
                    }
                    let mut rest = index;
                    for slot in key.iter_mut().rev() {
                        *slot = alphabet[(rest % alphabet.len() as u64) as usize];
                        rest /= alphabet.len() as u64;
                    }
                    done += 1;
                    if verifies(alg, &key, jwt) {
                        if let Ok(mut slot) = found.lock() {
                            *slot = Some(String::from_utf8_lossy(&key).into_owned());
                        }
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                }
                tried.fetch_add(done, Ordering::Relaxed);
            });
        }
    });
    let count = tried.load(Ordering::Relaxed);
    match found.into_inner().ok().flatten() {
        Some(secret) => SpaceResult::Found(secret, count),
        None if out_of_time.load(Ordering::Relaxed) => SpaceResult::OutOfTime(count),
        None => SpaceResult::Exhausted(count),
    }
}

/// Whether `key` signs `jwt` (no allocation: this runs millions of times).
fn verifies(alg: &str, key: &[u8], jwt: &Jwt) -> bool {
    fn run<M: Mac + KeyInit>(key: &[u8], jwt: &Jwt) -> bool {
        let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
            return false;
        };
        mac.update(jwt.signing_input.as_bytes());
        mac.verify_slice(&jwt.signature).is_ok()
    }
    match alg {
        "HS256" => run::<Hmac<Sha256>>(key, jwt),
        "HS384" => run::<Hmac<Sha384>>(key, jwt),
        "HS512" => run::<Hmac<Sha512>>(key, jwt),
        _ => false,
    }
}

/// The first HMAC secret from the wordlist that verifies `jwt`, and how many were tried.
pub fn crack(jwt: &Jwt) -> (Option<&'static str>, usize) {
    let alg = jwt.alg();
    if !alg.starts_with("HS") {
        return (None, 0);
    }
    let candidates = candidate_secrets();
    for (tried, candidate) in candidates.iter().enumerate() {
        if verifies(alg, candidate.as_bytes(), jwt) {
            return (Some(candidate), tried + 1);
        }
    }
    (None, candidates.len())
}

/// A secret as it may be shown: never a character of it (a prefix of a six-digit key is half
/// the key), only its length and the alphabet it was found in.
pub fn masked(secret: &str) -> String {
    let alphabet = if secret.chars().all(|c| c.is_ascii_digit()) {
        ", digits only"
    } else if secret.chars().all(|c| c.is_ascii_lowercase()) {
        ", lowercase letters only"
    } else {
        ""
    };
    format!(
        "[REDACTED] ({} characters{alphabet})",
        secret.chars().count()
    )
}

/// The identities whose credential is a JWT, with the decoded token.
pub fn identity_tokens<'a>(context: &'a Context<'_>) -> Vec<(usize, &'a IdentityView, Jwt)> {
    context
        .identities
        .iter()
        .enumerate()
        .filter_map(|(index, view)| Some((index, view, Jwt::parse(&view.token)?)))
        .collect()
}

/// `request` carrying `token` where the identity's credential carries its own token.
pub fn with_token(request: &Request, view: &IdentityView, token: &str) -> Request {
    let mut request = request.clone();
    match view.credential.with_token(&view.token, token) {
        Credential::Header { name, value } => {
            request
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            request.headers.push((name, value));
        }
        Credential::Cookie { name, value } => {
            crate::identity::add_cookie(&mut request, &name, &value);
        }
    }
    request
}

/// The operation forged tokens are tried on: a secured read, preferably without path
/// parameters (`GET /users/me`), with its request as the first identity.
pub fn target_operation<'a>(context: &'a Context<'_>) -> Option<(&'a Operation, Request)> {
    secured_read(context, false)
}

/// As [`target_operation`], for the token checks (VG410–VG412), which also try a read that
/// nothing declares secured — recorded traffic and discovered pages say nothing of
/// security — when no declared one exists: their [`reference_probes`] show whether it refuses
/// anonymous callers, and no verdict that needs it stands without that
/// ([`operation_discriminates`]).
pub fn token_target_operation<'a>(context: &'a Context<'_>) -> Option<(&'a Operation, Request)> {
    secured_read(context, true)
}

fn secured_read<'a>(
    context: &'a Context<'_>,
    undeclared_too: bool,
) -> Option<(&'a Operation, Request)> {
    let mut candidates: Vec<&Operation> = context
        .spec
        .operations
        .iter()
        .filter(|op| {
            op.method == "GET"
                && context.policy.required_role(op).is_none()
                && (context.policy.requires_auth(op)
                    || (undeclared_too
                        && op.security == crate::spec::Security::Undeclared
                        && !context.policy.declares_public(op)))
        })
        .collect();
    if candidates.iter().any(|op| context.policy.requires_auth(op)) {
        candidates.retain(|op| context.policy.requires_auth(op));
    }
    // Answers that depend on who asks (`/me`, `/profile`) show impersonation best.
    let about_the_caller = |op: &Operation| {
        let path = op.path.to_ascii_lowercase();
        [
            "/me", "/whoami", "/profile", "/account", "/session", "/current",
        ]
        .iter()
        .any(|marker| path.ends_with(marker) || path.contains(&format!("{marker}/")))
    };
    candidates.sort_by_key(|op| (!about_the_caller(op), op.path_params().len(), op.path.len()));
    candidates
        .into_iter()
        .find_map(|op| Some((op, context.request(op, Some(0), 0)?)))
}

/// The probes every JWT check starts with: the first identity's own token, no credential,
/// and (when there is one) the second identity's own token, on the target operation.
pub fn reference_probes(request: &Request, context: &Context<'_>) -> Vec<Probe> {
    let mut probes = vec![
        Probe {
            label: "reference".into(),
            identity: Some(0),
            request: request.clone(),
        },
        Probe {
            label: "no credentials".into(),
            identity: None,
            request: request.clone(),
        },
    ];
    if context.identities.len() > 1 {
        probes.push(Probe {
            label: "other identity".into(),
            identity: Some(1),
            request: request.clone(),
        });
    }
    probes
}

/// The exchange of the probe with this label.
pub fn answer<'a>(results: &'a [(Probe, Exchange)], label: &str) -> Option<&'a Exchange> {
    results
        .iter()
        .find(|(p, _)| p.label == label)
        .map(|(_, e)| e)
}

/// Whether the target operation tells tokens apart: the real token is accepted and no
/// credential is refused.
pub fn operation_discriminates(results: &[(Probe, Exchange)]) -> bool {
    answer(results, "reference")
        .and_then(Exchange::status)
        .is_some_and(|s| (200..300).contains(&s))
        && answer(results, "no credentials")
            .and_then(Exchange::status)
            .is_some_and(|s| s == 401 || s == 403)
}

/// Whether a forged token's answer acts as the other identity: it matches the other
/// identity's own answer and differs from the first identity's.
pub fn acts_as_other(results: &[(Probe, Exchange)], forged: &Exchange) -> bool {
    use super::compare::Shape;
    let (Some(own), Some(other)) = (
        answer(results, "reference"),
        answer(results, "other identity"),
    ) else {
        return false;
    };
    if [forged, own, other]
        .into_iter()
        .any(super::compare::throttled)
    {
        return false;
    }
    let forged = Shape::of(forged, &[]);
    forged.same_as(&Shape::of(other, &[])) && !forged.same_as(&Shape::of(own, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_checks_also_try_a_read_nothing_declares_until_one_is_declared() {
        use crate::checks::testing::{Fixture, operation};
        use crate::policy::OperationPattern;
        let mut fixture = Fixture::new();
        // Recorded traffic: nothing is declared secured or open.
        fixture.spec.operations = vec![
            operation("GET", "/venues", false),
            operation("GET", "/users/me", false),
            operation("GET", "/admin/stats", false),
        ];
        for op in &mut fixture.spec.operations {
            op.security = crate::spec::Security::Undeclared;
        }
        fixture.policy.public = vec![OperationPattern::parse("GET /venues").expect("pattern")];
        let context = fixture.context();
        assert!(target_operation(&context).is_none());
        let (chosen, _) = token_target_operation(&context).expect("a read");
        assert_eq!(chosen.path, "/users/me");
        // One declared secured read: that one, for every check.
        fixture
            .spec
            .operations
            .push(operation("GET", "/orders/{id}", true));
        let context = fixture.context();
        assert_eq!(
            token_target_operation(&context).map(|(op, _)| op.path.as_str()),
            Some("/orders/{id}")
        );
        assert_eq!(
            target_operation(&context).map(|(op, _)| op.path.as_str()),
            Some("/orders/{id}")
        );
    }

    #[test]
    fn tokens_round_trip_and_forged_ones_are_well_formed() {
        let header = json!({"alg": "HS256", "typ": "JWT"});
        let claims = json!({"sub": "1", "role": "user"});
        let (Value::Object(header), Value::Object(claims)) = (header, claims) else {
            unreachable!()
        };
        let token = encode(&header, &claims, Signing::Hmac("HS256", b"secret"));
        let jwt = Jwt::parse(&token).expect("parses");
        assert_eq!(jwt.alg(), "HS256");
        assert_eq!(jwt.claim_text("sub").as_deref(), Some("1"));
        assert_eq!(crack(&jwt).0, Some("secret"));
        let unsigned = encode(&header, &claims, Signing::Unsigned);
        assert!(unsigned.ends_with('.'));
        assert!(Jwt::parse("not.a-token").is_none());
        assert!(Jwt::parse("a.b.c.d").is_none());
    }

    #[test]
    fn the_wordlist_has_defaults_combinations_and_ten_thousand_passwords() {
        let candidates = candidate_secrets();
        assert!(candidates.len() > 100_000, "{}", candidates.len());
        for expected in [
            "your-256-bit-secret",
            "secret",
            "supersecretjwtkey123",
            "my_secret_key",
            "JWT_SECRET_KEY",
            "keyboard cat",
            "changeme",
            "password123",
        ] {
            assert!(
                candidates.iter().any(|c| c == expected),
                "{expected} is missing"
            );
        }
        let passwords = WORDLIST
            .lines()
            .skip_while(|l| *l != "## passwords")
            .filter(|l| !l.starts_with('#'))
            .count();
        assert!(passwords >= 10_000, "{passwords}");
    }

    #[test]
    fn a_strong_secret_is_not_cracked() {
        let (Value::Object(header), Value::Object(claims)) =
            (json!({"alg": "HS256"}), json!({"sub": "1"}))
        else {
            unreachable!()
        };
        let token = encode(
            &header,
            &claims,
            Signing::Hmac("HS256", b"q8V!r2#Lw9zT@x4mN7pK"),
        );
        let (found, tried) = crack(&Jwt::parse(&token).expect("parses"));
        assert_eq!(found, None);
        assert_eq!(tried, candidate_secrets().len());
        assert_eq!(
            masked("supersecret"),
            "[REDACTED] (11 characters, lowercase letters only)"
        );
        assert_eq!(masked("482913"), "[REDACTED] (6 characters, digits only)");
        assert_eq!(masked("s3cr3t!"), "[REDACTED] (7 characters)");
    }

    #[test]
    fn short_key_spaces_are_searched_after_the_wordlist() {
        let (Value::Object(header), Value::Object(claims)) =
            (json!({"alg": "HS256"}), json!({"sub": "1"}))
        else {
            unreachable!()
        };
        for secret in ["482913", "zqxv"] {
            let token = encode(&header, &claims, Signing::Hmac("HS256", secret.as_bytes()));
            let search = search_secret(
                &Jwt::parse(&token).expect("parses"),
                std::time::Duration::from_secs(60),
            );
            assert_eq!(search.secret.as_deref(), Some(secret), "{search:?}");
            assert!(search.tried > candidate_secrets().len() as u64);
        }
        // A strong key: the budget ends the search, and the report says where.
        let token = encode(
            &header,
            &claims,
            Signing::Hmac("HS256", b"q8V!r2#Lw9zT@x4mN7pK"),
        );
        let search = search_secret(
            &Jwt::parse(&token).expect("parses"),
            std::time::Duration::from_millis(300),
        );
        assert_eq!(search.secret, None);
        assert!(search.cut.is_some(), "{search:?}");
        assert!(search.searched[0].starts_with("the wordlist"));
    }
}
