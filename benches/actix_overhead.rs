//! Per-request cost of the actix-web middleware, against bare actix-web and against
//! tracing-actix-web's `TracingLogger`, each case under the same subscriber, for two JSON
//! subscribers (tracing-subscriber's and ours) writing into a byte-counting sink. Driven with
//! `actix_web::test` (no network).
//!
//! Run with: `cargo bench --bench actix_overhead --features actix -- --warm-up-time 1 --measurement-time 3`

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;

use actix_web::dev::Service;
use actix_web::{App, HttpResponse, test, web};
use criterion::{Criterion, criterion_group, criterion_main};
use http_observability::actix::ObservabilityMiddleware;
use support::{Counting, allocations, subscribers};

#[global_allocator]
static GLOBAL: Counting = Counting;

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
    ($group:expr, $runtime:expr, $with_id:expr, $name:literal, $app:expr) => {{
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
        let before = support::log_bytes();
        for _ in 0..1000 {
            once();
        }
        let bytes = support::log_bytes() - before;
        let allocs = allocations(|| (0..1000).for_each(|_| drop(once())));
        eprintln!(
            "{}: {} log bytes and {:.1} allocations per request",
            $name,
            bytes / 1000,
            allocs as f64 / 1000.0
        );
    }};
}

fn actix_overhead(c: &mut Criterion) {
    let runtime = actix_web::rt::System::new();
    for (subscriber, dispatch) in [
        ("fmt_json", subscribers::fmt_json()),
        ("ours_json", subscribers::ours_json()),
    ] {
        let _default = tracing::dispatcher::set_default(&dispatch);
        for with_id in [false, true] {
            let id = if with_id {
                "incoming_id"
            } else {
                "generated_id"
            };
            let mut group = c.benchmark_group(format!("actix/{subscriber}/{id}"));
            case!(group, runtime, with_id, "bare", App::new());
            case!(
                group,
                runtime,
                with_id,
                "tracing_actix_web",
                App::new().wrap(tracing_actix_web::TracingLogger::default())
            );
            case!(
                group,
                runtime,
                with_id,
                "http_observability",
                App::new().wrap(ObservabilityMiddleware::new())
            );
            group.finish();
        }
    }
}

criterion_group!(benches, actix_overhead);
criterion_main!(benches);
