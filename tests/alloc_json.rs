//! Proves that the JSON layer allocates nothing per event (on its non-blocking writer too)
//! and one box per span in steady state, with a counting global allocator (its own test binary: the allocator is per
//! process).

use std::io;

use http_observability::json::{JsonLayer, LogProfile};
use http_observability::redact::Sensitive;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

mod alloc_support;

use alloc_support::{Counting, allocations};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A writer that discards and counts bytes.
#[derive(Clone, Copy, Default)]
struct Discard;

impl io::Write for Discard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        std::hint::black_box(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl MakeWriter<'_> for Discard {
    type Writer = Discard;
    fn make_writer(&self) -> Discard {
        Discard
    }
}

fn events(n: usize) {
    // Built once: the error's own box is the caller's allocation, not the layer's.
    thread_local! {
        static ERROR: io::Error = io::Error::other("disk full");
    }
    for i in 0..n {
        tracing::info!(
            user_id = 42,
            path = "/api/docs",
            latency_ms = 12.5,
            "request finished"
        );
        tracing::warn!(
            attempt = i,
            big = u128::MAX,
            ratio = f64::NAN,
            ok = false,
            detail = ?Some("debugged"),
            shown = %"displayed",
            password = "hunter2",
            card = %Sensitive(1234),
            upstream = "postgres://app:hunter2@db/app",
            service = "renamed",
            "retrying {} of {}", i, n
        );
        ERROR.with(|error| {
            tracing::error!(error = error as &dyn std::error::Error, "write failed");
        });
    }
}

#[test]
fn zero_allocations_per_event_in_steady_state() {
    let layer = JsonLayer::new(Discard)
        .service("docs-api")
        .release("4f1c2d9")
        .environment("production")
        .static_field("region", "eu-west-1");
    let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);
    tracing::subscriber::with_default(subscriber, || {
        // Outside any span.
        events(10);
        assert_eq!(
            allocations(|| events(1000)),
            0,
            "budget: no allocation per event outside spans"
        );

        let request = tracing::info_span!("request", request_id = "0192f1c4", method = "GET");
        let _request = request.enter();
        let handler = tracing::info_span!("handler", doc_id = 7, db_password = "x");
        let _handler = handler.enter();
        events(10);
        assert_eq!(
            allocations(|| events(1000)),
            0,
            "budget: no allocation per event inside two spans"
        );

        // A record replaces a value; the next events allocate nothing again.
        handler.record("doc_id", 8);
        events(10);
        assert_eq!(
            allocations(|| events(1000)),
            0,
            "budget: no allocation per event after Span::record"
        );

        // A record on the outer span: the inner span's cached fields are rebuilt once.
        request.record("method", "POST");
        events(10);
        assert_eq!(
            allocations(|| events(1000)),
            0,
            "budget: no allocation per event after Span::record on the outer span"
        );
    });
}

/// The lines of a traced request under a profile: trace link, access object, ERROR statics.
fn request_events(n: usize) {
    for _ in 0..n {
        tracing::info!(doc_id = 7, "loaded");
        tracing::error!("store failed");
        tracing::info!(
            target: "http_observability::access",
            latency_ms = 12.345,
            http.request.method = "GET",
            url.path = "/docs/7",
            http.response.status_code = 200u16,
            http.response.body.size = 8u64,
            "request completed"
        );
    }
}

#[test]
fn zero_allocations_per_event_in_every_profile() {
    for profile in LogProfile::ALL {
        let layer = JsonLayer::new(Discard)
            .service("docs-api")
            .release("4f1c2d9")
            .environment("production")
            .gcp_project("my-project")
            .profile(profile);
        let subscriber = Registry::default().with(LevelFilter::INFO).with(layer);
        tracing::subscriber::with_default(subscriber, || {
            events(10);
            assert_eq!(allocations(|| events(1000)), 0, "{profile}: outside spans");
            let request = tracing::error_span!(
                "request",
                request_id = "0192f1c4",
                trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                span_id = "00f067aa0ba902b7",
                trace_flags = "01",
            );
            let _request = request.enter();
            request_events(10);
            assert_eq!(
                allocations(|| request_events(1000)),
                0,
                "{profile}: the lines of a traced request"
            );
        });
    }
}

#[test]
fn zero_allocations_per_event_through_the_non_blocking_writer() {
    let (writer, guard) = http_observability::json::writer::non_blocking(Discard);
    let subscriber = Registry::default()
        .with(LevelFilter::INFO)
        .with(JsonLayer::new(writer).service("docs-api"));
    tracing::subscriber::with_default(subscriber, || {
        events(10);
        assert_eq!(
            allocations(|| events(1000)),
            0,
            "budget: a line's trip to the writer thread allocates nothing"
        );
    });
    assert_eq!(guard.shutdown().lost(), 0);
}

/// `n` requests: a root span with fields, a child span with fields recorded again, an event in
/// each, both closed.
fn spans(n: usize) {
    for i in 0..n {
        let request = tracing::info_span!("request", request_id = "0192f1c4", method = "GET");
        let _request = request.enter();
        tracing::info!(status = 200, "in the request");
        let handler = tracing::info_span!("handler", doc_id = i % 10, db_password = "x");
        let _handler = handler.enter();
        handler.record("doc_id", (i + 1) % 10);
        tracing::info!(latency_ms = 1.5, "in the handler");
    }
}

#[test]
fn one_allocation_per_span_in_steady_state() {
    let subscriber = Registry::default()
        .with(LevelFilter::INFO)
        .with(JsonLayer::new(Discard).service("docs-api"));
    tracing::subscriber::with_default(subscriber, || {
        spans(10);
        // The registry's extension box is the only allocation left per span: the nodes and
        // their field buffers (own, chain, recorded) come back from the per-thread pool.
        assert_eq!(
            allocations(|| spans(1000)),
            2 * 1000,
            "budget: one allocation per span (two spans per round), the registry's box"
        );
    });
}

#[test]
fn the_counter_sees_allocations() {
    assert!(allocations(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}
