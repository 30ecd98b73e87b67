//! The data models of the project and which of their fields are sensitive: Mongoose schemas,
//! Sequelize models, TypeORM entities, Prisma models (`schema.prisma`), Drizzle and Knex
//! tables, SQLAlchemy, SQLModel and Django models, and SQL tables (`CREATE TABLE` and the column
//! lists of `INSERT`/`UPDATE` statements in the code or in `.sql` files).
//!
//! A model also records what hides its sensitive fields by default — `select: false`, a
//! `toJSON` transform, a Sequelize `defaultScope` excluding them, class-transformer's
//! `@Exclude()` — and the serializer methods it defines (`to_dict`) with the fields they emit.

use std::collections::HashMap;

use crate::ir::{Expr, ExprKind, Module, Pattern, Prop, PropKey, StmtKind};
use crate::naming;
use crate::project::{Local, ModuleId, Project};

/// A field of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelField {
    /// Its name.
    pub name: String,
    /// Hidden from default reads (`select: false`, `@Exclude()`, excluded by a default scope).
    pub hidden: bool,
}

/// A model or table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataModel {
    /// Its name as written (`User`, `users`).
    pub name: String,
    /// Other names it is known by (its table name).
    pub aliases: Vec<String>,
    /// Where it is declared (file).
    pub file: String,
    /// Its fields.
    pub fields: Vec<ModelField>,
    /// A `toJSON`/serialization override that decides what leaves the model.
    pub serialized_safely: bool,
    /// Serializer methods defined on it (`to_dict`) with whether they emit every field.
    pub serializers: Vec<(String, Option<Vec<String>>)>,
}

impl DataModel {
    /// A model declared in `file` with these fields, nothing hiding them.
    fn declared(name: &str, file: &str, fields: Vec<ModelField>) -> DataModel {
        DataModel {
            name: name.to_string(),
            aliases: Vec::new(),
            file: file.to_string(),
            fields,
            serialized_safely: false,
            serializers: Vec::new(),
        }
    }

    /// The sensitive fields a default read of the model returns.
    pub fn exposed_sensitive_fields(&self) -> Vec<&str> {
        if self.serialized_safely {
            return Vec::new();
        }
        self.fields
            .iter()
            .filter(|f| !f.hidden && naming::is_sensitive_field(&f.name))
            .map(|f| f.name.as_str())
            .collect()
    }

    /// The sensitive fields a serializer method emits; `None` when the model does not
    /// define that method (a generic serializer emits every field).
    pub fn serializer_exposes(&self, method: &str) -> Option<Vec<&str>> {
        let (_, fields) = self.serializers.iter().find(|(name, _)| name == method)?;
        Some(match fields {
            None => self.exposed_sensitive_fields(),
            Some(fields) => fields
                .iter()
                .filter(|f| naming::is_sensitive_field(f))
                .map(String::as_str)
                .collect(),
        })
    }
}

/// Every model of the project.
#[derive(Debug, Default)]
pub struct ModelInventory {
    models: Vec<DataModel>,
}

/// A model name reduced for matching: `Users`, `user`, `UserModel`, `user_schema` → `user`.
pub fn normalize(name: &str) -> String {
    let mut lower: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    for suffix in ["model", "schema", "entity", "table", "record"] {
        if lower.len() > suffix.len() && lower.ends_with(suffix) {
            lower.truncate(lower.len() - suffix.len());
        }
    }
    if let Some(stem) = lower.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if lower.ends_with("sses") {
        lower.truncate(lower.len() - 2);
        return lower;
    }
    if lower.len() > 3 && lower.ends_with('s') && !lower.ends_with("ss") {
        lower.pop();
    }
    lower
}

impl ModelInventory {
    /// Collects the models of the project's code and of the other files given (`.prisma`,
    /// `.sql`), as (path, text).
    pub fn build(project: &Project, other_files: &[(String, String)]) -> ModelInventory {
        use rayon::prelude::*;
        // Each module on its own (in parallel), then merged in module order.
        let per_module: Vec<ModelInventory> = (0..project.modules.len())
            .into_par_iter()
            .map(|module| {
                let m = &project.modules[module];
                let mut found = ModelInventory::default();
                if m.language.is_javascript_family() {
                    javascript_models(project, module, &mut found);
                } else if m.language.is_go() {
                    go_models(project, module, &mut found);
                } else if m.language.is_ruby() {
                    ruby_models(project, module, &mut found);
                } else {
                    python_models(project, module, &mut found);
                }
                // SQL in string literals.
                for function in &m.functions {
                    function.walk_exprs(&mut |e| {
                        let text = match &e.kind {
                            ExprKind::Str(text) => Some(text.as_str()),
                            ExprKind::Template { quasis, .. } => quasis.first().map(String::as_str),
                            _ => None,
                        };
                        if let Some(text) = text {
                            sql_tables(text, &m.path, &mut found);
                        }
                    });
                }
                found
            })
            .collect();
        let mut inventory = ModelInventory::default();
        for found in per_module {
            for model in found.models {
                inventory.add(model);
            }
        }
        for (path, text) in other_files {
            if path.ends_with(".prisma") {
                prisma_models(text, path, &mut inventory);
            } else {
                sql_tables(text, path, &mut inventory);
            }
        }
        inventory
    }

    /// The models, in discovery order.
    pub fn models(&self) -> &[DataModel] {
        &self.models
    }

    /// The model a name refers to (`User`, `users`, `prisma.user`), if known.
    pub fn find(&self, name: &str) -> Option<&DataModel> {
        let wanted = normalize(name);
        self.models.iter().find(|m| {
            normalize(&m.name) == wanted || m.aliases.iter().any(|a| normalize(a) == wanted)
        })
    }

    fn add(&mut self, model: DataModel) {
        let key = normalize(&model.name);
        if let Some(existing) = self.models.iter_mut().find(|m| normalize(&m.name) == key) {
            for field in model.fields {
                match existing.fields.iter_mut().find(|f| f.name == field.name) {
                    Some(known) => known.hidden |= field.hidden,
                    None => existing.fields.push(field),
                }
            }
            existing.serialized_safely |= model.serialized_safely;
            existing.aliases.extend(model.aliases);
            existing.serializers.extend(model.serializers);
            return;
        }
        self.models.push(model);
    }
}

fn object_fields(object: &Expr) -> Vec<ModelField> {
    let ExprKind::Object(props) = &object.kind else {
        return Vec::new();
    };
    props
        .iter()
        .filter_map(|prop| match prop {
            Prop::Pair {
                key: PropKey::Name(name),
                value,
            } => Some(ModelField {
                name: name.clone(),
                hidden: value
                    .property("select")
                    .is_some_and(|s| matches!(s.kind, ExprKind::Bool(false))),
            }),
            _ => None,
        })
        .collect()
}

fn string_list(expr: &Expr) -> Vec<String> {
    match &expr.kind {
        ExprKind::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn javascript_models(project: &Project, module: ModuleId, inventory: &mut ModelInventory) {
    let m = &project.modules[module];
    // Schemas by variable, so `mongoose.model('User', userSchema)` can find the fields.
    let mut schemas: HashMap<String, (Vec<ModelField>, bool)> = HashMap::new();
    let qualify = |e: &Expr| {
        project
            .qualify(module, e, &|_| Local::Unknown)
            .unwrap_or_default()
    };
    for function in &m.functions {
        function.walk_stmts(&mut |stmt| {
            if let StmtKind::Assign {
                target: Pattern::Name(name),
                value,
                ..
            } = &stmt.kind
                && let Some((callee, args, _)) = value.as_call()
            {
                let q = qualify(callee);
                if q.ends_with("Schema") && q.starts_with("mongoose") {
                    let fields = args
                        .first()
                        .map(|a| object_fields(&a.value))
                        .unwrap_or_default();
                    let safe = args.get(1).is_some_and(|o| {
                        o.value.property("toJSON").is_some()
                            || o.value.property("toObject").is_some()
                    });
                    schemas.insert(name.clone(), (fields, safe));
                }
            }
        });
    }
    // `schema.set('toJSON', ...)`, `schema.methods.toJSON = ...`
    for function in &m.functions {
        function.walk_exprs(&mut |e| {
            if let Some((callee, args, _)) = e.as_call()
                && let ExprKind::Member { object, property } = &callee.kind
                && property == "set"
                && args
                    .first()
                    .and_then(|a| a.value.as_str())
                    .is_some_and(|s| s == "toJSON" || s == "toObject")
                && let Some(name) = object.as_name()
                && let Some(schema) = schemas.get_mut(name)
            {
                schema.1 = true;
            }
        });
        function.walk_stmts(&mut |stmt| {
            if let StmtKind::Assign {
                target: Pattern::Target(target),
                ..
            } = &stmt.kind
                && let Some(path) = target.member_path()
                && path.len() >= 2
                && matches!(path.last(), Some(&"toJSON") | Some(&"transform"))
                && let Some(schema) = schemas.get_mut(path[0])
            {
                schema.1 = true;
            }
        });
    }
    for function in &m.functions {
        function.walk_exprs(&mut |e| {
            let Some((callee, args, _)) = e.as_call() else {
                return;
            };
            let q = qualify(callee);
            let method = callee.method_name().unwrap_or("");
            // mongoose.model('User', schema)
            if (q == "mongoose.model" || (q.ends_with(".model") && q.starts_with("mongoose")))
                && let (Some(name), Some(schema)) =
                    (args.first().and_then(|a| a.value.as_str()), args.get(1))
            {
                let (fields, safe) = match &schema.value.kind {
                    ExprKind::Name(var) => schemas.get(var).cloned().unwrap_or_default(),
                    ExprKind::Call { args, .. } => (
                        args.first()
                            .map(|a| object_fields(&a.value))
                            .unwrap_or_default(),
                        false,
                    ),
                    _ => (Vec::new(), false),
                };
                inventory.add(DataModel {
                    name: name.to_string(),
                    aliases: Vec::new(),
                    file: m.path.clone(),
                    fields,
                    serialized_safely: safe,
                    serializers: Vec::new(),
                });
            }
            // sequelize.define('User', {...}, { defaultScope })
            if method == "define"
                && let (Some(name), Some(fields)) =
                    (args.first().and_then(|a| a.value.as_str()), args.get(1))
                && matches!(fields.value.kind, ExprKind::Object(_))
            {
                let mut model_fields = object_fields(&fields.value);
                hide_default_scope(args.get(2).map(|a| &a.value), &mut model_fields);
                inventory.add(DataModel {
                    name: name.to_string(),
                    aliases: args
                        .get(2)
                        .and_then(|a| a.value.property("tableName"))
                        .and_then(|t| t.as_str())
                        .map(str::to_string)
                        .into_iter()
                        .collect(),
                    file: m.path.clone(),
                    fields: model_fields,
                    serialized_safely: false,
                    serializers: Vec::new(),
                });
            }
            // User.init({...}, { sequelize, defaultScope })
            if method == "init"
                && let ExprKind::Member { object, .. } = &callee.kind
                && let Some(name) = object.as_name()
                && let Some(fields) = args.first()
                && matches!(fields.value.kind, ExprKind::Object(_))
                && args
                    .get(1)
                    .is_some_and(|o| o.value.property("sequelize").is_some())
            {
                let mut model_fields = object_fields(&fields.value);
                hide_default_scope(args.get(1).map(|a| &a.value), &mut model_fields);
                inventory.add(DataModel {
                    name: name.to_string(),
                    aliases: Vec::new(),
                    file: m.path.clone(),
                    fields: model_fields,
                    serialized_safely: false,
                    serializers: Vec::new(),
                });
            }
            // Drizzle: pgTable('users', {...}); Knex: createTable('users', (t) => { t.string('password') })
            let is_table = matches!(method, "pgTable" | "mysqlTable" | "sqliteTable")
                || matches!(
                    q.rsplit('.').next(),
                    Some("pgTable" | "mysqlTable" | "sqliteTable")
                );
            if is_table
                && let (Some(table), Some(fields)) =
                    (args.first().and_then(|a| a.value.as_str()), args.get(1))
            {
                inventory.add(DataModel {
                    name: table.to_string(),
                    aliases: Vec::new(),
                    file: m.path.clone(),
                    fields: object_fields(&fields.value),
                    serialized_safely: false,
                    serializers: Vec::new(),
                });
            }
            if method == "createTable"
                && let (Some(table), Some(builder)) =
                    (args.first().and_then(|a| a.value.as_str()), args.get(1))
                && let ExprKind::Function(f) = builder.value.kind
            {
                let mut fields = Vec::new();
                m.functions[f].walk_exprs(&mut |inner| {
                    if let Some((_, column_args, _)) = inner.as_call()
                        && let Some(column) = column_args.first().and_then(|a| a.value.as_str())
                    {
                        fields.push(ModelField {
                            name: column.to_string(),
                            hidden: false,
                        });
                    }
                });
                inventory.add(DataModel {
                    name: table.to_string(),
                    aliases: Vec::new(),
                    file: m.path.clone(),
                    fields,
                    serialized_safely: false,
                    serializers: Vec::new(),
                });
            }
        });
    }
    // TypeORM / class-validator entities: `@Entity() class User { @Column() password }`.
    for class in &m.classes {
        let decorated = class
            .decorators
            .iter()
            .any(|d| m.text_of(d.range).starts_with("Entity"));
        let Some(name) = &class.name else { continue };
        if !decorated {
            continue;
        }
        let fields = class
            .fields
            .iter()
            .map(|f| ModelField {
                name: f.name.clone(),
                hidden: f.decorators.iter().any(|d| {
                    let text = m.text_of(d.range);
                    text.starts_with("Exclude") || text.contains("select: false")
                }),
            })
            .collect();
        let serialized_safely = class
            .methods
            .iter()
            .any(|id| m.functions[*id].name.as_deref() == Some("toJSON"));
        inventory.add(DataModel {
            name: name.clone(),
            aliases: Vec::new(),
            file: m.path.clone(),
            fields,
            serialized_safely,
            serializers: Vec::new(),
        });
    }
    // Sequelize classes extending Model also carry `toJSON` overrides.
    for class in &m.classes {
        if let Some(name) = &class.name
            && class
                .methods
                .iter()
                .any(|id| m.functions[*id].name.as_deref() == Some("toJSON"))
            && let Some(existing) = inventory
                .models
                .iter_mut()
                .find(|model| model.name == *name)
        {
            existing.serialized_safely = true;
        }
    }
}

fn hide_default_scope(options: Option<&Expr>, fields: &mut [ModelField]) {
    let Some(exclude) = options
        .and_then(|o| o.property("defaultScope"))
        .and_then(|s| s.property("attributes"))
        .and_then(|a| a.property("exclude"))
    else {
        return;
    };
    let excluded = string_list(exclude);
    for field in fields {
        if excluded.contains(&field.name) {
            field.hidden = true;
        }
    }
}

/// The struct type a Go type names: `*models.User`, `[]User`, `[]*User` → `User`.
pub fn go_struct_name(ty: &str) -> &str {
    let ty = ty.trim_start_matches(['*', '[', ']', '&']);
    ty.rsplit('.').next().unwrap_or(ty)
}

/// Go structs: each field under the name `encoding/json` gives it (its `json:"name"` tag, else
/// the field's name in snake case, as the table's column would read), hidden by `json:"-"`; a
/// `MarshalJSON` method decides what leaves the struct.
fn go_models(project: &Project, module: ModuleId, inventory: &mut ModelInventory) {
    let m: &Module = &project.modules[module];
    for class in &m.classes {
        let Some(name) = &class.name else { continue };
        if class.fields.is_empty() {
            continue;
        }
        let fields = class
            .fields
            .iter()
            .filter(|f| f.name.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(|f| {
                let tag = f
                    .annotation
                    .as_deref()
                    .and_then(|a| a.split_once('`'))
                    .map_or("", |(_, tag)| tag);
                let json = tag
                    .split_once("json:\"")
                    .and_then(|(_, rest)| rest.split('"').next())
                    .map(|value| value.split(',').next().unwrap_or(""));
                ModelField {
                    name: match json {
                        Some(json) if !json.is_empty() && json != "-" => json.to_string(),
                        _ => naming::words(&f.name).join("_"),
                    },
                    hidden: json == Some("-"),
                }
            })
            .collect();
        let serialized_safely = class
            .methods
            .iter()
            .any(|id| m.functions[*id].name.as_deref() == Some("MarshalJSON"));
        inventory.add(DataModel {
            name: name.clone(),
            aliases: Vec::new(),
            file: m.path.clone(),
            fields,
            serialized_safely,
            serializers: Vec::new(),
        });
    }
}

/// Ruby: ActiveRecord models (`class User < ApplicationRecord`) with the columns their macros
/// add — `has_secure_password` (`password_digest`), Devise's `database_authenticatable`
/// (`encrypted_password`) and `recoverable` (`reset_password_token`), `has_secure_token` — and
/// whether they override `as_json`/`serializable_hash`; and tables from `create_table` (in
/// `db/schema.rb` and migrations) and `add_column`.
fn ruby_models(project: &Project, module: ModuleId, inventory: &mut ModelInventory) {
    let m: &Module = &project.modules[module];
    let field = |name: &str| ModelField {
        name: name.to_string(),
        hidden: false,
    };
    for class in &m.classes {
        let Some(name) = &class.name else { continue };
        let is_record = class.bases.iter().any(|b| {
            let base = m.text_of(b.range);
            base.ends_with("ApplicationRecord") || base.ends_with("ActiveRecord::Base")
        });
        if !is_record {
            continue;
        }
        let mut fields = Vec::new();
        let body = m.text_of(class.range);
        for function in &m.functions {
            if !(class.range.start_byte <= function.range.start_byte
                && function.range.end_byte <= class.range.end_byte)
            {
                continue;
            }
            for stmt in &function.body {
                let StmtKind::Expr(e) = &stmt.kind else {
                    continue;
                };
                let Some((callee, args, _)) = e.as_call() else {
                    continue;
                };
                let strings: Vec<&str> = args.iter().filter_map(|a| a.value.as_str()).collect();
                match callee.as_name() {
                    Some("has_secure_password") => {
                        let attribute = strings.first().copied().unwrap_or("password");
                        fields.push(field(&format!("{attribute}_digest")));
                    }
                    Some("has_secure_token") => {
                        fields.push(field(strings.first().copied().unwrap_or("token")));
                    }
                    // Devise's own `serializable_hash` leaves these out of `as_json`.
                    Some("devise") => {
                        for (module_name, column) in [
                            ("database_authenticatable", "encrypted_password"),
                            ("recoverable", "reset_password_token"),
                            ("confirmable", "confirmation_token"),
                        ] {
                            if strings.contains(&module_name) {
                                fields.push(ModelField {
                                    name: column.to_string(),
                                    hidden: true,
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let serialized_safely = class.methods.iter().any(|id| {
            matches!(
                m.functions[*id].name.as_deref(),
                Some("as_json" | "serializable_hash" | "to_json")
            )
        }) || body.contains("self.ignored_columns");
        inventory.add(DataModel {
            serialized_safely,
            ..DataModel::declared(name, &m.path, fields)
        });
    }
    // `create_table "users" do |t| t.string "password_digest" … end`, `add_column :users,
    // :api_key, :string`.
    for function in &m.functions {
        function.walk_exprs(&mut |e| {
            let Some((callee, args, _)) = e.as_call() else {
                return;
            };
            let strings: Vec<&str> = args.iter().filter_map(|a| a.value.as_str()).collect();
            match callee.as_name() {
                Some("create_table") => {
                    let (Some(table), Some(ExprKind::Function(block))) =
                        (strings.first(), args.last().map(|a| &a.value.kind))
                    else {
                        return;
                    };
                    let mut fields = Vec::new();
                    m.functions[*block].walk_exprs(&mut |column| {
                        if let Some((column_callee, column_args, _)) = column.as_call()
                            && matches!(column_callee.kind, ExprKind::Member { .. })
                            && let Some(name) = column_args.first().and_then(|a| a.value.as_str())
                        {
                            fields.push(field(name));
                        }
                    });
                    inventory.add(DataModel::declared(table, &m.path, fields));
                }
                Some("add_column") if strings.len() >= 2 => {
                    inventory.add(DataModel::declared(
                        strings[0],
                        &m.path,
                        vec![field(strings[1])],
                    ));
                }
                _ => {}
            }
        });
    }
}

fn python_models(project: &Project, module: ModuleId, inventory: &mut ModelInventory) {
    let m: &Module = &project.modules[module];
    for class in &m.classes {
        let Some(name) = &class.name else { continue };
        let bases: Vec<&str> = class.bases.iter().map(|b| m.text_of(b.range)).collect();
        let is_django = bases.iter().any(|b| {
            b.contains("models.Model")
                || b.contains("AbstractUser")
                || b.contains("AbstractBaseUser")
        });
        let is_sqlalchemy = bases.iter().any(|b| {
            *b == "Base"
                || b.ends_with(".Model")
                || b.contains("DeclarativeBase")
                || b.contains("SQLModel")
                || b.ends_with("Base")
        }) || class.fields.iter().any(|f| f.name == "__tablename__");
        if !is_django && !is_sqlalchemy {
            continue;
        }
        let mut fields: Vec<ModelField> = class
            .fields
            .iter()
            .filter(|f| !f.name.starts_with("__"))
            .filter(|f| {
                let value_text = f.value.as_ref().map(|v| m.text_of(v.range)).unwrap_or("");
                let annotation = f.annotation.as_deref().unwrap_or("");
                value_text.contains("Column")
                    || value_text.contains("Field")
                    || value_text.contains("column")
                    || annotation.contains("Mapped")
                    || (is_sqlalchemy
                        && bases.iter().any(|b| b.contains("SQLModel"))
                        && !annotation.is_empty())
            })
            .map(|f| ModelField {
                name: f.name.clone(),
                hidden: false,
            })
            .collect();
        if bases
            .iter()
            .any(|b| b.contains("AbstractUser") || b.contains("AbstractBaseUser"))
        {
            fields.push(ModelField {
                name: "password".into(),
                hidden: false,
            });
        }
        let aliases: Vec<String> = class
            .fields
            .iter()
            .filter(|f| f.name == "__tablename__")
            .filter_map(|f| f.value.as_ref()?.as_str().map(str::to_string))
            .collect();
        let mut serializers = Vec::new();
        for method in &class.methods {
            let function = &m.functions[*method];
            let Some(method_name) = &function.name else {
                continue;
            };
            if !matches!(
                method_name.as_str(),
                "to_dict" | "as_dict" | "serialize" | "to_json" | "dict" | "json" | "toJSON"
            ) {
                continue;
            }
            serializers.push((method_name.clone(), serializer_fields(m, *method)));
        }
        inventory.add(DataModel {
            name: name.clone(),
            aliases,
            file: m.path.clone(),
            fields,
            serialized_safely: false,
            serializers,
        });
    }
    // `from django.contrib.auth.models import User`: the built-in user has a password.
    if m.imports.iter().any(|i| {
        i.source == "django.contrib.auth.models"
            && i.imported == crate::ir::Imported::Named("User".into())
    }) {
        inventory.add(DataModel {
            name: "User".into(),
            aliases: vec!["auth_user".into()],
            file: m.path.clone(),
            fields: vec![ModelField {
                name: "password".into(),
                hidden: false,
            }],
            serialized_safely: false,
            serializers: Vec::new(),
        });
    }
}

/// The keys a serializer method returns: explicit keys of a dict literal, or `None` when it
/// returns every column (`self.__dict__`, a comprehension over `__table__.columns`).
fn serializer_fields(m: &Module, method: usize) -> Option<Vec<String>> {
    let mut keys: Option<Vec<String>> = None;
    let mut every = false;
    m.functions[method].walk_stmts(&mut |stmt| {
        if let StmtKind::Return(Some(value)) = &stmt.kind {
            match &value.kind {
                ExprKind::Object(props) if !props.iter().any(|p| matches!(p, Prop::Spread(_))) => {
                    let found: Vec<String> = props
                        .iter()
                        .filter_map(|p| match p {
                            Prop::Pair {
                                key: PropKey::Name(name),
                                ..
                            } => Some(name.clone()),
                            _ => None,
                        })
                        .collect();
                    keys.get_or_insert_with(Vec::new).extend(found);
                }
                _ => every = true,
            }
        }
    });
    if every { None } else { keys }
}

/// Tables and columns from SQL text: `CREATE TABLE t (...)`, `INSERT INTO t (a, b)`,
/// `UPDATE t SET a = ...`.
pub fn sql_tables(text: &str, file: &str, inventory: &mut ModelInventory) {
    let upper = text.to_ascii_uppercase();
    if !(upper.contains("CREATE TABLE")
        || upper.contains("INSERT INTO")
        || upper.contains("UPDATE "))
    {
        return;
    }
    let mut search = 0;
    while let Some(position) = upper[search..].find("CREATE TABLE") {
        let start = search + position + "CREATE TABLE".len();
        search = start;
        let rest = &text[start..];
        let rest_upper = &upper[start..];
        let rest = if rest_upper.trim_start().starts_with("IF NOT EXISTS") {
            let skip = rest_upper.find("EXISTS").map_or(0, |i| i + "EXISTS".len());
            &rest[skip..]
        } else {
            rest
        };
        let Some(open) = rest.find('(') else { continue };
        let table = clean_identifier(&rest[..open]);
        let body = balanced(&rest[open..]);
        let fields = split_top_level(body)
            .into_iter()
            .filter_map(|column| {
                let first = column.split_whitespace().next()?;
                let first_upper = first.to_ascii_uppercase();
                if matches!(
                    first_upper.as_str(),
                    "PRIMARY" | "FOREIGN" | "UNIQUE" | "CONSTRAINT" | "CHECK" | "KEY" | "INDEX"
                ) {
                    return None;
                }
                Some(ModelField {
                    name: clean_identifier(first),
                    hidden: false,
                })
            })
            .collect();
        if !table.is_empty() {
            inventory.add(DataModel {
                name: table,
                aliases: Vec::new(),
                file: file.to_string(),
                fields,
                serialized_safely: false,
                serializers: Vec::new(),
            });
        }
    }
    // INSERT INTO t (a, b, c)
    let mut search = 0;
    while let Some(position) = upper[search..].find("INSERT INTO") {
        let start = search + position + "INSERT INTO".len();
        search = start;
        let rest = &text[start..];
        let Some(open) = rest.find('(') else { continue };
        let table_part = &rest[..open];
        if table_part.trim().contains(' ') || table_part.trim().is_empty() {
            continue;
        }
        let table = clean_identifier(table_part);
        let columns = split_top_level(balanced(&rest[open..]))
            .into_iter()
            .map(|c| ModelField {
                name: clean_identifier(c),
                hidden: false,
            })
            .filter(|f| !f.name.is_empty())
            .collect();
        inventory.add(DataModel {
            name: table,
            aliases: Vec::new(),
            file: file.to_string(),
            fields: columns,
            serialized_safely: false,
            serializers: Vec::new(),
        });
    }
    // UPDATE t SET a = ?, b = ?
    let mut search = 0;
    while let Some(position) = upper[search..].find("UPDATE ") {
        let start = search + position + "UPDATE ".len();
        search = start;
        let rest = &text[start..];
        let rest_upper = &upper[start..];
        let Some(set) = rest_upper.find(" SET ") else {
            continue;
        };
        let table = clean_identifier(&rest[..set]);
        if table.contains(' ') || table.is_empty() {
            continue;
        }
        let assignments = &rest[set + 5..];
        let end = assignments
            .to_ascii_uppercase()
            .find(" WHERE")
            .unwrap_or(assignments.len());
        let fields = assignments[..end]
            .split(',')
            .filter_map(|a| a.split('=').next())
            .map(|c| ModelField {
                name: clean_identifier(c),
                hidden: false,
            })
            .filter(|f| !f.name.is_empty() && !f.name.contains(' '))
            .collect();
        inventory.add(DataModel {
            name: table,
            aliases: Vec::new(),
            file: file.to_string(),
            fields,
            serialized_safely: false,
            serializers: Vec::new(),
        });
    }
}

fn clean_identifier(text: &str) -> String {
    let trimmed = text.trim().trim_matches(['"', '`', '[', ']', '\'']);
    let last = trimmed.rsplit('.').next().unwrap_or(trimmed);
    last.trim_matches(['"', '`', '[', ']', '\''])
        .trim()
        .to_string()
}

/// The text inside the parenthesis that `text` starts with.
fn balanced(text: &str) -> &str {
    let mut depth = 0;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[1..index];
                }
            }
            _ => {}
        }
    }
    text.get(1..).unwrap_or("")
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..index].trim());
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// Models of a Prisma schema: `model User { passwordHash String ... }`.
pub fn prisma_models(text: &str, file: &str, inventory: &mut ModelInventory) {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        let Some(rest) = trimmed.strip_prefix("model ") else {
            continue;
        };
        let name = rest.trim_end_matches('{').trim().to_string();
        let mut fields = Vec::new();
        let mut aliases = Vec::new();
        for body in lines.by_ref() {
            let body = body.trim();
            if body.starts_with('}') {
                break;
            }
            if let Some(map) = body.strip_prefix("@@map(") {
                aliases.push(map.trim_end_matches(')').trim_matches('"').to_string());
                continue;
            }
            if body.is_empty() || body.starts_with("//") || body.starts_with("@@") {
                continue;
            }
            if let Some(field) = body.split_whitespace().next() {
                fields.push(ModelField {
                    name: field.to_string(),
                    hidden: false,
                });
            }
        }
        inventory.add(DataModel {
            name,
            aliases,
            file: file.to_string(),
            fields,
            serialized_safely: false,
            serializers: Vec::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;
    use crate::parse::parse_module;

    fn inventory(files: &[(&str, &str)], other: &[(&str, &str)]) -> ModelInventory {
        let project = Project::new(
            files
                .iter()
                .map(|(p, t)| {
                    parse_module(p, Language::of_path(p).expect("lang"), (*t).into())
                        .expect("parse")
                })
                .collect(),
        );
        let other: Vec<(String, String)> = other
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        ModelInventory::build(&project, &other)
    }

    fn exposed(inventory: &ModelInventory, name: &str) -> Vec<String> {
        inventory
            .find(name)
            .map(|m| {
                m.exposed_sensitive_fields()
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_else(|| vec!["<unknown>".into()])
    }

    #[test]
    fn javascript_models_with_and_without_protection() {
        let inv = inventory(
            &[
                (
                    "models/user.js",
                    "const mongoose = require('mongoose');\nconst userSchema = new mongoose.Schema({ email: String, passwordHash: String });\nmodule.exports = mongoose.model('User', userSchema);\n",
                ),
                (
                    "models/account.js",
                    "const mongoose = require('mongoose');\nconst s = new mongoose.Schema({ email: String, password: { type: String, select: false } });\nmodule.exports = mongoose.model('Account', s);\n",
                ),
                (
                    "models/member.js",
                    "const mongoose = require('mongoose');\nconst s = new mongoose.Schema({ password: String });\ns.set('toJSON', { transform: (d, r) => { delete r.password; return r; } });\nmodule.exports = mongoose.model('Member', s);\n",
                ),
                (
                    "models/customer.js",
                    "const Customer = sequelize.define('Customer', { email: DataTypes.STRING, password: DataTypes.STRING }, { defaultScope: { attributes: { exclude: ['password'] } } });\n",
                ),
                (
                    "entity.ts",
                    "@Entity()\nexport class Admin { @Column() name: string; @Column() apiKey: string; }\n",
                ),
            ],
            &[(
                "prisma/schema.prisma",
                "model Person {\n  id Int @id\n  hashedPassword String\n  @@map(\"people\")\n}\n",
            )],
        );
        assert_eq!(exposed(&inv, "User"), ["passwordHash"]);
        assert_eq!(exposed(&inv, "users"), ["passwordHash"]);
        assert!(exposed(&inv, "Account").is_empty());
        assert!(exposed(&inv, "Member").is_empty());
        assert!(exposed(&inv, "Customer").is_empty());
        assert_eq!(exposed(&inv, "Admin"), ["apiKey"]);
        assert_eq!(exposed(&inv, "people"), ["hashedPassword"]);
    }

    #[test]
    fn python_models_and_sql_tables() {
        let inv = inventory(
            &[
                (
                    "models.py",
                    "class User(db.Model):\n    __tablename__ = 'accounts'\n    id = db.Column(db.Integer)\n    password_hash = db.Column(db.String)\n    def to_dict(self):\n        return {'id': self.id}\nclass Profile(models.Model):\n    bio = models.TextField()\n",
                ),
                (
                    "db.js",
                    "db.exec(`CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT, share_token TEXT, FOREIGN KEY (id) REFERENCES x(id))`);\ndb.run('INSERT INTO members (email, password) VALUES (?, ?)', []);\n",
                ),
            ],
            &[],
        );
        assert_eq!(exposed(&inv, "accounts"), ["password_hash"]);
        assert_eq!(
            inv.find("User")
                .and_then(|m| m.serializer_exposes("to_dict")),
            Some(vec![])
        );
        assert!(exposed(&inv, "Profile").is_empty());
        assert_eq!(exposed(&inv, "notes"), ["share_token"]);
        assert_eq!(exposed(&inv, "members"), ["password"]);
        assert_eq!(normalize("UserModel"), "user");
        assert_eq!(normalize("categories"), "category");
    }
}
