//! Per-request cost of the tower layer against the tower-http stack that does less.
//!
//! Run with: `cargo bench --bench request_overhead -- --warm-up-time 1 --measurement-time 3`
//!
//! Every case drives a trivial handler with `oneshot` on a clone of the service (as axum does),
//! polled once with a no-op waker (the handler is ready at once, so no runtime is measured),
//! under the same JSON subscriber writing into a byte-counting sink. The bench also prints
//! heap allocations per request, counted by a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::io::Write;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, Response};
use http_body_util::Full;
use http_observability::ObservabilityLayer;
use http_observability::request_id::{MakeRequestId, UuidV4, UuidV7};
use tower::{Layer, Service, ServiceBuilder, ServiceExt, service_fn};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

struct CountingAlloc;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

static BYTES_WRITTEN: AtomicU64 = AtomicU64::new(0);

/// Discards log lines, counting their bytes so the formatting cannot be optimised away.
struct CountingSink;

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BYTES_WRITTEN.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The subscribers every stack is measured under, each in its own group.
fn subscribers() -> Vec<(&'static str, tracing::Dispatch)> {
    use tracing_subscriber::layer::SubscriberExt;
    let info = || tracing_subscriber::filter::LevelFilter::INFO;
    vec![
        (
            // The middleware alone: spans and events are built, nothing is written.
            "registry_only",
            tracing::Dispatch::new(tracing_subscriber::registry().with(info())),
        ),
        (
            "fmt_json",
            tracing::Dispatch::new(
                tracing_subscriber::registry().with(info()).with(
                    tracing_subscriber::fmt::layer()
                        .json()
                        .flatten_event(true)
                        .with_writer(|| CountingSink),
                ),
            ),
        ),
    ]
}

/// Polls a future that is ready at once (the handler is trivial).
fn ready_now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the bench handler is always ready"),
    }
}

type Handler = tower::util::ServiceFn<
    fn(Request<Full<Bytes>>) -> std::future::Ready<Result<Response<Full<Bytes>>, Infallible>>,
>;

fn handler() -> Handler {
    fn respond(
        _req: Request<Full<Bytes>>,
    ) -> std::future::Ready<Result<Response<Full<Bytes>>, Infallible>> {
        let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        std::future::ready(Ok(response))
    }
    service_fn(respond as fn(_) -> _)
}

fn request(with_id: bool) -> Request<Full<Bytes>> {
    // Headers a real client sends, so that no stack pays for the header map's first allocation.
    let mut builder = Request::get("/api/docs?page=2")
        .header("host", "api.example.com")
        .header("user-agent", "curl/8.5.0")
        .header("accept", "*/*");
    if with_id {
        builder = builder.header("x-request-id", "0192f1c4-7d3e-7a51-9c2e-4b6f0e8d1a23");
    }
    builder
        .body(Full::new(Bytes::new()))
        .expect("valid request")
}

fn one<S>(service: &S, with_id: bool)
where
    S: Service<Request<Full<Bytes>>> + Clone,
    S::Error: std::fmt::Debug,
{
    let response = ready_now(service.clone().oneshot(request(with_id))).expect("infallible");
    black_box(response);
}

fn allocations_per_request<S>(service: &S, with_id: bool) -> f64
where
    S: Service<Request<Full<Bytes>>> + Clone,
    S::Error: std::fmt::Debug,
{
    for _ in 0..100 {
        one(service, with_id);
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let n = 10_000;
    for _ in 0..n {
        one(service, with_id);
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / n as f64
}

fn bench(c: &mut Criterion) {
    let bare = handler();
    let ours = ObservabilityLayer::new().layer(handler());
    let tower_http = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Full<Bytes>>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", request_id = id, method = %req.method(), uri = %req.uri())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .service(handler());

    for (subscriber, dispatch) in subscribers() {
        tracing::dispatcher::with_default(&dispatch, || {
            for with_id in [false, true] {
                let id = if with_id {
                    "incoming_id"
                } else {
                    "generated_id"
                };
                let mut group = c.benchmark_group(format!("request/{subscriber}/{id}"));
                group.bench_function("bare_handler", |b| b.iter(|| one(&bare, with_id)));
                group.bench_function("http_observability", |b| b.iter(|| one(&ours, with_id)));
                group.bench_function("tower_http_stack", |b| b.iter(|| one(&tower_http, with_id)));
                group.finish();
                println!(
                    "allocations per request ({subscriber}, {id}): bare {:.1}, \
                     http_observability {:.1}, tower_http_stack {:.1}",
                    allocations_per_request(&bare, with_id),
                    allocations_per_request(&ours, with_id),
                    allocations_per_request(&tower_http, with_id),
                );
            }
        });
    }

    let mut group = c.benchmark_group("request_id_generation");
    group.bench_function("uuid_v7", |b| {
        b.iter(|| black_box(UuidV7.make_request_id()))
    });
    group.bench_function("uuid_v4", |b| {
        b.iter(|| black_box(UuidV4.make_request_id()))
    });
    group.finish();

    println!(
        "log bytes written: {}",
        BYTES_WRITTEN.load(Ordering::Relaxed)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
