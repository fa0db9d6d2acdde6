//! The password of every `scheme://user:password@host` in a string, masked.

use std::borrow::Cow;

use super::MASK;

/// Replaces the password of every URL with credentials in `s` by `***`; borrows when there is
/// none.
///
/// # Example
///
/// ```
/// use http_observability::redact::mask_url_credentials;
///
/// assert_eq!(
///     mask_url_credentials("redis://:s3cret@cache:6379 and https://u:p@x.example/a"),
///     "redis://:***@cache:6379 and https://u:***@x.example/a"
/// );
/// assert!(matches!(
///     mask_url_credentials("https://example.com/a"),
///     std::borrow::Cow::Borrowed(_)
/// ));
/// ```
pub fn mask_url_credentials(s: &str) -> Cow<'_, str> {
    if find_url_password(s, 0).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for_each_masked_piece(s, |piece| out.push_str(piece));
    Cow::Owned(out)
}

/// Calls `emit` with consecutive pieces of `s` whose concatenation is `s` with every URL
/// password replaced by `***`. Allocation-free: this is the form the JSON formatter uses on
/// its hot path.
pub(crate) fn for_each_masked_piece(s: &str, mut emit: impl FnMut(&str)) {
    let mut from = 0;
    while let Some((start, end)) = find_url_password(s, from) {
        emit(&s[from..start]);
        emit(MASK);
        from = end;
    }
    emit(&s[from..]);
}

/// Whether `s` holds a URL with a password, i.e. whether masking would change it.
// The JSON formatter's hot path asks this first; nothing else does.
#[cfg_attr(not(feature = "json"), allow(dead_code))]
pub(crate) fn has_url_credentials(s: &str) -> bool {
    find_url_password(s, 0).is_some()
}

/// The byte range of the next URL password in `s` at or after `from`.
fn find_url_password(s: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut at = from;
    loop {
        // Find the next "://" by looking for ':' (cheap, byte-wise).
        let colon = at + bytes.get(at..)?.iter().position(|&b| b == b':')?;
        if bytes.get(colon + 1..colon + 3) != Some(b"//") {
            at = colon + 1;
            continue;
        }
        let authority_start = colon + 3;
        let authority_len = bytes[authority_start..]
            .iter()
            .position(|&b| {
                matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>')
                    || b.is_ascii_whitespace()
            })
            .unwrap_or(bytes.len() - authority_start);
        let authority = &bytes[authority_start..authority_start + authority_len];
        if let Some(at_sign) = authority.iter().rposition(|&b| b == b'@')
            && let Some(pw_colon) = authority[..at_sign].iter().position(|&b| b == b':')
        {
            let start = authority_start + pw_colon + 1;
            let end = authority_start + at_sign;
            // An empty password (`user:@host`) has nothing to hide.
            if start < end {
                return Some((start, end));
            }
        }
        at = authority_start + authority_len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_url_passwords() {
        let cases = [
            ("postgres://u:p@h/db", "postgres://u:***@h/db"),
            ("see postgres://u:p@h:5432", "see postgres://u:***@h:5432"),
            ("redis://:pw@h", "redis://:***@h"),
            ("https://u:p:q@h", "https://u:***@h"),
            ("https://u:p@x@h/", "https://u:***@h/"),
            ("a://u:1@h b://v:2@i", "a://u:***@h b://v:***@i"),
            (
                "https://h/?next=http://u:p@i",
                "https://h/?next=http://u:***@i",
            ),
            ("\"http://u:p@h\"", "\"http://u:***@h\""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_url_credentials(input), expected, "{input}");
            assert!(has_url_credentials(input));
        }
        for untouched in [
            "",
            "https://example.com/a:b@c",
            "https://user@host",
            "http://u:@h",
            "time 12:30 at x@y",
            "://",
            "a:/",
            "ends with :",
            "ünïcode://ü:ö@ä",
        ] {
            let masked = mask_url_credentials(untouched);
            if untouched.starts_with("ünï") {
                assert_eq!(masked, "ünïcode://ü:***@ä");
            } else {
                assert!(matches!(masked, Cow::Borrowed(_)), "{untouched}");
            }
        }
    }
}
