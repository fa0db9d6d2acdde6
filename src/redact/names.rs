//! The value after a deny-listed name inside a string: `name: v`, `"name": "v"`,
//! `("name", "v")`, `"name" => "v"`, `name=v`, header lines.

use super::Redactor;
use super::scan::Hit;

/// The value to mask after the separator at `sep` (`:`, `=` or `,`), if the name before it is
/// sensitive.
pub(super) fn value_after(r: &Redactor, bytes: &[u8], sep: usize) -> Option<Hit> {
    let c = bytes[sep];
    let next = bytes.get(sep + 1).copied();
    let mut value = sep + 1;
    match c {
        // `a::b` is a path, not a name and its value.
        b':' if next == Some(b':') || sep > 0 && bytes[sep - 1] == b':' => return None,
        // `a == b` compares.
        b'=' if next == Some(b'=') || sep > 0 && bytes[sep - 1] == b'=' => return None,
        b'=' if next == Some(b'>') => value += 1,
        _ => {}
    }
    let (name, quoted, start) = name_before(bytes, sep)?;
    // A comma ends a name only in a pair or a list: `("name", "v")`, `["name", "v"]`.
    if c == b',' && !(quoted && opens_item(bytes, start)) {
        return None;
    }
    if !r.is_sensitive(name) {
        return None;
    }
    let value = skip_whitespace(bytes, value);
    let (start, end) = if is_authorization(name) {
        header_value(bytes, value)?
    } else {
        value_extent(bytes, value)?
    };
    (start < end).then_some(Hit::redacted(start, end))
}

/// The name ending right before the separator at `sep` (spaces and a closing quote skipped),
/// whether it was quoted, and where it starts.
fn name_before(bytes: &[u8], sep: usize) -> Option<(&str, bool, usize)> {
    let mut k = sep;
    while k > 0 && matches!(bytes[k - 1], b' ' | b'\t') {
        k -= 1;
    }
    let mut quoted = false;
    if k > 0 && matches!(bytes[k - 1], b'"' | b'\'') {
        quoted = true;
        k -= 1;
        // A quote escaped inside a Debug string, once or more: `\"password\":`.
        while k > 0 && bytes[k - 1] == b'\\' {
            k -= 1;
        }
    }
    let end = k;
    while k > 0 && is_name_byte(bytes[k - 1]) {
        k -= 1;
    }
    // ASCII only, so valid UTF-8.
    let name = std::str::from_utf8(&bytes[k..end]).ok()?;
    (!name.is_empty()).then_some((name, quoted, k))
}

/// Whether the quoted name starting at `name` is an item of a tuple or a list: its opening
/// quote follows `(`, `[` or `,` (spaces skipped).
fn opens_item(bytes: &[u8], name: usize) -> bool {
    let mut k = name;
    // The opening quote, escaped inside a Debug string or not.
    if k == 0 || !matches!(bytes[k - 1], b'"' | b'\'') {
        return false;
    }
    k -= 1;
    while k > 0 && bytes[k - 1] == b'\\' {
        k -= 1;
    }
    while k > 0 && bytes[k - 1].is_ascii_whitespace() {
        k -= 1;
    }
    k == 0 || matches!(bytes[k - 1], b'(' | b'[' | b',')
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Whether `name` is a header carrying credentials with a scheme: `Authorization`,
/// `Proxy-Authorization`.
fn is_authorization(name: &str) -> bool {
    let suffix = "authorization";
    name.len() >= suffix.len()
        && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The schemes kept before masked credentials: `Authorization: Bearer [REDACTED]`.
const SCHEMES: &[&str] = &["bearer", "basic", "digest", "token", "negotiate", "ntlm"];

/// An `Authorization` value from `at`: a quoted one as any value; else the scheme is kept and
/// the rest of the line masked.
fn header_value(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    if matches!(bytes.get(at), Some(b'"' | b'\'' | b'\\')) {
        return value_extent(bytes, at);
    }
    let word = at
        + bytes[at..]
            .iter()
            .position(|b| !b.is_ascii_alphabetic())
            .unwrap_or(bytes.len() - at);
    let mut start = at;
    if bytes.get(word) == Some(&b' ')
        && SCHEMES
            .iter()
            .any(|s| s.as_bytes().eq_ignore_ascii_case(&bytes[at..word]))
    {
        start = skip_whitespace(bytes, word);
    }
    Some((start, line_end(bytes, start)))
}

/// The end of the line from `at`: a line break, or `\r`/`\n` escaped in Debug output.
fn line_end(bytes: &[u8], at: usize) -> usize {
    let mut k = at;
    while let Some(&b) = bytes.get(k) {
        if b == b'\r' || b == b'\n' {
            break;
        }
        if b == b'\\' && matches!(bytes.get(k + 1), Some(b'r' | b'n')) {
            break;
        }
        k += 1;
    }
    k
}

/// The range to mask of the value starting at `at`.
fn value_extent(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    if let Some(extent) = escaped_quoted(bytes, at) {
        return Some(extent);
    }
    match *bytes.get(at)? {
        q @ (b'"' | b'\'') => Some((at + 1, closing_quote(bytes, at + 1, q))),
        b'[' | b'{' | b'(' => Some((at, group_end(bytes, at))),
        _ => {
            // `Some("v")`, `Secret { .. }`, `Secret(..)`: the word and its group.
            let word = at
                + bytes[at..]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b':'))
                    .unwrap_or(bytes.len() - at);
            let open = match bytes.get(word) {
                Some(b'(' | b'{') => Some(word),
                Some(b' ') if bytes.get(word + 1) == Some(&b'{') => Some(word + 1),
                _ => None,
            };
            if let Some(open) = open.filter(|_| word > at) {
                return Some((at, group_end(bytes, open)));
            }
            let end = at
                + bytes[at..]
                    .iter()
                    .position(|&b| is_value_end(b))
                    .unwrap_or(bytes.len() - at);
            Some((at, end))
        }
    }
}

/// The inside of a value quoted with a quote escaped inside a `Debug` string, once or more
/// (`\"v\"`, `\\\"v\\\"`): it closes at the same quote escaped as many times (a quote
/// inside it is escaped more); to the end of the text if it does not.
fn escaped_quoted(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let n = bytes.get(at..)?.iter().take_while(|&&b| b == b'\\').count();
    let q = *bytes
        .get(at + n)
        .filter(|&&b| n > 0 && (b == b'"' || b == b'\''))?;
    let start = at + n + 1;
    for k in start..bytes.len() {
        if bytes[k] == q {
            let escapes = bytes[start..k]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if escapes == n {
                return Some((start, k - n));
            }
        }
    }
    Some((start, bytes.len()))
}

/// Whether `b` ends an unquoted value: whitespace and the punctuation that closes a field,
/// a pair or a query parameter.
fn is_value_end(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b';' | b'&' | b')' | b']' | b'}' | b'"' | b'\'' | b'<' | b'>'
        )
}

/// The index of the closing quote `q` from `at` (a backslash escapes), or the end.
fn closing_quote(bytes: &[u8], mut at: usize, q: u8) -> usize {
    while let Some(&b) = bytes.get(at) {
        if b == b'\\' {
            at += 2;
            continue;
        }
        if b == q {
            return at;
        }
        at += 1;
    }
    bytes.len()
}

/// The index after the bracket closing the one at `open` (quoted text skipped), or the end.
fn group_end(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut k = open;
    while let Some(&b) = bytes.get(k) {
        match b {
            b'[' | b'{' | b'(' => depth += 1,
            b']' | b'}' | b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k + 1;
                }
            }
            b'"' => k = closing_quote(bytes, k + 1, b'"'),
            _ => {}
        }
        k += 1;
    }
    bytes.len()
}
