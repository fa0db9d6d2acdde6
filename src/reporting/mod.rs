//! Sentry setup and per-request reporting, composed from sentry-tower and sentry-tracing.
//!
//! # Example
//!
//! [`init!`](crate::init!) does all of it: with `SENTRY_DSN` set it binds the client, adds the
//! tracing layer below next to the JSON layer, and keeps the flushing guard in its own.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use http_observability::ObservabilityLayer;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let _guard = http_observability::init!()?; // Sentry is off without SENTRY_DSN
//! let app: Router = Router::new()
//!     .route("/hello", get(|| async { "hello" }))
//!     .layer(ObservabilityLayer::new()); // reports to Sentry when a client is bound
//! # let _ = app;
//! # Ok(())
//! # }
//! ```
//!
//! By hand, with a subscriber of your own:
//!
//! ```no_run
//! use http_observability::release::{self, Release};
//! use tracing_subscriber::prelude::*;
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let release = release::set_current(Release::resolve(http_observability::release!()));
//! tracing_subscriber::registry()
//!     .with(http_observability::json::JsonLayer::new(std::io::stdout).release(release.as_str()))
//!     .with(http_observability::reporting::tracing_layer())
//!     .init();
//! release.log_skipped();
//! let _sentry = http_observability::reporting::init_from_env(release)?; // keep it alive
//! # Ok(())
//! # }
//! ```
//!
//! # What is reported
//!
//! - An ERROR `tracing` event: a Sentry event (see [`SentryTracingLayer`]); WARN and INFO
//!   events become breadcrumbs.
//! - A handler panic: one event of type `panic`, with its message and backtrace; the client
//!   gets the 500 with the request ID.
//! - A 5xx response (or a service error) that sent no event yet: one event,
//!   `request answered 503 Service Unavailable`.
//!
//! One failing request gives one Sentry event: once a request has sent one, its later ERROR
//! events are kept as breadcrumbs, and no 5xx event is added. The access-log line of a 5xx is
//! never an event.
//!
//! Every event of a request carries the tag `request_id` (the value of the response header),
//! the release, the environment, the transaction `METHOD /route/{template}` (not the raw
//! path) and the request: method, URL without query values, headers without the sensitive
//! ones.
//!
//! # Setup from the environment
//!
//! See [`SentryConfig::from_env`]: `SENTRY_DSN` (unset or empty: off, and one INFO line says
//! so), `SENTRY_ENVIRONMENT` or `APP_ENV`, `SENTRY_TRACES_SAMPLE_RATE`. The release is the
//! one of [`release`](mod@crate::release). `send_default_pii` is off.
//!
//! # Scrubbing
//!
//! Every event passes through a `before_send` that removes credentials and identity:
//! `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, `X-Api-Key` and similar
//! headers, every query value, credentials in URLs, and the values of fields whose name is on
//! the deny-list (`password`, `token`, `secret`, `api_key`, `session`, …).
//!
//! # When Sentry is down
//!
//! Unreachable, refusing, answering 429 or 500, or never answering: requests are not slowed
//! (events are queued, 30 at most, and sent by a background thread with a 5 s timeout per
//! request), the queue drops what does not fit, and the guard's shutdown waits no longer than
//! the flush timeout. Losses are counted ([`SentryGuard::stats`]): the first one is logged at
//! WARN when it happens, the totals when the guard is dropped.
//!
//! # Layer order
//!
//! Nothing to order: [`ObservabilityLayer`](crate::ObservabilityLayer) binds the request's hub
//! (sentry-tower's hub per request) and adds the request context inside itself, and with
//! performance tracing on (`SENTRY_TRACES_SAMPLE_RATE` above 0) wraps sentry-tower's
//! `SentryHttpLayer` around your service to start the request's transaction. Do not add
//! sentry-tower's layers as well.
//!
//! # Cost
//!
//! A request that sends nothing pays for its hub and one event processor holding clones of
//! its ID, route, method, URI and header map (refcounted, except the map's own tables); the
//! tag, the transaction name and the request context are built only for an event that is
//! sent.

/// The `tracing` target of the crate's own lines about Sentry (on, off, events lost). They
/// never feed Sentry.
pub const TARGET: &str = "http_observability::sentry";

pub(crate) mod config;
mod panic;
pub(crate) mod request;
mod scrub;
mod tracing_layer;
mod transport;

pub use config::{
    DEFAULT_FLUSH_TIMEOUT, SentryConfig, SentryConfigError, SentryGuard, init_from_env,
};
pub use tracing_layer::{SentryTracingLayer, tracing_layer};
pub use transport::{DeliveryStats, REQUEST_TIMEOUT};
