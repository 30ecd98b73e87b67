//! Shell words for reproduction commands (`curl …`) that run when pasted into bash or zsh:
//! text in single quotes, and anything with control characters or bytes that are not UTF-8 in
//! ANSI-C quotes (`$'…\r\n…'`), so that a terminal never receives a raw control character and
//! the command still sends the same bytes.

use std::fmt::Write;

/// `bytes` as one shell word.
pub fn quote(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(needs_escape) => {
            format!("'{}'", text.replace('\'', "'\\''"))
        }
        _ => ansi_c(bytes),
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `$'…'` quoting: backslash escapes for control characters, quotes, backslashes and bytes
/// outside UTF-8 (or characters that reorder text on a terminal).
fn ansi_c(bytes: &[u8]) -> String {
    let mut out = String::from("$'");
    let text = String::from_utf8_lossy(bytes);
    let valid = matches!(text, std::borrow::Cow::Borrowed(_));
    if valid {
        for c in text.chars() {
            push_escaped(&mut out, c);
        }
    } else {
        for &byte in bytes {
            if byte.is_ascii() {
                push_escaped(&mut out, char::from(byte));
            } else {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push('\'');
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\'' => out.push_str("\\'"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if needs_escape(c) => {
            let code = c as u32;
            if code < 0x80 {
                let _ = write!(out, "\\x{code:02x}");
            } else {
                let _ = write!(out, "\\u{code:04x}");
            }
        }
        c => out.push(c),
    }
}

/// The ways `value` can be written inside a quoted word: as it is, in single quotes (`'\''`
/// for a quote) and in ANSI-C quotes (backslash escapes).
pub(crate) fn quoted_forms(value: &str) -> Vec<String> {
    let mut forms = vec![value.to_string(), value.replace('\'', "'\\''")];
    let ansi = ansi_c(value.as_bytes());
    forms.push(ansi[2..ansi.len() - 1].to_string());
    forms.sort();
    forms.dedup();
    forms
}

/// Where a position of a command built from [`quote`]d words stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteState {
    /// Between words.
    Outside,
    /// Inside `'…'`.
    Single,
    /// Inside `$'…'`.
    AnsiC,
}

impl QuoteState {
    /// What closes this state before an unquoted insertion.
    pub(crate) fn close(self) -> &'static str {
        match self {
            QuoteState::Outside => "",
            QuoteState::Single | QuoteState::AnsiC => "'",
        }
    }

    /// What reopens it after the insertion.
    pub(crate) fn reopen(self) -> &'static str {
        match self {
            QuoteState::Outside => "",
            QuoteState::Single => "'",
            QuoteState::AnsiC => "$'",
        }
    }
}

/// The quote state at every byte boundary of `command` (one entry per byte, plus the end).
pub(crate) fn quote_states(command: &str) -> Vec<QuoteState> {
    let bytes = command.as_bytes();
    let mut states = Vec::with_capacity(bytes.len() + 1);
    let mut state = QuoteState::Outside;
    let mut index = 0;
    while index < bytes.len() {
        states.push(state);
        let byte = bytes[index];
        match state {
            QuoteState::Outside => {
                if byte == b'$' && bytes.get(index + 1) == Some(&b'\'') {
                    states.push(state);
                    index += 1;
                    state = QuoteState::AnsiC;
                } else if byte == b'\'' {
                    state = QuoteState::Single;
                }
            }
            QuoteState::Single => {
                if byte == b'\'' {
                    state = QuoteState::Outside;
                }
            }
            QuoteState::AnsiC => {
                if byte == b'\\' && index + 1 < bytes.len() {
                    states.push(state);
                    index += 1;
                } else if byte == b'\'' {
                    state = QuoteState::Outside;
                }
            }
        }
        index += 1;
    }
    states.push(state);
    states
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_single_quoted_and_control_bytes_ansi_c_quoted() {
        assert_eq!(quote(b"it's"), "'it'\\''s'");
        assert_eq!(quote(b"a\r\nb"), "$'a\\r\\nb'");
        assert_eq!(quote(b"q'\\\x1b"), "$'q\\'\\\\\\x1b'");
        assert_eq!(quote(&[0x61, 0xff, 0x0a]), "$'a\\xff\\n'");
        assert_eq!(quote("é\u{202e}".as_bytes()), "$'é\\u202e'");
    }

    #[test]
    fn quote_states_follow_both_kinds_of_quotes() {
        let command = "run 'a' $'b\\'c' d";
        let states = quote_states(command);
        assert_eq!(states.len(), command.len() + 1);
        assert_eq!(states[command.find('a').unwrap_or(0)], QuoteState::Single);
        assert_eq!(states[command.find('c').unwrap_or(0)], QuoteState::AnsiC);
        assert_eq!(states[command.find('d').unwrap_or(0)], QuoteState::Outside);
        assert_eq!(states[command.len()], QuoteState::Outside);
    }
}
