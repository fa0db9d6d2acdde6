//! The `request` span that carries the request ID into every event a request causes.

use tracing::Span;

use super::scope::{self, RequestScope};
use crate::request_id::{InvalidRequestId, RequestId};
use crate::trace_context::{Ignored, MakeTraceIds, SpanFields, TraceContext, TraceFlags};

/// Opens the `request` span with `request_id`, `trace_id`, `span_id`, `trace_flags`,
/// `http.request.method` and `http.route`, and attaches the ID and the trace context so that
/// [`request_id::current`](crate::request_id::current) and
/// [`trace_context::current`](crate::trace_context::current) find them.
///
/// The route is left empty when unknown; the raw path is never used in its place.
///
/// The span's level is ERROR, the highest: a span is only context (it writes no line of its
/// own), and at INFO a production filter such as `RUST_LOG=warn` would disable it, so the
/// WARN and ERROR lines of a request, the ones that matter most, would lose their
/// `request_id`. At ERROR it is enabled whenever any event is.
pub(crate) fn open(
    request_id: &RequestId,
    trace: TraceContext,
    method: &str,
    route: Option<&str>,
) -> Span {
    let hex = SpanFields::new(trace.trace_id(), trace.span_id(), trace.flags());
    let (trace_id, span_id, trace_flags) = hex.as_strs();
    let span = tracing::error_span!(
        "request",
        request_id = request_id.as_str(),
        trace_id,
        span_id,
        trace_flags,
        http.request.method = method,
        http.route = route,
    );
    let id = Some(request_id.clone());
    scope::attach(&span, RequestScope { id, trace });
    span
}

/// Opens a `client` span for one outgoing call of the current request: the request's ID, the
/// same trace, a fresh span id (the caller's span as its parent). Lines inside it carry its
/// `span_id`, and calls made inside it send that id as their parent. Outside any request, the
/// span starts a trace of its own.
pub(crate) fn open_client(ids: &impl MakeTraceIds) -> Span {
    let scope = super::scope::with_current(|scope| Some(scope.clone()));
    let (id, trace) = match scope {
        Some(RequestScope { id, trace }) => {
            let child = TraceContext::new(trace.trace_id(), ids.new_span_id(), trace.flags())
                .with_parent(trace.span_id())
                .with_trace_state(trace.trace_state().cloned());
            (id, child)
        }
        None => (
            None,
            TraceContext::new(ids.new_trace_id(), ids.new_span_id(), TraceFlags::default()),
        ),
    };
    let hex = SpanFields::new(trace.trace_id(), trace.span_id(), trace.flags());
    let (trace_id, span_id, trace_flags) = hex.as_strs();
    let span = tracing::error_span!("client", trace_id, span_id, trace_flags);
    scope::attach(&span, RequestScope { id, trace });
    span
}

/// Logs, inside the request's span, at DEBUG, why the incoming trace context was ignored: the
/// reason, never the value.
pub(crate) fn log_ignored_trace(ignored: Ignored) {
    let (header, reason) = match ignored {
        Ignored::TraceParent(why) => ("traceparent", why.as_str()),
        Ignored::TraceState(why) => ("tracestate", why.as_str()),
    };
    tracing::debug!(
        target: "http_observability::request_span",
        header,
        reason,
        "incoming trace context ignored"
    );
}

/// Logs, inside the request's span, that the incoming ID was refused: the reason and the
/// length, never the value.
pub(crate) fn log_rejected(rejected: &InvalidRequestId) {
    // The target the line had before the module moved: filters and dashboards name it.
    tracing::warn!(
        target: "http_observability::request_span",
        reason = rejected.rejection().as_str(),
        length = rejected.len(),
        "incoming request ID refused; a new one was generated"
    );
}
