//! vibeguard's code engine: static analysis of JavaScript/TypeScript and Python web apps for
//! the flaws assistants write (codes VG1xx).
#![deny(missing_docs)]

pub mod flow;
pub mod ir;
pub mod language;
mod lower;
pub mod parse;
pub mod project;
pub mod routes;
pub mod scope;
pub mod source;
