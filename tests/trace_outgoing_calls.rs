//! What outgoing calls carry, over real HTTP on 127.0.0.1: a task spawned with
//! `.in_current_span()` inside a handler keeps the request's ID and trace, one spawned without
//! it starts a fresh trace with no ID; a call outside any request starts a fresh trace each
//! time; `Propagation::targets` limits which URLs get the headers. Logs come from one global
//! subscriber, so this file is its own process.

mod trace_support;

use std::net::SocketAddr;

use http::HeaderMap;
use http_observability::ObservabilityLayer;
use http_observability::outgoing::{self, PropagateLayer, Propagation};
use http_observability::trace_context::TraceContext;
use serde_json::Value;
use tower::{Service, ServiceExt, service_fn};
use trace_support::{ECHO_ROUTE, global_capture, received};

fn echo_of(b: SocketAddr) -> String {
    format!("http://{b}{ECHO_ROUTE}")
}

/// The trace id of a `traceparent` value, checking it is version 00 and well formed.
fn trace_of(traceparent: &Value) -> String {
    let value = traceparent.as_str().expect("a traceparent");
    let parts: Vec<&str> = value.split('-').collect();
    assert_eq!(parts.len(), 4, "{value}");
    assert_eq!(parts[0], "00", "{value}");
    assert_eq!(
        (parts[1].len(), parts[2].len(), parts[3].len()),
        (32, 16, 2)
    );
    parts[1].to_owned()
}

/// The line with `message` that names request `id` in its `for_request` field.
fn spawned_line(id: &str, message: &str) -> Value {
    let mut lines: Vec<Value> = global_capture()
        .lines()
        .into_iter()
        .filter(|l| l["for_request"] == id && l["message"] == message)
        .collect();
    assert_eq!(lines.len(), 1, "{message}: {lines:#?}");
    lines.remove(0)
}

/// A's `/spawn` (a caller's trace and ID coming in) calls B from two spawned tasks: the one
/// with the request's span carries its ID and trace, in its line and its headers; the other
/// has neither, and starts a trace of its own.
async fn spawned_tasks_keep_the_request_only_in_its_span(a: SocketAddr, b: SocketAddr) {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let id = format!("spawner-{}", uuid::Uuid::new_v4().simple());
    let response = reqwest::Client::new()
        .get(format!("http://{a}/spawn?to={}", echo_of(b)))
        .header("x-request-id", &id)
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["trace_id"],
        trace.as_str(),
        "the handler's trace: the caller's"
    );
    let span = body["span_id"].as_str().unwrap();

    // In the request's span: its ID and trace, our span as the parent.
    let in_span = &body["in_span"];
    assert_eq!(in_span["x-request-id"], id.as_str());
    assert_eq!(
        in_span["traceparent"],
        format!("00-{trace}-{span}-01").as_str()
    );
    let line = spawned_line(&id, "spawned in span");
    assert_eq!(line["request_id"], id.as_str());
    assert_eq!(line["trace_id"], trace.as_str());
    assert_eq!(line["span_id"], span);

    // Without it: outside any request.
    let detached = &body["detached"];
    assert_eq!(detached["x-request-id"], Value::Null, "{detached}");
    let fresh = trace_of(&detached["traceparent"]);
    assert_ne!(fresh, trace, "a trace of its own");
    let line = spawned_line(&id, "spawned detached");
    for field in ["request_id", "trace_id", "span_id"] {
        assert!(line.get(field).is_none(), "{field}: {line}");
    }

    // B served each call in the trace it was sent: the request's, and the fresh one.
    let echoes: Vec<Value> = global_capture()
        .lines()
        .into_iter()
        .filter(|l| l["message"] == "echo" && (l["trace_id"] == trace || l["trace_id"] == fresh))
        .collect();
    assert_eq!(echoes.len(), 2, "{echoes:#?}");
    for echo in &echoes {
        let sent = received(echo);
        assert_eq!(echo["trace_id"], trace_of(&sent["traceparent"]).as_str());
        if echo["trace_id"] == trace {
            assert_eq!(echo["request_id"], id.as_str(), "B kept A's request ID");
        } else {
            assert_ne!(echo["request_id"], id.as_str(), "B made an ID of its own");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tower_spawned_tasks_keep_the_request_only_in_its_span() {
    let b = trace_support::axum_service(ObservabilityLayer::new(), Propagation::new());
    let a = trace_support::axum_service(ObservabilityLayer::new(), Propagation::new());
    spawned_tasks_keep_the_request_only_in_its_span(a, b).await;
}

#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_spawned_tasks_keep_the_request_only_in_its_span() {
    use trace_support::support::ActixMiddleware;
    let b = trace_support::actix_service(ActixMiddleware::new(), Propagation::new());
    let a = trace_support::actix_service(ActixMiddleware::new(), Propagation::new());
    spawned_tasks_keep_the_request_only_in_its_span(a, b).await;
}

/// Calls made outside any request, on a thread that has just served one: each starts a fresh
/// trace, never the request's nor the previous call's, and carries no request ID.
#[tokio::test]
async fn a_call_outside_any_request_starts_a_fresh_trace_each_time() {
    global_capture();
    // A request served on this very thread (a current-thread runtime, no HTTP): its handler
    // sees its trace context, and injects it.
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(|trace: TraceContext| async move {
                let mut headers = HeaderMap::new();
                outgoing::inject(&mut headers);
                assert!(headers.contains_key("x-request-id"));
                trace.trace_id().to_string()
            }),
        )
        .layer(ObservabilityLayer::new());
    let request = http::Request::get("/")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    let request_trace = String::from_utf8(body.to_vec()).unwrap();

    let mut seen = vec![request_trace];
    for _ in 0..3 {
        let mut headers = HeaderMap::new();
        outgoing::inject(&mut headers);
        assert!(!headers.contains_key("x-request-id"), "{headers:?}");
        assert!(!headers.contains_key("tracestate"), "{headers:?}");
        let traceparent = Value::String(headers["traceparent"].to_str().unwrap().to_owned());
        let trace = trace_of(&traceparent);
        assert!(!seen.contains(&trace), "{trace} was used before: {seen:?}");
        seen.push(trace);
    }

    // Through the reqwest middleware, over HTTP: the same.
    let b = trace_support::axum_service(ObservabilityLayer::new(), Propagation::new());
    let client = trace_support::client(Propagation::new());
    for _ in 0..2 {
        let sent = trace_support::call(&client, &echo_of(b)).await;
        assert_eq!(sent["x-request-id"], Value::Null, "{sent}");
        let trace = trace_of(&sent["traceparent"]);
        assert!(!seen.contains(&trace), "{trace} was used before: {seen:?}");
        seen.push(trace);
    }
}

/// With targets, only calls to a matching URL get the headers: over HTTP from a handler
/// (reqwest middleware), and through the tower client layer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_target_urls_get_the_headers() {
    let target = trace_support::axum_service(ObservabilityLayer::new(), Propagation::new());
    let other = trace_support::axum_service(ObservabilityLayer::new(), Propagation::new());
    let propagation = Propagation::new().targets([target.to_string()]);
    let a = trace_support::axum_service(ObservabilityLayer::new(), propagation.clone());
    let client = reqwest::Client::new();
    for (b, propagated) in [(target, true), (other, false)] {
        let id = format!("targets-{}", uuid::Uuid::new_v4().simple());
        let response = client
            .get(format!("http://{a}/call?to={}", echo_of(b)))
            .header("x-request-id", &id)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let sent: Value = response.json().await.unwrap();
        let names = trace_support::PROPAGATED;
        if propagated {
            assert_eq!(sent["x-request-id"], id.as_str(), "{sent}");
            trace_of(&sent["traceparent"]);
        } else {
            assert!(names.iter().all(|name| sent[name].is_null()), "{sent}");
        }
    }

    // The tower client layer, outside a request.
    let mut client = tower::ServiceBuilder::new()
        .layer(PropagateLayer::with_propagation(propagation))
        .service(service_fn(|request: http::Request<()>| async move {
            Ok::<_, std::convert::Infallible>(request.headers().contains_key("traceparent"))
        }));
    for (url, propagated) in [(echo_of(target), true), (echo_of(other), false)] {
        let request = http::Request::get(url.as_str()).body(()).unwrap();
        let got = client.ready().await.unwrap().call(request).await.unwrap();
        assert_eq!(got, propagated, "{url}");
    }
}
