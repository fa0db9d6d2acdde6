//! The current request's ID, found from anywhere inside the request's span.

use tracing::Span;
use tracing_subscriber::registry::{LookupSpan, Registry};

use super::RequestId;

/// The ID of the request being handled, looked up from the current tracing span and its
/// parents.
///
/// It works anywhere inside the `request` span opened by the tower layer or the actix-web
/// middleware (handlers, functions they call, the response body while it streams, and futures
/// instrumented with that span or a child of it), as long as the global or scoped subscriber
/// is built on `tracing_subscriber::Registry` (as `init!()`'s is). Outside a request, or with
/// the span disabled by the filter, it returns `None`.
///
/// # Example
///
/// ```
/// use http_observability::request_id;
///
/// fn audit(action: &str) {
///     match request_id::current() {
///         Some(id) => println!("{action} in request {id}"),
///         None => println!("{action} outside any request"),
///     }
/// }
/// audit("startup");
/// ```
pub fn current() -> Option<RequestId> {
    Span::current()
        .with_subscriber(|(id, dispatch)| {
            let registry = dispatch.downcast_ref::<Registry>()?;
            let span = registry.span(id)?;
            span.scope()
                .find_map(|span| span.extensions().get::<RequestId>().cloned())
        })
        .flatten()
}

/// Stores `request_id` in `span`'s registry extensions so that [`current`] finds it.
pub(crate) fn attach_to_span(span: &Span, request_id: &RequestId) {
    span.with_subscriber(|(id, dispatch)| {
        if let Some(span) = dispatch
            .downcast_ref::<Registry>()
            .and_then(|registry| registry.span(id))
        {
            span.extensions_mut().replace(request_id.clone());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn found_inside_the_span_and_its_children_only() {
        let subscriber = Registry::default().with(tracing_subscriber::filter::LevelFilter::INFO);
        tracing::subscriber::with_default(subscriber, || {
            assert_eq!(current(), None);
            let span = tracing::info_span!("request");
            attach_to_span(&span, &RequestId::parse("abc").unwrap());
            span.in_scope(|| {
                assert_eq!(current().unwrap().as_str(), "abc");
                tracing::info_span!("child").in_scope(|| {
                    assert_eq!(current().unwrap().as_str(), "abc");
                });
            });
            assert_eq!(current(), None);
        });
    }

    #[test]
    fn none_without_a_registry() {
        let span = tracing::info_span!("request");
        attach_to_span(&span, &RequestId::parse("abc").unwrap());
        assert_eq!(span.in_scope(current), None);
    }
}
