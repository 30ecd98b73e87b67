//! Turning byte offsets into lines and columns, and finding where a key sits in a JSON file.
//!
//! serde_json parses values but forgets positions; findings need a line to point at. The
//! locator below walks the JSON token stream once (strings, escapes, nesting) and records where
//! each object key of interest starts and where its value ends.

use std::collections::HashMap;

use vibeguard_core::Span;

/// Line starts of a text, for offset → (line, column) conversion.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .map(|(index, _)| index + 1),
        );
        LineIndex { text, line_starts }
    }

    /// The 1-based line and 1-based character column of a byte offset.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|start| *start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        (to_u32(line + 1), to_u32(column + 1))
    }

    /// The span of a byte range.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (start_line, start_column) = self.position(start);
        let (end_line, end_column) = self.position(end.max(start));
        Span {
            start_line,
            start_column,
            end_line,
            end_column,
        }
    }

    /// The span of a whole 1-based line, without its line break.
    pub fn line_span(&self, line: u32) -> Span {
        let index = (line.max(1) - 1) as usize;
        let start = self
            .line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next.saturating_sub(1));
        let text = self
            .text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r');
        let indent = text.chars().take_while(|c| c.is_whitespace()).count();
        Span::line(line, to_u32(indent + 1), to_u32(text.chars().count() + 1))
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Byte ranges of JSON object members, keyed by their path (`["dependencies", "express"]`),
/// from the key's opening quote to the end of its value.
#[derive(Debug, Clone, Default)]
pub struct JsonMemberSpans {
    spans: HashMap<Vec<String>, (usize, usize)>,
}

impl JsonMemberSpans {
    /// Records members up to `max_depth` levels deep. Malformed JSON yields what was recorded
    /// before the error; callers parse the same text with serde_json for correctness.
    pub fn locate(text: &str, max_depth: usize) -> JsonMemberSpans {
        let mut locator = Locator {
            bytes: text.as_bytes(),
            at: 0,
            max_depth,
            path: Vec::new(),
            spans: HashMap::new(),
            nesting: 0,
        };
        locator.skip_ws();
        locator.value();
        JsonMemberSpans {
            spans: locator.spans,
        }
    }

    /// The byte range of the member at `path`.
    pub fn get(&self, path: &[&str]) -> Option<(usize, usize)> {
        let key: Vec<String> = path.iter().map(|part| (*part).to_string()).collect();
        self.spans.get(&key).copied()
    }
}

struct Locator<'a> {
    bytes: &'a [u8],
    at: usize,
    max_depth: usize,
    path: Vec<String>,
    spans: HashMap<Vec<String>, (usize, usize)>,
    nesting: usize,
}

/// Deeper nesting than this is treated as malformed, so hostile input cannot exhaust the stack
/// (serde_json refuses beyond 128 levels as well).
const MAX_NESTING: usize = 128;

impl Locator<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Parses a string starting at a quote; returns its (unescaped, simplified) content.
    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.at += 1;
        let start = self.at;
        let mut escaped = false;
        while let Some(byte) = self.peek() {
            self.at += 1;
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                let raw = &self.bytes[start..self.at - 1];
                return Some(String::from_utf8_lossy(raw).into_owned());
            }
        }
        None
    }

    /// Skips one value; returns false on malformed input.
    fn value(&mut self) -> bool {
        match self.peek() {
            Some(b'{' | b'[') if self.nesting >= MAX_NESTING => false,
            Some(b'{') => {
                self.nesting += 1;
                let ok = self.object();
                self.nesting -= 1;
                ok
            }
            Some(b'[') => {
                self.nesting += 1;
                let ok = self.array();
                self.nesting -= 1;
                ok
            }
            Some(b'"') => self.string().is_some(),
            Some(_) => {
                let start = self.at;
                while matches!(self.peek(), Some(b) if !b",}] \t\r\n".contains(&b)) {
                    self.at += 1;
                }
                self.at > start
            }
            None => false,
        }
    }

    fn object(&mut self) -> bool {
        self.at += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.at += 1;
                    return true;
                }
                Some(b',') => {
                    self.at += 1;
                    continue;
                }
                Some(b'"') => {}
                _ => return false,
            }
            let key_start = self.at;
            let Some(key) = self.string() else {
                return false;
            };
            self.skip_ws();
            if self.peek() != Some(b':') {
                return false;
            }
            self.at += 1;
            self.skip_ws();
            self.path.push(key);
            let ok = self.value();
            if ok && self.path.len() <= self.max_depth {
                self.spans.insert(self.path.clone(), (key_start, self.at));
            }
            self.path.pop();
            if !ok {
                return false;
            }
        }
    }

    fn array(&mut self) -> bool {
        self.at += 1;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.at += 1;
                    return true;
                }
                Some(b',') => self.at += 1,
                Some(_) => {
                    if !self.value() {
                        return false;
                    }
                }
                None => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let index = LineIndex::new("ab\néé x\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(8), (2, 4));
    }

    #[test]
    fn locates_nested_members_with_escapes() {
        let text = "{\n  \"name\": \"a\\\"b\",\n  \"dependencies\": {\n    \"express\": \"^4.18.2\",\n    \"@scope/x\": \"1.0.0\"\n  }\n}";
        let spans = JsonMemberSpans::locate(text, 2);
        let (start, end) = spans.get(&["dependencies", "express"]).expect("found");
        assert_eq!(&text[start..end], "\"express\": \"^4.18.2\"");
        let index = LineIndex::new(text);
        assert_eq!(index.position(start), (4, 5));
        assert!(spans.get(&["dependencies", "@scope/x"]).is_some());
        assert!(spans.get(&["name"]).is_some());
    }

    #[test]
    fn survives_malformed_json() {
        let spans = JsonMemberSpans::locate("{\"a\": {\"b\": ", 2);
        assert!(spans.get(&["a", "b"]).is_none());
        let _ = JsonMemberSpans::locate("]]]{{{\"", 3);
        let deep = "[".repeat(1_000_000);
        assert!(JsonMemberSpans::locate(&deep, 3).get(&["x"]).is_none());
    }
}
