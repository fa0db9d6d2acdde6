//! Sentry joins each request's trace, at the default traces sample rate of 0, over real HTTP
//! to the tower and the actix-web test apps, received by the envelope endpoint of
//! tests/sentry_support: no two requests share a trace, a caller's `traceparent` or a
//! frontend's `sentry-trace` is continued, outgoing calls carry `sentry-trace` and `baggage`.
//! One process: one global Sentry client.

mod sentry_support;

use std::net::SocketAddr;

use sentry_support::scenarios::{self, Framework};
use sentry_support::trace_scenarios;

/// The axum app of the shared setup, behind our tower layer.
struct Tower;

impl Framework for Tower {
    fn serve() -> SocketAddr {
        scenarios::setup().app
    }
}

#[tokio::test]
async fn tower_no_two_requests_share_a_trace() {
    trace_scenarios::no_two_requests_share_a_trace::<Tower>().await;
}

#[tokio::test]
async fn tower_an_event_continues_the_callers_traceparent() {
    trace_scenarios::an_event_continues_the_callers_traceparent::<Tower>().await;
}

#[tokio::test]
async fn tower_a_sentry_trace_alone_lands_in_the_frontends_trace() {
    trace_scenarios::a_sentry_trace_alone_lands_in_the_frontends_trace::<Tower>().await;
}

#[tokio::test]
async fn tower_outgoing_calls_carry_sentry_trace_and_baggage() {
    trace_scenarios::outgoing_calls_carry_sentry_trace_and_baggage::<Tower>(false).await;
}

#[test]
fn outside_a_request_both_headers_name_one_fresh_trace() {
    trace_scenarios::outside_a_request_both_headers_name_one_fresh_trace();
}

#[tokio::test]
async fn tower_every_kind_of_event_is_in_the_requests_trace() {
    trace_scenarios::every_kind_of_event_is_in_the_requests_trace::<Tower>().await;
}

#[tokio::test]
async fn tower_concurrent_events_keep_their_own_trace() {
    trace_scenarios::concurrent_events_keep_their_own_trace::<Tower>().await;
}

#[tokio::test]
async fn tower_an_open_sampling_decision_follows_the_sample_rate() {
    trace_scenarios::an_open_sampling_decision_follows_the_sample_rate::<Tower>(false).await;
}

#[cfg(feature = "actix")]
mod actix {
    use super::*;
    use sentry_support::actix_app::Actix;

    #[tokio::test]
    async fn actix_every_kind_of_event_is_in_the_requests_trace() {
        trace_scenarios::every_kind_of_event_is_in_the_requests_trace::<Actix>().await;
    }

    #[tokio::test]
    async fn actix_concurrent_events_keep_their_own_trace() {
        trace_scenarios::concurrent_events_keep_their_own_trace::<Actix>().await;
    }

    #[tokio::test]
    async fn actix_an_open_sampling_decision_follows_the_sample_rate() {
        trace_scenarios::an_open_sampling_decision_follows_the_sample_rate::<Actix>(false).await;
    }

    #[tokio::test]
    async fn actix_no_two_requests_share_a_trace() {
        trace_scenarios::no_two_requests_share_a_trace::<Actix>().await;
    }

    #[tokio::test]
    async fn actix_an_event_continues_the_callers_traceparent() {
        trace_scenarios::an_event_continues_the_callers_traceparent::<Actix>().await;
    }

    #[tokio::test]
    async fn actix_a_sentry_trace_alone_lands_in_the_frontends_trace() {
        trace_scenarios::a_sentry_trace_alone_lands_in_the_frontends_trace::<Actix>().await;
    }

    #[tokio::test]
    async fn actix_outgoing_calls_carry_sentry_trace_and_baggage() {
        trace_scenarios::outgoing_calls_carry_sentry_trace_and_baggage::<Actix>(false).await;
    }
}
