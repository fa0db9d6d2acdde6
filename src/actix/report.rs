//! What the actix-web adapter hands to Sentry: the request's parts and the error behind a 5xx.
//!
//! With the `sentry` feature, the request's parts go to the reporting's `RequestReport`, which
//! describes the request's events from them (the tower adapter hands it its own parts, in
//! src/layer/report.rs), and the error behind a 5xx is reported as the request's one event.
//! The hub, the `request_id` tag, the transaction name and the one-event rule are
//! `RequestReport`'s, which the shared lifecycle
//! ([`InFlight`](crate::lifecycle::in_flight::InFlight)) runs through its `Report` seam.
//! Without the feature, no-ops.

use actix_web::Error;
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;

#[cfg(not(feature = "sentry"))]
pub(crate) use crate::lifecycle::report::NoReport as Report;
#[cfg(feature = "sentry")]
pub(crate) use crate::reporting::request::RequestReport as Report;

/// Hands the request's parts to `report`, for its events (and its transaction, when
/// performance tracing is on). Only with a client bound are the parts cloned:
/// the method, URI and headers (refcounted values), the `route` the middleware already matched
/// (matching it again would run actix-web's router a second time), and the scheme and host as
/// actix-web's connection info tells them.
#[cfg(feature = "sentry")]
pub(super) fn describe(report: &Report, request: &ServiceRequest, route: Option<&str>) {
    let parts = || {
        let origin = {
            let info = request.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        };
        ActixParts {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            origin,
            route: route.map(str::to_owned),
        }
    };
    report.describe(parts);
}

/// The parts of an actix-web (`http` 0.2) request an event shows.
#[cfg(feature = "sentry")]
struct ActixParts {
    method: actix_web::http::Method,
    uri: actix_web::http::Uri,
    headers: actix_web::http::header::HeaderMap,
    /// `scheme://host`.
    origin: String,
    route: Option<String>,
}

#[cfg(feature = "sentry")]
impl crate::reporting::request::RequestParts for ActixParts {
    fn method(&self) -> &str {
        self.method.as_str()
    }

    fn route(&self) -> Option<&str> {
        self.route.as_deref()
    }

    fn url(&self) -> Option<String> {
        Some(format!("{}{}", self.origin, self.uri))
    }

    fn headers(&self) -> impl Iterator<Item = (&str, &str, bool)> {
        self.headers.iter().map(|(name, value)| {
            let text = value.to_str().unwrap_or_default();
            (name.as_str(), text, value.is_sensitive())
        })
    }
}

/// Reports `error`, when the response is a 5xx, as the request's one event (unless it sent one
/// already). It runs inside the request's hub.
#[cfg(feature = "sentry")]
pub(super) fn server_error(status: StatusCode, error: Option<&Error>) {
    if let Some(error) = error.filter(|_| status.is_server_error()) {
        crate::reporting::request::capture_error(error);
    }
}

#[cfg(not(feature = "sentry"))]
pub(super) fn describe(_report: &Report, _request: &ServiceRequest, _route: Option<&str>) {}

#[cfg(not(feature = "sentry"))]
pub(super) fn server_error(_status: StatusCode, _error: Option<&Error>) {}
