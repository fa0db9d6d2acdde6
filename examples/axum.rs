//! A small API shaped like a real backend, with request IDs, JSON logs and Sentry reporting.
//!
//! Run with: `cargo run --example axum`, then try:
//!
//! ```text
//! curl -i localhost:3000/health
//! curl -i -H 'x-request-id: my-id-123' localhost:3000/ready
//! curl -i -X POST localhost:3000/docs -H 'content-type: application/json' -d '{"title":"hello"}'
//! curl -i localhost:3000/error
//! curl -i localhost:3000/panic
//! curl -i localhost:3000/fanout
//! curl -iN 'localhost:3000/stream?chunks=5&delay_ms=200'
//! ```
//!
//! Every response carries `x-request-id`; every line on stdout is a JSON object, and the lines
//! a request causes carry its `request_id`, `trace_id` and `span_id`. `GET /fanout` calls
//! `DOWNSTREAM_URL` with the request's ID and trace, and answers `{"downstream_status": N}`
//! (502 with the request ID when the call fails). `/stream` sends `chunks` small chunks
//! (default 5, at most 100) `delay_ms` apart (default 200, at most 1000; other values answer
//! 400): its access line comes after the last chunk, with the whole latency and the bytes sent.
//!
//! Environment (a contract other tooling relies on): `PORT` (default 3000), `HOST` (default
//! 127.0.0.1), `SERVICE_NAME`, `GIT_SHA`, `SENTRY_DSN` (unset: Sentry off),
//! `SENTRY_ENVIRONMENT`, `RUST_LOG` (default `info`), `DOWNSTREAM_URL` (default this
//! service's own `/health`). SIGTERM and Ctrl-C shut it down
//! gracefully: in-flight requests finish.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_observability::{ObservabilityLayer, RequestId};
use serde_json::json;

pub mod common;

use common::{
    AppError, Chunks, Downstream, MainError, NewDoc, StreamQuery, listen_address, load_document,
};

/// The service's routes, with the observability layer, calling `downstream` on `/fanout`. The
/// integration tests serve this same router.
pub fn app(downstream: Downstream) -> Router {
    let state = AppState {
        next_doc_id: Arc::default(),
        downstream,
    };
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/docs", post(create_doc))
        .route("/error", get(error))
        .route("/panic", get(panic))
        .route("/fanout", get(fanout))
        .route("/stream", get(stream))
        .with_state(state)
        .layer(ObservabilityLayer::new())
}

#[derive(Clone)]
struct AppState {
    next_doc_id: Arc<AtomicU64>,
    downstream: Downstream,
}

/// Liveness: no I/O.
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: a real service would check its database here.
async fn ready() -> Json<serde_json::Value> {
    Json(json!({ "status": "ready" }))
}

async fn create_doc(
    State(state): State<AppState>,
    Json(doc): Json<NewDoc>,
) -> (StatusCode, Json<serde_json::Value>) {
    let doc_id = state.next_doc_id.fetch_add(1, Ordering::Relaxed) + 1;
    tracing::info!(doc_id, title = %doc.title, "document stored");
    (StatusCode::CREATED, Json(json!({ "id": doc_id })))
}

async fn error(id: RequestId) -> Result<Json<serde_json::Value>, ApiError> {
    load_document().map_err(|error| ApiError {
        request_id: id,
        error,
    })?;
    Ok(Json(json!({ "status": "loaded" })))
}

/// Calls the downstream service with this request's ID and trace.
async fn fanout(State(state): State<AppState>, id: RequestId) -> Response {
    tracing::info!(downstream = state.downstream.url(), "calling downstream");
    match state.downstream.status().await {
        Ok(status) => Json(json!({ "downstream_status": status })).into_response(),
        Err(error) => {
            let error: &(dyn std::error::Error + 'static) = &error;
            tracing::error!(error, "downstream call failed");
            let body = json!({ "error": "downstream call failed", "request_id": id.as_str() });
            (StatusCode::BAD_GATEWAY, Json(body)).into_response()
        }
    }
}

async fn panic() -> &'static str {
    panic!("the /panic route panics on purpose")
}

/// `chunks` small chunks, `delay_ms` apart.
async fn stream(RawQuery(query): RawQuery) -> Response {
    match StreamQuery::parse(query.as_deref()) {
        Ok(query) => (
            [(axum::http::header::CONTENT_TYPE, "text/plain")],
            Body::new(ChunkBody(query.chunks())),
        )
            .into_response(),
        Err(error) => (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response(),
    }
}

/// The chunks as an HTTP body.
struct ChunkBody(Chunks);

impl http_body::Body for ChunkBody {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        self.0
            .poll_chunk(cx)
            .map(|chunk| chunk.map(|chunk| Ok(http_body::Frame::data(chunk))))
    }
}

/// What a handler returns on failure: logged at ERROR, answered as a JSON 500 with the ID.
struct ApiError {
    request_id: RequestId,
    error: AppError,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error: &(dyn std::error::Error + 'static) = &self.error;
        tracing::error!(error, "request failed");
        let body =
            json!({ "error": self.error.to_string(), "request_id": self.request_id.as_str() });
        (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
    }
}

#[allow(dead_code)] // The integration tests include this file for `app()` only.
#[tokio::main]
async fn main() -> Result<(), MainError> {
    // JSON lines on stdout; Sentry too when SENTRY_DSN is set. Keep the guard until the end:
    // dropping it flushes pending Sentry events and log lines.
    let _guard = http_observability::init!()?;
    let (host, port) = listen_address()?;
    let downstream = Downstream::from_env()?;
    let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await?;
    tracing::info!(address = %listener.local_addr()?, downstream = downstream.url(), "listening");
    // On Ctrl-C or SIGTERM, in-flight requests get up to ten seconds to finish.
    let (signalled, grace) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app(downstream)).with_graceful_shutdown(async {
        common::shutdown_signal().await;
        let _ = signalled.send(());
    });
    let cut_short = tokio::select! {
        served = server => {
            served?;
            false
        }
        () = async {
            if grace.await.is_ok() {
                tokio::time::sleep(Duration::from_secs(10)).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            tracing::warn!("in-flight requests did not finish within 10 s; stopping without them");
            true
        }
    };
    tracing::info!("stopped");
    if cut_short {
        // An error from `main` rather than `process::exit`, which runs no destructors: the
        // guard writes the queued lines, and the cut requests' records are written as the
        // runtime drops their connections.
        return Err("in-flight requests were cut short after 10 s".into());
    }
    Ok(())
}
