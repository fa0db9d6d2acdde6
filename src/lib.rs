//! Production observability for axum and actix-web services in a few lines: a correlation ID
//! on every request, in every log line it causes and in the response; a W3C trace context
//! continued from the caller and passed on to the services it calls; fast JSON-lines logs;
//! and errors reported to Sentry tagged with that ID, in that trace, with the git SHA of the
//! running build.
//!
//! # The map of the crate
//!
//! Three rings; every arrow points inward: the adapters and integrations use the core, and the
//! core names no framework and no integration (where the lifecycle needs Sentry, it defines a
//! seam that the Sentry integration fills).
//!
//! | folder | ring | what it holds |
//! |---|---|---|
//! | `src/request_id/` | core | the correlation ID: the [`RequestId`] type and its rules, how fresh ones are made ([`MakeRequestId`](request_id::MakeRequestId)), the trust policy, [`request_id::current`] |
//! | `src/trace_context/` | core | the trace: W3C `traceparent`/`tracestate` and Sentry's `sentry-trace` parsed strictly, the [`TraceContext`] type, the [trust policy](trace_context::TracePolicy) and the [seam for ids](trace_context::MakeTraceIds), [`trace_context::current`], what goes out on a call |
//! | `src/lifecycle/` | core | one request, whatever the framework: its `request` span, its [access record](access_log), a caught panic, how it ended, the reporting seam |
//! | `src/redact/` | core | [redaction](redact): one deny-list and one masking pass for the logs and Sentry, [`Sensitive`](redact::Sensitive) |
//! | `src/release/` | core | [which build is running](mod@release): the release chain, [`release!`], [`emit_git_sha`](release::emit_git_sha) |
//! | `src/layer/` | adapter | tower and axum: [`ObservabilityLayer`], the axum extractor and route, [`SetRequestIdLayer`](layer::SetRequestIdLayer), the tower side of Sentry |
//! | `src/actix/` | adapter | actix-web: the middleware, its extractors, the actix side of Sentry (feature `actix`) |
//! | `src/outgoing/` | adapter | outgoing calls: [`outgoing::inject`] for any `http::HeaderMap`, [`PropagateLayer`](outgoing::PropagateLayer) for tower/hyper clients, the reqwest middleware (feature `reqwest`) |
//! | `src/json/` | integration | the JSON-lines formatter (feature `json`) |
//! | `src/reporting/` | integration | Sentry: setup, per-request hub and report, scrubbing, transport (feature `sentry`) |
//! | `src/init/` | integration | the one-call setup from the environment, [`init!`] (feature `json`) |
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
//! | `reqwest` | no | [`outgoing::PropagateMiddleware`], for `reqwest-middleware` clients |
//! | `full` | no | all of the above |
//!
//! The tower layer ([`ObservabilityLayer`]), the request-ID and trace-context core
//! ([`request_id`], [`trace_context`]) and the outgoing side for `http` headers and tower
//! clients ([`outgoing`]) are always there.
//!
//! # Coming from tower-http
//!
//! One layer replaces the usual stack of tower-http's request-ID and trace layers, its panic
//! catcher, and sentry-tower's two layers:
//!
//! | tower-http (and friends) | here |
//! |---|---|
//! | `SetRequestIdLayer::x_request_id(MakeRequestUuid)` | [`ObservabilityLayer::new()`] (UUID v7; `.uuid_v4()` for v4) |
//! | `PropagateRequestIdLayer::x_request_id()` | the same layer: the ID is set on every response, panics and errors included |
//! | `SetRequestIdLayer::new(header, make)` | `.header(header)` and `.make_request_id(make)` |
//! | its `MakeRequestId` (`&mut self, &Request<B>) -> Option<RequestId>` | [`MakeRequestId`](request_id::MakeRequestId) (`&self, &RequestHeaders) -> RequestId`): always an ID |
//! | `TraceLayer::new_for_http()` with a `make_span_with` that records the ID | the `request` span, with `request_id`, `trace_id`, `span_id`, `trace_flags`, the method and the route |
//! | reqwest-tracing with a global OpenTelemetry propagator | [`outgoing::PropagateMiddleware`]: the request ID and the trace, no propagator to install |
//! | `TraceLayer`'s `on_response` / `on_failure` / `on_eos` | one [access record](access_log) per request when its body ends, INFO below 500, ERROR from 500; [`.access_level(hook)`](access_level) to choose (WARN for 4xx, no record for `/health`), `.log_path(false)` to leave the path out |
//! | `CatchPanicLayer` | built in: a 500 with `{"error":…,"request_id":…}` |
//! | `tracing_subscriber::fmt().json()` | [`init!()`](init!) or [`json::JsonLayer`] |
//! | sentry-tower's `NewSentryLayer` and `SentryHttpLayer` | built in with the `sentry` feature: add neither |
//! | only the ID, no tracing | [`layer::SetRequestIdLayer`] |
//!
//! One difference to know: tower-http passes any incoming `x-request-id` on as it came; here an
//! incoming ID that is not a safe token (1 to 128 bytes of `[A-Za-z0-9._:+/=~@-]`, sent once) is
//! replaced by a fresh one, and `.trust_incoming(false)` replaces every incoming ID, for
//! services that face the public internet.
//!
//! # Examples
//!
//! - `cargo run --example axum`: a small API with every route of the contract (`/health`,
//!   `/ready`, `/docs`, `/error`, `/panic`, `/fanout`).
//! - `cargo run --example actix --features actix`: the same service on actix-web.
//! - `cargo run --example trace_conformance`: the service side of the W3C Trace Context test
//!   harness.
//!
//! Both service examples also have `/fanout`, which calls `DOWNSTREAM_URL` (default: their own
//! `/health`) with the request's ID and trace.

#![warn(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The framework-free core.
mod lifecycle;
pub mod redact;
pub mod release;
pub mod request_id;
pub mod trace_context;

pub use lifecycle::{access_level, access_log};

// The tower layer and the axum extractor.
pub mod layer;

pub use layer::{Observability, ObservabilityLayer};
pub use request_id::{MissingRequestId, RequestId};
pub use trace_context::TraceContext;

// Outgoing calls: the request's ID and trace on `http` headers, tower clients and reqwest.
pub mod outgoing;

// JSON logging and the one-call setup.
#[cfg(feature = "json")]
mod init;
#[cfg(feature = "json")]
pub mod json;

#[cfg(feature = "json")]
pub use init::{Guard, Init, InitError, LogFormat};
#[cfg(feature = "json")]
pub use json::LogProfile;

/// Installs JSON logging on stdout (and Sentry, with the `sentry` feature and `SENTRY_DSN`
/// set), configured from the environment (see [`Init`]), with the release resolved through the
/// whole chain of [`release`](mod@release), down to the `GIT_SHA` your crate was compiled with
/// and its `name@version`. Expands to `Init::new().build_info(release!()).install()`; returns
/// `Result<Guard, InitError>`.
///
/// Keep the [`Guard`] until the end of `main`: dropping it writes the queued lines (waiting 5 s
/// at most, see [`Guard`]) and stops the writer thread. **Never write `let _ = init!()?;`**:
/// `_` drops the guard at once and every later line is lost.
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
/// directive, `LOG_FORMAT` is neither `json` nor `pretty`, `LOG_PROFILE` names no
/// [`LogProfile`](crate::json::LogProfile), or a Sentry variable is malformed.
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
