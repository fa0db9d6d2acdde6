//! The actix-web extractors for [`RequestId`] and [`TraceContext`], and the answers of their
//! rejections.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};

use crate::request_id::{MissingRequestId, RequestId};
use crate::trace_context::{self, MissingTraceContext, TraceContext};

/// The ID of the current request, for actix-web handler arguments (see the
/// [module example](crate::actix#example)). Without the middleware, it fails with
/// [`MissingRequestId`].
impl FromRequest for RequestId {
    type Error = MissingRequestId;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<RequestId>()
                .cloned()
                .ok_or(MissingRequestId),
        )
    }
}

impl ResponseError for MissingRequestId {
    fn error_response(&self) -> HttpResponse {
        tracing::error!("{self}");
        HttpResponse::InternalServerError().body(self.to_string())
    }
}

/// The trace context of the current request, for actix-web handler arguments, found from the
/// request's span. Outside it, it fails with [`MissingTraceContext`].
impl FromRequest for TraceContext {
    type Error = MissingTraceContext;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(_request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(trace_context::current().ok_or(MissingTraceContext))
    }
}

impl ResponseError for MissingTraceContext {
    fn error_response(&self) -> HttpResponse {
        tracing::error!("{self}");
        HttpResponse::InternalServerError().body(self.to_string())
    }
}
