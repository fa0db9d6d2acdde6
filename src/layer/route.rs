//! The route template of a request (`/users/{id}`), never its raw path.

use http::Extensions;

/// The matched route of a request, as the router saw it.
///
/// With the `axum` feature this is axum's `MatchedPath`, present when the layer is added with
/// `Router::layer` (so it runs after routing). Without a router that records one, or for a
/// request no route matched, there is no route: the raw path is never used in its place,
/// because it would put IDs and tokens into a field meant for grouping.
#[derive(Clone, Debug, Default)]
pub(crate) struct Route {
    #[cfg(feature = "axum")]
    matched: Option<axum::extract::MatchedPath>,
}

impl Route {
    /// Reads the route from a request's extensions.
    #[cfg_attr(not(feature = "axum"), allow(unused_variables))]
    pub(crate) fn from_extensions(extensions: &Extensions) -> Self {
        Self {
            #[cfg(feature = "axum")]
            matched: extensions.get::<axum::extract::MatchedPath>().cloned(),
        }
    }

    /// The route template, if the router recorded one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        #[cfg(feature = "axum")]
        {
            self.matched
                .as_ref()
                .map(axum::extract::MatchedPath::as_str)
        }
        #[cfg(not(feature = "axum"))]
        {
            None
        }
    }
}
