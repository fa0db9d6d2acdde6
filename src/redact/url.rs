//! The password of every `scheme://user:password@host` in a string, masked.

use std::borrow::Cow;

use super::MASK;
use super::scan::Hit;

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
    let bytes = s.as_bytes();
    let mut from = 0;
    let mut out = String::new();
    let mut at = 0;
    while let Some(colon) = find_scheme_end(bytes, at) {
        at = colon + 1;
        let Some(hit) = password_after(bytes, colon + 3) else {
            continue;
        };
        // Cut at ASCII bytes (`:` and `@`), so on char boundaries.
        out.push_str(s.get(from..hit.start).unwrap_or_default());
        out.push_str(MASK);
        from = hit.end;
        at = hit.end;
    }
    if from == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(s.get(from..).unwrap_or_default());
    Cow::Owned(out)
}

/// The index of the next `:` of a `://` at or after `at`.
fn find_scheme_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let colon = at + bytes.get(at..)?.iter().position(|&b| b == b':')?;
        if bytes.get(colon + 1..colon + 3) == Some(b"//") {
            return Some(colon);
        }
        at = colon + 1;
    }
}

/// The password of the URL whose authority starts at `authority_start` (right after a `://`),
/// if it has one. Each `://` is judged on its own, so a URL right after another URL-like token
/// (`http://x;postgres://u:p@h`) is found too.
pub(super) fn password_after(bytes: &[u8], authority_start: usize) -> Option<Hit> {
    let rest = bytes.get(authority_start..)?;
    let authority_len = rest
        .iter()
        .position(|&b| {
            matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>') || b.is_ascii_whitespace()
        })
        .unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let at_sign = authority.iter().rposition(|&b| b == b'@')?;
    let pw_colon = authority[..at_sign].iter().position(|&b| b == b':')?;
    let start = authority_start + pw_colon + 1;
    let end = authority_start + at_sign;
    // An empty password (`user:@host`) has nothing to hide.
    (start < end).then_some(Hit::url_password(start, end))
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
            // A URL right after another URL-like token.
            ("http://x;postgres://u:p@h", "http://x;postgres://u:***@h"),
            ("redis://h1,redis://:p@h2", "redis://h1,redis://:***@h2"),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_url_credentials(input), expected, "{input}");
            assert!(matches!(mask_url_credentials(input), Cow::Owned(_)));
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
