//! What the actix-web adapter hands to Sentry, with the `sentry` feature: the request context
//! (sentry-tower's `SentryHttpLayer` gives it on the tower side) and the error behind a 5xx.
//! The hub, the `request_id` tag, the transaction and the one-event rule come from the shared
//! lifecycle ([`InFlight`](crate::in_flight::InFlight)). Without the feature, no-ops.

use actix_web::Error;
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;

use crate::in_flight::RequestReport;

/// Adds the request (method, URL, headers) to the events of `report`'s request.
#[cfg(feature = "sentry")]
pub(super) fn describe(report: &RequestReport, request: &ServiceRequest) {
    if !report.is_on() {
        return;
    }
    let url = {
        let info = request.connection_info();
        format!("{}://{}{}", info.scheme(), info.host(), request.uri())
    };
    let headers = request.headers().iter().map(|(name, value)| {
        let text = value.to_str().unwrap_or_default();
        (name.as_str(), text, value.is_sensitive())
    });
    report.describe(request.method().as_str(), &url, headers);
}

/// Reports `error`, when the response is a 5xx, as the request's one event (unless it sent one
/// already). It runs inside the request's hub.
#[cfg(feature = "sentry")]
pub(super) fn server_error(status: StatusCode, error: Option<&Error>) {
    if let Some(error) = error.filter(|_| status.is_server_error()) {
        crate::sentry::request::capture_error(error);
    }
}

#[cfg(not(feature = "sentry"))]
pub(super) fn describe(_report: &RequestReport, _request: &ServiceRequest) {}

#[cfg(not(feature = "sentry"))]
pub(super) fn server_error(_status: StatusCode, _error: Option<&Error>) {}
