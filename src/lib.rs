//! Production observability for axum and actix-web services in a few lines: a correlation ID
//! on every request, in every log line it causes and in the response; fast JSON-lines logs;
//! and errors reported to Sentry tagged with that ID and the git SHA of the running build.
//!
//! # Quick start
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use http_observability::{ObservabilityLayer, RequestId};
//!
//! async fn hello(id: RequestId) -> String {
//!     tracing::info!("saying hello"); // this line carries "request_id"
//!     format!("hello, request {id}")
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // JSON logs on stdout, Sentry when SENTRY_DSN is set; keep the guard (never `let _ =`).
//!     let _guard = http_observability::init!()?;
//!     let app = Router::new()
//!         .route("/hello", get(hello))
//!         .layer(ObservabilityLayer::new());
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `json` | yes | the JSON-lines formatter ([`json`]) and the one-call setup ([`init!`], [`Init`]) |
//! | `axum` | no | the [`RequestId`] extractor and matched routes for axum |
//! | `sentry` | no | Sentry reporting tagged with the request ID and the release |
//! | `actix` | no | the actix-web middleware |
//! | `full` | no | all of the above |
//!
//! The tower layer ([`ObservabilityLayer`]) and the request-ID core ([`request_id`]) are always
//! there.
//!
//! # Examples
//!
//! - `cargo run --example axum`: a small API with every route of the contract (`/health`,
//!   `/ready`, `/docs`, `/error`, `/panic`).
//! - `cargo run --example actix --features actix`: the same service on actix-web.

#![warn(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

// The framework-free core.
mod lifecycle;
pub mod redact;
pub mod release;
pub mod request_id;

pub use lifecycle::access_log;

// The tower layer and the axum extractor.
pub mod layer;

pub use layer::{Observability, ObservabilityLayer};
pub use request_id::{MissingRequestId, RequestId};

// JSON logging and the one-call setup.
#[cfg(feature = "json")]
mod init;
#[cfg(feature = "json")]
pub mod json;

#[cfg(feature = "json")]
pub use init::{Guard, Init, InitError, LogFormat};

/// Installs JSON logging on stdout (and Sentry, with the `sentry` feature and `SENTRY_DSN`
/// set), configured from the environment (see [`Init`]), with the release resolved through the
/// whole chain of [`release`](mod@release), down to the `GIT_SHA` your crate was compiled with
/// and its `name@version`. Expands to `Init::new().build_info(release!()).install()`; returns
/// `Result<Guard, InitError>`.
///
/// Keep the [`Guard`] until the end of `main`: dropping it flushes the queued lines and stops
/// the writer thread. **Never write `let _ = init!()?;`**: `_` drops the guard at once and
/// every later line is lost.
///
/// # Example
///
/// ```no_run
/// fn main() -> Result<(), http_observability::InitError> {
///     let _guard = http_observability::init!()?; // keep it until the end of main
///     tracing::info!("started");
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// [`InitError`] when a global subscriber is already set, `RUST_LOG` holds an invalid
/// directive, `LOG_FORMAT` is neither `json` nor `pretty`, or a Sentry variable is malformed.
#[cfg(feature = "json")]
#[macro_export]
macro_rules! init {
    () => {
        $crate::Init::new().build_info($crate::release!()).install()
    };
}

// Sentry.
#[cfg(feature = "sentry")]
pub mod reporting;

// actix-web.
#[cfg(feature = "actix")]
pub mod actix;

/// The code in README.md, compiled as doctests so that it stays true.
#[cfg(all(doctest, feature = "full"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
