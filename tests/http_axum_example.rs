//! The axum example's router over real HTTP on 127.0.0.1, logs captured from a global
//! subscriber (so this file is its own process).

mod support;

#[allow(dead_code)]
#[path = "../examples/axum.rs"]
mod example;

use std::collections::HashSet;
use std::net::SocketAddr;

use serde_json::{Value, json};
use support::{Capture, contract, request_id};

fn capture() -> &'static Capture {
    support::global_capture()
}

async fn serve() -> SocketAddr {
    capture();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, example::app(no_downstream())).await });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incoming_id_is_echoed_and_on_every_line() {
    contract::incoming_id_is_echoed_and_on_every_line(serve().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_ready_answer_and_generate_an_id() {
    contract::health_and_ready_answer_and_generate_an_id(serve().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_id_is_replaced_not_echoed() {
    let addr = serve().await;
    let hostile = "\"};alert(1);{\"";
    let response = reqwest::Client::new()
        .get(format!("http://{addr}/health"))
        .header("x-request-id", hostile)
        .send()
        .await
        .unwrap();
    let id = request_id(&response);
    assert_ne!(id, hostile);
    let lines = capture().lines_of(&id);
    let warn = lines.iter().find(|l| l["level"] == "WARN").unwrap();
    assert_eq!(warn["reason"], "forbidden_character");
    assert_eq!(warn["length"], hostile.len());
    let everything = serde_json::to_string(&capture().lines()).unwrap();
    assert!(!everything.contains("alert(1)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_and_panic_answer_500_with_the_id() {
    let addr = serve().await;
    let response = reqwest::get(format!("http://{addr}/error")).await.unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());
    let lines = capture().lines_of(&id);
    let error = lines
        .iter()
        .find(|l| l["message"] == "request failed")
        .unwrap();
    assert_eq!(error["level"], "ERROR");

    let response = reqwest::get(format!("http://{addr}/panic")).await.unwrap();
    assert_eq!(response.status(), 500);
    let id = request_id(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());
    let access: Vec<Value> = capture()
        .access_events()
        .into_iter()
        .filter(|l| l["request_id"] == id.as_str())
        .collect();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["http.response.status_code"], 500);
    assert_eq!(access[0]["http.route"], "/panic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_access_event_per_request() {
    let addr = serve().await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("http://{addr}/ready?api_key=canary-123"))
        .header("x-request-id", "one-access-1")
        .header("authorization", "Bearer canary-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let access: Vec<Value> = capture()
        .access_events()
        .into_iter()
        .filter(|l| l["request_id"] == "one-access-1")
        .collect();
    assert_eq!(access.len(), 1);
    let event = &access[0];
    assert_eq!(event["http.request.method"], "GET");
    assert_eq!(event["url.path"], "/ready");
    assert_eq!(event["http.route"], "/ready");
    assert_eq!(event["http.response.status_code"], 200);
    assert!(event["latency_ms"].is_number());
    let everything = serde_json::to_string(&capture().lines()).unwrap();
    assert!(!everything.contains("canary-123"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_requests_never_share_an_id() {
    let addr = serve().await;
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let id = format!("conc-{i}");
                let response = client
                    .post(format!("http://{addr}/docs"))
                    .header("x-request-id", &id)
                    .json(&json!({ "title": id }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
                assert_eq!(request_id(&response), id);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let stored: Vec<Value> = capture()
        .lines()
        .into_iter()
        .filter(|l| l["message"] == "document stored")
        .filter(|l| l["title"].as_str().is_some_and(|t| t.starts_with("conc-")))
        .collect();
    assert_eq!(stored.len(), 200);
    let mut seen = HashSet::new();
    for line in &stored {
        // The handler logged its own title, which is its request's ID: the line's request_id
        // must be that one and never another request's.
        assert_eq!(line["request_id"], line["title"], "{line}");
        assert!(seen.insert(line["request_id"].as_str().unwrap().to_owned()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_router_works_through_oneshot_too() {
    use tower::ServiceExt;
    capture();
    let request = axum::http::Request::get("/health")
        .header("x-request-id", "oneshot-1")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = example::app(no_downstream())
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "oneshot-1");
    // The access event comes when the body ends.
    http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap();
    let access: Vec<Value> = capture()
        .access_events()
        .into_iter()
        .filter(|l| l["request_id"] == "oneshot-1")
        .collect();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["http.route"], "/health");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_is_logged_after_its_last_byte() {
    contract::a_stream_is_logged_after_its_last_byte(serve().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_hangs_up_mid_stream_is_logged_as_gone() {
    contract::a_client_that_hangs_up_mid_stream_is_logged_as_gone(serve().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_stream_values_answer_400() {
    contract::bad_stream_values_answer_400(serve().await).await;
}

/// A downstream nothing listens on (port 9, discard): `/fanout` answers 502.
fn no_downstream() -> example::common::Downstream {
    example::common::Downstream::new("http://127.0.0.1:9/health".into()).unwrap()
}
