//! [`MissingTraceContext`]: the rejection of the `TraceContext` extractors.

use std::fmt;

/// The [`TraceContext`](super::TraceContext) extractor's rejection: the handler runs outside
/// the request span of [`ObservabilityLayer`](crate::ObservabilityLayer) (axum) or
/// `actix::ObservabilityMiddleware` (actix-web), or the subscriber is not built on
/// `tracing_subscriber::Registry`.
///
/// It answers 500 with its message, and logs the message at ERROR: it is a wiring mistake in
/// the service, not the client's fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingTraceContext;

impl fmt::Display for MissingTraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "no trace context for this request: add ObservabilityLayer with Router::layer on \
             axum, or actix::ObservabilityMiddleware with App::wrap on actix-web, and install a \
             subscriber built on tracing_subscriber::Registry (init!() does)",
        )
    }
}

impl std::error::Error for MissingTraceContext {}
