//! VG305 committed-secrets-file: a `.env` file or a credentials file (private keys, cloud
//! credentials, package-registry tokens) that is committed to git, or would be by `git add .`
//! because no `.gitignore` excludes it.
//!
//! Only the names of what the file defines are reported, never a value.

use std::borrow::Cow;
use std::collections::BTreeSet;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, Location, RuleDocs, RuleMeta, Severity,
    Span,
};

use crate::hygiene::{Applicability, HygieneRule, ProjectModel};

/// The rule.
#[derive(Debug)]
pub struct CommittedSecretsFile;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG305"),
    name: Cow::Borrowed("committed-secrets-file"),
    engine: EngineId::Hygiene,
    summary: Cow::Borrowed("A .env or credentials file is committed, or not ignored by git"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[538, 798]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Data04, ChecklistId::Data03]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "`.env`, `.env.local`, `.env.production` and similar files that define values (not \
             templates such as `.env.example`), and credential files — private keys (`id_rsa`, \
             `*.pem`, `*.key` holding a PRIVATE KEY), cloud credentials (`.aws/credentials`, \
             Google service-account JSON), registry tokens (`.npmrc` with `_authToken`, \
             `.pypirc`, `.netrc`, `.git-credentials`) — that are in the git index, or present \
             and not excluded by any `.gitignore`.",
        ),
        why: Cow::Borrowed(
            "Whoever can read the repository — every collaborator, every CI log, anyone after a \
             leak or an accidental publication — gets the database password, the JWT signing \
             key and the payment API key. Removing the file later does not help: it stays in \
             git history until the secrets are rotated.",
        ),
        example_bad: Cow::Borrowed(
            "$ git ls-files\n.env            # DB_PASSWORD=…, JWT_SECRET=…\nsrc/app.js",
        ),
        example_fixed: Cow::Borrowed(
            "# .gitignore\n.env\n.env.*\n!.env.example\n\n$ git rm --cached .env   # then rotate every secret it held",
        ),
        fix: Cow::Borrowed(
            "Rotate every secret the file holds (they are exposed), remove it from the index \
             with `git rm --cached`, add it to .gitignore, commit a `.env.example` with \
             placeholder values, and load real values from the environment or a secrets manager.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/538.html"),
            Cow::Borrowed(
                "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository",
            ),
        ]),
    },
};

/// Files whose whole point is to hold placeholders.
const TEMPLATE_SUFFIXES: &[&str] = &[
    ".example",
    ".sample",
    ".template",
    ".tmpl",
    ".tpl",
    ".dist",
    ".defaults",
    ".schema",
    ".test.example",
];

/// What kind of secrets file a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretsFile {
    Dotenv,
    PrivateKey,
    CloudCredentials,
    RegistryToken,
}

fn classify(path: &str) -> Option<SecretsFile> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if TEMPLATE_SUFFIXES
        .iter()
        .any(|suffix| lower.ends_with(suffix))
    {
        return None;
    }
    if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") || lower == ".envrc"
    {
        return Some(SecretsFile::Dotenv);
    }
    if matches!(
        lower.as_str(),
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519"
    ) || [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        return Some(SecretsFile::PrivateKey);
    }
    if path.ends_with(".aws/credentials")
        || lower == "credentials.json"
        || lower == "service-account.json"
        || lower.contains("service-account") && lower.ends_with(".json")
        || lower == "gcloud-key.json"
    {
        return Some(SecretsFile::CloudCredentials);
    }
    if matches!(
        lower.as_str(),
        ".npmrc" | ".pypirc" | ".netrc" | "_netrc" | ".git-credentials" | ".htpasswd"
    ) {
        return Some(SecretsFile::RegistryToken);
    }
    None
}

/// What a secrets file shows without revealing anything: the names it defines that hold a real
/// value, and the line of the first one.
struct Contents {
    secret_names: Vec<String>,
    other_names: Vec<String>,
    first_line: Option<u32>,
    /// A credential file whose content proves it holds a secret.
    proven: bool,
}

impl HygieneRule for CommittedSecretsFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, project: &ProjectModel<'_>, findings: &mut Vec<Finding>) -> Applicability {
        // Tracked files (even if ignored now) and files git would pick up.
        let mut candidates: BTreeSet<String> = project
            .tree
            .files()
            .map(|f| f.path.clone())
            .filter(|path| classify(path).is_some())
            .collect();
        if let Some(index) = &project.git_index {
            candidates.extend(
                index
                    .paths()
                    .filter(|p| classify(p).is_some() && project.tree.is_selected(p))
                    .map(str::to_string),
            );
        }
        for path in candidates {
            let Some(kind) = classify(&path) else {
                continue;
            };
            let tracked = project
                .git_index
                .as_ref()
                .is_some_and(|index| index.is_tracked(&path));
            let text = project.tree.read_text(&path, 1024 * 1024).ok();
            let contents = text.as_deref().map(|text| inspect(kind, text));
            let (severity, what) = match (kind, &contents) {
                (SecretsFile::Dotenv, Some(c)) if !c.secret_names.is_empty() => (
                    Severity::High,
                    format!("defines {} (values hidden)", c.secret_names.join(", ")),
                ),
                (SecretsFile::Dotenv, Some(c)) if !c.other_names.is_empty() => (
                    Severity::Low,
                    format!(
                        "defines {} (no secret-named values)",
                        c.other_names.join(", ")
                    ),
                ),
                // Empty or placeholder-only env files hold nothing to leak.
                (SecretsFile::Dotenv, Some(_)) => continue,
                (SecretsFile::PrivateKey, Some(c)) if !c.proven => continue,
                (SecretsFile::PrivateKey, _) => {
                    (Severity::Critical, "holds a private key".to_string())
                }
                (SecretsFile::CloudCredentials, Some(c)) if !c.proven => continue,
                (SecretsFile::CloudCredentials, _) => {
                    (Severity::Critical, "holds cloud credentials".to_string())
                }
                (SecretsFile::RegistryToken, Some(c)) if !c.proven => continue,
                (SecretsFile::RegistryToken, _) => {
                    (Severity::High, "holds a token or password".to_string())
                }
                (SecretsFile::Dotenv, None) => (
                    Severity::High,
                    "is committed; its content could not be read".to_string(),
                ),
            };
            let state = if tracked {
                "is committed to git"
            } else if project.git_index.is_some() {
                "is not ignored by .gitignore: the next `git add .` commits it"
            } else {
                "is not ignored by any .gitignore, so it will be committed with the project"
            };
            let span = contents
                .as_ref()
                .and_then(|c| c.first_line)
                .map(|line| Span::line(line, 1, 2));
            findings.push(
                Finding::new(
                    &META,
                    Location::Source {
                        path: path.clone(),
                        span,
                    },
                    format!("{path} {state} and {what}"),
                    format!("secrets-file:{path}"),
                )
                .with_severity(severity)
                .with_evidence(Evidence::Text {
                    label: "file".into(),
                    text: format!(
                        "{path}: {} ({})",
                        what,
                        if tracked {
                            "tracked in the git index"
                        } else {
                            "untracked, not ignored"
                        }
                    ),
                }),
            );
        }
        Applicability::Applied
    }
}

fn inspect(kind: SecretsFile, text: &str) -> Contents {
    let mut contents = Contents {
        secret_names: Vec::new(),
        other_names: Vec::new(),
        first_line: None,
        proven: false,
    };
    match kind {
        SecretsFile::Dotenv => {
            for (index, line) in text.lines().enumerate() {
                let line = line.trim();
                let line = line.strip_prefix("export ").unwrap_or(line);
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                let key = key.trim();
                if key.is_empty()
                    || key.starts_with('#')
                    || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    continue;
                }
                let value = value
                    .split(" #")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                if is_placeholder(value) {
                    continue;
                }
                if is_secret_name(key) || holds_credentials(value) {
                    contents
                        .first_line
                        .get_or_insert(u32::try_from(index + 1).unwrap_or(u32::MAX));
                    contents.secret_names.push(key.to_string());
                } else {
                    contents.other_names.push(key.to_string());
                }
            }
        }
        SecretsFile::PrivateKey => {
            contents.proven = text.contains("PRIVATE KEY") || text.contains("PuTTY-User-Key-File");
        }
        SecretsFile::CloudCredentials => {
            contents.proven = [
                "\"private_key\"",
                "aws_secret_access_key",
                "\"client_secret\"",
                "\"refresh_token\"",
            ]
            .iter()
            .any(|marker| text.contains(marker));
        }
        SecretsFile::RegistryToken => {
            contents.proven = text.lines().any(registry_line_holds_secret);
        }
    }
    contents
}

/// A line of .npmrc, .pypirc, .netrc, .git-credentials or .htpasswd that carries a literal
/// credential (not a `${VAR}` reference).
fn registry_line_holds_secret(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with(';') || line.contains("${") {
        return false;
    }
    let lower = line.to_ascii_lowercase();
    let assigned = |key: &str| {
        lower.split_once(key).is_some_and(|(_, rest)| {
            let value = rest.trim_start().trim_start_matches(['=', ':']).trim();
            !value.is_empty() && !is_placeholder(value)
        })
    };
    // .npmrc
    assigned("_authtoken") || assigned("_auth") || assigned("_password")
        // .pypirc (`password = x`) and .netrc (`machine h login u password x`)
        || assigned("password")
        // .git-credentials: https://user:token@host
        || holds_credentials(line)
        // .htpasswd: user:$apr1$… / user:{SHA}…
        || line.split_once(':').is_some_and(|(user, hash)| {
            !user.contains(' ') && (hash.starts_with('$') || hash.starts_with("{SHA}"))
        })
}

fn is_secret_name(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    ["SECRET", "PASSWORD", "PASSWD", "PWD", "TOKEN", "KEY", "PRIVATE", "CREDENTIAL", "AUTH", "DSN", "SALT", "SIGNING"]
        .iter()
        .any(|marker| upper.contains(marker))
        && !upper.ends_with("_KEY_ID") // an id names a key; it is not the key
        || upper == "DATABASE_URL"
}

/// A connection string with a password (`postgres://user:pw@host`).
fn holds_credentials(value: &str) -> bool {
    value
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.is_empty()
        || value.starts_with("${")
        || value.starts_with('<') && value.ends_with('>')
        || lower.chars().all(|c| c == 'x' || c == '*' || c == '.')
        || [
            "changeme",
            "change-me",
            "change_me",
            "your-",
            "your_",
            "yourkey",
            "replace",
            "example",
            "placeholder",
            "todo",
            "xxx",
            "dummy",
        ]
        .iter()
        .any(|marker| lower.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_secret_files_but_not_templates() {
        assert_eq!(classify(".env"), Some(SecretsFile::Dotenv));
        assert_eq!(classify("api/.env.production"), Some(SecretsFile::Dotenv));
        assert_eq!(classify("prod.env"), Some(SecretsFile::Dotenv));
        assert_eq!(classify(".env.example"), None);
        assert_eq!(classify("config/.env.sample"), None);
        assert_eq!(classify("certs/server.key"), Some(SecretsFile::PrivateKey));
        assert_eq!(
            classify("home/.aws/credentials"),
            Some(SecretsFile::CloudCredentials)
        );
        assert_eq!(classify(".npmrc"), Some(SecretsFile::RegistryToken));
        assert_eq!(classify("src/environment.ts"), None);
    }

    #[test]
    fn env_inspection_names_secrets_and_skips_placeholders() {
        let text = "PORT=3000\nDB_PASSWORD=\"hunter2\"\nJWT_SECRET=${JWT_SECRET}\nSTRIPE_KEY=changeme\nAWS_ACCESS_KEY_ID=AKIAxx\nDATABASE_URL=postgres://app:pw@db/app\n# API_TOKEN=abc\n";
        let contents = inspect(SecretsFile::Dotenv, text);
        assert_eq!(contents.secret_names, vec!["DB_PASSWORD", "DATABASE_URL"]);
        assert_eq!(contents.other_names, vec!["PORT", "AWS_ACCESS_KEY_ID"]);
        assert_eq!(contents.first_line, Some(2));
    }

    #[test]
    fn registry_files_need_a_literal_token() {
        assert!(
            inspect(
                SecretsFile::RegistryToken,
                "//registry.npmjs.org/:_authToken=npm_abc123\n"
            )
            .proven
        );
        assert!(
            !inspect(
                SecretsFile::RegistryToken,
                "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
            )
            .proven
        );
        assert!(!inspect(SecretsFile::RegistryToken, "save-exact=true\n").proven);
        assert!(
            inspect(
                SecretsFile::RegistryToken,
                "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n"
            )
            .proven
        );
        assert!(
            inspect(
                SecretsFile::RegistryToken,
                "machine api.example.org login bob password s3cr3t\n"
            )
            .proven
        );
        assert!(
            inspect(
                SecretsFile::RegistryToken,
                "https://bob:ghp_abc123@github.com\n"
            )
            .proven
        );
        assert!(
            !inspect(
                SecretsFile::RegistryToken,
                "[distutils]\nindex-servers = pypi\n"
            )
            .proven
        );
        assert!(inspect(SecretsFile::PrivateKey, "-----BEGIN RSA PRIVATE KEY-----\n").proven);
        assert!(!inspect(SecretsFile::PrivateKey, "-----BEGIN CERTIFICATE-----\n").proven);
    }
}
