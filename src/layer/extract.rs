//! The axum extractor for [`RequestId`].

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::request_id::RequestId;

/// The ID of the current request, for handler arguments.
///
/// # Example
///
/// ```
/// use axum::{Router, routing::get};
/// use http_observability::{ObservabilityLayer, RequestId};
///
/// async fn whoami(id: RequestId) -> String {
///     id.to_string()
/// }
/// let app: Router = Router::new().route("/", get(whoami)).layer(ObservabilityLayer::new());
/// ```
impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = MissingRequestId;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestId>()
            .cloned()
            .ok_or(MissingRequestId)
    }
}

/// The extractor's rejection: the request went through no layer that sets a [`RequestId`].
///
/// It answers 500, since it is a wiring mistake in the service, not the client's fault.
///
/// # Example
///
/// ```
/// use http_observability::MissingRequestId;
///
/// assert!(MissingRequestId.to_string().contains("ObservabilityLayer"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingRequestId;

impl std::fmt::Display for MissingRequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "no request ID on this request: add ObservabilityLayer (or SetRequestIdLayer) \
             with Router::layer",
        )
    }
}

impl std::error::Error for MissingRequestId {}

impl IntoResponse for MissingRequestId {
    fn into_response(self) -> Response {
        tracing::error!(target: "http_observability::axum", "{self}");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
