//! The tower middleware: request ID, `request` span, access log and panic safety in one layer.
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get};
//! use http_observability::{ObservabilityLayer, RequestId};
//!
//! async fn hello(id: RequestId) -> String {
//!     tracing::info!("saying hello"); // carries request_id in its log line
//!     format!("hello from request {id}")
//! }
//!
//! let app: Router = Router::new()
//!     .route("/hello", get(hello))
//!     .layer(ObservabilityLayer::new());
//! ```
//!
//! # What it does for every request
//!
//! 1. Resolves the request ID with a [`RequestIdPolicy`](crate::request_id::RequestIdPolicy):
//!    a valid incoming `x-request-id` is kept, anything else is replaced by a fresh UUID v7
//!    (and the refusal is logged at WARN with its reason and length, never the value). The
//!    resolved ID replaces the request's header and is stored in the request's extensions.
//! 2. Opens the `request` span with `request_id`, `http.request.method` and `http.route`
//!    (axum's `MatchedPath`, with the `axum` feature; absent when no route matched, never the
//!    raw path), and runs the inner service inside it, so every event a handler logs carries
//!    the ID.
//! 3. Catches a panic of the inner service and answers 500 with
//!    `{"error":"internal server error","request_id":"…"}` (with `panic = "abort"` in the
//!    build profile there is nothing to catch: the process ends). A panic while the response
//!    body streams comes after the response was handed over and is not caught.
//! 4. Sets the ID header on every response (success, error status or the panic's 500) and
//!    stores the ID in the response's extensions. An error of the inner service (its
//!    `S::Error`) is passed through as it is: there is no response to stamp.
//! 5. Emits one [access-log event](crate::access_log) when the response is over (its body
//!    ended, failed or was dropped), when the inner service fails, or when the request is
//!    dropped before either; at the level the [level hook](crate::access_level) chooses
//!    ([`ObservabilityLayer::access_level`]), with or without `url.path`
//!    ([`ObservabilityLayer::log_path`]).
//! 6. Keeps the response body inside the `request` span while it streams, so events logged by
//!    a streaming body carry the ID too.
//!
//! With the `sentry` feature and a Sentry client bound (by `init!()` when `SENTRY_DSN` is
//! set), each request also gets its own Sentry hub, and its events carry the `request_id` tag,
//! the route as transaction and the request without its secrets; a failing request sends
//! exactly one event. With performance tracing on, each request also starts a transaction.
//! See the `reporting` module; add none of sentry-tower's layers yourself.
//!
//! # Layer order
//!
//! With axum, add it with `Router::layer` so that it runs after routing and sees the matched
//! route. Of several `.layer()` calls on a `Router`, the **last added runs first**: add this
//! layer last so that it wraps the others and their events carry the ID. With
//! `tower::ServiceBuilder`, the **first listed runs first**: list it first.
//!
//! # Only part of it
//!
//! [`SetRequestIdLayer`] does steps 1 and 4 alone (no WARN for a refused ID, no span, no
//! access log, no panic catching), for services that bring their own tracing.

// The response future is a concrete pin-projected type: no boxing per request.

mod body;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod observability_layer;
mod report;
pub(crate) mod route;
mod service;
mod set_request_id;

pub use body::ResponseBody;
pub use future::ResponseFuture;
pub use observability_layer::ObservabilityLayer;
pub use service::Observability;
pub use set_request_id::{SetRequestId, SetRequestIdFuture, SetRequestIdLayer};

use http::{HeaderName, Request, Response};

use crate::request_id::{RequestId, Resolution};

/// Writes the resolved ID into a request's header (so that services further in, and calls they
/// forward, see the same ID) and extensions. A valid incoming header is left as it is.
fn stamp_request<B>(request: &mut Request<B>, header: &HeaderName, resolution: &Resolution) {
    let request_id = &resolution.id;
    if !resolution.incoming {
        request
            .headers_mut()
            .insert(header.clone(), request_id.header_value().clone());
    }
    request.extensions_mut().insert(request_id.clone());
}

/// Writes the ID into a response's header and extensions.
fn stamp<B>(response: &mut Response<B>, header: &HeaderName, request_id: RequestId) {
    response
        .headers_mut()
        .insert(header.clone(), request_id.header_value().clone());
    response.extensions_mut().insert(request_id);
}
