//! The actix-web middleware: request IDs, the `request` span, the access log and panic safety,
//! with exactly the behaviour of the tower [`ObservabilityLayer`](crate::ObservabilityLayer).
//!
//! # Example
//!
//! ```no_run
//! use actix_web::{App, HttpServer, web};
//! use http_observability::{RequestId, actix::Observability};
//!
//! async fn hello(id: RequestId) -> String {
//!     tracing::info!("saying hello"); // carries request_id in its log line
//!     format!("hello from request {id}")
//! }
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     HttpServer::new(|| {
//!         App::new()
//!             .wrap(Observability::new())
//!             .route("/hello", web::get().to(hello))
//!     })
//!     .bind(("127.0.0.1", 3000))?
//!     .run()
//!     .await
//! }
//! ```
//!
//! # What it does for every request
//!
//! The same as the tower layer, calling the same core functions:
//!
//! 1. Resolves the request ID with a [`RequestIdPolicy`](crate::request_id::RequestIdPolicy):
//!    a valid incoming `x-request-id` is kept, anything else is replaced by a fresh UUID v7
//!    (and the refusal is logged at WARN with its reason and length, never the value). The
//!    resolved ID replaces the request's header and is stored in the request's extensions,
//!    where the [`RequestId`](crate::RequestId) extractor finds it.
//! 2. Opens the `request` span with `request_id`, `http.request.method` and `http.route`
//!    (actix-web's [`match_pattern`](actix_web::HttpRequest::match_pattern), such as
//!    `/docs/{id}`; empty when no resource matches, never the raw path), and runs the rest of
//!    the app inside it, so every event a handler logs carries the ID and
//!    [`request_id::current`](crate::request_id::current) works in handlers.
//! 3. Catches a panic of a handler (or of any service it wraps) and answers 500 with
//!    `{"error":"internal server error","request_id":"…"}`, where actix-web alone would drop
//!    the connection.
//! 4. Sets the ID header on every response: successes, error responses, `actix_web::Error`s
//!    returned by inner middleware, and the panic's 500. The ID is also stored in the
//!    response's extensions.
//! 5. Emits one [access-log event](crate::access_log) when the response head is produced (or
//!    when the request is dropped before one was), exactly as the tower layer does; its status
//!    is the one the client receives.
//! 6. Keeps the response body inside the `request` span while it streams, so events logged by
//!    a streaming body carry the ID too.
//!
//! # Where to put it
//!
//! With actix-web's `App::wrap`, the **last registered runs first**: call
//! `.wrap(Observability::new())` last so that it wraps the other middleware and their events
//! carry the ID. The route is known even though the middleware runs before routing.
//!
//! # Errors returned by inner services
//!
//! An `actix_web::Error` coming out of the inner service is turned into its response once, the
//! ID header is added to it, and it is passed on as an `Err` (wrapped in
//! [`InternalError`](actix_web::error::InternalError)), so that outer middleware still sees an
//! error and the client sees the ID.

mod body;
mod extract;
mod future;
mod middleware;

pub use body::ResponseBody;
pub use extract::MissingRequestId;
pub use future::ResponseFuture;
pub use middleware::{Observability, ObservabilityMiddleware};
