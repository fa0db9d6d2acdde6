//! The axum extractor for [`RequestId`], and the answer of its rejection.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::request_id::{MissingRequestId, RequestId};

/// The ID of the current request, for axum handler arguments (see the
/// [module example](crate::layer#example)). Without a middleware that set one, it rejects the
/// request with [`MissingRequestId`].
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
