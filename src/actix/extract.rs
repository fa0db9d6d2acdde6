//! The actix-web extractor for [`RequestId`], and the answer of its rejection.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};

use crate::request_id::{MissingRequestId, RequestId};

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
