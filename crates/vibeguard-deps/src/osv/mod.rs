//! OSV advisory data, held locally: records ([`record`]), exports ([`archive`]), the on-disk
//! store ([`store`]), the schema's affected-version evaluation ([`affects`]) and severities
//! ([`severity`]).
//!
//! Nothing here touches the network: `vibeguard db update` downloads an export and hands the
//! file to [`store::Store::import`].

pub mod affects;
pub mod archive;
pub mod record;
pub mod severity;
pub mod store;

pub use store::{
    DataInfo, DataState, EcosystemIndex, ImportReport, ReplacePolicy, Store, StoreError,
};

use crate::ecosystem::Ecosystem;

/// Where the OSV project publishes its per-ecosystem exports.
pub const DEFAULT_SOURCE: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The URL of `ecosystem`'s `all.zip` under `source` (the OSV bucket or a mirror laid out the
/// same way).
pub fn export_url(source: &str, ecosystem: Ecosystem) -> String {
    format!(
        "{}/{}/all.zip",
        source.trim_end_matches('/'),
        // `Red Hat`, `Rocky Linux`: the bucket's folder names hold spaces.
        ecosystem.osv_name().replace(' ', "%20")
    )
}
