//! What the tower adapter hands to error reporting.
//!
//! With the `sentry` feature: the request's parts, from which the request's events are
//! described (and its transaction started, when performance tracing is on). The inner service
//! is called as it is either way.

use http::{Request, Response};
use tower_service::Service;

#[cfg(not(feature = "sentry"))]
pub(crate) use crate::lifecycle::report::NoReport as Report;
#[cfg(feature = "sentry")]
pub(crate) use crate::reporting::request::RequestReport as Report;

/// The inner service's future, as it is.
pub(crate) type InnerFuture<F> = F;

/// Describes the request to `report` (with the `sentry` feature; it also starts the request's
/// transaction when performance tracing is on) and calls `inner`. Without a client bound, or
/// without the feature, calls `inner` as it is.
pub(crate) fn call<S, B, ResBody>(
    report: &Report,
    inner: &mut S,
    request: Request<B>,
) -> InnerFuture<S::Future>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    #[cfg(feature = "sentry")]
    report.describe(|| with_sentry::TowerParts::new(&request));
    #[cfg(not(feature = "sentry"))]
    let _ = report;
    inner.call(request)
}

#[cfg(feature = "sentry")]
mod with_sentry {
    use http::Request;

    use crate::layer::route::Route;
    use crate::reporting::request::RequestParts;

    /// The parts of an `http` 1.x request: refcounted clones of its method, URI and headers,
    /// and its route.
    pub(super) struct TowerParts {
        method: http::Method,
        uri: http::Uri,
        headers: http::HeaderMap,
        route: Route,
    }

    impl TowerParts {
        pub(super) fn new<B>(request: &Request<B>) -> Self {
            Self {
                method: request.method().clone(),
                uri: request.uri().clone(),
                headers: request.headers().clone(),
                route: Route::from_extensions(request.extensions()),
            }
        }
    }

    impl RequestParts for TowerParts {
        fn method(&self) -> &str {
            self.method.as_str()
        }

        fn route(&self) -> Option<&str> {
            self.route.as_str()
        }

        /// As sentry-tower tells it: the URI, with `http` when it has no scheme and the `Host`
        /// header when it has no authority.
        fn url(&self) -> Option<String> {
            let scheme = self.uri.scheme_str().unwrap_or("http");
            let host = match self.uri.authority() {
                Some(authority) => authority.as_str(),
                None => self.headers.get(http::header::HOST)?.to_str().ok()?,
            };
            let path = self
                .uri
                .path_and_query()
                .map_or("/", http::uri::PathAndQuery::as_str);
            Some(format!("{scheme}://{host}{path}"))
        }

        fn headers(&self) -> impl Iterator<Item = (&str, &str, bool)> {
            self.headers.iter().map(|(name, value)| {
                let text = value.to_str().unwrap_or_default();
                (name.as_str(), text, value.is_sensitive())
            })
        }
    }
}
