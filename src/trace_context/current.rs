//! The current request's trace context, found from anywhere inside the request's span.

use super::TraceContext;

/// The trace context of the request being handled, looked up from the current tracing span and
/// its parents: where [`request_id::current`](crate::request_id::current) finds the ID, this
/// finds the trace. `None` outside a request.
///
/// A task spawned with `.in_current_span()` (from `tracing::Instrument`) inside a request keeps
/// the request's span, and so its ID and trace.
///
/// # Example
///
/// ```
/// use http_observability::trace_context;
///
/// match trace_context::current() {
///     Some(trace) => println!("in trace {}", trace.trace_id()),
///     None => println!("outside any request"),
/// }
/// ```
pub fn current() -> Option<TraceContext> {
    crate::lifecycle::scope::with_current(|scope| Some(scope.trace.clone()))
}

/// Opens a span for one outgoing call (or a group of them) of the current request, as a
/// client span of its own: same request ID and trace, a fresh span id whose parent is the
/// request's span. Lines logged inside it carry its `span_id`, and calls made inside it (with
/// [`outgoing`](crate::outgoing)) send that id as their parent, so that each call appears as a
/// separate child in the trace. Without it, every call of a request sends the request's own
/// span id.
///
/// Outside any request, the span starts a trace of its own (and carries no request ID).
///
/// # Example
///
/// ```
/// use http_observability::trace_context;
///
/// let span = trace_context::client_span();
/// let _entered = span.enter();
/// tracing::info!("calling the billing service"); // carries the client span's span_id
/// ```
pub fn client_span() -> tracing::Span {
    crate::lifecycle::span::open_client(&super::RandomIds)
}
