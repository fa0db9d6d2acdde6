//! [`Observability`]: the service the layer wraps around yours.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::uri::PathAndQuery;
use http::{Request, Response};
use tower_service::Service;

use super::report;
use super::{ResponseBody, ResponseFuture, stamp_request};
use crate::access_level::{AccessLevel, AccessLevels};
use crate::access_log::RequestLine;
use crate::layer::route::Route;
use crate::lifecycle::in_flight::InFlight;
use crate::lifecycle::settings::Settings;
use crate::request_id::{MakeRequestId, UuidV7};

/// Middleware that gives each request an ID, a span, an access-log event and panic safety.
///
/// Made by [`ObservabilityLayer`](super::ObservabilityLayer); see the
/// [module docs](crate::layer).
///
/// # Example
///
/// ```
/// use http_observability::ObservabilityLayer;
/// use tower::{ServiceBuilder, service_fn};
///
/// let service = ServiceBuilder::new()
///     .layer(ObservabilityLayer::new())
///     .service(service_fn(|_req: http::Request<String>| async {
///         Ok::<_, std::convert::Infallible>(http::Response::new(String::from("ok")))
///     }));
/// # let _ = service;
/// ```
#[derive(Debug)]
pub struct Observability<S, M = UuidV7, L = AccessLevels> {
    inner: S,
    settings: Arc<Settings<M, L>>,
}

impl<S: Clone, M, L> Clone for Observability<S, M, L> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            settings: Arc::clone(&self.settings),
        }
    }
}

impl<S, M, L> Observability<S, M, L> {
    pub(crate) fn new(inner: S, settings: Arc<Settings<M, L>>) -> Self {
        Self { inner, settings }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, M, L, ReqBody, ResBody> Service<Request<ReqBody>> for Observability<S, M, L>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: http_body::Body<Data = Bytes>,
    M: MakeRequestId,
    L: AccessLevel,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, M, L>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let start = Instant::now();
        let settings = &self.settings;
        let resolution = settings.policy.resolve(request.headers());
        let trace = settings.trace.decide(request.headers());
        let header = settings.policy.header_name();
        stamp_request(&mut request, header, &resolution);
        let line = TowerRequestLine {
            method: request.method().clone(),
            path: request.uri().path_and_query().cloned(),
            route: Route::from_extensions(request.extensions()),
        };
        let inner = &mut self.inner;
        let log_path = settings.access.log_path;
        let in_flight =
            InFlight::start(start, resolution, trace, line, log_path, |report, _line| {
                report::call(report, inner, request)
            });
        ResponseFuture::new(in_flight, Arc::clone(settings))
    }
}

/// What the access log keeps of an `http` 1.x request: cheap clones, no copy of the bytes.
#[derive(Debug)]
pub(crate) struct TowerRequestLine {
    method: http::Method,
    /// As `Uri::path` reads it: a URI without one (authority form) has an empty path.
    path: Option<PathAndQuery>,
    route: Route,
}

impl RequestLine for TowerRequestLine {
    fn method(&self) -> &str {
        self.method.as_str()
    }

    fn path(&self) -> &str {
        self.path.as_ref().map_or("", PathAndQuery::path)
    }

    fn route(&self) -> Option<&str> {
        self.route.as_str()
    }
}
