//! VG125 unrestricted-file-upload: uploads without type or size limits, and body parsers with
//! huge limits.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, Confidence, EngineId, Finding, OwaspApi, RuleDocs, RuleMeta, Severity,
};

use super::{Applicability, CodeRule, Context};
use crate::flow::Hit;
use crate::ir::{Expr, ExprKind, StmtKind};

/// The rule.
#[derive(Debug)]
pub struct UnrestrictedFileUpload;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG125"),
    name: Cow::Borrowed("unrestricted-file-upload"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("File upload without type or size limits, or a huge body limit"),
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[434, 770]),
    owasp_api: Some(OwaspApi::Api4UnrestrictedResourceConsumption),
    checklist: Cow::Borrowed(&[ChecklistId::Input03, ChecklistId::Input05]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "multer without `limits.fileSize` or without a `fileFilter`, express-fileupload and \
             busboy without `limits`; Flask `request.files[...]` saved without checking the \
             file name or type; FastAPI `UploadFile` written to disk without a type check; and \
             body parsers configured above 10 MB (`express.json({ limit: '50mb' })`, Fastify \
             `bodyLimit`, Next.js `sizeLimit`, Flask `MAX_CONTENT_LENGTH`); \
             Go: a `FormFile` saved by `c.SaveUploadedFile` or `os.Create` without a type or size check. \
             Rails: an upload (`original_filename`, `tempfile`) written with `File.open(…, 'wb')`, `File.binwrite`, `FileUtils.cp` without a type or size check; Active Storage attachments without a content-type or size validation; CarrierWave uploaders without an allow-list.",
        ),
        why: Cow::Borrowed(
            "Unchecked uploads put HTML, SVG or scripts on your domain (stored XSS) or \
             executable files in served folders; unlimited sizes fill the disk and memory and \
             take the service down with a few requests.",
        ),
        example_bad: Cow::Borrowed("const upload = multer({ dest: 'uploads/' });"),
        example_fixed: Cow::Borrowed(
            "const upload = multer({\n  dest: 'uploads/',\n  limits: { fileSize: 5 * 1024 * 1024 },\n  fileFilter: (req, file, cb) => cb(null, ['image/png', 'image/jpeg'].includes(file.mimetype)),\n});",
        ),
        fix: Cow::Borrowed(
            "Limit upload size, allow only the types you expect (checking content, not only the \
             extension), store uploads outside served folders under generated names, and keep \
             body limits small (1 MB is plenty for JSON).",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/434.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// Ten megabytes: more than any JSON API needs.
const LARGE_BODY: f64 = 10.0 * 1024.0 * 1024.0;

/// Bytes in a size written as `'50mb'`, `"1gb"`, `1e9` or `50 * 1024 * 1024`.
fn size_of(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::Number(n) => Some(*n),
        ExprKind::Str(text) => {
            let lower = text.trim().to_ascii_lowercase();
            let digits: String = lower
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let number: f64 = digits.parse().ok()?;
            let unit = lower[digits.len()..].trim();
            let factor = match unit {
                "" | "b" => 1.0,
                "kb" | "k" => 1024.0,
                "mb" | "m" => 1024.0 * 1024.0,
                "gb" | "g" => 1024.0 * 1024.0 * 1024.0,
                _ => return None,
            };
            Some(number * factor)
        }
        ExprKind::Binary { op, left, right } if *op == "*" => {
            Some(size_of(left)? * size_of(right)?)
        }
        _ => None,
    }
}

/// What a Ruby upload check reads: the type, the extension, the size, an allow-list.
const RUBY_UPLOAD_CHECKS: &[&str] = &[
    "content_type",
    "extname",
    "byte_size",
    ".size",
    "allowed",
    "ALLOWED",
    "Marcel",
    "MIME",
    "mime_type",
    "extension_allowlist",
    "extension_whitelist",
    "content_type_allowlist",
    "content_type_whitelist",
    "size_range",
];

/// Rails: an uploaded file (`params[:file]`, its `original_filename`, `tempfile`, `read`) written
/// to disk (`File.open(path, 'wb')`, `File.write`/`binwrite`, `FileUtils.cp`/`mv`,
/// `IO.copy_stream`) by a method that checks neither its type, extension nor size; Active
/// Storage attachments (`has_one_attached`, `has_many_attached`) of a model that validates
/// none of them; CarrierWave uploaders without an extension or content-type allow-list.
/// Returns whether the module handles uploads.
fn rails_uploads(cx: &Context<'_>, module_id: usize, out: &mut Vec<Finding>) -> bool {
    let module = cx.module(module_id);
    let checks = |text: &str| RUBY_UPLOAD_CHECKS.iter().any(|w| text.contains(w));
    let mut handles = false;
    for (function_id, function) in module.functions.iter().enumerate() {
        let text = module.text_of(function.range);
        if function.name.is_some()
            && (text.contains("original_filename") || text.contains(".tempfile"))
        {
            handles = true;
            if checks(text) {
                continue;
            }
            let mut reported = false;
            cx.index.calls(module_id, function_id, &mut |e| {
                let Some((callee, args, _)) = e.as_call() else {
                    return;
                };
                let Some(path) = callee.member_path() else {
                    return;
                };
                let writes = match path.as_slice() {
                    ["File", "write" | "binwrite"]
                    | ["FileUtils", "cp" | "mv" | "copy" | "move"]
                    | ["IO", "copy_stream"] => true,
                    ["File", "open" | "new"] => args
                        .iter()
                        .any(|a| a.value.as_str().is_some_and(|mode| mode.contains('w'))),
                    _ => false,
                };
                if writes && !reported {
                    reported = true;
                    out.push(cx.finding(
                        &META,
                        module_id,
                        e.range,
                        "uploaded file written to disk without checking its type or size",
                        "rails-save",
                    ));
                }
            });
        }
    }
    for class in &module.classes {
        let text = module.text_of(class.range);
        let base = class.bases.first().map_or("", |b| module.text_of(b.range));
        if base.contains("CarrierWave") {
            handles = true;
            if !checks(text) {
                out.push(cx.finding(
                    &META,
                    module_id,
                    class.range,
                    "CarrierWave uploader without an extension or content-type allow-list",
                    "carrierwave",
                ));
            }
            continue;
        }
        if !(text.contains("has_one_attached") || text.contains("has_many_attached")) {
            continue;
        }
        handles = true;
        if checks(text) {
            continue;
        }
        for function in &module.functions {
            for stmt in &function.body {
                let crate::ir::StmtKind::Expr(e) = &stmt.kind else {
                    continue;
                };
                let Some((callee, args, _)) = e.as_call() else {
                    continue;
                };
                if matches!(
                    callee.as_name(),
                    Some("has_one_attached" | "has_many_attached")
                ) && class.range.contains(&e.range)
                {
                    let name = args
                        .first()
                        .and_then(|a| a.value.as_str())
                        .unwrap_or("file");
                    out.push(cx.finding(&META, module_id, e.range, format!("Active Storage attachment :{name} accepts any type and size (no validation)"), "active-storage"));
                }
            }
        }
    }
    handles
}

impl CodeRule for UnrestrictedFileUpload {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [crate::language::Language] {
        &[
            crate::language::Language::Ruby,
            crate::language::Language::Go,
        ]
    }

    fn check(&self, cx: &Context<'_>, _hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        // INPUT-03 and INPUT-05 pass only on code that accepts uploads or parses bodies.
        let mut any_body_handling = false;
        for (module_id, module) in cx.project.modules.iter().enumerate() {
            if module.language.is_ruby() {
                any_body_handling |= rails_uploads(cx, module_id, out);
                continue;
            }
            for (function_id, function) in module.functions.iter().enumerate() {
                let function_text = module.text_of(function.range);
                cx.index.calls(module_id, function_id, &mut |e| {
                    let Some((callee, args, _)) = e.as_call() else {
                        return;
                    };
                    let qualified = cx.index.qualified(module_id, callee);
                    let options = args.first().map(|a| &a.value);
                    any_body_handling |= is_body_handler(qualified);
                    match qualified {
                        "multer" | "multer.default" => {
                            let mut missing = Vec::new();
                            if options
                                .and_then(|o| o.property("limits"))
                                .and_then(|l| l.property("fileSize"))
                                .is_none()
                            {
                                missing.push("a size limit (limits.fileSize)");
                            }
                            if options.and_then(|o| o.property("fileFilter")).is_none() {
                                missing.push("a type check (fileFilter)");
                            }
                            if !missing.is_empty() {
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    e.range,
                                    format!(
                                        "multer accepts uploads without {}",
                                        missing.join(" or ")
                                    ),
                                    "multer",
                                ));
                            }
                        }
                        "express-fileupload" | "busboy" | "connect-busboy"
                            if options.and_then(|o| o.property("limits")).is_none() =>
                        {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                format!("{qualified} accepts uploads of any size (no limits)"),
                                qualified,
                            ));
                        }
                        q if q.ends_with("json")
                            || q.ends_with("urlencoded")
                            || q.ends_with("raw")
                            || q.ends_with("text") =>
                        {
                            let is_parser =
                                q.starts_with("express.") || q.starts_with("body-parser");
                            if is_parser
                                && let Some(limit) = options.and_then(|o| o.property("limit"))
                                && size_of(limit).is_some_and(|s| s > LARGE_BODY)
                            {
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    e.range,
                                    format!(
                                        "body parser accepts {} per request",
                                        module.text_of(limit.range)
                                    ),
                                    "body-limit",
                                ));
                            }
                        }
                        "fastify()" | "fastify" | "fastify.default" => {
                            if let Some(limit) = options.and_then(|o| o.property("bodyLimit"))
                                && size_of(limit).is_some_and(|s| s > LARGE_BODY)
                            {
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    e.range,
                                    format!("Fastify bodyLimit of {}", module.text_of(limit.range)),
                                    "body-limit",
                                ));
                            }
                        }
                        _ => {}
                    }
                    // Flask: file.save(path) without checking the name or type.
                    if !module.language.is_javascript_family()
                        && callee.method_name() == Some("save")
                        && function_text.contains("request.files")
                    {
                        let checked = [
                            "allowed_file",
                            "endswith",
                            "splitext",
                            "mimetype",
                            "content_type",
                            "rsplit",
                            "imghdr",
                            "magic",
                            "ALLOWED_EXTENSIONS",
                            "filetype",
                        ]
                        .iter()
                        .any(|w| function_text.contains(w));
                        if !checked {
                            out.push(cx.finding(
                                &META,
                                module_id,
                                e.range,
                                "uploaded file saved without checking its name or type",
                                "flask-save",
                            ));
                        }
                    }
                });
                // Go: `c.FormFile("f")` / `r.FormFile("f")` saved (`c.SaveUploadedFile`,
                // `os.Create` + `io.Copy`, `os.WriteFile`) without a type or size check.
                if module.language.is_go() && function_text.contains("FormFile(") {
                    any_body_handling = true;
                    let checked = [
                        "filepath.Ext",
                        "path.Ext",
                        "DetectContentType",
                        "Content-Type",
                        "MaxBytesReader",
                        ".Size",
                        "HasSuffix",
                        "allowed",
                        "Allowed",
                        "ALLOWED",
                        "mimetype",
                        "filetype",
                    ]
                    .iter()
                    .any(|w| function_text.contains(w));
                    if !checked {
                        cx.index.calls(module_id, function_id, &mut |e| {
                            let Some((callee, _, _)) = e.as_call() else {
                                return;
                            };
                            let qualified = cx.index.qualified(module_id, callee);
                            let saves = callee
                                .method_name()
                                .is_some_and(|m| matches!(m, "SaveUploadedFile" | "SaveFile"))
                                || matches!(
                                    crate::language::go_qualified_tail(qualified).as_str(),
                                    "os.Create"
                                        | "os.WriteFile"
                                        | "os.OpenFile"
                                        | "ioutil.WriteFile"
                                );
                            if saves {
                                out.push(cx.finding(
                                    &META,
                                    module_id,
                                    e.range,
                                    "uploaded file saved without checking its type or size",
                                    "go-save",
                                ));
                            }
                        });
                    }
                }
                any_body_handling |= function_text.contains("request.files")
                    || function.params.iter().any(|p| {
                        p.annotation
                            .as_deref()
                            .is_some_and(|a| a.contains("UploadFile"))
                    });
                // FastAPI: an `UploadFile` parameter written out unchecked.
                if function.params.iter().any(|p| {
                    p.annotation
                        .as_deref()
                        .is_some_and(|a| a.contains("UploadFile"))
                }) && (function_text.contains("write(") || function_text.contains("copyfileobj"))
                    && ![
                        "content_type",
                        "filename.endswith",
                        "splitext",
                        "ALLOWED",
                        "allowed",
                        "magic",
                        "size",
                    ]
                    .iter()
                    .any(|w| function_text.contains(w))
                {
                    out.push(cx.finding(
                        &META,
                        module_id,
                        function.range,
                        "UploadFile written to disk without a type or size check",
                        "fastapi-upload",
                    ));
                }
                // MAX_CONTENT_LENGTH = 1024 * 1024 * 1024, sizeLimit: '50mb'
                cx.index.stmts(module_id, function_id, &mut |stmt| {
                    let StmtKind::Assign { target, value, .. } = &stmt.kind else {
                        return;
                    };
                    let Some(key) = target.assigned_name() else {
                        return;
                    };
                    any_body_handling |=
                        key.ends_with("MAX_MEMORY_SIZE") || key == "MAX_CONTENT_LENGTH";
                    let huge = matches!(
                        key,
                        "MAX_CONTENT_LENGTH"
                            | "DATA_UPLOAD_MAX_MEMORY_SIZE"
                            | "FILE_UPLOAD_MAX_MEMORY_SIZE"
                    ) && (size_of(value).is_some_and(|s| s > LARGE_BODY * 10.0)
                        || (matches!(value.kind, ExprKind::Null)
                            && key.starts_with("DATA_UPLOAD")));
                    if huge {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            stmt.range,
                            format!("{key} allows huge request bodies"),
                            key,
                        ));
                    }
                });
                cx.index.exprs(module_id, function_id, &mut |e| {
                    if let Some(limit) = e.property("sizeLimit")
                        && size_of(limit).is_some_and(|s| s > LARGE_BODY)
                        && module.text_of(e.range).contains("sizeLimit")
                    {
                        out.push(cx.finding(
                            &META,
                            module_id,
                            limit.range,
                            format!("body parser sizeLimit of {}", module.text_of(limit.range)),
                            "next-size",
                        ));
                    }
                });
            }
        }
        if any_body_handling {
            Applicability::Applied
        } else {
            Applicability::Absent("no file uploads or body parsers found in the code")
        }
    }
}

/// Upload middleware, body parsers and servers whose options this rule reads.
fn is_body_handler(qualified: &str) -> bool {
    matches!(
        qualified,
        "multer"
            | "multer.default"
            | "express-fileupload"
            | "busboy"
            | "connect-busboy"
            | "fastify()"
            | "fastify"
            | "fastify.default"
    ) || ((qualified.starts_with("express.") || qualified.starts_with("body-parser"))
        && ["json", "urlencoded", "raw", "text"]
            .iter()
            .any(|kind| qualified.ends_with(kind)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Range;

    #[test]
    fn sizes_are_read_in_every_spelling() {
        let s = |t: &str| size_of(&Expr::new(ExprKind::Str(t.into()), Range::default()));
        assert_eq!(s("50mb"), Some(50.0 * 1024.0 * 1024.0));
        assert_eq!(s("1GB"), Some(1024.0 * 1024.0 * 1024.0));
        assert_eq!(s("100kb"), Some(102_400.0));
        assert_eq!(s("lots"), None);
    }
}
