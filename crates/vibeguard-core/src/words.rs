//! Names read as words.

/// The lower-case words of an identifier or field name, split at non-alphanumerics and at
/// case changes, acronyms kept whole: `apiKey` → `api`, `key`; `JWT_SECRET` → `jwt`,
/// `secret`; `photoURLValue` → `photo`, `url`, `value`. One splitter for every engine that
/// judges names (code identifiers, secret names, API fields).
pub fn words(identifier: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = identifier.chars().collect();
    for (index, c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && !current.is_empty()
            && (chars
                .get(index.wrapping_sub(1))
                .is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || chars.get(index + 1).is_some_and(|n| n.is_ascii_lowercase())
                    && chars
                        .get(index.wrapping_sub(1))
                        .is_some_and(|p| p.is_ascii_uppercase()));
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_lower_case_words() {
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("JWT_SECRET"), ["jwt", "secret"]);
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(words("photoURLValue"), ["photo", "url", "value"]);
        assert_eq!(words("phone_number2"), ["phone", "number2"]);
        assert!(words("--").is_empty());
    }
}
