//! Not a measurement: writes one kind of JSON line `n` times under one log profile, for a
//! profiler that counts instructions (repeatable on a noisy machine, unlike times).
//! BENCHMARKS.md quotes its figures.
//!
//! ```sh
//! cargo bench --bench json_profile --no-run   # prints the binary's path
//! valgrind --tool=callgrind <binary> gcp event 20000   # then `<binary> gcp event 0`
//! ```
//!
//! Instructions per line = (total of the first run − total of the second) / 20000.
//! Arguments: the profile (`default`, `gcp`, `datadog`, `ecs`, `aws`, `azure`), the line
//! (`event`: the json_format bench's event; `access`: the access record), both inside a traced
//! `request` span and a `handler` span, and the number of lines (default 20000).

use std::io;

use http_observability::json::{JsonLayer, LogProfile};
use tracing::Dispatch;
use tracing_subscriber::{Registry, filter::LevelFilter, layer::SubscriberExt};

fn main() {
    // `cargo bench` runs every bench binary with `--bench`: this one has nothing to measure.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.is_empty() {
        return println!("json_profile: a driver for a profiler; see its source for use");
    }
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let profile: LogProfile = match arg(0).parse() {
        Ok(profile) => profile,
        Err(error) => return eprintln!("{error}"),
    };
    let line: fn() = match arg(1) {
        "event" => event,
        "access" => access,
        other => return eprintln!("unknown line {other:?}: event, access"),
    };
    let n: u32 = arg(2).parse().unwrap_or(20_000);
    let dispatch = Dispatch::new(
        Registry::default().with(LevelFilter::INFO).with(
            JsonLayer::new(io::sink)
                .service("docs-api")
                .release("4f1c2d9")
                .environment("production")
                .gcp_project("my-project")
                .profile(profile),
        ),
    );
    tracing::dispatcher::with_default(&dispatch, || {
        let request = tracing::error_span!(
            "request",
            request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
            method = "GET",
            trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
            span_id = "00f067aa0ba902b7",
            trace_flags = "01",
        );
        let _request = request.enter();
        let handler = tracing::info_span!("handler", doc_id = 7);
        let _handler = handler.enter();
        // Warmed up in both runs, so that the difference is the steady state.
        for _ in 0..100 {
            line();
        }
        for _ in 0..n {
            line();
        }
    });
}

fn event() {
    tracing::info!(
        user_id = 42,
        path = "/api/docs",
        latency_ms = 12.5,
        "request finished"
    );
}

fn access() {
    tracing::info!(
        target: "http_observability::access",
        request_id = "0192f1c4-7d3e-7a2b-9c1d-5e6f7a8b9c0d",
        http.request.method = "GET",
        url.path = "/api/docs",
        http.route = "/api/docs",
        http.response.status_code = 200u16,
        http.response.body.size = 512u64,
        latency_ms = 0.42,
        "request completed"
    );
}
