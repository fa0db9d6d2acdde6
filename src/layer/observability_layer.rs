//! [`ObservabilityLayer`]: the configuration of the middleware.

use std::sync::Arc;

use http::HeaderName;
use tower_layer::Layer;

use super::Observability;
use crate::request_id::{MakeRequestId, RequestIdPolicy, UuidV4, UuidV7};
use crate::trace_context::{MakeTraceIds, SharedTracePolicy, TracePolicy};

/// The tower layer that gives every request an ID, a span, an access-log event and panic
/// safety. See the [module docs](crate::layer) for what it does and where to put it.
///
/// It holds only configuration and is cheap to clone.
///
/// # Example
///
/// ```
/// use http::HeaderName;
/// use http_observability::ObservabilityLayer;
///
/// // A public-facing service: never trust a client's ID, use the header the proxy expects.
/// let layer = ObservabilityLayer::new()
///     .header(HeaderName::from_static("x-correlation-id"))
///     .trust_incoming(false);
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct ObservabilityLayer<M = UuidV7> {
    policy: Arc<RequestIdPolicy<M>>,
    trace: Arc<SharedTracePolicy>,
}

impl Default for ObservabilityLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ObservabilityLayer {
    /// The defaults: header `x-request-id`, valid incoming IDs kept, UUID v7 otherwise.
    pub fn new() -> Self {
        Self::with_policy(RequestIdPolicy::new())
    }
}

impl<M: MakeRequestId> ObservabilityLayer<M> {
    /// A layer that resolves IDs with `policy`.
    pub fn with_policy(policy: RequestIdPolicy<M>) -> Self {
        Self {
            policy: Arc::new(policy),
            trace: Arc::new(TracePolicy::new().shared()),
        }
    }

    /// Decides trace context with `policy`: whether incoming context is continued, and where
    /// fresh ids come from.
    pub fn trace_policy<I: MakeTraceIds>(mut self, policy: TracePolicy<I>) -> Self {
        self.trace = Arc::new(policy.shared());
        self
    }

    /// Whether valid incoming trace context (`traceparent`, `sentry-trace`) is continued (the
    /// default) or every request starts a new trace: the counterpart of
    /// [`trust_incoming`](Self::trust_incoming) for traces.
    pub fn trust_incoming_trace(mut self, trust: bool) -> Self {
        let policy = Arc::unwrap_or_clone(self.trace).trust_incoming(trust);
        self.trace = Arc::new(policy);
        self
    }

    /// Reads and writes the ID in `header` instead of `x-request-id`.
    pub fn header(self, header: HeaderName) -> Self
    where
        M: Clone,
    {
        self.map_policy(|p| p.header(header))
    }

    /// Whether a valid incoming ID is kept (the default) or always replaced.
    pub fn trust_incoming(self, trust: bool) -> Self
    where
        M: Clone,
    {
        self.map_policy(|p| p.trust_incoming(trust))
    }

    /// Makes fresh IDs with `make` instead of UUID v7.
    pub fn make_request_id<M2: MakeRequestId>(self, make: M2) -> ObservabilityLayer<M2>
    where
        M: Clone,
    {
        ObservabilityLayer {
            policy: Arc::new(Arc::unwrap_or_clone(self.policy).make_request_id(make)),
            trace: self.trace,
        }
    }

    /// Makes fresh IDs as random UUID v4 instead of time-ordered v7.
    pub fn uuid_v4(self) -> ObservabilityLayer<UuidV4>
    where
        M: Clone,
    {
        self.make_request_id(UuidV4)
    }

    /// The policy this layer resolves IDs with.
    pub fn policy(&self) -> &RequestIdPolicy<M> {
        &self.policy
    }

    fn map_policy(self, f: impl FnOnce(RequestIdPolicy<M>) -> RequestIdPolicy<M>) -> Self
    where
        M: Clone,
    {
        Self {
            policy: Arc::new(f(Arc::unwrap_or_clone(self.policy))),
            trace: self.trace,
        }
    }
}

impl<S, M> Layer<S> for ObservabilityLayer<M> {
    type Service = Observability<S, M>;

    fn layer(&self, inner: S) -> Self::Service {
        Observability::new(inner, Arc::clone(&self.policy), Arc::clone(&self.trace))
    }
}
