//! Sentry tracing on (`SENTRY_TRACES_SAMPLE_RATE=1`), over real HTTP to the tower and the
//! actix-web test apps: each request's transaction is in the trace of its event and its log
//! lines, continued or new; a caller's decision not to sample is kept; outgoing calls say the
//! trace is sampled. One process: one global Sentry client, configured before any test uses
//! it.

mod sentry_support;

use std::net::SocketAddr;
use std::time::Duration;

use sentry_support::app::{self, Setup};
use sentry_support::receiver::Answer;
use sentry_support::scenarios::Framework;
use sentry_support::trace_scenarios;

/// The process's setup, with a traces sample rate of 1: every test calls it first.
fn traced() -> &'static Setup {
    app::setup_with(
        Answer::Status(200),
        None,
        Duration::from_secs(5),
        Some("1.0"),
    )
}

/// The axum app of the shared setup, behind our tower layer.
struct Tower;

impl Framework for Tower {
    fn serve() -> SocketAddr {
        traced().app
    }
}

#[tokio::test]
async fn tower_the_transaction_shares_the_requests_trace() {
    traced();
    trace_scenarios::the_transaction_shares_the_requests_trace::<Tower>().await;
}

#[tokio::test]
async fn tower_an_unsampled_caller_gets_no_transaction() {
    traced();
    trace_scenarios::an_unsampled_caller_gets_no_transaction::<Tower>().await;
}

#[tokio::test]
async fn tower_outgoing_calls_say_the_trace_is_sampled() {
    traced();
    trace_scenarios::outgoing_calls_carry_sentry_trace_and_baggage::<Tower>(true).await;
}

#[tokio::test]
async fn tower_an_open_sampling_decision_follows_the_sample_rate() {
    traced();
    trace_scenarios::an_open_sampling_decision_follows_the_sample_rate::<Tower>(true).await;
}

#[cfg(feature = "actix")]
mod actix {
    use super::*;
    use sentry_support::actix_app::Actix;

    #[tokio::test]
    async fn actix_an_open_sampling_decision_follows_the_sample_rate() {
        traced();
        trace_scenarios::an_open_sampling_decision_follows_the_sample_rate::<Actix>(true).await;
    }

    #[tokio::test]
    async fn actix_the_transaction_shares_the_requests_trace() {
        traced();
        trace_scenarios::the_transaction_shares_the_requests_trace::<Actix>().await;
    }

    #[tokio::test]
    async fn actix_an_unsampled_caller_gets_no_transaction() {
        traced();
        trace_scenarios::an_unsampled_caller_gets_no_transaction::<Actix>().await;
    }

    #[tokio::test]
    async fn actix_outgoing_calls_say_the_trace_is_sampled() {
        traced();
        trace_scenarios::outgoing_calls_carry_sentry_trace_and_baggage::<Actix>(true).await;
    }
}
