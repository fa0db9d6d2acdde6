//! The actix-web extractor for [`RequestId`].

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};

use crate::request_id::RequestId;

/// The ID of the current request, for handler arguments.
///
/// # Example
///
/// ```
/// use actix_web::{App, web};
/// use http_observability::{RequestId, actix::Observability};
///
/// async fn whoami(id: RequestId) -> String {
///     id.to_string()
/// }
/// let app = App::new().wrap(Observability::new()).route("/", web::get().to(whoami));
/// # let _ = app;
/// ```
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

/// The actix-web extractor's rejection: the request went through no
/// [`Observability`](super::Observability) middleware.
///
/// It answers 500, since it is a wiring mistake in the service, not the client's fault.
///
/// # Example
///
/// ```
/// use http_observability::actix::MissingRequestId;
///
/// assert!(MissingRequestId.to_string().contains("App::wrap"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingRequestId;

impl std::fmt::Display for MissingRequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "no request ID on this request: add http_observability::actix::Observability \
             with App::wrap",
        )
    }
}

impl std::error::Error for MissingRequestId {}

impl ResponseError for MissingRequestId {
    fn error_response(&self) -> HttpResponse {
        tracing::error!("{self}");
        HttpResponse::InternalServerError().body(self.to_string())
    }
}
