//! Performance tracing on (`SENTRY_TRACES_SAMPLE_RATE=1`): a request starts a transaction
//! named for its route, tagged with its ID and continuing the caller's trace, behind the tower
//! layer and behind the actix-web middleware alike. One process: one global Sentry client.

#![cfg(all(feature = "actix", feature = "sentry"))]

mod sentry_support;

use actix_web::{App, HttpResponse, test, web};
use sentry_support::app::{self, Setup};
use sentry_support::receiver::tag;
use sentry_support::support::ActixMiddleware;
use serde_json::Value;

/// The caller's trace, as a `sentry-trace` header carries it.
const TRACE_ID: &str = "771a43a4192642f0b136d5159a501700";

/// The transactions tagged `id` that reached the receiver, after a flush.
fn transactions_of(setup: &Setup, id: &str) -> Vec<Value> {
    assert!(setup.flush(), "every pending envelope reaches the receiver");
    let receiver = setup.receiver.as_ref().expect("this setup has a receiver");
    receiver
        .envelopes()
        .iter()
        .flat_map(|envelope| envelope.items.iter())
        .filter(|item| item.kind() == "transaction")
        .map(|item| item.json())
        .filter(|transaction| tag(transaction, "request_id") == Some(id))
        .collect()
}

/// The caller's `sentry-trace` header.
fn sentry_trace() -> (&'static str, String) {
    ("sentry-trace", format!("{TRACE_ID}-bc9d2d3ee2a5d8a1-1"))
}

/// The one transaction of a request: named for its route, continuing the caller's trace.
fn assert_the_transaction(transactions: &[Value], name: &str) {
    assert_eq!(transactions.len(), 1, "{transactions:#?}");
    let transaction = &transactions[0];
    assert_eq!(transaction["transaction"], name, "{transaction:#}");
    assert_eq!(
        transaction["contexts"]["trace"]["trace_id"], TRACE_ID,
        "{transaction:#}"
    );
    assert_eq!(transaction["contexts"]["trace"]["op"], "http.server");
}

#[actix_web::test]
async fn actix_and_tower_requests_start_a_transaction() {
    let setup = app::setup_traced();

    let actix = test::init_service(
        App::new()
            .route("/items/{id}", web::get().to(HttpResponse::Ok))
            .wrap(ActixMiddleware::new()),
    )
    .await;
    let request = test::TestRequest::get()
        .uri("/items/7")
        .insert_header(("x-request-id", "actix-trace-1"))
        .insert_header(sentry_trace())
        .to_request();
    assert_eq!(test::call_service(&actix, request).await.status(), 200);
    assert_the_transaction(&transactions_of(setup, "actix-trace-1"), "GET /items/{id}");

    let response = reqwest::Client::new()
        .get(setup.url("/ok"))
        .header("x-request-id", "tower-trace-1")
        .header("sentry-trace", sentry_trace().1)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_the_transaction(&transactions_of(setup, "tower-trace-1"), "GET /ok");
}
