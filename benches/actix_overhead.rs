//! Per-request cost of the actix-web middleware, against bare actix-web and against
//! tracing-actix-web's `TracingLogger`, all logging through the same JSON subscriber into a
//! byte-counting sink. Driven with `actix_web::test` (no network).
//!
//! Run with: `cargo bench --bench actix_overhead --features actix -- --warm-up-time 1 --measurement-time 3`

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::{App, HttpResponse, test, web};
use criterion::{Criterion, criterion_group, criterion_main};
use http_observability::actix::Observability;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// A writer that keeps nothing but counts the bytes, so we measure formatting, not I/O.
#[derive(Clone, Default)]
struct CountingSink(Arc<AtomicU64>);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CountingSink {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The same JSON subscriber for every case: INFO and above, one line per event.
fn install_subscriber(sink: CountingSink) {
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::INFO)
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_span_list(true)
                .with_writer(sink),
        );
    tracing::subscriber::set_global_default(subscriber).expect("the bench sets it once");
}

async fn user(path: web::Path<u64>) -> HttpResponse {
    HttpResponse::Ok().body(format!("user {}", path.into_inner()))
}

/// Benchmarks one request/response through `app`, then reports the log bytes per request.
macro_rules! case {
    ($group:expr, $runtime:expr, $sink:expr, $name:literal, $app:expr) => {{
        let app = $runtime.block_on(test::init_service(
            $app.route("/users/{id}", web::get().to(user)),
        ));
        $group.bench_function($name, |b| {
            b.iter(|| {
                $runtime.block_on(test::call_and_read_body(
                    &app,
                    test::TestRequest::get().uri("/users/42").to_request(),
                ))
            })
        });
        let before = $sink.0.load(Ordering::Relaxed);
        for _ in 0..1000 {
            $runtime.block_on(test::call_and_read_body(
                &app,
                test::TestRequest::get().uri("/users/42").to_request(),
            ));
        }
        let bytes = $sink.0.load(Ordering::Relaxed) - before;
        eprintln!("{}: {} log bytes per request", $name, bytes / 1000);
    }};
}

fn actix_overhead(c: &mut Criterion) {
    let sink = CountingSink::default();
    install_subscriber(sink.clone());
    let runtime = actix_web::rt::System::new();
    let mut group = c.benchmark_group("actix_overhead");
    case!(group, runtime, sink, "bare", App::new());
    case!(
        group,
        runtime,
        sink,
        "tracing_actix_web",
        App::new().wrap(tracing_actix_web::TracingLogger::default())
    );
    case!(
        group,
        runtime,
        sink,
        "http_observability",
        App::new().wrap(Observability::new())
    );
    group.finish();
}

criterion_group!(benches, actix_overhead);
criterion_main!(benches);
