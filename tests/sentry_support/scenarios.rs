//! The per-request Sentry behaviour over real HTTP, one scenario per behaviour, written once
//! for every framework: each runs against a [`Framework`]'s test app with the shared setup of
//! [`app`] (tests/sentry_events.rs the tower app, tests/actix_sentry.rs the actix-web one).

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

use super::app::{self, CANARY, ENVIRONMENT, RELEASE_SHA, Setup};
use super::receiver::{Answer, tag};
use super::support::request_id;

/// A test app behind one framework's middleware, answering the routes of [`app::router`]
/// (`/ok`, `/error`, `/twice`, `/unavailable`, `/items/{id}`, `/panic`, `/secret`,
/// `/outgoing`) alike, its handlers logging through the same functions.
pub trait Framework {
    /// Serves the app on 127.0.0.1 (once per process) and returns its address.
    fn serve() -> SocketAddr;
}

/// The shared setup, with a Sentry that answers 200.
pub fn setup() -> &'static Setup {
    app::setup(Answer::Status(200), None, Duration::from_secs(5))
}

/// The URL of `path` on `F`'s app.
fn url<F: Framework>(path: &str) -> String {
    format!("http://{}{path}", F::serve())
}

/// Sends a GET, returns (status, x-request-id).
async fn get<F: Framework>(path: &str) -> (u16, String) {
    let response = reqwest::get(url::<F>(path)).await.expect("the app answers");
    (response.status().as_u16(), request_id(&response))
}

/// Sends a GET to `path` on `F`'s app, checks its status, and returns its one event (exactly
/// one must arrive) and its request ID.
pub async fn the_one_event<F: Framework>(path: &str, expected_status: u16) -> (Value, String) {
    let setup = setup();
    let (status, id) = get::<F>(path).await;
    assert_eq!(status, expected_status, "{path}");
    let mut events = setup.events_of(&id);
    assert_eq!(
        events.len(),
        1,
        "{path}: one failing request, one event: {events:#?}"
    );
    (events.remove(0), id)
}

/// The event of a request that logged an error: tagged with its ID, the release and the
/// environment, named for its route, the error's chain as exceptions, its fields as context,
/// the earlier WARN as a breadcrumb, and the request without its query values.
pub async fn error_event_has_request_id_release_environment_chain_and_request<F: Framework>() {
    let (event, id) = the_one_event::<F>("/error?page=2", 500).await;
    let event = &event;
    assert_eq!(tag(event, "request_id"), Some(id.as_str()));
    assert_eq!(event["release"], RELEASE_SHA);
    assert_eq!(event["environment"], ENVIRONMENT);
    assert_eq!(event["level"].as_str().unwrap_or("error"), "error");
    assert_eq!(event["message"], "checkout failed");
    assert_eq!(event["transaction"], "GET /error");

    // The error and its source, as an exception chain (outermost last).
    let exceptions = event["exception"]["values"].as_array().expect("exceptions");
    let values: Vec<&str> = exceptions
        .iter()
        .filter_map(|e| e["value"].as_str())
        .collect();
    assert!(values.contains(&"payment failed"), "{values:?}");
    assert!(values.contains(&"card declined by the bank"), "{values:?}");
    let types: Vec<&str> = exceptions
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(types.contains(&"PaymentFailed"), "{types:?}");
    assert!(types.contains(&"CardDeclined"), "{types:?}");

    // Fields as context, the WARN before it as a breadcrumb.
    assert_eq!(event["contexts"]["Rust Tracing Fields"]["order"], 42);
    let crumbs = event["breadcrumbs"]["values"]
        .as_array()
        .expect("breadcrumbs");
    assert!(
        crumbs.iter().any(|c| c["message"] == "about to charge"),
        "{crumbs:?}"
    );

    // The request: method, URL without its query values, headers.
    let request = &event["request"];
    assert_eq!(request["method"], "GET");
    let url = request["url"].as_str().unwrap();
    assert_eq!(url, format!("http://{}/error", F::serve()));
    assert_eq!(request["query_string"], "page=[Filtered]");
    let headers = request["headers"].as_object().expect("headers");
    assert!(headers.contains_key("host"), "{headers:?}");
}

/// A panicking handler answers 500 with its ID in a JSON body and is one event: the panic's
/// message and backtrace, the release, the route and the request.
pub async fn a_panic_is_one_event_with_message_backtrace_and_request_id<F: Framework>() {
    let setup = setup();
    let response = reqwest::get(url::<F>("/panic")).await.unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());

    let events = setup.events_of(&id);
    assert_eq!(
        events.len(),
        1,
        "hook, panic log, error and 500: one event: {events:#?}"
    );
    let event = &events[0];
    let exception = &event["exception"]["values"][0];
    assert_eq!(exception["type"], "panic");
    assert_eq!(exception["value"], "handler exploded");
    let frames = exception["stacktrace"]["frames"]
        .as_array()
        .expect("a backtrace");
    assert!(!frames.is_empty());
    assert_eq!(event["release"], RELEASE_SHA);
    assert_eq!(event["transaction"], "GET /panic");
    assert_eq!(event["request"]["method"], "GET");
}

/// Two errors logged by one request: the first is its one event.
pub async fn several_errors_in_one_request_are_one_event<F: Framework>() {
    let (event, _) = the_one_event::<F>("/twice", 500).await;
    assert_eq!(event["message"], "first failure");
    let crumbs = event["breadcrumbs"]["values"].as_array();
    // The second error came after the event was sent: it is not an event of its own.
    assert!(crumbs.is_none_or(|c| c.iter().all(|c| c["message"] != "first failure")));
}

/// A 5xx answered without any log is one event that says the status.
pub async fn a_5xx_without_any_log_is_one_event<F: Framework>() {
    let (event, _) = the_one_event::<F>("/unavailable", 503).await;
    assert_eq!(event["message"], "request answered 503 Service Unavailable");
    assert_eq!(event["level"].as_str().unwrap_or("error"), "error");
}

/// The event's transaction names the route; its request URL keeps the path.
pub async fn the_transaction_is_the_route_not_the_path<F: Framework>() {
    let (event, _) = the_one_event::<F>("/items/8812", 502).await;
    assert_eq!(event["transaction"], "GET /items/{id}");
    let url = event["request"]["url"].as_str().unwrap();
    assert!(url.ends_with("/items/8812"), "{url}");
}

/// A request answered 200 sends no event.
pub async fn a_successful_request_sends_nothing<F: Framework>() {
    let setup = setup();
    let (status, id) = get::<F>("/ok").await;
    assert_eq!(status, 200);
    let events = setup.events_of(&id);
    assert!(events.is_empty(), "{events:#?}");
}

/// A secret in the query, in sensitive headers, in sensitive fields and in a URL's
/// credentials reaches Sentry nowhere, while the event keeps the harmless parts.
pub async fn secrets_appear_nowhere_in_what_is_sent<F: Framework>() {
    let setup = setup();
    let response = reqwest::Client::new()
        .get(url::<F>(&format!("/secret?token={CANARY}&q={CANARY}")))
        .header("authorization", format!("Bearer {CANARY}"))
        .header("cookie", format!("session={CANARY}"))
        .header("x-api-key", CANARY)
        .header("x-upstream-token", CANARY)
        .header("x-harmless", "visible")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    let events = setup.events_of(&id);
    assert_eq!(events.len(), 1, "{events:#?}");
    // The event did carry the request and the fields, scrubbed.
    let event = &events[0];
    assert_eq!(
        event["contexts"]["Rust Tracing Fields"]["password"],
        "[Filtered]"
    );
    let headers = event["request"]["headers"].as_object().expect("headers");
    assert_eq!(headers["x-harmless"], "visible");
    for name in ["authorization", "cookie", "x-api-key", "x-upstream-token"] {
        assert!(!headers.contains_key(name), "{name}: {headers:?}");
    }
    assert_eq!(
        event["request"]["query_string"],
        "token=[Filtered]&q=[Filtered]"
    );

    let sent = setup.receiver.as_ref().unwrap().all_bytes();
    let sent = String::from_utf8_lossy(&sent);
    assert!(!sent.contains(CANARY), "the canary reached Sentry");
}
