//! The validated [`RequestId`] newtype and the reasons an incoming value is refused.

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use http::HeaderValue;

/// The longest incoming request ID accepted, in bytes.
pub const MAX_LEN: usize = 128;

/// The bytes of an ID made here (not taken from a request), inline: the one allocation of
/// [`Bytes::from_owner`] holds them.
struct IdBytes {
    len: u8,
    buf: [u8; MAX_LEN],
}

impl IdBytes {
    /// A copy of `value`, cut at [`MAX_LEN`] (a validated ID is never longer).
    fn new(value: &[u8]) -> Self {
        let len = value.len().min(MAX_LEN);
        let mut buf = [0; MAX_LEN];
        buf[..len].copy_from_slice(&value[..len]);
        Self {
            len: len as u8,
            buf,
        }
    }
}

impl AsRef<[u8]> for IdBytes {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

/// A correlation ID that is safe to echo in a header and to write unescaped into a log line.
///
/// Every value went through the rules of the [module docs](crate::request_id): 1 to
/// [`MAX_LEN`] bytes of `[A-Za-z0-9._:+/=~@-]`. Cloning is cheap.
///
/// # Example
///
/// ```
/// use http_observability::request_id::RequestId;
///
/// let id = RequestId::parse("req-42").unwrap();
/// assert_eq!(id.to_string(), "req-42");
/// assert_eq!(id.header_value(), "req-42");
/// ```
// A clone is a reference count, never a copy of the bytes: see `from_valid` and
// `from_header_value`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// Validates `value` as a request ID.
    ///
    /// # Errors
    ///
    /// [`InvalidRequestId`] saying which rule the value broke and how long it was.
    pub fn parse(value: &str) -> Result<Self, InvalidRequestId> {
        Self::from_bytes(value.as_bytes())
    }

    /// Validates raw header bytes as a request ID.
    ///
    /// # Errors
    ///
    /// [`InvalidRequestId`] saying which rule the bytes broke and how many there were.
    pub fn from_bytes(value: &[u8]) -> Result<Self, InvalidRequestId> {
        validate(value)?;
        Ok(Self::from_valid(value))
    }

    /// The ID holding a copy of `value`, which [`validate`] admitted: one allocation holds the
    /// bytes and their reference count, so clones (into extensions, the span, the response)
    /// never allocate. A `HeaderValue` made from a slice would allocate again on its first
    /// clone, to share its buffer.
    fn from_valid(value: &[u8]) -> Self {
        let owned = IdBytes::new(value);
        Self(
            HeaderValue::from_maybe_shared(Bytes::from_owner(owned))
                .expect("validation admits only visible ASCII, a valid header value"),
        )
    }

    /// Validates an incoming header value.
    ///
    /// # Errors
    ///
    /// [`InvalidRequestId`] saying which rule the value broke and how long it was.
    pub fn from_header_value(value: &HeaderValue) -> Result<Self, InvalidRequestId> {
        validate(value.as_bytes())?;
        // The ID shares the value's storage: no copy of the bytes.
        Ok(Self(value.clone()))
    }

    /// The ID made from a UUID, in its hyphenated lower-case form.
    pub fn from_uuid(uuid: uuid::Uuid) -> Self {
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        uuid.hyphenated().encode_lower(&mut buf);
        Self::from_valid(&buf)
    }

    /// The ID as text.
    pub fn as_str(&self) -> &str {
        // Only validated ASCII is ever stored, so this never fails.
        std::str::from_utf8(self.0.as_bytes()).unwrap_or_default()
    }

    /// The ID as a header value, ready to insert into a request or a response.
    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for RequestId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for RequestId {
    type Err = InvalidRequestId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<RequestId> for HeaderValue {
    fn from(id: RequestId) -> Self {
        id.0
    }
}

impl PartialEq<str> for RequestId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RequestId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Why an incoming request ID was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// The value was empty.
    Empty,
    /// The value was longer than [`MAX_LEN`] bytes.
    TooLong,
    /// The value held a byte outside ASCII.
    NonAscii,
    /// The value held a control character (tab, newline, NUL, DEL, ...).
    ControlCharacter,
    /// The value held a printable character outside `[A-Za-z0-9._:+/=~@-]`, such as a space
    /// or a quote.
    ForbiddenCharacter,
    /// The header was sent more than once.
    MultipleValues,
}

impl Rejection {
    /// A short, stable, machine-readable name for the reason, as written in logs: `empty`,
    /// `too_long`, `non_ascii`, `control_character`, `forbidden_character`, `multiple_values`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::NonAscii => "non_ascii",
            Self::ControlCharacter => "control_character",
            Self::ForbiddenCharacter => "forbidden_character",
            Self::MultipleValues => "multiple_values",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a value that is not an acceptable request ID.
///
/// It keeps the reason and the length, never the value itself: the value came from the
/// network and may be hostile.
///
/// # Example
///
/// ```
/// use http_observability::request_id::{RequestId, Rejection};
///
/// let err = RequestId::parse(&"a".repeat(200)).unwrap_err();
/// assert_eq!(err.rejection(), Rejection::TooLong);
/// assert_eq!(err.len(), 200);
/// assert_eq!(err.to_string(), "invalid request ID (too_long, 200 bytes)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidRequestId {
    rejection: Rejection,
    len: usize,
}

impl InvalidRequestId {
    pub(crate) fn new(rejection: Rejection, len: usize) -> Self {
        Self { rejection, len }
    }

    /// Which rule the value broke.
    pub fn rejection(&self) -> Rejection {
        self.rejection
    }

    /// The length of the refused value in bytes (for [`Rejection::MultipleValues`], of all the
    /// values together).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len
    }
}

impl fmt::Display for InvalidRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid request ID ({}, {} bytes)",
            self.rejection, self.len
        )
    }
}

impl std::error::Error for InvalidRequestId {}

fn validate(value: &[u8]) -> Result<(), InvalidRequestId> {
    let fail = |rejection| Err(InvalidRequestId::new(rejection, value.len()));
    if value.is_empty() {
        return fail(Rejection::Empty);
    }
    if value.len() > MAX_LEN {
        return fail(Rejection::TooLong);
    }
    for &byte in value {
        if !is_allowed(byte) {
            return fail(classify(byte));
        }
    }
    Ok(())
}

const fn is_allowed(byte: u8) -> bool {
    matches!(
        byte,
        b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'.'
            | b'_'
            | b':'
            | b'+'
            | b'/'
            | b'='
            | b'~'
            | b'@'
            | b'-'
    )
}

fn classify(byte: u8) -> Rejection {
    if !byte.is_ascii() {
        Rejection::NonAscii
    } else if byte.is_ascii_control() {
        Rejection::ControlCharacter
    } else {
        Rejection::ForbiddenCharacter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejection(value: &[u8]) -> Rejection {
        RequestId::from_bytes(value).unwrap_err().rejection()
    }

    #[test]
    fn accepts_common_id_formats() {
        for ok in [
            "0192f1c4-7d3e-7a51-9c2e-4b6f0e8d1a23",
            "01J9Z3K4X5Y6Z7A8B9C0D1E2F3",
            "7f3a9c2e4b6f0e8d1a2301929f1c47d3",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=1"
                .split(';')
                .next()
                .unwrap(),
            "a",
            "user@host:8080/path~x+y=z_._",
        ] {
            let id = RequestId::parse(ok).unwrap();
            assert_eq!(id.as_str(), ok);
        }
        assert!(RequestId::parse(&"x".repeat(MAX_LEN)).is_ok());
    }

    #[test]
    fn rejects_empty() {
        assert_eq!(rejection(b""), Rejection::Empty);
    }

    #[test]
    fn rejects_too_long_and_reports_length() {
        let err = RequestId::parse(&"x".repeat(MAX_LEN + 1)).unwrap_err();
        assert_eq!(err.rejection(), Rejection::TooLong);
        assert_eq!(err.len(), MAX_LEN + 1);
    }

    #[test]
    fn rejects_spaces_quotes_and_punctuation() {
        for bad in [
            &b"a b"[..],
            b"a\"b",
            b"a'b",
            b"a;b",
            b"a,b",
            b"<script>",
            b"a\\b",
            b"{}",
        ] {
            assert_eq!(rejection(bad), Rejection::ForbiddenCharacter, "{bad:?}");
        }
    }

    #[test]
    fn rejects_control_characters() {
        for bad in [&b"a\nb"[..], b"a\rb", b"\t", b"a\0", b"\x1b[31m", b"a\x7f"] {
            assert_eq!(rejection(bad), Rejection::ControlCharacter, "{bad:?}");
        }
    }

    #[test]
    fn rejects_non_ascii() {
        assert_eq!(rejection("café".as_bytes()), Rejection::NonAscii);
        assert_eq!(rejection(&[0xff, 0xfe]), Rejection::NonAscii);
        assert_eq!(rejection("\u{2028}".as_bytes()), Rejection::NonAscii);
    }

    #[test]
    fn error_never_contains_the_value() {
        let err = RequestId::parse("secret-token value").unwrap_err();
        assert!(!err.to_string().contains("secret"));
        assert!(!format!("{err:?}").contains("secret"));
    }

    #[test]
    fn display_and_header_agree() {
        let id = RequestId::parse("abc-1").unwrap();
        assert_eq!(id.to_string(), "abc-1");
        assert_eq!(format!("{id:?}"), "RequestId(\"abc-1\")");
        assert_eq!(HeaderValue::from(id.clone()), "abc-1");
        assert_eq!(id, "abc-1");
    }
}
