//! The `curl` reproduction of an exchange runs when pasted: after the run's redactor has put
//! every credential into a shell variable, bash (with `curl` replaced by a function that prints
//! its arguments) receives exactly the method, URL, headers and body bytes that were sent — and
//! the text holds no credential, no `[REDACTED]` and no raw control character.

use std::process::Command;

use url::Url;
use vibeguard_api::checks::reproduction;
use vibeguard_api::http::Request;
use vibeguard_core::Redactor;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.dGhpcy1pcy1hLXNpZ25hdHVyZQ";
const COOKIE: &str = "session=Zm9vYmFyLWJhei1xdXV4LTQy";
const PASSWORD: &str = "it's a \"long\" pa$$word";

/// The arguments bash passes to `curl` when it runs `command` with the variables set.
fn arguments(command: &str, variables: &[(&str, &str)]) -> Vec<Vec<u8>> {
    let script = format!(
        "curl() {{ for argument in \"$@\"; do printf '%s\\0' \"$argument\"; done; }}\n{command}\n"
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .envs(variables.iter().copied())
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "bash failed on:\n{command}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
        .stdout
        .split(|byte| *byte == 0)
        .filter(|argument| !argument.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn the_reproduction_sends_the_same_bytes_once_its_variables_are_set() {
    let mut body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n{PASSWORD}\r\n--b--\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&[0xff, 0xfe, b'\'', b'\\', 0x1b]);
    let request = Request {
        method: "POST".into(),
        url: Url::parse("http://127.0.0.1:3000/api/users/me?q=it%27s&x=1").expect("url"),
        headers: vec![
            ("Authorization".into(), format!("Bearer {TOKEN}")),
            ("Cookie".into(), COOKIE.into()),
            (
                "Content-Type".into(),
                "multipart/form-data; boundary=b".into(),
            ),
        ],
        body: Some(body.clone().into()),
    };
    let command = Redactor::new([PASSWORD, TOKEN]).redact_command(&reproduction(&request));

    for secret in [TOKEN, COOKIE, "pa$$word", "Zm9vYmFy"] {
        assert!(!command.contains(secret), "{secret} in:\n{command}");
    }
    assert!(!command.contains("[REDACTED]"), "{command}");
    assert!(
        !command.chars().any(|c| c.is_control() && c != '\n'),
        "a raw control character in:\n{command}"
    );
    assert_eq!(
        command.lines().filter(|l| l.starts_with("curl ")).count(),
        1
    );
    let comment = command.lines().next().expect("a first line");
    for variable in ["VG_TOKEN", "VG_COOKIE", "VG_PASSWORD"] {
        assert!(comment.contains(variable), "{comment}");
    }

    let sent = arguments(
        &command,
        &[
            ("VG_TOKEN", TOKEN),
            ("VG_COOKIE", "session=Zm9vYmFyLWJhei1xdXV4LTQy"),
            ("VG_PASSWORD", PASSWORD),
        ],
    );
    let text: Vec<String> = sent
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    assert_eq!(
        text[..4],
        [
            "-i",
            "-X",
            "POST",
            "http://127.0.0.1:3000/api/users/me?q=it%27s&x=1"
        ]
    );
    let headers: Vec<&str> = text
        .windows(2)
        .filter(|pair| pair[0] == "-H")
        .map(|pair| pair[1].as_str())
        .collect();
    assert_eq!(
        headers,
        [
            format!("Authorization: Bearer {TOKEN}").as_str(),
            format!("Cookie: {COOKIE}").as_str(),
            "Content-Type: multipart/form-data; boundary=b"
        ]
    );
    let data = sent
        .windows(2)
        .find(|pair| pair[0] == b"--data-binary")
        .map(|pair| pair[1].clone())
        .expect("a body");
    assert_eq!(data, body);
}

#[test]
fn a_body_too_long_to_print_is_named_not_cut() {
    let mut request = Request::new(
        "POST",
        Url::parse("http://127.0.0.1:3000/api/x").expect("url"),
    );
    request.body = Some(vec![b'a'; 1 << 20].into());
    let command = reproduction(&request);
    assert!(command.starts_with("# the request body (1048576 bytes)"));
    assert!(command.ends_with("--data-binary @body.bin"));
    assert!(command.len() < 400);
}
