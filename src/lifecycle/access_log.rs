//! The one access-log event per request: its fields, its level and its message.
//!
//! The tower layer and the actix-web middleware emit the same event, inside the request's
//! span, so it looks the same whatever the framework.
//!
//! # Example
//!
//! A `POST /docs` answered 201, as the JSON formatter writes it:
//!
//! ```text
//! {"timestamp":"2026-11-26T17:08:15.235921Z","level":"INFO","target":"http_observability::access","message":"request completed","request_id":"01a218d4-4903-7319-8847-7f6defb1ebff","http.request.method":"POST","url.path":"/docs","http.route":"/docs","http.response.status_code":201,"latency_ms":0.359,"service":"axum","release":"http-observability@0.1.0"}
//! ```
//!
//! # Fields
//!
//! | field | example | meaning |
//! |---|---|---|
//! | `request_id` | `"0192f1c4-…"` | the correlation ID, as in the response header |
//! | `http.request.method` | `"POST"` | the method |
//! | `url.path` | `"/docs"` | the path, never the query string |
//! | `http.route` | `"/docs/{id}"` | the matched route template, when the router knows it |
//! | `http.response.status_code` | `201` | the status sent (absent if none was) |
//! | `latency_ms` | `0.42` | from the request's arrival to its response (or failure, or cancellation), a number |
//!
//! # Level and message
//!
//! | how the request ended | level | message |
//! |---|---|---|
//! | a response below 500 | INFO | `request completed` |
//! | a response from 500 on | ERROR | `request completed` |
//! | the service failed without a response | ERROR | `request failed` |
//! | dropped before a response (the client went away) | INFO | `request cancelled before a response` |
//!
//! Headers (Authorization, Cookie, ...) and query strings are never logged. The event's target
//! is [`TARGET`], so a filter such as `http_observability::access=off` turns it off.

use std::time::{Duration, Instant};

use crate::request_id::RequestId;

/// The `tracing` target of the access-log event.
pub const TARGET: &str = "http_observability::access";

/// How a request ended, as far as the access log is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A response with this status was produced.
    Response(u16),
    /// The inner service failed without producing a response.
    Failed,
    /// The request was dropped (the client went away) before a response was produced.
    Cancelled,
}

/// The parts of a request the access log reports, whatever the framework's types.
pub(crate) trait RequestLine {
    /// The method, such as `GET`.
    fn method(&self) -> &str;
    /// The path, without the query string.
    fn path(&self) -> &str;
    /// The matched route template, if the router knows it.
    fn route(&self) -> Option<&str>;
}

/// What the access log needs to remember between a request's arrival and its response.
#[derive(Debug)]
pub(crate) struct AccessLog<R> {
    request_id: RequestId,
    request: R,
    start: Instant,
}

impl<R: RequestLine> AccessLog<R> {
    /// Starts timing a request.
    pub(crate) fn start(request_id: RequestId, request: R, start: Instant) -> Self {
        Self {
            request_id,
            request,
            start,
        }
    }

    /// The ID of the request.
    pub(crate) fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// What the adapter kept of the request.
    pub(crate) fn request(&self) -> &R {
        &self.request
    }

    /// Emits the access-log event for this request. Call it inside the request's span.
    pub(crate) fn finish(self, outcome: Outcome) {
        emit(
            &self.request_id,
            self.request.method(),
            self.request.path(),
            self.request.route(),
            outcome,
            self.start.elapsed(),
        );
    }
}

/// Emits one access-log event with the fields of the module docs.
fn emit(
    request_id: &RequestId,
    method: &str,
    path: &str,
    route: Option<&str>,
    outcome: Outcome,
    latency: Duration,
) {
    // Whole microseconds, so the number prints short (0.21, not 0.21069400000000002).
    let latency_ms = latency.as_micros() as f64 / 1000.0;
    let request_id = request_id.as_str();
    macro_rules! event {
        ($level:expr, $status:expr, $message:literal) => {
            tracing::event!(
                target: TARGET,
                $level,
                request_id,
                http.request.method = method,
                url.path = path,
                http.route = route,
                http.response.status_code = $status,
                latency_ms,
                $message
            )
        };
    }
    match outcome {
        Outcome::Response(status) if status >= 500 => {
            event!(tracing::Level::ERROR, status, "request completed")
        }
        Outcome::Response(status) => event!(tracing::Level::INFO, status, "request completed"),
        Outcome::Failed => event!(tracing::Level::ERROR, None::<u16>, "request failed"),
        Outcome::Cancelled => {
            event!(
                tracing::Level::INFO,
                None::<u16>,
                "request cancelled before a response"
            )
        }
    }
}
