//! [`ResponseFuture`]: finishes an actix-web request inside its span, whatever way it ends.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse, ResponseError};
use bytes::Bytes;
use pin_project_lite::pin_project;

use super::middleware::ActixRequestLine;
use super::{ResponseBody, report};
use crate::access_level::{AccessLevel, AccessLevels};
use crate::access_log::Outcome;
use crate::lifecycle::in_flight::{Done, InFlight};
use crate::lifecycle::settings::Settings;
use crate::request_id::{MakeRequestId, UuidV7};

pin_project! {
    /// The response future of [`ObservabilityService`](super::ObservabilityService).
    ///
    /// Polls the inner future inside the request's span, turns a panic into a 500 and stamps
    /// the ID on the response, whose body then writes the access-log event when it ends. An
    /// error of the inner service passes through as it is, its access-log event written at
    /// once. Dropped before completion (the client went away), it emits the access-log event,
    /// as cancelled.
    pub struct ResponseFuture<F, M = UuidV7, L = AccessLevels> {
        #[pin]
        in_flight: InFlight<ActixRequestLine, F, report::Report>,
        settings: Arc<Settings<M, L>>,
        header: HeaderName,
        value: Option<HeaderValue>,
    }
}

impl<F, M, L> ResponseFuture<F, M, L> {
    pub(crate) fn new(
        in_flight: InFlight<ActixRequestLine, F, report::Report>,
        settings: Arc<Settings<M, L>>,
        header: HeaderName,
        value: Option<HeaderValue>,
    ) -> Self {
        Self {
            in_flight,
            settings,
            header,
            value,
        }
    }
}

impl<F, B, M, L> Future for ResponseFuture<F, M, L>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
    M: MakeRequestId,
    L: AccessLevel,
{
    type Output = Result<ServiceResponse<ResponseBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let (header, value) = (this.header, this.value);
        this.in_flight.poll_respond(
            cx,
            &this.settings.access.level,
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
                    Done::Panicked(body) => Error::from(Panicked {
                        body,
                        id: value.map(|value| (header.clone(), value)),
                    }),
                };
                // The error passes on as it is, so that outer middleware can downcast it;
                // actix-web makes its response later. Its status is the one that response
                // gets (`status_code`, asked without making the response twice).
                let status = error.as_response_error().status_code();
                report::server_error(status, Some(&error));
                (Err(error), Outcome::Response(status.as_u16()))
            },
            |response, mut tail| match response {
                Ok(response) => Ok(response.map_body(|_, body| ResponseBody::new(body, tail))),
                Err(error) => {
                    // The response is made out of our sight: its record is written now.
                    tail.handed_over();
                    Err(error)
                }
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
/// [`panic_response::body`](crate::lifecycle::panic_response::body) and the ID header.
struct Panicked {
    body: Bytes,
    id: Option<(HeaderName, HeaderValue)>,
}

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
        let mut response = HttpResponse::InternalServerError();
        if let Some(id) = &self.id {
            response.insert_header(id.clone());
        }
        response
            .content_type("application/json")
            .body(self.body.clone())
    }
}
