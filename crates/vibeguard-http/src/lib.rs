//! vibeguard's dynamic floor: what the API engine's checks and the scenario runner share, so
//! that neither imports the other — the description model (OpenAPI and Swagger loading, the
//! operations of traffic files, code routes and discovered pages, merged into one surface),
//! request synthesis, identities and their logins, sessions and CSRF tokens, and the scoped,
//! budgeted, rate-limited executor with its exchanges (the evidence type).

#![deny(missing_docs)]

pub mod accounts;
pub mod auth_flows;
pub mod body;
pub mod discovery;
pub mod evidence;
pub mod http;
pub mod identity;
pub mod leaks;
pub mod session;
pub mod spec;
pub mod surface;
pub mod synth;
pub mod traffic;
