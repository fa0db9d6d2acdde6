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
//! {"timestamp":"2026-12-01T20:11:40.639530Z","level":"INFO","target":"http_observability::access","message":"request completed","request_id":"01a2333c-02cf-711e-87fa-9e4be8882eb4","http.request.method":"POST","url.path":"/docs","http.route":"/docs","http.response.status_code":201,"http.response.body.size":8,"latency_ms":15.657,"trace_id":"244bff2b8d8e09ecbe50b029e4e40805","span_id":"f0b4a01de93aebef","trace_flags":"00","service":"axum","release":"http-observability@0.1.0"}
//! ```
//!
//! # When it is written
//!
//! When the response is over: when its body has been handed to the server to its last byte,
//! when the body fails, or when it is dropped before its end (the server drops it when the
//! client goes away). A request that gets no response has its record when its service fails,
//! or when it is dropped (the client went away before the response). Exactly one record per
//! request, whatever happens, on both frameworks; none when the level hook says so (see
//! [`access_level`](crate::access_level)).
//!
//! # Fields
//!
//! | field | example | meaning |
//! |---|---|---|
//! | `request_id` | `"0192f1c4-…"` | the correlation ID, as in the response header |
//! | `http.request.method` | `"POST"` | the method |
//! | `url.path` | `"/docs"` | the path, never the query string; left out with `log_path(false)` on the layer or the middleware |
//! | `http.route` | `"/docs/{id}"` | the matched route template, when the router knows it |
//! | `http.response.status_code` | `201` | the status sent (absent if none was) |
//! | `http.response.body.size` | `8` | the body's bytes handed to the server (absent without a response, or for an actix-web error passed through, whose body actix-web makes later) |
//! | `latency_ms` | `0.42` | from the request's arrival to the end of its response (or its failure, or its cancellation), a number |
//! | `head_latency_ms` | `0.36` | from the request's arrival to its response head, when the body streamed (had to wait for its data); absent when the body was ready with the head, or without a response |
//! | `end_reason` | `"client_gone"` | absent when the response ended normally; else how it ended, below |
//! | `trace_id`, `span_id`, `trace_flags` | `"4bf92f35…"`, `"00f067aa…"`, `"01"` | the request's trace context, from its span (as on every line of the request) |
//!
//! # Level and message
//!
//! | how the request ended | level | message | `end_reason` |
//! |---|---|---|---|
//! | a response below 500, sent to its end | INFO (the level hook's) | `request completed` | |
//! | a response from 500 on, sent to its end | ERROR (the level hook's) | `request completed` | |
//! | the client went away while the body was sent | the level hook's for its status | `client went away before the response ended` | `client_gone` |
//! | the response body failed | ERROR | `response body failed` | `body_error` |
//! | the service failed without a response | ERROR | `request failed` | `service_error` |
//! | dropped before a response (the client went away) | INFO | `request cancelled before a response` | `cancelled` |
//!
//! A client that hangs up mid-body is not a fault of the service (long-lived streams always
//! end so), so its record keeps the level of its status, INFO for a 2xx by default, and says
//! `client_gone`. A response that sends no body (to `HEAD`, or a 1xx, 204 or 304) is complete
//! when the server drops it.
//!
//! Headers (Authorization, Cookie, ...) and query strings are never logged. The event's target
//! is [`TARGET`], so a filter such as `http_observability::access=off` turns it off.

use std::time::{Duration, Instant};

use http::StatusCode;
use tracing::Level;

use super::access_level::AccessLevel;
use crate::request_id::RequestId;

/// The `tracing` target of the access-log event.
pub const TARGET: &str = "http_observability::access";

/// How the inner service ended, as far as the access log and error reporting are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A response with this status was produced.
    Response(u16),
    /// The inner service failed without producing a response.
    Failed,
}

/// How a response whose head was produced ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// Its body ended.
    Complete,
    /// Its body failed.
    BodyError,
    /// Its body was dropped before its end (by the server: the client went away).
    Dropped,
    /// It left the lifecycle's sight before its body was made (an actix-web error, which
    /// actix-web makes into its response later): its size is unknown.
    HandedOver,
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
    log_path: bool,
}

impl<R: RequestLine> AccessLog<R> {
    /// Starts timing a request; `log_path` says whether its record shows `url.path`.
    pub(crate) fn start(request_id: RequestId, request: R, start: Instant, log_path: bool) -> Self {
        Self {
            request_id,
            request,
            start,
            log_path,
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

    /// Emits the record of a request that ended without a response: its service failed
    /// (`failed`) or it was dropped. Call it inside the request's span.
    pub(crate) fn finish_without_response(self, failed: bool) {
        let record = self.record();
        if failed {
            Record {
                message: "request failed",
                end_reason: Some("service_error"),
                ..record
            }
            .emit(Level::ERROR);
        } else {
            Record {
                message: "request cancelled before a response",
                end_reason: Some("cancelled"),
                ..record
            }
            .emit(Level::INFO);
        }
    }

    /// The response head with `status` is produced: the record now waits for the body's end,
    /// at the level `levels` chooses.
    pub(crate) fn responded(self, status: u16, levels: &impl AccessLevel) -> Responding<R> {
        let level = match StatusCode::from_u16(status) {
            Ok(code) => levels.level(code, self.request.route()),
            Err(_) => Some(Level::ERROR),
        };
        Responding {
            head: self.start.elapsed(),
            log: self,
            status,
            level,
            size: 0,
            streamed: false,
        }
    }

    fn record(&self) -> Record<'_> {
        Record {
            message: "request completed",
            request_id: self.request_id.as_str(),
            method: self.request.method(),
            path: self.log_path.then(|| self.request.path()),
            route: self.request.route(),
            status: None,
            latency: self.start.elapsed(),
            head: None,
            size: None,
            end_reason: None,
        }
    }
}

/// The access record of a request whose response head was produced, waiting for its body to
/// end; it counts the body's bytes.
#[derive(Debug)]
pub(crate) struct Responding<R> {
    log: AccessLog<R>,
    status: u16,
    head: Duration,
    level: Option<Level>,
    size: u64,
    /// Whether the body had to wait for its data: then the time to the head is worth telling.
    streamed: bool,
}

impl<R: RequestLine> Responding<R> {
    /// `bytes` more of the body were handed to the server.
    pub(crate) fn sent(&mut self, bytes: usize) {
        self.size += bytes as u64;
    }

    /// The body had to wait for its data.
    pub(crate) fn waited(&mut self) {
        self.streamed = true;
    }

    /// Emits the record: the body ended so. Call it inside the request's span.
    pub(crate) fn finish(self, end: End) {
        let (level, message, end_reason) = match end {
            End::BodyError => (
                Some(Level::ERROR),
                "response body failed",
                Some("body_error"),
            ),
            End::Dropped if !self.expects_body() => (self.level, "request completed", None),
            End::Dropped => (
                self.level,
                "client went away before the response ended",
                Some("client_gone"),
            ),
            End::Complete | End::HandedOver => (self.level, "request completed", None),
        };
        let Some(level) = level else {
            return;
        };
        Record {
            message,
            status: Some(self.status),
            // Only a streamed body ends noticeably after its head (and the field costs).
            head: self.streamed.then_some(self.head),
            size: (end != End::HandedOver).then_some(self.size),
            end_reason,
            ..self.log.record()
        }
        .emit(level);
    }

    /// Whether the server sends a body for this response at all: not for `HEAD`, nor for a
    /// 1xx, 204 or 304, whose bodies servers drop unpolled.
    fn expects_body(&self) -> bool {
        self.log.request.method() != "HEAD" && !matches!(self.status, 100..=199 | 204 | 304)
    }
}

/// One access record, with the fields of the module docs.
struct Record<'a> {
    message: &'static str,
    request_id: &'a str,
    method: &'a str,
    path: Option<&'a str>,
    route: Option<&'a str>,
    status: Option<u16>,
    latency: Duration,
    head: Option<Duration>,
    size: Option<u64>,
    end_reason: Option<&'static str>,
}

impl Record<'_> {
    /// Emits the record as one event at `level`.
    fn emit(self, level: Level) {
        let Self {
            message,
            request_id,
            method,
            path,
            route,
            status,
            latency,
            head,
            size,
            end_reason,
        } = self;
        let latency_ms = millis(latency);
        let head_latency_ms = head.map(millis);
        // One call site per level: `tracing` fixes an event's level where it is written.
        macro_rules! event {
            ($level:expr) => {
                tracing::event!(
                    target: TARGET,
                    $level,
                    message,
                    request_id,
                    http.request.method = method,
                    url.path = path,
                    http.route = route,
                    http.response.status_code = status,
                    http.response.body.size = size,
                    latency_ms,
                    head_latency_ms,
                    end_reason,
                )
            };
        }
        match level {
            Level::ERROR => event!(Level::ERROR),
            Level::WARN => event!(Level::WARN),
            Level::INFO => event!(Level::INFO),
            Level::DEBUG => event!(Level::DEBUG),
            _ => event!(Level::TRACE),
        }
    }
}

/// Whole microseconds as milliseconds, so the number prints short (0.21, not
/// 0.21069400000000002).
fn millis(duration: Duration) -> f64 {
    duration.as_micros() as f64 / 1000.0
}
