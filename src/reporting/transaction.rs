//! A performance transaction per request, started as sentry-tower's `SentryHttpLayer` starts
//! one, for the adapter it does not wrap (actix-web); finished with the request.

use sentry::protocol::{self, SpanStatus};
use sentry::{Hub, TransactionContext, TransactionOrSpan};

use crate::access_log::Outcome;

/// A request's transaction, the span of its hub's scope until it is finished.
#[derive(Debug)]
pub(crate) struct Transaction {
    span: TransactionOrSpan,
    parent: Option<TransactionOrSpan>,
}

impl Transaction {
    /// Starts the transaction `name` (`http.server`) on `hub`, continuing the trace of the
    /// incoming `sentry-trace` and `baggage` among `headers`, with `request` as its request.
    pub(crate) fn start<'a>(
        hub: &Hub,
        name: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        request: protocol::Request,
    ) -> Self {
        let context = TransactionContext::continue_from_headers(name, "http.server", headers);
        let transaction = hub.start_transaction(context);
        transaction.set_origin("auto.http.actix");
        let span = TransactionOrSpan::from(transaction);
        span.set_request(request);
        let parent = hub.configure_scope(|scope| {
            let parent = scope.get_span();
            scope.set_span(Some(span.clone()));
            parent
        });
        Self { span, parent }
    }

    /// Finishes the transaction with the status of `outcome` (`None`: the request was dropped
    /// before its end), and puts back the scope's span.
    pub(crate) fn finish(self, hub: &Hub, outcome: Option<Outcome>) {
        self.span.set_status(match outcome {
            Some(Outcome::Response(status)) => span_status(status),
            Some(Outcome::Failed) => SpanStatus::UnknownError,
            None => SpanStatus::Aborted,
        });
        self.span.finish();
        hub.configure_scope(|scope| scope.set_span(self.parent));
    }
}

/// The span status of an HTTP status, as sentry-tower maps it.
fn span_status(status: u16) -> SpanStatus {
    match status {
        401 => SpanStatus::Unauthenticated,
        403 => SpanStatus::PermissionDenied,
        404 => SpanStatus::NotFound,
        429 => SpanStatus::ResourceExhausted,
        409 => SpanStatus::AlreadyExists,
        400..=499 => SpanStatus::InvalidArgument,
        501 => SpanStatus::Unimplemented,
        503 => SpanStatus::Unavailable,
        500..=599 => SpanStatus::InternalError,
        200..=299 => SpanStatus::Ok,
        _ => SpanStatus::UnknownError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_as_sentry_tower_maps_them() {
        assert_eq!(span_status(200), SpanStatus::Ok);
        assert_eq!(span_status(404), SpanStatus::NotFound);
        assert_eq!(span_status(422), SpanStatus::InvalidArgument);
        assert_eq!(span_status(503), SpanStatus::Unavailable);
        assert_eq!(span_status(500), SpanStatus::InternalError);
        assert_eq!(span_status(302), SpanStatus::UnknownError);
    }
}
