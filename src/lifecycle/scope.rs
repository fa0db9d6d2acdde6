//! What a request's span carries for code running inside it: the request's ID and trace
//! context, kept in the span's registry extensions (one entry for both).

use tracing::Span;
use tracing_subscriber::registry::{LookupSpan, Registry};

use crate::request_id::RequestId;
use crate::trace_context::TraceContext;

/// The request's ID and trace context, as code inside the request's span finds them.
#[derive(Debug, Clone)]
pub(crate) struct RequestScope {
    // `None` in a client span opened outside any request.
    pub(crate) id: Option<RequestId>,
    pub(crate) trace: TraceContext,
}

/// Stores `scope` in `span`'s registry extensions, for [`with_current`].
pub(crate) fn attach(span: &Span, scope: RequestScope) {
    span.with_subscriber(|(id, dispatch)| {
        if let Some(span) = dispatch
            .downcast_ref::<Registry>()
            .and_then(|registry| registry.span(id))
        {
            span.extensions_mut().replace(scope);
        }
    });
}

/// Calls `f` with the scope of the request whose span (or a child of it) is the current span,
/// when the subscriber is built on `tracing_subscriber::Registry`; `None` outside a request.
pub(crate) fn with_current<T>(f: impl FnOnce(&RequestScope) -> Option<T>) -> Option<T> {
    Span::current()
        .with_subscriber(|(id, dispatch)| {
            let registry = dispatch.downcast_ref::<Registry>()?;
            let span = registry.span(id)?;
            let span = span
                .scope()
                .find(|span| span.extensions().get::<RequestScope>().is_some())?;
            let extensions = span.extensions();
            f(extensions.get::<RequestScope>()?)
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    fn trace() -> TraceContext {
        crate::trace_context::TracePolicy::new().resolve(&http::HeaderMap::new(), || false)
    }

    #[test]
    fn found_inside_the_span_and_its_children_only() {
        let subscriber = Registry::default().with(tracing_subscriber::filter::LevelFilter::INFO);
        tracing::subscriber::with_default(subscriber, || {
            let id = |s: &RequestScope| s.id.as_ref().map(|id| id.as_str().to_owned());
            assert_eq!(with_current(id), None);
            let span = tracing::info_span!("request");
            let scope = RequestScope {
                id: RequestId::parse("abc").ok(),
                trace: trace(),
            };
            attach(&span, scope);
            span.in_scope(|| {
                assert_eq!(with_current(id).as_deref(), Some("abc"));
                tracing::info_span!("child").in_scope(|| {
                    assert_eq!(with_current(id).as_deref(), Some("abc"));
                });
            });
            assert_eq!(with_current(id), None);
        });
    }

    #[test]
    fn none_without_a_registry() {
        let span = tracing::info_span!("request");
        let scope = RequestScope {
            id: RequestId::parse("abc").ok(),
            trace: trace(),
        };
        attach(&span, scope);
        assert!(span.in_scope(|| with_current(|s| s.id.clone())).is_none());
    }
}
