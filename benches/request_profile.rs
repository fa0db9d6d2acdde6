//! Not a measurement: drives requests through one stack under one subscriber, for a profiler
//! that counts instructions (repeatable on a noisy machine, unlike times) and prints the
//! heap allocations per request. BENCHMARKS.md quotes its figures.
//!
//! ```sh
//! cargo bench --bench request_profile --no-run   # prints the binary's path
//! valgrind --tool=callgrind <binary> ours ours_json 20000   # then `<binary> ours ours_json 0`
//! ```
//!
//! Instructions per request = (total of the first run − total of the second) / 20000.
//! Arguments: the stack (`bare`, `ours`, `tower_http`; `ours_incoming`: ours, the request
//! bringing an ID; `ours_traced`: ours, the request bringing an ID and a `traceparent`;
//! `bare_incoming`, `bare_traced`: the bare handler with those requests, to subtract), the subscriber (`registry_only`,
//! `fmt_json`, `ours_json`), the number of requests (default 20000), and `alloc` to print the
//! allocations per request instead of profiling.

#[path = "support/mod.rs"]
mod support;

use http::Request;
use http_observability::ObservabilityLayer;
use support::{
    Body, Counting, allocations_per_request_of, handler, one_request, request, subscribers,
    tower_http_stack, traced_request,
};
use tower::{Layer, Service};

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    // `cargo bench` runs every bench binary with `--bench`: this one has nothing to measure.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.is_empty() {
        return println!("request_profile: a driver for a profiler; see its source for use");
    }
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let dispatch = match arg(1) {
        "registry_only" => subscribers::registry_only(),
        "fmt_json" => subscribers::fmt_json(),
        "ours_json" => subscribers::ours_json(),
        other => {
            return eprintln!("unknown subscriber {other:?}: registry_only, fmt_json, ours_json");
        }
    };
    let n: u32 = arg(2).parse().unwrap_or(20_000);
    let alloc = arg(3) == "alloc";
    let generated = || request(false);
    let incoming = || request(true);
    tracing::dispatcher::with_default(&dispatch, || match arg(0) {
        "bare" => drive(&handler(), n, alloc, generated),
        "ours" => drive(
            &ObservabilityLayer::new().layer(handler()),
            n,
            alloc,
            generated,
        ),
        "tower_http" => drive(&tower_http_stack(), n, alloc, generated),
        "bare_incoming" => drive(&handler(), n, alloc, incoming),
        "bare_traced" => drive(&handler(), n, alloc, traced_request),
        "ours_incoming" => drive(
            &ObservabilityLayer::new().layer(handler()),
            n,
            alloc,
            incoming,
        ),
        "ours_traced" => drive(
            &ObservabilityLayer::new().layer(handler()),
            n,
            alloc,
            traced_request,
        ),
        other => eprintln!(
            "unknown stack {other:?}: bare, bare_incoming, bare_traced, ours, ours_incoming, \
             ours_traced, tower_http"
        ),
    });
}

/// `n` requests made by `make` through `service`, or its allocations per request.
fn drive<S, B>(service: &S, n: u32, alloc: bool, make: fn() -> Request<Body>)
where
    S: Service<Request<Body>, Response = http::Response<B>> + Clone,
    S::Error: std::fmt::Debug,
    B: http_body::Body,
{
    if alloc {
        let per_request = allocations_per_request_of(service, make);
        println!("allocations per request: {per_request:.1}");
    } else {
        (0..n).for_each(|_| one_request(service, make()));
    }
}
