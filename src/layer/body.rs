//! [`ResponseBody`]: the inner service's body, or the small body the layer writes itself.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use super::service::TowerRequestLine;
use crate::lifecycle::streaming::Streaming;

pin_project! {
    /// The body of a response from [`Observability`](super::Observability): the inner
    /// service's body, polled inside the request's span so that events logged while it
    /// streams carry the request ID, or the JSON body of the 500 the layer sends for a panic.
    /// The request's access record is written when it ends, fails or is dropped.
    pub struct ResponseBody<B> {
        #[pin]
        kind: Kind<B>,
        tail: Streaming<TowerRequestLine>,
    }
}

pin_project! {
    /// What a [`ResponseBody`] sends.
    #[project = KindProj]
    pub(crate) enum Kind<B> {
        Inner { #[pin] body: B },
        Full { data: Option<Bytes> },
    }
}

impl<B> Kind<B> {
    /// The inner service's body.
    pub(crate) fn inner(body: B) -> Self {
        Self::Inner { body }
    }

    /// A body of the layer's own (the panic's JSON).
    pub(crate) fn full(data: Bytes) -> Self {
        let data = (!data.is_empty()).then_some(data);
        Self::Full { data }
    }
}

impl<B: Body<Data = Bytes>> ResponseBody<B> {
    /// Sends `kind` inside the request's span, and ends its access record (`tail`) with it.
    // Made once the response head is out, so that the smaller head-time response is what
    // moves through the lifecycle.
    pub(crate) fn new(kind: Kind<B>, mut tail: Streaming<TowerRequestLine>) -> Self {
        // A body that is already over (an empty one) is never polled by the server.
        if kind.is_end_stream() {
            tail.complete();
        }
        Self { kind, tail }
    }
}

impl<B: Body<Data = Bytes>> Body for ResponseBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let mut kind = this.kind;
        this.tail.poll(
            || {
                let polled = match kind.as_mut().project() {
                    KindProj::Inner { body } => body.poll_frame(cx),
                    KindProj::Full { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
                };
                // hyper checks this after each frame, and stops polling a body that is over.
                (polled, kind.is_end_stream())
            },
            |frame| frame.data_ref().map_or(0, Bytes::len),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.kind.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Inner { body } => body.size_hint(),
            Kind::Full { data } => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
        }
    }
}

impl<B: Body> Kind<B> {
    fn is_end_stream(&self) -> bool {
        match self {
            Kind::Inner { body } => body.is_end_stream(),
            Kind::Full { data } => data.is_none(),
        }
    }
}

impl<B> std::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody").finish_non_exhaustive()
    }
}
