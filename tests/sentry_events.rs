//! Sentry events from real requests to the tower app, received by an envelope endpoint on
//! 127.0.0.1: tags, release, environment, exception chain, one event per failing request,
//! scrubbing. The scenarios are shared with tests/actix_sentry.rs.

mod sentry_support;

use std::net::SocketAddr;

use sentry_support::scenarios::{self, Framework};

/// The axum app of the shared setup, behind our tower layer.
struct Tower;

impl Framework for Tower {
    fn serve() -> SocketAddr {
        scenarios::setup().app
    }
}

#[tokio::test]
async fn error_event_has_request_id_release_environment_chain_and_request() {
    scenarios::error_event_has_request_id_release_environment_chain_and_request::<Tower>().await;
}

#[tokio::test]
async fn a_panic_is_one_event_with_message_backtrace_and_request_id() {
    scenarios::a_panic_is_one_event_with_message_backtrace_and_request_id::<Tower>().await;
}

#[tokio::test]
async fn several_errors_in_one_request_are_one_event() {
    scenarios::several_errors_in_one_request_are_one_event::<Tower>().await;
}

#[tokio::test]
async fn a_5xx_without_any_log_is_one_event() {
    scenarios::a_5xx_without_any_log_is_one_event::<Tower>().await;
}

#[tokio::test]
async fn the_transaction_is_the_route_not_the_path() {
    scenarios::the_transaction_is_the_route_not_the_path::<Tower>().await;
}

#[tokio::test]
async fn a_successful_request_sends_nothing() {
    scenarios::a_successful_request_sends_nothing::<Tower>().await;
}

#[tokio::test]
async fn secrets_appear_nowhere_in_what_is_sent() {
    scenarios::secrets_appear_nowhere_in_what_is_sent::<Tower>().await;
}
