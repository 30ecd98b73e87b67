//! VG420 live-template-injection: input is rendered as a server-side template. Arithmetic canaries
//! in each engine family's syntax (`vgt{{37*41}}x`, `vgt${37*41}x`, `vgt<%= 37*41 %>x`, …) must
//! come back computed (`vgt1517x`), absent from the baseline, and again with other numbers.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::canary::{self, Family};
use super::inputs::{Interpreter, Template};
use super::{Check, Context, Probe, http_evidence, location};
use crate::http::Exchange;
use crate::spec::Operation;

/// The check.
#[derive(Debug)]
pub struct TemplateInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG420"),
    name: Cow::Borrowed("live-template-injection"),
    engine: EngineId::Api,
    summary: Cow::Borrowed(
        "Input is evaluated as a server-side template: expressions in it are computed",
    ),
    severity: Severity::Critical,
    confidence: Confidence::Confirmed,
    cwe: Cow::Borrowed(&[1336, 94]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Every text input is sent with a multiplication in each template family's syntax: \
             `{{ }}` (Jinja2, Twig, Nunjucks, Handlebars helpers), `${ }` (FreeMarker, Velocity, \
             JavaScript template literals, EL), `<%= %>` (ERB, EJS), `#{ }` (Ruby, Pug, Spring EL), \
             `[[${ }]]` (Thymeleaf), `@( )` (Razor), `{ }` (Smarty) and `%{ }` (OGNL) — once the \
             input with a plain marker added (`vgt7919x`) has come back in the answer: an answer \
             that never shows the input (a form post that redirects) cannot show it computed. \
             The input is injectable when the answer holds the computed product (never the \
             expression itself, which is what an echo shows) and the baseline does not, twice \
             with different numbers.",
        ),
        why: Cow::Borrowed(
            "Template engines reach the language they run in: from `{{ }}` in Jinja2 or `${ }` in \
             FreeMarker an attacker reads configuration and secrets and usually runs commands on \
             the server.",
        ),
        example_bad: Cow::Borrowed(
            "return render_template_string('Hello ' + request.args['name'])",
        ),
        example_fixed: Cow::Borrowed(
            "return render_template_string('Hello {{ name }}', name=request.args['name'])",
        ),
        fix: Cow::Borrowed(
            "Never build a template from input: pass input as a variable of a fixed template, or \
             use a logic-less engine in a sandbox for user-defined templates.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed(
                "https://owasp.org/www-project-web-security-testing-guide/v42/4-Web_Application_Security_Testing/07-Input_Validation_Testing/18-Testing_for_Server_Side_Template_Injection",
            ),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/1336.html"),
        ]),
    },
};

const PREFIX: &str = "vgt";

static FAMILIES: [Family; 8] = [
    Family {
        name: "{{ }} (Jinja2, Twig, Nunjucks)",
        payload: |v, p, a, b| format!("{v}{p}{{{{{a}*{b}}}}}x"),
    },
    Family {
        name: "${ } (FreeMarker, Velocity, JavaScript template literal, EL)",
        payload: |v, p, a, b| format!("{v}{p}${{{a}*{b}}}x"),
    },
    Family {
        name: "<%= %> (ERB, EJS)",
        payload: |v, p, a, b| format!("{v}{p}<%= {a}*{b} %>x"),
    },
    Family {
        name: "#{ } (Ruby, Pug, Spring EL)",
        payload: |v, p, a, b| format!("{v}{p}#{{{a}*{b}}}x"),
    },
    Family {
        name: "[[${ }]] (Thymeleaf)",
        payload: |v, p, a, b| format!("{v}{p}[[${{{a}*{b}}}]]x"),
    },
    Family {
        name: "@( ) (Razor)",
        payload: |v, p, a, b| format!("{v}{p}@({a}*{b})x"),
    },
    Family {
        name: "{ } (Smarty)",
        payload: |v, p, a, b| format!("{v}{p}{{{a}*{b}}}x"),
    },
    Family {
        name: "%{ } (OGNL)",
        payload: |v, p, a, b| format!("{v}{p}%{{{a}*{b}}}x"),
    },
];

impl TemplateInjection {
    fn template(operation: &Operation, context: &Context<'_>) -> Option<Template> {
        let mut template = Template::reaching(
            Interpreter::Executed,
            operation,
            context,
            context.profile.pick(3, 6, 12),
        )?;
        // Templates are text: numbers and ids are not rendered.
        template.points.retain(|point| !point.numeric);
        Some(template)
    }
}

impl Check for TemplateInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn plan(&self, operation: &Operation, context: &Context<'_>) -> Vec<Probe> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        if template.points.is_empty() {
            return Vec::new();
        }
        canary::plan_reflection(&template, PREFIX)
    }

    fn follow_up(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Probe> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        // Only an answer that shows the input can show it computed: the payloads go to the
        // points whose plain marker came back, then the confirmation to those that computed.
        let mut probes = canary::first_round_where_shown(&template, results, &FAMILIES, PREFIX);
        probes.extend(canary::follow_up(&template, results, &FAMILIES, PREFIX));
        probes
    }

    fn evaluate(
        &self,
        operation: &Operation,
        results: &[(Probe, Exchange)],
        context: &Context<'_>,
    ) -> Vec<Finding> {
        let Some(template) = Self::template(operation, context) else {
            return Vec::new();
        };
        let proven = canary::proven(&template, results, &FAMILIES, PREFIX);
        template
            .points
            .iter()
            .filter_map(|point| {
                let (family, exchange) = proven.get(&point.label())?;
                Some(
                    Finding::new(
                        &META,
                        location(operation, Some(point.label())),
                        format!(
                            "{} renders {} as a template: {} syntax is evaluated (`{}` came back computed, twice with other numbers)",
                            operation.label(),
                            point.describe(),
                            family.name,
                            canary::marker(PREFIX, canary::ROUNDS[1])
                        ),
                        point.label(),
                    )
                    .with_confidence(Confidence::Confirmed)
                    .with_evidence(http_evidence(exchange)),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{Fixture, answer, json_body, operation, rounds};
    use crate::spec::{BodyKind, RequestBody, Schema, SchemaType};

    fn preview_operation() -> Operation {
        let mut op = operation("POST", "/api/preview", true);
        op.body = Some(RequestBody {
            required: true,
            media_type: "application/json".into(),
            kind: BodyKind::Json,
            schema: Schema {
                types: vec![SchemaType::Object],
                properties: vec![
                    (
                        "greeting".into(),
                        Schema {
                            types: vec![SchemaType::String],
                            ..Schema::default()
                        },
                    ),
                    (
                        "count".into(),
                        Schema {
                            types: vec![SchemaType::Integer],
                            ..Schema::default()
                        },
                    ),
                ],
                ..Schema::default()
            },
        });
        op
    }

    type Server<'a> = dyn Fn(&str) -> String + 'a;

    fn run(server: &Server<'_>) -> (Vec<Probe>, Vec<Finding>) {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = preview_operation();
        let results = rounds(&TemplateInjection, &op, &context, &mut |probe| {
            answer(
                probe,
                200,
                &server(json_body(probe)["greeting"].as_str().unwrap_or_default()),
            )
        });
        let planned = TemplateInjection.plan(&op, &context);
        (planned, TemplateInjection.evaluate(&op, &results, &context))
    }

    /// Renders `{{ a*b }}` like Jinja2 would, everything else as text.
    fn jinja(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find("}}") else {
                break;
            };
            let inner = &rest[start + 2..start + end];
            let product: Option<u64> = inner
                .split('*')
                .map(|n| n.trim().parse::<u64>().ok())
                .product();
            out.push_str(&product.map_or(String::new(), |p| p.to_string()));
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        format!("{{\"preview\":{out:?}}}")
    }

    #[test]
    fn an_evaluated_template_is_found_with_its_family() {
        let (planned, findings) = run(&jinja);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0].message.contains("Jinja2"),
            "{}",
            findings[0].message
        );
        assert!(
            findings[0]
                .message
                .contains(&canary::marker(PREFIX, canary::ROUNDS[1]))
        );
        // The integer field is not tried.
        assert!(!planned.iter().any(|p| p.label.contains("count")));
    }

    #[test]
    fn an_input_the_answer_never_shows_gets_no_payloads() {
        let fixture = Fixture::new();
        let context = fixture.context();
        let op = preview_operation();
        let mut sent = Vec::new();
        let results = rounds(&TemplateInjection, &op, &context, &mut |probe| {
            sent.push(probe.label.clone());
            answer(probe, 200, "{\"saved\":true}")
        });
        assert_eq!(sent, ["baseline", "body:/greeting#canary:plain"]);
        assert!(
            TemplateInjection
                .evaluate(&op, &results, &context)
                .is_empty()
        );
        // An echo of the plain marker opens the families.
        let mut families = 0;
        rounds(&TemplateInjection, &op, &context, &mut |probe| {
            families += usize::from(probe.label.ends_with(":0"));
            let greeting = json_body(probe)["greeting"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            answer(probe, 200, &format!("{{\"preview\":{greeting:?}}}"))
        });
        assert_eq!(families, FAMILIES.len());
    }

    #[test]
    fn echoes_and_escaped_output_are_not_findings() {
        let (_, echo) = run(&|text| format!("{{\"preview\":{text:?}}}"));
        assert!(echo.is_empty());
        let (_, escaped) = run(&|text| {
            format!(
                "<p>{}</p>",
                text.replace('<', "&lt;").replace('{', "&#123;")
            )
        });
        assert!(escaped.is_empty());
        // A page that always shows the first product (a coincidence): the baseline has it too.
        let (_, constant) = run(&|_| "{\"stats\":\"vgt1517x\"}".into());
        assert!(constant.is_empty());
    }
}
