//! The same small API as the axum example, on actix-web: request IDs, JSON logs and Sentry
//! reporting.
//!
//! Run with: `cargo run --example actix --features actix`, then try:
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
//! Every response carries `x-request-id` (the panic's 500 too: actix-web alone would drop the
//! connection); every line on stdout is a JSON object, and the lines a request causes carry
//! its `request_id`, `trace_id` and `span_id`. `GET /fanout` calls `DOWNSTREAM_URL` with the
//! request's ID and trace, and answers `{"downstream_status": N}` (502 with the request ID when
//! the call fails). `/stream` sends `chunks` small chunks (default 5, at most 100) `delay_ms`
//! apart (default 200, at most 1000; other values answer 400): its access line comes after the
//! last chunk, with the whole latency and the bytes sent.
//!
//! Environment (a contract other tooling relies on): `PORT` (default 3000), `HOST` (default
//! 127.0.0.1), `SERVICE_NAME`, `GIT_SHA`, `SENTRY_DSN` (unset: Sentry off),
//! `SENTRY_ENVIRONMENT`, `RUST_LOG` (default `info`), `DOWNSTREAM_URL` (default this
//! service's own `/health`). SIGTERM and Ctrl-C shut it down
//! gracefully: in-flight requests finish.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, web};
use http_observability::RequestId;
use http_observability::actix::ObservabilityMiddleware;
use serde_json::json;

pub mod common;

use common::{
    AppError, Chunks, Downstream, MainError, NewDoc, StreamQuery, listen_address, load_document,
};

/// The service's routes, with the observability middleware, calling `downstream` on
/// `/fanout`. The integration tests serve this same app; `docs` is shared by every worker.
pub fn app(
    docs: web::Data<Docs>,
    downstream: web::Data<Downstream>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(docs)
        .app_data(downstream)
        .route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/docs", web::post().to(create_doc))
        .route("/error", web::get().to(error))
        .route("/panic", web::get().to(panic))
        .route("/fanout", web::get().to(fanout))
        .route("/stream", web::get().to(stream))
        .wrap(ObservabilityMiddleware::new())
}

/// The document store: here, only the next ID.
#[derive(Default)]
pub struct Docs {
    next_id: AtomicU64,
}

/// Liveness: no I/O.
async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Readiness: a real service would check its database here.
async fn ready() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ready" }))
}

async fn create_doc(docs: web::Data<Docs>, doc: web::Json<NewDoc>) -> HttpResponse {
    let doc_id = docs.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    tracing::info!(doc_id, title = %doc.title, "document stored");
    HttpResponse::Created().json(json!({ "id": doc_id }))
}

async fn error(id: RequestId) -> Result<HttpResponse, ApiError> {
    load_document().map_err(|error| ApiError {
        request_id: id,
        error,
    })?;
    Ok(HttpResponse::Ok().json(json!({ "status": "loaded" })))
}

/// Calls the downstream service with this request's ID and trace.
async fn fanout(downstream: web::Data<Downstream>, id: RequestId) -> HttpResponse {
    tracing::info!(downstream = downstream.url(), "calling downstream");
    match downstream.status().await {
        Ok(status) => HttpResponse::Ok().json(json!({ "downstream_status": status })),
        Err(error) => {
            let error: &(dyn std::error::Error + 'static) = &error;
            tracing::error!(error, "downstream call failed");
            let body = json!({ "error": "downstream call failed", "request_id": id.as_str() });
            HttpResponse::BadGateway().json(body)
        }
    }
}

async fn panic() -> &'static str {
    panic!("the /panic route panics on purpose")
}

/// `chunks` small chunks, `delay_ms` apart.
async fn stream(request: HttpRequest) -> HttpResponse {
    let query = Some(request.query_string()).filter(|query| !query.is_empty());
    match StreamQuery::parse(query) {
        Ok(query) => HttpResponse::Ok()
            .content_type("text/plain")
            .body(ChunkBody(query.chunks())),
        Err(error) => HttpResponse::BadRequest().json(json!({ "error": error })),
    }
}

/// The chunks as an HTTP body.
struct ChunkBody(Chunks);

impl MessageBody for ChunkBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Stream
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<bytes::Bytes, Self::Error>>> {
        self.0.poll_chunk(cx).map(|chunk| chunk.map(Ok))
    }
}

/// What a handler returns on failure: logged at ERROR, answered as a JSON 500 with the ID.
#[derive(Debug)]
struct ApiError {
    request_id: RequestId,
    error: AppError,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        let error: &(dyn std::error::Error + 'static) = &self.error;
        tracing::error!(error, "request failed");
        let body =
            json!({ "error": self.error.to_string(), "request_id": self.request_id.as_str() });
        HttpResponse::build(self.status_code()).json(body)
    }
}

#[allow(dead_code)] // The integration tests include this file for `app()` only.
#[actix_web::main]
async fn main() -> Result<(), MainError> {
    // JSON lines on stdout; Sentry too when SENTRY_DSN is set. Keep the guard until the end:
    // dropping it flushes pending Sentry events and log lines.
    let _guard = http_observability::init!()?;
    let (host, port) = listen_address()?;
    let docs = web::Data::new(Docs::default());
    let downstream = web::Data::new(Downstream::from_env()?);
    tracing::info!(
        downstream = downstream.url(),
        "calling downstream on /fanout"
    );
    let server = HttpServer::new(move || app(docs.clone(), downstream.clone()))
        .bind((host.as_str(), port))?
        .shutdown_signal(common::shutdown_signal())
        .shutdown_timeout(10);
    for address in server.addrs() {
        tracing::info!(%address, "listening");
    }
    server.run().await?;
    tracing::info!("stopped");
    Ok(())
}
