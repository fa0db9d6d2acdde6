//! Outgoing calls that carry the request's ID and trace: for `http::HeaderMap`, tower/hyper
//! clients and reqwest.
//!
//! Inside a request served by the tower layer or the actix-web middleware (and in tasks
//! spawned with `.in_current_span()`), a call carries:
//!
//! - the request ID header (`x-request-id` unless configured otherwise);
//! - `traceparent`, version `00`: the request's trace id, its span id as the parent (the
//!   `span_id` of its log lines), its flags; and `tracestate` when a valid one came in;
//! - with a Sentry client bound, `sentry-trace` and `baggage` for the same trace.
//!
//! Outside any request (a background job), a call starts a fresh trace of its own and carries
//! no request ID. [`Propagation::targets`] limits which URLs get the headers; by default every
//! call gets them, as Sentry's `trace_propagation_targets` does.
//!
//! # Example
//!
//! ```
//! use http::HeaderMap;
//! use http_observability::outgoing;
//!
//! let mut headers = HeaderMap::new();
//! outgoing::inject(&mut headers);
//! // Outside a request: a fresh trace, no request ID.
//! assert!(headers.contains_key("traceparent"));
//! assert!(!headers.contains_key("x-request-id"));
//! ```
//!
//! With reqwest (feature `reqwest`), through `reqwest-middleware`:
//!
//! ```no_run
//! # #[cfg(feature = "reqwest")] {
//! use http_observability::outgoing::PropagateMiddleware;
//!
//! let client = reqwest_middleware::ClientBuilder::new(reqwest_middleware::reqwest::Client::new())
//!     .with(PropagateMiddleware::new())
//!     .build();
//! # let _ = client;
//! # }
//! ```
//!
//! With a tower/hyper client, [`PropagateLayer`] around it.
//!
//! # In spawned tasks
//!
//! A task spawned inside a request keeps its ID and trace only if it keeps the request's span:
//! spawn `future.in_current_span()` (from `tracing::Instrument`). A task spawned without it is
//! outside any request, and its calls start fresh traces.

mod layer;
mod propagation;
#[cfg(feature = "reqwest")]
mod reqwest;

pub use layer::{Propagate, PropagateLayer};
pub use propagation::{Propagation, inject};
#[cfg(feature = "reqwest")]
pub use reqwest::PropagateMiddleware;
