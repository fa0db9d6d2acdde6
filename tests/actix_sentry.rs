//! Sentry events from an actix-web app behind our middleware, over real HTTP on 127.0.0.1,
//! received by the envelope endpoint of tests/sentry_support: the per-request scenarios of the
//! tower side (tests/sentry_events.rs), shared, and what only actix-web has. One process: one
//! global Sentry client.

#![cfg(all(feature = "actix", feature = "sentry"))]

mod sentry_support;

use sentry_support::actix_app::Actix;
use sentry_support::scenarios::{self, Framework as _};

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
    let (event, _) = scenarios::the_one_event::<Actix>("/fail", 502).await;
    assert_eq!(event["exception"]["values"][0]["value"], "upstream refused");
    assert_eq!(event["request"]["method"], "GET");

    // An inner middleware's error passes through ours as it is, so its response (made by
    // actix-web afterwards) has no ID header: the request sends its own ID.
    let setup = scenarios::setup();
    let response = reqwest::Client::new()
        .get(format!("http://{}/denied", Actix::serve()))
        .header("x-request-id", "denied-sentry-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let events = setup.events_of("denied-sentry-1");
    assert_eq!(
        events.len(),
        1,
        "one failing request, one event: {events:#?}"
    );
    let event = &events[0];
    assert_eq!(
        event["exception"]["values"][0]["value"],
        "inner middleware failed"
    );
    assert_eq!(event["request"]["method"], "GET");
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
