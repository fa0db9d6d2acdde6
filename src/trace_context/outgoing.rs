//! What an outgoing call carries: the current request's ID and trace, or a fresh trace.

use http::{HeaderMap, HeaderName};

use super::context::TraceContext;
use super::ids::{MakeTraceIds, RandomIds, TraceFlags};
use super::traceparent::TRACEPARENT;
use super::tracestate::TRACESTATE;
use crate::lifecycle::scope::with_current;
use crate::request_id::RequestId;

/// The context a call made now belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// The ID of the request the call is made in, if any.
    pub(crate) request_id: Option<RequestId>,
    /// That request's trace, or outside any request a fresh, unsampled one.
    pub(crate) trace: TraceContext,
}

impl Outgoing {
    /// The context of a call made now: inside a request's span (or a task instrumented with
    /// it), that request's; outside any, a new trace of its own, never a stale one.
    pub(crate) fn now() -> Self {
        with_current(|scope| {
            Some(Self {
                request_id: scope.id.clone(),
                trace: scope.trace.clone(),
            })
        })
        .unwrap_or_else(|| Self {
            request_id: None,
            trace: TraceContext::new(
                RandomIds.new_trace_id(),
                RandomIds.new_span_id(),
                TraceFlags::default(),
            ),
        })
    }

    /// Sets the request ID header (as `request_id_header`), `traceparent` (version `00`, this
    /// trace, this request's span as the parent) and `tracestate` when one came in, replacing
    /// any the caller set.
    pub(crate) fn write_w3c(&self, request_id_header: &HeaderName, headers: &mut HeaderMap) {
        if let Some(id) = &self.request_id {
            headers.insert(request_id_header.clone(), id.header_value().clone());
        }
        headers.insert(TRACEPARENT, self.trace.traceparent());
        match self.trace.trace_state() {
            Some(state) => {
                headers.insert(TRACESTATE, state.header_value().clone());
            }
            None => {
                headers.remove(&TRACESTATE);
            }
        }
    }
}
