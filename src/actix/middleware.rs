//! [`ObservabilityMiddleware`], the actix-web `Transform`, and the service it wraps around an app.

use std::future::{Ready, ready};
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::uri::PathAndQuery;
use actix_web::{Error, HttpMessage};
use bytes::Bytes;

use super::{ResponseBody, ResponseFuture};
use crate::access_level::{AccessLevel, AccessLevels};
use crate::access_log::RequestLine;
use crate::lifecycle::in_flight::InFlight;
use crate::lifecycle::settings::Settings;
use crate::request_id::{MakeRequestId, RequestHeaders, RequestId, RequestIdPolicy, UuidV7};
use crate::trace_context::TraceHeader;

/// The trace headers as actix-web's (`http` 0.2) names: a name given as text is parsed at every
/// lookup.
const TRACEPARENT: HeaderName = HeaderName::from_static(TraceHeader::TraceParent.as_str());
const TRACESTATE: HeaderName = HeaderName::from_static(TraceHeader::TraceState.as_str());
const SENTRY_TRACE: HeaderName = HeaderName::from_static(TraceHeader::SentryTrace.as_str());
const BAGGAGE: HeaderName = HeaderName::from_static(TraceHeader::Baggage.as_str());

/// The actix-web middleware that gives every request an ID, a span, an access-log event and
/// panic safety. See the [module docs](crate::actix) for what it does and where to put it.
///
/// It holds only configuration (a [`RequestIdPolicy`]): cloning it for each worker is cheap.
///
/// # Example
///
/// ```
/// use actix_web::{App, web};
/// use http::HeaderName;
/// use http_observability::{actix::ObservabilityMiddleware, request_id::RequestIdPolicy};
///
/// // A public-facing service: never trust a client's ID, use the header the proxy expects.
/// let policy = RequestIdPolicy::new()
///     .header(HeaderName::from_static("x-correlation-id"))
///     .trust_incoming(false);
/// let app = App::new()
///     .wrap(ObservabilityMiddleware::with_policy(policy))
///     .route("/", web::get().to(|| async { "hello" }));
/// # let _ = app;
/// ```
// The settings sit behind an `Arc`, shared by every worker's clone and every service it makes.
#[derive(Debug)]
pub struct ObservabilityMiddleware<M = UuidV7, L = AccessLevels> {
    settings: Arc<Settings<M, L>>,
}

impl<M, L> Clone for ObservabilityMiddleware<M, L> {
    fn clone(&self) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
        }
    }
}

impl Default for ObservabilityMiddleware {
    fn default() -> Self {
        Self::new()
    }
}

impl ObservabilityMiddleware {
    /// The defaults: header `x-request-id`, valid incoming IDs kept, UUID v7 otherwise; an
    /// access record for every request, INFO below 500 and ERROR from 500, with its path.
    pub fn new() -> Self {
        Self::with_policy(RequestIdPolicy::new())
    }
}

impl<M: MakeRequestId> ObservabilityMiddleware<M> {
    /// A middleware that resolves IDs with `policy`: its header, whether incoming IDs are
    /// trusted, and how fresh ones are made.
    pub fn with_policy(policy: RequestIdPolicy<M>) -> Self {
        Self {
            settings: Arc::new(Settings::new(policy)),
        }
    }
}

crate::lifecycle::settings::shared_setters!(ObservabilityMiddleware);

impl<S, B, M, L> Transform<S, ServiceRequest> for ObservabilityMiddleware<M, L>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
    M: MakeRequestId,
    L: AccessLevel,
{
    type Response = ServiceResponse<ResponseBody<B>>;
    type Error = Error;
    type Transform = ObservabilityService<S, M, L>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        // `http` 0.2 and 1.x accept the same header names, so this never fails in practice.
        let name = self.settings.policy.header_name().as_str();
        ready(match HeaderName::from_bytes(name.as_bytes()) {
            Ok(header) => Ok(ObservabilityService {
                service,
                settings: Arc::clone(&self.settings),
                header,
            }),
            Err(_) => {
                tracing::error!(
                    header = name,
                    "the request ID header name is not valid for actix-web"
                );
                Err(())
            }
        })
    }
}

/// The service [`ObservabilityMiddleware`] wraps around an app; see the [module docs](crate::actix).
///
/// # Example
///
/// ```
/// use actix_web::{App, test, web};
/// use http_observability::actix::ObservabilityMiddleware;
///
/// # actix_web::rt::System::new().block_on(async {
/// let app = test::init_service(
///     App::new().wrap(ObservabilityMiddleware::new()).route("/", web::get().to(|| async { "hi" })),
/// )
/// .await;
/// let request = test::TestRequest::get().uri("/").insert_header(("x-request-id", "abc")).to_request();
/// let response = test::call_service(&app, request).await;
/// assert_eq!(response.headers().get("x-request-id").unwrap(), "abc");
/// # });
/// ```
#[derive(Debug)]
pub struct ObservabilityService<S, M = UuidV7, L = AccessLevels> {
    service: S,
    settings: Arc<Settings<M, L>>,
    header: HeaderName,
}

impl<S, B, M, L> Service<ServiceRequest> for ObservabilityService<S, M, L>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
    M: MakeRequestId,
    L: AccessLevel,
{
    type Response = ServiceResponse<ResponseBody<B>>;
    type Error = Error;
    type Future = ResponseFuture<S::Future, M, L>;

    forward_ready!(service);

    fn call(&self, mut request: ServiceRequest) -> Self::Future {
        let start = Instant::now();
        let mut incoming = None;
        let values = request.headers().get_all(&self.header).map(|value| {
            incoming.get_or_insert(value);
            value.as_bytes()
        });
        let lookup = |name: &str| request.headers().get(name).map(HeaderValue::as_bytes);
        let resolution = self
            .settings
            .policy
            .resolve_values(values, &RequestHeaders::from_lookup(&lookup));
        let trace = self.settings.trace.decide_values(|header| {
            let name = match header {
                TraceHeader::TraceParent => &TRACEPARENT,
                TraceHeader::TraceState => &TRACESTATE,
                TraceHeader::SentryTrace => &SENTRY_TRACE,
                _ => &BAGGAGE,
            };
            request.headers().get_all(name).map(HeaderValue::as_bytes)
        });
        // A kept incoming ID is the request's one header value: the request keeps it as it is,
        // and the response gets a clone (refcounted, as actix-http parses headers).
        let value = match incoming.filter(|_| resolution.incoming) {
            Some(incoming) => Some(incoming.clone()),
            None => {
                let value = header_value(&resolution.id);
                if let Some(value) = &value {
                    request
                        .headers_mut()
                        .insert(self.header.clone(), value.clone());
                }
                value
            }
        };
        request.extensions_mut().insert(resolution.id.clone());
        let line = ActixRequestLine {
            method: request.method().clone(),
            path: request.uri().path_and_query().cloned(),
            route: request.match_pattern(),
        };
        let log_path = self.settings.access.log_path;
        let in_flight =
            InFlight::start(start, resolution, trace, line, log_path, |report, line| {
                super::report::describe(report, &request, line.route());
                self.service.call(request)
            });
        let settings = Arc::clone(&self.settings);
        ResponseFuture::new(in_flight, settings, self.header.clone(), value)
    }
}

/// The ID as an actix-web (`http` 0.2) header value, sharing the ID's bytes: one allocation
/// (the owner of a refcounted clone of the ID), and the value's clones (into the request, the
/// response) never allocate. A value made from the text would be a copy, and its first clone
/// would allocate again to share it. Every [`RequestId`] is a valid header value, so this is
/// `None` only in theory.
fn header_value(id: &RequestId) -> Option<HeaderValue> {
    HeaderValue::from_maybe_shared(Bytes::from_owner(id.header_value().clone())).ok()
}

/// What the access log keeps of an actix-web request: cheap clones, and the route computed
/// once for the span.
#[derive(Debug)]
pub(crate) struct ActixRequestLine {
    method: Method,
    /// As `Uri::path` reads it: a URI without one (authority form) has an empty path.
    path: Option<PathAndQuery>,
    route: Option<String>,
}

impl RequestLine for ActixRequestLine {
    fn method(&self) -> &str {
        self.method.as_str()
    }

    fn path(&self) -> &str {
        self.path.as_ref().map_or("", PathAndQuery::path)
    }

    fn route(&self) -> Option<&str> {
        self.route.as_deref()
    }
}
