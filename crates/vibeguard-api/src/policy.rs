//! What the user declared about access: operations that are public on purpose, operations that
//! must be private whatever the spec says, and intended access per operation (`public`, `owner`,
//! `role:admin`). Patterns are `METHOD /path` with `*` wildcards (`* /api/admin/*`).

use crate::spec::{Operation, Security};

/// Intended access to an operation's objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Anyone (even anonymous) may use it.
    Public,
    /// Only the object's owner.
    Owner,
    /// Only identities with this role.
    Role(String),
}

/// A `METHOD /path` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationPattern {
    method: String,
    path: String,
}

impl OperationPattern {
    /// Parses `GET /admin/*` or `* /internal/*`; `None` when malformed.
    pub fn parse(text: &str) -> Option<OperationPattern> {
        let (method, path) = text.trim().split_once(' ')?;
        let path = path.trim();
        path.starts_with('/').then(|| OperationPattern {
            method: method.trim().to_ascii_uppercase(),
            path: path.to_string(),
        })
    }

    /// Whether an operation matches.
    pub fn matches(&self, operation: &Operation) -> bool {
        (self.method == "*" || self.method == operation.method)
            && glob_match(&self.path, &operation.path)
    }
}

/// `*` matches any run of characters (slashes included); everything else is literal.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (index, part) in parts.iter().enumerate() {
        if index == 0 {
            let Some(after) = rest.strip_prefix(part) else {
                return false;
            };
            rest = after;
        } else if index == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(found) = rest.find(part) else {
                return false;
            };
            rest = &rest[found + part.len()..];
        }
    }
    true
}

/// The user's declarations.
#[derive(Debug, Clone, Default)]
pub struct AccessPolicy {
    /// Operations that must require authentication.
    pub private: Vec<OperationPattern>,
    /// Operations that are public on purpose.
    pub public: Vec<OperationPattern>,
    /// Intended access per operation pattern, first match wins.
    pub access: Vec<(OperationPattern, Access)>,
}

impl AccessPolicy {
    /// Whether the configuration declares the operation public on purpose.
    pub fn declares_public(&self, operation: &Operation) -> bool {
        self.public.iter().any(|p| p.matches(operation))
            || self.access_for(operation) == Some(&Access::Public)
    }

    /// Whether the operation must refuse anonymous callers.
    pub fn requires_auth(&self, operation: &Operation) -> bool {
        if self.declares_public(operation) {
            return false;
        }
        self.private.iter().any(|p| p.matches(operation))
            || matches!(operation.security, Security::Required(_))
    }

    /// The declared access, if any.
    pub fn access_for(&self, operation: &Operation) -> Option<&Access> {
        self.access
            .iter()
            .find(|(pattern, _)| pattern.matches(operation))
            .map(|(_, access)| access)
    }

    /// The role an operation is reserved for: declared, or told by the spec (`x-roles`,
    /// `x-required-role`, an `admin` tag) or by an `/admin` path segment.
    pub fn required_role(&self, operation: &Operation) -> Option<String> {
        if let Some(access) = self.access_for(operation) {
            return match access {
                Access::Role(role) => Some(role.clone()),
                Access::Public | Access::Owner => None,
            };
        }
        for key in ["x-roles", "x-required-role", "x-role", "x-required-roles"] {
            match operation.extensions.get(key) {
                Some(serde_json::Value::String(role)) => return Some(role.clone()),
                Some(serde_json::Value::Array(roles)) => {
                    if let Some(role) = roles.iter().filter_map(|r| r.as_str()).next() {
                        return Some(role.to_string());
                    }
                }
                _ => {}
            }
        }
        if operation
            .extensions
            .get("x-admin")
            .and_then(serde_json::Value::as_bool)
            == Some(true)
            || operation
                .tags
                .iter()
                .any(|tag| tag.eq_ignore_ascii_case("admin"))
            || operation
                .path
                .split('/')
                .any(|segment| segment.eq_ignore_ascii_case("admin"))
        {
            return Some("admin".into());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_methods_and_paths() {
        assert!(glob_match("/api/admin/*", "/api/admin/users/{id}"));
        assert!(glob_match("*/internal", "/v1/internal"));
        assert!(!glob_match("/api/admin/*", "/api/users"));
        assert!(glob_match("/exact", "/exact"));
        assert!(OperationPattern::parse("get /x").is_some());
        assert!(OperationPattern::parse("/x").is_none());
    }
}
