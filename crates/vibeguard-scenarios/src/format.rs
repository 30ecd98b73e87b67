//! The scenario file format, as YAML reads it: a file holds shared `vars` and a list of
//! `scenarios`; a scenario holds ordered `steps`; a step is one request with what to `capture`
//! from its answer and what to `expect` of it. Every key is checked (`deny_unknown_fields`):
//! a misspelt assertion is an error, never an assertion silently skipped. What the keys mean is
//! in docs/scenarios.md and, for editors, docs/scenario.schema.json.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_saphyr::Spanned;

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Values every scenario of the file can use as `${name}`.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// The scenarios, run in order.
    pub scenarios: Vec<Spanned<Scenario>>,
}

/// One security requirement, as a sequence of requests and expectations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What it checks, said as the requirement ("a request without a token is refused").
    pub name: String,
    /// A longer explanation, shown with a failure.
    #[serde(default)]
    pub description: Option<String>,
    /// The checklist items it verifies (`AUTH-01`).
    #[serde(default)]
    pub checklist: Vec<Spanned<String>>,
    /// The severity of its failure (`critical`, `high`, `medium`, `low`, `info`); `medium` by
    /// default.
    #[serde(default)]
    pub severity: Option<Spanned<String>>,
    /// It sends requests that delete or change data (`DELETE` steps): run only with
    /// `--allow-destructive`.
    #[serde(default)]
    pub destructive: bool,
    /// Values of its own, over the file's.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Runs the steps once per operation of the API's surface that matches (a surface-wide
    /// scenario): a step without `path` sends that operation.
    #[serde(default)]
    pub for_each_operation: Option<Spanned<OperationFilter>>,
    /// The steps, in order; a failed step ends the scenario.
    pub steps: Vec<Spanned<Step>>,
    /// Environment values may have any name, not only capitals (a Hurl file's `{{token}}`).
    #[serde(skip)]
    pub env_any_case: bool,
}

/// One request and what is expected of its answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// How the step reads in results; `METHOD path` when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// The HTTP method; `GET` by default (in a surface-wide scenario, the operation's when the
    /// step has no `path`).
    #[serde(default)]
    pub method: Option<String>,
    /// The path under the target (`/api/notes/{note_id}`): `{name}` and `${name}` take a
    /// variable's or an earlier capture's value, percent-encoded in the path. Required, except
    /// in a surface-wide scenario, where a step without it sends the operation.
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    /// Query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (strings interpolated).
    #[serde(default)]
    pub json: Option<Value>,
    /// A form body (`application/x-www-form-urlencoded`).
    #[serde(default)]
    pub form: Option<BTreeMap<String, String>>,
    /// A `multipart/form-data` body: each field a text, or a file
    /// (`{file: name.png, content: "…", type: image/png}`).
    #[serde(default)]
    pub multipart: Option<BTreeMap<String, MultipartField>>,
    /// Who sends it: a configured identity's name, or `anonymous` (the default).
    #[serde(default, rename = "as")]
    pub caller: Option<Spanned<String>>,
    /// Values taken from the answer for later steps, by name.
    #[serde(default)]
    pub capture: BTreeMap<String, Spanned<Capture>>,
    /// Sends the step this many times; `expect` judges the last answer, and `${iteration}`
    /// counts 1, 2, … (a login tried 20 times must end in 429).
    #[serde(default)]
    pub repeat: Option<Spanned<u32>>,
    /// Sends the step once per value; every answer must meet `expect`.
    #[serde(default)]
    pub for_each: Option<Spanned<ForEach>>,
    /// What the answer must be.
    #[serde(default)]
    pub expect: Expect,
}

/// A field of a multipart body.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MultipartField {
    /// A text field (interpolated).
    Text(String),
    /// A file.
    File(MultipartFile),
}

/// A file of a multipart body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultipartFile {
    /// Its file name (interpolated).
    pub file: String,
    /// Its content, as text (interpolated).
    #[serde(default)]
    pub content: String,
    /// Its content type; `application/octet-stream` when absent.
    #[serde(default, rename = "type")]
    pub content_type: Option<String>,
}

/// Which operations a surface-wide scenario runs on: each key given narrows them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationFilter {
    /// Their methods.
    #[serde(default, deserialize_with = "one_or_many")]
    pub method: Vec<String>,
    /// A glob over their path templates: `*` is one segment, `**` any number (`/api/**`).
    #[serde(default)]
    pub path: Option<String>,
    /// Globs of paths left out.
    #[serde(default, deserialize_with = "one_or_many")]
    pub exclude: Vec<String>,
    /// One of their tags (from the description).
    #[serde(default, deserialize_with = "one_or_many")]
    pub tag: Vec<String>,
    /// `true`: those the description (or the code's auth) secures; `false`: those declared
    /// public.
    #[serde(default)]
    pub secured: Option<bool>,
    /// Whether their path has a parameter (`/notes/{id}`).
    #[serde(default)]
    pub has_path_param: Option<bool>,
    /// An identity whose objects fill the last path parameter: each entry of the collection
    /// (`GET /notes` for `/notes/{id}`) as that identity lists it, up to 20, until one fails.
    #[serde(default)]
    pub objects_of: Option<Spanned<String>>,
}

/// The values a step is sent with, one request per value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForEach {
    /// The variable that takes each value (`${payload}`).
    pub var: String,
    /// The values, given here.
    #[serde(default)]
    pub values: Vec<String>,
    /// A payload list that ships with vibeguard (`sql`, `nosql`, `command`, `traversal`,
    /// `xss`), or a file of one value a line next to the scenario file.
    #[serde(default)]
    pub payloads: Option<String>,
}

/// Where a captured value is in the answer: exactly one of the keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// A JSON pointer (`/data/id`) or a simple JSONPath (`$.data.id`, `$.items[0].id`).
    #[serde(default)]
    pub json: Option<String>,
    /// A response header.
    #[serde(default)]
    pub header: Option<String>,
    /// A cookie the answer sets.
    #[serde(default)]
    pub cookie: Option<String>,
    /// A regular expression over the body: its first group, else the whole match.
    #[serde(default)]
    pub regex: Option<String>,
}

/// What the answer of a step must be. Every key given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status: a number, a class (`4xx`), or a list of either.
    #[serde(default)]
    pub status: Option<Spanned<Value>>,
    /// Headers by name: `{present: true}`, `{absent: true}`, `{equals: …}`, `{matches: …}`.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderExpect>,
    /// The body as text.
    #[serde(default)]
    pub body: Option<BodyExpect>,
    /// Values in the JSON body.
    #[serde(default)]
    pub json: Vec<Spanned<JsonExpect>>,
    /// The answer came within this many milliseconds.
    #[serde(default)]
    pub max_ms: Option<u64>,
    /// The body equals an earlier step's (by its name).
    #[serde(default)]
    pub same_as: Option<Spanned<String>>,
    /// The body differs from an earlier step's (by its name).
    #[serde(default)]
    pub differs_from: Option<Spanned<String>>,
    /// What the answer shows nowhere: `sensitive_fields` (password hashes, passwords, secrets,
    /// tokens outside the login flow, card numbers in a JSON body), `password_hashes` (in any
    /// text), `private_keys`, `internals` (stack traces, SQL and ORM errors, debug pages,
    /// server paths).
    #[serde(default, deserialize_with = "one_or_many")]
    pub free_of: Vec<String>,
    /// The JSON body conforms to the schema the API's description gives for this status of
    /// the operation.
    #[serde(default)]
    pub matches_schema: Option<bool>,
}

/// An expectation about one header.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpect {
    /// The header is there.
    #[serde(default)]
    pub present: Option<bool>,
    /// The header is not there.
    #[serde(default)]
    pub absent: Option<bool>,
    /// Its value, exactly.
    #[serde(default)]
    pub equals: Option<String>,
    /// A regular expression its value matches.
    #[serde(default)]
    pub matches: Option<String>,
}

/// Expectations about the body as text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyExpect {
    /// Texts the body holds.
    #[serde(default, deserialize_with = "one_or_many")]
    pub contains: Vec<String>,
    /// Texts the body does not hold.
    #[serde(default, deserialize_with = "one_or_many")]
    pub not_contains: Vec<String>,
    /// Regular expressions the body matches.
    #[serde(default, deserialize_with = "one_or_many")]
    pub matches: Vec<String>,
    /// Regular expressions the body does not match.
    #[serde(default, deserialize_with = "one_or_many")]
    pub not_matches: Vec<String>,
    /// Compare without regard to case.
    #[serde(default)]
    pub case_insensitive: bool,
}

/// An expectation about one value of the JSON body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonExpect {
    /// Where: a JSON pointer (`/user/role`) or a simple JSONPath (`$.user.role`).
    pub path: String,
    /// The value, exactly (strings interpolated).
    #[serde(default)]
    pub equals: Option<Value>,
    /// Whether there is a value there.
    #[serde(default)]
    pub exists: Option<bool>,
    /// There is no value there (the same as `exists: false`).
    #[serde(default)]
    pub absent: Option<bool>,
    /// A regular expression its text matches.
    #[serde(default)]
    pub matches: Option<String>,
    /// Its JSON type: `string`, `number`, `integer`, `boolean`, `array`, `object`, `null`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The length of the array, object or string there.
    #[serde(default)]
    pub length: Option<u64>,
}

/// A text or a list of texts.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(text) => vec![text],
        OneOrMany::Many(list) => list,
    })
}
