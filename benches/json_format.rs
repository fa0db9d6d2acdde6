//! The JSON formatter against the ecosystem, on the event of issue 3:
//! `info!(user_id = 42, path = "/api/docs", latency_ms = 12.5, "request finished")` inside
//! `request{request_id, method}` > `handler{doc_id}`, written to a discarding, byte-counting
//! writer.
//!
//! Run with: `cargo bench --bench json_format -- --warm-up-time 1 --measurement-time 3`
//!
//! Before the timings it prints, per formatter, the allocations and bytes per event (counted
//! with a counting global allocator over 1000 events after a warm-up).

use std::hint::black_box;
use std::io::{self, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use http_observability::json::{JsonLayer, LogProfile};

#[path = "support/json_lines.rs"]
mod json_lines;

use json_lines::{access_event, deployed, event, in_traced_spans};
use tracing::Dispatch;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

#[path = "../tests/alloc_support/mod.rs"]
mod alloc_support;

use alloc_support::{Counting, allocations};

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---- a discarding, byte-counting writer ------------------------------------------------------

#[derive(Clone, Default)]
struct Bytes(Arc<AtomicUsize>);

impl io::Write for Bytes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl MakeWriter<'_> for Bytes {
    type Writer = Bytes;
    fn make_writer(&self) -> Bytes {
        self.clone()
    }
}

// ---- the formatters ---------------------------------------------------------------------------

fn ours(w: Bytes) -> Dispatch {
    Dispatch::new(
        Registry::default().with(LevelFilter::INFO).with(
            JsonLayer::new(w)
                .service("docs-api")
                .release("4f1c2d9")
                .environment("production"),
        ),
    )
}

fn tracing_subscriber_json(w: Bytes) -> Dispatch {
    Dispatch::new(
        Registry::default().with(LevelFilter::INFO).with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(w),
        ),
    )
}

fn json_subscriber(w: Bytes) -> Dispatch {
    let mut layer = json_subscriber::JsonLayer::new(w);
    layer.with_timer("timestamp", tracing_subscriber::fmt::time::SystemTime);
    layer.with_level("level");
    layer.with_target("target");
    layer.with_flattened_event();
    layer.with_top_level_flattened_span_list();
    Dispatch::new(Registry::default().with(LevelFilter::INFO).with(layer))
}

fn bunyan(w: Bytes) -> Dispatch {
    Dispatch::new(
        Registry::default()
            .with(LevelFilter::INFO)
            .with(tracing_bunyan_formatter::JsonStorageLayer)
            .with(tracing_bunyan_formatter::BunyanFormattingLayer::new(
                "docs-api".into(),
                w,
            )),
    )
}

fn text_compact(w: Bytes) -> Dispatch {
    Dispatch::new(
        Registry::default().with(LevelFilter::INFO).with(
            tracing_subscriber::fmt::layer()
                .compact()
                .with_ansi(false)
                .with_writer(w),
        ),
    )
}

/// No formatter at all: what `tracing` and the registry cost by themselves.
fn registry_only(_: Bytes) -> Dispatch {
    Dispatch::new(Registry::default().with(LevelFilter::INFO))
}

type Make = fn(Bytes) -> Dispatch;

const FORMATTERS: [(&str, Make); 6] = [
    ("ours", ours),
    ("tracing_subscriber_json", tracing_subscriber_json),
    ("json_subscriber_flattened", json_subscriber),
    ("tracing_bunyan_formatter", bunyan),
    ("text_compact_reference", text_compact),
    ("registry_only_floor", registry_only),
];

// ---- the workload -----------------------------------------------------------------------------

/// Runs `f` inside `request{request_id, method}` > `handler{doc_id}`.
fn in_spans(f: impl FnOnce()) {
    let request = tracing::info_span!(
        "request",
        request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
        method = "GET"
    );
    let _request = request.enter();
    let handler = tracing::info_span!("handler", doc_id = 7);
    let _handler = handler.enter();
    f();
}

/// Allocations and bytes per event, over 1000 events after a warm-up.
fn per_event(make: Make, spans: bool) -> (f64, f64) {
    let bytes = Bytes::default();
    let dispatch = make(bytes.clone());
    let mut result = (0.0, 0.0);
    tracing::dispatcher::with_default(&dispatch, || {
        let mut run = || {
            for _ in 0..10 {
                event();
            }
            let before = bytes.0.load(Ordering::Relaxed);
            let allocs = allocations(|| {
                for _ in 0..1000 {
                    event();
                }
            });
            let written = bytes.0.load(Ordering::Relaxed) - before;
            result = (allocs as f64 / 1000.0, written as f64 / 1000.0);
        };
        if spans { in_spans(run) } else { run() }
    });
    result
}

fn report_allocations() {
    println!("\nper event (1000 events, after warm-up):");
    println!("| formatter | spans | allocations/event | bytes/event |");
    println!("|---|---|---:|---:|");
    for (name, make) in FORMATTERS {
        for spans in [true, false] {
            let (allocs, bytes) = per_event(make, spans);
            println!(
                "| {name} | {} | {allocs} | {bytes} |",
                if spans { "2" } else { "0" }
            );
        }
    }
    println!();
}

fn bench_group(group: &mut BenchmarkGroup<'_, WallTime>, spans: bool) {
    for (name, make) in FORMATTERS {
        let dispatch = make(Bytes::default());
        tracing::dispatcher::with_default(&dispatch, || {
            let mut bench = || {
                group.bench_function(name, |b| b.iter(event));
            };
            if spans { in_spans(bench) } else { bench() }
        });
    }
    // The floor: copying a fixed line of the same length as ours into a buffer and writing it.
    let (_, len) = per_event(ours, spans);
    let line = vec![b'x'; len as usize];
    let mut writer = Bytes::default();
    let mut buf = Vec::with_capacity(1024);
    group.bench_function("memcpy_floor", |b| {
        b.iter(|| {
            buf.clear();
            buf.extend_from_slice(black_box(&line));
            let _ = writer.write_all(&buf);
        })
    });
}

fn benches(c: &mut Criterion) {
    report_allocations();

    let mut group = c.benchmark_group("json_format/event_in_two_spans");
    bench_group(&mut group, true);
    group.finish();

    let mut group = c.benchmark_group("json_format/event_outside_spans");
    bench_group(&mut group, false);
    group.finish();

    let mut group = c.benchmark_group("json_format/span");
    for (name, make) in [FORMATTERS[0], FORMATTERS[1]] {
        let dispatch = make(Bytes::default());
        tracing::dispatcher::with_default(&dispatch, || {
            group.bench_function(format!("new_span_enter_exit/{name}"), |b| {
                b.iter(|| {
                    let span = tracing::info_span!(
                        "request",
                        request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
                        method = "GET"
                    );
                    let _entered = span.enter();
                })
            });
            let span = tracing::info_span!(
                "request",
                request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
                status = tracing::field::Empty
            );
            group.bench_function(format!("span_record/{name}"), |b| {
                b.iter(|| span.record("status", black_box(200)))
            });
        });
    }
    group.finish();
}

/// The json_format event and the access line in a traced request, under every profile.
fn profiles(c: &mut Criterion) {
    let mut group = c.benchmark_group("json_format/profile");
    for profile in LogProfile::ALL {
        let dispatch = deployed(Bytes::default(), profile);
        tracing::dispatcher::with_default(&dispatch, || {
            in_traced_spans(|| {
                group.bench_function(format!("event/{profile}"), |b| b.iter(event));
                group.bench_function(format!("access_line/{profile}"), |b| b.iter(access_event));
            });
        });
    }
    group.finish();
}

criterion_group!(json_format, benches, profiles);
criterion_main!(json_format);
