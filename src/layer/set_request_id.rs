//! [`SetRequestIdLayer`]: the request ID alone, without span, access log or panic catching.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::{HeaderName, Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::{stamp, stamp_request};
use crate::request_id::{MakeRequestId, RequestId, RequestIdPolicy, UuidV7};

/// Resolves the request ID, stores it in the request, and sets it on the response; nothing
/// else. For services that bring their own spans and logs.
///
/// It follows the same [`RequestIdPolicy`] as [`ObservabilityLayer`](super::ObservabilityLayer),
/// but does not log refused IDs (it opens no span to log them in).
///
/// # Example
///
/// ```
/// use http_observability::{RequestId, layer::SetRequestIdLayer};
/// use tower::{Service, ServiceBuilder, ServiceExt, service_fn};
///
/// # tokio_test_block_on(async {
/// let mut service = ServiceBuilder::new()
///     .layer(SetRequestIdLayer::new())
///     .service(service_fn(|req: http::Request<()>| async move {
///         let id = req.extensions().get::<RequestId>().unwrap().clone();
///         Ok::<_, std::convert::Infallible>(http::Response::new(id.to_string()))
///     }));
/// let request = http::Request::builder().header("x-request-id", "abc").body(()).unwrap();
/// let response = service.ready().await.unwrap().call(request).await.unwrap();
/// assert_eq!(response.headers()["x-request-id"], "abc");
/// assert_eq!(response.body(), "abc");
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SetRequestIdLayer<M = UuidV7> {
    policy: Arc<RequestIdPolicy<M>>,
}

impl Default for SetRequestIdLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl SetRequestIdLayer {
    /// The defaults: header `x-request-id`, valid incoming IDs kept, UUID v7 otherwise.
    pub fn new() -> Self {
        Self::with_policy(RequestIdPolicy::new())
    }
}

impl<M: MakeRequestId> SetRequestIdLayer<M> {
    /// A layer that resolves IDs with `policy`.
    pub fn with_policy(policy: RequestIdPolicy<M>) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }
}

impl<S, M> Layer<S> for SetRequestIdLayer<M> {
    type Service = SetRequestId<S, M>;

    fn layer(&self, inner: S) -> Self::Service {
        SetRequestId {
            inner,
            policy: Arc::clone(&self.policy),
        }
    }
}

/// The service made by [`SetRequestIdLayer`].
#[derive(Debug)]
pub struct SetRequestId<S, M = UuidV7> {
    inner: S,
    policy: Arc<RequestIdPolicy<M>>,
}

impl<S: Clone, M> Clone for SetRequestId<S, M> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            policy: Arc::clone(&self.policy),
        }
    }
}

impl<S, M, ReqBody, ResBody> Service<Request<ReqBody>> for SetRequestId<S, M>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    M: MakeRequestId,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = SetRequestIdFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let resolution = self.policy.resolve(request.headers());
        let header = self.policy.header_name();
        stamp_request(&mut request, header, &resolution);
        SetRequestIdFuture {
            future: self.inner.call(request),
            stamp: Some((header.clone(), resolution.id)),
        }
    }
}

pin_project! {
    /// The response future of [`SetRequestId`]: sets the ID on the response.
    pub struct SetRequestIdFuture<F> {
        #[pin]
        future: F,
        stamp: Option<(HeaderName, RequestId)>,
    }
}

impl<F, B, E> Future for SetRequestIdFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.future.poll(cx))?;
        if let Some((header, id)) = this.stamp.take() {
            stamp(&mut response, &header, id);
        }
        Poll::Ready(Ok(response))
    }
}
