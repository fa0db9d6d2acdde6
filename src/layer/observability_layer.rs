//! [`ObservabilityLayer`]: the configuration of the middleware.

use std::sync::Arc;

use http::HeaderName;
use tower_layer::Layer;

use super::Observability;
use crate::access_level::{AccessLevel, AccessLevels};
use crate::lifecycle::settings::Settings;
use crate::request_id::{MakeRequestId, RequestIdPolicy, UuidV7};

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
#[derive(Debug)]
pub struct ObservabilityLayer<M = UuidV7, L = AccessLevels> {
    settings: Arc<Settings<M, L>>,
}

impl<M, L> Clone for ObservabilityLayer<M, L> {
    fn clone(&self) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
        }
    }
}

impl Default for ObservabilityLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ObservabilityLayer {
    /// The defaults: header `x-request-id`, valid incoming IDs kept, UUID v7 otherwise; an
    /// access record for every request, INFO below 500 and ERROR from 500, with its path.
    pub fn new() -> Self {
        Self::with_policy(RequestIdPolicy::new())
    }
}

impl<M: MakeRequestId> ObservabilityLayer<M> {
    /// A layer that resolves IDs with `policy`.
    pub fn with_policy(policy: RequestIdPolicy<M>) -> Self {
        Self {
            settings: Arc::new(Settings::new(policy)),
        }
    }
}

impl<M: MakeRequestId + Clone, L: AccessLevel + Clone> ObservabilityLayer<M, L> {
    /// Reads and writes the ID in `header` instead of `x-request-id`.
    pub fn header(self, header: HeaderName) -> Self {
        self.map(|s| s.map_policy(|p| p.header(header)))
    }

    /// Whether a valid incoming ID is kept (the default) or always replaced.
    pub fn trust_incoming(self, trust: bool) -> Self {
        self.map(|s| s.map_policy(|p| p.trust_incoming(trust)))
    }
}

crate::lifecycle::settings::shared_setters!(ObservabilityLayer);

impl<S, M, L> Layer<S> for ObservabilityLayer<M, L> {
    type Service = Observability<S, M, L>;

    fn layer(&self, inner: S) -> Self::Service {
        Observability::new(inner, Arc::clone(&self.settings))
    }
}
