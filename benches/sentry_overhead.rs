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

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use http_observability::ObservabilityLayer;
use http_observability::reporting::SentryConfig;
use sentry::{Envelope, Transport, TransportFactory, TransportOptions};
use support::{Body, Counting, CountingSink, allocations_per_request, handler, one};
use tower::{Layer, ServiceBuilder};
use tracing::Level;
use tracing_subscriber::prelude::*;

#[global_allocator]
static GLOBAL: Counting = Counting;

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

/// A JSON formatter, boxed so that both formatters fit the same subscriber type.
type Formatter = Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>;

/// Makes a fresh formatter for each subscriber.
type MakeFormatter = fn() -> Formatter;

fn formatters() -> Vec<(&'static str, MakeFormatter)> {
    vec![
        ("fmt_json", || {
            Box::new(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(|| CountingSink),
            )
        }),
        ("ours_json", || {
            Box::new(
                http_observability::json::JsonLayer::new(|| CountingSink)
                    .service("bench")
                    .release("0123abc"),
            )
        }),
    ]
}

fn bench(c: &mut Criterion) {
    let dsn = "https://0123456789abcdef0123456789abcdef@o0.ingest.example.com/1";
    let config = SentryConfig::new(dsn.parse().expect("a valid DSN"), "0123abc");
    let mut options = config.client_options();
    options.transport = Some(Arc::new(Discard));
    let _sentry = config.init_with(options);

    let ours = ObservabilityLayer::new().layer(handler());
    let baseline = ServiceBuilder::new()
        .layer(sentry_tower::NewSentryLayer::<Request<Body>>::new_from_top())
        .layer(sentry_tower::SentryHttpLayer::new())
        .service(support::tower_http_stack());

    for (formatter, make) in formatters() {
        let ours_subscriber = tracing::Dispatch::new(
            tracing_subscriber::registry()
                .with(make())
                .with(tracing_subscriber::filter::LevelFilter::INFO)
                .with(http_observability::reporting::tracing_layer()),
        );
        let baseline_subscriber = tracing::Dispatch::new(
            tracing_subscriber::registry()
                .with(make())
                .with(tracing_subscriber::filter::LevelFilter::INFO)
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

        let mut group = c.benchmark_group(format!("sentry_on/{formatter}/success"));
        tracing::dispatcher::with_default(&ours_subscriber, || {
            group.bench_function("http_observability", |b| b.iter(|| one(&ours, false)));
        });
        tracing::dispatcher::with_default(&baseline_subscriber, || {
            group.bench_function("tower_http_sentry_tower", |b| {
                b.iter(|| one(&baseline, false))
            });
        });
        group.finish();

        let ours_allocs = tracing::dispatcher::with_default(&ours_subscriber, || {
            allocations_per_request(&ours, false)
        });
        let baseline_allocs = tracing::dispatcher::with_default(&baseline_subscriber, || {
            allocations_per_request(&baseline, false)
        });
        println!(
            "allocations per request ({formatter}): http_observability {ours_allocs:.1}, \
             tower_http_sentry_tower {baseline_allocs:.1}"
        );
    }
    println!("log bytes written: {}", support::log_bytes());
    black_box(());
}

criterion_group!(benches, bench);
criterion_main!(benches);
