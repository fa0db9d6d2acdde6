//! The `request` span that carries the request ID into every event a request causes.

use tracing::Span;

use crate::request_id::{InvalidRequestId, RequestId, attach_to_span};

/// Opens the `request` span with `request_id`, `http.request.method` and `http.route`, and
/// attaches the ID so that [`request_id::current`](crate::request_id::current) finds it.
///
/// The route is left empty when unknown; the raw path is never used in its place.
///
/// The span's level is ERROR, the highest: a span is only context (it writes no line of its
/// own), and at INFO a production filter such as `RUST_LOG=warn` would disable it, so the
/// WARN and ERROR lines of a request, the ones that matter most, would lose their
/// `request_id`. At ERROR it is enabled whenever any event is.
pub(crate) fn open(request_id: &RequestId, method: &str, route: Option<&str>) -> Span {
    let span = tracing::error_span!(
        "request",
        request_id = request_id.as_str(),
        http.request.method = method,
        http.route = route,
    );
    attach_to_span(&span, request_id);
    span
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
