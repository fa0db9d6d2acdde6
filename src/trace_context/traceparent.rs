//! The `traceparent` header of W3C Trace Context: parsed strictly, written as version `00`.

use std::fmt;

use http::HeaderName;

use super::ids::{SpanId, TraceFlags, TraceId};

/// The header's name.
pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// The length of a version-`00` value: `vv-<32 hex>-<16 hex>-ff`.
const LEN: usize = 55;

/// A valid incoming `traceparent`: the caller's trace id, its span id and its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    /// The trace the caller belongs to.
    pub trace_id: TraceId,
    /// The caller's span: the parent of ours.
    pub parent_id: SpanId,
    /// The caller's flags, with the bits the spec does not define cleared.
    pub flags: TraceFlags,
}

/// Why a `traceparent` value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidTraceParent {
    /// The header came more than once.
    Duplicate,
    /// Too short, or a version-`00` value that is not exactly 55 characters, or a longer value
    /// of a later version whose next field does not start with `-`.
    Length,
    /// The version is not two lowercase hex digits, or is `ff`.
    Version,
    /// A field is not followed by `-`.
    Delimiter,
    /// The trace id is not 32 lowercase hex digits, or is all zero.
    TraceId,
    /// The parent id is not 16 lowercase hex digits, or is all zero.
    ParentId,
    /// The flags are not two lowercase hex digits.
    Flags,
}

impl InvalidTraceParent {
    /// A short, stable name for the reason, for a log field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Length => "length",
            Self::Version => "version",
            Self::Delimiter => "delimiter",
            Self::TraceId => "trace_id",
            Self::ParentId => "parent_id",
            Self::Flags => "flags",
        }
    }
}

impl fmt::Display for InvalidTraceParent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self {
            Self::Duplicate => "the header was sent more than once",
            Self::Length => "the value has the wrong length for its version",
            Self::Version => "the version is not two lowercase hex digits other than ff",
            Self::Delimiter => "a field is not followed by '-'",
            Self::TraceId => "the trace id is not 32 lowercase hex digits, or is all zero",
            Self::ParentId => "the parent id is not 16 lowercase hex digits, or is all zero",
            Self::Flags => "the trace flags are not two lowercase hex digits",
        };
        write!(f, "invalid traceparent header: {why}")
    }
}

impl std::error::Error for InvalidTraceParent {}

/// Space and horizontal tab, the optional white space of HTTP.
pub(crate) fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

impl TraceParent {
    /// Parses one header value as the Recommendation says (optional white space around it
    /// aside): lowercase hex only; all-zero ids and version `ff` refused; version `00`
    /// exactly 55 characters; a later version read at the version-`00` positions when it is
    /// long enough and its next field starts with `-`, the rest ignored.
    pub fn parse(value: &[u8]) -> Result<Self, InvalidTraceParent> {
        let value = trim_ows(value);
        if value.len() < LEN {
            return Err(InvalidTraceParent::Length);
        }
        let version =
            super::ids::decode_hex::<1>(&value[..2]).ok_or(InvalidTraceParent::Version)?;
        match version[0] {
            0xff => return Err(InvalidTraceParent::Version),
            0x00 if value.len() != LEN => return Err(InvalidTraceParent::Length),
            _ if value.len() > LEN && value[LEN] != b'-' => {
                return Err(InvalidTraceParent::Length);
            }
            _ => {}
        }
        if value[2] != b'-' || value[35] != b'-' || value[52] != b'-' {
            return Err(InvalidTraceParent::Delimiter);
        }
        let trace_id = TraceId::from_hex(&value[3..35]).ok_or(InvalidTraceParent::TraceId)?;
        let parent_id = SpanId::from_hex(&value[36..52]).ok_or(InvalidTraceParent::ParentId)?;
        let flags = super::ids::decode_hex::<1>(&value[53..55]).ok_or(InvalidTraceParent::Flags)?;
        Ok(Self {
            trace_id,
            parent_id,
            flags: TraceFlags::from_byte(flags[0]),
        })
    }

    /// Parses the values of every `traceparent` header of a request: exactly one must come.
    /// `Ok(None)` when none came.
    pub fn from_values<'a>(
        mut values: impl Iterator<Item = &'a [u8]>,
    ) -> Result<Option<Self>, InvalidTraceParent> {
        match (values.next(), values.next()) {
            (None, _) => Ok(None),
            (Some(one), None) => Self::parse(one).map(Some),
            (Some(_), Some(_)) => Err(InvalidTraceParent::Duplicate),
        }
    }
}

/// A version-`00` `traceparent` value on the stack: `00-<trace id>-<span id>-<flags>`.
pub(crate) fn format(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> [u8; LEN] {
    let mut out = [b'-'; LEN];
    out[..2].copy_from_slice(b"00");
    out[3..35].copy_from_slice(trace_id.to_hex().as_str().as_bytes());
    out[36..52].copy_from_slice(span_id.to_hex().as_str().as_bytes());
    out[53..55].copy_from_slice(flags.to_hex().as_str().as_bytes());
    out
}
