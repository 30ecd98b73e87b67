//! `vibeguard init [PATH]`: writes a commented vibeguard.toml from what the project contains —
//! its languages, manifests, lockfiles and OpenAPI descriptions, and what its code says of the
//! running API: where it listens, its login and sign-up operations and their body fields, the
//! routes it declares.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use anyhow::Context;
use vibeguard_deps::lockfiles::LockfileFormat;
use vibeguard_deps::manifests::ManifestKind;
use vibeguard_project::{ProjectTree, WalkOptions};

use crate::Outcome;
use crate::config::FILE_NAME;

/// What `init` found in the project.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Detected {
    /// Language → number of files.
    pub languages: BTreeMap<&'static str, usize>,
    /// Manifest paths.
    pub manifests: Vec<String>,
    /// Lockfile paths.
    pub lockfiles: Vec<String>,
    /// OpenAPI / Swagger description paths.
    pub openapi: Vec<String>,
    /// Whether Dependabot or Renovate is configured.
    pub update_bot: bool,
    /// What the code says of the running API.
    pub app: AppFacts,
}

/// What the code says of the running API.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AppFacts {
    /// The port it listens on, and where that is written (`app.js:40`); `None` when no listen
    /// call names one.
    pub port: Option<(u16, String)>,
    /// The frameworks its routes use.
    pub frameworks: Vec<String>,
    /// The login operation (`POST /api/login`), its identifier field and its password field.
    pub login: Option<(String, String, String)>,
    /// Whether the login is an HTML form (its handler reads a form): a session login.
    pub form_login: bool,
    /// The sign-up operation.
    pub signup: Option<String>,
    /// Every route: `METHOD /path (file:line, auth)`.
    pub routes: Vec<String>,
}

/// Writes (or prints) the configuration.
pub fn run(path: &Path, force: bool, stdout: bool) -> anyhow::Result<Outcome> {
    let tree = ProjectTree::walk(path, &WalkOptions::default())
        .with_context(|| format!("cannot read the project {}", path.display()))?;
    let mut detected = detect(&tree);
    detected.app = app_facts(&tree);
    let text = render(&detected);
    if stdout {
        crate::outputs::print_stdout(&text);
        return Ok(Outcome::Passed);
    }
    let file = path.join(FILE_NAME);
    if file.exists() && !force {
        anyhow::bail!(
            "{} already exists; use --force to replace it, or --stdout to print the generated configuration",
            file.display()
        );
    }
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    eprintln!("wrote {} — {}", file.display(), summary(&detected));
    Ok(Outcome::Passed)
}

/// Writes (or prints) the security rules for each assistant, tailored to the project's stack.
pub fn assistant_rules(
    path: &Path,
    assistants: &[super::Assistant],
    stdout: bool,
) -> anyhow::Result<Outcome> {
    let tree = ProjectTree::walk(path, &WalkOptions::default())
        .with_context(|| format!("cannot read the project {}", path.display()))?;
    let detected = detect(&tree);
    let app = app_facts(&tree);
    let languages: Vec<&'static str> = detected.languages.keys().copied().collect();
    let stack =
        super::assistant::Stack::of(&tree, &detected.manifests, &app.frameworks, &languages);
    // The command to run before committing: the API too when the code says where it listens.
    let verify = match &app.port {
        Some((port, _)) => format!("vibeguard audit . --target http://127.0.0.1:{port}"),
        None => "vibeguard audit .".to_string(),
    };
    let mut assistants = assistants.to_vec();
    assistants.dedup();
    for assistant in assistants {
        if let Some(file) = super::assistant::write(path, assistant, &stack, &verify, stdout)? {
            eprintln!("wrote the security rules to {}", file.display());
        }
        if stdout {
            break;
        }
    }
    Ok(Outcome::Passed)
}

fn language(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "js" | "mjs" | "cjs" | "jsx" => "JavaScript",
        "ts" | "mts" | "cts" | "tsx" => "TypeScript",
        "py" => "Python",
        "go" => "Go",
        "rb" => "Ruby",
        "php" => "PHP",
        "java" | "kt" => "Java/Kotlin",
        "rs" => "Rust",
        "cs" => "C#",
        _ => return None,
    })
}

/// Finds languages, manifests, lockfiles and API descriptions.
pub fn detect(tree: &ProjectTree) -> Detected {
    let mut detected = Detected::default();
    for file in tree.files() {
        if let Some(language) = language(&file.path) {
            *detected.languages.entry(language).or_default() += 1;
        }
        if ManifestKind::detect(&file.path).is_some() {
            detected.manifests.push(file.path.clone());
        } else if LockfileFormat::detect(&file.path).is_some() {
            detected.lockfiles.push(file.path.clone());
        } else if is_openapi(tree, &file.path) {
            detected.openapi.push(file.path.clone());
        }
        if matches!(
            file.path.as_str(),
            ".github/dependabot.yml"
                | ".github/dependabot.yaml"
                | "renovate.json"
                | "renovate.json5"
                | ".renovaterc"
                | ".renovaterc.json"
                | ".github/renovate.json"
        ) {
            detected.update_bot = true;
        }
    }
    detected
}

/// An OpenAPI 3 or Swagger 2 document: a YAML or JSON file with a top-level `openapi` or
/// `swagger` key near its start.
fn is_openapi(tree: &ProjectTree, path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if !(lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")) {
        return false;
    }
    let Ok(text) = tree.read_text(path, 8 * 1024 * 1024) else {
        return false;
    };
    let head: String = text.chars().take(4096).collect();
    head.lines().any(|line| {
        let line = line.trim_end();
        line.starts_with("openapi:") || line.starts_with("swagger:")
    }) || head.contains("\"openapi\"")
        || head.contains("\"swagger\"")
}

/// The port, login, sign-up and routes the code declares.
pub fn app_facts(tree: &ProjectTree) -> AppFacts {
    let (routes, _) = vibeguard_code::routes(tree, &vibeguard_code::CodeOptions::default());
    let mut facts = AppFacts::default();
    for route in &routes {
        if !facts.frameworks.contains(&route.framework) {
            facts.frameworks.push(route.framework.clone());
        }
        facts.routes.push(format!(
            "{} {} ({}:{}, {})",
            route.method,
            route.path,
            route.file,
            route.line,
            if route.authenticated {
                "authenticated"
            } else {
                "open"
            }
        ));
        let operation =
            vibeguard_api::spec::routes::derive(&[vibeguard_api::spec::DeclaredRoute::from(route)])
                .operations
                .into_iter()
                .next();
        let Some(operation) = operation else {
            continue;
        };
        use vibeguard_api::checks::auth_flows::{Flow, flow};
        match flow(&operation) {
            Some(Flow::Login) if facts.login.is_none() => {
                let field = |wanted: &[&str]| {
                    route
                        .body_fields
                        .iter()
                        .find(|f| wanted.iter().any(|w| f.to_ascii_lowercase().contains(w)))
                        .cloned()
                };
                facts.login = Some((
                    operation.label(),
                    field(&["email", "user", "login", "name"]).unwrap_or_else(|| "email".into()),
                    field(&["pass"]).unwrap_or_else(|| "password".into()),
                ));
                facts.form_login = route.body_encoding.as_deref() == Some("form");
            }
            Some(Flow::Registration) if facts.signup.is_none() => {
                facts.signup = Some(operation.label());
            }
            _ => {}
        }
    }
    facts.port = listen_port(tree);
    facts
}

/// The port a listen call names: `app.listen(3000)`, `process.env.PORT || 3000`,
/// `app.run(port=5050)`, `uvicorn.run(app, port=8000)`, `PORT = 8080`.
fn listen_port(tree: &ProjectTree) -> Option<(u16, String)> {
    let patterns = [
        r"\.listen\(\s*(\d{2,5})\b",
        r"process\.env\.PORT\s*(?:\|\||\?\?)\s*(\d{2,5})\b",
        r"\.run\([^)]*\bport\s*=\s*(\d{2,5})\b",
        r"(?m)^\s*(?:const\s+|let\s+|var\s+)?PORT\s*=\s*(\d{2,5})\b",
    ];
    let regexes: Vec<regex::Regex> = patterns
        .iter()
        .filter_map(|p| regex::Regex::new(p).ok())
        .collect();
    for file in tree.files() {
        let lower = file.path.to_ascii_lowercase();
        if !(lower.ends_with(".js")
            || lower.ends_with(".ts")
            || lower.ends_with(".mjs")
            || lower.ends_with(".py"))
        {
            continue;
        }
        let Ok(text) = tree.read_text(&file.path, 2 * 1024 * 1024) else {
            continue;
        };
        for regex in &regexes {
            if let Some(found) = regex.captures(&text)
                && let Some(port) = found.get(1).and_then(|m| m.as_str().parse::<u16>().ok())
                && port > 0
            {
                let line = text[..found.get(0).map_or(0, |m| m.start())]
                    .lines()
                    .count()
                    .max(1);
                return Some((port, format!("{}:{line}", file.path)));
            }
        }
    }
    None
}

/// The port a framework listens on when the code names none.
fn default_port(frameworks: &[String]) -> Option<u16> {
    frameworks
        .iter()
        .find_map(|framework| match framework.as_str() {
            "express" | "fastify" | "nextjs" => Some(3000),
            "flask" => Some(5000),
            "fastapi" | "django" => Some(8000),
            _ => None,
        })
}

/// The `[api]`, `[budget]` and `[identities]` part: what the code says, commented where it is
/// a guess.
fn render_api(out: &mut String, detected: &Detected) {
    let app = &detected.app;
    let spec = detected.openapi.first();
    if !app.routes.is_empty() {
        let _ = writeln!(
            out,
            "# The code declares {} route(s) ({}); `vibeguard routes` lists them with their\n\
             # middleware. Without a description they are the operations the API tests use.",
            app.routes.len(),
            app.frameworks.join(", ")
        );
        for route in app.routes.iter().take(40) {
            let _ = writeln!(out, "#   {route}");
        }
        if app.routes.len() > 40 {
            let _ = writeln!(out, "#   … and {} more", app.routes.len() - 40);
        }
        out.push('\n');
    }
    match (&app.port, default_port(&app.frameworks)) {
        (Some((port, place)), _) => {
            let _ = write!(
                out,
                "# The running API, for the API tests (the port is the one {place} listens on).\n\
                 [api]\n\
                 target = \"http://127.0.0.1:{port}\"\n"
            );
        }
        (None, default) => {
            let _ = write!(
                out,
                "# The running API, for the API tests. No listen call names a port{}:\n\
                 # uncomment and adjust.\n\
                 # [api]\n\
                 # target = \"http://127.0.0.1:{}\"\n",
                if default.is_some() {
                    " (the framework's\n# default is used here)"
                } else {
                    ""
                },
                default.unwrap_or(3000)
            );
        }
    }
    let commented = if app.port.is_some() { "" } else { "# " };
    match spec {
        Some(spec) => {
            let _ = writeln!(out, "{commented}spec = \"{spec}\"");
        }
        None if !app.routes.is_empty() => {
            let _ = writeln!(
                out,
                "# No description in the project: the routes above are tested (or set spec to a\n\
                 # file or a path the server serves it at).\n\
                 # spec = \"openapi.yaml\""
            );
        }
        None => {
            let _ = writeln!(out, "# spec = \"openapi.yaml\"");
        }
    }
    match &app.login {
        Some((login, _, _)) => {
            let _ = writeln!(
                out,
                "# Open on purpose: the login{}.\n{commented}public = [\"{login}\"{}]",
                if app.signup.is_some() {
                    " and the sign-up"
                } else {
                    ""
                },
                app.signup
                    .as_ref()
                    .map(|signup| format!(", \"{signup}\""))
                    .unwrap_or_default()
            );
        }
        None => {
            let _ = writeln!(out, "# public = [\"POST /api/login\"]");
        }
    }
    out.push_str(
        "\n# [budget]\n\
         # max_requests = 3000\n\
         # rps = 20\n\n",
    );
    match &app.login {
        Some((login, user_field, password_field)) => {
            let (method, path) = login.split_once(' ').unwrap_or(("POST", login));
            if app.form_login {
                let _ = writeln!(
                    out,
                    "# Two test accounts the tests log in as. {login} is an HTML form taking\n\
                     # `{user_field}` and `{password_field}`: a session login (no capture) — the login\n\
                     # page's CSRF token is sent back, and the session cookie the login sets is the\n\
                     # credential. Passwords come from the environment. Give each a role (role: admin,\n\
                     # user, …) when the app has several."
                );
            } else {
                let _ = write!(
                    out,
                    "# Two test accounts the API tests log in as ({login} takes `{user_field}` and\n\
                     # `{password_field}`; the token is read from the answer's `token` field: adjust\n\
                     # capture to where your API puts it). Passwords come from the environment. Give each\n\
                     # a role (role: admin, user, …) when the API has several.\n"
                );
            }
            for (name, upper) in [("alice", "ALICE"), ("bob", "BOB")] {
                let account = if user_field.to_ascii_lowercase().contains("mail") {
                    format!("{name}@example.com")
                } else {
                    name.to_string()
                };
                if app.form_login {
                    let _ = write!(
                        out,
                        "# [identities.{name}]\n\
                         # kind = \"login\"\n\
                         # request = {{ method = \"{method}\", path = \"{path}\", form = {{ {user_field} = \"{account}\", {password_field} = \"${{{upper}_PASSWORD}}\" }} }}\n"
                    );
                    continue;
                }
                let _ = write!(
                    out,
                    "# [identities.{name}]\n\
                     # kind = \"login\"\n\
                     # request = {{ method = \"{method}\", path = \"{path}\", json = {{ {user_field} = \"{account}\", {password_field} = \"${{{upper}_PASSWORD}}\" }} }}\n\
                     # capture = {{ json_pointer = \"/token\" }}\n\
                     # send_as = {{ header = \"Authorization\", prefix = \"Bearer \" }}\n"
                );
            }
            if let Some(signup) = &app.signup {
                let _ = writeln!(
                    out,
                    "# The sign-up ({signup}) can create these accounts; vibeguard also uses it to\n\
                     # test registration (mass assignment, limits)."
                );
            }
        }
        None => out.push_str(
            "# Credentials the API tests act as; values may come from the environment.\n\
             # [identities.alice]\n\
             # kind = \"bearer\"\n\
             # token = \"${ALICE_TOKEN}\"\n",
        ),
    }
}

fn summary(detected: &Detected) -> String {
    format!(
        "{} language(s), {} manifest(s), {} lockfile(s), {} OpenAPI file(s)",
        detected.languages.len(),
        detected.manifests.len(),
        detected.lockfiles.len(),
        detected.openapi.len()
    )
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// The configuration text for what was detected.
pub fn render(detected: &Detected) -> String {
    let mut out = String::new();
    let languages: Vec<String> = detected
        .languages
        .iter()
        .map(|(language, count)| format!("{language} ({count} files)"))
        .collect();
    let _ = write!(
        out,
        "# vibeguard configuration, generated by `vibeguard init`.\n\
         # Every key is documented in docs/configuration.md; delete what you do not need.\n\
         #\n\
         # Detected languages: {}\n\
         # Manifests: {}\n\
         # Lockfiles: {}\n\
         # OpenAPI descriptions: {}\n\
         # Dependency update bot: {}\n\n",
        if languages.is_empty() {
            "none".to_string()
        } else {
            languages.join(", ")
        },
        list(&detected.manifests),
        list(&detected.lockfiles),
        list(&detected.openapi),
        if detected.update_bot {
            "configured"
        } else {
            "none found (vibeguard reports this as VG304)"
        },
    );
    out.push_str(
        "# Fail the run (exit 1) on findings at or above this severity:\n\
         # critical, high, medium, low, info or never.\n\
         fail_on = \"high\"\n\n\
         # Findings recorded in a baseline are shown but do not fail the run. Create one with\n\
         # `vibeguard baseline write .vibeguard/baseline.json`, then uncomment:\n\
         # baseline = \".vibeguard/baseline.json\"\n\n\
         [paths]\n\
         # Only audit files matching these gitignore-style globs (everything when empty).\n\
         include = []\n\
         # Never audit these. node_modules, dist, build, vendor, target and virtual\n\
         # environments are always skipped, as is everything your .gitignore ignores.\n\
         exclude = []\n\n\
         [rules]\n\
         # Rules not to run, by code or name (`vibeguard rules` lists them).\n\
         disable = []\n\n\
         [rules.severity]\n\
         # Change a rule's severity, for example:\n\
         # VG302 = \"low\"\n\n",
    );
    render_api(&mut out, detected);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with the example settings uncommented (lines `# key = …` and `# [section]`).
    fn uncommented(text: &str) -> String {
        text.lines()
            .map(|line| {
                line.strip_prefix("# ")
                    .filter(|l| l.contains(" = ") || l.starts_with('['))
                    .unwrap_or(line)
            })
            .map(|line| format!("{line}\n"))
            .collect::<String>()
            .replace("baseline = \".vibeguard/baseline.json\"\n", "")
    }

    #[test]
    fn the_apps_port_login_sign_up_and_routes_are_read_from_its_code() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(
            root.join("server.js"),
            "const express = require('express');\nconst app = express();\n\
             app.post('/auth/signin', (req, res) => { const { username, password } = req.body; res.json(login(username, password)); });\n\
             app.post('/auth/signup', (req, res) => res.json(create(req.body.username, req.body.password)));\n\
             app.get('/notes', auth, (req, res) => res.json([]));\n\
             app.listen(4100, () => console.log('up'));\n",
        )
        .expect("write");
        let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walk");
        let app = app_facts(&tree);
        assert_eq!(app.port, Some((4100, "server.js:6".to_string())));
        assert_eq!(
            app.login,
            Some((
                "POST /auth/signin".to_string(),
                "username".to_string(),
                "password".to_string()
            ))
        );
        assert_eq!(app.signup.as_deref(), Some("POST /auth/signup"));
        assert_eq!(app.routes.len(), 3);
        let mut detected = detect(&tree);
        detected.app = app;
        let text = render(&detected);
        // The port is known: the target is set; the login and sign-up are open on purpose.
        assert!(
            text.contains("\n[api]\ntarget = \"http://127.0.0.1:4100\"\n"),
            "{text}"
        );
        assert!(
            text.contains("\npublic = [\"POST /auth/signin\", \"POST /auth/signup\"]"),
            "{text}"
        );
        assert!(
            text.contains("json = { username = \"alice\", password = \"${ALICE_PASSWORD}\" }"),
            "{text}"
        );
        assert!(
            text.contains("#   GET /notes (server.js:5, authenticated)"),
            "{text}"
        );
        let rules = crate::registry::all_rules();
        crate::config::parse(Path::new(FILE_NAME), &text, &rules).expect("valid as written");
        let config = crate::config::parse(Path::new(FILE_NAME), &uncommented(&text), &rules)
            .expect("valid with the identities uncommented");
        assert_eq!(config.identities.len(), 2);
    }

    #[test]
    fn without_a_listen_call_the_target_is_a_commented_framework_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("app.py"),
            "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/items')\ndef items():\n    return []\n",
        )
        .expect("write");
        let tree = ProjectTree::walk(dir.path(), &WalkOptions::default()).expect("walk");
        let mut detected = detect(&tree);
        detected.app = app_facts(&tree);
        assert_eq!(detected.app.port, None);
        let text = render(&detected);
        assert!(
            text.contains("# target = \"http://127.0.0.1:5000\""),
            "{text}"
        );
        assert!(!text.contains("\n[api]"), "{text}");
    }

    #[test]
    fn detects_and_renders_a_configuration_the_loader_accepts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).expect("mkdir");
        std::fs::write(root.join("package.json"), "{}").expect("write");
        std::fs::write(root.join("package-lock.json"), "{}").expect("write");
        std::fs::write(root.join("src/app.ts"), "").expect("write");
        std::fs::write(root.join("api.yaml"), "openapi: 3.1.0\ninfo: {}\n").expect("write");
        std::fs::write(root.join("other.yaml"), "name: not an api\n").expect("write");
        let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walk");
        let detected = detect(&tree);
        assert_eq!(detected.manifests, vec!["package.json"]);
        assert_eq!(detected.lockfiles, vec!["package-lock.json"]);
        assert_eq!(detected.openapi, vec!["api.yaml"]);
        assert_eq!(detected.languages.get("TypeScript"), Some(&1));
        let text = render(&detected);
        assert!(text.contains("# spec = \"api.yaml\""));
        crate::config::parse(Path::new(FILE_NAME), &text, &crate::registry::all_rules())
            .expect("the generated file is valid");
        let uncommented: String = text
            .lines()
            .map(|line| {
                line.strip_prefix("# ")
                    .filter(|l| l.contains(" = ") || l.starts_with('['))
                    .unwrap_or(line)
            })
            .map(|line| format!("{line}\n"))
            .collect();
        // Uncommenting the examples must give a valid file too (with the `[api]` section).
        let uncommented = uncommented.replace("baseline = \".vibeguard/baseline.json\"\n", "");
        crate::config::parse(
            Path::new(FILE_NAME),
            &uncommented,
            &crate::registry::all_rules(),
        )
        .expect("the uncommented examples are valid");
    }

    #[test]
    fn a_form_login_gets_a_session_identity_without_capture() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(
            root.join("app.py"),
            "from flask import Flask, request, redirect\nfrom flask_wtf import FlaskForm\nfrom wtforms import StringField, PasswordField\nfrom wtforms.validators import DataRequired\napp = Flask(__name__)\n\nclass LoginForm(FlaskForm):\n    username = StringField('Username', validators=[DataRequired()])\n    password = PasswordField('Password', validators=[DataRequired()])\n\n@app.route('/login', methods=['GET', 'POST'])\ndef login():\n    form = LoginForm()\n    if form.validate_on_submit():\n        return redirect('/')\n    return 'form'\n",
        )
        .expect("write");
        let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walk");
        let app = app_facts(&tree);
        assert!(app.form_login, "{app:?}");
        let mut detected = detect(&tree);
        detected.app = app;
        let text = render(&detected);
        assert!(
            text.contains("form = { username = \"alice\", password = \"${ALICE_PASSWORD}\" }"),
            "{text}"
        );
        assert!(!text.contains("# capture = { json_pointer"), "{text}");
        assert!(!text.contains("the token is read"), "{text}");
        assert!(text.contains("a session login (no capture)"), "{text}");
        // Uncommented, the block is an identity: its table, its kind, its form request.
        let uncommented: String = text
            .lines()
            .filter(|line| {
                line.starts_with("# [identities.alice]")
                    || line.starts_with("# kind = \"login\"")
                    || line.starts_with("# request = { method = \"POST\", path = \"/login\", form")
            })
            .map(|line| format!("{}\n", line.trim_start_matches("# ")))
            .collect();
        assert!(
            uncommented.contains("[identities.alice]\nkind = \"login\"\nrequest ="),
            "{uncommented}"
        );
    }
}
