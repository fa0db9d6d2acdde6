//! The current request's ID, found from anywhere inside the request's span.

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
    crate::lifecycle::scope::with_current(|scope| scope.id.clone())
}
