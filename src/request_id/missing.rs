//! [`MissingRequestId`]: the rejection of the `RequestId` extractors, on axum and actix-web alike.

use std::fmt;

/// The [`RequestId`](super::RequestId) extractor's rejection: the request went through no
/// middleware that sets an ID ([`ObservabilityLayer`](crate::ObservabilityLayer) or
/// `SetRequestIdLayer` on axum, `actix::ObservabilityMiddleware` on actix-web).
///
/// It answers 500 with its message, and logs the message at ERROR: it is a wiring mistake in
/// the service, not the client's fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingRequestId;

impl fmt::Display for MissingRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "no request ID on this request: add ObservabilityLayer (or SetRequestIdLayer) with \
             Router::layer on axum, or actix::ObservabilityMiddleware with App::wrap on actix-web",
        )
    }
}

impl std::error::Error for MissingRequestId {}
