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
    let mut out = String::new();
    let mut from = 0;
    let mut at = 0;
    while let Some(colon) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b':'))
    {
        let colon = at + colon;
        at = colon + 1;
        let Some(hit) = password_at(bytes, colon) else {
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

/// Whether `b` ends a URL's authority.
fn ends_authority(b: u8) -> bool {
    matches!(b, b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>') || b.is_ascii_whitespace()
}

/// The password of a URL whose user ends at the `:` at `colon` (`scheme://user:password@`),
/// if it is one. Each URL is judged on its own, whatever precedes it
/// (`http://x;postgres://u:p@h`), and the password starts right after the byte that
/// triggers the check, like every other masked value.
pub(super) fn password_at(bytes: &[u8], colon: usize) -> Option<Hit> {
    // The user: back to the `://` that starts the authority.
    let mut user = colon;
    while user > 0 && !(ends_authority(bytes[user - 1]) || matches!(bytes[user - 1], b':' | b'@')) {
        user -= 1;
    }
    if user < 3 || &bytes[user - 3..user] != b"://" {
        return None;
    }
    let rest = &bytes[colon + 1..];
    let authority_len = rest
        .iter()
        .position(|&b| ends_authority(b))
        .unwrap_or(rest.len());
    let at_sign = rest[..authority_len].iter().rposition(|&b| b == b'@')?;
    // An empty password (`user:@host`) has nothing to hide.
    (at_sign > 0).then(|| Hit::url_password(colon + 1, colon + 1 + at_sign))
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
