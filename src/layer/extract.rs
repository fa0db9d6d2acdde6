//! The axum extractors for [`RequestId`] and [`TraceContext`], and the answers of their
//! rejections.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::request_id::{MissingRequestId, RequestId};
use crate::trace_context::{self, MissingTraceContext, TraceContext};

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

/// The trace context of the current request, for axum handler arguments, found from the
/// request's span. Outside it, it rejects the request with [`MissingTraceContext`].
impl<S: Send + Sync> FromRequestParts<S> for TraceContext {
    type Rejection = MissingTraceContext;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        trace_context::current().ok_or(MissingTraceContext)
    }
}

impl IntoResponse for MissingTraceContext {
    fn into_response(self) -> Response {
        tracing::error!(target: "http_observability::axum", "{self}");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
