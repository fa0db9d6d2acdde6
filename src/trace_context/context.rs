//! [`TraceContext`]: the trace one request belongs to and its own span in it.

use http::HeaderValue;

use super::ids::{SpanId, TraceFlags, TraceId};
use super::traceparent;
use super::tracestate::TraceState;

/// The trace context of one request: the trace it belongs to, the span id its log lines
/// carry, the caller's span when the trace was continued, and what is passed on.
///
/// Every request served by the tower layer or the actix-web middleware has one: continued from
/// a valid incoming `traceparent` (or, without one, `sentry-trace`), or a new trace. Handlers
/// reach it with [`current`](super::current) or the frameworks' extractors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: TraceId,
    span_id: SpanId,
    parent_span_id: Option<SpanId>,
    flags: TraceFlags,
    trace_state: Option<TraceState>,
    baggage: Option<HeaderValue>,
}

impl TraceContext {
    /// A context for a span `span_id` in trace `trace_id`, with no parent: the start of a
    /// trace.
    pub fn new(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> Self {
        Self {
            trace_id,
            span_id,
            parent_span_id: None,
            flags,
            trace_state: None,
            baggage: None,
        }
    }

    /// The same context with `parent` as the caller's span.
    pub fn with_parent(mut self, parent: SpanId) -> Self {
        self.parent_span_id = Some(parent);
        self
    }

    /// The same context carrying `trace_state` on.
    pub fn with_trace_state(mut self, trace_state: Option<TraceState>) -> Self {
        self.trace_state = trace_state;
        self
    }

    pub(crate) fn with_flags(mut self, flags: TraceFlags) -> Self {
        self.flags = flags;
        self
    }

    pub(crate) fn with_baggage(mut self, baggage: Option<HeaderValue>) -> Self {
        self.baggage = baggage;
        self
    }

    /// The trace's id.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The id of this request's span: the `span_id` of its log lines, and the parent id its
    /// outgoing calls send.
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }

    /// The caller's span id, when the trace was continued.
    pub fn parent_span_id(&self) -> Option<SpanId> {
        self.parent_span_id
    }

    /// The trace flags.
    pub fn flags(&self) -> TraceFlags {
        self.flags
    }

    /// Whether the trace is sampled.
    pub fn is_sampled(&self) -> bool {
        self.flags.is_sampled()
    }

    /// The `tracestate` that came with the trace, to pass on.
    pub fn trace_state(&self) -> Option<&TraceState> {
        self.trace_state.as_ref()
    }

    /// The `baggage` that came with a `sentry-trace` parent, to pass on.
    pub fn baggage(&self) -> Option<&HeaderValue> {
        self.baggage.as_ref()
    }

    /// The `traceparent` value of an outgoing call: version `00`, this trace, this request's
    /// span as the parent, these flags.
    pub fn traceparent(&self) -> HeaderValue {
        let value = traceparent::format(self.trace_id, self.span_id, self.flags);
        // Hex digits and dashes only: always a valid header value.
        HeaderValue::from_bytes(&value).unwrap_or(HeaderValue::from_static(""))
    }
}
