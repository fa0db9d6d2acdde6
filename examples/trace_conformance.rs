//! The service side of the W3C Trace Context test harness: our layer and our outgoing
//! propagation on axum, nothing else.
//!
//! Run with: `cargo run --example trace_conformance` (listens on 127.0.0.1:5000, or `PORT`),
//! then, from a checkout of the harness (repository w3c/trace-context, folder `test/`, Python
//! with aiohttp): `python test.py http://127.0.0.1:5000/test`. `scripts/trace_conformance.sh`
//! does both, given the harness folder.
//!
//! `POST /test` receives a JSON array of `{"url": …, "arguments": …}` and, for each element,
//! POSTs its `arguments` to its `url`, carrying the request's trace context. Each call is made
//! in a client span of its own, so each carries its own parent id, as the harness expects.

use axum::routing::post;
use axum::{Json, Router};
use http_observability::ObservabilityLayer;
use http_observability::outgoing::PropagateMiddleware;
use http_observability::trace_context;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, reqwest};
use serde::Deserialize;
use tracing::Instrument as _;

/// One instruction of the harness: call `url` with `arguments` as the JSON body.
#[derive(Deserialize)]
struct Case {
    url: String,
    arguments: serde_json::Value,
}

async fn test(
    axum::extract::State(client): axum::extract::State<ClientWithMiddleware>,
    Json(cases): Json<Vec<Case>>,
) -> &'static str {
    for case in cases {
        let span = trace_context::client_span();
        async {
            tracing::info!(url = %case.url, "calling back");
            let call = client
                .post(&case.url)
                .header("content-type", "application/json")
                .body(case.arguments.to_string());
            if let Err(error) = call.send().await {
                let error: &(dyn std::error::Error + 'static) = &error;
                tracing::warn!(error, "callback failed");
            }
        }
        .instrument(span)
        .await;
    }
    "ok"
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _guard = http_observability::init!()?;
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 5000,
    };
    let client = ClientBuilder::new(reqwest::Client::new())
        .with(PropagateMiddleware::new())
        .build();
    let app = Router::new()
        .route("/test", post(test))
        .with_state(client)
        .layer(ObservabilityLayer::new());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    axum::serve(listener, app).await?;
    Ok(())
}
