//! VG128 cross-site-scripting: request data written into HTML without escaping — by server
//! code (a string answered as HTML, a value marked safe, a template built from input), by
//! browser code (`innerHTML`, `document.write`, `dangerouslySetInnerHTML`), by templates that
//! turn escaping off (`|safe`, `<%-`, `{{{`, `!{}`, `v-html`), or by a template engine
//! configured without autoescaping.

use std::borrow::Cow;

use vibeguard_core::{
    ChecklistId, CodeFrame, Confidence, EngineId, Evidence, Finding, Location, OwaspApi, RuleDocs,
    RuleMeta, Severity, Span,
};

use super::{Applicability, CodeRule, Context, chain_root, is_response_name};
use crate::flow::label::{Kinds, Label};
use crate::flow::{Call, FlowRule, Hit, SinkArg, kind};
use crate::ir::{Expr, ExprKind, FunctionId, Module, Pattern, Prop, StmtKind};
use crate::language::Language;
use crate::project::ModuleId;
use crate::routes::Framework;

/// The rule.
#[derive(Debug)]
pub struct CrossSiteScripting;

static META: RuleMeta = RuleMeta {
    code: Cow::Borrowed("VG128"),
    name: Cow::Borrowed("cross-site-scripting"),
    engine: EngineId::Code,
    summary: Cow::Borrowed("Data written into HTML without escaping"),
    severity: Severity::High,
    confidence: Confidence::Firm,
    cwe: Cow::Borrowed(&[79]),
    owasp_api: Some(OwaspApi::Api8SecurityMisconfiguration),
    checklist: Cow::Borrowed(&[ChecklistId::Input01]),
    docs: RuleDocs {
        what: Cow::Borrowed(
            "Request data that reaches HTML unescaped on the server: Express `res.send` of a \
             string (Express answers strings as `text/html`), a Flask view returning a string \
             built from input, Django `HttpResponse`, Starlette `HTMLResponse`, aiohttp \
             `web.Response(content_type='text/html')`, `Markup(...)`, `mark_safe(...)`, and \
             `render_template_string`/`Template(...)` whose template text holds input \
             (template injection as well). In browser code: `innerHTML`/`outerHTML` \
             assignments, `document.write`, `insertAdjacentHTML`, jQuery `.html()`, React \
             `dangerouslySetInnerHTML` and Angular `bypassSecurityTrustHtml` with a value that \
             is not a constant, a number or sanitized (DOMPurify, an escape function). In \
             templates: Jinja/Django/Nunjucks `|safe` and `{% autoescape off %}`, EJS `<%-`, \
             Handlebars `{{{ }}}`, Pug `!{}` and `!=`, ERB `raw`/`html_safe`/`<%==`, Vue \
             `v-html`, Svelte `{@html}` (layouts' `body`, partials and CSRF fields excepted). \
             And a Jinja2 `Environment` created without autoescaping (its default). \
             Go: `template.HTML(x)`, `fmt.Fprintf(w, \"<p>%s</p>\", x)` and `w.Write` of markup, echo's `c.HTML`, gin's `c.Data(…, \"text/html\", …)`. \
             Koa: `ctx.body` set to markup built from the request (a string body that starts with `<`, or any after `ctx.type = 'html'`).",
        ),
        why: Cow::Borrowed(
            "Script injected into a page runs with the victim's session: it reads what they \
             see, acts as them (changes their e-mail, then their password) and steals tokens \
             kept where script can read them. A comment field or a search term is enough.",
        ),
        example_bad: Cow::Borrowed(
            "app.get('/search', (req, res) => {\n  res.send(`<h1>Results for ${req.query.q}</h1>`);\n});",
        ),
        example_fixed: Cow::Borrowed(
            "app.get('/search', (req, res) => {\n  res.render('search', { q: req.query.q }); // the template escapes it\n});",
        ),
        fix: Cow::Borrowed(
            "Render through a template engine with autoescaping on and never mark input safe; \
             in the browser set `textContent` instead of `innerHTML`; where HTML must be \
             allowed, sanitize it with DOMPurify or bleach first.",
        ),
        references: Cow::Borrowed(&[
            Cow::Borrowed("https://cwe.mitre.org/data/definitions/79.html"),
            Cow::Borrowed(
                "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
            ),
        ]),
    },
};

/// A sink whose value is HTML whatever it is.
const HTML: &str = "written into HTML";
/// A sink whose value is HTML when it is text (a response body that may be an object).
const BODY: &str = "answered as HTML";
/// The source of a template.
const TEMPLATE: &str = "template source";

impl FlowRule for CrossSiteScripting {
    fn kind(&self) -> Kinds {
        kind::XSS
    }

    fn sinks<'a>(&self, call: &Call<'a, '_>) -> Vec<SinkArg<'a>> {
        let Some(name) = call.name() else {
            return Vec::new();
        };
        let module = &call.project.modules[call.module];
        let javascript = module.language.is_javascript_family();
        let sink = |value: Option<&'a Expr>, note: &'static str| -> Vec<SinkArg<'a>> {
            value
                .filter(|v| !matches!(v.kind, ExprKind::Object(_) | ExprKind::Array(_)))
                .filter(|v| note == TEMPLATE || reflects(call.project, call.module, v, 0))
                .map(|value| SinkArg { value, note })
                .into_iter()
                .collect()
        };
        let qualified = call.qualified();
        // Rails: `x.html_safe`, `raw(x)`, `render html: x`, `render inline: x` (a template).
        if module.language.is_ruby() {
            return match name {
                "html_safe" => sink(call.receiver(), HTML),
                "raw" if call.receiver().is_none() => sink(call.arg(0), HTML),
                "render" if call.receiver().is_none() => {
                    let mut out = sink(call.option("html"), HTML);
                    out.extend(sink(call.option("inline"), TEMPLATE));
                    out
                }
                _ => Vec::new(),
            };
        }
        // Go: `template.HTML(x)` marks `x` as trusted markup for html/template; writing to the
        // response (`fmt.Fprintf(w, "<p>%s</p>", x)`, `w.Write`, `io.WriteString`) sends HTML
        // when the text is markup (Go sniffs the type from it) or the app says `text/html`;
        // echo's `c.HTML(code, x)`, gin's `c.Data(code, "text/html", x)`.
        if module.language.is_go() {
            let go = super::go_name(call);
            let says_html = module.text.contains("text/html");
            let markup = |value: Option<&Expr>| {
                value.is_some_and(|v| {
                    super::argument_text(call.project, call.module, v).contains('<')
                })
            };
            let on_context = call
                .receiver()
                .and_then(|r| r.as_name())
                .is_some_and(|n| matches!(n, "c" | "ctx" | "context"));
            return match go.as_str() {
                "template.HTML" | "template.JS" | "template.HTMLAttr" | "template.JSStr" => {
                    sink(call.arg(0), HTML)
                }
                "fmt.Fprintf" if markup(call.arg(1)) || says_html => call
                    .args
                    .iter()
                    .skip(2)
                    .flat_map(|a| sink(Some(&a.value), BODY))
                    .collect(),
                "fmt.Fprint" | "fmt.Fprintln" | "io.WriteString" => call
                    .args
                    .iter()
                    .skip(1)
                    .filter(|a| says_html || markup(Some(&a.value)))
                    .flat_map(|a| sink(Some(&a.value), BODY))
                    .collect(),
                _ => match name {
                    "Write" | "WriteString"
                        if (says_html || markup(call.arg(0)))
                            && call.receiver().is_some_and(|r| {
                                let text = module.text_of(r.range);
                                text == "w" || text.ends_with("Writer") || text.ends_with("writer")
                            }) =>
                    {
                        sink(call.arg(0), BODY)
                    }
                    "HTML" if on_context && call.args.len() == 2 => sink(call.arg(1), HTML),
                    "Data" | "Blob"
                        if on_context
                            && call
                                .arg(1)
                                .and_then(Expr::as_str)
                                .is_some_and(|t| t.contains("html")) =>
                    {
                        sink(call.arg(2), BODY)
                    }
                    "SendString" if on_context && says_html => sink(call.arg(0), BODY),
                    _ => Vec::new(),
                },
            };
        }
        if javascript {
            let root = call.receiver().and_then(chain_root);
            let on_response = root.is_some_and(is_response_name);
            let receiver_text = call.receiver().map_or("", |r| module.text_of(r.range));
            return match name {
                // Express answers a string as text/html; Fastify only when told so.
                "send"
                    if on_response && (root != Some("reply") || receiver_text.contains("html")) =>
                {
                    sink(call.arg(0), BODY)
                }
                "write" | "end" if on_response && module.text.contains("text/html") => {
                    sink(call.arg(0), BODY)
                }
                // Hono `c.html(...)`.
                "html" if matches!(root, Some("c" | "ctx" | "context")) => sink(call.arg(0), HTML),
                _ => Vec::new(),
            };
        }
        let content_type_html = |call: &Call<'a, '_>| {
            call.option("content_type")
                .or_else(|| call.option("mimetype"))
                .and_then(Expr::as_str)
                .is_none_or(|t| t.contains("html"))
        };
        // `from flask import Markup as M`: the imported name, not the alias, says what it is.
        let name = match qualified.rsplit('.').next() {
            Some(last) if !last.is_empty() && !last.ends_with(')') => last,
            _ => name,
        };
        match name {
            "Markup" if call.receiver().is_none() || qualified.contains("arkup") => {
                sink(call.arg(0), HTML)
            }
            "mark_safe" | "SafeString" | "SafeText" => sink(call.arg(0), HTML),
            "render_template_string" => sink(call.arg(0), TEMPLATE),
            "from_string" if call.receiver().is_some() => sink(call.arg(0), TEMPLATE),
            "Template" if qualified.starts_with("jinja2") || qualified.starts_with("mako") => {
                sink(call.arg(0), TEMPLATE)
            }
            "HttpResponse" if qualified.starts_with("django") && content_type_html(call) => {
                sink(call.arg(0).or_else(|| call.option("content")), BODY)
            }
            "HTMLResponse" => sink(call.arg(0).or_else(|| call.option("content")), BODY),
            "make_response" if qualified.starts_with("flask") || qualified.starts_with("quart") => {
                sink(call.arg(0), BODY)
            }
            "Response"
                if qualified.contains("aiohttp")
                    && call
                        .option("content_type")
                        .and_then(Expr::as_str)
                        .is_some_and(|t| t.contains("html")) =>
            {
                sink(call.option("text").or_else(|| call.option("body")), BODY)
            }
            _ => Vec::new(),
        }
    }

    fn accepts(&self, label: &Label, note: &'static str) -> bool {
        if label.request_part().is_none() || label.is_cleansed(kind::XSS) {
            return false;
        }
        // A whole request object answered is JSON, not HTML.
        note != BODY || label.string_built || !label.whole
    }

    fn sanitizes(&self, call: &Call<'_, '_>) -> bool {
        call.name().is_some_and(is_sanitizer)
    }
}

/// Whether a value is the input itself or text built from it — not what a call computed from
/// it (a file read from a path the client chose, a command's output, a fetched page).
fn reflects(
    project: &crate::project::Project,
    module_id: ModuleId,
    value: &Expr,
    depth: u32,
) -> bool {
    if depth > 4 {
        return false;
    }
    let module = &project.modules[module_id];
    let reflects = |e: &Expr, depth| reflects(project, module_id, e, depth);
    match &value.kind {
        ExprKind::Template { .. }
        | ExprKind::Binary { .. }
        | ExprKind::Member { .. }
        | ExprKind::Index { .. } => true,
        ExprKind::Await(inner) => reflects(inner, depth + 1),
        ExprKind::Conditional {
            consequent,
            alternate,
            ..
        } => reflects(consequent, depth + 1) || reflects(alternate, depth + 1),
        ExprKind::Name(name) => {
            let function = super::enclosing_function(module, value.range);
            match crate::scope::definition_before(module, function, name, value.range.start_byte) {
                Some(def) => reflects(def, depth + 1),
                // A named function's parameter (a route's path value) is the input; a name
                // bound otherwise — destructured from a call's result, or an anonymous
                // callback's parameter (`fs.readFile(path, (err, data) => ...)`) — is what a
                // call computed from it.
                None => module.functions.get(function).is_some_and(|f| {
                    f.name.is_some() && f.param_names().any(|p| p == Some(name.as_str()))
                }),
            }
        }
        ExprKind::Call { callee, .. } => {
            // A helper of the project (`page(title, body)`): its summary says whether the
            // input comes back out.
            if project
                .callee_function(module_id, callee, &|_| crate::project::Local::Unknown)
                .is_some()
            {
                return true;
            }
            let name = callee.method_name().or(callee.as_name()).unwrap_or("");
            // Go's conversions keep the text: `[]byte("<p>" + x + "</p>")`.
            if module.language.is_go()
                && matches!(name, "[]byte" | "string" | "template.HTML")
                && let ExprKind::Call { args, .. } = &value.kind
                && let Some(first) = args.first()
            {
                return reflects(&first.value, depth + 1);
            }
            // Go: the request's own readers (`r.FormValue("q")`, `c.Query("q")`) and string
            // helpers (`strings.TrimSpace`).
            if module.language.is_go()
                && (crate::flow::vocabulary::go_request_method(name).is_some()
                    || matches!(
                        name,
                        "Get"
                            | "TrimSpace"
                            | "Trim"
                            | "ToLower"
                            | "ToUpper"
                            | "Replace"
                            | "ReplaceAll"
                            | "Join"
                            | "Title"
                    ))
            {
                return true;
            }
            matches!(
                name,
                "get"
                    | "getlist"
                    | "format"
                    | "join"
                    | "replace"
                    | "trim"
                    | "strip"
                    | "lower"
                    | "upper"
                    | "toLowerCase"
                    | "toUpperCase"
                    | "toString"
                    | "str"
                    | "String"
                    | "concat"
                    | "slice"
                    | "substring"
                    | "substr"
                    | "param"
                    | "Markup"
                    | "mark_safe"
            )
        }
        _ => false,
    }
}

/// Functions that escape or sanitize HTML: `escape`, `html.escape`, `escapeHtml`,
/// `DOMPurify.sanitize`, `sanitizeHtml`, `bleach.clean`, `xss`, `he.encode`.
fn is_sanitizer(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "escape",
        "sanitiz",
        "purif",
        "xss",
        "clean",
        "encode",
        "striptags",
        "strip_tags",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Names whose values are numbers or ids: safe in HTML.
fn is_numeric_name(name: &str) -> bool {
    let words = crate::naming::words(name);
    words.last().is_some_and(|last| {
        matches!(
            last.as_str(),
            "count"
                | "total"
                | "length"
                | "size"
                | "index"
                | "idx"
                | "i"
                | "j"
                | "n"
                | "num"
                | "number"
                | "id"
                | "price"
                | "amount"
                | "qty"
                | "quantity"
                | "age"
                | "year"
                | "page"
                | "pages"
                | "score"
                | "percent"
                | "percentage"
                | "ms"
                | "seconds"
                | "minutes"
                | "hours"
                | "days"
                | "width"
                | "height"
                | "progress"
                | "step"
                | "level"
                | "rating"
                | "max"
                | "min"
                | "remaining"
                | "elapsed"
        )
    }) || (name.len() > 1
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
}

/// Whether a value put into the DOM as HTML may carry markup someone else wrote: anything but
/// constants, numbers, translations and sanitizer output.
fn unsafe_html(module: &Module, function: FunctionId, value: &Expr, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    let again = |e: &Expr| unsafe_html(module, function, e, depth + 1);
    match &value.kind {
        ExprKind::Str(_) | ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Null => false,
        ExprKind::Template { exprs, .. } => exprs.iter().any(again),
        ExprKind::Binary { op, left, right } => {
            matches!(*op, "+" | "||" | "??" | "&&") && (again(left) || again(right))
        }
        ExprKind::Conditional {
            consequent,
            alternate,
            ..
        } => again(consequent) || again(alternate),
        ExprKind::Await(inner) => again(inner),
        ExprKind::Name(name) => {
            if is_numeric_name(name) {
                return false;
            }
            match crate::scope::definition_before(module, function, name, value.range.start_byte) {
                Some(def) => again(def),
                // A promise callback's value (`.then((html) => el.innerHTML = html)`) is most
                // often an HTML fragment the app's own server rendered, escaped; a named
                // function's parameter (a component's `html` prop) is anyone's.
                None => !module.functions.get(function).is_some_and(|f| {
                    f.name.is_none() && f.param_names().any(|p| p == Some(name.as_str()))
                }),
            }
        }
        ExprKind::Member { property, .. } => !is_numeric_name(property),
        ExprKind::Index { .. } => true,
        ExprKind::Call { callee, args, .. } => {
            let name = callee.method_name().or(callee.as_name()).unwrap_or("");
            if is_sanitizer(name) {
                return false;
            }
            match name {
                // Translations and number formatting.
                "t" | "$t" | "translate" | "formatMessage" | "toFixed" | "toLocaleString"
                | "toLocaleDateString" | "toLocaleTimeString" | "toISOString" | "Number"
                | "parseInt" | "parseFloat" | "format" => false,
                "String" | "trim" | "toString" => match (args.first(), &callee.kind) {
                    (Some(arg), _) => again(&arg.value),
                    (None, ExprKind::Member { object, .. }) => again(object),
                    _ => true,
                },
                // `items.map(i => `<li>${i.name}</li>`).join('')`
                "join" => match &callee.kind {
                    ExprKind::Member { object, .. } => again(object),
                    _ => true,
                },
                "map" => args.first().is_some_and(|a| match &a.value.kind {
                    ExprKind::Function(id) => returns_unsafe(module, *id, depth + 1),
                    _ => true,
                }),
                _ => true,
            }
        }
        _ => false,
    }
}

/// Whether a callback returns markup built from something other than constants.
fn returns_unsafe(module: &Module, function: FunctionId, depth: u32) -> bool {
    let mut found = false;
    if let Some(f) = module.functions.get(function) {
        f.walk_stmts(&mut |stmt| {
            if let StmtKind::Return(Some(value)) = &stmt.kind
                && unsafe_html(module, function, value, depth)
            {
                found = true;
            }
        });
    }
    found
}

/// DOM properties and calls that parse HTML.
fn is_html_property(property: &str) -> bool {
    matches!(property, "innerHTML" | "outerHTML")
}

impl CodeRule for CrossSiteScripting {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn also_reads(&self) -> &'static [Language] {
        &[Language::Ruby, Language::Go]
    }

    fn reads_templates(&self) -> bool {
        true
    }

    fn flow(&self) -> Option<&dyn FlowRule> {
        Some(self)
    }

    fn check(&self, cx: &Context<'_>, hits: &[&Hit], out: &mut Vec<Finding>) -> Applicability {
        super::report_flows(cx, &META, hits, out, |hit, source| match hit.note {
            TEMPLATE => format!(
                "{source} becomes template source: it can inject HTML and template code (which \
                 runs on the server); pass it as a variable instead"
            ),
            _ => format!(
                "{source} is written into HTML unescaped: escape it or render it through a template"
            ),
        });
        flask_views_returning_input(cx, out);
        koa_html_bodies(cx, out);
        for module_id in 0..cx.project.modules.len() {
            let module = cx.module(module_id);
            if module.language.is_javascript_family() {
                browser_sinks(cx, module_id, out);
            } else {
                template_configuration(cx, module_id, out);
            }
        }
        for template in &cx.templates {
            for output in crate::templates::unescaped_outputs(&template.path, &template.text) {
                let span = Span {
                    start_line: output.line,
                    start_column: output.column,
                    end_line: output.line,
                    end_column: output.end_column,
                };
                let message = if output.construct.contains("autoescape") {
                    "autoescaping is turned off for this block: every value in it is printed as raw HTML"
                        .to_string()
                } else {
                    format!(
                        "`{}` is printed without escaping ({}): HTML in it runs in the page",
                        cut(&output.expression, 60),
                        output.construct
                    )
                };
                let identity: String = output
                    .expression
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                out.push(
                    Finding::new(
                        &META,
                        Location::Source {
                            path: template.path.clone(),
                            span: Some(span),
                        },
                        message,
                        format!("{}|{identity}", output.construct),
                    )
                    .with_evidence(Evidence::Code(CodeFrame::excerpt(
                        &template.path,
                        &template.text,
                        span,
                        2,
                    ))),
                );
            }
        }
        super::flow_applicability(cx, ChecklistId::Input01)
    }
}

/// Code quoted for a message: on one line, cut, in backticks unless it holds one.
fn quoted(code: &str) -> String {
    let line = cut(&code.split_whitespace().collect::<Vec<_>>().join(" "), 60);
    if line.contains('`') {
        format!("'{line}'")
    } else {
        format!("`{line}`")
    }
}

fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(limit - 3).collect();
        cut.push_str("...");
        cut
    }
}

/// Koa answers a string body that starts with `<` (or any body after `ctx.type = 'html'`) as
/// HTML: `ctx.body = \`<h1>${ctx.query.name}</h1>\`` reflects the request.
fn koa_html_bodies(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (module_id, module) in cx.project.modules.iter().enumerate() {
        if !module.language.is_javascript_family() || !module.text.contains("ctx.body") {
            continue;
        }
        for (function_id, function) in module.functions.iter().enumerate() {
            let function_text = module.text_of(function.range);
            let typed_html = function_text.contains("type = 'html'")
                || function_text.contains("type = \"html\"")
                || function_text.contains("type = 'text/html'");
            cx.index.stmts(module_id, function_id, &mut |stmt| {
                let StmtKind::Assign {
                    target: crate::ir::Pattern::Target(target),
                    value,
                    ..
                } = &stmt.kind
                else {
                    return;
                };
                if !matches!(
                    target.member_path().as_deref(),
                    Some(["ctx" | "this", "body"])
                ) {
                    return;
                }
                let markup = match &value.kind {
                    ExprKind::Template { quasis, .. } => quasis
                        .first()
                        .is_some_and(|q| q.trim_start().starts_with('<')),
                    ExprKind::Binary { op: "+", .. } => {
                        let mut leftmost = value;
                        while let ExprKind::Binary { op: "+", left, .. } = &leftmost.kind {
                            leftmost = left;
                        }
                        leftmost
                            .as_str()
                            .is_some_and(|t| t.trim_start().starts_with('<'))
                    }
                    _ => false,
                };
                if (markup || typed_html) && koa_reads_request(module, function_id, value, 0) {
                    out.push(cx.finding(
                        &META,
                        module_id,
                        stmt.range,
                        "HTML body built from the request: markup in it runs in the page",
                        "koa-body",
                    ));
                }
            });
        }
    }
}

/// Whether a Koa value reads the request (`ctx.query`, `ctx.params`, `ctx.request.body`,
/// `ctx.get(...)`), directly or through locals, unescaped.
fn koa_reads_request(module: &Module, function: FunctionId, value: &Expr, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    // What an escaping call wraps is safe.
    let mut escaped: Vec<crate::ir::Range> = Vec::new();
    value.walk(&mut |e| {
        if let Some((callee, _, _)) = e.as_call()
            && callee
                .method_name()
                .or(callee.as_name())
                .is_some_and(is_sanitizer)
        {
            escaped.push(e.range);
        }
    });
    let mut found = false;
    value.walk(&mut |e| {
        if found || escaped.iter().any(|r| r.contains(&e.range)) {
            return;
        }
        if let Some(path) = e.member_path()
            && path.len() >= 2
            && path[0] == "ctx"
            && matches!(
                path[1],
                "query" | "params" | "request" | "cookies" | "headers" | "querystring"
            )
        {
            found = true;
        }
        if let ExprKind::Name(name) = &e.kind
            && let Some(def) =
                crate::scope::definition_before(module, function, name, e.range.start_byte)
            && koa_reads_request(module, function, def, depth + 1)
        {
            found = true;
        }
    });
    found
}

/// Flask and Bottle answer a returned string as `text/html`: a view returning a string built
/// from input is a reflection.
fn flask_views_returning_input(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    for route in &cx.routes.routes {
        let Some(handler) = route.handler else {
            continue;
        };
        if !matches!(route.framework, Framework::Flask | Framework::Bottle) || !seen.insert(handler)
        {
            continue;
        }
        let Some(summary) = cx.flow.summaries.get(&handler) else {
            continue;
        };
        for label in summary.returns.iter() {
            if label.request_part().is_none() || label.is_cleansed(kind::XSS) || !label.string_built
            {
                continue;
            }
            let Some(step) = label.trace.steps().last() else {
                continue;
            };
            if step.note.as_ref() != "returned"
                || step.module != handler.0
                || !returns_built_string(cx.module(handler.0), handler.1, step.range)
            {
                continue;
            }
            let hit = Hit {
                rule: 0,
                label: label.clone(),
                module: step.module,
                range: step.range,
                note: BODY,
            };
            let source = super::describe_source(cx, &hit);
            let finding = cx.flow_finding(
                &META,
                &hit,
                format!(
                    "The view returns a string built from {source}; Flask answers it as HTML, \
                     unescaped: render a template or escape it"
                ),
            );
            if !out.iter().any(|f| f.fingerprint == finding.fingerprint) {
                out.push(finding);
            }
        }
    }
}

/// Whether the `return` at `at` returns a string it builds (an f-string, `+`, `%`,
/// `.format`), alone or as a `(body, status)` tuple: a dict is JSON, a call's result is the
/// callee's to judge.
fn returns_built_string(module: &Module, function: FunctionId, at: crate::ir::Range) -> bool {
    fn built(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Template { .. } => true,
            ExprKind::Binary { op, .. } => matches!(*op, "+" | "%"),
            ExprKind::Call { callee, .. } => {
                matches!(callee.method_name(), Some("format" | "join"))
            }
            ExprKind::Array(items) => items.first().is_some_and(built),
            _ => false,
        }
    }
    let mut found = false;
    if let Some(f) = module.functions.get(function) {
        f.walk_stmts(&mut |stmt| {
            if stmt.range == at
                && let StmtKind::Return(Some(value)) = &stmt.kind
            {
                found = built(value);
            }
        });
    }
    found
}

/// `el.innerHTML = …`, `document.write(…)`, `insertAdjacentHTML`, jQuery `.html(…)`,
/// `dangerouslySetInnerHTML={{ __html: … }}`, `bypassSecurityTrustHtml(…)`.
fn browser_sinks(cx: &Context<'_>, module_id: ModuleId, out: &mut Vec<Finding>) {
    let module = cx.module(module_id);
    let mut report = |function: FunctionId, value: &Expr, at: crate::ir::Range, what: &str| {
        if unsafe_html(module, function, value, 0) {
            out.push(cx.finding(
                &META,
                module_id,
                at,
                format!(
                    "{} goes into {what} unescaped: markup in it runs as script; use \
                     textContent, or sanitize it (DOMPurify)",
                    quoted(module.text_of(value.range))
                ),
                what,
            ));
        }
    };
    for (function_id, function) in module.functions.iter().enumerate() {
        function.walk_stmts(&mut |stmt| {
            if let StmtKind::Assign { target, value, .. } = &stmt.kind
                && let Pattern::Target(target) = target
                && let ExprKind::Member { property, .. } = &target.kind
                && is_html_property(property)
            {
                report(function_id, value, stmt.range, property);
            }
        });
        function.walk_exprs(&mut |e| match &e.kind {
            ExprKind::Assign { target, value } => {
                if let Pattern::Target(target) = target.as_ref()
                    && let ExprKind::Member { property, .. } = &target.kind
                    && is_html_property(property)
                {
                    report(function_id, value, e.range, property);
                }
            }
            ExprKind::Object(props) => {
                for prop in props {
                    if let Prop::Pair { key, value } = prop
                        && key.name() == Some("__html")
                    {
                        report(function_id, value, e.range, "dangerouslySetInnerHTML");
                    }
                }
            }
            ExprKind::Call { callee, args, .. } => {
                let path = callee.member_path().unwrap_or_default();
                let method = callee.method_name().or(callee.as_name()).unwrap_or("");
                let value = |index: usize| args.get(index).map(|a| &a.value);
                let (what, argument) = match method {
                    "write" | "writeln" if path.first() == Some(&"document") => {
                        ("document.write", value(0))
                    }
                    "insertAdjacentHTML" => ("insertAdjacentHTML", value(1)),
                    "createContextualFragment" => ("createContextualFragment", value(0)),
                    "bypassSecurityTrustHtml" => ("bypassSecurityTrustHtml", value(0)),
                    "html"
                        if match &callee.kind {
                            ExprKind::Member { object, .. } => chain_root(object),
                            _ => None,
                        }
                        .is_some_and(|root| root == "jQuery" || root.starts_with('$')) =>
                    {
                        ("jQuery .html()", value(0))
                    }
                    _ => return,
                };
                if let Some(argument) = argument {
                    report(function_id, argument, e.range, what);
                }
            }
            _ => {}
        });
    }
}

/// A Jinja2 environment without autoescaping (its default), or autoescaping turned off in
/// Flask or aiohttp-jinja2.
fn template_configuration(cx: &Context<'_>, module_id: ModuleId, out: &mut Vec<Finding>) {
    let module = cx.module(module_id);
    for function_id in 0..module.functions.len() {
        cx.index.calls(module_id, function_id, &mut |e| {
            let Some((callee, args, _)) = e.as_call() else {
                return;
            };
            let qualified = cx.index.qualified(module_id, callee);
            let autoescape = Expr::option(args, "autoescape");
            let off = autoescape.is_some_and(|v| matches!(v.kind, ExprKind::Bool(false)));
            let message = if qualified == "jinja2.Environment" && (autoescape.is_none() || off) {
                Some(
                    "Jinja2 Environment without autoescape (off by default): every {{ value }} \
                     is printed as raw HTML; pass autoescape=select_autoescape()",
                )
            } else if qualified.starts_with("aiohttp_jinja2") && off {
                Some("aiohttp_jinja2 set up with autoescape=False: templates print raw HTML")
            } else {
                None
            };
            if let Some(message) = message {
                out.push(cx.finding(&META, module_id, e.range, message, "autoescape"));
            }
        });
        cx.index.stmts(module_id, function_id, &mut |stmt| {
            if let StmtKind::Assign { target, value, .. } = &stmt.kind
                && matches!(value.kind, ExprKind::Bool(false))
                && let Pattern::Target(target) = target
                && let ExprKind::Member { object, property } = &target.kind
                && property == "autoescape"
                && object
                    .member_path()
                    .is_some_and(|p| p.last() == Some(&"jinja_env"))
            {
                out.push(cx.finding(
                    &META,
                    module_id,
                    stmt.range,
                    "Flask's autoescaping turned off: templates print raw HTML",
                    "autoescape",
                ));
            }
        });
    }
}
