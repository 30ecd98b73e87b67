//! VG104 code-injection: request data evaluated as code or deserialized by an unsafe loader.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::label::{Kinds, Label};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::ir::ExprKind;
use crate::language::Language;

/// The rule.
#[derive(Debug)]
pub struct CodeInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG104"),
    name: Cow::Borrowed("code-injection"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Request data evaluated as code or deserialized unsafely"),
    severity: Severity::Critical,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[94, 502]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Request data passed to `eval`, `new Function`, `vm.runIn*Context`, `vm.Script`, \
             string arguments of `setTimeout`/`setInterval`, `node-serialize`'s `unserialize`; \
             in Python to `eval`, `exec`, `compile`, `pickle.loads`, `marshal.loads`, \
             `dill.loads`, `jsonpickle.decode`, `yaml.load` without a safe loader and \
             `yaml.unsafe_load`. \
             Go: template source from the request (`template.New(\"x\").Parse(input)`), goja's `RunString`, otto's `Run`, expr and govaluate.",
        ),
        why: Cow::Borrowed(
            "Evaluated input is code the attacker wrote, running inside the server; unsafe \
             deserializers build objects whose constructors run commands (a pickle payload \
             is a shell).",
        ),
        example_bad: Cow::Borrowed(
            "const result = eval(req.body.expression);\ndata = pickle.loads(request.data)",
        ),
        example_fixed: Cow::Borrowed(
            "const result = evaluate(parseExpression(req.body.expression)); // a real parser\ndata = json.loads(request.data)",
        ),
        fix: Cow::Borrowed(
            "Never evaluate input: parse it with a real parser (JSON, a math-expression \
             library), deserialize with JSON or `yaml.safe_load`, and keep `pickle` for \
             trusted data only.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/94.html"),
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/502.html"),
        ]),
    },
};

impl FlowRule for CodeInjection {
    fn kind(&self) -> Kinds {
        kind::CODE
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        let first = call.arg(0);
        let sink = |value: Option<&'a crate::ir::Expr>, note| {
            value
                .map(|value| SinkArg { value, note })
                .into_iter()
                .collect()
        };
        let javascript = call.project.modules[call.module]
            .language
            .is_javascript_family();
        // Go: template source from the request (`template.New("x").Parse(input)`: the template
        // language calls methods of the data it is given), and embedded JavaScript engines
        // (goja's `RunString`, otto's `Run`), expr and govaluate expressions.
        if super::in_go(call) {
            let qualified = call.qualified();
            return match name {
                "Parse" if qualified.contains("template") => sink(first, "evaluated as code"),
                "RunString" | "RunScript" if qualified.contains("goja") => {
                    sink(call.args.last().map(|a| &a.value), "evaluated as code")
                }
                "Run" | "Eval" if qualified.contains("otto") => sink(first, "evaluated as code"),
                "Compile" | "Eval"
                    if qualified.contains("expr-lang") || qualified.contains("antonmedv/expr") =>
                {
                    sink(first, "evaluated as code")
                }
                "NewEvaluableExpression" if qualified.contains("govaluate") => {
                    sink(first, "evaluated as code")
                }
                _ => Vec::new(),
            };
        }
        if super::in_ruby(call) {
            let receiver = super::ruby_receiver(call);
            return match name {
                // With a string: `instance_exec` and the `_eval`s given a block run the block.
                "eval" | "instance_eval" | "class_eval" | "module_eval"
                    if first.is_some_and(|f| {
                        !matches!(f.kind, ExprKind::Function(_) | ExprKind::Spread(_))
                    }) =>
                {
                    sink(first, "evaluated as code")
                }
                // `params[:type].constantize.new`: any class the app loads.
                "constantize" | "safe_constantize" => sink(call.receiver(), "evaluated as code"),
                // `obj.send(params[:action])`: any method, private ones too.
                "send" | "public_send" | "__send__" if call.receiver().is_some() => {
                    sink(first, "evaluated as code")
                }
                "load" | "restore" if receiver == "Marshal" => sink(first, "deserialized"),
                "unsafe_load" | "load" if receiver == "YAML" || receiver == "Psych" => {
                    if name == "unsafe_load" {
                        sink(first, "deserialized")
                    } else {
                        Vec::new()
                    }
                }
                "load" if receiver == "Oj" => sink(first, "deserialized"),
                _ => Vec::new(),
            };
        }
        match name {
            "eval"
                if call.receiver().is_none()
                    || call.is(&[
                        "window.eval",
                        "global.eval",
                        "globalThis.eval",
                        "builtins.eval",
                    ]) =>
            {
                sink(first, "evaluated as code")
            }
            "exec" | "compile"
                if !javascript && (call.receiver().is_none() || call.is(&["builtins.exec"])) =>
            {
                sink(first, "evaluated as code")
            }
            "Function" if call.receiver().is_none() => call
                .args
                .iter()
                .map(|a| SinkArg {
                    value: &a.value,
                    note: "evaluated as code",
                })
                .collect(),
            "runInNewContext" | "runInThisContext" | "runInContext" | "compileFunction"
                if call.qualified().starts_with("vm") =>
            {
                sink(first, "evaluated as code")
            }
            "Script" if call.new && call.qualified().starts_with("vm") => {
                sink(first, "evaluated as code")
            }
            "setTimeout" | "setInterval"
                if first.is_some_and(|f| {
                    !matches!(
                        f.kind,
                        ExprKind::Function(_) | ExprKind::Name(_) | ExprKind::Member { .. }
                    )
                }) =>
            {
                sink(first, "evaluated as code")
            }
            "unserialize" if call.qualified().starts_with("node-serialize") => {
                sink(first, "deserialized")
            }
            "loads" | "load"
                if call.is(&[
                    "pickle.loads",
                    "pickle.load",
                    "cPickle.loads",
                    "marshal.loads",
                    "dill.loads",
                    "shelve.open",
                    "_pickle.loads",
                ]) =>
            {
                sink(first, "deserialized")
            }
            "decode" if call.is(&["jsonpickle.decode"]) => sink(first, "deserialized"),
            "unsafe_load" | "full_load" if call.qualified().starts_with("yaml") => {
                sink(first, "deserialized")
            }
            "load" | "load_all" if call.qualified().starts_with("yaml") => {
                let loader = call.option("Loader").or_else(|| call.arg(1));
                let safe = loader.is_some_and(|l| {
                    let text = call.project.modules[call.module].text_of(l.range);
                    text.contains("SafeLoader")
                        || text.contains("CSafeLoader")
                        || text.contains("BaseLoader")
                });
                if safe {
                    Vec::new()
                } else {
                    sink(first, "deserialized")
                }
            }
            _ => Vec::new(),
        }
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        label.request_part().is_some() && !label.is_cleansed(kind::CODE)
    }
}

impl CodeRule for CodeInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn flow(&self) -> Option<&dyn FlowRule> {
        Some(self)
    }

    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        super::report_flows(cx, &META, hits, out, |hit, source| {
            if hit.note == "deserialized" {
                format!("{source} deserialized by an unsafe loader: use JSON or a safe loader")
            } else {
                format!("{source} evaluated as code: parse it instead")
            }
        });
        super::flow_applicability(cx, ChecklistId::Input01)
    }
}
