//! [`ResponseBody`]: the app's response body, streamed inside the request's span.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use bytes::Bytes;
use pin_project_lite::pin_project;

use super::middleware::ActixRequestLine;
use crate::lifecycle::streaming::Streaming;

pin_project! {
    /// The body of a response from [`ObservabilityService`](super::ObservabilityService):
    /// the app's body as it is, polled inside the request's span so that events logged while
    /// it streams carry the request ID. The request's access record is written when it ends,
    /// fails or is dropped.
    pub struct ResponseBody<B> {
        #[pin]
        body: B,
        tail: Streaming<ActixRequestLine>,
    }
}

impl<B: MessageBody> ResponseBody<B> {
    /// The app's `body`, ending the request with `tail`.
    pub(crate) fn new(body: B, mut tail: Streaming<ActixRequestLine>) -> Self {
        // actix-web never polls a body without bytes: it is over already.
        if matches!(body.size(), BodySize::None | BodySize::Sized(0)) {
            tail.complete();
        }
        Self { body, tail }
    }
}

impl<B: MessageBody> MessageBody for ResponseBody<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.project();
        let body = this.body;
        // actix-web polls to the end: `None` says it.
        this.tail.poll(|| (body.poll_next(cx), false), Bytes::len)
    }

    // A body already in memory (most are) is handed to actix-web as bytes, without streaming:
    // it is over once handed.
    fn try_into_bytes(self) -> Result<Bytes, Self> {
        let Self { body, mut tail } = self;
        match body.try_into_bytes() {
            Ok(bytes) => {
                tail.sent(bytes.len());
                tail.complete();
                Ok(bytes)
            }
            Err(body) => Err(Self { body, tail }),
        }
    }
}

impl<B> std::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody").finish_non_exhaustive()
    }
}
