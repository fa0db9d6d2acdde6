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
//! above 0), the request's transaction is started here, as sentry-tower's `SentryHttpLayer`
//! would start it but in the request's own trace (its trace id, its span id, the caller's span
//! as parent, its sampling decision), for both adapters.
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
//! describing starts the request's transaction in the request's trace when performance tracing
//! is on (for both adapters alike); the actix side also reports the error behind a 5xx with
//! [`capture_error`].

use std::cell::Cell;
use std::panic::RefUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::StatusCode;
use sentry::protocol::{self, Context, Event, Level, SpanStatus};
use sentry::utils::{is_sensitive_header, scrub_pii_from_url};
use sentry::{Hub, TracesSamplingStrategy, Transaction, TransactionContext};
use sentry_tower::{HubProvider, NewFromTopProvider};

use crate::access_log::{self, Outcome};
use crate::lifecycle::report::Report;
use crate::request_id::RequestId;
use crate::trace_context::TraceContext;

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
    trace: Option<Trace>,
    // The request's performance transaction, when Sentry tracing is on; taken when finished.
    transaction: Mutex<Option<Transaction>>,
}

/// The request's trace, in Sentry's types.
#[derive(Debug, Clone, Copy)]
struct Trace {
    trace_id: protocol::TraceId,
    span_id: protocol::SpanId,
    parent_span_id: Option<protocol::SpanId>,
    sampled: bool,
}

impl Trace {
    fn new(trace: &TraceContext) -> Self {
        Self {
            trace_id: trace.trace_id().to_bytes().into(),
            span_id: trace.span_id().to_bytes().into(),
            parent_span_id: trace.parent_span_id().map(|id| id.to_bytes().into()),
            sampled: trace.is_sampled(),
        }
    }

    /// The event's trace context: this request's span in its trace.
    fn context(&self) -> protocol::TraceContext {
        protocol::TraceContext {
            trace_id: self.trace_id,
            span_id: self.span_id,
            parent_span_id: self.parent_span_id,
            op: Some("http.server".to_owned()),
            ..Default::default()
        }
    }
}

/// The status of a transaction for an HTTP status, as sentry-tower maps it.
fn span_status(status: u16) -> SpanStatus {
    match status {
        401 => SpanStatus::Unauthenticated,
        403 => SpanStatus::PermissionDenied,
        404 => SpanStatus::NotFound,
        409 => SpanStatus::AlreadyExists,
        429 => SpanStatus::ResourceExhausted,
        400..=499 => SpanStatus::InvalidArgument,
        501 => SpanStatus::Unimplemented,
        503 => SpanStatus::Unavailable,
        500..=599 => SpanStatus::InternalError,
        200..=299 => SpanStatus::Ok,
        _ => SpanStatus::UnknownError,
    }
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
                trace: None,
                transaction: Mutex::new(None),
            }),
        }
    }

    /// Follows Sentry's traces sample rate (or sampler, asked with op `http.server`) when
    /// Sentry tracing is on; unsampled otherwise.
    fn sample_new_trace(&self) -> bool {
        let Some(client) = self.on.as_ref().and_then(|on| on.hub.client()) else {
            return false;
        };
        match &client.options().traces_sampling_strategy {
            TracesSamplingStrategy::FixedRate(rate) => rand::random::<f32>() < *rate,
            TracesSamplingStrategy::Function(sampler) => {
                let rate = sampler(&TransactionContext::new("", "http.server"));
                rand::random::<f32>() < rate
            }
            _ => false,
        }
    }

    fn join_trace(&mut self, trace: &TraceContext) {
        if let Some(on) = &mut self.on {
            on.trace = Some(Trace::new(trace));
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
            transaction.set_status(match outcome {
                Outcome::Response(status) => span_status(status),
                Outcome::Failed => SpanStatus::InternalError,
            });
            transaction.finish();
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
    /// Adds the request to every event of this request, with one event processor that keeps
    /// `parts()` and, only for an event, sets the `request_id` tag, the transaction
    /// `METHOD /route` (when the route is known and nothing set one) and the request context.
    /// Without a client, `parts` is not called.
    ///
    /// Every event gets the request's trace context (its trace id, its span id, the caller's
    /// span) unless a span of the same trace set one. With Sentry tracing on, the request's
    /// transaction starts here, in the request's trace, with its sampling decision.
    pub(crate) fn describe<P: RequestParts>(&self, parts: impl FnOnce() -> P) {
        let Some(On {
            hub,
            id,
            trace,
            transaction,
        }) = &self.on
        else {
            return;
        };
        let with_pii = hub
            .client()
            .is_some_and(|client| client.options().send_default_pii);
        let parts = parts();
        if let Some(trace) = trace
            && tracing_on(hub)
        {
            let started = start_transaction(hub, trace, &parts, with_pii, id);
            *lock(transaction) = Some(started);
        }
        let id = id.clone();
        let trace = *trace;
        hub.configure_scope(|scope| {
            scope.add_event_processor(move |mut event| {
                event
                    .tags
                    .insert("request_id".to_owned(), id.as_str().to_owned());
                if let Some(trace) = &trace {
                    let ours = matches!(
                        event.contexts.get("trace"),
                        Some(Context::Trace(context)) if context.trace_id == trace.trace_id
                    );
                    if !ours {
                        event
                            .contexts
                            .insert("trace".to_owned(), trace.context().into());
                    }
                }
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
}

/// Whether performance tracing is on: a traces sample rate or sampler is set.
fn tracing_on(hub: &Hub) -> bool {
    hub.client().is_some_and(|client| {
        !matches!(
            client.options().traces_sampling_strategy,
            TracesSamplingStrategy::Disabled
        )
    })
}

/// Starts the request's transaction in its trace: its span id is the request's, its parent the
/// caller's, its sampling decision the request's. It is named `METHOD /route` (the path when
/// the route is unknown), carries the request context and, since transactions do not pass
/// through event processors but take the scope's tags, the scope is tagged with the request's
/// ID; the transaction is the scope's span, so events of the request point into it.
fn start_transaction(
    hub: &Hub,
    trace: &Trace,
    parts: &impl RequestParts,
    with_pii: bool,
    id: &RequestId,
) -> Transaction {
    let request = request_context(parts, with_pii);
    let name = match (parts.route(), &request.url) {
        (Some(route), _) => format!("{} {route}", parts.method()),
        (None, Some(url)) => format!("{} {}", parts.method(), url.path()),
        (None, None) => parts.method().to_owned(),
    };
    let mut context = TransactionContext::new_with_details(
        &name,
        "http.server",
        trace.trace_id,
        Some(trace.span_id),
        trace.parent_span_id,
    );
    context.set_sampled(Some(trace.sampled));
    let transaction = hub.start_transaction(context);
    transaction.set_request(request);
    hub.configure_scope(|scope| {
        scope.set_tag("request_id", id.as_str());
        scope.set_span(Some(transaction.clone().into()));
    });
    transaction
}

impl Drop for RequestReport {
    /// A request dropped before its end still finishes its transaction, as aborted.
    fn drop(&mut self) {
        if let Some(On { transaction, .. }) = &self.on
            && let Some(transaction) = lock(transaction).take()
        {
            transaction.set_status(SpanStatus::Aborted);
            transaction.finish();
        }
    }
}

/// The transaction slot, even if a panic poisoned it.
fn lock(slot: &Mutex<Option<Transaction>>) -> MutexGuard<'_, Option<Transaction>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Puts back the outer value of [`IN_REQUEST`], even on unwind.
struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        IN_REQUEST.with(|flag| flag.set(self.0));
    }
}
