//! Path templates from concrete recorded paths: `/notes/17` and `/notes/18` are one operation
//! `/notes/{id}`. A segment is a parameter when the recording names it (Postman's `:id`), when
//! it looks like an identifier (a number, a UUID, a long hex or mixed token), or when it varies
//! across requests that agree on every other segment and either looks like a slug
//! (`the-left-hand`, `alice.smith`, `user42`) or is followed by more segments or under a
//! collection that was itself requested (`/users` with `/users/alice` and `/users/bob`). Two
//! plain words that differ (`/api/users`, `/api/notes`) stay two resources.

use std::collections::{BTreeMap, BTreeSet};

/// One request's path (under the target), and the segments it names itself.
#[derive(Debug)]
pub(super) struct Observed<'a> {
    pub path: &'a str,
    pub named: &'a [(usize, String)],
}

/// A path template and its parameters (name, the value seen in this request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Template {
    pub path: String,
    pub parameters: Vec<(String, String)>,
}

/// What the recording says beyond the paths: the text values its bodies carry (value → the
/// field that held it), and the paths new objects were posted to.
#[derive(Debug)]
pub(super) struct Data<'a> {
    pub values: &'a BTreeMap<&'a str, &'a str>,
    pub created: &'a [&'a str],
}

/// The template of each observed request, in order.
pub(super) fn templates(observed: &[Observed], data: &Data) -> Vec<Template> {
    let split: Vec<Vec<&str>> = observed
        .iter()
        .map(|o| o.path.trim_start_matches('/').split('/').collect())
        .collect();
    let mut is_param: Vec<Vec<bool>> = split
        .iter()
        .zip(observed)
        .map(|(segments, o)| {
            segments
                .iter()
                .enumerate()
                .map(|(index, segment)| {
                    o.named.iter().any(|(i, _)| *i == index)
                        || looks_like_id(segment)
                        || data.values.get(segment).is_some_and(|key| holds_an_id(key))
                })
                .collect()
        })
        .collect();
    // Segments that vary where everything else agrees.
    let longest = split.iter().map(Vec::len).max().unwrap_or(0);
    for position in 0..longest {
        let mut siblings: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for (index, segments) in split.iter().enumerate() {
            if segments.len() <= position || is_param[index][position] {
                continue;
            }
            let key: Vec<String> = segments
                .iter()
                .enumerate()
                .map(|(i, s)| match i {
                    _ if i == position => "\u{0}".to_string(),
                    _ if is_param[index][i] => "{}".to_string(),
                    _ => (*s).to_string(),
                })
                .collect();
            siblings
                .entry(format!("{}|{}", segments.len(), key.join("/")))
                .or_default()
                .insert(index);
        }
        for members in siblings.values() {
            let values: BTreeSet<&str> = members.iter().map(|&i| split[i][position]).collect();
            let any = members.iter().next().copied().unwrap_or_default();
            // A segment just before an id names the collection (`/users/{id}`, `/notes/{id}`).
            if is_param[any].get(position + 1).copied().unwrap_or(false) {
                continue;
            }
            // A trailing slash (`/api/tickets/`, Django's and DRF's spelling) ends the path:
            // only a named segment after this one continues it.
            let continues = split[any]
                .get(position + 1..)
                .is_some_and(|rest| rest.iter().any(|segment| !segment.is_empty()));
            let collection = format!("/{}", split[any][..position].join("/"));
            let collection = collection.trim_end_matches('/');
            let is_data = values.iter().all(|v| data.values.contains_key(v));
            let slug = values.iter().any(|v| looks_like_slug(v));
            let varies = !values.iter().all(|v| is_version(v))
                && if values.len() >= 2 {
                    slug || continues || is_data
                } else {
                    // One value: a parameter when the recording shows it is data — an object's
                    // slug, a name with more path after it (`/users/alice/notes`), or one
                    // posted to the collection just before.
                    position > 0
                        && is_data
                        && (slug
                            || data.created.contains(&collection)
                            || (continues
                                && values.iter().all(|v| {
                                    data.values.get(v).is_some_and(|key| names_an_object(key))
                                })))
                };
            if varies {
                for &member in members {
                    is_param[member][position] = true;
                }
            }
        }
    }
    // Where a collection's item has more path after it in some request (`/venues/{venue_id}/
    // bookings`), its key is `venue_id` in every request, `/venues/{venue_id}` included: one
    // object, one name, whichever request is looked at.
    let mut nested: BTreeSet<String> = BTreeSet::new();
    for (segments, params) in split.iter().zip(&is_param) {
        if params.iter().filter(|p| **p).count() > 1 {
            for (position, _) in params.iter().enumerate().filter(|(_, p)| **p) {
                nested.insert(prefix(segments, params, position));
            }
        }
    }
    split
        .iter()
        .zip(observed)
        .zip(&is_param)
        .map(|((segments, o), params)| template(segments, o.named, params, data, &nested))
        .collect()
}

/// The path before `position`, parameters written `{}`: what a parameter's name depends on.
fn prefix(segments: &[&str], params: &[bool], position: usize) -> String {
    segments[..position]
        .iter()
        .zip(params)
        .map(|(segment, param)| if *param { "{}" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn template(
    segments: &[&str],
    named: &[(usize, String)],
    params: &[bool],
    data: &Data,
    nested: &BTreeSet<String>,
) -> Template {
    let count = params.iter().filter(|p| **p).count();
    let mut taken = BTreeSet::new();
    let mut parameters = Vec::new();
    let mut path = String::new();
    for (index, segment) in segments.iter().enumerate() {
        path.push('/');
        if !params[index] {
            path.push_str(segment);
            continue;
        }
        let previous = index
            .checked_sub(1)
            .map(|i| segments[i])
            .filter(|_| index > 0 && !params[index - 1]);
        let mut name = match named.iter().find(|(i, _)| *i == index) {
            Some((_, name)) => name.clone(),
            // The field the value was seen in (`username` for `alice`), when it is a name.
            None if !looks_like_id(segment)
                && data
                    .values
                    .get(segment)
                    .is_some_and(|key| is_identifier(key) && !holds_an_id(key)) =>
            {
                data.values[segment].to_string()
            }
            None => {
                let base = previous.map(singular).filter(|s| !s.is_empty());
                let is_id = looks_like_id(segment)
                    || data.values.get(segment).is_some_and(|key| holds_an_id(key));
                let alone = count == 1 && !nested.contains(&prefix(segments, params, index));
                match (alone, base, is_id) {
                    (true, _, true) => "id".to_string(),
                    (_, Some(base), true) => format!("{base}_id"),
                    (_, Some(base), false) => base,
                    (_, None, _) => "id".to_string(),
                }
            }
        };
        while !taken.insert(name.clone()) {
            name.push('_');
        }
        path.push('{');
        path.push_str(&name);
        path.push('}');
        parameters.push((name, (*segment).to_string()));
    }
    if path.is_empty() {
        path.push('/');
    }
    Template { path, parameters }
}

/// A field holding an object's id (`id`, `_id`, `userId`, `note_id`, `uuid`).
fn holds_an_id(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower == "id"
        || lower == "_id"
        || lower == "uuid"
        || lower.ends_with("_id")
        || (key.ends_with("Id") && key.len() > 2)
}

/// A field that names or identifies an object (`username`, `handle`, `slug`, `userId`), not
/// one that classifies it (`role`, `status`).
fn names_an_object(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["name", "handle", "login", "slug", "id", "key", "email"]
        .iter()
        .any(|word| key.ends_with(word))
}

/// A field name usable as a parameter name.
fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `notes` → `note`, `categories` → `category`, `addresses` → `address`.
fn singular(word: &str) -> String {
    let word: String = word
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("sses") || word.ends_with("xes") || word.ends_with("ches") {
        word[..word.len() - 2].to_string()
    } else if word.ends_with('s') && !word.ends_with("ss") && word.len() > 1 {
        word[..word.len() - 1].to_string()
    } else {
        word
    }
}

/// A number, a UUID, a long hex string, or a long token mixing letters and digits.
pub(super) fn looks_like_id(segment: &str) -> bool {
    if segment.is_empty() {
        return false;
    }
    let digits = segment.bytes().filter(u8::is_ascii_digit).count();
    let hex = segment.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = segment.len() == 36
        && segment.bytes().enumerate().all(|(i, b)| {
            if [8, 13, 18, 23].contains(&i) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    let token = segment.len() >= 16
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && digits > 0
        && digits < segment.len();
    digits == segment.len() || uuid || (hex && segment.len() >= 8 && digits > 0) || token
}

/// A slug or name-like key: words joined by `-`, `.`, `@`, or letters ending in digits
/// (`user42`); version segments (`v1`) are not.
fn looks_like_slug(segment: &str) -> bool {
    !is_version(segment)
        && (segment.contains(['-', '.', '@', '%', '+'])
            || segment.bytes().any(|b| b.is_ascii_digit()))
}

/// An API version segment (`v1`, `v2.1`): versions are separate APIs, not a parameter.
fn is_version(segment: &str) -> bool {
    segment.len() >= 2
        && segment.len() <= 5
        && segment.starts_with(['v', 'V'])
        && segment[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(requests: &[(&str, &str)]) -> Vec<String> {
        let observed: Vec<Observed> = requests
            .iter()
            .map(|(_, path)| Observed { path, named: &[] })
            .collect();
        let values = BTreeMap::new();
        let data = Data {
            values: &values,
            created: &[],
        };
        templates(&observed, &data)
            .into_iter()
            .map(|t| t.path)
            .collect()
    }

    #[test]
    fn ids_become_parameters_and_plain_words_stay_resources() {
        assert_eq!(
            paths(&[
                ("GET", "/api/users"),
                ("GET", "/api/notes"),
                ("GET", "/api/notes/42"),
                ("GET", "/api/notes/3fa85f64-5717-4562-b3fc-2c963f66afa6"),
                ("GET", "/api/orders/507f1f77bcf86cd799439011/items/7"),
                ("GET", "/api/v1/status"),
            ]),
            [
                "/api/users",
                "/api/notes",
                "/api/notes/{id}",
                "/api/notes/{id}",
                "/api/orders/{order_id}/items/{item_id}",
                "/api/v1/status",
            ]
        );
    }

    #[test]
    fn slugs_and_names_seen_with_several_values_become_parameters() {
        assert_eq!(
            paths(&[
                ("GET", "/books/the-left-hand-of-darkness"),
                ("GET", "/books/dune-messiah"),
                ("GET", "/users"),
                ("GET", "/users/alice"),
                ("PUT", "/users/bob"),
                ("GET", "/teams/red/members"),
                ("GET", "/teams/blue/members"),
                ("GET", "/api/v1/items"),
                ("GET", "/api/v2/items"),
                ("GET", "/api/v1/expenses/iBKDjuXwRo4bNaaS"),
                ("GET", "/api/v1/users/VUfTAxVFeFYg8fBg"),
            ]),
            [
                "/books/{book}",
                "/books/{book}",
                "/users",
                "/users/alice",
                "/users/bob",
                "/teams/{team}/members",
                "/teams/{team}/members",
                "/api/v1/items",
                "/api/v2/items",
                "/api/v1/expenses/{id}",
                "/api/v1/users/{id}",
            ]
        );
    }

    #[test]
    fn an_object_has_one_key_name_in_every_request() {
        assert_eq!(
            paths(&[
                ("GET", "/venues/3fa85f64-5717-4562-b3fc-2c963f66afa6"),
                (
                    "POST",
                    "/venues/3fa85f64-5717-4562-b3fc-2c963f66afa6/bookings"
                ),
                (
                    "GET",
                    "/venues/3fa85f64-5717-4562-b3fc-2c963f66afa6/bookings/52"
                ),
                ("GET", "/payouts/77"),
            ]),
            [
                "/venues/{venue_id}",
                "/venues/{venue_id}/bookings",
                "/venues/{venue_id}/bookings/{booking_id}",
                "/payouts/{id}",
            ]
        );
    }

    #[test]
    fn a_trailing_slash_continues_nothing() {
        assert_eq!(
            paths(&[
                ("GET", "/api/tickets/"),
                ("GET", "/api/articles/"),
                ("GET", "/api/me/"),
                ("GET", "/api/tickets/7/"),
                ("GET", "/api/teams/red/members/"),
                ("GET", "/api/teams/blue/members/"),
            ]),
            [
                "/api/tickets/",
                "/api/articles/",
                "/api/me/",
                "/api/tickets/{id}/",
                "/api/teams/{team}/members/",
                "/api/teams/{team}/members/",
            ]
        );
    }

    #[test]
    fn segments_the_bodies_carry_are_data_named_by_their_field() {
        let values: BTreeMap<&str, &str> = [
            ("alice", "username"),
            ("bob", "username"),
            ("summer", "name"),
            ("admin", "role"),
            ("iBKDjuXwRoqbNaaS", "_id"),
        ]
        .into_iter()
        .collect();
        let created = ["/shelves"];
        let data = Data {
            values: &values,
            created: &created,
        };
        let requests = [
            "/users/alice",
            "/users/bob",
            "/shelves",
            "/shelves/summer",
            "/api/admin/stats",
            "/api/expenses/iBKDjuXwRoqbNaaS",
            "/api/expenses/search",
        ];
        let observed: Vec<Observed> = requests
            .iter()
            .map(|path| Observed { path, named: &[] })
            .collect();
        let paths: Vec<String> = templates(&observed, &data)
            .into_iter()
            .map(|t| t.path)
            .collect();
        assert_eq!(
            paths,
            [
                "/users/{username}",
                "/users/{username}",
                "/shelves",
                "/shelves/{name}",
                // One value, never posted, a plain word: a route word even if a body said it.
                "/api/admin/stats",
                // An id without a digit, known by the field that held it; `search` stays.
                "/api/expenses/{id}",
                "/api/expenses/search",
            ]
        );
    }

    #[test]
    fn recorded_names_win() {
        let named = [(1, "noteId".to_string())];
        let observed = [Observed {
            path: "/notes/abc",
            named: &named,
        }];
        let values = BTreeMap::new();
        let data = Data {
            values: &values,
            created: &[],
        };
        let template = &templates(&observed, &data)[0];
        assert_eq!(template.path, "/notes/{noteId}");
        assert_eq!(
            template.parameters,
            [("noteId".to_string(), "abc".to_string())]
        );
    }
}
