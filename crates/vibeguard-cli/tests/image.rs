//! `vibeguard image` and `audit --image` on images built here as `docker save` writes them:
//! distribution packages matched against their release's advisories (and not another
//! release's), a language package in the image, a credential in a deleted file and in `ENV`,
//! the root user — and the fixed twin of the same image with no finding and CONT-01 passed.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{json_report, stderr, vibeguard, write};
use serde_json::Value;

const STRIPE: &str = "sk_live_51HxQ2b7Kp9Lm3Nq8Rt4Vw6Yz";
const ENV_PASSWORD: &str = "Xq7#mP2vL9kR4tW8nB3j";

fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, path, *content)
            .expect("append");
    }
    builder.into_inner().expect("tar")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// A Debian 12 image: openssl and bash from dpkg, express in node_modules, and — in the
/// vulnerable one — a `.env` a later layer deletes, a Stripe key in `ENV`, no `User`.
fn image(dir: &Path, fixed: bool) -> PathBuf {
    let openssl = if fixed {
        "3.0.15-1~deb12u1"
    } else {
        "3.0.11-1~deb12u1"
    };
    let express = if fixed { "4.21.2" } else { "4.17.1" };
    let status = format!(
        "Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: {openssl}\n\n\
         Package: openssl\nStatus: install ok installed\nVersion: {openssl}\n\n\
         Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nSource: bash (5.2.15-2)\n"
    );
    let base = gzip(&layer(&[
        (
            "etc/os-release",
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
        ),
        ("var/lib/dpkg/status", status.as_bytes()),
    ]));
    let env_file = format!("DATABASE_PASSWORD={ENV_PASSWORD}\n");
    let package = format!("{{\"name\":\"express\",\"version\":\"{express}\"}}");
    let mut app_files: Vec<(&str, &[u8])> = vec![
        ("app/server.js", b"require('express')().listen(3000)\n"),
        ("app/node_modules/express/package.json", package.as_bytes()),
    ];
    if !fixed {
        app_files.push(("app/.env", env_file.as_bytes()));
    }
    let app = layer(&app_files);
    let cleanup = layer(&[("app/.wh..env", b"")]);
    let config = if fixed {
        r#"{"config":{"Env":["NODE_ENV=production"],"User":"node"},"history":[{"created_by":"COPY . /app"}]}"#.to_string()
    } else {
        format!(
            r#"{{"config":{{"Env":["NODE_ENV=production","STRIPE_SECRET_KEY={STRIPE}"]}},"history":[{{"created_by":"COPY . /app"}},{{"created_by":"RUN rm /app/.env"}}]}}"#
        )
    };
    let manifest = br#"[{"Config":"config.json","RepoTags":["app:latest"],"Layers":["base.tar","app.tar","cleanup.tar"]}]"#;
    let mut outer = tar::Builder::new(Vec::new());
    for (name, content) in [
        ("manifest.json", manifest.to_vec()),
        ("config.json", config.into_bytes()),
        ("base.tar", base),
        ("app.tar", app),
        ("cleanup.tar", cleanup),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        outer
            .append_data(&mut header, name, content.as_slice())
            .expect("append");
    }
    let path = dir.join(if fixed { "app-fixed.tar" } else { "app.tar" });
    std::fs::write(&path, outer.into_inner().expect("tar")).expect("write");
    path
}

/// OSV records shaped as Debian's, npm's (GitHub's) and another release's.
fn advisory_db(cache: &Path) -> tempfile::TempDir {
    let export = tempfile::tempdir().expect("tempdir");
    let records = [
        (
            "DSA-5532-1.json",
            r#"{"id":"DSA-5532-1","modified":"2026-11-20T00:00:00Z","published":"2023-10-25T00:00:00Z","upstream":["CVE-2023-5363"],"summary":"openssl - security update","affected":[{"package":{"ecosystem":"Debian:12","name":"openssl","purl":"pkg:deb/debian/openssl?arch=source"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}]}],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]}"#,
        ),
        // Another release's record for bash: Debian 12's bash must not match it.
        (
            "DLA-3000-1.json",
            r#"{"id":"DLA-3000-1","modified":"2026-11-20T00:00:00Z","summary":"bash - security update","affected":[{"package":{"ecosystem":"Debian:11","name":"bash"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.2.99-1"}]}]}]}"#,
        ),
        (
            "GHSA-rv95-896h-c2vc.json",
            r#"{"id":"GHSA-rv95-896h-c2vc","modified":"2026-11-20T00:00:00Z","aliases":["CVE-2024-29041"],"summary":"Express.js Open Redirect in malformed URLs","affected":[{"package":{"ecosystem":"npm","name":"express"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.19.2"}]}]}],"database_specific":{"severity":"MODERATE"}}"#,
        ),
    ];
    for (name, record) in records {
        std::fs::write(export.path().join(name), record).expect("write");
    }
    let db = tempfile::tempdir().expect("tempdir");
    let imported = vibeguard(cache)
        .args(["db", "import", "--db-dir"])
        .arg(db.path())
        .arg(export.path())
        .output()
        .expect("runs");
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    db
}

fn scan(cache: &Path, db: &Path, image: &Path) -> (Option<i32>, Value, String) {
    let output = vibeguard(cache)
        .args(["image", "--no-history", "--format", "json", "--db-dir"])
        .arg(db)
        .arg(image)
        .output()
        .expect("runs");
    (output.status.code(), json_report(&output), stderr(&output))
}

fn findings(report: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn status(report: &Value, item: &str) -> String {
    report["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|verdict| verdict["id"] == item)
        .and_then(|verdict| verdict["status"].as_str())
        .unwrap_or("absent")
        .to_string()
}

#[test]
fn a_vulnerable_image_and_its_fixed_twin() {
    let cache = tempfile::tempdir().expect("tempdir");
    let db = advisory_db(cache.path());
    let dir = tempfile::tempdir().expect("tempdir");

    let (code, report, err) = scan(cache.path(), db.path(), &image(dir.path(), false));
    assert_eq!(code, Some(1), "{err}");
    let found = findings(&report);
    let codes: Vec<&str> = found.iter().map(|(code, _)| code.as_str()).collect();
    assert_eq!(
        codes,
        ["VG610", "VG610", "VG611", "VG611", "VG612"],
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "VG610" && m.contains("openssl") && m.contains("DSA-5532-1")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "VG610" && m.contains("express")),
        "{found:#?}"
    );
    assert!(
        !found.iter().any(|(_, m)| m.contains("bash")),
        "Debian 11's advisory is not Debian 12's: {found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "VG611" && m.contains("deleted by layer 3")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, m)| c == "VG611" && m.contains("image configuration")),
        "{found:#?}"
    );
    assert_eq!(status(&report, "CONT-01"), "failed");
    let engine = report["engines"]
        .as_array()
        .expect("engines")
        .iter()
        .find(|e| e["engine"] == "image")
        .expect("the image engine ran");
    assert_eq!(engine["coverage"]["packages"], 3, "openssl, bash, express");
    let text = serde_json::to_string(&report).expect("json");
    for secret in [STRIPE, ENV_PASSWORD] {
        assert!(
            !text.contains(secret),
            "a credential of the image is printed"
        );
    }
    // The project's own dependency items are not judged by an image.
    assert_ne!(status(&report, "DEPS-01"), "passed");

    let (code, report, err) = scan(cache.path(), db.path(), &image(dir.path(), true));
    assert_eq!(code, Some(0), "{err}");
    assert!(findings(&report).is_empty(), "{:#?}", findings(&report));
    // The project's own dependency and secrets items are not judged by an image.
    for item in ["DEPS-01", "DATA-04"] {
        assert_ne!(
            status(&report, item),
            "passed",
            "an image scan passed {item}"
        );
    }
    assert_eq!(
        status(&report, "CONT-01"),
        "passed",
        "{}",
        serde_json::to_string_pretty(&report["checklist"]).unwrap_or_default()
    );
}

#[test]
fn without_advisory_data_the_image_is_never_called_clean() {
    let cache = tempfile::tempdir().expect("tempdir");
    let empty_db = tempfile::tempdir().expect("tempdir");
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, report, err) = scan(cache.path(), empty_db.path(), &image(dir.path(), true));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(status(&report, "CONT-01"), "not-verified");
    let text = serde_json::to_string(&report).expect("json");
    assert!(
        text.contains("--ecosystem 'Debian'"),
        "the report says how to get the data"
    );
}

#[test]
fn audit_image_joins_the_dockerfile_rules_and_a_broken_image_is_an_error_not_a_pass() {
    let cache = tempfile::tempdir().expect("tempdir");
    let db = advisory_db(cache.path());
    let project = tempfile::tempdir().expect("tempdir");
    write(
        project.path(),
        "Dockerfile",
        "FROM node:20.11.1-slim\nUSER node\nCOPY --chown=node . /app\nCMD [\"node\", \"/app/server.js\"]\n",
    );
    write(
        project.path(),
        ".dockerignore",
        ".env\n.git\nnode_modules\n",
    );
    let image = image(project.path(), true);
    let output = vibeguard(cache.path())
        .args([
            "audit",
            "--no-history",
            "--fail-on",
            "never",
            "--format",
            "json",
            "--db-dir",
        ])
        .arg(db.path())
        .arg("--image")
        .arg(&image)
        .arg(project.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json_report(&output);
    assert_eq!(status(&report, "CONT-01"), "passed");

    let broken = project.path().join("broken.tar");
    std::fs::write(&broken, b"not an image at all").expect("write");
    let (_, report, err) = scan(cache.path(), db.path(), &broken);
    assert_eq!(status(&report, "CONT-01"), "not-verified", "{err}");
    let text = serde_json::to_string(&report["engines"]).expect("json");
    assert!(text.contains("not a readable container image"), "{text}");

    // An image with nothing to inventory (a scratch image with a C program): never a pass.
    let bare = project.path().join("bare.tar");
    let mut outer = tar::Builder::new(Vec::new());
    for (name, content) in [
        (
            "manifest.json",
            br#"[{"Config":"c.json","Layers":["l.tar"]}]"#.to_vec(),
        ),
        ("c.json", br#"{"config":{"User":"10001"}}"#.to_vec()),
        ("l.tar", layer(&[("server", b"\x7fELF a static C program")])),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        outer
            .append_data(&mut header, name, content.as_slice())
            .expect("append");
    }
    std::fs::write(&bare, outer.into_inner().expect("tar")).expect("write");
    let (_, report, err) = scan(cache.path(), db.path(), &bare);
    assert_eq!(status(&report, "CONT-01"), "not-verified", "{err}");

    let missing = vibeguard(cache.path())
        .args(["image", "--no-history"])
        .arg(project.path().join("nope.tar"))
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nope.tar does not exist"),
        "{}",
        stderr(&missing)
    );
}

/// `--docker REF` runs `docker save`: a stand-in `docker` on PATH writes the archive (or fails
/// as the daemon does for an unknown image), and without any `docker` the error says what to do.
#[cfg(unix)]
#[test]
fn docker_saves_the_image_first() {
    use std::os::unix::fs::PermissionsExt;

    let cache = tempfile::tempdir().expect("tempdir");
    let db = advisory_db(cache.path());
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = image(dir.path(), false);
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let script = format!(
        "#!/bin/sh\n[ \"$1\" = save ] && [ \"$2\" = -o ] || exit 64\n\
         [ \"$4\" = app:latest ] || {{ echo \"Error response from daemon: reference does not exist\" >&2; exit 1; }}\n\
         cp '{}' \"$3\"\n",
        archive.display()
    );
    std::fs::write(bin.join("docker"), script).expect("write");
    std::fs::set_permissions(bin.join("docker"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let run = |reference: &str, path: &str| {
        vibeguard(cache.path())
            .env("PATH", path)
            .args(["image", "--no-history", "--format", "json", "--db-dir"])
            .arg(db.path())
            .arg(format!("--docker={reference}"))
            .output()
            .expect("runs")
    };
    let saved = run("app:latest", &path);
    assert_eq!(saved.status.code(), Some(1), "{}", stderr(&saved));
    let report = json_report(&saved);
    assert!(findings(&report).iter().any(|(code, _)| code == "VG610"));
    assert_eq!(
        report["inputs"]["image"], "app:latest",
        "the report names the image"
    );

    let unknown = run("nope:1", &path);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("reference does not exist"),
        "{}",
        stderr(&unknown)
    );

    let option = run("--output=/tmp/x", &path);
    assert_eq!(option.status.code(), Some(2));
    assert!(
        stderr(&option).contains("is not an image reference"),
        "{}",
        stderr(&option)
    );

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let absent = run("app:latest", &empty.display().to_string());
    assert_eq!(absent.status.code(), Some(2));
    assert!(
        stderr(&absent).contains("not on PATH"),
        "{}",
        stderr(&absent)
    );
}
