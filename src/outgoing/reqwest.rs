//! [`PropagateMiddleware`]: the request's headers on every call of a `reqwest-middleware`
//! client.

use http::Extensions;
use reqwest_middleware::reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next, Result};

use super::Propagation;

/// A `reqwest-middleware` middleware that sets the headers of [`Propagation`] on every call.
/// See the [module docs](crate::outgoing).
///
/// Unlike reqwest-tracing, it needs no globally installed propagator: it reads the request's
/// context from the current span.
#[derive(Debug, Clone, Default)]
pub struct PropagateMiddleware {
    propagation: Propagation,
}

impl PropagateMiddleware {
    /// With the default [`Propagation`].
    pub fn new() -> Self {
        Self::default()
    }

    /// With `propagation`.
    pub fn with_propagation(propagation: Propagation) -> Self {
        Self { propagation }
    }
}

#[async_trait::async_trait]
impl Middleware for PropagateMiddleware {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> Result<Response> {
        if self.propagation.is_target(request.url().as_str()) {
            self.propagation.inject(request.headers_mut());
        }
        next.run(request, extensions).await
    }
}
