//! [`ResponseBody`]: the app's response body, streamed inside the request's span.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use bytes::Bytes;
use pin_project_lite::pin_project;
use tracing::Span;

pin_project! {
    /// The body of a response from [`ObservabilityService`](super::ObservabilityService):
    /// the app's body as it is, polled inside the request's span so that events logged while
    /// it streams carry the request ID.
    pub struct ResponseBody<B> {
        #[pin]
        body: B,
        span: Span,
    }
}

impl<B> ResponseBody<B> {
    /// Wraps `body`, to be polled inside `span`.
    pub(crate) fn new(body: B, span: Span) -> Self {
        Self { body, span }
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
        let _entered = this.span.enter();
        this.body.poll_next(cx)
    }

    // A body already in memory (most are) is handed to actix-web as bytes, without streaming.
    fn try_into_bytes(self) -> Result<Bytes, Self> {
        let Self { body, span } = self;
        body.try_into_bytes().map_err(|body| Self { body, span })
    }
}

impl<B> std::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody").finish_non_exhaustive()
    }
}
