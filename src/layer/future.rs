//! [`ResponseFuture`]: finishes a request inside its span, whatever way it ends.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderName, Response, StatusCode};
use pin_project_lite::pin_project;

use super::report::{InnerFuture, Report};
use super::service::TowerRequestLine;
use super::{ResponseBody, stamp};
use crate::access_log::Outcome;
use crate::lifecycle::in_flight::{Done, InFlight};

pin_project! {
    /// The response future of [`Observability`](super::Observability).
    ///
    /// Polls the inner future inside the request's span, turns a panic into a 500, stamps the
    /// ID on the response and emits the access-log event. Dropped before completion (the
    /// client went away), it still emits the access-log event, as cancelled.
    pub struct ResponseFuture<F> {
        #[pin]
        in_flight: InFlight<TowerRequestLine, InnerFuture<F>, Report>,
        header: HeaderName,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(
        in_flight: InFlight<TowerRequestLine, InnerFuture<F>, Report>,
        header: HeaderName,
    ) -> Self {
        Self { in_flight, header }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: http_body::Body<Data = Bytes>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let header = this.header;
        this.in_flight.poll_respond(
            cx,
            |done, request_id| {
                let mut response = match done {
                    Done::Output(Ok(response)) => response.map(ResponseBody::inner),
                    Done::Output(Err(error)) => return (Err(error), Outcome::Failed),
                    Done::Panicked(body) => panicked(body),
                };
                let status = response.status().as_u16();
                stamp(&mut response, header, request_id.clone());
                (Ok(response), Outcome::Response(status))
            },
            |response, span| {
                response.map(|mut response| {
                    response.body_mut().stream_in(span);
                    response
                })
            },
        )
    }
}

/// The 500 that answers a caught panic.
fn panicked<B>(body: Bytes) -> Response<ResponseBody<B>> {
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
