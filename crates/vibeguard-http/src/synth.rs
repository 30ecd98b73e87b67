//! Request values from schemas: valid ones (examples, defaults, enums, formats, constraints) to
//! reach the code behind validation, and invalid ones per type for the validation tests.
//! Everything is deterministic for a given seed, so a run can be replayed.

use serde_json::{Map, Number, Value, json};

use crate::spec::{Schema, SchemaType};

/// Objects nested deeper than this are left empty.
const MAX_DEPTH: usize = 6;
/// Properties beyond this many are not filled (generated schemas can be very wide).
const MAX_PROPERTIES: usize = 40;

/// A deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// An invalid value for one field, and what makes it invalid.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidValue {
    /// Human label, e.g. "a string where an integer is expected".
    pub label: String,
    /// The value.
    pub value: Value,
}

/// Produces values from schemas.
#[derive(Debug, Clone)]
pub struct Synthesizer {
    rng: Rng,
    counter: u64,
    required_only: bool,
    /// Sign-ups and logins name one account of the run's own (`vibeguard.signup@example.com`,
    /// `vibeguard_signup`): every sign-up probe makes (at most) that account, every login probe
    /// tries it — an operator injected into the password logs into an account that exists —
    /// and no probe ever names another account.
    signing_up: bool,
}

impl Synthesizer {
    /// A synthesizer with a seed.
    pub fn new(seed: u64) -> Synthesizer {
        Synthesizer {
            rng: Rng::new(seed),
            counter: 0,
            required_only: false,
            signing_up: false,
        }
    }

    /// The same generator naming the run's own account (`vibeguard.signup@example.com`,
    /// `vibeguard_signup`), for sign-ups and logins.
    pub fn signing_up(mut self) -> Synthesizer {
        self.signing_up = true;
        self
    }

    /// The same generator naming a fresh account each time (`vibeguard_7`): for sign-up probes
    /// that must not meet "that name is taken" before the field they test (the accounts are
    /// closed at the end like the run's own).
    pub fn fresh_accounts(mut self) -> Synthesizer {
        self.signing_up = false;
        self
    }

    /// The same generator with its numbered strings (`vibeguard-101`, `vibeguard.101@…`) counted
    /// from `start`: what one identity's objects are named, so that two identities' objects —
    /// and one identity's two — never share a name that keys them.
    pub fn numbered_from(mut self, start: u64) -> Synthesizer {
        self.counter = start;
        self
    }

    /// The same generator leaving out every optional property: the smallest valid object, for
    /// an API that refuses an optional field it cannot use (a URL it fails to fetch).
    pub fn required_only(mut self) -> Synthesizer {
        self.required_only = true;
        self
    }

    /// A valid value for `schema`; `name` (the field or parameter name) refines strings.
    pub fn valid(&mut self, schema: &Schema, name: &str) -> Value {
        self.valid_at(schema, name, 0)
    }

    fn valid_at(&mut self, schema: &Schema, name: &str, depth: usize) -> Value {
        if let Some(value) = schema
            .example
            .clone()
            .or_else(|| schema.default.clone())
            .or_else(|| schema.const_value.clone())
        {
            return value;
        }
        if let Some(first) = schema.enum_values.iter().find(|v| !v.is_null()) {
            return first.clone();
        }
        if schema.main_type().is_none()
            && let Some(alternative) = schema.alternatives.first()
        {
            return self.valid_at(alternative, name, depth);
        }
        match schema.main_type() {
            Some(SchemaType::Integer) => Value::Number(Number::from(self.integer(schema))),
            Some(SchemaType::Number) => {
                Number::from_f64(self.number(schema)).map_or(json!(1), Value::Number)
            }
            Some(SchemaType::Boolean) => Value::Bool(true),
            Some(SchemaType::Array) => {
                let count = schema.min_items.unwrap_or(1).clamp(1, 3);
                let item = schema.items.as_deref().cloned().unwrap_or_default();
                Value::Array(
                    (0..count)
                        .map(|_| self.valid_at(&item, name, depth + 1))
                        .collect(),
                )
            }
            Some(SchemaType::Object) => self.object(schema, depth),
            Some(SchemaType::Null) => Value::Null,
            Some(SchemaType::String) | None => Value::String(self.string(schema, name)),
        }
    }

    /// A valid object: every writable property (required ones first), bounded.
    fn object(&mut self, schema: &Schema, depth: usize) -> Value {
        let mut object = Map::new();
        if depth >= MAX_DEPTH {
            return Value::Object(object);
        }
        let mut names: Vec<&String> = schema.required.iter().collect();
        if !self.required_only {
            names.extend(
                schema
                    .properties
                    .iter()
                    .map(|(n, _)| n)
                    .filter(|n| !schema.required.contains(n)),
            );
        }
        for name in names.into_iter().take(MAX_PROPERTIES) {
            let Some(property) = schema.property(name) else {
                continue;
            };
            if property.read_only {
                continue;
            }
            let value = self.valid_at(property, name, depth + 1);
            object.insert(name.clone(), value);
        }
        // A confirmation field (`password_again`, `confirm_email`) holds what its field holds.
        let names: Vec<String> = object.keys().cloned().collect();
        for name in &names {
            if let Some(base) = confirmed_field(name, &names)
                && let Some(value) = object.get(&base).cloned()
            {
                object.insert(name.clone(), value);
            }
        }
        Value::Object(object)
    }

    fn integer(&mut self, schema: &Schema) -> i64 {
        let low = schema.minimum.map(|m| {
            if schema.exclusive_minimum {
                m.floor() as i64 + 1
            } else {
                m.ceil() as i64
            }
        });
        let high = schema.maximum.map(|m| {
            if schema.exclusive_maximum {
                m.ceil() as i64 - 1
            } else {
                m.floor() as i64
            }
        });
        match (low, high) {
            (Some(low), Some(high)) if high >= low => {
                low + self.rng.below((high - low).min(100) as u64 + 1) as i64
            }
            (Some(low), _) => low.saturating_add(self.rng.below(10) as i64),
            (None, Some(high)) => high.min(1 + self.rng.below(10) as i64),
            (None, None) => 1 + self.rng.below(99) as i64,
        }
    }

    fn number(&mut self, schema: &Schema) -> f64 {
        let low = schema.minimum.unwrap_or(0.0);
        let high = schema.maximum.unwrap_or(low + 100.0);
        let value = low + (high - low) / 2.0;
        if value.is_finite() { value } else { 1.0 }
    }

    /// A string honouring format, pattern and length; the field name picks a plausible value.
    fn string(&mut self, schema: &Schema, name: &str) -> String {
        self.counter += 1;
        let n = self.counter;
        // The run's own account, or a numbered name.
        let account = if self.signing_up {
            "signup".to_string()
        } else {
            n.to_string()
        };
        let lower = name.to_ascii_lowercase();
        let base = match schema.format.as_deref() {
            Some("email") => format!("vibeguard.{account}@example.com"),
            Some("uuid") => self.uuid(),
            Some("date-time") => "2026-01-15T10:30:00Z".to_string(),
            Some("date") => "2026-01-15".to_string(),
            Some("time") => "10:30:00Z".to_string(),
            // Reserved documentation names and addresses (RFC 2606, RFC 5737): safe to send.
            Some("uri" | "url" | "uri-reference" | "iri") => {
                "https://example.com/vibeguard".to_string()
            }
            Some("hostname") => "example.com".to_string(),
            Some("ipv4") => "192.0.2.10".to_string(),
            Some("ipv6") => "2001:db8::10".to_string(),
            Some("byte") => "dmliZWd1YXJk".to_string(),
            Some("password") => "Vibeguard-Test-Pa55!".to_string(),
            Some("binary") => "vibeguard".to_string(),
            _ if lower.contains("email") => format!("vibeguard.{account}@example.com"),
            _ if lower.contains("password") => "Vibeguard-Test-Pa55!".to_string(),
            _ if lower.contains("url") || lower.contains("uri") || lower.contains("website") => {
                "https://example.com/vibeguard".to_string()
            }
            _ if lower.contains("phone") => "+15555550100".to_string(),
            // Account names take no spaces anywhere (Django, GitHub-style handles).
            _ if lower.contains("username")
                || matches!(lower.as_str(), "login" | "handle" | "user" | "nickname") =>
            {
                format!("vibeguard_{account}")
            }
            _ if lower.contains("name") => format!("vibeguard test {n}"),
            _ => format!("vibeguard-{n}"),
        };
        let base = match &schema.pattern {
            Some(pattern) => pattern_string(pattern, &mut self.rng).unwrap_or(base),
            None => base,
        };
        fit_length(base, schema.min_length, schema.max_length)
    }

    fn uuid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            8 + (b >> 62),
            (b >> 48) & 0x0fff,
            b & 0xffff_ffff_ffff
        )
    }

    /// Invalid values for the field `name` of `schema`, most telling first: a text field that
    /// means an e-mail address, a URL, a phone number, a date or a UUID — by its format or, when
    /// the description gives none, by its name (`email`, `avatar_url`, `phoneNumber`,
    /// `birth_date`) — gets a malformed one of its kind first.
    pub fn invalid_named(&mut self, name: &str, schema: &Schema) -> Vec<InvalidValue> {
        let mut values = self.invalid(schema);
        let Some(meaning) = Meaning::of(name, schema) else {
            return values;
        };
        let (label, value) = meaning.malformed();
        values.retain(|invalid| invalid.label != label);
        values.insert(
            0,
            InvalidValue {
                label: label.to_string(),
                value: json!(value),
            },
        );
        values
    }

    /// Invalid values for a field of `schema`, most telling first.
    pub fn invalid(&mut self, schema: &Schema) -> Vec<InvalidValue> {
        let mut out = Vec::new();
        let mut push = |label: &str, value: Value| {
            out.push(InvalidValue {
                label: label.to_string(),
                value,
            })
        };
        match schema.main_type() {
            Some(SchemaType::Integer | SchemaType::Number) => {
                push("a string where a number is expected", json!("not-a-number"));
                if let Some(minimum) = schema.minimum {
                    push("a number below the minimum", json!(minimum - 1.0));
                } else {
                    push("a negative number", json!(-1));
                }
                if let Some(maximum) = schema.maximum {
                    push("a number above the maximum", json!(maximum + 1.0));
                }
                push("a huge number", json!(1e308));
                if schema.main_type() == Some(SchemaType::Integer) {
                    push("a fraction where an integer is expected", json!(1.5));
                }
            }
            Some(SchemaType::Boolean) => push("a string where a boolean is expected", json!("yes")),
            Some(SchemaType::Array) => push(
                "an object where an array is expected",
                json!({"not": "an array"}),
            ),
            Some(SchemaType::Object) => push(
                "an array where an object is expected",
                json!(["not", "an", "object"]),
            ),
            Some(SchemaType::Null) => {}
            Some(SchemaType::String) | None => {
                push("a number where a string is expected", json!(12345));
                if !schema.enum_values.is_empty() {
                    push("a value outside the enum", json!("vibeguard-not-in-enum"));
                }
                let over = schema
                    .max_length
                    .map_or(10_000, |max| max.saturating_add(1).min(100_000));
                push(
                    &format!("a string of {over} characters"),
                    Value::String("A".repeat(over as usize)),
                );
                if let Some(meaning) = Meaning::of_format(schema) {
                    let (label, value) = meaning.malformed();
                    push(label, json!(value));
                }
            }
        }
        if !schema.nullable() && schema.main_type().is_some() {
            out.push(InvalidValue {
                label: "null where a value is required".into(),
                value: Value::Null,
            });
        }
        out
    }
}

/// What a text field holds, when its format or name says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// An e-mail address.
    Email,
    /// A URL.
    Url,
    /// A phone number.
    Phone,
    /// A date or a time.
    Date,
    /// A UUID.
    Uuid,
}

impl Meaning {
    /// By the declared format only.
    fn of_format(schema: &Schema) -> Option<Meaning> {
        match schema.format.as_deref()? {
            "email" | "idn-email" => Some(Meaning::Email),
            "uri" | "url" | "iri" => Some(Meaning::Url),
            "uuid" => Some(Meaning::Uuid),
            "date" | "date-time" => Some(Meaning::Date),
            "phone" | "tel" => Some(Meaning::Phone),
            _ => None,
        }
    }

    /// By the declared format, else by the field's name (its last word: `email`,
    /// `contact_email`, `avatarUrl`, `phone_number`, `birth_date`), for text fields only.
    pub fn of(name: &str, schema: &Schema) -> Option<Meaning> {
        if !matches!(schema.main_type(), Some(SchemaType::String) | None)
            || !schema.enum_values.is_empty()
        {
            return None;
        }
        // A declared format says it; a declared pattern is the field's own rule, which a
        // value malformed by the name's meaning may well satisfy.
        if let Some(meaning) = Meaning::of_format(schema) {
            return Some(meaning);
        }
        if schema.pattern.is_some() {
            return None;
        }
        let words = vibeguard_core::words::words(name);
        let last = words.last()?.as_str();
        let before = words.len().checked_sub(2).and_then(|i| words.get(i));
        match (before.map(String::as_str), last) {
            (_, "email" | "mail" | "emailaddress") | (Some("email"), "address") => {
                Some(Meaning::Email)
            }
            (_, "url" | "uri" | "website" | "homepage" | "href" | "webhook") => Some(Meaning::Url),
            (_, "phone" | "telephone" | "mobile" | "tel")
            | (Some("phone" | "mobile"), "number") => Some(Meaning::Phone),
            (_, "date" | "birthday" | "birthdate" | "dob") => Some(Meaning::Date),
            (_, "uuid" | "guid") => Some(Meaning::Uuid),
            _ => None,
        }
    }

    /// The label and value of a malformed one.
    pub fn malformed(self) -> (&'static str, &'static str) {
        match self {
            Meaning::Email => ("a malformed email address", "not-an-email"),
            Meaning::Url => ("a malformed URL", "not a url"),
            Meaning::Phone => ("a malformed phone number", "call-me-maybe"),
            Meaning::Date => ("a malformed date", "yesterday"),
            Meaning::Uuid => ("a malformed UUID", "not-a-uuid"),
        }
    }
}

fn fit_length(mut text: String, min: Option<u64>, max: Option<u64>) -> String {
    let length = text.chars().count() as u64;
    if let Some(min) = min
        && length < min
    {
        text.push_str(&"x".repeat((min - length).min(10_000) as usize));
    }
    if let Some(max) = max
        && text.chars().count() as u64 > max
    {
        text = text.chars().take(max as usize).collect();
    }
    text
}

/// A string matching a simple regular expression (literals, escapes, classes, groups with
/// alternation, quantifiers); `None` when the pattern uses something else or the result does
/// not match (checked with the `regex` crate).
pub fn pattern_string(pattern: &str, rng: &mut Rng) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut index = 0;
    let text = generate_sequence(&chars, &mut index, rng, 0)?;
    let matches = regex::Regex::new(pattern).ok()?.is_match(&text);
    matches.then_some(text)
}

fn generate_sequence(
    chars: &[char],
    index: &mut usize,
    rng: &mut Rng,
    depth: usize,
) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let mut out = String::new();
    while *index < chars.len() {
        let c = chars[*index];
        let atom: Vec<char> = match c {
            '^' | '$' => {
                *index += 1;
                continue;
            }
            ')' => return Some(out),
            '|' => {
                // First alternative only: skip the rest of this group.
                let mut level = 0;
                while *index < chars.len() {
                    match chars[*index] {
                        '(' => level += 1,
                        ')' if level == 0 => return Some(out),
                        ')' => level -= 1,
                        '\\' => *index += 1,
                        _ => {}
                    }
                    *index += 1;
                }
                return Some(out);
            }
            '(' => {
                *index += 1;
                if chars.get(*index) == Some(&'?') {
                    *index += 2; // (?: … )
                }
                let inner = generate_sequence(chars, index, rng, depth + 1)?;
                *index += 1; // ')'
                let repeat = quantifier(chars, index, rng)?;
                out.push_str(&inner.repeat(repeat));
                continue;
            }
            '[' => {
                *index += 1;
                let class = class(chars, index)?;
                vec![class[rng.below(class.len() as u64) as usize]]
            }
            '\\' => {
                *index += 1;
                let escaped = *chars.get(*index)?;
                *index += 1;
                vec![match escaped {
                    'd' => char::from(b'0' + rng.below(10) as u8),
                    'w' => 'a',
                    's' => ' ',
                    other if other.is_ascii_alphanumeric() => return None,
                    other => other,
                }]
            }
            '.' => {
                *index += 1;
                vec!['a']
            }
            '*' | '+' | '?' | '{' => return None,
            literal => {
                *index += 1;
                vec![literal]
            }
        };
        let repeat = quantifier(chars, index, rng)?;
        for _ in 0..repeat {
            out.extend(atom.iter());
        }
    }
    Some(out)
}

fn class(chars: &[char], index: &mut usize) -> Option<Vec<char>> {
    let mut members = Vec::new();
    if chars.get(*index) == Some(&'^') {
        return None;
    }
    while *index < chars.len() && chars[*index] != ']' {
        let c = chars[*index];
        if c == '\\' {
            *index += 1;
            match chars.get(*index)? {
                'd' => members.extend('0'..='9'),
                'w' => members.extend('a'..='z'),
                other => members.push(*other),
            }
            *index += 1;
        } else if chars.get(*index + 1) == Some(&'-')
            && chars.get(*index + 2).is_some_and(|e| *e != ']')
        {
            let end = chars[*index + 2];
            members.extend(c..=end);
            *index += 3;
        } else {
            members.push(c);
            *index += 1;
        }
    }
    *index += 1;
    (!members.is_empty()).then_some(members)
}

/// Reads a quantifier after an atom; returns how many times to repeat it.
fn quantifier(chars: &[char], index: &mut usize, rng: &mut Rng) -> Option<usize> {
    match chars.get(*index) {
        Some('?') => {
            *index += 1;
            Some(1)
        }
        Some('*') | Some('+') => {
            *index += 1;
            Some(1 + rng.below(3) as usize)
        }
        Some('{') => {
            let close = chars[*index..].iter().position(|c| *c == '}')? + *index;
            let body: String = chars[*index + 1..close].iter().collect();
            *index = close + 1;
            let (low, high) = match body.split_once(',') {
                Some((low, "")) => (
                    low.trim().parse().ok()?,
                    low.trim().parse::<usize>().ok()? + 2,
                ),
                Some((low, high)) => (low.trim().parse().ok()?, high.trim().parse().ok()?),
                None => {
                    let n = body.trim().parse().ok()?;
                    (n, n)
                }
            };
            Some(low.max(1).min(high.max(1)).min(64))
        }
        _ => Some(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::schema::{RefResolver, SchemaReader};

    struct NoRefs;
    impl RefResolver for NoRefs {
        fn resolve(&self, _: &str) -> Option<(String, Value)> {
            None
        }
    }

    fn schema(value: Value) -> Schema {
        SchemaReader::new(&NoRefs).read(&value)
    }

    #[test]
    fn valid_values_follow_examples_enums_formats_and_constraints() {
        let mut synth = Synthesizer::new(7);
        assert_eq!(
            synth.valid(&schema(json!({"type": "string", "example": "milk"})), "q"),
            json!("milk")
        );
        assert_eq!(
            synth.valid(
                &schema(json!({"type": "string", "enum": ["open", "done"]})),
                "s"
            ),
            json!("open")
        );
        let email = synth.valid(&schema(json!({"type": "string", "format": "email"})), "x");
        assert!(email.as_str().is_some_and(|e| e.contains('@')));
        let bounded = synth.valid(
            &schema(json!({"type": "integer", "minimum": 5, "maximum": 7})),
            "n",
        );
        assert!((5..=7).contains(&bounded.as_i64().expect("int")));
        let short = synth.valid(
            &schema(json!({"type": "string", "minLength": 12, "maxLength": 12})),
            "code",
        );
        assert_eq!(short.as_str().map(|s| s.len()), Some(12));
        let uuid = synth.valid(&schema(json!({"type": "string", "format": "uuid"})), "id");
        assert!(
            regex::Regex::new(
                "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
            )
            .expect("re")
            .is_match(uuid.as_str().expect("str"))
        );
        let body = synth.valid(&schema(json!({"type": "object", "required": ["title"], "properties": {"id": {"type": "integer", "readOnly": true}, "title": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}})), "");
        assert!(body.get("id").is_none(), "read-only fields are not sent");
        assert!(body["title"].is_string() && body["tags"].is_array());
    }

    #[test]
    fn the_same_seed_gives_the_same_values() {
        let s = schema(
            json!({"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "n": {"type": "integer"}}}),
        );
        assert_eq!(
            Synthesizer::new(1).valid(&s, ""),
            Synthesizer::new(1).valid(&s, "")
        );
        assert_ne!(
            Synthesizer::new(1).valid(&s, ""),
            Synthesizer::new(2).valid(&s, "")
        );
    }

    #[test]
    fn patterns_generate_matching_strings_or_fall_back() {
        let mut rng = Rng::new(3);
        for pattern in [
            "^[A-Z]{3}-\\d{4}$",
            "^(foo|bar)[a-z0-9_]+$",
            "^\\+?[0-9]{10,12}$",
            "^v\\d+\\.\\d+$",
        ] {
            let text = pattern_string(pattern, &mut rng).unwrap_or_else(|| panic!("{pattern}"));
            assert!(
                regex::Regex::new(pattern).expect("re").is_match(&text),
                "{pattern} → {text}"
            );
        }
        assert_eq!(pattern_string("^(?<name>x)\\p{L}+$", &mut rng), None);
    }

    #[test]
    fn text_fields_are_probed_by_what_their_name_or_format_means() {
        let text = || Schema {
            types: vec![SchemaType::String],
            ..Schema::default()
        };
        let mut synth = Synthesizer::new(7);
        for (name, expected) in [
            ("email", Some(Meaning::Email)),
            ("contactEmail", Some(Meaning::Email)),
            ("email_address", Some(Meaning::Email)),
            ("avatar_url", Some(Meaning::Url)),
            ("photoURL", Some(Meaning::Url)),
            ("website", Some(Meaning::Url)),
            ("phone_number", Some(Meaning::Phone)),
            ("mobile", Some(Meaning::Phone)),
            ("birth_date", Some(Meaning::Date)),
            ("dueDate", Some(Meaning::Date)),
            ("title", None),
            ("emailed", None),
            ("urlencoded_note", None),
            ("number", None),
            ("updated", None),
        ] {
            assert_eq!(Meaning::of(name, &text()), expected, "{name}");
            let first = synth.invalid_named(name, &text()).remove(0);
            match expected {
                Some(meaning) => assert_eq!(first.label, meaning.malformed().0, "{name}"),
                None => assert_eq!(first.label, "a number where a string is expected", "{name}"),
            }
        }
        // The declared format wins, and says it for any name; once, first.
        let mut declared = text();
        declared.format = Some("email".into());
        let values = synth.invalid_named("login", &declared);
        assert_eq!(values[0].label, "a malformed email address");
        assert_eq!(
            values
                .iter()
                .filter(|v| v.label == "a malformed email address")
                .count(),
            1
        );
        // Not for numbers, enums, or a field with its own pattern.
        let number = Schema {
            types: vec![SchemaType::Integer],
            ..Schema::default()
        };
        assert_eq!(Meaning::of("phone", &number), None);
        let mut patterned = text();
        patterned.pattern = Some("^[0-9 +]+$".into());
        assert_eq!(Meaning::of("phone", &patterned), None);
        let mut listed = text();
        listed.enum_values = vec![json!("a@example.com")];
        assert_eq!(Meaning::of("email", &listed), None);
    }

    #[test]
    fn invalid_values_cover_each_type() {
        let mut synth = Synthesizer::new(1);
        let integer = synth.invalid(&schema(
            json!({"type": "integer", "minimum": 0, "maximum": 10}),
        ));
        let labels: Vec<&str> = integer.iter().map(|i| i.label.as_str()).collect();
        assert!(labels.contains(&"a string where a number is expected"));
        assert!(labels.contains(&"a number below the minimum"));
        assert!(labels.contains(&"a number above the maximum"));
        let string = synth.invalid(&schema(
            json!({"type": "string", "maxLength": 5, "format": "email", "enum": ["a"]}),
        ));
        assert!(
            string
                .iter()
                .any(|i| i.value.as_str().is_some_and(|s| s.len() == 6))
        );
        assert!(
            string
                .iter()
                .any(|i| i.label == "a malformed email address")
        );
        assert!(string.iter().any(|i| i.value.is_null()));
    }

    #[test]
    fn required_only_leaves_out_every_optional_field() {
        let body = schema(
            json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "photo_url": {"type": "string"}}}),
        );
        let full = Synthesizer::new(3).valid(&body, "");
        assert!(full.get("photo_url").is_some());
        let minimal = Synthesizer::new(3).required_only().valid(&body, "");
        assert!(minimal.get("name").is_some());
        assert!(minimal.get("photo_url").is_none());
    }

    #[test]
    fn account_names_take_no_spaces_and_display_names_do() {
        let text = schema(json!({"type": "string"}));
        let mut synth = Synthesizer::new(1);
        let username = synth.valid(&text, "username");
        assert!(
            !username.as_str().unwrap_or(" ").contains(' '),
            "{username}"
        );
        let full = synth.valid(&text, "full_name");
        assert!(full.as_str().unwrap_or("").contains(' '), "{full}");
    }
}

/// The field a confirmation field repeats, among `names`: `password_again`, `password2`,
/// `confirm_password`, `password_confirmation`, `passwordConfirm`, `repeat_password`,
/// `new_password_again` → `password`/`new_password`; `confirm_email`, `email_confirmation`
/// → `email`. Forms refuse when the two differ, so every value goes into both.
pub fn confirmed_field(name: &str, names: &[String]) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let mut base = lower.clone();
    for marker in [
        "_again",
        "again",
        "_confirmation",
        "confirmation",
        "_confirm",
        "confirm",
        "_repeat",
        "repeat",
        "_verify",
        "verify",
        "2",
        "_",
    ] {
        base = base
            .strip_prefix(marker.trim_start_matches('_'))
            .map(|rest| rest.trim_start_matches('_').to_string())
            .unwrap_or(base);
        base = base
            .strip_suffix(marker)
            .map(str::to_string)
            .unwrap_or(base);
    }
    // Only credentials and contact fields are confirmed (`address2` is a second line).
    let confirmable = ["pass", "pwd", "mail", "pin", "phone"]
        .iter()
        .any(|word| base.contains(word));
    if base == lower || base.is_empty() || !confirmable {
        return None;
    }
    names
        .iter()
        .find(|candidate| candidate.to_ascii_lowercase() == base && candidate.as_str() != name)
        .cloned()
}

#[cfg(test)]
mod confirmation_tests {
    use super::confirmed_field;

    #[test]
    fn confirmation_fields_name_the_field_they_repeat() {
        let names: Vec<String> = [
            "password",
            "password_again",
            "password2",
            "confirm_password",
            "password_confirmation",
            "passwordConfirm",
            "email",
            "confirm_email",
            "new_password",
            "new_password_again",
            "username",
            "again",
            "address",
            "address2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let base = |name: &str| confirmed_field(name, &names);
        assert_eq!(base("password_again").as_deref(), Some("password"));
        assert_eq!(base("password2").as_deref(), Some("password"));
        assert_eq!(base("confirm_password").as_deref(), Some("password"));
        assert_eq!(base("password_confirmation").as_deref(), Some("password"));
        assert_eq!(base("passwordConfirm").as_deref(), Some("password"));
        assert_eq!(base("confirm_email").as_deref(), Some("email"));
        assert_eq!(base("new_password_again").as_deref(), Some("new_password"));
        assert_eq!(base("password"), None);
        assert_eq!(base("username"), None);
        assert_eq!(base("email"), None);
        assert_eq!(base("again"), None);
        assert_eq!(base("address2"), None);
    }
}
