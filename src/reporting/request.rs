//! Sentry per request, whatever the framework: its own hub, its context, one event if it fails.
//!
//! [`RequestReport`] fills the lifecycle's [`Report`] seam: a Sentry hub of its own per
//! request, the request context, the `request_id` tag, and one event per failing request. Each
//! adapter hands it its request's parts.
//!
//! Composed from sentry-tower: the hub comes from its `NewFromTopProvider` (what
//! `NewSentryLayer::new_from_top` uses) and is bound around every poll of the request, as
//! `NewSentryLayer` does, but around our whole response future, so that the panic we catch, our
//! logs and our 5xx report land in it too. With performance tracing on (a traces sample rate
//! above 0), sentry-tower's `SentryHttpLayer` is wrapped around the inner service and starts the
//! request's transaction.
//!
//! Everything an event says about its request is added lazily: one event processor per
//! request keeps cheap clones of the request's parts ([`RequestParts`]: the ID, the route, the
//! method, URI and headers, refcounted) and only when an event is processed turns them into the
//! `request_id` tag, the transaction `METHOD /route` and the request context (method, URL
//! without credentials, headers without the sensitive ones, as `SentryHttpLayer` builds it). A
//! request that succeeds pays for its hub and that processor, nothing else. Nothing of this
//! runs, and nothing is allocated, when no Sentry client is bound.
//!
//! Both adapters hand their request's parts to [`RequestReport::describe`]; the tower side
//! also starts the transaction (src/layer/report.rs, through sentry-tower), the actix side has
//! [`RequestReport::start_transaction`] start it and reports the error behind a 5xx with
//! [`capture_error`].

use std::cell::Cell;
use std::panic::RefUnwindSafe;
use std::sync::{Arc, Mutex};

use http::StatusCode;
use sentry::protocol::{self, Event, Level};
use sentry::utils::{is_sensitive_header, scrub_pii_from_url};
use sentry::{Hub, TracesSamplingStrategy};
use sentry_tower::{HubProvider, NewFromTopProvider};

use super::transaction::Transaction;
use crate::access_log::{self, Outcome};
use crate::lifecycle::report::Report;
use crate::request_id::RequestId;

thread_local! {
    /// Whether this thread is polling a request inside our layer right now.
    static IN_REQUEST: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is running a request's code inside our layer.
pub(crate) fn in_request() -> bool {
    IN_REQUEST.with(Cell::get)
}

/// Whether the request running on this thread has already sent a Sentry event.
pub(crate) fn already_reported() -> bool {
    in_request() && Hub::current().last_event_id().is_some()
}

/// Reports `error`, the cause of a 5xx, as the request's one event, unless the request running
/// on this thread already sent one (its panic, an ERROR log). Outside a request, or without a
/// client, does nothing. Used by the actix adapter.
#[cfg_attr(not(feature = "actix"), allow(dead_code))]
pub(crate) fn capture_error(error: &dyn std::error::Error) {
    if in_request() && !already_reported() {
        Hub::current().capture_error(error);
    }
}

/// A request's parts as a Sentry event shows them, kept as the framework's own cheap clones
/// until an event is processed.
pub(crate) trait RequestParts: Send + Sync + RefUnwindSafe + 'static {
    /// The method, such as `GET`.
    fn method(&self) -> &str;
    /// The matched route template, if the router knows it.
    fn route(&self) -> Option<&str>;
    /// The full URL (scheme, host, path and query), if it can be told.
    fn url(&self) -> Option<String>;
    /// The headers: (name, value as text or empty, value marked sensitive).
    fn headers(&self) -> impl Iterator<Item = (&str, &str, bool)>;
}

/// The request context of an event, as sentry-tower's `SentryHttpLayer` builds it: the
/// method, the URL without credentials, and the headers whose value is not marked sensitive
/// and, unless `with_pii`, whose name is not on sentry's list. The client's scrub then removes
/// query values and the rest.
fn request_context(parts: &impl RequestParts, with_pii: bool) -> protocol::Request {
    protocol::Request {
        method: Some(parts.method().to_owned()),
        url: parts
            .url()
            .and_then(|url| url.parse().ok())
            .map(scrub_pii_from_url),
        headers: parts
            .headers()
            .filter(|&(name, _, sensitive)| !sensitive && (with_pii || !is_sensitive_header(name)))
            .map(|(name, value, _)| (name.to_owned(), value.to_owned()))
            .collect(),
        ..Default::default()
    }
}

/// The Sentry side of one request, when a client is bound: its hub and its ID.
#[derive(Debug, Default)]
pub(crate) struct RequestReport {
    on: Option<On>,
}

#[derive(Debug)]
struct On {
    hub: Arc<Hub>,
    id: RequestId,
    /// The request's transaction, when the adapter had it started here.
    transaction: Mutex<Option<Transaction>>,
}

impl Report for RequestReport {
    /// Makes the request's hub, when a client is bound. Its events are described once the
    /// adapter hands the request's parts to [`describe`](Self::describe).
    fn start(id: &RequestId) -> Self {
        if !Hub::with_active(|_| true) {
            return Self { on: None };
        }
        let hub: Arc<Hub> = NewFromTopProvider.hub(&());
        let id = id.clone();
        Self {
            on: Some(On {
                hub,
                id,
                transaction: Mutex::new(None),
            }),
        }
    }

    /// Runs `f` with the request's hub as the current one.
    fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.on {
            None => f(),
            Some(on) => Hub::run(Arc::clone(&on.hub), || {
                let outer = IN_REQUEST.with(|flag| flag.replace(true));
                let _restore = Restore(outer);
                f()
            }),
        }
    }

    /// Reports a 5xx response (or a failure without a response) as one event, unless the
    /// request already sent one.
    fn finish(&self, outcome: Outcome) {
        let Some(On {
            hub, transaction, ..
        }) = &self.on
        else {
            return;
        };
        if let Some(transaction) = lock(transaction).take() {
            transaction.finish(hub, Some(outcome));
        }
        let status = match outcome {
            Outcome::Response(status) => Some(status),
            Outcome::Failed => None,
        };
        if status.is_some_and(|s| s < 500) || hub.last_event_id().is_some() {
            return;
        }
        let message = match status.and_then(|s| StatusCode::from_u16(s).ok()) {
            Some(status) => format!("request answered {status}"),
            None => "request failed without a response".to_owned(),
        };
        hub.capture_event(Event {
            level: Level::Error,
            logger: Some(access_log::TARGET.to_owned()),
            message: Some(message),
            ..Default::default()
        });
    }
}

impl RequestReport {
    /// Whether a client is bound: the request is being reported.
    pub(crate) fn is_on(&self) -> bool {
        self.on.is_some()
    }

    /// Adds the request to every event of this request, with one event processor that keeps
    /// `parts()` and, only for an event, sets the `request_id` tag, the transaction
    /// `METHOD /route` (when the route is known and nothing set one) and the request context.
    /// Without a client, `parts` is not called.
    pub(crate) fn describe<P: RequestParts>(&self, parts: impl FnOnce() -> P) {
        let Some(On { hub, id, .. }) = &self.on else {
            return;
        };
        let with_pii = hub
            .client()
            .is_some_and(|client| client.options().send_default_pii);
        let parts = parts();
        let id = id.clone();
        hub.configure_scope(|scope| {
            scope.add_event_processor(move |mut event| {
                event
                    .tags
                    .insert("request_id".to_owned(), id.as_str().to_owned());
                if event.transaction.is_none()
                    && let Some(route) = parts.route()
                {
                    event.transaction = Some(format!("{} {route}", parts.method()));
                }
                if event.request.is_none() {
                    event.request = Some(request_context(&parts, with_pii));
                }
                Some(event)
            });
        });
    }

    /// Whether performance tracing is on (a traces sample rate above 0), so that the adapter
    /// starts the request's transaction; if so, tags the scope with the request's ID, since
    /// transactions do not pass through event processors but take the scope's tags.
    pub(crate) fn prepare_transaction(&self) -> bool {
        let Some(On { hub, id, .. }) = &self.on else {
            return false;
        };
        let tracing = hub.client().is_some_and(|client| {
            !matches!(
                client.options().traces_sampling_strategy,
                TracesSamplingStrategy::Disabled
            )
        });
        if tracing {
            hub.configure_scope(|scope| scope.set_tag("request_id", id.as_str()));
        }
        tracing
    }
}

impl RequestReport {
    /// Starts the request's performance transaction `name` (see [`Transaction::start`]) when
    /// performance tracing is on, for an adapter that sentry-tower's `SentryHttpLayer` does
    /// not wrap; it is finished with the request. Without a client, `parts` is not called.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))] // used by the actix adapter
    pub(crate) fn start_transaction<'a, P: RequestParts>(
        &self,
        name: impl FnOnce() -> String,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        parts: impl FnOnce() -> P,
    ) {
        if !self.prepare_transaction() {
            return;
        }
        let Some(On {
            hub, transaction, ..
        }) = &self.on
        else {
            return;
        };
        let with_pii = hub
            .client()
            .is_some_and(|client| client.options().send_default_pii);
        let request = request_context(&parts(), with_pii);
        *lock(transaction) = Some(Transaction::start(hub, &name(), headers, request));
    }
}

impl Drop for RequestReport {
    /// A request dropped before its end still finishes its transaction, as aborted.
    fn drop(&mut self) {
        if let Some(On {
            hub, transaction, ..
        }) = &self.on
            && let Some(transaction) = lock(transaction).take()
        {
            transaction.finish(hub, None);
        }
    }
}

/// The transaction slot, even if a panic poisoned it.
fn lock(slot: &Mutex<Option<Transaction>>) -> std::sync::MutexGuard<'_, Option<Transaction>> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Puts back the outer value of [`IN_REQUEST`], even on unwind.
struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        IN_REQUEST.with(|flag| flag.set(self.0));
    }
}
