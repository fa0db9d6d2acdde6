//! Sentry's `sentry-trace` and `baggage` headers: the parent when no valid `traceparent` came.

use bytes::Bytes;
use http::{HeaderName, HeaderValue};

use super::ids::{SpanId, TraceId};
use super::traceparent::trim_ows;

/// The header's name.
pub const SENTRY_TRACE: HeaderName = HeaderName::from_static("sentry-trace");
/// The W3C `baggage` header, which carries Sentry's dynamic sampling context.
pub const BAGGAGE: HeaderName = HeaderName::from_static("baggage");

/// The headers trace context is read from, for
/// [`TracePolicy::resolve_values`](super::TracePolicy::resolve_values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceHeader {
    /// `traceparent`.
    TraceParent,
    /// `tracestate`.
    TraceState,
    /// `sentry-trace`.
    SentryTrace,
    /// `baggage`.
    Baggage,
}

impl TraceHeader {
    /// The header's name, lowercase.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TraceParent => "traceparent",
            Self::TraceState => "tracestate",
            Self::SentryTrace => "sentry-trace",
            Self::Baggage => "baggage",
        }
    }

    /// The header's name as an `http` 1.x name.
    pub const fn header_name(self) -> HeaderName {
        match self {
            Self::TraceParent => super::TRACEPARENT,
            Self::TraceState => super::TRACESTATE,
            Self::SentryTrace => SENTRY_TRACE,
            Self::Baggage => BAGGAGE,
        }
    }
}
/// The longest `baggage` kept (the W3C Baggage limit).
const MAX_BAGGAGE: usize = 8192;

/// A valid incoming `sentry-trace`: `<32 hex>-<16 hex>[-0|-1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentryTrace {
    /// The trace the caller belongs to.
    pub trace_id: TraceId,
    /// The caller's span.
    pub parent_id: SpanId,
    /// The caller's sampling decision, or `None` when it left the decision to us.
    pub sampled: Option<bool>,
}

impl SentryTrace {
    /// Parses one header value: lowercase hex ids, neither all zero, an optional `-0` or `-1`.
    pub fn parse(value: &[u8]) -> Option<Self> {
        let value = trim_ows(value);
        if value.len() < 49 || value[32] != b'-' {
            return None;
        }
        let trace_id = TraceId::from_hex(&value[..32])?;
        let parent_id = SpanId::from_hex(&value[33..49])?;
        let sampled = match &value[49..] {
            b"" => None,
            b"-1" => Some(true),
            b"-0" => Some(false),
            _ => return None,
        };
        Some(Self {
            trace_id,
            parent_id,
            sampled,
        })
    }

    /// Parses the values of every `sentry-trace` header of a request: exactly one must come.
    pub fn from_values<'a>(mut values: impl Iterator<Item = &'a [u8]>) -> Option<Self> {
        match (values.next(), values.next()) {
            (Some(one), None) => Self::parse(one),
            _ => None,
        }
    }
}

/// The incoming `baggage` (several headers joined by `,`), kept to pass on with the trace it
/// came with: visible ASCII only, at most 8192 bytes, else dropped.
pub(crate) fn baggage<'a>(values: impl Iterator<Item = &'a [u8]>) -> Option<HeaderValue> {
    let mut out: Vec<u8> = Vec::new();
    for value in values {
        let value = trim_ows(value);
        if value.is_empty() {
            continue;
        }
        if !value
            .iter()
            .all(|&c| c == b' ' || c == b'\t' || c.is_ascii_graphic())
        {
            return None;
        }
        if !out.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(value);
        if out.len() > MAX_BAGGAGE {
            return None;
        }
    }
    if out.is_empty() {
        return None;
    }
    HeaderValue::from_maybe_shared(Bytes::from(out)).ok()
}
