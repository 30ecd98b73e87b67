//! vibeguard's API engine: reads an OpenAPI or Swagger description, acts as the configured
//! identities, and tests the running API for missing authentication, broken object and function
//! authorization, weak input validation, sensitive data in responses, security headers, CORS
//! and cookie flags — within the target's origin, a request budget and a rate limit.

#![deny(missing_docs)]

pub mod checks;
pub mod coverage;
pub mod engine;
pub mod lifecycle;
pub mod policy;
pub mod registered;

// The dynamic floor, shared with the scenario runner: re-exported so the checks (and the
// engine's users) keep their paths.
pub use vibeguard_http::{discovery, http, identity, session, spec, synth, traffic};
