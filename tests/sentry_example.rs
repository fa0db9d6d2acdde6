//! The axum example as a user runs it: `init!()` reads `SENTRY_DSN`, `SENTRY_ENVIRONMENT` and
//! `GIT_SHA` from the environment, and `/error` and `/panic` each reach Sentry once, tagged
//! with the request ID (one test: it sets the process environment and the global subscriber).

mod sentry_support;

#[allow(dead_code)]
#[path = "../examples/axum.rs"]
mod example;

use std::time::Duration;

use sentry_support::receiver::{Answer, Receiver, tag};
use sentry_support::support::request_id;

const SHA: &str = "89abcdef0123456789abcdef0123456789abcdef";

#[test]
fn init_reads_sentry_from_the_environment_and_the_example_reports_once_per_failure() {
    let receiver = Receiver::start(Answer::Status(200));
    // SAFETY: set before any other thread of this test process reads the environment (no
    // runtime, subscriber or Sentry client exists yet, and this file holds one test).
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("SENTRY_DSN", receiver.dsn());
        std::env::set_var("SENTRY_ENVIRONMENT", "example-test");
        std::env::set_var("GIT_SHA", SHA);
        std::env::set_var("RUST_LOG", "warn");
    }
    let guard = http_observability::init!().expect("first and only init");
    let sentry = guard.sentry().expect("SENTRY_DSN is set: Sentry is on");
    assert_eq!(
        http_observability::release::current().map(|r| r.as_str()),
        Some(SHA)
    );

    let addr = sentry_support::support::serve_axum(example::app(
        example::common::Downstream::new("http://127.0.0.1:9/health".into()).unwrap(),
    ));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let get = |path: &str| {
        let url = format!("http://{addr}{path}");
        runtime.block_on(async move {
            let response = reqwest::get(url).await.expect("the example answers");
            (response.status().as_u16(), request_id(&response))
        })
    };
    let (error_status, error_id) = get("/error?token=CANARY-query");
    let (panic_status, panic_id) = get("/panic");
    let (health_status, health_id) = get("/health");
    assert_eq!((error_status, panic_status, health_status), (500, 500, 200));
    assert!(sentry.flush(), "the receiver answers at once");

    let wait = Duration::from_secs(2);
    let error_events = receiver.events_for(&error_id, wait);
    assert_eq!(error_events.len(), 1, "{error_events:#?}");
    let event = &error_events[0];
    assert_eq!(tag(event, "request_id"), Some(error_id.as_str()));
    assert_eq!(event["release"], SHA);
    assert_eq!(event["environment"], "example-test");
    assert_eq!(event["transaction"], "GET /error");
    let types: Vec<&str> = event["exception"]["values"]
        .as_array()
        .expect("the error's chain as exceptions")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(types.contains(&"StorageError"), "{types:?}");
    assert!(types.len() >= 3, "the whole source chain: {types:?}");

    let panic_events = receiver.events_for(&panic_id, wait);
    assert_eq!(panic_events.len(), 1, "{panic_events:#?}");
    assert_eq!(tag(&panic_events[0], "request_id"), Some(panic_id.as_str()));

    assert!(receiver.events_for(&health_id, Duration::ZERO).is_empty());
    let sent = String::from_utf8_lossy(&receiver.all_bytes()).into_owned();
    assert!(
        !sent.contains("CANARY-query"),
        "query values never reach Sentry"
    );
    drop(guard);
}
