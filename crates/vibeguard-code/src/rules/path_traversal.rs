//! VG105 path-traversal: request data in a path the server reads, writes, deletes or sends.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::label::{Kinds, Label};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::language::Language;

/// The rule.
#[derive(Debug)]
pub struct PathTraversal;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG105"),
    name: Cow::Borrowed("path-traversal"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("File path built from request data"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[22]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Request data in the path of a file operation: Node's `fs` reads, writes, deletes \
             and streams (callback, sync and promise APIs), Express `res.sendFile`/`res.download` \
             without a `root` option, Python's `open`, `os.remove`, `shutil` operations, \
             `pathlib.Path` reads and writes, Flask `send_file` and Starlette/Django \
             `FileResponse` — also through `path.join`/`os.path.join`. `path.basename`, \
             `secure_filename`, and a containment check (`if (!full.startsWith(root)) return`) \
             make the path safe; `send_from_directory` and `sendFile(name, { root })` check it \
             themselves. \
             Go: `os.Open`/`ReadFile`/`WriteFile`…, `http.ServeFile`, `c.File`/`c.SendFile`/`c.Attachment` (`filepath.Base` and `filepath.Clean(\"/\" + x)` are safe).",
        ),
        why: Cow::Borrowed(
            "`../../etc/passwd`, `..\\..\\app\\.env`: the attacker reads the server's secrets \
             and source, or overwrites files it executes.",
        ),
        example_bad: Cow::Borrowed(
            "res.sendFile(path.join(__dirname, 'uploads', req.params.name));",
        ),
        example_fixed: Cow::Borrowed(
            "res.sendFile(path.basename(req.params.name), { root: path.join(__dirname, 'uploads') });",
        ),
        fix: Cow::Borrowed(
            "Reduce the input to a file name (`path.basename`, `secure_filename`), or resolve the \
             full path and refuse it unless it starts with the intended folder; serve files with \
             `sendFile(name, { root })` / `send_from_directory`.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/22.html"),
            Cow::Borrowed("https://owasp.org/www-community/attacks/Path_Traversal"),
        ]),
    },
};

const FS_METHODS: &[&str] = &[
    "readFile",
    "readFileSync",
    "createReadStream",
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "createWriteStream",
    "unlink",
    "unlinkSync",
    "rm",
    "rmSync",
    "rmdir",
    "rmdirSync",
    "readdir",
    "readdirSync",
    "open",
    "openSync",
    "copyFile",
    "copyFileSync",
    "rename",
    "renameSync",
    "mkdir",
    "mkdirSync",
    "stat",
    "statSync",
    "access",
    "accessSync",
    "readlink",
    "symlink",
    "truncate",
    "lstat",
];

impl FlowRule for PathTraversal {
    fn kind(&self) -> Kinds {
        kind::PATH
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        let qualified = call.qualified();
        let first = || {
            call.arg(0)
                .map(|value| SinkArg {
                    value,
                    note: "file path",
                })
                .into_iter()
                .collect()
        };
        if super::in_go(call) {
            return go_sinks(call);
        }
        // Ruby: `File.read`, `IO.binread`, `FileUtils.rm_rf`, `Pathname.new`, `send_file`,
        // `render file:`.
        if super::in_ruby(call) {
            let receiver = super::ruby_receiver(call);
            let file_method = match receiver.as_str() {
                "File" | "IO" => matches!(
                    name,
                    "read"
                        | "open"
                        | "readlines"
                        | "binread"
                        | "write"
                        | "binwrite"
                        | "delete"
                        | "unlink"
                        | "new"
                        | "foreach"
                        | "readlink"
                        | "rename"
                ),
                "FileUtils" => matches!(
                    name,
                    "rm" | "rm_f"
                        | "rm_r"
                        | "rm_rf"
                        | "cp"
                        | "cp_r"
                        | "mv"
                        | "remove"
                        | "remove_file"
                        | "remove_dir"
                        | "touch"
                ),
                "Pathname" => name == "new",
                "" => matches!(name, "send_file"),
                _ => false,
            };
            if file_method {
                return first();
            }
            if name == "render"
                && let Some(file) = call.option("file")
            {
                return vec![SinkArg {
                    value: file,
                    note: "file path",
                }];
            }
            return Vec::new();
        }
        if FS_METHODS.contains(&name)
            && (qualified.starts_with("fs")
                || qualified.starts_with("node:fs")
                || qualified.starts_with("fs-extra")
                || qualified.starts_with("fs/promises"))
        {
            return first();
        }
        match name {
            "sendFile" | "download"
                if call
                    .receiver()
                    .and_then(super::chain_root)
                    .is_some_and(super::is_response_name) =>
            {
                let has_root = call.option("root").is_some();
                if has_root { Vec::new() } else { first() }
            }
            "open"
                if call.receiver().is_none()
                    && !call.project.modules[call.module]
                        .language
                        .is_javascript_family() =>
            {
                first()
            }
            "send_file" if qualified.starts_with("flask") || call.receiver().is_none() => first(),
            "FileResponse" => first(),
            // Sanic: `response.file(path)`, `response.file_stream(path)`.
            "file" | "file_stream" if qualified.starts_with("sanic") => first(),
            // Werkzeug's `FileStorage.save(path)` for an uploaded file.
            "save"
                if !call.project.modules[call.module]
                    .language
                    .is_javascript_family()
                    && call
                        .receiver()
                        .and_then(super::chain_root)
                        .is_some_and(|r| {
                            matches!(
                                r,
                                "file"
                                    | "f"
                                    | "upload"
                                    | "uploaded"
                                    | "attachment"
                                    | "image"
                                    | "avatar"
                                    | "document"
                                    | "photo"
                            )
                        }) =>
            {
                first()
            }
            "remove" | "unlink" | "rmdir" | "removedirs" if qualified.starts_with("os.") => first(),
            "rmtree" | "copy" | "copyfile" | "move" | "copytree"
                if qualified.starts_with("shutil") =>
            {
                first()
            }
            "read_text" | "read_bytes" | "write_text" | "write_bytes" | "unlink" | "open"
                if qualified.contains("Path()") =>
            {
                call.receiver()
                    .map(|value| SinkArg {
                        value,
                        note: "file path",
                    })
                    .into_iter()
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    fn accepts(&self, label: &Label, _note: &'static str) -> bool {
        label.request_part().is_some() && !label.is_cleansed(kind::PATH)
    }

    fn sanitizes(&self, call: &Call<'_, '_>) -> bool {
        // Go: `filepath.Clean("/" + name)` resolves every `..` against the root first.
        if super::in_go(call)
            && matches!(
                super::go_name(call).as_str(),
                "filepath.Clean" | "path.Clean"
            )
            && call.arg(0).is_some_and(|arg| {
                matches!(&arg.kind, crate::ir::ExprKind::Binary { op: "+", left, .. }
                    if left.as_str().is_some_and(|s| s.starts_with('/')))
            })
        {
            return true;
        }
        // Rails: an upload's `original_filename` is the client file's basename
        // (ActionDispatch::Http::UploadedFile), `File.extname` an extension.
        if super::in_ruby(call) && matches!(call.name(), Some("original_filename" | "extname")) {
            return true;
        }
        call.is(&[
            "path.basename",
            "os.path.basename",
            "werkzeug.utils.secure_filename",
            "secure_filename",
            "sanitize-filename",
            "posixpath.basename",
            "File.basename",
            "path/filepath.Base",
            "path.Base",
        ])
    }
}

/// Go: `os.Open`/`ReadFile`/`Create`/`WriteFile`/`Remove`/`OpenFile`, `ioutil.ReadFile`,
/// `http.ServeFile(w, r, path)`, gin's `c.File`/`c.FileAttachment`, echo's `c.File`/
/// `c.Attachment`, fiber's `c.SendFile`/`c.Download`, `filepath.Join` of a base and a name.
fn go_sinks<'a>(call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
    let name = super::go_name(call);
    let sink = |value| SinkArg {
        value,
        note: "file path",
    };
    let value = match name.as_str() {
        "os.Open" | "os.ReadFile" | "os.Create" | "os.WriteFile" | "os.Remove" | "os.RemoveAll"
        | "os.OpenFile" | "os.Stat" | "os.ReadDir" | "os.Mkdir" | "os.MkdirAll"
        | "ioutil.ReadFile" | "ioutil.WriteFile" | "ioutil.ReadDir" => call.arg(0),
        "http.ServeFile" => call.arg(2),
        _ => match call.name() {
            Some("File" | "FileAttachment" | "Attachment" | "SendFile" | "Download" | "Inline")
                if call.receiver().is_some_and(|r| {
                    r.as_name()
                        .is_some_and(|n| matches!(n, "c" | "ctx" | "context"))
                }) =>
            {
                call.arg(0)
            }
            _ => None,
        },
    };
    value.map(|v| vec![sink(v)]).unwrap_or_default()
}

impl CodeRule for PathTraversal {
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
                "file path built from {source}: `../` reaches files outside the intended folder"
            )
        });
        super::flow_applicability(cx, ChecklistId::Input01)
    }
}
