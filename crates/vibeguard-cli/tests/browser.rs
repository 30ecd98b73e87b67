//! The HTML report in a real browser (Debian's Chromium, headless): the demo's report renders
//! with its summary, severity chart, checklist and findings; a run against a hostile target and
//! a tree of hostile file names produces a page in which nothing the target or the tree wrote
//! runs; and the page's Content-Security-Policy blocks inline script even where escaping would
//! have failed. Skipped with a message where no Chromium is installed, except in CI.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::{stderr, vibeguard, write};

fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no Chromium: CI must render the HTML report in a browser (.ci/run installs Debian's chromium)"
        );
        eprintln!("skipped: no chromium installed");
    }
    found
}

/// Chromium, headless, on `page`, with `extra` flags; the profile in `profile`.
fn headless(browser: &str, page: &Path, profile: &Path, extra: &[&str]) -> Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

/// The DOM after the page loaded and its scripts (if any could) ran.
fn dom(browser: &str, page: &Path, profile: &Path) -> String {
    String::from_utf8_lossy(&headless(browser, page, profile, &["--dump-dom"]).stdout).into_owned()
}

#[test]
fn the_demos_report_renders_with_its_summary_chart_checklist_and_findings() {
    let Some(browser) = chromium() else { return };
    let cache = tempfile::tempdir().expect("tempdir");
    let folder = tempfile::tempdir().expect("tempdir");
    let page = folder.path().join("report.html");
    let json = folder.path().join("report.json");
    let output = vibeguard(cache.path())
        .args(["demo", "-q", "--format"])
        .arg(format!("html={}", page.display()))
        .arg("--format")
        .arg(format!("json={}", json.display()))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).expect("json")).expect("JSON");
    let findings = report["findings"].as_array().expect("findings").len();
    let dom = dom(browser, &page, &folder.path().join("profile"));
    assert!(
        dom.contains("<h1>vibeguard report</h1>"),
        "{}",
        &dom[..dom.len().min(600)]
    );
    assert!(dom.contains("<th>Active findings</th>"), "the summary");
    assert!(dom.contains("<svg id=\"severities\""), "the severity chart");
    assert_eq!(
        dom.matches("<rect class=\"bar ").count(),
        5,
        "a bar per severity"
    );
    assert!(dom.contains("id=\"c-AUTH-01\""), "the checklist");
    assert_eq!(
        dom.matches("<div class=\"finding ").count(),
        findings,
        "every finding"
    );
    assert_eq!(dom.matches("Copy for your assistant").count(), findings);
    let shot = folder.path().join("shot.png");
    let output = headless(
        browser,
        &page,
        &folder.path().join("profile"),
        &[
            "--window-size=1200,1600",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    // A blank page compresses to almost nothing; a rendered report does not.
    assert!(
        png.len() > 30_000,
        "the screenshot is blank ({} bytes)",
        png.len()
    );
}

/// What marks a page on which injected code ran: an attribute only a script can set.
const PWNED: &str = "data-pwned";

/// Whether a payload ran: the root element carries the attribute only a script sets.
fn ran_a_payload(dom: &str) -> bool {
    let start = dom.find("<html").expect("an html element");
    let tag = &dom[start..start + dom[start..].find('>').expect("its end")];
    tag.contains(PWNED)
}

fn payloads(origin: &str) -> String {
    format!(
        "<script>document.documentElement.setAttribute('{PWNED}','{origin}-script')</script>\
         <img src=x onerror=\"document.documentElement.setAttribute('{PWNED}','{origin}-img')\">\
         <svg onload=\"document.documentElement.setAttribute('{PWNED}','{origin}-svg')\"></svg>\
         <a href=\"javascript:document.documentElement.setAttribute('{PWNED}','{origin}-link')\">x</a>\
         </style></pre></details></textarea>"
    )
}

/// A target that answers every request with hostile headers and a hostile page, until the
/// test ends. Returns its base URL.
fn hostile_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(5_000).flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    format!("http://{address}")
}

fn answer(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut seen = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    // The request's head, then its body (bounded), so the answer is not sent into a reset.
    while seen.len() < 12 * 1024 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
        if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0);
            if seen.len() >= end + 4 + length.min(12 * 1024 * 1024) {
                break;
            }
        }
    }
    let body = format!(
        "<html><body>SQLITE_ERROR: near \"'\": syntax error {}</body></html>",
        payloads("body")
    );
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: Apache/2.4.1 {}\r\nX-Powered-By: PHP/5.6 <img src=x onerror=\"document.documentElement.setAttribute('{PWNED}','header')\">\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        payloads("server").replace(['\r', '\n'], ""),
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// A project whose file names carry payloads and whose code has a flaw in each such file.
fn hostile_project(root: &Path) {
    let names = [
        "src/<img src=x onerror=alert(1)>.js",
        "src/\"><svg onload=alert(2)>.js",
        "src/javascript:alert(3).js",
    ];
    for name in names {
        write(
            root,
            name,
            "const express = require('express');\nconst app = express();\napp.get('/items', (req, res) => {\n  db.query(\"SELECT * FROM items WHERE name = '\" + req.query.name + \"'\");\n});\n",
        );
    }
    write(
        root,
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: hostile, version: '1'}\npaths:\n  /items:\n    get:\n      parameters:\n        - {name: name, in: query, schema: {type: string}}\n      responses: {'200': {description: ok}}\n",
    );
}

/// Audits `project` (never gating, nothing recorded) with `extra` arguments into
/// `folder/report.html`; the page's path and text.
fn audit_to_html(cache: &Path, project: &Path, folder: &Path, extra: &[&str]) -> (PathBuf, String) {
    let page = folder.join("report.html");
    let output = vibeguard(cache)
        .args([
            "audit",
            "-q",
            "--no-history",
            "--offline",
            "--fail-on",
            "never",
        ])
        .args(extra)
        .arg("--format")
        .arg(format!("html={}", page.display()))
        .arg(project)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = fs::read_to_string(&page).expect("html");
    (page, html)
}

#[test]
fn nothing_a_hostile_target_or_tree_wrote_runs_in_the_report() {
    let Some(browser) = chromium() else { return };
    let cache = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    let folder = tempfile::tempdir().expect("tempdir");
    hostile_project(project.path());
    let target = hostile_server();
    let spec = project.path().join("openapi.yaml");
    let (page, html) = audit_to_html(
        cache.path(),
        project.path(),
        folder.path(),
        &[
            "--profile",
            "quick",
            "--max-requests",
            "400",
            "--spec",
            &spec.display().to_string(),
            "--target",
            &target,
        ],
    );
    // The payloads reached the report (as text): the file names and the target's answers.
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;.js"),
        "the hostile file names are reported"
    );
    assert!(
        html.contains("-script&#39;)&lt;/script&gt;"),
        "the target's answers are quoted"
    );
    let dom = dom(browser, &page, &folder.path().join("profile"));
    assert!(
        dom.contains("<h1>vibeguard report</h1>"),
        "{}",
        &dom[..dom.len().min(600)]
    );
    // The DOM as serialised: text keeps its quotes, markup its `<`; what a script sets on the
    // root element shows in the `<html>` tag.
    assert!(!ran_a_payload(&dom), "injected code ran in the report");
    for element in [
        "<img src=\"x\"",
        "<svg onload",
        "<a href=\"javascript:",
        "<script>document",
    ] {
        assert!(
            !dom.contains(element),
            "an injected element was parsed: {element}"
        );
    }
}

#[test]
fn the_pages_content_security_policy_blocks_inline_script_where_escaping_failed() {
    let Some(browser) = chromium() else { return };
    let cache = tempfile::tempdir().expect("tempdir");
    let folder = tempfile::tempdir().expect("tempdir");
    let project = tempfile::tempdir().expect("tempdir");
    write(
        project.path(),
        "package.json",
        "{\"dependencies\": {\"express\": \"*\"}}\n",
    );
    let (_, html) = audit_to_html(cache.path(), project.path(), folder.path(), &[]);
    // An escaping bug, simulated: the payloads written into the page raw.
    let broken = html.replacen("<main>", &format!("<main>{}", payloads("raw")), 1);
    assert_ne!(broken, html);
    let injected = folder.path().join("injected.html");
    fs::write(&injected, &broken).expect("write");
    let with_policy = dom(browser, &injected, &folder.path().join("profile-a"));
    assert!(with_policy.contains("<h1>vibeguard report</h1>"));
    assert!(
        !ran_a_payload(&with_policy),
        "the policy let inline code run"
    );
    // The same page without the policy runs the payload: the check above can fail.
    let without = broken.replace(
        "<meta http-equiv=\"Content-Security-Policy\"",
        "<meta name=\"x\"",
    );
    let unprotected = folder.path().join("unprotected.html");
    fs::write(&unprotected, without).expect("write");
    let ran = dom(browser, &unprotected, &folder.path().join("profile-b"));
    assert!(ran_a_payload(&ran), "{}", &ran[..ran.len().min(300)]);
}
