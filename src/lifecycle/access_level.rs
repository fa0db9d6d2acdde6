//! [`AccessLevel`]: the level of a request's access record, or none, from its status and route.
//!
//! # Example
//!
//! ```
//! use http::StatusCode;
//! use http_observability::ObservabilityLayer;
//! use http_observability::access_level::AccessLevels;
//! use tracing::Level;
//!
//! // 4xx at WARN, and no access record for the platform's probes (unless they fail with a 5xx).
//! let levels = AccessLevels::new()
//!     .client_errors(Level::WARN)
//!     .silence("/health");
//! let layer = ObservabilityLayer::new().access_level(levels);
//! # let _ = layer;
//!
//! // Or any closure: here, a record only for what went wrong.
//! let only_failures = |status: StatusCode, _route: Option<&str>| {
//!     (status.is_client_error() || status.is_server_error()).then_some(Level::WARN)
//! };
//! let layer = ObservabilityLayer::new().access_level(only_failures);
//! # let _ = layer;
//! ```
//!
//! # What the hook decides
//!
//! It is asked once per request that got a response, with the final status (the one the
//! client receives) and the route template (`None` when no route matched). Its answer is the
//! level of the access record, or `None` for no record at all. Only the access record is
//! concerned: the lines a handler logs are written as always.
//!
//! Some ends are not the hook's to decide: a response body that fails, and a service that
//! fails without a response, are always recorded at ERROR; a request dropped before its
//! response (it has no status) at INFO.

use http::StatusCode;
use tracing::Level;

/// Chooses the level of a request's access record, or no record, from its status and route.
///
/// Implemented by [`AccessLevels`] (the default: INFO below 500, ERROR from 500) and by every
/// `Fn(StatusCode, Option<&str>) -> Option<Level> + Send + Sync` closure. See the
/// [module docs](self).
// A type parameter of the layer and the middleware: a custom hook costs no dynamic dispatch.
pub trait AccessLevel: Send + Sync + 'static {
    /// The level of the access record of a request answered `status` on `route`, or `None`
    /// to write no access record for it.
    fn level(&self, status: StatusCode, route: Option<&str>) -> Option<Level>;
}

impl<F> AccessLevel for F
where
    F: Fn(StatusCode, Option<&str>) -> Option<Level> + Send + Sync + 'static,
{
    fn level(&self, status: StatusCode, route: Option<&str>) -> Option<Level> {
        self(status, route)
    }
}

/// The default levels: INFO below 500, ERROR from 500, with chained setters for the level of
/// 4xx and for routes whose successes are not recorded.
///
/// A 5xx is recorded at ERROR on every route, a silenced one too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLevels {
    client_errors: Level,
    silenced: Vec<String>,
}

impl Default for AccessLevels {
    fn default() -> Self {
        Self::new()
    }
}

impl AccessLevels {
    /// INFO below 500, ERROR from 500, every route recorded.
    pub fn new() -> Self {
        Self {
            client_errors: Level::INFO,
            silenced: Vec::new(),
        }
    }

    /// Records responses from 400 to 499 at `level` (INFO by default).
    pub fn client_errors(mut self, level: Level) -> Self {
        self.client_errors = level;
        self
    }

    /// Writes no access record for a response below 500 on `route`, a route template as the
    /// router knows it (`/health`, `/users/{id}`).
    pub fn silence(mut self, route: impl Into<String>) -> Self {
        self.silenced.push(route.into());
        self
    }
}

impl AccessLevel for AccessLevels {
    fn level(&self, status: StatusCode, route: Option<&str>) -> Option<Level> {
        if status.is_server_error() {
            return Some(Level::ERROR);
        }
        if let Some(route) = route
            && self.silenced.iter().any(|silenced| silenced == route)
        {
            return None;
        }
        Some(if status.is_client_error() {
            self.client_errors
        } else {
            Level::INFO
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(levels: &impl AccessLevel, status: u16, route: Option<&str>) -> Option<Level> {
        levels.level(StatusCode::from_u16(status).unwrap(), route)
    }

    #[test]
    fn the_default_is_info_below_500_and_error_from_500() {
        let levels = AccessLevels::new();
        assert_eq!(level(&levels, 200, Some("/")), Some(Level::INFO));
        assert_eq!(level(&levels, 404, None), Some(Level::INFO));
        assert_eq!(level(&levels, 499, None), Some(Level::INFO));
        assert_eq!(level(&levels, 500, None), Some(Level::ERROR));
        assert_eq!(level(&levels, 503, Some("/")), Some(Level::ERROR));
    }

    #[test]
    fn client_errors_and_silenced_routes_are_chosen_but_a_5xx_is_never_silenced() {
        let levels = AccessLevels::new()
            .client_errors(Level::WARN)
            .silence("/health");
        assert_eq!(level(&levels, 404, Some("/docs")), Some(Level::WARN));
        assert_eq!(level(&levels, 200, Some("/docs")), Some(Level::INFO));
        assert_eq!(level(&levels, 200, Some("/health")), None);
        assert_eq!(level(&levels, 404, Some("/health")), None);
        assert_eq!(level(&levels, 503, Some("/health")), Some(Level::ERROR));
        assert_eq!(level(&levels, 200, None), Some(Level::INFO));
    }

    #[test]
    fn a_closure_is_a_hook() {
        let hook = |status: StatusCode, route: Option<&str>| {
            (route != Some("/quiet") || status.is_server_error()).then_some(Level::DEBUG)
        };
        assert_eq!(level(&hook, 200, Some("/quiet")), None);
        assert_eq!(level(&hook, 500, Some("/quiet")), Some(Level::DEBUG));
    }
}
