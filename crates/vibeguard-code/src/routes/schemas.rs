//! Request bodies described by the validation schemas handlers use: zod (`z.object({…})`),
//! Joi (`Joi.object({…})`, `Joi.object().keys({…})`) and yup (`yup.object({…})`,
//! `object().shape({…})`). Each top-level field becomes its type (`string`, `integer`, `number`,
//! `boolean`, `array`, `object`), its format (`email`, `uuid`, `url`, `date-time`), its allowed
//! values (`z.enum([…])`, `.valid(…)`, `.oneOf([…])`), its bounds (`.min(n)`, `.max(n)`,
//! `.length(n)`) and whether it is required (zod: unless `.optional()`/`.nullish()`/
//! `.default(…)`; Joi: only with `.required()`; yup: only with `.required()`).
//!
//! The schema is found where the handler or its middleware names it — `schema.parse(req.body)`,
//! `safeParse`, `validate(req.body)`, `validateAsync`, `validate(schema)` or `celebrate({ body:
//! … })` in front of the route — and read from its definition, in the same module or imported.

use vibeguard_core::BodyField;

/// The fields of the object schema that starts `text` (`z.object({ … })` and the like), or
/// `None` when `text` is no object schema of a known library.
pub fn object_fields(text: &str) -> Option<Vec<(String, BodyField)>> {
    let text = text.trim_start();
    let library = if text.starts_with("z.") || text.starts_with("zod.") {
        Library::Zod
    } else if text.starts_with("Joi.") || text.starts_with("joi.") {
        Library::Joi
    } else if text.starts_with("yup.") || text.starts_with("object(") || text.starts_with("Yup.") {
        Library::Yup
    } else {
        return None;
    };
    // The first object literal passed to `object(`, `keys(` or `shape(`.
    let start = ["object({", "keys({", "shape({", "object( {"]
        .iter()
        .filter_map(|opening| text.find(opening).map(|at| at + opening.len() - 1))
        .min()?;
    let body = balanced(&text[start..])?;
    let mut fields = Vec::new();
    for (name, expression) in top_level_entries(&body[1..body.len() - 1]) {
        fields.push((name, field(library, &expression)));
    }
    Some(fields)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Library {
    Zod,
    Joi,
    Yup,
}

/// Walks `text` outside its string literals, giving each character with the bracket depth
/// before it; stops when `visit` returns `false`.
fn walk_code(text: &str, mut visit: impl FnMut(usize, char, i32) -> bool) {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (index, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if matches!(c, '"' | '\'' | '`') {
            quote = Some(c);
            continue;
        }
        let before = depth;
        match c {
            '{' | '(' | '[' => depth += 1,
            '}' | ')' | ']' => depth -= 1,
            _ => {}
        }
        if index > 200_000 || !visit(index, c, before) {
            return;
        }
    }
}

/// The text of the bracketed group that starts `text` (`{…}`, `(…)`, `[…]`), quotes and
/// nesting respected.
fn balanced(text: &str) -> Option<&str> {
    let mut end = None;
    walk_code(text, |index, c, before| {
        if matches!(c, '}' | ')' | ']') && before == 1 {
            end = Some(index);
            return false;
        }
        true
    });
    end.map(|index| &text[..=index])
}

/// `name: expression` pairs of an object literal's inside, at its top level.
fn top_level_entries(inside: &str) -> Vec<(String, String)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    walk_code(inside, |index, c, before| {
        if c == ',' && before == 0 {
            pieces.push(&inside[start..index]);
            start = index + 1;
        }
        true
    });
    pieces.push(&inside[start..]);
    let mut entries = Vec::new();
    for piece in pieces {
        let Some((name, expression)) = piece.split_once(':') else {
            continue;
        };
        let name = name
            .trim()
            .trim_matches(|c| c == '"' || c == '\'' || c == '`');
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            continue;
        }
        entries.push((name.to_string(), expression.trim().to_string()));
    }
    entries
}

/// The numbers and strings passed to the first `.name(` call of a chain.
fn call_arguments<'a>(expression: &'a str, name: &str) -> Option<&'a str> {
    let at = expression.find(&format!(".{name}("))? + name.len() + 1;
    let group = balanced(&expression[at..])?;
    Some(&group[1..group.len() - 1])
}

/// The whole number passed to `.name(` (`.min(1)`), when there is one.
fn number_argument(expression: &str, name: &str) -> Option<i64> {
    call_arguments(expression, name)?
        .split(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// String literals in a piece of code.
fn strings(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['"', '\'']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            break;
        };
        found.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    found
}

fn field(library: Library, expression: &str) -> BodyField {
    let head = |names: &[&str]| {
        names.iter().any(|n| {
            let prefixes: &[&str] = match library {
                Library::Zod => &["z.", "zod."],
                Library::Joi => &["Joi.", "joi."],
                Library::Yup => &["yup.", "Yup.", ""],
            };
            prefixes
                .iter()
                .any(|p| expression.starts_with(&format!("{p}{n}(")))
        })
    };
    let chained = |name: &str| expression.contains(&format!(".{name}("));
    let kind = if head(&["string", "enum", "nativeEnum"]) {
        "string"
    } else if head(&["number"]) {
        if chained("int") || chained("integer") {
            "integer"
        } else {
            "number"
        }
    } else if head(&["boolean", "bool"]) {
        "boolean"
    } else if head(&["array"]) {
        "array"
    } else if head(&["object"]) {
        "object"
    } else if head(&["date"]) {
        "date-time"
    } else {
        ""
    };
    let (kind, format) = match kind {
        "date-time" => ("string", Some("date-time")),
        "string" if chained("email") => ("string", Some("email")),
        "string" if chained("uuid") || chained("guid") => ("string", Some("uuid")),
        "string" if chained("url") || chained("uri") => ("string", Some("uri")),
        "string" if chained("datetime") || chained("isoDate") => ("string", Some("date-time")),
        other => (other, None),
    };
    let values = if head(&["enum"]) {
        expression
            .find('(')
            .map(|at| strings(balanced(&expression[at..]).unwrap_or_default()))
            .unwrap_or_default()
    } else if let Some(arguments) =
        call_arguments(expression, "valid").or_else(|| call_arguments(expression, "oneOf"))
    {
        strings(arguments)
    } else {
        Vec::new()
    };
    let required = match library {
        Library::Zod => !(chained("optional") || chained("nullish") || chained("default")),
        Library::Joi | Library::Yup => chained("required"),
    };
    BodyField {
        kind: (!kind.is_empty()).then(|| kind.to_string()),
        format: format.map(str::to_string),
        values,
        min: number_argument(expression, "min").or_else(|| number_argument(expression, "length")),
        max: number_argument(expression, "max").or_else(|| number_argument(expression, "length")),
        required,
    }
}

/// The fields of a Python class describing a body: a Pydantic model (`class Note(BaseModel):
/// title: str = Field(max_length=100)`) or a marshmallow schema (`class NoteSchema(Schema):
/// title = fields.Str(required=True, validate=validate.Length(max=100))`); `None` for other
/// classes.
pub fn class_fields(
    module: &crate::ir::Module,
    class: &crate::ir::Class,
) -> Option<Vec<(String, BodyField)>> {
    let bases: Vec<&str> = class
        .bases
        .iter()
        .map(|b| module.text_of(b.range))
        .collect();
    if is_wtforms_class(module, class) {
        return Some(wtforms_fields(module, class));
    }
    let pydantic = bases
        .iter()
        .any(|b| b.ends_with("BaseModel") || b.ends_with("SQLModel"));
    let marshmallow = bases
        .iter()
        .any(|b| b.ends_with("Schema") && !b.ends_with("BaseModel"));
    if !pydantic && !marshmallow {
        return None;
    }
    let mut fields = Vec::new();
    for field in &class.fields {
        if field.name.starts_with('_') || field.name == "Meta" || field.name == "model_config" {
            continue;
        }
        let value = field
            .value
            .as_ref()
            .map(|v| module.text_of(v.range))
            .unwrap_or("");
        let described = if pydantic {
            let Some(annotation) = field.annotation.as_deref() else {
                continue;
            };
            pydantic_field(&with_choices_named(module, annotation), value)
        } else {
            if !value.contains("fields.") {
                continue;
            }
            marshmallow_field(value)
        };
        fields.push((field.name.clone(), described));
    }
    Some(fields)
}

/// The writable fields of a Django REST framework serializer: its declared fields
/// (`title = serializers.CharField(max_length=100)`, read-only ones left out) and its `Meta`'s
/// `fields` (a list, or `'__all__'`) typed from the model's fields (`models.CharField`, …);
/// `None` when `class` is no serializer.
pub fn serializer_fields(
    project: &crate::project::Project,
    owner: crate::project::ModuleId,
    class: crate::ir::ClassId,
) -> Option<Vec<(String, BodyField)>> {
    let m = &project.modules[owner];
    let c = &m.classes[class];
    if !c
        .bases
        .iter()
        .any(|b| m.text_of(b.range).contains("Serializer"))
    {
        return None;
    }
    let mut fields: Vec<(String, BodyField)> = Vec::new();
    // Fields the client never sends: declared read-only, or computed.
    let mut read_only: Vec<String> = Vec::new();
    for field in &c.fields {
        let value = field
            .value
            .as_ref()
            .map(|v| m.text_of(v.range))
            .unwrap_or("");
        if !value.contains("Field(") && !value.contains("Serializer(") {
            continue;
        }
        let computed = ["ReadOnlyField(", "SerializerMethodField(", "HiddenField("]
            .iter()
            .any(|kind| value.contains(kind));
        if computed || value.contains("read_only=True") {
            read_only.push(field.name.clone());
        } else {
            fields.push((field.name.clone(), django_field(value, true, None)));
        }
    }
    // The nested `class Meta:` inside the serializer.
    let meta = m.classes.iter().find(|inner| {
        inner.name.as_deref() == Some("Meta")
            && inner.range.start_byte > c.range.start_byte
            && inner.range.end_byte <= c.range.end_byte
    });
    if let Some(meta) = meta {
        let value_of = |name: &str| {
            meta.fields
                .iter()
                .find(|f| f.name == name)
                .and_then(|f| f.value.as_ref())
                .map(|v| m.text_of(v.range))
        };
        // A plain list only: a conditional (`[…] if HARDENED else []`) says nothing for sure,
        // and sending a field the server ignores is harmless.
        let listed_read_only = value_of("read_only_fields").unwrap_or("").trim();
        if listed_read_only.starts_with(['[', '('])
            && listed_read_only.ends_with([']', ')'])
            && !listed_read_only.contains(" if ")
        {
            read_only.extend(strings(listed_read_only));
        }
        let listed = value_of("fields").unwrap_or("");
        let model =
            value_of("model").and_then(|name| match project.resolve_name(owner, name.trim())? {
                crate::project::Symbol::Class(at, id) => Some((at, id)),
                _ => None,
            });
        let model_fields: Vec<(String, BodyField)> = model
            .map(|(at, id)| {
                let mm = &project.modules[at];
                mm.classes[id]
                    .fields
                    .iter()
                    .filter_map(|f| {
                        let value = mm.text_of(f.value.as_ref()?.range);
                        // Set by the server: timestamps, non-editable fields.
                        let automatic = value.contains("auto_now")
                            || value.contains("editable=False")
                            || value.contains("AutoField(");
                        let is_field = value.contains("models.")
                            && (value.contains("Field(") || value.contains("ForeignKey("));
                        // `choices=STATUSES`: the class constant's pairs.
                        let constant = keyword(value, "choices").and_then(|name| {
                            mm.classes[id]
                                .fields
                                .iter()
                                .find(|c| c.name == name)
                                .and_then(|c| c.value.as_ref())
                                .map(|v| mm.text_of(v.range))
                        });
                        (is_field && !automatic)
                            .then(|| (f.name.clone(), django_field(value, false, constant)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let wanted: Vec<String> = if listed.contains("__all__") {
            model_fields.iter().map(|(n, _)| n.clone()).collect()
        } else {
            strings(listed)
        };
        for name in wanted {
            if name == "id" || read_only.contains(&name) || fields.iter().any(|(n, _)| *n == name) {
                continue;
            }
            // A model field the server sets (`auto_now_add`) is not in `model_fields`; one the
            // model does not have is a property or annotation: neither is sent.
            if let Some((_, described)) = model_fields.iter().find(|(n, _)| *n == name) {
                fields.push((name, described.clone()));
            } else if model.is_none() {
                // Django's own user model (`model = User`, `get_user_model()`) is not in the
                // project, but its fields are known.
                let user_model = value_of("model").is_some_and(|m| {
                    let m = m.trim();
                    m == "User" || m.ends_with(".User") || m.contains("get_user_model")
                });
                let described = user_model
                    .then(|| django_user_field(&name))
                    .flatten()
                    .unwrap_or_default();
                fields.push((name, described));
            }
        }
    }
    Some(fields)
}

/// A field of Django's `AbstractUser` (`django.contrib.auth.models.User`), as a model
/// serializer exposes it.
fn django_user_field(name: &str) -> Option<BodyField> {
    let (kind, format, required) = match name {
        "username" => ("string", None, true),
        "password" => ("string", None, true),
        "email" => ("string", Some("email"), false),
        "first_name" | "last_name" => ("string", None, false),
        "is_staff" | "is_superuser" | "is_active" => ("boolean", None, false),
        "last_login" | "date_joined" => ("string", Some("date-time"), false),
        _ => return None,
    };
    Some(BodyField {
        kind: Some(kind.into()),
        format: format.map(str::to_string),
        max: (name == "username").then_some(150),
        required,
        ..Default::default()
    })
}

/// A Django model or DRF serializer field (`models.CharField(max_length=200, blank=True)`,
/// `serializers.EmailField(required=False)`). Serializer fields are required unless
/// `required=False` or a default; model fields unless `blank=True`, `null=True` or a default.
fn django_field(value: &str, serializer: bool, choices: Option<&str>) -> BodyField {
    let name = value
        .split('.')
        .nth(1)
        .and_then(|rest| rest.split('(').next())
        .unwrap_or_default();
    let (kind, format) = match name {
        "CharField" | "TextField" | "SlugField" | "ChoiceField" => ("string", None),
        "IntegerField"
        | "PositiveIntegerField"
        | "SmallIntegerField"
        | "BigIntegerField"
        | "PositiveSmallIntegerField"
        | "ForeignKey"
        | "PrimaryKeyRelatedField" => ("integer", None),
        "FloatField" | "DecimalField" => ("number", None),
        "BooleanField" | "NullBooleanField" => ("boolean", None),
        "EmailField" => ("string", Some("email")),
        "URLField" => ("string", Some("uri")),
        "UUIDField" => ("string", Some("uuid")),
        "DateTimeField" | "DateField" => ("string", Some("date-time")),
        "ListField" | "MultipleChoiceField" => ("array", None),
        "JSONField" | "DictField" => ("object", None),
        _ => ("", None),
    };
    let values = match choices {
        Some(constant) => strings(constant),
        None => keyword(value, "choices")
            .filter(|choices| choices.starts_with('['))
            .map(|_| {
                let at = value.find("choices=").map_or(0, |i| i + 8);
                strings(balanced(&value[at..]).unwrap_or_default())
            })
            .unwrap_or_default(),
    };
    let optional = if serializer {
        keyword(value, "required") == Some("False") || keyword(value, "default").is_some()
    } else {
        keyword(value, "blank") == Some("True")
            || keyword(value, "null") == Some("True")
            || keyword(value, "default").is_some()
    };
    BodyField {
        kind: (!kind.is_empty()).then(|| kind.to_string()),
        format: format.map(str::to_string),
        // Django's choices are (value, label) pairs: every other string is a value.
        values: values
            .into_iter()
            .step_by(if serializer { 1 } else { 2 })
            .collect(),
        min: whole(keyword(value, "min_length")).or_else(|| whole(keyword(value, "min_value"))),
        max: whole(keyword(value, "max_length")).or_else(|| whole(keyword(value, "max_value"))),
        required: !optional,
    }
}

/// A keyword argument's value in a call's text (`max_length=100` → `100`).
fn keyword<'a>(call: &'a str, name: &str) -> Option<&'a str> {
    // `le=` as a keyword of its own, not the end of `title=`.
    let wanted = format!("{name}=");
    let at = call
        .match_indices(&wanted)
        .find(|(index, _)| {
            !call[..*index]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })?
        .0
        + wanted.len();
    let rest = &call[at..];
    let end = rest
        .char_indices()
        .find(|(_, c)| matches!(c, ',' | ')'))
        .map_or(rest.len(), |(i, _)| i);
    Some(rest[..end].trim())
}

fn whole(text: Option<&str>) -> Option<i64> {
    // `10_000`: Python's digit separators.
    text?.replace('_', "").parse().ok()
}

/// The type an annotation allows besides `None` (`Optional[str]`, `str | None` → `str`).
fn without_optional(annotation: &str) -> String {
    annotation
        .trim_start_matches("Optional[")
        .trim_end_matches(']')
        .replace("| None", "")
        .replace("None |", "")
}

/// An annotation whose type is a name for a set of choices — an alias (`Role =
/// Literal["guest", "admin"]`) or an enum of the module (`class Role(str, Enum): guest =
/// "guest"`) — with that name replaced by its `Literal[…]`, which [`pydantic_field`] reads.
fn with_choices_named(module: &crate::ir::Module, annotation: &str) -> String {
    let bare = without_optional(annotation);
    let name = bare.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return annotation.to_string();
    }
    let alias = module.text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?.trim_start();
        let rest = rest.strip_prefix(':').map_or(rest, |typed| {
            typed
                .trim_start()
                .trim_start_matches("TypeAlias")
                .trim_start()
        });
        let value = rest.strip_prefix('=')?.trim();
        let value = value.strip_prefix("typing.").unwrap_or(value);
        value.starts_with("Literal[").then(|| value.to_string())
    });
    let choices = alias.or_else(|| {
        let class = module
            .classes
            .iter()
            .find(|class| class.name.as_deref() == Some(name))?;
        let is_enum = class
            .bases
            .iter()
            .any(|base| module.text_of(base.range).ends_with("Enum"));
        let values: Vec<String> = class
            .fields
            .iter()
            .filter_map(|field| strings(module.text_of(field.value.as_ref()?.range)).pop())
            .collect();
        (is_enum && !values.is_empty()).then(|| {
            let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
            format!("Literal[{}]", quoted.join(", "))
        })
    });
    match choices {
        Some(choices) => annotation.replacen(name, &choices, 1),
        None => annotation.to_string(),
    }
}

fn pydantic_field(annotation: &str, value: &str) -> BodyField {
    let optional = annotation.starts_with("Optional[")
        || annotation.contains("| None")
        || annotation.contains("None |");
    let inner = without_optional(annotation);
    let inner = inner.trim();
    let (kind, format) = match inner.rsplit('.').next().unwrap_or(inner) {
        "str" | "constr" => ("string", None),
        "int" | "conint" | "PositiveInt" | "NonNegativeInt" => ("integer", None),
        "float" | "Decimal" | "confloat" | "PositiveFloat" => ("number", None),
        "bool" => ("boolean", None),
        "EmailStr" => ("string", Some("email")),
        "UUID" | "UUID4" => ("string", Some("uuid")),
        "HttpUrl" | "AnyUrl" | "AnyHttpUrl" => ("string", Some("uri")),
        "datetime" | "date" => ("string", Some("date-time")),
        "dict" | "Dict" => ("object", None),
        other if other.starts_with("list[") || other.starts_with("List[") => ("array", None),
        other if other.starts_with("dict[") || other.starts_with("Dict[") => ("object", None),
        other if other.starts_with("Literal[") => ("string", None),
        _ => ("", None),
    };
    let values = if inner.starts_with("Literal[") {
        strings(inner)
    } else {
        Vec::new()
    };
    // Required: no default at all, or `Field(...)`, or a `Field(…)` whose keywords give no
    // default; a positional default (`Field(0)`) or `= value` makes it optional.
    let required = !optional && {
        let value = value.trim();
        match value.strip_prefix("Field(") {
            None => value.is_empty(),
            Some(arguments) => {
                let first = arguments.trim_start();
                let keyword_first = first.split(['=', ',', ')']).next().is_some_and(|word| {
                    !word.is_empty()
                        && word.chars().all(|c| c.is_alphanumeric() || c == '_')
                        && first[word.len()..].trim_start().starts_with('=')
                });
                first.starts_with("...")
                    || first.starts_with(')')
                    || (keyword_first
                        && keyword(value, "default").is_none()
                        && keyword(value, "default_factory").is_none())
            }
        }
    };
    let text = kind == "string";
    BodyField {
        kind: (!kind.is_empty()).then(|| kind.to_string()),
        format: format.map(str::to_string),
        values,
        min: whole(keyword(value, if text { "min_length" } else { "ge" }))
            .or_else(|| whole(keyword(value, "min_items"))),
        max: whole(keyword(value, if text { "max_length" } else { "le" }))
            .or_else(|| whole(keyword(value, "max_items"))),
        required,
    }
}

/// Whether a class is a WTForms form (`FlaskForm`, `wtforms.Form`, Flask-WTF's `Form`): its
/// fields are posted as an HTML form.
pub fn is_wtforms_class(module: &crate::ir::Module, class: &crate::ir::Class) -> bool {
    class.bases.iter().any(|b| {
        let base = module.text_of(b.range);
        base.ends_with("FlaskForm") || base == "Form" || base.ends_with(".Form")
    }) && class.fields.iter().any(|f| {
        f.value
            .as_ref()
            .is_some_and(|v| module.text_of(v.range).contains("Field("))
    })
}

/// A WTForms form's fields: `StringField`, `PasswordField`, `EmailField`, `IntegerField`,
/// `DecimalField`/`FloatField`, `BooleanField`, `SelectField(choices=…)`, `DateField`, with
/// `DataRequired()`/`InputRequired()`, `Length(min=, max=)`, `NumberRange(min=, max=)`,
/// `Email()` and `AnyOf([…])` validators.
fn wtforms_fields(
    module: &crate::ir::Module,
    class: &crate::ir::Class,
) -> Vec<(String, BodyField)> {
    let mut fields = Vec::new();
    for field in &class.fields {
        let Some(value) = field.value.as_ref().map(|v| module.text_of(v.range)) else {
            continue;
        };
        let Some(kind_name) = value
            .split('(')
            .next()
            .map(|k| k.rsplit('.').next().unwrap_or(k))
        else {
            continue;
        };
        if !kind_name.ends_with("Field") || kind_name == "SubmitField" || kind_name == "FormField" {
            continue;
        }
        let (kind, mut format) = match kind_name {
            "IntegerField" | "IntegerRangeField" => ("integer", None),
            "DecimalField" | "FloatField" | "DecimalRangeField" => ("number", None),
            "BooleanField" => ("boolean", None),
            "EmailField" => ("string", Some("email")),
            "URLField" => ("string", Some("uri")),
            "DateField" | "DateTimeField" | "DateTimeLocalField" => ("string", Some("date-time")),
            "FieldList" => ("array", None),
            _ => ("string", None),
        };
        if value.contains("Email(") {
            format = Some("email");
        }
        if value.contains("URL(") {
            format = Some("uri");
        }
        let values = ["choices=", "AnyOf("]
            .iter()
            .find_map(|marker| {
                let at = value.find(marker)? + marker.len();
                let list = balanced(&value[at..]).unwrap_or(&value[at..]);
                let found = strings(list);
                (!found.is_empty()).then_some(found)
            })
            .map(|found| {
                // `choices=[('a', 'A'), …]`: the values are the pairs' first strings.
                if value.contains("choices=[(") || value.contains("choices=((") {
                    found.into_iter().step_by(2).collect()
                } else {
                    found
                }
            })
            .unwrap_or_default();
        let bounds = value
            .find("Length(")
            .or_else(|| value.find("NumberRange("))
            .map(|at| &value[at..]);
        fields.push((
            field.name.clone(),
            BodyField {
                kind: Some(kind.to_string()),
                format: format.map(str::to_string),
                values,
                min: bounds.and_then(|b| whole(keyword(b, "min"))),
                max: bounds.and_then(|b| whole(keyword(b, "max"))),
                required: value.contains("DataRequired(") || value.contains("InputRequired("),
            },
        ));
    }
    fields
}

fn marshmallow_field(value: &str) -> BodyField {
    let name = value
        .split("fields.")
        .nth(1)
        .and_then(|rest| rest.split('(').next())
        .unwrap_or_default();
    let (kind, format) = match name {
        "Str" | "String" => ("string", None),
        "Int" | "Integer" => ("integer", None),
        "Float" | "Decimal" | "Number" => ("number", None),
        "Bool" | "Boolean" => ("boolean", None),
        "Email" => ("string", Some("email")),
        "Url" | "URL" => ("string", Some("uri")),
        "UUID" => ("string", Some("uuid")),
        "DateTime" | "Date" | "AwareDateTime" => ("string", Some("date-time")),
        "List" => ("array", None),
        "Nested" | "Dict" | "Mapping" => ("object", None),
        _ => ("", None),
    };
    let values = value
        .find("OneOf(")
        .map(|at| strings(balanced(&value[at + 5..]).unwrap_or_default()))
        .unwrap_or_default();
    let bounds = value
        .find("Length(")
        .or_else(|| value.find("Range("))
        .map(|at| &value[at..]);
    BodyField {
        kind: (!kind.is_empty()).then(|| kind.to_string()),
        format: format.map(str::to_string),
        values,
        min: bounds.and_then(|b| whole(keyword(b, "min"))),
        max: bounds.and_then(|b| whole(keyword(b, "max"))),
        required: keyword(value, "required") == Some("True"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(text: &str) -> Vec<String> {
        object_fields(text)
            .expect("an object schema")
            .into_iter()
            .map(|(name, f)| {
                format!(
                    "{name} {} {} {:?} {:?} {:?} {}",
                    f.kind.unwrap_or_default(),
                    f.format.unwrap_or_default(),
                    f.values,
                    f.min,
                    f.max,
                    if f.required { "required" } else { "optional" }
                )
            })
            .collect()
    }

    #[test]
    fn zod_objects_give_types_formats_values_bounds_and_what_is_required() {
        let schema = r#"z.object({
            title: z.string().min(1).max(120),
            amount: z.number().positive(),
            seats: z.number().int().min(1),
            email: z.string().email(),
            "category": z.enum(['food', "travel", 'other']),
            note: z.string().max(500).optional(),
            tags: z.array(z.string()).default([]),
            when: z.coerce.date(),
        })"#;
        assert_eq!(
            described(schema),
            [
                "title string  [] Some(1) Some(120) required",
                "amount number  [] None None required",
                "seats integer  [] Some(1) None required",
                "email string email [] None None required",
                r#"category string  ["food", "travel", "other"] None None required"#,
                "note string  [] None Some(500) optional",
                "tags array  [] None None optional",
                "when   [] None None required",
            ]
        );
    }

    #[test]
    fn pydantic_models_and_marshmallow_schemas_describe_python_bodies() {
        let source = r#"
from enum import Enum
from typing import Literal, Optional
from pydantic import BaseModel, EmailStr, Field
from marshmallow import Schema, fields, validate

Role = Literal["guest", "host", "admin"]
Roles = list[str]

class Status(str, Enum):
    open = "open"
    closed = "closed"

class NoteIn(BaseModel):
    title: str = Field(..., min_length=1, max_length=120)
    amount: float
    email: EmailStr
    kind: Literal["food", "travel"] = "food"
    note: Optional[str] = None
    seats: int = Field(default=1, title="Seats", ge=1, le=10_000)
    role: Role = "guest"
    status: Optional[Status] = None
    roles: Roles = []

class SignupSchema(Schema):
    email = fields.Email(required=True)
    password = fields.Str(required=True, validate=validate.Length(min=8))
    plan = fields.Str(validate=validate.OneOf(["free", "pro"]))

class Plain:
    x: int
"#;
        let module = crate::parse::parse_module(
            "models.py",
            crate::language::Language::Python,
            std::sync::Arc::from(source),
        )
        .expect("parses");
        let described = |name: &str| -> Vec<String> {
            let class = module
                .classes
                .iter()
                .find(|c| c.name.as_deref() == Some(name))
                .expect("class");
            class_fields(&module, class)
                .expect("a body class")
                .into_iter()
                .map(|(n, f)| {
                    format!(
                        "{n} {}{} {:?} {:?} {:?} {}",
                        f.kind.unwrap_or_default(),
                        f.format.map(|f| format!("/{f}")).unwrap_or_default(),
                        f.values,
                        f.min,
                        f.max,
                        if f.required { "required" } else { "optional" }
                    )
                })
                .collect()
        };
        assert_eq!(
            described("NoteIn"),
            [
                "title string [] Some(1) Some(120) required",
                "amount number [] None None required",
                "email string/email [] None None required",
                r#"kind string ["food", "travel"] None None optional"#,
                "note string [] None None optional",
                "seats integer [] Some(1) Some(10000) optional",
                // Choices named by an alias or an enum.
                r#"role string ["guest", "host", "admin"] None None optional"#,
                r#"status string ["open", "closed"] None None optional"#,
                "roles  [] None None optional",
            ]
        );
        assert_eq!(
            described("SignupSchema"),
            [
                "email string/email [] None None required",
                "password string [] Some(8) None required",
                r#"plan string ["free", "pro"] None None optional"#,
            ]
        );
        let plain = module
            .classes
            .iter()
            .find(|c| c.name.as_deref() == Some("Plain"))
            .expect("class");
        assert!(class_fields(&module, plain).is_none());
    }

    #[test]
    fn joi_and_yup_objects_require_only_what_they_say() {
        let joi = "Joi.object({ email: Joi.string().email().required(), password: Joi.string().min(8).required(), role: Joi.string().valid('member', 'admin'), id: Joi.string().guid() })";
        assert_eq!(
            described(joi),
            [
                "email string email [] None None required",
                "password string  [] Some(8) None required",
                r#"role string  ["member", "admin"] None None optional"#,
                "id string uuid [] None None optional",
            ]
        );
        let keys = "Joi.object().keys({ page: Joi.number().integer().min(1) })";
        assert_eq!(described(keys), ["page integer  [] Some(1) None optional"]);
        let yup =
            "yup.object().shape({ website: yup.string().url(), age: yup.number().required() })";
        assert_eq!(
            described(yup),
            [
                "website string uri [] None None optional",
                "age number  [] None None required"
            ]
        );
        assert!(object_fields("express.json()").is_none());
    }
}
