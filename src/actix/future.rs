//! [`ResponseFuture`]: finishes an actix-web request inside its span, whatever way it ends.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::dev::ServiceResponse;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse, ResponseError};
use bytes::Bytes;
use pin_project_lite::pin_project;

use super::middleware::ActixRequestLine;
use super::{ResponseBody, report};
use crate::access_log::Outcome;
use crate::lifecycle::in_flight::{Done, InFlight};

pin_project! {
    /// The response future of [`ObservabilityService`](super::ObservabilityService).
    ///
    /// Polls the inner future inside the request's span, turns a panic into a 500, stamps the
    /// ID on the response (or on the error's response) and emits the access-log event.
    /// Dropped before completion (the client went away), it still emits the access-log event,
    /// as cancelled.
    pub struct ResponseFuture<F> {
        #[pin]
        in_flight: InFlight<ActixRequestLine, F, report::Report>,
        header: HeaderName,
        value: Option<HeaderValue>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(
        in_flight: InFlight<ActixRequestLine, F, report::Report>,
        header: HeaderName,
        value: Option<HeaderValue>,
    ) -> Self {
        Self {
            in_flight,
            header,
            value,
        }
    }
}

impl<F, B> Future for ResponseFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<ResponseBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let (header, value) = (this.header, this.value);
        this.in_flight.poll_respond(
            cx,
            |done, request_id| {
                let value = value.take();
                let error = match done {
                    Done::Output(Ok(mut response)) => {
                        stamp(response.headers_mut(), header, value);
                        report::server_error(response.status(), response.response().error());
                        let status = response.status().as_u16();
                        response
                            .response_mut()
                            .extensions_mut()
                            .insert(request_id.clone());
                        return (Ok(response), Outcome::Response(status));
                    }
                    Done::Output(Err(error)) => error,
                    Done::Panicked(body) => Error::from(Panicked(body)),
                };
                // The error becomes its response here, once, so that the ID can be added to it and
                // the access log knows the status the client will get.
                let mut response = error.error_response();
                stamp(response.headers_mut(), header, value);
                report::server_error(response.status(), Some(&error));
                let status = response.status().as_u16();
                let error = InternalError::from_response(error, response).into();
                (Err(error), Outcome::Response(status))
            },
            |response, span| {
                response.map(|response| response.map_body(|_, body| ResponseBody::new(body, span)))
            },
        )
    }
}

/// Sets the ID header, if the ID could be made into an actix-web header value (always).
fn stamp(headers: &mut HeaderMap, header: &HeaderName, value: Option<HeaderValue>) {
    if let Some(value) = value {
        headers.insert(header.clone(), value);
    }
}

/// The error that answers a panicking handler: a 500 with the JSON body of
/// [`panic_response::body`](crate::lifecycle::panic_response::body).
struct Panicked(Bytes);

impl fmt::Debug for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Panicked")
    }
}

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request handler panicked")
    }
}

impl ResponseError for Panicked {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::InternalServerError()
            .content_type("application/json")
            .body(self.0.clone())
    }
}
