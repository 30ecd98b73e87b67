//! The API checks, one file each. A check plans probes for an operation (pure), and judges the
//! exchanges its probes produced (pure); passive checks judge every exchange of the run. The
//! engine does all I/O, so checks are tested on recorded exchanges without a network.

pub mod broken_function_authorization;
pub mod broken_object_authorization;
pub mod brute_force_unthrottled;
pub mod command_injection;
pub mod cookie_flags;
pub mod cors_misconfiguration;
pub mod cross_user_account_action;
pub mod debug_page_exposure;
pub mod graphql;
pub mod hidden_routes;
pub mod input_validation;
pub mod jwt_forgery_accepted;
pub mod jwt_lifetime;
pub mod jwt_weak_secret;
pub mod live_csrf;
pub mod live_mass_assignment;
pub mod live_xss;
pub mod missing_auth;
pub mod nosql_injection;
pub mod open_redirect;
pub mod privilege_self_escalation;
pub mod rate_limit_burst;
pub mod regex_dos;
pub mod resource_limits;
pub mod security_headers;
pub mod sensitive_data_exposure;
pub mod session_fixation;
pub mod session_forgery;
pub mod session_lifecycle;
pub mod signup_takeover;
pub mod sql_injection;
pub mod ssrf;
pub mod template_injection;
pub mod transport_security;
pub mod user_enumeration;
pub mod version_disclosure;
pub mod weak_password_policy;

// Shared by several checks: inputs of an operation, differential comparison, timing, JWTs,
// authentication flows.
pub mod auth_flows;
pub mod canary;
pub mod compare;
pub mod forged_identities;
pub mod fresh_login;
pub mod inputs;
pub mod jwt;
pub mod rails_cookies;
pub mod signed_cookies;
pub mod timing;

use serde_json::Value;
use url::Url;
use vibeguard_core::{Finding, Location, RuleMeta};

use crate::http::canary::Canary;
use crate::http::{Exchange, Request};
use crate::identity::Credential;
use crate::lifecycle::CreatedObject;
use crate::policy::AccessPolicy;
use crate::spec::{ApiSpec, Operation, ParamIn};
use crate::synth::Synthesizer;

/// Every check, in the order they run.
pub static ALL: &[&dyn Check] = &[
    &missing_auth::MissingAuth,
    &broken_object_authorization::BrokenObjectAuthorization,
    &broken_function_authorization::BrokenFunctionAuthorization,
    &input_validation::InputValidation,
    &weak_password_policy::WeakPasswordPolicy,
    &signup_takeover::SignupTakeover,
    &sensitive_data_exposure::SensitiveDataExposure,
    &security_headers::SecurityHeaders,
    &version_disclosure::VersionDisclosure,
    &debug_page_exposure::DebugPageExposure,
    &cors_misconfiguration::CorsMisconfiguration,
    &cookie_flags::CookieFlags,
    &sql_injection::SqlInjection,
    &nosql_injection::NoSqlInjection,
    &command_injection::CommandInjection,
    &template_injection::TemplateInjection,
    &live_xss::LiveXss,
    &live_csrf::LiveCsrf,
    &open_redirect::OpenRedirect,
    &ssrf::Ssrf,
    &jwt_forgery_accepted::JwtForgeryAccepted,
    &jwt_weak_secret::JwtWeakSecret,
    &jwt_lifetime::JwtLifetime,
    &session_forgery::SessionForgery,
    &session_fixation::SessionFixation,
    &live_mass_assignment::LiveMassAssignment,
    &hidden_routes::HiddenRoutes,
    &resource_limits::ResourceLimits,
    &regex_dos::RegexDos,
    &graphql::GraphQl,
    &transport_security::TransportSecurity,
    // Load bursts run after the clean-up and before the disruptive checks.
    &rate_limit_burst::RateLimitBurst,
    // Disruptive checks run last, in this order: enumeration stays under lockout limits that
    // the brute-force bursts then trigger; the account takeover first, before any lockout, and
    // the self-escalation after it (its identity's role is set back before the rest).
    &cross_user_account_action::CrossUserAccountAction,
    &privilege_self_escalation::PrivilegeSelfEscalation,
    &session_lifecycle::SessionLifecycle,
    &user_enumeration::UserEnumeration,
    &brute_force_unthrottled::BruteForceUnthrottled,
];

/// Requests in a brute-force burst unless configured.
pub const DEFAULT_BURST: usize = 30;
/// The most requests a burst may have, whatever the configuration says.
pub const MAX_BURST: usize = 200;

/// Rounds of probes per check and operation (the plan, then follow-ups).
pub const MAX_ROUNDS: usize = 4;
/// Most probes one follow-up round may add.
pub const MAX_FOLLOW_UP_PROBES: usize = 64;

/// A request a check wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// What the probe tests, e.g. `no credentials`.
    pub label: String,
    /// The identity it is sent as (index into the run's identities), or none.
    pub identity: Option<usize>,
    /// The request, without the identity's credential (added when sent).
    pub request: Request,
}

impl Probe {
    /// When the probe runs: reads first, then changes, deletions last, so that one check's
    /// deletion does not take away another check's object.
    pub fn phase(&self) -> u8 {
        if crate::spec::is_form_deletion(&self.request.method, self.request.url.path()) {
            return 2;
        }
        match self.request.method.as_str() {
            "DELETE" => 2,
            "GET" | "HEAD" | "OPTIONS" => 0,
            _ => 1,
        }
    }
}

/// What a check knows about one identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityView {
    /// Name in the configuration.
    pub name: String,
    /// Role label.
    pub role: Option<String>,
    /// Its user id, when known.
    pub user_id: Option<String>,
    /// Its username and e-mail, when known.
    pub account: crate::identity::Account,
    /// Its raw token.
    pub token: String,
    /// How its credential is sent.
    pub credential: Credential,
    /// The login request it was established with, for login identities (the user enumeration
    /// check sends it with a wrong password).
    pub login: Option<Request>,
    /// For a session login: its other cookies, CSRF token and the session cookie's `SameSite`.
    pub session: Option<crate::identity::SessionState>,
    /// For a token vibeguard forged ([`forged_identities`]): whom it acts as and how it was
    /// made. `None` for the configured identities.
    pub forged: Option<Forged>,
}

/// What makes a forged identity ([`forged_identities`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forged {
    /// The configured identity whose claims the token carries.
    pub impersonates: usize,
    /// How the token was made, as findings name the chain: "`alg: none` (VG410)".
    pub how: String,
}

impl IdentityView {
    /// Where its role stands ([`role_rank`]); `None` for no role or a role of another name.
    pub fn rank(&self) -> Option<u8> {
        role_rank(self.role.as_deref()?)
    }
}

/// Where a role stands among the usual role names: 3 for administrators, 2 for staff
/// (employees, managers, moderators, hosts), 1 for plain users (customers, members, guests).
/// `None` for a role of another name: identities with such roles are peers.
pub fn role_rank(role: &str) -> Option<u8> {
    let role = role.to_ascii_lowercase().replace(['-', '_', ' '], "");
    match role.as_str() {
        "admin" | "administrator" | "superuser" | "superadmin" | "root" | "sysadmin" => Some(3),
        "staff" | "employee" | "manager" | "moderator" | "mod" | "editor" | "host" | "support"
        | "agent" | "operator" | "seller" | "vendor" | "merchant" | "instructor" | "teacher"
        | "owner" => Some(2),
        "user" | "customer" | "member" | "guest" | "viewer" | "client" | "reader" | "basic"
        | "free" | "student" | "buyer" | "visitor" | "regular" => Some(1),
        _ => None,
    }
}

/// The most privileged of a role field's declared values (`enum: [guest, host, admin]` gives
/// `admin`): an administrator's before a staff member's; `None` when no value names a
/// privileged role.
pub fn most_privileged_role(values: &[Value]) -> Option<String> {
    values
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|role| Some((role_rank(role)?, role)))
        .filter(|(rank, _)| *rank >= 2)
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, role)| role.to_string())
}

/// How far the attack simulation goes: `quick` for every pull request (few payloads, no timing
/// attacks, small bursts), `standard` by default, `deep` before a release (every input, every
/// payload family, larger bursts and lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub enum Profile {
    /// The fastest useful run.
    Quick,
    /// The default.
    #[default]
    Standard,
    /// Everything.
    Deep,
}

impl Profile {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Quick => "quick",
            Profile::Standard => "standard",
            Profile::Deep => "deep",
        }
    }

    /// Reads `quick`, `standard` or `deep`.
    pub fn parse(text: &str) -> Option<Profile> {
        match text.trim().to_ascii_lowercase().as_str() {
            "quick" => Some(Profile::Quick),
            "standard" => Some(Profile::Standard),
            "deep" => Some(Profile::Deep),
            _ => None,
        }
    }

    /// One of three values, by profile.
    pub fn pick<T>(self, quick: T, standard: T, deep: T) -> T {
        match self {
            Profile::Quick => quick,
            Profile::Standard => standard,
            Profile::Deep => deep,
        }
    }
}

pub use crate::spec::DeclaredRoute;

/// Everything a check may use to plan and judge.
#[derive(Debug)]
pub struct Context<'a> {
    /// The description.
    pub spec: &'a ApiSpec,
    /// Target URL plus the spec's base path: operation paths are joined onto it.
    pub base: &'a Url,
    /// The identities, in configuration order.
    pub identities: &'a [IdentityView],
    /// Objects vibeguard created, with their owners.
    pub objects: &'a [CreatedObject],
    /// The user's declarations.
    pub policy: &'a AccessPolicy,
    /// Whether destructive requests may touch objects vibeguard did not create.
    pub allow_destructive: bool,
    /// Seed of the run (request values are deterministic).
    pub seed: u64,
    /// How far to go.
    pub profile: Profile,
    /// Routes the code declares, when the code engine ran.
    pub declared_routes: &'a [DeclaredRoute],
    /// Requests in a brute-force burst (1 to 200).
    pub burst: usize,
    /// The canary listener, when the target is on loopback (server-side fetches are proven by
    /// its hits).
    pub canary: Option<&'a Canary>,
    /// Logout and password-reset flows from the configuration.
    pub session: &'a session_lifecycle::SessionFlows,
    /// The GraphQL endpoint's path, when configured (`[api] graphql`).
    pub graphql: Option<&'a str>,
    /// What the engine learned about the target's TLS (https targets).
    pub transport: Option<&'a transport_security::TransportFacts>,
    /// How load bursts are sent ([`rate_limit_burst`]), or why none is.
    pub load: Result<crate::http::burst::BurstPlan, &'static str>,
}

impl Context<'_> {
    /// The target's origin with the root path (`https://api.example.com/`): where whole-target
    /// probes (hidden paths, GraphQL, transport) start, whatever the base path.
    pub fn origin(&self) -> Url {
        let mut root = self.base.clone();
        root.set_path("/");
        root.set_query(None);
        root
    }

    /// A synthesizer for one operation (deterministic per operation and purpose).
    pub fn synthesizer(&self, operation: &Operation, purpose: &str) -> Synthesizer {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in operation.label().bytes().chain(purpose.bytes()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        let synthesizer = Synthesizer::new(self.seed ^ hash);
        if matches!(
            auth_flows::flow(operation),
            Some(auth_flows::Flow::Registration | auth_flows::Flow::Login)
        ) {
            synthesizer.signing_up()
        } else {
            synthesizer
        }
    }

    /// The object of `owner` (its `slot`-th) that fills the operation's path, if vibeguard
    /// created one.
    pub fn object_for(
        &self,
        operation: &Operation,
        owner: usize,
        slot: u8,
    ) -> Option<&CreatedObject> {
        // The object's own operations, and its sub-resources (`/tasks/{id}/attachment`).
        // Trailing slashes aside (Django's `/tickets/{id}/comments/`).
        // By shape: a route may name the same key differently (`/venues/{id}` and
        // `/venues/{venueId}/bookings`).
        let path = crate::lifecycle::shape(&operation.path);
        let matching = |object: &&CreatedObject| {
            let item = crate::lifecycle::shape(&object.item_path);
            object.owner == owner
                && (item == path
                    || path
                        .strip_prefix(&item)
                        .is_some_and(|rest| rest.starts_with('/')))
        };
        // The most specific object first: a booking fills `/venues/{venue_id}/bookings/{id}`
        // (and its venue with it), where the venue alone would leave the booking unknown.
        let depth = self
            .objects
            .iter()
            .filter(matching)
            .map(|object| object.item_path.len())
            .max()?;
        let specific =
            |object: &&CreatedObject| matching(object) && object.item_path.len() == depth;
        self.objects
            .iter()
            .filter(specific)
            .find(|object| object.slot == slot)
            .or_else(|| self.objects.iter().find(specific))
    }

    /// Any identity's object that fills the operation's path (the first identity's first), for
    /// requests that read or create under it: a guest books at the venue a host created.
    pub fn shared_object_for(&self, operation: &Operation) -> Option<&CreatedObject> {
        (0..self.identities.len()).find_map(|owner| self.object_for(operation, owner, 0))
    }

    /// Whether identity `a` holds a higher role than `b` (both roles known by name).
    pub fn outranks(&self, a: usize, b: usize) -> bool {
        let rank = |i: usize| self.identities.get(i).and_then(IdentityView::rank);
        matches!((rank(a), rank(b)), (Some(a), Some(b)) if a > b)
    }

    /// The identities of `owner`'s standing — neither outranks the other — in order: whose
    /// access to `owner`'s objects is a question of ownership, not of role.
    pub fn peers(&self, owner: usize) -> Vec<usize> {
        let mut peers: Vec<usize> = (0..self.identities.len())
            .filter(|&other| {
                other != owner && !self.outranks(other, owner) && !self.outranks(owner, other)
            })
            .collect();
        // Where forged identities are planned for, they are the only callers: the token forged
        // for the owner itself first, then those forged for the owner's peers.
        if self.has_forged() {
            peers.retain(|&other| self.identities[other].forged.is_some());
            peers.sort_by_key(|&other| {
                self.identities[other]
                    .forged
                    .as_ref()
                    .is_none_or(|forged| forged.impersonates != owner)
            });
        }
        peers
    }

    /// Whether the identities include forged ones ([`forged_identities`]): the object and role
    /// checks then plan only what those tokens do.
    pub fn has_forged(&self) -> bool {
        self.identities.iter().any(|i| i.forged.is_some())
    }

    /// A `GET` of the caller's own account record (`/users/me`, `/api/user`, `/profile`), when
    /// the description has one: where an account's change is read back.
    pub fn own_record_request(&self) -> Option<Request> {
        let op = self
            .spec
            .operations
            .iter()
            .find(|op| op.method == "GET" && crate::identity::is_own_record(&op.path))?;
        Some(Request::new(
            "GET",
            crate::identity::join(self.base, &op.path).ok()?,
        ))
    }

    /// The value of `owner`'s own account for a path parameter that names an account
    /// (`/users/{id}`, `/users/{username}`, `/profiles/{email}`), when the identity's login,
    /// answer or token told it.
    pub fn account_value(
        &self,
        operation: &Operation,
        param: &str,
        owner: usize,
    ) -> Option<String> {
        let identity = self.identities.get(owner)?;
        match account_key(operation, param)? {
            AccountKey::Id => identity.user_id.clone(),
            AccountKey::Username => identity.account.username.clone(),
            AccountKey::Email => identity.account.email.clone(),
        }
    }

    /// A concrete request for an operation, acting on `owner`'s objects: path parameters from
    /// an object vibeguard created (or the owner's user id), other values synthesized. `None`
    /// when the request would change or delete something vibeguard did not create.
    pub fn request(
        &self,
        operation: &Operation,
        owner: Option<usize>,
        slot: u8,
    ) -> Option<Request> {
        // Each identity's requests, and each of its slots, get their own names.
        let numbering = owner.map_or(0, |owner| owner as u64 * 100 + u64::from(slot) * 10);
        self.synthesized_request(operation, owner, slot, numbering, false)
    }

    /// The request that creates `owner`'s `slot`-th test object: named apart from every probe's
    /// values, so that a create keyed by a unique name (`/shelves/{name}`) never collides with
    /// the objects the probes send. `minimal` leaves out the optional fields.
    pub fn creation_request(
        &self,
        create: &Operation,
        owner: usize,
        slot: u8,
        minimal: bool,
    ) -> Option<Request> {
        let numbering = 1_000 + owner as u64 * 100 + u64::from(slot) * 10;
        self.synthesized_request(create, Some(owner), slot, numbering, minimal)
    }

    fn synthesized_request(
        &self,
        operation: &Operation,
        owner: Option<usize>,
        slot: u8,
        numbering: u64,
        minimal: bool,
    ) -> Option<Request> {
        let mut synth = self
            .synthesizer(operation, "valid")
            .numbered_from(numbering);
        if minimal {
            synth = synth.required_only();
        }
        let object = owner
            .and_then(|owner| self.object_for(operation, owner, slot))
            .or_else(|| {
                (!operation.is_destructive())
                    .then(|| self.shared_object_for(operation))
                    .flatten()
            });
        let mut path = operation.path.clone();
        for name in operation.path_params() {
            let value = if let Some(value) = object.and_then(|o| o.value_in(&operation.path, name))
            {
                value.to_string()
            } else if let Some(user_id) =
                owner.and_then(|owner| self.account_value(operation, name, owner))
            {
                // A user's own record: safe to read, but changing or deleting it is not ours to do.
                if operation.is_destructive() && !self.allow_destructive {
                    return None;
                }
                user_id
            } else {
                if operation.is_destructive() && !self.allow_destructive {
                    return None;
                }
                let schema = operation
                    .parameters
                    .iter()
                    .find(|p| p.location == ParamIn::Path && p.name == name)
                    .map(|p| p.schema.clone())
                    .unwrap_or_default();
                value_text(&synth.valid(&schema, name))
            };
            path = path.replace(&format!("{{{name}}}"), &encode_segment(&value));
        }
        let mut url = crate::identity::join(self.base, &path).ok()?;
        let mut request = Request::new(&operation.method, url.clone());
        for parameter in &operation.parameters {
            if !parameter.required && parameter.schema.example.is_none() {
                continue;
            }
            let value = value_text(&synth.valid(&parameter.schema, &parameter.name));
            match parameter.location {
                ParamIn::Query => {
                    url.query_pairs_mut().append_pair(&parameter.name, &value);
                }
                ParamIn::Header if !parameter.name.eq_ignore_ascii_case("authorization") => {
                    request.headers.push((parameter.name.clone(), value));
                }
                ParamIn::Cookie => {
                    crate::identity::add_cookie(&mut request, &parameter.name, &value)
                }
                ParamIn::Path | ParamIn::Header => {}
            }
        }
        request.url = url;
        if let Some(body) = &operation.body {
            let value = synth.valid(&body.schema, "");
            request = with_body(request, body.kind, &body.media_type, &value);
        }
        Some(request)
    }
}

/// A field of an account record, at the top of an answer or under a usual wrapper (`user`,
/// `data`, `data.user`).
pub fn record_field<'a>(body: &'a Value, field: &str) -> Option<&'a Value> {
    ["", "/user", "/data", "/data/user"]
        .iter()
        .find_map(|pointer| body.pointer(pointer)?.get(field))
}

/// The exchange of the probe with this label, among a check's results.
pub fn exchange_labelled<'a>(
    results: &'a [(Probe, Exchange)],
    label: &str,
) -> Option<&'a Exchange> {
    results
        .iter()
        .find(|(probe, _)| probe.label == label)
        .map(|(_, exchange)| exchange)
}

// Bodies, parameter texts and path segments are built the same way by the scenarios: the
// dynamic floor's.
pub use vibeguard_http::body::{encode_segment, value_text, with_body};

// Which account a path names, and whether an operation changes the caller's credentials: the
// floor's, since the scenario engine must not change a test identity's credentials either.
pub use vibeguard_http::accounts::{AccountKey, account_key};

/// The location of a finding about an operation.
pub fn location(operation: &Operation, parameter: Option<String>) -> Location {
    Location::operation(&operation.method, &operation.path, parameter)
}

// Evidence of an exchange is built the same way by the scenarios: the dynamic floor's.
pub use vibeguard_http::evidence::{http_evidence, reproduction};

/// A finding about an operation, with the exchange as evidence.
pub fn finding(
    meta: &RuleMeta,
    operation: &Operation,
    message: String,
    identity: String,
    exchange: Option<&Exchange>,
) -> Finding {
    let finding = Finding::new(meta, location(operation, None), message, identity);
    match exchange {
        Some(exchange) => finding.with_evidence(http_evidence(exchange)),
        None => finding,
    }
}

/// The trait every check implements.
pub trait Check: Sync {
    /// Metadata and documentation.
    fn meta(&self) -> &'static RuleMeta;

    /// Why the check cannot run in this context (e.g. it needs two identities), if so.
    fn not_applicable(&self, _context: &Context<'_>) -> Option<&'static str> {
        None
    }

    /// Probes for one operation.
    fn plan(&self, _operation: &Operation, _context: &Context<'_>) -> Vec<Probe> {
        Vec::new()
    }

    /// Probes about the whole target rather than one operation; their results are judged by
    /// `follow_up` and `evaluate` with [`Operation::whole_target`] as the operation.
    fn plan_target(&self, _context: &Context<'_>) -> Vec<Probe> {
        Vec::new()
    }

    /// More probes after a round, given every result so far for this operation: how a check
    /// confirms a suspicion before reporting it (a second boolean pair, a series of delays, a
    /// read-back). Called until it returns nothing, at most [`MAX_ROUNDS`] rounds in all.
    fn follow_up(
        &self,
        _operation: &Operation,
        _results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Probe> {
        Vec::new()
    }

    /// Whether the probes must go one at a time with nothing else in flight (timing checks).
    fn sequential(&self) -> bool {
        false
    }

    /// Whether the check is planned again with the tokens vibeguard forged as its only callers,
    /// when the API takes them ([`forged_identities`]): the checks that cross one identity's
    /// objects or role with another's.
    fn takes_forged_callers(&self) -> bool {
        false
    }

    /// For a [`sequential`](Check::sequential) check: whether this probe's answer time is
    /// evidence (a baseline, a delay payload). Such probes go alone; the check's others (its
    /// error, boolean and marker payloads) go a few at a time between them — still with no
    /// other check's probes in flight, and in plan order.
    fn timed(&self, _probe: &Probe) -> bool {
        true
    }

    /// Whether the probes may disturb the target for a while (bursts of failed logins that
    /// trigger rate limits and lockouts): such checks run after every other check and after
    /// the clean-up, so that nothing else meets the limits they trigger.
    fn disruptive(&self) -> bool {
        false
    }

    /// Why the check, which applies to this operation, could plan nothing for it — named in
    /// the report as untested there, so that the checklist passes nothing it did not try.
    /// `None` when planning nothing means the operation is not its subject.
    fn uncovered(&self, _operation: &Operation, _context: &Context<'_>) -> Option<&'static str> {
        None
    }

    /// Whether the check is one every operation must get whatever the budget: the access
    /// checks (missing authentication, other users' objects, roles, other users' accounts)
    /// and the login checks (unlimited attempts, account enumeration). Their planned probes are
    /// kept back from the budget and sent first in each phase, so that payload variants of
    /// other checks never leave an operation's authorization untested.
    fn essential(&self) -> bool {
        false
    }

    /// Whether the check changes another test identity's credentials on purpose and restores
    /// them ([`cross_user_account_action`]): only such a check may send a credential change
    /// with an identity's token (every other check's are withheld).
    fn restores_credentials(&self) -> bool {
        false
    }

    /// Findings from the exchanges of this check's probes for one operation.
    fn evaluate(
        &self,
        _operation: &Operation,
        _results: &[(Probe, Exchange)],
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        Vec::new()
    }

    /// Whether the check also judges every exchange of the run.
    fn is_passive(&self) -> bool {
        false
    }

    /// Whether an answer holds what the check judges (a cookie being set, a GraphQL endpoint
    /// answering). A check that saw its subject in no answer of the run reports it absent
    /// ([`Check::absent_reason`]) instead of applying: nothing was checked, and nothing needs
    /// to be.
    fn subject_in(&self, _exchange: &Exchange) -> bool {
        true
    }

    /// What the run without the check's subject means, for the report ("no answer set a
    /// cookie").
    fn absent_reason(&self) -> &'static str {
        "nothing of its kind was seen"
    }

    /// Findings from one exchange of the run (passive checks), with its operation when known.
    fn observe(
        &self,
        _operation: Option<&Operation>,
        _exchange: &Exchange,
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        Vec::new()
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Builders for check tests on recorded exchanges.

    use std::time::Duration;

    use super::*;
    use crate::spec::{BodyKind, Parameter, RequestBody, Schema, SchemaType, Security, SpecFormat};

    pub fn spec() -> ApiSpec {
        ApiSpec {
            format: SpecFormat::OpenApi3("3.0.3".into()),
            title: "test".into(),
            servers: Vec::new(),
            operations: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub fn operation(method: &str, path: &str, secured: bool) -> Operation {
        let parameters = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| Parameter {
                name: name.to_string(),
                location: ParamIn::Path,
                required: true,
                schema: Schema {
                    types: vec![SchemaType::Integer],
                    ..Schema::default()
                },
            })
            .collect();
        Operation {
            method: method.into(),
            path: path.into(),
            operation_id: None,
            summary: None,
            tags: Vec::new(),
            parameters,
            body: None,
            security: if secured {
                Security::Required(vec!["bearer".into()])
            } else {
                Security::Public
            },
            responses: Vec::new(),
            links: Vec::new(),
            extensions: Default::default(),
            pointer: String::new(),
        }
    }

    /// A form post to `path` whose body has these text fields.
    pub fn form_operation(method: &str, path: &str, fields: &[&str]) -> Operation {
        let mut op = operation(method, path, false);
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/x-www-form-urlencoded".into(),
            kind: BodyKind::Form,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: fields
                    .iter()
                    .map(|name| {
                        (
                            name.to_string(),
                            Schema {
                                types: vec![SchemaType::String],
                                ..Schema::default()
                            },
                        )
                    })
                    .collect(),
                ..Schema::default()
            },
        });
        op
    }

    pub fn identity(name: &str, user_id: &str) -> IdentityView {
        IdentityView {
            name: name.into(),
            role: None,
            user_id: Some(user_id.into()),
            account: crate::identity::Account {
                username: Some(name.into()),
                email: Some(format!("{name}@example.com")),
            },
            token: format!("token-of-{name}"),
            credential: Credential::Header {
                name: "Authorization".into(),
                value: format!("Bearer token-of-{name}"),
            },
            login: None,
            session: None,
            forged: None,
        }
    }

    pub fn exchange(
        method: &str,
        url: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Exchange {
        Exchange {
            id: 1,
            started_at: jiff::Timestamp::UNIX_EPOCH,
            elapsed: Duration::from_millis(3),
            request: Request::new(method, Url::parse(url).expect("url")),
            outcome: Ok(crate::http::Response {
                status,
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                body: body.as_bytes().to_vec(),
                truncated: false,
            }),
        }
    }

    pub fn probe(label: &str, identity: Option<usize>, method: &str, url: &str) -> Probe {
        Probe {
            label: label.into(),
            identity,
            request: Request::new(method, Url::parse(url).expect("url")),
        }
    }

    /// The probes of a check for one operation (or the whole target) answered by `answer`,
    /// round after round as the engine runs them: the plan, then follow-ups until there are
    /// none, at most [`MAX_ROUNDS`] rounds in all.
    pub fn rounds(
        check: &dyn Check,
        operation: &Operation,
        context: &Context<'_>,
        answer: &mut dyn FnMut(&Probe) -> Exchange,
    ) -> Vec<(Probe, Exchange)> {
        let planned = if operation.is_whole_target() {
            check.plan_target(context)
        } else {
            check.plan(operation, context)
        };
        let mut results: Vec<(Probe, Exchange)> = planned
            .into_iter()
            .map(|probe| {
                let exchange = answer(&probe);
                (probe, exchange)
            })
            .collect();
        for _ in 1..MAX_ROUNDS {
            let more = check.follow_up(operation, &results, context);
            if more.is_empty() {
                break;
            }
            for probe in more {
                let exchange = answer(&probe);
                results.push((probe, exchange));
            }
        }
        results
    }

    /// A recorded answer to a probe: its own request, a status and a body.
    pub fn answer(probe: &Probe, status: u16, body: &str) -> Exchange {
        let mut recorded = exchange(
            &probe.request.method,
            probe.request.url.as_str(),
            status,
            &[],
            body,
        );
        recorded.request = probe.request.clone();
        recorded
    }

    /// The JSON body a probe carries (`Null` when none).
    pub fn json_body(probe: &Probe) -> Value {
        probe
            .request
            .body
            .as_ref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null)
    }

    /// An operation with a JSON body of string fields (with an optional format each).
    pub fn json_operation(method: &str, path: &str, fields: &[(&str, Option<&str>)]) -> Operation {
        let mut op = operation(method, path, true);
        op.body = Some(crate::spec::RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: fields
                    .iter()
                    .map(|(name, format)| {
                        (
                            name.to_string(),
                            Schema {
                                types: vec![SchemaType::String],
                                format: format.map(str::to_string),
                                ..Schema::default()
                            },
                        )
                    })
                    .collect(),
                required: fields.iter().map(|(name, _)| name.to_string()).collect(),
                ..Schema::default()
            },
        });
        op
    }

    pub struct Fixture {
        pub spec: ApiSpec,
        pub base: Url,
        pub identities: Vec<IdentityView>,
        pub objects: Vec<CreatedObject>,
        pub policy: AccessPolicy,
        pub session: session_lifecycle::SessionFlows,
        pub load: Result<crate::http::burst::BurstPlan, &'static str>,
    }

    impl Fixture {
        pub fn new() -> Fixture {
            Fixture {
                spec: spec(),
                base: Url::parse("http://127.0.0.1:8080").expect("url"),
                identities: vec![identity("alice", "1"), identity("bob", "2")],
                objects: Vec::new(),
                policy: AccessPolicy::default(),
                session: session_lifecycle::SessionFlows::default(),
                load: Ok(crate::http::burst::BurstPlan {
                    rate: 200.0,
                    duration: std::time::Duration::from_secs(2),
                    max_in_flight: 64,
                }),
            }
        }

        pub fn context(&self) -> Context<'_> {
            Context {
                spec: &self.spec,
                base: &self.base,
                identities: &self.identities,
                objects: &self.objects,
                policy: &self.policy,
                allow_destructive: false,
                seed: 1,
                profile: Profile::Standard,
                declared_routes: &[],
                burst: DEFAULT_BURST,
                canary: None,
                session: &self.session,
                graphql: None,
                transport: None,
                load: self.load,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{Fixture, operation};
    use super::*;

    fn object(item_path: &str, param: &str, value: &str, owner: usize) -> CreatedObject {
        CreatedObject {
            collection: String::new(),
            item_path: item_path.into(),
            param: param.into(),
            value: value.into(),
            owner,
            slot: 0,
            body: None,
            parents: if param == "booking_id" {
                vec![("venue_id".into(), "v1".into())]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn requests_fill_nested_paths_from_the_most_specific_object_and_share_parents_for_reads_only() {
        let mut fixture = Fixture::new();
        fixture
            .objects
            .push(object("/venues/{venue_id}", "venue_id", "v1", 0));
        fixture.objects.push(object(
            "/venues/{venue_id}/bookings/{booking_id}",
            "booking_id",
            "b1",
            0,
        ));
        let context = fixture.context();
        let path = |method: &str, template: &str, owner: usize| {
            context
                .request(&operation(method, template, true), Some(owner), 0)
                .map(|r| r.url.path().to_string())
        };
        // The booking fills both parameters, its venue's from where it was created.
        assert_eq!(
            path("GET", "/venues/{venue_id}/bookings/{booking_id}", 0).as_deref(),
            Some("/venues/v1/bookings/b1")
        );
        // bob has no venue: he books, and reads, at alice's.
        assert_eq!(
            path("POST", "/venues/{venue_id}/bookings", 1).as_deref(),
            Some("/venues/v1/bookings")
        );
        assert_eq!(
            path("GET", "/venues/{venue_id}", 1).as_deref(),
            Some("/venues/v1")
        );
        // … but never changes or deletes what is not his.
        assert_eq!(path("DELETE", "/venues/{venue_id}", 1), None);
        assert_eq!(
            path("DELETE", "/venues/{venue_id}", 0).as_deref(),
            Some("/venues/v1")
        );
    }

    #[test]
    fn roles_rank_by_their_usual_names_and_unknown_roles_are_peers() {
        assert_eq!(role_rank("Admin"), Some(3));
        assert_eq!(role_rank("super_admin"), Some(3));
        assert_eq!(role_rank("employee"), Some(2));
        assert_eq!(role_rank("customer"), Some(1));
        assert_eq!(role_rank("gardener"), None);
        let mut fixture = Fixture::new();
        fixture.identities.push(testing::identity("carol", "3"));
        fixture.identities.push(testing::identity("dave", "4"));
        for (identity, role) in fixture
            .identities
            .iter_mut()
            .zip(["admin", "guest", "guest", "gardener"])
        {
            identity.role = Some(role.into());
        }
        let context = fixture.context();
        assert!(context.outranks(0, 1));
        assert!(!context.outranks(1, 0));
        assert!(!context.outranks(1, 2), "equal ranks");
        assert!(!context.outranks(0, 3), "an unknown role ranks with nobody");
        assert_eq!(context.peers(1), [2, 3]);
        assert_eq!(context.peers(0), [3]);
    }
}
