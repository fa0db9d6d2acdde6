//! [`ResponseFuture`]: finishes a request inside its span, whatever way it ends.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::{HeaderName, Response, StatusCode};
use pin_project_lite::pin_project;
use tracing::Span;

use super::{ResponseBody, service::TowerRequestLine, stamp};
use crate::access_log::{AccessLog, Outcome};
use crate::panic_response;

pin_project! {
    /// The response future of [`Observability`](super::Observability).
    ///
    /// Polls the inner future inside the request's span, turns a panic into a 500, stamps the
    /// ID on the response and emits the access-log event. Dropped before completion (the
    /// client went away), it still emits the access-log event, as cancelled.
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
        span: Span,
        access: Option<AccessLog<TowerRequestLine>>,
        header: HeaderName,
        report: RequestReport,
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

pin_project! {
    #[project = StateProj]
    pub(crate) enum State<F> {
        Running { #[pin] future: InnerFuture<F> },
        Panicked { payload: Option<Box<dyn Any + Send>> },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(
        state: State<F>,
        span: Span,
        access: AccessLog<TowerRequestLine>,
        header: HeaderName,
        report: RequestReport,
    ) -> Self {
        Self {
            state,
            span,
            access: Some(access),
            header,
            report,
        }
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
        let _entered = this.span.enter();
        let report = &*this.report;
        report.run(|| {
            let result = match this.state.project() {
                StateProj::Running { future } => {
                    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
                        Ok(poll) => ready!(poll).map(|response| response.map(ResponseBody::inner)),
                        Err(payload) => Ok(panicked(payload, this.access.as_ref())),
                    }
                }
                StateProj::Panicked { payload } => {
                    let payload = payload
                        .take()
                        .unwrap_or_else(|| Box::new("polled after a panic"));
                    Ok(panicked(payload, this.access.as_ref()))
                }
            };
            let Some(access) = this.access.take() else {
                panic!("ResponseFuture polled after completion");
            };
            match result {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    stamp(&mut response, this.header, access.request_id().clone());
                    report.finish(Some(status));
                    access.finish(Outcome::Response(status));
                    Poll::Ready(Ok(response))
                }
                Err(error) => {
                    report.finish(None);
                    access.finish(Outcome::Failed);
                    Poll::Ready(Err(error))
                }
            }
        })
    }
}

/// Logs a caught panic and builds the 500 that answers it.
fn panicked<B>(
    payload: Box<dyn Any + Send>,
    access: Option<&AccessLog<TowerRequestLine>>,
) -> Response<ResponseBody<B>> {
    panic_response::log(payload.as_ref());
    let body = access
        .map(|access| panic_response::body(access.request_id()))
        .unwrap_or_default();
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

// Sentry: with the feature, the request's hub and sentry-tower's HTTP future (src/sentry/);
// without it, a no-op twin of the same shape.
#[cfg(feature = "sentry")]
pub(crate) use crate::sentry::request::{HttpFuture as InnerFuture, RequestReport};

#[cfg(not(feature = "sentry"))]
pub(crate) type InnerFuture<F> = F;

/// Without the `sentry` feature: does nothing, costs nothing.
#[cfg(not(feature = "sentry"))]
#[derive(Debug, Default)]
pub(crate) struct RequestReport;

#[cfg(not(feature = "sentry"))]
impl RequestReport {
    pub(crate) fn start<B>(
        _request: &http::Request<B>,
        _id: &crate::request_id::RequestId,
        _route: Option<&str>,
    ) -> Self {
        Self
    }

    pub(crate) fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        f()
    }

    pub(crate) fn call<S: tower_service::Service<Req>, Req>(
        &self,
        inner: &mut S,
        request: Req,
    ) -> S::Future {
        inner.call(request)
    }

    pub(crate) fn finish(&self, _status: Option<u16>) {}
}
