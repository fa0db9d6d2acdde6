//! [`RequestHeaders`]: a request's headers as a generator sees them, whatever the framework.

use std::fmt;

use http::HeaderMap;

/// The headers of the request a fresh ID is made for, read-only, whatever the framework's
/// header types (axum and tower use `http` 1.x, actix-web its own).
///
/// # Example
///
/// An ID taken from a header the edge proxy sets, else a UUID v7:
///
/// ```
/// use http::HeaderMap;
/// use http_observability::request_id::{MakeRequestId, RequestHeaders, RequestId, UuidV7};
///
/// let from_edge = |headers: &RequestHeaders<'_>| {
///     headers
///         .get_str("cf-ray")
///         .and_then(|ray| RequestId::parse(ray).ok())
///         .unwrap_or_else(|| UuidV7.make_request_id(headers))
/// };
/// let mut headers = HeaderMap::new();
/// headers.insert("cf-ray", "8c2a9d3e5f6b7a1c-AMS".parse().unwrap());
/// let id = from_edge.make_request_id(&RequestHeaders::from(&headers));
/// assert_eq!(id.as_str(), "8c2a9d3e5f6b7a1c-AMS");
/// ```
#[derive(Clone, Copy)]
pub struct RequestHeaders<'a> {
    lookup: Lookup<'a>,
}

#[derive(Clone, Copy)]
enum Lookup<'a> {
    None,
    Http(&'a HeaderMap),
    Fn(&'a (dyn Fn(&str) -> Option<&'a [u8]> + 'a)),
}

impl<'a> RequestHeaders<'a> {
    /// No headers at all (for a generator's tests, or an ID made outside a request).
    pub const fn empty() -> Self {
        Self {
            lookup: Lookup::None,
        }
    }

    /// Headers read through `lookup`, which returns the first value of a header by its
    /// lowercase name: how a framework whose header types are not `http` 1.x lends its map
    /// (see [`RequestIdPolicy::resolve_values`](super::RequestIdPolicy::resolve_values)).
    pub fn from_lookup(lookup: &'a (dyn Fn(&str) -> Option<&'a [u8]> + 'a)) -> Self {
        Self {
            lookup: Lookup::Fn(lookup),
        }
    }

    /// The first value of the header `name` (lowercase, as `http` stores names), as bytes.
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        match self.lookup {
            Lookup::None => None,
            Lookup::Http(map) => map.get(name).map(http::HeaderValue::as_bytes),
            Lookup::Fn(lookup) => lookup(name),
        }
    }

    /// The first value of the header `name`, if it is printable ASCII (spaces and tabs allowed).
    pub fn get_str(&self, name: &str) -> Option<&'a str> {
        self.get(name)
            .filter(|value| {
                value
                    .iter()
                    .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
            })
            .and_then(|value| std::str::from_utf8(value).ok())
    }
}

impl<'a> From<&'a HeaderMap> for RequestHeaders<'a> {
    fn from(map: &'a HeaderMap) -> Self {
        Self {
            lookup: Lookup::Http(map),
        }
    }
}

impl fmt::Debug for RequestHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values can be secrets: never print them.
        f.debug_struct("RequestHeaders").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_http_maps_and_lookups_alike() {
        let mut map = HeaderMap::new();
        map.insert("x-edge-id", "abc".parse().unwrap());
        let headers = RequestHeaders::from(&map);
        assert_eq!(headers.get("x-edge-id"), Some(&b"abc"[..]));
        assert_eq!(headers.get_str("x-edge-id"), Some("abc"));
        assert_eq!(headers.get("absent"), None);

        let lookup = |name: &str| (name == "x-edge-id").then_some(&b"def"[..]);
        let headers = RequestHeaders::from_lookup(&lookup);
        assert_eq!(headers.get_str("x-edge-id"), Some("def"));
        assert_eq!(RequestHeaders::empty().get("x-edge-id"), None);
    }

    #[test]
    fn text_is_only_visible_ascii() {
        let lookup = |_: &str| Some(&b"caf\xc3\xa9"[..]);
        let headers = RequestHeaders::from_lookup(&lookup);
        assert!(headers.get("x").is_some());
        assert_eq!(headers.get_str("x"), None);
    }
}
