//! Per-request cost of the tower layer against the tower-http stack that does less.
//!
//! Run with: `cargo bench --bench request_overhead -- --warm-up-time 1 --measurement-time 3`
//!
//! Every case drives a trivial handler with `oneshot` on a clone of the service (as axum
//! does), polled once with a no-op waker (the handler is ready at once, so no runtime is
//! measured). Each stack is measured under the same subscriber, for three subscribers: none
//! writing (the middleware alone), tracing-subscriber's JSON, and ours; each writes into a
//! byte-counting sink. The same three stacks run once more in an axum `Router` (its boxed
//! handler future and filled request extensions, as in every axum app). The bench also prints
//! the heap allocations per request.

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http_observability::ObservabilityLayer;
use http_observability::request_id::{MakeRequestId, RequestHeaders, UuidV4, UuidV7};
use support::{
    Counting, allocations_per_request, allocations_per_request_of, axum_router,
    axum_with_tower_http, handler, one, one_request, request, subscribers, tower_http_stack,
    traced_request,
};
use tower::Layer;

#[global_allocator]
static GLOBAL: Counting = Counting;

fn bench(c: &mut Criterion) {
    let bare = handler();
    let ours = ObservabilityLayer::new().layer(handler());
    let tower_http = tower_http_stack();
    let axum_bare = axum_router();
    let axum_ours = axum_router().layer(ObservabilityLayer::new());
    let axum_tower_http = axum_with_tower_http(axum_router());

    for (subscriber, dispatch) in [
        ("registry_only", subscribers::registry_only()),
        ("fmt_json", subscribers::fmt_json()),
        ("ours_json", subscribers::ours_json()),
    ] {
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

            // The same three in an axum `Router`, as the crate is mostly used (generated ID).
            let mut group = c.benchmark_group(format!("request_axum/{subscriber}/generated_id"));
            group.bench_function("bare_handler", |b| b.iter(|| one(&axum_bare, false)));
            group.bench_function("http_observability", |b| b.iter(|| one(&axum_ours, false)));
            group.bench_function("tower_http_stack", |b| {
                b.iter(|| one(&axum_tower_http, false))
            });
            group.finish();
            println!(
                "allocations per request in axum ({subscriber}, generated_id): bare {:.1}, \
                 http_observability {:.1}, tower_http_stack {:.1}",
                allocations_per_request(&axum_bare, false),
                allocations_per_request(&axum_ours, false),
                allocations_per_request(&axum_tower_http, false),
            );
        });
    }

    // Continuing a caller's trace against a request that brings only its ID (both get a trace
    // context; the second starts a new one), under our JSON.
    tracing::dispatcher::with_default(&subscribers::ours_json(), || {
        let mut group = c.benchmark_group("request_trace/ours_json");
        group.bench_function("bare_handler", |b| b.iter(|| one(&bare, true)));
        group.bench_function("incoming_id", |b| {
            b.iter(|| one_request(&ours, request(true)))
        });
        group.bench_function("incoming_id_and_traceparent", |b| {
            b.iter(|| one_request(&ours, traced_request()))
        });
        group.finish();
        println!(
            "allocations per request (ours_json): incoming_id {:.1}, \
             incoming_id_and_traceparent {:.1} (the traced request's own header included: {:.1})",
            allocations_per_request(&ours, true),
            allocations_per_request_of(&ours, traced_request),
            allocations_per_request_of(&bare, traced_request)
                - allocations_per_request(&bare, true),
        );

        // The outgoing headers alone (request ID, traceparent; no Sentry client here), into a
        // reused map: inside a request-like scope, and outside any (a fresh trace per call).
        let mut group = c.benchmark_group("outgoing_inject");
        let mut headers = http::HeaderMap::with_capacity(8);
        group.bench_function("outside_a_request", |b| {
            b.iter(|| {
                headers.clear();
                http_observability::outgoing::inject(&mut headers);
                black_box(&headers);
            })
        });
        let span = http_observability::trace_context::client_span();
        span.in_scope(|| {
            group.bench_function("in_a_client_span", |b| {
                b.iter(|| {
                    headers.clear();
                    http_observability::outgoing::inject(&mut headers);
                    black_box(&headers);
                })
            });
            headers.clear();
            http_observability::outgoing::inject(&mut headers);
            let n = 10_000;
            let allocs = support::allocations(|| {
                for _ in 0..n {
                    headers.clear();
                    http_observability::outgoing::inject(&mut headers);
                }
            });
            println!(
                "allocations per injection: {:.1}",
                allocs as f64 / f64::from(n)
            );
        });
        group.finish();
    });

    let mut group = c.benchmark_group("request_id_generation");
    group.bench_function("uuid_v7", |b| {
        b.iter(|| black_box(UuidV7.make_request_id(&RequestHeaders::empty())))
    });
    group.bench_function("uuid_v4", |b| {
        b.iter(|| black_box(UuidV4.make_request_id(&RequestHeaders::empty())))
    });
    group.finish();

    println!("log bytes written: {}", support::log_bytes());
}

criterion_group!(benches, bench);
criterion_main!(benches);
