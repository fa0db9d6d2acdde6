//! What the tower layer allocates per request above the bare handler, with a counting global
//! allocator (its own test binary: the allocator is per process). It drives the same handler
//! and request as `benches/request_overhead.rs`, whose printed counts BENCHMARKS.md itemises;
//! a change that adds an allocation per request fails here.

#[path = "../benches/support/mod.rs"]
mod support;

use http_observability::ObservabilityLayer;
use support::{Counting, allocations_per_request, handler, subscribers};
use tower::Layer;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The allocations per request above the bare handler, in steady state, with or without an
/// incoming ID, under a subscriber that writes nothing (the middleware alone).
fn above_bare(with_id: bool) -> f64 {
    let bare = handler();
    let ours = ObservabilityLayer::new().layer(handler());
    tracing::dispatcher::with_default(&subscribers::registry_only(), || {
        allocations_per_request(&ours, with_id) - allocations_per_request(&bare, with_id)
    })
}

#[test]
fn a_generated_id_costs_eight_allocations_above_the_bare_handler() {
    // The ID's bytes and count (1), the request's extensions map, table and entry (3), the
    // span extension `request_id::current()` reads (1), the response's extensions (3).
    assert_eq!(
        above_bare(false),
        8.0,
        "budget: 8 allocations per request with a generated ID, itemised above; more is a \
         regression, fewer means this budget and BENCHMARKS.md come down"
    );
}

#[test]
fn an_incoming_id_is_shared_not_copied() {
    // As above without the ID's own allocation: the request's header bytes are shared.
    assert_eq!(
        above_bare(true),
        7.0,
        "budget: 7 allocations per request with an incoming ID (the 8 of a generated ID \
         without the ID's own); more is a regression, fewer means this budget comes down"
    );
}

#[test]
fn continuing_a_trace_adds_no_allocation() {
    use support::{allocations_per_request_of, request, traced_request};
    let bare = handler();
    let ours = ObservabilityLayer::new().layer(handler());
    for (name, dispatch) in [
        ("registry_only", subscribers::registry_only()),
        ("ours_json", subscribers::ours_json()),
    ] {
        tracing::dispatcher::with_default(&dispatch, || {
            let above = |make: fn() -> http::Request<support::Body>| {
                allocations_per_request_of(&ours, make) - allocations_per_request_of(&bare, make)
            };
            assert_eq!(
                above(traced_request),
                above(|| request(true)),
                "{name}: a request continuing a trace (traceparent parsed, ids rendered into \
                 its span) must cost no allocation more than one bringing only its ID"
            );
        });
    }
}
