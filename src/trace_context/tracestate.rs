//! The `tracestate` header of W3C Trace Context: the vendors' list, kept beside a valid
//! `traceparent` and passed on.

use std::fmt;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};

use super::traceparent::trim_ows;

/// The header's name.
pub const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");

/// The most list members the Recommendation allows.
pub const MAX_MEMBERS: usize = 32;

/// A valid `tracestate` list, normalised: its members in their order, joined by `,` without
/// white space, the first of a duplicated key kept.
#[derive(Clone, PartialEq, Eq)]
pub struct TraceState(HeaderValue);

/// Why a `tracestate` list was refused (the whole list is dropped, as the Recommendation says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidTraceState {
    /// More than [`MAX_MEMBERS`] list members.
    TooManyMembers,
    /// A member is not `key=value`, or its key or value breaks the grammar.
    Member,
}

impl InvalidTraceState {
    /// A short, stable name for the reason, for a log field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooManyMembers => "too_many_members",
            Self::Member => "member",
        }
    }
}

impl fmt::Display for InvalidTraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyMembers => write!(
                f,
                "invalid tracestate header: more than {MAX_MEMBERS} members"
            ),
            Self::Member => {
                f.write_str("invalid tracestate header: a member breaks the key=value grammar")
            }
        }
    }
}

impl std::error::Error for InvalidTraceState {}

/// A key: a lowercase letter or digit, then up to 255 of `a-z 0-9 _ - * / @` (the grammar the
/// W3C test suite checks, which admits both simple and multi-tenant keys).
fn valid_key(key: &[u8]) -> bool {
    let Some((&first, rest)) = key.split_first() else {
        return false;
    };
    (first.is_ascii_lowercase() || first.is_ascii_digit())
        && rest.len() <= 255
        && rest.iter().all(|&c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || matches!(c, b'_' | b'-' | b'*' | b'/' | b'@')
        })
}

/// A value: 1 to 256 printable ASCII characters other than `,` and `=`, the last not a space.
fn valid_value(value: &[u8]) -> bool {
    matches!(value.last(), Some(&last) if last != b' ')
        && value.len() <= 256
        && value
            .iter()
            .all(|&c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=')
}

impl TraceState {
    /// Combines the values of every `tracestate` header of a request, in order, into one list
    /// (white space around members and empty members dropped). `Ok(None)` when no member came.
    pub fn from_values<'a>(
        values: impl Iterator<Item = &'a [u8]>,
    ) -> Result<Option<Self>, InvalidTraceState> {
        let mut out: Vec<u8> = Vec::new();
        // Where each kept key lies in `out`, to drop later duplicates.
        let mut keys = [(0usize, 0usize); MAX_MEMBERS];
        let mut count = 0;
        for value in values {
            for member in value.split(|&c| c == b',') {
                let member = trim_ows(member);
                if member.is_empty() {
                    continue;
                }
                let eq = member
                    .iter()
                    .position(|&c| c == b'=')
                    .ok_or(InvalidTraceState::Member)?;
                let (key, value) = (&member[..eq], &member[eq + 1..]);
                if !valid_key(key) || !valid_value(value) {
                    return Err(InvalidTraceState::Member);
                }
                if keys[..count.min(MAX_MEMBERS)]
                    .iter()
                    .any(|&(start, end)| &out[start..end] == key)
                {
                    continue;
                }
                if count == MAX_MEMBERS {
                    return Err(InvalidTraceState::TooManyMembers);
                }
                if !out.is_empty() {
                    out.push(b',');
                }
                keys[count] = (out.len(), out.len() + key.len());
                count += 1;
                out.extend_from_slice(member);
            }
        }
        if out.is_empty() {
            return Ok(None);
        }
        // Only printable ASCII was kept: always a valid header value.
        HeaderValue::from_maybe_shared(Bytes::from(out))
            .map(|value| Some(Self(value)))
            .map_err(|_| InvalidTraceState::Member)
    }

    /// The list as a header value.
    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }

    /// The list as text.
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

impl fmt::Debug for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TraceState").field(&self.as_str()).finish()
    }
}
