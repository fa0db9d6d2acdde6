//! [`ResponseFuture`]: finishes an actix-web request inside its span, whatever way it ends.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use actix_web::dev::ServiceResponse;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse, ResponseError};
use bytes::Bytes;
use pin_project_lite::pin_project;
use tracing::Span;

use super::ResponseBody;
use super::middleware::ActixRequestLine;
use crate::access_log::{AccessLog, Outcome};
use crate::catch_panic::CatchPanic;
use crate::panic_response;

pin_project! {
    /// The response future of [`ObservabilityMiddleware`](super::ObservabilityMiddleware).
    ///
    /// Polls the inner future inside the request's span, turns a panic into a 500, stamps the
    /// ID on the response (or on the error's response) and emits the access-log event.
    /// Dropped before completion (the client went away), it still emits the access-log event,
    /// as cancelled.
    pub struct ResponseFuture<F> {
        #[pin]
        state: CatchPanic<F>,
        span: Span,
        access: Option<AccessLog<ActixRequestLine>>,
        header: HeaderName,
        value: Option<HeaderValue>,
    }

    impl<F> PinnedDrop for ResponseFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(access) = this.access.take() {
                let _entered = this.span.enter();
                access.finish(Outcome::Cancelled);
            }
        }
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(
        state: CatchPanic<F>,
        span: Span,
        access: AccessLog<ActixRequestLine>,
        header: HeaderName,
        value: Option<HeaderValue>,
    ) -> Self {
        Self {
            state,
            span,
            access: Some(access),
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
        let _entered = this.span.enter();
        let result = match ready!(this.state.poll(cx)) {
            Ok(output) => output,
            Err(payload) => {
                panic_response::log(payload.as_ref());
                let body = this
                    .access
                    .as_ref()
                    .map(|access| panic_response::body(access.request_id()))
                    .unwrap_or_default();
                Err(Error::from(Panicked(body)))
            }
        };
        let Some(access) = this.access.take() else {
            panic!("ResponseFuture polled after completion");
        };
        let value = this.value.take();
        match result {
            Ok(mut response) => {
                stamp(response.headers_mut(), this.header, value);
                let request_id = access.request_id().clone();
                response.response_mut().extensions_mut().insert(request_id);
                access.finish(Outcome::Response(response.status().as_u16()));
                let span = this.span.clone();
                Poll::Ready(Ok(
                    response.map_body(|_, body| ResponseBody::new(body, span))
                ))
            }
            Err(error) => {
                // The error becomes its response here, once, so that the ID can be added to it
                // and the access log knows the status the client will get.
                let mut response = error.error_response();
                stamp(response.headers_mut(), this.header, value);
                access.finish(Outcome::Response(response.status().as_u16()));
                Poll::Ready(Err(InternalError::from_response(error, response).into()))
            }
        }
    }
}

/// Sets the ID header, if the ID could be made into an actix-web header value (always).
fn stamp(headers: &mut HeaderMap, header: &HeaderName, value: Option<HeaderValue>) {
    if let Some(value) = value {
        headers.insert(header.clone(), value);
    }
}

/// The error that answers a panicking handler: a 500 with the JSON body of
/// [`panic_response::body`].
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
