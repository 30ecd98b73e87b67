//! Project hygiene rules (placeholder while the parsers compile).
