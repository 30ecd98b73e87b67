//! Objects vibeguard creates to test with, and removes afterwards.
//!
//! A `POST` on a collection (`/notes`) that returns an id feeds the `{id}` of the item
//! operations (`GET/PUT/PATCH/DELETE /notes/{id}`); OpenAPI `links` say the same explicitly when
//! present. Tests that change or delete act on these objects only (unless
//! `--allow-destructive`), and each is deleted by its owner at the end.

use serde_json::Value;

use crate::http::{Request, Response};
use crate::spec::{ApiSpec, Operation};

/// An object created by an identity.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedObject {
    /// The collection it was created in, e.g. `/notes`.
    pub collection: String,
    /// The item path template, e.g. `/notes/{id}`.
    pub item_path: String,
    /// The path parameter its id fills.
    pub param: String,
    /// Its id.
    pub value: String,
    /// The identity that created (owns) it.
    pub owner: usize,
    /// Which of the owner's objects in this collection it is (0, 1, …).
    pub slot: u8,
    /// The creation answer's body.
    pub body: Option<Value>,
    /// The values of the collection's own path parameters it was created under
    /// (`venue_id` of `/venues/{venue_id}/bookings`): its item path needs them too.
    pub parents: Vec<(String, String)>,
}

impl CreatedObject {
    /// The value this object gives a path parameter: its key, or a parent's.
    pub fn value_of(&self, param: &str) -> Option<&str> {
        if self.param == param {
            return Some(&self.value);
        }
        self.parents
            .iter()
            .find(|(name, _)| name == param)
            .map(|(_, value)| value.as_str())
    }

    /// The value this object gives the parameter `param` of `path` (one of its own operations
    /// or a sub-resource's): by position in its item path, whatever name the path gives it;
    /// by name where the positions say nothing.
    pub fn value_in(&self, path: &str, param: &str) -> Option<&str> {
        let wanted = format!("{{{param}}}");
        let index = path.trim_matches('/').split('/').position(|s| s == wanted);
        index
            .and_then(|index| self.item_path.trim_matches('/').split('/').nth(index))
            .and_then(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .and_then(|name| self.value_of(name))
            .or_else(|| self.value_of(param))
    }

    /// Its item path with every parameter filled (percent-encoded).
    pub fn item_url_path(&self) -> String {
        filled_item_path(&self.item_path, &self.param, &self.value, &self.parents)
    }
}

/// An item path (`/venues/{venue_id}/bookings/{id}`) with its key and its parents' values
/// filled, percent-encoded: where an object lives.
pub fn filled_item_path(
    item_path: &str,
    param: &str,
    value: &str,
    parents: &[(String, String)],
) -> String {
    let mut path = item_path.to_string();
    for (name, value) in parents
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain([(param, value)])
    {
        path = path.replace(
            &format!("{{{name}}}"),
            &crate::checks::encode_segment(value),
        );
    }
    path
}

/// The values a concrete path gives a template's parameters (`/venues/{venue_id}/bookings` and
/// `/venues/7f3a…/bookings` give `venue_id = 7f3a…`), decoded; `None` when they do not match.
pub fn path_values(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template: Vec<&str> = template.trim_matches('/').split('/').collect();
    let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
    if template.len() != actual.len() {
        return None;
    }
    let mut values = Vec::new();
    for (part, segment) in template.iter().zip(&actual) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => values.push((
                name.to_string(),
                percent_encoding::percent_decode_str(segment)
                    .decode_utf8_lossy()
                    .into_owned(),
            )),
            None if part == segment => {}
            None => return None,
        }
    }
    Some(values)
}

/// A path's shape: its parameters written `{}`, no trailing slash — `/venues/{id}/bookings/`
/// and `/venues/{venue_id}/bookings` are one collection, whatever each route names its keys.
pub fn shape(path: &str) -> String {
    path.trim_end_matches('/')
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "{}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A way to create objects: a collection `POST` and the item path its ids feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Producer {
    /// Index of the `POST` operation.
    pub create: usize,
    /// The item path template.
    pub item_path: String,
    /// The item path's parameter.
    pub param: String,
    /// JSON pointer of the id in the answer, when a link says so.
    pub id_pointer: Option<String>,
    /// Index of the `DELETE` on the item, when there is one.
    pub delete: Option<usize>,
}

impl Producer {
    /// The values of the collection's parameters in the path an object was created at
    /// (`/venues/7f3a…/bookings`), by the names its item path gives them (`venue_id` of
    /// `/venues/{venue_id}/bookings/{booking_id}`, though the create may say `{id}`).
    pub fn parents(&self, created_at: &str) -> Vec<(String, String)> {
        let item = self.item_path.trim_end_matches('/');
        let collection = item
            .rsplit_once('/')
            .map_or("", |(collection, _)| collection);
        path_values(collection, created_at).unwrap_or_default()
    }
}

/// Finds the producers of a description, parents before children (`POST /venues` before
/// `POST /venues/{venue_id}/bookings`, which needs a venue to create in).
pub fn producers(spec: &ApiSpec) -> Vec<Producer> {
    let mut out = unordered_producers(spec);
    out.sort_by_key(|producer| spec.operations[producer.create].path_params().len());
    out
}

fn unordered_producers(spec: &ApiSpec) -> Vec<Producer> {
    let mut out = Vec::new();
    for (index, create) in spec.operations.iter().enumerate() {
        if create.method != "POST" || create.path.trim_end_matches('/').ends_with('}') {
            continue;
        }
        // An explicit link wins.
        let linked = create.links.iter().find_map(|link| {
            let target = spec.operation_by_id(&link.operation_id)?;
            let (param, expression) = link.parameters.first()?;
            let pointer = expression.strip_prefix("$response.body#")?.to_string();
            Some((target.path.clone(), param.clone(), Some(pointer)))
        });
        let inferred = || {
            // `/tickets/{id}` and Django's `/tickets/{id}/` alike; and a parent's key named
            // differently by the create and its items (`/venues/{id}/bookings`, Express's
            // `/:venueId/bookings/:bookingId`): the same shape.
            let items = format!("{}/{{}}", shape(&create.path));
            spec.operations.iter().find_map(|item| {
                let last = item.path.trim_end_matches('/').rsplit('/').next()?;
                let param = last.strip_prefix('{')?.strip_suffix('}')?;
                (shape(&item.path) == items).then(|| (item.path.clone(), param.to_string(), None))
            })
        };
        let Some((item_path, param, id_pointer)) = linked.or_else(inferred) else {
            continue;
        };
        // `DELETE /notes/{id}`, or a form's `POST /notes/{id}/delete`.
        let delete =
            spec.operations
                .iter()
                .position(|op| op.method == "DELETE" && op.path == item_path)
                .or_else(|| {
                    spec.operations.iter().position(|op| {
                        op.deletes()
                            && op.path.trim_end_matches('/').rsplit_once('/').is_some_and(
                                |(object, _)| object == item_path.trim_end_matches('/'),
                            )
                    })
                });
        out.push(Producer {
            create: index,
            item_path,
            param,
            id_pointer,
            delete,
        });
    }
    out
}

/// The key of the created object: from the creation answer (the linked pointer, a usual id
/// field, the last segment of `Location`), or — when the answer echoes nothing — the value the
/// request itself sent for the item's key (`{"title": "…"}` for `/books/{title}`): objects keyed
/// by a name are keyed by what their creator chose.
pub fn created_id(
    request: &Request,
    response: &Response,
    producer: &Producer,
    create: &Operation,
) -> Option<String> {
    id_in_answer(response, producer, create).or_else(|| key_sent(request, &producer.param))
}

/// The value a creation request sent for the item path's parameter: the field of that name, or
/// for a generic key (`{key}`, `{ref}`, `{book_title}`) the usual naming fields (`slug`, `name`, `title`,
/// `username`). JSON and form bodies.
pub fn key_sent(request: &Request, param: &str) -> Option<String> {
    let (_, body) = crate::checks::auth_flows::login_fields(request)?;
    let fields: Vec<(String, String)> = body
        .into_iter()
        .filter_map(|(name, value)| Some((name, scalar(&value)?)))
        .collect();
    let normal = |name: &str| name.to_ascii_lowercase().replace(['_', '-'], "");
    let wanted = normal(param);
    if let Some((_, value)) = fields.iter().find(|(name, _)| normal(name) == wanted) {
        return Some(value.clone());
    }
    // `/books/{book_title}` keyed by `title`; `/tags/{key}` by `name` or `slug`.
    ["slug", "username", "name", "title", "key", "code"]
        .iter()
        .filter(|key| wanted.ends_with(*key) || matches!(wanted.as_str(), "key" | "ref"))
        .find_map(|key| {
            fields
                .iter()
                .find(|(name, _)| normal(name) == *key)
                .map(|(_, value)| value.clone())
        })
}

fn id_in_answer(response: &Response, producer: &Producer, create: &Operation) -> Option<String> {
    let body = response.json();
    if let (Some(body), Some(pointer)) = (&body, &producer.id_pointer)
        && let Some(id) = body.pointer(pointer).and_then(scalar)
    {
        return Some(id);
    }
    if let Some(id) = body
        .as_ref()
        .and_then(|body| id_in_object(body, producer, create))
    {
        return Some(id);
    }
    let location = response.header("location")?;
    let segment = location.trim_end_matches('/').rsplit('/').next()?;
    (!segment.is_empty()).then(|| segment.to_string())
}

/// The id of an object (a creation answer, an entry of a list): the item path's parameter, or
/// a usual id field, at the top or under a usual wrapper.
fn id_in_object(body: &Value, producer: &Producer, create: &Operation) -> Option<String> {
    vibeguard_http::body::object_id(body, &producer.param, &create.path)
}

/// The entries of a list answer (see [`vibeguard_http::body::list_entries`]).
pub fn list_entries(body: &Value) -> &[Value] {
    vibeguard_http::body::list_entries(body)
}

/// The id of the object a create made, found in a list answer (`GET` on the same collection)
/// by the values the create sent: for APIs whose creates answer `{"success": true}` and
/// nothing else. Each entry is scored by the text values it repeats less those it holds
/// otherwise (a server sets `ownerId` itself, trims a note); the best entry that repeats more
/// than it contradicts and whose id is not `taken` (by an earlier create of the same values)
/// is the one, the first among equals (lists usually come newest first).
pub fn id_in_list(
    list: &Value,
    request: &Request,
    producer: &Producer,
    create: &Operation,
    taken: &[String],
) -> Option<String> {
    let texts: Vec<(String, String)> = match crate::checks::auth_flows::login_fields(request) {
        Some((_, sent)) => sent
            .into_iter()
            .filter_map(|(name, value)| Some((name, value.as_str()?.to_string())))
            .collect(),
        // A body no parser takes whole (JSON nested 10,000 deep): its top-level text fields.
        None => top_level_texts(request.body.as_deref()?),
    };
    let texts: Vec<(&String, &str)> = texts
        .iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(name, text)| (name, text.as_str()))
        .collect();
    let mut best: Option<(i64, String)> = None;
    for entry in list_entries(list) {
        let (mut repeated, mut contradicted) = (0i64, 0i64);
        for (name, text) in &texts {
            match entry.get(name.as_str()).and_then(Value::as_str) {
                Some(held) if held == *text => repeated += 1,
                Some(_) => contradicted += 1,
                None => {}
            }
        }
        if repeated == 0 || repeated <= contradicted {
            continue;
        }
        let Some(id) = id_in_object(entry, producer, create).filter(|id| !taken.contains(id))
        else {
            continue;
        };
        let score = repeated - contradicted;
        if best.as_ref().is_none_or(|(held, _)| score > *held) {
            best = Some((score, id));
        }
    }
    best.map(|(_, id)| id)
}

/// The `"name": "text"` pairs at the top level of a JSON object, read without parsing what is
/// nested (however deep): strings are skipped with their escapes, brackets counted.
fn top_level_texts(body: &[u8]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut depth = 0usize;
    let mut strings: Vec<(usize, usize, usize)> = Vec::new(); // (depth, start, end) of each
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < body.len() && body[i] != b'"' {
                    if body[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                strings.push((depth, start, i.min(body.len())));
            }
            _ => {}
        }
        i += 1;
    }
    // A key and its value: two strings at depth 1 with only a colon between them.
    for pair in strings.windows(2) {
        let ((d1, s1, e1), (d2, s2, e2)) = (pair[0], pair[1]);
        let between = body.get(e1 + 1..s2.saturating_sub(1)).unwrap_or_default();
        if d1 == 1
            && d2 == 1
            && between
                .iter()
                .all(|b| b.is_ascii_whitespace() || *b == b':')
            && between.contains(&b':')
        {
            let text = |start: usize, end: usize| {
                let quoted = format!("\"{}\"", String::from_utf8_lossy(&body[start..end]));
                serde_json::from_str::<String>(&quoted).ok()
            };
            if let (Some(name), Some(value)) = (text(s1, e1), text(s2, e2)) {
                pairs.push((name, value));
            }
        }
    }
    pairs
}

use vibeguard_http::body::scalar;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{operation, spec};
    use crate::spec::Link;

    fn request(body: &str) -> Request {
        let mut request = Request::new("POST", url::Url::parse("http://127.0.0.1/x").expect("url"));
        if !body.is_empty() {
            request.body = Some(body.as_bytes().to_vec().into());
        }
        request
    }

    #[test]
    fn objects_keyed_by_a_name_take_the_name_their_creator_sent() {
        let producer = |param: &str| Producer {
            create: 0,
            item_path: format!("/books/{{{param}}}"),
            param: param.into(),
            id_pointer: None,
            delete: None,
        };
        let create = operation("POST", "/books", true);
        let empty = Response {
            status: 201,
            headers: vec![],
            body: br#"{"message": "created"}"#.to_vec(),
            truncated: false,
        };
        let sent = request(r#"{"title": "Dune", "body": "spice"}"#);
        assert_eq!(
            created_id(&sent, &empty, &producer("title"), &create),
            Some("Dune".into())
        );
        assert_eq!(
            created_id(&sent, &empty, &producer("book_title"), &create),
            Some("Dune".into())
        );
        // A form-encoded create keyed by a slug.
        let mut form = request("slug=my-post&text=hi");
        form.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        assert_eq!(
            created_id(&form, &empty, &producer("slug"), &create),
            Some("my-post".into())
        );
        // An `{id}` the server assigns is not any field's text: nothing to guess from.
        assert_eq!(created_id(&sent, &empty, &producer("id"), &create), None);
        assert_eq!(
            created_id(
                &request(r#"{"body": "x"}"#),
                &empty,
                &producer("title"),
                &create
            ),
            None
        );
        // What the answer says wins over what was sent.
        let answered = Response {
            body: br#"{"title": "Dune 2"}"#.to_vec(),
            ..empty.clone()
        };
        assert_eq!(
            created_id(&sent, &answered, &producer("title"), &create),
            Some("Dune 2".into())
        );
    }

    #[test]
    fn pairs_collections_with_their_items() {
        let mut api = spec();
        api.operations = vec![
            operation("POST", "/api/notes", true),
            operation("GET", "/api/notes/{id}", true),
            operation("DELETE", "/api/notes/{id}", true),
            operation("POST", "/api/login", false),
        ];
        let found = producers(&api);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].item_path, "/api/notes/{id}");
        assert_eq!(found[0].delete, Some(2));
    }

    #[test]
    fn links_name_the_id_explicitly() {
        let mut api = spec();
        let mut create = operation("POST", "/orders", true);
        create.links.push(Link {
            status: "201".into(),
            operation_id: "getOrder".into(),
            parameters: vec![("orderId".into(), "$response.body#/data/ref".into())],
        });
        let mut get = operation("GET", "/orders/{orderId}", true);
        get.operation_id = Some("getOrder".into());
        api.operations = vec![create, get];
        let producer = producers(&api).remove(0);
        assert_eq!(producer.id_pointer.as_deref(), Some("/data/ref"));
        let response = Response {
            status: 201,
            headers: vec![],
            body: br#"{"data": {"ref": "ord_9"}}"#.to_vec(),
            truncated: false,
        };
        assert_eq!(
            created_id(&request(""), &response, &producer, &api.operations[0]),
            Some("ord_9".into())
        );
    }

    #[test]
    fn ids_come_from_usual_fields_or_location() {
        let producer = Producer {
            create: 0,
            item_path: "/tasks/{id}".into(),
            param: "id".into(),
            id_pointer: None,
            delete: None,
        };
        let create = operation("POST", "/tasks", true);
        let body = |text: &str| Response {
            status: 201,
            headers: vec![],
            body: text.as_bytes().to_vec(),
            truncated: false,
        };
        assert_eq!(
            created_id(&request(""), &body(r#"{"id": 42}"#), &producer, &create),
            Some("42".into())
        );
        assert_eq!(
            created_id(
                &request(""),
                &body(r#"{"taskId": "t-1"}"#),
                &producer,
                &create
            ),
            Some("t-1".into())
        );
        let located = Response {
            status: 201,
            headers: vec![("Location".into(), "/tasks/77".into())],
            body: vec![],
            truncated: false,
        };
        assert_eq!(
            created_id(&request(""), &located, &producer, &create),
            Some("77".into())
        );
        assert_eq!(
            created_id(&request(""), &body("{}"), &producer, &create),
            None
        );
    }

    #[test]
    fn nested_collections_are_created_after_their_parents_and_remember_them() {
        let mut nested = spec();
        nested.operations = vec![
            operation("POST", "/venues/{venue_id}/bookings", true),
            operation("GET", "/venues/{venue_id}/bookings/{booking_id}", true),
            operation("POST", "/venues", true),
            operation("DELETE", "/venues/{venue_id}", true),
        ];
        let order: Vec<&str> = producers(&nested)
            .iter()
            .map(|p| nested.operations[p.create].path.as_str())
            .collect();
        assert_eq!(order, ["/venues", "/venues/{venue_id}/bookings"]);

        // The create and its items name the venue's key otherwise (Express's `/:id/bookings`
        // and `/:venueId/bookings/:bookingId`): one collection all the same, its parents
        // named as the items name them.
        let mut renamed = spec();
        renamed.operations = vec![
            operation("POST", "/venues/{id}/bookings/", true),
            operation("GET", "/venues/{venueId}/bookings/{bookingId}/", true),
        ];
        let found = producers(&renamed);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].param, "bookingId");
        assert_eq!(
            found[0].parents("/venues/v1/bookings/"),
            [("venueId".to_string(), "v1".to_string())]
        );
        assert_eq!(shape("/venues/{id}/bookings/"), "/venues/{}/bookings");

        let parents = path_values("/venues/{venue_id}/bookings", "/venues/a%2Fb-1/bookings");
        assert_eq!(
            parents,
            Some(vec![("venue_id".to_string(), "a/b-1".to_string())])
        );
        assert_eq!(
            path_values("/venues/{venue_id}/bookings", "/venues/1/rooms"),
            None
        );
        assert_eq!(
            path_values("/venues/{venue_id}", "/venues/1/bookings"),
            None
        );

        let booking = CreatedObject {
            collection: "/venues/{venue_id}/bookings".into(),
            item_path: "/venues/{venue_id}/bookings/{booking_id}".into(),
            param: "booking_id".into(),
            value: "b 2".into(),
            owner: 1,
            slot: 0,
            body: None,
            parents: parents.unwrap_or_default(),
        };
        assert_eq!(booking.value_of("venue_id"), Some("a/b-1"));
        assert_eq!(booking.value_of("booking_id"), Some("b 2"));
        assert_eq!(booking.value_of("other"), None);
        // Routes that name the venue's key otherwise (`/venues/{id}/bookings/{bookingId}`).
        assert_eq!(
            booking.value_in("/venues/{id}/bookings/{bookingId}", "id"),
            Some("a/b-1")
        );
        assert_eq!(
            booking.value_in("/venues/{id}/bookings/{bookingId}", "bookingId"),
            Some("b 2")
        );
        assert_eq!(booking.item_url_path(), "/venues/a%2Fb-1/bookings/b%202");
    }

    #[test]
    fn a_create_that_answers_no_id_is_found_in_the_list_by_what_it_sent() {
        let producer = Producer {
            create: 0,
            item_path: "/expenses/{id}".into(),
            param: "id".into(),
            id_pointer: None,
            delete: None,
        };
        let create = operation("POST", "/expenses", true);
        let list: Value = serde_json::json!({
            "success": true,
            "data": [
                {"_id": "n3", "title": "lunch", "note": "other", "ownerId": "u1"},
                {"_id": "n2", "title": "lunch", "note": "team", "ownerId": "u1"},
                {"_id": "n1", "title": "taxi", "note": "team", "ownerId": "u1"}
            ],
            "page": 1
        });
        let sent = request(r#"{"title": "lunch", "note": "team", "amount": 12}"#);
        assert_eq!(
            id_in_list(&list, &sent, &producer, &create, &[]),
            Some("n2".into()),
            "the entry that repeats what was sent and contradicts none of it"
        );
        // Two creates of the same values: each its own entry.
        let twice = request(r#"{"title": "lunch"}"#);
        assert_eq!(
            id_in_list(&list, &twice, &producer, &create, &[]),
            Some("n3".into())
        );
        assert_eq!(
            id_in_list(&list, &twice, &producer, &create, &["n3".into()]),
            Some("n2".into())
        );
        assert_eq!(
            id_in_list(
                &list,
                &request(r#"{"title": "hotel"}"#),
                &producer,
                &create,
                &[]
            ),
            None
        );
        // A field the server sets itself (the owner) does not hide the entry.
        let claimed = request(r#"{"title": "taxi", "note": "team", "ownerId": "u9"}"#);
        assert_eq!(
            id_in_list(&list, &claimed, &producer, &create, &[]),
            Some("n1".into())
        );
        // A body nested too deep to parse is matched by its top-level text fields.
        let deep = format!(
            r#"{{"title": "taxi", "extra": {}1{}, "note": "team", "q": "a\"b"}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert_eq!(
            top_level_texts(deep.as_bytes()),
            [
                ("title".to_string(), "taxi".to_string()),
                ("note".to_string(), "team".to_string()),
                ("q".to_string(), "a\"b".to_string())
            ]
        );
        assert_eq!(
            id_in_list(&list, &request(&deep), &producer, &create, &[]),
            Some("n1".into())
        );
        assert_eq!(list_entries(&serde_json::json!([1, 2])).len(), 2);
        assert!(list_entries(&serde_json::json!({"total": 0})).is_empty());
    }
}
