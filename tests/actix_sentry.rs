//! Sentry events from an actix-web app behind our middleware, over real HTTP on 127.0.0.1,
//! received by the envelope endpoint of tests/sentry_support: the per-request scenarios of the
//! tower side (tests/sentry_events.rs), shared, and what only actix-web has. One process: one
//! global Sentry client.

#![cfg(all(feature = "actix", feature = "sentry"))]

mod sentry_support;

use sentry_support::actix_app::Actix;
use sentry_support::scenarios;

#[tokio::test]
async fn error_event_has_request_id_release_environment_chain_and_request() {
    scenarios::error_event_has_request_id_release_environment_chain_and_request::<Actix>().await;
}

#[tokio::test]
async fn a_panic_is_one_event_with_message_backtrace_and_request_id() {
    scenarios::a_panic_is_one_event_with_message_backtrace_and_request_id::<Actix>().await;
}

#[tokio::test]
async fn several_errors_in_one_request_are_one_event() {
    scenarios::several_errors_in_one_request_are_one_event::<Actix>().await;
}

/// A handler's `Err` and an inner middleware's `Err`: the actix-web error is the one event.
#[tokio::test]
async fn an_actix_error_behind_a_5xx_is_one_event_with_the_error() {
    for (path, status, value) in [
        ("/fail", 502, "upstream refused"),
        ("/denied", 500, "inner middleware failed"),
    ] {
        let (event, _) = scenarios::the_one_event::<Actix>(path, status).await;
        assert_eq!(event["exception"]["values"][0]["value"], value, "{path}");
        assert_eq!(event["request"]["method"], "GET", "{path}");
    }
}

#[tokio::test]
async fn a_5xx_without_any_log_is_one_event() {
    scenarios::a_5xx_without_any_log_is_one_event::<Actix>().await;
}

#[tokio::test]
async fn the_transaction_is_the_route_not_the_path() {
    scenarios::the_transaction_is_the_route_not_the_path::<Actix>().await;
}

#[tokio::test]
async fn a_successful_request_sends_nothing() {
    scenarios::a_successful_request_sends_nothing::<Actix>().await;
}

#[tokio::test]
async fn secrets_appear_nowhere_in_what_is_sent() {
    scenarios::secrets_appear_nowhere_in_what_is_sent::<Actix>().await;
}
