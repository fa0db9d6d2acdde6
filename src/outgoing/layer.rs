//! [`PropagateLayer`]: a tower layer for HTTP clients that adds the request's headers to every
//! call.

use std::task::{Context, Poll};

use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use super::Propagation;

/// A tower layer for `http` 1.x clients (hyper's, or any `Service<http::Request<B>>`) that sets
/// the headers of [`Propagation`] on every request. See the [module docs](crate::outgoing).
///
/// # Example
///
/// ```
/// use http_observability::outgoing::PropagateLayer;
/// use tower::{Service, ServiceBuilder, ServiceExt, service_fn};
///
/// # tokio_test_block_on(async {
/// let mut client = ServiceBuilder::new()
///     .layer(PropagateLayer::new())
///     .service(service_fn(|req: http::Request<()>| async move {
///         // What the server would receive.
///         Ok::<_, std::convert::Infallible>(req.headers().contains_key("traceparent"))
///     }));
/// let request = http::Request::get("http://127.0.0.1:3001/health").body(()).unwrap();
/// assert!(client.ready().await.unwrap().call(request).await.unwrap());
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct PropagateLayer {
    propagation: Propagation,
}

impl PropagateLayer {
    /// With the default [`Propagation`].
    pub fn new() -> Self {
        Self::default()
    }

    /// With `propagation`.
    pub fn with_propagation(propagation: Propagation) -> Self {
        Self { propagation }
    }
}

impl<S> Layer<S> for PropagateLayer {
    type Service = Propagate<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Propagate {
            inner,
            propagation: self.propagation.clone(),
        }
    }
}

/// The client service [`PropagateLayer`] makes: sets the headers, then calls the inner client.
#[derive(Debug, Clone)]
pub struct Propagate<S> {
    inner: S,
    propagation: Propagation,
}

impl<S, B> Service<Request<B>> for Propagate<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        if self
            .propagation
            .is_target_with(|| request.uri().to_string())
        {
            self.propagation.inject(request.headers_mut());
        }
        self.inner.call(request)
    }
}
