//! End to end against Bugsink, a real Sentry-compatible server on 127.0.0.1, started by
//! `scripts/bugsink.sh` (which .ci/run calls): the event of a failing request is stored with
//! the right release, environment and `request_id` tag, in the trace the request came with.
//!
//! Skips, saying so, when `BUGSINK_DSN` is not set. Locally:
//! `eval "$(scripts/bugsink.sh start)" && cargo test --all-features --test sentry_bugsink`.

mod sentry_support;

use std::time::Duration;

use sentry_support::app::{self, ENVIRONMENT, RELEASE_SHA};
use sentry_support::receiver::Answer;
use sentry_support::support::request_id;
use serde_json::Value;

/// GETs a Bugsink REST API path with the token.
async fn api(path: &str) -> Value {
    let base = std::env::var("BUGSINK_URL").expect("BUGSINK_URL is set with BUGSINK_DSN");
    let token = std::env::var("BUGSINK_TOKEN").expect("BUGSINK_TOKEN is set with BUGSINK_DSN");
    let response = reqwest::Client::new()
        .get(format!("{base}/api/canonical/0/{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("Bugsink answers");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("JSON from Bugsink")
}

#[tokio::test]
async fn the_event_is_stored_with_release_environment_and_request_id() {
    let Ok(dsn) = std::env::var("BUGSINK_DSN") else {
        eprintln!("skipped: BUGSINK_DSN is not set (run `eval \"$(scripts/bugsink.sh start)\"`)");
        return;
    };
    let setup = app::setup(Answer::Never, Some(dsn), Duration::from_secs(5));
    // The caller's trace: the stored event must be in it, with the caller's span as parent.
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let response = reqwest::Client::new()
        .get(setup.url("/error"))
        .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    setup.flush(); // Bugsink's local template ingests synchronously: stored once flushed.
    let guard = setup.guard.lock().unwrap().take().unwrap();
    let stats = guard.stats();
    drop(guard);
    assert_eq!(stats.delivered(), stats.submitted(), "{stats:?}");

    // The issue that has an event tagged with this request, then that event among the issue's.
    let issues = api(&format!("issues/?project=1&q=request_id:{id}")).await;
    let issue = issues["results"][0]["id"]
        .as_str()
        .expect("an issue holding the request's event");
    let events = api(&format!("events/?issue={issue}")).await;
    let mut found = Vec::new();
    for event in events["results"].as_array().expect("events") {
        let event = api(&format!("events/{}/", event["id"].as_str().unwrap())).await;
        if event["data"]["tags"]["request_id"] == id.as_str() {
            found.push(event["data"].clone());
        }
    }
    assert_eq!(found.len(), 1, "one stored event for the request");
    let event = &found[0];
    assert_eq!(event["release"], RELEASE_SHA);
    assert_eq!(event["environment"], ENVIRONMENT);
    assert_eq!(event["transaction"], "GET /error");
    // What Bugsink keeps of the trace: the event's trace context as sent.
    let trace = &event["contexts"]["trace"];
    assert_eq!(trace["trace_id"], trace_id, "{trace}");
    assert_eq!(trace["parent_span_id"], "00f067aa0ba902b7", "{trace}");
    let span_id = trace["span_id"].as_str().expect("a span id");
    assert_eq!(span_id.len(), 16);
    assert_ne!(span_id, "00f067aa0ba902b7");
}
