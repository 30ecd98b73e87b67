//! How sure a rule is that its finding is real.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How certain a finding is; renderers show it and SARIF maps it to `precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A pattern that is often, but not always, a flaw; needs a human look.
    Tentative,
    /// Strong static or dynamic evidence; false positives are rare.
    Firm,
    /// Proven: the file is there, the request succeeded, the value stuck.
    Confirmed,
}

impl Confidence {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Tentative => "tentative",
            Confidence::Firm => "firm",
            Confidence::Confirmed => "confirmed",
        }
    }

    /// The SARIF `precision` property value GitHub code scanning understands.
    pub fn sarif_precision(self) -> &'static str {
        match self {
            Confidence::Tentative => "medium",
            Confidence::Firm => "high",
            Confidence::Confirmed => "very-high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
