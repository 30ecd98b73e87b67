//! Run history: every audit recorded — when, by which version, of which project, commit, target
//! and deployment label, with each engine's coverage, every finding by fingerprint with its
//! severity and state, and the checklist verdict item by item — and the comparison of two runs
//! (new, fixed and still open findings; checklist items that regressed or improved).
//!
//! The crate sees only `vibeguard-core`: it records a [`Report`](vibeguard_core::Report) and
//! never an engine's internals. Evidence stays in the report files; the store keeps what a
//! comparison needs, so a run of 10,000 findings stays a few megabytes. Stores implement
//! [`HistoryStore`]; [`SqliteStore`] is the embedded default (`.vibeguard/history.db`), and
//! [`PostgresStore`] the shared one for teams.

#![deny(missing_docs)]

pub mod diff;
pub mod postgres;
pub mod record;
pub mod reference;
pub mod sqlite;
pub mod store;

pub use diff::{ItemChange, RunDiff, diff};
pub use postgres::PostgresStore;
pub use record::{EngineCoverage, RunMeta, RunRecord, StoredFinding, StoredItem};
pub use reference::RunRef;
pub use sqlite::SqliteStore;
pub use store::{HistoryError, HistoryStore, Prune, RunFilter, RunSummary};
