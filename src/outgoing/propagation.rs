//! [`Propagation`]: which headers an outgoing call gets, and which URLs get them.

use std::sync::Arc;

use http::{HeaderMap, HeaderName};

use crate::request_id::DEFAULT_HEADER;
use crate::trace_context::Outgoing;

/// The configuration of outgoing propagation: the request ID header's name and the URLs that
/// get the headers. Cheap to clone.
///
/// # Example
///
/// ```
/// use http::{HeaderMap, HeaderName};
/// use http_observability::outgoing::Propagation;
///
/// // Only calls to our own APIs carry the headers.
/// let propagation = Propagation::new()
///     .request_id_header(HeaderName::from_static("x-correlation-id"))
///     .targets(["api.internal", "127.0.0.1"]);
/// let mut headers = HeaderMap::new();
/// propagation.inject_for("https://api.github.com/user", &mut headers);
/// assert!(headers.is_empty());
/// propagation.inject_for("http://127.0.0.1:3001/health", &mut headers);
/// assert!(headers.contains_key("traceparent"));
/// ```
#[derive(Debug, Clone)]
pub struct Propagation {
    request_id_header: HeaderName,
    targets: Option<Arc<[String]>>,
}

impl Default for Propagation {
    fn default() -> Self {
        Self::new()
    }
}

impl Propagation {
    /// The defaults: the ID in `x-request-id`, every URL gets the headers.
    pub fn new() -> Self {
        Self {
            request_id_header: DEFAULT_HEADER,
            targets: None,
        }
    }

    /// Sends the request ID in `header` instead of `x-request-id` (use the header the called
    /// service reads).
    pub fn request_id_header(mut self, header: HeaderName) -> Self {
        self.request_id_header = header;
        self
    }

    /// Only URLs that contain one of `targets` get the headers (as Sentry's
    /// `trace_propagation_targets`, matched as substrings of the full URL); others get none.
    pub fn targets<T: Into<String>>(mut self, targets: impl IntoIterator<Item = T>) -> Self {
        self.targets = Some(targets.into_iter().map(Into::into).collect());
        self
    }

    /// Whether a call to `url` gets the headers.
    pub fn is_target(&self, url: &str) -> bool {
        self.targets
            .as_ref()
            .is_none_or(|targets| targets.iter().any(|target| url.contains(target.as_str())))
    }

    /// [`is_target`](Self::is_target) for a URL made only when there are targets to match.
    pub(crate) fn is_target_with(&self, url: impl FnOnce() -> String) -> bool {
        self.targets.is_none() || self.is_target(&url())
    }

    /// Sets the headers of a call to `url` in `headers` (when `url` is a target), replacing any
    /// of the same names.
    pub fn inject_for(&self, url: &str, headers: &mut HeaderMap) {
        if self.is_target(url) {
            self.inject(headers);
        }
    }

    /// Sets the headers of a call in `headers`, whatever its URL.
    pub fn inject(&self, headers: &mut HeaderMap) {
        let outgoing = Outgoing::now();
        outgoing.write_w3c(&self.request_id_header, headers);
        #[cfg(feature = "sentry")]
        crate::reporting::outgoing::write_headers(&outgoing.trace, headers);
    }
}

/// Sets the headers of a call made now in `headers`, with the default [`Propagation`]: the
/// request ID in `x-request-id`, `traceparent` and `tracestate`, and with Sentry on
/// `sentry-trace` and `baggage`. See the [module docs](crate::outgoing).
pub fn inject(headers: &mut HeaderMap) {
    Propagation::new().inject(headers);
}
