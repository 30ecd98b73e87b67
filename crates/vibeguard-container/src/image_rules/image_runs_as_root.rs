//! VG612 image-runs-as-root: the image's configuration sets no `User`, or `root`/`0`, so its
//! process runs as root — whatever the Dockerfile in the project says.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, Location, RuleDocs, RuleMeta, Severity,
};

use crate::image::ImageConfig;

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG612"),
    name: Cow::Borrowed("image-runs-as-root"),
    engine: EngineId::Image,
    summary: Cow::Borrowed("The container image runs its process as root"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[250]),
    owasp_api: None,
    checklist: Cow::Borrowed(&[ChecklistId::Cont01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "The image configuration's `User` is empty (the default, root), `root` or `0`. \
             It is what the built image does, whichever Dockerfile made it.",
        ),
        why: Cow::Borrowed(
            "A process running as root inside the container owns the container: one code \
             execution bug can rewrite the app and read every mounted secret, and with a \
             kernel or runtime flaw take the host.",
        ),
        example_bad: Cow::Borrowed("FROM node:20-slim\nCMD [\"node\", \"server.js\"]"),
        example_fixed: Cow::Borrowed("FROM node:20-slim\nUSER node\nCMD [\"node\", \"server.js\"]"),
        fix: Cow::Borrowed(
            "Add `USER` with an unprivileged user (`USER node`, `USER 10001:10001`) before \
             `CMD` in the Dockerfile and rebuild.",
        ),
        references: Cow::Borrowed(&[Cow::Borrowed(
            "https://docs.docker.com/build/building/best-practices/#user",
        )]),
    },
};

/// The finding, when the configuration runs as root; `image` names the image.
pub fn check(image: &str, config: &ImageConfig) -> Option<Finding> {
    let user = config.config.user.as_deref().unwrap_or("").trim();
    let name = user.split(':').next().unwrap_or(user).trim();
    let root = name.is_empty() || name.eq_ignore_ascii_case("root") || name == "0";
    if !root {
        return None;
    }
    let shown = if user.is_empty() {
        "no User (root)"
    } else {
        user
    };
    Some(
        Finding::new(
            &META,
            Location::Source {
                path: image.to_string(),
                span: None,
            },
            format!("the image runs as {shown}"),
            "image-user",
        )
        .with_evidence(Evidence::Text {
            label: "image configuration".into(),
            text: format!("User: {shown}"),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(user: Option<&str>) -> ImageConfig {
        let mut config = ImageConfig::default();
        config.config.user = user.map(str::to_string);
        config
    }

    #[test]
    fn root_users_are_found_and_others_are_not() {
        for user in [None, Some(""), Some("root"), Some("0:0"), Some("ROOT")] {
            assert!(check("app.tar", &config(user)).is_some(), "{user:?}");
        }
        for user in [Some("node"), Some("10001:10001"), Some("nonroot")] {
            assert!(check("app.tar", &config(user)).is_none(), "{user:?}");
        }
    }
}
