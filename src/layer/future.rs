//! [`ResponseFuture`]: finishes a request inside its span, whatever way it ends.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Response, StatusCode};
use pin_project_lite::pin_project;

use super::body::Kind;
use super::report::{InnerFuture, Report};
use super::service::TowerRequestLine;
use super::{ResponseBody, stamp};
use crate::access_level::{AccessLevel, AccessLevels};
use crate::access_log::Outcome;
use crate::lifecycle::in_flight::{Done, InFlight};
use crate::lifecycle::settings::Settings;
use crate::request_id::{MakeRequestId, UuidV7};

pin_project! {
    /// The response future of [`Observability`](super::Observability).
    ///
    /// Polls the inner future inside the request's span, turns a panic into a 500 and stamps
    /// the ID on the response, whose body then writes the access-log event when it ends.
    /// Dropped before completion (the client went away), it emits the access-log event, as
    /// cancelled; an error of the inner service, as failed.
    pub struct ResponseFuture<F, M = UuidV7, L = AccessLevels> {
        #[pin]
        in_flight: InFlight<TowerRequestLine, InnerFuture<F>, Report>,
        settings: Arc<Settings<M, L>>,
    }
}

impl<F, M, L> ResponseFuture<F, M, L> {
    pub(crate) fn new(
        in_flight: InFlight<TowerRequestLine, InnerFuture<F>, Report>,
        settings: Arc<Settings<M, L>>,
    ) -> Self {
        Self {
            in_flight,
            settings,
        }
    }
}

impl<F, B, E, M, L> Future for ResponseFuture<F, M, L>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: http_body::Body<Data = Bytes>,
    M: MakeRequestId,
    L: AccessLevel,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let settings = &**this.settings;
        let header = settings.policy.header_name();
        this.in_flight.poll_respond(
            cx,
            &settings.access.level,
            |done, request_id| {
                let mut response = match done {
                    Done::Output(Ok(response)) => response.map(Kind::inner),
                    Done::Output(Err(error)) => return (Err(error), Outcome::Failed),
                    Done::Panicked(body) => panicked(body),
                };
                let status = response.status().as_u16();
                stamp(&mut response, header, request_id.clone());
                (Ok(response), Outcome::Response(status))
            },
            |response, tail| {
                response.map(|response| response.map(|kind| ResponseBody::new(kind, tail)))
            },
        )
    }
}

/// The 500 that answers a caught panic.
fn panicked<B>(body: Bytes) -> Response<Kind<B>> {
    let mut response = Response::new(Kind::full(body));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}
