//! What an answer means for the request it answers — accepted, refused or failed — judged the
//! way a person reading the page would, not by the status code alone.
//!
//! Server-rendered apps say "done" with a redirect (`302 Location: /posts/7` after a create,
//! `303` to the list after a delete) and "no" with `200` and the form again, carrying an error
//! or flash message ("The passwords don't match"); they say "log in first" with a redirect to
//! the login page. JSON APIs say both with their status. One judgement serves both.

use super::{Exchange, Response};

/// The meaning of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done: a 2xx without an error message, or a redirect that does not lead to a login page.
    Accepted,
    /// Refused: a 4xx, a redirect to a login page, or a page showing an error message.
    Refused,
    /// The server failed (5xx).
    Failed,
    /// No answer at all.
    Unanswered,
}

/// Path words of a login page: where apps send whoever must log in first.
const LOGIN_WORDS: &[&str] = &[
    "login", "log-in", "log_in", "signin", "sign-in", "sign_in", "sign_on", "sso", "/auth",
];

/// Judges an exchange: as [`judge`], and a state-changing request answered `200` with the
/// same form again (posting back where it was sent, with the fields it sent) is refused — how
/// server-rendered apps answer invalid input when they show no message.
pub fn outcome(exchange: &Exchange) -> Outcome {
    match exchange.response() {
        None => Outcome::Unanswered,
        Some(response) => {
            let verdict = judge(&exchange.request.url, &exchange.request.method, response);
            if verdict == Outcome::Accepted
                && (200..300).contains(&response.status)
                && form_came_back(&exchange.request, response)
            {
                Outcome::Refused
            } else {
                verdict
            }
        }
    }
}

/// Whether a `POST`'s answer is the form it was sent from: a `POST` form whose action is the
/// request's path, holding a field the request sent.
fn form_came_back(request: &super::Request, response: &Response) -> bool {
    if request.method != "POST" || !is_html(response) {
        return false;
    }
    let sent: Vec<String> = crate::auth_flows::login_fields(request)
        .map(|(_, fields)| fields.into_iter().map(|(name, _)| name).collect())
        .unwrap_or_default();
    let (_, forms, _) = crate::discovery::html::read(&request.url, &response.text());
    forms.iter().any(|form| {
        form.method == "POST"
            && form.action.path() == request.url.path()
            && (sent.is_empty() || form.fields.iter().any(|field| sent.contains(field)))
    })
}

/// Judges an answer to a request to `url` with `method`.
pub fn judge(url: &url::Url, method: &str, response: &Response) -> Outcome {
    let status = response.status;
    if status >= 500 {
        return Outcome::Failed;
    }
    if status >= 400 {
        return Outcome::Refused;
    }
    if (300..400).contains(&status) {
        let location = response.header("location").unwrap_or_default();
        let Ok(target) = url.join(location) else {
            return Outcome::Refused;
        };
        return if leads_to_login(&target) && !leads_to_login(url) {
            Outcome::Refused
        } else {
            Outcome::Accepted
        };
    }
    let changes_state = !matches!(method, "GET" | "HEAD" | "OPTIONS");
    if changes_state && is_html(response) && refusal_message(&response.text()).is_some() {
        return Outcome::Refused;
    }
    Outcome::Accepted
}

/// Whether an answer was accepted.
pub fn accepted(exchange: &Exchange) -> bool {
    outcome(exchange) == Outcome::Accepted
}

fn leads_to_login(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    LOGIN_WORDS.iter().any(|word| path.contains(word))
}

fn is_html(response: &Response) -> bool {
    response
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
}

/// The error a page shows, when it shows one: an element classed as an error (`error`,
/// `invalid`, `danger`, `errorlist`, `alert-danger`), or a flash/alert whose text refuses
/// ("invalid", "required", "must", "don't match", "too long", "not allowed", "wrong", …).
pub fn refusal_message(html: &str) -> Option<String> {
    crate::session::messages(html)
        .into_iter()
        .find(|(class, text)| {
            let class = class.to_ascii_lowercase();
            let strong = ["error", "invalid", "danger", "errorlist", "fail"]
                .iter()
                .any(|c| class.contains(c));
            let success = ["success", "info", "notice"]
                .iter()
                .any(|c| class.contains(c));
            strong || (!success && refuses(text))
        })
        .map(|(_, text)| text)
}

/// Whether a message's words refuse.
fn refuses(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "invalid",
        "required",
        "must ",
        "don't match",
        "do not match",
        "doesn't match",
        "too long",
        "too short",
        "not allowed",
        "incorrect",
        "wrong",
        "error",
        "failed",
        "please enter",
        "please provide",
        "cannot",
        "can't",
        "not valid",
        "already",
        "taken",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A recorded answer, for tests that judge answers.
    pub(crate) fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    fn url(path: &str) -> url::Url {
        url::Url::parse("http://127.0.0.1:5000")
            .expect("url")
            .join(path)
            .expect("url")
    }

    const HTML: (&str, &str) = ("Content-Type", "text/html; charset=utf-8");

    #[test]
    fn redirects_are_accepted_unless_they_lead_to_a_login_page() {
        let create = url("/posts");
        let to_item = response(302, &[("Location", "/posts/7")], "");
        assert_eq!(judge(&create, "POST", &to_item), Outcome::Accepted);
        let to_login = response(302, &[("Location", "/login?next=%2Fposts")], "");
        assert_eq!(judge(&create, "POST", &to_login), Outcome::Refused);
        let devise = response(
            302,
            &[("Location", "http://127.0.0.1:5000/users/sign_in")],
            "",
        );
        assert_eq!(judge(&create, "POST", &devise), Outcome::Refused);
        // A login that redirects back to the login page is not a login; one that redirects
        // elsewhere is.
        let login = url("/login");
        let home = response(302, &[("Location", "/")], "");
        assert_eq!(judge(&login, "POST", &home), Outcome::Accepted);
    }

    fn exchange(method: &str, path: &str, body: &str, answer: Response) -> Exchange {
        let mut request = super::super::Request::new(method, url(path));
        if !body.is_empty() {
            request.headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            request.body = Some(body.as_bytes().to_vec().into());
        }
        Exchange {
            id: 0,
            started_at: jiff::Timestamp::now(),
            elapsed: std::time::Duration::ZERO,
            request,
            outcome: Ok(answer),
        }
    }

    #[test]
    fn the_same_form_coming_back_refuses() {
        let form = r#"<form method="post"><input name="username"><input type="password" name="password"></form>"#;
        let again = exchange("POST", "/login", "username=x", response(200, &[HTML], form));
        assert_eq!(outcome(&again), Outcome::Refused);
        let empty = exchange("POST", "/login", "", response(200, &[HTML], form));
        assert_eq!(outcome(&empty), Outcome::Refused);
        // Another form on the answer (a search box, a comment form elsewhere) is no refusal.
        let other = r#"<form action="/search"><input name="q"></form><form method="post" action="/comments"><textarea name="text"></textarea></form>"#;
        let posted = exchange("POST", "/entries", "title=x", response(200, &[HTML], other));
        assert_eq!(outcome(&posted), Outcome::Accepted);
        // A read showing a form is a read.
        let read = exchange("GET", "/login", "", response(200, &[HTML], form));
        assert_eq!(outcome(&read), Outcome::Accepted);
    }

    #[test]
    fn a_page_showing_an_error_refuses_and_a_success_message_does_not() {
        let register = url("/register");
        for page in [
            r#"<div class="flash error">The passwords don't match.</div><form></form>"#,
            r#"<ul class="errorlist"><li>This field is required.</li></ul>"#,
            r#"<div class="alert alert-danger" role="alert">Invalid e-mail</div>"#,
            r#"<p class="flash">That name is already taken.</p>"#,
            r#"<span class="help is-invalid">Too short</span>"#,
        ] {
            assert_eq!(
                judge(&register, "POST", &response(200, &[HTML], page)),
                Outcome::Refused,
                "{page}"
            );
        }
        for page in [
            r#"<div class="flash">Entry saved.</div>"#,
            r#"<div class="alert alert-success">Welcome! Your account is ready.</div>"#,
            "<h1>Your entries</h1>",
        ] {
            assert_eq!(
                judge(&register, "POST", &response(200, &[HTML], page)),
                Outcome::Accepted,
                "{page}"
            );
        }
        // A read showing an error in its content is still a read; JSON is judged by status.
        let page = response(200, &[HTML], r#"<div class="error">Invalid</div>"#);
        assert_eq!(judge(&register, "GET", &page), Outcome::Accepted);
        let json = response(
            200,
            &[("Content-Type", "application/json")],
            r#"{"error":"x"}"#,
        );
        assert_eq!(judge(&register, "POST", &json), Outcome::Accepted);
        assert_eq!(
            judge(&register, "POST", &response(422, &[], "")),
            Outcome::Refused
        );
        assert_eq!(
            judge(&register, "POST", &response(503, &[], "")),
            Outcome::Failed
        );
    }
}
