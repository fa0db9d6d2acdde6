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
