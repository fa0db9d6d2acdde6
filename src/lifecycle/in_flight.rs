//! [`InFlight`]: one request from its arrival to its response, whatever the framework.
//!
//! Both adapters (the tower layer and the actix-web middleware) resolve the ID and keep what
//! their framework needs, then hand the rest to this type: it opens the `request` span, logs a
//! refused incoming ID, calls the inner service and polls its future inside the span with
//! panics caught, then hands the span and the access record to the response's body
//! ([`Streaming`](super::streaming::Streaming)), which writes the record when the body is
//! over. A request without a response has its record written here: as failed, or as cancelled
//! if it is dropped before a response. An adapter only turns the outcome into its framework's
//! response and body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use pin_project_lite::pin_project;
use tracing::Span;

use super::access_level::AccessLevel;
use super::access_log::{AccessLog, Outcome, RequestLine};
use super::catch_panic::CatchPanic;
use super::panic_response;
use super::report::Report;
use super::span;
use super::streaming::Streaming;
use crate::request_id::{RequestId, Resolution};
use crate::trace_context::Decision;

/// How the inner service ended, as an adapter sees it.
pub(crate) enum Done<O> {
    /// The inner future's output.
    Output(O),
    /// The inner service panicked (already logged): answer 500 with this JSON body.
    Panicked(Bytes),
}

pin_project! {
    /// A request being served: the inner future, the span it runs in and its access log.
    pub(crate) struct InFlight<R: RequestLine, F, P> {
        #[pin]
        state: CatchPanic<F>,
        span: Span,
        access: Option<AccessLog<R>>,
        report: P,
    }

    impl<R: RequestLine, F, P> PinnedDrop for InFlight<R, F, P> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(access) = this.access.take() {
                let _entered = this.span.enter();
                access.finish_without_response(false);
            }
        }
    }
}

impl<R: RequestLine, F: Future, P: Report> InFlight<R, F, P> {
    /// Starts the request's [`Report`], makes the sampling decision its trace context (`trace`)
    /// leaves to it, opens the request's span, logs a refused incoming ID or
    /// ignored trace context in it, and calls the inner service (`call`) inside it. `call` is
    /// also given what the adapter kept of the request (`line`), so that it need not work out
    /// the route again. `start` is when the request arrived; `log_path` says whether its
    /// access record shows `url.path`.
    pub(crate) fn start(
        start: Instant,
        resolution: Resolution,
        trace: Decision,
        line: R,
        log_path: bool,
        call: impl FnOnce(&P, &R) -> F,
    ) -> Self {
        let Resolution { id, rejected, .. } = resolution;
        let mut report = P::start(&id);
        let (trace, ignored) = trace.finish(|| report.sample_new_trace());
        report.join_trace(&trace);
        let span = span::open(&id, trace, line.method(), line.route());
        let access = AccessLog::start(id, line, start, log_path);
        let state = span.in_scope(|| {
            report.run(|| {
                if let Some(rejected) = &rejected {
                    span::log_rejected(rejected);
                }
                if let Some(ignored) = ignored {
                    span::log_ignored_trace(ignored);
                }
                CatchPanic::call(|| call(&report, access.request()))
            })
        });
        Self {
            state,
            span,
            access: Some(access),
            report,
        }
    }

    /// Polls the inner future inside the span. When it is done, `respond` (run inside the span
    /// too, with the request's ID) turns the result into the adapter's response and says how
    /// the request ended; the report is finished; then `hand_over` gets the response and the
    /// rest of the request ([`Streaming`]: the span and the access record, at the level
    /// `levels` chooses), for a body that streams inside the span and ends the record. A
    /// request without a response has its record written here.
    ///
    /// # Panics
    ///
    /// If polled again after it returned `Ready`, as any future may.
    pub(crate) fn poll_respond<M, T>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        levels: &impl AccessLevel,
        respond: impl FnOnce(Done<F::Output>, &RequestId) -> (M, Outcome),
        hand_over: impl FnOnce(M, Streaming<R>) -> T,
    ) -> Poll<T> {
        let this = self.project();
        let (response, outcome) = {
            let _entered = this.span.enter();
            let report = &*this.report;
            let access = &*this.access;
            ready!(report.run(|| {
                let result = ready!(this.state.poll(cx));
                let Some(access) = access else {
                    panic!("a request future was polled after completion");
                };
                let done = match result {
                    Ok(output) => Done::Output(output),
                    Err(payload) => {
                        panic_response::log(payload.as_ref());
                        Done::Panicked(panic_response::body(access.request_id()))
                    }
                };
                let (response, outcome) = respond(done, access.request_id());
                report.finish(outcome);
                Poll::Ready((response, outcome))
            }))
        };
        // The response head is out: the span and the record move into the response's body (no
        // clone); the body writes the record when it ends and closes the span when dropped.
        // (The record stays in place until now: moved once, not through the closures.)
        let span = std::mem::replace(this.span, Span::none());
        let record = this.access.take().and_then(|access| match outcome {
            Outcome::Response(status) => Some(access.responded(status, levels)),
            Outcome::Failed => {
                let _entered = span.enter();
                access.finish_without_response(true);
                None
            }
        });
        Poll::Ready(hand_over(response, Streaming::new(span, record)))
    }
}
