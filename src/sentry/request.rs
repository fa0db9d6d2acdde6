//! Per request, inside [`Observability`](crate::Observability): a Sentry hub of its own, the
//! request context, the `request_id` tag, and one event per failing request.
//!
//! Composed from sentry-tower: the hub comes from its `NewFromTopProvider` (what
//! `NewSentryLayer::new_from_top` uses) and is bound around every poll of the request, as
//! `NewSentryLayer` does, but around our whole response future, so that the panic we catch, our
//! logs and our 5xx report land in it too; the request context (method, URL, headers without the
//! sensitive ones) and the transaction come from `SentryHttpLayer`, wrapped around the inner
//! service. Nothing of this runs, and nothing is allocated, when no Sentry client is bound.
//!
//! An adapter whose requests are not `http` 1.x ones (actix-web) gives the request context with
//! [`RequestReport::describe`] instead, built as `SentryHttpLayer` builds it, and reports the
//! error behind a 5xx with [`capture_error`].

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use pin_project_lite::pin_project;
use sentry::protocol::{self, Event, Level};
use sentry::utils::{is_sensitive_header, scrub_pii_from_url};
use sentry::{Hub, TracesSamplingStrategy};
use sentry_tower::{HubProvider, NewFromTopProvider, SentryHttpFuture, SentryHttpLayer};
use tower_layer::Layer;
use tower_service::Service;

use crate::access_log::{self, Outcome};
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

/// The Sentry side of one request: its hub, when a client is bound.
#[derive(Debug, Default)]
pub(crate) struct RequestReport {
    hub: Option<Arc<Hub>>,
}

impl RequestReport {
    /// Makes the request's hub and tags its scope with the ID and the route.
    pub(crate) fn start(method: &str, id: &RequestId, route: Option<&str>) -> Self {
        if !Hub::with_active(|_| true) {
            return Self { hub: None };
        }
        let hub: Arc<Hub> = NewFromTopProvider.hub(&());
        hub.configure_scope(|scope| {
            scope.set_tag("request_id", id.as_str());
            if let Some(route) = route {
                scope.set_transaction(Some(&format!("{method} {route}")));
            }
        });
        Self { hub: Some(hub) }
    }

    /// Runs `f` with the request's hub as the current one.
    pub(crate) fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.hub {
            None => f(),
            Some(hub) => Hub::run(Arc::clone(hub), || {
                let outer = IN_REQUEST.with(|flag| flag.replace(true));
                let _restore = Restore(outer);
                f()
            }),
        }
    }

    /// Whether this request reports to Sentry (a client was bound when it started).
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn is_on(&self) -> bool {
        self.hub.is_some()
    }

    /// Adds the request to every event of this request, as sentry-tower's `SentryHttpLayer`
    /// does on the tower side: the method, the URL without credentials, and the headers whose
    /// value is not marked sensitive and, unless `send_default_pii` is on, whose name is not on
    /// sentry's list. `headers` are (name, value as text, value marked sensitive). The client's
    /// scrub then removes query values and the rest.
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn describe<'h>(
        &self,
        method: &str,
        url: &str,
        headers: impl Iterator<Item = (&'h str, &'h str, bool)>,
    ) {
        let Some(hub) = &self.hub else { return };
        let with_pii = hub
            .client()
            .is_some_and(|client| client.options().send_default_pii);
        let request = protocol::Request {
            method: Some(method.to_owned()),
            url: url.parse().ok().map(scrub_pii_from_url),
            headers: headers
                .filter(|&(name, _, sensitive)| {
                    !sensitive && (with_pii || !is_sensitive_header(name))
                })
                .map(|(name, value, _)| (name.to_owned(), value.to_owned()))
                .collect(),
            ..Default::default()
        };
        hub.configure_scope(|scope| {
            scope.add_event_processor(move |mut event| {
                if event.request.is_none() {
                    event.request = Some(request.clone());
                }
                Some(event)
            });
        });
    }

    /// Calls `inner`, through sentry-tower's `SentryHttpLayer` when Sentry is on.
    pub(crate) fn call<S, B, ResBody>(
        &self,
        inner: &mut S,
        request: Request<B>,
    ) -> HttpFuture<S::Future>
    where
        S: Service<Request<B>, Response = Response<ResBody>>,
    {
        let Some(hub) = &self.hub else {
            return HttpFuture::Plain {
                future: inner.call(request),
            };
        };
        let mut http = SentryHttpLayer::new();
        let tracing = hub.client().is_some_and(|client| {
            !matches!(
                client.options().traces_sampling_strategy,
                TracesSamplingStrategy::Disabled
            )
        });
        if tracing {
            http = http.enable_transaction();
        }
        HttpFuture::Reporting {
            future: http.layer(inner).call(request),
        }
    }

    /// Reports a 5xx response (or a failure without a response) as one event, unless the
    /// request already sent one.
    pub(crate) fn finish(&self, outcome: Outcome) {
        let Some(hub) = &self.hub else { return };
        let status = match outcome {
            Outcome::Response(status) => Some(status),
            Outcome::Failed => None,
            Outcome::Cancelled => return,
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

/// Puts back the outer value of [`IN_REQUEST`], even on unwind.
struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        IN_REQUEST.with(|flag| flag.set(self.0));
    }
}

pin_project! {
    /// The inner service's future, wrapped by `SentryHttpLayer`'s when Sentry is on.
    #[project = HttpFutureProj]
    pub(crate) enum HttpFuture<F> {
        Plain { #[pin] future: F },
        Reporting { #[pin] future: SentryHttpFuture<F> },
    }
}

impl<F, B, E> Future for HttpFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            HttpFutureProj::Plain { future } => future.poll(cx),
            HttpFutureProj::Reporting { future } => future.poll(cx),
        }
    }
}
