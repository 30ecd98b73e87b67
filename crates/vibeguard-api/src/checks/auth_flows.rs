//! The request bodies the brute-force and enumeration checks send to authentication flows.
//! Which operations are such flows, and which fields name an account or hold a secret, is the
//! dynamic floor's ([`vibeguard_http::auth_flows`]), re-exported here for the checks.

use serde_json::Value;

pub use vibeguard_http::auth_flows::*;

use super::Context;
use crate::spec::Operation;

/// A body for `operation` whose secret fields are wrong (`vibeguard-Wrong-<n>`) and whose account
/// fields name `account` when given.
pub fn wrong_attempt(
    operation: &Operation,
    context: &Context<'_>,
    account: Option<&str>,
    attempt: usize,
) -> Option<Value> {
    let body = operation.body.as_ref()?;
    let mut value = context
        .synthesizer(operation, "brute-force")
        .valid(&body.schema, "");
    let map = value.as_object_mut()?;
    let names: Vec<String> = map.keys().cloned().collect();
    for (name, field) in map.iter_mut() {
        // A registration whose confirmation differs fails before any account is made.
        if crate::synth::confirmed_field(name, &names).is_some() {
            *field = Value::String(format!("vibeguard-Mismatch-{attempt}"));
        } else if is_secret_field(name) {
            *field = if name.to_ascii_lowercase().contains("code")
                || name.to_ascii_lowercase().contains("otp")
                || name == "pin"
            {
                Value::String(format!("{:06}", 100_000 + attempt))
            } else {
                Value::String(format!("vibeguard-Wrong-{attempt}"))
            };
        } else if let Some(account) = account
            && is_account_field(name)
            && field.is_string()
        {
            *field = Value::String(account.to_string());
        }
    }
    Some(value)
}
