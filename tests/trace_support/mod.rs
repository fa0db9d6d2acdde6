//! Shared by the tests/trace_*.rs files: services on 127.0.0.1 that call one another, for both
//! frameworks, and readers for what their JSON lines and the called service say about a call.
//!
//! - The examples' apps (axum and actix-web), whose `GET /fanout` calls their `Downstream`.
//! - A test service behind our layer or middleware: `GET /echo` logs the propagation headers
//!   it arrived with (its `echo` line, field `received`) and answers them as JSON;
//!   `GET /call?to=URL` calls `URL` through a propagating reqwest client and answers what it
//!   answered; `GET /spawn?to=URL` calls `URL` from two spawned tasks, one instrumented with
//!   the request's span and one not, and answers both.
//!
//! Every server runs on a thread and runtime of its own, so it outlives the test that
//! started it; lines go to the process's global capture.

// Each test binary uses a different part of this module; both examples declare their shared
// `common` module, and each gets a copy of it.
#![allow(dead_code, clippy::duplicate_mod)]

#[path = "../support/mod.rs"]
pub mod support;

#[path = "../../examples/axum.rs"]
pub mod axum_example;

#[cfg(feature = "actix")]
#[path = "../../examples/actix.rs"]
pub mod actix_example;

use std::net::SocketAddr;

use http_observability::ObservabilityLayer;
use http_observability::outgoing::{PropagateMiddleware, Propagation};
use http_observability::{request_id, trace_context};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use serde_json::{Map, Value, json};
use tracing::Instrument;

#[cfg(feature = "actix")]
use support::serve_actix;
pub use support::{global_capture, serve_axum};

/// The headers `/echo` reports, in this order.
pub const PROPAGATED: [&str; 5] = [
    "x-request-id",
    "traceparent",
    "tracestate",
    "sentry-trace",
    "baggage",
];

/// The header under which the test service keeps what arrived of header `name`: our layer
/// sets the request ID header on the request it hands on (a generated ID when none came), so
/// the echo reads what its outermost layer saw on the wire.
fn arrived(name: &str) -> String {
    format!("x-arrived-{name}")
}

/// The route of the test service's echo, as its lines carry it.
pub const ECHO_ROUTE: &str = "/echo";

/// Logs the propagation headers a request arrived with, `get(name)` giving each header's
/// value, as the `echo` line's `received` field (a JSON object as text), and returns them
/// (null when absent).
pub fn echo(get: impl Fn(&str) -> Option<String>) -> Value {
    let received: Map<String, Value> = PROPAGATED
        .iter()
        .map(|&name| {
            let value = get(&arrived(name)).map_or(Value::Null, Value::String);
            (name.to_owned(), value)
        })
        .collect();
    let received = Value::Object(received);
    tracing::info!(received = %received, "echo");
    received
}

/// What an `echo` line says its request received.
pub fn received(line: &Value) -> Value {
    let text = line["received"].as_str().expect("an echo line");
    serde_json::from_str(text).expect("received is a JSON object")
}

/// A reqwest client that propagates with `propagation`.
pub fn client(propagation: Propagation) -> ClientWithMiddleware {
    ClientBuilder::new(reqwest_middleware::reqwest::Client::new())
        .with(PropagateMiddleware::with_propagation(propagation))
        .build()
}

/// `GET url` through `client`, its JSON answer (what an echo received).
pub async fn call(client: &ClientWithMiddleware, url: &str) -> Value {
    let response = client.get(url).send().await.expect("the callee answers");
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.expect("a JSON answer")
}

/// What `/spawn` does: calls `url` from a task spawned with `.in_current_span()` and from one
/// spawned without, each logging a line first, and answers what each call's callee received
/// with the handler's own view of its trace.
pub async fn spawn_both(client: ClientWithMiddleware, url: String) -> Value {
    // Each spawned line names its request in a field of its own (`for_request`), to be found.
    let id = request_id::current().expect("inside a request").to_string();
    let (in_span_client, in_span_url, in_span_id) = (client.clone(), url.clone(), id.clone());
    let in_span = tokio::spawn(
        async move {
            tracing::info!(for_request = in_span_id, "spawned in span");
            call(&in_span_client, &in_span_url).await
        }
        .in_current_span(),
    );
    let detached = tokio::spawn(async move {
        tracing::info!(for_request = id, "spawned detached");
        call(&client, &url).await
    });
    let in_span = in_span.await.expect("the task ends");
    let detached = detached.await.expect("the task ends");
    let trace = trace_context::current().expect("inside a request");
    json!({
        "in_span": in_span,
        "detached": detached,
        "trace_id": trace.trace_id().to_string(),
        "span_id": trace.span_id().to_string(),
    })
}

/// The `to` parameter of a query string (unencoded: the tests send plain URLs).
pub fn to_param(query: &str) -> String {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("to="))
        .expect("a to= parameter")
        .to_owned()
}

/// The axum example's app, its `/fanout` calling `downstream`.
pub fn axum_example(downstream: String) -> SocketAddr {
    global_capture();
    let downstream = axum_example::common::Downstream::new(downstream).expect("a URL");
    serve_axum(axum_example::app(downstream))
}

/// The test service (`/echo`, `/call`, `/spawn`) behind `layer`, its calls propagating with
/// `propagation`.
pub fn axum_service(layer: ObservabilityLayer, propagation: Propagation) -> SocketAddr {
    use axum::extract::{RawQuery, State};
    use axum::http::HeaderMap;
    use axum::routing::get;

    global_capture();
    let client = client(propagation);
    let router = axum::Router::new()
        .route(
            ECHO_ROUTE,
            get(|headers: HeaderMap| async move {
                let header = |name: &str| {
                    let value = headers.get(name)?;
                    Some(value.to_str().expect("ASCII").to_owned())
                };
                axum::Json(echo(header))
            }),
        )
        .route(
            "/call",
            get(
                |State(client): State<ClientWithMiddleware>, RawQuery(query): RawQuery| async move {
                    tracing::info!("calling");
                    let to = to_param(&query.unwrap_or_default());
                    axum::Json(call(&client, &to).await)
                },
            ),
        )
        .route(
            "/spawn",
            get(
                |State(client): State<ClientWithMiddleware>, RawQuery(query): RawQuery| async move {
                    let to = to_param(&query.unwrap_or_default());
                    axum::Json(spawn_both(client, to).await)
                },
            ),
        )
        .with_state(client)
        .layer(layer)
        .layer(axum::middleware::map_request(keep_arrived));
    serve_axum(router)
}

/// Keeps the propagation headers as they arrived (see [`arrived`]).
async fn keep_arrived(mut request: axum::extract::Request) -> axum::extract::Request {
    for name in PROPAGATED {
        if let Some(value) = request.headers().get(name).cloned() {
            let name = http::HeaderName::try_from(arrived(name)).expect("a header name");
            request.headers_mut().insert(name, value);
        }
    }
    request
}

/// The actix-web example's app, its `/fanout` calling `downstream`.
#[cfg(feature = "actix")]
pub fn actix_example(downstream: String) -> SocketAddr {
    use actix_web::web::Data;

    global_capture();
    let downstream = actix_example::common::Downstream::new(downstream).expect("a URL");
    let downstream = Data::new(downstream);
    let docs = Data::new(actix_example::Docs::default());
    serve_actix!(move || actix_example::app(docs.clone(), downstream.clone()))
}

/// The test service (`/echo`, `/call`, `/spawn`) behind `middleware`, its calls propagating
/// with `propagation`.
#[cfg(feature = "actix")]
pub fn actix_service(middleware: support::ActixMiddleware, propagation: Propagation) -> SocketAddr {
    use actix_web::{App, HttpRequest, HttpResponse, web};

    async fn echo_route(request: HttpRequest) -> HttpResponse {
        let header = |name: &str| {
            let value = request.headers().get(name)?;
            Some(value.to_str().expect("ASCII").to_owned())
        };
        HttpResponse::Ok().json(echo(header))
    }
    async fn call_route(
        request: HttpRequest,
        client: web::Data<ClientWithMiddleware>,
    ) -> HttpResponse {
        tracing::info!("calling");
        let to = to_param(request.query_string());
        HttpResponse::Ok().json(call(&client, &to).await)
    }
    async fn spawn_route(
        request: HttpRequest,
        client: web::Data<ClientWithMiddleware>,
    ) -> HttpResponse {
        let to = to_param(request.query_string());
        HttpResponse::Ok().json(spawn_both(client.get_ref().clone(), to).await)
    }

    global_capture();
    let client = web::Data::new(client(propagation));
    serve_actix!(move || {
        App::new()
            .app_data(client.clone())
            .route(ECHO_ROUTE, web::get().to(echo_route))
            .route("/call", web::get().to(call_route))
            .route("/spawn", web::get().to(spawn_route))
            .wrap(middleware.clone())
            .wrap_fn(|mut request, service| {
                use actix_web::dev::Service;
                use actix_web::http::header::HeaderName;
                // Keeps the propagation headers as they arrived (see `arrived`).
                for name in PROPAGATED {
                    if let Some(value) = request.headers().get(name).cloned() {
                        let name = HeaderName::try_from(arrived(name)).expect("a header name");
                        request.headers_mut().insert(name, value);
                    }
                }
                service.call(request)
            })
    })
}
