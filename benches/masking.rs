//! What masking costs: a 1 KiB `Debug` value logged as a field, without and with secrets in
//! it, through our JSON layer (which masks it) and tracing-subscriber's JSON formatter (which
//! does not), into a discarding, byte-counting writer; and the masking pass alone on the same
//! text (`Redactor::mask`: borrowed when clean, a new string with secrets), beside the cost of
//! formatting the value.
//!
//! Run with: `cargo bench --bench masking -- --warm-up-time 1 --measurement-time 3`
//!
//! Before the timings it prints the allocations per event (after a warm-up).

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http_observability::json::JsonLayer;
use http_observability::redact::Redactor;
use tracing::Dispatch;
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

mod support;

use support::{Counting, CountingSink, allocations};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One service's settings, as services log them at start-up.
// Read by its `Debug`.
#[allow(dead_code)]
#[derive(Debug)]
struct Upstream {
    name: &'static str,
    url: &'static str,
    timeout_ms: u32,
    retries: u8,
    auth_header: &'static str,
}

#[allow(dead_code)]
#[derive(Debug)]
struct Config {
    service: &'static str,
    listen: &'static str,
    upstreams: Vec<Upstream>,
    feature_flags: Vec<&'static str>,
}

/// A configuration whose `Debug` is about 1 KiB; with `secrets`, passwords in URLs, an
/// `Authorization`-like value and a JWT.
fn config(secrets: bool) -> Config {
    let upstream = |i: usize| Upstream {
        name: ["billing", "search", "users", "ledger", "mailer", "images"][i],
        url: match (secrets, i) {
            (true, 0) => "postgres://app:hunter2hunter2@db.internal:5432/billing",
            (true, 3) => "redis://:s3cr3tValue@cache.internal:6379/0",
            _ => "http://service.internal:8080/api/v2",
        },
        timeout_ms: 2500,
        retries: 3,
        auth_header: match (secrets, i) {
            (true, 1) => "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2ln",
            (true, 4) => "token=ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            _ => "none configured for this upstream",
        },
    };
    Config {
        service: "docs-api",
        listen: "0.0.0.0:8080",
        upstreams: (0..6).map(upstream).collect(),
        feature_flags: vec!["new-search", "fast-path", "beta-ui", "audit-log"],
    }
}

fn ours() -> Dispatch {
    Dispatch::new(
        Registry::default()
            .with(LevelFilter::INFO)
            .with(JsonLayer::new(|| CountingSink).service("docs-api")),
    )
}

fn tracing_subscriber_json() -> Dispatch {
    Dispatch::new(
        Registry::default().with(LevelFilter::INFO).with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_writer(|| CountingSink),
        ),
    )
}

fn event(config: &Config) {
    tracing::info!(config = ?config, "configuration loaded");
}

fn benches(c: &mut Criterion) {
    let clean = config(false);
    let secret = config(true);
    let redactor = Redactor::default();
    let (clean_text, secret_text) = (format!("{clean:?}"), format!("{secret:?}"));
    println!(
        "\nDebug value: {} bytes without secrets, {} with",
        clean_text.len(),
        secret_text.len()
    );
    println!("masked: {}", redactor.mask(&secret_text));
    for (name, make) in [
        ("ours", ours as fn() -> Dispatch),
        ("tracing_subscriber_json", tracing_subscriber_json),
    ] {
        tracing::dispatcher::with_default(&make(), || {
            for (label, value) in [("clean", &clean), ("secrets", &secret)] {
                (0..10).for_each(|_| event(value));
                let n = allocations(|| (0..1000).for_each(|_| event(value)));
                println!("{name} {label}: {} allocations/event", n as f64 / 1000.0);
            }
        });
    }

    let mut group = c.benchmark_group("masking/debug_1k");
    for (label, value, text) in [
        ("clean", &clean, &clean_text),
        ("secrets", &secret, &secret_text),
    ] {
        for (name, make) in [
            ("ours", ours as fn() -> Dispatch),
            ("tracing_subscriber_json", tracing_subscriber_json),
        ] {
            tracing::dispatcher::with_default(&make(), || {
                group.bench_function(format!("event/{label}/{name}"), |b| {
                    b.iter(|| event(black_box(value)))
                });
            });
        }
        group.bench_function(format!("mask_only/{label}"), |b| {
            b.iter(|| redactor.mask(black_box(text)).len())
        });
        let mut buf = String::with_capacity(2048);
        group.bench_function(format!("debug_format_only/{label}"), |b| {
            b.iter(|| {
                buf.clear();
                let _ = write!(buf, "{:?}", black_box(value));
                buf.len()
            })
        });
    }
    group.finish();
}

criterion_group!(masking, benches);
criterion_main!(masking);
