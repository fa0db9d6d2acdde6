//! The axum extractor for [`RequestId`], and the answer of its rejection.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::request_id::{MissingRequestId, RequestId};

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

impl IntoResponse for MissingRequestId {
    fn into_response(self) -> Response {
        tracing::error!(target: "http_observability::axum", "{self}");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
