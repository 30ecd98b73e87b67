//! Which operations are authentication flows — login, registration, password reset, one-time
//! codes — and which fields of their bodies name an account or hold a secret. Shared by the
//! identities (whose logins these are), the API checks and the scenarios.

use serde_json::Value;

use crate::http::Request;
use crate::spec::Operation;

/// An authentication flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Logging in.
    Login,
    /// Creating an account.
    Registration,
    /// Asking for (or using) a password reset.
    PasswordReset,
    /// Checking a one-time code.
    OneTimeCode,
}

impl Flow {
    /// How the flow reads in a message.
    pub fn describe(self) -> &'static str {
        match self {
            Flow::Login => "login",
            Flow::Registration => "registration",
            Flow::PasswordReset => "password reset",
            Flow::OneTimeCode => "one-time code",
        }
    }
}

/// The flow an operation is, by its path: `POST /auth/login`, `/signup`, `/forgot-password`,
/// `/verify-otp`.
pub fn flow(operation: &Operation) -> Option<Flow> {
    flow_of(&operation.method, &operation.path)
}

/// [`flow`] for a request's method and path (a request sent without its operation at hand).
pub fn flow_of(method: &str, path: &str) -> Option<Flow> {
    if method != "POST" {
        return None;
    }
    // `/api/auth/token/` (Django's trailing slash) like `/api/auth/token`.
    let path = path.to_ascii_lowercase();
    let path = path.trim_end_matches('/');
    let words: Vec<&str> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let joined = words.join("");
    if has(&["forgot", "reset", "recover", "recovery"])
        || joined.contains("forgotpassword")
        || joined.contains("resetpassword")
    {
        Some(Flow::PasswordReset)
    } else if has(&["otp", "2fa", "mfa", "totp"])
        || (has(&["verify", "verification"]) && has(&["code", "otp", "phone", "sms"]))
    {
        Some(Flow::OneTimeCode)
    } else if has(&["register", "registration", "signup"]) || joined.contains("signup") {
        Some(Flow::Registration)
    } else if has(&["login", "signin", "logon", "authenticate"])
        || joined.contains("signin")
        || joined.contains("logon")
        || path.ends_with("/token")
        || path.ends_with("/sessions")
        || path.ends_with("/session")
    {
        Some(Flow::Login)
    } else {
        None
    }
}

/// Whether a body field holds a secret the client proves (password, code).
pub fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("pass")
        || lower.contains("pwd")
        || lower == "code"
        || lower.contains("otp")
        || lower.ends_with("token")
        || lower == "pin"
}

/// Whether a body field names the account (e-mail, user name, phone).
pub fn is_account_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "email",
        "mail",
        "username",
        "user",
        "login",
        "phone",
        "mobile",
        "account",
        "identifier",
    ]
    .iter()
    .any(|word| lower == *word || lower.ends_with(word) && !lower.contains("pass"))
}

/// The JSON body of a request, when it is an object.
pub fn json_body(request: &Request) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(request.body.as_deref()?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The fields of a login-shaped body — a JSON object, or a form (`username=…&password=…`, as
/// OAuth2's password grant and HTML forms send) — and how it was encoded.
pub fn login_fields(
    request: &Request,
) -> Option<(crate::spec::BodyKind, serde_json::Map<String, Value>)> {
    if let Some(map) = json_body(request) {
        return Some((crate::spec::BodyKind::Json, map));
    }
    let is_form = request
        .header_value("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    let map: serde_json::Map<String, Value> = url::form_urlencoded::parse(request.body.as_deref()?)
        .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
        .collect();
    (!map.is_empty()).then_some((crate::spec::BodyKind::Form, map))
}

/// `request` with its body replaced by `fields`, encoded the way `kind` says.
pub fn with_login_fields(
    request: &Request,
    kind: crate::spec::BodyKind,
    fields: serde_json::Map<String, Value>,
) -> Request {
    let media_type = match kind {
        crate::spec::BodyKind::Form => "application/x-www-form-urlencoded",
        _ => "application/json",
    };
    crate::body::with_body(
        crate::body::strip_body(request),
        kind,
        media_type,
        &Value::Object(fields),
    )
}

/// An account name that does not exist, shaped like `example` (an e-mail stays an e-mail).
pub fn unknown_account(example: &str, n: u64) -> String {
    if let Some((_, domain)) = example.split_once('@') {
        format!("vibeguard-nobody-{n}@{domain}")
    } else {
        format!("vibeguard_nobody_{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_are_recognised_by_their_paths() {
        assert_eq!(flow_of("POST", "/api/login"), Some(Flow::Login));
        assert_eq!(flow_of("POST", "/api/auth/token/"), Some(Flow::Login));
        assert_eq!(flow_of("POST", "/api/auth/tokens/"), None);
        assert_eq!(flow_of("POST", "/auth/sign-in"), Some(Flow::Login));
        assert_eq!(flow_of("POST", "/oauth/token"), Some(Flow::Login));
        assert_eq!(
            flow_of("POST", "/api/v1/users/signup"),
            Some(Flow::Registration)
        );
        assert_eq!(flow_of("POST", "/api/register"), Some(Flow::Registration));
        assert_eq!(
            flow_of("POST", "/api/password-reset"),
            Some(Flow::PasswordReset)
        );
        assert_eq!(
            flow_of("POST", "/auth/forgot-password"),
            Some(Flow::PasswordReset)
        );
        assert_eq!(flow_of("POST", "/auth/verify-otp"), Some(Flow::OneTimeCode));
        assert_eq!(flow_of("POST", "/auth/2fa"), Some(Flow::OneTimeCode));
        assert_eq!(flow_of("GET", "/api/login"), None);
        assert_eq!(flow_of("POST", "/api/tasks"), None);
        assert_eq!(flow_of("POST", "/api/blogs/{id}/comments"), None);
        assert_eq!(flow_of("POST", "/api/tokenizer"), None);
    }

    #[test]
    fn fields_are_told_apart() {
        assert!(
            is_secret_field("password") && is_secret_field("newPassword") && is_secret_field("otp")
        );
        assert!(
            is_account_field("email")
                && is_account_field("username")
                && is_account_field("userEmail")
        );
        assert!(!is_account_field("password") && !is_secret_field("email"));
        assert_eq!(
            unknown_account("alice@example.com", 3),
            "vibeguard-nobody-3@example.com"
        );
        assert_eq!(unknown_account("alice", 3), "vibeguard_nobody_3");
    }
}
