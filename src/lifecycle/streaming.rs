//! [`Streaming`]: the rest of a request once its response head is handed over, carried by the
//! response body until it ends.
//!
//! Both adapters' bodies hold one: it polls the body inside the request's span, counts the
//! bytes handed to the server, and emits the access record when the body ends, fails, or is
//! dropped before its end, exactly once.

use std::task::Poll;

use tracing::Span;

use super::access_log::{End, RequestLine, Responding};

/// The request's span and its access record, waiting for the body's end.
#[derive(Debug)]
pub(crate) struct Streaming<R: RequestLine> {
    span: Span,
    record: Option<Responding<R>>,
}

impl<R: RequestLine> Streaming<R> {
    /// Follows the body of a response inside `span`, ending with `record` (none when the
    /// record was already written).
    pub(crate) fn new(span: Span, record: Option<Responding<R>>) -> Self {
        Self { span, record }
    }

    /// Runs one poll of the body (`poll`) inside the span. A chunk counts its `size`; the end,
    /// an error, or a chunk after which `poll` says the body is over (the server stops polling
    /// a body that says so) emits the record.
    pub(crate) fn poll<T, E>(
        &mut self,
        poll: impl FnOnce() -> (Poll<Option<Result<T, E>>>, bool),
        size: impl FnOnce(&T) -> usize,
    ) -> Poll<Option<Result<T, E>>> {
        let _entered = self.span.enter();
        let (polled, over) = poll();
        let record = &mut self.record;
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(record) = record {
                    record.sent(size(chunk));
                }
                if over {
                    end(record, End::Complete);
                }
            }
            Poll::Ready(Some(Err(_))) => end(record, End::BodyError),
            Poll::Ready(None) => end(record, End::Complete),
            Poll::Pending => {
                if let Some(record) = record {
                    record.waited();
                }
            }
        }
        polled
    }

    /// `bytes` were handed to the server without a poll (a body already in memory).
    #[cfg_attr(not(feature = "actix"), allow(dead_code))] // used by the actix adapter
    pub(crate) fn sent(&mut self, bytes: usize) {
        if let Some(record) = &mut self.record {
            record.sent(bytes);
        }
    }

    /// The body is over without being polled to its end (the server knows it ended, by its
    /// size or `is_end_stream`): emits the record as complete.
    pub(crate) fn complete(&mut self) {
        let _entered = self.span.enter();
        end(&mut self.record, End::Complete);
    }

    /// The response leaves the lifecycle's sight before its body is made: emits the record
    /// now, without a size.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))] // used by the actix adapter
    pub(crate) fn handed_over(&mut self) {
        let _entered = self.span.enter();
        end(&mut self.record, End::HandedOver);
    }
}

/// Emits the record, once.
fn end<R: RequestLine>(record: &mut Option<Responding<R>>, end: End) {
    if let Some(record) = record.take() {
        record.finish(end);
    }
}

impl<R: RequestLine> Drop for Streaming<R> {
    fn drop(&mut self) {
        if self.record.is_some() {
            let _entered = self.span.enter();
            end(&mut self.record, End::Dropped);
        }
    }
}
