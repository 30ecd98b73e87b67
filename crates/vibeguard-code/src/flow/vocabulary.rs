//! What the analysis knows of common APIs without reading them: which parts of a request
//! object are client data, which calls sanitize, which return something new, and which checks
//! in an `if` make a value safe.

use super::kind;
use super::label::{Kinds, RequestPart};
use crate::ir::{Expr, ExprKind};

/// Parameter names that hold a request object in JavaScript handlers.
pub const JS_REQUEST_PARAMS: &[&str] = &["req", "request", "ctx", "context"];

/// Python frameworks whose request is a module-level object (`flask.request`).
pub const REQUEST_MODULES: &[&str] = &["flask", "quart", "bottle", "sanic"];

/// Python parameter names that hold a request object: `request`, `req`, `http_request`,
/// `flask_request`, `current_request`…
pub fn is_python_request_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "req" | "rq" | "request" | "httprequest")
        || lower.strip_suffix("_request").is_some_and(|prefix| {
            matches!(
                prefix,
                "http"
                    | "flask"
                    | "django"
                    | "current"
                    | "incoming"
                    | "web"
                    | "api"
                    | "wsgi"
                    | "asgi"
                    | "raw"
                    | "original"
                    | "the"
            )
        })
}

/// Whether a name reads like a request object in the language (`request`, `req`, `ctx`…).
pub fn looks_like_request(name: &str, python: bool) -> bool {
    if python {
        is_python_request_name(name)
    } else {
        JS_REQUEST_PARAMS.contains(&name)
    }
}

/// Attributes only a Django request has: whatever a parameter is called, reading these from it
/// says it is one (`def search_term(r): return r.GET.get("q")`).
const DJANGO_REQUEST_ATTRIBUTES: &[&str] = &["GET", "POST", "COOKIES", "FILES", "META"];

/// The names function `function` reads `.GET`, `.POST`, `.COOKIES`, `.FILES` or `.META` from
/// (one walk of its body, whatever its number of parameters).
pub fn django_request_names(function: &crate::ir::Function) -> Vec<&str> {
    let mut names = Vec::new();
    function.walk_exprs(&mut |expr| {
        if let ExprKind::Member { object, property } = &expr.kind
            && DJANGO_REQUEST_ATTRIBUTES.contains(&property.as_str())
            && let Some(name) = object.as_name()
            && !names.contains(&name)
        {
            names.push(name);
        }
    });
    names
}

/// Type annotations that mark a request object.
pub const REQUEST_TYPES: &[&str] = &[
    "Request",
    "NextRequest",
    "NextApiRequest",
    "FastifyRequest",
    "express.Request",
    "HttpRequest",
    "Context",
];

/// The request part a property of a request object holds (`req.body`, `request.args`).
pub fn request_property(property: &str, python: bool) -> Option<RequestPart> {
    let part = if python {
        match property {
            // Bottle and aiohttp spell the query `query`, Bottle the form `forms` and both
            // `params`.
            "args" | "GET" | "query_params" | "query_string" | "query" | "params" => {
                RequestPart::Query
            }
            "form" | "forms" | "values" | "json" | "data" | "POST" | "body" | "stream" => {
                RequestPart::Body
            }
            "files" | "FILES" => RequestPart::Files,
            "cookies" | "COOKIES" => RequestPart::Cookies,
            "headers" | "META" | "environ" | "host" => RequestPart::Headers,
            "view_args" | "path_params" | "match_info" | "kwargs" => RequestPart::Params,
            "path" | "full_path" | "url" | "base_url" | "url_root" | "path_info" | "referrer" => {
                RequestPart::Url
            }
            _ => return None,
        }
    } else {
        match property {
            "body" | "rawBody" | "fields" => RequestPart::Body,
            "query" | "searchParams" | "querystring" => RequestPart::Query,
            "params" => RequestPart::Params,
            "headers" | "hostname" | "host" => RequestPart::Headers,
            "cookies" | "signedCookies" => RequestPart::Cookies,
            "file" | "files" => RequestPart::Files,
            "url" | "originalUrl" | "path" | "baseUrl" | "href" | "nextUrl" | "search" => {
                RequestPart::Url
            }
            _ => return None,
        }
    };
    Some(part)
}

/// The request part a method of a request object returns (`req.get('X')`, `request.json()`).
pub fn request_method(method: &str, python: bool) -> Option<RequestPart> {
    let part = if python {
        match method {
            // aiohttp's `await request.post()`, Starlette's `await request.body()`.
            "get_json" | "get_data" | "json" | "form" | "body" | "post" | "text" | "read" => {
                RequestPart::Body
            }
            _ => return None,
        }
    } else {
        match method {
            "get" | "header" => RequestPart::Headers,
            "param" => RequestPart::Params,
            // Hono: `c.req.query('q')`, `c.req.queries('tag')`, `await c.req.parseBody()`.
            "query" | "queries" => RequestPart::Query,
            "json" | "formData" | "text" | "arrayBuffer" | "blob" | "parseBody" => {
                RequestPart::Body
            }
            _ => return None,
        }
    };
    Some(part)
}

/// The request data a bare Ruby name stands for in a Rails controller (`params[:id]`,
/// `cookies[:remember]`).
pub fn ruby_request_name(name: &str) -> Option<RequestPart> {
    match name {
        // A service object keeps the parameters it was given (`@params = params`).
        "params" | "@params" => Some(RequestPart::Parameters),
        "cookies" => Some(RequestPart::Cookies),
        _ => None,
    }
}

/// The request part a method of Rails' `request` returns (`request.body.read`,
/// `request.headers["X"]`, `request.query_parameters`).
pub fn ruby_request_part(method: &str) -> Option<RequestPart> {
    let part = match method {
        "params" | "parameters" => RequestPart::Parameters,
        "query_parameters" | "GET" | "query_string" => RequestPart::Query,
        "request_parameters" | "POST" | "body" | "raw_post" => RequestPart::Body,
        "headers" | "env" | "user_agent" | "referer" | "referrer" | "host" | "authorization" => {
            RequestPart::Headers
        }
        "cookies" | "cookie_jar" => RequestPart::Cookies,
        "path_parameters" => RequestPart::Params,
        "path" | "url" | "fullpath" | "original_url" | "original_fullpath" | "query" => {
            RequestPart::Url
        }
        _ => return None,
    };
    Some(part)
}

/// Whether a Go parameter type is a request: net/http's `*http.Request`, gin's `*gin.Context`,
/// echo's `echo.Context`, fiber's `*fiber.Ctx`, fasthttp's `*fasthttp.RequestCtx`.
pub fn is_go_request_type(annotation: &str) -> bool {
    let name = annotation.trim_start_matches('*');
    let name = name.rsplit('.').next().unwrap_or(name);
    let package = annotation
        .trim_start_matches('*')
        .rsplit_once('.')
        .map_or("", |(package, _)| package);
    matches!(
        (package, name),
        ("http", "Request")
            | ("gin", "Context")
            | ("echo", "Context")
            | ("fiber", "Ctx")
            | ("fasthttp", "RequestCtx")
    )
}

/// The request part a field of a Go request holds: net/http's `r.Form`, `r.Body`, `r.Header`,
/// `r.URL`; after `r.URL`, `Query`/`RawQuery` are the query and `Path` the URL.
pub fn go_request_field(after: &[&str], field: &str) -> Option<RequestPart> {
    let part = match (after, field) {
        ([], "Body" | "Form" | "PostForm" | "MultipartForm") => RequestPart::Body,
        ([], "Header" | "Host" | "Referer" | "UserAgent") => RequestPart::Headers,
        ([], "URL" | "RequestURI") => RequestPart::Url,
        (["URL"], "Query" | "RawQuery") => RequestPart::Query,
        (["URL"], "Path" | "RawPath" | "String") => RequestPart::Url,
        _ => return None,
    };
    Some(part)
}

/// The request part a method of a Go request or framework context returns: net/http's
/// `r.FormValue`, gin's `c.Query`/`c.Param`/`c.ShouldBindJSON`, echo's `c.QueryParam`/`c.Bind`,
/// fiber's `c.Params`/`c.BodyParser`. `Get` is absent: gin's and echo's read values the
/// app's middleware stored, fiber's a header.
pub fn go_request_method(method: &str) -> Option<RequestPart> {
    let part = match method {
        "Query" | "DefaultQuery" | "QueryArray" | "QueryMap" | "GetQuery" | "GetQueryArray"
        | "QueryParam" | "QueryParams" | "QueryString" | "Queries" | "QueryParser"
        | "ShouldBindQuery" | "BindQuery" => RequestPart::Query,
        "Param" | "Params" | "PathValue" | "ParamValues" | "AllParams" | "ParamsParser"
        | "ShouldBindUri" | "BindUri" | "UserValue" => RequestPart::Params,
        "FormValue" | "PostFormValue" | "PostForm" | "DefaultPostForm" | "PostFormArray"
        | "GetPostForm" | "PostFormMap" | "FormParams" | "Bind" | "BindJSON" | "ShouldBind"
        | "ShouldBindJSON" | "ShouldBindWith" | "ShouldBindBodyWith" | "ShouldBindXML"
        | "BindXML" | "MustBindWith" | "BodyParser" | "Body" | "BodyRaw" | "GetRawData"
        | "PostBody" | "MultipartForm" | "ParseMultipartForm" => RequestPart::Body,
        "FormFile" => RequestPart::Files,
        "GetHeader" | "UserAgent" | "Referer" | "Hostname" | "RealIP" | "ClientIP"
        | "GetReqHeaders" => RequestPart::Headers,
        "Cookie" | "Cookies" => RequestPart::Cookies,
        "OriginalURL" | "Path" | "RequestURI" => RequestPart::Url,
        _ => return None,
    };
    Some(part)
}

/// Go functions that read a request given to them: chi's `chi.URLParam(r, "id")`, gorilla's
/// `mux.Vars(r)`, httprouter's params.
pub fn go_request_function(qualified: &str) -> Option<RequestPart> {
    let name = qualified.rsplit('/').next().unwrap_or(qualified);
    matches!(
        name,
        "chi.URLParam" | "chi.URLParamFromCtx" | "mux.Vars" | "httprouter.ParamsFromContext"
    )
    .then_some(RequestPart::Params)
}

/// Go's decoders and readers: what they return is the request data itself, whole (a body
/// decoded into a struct or map is the body).
pub fn go_keeps_whole(method: &str) -> bool {
    matches!(
        method,
        "NewDecoder" | "Decode" | "Unmarshal" | "ReadAll" | "NewReader" | "Bytes"
    )
}

/// Calls whose result is a number, a boolean or a fixed-format value: safe for every kind.
pub fn is_converting(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    matches!(
        last,
        "parseInt"
            | "parseFloat"
            | "Number"
            | "Boolean"
            | "int"
            | "float"
            | "bool"
            | "len"
            | "isinstance"
            | "isNaN"
            | "isInteger"
            | "isSafeInteger"
            | "ObjectId"
            | "UUID"
            | "uuid4"
            | "Decimal"
            | "BigInt"
            | "toFixed"
            | "encodeURIComponent"
            | "quote_plus"
            | "escape"
            | "escapeId"
            | "escape_string"
            | "escapeLiteral"
            | "escapeIdentifier"
            | "literal"
            // Go: `strconv.Atoi(c.Param("id"))`, numeric conversions.
            | "Atoi"
            | "ParseInt"
            | "ParseUint"
            | "ParseFloat"
            | "ParseBool"
            | "Itoa"
            | "FormatInt"
            | "int64"
            | "int32"
            | "uint"
            | "uint64"
            | "uint32"
            | "float64"
            | "QueryEscape"
            | "PathEscape"
    ) || name.ends_with("Types.ObjectId")
}

/// Calls whose result is new data that does not carry its arguments (hashes, responses,
/// booleans, lengths, logging). Without this, `bcrypt.hash(req.body.password)` would taint
/// whatever stores the hash.
pub fn is_opaque(name: &str, method: Option<&str>) -> bool {
    let last = method.unwrap_or_else(|| name.rsplit('.').next().unwrap_or(name));
    matches!(
        last,
        "hash"
            | "hashSync"
            | "compare"
            | "compareSync"
            | "digest"
            | "hexdigest"
            | "hashpw"
            | "checkpw"
            | "check_password_hash"
            | "generate_password_hash"
            | "verify"
            | "sign"
            | "encode"
            | "randomBytes"
            | "randomUUID"
            | "status"
            | "json"
            | "send"
            | "jsonify"
            | "render"
            | "render_template"
            | "redirect"
            | "sendStatus"
            | "end"
            | "log"
            | "info"
            | "warn"
            | "error"
            | "debug"
            | "exists"
            | "existsSync"
            | "includes"
            | "startsWith"
            | "endsWith"
            | "startswith"
            | "endswith"
            | "test"
            | "isdigit"
            | "isValid"
            | "count"
            | "countDocuments"
            | "typeof"
            | "length"
            | "save"
            | "commit"
            | "next"
    ) || name == "len"
}

/// Methods that keep a database record whole (`rows[0]` is handled as an index).
pub fn keeps_record(method: &str) -> bool {
    matches!(
        method,
        // Go: `row.Scan(&u.ID, &u.Password)` copies the row into its arguments.
        "Scan"
            | "toJSON"
            | "toObject"
            | "get"
            | "lean"
            | "exec"
            | "then"
            | "first"
            | "one"
            | "one_or_none"
            | "all"
            | "scalar"
            | "scalar_one"
            | "scalar_one_or_none"
            | "scalars"
            | "fetchone"
            | "fetchall"
            | "fetchmany"
            | "populate"
            | "sort"
            | "order_by"
            | "limit"
            | "skip"
            | "offset"
            | "where"
            | "filter"
            | "filter_by"
            | "to_dict"
            | "as_dict"
            | "dict"
            | "model_dump"
            | "serialize"
            | "_asdict"
            | "unique"
            | "execute"
            | "value"
            | "values"
    )
}

/// Properties that keep a database record whole (`result.rows`, `user.dataValues`).
pub fn keeps_record_property(property: &str) -> bool {
    matches!(
        property,
        "rows" | "dataValues" | "_doc" | "recordset" | "__dict__" | "data" | "Item" | "Items"
    )
}

/// Free functions that turn a record into a plain mapping, keeping every field.
pub fn record_to_mapping(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    matches!(
        last,
        "vars" | "dict" | "model_to_dict" | "jsonable_encoder" | "asdict" | "to_dict" | "stringify"
    )
}

/// Calls whose result is a string rendering of their argument: an attacker can no longer
/// shape it into an object.
pub fn is_stringifying(name: &str) -> bool {
    matches!(
        name.rsplit('.').next().unwrap_or(name),
        "String"
            | "str"
            | "toString"
            | "repr"
            | "toLowerCase"
            | "toUpperCase"
            | "trim"
            | "lower"
            | "upper"
            | "strip"
    )
}

/// Array methods whose callback receives the elements.
pub fn is_iteration(method: &str) -> bool {
    matches!(
        method,
        "map"
            | "forEach"
            | "filter"
            | "reduce"
            | "some"
            | "every"
            | "find"
            | "flatMap"
            | "findIndex"
    )
}

/// Methods that add their arguments to their receiver (`params.push(x)`, `d.update(x)`).
pub fn is_mutator(method: &str) -> bool {
    matches!(
        method,
        "push"
            | "unshift"
            | "append"
            | "extend"
            | "add"
            | "update"
            | "insert"
            | "set"
            | "concat"
            // Go's `strings.Builder` and `bytes.Buffer`.
            | "WriteString"
            | "WriteRune"
            | "WriteByte"
    )
}

/// Methods of a request container that keep it whole (`request.form.to_dict()`).
pub fn keeps_whole(method: &str) -> bool {
    matches!(
        method,
        "to_dict" | "dict" | "copy" | "model_dump" | "toObject"
    )
}

/// Calls that end the handler (`abort(403)` raises).
pub fn terminates(name: &str) -> bool {
    matches!(
        name.rsplit('.').next().unwrap_or(name),
        "abort" | "exit" | "raise_for_status"
    )
}

/// Sanitizers that are guards: `ALLOWED.includes(x)`, `x in ALLOWED`, `x === 'a'`,
/// `re.fullmatch(p, x)`, `isValidObjectId(x)`, `x.startsWith(BASE)`, `new URL(x).host === H`.
/// Returns the checked expression and the kinds made safe when the check holds.
pub fn guard(test: &Expr) -> Vec<(&Expr, Kinds)> {
    let mut out = Vec::new();
    match &test.kind {
        ExprKind::Binary { op, left, right } => match *op {
            "===" | "==" => {
                if is_typeof(left) || is_typeof(right) {
                    let operand = if is_typeof(left) { left } else { right };
                    if let ExprKind::Unary { operand, .. } = &operand.kind {
                        out.push((checked(operand), kind::NOSQL | kind::MASS_ASSIGNMENT));
                    }
                } else if is_constant(right) {
                    out.push((checked(left), kind::ALL));
                    out.extend(host_of(left));
                } else if is_constant(left) {
                    out.push((checked(right), kind::ALL));
                    out.extend(host_of(right));
                }
            }
            "in" => {
                out.push((checked(left), kind::ALL));
                out.extend(host_of(left));
            }
            "!==" | "!=" | ">" | ">=" => {
                // `ALLOWED.indexOf(x) !== -1`
                if let Some((_, args, _)) = left.as_call()
                    && left.method_name() == Some("indexOf")
                    && let Some(arg) = args.first()
                {
                    out.push((checked(&arg.value), kind::ALL));
                }
            }
            _ => {}
        },
        ExprKind::Call { callee, args, .. } => {
            let method = callee.method_name();
            let name = callee
                .member_path()
                .map(|p| p.join("."))
                .unwrap_or_default();
            let last = method.unwrap_or(name.as_str());
            match last {
                // Ruby: `ALLOWED.include?(x)`, `member?`, `key?`.
                "includes" | "has" | "contains" | "__contains__" | "include?" | "member?"
                | "key?" | "has_key?" => {
                    if let Some(arg) = args.first() {
                        out.push((checked(&arg.value), kind::ALL));
                        out.extend(host_of(&arg.value));
                    }
                }
                "test" if method.is_some() => {
                    if let Some(arg) = args.first() {
                        out.push((checked(&arg.value), kind::ALL));
                    }
                }
                "match" | "fullmatch" | "search" if args.len() >= 2 => {
                    out.push((checked(&args[1].value), kind::ALL));
                }
                "startsWith" | "startswith" => {
                    if let ExprKind::Member { object, .. } = &callee.kind {
                        out.push((checked(object), kind::PATH | kind::REDIRECT | kind::SSRF));
                    }
                }
                "isdigit" | "isnumeric" | "isdecimal" | "isalnum" | "isalpha" | "isidentifier" => {
                    if let ExprKind::Member { object, .. } = &callee.kind {
                        out.push((checked(object), kind::ALL));
                    }
                }
                "url_has_allowed_host_and_scheme"
                | "is_safe_url"
                | "isSafeUrl"
                | "isSafeRedirect" => {
                    if let Some(arg) = args.first() {
                        out.push((checked(&arg.value), kind::REDIRECT | kind::SSRF));
                    }
                }
                "isinstance" if args.len() == 2 => {
                    out.push((checked(&args[0].value), kind::NOSQL | kind::MASS_ASSIGNMENT));
                }
                _ if is_validator(last) => {
                    if let Some(arg) = args.first() {
                        out.push((checked(&arg.value), kind::ALL));
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
    out
}

/// Validation functions whose truth means the value has a fixed, harmless format.
fn is_validator(name: &str) -> bool {
    matches!(
        name,
        "isValidObjectId"
            | "isValid"
            | "isInteger"
            | "isSafeInteger"
            | "isUUID"
            | "isMongoId"
            | "isInt"
            | "isNumeric"
            | "isAlphanumeric"
            | "isEmail"
            | "isIn"
            | "validate"
            | "is_valid_uuid"
            | "isFinite"
    )
}

fn is_constant(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Str(_) | ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Null => true,
        // SCREAMING_CASE names are constants by convention.
        ExprKind::Name(name) => {
            name.len() > 1
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        }
        ExprKind::Member { property, .. } => property
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()),
        _ => false,
    }
}

fn is_typeof(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Unary { op, .. } if *op == "typeof")
}

/// `url.hostname` checked against an allowlist also vouches for `url` as a fetch or redirect
/// target.
fn host_of(expr: &Expr) -> Option<(&Expr, Kinds)> {
    match &expr.kind {
        ExprKind::Member { object, property }
            if matches!(
                property.as_str(),
                "hostname" | "host" | "origin" | "netloc" | "protocol"
            ) && object.as_call().is_none() =>
        {
            Some((object, kind::REDIRECT | kind::SSRF))
        }
        _ => None,
    }
}

/// The value a check is about: `new URL(x).hostname` and `urlparse(x).netloc` check `x`.
fn checked(expr: &Expr) -> &Expr {
    if let ExprKind::Member { object, .. } = &expr.kind
        && let Some((callee, args, _)) = object.as_call()
        && let Some(name) = callee.member_path().and_then(|p| p.last().copied())
        && matches!(name, "URL" | "urlparse" | "urlsplit" | "parse")
        && let Some(first) = args.first()
    {
        return &first.value;
    }
    expr
}
