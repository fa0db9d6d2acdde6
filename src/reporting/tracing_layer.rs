//! The `tracing` layer that feeds Sentry: ERROR events become events, WARN and INFO breadcrumbs.
//!
//! Composed from sentry-tracing's `ErrorLayer` and `BreadcrumbLayer`.

use sentry::Hub;
use sentry_tracing::{BreadcrumbLayer, ErrorLayer};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::request;
use crate::access_log;

/// The layer [`tracing_layer`] returns.
///
/// For each `tracing` event, while a Sentry client is bound:
///
/// - ERROR: a Sentry event, with the event's fields in the `Rust Tracing Fields` context and
///   an error recorded as `&dyn Error` (`error = &err as &dyn std::error::Error`) as the
///   exception, its `source()` chain included; fields named `tags.x` become tags. Inside a
///   request that already sent an event (a panic, an earlier ERROR), a breadcrumb instead: one
///   failing request gives one Sentry event.
/// - WARN and INFO: breadcrumbs, sent with the next event of the same request (or, outside
///   requests, of the thread).
/// - The access-log event ([`access_log::TARGET`]): nothing. A 5xx response is reported
///   once by the request layer, not by its access-log line. The crate's own lines about
///   Sentry ([`TARGET`](super::TARGET)): nothing either.
/// - DEBUG and TRACE: nothing.
///
/// It never disables anything for the other layers: its choices are made per event.
pub struct SentryTracingLayer {
    errors: ErrorLayer,
    breadcrumbs: BreadcrumbLayer,
}

impl std::fmt::Debug for SentryTracingLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentryTracingLayer").finish_non_exhaustive()
    }
}

/// The `tracing` layer that sends ERROR events to Sentry and keeps WARN and INFO as
/// breadcrumbs; see [`SentryTracingLayer`]. Add it to the subscriber next to the JSON layer,
/// as the [module example](crate::reporting#example) does.
pub fn tracing_layer() -> SentryTracingLayer {
    SentryTracingLayer {
        errors: ErrorLayer::new(),
        breadcrumbs: BreadcrumbLayer::new(),
    }
}

impl<S> Layer<S> for SentryTracingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        let level = *metadata.level();
        if level > Level::INFO || is_own(metadata.target()) {
            return;
        }
        if !Hub::with_active(|_| true) {
            return;
        }
        if level == Level::ERROR && !request::already_reported() {
            self.errors.on_event(event, ctx);
        } else {
            self.breadcrumbs.on_event(event, ctx);
        }
    }
}

/// Events that must not feed Sentry: our access log, and our reports about Sentry itself.
fn is_own(target: &str) -> bool {
    target == access_log::TARGET || target == super::TARGET
}
