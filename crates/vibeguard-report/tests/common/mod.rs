//! One canonical report used by every renderer test: each kind of location, evidence and
//! finding state, an engine error, and hostile strings that must come out escaped.

use std::borrow::Cow;

use jiff::Timestamp;
use vibeguard_core::report::RunOutcome;
use vibeguard_core::{
    ChecklistId, CodeFrame, Confidence, Coverage, DeclaredAt, EngineError, EngineId, EngineRun,
    Evidence, FailOn, Finding, FindingState, FlowStep, Inputs, Location, OwaspApi, Report,
    RouteEntry, RuleApplicability, RuleDocs, RuleMeta, Severity, Span, Text, Tool,
};

/// A hostile string as a target could return it.
pub const INJECTION: &str = "<script>alert(1)</script> ![x](http://evil.example/p.png) | `x`";

fn rule(
    code: &'static str,
    name: &'static str,
    engine: EngineId,
    severity: Severity,
    checklist: &'static [ChecklistId],
) -> RuleMeta {
    RuleMeta {
        code: Cow::Borrowed(code),
        name: Cow::Borrowed(name),
        engine,
        summary: Cow::Borrowed("A summary of the flaw"),
        severity,
        confidence: Confidence::Firm,
        cwe: Cow::Borrowed(&[1357]),
        owasp_api: (engine == EngineId::Api).then_some(OwaspApi::Api2BrokenAuthentication),
        checklist: Cow::Borrowed(checklist),
        docs: RuleDocs {
            what: Cow::Borrowed("What it finds."),
            why: Cow::Borrowed("Why it matters."),
            example_bad: Cow::Borrowed("bad <example>"),
            example_fixed: Cow::Borrowed("fixed example"),
            fix: Cow::Borrowed("How to fix it."),
            references: Cow::Borrowed(&[Cow::Borrowed(
                "https://cwe.mitre.org/data/definitions/1357.html",
            )]),
        },
    }
}

pub fn rules() -> Vec<RuleMeta> {
    vec![
        rule(
            "VG302",
            "unpinned-dependency",
            EngineId::Hygiene,
            Severity::Medium,
            &[ChecklistId::Deps01],
        ),
        rule(
            "VG304",
            "no-dependency-updates",
            EngineId::Hygiene,
            Severity::Medium,
            &[ChecklistId::Deps03],
        ),
        rule(
            "VG305",
            "committed-secrets-file",
            EngineId::Hygiene,
            Severity::High,
            &[ChecklistId::Data04],
        ),
        rule(
            "VG101",
            "sql-injection",
            EngineId::Code,
            Severity::Critical,
            &[ChecklistId::Input02],
        ),
        rule(
            "VG401",
            "missing-auth",
            EngineId::Api,
            Severity::High,
            &[ChecklistId::Auth01],
        ),
        rule(
            "VG402",
            "rate-limit",
            EngineId::Api,
            Severity::Medium,
            &[ChecklistId::Auth05],
        ),
    ]
}

const PACKAGE_JSON: &str = "{\n  \"name\": \"api\",\n  \"dependencies\": {\n    \"express\": \"^4.18.2\",\n    \"lodash\": \"*\"\n  }\n}\n";

pub fn canonical_report() -> Report {
    let rules = rules();
    let by_code = |code: &str| {
        rules
            .iter()
            .find(|r| r.code == code)
            .expect("fixture rule")
            .clone()
    };
    let package = |name: &str, spec: &str, line: u32| Location::Package {
        ecosystem: "npm".into(),
        name: name.into(),
        version: Some(spec.into()),
        manifest: "package.json".into(),
        span: Some(Span::line(line, 5, 25)),
    };

    let mut findings = vec![
        Finding::new(
            &by_code("VG305"),
            Location::Source {
                path: ".env".into(),
                span: Some(Span::line(3, 1, 2)),
            },
            ".env is committed to git and defines DB_PASSWORD, JWT_SECRET (values hidden)",
            "secrets-file:.env",
        )
        .with_evidence(Evidence::Text {
            label: "file".into(),
            text: ".env: defines DB_PASSWORD, JWT_SECRET".into(),
        }),
        Finding::new(
            &by_code("VG302"),
            package("lodash", "*", 5),
            "`lodash` is not pinned: `*` accepts any future version",
            "lodash:*",
        )
        .with_severity(Severity::High)
        .with_evidence(Evidence::Code(CodeFrame::excerpt(
            "package.json",
            PACKAGE_JSON,
            Span::line(5, 5, 20),
            1,
        ))),
        Finding::new(
            &by_code("VG302"),
            package("express", "^4.18.2", 4),
            "`express` is not pinned: `^4.18.2` is a range",
            "express:^4.18.2",
        )
        .with_severity(Severity::Low),
        Finding::new(
            &by_code("VG401"),
            Location::Operation {
                method: "GET".into(),
                path: "/users/{id}".into(),
                parameter: None,
                declared_at: Some(DeclaredAt {
                    path: "openapi.yaml".into(),
                    line: 12,
                }),
            },
            format!("GET /users/{{id}} answered 200 without credentials: {INJECTION}"),
            "GET /users/{id}",
        )
        .with_confidence(Confidence::Confirmed)
        .with_evidence(Evidence::Http {
            request: "GET /users/1 HTTP/1.1\nHost: 127.0.0.1:8080".into(),
            response: format!(
                "HTTP/1.1 200 OK\ncontent-type: application/json\n\n{{\"name\": \"{INJECTION}\"}}"
            ),
            curl: Some("curl -i 'http://127.0.0.1:8080/users/1'".into()),
        }),
        Finding::new(
            &by_code("VG304"),
            Location::Project,
            "No Dependabot or Renovate configuration",
            "no-update-bot",
        ),
        Finding::new(
            &by_code("VG302"),
            package("cors", "~2.8.5", 6),
            "`cors` is not pinned: `~2.8.5` is a range",
            "cors:~2.8.5",
        )
        .with_severity(Severity::Low),
    ];
    findings.push(
        Finding::new(
            &by_code("VG101"),
            Location::Source {
                path: "src/models/user.js".into(),
                span: Some(Span::line(5, 5, 62)),
            },
            "SQL query built from a path parameter (src/routes/users.js:9): send it as a query parameter",
            "db.query('SELECT*FROMusersWHEREid='+id)|Params",
        )
        .with_flow(vec![
            FlowStep {
                path: "src/routes/users.js".into(),
                span: Span::line(9, 38, 51),
                note: "a path parameter".into(),
            },
            FlowStep {
                path: "src/routes/users.js".into(),
                span: Span::line(9, 22, 52),
                note: "passed to a function".into(),
            },
            FlowStep {
                path: "src/models/user.js".into(),
                span: Span::line(5, 5, 62),
                note: "SQL query".into(),
            },
        ]),
    );
    findings[2].state = FindingState::Baselined;
    findings[5].state = FindingState::Suppressed {
        reason: "vendored mirror pins it".into(),
    };

    let mut hygiene = EngineRun::new(EngineId::Hygiene);
    hygiene.coverage = Coverage {
        files: 9,
        packages: 14,
        operations: 0,
        requests: 0,
        ..Coverage::default()
    };
    hygiene.rules_applied = vec![
        Text::Borrowed("VG302"),
        Text::Borrowed("VG304"),
        Text::Borrowed("VG305"),
    ];
    hygiene.errors = vec![EngineError {
        source: "web/package-lock.json".into(),
        line: Some(3),
        message: "invalid JSON: expected value at line 3 column 5".into(),
    }];
    hygiene.duration_ms = 12;
    let mut code = EngineRun::new(EngineId::Code);
    code.coverage = Coverage {
        files: 7,
        packages: 0,
        operations: 0,
        requests: 0,
        ..Coverage::default()
    };
    code.rules_applied = vec![Text::Borrowed("VG101")];
    code.duration_ms = 8;
    let mut api = EngineRun::new(EngineId::Api);
    api.coverage = Coverage {
        files: 0,
        packages: 0,
        operations: 12,
        requests: 240,
        ..Coverage::default()
    };
    api.rules_applied = vec![Text::Borrowed("VG401")];
    api.not_applicable = vec![RuleApplicability {
        item: None,
        code: Text::Borrowed("VG402"),
        reason: Text::Borrowed("no login operation in the spec"),
        subject_absent: false,
    }];
    api.duration_ms = 1480;

    let started: Timestamp = "2026-11-29T10:00:00Z".parse().expect("timestamp");
    let finished: Timestamp = "2026-11-29T10:00:01.5Z".parse().expect("timestamp");
    Report::assemble(RunOutcome {
        tool: Tool {
            name: "vibeguard".into(),
            version: "0.1.0".into(),
            information_uri: "https://github.com/vibeguard/vibeguard".into(),
        },
        inputs: Inputs {
            project: Some("/srv/app".into()),
            config: Some("vibeguard.toml".into()),
            target: Some("http://127.0.0.1:8080".into()),
            spec: Some("openapi.yaml".into()),
            baseline: Some(".vibeguard/baseline.json".into()),
            image: None,
        },
        started_at: started,
        finished_at: finished,
        fail_on: FailOn::High,
        engines: vec![hygiene, code, api],
        known_rules: rules,
        findings,
        test_code_set_aside: 0,
        routes: vec![RouteEntry {
            framework: "express".into(),
            method: "GET".into(),
            path: "/api/users/{id}".into(),
            file: "src/routes/users.js".into(),
            line: 8,
            handler: Some("src/routes/users.js:8 (anonymous)".into()),
            middleware: vec!["auth".into()],
            passes_anonymous: Vec::new(),
            authenticated: true,
            rate_limited: false,
            body_fields: Vec::new(),
            query_params: Vec::new(),
            path_types: std::collections::BTreeMap::new(),
            body_schema: std::collections::BTreeMap::new(),
            serves_files: false,
            body_encoding: None,
        }],
    })
}
