//! What an operation does to accounts: which account a path parameter names, and whether an
//! operation sent as an identity would change that identity's own credentials. The API engine
//! withholds (or lends a signed-up account to) such probes; the scenario engine leaves such
//! operations out of a surface-wide scenario that is not destructive.

use crate::spec::Operation;

/// Which of an account's keys a path parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKey {
    /// Its id (`/users/{id}`, `{userId}`).
    Id,
    /// Its username (`/users/{username}`, `/u/{handle}`).
    Username,
    /// Its e-mail (`{email}`).
    Email,
}

/// Which account key a path parameter takes, when it names an account: by its own name
/// (`userId`, `username`, `email`), or by the collection it follows (`/users/{id}`,
/// `/accounts/{name}`).
pub fn account_key(operation: &Operation, param: &str) -> Option<AccountKey> {
    let normal = param.to_ascii_lowercase().replace(['_', '-'], "");
    match normal.as_str() {
        "userid" | "uid" | "accountid" | "memberid" => return Some(AccountKey::Id),
        "username" | "login" | "handle" | "userhandle" | "accountname" | "screenname" => {
            return Some(AccountKey::Username);
        }
        "email" | "useremail" | "emailaddress" | "mail" => return Some(AccountKey::Email),
        _ => {}
    }
    let placeholder = format!("{{{param}}}");
    let segments: Vec<&str> = operation.path.split('/').collect();
    let after_accounts = segments.windows(2).any(|pair| {
        pair[1] == placeholder
            && matches!(
                pair[0].to_ascii_lowercase().as_str(),
                "users"
                    | "user"
                    | "accounts"
                    | "account"
                    | "profiles"
                    | "profile"
                    | "members"
                    | "u"
            )
    });
    if !after_accounts {
        return None;
    }
    Some(match normal.as_str() {
        "id" | "key" | "pk" | "uuid" => AccountKey::Id,
        _ => AccountKey::Username,
    })
}

/// Whether an operation sent as an identity would change that identity's own credentials: a
/// change of password or e-mail on the caller's account (`/me`, `/account`, `/profile`,
/// `/users/{name}`, `…/password`), of its second factor (`/2fa`, `/mfa`, `/totp`), or the
/// account closed (`DELETE /me`, `POST /account/delete`). Logins, sign-ups and resets by token
/// are not: they change no existing identity's credentials with the identity's own token.
pub fn changes_credentials(operation: &Operation) -> bool {
    let segments = operation.path_words();
    let last = segments.last().map(String::as_str).unwrap_or_default();
    // The second factor (`/account/2fa`, `/mfa/disable`, `/totp`): enabling or removing it
    // changes how the identity logs in.
    let second_factor = segments.iter().any(|s| {
        matches!(
            s.as_str(),
            "2fa" | "mfa" | "totp" | "otp" | "twofactor" | "tfa" | "webauthn" | "passkeys"
        )
    });
    if (operation.method != "GET" && second_factor) || operation.closes_account() {
        return true;
    }
    if !matches!(operation.method.as_str(), "POST" | "PUT" | "PATCH") {
        return false;
    }
    if matches!(
        last,
        "login"
            | "signin"
            | "token"
            | "tokens"
            | "register"
            | "signup"
            | "users"
            | "accounts"
            | "session"
            | "sessions"
            | "auth"
    ) || segments
        .iter()
        .any(|s| s.contains("reset") || s.contains("forgot"))
    {
        return false;
    }
    let Some(body) = &operation.body else {
        return false;
    };
    let fields: Vec<String> = body
        .schema
        .properties
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase().replace(['-', '_'], ""))
        .collect();
    let password = fields
        .iter()
        .any(|f| f.contains("password") || f.contains("passwd") || f == "pass" || f == "pin");
    let on_account = segments.iter().any(|s| {
        matches!(
            s.as_str(),
            "me" | "self" | "account" | "profile" | "settings" | "password" | "email"
        ) || s.contains("password")
    }) || operation
        .path_params()
        .iter()
        .any(|param| account_key(operation, param).is_some());
    let email = fields.iter().any(|f| f.contains("email") || f == "mail");
    // A form posts its changes: `POST /profile {email, bio}` changes the caller's e-mail as
    // surely as `PATCH /me` does (a sign-up posts to `/register`, `/signup` or `/users`).
    let posted_to_account = matches!(
        last,
        "me" | "self" | "profile" | "settings" | "account" | "email"
    ) || last.contains("email");
    password || (email && on_account && (operation.method != "POST" || posted_to_account))
}
