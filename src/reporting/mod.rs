//! Sentry: one event per failing request, tagged with its request ID and the release.
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
//! - A 5xx response (or, behind the tower layer, an error of the inner service) that sent no
//!   event yet: one event. Behind the tower layer it says the status (`request answered 503
//!   Service Unavailable`), or `request failed without a response` for a service error.
//!   Behind the actix-web middleware it is the `actix_web::Error` behind the 5xx when there is
//!   one, else the status.
//!
//! One failing request gives one Sentry event: once a request has sent one, its later ERROR
//! events are kept as breadcrumbs, and no 5xx event is added. The access-log line of a 5xx is
//! never an event.
//!
//! Until its response is ready, every event of a request carries the tag `request_id` (the
//! value of the response header), the release, the environment, the transaction
//! `METHOD /route/{template}` when the route is known (never the raw path), and the request:
//! method, URL without query values, headers without the sensitive ones. An event logged while
//! the response body streams, after that, is reported apart from its request: with the release
//! and the environment, but without the tag, the transaction or the request, and not counted
//! as the request's one event.
//!
//! # Setup from the environment
//!
//! [`SentryConfig::from_env`] reads `SENTRY_DSN` (unset or empty: Sentry is off),
//! `SENTRY_ENVIRONMENT` or else `APP_ENV`, and `SENTRY_TRACES_SAMPLE_RATE`. [`init_from_env`]
//! and [`init!`](crate::init!) then log one INFO line saying whether Sentry reporting is on or
//! off. The release is the one of [`release`](mod@crate::release). `send_default_pii` is off.
//!
//! # Scrubbing
//!
//! Before an event leaves the process, credentials and identity are removed from it:
//!
//! - the request headers `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`,
//!   `X-Api-Key`, `X-Auth-Token`, `X-CSRF-Token`, `X-XSRF-Token`, `X-Forwarded-For`,
//!   `X-Real-IP` and `Forwarded`, any header whose name is on the deny-list, and any header
//!   whose value is marked sensitive; the request's cookies and body;
//! - every query value: the URL is sent without its query, and `query_string` keeps the keys
//!   only (`token=[Filtered]&page=[Filtered]`);
//! - credentials in URLs: in the request URL the user and password become `[Filtered]`; in
//!   messages, exception values, tags, header values and string fields, a URL's password
//!   becomes `***`, as in the logs;
//! - the values of tags, extra data, context fields and breadcrumb data whose key is on the
//!   deny-list, which become `[Filtered]`.
//!
//! The deny-list is the one the JSON formatter uses ([`redact`](crate::redact)): by default
//! `password`, `passwd`, `secret`, `token`, `api_key`, `apikey`, `authorization`, `cookie`,
//! `set_cookie`, `dsn`, `database_url`, `private_key` and `credential`, matched as suffixes
//! (`access_token`, `x-session-token` and `db_password` are scrubbed). A name such as
//! `session` or `session_id` is not on it: add it with [`SentryConfig::redactor`], or with
//! `Init::redactor` for the logs and Sentry together.
//!
//! # When Sentry is down
//!
//! Unreachable, refusing, answering 429 or 500, or never answering: requests are not slowed
//! (events are queued, 30 at most, and sent by a background thread, each request to Sentry
//! bounded by [`REQUEST_TIMEOUT`]), what does not fit in the queue is dropped, the server's
//! rate limits are honoured, and the guard's shutdown waits no longer than the flush timeout.
//! Losses are counted ([`SentryGuard::stats`]): the first refused or failed delivery is logged
//! at WARN when it happens, and when the guard is dropped the totals are logged at WARN if
//! anything was lost (events dropped by the full queue or a rate limit show only there).
//!
//! # Layer order
//!
//! Nothing to order: [`ObservabilityLayer`](crate::ObservabilityLayer) and the actix-web
//! middleware give each request its own hub and add the request context themselves. Do not
//! add sentry-tower's layers or `sentry_actix::Sentry` as well: they would make a second hub
//! per request and report the same failures again.
//!
//! Every event of a request carries the request's trace (`contexts.trace`: its trace id, its
//! span id, the caller's span when the trace was continued), so that no two requests share a
//! trace and a frontend's `sentry-trace` continues into our events. With performance tracing
//! on (`SENTRY_TRACES_SAMPLE_RATE` above 0), both adapters also start a transaction per
//! request, in that trace and with its sampling decision (the caller's, else the sample rate):
//! it is named `METHOD /route` (axum's `MatchedPath` with the `axum` feature, actix-web's
//! `match_pattern`), else `METHOD /raw/path`, as sentry-tower names it.

// What a request costs: one that sends nothing pays for its hub and one event processor holding
// clones of its ID, route, method, URI and header map (refcounted, except the map's own tables);
// the tag, the transaction name and the request context are built only for an event that is
// sent.

/// The `tracing` target of the crate's own lines about Sentry (on, off, events lost). They
/// never feed Sentry.
pub const TARGET: &str = "http_observability::sentry";

pub(crate) mod config;
pub(crate) mod outgoing;
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
