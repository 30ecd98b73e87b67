//! Server and component templates (Jinja2, Django, Nunjucks, EJS, Handlebars/Mustache, Pug,
//! ERB, Vue, Svelte): where they print a value without HTML escaping. Templates are not
//! parsed into the program model; each engine's escaping-off syntax is small and fixed, so a
//! scanner over the text finds it exactly (`{{ x|safe }}`, `<%- x %>`, `{{{ x }}}`, `!{x}`,
//! `<%== x %>`, `v-html="x"`, `{@html x}`, `{% autoescape off %}`).

/// A template file of the project.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Its path, relative to the project root.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// A value printed without escaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnescapedOutput {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters) of the construct's start.
    pub column: u32,
    /// 1-based column just past the construct's end (on `line`).
    pub end_column: u32,
    /// The syntax that turned escaping off (`|safe`, `<%-`, `{{{`).
    pub construct: &'static str,
    /// The printed expression, as written.
    pub expression: String,
}

/// File extensions of templates.
const EXTENSIONS: &[&str] = &[
    ".html",
    ".htm",
    ".jinja",
    ".jinja2",
    ".j2",
    ".njk",
    ".ejs",
    ".hbs",
    ".handlebars",
    ".mustache",
    ".pug",
    ".jade",
    ".erb",
    ".vue",
    ".svelte",
];

/// Whether a path names a template file.
pub fn is_template(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Expressions whose unescaped output is the framework's own rendering, not data: a layout's
/// body, an included partial, a CSRF field.
fn is_framework_output(expression: &str) -> bool {
    let e = expression.trim();
    let head: String = e
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    matches!(
        head.as_str(),
        "body"
            | "yield"
            | "include"
            | "partial"
            | "content_for"
            | "render"
            | "csrf_token"
            | "csrf_field"
            | "csrf_input"
            | "form.hidden_tag"
            | "form.csrf_token"
            | "script"
            | "style"
            | "defineContent"
            | "block"
            | "super"
            | "stylesheet_link_tag"
            | "javascript_include_tag"
            | "csrf_meta_tags"
            | "csp_meta_tag"
            | "livereload"
    ) || e.starts_with('>')
}

/// Jinja/Django filters that make the value safe before `|safe` marks it so.
fn filters_escape(expression: &str) -> bool {
    expression
        .split('|')
        .skip(1)
        .map(|f| f.trim().split(['(', ' ']).next().unwrap_or(""))
        .any(|f| {
            matches!(
                f,
                "tojson"
                    | "escape"
                    | "e"
                    | "forceescape"
                    | "striptags"
                    | "bleach"
                    | "clean"
                    | "sanitize"
                    | "json_script"
                    | "urlencode"
            )
        })
}

/// Every unescaped output of a template.
pub fn unescaped_outputs(path: &str, text: &str) -> Vec<UnescapedOutput> {
    let lower = path.to_ascii_lowercase();
    let mut out = Vec::new();
    // Every engine's delimiters are checked in every file: `.html` is Jinja in Flask, Django in
    // Django, Handlebars or Nunjucks in Express.
    let delimited: &[(&str, &str, &'static str)] = &[
        ("{{{", "}}}", "{{{ }}} (Handlebars/Mustache triple braces)"),
        ("<%==", "%>", "<%== %> (ERB raw output)"),
        ("<%-", "%>", "<%- %> (EJS unescaped output)"),
        ("{@html", "}", "{@html} (Svelte)"),
    ];
    for (open, close, construct) in delimited {
        // ERB's `<%-` trims whitespace around code; it prints nothing.
        if *open == "<%-" && lower.ends_with(".erb") {
            continue;
        }
        for (start, expression, end) in spans(text, open, close) {
            if !is_framework_output(&expression) {
                out.push(output(text, start, end, construct, expression));
            }
        }
    }
    // `{{ x|safe }}` (Jinja, Django, Nunjucks), `<%= raw x %>` and `<%= x.html_safe %>` (ERB).
    for (start, expression, end) in spans(text, "{{", "}}") {
        if expression.starts_with('{') {
            continue;
        }
        let marked_safe = expression
            .split('|')
            .skip(1)
            .any(|f| f.trim().split(['(', ' ']).next() == Some("safe"));
        if marked_safe && !filters_escape(&expression) && !is_framework_output(&expression) {
            out.push(output(text, start, end, "|safe", expression));
        }
    }
    for (start, expression, end) in spans(text, "<%=", "%>") {
        let e = expression.trim();
        if e.starts_with('=') {
            continue;
        }
        if e.starts_with("raw ") || e.starts_with("raw(") || e.ends_with(".html_safe") {
            out.push(output(text, start, end, "raw/html_safe (ERB)", expression));
        }
    }
    // `{% autoescape off %}` (Django), `{% autoescape false %}` (Jinja).
    for (start, expression, end) in spans(text, "{%", "%}") {
        let words: Vec<&str> = expression
            .trim_matches(['-', '+', ' '])
            .split_whitespace()
            .collect();
        if words.first() == Some(&"autoescape") && matches!(words.get(1), Some(&"off" | &"false")) {
            out.push(output(
                text,
                start,
                end,
                "{% autoescape off %}",
                expression.trim().to_string(),
            ));
        }
    }
    if lower.ends_with(".pug") || lower.ends_with(".jade") {
        // `!{x}` interpolation and `p!= x` buffered code.
        for (start, expression, end) in spans(text, "!{", "}") {
            out.push(output(text, start, end, "!{} (Pug unescaped)", expression));
        }
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let tag_end = trimmed
                .find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '#' | '-' | '_')))
                .unwrap_or(trimmed.len());
            if trimmed[tag_end..].starts_with("!=") {
                let expression = trimmed[tag_end + 2..].trim().to_string();
                let start = offset + indent;
                let end = offset + line.trim_end().len();
                if !is_framework_output(&expression) {
                    out.push(output(text, start, end, "!= (Pug unescaped)", expression));
                }
            }
            offset += line.len();
        }
    }
    if lower.ends_with(".vue") || lower.ends_with(".html") {
        for (start, expression, end) in spans(text, "v-html=\"", "\"") {
            out.push(output(text, start, end, "v-html (Vue)", expression));
        }
    }
    out.sort_by_key(|o| (o.line, o.column));
    out.dedup_by_key(|o| (o.line, o.column));
    out
}

/// `(start byte, inner text, end byte)` of every `open … close` span, non-overlapping, each on
/// at most a few lines (an unclosed delimiter does not swallow the rest of the file).
fn spans(text: &str, open: &str, close: &str) -> Vec<(usize, String, usize)> {
    const MAX_SPAN: usize = 2_000;
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(open) {
        let start = from + found;
        let inner_start = start + open.len();
        let window_end = (inner_start + MAX_SPAN).min(text.len());
        let window_end = (window_end..=text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        match text[inner_start..window_end].find(close) {
            Some(length) => {
                let end = inner_start + length + close.len();
                out.push((
                    start,
                    text[inner_start..inner_start + length].to_string(),
                    end,
                ));
                from = end;
            }
            None => from = inner_start,
        }
    }
    out
}

fn output(
    text: &str,
    start: usize,
    end: usize,
    construct: &'static str,
    expression: String,
) -> UnescapedOutput {
    let (line, column) = position(text, start);
    let (end_line, end_column) = position(text, end);
    UnescapedOutput {
        line,
        column,
        end_column: if end_line == line {
            end_column
        } else {
            column + 1
        },
        construct,
        expression: expression.trim().to_string(),
    }
}

/// 1-based line and character column of a byte offset.
fn position(text: &str, byte: usize) -> (u32, u32) {
    let before = &text[..byte.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(path: &str, text: &str) -> Vec<(u32, &'static str, String)> {
        unescaped_outputs(path, text)
            .into_iter()
            .map(|o| (o.line, o.construct, o.expression))
            .collect()
    }

    #[test]
    fn each_engines_unescaped_output_is_found() {
        let jinja = "<p>{{ comment.body|safe }}</p>\n<p>{{ comment.body }}</p>\n{{ data|tojson|safe }}\n{% autoescape false %}{{ x }}{% endautoescape %}\n{{ bio | markdown | safe }}";
        assert_eq!(
            found("templates/post.html", jinja),
            [
                (1, "|safe", "comment.body|safe".to_string()),
                (4, "{% autoescape off %}", "autoescape false".to_string()),
                (5, "|safe", "bio | markdown | safe".to_string()),
            ]
        );
        let ejs = "<%- include('header') %>\n<h1><%= title %></h1>\n<div><%- post.body %></div>\n<%- body %>";
        assert_eq!(
            found("views/post.ejs", ejs),
            [(3, "<%- %> (EJS unescaped output)", "post.body".to_string())]
        );
        let hbs = "{{> header}}\n<div>{{{comment}}}</div>\n{{{body}}}\n<p>{{name}}</p>";
        assert_eq!(
            found("views/c.hbs", hbs),
            [(
                2,
                "{{{ }}} (Handlebars/Mustache triple braces)",
                "comment".to_string()
            )]
        );
        let pug = "div\n  p!= user.bio\n  p= user.name\n  span !{user.title}\n  p #{safe}";
        assert_eq!(
            found("views/u.pug", pug),
            [
                (2, "!= (Pug unescaped)", "user.bio".to_string()),
                (4, "!{} (Pug unescaped)", "user.title".to_string()),
            ]
        );
        let erb = "<%= raw @post.body %>\n<%= @post.title %>\n<%== @post.summary %>\n<%= @bio.html_safe %>";
        assert_eq!(found("app/views/p.html.erb", erb).len(), 3);
        assert_eq!(
            found(
                "src/C.vue",
                "<div v-html=\"post.body\"></div><p>{{ post.title }}</p>"
            ),
            [(1, "v-html (Vue)", "post.body".to_string())]
        );
        assert_eq!(
            found(
                "src/C.svelte",
                "<p>{@html post.body}</p><p>{post.title}</p>"
            ),
            [(1, "{@html} (Svelte)", "post.body".to_string())]
        );
    }

    #[test]
    fn escaped_outputs_and_broken_templates_are_quiet() {
        assert!(found("a.html", "<p>{{ name }}</p><p>{{ safe_name }}</p>").is_empty());
        assert!(found("a.html", "{{ unclosed|safe ").is_empty());
        assert!(found("a.html", "{% autoescape true %}{% endautoescape %}").is_empty());
        assert!(found("a.ejs", "<%= name %><%# comment %>").is_empty());
        assert!(found("a.html", "ünïcödé {{{ x").is_empty());
    }
}
