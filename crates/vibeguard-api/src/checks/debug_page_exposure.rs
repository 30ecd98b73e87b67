//! VG427 debug-page-exposure: an answer of any exchange of the run is a framework's debug page
//! or carries a stack trace — Werkzeug's debugger, Django's yellow page, a Python traceback, a
//! Node/Express stack, Rails, Spring's Whitelabel page, ASP.NET's yellow screen, PHP errors, a
//! Java stack trace. Passive: it reads what every other check's requests brought back.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Evidence, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Check, Context, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct DebugPageExposure;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG427"),
    name: Cow::Borrowed("debug-page-exposure"),
    engine: EngineId::Api,
    summary: Cow::Borrowed("An answer is a framework debug page or carries a stack trace"),
    severity: Severity::High,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[209, 215, 489]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Api04]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Any answer the run received — to a check's probe or to a plain request — that is a \
             framework's debug page or error page with internals: Werkzeug's interactive debugger \
             (critical: it runs code), Django's `DEBUG = True` page, a Python traceback, a Node.js \
             or Express stack trace, Rails' exception page, Spring Boot's Whitelabel page with a \
             trace, ASP.NET's yellow screen, PHP fatal errors and warnings, a Java stack trace — and the \
             database's own error passed through (`str(error)` of SQLAlchemy with its `[SQL: …]`, \
             SQLite, MySQL, PostgreSQL, PDO, Sequelize messages), which hands out the query's \
             text.",
        ),
        why: Cow::Borrowed(
            "Debug pages show source code, file paths, SQL, settings and library versions to \
             anyone who sends a malformed request; Werkzeug's debugger even runs Python typed \
             into the page. Assistants leave `debug=True` on because it helps while writing the \
             app.",
        ),
        example_bad: Cow::Borrowed(
            "app.run(debug=True)\n# GET /notes/1' -> 500 'Traceback (most recent call last): File \"/app/app.py\", line 42 …'",
        ),
        example_fixed: Cow::Borrowed(
            "app.run(debug=os.environ.get('FLASK_DEBUG') == '1')\n@app.errorhandler(Exception)\ndef failed(error):\n    app.logger.exception(error)\n    return {'error': 'internal error'}, 500",
        ),
        fix: Cow::Borrowed(
            "Turn debug mode off in production (`debug=False`, `DEBUG = False`, \
             `NODE_ENV=production`, `server.error.include-stacktrace=never`, \
             `customErrors mode=\"On\"`, `display_errors = Off`) and answer errors with a generic \
             message, logging the details on the server.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/215.html"),
            Cow::Borrowed(
                "https://owasp.org/API-Security/editions/2023/en/0xa8-security-misconfiguration/",
            ),
        ]),
    },
};

/// A kind of debug output: its name and the markers that identify it (all must appear).
struct Kind {
    name: &'static str,
    markers: &'static [&'static str],
    /// It runs code typed into the page.
    interactive: bool,
}

const KINDS: &[Kind] = &[
    Kind {
        name: "the Werkzeug interactive debugger",
        markers: &["__debugger__"],
        interactive: true,
    },
    Kind {
        name: "the Werkzeug interactive debugger",
        markers: &["Werkzeug Debugger"],
        interactive: true,
    },
    Kind {
        name: "Django's debug page",
        markers: &["You're seeing this error because you have", "DEBUG = True"],
        interactive: false,
    },
    Kind {
        name: "a Python traceback",
        markers: &["Traceback (most recent call last)", "File \""],
        interactive: false,
    },
    Kind {
        name: "Rails' exception page",
        markers: &["Action Controller: Exception caught"],
        interactive: false,
    },
    Kind {
        name: "Spring Boot's Whitelabel error page",
        markers: &["Whitelabel Error Page"],
        interactive: false,
    },
    Kind {
        name: "ASP.NET's error page",
        markers: &["Server Error in '", "Application."],
        interactive: false,
    },
    Kind {
        name: "a PHP error",
        markers: &["<b>Fatal error</b>:"],
        interactive: false,
    },
    Kind {
        name: "a PHP error",
        markers: &["<b>Warning</b>:", " on line <b>"],
        interactive: false,
    },
    Kind {
        name: "a Java stack trace",
        markers: &["Exception", "\tat java."],
        interactive: false,
    },
    Kind {
        name: "a Java stack trace",
        markers: &["Exception", "\\tat java."],
        interactive: false,
    },
    // The database's own error, passed through: the query's text (and with it the tables,
    // columns and how input is pasted in) handed to whoever sent the input.
    Kind {
        name: "a database error with its SQL (SQLAlchemy)",
        markers: &["[SQL: "],
        interactive: false,
    },
    Kind {
        name: "a database error (SQLite)",
        markers: &["sqlite3.OperationalError"],
        interactive: false,
    },
    Kind {
        name: "a database error (SQLite)",
        markers: &["SQLITE_ERROR: "],
        interactive: false,
    },
    Kind {
        name: "a database error (MySQL)",
        markers: &["You have an error in your SQL syntax"],
        interactive: false,
    },
    Kind {
        name: "a database error (PostgreSQL)",
        markers: &["syntax error at or near "],
        interactive: false,
    },
    Kind {
        name: "a database error (PostgreSQL)",
        markers: &["psycopg2.errors."],
        interactive: false,
    },
    Kind {
        name: "a database error (PDO)",
        markers: &["SQLSTATE["],
        interactive: false,
    },
    Kind {
        name: "a database error (Sequelize)",
        markers: &["SequelizeDatabaseError"],
        interactive: false,
    },
];

/// Which debug output a body is, if any.
fn kind_of(body: &str) -> Option<&'static Kind> {
    KINDS
        .iter()
        .find(|kind| kind.markers.iter().all(|marker| body.contains(marker)))
        .or_else(|| node_stack(body).then_some(&NODE_STACK))
}

const NODE_STACK: Kind = Kind {
    name: "a Node.js stack trace",
    markers: &[],
    interactive: false,
};

/// Two or more `at fn (/path/file.js:12:34)` frames: a Node.js stack (Express's default error
/// page, or `err.stack` sent in JSON). The body is read as lines — real newlines, the `\n`
/// escapes of a JSON string and HTML line breaks all end one — so a frame never depends on what
/// follows it (the length of the server's install path, the next frame).
fn node_stack(body: &str) -> bool {
    body.split(['\n', '<', '>', '"'])
        .flat_map(|piece| piece.split("\\n"))
        .filter(|line| is_node_frame(line))
        .take(2)
        .count()
        == 2
}

/// `at fn (/srv/app/notes.js:14:29)`, `at /app/routes.ts:3:9`, `at async handler (…mjs:8:1)`:
/// a line that is a frame naming a JavaScript or TypeScript file with a line and a column.
fn is_node_frame(line: &str) -> bool {
    let mut line = line.trim_start();
    while let Some(rest) = line.strip_prefix("&nbsp;") {
        line = rest.trim_start();
    }
    let Some(frame) = line.strip_prefix("at ") else {
        return false;
    };
    let frame = frame.trim_end().trim_end_matches(')');
    let mut parts = frame.rsplitn(3, ':');
    let (Some(column), Some(line_number), Some(file)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits(column)
        && digits(line_number)
        && [".js", ".ts", ".mjs", ".cjs"]
            .iter()
            .any(|extension| file.ends_with(extension))
}

impl Check for DebugPageExposure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn is_passive(&self) -> bool {
        true
    }

    /// Debug pages answer errors: a run whose answers were all successes never showed one,
    /// and does not vouch for API-04 on this check's strength.
    fn subject_in(&self, exchange: &Exchange) -> bool {
        exchange.status().is_some_and(|status| status >= 400)
    }

    fn absent_reason(&self) -> &'static str {
        "no request of the run was answered with an error"
    }

    fn observe(
        &self,
        operation: Option<&Operation>,
        exchange: &Exchange,
        _context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(response) = exchange.response() else {
            return Vec::new();
        };
        let body = response.text();
        let Some(kind) = kind_of(&body) else {
            return Vec::new();
        };
        let (place, label) = match operation {
            Some(operation) => (location(operation, None), operation.label()),
            None => (
                vibeguard_core::Location::operation(
                    &exchange.request.method,
                    exchange.request.url.path(),
                    None,
                ),
                format!(
                    "{} {}",
                    exchange.request.method,
                    exchange.request.url.path()
                ),
            ),
        };
        let mut message = format!(
            "{label} answered HTTP {} with {}: internals (code, paths, queries, versions) for \
             anyone who sends such a request",
            response.status, kind.name
        );
        if kind.interactive {
            message.push_str("; the page runs Python typed into it");
        }
        let finding = Finding::new(&META, place, message, kind.name)
            .with_severity(if kind.interactive {
                Severity::Critical
            } else {
                META.severity
            })
            .with_evidence(Evidence::Text {
                label: "page".into(),
                text: kind.name.to_string(),
            })
            .with_evidence(super::http_evidence(exchange));
        vec![finding]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, exchange, operation};

    fn observed(body: &str, status: u16) -> Vec<Finding> {
        let fixture = Fixture::new();
        let op = operation("GET", "/notes/{id}", true);
        DebugPageExposure.observe(
            Some(&op),
            &exchange("GET", "http://127.0.0.1:8080/notes/1'", status, &[], body),
            &fixture.context(),
        )
    }

    #[test]
    fn framework_debug_pages_and_traces_are_found() {
        // A long install path: each frame is judged on its own line, wherever it ends.
        let long_path_stack = format!(
            "{{\"message\":\"Unknown comparison function $eq\",\"stack\":\"Error: Unknown comparison function $eq\\n    at matchQueryPart ({long}/node_modules/@seald-io/nedb/lib/model.js:800:46)\\n    at Object.match ({long}/node_modules/@seald-io/nedb/lib/model.js:749:19)\\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\"}}",
            long = "/home/runner/work/ünïcode-checkout/a-very-long-folder-name".repeat(4)
        );
        for (body, expected) in [
            (
                "<html><title>sqlite3.OperationalError // Werkzeug Debugger</title><script src=\"?__debugger__=yes&cmd=resource\">",
                "Werkzeug",
            ),
            (
                "Traceback (most recent call last):\n  File \"/app/app.py\", line 42, in note\n    cur.execute(q)\nsqlite3.OperationalError: near \"'\"",
                "Python traceback",
            ),
            (
                "<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>",
                "Django",
            ),
            (
                "<pre>TypeError: Cannot read properties of undefined (reading 'id')<br> &nbsp; &nbsp;at /app/routes/notes.js:14:29<br> &nbsp; &nbsp;at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)</pre>",
                "Node.js",
            ),
            (
                "{\"error\":\"boom\",\"stack\":\"Error: boom\\n    at getNote (/srv/api/src/notes.ts:31:11)\\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)\\n    at async handler (/srv/api/src/server.ts:88:3)\"}",
                "Node.js",
            ),
            (long_path_stack.as_str(), "Node.js"),
            (
                "<html><body><h1>Whitelabel Error Page</h1><div>There was an unexpected error</div>",
                "Whitelabel",
            ),
            (
                "<h1>Server Error in '/' Application.</h1><h2><i>Object reference not set</i></h2>",
                "ASP.NET",
            ),
            (
                "<br />\n<b>Fatal error</b>:  Uncaught PDOException in /var/www/db.php:12",
                "PHP",
            ),
            (
                "java.lang.NullPointerException: x\n\tat java.base/java.util.Objects.requireNonNull(Objects.java:209)",
                "Java",
            ),
            (
                "{\"error\": \"(sqlite3.OperationalError) unrecognized token: \\\"'\\\"\\n[SQL: SELECT name FROM shelf WHERE name LIKE '%x'%']\\n(Background on this error at: https://sqlalche.me/e/20/e3q8)\"}",
                "SQL",
            ),
            (
                "{\"message\":\"SQLITE_ERROR: near \\\"x\\\": syntax error\"}",
                "SQLite",
            ),
            (
                "{\"error\":\"You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version\"}",
                "MySQL",
            ),
            (
                "{\"detail\":\"syntax error at or near \\\"'\\\"\"}",
                "PostgreSQL",
            ),
            (
                "SQLSTATE[42000]: Syntax error or access violation: 1064",
                "PDO",
            ),
        ] {
            let found = observed(body, 500);
            assert_eq!(found.len(), 1, "{expected}: {body}");
            assert!(found[0].message.contains(expected), "{}", found[0].message);
        }
        assert_eq!(
            observed("<title>Werkzeug Debugger</title>", 500)[0].severity,
            Severity::Critical
        );
    }

    #[test]
    fn only_error_answers_are_its_subject() {
        let answer = |status| exchange("GET", "http://127.0.0.1:8080/x", status, &[], "{}");
        assert!(!DebugPageExposure.subject_in(&answer(200)));
        assert!(DebugPageExposure.subject_in(&answer(500)));
        assert!(DebugPageExposure.subject_in(&answer(404)));
    }

    #[test]
    fn generic_errors_and_look_alikes_are_not_debug_pages() {
        for body in [
            "{\"error\":\"internal error\"}",
            "{\"error\":\"Not found\",\"path\":\"/notes/1\"}",
            "<h1>500 Internal Server Error</h1><p>The server encountered an internal error.</p>",
            "{\"title\":\"Meet at 10:30 at the office\",\"notes\":\"look at src/app.js:12\"}",
            "{\"message\":\"Traceback support was removed in v2\"}",
            "{\"error\":\"invalid search: SQL wildcards are not allowed\"}",
            "{\"error\":\"syntax error in the query parameter\"}",
            "{\"stack\":\"Error: x\\n    at only (/app/one.js:1:2)\"}",
            "{\"note\":\"we met at /app/a.js:1:2 and at /app/b.js:3:4 in the text\"}",
        ] {
            assert!(observed(body, 500).is_empty(), "{body}");
        }
    }
}
