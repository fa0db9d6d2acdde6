//! Per-request cost of the actix-web middleware, against bare actix-web and against
//! tracing-actix-web's `TracingLogger`, all logging through the same JSON subscriber into a
//! byte-counting sink. Driven with `actix_web::test` (no network).
//!
//! Run with: `cargo bench --bench actix_overhead --features actix -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::Service;
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

async fn doc(path: web::Path<u64>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(format!("doc {}", path.into_inner()))
}

/// A request with the headers a real client sends, and an incoming ID or not.
fn request(with_id: bool) -> test::TestRequest {
    let mut request = test::TestRequest::get()
        .uri("/api/docs/42?page=2")
        .insert_header(("host", "api.example.com"))
        .insert_header(("user-agent", "curl/8.5.0"))
        .insert_header(("accept", "*/*"));
    if with_id {
        request = request.insert_header(("x-request-id", "0192f1c4-7d3e-7a51-9c2e-4b6f0e8d1a23"));
    }
    request
}

/// Benchmarks one request/response through `app` (body read to the end), then reports the log
/// bytes per request.
macro_rules! case {
    ($group:expr, $runtime:expr, $sink:expr, $with_id:expr, $name:literal, $app:expr) => {{
        let app = $runtime.block_on(test::init_service(
            $app.route("/api/docs/{id}", web::get().to(doc)),
        ));
        let once = || {
            $runtime.block_on(async {
                let response = app
                    .call(request($with_id).to_request())
                    .await
                    .expect("the app answers");
                black_box(test::read_body(response).await)
            })
        };
        $group.bench_function($name, |b| b.iter(once));
        let before = $sink.0.load(Ordering::Relaxed);
        for _ in 0..1000 {
            once();
        }
        let bytes = $sink.0.load(Ordering::Relaxed) - before;
        eprintln!("{}: {} log bytes per request", $name, bytes / 1000);
    }};
}

fn actix_overhead(c: &mut Criterion) {
    let sink = CountingSink::default();
    install_subscriber(sink.clone());
    let runtime = actix_web::rt::System::new();
    for with_id in [false, true] {
        let id = if with_id {
            "incoming_id"
        } else {
            "generated_id"
        };
        let mut group = c.benchmark_group(format!("actix/{id}"));
        case!(group, runtime, sink, with_id, "bare", App::new());
        case!(
            group,
            runtime,
            sink,
            with_id,
            "tracing_actix_web",
            App::new().wrap(tracing_actix_web::TracingLogger::default())
        );
        case!(
            group,
            runtime,
            sink,
            with_id,
            "http_observability",
            App::new().wrap(Observability::new())
        );
        group.finish();
    }
}

criterion_group!(benches, actix_overhead);
criterion_main!(benches);
