//! Per-request cost with Sentry on: our layer against tower-http's request-ID and trace layers
//! plus sentry-tower's `NewSentryLayer` and `SentryHttpLayer`, the stack the issue measured.
//!
//! Run with: `cargo bench --bench sentry_overhead -- --warm-up-time 1 --measurement-time 3`
//!
//! A Sentry client is bound with a transport that discards envelopes in-process. Requests
//! succeed, so nothing is sent: what is measured is the cost of being ready to report (a hub
//! per request, the request context, the tags). Both stacks log under the same JSON-lines
//! subscriber (tracing-subscriber's fmt JSON into a byte-counting sink) plus their Sentry
//! tracing layer (ours; sentry-tracing's error and breadcrumb layers for the baseline). The
//! handler is ready at once and polled with a no-op waker: no runtime is measured. The
//! allocations per request are counted by a global allocator and printed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, Response};
use http_body_util::Full;
use http_observability::ObservabilityLayer;
use http_observability::sentry::SentryConfig;
use sentry::{Envelope, Transport, TransportFactory, TransportOptions};
use tower::{Layer, Service, ServiceBuilder, ServiceExt, service_fn};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use tracing_subscriber::prelude::*;

/// Counts allocations (and reallocations), forwarding everything to the system allocator.
struct Counted;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`; the counter has no effect on memory.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as it is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on as it is.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as it is.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counted = Counted;

static LOG_BYTES: AtomicU64 = AtomicU64::new(0);

/// The no-op writer: counts the bytes of each line and drops them.
#[derive(Clone, Copy)]
struct Sink;

impl std::io::Write for Sink {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        LOG_BYTES.fetch_add(line.len() as u64, Ordering::Relaxed);
        Ok(line.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Envelopes go nowhere (and none is expected: every request succeeds).
struct Discard;

impl Transport for Discard {
    fn send_envelope(&self, envelope: Envelope) {
        black_box(envelope);
    }
}

impl TransportFactory for Discard {
    fn create_transport_with_options(&self, _options: TransportOptions) -> Arc<dyn Transport> {
        Arc::new(Discard)
    }
}

type Body = Full<Bytes>;

fn handler() -> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone {
    service_fn(|_request: Request<Body>| {
        std::future::ready(Ok::<_, Infallible>(Response::new(Full::new(
            Bytes::from_static(b"ok"),
        ))))
    })
}

fn request() -> Request<Body> {
    Request::get("/api/docs?page=2")
        .header("host", "api.example.com")
        .header("user-agent", "curl/8.5.0")
        .header("accept", "*/*")
        .body(Full::new(Bytes::new()))
        .expect("a valid request")
}

/// One request through a clone of `service`, as axum does, polled once.
fn one<S>(service: &S)
where
    S: Service<Request<Body>> + Clone,
    S::Error: std::fmt::Debug,
{
    let mut future = pin!(service.clone().oneshot(request()));
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(response) => drop(black_box(response.expect("infallible"))),
        Poll::Pending => panic!("the handler is always ready"),
    }
}

fn allocations<S>(service: &S) -> f64
where
    S: Service<Request<Body>> + Clone,
    S::Error: std::fmt::Debug,
{
    (0..100).for_each(|_| one(service));
    let before = ALLOCS.load(Ordering::Relaxed);
    let n = 10_000;
    (0..n).for_each(|_| one(service));
    (ALLOCS.load(Ordering::Relaxed) - before) as f64 / f64::from(n)
}

fn bench(c: &mut Criterion) {
    let dsn = "https://0123456789abcdef0123456789abcdef@o0.ingest.example.com/1";
    let config = SentryConfig::new(dsn.parse().expect("a valid DSN"), "0123abc");
    let mut options = config.client_options();
    options.transport = Some(Arc::new(Discard));
    let _sentry = config.init_with(options);

    let json = || {
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_writer(|| Sink)
    };
    let ours_subscriber = tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::INFO)
            .with(json())
            .with(http_observability::sentry::tracing_layer()),
    );
    let baseline_subscriber = tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::INFO)
            .with(json())
            .with(sentry_tracing::BreadcrumbLayer::new().with_filter(
                tracing_subscriber::filter::filter_fn(|m| {
                    matches!(*m.level(), Level::WARN | Level::INFO)
                }),
            ))
            .with(
                sentry_tracing::ErrorLayer::new()
                    .with_filter(tracing_subscriber::filter::LevelFilter::ERROR),
            ),
    );

    let ours = ObservabilityLayer::new().layer(handler());
    let baseline = ServiceBuilder::new()
        .layer(sentry_tower::NewSentryLayer::<Request<Body>>::new_from_top())
        .layer(sentry_tower::SentryHttpLayer::new())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", request_id = id, method = %request.method(), uri = %request.uri())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .service(handler());

    let mut group = c.benchmark_group("sentry_on/fmt_json/success");
    tracing::dispatcher::with_default(&ours_subscriber, || {
        group.bench_function("http_observability", |b| b.iter(|| one(&ours)));
    });
    tracing::dispatcher::with_default(&baseline_subscriber, || {
        group.bench_function("tower_http_sentry_tower", |b| b.iter(|| one(&baseline)));
    });
    group.finish();

    let ours_allocs = tracing::dispatcher::with_default(&ours_subscriber, || allocations(&ours));
    let baseline_allocs =
        tracing::dispatcher::with_default(&baseline_subscriber, || allocations(&baseline));
    println!(
        "allocations per request: http_observability {ours_allocs:.1}, \
         tower_http_sentry_tower {baseline_allocs:.1}"
    );
    println!("log bytes written: {}", LOG_BYTES.load(Ordering::Relaxed));
}

criterion_group!(benches, bench);
criterion_main!(benches);
