//! What the request benches share: the trivial handler, a realistic request, the no-op but
//! byte-counting log writer, the tower-http baseline stack, and a driver that polls a ready
//! future once and sends its body as hyper would (no runtime is measured). `tests/alloc_layer.rs` asserts the allocation counts
//! with the same pieces.

#![allow(dead_code)] // Each bench (and the allocation test) uses a different part.

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use tower::{Service, ServiceBuilder, ServiceExt, service_fn};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

#[path = "../../tests/alloc_support/mod.rs"]
mod alloc_support;
pub use alloc_support::{Counting, allocations};

/// The body type of every request and response.
pub type Body = Full<Bytes>;

static LOG_BYTES: AtomicU64 = AtomicU64::new(0);

/// Discards log lines, counting their bytes so the formatting cannot be optimised away.
#[derive(Clone, Copy, Default)]
pub struct CountingSink;

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG_BYTES.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log bytes written so far.
pub fn log_bytes() -> u64 {
    LOG_BYTES.load(Ordering::Relaxed)
}

/// The trivial handler: `200 ok` with a content type, ready at once.
pub fn handler()
-> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone {
    service_fn(|_request: Request<Body>| {
        let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        std::future::ready(Ok::<_, Infallible>(response))
    })
}

/// A request with the headers a real client sends (so no stack pays for the header map's
/// first allocation), with or without an incoming ID. Its URI and header values share static
/// bytes, as hyper's share the connection's read buffer: cloning them copies nothing.
pub fn request(with_id: bool) -> Request<Body> {
    use http::HeaderValue;
    let mut builder = Request::get(http::Uri::from_static("/api/docs?page=2"))
        .header(
            http::header::HOST,
            HeaderValue::from_static("api.example.com"),
        )
        .header(
            http::header::USER_AGENT,
            HeaderValue::from_static("curl/8.5.0"),
        )
        .header(http::header::ACCEPT, HeaderValue::from_static("*/*"));
    if with_id {
        builder = builder.header(
            "x-request-id",
            HeaderValue::from_static("0192f1c4-7d3e-7a51-9c2e-4b6f0e8d1a23"),
        );
    }
    builder
        .body(Full::new(Bytes::new()))
        .expect("a valid request")
}

/// `request(true)` that also continues its caller's trace: a `traceparent` header, as a
/// traced client or proxy sends it.
pub fn traced_request() -> Request<Body> {
    let mut request = request(true);
    request.headers_mut().insert(
        "traceparent",
        http::HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    );
    request
}

/// One request through a clone of `service` (as axum does), polled once, then its body sent
/// as hyper sends it: polled for frames until it says it is over.
pub fn one<S, B>(service: &S, with_id: bool)
where
    S: Service<Request<Body>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
{
    one_request(service, request(with_id));
}

/// `request` through a clone of `service`, as [`one`] does.
pub fn one_request<S, B>(service: &S, request: Request<Body>)
where
    S: Service<Request<Body>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
{
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = pin!(service.clone().oneshot(request));
    let response = match future.as_mut().poll(&mut cx) {
        Poll::Ready(response) => response.expect("infallible"),
        Poll::Pending => panic!("the bench handler is always ready"),
    };
    let mut body = pin!(response.into_body());
    while !body.is_end_stream() {
        match body.as_mut().poll_frame(&mut cx) {
            Poll::Ready(Some(frame)) => drop(black_box(frame)),
            Poll::Ready(None) | Poll::Pending => break,
        }
    }
}

/// Heap allocations per request on this thread, averaged over many requests.
pub fn allocations_per_request<S, B>(service: &S, with_id: bool) -> f64
where
    S: Service<Request<Body>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
{
    allocations_per_request_of(service, || request(with_id))
}

/// Heap allocations per request made by `make`, on this thread, averaged over many requests
/// (the requests' own allocations included).
pub fn allocations_per_request_of<S, B>(service: &S, make: impl Fn() -> Request<Body>) -> f64
where
    S: Service<Request<Body>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
{
    (0..100).for_each(|_| one_request(service, make()));
    let n = 10_000;
    allocations(|| (0..n).for_each(|_| one_request(service, make()))) as f64 / f64::from(n)
}

/// The equivalent tower-http stack: SetRequestId, TraceLayer with an INFO span holding the ID
/// and an INFO response event, PropagateRequestId.
pub fn tower_http_stack()
-> impl Service<Request<Body>, Response = Response<impl http_body::Body>, Error = Infallible> + Clone
{
    ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(tower_http_span::<Body> as fn(&_) -> _)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .service(handler())
}

/// The span the tower-http stack opens: INFO, holding the ID (and the method and URI).
fn tower_http_span<B>(request: &Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = id,
        method = %request.method(),
        uri = %request.uri()
    )
}

/// The same trivial handler as an axum route, `/api/docs`, in a `Router` (which boxes the
/// handler's future and fills the request's extensions, as every axum app does).
pub fn axum_router() -> axum::Router {
    axum::Router::new().route(
        "/api/docs",
        axum::routing::get(|| async {
            (
                [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "ok",
            )
        }),
    )
}

/// The tower-http stack of [`tower_http_stack`], added to an axum `Router`.
pub fn axum_with_tower_http(router: axum::Router) -> axum::Router {
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(tower_http_span::<axum::body::Body> as fn(&_) -> _)
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::x_request_id()),
    )
}

/// The subscribers a stack is measured under.
pub mod subscribers {
    use tracing::Dispatch;
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::layer::SubscriberExt;

    use super::CountingSink;

    /// Spans and events are built, nothing is written: the middleware alone.
    pub fn registry_only() -> Dispatch {
        Dispatch::new(tracing_subscriber::registry().with(LevelFilter::INFO))
    }

    /// tracing-subscriber's JSON formatter (flattened event, current span), what users of
    /// tower-http typically run.
    pub fn fmt_json() -> Dispatch {
        Dispatch::new(
            tracing_subscriber::registry().with(LevelFilter::INFO).with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(|| CountingSink),
            ),
        )
    }

    /// Our JSON formatter, with the static fields `init()` sets.
    pub fn ours_json() -> Dispatch {
        Dispatch::new(
            tracing_subscriber::registry().with(LevelFilter::INFO).with(
                http_observability::json::JsonLayer::new(|| CountingSink)
                    .service("bench")
                    .release("0123abc")
                    .environment("bench"),
            ),
        )
    }
}
